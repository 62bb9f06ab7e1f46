"""Who may use the staff pages of place insight (analysis, hotspot runs, weights, targeting)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from peoplezones.accounts.roles import ProgrammeRole, has_programme_role


def can_analyse_crime(user: Any) -> bool:
    """The programme team analyses crime, runs hotspots and edits weights and theme links."""
    return has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM)


def require_analyst(request: HttpRequest) -> None:
    if not can_analyse_crime(request.user):
        raise PermissionDenied(_("Only the programme team can use the crime analysis pages."))
