"""Reads of place insight: police.uk crime by zone, month and type; reference areas; hotspots.

police.uk street-level crime, IMD and ONS boundaries are open data, so every user, signed in or
not, may read them; the `user` argument keeps the selectors' shape the same as everywhere else
for when that changes. Hotspot runs are staff work: see `hotspot_run_list`.
"""

import datetime
from collections import Counter
from typing import Any

import numpy as np
from django.db.models import QuerySet

from peoplezones.accounts.roles import ProgrammeRole, has_programme_role
from peoplezones.insight import crime_store
from peoplezones.insight import hotspots as engine
from peoplezones.insight.models import HotspotRun, ReferenceArea
from peoplezones.insight.services.hotspots import HotspotResult
from peoplezones.zones.models import Zone


def crime_list(
    *,
    user: Any,
    zone: Zone | None = None,
    month: datetime.date | None = None,
    crime_type: str | None = None,
) -> list[dict[str, Any]]:
    """Crimes as dicts of the crime store's columns, newest month first (then as police.uk
    listed them), optionally only of one zone, month (any day in it) or type."""
    crimes = crime_store.crime_frame(
        zone=zone,
        month_from=month,
        month_to=month,
        crime_types=[crime_type] if crime_type else None,
    )
    order = np.lexsort((np.arange(len(crimes)), -crimes["month_key"].to_numpy()))
    return crimes.iloc[order].to_dict("records")


def crime_counts_by_type(
    *,
    user: Any,
    zone: Zone | None = None,
    month_from: datetime.date | None = None,
    month_to: datetime.date | None = None,
) -> list[dict[str, Any]]:
    """`{"crime_type", "count"}` for each crime type, most frequent first; months inclusive."""
    crimes = crime_store.crime_frame(zone=zone, month_from=month_from, month_to=month_to)
    counts = crime_store.count_by(crimes, "crime_type")
    return [
        {"crime_type": kind, "count": count}
        for kind, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def crime_counts_by_month(*, user: Any, zone: Zone | None = None) -> list[dict[str, Any]]:
    """`{"month", "count"}` for each month with crimes, oldest first (the zone's trend)."""
    counts = crime_store.count_by(crime_store.crime_frame(zone=zone), "month")
    return [{"month": month, "count": count} for month, count in sorted(counts.items())]


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
    grid: engine.Grid | engine.HexGrid
    if "h3" in results:
        grid = engine.HexGrid(
            resolution=int(run.h3_resolution),
            cells=np.array([int(name, 16) for name in results["h3"]], dtype=np.uint64),
        )
    else:
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
    grid: engine.Grid | engine.HexGrid,
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
    outlines = grid.outlines(cells)
    corners = max(len(outline) for outline in outlines)
    # Each cell's outline (squares 5 points, hexagons 7), padded to one length by repeating
    # its first point, as rows: one column a cell.
    east = np.array([[*o[:, 0], *[o[0, 0]] * (corners - len(o))] for o in outlines]).T
    north = np.array([[*o[:, 1], *[o[0, 1]] * (corners - len(o))] for o in outlines]).T
    lon, lat = engine.bng_to_lon_lat(east.ravel(), north.ravel())
    lon, lat = lon.reshape(corners, -1), lat.reshape(corners, -1)
    lon_min, lon_max = lon.min(axis=0) - CELL_BOX_SLACK, lon.max(axis=0) + CELL_BOX_SLACK
    lat_min, lat_max = lat.min(axis=0) - CELL_BOX_SLACK, lat.max(axis=0) + CELL_BOX_SLACK
    crimes = crime_store.crime_frame(
        month_from=month_from,
        month_to=month_to,
        crime_types=list(crime_types) if crime_types else None,
        box=(lat_min.min(), lon_min.min(), lat_max.max(), lon_max.max()),
    )
    if len(cells) <= MAX_CELL_BOXES and len(crimes):
        lat = crimes["latitude"].to_numpy()[:, None]
        lon = crimes["longitude"].to_numpy()[:, None]
        near = (lat >= lat_min) & (lat <= lat_max) & (lon >= lon_min) & (lon <= lon_max)
        crimes = crimes[near.any(axis=1)]
    rows = crimes[["location", "month", "crime_type", "zone", "latitude", "longitude"]].to_dict(
        "records"
    )
    if not rows:
        return []
    for row in rows:
        zone_id = row.pop("zone")
        row["zone_id"] = zone_id or None
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
    *, run: HotspotRun, grid: engine.Grid | engine.HexGrid, cells: Any, limit: int = 3
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
    return crime_store.crime_types_stored()
