"""The payback site rule: a site qualifies when, for every one of its weekly sessions, a welfare
facility that is open all through the session (and offers what the rule requires, by default
toilets and water) is within a walk of `minutes` at `pace` metres a minute (10 minutes at
80 m a minute: 800 m).

Distances are straight lines (great circle, `core.geo.haversine_m`) unless a walking network is
loaded: then the walk is the snap distance from the site to its nearest network node, plus the
shortest network path, plus the facility's snap distance to its own nearest node. A site more
than OFF_NETWORK_M from every node is outside the loaded network and keeps the straight line.

Pure functions: the selectors feed them plain data read from the database.
"""

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peoplezones.core import geo
from peoplezones.payback.walkgraph import UNREACHED, Paths, WalkGraph

DEFAULT_MINUTES = 10
STANDARD_PACE = 80  # metres a minute: about 3 mph, a typical adult walking pace
SLOWER_PACE = 50  # metres a minute: for people who walk more slowly (accessibility)
AMENITIES = ("toilets", "water", "shelter")
DEFAULT_NEEDS = ("toilets", "water")
AMENITY_NAMES = {
    "toilets": gettext_lazy("toilets"),
    "water": gettext_lazy("water"),
    "shelter": gettext_lazy("shelter"),
}
# Distances are compared to the limit to the millimetre: 800.0004 m is still 800 m.
TOLERANCE_M = 0.001
# A site further than this from every node of the loaded network is not covered by it.
OFF_NETWORK_M = 250.0
# The network search stops at this many times the limit; further facilities are "not within".
SEARCH_FACTOR = 5
DAY_NAMES = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]


@dataclass(frozen=True)
class Rule:
    """How far, at what pace, and what a facility must offer."""

    minutes: float = DEFAULT_MINUTES
    pace: float = STANDARD_PACE
    needs: tuple[str, ...] = DEFAULT_NEEDS

    @property
    def limit_m(self) -> float:
        return self.minutes * self.pace

    def walk_minutes(self, metres: float) -> float:
        return metres / self.pace

    def needs_text(self) -> str:
        return _(" and ").join(str(AMENITY_NAMES[need]) for need in self.needs)


@dataclass(frozen=True)
class Facility:
    id: int
    name: str
    lat: float
    lon: float
    opening_hours: Sequence[dict[str, Any]] = ()
    always_open: bool = False
    toilets: bool = False
    water: bool = False
    shelter: bool = False

    def offers(self, needs: Iterable[str]) -> bool:
        return all(getattr(self, need) for need in needs)


@dataclass(frozen=True)
class Session:
    weekday: int
    starts: datetime.time
    ends: datetime.time

    def label(self) -> str:
        return f"{DAY_NAMES[self.weekday]} {self.starts:%H:%M}–{self.ends:%H:%M}"


@dataclass(frozen=True)
class Site:
    id: int
    name: str
    lat: float
    lon: float
    sessions: Sequence[Session] = ()


@dataclass(frozen=True)
class Reach:
    """A facility and how far it is: in a straight line, and on the network when loaded."""

    facility: Facility
    straight_m: float
    network_m: float | None = None


@dataclass
class SessionVerdict:
    session: Session
    open_count: int
    nearest: Reach | None  # the nearest open facility (on the network when it is used)
    qualifies: bool
    reason: str = ""


@dataclass
class SiteVerdict:
    site: Site
    nearest: Reach | None  # the nearest facility offering what is needed, open or not
    sessions: list[SessionVerdict] = field(default_factory=list)
    on_network: bool = False
    snap_m: float | None = None

    @property
    def qualifies(self) -> bool:
        return bool(self.sessions) and all(verdict.qualifies for verdict in self.sessions)

    @property
    def reasons(self) -> list[str]:
        if not self.sessions:
            return [_("No session times are set for this site.")]
        return [verdict.reason for verdict in self.sessions if not verdict.qualifies]


def _hhmm(moment: datetime.time) -> str:
    return moment.strftime("%H:%M")


def open_throughout(
    opening_hours: Iterable[dict[str, Any]],
    *,
    weekday: int,
    starts: datetime.time,
    ends: datetime.time,
) -> bool:
    """Whether opening hours (the asset map's list of {"day", "opens", "closes"}) cover the
    whole of [starts, ends] on `weekday`. Periods that meet or overlap count as one
    (09:00–12:00 and 12:00–17:00 cover 11:00–13:00)."""
    periods = sorted(
        (period["opens"], period["closes"])
        for period in opening_hours
        if period.get("day") == weekday
    )
    start, end = _hhmm(starts), _hhmm(ends)
    merged: list[list[str]] = []
    for opens, closes in periods:
        if merged and opens <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], closes)
        else:
            merged.append([opens, closes])
    return any(opens <= start and end <= closes for opens, closes in merged)


def is_open(facility: Facility, session: Session) -> bool:
    return facility.always_open or open_throughout(
        facility.opening_hours,
        weekday=session.weekday,
        starts=session.starts,
        ends=session.ends,
    )


def _format_m(metres: float) -> str:
    return f"{metres:,.0f}"


def tenths_up(minutes: float) -> float:
    """Minutes rounded up to the tenth (10.01 -> 10.1), so a walk over the limit never reads as
    being within it; the rounding first drops float noise (7.0000000001 stays 7.0)."""
    return math.ceil(round(minutes * 10, 6)) / 10


def _format_minutes(minutes: float) -> str:
    return f"{tenths_up(minutes):.1f}"


class Planner:
    """Judges sites against a rule, with or without a walking network.

    Network searches are shared between sessions that have the same open facilities, so a
    plan costs one Dijkstra run per distinct set of open facilities, not one per session.
    """

    def __init__(
        self, *, facilities: Sequence[Facility], rule: Rule, graph: WalkGraph | None = None
    ) -> None:
        self.rule = rule
        self.graph = graph
        self.eligible = [f for f in facilities if f.offers(rule.needs)]
        self.any_facilities = bool(facilities)
        self._paths: dict[tuple[int, ...], Paths] = {}
        self._snaps: dict[int, tuple[int, float]] = {}
        if graph is not None:
            for facility in self.eligible:
                self._snaps[facility.id] = graph.snap(lat=facility.lat, lon=facility.lon)

    @property
    def search_m(self) -> float:
        return self.rule.limit_m * SEARCH_FACTOR

    def paths_from(self, facilities: Sequence[Facility]) -> Paths:
        """Shortest walks from the nearest of these facilities to every network node."""
        assert self.graph is not None
        key = tuple(sorted(f.id for f in facilities))
        if key not in self._paths:
            self._paths[key] = self.graph.shortest_paths(
                [self._snaps[f.id] for f in facilities], limit=self.search_m
            )
        return self._paths[key]

    def judge(self, site: Site) -> SiteVerdict:
        """The verdict on one site: for each session, the nearest open facility and whether it
        is near enough, with the reason in words when it is not."""
        straight = {
            f.id: geo.haversine_m(lat1=site.lat, lon1=site.lon, lat2=f.lat, lon2=f.lon)
            for f in self.eligible
        }
        verdict = SiteVerdict(site=site, nearest=None)
        node: int | None = None
        if self.graph is not None:
            node, snap_m = self.graph.snap(lat=site.lat, lon=site.lon)
            verdict.snap_m = snap_m
            verdict.on_network = snap_m <= OFF_NETWORK_M
        if self.eligible:
            verdict.nearest = self._nearest(self.eligible, straight, verdict, node)
        for session in site.sessions:
            verdict.sessions.append(self._judge_session(session, straight, verdict, node))
        return verdict

    def _nearest(
        self,
        facilities: Sequence[Facility],
        straight: dict[int, float],
        verdict: SiteVerdict,
        node: int | None,
    ) -> Reach:
        if verdict.on_network and node is not None:
            paths = self.paths_from(facilities)
            origin = int(paths.source[node])
            if origin != UNREACHED:
                facility = facilities[origin]
                return Reach(
                    facility=facility,
                    straight_m=straight[facility.id],
                    network_m=float(verdict.snap_m or 0.0) + float(paths.metres[node]),
                )
            closest = min(facilities, key=lambda f: straight[f.id])
            return Reach(facility=closest, straight_m=straight[closest.id], network_m=math.inf)
        closest = min(facilities, key=lambda f: (straight[f.id], f.id))
        return Reach(facility=closest, straight_m=straight[closest.id])

    def _judge_session(
        self,
        session: Session,
        straight: dict[int, float],
        verdict: SiteVerdict,
        node: int | None,
    ) -> SessionVerdict:
        rule = self.rule
        label = session.label()
        if not self.eligible:
            reason = (
                _("%(session)s: no facility with %(needs)s is recorded.")
                if self.any_facilities
                else _("%(session)s: no welfare facilities are recorded yet.")
            ) % {"session": label, "needs": rule.needs_text()}
            return SessionVerdict(session, 0, None, False, reason)
        open_now = [f for f in self.eligible if is_open(f, session)]
        if not open_now:
            reason = _("%(session)s: no facility with %(needs)s is open all through it.") % {
                "session": label,
                "needs": rule.needs_text(),
            }
            return SessionVerdict(session, 0, None, False, reason)
        nearest = self._nearest(open_now, straight, verdict, node)
        walked = nearest.network_m if nearest.network_m is not None else nearest.straight_m
        qualifies = walked <= rule.limit_m + TOLERANCE_M
        reason = ""
        if not qualifies and math.isinf(walked):
            reason = _(
                "%(session)s: no open facility can be reached on the walking network within "
                "%(search)s minutes (the nearest in a straight line is %(name)s, %(straight)s m)."
            ) % {
                "session": label,
                "search": _format_minutes(rule.walk_minutes(self.search_m)),
                "name": nearest.facility.name,
                "straight": _format_m(nearest.straight_m),
            }
        elif not qualifies:
            how = _("on foot") if nearest.network_m is not None else _("in a straight line")
            reason = _(
                "%(session)s: the nearest open facility, %(name)s, is %(minutes)s minutes "
                "away (%(metres)s m %(how)s); the limit is %(limit)s minutes."
            ) % {
                "session": label,
                "name": nearest.facility.name,
                "minutes": _format_minutes(rule.walk_minutes(walked)),
                "metres": _format_m(walked),
                "how": how,
                "limit": f"{rule.minutes:g}",
            }
        return SessionVerdict(session, len(open_now), nearest, qualifies, reason)

    def reachable_lines(self) -> list[list]:
        """The network within the limit of any facility offering what is needed (whatever its
        hours), for the map; empty without a network."""
        if self.graph is None or not self.eligible:
            return []
        paths = self.paths_from(self.eligible)
        return self.graph.reachable_lines(paths.metres, limit=self.rule.limit_m)
