"""A new applicant signs up, confirms their address, applies from start to submission and finds
the application on their dashboard; the form on a phone and without JavaScript."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from peoplezones.accounts.tests.factories import PASSWORD, UserFactory
from peoplezones.grants.models import Application
from peoplezones.grants.tests.factories import GrantRoundFactory, OrganisationFactory
from peoplezones.zones.tests.factories import ThemeFactory, ZoneFactory
from tests.browser.conftest import assert_accessible, assert_fits_the_screen

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def grant_round(transactional_db):
    zone = ZoneFactory(name="New Parks", slug="new-parks")
    ThemeFactory(zone=zone, title="Crime and Anti-Social Behaviour")
    ThemeFactory(zone=zone, title="Young people")
    return GrantRoundFactory(
        name="New Parks Community Grants 2026", slug="new-parks-2026", zones=[zone]
    )


def _verified_user(**kwargs):
    user = UserFactory(**kwargs)
    user.email_verified_at = timezone.now()
    user.save()
    return user


def _sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _fill_budget(page, rows) -> None:
    for number, (item, cost) in enumerate(rows, start=1):
        page.get_by_label(f"Item {number}", exact=True).fill(item)
        page.get_by_label(f"Cost of item {number}", exact=True).fill(cost)


def _fill_the_rest(page) -> None:
    page.get_by_label("What will the project do?").fill(
        "Weekly sessions and three trips for young people on the estate."
    )
    page.get_by_label("How much are you asking for?").fill("£4,800")
    _fill_budget(page, [("Hall hire, 12 sessions", "£3,000"), ("Coach for three trips", "1800")])
    page.get_by_label("Young people").check()
    page.get_by_label("Who will benefit?").fill("Young people living on the estate")
    page.get_by_label("How many people?").fill("40")
    page.get_by_label("Their ages").fill("11 to 16")
    page.get_by_label("We are a not-for-profit group.").check()
    page.get_by_label("The project benefits people in the zone.").check()
    page.get_by_role(
        "group", name="Does the organisation have a safeguarding policy?"
    ).get_by_label("Yes").check()
    page.get_by_role(
        "group", name="Does the organisation have public liability insurance?"
    ).get_by_label("Yes").check()
    page.get_by_label("Contact's full name").fill("Private Contact Person")
    page.get_by_label("Contact's email address").fill("private.contact@example.org")
    page.get_by_label("Contact's phone number").fill("07700 900123")


def test_a_new_applicant_signs_up_confirms_and_submits(page, grant_round):
    apply_path = f"/grants/rounds/{grant_round.slug}/apply/"
    page.goto(apply_path)
    expect(page.locator("h1")).to_have_text("Sign in")
    page.get_by_role("link", name="Create an account").click()
    expect(page.locator("h1")).to_have_text("Create an account")
    assert_accessible(page)

    # A mistake first: the page explains it and keeps what was typed.
    page.get_by_label("Full name").fill("Asha Patel")
    page.get_by_label("Email address").fill("asha@example.org")
    page.get_by_label("Password", exact=True).fill("lantern-quarry-41-mosaic")
    page.get_by_label("Type the password again").fill("lantern-quarry-41-mosaiq")
    page.get_by_role("button", name="Create the account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The passwords do not match")
    assert page.get_by_label("Full name").input_value() == "Asha Patel"
    assert_accessible(page)
    page.get_by_label("Password", exact=True).fill("lantern-quarry-41-mosaic")
    page.get_by_label("Type the password again").fill("lantern-quarry-41-mosaic")
    page.get_by_role("button", name="Create the account").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    assert_accessible(page)

    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    page.goto(link.group(1))
    expect(page.locator("h1")).to_have_text("Your email address is confirmed")
    assert_accessible(page)
    page.get_by_role("link", name="Sign in to carry on").click()
    _sign_in(page, "asha@example.org", "lantern-quarry-41-mosaic")

    # Back on the form they set out for.
    expect(page.locator("h1")).to_have_text("Apply for a grant")
    assert page.url.endswith(apply_path)
    assert_accessible(page)
    page.get_by_label("Organisation's name").fill("New Parks Youth Club")
    page.get_by_label("Type of organisation").select_option(label="Registered charity")
    page.get_by_label("Charity number (if it has one)").fill("1012345")
    page.get_by_label("Postcode").fill("LE3 9PW")
    page.get_by_label("We provide a service in the zone").check()
    page.get_by_label("Project name").fill("Summer youth club")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is saved")
    expect(page.get_by_text("Still to do before you can submit")).to_be_visible()
    assert_accessible(page)

    _fill_the_rest(page)
    page.get_by_label("How much are you asking for?").fill("ten thousand")
    page.get_by_role("button", name="Submit the application").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("“ten thousand” is not an amount of money")
    assert page.get_by_label("Who will benefit?").input_value() == (
        "Young people living on the estate"
    )
    assert_accessible(page)
    # The summary's link takes the applicant to the field.
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("How much are you asking for?")).to_be_focused()

    page.get_by_label("How much are you asking for?").fill("£4,800")
    page.get_by_role("button", name="Submit the application").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been submitted")
    expect(page.locator("h1")).to_have_text("Summer youth club")
    expect(page.locator(".govuk-tag").first).to_have_text("Submitted")
    assert_accessible(page)
    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    assert application.organisation.charity_number == "1012345"

    page.goto("/accounts/dashboard/")
    page.get_by_role("link", name="Your grant applications").click()
    expect(page.locator("h1")).to_have_text("Your grant applications")
    card = page.locator(".govuk-summary-card", has_text="Summer youth club")
    expect(card).to_contain_text("Submitted")
    expect(card).to_contain_text("New Parks Community Grants 2026")
    expect(card).to_contain_text("£4,800.00")
    expect(card).to_contain_text("The programme team will check")
    assert_accessible(page)


def test_the_form_fits_a_phone(phone, grant_round):
    user = _verified_user()
    OrganisationFactory(name="Bell Foundry Bowls Club").owners.add(user)
    phone.goto(f"/accounts/sign-in/?next=/grants/rounds/{grant_round.slug}/apply/")
    _sign_in(phone, user.email)

    expect(phone.locator("h1")).to_have_text("Apply for a grant")
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    phone.get_by_label("Bell Foundry Bowls Club").check()
    phone.get_by_label("Project name").fill("Bowls for all")
    phone.get_by_role("button", name="Submit the application").click()
    expect(phone.locator(".govuk-error-summary")).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)


def test_the_form_works_without_javascript(page_without_js, grant_round):
    page = page_without_js
    user = _verified_user()
    club = OrganisationFactory(name="Bell Foundry Bowls Club")
    club.owners.add(user)
    page.goto(f"/accounts/sign-in/?next=/grants/rounds/{grant_round.slug}/apply/")
    _sign_in(page, user.email)
    expect(page.locator("h1")).to_have_text("Apply for a grant")

    # Choosing the saved organisation ignores the new organisation's questions.
    page.get_by_label("Bell Foundry Bowls Club").check()
    page.get_by_label("Project name").fill("Bowls for all")
    _fill_the_rest(page)
    assert page.locator("input[name$='-cost']").count() == 8
    page.get_by_role("button", name="Add more rows").click()
    # The click posts the form and the page comes back with more rows.
    expect(page.locator("input[name$='-cost']")).to_have_count(12)
    assert page.get_by_label("Project name").input_value() == "Bowls for all"
    assert page.get_by_label("Cost of item 1", exact=True).input_value() == "£3,000"
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    page.get_by_label("Item 10", exact=True).fill("Bowls and mats")
    page.get_by_label("Cost of item 10", exact=True).fill("£200")
    page.get_by_label("How much are you asking for?").fill("£5,000")
    page.get_by_role("button", name="Submit the application").click()

    expect(page.locator("h1")).to_have_text("Bowls for all")
    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    assert application.organisation == club
    assert application.budget_items.count() == 3


def test_pressing_enter_in_a_field_saves_the_draft(page, grant_round):
    user = _verified_user()
    page.goto(f"/accounts/sign-in/?next=/grants/rounds/{grant_round.slug}/apply/")
    _sign_in(page, user.email)
    page.get_by_label("Organisation's name").fill("Bell Foundry Bowls Club")
    page.get_by_label("Type of organisation").select_option(label="Unregistered community group")
    page.get_by_label("Project name").fill("Bowls for all")

    page.get_by_label("Project name").press("Enter")

    expect(page.locator(".govuk-notification-banner")).to_contain_text("is saved")
    assert Application.objects.get().status == Application.Status.DRAFT
