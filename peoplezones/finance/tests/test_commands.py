import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from peoplezones.core.models import AuditEvent
from peoplezones.finance.models import BudgetLine, BudgetYear, StatedFigure
from peoplezones.finance.services import commit
from peoplezones.finance.tests.factories import (
    BudgetLineFactory,
    BudgetYearFactory,
    StatedFigureFactory,
)
from peoplezones.grants.models import Award
from peoplezones.grants.tests.factories import ApplicationFactory, GrantRoundFactory

pytestmark = pytest.mark.django_db

BUDGET = (
    "year,line,description,amount\r\n"
    '2023/24,Grant funding,"Three rounds, all zones.","£180,000.00"\r\n'
    '2023/24,Events,To consider events.,"£6,000.00"\r\n'
    "\r\n"
    "2024-25,Evaluation,Same surveys as the research.,25000\r\n"
)


def _file(tmp_path: Path, text: str, *, name: str = "data.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _fails(*args) -> str:
    """Run a command that must fail; returns what it printed and the error, together."""
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue() + "\n" + str(raised.value)


def _snapshot() -> tuple:
    return (
        list(BudgetYear.objects.order_by("start_year").values_list("start_year", flat=True)),
        list(BudgetLine.objects.order_by("pk").values_list("year__start_year", "title", "amount")),
        list(StatedFigure.objects.order_by("pk").values_list("scope", "key", "amount", "source")),
        AuditEvent.objects.count(),
    )


# import_budget --------------------------------------------------------------------------------


def test_import_budget_creates_years_and_lines_from_a_file_with_bom_and_crlf(tmp_path):
    out, _err = _run("import_budget", _file(tmp_path, BUDGET, bom=True))

    lines = {
        (line.year.label, line.title): line for line in BudgetLine.objects.select_related("year")
    }
    assert set(lines) == {
        ("2023/24", "Grant funding"),
        ("2023/24", "Events"),
        ("2024/25", "Evaluation"),
    }
    assert lines["2023/24", "Grant funding"].amount == Decimal("180000.00")
    assert lines["2023/24", "Grant funding"].description == "Three rounds, all zones."
    assert lines["2024/25", "Evaluation"].amount == Decimal("25000.00")
    assert "Read 3 budget lines" in out
    assert "Budget year 2023/24 created." in out
    assert "Budget lines: 3 created, 0 changed, 0 already as in the file." in out


def test_import_budget_twice_changes_nothing(tmp_path):
    path = _file(tmp_path, BUDGET)
    _run("import_budget", path)
    before = _snapshot()

    out, _err = _run("import_budget", path)

    assert _snapshot() == before
    assert "0 created, 0 changed, 3 already as in the file." in out


def test_import_budget_changes_an_amount_and_audits_it(tmp_path):
    _run("import_budget", _file(tmp_path, BUDGET))

    out, _err = _run(
        "import_budget",
        _file(tmp_path, 'year,line,amount\n2023/24,events,"£7,500"\n', name="change.csv"),
    )

    line = BudgetLine.objects.get(title="Events")
    assert line.amount == Decimal("7500.00")
    assert BudgetLine.objects.count() == 3
    assert "0 created, 1 changed" in out
    event = AuditEvent.objects.filter(verb="finance.line_changed").get()
    assert event.data == {"amount": {"from": "6000.00", "to": "7500.00"}}


def test_import_budget_reports_every_bad_row_by_line_and_writes_nothing(tmp_path):
    text = (
        "year,line,description,amount\n"
        "2023/24,Grant funding,,£180000\n"
        "2023/25,Events,,£6000\n"
        "2023/24,,,£1\n"
        "2023/24,Evaluation,,ten thousand\n"
        "2023/24,Payback,,-5\n"
        '2023/24,"Two\nline description",,£10.001\n'
        "2023/24,Grant Funding,,£1\n"
        "2023/24,Comms,,£1,extra\n"
    )

    output = _fails("import_budget", _file(tmp_path, text))

    assert "line 3: year: “2023/25” is not a budget year; write it like 2023/24." in output
    assert "line 4: line: this must not be empty." in output
    assert "line 5: amount: “ten thousand” is not an amount of money" in output
    assert "line 6: amount: “-5” is a negative amount" in output
    # A quoted value over two lines: the next record starts on line 9, and is reported there.
    assert "line 7: amount: “£10.001” has more than two decimal places" in output
    assert "line 9: The 2023/24 line “Grant Funding” is already on line 2." in output
    assert "line 10: This line has 5 values but the first line names 4 columns." in output
    assert "7 of 8 rows have errors (listed above), so nothing was imported." in output
    assert not BudgetYear.objects.exists()
    assert not BudgetLine.objects.exists()
    assert not AuditEvent.objects.exists()


def test_import_budget_refuses_to_set_a_line_below_what_is_committed(tmp_path):
    line = BudgetLineFactory(year=BudgetYearFactory(start_year=2023), title="Events")
    commit(line=line, amount=Decimal("5000.00"), description="Fun day", kind="event")
    before = _snapshot()

    output = _fails(
        "import_budget", _file(tmp_path, 'year,line,amount\n2023/24,Events,"£4,000.00"\n')
    )

    assert "line 2: amount: £5,000.00 is already committed against 2023/24 Events" in output
    assert _snapshot() == before


def test_import_budget_dry_run_reports_but_writes_nothing(tmp_path):
    out, _err = _run("import_budget", _file(tmp_path, BUDGET), "--dry-run")

    assert "Budget lines: 3 would be created" in out
    assert "Dry run: nothing was written." in out
    assert not BudgetYear.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"year,line,amount\n", "The file has a header line but no rows."),
        (b"year,line,amount,colour\n2023/24,A,1,red\n", "Unknown column(s) on line 1: colour."),
        (b"year,amount\n2023/24,1\n", "The file has no line column."),
        (b"year,line,amount\n2023/24,Caf\xe9,1\n", "not UTF-8 text (line 2, byte 29 cannot"),
    ],
)
def test_import_budget_explains_files_it_cannot_read(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)

    output = _fails("import_budget", path)

    assert message in output
    assert "Nothing was imported." in output
    assert not BudgetYear.objects.exists()


def test_import_budget_explains_a_missing_file(tmp_path):
    output = _fails("import_budget", tmp_path / "nowhere.csv")

    assert "cannot read the file" in output


def test_import_budget_shows_a_progress_bar_for_long_files(tmp_path):
    rows = "".join(f"2023/24,Line {n},,£{n}.00\n" for n in range(1, 251))

    out, err = _run("import_budget", _file(tmp_path, "year,line,description,amount\n" + rows))

    assert BudgetLine.objects.count() == 250
    assert "Checking" in err
    assert "Writing" in err
    assert "250/250" in err
    assert "250 created" in out


# import_stated_figures ------------------------------------------------------------------------

SOURCE = "Panel report, 26 July 2023"
QUOTED = f'"{SOURCE}"'


@pytest.fixture
def recorded(db):
    """A budget year with two lines and a round with one award in New Parks."""
    year = BudgetYearFactory(start_year=2023)
    BudgetLineFactory(year=year, title="Grant funding", amount=Decimal("180000.00"))
    BudgetLineFactory(year=year, title="Evaluation", amount=Decimal("25000.00"))
    grant_round = GrantRoundFactory(name="Round one", budget_year=year, budget_line=None)
    application = ApplicationFactory(round=grant_round, status="approved")
    Award.objects.create(application=application, amount=Decimal("4800.00"), identifier="360G-t-1")
    return application


def test_import_stated_figures_records_each_scope(tmp_path, recorded):
    zone = recorded.zone.slug
    text = (
        "scope,key,amount,source\n"
        f'round,Round one,"£4,800.00",{QUOTED}\n'
        f'zone_year,{zone} 2023/24,"£4,816",{QUOTED}\n'
        f'budget_year,2023/24,"£205,000.00",{QUOTED}\n'
        f'budget_line,2023/24 evaluation,"£25,000.00.",{QUOTED}\n'
    )

    out, _err = _run("import_stated_figures", _file(tmp_path, text, bom=True))

    figures = {f.scope: f for f in StatedFigure.objects.all()}
    assert figures["round"].amount == Decimal("4800.00")
    assert figures["zone_year"].amount == Decimal("4816.00")
    assert figures["budget_line"].amount == Decimal("25000.00")
    assert figures["budget_line"].key == "2023/24 evaluation"
    assert figures["budget_year"].source == SOURCE
    assert "Stated figures: 4 created, 0 changed, 0 already as in the file." in out

    before = _snapshot()
    out, _err = _run("import_stated_figures", _file(tmp_path, text))
    assert _snapshot() == before
    assert "0 created, 0 changed, 4 already as in the file." in out


def test_import_stated_figures_refuses_keys_that_match_nothing(tmp_path, recorded):
    text = (
        "scope,key,amount,source\n"
        f"round,Round one,£1,{QUOTED}\n"
        f"round,Round nine,£1,{QUOTED}\n"
        f"zone_year,nowhere 2023/24,£1,{QUOTED}\n"
        f"budget_year,2031/32,£1,{QUOTED}\n"
        f"budget_line,2023/24 Fireworks,£1,{QUOTED}\n"
        f"total,2023/24,£1,{QUOTED}\n"
        f"round,Round one,£2,{QUOTED}\n"
        "round,Round one,ten thousand,\n"
    )

    output = _fails("import_stated_figures", _file(tmp_path, text))

    assert "line 3: key: No grant round is called “Round nine”." in output
    assert "line 4: key: “nowhere 2023/24” should be a zone's slug and a budget year" in output
    assert "line 5: key: No budget year “2031/32” is recorded." in output
    assert "line 6: key: No budget line “2023/24 Fireworks” is recorded." in output
    assert "line 7: scope: “total” is not one of round, zone_year, budget_year, budget_line." in (
        output
    )
    assert "line 8: The same scope, key and source are already on line 2." in output
    assert "line 9: amount: “ten thousand” is not an amount of money" in output
    assert "line 9: source: this must not be empty." in output
    assert "line 2:" not in output
    assert "7 of 8 rows have errors" in output
    assert not StatedFigure.objects.exists()


def test_import_stated_figures_dry_run_writes_nothing(tmp_path, recorded):
    text = f"scope,key,amount,source\nround,Round one,£4800,{QUOTED}\n"

    out, _err = _run("import_stated_figures", _file(tmp_path, text), "--dry-run")

    assert "1 would be created" in out
    assert not StatedFigure.objects.exists()


# reconcile ------------------------------------------------------------------------------------


def _reconcile_json() -> tuple[list[dict], int]:
    out = io.StringIO()
    try:
        call_command("reconcile", "--json", stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return json.loads(out.getvalue()), error.returncode
    return json.loads(out.getvalue()), 0


def test_reconcile_with_nothing_stated_exits_zero(db):
    out, _err = _run("reconcile")

    assert "No stated figures are recorded" in out
    assert _reconcile_json() == ([], 0)


def test_reconcile_exits_zero_when_every_figure_agrees(recorded):
    StatedFigureFactory(scope="round", key="Round one", amount=Decimal("4800.00"))
    StatedFigureFactory(scope="budget_line", key="2023/24 Evaluation", amount=Decimal("25000"))

    out, _err = _run("reconcile")
    checks, code = _reconcile_json()

    assert code == 0
    assert "All 2 stated figures agree with the records." in out
    assert [(c["stated"], c["computed"], c["difference"], c["agrees"]) for c in checks] == [
        ("25000.00", "25000.00", "0.00", True),
        ("4800.00", "4800.00", "0.00", True),
    ]


def test_reconcile_reports_exact_differences_and_exits_one(recorded):
    StatedFigureFactory(scope="round", key="Round one", amount=Decimal("4816.00"))
    StatedFigureFactory(scope="budget_year", key="2023/24", amount=Decimal("204999.99"))

    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("reconcile", stdout=out, stderr=io.StringIO())
    checks, code = _reconcile_json()

    assert raised.value.returncode == 1
    assert "2 of 2 stated figures differ from the records" in str(raised.value)
    table = out.getvalue().splitlines()
    assert table[0].split() == ["scope", "key", "source", "stated", "computed", "difference"]
    assert any("Round one" in row and row.endswith("+£16.00") for row in table)
    assert any("2023/24" in row and row.endswith("-£0.01") for row in table)
    assert code == 1
    assert checks == [
        {
            "scope": "budget_year",
            "key": "2023/24",
            "source": "Police and Crime Panel report, 26 July 2023",
            "stated": "204999.99",
            "computed": "205000.00",
            "difference": "-0.01",
            "agrees": False,
            "problem": None,
        },
        {
            "scope": "round",
            "key": "Round one",
            "source": "Police and Crime Panel report, 26 July 2023",
            "stated": "4816.00",
            "computed": "4800.00",
            "difference": "16.00",
            "agrees": False,
            "problem": None,
        },
    ]


def test_reconcile_reports_a_key_that_matches_nothing(recorded):
    StatedFigureFactory(scope="round", key="Round one", amount=Decimal("4800.00"))
    StatedFigureFactory(scope="round", key="Renamed round", amount=Decimal("100.00"))

    checks, code = _reconcile_json()

    assert code == 1
    unmatched = next(c for c in checks if c["key"] == "Renamed round")
    assert unmatched["computed"] is None
    assert unmatched["difference"] is None
    assert unmatched["agrees"] is False
    assert unmatched["problem"] == "No grant round is called “Renamed round”."


def test_reconcile_exit_status_from_the_command_line(recorded, monkeypatch, capsys):
    # run_from_argv is what manage.py calls; it closes connections when done, which would end
    # the test's transaction, so that one step is left out here.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    command = load_command_class("peoplezones.finance", "reconcile")
    StatedFigureFactory(scope="round", key="Round one", amount=Decimal("4800.00"))

    command.run_from_argv(["manage.py", "reconcile", "--json"])  # agrees: no exit at all
    StatedFigureFactory(scope="round", key="Round one", amount=Decimal("9.99"), source="other")
    with pytest.raises(SystemExit) as raised:
        load_command_class("peoplezones.finance", "reconcile").run_from_argv(
            ["manage.py", "reconcile", "--json"]
        )

    assert raised.value.code == 1
    captured = capsys.readouterr()
    assert "CommandError: 1 of 2 stated figures differ" in captured.err
