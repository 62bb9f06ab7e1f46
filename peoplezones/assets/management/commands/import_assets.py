from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from peoplezones.assets.importers import (
    ImportFileError,
    ImportReport,
    assets_import,
    parse_import_file,
    unit_label,
)
from peoplezones.assets.models import Asset
from peoplezones.assets.permissions import can_import_assets
from peoplezones.core.signals import refresh_query_statistics


class Command(BaseCommand):
    help = (
        "Import assets from a CSV file, a GeoJSON FeatureCollection of Points or an Open Referral "
        "UK JSON file (see docs/importing-assets.md). Every row is checked first; if any row is "
        "bad nothing is imported unless --skip-errors is given. Rows with the same name within "
        "100 m of an existing asset or an earlier row are reported and skipped, so running a "
        "file twice creates nothing new. Assets land as pending unless --publish --as EMAIL."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The .csv, .geojson or .json file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but import nothing."
        )
        parser.add_argument(
            "--skip-errors",
            action="store_true",
            help="Import the good rows even though some rows are bad (they are still reported).",
        )
        parser.add_argument(
            "--source",
            default=Asset.Source.IMPORTED,
            choices=Asset.Source.values,
            help="Where the assets came from (default: imported).",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the assets at once instead of leaving them for moderation; needs --as.",
        )
        parser.add_argument(
            "--as",
            dest="as_email",
            metavar="EMAIL",
            default="",
            help="The email of the moderator or programme team member the import is done for.",
        )

    def handle(self, *args, file: Path, as_email: str, publish: bool, **options) -> None:
        actor = self._actor(as_email)
        if publish and actor is None:
            raise CommandError(
                "--publish needs --as EMAIL naming a moderator or programme team member: the "
                "audit log records who published the assets."
            )
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot read the file ({error.strerror}).") from None
        try:
            parsed = parse_import_file(content=content, filename=file.name)
        except ImportFileError as error:
            raise CommandError(f"{file}: {error}") from None
        status = Asset.Status.PUBLISHED if publish else Asset.Status.PENDING
        report = assets_import(
            parsed=parsed,
            actor=actor,
            status=status,
            source=options["source"],
            skip_errors=options["skip_errors"],
            dry_run=options["dry_run"],
            progress=self._progress,
        )
        self._write_report(file, report, status=status, verbosity=options["verbosity"])
        if not options["dry_run"]:
            refresh_query_statistics()
        if report.errors and not options["skip_errors"]:
            raise CommandError(
                f"{len(report.errors)} of {report.total} rows have errors, so nothing was "
                "imported. Fix them, or use --skip-errors to import the other rows."
            )

    def _actor(self, email: str):
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"There is no user with the email {email}.")
        if not can_import_assets(user):
            raise CommandError(f"{email} is not a moderator or programme team member.")
        return user

    def _progress(self, rows):
        # tqdm redraws its line with carriage returns, which Django's OutputWrapper would break
        # by adding newlines, so it writes to the wrapped stream itself.
        stream = getattr(self.stderr, "_out", self.stderr)
        return tqdm(rows, file=stream, unit="row", desc="Checking", mininterval=0.5)

    def _write_report(self, file: Path, report: ImportReport, *, status: str, verbosity: int):
        unit = unit_label(report.unit)
        self.stdout.write(f"Read {report.total} rows from {file} ({report.kind}).")
        sections = (
            ("Rows with errors", report.errors),
            ("Likely duplicates, not created", report.duplicates),
        )
        for title, results in sections:
            if results:
                self.stdout.write(f"{title} ({len(results)}):")
            for result in results:
                for message in result.messages:
                    self.stdout.write(f"  {unit} {result.number} ({result.name or '-'}): {message}")
        if verbosity >= 2:
            for result in report.created:
                self.stdout.write(
                    f"  {unit} {result.number}: {result.name} ({result.zone or 'no zone'})"
                )
        label = Asset.Status(status).label.lower()
        if report.committed:
            self.stdout.write(
                self.style.SUCCESS(f"Created {len(report.created)} assets ({label}).")
            )
        else:
            self.stdout.write(
                f"Nothing was imported. {len(report.created)} assets would be created ({label})."
            )
