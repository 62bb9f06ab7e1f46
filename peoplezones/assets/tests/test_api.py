import pytest
from django.core.cache import cache

from peoplezones.accounts.services import api_token_create
from peoplezones.assets.models import Asset
from peoplezones.assets.tests.factories import AssetFactory, CategoryFactory, EventFactory
from peoplezones.core.testing import http_request

NEW_ASSET = {
    "name": "Thringstone Community Larder",
    "categories": ["food-banks"],
    "latitude": 52.752,
    "longitude": -1.372,
    "contributor_name": "Secret Contributor",
    "contributor_email": "secret.contributor@example.net",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits_and_categories(db):
    cache.clear()
    # Live-server tests empty the database between tests, taking the seeded taxonomy with it.
    CategoryFactory(slug="food-banks", name="Food banks")


def test_assets_are_geojson_with_lon_lat_order_and_pagination(live_server, zone):
    for i in range(5):
        AssetFactory(name=f"Group {i}", zone=zone, latitude=52.638, longitude=-1.185 + i / 10000)

    first = http_request(f"{live_server.url}/api/v1/assets?zone={zone.slug}&page_size=2").json()

    assert first["type"] == "FeatureCollection"
    assert first["count"] == 5
    assert first["previous"] is None
    assert "page=2" in first["next"]
    assert first["features"][0]["geometry"] == {"type": "Point", "coordinates": [-1.185, 52.638]}
    last = http_request(first["next"].replace("page=2", "page=3")).json()
    assert last["next"] is None
    assert len(last["features"]) == 1


def test_sensitive_assets_show_no_point_and_no_address(live_server):
    AssetFactory(sensitive=True, address="Secret Street", postcode="LE3 9EG")

    feature = http_request(f"{live_server.url}/api/v1/assets").json()["features"][0]

    assert feature["geometry"] is None
    assert feature["properties"]["address"] == ""
    assert feature["properties"]["postcode"] == "LE3"
    assert "Secret Street" not in str(feature)


def test_contributor_details_never_appear(live_server):
    AssetFactory(contributor_name="Private Person", contributor_email="private@example.net")

    body = http_request(f"{live_server.url}/api/v1/assets").body.decode()

    assert "Private Person" not in body
    assert "private@example.net" not in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("bbox=1,2,3", "four numbers"),
        ("bbox=a,b,c,d", "not a number"),
        ("bbox=-1.1,52.7,-1.2,52.6", "greater"),
        ("category=no-such", "no category"),
        ("zone=atlantis", "no zone"),
    ],
)
def test_bad_filters_get_a_clear_400(live_server, query, message):
    result = http_request(f"{live_server.url}/api/v1/assets?{query}")

    assert result.status == 400
    assert message in result.json()["detail"].lower() or message in result.json()["detail"]


def test_page_size_is_capped(live_server):
    result = http_request(f"{live_server.url}/api/v1/assets?page_size=501")

    assert result.status == 422


def test_public_contribution_is_pending_and_not_public(live_server, zone):
    result = http_request(f"{live_server.url}/api/v1/assets", method="POST", data=NEW_ASSET)

    assert result.status == 201
    assert result.json()["status"] == "pending"
    asset = Asset.objects.get(pk=result.json()["id"])
    assert asset.contributor_email == "secret.contributor@example.net"
    assert http_request(f"{live_server.url}/api/v1/assets/{asset.pk}").status == 404


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"latitude": -1.372, "longitude": 52.752}, 400),
        ({"name": ""}, 422),
        ({"categories": ["unicorns"]}, 400),
        ({"asset_class": "individual"}, 422),
    ],
)
def test_bad_contributions_are_refused_and_nothing_saved(live_server, change, status):
    result = http_request(
        f"{live_server.url}/api/v1/assets", method="POST", data={**NEW_ASSET, **change}
    )

    assert result.status == status
    assert result.json()["detail"]
    assert not Asset.objects.exists()


def test_contributions_are_rate_limited_per_address(live_server, settings):
    settings.PUBLIC_CONTRIBUTION_RATE = "2/h"

    statuses = [
        http_request(f"{live_server.url}/api/v1/assets", method="POST", data=NEW_ASSET).status
        for _ in range(3)
    ]

    assert statuses == [201, 201, 429]
    assert Asset.objects.count() == 2


def test_moderator_publishes_with_a_token(live_server, moderator, user):
    asset = AssetFactory(status="pending")
    _, moderator_token = api_token_create(user=moderator, actor=None)
    _, user_token = api_token_create(user=user, actor=None)
    url = f"{live_server.url}/api/v1/assets/{asset.pk}/moderate"

    refused = http_request(
        url,
        method="POST",
        data={"action": "approve"},
        headers={"Authorization": f"Bearer {user_token}"},
    )
    anonymous = http_request(url, method="POST", data={"action": "approve"})
    done = http_request(
        url,
        method="POST",
        data={"action": "approve"},
        headers={"Authorization": f"Bearer {moderator_token}"},
    )
    again = http_request(
        url,
        method="POST",
        data={"action": "approve"},
        headers={"Authorization": f"Bearer {moderator_token}"},
    )

    assert refused.status in {403, 404}
    assert anonymous.status == 401
    assert done.json() == {"id": asset.pk, "status": "published"}
    assert again.status == 400
    assert "published" in again.json()["detail"]


def test_events_list_upcoming_occurrences(live_server, zone):
    EventFactory(title="Coffee morning", asset=AssetFactory(zone=zone), zone=zone)
    EventFactory(title="Pending", status="pending", zone=zone)

    events = http_request(f"{live_server.url}/api/v1/events?zone={zone.slug}").json()

    assert [e["title"] for e in events] == ["Coffee morning"]
    assert "contributor" not in str(events)


def test_event_contribution_is_pending(live_server, zone):
    data = {
        "title": "Litter pick",
        "latitude": 52.638,
        "longitude": -1.185,
        "start": "2030-05-01T10:00:00+01:00",
        "end": "2030-05-01T12:00:00+01:00",
    }

    result = http_request(f"{live_server.url}/api/v1/events", method="POST", data=data)
    bad = http_request(
        f"{live_server.url}/api/v1/events",
        method="POST",
        data={**data, "end": "2030-05-01T09:00:00+01:00"},
    )

    assert result.status == 201
    assert result.json()["status"] == "pending"
    assert bad.status == 400
    assert "end after it starts" in bad.json()["detail"]


def test_asset_list_endpoint_query_count(client, db, django_assert_max_num_queries):
    category = CategoryFactory()
    for _ in range(20):
        AssetFactory(categories=[category])

    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/assets?page_size=500")

    assert len(response.json()["features"]) == 20
