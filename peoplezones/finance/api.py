"""The budget in the API, for staff: years with their lines and computed totals, and the
reconciliation of published figures with the records.

Every total is computed from the records (`finance.selectors`); money is a string of pounds
and pence ("180000.00"). The programme team, the commissioner and finance may read it.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from peoplezones.core.money import plain_pounds
from peoplezones.finance.importers import check_as_dict
from peoplezones.finance.models import BudgetYear
from peoplezones.finance.reconciliation import reconcile
from peoplezones.finance.selectors import line_totals, totals_sum, year_by_label
from peoplezones.grants.api import signed_in
from peoplezones.grants.permissions import can_view_finance

router = Router(tags=["finance"], auth=signed_in)

Money = str
MONEY_HELP = 'Pounds and pence as a string, e.g. "180000.00".'


class LineOut(Schema):
    title: str
    description: str
    budget: Money = Field(description=MONEY_HELP)
    committed: Money = Field(description="Live commitments (not released). " + MONEY_HELP)
    spent: Money = Field(description=MONEY_HELP)
    remaining: Money = Field(description="Budget minus committed; negative when over.")
    over_committed: bool
    nearly_committed: bool = Field(description="More than 90% committed, not over.")


class YearOut(Schema):
    label: str = Field(description='e.g. "2023/24".')
    start_year: int
    starts: datetime.date
    ends: datetime.date
    budget: Money = Field(description="The sum of its lines. " + MONEY_HELP)
    committed: Money = Field(description=MONEY_HELP)
    spent: Money = Field(description=MONEY_HELP)
    remaining: Money = Field(description=MONEY_HELP)
    lines: list[LineOut]


class CheckOut(Schema):
    scope: str = Field(description="round, zone_year, budget_year or budget_line.")
    key: str
    source: str = Field(description="Where the figure was published.")
    stated: Money = Field(description="As published. " + MONEY_HELP)
    computed: Money | None = Field(description="From the records; null if the key matches nothing.")
    difference: Money | None = Field(
        description='Stated minus computed, e.g. "16.00" or "-16.00"; null if no match.'
    )
    agrees: bool
    problem: str | None = Field(description="Why the key matches nothing, if it does not.")


class ReconciliationOut(Schema):
    all_agree: bool = Field(description="True when every stated figure matches the records.")
    checks: list[CheckOut]


def _staff_only(request: HttpRequest) -> None:
    if not can_view_finance(request.auth):
        raise PermissionDenied(
            _("Only the programme team, the commissioner and finance see the budget.")
        )


def _year_out(year: BudgetYear) -> dict[str, Any]:
    totals = line_totals(year=year)
    summed = totals_sum(totals)
    return {
        "label": year.label,
        "start_year": year.start_year,
        "starts": year.starts,
        "ends": year.ends,
        "budget": plain_pounds(summed["budget"]),
        "committed": plain_pounds(summed["committed"]),
        "spent": plain_pounds(summed["spent"]),
        "remaining": plain_pounds(summed["remaining"]),
        "lines": [
            {
                "title": t.line.title,
                "description": t.line.description,
                "budget": plain_pounds(t.budget),
                "committed": plain_pounds(t.committed),
                "spent": plain_pounds(t.spent),
                "remaining": plain_pounds(t.remaining),
                "over_committed": t.over_committed,
                "nearly_committed": t.nearly_committed,
            }
            for t in totals
        ],
    }


@router.get("/years", response=list[YearOut], summary="Budget years with lines and totals (staff)")
def year_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Newest first; each line's budget, committed, spent and remaining, computed from the
    commitments and spend recorded against it."""
    _staff_only(request)
    return [_year_out(year) for year in BudgetYear.objects.all()]


@router.get("/years/{label}", response=YearOut, summary="One budget year (staff)")
def year_detail(request: HttpRequest, label: str) -> dict[str, Any]:
    """`label` is written with a hyphen in the path: /finance/years/2023-24."""
    _staff_only(request)
    year = year_by_label(label)
    if year is None:
        raise HttpError(404, _("There is no budget year “%(label)s”.") % {"label": label[:20]})
    return _year_out(year)


@router.get(
    "/reconciliation",
    response=ReconciliationOut,
    summary="Published figures beside the computed ones (staff)",
)
def reconciliation(request: HttpRequest) -> dict[str, Any]:
    """Like `manage.py reconcile --json`: each stated figure, the total computed from the
    records and the difference (stated minus computed)."""
    _staff_only(request)
    checks = [check_as_dict(check) for check in reconcile()]
    return {"all_agree": all(c["agrees"] for c in checks), "checks": checks}
