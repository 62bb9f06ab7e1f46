"""The in-memory index of the public asset map says exactly what the database says."""

import random
from urllib.parse import urlencode

import pytest
from django.core.cache import caches

from peoplezones.accounts.services import api_token_create
from peoplezones.assets import feature_index
from peoplezones.assets.feature_cache import CACHE_ALIAS
from peoplezones.assets.models import Asset, Flag, PublicDataVersion
from peoplezones.assets.services import asset_update
from peoplezones.assets.tests.factories import AssetFactory, CategoryFactory, FlagFactory
from peoplezones.zones.tests.factories import ZoneFactory


@pytest.fixture(autouse=True)
def _nothing_remembered():
    caches[CACHE_ALIAS].clear()
    feature_index.forget()
    yield
    feature_index.forget()


@pytest.fixture
def mixed_map(db):
    """~150 assets of every kind the public may or may not see, in two zones and a tree of
    categories, with names that repeat (so the order by name, then id, matters)."""
    rng = random.Random(7)
    food = CategoryFactory(slug="food", name="Food")
    banks = CategoryFactory(slug="food-banks", name="Food banks", parent=food)
    youth = CategoryFactory(slug="youth", name="Youth")
    zones = [ZoneFactory(slug="west"), ZoneFactory(slug="east"), None]
    statuses = ["published"] * 6 + ["pending", "draft", "archived"]
    for i in range(150):
        asset = AssetFactory(
            name=rng.choice(["Hub", "Larder", "Club", "Café Ünïcode", f"Group {i}"]),
            latitude=rng.uniform(52.55, 52.75),
            longitude=rng.uniform(-1.3, -1.0),
            zone=rng.choice(zones),
            status=rng.choice(statuses),
            sensitive=rng.random() < 0.1,
            do_not_display=rng.random() < 0.05,
            asset_class=rng.choice(["association", "individual", "physical_space"]),
            categories=rng.sample([food, banks, youth], rng.randint(0, 2)),
        )
        if rng.random() < 0.1:
            FlagFactory(asset=asset, status=rng.choice([Flag.Status.OPEN, Flag.Status.RESOLVED]))
    return rng


def _query_strings(rng, count):
    queries = [
        {},
        {"page_size": 500},
        {"zone": "west"},
        {"category": "food"},
        {"category": "food-banks", "zone": "east"},
        {"bbox": "-1.3,52.55,-1.0,52.75", "page_size": 7, "page": 3},
        {"bbox": "-1.3,52.55,-1.0,52.75", "page": 99},
        {"bbox": "-0.5,51.0,-0.4,51.1"},
    ]
    for _ in range(count):
        lat1, lat2 = sorted(rng.uniform(52.5, 52.8) for _ in range(2))
        lon1, lon2 = sorted(rng.uniform(-1.35, -0.95) for _ in range(2))
        query = {"bbox": f"{lon1},{lat1},{lon2},{lat2}", "page_size": rng.choice([3, 10, 500])}
        query["page"] = rng.randint(1, 3)
        if rng.random() < 0.3:
            query["zone"] = rng.choice(["west", "east"])
        if rng.random() < 0.3:
            query["category"] = rng.choice(["food", "food-banks", "youth"])
        queries.append(query)
    return [urlencode(query) for query in queries]


def test_index_answers_equal_database_answers_byte_for_byte(client, mixed_map, settings):
    settings.ASSET_MAP_CACHE_ENTRIES = 0
    for query in _query_strings(mixed_map, 40):
        settings.ASSET_MAP_INDEX = False
        caches[CACHE_ALIAS].clear()
        from_database = client.get(f"/api/v1/assets?{query}")
        settings.ASSET_MAP_INDEX = True
        caches[CACHE_ALIAS].clear()
        from_index = client.get(f"/api/v1/assets?{query}")

        assert from_index.status_code == from_database.status_code == 200, query
        assert from_index.content == from_database.content, query
    assert feature_index._current is not None  # the answers above did come from it


def test_bbox_answers_from_the_index_equal_a_brute_force_filter(client, mixed_map):
    public = [
        asset
        for asset in Asset.objects.filter(status="published", do_not_display=False)
        if asset.asset_class != "individual"
    ]
    for _ in range(25):
        lat1, lat2 = sorted(mixed_map.uniform(52.5, 52.8) for _ in range(2))
        lon1, lon2 = sorted(mixed_map.uniform(-1.35, -0.95) for _ in range(2))
        caches[CACHE_ALIAS].clear()
        answer = client.get(f"/api/v1/assets?bbox={lon1},{lat1},{lon2},{lat2}&page_size=500")

        expected = sorted(
            (a.name, a.pk)
            for a in public
            if not a.sensitive and lat1 <= a.latitude <= lat2 and lon1 <= a.longitude <= lon2
        )
        found = [(f["properties"]["name"], f["id"]) for f in answer.json()["features"]]
        assert found == expected
        assert answer.json()["count"] == len(expected)


def test_a_warm_index_answers_with_one_query(client, db, django_assert_num_queries, settings):
    settings.ASSET_MAP_CACHE_ENTRIES = 0
    caches[CACHE_ALIAS].clear()
    AssetFactory.create_batch(3, categories=[CategoryFactory()])
    client.get("/api/v1/assets?bbox=-1.3,52.5,-1.0,52.8")
    caches[CACHE_ALIAS].clear()

    with django_assert_num_queries(1):  # the data version only
        answer = client.get("/api/v1/assets?bbox=-1.25,52.55,-1.05,52.75&page_size=2")

    assert answer.json()["count"] == 3
    assert len(answer.json()["features"]) == 2


def test_every_change_to_public_data_rebuilds_the_index(client, moderator):
    asset = AssetFactory(name="Old name")
    client.get("/api/v1/assets")
    built = feature_index._current

    asset_update(actor=moderator, asset=asset, fields={"name": "New name"})
    names = [f["properties"]["name"] for f in client.get("/api/v1/assets").json()["features"]]

    assert names == ["New name"]
    assert feature_index._current is not built
    assert feature_index._current.key[1] == PublicDataVersion.current()


def test_text_search_and_moderators_go_to_the_database(client, moderator, zone):
    AssetFactory(name="Published larder", zone=zone)
    AssetFactory(name="Pending larder", zone=zone, status="pending")
    _, token = api_token_create(actor=moderator, user=moderator, name="map")

    searched = client.get("/api/v1/assets?q=larder").json()
    moderated = client.get(
        "/api/v1/assets?zone=" + zone.slug, headers={"authorization": f"Bearer {token}"}
    ).json()

    assert [f["properties"]["name"] for f in searched["features"]] == ["Published larder"]
    assert {f["properties"]["name"] for f in moderated["features"]} == {
        "Published larder",
        "Pending larder",
    }
    assert feature_index._current is None  # neither question built the index


def test_the_index_holds_no_private_details(client, db):
    AssetFactory(
        name="Refuge",
        sensitive=True,
        address="1 Secret Street",
        contributor_name="Hidden Name",
        contributor_email="hidden@example.net",
    )
    FlagFactory(asset=AssetFactory(), reporter_email="reporter@example.net")
    client.get("/api/v1/assets")

    held = b"".join(feature_index._current.features)
    for private in [b"Secret Street", b"Hidden Name", b"hidden@example.net", b"reporter@"]:
        assert private not in held
    assert b'"Refuge"' in held
    assert b'"geometry":null' in held


def test_without_a_version_row_the_index_is_not_used(client, db):
    AssetFactory(name="Library")
    PublicDataVersion.objects.all().delete()

    names = [f["properties"]["name"] for f in client.get("/api/v1/assets").json()["features"]]

    assert names == ["Library"]
    assert feature_index._current is None


def test_a_box_includes_assets_on_its_edges(client, db):
    for name, lat, lon in [
        ("South-west corner", 52.6, -1.2),
        ("North-east corner", 52.7, -1.1),
        ("Just outside", 52.7000001, -1.15),
    ]:
        AssetFactory(name=name, latitude=lat, longitude=lon)

    features = client.get("/api/v1/assets?bbox=-1.2,52.6,-1.1,52.7").json()["features"]

    assert [f["properties"]["name"] for f in features] == ["North-east corner", "South-west corner"]
