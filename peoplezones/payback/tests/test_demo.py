"""The payback demo: facilities copied from the demo asset map, sites in each zone that do and
do not qualify (with reasons), and the New Parks garden with its hours and materials."""

import datetime
import html as html_lib
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from peoplezones.accounts import demo as accounts_demo
from peoplezones.accounts.models import User
from peoplezones.assets import demo as assets_demo
from peoplezones.assets.models import Asset, Category
from peoplezones.assets.selectors import category_with_descendants, public_assets
from peoplezones.core import geo
from peoplezones.core.management.commands.load_demo import demo_modules
from peoplezones.core.models import AuditEvent
from peoplezones.finance import demo as finance_demo
from peoplezones.finance.models import BudgetLine, Commitment, Spend
from peoplezones.finance.selectors import committed_on_line
from peoplezones.payback import demo, rules
from peoplezones.payback.models import (
    HoursEntry,
    MaterialsPurchase,
    PaybackProject,
    PaybackSession,
    PaybackSite,
    WelfareFacility,
)
from peoplezones.payback.selectors import as_facility, payback_plan
from peoplezones.payback.services import facility_update
from peoplezones.zones import demo as zones_demo

pytestmark = pytest.mark.django_db
time = datetime.time.fromisoformat
ROWS = [
    WelfareFacility,
    PaybackSite,
    PaybackSession,
    PaybackProject,
    HoursEntry,
    MaterialsPurchase,
    Commitment,
    Spend,
    AuditEvent,
]
ZONES = ["bell-foundry", "new-parks", "thringstone-whitwick"]


def _load() -> None:
    """The demo modules payback needs, in load_demo's order (the rest are not needed here)."""
    for module in (zones_demo, accounts_demo, assets_demo, finance_demo, demo):
        module.load(out=io.StringIO())


@pytest.fixture
def loaded(db):
    _load()


@pytest.fixture
def officer(loaded):
    return User.objects.get(email=demo.ACTOR_EMAIL)


def _snapshot() -> dict:
    return {
        "counts": {model.__name__: model.objects.count() for model in ROWS},
        "facilities": list(WelfareFacility.objects.order_by("pk").values()),
        "sites": list(PaybackSite.objects.order_by("pk").values()),
        "sessions": list(PaybackSession.objects.order_by("pk").values()),
        "projects": list(PaybackProject.objects.order_by("pk").values()),
    }


def _text(response) -> str:
    page = re.sub(r"(?s)<script.*?</script>", " ", response.content.decode())
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_demo_runs_after_the_asset_map_and_the_budget():
    order = [module.__name__ for module in demo_modules()]

    assert order.index("peoplezones.payback.demo") > order.index("peoplezones.assets.demo")
    assert order.index("peoplezones.payback.demo") > order.index("peoplezones.finance.demo")


def test_demo_copies_the_hubs_from_the_asset_map(loaded):
    hubs = (
        public_assets()
        .filter(
            is_demo=True,
            sensitive=False,
            categories__in=category_with_descendants(Category.objects.get(slug="community-hub")),
        )
        .distinct()
    )
    facilities = WelfareFacility.objects.select_related("asset", "zone")

    assert {f.asset_id for f in facilities} == set(hubs.values_list("pk", flat=True))
    assert {f.zone.slug for f in facilities} == set(ZONES)
    for facility in facilities:
        assert facility.asset.is_demo
        assert facility.notes.startswith("Demo data: ")
        assert (facility.name, facility.zone, facility.opening_hours) == (
            facility.asset.name,
            facility.asset.zone,
            facility.asset.opening_hours,
        )
    # One copy through the planner's own service, then each place checked.
    assert AuditEvent.objects.filter(verb="payback.facilities_copied").count() == 1
    by_name = {f.name: f for f in facilities}
    assert by_name["Cobden Community Hub"].amenities == ["toilets", "water", "shelter"]
    assert by_name["New Parks Library"].amenities == ["toilets", "water", "shelter"]
    assert by_name["New Parks Knit and Natter"].amenities == []
    assert by_name["New Parks Church Hall"].opening_hours == []
    assert not Asset.objects.filter(sensitive=True, welfare_facility__isnull=False).exists()


def test_demo_sites_are_inside_their_zones_with_weekly_sessions(loaded):
    sites = PaybackSite.objects.select_related("zone").prefetch_related("sessions")

    assert sites.count() == len(demo.SITES) == 9
    assert sorted(site.zone.slug for site in sites) == sorted(ZONES * 3)
    for site in sites:
        assert site.name.endswith("(demo)")
        assert site.description.startswith("Demo data: ")
        assert site.zone.contains_point(lat=site.latitude, lon=site.longitude)
        assert site.sessions.exists()


def test_demo_near_sites_are_near_their_facility_and_far_ones_far(loaded):
    facilities = list(WelfareFacility.objects.all())
    judged = [as_facility(f) for f in facilities]
    for spec in demo.SITES:
        site = PaybackSite.objects.get(name=spec["name"])
        anchor = next(f for f in facilities if f.name == spec["anchor"])
        sessions = [rules.Session(d, time(s), time(e)) for d, s, e in spec["sessions"]]
        metres = geo.haversine_m(
            lat1=site.latitude, lon1=site.longitude, lat2=anchor.latitude, lon2=anchor.longitude
        )

        assert metres == pytest.approx(spec["metres"], abs=2), spec["name"]
        if spec.get("far"):
            nearest = demo.distance_to_open((site.latitude, site.longitude), sessions, judged)
            assert nearest >= demo.FAR_M, spec["name"]


def test_demo_plan_shows_sites_that_qualify_and_sites_that_do_not_with_reasons(officer):
    plan = payback_plan(user=officer, rule=rules.Rule())
    verdicts = {row.site.name: row.verdict for row in plan.rows}

    assert plan.qualified_count == 5
    for slug in ZONES:
        in_zone = [row.verdict.qualifies for row in plan.rows if row.site.zone.slug == slug]
        assert sorted(set(in_zone)) == [False, True], slug
    for spec in demo.SITES:
        verdict = verdicts[spec["name"]]
        if spec.get("far"):
            assert not verdict.qualifies
            assert any("minutes away" in reason for reason in verdict.reasons)
    assert verdicts["Wellbeing garden, New Parks community hub (demo)"].qualifies
    assert verdicts["Canal towpath cut-back (demo)"].reasons == [
        "Wednesday 10:00–13:00: the nearest open facility, Cobden Community Hub, is 16.3 minutes "
        "away (1,300 m in a straight line); the limit is 10 minutes.",
        "Saturday 13:00–16:00: no facility with toilets and water is open all through it.",
    ]
    # A hall with no opening hours is never open, so the nearest open facility is far away.
    hedgerow = verdicts["Playing fields hedgerow, west New Parks (demo)"]
    assert hedgerow.nearest.facility.name == "New Parks Church Hall"
    assert "New Parks Library" in hedgerow.reasons[0]
    assert verdicts["Thringstone recreation ground bins and benches (demo)"].reasons == [
        "Saturday 09:00–12:00: no facility with toilets and water is open all through it."
    ]


def test_demo_garden_project_has_hours_and_materials_on_the_payback_line(loaded):
    project = PaybackProject.objects.select_related("site", "zone", "budget_line__year").get()
    line = BudgetLine.objects.get(year__start_year=2023, title="Community Payback")
    session_days = set(project.site.sessions.values_list("weekday", flat=True))

    assert project.title == "Wellbeing garden at the New Parks community hub (demo)"
    assert project.description.startswith("Demo data")
    assert project.zone.slug == "new-parks"
    assert project.budget_line == line
    hours = list(project.hours.all())
    assert len(hours) == 4
    assert sum(entry.hours for entry in hours) == Decimal("63.0")
    for entry in hours:
        assert project.starts_on <= entry.worked_on <= project.ends_on
        assert entry.worked_on.weekday() in session_days
    commitments = Commitment.objects.filter(payback_materials__project=project)
    assert {c.kind for c in commitments} == {Commitment.Kind.PAYBACK}
    assert {c.line for c in commitments} == {line}
    assert sum(c.amount for c in commitments) == Decimal("850.00")
    assert sum(s.amount for s in Spend.objects.filter(commitment__in=commitments)) == Decimal(
        "850.00"
    )
    assert all(c.committed_on >= project.starts_on for c in commitments)
    assert line.amount - committed_on_line(line.pk) == Decimal("14150.00")


def test_demo_planner_and_project_pages_show_it(officer, client):
    client.force_login(officer)
    project = PaybackProject.objects.get()

    planner = _text(client.get(reverse("payback:planner")))
    detail = _text(client.get(reverse("payback:project-detail", kwargs={"pk": project.pk})))

    assert "5 of 9 qualify" in planner
    assert "no facility with toilets and water is open all through it" in planner
    assert "Cobden Community Hub, is 16.3 minutes away" in planner
    assert "Wellbeing garden at the New Parks community hub (demo)" in planner
    assert "Materials committed £850.00 (paid £850.00)" in detail
    assert "Hours worked 63.0" in detail
    assert "2023/24 Community Payback" in detail


def test_demo_twice_changes_nothing(loaded):
    before = _snapshot()

    _load()

    assert _snapshot() == before


def test_demo_again_keeps_what_staff_changed(officer):
    hub = WelfareFacility.objects.get(name="Cobden Community Hub")
    facility_update(
        facility=hub,
        actor=officer,
        zone=hub.zone,
        fields={"latitude": hub.latitude, "longitude": hub.longitude, "has_shelter": False},
    )

    _load()

    hub.refresh_from_db()
    assert hub.amenities == ["toilets", "water"]


def test_load_demo_loads_the_plan_and_twice_changes_nothing(db, settings):
    settings.DEBUG = True
    out = io.StringIO()

    call_command("load_demo", stdout=out)
    before = _snapshot()
    call_command("load_demo", stdout=io.StringIO())

    assert _snapshot() == before
    printed = out.getvalue()
    assert "10 welfare facilities copied from the asset map, 9 payback sites created" in printed
    assert printed.index("Demo budget") < printed.index("Demo Community Payback plan")
