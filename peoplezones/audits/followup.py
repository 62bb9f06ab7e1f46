"""“Has it been fixed?”: some weeks after a referral, ask the reporter; their answer goes on the
timeline. Runs as background work (`tasks.ask_reporters_if_fixed`), started daily by
`manage.py ask_if_fixed` from cron or a scheduler."""

import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peoplezones.audits.models import Issue
from peoplezones.audits.services import issue_transition, timeline_add
from peoplezones.audits.workflow import OPEN_STATES
from peoplezones.core.services import audit_record, email_after_commit

SALT = "audits.fixed-question"
ANSWER_LINK_MAX_AGE = datetime.timedelta(days=90)


def issues_due_fixed_question(*, now: datetime.datetime | None = None) -> QuerySet[Issue]:
    """Referred issues still open after the waiting time whose reporter left an email."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.FIXED_QUESTION_AFTER_DAYS)
    return Issue.objects.filter(
        state__in=OPEN_STATES,
        referred_at__lte=cutoff,
        fixed_question_sent_at__isnull=True,
    ).exclude(reporter_email="")


def answer_token(*, issue: Issue, fixed: bool) -> str:
    return signing.dumps({"issue": issue.pk, "fixed": fixed}, salt=SALT)


def read_answer_token(token: str) -> dict[str, Any]:
    """The answer a link carries; raises signing.BadSignature for a forged or expired link."""
    return signing.loads(token, salt=SALT, max_age=ANSWER_LINK_MAX_AGE)


@transaction.atomic
def issue_ask_if_fixed(*, issue: Issue) -> bool:
    """Email the reporter the question once; returns False if it was already asked."""
    issue = Issue.objects.select_for_update().select_related("category").get(pk=issue.pk)
    if issue.fixed_question_sent_at is not None or not issue.reporter_email:
        return False
    issue.fixed_question_sent_at = timezone.now()
    issue.save(update_fields=["fixed_question_sent_at", "modified"])

    def link(fixed: bool) -> str:
        return settings.SITE_URL + reverse(
            "audits:fixed-answer", kwargs={"token": answer_token(issue=issue, fixed=fixed)}
        )

    email_after_commit(
        to=issue.reporter_email,
        subject=_("Has it been fixed? (%(category)s, #%(id)s)")
        % {"category": issue.category.name, "id": issue.pk},
        body=_(
            "You reported a problem (%(category)s, #%(id)s). We passed it on to be fixed. "
            "Has it been fixed?\n\nYes, it is fixed: %(yes)s\n\nNo, not yet: %(no)s"
        )
        % {"category": issue.category.name, "id": issue.pk, "yes": link(True), "no": link(False)},
    )
    audit_record(actor=None, verb="issue.fixed_question", target=issue, zone=issue.zone)
    return True


@transaction.atomic
def issue_record_reporter_answer(*, issue: Issue, fixed: bool) -> Issue:
    """The reporter's answer goes on the public timeline; "fixed" closes an open issue."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if fixed and issue.state in OPEN_STATES:
        return issue_transition(
            issue=issue,
            actor="system",
            action="reported_fixed",
            text=_("The person who reported it says it is fixed."),
        )
    if not fixed and issue.state in OPEN_STATES:
        timeline_add(
            issue=issue,
            actor=None,
            text=_("The person who reported it says it is not fixed yet."),
        )
        audit_record(actor=None, verb="issue.reported_not_fixed", target=issue, zone=issue.zone)
    return issue
