"""Demo budget: the years 2022/23 and 2023/24 and the 2023/24 lines agreed in the update report
to the Police and Crime Panel of 26 July 2023 (see peoplezones/grants/demo_data/README.md).

The lines are read from the report's table (`budget_2023_24.csv`) through the same importer as
`manage.py import_budget`. The report gives no lines for 2022/23, so that year has none.
Running it twice changes nothing.
"""

from pathlib import Path
from typing import TextIO

from peoplezones.accounts.models import User
from peoplezones.finance.importers import budget_import
from peoplezones.finance.models import BudgetYear
from peoplezones.finance.services import get_or_create_year

ORDER = 55
DESCRIPTION = "Demo budget: 2022/23 and the 2023/24 lines from the panel report"
# The data files are kept with the grants demo, which uses the rest of the report's tables.
BUDGET_FILE = Path(__file__).resolve().parent.parent / "grants" / "demo_data" / "budget_2023_24.csv"
# Created by the accounts demo (ORDER 20).
ACTOR_EMAIL = "finance@example.org"


def load(*, out: TextIO) -> None:
    actor = User.objects.filter(email=ACTOR_EMAIL).first()
    if not BudgetYear.objects.filter(start_year=2022).exists():
        get_or_create_year(start_year=2022, actor=actor)
    report = budget_import(content=BUDGET_FILE.read_bytes(), actor=actor)
    if report.errors:
        problems = "; ".join(f"line {e.line}: {e.message}" for e in report.errors)
        raise RuntimeError(f"{BUDGET_FILE.name} could not be loaded: {problems}")
    out.write(
        f"  budget 2023/24: {report.created} lines created, {report.unchanged} already there; "
        "2022/23 has no lines in the report\n"
    )
