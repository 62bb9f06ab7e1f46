"""Reads of the payback planner, scoped to who may see them: the programme team sees
everything, everyone else nothing (the work is done by people on probation)."""

import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse

from peoplezones.core.money import GBP_ZERO
from peoplezones.finance.models import Spend
from peoplezones.payback import rules
from peoplezones.payback.models import (
    HoursEntry,
    MaterialsPurchase,
    PaybackProject,
    PaybackSite,
    WalkNetwork,
    WelfareFacility,
)
from peoplezones.payback.permissions import can_plan_payback
from peoplezones.payback.walkgraph import WalkGraph

MONEY = DecimalField(max_digits=12, decimal_places=2)
_graph_lock = threading.Lock()
_graph_cache: dict[tuple[int, str], WalkGraph] = {}


def facility_list(*, user: Any) -> QuerySet[WelfareFacility]:
    if not can_plan_payback(user):
        return WelfareFacility.objects.none()
    return WelfareFacility.objects.select_related("zone", "asset").order_by("name", "pk")


def site_list(*, user: Any) -> QuerySet[PaybackSite]:
    if not can_plan_payback(user):
        return PaybackSite.objects.none()
    return PaybackSite.objects.select_related("zone").prefetch_related("sessions")


def _sum(queryset: QuerySet, field_name: str, output: Any = MONEY) -> Subquery:
    return Subquery(
        queryset.values("project").annotate(total=Sum(field_name)).values("total")[:1],
        output_field=output,
    )


def project_list(*, user: Any) -> QuerySet[PaybackProject]:
    """Projects with their hours worked, materials committed and paid (three sums, computed
    in the database as subqueries so that the joins do not multiply each other)."""
    if not can_plan_payback(user):
        return PaybackProject.objects.none()
    purchases = MaterialsPurchase.objects.filter(project=OuterRef("pk"), commitment__released=False)
    spend = (
        Spend.objects.filter(
            commitment__payback_materials__project=OuterRef("pk"), commitment__released=False
        )
        .values("commitment__payback_materials__project")
        .annotate(total=Sum("amount"))
        .values("total")[:1]
    )
    hours = HoursEntry.objects.filter(project=OuterRef("pk"))
    return (
        PaybackProject.objects.select_related("site", "zone", "budget_line__year")
        .annotate(
            hours_total=Coalesce(
                _sum(hours, "hours", DecimalField(max_digits=9, decimal_places=1)),
                Value(Decimal("0.0")),
                output_field=DecimalField(max_digits=9, decimal_places=1),
            ),
            materials_committed=Coalesce(
                _sum(purchases, "commitment__amount"), Value(GBP_ZERO), output_field=MONEY
            ),
            materials_spent=Coalesce(
                Subquery(spend, output_field=MONEY), Value(GBP_ZERO), output_field=MONEY
            ),
        )
        .order_by("-starts_on", "title", "pk")
    )


def project_get(*, user: Any, pk: int) -> PaybackProject:
    project = project_list(user=user).filter(pk=pk).first()
    if project is None:
        raise Http404("No such project.")
    return project


def current_network() -> WalkNetwork | None:
    """The walking network in use (the newest imported), without its graph loaded."""
    return WalkNetwork.objects.defer("graph").first()


def network_graph(network: WalkNetwork) -> WalkGraph:
    """The network's graph, read from the database once per process and network."""
    key = (network.pk, network.source_sha256)
    with _graph_lock:
        graph = _graph_cache.get(key)
        if graph is None:
            data = WalkNetwork.objects.filter(pk=network.pk).values_list("graph", flat=True)[0]
            graph = WalkGraph.from_bytes(data)
            _graph_cache.clear()
            _graph_cache[key] = graph
    return graph


def as_facility(facility: WelfareFacility) -> rules.Facility:
    return rules.Facility(
        id=facility.pk,
        name=facility.name,
        lat=facility.latitude,
        lon=facility.longitude,
        opening_hours=tuple(facility.opening_hours or ()),
        always_open=facility.always_open,
        toilets=facility.has_toilets,
        water=facility.has_water,
        shelter=facility.has_shelter,
    )


def as_site(site: PaybackSite) -> rules.Site:
    return rules.Site(
        id=site.pk,
        name=site.name,
        lat=site.latitude,
        lon=site.longitude,
        sessions=tuple(
            rules.Session(weekday=s.weekday, starts=s.starts, ends=s.ends)
            for s in site.sessions.all()
        ),
    )


@dataclass
class PlanRow:
    site: PaybackSite
    verdict: rules.SiteVerdict


@dataclass
class Plan:
    """Every site judged by the rule, the facilities, and what the map draws."""

    rule: rules.Rule
    network: WalkNetwork | None
    rows: list[PlanRow] = field(default_factory=list)
    facilities: list[WelfareFacility] = field(default_factory=list)
    map_data: dict[str, Any] = field(default_factory=dict)

    @property
    def qualified_count(self) -> int:
        return sum(1 for row in self.rows if row.verdict.qualifies)


def payback_plan(*, user: Any, rule: rules.Rule) -> Plan:
    """Judge every site against `rule`, on the walking network when one is loaded.

    Costs three queries (network, facilities, sites with their sessions) plus one to load a
    network's graph the first time in a process.
    """
    network = current_network() if can_plan_payback(user) else None
    facilities = list(facility_list(user=user))
    sites = list(site_list(user=user))
    graph = network_graph(network) if network is not None else None
    planner = rules.Planner(facilities=[as_facility(f) for f in facilities], rule=rule, graph=graph)
    plan = Plan(rule=rule, network=network, facilities=facilities)
    plan.rows = [PlanRow(site=site, verdict=planner.judge(as_site(site))) for site in sites]
    eligible = {f.id for f in planner.eligible}
    features: list[dict[str, Any]] = []
    lines = planner.reachable_lines()
    if lines:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "MultiLineString", "coordinates": lines},
                "properties": {"kind": "reach"},
            }
        )
    for facility in facilities:
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(facility.longitude, 6), round(facility.latitude, 6)],
                },
                "properties": {
                    "kind": "facility",
                    "name": facility.name,
                    "eligible": facility.pk in eligible,
                    # Without a network, the reachable area is a circle of the limit.
                    "radius_m": None if graph is not None else rule.limit_m,
                    "url": reverse("payback:facility-edit", kwargs={"pk": facility.pk}),
                },
            }
        )
    for row in plan.rows:
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(row.site.longitude, 6), round(row.site.latitude, 6)],
                },
                "properties": {
                    "kind": "site",
                    "name": row.site.name,
                    "qualifies": row.verdict.qualifies,
                    "url": reverse("payback:site-edit", kwargs={"pk": row.site.pk}),
                },
            }
        )
    plan.map_data = {"type": "FeatureCollection", "features": features}
    return plan
