"""The grant totals that stated figures are checked against."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peoplezones.finance.reconciliation import UnknownKey
from peoplezones.finance.selectors import parse_year_label
from peoplezones.grants.models import GrantRound
from peoplezones.grants.selectors import round_total, zone_year_total


def round_total_for_key(key: str) -> Decimal:
    grant_round = GrantRound.objects.filter(name__iexact=key.strip()).first()
    if grant_round is None:
        raise UnknownKey(_("No grant round is called “%(key)s”.") % {"key": key})
    return round_total(grant_round)


def zone_year_total_for_key(key: str) -> Decimal:
    from peoplezones.zones.models import Zone

    slug, _space, label = key.strip().rpartition(" ")
    start = parse_year_label(label)
    zone = Zone.objects.filter(slug=slug.strip()).first()
    if zone is None or start is None:
        raise UnknownKey(
            _("“%(key)s” should be a zone's slug and a budget year, e.g. “new-parks 2022/23”.")
            % {"key": key}
        )
    return zone_year_total(zone=zone, start_year=start)


def uncommitted_awards_note(year: Any) -> list[str]:
    """For the budget year's page: awards of the year's rounds that no budget line carries
    (awards imported from published tables have no commitment), so that the year's committed
    total is not read as all of its grants."""
    from django.db.models import Count, Sum

    from peoplezones.core.money import format_gbp
    from peoplezones.grants.models import Award

    found = Award.objects.filter(
        application__round__budget_year=year, commitment__isnull=True
    ).aggregate(count=Count("pk"), total=Sum("amount"))
    if not found["count"]:
        return []
    return [
        ngettext(
            "%(count)s grant award of this year's rounds, %(total)s, is not committed against "
            "any budget line (awards imported from published tables are recorded without one), "
            "so it is not in the committed figures below.",
            "%(count)s grant awards of this year's rounds, %(total)s in all, are not committed "
            "against any budget line (awards imported from published tables are recorded "
            "without one), so they are not in the committed figures below.",
            found["count"],
        )
        % {"count": found["count"], "total": format_gbp(found["total"])}
    ]
