import datetime
import json
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from peoplezones.assets.models import Asset, Category
from peoplezones.assets.openreferral import mapping
from peoplezones.assets.tests.factories import AssetFactory, CategoryFactory
from peoplezones.zones.tests.factories import ZoneFactory

SCHEMAS = Path(__file__).parent / "standards" / "openreferral-uk" / "schema"
LIST_ENDPOINTS = ["services", "service_at_locations", "taxonomies", "taxonomy_terms"]
FORMAT_CHECKER = FormatChecker()


# jsonschema checks these two formats only with optional packages we do not install.
@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_datetime(value):
    return not isinstance(value, str) or (
        "T" in value and bool(datetime.datetime.fromisoformat(value))
    )


@FORMAT_CHECKER.checks("uri")
def _is_uri(value):
    return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)


def _load(relative_path):
    return json.loads((SCHEMAS / relative_path).read_text(encoding="utf-8"))


def _validator(relative_path):
    # taxonomy.json points at "taxonomy_term.json" beside it; the compiled files stand alone.
    term = DRAFT202012.create_resource(_load("taxonomy_term.json"))
    registry = Registry().with_resource("taxonomy_term.json", term)
    schema = _load(relative_path)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry, format_checker=FORMAT_CHECKER)


def _openapi():
    return _load("openapi.json")


ITEM_SCHEMAS = {
    "services": "compiled/service_list.json",
    "service_at_locations": "compiled/service_at_location_list.json",
    "taxonomies": "taxonomy.json",
    "taxonomy_terms": "taxonomy_term.json",
}
DETAIL_SCHEMAS = {
    "services": "compiled/service.json",
    # The OpenAPI document names service.json here, which cannot describe a service_at_location
    # (no name or status); the profile's own service_at_location schema is the one that fits.
    "service_at_locations": "compiled/service_at_location.json",
    "taxonomies": "taxonomy.json",
    "taxonomy_terms": "taxonomy_term.json",
}


@pytest.fixture
def dataset(zone):
    health = CategoryFactory(name="Health test", slug="health-test", description="Health.")
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
        accessibility="Step-free entrance.",
        last_verified=datetime.date(2024, 5, 1),
    )
    club = AssetFactory(
        zone=zone,
        name="Football Club",
        categories=[sport, health],
        opening_hours=[{"day": 2, "opens": "18:00", "closes": "20:00"}],
    )
    refuge = AssetFactory(
        zone=zone,
        name="Safe House",
        description="Support for people escaping abuse.",
        sensitive=True,
        address="12 Secret Street, Leicester",
        postcode="LE3 1AB",
        latitude=52.6391,
        longitude=-1.1871,
        accessibility="Ring the bell.",
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
        zone=zone,
        health=health,
        mental=mental,
        sport=sport,
        library=library,
        club=club,
        refuge=refuge,
        garden=garden,
        public=[library, club, refuge, garden],
        private=private,
    )


def _get(client, path, **query):
    return client.get(f"/openreferral/{path}", query)


def _json(response, status=200):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def _check_page(page, endpoint):
    envelope = _openapi()["components"]["schemas"]["Page"]
    Draft202012Validator(envelope).validate(page)
    assert set(page) == {*envelope["properties"], "contents"}
    items = _validator(ITEM_SCHEMAS[endpoint])
    for item in page["contents"]:
        items.validate(item)
    return page["contents"]


def _all_answers(client, dataset):
    """Every answer the API gives for the dataset: the root, each list and each record."""
    answers = [_get(client, "")]
    for endpoint in LIST_ENDPOINTS:
        page = _get(client, endpoint, per_page=500)
        answers.append(page)
        answers.extend(_get(client, f"{endpoint}/{item['id']}") for item in _json(page)["contents"])
    return answers


def test_api_root_gives_the_profile_and_version(client, db):
    meta = _json(client.get(reverse("openreferral:root")))

    schema = _openapi()["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]
    Draft202012Validator(schema["schema"], format_checker=FORMAT_CHECKER).validate(meta)
    assert meta == {
        "version": "3.0",
        "profile": "https://github.com/openreferral/uk-profile",
        "openapi_url": (
            "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
        ),
    }


def test_service_list_matches_the_schema_and_lists_only_public_assets(client, dataset):
    page = _json(_get(client, "services"))

    contents = _check_page(page, "services")
    assert [item["name"] for item in contents] == sorted(a.name for a in dataset.public)
    assert page["total_items"] == 4
    library = next(item for item in contents if item["name"] == "New Parks Library")
    assert library["id"] == str(dataset.library.uuid)
    assert library["status"] == "active"
    assert library["url"] == "https://library.example.org/"
    assert library["email"] == "library@example.org"
    assert library["assured_date"] == "2024-05-01"
    assert library["organization"]["id"] == str(uuid.uuid5(dataset.library.uuid, "organization"))
    assert library["organization_id"] == library["organization"]["id"]


def test_service_detail_matches_the_schema_for_every_public_asset(client, dataset):
    validator = _validator(DETAIL_SCHEMAS["services"])

    for asset in dataset.public:
        validator.validate(_json(_get(client, f"services/{asset.uuid}")))


def test_service_detail_maps_hours_languages_phones_and_categories(client, dataset):
    service = _json(_get(client, f"services/{dataset.library.uuid}"))

    assert [
        (s["byday"], s["opens_at"], s["closes_at"], s["freq"]) for s in service["schedules"]
    ] == [
        ("MO,TU", "09:00:00", "17:00:00", "WEEKLY"),
        ("SA", "10:00:00", "12:00:00", "WEEKLY"),
    ]
    assert [language["name"] for language in service["languages"]] == ["English", "Urdu"]
    assert [phone["number"] for phone in service["phones"]] == ["0116 000 0000"]
    (attribute,) = service["attributes"]
    term = attribute["taxonomy_term"]
    assert term["id"] == attribute["taxonomy_term_id"] == mapping.category_id(dataset.mental)
    assert term["parent_id"] == mapping.category_id(dataset.health)
    assert term["taxonomy_id"] == str(mapping.TAXONOMY_ID)
    (at_location,) = service["service_at_locations"]
    location = at_location["location"]
    assert (location["latitude"], location["longitude"]) == (52.638, -1.185)
    assert location["addresses"][0]["address_1"] == "1 Example Road"
    assert location["addresses"][0]["city"] == "Leicester"
    assert location["addresses"][0]["postal_code"] == "LE3 9EG"
    assert location["accessibility"][0]["description"] == "Step-free entrance."


def test_ids_are_deterministic_uuid5_values(client, dataset):
    first = _json(_get(client, f"services/{dataset.library.uuid}"))
    second = _json(_get(client, f"services/{dataset.library.uuid}"))

    assert first == second
    assert uuid.UUID(first["service_at_locations"][0]["id"]).version == 5
    assert first["service_at_locations"][0]["location"]["id"] == str(
        uuid.uuid5(dataset.library.uuid, "location")
    )
    assert mapping.category_id(dataset.health) == str(
        uuid.uuid5(mapping.NAMESPACE, "category:health-test")
    )


def test_sensitive_asset_has_no_point_or_street_address_anywhere(client, dataset):
    service = _json(_get(client, f"services/{dataset.refuge.uuid}"))
    location = service["service_at_locations"][0]["location"]

    assert location["name"] == dataset.zone.name
    assert dataset.zone.name in location["description"]
    assert "latitude" not in location
    assert "longitude" not in location
    assert "addresses" not in location
    for response in _all_answers(client, dataset):
        body = response.content.decode()
        assert "Secret Street" not in body
        assert "LE3 1AB" not in body
        assert "52.6391" not in body
        assert "-1.1871" not in body


def test_private_assets_and_contributors_never_appear(client, dataset):
    answers = _all_answers(client, dataset)

    assert all(response.status_code == 200 for response in answers)
    for response in answers:
        body = response.content.decode()
        assert "Private Person" not in body
        assert "private.contributor" not in body
        for asset in dataset.private:
            assert asset.name not in body
            assert str(asset.uuid) not in body
    for asset in dataset.private:
        assert _get(client, f"services/{asset.uuid}").status_code == 404
        sal_id = mapping.service_at_location_id(asset.uuid)
        assert _get(client, f"service_at_locations/{sal_id}").status_code == 404


def test_service_at_locations_match_the_schema(client, dataset):
    page = _json(_get(client, "service_at_locations"))

    contents = _check_page(page, "service_at_locations")
    assert {item["service"]["name"] for item in contents} == {a.name for a in dataset.public}
    detail = _validator(DETAIL_SCHEMAS["service_at_locations"])
    for item in contents:
        full = _json(_get(client, f"service_at_locations/{item['id']}"))
        detail.validate(full)
        assert full["id"] == item["id"]
        assert full["service"]["id"] == item["service_id"]
    refuge = next(item for item in contents if item["service"]["name"] == "Safe House")
    assert set(refuge["location"]) == {"id", "location_type", "name", "description"}


def test_taxonomies_match_the_schema_and_hold_every_category(client, dataset):
    page = _json(_get(client, "taxonomies"))

    (summary,) = _check_page(page, "taxonomies")
    assert summary["name"] == "People Zones community assets"
    assert "taxonomy_terms" not in summary
    full = _json(_get(client, f"taxonomies/{summary['id']}"))
    _validator(DETAIL_SCHEMAS["taxonomies"]).validate(full)
    assert len(full["taxonomy_terms"]) == Category.objects.count()
    assert _get(client, f"taxonomies/{uuid.uuid4()}").status_code == 404


def test_taxonomy_terms_match_the_schema_and_keep_the_tree(client, dataset):
    page = _json(_get(client, "taxonomy_terms", per_page=500))

    contents = _check_page(page, "taxonomy_terms")
    assert page["total_items"] == Category.objects.count()
    terms = {term["code"]: term for term in contents}
    assert terms["mental-health-test"]["parent_id"] == terms["health-test"]["id"]
    assert "parent_id" not in terms["health-test"]
    detail = _validator(DETAIL_SCHEMAS["taxonomy_terms"])
    term = _json(_get(client, f"taxonomy_terms/{terms['mental-health-test']['id']}"))
    detail.validate(term)
    assert term == terms["mental-health-test"]


@pytest.mark.parametrize("endpoint", ["services", "service_at_locations"])
def test_service_lists_filter_as_the_profile_defines(client, dataset, endpoint):
    def names(**query):
        contents = _json(_get(client, endpoint, **query))["contents"]
        return {item.get("name") or item["service"]["name"] for item in contents}

    assert names(search="library") == {"New Parks Library"}
    assert names(text="football") == {"Football Club"}
    assert names(search="Secret Street") == set()
    health_id = mapping.category_id(dataset.health)
    assert names(taxonomy_term_id=health_id) == {"New Parks Library", "Football Club", "Safe House"}
    assert names(taxonomy_term_id=mapping.category_id(dataset.sport)) == {"Football Club"}
    assert names(taxonomy_term_id=str(uuid.uuid4())) == set()
    assert names(taxonomy_id=str(mapping.TAXONOMY_ID)) == {
        "New Parks Library",
        "Football Club",
        "Safe House",
    }
    assert names(taxonomy_id=str(uuid.uuid4())) == set()
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert names(modified_after=tomorrow.isoformat()) == set()
    assert len(names(modified_after="2020-01-01")) == 4
    assert names(day="SA") == {"New Parks Library"}
    assert names(day="wednesday", start_time="17:00") == {"Football Club"}
    assert names(start_time="08:00", end_time="13:00") == {"New Parks Library"}
    assert len(names(minimum_age="12", maximum_age="99")) == 4


def test_list_pagination_envelope(client, dataset):
    first = _json(_get(client, "services", per_page=3))
    second = _json(_get(client, "services", per_page=3, page=2))
    beyond = _json(_get(client, "services", per_page=3, page=9))

    assert {k: v for k, v in first.items() if k != "contents"} == {
        "total_items": 4,
        "total_pages": 2,
        "page_number": 1,
        "size": 3,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    assert (second["page_number"], second["size"], second["first_page"], second["last_page"]) == (
        2,
        1,
        False,
        True,
    )
    assert [*first["contents"], *second["contents"]] == _json(_get(client, "services"))["contents"]
    assert beyond["contents"] == []
    assert beyond["empty"] is True


@pytest.mark.parametrize(
    ("endpoint", "query", "parameter"),
    [
        ("services", {"page": "two"}, "page"),
        ("services", {"page": "0"}, "page"),
        ("services", {"per_page": "-5"}, "per_page"),
        ("services", {"per_page": "100000"}, "per_page"),
        ("services", {"taxonomy_term_id": "health"}, "taxonomy_term_id"),
        ("services", {"taxonomy_id": "x"}, "taxonomy_id"),
        ("services", {"modified_after": "yesterday"}, "modified_after"),
        ("services", {"modified_after": "2024-13-45"}, "modified_after"),
        ("services", {"day": "Funday"}, "day"),
        ("services", {"start_time": "25:00"}, "start_time"),
        ("services", {"minimum_age": "old"}, "minimum_age"),
        ("service_at_locations", {"page": "1.5"}, "page"),
        ("service_at_locations", {"postcode": "LE3 9EG"}, "postcode"),
        ("taxonomies", {"per_page": "ten"}, "per_page"),
        ("taxonomy_terms", {"page": "last"}, "page"),
    ],
)
def test_list_endpoints_reject_bad_values_with_a_json_400(client, db, endpoint, query, parameter):
    error = _json(_get(client, endpoint, **query), status=400)

    assert error["parameter"] == parameter
    assert error["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "services/not-a-uuid",
        "services/3f7b145d-84af-42d7-8fae-eaca714b02b2",
        "service_at_locations/3f7b145d-84af-42d7-8fae-eaca714b02b2",
        "taxonomy_terms/3f7b145d-84af-42d7-8fae-eaca714b02b2",
        "taxonomies/not-a-uuid",
    ],
)
def test_unknown_records_are_a_json_404(client, db, path):
    assert _json(_get(client, path), status=404)["detail"]


def test_api_refuses_post(client, db):
    assert client.post("/openreferral/services").status_code == 405


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_list_endpoint_query_count_does_not_grow_with_assets(
    client, dataset, endpoint, django_assert_max_num_queries
):
    categories = [CategoryFactory(slug=f"many-{n}", parent=dataset.health) for n in range(5)]
    AssetFactory.create_batch(20, zone=dataset.zone, categories=categories)

    with django_assert_max_num_queries(3):
        _json(_get(client, endpoint, per_page=100))
    # Filters add a fixed few: the term lookup, one per level of the category tree, the hours.
    with django_assert_max_num_queries(7):
        _json(
            _get(client, endpoint, taxonomy_term_id=mapping.category_id(dataset.health), day="MO")
        )
