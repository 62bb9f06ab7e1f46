"""The programme team's analysis pages in a real browser, checked by axe: impact against
comparison areas, and where the next zone should be (map tiles are refused, as offline)."""

import re

import pytest
from playwright.sync_api import expect

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import PASSWORD, UserFactory
from peoplezones.insight.tests.test_impact import make_zone_and_comparison, store_synthetic
from peoplezones.insight.tests.test_next_zone import build_grid
from tests.browser.conftest import assert_accessible, assert_fits_the_screen

pytestmark = pytest.mark.browser


@pytest.fixture
def analyst(transactional_db):
    return UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM])


@pytest.fixture
def impact_data(transactional_db):
    setup = make_zone_and_comparison()
    store_synthetic(setup, effect=0.7, seed=21)
    return setup


@pytest.fixture
def grid(transactional_db):
    return build_grid(
        ranks=lambda row, col: 100 + 50 * (row * 4 + col),
        crimes=lambda row, col: 1 + 3 * (15 - (row * 4 + col)) % 17,
    )


def _sign_in(page, user):
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Your dashboard")


def test_impact_page_estimates_the_change_and_explains_bad_input(page, analyst, impact_data):
    _sign_in(page, analyst)
    page.goto("/insight/impact/")
    expect(page.locator("h1")).to_have_text("Impact against comparison areas")
    assert_accessible(page)

    page.get_by_label("Zone").select_option("test-park")
    page.get_by_label("First month of the work").fill("2021-01")
    page.get_by_label("Burglary").check()
    page.get_by_role("button", name="Estimate the change").click()

    expect(page.get_by_role("heading", name="Test Park, from January 2021")).to_be_visible()
    expect(page.locator("#reading")).to_contain_text("lower than expected")
    expect(page.locator("#estimate-figures")).to_contain_text("95% confidence interval")
    expect(page.get_by_role("table", name="Month by month").locator("tbody tr")).to_have_count(24)
    expect(page.get_by_role("img", name=re.compile("Burglary per LSOA a month"))).to_be_visible()
    assert_accessible(page)

    page.get_by_label("First month of the work").fill("2999-01")
    page.get_by_role("button", name="Estimate the change").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("“2999-01” is in the future.")
    expect(page.get_by_label("First month of the work")).to_have_value("2999-01")
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("First month of the work")).to_be_focused()


def test_next_zone_page_ranks_sorts_and_maps_without_tiles(page, analyst, grid):
    _sign_in(page, analyst)
    page.goto("/insight/next-zone/")

    expect(page.locator("h1")).to_have_text("Where the next zone should be")
    expect(page.get_by_label("Deprivation (IMD 2019)")).to_have_value("0.4")
    page.wait_for_selector(".pz-map--ready")
    assert page.locator("#next-zone-map path.leaflet-interactive").count() >= 5
    assert any("tile.openstreetmap.org" in url for url in page.blocked_requests)
    assert_accessible(page)

    page.get_by_role("link", name="Crimes", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=crimes"))
    header = page.locator("#lsoa-table").get_by_role("columnheader", name="Crimes")
    expect(header).to_have_attribute("aria-sort", "descending")

    page.get_by_label("Deprivation (IMD 2019)").fill("-1")
    page.get_by_role("button", name="Rank the areas").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("A weight cannot be negative")
    expect(page.get_by_label("Deprivation (IMD 2019)")).to_have_value("-1")
    assert_accessible(page)


def test_next_zone_weights_work_without_javascript(page_without_js, analyst, grid):
    page = page_without_js
    _sign_in(page, analyst)
    page.goto("/insight/next-zone/")

    page.get_by_label("Deprivation (IMD 2019)").fill("1")
    page.get_by_label("Crime and anti-social behaviour").fill("0")
    page.get_by_label("Institutions and associations to work with").fill("0")
    page.get_by_role("button", name="Rank the areas").click()

    expect(page.locator("#weights-used")).to_contain_text("Deprivation 100 %")
    first_row = page.locator("#lsoa-table tbody tr").first
    expect(first_row).to_contain_text("Grid 00")
    # The map's place is there; the tables carry everything it would show.
    expect(
        page.get_by_role("region", name="Map of the top-scoring LSOAs and groups")
    ).to_be_attached()


def test_analysis_pages_fit_a_phone(phone, analyst, impact_data):
    build_grid(rows=3, cols=3)
    _sign_in(phone, analyst)
    for url in [
        "/insight/impact/?zone=test-park&start=2021-01",
        "/insight/next-zone/",
    ]:
        phone.goto(url)
        assert_fits_the_screen(phone)
        assert_accessible(phone)
