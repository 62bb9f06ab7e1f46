"""Writes of the payback planner: facilities (by hand and from the asset map), sites and
sessions, projects, hours, and materials against the Community Payback budget line."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.assets.models import Asset
from peoplezones.assets.tests.factories import AssetFactory, CategoryFactory
from peoplezones.core.models import AuditEvent
from peoplezones.finance.models import BudgetYear, Commitment, Spend
from peoplezones.finance.tests.factories import BudgetLineFactory, BudgetYearFactory
from peoplezones.payback import services
from peoplezones.payback.models import (
    HoursEntry,
    MaterialsPurchase,
    PaybackSession,
    PaybackSite,
    WelfareFacility,
)
from peoplezones.payback.tests.factories import PaybackProjectFactory, PaybackSiteFactory

pytestmark = pytest.mark.django_db
T = datetime.time.fromisoformat
POINT = {"name": "Braunstone Library", "latitude": 52.638, "longitude": -1.185}


def facility_fields(**overrides):
    return {
        **POINT,
        "has_toilets": True,
        "has_water": True,
        "has_shelter": False,
        "always_open": False,
        "opening_hours": [{"day": 1, "opens": "09:00", "closes": "17:00"}],
        "notes": "",
        **overrides,
    }


def test_facility_create_takes_the_zone_of_its_point(programme_team_user, zone):
    facility = services.facility_create(actor=programme_team_user, fields=facility_fields())

    assert facility.zone == zone
    assert facility.opening_hours == [{"day": 1, "opens": "09:00", "closes": "17:00"}]
    assert AuditEvent.objects.filter(verb="payback.facility_created").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"latitude": None}, "latitude", "Give both latitude and longitude"),
        ({"latitude": 40.0, "longitude": -74.0}, "latitude", "outside the UK"),
        (
            {"opening_hours": [{"day": 1, "opens": "17:00", "closes": "09:00"}]},
            "opening_hours",
            "Closing time must be after opening time",
        ),
        ({"name": ""}, "name", "cannot be blank"),
    ],
)
def test_facility_create_refuses_bad_input(programme_team_user, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        services.facility_create(actor=programme_team_user, fields=facility_fields(**overrides))

    assert message in " ".join(caught.value.message_dict[field])
    assert not WelfareFacility.objects.exists()


def test_only_the_programme_team_plans_payback(moderator):
    with pytest.raises(PermissionDenied):
        services.facility_create(actor=moderator, fields=facility_fields())
    with pytest.raises(PermissionDenied):
        services.site_create(actor=moderator, fields=dict(POINT))


def test_facility_update_records_what_changed(programme_team_user):
    facility = services.facility_create(actor=programme_team_user, fields=facility_fields())

    services.facility_update(
        facility=facility, actor=programme_team_user, fields=facility_fields(has_shelter=True)
    )

    facility.refresh_from_db()
    assert facility.has_shelter
    event = AuditEvent.objects.get(verb="payback.facility_changed")
    assert event.data == {"fields": ["has_shelter"]}


def test_facilities_are_copied_from_the_asset_map_and_updated_on_a_second_copy(
    programme_team_user, zone
):
    libraries = CategoryFactory(slug="libraries", name="Libraries")
    branch = CategoryFactory(slug="branch-libraries", name="Branch libraries", parent=libraries)
    parks = CategoryFactory(slug="parks", name="Parks")
    hours = [{"day": 0, "opens": "09:00", "closes": "17:00"}]
    central = AssetFactory(
        name="Central Library", categories=[libraries], opening_hours=hours, zone=zone
    )
    AssetFactory(name="Braunstone Branch", categories=[branch])
    AssetFactory(name="Pending Library", categories=[libraries], status=Asset.Status.PENDING)
    AssetFactory(name="Refuge", categories=[libraries], sensitive=True)
    AssetFactory(name="Hidden", categories=[libraries], do_not_display=True)
    AssetFactory(name="Park", categories=[parks])

    result = services.facilities_from_assets(
        actor=programme_team_user, categories=[libraries], toilets=True, water=True, shelter=False
    )

    assert sorted(f.name for f in result.added) == ["Braunstone Branch", "Central Library"]
    copied = WelfareFacility.objects.get(asset=central)
    assert (copied.has_toilets, copied.has_water, copied.has_shelter) == (True, True, False)
    assert copied.opening_hours == hours
    assert copied.zone == zone

    # Staff correct the copy; the asset map changes; copying again keeps the correction.
    copied.has_shelter = True
    copied.save()
    Asset.objects.filter(pk=central.pk).update(name="Central Library and Café")

    again = services.facilities_from_assets(
        actor=programme_team_user, categories=[libraries], toilets=False, water=False, shelter=False
    )

    assert [f.name for f in again.updated] == ["Central Library and Café"]
    assert (again.added, again.unchanged) == ([], 1)
    copied.refresh_from_db()
    assert copied.name == "Central Library and Café"
    assert copied.has_shelter
    assert copied.has_toilets
    assert WelfareFacility.objects.count() == 2


def test_copying_needs_a_category(programme_team_user):
    with pytest.raises(ValidationError, match="Choose at least one category"):
        services.facilities_from_assets(
            actor=programme_team_user, categories=[], toilets=True, water=True, shelter=True
        )


def test_site_create_keeps_its_sessions_and_update_replaces_them(programme_team_user, zone):
    site = services.site_create(
        actor=programme_team_user,
        fields={**POINT, "name": "Brook path", "description": "Clear litter"},
        sessions=[(5, T("09:00"), T("12:00")), (1, T("10:00"), T("13:00"))],
    )

    assert site.zone == zone
    assert [str(s) for s in site.sessions.all()] == ["Tuesday 10:00–13:00", "Saturday 09:00–12:00"]

    services.site_update(
        site=site,
        actor=programme_team_user,
        fields={**POINT, "name": "Brook path", "description": "Clear litter"},
        sessions=[(2, T("13:00"), T("16:00"))],
    )

    assert [str(s) for s in site.sessions.all()] == ["Wednesday 13:00–16:00"]
    assert AuditEvent.objects.get(verb="payback.site_changed").data == {"fields": ["sessions"]}


def test_a_session_that_ends_before_it_starts_saves_nothing(programme_team_user):
    with pytest.raises(ValidationError, match="must end after it starts"):
        services.site_create(
            actor=programme_team_user,
            fields={**POINT, "name": "Brook path", "description": ""},
            sessions=[(1, T("10:00"), T("13:00")), (5, T("12:00"), T("09:00"))],
        )

    assert not PaybackSite.objects.exists()
    assert not PaybackSession.objects.exists()


@pytest.fixture
def payback_line():
    year = BudgetYearFactory(start_year=BudgetYear.start_year_for(timezone.localdate()))
    BudgetLineFactory(year=year, title="Events", amount=Decimal("6000.00"))
    return BudgetLineFactory(year=year, title="Community Payback", amount=Decimal("1000.00"))


def test_a_project_uses_this_years_community_payback_line(programme_team_user, payback_line):
    site = PaybackSiteFactory()

    project = services.project_create(
        actor=programme_team_user,
        site=site,
        title="Paint the bench",
        starts_on=timezone.localdate(),
    )

    assert project.budget_line == payback_line
    assert services.default_budget_line() == payback_line
    assert services.default_budget_line(today=datetime.date(2001, 6, 1)) is None


def test_materials_are_committed_and_paid_against_the_line(programme_team_user, payback_line):
    project = PaybackProjectFactory(budget_line=payback_line)
    today = timezone.localdate()

    bought = services.materials_record(
        project=project,
        actor=programme_team_user,
        description="Paint and brushes",
        amount=Decimal("400.00"),
        bought_on=today,
        paid=True,
        reference="PO-17",
    )
    ordered = services.materials_record(
        project=project,
        actor=programme_team_user,
        description="Gravel",
        amount=Decimal("250.00"),
        bought_on=today,
    )

    commitment = bought.commitment
    assert (commitment.line, commitment.kind, commitment.amount) == (
        payback_line,
        Commitment.Kind.PAYBACK,
        Decimal("400.00"),
    )
    assert commitment.description == f"{project.title}: Paint and brushes"
    assert Spend.objects.get().commitment == commitment
    assert not ordered.commitment.spends.exists()
    assert AuditEvent.objects.filter(verb="payback.materials_recorded").count() == 2


def test_over_committing_the_line_is_refused_and_nothing_is_recorded(
    programme_team_user, payback_line
):
    project = PaybackProjectFactory(budget_line=payback_line)
    services.materials_record(
        project=project,
        actor=programme_team_user,
        description="Paint",
        amount=Decimal("900.00"),
        bought_on=timezone.localdate(),
    )

    with pytest.raises(ValidationError) as caught:
        services.materials_record(
            project=project,
            actor=programme_team_user,
            description="Fencing",
            amount=Decimal("150.00"),
            bought_on=timezone.localdate(),
            paid=True,
        )

    assert "would over-commit it by £50.00" in caught.value.message_dict["amount"][0]
    assert MaterialsPurchase.objects.count() == 1
    assert Commitment.objects.count() == 1
    assert not Spend.objects.exists()


def test_even_finance_cannot_over_commit_from_the_planner(payback_line):
    both = UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM, ProgrammeRole.FINANCE])
    project = PaybackProjectFactory(budget_line=payback_line)

    with pytest.raises(ValidationError, match="over-commit"):
        services.materials_record(
            project=project,
            actor=both,
            description="A van",
            amount=Decimal("1000.01"),
            bought_on=timezone.localdate(),
        )
    assert not Commitment.objects.exists()


def test_materials_need_a_budget_line(programme_team_user):
    project = PaybackProjectFactory(budget_line=None)

    with pytest.raises(ValidationError, match="no budget line"):
        services.materials_record(
            project=project,
            actor=programme_team_user,
            description="Paint",
            amount=Decimal("10.00"),
            bought_on=timezone.localdate(),
        )


def test_hours_are_recorded_once_worked(programme_team_user):
    project = PaybackProjectFactory()
    today = timezone.localdate()

    entry = services.hours_record(
        project=project, actor=programme_team_user, worked_on=today, hours=Decimal("18.0"), people=6
    )

    assert entry.created_by == programme_team_user
    with pytest.raises(ValidationError, match="once worked"):
        services.hours_record(
            project=project,
            actor=programme_team_user,
            worked_on=today + datetime.timedelta(days=1),
            hours=Decimal("3"),
        )
    assert HoursEntry.objects.count() == 1
