from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from peoplezones.payback.osm import OsmError
from peoplezones.payback.services.network import network_import


class Command(BaseCommand):
    help = (
        "Load the walking network for the payback planner from an OpenStreetMap XML extract "
        "(.osm, .osm.bz2 or .osm.gz; see docs/payback.md). Only walkable ways are kept. The "
        "whole file is checked first; a file that cannot be used stores nothing. The new "
        "network replaces the one before; loading the same file again changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, metavar="FILE")
        parser.add_argument("--name", default="", help="A name for the network (the file's).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and report, but store nothing."
        )

    def handle(self, *args, path: Path, name: str, dry_run: bool, **options) -> None:
        size = path.stat().st_size if path.is_file() else 0
        with tqdm(
            total=size * 2,  # the file is read twice: ways, then their nodes
            unit="B",
            unit_scale=True,
            desc=path.name,
            file=self.stderr,
            disable=options["verbosity"] == 0 or not size,
        ) as bar:
            try:
                result = network_import(path=path, name=name, dry_run=dry_run, progress=bar.update)
            except OsmError as error:
                raise CommandError(str(error)) from None
        stats = result.stats
        self.stdout.write(
            f"{path}:\n"
            f"  {stats['nodes_read']:,} nodes and {stats['ways_read']:,} ways read; "
            f"{stats['ways_walkable']:,} walkable ways kept.\n"
            f"  Network: {stats['nodes']:,} nodes, {stats['edges']:,} edges, "
            f"{stats['length_m'] / 1000:,.1f} km of walkable ways."
        )
        by_type = ", ".join(f"{key} {count:,}" for key, count in stats["ways_by_highway"].items())
        self.stdout.write(f"  Walkable ways by type: {by_type}.")
        if stats["ways_excluded"]:
            excluded = ", ".join(
                f"{key} {count:,}" for key, count in stats["ways_excluded"].items()
            )
            self.stdout.write(f"  Left out (no walking allowed): {excluded}.")
        if stats["missing_node_refs"]:
            self.stdout.write(
                f"  {stats['missing_node_refs']:,} nodes used by walkable ways are not in the "
                "file (ways cut at the extract's edge); those stretches are left out."
            )
        if result.unchanged:
            self.stdout.write(
                f"This file is already the walking network “{result.name}”: nothing changed."
            )
        elif result.dry_run:
            self.stdout.write("Dry run: nothing was stored.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Stored as the walking network “{result.name}”."))
