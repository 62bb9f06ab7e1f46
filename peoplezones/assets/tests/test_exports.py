import csv
import io
import json
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from django.urls import reverse

from peoplezones.assets.models import Asset
from peoplezones.assets.tests.factories import AssetFactory, CategoryFactory
from peoplezones.zones.tests.factories import ZoneFactory

KML = "{http://www.opengis.net/kml/2.2}"
FORMATS = ["geojson", "csv", "kml"]
DOCUMENTED_COLUMNS = [
    "id",
    "uuid",
    "name",
    "description",
    "asset_class",
    "categories",
    "zone",
    "latitude",
    "longitude",
    "address",
    "postcode",
    "phone",
    "email",
    "website",
    "opening_hours",
    "accessibility",
    "languages",
    "last_verified",
    "url",
]


@pytest.fixture
def dataset(zone):
    health = CategoryFactory(name="Health test", slug="health-test")
    mental = CategoryFactory(name="Mental health test", slug="mental-health-test", parent=health)
    sport = CategoryFactory(name="Sport test", slug="sport-test")
    library = AssetFactory(
        zone=zone,
        name="New Parks Library",
        asset_class=Asset.AssetClass.INSTITUTION,
        categories=[mental],
        opening_hours=[
            {"day": 0, "opens": "09:00", "closes": "17:00"},
            {"day": 1, "opens": "09:00", "closes": "17:00"},
            {"day": 5, "opens": "10:00", "closes": "12:00"},
        ],
        phone="0116 000 0000",
        email="library@example.org",
        website="https://library.example.org/",
        languages="English, Urdu",
    )
    club = AssetFactory(
        zone=zone,
        name='=HYPERLINK("https://evil.example/","Click")',
        description="<script>alert(1)</script> Football & more",
        categories=[sport],
        phone="+44 116 000 0001",
        latitude=52.6385,
        longitude=-1.1855,
    )
    refuge = AssetFactory(
        zone=zone,
        name="Safe House",
        sensitive=True,
        address="12 Secret Street, Leicester",
        postcode="LE3 1AB",
        latitude=52.6391,
        longitude=-1.1871,
        categories=[health],
    )
    garden = AssetFactory(
        zone=ZoneFactory(), name="Other Zone Garden", latitude=52.7, longitude=-1.3
    )
    private = [
        AssetFactory(zone=zone, name="Pending Place", status=Asset.Status.PENDING),
        AssetFactory(zone=zone, name="Hidden Place", do_not_display=True),
        AssetFactory(zone=zone, name="Jo Joinery Skills", asset_class=Asset.AssetClass.INDIVIDUAL),
    ]
    return SimpleNamespace(
        zone=zone, library=library, club=club, refuge=refuge, garden=garden, private=private
    )


def _zone_export(client, zone, fmt):
    return client.get(reverse("assets:export-zone", kwargs={"slug": zone.slug, "fmt": fmt}))


def _rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _kml_placemarks(response):
    # Parsing our own output, not untrusted XML.
    root = ET.fromstring(response.content)  # noqa: S314
    return root.findall(f"{KML}Document/{KML}Placemark")


def test_asset_export_geojson_is_a_feature_collection_in_lon_lat_order(client, dataset):
    response = _zone_export(client, dataset.zone, "geojson")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{dataset.zone.slug}-assets.geojson"'
    )
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    features = {feature["properties"]["name"]: feature for feature in collection["features"]}
    assert set(features) == {dataset.library.name, dataset.club.name, dataset.refuge.name}
    assert features["New Parks Library"]["geometry"] == {
        "type": "Point",
        "coordinates": [-1.185, 52.638],
    }
    assert features["Safe House"]["geometry"] is None
    assert features["Safe House"]["properties"]["address"] == ""
    assert features["New Parks Library"]["properties"]["url"].startswith("http://testserver/")


def test_asset_export_csv_has_the_documented_columns_and_a_bom(client, dataset):
    response = _zone_export(client, dataset.zone, "csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="{dataset.zone.slug}-assets.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == DOCUMENTED_COLUMNS
    rows = {row["uuid"]: row for row in _rows(response)}
    assert set(rows) == {str(a.uuid) for a in (dataset.library, dataset.club, dataset.refuge)}
    library = rows[str(dataset.library.uuid)]
    assert library["latitude"] == "52.638"
    assert library["longitude"] == "-1.185"
    assert library["categories"] == "mental-health-test"
    assert library["zone"] == dataset.zone.slug
    assert library["opening_hours"] == "Mon 09:00-17:00; Tue 09:00-17:00; Sat 10:00-12:00"
    assert library["languages"] == "English; Urdu"
    assert library["url"] == f"http://testserver/assets/{dataset.library.pk}/"
    refuge = rows[str(dataset.refuge.uuid)]
    assert (refuge["latitude"], refuge["longitude"], refuge["address"]) == ("", "", "")
    assert refuge["postcode"] == "LE3"


def test_asset_export_csv_neutralises_spreadsheet_formulas(client, dataset):
    rows = {row["uuid"]: row for row in _rows(_zone_export(client, dataset.zone, "csv"))}

    club = rows[str(dataset.club.uuid)]
    assert club["name"] == "'" + dataset.club.name
    assert club["phone"] == "'+44 116 000 0001"
    assert club["longitude"] == "-1.1855"


def test_asset_export_kml_has_a_placemark_for_each_located_asset(client, dataset):
    response = _zone_export(client, dataset.zone, "kml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.google-earth.kml+xml"
    assert (
        response["Content-Disposition"] == f'attachment; filename="{dataset.zone.slug}-assets.kml"'
    )
    placemarks = {p.findtext(f"{KML}name"): p for p in _kml_placemarks(response)}
    assert set(placemarks) == {dataset.library.name, dataset.club.name}
    library = placemarks[dataset.library.name]
    assert library.findtext(f"{KML}Point/{KML}coordinates") == "-1.185,52.638"
    description = placemarks[dataset.club.name].findtext(f"{KML}description")
    assert "<script>" not in description
    assert description == "&lt;script&gt;alert(1)&lt;/script&gt; Football &amp; more"


def test_asset_export_for_all_zones_includes_every_zone(client, dataset):
    response = client.get(reverse("assets:export-all", kwargs={"fmt": "geojson"}))

    assert response["Content-Disposition"] == 'attachment; filename="all-zones-assets.geojson"'
    names = {f["properties"]["name"] for f in json.loads(response.content)["features"]}
    assert names == {
        a.name for a in (dataset.library, dataset.club, dataset.refuge, dataset.garden)
    }
    kml_names = {
        p.findtext(f"{KML}name")
        for p in _kml_placemarks(client.get(reverse("assets:export-all", kwargs={"fmt": "kml"})))
    }
    assert dataset.garden.name in kml_names
    rows = _rows(client.get("/assets/export.csv"))
    assert dataset.garden.name in {row["name"] for row in rows}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("everywhere", [True, False])
def test_asset_export_never_includes_private_assets_contributors_or_sensitive_places(
    client, dataset, fmt, everywhere
):
    if everywhere:
        response = client.get(reverse("assets:export-all", kwargs={"fmt": fmt}))
    else:
        response = _zone_export(client, dataset.zone, fmt)

    body = response.content.decode("utf-8-sig")
    assert response.status_code == 200
    for asset in [*dataset.private, dataset.library, dataset.refuge]:
        assert asset.contributor_email not in body
    assert "Private Person" not in body
    for asset in dataset.private:
        assert asset.name not in body
    assert "Secret Street" not in body
    assert "52.6391" not in body
    assert "-1.1871" not in body


@pytest.mark.parametrize("fmt", FORMATS)
def test_asset_export_unknown_zone_is_404(client, db, fmt):
    assert client.get(f"/zones/atlantis/assets.{fmt}").status_code == 404


def test_asset_export_unknown_format_is_404(client, zone):
    assert client.get(f"/zones/{zone.slug}/assets.xlsx").status_code == 404


def test_asset_export_refuses_post(client, zone):
    assert client.post(f"/zones/{zone.slug}/assets.csv").status_code == 405


@pytest.mark.parametrize("fmt", FORMATS)
def test_asset_export_query_count_does_not_grow_with_assets(
    client, dataset, fmt, django_assert_max_num_queries
):
    category = CategoryFactory(slug="many-test")
    AssetFactory.create_batch(20, zone=dataset.zone, categories=[category])

    with django_assert_max_num_queries(3):
        response = _zone_export(client, dataset.zone, fmt)

    assert response.status_code == 200
