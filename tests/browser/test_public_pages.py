import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_fits_the_screen

pytestmark = pytest.mark.browser

ZONES = ["Bell Foundry", "New Parks", "Thringstone & Whitwick"]


def test_home_page_explains_the_programme_and_maps_the_zones(page, demo):
    page.goto("/")

    assert page.locator("h1").inner_text().startswith("People Zones")
    assert page.get_by_role("heading", name="What “asset based community development” means")
    for name in ZONES:
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    # Tiles are refused (no internet), yet the three zone outlines are drawn on the plain ground.
    page.wait_for_selector(".pz-map--ready")
    assert page.locator("#zones-map path.leaflet-interactive").count() == 3
    assert any("tile.openstreetmap.org" in url for url in page.blocked_requests)
    assert_accessible(page)


def test_zone_page_shows_boundary_authority_and_themes_in_order(page, demo):
    page.goto("/")
    page.get_by_role("link", name="New Parks", exact=True).click()

    expect(page).to_have_url(re.compile(r"/zones/new-parks/$"))
    expect(page.locator("h1")).to_have_text("New Parks")
    expect(page.get_by_text("Leicester City Council")).to_be_visible()
    themes = page.locator(".pz-theme-list__title").all_inner_texts()
    assert themes == [
        "Crime and Anti-Social Behaviour",
        "Community Safety",
        "Health and Wellbeing",
        "Substance Abuse",
        "Pride of Place",
    ]
    page.wait_for_selector(".pz-map--ready")
    assert page.locator("#zone-map path.leaflet-interactive").count() == 1
    expect(page.get_by_role("link", name="Zone boundary (open data)")).to_be_visible()
    assert page.get_by_text("coming soon").count() == 0
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/", "/zones/bell-foundry/", "/zones/thringstone-whitwick/"])
def test_pages_work_on_a_phone(phone, demo, path):
    phone.goto(path)

    assert_fits_the_screen(phone)
    assert_accessible(phone)


@pytest.mark.parametrize("path", ["/accessibility/", "/privacy/", "/no-such-page/"])
def test_footer_pages_are_accessible(page, demo, path):
    page.goto("/")
    page.goto(path)

    expect(page.get_by_role("link", name="Accessibility statement")).to_be_visible()
    expect(page.get_by_role("link", name="Privacy notice")).to_be_visible()
    assert_accessible(page)


def test_skip_link_is_the_first_thing_a_keyboard_reaches(page, demo):
    page.goto("/")

    page.keyboard.press("Tab")

    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main-content"


def test_urdu_lays_the_page_out_right_to_left(page, demo):
    page.goto("/zones/new-parks/")
    page.select_option("#language-switcher", "ur")
    page.get_by_role("button", name="Change language").click()

    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ur")
    expect(html).to_have_attribute("dir", "rtl")
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
    expect(page.locator(".pz-notice--partial-translation")).to_be_visible()
    # The service name sits at the right-hand end of the header, as it does on the left in English.
    box = page.locator(".pz-header__name").bounding_box()
    width = page.evaluate("() => document.documentElement.clientWidth")
    assert box["x"] > width / 2
    # The map itself is not mirrored: north stays up and west stays left.
    assert page.locator("#zone-map").get_attribute("dir") == "ltr"
    assert_accessible(page)
    assert_fits_the_screen(page)


def test_language_switcher_works_without_javascript(page_without_js, demo):
    page = page_without_js
    page.goto("/")
    page.select_option("#language-switcher", "pl")
    page.get_by_role("button", name="Change language").click()

    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page).to_have_url(re.compile(r"/$"))
