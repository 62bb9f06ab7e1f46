"""Distances between points, boxes around a point and bounding boxes from query strings."""

import math

from django.utils.translation import gettext_lazy as _

from .errors import EARTH_RADIUS_M, GeoError, _fmt, _show
from .points import validate_point


def haversine_m(*, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points (spherical Earth)."""
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    # Rounding can push a a hair above 1 for antipodal points, which asin would reject.
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bbox_around(*, lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """The ``(min_lon, min_lat, max_lon, max_lat)`` box holding every point within ``radius_m``.

    Raises ValueError unless the radius is a positive number.
    """
    if (
        isinstance(radius_m, bool)
        or not isinstance(radius_m, int | float)
        or not math.isfinite(radius_m)
        or radius_m <= 0
    ):
        raise ValueError(f"radius_m must be a positive number of metres, not {radius_m!r}")
    lat, lon = validate_point(lat=lat, lon=lon, uk_only=False)
    angular = radius_m / EARTH_RADIUS_M
    # A hair of slack so that points exactly on the circle are not lost to rounding.
    slack = 1e-9
    if angular >= math.pi:
        return (-180.0, -90.0, 180.0, 90.0)
    dlat = math.degrees(angular)
    min_lat = lat - dlat - slack
    max_lat = lat + dlat + slack
    if min_lat <= -90.0 or max_lat >= 90.0:
        # The circle covers a pole, so it reaches every longitude.
        return (-180.0, max(min_lat, -90.0), 180.0, min(max_lat, 90.0))
    # The widest longitude reached by the circle is asin(sin d / cos lat), which is wider than
    # the naive d / cos lat at large radii and high latitudes.
    ratio = math.sin(angular) / math.cos(math.radians(lat))
    if ratio >= 1.0:
        return (-180.0, min_lat, 180.0, max_lat)
    dlon = math.degrees(math.asin(ratio))
    min_lon = lon - dlon - slack
    max_lon = lon + dlon + slack
    if min_lon < -180.0 or max_lon > 180.0:
        # The circle crosses the 180th meridian; one box that holds it spans every longitude.
        return (-180.0, min_lat, 180.0, max_lat)
    return (min_lon, min_lat, max_lon, max_lat)


# Translated only when a message names one: a good box (the map asks on every pan) needs none.
_BBOX_NAMES = (
    _("minimum longitude"),
    _("minimum latitude"),
    _("maximum longitude"),
    _("maximum latitude"),
)


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    """Parse ``"minlon,minlat,maxlon,maxlat"`` from a query string into four floats."""
    if not isinstance(value, str) or not value.strip():
        raise GeoError(
            _(
                "The bounding box is missing. Give four numbers separated by commas: minimum "
                "longitude, minimum latitude, maximum longitude, maximum latitude."
            ),
            code="bbox_missing",
        )
    parts = [part.strip() for part in value.split(",")]
    if len(parts) != 4:
        raise GeoError(
            _(
                "The bounding box must be four numbers separated by commas (minimum longitude, "
                "minimum latitude, maximum longitude, maximum latitude), but “%(value)s” has "
                "%(count)s."
            ),
            code="bbox_wrong_count",
            params={"value": _show(value), "count": len(parts)},
        )
    names = _BBOX_NAMES
    numbers: list[float] = []
    for name, part in zip(names, parts, strict=True):
        try:
            number = float(part)
        except ValueError:
            raise GeoError(
                _("The bounding box's %(name)s “%(value)s” is not a number."),
                code="bbox_not_a_number",
                params={"name": name, "value": _show(part)},
            ) from None
        if not math.isfinite(number):
            raise GeoError(
                _("The bounding box's %(name)s “%(value)s” is not a finite number."),
                code="bbox_not_finite",
                params={"name": name, "value": _show(part)},
            )
        numbers.append(number)
    min_lon, min_lat, max_lon, max_lat = numbers
    for name, number, limit in zip(names, numbers, (180.0, 90.0, 180.0, 90.0), strict=True):
        if not -limit <= number <= limit:
            raise GeoError(
                _(
                    "The bounding box's %(name)s %(value)s is out of range: it must be between "
                    "-%(limit)s and %(limit)s."
                ),
                code="bbox_out_of_range",
                params={"name": name, "value": _fmt(number), "limit": int(limit)},
            )
    if min_lon > max_lon:
        raise GeoError(
            _(
                "The bounding box's minimum longitude (%(min)s) is greater than its maximum "
                "longitude (%(max)s)."
            ),
            code="bbox_inverted",
            params={"min": _fmt(min_lon), "max": _fmt(max_lon)},
        )
    if min_lat > max_lat:
        raise GeoError(
            _(
                "The bounding box's minimum latitude (%(min)s) is greater than its maximum "
                "latitude (%(max)s)."
            ),
            code="bbox_inverted",
            params={"min": _fmt(min_lat), "max": _fmt(max_lat)},
        )
    return (min_lon, min_lat, max_lon, max_lat)
