"""Crime in a zone: the public zone page section and the programme team's dashboard.

Both show only aggregates (counts and rates by month and type), never a crime's place or ID.
"""

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from peoplezones.insight.comparison import (
    ALL_CRIME,
    CrimeComparison,
    comparison_areas,
    crime_comparison,
    latest_crime_month,
)
from peoplezones.insight.forms import CrimeRangeForm
from peoplezones.insight.selectors import crime_types_stored
from peoplezones.insight.views.access import require_analyst
from peoplezones.insight.views.svg import SERIES_LOOKS, Series, legend_swatch, line_chart
from peoplezones.zones.selectors import zone_list
from peoplezones.zones.shortcuts import zone_or_404


def _with_defaults(query: QueryDict, defaults: dict[str, str]) -> QueryDict:
    """The query with each missing or empty value set to its default, so the form shows it."""
    data = query.copy()
    for key, value in defaults.items():
        if not data.get(key):
            data[key] = value
    return data


def _month_label(month: datetime.date) -> str:
    return date_format(month, "M Y")


def figures(comparison: CrimeComparison) -> dict[str, Any]:
    """What the crime tables and chart need: rows, the chart and its legend."""
    areas = comparison.areas
    type_label = comparison.crime_type or _("All crime")
    district = areas.lad.name if areas.lad and areas.lad.name else _("the local authority")
    labels = [
        _("%(zone)s (per LSOA)") % {"zone": areas.zone.name},
        _("%(district)s (per LSOA)") % {"district": district},
        _("Comparison areas (per LSOA)"),
    ]
    columns = [
        [rates.zone for _month, rates in comparison.by_month],
        [rates.lad for _month, rates in comparison.by_month],
        [rates.comparison for _month, rates in comparison.by_month],
    ]
    series = [
        Series(label=label, values=values, colour=colour, dash=dash, marker=marker)
        for label, values, (colour, dash, marker) in zip(labels, columns, SERIES_LOOKS, strict=True)
        if any(value is not None for value in values)
    ]
    chart = None
    if series:
        chart = line_chart(
            series=series,
            x_labels=[_month_label(month) for month in comparison.months],
            title=_("%(type)s per LSOA a month, %(first)s to %(last)s")
            % {
                "type": type_label,
                "first": _month_label(comparison.month_from),
                "last": _month_label(comparison.month_to),
            },
            description=_(
                "A line chart of %(type)s per LSOA each month for %(lines)s. The same figures "
                "are in the month-by-month table."
            )
            % {"type": type_label.lower(), "lines": "; ".join(s.label for s in series)},
            chart_id="crime-chart",
            y_label=_("crimes per LSOA"),
        )
    return {
        "comparison": comparison,
        "areas": areas,
        "district_name": district,
        "type_label": type_label,
        "by_type": [
            (kind or _("All crime"), kind == ALL_CRIME, rates) for kind, rates in comparison.by_type
        ],
        "chart": chart,
        "chart_legend": [(legend_swatch(s), s.label) for s in series],
        "decile_rows": [
            (decile, count, len(areas.comparison.get(decile, [])))
            for decile, count in areas.deciles.items()
        ],
        "matrix": comparison.zone_matrix(),
        "type_totals": comparison.zone_type_totals(),
        "left_out": {
            "in_a_zone": areas.left_out.get("in_a_zone", 0),
            "outside_force_area": areas.left_out.get("outside_force_area", 0),
            "no_crime_stored": areas.left_out.get("no_crime_stored", 0),
        },
    }


def _comparison_page(
    request: HttpRequest, *, zone: Any, form: CrimeRangeForm, latest: datetime.date | None
) -> tuple[dict[str, Any], int]:
    context: dict[str, Any] = {"zone": zone, "form": form, "latest": latest}
    if latest is None:
        return context, 200
    if not form.is_valid():
        return context, 400
    data = form.cleaned_data
    comparison = crime_comparison(
        zone=zone,
        month_from=data["month_from"],
        month_to=data["month_to"],
        crime_type=data.get("crime_type") or ALL_CRIME,
        areas=comparison_areas(zone=zone),
    )
    context.update(figures(comparison))
    return context, 200


def _defaults(form: CrimeRangeForm) -> dict[str, str]:
    """The form's default months, as the query would give them."""
    return {
        name: str(form.fields[name].initial)
        for name in ("month_from", "month_to")
        if form.fields[name].initial
    }


@require_safe
def zone_crime(request: HttpRequest, slug: str) -> HttpResponse:
    """The public section: the zone's crime by month and type beside its district and
    comparison areas, with police.uk's caveats. Bad months or types get a 400 with the form."""
    zone = zone_or_404(user=request.user, slug=slug)
    latest = latest_crime_month()
    types = crime_types_stored()
    blank = CrimeRangeForm(crime_types=types, default_to=latest)
    form = CrimeRangeForm(
        _with_defaults(request.GET, _defaults(blank)), crime_types=types, default_to=latest
    )
    context, status = _comparison_page(request, zone=zone, form=form, latest=latest)
    return render(request, "insight/zone_crime.html", context, status=status)


def _other_links() -> list[tuple[str, str, str]]:
    """Pages of other parts of insight, when their addresses are included (impact, next zone,
    payback planner): address, name and what the page is for."""
    links = []
    for name, label, description in (
        (
            "insight_analysis:impact",
            _("Impact against comparison areas"),
            _("how crime in a zone changed after a start month, against similar areas"),
        ),
        (
            "insight_analysis:next-zone",
            _("Where the next zone should be"),
            _("every neighbourhood scored on deprivation, crime and groups to work with"),
        ),
        (
            "payback:planner",
            _("Where payback work can go"),
            _("sites with welfare facilities within a short walk, and payback projects"),
        ),
    ):
        try:
            links.append((reverse(name), label, description))
        except NoReverseMatch:
            continue
    return links


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """The programme team's crime dashboard: one zone's crime beside its district and
    comparison areas (listed in full), and links to every insight page."""
    require_analyst(request)
    zones = [zone for zone in zone_list(user=request.user) if zone.boundary]
    latest = latest_crime_month()
    types = crime_types_stored()
    context: dict[str, Any] = {"zones": zones, "other_links": _other_links(), "latest": latest}
    if not zones:
        return render(request, "insight/dashboard.html", context)
    blank = CrimeRangeForm(crime_types=types, default_to=latest, zones=zones)
    defaults = _defaults(blank) | {"zone": zones[0].slug}
    form = CrimeRangeForm(
        _with_defaults(request.GET, defaults), crime_types=types, default_to=latest, zones=zones
    )
    zone = None
    if form.is_valid():
        zone = next(z for z in zones if z.slug == form.cleaned_data["zone"])
    context["form"] = form
    if zone is None:
        return render(request, "insight/dashboard.html", context, status=400)
    page, status = _comparison_page(request, zone=zone, form=form, latest=latest)
    context.update(page)
    return render(request, "insight/dashboard.html", context, status=status)
