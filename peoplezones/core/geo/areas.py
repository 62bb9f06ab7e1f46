"""Validating and normalising GeoJSON zone areas."""

import re
from typing import Any

import shapely
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.validation import explain_validity

from .errors import GeoError, _check_lon_lat, _fmt, _show, _to_float

_POLYGON_TYPES = {"Polygon", "MultiPolygon"}
_OTHER_GEOJSON_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "GeometryCollection",
}
_VALIDITY_DETAIL = re.compile(r"^(?P<reason>[^\[]+)\[(?P<x>\S+) (?P<y>\S+)\]$")


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
