from django.core.management.base import CommandError

from peoplezones.finance.management.commands._importing import ImportCommand
from peoplezones.finance.selectors import parse_year_label
from peoplezones.grants.importers import awards_import
from peoplezones.grants.models import Fund


class Command(ImportCommand):
    help = (
        "Import historical grant awards from a CSV file with the columns zone (slug), round "
        "(name), organisation, project, brief, amount and optionally award_date (2023-03-02 or "
        "02/03/2023), opens and closes; amounts as published (£9,740.98. or £9,135 are read). "
        "Each becomes an approved, imported application with its award. Rounds must exist, "
        "unless --fund is given: then a missing round is created from its rows' opens and "
        "closes dates (09:00 to 17:00 London time). Every bad row is reported with its line "
        "number and nothing is written if any row is bad; importing the same file twice "
        "changes nothing. See docs/grants.md."
    )
    noun = ("award", "awards")

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--fund",
            default="",
            metavar="NAME",
            help="Create rounds the file names that are not recorded yet, in this fund.",
        )
        parser.add_argument(
            "--budget-year",
            default="",
            metavar="YEAR",
            help="The budget year of created rounds, e.g. 2022/23 (default: the financial "
            "year each round closes in).",
        )

    def run_import(self, *, content, dry_run, options):
        fund = None
        if options["fund"]:
            fund = Fund.objects.filter(name__iexact=options["fund"].strip()).first()
            if fund is None:
                names = ", ".join(Fund.objects.values_list("name", flat=True)) or "none"
                raise CommandError(f"There is no fund called {options['fund']!r} (funds: {names}).")
        budget_year = None
        if options["budget_year"]:
            if fund is None:
                raise CommandError("--budget-year is only used with --fund (for created rounds).")
            budget_year = parse_year_label(options["budget_year"])
            if budget_year is None:
                raise CommandError(
                    f"--budget-year {options['budget_year']!r} is not a budget year; "
                    "write it like 2022/23."
                )
        return awards_import(
            content=content,
            fund=fund,
            budget_year=budget_year,
            dry_run=dry_run,
            progress=self.progress,
        )
