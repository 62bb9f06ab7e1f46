from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "peoplezones.insight"
    label = "insight"
    verbose_name = _("Place insight")

    def ready(self) -> None:
        from peoplezones.zones.sections import ZoneSection, register

        register(
            ZoneSection(
                key="crime",
                title=_("Crime and anti-social behaviour"),
                description=_(
                    "Crime recorded by the police each month, by type, beside the local "
                    "authority and similar neighbourhoods."
                ),
                url_name="insight:zone-crime",
                order=60,
                # Crime is given to a zone by its boundary; no query, so the zone page stays
                # as quick as it is.
                is_available=lambda zone, user: bool(zone.boundary),
            )
        )
