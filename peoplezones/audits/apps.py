from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "peoplezones.audits"
    label = "audits"
    verbose_name = _("Safety audits")

    def ready(self) -> None:
        from peoplezones.zones.sections import ZoneSection, register

        register(
            ZoneSection(
                key="issues",
                title=_("Report a problem"),
                description=_(
                    "Broken street lights, overgrown paths, bin stores: pinpoint it and follow "
                    "it to the fix."
                ),
                url_name="audits:zone-issues",
                order=30,
            )
        )
