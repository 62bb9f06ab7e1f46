from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "peoplezones.grants"
    label = "grants"
    verbose_name = _("Grants")

    def ready(self) -> None:
        from peoplezones.accounts.staff_tools import StaffTool
        from peoplezones.accounts.staff_tools import register as register_staff_tool
        from peoplezones.finance.models import StatedFigure
        from peoplezones.finance.reconciliation import register
        from peoplezones.finance.year_notes import register as register_year_note
        from peoplezones.grants import permissions
        from peoplezones.grants.reconciliation import (
            round_total_for_key,
            uncommitted_awards_note,
            zone_year_total_for_key,
        )
        from peoplezones.zones.sections import ZoneSection
        from peoplezones.zones.sections import register as register_section

        register(StatedFigure.Scope.ROUND, round_total_for_key)
        register(StatedFigure.Scope.ZONE_YEAR, zone_year_total_for_key)
        register_year_note(uncommitted_awards_note)
        register_section(
            ZoneSection(
                key="grants",
                title=_("Grants"),
                description=_(
                    "Grant rounds open to groups working here, and the projects funded in the "
                    "zone with their amounts."
                ),
                url_name="grants:zone-grants",
                order=50,
                # Every zone has the page (it says when no round has been open to the zone yet),
                # so the zone page spends no query on this link.
            )
        )
        register_staff_tool(
            StaffTool(
                label=_("Grant rounds: screening, assessment and decisions"),
                url_name="grants:staff-home",
                may_use=lambda user: (
                    permissions.is_grants_staff(user) or permissions.can_assess(user)
                ),
                order=10,
            )
        )
