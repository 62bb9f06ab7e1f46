from peoplezones.finance.importers import stated_figures_import
from peoplezones.finance.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Record totals as they were published, from a CSV file with the columns scope, key, "
        "amount, source. scope is round (key: the round's name), zone_year (key: "
        "'new-parks 2022/23'), budget_year (key: '2023/24') or budget_line (key: "
        "'2023/24 Evaluation'); a key that matches nothing recorded is an error. Every bad row "
        "is reported with its line number and nothing is written if any row is bad; importing "
        "the same file twice changes nothing. Then run `manage.py reconcile`."
    )
    noun = ("stated figure", "stated figures")

    def run_import(self, *, content, dry_run, options):
        return stated_figures_import(content=content, dry_run=dry_run, progress=self.progress)
