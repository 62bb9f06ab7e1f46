import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from peoplezones.core.geo import validate_geometry
from peoplezones.zones.models import Zone
from peoplezones.zones.services import zone_set_boundary


class Command(BaseCommand):
    help = (
        "Check a GeoJSON file (a Polygon or MultiPolygon, a Feature or a FeatureCollection, in "
        "longitude/latitude) and store it as the zone's boundary. Nothing is written if the "
        "file has errors."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The zone's slug, e.g. new-parks.")
        parser.add_argument("file", type=Path, help="The .geojson file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file but store nothing."
        )

    def handle(self, *args, slug: str, file: Path, dry_run: bool, **options) -> None:
        zone = Zone.objects.filter(slug=slug).first()
        if zone is None:
            known = ", ".join(Zone.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"There is no zone “{slug}”. Known zones: {known}.")
        try:
            data = json.loads(file.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file.") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{file} is not valid GeoJSON: {exc}") from None
        try:
            if dry_run:
                validate_geometry(data)
            else:
                zone_set_boundary(zone=zone, actor=None, geometry=data)
        except ValidationError as exc:
            raise CommandError(f"{file}: " + " ".join(exc.messages)) from None
        if dry_run:
            self.stdout.write(f"{file} is a valid boundary for {zone.name}; nothing stored.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Stored the boundary of {zone.name}."))
