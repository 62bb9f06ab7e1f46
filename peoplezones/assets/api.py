"""The asset map in the API: GeoJSON of published assets, contributions, moderation, events."""

import datetime
import functools
from typing import Any, Literal
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from peoplezones.accounts.api import optional_token_auth, token_auth
from peoplezones.assets import feature_cache, feature_index
from peoplezones.assets.models import Asset, Category, Event
from peoplezones.assets.selectors import asset_get, asset_list, event_get, upcoming_occurrences
from peoplezones.assets.serializers import asset_feature, asset_feature_page, occurrence_data
from peoplezones.assets.services import asset_create, asset_transition, event_create
from peoplezones.core.api_helpers import bbox_or_400
from peoplezones.core.http import contribution_limited
from peoplezones.zones.models import Zone
from peoplezones.zones.selectors import zone_get

router = Router(tags=["assets"], auth=optional_token_auth)
MAX_PAGE_SIZE = 500


class AssetFilters(Schema):
    zone: str | None = Field(None, description="A zone's slug.")
    category: str | None = Field(None, description="A category's slug (includes sub-categories).")
    q: str | None = Field(None, max_length=200, description="Words in the name or description.")
    bbox: str | None = Field(None, description="minlon,minlat,maxlon,maxlat (WGS84).")
    page: int = Field(1, ge=1)
    page_size: int = Field(100, ge=1, le=MAX_PAGE_SIZE)


def _zone_or_400(request: HttpRequest, slug: str | None) -> Zone | None:
    if not slug:
        return None
    try:
        return zone_get(user=request.auth, slug=slug)
    except Zone.DoesNotExist:
        raise HttpError(400, f"There is no zone called “{slug}”.") from None


def _category_or_400(slug: str | None) -> Category | None:
    if not slug:
        return None
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise HttpError(400, f"There is no category called “{slug}”.")
    return category


@router.get(
    "/assets",
    summary="Published assets as a GeoJSON FeatureCollection",
    openapi_extra={
        "responses": {"304": {"description": "Not Modified: the `If-None-Match` ETag is current."}}
    },
)
def assets(request: HttpRequest, filters: Query[AssetFilters]) -> HttpResponse:
    """RFC 7946 features (`[longitude, latitude]`), paginated with `count`, `next`, `previous`.

    Sensitive assets have `geometry: null` and are left out when a `bbox` is given.
    Anonymous answers carry an `ETag`: send it back in `If-None-Match` to get
    `304 Not Modified` while nothing has changed.
    """
    params = filters.dict()

    def answer(version: str | None) -> bytes:
        zone = _zone_or_400(request, filters.zone)
        category = _category_or_400(filters.category)
        bbox = bbox_or_400(filters.bbox)
        link = functools.partial(_page_link, request, params)
        if version is not None and not filters.q and settings.ASSET_MAP_INDEX:
            # The public's map questions, answered from memory (anonymous requests only).
            return feature_index.answer(
                version=version,
                zone=zone,
                category=category,
                bbox=bbox,
                page=filters.page,
                page_size=filters.page_size,
                link=link,
            )
        found = asset_list(user=request.auth, zone=zone, category=category, q=filters.q, bbox=bbox)
        return asset_feature_page(
            assets=found, page=filters.page, page_size=filters.page_size, link=link
        )

    # A page of up to 500 features is costly to build; the public's answers are all alike.
    if not getattr(request.auth, "is_authenticated", False):
        return feature_cache.cached_json(request, query=params, build=answer)
    return feature_cache.json_response(answer(None))


def _page_link(request: HttpRequest, params: dict[str, Any], number: int) -> str:
    query = {k: v for k, v in params.items() if v not in (None, "")}
    query["page"] = number
    return request.build_absolute_uri(f"{request.path}?{urlencode(query)}")


@router.get("/assets/{asset_id}", summary="One published asset as a GeoJSON Feature")
def asset_detail(request: HttpRequest, asset_id: int) -> dict[str, Any]:
    try:
        return asset_feature(asset_get(user=request.auth, pk=asset_id))
    except Asset.DoesNotExist:
        raise HttpError(404, f"There is no asset {asset_id}.") from None


class OpeningTime(Schema):
    day: int = Field(..., ge=0, le=6, description="0 is Monday.")
    opens: str = Field(..., pattern=r"^\d\d:\d\d$")
    closes: str = Field(..., pattern=r"^\d\d:\d\d$")


class AssetIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    asset_class: Literal["association", "institution", "physical_space", "economic", "cultural"] = (
        "association"
    )
    categories: list[str] = Field(default_factory=list, max_length=10)
    latitude: float
    longitude: float
    address: str = Field("", max_length=250)
    postcode: str = Field("", max_length=10)
    opening_hours: list[OpeningTime] = Field(default_factory=list, max_length=21)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    website: str = Field("", max_length=200)
    accessibility: str = Field("", max_length=2000)
    languages: str = Field("", max_length=200)
    contributor_name: str = Field("", max_length=120, description="Private: never published.")
    contributor_email: str = Field("", max_length=254, description="Private: never published.")


class CreatedOut(Schema):
    id: int
    status: str


@router.post("/assets", response={201: CreatedOut}, summary="Suggest an asset (no account needed)")
def asset_suggest(request: HttpRequest, payload: AssetIn) -> Status:
    """Lands as `pending` until a moderator publishes it. Limited per address to deter spam."""
    if contribution_limited(request):
        raise HttpError(429, "Too many contributions from your address: try again in an hour.")
    data = payload.dict()
    categories = data.pop("categories")
    contributor = {k: data.pop(k) for k in ("contributor_name", "contributor_email")}
    asset = asset_create(
        actor=request.auth,
        fields=data,
        categories=categories,
        owner=request.auth if getattr(request.auth, "is_authenticated", False) else None,
        **contributor,
    )
    return Status(201, {"id": asset.pk, "status": asset.status})


class ModerationIn(Schema):
    action: Literal["approve", "reject", "archive", "restore"]
    reason: str = Field("", max_length=2000)


@router.post(
    "/assets/{asset_id}/moderate",
    response=CreatedOut,
    auth=token_auth,
    summary="Publish, reject, archive or restore an asset (moderators)",
)
def asset_moderate(request: HttpRequest, asset_id: int, payload: ModerationIn) -> dict[str, Any]:
    try:
        asset = asset_get(user=request.auth, pk=asset_id)
    except Asset.DoesNotExist:
        raise HttpError(404, f"There is no asset {asset_id}.") from None
    asset = asset_transition(
        asset=asset, actor=request.auth, action=payload.action, reason=payload.reason
    )
    return {"id": asset.pk, "status": asset.status}


class EventFilters(Schema):
    zone: str | None = None
    days: int = Field(90, ge=1, le=366)


@router.get("/events", summary="Upcoming occurrences of published events, soonest first")
def events(request: HttpRequest, filters: Query[EventFilters]) -> list[dict[str, Any]]:
    found = upcoming_occurrences(
        user=request.auth, zone=_zone_or_400(request, filters.zone), days=filters.days
    )
    return [occurrence_data(occurrence) for occurrence in found]


@router.get("/events/{event_id}", summary="One published event and its next occurrences")
def event_detail(request: HttpRequest, event_id: int) -> dict[str, Any]:
    try:
        event = event_get(user=request.auth, pk=event_id)
    except Event.DoesNotExist:
        raise HttpError(404, f"There is no event {event_id}.") from None
    found = [o for o in upcoming_occurrences(user=request.auth) if o.event.pk == event.pk]
    return {
        "id": event.pk,
        "title": event.title,
        "occurrences": [occurrence_data(o) for o in found],
    }


class EventIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    asset: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    venue: str = Field("", max_length=200)
    start: datetime.datetime
    end: datetime.datetime
    recurrence: Literal["none", "weekly", "monthly"] = "none"
    repeat_until: datetime.date | None = None
    booking_url: str = Field("", max_length=200)
    contributor_email: str = Field("", max_length=254, description="Private: never published.")


@router.post("/events", response={201: CreatedOut}, summary="Suggest an event (no account needed)")
def event_suggest(request: HttpRequest, payload: EventIn) -> Status:
    if contribution_limited(request):
        raise HttpError(429, "Too many contributions from your address: try again in an hour.")
    data = payload.dict()
    asset = None
    if data.pop("asset") is not None:
        try:
            asset = asset_get(user=request.auth, pk=payload.asset)
        except Asset.DoesNotExist:
            raise HttpError(400, f"There is no asset {payload.asset}.") from None
    contributor_email = data.pop("contributor_email")
    event = event_create(
        actor=request.auth, fields=data, asset=asset, contributor_email=contributor_email
    )
    return Status(201, {"id": event.pk, "status": event.status})


@router.post(
    "/events/{event_id}/moderate",
    response=CreatedOut,
    auth=token_auth,
    summary="Publish, reject, archive or restore an event (moderators)",
)
def event_moderate(request: HttpRequest, event_id: int, payload: ModerationIn) -> dict[str, Any]:
    try:
        event = event_get(user=request.auth, pk=event_id)
    except Event.DoesNotExist:
        raise HttpError(404, f"There is no event {event_id}.") from None
    event = asset_transition(
        asset=event, actor=request.auth, action=payload.action, reason=payload.reason
    )
    return {"id": event.pk, "status": event.status}
