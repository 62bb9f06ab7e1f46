"""The grants and budget demo: the panel report's rounds, awards, budget and totals, and an open
round with applications at every stage."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from peoplezones.accounts import demo as accounts_demo
from peoplezones.accounts.models import User
from peoplezones.core.models import AuditEvent
from peoplezones.finance import demo as finance_demo
from peoplezones.finance.models import BudgetLine, BudgetYear, Commitment, StatedFigure
from peoplezones.grants import demo
from peoplezones.grants.models import (
    Application,
    Award,
    ConflictDeclaration,
    Criterion,
    Fund,
    GrantRound,
    Message,
    Organisation,
    Review,
)
from peoplezones.grants.selectors import ranking
from peoplezones.zones import demo as zones_demo

pytestmark = pytest.mark.django_db
ROWS = [
    Fund,
    GrantRound,
    Criterion,
    Organisation,
    Application,
    Review,
    ConflictDeclaration,
    Message,
    Award,
    BudgetYear,
    BudgetLine,
    Commitment,
    StatedFigure,
    User,
    AuditEvent,
]


def _csv(name: str) -> list[dict[str, str]]:
    with (demo.DATA / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def loaded(db):
    """The demo modules grants needs, in load_demo's order (the rest are not needed here)."""
    for module in (zones_demo, accounts_demo, finance_demo, demo):
        module.load(out=io.StringIO())


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROWS}


def test_demo_data_files_are_the_published_tables():
    assert [row["round"] for row in _csv("rounds_2022_23.csv")] == [
        "People Zone Grants 2022/23 - Bell Foundry",
        "People Zone Grants 2022/23 - New Parks",
        "People Zone Grants 2022/23 - Thringstone & Whitwick",
    ]
    assert len(_csv("awards_2022_23.csv")) == 12
    assert "Open Government Licence v3.0" in (demo.DATA / "README.md").read_text()
    assert "26 July 2023" in (demo.DATA / "README.md").read_text()


def test_demo_loads_the_three_2022_23_rounds_as_published(loaded):
    for row in _csv("rounds_2022_23.csv"):
        grant_round = GrantRound.objects.get(name=row["round"])
        opens = timezone.localtime(grant_round.opens_at)
        closes = timezone.localtime(grant_round.closes_at)

        assert (opens.date().isoformat(), opens.time()) == (row["opens"], datetime.time(9))
        assert (closes.date().isoformat(), closes.time()) == (row["closes"], datetime.time(17))
        assert [zone.slug for zone in grant_round.zones.all()] == [row["zone"]]
        assert grant_round.budget_year.label == "2022/23"
        assert grant_round.budget_line is None
        assert grant_round.status == "decided"
        assert grant_round.applications.count() == int(row["bids_funded"])
    # The last round closed the day after the clocks went forward: 17:00 BST, 16:00 UTC.
    last = GrantRound.objects.get(name__endswith="Thringstone & Whitwick")
    assert last.closes_at.astimezone(datetime.UTC).hour == 16


def test_demo_loads_the_12_awards_with_the_published_amounts(loaded):
    fund = Fund.objects.get()
    published = {
        (row["organisation"], row["project"]): row["amount"] for row in _csv("awards_2022_23.csv")
    }
    awards = Award.objects.select_related(
        "application__organisation", "application__round", "application__zone"
    ).filter(application__imported=True)

    assert fund.funder_name == "Leicestershire Office of the Police and Crime Commissioner"
    assert fund.identifier_prefix == "360G-demo-pz"
    assert awards.count() == 12
    amounts = {
        (a.application.organisation.name, a.application.project_name): a.amount for a in awards
    }
    assert amounts[("Whitehouse Allotment & Garden Society", "Whitehouse Garden Project")] == (
        Decimal("9740.98")
    )
    assert amounts[("New Parks Adventure Playground", "Venny Social Spot")] == Decimal("9135.00")
    assert set(amounts) == set(published)
    for award in awards:
        application = award.application
        closed = timezone.localdate(application.round.closes_at)
        assert application.status == "approved"
        assert award.identifier == f"360G-demo-pz-{application.reference}"
        assert award.commitment is None
        assert award.decided_on == closed + datetime.timedelta(days=3)
        assert BudgetYear.start_year_for(award.decided_on) == 2022
        assert not application.contact_email
    assert Organisation.objects.filter(name="Whitwick Scouts Group").count() == 1


def test_demo_loads_the_budget_years(loaded):
    years = {year.label: year for year in BudgetYear.objects.all()}

    assert set(years) == {"2022/23", "2023/24"}
    assert not years["2022/23"].lines.exists()
    lines = {line.title: line.amount for line in years["2023/24"].lines.all()}
    assert lines == {
        "Grant funding": Decimal("180000.00"),
        "Community Payback": Decimal("15000.00"),
        "Events": Decimal("6000.00"),
        "Communications & materials": Decimal("3000.00"),
        "Evaluation": Decimal("25000.00"),
    }


def test_demo_reconciliation_shows_exactly_the_reports_two_differences(loaded):
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("reconcile", "--json", stdout=out, stderr=io.StringIO())

    checks = {(c["scope"], c["key"]): c for c in json.loads(out.getvalue())}
    assert raised.value.returncode == 1
    assert {key: (c["stated"], c["computed"], c["difference"]) for key, c in checks.items()} == {
        ("round", "People Zone Grants 2022/23 - Bell Foundry"): ("9950.00", "9950.00", "0.00"),
        ("round", "People Zone Grants 2022/23 - New Parks"): ("38277.06", "38261.06", "16.00"),
        ("round", "People Zone Grants 2022/23 - Thringstone & Whitwick"): (
            "14197.00",
            "14197.00",
            "0.00",
        ),
        ("budget_year", "2023/24"): ("289000.00", "229000.00", "60000.00"),
    }
    assert all("26 July 2023" in c["source"] for c in checks.values())


def test_demo_open_round_is_open_with_criteria_and_a_budget_line(loaded):
    grant_round = GrantRound.objects.get(name="People Zones Grants 2023/24 – Round 1")
    today = timezone.localdate()

    assert grant_round.status == "open"
    assert timezone.localtime(grant_round.opens_at) == timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=7), datetime.time(9))
    )
    assert timezone.localtime(grant_round.closes_at) == timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=21), datetime.time(17))
    )
    assert {z.slug for z in grant_round.zones.all()} == {
        "bell-foundry",
        "new-parks",
        "thringstone-whitwick",
    }
    assert str(grant_round.budget_line) == "2023/24 Grant funding"
    assert grant_round.maximum_award == Decimal("10000.00")
    assert grant_round.criteria.count() == 5
    assert all(len(c.descriptors) == 6 for c in grant_round.criteria.all())
    assert grant_round.eligibility_questions


def test_demo_applications_are_at_every_stage(loaded):
    grant_round = GrantRound.objects.get(name="People Zones Grants 2023/24 – Round 1")
    statuses = sorted(grant_round.applications.values_list("status", flat=True))

    assert statuses == sorted(
        [
            "draft",
            "submitted",
            "more_information",
            "assessment",
            "assessment",
            "recommended",
            "approved",
            "declined",
        ]
    )
    conflict = ConflictDeclaration.objects.get(has_conflict=True)
    assert conflict.assessor.email == "assessor.two@example.org"
    assert not Review.objects.filter(
        application=conflict.application, assessor=conflict.assessor
    ).exists()
    scored = grant_round.applications.get(project_name="Larder delivery bike")
    assert set(scored.reviews.values_list("assessor__email", flat=True)) == {
        "assessor@example.org",
        "assessor.two@example.org",
    }
    award = Award.objects.get(application__round=grant_round)
    assert award.amount == Decimal("4500.00")
    assert award.application.amount_requested == Decimal("4800.00")
    assert award.commitment.amount == Decimal("4500.00")
    assert award.commitment.line == grant_round.budget_line
    assert award.reasons
    assert award.conditions
    declined = grant_round.applications.get(status="declined")
    assert declined.messages.filter(from_staff=True).count() == 2
    assert grant_round.applications.get(status="more_information").messages.exists()
    ranked = ranking(grant_round)
    assert ranked[0].application.project_name == "Aikman Avenue summer fun days"
    assert [r.conflicts for r in ranked if r.application.project_name.startswith("Repair")] == [1]


def test_demo_applicant_has_a_confirmed_email_and_applications(loaded):
    applicant = User.objects.get(email="applicant@example.org")

    assert applicant.email_verified_at is not None
    assert applicant.check_password(accounts_demo.demo_password())
    mine = Application.objects.filter(organisation__owners=applicant).distinct()
    assert set(mine.values_list("status", flat=True)) == {
        "draft",
        "more_information",
        "approved",
        "declined",
    }
    for email in ("assessor@example.org", "assessor.two@example.org"):
        assert User.objects.get(email=email).groups.filter(name="Grant assessor").exists()
    assert (
        User.objects.get(email="commissioner@example.org")
        .groups.filter(name="Commissioner")
        .exists()
    )


def test_demo_grants_twice_changes_nothing(loaded):
    before = _counts()

    for module in (zones_demo, accounts_demo, finance_demo, demo):
        module.load(out=io.StringIO())

    assert _counts() == before


def test_load_demo_prints_the_new_sign_ins_and_twice_changes_nothing(db, settings):
    settings.DEBUG = True
    out = io.StringIO()

    call_command("load_demo", stdout=out)
    before = _counts()
    call_command("load_demo", stdout=io.StringIO())

    assert _counts() == before
    printed = out.getvalue()
    assert "applicant@example.org" in printed
    assert "grant applicant (email confirmed)" in printed
    assert "assessor@example.org" in printed
    assert "2022/23 awards: 12 imported" in printed
    assert printed.index("Demo budget") < printed.index("Demo grants")
