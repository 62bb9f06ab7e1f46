"""Importing police.uk street-level crime: every write of the stored crime batches."""

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peoplezones.core.services import audit_record
from peoplezones.insight import crime_store
from peoplezones.insight.importers.police import (
    FileRows,
    PoliceFileError,
    SkippedRow,
    Source,
    read_file,
)
from peoplezones.insight.models import CrimeBatch, ImportRun

# How many skipped rows a run keeps with their messages; the counts by reason are always whole.
MAX_SKIPPED_KEPT = 200

# Called with a number of rows read, as the file is read.
Progress = Callable[[int], None]


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
    rows: FileRows | None = None,
) -> ImportResult:
    """Import one police.uk street CSV, storing each crime not stored before; idempotent.

    The whole file is read and checked before anything is written; rows with broken values are
    skipped and reported by line, and then nothing from the file is stored unless `skip_errors`
    (the rule for every import of the platform). A file unreadable part-way raises
    PoliceFileError having stored nothing. Rows without a location are not errors: they are
    stored without a point. The writes run in one transaction per file. A run that stores
    something is recorded as an ImportRun with an audit event. A dry run rolls everything back.
    `rows`: the file as `crimes_read` read it already (a caller reading the next file while
    this one is stored); otherwise it is read here.
    """
    run = ImportRun(
        kind=ImportRun.Kind.POLICE_UK,
        file_name=source.name[:255],
        started=timezone.now(),
        is_demo=is_demo,
    )
    result = ImportResult(run=run, dry_run=dry_run)
    if rows is None:
        rows = crimes_read(source=source, progress=progress)
    result.skipped = rows.skipped
    columns = rows.columns
    run.rows_skipped = sum(rows.reasons.values())
    run.rows_read = rows.rows + run.rows_skipped
    run.rows_without_location = int(np.isnan(columns["latitude"]).sum())
    run.skipped_by_reason = dict(sorted(rows.reasons.items()))
    if run.rows_skipped and not skip_errors:
        run.finished = timezone.now()
        result.refused = True
        return result
    try:
        with transaction.atomic():
            additions = _additions(columns=columns)
            run.rows_stored = sum(len(new) for _, _, new in additions)
            run.rows_present = rows.rows - run.rows_stored
            run.finished = timezone.now()
            # Importing a file again must change nothing, not even the audit trail, so a run is
            # recorded only when it stored something; its summary is still returned and printed.
            if run.rows_stored:
                run.full_clean()
                run.save()
                for key, batch, new in additions:
                    whole = batch is None and len(new) == rows.rows
                    _write(
                        key=key,
                        batch=batch,
                        columns=columns,
                        new=new,
                        run=run,
                        joined=rows.joined if whole else None,
                    )
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
        # Only a month stored by someone else while this import ran (another import of the same
        # file at the same time) gets here; the transaction is rolled back.
        raise PoliceFileError(
            _(
                "%(file)s: some of its crimes were stored by another import while this one "
                "ran. Run this import again."
            )
            % {"file": source.name}
        ) from None
    return result


def crimes_read(*, source: Source, progress: Progress | None = None) -> FileRows:
    """Read and check one police.uk file for `crimes_import` (no database work: it may run in
    another thread while an earlier file is stored). Raises PoliceFileError."""
    with _cyclic_gc_paused():
        return read_file(source=source, progress=progress, keep_skipped=MAX_SKIPPED_KEPT)


BatchKey = tuple[str, Any]


def _additions(
    *, columns: dict[str, np.ndarray]
) -> list[tuple[BatchKey, CrimeBatch | None, np.ndarray]]:
    """For each force and month of the file: its stored batch (if any, locked for the rest of
    the transaction) and the positions of the file's rows not stored yet.

    A row is stored already when its batch holds its identity (a Crime ID, or the content hash
    of an anti-social behaviour report, which includes the month and force), or when another
    batch holds its Crime ID (police.uk repeats a few Crime IDs in a later month).
    """
    rows = len(columns["identity"])
    if not rows:
        return []
    forces = columns["falls_within"]
    months = columns["month"]
    if (forces == forces[0]).all() and (months == months[0]).all():
        groups = {(forces[0], months[0]): np.arange(rows)}
    else:
        groups = {}
        for position, key in enumerate(zip(forces, months, strict=True)):
            groups.setdefault(key, []).append(position)
        groups = {key: np.asarray(positions) for key, positions in groups.items()}
    owners: dict[str, int] | None = None
    additions = []
    for key, positions in groups.items():
        batch = (
            CrimeBatch.objects.select_for_update()
            .filter(falls_within=key[0], month=key[1])
            .only("pk", "digest", "is_demo")
            .first()
        )
        new = positions
        if batch is not None:
            stored = crime_store.batch_columns(batch)["identity"]
            # pandas' isin hashes; numpy's compares every pair for text.
            new = new[~pd.Series(columns["identity"][new]).isin(stored).to_numpy()]
        crime_ids = columns["crime_id"][new]
        if len(new) and (crime_ids != "").any():
            if owners is None:
                owners = crime_store.crime_id_owners()
            own = batch.pk if batch is not None else None
            # A set intersection first: nearly always empty.
            shared = owners.keys() & set(crime_ids.tolist())
            shared = {crime_id for crime_id in shared if owners[crime_id] != own}
            if shared:
                elsewhere = np.fromiter(
                    (crime_id in shared for crime_id in crime_ids), bool, len(new)
                )
                new = new[~elsewhere]
        if len(new):
            additions.append((key, batch, new))
    return additions


def _write(
    *,
    key: BatchKey,
    batch: CrimeBatch | None,
    columns: dict[str, np.ndarray],
    new: np.ndarray,
    run: ImportRun,
    joined: dict[str, str] | None = None,
) -> None:
    """Store the rows at `new` in the batch of `key`, after its rows if it has any. `joined`:
    text columns already joined, when `new` is every row of the file and the batch is new."""
    if batch is None and joined is not None:
        merged = columns
    else:
        merged = {name: columns[name][new] for name in crime_store.STORED_COLUMNS}
        joined = None
    if batch is not None:
        stored = crime_store.batch_columns(batch)
        merged = {
            name: np.concatenate([stored[name], merged[name]])
            for name in crime_store.STORED_COLUMNS
        }
    rows = len(merged["identity"])
    data = crime_store.encode_columns(merged, rows=rows, joined=joined)
    digest = crime_store.digest_of(data)
    located = int(rows - np.isnan(merged["latitude"]).sum())
    if batch is None:
        batch = CrimeBatch(falls_within=key[0], month=key[1], is_demo=run.is_demo)
    else:
        batch.is_demo = batch.is_demo and run.is_demo
    batch.rows = rows
    batch.located = located
    batch.digest = digest
    batch.import_run = run
    if connection.vendor == "postgresql":
        _save_binary(batch, data)
    else:
        batch.data = data
        batch.save()
    crime_store.remember(digest=digest, columns=merged)


def _save_binary(batch: CrimeBatch, data: bytes) -> None:
    """PostgreSQL: save the batch with its data sent as a binary parameter.

    Django's PostgreSQL cursors put parameters into the SQL text, which for a megabyte of bytes
    means hex-escaping it and the server parsing it back, so this one write goes through a
    psycopg cursor of its own (in the same connection and transaction).
    """
    import psycopg

    meta = CrimeBatch._meta
    quote = connection.ops.quote_name
    batch.modified = timezone.now()
    if batch.pk is None:
        batch.created = batch.modified
    names = [
        "created", "modified", "falls_within", "month", "rows", "located", "digest",
        "import_run", "is_demo",
    ]  # fmt: skip
    columns = [quote(meta.get_field(name).column) for name in names]
    values = [getattr(batch, meta.get_field(name).attname) for name in names]
    table = quote(meta.db_table)
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        if batch.pk is None:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}, {quote('data')}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(columns))}, %b) RETURNING {quote('id')}",
                [*values, data],
            )
            (batch.pk,) = cursor.fetchone()
        else:
            assignments = ", ".join(f"{column} = %s" for column in columns[1:])
            cursor.execute(
                f"UPDATE {table} SET {assignments}, {quote('data')} = %b "  # noqa: S608
                f"WHERE {quote('id')} = %s",
                [*values[1:], data, batch.pk],
            )
    batch.data = data


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a file is read.

    Reading a file makes many small strings and arrays, none of which can form a cycle; with the
    collector on, the older generations are scanned again and again as they fill. Reference
    counting still frees everything as usual. Process-wide, so it is paused only for the
    moment a file takes and always turned back on.
    """
    with _gc_lock:
        _gc_pauses[0] += 1
        if _gc_pauses[0] == 1:
            _gc_pauses[1] = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses[0] -= 1
            if _gc_pauses[0] == 0 and _gc_pauses[1]:
                gc.enable()


# How many pauses are under way (in any thread), and whether the collector was on before them.
_gc_lock = threading.Lock()
_gc_pauses: list[Any] = [0, False]
