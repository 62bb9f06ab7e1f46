"""Crime and place insight in a real browser, checked by axe: the public crime section of a zone
(also on a phone), a hotspot run asked for on the staff page and followed to its result, and the
Crimestoppers targeting pages."""

import datetime

import pytest
from playwright.sync_api import expect

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import PASSWORD, UserFactory
from peoplezones.insight import hotspots as engine
from peoplezones.insight import tasks
from peoplezones.insight.crimestoppers import ensure_default_theme_crime_types
from peoplezones.insight.models import HotspotRun, ThemeCrimeTypes
from peoplezones.insight.tests.test_crime_pages import make_places
from peoplezones.insight.tests.test_crimestoppers import make_drugs
from peoplezones.insight.tests.test_hotspots_command import crimes_in_zone
from peoplezones.zones.tests.factories import ZoneFactory
from tests.browser.conftest import assert_accessible, assert_fits_the_screen

pytestmark = pytest.mark.browser


@pytest.fixture
def places(transactional_db):
    return make_places()


@pytest.fixture
def analyst(transactional_db):
    return UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM])


def _sign_in(page, user):
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Your dashboard")


def test_public_crime_section_reads_as_tables_and_a_described_chart(page, places):
    zone = places["zone"]
    page.goto(zone.get_absolute_url())
    page.get_by_role("link", name="Crime and anti-social behaviour").click()

    expect(page.locator("h1")).to_have_text("Crime and anti-social behaviour")
    page.get_by_label("From month").fill("2021-01")
    page.get_by_label("To month").fill("2021-03")
    page.get_by_role("button", name="Show these months").click()
    table = page.get_by_role("table", name="Month by month: All crime")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="Jan 2021 6 3.0 4.8 4.5")).to_be_visible()
    expect(
        page.get_by_role("img", name="All crime per LSOA a month, Jan 2021 to Mar 2021")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("From month").fill("2021-13")
    page.get_by_role("button", name="Show these months").click()
    expect(page.get_by_role("alert")).to_contain_text("“2021-13” is not a month")
    expect(page.get_by_label("From month")).to_have_value("2021-13")
    assert_accessible(page)


def test_public_crime_section_fits_a_phone(phone, places):
    phone.goto(f"/zones/{places['zone'].slug}/crime/?month_from=2021-01&month_to=2021-03")

    expect(phone.get_by_role("table", name="Crime by type, Jan 2021 to Mar 2021")).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)


def test_a_hotspot_run_asked_for_on_the_page_shows_its_map_and_top_cells(page, analyst):
    zone = ZoneFactory(name="Hot Zone", slug="hot-zone")
    crimes_in_zone()
    _sign_in(page, analyst)

    page.goto("/insight/")
    expect(page.locator("h1")).to_have_text("Crime and place insight")
    assert_accessible(page)
    page.get_by_role("link", name="Hotspot analysis").click()
    assert_accessible(page)
    page.get_by_label("A zone (with a buffer if you want)").check()
    page.get_by_label("Zone", exact=True).select_option(zone.slug)
    page.get_by_label("From month").fill("2020-03")
    page.get_by_label("To month").fill("2020-03")
    page.get_by_label("Cell size, in metres").fill("50")
    page.get_by_label("Distance band, in metres").fill("150")
    page.get_by_role("button", name="Run the analysis").click()

    run = HotspotRun.objects.get()
    expect(page.locator("h1")).to_have_text(f"Hotspot run {run.pk}")
    expect(page.get_by_text("Status: done")).to_be_visible()
    expect(page.get_by_role("img", name="Hot and cold spots: Hot Zone")).to_be_visible()
    expect(page.get_by_role("table", name="Top hot cells, strongest first")).to_contain_text(
        "On or near Test Street"
    )
    expect(page.get_by_role("link", name=f"CSV of run {run.pk}")).to_be_visible()
    assert_accessible(page)


def test_a_hotspot_run_on_h3_hexagons_draws_hexagons_and_names_them(page, analyst):
    zone = ZoneFactory(name="Hex Zone", slug="hex-zone")
    crimes_in_zone()
    _sign_in(page, analyst)

    page.goto("/insight/hotspots/")
    page.get_by_label("A zone (with a buffer if you want)").check()
    page.get_by_label("Zone", exact=True).select_option(zone.slug)
    page.get_by_label("From month").fill("2020-03")
    page.get_by_label("To month").fill("2020-03")
    page.get_by_label("H3 hexagons, of the resolution below").check()
    page.get_by_label("H3 resolution (hexagons)").select_option("11")
    page.get_by_label("Distance band, in metres").fill("150")
    page.get_by_role("button", name="Run the analysis").click()

    run = HotspotRun.objects.get()
    assert (run.grid, run.h3_resolution) == ("h3", 11)
    expect(page.locator("h1")).to_have_text(f"Hotspot run {run.pk}")
    hexagon_map = page.get_by_role("img", name="Hot and cold spots: Hex Zone")
    expect(hexagon_map).to_be_visible()
    table = page.get_by_role("table", name="Top hot cells, strongest first")
    expect(table.get_by_role("columnheader", name="H3 hexagon")).to_be_visible()
    expect(table).to_contain_text("8b19")  # H3 indexes of resolution 11 round Leicester
    assert_accessible(page)


def _queued_run(zone) -> HotspotRun:
    month = datetime.date(2020, 3, 1)
    return HotspotRun.objects.create(
        area=f"zone:{zone.slug}",
        area_label=zone.name,
        zone=zone,
        month_from=month,
        month_to=month,
        cell_size=150,
        band=450,
        bandwidth=450,
        method_version=engine.METHOD_VERSION,
        status=HotspotRun.Status.QUEUED,
        progress=0,
    )


def test_a_waiting_run_page_updates_itself_when_the_run_finishes(page, analyst):
    zone = ZoneFactory(name="Hot Zone", slug="hot-zone")
    crimes_in_zone()
    run = _queued_run(zone)
    _sign_in(page, analyst)

    page.goto(f"/insight/hotspots/{run.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Status: waiting to start")
    expect(page.get_by_label("Progress")).to_have_attribute("value", "0")
    assert_accessible(page)

    tasks.run_hotspot_analysis.call(run_id=run.pk)  # a worker does the work meanwhile

    expect(page.get_by_role("heading", name="Map", exact=True)).to_be_visible()
    expect(page.get_by_text("Status: done")).to_be_visible()


def test_a_waiting_run_page_refreshes_without_javascript(page_without_js, analyst):
    page = page_without_js
    zone = ZoneFactory(name="Hot Zone", slug="hot-zone")
    crimes_in_zone()
    run = _queued_run(zone)
    _sign_in(page, analyst)

    page.goto(f"/insight/hotspots/{run.pk}/")
    expect(page.get_by_text("Status: waiting to start")).to_be_visible()
    expect(page.get_by_role("link", name="Check now")).to_be_visible()

    tasks.run_hotspot_analysis.call(run_id=run.pk)

    expect(page.get_by_role("heading", name="Map", exact=True)).to_be_visible(timeout=15_000)


def test_crimestoppers_pages_rank_streets_and_print_a_static_map(page, analyst):
    ensure_default_theme_crime_types(ThemeCrimeTypes)  # live-server tests start empty
    zone = make_drugs(ZoneFactory(name="Drug Zone", slug="drug-zone"))
    _sign_in(page, analyst)

    page.goto("/insight/crimestoppers/")
    page.get_by_role("link", name="Drug Zone").click()

    streets = page.get_by_role("table", name="Streets ranked by hotspot strength")
    expect(streets.get_by_role("row").nth(1)).to_contain_text("On or near Drug Lane")
    expect(
        page.get_by_role("img", name="Hot spots of the linked crime types in and around Drug Zone")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Printable map and list for a leaflet drop").click()
    expect(page.locator("h1")).to_have_text("Leaflet drop: Drug Zone")
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("header.govuk-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print this page")).to_be_hidden()
    page.emulate_media(media="screen")
    assert_accessible(page)
    assert page.blocked_requests == []  # nothing to fetch from outside: no tiles
    assert zone.pk
