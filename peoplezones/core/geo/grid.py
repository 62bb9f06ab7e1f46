"""Converting between WGS84 and British National Grid coordinates."""

import functools
import math

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pyproj import Transformer

from .errors import GeoError, _fmt, _to_float
from .points import validate_point


@functools.cache
def to_bng_transformer() -> Transformer:
    """The one WGS84 -> British National Grid transformer (x = longitude), made once."""
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


@functools.cache
def from_bng_transformer() -> Transformer:
    """The one British National Grid -> WGS84 transformer (x = easting), made once."""
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def to_bng(*, lat: float, lon: float) -> tuple[float, float]:
    """Convert WGS84 latitude/longitude to British National Grid ``(easting, northing)`` metres."""
    lat, lon = validate_point(lat=lat, lon=lon, uk_only=False)
    easting, northing = to_bng_transformer().transform(lon, lat)
    if not (math.isfinite(easting) and math.isfinite(northing)):
        raise GeoError(
            _(
                "The point (latitude %(lat)s, longitude %(lon)s) cannot be given as a British "
                "National Grid reference."
            ),
            code="outside_bng",
            params={"lat": _fmt(lat), "lon": _fmt(lon)},
        )
    return float(easting), float(northing)


def from_bng(*, easting: float, northing: float) -> tuple[float, float]:
    """Convert British National Grid easting/northing (metres) to WGS84 ``(lat, lon)``."""
    subject = gettext("The grid reference")
    easting_f = _to_float(easting, axis=gettext("easting"), subject=subject)
    northing_f = _to_float(northing, axis=gettext("northing"), subject=subject)
    lon, lat = from_bng_transformer().transform(easting_f, northing_f)
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise GeoError(
            _(
                "The grid reference (easting %(easting)s, northing %(northing)s) is too far from "
                "Great Britain to convert to latitude and longitude."
            ),
            code="outside_bng",
            params={"easting": _fmt(easting_f), "northing": _fmt(northing_f)},
        )
    return float(lat), float(lon)
