"""The payback pages through HTTP: who may open them, the plan and its rule form, and the
forms for facilities, sites, projects, hours and materials (all working without JavaScript)."""

import datetime
import html as html_lib
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.assets.tests.factories import AssetFactory, CategoryFactory
from peoplezones.finance.models import BudgetYear, Commitment, Spend
from peoplezones.finance.tests.factories import BudgetLineFactory, BudgetYearFactory
from peoplezones.payback.models import (
    HoursEntry,
    MaterialsPurchase,
    PaybackProject,
    PaybackSite,
    WelfareFacility,
)
from peoplezones.payback.tests.factories import (
    PaybackProjectFactory,
    PaybackSiteFactory,
    WelfareFacilityFactory,
)

pytestmark = pytest.mark.django_db


def _text(response):
    words = html_lib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return " ".join(words.split())


def _urls():
    project = PaybackProjectFactory()
    facility = WelfareFacilityFactory()
    return [
        reverse("payback:planner"),
        reverse("payback:facility-create"),
        reverse("payback:facility-copy"),
        reverse("payback:facility-edit", kwargs={"pk": facility.pk}),
        reverse("payback:site-create"),
        reverse("payback:site-edit", kwargs={"pk": project.site.pk}),
        reverse("payback:project-create"),
        reverse("payback:project-detail", kwargs={"pk": project.pk}),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in _urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.parametrize(
    "roles",
    [
        [],
        [ProgrammeRole.MODERATOR],
        [ProgrammeRole.COMMISSIONER],
        [ProgrammeRole.FINANCE],
        [ProgrammeRole.PANEL_MEMBER],
        [ProgrammeRole.ASSESSOR],
    ],
)
def test_only_the_programme_team_may_open_the_planner(client, roles):
    urls = _urls()
    client.force_login(UserFactory(roles=roles))

    for url in urls:
        assert client.get(url).status_code == 403, url
    project = PaybackProject.objects.get()
    for name in ("project-hours", "project-materials"):
        url = reverse(f"payback:{name}", kwargs={"pk": project.pk})
        assert client.post(url, {}).status_code == 403


def test_the_programme_team_opens_every_page(client, programme_team_user):
    urls = _urls()
    client.force_login(programme_team_user)

    for url in urls:
        assert client.get(url).status_code == 200, url


@pytest.fixture
def team(client, programme_team_user):
    client.force_login(programme_team_user)
    return client


def test_the_plan_says_which_sites_qualify_and_why_not(team, zone):
    WelfareFacilityFactory(name="Braunstone Library")  # 52.638, -1.185
    PaybackSiteFactory(name="Brook path", latitude=52.639, longitude=-1.186)  # about 130 m
    PaybackSiteFactory(name="Far field", latitude=52.650, longitude=-1.185)  # about 1,334 m
    PaybackSiteFactory(name="Saturday verge", sessions=[(5, "09:00", "12:00")])
    PaybackSiteFactory(name="Unplanned", sessions=[])

    response = team.get(reverse("payback:planner"))

    text = _text(response)
    assert "Sites: 1 of 4 qualifies" in text
    assert "Brook path Tuesday 10:00–13:00 Braunstone Library 130 m 1.7 min Yes" in text
    assert (
        "the nearest open facility, Braunstone Library, is 16.7 minutes away (1,334 m in a "
        "straight line); the limit is 10 minutes." in text
    )
    assert (
        "Saturday 09:00–12:00: no facility with toilets and water is open all through it." in text
    )
    assert "No session times are set for this site." in text
    assert "no walking network is loaded" in text
    # The map's data is on the page: a circle of 800 m round the facility, and every site.
    assert '"radius_m": 800,' in response.content.decode()
    assert response.content.decode().count('"kind": "site"') == 4


def test_the_rule_is_set_on_the_page(team):
    WelfareFacilityFactory(name="Library")
    PaybackSiteFactory(name="Brook path", latitude=52.6434, longitude=-1.185)  # about 600 m
    url = reverse("payback:planner")

    assert "Sites: 1 of 1 qualifies" in _text(team.get(url))
    slower = _text(team.get(url, {"applied": "1", "minutes": "10", "pace": "slower"}))
    assert "Sites: 0 of 1 qualify" in slower
    assert "12.1 minutes away" in slower
    other = _text(
        team.get(url, {"applied": "1", "minutes": "15", "pace": "other", "other_pace": "45"})
    )
    assert "Sites: 1 of 1 qualifies" in other
    assert "no more than a 15-minute walk away (675 metres at 45 metres a minute)" in other
    shelter = _text(
        team.get(url, {"applied": "1", "minutes": "10", "pace": "standard", "needs": "shelter"})
    )
    assert "a welfare facility with shelter is open" in shelter


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"minutes": "ten"}, "Enter the walking time as a whole number of minutes"),
        ({"minutes": "0"}, "Enter at least 1 minute."),
        ({"minutes": "10", "pace": "other"}, "Enter the pace in metres a minute."),
        ({"minutes": "10", "pace": "other", "other_pace": "500"}, "at most 150 metres a minute"),
        ({"minutes": "10", "pace": "jogging"}, "Choose a walking pace."),
    ],
)
def test_a_bad_rule_is_a_400_with_a_message_and_keeps_what_was_typed(team, query, message):
    response = team.get(reverse("payback:planner"), {"applied": "1", **query})

    assert response.status_code == 400
    assert message in _text(response)
    assert "There is a problem" in _text(response)
    if query["minutes"] == "ten":
        assert 'value="ten"' in response.content.decode()


def test_the_planner_costs_the_same_queries_for_many_sites(team, django_assert_max_num_queries):
    for i in range(3):
        WelfareFacilityFactory(name=f"Facility {i}", latitude=52.63 + i / 100)
    for i in range(30):
        PaybackSiteFactory(name=f"Site {i}", latitude=52.63 + i / 1000)
        PaybackProjectFactory(title=f"Project {i}", site=PaybackSite.objects.last())

    # Session, user, roles; network, facilities, sites, their sessions, projects.
    with django_assert_max_num_queries(8):
        response = team.get(reverse("payback:planner"))

    assert response.status_code == 200
    assert "Sites: " in _text(response)


FACILITY_POST = {
    "name": "New Parks Community Centre",
    "latitude": "52.6385",
    "longitude": "-1.1855",
    "has_toilets": "on",
    "has_water": "on",
    "opens_1": "09:00",
    "closes_1": "17:00",
    "opens_5": "10:00",
    "closes_5": "14:00",
}


def test_a_facility_is_added_without_javascript(team, zone):
    response = team.post(reverse("payback:facility-create"), FACILITY_POST)

    assert response.status_code == 302
    facility = WelfareFacility.objects.get()
    assert (facility.has_toilets, facility.has_water, facility.has_shelter) == (True, True, False)
    assert facility.opening_hours == [
        {"day": 1, "opens": "09:00", "closes": "17:00"},
        {"day": 5, "opens": "10:00", "closes": "14:00"},
    ]
    assert facility.zone == zone

    edit = reverse("payback:facility-edit", kwargs={"pk": facility.pk})
    page = team.get(edit).content.decode()
    assert 'value="New Parks Community Centre"' in page
    assert 'name="opens_5" value="10:00"' in page
    team.post(edit, {**FACILITY_POST, "has_shelter": "on", "opens_5": "", "closes_5": ""})
    facility.refresh_from_db()
    assert facility.has_shelter
    assert facility.opening_hours == [{"day": 1, "opens": "09:00", "closes": "17:00"}]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"latitude": "", "longitude": ""}, "Give both latitude and longitude, or click the map."),
        ({"latitude": "40.7", "longitude": "-74.0"}, "is outside the UK"),
        ({"latitude": "north"}, "Enter the latitude as a number"),
        ({"closes_1": ""}, "Give both times for Tuesday, or neither."),
        ({"opens_1": "18:00"}, "Closing time must be after opening time."),
        ({"name": ""}, "Enter the facility's name."),
    ],
)
def test_a_bad_facility_is_a_400_and_keeps_what_was_typed(team, changes, message):
    response = team.post(reverse("payback:facility-create"), {**FACILITY_POST, **changes})

    assert response.status_code == 400
    assert message in _text(response)
    assert not WelfareFacility.objects.exists()
    if changes.get("name") != "":
        assert 'value="New Parks Community Centre"' in response.content.decode()


SITE_POST = {
    "name": "Brook path",
    "latitude": "52.639",
    "longitude": "-1.186",
    "description": "Clear the litter",
    "weekday_0": "1",
    "starts_0": "10:00",
    "ends_0": "13:00",
    "weekday_1": "5",
    "starts_1": "09:00",
    "ends_1": "12:00",
    "weekday_2": "",
    "starts_2": "",
    "ends_2": "",
}


def test_a_site_is_added_with_its_sessions(team):
    response = team.post(reverse("payback:site-create"), SITE_POST)

    assert response.status_code == 302
    site = PaybackSite.objects.get()
    assert [str(s) for s in site.sessions.all()] == ["Tuesday 10:00–13:00", "Saturday 09:00–12:00"]
    page = team.get(reverse("payback:site-edit", kwargs={"pk": site.pk})).content.decode()
    # Two sessions and two empty rows for more.
    assert 'name="weekday_3"' in page
    assert 'name="weekday_4"' not in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_1": "08:00"}, "Session 2 must end after it starts."),
        ({"weekday_1": ""}, "Choose the day of session 2."),
        ({"starts_0": "ten"}, "Enter a time like 09:30."),
        ({"weekday_0": "9"}, "Select a valid choice"),
    ],
)
def test_a_bad_session_is_a_400_and_nothing_is_saved(team, changes, message):
    response = team.post(reverse("payback:site-create"), {**SITE_POST, **changes})

    assert response.status_code == 400
    assert message in _text(response)
    assert not PaybackSite.objects.exists()
    assert 'value="Brook path"' in response.content.decode()


def test_facilities_are_copied_from_the_asset_map(team):
    libraries = CategoryFactory(slug="libraries", name="Libraries")
    AssetFactory(name="Central Library", categories=[libraries])

    response = team.post(
        reverse("payback:facility-copy"), {"categories": ["libraries"], "has_toilets": "on"}
    )

    assert response.status_code == 302
    facility = WelfareFacility.objects.get()
    assert (facility.name, facility.has_toilets, facility.has_water) == (
        "Central Library",
        True,
        False,
    )
    follow = team.get(response["Location"])
    assert "1 facility added, 0 updated, 0 already up to date" in _text(follow)

    refused = team.post(reverse("payback:facility-copy"), {"categories": []})
    assert refused.status_code == 400
    assert "Choose at least one category." in _text(refused)


@pytest.fixture
def payback_line():
    year = BudgetYearFactory(start_year=BudgetYear.start_year_for(timezone.localdate()))
    return BudgetLineFactory(year=year, title="Community Payback", amount=Decimal("500.00"))


def test_a_project_records_hours_and_materials(team, payback_line):
    site = PaybackSiteFactory(name="Brook path")
    today = timezone.localdate()

    response = team.post(
        reverse("payback:project-create"),
        {"site": site.pk, "title": "Clear the brook", "starts_on": today.isoformat()},
    )

    project = PaybackProject.objects.get()
    assert response["Location"] == reverse("payback:project-detail", kwargs={"pk": project.pk})
    assert project.budget_line == payback_line
    hours_url = reverse("payback:project-hours", kwargs={"pk": project.pk})
    materials_url = reverse("payback:project-materials", kwargs={"pk": project.pk})

    team.post(hours_url, {"worked_on": today.isoformat(), "hours": "18", "people": "6"})
    team.post(
        materials_url,
        {
            "description": "Litter pickers",
            "amount": "£120",
            "bought_on": today.isoformat(),
            "paid": "on",
        },
    )

    page = _text(team.get(reverse("payback:project-detail", kwargs={"pk": project.pk})))
    assert "Hours worked 18.0" in page
    assert "Materials committed £120.00 (paid £120.00)" in page
    assert HoursEntry.objects.get().people == 6
    assert Spend.objects.get().amount == Decimal("120.00")
    planner = _text(team.get(reverse("payback:planner")))
    assert "Clear the brook Brook path" in planner
    assert "18.0 £120.00 £120.00" in planner
    # The budget pages count the materials against the line.
    assert Commitment.objects.get().line == payback_line


def test_materials_over_the_line_are_refused_and_keep_what_was_typed(team, payback_line):
    project = PaybackProjectFactory(budget_line=payback_line)
    today = timezone.localdate().isoformat()

    response = team.post(
        reverse("payback:project-materials", kwargs={"pk": project.pk}),
        {"description": "A new fence", "amount": "£750.00", "bought_on": today},
    )

    assert response.status_code == 400
    assert "would over-commit it by £250.00" in _text(response)
    assert 'value="A new fence"' in response.content.decode()
    assert not MaterialsPurchase.objects.exists()
    assert not Commitment.objects.exists()


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"hours": "lots"}, "Enter the hours as a number, like 18 or 7.5."),
        ({"hours": "0"}, "Enter more than 0 hours."),
        ({"hours": "3", "worked_on": "2999-01-01"}, "Hours can only be recorded once worked."),
        ({"hours": "3", "worked_on": "31/02/2024"}, "Enter a real date"),
    ],
)
def test_bad_hours_are_a_400(team, post, message):
    project = PaybackProjectFactory()
    data = {"worked_on": datetime.date(2024, 6, 1).isoformat(), **post}

    response = team.post(reverse("payback:project-hours", kwargs={"pk": project.pk}), data)

    assert response.status_code == 400
    assert message in _text(response)
    assert not HoursEntry.objects.exists()


def test_a_project_that_ends_before_it_starts_is_refused(team):
    site = PaybackSiteFactory()

    response = team.post(
        reverse("payback:project-create"),
        {"site": site.pk, "title": "Paint", "starts_on": "2024-06-10", "ends_on": "2024-06-01"},
    )

    assert response.status_code == 400
    assert "A project must end on or after the day it starts." in _text(response)
    assert not PaybackProject.objects.exists()


def test_unknown_pages_are_404(team):
    assert team.get(reverse("payback:site-edit", kwargs={"pk": 999})).status_code == 404
    assert team.get(reverse("payback:project-detail", kwargs={"pk": 999})).status_code == 404
