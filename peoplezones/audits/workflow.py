"""The life of an issue, declared once: which moves exist, from where, and who may make them.

Modelled on the street-fault lifecycle councils know: unconfirmed -> open -> investigating,
referred, action scheduled (with a term), in progress -> fixed; or closed as unable to fix, not
responsible, duplicate or cancelled; hidden by a moderator; reopened. Services enforce it; pages,
the API and Open311 offer only the moves `available_actions` returns.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peoplezones.audits.models import Body, Issue
from peoplezones.audits.permissions import can_manage_issues

S = Issue.State
OPEN_STATES = frozenset({S.OPEN, S.INVESTIGATING, S.REFERRED, S.ACTION_SCHEDULED, S.IN_PROGRESS})
CLOSED_STATES = frozenset({S.FIXED, S.UNABLE_TO_FIX, S.NOT_RESPONSIBLE, S.DUPLICATE, S.CANCELLED})
PUBLIC_STATES = OPEN_STATES | CLOSED_STATES


def _staff(actor: Any, issue: Any) -> bool:
    return can_manage_issues(actor, issue)


def _staff_or_body(actor: Any, issue: Any) -> bool:
    # A body acts through its signed referral link or Open311 updates: the actor is the Body.
    return isinstance(actor, Body) or _staff(actor, issue)


def _system(actor: Any, issue: Any) -> bool:
    # Confirmation by the emailed link, and the reporter's "has it been fixed?" answer.
    return actor == "system" or _staff(actor, issue)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    sources: frozenset[str]
    target: str
    allowed: Callable[[Any, Any], bool]
    needs_term: bool = False
    needs_duplicate_of: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("confirm", _("Confirm"), frozenset({S.UNCONFIRMED}), S.OPEN, _system),
        Transition(
            "investigate", _("Investigate"), frozenset({S.OPEN}), S.INVESTIGATING, _staff_or_body
        ),
        Transition("refer", _("Refer"), frozenset({S.OPEN, S.INVESTIGATING}), S.REFERRED, _staff),
        Transition(
            "schedule",
            _("Schedule action"),
            frozenset({S.OPEN, S.INVESTIGATING, S.REFERRED, S.IN_PROGRESS}),
            S.ACTION_SCHEDULED,
            _staff_or_body,
            needs_term=True,
        ),
        Transition(
            "start",
            _("Work started"),
            frozenset({S.INVESTIGATING, S.REFERRED, S.ACTION_SCHEDULED}),
            S.IN_PROGRESS,
            _staff_or_body,
        ),
        Transition("fix", _("Mark fixed"), OPEN_STATES, S.FIXED, _staff_or_body),
        Transition("reported_fixed", _("Reporter says fixed"), OPEN_STATES, S.FIXED, _system),
        Transition(
            "unable", _("Close: unable to fix"), OPEN_STATES, S.UNABLE_TO_FIX, _staff_or_body
        ),
        Transition(
            "not_responsible",
            _("Close: not our responsibility"),
            OPEN_STATES,
            S.NOT_RESPONSIBLE,
            _staff_or_body,
        ),
        Transition(
            "duplicate",
            _("Close as a duplicate"),
            OPEN_STATES | {S.UNCONFIRMED},
            S.DUPLICATE,
            _staff,
            needs_duplicate_of=True,
        ),
        Transition("cancel", _("Cancel"), frozenset({S.UNCONFIRMED, S.OPEN}), S.CANCELLED, _staff),
        Transition(
            "hide", _("Hide"), OPEN_STATES | CLOSED_STATES | {S.UNCONFIRMED}, S.HIDDEN, _staff
        ),
        Transition("reopen", _("Reopen"), CLOSED_STATES | {S.HIDDEN}, S.OPEN, _system),
    ]
}


def available_actions(*, actor: Any, issue: Issue) -> list[Transition]:
    """The moves this actor may make on this issue now, in declaration order."""
    return [t for t in TRANSITIONS.values() if issue.state in t.sources and t.allowed(actor, issue)]


def open311_status(state: str) -> str:
    """GeoReport v2 knows only open and closed."""
    return "closed" if state in CLOSED_STATES or state == S.HIDDEN else "open"
