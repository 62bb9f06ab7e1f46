"""How minutes move, declared once: draft -> circulated -> approved -> published.

Members of the zone circulate drafts (and take them back to edit); the chair, or the programme
team, approves them (normally at the next meeting) and publishes them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peoplezones.governance.models import Meeting
from peoplezones.governance.permissions import can_approve_minutes, can_edit_group_business

M = Meeting.MinutesStatus


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    sources: frozenset[str]
    target: str
    allowed: Callable[[Any, Any], bool]


def _editor(user: Any, meeting: Meeting) -> bool:
    return can_edit_group_business(user, meeting.group)


def _approver(user: Any, meeting: Meeting) -> bool:
    return can_approve_minutes(user, meeting.group)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "circulate", _("Circulate to members"), frozenset({M.DRAFT}), M.CIRCULATED, _editor
        ),
        Transition("redraft", _("Back to draft"), frozenset({M.CIRCULATED}), M.DRAFT, _editor),
        Transition("approve", _("Approve"), frozenset({M.CIRCULATED}), M.APPROVED, _approver),
        Transition("publish", _("Publish"), frozenset({M.APPROVED}), M.PUBLISHED, _approver),
        Transition("unpublish", _("Take down"), frozenset({M.PUBLISHED}), M.APPROVED, _approver),
    ]
}
EDITABLE = frozenset({M.DRAFT, M.CIRCULATED})


def available_actions(*, user: Any, meeting: Meeting) -> list[Transition]:
    return [
        t
        for t in TRANSITIONS.values()
        if meeting.minutes_status in t.sources and t.allowed(user, meeting)
    ]
