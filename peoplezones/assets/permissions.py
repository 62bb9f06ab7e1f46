"""Who may do what on the asset map. Plain functions used by views, API, templates and tests."""

from typing import Any

from peoplezones.accounts.roles import ProgrammeRole, has_programme_role


def can_moderate_assets(user: Any, obj: Any = None) -> bool:
    """Moderators and the programme team publish, reject and archive contributions."""
    return has_programme_role(user, ProgrammeRole.MODERATOR, ProgrammeRole.PROGRAMME_TEAM)


def can_see_private_asset_details(user: Any, asset: Any = None) -> bool:
    """Contributors' names and emails are for moderators and the programme team only."""
    return can_moderate_assets(user)


def can_edit_asset(user: Any, asset: Any) -> bool:
    """Moderators edit any asset directly; owners edit their own (published ones via review)."""
    if can_moderate_assets(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and asset.owner_id is not None
        and asset.owner_id == user.pk
    )


def can_import_assets(user: Any) -> bool:
    return has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM, ProgrammeRole.MODERATOR)


def can_manage_categories(user: Any) -> bool:
    return has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM)
