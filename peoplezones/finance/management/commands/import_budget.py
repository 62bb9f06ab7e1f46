from peoplezones.finance.importers import budget_import
from peoplezones.finance.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Set budget lines from a CSV file with the columns year, line, description, amount "
        '(e.g. 2023/24,Evaluation,...,"£25,000.00"); see docs/grants.md. Every row is checked '
        "first and every bad row reported with its line number; if any row is bad nothing is "
        "written. Missing years and lines are created and changed amounts updated (each change "
        "is audited); importing the same file twice changes nothing."
    )
    noun = ("budget line", "budget lines")

    def run_import(self, *, content, dry_run, options):
        return budget_import(content=content, dry_run=dry_run, progress=self.progress)
