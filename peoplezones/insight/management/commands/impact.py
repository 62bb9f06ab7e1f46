import json
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from peoplezones.insight.impact import STEPS, ImpactError, ImpactParams, impact_analyse
from peoplezones.insight.importers.police import parse_month


def month(value: str):
    parsed = parse_month(value)
    if parsed is None:
        raise ValueError(value)
    return parsed


month.__name__ = "month (YYYY-MM)"


class Command(BaseCommand):
    help = (
        "How crime in a zone changed after a start month, against matched comparison LSOAs: "
        "monthly counts before and after, and a difference-in-differences rate ratio from a "
        "Poisson model with LSOA and month effects, with its 95% confidence interval and a "
        "plain reading; see docs/insight.md. Reads only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--zone", required=True, help="The zone's slug, e.g. new-parks.")
        parser.add_argument(
            "--start",
            required=True,
            type=month,
            help="The first month of the work, YYYY-MM; it and later months are 'after'.",
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
            "--json", action="store_true", help="Write the result as JSON to standard output."
        )

    def handle(self, *args, **options) -> None:
        params = ImpactParams(
            zone=options["zone"], start=options["start"], crime_types=tuple(options["types"])
        )
        stream = getattr(self.stderr, "_out", self.stderr)
        bar = tqdm(total=len(STEPS), file=stream, unit="step", desc="impact", leave=False)
        done: list[str] = []

        def progress(name: str) -> None:
            if done:
                bar.update(1)
            done.append(name)
            bar.set_postfix_str(name)

        try:
            result = impact_analyse(params, progress=progress)
        except ImpactError as error:
            raise CommandError(str(error)) from None
        finally:
            bar.update(bar.total - bar.n)
            bar.close()
        if options["json"]:
            out = getattr(self.stdout, "_out", sys.stdout)
            json.dump(result.as_dict(), out, indent=2, ensure_ascii=False)
            out.write("\n")
            return
        self._report(result)

    def _report(self, result) -> None:
        write = self.stdout.write
        est = result.estimate
        types = ", ".join(result.crime_types) or "all crime and anti-social behaviour"
        write(f"{result.zone.name}, work from {result.start:%Y-%m}: {types}")
        write(
            f"{len(result.zone_codes)} zone LSOAs, {len(result.comparison_codes)} comparison "
            f"LSOAs ({result.areas.lad_type_label}, IMD deciles "
            f"{', '.join(str(d) for d in result.areas.deciles)})"
        )
        write("")
        write(f"{'month':<8} {'period':<7} {'zone':>7} {'comparison':>11} {'per LSOA':>9}")
        for row in result.months:
            if not row.has_data:
                write(f"{row.month:%Y-%m}  no data imported")
                continue
            period = "after" if row.after else "before"
            write(
                f"{row.month:%Y-%m}  {period:<7} {row.zone:>7} {row.comparison:>11} "
                f"{row.comparison_per_area:>9.2f}"
            )
        write("")
        for label, period in (("before", result.before), ("after", result.after)):
            write(
                f"{label}: {period.months} months, zone {period.zone} "
                f"({period.zone_per_month:.1f} a month), comparison {period.comparison} "
                f"({period.comparison_per_month:.1f} a month)"
            )
        method = (
            "Poisson GLM, LSOA and month fixed effects, cluster-robust by LSOA"
            if est.method == "poisson_cluster"
            else "Poisson GLM, LSOA and month fixed effects"
        )
        write(
            f"rate ratio {est.rate_ratio:.3f}, 95% CI {est.ci_low:.3f} to {est.ci_high:.3f}, "
            f"p = {est.p_value:.3g} ({method}; dispersion {est.dispersion:.2f})"
        )
        if result.trend is not None:
            trend = result.trend
            write(
                f"trend before the start (zone vs comparison, a year): {trend.ratio_per_year:.2f} "
                f"(95% CI {trend.ci_low:.2f} to {trend.ci_high:.2f})"
            )
        write("")
        for paragraph in result.reading:
            write(paragraph)
        for warning in result.warnings:
            write(f"Warning: {warning}")
        write("")
        write("What this cannot show:")
        for caveat in result.caveats:
            write(f"- {caveat}")
