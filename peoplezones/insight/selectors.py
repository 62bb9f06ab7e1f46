"""Reads of place insight: police.uk crime by zone, month and type.

police.uk street-level crime is open data, so every user, signed in or not, may read it; the
`user` argument keeps the selectors' shape the same as everywhere else for when that changes.
"""

import datetime
from typing import Any

from django.db.models import Count, QuerySet

from peoplezones.insight.models import Crime
from peoplezones.zones.models import Zone


def crime_list(
    *,
    user: Any,
    zone: Zone | None = None,
    month: datetime.date | None = None,
    crime_type: str | None = None,
) -> QuerySet[Crime]:
    """Crimes, newest month first, optionally only of one zone, month (any day in it) or type."""
    crimes = Crime.objects.select_related("zone")
    if zone is not None:
        crimes = crimes.filter(zone=zone)
    if month is not None:
        crimes = crimes.filter(month=month.replace(day=1))
    if crime_type:
        crimes = crimes.filter(crime_type=crime_type)
    return crimes.order_by("-month", "id")


def crime_counts_by_type(
    *,
    user: Any,
    zone: Zone | None = None,
    month_from: datetime.date | None = None,
    month_to: datetime.date | None = None,
) -> list[dict[str, Any]]:
    """`{"crime_type", "count"}` for each crime type, most frequent first; months inclusive."""
    crimes = Crime.objects.all()
    if zone is not None:
        crimes = crimes.filter(zone=zone)
    if month_from is not None:
        crimes = crimes.filter(month__gte=month_from.replace(day=1))
    if month_to is not None:
        crimes = crimes.filter(month__lte=month_to.replace(day=1))
    return list(
        crimes.values("crime_type").annotate(count=Count("id")).order_by("-count", "crime_type")
    )


def crime_counts_by_month(*, user: Any, zone: Zone | None = None) -> list[dict[str, Any]]:
    """`{"month", "count"}` for each month with crimes, oldest first (the zone's trend)."""
    crimes = Crime.objects.all()
    if zone is not None:
        crimes = crimes.filter(zone=zone)
    return list(crimes.values("month").annotate(count=Count("id")).order_by("month"))
