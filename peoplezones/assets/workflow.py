"""The status machine of assets and events, declared once.

draft -> pending -> published -> archived (and back to published); pending -> rejected.
Only moderators publish. A flag never moves an asset: a published asset with an open flag is
shown as "under review" until a moderator decides. Services enforce this table; pages and the
API offer only the moves `available_actions` returns for the user.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peoplezones.assets.models import Asset
from peoplezones.assets.permissions import can_edit_asset, can_moderate_assets

S = Asset.Status


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    sources: frozenset[str]
    target: str
    allowed: Callable[[Any, Any], bool]
    needs_reason: bool = False


def _can_submit(user: Any, obj: Any) -> bool:
    owner_id = getattr(obj, "owner_id", None)
    return can_moderate_assets(user) or (owner_id is not None and can_edit_asset(user, obj))


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "submit", _("Send for moderation"), frozenset({S.DRAFT}), S.PENDING, _can_submit
        ),
        Transition(
            "approve", _("Publish"), frozenset({S.PENDING}), S.PUBLISHED, can_moderate_assets
        ),
        Transition(
            "reject",
            _("Reject"),
            frozenset({S.PENDING}),
            S.REJECTED,
            can_moderate_assets,
            needs_reason=True,
        ),
        Transition(
            "archive", _("Archive"), frozenset({S.PUBLISHED}), S.ARCHIVED, can_moderate_assets
        ),
        Transition(
            "restore", _("Publish again"), frozenset({S.ARCHIVED}), S.PUBLISHED, can_moderate_assets
        ),
    ]
}


def available_actions(*, user: Any, obj: Any) -> list[Transition]:
    """The moves this user may make on this asset or event now, in declaration order."""
    return [t for t in TRANSITIONS.values() if obj.status in t.sources and t.allowed(user, obj)]
