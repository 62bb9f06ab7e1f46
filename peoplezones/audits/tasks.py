"""Background work of safety audits (django-tasks)."""

from django_tasks import task

from peoplezones.audits.followup import issue_ask_if_fixed, issues_due_fixed_question


@task()
def ask_reporters_if_fixed() -> int:
    """Ask every reporter whose referred issue is due; returns how many were asked."""
    asked = 0
    for issue in issues_due_fixed_question().only("pk").iterator():
        asked += issue_ask_if_fixed(issue=issue)
    return asked
