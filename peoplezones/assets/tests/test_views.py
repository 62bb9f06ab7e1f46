import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from icalendar import Calendar
from PIL import Image

from peoplezones.assets.models import Asset, AssetChange, Event, Flag
from peoplezones.assets.tests.factories import AssetFactory, CategoryFactory, EventFactory

FORM = {
    "name": "New Parks Men's Shed",
    "description": "Woodwork and a brew",
    "asset_class": "association",
    "latitude": "52.638",
    "longitude": "-1.185",
    "address": "Aikman Avenue",
    "postcode": "le3 9pw",
    "opens_1": "10:00",
    "closes_1": "14:00",
    "contributor_name": "Jo Private",
    "contributor_email": "jo.private@example.net",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (3000, 2000), "green")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 38.0, 0.0), 3: "W", 4: (1.0, 11.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_add_asset_lands_pending_with_its_zone_and_hours(client, zone):
    response = client.post(reverse("assets:asset-add"), {**FORM, "categories": ["food"]})

    assert response.status_code == 302
    asset = Asset.objects.get()
    assert asset.status == "pending"
    assert asset.zone == zone
    assert asset.postcode == "LE3 9PW"
    assert asset.opening_hours == [{"day": 1, "opens": "10:00", "closes": "14:00"}]
    assert asset.contributor_email == "jo.private@example.net"
    assert list(asset.categories.values_list("slug", flat=True)) == ["food"]


def test_add_asset_keeps_what_was_typed_when_something_is_wrong(client, db):
    response = client.post(
        reverse("assets:asset-add"), {**FORM, "latitude": "-1.185", "longitude": "52.638"}
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in content
    assert "swapped" in content
    assert "New Parks Men&#x27;s Shed" in content
    assert 'value="10:00"' in content
    assert "jo.private@example.net" in content
    assert not Asset.objects.exists()


def test_add_asset_without_a_location_asks_for_one(client, db):
    data = {**FORM, "latitude": "", "longitude": "", "postcode": "ZZ9 9ZZ"}

    response = client.post(reverse("assets:asset-add"), data)

    assert response.status_code == 400
    assert "Show us where it is" in response.content.decode()


def test_add_asset_places_a_known_postcode(client, zone):
    AssetFactory(postcode="LE3 9PW", latitude=52.6385, longitude=-1.1855)

    response = client.post(reverse("assets:asset-add"), {**FORM, "latitude": "", "longitude": ""})

    assert response.status_code == 302
    new = Asset.objects.get(name=FORM["name"])
    assert (new.latitude, new.longitude) == (52.6385, -1.1855)


def test_honeypot_pretends_to_succeed_but_saves_nothing(client, db):
    response = client.post(reverse("assets:asset-add"), {**FORM, "nickname": "bot"})

    assert response.status_code == 302
    assert not Asset.objects.exists()


def test_rate_limit_keeps_the_form_and_answers_429(client, db, settings):
    settings.PUBLIC_CONTRIBUTION_RATE = "1/h"
    client.post(reverse("assets:asset-add"), FORM)

    response = client.post(reverse("assets:asset-add"), {**FORM, "name": "Second one"})

    assert response.status_code == 429
    assert "Second one" in response.content.decode()
    assert Asset.objects.count() == 1


def test_photo_is_stored_without_any_metadata(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("shed.jpg", _jpeg_with_gps(), content_type="image/jpeg")

    response = client.post(
        reverse("assets:asset-add"), {**FORM, "photo": photo, "photo_alt": "The shed door"}
    )

    assert response.status_code == 302
    stored = Asset.objects.get().photos.get()
    with Image.open(stored.image.path) as image:
        assert not image.getexif()
        assert "exif" not in image.info
        assert max(image.size) == 2048
    assert b"SpyCam" not in stored.image.open("rb").read()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4 not an image", "not a photo"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "not a photo"),
    ],
)
def test_bad_photos_are_refused_and_the_form_kept(client, db, settings, tmp_path, content, message):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("x.jpg", content, content_type="image/jpeg")

    response = client.post(
        reverse("assets:asset-add"), {**FORM, "photo": upload, "photo_alt": "A photo"}
    )

    assert response.status_code == 400
    assert (
        "Upload a valid image" in response.content.decode() or message in response.content.decode()
    )
    assert not Asset.objects.exists()


def test_asset_page_hides_contributor_and_sensitive_location(client, db):
    asset = AssetFactory(sensitive=True, address="7 Hidden Lane")

    content = client.get(asset.get_absolute_url()).content.decode()

    assert "The exact location is not published" in content
    assert "7 Hidden Lane" not in content
    assert asset.contributor_email not in content
    assert "data-single-point" not in content


def test_pending_asset_page_is_404_for_the_public(client, db):
    assert client.get(AssetFactory(status="pending").get_absolute_url()).status_code == 404


def test_suggest_change_waits_for_a_moderator(client, db):
    asset = AssetFactory(name="Old name")

    response = client.post(
        reverse("assets:asset-suggest", kwargs={"pk": asset.pk}),
        {"name": "New name", "note": "It was renamed", "contributor_email": "s@example.net"},
    )

    assert response.status_code == 200
    change = AssetChange.objects.get()
    assert change.changes["name"] == "New name"
    asset.refresh_from_db()
    assert asset.name == "Old name"


def test_owner_edits_their_unpublished_asset_directly(client, user):
    asset = AssetFactory(status="pending", owner=user, name="Draft name")
    client.force_login(user)

    client.post(reverse("assets:asset-suggest", kwargs={"pk": asset.pk}), {"name": "Better name"})

    asset.refresh_from_db()
    assert asset.name == "Better name"
    assert not AssetChange.objects.exists()


def test_report_a_problem_flags_without_changing_status(client, db):
    asset = AssetFactory()

    response = client.post(
        reverse("assets:asset-report", kwargs={"pk": asset.pk}),
        {"reason": "closed", "details": "Shut last month", "reporter_email": "r@example.net"},
    )

    assert response.status_code == 200
    assert Flag.objects.get().reason == "closed"
    asset.refresh_from_db()
    assert asset.status == "published"
    assert "Under review" in client.get(asset.get_absolute_url()).content.decode()


def test_report_without_a_reason_is_explained(client, db):
    asset = AssetFactory()

    response = client.post(reverse("assets:asset-report", kwargs={"pk": asset.pk}), {})

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_map_page_lists_results_without_javascript(client, zone, django_assert_max_num_queries):
    food = CategoryFactory(slug="food-y", name="Food Y")
    AssetFactory(name="Pantry", zone=zone, categories=[food])
    AssetFactory(name="Football", zone=zone)

    with django_assert_max_num_queries(10):
        response = client.get(
            reverse("assets:zone-map", kwargs={"slug": zone.slug}), {"category": "food-y"}
        )

    content = response.content.decode()
    assert "Pantry" in content
    assert "Football" not in content
    assert "1 result" in content


def test_map_page_near_a_postcode_sorts_by_distance(client, zone):
    AssetFactory(name="Near", postcode="LE3 9PW", latitude=52.6381, longitude=-1.1851)
    AssetFactory(name="Further", latitude=52.641, longitude=-1.181)

    content = client.get(reverse("assets:map"), {"postcode": "le3 9pw"}).content.decode()

    assert content.index("Near") < content.index("Further")
    assert "metres away" in content


def test_map_page_unknown_postcode_says_so(client, db):
    content = client.get(reverse("assets:map"), {"postcode": "ZZ9 9ZZ"}).content.decode()

    assert "could not find the postcode" in content


def test_zone_events_page_and_calendar_feed(client, zone):
    asset = AssetFactory(zone=zone)
    EventFactory(
        title="Weekly coffee", asset=asset, zone=zone, recurrence="weekly", repeat_until=None
    )
    Event.objects.filter(title="Weekly coffee").update(repeat_until="2099-01-01")
    EventFactory(title="Not yet approved", asset=asset, zone=zone, status="pending")

    page = client.get(reverse("assets:zone-events", kwargs={"slug": zone.slug})).content.decode()
    feed = client.get(reverse("assets:zone-events-ics", kwargs={"slug": zone.slug}))

    assert "Weekly coffee" in page
    assert "Not yet approved" not in page
    calendar = Calendar.from_ical(feed.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Weekly coffee"]
    assert events[0]["rrule"]["FREQ"] == ["WEEKLY"]
    assert "private" not in feed.content.decode()


def test_zone_page_links_to_the_asset_map_and_events(client, zone):
    content = client.get(zone.get_absolute_url()).content.decode()

    assert reverse("assets:zone-map", kwargs={"slug": zone.slug}) in content
    assert reverse("assets:zone-events", kwargs={"slug": zone.slug}) in content


def test_map_page_links_to_the_open_data(client, zone):
    content = client.get(reverse("assets:zone-map", kwargs={"slug": zone.slug})).content.decode()

    assert reverse("assets:export-zone", kwargs={"slug": zone.slug, "fmt": "csv"}) in content
    assert reverse("openreferral:root") in content


def test_dashboard_lists_the_listings_a_person_added(client, user):
    AssetFactory(name="My pending listing", status="pending", owner=user)
    client.force_login(user)

    content = client.get(reverse("accounts:dashboard")).content.decode()

    assert "My pending listing" in content
    assert "Waiting for moderation" in content
