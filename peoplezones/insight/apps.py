from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "peoplezones.insight"
    label = "insight"
    verbose_name = _("Place insight")

    def ready(self) -> None:
        from peoplezones.accounts.staff_tools import StaffTool
        from peoplezones.accounts.staff_tools import register as register_staff_tool
        from peoplezones.insight.views.access import can_analyse_crime
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
        register_staff_tool(
            StaffTool(
                label=_("Place insight: crime, hotspots and the next zone"),
                url_name="insight:dashboard",
                may_use=can_analyse_crime,
                order=30,
            )
        )
