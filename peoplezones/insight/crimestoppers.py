"""Crimestoppers targeting: where in and around a zone a campaign on its themes would reach most.

1. Each research theme of the zone is linked to police.uk crime types by a staff-editable table
   (`ThemeCrimeTypes`, matched by title; defaults below, seeded by a migration).
2. Hotspots (Getis-Ord Gi*, FDR classes) of those types are found on the zone with a buffer,
   over the last 12 months to a chosen month, with the platform's hotspot engine.
3. The significant hot cells are grouped into **areas** (cells touching at a side or corner),
   ranked and lettered by hotspot strength (the highest Gi* z of their cells; A is the
   strongest), and the crimes in them into **streets** by police.uk's place name ("On or near
   …"). Streets are ranked area by area (A's first) and, within an area, by their number of
   crimes: a leaflet drop covers the strongest area first, busiest streets first. Each street
   has its counts, by type, and a trend (last 6 months against the 6 before).

Reads, except `theme_crime_types_set`, the one write of the table.
"""

import csv
import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from scipy import ndimage

from peoplezones.core.csvsafe import csv_safe
from peoplezones.core.services import audit_record
from peoplezones.insight.comparison import add_months
from peoplezones.insight.hotspots import HotspotError
from peoplezones.insight.models import ThemeCrimeTypes
from peoplezones.insight.selectors import crime_types_stored, crimes_in_cells
from peoplezones.insight.services.hotspots import HotspotParams, HotspotResult, run_hotspots
from peoplezones.insight.study_areas import study_area
from peoplezones.zones.models import Theme, Zone

POLICE_UK_TYPES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)

# (theme title, crime types, why): the starting links, seeded by a data migration. The themes
# are those of the first zones' research (zones/demo_data/themes.csv) and a few common others.
DEFAULT_THEME_CRIME_TYPES: list[tuple[str, list[str], str]] = [
    (
        "Crime and Anti-Social Behaviour",
        ["Anti-social behaviour", "Criminal damage and arson", "Public order"],
        "The theme's own words: the nuisance, damage and disorder residents see in the street.",
    ),
    ("Anti-Social Behaviour", ["Anti-social behaviour", "Public order"], "The theme's own words."),
    ("Substance Abuse", ["Drugs"], "police.uk's Drugs category (possession and supply)."),
    ("Drugs", ["Drugs"], "police.uk's Drugs category."),
    (
        "Community Safety",
        [
            "Violence and sexual offences",
            "Robbery",
            "Possession of weapons",
            "Anti-social behaviour",
        ],
        "Feeling safe in the neighbourhood: violence, robbery, weapons and anti-social behaviour.",
    ),
    (
        "Personal Safety",
        ["Violence and sexual offences", "Robbery", "Theft from the person"],
        "Crimes against a person.",
    ),
    (
        "Pride of Place",
        ["Criminal damage and arson", "Anti-social behaviour"],
        "Damage, graffiti and environmental anti-social behaviour (litter, fly-tipping) spoil "
        "a place.",
    ),
    (
        "Youth Provision",
        ["Anti-social behaviour"],
        "Residents link a lack of things for young people to anti-social behaviour; police.uk "
        "has no category about young people as such.",
    ),
    ("Home Security", ["Burglary"], "Burglary of homes and businesses."),
    ("Vehicle Crime", ["Vehicle crime"], "police.uk's Vehicle crime category."),
    ("Health and Wellbeing", [], "Not about a police.uk category."),
    ("Access to Services", [], "Not about a police.uk category."),
    ("Celebrating the People", [], "Not about a police.uk category."),
]

MONTHS = 12
TREND_MONTHS = 6
DEFAULT_BUFFER = 500
MAX_BUFFER = 2000
CELL_SIZE = 150
BAND = 450


def theme_key(title: str) -> str:
    """How theme titles are matched: lower case, "&" as "and", single spaces."""
    text = title.lower().replace("&", " and ")
    return re.sub(r"\s+", " ", text).strip()


def ensure_default_theme_crime_types(model: Any) -> None:
    """Add the default links of themes that have no row; never changes an existing row.

    Takes the model class so that a data migration can pass its historical model.
    """
    existing = set(model.objects.values_list("key", flat=True))
    model.objects.bulk_create(
        [
            model(title=title, key=theme_key(title), crime_types=list(types), note=note)
            for title, types, note in DEFAULT_THEME_CRIME_TYPES
            if theme_key(title) not in existing
        ]
    )


def theme_crime_types_set(
    *, title: str, crime_types: list[str], note: str = "", actor: Any
) -> ThemeCrimeTypes:
    """Set which police.uk crime types a research theme is about (creating its row).

    Types must be police.uk's categories; an audit event `insight.theme_crime_types_set`
    records the change with what it was before.
    """
    unknown = [kind for kind in crime_types if kind not in POLICE_UK_TYPES]
    if unknown:
        raise ValidationError(
            {"crime_types": _("Not police.uk crime types: %(types)s.") % {"types": unknown}}
        )
    key = theme_key(title)
    if not key:
        raise ValidationError({"title": _("Give the theme's title.")})
    with transaction.atomic():
        item = ThemeCrimeTypes.objects.select_for_update().filter(key=key).first()
        before = list(item.crime_types) if item is not None else None
        if item is None:
            item = ThemeCrimeTypes(key=key, title=title.strip())
        item.crime_types = [kind for kind in POLICE_UK_TYPES if kind in crime_types]
        item.note = note
        item.full_clean()
        item.save()
        audit_record(
            actor=actor,
            verb="insight.theme_crime_types_set",
            target=item,
            data={"theme": item.title, "crime_types": item.crime_types, "before": before},
        )
    return item


@dataclass
class ThemeLink:
    """A zone's theme and the police.uk types it is linked to (`mapped` False: no row yet)."""

    title: str
    crime_types: list[str]
    mapped: bool
    note: str = ""


def theme_crime_type_rows() -> dict[str, ThemeCrimeTypes]:
    """The table linking research themes to crime types, by theme key."""
    return {row.key: row for row in ThemeCrimeTypes.objects.all()}


def zone_theme_links(
    *, zone: Zone, rows: dict[str, ThemeCrimeTypes] | None = None
) -> list[ThemeLink]:
    """The zone's research themes in order, each with its linked crime types.

    Uses the zone's prefetched themes when there are some (`zones.selectors.zone_list`), and
    `rows` (`theme_crime_type_rows()`) when the caller has them, so a list of zones costs no
    query per zone.
    """
    if rows is None:
        rows = theme_crime_type_rows()
    links = []
    for theme in zone.themes.all():  # Theme's ordering: order, then title
        row = rows.get(theme_key(theme.title))
        links.append(
            ThemeLink(
                title=theme.title,
                crime_types=list(row.crime_types) if row else [],
                mapped=row is not None,
                note=row.note if row else "",
            )
        )
    return links


def theme_titles_in_use() -> list[dict[str, Any]]:
    """Every theme title of any zone or of the table, with its row (or None) and its zones."""
    rows = theme_crime_type_rows()
    titles: dict[str, dict[str, Any]] = {}
    for theme in Theme.objects.select_related("zone").order_by("title"):
        entry = titles.setdefault(
            theme_key(theme.title),
            {"title": theme.title, "row": rows.get(theme_key(theme.title)), "zones": []},
        )
        entry["zones"].append(theme.zone.name)
    for key, row in rows.items():
        titles.setdefault(key, {"title": row.title, "row": row, "zones": []})
    return sorted(titles.values(), key=lambda entry: (not entry["zones"], entry["title"].lower()))


@dataclass
class Street:
    """One police.uk place name within one hot area, with its crimes of the linked types."""

    rank: int
    location: str
    area: str
    strength: float
    level: str
    crimes: int
    recent: int
    earlier: int
    by_type: dict[str, int]
    in_zone: bool
    latitude: float
    longitude: float
    cells: list[int] = field(default_factory=list)

    @property
    def change(self) -> int:
        return self.recent - self.earlier

    @property
    def magnitude(self) -> int:
        return abs(self.recent - self.earlier)

    @property
    def change_percent(self) -> int | None:
        if not self.earlier:
            return None
        return round(100 * (self.recent - self.earlier) / self.earlier)

    @property
    def percent_magnitude(self) -> int | None:
        percent = self.change_percent
        return None if percent is None else abs(percent)


@dataclass
class HotArea:
    """Hot cells touching each other, lettered by strength (A is the strongest)."""

    letter: str
    cells: list[int]
    strength: float
    level: str
    crimes: int
    streets: list[Street] = field(default_factory=list)


@dataclass
class Targeting:
    """The ranked streets and areas of a zone for the linked types, and how they were found."""

    zone: Zone
    themes: list[ThemeLink]
    crime_types: list[str]
    month_from: datetime.date
    month_to: datetime.date
    buffer: int
    result: HotspotResult | None = None
    areas: list[HotArea] = field(default_factory=list)
    streets: list[Street] = field(default_factory=list)
    significant: bool = True
    error: str = ""

    @property
    def warnings(self) -> list[str]:
        """What the hotspot analysis warned of (months without crimes, too few crimes)."""
        return self.result.warnings if self.result is not None else []

    @property
    def recent_from(self) -> datetime.date:
        return add_months(self.month_to, -(TREND_MONTHS - 1))

    @property
    def earlier_to(self) -> datetime.date:
        return add_months(self.month_to, -TREND_MONTHS)


def _letters(index: int) -> str:
    """A, B, … Z, AA, AB, …"""
    text = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        text = chr(ord("A") + remainder) + text
    return text


def _level(class_name: str) -> str:
    return class_name.partition("_")[2] if class_name.startswith("hot_") else ""


def _clusters(grid: Any, cells: np.ndarray) -> list[list[int]]:
    """`cells` (grid positions) grouped into sets that touch at a side or a corner."""
    rows, columns, shape = grid.raster_index()
    raster = np.zeros(shape, bool)
    raster[rows[cells], columns[cells]] = True
    labels, _count = ndimage.label(raster, structure=np.ones((3, 3), bool))
    groups: dict[int, list[int]] = defaultdict(list)
    for cell in cells.tolist():
        groups[int(labels[rows[cell], columns[cell]])].append(cell)
    return list(groups.values())


def targeting(
    *,
    zone: Zone,
    month_to: datetime.date,
    buffer: int = DEFAULT_BUFFER,
    themes: list[ThemeLink] | None = None,
) -> Targeting:
    """Rank the streets in and around `zone` by hotspot strength for its themes' crime types.

    Uses the 12 months to `month_to`; the analysis is not stored (the page states its
    parameters). A zone without linked types, or without such crimes, gets `error` set.
    """
    themes = themes if themes is not None else zone_theme_links(zone=zone)
    types = sorted({kind for link in themes for kind in link.crime_types})
    month_from = add_months(month_to, -(MONTHS - 1))
    plan = Targeting(
        zone=zone,
        themes=themes,
        crime_types=types,
        month_from=month_from,
        month_to=month_to,
        buffer=buffer,
    )
    if not types:
        plan.error = _(
            "None of this zone's research themes is linked to a police.uk crime type, so there "
            "is nothing to target. Link them on the themes' crime types page."
        )
        return plan
    known = set(crime_types_stored())
    present = [kind for kind in types if kind in known]
    if not present:
        plan.error = _("No crimes of the linked types (%(types)s) are stored.") % {
            "types": ", ".join(types)
        }
        return plan
    params = HotspotParams(
        area=f"zone:{zone.slug}",
        month_from=month_from,
        month_to=month_to,
        crime_types=tuple(present),
        cell_size=CELL_SIZE,
        band=BAND,
        buffer=buffer,
    )
    try:
        result = run_hotspots(params, store=False)
    except HotspotError as error:
        plan.error = str(error)
        return plan
    plan.result = result
    z = result.stats.z
    hot = np.flatnonzero(np.char.startswith(result.stats.classes, "hot"))
    if not len(hot):
        plan.significant = False
        counted = np.flatnonzero((result.counts > 0) & (z > 0))
        hot = counted[np.argsort(-z[counted], kind="stable")][:10]
    if not len(hot):
        return plan
    crimes = crimes_in_cells(
        grid=result.grid,
        cells=hot,
        month_from=month_from,
        month_to=month_to,
        crime_types=present,
    )
    by_cell: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for crime in crimes:
        by_cell[crime["cell"]].append(crime)
    # Hot cells with no crime of their own (hot because of their neighbours) count towards
    # their area; an area with no crime at all has no street to leaflet, so it is left out.
    clusters = [cells for cells in _clusters(result.grid, hot) if any(by_cell[c] for c in cells)]
    clusters.sort(key=lambda cells: (-max(z[cells]), -sum(len(by_cell[c]) for c in cells)))
    recent_from = plan.recent_from
    earlier_from = add_months(month_to, -(2 * TREND_MONTHS - 1))
    for index, cells in enumerate(clusters):
        strongest = max(cells, key=lambda cell: z[cell])
        area = HotArea(
            letter=_letters(index),
            cells=sorted(cells),
            strength=float(z[strongest]),
            level=_level(str(result.stats.classes[strongest])),
            crimes=sum(len(by_cell[cell]) for cell in cells),
        )
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for cell in cells:
            for crime in by_cell[cell]:
                grouped[crime["location"] or "-"].append(crime)
        for location, items in grouped.items():
            item_cells = sorted({crime["cell"] for crime in items})
            best = max(item_cells, key=lambda cell: z[cell])
            street = Street(
                rank=0,
                location=location,
                area=area.letter,
                strength=float(z[best]),
                level=_level(str(result.stats.classes[best])),
                crimes=len(items),
                recent=sum(1 for crime in items if crime["month"] >= recent_from),
                earlier=sum(1 for crime in items if earlier_from <= crime["month"] < recent_from),
                by_type=dict(
                    sorted(
                        Counter(crime["crime_type"] for crime in items).items(),
                        key=lambda kv: (-kv[1], kv[0]),
                    )
                ),
                in_zone=any(crime["zone_id"] == zone.pk for crime in items),
                latitude=round(float(np.mean([crime["latitude"] for crime in items])), 5),
                longitude=round(float(np.mean([crime["longitude"] for crime in items])), 5),
                cells=item_cells,
            )
            area.streets.append(street)
        # Within an area, the busiest streets first.
        area.streets.sort(key=lambda s: (-s.crimes, -s.strength, s.location))
        plan.areas.append(area)
    # Areas in order of strength (A first), and within each its busiest streets first.
    streets = [street for area in plan.areas for street in area.streets]
    for rank, street in enumerate(streets, start=1):
        street.rank = rank
    plan.streets = streets
    return plan


def study_boundary(plan: Targeting) -> Any:
    """The zone's boundary and its buffered study area, in British National Grid metres."""
    zone_area = study_area(f"zone:{plan.zone.slug}").boundary
    if not plan.buffer:
        return zone_area, None
    return zone_area, zone_area.buffer(plan.buffer)


CSV_COLUMNS = [
    "rank",
    "street",
    "area",
    "in_zone",
    "strength_z",
    "confidence",
    "crimes",
    "last_6_months",
    "previous_6_months",
    "change",
    "crime_types",
    "latitude",
    "longitude",
]


def write_targets_csv(plan: Targeting, out: IO[str]) -> None:
    """The ranked streets as CSV, one row each (police.uk's place names, counts, trend)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for street in plan.streets:
        writer.writerow(
            [
                street.rank,
                csv_safe(street.location),
                street.area,
                "yes" if street.in_zone else "no",
                f"{street.strength:.3f}",
                street.level or "",
                street.crimes,
                street.recent,
                street.earlier,
                street.change,
                csv_safe("; ".join(f"{kind}: {n}" for kind, n in street.by_type.items())),
                f"{street.latitude:.5f}",
                f"{street.longitude:.5f}",
            ]
        )
