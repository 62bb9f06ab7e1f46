from typing import Any

from peoplezones.insight.management.area_import import AreaImportCommand
from peoplezones.insight.services.areas import AreaImportResult, imd_import


class Command(AreaImportCommand):
    help = (
        "Import the English Indices of Deprivation 2019, File 1 (IMD rank and decile of every "
        "LSOA), as a CSV or .csv.gz; see docs/insight.md. Each LSOA is stored (or updated) as a "
        "reference area with its name, district, rank and decile; districts are stored by code "
        "and name. The whole file is checked first and bad rows are listed by line. Idempotent."
    )
    reasons = {
        "wrong_columns": "too few values",
        "bad_lsoa_code": "not an LSOA code",
        "bad_lad_code": "not a district code",
        "no_name": "no name",
        "too_long": "name too long",
        "bad_rank": "rank not a whole number",
        "bad_decile": "decile not 1 to 10",
        "repeated_code": "LSOA code repeated",
        "lad_name_differs": "district named differently",
    }

    def service(self, **kwargs: Any) -> AreaImportResult:
        return imd_import(**kwargs)
