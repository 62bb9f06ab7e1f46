"""Benchmark of `manage.py import_police_uk` against `pandas.read_csv` on the same files.

Not a test: nothing here asserts on time, and pytest never collects this folder. In one run it
reads every police.uk street file of a folder (by default the 24 Leicestershire months in
../shared/data/policeuk) with `pandas.read_csv` several times, then imports them all with
`import_police_uk` into a throwaway SQLite database (or the PostgreSQL database named by
--database-url, which it creates and drops), then imports them again (which stores nothing),
and prints Markdown tables. The goal (issue 7): the import takes at most 3 times as long as
`pandas.read_csv`. See bench/README.md and docs/performance.md.

One floor puts the import in context: pandas plus `sqlite3.executemany` into a bare table
without indexes (what storing each crime as a table row costs before any checks). And since
crimes are stored a month at a time and decoded when read, it also times the first read of
every stored crime after the import (`crime_store.crime_table()` in a process that has not
read them yet: what the first page or analysis after an import pays).

    .venv/bin/python bench/insight_import.py [--data ../shared/data/policeuk] [--pandas-runs 3]
        [--database-url postgres://postgres@127.0.0.1:5432/peoplezones_bench_import]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchsetup import ROOT, base_environment, interrupt, pg_recreate, table

GOAL_RATIO = 3.0
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "policeuk"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time import_police_uk against pandas.read_csv on the same police.uk files."
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"folder of police.uk street files, *.csv or *.csv.gz ({DEFAULT_DATA})",
    )
    parser.add_argument(
        "--pandas-runs", type=int, default=3, help="timed pandas passes over all files (3)"
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL URL whose database (its name must contain 'bench') is created and "
        "dropped here; default: SQLite in a temporary folder",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="FILES",
        help="after timing, empty the table and profile the import of the first FILES files "
        "with cProfile (0: no profile)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and print where it is"
    )
    return parser.parse_args(argv)


@dataclass
class Measure:
    """Wall-clock and CPU seconds (this process and its children) of one timed step."""

    label: str
    wall: float
    cpu: float
    rows: int

    def row(self, base: float) -> list[str]:
        return [
            self.label,
            f"{self.rows:,}",
            f"{self.wall:.2f}",
            f"{self.cpu:.2f}",
            f"{self.wall / base:.2f}×",
        ]


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(label: str, work: Any) -> Measure:
    cpu, started = _cpu(), time.perf_counter()
    rows = work()
    return Measure(label, time.perf_counter() - started, _cpu() - cpu, rows)


def pandas_pass(paths: list[Path]) -> int:
    import pandas as pd

    return sum(len(pd.read_csv(path)) for path in paths)


def bare_insert(paths: list[Path], database: Path) -> int:
    """The floor for any importer: pandas.read_csv, then sqlite3 `executemany` of every row into
    a bare table of the same columns (no checks, no identities, no zones, no indexes)."""
    import sqlite3

    import pandas as pd

    database.unlink(missing_ok=True)
    connection = sqlite3.connect(database)
    rows = 0
    try:
        for path in paths:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            if not rows:
                columns = ", ".join(f'"{name}" TEXT' for name in frame.columns)
                connection.execute(f"CREATE TABLE crime ({columns})")
            marks = ", ".join("?" * len(frame.columns))
            with connection:
                connection.executemany(
                    f"INSERT INTO crime VALUES ({marks})",  # noqa: S608 (our own table)
                    frame.itertuples(index=False, name=None),
                )
            rows += len(frame)
    finally:
        connection.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    paths = sorted(
        path
        for path in args.data.glob("*")
        if path.name.endswith((".csv", ".csv.gz")) and "street" in path.name
    )
    if not paths:
        print(f"No police.uk street files in {args.data}.", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    load_at_start = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="pz-bench-import-"))
    (workdir / "static").mkdir()
    os.environ.update(base_environment(database_url=args.database_url, var_dir=workdir))
    if not args.database_url:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    pg_created = False
    try:
        if args.database_url:
            pg_recreate(args.database_url)
            pg_created = True
        import django
        import pandas as pd

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from peoplezones.insight import crime_store
        from peoplezones.zones import demo as zones_demo

        vendor = connection.vendor
        call_command("migrate", verbosity=0, interactive=False)
        # The zones, so that each crime's zone is worked out as in production.
        zones_demo.load(out=io.StringIO())
        size = sum(path.stat().st_size for path in paths)
        print(f"{len(paths)} files, {size / 1e6:.1f} MB compressed, in {args.data}")

        # Warm the operating system's file cache first, so neither side pays for the disk.
        pandas_pass(paths)
        pandas_runs = [
            timed(f"pandas.read_csv, run {n + 1}", lambda: pandas_pass(paths))
            for n in range(args.pandas_runs)
        ]
        base = statistics.median(run.wall for run in pandas_runs)

        def import_all() -> int:
            with open(os.devnull, "w") as sink:  # the progress bar and summary
                call_command("import_police_uk", *map(str, paths), stdout=sink, stderr=sink)
            return crime_store.crimes_stored()

        def read_all() -> int:
            crime_store.forget()
            return len(crime_store.crime_table())

        floor = timed(
            "floor: read_csv + sqlite3 executemany, bare table",
            lambda: bare_insert(paths, workdir / "bare.sqlite3"),
        )
        first = timed("import_police_uk (empty database)", import_all)
        read = timed("first read of every crime (crime_store.crime_table)", read_all)
        again = timed("import_police_uk again (stores nothing)", import_all)
        after = timed("pandas.read_csv, after the import", lambda: pandas_pass(paths))
        load_at_end = os.getloadavg()

        print()
        print(f"## Results: {vendor}")
        print()
        print(
            f"Machine: {os.cpu_count()} CPUs; load average at start "
            f"{load_at_start[0]:.2f} / {load_at_start[1]:.2f} / {load_at_start[2]:.2f}, at end "
            f"{load_at_end[0]:.2f} / {load_at_end[1]:.2f} / {load_at_end[2]:.2f}; Python "
            f"{sys.version.split()[0]}, Django {django.get_version()}, pandas {pd.__version__}."
        )
        print()
        print(
            table(
                ["step", "rows", "wall s", "CPU s", "÷ pandas median"],
                [m.row(base) for m in [*pandas_runs, after, floor, first, read, again]],
            )
        )
        ratio = first.wall / base
        verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
        print()
        print(
            f"Import / pandas.read_csv (median of {len(pandas_runs)}): {ratio:.2f}× "
            f"(goal ≤ {GOAL_RATIO:.0f}×: {verdict}). Crimes stored: {first.rows:,}."
        )
        if args.profile:
            from peoplezones.insight.models import CrimeBatch, ImportRun

            CrimeBatch.objects.all().delete()
            ImportRun.objects.all().delete()
            chosen = paths[: args.profile]
            profile = cProfile.Profile()
            profile.enable()
            with open(os.devnull, "w") as sink:
                call_command("import_police_uk", *map(str, chosen), stdout=sink, stderr=sink)
            profile.disable()
            print()
            print(f"cProfile of importing {len(chosen)} files (cumulative time, top 25):")
            stats = io.StringIO()
            pstats.Stats(profile, stream=stats).sort_stats("cumulative").print_stats(25)
            print(stats.getvalue())
        return 0
    except KeyboardInterrupt:
        print("\nInterrupted: cleaning up.", file=sys.stderr)
        return 130
    finally:
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
