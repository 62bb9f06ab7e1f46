"""Writes of payback projects: starting one, the hours worked and the materials bought (as
commitments and spend on the budget)."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peoplezones.core.services import audit_record
from peoplezones.finance import services as finance
from peoplezones.finance.models import BudgetLine, BudgetYear, Commitment
from peoplezones.payback.models import (
    HoursEntry,
    MaterialsPurchase,
    PaybackProject,
    PaybackSite,
)
from peoplezones.payback.permissions import require_planner
from peoplezones.zones.models import Zone

PAYBACK_LINE_TITLE = "Community Payback"


def default_budget_line(*, today: datetime.date | None = None) -> BudgetLine | None:
    """The "Community Payback" line of the budget year `today` falls in, if there is one."""
    start_year = BudgetYear.start_year_for(today or timezone.localdate())
    return (
        BudgetLine.objects.select_related("year")
        .filter(year__start_year=start_year, title__iexact=PAYBACK_LINE_TITLE)
        .first()
    )


@transaction.atomic
def project_create(
    *,
    actor: Any,
    site: PaybackSite,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    description: str = "",
    zone: Zone | None = None,
    budget_line: BudgetLine | None = None,
) -> PaybackProject:
    """Start a project at a site; its zone defaults to the site's, its budget line to the
    year's "Community Payback" line."""
    require_planner(actor)
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("A project must end on or after the day it starts.")})
    project = PaybackProject(
        site=site,
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        description=description.strip(),
        zone=zone or site.zone,
        budget_line=budget_line or default_budget_line(today=starts_on),
    )
    project.full_clean()
    project.save()
    audit_record(
        actor=actor,
        verb="payback.project_created",
        target=project,
        zone=project.zone,
        data={"site": site.pk, "budget_line": project.budget_line_id},
    )
    return project


@transaction.atomic
def hours_record(
    *,
    project: PaybackProject,
    actor: Any,
    worked_on: datetime.date,
    hours: Decimal,
    people: int | None = None,
    note: str = "",
) -> HoursEntry:
    """Record hours of payback work done on a project on one day."""
    require_planner(actor)
    if hours <= 0:
        raise ValidationError({"hours": _("Enter more than 0 hours.")})
    if worked_on > timezone.localdate():
        raise ValidationError({"worked_on": _("Hours can only be recorded once worked.")})
    entry = HoursEntry(
        project=project,
        worked_on=worked_on,
        hours=hours,
        people=people,
        note=note.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    entry.full_clean()
    entry.save()
    audit_record(
        actor=actor,
        verb="payback.hours_recorded",
        target=project,
        zone=project.zone,
        data={"hours": str(hours), "worked_on": worked_on.isoformat(), "people": people},
    )
    return entry


@transaction.atomic
def materials_record(
    *,
    project: PaybackProject,
    actor: Any,
    description: str,
    amount: Decimal,
    bought_on: datetime.date,
    paid: bool = False,
    reference: str = "",
) -> MaterialsPurchase:
    """Record materials for a project as a commitment on its budget line (and their spend
    when already paid). `finance.services.commit` refuses to over-commit the line; then
    nothing at all is recorded."""
    require_planner(actor)
    line = project.budget_line or default_budget_line(today=bought_on)
    if line is None:
        raise ValidationError(
            {
                "amount": _(
                    "There is no budget line to record this against: choose one for the "
                    "project (the budget has no “%(title)s” line for this year)."
                )
                % {"title": PAYBACK_LINE_TITLE}
            }
        )
    description = description.strip()
    if not description:
        raise ValidationError({"description": _("Say what the materials were.")})
    commitment = finance.commit(
        line=line,
        amount=amount,
        description=f"{project.title}: {description}",
        kind=Commitment.Kind.PAYBACK,
        actor=actor,
        zone=project.zone,
        committed_on=bought_on,
    )
    if paid:
        finance.record_spend(
            commitment=commitment,
            amount=amount,
            paid_on=bought_on,
            reference=reference.strip(),
            actor=actor,
        )
    purchase = MaterialsPurchase.objects.create(project=project, commitment=commitment)
    audit_record(
        actor=actor,
        verb="payback.materials_recorded",
        target=project,
        zone=project.zone,
        data={"amount": str(amount), "line": line.pk, "paid": paid},
    )
    return purchase
