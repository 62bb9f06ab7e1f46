"""Benchmark of the Getis-Ord Gi* engine (peoplezones/insight/hotspots.py) against esda.

Not a test: nothing here asserts on time, and pytest never collects this folder. No database
is used: the engine is pure NumPy/SciPy. Two measurements (issue 7, "Performance"):

1. The same grid for both: every 150 m cell of Leicester, Blaby and Charnwood (about 21,500
   cells), holding the real crimes of the 24 Leicestershire months (../shared/data/policeuk),
   a distance band of 450 m. `hotspots.gi_star` against
   `esda.G_Local(values, w, transform="B", star=True, permutations=0)` with libpysal's
   `DistanceBand(threshold=450, binary=True)` weights: the z-scores must agree to 1e-9, and the
   engine should be at least 50 times faster.
2. One million synthetic crime points (fixed seed; clustered round the towns, the rest spread
   evenly) on a 100 m grid over the whole force area (the nine districts), band 300 m: WGS84 to
   British National Grid, the study-area grid, counting, Gi* with p, FDR q and classes, in
   under 3 seconds.

    .venv/bin/python bench/hotspots_gi.py [--data ../shared/data/policeuk] [--runs 9]

See bench/README.md and docs/performance.md.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchsetup import ROOT, table

DISTRICTS = ROOT / "peoplezones" / "insight" / "demo_data" / "llr-districts.geojson.gz"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "policeuk"
SEED = 20260522
COMPARED = {"E06000016": "Leicester", "E07000129": "Blaby", "E07000130": "Charnwood"}
GOAL_SPEED_UP = 50.0
GOAL_MILLION_S = 3.0
# Where synthetic crime clusters (lon, lat, share of points, spread in metres).
TOWNS = [
    (-1.133, 52.636, 0.40, 3500),
    (-1.206, 52.772, 0.08, 1800),
    (-1.373, 52.541, 0.06, 1500),
    (-1.370, 52.723, 0.05, 1500),
    (-0.886, 52.766, 0.04, 1200),
    (-0.921, 52.478, 0.04, 1200),
    (-1.476, 52.746, 0.03, 1000),
    (-0.727, 52.670, 0.02, 900),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time Gi* against esda.G_Local.")
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help=f"police.uk street files ({DEFAULT_DATA})"
    )
    parser.add_argument("--runs", type=int, default=9, help="timed runs of each step (9)")
    parser.add_argument(
        "--esda-runs", type=int, default=3, help="timed runs of esda, which is slow (3)"
    )
    parser.add_argument("--points", type=int, default=1_000_000, help="synthetic points (1e6)")
    return parser.parse_args(argv)


def best_and_median(call: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Seconds of the fastest and the median of `runs` calls (after one warm-up), and a result."""
    result = call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), result


def district_boundaries() -> dict[str, Any]:
    from shapely.geometry import shape

    from peoplezones.insight import hotspots

    with gzip.open(DISTRICTS, "rt", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    return {
        f["properties"]["lad19cd"]: hotspots.geometry_to_bng(shape(f["geometry"])) for f in features
    }


def real_crimes(folder: Path) -> tuple[Any, Any, int]:
    """Longitudes and latitudes of every located crime in the police.uk files."""
    import numpy as np
    import pandas as pd

    paths = sorted(p for p in folder.glob("*street.csv*"))
    if not paths:
        raise SystemExit(f"No police.uk street files in {folder} (see --data).")
    frame = pd.concat(
        [pd.read_csv(p, usecols=["Longitude", "Latitude"]) for p in paths], ignore_index=True
    ).dropna()
    return np.asarray(frame["Longitude"]), np.asarray(frame["Latitude"]), len(paths)


def compare_with_esda(args: argparse.Namespace, boundaries: dict[str, Any]) -> list[str]:
    import esda
    import libpysal
    import numpy as np
    import shapely

    from peoplezones.insight import hotspots

    size, band = 150.0, 450.0
    area = shapely.union_all([boundaries[code] for code in COMPARED])
    grid = hotspots.grid_within(area, size=size)
    lon, lat, files = real_crimes(args.data)
    easting, northing = hotspots.lat_lon_to_bng(lat, lon)
    counts = hotspots.cell_totals(grid, easting, northing)
    ours_best, ours_median, z = best_and_median(
        lambda: hotspots.gi_star(grid, counts, band=band), args.runs
    )
    stats_best, stats_median, _ = best_and_median(
        lambda: hotspots.hotspot_stats(grid, counts, band=band), args.runs
    )
    centres = np.column_stack([grid.centre_e, grid.centre_n])
    with warnings.catch_warnings():
        # libpysal warns about islands and disconnected components; they are legitimate here.
        warnings.simplefilter("ignore")

        def weights() -> Any:
            return libpysal.weights.DistanceBand(
                centres, threshold=band, binary=True, silence_warnings=True
            )

        w_best, w_median, w = best_and_median(weights, args.esda_runs)
        esda_best, esda_median, result = best_and_median(
            lambda: esda.G_Local(counts, w, transform="B", star=True, permutations=0),
            args.esda_runs,
        )
    difference = float(np.max(np.abs(np.asarray(result.Zs, float) - z)))
    speed_up = esda_median / ours_median
    with_weights = (esda_median + w_median) / ours_median
    print(
        f"Grid: {', '.join(COMPARED.values())} at {size:g} m: {len(grid):,} cells, band "
        f"{band:g} m, {int(counts.sum()):,} crimes from {files} monthly files "
        f"({int((counts > 0).sum()):,} cells with any)."
    )
    print()
    print(
        table(
            ["step", "best s", "median s", "runs"],
            [
                ["hotspots.gi_star (z)", f"{ours_best:.4f}", f"{ours_median:.4f}", str(args.runs)],
                [
                    "hotspots.hotspot_stats (z, p, FDR q, classes)",
                    f"{stats_best:.4f}",
                    f"{stats_median:.4f}",
                    str(args.runs),
                ],
                [
                    "libpysal DistanceBand weights",
                    f"{w_best:.3f}",
                    f"{w_median:.3f}",
                    str(args.esda_runs),
                ],
                [
                    "esda.G_Local(star=True, transform='B', permutations=0)",
                    f"{esda_best:.3f}",
                    f"{esda_median:.3f}",
                    str(args.esda_runs),
                ],
            ],
        )
    )
    verdict = "met" if speed_up >= GOAL_SPEED_UP else "NOT met"
    same = "met" if difference <= 1e-9 else "NOT met"
    print()
    return [
        f"Largest |z(engine) − z(esda)|: {difference:.2e} (goal ≤ 1e-9: {same}).",
        f"esda.G_Local / gi_star (medians): {speed_up:,.0f}× (goal ≥ {GOAL_SPEED_UP:.0f}×: "
        f"{verdict}); with libpysal's weights counted too: {with_weights:,.0f}×.",
    ]


def synthetic_points(boundary: Any, count: int) -> tuple[Any, Any]:
    """`count` WGS84 points inside the force area: clustered round towns, the rest even."""
    import numpy as np
    import shapely

    from peoplezones.insight import hotspots

    rng = np.random.default_rng(SEED)
    shapely.prepare(boundary)
    min_e, min_n, max_e, max_n = boundary.bounds
    town_e, town_n = hotspots.lat_lon_to_bng([t[1] for t in TOWNS], [t[0] for t in TOWNS])
    shares = np.array([t[2] for t in TOWNS])
    easting, northing = [], []
    have = 0
    while have < count:
        batch = count
        clustered = rng.random(batch) < shares.sum()
        town = rng.choice(len(TOWNS), size=batch, p=shares / shares.sum())
        spread = np.array([t[3] for t in TOWNS])[town]
        e = np.where(
            clustered, town_e[town] + rng.normal(0, spread), rng.uniform(min_e, max_e, batch)
        )
        n = np.where(
            clustered, town_n[town] + rng.normal(0, spread), rng.uniform(min_n, max_n, batch)
        )
        inside = shapely.contains_xy(boundary, e, n)
        easting.append(e[inside])
        northing.append(n[inside])
        have += int(inside.sum())
    e = np.concatenate(easting)[:count]
    n = np.concatenate(northing)[:count]
    lon, lat = hotspots.bng_to_lon_lat(e, n)
    return lat, lon


def million_points(args: argparse.Namespace, boundaries: dict[str, Any]) -> list[str]:
    import shapely
    from shapely.geometry import shape

    from peoplezones.insight import hotspots

    size, band = 100.0, 300.0
    with gzip.open(DISTRICTS, "rt", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    lat, lon = synthetic_points(shapely.union_all(list(boundaries.values())), args.points)

    steps: dict[str, list[float]] = {}

    def run() -> Any:
        marks = [("start", time.perf_counter())]
        # As study_areas._force_area does: union of the districts, in BNG metres.
        boundary = hotspots.geometry_to_bng(
            shapely.union_all([shape(f["geometry"]) for f in features])
        )
        marks.append(("force-area boundary (union, to BNG)", time.perf_counter()))
        easting, northing = hotspots.lat_lon_to_bng(lat, lon)
        marks.append(("1,000,000 points WGS84 → BNG", time.perf_counter()))
        grid = hotspots.grid_within(boundary, size=size)
        marks.append(("study-area grid (cell centres in the boundary)", time.perf_counter()))
        counts = hotspots.cell_totals(grid, easting, northing)
        marks.append(("counting points per cell", time.perf_counter()))
        stats = hotspots.hotspot_stats(grid, counts, band=band)
        marks.append(("Gi* z, p, FDR q and classes", time.perf_counter()))
        for (_, before), (label, after) in itertools.pairwise(marks):
            steps.setdefault(label, []).append(after - before)
        steps.setdefault("total", []).append(marks[-1][1] - marks[0][1])
        return grid, counts, stats

    grid, counts, stats = run()  # warm-up (pyproj set-up, imports)
    steps.clear()
    for _ in range(args.runs):
        run()
    print(
        f"Force area at {size:g} m: {len(grid):,} cells, band {band:g} m; {args.points:,} "
        f"synthetic points ({int(counts.sum()):,} inside the study area's cells); "
        f"{int((stats.classes != 'not_significant').sum()):,} cells significant."
    )
    print()
    print(
        table(
            ["step", "best s", "median s"],
            [
                [
                    label.replace("1,000,000", f"{args.points:,}"),
                    f"{min(t):.3f}",
                    f"{statistics.median(t):.3f}",
                ]
                for label, t in steps.items()
            ],
        )
    )
    total = statistics.median(steps["total"])
    verdict = "met" if total < GOAL_MILLION_S else "NOT met"
    print()
    return [
        f"{args.points:,} points on a {size:g} m grid over the force area: {total:.2f} s "
        f"median (goal < {GOAL_MILLION_S:g} s: {verdict})."
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")  # settings need a key; nothing is served
    sys.path.insert(0, str(ROOT))
    import django
    import esda
    import numpy
    import scipy

    django.setup()
    load_at_start = os.getloadavg()
    boundaries = district_boundaries()
    print("## Gi* against esda on the same grid")
    print()
    verdicts = compare_with_esda(args, boundaries)
    print("\n".join(verdicts))
    print()
    print("## One million points over the force area")
    print()
    verdicts += million_points(args, boundaries)
    print(verdicts[-1])
    load_at_end = os.getloadavg()
    print()
    print(
        f"Machine: {os.cpu_count()} CPUs; load average at start "
        f"{load_at_start[0]:.2f} / {load_at_start[1]:.2f} / {load_at_start[2]:.2f}, at end "
        f"{load_at_end[0]:.2f} / {load_at_end[1]:.2f} / {load_at_end[2]:.2f}; Python "
        f"{sys.version.split()[0]}, NumPy {numpy.__version__}, SciPy {scipy.__version__}, "
        f"esda {esda.__version__}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
