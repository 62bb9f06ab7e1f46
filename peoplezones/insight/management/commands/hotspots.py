import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from peoplezones.insight.hotspot_files import FORMATS, write_csv, write_geojson
from peoplezones.insight.hotspots import H3_RESOLUTIONS, HotspotError
from peoplezones.insight.importers.police import parse_month
from peoplezones.insight.models import HotspotRun
from peoplezones.insight.services.hotspots import (
    DEFAULT_BAND,
    DEFAULT_CELL,
    DEFAULT_H3_RESOLUTION,
    STEPS,
    HotspotParams,
    HotspotResult,
    run_hotspots,
)


def month(value: str):
    parsed = parse_month(value)
    if parsed is None:
        raise ValueError(value)
    return parsed


month.__name__ = "month (YYYY-MM)"


class Command(BaseCommand):
    help = (
        "Find crime hotspots (Getis-Ord Gi* on a British National Grid square grid or on H3 "
        "hexagons, with Benjamini-Hochberg FDR) in an area and months, and write every cell of "
        "the study area as GeoJSON or CSV; see docs/insight.md. The run is stored with its "
        "parameters so that it can be cited and reproduced."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--area",
            required=True,
            help="force, zone:<slug> (e.g. zone:new-parks) or lad:<code> (e.g. lad:E06000016).",
        )
        parser.add_argument(
            "--from", dest="month_from", required=True, type=month, help="First month, YYYY-MM."
        )
        parser.add_argument(
            "--to", dest="month_to", required=True, type=month, help="Last month, YYYY-MM."
        )
        parser.add_argument(
            "--types",
            nargs="+",
            default=[],
            metavar="TYPE",
            help="Only these police.uk crime types (names or slugs, e.g. burglary "
            '"Anti-social behaviour"). Default: every type.',
        )
        parser.add_argument(
            "--grid",
            choices=HotspotRun.GridKind.values,
            default=HotspotRun.GridKind.SQUARE,
            help="square (default): British National Grid squares of --cell metres; h3: H3 "
            "hexagons of --h3-resolution.",
        )
        parser.add_argument(
            "--cell", type=int, default=DEFAULT_CELL, help="Cell size in metres (default 150)."
        )
        parser.add_argument(
            "--h3-resolution",
            type=int,
            choices=list(H3_RESOLUTIONS),
            default=DEFAULT_H3_RESOLUTION,
            help=f"H3 resolution for --grid h3 (default {DEFAULT_H3_RESOLUTION}: centres about "
            "130 m apart).",
        )
        parser.add_argument(
            "--band",
            type=int,
            default=DEFAULT_BAND,
            help="Gi* distance band in metres between cell centres (default 450).",
        )
        parser.add_argument(
            "--buffer", type=int, default=0, help="Widen the area by this many metres."
        )
        parser.add_argument(
            "--bandwidth",
            type=int,
            default=None,
            help="Kernel density bandwidth in metres (default: the distance band).",
        )
        parser.add_argument(
            "--weights",
            choices=HotspotRun.Weighting.values,
            default=HotspotRun.Weighting.COUNT,
            help="count (default) or harm: weigh each crime by its type's harm weight.",
        )
        parser.add_argument(
            "--classify-by",
            choices=HotspotRun.ClassifyBy.values,
            default=HotspotRun.ClassifyBy.Q,
            help="Judge hot/cold classes by the FDR q-value (default) or the p-value.",
        )
        parser.add_argument("--format", choices=FORMATS, default="geojson")
        parser.add_argument(
            "--output", type=Path, default=None, help="File to write (default: standard output)."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Analyse and write the output, but do not store the run.",
        )

    def handle(self, *args, **options) -> None:
        params = HotspotParams(
            area=options["area"],
            month_from=options["month_from"],
            month_to=options["month_to"],
            crime_types=tuple(options["types"]),
            grid=options["grid"],
            cell_size=options["cell"],
            h3_resolution=options["h3_resolution"],
            band=options["band"],
            buffer=options["buffer"],
            bandwidth=options["bandwidth"],
            weighting=options["weights"],
            classify_by=options["classify_by"],
        )
        output: Path | None = options["output"]
        if output is not None and not output.parent.is_dir():
            raise CommandError(f"{output.parent}: there is no such folder to write to.")
        try:
            with self._progress() as bar:
                result = run_hotspots(params, store=not options["dry_run"], progress=bar)
        except HotspotError as error:
            raise CommandError(str(error)) from None
        write = write_geojson if options["format"] == "geojson" else write_csv
        if output is None:
            # The wrapped stream itself: OutputWrapper would add a newline to every write.
            write(result, getattr(self.stdout, "_out", sys.stdout))
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                write(result, handle)
        self._summary(result, to_stdout=output is None, dry_run=options["dry_run"])

    def _progress(self):
        """A context manager and step callback: the bar advances as each step finishes."""
        stream = getattr(self.stderr, "_out", self.stderr)
        bar = tqdm(total=len(STEPS), file=stream, unit="step", desc="hotspots", leave=False)

        class Steps:
            started = False

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                bar.update(bar.total - bar.n)
                bar.close()

            def __call__(self, name: str) -> None:
                if self.started:
                    bar.update(1)
                self.started = True
                bar.set_postfix_str(name)

        return Steps()

    def _summary(self, result: HotspotResult, *, to_stdout: bool, dry_run: bool) -> None:
        # When the data goes to standard output, the summary must not mix into it.
        write = self.stderr.write if to_stdout else self.stdout.write
        run = result.run
        for warning in result.warnings:
            write(f"Warning: {warning}")
        stored = "not stored (dry run)" if dry_run else f"stored as hotspot run {run.pk}"
        cells = (
            f"{run.cells} H3 hexagons of resolution {run.h3_resolution}"
            if run.is_hex
            else f"{run.cells} cells of {run.cell_size} m"
        )
        write(
            f"{run.area_label}, {run.month_from:%Y-%m} to {run.month_to:%Y-%m}: {cells}, "
            f"{run.crimes} crimes, band {run.band} m; "
            f"{run.hot_cells} hot and {run.cold_cells} cold cells at 90 % or more "
            f"(by {run.classify_by}); {stored}."
        )
