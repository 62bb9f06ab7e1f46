"""Every write to users, roles, memberships and API tokens goes through here."""

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from peoplezones.accounts.models import ApiToken, User, ZoneMembership, hash_api_token
from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.core.services import audit_record

# How stale `last_used` may get before a request writes it again: one write per minute per
# token at most, so the API does not turn every read into a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


@transaction.atomic
def user_create(
    *, actor: Any, email: str, full_name: str = "", password: str | None = None
) -> User:
    """Create an account. Without a password the person sets one through password reset."""
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    audit_record(actor=actor, verb="user.create", target=user)
    return user


@transaction.atomic
def programme_role_grant(*, user: User, role: str, actor: Any) -> None:
    """Give a user a programme-wide role (idempotent)."""
    role = ProgrammeRole(role)
    group, _ = Group.objects.get_or_create(name=role.value)
    if user.groups.filter(pk=group.pk).exists():
        return
    user.groups.add(group)
    user.__dict__.pop("_programme_roles", None)
    audit_record(actor=actor, verb="user.role.grant", target=user, data={"role": role.value})


@transaction.atomic
def programme_role_revoke(*, user: User, role: str, actor: Any) -> None:
    """Take a programme-wide role away from a user (idempotent)."""
    role = ProgrammeRole(role)
    group = Group.objects.filter(name=role.value).first()
    if group is None or not user.groups.filter(pk=group.pk).exists():
        return
    user.groups.remove(group)
    user.__dict__.pop("_programme_roles", None)
    audit_record(actor=actor, verb="user.role.revoke", target=user, data={"role": role.value})


@transaction.atomic
def zone_membership_add(*, user: User, zone: Any, role: str, actor: Any) -> ZoneMembership:
    """Give a user a role in one zone; returns the existing membership if they have it."""
    existing = ZoneMembership.objects.filter(user=user, zone=zone, role=role).first()
    if existing is not None:
        return existing
    membership = ZoneMembership(user=user, zone=zone, role=role)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor, verb="zone_membership.add", target=user, zone=zone, data={"role": role}
    )
    return membership


@transaction.atomic
def zone_membership_remove(*, membership: ZoneMembership, actor: Any) -> None:
    """End a user's role in a zone."""
    audit_record(
        actor=actor,
        verb="zone_membership.remove",
        target=membership.user,
        zone=membership.zone,
        data={"role": membership.role},
    )
    membership.delete()


@transaction.atomic
def api_token_create(*, user: User, actor: Any, name: str = "") -> tuple[ApiToken, str]:
    """Make an API token for `user`; returns the stored row and the token, shown only once."""
    if not user.is_active:
        raise ValueError("Cannot create an API token for an inactive user.")
    raw = settings.API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=raw[:10], key_hash=hash_api_token(raw))
    token.full_clean()
    token.save()
    audit_record(actor=actor, verb="api_token.create", target=token, data={"prefix": token.prefix})
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    """Stop a token working at once (idempotent)."""
    if token.revoked is not None:
        return token
    token.revoked = timezone.now()
    token.save(update_fields=["revoked", "modified"])
    audit_record(actor=actor, verb="api_token.revoke", target=token, data={"prefix": token.prefix})
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user a presented token belongs to, or None for unknown or revoked tokens."""
    if not raw or not raw.startswith(settings.API_TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_api_token(raw), revoked__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
