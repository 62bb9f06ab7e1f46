from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZonesConfig(AppConfig):
    name = "peoplezones.zones"
    label = "zones"
    verbose_name = _("Zones")

    def ready(self) -> None:
        from peoplezones.zones.sections import ZoneSection, register

        register(
            ZoneSection(
                key="boundary",
                title=_("Zone boundary (open data)"),
                description=_("Download the zone's boundary as GeoJSON to use in your own maps."),
                url_name="zones:zone-boundary",
                order=900,
                is_available=lambda zone, user: bool(zone.boundary),
            )
        )
