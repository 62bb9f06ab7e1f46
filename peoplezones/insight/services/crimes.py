"""Importing police.uk street-level crime: every write of the crime table."""

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peoplezones.core.services import audit_record
from peoplezones.insight.importers.police import (
    CrimeRow,
    PoliceFileError,
    SkippedRow,
    Source,
    parse_rows,
)
from peoplezones.insight.models import Crime, ImportRun
from peoplezones.zones.models import Zone

# How many skipped rows a run keeps with their messages; the counts by reason are always whole.
MAX_SKIPPED_KEPT = 200
# Rows per COPY on PostgreSQL (see _copy).
COPY_CHUNK = 2000
# SQLite page cache while a file's rows are inserted (see _sqlite_cache).
SQLITE_CACHE_KIB = 64 * 1024
# The columns written for each crime: a parsed row's fields, then what the import adds.
STORED_FIELDS = (*CrimeRow._fields, "zone", "is_demo", "created")

Progress = Callable[[Iterable[Any]], Iterable[Any]]


class ZoneLocator:
    """Finds the zone of each crime point during one import.

    The active zones are loaded once, and each point is tested with `Zone.contains_point` (bbox
    first, then the zone's cached prepared boundary): the same test, in the same zone order, as
    `zones.selectors.zone_for_point`, without its query per point. police.uk snaps crimes to
    shared points, so each point's answer is remembered for the rest of the import.
    """

    def __init__(self) -> None:
        self.zones = list(
            Zone.objects.filter(
                status=Zone.Status.ACTIVE, boundary__isnull=False, min_lon__isnull=False
            ).only("id", "boundary", "modified", "min_lon", "min_lat", "max_lon", "max_lat")
        )
        # (min_lon, min_lat, max_lon, max_lat) of each zone, to rule most points out cheaply.
        self.bboxes = [zone.bbox for zone in self.zones]
        self.known: dict[tuple[float, float], int | None] = {}

    def zone_id_for(self, *, lat: float | None, lon: float | None) -> int | None:
        """The id of the active zone whose boundary holds the point (edge included), or None."""
        if lat is None or lon is None:
            return None
        point = (lat, lon)
        if point not in self.known:
            self.known[point] = next(
                (
                    zone.pk
                    for zone, (min_lon, min_lat, max_lon, max_lat) in zip(
                        self.zones, self.bboxes, strict=True
                    )
                    if min_lon <= lon <= max_lon
                    and min_lat <= lat <= max_lat
                    and zone.contains_point(lat=lat, lon=lon)
                ),
                None,
            )
        return self.known[point]


@dataclass
class ImportResult:
    """What importing one file did (or, in a dry run, would do)."""

    run: ImportRun
    skipped: list[SkippedRow] = field(default_factory=list)
    dry_run: bool = False
    # True when rows had errors and skipping them was not asked for: nothing was stored.
    refused: bool = False


def crimes_import(
    *,
    source: Source,
    actor: Any = None,
    is_demo: bool = False,
    dry_run: bool = False,
    skip_errors: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one police.uk street CSV, storing each crime not stored before; idempotent.

    The whole file is read and checked before anything is written; rows with broken values are
    skipped and reported by line, and then nothing from the file is stored unless `skip_errors`
    (the rule for every import of the platform). A file unreadable part-way raises
    PoliceFileError having stored nothing. Rows without a location are not errors: they are
    stored without a point. The writes run in one transaction per file. A run that stores
    something is recorded as an ImportRun with an audit event. A dry run rolls everything back.
    """
    run = ImportRun(
        kind=ImportRun.Kind.POLICE_UK,
        file_name=source.name[:255],
        started=timezone.now(),
        is_demo=is_demo,
    )
    result = ImportResult(run=run, dry_run=dry_run)
    with _cyclic_gc_paused():
        rows, reasons = _read(source=source, progress=progress, skipped=result.skipped)
    run.rows_skipped = sum(reasons.values())
    run.rows_read = len(rows) + run.rows_skipped
    run.rows_without_location = sum(1 for row in rows if row.latitude is None)
    run.skipped_by_reason = dict(sorted(reasons.items()))
    if run.rows_skipped and not skip_errors:
        run.finished = timezone.now()
        result.refused = True
        return result
    try:
        with transaction.atomic():
            run.rows_stored = _store(rows=rows, is_demo=is_demo)
            run.rows_present = len(rows) - run.rows_stored
            run.finished = timezone.now()
            # Importing a file again must change nothing, not even the audit trail, so a run is
            # recorded only when it stored something; its summary is still returned and printed.
            if run.rows_stored:
                run.full_clean()
                run.save()
                audit_record(
                    actor=actor,
                    verb="insight.crimes_imported",
                    target=run,
                    data={
                        "file": run.file_name,
                        "rows_read": run.rows_read,
                        "rows_stored": run.rows_stored,
                        "rows_present": run.rows_present,
                        "rows_without_location": run.rows_without_location,
                        "rows_skipped": run.rows_skipped,
                        "skipped_by_reason": run.skipped_by_reason,
                        "is_demo": is_demo,
                    },
                )
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError:
        # Only rows changed by someone else while this import ran (another import of the same
        # crimes at the same time, on PostgreSQL) get here; the transaction is rolled back.
        raise PoliceFileError(
            _(
                "%(file)s: some of its crimes were stored by another import while this one "
                "ran. Run this import again."
            )
            % {"file": source.name}
        ) from None
    return result


def _read(
    *, source: Source, progress: Progress | None, skipped: list[SkippedRow]
) -> tuple[list[CrimeRow], Counter[str]]:
    """Every good row of the file, and the count of bad rows by reason (the first kept)."""
    good: list[CrimeRow] = []
    keep = good.append
    reasons: Counter[str] = Counter()
    with source.open() as text:
        rows: Iterable[CrimeRow | SkippedRow] = parse_rows(text=text, source=source)
        if progress is not None:
            rows = progress(rows)
        for row in rows:
            if type(row) is SkippedRow:
                reasons[row.reason] += 1
                if len(skipped) < MAX_SKIPPED_KEPT:
                    skipped.append(row)
            else:
                keep(row)
    return good, reasons


def _store(*, rows: list[CrimeRow], is_demo: bool) -> int:
    """Insert the rows whose identity is not stored yet; returns how many were inserted.

    One query finds the identities already stored for the file's months and forces (all of
    them when a file is imported again). An anti-social behaviour row's identity is a hash of
    its content, month and force included, so that finds every one stored before; a Crime ID
    can also be stored under another month (police.uk repeats a few), which the write itself
    catches. The parser has already checked every value against the model's limits, so the
    rows go to the database as plain tuples, without model instances or the ORM's SQL compiler.
    """
    stored = set(
        Crime.objects.filter(
            month__in={row.month for row in rows},
            falls_within__in={row.falls_within for row in rows},
        ).values_list("identity", flat=True)
    )
    if stored:
        rows = [row for row in rows if row.identity not in stored]
    if not rows:
        return 0
    with connection.cursor() as cursor, _cyclic_gc_paused():
        values = _values(rows=rows, is_demo=is_demo)
        if connection.vendor == "postgresql":
            return _copy(cursor, values=values)
        return _insert(cursor, values=values)


def _insert(cursor: Any, *, values: list[tuple[Any, ...]]) -> int:
    """SQLite: one `executemany`, skipping identities stored already (by another month's file)."""
    columns = ", ".join(_quoted(name) for name in STORED_FIELDS)
    marks = ", ".join(["%s"] * len(STORED_FIELDS))
    with _sqlite_cache(cursor, kib=SQLITE_CACHE_KIB):
        cursor.executemany(
            f"INSERT INTO {_table()} ({columns}) VALUES ({marks}) "  # noqa: S608 (our own names)
            f"ON CONFLICT ({_quoted('identity')}) DO NOTHING",
            values,
        )
        # Rows skipped by ON CONFLICT do not count as changes.
        return cursor.rowcount


def _copy(cursor: Any, *, values: list[tuple[Any, ...]]) -> int:
    """PostgreSQL: binary `COPY` of the rows, PostgreSQL's fastest way in.

    COPY cannot skip rows whose identity is taken, and nearly no file has such a row, so each
    chunk of rows is first copied as if none had, in a savepoint; if one had, the savepoint is
    undone, one query finds which of the chunk's identities are stored (under another month)
    and the rest are copied. Chunks keep what such a miss wastes small.
    """
    copied = 0
    for start in range(0, len(values), COPY_CHUNK):
        chunk = values[start : start + COPY_CHUNK]
        try:
            with transaction.atomic():
                copied += _copy_all(cursor, values=chunk)
            continue
        except IntegrityError:
            pass
        cursor.execute(
            f"SELECT {_quoted('identity')} FROM {_table()} "  # noqa: S608 (our own names)
            f"WHERE {_quoted('identity')} = ANY(%s)",
            [[row[0] for row in chunk]],
        )
        stored = {identity for (identity,) in cursor.fetchall()}
        copied += _copy_all(cursor, values=[row for row in chunk if row[0] not in stored])
    return copied


def _copy_all(cursor: Any, *, values: list[tuple[Any, ...]]) -> int:
    columns = ", ".join(_quoted(name) for name in STORED_FIELDS)
    # Binary rows need each column's type; "varchar(64)" is sent as varchar.
    types = [
        Crime._meta.get_field(name).db_type(connection).split("(")[0] for name in STORED_FIELDS
    ]
    # The driver's copy() is not wrapped by Django, so its errors are made Django's here.
    with (
        connection.wrap_database_errors,
        cursor.copy(f"COPY {_table()} ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(types)
        for row in values:
            copy.write_row(row)
    return len(values)


def _values(*, rows: list[CrimeRow], is_demo: bool) -> list[tuple[Any, ...]]:
    """Each row as the tuple of STORED_FIELDS: its fields, its zone, is_demo, the import time."""
    locator = ZoneLocator()
    created = connection.ops.adapt_datetimefield_value(timezone.now())
    tails = {
        point: (locator.zone_id_for(lat=point[0], lon=point[1]), is_demo, created)
        for point in {(row.latitude, row.longitude) for row in rows}
    }
    return [row + tails[row.latitude, row.longitude] for row in rows]


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a file's rows are read and written.

    Reading a file makes a few small tuples and lists per row, none of which can form a cycle.
    With the collector on, every ~700 new ones trigger a collection, and the older generations,
    which hold the rows read so far, are scanned again and again: about a fifth of the time of
    reading a file. Reference counting still frees everything as usual. Process-wide, so it is
    paused only for the seconds a file takes and always turned back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _sqlite_cache(cursor: Any, *, kib: int) -> Iterator[None]:
    """Give SQLite a page cache of at least `kib` KiB for one big insert, then the old one back.

    The crime table has seven indexes, one on a random 64-character identity; with SQLite's
    default 2 MiB cache a file's inserts keep evicting and re-reading index pages.
    """
    cursor.execute("PRAGMA cache_size")
    (before,) = cursor.fetchone()
    cursor.execute("PRAGMA page_size")
    (page_size,) = cursor.fetchone()
    # A negative size is in KiB, a positive one in pages.
    if (-before if before < 0 else before * page_size // 1024) < kib:
        cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _table() -> str:
    return connection.ops.quote_name(Crime._meta.db_table)


def _quoted(name: str) -> str:
    return connection.ops.quote_name(Crime._meta.get_field(name).column)
