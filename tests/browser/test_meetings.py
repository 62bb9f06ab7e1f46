import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peoplezones.accounts.tests.factories import PASSWORD, ZoneMembershipFactory
from peoplezones.governance.models import Member
from peoplezones.governance.tests.factories import MemberFactory, SteeringGroupFactory
from peoplezones.zones.tests.factories import ThemeFactory, ZoneFactory
from tests.browser.conftest import assert_accessible, assert_fits_the_screen

pytestmark = pytest.mark.browser


@pytest.fixture
def steering_group(transactional_db):
    zone = ZoneFactory(name="Bell Foundry", slug="bell-foundry")
    ThemeFactory(zone=zone, title="Community safety")
    group = SteeringGroupFactory(zone=zone, name="Bell Foundry Steering Group", action_prefix="BF")
    MemberFactory(group=group, name="Hidden Hartley", area="Storer Road")
    MemberFactory(group=group, name="Open Okafor", agreed_to_be_named=True)
    MemberFactory(
        group=group,
        name="Pat Police",
        sector=Member.Sector.POLICE,
        organisation="Leicestershire Police",
    )
    chair = ZoneMembershipFactory(zone=zone, role="chair").user
    return group, chair


def _sign_in(page, user):
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Your dashboard")


def _items(page):
    return page.locator("form[action$='/agenda/move/'] li strong").all_inner_texts()


def test_chair_runs_a_meeting_from_agenda_to_published_minutes(page, steering_group):
    _group, chair = steering_group
    _sign_in(page, chair)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    page.goto("/zones/bell-foundry/meetings/")
    assert_accessible(page)
    page.get_by_label("Date", exact=True).fill(yesterday.isoformat())
    page.get_by_label("Starts at").fill("18:30")
    page.get_by_label("Ends at (optional)").fill("20:00")
    page.get_by_label("Place (optional)").fill("Bell Foundry hall")
    page.get_by_role("button", name="Arrange the meeting").click()
    expect(page.get_by_text("The meeting is arranged.")).to_be_visible()
    assert_accessible(page)

    for title in ["Street lights", "Park clean-up"]:
        page.get_by_label("Item", exact=True).fill(title)
        page.get_by_label("Community safety").check()
        page.get_by_role("button", name="Add to the agenda").click()
        expect(page.get_by_text("The item is on the agenda.")).to_be_visible()
    page.get_by_role("button", name="Move up “Park clean-up”").click()
    expect(page.get_by_text("The agenda is in its new order.")).to_be_visible()
    assert _items(page) == ["Park clean-up", "Street lights"]

    page.get_by_role("group", name="Hidden Hartley").get_by_label("Present").check()
    page.get_by_role("group", name="Open Okafor").get_by_label("Present").check()
    page.get_by_role("group", name="Pat Police (Leicestershire Police)").get_by_label(
        "Apologies"
    ).check()
    page.get_by_label("Guest's name (optional)").fill("Gina Guest")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance is saved.")).to_be_visible()

    page.get_by_label("Minutes", exact=True).fill(
        "<p>Hidden Hartley opened the meeting.</p><script>alert('x')</script>"
    )
    page.get_by_label("Decisions").fill("Hidden Hartley will ask the council about the lights.")
    page.get_by_role("button", name="Save the minutes").click()
    expect(page.get_by_text("minutes cannot contain them")).to_be_visible()
    expect(page.locator(".pz-minutes")).to_have_text("Hidden Hartley opened the meeting.")
    assert_accessible(page)

    for button, status in [
        ("Circulate to members", "Circulated to members"),
        ("Approve", "Approved"),
        ("Publish", "Published"),
    ]:
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_text(f"The minutes are now “{status}”.")).to_be_visible()
    meeting_url = page.url

    page.get_by_role("button", name="Sign out").click()
    page.goto(meeting_url)
    expect(page.locator("h1")).to_contain_text("Meeting on")
    expect(page.locator(".pz-minutes")).to_have_text("a resident opened the meeting.")
    expect(page.get_by_text("Open Okafor")).to_be_visible()
    assert "Hartley" not in page.content()
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    assert_accessible(page)


def test_public_meeting_page_fits_a_phone(phone, steering_group):
    group, _chair = steering_group
    meeting = group.meetings.create(
        starts=timezone.now() - datetime.timedelta(days=3),
        place="Bell Foundry community hall, Storer Road",
        minutes="<p>Residents talked about the park and the street lights.</p>",
        decisions="Ask for a new bench.",
        minutes_status="published",
    )
    meeting.agenda_items.create(order=1, title="Street lights on the canal path")

    phone.goto(f"/meetings/{meeting.pk}/")

    expect(phone.locator("h1")).to_contain_text("Meeting on")
    assert_fits_the_screen(phone)
    assert_accessible(phone)
