"""Reads about people, scoped to what the acting user may see."""

from typing import Any

from django.db.models import QuerySet

from peoplezones.accounts.models import ApiToken, ZoneMembership
from peoplezones.accounts.roles import ProgrammeRole, programme_roles


def user_programme_roles(*, user: Any) -> list[str]:
    """The programme roles a user holds, in the order the roles are declared."""
    held = programme_roles(user)
    return [role.label for role in ProgrammeRole if role.value in held]


def user_zone_memberships(*, user: Any) -> QuerySet[ZoneMembership]:
    """The zones a user has a role in, with the zone loaded."""
    if not getattr(user, "is_authenticated", False):
        return ZoneMembership.objects.none()
    return ZoneMembership.objects.filter(user=user).select_related("zone").order_by("zone__name")


def user_api_tokens(*, user: Any) -> QuerySet[ApiToken]:
    """A user's own API tokens (never anyone else's), newest first."""
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created")
