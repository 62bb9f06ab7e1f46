import sys

from django.core.management.base import BaseCommand, CommandError

from peoplezones.insight import next_zone
from peoplezones.insight.impact import ImpactError
from peoplezones.insight.importers.police import parse_month
from peoplezones.insight.next_zone import (
    MEASURES,
    NextZoneError,
    NextZoneParams,
    next_zone_rank,
    write_groups_csv,
    write_lsoas_csv,
)


def month(value: str):
    parsed = parse_month(value)
    if parsed is None:
        raise ValueError(value)
    return parsed


month.__name__ = "month (YYYY-MM)"


class Command(BaseCommand):
    help = (
        "Score every LSOA of the force area on deprivation, crime and institutions and "
        "associations with the weights given, group neighbouring LSOAs the size of a zone, and "
        "say how the existing zones rank; or write the LSOAs or groups as CSV. See "
        "docs/insight.md, 'Choosing the next zone'. Reads only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--weights",
            nargs=3,
            type=float,
            metavar=("DEPRIVATION", "CRIME", "ASSETS"),
            default=[next_zone.DEFAULT_WEIGHTS[name] for name in MEASURES],
            help="Weights of deprivation, crime and institutions/associations (default 0.4 0.4 "
            "0.2); scaled to add up to 1.",
        )
        parser.add_argument("--from", dest="month_from", type=month, help="First month, YYYY-MM.")
        parser.add_argument("--to", dest="month_to", type=month, help="Last month, YYYY-MM.")
        parser.add_argument("--types", nargs="+", default=[], metavar="TYPE")
        parser.add_argument("--radius", type=int, default=next_zone.DEFAULT_RADIUS)
        parser.add_argument("--min-group", type=int, default=next_zone.DEFAULT_MIN_GROUP)
        parser.add_argument("--max-group", type=int, default=next_zone.DEFAULT_MAX_GROUP)
        parser.add_argument(
            "--include-zoned",
            action="store_true",
            help="Let groups include LSOAs already in a zone.",
        )
        parser.add_argument("--top", type=int, default=10, help="How many groups and LSOAs.")
        parser.add_argument(
            "--csv",
            choices=["lsoas", "groups"],
            help="Write every LSOA (best first) or every group as CSV to standard output.",
        )

    def handle(self, *args, **options) -> None:
        params = NextZoneParams(
            weights=dict(zip(MEASURES, options["weights"], strict=True)),
            month_from=options["month_from"],
            month_to=options["month_to"],
            crime_types=tuple(options["types"]),
            radius=options["radius"],
            min_group=options["min_group"],
            max_group=options["max_group"],
            include_zoned=options["include_zoned"],
        )
        try:
            result = next_zone_rank(params)
        except (NextZoneError, ImpactError) as error:
            raise CommandError(str(error)) from None
        if options["csv"]:
            out = getattr(self.stdout, "_out", sys.stdout)
            if options["csv"] == "groups":
                write_groups_csv(result.groups, out)
            else:
                write_lsoas_csv(result.lsoas, out)
            return
        write = self.stdout.write
        weights = ", ".join(f"{name} {result.weights[name]:.2f}" for name in MEASURES)
        write(
            f"{len(result.lsoas)} LSOAs, {len(result.groups)} groups; weights {weights}; crime "
            f"{result.month_from:%Y-%m} to {result.month_to:%Y-%m}"
            + (f" ({', '.join(result.crime_types)})" if result.crime_types else "")
        )
        for warning in result.warnings:
            write(f"Note: {warning}")
        write("")
        write("Existing zones:")
        for standing in result.zones:
            write(
                f"  {standing.zone.name}: mean score {standing.score:.3f}, would rank "
                f"{standing.group_rank} of {standing.groups} groups; its LSOAs rank "
                f"{', '.join(str(rank) for rank in standing.lsoa_ranks)} of {len(result.lsoas)}"
            )
        top = options["top"]
        write("")
        write(f"Top {min(top, len(result.groups))} groups:")
        for group in result.groups[:top]:
            names = ", ".join(member.name for member in group.members)
            write(f"  {group.rank:>3}. {group.score:.3f}  {group.lad_name}: {names}")
        write("")
        write(f"Top {min(top, len(result.lsoas))} LSOAs:")
        for item in result.lsoas[:top]:
            zone = f" [{item.zone.name}]" if item.zone else ""
            write(
                f"  {item.rank:>3}. {item.score:.3f}  {item.name} ({item.code}), IMD rank "
                f"{item.imd_rank}, {item.crimes} crimes, {item.assets} assets{zone}"
            )
