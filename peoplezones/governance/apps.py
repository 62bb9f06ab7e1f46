from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _group_summary(zone, user) -> str:
    from django.utils.formats import date_format
    from django.utils.timezone import localtime
    from django.utils.translation import gettext, ngettext

    from peoplezones.governance.selectors import action_summary, composition, upcoming_meetings

    group = zone.steering_group
    total = composition(group=group)["total"]
    facts = [ngettext("%(count)s member", "%(count)s members", total) % {"count": total}]
    upcoming = upcoming_meetings(group=group).first()
    if upcoming is not None:
        facts.append(
            gettext("next meeting %(date)s")
            % {"date": date_format(localtime(upcoming.starts), "j F Y")}
        )
    actions = action_summary(group=group)
    facts.append(
        ngettext(
            "%(open)s open action, %(red)s overdue",
            "%(open)s open actions, %(red)s overdue",
            actions["open"],
        )
        % {"open": actions["open"], "red": actions["red"]}
    )
    return "; ".join(facts) + "."


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
                summary=_group_summary,
            )
        )
