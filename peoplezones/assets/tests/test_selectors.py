import random

import pytest
from django.contrib.auth.models import AnonymousUser
from hypothesis import given, settings
from hypothesis import strategies as st

from peoplezones.assets.models import Asset
from peoplezones.assets.selectors import asset_get, asset_list, asset_map_points
from peoplezones.assets.tests.factories import AssetFactory, CategoryFactory, FlagFactory


def test_public_sees_only_published_displayable_assets(moderator):
    visible = AssetFactory(name="Visible")
    AssetFactory(name="Pending", status="pending")
    AssetFactory(name="Hidden", do_not_display=True)
    AssetFactory(name="Skills", asset_class=Asset.AssetClass.INDIVIDUAL)
    AssetFactory(name="Archived", status="archived")

    assert list(asset_list(user=AnonymousUser())) == [visible]
    assert asset_list(user=moderator).count() == 5


def test_owner_sees_their_own_pending_asset(user):
    mine = AssetFactory(status="pending", owner=user)

    assert asset_get(user=user, pk=mine.pk) == mine
    with pytest.raises(Asset.DoesNotExist):
        asset_get(user=AnonymousUser(), pk=mine.pk)


def test_open_flag_marks_a_published_asset_under_review(db):
    asset = AssetFactory()
    FlagFactory(asset=asset)

    assert asset_list(user=AnonymousUser()).get().under_review is True


def test_category_filter_includes_sub_categories(db):
    food = CategoryFactory(slug="food-x")
    banks = CategoryFactory(slug="banks-x", parent=food)
    in_child = AssetFactory(categories=[banks])
    AssetFactory(categories=[CategoryFactory(slug="sport-x")])

    assert list(asset_list(user=AnonymousUser(), category=food)) == [in_child]


def test_bbox_leaves_out_sensitive_assets_for_the_public(moderator):
    AssetFactory(sensitive=True)
    box = (-1.19, 52.63, -1.18, 52.64)

    assert asset_list(user=AnonymousUser(), bbox=box).count() == 0
    assert asset_list(user=moderator, bbox=box).count() == 1


def test_map_points_never_include_sensitive_assets(db, django_assert_max_num_queries):
    AssetFactory(categories=[CategoryFactory(slug="c1", colour="#00703c")])
    AssetFactory(sensitive=True)

    with django_assert_max_num_queries(3):
        points = asset_map_points(assets=asset_list(user=AnonymousUser()))

    assert len(points) == 1
    assert points[0]["colour"] == "#00703c"


def test_asset_list_query_count_does_not_grow(db, django_assert_max_num_queries):
    category = CategoryFactory()
    for _ in range(10):
        FlagFactory(asset=AssetFactory(categories=[category]))

    with django_assert_max_num_queries(2):
        names = [
            (a.name, [c.slug for c in a.categories.all()], a.zone)
            for a in asset_list(user=AnonymousUser())
        ]

    assert len(names) == 10


@pytest.fixture(scope="module")
def random_points():
    rng = random.Random(7)
    return [(52.5 + rng.random() * 0.4, -1.5 + rng.random() * 0.6) for _ in range(150)]


@settings(max_examples=30, deadline=None)
@given(
    lat1=st.floats(52.5, 52.9),
    lat2=st.floats(52.5, 52.9),
    lon1=st.floats(-1.5, -0.9),
    lon2=st.floats(-1.5, -0.9),
)
@pytest.mark.django_db
def test_bbox_results_equal_a_brute_force_filter(random_points, lat1, lat2, lon1, lon2):
    if not Asset.objects.exists():
        Asset.objects.bulk_create(
            Asset(name=f"P{i}", latitude=lat, longitude=lon, status="published")
            for i, (lat, lon) in enumerate(random_points)
        )
    box = (min(lon1, lon2), min(lat1, lat2), max(lon1, lon2), max(lat1, lat2))

    found = set(asset_list(user=AnonymousUser(), bbox=box).values_list("name", flat=True))

    expected = {
        f"P{i}"
        for i, (lat, lon) in enumerate(random_points)
        if box[1] <= lat <= box[3] and box[0] <= lon <= box[2]
    }
    assert found == expected


def test_public_search_never_matches_a_sensitive_address(moderator):
    AssetFactory(name="Refuge", sensitive=True, address="1 Secret Street")
    AssetFactory(name="Library", address="2 Secret Street")

    public = asset_list(user=AnonymousUser(), q="Secret Street")

    assert [a.name for a in public] == ["Library"]
    assert asset_list(user=moderator, q="Secret Street").count() == 2


def test_one_asset_is_public_exactly_when_the_public_query_finds_it(db):
    import itertools

    from peoplezones.assets.models import PUBLIC_ASSETS

    assets = [
        AssetFactory(status=status, do_not_display=hidden, asset_class=asset_class)
        for status, hidden, asset_class in itertools.product(
            Asset.Status.values, [False, True], Asset.AssetClass.values
        )
    ]
    found = set(Asset.objects.filter(PUBLIC_ASSETS).values_list("pk", flat=True))
    assert {asset.pk for asset in assets if asset.is_public} == found
    assert found  # some are public, and
    assert len(found) < len(assets)  # some are not
