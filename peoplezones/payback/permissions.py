"""Who may use the payback planner: the programme team only.

Payback work is done by people on probation, so sites, sessions and projects are never shown
to the public, to zone members or to partners.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from peoplezones.accounts.roles import ProgrammeRole, has_programme_role


def can_plan_payback(user: Any) -> bool:
    return has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM)


def require_planner(actor: Any) -> None:
    """For services: PermissionDenied unless `actor` may plan payback work."""
    if not can_plan_payback(actor):
        raise PermissionDenied(_("Only the programme team can plan Community Payback work."))
