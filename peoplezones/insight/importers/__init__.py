"""Reading the files place insight imports: checking them and parsing rows, writing nothing.

- `police`: police.uk street-level crime CSVs (plain, gzipped or in a monthly .zip archive);
- `imd`: the English Indices of Deprivation 2019, File 1 (IMD rank and decile of each LSOA);
- `areas`: GeoJSON boundaries of LSOAs, wards and local authority districts.

`insight.services` stores what these yield.
"""

from .areas import AreaFeature, read_areas
from .files import ImportFileError, RowError
from .imd import ImdRow, read_imd
from .police import (
    CrimeRow,
    PoliceFileError,
    SkippedRow,
    Source,
    find_sources,
    parse_month,
    parse_rows,
    source_check,
)

__all__ = [
    "AreaFeature",
    "CrimeRow",
    "ImdRow",
    "ImportFileError",
    "PoliceFileError",
    "RowError",
    "SkippedRow",
    "Source",
    "find_sources",
    "parse_month",
    "parse_rows",
    "read_areas",
    "read_imd",
    "source_check",
]
