from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from peoplezones.zones.models import Zone
from peoplezones.zones.sections import sections_for
from peoplezones.zones.selectors import zone_list
from peoplezones.zones.shortcuts import zone_or_404


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
    zone = zone_or_404(user=request.user, slug=slug)
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
    zone = zone_or_404(user=request.user, slug=slug)
    if not zone.boundary:
        raise Http404("This zone has no boundary yet.")
    response = JsonResponse(_zone_feature(zone), content_type="application/geo+json")
    response["Content-Disposition"] = f'attachment; filename="{zone.slug}.geojson"'
    return response
