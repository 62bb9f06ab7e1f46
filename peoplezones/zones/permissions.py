"""Who may do what with zones. Plain functions, used by views, API, templates and tests."""

from typing import Any

from peoplezones.accounts.roles import ProgrammeRole, has_programme_role


def can_view_unpublished_zones(user: Any) -> bool:
    return has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM, ProgrammeRole.COMMISSIONER)


def can_change_zone(user: Any, zone: Any = None) -> bool:
    """Only the programme team changes zones, their boundaries and themes."""
    return has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM)
