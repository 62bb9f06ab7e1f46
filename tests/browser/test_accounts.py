import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_sign_in_shows_roles_and_zones_then_sign_out(page, demo):
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    assert_accessible(page)

    page.get_by_label("Email address").fill("chair.newparks@example.org")
    page.get_by_label("Password").fill("people-zones-demo")
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("h1")).to_have_text("Your dashboard")
    expect(page.get_by_role("cell", name="New Parks")).to_be_visible()
    expect(page.get_by_role("cell", name="Chair")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_wrong_password_is_explained_and_the_email_kept(page, demo):
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill("moderator@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct email address and password"
    )
    assert page.get_by_label("Email address").input_value() == "moderator@example.org"
    assert page.title().startswith("Error:")
    assert_accessible(page)


def test_password_reset_pages_are_accessible(page, demo):
    page.goto("/accounts/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    assert_accessible(page)

    page.get_by_label("Email address").fill("finance@example.org")
    page.get_by_role("button", name="Send the link").click()

    expect(page.locator("h1")).to_have_text("Check your email")
    assert_accessible(page)
