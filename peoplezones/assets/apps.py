from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "peoplezones.assets"
    label = "assets"
    verbose_name = _("Community asset map")

    def ready(self) -> None:
        # Connects the receivers that give the public asset data a new version on every write.
        from peoplezones.assets import feature_cache  # noqa: F401
        from peoplezones.zones.sections import ZoneSection, register

        register(
            ZoneSection(
                key="asset-map",
                title=_("Community asset map"),
                description=_(
                    "Services, groups, places and events in and around the zone. "
                    "Anyone can add one."
                ),
                url_name="assets:zone-map",
                order=10,
            )
        )
        register(
            ZoneSection(
                key="events",
                title=_("What's on"),
                description=_("Upcoming events in the zone, also as a calendar feed."),
                url_name="assets:zone-events",
                order=20,
            )
        )
