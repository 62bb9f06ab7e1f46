"""Who may see and change a steering group's meetings, minutes, actions and initiatives."""

from typing import Any

from peoplezones.accounts.models import ZoneMembership
from peoplezones.accounts.roles import ProgrammeRole, has_programme_role


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _zone_roles(user: Any, group: Any) -> set[str]:
    if not _signed_in(user) or group is None:
        return set()
    cache = user.__dict__.setdefault("_zone_roles_cache", {})
    if group.zone_id not in cache:
        roles = set(
            ZoneMembership.objects.filter(user=user, zone_id=group.zone_id).values_list(
                "role", flat=True
            )
        )
        roles |= {
            f"group-{role}"
            for role in group.members.filter(user=user, left__isnull=True).values_list(
                "role", flat=True
            )
        }
        cache[group.zone_id] = roles
    return cache[group.zone_id]


def can_view_group_drafts(user: Any, group: Any) -> bool:
    """Draft agendas and minutes, the full action log with owners: the zone's people and staff."""
    if has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM, ProgrammeRole.COMMISSIONER):
        return True
    return bool(_zone_roles(user, group))


def can_edit_group_business(user: Any, group: Any) -> bool:
    """Meetings, agendas, attendance, draft minutes, actions: the zone's members and staff."""
    if has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM):
        return True
    return bool(_zone_roles(user, group))


def can_approve_minutes(user: Any, group: Any) -> bool:
    """The group's chair approves and publishes minutes; so may the programme team."""
    if has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM):
        return True
    roles = _zone_roles(user, group)
    return "chair" in roles or "group-chair" in roles


def can_manage_initiatives(user: Any, zone: Any = None) -> bool:
    return has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM)
