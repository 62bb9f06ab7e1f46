"""What the CSV import commands share: reading the file, the progress bar and the summary.

Not a command itself (Django skips modules whose names start with "_").
"""

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from peoplezones.finance.importers import ImportFileError, ImportReport

# Fewer rows than this are checked in a blink: no progress bar.
PROGRESS_FROM = 200


class ImportCommand(BaseCommand):
    """A command that imports one CSV file; subclasses call the importer in `run_import`."""

    # What one row is, for the summary: ("award", "awards").
    noun: tuple[str, str] = ("row", "rows")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8, with or without BOM).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every row and report what would change, but write nothing.",
        )

    def run_import(self, *, content: bytes, dry_run: bool, options: dict[str, Any]):
        raise NotImplementedError

    def handle(self, *args, file: Path, dry_run: bool, **options) -> None:
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot read the file ({error.strerror}).") from None
        try:
            report = self.run_import(content=content, dry_run=dry_run, options=options)
        except ImportFileError as error:
            raise CommandError(f"{file}: {error} Nothing was imported.") from None
        self.write_report(file, report)

    def progress(self, items: Sequence[Any], label: str) -> Iterable[Any]:
        if len(items) < PROGRESS_FROM:
            return items
        # tqdm redraws its line with carriage returns, which Django's OutputWrapper would break
        # by adding newlines, so it writes to the wrapped stream itself.
        stream = getattr(self.stderr, "_out", self.stderr)
        return tqdm(items, file=stream, unit="row", desc=label, mininterval=0.5)

    def write_report(self, file: Path, report: ImportReport) -> None:
        one, many = self.noun
        self.stdout.write(f"Read {report.rows} {one if report.rows == 1 else many} from {file}.")
        if report.errors:
            self.stdout.write(f"Errors ({len(report.errors)}):")
            for error in sorted(report.errors, key=lambda e: e.line):
                self.stdout.write(f"  line {error.line}: {error.message}")
            raise CommandError(
                f"{report.bad_lines} of {report.rows} rows have errors (listed above), so "
                "nothing was imported. Fix them and run the command again."
            )
        for note in report.notes:
            self.stdout.write(f"  {note}")
        would = "would be " if report.dry_run else ""
        self.stdout.write(
            f"{many.capitalize()}: {report.created} {would}created, {report.changed} "
            f"{would}changed, {report.unchanged} already as in the file."
        )
        if report.dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS("Done."))
