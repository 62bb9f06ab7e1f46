"""Stated figures beside computed ones.

Each scope of `StatedFigure` has a function that computes the same total from the records; the
grants app registers the grant scopes when it starts (finance does not import grants).
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from peoplezones.finance.models import BudgetLine, StatedFigure
from peoplezones.finance.selectors import parse_year_label, year_by_label, year_total

# A computer takes the stated figure's key and returns the computed total, or raises KeyError
# with a message saying why the key matches nothing.
Computer = Callable[[str], Decimal]
_COMPUTERS: dict[str, Computer] = {}


def register(scope: str, computer: Computer) -> None:
    _COMPUTERS[scope] = computer


class UnknownKey(KeyError):
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _budget_year(key: str) -> Decimal:
    year = year_by_label(key)
    if year is None:
        raise UnknownKey(_("No budget year “%(key)s” is recorded.") % {"key": key})
    return year_total(year=year)


def _budget_line(key: str) -> Decimal:
    label, _space, title = key.strip().partition(" ")
    start = parse_year_label(label)
    line = (
        BudgetLine.objects.filter(year__start_year=start, title__iexact=title.strip()).first()
        if start
        else None
    )
    if line is None:
        raise UnknownKey(_("No budget line “%(key)s” is recorded.") % {"key": key})
    return line.amount


register(StatedFigure.Scope.BUDGET_YEAR, _budget_year)
register(StatedFigure.Scope.BUDGET_LINE, _budget_line)


@dataclass(frozen=True)
class Check:
    figure: StatedFigure
    computed: Decimal | None
    problem: str = ""

    @property
    def difference(self) -> Decimal | None:
        """Stated minus computed: positive when the published figure is higher."""
        if self.computed is None:
            return None
        return self.figure.amount - self.computed

    @property
    def agrees(self) -> bool:
        return self.difference == Decimal("0.00")


def check_key(scope: str, key: str) -> str:
    """'' if the key names something recorded, else why not (used when importing figures)."""
    try:
        _COMPUTERS[scope](key)
    except KeyError as error:
        return str(error) if isinstance(error, UnknownKey) else _("Unknown scope.")
    return ""


def reconcile() -> list[Check]:
    checks = []
    for figure in StatedFigure.objects.all():
        computer = _COMPUTERS.get(figure.scope)
        if computer is None:
            checks.append(Check(figure, None, _("Unknown scope.")))
            continue
        try:
            checks.append(Check(figure, computer(figure.key)))
        except UnknownKey as error:
            checks.append(Check(figure, None, str(error)))
    return checks
