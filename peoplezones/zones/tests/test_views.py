import json

from django.urls import reverse

from peoplezones.zones.models import Zone
from peoplezones.zones.tests.factories import ResearchReportFactory, ThemeFactory, ZoneFactory


def test_home_explains_the_programme_and_links_into_each_zone(
    client, db, django_assert_max_num_queries
):
    zones = [ZoneFactory() for _ in range(3)]
    for zone in zones:
        ThemeFactory(zone=zone)

    with django_assert_max_num_queries(4):
        response = client.get("/")

    content = response.content.decode()
    assert (
        "Asset Based Community Development" in content
        or "asset based community development" in content
    )
    for zone in zones:
        assert zone.get_absolute_url() in content
    assert len(response.context["map_data"]["features"]) == 3


def test_zone_page_shows_boundary_authority_themes_and_research(
    client, zone, django_assert_max_num_queries
):
    ThemeFactory(zone=zone, title="Pride of Place", order=2)
    ThemeFactory(zone=zone, title="Community Safety", order=1)
    ResearchReportFactory(zone=zone, title="The research report")

    with django_assert_max_num_queries(4):
        response = client.get(zone.get_absolute_url())

    content = response.content.decode()
    assert response.status_code == 200
    assert zone.local_authority in content
    assert content.index("Community Safety") < content.index("Pride of Place")
    assert "The research report" in content
    assert 'id="zone-map-data"' in content
    assert reverse("zones:zone-boundary", kwargs={"slug": zone.slug}) in content
    assert "coming soon" not in content.lower()


def test_zone_page_without_boundary_has_no_map_and_no_boundary_link(client, db):
    zone = ZoneFactory(boundary=None, min_lon=None, min_lat=None, max_lon=None, max_lat=None)

    content = client.get(zone.get_absolute_url()).content.decode()

    assert 'id="zone-map-data"' not in content
    assert "boundary.geojson" not in content


def test_unknown_zone_is_404(client, db):
    response = client.get("/zones/atlantis/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_proposed_zone_is_hidden_from_the_public(client, programme_team_user):
    zone = ZoneFactory(status=Zone.Status.PROPOSED)

    assert client.get(zone.get_absolute_url()).status_code == 404
    client.force_login(programme_team_user)
    assert client.get(zone.get_absolute_url()).status_code == 200


def test_boundary_download_is_a_geojson_feature(client, zone):
    response = client.get(reverse("zones:zone-boundary", kwargs={"slug": zone.slug}))

    assert response["Content-Type"] == "application/geo+json"
    feature = json.loads(response.content)
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["properties"]["slug"] == zone.slug
