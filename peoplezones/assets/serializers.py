"""Public representations of assets and events, shared by the API, exports and feeds.

Nothing here ever includes a contributor's or reporter's name or email. A sensitive asset's
exact point and street address are never included: only its zone.
"""

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.urls import get_script_prefix, reverse

from peoplezones.assets.models import Asset, Event
from peoplezones.assets.recurrence import Occurrence
from peoplezones.assets.selectors import asset_category_slugs, asset_page_rows

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


_url_templates: dict[tuple[str, str], str] = {}


def _detail_url(name: str, pk: int) -> str:
    # reverse() is slow next to everything else a feature costs; resolve the pattern once per
    # URL prefix and fill in the id.
    key = (get_script_prefix(), name)
    if key not in _url_templates:
        _url_templates[key] = reverse(name, kwargs={"pk": 999999999})
    return _url_templates[key].replace("999999999", str(pk))


def _own_properties(asset: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The public facts that come from the asset's own row, in two parts: those before and
    those after `categories` and `zone` (which come from other rows)."""
    last_verified = asset.last_verified
    head = {
        "uuid": str(asset.uuid),
        "name": asset.name,
        "description": asset.description,
        "asset_class": asset.asset_class,
    }
    tail = {
        "address": "" if asset.sensitive else asset.address,
        "postcode": _outward(asset.postcode) if asset.sensitive else asset.postcode,
        "location_withheld": asset.sensitive,
        "opening_hours": asset.opening_hours,
        "phone": asset.phone,
        "email": asset.email,
        "website": asset.website,
        "accessibility": asset.accessibility,
        "languages": _language_list(asset.languages),
        "last_verified": (
            last_verified.isoformat() if hasattr(last_verified, "isoformat") else last_verified
        ),
        "status": asset.status,
    }
    return head, tail


def asset_properties(asset: Asset, *, categories: list[str] | None = None) -> dict[str, Any]:
    """The public facts about an asset (its zone should be loaded; its categories prefetched,
    or their slugs given)."""
    head, tail = _own_properties(asset)
    return {
        "id": asset.pk,
        **head,
        "categories": (
            categories if categories is not None else [c.slug for c in asset.categories.all()]
        ),
        "zone": asset.zone.slug if asset.zone_id and asset.zone else None,
        **tail,
        "under_review": bool(getattr(asset, "under_review", False)),
        "url": _detail_url("assets:asset-detail", asset.pk),
    }


def _language_list(languages: str) -> list[str]:
    # As Asset.language_list, for historical models in migrations too.
    return [item.strip() for item in (languages or "").split(",") if item.strip()]


def _outward(postcode: str) -> str:
    # The district (e.g. "LE3") says roughly where without pointing at a building.
    return postcode.split(" ")[0] if postcode else ""


def asset_geometry(asset: Asset) -> dict[str, Any] | None:
    """A GeoJSON Point ([lon, lat], RFC 7946), or None when the location is withheld."""
    if asset.sensitive:
        return None
    # float(): the stored feature may be built before the row is saved, from values as given.
    return {"type": "Point", "coordinates": [_number(asset.longitude), _number(asset.latitude)]}


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def asset_feature(asset: Asset) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": asset.pk,
        "geometry": asset_geometry(asset),
        "properties": asset_properties(asset),
    }


def feature_collection(assets: Any, **extra: Any) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        **extra,
        "features": [asset_feature(asset) for asset in assets],
    }


# --- Stored features: pages of the asset map without building them ----------------------------
#
# Each asset row keeps the part of its public feature that comes from the row itself as JSON
# text (`Asset.public_feature`, rebuilt by `Asset.save()` and the asset queryset's bulk writes),
# so that a page of up to 500 features is joined from stored text instead of being built from
# model instances and encoded per request. What depends on other rows or on the request
# (categories, zone, under_review, url) is added when a page is read. The stored text is made
# by `_own_properties` and `asset_geometry`, the very functions behind `asset_properties`, so
# both say the same, sensitive assets included.
#
# Change FRAGMENT_FORMAT whenever what the text holds changes, and refresh the column in a
# migration: until then, rows of another format are built on the fly (correct, only slower).
FRAGMENT_FORMAT = "f1"
# json.dumps escapes every control character, so this one never occurs inside a part.
FRAGMENT_SEPARATOR = "\x1f"
_FRAGMENT_PREFIX = FRAGMENT_FORMAT + FRAGMENT_SEPARATOR
# The fields the stored text is made of: writing any of them must rebuild it.
FRAGMENT_FIELDS = frozenset(
    {
        "uuid",
        "name",
        "description",
        "asset_class",
        "latitude",
        "longitude",
        "address",
        "postcode",
        "sensitive",
        "opening_hours",
        "phone",
        "email",
        "website",
        "accessibility",
        "languages",
        "last_verified",
        "status",
    }
)
_dumps = functools.partial(
    json.dumps, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
)


def asset_fragment(asset: Any) -> str:
    """The stored public feature text of an asset (any object with its fields, so historical
    models in migrations too): format, geometry, and the properties before and after
    `categories`/`zone`, without their braces."""
    head, tail = _own_properties(asset)
    return FRAGMENT_SEPARATOR.join(
        (FRAGMENT_FORMAT, _dumps(asset_geometry(asset)), _dumps(head)[1:-1], _dumps(tail)[1:-1])
    )


def asset_feature_page(
    *, assets: QuerySet[Asset], page: int, page_size: int, link: Callable[[int], str]
) -> bytes:
    """One page of an RFC 7946 FeatureCollection with `count`, `next`, `previous`, as UTF-8 JSON.

    The same answer as a collection of `asset_feature`s, made from each row's stored text.
    `assets` comes from `selectors.asset_list`, which decides what the user may see; `link(n)`
    is the absolute URL of page n. Three queries at most (page, categories, count), plus one
    for rows whose stored text is missing or of another format.
    """
    offset = (page - 1) * page_size
    rows, count = asset_page_rows(assets=assets, offset=offset, limit=page_size)
    features = [text.encode() for text in feature_texts(rows)]
    return collection_bytes(
        features=features,
        count=count,
        next_url=link(page + 1) if offset + len(rows) < count else None,
        previous_url=link(page - 1) if page > 1 else None,
    )


def feature_texts(
    rows: list[tuple[int, str, str | None, bool]], *, slugs: dict[int, list[str]] | None = None
) -> list[str]:
    """The complete public feature JSON of each `(id, stored text, zone slug, under review)`
    row (as `selectors.asset_page_rows` gives them), in the rows' order.

    Two queries: the rows' category slugs (unless given as `slugs`), and the assets whose
    stored text is missing or of another format, if any.
    """
    unbuilt = [pk for pk, fragment, _, _ in rows if not fragment.startswith(_FRAGMENT_PREFIX)]
    built = (
        {asset.pk: asset_fragment(asset) for asset in Asset.objects.filter(pk__in=unbuilt)}
        if unbuilt
        else {}
    )
    if slugs is None:
        slugs = asset_category_slugs(asset_ids=[row[0] for row in rows])
    url_start, url_end = _dumps(_detail_url("assets:asset-detail", 999999999)).split("999999999")
    categories_json: dict[tuple[str, ...], str] = {}
    zone_json: dict[str | None, str] = {}
    features = []
    for pk, fragment, zone, under_review in rows:
        _, geometry, head, tail = (built.get(pk) or fragment).split(FRAGMENT_SEPARATOR)
        category_slugs = tuple(slugs.get(pk, ()))
        if category_slugs not in categories_json:
            categories_json[category_slugs] = _dumps(category_slugs)
        if zone not in zone_json:
            zone_json[zone] = _dumps(zone)
        features.append(
            f'{{"type":"Feature","id":{pk},"geometry":{geometry},"properties":{{"id":{pk},'
            f'{head},"categories":{categories_json[category_slugs]},"zone":{zone_json[zone]},'
            f'{tail},"under_review":{"true" if under_review else "false"},'
            f'"url":{url_start}{pk}{url_end}}}}}'
        )
    return features


def collection_bytes(
    *, features: Sequence[bytes], count: int, next_url: str | None, previous_url: str | None
) -> bytes:
    """A page of features (each complete feature JSON) as the API's FeatureCollection."""
    head = (
        f'{{"type":"FeatureCollection","count":{count},"next":{_json_or_null(next_url)},'
        f'"previous":{_json_or_null(previous_url)},"features":['
    ).encode()
    return b"".join((head, b",".join(features), b"]}"))


def _json_or_null(text: str | None) -> str:
    return "null" if text is None else _dumps(text)


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
