import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches

from peoplezones.accounts.services import api_token_create
from peoplezones.assets.feature_cache import CACHE_ALIAS
from peoplezones.assets.models import Asset, Flag, PublicDataVersion
from peoplezones.assets.services import (
    asset_create,
    asset_flag,
    asset_transition,
    asset_update,
    flag_resolve,
)
from peoplezones.assets.tests.factories import AssetFactory, CategoryFactory, FlagFactory
from peoplezones.zones.services import zone_update
from peoplezones.zones.tests.factories import ZoneFactory

URL = "/api/v1/assets?bbox=-1.2,52.6,-1.1,52.7&page_size=500"


@pytest.fixture(autouse=True)
def _empty_answer_cache():
    caches[CACHE_ALIAS].clear()


def _names(client, url=URL):
    response = client.get(url)
    assert response.status_code == 200
    return [f["properties"]["name"] for f in response.json()["features"]]


def _properties(client, name, url=URL):
    features = client.get(url).json()["features"]
    return next(f["properties"] for f in features if f["properties"]["name"] == name)


def test_anonymous_answer_is_served_from_the_cache_with_one_query(
    client, db, django_assert_num_queries
):
    AssetFactory.create_batch(3, categories=[CategoryFactory()])
    first = client.get(URL)

    with django_assert_num_queries(1):  # the data version, nothing else
        second = client.get(URL)

    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == "application/json; charset=utf-8"
    assert second["ETag"] == first["ETag"]
    assert second["Cache-Control"] == "public, no-cache"
    assert "Authorization" in second["Vary"]


def test_same_query_in_another_order_shares_the_answer(client, db, django_assert_num_queries):
    AssetFactory()
    client.get("/api/v1/assets?page_size=50&bbox=-1.2,52.6,-1.1,52.7")

    with django_assert_num_queries(1):
        client.get("/api/v1/assets?bbox=-1.2,52.6,-1.1,52.7&page_size=50")


def test_answers_differ_by_host(client, db, settings):
    settings.ALLOWED_HOSTS = ["testserver", "maps.example.org"]
    AssetFactory.create_batch(3)

    here = client.get("/api/v1/assets?page_size=1").json()["next"]
    there = client.get("/api/v1/assets?page_size=1", HTTP_HOST="maps.example.org").json()["next"]

    assert here.startswith("http://testserver/")
    assert there.startswith("http://maps.example.org/")


def test_etag_answers_not_modified_until_something_changes(client, db):
    asset = AssetFactory(name="Library")
    etag = client.get(URL)["ETag"]

    unchanged = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    asset_update(asset=asset, actor=_moderator(), fields={"name": "Central Library"})
    changed = client.get(URL, HTTP_IF_NONE_MATCH=etag)

    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag
    assert unchanged["Cache-Control"] == "public, no-cache"
    assert "Authorization" in unchanged["Vary"]
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert _names(client) == ["Central Library"]


def _moderator():
    from peoplezones.accounts.roles import ProgrammeRole
    from peoplezones.accounts.tests.factories import UserFactory

    return UserFactory(roles=[ProgrammeRole.MODERATOR])


def test_publishing_shows_at_once(client, moderator):
    asset = AssetFactory(name="Youth club", status=Asset.Status.PENDING)
    assert _names(client) == []

    asset_transition(asset=asset, actor=moderator, action="approve")

    assert _names(client) == ["Youth club"]


def test_archiving_hides_at_once(client, moderator):
    asset = AssetFactory(name="Youth club")
    assert _names(client) == ["Youth club"]

    asset_transition(asset=asset, actor=moderator, action="archive")

    assert _names(client) == []


def test_editing_shows_at_once(client, moderator):
    asset = AssetFactory(name="Youth club", sensitive=False)
    food = CategoryFactory(slug="food")
    assert _names(client) == ["Youth club"]

    asset_update(
        asset=asset,
        actor=moderator,
        fields={"name": "Youth centre", "phone": "0116 111 1111"},
        categories=["food"],
    )

    properties = _properties(client, "Youth centre")
    assert properties["phone"] == "0116 111 1111"
    assert properties["categories"] == [food.slug]


def test_making_an_asset_sensitive_removes_it_from_bbox_answers_at_once(client, moderator):
    asset = AssetFactory(name="Refuge")
    assert _names(client) == ["Refuge"]

    asset_update(asset=asset, actor=moderator, fields={"sensitive": True})

    assert _names(client) == []
    feature = client.get("/api/v1/assets").json()["features"][0]
    assert feature["geometry"] is None


def test_hiding_an_asset_removes_it_at_once(client, moderator):
    asset = AssetFactory(name="Youth club")
    assert _names(client) == ["Youth club"]

    asset_update(asset=asset, actor=moderator, fields={"do_not_display": True})

    assert _names(client) == []


def test_flagging_and_resolving_show_at_once(client, moderator):
    asset = AssetFactory(name="Youth club")
    assert _properties(client, "Youth club")["under_review"] is False

    flag = asset_flag(asset=asset, actor=None, reason=Flag.Reason.CLOSED)
    assert _properties(client, "Youth club")["under_review"] is True

    flag_resolve(flag=flag, actor=moderator, status=Flag.Status.RESOLVED)
    assert _properties(client, "Youth club")["under_review"] is False


def test_a_moderator_created_asset_shows_at_once(client, moderator, zone):
    assert _names(client) == []

    asset_create(
        actor=moderator,
        fields={"name": "Men's Shed", "latitude": 52.638, "longitude": -1.185},
        status=Asset.Status.PUBLISHED,
    )

    assert _names(client) == ["Men's Shed"]


def test_admin_style_edits_show_at_once(client, db):
    # The admin saves models directly, without the services.
    category = CategoryFactory(slug="test-larders", name="Larders")
    zone = ZoneFactory(slug="old-name")
    asset = AssetFactory(name="Larder", zone=zone, categories=[category])
    assert _properties(client, "Larder")["categories"] == ["test-larders"]

    category.slug = "test-pantries"
    category.save()
    assert _properties(client, "Larder")["categories"] == ["test-pantries"]

    zone.slug = "new-name"
    zone.save()
    assert _properties(client, "Larder")["zone"] == "new-name"

    asset.categories.clear()
    assert _properties(client, "Larder")["categories"] == []

    asset.name = "Community larder"
    asset.save()
    assert _names(client) == ["Community larder"]

    FlagFactory(asset=asset)
    assert _properties(client, "Community larder")["under_review"] is True
    Flag.objects.get().delete()
    assert _properties(client, "Community larder")["under_review"] is False

    asset.delete()
    assert _names(client) == []


def test_zone_service_renames_show_at_once(client, moderator):
    zone = ZoneFactory(slug="old-name")
    AssetFactory(name="Larder", zone=zone)
    assert _properties(client, "Larder")["zone"] == "old-name"

    zone_update(zone=zone, actor=moderator, slug="new-name")

    assert _properties(client, "Larder")["zone"] == "new-name"


def test_bulk_writes_show_at_once(client, db):
    AssetFactory(name="Larder")
    assert _names(client) == ["Larder"]

    Asset.objects.bulk_create([Asset(name="Imported", latitude=52.65, longitude=-1.15)])
    Asset.objects.filter(name="Imported").update(status=Asset.Status.PUBLISHED)
    assert _names(client) == ["Imported", "Larder"]

    Asset.objects.filter(name="Larder").delete()
    assert _names(client) == ["Imported"]


def test_a_pending_contribution_keeps_the_cached_answers(client, zone):
    AssetFactory(name="Larder")
    category = CategoryFactory()
    _names(client)
    before = PublicDataVersion.current()

    asset_create(
        actor=AnonymousUser(),
        fields={"name": "Suggested", "latitude": 52.638, "longitude": -1.185},
        categories=[category.slug],
    )

    assert PublicDataVersion.current() == before
    assert _names(client) == ["Larder"]


def test_editing_an_asset_that_is_not_public_keeps_the_token(moderator):
    pending = AssetFactory(name="Suggested", status="pending")
    draft = AssetFactory(name="Draft", status="draft")
    before = PublicDataVersion.current()

    asset_update(asset=Asset.objects.get(pk=pending.pk), actor=moderator, fields={"name": "Ok"})
    reloaded = Asset.objects.get(pk=draft.pk)
    reloaded.description = "Still a draft."
    reloaded.save()
    reloaded.description = "Saved twice."
    reloaded.save()

    assert PublicDataVersion.current() == before


@pytest.mark.parametrize(
    ("status", "new_status"), [("pending", "published"), ("published", "archived")]
)
def test_saving_an_asset_into_or_out_of_public_view_changes_the_token(db, status, new_status):
    asset = Asset.objects.get(pk=AssetFactory(status=status).pk)
    before = PublicDataVersion.current()

    asset.status = new_status
    asset.save()

    assert PublicDataVersion.current() != before


def test_a_stale_copy_of_an_asset_cannot_hide_it_without_a_new_token(db):
    stale = Asset.objects.get(pk=AssetFactory(status="pending").pk)
    Asset.objects.filter(pk=stale.pk).update(status="published")  # someone else publishes it
    published = PublicDataVersion.current()

    stale.description = "Edited from an old copy."
    stale.save()  # writes the old status back: the asset leaves public view

    assert PublicDataVersion.current() != published


def test_every_change_gives_a_new_token(db):
    first = PublicDataVersion.current()

    AssetFactory()
    second = PublicDataVersion.current()
    PublicDataVersion.bump()

    assert len({first, second, PublicDataVersion.current()}) == 3


def test_without_a_version_row_nothing_is_cached(client, db, django_assert_num_queries):
    PublicDataVersion.objects.all().delete()
    AssetFactory(name="Larder")
    PublicDataVersion.objects.all().delete()

    first = client.get(URL)
    with django_assert_num_queries(3):  # version, page, categories: built again
        second = client.get(URL)

    assert "ETag" not in first
    assert second.json() == first.json()
    AssetFactory(name="Library")  # a write makes the row again
    assert PublicDataVersion.current() is not None
    assert _names(client) == ["Larder", "Library"]


def test_moderators_answers_are_neither_cached_nor_served_from_the_cache(client, moderator):
    AssetFactory(name="Published")
    AssetFactory(name="Pending", status=Asset.Status.PENDING)
    _, token = api_token_create(user=moderator, actor=None)
    assert _names(client) == ["Published"]

    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert [f["properties"]["name"] for f in response.json()["features"]] == [
        "Pending",
        "Published",
    ]
    assert "ETag" not in response
    assert "Cache-Control" not in response
    assert "Authorization" in response["Vary"]
    assert _names(client) == ["Published"]


def test_bad_queries_are_not_cached(client, db):
    assert client.get("/api/v1/assets?zone=atlantis").status_code == 400
    ZoneFactory(slug="atlantis")

    assert client.get("/api/v1/assets?zone=atlantis").status_code == 200


def test_the_cached_answer_carries_no_private_details(client, db):
    AssetFactory(contributor_name="Private Person", contributor_email="private@example.net")

    for _ in range(2):
        body = client.get(URL).content.decode()
        assert "Private Person" not in body
        assert "private@example.net" not in body
