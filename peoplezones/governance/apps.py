from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "peoplezones.governance"
    label = "governance"
    verbose_name = _("Steering groups")

    def ready(self) -> None:
        from peoplezones.zones.sections import ZoneSection, register

        register(
            ZoneSection(
                key="steering-group",
                title=_("Steering group"),
                description=_(
                    "Who is on it, its meetings and published minutes, the action log and the "
                    "zone's initiatives."
                ),
                url_name="governance:zone-group",
                order=40,
                is_available=lambda zone, user: hasattr(zone, "steering_group"),
            )
        )
