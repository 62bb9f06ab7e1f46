"""Every write to users, roles, memberships and API tokens goes through here."""

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from peoplezones.accounts.models import ApiToken, User, ZoneMembership, hash_api_token
from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.core.services import audit_record, email_after_commit

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


# Sign-up and email confirmation ---------------------------------------------------------------

EMAIL_CONFIRMATION_MAX_AGE = datetime.timedelta(days=3)
_CONFIRMATION_SALT = "peoplezones.accounts.confirm-email"


class EmailConfirmationError(Exception):
    """A confirmation link that cannot be used; `code` is "expired" or "invalid"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def email_confirmation_token(*, user: User, next_url: str = "") -> str:
    """A signed link token naming the user and the address; it stops working after 3 days,
    and as soon as the account's address changes."""
    payload = {"u": user.pk, "e": user.email}
    if next_url:
        payload["n"] = next_url[:500]
    return TimestampSigner(salt=_CONFIRMATION_SALT).sign_object(payload)


def _email(*, user_email: str, template: str, context: dict[str, Any]) -> None:
    context = {"site_name": settings.SITE_NAME, **context}
    subject = " ".join(render_to_string(f"accounts/email/{template}_subject.txt", context).split())
    body = render_to_string(f"accounts/email/{template}.txt", context)
    email_after_commit(to=user_email, subject=subject, body=body)


def _confirmation_link(*, user: User, base_url: str, next_url: str) -> str:
    token = email_confirmation_token(user=user, next_url=next_url)
    return (base_url or settings.SITE_URL).rstrip("/") + reverse(
        "accounts:confirm-email", kwargs={"token": token}
    )


def email_confirmation_send(*, user: User, base_url: str = "", next_url: str = "") -> None:
    """Email the person a link that confirms their address (sent when the transaction commits).

    `base_url` is the site's address as the person reached it; SITE_URL when not given.
    """
    if user.email_verified_at is not None or not user.is_active:
        return
    _email(
        user_email=user.email,
        template="confirm_email",
        context={
            "user": user,
            "link": _confirmation_link(user=user, base_url=base_url, next_url=next_url),
            "days": EMAIL_CONFIRMATION_MAX_AGE.days,
        },
    )


@transaction.atomic
def user_sign_up(
    *, email: str, full_name: str, password: str, base_url: str = "", next_url: str = ""
) -> User | None:
    """Someone makes their own account (to apply for a grant) and is sent a confirmation link.

    If the address already has an account, nothing is created and that account is emailed a
    reminder instead, so the answer on screen never tells anyone which addresses have accounts.
    Returns the new user, or None when the address was taken.
    """
    email = User.objects.normalize_email(email).lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        # Hash anyway, so that the answer takes as long as for a new account.
        make_password(password)
        if existing.is_active:
            _email(
                user_email=existing.email,
                template="already_registered",
                context={
                    "user": existing,
                    "sign_in": (base_url or settings.SITE_URL).rstrip("/")
                    + reverse("accounts:login"),
                    "reset": (base_url or settings.SITE_URL).rstrip("/")
                    + reverse("accounts:password-reset"),
                    "link": _confirmation_link(user=existing, base_url=base_url, next_url=next_url)
                    if existing.email_verified_at is None
                    else "",
                    "days": EMAIL_CONFIRMATION_MAX_AGE.days,
                },
            )
        audit_record(actor=None, verb="user.sign_up.existing", target=existing)
        return None
    user = User.objects.create_user(email=email, password=password, full_name=full_name.strip())
    audit_record(actor=user, verb="user.sign_up", target=user)
    email_confirmation_send(user=user, base_url=base_url, next_url=next_url)
    return user


def email_confirmation_read(*, token: str) -> tuple[User, str]:
    """The user and the page to go on to that a confirmation token names.

    Raises EmailConfirmationError("expired") for a link older than three days and ("invalid")
    for one that was changed, belongs to nobody or to an address the account no longer has.
    """
    signer = TimestampSigner(salt=_CONFIRMATION_SALT)
    try:
        payload = signer.unsign_object(token, max_age=EMAIL_CONFIRMATION_MAX_AGE)
    except SignatureExpired:
        raise EmailConfirmationError("expired") from None
    except (BadSignature, ValueError, TypeError):
        raise EmailConfirmationError("invalid") from None
    if not isinstance(payload, dict):
        raise EmailConfirmationError("invalid")
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None or user.email != payload.get("e"):
        raise EmailConfirmationError("invalid")
    next_url = payload.get("n") or ""
    return user, next_url if isinstance(next_url, str) else ""


@transaction.atomic
def email_confirm(*, token: str) -> tuple[User, str]:
    """Mark the address a confirmation link was sent to as confirmed (idempotent).

    Returns the user and the page they were on their way to when they signed up.
    """
    user, next_url = email_confirmation_read(token=token)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(actor=user, verb="user.email_confirmed", target=user)
    return user, next_url


def email_confirmation_resend(*, email: str, base_url: str = "") -> None:
    """Send a fresh link to an unconfirmed account at this address; silently nothing otherwise
    (the page says the same either way)."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is not None and user.email_verified_at is None:
        with transaction.atomic():
            email_confirmation_send(user=user, base_url=base_url)
