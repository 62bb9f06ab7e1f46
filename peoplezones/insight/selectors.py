"""Reads of place insight: police.uk crime by zone, month and type; reference areas; hotspots.

police.uk street-level crime, IMD and ONS boundaries are open data, so every user, signed in or
not, may read them; the `user` argument keeps the selectors' shape the same as everywhere else
for when that changes. Hotspot runs are staff work: see `hotspot_run_list`.
"""

import datetime
from collections import Counter
from typing import Any

import numpy as np
from django.db.models import Count, Q, QuerySet

from peoplezones.accounts.roles import ProgrammeRole, has_programme_role
from peoplezones.insight import hotspots as engine
from peoplezones.insight.models import Crime, HotspotRun, ReferenceArea
from peoplezones.insight.services.hotspots import HotspotResult
from peoplezones.zones.models import Zone


def crime_list(
    *,
    user: Any,
    zone: Zone | None = None,
    month: datetime.date | None = None,
    crime_type: str | None = None,
) -> QuerySet[Crime]:
    """Crimes, newest month first, optionally only of one zone, month (any day in it) or type."""
    crimes = Crime.objects.select_related("zone")
    if zone is not None:
        crimes = crimes.filter(zone=zone)
    if month is not None:
        crimes = crimes.filter(month=month.replace(day=1))
    if crime_type:
        crimes = crimes.filter(crime_type=crime_type)
    return crimes.order_by("-month", "id")


def crime_counts_by_type(
    *,
    user: Any,
    zone: Zone | None = None,
    month_from: datetime.date | None = None,
    month_to: datetime.date | None = None,
) -> list[dict[str, Any]]:
    """`{"crime_type", "count"}` for each crime type, most frequent first; months inclusive."""
    crimes = Crime.objects.all()
    if zone is not None:
        crimes = crimes.filter(zone=zone)
    if month_from is not None:
        crimes = crimes.filter(month__gte=month_from.replace(day=1))
    if month_to is not None:
        crimes = crimes.filter(month__lte=month_to.replace(day=1))
    return list(
        crimes.values("crime_type").annotate(count=Count("id")).order_by("-count", "crime_type")
    )


def crime_counts_by_month(*, user: Any, zone: Zone | None = None) -> list[dict[str, Any]]:
    """`{"month", "count"}` for each month with crimes, oldest first (the zone's trend)."""
    crimes = Crime.objects.all()
    if zone is not None:
        crimes = crimes.filter(zone=zone)
    return list(crimes.values("month").annotate(count=Count("id")).order_by("month"))


def reference_area_list(
    *, user: Any, kind: str | None = None, lad_code: str | None = None
) -> QuerySet[ReferenceArea]:
    """Reference areas by kind and code, optionally only one kind or those of one district."""
    areas = ReferenceArea.objects.all()
    if kind:
        areas = areas.filter(kind=kind)
    if lad_code:
        areas = areas.filter(lad_code=lad_code.upper())
    return areas.order_by("kind", "code")


def hotspot_run_list(*, user: Any) -> QuerySet[HotspotRun]:
    """Stored hotspot runs, newest first, for staff (who may see them all); nobody else."""
    if not getattr(user, "is_staff", False):
        return HotspotRun.objects.none()
    return HotspotRun.objects.select_related("zone", "created_by").defer("results")


def hotspot_run_result(*, run: HotspotRun) -> HotspotResult:
    """A stored run's per-cell results, with z, p, q and classes recomputed from its values.

    They are exact functions of the stored cells and values and the run's parameters, so they
    equal what the run reported (the density is stored to 6 significant figures).
    """
    results = run.results
    grid = engine.Grid(
        size=run.cell_size,
        ix=np.asarray(results["ix"], np.int64),
        iy=np.asarray(results["iy"], np.int64),
    )
    counts = np.asarray(results["count"], float)
    values = np.asarray(results["harm"], float) if "harm" in results else counts
    return HotspotResult(
        run=run,
        grid=grid,
        counts=counts,
        values=values,
        stats=engine.hotspot_stats(grid, values, band=run.band, classify_by=run.classify_by),
        density=np.asarray(results["density"], float),
    )


# Beyond this many cells, crimes are read from the cells' overall box rather than cell by cell.
MAX_CELL_BOXES = 60
# Margin (degrees) around each cell's box, far less than a cell; points are placed exactly after.
CELL_BOX_SLACK = 0.0005


def crimes_in_cells(
    *,
    grid: engine.Grid,
    cells: Any,
    month_from: datetime.date,
    month_to: datetime.date,
    crime_types: list[str] | tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """The located crimes of the months (and types) whose point is in one of `cells`.

    `cells` are positions in `grid`. Each crime comes back as a dict with its `cell` (position),
    `location` (police.uk's "On or near …"), `month`, `crime_type`, `zone_id`, `latitude` and
    `longitude`: aggregate them before showing them anywhere public.
    """
    cells = np.unique(np.asarray(cells, np.int64))
    if not len(cells):
        return []
    corner_e = grid.corner_e[cells]
    corner_n = grid.corner_n[cells]
    size = float(grid.size)
    lon, lat = engine.bng_to_lon_lat(
        np.concatenate([corner_e, corner_e + size, corner_e + size, corner_e]),
        np.concatenate([corner_n, corner_n, corner_n + size, corner_n + size]),
    )
    lon, lat = lon.reshape(4, -1), lat.reshape(4, -1)
    lon_min, lon_max = lon.min(axis=0) - CELL_BOX_SLACK, lon.max(axis=0) + CELL_BOX_SLACK
    lat_min, lat_max = lat.min(axis=0) - CELL_BOX_SLACK, lat.max(axis=0) + CELL_BOX_SLACK
    if len(cells) <= MAX_CELL_BOXES:
        where = Q()
        for index in range(len(cells)):
            where |= Q(
                latitude__gte=lat_min[index],
                latitude__lte=lat_max[index],
                longitude__gte=lon_min[index],
                longitude__lte=lon_max[index],
            )
    else:
        where = Q(
            latitude__gte=lat_min.min(),
            latitude__lte=lat_max.max(),
            longitude__gte=lon_min.min(),
            longitude__lte=lon_max.max(),
        )
    crimes = Crime.objects.filter(
        where,
        month__gte=month_from,
        month__lte=month_to,
        latitude__isnull=False,
        longitude__isnull=False,
    )
    if crime_types:
        crimes = crimes.filter(crime_type__in=list(crime_types))
    rows = list(
        crimes.values("location", "month", "crime_type", "zone_id", "latitude", "longitude")
    )
    if not rows:
        return []
    easting, northing = engine.lat_lon_to_bng(
        [row["latitude"] for row in rows], [row["longitude"] for row in rows]
    )
    positions = grid.locate(easting, northing)
    wanted = set(cells.tolist())
    located = []
    for row, position in zip(rows, positions.tolist(), strict=True):
        if position in wanted:
            row["cell"] = position
            located.append(row)
    return located


def hotspot_cell_streets(
    *, run: HotspotRun, grid: engine.Grid, cells: Any, limit: int = 3
) -> dict[int, list[tuple[str, int]]]:
    """For each of `cells` of a run, police.uk's commonest places in it ("On or near …"), with
    how many of the run's crimes (its months and types) are recorded there, most first."""
    by_cell: dict[int, Counter[str]] = {}
    for crime in crimes_in_cells(
        grid=grid,
        cells=cells,
        month_from=run.month_from,
        month_to=run.month_to,
        crime_types=run.crime_types,
    ):
        by_cell.setdefault(crime["cell"], Counter())[crime["location"] or "-"] += 1
    return {
        cell: sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]
        for cell, counter in by_cell.items()
    }


def hotspot_runs_for_staff(*, user: Any) -> QuerySet[HotspotRun]:
    """Hotspot runs for the insight pages: the programme team sees them all, others none."""
    if not has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM):
        return HotspotRun.objects.none()
    return HotspotRun.objects.select_related("zone", "created_by").defer("results")


def crime_types_stored() -> list[str]:
    """Every police.uk crime type with a crime stored, alphabetically."""
    # order_by() first: the model's ordering would otherwise make DISTINCT see every row.
    return sorted(Crime.objects.order_by().values_list("crime_type", flat=True).distinct())
