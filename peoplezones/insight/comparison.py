"""A zone's LSOAs, its local authority, and the comparison areas its crime is set beside.

Reads only; every rule here is described in docs/insight.md ("Crime in the zone"):

- **The zone's LSOAs.** An LSOA with a boundary belongs to a zone when a point inside it (its
  `point_on_surface`) lies inside the zone's boundary. An LSOA without a stored boundary belongs
  to the zone when more than half of its located crimes have their point in the zone.
- **The zone's local authority** is the district (`lad_code`) of most of its LSOAs.
- **Local authority type** is the first three characters of the district's ONS code: E06
  unitary authority, E07 non-metropolitan (shire) district, E08 metropolitan borough, E09 London
  borough, W06 Welsh unitary authority.
- **Comparison areas** are LSOAs that (1) are in a district of the same type as the zone's,
  (2) have the IMD 2019 decile of one of the zone's LSOAs, (3) are in no zone (of any status),
  (4) lie in a district of the force area (the districts with a stored boundary, as for the
  hotspot force area) and (5) have police.uk crime stored (any month), so that an LSOA whose
  crime was never imported is not counted as having none.
- **Rates** are crimes per LSOA per month, so that areas of different sizes compare (an LSOA
  has about 1,500 residents). Crimes are given to areas by police.uk's LSOA code. The
  comparison rate is **standardised to the zone's deciles**: the mean rate of the comparison
  LSOAs of each decile, weighted by the zone's number of LSOAs in that decile.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

from peoplezones.insight import crime_store
from peoplezones.insight.models import ReferenceArea
from peoplezones.zones.models import Zone

LA_TYPES = {
    "E06": _("unitary authority"),
    "E07": _("non-metropolitan district"),
    "E08": _("metropolitan borough"),
    "E09": _("London borough"),
    "W06": _("Welsh unitary authority"),
}
ALL_CRIME = ""


def la_type(code: str) -> str:
    """The type of a local authority district from its ONS code: "E06", "E07", "E08"…"""
    return (code or "")[:3].upper()


def la_type_label(code: str) -> str:
    return str(LA_TYPES.get(la_type(code), _("unknown type")))


def _boundary_shape(zone: Zone) -> Any:
    geometry = shape(zone.boundary)
    shapely.prepare(geometry)
    return geometry


def zones_lsoa_codes(zones: list[Zone] | None = None) -> dict[int, set[str]]:
    """The LSOA codes of each zone with a boundary (all zones unless given), by zone id.

    LSOAs with a boundary go by a point inside them; those without, by where most of their
    located crimes are (see the module's docstring).
    """
    if zones is None:
        zones = list(Zone.objects.filter(boundary__isnull=False))
    zones = [zone for zone in zones if zone.boundary and zone.bbox is not None]
    result: dict[int, set[str]] = {zone.pk: set() for zone in zones}
    with_boundary: set[str] = set()
    for zone in zones:
        min_lon, min_lat, max_lon, max_lat = zone.bbox
        boundary = _boundary_shape(zone)
        candidates = ReferenceArea.objects.filter(
            kind=ReferenceArea.Kind.LSOA,
            geometry__isnull=False,
            min_lon__lte=max_lon,
            max_lon__gte=min_lon,
            min_lat__lte=max_lat,
            max_lat__gte=min_lat,
        ).values_list("code", "geometry")
        for code, geometry in candidates:
            with_boundary.add(code)
            if boundary.intersects(shape(geometry).point_on_surface()):
                result[zone.pk].add(code)
    # LSOAs known only from crime: those whose located crimes are mostly in one zone.
    crimes = crime_store.crime_table()
    in_zones = crimes[
        crimes["zone"].isin([zone.pk for zone in zones]).to_numpy()
        & (crimes["lsoa_code"] != "").to_numpy()
    ]
    counts = crime_store.count_by(in_zones, "lsoa_code", "zone")
    codes = {code for code, _zone in counts} - with_boundary
    if codes:
        # Boundaries of these LSOAs may be stored outside the zones' boxes: those go by boundary.
        codes -= set(
            ReferenceArea.objects.filter(code__in=codes, geometry__isnull=False).values_list(
                "code", flat=True
            )
        )
    if codes:
        totals = crime_store.count_by(
            crime_store.crime_frame(lsoa_codes=codes, located=True), "lsoa_code"
        )
        for (code, zone_id), n in counts.items():
            if code in codes and n * 2 > totals.get(code, 0):
                result[zone_id].add(code)
    return result


def zone_lsoas(zone: Zone) -> list[ReferenceArea]:
    """The zone's LSOAs that are stored as reference areas, by code."""
    codes = zones_lsoa_codes([zone]).get(zone.pk, set())
    return list(
        ReferenceArea.objects.filter(kind=ReferenceArea.Kind.LSOA, code__in=codes)
        .defer("geometry")
        .order_by("code")
    )


def _force_district_codes() -> set[str] | None:
    """Districts of the force area: those with a stored boundary; None when none has one."""
    codes = set(
        ReferenceArea.objects.filter(
            kind=ReferenceArea.Kind.LAD, geometry__isnull=False
        ).values_list("code", flat=True)
    )
    return codes or None


def _codes_with_crime(codes: set[str]) -> set[str]:
    if not codes:
        return set()
    return set(crime_store.crime_frame(lsoa_codes=codes)["lsoa_code"].unique().tolist())


@dataclass
class ComparisonAreas:
    """The areas a zone's crime is compared with, and how they were chosen."""

    zone: Zone
    zone_lsoas: list[ReferenceArea]
    lad: ReferenceArea | None
    lad_code: str
    lad_lsoa_count: int = 0
    # The district's LSOAs with crime stored: the ones its rate is worked out over.
    lad_lsoa_codes: set[str] = field(default_factory=set)
    # How many of the zone's LSOAs are in each IMD decile (only those with a decile).
    deciles: dict[int, int] = field(default_factory=dict)
    # The comparison LSOAs of each of those deciles.
    comparison: dict[int, list[ReferenceArea]] = field(default_factory=dict)
    # Districts searched for comparison LSOAs (same type, in the force area).
    districts: list[ReferenceArea] = field(default_factory=list)
    # LSOAs of the same type and decile left out, by reason.
    left_out: dict[str, int] = field(default_factory=dict)
    force_area_known: bool = True

    @property
    def lad_type(self) -> str:
        return la_type(self.lad_code)

    @property
    def lad_type_label(self) -> str:
        return la_type_label(self.lad_code)

    @property
    def zone_lsoa_codes(self) -> set[str]:
        return {area.code for area in self.zone_lsoas}

    @property
    def comparison_codes(self) -> set[str]:
        return {area.code for areas in self.comparison.values() for area in areas}

    @property
    def comparison_count(self) -> int:
        return sum(len(areas) for areas in self.comparison.values())

    @property
    def zone_lsoas_without_decile(self) -> int:
        return sum(1 for area in self.zone_lsoas if area.imd_decile is None)

    @property
    def deciles_without_comparison(self) -> list[int]:
        return [decile for decile in self.deciles if not self.comparison.get(decile)]

    def decile_weights(self) -> dict[int, float]:
        """Each decile's share of the zone's LSOAs, among deciles that have comparison LSOAs."""
        usable = {d: n for d, n in self.deciles.items() if self.comparison.get(d)}
        total = sum(usable.values())
        return {d: n / total for d, n in usable.items()} if total else {}


def comparison_areas(*, zone: Zone) -> ComparisonAreas:
    """The zone's LSOAs and district, and its comparison LSOAs (rules in the module docstring).

    Another part of the platform (impact evaluation) reuses this choice of comparison areas.
    """
    all_zones = zones_lsoa_codes()
    codes = all_zones.get(zone.pk) or zones_lsoa_codes([zone]).get(zone.pk, set())
    in_any_zone = set().union(*all_zones.values()) if all_zones else set()
    in_any_zone |= codes
    lsoas = list(
        ReferenceArea.objects.filter(kind=ReferenceArea.Kind.LSOA, code__in=codes)
        .defer("geometry")
        .order_by("code")
    )
    lad_votes = Counter(area.lad_code for area in lsoas if area.lad_code)
    lad_code = lad_votes.most_common(1)[0][0] if lad_votes else ""
    lad = (
        ReferenceArea.objects.filter(kind=ReferenceArea.Kind.LAD, code=lad_code)
        .defer("geometry")
        .first()
        if lad_code
        else None
    )
    result = ComparisonAreas(zone=zone, zone_lsoas=lsoas, lad=lad, lad_code=lad_code)
    if not lad_code:
        return result
    lad_codes = set(
        ReferenceArea.objects.filter(kind=ReferenceArea.Kind.LSOA, lad_code=lad_code).values_list(
            "code", flat=True
        )
    )
    result.lad_lsoa_count = len(lad_codes)
    result.lad_lsoa_codes = _codes_with_crime(lad_codes)
    result.deciles = dict(
        sorted(Counter(area.imd_decile for area in lsoas if area.imd_decile is not None).items())
    )
    if not result.deciles:
        return result
    force = _force_district_codes()
    result.force_area_known = force is not None
    districts = ReferenceArea.objects.filter(
        kind=ReferenceArea.Kind.LAD, code__startswith=la_type(lad_code)
    ).defer("geometry")
    if force is not None:
        districts = districts.filter(code__in=force)
    result.districts = list(districts.order_by("name", "code"))
    candidates = list(
        ReferenceArea.objects.filter(
            kind=ReferenceArea.Kind.LSOA,
            imd_decile__in=list(result.deciles),
            lad_code__startswith=la_type(lad_code),
        )
        .defer("geometry")
        .order_by("code")
    )
    district_codes = {district.code for district in result.districts}
    left_out: Counter[str] = Counter()
    kept = []
    for area in candidates:
        if area.code in codes:
            continue  # the zone's own
        if area.code in in_any_zone:
            left_out["in_a_zone"] += 1
        elif force is not None and area.lad_code not in district_codes:
            left_out["outside_force_area"] += 1
        else:
            kept.append(area)
    with_crime = _codes_with_crime({area.code for area in kept})
    comparison: dict[int, list[ReferenceArea]] = defaultdict(list)
    for area in kept:
        if area.code in with_crime:
            comparison[area.imd_decile].append(area)
        else:
            left_out["no_crime_stored"] += 1
    result.comparison = {decile: comparison.get(decile, []) for decile in result.deciles}
    result.left_out = dict(left_out)
    return result


def month_list(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every first-of-month from `first` to `last`, inclusive."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def latest_crime_month() -> datetime.date | None:
    """The latest month with any police.uk crime stored."""
    return crime_store.latest_month()


@dataclass
class Rates:
    """One row of figures: the zone's count (by point) and three rates per LSOA a month."""

    zone_count: int | None
    zone: float | None
    lad: float | None
    comparison: float | None


@dataclass
class CrimeComparison:
    """A zone's crime by month and type beside its district and its comparison areas."""

    areas: ComparisonAreas
    month_from: datetime.date
    month_to: datetime.date
    crime_type: str
    months: list[datetime.date]
    months_with_data: list[datetime.date]
    types: list[str]
    by_type: list[tuple[str, Rates]]
    by_month: list[tuple[datetime.date, Rates]]
    # The zone's counts (crimes whose point is in its boundary): month -> type -> count.
    zone_counts: dict[datetime.date, dict[str, int]]

    @property
    def months_without_data(self) -> list[datetime.date]:
        have = set(self.months_with_data)
        return [month for month in self.months if month not in have]

    @property
    def zone_total(self) -> int:
        return sum(sum(row.values()) for row in self.zone_counts.values())

    def zone_matrix(self) -> list[tuple[datetime.date, list[int], int]]:
        """Each month's zone counts in the order of `types`, and the month's total."""
        rows = []
        for month in self.months:
            counts = self.zone_counts.get(month, {})
            rows.append((month, [counts.get(kind, 0) for kind in self.types], sum(counts.values())))
        return rows

    def zone_type_totals(self) -> list[int]:
        return [
            sum(self.zone_counts.get(month, {}).get(kind, 0) for month in self.months)
            for kind in self.types
        ]


def _counts_by_month_type(
    table: Any, month_from: datetime.date, month_to: datetime.date, **filters: Any
) -> dict[tuple[datetime.date, str], int]:
    crimes = crime_store.select(table, month_from=month_from, month_to=month_to, **filters)
    return crime_store.count_by(crimes, "month", "crime_type")


def _total(
    counts: dict[tuple[datetime.date, str], int], month: datetime.date | None, kind: str
) -> int:
    return sum(
        n
        for (m, k), n in counts.items()
        if (month is None or m == month) and (kind == ALL_CRIME or k == kind)
    )


def crime_comparison(
    *,
    zone: Zone,
    month_from: datetime.date,
    month_to: datetime.date,
    crime_type: str = ALL_CRIME,
    areas: ComparisonAreas | None = None,
) -> CrimeComparison:
    """Monthly crime in the zone by type, beside its district and comparison LSOAs (per LSOA).

    Only aggregates: counts and rates, never a crime's point, place or ID. A month with no
    crime stored anywhere (not yet imported) has no rates rather than zero.
    """
    areas = areas or comparison_areas(zone=zone)
    months = month_list(month_from, month_to)
    table = crime_store.crime_table()
    months_with_data = sorted(
        crime_store.select(table, month_from=month_from, month_to=month_to)["month"].unique()
    )
    zone_counts_raw = _counts_by_month_type(table, month_from, month_to, zone=zone)
    zone_lsoa = (
        _counts_by_month_type(table, month_from, month_to, lsoa_codes=areas.zone_lsoa_codes)
        if areas.zone_lsoas
        else {}
    )
    lad = (
        _counts_by_month_type(table, month_from, month_to, lsoa_codes=areas.lad_lsoa_codes)
        if areas.lad_lsoa_codes
        else {}
    )
    weights = areas.decile_weights()
    by_decile = {
        decile: _counts_by_month_type(
            table,
            month_from,
            month_to,
            lsoa_codes=[area.code for area in areas.comparison[decile]],
        )
        for decile in weights
    }
    types = sorted(
        {kind for _month, kind in zone_counts_raw}
        | {kind for _month, kind in zone_lsoa}
        | {kind for _month, kind in lad}
        | {kind for counts in by_decile.values() for _month, kind in counts},
        key=lambda kind: (-_total(zone_counts_raw, None, kind), kind),
    )
    n_zone = len(areas.zone_lsoas)
    n_lad = len(areas.lad_lsoa_codes)
    n_months = len(months_with_data)

    def rates(month: datetime.date | None, kind: str) -> Rates:
        """For one month, or (month None) the mean month of the range's months with data."""
        has_data = month in months_with_data if month is not None else bool(n_months)
        per = 1 if month is not None else n_months
        count = _total(zone_counts_raw, month, kind)
        if not has_data:
            return Rates(zone_count=None, zone=None, lad=None, comparison=None)
        comparison = None
        if weights:
            comparison = (
                sum(
                    weight * _total(by_decile[decile], month, kind) / len(areas.comparison[decile])
                    for decile, weight in weights.items()
                )
                / per
            )
        return Rates(
            zone_count=count,
            zone=_total(zone_lsoa, month, kind) / n_zone / per if n_zone else None,
            lad=_total(lad, month, kind) / n_lad / per if n_lad else None,
            comparison=comparison,
        )

    zone_counts: dict[datetime.date, dict[str, int]] = defaultdict(dict)
    for (month, kind), n in zone_counts_raw.items():
        zone_counts[month][kind] = n
    return CrimeComparison(
        areas=areas,
        month_from=month_from,
        month_to=month_to,
        crime_type=crime_type,
        months=months,
        months_with_data=months_with_data,
        types=types,
        by_type=[(kind, rates(None, kind)) for kind in [ALL_CRIME, *types]],
        by_month=[(month, rates(month, crime_type)) for month in months],
        zone_counts=dict(zone_counts),
    )
