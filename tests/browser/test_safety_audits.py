import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from peoplezones.audits.models import Issue
from tests.browser.conftest import _new_page, assert_accessible, assert_fits_the_screen

pytestmark = pytest.mark.browser


@pytest.fixture
def audit_demo(demo):
    cache.clear()


def test_report_a_street_light_by_pictures_and_pin(page, audit_demo):
    page.goto("/audits/bell-foundry-lighting/")
    assert_accessible(page)
    page.get_by_role("link", name="Report a problem").first.click()
    expect(page.get_by_role("heading", name="Report a problem")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Street light").click()
    page.wait_for_selector("#pin-map.pz-map--ready")
    box = page.locator("#pin-map").bounding_box()
    page.locator("#pin-map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    page.get_by_label("Light is out").check()
    page.get_by_label("What is the problem? (optional)").fill("Dark by the garages")
    page.get_by_role("button", name="Send the report").click()

    if page.get_by_role("heading", name="Is it one of these?").count():
        page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", name="Thank you for your report")).to_be_visible()
    assert_accessible(page)
    issue = Issue.objects.get(description="Dark by the garages")
    assert issue.state == "open"
    assert issue.attributes == {"fault": "Light is out"}
    assert issue.audit.slug == "bell-foundry-lighting"


def test_issue_page_shows_the_timeline_and_hides_the_reporter(page, audit_demo):
    issue = Issue.objects.filter(state="action_scheduled").first()
    Issue.objects.filter(pk=issue.pk).update(reporter_email="hidden.person@example.net")

    page.goto(issue.get_absolute_url())

    expect(page.get_by_role("heading", name="What has happened")).to_be_visible()
    expect(page.get_by_text("The council has planned the work.")).to_be_visible()
    assert "hidden.person@example.net" not in page.content()
    page.wait_for_selector(".pz-map--ready")
    assert_accessible(page)


def test_zone_problem_map_and_list(page, audit_demo):
    page.goto("/zones/bell-foundry/issues/")

    expect(page.get_by_role("heading", name=re.compile(r"\d+ problems"))).to_be_visible()
    page.get_by_label("State").select_option("open")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector(".pz-map--ready")
    assert_accessible(page)


def test_reporting_works_on_a_phone(phone, audit_demo):
    phone.goto("/issues/report/?audit=bell-foundry-lighting")
    assert_fits_the_screen(phone)
    phone.get_by_role("link", name="Street light").click()
    assert_fits_the_screen(phone)
    assert_accessible(phone)


def test_staff_queue_and_dashboard_are_accessible(browser, live_server, audit_demo):
    context, page = _new_page(browser, live_server)
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill("moderator@example.org")
    page.get_by_label("Password").fill("people-zones-demo")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Check new problem reports").click()
    assert_accessible(page)
    page.goto("/issues/staff/dashboard/")
    assert_accessible(page)
    context.close()
