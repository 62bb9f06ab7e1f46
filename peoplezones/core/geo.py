"""Geography helpers: validating points and zone areas, distances, boxes and grid references.

Coordinates are WGS84 degrees. GeoJSON positions are ``[longitude, latitude]`` (RFC 7946), while
the Python helpers here take ``lat=``/``lon=`` keywords so the order can never be mixed up.
"""

import functools
import math
import re
import threading
from collections import OrderedDict
from decimal import Decimal
from typing import Any

import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pyproj import Transformer
from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.validation import explain_validity

__all__ = [
    "EARTH_RADIUS_M",
    "UK_BOUNDS",
    "GeoError",
    "bbox_around",
    "clear_shape_cache",
    "from_bng",
    "geometry_bbox",
    "haversine_m",
    "parse_bbox",
    "point_in_geometry",
    "prepared_shape",
    "to_bng",
    "validate_geometry",
    "validate_point",
]

UK_BOUNDS: tuple[float, float, float, float] = (-8.7, 49.8, 1.8, 60.9)
EARTH_RADIUS_M = 6_371_008.8

_SHAPE_CACHE_SIZE = 256
_shape_cache: OrderedDict[str, BaseGeometry] = OrderedDict()
_shape_cache_lock = threading.Lock()

_POLYGON_TYPES = {"Polygon", "MultiPolygon"}
_OTHER_GEOJSON_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "GeometryCollection",
}
_VALIDITY_DETAIL = re.compile(r"^(?P<reason>[^\[]+)\[(?P<x>\S+) (?P<y>\S+)\]$")


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


def validate_point(*, lat: float, lon: float, uk_only: bool = True) -> tuple[float, float]:
    """Check a latitude/longitude pair and return it as floats ``(lat, lon)``.

    Numeric strings (e.g. from a form) are accepted; anything unusable raises GeoError.
    """
    subject = gettext("The point")
    lat_f = _to_float(lat, axis=gettext("latitude"), subject=subject)
    lon_f = _to_float(lon, axis=gettext("longitude"), subject=subject)
    _check_lon_lat(lat=lat_f, lon=lon_f, subject=subject, uk_only=uk_only, geojson=False)
    return lat_f, lon_f


def _is_sequence(value: object) -> bool:
    return isinstance(value, list | tuple)


def _clean_position(
    position: object, *, polygon: int, ring: int, point: int, uk_only: bool
) -> tuple[float, float]:
    subject = gettext("Point %(point)s of ring %(ring)s of polygon %(polygon)s") % {
        "point": point,
        "ring": ring,
        "polygon": polygon,
    }
    if not _is_sequence(position) or len(position) not in (2, 3):
        raise GeoError(
            _(
                "%(subject)s is not a [longitude, latitude] position: each point must be 2 or 3 "
                "numbers."
            ),
            code="bad_position",
            params={"subject": subject},
        )
    # GeoJSON coordinates are JSON numbers; text there means the data was built wrongly.
    lon = _to_float(position[0], axis=gettext("longitude"), subject=subject, allow_text=False)
    lat = _to_float(position[1], axis=gettext("latitude"), subject=subject, allow_text=False)
    if len(position) == 3:
        # Altitude is allowed by GeoJSON but meaningless for a zone; it is checked, then dropped.
        _to_float(position[2], axis=gettext("altitude"), subject=subject, allow_text=False)
    _check_lon_lat(lat=lat, lon=lon, subject=subject, uk_only=uk_only, geojson=True)
    return lon, lat


def _clean_ring(
    ring_data: object, *, polygon: int, ring: int, uk_only: bool
) -> list[tuple[float, float]]:
    params = {"polygon": polygon, "ring": ring}
    if not _is_sequence(ring_data):
        raise GeoError(
            _("Ring %(ring)s of polygon %(polygon)s is not a list of points."),
            code="bad_ring",
            params=params,
        )
    points = [
        _clean_position(position, polygon=polygon, ring=ring, point=index, uk_only=uk_only)
        for index, position in enumerate(ring_data, start=1)
    ]
    if len(points) < 4:
        raise GeoError(
            _(
                "Ring %(ring)s of polygon %(polygon)s has too few points (%(count)s): a closed "
                "ring needs at least 4, with the last one repeating the first."
            ),
            code="too_few_points",
            params={**params, "count": len(points)},
        )
    if points[0] != points[-1]:
        raise GeoError(
            _(
                "Ring %(ring)s of polygon %(polygon)s is not closed: its first and last points "
                "differ."
            ),
            code="ring_not_closed",
            params=params,
        )
    return points


def _friendly_validity_reason(reason: str) -> str:
    reasons = {
        "Self-intersection": _("its edges cross or touch each other"),
        "Ring Self-intersection": _("its edges cross or touch each other"),
        "Hole lies outside shell": _("a hole lies outside its outer edge"),
        "Holes are nested": _("one hole lies inside another"),
        "Interior is disconnected": _("its holes cut it into separate pieces"),
        "Too few points": _("it has too few distinct points to enclose an area"),
        "Nested shells": _("one outer edge lies inside another"),
        "Duplicate Rings": _("the same ring appears twice"),
    }
    return str(reasons.get(reason, _("its outline is not a valid shape")))


def _clean_polygon(polygon_data: object, *, polygon: int, uk_only: bool) -> Polygon:
    if not _is_sequence(polygon_data):
        raise GeoError(
            _("Polygon %(polygon)s is not a list of rings."),
            code="bad_polygon",
            params={"polygon": polygon},
        )
    if not polygon_data:
        raise GeoError(
            _("Polygon %(polygon)s is empty: it has no outline."),
            code="empty",
            params={"polygon": polygon},
        )
    rings = [
        _clean_ring(ring_data, polygon=polygon, ring=index, uk_only=uk_only)
        for index, ring_data in enumerate(polygon_data, start=1)
    ]
    shell = Polygon(rings[0], rings[1:])
    if not shell.is_valid:
        detail = explain_validity(shell)
        match = _VALIDITY_DETAIL.match(detail)
        if match:
            raise GeoError(
                _(
                    "Polygon %(polygon)s is not a valid shape: %(problem)s, near longitude "
                    "%(lon)s, latitude %(lat)s (%(detail)s)."
                ),
                code="invalid_polygon",
                params={
                    "polygon": polygon,
                    "problem": _friendly_validity_reason(match["reason"].strip()),
                    "lon": _fmt(float(match["x"])),
                    "lat": _fmt(float(match["y"])),
                    "detail": detail,
                },
            )
        raise GeoError(
            _("Polygon %(polygon)s is not a valid shape: %(problem)s (%(detail)s)."),
            code="invalid_polygon",
            params={
                "polygon": polygon,
                "problem": _friendly_validity_reason(detail.strip()),
                "detail": detail,
            },
        )
    return shell


def _polygon_coordinates(geometry: dict[str, Any]) -> list[object]:
    """The list of polygons (each a list of rings) of a Polygon or MultiPolygon geometry."""
    coordinates = geometry.get("coordinates")
    if not _is_sequence(coordinates):
        raise GeoError(
            _("The area's coordinates are missing or are not a list."),
            code="bad_coordinates",
        )
    if geometry["type"] == "Polygon":
        return [coordinates] if coordinates else []
    return list(coordinates)


def _check_geometry_type(data: object, *, allowed: set[str]) -> str:
    if not isinstance(data, dict):
        raise GeoError(
            _("The area could not be read: it must be a GeoJSON object such as a Polygon."),
            code="not_an_object",
        )
    kind = data.get("type")
    if kind is None:
        raise GeoError(
            _("The area has no “type”, so it is not valid GeoJSON. Expected a Polygon."),
            code="missing_type",
        )
    if isinstance(kind, str) and kind in allowed:
        return kind
    if isinstance(kind, str) and kind in _OTHER_GEOJSON_TYPES | {"Feature", "FeatureCollection"}:
        raise GeoError(
            _(
                "Only polygon areas are accepted, but this is a %(type)s. Draw the area as a "
                "closed shape (a Polygon or MultiPolygon)."
            ),
            code="unsupported_type",
            params={"type": kind},
        )
    raise GeoError(
        _(
            "“%(type)s” is not a GeoJSON shape type. Only polygon areas (Polygon or "
            "MultiPolygon) are accepted."
        ),
        code="unknown_type",
        params={"type": _show(kind)},
    )


def _feature_geometry(feature: object) -> dict[str, Any]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise GeoError(
            _("This item of the feature collection is not a GeoJSON Feature."),
            code="not_a_feature",
        )
    geometry = feature.get("geometry")
    if geometry is None:
        raise GeoError(
            _("The feature has no geometry: it needs a Polygon or MultiPolygon."),
            code="missing_geometry",
        )
    _check_geometry_type(geometry, allowed=_POLYGON_TYPES)
    return geometry


def _geometries(data: object) -> list[tuple[int | None, dict[str, Any]]]:
    """The (feature number, geometry) pairs to merge; the number is None outside a collection."""
    kind = _check_geometry_type(data, allowed=_POLYGON_TYPES | {"Feature", "FeatureCollection"})
    assert isinstance(data, dict)
    if kind in _POLYGON_TYPES:
        return [(None, data)]
    if kind == "Feature":
        return [(None, _feature_geometry(data))]
    features = data.get("features")
    if not _is_sequence(features):
        raise GeoError(
            _("The feature collection has no list of features."),
            code="bad_features",
        )
    result = []
    for number, feature in enumerate(features, start=1):
        try:
            result.append((number, _feature_geometry(feature)))
        except GeoError as error:
            raise _in_feature(error, number) from None
    return result


def _in_feature(error: GeoError, number: int) -> GeoError:
    """Say which feature of a collection a problem is in."""
    return GeoError(
        _("Feature %(feature)s: %(problem)s"),
        code=error.code,
        params={"feature": number, "problem": error.messages[0]},
    )


def _float_coordinates(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_float_coordinates(item) for item in value]
    return float(value)


def validate_geometry(data: object, *, uk_only: bool = True) -> dict[str, Any]:
    """Check a GeoJSON area (Polygon, MultiPolygon, Feature or FeatureCollection of them).

    Returns a normalised GeoJSON MultiPolygon (RFC 7946 winding, float coordinates).
    """
    polygons: list[Polygon] = []
    for feature, geometry in _geometries(data):
        try:
            for number, polygon_data in enumerate(_polygon_coordinates(geometry), start=1):
                polygons.append(_clean_polygon(polygon_data, polygon=number, uk_only=uk_only))
        except GeoError as error:
            if feature is None:
                raise
            raise _in_feature(error, feature) from None
    if not polygons:
        raise GeoError(
            _("The area is empty: it has no polygons. Draw at least one closed shape."),
            code="empty",
        )
    merged: BaseGeometry = MultiPolygon(polygons)
    if not merged.is_valid:
        # Each polygon is valid on its own, so the only problem left is parts that overlap or
        # share an edge; dissolving them gives the same area as one valid shape.
        merged = shapely.union_all(polygons)
    parts = [
        part
        for part in shapely.get_parts(merged)
        if isinstance(part, Polygon) and not part.is_empty
    ]
    oriented = MultiPolygon([orient(part, sign=1.0) for part in parts])
    if oriented.is_empty:
        raise GeoError(
            _("The area is empty: it has no polygons. Draw at least one closed shape."),
            code="empty",
        )
    return {
        "type": "MultiPolygon",
        "coordinates": _float_coordinates(mapping(oriented)["coordinates"]),
    }


def _shape(geometry: dict[str, Any]) -> BaseGeometry:
    try:
        geom = shape(geometry)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError, ShapelyError):
        raise GeoError(
            _("The area could not be read: it is not a valid GeoJSON shape."),
            code="unreadable",
        ) from None
    if geom.is_empty:
        raise GeoError(
            _("The area is empty: it has no polygons. Draw at least one closed shape."),
            code="empty",
        )
    return geom


def geometry_bbox(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """The bounding box ``(min_lon, min_lat, max_lon, max_lat)`` of a GeoJSON geometry."""
    min_lon, min_lat, max_lon, max_lat = _shape(geometry).bounds
    return (float(min_lon), float(min_lat), float(max_lon), float(max_lat))


def clear_shape_cache() -> None:
    """Forget every cached prepared shape (for tests, or after a bulk boundary change)."""
    with _shape_cache_lock:
        _shape_cache.clear()


def prepared_shape(geometry: dict[str, Any], *, cache_key: str | None = None) -> BaseGeometry:
    """A Shapely geometry prepared for fast repeated tests, cached under ``cache_key`` if given.

    The key must change whenever the geometry does (e.g. include the zone's modified time).
    """
    if cache_key is not None:
        with _shape_cache_lock:
            cached = _shape_cache.get(cache_key)
            if cached is not None:
                _shape_cache.move_to_end(cache_key)
                return cached
    geom = _shape(geometry)
    shapely.prepare(geom)
    # GEOS builds a prepared geometry's index lazily on first use, and that first use is not
    # thread-safe, so build it here before the geometry is shared through the cache.
    point = geom.representative_point()
    shapely.intersects_xy(geom, point.x, point.y)
    if cache_key is not None:
        with _shape_cache_lock:
            _shape_cache[cache_key] = geom
            _shape_cache.move_to_end(cache_key)
            while len(_shape_cache) > _SHAPE_CACHE_SIZE:
                _shape_cache.popitem(last=False)
    return geom


def point_in_geometry(
    *, lat: float, lon: float, geometry: dict[str, Any], cache_key: str | None = None
) -> bool:
    """Whether the point lies inside the GeoJSON geometry; a point on the edge counts as inside."""
    geom = prepared_shape(geometry, cache_key=cache_key)
    return bool(shapely.intersects_xy(geom, float(lon), float(lat)))


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
    names = [
        gettext("minimum longitude"),
        gettext("minimum latitude"),
        gettext("maximum longitude"),
        gettext("maximum latitude"),
    ]
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


@functools.cache
def _to_bng_transformer() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


@functools.cache
def _from_bng_transformer() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def to_bng(*, lat: float, lon: float) -> tuple[float, float]:
    """Convert WGS84 latitude/longitude to British National Grid ``(easting, northing)`` metres."""
    lat, lon = validate_point(lat=lat, lon=lon, uk_only=False)
    easting, northing = _to_bng_transformer().transform(lon, lat)
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
    lon, lat = _from_bng_transformer().transform(easting_f, northing_f)
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
