"""The payback planner in a real browser: the plan with its map, checked by axe, on a desktop
and a phone, and the site form with and without JavaScript."""

import pytest
from playwright.sync_api import expect

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import PASSWORD, UserFactory
from peoplezones.payback.models import PaybackSite
from peoplezones.payback.tests.factories import PaybackSiteFactory, WelfareFacilityFactory
from tests.browser.conftest import assert_accessible, assert_fits_the_screen

pytestmark = pytest.mark.browser


@pytest.fixture
def planner(transactional_db):
    WelfareFacilityFactory(name="Braunstone Library", latitude=52.638, longitude=-1.185)
    WelfareFacilityFactory(
        name="Park toilets", latitude=52.645, longitude=-1.19, has_water=False, always_open=True
    )
    PaybackSiteFactory(name="Brook path", latitude=52.639, longitude=-1.186)
    PaybackSiteFactory(name="Far field", latitude=52.650, longitude=-1.185)
    PaybackSiteFactory(name="Saturday verge", sessions=[(5, "09:00", "12:00")])
    return UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM])


def _sign_in(page, user):
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Your dashboard")


def test_the_planner_shows_the_plan_and_its_map_accessibly(page, planner):
    _sign_in(page, planner)
    page.goto("/payback/")

    expect(page.locator("h1")).to_have_text("Community Payback planner")
    expect(page.get_by_role("heading", name="Sites: 1 of 3 qualifies")).to_be_visible()
    page.wait_for_selector(".pz-map--ready")
    map_element = page.locator("#payback-map")
    assert map_element.get_attribute("data-sites") == "3"
    assert map_element.get_attribute("data-facilities") == "2"
    # The straight-line reachable area: a circle round the facility with what is needed.
    assert page.locator("#payback-map path.leaflet-interactive, #payback-map path").count() >= 1
    table = page.locator("#sites-table")
    expect(table).to_contain_text("16.7 minutes away")
    expect(table).to_contain_text("no facility with toilets and water is open all through it")
    assert_accessible(page)

    # The slower pace, chosen on the page.
    page.get_by_text("Change the walking time, pace or what a facility must have").click()
    page.get_by_label("50 metres a minute (slower, for people who walk more slowly)").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="Sites: 1 of 3 qualifies")).to_be_visible()
    page.get_by_label("Walking time to a facility, in minutes").fill("ten")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the walking time as a whole number of minutes"
    )
    assert_accessible(page)
    assert not page.blocked_requests or all("tile" in url for url in page.blocked_requests)


def test_a_site_is_placed_by_clicking_the_map(page, planner):
    _sign_in(page, planner)
    page.goto("/payback/sites/new/")

    expect(page.locator("h1")).to_have_text("Add a payback site")
    page.wait_for_selector("#pin-map.pz-map--ready")
    assert_accessible(page)
    page.get_by_label("Name").fill("Canal towpath")
    page.locator("#pin-map").click(position={"x": 150, "y": 120})
    expect(page.get_by_label("Latitude")).not_to_have_value("")
    page.get_by_label("Latitude").fill("52.6395")
    page.get_by_label("Longitude").fill("-1.1862")
    page.get_by_label("Session 1: day").select_option(label="Wednesday")
    page.get_by_label("Session 1: starts").fill("13:00")
    page.get_by_label("Session 1: ends").fill("16:00")
    page.get_by_role("button", name="Add the site").click()

    expect(page.get_by_text("“Canal towpath” added.")).to_be_visible()
    expect(page.locator("#sites-table")).to_contain_text("Canal towpath Wednesday 13:00–16:00")
    site = PaybackSite.objects.get(name="Canal towpath")
    assert (site.latitude, site.longitude) == (52.6395, -1.1862)


def test_the_site_form_works_without_javascript(page_without_js, planner):
    page = page_without_js
    _sign_in(page, planner)
    page.goto("/payback/sites/new/")

    page.get_by_label("Name").fill("Allotment hedge")
    page.get_by_label("Latitude").fill("52.6392")
    page.get_by_label("Longitude").fill("-1.1858")
    page.get_by_label("Session 1: day").select_option(label="Thursday")
    page.get_by_label("Session 1: starts").fill("10:00")
    page.get_by_label("Session 1: ends").fill("09:00")
    page.get_by_role("button", name="Add the site").click()

    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Session 1 must end after it starts."
    )
    expect(page.get_by_label("Name")).to_have_value("Allotment hedge")
    page.get_by_label("Session 1: ends").fill("12:00")
    page.get_by_role("button", name="Add the site").click()
    expect(page.locator("#sites-table")).to_contain_text("Allotment hedge Thursday 10:00–12:00")


def test_the_planner_fits_a_phone(phone, planner):
    _sign_in(phone, planner)
    for url in ["/payback/", "/payback/sites/new/", "/payback/facilities/new/"]:
        phone.goto(url)
        phone.wait_for_selector(".pz-map--ready")
        assert_fits_the_screen(phone)
        assert_accessible(phone)
