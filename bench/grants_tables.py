"""Benchmark of the two big grant tables: the staff ranking table and the public funding table.

Not a test: nothing here asserts on time, and pytest never collects this folder. It builds a
throwaway database (SQLite under a temporary folder by default, or the PostgreSQL database named
by --database-url, which it creates and drops), loads a round of 1,000 applications each scored
by 5 assessors (and a round of 100, to show the query count does not grow with the round), then
times the pages in-process with Django's test Client and the selectors behind them, and prints
Markdown tables. See bench/README.md and docs/performance.md.

    .venv/bin/python bench/grants_tables.py [--applications 1000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchsetup import ROOT, base_environment, interrupt, percentile, pg_recreate, table

SEED = 20260522
GOAL_MS = 200.0
SMALL_ROUND = 100
# How the applications of a round are spread over the workflow (the rest are in assessment).
SHARES = {"approved": 0.30, "declined": 0.10, "recommended": 0.15, "not_recommended": 0.15}
CONFLICT_SHARE = 0.03  # applications where the last assessor declared a conflict (4 reviews)
CRITERIA = [
    ("Meets the zone's research themes", 3),
    ("Need and community support", 2),
    ("Who benefits", 2),
    ("Safe and deliverable", 2),
    ("Value for money", 1),
]
WORDS = [
    "Community",
    "Youth",
    "Garden",
    "Larder",
    "Football",
    "Repair",
    "Café",
    "Parents",
    "Walking",
    "Scouts",
    "Allotment",
    "Boxing",
    "Library",
    "Music",
    "Art",
    "Elders",
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time the staff ranking table and the public funding table of a big round."
    )
    parser.add_argument(
        "--applications", type=int, default=1000, help="applications in the round (1000)"
    )
    parser.add_argument("--assessors", type=int, default=5, help="assessors scoring each (5)")
    parser.add_argument(
        "--requests", type=int, default=60, help="timed requests per page and selector (60)"
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL URL whose database (its name must contain 'bench') is created and "
        "dropped here; default: SQLite in a temporary folder",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and print where it is"
    )
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="time without gc.freeze() of the start-up objects (config/wsgi.py freezes them)",
    )
    return parser.parse_args(argv)


# --- set-up ----------------------------------------------------------------------------------


@dataclass
class Built:
    big: Any
    small: Any
    staff: Any
    counts: dict[str, int] = field(default_factory=dict)


def build(args: argparse.Namespace) -> Built:
    """Two rounds (big and small) with applications, conflicts, reviews and awards, bulk-made."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from peoplezones.accounts.models import User
    from peoplezones.accounts.roles import ProgrammeRole
    from peoplezones.finance.models import BudgetLine, BudgetYear, Commitment
    from peoplezones.grants.models import (
        Application,
        Award,
        BudgetItem,
        ConflictDeclaration,
        Criterion,
        Fund,
        GrantRound,
        Organisation,
        Review,
    )
    from peoplezones.grants.services import weighted_mean
    from peoplezones.zones.models import Theme, Zone

    rng = random.Random(SEED)
    zones = list(Zone.objects.order_by("slug"))
    themes = {zone.pk: list(Theme.objects.filter(zone=zone)) for zone in zones}
    fund = Fund.objects.create(
        name="People Zones Grants",
        funder_name="Bench funder",
        funder_org_id="XE-EXAMPLE-bench",
        identifier_prefix="360G-bench",
    )
    year = BudgetYear.objects.create(start_year=2025)
    line = BudgetLine.objects.create(
        year=year, title="Grant funding", amount=Decimal("50000000.00")
    )
    team = Group.objects.get_or_create(name=ProgrammeRole.PROGRAMME_TEAM.value)[0]
    assessor_group = Group.objects.get_or_create(name=ProgrammeRole.ASSESSOR.value)[0]
    staff = User.objects.create_user(email="bench.staff@example.org", full_name="Bench Staff")
    staff.groups.add(team)
    assessors = []
    for n in range(args.assessors):
        user = User.objects.create_user(
            email=f"bench.assessor{n}@example.org", full_name=f"Bench Assessor {n}"
        )
        user.groups.add(assessor_group)
        assessors.append(user)
    now = timezone.now()
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} Group {n}",
            org_type=Organisation.Type.UNREGISTERED,
            connection=Organisation.Connection.LIVING,
        )
        for n in range(max(10, int(args.applications * 0.6)))
    )
    made = {}
    reference = 0
    for label, size, opens_days in (("big", args.applications, 60), ("small", SMALL_ROUND, 90)):
        grant_round = GrantRound.objects.create(
            fund=fund,
            name=f"Bench round ({size} applications)",
            slug=f"bench-{label}",
            opens_at=now - datetime.timedelta(days=opens_days),
            closes_at=now - datetime.timedelta(days=opens_days - 28),
            budget_year=year,
            budget_line=line,
        )
        grant_round.zones.set(zones)
        grant_round.themes.set([t for zone_themes in themes.values() for t in zone_themes])
        criteria = [
            Criterion.objects.create(
                round=grant_round,
                title=title,
                weight=weight,
                order=order,
                descriptors=["0", "1", "2", "3", "4", "5"],
            )
            for order, (title, weight) in enumerate(CRITERIA, start=1)
        ]
        statuses = []
        for status, share in SHARES.items():
            statuses += [status] * round(share * size)
        statuses += ["assessment"] * (size - len(statuses))
        rng.shuffle(statuses)
        applications = []
        for status in statuses:
            reference += 1
            zone = rng.choice(zones)
            applications.append(
                Application(
                    round=grant_round,
                    organisation=rng.choice(organisations),
                    zone=zone,
                    reference=f"PZ-2025-{reference:05d}",
                    status=status,
                    project_name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} project {reference}",
                    brief="A weekly session for residents, with trips and workshops. " * 3,
                    amount_requested=Decimal(rng.randrange(50_000, 1_000_000)) / 100,
                    beneficiaries="Residents of the zone.",
                    beneficiary_count=rng.randrange(10, 400),
                    has_safeguarding_policy=True,
                    has_insurance=True,
                    contact_name=f"Contact {reference}",
                    contact_email=f"contact{reference}@example.org",
                    contact_phone="07700 900000",
                    submitted_at=grant_round.opens_at + datetime.timedelta(days=3),
                )
            )
        applications = Application.objects.bulk_create(applications, batch_size=500)
        BudgetItem.objects.bulk_create(
            (
                BudgetItem(application=a, description="Everything", amount=a.amount_requested)
                for a in applications
            ),
            batch_size=1000,
        )
        Through = Application.themes.through
        Through.objects.bulk_create(
            (
                Through(application_id=a.pk, theme_id=rng.choice(themes[a.zone_id]).pk)
                for a in applications
            ),
            batch_size=1000,
        )
        declarations, reviews = [], []
        for application in applications:
            conflicted = rng.random() < CONFLICT_SHARE
            for index, assessor in enumerate(assessors):
                conflict = conflicted and index == len(assessors) - 1
                declarations.append(
                    ConflictDeclaration(
                        application=application,
                        assessor=assessor,
                        has_conflict=conflict,
                        details="Bench conflict." if conflict else "",
                    )
                )
                if conflict:
                    continue
                scores = {c.pk: rng.randrange(0, 6) for c in criteria}
                reviews.append(
                    Review(
                        application=application,
                        assessor=assessor,
                        scores={str(k): v for k, v in scores.items()},
                        weighted_score=weighted_mean(scores, criteria),
                    )
                )
        ConflictDeclaration.objects.bulk_create(declarations, batch_size=1000)
        Review.objects.bulk_create(reviews, batch_size=1000)
        approved = [a for a in applications if a.status == "approved"]
        commitments = Commitment.objects.bulk_create(
            Commitment(
                line=line,
                kind=Commitment.Kind.GRANT,
                description=f"{a.reference} award",
                amount=a.amount_requested,
                committed_on=now.date(),
                zone_id=a.zone_id,
            )
            for a in approved
        )
        Award.objects.bulk_create(
            (
                Award(
                    application=a,
                    amount=a.amount_requested,
                    decided_on=now.date(),
                    identifier=f"360G-bench-{a.reference}",
                    commitment=c,
                    reasons="Meets the themes.",
                )
                for a, c in zip(approved, commitments, strict=True)
            ),
            batch_size=1000,
        )
        made[label] = grant_round
    counts = {
        "applications": Application.objects.count(),
        "reviews": Review.objects.count(),
        "conflicts": ConflictDeclaration.objects.filter(has_conflict=True).count(),
        "awards": Award.objects.count(),
        "organisations": Organisation.objects.count(),
    }
    return Built(big=made["big"], small=made["small"], staff=staff, counts=counts)


def refresh_statistics(vendor: str) -> None:
    """As the application leaves a bulk-loaded database (see bench/asset_bbox.py)."""
    from django.db import connection

    from peoplezones.core.signals import refresh_query_statistics

    refresh_query_statistics()
    if vendor != "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Timing:
    label: str
    latencies_ms: list[float] = field(default_factory=list)
    queries: int | None = None
    size: int | None = None
    rows: int | None = None
    error: str = ""

    def row(self) -> list[str]:
        if self.error:
            return [self.label, "0", "–", "–", "–", "–", "–", "–", self.error]
        lat = self.latencies_ms
        p95 = percentile(lat, 95)
        return [
            self.label,
            str(len(lat)),
            f"{percentile(lat, 50):.1f}",
            f"{p95:.1f}",
            f"{max(lat):.1f}",
            str(self.queries),
            str(self.rows) if self.rows is not None else "–",
            f"{self.size / 1024:.0f}" if self.size else "–",
            "met" if p95 < GOAL_MS else "NOT met",
        ]


def time_call(label: str, call: Callable[[], Any], *, count: int, rows: Callable[[Any], int]):
    """Call (warm up twice), count the queries of one call, then time `count` calls."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timing = Timing(label)
    for _ in range(2):
        call()
    with CaptureQueriesContext(connection) as captured:
        result = call()
    timing.queries = len(captured.captured_queries)
    timing.rows = rows(result)
    for _ in range(count):
        started = time.perf_counter()
        call()
        timing.latencies_ms.append((time.perf_counter() - started) * 1000)
    return timing


def time_page(label: str, client: Any, path: str, *, count: int, marker: str) -> Timing:
    """GET a page (the full middleware stack, template rendering) `count` times.

    Its rows are the distinct matches of `marker` (a regular expression) in the HTML.
    """
    response = client.get(path)
    if response.status_code != 200:
        timing = Timing(label)
        timing.error = f"answered {response.status_code}"
        print(f"{path} answered {response.status_code}: {response.content[:300]!r}")
        return timing

    def get():
        answer = client.get(path)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code}")
        return answer.content

    timing = time_call(
        label, get, count=count, rows=lambda body: len(set(re.findall(marker, body.decode())))
    )
    timing.size = len(get())
    return timing


def machine_facts(vendor: str) -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if vendor == "sqlite" else "show server_version")
        db_version = cursor.fetchone()[0]
    return (
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; Python "
        f"{sys.version.split()[0]}, Django {django.get_version()}, {vendor} {db_version}"
    )


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    load_at_start = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="pz-bench-grants-"))
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

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from peoplezones.grants.selectors import funding_table, ranking
        from peoplezones.zones import demo as zones_demo

        vendor = connection.vendor
        print(f"Database: {vendor} ({args.database_url or workdir / 'peoplezones.sqlite3'})")
        call_command("migrate", verbosity=0, interactive=False)
        zones_demo.load(out=io.StringIO())
        started = time.monotonic()
        built = build(args)
        refresh_statistics(vendor)
        print(
            f"Built in {time.monotonic() - started:.0f}s: "
            + ", ".join(f"{v:,} {k}" for k, v in built.counts.items())
        )

        staff = Client(HTTP_HOST="127.0.0.1")
        staff.force_login(built.staff)
        if args.no_freeze:
            print("Start-up objects not frozen (--no-freeze): not how config/wsgi.py serves.")
        else:
            # As config/wsgi.py does in each web process; here the bench's own objects (the
            # built data) are frozen too, which a web process does not have at all.
            from peoplezones.core.startup import load_and_freeze

            print(f"Frozen {load_and_freeze():,} objects, as config/wsgi.py does at start-up.")
        public = Client(HTTP_HOST="127.0.0.1")
        n = args.requests
        timings = []
        for grant_round, size in ((built.big, args.applications), (built.small, SMALL_ROUND)):
            timings += [
                time_page(
                    f"ranking page, {size} applications",
                    staff,
                    f"/grants/staff/rounds/{grant_round.slug}/ranking/",
                    count=n,
                    marker=r"PZ-2025-[0-9]{5}",
                ),
                time_page(
                    f"funding table page, {size} applications",
                    public,
                    f"/grants/rounds/{grant_round.slug}/funding/",
                    count=n,
                    marker=r"360G-bench-PZ-2025-[0-9]{5}",
                ),
                time_call(
                    f"selector ranking(), {size} applications",
                    lambda r=grant_round: ranking(r),
                    count=n,
                    rows=len,
                ),
                time_call(
                    f"selector funding_table(), {size} applications",
                    lambda r=grant_round: funding_table(r),
                    count=n,
                    rows=lambda t: t.count,
                ),
            ]

        print()
        print(f"## Results: {vendor}")
        print()
        print(f"Machine: {machine_facts(vendor)} (load average at start {load_at_start:.2f}).")
        print(
            "Data: "
            + ", ".join(f"{v:,} {k}" for k, v in built.counts.items())
            + f"; {args.assessors} assessors score every application (a "
            f"{CONFLICT_SHARE:.0%} share have one conflict instead)."
        )
        print()
        print(
            table(
                [
                    "what",
                    "n",
                    "p50 ms",
                    "p95 ms",
                    "max ms",
                    "queries",
                    "rows",
                    "KiB",
                    f"p95 < {GOAL_MS:.0f} ms",
                ],
                [t.row() for t in timings],
            )
        )
        print()
        print(
            "rows: for pages, the distinct application references (ranking) or award "
            "identifiers (funding table) in the HTML; for selectors, the rows returned."
        )
        big_queries = [t.queries for t in timings[:4]]
        small_queries = [t.queries for t in timings[4:]]
        same = "the same" if big_queries == small_queries else "NOT the same"
        print(f"Query counts for {args.applications} and {SMALL_ROUND} applications: {same}.")
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
