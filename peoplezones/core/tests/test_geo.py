import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from shapely.geometry import LinearRing

from peoplezones.core.geo import (
    EARTH_RADIUS_M,
    UK_BOUNDS,
    GeoError,
    bbox_around,
    clear_shape_cache,
    from_bng,
    geometry_bbox,
    haversine_m,
    parse_bbox,
    point_in_geometry,
    prepared_shape,
    to_bng,
    validate_geometry,
    validate_point,
)

# A small real area of Leicester around 52.64 N, 1.19 W, drawn clockwise as map tools often do.
ZONE_RING = [
    [-1.2000, 52.6350],
    [-1.2010, 52.6450],
    [-1.1850, 52.6460],
    [-1.1800, 52.6400],
    [-1.1830, 52.6340],
    [-1.2000, 52.6350],
]
ZONE = {"type": "Polygon", "coordinates": [list(reversed(ZONE_RING))]}
ZONE_CLOCKWISE = {"type": "Polygon", "coordinates": [ZONE_RING]}


def square(*, lon: float, lat: float, size: float = 0.01) -> list[list[float]]:
    """A closed clockwise square ring with its south-west corner at (lon, lat)."""
    return [
        [lon, lat],
        [lon, lat + size],
        [lon + size, lat + size],
        [lon + size, lat],
        [lon, lat],
    ]


def polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


def feature(geometry: object) -> dict[str, Any]:
    return {"type": "Feature", "properties": {}, "geometry": geometry}


def _message(error: GeoError) -> str:
    return error.messages[0]


def destination(
    *, lat: float, lon: float, bearing: float, distance_m: float
) -> tuple[float, float]:
    """The point reached from (lat, lon) along a great circle; returns (lat, lon) in degrees."""
    phi1 = math.radians(lat)
    lambda1 = math.radians(lon)
    theta = math.radians(bearing)
    delta = distance_m / EARTH_RADIUS_M
    sin_phi2 = math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lambda2 = lambda1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * sin_phi2,
    )
    lon2 = (math.degrees(lambda2) + 540.0) % 360.0 - 180.0
    return math.degrees(phi2), lon2


latitudes = st.floats(min_value=-90, max_value=90)
longitudes = st.floats(min_value=-180, max_value=180)
uk_lats = st.floats(min_value=UK_BOUNDS[1], max_value=UK_BOUNDS[3])
uk_lons = st.floats(min_value=UK_BOUNDS[0], max_value=UK_BOUNDS[2])


# validate_point


def test_validate_point_accepts_uk_point_as_floats():
    assert validate_point(lat=52.6365, lon=-1.1332) == (52.6365, -1.1332)
    assert validate_point(lat=52, lon=-1) == (52.0, -1.0)
    assert validate_point(lat="52.6", lon="-1.2") == (52.6, -1.2)


def test_validate_point_outside_uk_allowed_when_not_uk_only():
    assert validate_point(lat=48.8566, lon=2.3522, uk_only=False) == (48.8566, 2.3522)


@pytest.mark.parametrize(
    ("lat", "lon", "code", "fragment"),
    [
        (math.nan, -1.2, "not_finite", "latitude that is not a finite number"),
        (52.6, math.inf, "not_finite", "longitude that is not a finite number"),
        ("north", -1.2, "not_a_number", "latitude that is not a number (“north”)"),
        (None, -1.2, "not_a_number", "not a number"),
        (True, -1.2, "not_a_number", "not a number"),
        (95.0, -1.2, "latitude_out_of_range", "latitude 95, which is out of range"),
        (52.6, 200.0, "longitude_out_of_range", "longitude 200, which is out of range"),
        (-1.2, 52.6, "swapped", "latitude and longitude look swapped"),
        (48.8566, 2.3522, "outside_uk", "is outside the UK"),
    ],
)
def test_validate_point_rejects_bad_points(lat: Any, lon: Any, code: str, fragment: str):
    with pytest.raises(GeoError) as excinfo:
        validate_point(lat=lat, lon=lon)
    assert excinfo.value.code == code
    assert fragment in _message(excinfo.value)


# validate_geometry


def test_validate_geometry_accepts_real_zone_with_ccw_exterior():
    result = validate_geometry(ZONE_CLOCKWISE)
    assert result["type"] == "MultiPolygon"
    assert len(result["coordinates"]) == 1
    exterior = result["coordinates"][0][0]
    assert LinearRing(exterior).is_ccw
    assert sorted(map(tuple, exterior)) == sorted(map(tuple, ZONE_RING))
    assert all(isinstance(value, float) for position in exterior for value in position)


def test_validate_geometry_keeps_ccw_exterior_as_is():
    result = validate_geometry(ZONE)
    assert result["coordinates"][0][0] == ZONE["coordinates"][0]


def test_validate_geometry_makes_holes_clockwise():
    outer = square(lon=-1.20, lat=52.63, size=0.02)
    hole = list(reversed(square(lon=-1.195, lat=52.635, size=0.005)))
    result = validate_geometry(polygon(outer, hole))
    exterior, inner = result["coordinates"][0]
    assert LinearRing(exterior).is_ccw
    assert not LinearRing(inner).is_ccw


def test_validate_geometry_is_idempotent():
    once = validate_geometry(ZONE_CLOCKWISE)
    assert validate_geometry(once) == once


def test_validate_geometry_converts_ints_and_drops_altitude():
    ring = [[0, 51, 10], [1, 51, 10], [1, 52, 10], [0, 52, 10], [0, 51, 10]]
    result = validate_geometry(polygon(ring))
    assert result["coordinates"] == [
        [[[0.0, 51.0], [1.0, 51.0], [1.0, 52.0], [0.0, 52.0], [0.0, 51.0]]]
    ]


def test_validate_geometry_accepts_feature():
    assert validate_geometry(feature(ZONE)) == validate_geometry(ZONE)


def test_validate_geometry_accepts_multipolygon():
    data = {
        "type": "MultiPolygon",
        "coordinates": [[square(lon=-1.20, lat=52.63)], [square(lon=-1.10, lat=52.63)]],
    }
    result = validate_geometry(data)
    assert len(result["coordinates"]) == 2
    assert all(LinearRing(part[0]).is_ccw for part in result["coordinates"])


def test_validate_geometry_merges_feature_collection():
    data = {
        "type": "FeatureCollection",
        "features": [
            feature(polygon(square(lon=-1.20, lat=52.63))),
            feature(
                {"type": "MultiPolygon", "coordinates": [[square(lon=-1.10, lat=52.63)]]},
            ),
        ],
    }
    result = validate_geometry(data)
    assert len(result["coordinates"]) == 2


def test_validate_geometry_dissolves_overlapping_parts():
    data = {
        "type": "FeatureCollection",
        "features": [
            feature(polygon(square(lon=-1.20, lat=52.63, size=0.02))),
            feature(polygon(square(lon=-1.19, lat=52.63, size=0.02))),
        ],
    }
    result = validate_geometry(data)
    assert len(result["coordinates"]) == 1
    min_lon, min_lat, max_lon, max_lat = geometry_bbox(result)
    assert (min_lon, min_lat, max_lon, max_lat) == pytest.approx((-1.20, 52.63, -1.17, 52.65))


def test_validate_geometry_allows_outside_uk_when_not_uk_only():
    paris = polygon(square(lon=2.35, lat=48.85))
    assert validate_geometry(paris, uk_only=False)["type"] == "MultiPolygon"


def _bowtie() -> dict[str, Any]:
    return polygon([[-1.20, 52.63], [-1.18, 52.65], [-1.18, 52.63], [-1.20, 52.65], [-1.20, 52.63]])


@pytest.mark.parametrize(
    ("data", "code", "fragment"),
    [
        ("POLYGON((0 0, 1 0, 1 1, 0 0))", "not_an_object", "must be a GeoJSON object"),
        (None, "not_an_object", "must be a GeoJSON object"),
        ({"coordinates": []}, "missing_type", "has no “type”"),
        (
            {"type": "Point", "coordinates": [-1.19, 52.64]},
            "unsupported_type",
            "Only polygon areas are accepted, but this is a Point",
        ),
        (
            {"type": "LineString", "coordinates": [[-1.19, 52.64], [-1.18, 52.64]]},
            "unsupported_type",
            "Only polygon areas are accepted, but this is a LineString",
        ),
        ({"type": "Blob"}, "unknown_type", "“Blob” is not a GeoJSON shape type"),
        ({"type": ["Polygon"]}, "unknown_type", "is not a GeoJSON shape type"),
        ({"type": "Polygon"}, "bad_coordinates", "coordinates are missing"),
        ({"type": "Polygon", "coordinates": "-1.2 52.6"}, "bad_coordinates", "not a list"),
        ({"type": "Polygon", "coordinates": []}, "empty", "The area is empty"),
        ({"type": "MultiPolygon", "coordinates": []}, "empty", "The area is empty"),
        ({"type": "MultiPolygon", "coordinates": [[]]}, "empty", "Polygon 1 is empty"),
        ({"type": "FeatureCollection", "features": []}, "empty", "The area is empty"),
        ({"type": "FeatureCollection"}, "bad_features", "no list of features"),
        (feature(None), "missing_geometry", "The feature has no geometry"),
        (
            {"type": "FeatureCollection", "features": [feature(ZONE), ZONE]},
            "not_a_feature",
            "Feature 2: This item of the feature collection is not a GeoJSON Feature.",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [feature(ZONE), feature({"type": "Point", "coordinates": [0, 51]})],
            },
            "unsupported_type",
            "Feature 2: Only polygon areas are accepted",
        ),
        (
            {"type": "FeatureCollection", "features": [feature(polygon(ZONE_RING[:-1]))]},
            "ring_not_closed",
            "Feature 1: Ring 1 of polygon 1 is not closed",
        ),
        (
            polygon([[-1.2], *ZONE_RING[1:]]),
            "bad_position",
            "Point 1 of ring 1 of polygon 1 is not a [longitude, latitude] position",
        ),
        (
            polygon([[-1.2, 52.6, 0.0, 0.0], *ZONE_RING[1:]]),
            "bad_position",
            "2 or 3 numbers",
        ),
        (polygon(["-1.2,52.6", *ZONE_RING[1:]]), "bad_position", "2 or 3 numbers"),
        (
            polygon([ZONE_RING[0], ["-1.2", 52.6], *ZONE_RING[2:]]),
            "not_a_number",
            "Point 2 of ring 1 of polygon 1 has a longitude that is not a number",
        ),
        (
            polygon([ZONE_RING[0], [True, 52.6], *ZONE_RING[2:]]),
            "not_a_number",
            "not a number",
        ),
        (
            polygon([ZONE_RING[0], [-1.2, math.nan], *ZONE_RING[2:]]),
            "not_finite",
            "Point 2 of ring 1 of polygon 1 has a latitude that is not a finite number",
        ),
        (
            polygon([ZONE_RING[0], [-1.2, 10**400], *ZONE_RING[2:]]),
            "not_finite",
            "not a finite number",
        ),
        (
            polygon([ZONE_RING[0], [-1.2, 152.6], *ZONE_RING[2:]]),
            "latitude_out_of_range",
            "latitude 152.6, which is out of range",
        ),
        (
            polygon([ZONE_RING[0], [-181.2, 52.6], *ZONE_RING[2:]]),
            "longitude_out_of_range",
            "longitude -181.2, which is out of range",
        ),
        (
            polygon([[52.6, -1.2], [52.7, -1.2], [52.7, -1.1], [52.6, -1.2]]),
            "swapped",
            "Point 1 of ring 1 of polygon 1 (latitude -1.2, longitude 52.6) is outside the UK, "
            "but would be inside it if swapped: the latitude and longitude look swapped.",
        ),
        (
            polygon(square(lon=2.35, lat=48.85)),
            "outside_uk",
            "Point 1 of ring 1 of polygon 1 (latitude 48.85, longitude 2.35) is outside the UK",
        ),
        (
            polygon(ZONE_RING[:2] + ZONE_RING[:1]),
            "too_few_points",
            "Ring 1 of polygon 1 has too few points (3)",
        ),
        (polygon([]), "too_few_points", "Ring 1 of polygon 1 has too few points (0)"),
        (
            {
                "type": "MultiPolygon",
                "coordinates": [[ZONE_RING], [square(lon=-1.1, lat=52.6)[:-1]]],
            },
            "ring_not_closed",
            "Ring 1 of polygon 2 is not closed: its first and last points differ.",
        ),
        (
            polygon(ZONE_RING, "not a ring"),
            "bad_ring",
            "Ring 2 of polygon 1 is not a list of points",
        ),
        (
            {"type": "MultiPolygon", "coordinates": [[ZONE_RING], "nope"]},
            "bad_polygon",
            "Polygon 2 is not a list of rings",
        ),
        (
            _bowtie(),
            "invalid_polygon",
            "Polygon 1 is not a valid shape: its edges cross or touch each other, near longitude "
            "-1.19, latitude 52.64 (Self-intersection[-1.19 52.64]).",
        ),
        (
            polygon(square(lon=-1.20, lat=52.63), square(lon=-1.10, lat=52.63)),
            "invalid_polygon",
            "a hole lies outside its outer edge",
        ),
        (
            polygon([[-1.20, 52.63], [-1.19, 52.63], [-1.18, 52.63], [-1.20, 52.63]]),
            "invalid_polygon",
            "Polygon 1 is not a valid shape",
        ),
    ],
)
def test_validate_geometry_rejects_bad_areas(data: object, code: str, fragment: str):
    with pytest.raises(GeoError) as excinfo:
        validate_geometry(data)
    assert excinfo.value.code == code
    assert fragment in _message(excinfo.value)


def test_validate_geometry_error_is_a_django_validation_error():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_geometry({"type": "Point", "coordinates": [-1.19, 52.64]})


# geometry_bbox


def test_geometry_bbox_of_zone():
    assert geometry_bbox(ZONE) == (-1.201, 52.634, -1.18, 52.646)


def test_geometry_bbox_rejects_empty_and_unreadable():
    with pytest.raises(GeoError) as excinfo:
        geometry_bbox({"type": "MultiPolygon", "coordinates": []})
    assert excinfo.value.code == "empty"
    with pytest.raises(GeoError) as excinfo:
        geometry_bbox({"type": "Nonsense"})
    assert excinfo.value.code == "unreadable"


# prepared_shape and point_in_geometry


def test_point_in_geometry_inside_outside_and_on_edge():
    zone = validate_geometry(ZONE)
    assert point_in_geometry(lat=52.64, lon=-1.19, geometry=zone)
    assert not point_in_geometry(lat=52.66, lon=-1.19, geometry=zone)
    assert not point_in_geometry(lat=52.64, lon=-1.25, geometry=zone)
    assert point_in_geometry(lat=52.6350, lon=-1.2000, geometry=zone)
    assert point_in_geometry(lat=52.6345, lon=-1.1915, geometry=zone)


def test_point_in_geometry_hole_is_outside():
    outer = square(lon=-1.20, lat=52.63, size=0.02)
    hole = square(lon=-1.195, lat=52.635, size=0.005)
    zone = validate_geometry(polygon(outer, hole))
    assert not point_in_geometry(lat=52.6375, lon=-1.1925, geometry=zone)
    assert point_in_geometry(lat=52.645, lon=-1.185, geometry=zone)


def test_point_in_geometry_reuses_cached_shape_for_same_key():
    clear_shape_cache()
    zone = validate_geometry(ZONE)
    elsewhere = validate_geometry(polygon(square(lon=-1.10, lat=52.60)))
    key = "zone:5:2026-11-21T10:00:00"
    assert point_in_geometry(lat=52.64, lon=-1.19, geometry=zone, cache_key=key)
    # The key promises the geometry is unchanged, so the cached zone answers, not `elsewhere`.
    assert point_in_geometry(lat=52.64, lon=-1.19, geometry=elsewhere, cache_key=key)
    assert not point_in_geometry(lat=52.64, lon=-1.19, geometry=elsewhere, cache_key="zone:5:b")
    clear_shape_cache()
    assert not point_in_geometry(lat=52.64, lon=-1.19, geometry=elsewhere, cache_key=key)


def test_prepared_shape_returns_same_object_for_same_key():
    clear_shape_cache()
    first = prepared_shape(ZONE, cache_key="zone:1:a")
    assert prepared_shape(ZONE, cache_key="zone:1:a") is first
    assert prepared_shape(ZONE, cache_key="zone:1:b") is not first
    assert prepared_shape(ZONE) is not first


def test_prepared_shape_cache_is_bounded():
    clear_shape_cache()
    first = prepared_shape(ZONE, cache_key="zone:0")
    for number in range(1, 300):
        prepared_shape(ZONE, cache_key=f"zone:{number}")
    assert prepared_shape(ZONE, cache_key="zone:0") is not first
    clear_shape_cache()


# haversine_m


def test_haversine_one_degree_of_latitude():
    expected = EARTH_RADIUS_M * math.pi / 180
    assert haversine_m(lat1=52.0, lon1=-1.0, lat2=53.0, lon2=-1.0) == pytest.approx(expected)


def test_haversine_leicester_to_london():
    # Leicester Clock Tower to Charing Cross is about 142 km as the crow flies.
    distance = haversine_m(lat1=52.6365, lon1=-1.1332, lat2=51.5073, lon2=-0.1276)
    assert distance == pytest.approx(142_500, abs=1_500)


def test_haversine_antipodes_is_half_circumference():
    distance = haversine_m(lat1=0.0, lon1=0.0, lat2=0.0, lon2=180.0)
    assert distance == pytest.approx(math.pi * EARTH_RADIUS_M)


@given(latitudes, longitudes, latitudes, longitudes)
def test_haversine_is_symmetric(lat1: float, lon1: float, lat2: float, lon2: float):
    there = haversine_m(lat1=lat1, lon1=lon1, lat2=lat2, lon2=lon2)
    back = haversine_m(lat1=lat2, lon1=lon2, lat2=lat1, lon2=lon1)
    assert there == pytest.approx(back, abs=1e-6)
    assert 0.0 <= there <= math.pi * EARTH_RADIUS_M + 1e-6


@given(latitudes, longitudes)
def test_haversine_is_zero_for_same_point(lat: float, lon: float):
    assert haversine_m(lat1=lat, lon1=lon, lat2=lat, lon2=lon) == 0.0


@given(latitudes, longitudes, latitudes, longitudes, latitudes, longitudes)
def test_haversine_triangle_inequality(
    lat1: float, lon1: float, lat2: float, lon2: float, lat3: float, lon3: float
):
    direct = haversine_m(lat1=lat1, lon1=lon1, lat2=lat3, lon2=lon3)
    via = haversine_m(lat1=lat1, lon1=lon1, lat2=lat2, lon2=lon2) + haversine_m(
        lat1=lat2, lon1=lon2, lat2=lat3, lon2=lon3
    )
    # Rounding in asin near its flat ends is worth up to about a centimetre.
    assert direct <= via + 0.05


# bbox_around


@hypothesis_settings(max_examples=200)
@given(
    lat=st.floats(min_value=-89.9, max_value=89.9),
    lon=longitudes,
    radius_m=st.floats(min_value=1.0, max_value=5_000_000.0),
    bearing=st.floats(min_value=0.0, max_value=360.0),
    fraction=st.floats(min_value=0.0, max_value=1.0),
)
def test_bbox_around_contains_every_point_within_radius(
    lat: float, lon: float, radius_m: float, bearing: float, fraction: float
):
    min_lon, min_lat, max_lon, max_lat = bbox_around(lat=lat, lon=lon, radius_m=radius_m)
    lat2, lon2 = destination(lat=lat, lon=lon, bearing=bearing, distance_m=radius_m * fraction)
    assert min_lat <= lat2 <= max_lat
    assert min_lon <= lon2 <= max_lon
    assert -180.0 <= min_lon <= max_lon <= 180.0
    assert -90.0 <= min_lat <= max_lat <= 90.0


def test_bbox_around_is_tight_at_uk_latitude():
    min_lon, min_lat, max_lon, max_lat = bbox_around(lat=52.6365, lon=-1.1332, radius_m=1_000)
    # 1 km is about 0.009 degrees of latitude and, at 52.6 N, about 0.0148 of longitude.
    assert max_lat - min_lat == pytest.approx(2 * 0.0089932, rel=1e-4)
    assert max_lon - min_lon == pytest.approx(
        2 * 0.0089932 / math.cos(math.radians(52.6365)), rel=1e-4
    )


def test_bbox_around_covering_a_pole_spans_every_longitude():
    assert bbox_around(lat=89.0, lon=10.0, radius_m=200_000)[::2] == (-180.0, 180.0)


@pytest.mark.parametrize("radius_m", [0, -5.0, math.nan, math.inf])
def test_bbox_around_rejects_non_positive_radius(radius_m: float):
    with pytest.raises(ValueError, match="radius_m must be a positive number"):
        bbox_around(lat=52.6, lon=-1.1, radius_m=radius_m)


# parse_bbox


def test_parse_bbox_reads_query_string_value():
    assert parse_bbox("-1.2,52.6,-1.1,52.7") == (-1.2, 52.6, -1.1, 52.7)
    assert parse_bbox(" -1.2 , 52.6 , -1.1 , 52.7 ") == (-1.2, 52.6, -1.1, 52.7)
    assert parse_bbox("-1,52,-1,52") == (-1.0, 52.0, -1.0, 52.0)


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("", "bbox_missing", "The bounding box is missing"),
        (None, "bbox_missing", "The bounding box is missing"),
        ("-1.2,52.6,-1.1", "bbox_wrong_count", "must be four numbers separated by commas"),
        ("-1.2,52.6,-1.1,52.7,3", "bbox_wrong_count", "has 5"),
        ("-1.2,north,-1.1,52.7", "bbox_not_a_number", "minimum latitude “north” is not a number"),
        ("-1.2,52.6,,52.7", "bbox_not_a_number", "maximum longitude “” is not a number"),
        ("nan,52.6,-1.1,52.7", "bbox_not_finite", "minimum longitude “nan” is not a finite"),
        ("-1.2,52.6,-1.1,95", "bbox_out_of_range", "maximum latitude 95 is out of range"),
        ("-190,52.6,-1.1,52.7", "bbox_out_of_range", "between -180 and 180"),
        (
            "-1.1,52.6,-1.2,52.7",
            "bbox_inverted",
            "minimum longitude (-1.1) is greater than its maximum longitude (-1.2)",
        ),
        (
            "-1.2,52.7,-1.1,52.6",
            "bbox_inverted",
            "minimum latitude (52.7) is greater than its maximum latitude (52.6)",
        ),
    ],
)
def test_parse_bbox_rejects_bad_values(value: Any, code: str, fragment: str):
    with pytest.raises(GeoError) as excinfo:
        parse_bbox(value)
    assert excinfo.value.code == code
    assert fragment in _message(excinfo.value)


# British National Grid


def test_to_bng_leicester_clock_tower():
    easting, northing = to_bng(lat=52.6365, lon=-1.1332)
    # pyproj gives about (458757, 304658) with its built-in OSGB36 transformation.
    assert easting == pytest.approx(458_900, abs=300)
    assert northing == pytest.approx(304_500, abs=300)
    assert easting == pytest.approx(458_757, abs=10)
    assert northing == pytest.approx(304_658, abs=10)


def test_from_bng_leicester_clock_tower():
    lat, lon = from_bng(easting=458_757, northing=304_658)
    assert lat == pytest.approx(52.6365, abs=1e-4)
    assert lon == pytest.approx(-1.1332, abs=1e-4)


@hypothesis_settings(max_examples=200)
@given(lat=uk_lats, lon=uk_lons)
def test_bng_round_trip_inside_uk(lat: float, lon: float):
    easting, northing = to_bng(lat=lat, lon=lon)
    lat2, lon2 = from_bng(easting=easting, northing=northing)
    assert lat2 == pytest.approx(lat, abs=1e-6)
    assert lon2 == pytest.approx(lon, abs=1e-6)


@pytest.mark.parametrize(
    ("easting", "northing", "code"),
    [
        (1e20, 1e20, "outside_bng"),
        (math.nan, 300_000.0, "not_finite"),
        ("abc", 300_000.0, "not_a_number"),
    ],
)
def test_from_bng_rejects_unusable_grid_references(easting: Any, northing: Any, code: str):
    with pytest.raises(GeoError) as excinfo:
        from_bng(easting=easting, northing=northing)
    assert excinfo.value.code == code


def test_to_bng_rejects_out_of_range_point():
    with pytest.raises(GeoError) as excinfo:
        to_bng(lat=95.0, lon=-1.0)
    assert excinfo.value.code == "latitude_out_of_range"
