"""Writing a hotspot result as GeoJSON (RFC 7946) or CSV: one row or feature per study cell.

Each cell has `cell_e`, `cell_n` (its lower-left corner, British National Grid metres), `count`
(crimes in it), `harm` (their weighted sum, for harm-weighted runs), `density` (quartic kernel
density, per km²), `z`, `p`, `q` (FDR-adjusted) and `class`. GeoJSON cells are polygons of their
four corners converted to WGS84 longitude/latitude, to 7 decimals (about 1 cm).
"""

import csv
import json
from collections.abc import Iterator
from typing import IO, Any

import numpy as np

from peoplezones.insight.hotspots import bng_to_lon_lat
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
    corner_e, corner_n = grid.corner_e, grid.corner_n
    for index in range(len(grid)):
        row: dict[str, Any] = {
            "cell_e": _number(corner_e[index]),
            "cell_n": _number(corner_n[index]),
            "count": int(result.counts[index]),
        }
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
    names = ["cell_e", "cell_n", "count"]
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
        "cell_size_m": run.cell_size,
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
        "attribution": ATTRIBUTION,
    }


def write_geojson(result: HotspotResult, out: IO[str]) -> None:
    """A FeatureCollection of every cell as a Polygon, written feature by feature.

    The run's parameters go in a foreign member `hotspot_run` (allowed by RFC 7946 §6.1).
    """
    grid = result.grid
    size = float(grid.size)
    corners_e = np.concatenate(
        [grid.corner_e, grid.corner_e + size, grid.corner_e + size, grid.corner_e]
    )
    corners_n = np.concatenate(
        [grid.corner_n, grid.corner_n, grid.corner_n + size, grid.corner_n + size]
    )
    lon, lat = bng_to_lon_lat(corners_e, corners_n)
    lon = np.round(lon, DECIMALS).reshape(4, -1)
    lat = np.round(lat, DECIMALS).reshape(4, -1)
    header = {"type": "FeatureCollection", "hotspot_run": metadata(result)}
    out.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "features": [\n')
    for index, properties in enumerate(cell_rows(result)):
        # Lower-left, lower-right, upper-right, upper-left, lower-left: counter-clockwise.
        ring = [[float(lon[k, index]), float(lat[k, index])] for k in (0, 1, 2, 3, 0)]
        feature = {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": properties,
        }
        out.write(("" if index == 0 else ",\n") + json.dumps(feature, ensure_ascii=False))
    out.write("\n]}\n")
