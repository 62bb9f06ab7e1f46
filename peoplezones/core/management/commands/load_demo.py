import importlib
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from peoplezones.core.signals import refresh_query_statistics


def demo_modules() -> list[ModuleType]:
    """Each app's `demo` module, in the order the modules ask for (zones before people)."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("peoplezones."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.demo"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
    return sorted(modules, key=lambda module: module.ORDER)


class Command(BaseCommand):
    help = (
        "Load the demo data: the three People Zones with their boundaries and themes, and one "
        "demo user per role. Running it again changes nothing. Refuses to run when DJANGO_DEBUG "
        "is off unless --force is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load demo data even though DJANGO_DEBUG is off (never on a live site).",
        )

    def handle(self, *args, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DJANGO_DEBUG is off, so this looks like a live site: demo users with known "
                "passwords would be a security hole. Use --force only on a test site."
            )
        modules = demo_modules()
        with transaction.atomic():
            for number, module in enumerate(modules, start=1):
                self.stdout.write(f"[{number}/{len(modules)}] {module.DESCRIPTION}")
                module.load(out=self.stdout)
        refresh_query_statistics()
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
