"""Writes of place insight: importing police.uk street-level crime."""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from peoplezones.core.services import audit_record
from peoplezones.insight.importers import CrimeRow, SkippedRow, Source, parse_rows
from peoplezones.insight.models import Crime, ImportRun
from peoplezones.zones.models import Zone
from peoplezones.zones.selectors import zone_for_point

BATCH_SIZE = 500
# How many skipped rows a run keeps with their messages; the counts by reason are always whole.
MAX_SKIPPED_KEPT = 200

Progress = Callable[[Iterable[Any]], Iterable[Any]]


class ZoneLocator:
    """Finds the zone of each crime point quickly during one import.

    Most crimes are nowhere near a zone, so a point is tested exactly (`zone_for_point`) only
    when it falls in some zone's bbox; police.uk snaps crimes to shared points, so each point's
    answer is remembered for the rest of the import.
    """

    def __init__(self) -> None:
        self.bboxes = [
            zone.bbox
            for zone in Zone.objects.filter(
                status=Zone.Status.ACTIVE, boundary__isnull=False, min_lon__isnull=False
            ).only("min_lon", "min_lat", "max_lon", "max_lat")
        ]
        self.known: dict[tuple[float, float], Zone | None] = {}

    def zone_for(self, *, lat: float | None, lon: float | None) -> Zone | None:
        if lat is None or lon is None:
            return None
        if not any(
            min_lon <= lon <= max_lon and min_lat <= lat <= max_lat
            for min_lon, min_lat, max_lon, max_lat in self.bboxes
        ):
            return None
        point = (lat, lon)
        if point not in self.known:
            self.known[point] = zone_for_point(lat=lat, lon=lon)
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

    Runs in one transaction per file, so a file that turns out unreadable part-way stores
    nothing (PoliceFileError propagates). Rows with broken values are skipped and reported by
    line, and then nothing from the file is stored unless `skip_errors` (the rule for every
    import of the platform). Rows without a location are not errors: they are stored without a
    point. A run that stores something is recorded as an ImportRun with an audit event. A dry run
    rolls everything back.
    """
    run = ImportRun(file_name=source.name[:255], started=timezone.now(), is_demo=is_demo)
    result = ImportResult(run=run, dry_run=dry_run)
    reasons: Counter[str] = Counter()
    locator = ZoneLocator()
    with transaction.atomic(), source.open() as text:
        rows: Iterable[CrimeRow | SkippedRow] = parse_rows(text=text, source=source)
        if progress is not None:
            rows = progress(rows)
        for batch in _batches(rows):
            good = []
            for row in batch:
                run.rows_read += 1
                if isinstance(row, SkippedRow):
                    reasons[row.reason] += 1
                    if len(result.skipped) < MAX_SKIPPED_KEPT:
                        result.skipped.append(row)
                    continue
                if not row.has_location:
                    run.rows_without_location += 1
                good.append(row)
            _store(batch=good, run=run, locator=locator, is_demo=is_demo)
        run.rows_skipped = sum(reasons.values())
        run.skipped_by_reason = dict(sorted(reasons.items()))
        run.finished = timezone.now()
        if run.rows_skipped and not skip_errors:
            result.refused = True
            transaction.set_rollback(True)
            return result
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
    return result


def _batches(rows: Iterable[CrimeRow | SkippedRow]) -> Iterator[list[CrimeRow | SkippedRow]]:
    batch: list[CrimeRow | SkippedRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _store(*, batch: list[CrimeRow], run: ImportRun, locator: ZoneLocator, is_demo: bool) -> None:
    """Create the crimes of one batch whose identity is not stored yet.

    The parser has already checked every value against the model's limits, so rows are not
    `full_clean`ed one by one: that would cost a uniqueness query per row.
    """
    if not batch:
        return
    present = set(
        Crime.objects.filter(identity__in=[row.identity for row in batch]).values_list(
            "identity", flat=True
        )
    )
    new = [
        Crime(
            identity=row.identity,
            zone=locator.zone_for(lat=row.fields["latitude"], lon=row.fields["longitude"]),
            is_demo=is_demo,
            **row.fields,
        )
        for row in batch
        if row.identity not in present
    ]
    Crime.objects.bulk_create(new)
    run.rows_present += len(batch) - len(new)
    run.rows_stored += len(new)
