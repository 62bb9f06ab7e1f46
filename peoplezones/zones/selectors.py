"""Reads of zones, scoped to what the user may see."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from peoplezones.zones.models import ResearchReport, Theme, Zone
from peoplezones.zones.permissions import can_view_unpublished_zones


def zone_list(*, user: Any) -> QuerySet[Zone]:
    """Zones this user may see, with their themes in order.

    The public sees active zones; the programme team also sees proposed and closed ones.
    """
    zones = Zone.objects.prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("order", "title"))
    )
    if not can_view_unpublished_zones(user):
        zones = zones.filter(status=Zone.Status.ACTIVE)
    return zones.order_by("name")


def zone_get(*, user: Any, slug: str) -> Zone:
    """One zone by slug, if this user may see it; raises Zone.DoesNotExist otherwise."""
    return (
        zone_list(user=user)
        .prefetch_related(
            Prefetch("research_reports", queryset=ResearchReport.objects.order_by("-published"))
        )
        .get(slug=slug)
    )


def zone_for_point(*, lat: float, lon: float) -> Zone | None:
    """The active zone whose boundary holds the point, if any (zones do not overlap)."""
    for zone in Zone.objects.filter(status=Zone.Status.ACTIVE, boundary__isnull=False).only(
        "id", "boundary", "modified", "min_lon", "min_lat", "max_lon", "max_lat"
    ):
        if zone.contains_point(lat=lat, lon=lon):
            return zone
    return None
