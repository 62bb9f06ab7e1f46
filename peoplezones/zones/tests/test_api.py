from peoplezones.accounts.services import api_token_create
from peoplezones.core.testing import http_request
from peoplezones.zones.models import Zone
from peoplezones.zones.tests.factories import ThemeFactory, ZoneFactory


def test_zone_list_gives_themes_in_order(live_server):
    zone = ZoneFactory(name="Alpha", slug="alpha")
    ThemeFactory(zone=zone, title="Second", order=2)
    ThemeFactory(zone=zone, title="First", order=1)
    ZoneFactory(status=Zone.Status.PROPOSED)

    result = http_request(f"{live_server.url}/api/v1/zones")

    assert result.status == 200
    assert result.headers["Content-Type"].startswith("application/json")
    assert result.json() == [
        {
            "slug": "alpha",
            "name": "Alpha",
            "local_authority": zone.local_authority,
            "status": "active",
            "themes": [
                {"order": 1, "title": "First", "description": ""},
                {"order": 2, "title": "Second", "description": ""},
            ],
        }
    ]


def test_zone_detail_adds_boundary_and_bbox(live_server):
    zone = ZoneFactory()

    data = http_request(f"{live_server.url}/api/v1/zones/{zone.slug}").json()

    assert data["boundary"]["type"] == "MultiPolygon"
    lon, lat = data["boundary"]["coordinates"][0][0][0]
    assert -2 < lon < 0 < 52 < lat < 53  # RFC 7946: longitude first
    assert data["bbox"] == list(zone.bbox)


def test_unknown_zone_is_a_clear_404(live_server):
    result = http_request(f"{live_server.url}/api/v1/zones/atlantis")

    assert result.status == 404
    assert "atlantis" in result.json()["detail"]


def test_staff_token_sees_proposed_zones(live_server, programme_team_user):
    proposed = ZoneFactory(status=Zone.Status.PROPOSED)
    _, raw = api_token_create(user=programme_team_user, actor=None)

    public = http_request(f"{live_server.url}/api/v1/zones")
    staff = http_request(
        f"{live_server.url}/api/v1/zones", headers={"Authorization": f"Bearer {raw}"}
    )

    assert proposed.slug not in {z["slug"] for z in public.json()}
    assert proposed.slug in {z["slug"] for z in staff.json()}


def test_a_bad_token_is_refused_not_ignored(live_server):
    ZoneFactory()

    result = http_request(
        f"{live_server.url}/api/v1/zones", headers={"Authorization": "Bearer pz_wrong"}
    )

    assert result.status == 401
    assert result.headers["WWW-Authenticate"].startswith("Bearer")
    assert "unknown or revoked" in result.json()["detail"]


def test_zone_list_query_count_does_not_grow_with_zones(client, db, django_assert_max_num_queries):
    for _ in range(5):
        ThemeFactory(zone=ZoneFactory())

    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/zones")

    assert len(response.json()) == 5
