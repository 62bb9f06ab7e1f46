"""Budget totals, always computed from the rows: budget, committed, spent and remaining."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from peoplezones.core.money import GBP_ZERO
from peoplezones.finance.models import BudgetLine, BudgetYear, Commitment, Spend

_MONEY_ZERO = Coalesce(Sum("amount"), GBP_ZERO)


@dataclass(frozen=True)
class LineTotals:
    line: BudgetLine
    budget: Decimal
    committed: Decimal
    spent: Decimal

    @property
    def remaining(self) -> Decimal:
        """What is left to commit."""
        return self.budget - self.committed

    @property
    def over_committed(self) -> bool:
        return self.committed > self.budget

    @property
    def nearly_committed(self) -> bool:
        """More than 90% committed but not over: worth a warning."""
        return not self.over_committed and self.committed * 10 > self.budget * 9


def live_commitments():
    return Commitment.objects.filter(released=False)


def committed_on_line(line_id: int) -> Decimal:
    return live_commitments().filter(line_id=line_id).aggregate(total=_MONEY_ZERO)["total"]


def left_to_commit(line: BudgetLine) -> tuple[Decimal, Decimal]:
    """What is committed from a line now, and what it has left to commit (negative when
    over-committed); `LineTotals.remaining` says the same for a year's lines at once."""
    committed = committed_on_line(line.pk)
    return committed, line.amount - committed


def line_totals(*, year: BudgetYear) -> list[LineTotals]:
    """Every line of a year with its totals, in three queries whatever the number of lines."""
    lines = list(year.lines.all())
    committed = dict(
        live_commitments()
        .filter(line__year=year)
        .values_list("line_id")
        .annotate(total=Sum("amount"))
        .values_list("line_id", "total")
    )
    spent = dict(
        Spend.objects.filter(commitment__line__year=year)
        .values_list("commitment__line_id")
        .annotate(total=Sum("amount"))
        .values_list("commitment__line_id", "total")
    )
    return [
        LineTotals(
            line=line,
            budget=line.amount,
            committed=committed.get(line.pk, GBP_ZERO),
            spent=spent.get(line.pk, GBP_ZERO),
        )
        for line in lines
    ]


def year_total(*, year: BudgetYear) -> Decimal:
    return BudgetLine.objects.filter(year=year).aggregate(total=_MONEY_ZERO)["total"]


def year_summary(*, year: BudgetYear) -> dict[str, Decimal]:
    return totals_sum(line_totals(year=year))


def totals_sum(totals: list[LineTotals]) -> dict[str, Decimal]:
    """Budget, committed, spent and remaining over several lines (a year's total row)."""
    return {
        "budget": sum((t.budget for t in totals), GBP_ZERO),
        "committed": sum((t.committed for t in totals), GBP_ZERO),
        "spent": sum((t.spent for t in totals), GBP_ZERO),
        "remaining": sum((t.remaining for t in totals), GBP_ZERO),
    }


def year_by_label(label: str) -> BudgetYear | None:
    """ "2023/24" (or "2023-24") -> the budget year starting in April 2023, if recorded."""
    start = parse_year_label(label)
    if start is None:
        return None
    return BudgetYear.objects.filter(start_year=start).first()


def parse_year_label(label: str) -> int | None:
    """The starting year of a label like "2023/24", "2023-24" or "2023/2024"; None if malformed."""
    text = label.strip().replace("-", "/")
    first, slash, second = text.partition("/")
    if not slash or not first.isdigit() or not second.isdigit() or len(first) != 4:
        return None
    start = int(first)
    if len(second) == 2 and int(second) == (start + 1) % 100:
        return start
    if len(second) == 4 and int(second) == start + 1:
        return start
    return None


def commitments_for(*, line: BudgetLine):
    return line.commitments.select_related("zone").annotate(
        spent=Coalesce(Sum("spends__amount"), GBP_ZERO)
    )


__all__ = [
    "LineTotals",
    "Q",
    "commitments_for",
    "committed_on_line",
    "line_totals",
    "live_commitments",
    "parse_year_label",
    "year_by_label",
    "year_summary",
    "year_total",
]
