"""Geography helpers: validating points and zone areas, distances, boxes and grid references.

Coordinates are WGS84 degrees. GeoJSON positions are ``[longitude, latitude]`` (RFC 7946), while
the Python helpers here take ``lat=``/``lon=`` keywords so the order can never be mixed up.

The helpers live in submodules by topic (``errors``, ``points``, ``areas``, ``shapes``,
``distance``, ``grid``); import them from this package, which re-exports the public API.
"""

from .areas import validate_geometry
from .distance import bbox_around, haversine_m, parse_bbox
from .errors import EARTH_RADIUS_M, UK_BOUNDS, GeoError
from .grid import from_bng, from_bng_transformer, to_bng, to_bng_transformer
from .points import validate_point
from .shapes import clear_shape_cache, geometry_bbox, point_in_geometry, prepared_shape

__all__ = [
    "EARTH_RADIUS_M",
    "UK_BOUNDS",
    "GeoError",
    "bbox_around",
    "clear_shape_cache",
    "from_bng",
    "from_bng_transformer",
    "geometry_bbox",
    "haversine_m",
    "parse_bbox",
    "point_in_geometry",
    "prepared_shape",
    "to_bng",
    "to_bng_transformer",
    "validate_geometry",
    "validate_point",
]
