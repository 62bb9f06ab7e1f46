"""After the award: payments, monitoring returns and closing the award."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peoplezones.core.money import GBP_ZERO, format_gbp
from peoplezones.core.services import audit_record
from peoplezones.finance import services as finance
from peoplezones.grants import permissions
from peoplezones.grants.models import (
    Award,
    MonitoringReturn,
    Payment,
)


def record_payment(
    *, award: Award, amount: Decimal, paid_on: datetime.date, reference: str = "", actor: Any
) -> Payment:
    if not permissions.can_manage_finance(actor):
        raise PermissionDenied(_("Only a finance officer records payments."))
    with transaction.atomic():
        spend = None
        if award.commitment is not None:
            spend = finance.record_spend(
                commitment=award.commitment,
                amount=amount,
                paid_on=paid_on,
                reference=reference,
                actor=actor,
            )
        else:
            paid = sum((p.amount for p in award.payments.all()), GBP_ZERO)
            if paid + amount > award.amount:
                raise ValidationError(
                    {
                        "amount": _("Only %(left)s of the award is left to pay.")
                        % {"left": format_gbp(award.amount - paid)}
                    }
                )
        payment = Payment(
            award=award, spend=spend, amount=amount, paid_on=paid_on, reference=reference
        )
        payment.full_clean()
        payment.save()
        audit_record(
            actor=actor,
            verb="grants.paid",
            target=award,
            zone=award.application.zone,
            data={"amount": str(amount)},
        )
    return payment


def schedule_return(
    *, award: Award, due_on: datetime.date, title: str, actor: Any
) -> MonitoringReturn:
    if not permissions.can_screen(actor):
        raise PermissionDenied(_("Only the programme team schedules monitoring returns."))
    item = MonitoringReturn(award=award, due_on=due_on, title=title)
    item.full_clean()
    item.save()
    audit_record(
        actor=actor, verb="grants.return_scheduled", target=award, data={"due_on": str(due_on)}
    )
    return item


def submit_return(*, item: MonitoringReturn, actor: Any, data: dict[str, Any]) -> MonitoringReturn:
    if not permissions.is_applicant_for(actor, item.award.application):
        raise PermissionDenied(_("Only the funded organisation submits its returns."))
    if item.status == MonitoringReturn.Status.ACCEPTED:
        raise ValidationError(_("This return has been accepted and can no longer be changed."))
    for field in ("outputs", "people_reached", "spend_to_date", "story", "photo"):
        if field in data:
            setattr(item, field, data[field])
    if not (item.outputs or "").strip():
        raise ValidationError({"outputs": _("Say what the project has delivered.")})
    item.status = MonitoringReturn.Status.SUBMITTED
    item.submitted_at = timezone.now()
    item.full_clean()
    item.save()
    audit_record(actor=actor, verb="grants.return_submitted", target=item.award)
    return item


def accept_return(*, item: MonitoringReturn, actor: Any) -> MonitoringReturn:
    if not permissions.can_screen(actor):
        raise PermissionDenied(_("Only the programme team accepts monitoring returns."))
    if item.status != MonitoringReturn.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted return can be accepted."))
    item.status = MonitoringReturn.Status.ACCEPTED
    item.save(update_fields=["status", "modified"])
    audit_record(actor=actor, verb="grants.return_accepted", target=item.award)
    return item


def close_award(*, award: Award, actor: Any, note: str = "") -> Award:
    if not permissions.can_screen(actor):
        raise PermissionDenied(_("Only the programme team closes awards."))
    outstanding = award.monitoring_returns.exclude(status=MonitoringReturn.Status.ACCEPTED).count()
    if outstanding:
        raise ValidationError(
            _("%(count)s monitoring return(s) are not yet accepted.") % {"count": outstanding}
        )
    award.closed_on = timezone.localdate()
    award.closure_note = note.strip()
    award.save(update_fields=["closed_on", "closure_note", "modified"])
    audit_record(actor=actor, verb="grants.award_closed", target=award)
    return award
