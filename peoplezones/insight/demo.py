"""Demo crime: 24 months of real police.uk street-level crime in the three zones' LSOAs."""

from pathlib import Path
from typing import TextIO

from peoplezones.insight.importers import Source
from peoplezones.insight.services import crimes_import

ORDER = 60
DESCRIPTION = "Police.uk street-level crime in the zones (2019-12 to 2021-11)"
DATA = Path(__file__).parent / "demo_data"
FILE = DATA / "zones-street.csv.gz"


def load(*, out: TextIO) -> None:
    """Import the demo crime file through the same service as real imports; never twice."""
    run = crimes_import(source=Source(path=FILE), is_demo=True).run
    out.write(
        f"  {run.rows_stored} crimes stored, {run.rows_present} already present, "
        f"{run.rows_skipped} skipped\n"
    )
