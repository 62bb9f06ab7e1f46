"""Hotspot pages for the programme team: ask for a run, follow its progress, read and download
its result; and edit the harm weights that harm-weighted runs use."""

import io
from typing import Any

import numpy as np
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from peoplezones.insight import hotspots as engine
from peoplezones.insight.comparison import latest_crime_month
from peoplezones.insight.forms import HarmWeightForm, HotspotForm
from peoplezones.insight.harm import DEFAULT_WEIGHT
from peoplezones.insight.hotspot_files import write_csv, write_geojson
from peoplezones.insight.hotspots import HotspotError
from peoplezones.insight.models import CrimeTypeWeight, HotspotRun
from peoplezones.insight.selectors import (
    crime_types_stored,
    hotspot_cell_streets,
    hotspot_run_result,
    hotspot_runs_for_staff,
)
from peoplezones.insight.services import harm_weights_save
from peoplezones.insight.services.hotspots import STEPS, HotspotResult, few_crimes_warning
from peoplezones.insight.study_areas import study_area
from peoplezones.insight.tasks import STEP_LABELS, hotspot_run_request
from peoplezones.insight.views.access import require_analyst
from peoplezones.insight.views.svg import CLASS_LABELS, CLASS_STYLES, cell_map, class_swatch

TOP_CELLS = 20
RECENT_RUNS = 20
# How often (seconds) the run page checks on a run that is not finished.
POLL_SECONDS = 2
REFRESH_SECONDS = 5


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def hotspots(request: HttpRequest) -> HttpResponse:
    """The form to run an analysis (it runs in the background), and the recent runs."""
    require_analyst(request)
    latest = latest_crime_month()
    status = 200
    if request.method == "POST":
        form = HotspotForm(request.POST, default_to=latest)
        if form.is_valid():
            try:
                run = hotspot_run_request(
                    params=form.params(), actor=request.user, area=form.built_area
                )
            except HotspotError as error:
                form.add_error(None, str(error))
            else:
                return redirect("insight:hotspot-run", pk=run.pk)
        status = 400
    else:
        form = HotspotForm(default_to=latest)
    runs = hotspot_runs_for_staff(user=request.user)[:RECENT_RUNS]
    context = {"form": form, "runs": runs, "latest": latest}
    return render(request, "insight/hotspots.html", context, status=status)


def _run_or_404(request: HttpRequest, pk: int) -> HotspotRun:
    require_analyst(request)
    return get_object_or_404(hotspot_runs_for_staff(user=request.user), pk=pk)


def citation(run: HotspotRun) -> str:
    """How to cite a run in a report, in one line."""
    types = ", ".join(run.crime_types) if run.crime_types else _("all crime types")
    return _(
        "Hotspot run %(id)s: %(area)s, %(first)s to %(last)s, %(types)s, %(cell)s, "
        "%(band)s m band, %(weighting)s, classes by %(by)s at 90/95/99 %%, method version "
        "%(version)s"
    ) % {
        "id": run.pk,
        "area": run.area_label,
        "first": f"{run.month_from:%Y-%m}",
        "last": f"{run.month_to:%Y-%m}",
        "types": types,
        "cell": run.cell_label,
        "band": run.band,
        "weighting": run.get_weighting_display(),
        "by": run.get_classify_by_display(),
        "version": run.method_version,
    }


def _status(run: HotspotRun) -> dict[str, Any]:
    step = run.step if run.step in STEPS else ""
    return {
        "run": run,
        "step_label": STEP_LABELS.get(step, ""),
        "step_number": STEPS.index(step) + 1 if step else 0,
        "steps": len(STEPS),
        "finished": run.status in (HotspotRun.Status.DONE, HotspotRun.Status.FAILED),
        "poll_seconds": POLL_SECONDS,
        "refresh_seconds": REFRESH_SECONDS,
    }


def _top_cells(result: HotspotResult) -> tuple[np.ndarray, bool]:
    """The hot cells, strongest first (at most TOP_CELLS); else the highest z with crime."""
    z = result.stats.z
    hot = np.flatnonzero(np.char.startswith(result.stats.classes, "hot"))
    if len(hot):
        return hot[np.argsort(-z[hot], kind="stable")][:TOP_CELLS], True
    counted = np.flatnonzero(result.counts > 0)
    return counted[np.argsort(-z[counted], kind="stable")][:10], False


def _result_context(run: HotspotRun) -> dict[str, Any]:
    result = hotspot_run_result(run=run)
    grid, stats = result.grid, result.stats
    top, significant = _top_cells(result)
    streets = hotspot_cell_streets(run=run, grid=grid, cells=top)
    rows = [
        {
            "number": number,
            **(
                {"h3": grid.names[cell]}
                if run.is_hex
                else {"cell_e": int(grid.corner_e[cell]), "cell_n": int(grid.corner_n[cell])}
            ),
            "count": int(result.counts[cell]),
            "harm": float(result.values[cell]) if result.weighted else None,
            "z": float(stats.z[cell]),
            "p": float(stats.p[cell]),
            "q": float(stats.q[cell]),
            "class": CLASS_LABELS[str(stats.classes[cell])],
            "streets": streets.get(int(cell), []),
        }
        for number, cell in enumerate(top.tolist(), start=1)
    ]
    outlines = []
    try:
        area = study_area(run.area, buffer=run.buffer)
        outlines.append((area.boundary, "dashed" if run.buffer else "solid"))
        if run.buffer:
            outlines.append((study_area(run.area).boundary, "solid"))
    except HotspotError:
        pass  # the zone or district has gone since; the cells still show
    labels = [
        (float(grid.centre_e[cell]), float(grid.centre_n[cell]), str(number))
        for number, cell in enumerate(top.tolist(), start=1)
    ]
    counts = {name: int((stats.classes == name).sum()) for name in CLASS_LABELS}
    hot = run.hot_cells
    cold = run.cold_cells
    map_svg = cell_map(
        grid=grid,
        classes=stats.classes,
        title=_("Hot and cold spots: %(area)s") % {"area": run.area_label},
        description=_(
            "%(hot)s hot and %(cold)s cold cells (%(kind)s) out of %(cells)s, over shading of "
            "the kernel density. Numbered circles mark the cells listed in the table of top "
            "cells."
        )
        % {"hot": hot, "cold": cold, "kind": run.cell_label, "cells": run.cells},
        map_id="run-map",
        outlines=outlines,
        labels=labels,
        density=result.density,
    )
    return {
        "rows": rows,
        "significant": significant,
        "map_svg": map_svg,
        "legend": [
            (class_swatch(name), style["label"], style["look"], counts[name])
            for name, style in CLASS_STYLES.items()
        ],
        "not_significant": counts[engine.NOT_SIGNIFICANT],
        "density_max": float(result.density.max()) if len(result.density) else 0.0,
        "weighted": result.weighted,
        "snapshot": run.data_snapshot,
        "few_crimes_warning": (
            few_crimes_warning(crimes=run.crimes) if run.has_too_few_crimes else ""
        ),
    }


@login_required
@require_safe
def hotspot_run(request: HttpRequest, pk: int) -> HttpResponse:
    """A run: its progress while it works, then its map, top cells, parameters and downloads."""
    run = _run_or_404(request, pk)
    context = _status(run) | {"citation": citation(run)}
    if run.status == HotspotRun.Status.DONE:
        context.update(_result_context(run))
    return render(request, "insight/hotspot_run.html", context)


@login_required
@require_safe
def hotspot_run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's status line alone, for the run page to poll (htmx). When the run has
    finished, asks the page to reload itself so that the result shows."""
    run = _run_or_404(request, pk)
    context = _status(run)
    response = render(request, "insight/_run_status.html", context)
    if context["finished"]:
        response["HX-Refresh"] = "true"
    return response


def _finished_result(request: HttpRequest, pk: int) -> HotspotResult:
    run = _run_or_404(request, pk)
    if run.status != HotspotRun.Status.DONE:
        raise Http404(_("Hotspot run %(id)s has not finished, so there is nothing to download."))
    return hotspot_run_result(run=run)


@login_required
@require_safe
def hotspot_run_geojson(request: HttpRequest, pk: int) -> HttpResponse:
    """Every study cell of a run as GeoJSON, exactly as `manage.py hotspots` writes it."""
    result = _finished_result(request, pk)
    out = io.StringIO()
    write_geojson(result, out)
    response = HttpResponse(out.getvalue(), content_type="application/geo+json")
    response["Content-Disposition"] = f'attachment; filename="hotspot-run-{pk}.geojson"'
    return response


@login_required
@require_safe
def hotspot_run_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every study cell of a run as CSV, exactly as `manage.py hotspots` writes it."""
    result = _finished_result(request, pk)
    out = io.StringIO()
    write_csv(result, out)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hotspot-run-{pk}.csv"'
    return response


def _weight_rows(data: Any = None) -> list[dict[str, Any]]:
    """One form per crime type: those with a weight and those stored without one (count 1)."""
    stored = {item.crime_type: item for item in CrimeTypeWeight.objects.all()}
    types = sorted(set(stored) | set(crime_types_stored()), key=lambda kind: kind.lower())
    rows = []
    for kind in sorted(
        types, key=lambda k: (-(stored[k].weight if k in stored else DEFAULT_WEIGHT), k)
    ):
        item = stored.get(kind)
        initial = {
            "weight": item.weight if item else DEFAULT_WEIGHT,
            "note": item.note if item else "",
        }
        rows.append(
            {
                "crime_type": kind,
                "item": item,
                "form": HarmWeightForm(data, prefix=slugify(kind) or "type", initial=initial),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def harm_weights(request: HttpRequest) -> HttpResponse:
    """Edit the harm weights: every change is saved, or none is (and the page keeps what was
    typed); each change is an audit event. Stored runs keep the weights they used."""
    require_analyst(request)
    if request.method != "POST":
        return render(request, "insight/harm_weights.html", {"rows": _weight_rows()})
    rows = _weight_rows(request.POST)
    if not all(row["form"].is_valid() for row in rows):
        context = {"rows": rows, "has_errors": True}
        return render(request, "insight/harm_weights.html", context, status=400)
    try:
        changed = harm_weights_save(
            weights=[
                (
                    row["crime_type"],
                    row["form"].cleaned_data["weight"],
                    row["form"].cleaned_data["note"],
                )
                for row in rows
            ],
            actor=request.user,
        )
    except ValidationError as error:
        context = {"rows": rows, "has_errors": True, "service_errors": error.messages}
        return render(request, "insight/harm_weights.html", context, status=400)
    if changed:
        messages.success(
            request,
            ngettext(
                "Saved %(count)s changed harm weight.",
                "Saved %(count)s changed harm weights.",
                changed,
            )
            % {"count": changed},
        )
    else:
        messages.info(request, _("Nothing had changed, so nothing was saved."))
    return redirect("insight:harm-weights")
