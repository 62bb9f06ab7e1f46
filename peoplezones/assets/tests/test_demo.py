import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from peoplezones.assets import demo
from peoplezones.assets.models import Asset, Event
from peoplezones.assets.recurrence import occurrences
from peoplezones.core import geo
from peoplezones.core.models import AuditEvent


def rows(name):
    with (demo.DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def loaded(db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())


def test_demo_load_publishes_about_60_demo_assets(loaded):
    assets = Asset.objects.filter(is_demo=True)

    assert 55 <= assets.count() <= 65
    assert assets.count() == len(rows("assets.csv"))
    assert set(assets.values_list("status", flat=True)) == {Asset.Status.PUBLISHED}
    assert all(
        description.startswith("Demo listing:")
        for description in assets.values_list("description", flat=True)
    )
    assert assets.filter(sensitive=True).count() == 1
    assert len(set(assets.values_list("asset_class", flat=True))) >= 5
    assert assets.exclude(opening_hours=[]).count() >= 5
    assert not assets.exclude(contributor_email="").exists()
    assert all(
        email.endswith("@example.org")
        for email in assets.exclude(email="").values_list("email", flat=True)
    )


def test_demo_load_includes_every_award_organisation(loaded):
    names = set(Asset.objects.filter(is_demo=True).values_list("name", flat=True))

    assert {row["organisation"] for row in rows("awards.csv")} <= names


def test_demo_load_puts_each_asset_in_its_zone_or_just_outside(loaded):
    assets = {
        asset.name: asset for asset in Asset.objects.filter(is_demo=True).select_related("zone")
    }
    boundaries = demo.zone_boundaries()

    for row in rows("assets.csv"):
        asset = assets[row["name"]]
        if row["latitude"]:
            # Within 500 m of a corner of the boundary, so within 500 m of the zone.
            ring = boundaries[row["zone"]]["coordinates"][0]
            nearest = min(
                geo.haversine_m(lat1=asset.latitude, lon1=asset.longitude, lat2=lat, lon2=lon)
                for lon, lat in ring
            )
            assert asset.zone is None
            assert nearest <= 500
        else:
            assert asset.zone is not None
            assert asset.zone.slug == row["zone"]
            assert asset.zone.contains_point(lat=asset.latitude, lon=asset.longitude)


def test_demo_load_adds_10_events_with_upcoming_occurrences(loaded):
    events = Event.objects.filter(is_demo=True).select_related("zone")
    now = timezone.now()

    assert events.count() == 10
    assert set(events.values_list("status", flat=True)) == {Asset.Status.PUBLISHED}
    assert {event.recurrence for event in events} == set(Event.Recurrence.values)
    for event in events:
        assert event.zone is not None
        assert next(occurrences(event, after=now, before=now + datetime.timedelta(days=60)), None)


def test_demo_load_twice_changes_nothing(loaded):
    before = (
        list(Asset.objects.order_by("pk").values_list("pk", "name", "latitude", "longitude")),
        list(Event.objects.order_by("pk").values_list("pk", "title", "start")),
        AuditEvent.objects.count(),
    )

    call_command("load_demo", stdout=io.StringIO())

    after = (
        list(Asset.objects.order_by("pk").values_list("pk", "name", "latitude", "longitude")),
        list(Event.objects.order_by("pk").values_list("pk", "title", "start")),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_demo_point_is_the_same_every_time_and_inside_the_zone():
    geometry = demo.zone_boundaries()["new-parks"]

    first = demo.demo_point(name="Somewhere", slug="new-parks", geometry=geometry)

    assert demo.demo_point(name="Somewhere", slug="new-parks", geometry=geometry) == first
    assert geo.point_in_geometry(lat=first[0], lon=first[1], geometry=geometry)
