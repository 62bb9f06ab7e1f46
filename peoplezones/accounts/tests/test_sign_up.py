"""Applicants make their own accounts and confirm their email address with a signed link."""

import datetime
import re
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.signing import TimestampSigner
from django.db import transaction
from django.urls import reverse

from peoplezones.accounts.models import User
from peoplezones.accounts.services import email_confirmation_token, user_sign_up
from peoplezones.accounts.tests.factories import PASSWORD, UserFactory
from peoplezones.core.models import AuditEvent

GOOD = {
    "full_name": "Asha Patel",
    "email": "Asha.Patel@Example.org",
    "password1": "lantern-quarry-41-mosaic",
    "password2": "lantern-quarry-41-mosaic",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST as the browser would; emails queued for after the commit are sent."""

    def send(url, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **extra)

    return send


def _link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_sign_up_makes_an_unconfirmed_account_and_emails_a_link(client, post, db):
    response = post(reverse("accounts:sign-up"), GOOD)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign-up-done")
    user = User.objects.get(email="asha.patel@example.org")
    assert user.full_name == "Asha Patel"
    assert user.check_password(GOOD["password1"])
    assert user.email_verified_at is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["asha.patel@example.org"]
    assert "Confirm your email address" in message.subject
    assert "Hello Asha" in message.body
    assert "3 days" in message.body
    # The link is built from the address the person used, not a fixed setting.
    assert "http://testserver/accounts/confirm-email/" in message.body
    assert AuditEvent.objects.filter(verb="user.sign_up", target_id=str(user.pk)).exists()


def test_check_your_email_page_says_what_to_do(client, db):
    response = client.get(reverse("accounts:sign-up-done"))

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()


def test_following_the_link_confirms_the_address(client, post, db):
    post(reverse("accounts:sign-up"), GOOD)

    response = client.get(_link(mail.outbox[0]))

    assert response.status_code == 200
    assert "Your email address is confirmed" in response.content.decode()
    user = User.objects.get(email="asha.patel@example.org")
    assert user.email_verified_at is not None
    first = user.email_verified_at
    # Following it again is harmless and keeps the first time.
    assert client.get(_link(mail.outbox[0])).status_code == 200
    user.refresh_from_db()
    assert user.email_verified_at == first


def test_the_link_carries_the_page_the_person_was_going_to(client, post, db):
    response = post(reverse("accounts:sign-up"), {**GOOD, "next": "/grants/rounds/spring/apply/"})
    assert response.status_code == 302

    page = client.get(_link(mail.outbox[0])).content.decode()

    assert "/accounts/sign-in/?next=/grants/rounds/spring/apply/" in page


def test_a_link_to_another_site_is_not_followed(client, post, db):
    post(reverse("accounts:sign-up"), {**GOOD, "next": "https://evil.example.com/"})

    page = client.get(_link(mail.outbox[0])).content.decode()

    assert "evil.example.com" not in page


def test_an_expired_link_says_so_and_offers_a_new_one(client, db):
    user = UserFactory(email_verified_at=None)
    token = email_confirmation_token(user=user)
    later = datetime.datetime.now().timestamp() + 3 * 24 * 3600 + 60

    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.get(reverse("accounts:confirm-email", kwargs={"token": token}))

    content = response.content.decode()
    assert response.status_code == 400
    assert "This link has expired" in content
    assert reverse("accounts:confirm-email-resend") in content
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_link_just_inside_three_days_still_works(client, db):
    user = UserFactory(email_verified_at=None)
    token = email_confirmation_token(user=user)
    later = datetime.datetime.now().timestamp() + 3 * 24 * 3600 - 60

    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.get(reverse("accounts:confirm-email", kwargs={"token": token}))

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email_verified_at is not None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "not-a-token",
        lambda token: token.replace(token.split(":")[0], token.split(":")[0][::-1], 1),
    ],
    ids=["signature", "garbage", "payload"],
)
def test_a_tampered_link_is_refused(client, db, tamper):
    user = UserFactory(email_verified_at=None)
    token = tamper(email_confirmation_token(user=user))

    response = client.get(reverse("accounts:confirm-email", kwargs={"token": token}))

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_link_signed_for_someone_else_does_not_confirm_this_account(client, db):
    victim = UserFactory(email_verified_at=None)
    other = UserFactory(email_verified_at=None)
    # Signed with the right key but naming the victim with another address.
    forged = TimestampSigner(salt="peoplezones.accounts.confirm-email").sign_object(
        {"u": victim.pk, "e": other.email}
    )

    response = client.get(reverse("accounts:confirm-email", kwargs={"token": forged}))

    assert response.status_code == 400
    victim.refresh_from_db()
    assert victim.email_verified_at is None


def test_a_link_stops_working_when_the_address_changes(client, db):
    user = UserFactory(email="old@example.org")
    token = email_confirmation_token(user=user)
    user.email = "new@example.org"
    user.save()

    response = client.get(reverse("accounts:confirm-email", kwargs={"token": token}))

    assert response.status_code == 400


def test_signing_up_with_a_taken_address_looks_the_same_but_emails_the_owner(client, post, db):
    owner = UserFactory(email="asha.patel@example.org")
    owner.email_verified_at = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    owner.save()

    response = post(reverse("accounts:sign-up"), {**GOOD, "full_name": "Someone Else"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign-up-done")
    assert User.objects.filter(email__iexact="asha.patel@example.org").count() == 1
    owner.refresh_from_db()
    assert owner.full_name != "Someone Else"
    assert owner.check_password(PASSWORD)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["asha.patel@example.org"]
    assert "already have an account" in message.subject
    assert "/accounts/password-reset/" in message.body
    assert "/accounts/confirm-email/" not in message.body


def test_a_taken_but_unconfirmed_address_gets_a_fresh_link_in_the_reminder(client, post, db):
    UserFactory(email="asha.patel@example.org", email_verified_at=None)

    post(reverse("accounts:sign-up"), GOOD)

    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_bad_sign_up_keeps_what_was_typed_and_says_what_is_wrong(client, post, db):
    response = post(
        reverse("accounts:sign-up"),
        {
            "full_name": "Asha Patel",
            "email": "not an email",
            "password1": "secret-one-22",
            "password2": "secret-two-22",
        },
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in content
    assert "Enter an email address in the correct format" in content
    assert "The passwords do not match" in content
    assert 'value="Asha Patel"' in content
    assert 'value="not an email"' in content
    # Passwords are never sent back to the page.
    assert "secret-one-22" not in content
    assert User.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("8312749560", "entirely numeric"),
        ("asha.patel.example", "too similar"),
    ],
)
def test_weak_passwords_are_refused_with_the_validators_message(
    client, post, db, password, message
):
    response = post(
        reverse("accounts:sign-up"), {**GOOD, "password1": password, "password2": password}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == 0


def test_empty_sign_up_names_every_missing_field(client, post, db):
    response = post(reverse("accounts:sign-up"), {})

    content = response.content.decode()
    assert response.status_code == 400
    for text in ["Enter your full name.", "Enter your email address.", "Choose a password."]:
        assert text in content


def test_honeypot_pretends_to_succeed_but_makes_nothing(client, post, db):
    response = post(reverse("accounts:sign-up"), {**GOOD, "nickname": "bot"})

    assert response.status_code == 302
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_sign_up_is_rate_limited_per_address(client, post, db, settings):
    settings.SIGN_UP_RATE = "2/h"
    for number in range(2):
        response = post(reverse("accounts:sign-up"), {**GOOD, "email": f"p{number}@ex.org"})
        assert response.status_code == 302

    response = post(reverse("accounts:sign-up"), {**GOOD, "email": "p9@ex.org"})

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert 'value="p9@ex.org"' in response.content.decode()
    assert not User.objects.filter(email="p9@ex.org").exists()
    # Another address is not affected.
    response = post(
        reverse("accounts:sign-up"), {**GOOD, "email": "p8@ex.org"}, REMOTE_ADDR="192.0.2.9"
    )
    assert response.status_code == 302


def test_signed_in_person_can_ask_for_the_link_again(client, post, db):
    user = UserFactory(email_verified_at=None)
    client.force_login(user)

    page = client.get(reverse("accounts:confirm-email-resend"))
    assert "Send the link again" in page.content.decode()
    response = post(reverse("accounts:confirm-email-resend"), {"next": "/grants/applications/"})

    assert response.status_code == 302
    assert response["Location"] == "/grants/applications/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert client.get(_link(mail.outbox[0])).status_code == 200
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_resend_by_address_says_the_same_whether_or_not_there_is_an_account(client, post, db):
    UserFactory(email="waiting@example.org", email_verified_at=None)

    known = post(reverse("accounts:confirm-email-resend"), {"email": "waiting@example.org"})
    unknown = post(reverse("accounts:confirm-email-resend"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:sign-up-done")
    assert [m.to for m in mail.outbox] == [["waiting@example.org"]]


def test_resend_sends_nothing_to_a_confirmed_account(client, post, db):
    user = UserFactory(email="done@example.org")
    user.email_verified_at = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    user.save()

    post(reverse("accounts:confirm-email-resend"), {"email": "done@example.org"})
    client.force_login(user)
    page = post(reverse("accounts:confirm-email-resend"))

    assert mail.outbox == []
    assert "already confirmed" in page.content.decode()


def test_resend_with_a_bad_address_keeps_it_and_says_why(client, post, db):
    response = post(reverse("accounts:confirm-email-resend"), {"email": "nope"})

    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.content.decode()
    assert 'value="nope"' in response.content.decode()


def test_resend_is_rate_limited(client, post, db, settings):
    settings.SIGN_UP_RATE = "1/h"
    user = UserFactory(email_verified_at=None)
    client.force_login(user)
    post(reverse("accounts:confirm-email-resend"))

    response = post(reverse("accounts:confirm-email-resend"))

    assert response.status_code == 429
    assert len(mail.outbox) == 1


def test_sign_in_page_links_to_sign_up_keeping_next(client, db):
    content = client.get(reverse("accounts:login") + "?next=/grants/rounds/a/apply/").content

    assert b"Create an account" in content
    assert b"/accounts/sign-up/?next=/grants/rounds/a/apply/" in content


def test_sign_up_page_is_a_labelled_form(client, db):
    content = client.get(reverse("accounts:sign-up")).content.decode()

    assert '<label class="govuk-label" for="id_email">Email address</label>' in content
    assert 'autocomplete="new-password"' in content
    assert 'name="nickname"' in content


def test_confirmation_email_is_sent_only_when_the_account_is_saved(
    db, django_capture_on_commit_callbacks
):
    def sign_up_then_fail():
        with transaction.atomic():
            user_sign_up(email="x@example.org", full_name="X", password=GOOD["password1"])
            raise RuntimeError

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            sign_up_then_fail()
        user_sign_up(email="y@example.org", full_name="Y", password=GOOD["password1"])

    assert [m.to for m in mail.outbox] == [["y@example.org"]]
    assert not User.objects.filter(email="x@example.org").exists()
