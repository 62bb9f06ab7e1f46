import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from peoplezones.accounts.models import ApiToken, User
from peoplezones.accounts.services import api_token_authenticate, api_token_create


def test_create_api_token_prints_only_the_token(user):
    out, err = io.StringIO(), io.StringIO()

    call_command("create_api_token", user.email.upper(), stdout=out, stderr=err)

    raw = out.getvalue().strip()
    assert "\n" not in raw
    assert api_token_authenticate(raw=raw) == user
    assert raw not in err.getvalue()


def test_create_api_token_explains_unknown_email(db):
    with pytest.raises(CommandError, match="no user with the email address"):
        call_command("create_api_token", "nobody@example.org")
    assert not ApiToken.objects.exists()


def test_create_api_token_refuses_inactive_users(db):
    user = User.objects.create_user(email="gone@example.org", is_active=False)

    with pytest.raises(CommandError, match="not active"):
        call_command("create_api_token", user.email)


def test_revoke_api_token_by_email_with_dry_run_first(user):
    _, raw = api_token_create(user=user, actor=None)

    out = io.StringIO()
    call_command("revoke_api_token", "--email", user.email, "--dry-run", stdout=out)
    assert "would revoke" in out.getvalue()
    assert api_token_authenticate(raw=raw) == user

    call_command("revoke_api_token", "--email", user.email, stdout=io.StringIO())
    assert api_token_authenticate(raw=raw) is None


def test_createsuperuser_noinput_reads_email_and_password_from_environment(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Boss@Example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-strong-password-42")

    call_command("createsuperuser", "--noinput", stdout=io.StringIO())

    boss = User.objects.get()
    assert boss.email == "boss@example.org"
    assert boss.is_superuser
    assert boss.is_staff
    assert boss.check_password("a-strong-password-42")
