"""Reading GeoJSON into Shapely shapes: bounding boxes, cached prepared shapes, point tests."""

import threading
from collections import OrderedDict
from typing import Any

import shapely
from django.utils.translation import gettext_lazy as _
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from .errors import GeoError

_SHAPE_CACHE_SIZE = 256
_shape_cache: OrderedDict[str, BaseGeometry] = OrderedDict()
_shape_cache_lock = threading.Lock()


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
