from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from peoplezones.zones.models import Zone
from peoplezones.zones.sections import sections_for
from peoplezones.zones.selectors import zone_get, zone_list


def _zone_feature(zone: Zone) -> dict:
    return {
        "type": "Feature",
        "geometry": zone.boundary,
        "properties": {
            "name": zone.name,
            "slug": zone.slug,
            "local_authority": zone.local_authority,
            "url": zone.get_absolute_url(),
        },
    }


def _get_zone_or_404(request: HttpRequest, slug: str) -> Zone:
    try:
        return zone_get(user=request.user, slug=slug)
    except Zone.DoesNotExist:
        raise Http404(f"There is no zone called “{slug}”.") from None


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    zones = list(zone_list(user=request.user))
    features = [_zone_feature(zone) for zone in zones if zone.boundary]
    return render(
        request,
        "zones/home.html",
        {
            "zones": zones,
            "map_data": {"type": "FeatureCollection", "features": features},
        },
    )


@require_safe
def zone_detail(request: HttpRequest, slug: str) -> HttpResponse:
    zone = _get_zone_or_404(request, slug)
    map_data = {"type": "FeatureCollection", "features": [_zone_feature(zone)]}
    return render(
        request,
        "zones/zone_detail.html",
        {
            "zone": zone,
            "themes": zone.themes.all(),
            "reports": zone.research_reports.all(),
            "sections": sections_for(zone=zone, user=request.user),
            "map_data": map_data if zone.boundary else None,
        },
    )


@require_safe
def zone_boundary_geojson(request: HttpRequest, slug: str) -> HttpResponse:
    """The zone's boundary as open data: a GeoJSON Feature (RFC 7946)."""
    zone = _get_zone_or_404(request, slug)
    if not zone.boundary:
        raise Http404("This zone has no boundary yet.")
    response = JsonResponse(_zone_feature(zone), content_type="application/geo+json")
    response["Content-Disposition"] = f'attachment; filename="{zone.slug}.geojson"'
    return response
