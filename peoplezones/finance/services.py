"""Writing to the budget: years, lines, commitments (never over a line without a recorded
override), spend and stated figures. Every write is an audit event."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peoplezones.core.money import format_gbp
from peoplezones.core.services import audit_record
from peoplezones.finance.models import BudgetLine, BudgetYear, Commitment, Spend, StatedFigure
from peoplezones.finance.reconciliation import check_key
from peoplezones.finance.selectors import left_to_commit
from peoplezones.grants.permissions import can_manage_finance


def get_or_create_year(*, start_year: int, actor: Any = None) -> BudgetYear:
    year, created = BudgetYear.objects.get_or_create(start_year=start_year)
    if created:
        audit_record(actor=actor, verb="finance.year_created", target=year)
    return year


def set_budget_line(
    *, year: BudgetYear, title: str, amount: Decimal, description: str = "", actor: Any = None
) -> tuple[BudgetLine, bool]:
    """Create a line, or change its amount and description; returns (line, changed)."""
    line = BudgetLine.objects.filter(year=year, title=title).first()
    if line is None:
        order = year.lines.count() + 1
        line = BudgetLine(
            year=year, title=title, amount=amount, description=description, order=order
        )
        line.full_clean()
        line.save()
        audit_record(
            actor=actor,
            verb="finance.line_created",
            target=line,
            data={"amount": str(amount)},
        )
        return line, True
    if line.amount == amount and line.description == description:
        return line, False
    before = str(line.amount)
    line.amount = amount
    line.description = description
    line.full_clean()
    line.save()
    audit_record(
        actor=actor,
        verb="finance.line_changed",
        target=line,
        data={"amount": {"from": before, "to": str(amount)}},
    )
    return line, True


def commit(
    *,
    line: BudgetLine,
    amount: Decimal,
    description: str,
    kind: str,
    actor: Any = None,
    zone: Any = None,
    committed_on: datetime.date | None = None,
    override_reason: str = "",
) -> Commitment:
    """Commit money from a line, refusing to go over what it has left.

    The line's row is locked for the rest of the caller's transaction, so two approvals at the
    same moment cannot both take the last of a line. Going over needs a finance user and a
    reason, both recorded.
    """
    if amount <= 0:
        raise ValidationError({"amount": _("A commitment must be more than £0.00.")})
    with transaction.atomic():
        locked = BudgetLine.objects.select_for_update().get(pk=line.pk)
        _committed, remaining = left_to_commit(locked)
        override_reason = override_reason.strip()
        if amount > remaining:
            if not override_reason:
                raise ValidationError(
                    {
                        "amount": _(
                            "%(line)s has %(remaining)s left to commit, so %(amount)s would "
                            "over-commit it by %(over)s. A finance officer can go over the line "
                            "by giving a reason."
                        )
                        % {
                            "line": str(locked),
                            "remaining": format_gbp(remaining),
                            "amount": format_gbp(amount),
                            "over": format_gbp(amount - remaining),
                        }
                    },
                    code="over_committed",
                )
            if not can_manage_finance(actor):
                raise PermissionDenied(
                    _("Only a finance officer can commit more than a line has left.")
                )
        else:
            override_reason = ""
        commitment = Commitment(
            line=locked,
            amount=amount,
            description=description[:250],
            kind=kind,
            zone=zone,
            committed_on=committed_on or timezone.localdate(),
            override_reason=override_reason,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        commitment.full_clean()
        commitment.save()
        audit_record(
            actor=actor,
            verb="finance.committed" if not override_reason else "finance.over_committed",
            target=commitment,
            zone=zone,
            data={
                "line": locked.pk,
                "amount": str(amount),
                "remaining_before": str(remaining),
                **({"override_reason": override_reason} if override_reason else {}),
            },
        )
    return commitment


def release(*, commitment: Commitment, actor: Any, reason: str) -> Commitment:
    if commitment.released:
        return commitment
    commitment.released = True
    commitment.save(update_fields=["released", "modified"])
    audit_record(
        actor=actor,
        verb="finance.released",
        target=commitment,
        zone=commitment.zone,
        data={"reason": reason, "amount": str(commitment.amount)},
    )
    return commitment


def record_spend(
    *,
    commitment: Commitment,
    amount: Decimal,
    paid_on: datetime.date,
    reference: str = "",
    actor: Any = None,
) -> Spend:
    """Pay out against a commitment; never more in total than was committed."""
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if locked.released:
            raise ValidationError(
                _("This commitment was released, so nothing can be paid against it.")
            )
        paid = sum((s.amount for s in locked.spends.all()), Decimal("0.00"))
        if paid + amount > locked.amount:
            raise ValidationError(
                {
                    "amount": _("Only %(left)s of the %(committed)s committed is left to pay.")
                    % {
                        "left": format_gbp(locked.amount - paid),
                        "committed": format_gbp(locked.amount),
                    }
                }
            )
        spend = Spend(
            commitment=locked,
            amount=amount,
            paid_on=paid_on,
            reference=reference,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        spend.full_clean()
        spend.save()
        audit_record(
            actor=actor,
            verb="finance.spent",
            target=spend,
            zone=locked.zone,
            data={"amount": str(amount), "commitment": locked.pk},
        )
    return spend


def record_stated_figure(
    *, scope: str, key: str, amount: Decimal, source: str, actor: Any = None
) -> tuple[StatedFigure, bool]:
    """Record (or correct) a figure as published; returns (figure, changed).

    Refused (ValidationError on `key`) unless the key names something the platform records, so
    that every stated figure can be reconciled.
    """
    problem = check_key(scope, key)
    if problem:
        raise ValidationError({"key": problem})
    figure = StatedFigure.objects.filter(scope=scope, key=key, source=source).first()
    if figure is not None and figure.amount == amount:
        return figure, False
    created = figure is None
    if figure is None:
        figure = StatedFigure(scope=scope, key=key, source=source)
    figure.amount = amount
    figure.created_by = actor if getattr(actor, "is_authenticated", False) else None
    figure.full_clean()
    figure.save()
    audit_record(
        actor=actor,
        verb="finance.stated_figure_recorded" if created else "finance.stated_figure_changed",
        target=figure,
        data={"scope": scope, "key": key, "amount": str(amount)},
    )
    return figure, True
