"""Choosing the next zone: scores, weights, assets near an LSOA, adjacency and groups, existing
zones, CSV, bad input and the command."""

import csv
import datetime
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from peoplezones.assets.models import Asset
from peoplezones.assets.tests.factories import AssetFactory
from peoplezones.insight import hotspots as engine
from peoplezones.insight.models import ReferenceArea
from peoplezones.insight.next_zone import (
    GROUP_COLUMNS,
    LSOA_COLUMNS,
    LsoaScore,
    NextZoneError,
    NextZoneParams,
    grow_groups,
    next_zone_rank,
    normalised_weights,
    rank_score,
    write_groups_csv,
    write_lsoas_csv,
)
from peoplezones.insight.tests.test_impact import make_lsoa, square, store_counts
from peoplezones.zones.tests.factories import ZoneFactory

MONTH = datetime.date(2021, 6, 1)
# A grid of square LSOAs, 0.01° of longitude by 0.007° of latitude (about 680 m by 780 m).
WEST, SOUTH, WIDTH, HEIGHT = -1.25, 52.60, 0.01, 0.007


def weights(deprivation: float, crime: float, assets: float) -> dict[str, float]:
    return {"deprivation": deprivation, "crime": crime, "assets": assets}


def make_district(code: str, name: str, geometry: dict) -> ReferenceArea:
    area = ReferenceArea(code=code, name=name, kind=ReferenceArea.Kind.LAD, geometry=geometry)
    area.save()
    return area


def grid_code(row: int, col: int) -> str:
    return f"E0150{row}{col:02d}"


def grid_centre(row: int, col: int) -> tuple[float, float]:
    """(lat, lon) of a grid LSOA's centre."""
    return SOUTH + (row + 0.5) * HEIGHT, WEST + (col + 0.5) * WIDTH


def build_grid(*, rows: int = 4, cols: int = 4, ranks=None, crimes=None) -> list[str]:
    """A rows x cols grid of LSOAs with boundaries in Leicester (E06000016), with IMD ranks and
    crimes (one month) from the callables given, and Leicester's boundary around them."""
    make_district(
        "E06000016",
        "Leicester",
        square(WEST - 0.01, SOUTH - 0.01, cols * WIDTH + 0.02, rows * HEIGHT + 0.02),
    )
    codes = []
    counts = []
    for row in range(rows):
        for col in range(cols):
            code = grid_code(row, col)
            rank = ranks(row, col) if ranks else 10_000 + 100 * (row * cols + col)
            make_lsoa(
                code,
                lad="E06000016",
                decile=max(1, min(10, rank // 3285 + 1)),
                rank=rank,
                geometry=square(WEST + col * WIDTH, SOUTH + row * HEIGHT, WIDTH, HEIGHT),
                name=f"Grid {row}{col}",
            )
            codes.append(code)
            counts.append(crimes(row, col) if crimes else 10)
    lat, lon = grid_centre(0, 0)
    store_counts(np.array(counts)[:, None], codes, months=[MONTH], point=(lat, lon))
    return codes


# --- pieces --------------------------------------------------------------------------------


def test_rank_score_gives_zero_to_the_lowest_and_shares_ties():
    assert list(rank_score(np.array([5.0, 1.0, 3.0]))) == [1.0, 0.0, 0.5]
    assert list(rank_score(np.array([0.0, 0.0, 0.0, 7.0]))) == [0.0, 0.0, 0.0, 1.0]
    assert list(rank_score(np.array([2.0, 2.0]))) == [0.0, 0.0]
    assert list(rank_score(np.array([4.0]))) == [0.0]


def test_normalised_weights_add_up_to_one():
    assert normalised_weights(weights(2, 2, 1)) == pytest.approx(weights(0.4, 0.4, 0.2))
    assert normalised_weights(weights(0, 5, 0)) == weights(0, 1, 0)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (weights(-0.1, 0.5, 0.5), "cannot be negative"),
        (weights("lots", 0.5, 0.5), "must be a number"),
        (weights(float("nan"), 0.5, 0.5), "must be a number"),
        (weights(float("inf"), 0.5, 0.5), "must be a number"),
        (weights(0, 0, 0), "At least one weight must be more than 0"),
    ],
)
def test_normalised_weights_refuses_bad_weights(given, message):
    with pytest.raises(NextZoneError, match=message):
        normalised_weights(given)


def _lsoa(code: str, score: float) -> LsoaScore:
    return LsoaScore(
        code=code,
        name=code,
        lad_code="E06000016",
        lad_name="Leicester",
        imd_rank=1,
        imd_decile=1,
        crimes=0,
        assets=0,
        scores={},
        score=score,
        lat=None,
        lon=None,
        has_boundary=True,
    )


def test_grow_groups_makes_disjoint_connected_groups_best_first():
    # A path a-b-c-d-e-f-g-h with a high-scoring stretch b..f and two islands.
    scores = {"a": 0.5, "b": 0.9, "c": 1.0, "d": 0.95, "e": 0.92, "f": 0.91, "g": 0.3, "h": 0.2}
    chain = "abcdefgh"
    neighbours = {
        code: {chain[i - 1] for i in [chain.index(code)] if i > 0}
        | {chain[i + 1] for i in [chain.index(code)] if i < len(chain) - 1}
        for code in chain
    }
    lsoas = sorted((_lsoa(code, score) for code, score in scores.items()), key=lambda x: -x.score)

    groups = grow_groups(
        lsoas=lsoas, neighbours=neighbours, eligible=set(scores), min_size=3, max_size=6
    )

    # From c: d, e, then past the smallest size f (0.91 >= 0.9 x mean) and b; not a (0.5).
    assert [group.codes for group in groups] == [["c", "d", "e", "f", "b"]]
    assert groups[0].rank == 1
    # g and h (and a) could not make a group of three among what was left.
    smaller = grow_groups(
        lsoas=lsoas, neighbours=neighbours, eligible=set(scores), min_size=2, max_size=2
    )
    assert [group.codes for group in smaller] == [["c", "d"], ["e", "f"], ["b", "a"], ["g", "h"]]
    assert [group.rank for group in smaller] == [1, 2, 3, 4]


def test_grow_groups_leaves_out_ineligible_lsoas():
    neighbours = {"a": {"b"}, "b": {"a", "c"}, "c": {"b"}}
    lsoas = [_lsoa("b", 1.0), _lsoa("a", 0.9), _lsoa("c", 0.8)]

    groups = grow_groups(
        lsoas=lsoas, neighbours=neighbours, eligible={"a", "c"}, min_size=2, max_size=3
    )

    assert groups == []


# --- the ranking on stored data ------------------------------------------------------------


@pytest.fixture
def swap_places(db):
    """A deprived LSOA with little crime, a less deprived one with much crime, and fillers; no
    district boundaries, so the force area is the LSOAs with crime."""
    make_lsoa("E01900001", lad="E06000016", decile=1, rank=100, name="Deprived Quiet")
    make_lsoa("E01900002", lad="E06000016", decile=7, rank=20_000, name="Busy Centre")
    fillers = [f"E019100{i:02d}" for i in range(8)]
    for i, code in enumerate(fillers):
        make_lsoa(code, lad="E06000016", decile=3, rank=7_000 + 500 * i, name=f"Filler {i}")
    counts = np.array([[1], [200]] + [[20 + i] for i in range(8)])
    store_counts(counts, ["E01900001", "E01900002", *fillers], months=[MONTH])


def _order(result) -> list[str]:
    return [item.name for item in result.lsoas]


def test_ranking_swaps_when_the_weights_change(swap_places):
    by_deprivation = next_zone_rank(NextZoneParams(weights=weights(1, 0, 0)))
    by_crime = next_zone_rank(NextZoneParams(weights=weights(0, 1, 0)))
    mostly_deprivation = next_zone_rank(NextZoneParams(weights=weights(0.7, 0.3, 0)))
    mostly_crime = next_zone_rank(NextZoneParams(weights=weights(0.3, 0.7, 0)))

    assert _order(by_deprivation)[0] == "Deprived Quiet"
    assert _order(by_deprivation)[-1] == "Busy Centre"
    assert _order(by_crime)[0] == "Busy Centre"
    assert _order(by_crime)[-1] == "Deprived Quiet"
    assert _order(mostly_deprivation).index("Deprived Quiet") < _order(mostly_deprivation).index(
        "Busy Centre"
    )
    assert _order(mostly_crime).index("Busy Centre") < _order(mostly_crime).index("Deprived Quiet")
    top = by_deprivation.lsoas[0]
    assert top.scores == {"deprivation": 1.0, "crime": 0.0, "assets": 0.0}
    assert top.score == 1.0
    assert [item.rank for item in by_crime.lsoas] == list(range(1, 11))
    assert by_crime.weights == weights(0, 1, 0)


def test_ranking_counts_only_the_months_and_types_asked(swap_places):
    store_counts(np.array([[500]]), ["E01900001"], months=[datetime.date(2020, 1, 1)])
    store_counts(np.array([[300]]), ["E01900001"], months=[MONTH], crime_type="Drugs")

    only_june_burglary = next_zone_rank(
        NextZoneParams(
            weights=weights(0, 1, 0), month_from=MONTH, month_to=MONTH, crime_types=("burglary",)
        )
    )
    everything = next_zone_rank(
        NextZoneParams(weights=weights(0, 1, 0), month_from=datetime.date(2020, 1, 1))
    )

    crimes = {item.name: item.crimes for item in only_june_burglary.lsoas}
    assert crimes["Deprived Quiet"] == 1
    assert {item.name: item.crimes for item in everything.lsoas}["Deprived Quiet"] == 801
    assert _order(everything)[0] == "Deprived Quiet"


def test_default_months_are_the_last_twelve_imported(swap_places):
    store_counts(np.ones((1, 1)), ["E01900001"], months=[datetime.date(2019, 1, 1)])

    result = next_zone_rank(NextZoneParams())

    assert result.month_to == MONTH
    assert result.month_from == datetime.date(2019, 1, 1)  # fewer than 12 months imported


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (NextZoneParams(weights=weights(-1, 1, 1)), "cannot be negative"),
        (NextZoneParams(weights=weights(0, 0, 0)), "At least one weight"),
        (NextZoneParams(month_to=datetime.date(2999, 1, 1)), "in the future"),
        (
            NextZoneParams(
                month_from=datetime.date(2021, 6, 1), month_to=datetime.date(2021, 1, 1)
            ),
            "is after the last",
        ),
        (
            NextZoneParams(
                month_from=datetime.date(2018, 1, 1), month_to=datetime.date(2018, 6, 1)
            ),
            "No crime is imported from 2018-01 to 2018-06",
        ),
        (NextZoneParams(crime_types=("nonsense",)), "Unknown crime type: nonsense"),
        (NextZoneParams(radius=-5), "distance"),
        (NextZoneParams(min_group=9, max_group=8), "A group must have"),
    ],
)
def test_ranking_refuses_bad_parameters(swap_places, params, message):
    with pytest.raises(Exception, match=message) as caught:
        next_zone_rank(params)
    assert type(caught.value).__name__ in ("NextZoneError", "ImpactError")


def test_ranking_without_imd_or_crime_says_what_to_import(db):
    with pytest.raises(NextZoneError, match=r"import_police_uk"):
        next_zone_rank(NextZoneParams())
    store_counts(np.ones((1, 1)), ["E01999999"], months=[MONTH])
    with pytest.raises(NextZoneError, match="No LSOA of the force area has an IMD rank"):
        next_zone_rank(NextZoneParams())


def test_institutions_and_associations_inside_or_near_an_lsoa_are_counted(db):
    build_grid(rows=3, cols=3)
    lat, lon = grid_centre(1, 1)
    AssetFactory(latitude=lat, longitude=lon, asset_class=Asset.AssetClass.INSTITUTION)
    AssetFactory(latitude=lat + 0.002, longitude=lon, asset_class=Asset.AssetClass.ASSOCIATION)
    # Excluded: another class, not published.
    AssetFactory(latitude=lat, longitude=lon, asset_class=Asset.AssetClass.ECONOMIC)
    AssetFactory(latitude=lat, longitude=lon, status=Asset.Status.PENDING)
    # Inside the neighbouring LSOA to the east, about 640 m from the centre of (1, 1): counted
    # there only, unless the distance is larger.
    east_lat, east_lon = grid_centre(1, 2)
    AssetFactory(latitude=east_lat, longitude=east_lon - 0.0005)

    near = {i.code: i.assets for i in next_zone_rank(NextZoneParams()).lsoas}
    wide = {i.code: i.assets for i in next_zone_rank(NextZoneParams(radius=1000)).lsoas}
    inside_only = {i.code: i.assets for i in next_zone_rank(NextZoneParams(radius=0)).lsoas}

    assert near[grid_code(1, 1)] == 2
    assert near[grid_code(1, 2)] == 1
    assert near[grid_code(0, 0)] == 0
    assert wide[grid_code(1, 1)] == 3
    assert inside_only[grid_code(1, 1)] == 2
    assert inside_only[grid_code(1, 2)] == 1


def test_groups_of_neighbouring_squares(db):
    # A 4 x 4 grid; the 2 x 3 block in the south-west is the most deprived.
    def rank(row, col):
        return 100 + 10 * (row * 4 + col) if row < 2 and col < 3 else 20_000 + row * 4 + col

    build_grid(ranks=rank)

    result = next_zone_rank(
        NextZoneParams(weights=weights(1, 0, 0), min_group=6, max_group=6, include_zoned=True)
    )

    best = result.groups[0]
    assert sorted(best.codes) == sorted(grid_code(r, c) for r in range(2) for c in range(3))
    assert best.rank == 1
    assert len({code for group in result.groups for code in group.codes}) == sum(
        len(group.codes) for group in result.groups
    )  # disjoint
    assert len(result.groups) == 2  # the 10 LSOAs left make one more group of six at most
    for group in result.groups:
        assert len(group.codes) == 6
        assert _connected(group.codes)


def _connected(codes: list[str]) -> bool:
    """Whether grid LSOAs touch one another (at an edge or a corner) as one piece."""
    cells = {(int(code[-3]), int(code[-2:])) for code in codes}
    seen, todo = set(), [next(iter(cells))]
    while todo:
        r, c = todo.pop()
        if (r, c) in seen:
            continue
        seen.add((r, c))
        todo += [
            (r + dr, c + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (r + dr, c + dc) in cells
        ]
    return seen == cells


def test_lsoas_without_boundaries_are_placed_by_their_crimes_and_grouped(db):
    """Without boundaries, an LSOA's centre is the mean of its crimes' points and neighbours
    come from the Delaunay triangulation of centres in its district."""
    make_district("E07000130", "Charnwood", square(-1.3, 52.7, 0.2, 0.2))
    codes = []
    for i in range(3):
        for j in range(3):
            code = f"E0160{i}{j}"
            make_lsoa(code, lad="E07000130", decile=2, rank=1000 + 10 * (3 * i + j))
            lat, lon = 52.75 + i * 0.006, -1.20 + j * 0.009
            store_counts(np.array([[4]]), [code], months=[MONTH], point=(lat, lon))
            codes.append(code)

    result = next_zone_rank(NextZoneParams(weights=weights(1, 0, 0), min_group=9, max_group=9))

    item = next(item for item in result.lsoas if item.code == "E016000")
    assert item.lat == pytest.approx(52.75, abs=1e-6)
    assert item.lon == pytest.approx(-1.20, abs=1e-6)
    assert not item.has_boundary
    assert [sorted(group.codes) for group in result.groups] == [sorted(codes)]
    assert any("boundary" in warning for warning in result.warnings)


def test_lsoas_in_a_zone_are_marked_left_out_of_groups_and_the_zone_scored(db):
    build_grid(rows=3, cols=3, ranks=lambda row, col: 100 + 10 * (row * 3 + col))
    # The zone is the grid's south-west LSOA and its east neighbour.
    ZoneFactory(name="Grid Zone", slug="grid-zone", boundary=square(WEST, SOUTH, 2 * WIDTH, HEIGHT))

    result = next_zone_rank(NextZoneParams(weights=weights(1, 0, 0), min_group=2, max_group=3))
    with_zoned = next_zone_rank(
        NextZoneParams(weights=weights(1, 0, 0), min_group=2, max_group=3, include_zoned=True)
    )

    zoned = {item.code for item in result.lsoas if item.zone is not None}
    assert zoned == {grid_code(0, 0), grid_code(0, 1)}
    assert not zoned & {code for group in result.groups for code in group.codes}
    assert zoned <= {code for group in with_zoned.groups for code in group.codes}
    (standing,) = result.zones
    assert standing.zone.slug == "grid-zone"
    assert standing.lsoa_ranks == [1, 2]
    assert standing.group_rank == 1  # better than every group left without it
    assert standing.score == pytest.approx(np.mean([1.0, 7 / 8]))


def test_map_features_cover_the_top_lsoas(db):
    from peoplezones.insight.next_zone import lsoa_map_features

    build_grid(rows=3, cols=3)
    make_lsoa("E01700000", lad="E06000016", decile=1, rank=1)
    store_counts(np.ones((1, 1)), ["E01700000"], months=[MONTH], point=grid_centre(2, 2))

    result = next_zone_rank(NextZoneParams(weights=weights(1, 0, 0)))
    features = lsoa_map_features(result, top=3, groups=0)["features"]

    assert len(features) == 3
    assert features[0]["properties"]["url"] == "#lsoa-E01700000"
    circle = features[0]["geometry"]["coordinates"][0]  # no boundary: a 250 m circle
    lon, lat = np.array(circle).T
    easting, northing = engine.lat_lon_to_bng(lat, lon)
    centre_e, centre_n = engine.lat_lon_to_bng(
        np.array([grid_centre(2, 2)[0]]), np.array([grid_centre(2, 2)[1]])
    )
    assert np.hypot(easting - centre_e, northing - centre_n) == pytest.approx(250, abs=1)
    assert features[1]["geometry"]["type"] in ("Polygon", "MultiPolygon")


# --- CSV and the command -------------------------------------------------------------------


def test_csv_of_lsoas_and_groups_parses_back(db):
    build_grid(ranks=lambda row, col: 100 + 37 * ((row * 7 + col * 3) % 16))
    result = next_zone_rank(NextZoneParams(min_group=3, max_group=4))
    lsoa_file, group_file = StringIO(), StringIO()

    write_lsoas_csv(result.lsoas, lsoa_file)
    write_groups_csv(result.groups, group_file)

    rows = list(csv.DictReader(StringIO(lsoa_file.getvalue())))
    assert list(rows[0]) == LSOA_COLUMNS
    assert len(rows) == 16
    for row, item in zip(rows, result.lsoas, strict=True):
        assert row["lsoa_code"] == item.code
        assert int(row["rank"]) == item.rank
        assert int(row["imd_rank"]) == item.imd_rank
        assert int(row["crimes"]) == item.crimes
        assert float(row["score"]) == pytest.approx(item.score, abs=1e-4)
        assert row["group"] == (str(item.group) if item.group else "")
    groups = list(csv.DictReader(StringIO(group_file.getvalue())))
    assert list(groups[0]) == GROUP_COLUMNS
    assert [row["lsoa_codes"].split(";") for row in groups] == [g.codes for g in result.groups]


def test_csv_cells_cannot_run_as_formulas(db):
    make_lsoa("E01800000", lad="E06000016", decile=1, rank=5, name="=HYPERLINK(1)")
    store_counts(np.ones((1, 1)), ["E01800000"], months=[MONTH])
    out = StringIO()

    write_lsoas_csv(next_zone_rank(NextZoneParams()).lsoas, out)

    assert "'=HYPERLINK(1)" in out.getvalue()


def test_next_zone_command_prints_zones_groups_and_lsoas(db):
    build_grid(rows=3, cols=3, ranks=lambda row, col: 100 + 10 * (row * 3 + col))
    ZoneFactory(name="Grid Zone", slug="grid-zone", boundary=square(WEST, SOUTH, 2 * WIDTH, HEIGHT))
    out = StringIO()

    call_command("next_zone", "--weights", "1", "0", "0", "--min-group", "2", stdout=out)

    text = out.getvalue()
    assert "9 LSOAs" in text
    assert "Grid Zone: mean score" in text
    assert "Top " in text
    assert "Grid 00 (E0150000)" in text


def test_next_zone_command_writes_csv_and_refuses_bad_weights(db):
    build_grid(rows=2, cols=2)
    out = StringIO()

    call_command("next_zone", "--csv", "lsoas", stdout=out)

    assert len(list(csv.DictReader(StringIO(out.getvalue())))) == 4
    with pytest.raises(CommandError, match="cannot be negative"):
        call_command("next_zone", "--weights", "-1", "1", "1", stdout=StringIO())
