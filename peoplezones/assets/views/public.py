"""Public pages of the asset map: maps and lists, asset pages, contributions, events."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from peoplezones.assets.forms import (
    AssetContributionForm,
    FlagForm,
    MapFilterForm,
    SuggestChangeForm,
)
from peoplezones.assets.models import Asset, Category, Event
from peoplezones.assets.permissions import can_edit_asset, can_moderate_assets
from peoplezones.assets.selectors import (
    asset_get,
    asset_list,
    asset_map_points,
    event_get,
    postcode_point,
    public_events,
    upcoming_occurrences,
)
from peoplezones.assets.serializers import event_point
from peoplezones.assets.services import (
    asset_create,
    asset_flag,
    asset_photo_add,
    asset_suggest_change,
    asset_update,
)
from peoplezones.core.forms import add_service_errors
from peoplezones.core.http import contribution_limited
from peoplezones.core.selectors import within_radius
from peoplezones.zones.models import Zone
from peoplezones.zones.selectors import zone_list
from peoplezones.zones.shortcuts import zone_or_404

PAGE_SIZE = 25
NEAR_RADIUS_M = 2000


def _asset_or_404(request: HttpRequest, pk: int) -> Asset:
    try:
        return asset_get(user=request.user, pk=pk)
    except Asset.DoesNotExist:
        raise Http404(_("There is no such asset.")) from None


def _category(filters: dict) -> Category | None:
    slug = filters.get("category")
    return Category.objects.filter(slug=slug).first() if slug else None


def _map_page(request: HttpRequest, zone: Zone | None) -> HttpResponse:
    """The map and the accessible list of the same results (the list works without JS)."""
    form = MapFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    category = _category(filters)
    assets = asset_list(user=AnonymousUser(), zone=zone, category=category, q=filters.get("q"))
    near, near_error = None, None
    if filters.get("lat") is not None and filters.get("lon") is not None:
        near = (filters["lat"], filters["lon"])
    elif filters.get("postcode"):
        near = postcode_point(postcode=filters["postcode"])
        if near is None:
            near_error = _(
                "We could not find the postcode “%(postcode)s” on the map. "
                "Check it, try a nearby postcode, or search by name instead."
            ) % {"postcode": filters["postcode"]}
    results: list = []
    if near is not None:
        # Sensitive assets have no public point, so they are never "near" anything.
        results = within_radius(
            assets.filter(sensitive=False), lat=near[0], lon=near[1], radius_m=NEAR_RADIUS_M
        )
    else:
        results = assets
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    points_url = reverse("assets:map-points")
    params = query.copy()
    if zone is not None:
        params["zone"] = zone.slug
    return render(
        request,
        "assets/map.html",
        {
            "zone": zone,
            "zones": zone_list(user=request.user) if zone is None else None,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "near": near,
            "near_error": near_error,
            "near_radius_km": NEAR_RADIUS_M / 1000,
            "points_url": f"{points_url}?{params.urlencode()}",
            "zone_boundary": zone.boundary if zone is not None else None,
        },
    )


@require_safe
def all_zones_map(request: HttpRequest) -> HttpResponse:
    return _map_page(request, None)


@require_safe
def zone_map(request: HttpRequest, slug: str) -> HttpResponse:
    return _map_page(request, zone_or_404(user=request.user, slug=slug))


@require_safe
def map_points(request: HttpRequest) -> JsonResponse:
    """Points for the map's markers: the same filters as the list, in a compact form."""
    form = MapFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    zone = None
    if request.GET.get("zone"):
        zone = zone_or_404(user=request.user, slug=request.GET["zone"])
    category = _category(filters)
    assets = asset_list(user=AnonymousUser(), zone=zone, category=category, q=filters.get("q"))
    return JsonResponse({"points": asset_map_points(assets=assets)})


@require_safe
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    asset = _asset_or_404(request, pk)
    return render(
        request,
        "assets/asset_detail.html",
        {
            "asset": asset,
            "occurrences": upcoming_occurrences(user=request.user, asset=asset, limit=10),
            "can_edit": can_edit_asset(request.user, asset),
            "can_moderate": can_moderate_assets(request.user),
            "point": None if asset.sensitive else {"lat": asset.latitude, "lon": asset.longitude},
        },
    )


def _add_context(request: HttpRequest, form: AssetContributionForm) -> dict:
    zone = None
    if request.GET.get("zone"):
        zone = Zone.objects.filter(slug=request.GET["zone"], status=Zone.Status.ACTIVE).first()
    return {"form": form, "zone": zone, "zone_boundary": zone.boundary if zone else None}


@require_http_methods(["GET", "POST"])
def asset_add(request: HttpRequest) -> HttpResponse:
    """Anyone can add an asset; it waits for a moderator. The form keeps what was typed."""
    if request.method == "GET":
        form = AssetContributionForm()
        return render(request, "assets/asset_add.html", _add_context(request, form))
    form = AssetContributionForm(request.POST, request.FILES)
    if form.is_valid() and form.is_spam():
        # Pretend it worked: telling a bot what tripped it only teaches it.
        return redirect("assets:asset-thanks")
    status = 200
    if form.is_valid():
        fields = form.asset_fields()
        if fields["latitude"] is None or fields["longitude"] is None:
            point = postcode_point(postcode=fields["postcode"]) if fields["postcode"] else None
            if point is None:
                form.add_error(
                    "latitude",
                    _(
                        "Show us where it is: put a pin on the map, or give its latitude and "
                        "longitude. We could not place it from the postcode alone."
                    ),
                )
            else:
                fields["latitude"], fields["longitude"] = point
        if form.is_valid() and contribution_limited(request):
            form.add_error(
                None, _("Too many contributions from your address. Try again in an hour.")
            )
            status = 429
        if form.is_valid():
            try:
                with transaction.atomic():
                    asset = asset_create(
                        actor=request.user,
                        fields=fields,
                        categories=form.cleaned_data["categories"],
                        contributor_name=form.cleaned_data["contributor_name"],
                        contributor_email=form.cleaned_data["contributor_email"],
                        owner=request.user if request.user.is_authenticated else None,
                    )
                    if form.cleaned_data.get("photo"):
                        asset_photo_add(
                            asset=asset,
                            actor=request.user,
                            upload=form.cleaned_data["photo"],
                            alt_text=form.cleaned_data["photo_alt"],
                        )
            except ValidationError as error:
                add_service_errors(form, error, photo_field="photo")
            else:
                return redirect("assets:asset-thanks")
    return render(
        request,
        "assets/asset_add.html",
        _add_context(request, form),
        status=status if status != 200 else 400,
    )


@require_safe
def asset_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "assets/asset_thanks.html")


@require_http_methods(["GET", "POST"])
def asset_suggest(request: HttpRequest, pk: int) -> HttpResponse:
    """Suggest a change; owners of unpublished assets change them directly."""
    asset = _asset_or_404(request, pk)
    direct = can_edit_asset(request.user, asset) and (
        asset.status != Asset.Status.PUBLISHED or can_moderate_assets(request.user)
    )
    if request.method == "GET":
        form = SuggestChangeForm(initial=SuggestChangeForm.initial_for(asset))
        return render(
            request, "assets/asset_suggest.html", {"asset": asset, "form": form, "direct": direct}
        )
    form = SuggestChangeForm(request.POST)
    if form.is_valid() and form.is_spam():
        return redirect("assets:asset-thanks")
    status = 400
    if form.is_valid():
        if not direct and contribution_limited(request):
            form.add_error(
                None, _("Too many contributions from your address. Try again in an hour.")
            )
            status = 429
        else:
            try:
                if direct:
                    asset_update(asset=asset, actor=request.user, fields=form.changes())
                else:
                    asset_suggest_change(
                        asset=asset,
                        actor=request.user,
                        changes=form.changes(),
                        note=form.cleaned_data["note"],
                        contributor_email=form.cleaned_data["contributor_email"],
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return render(
                    request, "assets/asset_suggest_done.html", {"asset": asset, "direct": direct}
                )
    return render(
        request,
        "assets/asset_suggest.html",
        {"asset": asset, "form": form, "direct": direct},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def asset_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a problem with an asset: a flag for the moderators. Nothing changes until they act."""
    asset = _asset_or_404(request, pk)
    if request.method == "GET":
        return render(request, "assets/asset_report.html", {"asset": asset, "form": FlagForm()})
    form = FlagForm(request.POST)
    if form.is_valid() and form.is_spam():
        return render(request, "assets/asset_report_done.html", {"asset": asset})
    status = 400
    if form.is_valid():
        if contribution_limited(request):
            form.add_error(None, _("Too many reports from your address. Try again in an hour."))
            status = 429
        else:
            asset_flag(
                asset=asset,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
                reporter_email=form.cleaned_data["reporter_email"],
            )
            return render(request, "assets/asset_report_done.html", {"asset": asset})
    return render(
        request, "assets/asset_report.html", {"asset": asset, "form": form}, status=status
    )


@require_safe
def zone_events(request: HttpRequest, slug: str) -> HttpResponse:
    zone = zone_or_404(user=request.user, slug=slug)
    return render(
        request,
        "assets/zone_events.html",
        {"zone": zone, "occurrences": upcoming_occurrences(user=request.user, zone=zone)},
    )


@require_safe
def zone_events_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """The zone's published events as an iCalendar feed (RFC 5545); repeats as RRULEs."""
    zone = zone_or_404(user=request.user, slug=slug)
    now = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//People Zones//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("What's on in %(zone)s") % {"zone": zone.name})
    for event in public_events().filter(zone=zone).order_by("start"):
        if event.recurrence == Event.Recurrence.NONE and event.end < now:
            continue
        if event.repeat_until and event.repeat_until < now.date():
            continue
        item = CalendarEvent()
        item.add("uid", f"{event.uuid}@peoplezones")
        item.add("summary", event.title)
        item.add("dtstart", event.start)
        item.add("dtend", event.end)
        item.add("dtstamp", event.modified)
        if event.description:
            item.add("description", event.description)
        point = event_point(event)
        where = event.venue or (event.asset.name if event.asset else "")
        if where:
            item.add("location", where)
        if point:
            item.add("geo", point)
        item.add("url", request.build_absolute_uri(event.get_absolute_url()))
        if event.recurrence != Event.Recurrence.NONE:
            until = datetime.datetime.combine(
                event.repeat_until, datetime.time(23, 59, 59), tzinfo=datetime.UTC
            )
            item.add("rrule", {"freq": event.recurrence.upper(), "until": until})
        calendar.add_component(item)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{zone.slug}-events.ics"'
    return response


@require_safe
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        event = event_get(user=request.user, pk=pk)
    except Event.DoesNotExist:
        raise Http404(_("There is no such event.")) from None
    found = [
        o
        for o in upcoming_occurrences(user=request.user, zone=event.zone)
        if o.event.pk == event.pk
    ]
    return render(
        request,
        "assets/event_detail.html",
        {"event": event, "occurrences": found[:10], "point": event_point(event)},
    )


urlpatterns = [
    path("map/", all_zones_map, name="map"),
    path("zones/<slug:slug>/map/", zone_map, name="zone-map"),
    path("zones/<slug:slug>/events/", zone_events, name="zone-events"),
    path("zones/<slug:slug>/events.ics", zone_events_ics, name="zone-events-ics"),
    path("assets/map-points.json", map_points, name="map-points"),
    path("assets/add/", asset_add, name="asset-add"),
    path("assets/add/thanks/", asset_thanks, name="asset-thanks"),
    path("assets/<int:pk>/", asset_detail, name="asset-detail"),
    path("assets/<int:pk>/suggest/", asset_suggest, name="asset-suggest"),
    path("assets/<int:pk>/report/", asset_report, name="asset-report"),
    path("events/<int:pk>/", event_detail, name="event-detail"),
]
