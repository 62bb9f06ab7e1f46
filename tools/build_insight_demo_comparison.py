"""Rebuild peoplezones/insight/demo_data/comparison-street.csv.gz from the shared data.

The demo's crime in the zones (zones-street.csv.gz) is set beside comparison areas: LSOAs of the
same kind of council and IMD 2019 decile as a zone's LSOAs that are in no zone. The whole force's
crime is too large to ship, so this picks, for each zone and each IMD decile of its LSOAs, the
PER_DECILE matching LSOAs whose centroids are nearest the zone's (mean of its LSOA centroids),
and copies every police.uk row of those LSOAs, unchanged and in file order, month by month,
under one header. The selection is described in demo_data/README.md.

    python tools/build_insight_demo_comparison.py [../shared/data]

Needs the shared data folder (not part of the project) and nothing beyond the standard library.
"""

import csv
import gzip
import io
import json
import math
import sys
from pathlib import Path

PER_DECILE = 3
PROJECT = Path(__file__).resolve().parent.parent
DEMO = PROJECT / "peoplezones" / "insight" / "demo_data"
OUT = DEMO / "comparison-street.csv.gz"


def _centroids(shared: Path) -> dict[str, tuple[float, float]]:
    with open(shared / "lsoa" / "llr_lsoa_centroids.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {row["lsoa_code"]: (float(row["lat"]), float(row["lon"])) for row in rows}


def _imd() -> dict[str, tuple[str, int]]:
    """LSOA code: (district type, IMD decile), from the demo's own IMD file."""
    with gzip.open(DEMO / "llr-imd2019.csv.gz", "rt", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[1:]
    return {row[0]: (row[2][:3], int(row[5])) for row in rows}


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Kilometres on a sphere; only the order matters here."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    x = (lon2 - lon1) * math.cos((lat1 + lat2) / 2)
    return 6371.0 * math.hypot(x, lat2 - lat1)


def selected_lsoas(shared: Path) -> list[str]:
    zones = json.loads((shared / "lsoa" / "zones.geojson").read_text(encoding="utf-8"))
    zone_codes = [feature["properties"]["lsoa_codes"] for feature in zones["features"]]
    in_zones = {code for codes in zone_codes for code in codes}
    imd = _imd()
    centroids = _centroids(shared)
    chosen: list[str] = []
    for codes in zone_codes:
        points = [centroids[code] for code in codes]
        middle = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
        kind = imd[codes[0]][0]
        for decile in sorted({imd[code][1] for code in codes}):
            matching = [
                code
                for code, (code_kind, code_decile) in imd.items()
                if code_kind == kind and code_decile == decile and code not in in_zones
            ]
            matching.sort(key=lambda code: (_distance(middle, centroids[code]), code))
            chosen.extend(code for code in matching[:PER_DECILE] if code not in chosen)
    return chosen


def main() -> None:
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else PROJECT.parent / "shared" / "data")
    wanted = set(selected_lsoas(shared))
    months = sorted((shared / "policeuk").glob("*-leicestershire-street.csv.gz"))
    out = io.StringIO(newline="")
    rows = 0
    for number, path in enumerate(months):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            header = f.readline()
            if number == 0:
                out.write(header)
            for line in f:
                if next(csv.reader([line]))[7] in wanted:  # the LSOA code
                    out.write(line)
                    rows += 1
    with open(OUT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
        packed.write(out.getvalue().encode("utf-8"))
    print(f"{len(wanted)} LSOAs, {rows} rows, {len(months)} months -> {OUT}")


if __name__ == "__main__":
    main()
