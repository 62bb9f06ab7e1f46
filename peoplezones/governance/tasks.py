"""Background work of steering groups (django-tasks)."""

from django_tasks import task

from peoplezones.governance.reminders import remind_all


@task()
def remind_action_owners() -> dict[str, int]:
    """Send every action reminder due today (London); returns how many of each kind went."""
    return remind_all()
