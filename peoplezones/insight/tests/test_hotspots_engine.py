"""The hotspot statistics, checked against esda, a brute-force kernel density and known examples."""

import math
import warnings

import esda
import libpysal
import numpy as np
import pytest
import shapely
from h3.api import basic_int as h3
from scipy import stats
from shapely.geometry import Point, box

from peoplezones.insight import hotspots
from peoplezones.insight.hotspots import Grid, HotspotError


def grid_of(cells: list[tuple[int, int]], size: float = 150) -> Grid:
    ix, iy = zip(*cells, strict=True)
    return Grid(size=size, ix=np.array(ix, np.int64), iy=np.array(iy, np.int64))


def esda_z(grid: Grid, values: np.ndarray, band: float) -> np.ndarray:
    """esda's analytical Gi* z-scores, with libpysal's own distance-band weights."""
    centres = np.column_stack([grid.centre_e, grid.centre_n])
    with warnings.catch_warnings():
        # libpysal warns about islands and disconnected components; they are legitimate here.
        warnings.simplefilter("ignore", UserWarning)
        weights = libpysal.weights.DistanceBand(
            centres, threshold=band, binary=True, silence_warnings=True
        )
        result = esda.G_Local(values, weights, transform="B", star=True, permutations=0)
    return np.asarray(result.Zs, float)


def brute_force_density(grid: Grid, easting, northing, weights, bandwidth) -> np.ndarray:
    """The quartic kernel density written out point by point, cell by cell."""
    density = []
    for cx, cy in zip(grid.centre_e, grid.centre_n, strict=True):
        total = 0.0
        for px, py, weight in zip(easting, northing, weights, strict=True):
            distance = math.hypot(px - cx, py - cy)
            if distance < bandwidth:
                total += (
                    weight * 3 / (math.pi * bandwidth**2) * (1 - (distance / bandwidth) ** 2) ** 2
                )
        density.append(total * 1_000_000)
    return np.array(density)


@pytest.mark.parametrize(
    ("easting", "northing", "size", "expected"),
    [
        (0.0, 0.0, 150, (0, 0)),
        (149.999, 299.9, 150, (0, 1)),
        (150.0, 300.0, 150, (1, 2)),  # on an edge: the cell above and to the right
        (-0.001, -150.0, 150, (-1, -1)),  # negative: floor, not truncation towards zero
        (-150.001, -300.5, 150, (-2, -3)),
        (458_312.7, 305_100.0, 100, (4583, 3051)),
        (458_312.7, 305_100.0, 250, (1833, 1220)),
    ],
)
def test_cell_of_is_floor_of_coordinate_over_size(easting, northing, size, expected):
    column, row = hotspots.cell_of([easting], [northing], size=size)

    assert (int(column[0]), int(row[0])) == expected
    # The lower-left corner is a multiple of the size at or below the point.
    assert column[0] * size <= easting < (column[0] + 1) * size
    assert row[0] * size <= northing < (row[0] + 1) * size


def test_grid_within_takes_cells_whose_centre_is_inside_or_on_the_edge():
    # A box from 0 to 450 m east and 0 to 300 m north, plus a sliver that reaches the centre
    # (525, 75) of cell (3, 0) exactly on its edge, but no other centre.
    boundary = box(0, 0, 450, 300).union(box(450, 0, 525, 150))

    grid = hotspots.grid_within(boundary, size=150)

    assert sorted(zip(grid.ix.tolist(), grid.iy.tolist(), strict=True)) == [
        (0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0),
    ]  # fmt: skip


def test_grid_within_aligns_cells_to_multiples_of_the_size_with_negative_coordinates():
    grid = hotspots.grid_within(box(-370, -220, 20, 90), size=100)

    # Eastings -370..20: centres -350, -250, -150, -50 are in, 50 is out; northings -220..90:
    # centre -250 is out, -150, -50 and 50 are in.
    assert sorted(set(grid.ix.tolist())) == [-4, -3, -2, -1]
    assert sorted(set(grid.iy.tolist())) == [-2, -1, 0]
    assert set(grid.corner_e.tolist()) == {-400.0, -300.0, -200.0, -100.0}
    assert set(grid.corner_n.tolist()) == {-200.0, -100.0, 0.0}
    assert len(grid) == 12


def test_grid_locate_finds_each_point_cell_or_minus_one():
    grid = grid_of([(0, 0), (2, 0), (-1, -1)])

    where = grid.locate([10, 310, -10, 160, 10_000], [10, 140, -10, 10, 0])

    assert where.tolist() == [0, 1, 2, -1, -1]


def test_cell_totals_counts_and_sums_weights_only_inside_the_grid():
    grid = grid_of([(0, 0), (1, 0)])

    counts = hotspots.cell_totals(grid, [1, 2, 151, 999], [1, 2, 3, 4])
    harm = hotspots.cell_totals(grid, [1, 2, 151, 999], [1, 2, 3, 4], weights=[1, 10, 2.5, 7])

    assert counts.tolist() == [2, 1]
    assert harm.tolist() == [11, 2.5]


def test_band_kernel_includes_centres_exactly_at_the_band():
    kernel = hotspots.band_kernel(band=300, size=150)

    # Offsets (dx, dy) in cells with dx² + dy² <= 4: 13 cells, (2, 0) in, (1, 2) and (2, 1) out.
    assert kernel.shape == (5, 5)
    assert kernel.sum() == 13
    assert kernel[2, 4] == 1
    assert kernel[0, 3] == 0


def test_band_kernel_refuses_a_band_smaller_than_the_cell():
    with pytest.raises(HotspotError, match="smaller than the cell"):
        hotspots.band_kernel(band=100, size=150)


@pytest.mark.parametrize(
    ("size", "band", "seed"),
    [
        (150, 450, 1),  # the defaults
        (150, 150, 2),  # only the four edge neighbours
        (100, 250, 3),  # a band that is not a whole number of cells
        (150, 1000, 4),  # a wide band
    ],
)
def test_gi_star_equals_esda_on_the_same_counts_and_weights(size, band, seed):
    rng = np.random.default_rng(seed)
    # An irregular study area (a disk with a bite out of it) so that edge cells have fewer
    # neighbours; clustered points so that there are real hot and cold spots.
    boundary = (
        Point(452_000, 305_000).buffer(2500).difference(box(452_500, 302_000, 455_000, 304_800))
    )
    grid = hotspots.grid_within(boundary, size=size)
    centre = rng.normal([451_500, 305_500], 700, size=(3000, 2))
    spread = rng.uniform(449_000, 455_000, size=(1000, 2))
    points = np.vstack([centre, spread])
    counts = hotspots.cell_totals(grid, points[:, 0], points[:, 1])
    assert counts.sum() > 0
    assert (counts == 0).any()

    z = hotspots.gi_star(grid, counts, band=band)

    np.testing.assert_allclose(z, esda_z(grid, counts, band), rtol=0, atol=1e-9)
    assert z.max() > 3


def test_gi_star_equals_esda_on_weighted_values():
    rng = np.random.default_rng(7)
    grid = hotspots.grid_within(box(0, 0, 3000, 2000), size=150)
    values = rng.gamma(0.5, 4.0, size=len(grid)) * rng.integers(0, 2, size=len(grid))

    z = hotspots.gi_star(grid, values, band=450)

    np.testing.assert_allclose(z, esda_z(grid, values, 450), rtol=0, atol=1e-9)


def test_gi_star_of_a_lone_hot_cell_by_hand():
    # Three cells in a row, band of one cell: cell 0 has neighbours {0, 1}, cell 1 {0, 1, 2}.
    grid = grid_of([(0, 0), (1, 0), (2, 0)])
    x = np.array([3.0, 0.0, 0.0])
    mean, spread = 1.0, math.sqrt(2.0)  # population standard deviation of 3, 0, 0

    z = hotspots.gi_star(grid, x, band=150)

    # z_i = (L_i - x̄ W_i) / (S sqrt((n W_i - W_i²) / (n - 1)))
    expected_0 = (3 - mean * 2) / (spread * math.sqrt((3 * 2 - 4) / 2))
    expected_2 = (0 - mean * 2) / (spread * math.sqrt((3 * 2 - 4) / 2))
    assert z[0] == pytest.approx(expected_0, abs=1e-12)
    assert z[2] == pytest.approx(expected_2, abs=1e-12)
    # Cell 1's neighbourhood is the whole study area: no variance, z = 0 by definition.
    assert z[1] == 0


def test_gi_star_refuses_values_that_are_all_the_same():
    grid = grid_of([(0, 0), (1, 0), (5, 5)])

    with pytest.raises(HotspotError, match="same value"):
        hotspots.gi_star(grid, [0, 0, 0], band=150)


def test_gi_star_refuses_a_single_cell():
    with pytest.raises(HotspotError, match="fewer than two cells"):
        hotspots.gi_star(grid_of([(0, 0)]), [4], band=150)


def test_p_values_are_two_sided_normal():
    p = hotspots.p_values([0.0, 1.959963984540054, -2.5758293035489004, 40])

    np.testing.assert_allclose(p, [1.0, 0.05, 0.01, 0.0], rtol=1e-12, atol=1e-300)


# Benjamini and Hochberg (1995), section 4: 15 p-values from a clinical trial; at a false
# discovery rate of 0.05 the four smallest are discoveries.
BH_1995 = [
    0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
    0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000,
]  # fmt: skip


def test_q_values_reproduce_benjamini_hochberg_1995():
    q = hotspots.q_values(BH_1995)

    # q_(i) = min over k >= i of m p_(k) / k, by hand. m p_(k) / k for k = 1..9 is 0.0015,
    # 0.003, 0.0095, 0.035625, 0.0603, 0.0695, 0.063857…, 0.0645, 0.0765, and it only grows
    # after that, so the first five q-values are these, and q_6 = q_7 = 0.063857… (k = 7).
    assert q[:5].tolist() == pytest.approx([0.0015, 0.003, 0.0095, 0.035625, 0.0603], abs=1e-15)
    assert q[5] == q[6] == pytest.approx(15 * 0.0298 / 7, abs=1e-15)
    assert q[7] == pytest.approx(0.0645, abs=1e-15)
    assert (q <= 0.05).sum() == 4
    assert q[-1] == 1.0


def test_q_values_are_scipys_benjamini_hochberg_in_any_order():
    rng = np.random.default_rng(3)
    p = rng.uniform(size=500) ** 3

    q = hotspots.q_values(p)

    np.testing.assert_allclose(q, stats.false_discovery_control(p, method="bh"), rtol=1e-15)
    # Never below its own p, and in the same order as p.
    assert (q >= p).all()
    order = np.argsort(p)
    assert (np.diff(q[order]) >= -1e-15).all()


def test_classify_uses_the_highest_level_reached_and_the_sign_of_z():
    z = [3.0, 2.0, 1.8, 0.5, -1.7, -2.2, -4.0]
    significance = [0.001, 0.04, 0.09, 0.6, 0.1, 0.02, 0.01]

    classes = hotspots.classify(z, significance)

    assert classes.tolist() == [
        "hot_99", "hot_95", "hot_90", "not_significant", "cold_90", "cold_95", "cold_99",
    ]  # fmt: skip


def test_hotspot_stats_judges_classes_by_q_or_p():
    rng = np.random.default_rng(11)
    grid = hotspots.grid_within(box(0, 0, 3000, 3000), size=150)
    values = rng.poisson(0.3, size=len(grid)).astype(float)
    values[:5] += 6

    by_q = hotspots.hotspot_stats(grid, values, band=450)
    by_p = hotspots.hotspot_stats(grid, values, band=450, classify_by="p")

    np.testing.assert_array_equal(by_q.z, by_p.z)
    assert (by_q.classes == hotspots.classify(by_q.z, by_q.q)).all()
    assert (by_p.classes == hotspots.classify(by_p.z, by_p.p)).all()
    # FDR is the stricter: never more significant cells than by p.
    assert (by_q.classes != "not_significant").sum() <= (by_p.classes != "not_significant").sum()


def test_kernel_density_equals_a_brute_force_quartic_kernel():
    rng = np.random.default_rng(5)
    grid = hotspots.grid_within(box(0, 0, 1500, 1200), size=100)
    easting = rng.uniform(-300, 1800, 400)
    northing = rng.uniform(-300, 1500, 400)
    # Shared places (as police.uk snap points), a point on a cell centre, and one exactly a
    # bandwidth from a centre (which adds nothing).
    easting[:50], northing[:50] = easting[50:100], northing[50:100]
    easting[100], northing[100] = 250.0, 350.0
    easting[101], northing[101] = 250.0, 650.0 + 300.0
    weights = rng.choice([1.0, 2.0, 10.0], size=400)

    density = hotspots.kernel_density(grid, easting, northing, bandwidth=300, weights=weights)
    counted = hotspots.kernel_density(grid, easting, northing, bandwidth=300)

    np.testing.assert_allclose(
        density, brute_force_density(grid, easting, northing, weights, 300), rtol=1e-12, atol=1e-9
    )
    np.testing.assert_allclose(
        counted, brute_force_density(grid, easting, northing, np.ones(400), 300), rtol=1e-12
    )


def test_kernel_density_integrates_to_the_number_of_points():
    # On a fine grid far from the edges, the density summed over cells times their area gives
    # back the points: the kernel is normalised.
    grid = hotspots.grid_within(box(-2000, -2000, 2000, 2000), size=10)
    density = hotspots.kernel_density(grid, [0, 100, -150], [0, 50, 20], bandwidth=400)

    assert density.sum() * (10 * 10) / 1_000_000 == pytest.approx(3, rel=1e-4)


def test_kernel_density_of_no_points_is_zero():
    grid = grid_of([(0, 0), (1, 0)])

    assert hotspots.kernel_density(grid, [], [], bandwidth=300).tolist() == [0, 0]


def test_bng_conversion_round_trips_a_leicester_point():
    easting, northing = hotspots.lat_lon_to_bng([52.6369], [-1.1398])
    lon, lat = hotspots.bng_to_lon_lat(easting, northing)

    assert 458_000 < easting[0] < 460_000
    assert 303_000 < northing[0] < 305_000
    # To a millimetre or so (1e-7 degrees is about a centimetre).
    assert lat[0] == pytest.approx(52.6369, abs=1e-7)
    assert lon[0] == pytest.approx(-1.1398, abs=1e-7)


# H3 hexagons

LEICESTER = box(455000, 300000, 459000, 303000)  # British National Grid metres


def hex_grid(resolution: int = 10) -> hotspots.HexGrid:
    return hotspots.hex_grid_within(LEICESTER, resolution=resolution)


def centre_lon_lat(cell: int) -> tuple[float, float]:
    lat, lon = h3.cell_to_latlng(int(cell))
    return lon, lat


def test_hex_grid_within_takes_the_hexagons_whose_centre_is_inside():
    grid = hex_grid()
    to_bng = hotspots.lat_lon_to_bng
    chosen = {int(cell) for cell in grid.cells}

    assert len(chosen) > 100
    assert list(grid.cells) == sorted(grid.cells)
    for cell in chosen:
        lon, lat = centre_lon_lat(cell)
        easting, northing = to_bng([lat], [lon])
        assert LEICESTER.buffer(1).contains(Point(easting[0], northing[0]))
    # Every neighbour left out has its centre outside (the edge is a metre's width).
    outside = {n for cell in chosen for n in h3.grid_ring(int(cell), 1)} - chosen
    assert outside
    for cell in outside:
        lon, lat = centre_lon_lat(cell)
        easting, northing = to_bng([lat], [lon])
        assert not LEICESTER.buffer(-1).contains(Point(easting[0], northing[0]))


def test_hex_locate_is_h3s_cell_of_each_point():
    grid = hex_grid()
    rng = np.random.default_rng(3)
    easting = rng.uniform(454000, 460000, 2000)
    northing = rng.uniform(299000, 304000, 2000)
    lon, lat = hotspots.bng_to_lon_lat(easting, northing)
    positions = {int(cell): index for index, cell in enumerate(grid.cells)}

    found = grid.locate(easting, northing)

    expected = [
        positions.get(h3.latlng_to_cell(p_lat, p_lon, 10), -1)
        for p_lat, p_lon in zip(lat, lon, strict=True)
    ]
    assert found.tolist() == expected
    assert (found == -1).any()
    assert (found >= 0).sum() > 500


@pytest.mark.parametrize(("resolution", "band", "seed"), [(10, 300, 1), (10, 450, 2), (9, 800, 3)])
def test_hex_gi_star_equals_esda_on_the_same_counts_and_weights(resolution, band, seed):
    grid = hex_grid(resolution)
    values = np.random.default_rng(seed).poisson(1.5, len(grid)).astype(float)
    values[5] += 25  # a hot spot

    z = hotspots.gi_star(grid, values, band=band)

    np.testing.assert_allclose(z, esda_z(grid, values, band), rtol=0, atol=1e-9)


def test_hex_kernel_density_equals_a_brute_force_quartic_kernel():
    grid = hotspots.hex_grid_within(box(455000, 300000, 456000, 301000), resolution=10)
    rng = np.random.default_rng(7)
    easting = rng.uniform(454800, 456200, 200)
    northing = rng.uniform(299800, 301200, 200)
    weights = rng.choice([1.0, 3.0], size=200)

    density = hotspots.kernel_density(grid, easting, northing, bandwidth=250, weights=weights)

    np.testing.assert_allclose(
        density, brute_force_density(grid, easting, northing, weights, 250), rtol=1e-12, atol=1e-9
    )


def test_hex_band_without_neighbours_is_refused_with_the_spacing():
    grid = hex_grid()
    values = np.arange(len(grid), dtype=float)

    with pytest.raises(HotspotError, match=r"smaller than the distance between neighbouring H3"):
        hotspots.gi_star(grid, values, band=50)


@pytest.mark.parametrize("resolution", [5, 12])
def test_hex_resolution_out_of_range_is_refused(resolution):
    with pytest.raises(HotspotError, match="H3 resolution must be from 6 to 11"):
        hotspots.hex_grid_within(LEICESTER, resolution=resolution)


def test_hex_outlines_are_closed_rings_round_each_centre():
    grid = hex_grid()
    rings = grid.rings_lon_lat()
    outlines = grid.outlines([0, 1])

    assert len(rings) == len(grid)
    for ring in rings[:20]:
        assert len(ring) == 7
        assert ring[0] == ring[-1]
        assert shapely.is_ccw(shapely.LinearRing(ring))
    for index, outline in enumerate(outlines):
        hexagon = shapely.Polygon(outline)
        assert hexagon.contains(Point(grid.centre_e[index], grid.centre_n[index]))
        # About as wide as the centres are apart.
        assert hexagon.area == pytest.approx(grid.size**2 * math.sqrt(3) / 2, rel=0.15)
