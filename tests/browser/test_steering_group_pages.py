import re

import pytest
from playwright.sync_api import expect

from peoplezones.governance.models import Member
from tests.browser.conftest import assert_accessible, assert_fits_the_screen

pytestmark = pytest.mark.browser

ZONES = ["bell-foundry", "new-parks", "thringstone-whitwick"]


def _unnamed_residents(slug: str) -> list[str]:
    return [
        member.name
        for member in Member.objects.filter(group__zone__slug=slug)
        if not member.may_be_named
    ]


def test_zone_page_links_to_the_steering_group_page(page, demo):
    page.goto("/zones/new-parks/")
    page.get_by_role("link", name="Steering group").click()

    expect(page).to_have_url(re.compile(r"/zones/new-parks/steering-group/$"))
    expect(page.locator("h1")).to_have_text("New Parks People Zone Steering Group")
    expect(page.get_by_text("Chaired by a resident")).to_be_visible()
    expect(page.get_by_role("table", name="Members by sector")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Overdue")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("slug", ZONES)
def test_steering_group_page_fits_a_phone_and_names_nobody_who_did_not_agree(phone, demo, slug):
    hidden = _unnamed_residents(slug)
    assert hidden

    phone.goto(f"/zones/{slug}/steering-group/")

    expect(phone.get_by_role("heading", name="Who is on the group")).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    text = phone.content()
    assert [name for name in hidden if name in text] == []


def test_initiative_pages_are_accessible_on_a_phone(phone, demo):
    phone.goto("/initiatives/?zone=new-parks")
    assert_fits_the_screen(phone)
    assert_accessible(phone)

    phone.get_by_role("link", name="Wellbeing garden, New Parks community hub").click()
    expect(phone.locator("h1")).to_have_text("Wellbeing garden, New Parks community hub")
    expect(phone.get_by_text("1,240 hours")).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)

    phone.goto("/initiatives/community-leadership-programme-cohort/")
    expect(phone.get_by_text("Participants' names stay private.")).to_be_visible()
    assert "Casey Demoworth" not in phone.content()
    assert_fits_the_screen(phone)
    assert_accessible(phone)


def _record_an_output(page, value: str) -> None:
    page.get_by_label("What was counted").fill("pupils taking part")
    page.get_by_label("Number").fill(value)
    page.get_by_role("button", name="Record the output").click()


def _sign_in_to_mini_police(page) -> None:
    page.goto("/accounts/sign-in/?next=/initiatives/mini-police/")
    page.get_by_label("Email address").fill("programme.team@example.org")
    page.get_by_label("Password").fill("people-zones-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("group", name="Record an output")).to_be_visible()


def test_programme_team_forms_and_their_errors_are_accessible(page, demo):
    _sign_in_to_mini_police(page)
    assert_accessible(page)

    _record_an_output(page, "-3")

    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("What was counted")).to_have_value("pupils taking part")
    assert_accessible(page)


def test_programme_team_records_an_output_without_javascript(page_without_js, demo):
    _sign_in_to_mini_police(page_without_js)

    _record_an_output(page_without_js, "-3")
    expect(page_without_js.get_by_text("The number cannot be negative.").first).to_be_visible()
    _record_an_output(page_without_js, "1,500")

    expect(page_without_js.get_by_text("1,500 pupils taking part")).to_be_visible()
