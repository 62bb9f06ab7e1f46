from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaybackConfig(AppConfig):
    name = "peoplezones.payback"
    label = "payback"
    verbose_name = _("Community Payback planner")

    def ready(self) -> None:
        from peoplezones.accounts.staff_tools import StaffTool, register
        from peoplezones.payback.permissions import can_plan_payback

        register(
            StaffTool(
                label=_("Community Payback planner"),
                url_name="payback:planner",
                may_use=can_plan_payback,
                order=40,
            )
        )
