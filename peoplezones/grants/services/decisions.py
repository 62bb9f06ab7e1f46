"""The commissioner's decisions: approving (with the award and its budget commitment), declining, in
batches."""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peoplezones.core.forms import error_text
from peoplezones.core.money import GBP_ZERO, format_gbp
from peoplezones.core.services import audit_record
from peoplezones.finance import services as finance
from peoplezones.finance.models import Commitment
from peoplezones.grants.models import (
    Application,
    Award,
)
from peoplezones.grants.services._common import S, _user_or_none
from peoplezones.grants.services.applications import check_move, move


def award_identifier(application: Application) -> str:
    return f"{application.round.fund.identifier_prefix}-{application.reference}"


def approve(
    *,
    application: Application,
    actor: Any,
    amount: Decimal | None = None,
    reasons: str = "",
    conditions: str = "",
    decided_on: datetime.date | None = None,
    override_reason: str = "",
) -> Award:
    """The commissioner approves a bid: an award (perhaps less than asked) and its commitment.

    All or nothing: if the budget line cannot take it, nothing changes.
    """
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("round__fund", "round__budget_line")
            .get(pk=application.pk)
        )
        check_move(application, "approve", actor)
        requested = application.amount_requested or GBP_ZERO
        amount = requested if amount is None else amount
        if amount <= 0:
            raise ValidationError({"amount": _("An award must be more than £0.00.")})
        if amount > requested:
            raise ValidationError(
                {
                    "amount": _("The award cannot be more than the %(requested)s asked for.")
                    % {"requested": format_gbp(requested)}
                }
            )
        if amount > application.round.maximum_award:
            raise ValidationError(
                {
                    "amount": _("The most this round can give is %(maximum)s.")
                    % {"maximum": format_gbp(application.round.maximum_award)}
                }
            )
        commitment: Commitment | None = None
        decided_on = decided_on or timezone.localdate()
        if application.round.budget_line is not None:
            commitment = finance.commit(
                line=application.round.budget_line,
                amount=amount,
                description=f"{application.reference} {application.organisation}: "
                f"{application.project_name}",
                kind=Commitment.Kind.GRANT,
                actor=actor,
                zone=application.zone,
                committed_on=decided_on,
                override_reason=override_reason,
            )
        award = Award(
            application=application,
            amount=amount,
            decided_on=decided_on,
            decided_by=_user_or_none(actor),
            reasons=reasons.strip(),
            conditions=conditions.strip(),
            identifier=award_identifier(application),
            commitment=commitment,
        )
        award.full_clean()
        award.save()
        before = application.status
        application.status = S.APPROVED
        application.save(update_fields=["status", "modified"])
        audit_record(
            actor=actor,
            verb="grants.application_approve",
            target=application,
            zone=application.zone,
            data={
                "from": before,
                "to": S.APPROVED,
                "amount": str(amount),
                "requested": str(requested),
                "award": award.identifier,
            },
        )
    return award


def decide_batch(
    *, decisions: Sequence[dict[str, Any]], actor: Any
) -> list[tuple[Application, str | None]]:
    """Decide many at once, each in its own transaction: one refusal does not undo the rest.

    Each decision: {"application": Application, "action": "approve"|"decline",
    "amount": Decimal|None, "reason": str}. Returns (application, error message or None).
    """
    results: list[tuple[Application, str | None]] = []
    for decision in decisions:
        application = decision["application"]
        try:
            if decision["action"] == "approve":
                approve(
                    application=application,
                    actor=actor,
                    amount=decision.get("amount"),
                    reasons=decision.get("reason", ""),
                )
            else:
                move(
                    application=application,
                    action="decline",
                    actor=actor,
                    reason=decision.get("reason", ""),
                )
            results.append((application, None))
        except (ValidationError, PermissionDenied) as error:
            results.append((application, error_text(error)))
    return results
