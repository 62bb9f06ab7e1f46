import csv
import datetime
import io
import json
import math
import re
from decimal import Decimal

import h3
import numpy as np
import pytest
import shapely
from django.core.management import CommandError, call_command
from pyproj import Transformer
from shapely.geometry import Polygon, shape

from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.core import geo
from peoplezones.core.models import AuditEvent
from peoplezones.insight import hotspots
from peoplezones.insight.harm import DEFAULT_WEIGHTS
from peoplezones.insight.models import CrimeTypeWeight, HotspotRun, ReferenceArea
from peoplezones.insight.selectors import hotspot_run_list, hotspot_run_result
from peoplezones.insight.services import HotspotParams, harm_weight_set, run_hotspots
from peoplezones.insight.tests.factories import CrimeFactory
from peoplezones.insight.tests.test_hotspots_engine import esda_z

pytestmark = pytest.mark.django_db

TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
MARCH = datetime.date(2020, 3, 1)


def run(*args: object) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("hotspots", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def crimes_in_zone() -> list:
    """A cluster of burglaries in the zone's south-west, anti-social behaviour spread about."""
    rng = np.random.default_rng(42)
    crimes = [
        CrimeFactory(latitude=52.6365 + dy, longitude=-1.1885 + dx)
        for dx, dy in rng.normal(0, 0.0004, size=(60, 2))
    ]
    crimes += [
        CrimeFactory(latitude=lat, longitude=lon, crime_type="Anti-social behaviour")
        for lat, lon in zip(
            rng.uniform(52.635, 52.642, 30), rng.uniform(-1.19, -1.18, 30), strict=True
        )
    ]
    # A crime outside the zone (only in the density near its edge) and one of another month.
    crimes.append(CrimeFactory(latitude=52.6345, longitude=-1.1850))
    crimes.append(
        CrimeFactory(latitude=52.6380, longitude=-1.1850, month=datetime.date(2020, 4, 1))
    )
    return crimes


def cell_of_crime(crime, size: int) -> tuple[int, int]:
    easting, northing = TO_BNG.transform(crime.longitude, crime.latitude)
    return math.floor(easting / size), math.floor(northing / size)


def study_cells(boundary: dict, size: int) -> set[tuple[int, int]]:
    """The cells whose centre is in the boundary, worked out here point by point."""
    polygon = shapely.transform(
        shape(boundary), lambda xy: np.column_stack(TO_BNG.transform(xy[:, 0], xy[:, 1]))
    )
    min_e, min_n, max_e, max_n = polygon.bounds
    return {
        (i, j)
        for i in range(math.floor(min_e / size), math.floor(max_e / size) + 1)
        for j in range(math.floor(min_n / size), math.floor(max_n / size) + 1)
        if polygon.intersects(shapely.Point((i + 0.5) * size, (j + 0.5) * size))
    }


def test_hotspots_writes_every_study_cell_as_rfc7946_geojson(zone, tmp_path):
    crimes = crimes_in_zone()
    output = tmp_path / "cells.geojson"

    out, err = run("--area", f"zone:{zone.slug}", "--from", "2020-03", "--to", "2020-03",
                   "--output", output)  # fmt: skip

    data = json.loads(output.read_text())
    features = data["features"]
    cells = {(f["properties"]["cell_e"] // 150, f["properties"]["cell_n"] // 150) for f in features}
    assert cells == study_cells(zone.boundary, 150)
    assert len(features) == len(cells)  # every cell once, empty ones included
    assert any(f["properties"]["count"] == 0 for f in features)
    # A crime counts in the cell holding it when that cell's centre is in the zone.
    inside = [
        crime for crime in crimes if crime.month == MARCH and cell_of_crime(crime, 150) in cells
    ]
    assert 0 < len(inside) < len(crimes)
    for cell in cells:
        in_cell = sum(1 for crime in inside if cell_of_crime(crime, 150) == cell)
        (match,) = [
            f
            for f in features
            if (f["properties"]["cell_e"] // 150, f["properties"]["cell_n"] // 150) == cell
        ]
        assert match["properties"]["count"] == in_cell
    for item in features:
        properties = item["properties"]
        assert list(properties) == ["cell_e", "cell_n", "count", "density", "z", "p", "q", "class"]
        assert properties["cell_e"] % 150 == 0
        assert properties["cell_n"] % 150 == 0
        ring = item["geometry"]["coordinates"][0]
        assert len(ring) == 5
        assert ring[0] == ring[-1]
        assert Polygon(ring).is_valid
        assert shapely.is_ccw(shapely.LinearRing(ring))  # RFC 7946: exterior counter-clockwise
        for lon, lat in ring:
            assert -1.2 < lon < -1.17
            assert 52.63 < lat < 52.65
        # The corner converted back is the cell's corner, to a centimetre.
        easting, northing = TO_BNG.transform(*ring[0])
        assert easting == pytest.approx(properties["cell_e"], abs=0.02)
        assert northing == pytest.approx(properties["cell_n"], abs=0.02)
    for item in features:
        properties = item["properties"]
        # Classes are judged by q by default.
        expected = hotspots.classify([properties["z"]], [properties["q"]])[0]
        assert properties["class"] == expected
    assert data["hotspot_run"]["run"] == HotspotRun.objects.get().pk
    assert "Open Government Licence v3.0" in data["hotspot_run"]["attribution"]
    assert f"{len(cells)} cells of 150 m, {len(inside)} crimes" in out
    assert "step" in err  # the progress bar


def test_hotspots_z_scores_equal_esda_end_to_end(zone):
    crimes_in_zone()

    # Small cells, so that no cell's band covers the whole zone (esda divides 0 by 0 there).
    result = run_hotspots(
        HotspotParams(
            area=f"zone:{zone.slug}", month_from=MARCH, month_to=MARCH, cell_size=50, band=150
        ),
        store=False,
    )

    assert len(result.grid) > 100
    assert "hot_99" in result.stats.classes  # the cluster
    np.testing.assert_allclose(
        result.stats.z, esda_z(result.grid, result.values, 150), rtol=0, atol=1e-9
    )


def test_hotspots_csv_has_a_row_per_cell(zone, tmp_path):
    crimes_in_zone()
    output = tmp_path / "cells.csv"

    run("--area", f"zone:{zone.slug}", "--from", "2020-03", "--to", "2020-04", "--format", "csv",
        "--output", output, "--cell", "100", "--band", "300")  # fmt: skip

    with output.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["cell_e", "cell_n", "count", "density", "z", "p", "q", "class"]
    assert len(rows) == len(study_cells(zone.boundary, 100))
    assert all(int(row["cell_e"]) % 100 == 0 for row in rows)
    run_row = HotspotRun.objects.get()
    assert sum(int(row["count"]) for row in rows) == run_row.crimes
    assert (run_row.cell_size, run_row.band, run_row.bandwidth) == (100, 300, 300)


def test_hotspots_to_standard_output_keeps_the_summary_out_of_the_data(zone):
    crimes_in_zone()

    out, err = run("--area", f"zone:{zone.slug}", "--from", "2020-03", "--to", "2020-03")

    assert json.loads(out)["type"] == "FeatureCollection"
    assert "crimes, band 450 m" in err


def test_hotspots_run_is_stored_and_reproduces_its_results(zone, programme_team_user):
    crimes_in_zone()
    params = HotspotParams(
        area=f"zone:{zone.slug}", month_from=MARCH, month_to=MARCH, crime_types=("burglary",)
    )

    result = run_hotspots(params, user=programme_team_user)

    stored = HotspotRun.objects.get()
    assert stored.zone == zone
    assert stored.created_by == programme_team_user
    assert stored.crime_types == ["Burglary"]
    assert stored.method_version == "1"
    assert stored.data_snapshot["crimes_counted"] == stored.crimes == int(result.counts.sum())
    assert len(stored.data_snapshot["identities_sha256"]) == 64
    again = hotspot_run_result(run=stored)
    np.testing.assert_array_equal(again.stats.z, result.stats.z)
    np.testing.assert_array_equal(again.stats.q, result.stats.q)
    np.testing.assert_array_equal(again.stats.classes, result.stats.classes)
    np.testing.assert_array_equal(again.counts, result.counts)
    event = AuditEvent.objects.get(verb="insight.hotspots_run")
    assert (event.actor, event.zone, event.data["cells"]) == (
        programme_team_user,
        zone,
        stored.cells,
    )
    # The same data and parameters give the same fingerprint and results.
    rerun = run_hotspots(params, store=False)
    assert rerun.run.data_snapshot["identities_sha256"] == stored.data_snapshot["identities_sha256"]
    np.testing.assert_array_equal(rerun.stats.z, result.stats.z)


def test_hotspots_dry_run_stores_nothing(zone):
    crimes_in_zone()

    _, err = run("--area", f"zone:{zone.slug}", "--from", "2020-03", "--to", "2020-03", "--dry-run")

    assert not HotspotRun.objects.exists()
    assert "not stored (dry run)" in err


def test_hotspots_types_count_only_those_crimes(zone):
    crimes_in_zone()

    result = run_hotspots(
        HotspotParams(
            area=f"zone:{zone.slug}",
            month_from=MARCH,
            month_to=MARCH,
            crime_types=("ANTI-SOCIAL-BEHAVIOUR",),
        ),
        store=False,
    )

    assert result.run.crime_types == ["Anti-social behaviour"]
    assert (
        result.counts.sum() == result.run.data_snapshot["crimes_by_type"]["Anti-social behaviour"]
    )
    assert set(result.run.data_snapshot["crimes_by_type"]) == {"Anti-social behaviour"}


def test_hotspots_harm_weighting_uses_the_weight_table_and_keeps_a_copy(zone):
    crimes_in_zone()
    assert CrimeTypeWeight.objects.count() == len(DEFAULT_WEIGHTS)  # seeded by the migration
    params = HotspotParams(
        area=f"zone:{zone.slug}", month_from=MARCH, month_to=MARCH, weighting="harm"
    )

    result = run_hotspots(params)
    harm_weight_set(crime_type="Burglary", weight=Decimal("50"), actor=None)

    burglary = run_hotspots(
        HotspotParams(
            area=params.area, month_from=MARCH, month_to=MARCH, crime_types=("Burglary",)
        ),
        store=False,
    ).counts
    asb = result.counts - burglary
    np.testing.assert_allclose(result.values, 5 * burglary + 1 * asb)
    stored = HotspotRun.objects.get()
    assert stored.harm_weights["Burglary"] == 5.0
    again = hotspot_run_result(run=stored)  # unchanged by the later edit of the table
    np.testing.assert_array_equal(again.values, result.values)
    np.testing.assert_array_equal(again.stats.z, result.stats.z)
    assert AuditEvent.objects.filter(verb="insight.harm_weight_set").count() == 1


def test_hotspots_csv_of_harm_run_has_count_and_harm(zone, tmp_path):
    crimes_in_zone()
    output = tmp_path / "cells.csv"

    run("--area", f"zone:{zone.slug}", "--from", "2020-03", "--to", "2020-03", "--format", "csv",
        "--weights", "harm", "--output", output)  # fmt: skip

    header = output.read_text().splitlines()[0]
    assert header == "cell_e,cell_n,count,harm,density,z,p,q,class"


def test_hotspots_crimes_outside_the_area_count_only_towards_density(zone):
    crimes_in_zone()
    params = HotspotParams(area=f"zone:{zone.slug}", month_from=MARCH, month_to=MARCH)
    before = run_hotspots(params, store=False)
    # Just south of the zone: inside the bandwidth of its southern cells.
    CrimeFactory.create_batch(20, latitude=52.6348, longitude=-1.1860)

    after = run_hotspots(params, store=False)

    np.testing.assert_array_equal(after.counts, before.counts)
    assert after.density.sum() > before.density.sum()


def test_hotspots_buffer_widens_the_study_area(zone):
    crimes_in_zone()

    plain = run_hotspots(
        HotspotParams(area=f"zone:{zone.slug}", month_from=MARCH, month_to=MARCH), store=False
    )
    wide = run_hotspots(
        HotspotParams(area=f"zone:{zone.slug}", month_from=MARCH, month_to=MARCH, buffer=300),
        store=False,
    )

    assert len(wide.grid) > len(plain.grid)
    assert wide.run.area_label.endswith("with a 300 m buffer")


def test_hotspots_of_a_district_and_of_the_force(zone):
    crimes_in_zone()
    boundary = geo.validate_geometry(zone.boundary)
    min_lon, min_lat, max_lon, max_lat = geo.geometry_bbox(boundary)
    ReferenceArea.objects.create(
        code="E06000016",
        name="Leicester",
        kind="lad",
        geometry=boundary,
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
    )

    district = run_hotspots(
        HotspotParams(area="lad:e06000016", month_from=MARCH, month_to=MARCH), store=False
    )
    force = run_hotspots(HotspotParams(area="force", month_from=MARCH, month_to=MARCH), store=False)

    assert district.run.area == "lad:E06000016"
    assert district.run.area_label == "Leicester"
    np.testing.assert_array_equal(force.grid.ix, district.grid.ix)
    assert force.run.area_label == "the force area (1 district)"


def test_hotspots_force_without_districts_is_the_extent_of_the_crimes(zone):
    crimes_in_zone()

    result = run_hotspots(
        HotspotParams(area="force", month_from=MARCH, month_to=MARCH), store=False
    )

    assert result.run.area_label == "the force area (extent of all crimes)"
    assert result.run.crimes > 0


def test_hotspots_warns_of_months_without_crimes(zone):
    crimes_in_zone()

    _, err = run("--area", f"zone:{zone.slug}", "--from", "2020-02", "--to", "2020-04", "--dry-run")

    assert "No crimes counted in 1 of the 3 months: 2020-02." in err


def test_hotspots_warn_when_too_few_crimes_for_gi(zone):
    CrimeFactory(latitude=52.6365, longitude=-1.1885)
    CrimeFactory(latitude=52.6400, longitude=-1.1830)

    _, err = run("--area", f"zone:{zone.slug}", "--from", "2020-03", "--to", "2020-03")

    stored = HotspotRun.objects.get()
    assert "Too few crimes for reliable hot spots (2 counted; at least 30 are needed)" in err
    assert stored.has_too_few_crimes


@pytest.mark.parametrize(("crimes", "warned"), [(29, True), (30, False)])
def test_hotspots_warn_below_thirty_crimes(zone, crimes, warned):
    for index in range(crimes):
        CrimeFactory(latitude=52.6370 + (index % 5) * 0.0008, longitude=-1.1880 + index * 0.0001)

    result = run_hotspots(
        HotspotParams(area=f"zone:{zone.slug}", month_from=MARCH, month_to=MARCH), store=False
    )

    assert result.run.crimes == crimes
    assert result.run.has_too_few_crimes is warned
    assert any("Too few crimes" in warning for warning in result.warnings) is warned


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "zone:nowhere"], "There is no zone “nowhere”. Zones: test-zone-"),
        (["--area", "lad:E06000099"], "There is no local authority district “E06000099”"),
        (["--area", "county"], "“county” is not an area: give force, zone:<slug>"),
        (["--from", "2020-04", "--to", "2020-03"], "The first month (2020-04) is after the last"),
        (["--to", "2999-01"], "The last month (2999-01) is in the future."),
        (["--from", "March"], "invalid month (YYYY-MM) value: 'March'"),
        (["--band", "100"], "The distance band (100 m) is smaller than the cell (150 m)"),
        (["--cell", "5"], "The cell size must be from 10 to 5000 m, not 5 m."),
        (["--band", "5000", "--cell", "150"], "more than 25 cells of 150 m"),
        (["--types", "Jaywalking"], "Unknown crime type: Jaywalking. Stored types: Anti-social"),
        (["--from", "2019-01", "--to", "2019-02"], "There are no crimes in Test Zone"),
        (["--cell", "2000", "--band", "2000"], "holds fewer than two cells of 2000 m"),
        (["--grid", "h3", "--band", "20"], "smaller than the distance between neighbouring H3"),
        (["--grid", "h3", "--h3-resolution", "6"], "fewer than two H3 hexagons of resolution 6"),
        (["--grid", "h3", "--h3-resolution", "13"], "invalid choice: 13"),
        (["--grid", "hexagons"], "invalid choice: 'hexagons'"),
    ],
)  # fmt: skip
def test_hotspots_bad_arguments_get_a_clear_message(zone, args, message):
    crimes_in_zone()
    defaults = {"--area": f"zone:{zone.slug}", "--from": "2020-03", "--to": "2020-03"}
    given = dict(zip(args[::2], args[1::2], strict=True))

    with pytest.raises(CommandError, match=re.escape(message)):
        run(*[item for pair in ({**defaults, **given}).items() for item in pair])

    assert not HotspotRun.objects.exists()


def test_hotspots_district_without_boundary_is_refused(zone):
    crimes_in_zone()
    ReferenceArea.objects.create(code="E06000016", name="Leicester", kind="lad")

    with pytest.raises(CommandError, match=r"has no boundary: import one with manage\.py"):
        run("--area", "lad:E06000016", "--from", "2020-03", "--to", "2020-03")


def test_hotspot_run_list_is_for_staff_only(zone, user):
    crimes_in_zone()
    run_hotspots(HotspotParams(area=f"zone:{zone.slug}", month_from=MARCH, month_to=MARCH))
    staff = UserFactory(is_staff=True)

    assert list(hotspot_run_list(user=user)) == []
    assert len(hotspot_run_list(user=staff)) == 1


def test_hotspots_on_h3_hexagons_write_every_hexagon_and_reproduce(zone, tmp_path):
    crimes = crimes_in_zone()
    output = tmp_path / "hexagons.csv"

    out, _ = run("--area", f"zone:{zone.slug}", "--from", "2020-03", "--to", "2020-03",
                 "--grid", "h3", "--h3-resolution", "11", "--band", "150", "--format", "csv",
                 "--output", output)  # fmt: skip

    stored = HotspotRun.objects.get()
    assert (stored.grid, stored.h3_resolution) == ("h3", 11)
    assert f"{stored.cells} H3 hexagons of resolution 11" in out
    with output.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["h3", "centre_e", "centre_n", "count", "density", "z", "p", "q",
                             "class"]  # fmt: skip
    names = [row["h3"] for row in rows]
    assert len(names) == len(set(names)) == stored.cells
    assert all(h3.is_valid_cell(name) and h3.get_resolution(name) == 11 for name in names)
    # Each March crime counts in the hexagon H3 gives it, when that hexagon is in the area.
    expected: dict[str, int] = {}
    for crime in crimes:
        cell = h3.latlng_to_cell(crime.latitude, crime.longitude, 11)
        if crime.month == MARCH and cell in set(names):
            expected[cell] = expected.get(cell, 0) + 1
    assert {row["h3"]: int(row["count"]) for row in rows if int(row["count"])} == expected
    # Centres are H3's, in BNG metres.
    lat, lon = h3.cell_to_latlng(names[0])
    easting, northing = TO_BNG.transform(lon, lat)
    assert float(rows[0]["centre_e"]) == pytest.approx(easting, abs=0.01)
    assert float(rows[0]["centre_n"]) == pytest.approx(northing, abs=0.01)
    # The stored run gives the same statistics again, and they are esda's.
    again = hotspot_run_result(run=stored)
    np.testing.assert_allclose(again.stats.z, [float(row["z"]) for row in rows], rtol=1e-12)
    np.testing.assert_allclose(again.stats.z, esda_z(again.grid, again.values, 150), atol=1e-9)
    assert [str(c) for c in again.stats.classes] == [row["class"] for row in rows]


def test_hotspots_on_h3_hexagons_as_geojson(zone, tmp_path):
    crimes_in_zone()
    output = tmp_path / "hexagons.geojson"

    run("--area", f"zone:{zone.slug}", "--from", "2020-03", "--to", "2020-03", "--grid", "h3",
        "--output", output)  # fmt: skip

    data = json.loads(output.read_text())
    assert data["hotspot_run"]["grid"] == "h3"
    assert data["hotspot_run"]["h3_resolution"] == 10
    for feature in data["features"]:
        ring = feature["geometry"]["coordinates"][0]
        assert len(ring) == 7
        assert ring[0] == ring[-1]
        assert shapely.is_ccw(shapely.LinearRing(ring))
        assert list(feature["properties"])[:3] == ["h3", "centre_e", "centre_n"]
        # H3's own corners, to the file's 7 decimals.
        for lat, lon in h3.cell_to_boundary(feature["properties"]["h3"]):
            assert min(abs(x - lon) + abs(y - lat) for x, y in ring) < 2e-7
