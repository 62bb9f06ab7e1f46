"""Crimestoppers targeting for the programme team: ranked streets by zone, a printable map for
leaflet drops, CSV; and the table linking research themes to police.uk crime types."""

import io
from typing import Any

import numpy as np
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from peoplezones.core.forms import add_service_errors
from peoplezones.insight import hotspots as engine
from peoplezones.insight.comparison import latest_crime_month
from peoplezones.insight.crimestoppers import (
    BAND,
    CELL_SIZE,
    MONTHS,
    TREND_MONTHS,
    Targeting,
    study_boundary,
    targeting,
    theme_crime_type_rows,
    theme_crime_types_set,
    theme_titles_in_use,
    write_targets_csv,
    zone_theme_links,
)
from peoplezones.insight.forms import TargetingForm, ThemeCrimeTypesForm
from peoplezones.insight.views.access import require_analyst
from peoplezones.insight.views.svg import CLASS_LABELS, CLASS_STYLES, cell_map, class_swatch
from peoplezones.zones.selectors import zone_list
from peoplezones.zones.shortcuts import zone_or_404


@login_required
@require_safe
def crimestoppers(request: HttpRequest) -> HttpResponse:
    """Every zone with its themes and their linked crime types, linking to its targeting page."""
    require_analyst(request)
    rows = theme_crime_type_rows()
    zones = [
        (zone, zone_theme_links(zone=zone, rows=rows))
        for zone in zone_list(user=request.user)
        if zone.boundary
    ]
    return render(request, "insight/crimestoppers.html", {"zones": zones})


def _plan(request: HttpRequest, slug: str) -> tuple[dict[str, Any], int]:
    """The targeting of a zone from the page's query, and the status to answer with."""
    require_analyst(request)
    zone = zone_or_404(user=request.user, slug=slug)
    latest = latest_crime_month()
    data = request.GET.copy()
    form = TargetingForm(data, default_to=latest)
    context: dict[str, Any] = {"zone": zone, "form": form, "latest": latest, "query": ""}
    if latest is None:
        return context, 200
    if not form.is_valid():
        return context, 400
    plan = targeting(
        zone=zone, month_to=form.cleaned_data["month_to"], buffer=form.cleaned_data["buffer"]
    )
    context["plan"] = plan
    context["query"] = f"month_to={plan.month_to:%Y-%m}&buffer={plan.buffer}"
    context["trend_months"] = TREND_MONTHS
    context["months"] = MONTHS
    context["cell_size"] = CELL_SIZE
    context["band"] = BAND
    context["types_text"] = ", ".join(plan.crime_types)
    if plan.result is not None:
        context["map_svg"] = _map(plan)
        context["legend"] = [
            (class_swatch(name), style["label"], style["look"])
            for name, style in CLASS_STYLES.items()
            if name.startswith("hot")
        ]
        for street in plan.streets:
            street.level_label = CLASS_LABELS.get(f"hot_{street.level}", _("Not significant"))
    return context, 200


def _map(plan: Targeting) -> Any:
    result = plan.result
    grid = result.grid
    size = float(grid.size)
    zone_boundary, buffered = study_boundary(plan)
    outlines = [(zone_boundary, "solid")]
    if buffered is not None:
        outlines.append((buffered, "dashed"))
    labels = []
    z = result.stats.z
    for area in plan.areas:
        strongest = max(area.cells, key=lambda cell: z[cell])
        labels.append(
            (grid.corner_e[strongest] + size / 2, grid.corner_n[strongest] + size / 2, area.letter)
        )
    # Only hot cells matter for targeting: cold spots are left off this map.
    classes = np.where(
        np.char.startswith(result.stats.classes, "hot"),
        result.stats.classes,
        engine.NOT_SIGNIFICANT,
    )
    return cell_map(
        grid=grid,
        classes=classes,
        title=_("Hot spots of the linked crime types in and around %(zone)s")
        % {"zone": plan.zone.name},
        description=_(
            "Hot cells (%(size)s m squares) with lettered areas A, B, C… that match the table of "
            "areas and streets. Solid line: the zone's boundary; dashed line: %(buffer)s m around "
            "it."
        )
        % {"size": CELL_SIZE, "buffer": plan.buffer},
        map_id="targets-map",
        outlines=outlines,
        labels=labels,
    )


@login_required
@require_safe
def crimestoppers_zone(request: HttpRequest, slug: str) -> HttpResponse:
    """A zone's streets ranked by hotspot strength for its themes' crime types."""
    context, status = _plan(request, slug)
    return render(request, "insight/crimestoppers_zone.html", context, status=status)


@login_required
@require_safe
def crimestoppers_print(request: HttpRequest, slug: str) -> HttpResponse:
    """The map and the lettered areas with their streets, laid out to print for a leaflet drop."""
    context, status = _plan(request, slug)
    return render(request, "insight/crimestoppers_print.html", context, status=status)


@login_required
@require_safe
def crimestoppers_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The ranked streets as CSV."""
    context, status = _plan(request, slug)
    if status != 200:
        return render(request, "insight/crimestoppers_zone.html", context, status=status)
    plan = context.get("plan")
    if plan is None:
        raise Http404(_("No police.uk crime has been imported yet."))
    out = io.StringIO()
    write_targets_csv(plan, out)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"crimestoppers-{plan.zone.slug}-{plan.month_to:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_safe
def theme_crime_types(request: HttpRequest) -> HttpResponse:
    """Every research theme with the police.uk crime types it is linked to."""
    require_analyst(request)
    entries = theme_titles_in_use()
    for entry in entries:
        entry["slug"] = slugify(entry["title"])
    return render(request, "insight/theme_crime_types.html", {"entries": entries})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def theme_crime_types_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Change the crime types one theme is linked to (creating its row if it has none)."""
    require_analyst(request)
    entry = next((item for item in theme_titles_in_use() if slugify(item["title"]) == slug), None)
    if entry is None:
        raise Http404(_("There is no research theme “%(slug)s”.") % {"slug": slug})
    row = entry["row"]
    status = 200
    if request.method == "POST":
        form = ThemeCrimeTypesForm(request.POST)
        if form.is_valid():
            try:
                theme_crime_types_set(
                    title=entry["title"],
                    crime_types=form.cleaned_data["crime_types"],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Saved the crime types of “%(theme)s”.") % {"theme": entry["title"]},
                )
                return redirect("insight:theme-crime-types")
        status = 400
    else:
        form = ThemeCrimeTypesForm(
            initial={
                "crime_types": row.crime_types if row else [],
                "note": row.note if row else "",
            }
        )
    return render(
        request,
        "insight/theme_crime_types_edit.html",
        {"entry": entry, "form": form},
        status=status,
    )
