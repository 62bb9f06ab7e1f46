from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaybackConfig(AppConfig):
    name = "peoplezones.payback"
    label = "payback"
    verbose_name = _("Community Payback planner")
