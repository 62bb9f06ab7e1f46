from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from peoplezones.core.signals import refresh_query_statistics
from peoplezones.insight.importers import PoliceFileError, Source, find_sources, source_check
from peoplezones.insight.importers.police import FileRows
from peoplezones.insight.services import ImportResult, crimes_import, crimes_read

REASONS = {
    "wrong_columns": "wrong number of values",
    "bad_month": "month not YYYY-MM",
    "future_month": "month in the future",
    "no_crime_type": "no crime type",
    "too_long": "value too long",
    "half_point": "only one coordinate",
    "bad_point": "unusable coordinates",
    "repeated_crime_id": "Crime ID repeated in the file",
}
TOTALS = ("rows_read", "rows_stored", "rows_present", "rows_without_location", "rows_skipped")


class Command(BaseCommand):
    help = (
        "Import police.uk street-level crime (see docs/insight.md). Each PATH is a street CSV "
        "(.csv or .csv.gz) or a police.uk monthly archive (.zip) holding many forces' files. "
        "Idempotent: crimes are known by their Crime ID and anti-social behaviour rows by their "
        "content and repeat count, so importing a month twice stores nothing new. Rows without "
        "a location are stored without a point; rows with broken values are skipped and listed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--force",
            default="",
            metavar="FORCE",
            help="In a .zip archive, import only this force's files, e.g. leicestershire.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and report, but store nothing."
        )
        parser.add_argument(
            "--skip-errors",
            action="store_true",
            help="Store a file's good rows even when some rows have errors (they are listed).",
        )

    def handle(
        self, *args, paths: list[Path], force: str, dry_run: bool, skip_errors: bool, **options
    ) -> None:
        # Every path is checked before anything is stored, so a typo in the last one cannot
        # leave the first ones half done.
        try:
            sources = [
                source
                for path in paths
                for source in find_sources(path=path, force=force.strip().lower())
            ]
            for source in sources:
                source_check(source=source)
        except PoliceFileError as error:
            raise CommandError(str(error)) from None
        results = []
        # Each file is read and checked in a second thread while the one before is stored, so
        # that reading (mostly pandas and gzip) and the database's work overlap.
        with ThreadPoolExecutor(max_workers=1) as reader:
            pending = reader.submit(self._read, sources[0])
            for index, source in enumerate(sources):
                try:
                    rows = pending.result()
                    if index + 1 < len(sources):
                        pending = reader.submit(self._read, sources[index + 1])
                    result = crimes_import(
                        source=source, dry_run=dry_run, skip_errors=skip_errors, rows=rows
                    )
                except PoliceFileError as error:
                    raise CommandError(f"{error} Nothing was stored from this file.") from None
                self._write_result(result, verbosity=options["verbosity"])
                results.append(result)
        if len(results) > 1:
            self._write_totals(results)
        if dry_run:
            self.stdout.write("Dry run: nothing was stored.")
        else:
            refresh_query_statistics()
        refused = [r.run.file_name for r in results if r.refused]
        if refused:
            raise CommandError(
                "Rows with errors (listed above), so nothing was stored from: "
                f"{', '.join(refused)}. Fix them, or use --skip-errors to store the other rows."
            )

    def _read(self, source: Source) -> FileRows:
        # tqdm redraws its line with carriage returns, which Django's OutputWrapper would break
        # by adding newlines, so it writes to the wrapped stream itself.
        stream = getattr(self.stderr, "_out", self.stderr)
        with tqdm(file=stream, unit="row", desc=Path(source.name).name, mininterval=0.5) as bar:
            return crimes_read(source=source, progress=bar.update)

    def _write_result(self, result: ImportResult, *, verbosity: int) -> None:
        run = result.run
        self.stdout.write(f"{run.file_name}:")
        self._write_counts(
            {name: getattr(run, name) for name in TOTALS}, run.skipped_by_reason, dry=result.dry_run
        )
        for row in result.skipped if verbosity >= 1 else []:
            self.stdout.write(f"    line {row.line}: {row.message}")
        if len(result.skipped) < run.rows_skipped:
            self.stdout.write(f"    ... and {run.rows_skipped - len(result.skipped)} more.")

    def _write_totals(self, results: list[ImportResult]) -> None:
        totals = {name: sum(getattr(r.run, name) for r in results) for name in TOTALS}
        reasons: dict[str, int] = {}
        for result in results:
            for reason, count in result.run.skipped_by_reason.items():
                reasons[reason] = reasons.get(reason, 0) + count
        self.stdout.write(f"Total, {len(results)} files:")
        self._write_counts(totals, reasons, dry=results[0].dry_run)

    def _write_counts(self, counts: dict[str, int], reasons: dict[str, int], *, dry: bool):
        stored = "would be stored" if dry else "stored"
        self.stdout.write(
            f"  {counts['rows_read']} rows read, {counts['rows_stored']} {stored}, "
            f"{counts['rows_present']} already present, "
            f"{counts['rows_without_location']} without location (kept off maps), "
            f"{counts['rows_skipped']} skipped."
        )
        for reason, count in sorted(reasons.items()):
            self.stdout.write(f"  skipped, {REASONS.get(reason, reason)}: {count}")
