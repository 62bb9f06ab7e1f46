import pytest
from django.core.exceptions import ValidationError

from peoplezones.accounts.models import ApiToken, User, ZoneMembership
from peoplezones.accounts.roles import ProgrammeRole, has_programme_role
from peoplezones.accounts.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    programme_role_grant,
    programme_role_revoke,
    user_create,
    zone_membership_add,
    zone_membership_remove,
)
from peoplezones.core.models import AuditEvent


def test_user_create_stores_email_in_lower_case_and_audits(programme_team_user):
    user = user_create(actor=programme_team_user, email="Jo.Bloggs@Example.ORG", password="x" * 12)

    assert user.email == "jo.bloggs@example.org"
    assert user.check_password("x" * 12)
    assert AuditEvent.objects.filter(verb="user.create", actor=programme_team_user).exists()


def test_user_create_rejects_a_second_account_for_the_same_address(db):
    user_create(actor=None, email="jo@example.org")

    with pytest.raises(ValidationError):
        user_create(actor=None, email="JO@example.org")
    assert User.objects.count() == 1


def test_user_create_rejects_a_bad_address_without_saving(db):
    with pytest.raises(ValidationError):
        user_create(actor=None, email="not an email")
    assert not User.objects.exists()


def test_email_login_ignores_case(client, db):
    user_create(actor=None, email="jo@example.org", password="a-long-password-1")

    assert client.login(username="JO@Example.org", password="a-long-password-1")


def test_programme_role_grant_and_revoke_are_idempotent(user):
    programme_role_grant(user=user, role=ProgrammeRole.FINANCE, actor=None)
    programme_role_grant(user=user, role=ProgrammeRole.FINANCE, actor=None)
    user = User.objects.get(pk=user.pk)
    assert has_programme_role(user, ProgrammeRole.FINANCE)
    assert AuditEvent.objects.filter(verb="user.role.grant").count() == 1

    programme_role_revoke(user=user, role=ProgrammeRole.FINANCE, actor=None)
    programme_role_revoke(user=user, role=ProgrammeRole.FINANCE, actor=None)
    user = User.objects.get(pk=user.pk)
    assert not has_programme_role(user, ProgrammeRole.FINANCE)
    assert AuditEvent.objects.filter(verb="user.role.revoke").count() == 1


def test_programme_role_grant_rejects_unknown_roles(user):
    with pytest.raises(ValueError, match="Mayor"):
        programme_role_grant(user=user, role="Mayor", actor=None)


def test_zone_membership_add_is_idempotent_and_remove_audits(user, zone):
    first = zone_membership_add(user=user, zone=zone, role="chair", actor=None)
    again = zone_membership_add(user=user, zone=zone, role="chair", actor=None)
    assert first == again

    zone_membership_remove(membership=first, actor=None)
    assert not ZoneMembership.objects.exists()
    assert AuditEvent.objects.filter(verb="zone_membership.remove", zone=zone).exists()


def test_zone_membership_add_rejects_unknown_roles(user, zone):
    with pytest.raises(ValidationError):
        zone_membership_add(user=user, zone=zone, role="overlord", actor=None)
    assert not ZoneMembership.objects.exists()


def test_api_token_is_stored_hashed_and_authenticates(user):
    token, raw = api_token_create(user=user, actor=None, name="reports")

    assert raw.startswith("pz_")
    assert len(raw) > 40
    assert raw not in {token.key_hash, token.prefix}
    assert not ApiToken.objects.filter(key_hash__contains=raw).exists()
    assert api_token_authenticate(raw=raw) == user
    token.refresh_from_db()
    assert token.last_used is not None


def test_api_token_revoked_stops_working(user):
    token, raw = api_token_create(user=user, actor=None)

    api_token_revoke(token=token, actor=None)

    assert api_token_authenticate(raw=raw) is None
    assert AuditEvent.objects.filter(verb="api_token.revoke").count() == 1


@pytest.mark.parametrize("raw", ["", "pz_", "pz_not-a-real-token", "garbage", "pz_" + "a" * 500])
def test_api_token_authenticate_refuses_unknown_tokens(user, raw):
    api_token_create(user=user, actor=None)

    assert api_token_authenticate(raw=raw) is None


def test_api_token_of_inactive_user_does_not_authenticate(user):
    _, raw = api_token_create(user=user, actor=None)
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert api_token_authenticate(raw=raw) is None
