import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peoplezones.accounts.tests.factories import ZoneMembershipFactory
from peoplezones.audits.models import Issue
from peoplezones.audits.services import (
    issue_confirm,
    issue_report,
    issue_support,
    issue_transition,
    subscription_confirm,
    subscription_create,
)
from peoplezones.audits.tests.factories import (
    BodyFactory,
    IssueCategoryFactory,
    IssueFactory,
)
from peoplezones.audits.workflow import TRANSITIONS, available_actions, open311_status
from peoplezones.core.models import AuditEvent

LIGHT = {
    "code": "light-x",
    "extra_attributes": [
        {
            "code": "fault",
            "label": "Fault",
            "type": "choice",
            "choices": ["Out", "Dim"],
            "required": True,
        }
    ],
}


def test_report_with_email_waits_for_confirmation(zone, django_capture_on_commit_callbacks):
    category = IssueCategoryFactory()

    with django_capture_on_commit_callbacks(execute=True):
        issue = issue_report(
            actor=None,
            category=category,
            latitude=52.638,
            longitude=-1.185,
            reporter_email="me@example.net",
        )

    assert issue.state == Issue.State.UNCONFIRMED
    assert issue.zone == zone
    link = f"/issues/{issue.pk}/confirm/{issue.confirmation_token}/"
    assert link in mail.outbox[0].body

    issue_confirm(issue=issue, token=issue.confirmation_token)
    issue.refresh_from_db()
    assert issue.state == Issue.State.OPEN
    assert issue.confirmed_at is not None


def test_confirm_with_a_wrong_token_is_refused(db):
    issue = IssueFactory(state=Issue.State.UNCONFIRMED, confirmed_at=None)

    with pytest.raises(PermissionDenied):
        issue_confirm(issue=issue, token="wrong")
    issue.refresh_from_db()
    assert issue.state == Issue.State.UNCONFIRMED


def test_staff_reports_open_at_once(moderator, zone):
    issue = issue_report(
        actor=moderator,
        category=IssueCategoryFactory(),
        latitude=52.638,
        longitude=-1.185,
        reporter_email="resident@example.net",
    )

    assert issue.state == Issue.State.OPEN
    assert issue.source == Issue.Source.STAFF


def test_extra_questions_are_checked(db):
    category = IssueCategoryFactory(**LIGHT)

    with pytest.raises(ValidationError, match="Fault"):
        issue_report(actor=None, category=category, latitude=52.638, longitude=-1.185)
    with pytest.raises(ValidationError, match="not one of"):
        issue_report(
            actor=None,
            category=category,
            latitude=52.638,
            longitude=-1.185,
            attributes={"fault": "On fire"},
        )
    issue = issue_report(
        actor=None,
        category=category,
        latitude=52.638,
        longitude=-1.185,
        attributes={"fault": "Dim"},
    )
    assert issue.attributes == {"fault": "Dim"}


def test_swapped_coordinates_are_refused_and_nothing_saved(db):
    with pytest.raises(ValidationError, match="swapped"):
        issue_report(actor=None, category=IssueCategoryFactory(), latitude=-1.185, longitude=52.638)
    assert not Issue.objects.exists()


@pytest.mark.parametrize(
    ("start", "action", "end", "extra"),
    [
        ("open", "investigate", "investigating", {}),
        ("open", "refer", "referred", {}),
        ("referred", "schedule", "action_scheduled", {"term": "short"}),
        ("action_scheduled", "start", "in_progress", {}),
        ("in_progress", "fix", "fixed", {}),
        ("open", "unable", "unable_to_fix", {}),
        ("open", "not_responsible", "not_responsible", {}),
        ("open", "cancel", "cancelled", {}),
        ("open", "hide", "hidden", {}),
        ("fixed", "reopen", "open", {}),
    ],
)
def test_staff_moves_issues_through_the_declared_table(moderator, start, action, end, extra):
    issue = IssueFactory(state=start)

    moved = issue_transition(issue=issue, actor=moderator, action=action, **extra)

    assert moved.state == end
    update = moved.updates.get()
    assert (update.state_from, update.state_to) == (start, end)
    assert AuditEvent.objects.filter(verb=f"issue.{action}").exists()


def test_fixing_and_closing_stamp_the_times(moderator):
    issue = IssueFactory(state="open")

    issue_transition(issue=issue, actor=moderator, action="fix")

    issue.refresh_from_db()
    assert issue.fixed_at is not None
    assert issue.closed_at is not None
    assert open311_status(issue.state) == "closed"


def test_schedule_needs_a_term_and_duplicate_needs_the_other_issue(moderator):
    issue = IssueFactory(state="open")

    with pytest.raises(ValidationError, match="short, medium or long"):
        issue_transition(issue=issue, actor=moderator, action="schedule")
    with pytest.raises(ValidationError, match="duplicates"):
        issue_transition(issue=issue, actor=moderator, action="duplicate")
    original = IssueFactory()
    issue_transition(issue=issue, actor=moderator, action="duplicate", duplicate_of=original)
    issue.refresh_from_db()
    assert issue.duplicate_of == original


def test_public_cannot_move_issues_and_bodies_only_make_body_moves(user):
    issue = IssueFactory(state="open")
    body = BodyFactory()

    with pytest.raises(PermissionDenied):
        issue_transition(issue=issue, actor=user, action="fix")
    with pytest.raises(PermissionDenied):
        issue_transition(issue=issue, actor=body, action="hide")
    issue_transition(issue=issue, actor=body, action="schedule", term="medium")
    issue.refresh_from_db()
    assert issue.state == "action_scheduled"
    assert issue.updates.get().body == body


def test_zone_officers_manage_issues_in_their_zone_only(zone):
    officer = ZoneMembershipFactory(zone=zone, role="zone_officer").user
    mine = IssueFactory(zone=zone)
    elsewhere = IssueFactory()

    assert [t.action for t in available_actions(actor=officer, issue=mine)][:2] == [
        "investigate",
        "refer",
    ]
    assert available_actions(actor=officer, issue=elsewhere) == []


def test_a_move_not_in_the_table_is_refused(moderator):
    with pytest.raises(ValidationError, match="cannot be moved"):
        issue_transition(issue=IssueFactory(state="fixed"), actor=moderator, action="start")
    assert "reopen" in TRANSITIONS


def test_me_too_counts_only_on_open_issues(db):
    issue = IssueFactory(state="open")

    issue_support(issue=issue, actor=None)
    issue_support(issue=issue, actor=None)

    assert issue.support_count == 2
    with pytest.raises(ValidationError):
        issue_support(issue=IssueFactory(state="fixed"), actor=None)


def test_followers_confirm_then_hear_of_public_moves(moderator, django_capture_on_commit_callbacks):
    issue = IssueFactory(state="open")
    with django_capture_on_commit_callbacks(execute=True):
        subscription = subscription_create(issue=issue, email="Follower@Example.net")
    assert "/issues/follow/" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        issue_transition(issue=issue, actor=moderator, action="investigate", text="Not yet")
    assert len(mail.outbox) == 1  # not confirmed yet: nothing sent

    subscription_confirm(token=subscription.token)
    with django_capture_on_commit_callbacks(execute=True):
        issue_transition(issue=issue, actor=moderator, action="fix", text="New lamp fitted")
    assert len(mail.outbox) == 2
    assert "New lamp fitted" in mail.outbox[1].body
    assert "/issues/unsubscribe/" in mail.outbox[1].body
    assert mail.outbox[1].to == ["follower@example.net"]
    assert timezone.now()


def test_trusted_reports_open_at_once_and_keep_their_source(
    user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issue = issue_report(
            actor=user,
            category=IssueCategoryFactory(),
            latitude=52.638,
            longitude=-1.185,
            reporter_email="resident@example.net",
            source=Issue.Source.OPEN311,
            trusted=True,
        )

    assert issue.state == Issue.State.OPEN
    assert issue.source == Issue.Source.OPEN311
    assert mail.outbox == []
