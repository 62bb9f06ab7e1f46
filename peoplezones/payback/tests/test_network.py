"""The walking network: importing an OpenStreetMap extract (the West Oakland test extract, see
tests/data/README.md), refusing files that cannot be used, and qualifying sites on it."""

import bz2
import gzip
import io
import math
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from peoplezones.core import geo
from peoplezones.core.models import AuditEvent
from peoplezones.payback import rules
from peoplezones.payback.models import WalkNetwork
from peoplezones.payback.osm import read_walk_network
from peoplezones.payback.selectors import network_graph, payback_plan
from peoplezones.payback.tests.factories import PaybackSiteFactory, WelfareFacilityFactory

DATA = Path(__file__).parent / "data"
OAKLAND = DATA / "West-Oakland.osm.bz2"
ALWAYS = {"opening_hours": [], "always_open": True}
# Both ends of 9th Street, a straight residential street (OSM way 6338259).
NINTH_WEST = (37.810848, -122.3033067)
NINTH_EAST = (37.8089334, -122.2995085)
# A block apart: 132 m as the crow flies, 391 m round the block on foot.
BLOCK_A = (37.8073597, -122.2989405)
BLOCK_B = (37.8062864, -122.2995784)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_walk_network", *map(str, args), stdout=out, stderr=err)
    return out.getvalue()


def osm_file(tmp_path, body: str, name="extract.osm") -> Path:
    path = tmp_path / name
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n" + body + "\n</osm>\n"
    )
    return path


TWO_NODES = (
    '<node id="1" lat="52.6380" lon="-1.1850"/>\n<node id="2" lat="52.6390" lon="-1.1850"/>\n'
)
THREE_NODES = TWO_NODES + '<node id="3" lat="52.6400" lon="-1.1850"/>\n'


def way(tags: dict[str, str], refs=(1, 2), way_id=10) -> str:
    nds = "".join(f'<nd ref="{ref}"/>' for ref in refs)
    tag_xml = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
    return f'<way id="{way_id}">{nds}{tag_xml}</way>'


# --- reading ---------------------------------------------------------------------------------


def test_the_oakland_extract_keeps_only_walkable_ways():
    network = read_walk_network(OAKLAND)

    stats = network.stats
    assert (stats["nodes_read"], stats["ways_read"], stats["ways_walkable"]) == (446, 66, 30)
    assert stats["ways_by_highway"] == {
        "cycleway": 1,
        "footway": 7,
        "residential": 9,
        "secondary": 5,
        "service": 5,
        "unclassified": 3,
    }
    # Part of Wood Street is a private service road.
    assert stats["ways_excluded"] == {"access=private": 1}
    assert (stats["nodes"], stats["edges"]) == (195, 207)
    assert stats["length_m"] == pytest.approx(8110.8, abs=0.1)
    # Every edge is the great-circle distance between its nodes.
    a, b = network.edge_from[0], network.edge_to[0]
    assert network.length[0] == pytest.approx(
        geo.haversine_m(
            lat1=network.lat[a], lon1=network.lon[a], lat2=network.lat[b], lon2=network.lon[b]
        )
    )


@pytest.mark.parametrize(
    ("tags", "walkable"),
    [
        ({"highway": "footway", "footway": "sidewalk"}, True),
        ({"highway": "steps"}, True),
        ({"highway": "bridleway"}, True),
        ({"highway": "residential", "foot": "no"}, False),
        ({"highway": "service", "access": "private"}, False),
        ({"highway": "track", "access": "private", "foot": "designated"}, True),
        ({"highway": "motorway"}, False),
        ({"highway": "trunk"}, False),
        ({"building": "yes"}, False),
    ],
)
def test_which_ways_are_walkable(tmp_path, tags, walkable):
    path = osm_file(tmp_path, THREE_NODES + way(tags) + way({"highway": "path"}, (2, 3), 11))

    stats = read_walk_network(path).stats

    assert stats["ways_walkable"] == (2 if walkable else 1)
    assert stats["edges"] == (2 if walkable else 1)


def test_ways_cut_at_the_edge_of_the_extract_keep_what_is_there(tmp_path):
    path = osm_file(tmp_path, TWO_NODES + way({"highway": "path"}, (1, 2, 99)))

    network = read_walk_network(path)

    assert network.stats["missing_node_refs"] == 1
    assert network.stats["edges"] == 1
    assert network.stats["length_m"] == pytest.approx(111.2, abs=0.1)


# --- the command -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_stores_the_network_once():
    output = run(OAKLAND)

    assert "446 nodes and 66 ways read; 30 walkable ways kept." in output
    assert "195 nodes, 207 edges, 8.1 km of walkable ways" in output
    assert "Left out (no walking allowed): access=private 1." in output
    network = WalkNetwork.objects.get()
    assert (network.name, network.node_count, network.edge_count) == (OAKLAND.name, 195, 207)
    assert AuditEvent.objects.filter(verb="payback.network_imported").count() == 1
    graph = network_graph(network)
    assert graph.node_count == 195
    assert network.min_lat == pytest.approx(37.8056289)

    again = run(OAKLAND)

    assert "already the walking network" in again
    assert WalkNetwork.objects.get().pk == network.pk
    assert AuditEvent.objects.filter(verb="payback.network_imported").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_import_reads_plain_and_gzipped_osm(tmp_path, kind):
    xml = bz2.decompress(OAKLAND.read_bytes())
    path = tmp_path / ("extract.osm" if kind == "plain" else "extract.osm.gz")
    path.write_bytes(xml if kind == "plain" else gzip.compress(xml))

    run(path, "--name", "West Oakland")

    network = WalkNetwork.objects.get()
    assert (network.name, network.edge_count) == ("West Oakland", 207)


@pytest.mark.django_db
def test_a_new_file_replaces_the_network_and_a_dry_run_stores_nothing(tmp_path):
    run(OAKLAND)
    small = osm_file(tmp_path, TWO_NODES + way({"highway": "footway"}))

    assert "Dry run: nothing was stored." in run(small, "--dry-run")
    assert WalkNetwork.objects.get().edge_count == 207

    run(small)
    assert WalkNetwork.objects.get().edge_count == 1


def _refused(path, message):
    with pytest.raises(CommandError, match=message):
        run(path)


@pytest.mark.django_db
def test_a_file_with_no_walkable_ways_is_refused_and_the_old_network_kept(tmp_path):
    run(OAKLAND)
    buildings = osm_file(
        tmp_path,
        TWO_NODES
        + way({"building": "yes"})
        + way({"highway": "motorway"}, way_id=11)
        + way({"highway": "footway", "foot": "no"}, way_id=12),
    )

    _refused(buildings, r"has no walkable ways \(of 3 ways and 2 nodes.*Nothing was imported")
    assert WalkNetwork.objects.get().edge_count == 207


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("crimes.csv", b"Crime ID,Month\n1,2021-01\n", "is not an OpenStreetMap XML file"),
        (
            "route.gpx",
            b'<?xml version="1.0"?><gpx><trk/></gpx>',
            "root element is <gpx>, not <osm>",
        ),
        ("map.osm.pbf", b"\x00\x00\x00\x0d\n\tOSMHeader\x18", "OpenStreetMap PBF file"),
        ("map.zip", b"PK\x03\x04rest-of-zip", "ZIP archive"),
        ("empty.osm", b"", "is empty"),
        ("bad.osm.bz2", b"BZh9 this is not bzip2 at all", "damaged or cut short"),
    ],
)
def test_files_of_another_format_are_refused(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    _refused(path, message)
    assert not WalkNetwork.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("compressed", [True, False])
def test_a_truncated_file_is_refused(tmp_path, compressed):
    data = OAKLAND.read_bytes() if compressed else bz2.decompress(OAKLAND.read_bytes())
    path = tmp_path / ("cut.osm.bz2" if compressed else "cut.osm")
    path.write_bytes(data[: len(data) * 2 // 3])

    _refused(path, "damaged or cut short.*Nothing was imported")
    assert not WalkNetwork.objects.exists()


@pytest.mark.django_db
def test_broken_elements_are_named_and_nothing_is_stored(tmp_path):
    path = osm_file(
        tmp_path,
        '<node id="1" lat="52.6380" lon="-1.1850"/><node id="2" lat="north" lon="-1.1850"/>'
        + way({"highway": "path"}),
    )

    _refused(path, "node 2 has a missing or broken id, latitude or longitude")
    assert not WalkNetwork.objects.exists()


@pytest.mark.django_db
def test_a_missing_file_is_refused(tmp_path):
    _refused(tmp_path / "nowhere.osm", "There is no file")


# --- qualifying on the network ---------------------------------------------------------------


@pytest.fixture
def oakland(db):
    run(OAKLAND)


def _plan(user, rule=None):
    return {
        row.site.name: row.verdict
        for row in payback_plan(user=user, rule=rule or rules.Rule()).rows
    }


def test_walking_along_a_straight_street_takes_as_long_as_the_crow_flies(
    oakland, programme_team_user
):
    WelfareFacilityFactory(name="Hall", latitude=NINTH_EAST[0], longitude=NINTH_EAST[1], **ALWAYS)
    PaybackSiteFactory(name="9th Street", latitude=NINTH_WEST[0], longitude=NINTH_WEST[1])

    verdict = _plan(programme_team_user)["9th Street"]

    reach = verdict.sessions[0].nearest
    assert verdict.on_network
    assert verdict.snap_m == pytest.approx(0, abs=0.01)
    assert reach.straight_m == pytest.approx(395.8, abs=0.1)
    assert reach.straight_m <= reach.network_m <= 1.02 * reach.straight_m
    assert 4.5 < reach.network_m / 80 < 5.5  # about five minutes at 80 m a minute
    assert verdict.qualifies


def test_a_block_away_in_a_straight_line_is_further_on_foot(oakland, programme_team_user):
    WelfareFacilityFactory(name="Hall", latitude=BLOCK_B[0], longitude=BLOCK_B[1], **ALWAYS)
    PaybackSiteFactory(name="Corner", latitude=BLOCK_A[0], longitude=BLOCK_A[1])
    three_minutes = rules.Rule(minutes=3)  # 240 m

    verdict = _plan(programme_team_user, three_minutes)["Corner"]

    reach = verdict.sessions[0].nearest
    assert reach.straight_m == pytest.approx(132, abs=1)
    assert reach.network_m == pytest.approx(391, abs=2)
    assert not verdict.qualifies
    assert verdict.reasons == [
        "Tuesday 10:00–13:00: the nearest open facility, Hall, is 4.9 minutes away (391 m on "
        "foot); the limit is 3 minutes."
    ]
    assert _plan(programme_team_user, rules.Rule(minutes=5))["Corner"].qualifies


def test_the_network_walk_is_never_shorter_than_the_straight_line(oakland, programme_team_user):
    graph = network_graph(WalkNetwork.objects.get())
    rng = np.random.default_rng(7)
    lat = rng.uniform(37.8062, 37.8091, 12)
    lon = rng.uniform(-122.3025, -122.2983, 12)
    for i in range(3):
        WelfareFacilityFactory(name=f"F{i}", latitude=lat[i], longitude=lon[i], **ALWAYS)
    for i in range(3, 12):
        PaybackSiteFactory(name=f"S{i}", latitude=lat[i], longitude=lon[i])

    plan = _plan(programme_team_user)

    assert len(plan) == 9
    for verdict in plan.values():
        reach = verdict.sessions[0].nearest
        assert verdict.on_network
        assert reach.network_m >= reach.straight_m - 1e-6
        # The walk starts with the snap from the site to its nearest node.
        _node, snap = graph.snap(lat=verdict.site.lat, lon=verdict.site.lon)
        assert verdict.snap_m == pytest.approx(snap)
        assert reach.network_m >= snap


def test_a_site_off_the_network_keeps_the_straight_line(oakland, programme_team_user):
    WelfareFacilityFactory(name="Hall", latitude=NINTH_EAST[0], longitude=NINTH_EAST[1], **ALWAYS)
    # In the bay, about 1 km west of the extract.
    PaybackSiteFactory(name="Pier", latitude=37.8085, longitude=-122.320)

    verdict = _plan(programme_team_user)["Pier"]

    assert not verdict.on_network
    assert verdict.sessions[0].nearest.network_m is None
    assert "in a straight line" in verdict.reasons[0]


def test_opening_hours_still_decide_on_the_network(oakland, programme_team_user):
    WelfareFacilityFactory(name="Hall", latitude=NINTH_EAST[0], longitude=NINTH_EAST[1])
    PaybackSiteFactory(
        name="9th Street",
        latitude=NINTH_WEST[0],
        longitude=NINTH_WEST[1],
        sessions=[(5, "09:00", "12:00")],
    )

    verdict = _plan(programme_team_user)["9th Street"]

    assert verdict.reasons == [
        "Saturday 09:00–12:00: no facility with toilets and water is open all through it."
    ]


def test_the_reachable_area_is_the_network_within_the_limit(oakland, programme_team_user):
    WelfareFacilityFactory(name="Hall", latitude=NINTH_EAST[0], longitude=NINTH_EAST[1], **ALWAYS)

    plan = payback_plan(user=programme_team_user, rule=rules.Rule(minutes=2))  # 160 m

    reach = [f for f in plan.map_data["features"] if f["properties"]["kind"] == "reach"]
    assert len(reach) == 1
    lines = reach[0]["geometry"]["coordinates"]
    length = sum(geo.haversine_m(lat1=a[1], lon1=a[0], lat2=b[1], lon2=b[0]) for a, b in lines)
    # Every stretch ends within 160 m of the hall (as the crow flies, a lower bound of the
    # walk), give or take the rounding of coordinates to 6 decimals (about 0.1 m).
    for line in lines:
        for lon, lat in line:
            assert (
                geo.haversine_m(lat1=lat, lon1=lon, lat2=NINTH_EAST[0], lon2=NINTH_EAST[1]) <= 160.2
            )
    # Streets and footpaths branch off from the hall: more than one stretch of 160 m.
    assert 160 < length < 8110
    assert not math.isnan(length)


@pytest.mark.django_db
def test_walkable_ways_without_their_nodes_are_refused(tmp_path):
    path = osm_file(tmp_path, TWO_NODES + way({"highway": "footway"}, (7, 8)))

    _refused(path, r"has walkable ways \(1\) but not the nodes they go through")
    assert not WalkNetwork.objects.exists()
