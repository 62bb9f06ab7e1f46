"""Who may do what with grant rounds, applications, assessments and decisions."""

from typing import Any

from peoplezones.accounts.roles import ProgrammeRole, has_programme_role

STAFF_ROLES = (ProgrammeRole.PROGRAMME_TEAM, ProgrammeRole.COMMISSIONER, ProgrammeRole.FINANCE)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_grants_staff(user: Any) -> bool:
    """The programme team, the commissioner and finance see every application."""
    return has_programme_role(user, *STAFF_ROLES)


def can_manage_rounds(user: Any) -> bool:
    return has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM)


def can_screen(user: Any) -> bool:
    return has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM)


def can_assess(user: Any) -> bool:
    return has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM, ProgrammeRole.ASSESSOR)


def can_decide(user: Any) -> bool:
    """Only the commissioner approves or declines bids."""
    return has_programme_role(user, ProgrammeRole.COMMISSIONER)


def can_manage_finance(user: Any) -> bool:
    return has_programme_role(user, ProgrammeRole.FINANCE)


def can_view_finance(user: Any) -> bool:
    return has_programme_role(
        user, ProgrammeRole.FINANCE, ProgrammeRole.PROGRAMME_TEAM, ProgrammeRole.COMMISSIONER
    )


def is_applicant_for(user: Any, application: Any) -> bool:
    """The person who started the application, or anyone who applies for its organisation."""
    if not _signed_in(user):
        return False
    if application.applicant_id == user.pk:
        return True
    return application.organisation.owners.filter(pk=user.pk).exists()
