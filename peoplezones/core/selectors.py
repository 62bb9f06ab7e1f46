from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connections
from django.db.models import QuerySet

from peoplezones.core import geo
from peoplezones.core.models import AuditEvent


def database_is_reachable(*, alias: str = "default") -> bool:
    """Whether a real round trip to the database succeeds."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def audit_event_list(*, target=None, zone=None) -> QuerySet[AuditEvent]:
    """Audit events, newest first, optionally for one target or zone (staff use only)."""
    events = AuditEvent.objects.select_related("actor", "zone", "target_type")
    if target is not None:
        events = events.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
        )
    if zone is not None:
        events = events.filter(zone=zone)
    return events


def within_radius(rows: QuerySet, *, lat: float, lon: float, radius_m: float) -> list:
    """Rows (with `latitude`/`longitude` columns) within `radius_m` of a point, nearest first.

    The bounding box narrows the query through the point index; the exact great-circle
    distance decides. Each row gets a `distance_m` attribute.
    """
    min_lon, min_lat, max_lon, max_lat = geo.bbox_around(lat=lat, lon=lon, radius_m=radius_m)
    found = []
    for row in rows.filter(
        latitude__gte=min_lat,
        latitude__lte=max_lat,
        longitude__gte=min_lon,
        longitude__lte=max_lon,
    ):
        row.distance_m = geo.haversine_m(lat1=lat, lon1=lon, lat2=row.latitude, lon2=row.longitude)
        if row.distance_m <= radius_m:
            found.append(row)
    found.sort(key=lambda row: row.distance_m)
    return found
