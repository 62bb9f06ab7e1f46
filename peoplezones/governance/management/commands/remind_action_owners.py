from django.core.management.base import BaseCommand

from peoplezones.governance.reminders import reminder_counts, reminder_days
from peoplezones.governance.tasks import remind_action_owners


class Command(BaseCommand):
    help = (
        "Remind action owners, once each, when an action is due within ACTION_REMINDER_DAYS "
        "and again when it becomes overdue. Run it daily (cron or a scheduler); the emails are "
        "sent by the task backend (at once in development, by `manage.py db_worker` in "
        "production)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, but send nothing.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        counts = reminder_counts()
        summary = (
            f"{counts['due']} due within {reminder_days()} days, {counts['overdue']} newly overdue"
        )
        if dry_run:
            self.stdout.write(f"Would remind: {summary}. Nothing was sent.")
            return
        result = remind_action_owners.enqueue()
        self.stdout.write(f"To remind: {summary}; task {result.id} is {result.status.lower()}.")
