from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "peoplezones.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from peoplezones.core.signals import analyze_after_migrate

        # Once per migrate run, not per app: the receiver is keyed on this app's config.
        post_migrate.connect(analyze_after_migrate, sender=self, dispatch_uid="core-analyze")
