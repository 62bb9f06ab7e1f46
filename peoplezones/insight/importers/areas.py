"""Reading GeoJSON boundaries of LSOAs, wards and local authority districts (ONS codes).

Each feature must carry its ONS code in a property named as ONS or the shared data names it
(`LSOA11CD`, `lsoa_code`, `WD19CD`, `LAD19CD`, `lad_code`, or plain `code`); the kind of area
follows from the code (E01 LSOA, E05 ward, E06-E09 district; W for Wales). A feature of an LSOA
or ward may name its district too (`LAD19CD`, `lad_code`). Every geometry is checked with
`core.geo.validate_geometry` and the whole file is checked before anything is stored.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from peoplezones.core import geo

from .files import ImportFileError, Progress, RowError, check_path, open_text

SUFFIXES = (".geojson", ".json", ".geojson.gz", ".json.gz")
NAME_MAX = 160
CODE_RE = re.compile(r"^[EW][0-9]{8}$")
KIND_BY_PREFIX = {
    "E01": "lsoa",
    "W01": "lsoa",
    "E05": "ward",
    "W05": "ward",
    "E06": "lad",
    "E07": "lad",
    "E08": "lad",
    "E09": "lad",
    "W06": "lad",
}
KIND_LABELS = {"lsoa": "an LSOA", "ward": "a ward", "lad": "a local authority district"}
# Property names of each kind's code and name, tried in this order: an LSOA's or ward's own code
# comes before the code of the district it lies in.
CODE_KEYS = (
    ("lsoa", re.compile(r"^(lsoa\d{2}cd|lsoa_code)$")),
    ("ward", re.compile(r"^(wd\d{2}cd|ward_code)$")),
    ("lad", re.compile(r"^(lad\d{2}cd|lad_code)$")),
    ("", re.compile(r"^code$")),
)
NAME_KEYS = {
    "lsoa": re.compile(r"^(lsoa\d{2}nm|lsoa_name)$"),
    "ward": re.compile(r"^(wd\d{2}nm|ward_name)$"),
    "lad": re.compile(r"^(lad\d{2}nm|lad_name)$"),
    "": re.compile(r"^name$"),
}


@dataclass(frozen=True)
class AreaFeature:
    """One checked feature: its code, kind, name, district and normalised geometry."""

    number: int
    code: str
    kind: str
    name: str
    lad_code: str
    geometry: dict[str, Any]
    bbox: tuple[float, float, float, float]


@dataclass
class AreasFile:
    """Everything read from one GeoJSON file: the good features, and each bad one and why."""

    features: list[AreaFeature]
    errors: list[RowError]
    rows_read: int


def read_areas(*, path: Path, progress: Progress | None = None) -> AreasFile:
    """Read and check a whole GeoJSON FeatureCollection of areas (plain or .gz).

    Raises ImportFileError when the file cannot be used at all (missing, not JSON, not a
    FeatureCollection). Bad features are returned as errors numbered from 1.
    """
    check_path(path=path, suffixes=SUFFIXES, what=_("a GeoJSON file"))
    with open_text(path) as text:
        try:
            data = json.load(text)
        except json.JSONDecodeError as error:
            raise ImportFileError(
                _("%(file)s: is not JSON: %(error)s at line %(line)s, column %(column)s.")
                % {"file": path, "error": error.msg, "line": error.lineno, "column": error.colno}
            ) from None
        except UnicodeDecodeError:
            raise ImportFileError(
                _("%(file)s: is not a UTF-8 text file.") % {"file": path}
            ) from None
    features = _features(data, path=path)
    result = AreasFile(features=[], errors=[], rows_read=len(features))
    seen: dict[str, int] = {}
    numbered = enumerate(features, start=1)
    for number, feature in progress(numbered) if progress is not None else numbered:
        area = _parse_feature(feature, number=number, seen=seen)
        if isinstance(area, RowError):
            result.errors.append(area)
        else:
            result.features.append(area)
    return result


def _features(data: object, *, path: Path) -> list[Any]:
    if isinstance(data, dict) and data.get("type") == "Feature":
        return [data]
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFileError(
            _("%(file)s: is not a GeoJSON FeatureCollection of areas.") % {"file": path}
        )
    features = data.get("features")
    if not isinstance(features, list):
        raise ImportFileError(
            _("%(file)s: the FeatureCollection has no list of features.") % {"file": path}
        )
    if not features:
        raise ImportFileError(_("%(file)s: the FeatureCollection is empty.") % {"file": path})
    return features


def _find(properties: dict[str, Any], pattern: re.Pattern[str]) -> tuple[str, str] | None:
    """The first property whose (lower-cased) name matches, with its value as text."""
    for key, value in properties.items():
        if pattern.match(str(key).lower()) and value not in (None, ""):
            return str(key), str(value).strip()
    return None


def _parse_feature(feature: object, *, number: int, seen: dict[str, int]) -> AreaFeature | RowError:
    where = _("feature %(number)s") % {"number": number}
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return RowError(where, "not_a_feature", _("is not a GeoJSON Feature."))
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        properties = {}
    found = None
    for family, pattern in CODE_KEYS:
        match = _find(properties, pattern)
        if match is not None:
            found = (family, *match)
            break
    if found is None:
        return RowError(
            where,
            "no_code",
            _(
                "has no area code: give each feature a property such as LSOA11CD, lsoa_code, "
                "WD19CD, LAD19CD, lad_code or code."
            ),
        )
    family, key, code = found
    code = code.upper()
    where = _("feature %(number)s (%(code)s)") % {"number": number, "code": code}
    kind = KIND_BY_PREFIX.get(code[:3]) if CODE_RE.match(code) else None
    if kind is None:
        return RowError(
            where,
            "bad_code",
            _(
                "has the code “%(code)s” in %(key)s, which is not the ONS code of an English or "
                "Welsh LSOA (E01…), ward (E05…) or local authority district (E06…–E09…)."
            )
            % {"code": code, "key": key},
        )
    if family and family != kind:
        return RowError(
            where,
            "code_kind_differs",
            _("has %(key)s “%(code)s”, which is the code of %(kind)s, not of %(family)s.")
            % {"key": key, "code": code, "kind": KIND_LABELS[kind], "family": KIND_LABELS[family]},
        )
    if code in seen:
        return RowError(
            where,
            "repeated_code",
            _("repeats the code of feature %(other)s.") % {"other": seen[code]},
        )
    seen[code] = number
    name_match = _find(properties, NAME_KEYS[family]) or _find(properties, NAME_KEYS[""])
    name = name_match[1] if name_match else ""
    if len(name) > NAME_MAX:
        return RowError(
            where,
            "too_long",
            _("has a name longer than %(limit)s characters.") % {"limit": NAME_MAX},
        )
    lad_code = ""
    if kind != "lad":
        lad_match = _find(properties, CODE_KEYS[2][1])
        if lad_match is not None:
            lad_code = lad_match[1].upper()
            if KIND_BY_PREFIX.get(lad_code[:3]) != "lad" or not CODE_RE.match(lad_code):
                return RowError(
                    where,
                    "bad_lad_code",
                    _(
                        "has the district code “%(value)s” in %(key)s, which is not the code "
                        "of a local authority district (E06…–E09…, W06…)."
                    )
                    % {"value": lad_match[1], "key": lad_match[0]},
                )
    if feature.get("geometry") is None:
        return RowError(
            where, "no_geometry", _("has no geometry: it needs a Polygon or MultiPolygon.")
        )
    try:
        geometry = geo.validate_geometry(feature["geometry"])
        bbox = geo.geometry_bbox(geometry)
    except geo.GeoError as error:
        return RowError(where, "bad_geometry", " ".join(error.messages))
    return AreaFeature(
        number=number,
        code=code,
        kind=kind,
        name=name,
        lad_code=lad_code,
        geometry=geometry,
        bbox=bbox,
    )
