"""Who may do what with safety audits and issues."""

from typing import Any

from peoplezones.accounts.models import ZoneMembership
from peoplezones.accounts.roles import ProgrammeRole, has_programme_role


def can_manage_issues(user: Any, issue_or_zone: Any = None) -> bool:
    """The programme team, moderators, and the zone officers of the issue's zone."""
    if has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM, ProgrammeRole.MODERATOR):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    zone_id = getattr(issue_or_zone, "zone_id", None) or getattr(issue_or_zone, "pk", None)
    if issue_or_zone is None or zone_id is None:
        return False
    return ZoneMembership.objects.filter(
        user=user, zone_id=zone_id, role=ZoneMembership.Role.ZONE_OFFICER
    ).exists()


def can_see_reporter(user: Any, issue: Any = None) -> bool:
    """Reporters' contact details are for the people who manage issues only."""
    return can_manage_issues(user, issue)


def managed_zone_ids(*, user: Any) -> set[int] | None:
    """The zones whose issues this user manages: None means all of them.

    Mirrors `can_manage_issues` for lists, so that a zone officer's list is one query rather
    than a permission check per row.
    """
    if can_manage_issues(user):
        return None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return set(
        ZoneMembership.objects.filter(user=user, role=ZoneMembership.Role.ZONE_OFFICER).values_list(
            "zone_id", flat=True
        )
    )
