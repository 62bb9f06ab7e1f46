"""How an application moves, declared once, with who may make each move.

draft -> submitted -> (screening) eligible: assessment | ineligible | more information
requested <-> submitted; assessment -> recommended / not recommended (or more information);
recommended / not recommended -> approved / declined (the commissioner's decision);
the applicant may withdraw at any point before the decision.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peoplezones.grants import permissions
from peoplezones.grants.models import Application

S = Application.Status


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    sources: frozenset[str]
    target: str
    allowed: Callable[[Any, Application], bool]
    needs_reason: bool = False


def _applicant(user: Any, application: Application) -> bool:
    return permissions.is_applicant_for(user, application)


def _screener(user: Any, application: Application) -> bool:
    return permissions.can_screen(user)


def _decider(user: Any, application: Application) -> bool:
    return permissions.can_decide(user)


BEFORE_DECISION = frozenset(
    {S.DRAFT, S.SUBMITTED, S.MORE_INFORMATION, S.ASSESSMENT, S.RECOMMENDED, S.NOT_RECOMMENDED}
)
FINAL = frozenset({S.INELIGIBLE, S.APPROVED, S.DECLINED, S.WITHDRAWN})
# Applicants may change what they wrote only while it is theirs to change.
APPLICANT_EDITABLE = frozenset({S.DRAFT, S.MORE_INFORMATION})

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "submit",
            _("Submit application"),
            frozenset({S.DRAFT, S.MORE_INFORMATION}),
            S.SUBMITTED,
            _applicant,
        ),
        Transition(
            "eligible",
            _("Eligible: send to assessment"),
            frozenset({S.SUBMITTED}),
            S.ASSESSMENT,
            _screener,
        ),
        Transition(
            "ineligible",
            _("Not eligible"),
            frozenset({S.SUBMITTED}),
            S.INELIGIBLE,
            _screener,
            needs_reason=True,
        ),
        Transition(
            "request_information",
            _("Ask for more information"),
            frozenset({S.SUBMITTED, S.ASSESSMENT}),
            S.MORE_INFORMATION,
            _screener,
            needs_reason=True,
        ),
        Transition(
            "recommend", _("Recommend"), frozenset({S.ASSESSMENT}), S.RECOMMENDED, _screener
        ),
        Transition(
            "not_recommend",
            _("Do not recommend"),
            frozenset({S.ASSESSMENT}),
            S.NOT_RECOMMENDED,
            _screener,
            needs_reason=True,
        ),
        Transition(
            "reassess",
            _("Back to assessment"),
            frozenset({S.RECOMMENDED, S.NOT_RECOMMENDED}),
            S.ASSESSMENT,
            _screener,
        ),
        Transition(
            "approve",
            _("Approve"),
            frozenset({S.RECOMMENDED, S.NOT_RECOMMENDED}),
            S.APPROVED,
            _decider,
        ),
        Transition(
            "decline",
            _("Decline"),
            frozenset({S.RECOMMENDED, S.NOT_RECOMMENDED}),
            S.DECLINED,
            _decider,
            needs_reason=True,
        ),
        Transition("withdraw", _("Withdraw application"), BEFORE_DECISION, S.WITHDRAWN, _applicant),
    ]
}


def available_actions(*, user: Any, application: Application) -> list[Transition]:
    return [
        t
        for t in TRANSITIONS.values()
        if application.status in t.sources and t.allowed(user, application)
    ]
