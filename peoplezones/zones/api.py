"""Zones in the API: public reads, with staff seeing proposed and closed zones too."""

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from peoplezones.accounts.api import optional_token_auth
from peoplezones.zones.models import Zone
from peoplezones.zones.selectors import zone_get, zone_list

router = Router(tags=["zones"], auth=optional_token_auth)


class ThemeOut(Schema):
    order: int
    title: str
    description: str


class ZoneOut(Schema):
    slug: str
    name: str
    local_authority: str
    status: str
    themes: list[ThemeOut]


class ZoneDetailOut(ZoneOut):
    description: str
    established: int | None
    boundary: dict | None
    bbox: list[float] | None


def _zone_out(zone: Zone) -> dict:
    return {
        "slug": zone.slug,
        "name": zone.name,
        "local_authority": zone.local_authority,
        "status": zone.status,
        # Themes were prefetched in order by the selector; .all() reuses that.
        "themes": list(zone.themes.all()),
    }


@router.get("", response=list[ZoneOut], summary="List zones")
def zones(request: HttpRequest) -> list[dict]:
    return [_zone_out(zone) for zone in zone_list(user=request.auth)]


@router.get("/{slug}", response=ZoneDetailOut, summary="One zone, with its boundary")
def zone_detail(request: HttpRequest, slug: str) -> dict:
    try:
        zone = zone_get(user=request.auth, slug=slug)
    except Zone.DoesNotExist:
        raise HttpError(404, f"There is no zone called “{slug}”.") from None
    return {
        **_zone_out(zone),
        "description": zone.description,
        "established": zone.established,
        "boundary": zone.boundary,
        "bbox": list(zone.bbox) if zone.bbox else None,
    }
