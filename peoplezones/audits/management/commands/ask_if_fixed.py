from django.core.management.base import BaseCommand

from peoplezones.audits.followup import issues_due_fixed_question
from peoplezones.audits.tasks import ask_reporters_if_fixed


class Command(BaseCommand):
    help = (
        "Ask reporters whether their referred issues are fixed, once each, after "
        "FIXED_QUESTION_AFTER_DAYS. Run it daily (cron or a scheduler); the emails are sent by "
        "the task backend (at once in development, by `manage.py db_worker` in production)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, but send nothing.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        due = issues_due_fixed_question().count()
        if dry_run:
            self.stdout.write(f"{due} reporters would be asked.")
            return
        result = ask_reporters_if_fixed.enqueue()
        self.stdout.write(f"{due} reporters due; task {result.id} is {result.status.lower()}.")
