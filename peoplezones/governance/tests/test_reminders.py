import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.core.models import AuditEvent
from peoplezones.governance.models import Action
from peoplezones.governance.reminders import (
    action_remind,
    actions_due_soon,
    actions_newly_overdue,
    remind_all,
    reminders_due,
)
from peoplezones.governance.selectors import today
from peoplezones.governance.services import action_update
from peoplezones.governance.tasks import remind_action_owners
from peoplezones.governance.tests.factories import (
    ActionFactory,
    MemberFactory,
    SteeringGroupFactory,
)

ON = datetime.date(2025, 7, 1)


@pytest.fixture
def group(db):
    return SteeringGroupFactory(action_prefix="BF")


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run what was scheduled for after the commit (the emails) and give the outbox."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = remind_all(**kwargs)
        return result

    return run


def _owned(group, due, **kwargs):
    kwargs.setdefault(
        "owner_member", MemberFactory(group=group, email="owner@example.org", name="Asha Patel")
    )
    return ActionFactory(group=group, due=due, owner_text="", **kwargs)


def test_actions_due_soon_are_those_due_within_the_setting(group, settings):
    settings.ACTION_REMINDER_DAYS = 3
    today_ = _owned(group, ON)
    in_three = _owned(group, ON + datetime.timedelta(days=3))
    _owned(group, ON + datetime.timedelta(days=4))
    _owned(group, ON - datetime.timedelta(days=1))
    _owned(group, ON + datetime.timedelta(days=1), status=Action.Status.DONE)

    assert set(actions_due_soon(on=ON)) == {today_, in_three}


def test_reminder_days_default_to_three(group, settings):
    del settings.ACTION_REMINDER_DAYS
    in_three = _owned(group, ON + datetime.timedelta(days=3))
    _owned(group, ON + datetime.timedelta(days=4))

    assert list(actions_due_soon(on=ON)) == [in_three]


def test_an_action_due_yesterday_is_overdue_not_due_soon(group):
    yesterday = _owned(group, ON - datetime.timedelta(days=1))
    due_today = _owned(group, ON)

    assert list(actions_newly_overdue(on=ON)) == [yesterday]
    assert due_today in actions_due_soon(on=ON)
    assert yesterday not in actions_due_soon(on=ON)


def test_long_overdue_actions_are_not_reminded_at_go_live(group):
    _owned(group, ON - datetime.timedelta(days=60))
    last_week = _owned(group, ON - datetime.timedelta(days=7))

    assert list(actions_newly_overdue(on=ON)) == [last_week]


def test_owners_without_an_email_are_skipped(group):
    no_email = MemberFactory(group=group, email="")
    with_account = MemberFactory(group=group, email="", user=UserFactory(email="acct@example.org"))
    former = MemberFactory(group=group, email="gone@example.org", left=ON)
    _owned(group, ON, owner_member=no_email)
    _owned(group, ON, owner_member=former)
    ActionFactory(group=group, due=ON, owner_text="Charnwood Borough Council")
    by_account = _owned(group, ON, owner_member=with_account)
    by_user = ActionFactory(group=group, due=ON, owner_user=UserFactory(email="u@example.org"))

    assert set(actions_due_soon(on=ON)) == {by_account, by_user}


def test_each_reminder_is_sent_once(group, sent):
    action = _owned(group, ON + datetime.timedelta(days=2))

    first = sent(on=ON)
    second = sent(on=ON + datetime.timedelta(days=1))

    assert first == {"due": 1, "overdue": 0}
    assert second == {"due": 0, "overdue": 0}
    assert len(mail.outbox) == 1
    action.refresh_from_db()
    assert action.reminded_due_on == ON


def test_due_soon_then_overdue_are_two_reminders(group, sent):
    action = _owned(group, ON, number=1)

    sent(on=ON)
    sent(on=ON + datetime.timedelta(days=1))
    sent(on=ON + datetime.timedelta(days=2))

    assert [m.subject for m in mail.outbox] == [
        "Action BF-001 is due on 1 July 2025",
        "Action BF-001 is overdue (due 1 July 2025)",
    ]
    action.refresh_from_db()
    assert (action.reminded_due_on, action.reminded_overdue_on) == (
        ON,
        ON + datetime.timedelta(days=1),
    )
    assert AuditEvent.objects.filter(verb__startswith="action.remind").count() == 2


def test_a_new_due_date_earns_new_reminders(group, sent):
    action = _owned(group, ON)
    sent(on=ON)

    action_update(
        action=action,
        actor=UserFactory(roles=["Programme team"]),
        due=ON + datetime.timedelta(days=2),
    )
    sent(on=ON)

    assert len(mail.outbox) == 2


def test_reminder_names_the_action_and_link_and_nobody_else(group, sent, settings):
    settings.SITE_URL = "https://peoplezones.example"
    ActionFactory(
        group=group,
        due=ON + datetime.timedelta(days=10),
        owner_member=MemberFactory(group=group, name="Other Person", email="other@example.org"),
    )
    action = _owned(group, ON + datetime.timedelta(days=2), number=2, description="Book the hall")

    sent(on=ON)

    [email] = mail.outbox
    assert email.to == ["owner@example.org"]
    assert "BF-002" in email.subject
    assert "Book the hall" in email.body
    assert "3 July 2025" in email.body
    assert f"https://peoplezones.example/actions/{action.pk}/" in email.body
    for private in ("Asha Patel", "Other Person", "other@example.org", "owner@example.org"):
        assert private not in email.body


def test_action_remind_refuses_a_reminder_no_longer_due(group, django_capture_on_commit_callbacks):
    action = _owned(group, ON)
    Action.objects.filter(pk=action.pk).update(status=Action.Status.DONE)

    with django_capture_on_commit_callbacks(execute=True):
        assert action_remind(action=action, kind="due", on=ON) is False

    assert mail.outbox == []


def test_midnight_in_london_decides_due_soon_or_overdue(group, monkeypatch):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST): an action due on 30 June is
    # overdue, though in UTC it is still its due date.
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2025, 6, 30, 23, 30, tzinfo=datetime.UTC)
    )
    due_30_june = _owned(group, datetime.date(2025, 6, 30))

    assert today() == ON
    assert reminders_due() == [(due_30_june, "overdue")]


def test_just_before_midnight_in_london_it_is_still_due_soon(group, monkeypatch):
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2025, 6, 30, 22, 59, tzinfo=datetime.UTC)
    )
    due_30_june = _owned(group, datetime.date(2025, 6, 30))

    assert today() == datetime.date(2025, 6, 30)
    assert reminders_due() == [(due_30_june, "due")]


def test_the_task_sends_every_due_reminder(group, django_capture_on_commit_callbacks):
    _owned(group, today())
    _owned(group, today() - datetime.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        result = remind_action_owners.enqueue()

    assert result.return_value == {"due": 1, "overdue": 1}
    assert len(mail.outbox) == 2


def test_command_dry_run_counts_and_sends_nothing(group, django_capture_on_commit_callbacks):
    action = _owned(group, today() + datetime.timedelta(days=1))
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind_action_owners", "--dry-run", stdout=out)

    assert "1 due within 3 days, 0 newly overdue" in out.getvalue()
    assert mail.outbox == []
    action.refresh_from_db()
    assert action.reminded_due_on is None


def test_command_sends_each_reminder_once(group, django_capture_on_commit_callbacks):
    _owned(group, today() + datetime.timedelta(days=1))

    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("remind_action_owners", stdout=io.StringIO())

    assert len(mail.outbox) == 1
