"""Reading police.uk street-level crime files: finding them, checking them and parsing rows.

Nothing here writes to the database; `insight.services.crimes_import` stores what this yields.
A file as police.uk publishes it is read whole with pandas and checked column by column
(`read_file`); a file with anything out of the ordinary is read row by row with the csv module
(`parse_rows`), which names every bad row by its line. An archive of every force's files is
read one member (one force's month) at a time.
"""

import csv
import datetime
import gzip
import hashlib
import io
import operator
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from peoplezones.core import geo

COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
)
# police.uk adds "Context" (always empty in these files); it is read if there, never required.
OPTIONAL_COLUMNS = ("Context",)
NO_LOCATION = "No location"
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
# Inside a monthly archive: 2021-06/2021-06-leicestershire-street.csv
ZIP_MEMBER_RE = re.compile(r"(?:^|/)(\d{4}-\d{2})-(?P<force>[a-z0-9-]+)-street\.csv$")
MAX_LENGTHS = {
    "Crime ID": 64,
    "Reported by": 120,
    "Falls within": 120,
    "Location": 255,
    "LSOA code": 16,
    "LSOA name": 120,
    "Crime type": 120,
    "Last outcome category": 255,
}


class PoliceFileError(Exception):
    """A file that cannot be imported at all; the message says what is wrong and where."""


@dataclass(frozen=True)
class Source:
    """One police.uk street CSV: a file on disk, inside a .gz, or a member of a .zip archive."""

    path: Path
    member: str = ""

    @property
    def name(self) -> str:
        return f"{self.path}:{self.member}" if self.member else str(self.path)

    def read_bytes(self) -> bytes:
        """The whole file's bytes, ungzipped or out of its archive."""
        try:
            if self.member:
                with zipfile.ZipFile(self.path) as archive:
                    return archive.read(self.member)
            if self.path.name.lower().endswith(".gz"):
                return gzip.decompress(self.path.read_bytes())
            return self.path.read_bytes()
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as error:
            raise PoliceFileError(
                _("%(file)s: cannot be read (%(error)s).") % {"file": self.name, "error": error}
            ) from None

    @contextmanager
    def open(self) -> Iterator[IO[str]]:
        """The file as text; utf-8-sig so that a byte-order mark does not stick to "Crime ID"."""
        try:
            if self.member:
                with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as raw:
                    yield io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            elif self.path.name.lower().endswith(".gz"):
                with gzip.open(self.path, "rt", encoding="utf-8-sig", newline="") as text:
                    yield text
            else:
                with self.path.open(encoding="utf-8-sig", newline="") as text:
                    yield text
        except (OSError, EOFError, zipfile.BadZipFile) as error:
            raise PoliceFileError(
                _("%(file)s: cannot be read (%(error)s).") % {"file": self.name, "error": error}
            ) from None
        except UnicodeDecodeError:
            raise PoliceFileError(
                _("%(file)s: is not a UTF-8 text file, so not a police.uk CSV.")
                % {"file": self.name}
            ) from None


def find_sources(*, path: Path, force: str = "") -> list[Source]:
    """The police.uk street files that `path` holds, checked to exist and be of a known kind.

    A .zip is a police.uk monthly archive: its `YYYY-MM-<force>-street.csv` members, only those
    of `force` when given. Raises PoliceFileError with a message for the person running it.
    """
    if not path.exists():
        raise PoliceFileError(_("%(file)s: there is no such file.") % {"file": path})
    if not path.is_file():
        raise PoliceFileError(_("%(file)s: is not a file.") % {"file": path})
    lower = path.name.lower()
    if lower.endswith(".zip"):
        return _zip_sources(path=path, force=force)
    if lower.endswith((".csv", ".csv.gz")):
        return [Source(path=path)]
    raise PoliceFileError(
        _(
            "%(file)s: is not a police.uk file this command reads. Give a street CSV (.csv), a "
            "gzipped one (.csv.gz) or a police.uk monthly archive (.zip)."
        )
        % {"file": path}
    )


def _zip_sources(*, path: Path, force: str) -> list[Source]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile) as error:
        raise PoliceFileError(
            _("%(file)s: is not a readable .zip archive (%(error)s).")
            % {"file": path, "error": error}
        ) from None
    members = []
    for name in sorted(names):
        match = ZIP_MEMBER_RE.search(name)
        if match and (not force or match["force"] == force):
            members.append(Source(path=path, member=name))
    if not members:
        if force:
            message = _(
                "%(file)s: holds no street files of the force “%(force)s” (named "
                "YYYY-MM-%(force)s-street.csv)."
            ) % {"file": path, "force": force}
        else:
            message = _(
                "%(file)s: holds no police.uk street files (named YYYY-MM-<force>-street.csv)."
            ) % {"file": path}
        raise PoliceFileError(message)
    return members


def source_check(*, source: Source) -> None:
    """Raise PoliceFileError unless the source opens and starts with police.uk's header.

    Run on every file before any is imported, so one bad file among many stores nothing.
    """
    with source.open() as text:
        next(parse_rows(text=text, source=source), None)


def check_header(*, header: list[str] | None, source: Source) -> dict[str, int]:
    """Where each police.uk column is; raises PoliceFileError listing the columns missing."""
    if not header:
        raise PoliceFileError(_("%(file)s: is empty.") % {"file": source.name})
    positions = {name.strip(): index for index, name in enumerate(header)}
    missing = [column for column in COLUMNS if column not in positions]
    if missing:
        raise PoliceFileError(
            _("%(file)s: is not a police.uk street CSV: these columns are missing: %(missing)s.")
            % {"file": source.name, "missing": ", ".join(missing)}
        )
    return {
        column: positions[column] for column in COLUMNS + OPTIONAL_COLUMNS if column in positions
    }


class CrimeRow(NamedTuple):
    """A row that passed every check, ready to be stored (see `insight.crime_store`).

    A plain tuple underneath, so that a file's rows go to the database without being copied
    into model instances or dicts (see `insight.services.crimes`).
    """

    identity: str
    month: datetime.date
    crime_id: str
    reported_by: str
    falls_within: str
    latitude: float | None
    longitude: float | None
    location: str
    lsoa_code: str
    lsoa_name: str
    crime_type: str
    last_outcome: str

    @property
    def has_location(self) -> bool:
        return self.latitude is not None


@dataclass
class SkippedRow:
    """A row with broken values: its line number, a reason code to count by, and a message."""

    line: int
    reason: str
    message: str


def parse_month(value: str) -> datetime.date | None:
    """`YYYY-MM` as the first day of that month, or None if it is not one."""
    match = MONTH_RE.match(value.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return datetime.date(int(match[1]), int(match[2]), 1)


def asb_content_key(values: Iterable[str]) -> str:
    """A hash of a row's content; identical rows (same month, force, place, type) share it."""
    return _content_digest([value.strip() for value in values])


def _content_digest(stripped: Iterable[str]) -> str:
    return hashlib.sha256("\x1f".join(stripped).encode()).hexdigest()


def asb_identity(*, content_key: str, repeat: int) -> str:
    """The identity of the `repeat`-th (1-based) identical anti-social behaviour row in a file.

    A monthly file holds all of a force's reports for the month, so counting repeats within the
    file counts them within that month and force: importing it again gives the same identities.
    """
    digest = hashlib.sha256(f"{content_key}#{repeat}".encode()).hexdigest()
    return f"asb-{digest}"


def parse_rows(
    *, text: IO[str], source: Source, today: datetime.date | None = None
) -> Iterator[CrimeRow | SkippedRow]:
    """Every data row of one file, each either parsed or skipped with its line number and why.

    Line numbers count the header as line 1, as a spreadsheet shows them. Raises PoliceFileError
    if the header is not police.uk's or the file stops being readable text part-way.
    """
    reader = csv.reader(text)
    try:
        positions = check_header(header=next(reader, None), source=source)
    except UnicodeDecodeError:
        raise PoliceFileError(
            _("%(file)s: is not a UTF-8 text file, so not a police.uk CSV.") % {"file": source.name}
        ) from None
    except csv.Error:
        raise PoliceFileError(
            _("%(file)s: is not a police.uk street CSV.") % {"file": source.name}
        ) from None
    this_month = (today or timezone.localdate()).replace(day=1)
    width = len(positions)
    needed = max(positions.values()) + 1
    # This loop runs for every row of every file (~200,000 for two years of one force), so it
    # works on plain tuples with C-level helpers, and remembers the answer for each distinct
    # month and point: police.uk snaps crimes to a limited set of shared points.
    columns = operator.itemgetter(*(positions[column] for column in COLUMNS))
    content = operator.itemgetter(*positions.values())
    max_crime_id = MAX_LENGTHS["Crime ID"]
    max_reported_by = MAX_LENGTHS["Reported by"]
    max_falls_within = MAX_LENGTHS["Falls within"]
    max_location = MAX_LENGTHS["Location"]
    max_lsoa_code = MAX_LENGTHS["LSOA code"]
    max_lsoa_name = MAX_LENGTHS["LSOA name"]
    max_crime_type = MAX_LENGTHS["Crime type"]
    max_last_outcome = MAX_LENGTHS["Last outcome category"]
    months: dict[str, datetime.date | SkippedRow] = {}
    points: dict[tuple[str, str], tuple[float | None, float | None] | SkippedRow] = {}
    seen_ids: set[str] = set()
    repeats: dict[str, int] = {}
    new_row = tuple.__new__
    line = 1
    try:
        for raw in reader:
            line = reader.line_num
            if len(raw) < needed:
                if any(value.strip() for value in raw):
                    yield SkippedRow(
                        line,
                        "wrong_columns",
                        _("has %(found)s values where the header has %(expected)s columns.")
                        % {"found": len(raw), "expected": width},
                    )
                continue
            values = [*map(str.strip, raw)]
            fields = columns(values)
            (
                crime_id,
                month_text,
                reported_by,
                falls_within,
                lon_text,
                lat_text,
                location,
                lsoa_code,
                lsoa_name,
                crime_type,
                last_outcome,
            ) = fields
            month = months.get(month_text)
            if month is None:
                month = months[month_text] = _check_month(month_text, this_month=this_month)
            if type(month) is SkippedRow:
                # A blank row fails here first (it has no month), and is no error.
                if any(values):
                    yield SkippedRow(line, month.reason, month.message)
                continue
            if not crime_type:
                yield SkippedRow(line, "no_crime_type", _("has no crime type."))
                continue
            if (
                len(crime_id) > max_crime_id
                or len(reported_by) > max_reported_by
                or len(falls_within) > max_falls_within
                or len(location) > max_location
                or len(lsoa_code) > max_lsoa_code
                or len(lsoa_name) > max_lsoa_name
                or len(crime_type) > max_crime_type
                or len(last_outcome) > max_last_outcome
            ):
                yield _too_long(line=line, fields=fields)
                continue
            point = points.get((lat_text, lon_text))
            if point is None:
                point = points[lat_text, lon_text] = _check_point(lat=lat_text, lon=lon_text)
            if type(point) is SkippedRow:
                yield SkippedRow(line, point.reason, point.message)
                continue
            if crime_id:
                if crime_id in seen_ids:
                    yield SkippedRow(
                        line,
                        "repeated_crime_id",
                        _("repeats the Crime ID of an earlier row of this file."),
                    )
                    continue
                seen_ids.add(crime_id)
                identity = crime_id
            else:
                # The values are stripped already: this is asb_content_key without stripping.
                key = _content_digest(content(values))
                repeat = repeats[key] = repeats.get(key, 0) + 1
                identity = asb_identity(content_key=key, repeat=repeat)
            yield new_row(
                CrimeRow,
                (
                    identity,
                    month,
                    crime_id,
                    reported_by,
                    falls_within,
                    point[0],
                    point[1],
                    "" if location == NO_LOCATION else location,
                    lsoa_code,
                    lsoa_name,
                    crime_type,
                    last_outcome,
                ),
            )
    except UnicodeDecodeError:
        # Text is decoded a block at a time, so the bad bytes are somewhere after this line.
        raise PoliceFileError(
            _("%(file)s: stops being UTF-8 text after line %(line)s, so it is not a police.uk CSV.")
            % {"file": source.name, "line": line}
        ) from None
    except csv.Error as error:
        raise PoliceFileError(
            _("%(file)s: line %(line)s cannot be read as CSV (%(error)s).")
            % {"file": source.name, "line": line + 1, "error": error}
        ) from None


def _check_month(text: str, *, this_month: datetime.date) -> datetime.date | SkippedRow:
    """The month of a row, or why it cannot be used (a SkippedRow without its line)."""
    month = parse_month(text)
    if month is None:
        return SkippedRow(
            0, "bad_month", _("has the month “%(value)s”, which is not YYYY-MM.") % {"value": text}
        )
    if month > this_month:
        return SkippedRow(
            0,
            "future_month",
            _("has the month %(value)s, which is in the future.") % {"value": text},
        )
    return month


def _too_long(*, line: int, fields: tuple[str, ...]) -> SkippedRow:
    values = dict(zip(COLUMNS, fields, strict=True))
    column, limit = next((c, n) for c, n in MAX_LENGTHS.items() if len(values[c]) > n)
    return SkippedRow(
        line,
        "too_long",
        _("has a %(column)s longer than %(limit)s characters.")
        % {"column": column, "limit": limit},
    )


def _check_point(*, lat: str, lon: str) -> tuple[float | None, float | None] | SkippedRow:
    """A row's point as floats, (None, None) for "no location", or why it cannot be used."""
    if not lat and not lon:
        return None, None
    if not lat or not lon:
        return SkippedRow(0, "half_point", _("has a latitude or a longitude but not both."))
    try:
        return geo.validate_point(lat=lat, lon=lon)
    except ValidationError as error:
        return SkippedRow(0, "bad_point", " ".join(error.messages))


# Reading a whole file at once

# The CrimeRow fields stored as text, and the police.uk column each comes from.
TEXT_SOURCES = {
    "crime_id": "Crime ID",
    "reported_by": "Reported by",
    "falls_within": "Falls within",
    "location": "Location",
    "lsoa_code": "LSOA code",
    "lsoa_name": "LSOA name",
    "crime_type": "Crime type",
    "last_outcome": "Last outcome category",
}
# Bytes police.uk's files never hold: ASCII characters `str.strip` removes (besides the space
# and the line ends), and the crime store's separator. A file with any is read row by row.
_RARE_BYTES = (b"\t", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f", b"\x00")


@dataclass
class FileColumns:
    """A file's rows as columns (CrimeRow's fields), and, when the reader has them to hand,
    the text columns' values already joined by "\x1f", UTF-8 (see `insight.crime_store`)."""

    columns: dict[str, np.ndarray]
    joined: dict[str, bytes] = field(default_factory=dict)


@dataclass
class FileRows:
    """A whole file's good rows, column by column, with the rows skipped and why.

    `columns` holds CrimeRow's fields (the same names) as arrays of equal length: `month` as
    `datetime.date` objects, `latitude` and `longitude` as floats (NaN for no location), the
    rest as text. `joined` may hold some text columns' values joined by "\x1f".
    """

    columns: dict[str, np.ndarray]
    skipped: list[SkippedRow]
    reasons: dict[str, int]
    joined: dict[str, bytes] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.columns["identity"])


def read_file(
    *,
    source: Source,
    today: datetime.date | None = None,
    progress: Callable[[int], None] | None = None,
    keep_skipped: int = 200,
) -> FileRows:
    """Every row of one file, read and checked before anything is stored.

    A file as police.uk publishes it (nothing to skip, nothing to strip) is read whole with
    pandas and checked column by column; any file with anything out of the ordinary is read
    again row by row by `parse_rows`, which names each bad row by its line. Both give the same
    rows. `progress` is called with the number of rows read (several times for a long file).
    Raises PoliceFileError as `parse_rows` does.
    """
    this_month = (today or timezone.localdate()).replace(day=1)
    whole = _read_whole(source=source, this_month=this_month)
    if whole is not None:
        if progress is not None:
            progress(len(whole.columns["identity"]))
        return FileRows(columns=whole.columns, skipped=[], reasons={}, joined=whole.joined)
    return _read_by_row(source=source, today=today, progress=progress, keep_skipped=keep_skipped)


def _read_by_row(
    *,
    source: Source,
    today: datetime.date | None,
    progress: Callable[[int], None] | None,
    keep_skipped: int,
) -> FileRows:
    good: list[CrimeRow] = []
    keep = good.append
    skipped: list[SkippedRow] = []
    reasons: dict[str, int] = {}
    read = 0
    with source.open() as text:
        for row in parse_rows(text=text, source=source, today=today):
            read += 1
            if progress is not None and not read % 10_000:
                progress(10_000)
            if type(row) is SkippedRow:
                reasons[row.reason] = reasons.get(row.reason, 0) + 1
                if len(skipped) < keep_skipped:
                    skipped.append(row)
            else:
                keep(row)
    if progress is not None and read % 10_000:
        progress(read % 10_000)
    columns: dict[str, np.ndarray] = {}
    for index, name in enumerate(CrimeRow._fields):
        values = [row[index] for row in good]
        if name in ("latitude", "longitude"):
            columns[name] = np.array([np.nan if v is None else v for v in values], dtype=float)
        else:
            columns[name] = np.array(values, dtype=object)
    return FileRows(columns=columns, skipped=skipped, reasons=reasons)


def _read_whole(*, source: Source, this_month: datetime.date) -> FileColumns | None:
    """The file's rows as columns when the file is plainly good throughout, else None.

    None sends the file to the row-by-row reader, which finds what is wrong (or, for oddities
    that are not errors, such as blank rows or spaces round values, reads it all the same).
    """
    try:
        raw = source.read_bytes()
        if any(byte in raw for byte in _RARE_BYTES):
            return None
        frame = pd.read_csv(
            io.BytesIO(raw),
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig",
            skip_blank_lines=False,
        )
    except (PoliceFileError, ValueError, UnicodeDecodeError, pd.errors.ParserError, OSError):
        return None
    except (EOFError, zipfile.BadZipFile):
        return None
    names = [str(name) for name in frame.columns]
    if len(set(names)) != len(names) or any(column not in names for column in COLUMNS):
        return None
    wanted = [column for column in COLUMNS + OPTIONAL_COLUMNS if column in names]
    rows = len(frame)
    text = {column: frame[column].to_numpy(dtype=object) for column in wanted}
    joined = {column: "\x1f".join(values).encode() for column, values in text.items()}
    if not _whole_rows(raw, names=names, joined=joined, rows=rows, every=len(wanted) == len(names)):
        return None
    if rows and not all(
        _plain_values(data, values=text[column], limit=MAX_LENGTHS.get(column))
        for column, data in joined.items()
    ):
        return None
    months = pd.unique(text["Month"]) if rows else []
    by_text: dict[str, datetime.date] = {}
    for value in months:
        month = parse_month(value)
        if month is None or month > this_month:
            return None
        by_text[value] = month
    crime_types = text["Crime type"]
    if rows and (crime_types == "").any():
        return None
    points = _points(lat=text["Latitude"], lon=text["Longitude"])
    if points is None:
        return None
    crime_ids = text["Crime ID"]
    with_id = crime_ids != ""
    if pd.Series(crime_ids[with_id]).duplicated().any():
        return None
    identity = crime_ids.copy()
    asb = np.flatnonzero(~with_id)
    if len(asb):
        repeats: dict[str, int] = {}
        hashed = []
        for values in zip(*(text[column][asb] for column in wanted), strict=True):
            key = _content_digest(values)
            repeat = repeats[key] = repeats.get(key, 0) + 1
            hashed.append(asb_identity(content_key=key, repeat=repeat))
        identity[asb] = hashed
    location = text["Location"]
    if rows and NO_LOCATION.encode() in joined["Location"] and (location == NO_LOCATION).any():
        location = np.where(location == NO_LOCATION, "", location).astype(object)
        joined["Location"] = "\x1f".join(location).encode()
    month_values = (
        np.full(rows, next(iter(by_text.values())), dtype=object)
        if len(by_text) == 1
        else np.array([by_text[value] for value in text["Month"]], dtype=object)
    )
    columns = {
        "identity": identity,
        "month": month_values,
        "latitude": points[0],
        "longitude": points[1],
    }
    for name, column in TEXT_SOURCES.items():
        columns[name] = location if column == "Location" else text[column]
    return FileColumns(
        columns={name: columns[name] for name in CrimeRow._fields},
        joined={name: joined[column] for name, column in TEXT_SOURCES.items()},
    )


def _whole_rows(
    raw: bytes, *, names: list[str], joined: dict[str, bytes], rows: int, every: bool
) -> bool:
    """Whether every row of the file has all the header's columns.

    pandas fills a short row's missing values with "" (no error), so the commas are counted:
    a file whose rows all have the header's columns has (rows + 1) × (columns − 1) of them,
    besides any inside quoted values. (A row with too many is pandas' own error.)
    """
    expected = (rows + 1) * (len(names) - 1)
    if b'"' in raw:
        if not every:
            return False
        expected += sum(name.count(",") for name in names)
        expected += sum(data.count(b",") for data in joined.values() if b"," in data)
    return raw.count(b",") == expected


def _plain_values(data: bytes, *, values: np.ndarray, limit: int | None) -> bool:
    """Whether a column's values (`data`: joined by "\x1f", UTF-8) are none longer than
    `limit` and none with a space at either end (the row reader strips them). The other
    characters `str.strip` removes were looked for in the raw file, but for line ends, which
    only a quoted value can hold."""
    if b"\n" in data or b"\r" in data:
        return False
    if not data.isascii():
        # Rare: look at each value (str.strip removes Unicode spaces too).
        return all(value == value.strip() for value in values) and (
            limit is None or max(map(len, values)) <= limit
        )
    if not data:
        return True
    buffer = np.frombuffer(data, dtype=np.uint8)
    separators = np.flatnonzero(buffer == 0x1F)
    starts = np.concatenate([[0], separators + 1])
    ends = np.concatenate([separators, [len(buffer)]])
    lengths = ends - starts
    if limit is not None and lengths.max() > limit:
        return False
    filled = lengths > 0
    space = ord(" ")
    return not (
        (buffer[starts[filled]] == space).any() or (buffer[ends[filled] - 1] == space).any()
    )


def _points(*, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Latitudes and longitudes as floats (NaN where a row has neither), or None if any row has
    one without the other or a point `geo.validate_point` would refuse."""
    lat_empty = lat == ""
    lon_empty = lon == ""
    if (lat_empty != lon_empty).any():
        return None
    result = []
    for values in (lat, lon):
        codes, uniques = pd.factorize(values)
        texts = np.asarray(uniques, dtype=object)
        texts[texts == ""] = "nan"
        try:
            # float() of each distinct text, as validate_point reads it.
            floats = texts.astype(float)
        except (ValueError, OverflowError):
            return None
        result.append(floats[codes] if len(codes) else np.empty(0, float))
    lat_f, lon_f = result
    located = ~lat_empty
    if (located & ~(np.isfinite(lat_f) & np.isfinite(lon_f))).any():
        return None
    min_lon, min_lat, max_lon, max_lat = geo.UK_BOUNDS
    with np.errstate(invalid="ignore"):
        good = (lat_f >= min_lat) & (lat_f <= max_lat) & (lon_f >= min_lon) & (lon_f <= max_lon)
    if (located & ~good).any():
        return None
    return lat_f, lon_f
