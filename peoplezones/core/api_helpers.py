"""Small pieces the JSON API's routers share: bbox parsing and paged GeoJSON collections."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja.errors import HttpError

from peoplezones.core import geo


def bbox_or_400(value: str | None) -> tuple[float, float, float, float] | None:
    """Parse a `bbox` query parameter, answering a clear 400 when it is malformed."""
    if not value:
        return None
    try:
        return geo.parse_bbox(value)
    except geo.GeoError as error:
        raise HttpError(400, " ".join(error.messages)) from None


def paged_feature_collection(
    request: HttpRequest,
    *,
    items: QuerySet,
    page: int,
    page_size: int,
    params: dict[str, Any],
    features: Callable[[list[Any]], list[dict[str, Any]]],
) -> dict[str, Any]:
    """One page of a GeoJSON FeatureCollection, with `count`, `next` and `previous` links.

    `features` turns the page's rows into features all at once, so that it can load what the
    rows need in one query rather than one per row.
    """
    count = items.count()
    offset = (page - 1) * page_size
    rows = list(items[offset : offset + page_size])

    def link(number: int) -> str:
        query = {k: v for k, v in params.items() if v not in (None, "")}
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{urlencode(query)}")

    return {
        "type": "FeatureCollection",
        "count": count,
        "next": link(page + 1) if offset + len(rows) < count else None,
        "previous": link(page - 1) if page > 1 else None,
        "features": features(rows),
    }
