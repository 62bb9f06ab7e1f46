import datetime
import importlib
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from peoplezones.assets.models import Asset
from peoplezones.assets.selectors import asset_list
from peoplezones.assets.serializers import (
    FRAGMENT_FORMAT,
    asset_feature,
    asset_feature_page,
    asset_fragment,
)
from peoplezones.assets.tests.factories import AssetFactory, CategoryFactory, FlagFactory
from peoplezones.zones.tests.factories import ZoneFactory


def _page(user=None, *, page=1, page_size=100, **filters):
    found = asset_list(user=user or AnonymousUser(), **filters)
    body = asset_feature_page(
        assets=found, page=page, page_size=page_size, link=lambda n: f"page {n}"
    )
    return json.loads(body)


def _historical_apps():
    # The models as migration 0003 sees them.
    loader = MigrationLoader(connection)
    return loader.project_state(("assets", "0003_public_feature")).apps


def _expected_features(user=None, **filters):
    # The features as the serializer builds them from model instances.
    return [asset_feature(a) for a in asset_list(user=user or AnonymousUser(), **filters)]


@pytest.fixture
def varied_assets(db):
    zone = ZoneFactory(slug="new-parks")
    food = CategoryFactory(slug="food", name="Food", order=1)
    sport = CategoryFactory(slug="sport", name="Sport", order=2)
    assets = [
        AssetFactory(name="Plain", zone=zone),
        AssetFactory(
            name="Everything",
            zone=zone,
            categories=[sport, food],
            opening_hours=[{"day": 0, "opens": "09:00", "closes": "17:00"}],
            phone="0116 000 0000",
            email="hello@example.org",
            website="https://example.org/",
            accessibility="Step-free access.",
            languages="English, Urdu , ,Polish",
            last_verified=datetime.date(2026, 3, 1),
            description='Quotes " and \\ backslashes, accents é and emoji 🌳, <tags> & more.',
        ),
        AssetFactory(name="No zone", latitude=52.9, longitude=-0.7),
        AssetFactory(
            name="Refuge", zone=zone, sensitive=True, address="1 Secret St", postcode="LE3 9EG"
        ),
        AssetFactory(name="Flagged", zone=zone, categories=[food]),
    ]
    FlagFactory(asset=assets[-1])
    return assets


def test_feature_page_says_what_the_instance_serializer_says(varied_assets):
    answer = _page()

    assert answer["type"] == "FeatureCollection"
    assert answer["count"] == 5
    assert answer["next"] is None
    assert answer["previous"] is None
    assert answer["features"] == _expected_features()
    by_name = {f["properties"]["name"]: f for f in answer["features"]}
    assert by_name["Everything"]["properties"]["categories"] == ["food", "sport"]
    assert by_name["Everything"]["properties"]["languages"] == ["English", "Urdu", "Polish"]
    assert by_name["Flagged"]["properties"]["under_review"] is True
    assert by_name["No zone"]["properties"]["zone"] is None


def test_feature_page_keeps_the_property_order(varied_assets):
    feature = _page()["features"][0]

    assert list(feature) == ["type", "id", "geometry", "properties"]
    assert list(feature["properties"]) == list(_expected_features()[0]["properties"])


def test_feature_page_for_moderators_includes_other_states(moderator, varied_assets):
    AssetFactory(name="Pending", status=Asset.Status.PENDING)

    answer = _page(moderator)

    assert answer["count"] == 6
    assert answer["features"] == _expected_features(moderator)
    assert "pending" in {f["properties"]["status"] for f in answer["features"]}


@pytest.mark.parametrize(
    ("page", "page_size", "count", "names", "next_page", "previous_page"),
    [
        (1, 2, 5, ["A", "B"], 2, None),
        (2, 2, 5, ["C", "D"], 3, 1),
        (3, 2, 5, ["E"], None, 2),
        (4, 2, 5, [], None, 3),
        (1, 5, 5, ["A", "B", "C", "D", "E"], None, None),
        (1, 500, 5, ["A", "B", "C", "D", "E"], None, None),
    ],
)
def test_feature_page_counts_and_links(db, page, page_size, count, names, next_page, previous_page):
    for name in "EDCBA":
        AssetFactory(name=name)

    answer = _page(page=page, page_size=page_size)

    assert answer["count"] == count
    assert [f["properties"]["name"] for f in answer["features"]] == names
    assert answer["next"] == (f"page {next_page}" if next_page else None)
    assert answer["previous"] == (f"page {previous_page}" if previous_page else None)


def test_sensitive_fragment_holds_no_point_and_no_street_address(db):
    asset = AssetFactory(
        sensitive=True,
        latitude=52.6381234,
        longitude=-1.1851234,
        address="1 Secret Street",
        postcode="LE3 9EG",
    )
    asset.refresh_from_db()

    assert asset.public_feature.startswith(FRAGMENT_FORMAT)
    for secret in ("52.6381234", "-1.1851234", "Secret Street", "9EG"):
        assert secret not in asset.public_feature
    feature = _page(user=None)["features"][0]
    assert feature["geometry"] is None
    assert feature["properties"]["postcode"] == "LE3"
    assert feature["properties"]["location_withheld"] is True


def test_fragment_holds_no_private_details(db, user):
    asset = AssetFactory(
        contributor_name="Private Person",
        contributor_email="private.person@example.net",
        owner=user,
        is_demo=True,
    )
    asset.refresh_from_db()

    for private in ("Private Person", "private.person@example.net", user.email, "is_demo"):
        assert private not in asset.public_feature
    assert "contributor" not in asset.public_feature
    assert "owner" not in asset.public_feature


def test_fragment_is_rebuilt_by_every_kind_of_write(db):
    asset = AssetFactory(name="Before")

    def stored():
        return Asset.objects.values_list("public_feature", flat=True).get(pk=asset.pk)

    asset.name = "Saved"
    asset.save()
    assert '"Saved"' in stored()

    asset.name = "Saved with update_fields"
    asset.save(update_fields=["name"])
    assert '"Saved with update_fields"' in stored()

    Asset.objects.filter(pk=asset.pk).update(name="Queryset update")
    assert '"Queryset update"' in stored()

    asset.refresh_from_db()
    asset.name = "Bulk update"
    Asset.objects.bulk_update([asset], ["name"])
    assert '"Bulk update"' in stored()

    (created,) = Asset.objects.bulk_create(
        [Asset(name="Bulk create", latitude=52.6, longitude=-1.1, status="published")]
    )
    assert '"Bulk create"' in Asset.objects.get(pk=created.pk).public_feature


def test_status_change_moves_out_of_the_filter_and_is_still_rebuilt(db):
    asset = AssetFactory(status=Asset.Status.PENDING)

    Asset.objects.filter(status=Asset.Status.PENDING).update(status=Asset.Status.PUBLISHED)

    asset.refresh_from_db()
    assert '"status":"published"' in asset.public_feature


def test_rows_without_a_stored_feature_are_built_on_the_fly(varied_assets):
    expected = _expected_features()
    Asset.objects.update(public_feature="")
    Asset.objects.filter(name="Plain").update(public_feature="f0\x1fan older format")

    assert _page()["features"] == expected


def test_the_migration_fills_the_stored_features(varied_assets):
    expected = _expected_features()
    Asset.objects.update(public_feature="")
    migration = importlib.import_module("peoplezones.assets.migrations.0003_public_feature")

    migration.fill(_historical_apps(), connection.schema_editor())

    stored = Asset.objects.values_list("public_feature", flat=True)
    assert all(fragment.startswith(FRAGMENT_FORMAT) for fragment in stored)
    assert _page()["features"] == expected


def test_fragment_of_a_historical_model_matches(db):
    asset = AssetFactory(languages="English, Urdu", last_verified=datetime.date(2026, 1, 2))
    historical = _historical_apps().get_model("assets", "Asset").objects.get(pk=asset.pk)

    assert type(historical) is not Asset
    assert asset_fragment(historical) == asset_fragment(asset)


def test_a_large_queryset_update_rebuilds_every_row(db):
    Asset.objects.bulk_create(
        Asset(name=f"A{i}", latitude=52.6, longitude=-1.1, status="pending") for i in range(1200)
    )

    Asset.objects.update(status=Asset.Status.PUBLISHED)

    stored = Asset.objects.values_list("public_feature", flat=True)
    assert all('"status":"published"' in fragment for fragment in stored)
