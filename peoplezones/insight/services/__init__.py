"""Writes of place insight: every change to crime, reference areas, harm weights and hotspot runs.

- `crimes`: importing police.uk street-level crime;
- `areas`: importing IMD 2019 and LSOA, ward and district boundaries;
- `hotspots`: running and storing hotspot analyses;
- `weights`: the harm weights that harm-weighted analyses use.
"""

from .areas import AreaImportResult, areas_import, imd_import
from .crimes import ImportResult, crimes_import, crimes_read
from .hotspots import HotspotParams, HotspotResult, run_hotspots
from .weights import harm_weight_set, harm_weights_save

__all__ = [
    "AreaImportResult",
    "HotspotParams",
    "HotspotResult",
    "ImportResult",
    "areas_import",
    "crimes_import",
    "crimes_read",
    "harm_weight_set",
    "harm_weights_save",
    "imd_import",
    "run_hotspots",
]
