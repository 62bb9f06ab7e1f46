"""manage.py import_awards: historical awards from published tables."""

import datetime
import io
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from peoplezones.core.models import AuditEvent
from peoplezones.finance.models import BudgetYear, Commitment
from peoplezones.finance.tests.factories import BudgetLineFactory, BudgetYearFactory
from peoplezones.grants.models import Application, Award, GrantRound, Organisation
from peoplezones.grants.tests.factories import FundFactory, GrantRoundFactory
from peoplezones.zones.tests.factories import ZoneFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
HEADER = "zone,round,organisation,project,brief,amount,award_date\n"


@pytest.fixture
def zones(db):
    return {
        slug: ZoneFactory(slug=slug, name=name)
        for slug, name in [("new-parks", "New Parks"), ("bell-foundry", "Bell Foundry")]
    }


@pytest.fixture
def old_round(zones):
    """A decided 2022/23 round for New Parks, with no budget line."""
    return GrantRoundFactory(
        name="People Zone Grants 2022/23 - New Parks",
        slug="np-2022",
        fund=FundFactory(identifier_prefix="360G-pztest"),
        opens_at=datetime.datetime(2023, 2, 13, 9, tzinfo=LONDON),
        closes_at=datetime.datetime(2023, 3, 13, 17, tzinfo=LONDON),
        budget_year=BudgetYearFactory(start_year=2022),
        budget_line=None,
        zones=[zones["new-parks"]],
    )


GOOD = (
    HEADER + "new-parks,People Zone Grants 2022/23 - New Parks,Whitehouse Allotment & Garden "
    'Society,Whitehouse Garden Project,"Allotment space, new skills.","£9,740.98.",2023-03-20\n'
    "new-parks,people zone grants 2022/23 - new parks,New Parks Adventure Playground,"
    'Venny Social Spot,A safe space for young people.,"£9,135",20/03/2023\n'
    "new-parks,People Zone Grants 2022/23 - New Parks,GNR8 Academy,Open Gym,"
    'Free gym sessions.,"£5,680.00",\n'
    "new-parks,People Zone Grants 2022/23 - New Parks,GNR8 Academy,Easter Camp,"
    "Multi-sport camp.,3920,\n"
)


def _file(tmp_path: Path, text: str, *, bom: bool = False, name: str = "awards.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_awards", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _fails(*args) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_awards", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue() + "\n" + str(raised.value)


def _snapshot() -> tuple:
    return (
        list(GrantRound.objects.order_by("pk").values_list("name", "opens_at", "decided_at")),
        list(Organisation.objects.order_by("pk").values_list("name", flat=True)),
        list(
            Application.objects.order_by("pk").values_list(
                "reference", "status", "imported", "project_name", "amount_requested"
            )
        ),
        list(Award.objects.order_by("pk").values_list("identifier", "amount", "decided_on")),
        Commitment.objects.count(),
        AuditEvent.objects.count(),
    )


def test_import_awards_makes_imported_approved_applications_with_awards(tmp_path, old_round):
    out, _err = _run(_file(tmp_path, GOOD, bom=True))

    found = {
        a.project_name: a
        for a in Application.objects.select_related("award", "organisation", "zone")
    }
    assert set(found) == {
        "Whitehouse Garden Project",
        "Venny Social Spot",
        "Open Gym",
        "Easter Camp",
    }
    garden = found["Whitehouse Garden Project"]
    assert garden.imported is True
    assert garden.status == "approved"
    assert garden.round == old_round
    assert garden.zone.slug == "new-parks"
    assert garden.applicant is None
    assert garden.organisation.name == "Whitehouse Allotment & Garden Society"
    assert garden.brief == "Allotment space, new skills."
    assert garden.award.amount == Decimal("9740.98")
    assert garden.amount_requested == Decimal("9740.98")
    assert garden.award.decided_on == datetime.date(2023, 3, 20)
    assert garden.award.identifier == f"360G-pztest-{garden.reference}"
    assert garden.award.commitment is None
    assert found["Venny Social Spot"].award.amount == Decimal("9135.00")
    assert found["Venny Social Spot"].award.decided_on == datetime.date(2023, 3, 20)
    assert found["Open Gym"].award.decided_on is None
    assert found["Easter Camp"].award.amount == Decimal("3920.00")
    assert found["Open Gym"].organisation == found["Easter Camp"].organisation
    assert Organisation.objects.count() == 3
    assert not Commitment.objects.exists()
    assert AuditEvent.objects.filter(verb="grants.award_imported").count() == 4
    assert "Read 4 awards" in out
    assert "Organisation created: GNR8 Academy." in out
    assert "Awards: 4 created, 0 changed, 0 already as in the file." in out


def test_import_awards_twice_changes_nothing(tmp_path, old_round):
    path = _file(tmp_path, GOOD)
    _run(path)
    before = _snapshot()

    out, _err = _run(path)

    assert _snapshot() == before
    assert "Awards: 0 created, 0 changed, 4 already as in the file." in out


def test_import_awards_commits_against_the_rounds_budget_line(tmp_path, old_round):
    line = BudgetLineFactory(year=old_round.budget_year, title="Grants", amount=Decimal("30000"))
    old_round.budget_line = line
    old_round.save()

    _run(_file(tmp_path, GOOD))

    commitments = list(Commitment.objects.filter(line=line))
    assert len(commitments) == 4
    assert sum(c.amount for c in commitments) == Decimal("28475.98")
    garden = Award.objects.get(application__project_name="Whitehouse Garden Project")
    assert garden.commitment.amount == Decimal("9740.98")
    assert garden.commitment.kind == "grant"
    assert garden.commitment.committed_on == datetime.date(2023, 3, 20)
    gym = Award.objects.get(application__project_name="Open Gym")
    # No award date: committed on the day the round closed.
    assert gym.commitment.committed_on == datetime.date(2023, 3, 13)


def test_import_awards_refuses_to_over_commit_a_line_and_writes_nothing(tmp_path, old_round):
    old_round.budget_line = BudgetLineFactory(
        year=old_round.budget_year, title="Grants", amount=Decimal("15000.00")
    )
    old_round.save()
    before = _snapshot()

    output = _fails(_file(tmp_path, GOOD))

    assert "line 3: amount: 2022/23 Grants has £5,259.02 left to commit, so £9,135.00" in output
    assert "line 4: amount: 2022/23 Grants has £5,259.02 left to commit, so £5,680.00" in output
    assert "line 5:" not in output
    assert "2 of 4 rows have errors" in output
    assert _snapshot() == before


def test_import_awards_reports_every_bad_row_with_its_line_and_writes_nothing(
    tmp_path, old_round, zones
):
    round_name = old_round.name
    text = (
        HEADER
        + f"new-parks,{round_name},Group A,Project A,Brief.,£100,\n"
        + f"nowhere,{round_name},Group B,Project B,Brief.,£100,\n"
        + "new-parks,Round that never was,Group C,Project C,Brief.,£100,\n"
        + f"new-parks,{round_name},Group D,Project D,Brief.,ten thousand,\n"
        + f"new-parks,{round_name},Group E,Project E,Brief.,-5,\n"
        + f'new-parks,{round_name},Group F,Project F,Brief.,"£10,000.01",\n'
        + f"new-parks,{round_name},Group G,Project G,Brief.,£100,31/02/2023\n"
        + f"new-parks,{round_name},Group H,Project H,Brief.,£100,2999-01-01\n"
        + f"new-parks,{round_name},group a,project a,Brief again.,£100,\n"
        + f"bell-foundry,{round_name},Group I,Project I,Brief.,£100,\n"
        + f"new-parks,{round_name},,Project J,,£100,\n"
        + f"new-parks,{round_name},Group K,Project K,Brief.,£0,\n"
    )

    output = _fails(_file(tmp_path, text))

    assert "line 3: zone: there is no zone “nowhere”; the zones are bell-foundry, new-parks." in (
        output
    )
    assert "line 4: round: there is no grant round called “Round that never was”." in output
    assert "line 5: amount: “ten thousand” is not an amount of money" in output
    assert "line 6: amount: “-5” is a negative amount" in output
    assert (
        "line 7: amount: £10,000.01 is more than the round's largest grant, £10,000.00." in output
    )
    assert "line 8: award_date: “31/02/2023” is not a date" in output
    assert "line 9: award_date: 2999-01-01 is in the future" in output
    assert "line 10: The same round, organisation and project are already on line 2." in output
    assert "line 11: zone: the round “People Zone Grants 2022/23 - New Parks” was not open to " in (
        output
    )
    assert "line 12: organisation: this must not be empty." in output
    assert "line 12: brief: this must not be empty." in output
    assert "line 13: amount: an award must be more than £0.00." in output
    assert "line 2:" not in output
    assert "12 of 12 rows" not in output
    assert "11 of 12 rows have errors (listed above), so nothing was imported." in output
    assert not Application.objects.exists()
    assert not Organisation.objects.exists()
    assert not AuditEvent.objects.exists()


def test_import_awards_refuses_a_row_that_contradicts_a_recorded_award(tmp_path, old_round):
    _run(_file(tmp_path, GOOD))
    before = _snapshot()
    changed = GOOD.replace('"£5,680.00"', '"£5,860.00"')

    output = _fails(_file(tmp_path, changed, name="changed.csv"))

    assert "line 4: This award is already recorded (360G-pztest-" in output
    assert "with amount £5,680.00, not £5,860.00. Change a recorded award on its page" in output
    assert _snapshot() == before


def test_import_awards_dry_run_writes_nothing(tmp_path, old_round):
    out, _err = _run(_file(tmp_path, GOOD), "--dry-run")

    assert "Awards: 4 would be created" in out
    assert "Dry run: nothing was written." in out
    assert not Application.objects.exists()
    assert not AuditEvent.objects.exists()


ROUNDS_FILE = (
    "zone,round,opens,closes,organisation,project,brief,amount\n"
    "bell-foundry,BF 2022/23,2023-01-30,2023-02-27,Rainbows,Rainbows,Safe space.,"
    '"£5,150.00"\n'
    "new-parks,TW 2022/23,2023-02-27,2023-03-27,Scouts,Broadband,Online badges.,"
    '"£3,024.00"\n'
    "bell-foundry,BF 2022/23,,,Muslim Centre,Project Outreach,Youth club.,"
    '"£4,800.00"\n'
)


def test_import_awards_with_a_fund_creates_missing_rounds_at_london_times(tmp_path, zones):
    FundFactory(name="People Zones Grants")

    out, _err = _run(_file(tmp_path, ROUNDS_FILE), "--fund", "people zones grants")

    bell = GrantRound.objects.get(name="BF 2022/23")
    # 27 March 2023 is the day after the clocks went forward: 17:00 BST is 16:00 UTC.
    later = GrantRound.objects.get(name="TW 2022/23")
    assert bell.opens_at == datetime.datetime(2023, 1, 30, 9, tzinfo=datetime.UTC)
    assert bell.closes_at == datetime.datetime(2023, 2, 27, 17, tzinfo=datetime.UTC)
    assert later.closes_at == datetime.datetime(2023, 3, 27, 16, tzinfo=datetime.UTC)
    assert timezone.localtime(later.closes_at).hour == 17
    assert [z.slug for z in bell.zones.all()] == ["bell-foundry"]
    assert bell.budget_year.start_year == 2022
    assert bell.budget_line is None
    assert bell.status == "decided"
    assert bell.applications.count() == 2
    assert BudgetYear.objects.get().label == "2022/23"
    assert "Round created: BF 2022/23 (2023-01-30 to 2023-02-27, budget year 2022/23)." in out
    assert "Budget year 2022/23 created." in out

    before = _snapshot()
    out, _err = _run(_file(tmp_path, ROUNDS_FILE), "--fund", "People Zones Grants")
    assert _snapshot() == before
    assert "3 already as in the file" in out


def test_import_awards_puts_created_rounds_in_the_given_budget_year(tmp_path, zones):
    FundFactory(name="People Zones Grants")

    _run(_file(tmp_path, ROUNDS_FILE), "--fund", "People Zones Grants", "--budget-year", "2023/24")

    assert set(GrantRound.objects.values_list("budget_year__start_year", flat=True)) == {2023}


def test_import_awards_needs_dates_and_a_fund_to_create_a_round(tmp_path, zones):
    FundFactory(name="People Zones Grants")
    no_dates = ROUNDS_FILE.replace("2023-01-30,2023-02-27", ",")
    clash = ROUNDS_FILE.replace(",,,Muslim", ",2023-01-31,,Muslim")

    without_fund = _fails(_file(tmp_path, ROUNDS_FILE))
    without_dates = _fails(_file(tmp_path, no_dates), "--fund", "People Zones Grants")
    clashing = _fails(_file(tmp_path, clash), "--fund", "People Zones Grants")

    assert (
        "line 2: round: there is no grant round called “BF 2022/23”. Set it up first, or give "
        "--fund" in without_fund
    )
    assert "line 2: round: “BF 2022/23” is not recorded yet; give the dates it opened" in (
        without_dates
    )
    assert "line 4: opens: line 2 says the round opened on 2023-01-30." in clashing
    assert not GrantRound.objects.exists()


def test_import_awards_explains_bad_options(tmp_path, zones):
    path = _file(tmp_path, ROUNDS_FILE)
    FundFactory(name="People Zones Grants")

    assert "There is no fund called 'Nope'" in _fails(path, "--fund", "Nope")
    assert "is not a budget year" in _fails(
        path, "--fund", "People Zones Grants", "--budget-year", "2023"
    )
    assert "only used with --fund" in _fails(path, "--budget-year", "2023/24")


def test_import_awards_explains_a_file_without_the_columns(tmp_path, zones):
    output = _fails(_file(tmp_path, "zone,organisation,project,brief,amount\nnew-parks,A,B,C,1\n"))

    assert "The file has no round column." in output
    assert "Nothing was imported." in output
