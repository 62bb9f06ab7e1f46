"""The grant totals that stated figures are checked against."""

from decimal import Decimal

from django.utils.translation import gettext as _

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
