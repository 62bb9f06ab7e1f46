"""Where the next zone should be: every LSOA of the force area scored on deprivation, crime and
anti-social behaviour, and institutions and associations to work with, and groups of adjacent
LSOAs the size of a zone. Reads only.

Each of the three measures is turned into a 0..1 score by its rank among the force area's
LSOAs (ties share the lowest rank, so "none" scores 0), and the scores are combined with
weights the user chooses (normalised to add up to 1). See docs/insight.md, "Choosing the next
zone".
"""

import csv
import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from numpy.typing import NDArray
from scipy.spatial import Delaunay, QhullError, cKDTree
from scipy.stats import rankdata
from shapely.geometry import shape

from peoplezones.assets.models import Asset
from peoplezones.core.csvsafe import csv_safe
from peoplezones.insight import crime_store
from peoplezones.insight import hotspots as engine
from peoplezones.insight.impact import crime_months, crime_type_names, lsoa_zones
from peoplezones.insight.models import ReferenceArea
from peoplezones.zones.models import Zone

MEASURES = ("deprivation", "crime", "assets")
MEASURE_LABELS = {
    "deprivation": gettext_lazy("Deprivation"),
    "crime": gettext_lazy("Crime and anti-social behaviour"),
    "assets": gettext_lazy("Institutions and associations"),
}
DEFAULT_WEIGHTS = {"deprivation": 0.4, "crime": 0.4, "assets": 0.2}
ASSET_CLASSES = (Asset.AssetClass.INSTITUTION, Asset.AssetClass.ASSOCIATION)
DEFAULT_RADIUS = 400
MAX_RADIUS = 5000
DEFAULT_MIN_GROUP, DEFAULT_MAX_GROUP = 5, 8
MAX_GROUP = 20
# Past the smallest size, a group takes a neighbour only if it scores at least this share of the
# group's mean: it grows over a high-scoring area and stops at its edge.
EXTEND_SHARE = 0.9
DEFAULT_MONTHS = 12
# Two LSOA boundaries closer than this (metres) touch: generalised boundaries leave slivers.
TOUCH_TOLERANCE = 1.0
# Without boundaries, two LSOAs are neighbours when their centres are joined in the Delaunay
# triangulation of their district's centres and are at most this many times the district's
# median nearest-neighbour distance apart (which drops the long edges along its outside).
NEIGHBOUR_SPAN = 3.0


class NextZoneError(ValueError):
    """Parameters the ranking cannot use, with a message for the person asking and (when it is
    about one) the name of the parameter at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NextZoneParams:
    """What to score. Months inclusive (default: the last DEFAULT_MONTHS months imported)."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    month_from: datetime.date | None = None
    month_to: datetime.date | None = None
    crime_types: tuple[str, ...] = ()
    radius: int = DEFAULT_RADIUS
    min_group: int = DEFAULT_MIN_GROUP
    max_group: int = DEFAULT_MAX_GROUP
    include_zoned: bool = False


@dataclass
class LsoaScore:
    code: str
    name: str
    lad_code: str
    lad_name: str
    imd_rank: int
    imd_decile: int | None
    crimes: int
    assets: int
    scores: dict[str, float]
    score: float
    lat: float | None
    lon: float | None
    has_boundary: bool
    zone: Zone | None = None
    rank: int = 0
    group: int | None = None

    @property
    def deprivation(self) -> float:
        return self.scores["deprivation"]

    @property
    def crime(self) -> float:
        return self.scores["crime"]

    @property
    def asset_score(self) -> float:
        return self.scores["assets"]


@dataclass
class LsoaGroup:
    rank: int
    members: list[LsoaScore]

    @property
    def codes(self) -> list[str]:
        return [member.code for member in self.members]

    @property
    def score(self) -> float:
        return float(np.mean([m.score for m in self.members]))

    def mean(self, measure: str) -> float:
        return float(np.mean([m.scores[measure] for m in self.members]))

    @property
    def crimes(self) -> int:
        return sum(m.crimes for m in self.members)

    @property
    def assets(self) -> int:
        return sum(m.assets for m in self.members)

    @property
    def lad_name(self) -> str:
        return self.members[0].lad_name

    @property
    def lad_code(self) -> str:
        return self.members[0].lad_code

    @property
    def zoned(self) -> int:
        return sum(1 for m in self.members if m.zone is not None)


@dataclass
class ZoneStanding:
    """How an existing zone's LSOAs score: their mean, and where that would rank among groups."""

    zone: Zone
    members: list[LsoaScore]
    score: float
    group_rank: int
    groups: int
    best_rank: int
    median_rank: float
    top_fifth: int

    @property
    def lsoa_ranks(self) -> list[int]:
        return sorted(m.rank for m in self.members)


@dataclass
class NextZoneResult:
    params: NextZoneParams
    weights: dict[str, float]
    month_from: datetime.date
    month_to: datetime.date
    crime_types: tuple[str, ...]
    lsoas: list[LsoaScore]
    groups: list[LsoaGroup]
    zones: list[ZoneStanding]
    warnings: list[str]


def force_lsoas() -> QuerySet[ReferenceArea]:
    """The LSOAs of the force area with an IMD rank.

    Those of the districts whose boundary is imported (the hotspots' force area); with no
    district boundary imported, those where any crime is recorded.
    """
    lsoas = ReferenceArea.objects.filter(kind=ReferenceArea.Kind.LSOA, imd_rank__isnull=False)
    districts = ReferenceArea.objects.filter(kind=ReferenceArea.Kind.LAD, geometry__isnull=False)
    if districts.exists():
        return lsoas.filter(lad_code__in=districts.values("code"))
    with_crime = crime_store.crime_table()["lsoa_code"].unique().tolist()
    return lsoas.filter(code__in=[code for code in with_crime if code])


def normalised_weights(weights: dict[str, Any]) -> dict[str, float]:
    """The three weights scaled to add up to 1; NextZoneError for missing, negative, not-a-number
    or all-zero weights."""
    values = {}
    for measure in MEASURES:
        raw = weights.get(measure, 0)
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise NextZoneError(
                _("The weight for %(measure)s must be a number, not “%(value)s”.")
                % {"measure": MEASURE_LABELS[measure].lower(), "value": raw},
                field=measure,
            ) from None
        if not math.isfinite(value):
            raise NextZoneError(
                _("The weight for %(measure)s must be a number, not “%(value)s”.")
                % {"measure": MEASURE_LABELS[measure].lower(), "value": raw},
                field=measure,
            )
        if value < 0:
            raise NextZoneError(
                _("The weight for %(measure)s cannot be negative (%(value)s).")
                % {"measure": MEASURE_LABELS[measure].lower(), "value": raw},
                field=measure,
            )
        values[measure] = value
    total = sum(values.values())
    if total <= 0:
        raise NextZoneError(_("At least one weight must be more than 0."))
    return {measure: value / total for measure, value in values.items()}


def rank_score(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """0..1 by rank: the lowest value 0, the highest 1, ties sharing the lowest rank of the tie.

    With one value, or all equal, every score is 0 (the measure tells the places nothing).
    """
    values = np.asarray(values, float)
    if len(values) < 2:
        return np.zeros(len(values))
    ranks = rankdata(values, method="min") - 1
    top = ranks.max()
    return ranks / top if top > 0 else np.zeros(len(values))


def _month_window(params: NextZoneParams) -> tuple[datetime.date, datetime.date]:
    months = crime_months()
    if not months:
        raise NextZoneError(_("No police.uk crime is imported yet (manage.py import_police_uk)."))
    last = params.month_to.replace(day=1) if params.month_to else months[-1]
    if params.month_from:
        first = params.month_from.replace(day=1)
    else:
        earlier = [month for month in months if month <= last]
        first = earlier[-DEFAULT_MONTHS] if len(earlier) >= DEFAULT_MONTHS else last
        if earlier and len(earlier) < DEFAULT_MONTHS:
            first = earlier[0]
    if first > last:
        raise NextZoneError(
            _("The first month (%(first)s) is after the last (%(last)s).")
            % {"first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"},
            field="month_from",
        )
    today = timezone.localdate().replace(day=1)
    if last > today:
        raise NextZoneError(
            _("The last month (%(last)s) is in the future.") % {"last": f"{last:%Y-%m}"},
            field="month_to",
        )
    if not any(first <= month <= last for month in months):
        raise NextZoneError(
            _(
                "No crime is imported from %(first)s to %(last)s: the months imported are "
                "%(start)s to %(end)s."
            )
            % {
                "first": f"{first:%Y-%m}",
                "last": f"{last:%Y-%m}",
                "start": f"{months[0]:%Y-%m}",
                "end": f"{months[-1]:%Y-%m}",
            },
            field="month_from",
        )
    return first, last


def _checked(params: NextZoneParams) -> dict[str, float]:
    weights = normalised_weights(params.weights)
    if not 0 <= params.radius <= MAX_RADIUS:
        raise NextZoneError(
            _("The distance must be from 0 to %(max)s m, not %(value)s m.")
            % {"max": MAX_RADIUS, "value": params.radius}
        )
    if not 1 <= params.min_group <= params.max_group <= MAX_GROUP:
        raise NextZoneError(
            _(
                "A group must have from 1 to %(max)s LSOAs, the smallest size no more than the "
                "largest (not %(low)s to %(high)s)."
            )
            % {"max": MAX_GROUP, "low": params.min_group, "high": params.max_group}
        )
    return weights


def next_zone_rank(params: NextZoneParams) -> NextZoneResult:
    """Score every LSOA of the force area and group adjacent ones; best first. Reads only.

    Raises NextZoneError for bad weights, months or sizes, and when no LSOA has an IMD rank.
    """
    weights = _checked(params)
    crime_types = crime_type_names(params.crime_types)
    first, last = _month_window(params)
    areas = list(
        force_lsoas()
        .order_by("code")
        .values("code", "name", "lad_code", "imd_rank", "imd_decile", "geometry")
    )
    if not areas:
        raise NextZoneError(
            _(
                "No LSOA of the force area has an IMD rank: import the IMD 2019 file "
                "(manage.py import_imd) and the district boundaries (manage.py import_areas)."
            )
        )
    codes = [area["code"] for area in areas]
    lad_names = dict(
        ReferenceArea.objects.filter(kind=ReferenceArea.Kind.LAD).values_list("code", "name")
    )
    crime_counts = crime_store.count_by(
        crime_store.crime_frame(
            lsoa_codes=codes,
            month_from=first,
            month_to=last,
            crime_types=crime_types or None,
        ),
        "lsoa_code",
    )
    shapes = {
        area["code"]: engine.geometry_to_bng(shape(area["geometry"]))
        for area in areas
        if area["geometry"]
    }
    centres = _centres(codes=codes, shapes=shapes)
    asset_counts = _asset_counts(codes=codes, shapes=shapes, centres=centres, radius=params.radius)
    zoned = lsoa_zones()

    raw = {
        "deprivation": np.array([-area["imd_rank"] for area in areas], float),
        "crime": np.array([crime_counts.get(code, 0) for code in codes], float),
        "assets": np.array([asset_counts.get(code, 0) for code in codes], float),
    }
    scores = {measure: rank_score(values) for measure, values in raw.items()}
    total = sum(weights[measure] * scores[measure] for measure in MEASURES)
    lsoas = []
    for i, area in enumerate(areas):
        code = area["code"]
        centre = centres.get(code)
        lon_lat = None
        if centre is not None:
            lon, lat = engine.bng_to_lon_lat(np.array([centre[0]]), np.array([centre[1]]))
            lon_lat = (float(lon[0]), float(lat[0]))
        lsoas.append(
            LsoaScore(
                code=code,
                name=area["name"],
                lad_code=area["lad_code"],
                lad_name=lad_names.get(area["lad_code"], "") or area["lad_code"],
                imd_rank=area["imd_rank"],
                imd_decile=area["imd_decile"],
                crimes=int(raw["crime"][i]),
                assets=int(raw["assets"][i]),
                scores={measure: float(scores[measure][i]) for measure in MEASURES},
                score=float(total[i]),
                lat=None if lon_lat is None else lon_lat[1],
                lon=None if lon_lat is None else lon_lat[0],
                has_boundary=code in shapes,
                zone=zoned.get(code),
            )
        )
    lsoas.sort(key=lambda item: (-item.score, item.imd_rank, item.code))
    for rank, item in enumerate(lsoas, start=1):
        item.rank = rank

    neighbours = adjacency(lsoas=lsoas, shapes=shapes, centres=centres)
    eligible = {item.code for item in lsoas if params.include_zoned or item.zone is None}
    groups = grow_groups(
        lsoas=lsoas,
        neighbours=neighbours,
        eligible=eligible,
        min_size=params.min_group,
        max_size=params.max_group,
    )
    for group in groups:
        for member in group.members:
            member.group = group.rank
    standings = _zone_standings(lsoas=lsoas, groups=groups)
    warnings = _warnings(lsoas=lsoas, shapes=shapes, crime_counts=crime_counts, areas=areas)
    return NextZoneResult(
        params=params,
        weights=weights,
        month_from=first,
        month_to=last,
        crime_types=crime_types,
        lsoas=lsoas,
        groups=groups,
        zones=standings,
        warnings=warnings,
    )


def _centres(*, codes: list[str], shapes: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Each LSOA's centre in BNG metres: inside its boundary if it has one (the centroid, or a
    point surely inside when the centroid is not); otherwise the mean of its crimes' snap points
    over every month imported (as the shared data's centroids are made)."""
    centres: dict[str, tuple[float, float]] = {}
    for code, geometry in shapes.items():
        point = geometry.centroid
        if not geometry.contains(point):
            point = geometry.representative_point()
        centres[code] = (point.x, point.y)
    missing = [code for code in codes if code not in centres]
    if missing:
        located = crime_store.crime_frame(lsoa_codes=missing, located=True)
        means = located.groupby("lsoa_code", sort=True)[["latitude", "longitude"]].mean()
        rows = [(code, row.latitude, row.longitude) for code, row in means.iterrows()]
        if rows:
            easting, northing = engine.lat_lon_to_bng(
                np.array([row[1] for row in rows]), np.array([row[2] for row in rows])
            )
            for (code, _lat, _lon), e, n in zip(rows, easting, northing, strict=True):
                centres[code] = (float(e), float(n))
    return centres


def _asset_counts(
    *,
    codes: list[str],
    shapes: dict[str, Any],
    centres: dict[str, tuple[float, float]],
    radius: float,
) -> dict[str, int]:
    """Published institutions and associations inside each LSOA or within `radius` of its
    centre (each asset counted once per LSOA)."""
    points = list(
        Asset.objects.filter(
            status=Asset.Status.PUBLISHED, asset_class__in=ASSET_CLASSES
        ).values_list("latitude", "longitude")
    )
    if not points:
        return {}
    easting, northing = engine.lat_lon_to_bng(
        np.array([p[0] for p in points], float), np.array([p[1] for p in points], float)
    )
    tree = cKDTree(np.column_stack([easting, northing]))
    counts = {}
    for code in codes:
        found: set[int] = set()
        centre = centres.get(code)
        if centre is not None and radius > 0:
            found.update(tree.query_ball_point(centre, r=radius))
        geometry = shapes.get(code)
        if geometry is not None:
            min_e, min_n, max_e, max_n = geometry.bounds
            box = (
                (easting >= min_e) & (easting <= max_e) & (northing >= min_n) & (northing <= max_n)
            )
            candidates = np.flatnonzero(box)
            if len(candidates):
                inside = shapely.contains_xy(geometry, easting[candidates], northing[candidates])
                found.update(int(i) for i in candidates[inside])
        if found:
            counts[code] = len(found)
    return counts


def adjacency(
    *,
    lsoas: list[LsoaScore],
    shapes: dict[str, Any],
    centres: dict[str, tuple[float, float]],
) -> dict[str, set[str]]:
    """Which LSOAs are next to which, within one district (a zone lies in one council's area).

    Two LSOAs with boundaries are neighbours when the boundaries touch (within TOUCH_TOLERANCE).
    When either has no boundary, their centres must be joined in the Delaunay triangulation of
    the district's centres, no longer than NEIGHBOUR_SPAN times the district's median
    nearest-neighbour distance.
    """
    neighbours: dict[str, set[str]] = defaultdict(set)
    by_district: dict[str, list[str]] = defaultdict(list)
    for item in lsoas:
        by_district[item.lad_code].append(item.code)
    for members in by_district.values():
        members = sorted(members)
        drawn = [code for code in members if code in shapes]
        if len(drawn) > 1:
            geometries = [shapes[code] for code in drawn]
            tree = shapely.STRtree(geometries)
            left, right = tree.query(geometries, predicate="dwithin", distance=TOUCH_TOLERANCE)
            for i, j in zip(left, right, strict=True):
                if i != j:
                    neighbours[drawn[i]].add(drawn[j])
        placed = [code for code in members if code in centres]
        if len(placed) < 2:
            continue
        points = np.array([centres[code] for code in placed])
        for a, b in _delaunay_edges(points):
            code_a, code_b = placed[a], placed[b]
            if code_a in shapes and code_b in shapes:
                continue  # both boundaries known: only touching counts
            neighbours[code_a].add(code_b)
            neighbours[code_b].add(code_a)
    return neighbours


def _delaunay_edges(points: NDArray[np.float64]) -> list[tuple[int, int]]:
    """Delaunay edges between points no longer than NEIGHBOUR_SPAN x median nearest distance."""
    n = len(points)
    if n == 2:
        return [(0, 1)]
    try:
        triangles = Delaunay(points).simplices
    except (QhullError, ValueError):
        # Collinear or repeated points: join each to its nearest other point.
        pairs = cKDTree(points).query(points, k=2)[1]
        return sorted({tuple(sorted((int(a), int(b)))) for a, b in pairs if a != b})
    edges = set()
    for tri in triangles:
        for a, b in ((tri[0], tri[1]), (tri[1], tri[2]), (tri[0], tri[2])):
            edges.add((int(min(a, b)), int(max(a, b))))
    nearest = cKDTree(points).query(points, k=2)[0][:, 1]
    limit = NEIGHBOUR_SPAN * float(np.median(nearest))
    return sorted((a, b) for a, b in edges if float(np.hypot(*(points[a] - points[b]))) <= limit)


def grow_groups(
    *,
    lsoas: list[LsoaScore],
    neighbours: dict[str, set[str]],
    eligible: set[str],
    min_size: int,
    max_size: int,
) -> list[LsoaGroup]:
    """Disjoint groups of adjacent LSOAs by seeded growth, best mean score first.

    Seeds are taken in order of score. A group grows by its best-scoring eligible neighbour not
    yet in a group, up to `max_size`; once it has `min_size` members it grows only while that
    neighbour scores at least EXTEND_SHARE of the group's mean. A seed that cannot reach
    `min_size` makes no group (its LSOAs stay free for later seeds).
    """
    by_code = {item.code: item for item in lsoas}
    taken: set[str] = set()
    found = []
    for seed in lsoas:
        if seed.code in taken or seed.code not in eligible:
            continue
        members = [seed]
        inside = {seed.code}
        frontier = {code for code in neighbours.get(seed.code, ()) if code in eligible} - taken
        while len(members) < max_size and frontier:
            best = min(frontier, key=lambda code: (-by_code[code].score, code))
            mean = sum(m.score for m in members) / len(members)
            if len(members) >= min_size and by_code[best].score < EXTEND_SHARE * mean:
                break
            frontier.discard(best)
            members.append(by_code[best])
            inside.add(best)
            frontier |= {
                code
                for code in neighbours.get(best, ())
                if code in eligible and code not in taken and code not in inside
            }
        if len(members) >= min_size:
            taken |= inside
            found.append(members)
    groups = [LsoaGroup(rank=0, members=members) for members in found]
    groups.sort(key=lambda group: (-group.score, group.codes[0]))
    for rank, group in enumerate(groups, start=1):
        group.rank = rank
    return groups


def _zone_standings(*, lsoas: list[LsoaScore], groups: list[LsoaGroup]) -> list[ZoneStanding]:
    members: dict[int, list[LsoaScore]] = defaultdict(list)
    zones: dict[int, Zone] = {}
    for item in lsoas:
        if item.zone is not None:
            members[item.zone.pk].append(item)
            zones[item.zone.pk] = item.zone
    top_fifth = max(1, len(lsoas) // 5)
    standings = []
    for pk, items in members.items():
        score = float(np.mean([item.score for item in items]))
        ranks = [item.rank for item in items]
        standings.append(
            ZoneStanding(
                zone=zones[pk],
                members=sorted(items, key=lambda item: item.rank),
                score=score,
                group_rank=1 + sum(1 for group in groups if group.score > score),
                groups=len(groups),
                best_rank=min(ranks),
                median_rank=float(np.median(ranks)),
                top_fifth=sum(1 for rank in ranks if rank <= top_fifth),
            )
        )
    standings.sort(key=lambda standing: -standing.score)
    return standings


def _warnings(
    *,
    lsoas: list[LsoaScore],
    shapes: dict[str, Any],
    crime_counts: dict[str, int],
    areas: list[dict[str, Any]],
) -> list[str]:
    notes = []
    without_crime = sum(1 for item in lsoas if not crime_counts.get(item.code))
    if without_crime > len(lsoas) // 2:
        notes.append(
            _(
                "%(n)s of the %(total)s LSOAs have no crime recorded in these months: import "
                "police.uk crime for the whole force area, or the crime score means little."
            )
            % {"n": without_crime, "total": len(lsoas)}
        )
    if not any(item.assets for item in lsoas):
        notes.append(
            _(
                "No published institution or association is on the asset map near any LSOA, so "
                "that measure scores every LSOA 0 and does not change the order."
            )
        )
    unplaced = [item.code for item in lsoas if item.lat is None]
    if unplaced:
        notes.append(
            _(
                "%(n)s LSOAs have neither a boundary nor any located crime, so they cannot be "
                "placed on the map, count assets near them or join a group."
            )
            % {"n": len(unplaced)}
        )
    if len(shapes) < len(areas):
        notes.append(
            _(
                "Only %(drawn)s of the %(total)s LSOAs have a boundary imported; for the others "
                "the centre is the mean of their crimes' snap points and neighbours are "
                "estimated from those centres."
            )
            % {"drawn": len(shapes), "total": len(areas)}
        )
    return notes


def lsoa_map_features(result: NextZoneResult, *, top: int = 10, groups: int = 5) -> dict:
    """GeoJSON of the top LSOAs and the LSOAs of the top groups: boundaries where imported,
    otherwise a 250 m circle round the estimated centre. Each feature names its LSOA and rank
    and links to its row on the page."""
    chosen: dict[str, str] = {}
    for group in result.groups[:groups]:
        for member in group.members:
            chosen[member.code] = _("Group %(group)s: %(name)s (LSOA rank %(rank)s)") % {
                "group": group.rank,
                "name": member.name,
                "rank": member.rank,
            }
    for item in result.lsoas[:top]:
        chosen.setdefault(
            item.code,
            _("%(name)s (LSOA rank %(rank)s)") % {"name": item.name, "rank": item.rank},
        )
    by_code = {item.code: item for item in result.lsoas}
    codes = list(chosen)
    geometries = dict(
        ReferenceArea.objects.filter(code__in=codes, geometry__isnull=False).values_list(
            "code", "geometry"
        )
    )
    features = []
    for code in codes:
        item = by_code[code]
        geometry = geometries.get(code)
        if geometry is None:
            if item.lat is None:
                continue
            easting, northing = engine.lat_lon_to_bng(np.array([item.lat]), np.array([item.lon]))
            circle = shapely.Point(float(easting[0]), float(northing[0])).buffer(250, 16)
            x, y = np.asarray(circle.exterior.coords).T
            lon, lat = engine.bng_to_lon_lat(x, y)
            geometry = {
                "type": "Polygon",
                "coordinates": [
                    [[round(a, 6), round(b, 6)] for a, b in zip(lon, lat, strict=True)]
                ],
            }
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {"name": chosen[code], "url": f"#lsoa-{code}"},
            }
        )
    return {"type": "FeatureCollection", "features": features}


LSOA_COLUMNS = [
    "rank",
    "lsoa_code",
    "lsoa_name",
    "district_code",
    "district",
    "imd_rank",
    "imd_decile",
    "crimes",
    "institutions_and_associations",
    "deprivation_score",
    "crime_score",
    "assets_score",
    "score",
    "group",
    "zone",
]
GROUP_COLUMNS = [
    "group",
    "district",
    "lsoas",
    "lsoa_codes",
    "lsoa_names",
    "score",
    "deprivation_score",
    "crime_score",
    "assets_score",
    "crimes",
    "institutions_and_associations",
    "lsoas_in_a_zone",
]


def write_lsoas_csv(lsoas: list[LsoaScore], out: Any) -> None:
    """The LSOAs, in the order given, as CSV with a header row (LSOA_COLUMNS)."""
    writer = csv.writer(out)
    writer.writerow(LSOA_COLUMNS)
    for item in lsoas:
        writer.writerow(
            [
                item.rank,
                item.code,
                csv_safe(item.name),
                item.lad_code,
                csv_safe(item.lad_name),
                item.imd_rank,
                item.imd_decile or "",
                item.crimes,
                item.assets,
                *(f"{item.scores[name]:.4f}" for name in MEASURES),
                f"{item.score:.4f}",
                item.group or "",
                item.zone.slug if item.zone else "",
            ]
        )


def write_groups_csv(groups: list[LsoaGroup], out: Any) -> None:
    """The groups, best first, as CSV with a header row (GROUP_COLUMNS); codes joined by ";"."""
    writer = csv.writer(out)
    writer.writerow(GROUP_COLUMNS)
    for group in groups:
        writer.writerow(
            [
                group.rank,
                csv_safe(group.lad_name),
                len(group.members),
                ";".join(group.codes),
                csv_safe(";".join(member.name for member in group.members)),
                f"{group.score:.4f}",
                *(f"{group.mean(name):.4f}" for name in MEASURES),
                group.crimes,
                group.assets,
                group.zoned,
            ]
        )
