"""Reading CSV files into the budget (`budget_import`) and stated figures
(`stated_figures_import`), and the plain money text used in files and JSON.

Every import here, and the grant imports built on `read_csv` and `run_import`, works the same
way. The whole file is read and every row checked first; each bad row is reported with its line
number and why. If any row is bad, nothing is written. Otherwise the rows are written through
the services in one transaction; a row the service still refuses is reported the same way and
the whole import is rolled back. A dry run writes in a transaction that is then rolled back, so
it reports exactly what a real run would do. Importing the same file twice changes nothing.
"""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peoplezones.core.csvread import csv_rows
from peoplezones.core.money import MoneyError, format_gbp, parse_gbp, plain_pounds
from peoplezones.finance.models import BudgetLine, BudgetYear, StatedFigure
from peoplezones.finance.reconciliation import Check, check_key
from peoplezones.finance.selectors import committed_on_line, parse_year_label
from peoplezones.finance.services import get_or_create_year, record_stated_figure, set_budget_line

T = TypeVar("T")
# A progress wrapper: takes the items and a label, yields the items (e.g. a tqdm bar).
Progress = Callable[[Sequence[Any], str], Iterable[Any]]


def no_progress(items: Sequence[T], label: str) -> Iterable[T]:
    return items


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says what to fix."""


@dataclass
class CsvRow:
    """One record of a CSV file: the line it starts on and its values by column name."""

    line: int
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a file with errors, would have done)."""

    rows: int
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    committed: bool = False

    def error(self, line: int, message: str) -> None:
        self.errors.append(RowError(line, message))

    @property
    def bad_lines(self) -> int:
        return len({error.line for error in self.errors})


def read_csv(*, content: bytes, columns: Sequence[str], required: Sequence[str]) -> list[CsvRow]:
    """Read a UTF-8 CSV file (with or without a byte order mark) whose first line names columns.

    Column names are matched without regard to case, spaces or underscores ("Award date" is
    `award_date`). Unknown and missing required columns make the whole file unusable
    (ImportFileError); a row with more values than columns gets a problem. Blank lines are
    skipped. Values are stripped of surrounding spaces.
    """
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "The file is not UTF-8 text (line %(line)s, byte %(position)s cannot be read). "
                "Save it again as “CSV UTF-8”."
            )
            % {"line": content[: error.start].count(b"\n") + 1, "position": error.start + 1}
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as error:
        raise ImportFileError(
            _("The file is not a readable CSV file: %(error)s") % {"error": error}
        ) from None
    header = ["_".join(name.strip().lower().replace("_", " ").split()) for name in header]
    unknown = [name for name in header if name not in columns]
    if unknown:
        raise ImportFileError(
            _("Unknown column(s) on line 1: %(unknown)s. The columns may be: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(columns)}
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ImportFileError(
            _("Column(s) named twice on line 1: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportFileError(
            _("The file has no %(columns)s column. The first line must name the columns: %(all)s.")
            % {"columns": ", ".join(missing), "all": ", ".join(columns)}
        )
    rows = []
    for start, values in csv_rows(reader, error=ImportFileError):
        row = CsvRow(
            line=start,
            values={name: value.strip() for name, value in zip(header, values, strict=False)},
        )
        if len(values) > len(header):
            row.problems.append(
                _("This line has %(values)s values but the first line names %(columns)s columns.")
                % {"values": len(values), "columns": len(header)}
            )
        rows.append(row)
    if not rows:
        raise ImportFileError(_("The file has a header line but no rows."))
    return rows


def money(row: CsvRow, column: str, problems: list[str]) -> Decimal | None:
    """The column's amount through the one money parser, or None with the problem noted."""
    try:
        return parse_gbp(row.get(column))
    except MoneyError as error:
        problems.extend(f"{column}: {message}" for message in error.messages)
        return None


def text(
    row: CsvRow,
    column: str,
    problems: list[str],
    *,
    max_length: int,
    required: bool = True,
    one_line: bool = True,
) -> str:
    """The column's text (runs of spaces made one when `one_line`), checked for length."""
    value = " ".join(row.get(column).split()) if one_line else row.get(column)
    if required and not value:
        problems.append(_("%(column)s: this must not be empty.") % {"column": column})
    elif len(value) > max_length:
        problems.append(
            _("%(column)s: at most %(max)s characters, this has %(length)s.")
            % {"column": column, "max": max_length, "length": len(value)}
        )
    return value


def describe(error: ValidationError | PermissionDenied) -> list[str]:
    """A service's refusal as lines of text: "field: message", or the message alone."""
    if isinstance(error, PermissionDenied):
        return [str(error) or _("Not allowed.")]
    if hasattr(error, "error_dict"):
        return [
            message if name == "__all__" else f"{name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


class _RollBack(Exception):
    pass


def run_import(
    *,
    report: ImportReport,
    plans: Sequence[tuple[int, T]],
    write: Callable[[T], str],
    dry_run: bool,
    progress: Progress = no_progress,
    before: Callable[[], None] | None = None,
    after: Callable[[], None] | None = None,
) -> ImportReport:
    """Write checked rows in one transaction, kept only if every row went in and not a dry run.

    `write` returns "created", "changed" or "unchanged". Each row runs in a savepoint, so a
    row the services refuse is reported and the following rows are still tried (and reported).
    `before` and `after` run inside the same transaction (e.g. to set up rounds first).
    """
    report.dry_run = dry_run
    if report.errors:
        return report
    try:
        with transaction.atomic():
            if before is not None:
                before()
            for line, plan in progress(plans, _("Writing")):
                try:
                    with transaction.atomic():
                        outcome = write(plan)
                except (ValidationError, PermissionDenied) as error:
                    for message in describe(error):
                        report.error(line, message)
                    continue
                setattr(report, outcome, getattr(report, outcome) + 1)
            if after is not None and not report.errors:
                after()
            if dry_run or report.errors:
                raise _RollBack
            report.committed = True
    except _RollBack:
        pass
    return report


# Budget ---------------------------------------------------------------------------------------

BUDGET_COLUMNS = ("year", "line", "description", "amount")
BUDGET_REQUIRED = ("year", "line", "amount")


@dataclass(frozen=True)
class BudgetRow:
    start_year: int
    title: str
    description: str
    amount: Decimal


def budget_import(
    *,
    content: bytes,
    actor: Any = None,
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    """Set budget lines from rows of `year, line, description, amount` (e.g. "2023/24").

    A year that is not recorded yet is created; a line is created, or its amount and
    description changed, with `set_budget_line`. A line cannot be set below what is already
    committed against it.
    """
    rows = read_csv(content=content, columns=BUDGET_COLUMNS, required=BUDGET_REQUIRED)
    report = ImportReport(rows=len(rows))
    seen: dict[tuple[int, str], int] = {}
    plans: list[tuple[int, BudgetRow]] = []
    for row in progress(rows, _("Checking")):
        problems = list(row.problems)
        label = row.get("year")
        start_year = parse_year_label(label)
        if not label:
            problems.append(_("year: give the budget year, e.g. 2023/24."))
        elif start_year is None:
            problems.append(
                _("year: “%(value)s” is not a budget year; write it like 2023/24.")
                % {"value": label[:40]}
            )
        title = text(row, "line", problems, max_length=120)
        description = text(
            row, "description", problems, max_length=5000, required=False, one_line=False
        )
        amount = money(row, "amount", problems)
        if start_year is not None and title:
            key = (start_year, title.casefold())
            if key in seen:
                problems.append(
                    _("The %(year)s line “%(line)s” is already on line %(first)s.")
                    % {"year": label, "line": title, "first": seen[key]}
                )
            else:
                seen[key] = row.line
        if start_year is not None and title and amount is not None:
            existing = BudgetLine.objects.filter(
                year__start_year=start_year, title__iexact=title
            ).first()
            if existing is not None:
                committed = committed_on_line(existing.pk)
                if amount < committed:
                    problems.append(
                        _(
                            "amount: %(committed)s is already committed against %(line)s, so "
                            "it cannot be set to %(amount)s."
                        )
                        % {
                            "committed": format_gbp(committed),
                            "line": str(existing),
                            "amount": format_gbp(amount),
                        }
                    )
                title = existing.title
        for problem in problems:
            report.error(row.line, problem)
        if not problems:
            plans.append((row.line, BudgetRow(start_year, title, description, amount)))

    def write(plan: BudgetRow) -> str:
        if not BudgetYear.objects.filter(start_year=plan.start_year).exists():
            year = get_or_create_year(start_year=plan.start_year, actor=actor)
            report.notes.append(_("Budget year %(year)s created.") % {"year": year.label})
        year = BudgetYear.objects.get(start_year=plan.start_year)
        existed = BudgetLine.objects.filter(year=year, title=plan.title).exists()
        _line, changed = set_budget_line(
            year=year,
            title=plan.title,
            amount=plan.amount,
            description=plan.description,
            actor=actor,
        )
        if not existed:
            return "created"
        return "changed" if changed else "unchanged"

    return run_import(report=report, plans=plans, write=write, dry_run=dry_run, progress=progress)


# Stated figures -------------------------------------------------------------------------------

STATED_COLUMNS = ("scope", "key", "amount", "source")


@dataclass(frozen=True)
class StatedRow:
    scope: str
    key: str
    amount: Decimal
    source: str


def stated_figures_import(
    *,
    content: bytes,
    actor: Any = None,
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    """Record figures as published, from rows of `scope, key, amount, source`.

    The key must name something recorded (a round, a zone's year, a budget year or line), or
    the row is refused: a figure that can never be checked is a mistake in the file.
    """
    rows = read_csv(content=content, columns=STATED_COLUMNS, required=STATED_COLUMNS)
    report = ImportReport(rows=len(rows))
    seen: dict[tuple[str, str, str], int] = {}
    plans: list[tuple[int, StatedRow]] = []
    scopes = StatedFigure.Scope.values
    for row in progress(rows, _("Checking")):
        problems = list(row.problems)
        scope = row.get("scope").lower()
        if scope not in scopes:
            problems.append(
                _("scope: “%(value)s” is not one of %(scopes)s.")
                % {"value": scope[:40], "scopes": ", ".join(scopes)}
            )
        key = text(row, "key", problems, max_length=250)
        amount = money(row, "amount", problems)
        source = text(row, "source", problems, max_length=500)
        if scope in scopes and key:
            why = check_key(scope, key)
            if why:
                problems.append(f"key: {why}")
            identity = (scope, key.casefold(), source.casefold())
            if identity in seen:
                problems.append(
                    _("The same scope, key and source are already on line %(first)s.")
                    % {"first": seen[identity]}
                )
            else:
                seen[identity] = row.line
        for problem in problems:
            report.error(row.line, problem)
        if not problems:
            plans.append((row.line, StatedRow(scope, key, amount, source)))

    def write(plan: StatedRow) -> str:
        existed = StatedFigure.objects.filter(
            scope=plan.scope, key=plan.key, source=plan.source
        ).exists()
        _figure, changed = record_stated_figure(
            scope=plan.scope, key=plan.key, amount=plan.amount, source=plan.source, actor=actor
        )
        if not existed:
            return "created"
        return "changed" if changed else "unchanged"

    return run_import(report=report, plans=plans, write=write, dry_run=dry_run, progress=progress)


# Plain money text -----------------------------------------------------------------------------


def check_as_dict(check: Check) -> dict[str, Any]:
    """One reconciliation check as the `reconcile --json` command and the API give it."""
    figure = check.figure
    return {
        "scope": figure.scope,
        "key": figure.key,
        "source": figure.source,
        "stated": plain_pounds(figure.amount),
        "computed": plain_pounds(check.computed),
        "difference": plain_pounds(check.difference),
        "agrees": check.agrees,
        "problem": check.problem or None,
    }
