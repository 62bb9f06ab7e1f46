import datetime

import pytest
from playwright.sync_api import expect

from peoplezones.accounts.tests.factories import PASSWORD, ZoneMembershipFactory
from peoplezones.governance.models import Action
from peoplezones.governance.selectors import today
from peoplezones.governance.tests.factories import (
    MeetingFactory,
    MemberFactory,
    SteeringGroupFactory,
)
from peoplezones.zones.tests.factories import ThemeFactory, ZoneFactory
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def steering_group(transactional_db):
    """A zone with a steering group, a theme, a meeting, a member to own actions and a member
    with an account who signs in. Live-server tests flush the database, so it is made here."""
    zone = ZoneFactory(name="Bell Foundry", slug="bell-foundry")
    group = SteeringGroupFactory(zone=zone, name="Bell Foundry Steering Group", action_prefix="BF")
    ThemeFactory(zone=zone, title="Safer streets")
    MeetingFactory(group=group)
    MemberFactory(group=group, name="Asha Patel", organisation="Residents' association")
    user = ZoneMembershipFactory(zone=zone, user__email="member@example.org").user
    return group, user


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Your dashboard")


def test_member_adds_updates_and_closes_an_action(page, steering_group):
    group, user = steering_group
    _sign_in(page, user.email)

    page.goto("/zones/bell-foundry/actions/")
    expect(page.locator("h1")).to_have_text("Action log")
    assert_accessible(page)

    # No description: the error is explained and what was typed stays.
    page.get_by_label("Or an organisation, in words").fill("Charnwood Borough Council")
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what needs doing.")
    assert page.title().startswith("Error:")
    assert page.get_by_label("Or an organisation, in words").input_value() == (
        "Charnwood Borough Council"
    )
    assert_accessible(page)

    due = today() + datetime.timedelta(days=2)
    page.get_by_label("What needs doing").fill("Ask the council about the canal path lights")
    page.get_by_label("Theme").last.select_option(label="Safer streets")
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("button", name="Add the action").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action BF-001 added.")
    row = page.get_by_role("row").filter(has_text="BF-001")
    expect(row).to_contain_text("Charnwood Borough Council")
    expect(row).to_contain_text("Due soon")
    assert_accessible(page)

    row.get_by_role("link", name="BF-001").click()
    expect(page.locator("h1")).to_have_text("Action BF-001")
    page.get_by_label("Update").fill("Emailed the lighting team")
    page.get_by_label("In progress").check()
    page.get_by_role("button", name="Save the update").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Update to BF-001 saved.")
    expect(page.locator(".pz-timeline")).to_contain_text("Emailed the lighting team")
    expect(page.locator(".pz-timeline")).to_contain_text("from Open to In progress")
    assert_accessible(page)

    page.get_by_label("Done").check()
    page.get_by_role("button", name="Save the update").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("closed as “Done”")
    assert_accessible(page)

    action = Action.objects.get(group=group)
    assert action.status == Action.Status.DONE
    assert action.closed_at is not None
    assert action.due == due
