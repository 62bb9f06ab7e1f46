"""GeoError, the UK bounds and the small formatting and coordinate checks shared by the package."""

import math
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

UK_BOUNDS: tuple[float, float, float, float] = (-8.7, 49.8, 1.8, 60.9)
EARTH_RADIUS_M = 6_371_008.8


class GeoError(ValidationError):
    """A location or area that cannot be used; the message tells the person what to fix."""


def _fmt(value: float) -> str:
    """Show a coordinate compactly (52.6365, not 52.63650000000001)."""
    return f"{value:.10g}"


def _show(value: object) -> str:
    """Quote someone's input in a message without letting a huge value flood it."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _in_uk(*, lat: float, lon: float) -> bool:
    min_lon, min_lat, max_lon, max_lat = UK_BOUNDS
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat


def _to_float(value: object, *, axis: str, subject: str, allow_text: bool = True) -> float:
    """Turn one coordinate into a finite float, or raise a GeoError naming it.

    Numeric text (from a form or query string) is read unless ``allow_text`` is false.
    """
    accepted = (int, float, Decimal, str) if allow_text else (int, float, Decimal)
    # bool is an int subclass, but True is never a meaningful coordinate.
    if isinstance(value, bool) or not isinstance(value, accepted):
        raise GeoError(
            _("%(subject)s has a %(axis)s that is not a number (“%(value)s”)."),
            code="not_a_number",
            params={"subject": subject, "axis": axis, "value": _show(value)},
        )
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    except ValueError:
        raise GeoError(
            _("%(subject)s has a %(axis)s that is not a number (“%(value)s”)."),
            code="not_a_number",
            params={"subject": subject, "axis": axis, "value": _show(value)},
        ) from None
    if not math.isfinite(number):
        raise GeoError(
            _("%(subject)s has a %(axis)s that is not a finite number (“%(value)s”)."),
            code="not_finite",
            params={"subject": subject, "axis": axis, "value": _show(value)},
        )
    return number


def _check_lon_lat(*, lat: float, lon: float, subject: str, uk_only: bool, geojson: bool) -> None:
    """Range and UK checks shared by single points and every position of an area."""
    params = {"subject": subject, "lat": _fmt(lat), "lon": _fmt(lon)}
    if not -90.0 <= lat <= 90.0:
        raise GeoError(
            _(
                "%(subject)s has latitude %(lat)s, which is out of range: it must be between "
                "-90 and 90."
            ),
            code="latitude_out_of_range",
            params=params,
        )
    if not -180.0 <= lon <= 180.0:
        raise GeoError(
            _(
                "%(subject)s has longitude %(lon)s, which is out of range: it must be between "
                "-180 and 180."
            ),
            code="longitude_out_of_range",
            params=params,
        )
    if not uk_only or _in_uk(lat=lat, lon=lon):
        return
    if _in_uk(lat=lon, lon=lat):
        if geojson:
            message = _(
                "%(subject)s (latitude %(lat)s, longitude %(lon)s) is outside the UK, but would "
                "be inside it if swapped: the latitude and longitude look swapped. GeoJSON lists "
                "longitude first, then latitude."
            )
        else:
            message = _(
                "%(subject)s (latitude %(lat)s, longitude %(lon)s) is outside the UK, but would "
                "be inside it if swapped: the latitude and longitude look swapped."
            )
        raise GeoError(message, code="swapped", params=params)
    raise GeoError(
        _(
            "%(subject)s (latitude %(lat)s, longitude %(lon)s) is outside the UK. Only places in "
            "the UK can be used."
        ),
        code="outside_uk",
        params=params,
    )
