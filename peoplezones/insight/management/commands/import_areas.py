from typing import Any

from peoplezones.insight.management.area_import import AreaImportCommand
from peoplezones.insight.services.areas import AreaImportResult, areas_import


class Command(AreaImportCommand):
    help = (
        "Import LSOA, ward or local authority district boundaries from a GeoJSON "
        "FeatureCollection (.geojson, .json, or gzipped); see docs/insight.md. Each feature needs "
        "its ONS code (LSOA11CD, lsoa_code, WD19CD, LAD19CD, lad_code or code); the kind of area "
        "follows from the code. Every geometry is checked first and bad features are listed by "
        "number. Areas are merged by code, so importing again changes nothing."
    )
    unit = "feature"
    reasons = {
        "not_a_feature": "not a Feature",
        "no_code": "no area code",
        "bad_code": "not an ONS area code",
        "code_kind_differs": "code of another kind of area",
        "repeated_code": "code repeated",
        "too_long": "name too long",
        "bad_lad_code": "not a district code",
        "no_geometry": "no geometry",
        "bad_geometry": "unusable geometry",
    }

    def service(self, **kwargs: Any) -> AreaImportResult:
        return areas_import(**kwargs)
