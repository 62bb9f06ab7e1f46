"""Every workflow move, for every role: who may make it and what it does."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.core.models import AuditEvent
from peoplezones.grants import services
from peoplezones.grants.models import Application, Award, Message
from peoplezones.grants.tests.factories import ApplicationFactory
from peoplezones.grants.workflow import TRANSITIONS, available_actions

pytestmark = pytest.mark.django_db
S = Application.Status

ROLES = {
    "applicant": None,
    "stranger": [],
    "programme team": [ProgrammeRole.PROGRAMME_TEAM],
    "assessor": [ProgrammeRole.ASSESSOR],
    "commissioner": [ProgrammeRole.COMMISSIONER],
    "finance": [ProgrammeRole.FINANCE],
    "moderator": [ProgrammeRole.MODERATOR],
}

# action -> (the status it starts from, the roles that may make it)
WHO_MAY = {
    "submit": (S.DRAFT, {"applicant"}),
    "eligible": (S.SUBMITTED, {"programme team"}),
    "ineligible": (S.SUBMITTED, {"programme team"}),
    "request_information": (S.ASSESSMENT, {"programme team"}),
    "recommend": (S.ASSESSMENT, {"programme team"}),
    "not_recommend": (S.ASSESSMENT, {"programme team"}),
    "reassess": (S.RECOMMENDED, {"programme team"}),
    "approve": (S.RECOMMENDED, {"commissioner"}),
    "decline": (S.NOT_RECOMMENDED, {"commissioner"}),
    "withdraw": (S.ASSESSMENT, {"applicant"}),
}


def _actor(role, application):
    if role == "applicant":
        return application.applicant
    return UserFactory(roles=ROLES[role])


def test_every_declared_move_is_covered_here():
    assert set(WHO_MAY) == set(TRANSITIONS)


@pytest.mark.parametrize("action", sorted(WHO_MAY))
@pytest.mark.parametrize("role", sorted(ROLES))
def test_who_may_make_each_move(action, role):
    source, allowed = WHO_MAY[action]
    application = ApplicationFactory(applicant=UserFactory(), status=source)
    actor = _actor(role, application)
    reason = "A reason the applicant will read."
    offered = action in {t.action for t in available_actions(user=actor, application=application)}
    assert offered == (role in allowed)
    if role in allowed:
        if action == "approve":
            services.approve(application=application, actor=actor)
        else:
            services.move(application=application, action=action, actor=actor, reason=reason)
        application.refresh_from_db()
        assert application.status == TRANSITIONS[action].target
        assert AuditEvent.objects.filter(verb=f"grants.application_{action}").count() == 1
    else:
        if action == "approve":
            with pytest.raises(PermissionDenied):
                services.approve(application=application, actor=actor)
        else:
            with pytest.raises(PermissionDenied):
                services.move(application=application, action=action, actor=actor, reason=reason)
        application.refresh_from_db()
        assert application.status == source
        assert not Award.objects.exists()


def test_a_move_from_the_wrong_status_is_refused_with_a_message():
    application = ApplicationFactory(applicant=UserFactory(), status=S.DRAFT)
    staff = UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM])
    with pytest.raises(ValidationError, match="cannot be moved that way"):
        services.move(application=application, action="recommend", actor=staff)


def test_moves_that_need_a_reason_refuse_without_one_and_keep_it_as_a_message():
    application = ApplicationFactory(applicant=UserFactory(), status=S.SUBMITTED)
    staff = UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM])
    with pytest.raises(ValidationError, match="Give a reason"):
        services.move(application=application, action="request_information", actor=staff)
    services.move(
        application=application,
        action="request_information",
        actor=staff,
        reason="Please send a copy of your safeguarding policy.",
    )
    message = Message.objects.get(application=application)
    assert message.from_staff
    assert "safeguarding policy" in message.body


def test_more_information_goes_back_and_forth_until_eligible():
    applicant = UserFactory()
    staff = UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM])
    application = ApplicationFactory(applicant=applicant)
    application = services.move(application=application, action="submit", actor=applicant)
    first_submitted = application.submitted_at
    application = services.move(
        application=application, action="request_information", actor=staff, reason="Dates?"
    )
    assert application.status == S.MORE_INFORMATION
    application = services.move(application=application, action="submit", actor=applicant)
    assert application.status == S.SUBMITTED
    assert application.submitted_at == first_submitted
    application = services.move(application=application, action="eligible", actor=staff)
    assert application.status == S.ASSESSMENT


@pytest.mark.parametrize("status", [S.APPROVED, S.DECLINED, S.INELIGIBLE, S.WITHDRAWN])
def test_nothing_moves_an_application_after_the_decision(status):
    application = ApplicationFactory(applicant=UserFactory(), status=status)
    for role in ROLES:
        actor = _actor(role, application)
        assert available_actions(user=actor, application=application) == []


def test_approval_may_award_less_than_asked_but_never_more():
    application = ApplicationFactory(
        applicant=UserFactory(), status=S.RECOMMENDED, amount_requested=Decimal("4800.00")
    )
    commissioner = UserFactory(roles=[ProgrammeRole.COMMISSIONER])
    with pytest.raises(ValidationError, match=r"cannot be more than the £4,800\.00"):
        services.approve(application=application, actor=commissioner, amount=Decimal("4800.01"))
    assert not Award.objects.exists()
    award = services.approve(
        application=application,
        actor=commissioner,
        amount=Decimal("4000.00"),
        reasons="Strong link to the youth theme.",
        conditions="Report attendance termly.",
    )
    assert award.amount == Decimal("4000.00")
    assert award.identifier == f"360G-pztest-{application.reference}"
    assert award.commitment.amount == Decimal("4000.00")
    assert award.commitment.line == application.round.budget_line
    application.refresh_from_db()
    assert application.status == S.APPROVED
