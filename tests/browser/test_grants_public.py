"""Public grants pages in a real browser: rounds, a round, funding tables and an award page pass
axe (WCAG 2.2 A and AA), fit a phone's screen, and the filters work without JavaScript."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peoplezones.grants.tests.factories import GrantRoundFactory
from peoplezones.grants.tests.test_public_views import seed_2022_23
from tests.browser.conftest import assert_accessible, assert_fits_the_screen

pytestmark = pytest.mark.browser

NEW_PARKS_ROUND = "People Zone Grants 2022/23 - New Parks"


def _london_day(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def grants(transactional_db):
    data = seed_2022_23()
    zones = list(data["zones"].values())
    data["open_round"] = GrantRoundFactory(
        name="People Zones Grants 2030/31 – Round 1",
        slug="round-1-open",
        zones=zones,
        opens_at=_london_day(-2, 9),
        closes_at=_london_day(20, 17),
        budget_year=data["year"],
    )
    data["upcoming_round"] = GrantRoundFactory(
        name="People Zones Grants 2030/31 – Round 2",
        slug="round-2-upcoming",
        zones=zones[:1],
        opens_at=_london_day(10, 9),
        closes_at=_london_day(38, 17),
        budget_year=data["year"],
    )
    return data


def test_rounds_list_and_round_page(page, grants):
    page.goto("/grants/")

    expect(page.locator("h1")).to_have_text("Grants")
    open_round = page.get_by_role("link", name="People Zones Grants 2030/31 – Round 1")
    expect(open_round).to_be_visible()
    expect(page.get_by_role("link", name=NEW_PARKS_ROUND)).to_be_visible()
    assert_accessible(page)

    open_round.click()
    expect(page.locator("h1")).to_have_text("People Zones Grants 2030/31 – Round 1")
    expect(page.get_by_text("Closes 17:00", exact=False)).to_be_visible()
    expect(page.get_by_text("(UK time)", exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name="What your project must address")).to_be_visible()
    expect(page.get_by_role("heading", name="How to apply")).to_be_visible()
    expect(page.get_by_text("Substance Abuse")).to_be_visible()
    assert_accessible(page)


def test_past_round_page_links_to_its_funding_table(page, grants):
    page.goto("/grants/")
    page.get_by_role("link", name=NEW_PARKS_ROUND).click()

    expect(page.get_by_text("Opened 09:00 Monday 13 February 2023 (UK time)")).to_be_visible()
    expect(page.get_by_text("no longer takes applications")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="See the 6 grants awarded in this round").click()
    expect(page.locator("h1")).to_have_text(NEW_PARKS_ROUND)
    expect(page.locator("[data-total=zone]")).to_have_text("£38,261.06")
    expect(page.get_by_text("Total for the round: £38,261.06")).to_be_visible()
    assert_accessible(page)


def test_funding_tables_filter_without_javascript(page_without_js, grants):
    page = page_without_js
    page.goto("/grants/funding/")
    expect(page.get_by_text("12 grants: £62,408.06 in all.")).to_be_visible()

    page.get_by_label("Zone", exact=True).select_option(label="Thringstone & Whitwick")
    page.get_by_label("Budget year", exact=True).select_option("2022/23")
    page.get_by_role("button", name="Show funding").click()

    expect(
        page.get_by_text("4 grants to Thringstone & Whitwick in 2022/23: £14,197.00")
    ).to_be_visible()
    expect(page.locator("caption")).to_have_text(["Thringstone & Whitwick"])
    assert "Venny Social Spot" not in page.content()


def test_funding_tables_page_and_a_bad_filter(page, grants):
    page.goto("/grants/funding/")
    expect(page.locator("caption")).to_have_count(3)
    assert_accessible(page)

    page.goto("/grants/funding/?year=2099%2F00")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(
        page.get_by_role("link", name="“2099/00” is not a budget year", exact=False)
    ).to_be_visible()
    assert_accessible(page)


def test_award_page(page, grants):
    page.goto("/grants/funding/")
    page.get_by_role("link", name="Venny Social Spot").click()

    expect(page.locator("h1")).to_have_text("Venny Social Spot")
    expect(
        page.get_by_text("A grant of £9,135.00 to New Parks Adventure Playground.")
    ).to_be_visible()
    expect(page.get_by_text("Send a monitoring return after six months.")).to_be_visible()
    assert "priya" not in page.content().lower()
    assert_accessible(page)


def _phone_paths(grants) -> list[str]:
    award = next(a for a in grants["awards"] if a.application.project_name == "Venny Social Spot")
    new_parks = grants["rounds"]["new-parks"]
    return [
        "/grants/",
        grants["open_round"].get_absolute_url(),
        f"/grants/rounds/{new_parks.slug}/funding/",
        "/grants/funding/",
        "/grants/zones/new-parks/",
        "/grants/awards/",
        award.get_absolute_url(),
    ]


def test_grants_pages_fit_a_phone(phone, grants):
    for path in _phone_paths(grants):
        phone.goto(path)
        assert_fits_the_screen(phone)
        assert_accessible(phone)
