"""Reading police.uk street-level crime files: finding them, checking them and parsing rows.

Nothing here writes to the database; `insight.services.crimes_import` stores what this yields.
Files are read row by row with the csv module; an archive of every force's files is read one
member (one force's month) at a time, so it never has to fit in memory.
"""

import csv
import datetime
import gzip
import hashlib
import io
import operator
import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

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
    """A row that passed every check, ready to be stored: the `Crime` fields, in this order.

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
