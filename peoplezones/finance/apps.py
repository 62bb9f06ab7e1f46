from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "peoplezones.finance"
    label = "finance"
    verbose_name = _("Budget and finance")

    def ready(self) -> None:
        from peoplezones.accounts.staff_tools import StaffTool, register
        from peoplezones.grants.permissions import can_view_finance

        register(
            StaffTool(
                label=_("Budget, commitments and reconciliation"),
                url_name="finance:home",
                may_use=can_view_finance,
                order=20,
            )
        )
