"""Reading the English Indices of Deprivation 2019, File 1 (IMD rank and decile of each LSOA).

The file (a CSV of MHCLG's spreadsheet) starts with a byte-order mark and writes ranks with a
thousands separator ("29,199"); both are read here. The whole file is read and checked before
anything is stored, so every bad row can be listed at once.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from peoplezones.core.csvread import csv_rows

from .files import ImportFileError, Progress, RowError, check_path, open_text

# What each value is, and the start of the column's name in MHCLG's files (File 7 adds
# "(where 1 is most deprived)" to some names, so a column matches when its name starts so).
COLUMNS = {
    "lsoa_code": "LSOA code (2011)",
    "lsoa_name": "LSOA name (2011)",
    "lad_code": "Local Authority District code (2019)",
    "lad_name": "Local Authority District name (2019)",
    "rank": "Index of Multiple Deprivation (IMD) Rank",
    "decile": "Index of Multiple Deprivation (IMD) Decile",
}
LSOA_CODE_RE = re.compile(r"^E01[0-9]{6}$")
LAD_CODE_RE = re.compile(r"^E0[6-9][0-9]{6}$")
# 29199, or 29,199 with commas between every three digits.
RANK_RE = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)$")
DECILE_RE = re.compile(r"^[0-9]{1,2}$")
NAME_MAX = 160
SUFFIXES = (".csv", ".csv.gz")


@dataclass(frozen=True)
class ImdRow:
    """One LSOA's deprivation, checked."""

    line: int
    lsoa_code: str
    lsoa_name: str
    lad_code: str
    lad_name: str
    rank: int
    decile: int


@dataclass
class ImdFile:
    """Everything read from one IMD file: the good rows, and each bad one with its line."""

    rows: list[ImdRow]
    errors: list[RowError]
    rows_read: int


def _normalise(name: str) -> str:
    return " ".join(name.split()).lower()


def _positions(header: list[str] | None, *, path: Path) -> dict[str, int]:
    if not header or not any(value.strip() for value in header):
        raise ImportFileError(_("%(file)s: is empty.") % {"file": path})
    names = [_normalise(value) for value in header]
    positions: dict[str, int] = {}
    for key, column in COLUMNS.items():
        wanted = _normalise(column)
        for index, name in enumerate(names):
            if name.startswith(wanted):
                positions[key] = index
                break
    missing = [column for key, column in COLUMNS.items() if key not in positions]
    if missing:
        raise ImportFileError(
            _(
                "%(file)s: is not an IMD 2019 file (File 1 of the English Indices of "
                "Deprivation): these columns are missing: %(missing)s."
            )
            % {"file": path, "missing": ", ".join(missing)}
        )
    return positions


def read_imd(*, path: Path, progress: Progress | None = None) -> ImdFile:
    """Read and check a whole IMD 2019 File 1 CSV (plain or .gz).

    Raises ImportFileError when the file cannot be used at all (missing, another format, not
    text, no IMD header). Rows with bad values are returned as errors with their line numbers.
    """
    check_path(path=path, suffixes=SUFFIXES, what=_("an IMD CSV file"))
    result = ImdFile(rows=[], errors=[], rows_read=0)
    line = 1

    def unreadable(message: str) -> ImportFileError:
        return ImportFileError(f"{path}: {message}")

    with open_text(path) as text:
        reader = csv.reader(text)
        try:
            positions = _positions(next(reader, None), path=path)
            found = csv_rows(reader, error=unreadable)
            rows = progress(found) if progress is not None else found
            seen_lsoas: dict[str, int] = {}
            lad_names: dict[str, tuple[str, int]] = {}
            for line, values in rows:
                result.rows_read += 1
                row = _parse_row(
                    values=values,
                    positions=positions,
                    line=line,
                    seen_lsoas=seen_lsoas,
                    lad_names=lad_names,
                )
                if isinstance(row, RowError):
                    result.errors.append(row)
                else:
                    result.rows.append(row)
        except UnicodeDecodeError:
            if line == 1:
                raise ImportFileError(
                    _("%(file)s: is not a UTF-8 text file.") % {"file": path}
                ) from None
            # Text is decoded a block at a time, so the bad bytes are somewhere after this line.
            raise ImportFileError(
                _("%(file)s: stops being UTF-8 text after line %(line)s.")
                % {"file": path, "line": line}
            ) from None
    if result.rows_read == 0:
        raise ImportFileError(_("%(file)s: has a header but no rows.") % {"file": path})
    return result


def _parse_row(
    *,
    values: list[str],
    positions: dict[str, int],
    line: int,
    seen_lsoas: dict[str, int],
    lad_names: dict[str, tuple[str, int]],
) -> ImdRow | RowError:
    where = _("line %(line)s") % {"line": line}
    if len(values) <= max(positions.values()):
        return RowError(
            where,
            "wrong_columns",
            _("has %(found)s values, fewer than the columns of the header.")
            % {"found": len(values)},
        )
    raw = {key: values[index].strip() for key, index in positions.items()}
    if not LSOA_CODE_RE.match(raw["lsoa_code"]):
        return RowError(
            where,
            "bad_lsoa_code",
            _("has the LSOA code “%(value)s”, which is not E01 and six digits.")
            % {"value": raw["lsoa_code"]},
        )
    if not LAD_CODE_RE.match(raw["lad_code"]):
        return RowError(
            where,
            "bad_lad_code",
            _(
                "has the local authority district code “%(value)s”, which is not E06, E07, "
                "E08 or E09 and six digits."
            )
            % {"value": raw["lad_code"]},
        )
    for key, label in (("lsoa_name", _("LSOA name")), ("lad_name", _("district name"))):
        if not raw[key]:
            return RowError(where, "no_name", _("has no %(what)s.") % {"what": label})
        if len(raw[key]) > NAME_MAX:
            return RowError(
                where,
                "too_long",
                _("has a %(what)s longer than %(limit)s characters.")
                % {"what": label, "limit": NAME_MAX},
            )
    if not RANK_RE.match(raw["rank"]) or int(raw["rank"].replace(",", "")) < 1:
        return RowError(
            where,
            "bad_rank",
            _(
                "has the IMD rank “%(value)s”, which is not a whole number from 1 (commas "
                "between thousands are fine)."
            )
            % {"value": raw["rank"]},
        )
    if not DECILE_RE.match(raw["decile"]) or not 1 <= int(raw["decile"]) <= 10:
        return RowError(
            where,
            "bad_decile",
            _("has the IMD decile “%(value)s”, which is not a whole number from 1 to 10.")
            % {"value": raw["decile"]},
        )
    code = raw["lsoa_code"]
    if code in seen_lsoas:
        return RowError(
            where,
            "repeated_code",
            _("repeats the LSOA code %(code)s of line %(line)s.")
            % {"code": code, "line": seen_lsoas[code]},
        )
    seen_lsoas[code] = line
    known = lad_names.setdefault(raw["lad_code"], (raw["lad_name"], line))
    if known[0] != raw["lad_name"]:
        return RowError(
            where,
            "lad_name_differs",
            _("names district %(code)s “%(name)s”, but line %(line)s names it “%(other)s”.")
            % {
                "code": raw["lad_code"],
                "name": raw["lad_name"],
                "line": known[1],
                "other": known[0],
            },
        )
    return ImdRow(
        line=line,
        lsoa_code=code,
        lsoa_name=raw["lsoa_name"],
        lad_code=raw["lad_code"],
        lad_name=raw["lad_name"],
        rank=int(raw["rank"].replace(",", "")),
        decile=int(raw["decile"]),
    )
