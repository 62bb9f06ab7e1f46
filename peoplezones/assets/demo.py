"""Demo community assets and events in the three zones, every one marked as demo data."""

import csv
import datetime
import json
import random
from pathlib import Path
from typing import Any, TextIO

from django.utils import timezone

from peoplezones.accounts.models import User
from peoplezones.assets.importers import DAYS, parse_opening_hours
from peoplezones.assets.models import Asset, Category, Event
from peoplezones.assets.services import asset_create, event_create
from peoplezones.assets.taxonomy import ensure_default_categories
from peoplezones.core import geo

ORDER = 30
DESCRIPTION = "Demo community assets and events on the zones' maps"
DATA = Path(__file__).parent / "demo_data"
ZONE_BOUNDARIES = Path(__file__).parent.parent / "zones" / "demo_data" / "zones.geojson"
PREFIX = "Demo listing: "
# Created by the accounts demo (ORDER 20); publishing needs a moderator or the programme team.
ACTOR_EMAIL = "programme.team@example.org"
REPEAT_FOR = datetime.timedelta(days=365)


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def zone_boundaries() -> dict[str, dict[str, Any]]:
    """Each demo zone's boundary geometry by slug, from the zones app's demo data."""
    features = json.loads(ZONE_BOUNDARIES.read_text(encoding="utf-8"))["features"]
    return {feature["properties"]["slug"]: feature["geometry"] for feature in features}


def demo_point(*, name: str, slug: str, geometry: dict[str, Any]) -> tuple[float, float]:
    """A point inside the zone chosen by the asset's name alone, so it is the same every load.

    Sampling the bounding box until a point falls inside keeps the spread even over the shape.
    """
    rng = random.Random(f"{slug}:{name}")
    min_lon, min_lat, max_lon, max_lat = geo.geometry_bbox(geometry)
    while True:
        lat = round(rng.uniform(min_lat, max_lat), 5)
        lon = round(rng.uniform(min_lon, max_lon), 5)
        if geo.point_in_geometry(lat=lat, lon=lon, geometry=geometry, cache_key=f"demo:{slug}"):
            return lat, lon


def _asset_fields(row: dict[str, str], point: tuple[float, float]) -> dict[str, Any]:
    return {
        "name": row["name"],
        "description": PREFIX + row["description"],
        "asset_class": row["asset_class"],
        "latitude": point[0],
        "longitude": point[1],
        "address": row["address"],
        "opening_hours": parse_opening_hours(row["opening_hours"]),
        "languages": row["languages"],
        "accessibility": row["accessibility"],
        "sensitive": row["sensitive"] == "yes",
        "phone": row["phone"],
        "website": row["website"],
    }


def first_start(*, weekday: str, weeks_ahead: int, monthly: bool) -> datetime.date:
    """The next such weekday after today (never today: it may be over), `weeks_ahead` later.

    A monthly event keeps its day of the month, so it starts on the 28th or earlier: every
    month has that day.
    """
    today = timezone.localdate()
    days = (DAYS[weekday.lower()] - today.weekday()) % 7 or 7
    start = today + datetime.timedelta(days=days, weeks=weeks_ahead)
    while monthly and start.day > 28:
        start += datetime.timedelta(weeks=1)
    return start


def _event_fields(row: dict[str, str]) -> dict[str, Any]:
    recurrence = row["recurrence"]
    day = first_start(
        weekday=row["weekday"],
        weeks_ahead=int(row["weeks_ahead"]),
        monthly=recurrence == Event.Recurrence.MONTHLY,
    )
    fields: dict[str, Any] = {
        "title": row["title"],
        "description": PREFIX + row["description"],
        "start": timezone.make_aware(
            datetime.datetime.combine(day, datetime.time.fromisoformat(row["starts"]))
        ),
        "end": timezone.make_aware(
            datetime.datetime.combine(day, datetime.time.fromisoformat(row["ends"]))
        ),
        "recurrence": recurrence,
        "repeat_until": day + REPEAT_FOR if recurrence != Event.Recurrence.NONE else None,
        "venue": row["venue"],
    }
    if row["latitude"]:
        fields["latitude"], fields["longitude"] = float(row["latitude"]), float(row["longitude"])
    return fields


def load(*, out: TextIO) -> None:
    """Create the demo assets and events not there yet, found by name or title; never twice."""
    actor = User.objects.get(email=ACTOR_EMAIL)
    # A site whose staff have pruned the taxonomy still gets the categories the demo uses.
    ensure_default_categories(Category)
    boundaries = zone_boundaries()
    existing = set(Asset.objects.filter(is_demo=True).values_list("name", flat=True))
    created_assets = 0
    for row in _read_csv("assets.csv"):
        if row["name"] in existing:
            continue
        if row["latitude"]:
            # Hand-picked points just outside a zone: the map is more than its boundary.
            point = (float(row["latitude"]), float(row["longitude"]))
        else:
            point = demo_point(name=row["name"], slug=row["zone"], geometry=boundaries[row["zone"]])
        asset_create(
            actor=actor,
            fields=_asset_fields(row, point),
            categories=row["categories"].split(";"),
            status=Asset.Status.PUBLISHED,
            source=Asset.Source.STAFF,
            is_demo=True,
        )
        created_assets += 1

    assets = {asset.name: asset for asset in Asset.objects.filter(is_demo=True)}
    existing = set(Event.objects.filter(is_demo=True).values_list("title", flat=True))
    created_events = 0
    for row in _read_csv("events.csv"):
        if row["title"] in existing:
            continue
        event_create(
            actor=actor,
            fields=_event_fields(row),
            asset=assets[row["asset"]] if row["asset"] else None,
            status=Asset.Status.PUBLISHED,
            is_demo=True,
        )
        created_events += 1
    out.write(f"  created {created_assets} demo assets and {created_events} demo events\n")
