"""Demo place insight: IMD 2019 and boundaries for Leicester, Leicestershire and Rutland, and
24 months of real police.uk street-level crime in the three zones' LSOAs and in a sample of
their comparison LSOAs (demo_data/README.md says which)."""

from pathlib import Path
from typing import TextIO

from peoplezones.insight.importers import Source
from peoplezones.insight.services import areas_import, crimes_import, imd_import

ORDER = 60
DESCRIPTION = (
    "Place insight: IMD 2019 and district and zone LSOA boundaries for LLR; police.uk "
    "street-level crime in the zones and comparison areas (2019-12 to 2021-11)"
)
DATA = Path(__file__).parent / "demo_data"
FILE = DATA / "zones-street.csv.gz"
COMPARISON_FILE = DATA / "comparison-street.csv.gz"
IMD_FILE = DATA / "llr-imd2019.csv.gz"
AREA_FILES = (DATA / "llr-districts.geojson.gz", DATA / "zone-lsoas.geojson")


def load(*, out: TextIO) -> None:
    """Import the demo files through the same services as real imports; never twice."""
    imports = [(IMD_FILE, imd_import), *((path, areas_import) for path in AREA_FILES)]
    for path, service in imports:
        area_run = service(path=path, is_demo=True).run
        out.write(
            f"  {path.name}: {area_run.rows_stored} areas stored, {area_run.rows_updated} "
            f"updated, {area_run.rows_present} unchanged\n"
        )
    for path in (FILE, COMPARISON_FILE):
        run = crimes_import(source=Source(path=path), is_demo=True).run
        out.write(
            f"  {path.name}: {run.rows_stored} crimes stored, {run.rows_present} already "
            f"present, {run.rows_skipped} skipped\n"
        )
