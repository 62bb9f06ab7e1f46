"""Programme-wide roles (held as Django groups) and the checks every app uses."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgrammeRole(models.TextChoices):
    """Each value is the name of the Django group that carries the role."""

    PROGRAMME_TEAM = "Programme team", _("Programme team")
    COMMISSIONER = "Commissioner", _("Commissioner")
    FINANCE = "Finance", _("Finance")
    PANEL_MEMBER = "Panel member", _("Panel member")
    MODERATOR = "Moderator", _("Moderator")
    ASSESSOR = "Grant assessor", _("Grant assessor")


def programme_roles(user: Any) -> set[str]:
    """The names of the programme roles a user holds, cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, "_programme_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._programme_roles = cached
    return cached


def has_programme_role(user: Any, *roles: str) -> bool:
    """True for superusers and for anyone who holds at least one of `roles`."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(programme_roles(user) & set(roles))
