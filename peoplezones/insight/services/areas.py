"""Importing reference areas: IMD 2019 deprivation and LSOA, ward and district boundaries.

Both imports merge into `ReferenceArea` by ONS code: the IMD file sets names, districts, ranks
and deciles; a boundary file sets geometries (and names and districts when it has them). A value
a file does not give is left as it is, so the two can be imported in either order.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from peoplezones.core.services import audit_record
from peoplezones.insight.importers.areas import read_areas
from peoplezones.insight.importers.files import Progress, RowError
from peoplezones.insight.importers.imd import read_imd
from peoplezones.insight.models import ImportRun, ReferenceArea

BATCH_SIZE = 500
# How many bad rows a result keeps with their messages; the counts by reason are always whole.
MAX_ERRORS_KEPT = 200


@dataclass
class AreaImportResult:
    """What importing one IMD or boundary file did (or, in a dry run, would do)."""

    run: ImportRun
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    # True when rows had errors and skipping them was not asked for: nothing was stored.
    refused: bool = False
    # Areas created, by kind ("lsoa", "ward", "lad").
    created_by_kind: Counter[str] = field(default_factory=Counter)


def imd_import(
    *,
    path: Path,
    actor: Any = None,
    is_demo: bool = False,
    dry_run: bool = False,
    skip_errors: bool = False,
    progress: Progress | None = None,
) -> AreaImportResult:
    """Import an IMD 2019 File 1 CSV: each LSOA's name, district, rank and decile; idempotent.

    Districts named in the file are created too (code and name, no boundary). The whole file
    is checked first; if any row is bad nothing is stored unless `skip_errors`. Raises
    ImportFileError when the file cannot be used at all.
    """
    run = _new_run(kind=ImportRun.Kind.IMD, path=path, is_demo=is_demo)
    parsed = read_imd(path=path, progress=progress)
    wanted: dict[str, dict[str, Any]] = {}
    for row in parsed.rows:
        wanted.setdefault(row.lad_code, {"kind": ReferenceArea.Kind.LAD, "name": row.lad_name})
        wanted[row.lsoa_code] = {
            "kind": ReferenceArea.Kind.LSOA,
            "name": row.lsoa_name,
            "lad_code": row.lad_code,
            "imd_rank": row.rank,
            "imd_decile": row.decile,
        }
    return _finish(
        run=run,
        rows_read=parsed.rows_read,
        errors=parsed.errors,
        wanted=wanted,
        actor=actor,
        verb="insight.imd_imported",
        is_demo=is_demo,
        dry_run=dry_run,
        skip_errors=skip_errors,
    )


def areas_import(
    *,
    path: Path,
    actor: Any = None,
    is_demo: bool = False,
    dry_run: bool = False,
    skip_errors: bool = False,
    progress: Progress | None = None,
) -> AreaImportResult:
    """Import a GeoJSON file of LSOA, ward or district boundaries, merged by code; idempotent.

    The whole file is checked first (codes, names, every geometry); if any feature is bad
    nothing is stored unless `skip_errors`. Raises ImportFileError when the file cannot be
    used at all.
    """
    run = _new_run(kind=ImportRun.Kind.AREAS, path=path, is_demo=is_demo)
    parsed = read_areas(path=path, progress=progress)
    wanted: dict[str, dict[str, Any]] = {}
    for feature in parsed.features:
        min_lon, min_lat, max_lon, max_lat = feature.bbox
        fields: dict[str, Any] = {
            "kind": feature.kind,
            "geometry": feature.geometry,
            "min_lon": min_lon,
            "min_lat": min_lat,
            "max_lon": max_lon,
            "max_lat": max_lat,
        }
        if feature.name:
            fields["name"] = feature.name
        if feature.lad_code:
            fields["lad_code"] = feature.lad_code
        wanted[feature.code] = fields
    return _finish(
        run=run,
        rows_read=parsed.rows_read,
        errors=parsed.errors,
        wanted=wanted,
        actor=actor,
        verb="insight.areas_imported",
        is_demo=is_demo,
        dry_run=dry_run,
        skip_errors=skip_errors,
    )


def _new_run(*, kind: str, path: Path, is_demo: bool) -> ImportRun:
    return ImportRun(kind=kind, file_name=str(path)[:255], started=timezone.now(), is_demo=is_demo)


def _finish(
    *,
    run: ImportRun,
    rows_read: int,
    errors: list[RowError],
    wanted: dict[str, dict[str, Any]],
    actor: Any,
    verb: str,
    is_demo: bool,
    dry_run: bool,
    skip_errors: bool,
) -> AreaImportResult:
    """Merge the areas of a checked file, record the run and its audit event; one transaction."""
    result = AreaImportResult(run=run, errors=errors[:MAX_ERRORS_KEPT], dry_run=dry_run)
    reasons = Counter(error.reason for error in errors)
    run.rows_read = rows_read
    run.rows_skipped = len(errors)
    run.skipped_by_reason = dict(sorted(reasons.items()))
    if errors and not skip_errors:
        result.refused = True
        run.finished = timezone.now()
        return result
    with transaction.atomic():
        _merge(wanted=wanted, run=run, result=result, is_demo=is_demo, write=not dry_run)
        run.finished = timezone.now()
        # As for crime: importing a file again must change nothing, not even the audit trail.
        if not dry_run and (run.rows_stored or run.rows_updated):
            run.full_clean()
            run.save()
            audit_record(
                actor=actor,
                verb=verb,
                target=run,
                data={
                    "file": run.file_name,
                    "rows_read": run.rows_read,
                    "areas_stored": run.rows_stored,
                    "areas_updated": run.rows_updated,
                    "areas_unchanged": run.rows_present,
                    "rows_skipped": run.rows_skipped,
                    "skipped_by_reason": run.skipped_by_reason,
                    "is_demo": is_demo,
                },
            )
    return result


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


def _merge(
    *,
    wanted: dict[str, dict[str, Any]],
    run: ImportRun,
    result: AreaImportResult,
    is_demo: bool,
    write: bool,
) -> None:
    """Create the areas not stored yet and update those whose values differ from the file's.

    Values were checked by the reader against the model's limits, so areas are not
    `full_clean`ed one by one (a uniqueness query per area would make the IMD's 33,000 slow).
    """
    codes = list(wanted)
    existing: dict[str, ReferenceArea] = {}
    for chunk in _chunks(codes):
        existing.update((area.code, area) for area in ReferenceArea.objects.filter(code__in=chunk))
    now = timezone.now()
    new: list[ReferenceArea] = []
    changed: list[ReferenceArea] = []
    changed_fields: set[str] = set()
    for code, fields in wanted.items():
        area = existing.get(code)
        if area is None:
            new.append(ReferenceArea(code=code, is_demo=is_demo, **fields))
            result.created_by_kind[fields["kind"]] += 1
            continue
        differs = [name for name, value in fields.items() if getattr(area, name) != value]
        if differs:
            for name in differs:
                setattr(area, name, fields[name])
            area.modified = now
            changed.append(area)
            changed_fields.update(differs)
    run.rows_stored = len(new)
    run.rows_updated = len(changed)
    run.rows_present = len(wanted) - len(new) - len(changed)
    if write:
        ReferenceArea.objects.bulk_create(new, batch_size=BATCH_SIZE)
        if changed:
            ReferenceArea.objects.bulk_update(
                changed, sorted(changed_fields | {"modified"}), batch_size=BATCH_SIZE
            )
