import datetime
import io
import re

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from peoplezones.audits.followup import answer_token, issues_due_fixed_question
from peoplezones.audits.tests.factories import IssueFactory


def _referred(days_ago: int, **kwargs):
    return IssueFactory(
        state="referred", referred_at=timezone.now() - datetime.timedelta(days=days_ago), **kwargs
    )


def test_only_due_issues_with_an_email_are_asked(db, settings):
    settings.FIXED_QUESTION_AFTER_DAYS = 28
    due = _referred(30)
    _referred(10)
    _referred(30, reporter_email="")
    IssueFactory(state="fixed", referred_at=timezone.now() - datetime.timedelta(days=40))

    assert list(issues_due_fixed_question()) == [due]


def test_command_asks_each_reporter_once(db, settings, django_capture_on_commit_callbacks):
    settings.FIXED_QUESTION_AFTER_DAYS = 28
    issue = _referred(30)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("ask_if_fixed", stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ask_if_fixed", stdout=io.StringIO())

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [issue.reporter_email]
    assert "/issues/fixed/" in mail.outbox[0].body


def test_yes_closes_the_issue_and_says_so_on_the_timeline(client, db):
    issue = _referred(30)

    response = client.get(
        reverse("audits:fixed-answer", kwargs={"token": answer_token(issue=issue, fixed=True)})
    )

    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.state == "fixed"
    assert "says it is fixed" in issue.updates.get().text


def test_no_keeps_it_open_with_a_public_note(client, db):
    issue = _referred(30)

    client.get(
        reverse("audits:fixed-answer", kwargs={"token": answer_token(issue=issue, fixed=False)})
    )

    issue.refresh_from_db()
    assert issue.state == "referred"
    page = client.get(issue.get_absolute_url()).content.decode()
    assert "says it is not fixed yet" in page


def test_a_forged_answer_link_is_refused(client, db):
    issue = _referred(30)
    token = answer_token(issue=issue, fixed=True)
    forged = re.sub(r".$", "x" if not token.endswith("x") else "y", token)

    response = client.get(reverse("audits:fixed-answer", kwargs={"token": forged}))

    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.state == "referred"
