"""Validating a single latitude/longitude point."""

import math

from django.utils.translation import gettext

from .errors import UK_BOUNDS, _check_lon_lat, _to_float

_MIN_LON, _MIN_LAT, _MAX_LON, _MAX_LAT = UK_BOUNDS


def validate_point(*, lat: float, lon: float, uk_only: bool = True) -> tuple[float, float]:
    """Check a latitude/longitude pair and return it as floats ``(lat, lon)``.

    Numeric strings (e.g. from a form) are accepted; anything unusable raises GeoError.
    """
    good = _good_point(lat, lon, uk_only)
    if good is not None:
        return good
    # Only a point that fails the quick test pays for the translated messages: importers call
    # this for every distinct point of a file, nearly all of them good.
    subject = gettext("The point")
    lat_f = _to_float(lat, axis=gettext("latitude"), subject=subject)
    lon_f = _to_float(lon, axis=gettext("longitude"), subject=subject)
    _check_lon_lat(lat=lat_f, lon=lon_f, subject=subject, uk_only=uk_only, geojson=False)
    return lat_f, lon_f


def _good_point(lat: object, lon: object, uk_only: bool) -> tuple[float, float] | None:
    """``(lat, lon)`` as floats when both are plainly acceptable, else None (check slowly)."""
    # Exact types only: bool (an int) and other numeric types go the slow way and get its answer.
    if type(lat) not in (float, str, int) or type(lon) not in (float, str, int):
        return None
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (ValueError, OverflowError):
        return None
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
        return None
    if uk_only:
        if _MIN_LON <= lon_f <= _MAX_LON and _MIN_LAT <= lat_f <= _MAX_LAT:
            return lat_f, lon_f
        return None
    if -90.0 <= lat_f <= 90.0 and -180.0 <= lon_f <= 180.0:
        return lat_f, lon_f
    return None
