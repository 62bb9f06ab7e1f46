"""Public representations of assets and events, shared by the API, exports and feeds.

Nothing here ever includes a contributor's or reporter's name or email. A sensitive asset's
exact point and street address are never included: only its zone.
"""

from typing import Any

from django.urls import get_script_prefix, reverse

from peoplezones.assets.models import Asset, Event
from peoplezones.assets.recurrence import Occurrence
from peoplezones.assets.selectors import asset_category_slugs

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


_url_templates: dict[tuple[str, str], str] = {}


def _detail_url(name: str, pk: int) -> str:
    # reverse() is slow next to everything else a feature costs; resolve the pattern once per
    # URL prefix and fill in the id.
    key = (get_script_prefix(), name)
    if key not in _url_templates:
        _url_templates[key] = reverse(name, kwargs={"pk": 999999999})
    return _url_templates[key].replace("999999999", str(pk))


def asset_properties(asset: Asset, *, categories: list[str] | None = None) -> dict[str, Any]:
    """The public facts about an asset (its zone should be loaded; its categories prefetched,
    or their slugs given)."""
    return {
        "id": asset.pk,
        "uuid": str(asset.uuid),
        "name": asset.name,
        "description": asset.description,
        "asset_class": asset.asset_class,
        "categories": (
            categories if categories is not None else [c.slug for c in asset.categories.all()]
        ),
        "zone": asset.zone.slug if asset.zone_id and asset.zone else None,
        "address": "" if asset.sensitive else asset.address,
        "postcode": _outward(asset.postcode) if asset.sensitive else asset.postcode,
        "location_withheld": asset.sensitive,
        "opening_hours": asset.opening_hours,
        "phone": asset.phone,
        "email": asset.email,
        "website": asset.website,
        "accessibility": asset.accessibility,
        "languages": asset.language_list,
        "last_verified": asset.last_verified.isoformat() if asset.last_verified else None,
        "status": asset.status,
        "under_review": bool(getattr(asset, "under_review", False)),
        "url": _detail_url("assets:asset-detail", asset.pk),
    }


def _outward(postcode: str) -> str:
    # The district (e.g. "LE3") says roughly where without pointing at a building.
    return postcode.split(" ")[0] if postcode else ""


def asset_geometry(asset: Asset) -> dict[str, Any] | None:
    """A GeoJSON Point ([lon, lat], RFC 7946), or None when the location is withheld."""
    if asset.sensitive:
        return None
    return {"type": "Point", "coordinates": [asset.longitude, asset.latitude]}


def asset_feature(asset: Asset) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": asset.pk,
        "geometry": asset_geometry(asset),
        "properties": asset_properties(asset),
    }


def asset_features(assets: list[Asset]) -> list[dict[str, Any]]:
    """Features for a page of assets, their category slugs read in one query."""
    slugs = asset_category_slugs(asset_ids=[asset.pk for asset in assets])
    return [
        {
            "type": "Feature",
            "id": asset.pk,
            "geometry": asset_geometry(asset),
            "properties": asset_properties(asset, categories=slugs.get(asset.pk, [])),
        }
        for asset in assets
    ]


def feature_collection(assets: Any, **extra: Any) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        **extra,
        "features": [asset_feature(asset) for asset in assets],
    }


def event_point(event: Event) -> tuple[float, float] | None:
    """Where the event is as (lat, lon), unless that would reveal a sensitive place."""
    if event.asset_id and event.asset:
        if event.asset.sensitive:
            return None
        return (event.asset.latitude, event.asset.longitude)
    if event.latitude is None:
        return None
    return (event.latitude, event.longitude)


def occurrence_data(occurrence: Occurrence) -> dict[str, Any]:
    event = occurrence.event
    point = event_point(event)
    return {
        "id": event.pk,
        "uuid": str(event.uuid),
        "title": event.title,
        "description": event.description,
        "start": occurrence.start.isoformat(),
        "end": occurrence.end.isoformat(),
        "recurrence": event.recurrence,
        "venue": event.venue or (event.asset.name if event.asset_id and event.asset else ""),
        "asset": event.asset_id,
        "zone": event.zone.slug if event.zone_id and event.zone else None,
        "latitude": point[0] if point else None,
        "longitude": point[1] if point else None,
        "booking_url": event.booking_url,
        "url": _detail_url("assets:event-detail", event.pk),
    }
