"""What `import_imd` and `import_areas` share: arguments, progress bar and summary."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from peoplezones.core.signals import refresh_query_statistics
from peoplezones.insight.importers.files import ImportFileError
from peoplezones.insight.services.areas import AreaImportResult

KIND_NAMES = {
    "lsoa": ("LSOA", "LSOAs"),
    "ward": ("ward", "wards"),
    "lad": ("district", "districts"),
}


class AreaImportCommand(BaseCommand):
    """A command importing one reference-area file through `service` (set by the subclass)."""

    unit = "row"
    reasons: dict[str, str] = {}

    def service(self, **kwargs: Any) -> AreaImportResult:
        raise NotImplementedError

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, metavar="FILE")
        parser.add_argument(
            "--dry-run", action="store_true", help="Read, check and report, but store nothing."
        )
        parser.add_argument(
            "--skip-errors",
            action="store_true",
            help="Store the good rows even when some have errors (they are listed).",
        )

    def handle(self, *args, path: Path, dry_run: bool, skip_errors: bool, **options) -> None:
        try:
            result = self.service(
                path=path, dry_run=dry_run, skip_errors=skip_errors, progress=self._progress(path)
            )
        except ImportFileError as error:
            raise CommandError(f"{error} Nothing was stored.") from None
        self._write_result(result)
        if dry_run:
            self.stdout.write("Dry run: nothing was stored.")
        elif result.run.rows_stored or result.run.rows_updated:
            refresh_query_statistics()
        if result.refused:
            raise CommandError(
                f"{result.run.rows_skipped} {self.unit}s with errors (listed above), so nothing "
                f"was stored from {path}. Fix them, or use --skip-errors to store the others."
            )

    def _progress(self, path: Path) -> Callable:
        # tqdm redraws its line with carriage returns, which Django's OutputWrapper would break
        # by adding newlines, so it writes to the wrapped stream itself.
        stream = getattr(self.stderr, "_out", self.stderr)

        def wrap(rows):
            return tqdm(rows, file=stream, unit=self.unit, desc=path.name, mininterval=0.5)

        return wrap

    def _write_result(self, result: AreaImportResult) -> None:
        run = result.run
        self.stdout.write(f"{run.file_name}:")
        unit = self.unit if run.rows_read == 1 else f"{self.unit}s"
        if result.refused:
            self.stdout.write(f"  {run.rows_read} {unit} read, {run.rows_skipped} with errors.")
        else:
            stored = "would be stored" if result.dry_run else "stored"
            updated = "would be updated" if result.dry_run else "updated"
            created = ", ".join(
                f"{count} {KIND_NAMES.get(kind, (kind, kind))[count != 1]}"
                for kind, count in sorted(result.created_by_kind.items())
            )
            self.stdout.write(
                f"  {run.rows_read} {unit} read; areas: {run.rows_stored} {stored}"
                + (f" ({created})" if created else "")
                + f", {run.rows_updated} {updated}, {run.rows_present} unchanged; "
                f"{run.rows_skipped} {self.unit}s skipped."
            )
        for reason, count in sorted(run.skipped_by_reason.items()):
            self.stdout.write(f"  with errors, {self.reasons.get(reason, reason)}: {count}")
        for error in result.errors:
            self.stdout.write(f"    {error}")
        if len(result.errors) < run.rows_skipped:
            self.stdout.write(f"    ... and {run.rows_skipped - len(result.errors)} more.")
