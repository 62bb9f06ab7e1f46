"""Validating a single latitude/longitude point."""

from django.utils.translation import gettext

from .errors import _check_lon_lat, _to_float


def validate_point(*, lat: float, lon: float, uk_only: bool = True) -> tuple[float, float]:
    """Check a latitude/longitude pair and return it as floats ``(lat, lon)``.

    Numeric strings (e.g. from a form) are accepted; anything unusable raises GeoError.
    """
    subject = gettext("The point")
    lat_f = _to_float(lat, axis=gettext("latitude"), subject=subject)
    lon_f = _to_float(lon, axis=gettext("longitude"), subject=subject)
    _check_lon_lat(lat=lat_f, lon=lon_f, subject=subject, uk_only=uk_only, geojson=False)
    return lat_f, lon_f
