"""Running a hotspot analysis on stored crime, and storing it so that it can be cited.

The statistics are `insight.hotspots` (pure functions); this module chooses the study area,
reads the crimes, calls them, and records the run with its parameters and the data it saw.
"""

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from numpy.typing import NDArray

from peoplezones.core.services import audit_record
from peoplezones.insight import crime_store
from peoplezones.insight import hotspots as engine
from peoplezones.insight.comparison import month_list
from peoplezones.insight.harm import DEFAULT_WEIGHT
from peoplezones.insight.hotspots import HotspotError
from peoplezones.insight.models import CrimeTypeWeight, HotspotRun, ImportRun
from peoplezones.insight.study_areas import StudyArea, study_area

DEFAULT_CELL = 150
DEFAULT_BAND = 450
# H3 resolution 10: hexagons about 76 m a side, centres about 130 m apart, near the squares' 150.
DEFAULT_H3_RESOLUTION = 10
MIN_CELL, MAX_CELL = 10, 5000
MAX_BUFFER = 20_000
MAX_BANDWIDTH = 20_000
# Margin (degrees) around the study area's box when reading crimes: more than any rounding of
# the conversion of its corners, far less than a cell.
BOX_SLACK_DEGREES = 0.001
# Steps reported to `progress`, in order.
STEPS = ("area", "crimes", "grid", "statistics", "density", "store")

Step = Callable[[str], None]


@dataclass(frozen=True)
class HotspotParams:
    """What to analyse. `area` is "force", "zone:<slug>" or "lad:<code>"; months are inclusive.

    `bandwidth` (kernel density) defaults to the distance band, so the map's surface and the
    Gi* statistic look at neighbourhoods of the same size. `grid` is "square" (cells of
    `cell_size` metres) or "h3" (H3 hexagons of `h3_resolution`; `cell_size` is not used).
    """

    area: str
    month_from: datetime.date
    month_to: datetime.date
    crime_types: tuple[str, ...] = ()
    cell_size: int = DEFAULT_CELL
    band: int = DEFAULT_BAND
    buffer: int = 0
    bandwidth: int | None = None
    weighting: str = HotspotRun.Weighting.COUNT
    classify_by: str = HotspotRun.ClassifyBy.Q
    grid: str = HotspotRun.GridKind.SQUARE
    h3_resolution: int = DEFAULT_H3_RESOLUTION

    @property
    def is_hex(self) -> bool:
        return self.grid == HotspotRun.GridKind.H3


@dataclass(eq=False)
class HotspotResult:
    """A run (saved unless asked not to) and its per-cell arrays, in the grid's order."""

    run: HotspotRun
    grid: engine.Grid | engine.HexGrid
    counts: NDArray[np.float64]
    values: NDArray[np.float64]
    stats: engine.HotspotStats
    density: NDArray[np.float64]
    warnings: list[str] = field(default_factory=list)

    @property
    def weighted(self) -> bool:
        return self.run.weighting == HotspotRun.Weighting.HARM


def run_hotspots(
    params: HotspotParams,
    user: Any = None,
    *,
    store: bool = True,
    progress: Step | None = None,
) -> HotspotResult:
    """Find the hotspots of stored crime in an area and months, and store the run to cite it.

    Checks every parameter first and raises HotspotError with a message for the person asking
    (unknown zone or district, months the wrong way round or in the future, band smaller than
    the cell, no crimes). With `store`, saves a HotspotRun and an audit event
    `insight.hotspots_run` in one transaction. `progress` is called with each of STEPS.
    """
    step = progress or (lambda name: None)
    params = _checked(params)
    step("area")
    area = study_area(params.area, buffer=params.buffer)
    crime_types = _crime_types(params.crime_types)
    bandwidth = params.bandwidth or params.band
    step("crimes")
    crimes = _crimes(params=params, crime_types=crime_types, area=area, reach=bandwidth)
    weights_used = _harm_weights() if params.weighting == HotspotRun.Weighting.HARM else {}
    step("grid")
    grid = _grid(params, area=area)
    easting, northing = engine.lat_lon_to_bng(crimes["lat"], crimes["lon"])
    where = grid.locate(easting, northing)
    counted = where >= 0
    counts = engine.cell_totals(grid, easting, northing)
    crime_weights = None
    if weights_used:
        crime_weights = np.array(
            [weights_used.get(kind, float(DEFAULT_WEIGHT)) for kind in crimes["type"]], float
        )
    values = (
        counts
        if crime_weights is None
        else engine.cell_totals(grid, easting, northing, weights=crime_weights)
    )
    if not counted.any():
        raise HotspotError(_no_crimes(params=params, crime_types=crime_types, area=area))
    step("statistics")
    stats = engine.hotspot_stats(grid, values, band=params.band, classify_by=params.classify_by)
    step("density")
    density = engine.kernel_density(
        grid, easting, northing, bandwidth=bandwidth, weights=crime_weights
    )
    snapshot, warnings = _snapshot(params=params, crimes=crimes, counted=counted)
    run = HotspotRun(
        area=area.key,
        area_label=area.label[:200],
        zone=area.zone,
        month_from=params.month_from,
        month_to=params.month_to,
        crime_types=list(crime_types),
        grid=params.grid,
        cell_size=round(grid.size),
        h3_resolution=params.h3_resolution if params.is_hex else None,
        band=params.band,
        buffer=params.buffer,
        bandwidth=bandwidth,
        weighting=params.weighting,
        harm_weights=weights_used,
        classify_by=params.classify_by,
        method_version=engine.METHOD_VERSION,
        cells=len(grid),
        crimes=int(counted.sum()),
        hot_cells=int(np.char.startswith(stats.classes, "hot").sum()),
        cold_cells=int(np.char.startswith(stats.classes, "cold").sum()),
        data_snapshot=snapshot,
        results=_compact(grid=grid, counts=counts, values=values, density=density, params=params),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    step("store")
    if store:
        with transaction.atomic():
            record_run(run=run, actor=user)
    return HotspotResult(
        run=run,
        grid=grid,
        counts=counts,
        values=values,
        stats=stats,
        density=density,
        warnings=warnings,
    )


def _grid(params: HotspotParams, *, area: StudyArea) -> engine.Grid | engine.HexGrid:
    """The study area's cells: squares of the cell size, or H3 hexagons of the resolution."""
    if params.is_hex:
        grid = engine.hex_grid_within(area.boundary, resolution=params.h3_resolution)
        if len(grid) < 2:
            raise HotspotError(
                _(
                    "%(area)s holds fewer than two H3 hexagons of resolution %(res)s: use a "
                    "finer resolution or a buffer."
                )
                % {"area": area.label, "res": params.h3_resolution}
            )
        return grid
    grid = engine.grid_within(area.boundary, size=params.cell_size)
    if len(grid) < 2:
        raise HotspotError(
            _("%(area)s holds fewer than two cells of %(size)s m: use smaller cells or a buffer.")
            % {"area": area.label, "size": params.cell_size}
        )
    return grid


def record_run(*, run: HotspotRun, actor: Any) -> None:
    """Save a finished run with an audit event `insight.hotspots_run` that says what it found;
    call inside a transaction (the run and its event are one record)."""
    run.full_clean()
    run.save()
    audit_record(
        actor=actor,
        verb="insight.hotspots_run",
        target=run,
        zone=run.zone,
        data={
            "area": run.area,
            "from": f"{run.month_from:%Y-%m}",
            "to": f"{run.month_to:%Y-%m}",
            "crime_types": run.crime_types,
            "grid": run.grid,
            "cell_size": run.cell_size,
            "h3_resolution": run.h3_resolution,
            "band": run.band,
            "weighting": run.weighting,
            "cells": run.cells,
            "crimes": run.crimes,
            "hot_cells": run.hot_cells,
            "cold_cells": run.cold_cells,
        },
    )


def _checked(params: HotspotParams) -> HotspotParams:
    """The parameters, or HotspotError naming the first one that cannot be used."""
    this_month = timezone.localdate().replace(day=1)
    if params.month_from > params.month_to:
        raise HotspotError(
            _("The first month (%(first)s) is after the last (%(last)s).")
            % {"first": f"{params.month_from:%Y-%m}", "last": f"{params.month_to:%Y-%m}"}
        )
    if params.month_to > this_month:
        raise HotspotError(
            _("The last month (%(last)s) is in the future.") % {"last": f"{params.month_to:%Y-%m}"}
        )
    if params.grid not in HotspotRun.GridKind.values:
        raise HotspotError(
            _("The grid must be one of %(choices)s, not “%(value)s”.")
            % {"choices": ", ".join(HotspotRun.GridKind.values), "value": params.grid}
        )
    if params.is_hex:
        resolutions = engine.H3_RESOLUTIONS
        if params.h3_resolution not in resolutions:
            raise HotspotError(
                _("The H3 resolution must be from %(min)s to %(max)s, not %(value)s.")
                % {"min": resolutions[0], "max": resolutions[-1], "value": params.h3_resolution}
            )
        spacing = engine.hex_spacing(params.h3_resolution)
        if params.band > engine.MAX_BAND_CELLS * spacing:
            raise HotspotError(engine.band_too_wide(band=params.band, size=round(spacing)))
    else:
        if not MIN_CELL <= params.cell_size <= MAX_CELL:
            raise HotspotError(
                _("The cell size must be from %(min)s to %(max)s m, not %(value)s m.")
                % {"min": MIN_CELL, "max": MAX_CELL, "value": params.cell_size}
            )
        if params.band < params.cell_size:
            raise HotspotError(engine.band_too_small(band=params.band, size=params.cell_size))
        if params.band > engine.MAX_BAND_CELLS * params.cell_size:
            raise HotspotError(engine.band_too_wide(band=params.band, size=params.cell_size))
    if not 0 <= params.buffer <= MAX_BUFFER:
        raise HotspotError(
            _("The buffer must be from 0 to %(max)s m, not %(value)s m.")
            % {"max": MAX_BUFFER, "value": params.buffer}
        )
    if params.bandwidth is not None and not 0 < params.bandwidth <= MAX_BANDWIDTH:
        raise HotspotError(
            _("The kernel density bandwidth must be from 1 to %(max)s m, not %(value)s m.")
            % {"max": MAX_BANDWIDTH, "value": params.bandwidth}
        )
    if params.weighting not in HotspotRun.Weighting.values:
        raise HotspotError(
            _("The weighting must be one of %(choices)s, not “%(value)s”.")
            % {"choices": ", ".join(HotspotRun.Weighting.values), "value": params.weighting}
        )
    if params.classify_by not in HotspotRun.ClassifyBy.values:
        raise HotspotError(
            _("Classes are judged by p or q, not “%(value)s”.") % {"value": params.classify_by}
        )
    return params


def _crime_types(asked: tuple[str, ...]) -> tuple[str, ...]:
    """The stored crime type names meant by `asked` (names or slugs, any case), sorted."""
    if not asked:
        return ()
    known = crime_store.crime_types_stored()
    by_key = {name.lower(): name for name in known} | {slugify(name): name for name in known}
    chosen, unknown = set(), []
    for item in asked:
        name = by_key.get(item.strip().lower()) or by_key.get(slugify(item))
        if name is None:
            unknown.append(item)
        else:
            chosen.add(name)
    if unknown:
        raise HotspotError(
            ngettext(
                "Unknown crime type: %(unknown)s. Stored types: %(known)s.",
                "Unknown crime types: %(unknown)s. Stored types: %(known)s.",
                len(unknown),
            )
            % {
                "unknown": ", ".join(unknown),
                "known": ", ".join(known) or _("none (import crime first)"),
            }
        )
    return tuple(sorted(chosen))


def _no_crimes(*, params: HotspotParams, crime_types: tuple[str, ...], area: StudyArea) -> str:
    values = {
        "area": area.label,
        "first": f"{params.month_from:%Y-%m}",
        "last": f"{params.month_to:%Y-%m}",
        "types": ", ".join(crime_types),
    }
    if crime_types:
        return (
            _(
                "There are no crimes of type %(types)s in %(area)s from %(first)s to %(last)s, so "
                "no hotspots to find."
            )
            % values
        )
    return (
        _("There are no crimes in %(area)s from %(first)s to %(last)s, so no hotspots to find.")
        % values
    )


def _crimes(
    *, params: HotspotParams, crime_types: tuple[str, ...], area: StudyArea, reach: float
) -> dict[str, Any]:
    """The located crimes of the months and types within `reach` metres of the study area.

    Crimes just outside the area count towards the density near its edge, not towards any
    cell's count.
    """
    min_e, min_n, max_e, max_n = area.boundary.bounds
    corners_e = np.array([min_e - reach, max_e + reach, max_e + reach, min_e - reach])
    corners_n = np.array([min_n - reach, min_n - reach, max_n + reach, max_n + reach])
    lon, lat = engine.bng_to_lon_lat(corners_e, corners_n)
    crimes = crime_store.crime_frame(
        month_from=params.month_from,
        month_to=params.month_to,
        crime_types=crime_types or None,
        box=(
            lat.min() - BOX_SLACK_DEGREES,
            lon.min() - BOX_SLACK_DEGREES,
            lat.max() + BOX_SLACK_DEGREES,
            lon.max() + BOX_SLACK_DEGREES,
        ),
    )
    return {
        "lat": crimes["latitude"].to_numpy(dtype=float),
        "lon": crimes["longitude"].to_numpy(dtype=float),
        "type": crimes["crime_type"].tolist(),
        "identity": crimes["identity"].tolist(),
        "month": crimes["month"].tolist(),
    }


def _harm_weights() -> dict[str, float]:
    return {
        crime_type: float(weight)
        for crime_type, weight in CrimeTypeWeight.objects.values_list("crime_type", "weight")
    }


def _snapshot(
    *, params: HotspotParams, crimes: dict[str, Any], counted: NDArray[np.bool_]
) -> tuple[dict[str, Any], list[str]]:
    """What data the run saw, to cite it and check a re-run against it; and warnings."""
    identities = sorted(
        identity for identity, inside in zip(crimes["identity"], counted, strict=True) if inside
    )
    fingerprint = hashlib.sha256("\n".join(identities).encode()).hexdigest()
    months_with_data = {
        month for month, inside in zip(crimes["month"], counted, strict=True) if inside
    }
    months = month_list(params.month_from, params.month_to)
    missing = [f"{month:%Y-%m}" for month in months if month not in months_with_data]
    latest = ImportRun.objects.filter(kind=ImportRun.Kind.POLICE_UK).order_by("-started").first()
    by_type: dict[str, int] = {}
    for kind, inside in zip(crimes["type"], counted, strict=True):
        if inside:
            by_type[kind] = by_type.get(kind, 0) + 1
    snapshot = {
        "crimes_counted": len(identities),
        "crimes_for_density": len(crimes["identity"]),
        "crimes_by_type": dict(sorted(by_type.items())),
        "months_without_crimes": missing,
        "identities_sha256": fingerprint,
        # Which datum shift pyproj used (it picks OSTN15 when its grid file is installed), since
        # that moves points by up to a couple of metres and so can move one between cells.
        "bng_transformation": engine.bng_transformation(),
        "latest_crime_import": (
            {"id": latest.pk, "file": latest.file_name, "started": latest.started.isoformat()}
            if latest is not None
            else None
        ),
        "params": {
            key: (value.isoformat() if isinstance(value, datetime.date) else value)
            for key, value in asdict(params).items()
        },
    }
    warnings = []
    if missing:
        warnings.append(
            _(
                "No crimes counted in %(missing)s of the %(months)s months: %(list)s. If that is "
                "unexpected, check that their crime is imported."
            )
            % {
                "missing": len(missing),
                "months": len(months),
                "list": ", ".join(missing[:12]) + (" …" if len(missing) > 12 else ""),
            }
        )
    if len(identities) < HotspotRun.FEW_FOR_GI:
        warnings.append(few_crimes_warning(crimes=len(identities)))
    return snapshot, warnings


def few_crimes_warning(*, crimes: int) -> str:
    """What a run with too few crimes for Gi*'s normal approximation should say (docs/insight.md,
    "Hotspot caveats")."""
    return _(
        "Too few crimes for reliable hot spots (%(crimes)s counted; at least %(minimum)s are "
        "needed). Gi*'s z-scores and p-values rest on a normal approximation that so few crimes "
        "do not support, so a hot spot here may be no more than the neighbourhood of one or two "
        "crimes. Use more months, more crime types or a larger area before acting on it."
    ) % {"crimes": crimes, "minimum": HotspotRun.FEW_FOR_GI}


def _significant(value: float) -> float:
    return float(f"{value:.6g}")


def _compact(
    *,
    grid: engine.Grid | engine.HexGrid,
    counts: NDArray[np.float64],
    values: NDArray[np.float64],
    density: NDArray[np.float64],
    params: HotspotParams,
) -> dict[str, Any]:
    """The per-cell results to keep: cells, counts, harm values and density (6 significant
    figures); z, p, q and classes follow exactly from these and the run's parameters."""
    cells: dict[str, Any] = (
        {"h3": grid.names}
        if isinstance(grid, engine.HexGrid)
        else {"ix": grid.ix.tolist(), "iy": grid.iy.tolist()}
    )
    results: dict[str, Any] = {
        **cells,
        "count": counts.astype(np.int64).tolist(),
        "density": [_significant(value) for value in density.tolist()],
    }
    if params.weighting == HotspotRun.Weighting.HARM:
        results["harm"] = values.tolist()
    return results
