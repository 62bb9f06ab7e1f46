"""Benchmark of the asset map's bbox endpoint (`GET /api/v1/assets?bbox=...`).

Not a test: nothing here asserts on time, and pytest never collects this folder. It builds a
throwaway database (SQLite under a temporary folder by default, or the PostgreSQL database named
by --database-url, which it creates and drops), loads 100,000 published assets over Leicester,
Leicestershire and Rutland, then measures the endpoint in-process and through gunicorn, and
prints Markdown tables. Anonymous answers come from an in-memory index of the public assets
(peoplezones/assets/feature_index.py) and are kept in an answer cache
(peoplezones/assets/feature_cache.py): the bench measures three set-ups, "database" (both off:
every answer read from the database), "index" (the cache off: every answer made from the index)
and "cache" (every box asked for before). See bench/README.md.

    .venv/bin/python bench/asset_bbox.py [--assets 100000] [--database-url URL] [--duration 20]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import http.client
import io
import json
import math
import os
import pstats
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchsetup import ROOT, base_environment, interrupt, percentile, pg_recreate, table

SEED = 20240517
MAX_PAGE_SIZE = 500
CACHE_ENTRIES = 1000
# Server set-ups: (ASSET_MAP_INDEX, ASSET_MAP_CACHE_ENTRIES).
MODES = {"database": ("0", "0"), "index": ("1", "0"), "cache": ("1", str(CACHE_ENTRIES))}

# Leicester, Leicestershire and Rutland, roughly.
LLR = (-1.6, 52.4, -0.6, 52.98)
KM_PER_DEG_LAT = 111.2
# Where people (and so assets) are: (name, lat, lon, share of assets, spread in km).
TOWNS = [
    ("Leicester", 52.636, -1.133, 0.34, 3.5),
    ("Loughborough", 52.772, -1.206, 0.08, 1.8),
    ("Hinckley", 52.541, -1.373, 0.06, 1.5),
    ("Coalville", 52.723, -1.370, 0.05, 1.5),
    ("Melton Mowbray", 52.766, -0.886, 0.04, 1.2),
    ("Market Harborough", 52.478, -0.921, 0.04, 1.2),
    ("Ashby-de-la-Zouch", 52.746, -1.476, 0.03, 1.0),
    ("Oakham", 52.670, -0.727, 0.02, 0.9),
    ("Lutterworth", 52.456, -1.200, 0.02, 0.8),
    ("Shepshed", 52.768, -1.297, 0.02, 0.8),
    ("Syston", 52.700, -1.078, 0.02, 0.8),
    ("Uppingham", 52.589, -0.722, 0.01, 0.6),
]
# Whatever share the towns leave is spread evenly over the whole area (villages, countryside).
# "Whole town" boxes: (name, min_lon, min_lat, max_lon, max_lat).
TOWN_BOXES = [
    ("Leicester", -1.20, 52.59, -1.06, 52.68),
    ("Loughborough", -1.25, 52.75, -1.17, 52.79),
    ("Hinckley", -1.41, 52.52, -1.34, 52.56),
    ("Coalville", -1.40, 52.70, -1.34, 52.74),
    ("Melton Mowbray", -0.92, 52.75, -0.85, 52.78),
]
ZONE_DENSE = "new-parks"  # the zone that gets --zone-points assets for the map-points timing

WORDS = {
    "place": [
        "Braunstone",
        "New Parks",
        "Beaumont",
        "Belgrave",
        "Highfields",
        "Thurnby",
        "Aylestone",
        "Eyres Monsell",
        "Saffron",
        "Stocking Farm",
        "Mowmacre",
        "Thringstone",
        "Whitwick",
        "Bell Foundry",
        "Greenhill",
        "Hugglescote",
        "Castle",
        "Westfields",
        "Northfields",
        "Shelthorpe",
    ],
    "kind": [
        "Community Larder",
        "Youth Club",
        "Library",
        "Allotments",
        "Lunch Club",
        "Boxing Club",
        "Credit Union",
        "Baptist Church",
        "Mosque",
        "Gurdwara",
        "Men's Shed",
        "Park",
        "Community Centre",
        "Primary School",
        "Scout Group",
        "Café",
        "Walking Group",
        "Food Bank",
        "Toddler Group",
        "Repair Café",
    ],
    "street": [
        "Aikman Avenue",
        "Braunstone Lane",
        "Glenfield Road",
        "Ravensbridge Drive",
        "Moira Street",
        "Freehold Street",
        "Nottingham Road",
        "Loughborough Road",
        "Church Lane",
        "Hall Lane",
        "Main Street",
        "Station Road",
    ],
    "sentence": [
        "Everyone is welcome, whatever their age or background.",
        "Run by volunteers from the estate since 2009.",
        "Free tea and coffee, and a warm place to sit.",
        "Step-free access from the car park; accessible toilet.",
        "Sessions in English, Urdu, Polish and Gujarati.",
        "Bring your own lunch, or share ours.",
        "Drop in: no need to book.",
        "Referrals from GPs, schools and the council's early help team.",
        "Affordable food for members, with a small weekly fee.",
        "Quiet hour on Tuesdays for people who find noise difficult.",
    ],
}


# --- command line ----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark GET /api/v1/assets?bbox=... in-process and through gunicorn."
    )
    parser.add_argument("--assets", type=int, default=100_000, help="assets to load (100000)")
    parser.add_argument(
        "--zone-points",
        type=int,
        default=5_000,
        help=f"of those, how many fall inside the {ZONE_DENSE} zone (5000): map-points timing",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL URL whose database (its name must contain 'bench') is created and "
        "dropped here; default: SQLite in a temporary folder",
    )
    parser.add_argument(
        "--duration", type=int, default=20, help="seconds of load per server scenario (20)"
    )
    parser.add_argument(
        "--connections",
        default="8",
        help="load generator connections; a comma list runs each (default 8)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--modes",
        default=",".join(MODES),
        help="server set-ups to run, a comma list of: database (index and answer cache off), "
        "index (answer cache off), cache (both on, warmed first); default all three",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=10,
        help="seconds of load before measuring with the cache on, per request kind (10)",
    )
    parser.add_argument(
        "--requests", type=int, default=300, help="in-process neighbourhood requests (300)"
    )
    parser.add_argument(
        "--town-requests", type=int, default=60, help="in-process whole-town requests (60)"
    )
    parser.add_argument(
        "--load-generator",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="wrk if installed (auto), or the built-in Python one",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=40,
        help="profile this many neighbourhood requests in-process with cProfile (0: skip)",
    )
    parser.add_argument(
        "--analyze",
        choices=["auto", "yes", "no"],
        default="auto",
        help="statistics after the bulk load. auto (= yes): as the application does, "
        "refresh_query_statistics() (ANALYZE on SQLite, as import_assets and load_demo do), "
        "and ANALYZE on PostgreSQL as autovacuum would. no: the first run's 'no statistics' "
        "case (SQLite: sqlite_stat1 emptied; PostgreSQL: no explicit ANALYZE)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and print where it is"
    )
    parser.add_argument("--skip-server", action="store_true", help="in-process numbers only")
    return parser.parse_args(argv)


# --- set-up ----------------------------------------------------------------------------------


def km_to_deg(*, km_north: float, km_east: float, lat: float) -> tuple[float, float]:
    return km_north / KM_PER_DEG_LAT, km_east / (KM_PER_DEG_LAT * math.cos(math.radians(lat)))


def generate_points(
    rng: random.Random, *, count: int, zone_points: int, dense_zone_shape: Any
) -> list[tuple[float, float]]:
    """(lat, lon) of every asset: towns, countryside, and exactly `zone_points` in one zone."""
    import shapely

    min_lon, min_lat, max_lon, max_lat = LLR
    weights = [town[3] for town in TOWNS]
    town_share = sum(weights)
    points: list[tuple[float, float]] = []
    general = count - zone_points
    while len(points) < general:
        if rng.random() < town_share:
            _, lat0, lon0, _, spread = rng.choices(TOWNS, weights=weights)[0]
            dlat, dlon = km_to_deg(
                km_north=rng.gauss(0, spread), km_east=rng.gauss(0, spread), lat=lat0
            )
            lat, lon = lat0 + dlat, lon0 + dlon
        else:
            lat, lon = rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon)
        if not (min_lat <= lat <= max_lat and min_lon <= lon <= max_lon):
            continue
        if dense_zone_shape is not None and shapely.contains_xy(dense_zone_shape, lon, lat):
            continue  # the dense zone gets exactly zone_points below
        points.append((round(lat, 6), round(lon, 6)))
    if dense_zone_shape is not None:
        zmin_lon, zmin_lat, zmax_lon, zmax_lat = dense_zone_shape.bounds
        inside = 0
        while inside < zone_points:
            lat, lon = rng.uniform(zmin_lat, zmax_lat), rng.uniform(zmin_lon, zmax_lon)
            if shapely.contains_xy(dense_zone_shape, lon, lat):
                points.append((round(lat, 6), round(lon, 6)))
                inside += 1
    rng.shuffle(points)
    return points


def load_assets(args: argparse.Namespace) -> dict[str, Any]:
    """Bulk-load the assets (with categories and a few open flags); return facts about them."""
    import shapely
    from django.db import transaction
    from shapely.geometry import shape
    from tqdm import tqdm

    from peoplezones.assets.models import Asset, Category, Flag
    from peoplezones.zones.models import Zone

    rng = random.Random(SEED)
    zones = list(Zone.objects.exclude(boundary=None))
    shapes = {zone.pk: shape(zone.boundary) for zone in zones}
    for geometry in shapes.values():
        shapely.prepare(geometry)
    dense = next((z for z in zones if z.slug == ZONE_DENSE), None)
    zone_points = args.zone_points if dense is not None else 0
    points = generate_points(
        rng,
        count=args.assets,
        zone_points=zone_points,
        dense_zone_shape=shapes[dense.pk] if dense else None,
    )
    categories = list(Category.objects.all())
    public_classes = [c for c in Asset.AssetClass.values if c != Asset.AssetClass.INDIVIDUAL]
    batch_size = 1000
    loaded_points: list[tuple[float, float]] = []
    in_zone: dict[str, int] = {zone.slug: 0 for zone in zones}
    links = flags = 0
    progress = tqdm(total=len(points), desc="Loading assets", unit="asset")
    for start in range(0, len(points), batch_size):
        batch = []
        for lat, lon in points[start : start + batch_size]:
            zone = next(
                (z for z in zones if shapely.contains_xy(shapes[z.pk], lon, lat)),
                None,
            )
            if zone is not None:
                in_zone[zone.slug] += 1
            place, kind = rng.choice(WORDS["place"]), rng.choice(WORDS["kind"])
            batch.append(
                Asset(
                    uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                    name=f"{place} {kind} {rng.randint(1, 999)}",
                    description=" ".join(rng.sample(WORDS["sentence"], rng.randint(1, 4))),
                    asset_class=rng.choice(public_classes),
                    latitude=lat,
                    longitude=lon,
                    zone=zone,
                    address=f"{rng.randint(1, 250)} {rng.choice(WORDS['street'])}",
                    postcode=f"LE{rng.randint(1, 67)} {rng.randint(1, 9)}"
                    f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                    opening_hours=[
                        {"day": day, "opens": "09:00", "closes": "17:00"}
                        for day in sorted(rng.sample(range(7), rng.randint(1, 5)))
                    ]
                    if rng.random() < 0.5
                    else [],
                    phone=f"0116 {rng.randint(200, 499)} {rng.randint(1000, 9999)}"
                    if rng.random() < 0.6
                    else "",
                    email="hello@example.org" if rng.random() < 0.4 else "",
                    website="https://example.org/" if rng.random() < 0.4 else "",
                    accessibility="Step-free access." if rng.random() < 0.3 else "",
                    languages="English, Urdu" if rng.random() < 0.3 else "",
                    source=Asset.Source.IMPORTED,
                    status=Asset.Status.PUBLISHED,
                    sensitive=rng.random() < 0.01,
                )
            )
        with transaction.atomic():
            created = Asset.objects.bulk_create(batch)
            through = []
            for asset in created:
                share = rng.random()
                if share < 0.7:  # 70% have 1-2 categories
                    for category in rng.sample(categories, 1 if share < 0.45 else 2):
                        through.append(
                            Asset.categories.through(asset_id=asset.pk, category_id=category.pk)
                        )
            Asset.categories.through.objects.bulk_create(through)
            open_flags = [
                Flag(asset_id=asset.pk, reason=Flag.Reason.WRONG)
                for asset in created
                if rng.random() < 0.005
            ]
            Flag.objects.bulk_create(open_flags)
        links += len(through)
        flags += len(open_flags)
        loaded_points.extend(
            (asset.latitude, asset.longitude) for asset in created if not asset.sensitive
        )
        progress.update(len(batch))
    progress.close()
    return {
        "assets": len(points),
        "category_links": links,
        "open_flags": flags,
        "in_zone": in_zone,
        "public_points": loaded_points,
    }


def refresh_statistics(vendor: str) -> None:
    """What the application does after a bulk load, plus autovacuum's part on PostgreSQL.

    `migrate` already ran ANALYZE (post_migrate receiver in peoplezones/core), but on empty
    tables, which gives SQLite no statistics for them; the app's own bulk loaders
    (`import_assets`, `load_demo`) therefore call `refresh_query_statistics()` at the end, and so
    does this bulk load. On PostgreSQL that function does nothing (autovacuum's job), so the
    bench runs ANALYZE itself rather than wait for autovacuum.
    """
    from django.db import connection

    from peoplezones.core.signals import refresh_query_statistics

    refresh_query_statistics()
    if vendor != "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def drop_statistics(vendor: str) -> None:
    """Reproduce the first run's "no statistics" case (before the app ran ANALYZE itself)."""
    from django.db import connection

    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")
        connection.close()  # SQLite reads sqlite_stat1 when a connection opens
    # PostgreSQL: nothing to drop; no explicit ANALYZE (autovacuum may still run one).


def statistics_note(vendor: str) -> str:
    """How many rows of statistics the planner has for assets_asset (SQLite), for the report."""
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone():
                return "sqlite_stat1 absent"
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'assets_asset'")
            return f"sqlite_stat1 rows for assets_asset: {cursor.fetchone()[0]}"
        cursor.execute(
            "SELECT last_analyze, last_autoanalyze FROM pg_stat_user_tables "
            "WHERE relname = 'assets_asset'"
        )
        row = cursor.fetchone()
        return f"assets_asset last_analyze {row[0]}, last_autoanalyze {row[1]}" if row else "?"


# --- boxes and timing ------------------------------------------------------------------------


def neighbourhood_boxes(
    rng: random.Random, points: list[tuple[float, float]], count: int
) -> list[tuple[float, float, float, float]]:
    """Boxes 1-2 km across, centred where assets are (where people look)."""
    boxes = []
    for _ in range(count):
        lat, lon = rng.choice(points)
        half_lat, half_lon = km_to_deg(
            km_north=rng.uniform(1, 2) / 2, km_east=rng.uniform(1, 2) / 2, lat=lat
        )
        boxes.append((lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat))
    return boxes


def town_boxes(rng: random.Random, count: int) -> list[tuple[float, float, float, float]]:
    """A whole town, nudged by up to ~100 m so that repeated requests are not identical."""
    boxes = []
    for i in range(count):
        _, min_lon, min_lat, max_lon, max_lat = TOWN_BOXES[i % len(TOWN_BOXES)]
        d = rng.uniform(-0.001, 0.001)
        boxes.append((min_lon + d, min_lat + d, max_lon + d, max_lat + d))
    return boxes


def bbox_path(box: tuple[float, float, float, float]) -> str:
    bbox = ",".join(f"{value:.5f}" for value in box)
    return f"/api/v1/assets?{urlencode({'bbox': bbox, 'page_size': MAX_PAGE_SIZE})}"


@dataclass
class Timing:
    label: str
    latencies_ms: list[float] = field(default_factory=list)
    features: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    queries: int | None = None

    def row(self) -> list[str]:
        lat = self.latencies_ms
        return [
            self.label,
            str(len(lat)),
            f"{percentile(lat, 50):.1f}",
            f"{percentile(lat, 95):.1f}",
            f"{percentile(lat, 99):.1f}",
            _spread(self.features),
            _spread(self.counts) if self.counts else "–",
            f"{statistics.median(self.sizes) / 1024:.0f}",
            str(self.queries) if self.queries is not None else "–",
        ]


def _spread(values: list[int]) -> str:
    return f"{min(values)} / {int(statistics.median(values))} / {max(values)}"


def time_requests(
    client: Any,
    label: str,
    paths: list[str],
    *,
    budget_s: float,
    key: str = "features",
    cache: str = "any",
    index: bool = True,
) -> Timing:
    """GET each path in turn (bounded by count and by `budget_s`) and record what came back.

    cache "cold": the answer cache is emptied first, so each distinct path is built (a miss);
    "warm": every path is asked once first, so each is a hit; "any": left as it is. `index`:
    whether misses are answered from the in-memory index (built before timing) or the database.
    """
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peoplezones.assets.feature_cache import CACHE_ALIAS

    answers = caches[CACHE_ALIAS]
    settings.ASSET_MAP_INDEX = index
    timing = Timing(label)
    for warm in paths[:5]:
        client.get(warm)
    if cache == "cold":
        answers.clear()
    elif cache == "warm":
        for path in paths:
            client.get(path)
    with CaptureQueriesContext(connection) as captured:
        client.get(paths[0])
    timing.queries = len(captured.captured_queries)
    if cache == "cold":
        answers.clear()
    deadline = time.monotonic() + budget_s
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        body = response.content
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}: {body[:300]!r}")
        data = json.loads(body)
        timing.latencies_ms.append(elapsed)
        timing.features.append(len(data[key]))
        if "count" in data:
            timing.counts.append(data["count"])
        timing.sizes.append(len(body))
        if time.monotonic() > deadline:
            break
    return timing


def time_index_build(client: Any, path: str) -> dict[str, float]:
    """How long one request takes when the in-memory index must be built first, and its size."""
    from django.conf import settings
    from django.core.cache import caches

    from peoplezones.assets import feature_index
    from peoplezones.assets.feature_cache import CACHE_ALIAS

    settings.ASSET_MAP_INDEX = True
    caches[CACHE_ALIAS].clear()
    feature_index.forget()
    started = time.perf_counter()
    response = client.get(path)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    index = feature_index._current
    size = sum(sys.getsizeof(feature) for feature in index.features) + sum(
        array.nbytes for array in [index.latitudes, index.longitudes, index.located, index.zone_ids]
    )
    return {"assets": len(index), "seconds": seconds, "megabytes": size / 1e6}


def explain_bbox(box: tuple[float, float, float, float]) -> str:
    """The database's plan for the page query of one bbox request."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from peoplezones.assets.selectors import asset_list

    found = (
        asset_list(user=AnonymousUser(), bbox=box)
        .prefetch_related(None)
        .values_list("pk", "public_feature", "zone__slug", "under_review")[:MAX_PAGE_SIZE]
    )
    sql, params = found.query.sql_with_params()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        return "\n".join(str(row[-1]) for row in rows)
    return "\n".join(row[0] for row in rows)


# --- profile ---------------------------------------------------------------------------------

# (label, file ending, function name): the cumulative time of each, as a share of the total.
PROFILE_ITEMS = [
    ("view function `assets()` (api.py)", "peoplezones/assets/api.py", "assets"),
    (
        "  `asset_feature_page()`: the page's JSON (serializers.py)",
        "peoplezones/assets/serializers.py",
        "asset_feature_page",
    ),
    (
        "    `asset_page_rows()`: page query (+ count when needed)",
        "peoplezones/assets/selectors.py",
        "asset_page_rows",
    ),
    ("      `count()`", "django/db/models/query.py", "count"),
    (
        "    `asset_category_slugs()`: the page's categories",
        "peoplezones/assets/selectors.py",
        "asset_category_slugs",
    ),
    (
        "    `asset_fragment()`: rows without a stored feature (should be 0)",
        "peoplezones/assets/serializers.py",
        "asset_fragment",
    ),
    (
        "    `Model.from_db` (model instances built)",
        "django/db/models/base.py",
        "from_db",
    ),
    (
        "`cached_json()`: version read + cache get/set (feature_cache.py)",
        "peoplezones/assets/feature_cache.py",
        "cached_json",
    ),
    ("SQL: `CursorWrapper._execute` (all queries)", "django/db/backends/utils.py", "_execute"),
]


def profile_requests(client: Any, paths: list[str]) -> tuple[list[list[str]], str]:
    """Profile requests that each read their answer from the database (the answer cache emptied
    first, the index off)."""
    from django.conf import settings
    from django.core.cache import caches

    from peoplezones.assets.feature_cache import CACHE_ALIAS

    caches[CACHE_ALIAS].clear()
    settings.ASSET_MAP_INDEX = False
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for path in paths:
        client.get(path)
    profiler.disable()
    wall = (time.perf_counter() - started) * 1000
    stats = pstats.Stats(profiler)
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    rows = []
    total = sum(tt for (_, _, tt, _, _) in raw.values()) * 1000
    for label, ending, name in PROFILE_ITEMS:
        cumulative = sum(
            value[3]
            for (filename, _, func), value in raw.items()
            if filename.endswith(ending) and func == name
        )
        calls = sum(
            value[1]
            for (filename, _, func), value in raw.items()
            if filename.endswith(ending) and func == name
        )
        ms = cumulative * 1000 / len(paths)
        rows.append(
            [label, f"{calls / len(paths):.1f}", f"{ms:.1f}", f"{ms * len(paths) / total:.0%}"]
        )
    rows.append(["whole request under the profiler", "1", f"{total / len(paths):.1f}", "100%"])
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    top = out.getvalue()
    top = top[top.find("ncalls") :] if "ncalls" in top else top
    return rows, f"(profiled wall time {wall / len(paths):.1f} ms per request)\n{top}"


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn on loopback, stopped (with its workers) however the run ends."""

    def __init__(self, *, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        self.log_file = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 (fixed arguments, our own interpreter)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.log = log

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early; see {self.log}")
            try:
                status, _ = get_once(self.port, "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout}s; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn's graceful stop also stops its workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log_file.close()


def get_once(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class LoadResult:
    label: str
    connections: int
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    tool: str
    cache: str = "–"
    load_before: float = 0.0
    other_cpu: float | None = None  # share of all cores used by processes outside the bench

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


WRK_SCRIPT = """
local paths = {%(paths)s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %%d, "duration_us": %%d, "p50": %%d, "p95": %%d, "p99": %%d, '
    .. '"errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def run_wrk(
    *, port: int, label: str, paths: list[str], connections: int, duration: int, workdir: Path
) -> LoadResult:
    script = workdir / f"wrk-{abs(hash(label))}.lua"
    script.write_text(WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths)})
    threads = max(1, min(2, connections))
    completed = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=True,
        start_new_session=True,
    )
    line = next(x for x in completed.stdout.splitlines() if x.startswith("WRK_RESULT "))
    data = json.loads(line.removeprefix("WRK_RESULT "))
    return LoadResult(
        label=label,
        connections=connections,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50"] / 1000,
        p95_ms=data["p95"] / 1000,
        p99_ms=data["p99"] / 1000,
        errors=data["errors"],
        tool=f"wrk -t{threads} -c{connections}",
    )


def run_python_load(
    *, port: int, label: str, paths: list[str], connections: int, duration: int
) -> LoadResult:
    """A bounded thread pool, one keep-alive `http.client` connection per thread.

    gunicorn's sync workers close each connection after one response; http.client then opens
    a new one for the next request, as wrk does.
    """
    deadline = time.monotonic() + duration
    max_requests = 1_000_000
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        failed = 0
        i = offset
        try:
            while time.monotonic() < deadline and len(mine) < max_requests:
                path = paths[i % len(paths)]
                i += connections
                started = time.perf_counter()
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    response.read()
                    if response.status != 200:
                        failed += 1
                    if response.will_close:
                        conn.close()
                except (OSError, http.client.HTTPException):
                    failed += 1
                    conn.close()
                    continue
                mine.append((time.perf_counter() - started) * 1000)
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)
                errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 30)
    seconds = time.monotonic() - started
    return LoadResult(
        label=label,
        connections=connections,
        requests=len(latencies),
        seconds=seconds,
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        p99_ms=percentile(latencies, 99),
        errors=errors[0],
        tool=f"python threads={connections}",
    )


def _proc_ticks(pid: int | str, *, children: bool = True) -> int:
    """CPU clock ticks a process has used (with its waited-for children), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    # After the name: state is field 0, utime 11, stime 12, cutime 13, cstime 14.
    own = int(fields[11]) + int(fields[12])
    return own + (int(fields[13]) + int(fields[14]) if children else 0)


def _cpu_snapshot(server: Server) -> tuple[float, int, int, int]:
    """(time, all busy ticks, ticks of this bench and its gunicorn, ticks of PostgreSQL)."""
    with contextlib.suppress(OSError):
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        busy = sum(values) - values[3] - values[4]  # all but idle and iowait
        ours = _proc_ticks(os.getpid()) + _proc_ticks(server.process.pid)
        postgres = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name = stat[stat.find("(") + 1 : stat.rfind(")")]
            parent = stat.rsplit(")", 1)[1].split()[1]
            if parent == str(server.process.pid):  # gunicorn's workers
                ours += _proc_ticks(entry.name)
            elif name == "postgres":
                # With children: the postmaster's count then includes backends that ended
                # during the row (CONN_MAX_AGE closes connections now and then).
                postgres += _proc_ticks(entry.name)
        return time.monotonic(), busy, ours, postgres
    return time.monotonic(), 0, 0, 0


def _other_cpu(before: tuple[float, int, int, int], after: tuple[float, int, int, int]) -> float:
    """Share of all cores that processes other than the bench, its gunicorn, wrk and
    PostgreSQL used between two snapshots (other people's work on a shared machine)."""
    seconds = after[0] - before[0]
    capacity = seconds * os.sysconf("SC_CLK_TCK") * (os.cpu_count() or 1)
    other = (after[1] - before[1]) - (after[2] - before[2]) - (after[3] - before[3])
    return max(0.0, other / capacity) if capacity else 0.0


def _ceiling(loads: list[LoadResult], result: LoadResult) -> LoadResult | None:
    """The /healthz run of the same server (set-up) and connections."""
    return next(
        (
            r
            for r in loads
            if r.connections == result.connections
            and r.cache == result.cache
            and r.label.startswith("/healthz")
        ),
        None,
    )


def load(
    tool: str,
    *,
    port: int,
    label: str,
    paths: list[str],
    connections: int,
    duration: int,
    workdir: Path,
) -> LoadResult:
    if tool == "wrk":
        return run_wrk(
            port=port,
            label=label,
            paths=paths,
            connections=connections,
            duration=duration,
            workdir=workdir,
        )
    return run_python_load(
        port=port, label=label, paths=paths, connections=connections, duration=duration
    )


# --- output ----------------------------------------------------------------------------------


def machine_facts(vendor: str) -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if vendor == "sqlite" else "show server_version")
        db_version = cursor.fetchone()[0]
    memory = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return (
        f"{os.cpu_count()} CPUs, {memory} memory; Python {sys.version.split()[0]}, "
        f"Django {django.get_version()}, {vendor} {db_version}"
    )


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.zone_points > args.assets:
        raise SystemExit("--zone-points cannot be more than --assets.")
    connections = [int(c) for c in args.connections.split(",") if c.strip()]
    # Ctrl+C and `kill` both end up in the `finally` below (SIGINT is set explicitly because a
    # background job inherits it ignored).
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    load_at_start = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="pz-bench-"))
    env = base_environment(
        database_url=args.database_url,
        var_dir=workdir,
        # Room for every answer the bench asks for (360 boxes) in each process: the warm case.
        ASSET_MAP_CACHE_ENTRIES=str(CACHE_ENTRIES),
    )
    os.environ.update(env)
    if not args.database_url:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    server: Server | None = None
    pg_created = False
    try:
        if args.database_url:
            pg_recreate(args.database_url)
            pg_created = True
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from peoplezones.zones import demo as zones_demo

        vendor = connection.vendor
        print(f"Database: {vendor} ({args.database_url or workdir / 'peoplezones.sqlite3'})")
        modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
        if unknown := [mode for mode in modes if mode not in MODES]:
            raise SystemExit(f"Unknown --modes {unknown}: choose from {', '.join(MODES)}.")
        if vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                print(f"SQLite journal mode: {cursor.fetchone()[0]}")
        call_command("migrate", verbosity=0, interactive=False)
        zones_demo.load(out=io.StringIO())
        started = time.monotonic()
        facts = load_assets(args)
        load_seconds = time.monotonic() - started
        do_analyze = args.analyze in ("auto", "yes")
        if do_analyze:
            refresh_statistics(vendor)
        else:
            drop_statistics(vendor)
        stats_mode = (
            "refreshed after the load, as the app's bulk loaders do"
            if do_analyze
            else "none (first run's case)"
        )
        print(
            f"Loaded {facts['assets']} assets, {facts['category_links']} category links, "
            f"{facts['open_flags']} open flags in {load_seconds:.0f}s; in zones: "
            f"{facts['in_zone']}; statistics: {stats_mode} ({statistics_note(vendor)})"
        )

        rng = random.Random(SEED + 1)
        points = facts["public_points"]
        nb_paths = [bbox_path(b) for b in neighbourhood_boxes(rng, points, args.requests)]
        town_paths = [bbox_path(b) for b in town_boxes(rng, args.town_requests)]
        client = Client(HTTP_HOST="127.0.0.1")

        # In-process: the whole Django stack (middleware, ninja, selector, JSON), no HTTP.
        # "database": every box asked for the first time and read from the database (index
        # off); "index": the same, answered from the in-memory index; "cache": the same boxes
        # again, every answer from the answer cache.
        nb_label, town_label = "bbox, neighbourhood (1–2 km)", "bbox, whole town"
        index_build = time_index_build(client, nb_paths[0])
        database: dict[str, Any] = {"cache": "cold", "index": False}
        timings = [
            time_requests(client, f"{nb_label}, database", nb_paths, budget_s=120, **database),
            time_requests(client, f"{town_label}, database", town_paths, budget_s=60, **database),
            time_requests(client, f"{nb_label}, index", nb_paths, budget_s=60, cache="cold"),
            time_requests(client, f"{town_label}, index", town_paths, budget_s=60, cache="cold"),
            time_requests(client, f"{nb_label}, cache", nb_paths, budget_s=60, cache="warm"),
            time_requests(client, f"{town_label}, cache", town_paths, budget_s=60, cache="warm"),
            time_requests(client, "/healthz", ["/healthz"] * 200, budget_s=20, key="status"),
        ]
        timings[-1].features = [0]
        zone_path = f"/assets/map-points.json?zone={ZONE_DENSE}"
        map_timing = time_requests(
            client, "map-points, zone", [zone_path] * 30, budget_s=60, key="points"
        )
        plan_box = (-1.19, 52.63, -1.165, 52.642)  # ~1.7 km x 1.3 km in west Leicester
        plan = explain_bbox(plan_box)

        profile_rows: list[list[str]] = []
        profile_top = ""
        if args.profile:
            big = [p for p, n in zip(nb_paths, timings[0].features, strict=False) if n >= 300]
            profile_rows, profile_top = profile_requests(client, (big or nb_paths)[: args.profile])

        loads: list[LoadResult] = []
        if not args.skip_server:
            tool = args.load_generator
            if tool == "auto":
                tool = "wrk" if shutil.which("wrk") else "python"
            for mode in modes:
                use_index, entries = MODES[mode]
                server = Server(
                    env={**env, "ASSET_MAP_INDEX": use_index, "ASSET_MAP_CACHE_ENTRIES": entries},
                    workers=args.workers,
                    log=workdir / f"gunicorn-{mode}.log",
                )
                server.wait_ready()
                # Both workers' first requests load what Django loads lazily: not measured.
                for path in ["/healthz"] * 10 + nb_paths[:10] + town_paths[:4]:
                    get_once(server.port, path)
                if mode != "database" and args.warmup:
                    # Each worker keeps its own index and answers: ask for every box several
                    # times, so that both workers have built their index (and, for "cache",
                    # have nearly every answer) before measuring.
                    seconds = args.warmup if mode == "cache" else min(args.warmup, 5)
                    for label, paths in [(nb_label, nb_paths), (town_label, town_paths)]:
                        print(f"Warm-up: {label}, {seconds}s ({tool})")
                        load(
                            tool,
                            port=server.port,
                            label=label,
                            paths=paths,
                            connections=max(connections),
                            duration=seconds,
                            workdir=workdir,
                        )
                for conns in connections:
                    for label, paths in [
                        ("/healthz (SELECT 1)", ["/healthz"]),
                        (nb_label, nb_paths),
                        (town_label, town_paths),
                    ]:
                        print(
                            f"Load: {label}, {mode}, {conns} connections, {args.duration}s ({tool})"
                        )
                        load_before = os.getloadavg()[0]
                        cpu_before = _cpu_snapshot(server)
                        result = load(
                            tool,
                            port=server.port,
                            label=label,
                            paths=paths,
                            connections=conns,
                            duration=args.duration,
                            workdir=workdir,
                        )
                        result.cache = mode
                        result.load_before = load_before
                        result.other_cpu = _other_cpu(cpu_before, _cpu_snapshot(server))
                        loads.append(result)
                server.stop()
                server = None

        # --- the report ---
        print()
        print(f"## Results: {vendor}")
        print()
        print(f"Machine: {machine_facts(vendor)}.")
        print(f"Load average (1 min) when the run started: {load_at_start:.2f}.")
        print(
            f"Data: {facts['assets']:,} published assets ({facts['category_links']:,} category "
            f"links, {facts['open_flags']} open flags), {args.zone_points:,} of them in "
            f"{ZONE_DENSE}; statistics: {stats_mode}."
        )
        print()
        print("### In-process (Django test Client, whole middleware stack, one thread)")
        print()
        print(
            table(
                [
                    "request",
                    "n",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "features min/median/max",
                    "count min/median/max",
                    "KiB (median)",
                    "queries",
                ],
                [t.row() for t in [*timings, map_timing]],
            )
        )
        print()
        print(
            f"Index build (the first anonymous request in a process after a change), "
            f"{index_build['assets']:,} public assets: {index_build['seconds']:.2f} s; "
            f"its features and arrays take {index_build['megabytes']:.0f} MB."
        )
        print()
        print(f"Page query plan for a neighbourhood box {plan_box}:")
        print()
        print("```")
        print(plan)
        print("```")
        if profile_rows:
            print()
            print(
                f"### Where the time goes (cProfile, {min(args.profile, len(nb_paths))} "
                "neighbourhood requests of 300–500 features read from the database, per request)"
            )
            print()
            print(table(["item", "calls", "ms (cumulative)", "share"], profile_rows))
            print()
            print("```")
            print(profile_top.rstrip())
            print("```")
        if loads:
            print()
            print(
                f"### Through gunicorn ({args.workers} sync workers, loopback, "
                f"{args.duration}s per row)"
            )
            print()
            rows = []
            for result in loads:
                ceiling = _ceiling(loads, result)
                ratio = f"{result.rps / ceiling.rps:.0%}" if ceiling else "–"
                rows.append(
                    [
                        result.label,
                        result.cache,
                        str(result.connections),
                        f"{result.load_before:.2f}",
                        f"{result.other_cpu:.0%}" if result.other_cpu is not None else "–",
                        f"{result.requests:,}",
                        f"{result.rps:.0f}",
                        f"{result.p50_ms:.1f}",
                        f"{result.p95_ms:.1f}",
                        f"{result.p99_ms:.1f}",
                        ratio,
                        str(result.errors),
                    ]
                )
            print(
                table(
                    [
                        "request",
                        "answered from",
                        "connections",
                        "load avg before",
                        "other processes' CPU",
                        "requests",
                        "req/s",
                        "p50 ms",
                        "p95 ms",
                        "p99 ms",
                        "of /healthz req/s",
                        "errors",
                    ],
                    rows,
                )
            )
            print()
            print(f"Load generator: {loads[0].tool.split()[0]}.")
            print(
                "Other processes' CPU: the share of all cores used during the row by processes "
                "other than this bench, its gunicorn, the load generator and PostgreSQL (on a "
                "shared machine, other people's work); above a few percent the row is disturbed."
            )
            print()
            print("Goals (bbox neighbourhood through the server):")
            for result in loads:
                if not result.label.startswith("bbox, neighbourhood"):
                    continue
                ceiling = _ceiling(loads, result)
                p95_ok = "met" if result.p95_ms <= 50 else "NOT met"
                share = result.rps / ceiling.rps if ceiling else 0.0
                rps_ok = "met" if share >= 0.5 else "NOT met"
                print(
                    f"- {result.cache}, {result.connections} connections: p95 "
                    f"{result.p95_ms:.1f} ms ≤ 50 ms: {p95_ok}; throughput {share:.0%} of "
                    f"/healthz ≥ 50%: {rps_ok}"
                )
        return 0
    except KeyboardInterrupt:
        print("\nInterrupted: cleaning up.", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            server.stop()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if args.keep:
            print(f"Kept: {args.database_url or workdir}", file=sys.stderr)
        else:
            if pg_created:
                pg_recreate(args.database_url, drop_only=True)
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
