import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from playwright.sync_api import expect

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import PASSWORD, UserFactory
from peoplezones.assets.models import Asset
from peoplezones.assets.selectors import asset_list
from peoplezones.assets.tests.factories import AssetFactory, CategoryFactory, EventFactory
from tests.browser.conftest import assert_accessible, assert_fits_the_screen

pytestmark = pytest.mark.browser


@pytest.fixture
def asset_map(demo):
    cache.clear()
    food = CategoryFactory(slug="food", name="Food", colour="#00703c")
    banks = CategoryFactory(slug="food-banks", name="Food banks and pantries", parent=food)
    from peoplezones.zones.models import Zone

    zone = Zone.objects.get(slug="new-parks")
    pantry = AssetFactory(
        name="New Parks Pantry",
        zone=zone,
        latitude=52.6422,
        longitude=-1.1889,
        categories=[banks],
        opening_hours=[{"day": 1, "opens": "10:00", "closes": "12:00"}],
        accessibility="Step-free entrance",
    )
    for i in range(30):
        AssetFactory(name=f"Group {i:02d}", zone=zone, latitude=52.640 + i / 5000, longitude=-1.19)
    AssetFactory(name="Safe House", zone=zone, sensitive=True)
    EventFactory(title="Pantry open day", asset=pantry, zone=zone)
    return {"zone": zone, "pantry": pantry}


def test_zone_map_shows_clustered_markers_and_an_accessible_list(page, asset_map):
    page.goto("/zones/new-parks/map/")

    public = asset_list(user=AnonymousUser(), zone=asset_map["zone"])
    expect(page.locator("h1")).to_have_text("Community asset map")
    expect(page.get_by_role("heading", name=f"{public.count()} results")).to_be_visible()
    page.wait_for_selector(".pz-map--ready")
    markers = public.filter(sensitive=False).count()
    assert page.locator("#asset-map").get_attribute("data-markers") == str(markers)
    assert page.locator(".marker-cluster").count() >= 1
    assert_accessible(page)

    page.get_by_role("textbox", name="Search").fill("New Parks Pantry")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    expect(page.get_by_role("link", name="New Parks Pantry")).to_be_visible()


def test_list_works_without_javascript(page_without_js, asset_map):
    page = page_without_js
    page.goto("/zones/new-parks/map/")

    page.get_by_role("textbox", name="Search").fill("New Parks Pantry")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    expect(page.get_by_role("link", name="New Parks Pantry")).to_be_visible()


def test_asset_page_shows_details_hours_and_events(page, asset_map):
    page.goto(asset_map["pantry"].get_absolute_url())

    expect(page.locator("h1")).to_have_text("New Parks Pantry")
    expect(page.get_by_role("cell", name="10:00")).to_be_visible()
    expect(page.get_by_text("Step-free entrance")).to_be_visible()
    expect(page.get_by_role("link", name="Pantry open day")).to_be_visible()
    expect(page.get_by_role("link", name="Suggest a change")).to_be_visible()
    expect(page.get_by_role("link", name="Report a problem with this listing")).to_be_visible()
    page.wait_for_selector(".pz-map--ready")
    assert_accessible(page)


def test_phone_layout_of_map_and_asset_pages(phone, asset_map):
    for path in ["/zones/new-parks/map/", asset_map["pantry"].get_absolute_url(), "/assets/add/"]:
        phone.goto(path)
        assert_fits_the_screen(phone)


def test_add_an_asset_then_a_moderator_publishes_it(browser, live_server, asset_map):
    from tests.browser.conftest import _new_page

    context, page = _new_page(browser, live_server)
    page.goto("/zones/new-parks/map/")
    page.get_by_role("link", name="Add an asset").click()
    assert_accessible(page)

    page.get_by_label("Name", exact=True).fill("Glenfield Road Allotments")
    page.get_by_label("What it is and who it is for").fill("Shared plots and a tea hut")
    page.get_by_label("Physical space").check()
    page.get_by_label("Food › Food banks and pantries").check()
    page.wait_for_selector("#pin-map.pz-map--ready")
    box = page.locator("#pin-map").bounding_box()
    page.locator("#pin-map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    assert page.get_by_label("Latitude").input_value() != ""
    page.get_by_label("Your email address (optional)").fill("grower@example.net")
    page.get_by_role("button", name="Send for checking").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert_accessible(page)

    asset = Asset.objects.get(name="Glenfield Road Allotments")
    assert asset.status == "pending"
    page.goto(asset.get_absolute_url())
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    context.close()

    UserFactory(email="mod@example.org", roles=[ProgrammeRole.MODERATOR])
    context, page = _new_page(browser, live_server)
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill("mod@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Go to the moderation queue").click()
    assert_accessible(page)
    page.get_by_role("link", name="Glenfield Road Allotments").click()
    expect(page.get_by_text("grower@example.net")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Done.")).to_be_visible()
    context.close()

    asset.refresh_from_db()
    assert asset.status == "published"
    context, page = _new_page(browser, live_server)
    page.goto(asset.get_absolute_url())
    expect(page.locator("h1")).to_have_text("Glenfield Road Allotments")
    assert "grower@example.net" not in page.content()
    context.close()


def test_add_form_errors_keep_the_typing_and_are_accessible(page, asset_map):
    page.goto("/assets/add/")
    page.get_by_label("What it is and who it is for").fill("A description I do not want to lose")
    page.get_by_role("button", name="Send for checking").click()

    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error:"))
    assert page.get_by_label("What it is and who it is for").input_value() == (
        "A description I do not want to lose"
    )
    assert_accessible(page)


def test_report_and_events_pages_are_accessible(page, asset_map):
    page.goto(asset_map["pantry"].get_absolute_url())
    page.get_by_role("link", name="Report a problem with this listing").click()
    assert_accessible(page)
    page.goto("/zones/new-parks/events/")
    expect(page.get_by_role("link", name="Pantry open day")).to_be_visible()
    assert_accessible(page)
    page.goto("/map/")
    assert_accessible(page)
