"""Writing a hotspot result as GeoJSON (RFC 7946) or CSV: one row or feature per study cell.

Each square cell has `cell_e`, `cell_n` (its lower-left corner, British National Grid metres);
each H3 hexagon has `h3` (its index) and `centre_e`, `centre_n` (its centre, BNG metres). Then
`count` (crimes in it), `harm` (their weighted sum, for harm-weighted runs), `density` (quartic
kernel density, per km²), `z`, `p`, `q` (FDR-adjusted) and `class`. GeoJSON cells are polygons
in WGS84 longitude/latitude, to 7 decimals (about 1 cm): a square's four corners converted from
BNG, a hexagon's six corners as H3 gives them.
"""

import csv
import json
from collections.abc import Iterator
from typing import IO, Any

import numpy as np

from peoplezones.insight.hotspots import HexGrid
from peoplezones.insight.services.hotspots import HotspotResult

ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Boundaries: Source: Office for National Statistics licensed under the Open Government "
    "Licence v.3.0. Contains OS data © Crown copyright and database right 2021."
)
FORMATS = ("geojson", "csv")
DECIMALS = 7


def _number(value: float) -> int | float:
    """Whole numbers as integers (cell corners, counts), others as they are."""
    return int(value) if float(value).is_integer() else float(value)


def cell_rows(result: HotspotResult) -> Iterator[dict[str, Any]]:
    """The properties of each cell, in the grid's order."""
    grid, stats = result.grid, result.stats
    if isinstance(grid, HexGrid):
        names = grid.names
        centre_e, centre_n = np.round(grid.centre_e, 2), np.round(grid.centre_n, 2)
        where = [
            {"h3": names[i], "centre_e": float(centre_e[i]), "centre_n": float(centre_n[i])}
            for i in range(len(grid))
        ]
    else:
        where = [
            {"cell_e": _number(e), "cell_n": _number(n)}
            for e, n in zip(grid.corner_e, grid.corner_n, strict=True)
        ]
    for index in range(len(grid)):
        row: dict[str, Any] = {**where[index], "count": int(result.counts[index])}
        if result.weighted:
            row["harm"] = float(result.values[index])
        row.update(
            {
                "density": float(result.density[index]),
                "z": float(stats.z[index]),
                "p": float(stats.p[index]),
                "q": float(stats.q[index]),
                "class": str(stats.classes[index]),
            }
        )
        yield row


def columns(result: HotspotResult) -> list[str]:
    where = (
        ["h3", "centre_e", "centre_n"] if isinstance(result.grid, HexGrid) else ["cell_e", "cell_n"]
    )
    names = [*where, "count"]
    if result.weighted:
        names.append("harm")
    return [*names, "density", "z", "p", "q", "class"]


def write_csv(result: HotspotResult, out: IO[str]) -> None:
    """Every cell as a CSV row under a header row; numbers only, so nothing to escape."""
    writer = csv.DictWriter(out, fieldnames=columns(result), lineterminator="\n")
    writer.writeheader()
    writer.writerows(cell_rows(result))


def metadata(result: HotspotResult) -> dict[str, Any]:
    """What the run was, for the file's readers: a citation in a few keys."""
    run = result.run
    return {
        "run": run.pk,
        "area": run.area,
        "area_name": run.area_label,
        "from": f"{run.month_from:%Y-%m}",
        "to": f"{run.month_to:%Y-%m}",
        "crime_types": run.crime_types or "all",
        "grid": run.grid,
        "cell_size_m": run.cell_size,
        "h3_resolution": run.h3_resolution,
        "band_m": run.band,
        "buffer_m": run.buffer,
        "bandwidth_m": run.bandwidth,
        "weighting": run.weighting,
        "harm_weights": run.harm_weights or None,
        "classes_from": run.classify_by,
        "method_version": run.method_version,
        "cells": run.cells,
        "crimes": run.crimes,
        "crs_of_cell_e_cell_n": "EPSG:27700",
        "crs_of_centre_e_centre_n": "EPSG:27700",
        "attribution": ATTRIBUTION,
    }


def write_geojson(result: HotspotResult, out: IO[str]) -> None:
    """A FeatureCollection of every cell as a Polygon, written feature by feature.

    The run's parameters go in a foreign member `hotspot_run` (allowed by RFC 7946 §6.1).
    """
    rings = result.grid.rings_lon_lat()
    header = {"type": "FeatureCollection", "hotspot_run": metadata(result)}
    out.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "features": [\n')
    for index, properties in enumerate(cell_rows(result)):
        # Counter-clockwise and closed (a square from its lower-left corner).
        ring = [[round(lon, DECIMALS), round(lat, DECIMALS)] for lon, lat in rings[index]]
        feature = {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": properties,
        }
        out.write(("" if index == 0 else ",\n") + json.dumps(feature, ensure_ascii=False))
    out.write("\n]}\n")
