"""Public grants pages: rounds, funding tables, published awards, a zone's grants, 360Giving.

Everything here is for anyone, signed in or not, and shows only rounds and awards: nothing about
applications that were not approved, and never an applicant's contact details. Every total is
summed from the awards by `selectors` (funding tables) at the moment the page is asked for.
"""

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from peoplezones.core.money import GBP_ZERO, format_gbp
from peoplezones.finance.models import BudgetYear
from peoplezones.grants import opendata, selectors
from peoplezones.grants.models import Award, GrantRound
from peoplezones.grants.selectors import FundingTable
from peoplezones.zones.models import Theme, Zone
from peoplezones.zones.selectors import zone_list
from peoplezones.zones.shortcuts import zone_or_404

PAST_ROUNDS_PER_PAGE = 20
AWARDS_PER_PAGE = 50


class GrantFilterForm(forms.Form):
    """A plain GET form; a value that is not in the list gets a message, not a 500."""

    zone = forms.ChoiceField(
        label=gettext_lazy("Zone"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "There is no zone called “%(value)s”. Choose a zone from the list."
            )
        },
    )
    year = forms.ChoiceField(
        label=gettext_lazy("Budget year"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "“%(value)s” is not a budget year with grant rounds. Choose a year from the "
                "list; years are written like 2023/24."
            )
        },
    )

    def __init__(self, *args: Any, zones: list[Zone], years: list[BudgetYear] | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zones = {zone.slug: zone for zone in zones}
        self.fields["zone"].choices = [("", _("All zones")), *((z.slug, z.name) for z in zones)]
        if years is None:
            del self.fields["year"]
            self.years = {}
        else:
            self.years = {year.label: year for year in years}
            self.fields["year"].choices = [("", _("All years")), *((y, y) for y in self.years)]


@dataclass
class Filters:
    form: GrantFilterForm
    zone: Zone | None = None
    year: BudgetYear | None = None
    valid: bool = True


def _filters(request: HttpRequest, *, with_year: bool) -> Filters:
    years = None
    if with_year:
        years = list(BudgetYear.objects.filter(grant_rounds__isnull=False).distinct())
    zones = list(zone_list(user=request.user))
    form = GrantFilterForm(request.GET or None, zones=zones, years=years)
    filters = Filters(form)
    if form.is_bound:
        if form.is_valid():
            filters.zone = form.zones.get(form.cleaned_data["zone"])
            filters.year = form.years.get(form.cleaned_data.get("year") or "")
        else:
            filters.valid = False
    return filters


def _round_item(grant_round: GrantRound) -> dict[str, Any]:
    return {
        "round": grant_round,
        "status": grant_round.status,
        "minimum": format_gbp(grant_round.minimum_award),
        "maximum": format_gbp(grant_round.maximum_award),
    }


def _table_item(table: FundingTable) -> dict[str, Any]:
    """A funding table with its amounts written as money, for the template."""
    return {
        "round": table.grant_round,
        "count": table.count,
        "total": format_gbp(table.total),
        "zones": [
            {
                "zone": funding.zone,
                "count": len(funding.awards),
                "total": format_gbp(funding.total),
                "rows": [{"award": a, "amount": format_gbp(a.amount)} for a in funding.awards],
            }
            for funding in table.zones
        ],
    }


def _for_zone(table: FundingTable, zone: Zone) -> FundingTable:
    """The same table cut down to one zone, so its total is that zone's share of the round."""
    return FundingTable(table.grant_round, [z for z in table.zones if z.zone.pk == zone.pk])


def _round_or_404(slug: str) -> GrantRound:
    try:
        return selectors.public_rounds().select_related("budget_year").get(slug=slug)
    except GrantRound.DoesNotExist:
        raise Http404(_("There is no grant round called “%(slug)s”.") % {"slug": slug}) from None


@require_safe
def round_list(request: HttpRequest) -> HttpResponse:
    """Open and upcoming rounds first (per zone if asked), then past rounds a page at a time."""
    filters = _filters(request, with_year=False)
    now = timezone.now()
    rounds = selectors.public_rounds()
    if filters.zone is not None:
        rounds = rounds.filter(zones=filters.zone)
    if not filters.valid:
        rounds = rounds.none()
    finished = Q(decided_at__isnull=False) | Q(closes_at__lte=now)
    current = sorted(
        rounds.exclude(finished), key=lambda r: (r.status != GrantRound.Status.OPEN, r.closes_at)
    )
    past = Paginator(rounds.filter(finished).order_by("-closes_at", "name"), PAST_ROUNDS_PER_PAGE)
    page = past.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "grants/public/round_list.html",
        {
            "form": filters.form,
            "zone": filters.zone,
            "current": [_round_item(r) for r in current],
            "past": [_round_item(r) for r in page],
            "page": page,
            "query": query.urlencode(),
        },
        status=200 if filters.valid else 400,
    )


@require_safe
def round_detail(request: HttpRequest, slug: str) -> HttpResponse:
    grant_round = _round_or_404(slug)
    themes: dict[int, dict[str, Any]] = {}
    for theme in (
        Theme.objects.filter(grant_rounds=grant_round)
        .select_related("zone")
        .order_by("zone__name", "order", "title")
    ):
        themes.setdefault(theme.zone_id, {"zone": theme.zone, "themes": []})["themes"].append(theme)
    return render(
        request,
        "grants/public/round_detail.html",
        {
            **_round_item(grant_round),
            "themes": list(themes.values()),
            "apply_url": reverse("grants:apply", kwargs={"slug": grant_round.slug}),
            "awards": Award.objects.filter(application__round=grant_round).count(),
        },
    )


@require_safe
def round_funding(request: HttpRequest, slug: str) -> HttpResponse:
    """The panel report's table for one round: each zone's awards and total, then the round's."""
    grant_round = _round_or_404(slug)
    return render(
        request,
        "grants/public/round_funding.html",
        {"grant_round": grant_round, "table": _table_item(selectors.funding_table(grant_round))},
    )


@require_safe
def funding(request: HttpRequest) -> HttpResponse:
    """Every round's funding table, newest first, for one zone or budget year if asked.

    A fixed few queries, however many rounds.
    """
    filters = _filters(request, with_year=True)
    # One filter() call, so that the award and the zone are the same application's.
    awarded: dict[str, Any] = {"applications__award__isnull": False}
    if filters.zone is not None:
        awarded["applications__zone"] = filters.zone
    rounds = selectors.public_rounds().filter(**awarded)
    if filters.year is not None:
        rounds = rounds.filter(budget_year=filters.year)
    if not filters.valid:
        rounds = rounds.none()
    tables = selectors.funding_tables(list(rounds.distinct().order_by("-opens_at", "name")))
    if filters.zone is not None:
        tables = [_for_zone(table, filters.zone) for table in tables]
    return render(
        request,
        "grants/public/funding.html",
        {
            "form": filters.form,
            "zone": filters.zone,
            "year": filters.year,
            "tables": [_table_item(t) for t in tables],
            "count": sum(t.count for t in tables),
            "total": format_gbp(sum((t.total for t in tables), GBP_ZERO)),
        },
        status=200 if filters.valid else 400,
    )


@require_safe
def zone_grants(request: HttpRequest, slug: str) -> HttpResponse:
    """A zone's rounds, by budget year, with the projects funded in it and their totals."""
    zone = zone_or_404(user=request.user, slug=slug)
    years: dict[int, dict[str, Any]] = {}
    rounds = list(
        selectors.public_rounds()
        .select_related("budget_year")
        .filter(zones=zone)
        .order_by("-budget_year__start_year", "-opens_at", "name")
    )
    totals: dict[int, Decimal] = {}
    for grant_round, table in zip(rounds, selectors.funding_tables(rounds), strict=True):
        year = grant_round.budget_year
        entry = years.setdefault(year.pk, {"year": year, "rounds": []})
        zone_table = _for_zone(table, zone)
        entry["rounds"].append({**_round_item(grant_round), "table": _table_item(zone_table)})
        # An award's zone is always one of its round's zones, so these are all the zone's
        # awards from this year's rounds.
        totals[year.pk] = totals.get(year.pk, GBP_ZERO) + zone_table.total
    for year_pk, entry in years.items():
        entry["total"] = format_gbp(totals[year_pk])
    return render(
        request, "grants/public/zone_grants.html", {"zone": zone, "years": list(years.values())}
    )


@require_safe
def award_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request, with_year=True)
    awards = opendata.published_awards().order_by(
        "-application__round__opens_at",
        "application__round__name",
        "application__organisation__name",
        "application__project_name",
    )
    if filters.zone is not None:
        awards = awards.filter(application__zone=filters.zone)
    if filters.year is not None:
        awards = awards.filter(application__round__budget_year=filters.year)
    if not filters.valid:
        awards = awards.none()
    page = Paginator(awards, AWARDS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "grants/public/award_list.html",
        {
            "form": filters.form,
            "zone": filters.zone,
            "year": filters.year,
            "page": page,
            "rows": [{"award": a, "amount": format_gbp(a.amount)} for a in page],
            "query": query.urlencode(),
        },
        status=200 if filters.valid else 400,
    )


@require_safe
def award_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    """One award as the commissioner publishes it: who, what for, how much, when and why."""
    try:
        award = (
            opendata.published_awards()
            .prefetch_related(
                Prefetch("application__themes", queryset=Theme.objects.order_by("order", "title"))
            )
            .get(identifier=identifier)
        )
    except Award.DoesNotExist:
        raise Http404(
            _("There is no published award “%(identifier)s”.") % {"identifier": identifier[:120]}
        ) from None
    application = award.application
    return render(
        request,
        "grants/public/award_detail.html",
        {
            "award": award,
            "application": application,
            "organisation": application.organisation,
            "amount": format_gbp(award.amount),
            "requested": format_gbp(application.amount_requested)
            if application.amount_requested is not None
            else None,
        },
    )


def _no_open_data(content_type: str) -> HttpResponse:
    """No award yet: a 360Giving package needs at least one grant, so there is no file to give.

    A 404 with a plain explanation tells a harvester "nothing here yet" without a file that
    would fail the standard's checks.
    """
    message = _(
        "No grants have been awarded yet, so there is no 360Giving data to publish: the "
        "360Giving standard needs at least one grant in a file. This address will give the "
        "data as soon as the first award is made."
    )
    if content_type == "application/json":
        body = json.dumps({"detail": message}, ensure_ascii=False)
        return HttpResponse(body, status=404, content_type="application/json")
    return HttpResponse(message, status=404, content_type="text/plain; charset=utf-8")


@require_safe
def open_data_json(request: HttpRequest) -> HttpResponse:
    """Every published award as a 360Giving JSON package."""
    awards = list(opendata.published_awards())
    if not awards:
        return _no_open_data("application/json")
    response = HttpResponse(
        opendata.package_json(awards, absolute=request.build_absolute_uri),
        content_type="application/json",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def open_data_csv(request: HttpRequest) -> HttpResponse:
    """The same awards in 360Giving's flat form, one row per grant."""
    awards = list(opendata.published_awards())
    if not awards:
        return _no_open_data("text/csv")
    response = HttpResponse(
        opendata.package_csv(awards, absolute=request.build_absolute_uri),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="360giving.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
