"""The programme team's analysis pages: impact against comparison areas, and where the next zone
should be (with a CSV of the shortlist).

Both are GET forms that store nothing. Bad input re-renders the form with what was typed and a
400; an analysis that cannot be done (no data for those months, no comparison areas) says why,
also with a 400. Only the programme team may use them (`views.access.require_analyst`).
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from peoplezones.insight import crime_store, next_zone
from peoplezones.insight.forms_analysis import SORTS, ImpactForm, NextZoneForm
from peoplezones.insight.impact import ImpactError, ImpactResult, crime_months, impact_analyse
from peoplezones.insight.next_zone import (
    MEASURE_LABELS,
    MEASURES,
    LsoaGroup,
    LsoaScore,
    NextZoneError,
    NextZoneResult,
    lsoa_map_features,
    next_zone_rank,
    write_groups_csv,
    write_lsoas_csv,
)
from peoplezones.insight.views.access import require_analyst
from peoplezones.insight.views.svg import SERIES_LOOKS, Series, legend_swatch, line_chart
from peoplezones.zones.selectors import zone_list

SHORTLIST = 50
MAP_TOP_LSOAS = 10
MAP_TOP_GROUPS = 5
GROUPS_SHOWN = 10


def _crime_types() -> list[str]:
    return crime_store.crime_types_stored()


def _add_error(form: Any, error: ImpactError | NextZoneError) -> None:
    """The analysis's message against the field it is about, else the whole form."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, str(error))


def _dashboard_url() -> str | None:
    """The crime dashboard, for the breadcrumbs, when that part of insight is installed."""
    try:
        return reverse("insight:dashboard")
    except NoReverseMatch:
        return None


def _months_imported() -> tuple[str, str] | None:
    months = crime_months()
    if not months:
        return None
    return f"{months[0]:%Y-%m}", f"{months[-1]:%Y-%m}"


# --- impact --------------------------------------------------------------------------------


def _ratio_text(ratio: float | None) -> str | None:
    if ratio is None:
        return None
    return f"{ratio:.2f} ({(ratio - 1) * 100:+.0f} %)"


def _impact_figures(result: ImpactResult) -> dict[str, Any]:
    """The result and what its template needs: formatted figures, the chart and its key."""
    est = result.estimate
    before, after = result.before, result.after
    series = [
        Series(
            label=label,
            values=[value(row) if row.has_data else None for row in result.months],
            colour=colour,
            dash=dash,
            marker=marker,
        )
        for (label, value), (colour, dash, marker) in zip(
            [
                (_("%(zone)s (per LSOA)") % {"zone": result.zone.name}, lambda r: r.zone_per_area),
                (_("Comparison areas (per LSOA)"), lambda r: r.comparison_per_area),
            ],
            SERIES_LOOKS,
            strict=False,
        )
    ]
    types = ", ".join(result.crime_types) or _("All crime and anti-social behaviour")
    chart = line_chart(
        series=series,
        x_labels=[date_format(row.month, "M Y") for row in result.months],
        title=_("%(types)s per LSOA a month, %(zone)s and its comparison areas")
        % {"types": types, "zone": result.zone.name},
        description=_(
            "A line chart of crimes per LSOA each month in the zone and in the comparison "
            "areas; the work began in %(start)s. The same figures are in the month-by-month "
            "table."
        )
        % {"start": date_format(result.start, "F Y")},
        chart_id="impact-chart",
        y_label=_("crimes per LSOA"),
    )
    return {
        "result": result,
        "change": _("%(pct)+.0f %% against the comparison areas") % {"pct": est.percent_change},
        "p_value": "< 0.001" if est.p_value < 0.001 else f"{est.p_value:.3f}",
        "types_label": types,
        "periods": [(_("Before"), before), (_("After"), after)],
        "zone_change": _ratio_text(
            after.zone_per_month / before.zone_per_month if before.zone_per_month else None
        ),
        "comparison_change": _ratio_text(
            after.comparison_per_month / before.comparison_per_month
            if before.comparison_per_month
            else None
        ),
        "decile_rows": [
            (decile, count, len(result.areas.comparison.get(decile, [])))
            for decile, count in result.areas.deciles.items()
        ],
        "chart": chart,
        "chart_legend": [(legend_swatch(item), item.label) for item in series],
    }


@login_required
@require_safe
def impact(request: HttpRequest) -> HttpResponse:
    """Monthly counts before and after a start month in a zone and its comparison areas, the
    DiD rate ratio with its interval, and what it can and cannot show."""
    require_analyst(request)
    zones = [zone for zone in zone_list(user=request.user) if zone.boundary]
    context: dict[str, Any] = {
        "dashboard_url": _dashboard_url(),
        "months_imported": _months_imported(),
    }
    asked = bool(request.GET)
    form = ImpactForm(request.GET if asked else None, zones=zones, crime_types=_crime_types())
    context["form"] = form
    status = 200
    if asked:
        if form.is_valid():
            try:
                context.update(_impact_figures(impact_analyse(form.params())))
            except ImpactError as error:
                _add_error(form, error)
                status = 400
        else:
            status = 400
    return render(request, "insight/analysis/impact.html", context, status=status)


# --- next zone -----------------------------------------------------------------------------


SORT_KEYS = {
    "rank": lambda item: item.rank,
    "name": lambda item: (item.name, item.code),
    "district": lambda item: (item.lad_name, item.rank),
    "imd": lambda item: (item.imd_rank, item.code),
    "crimes": lambda item: (item.crimes, -item.rank),
    "assets": lambda item: (item.assets, -item.rank),
}


def _sorted(lsoas: list[LsoaScore], *, key: str, order: str) -> list[LsoaScore]:
    return sorted(lsoas, key=SORT_KEYS.get(key, SORT_KEYS["rank"]), reverse=order == "desc")


def _query(request: HttpRequest, **changes: str | None) -> str:
    query = request.GET.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return query.urlencode()


def _sort_headers(request: HttpRequest, *, key: str, order: str) -> list[dict[str, Any]]:
    """Each sortable column: its label, the link that sorts by it, and its aria-sort."""
    headers = []
    for name, label in SORTS.items():
        natural = "asc" if name in ("rank", "name", "district", "imd") else "desc"
        current = name == key
        following = ("desc" if order == "asc" else "asc") if current else natural
        headers.append(
            {
                "name": name,
                "label": label,
                "url": "?" + _query(request, sort=name, order=following),
                "aria_sort": (
                    ("ascending" if order == "asc" else "descending") if current else "none"
                ),
                "current": current,
                "numeric": name in ("rank", "imd", "crimes", "assets"),
            }
        )
    return headers


def _with_defaults(request: HttpRequest) -> QueryDict:
    """The query, with the default of each number the person has not been asked about yet (so
    the form shows it); a box they emptied stays empty."""
    data = request.GET.copy()
    defaults = {
        **{name: str(weight) for name, weight in next_zone.DEFAULT_WEIGHTS.items()},
        "radius": str(next_zone.DEFAULT_RADIUS),
        "min_group": str(next_zone.DEFAULT_MIN_GROUP),
        "max_group": str(next_zone.DEFAULT_MAX_GROUP),
    }
    weights_asked = any(name in data for name in next_zone.DEFAULT_WEIGHTS)
    for name, value in defaults.items():
        if name in next_zone.DEFAULT_WEIGHTS and weights_asked:
            continue
        data.setdefault(name, value)
    return data


def _group_row(group: LsoaGroup) -> dict[str, Any]:
    return {
        "rank": group.rank,
        "lad_name": group.lad_name,
        "members": group.members,
        "score": group.score,
        "means": [group.mean(name) for name in MEASURES],
        "crimes": group.crimes,
    }


def _next_zone_result(form: NextZoneForm) -> NextZoneResult | None:
    if not form.is_valid():
        return None
    try:
        return next_zone_rank(form.params())
    except (NextZoneError, ImpactError) as error:
        _add_error(form, error)
        return None


@login_required
@require_safe
def next_zone_page(request: HttpRequest) -> HttpResponse:
    """Every LSOA of the force area scored with the user's weights, groups the size of a zone,
    how the existing zones score, a map of the top areas and a sortable table."""
    require_analyst(request)
    form = NextZoneForm(_with_defaults(request), crime_types=_crime_types())
    result = _next_zone_result(form)
    context: dict[str, Any] = {
        "form": form,
        "dashboard_url": _dashboard_url(),
        "months_imported": _months_imported(),
        "measures": [(name, MEASURE_LABELS[name]) for name in MEASURES],
    }
    if result is None:
        # A first visit (no question asked yet) that cannot be answered is not bad input.
        status = 400 if request.GET else 200
        return render(request, "insight/analysis/next_zone.html", context, status=status)
    key, order = form.sort_key, form.sort_order
    show_all = form.cleaned_data.get("show") == "all"
    rows = _sorted(result.lsoas, key=key, order=order)
    if not show_all:
        rows = rows[:SHORTLIST]
    map_data = lsoa_map_features(result, top=MAP_TOP_LSOAS, groups=MAP_TOP_GROUPS)
    best_by_district: dict[str, LsoaGroup] = {}
    for group in result.groups:
        best_by_district.setdefault(group.lad_code, group)
    csv_url = reverse("insight_analysis:next-zone-csv")
    shown = min(GROUPS_SHOWN, len(result.groups))
    context.update(
        {
            "result": result,
            "rows": rows,
            "shown_codes": {item.code for item in rows},
            "shortlist": SHORTLIST,
            "show_all": show_all,
            "show_all_url": "?" + _query(request, show="all"),
            "show_top_url": "?" + _query(request, show=None),
            "headers": _sort_headers(request, key=key, order=order),
            "weights": [
                (MEASURE_LABELS[name], f"{result.weights[name] * 100:.0f} %") for name in MEASURES
            ],
            "group_rows": [_group_row(group) for group in result.groups[:GROUPS_SHOWN]],
            "groups_caption": _("The top %(n)s of %(total)s groups")
            % {"n": shown, "total": len(result.groups)},
            "district_rows": [
                _group_row(group)
                for group in sorted(best_by_district.values(), key=lambda group: group.rank)
            ],
            "map_data": map_data if map_data["features"] else None,
            "map_top_lsoas": MAP_TOP_LSOAS,
            "map_top_groups": MAP_TOP_GROUPS,
            "csv_lsoas_url": f"{csv_url}?{_query(request, kind='lsoas')}",
            "csv_groups_url": f"{csv_url}?{_query(request, kind='groups')}",
        }
    )
    return render(request, "insight/analysis/next_zone.html", context)


@login_required
@require_safe
def next_zone_csv(request: HttpRequest) -> HttpResponse:
    """The shortlist as CSV: the LSOAs as the page lists them (`kind=lsoas`, sorted and cut the
    same way) or every group (`kind=groups`). Bad parameters get a 400 and the reason."""
    require_analyst(request)
    kind = request.GET.get("kind", "lsoas")
    if kind not in ("lsoas", "groups"):
        return HttpResponse(
            _("kind must be lsoas or groups.") + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    form = NextZoneForm(_with_defaults(request), crime_types=_crime_types())
    result = _next_zone_result(form)
    if result is None:
        problems = [str(message) for errors in form.errors.values() for message in errors]
        return HttpResponse(
            "\n".join(problems) + "\n", status=400, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="next-zone-{kind}.csv"'
    if kind == "groups":
        write_groups_csv(result.groups, response)
    else:
        rows = _sorted(result.lsoas, key=form.sort_key, order=form.sort_order)
        if form.cleaned_data.get("show") != "all":
            rows = rows[:SHORTLIST]
        write_lsoas_csv(rows, response)
    return response
