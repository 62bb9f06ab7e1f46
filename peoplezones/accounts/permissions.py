"""Who may do what with accounts. Plain functions used everywhere."""

from typing import Any

from peoplezones.accounts.models import ZoneMembership
from peoplezones.accounts.roles import ProgrammeRole, has_programme_role


def can_view_dashboard(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_manage_zone_memberships(user: Any, zone: Any) -> bool:
    """The programme team, and the zone officers of that zone."""
    if has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM):
        return True
    if not can_view_dashboard(user):
        return False
    return ZoneMembership.objects.filter(
        user=user, zone=zone, role=ZoneMembership.Role.ZONE_OFFICER
    ).exists()


def can_view_zone_workspace(user: Any, zone: Any) -> bool:
    """Programme staff and the commissioner, and anyone with a role in that zone."""
    if has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM, ProgrammeRole.COMMISSIONER):
        return True
    if not can_view_dashboard(user):
        return False
    return ZoneMembership.objects.filter(user=user, zone=zone).exists()


def can_create_api_token(user: Any, target_user: Any) -> bool:
    """Tokens are for staff: the programme team may make them, for themselves or others."""
    return has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM) and target_user.is_active
