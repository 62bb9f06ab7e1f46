"""What the fast police.uk import must keep exactly: zones by point-in-polygon, the identities
of anti-social behaviour rows, and the point check it relies on."""

import csv
import hashlib
import io
import random
from pathlib import Path

import pytest
import shapely
from django.core.exceptions import ValidationError
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import shape

from peoplezones.core import geo
from peoplezones.insight.tests.factories import stored_crimes
from peoplezones.zones import demo as zones_demo
from peoplezones.zones.models import Zone
from peoplezones.zones.selectors import zone_for_point
from peoplezones.zones.tests.factories import ZoneFactory

MARCH = Path(__file__).parent / "data" / "2020-03-leicestershire-street.csv"
HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]


def _import(path: Path) -> None:
    call_command("import_police_uk", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def _points_for(boundary: dict, rng: random.Random, count: int) -> list[tuple[float, float]]:
    """(lon, lat) points round a boundary: random ones in and beyond its bbox, rounded as
    police.uk rounds (6 places), and every vertex of the boundary itself (edge cases)."""
    min_lon, min_lat, max_lon, max_lat = geo.geometry_bbox(boundary)
    pad_lon, pad_lat = (max_lon - min_lon) * 0.2, (max_lat - min_lat) * 0.2
    points = [
        (
            round(rng.uniform(min_lon - pad_lon, max_lon + pad_lon), 6),
            round(rng.uniform(min_lat - pad_lat, max_lat + pad_lat), 6),
        )
        for _ in range(count)
    ]
    vertices = shapely.get_coordinates(shape(boundary)).tolist()
    return points + [(lon, lat) for lon, lat in vertices]


@pytest.mark.django_db
def test_import_police_uk_zone_is_point_in_polygon_on_random_points(tmp_path):
    zones_demo.load(out=io.StringIO())
    active = list(Zone.objects.filter(status=Zone.Status.ACTIVE))
    assert len(active) == 3
    # A closed zone gets no crimes, even where its boundary holds them.
    closed = ZoneFactory(status=Zone.Status.CLOSED)
    rng = random.Random(20240607)
    points = [
        point for zone in [*active, closed] for point in _points_for(zone.boundary, rng, count=700)
    ]
    path = tmp_path / "2020-03-random-street.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number, (lon, lat) in enumerate(points):
            where = [repr(lon), repr(lat), "On or near X", "E01000001", "X 001A"]
            writer.writerow([f"id-{number}", "2020-03", "L", "L", *where, "Burglary", "", ""])

    _import(path)

    # The reference: Shapely's own test on each active zone's stored boundary, as GeoJSON.
    shapes = [(zone.pk, shape(zone.boundary)) for zone in active]
    expected = {}
    for number, (lon, lat) in enumerate(points):
        inside = [pk for pk, polygon in shapes if polygon.intersects(shapely.Point(lon, lat))]
        assert len(inside) <= 1  # zones do not overlap
        expected[f"id-{number}"] = inside[0] if inside else None
    crimes = stored_crimes()
    stored = {
        crime_id: (int(zone) or None)
        for crime_id, zone in zip(crimes.crime_id, crimes.zone, strict=True)
    }
    assert stored == expected
    # Enough of each kind of case to mean something.
    assert sum(1 for pk in expected.values() if pk is None) > 500
    assert {pk for pk in expected.values() if pk} == {zone.pk for zone in active}
    # And the same answer as the zones app's own selector, point by point.
    for number, (lon, lat) in enumerate(points[::7]):
        zone = zone_for_point(lat=lat, lon=lon)
        assert stored[f"id-{number * 7}"] == (zone.pk if zone else None)


@pytest.mark.django_db
def test_import_police_uk_asb_identities_follow_the_documented_hash():
    """Identities must not change between versions, or a re-import would store crimes twice."""
    with MARCH.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    repeats: dict[str, int] = {}
    expected = set()
    for row in rows:
        if row[0]:
            expected.add(row[0])
            continue
        content = hashlib.sha256("\x1f".join(v.strip() for v in row).encode()).hexdigest()
        repeats[content] = repeats.get(content, 0) + 1
        digest = hashlib.sha256(f"{content}#{repeats[content]}".encode()).hexdigest()
        expected.add(f"asb-{digest}")

    _import(MARCH)

    assert set(stored_crimes().identity) == expected


def _full_check(lat: object, lon: object, uk_only: bool) -> tuple[float, float] | str:
    """validate_point's answer worked out the slow way, from its parts."""
    from peoplezones.core.geo.errors import _check_lon_lat, _to_float

    try:
        lat_f = _to_float(lat, axis="latitude", subject="The point")
        lon_f = _to_float(lon, axis="longitude", subject="The point")
        _check_lon_lat(lat=lat_f, lon=lon_f, subject="The point", uk_only=uk_only, geojson=False)
    except ValidationError as error:
        return error.code
    return lat_f, lon_f


coordinates = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-200, max_value=200).map(lambda value: f"{value:.6f}"),
    st.sampled_from(["", " ", "52.6", " -1.2 ", "1e400", "nan", "-inf", "west", "1_0", "٣"]),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.booleans(),
    st.none(),
)


@given(lat=coordinates, lon=coordinates, uk_only=st.booleans())
def test_validate_point_quick_path_agrees_with_the_full_check(lat, lon, uk_only):
    expected = _full_check(lat, lon, uk_only)
    try:
        got: tuple[float, float] | str = geo.validate_point(lat=lat, lon=lon, uk_only=uk_only)
    except ValidationError as error:
        got = error.code
    # The same floats exactly, or the same error code.
    assert got == expected
