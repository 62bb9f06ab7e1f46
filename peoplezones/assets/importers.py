"""Bulk imports of assets from CSV, GeoJSON or Open Referral UK JSON.

Reading a file turns it into rows of `asset_create` arguments; `assets_import` then runs every
row through `asset_create` itself, so an import obeys exactly the rules a contribution does.
The whole file is one transaction: with any bad row nothing is kept unless the caller asks to
skip bad rows, and a dry run rolls everything back after reporting what would happen.
"""

import csv
import datetime
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peoplezones.assets.models import Asset
from peoplezones.assets.permissions import can_moderate_assets
from peoplezones.assets.services import asset_create
from peoplezones.core import geo
from peoplezones.core.csvread import csv_rows
from peoplezones.core.selectors import within_radius

COLUMNS = (
    "name",
    "description",
    "asset_class",
    "categories",
    "latitude",
    "longitude",
    "address",
    "postcode",
    "phone",
    "email",
    "website",
    "accessibility",
    "languages",
    "opening_hours",
    "sensitive",
    "last_verified",
)
REQUIRED_COLUMNS = ("name", "latitude", "longitude")
TEXT_COLUMNS = (
    "name",
    "description",
    "asset_class",
    "address",
    "postcode",
    "phone",
    "email",
    "website",
    "accessibility",
)
DUPLICATE_RADIUS_M = 100
DAYS = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday", "mo"),
            ("tue", "tues", "tuesday", "tu"),
            ("wed", "wednesday", "we"),
            ("thu", "thur", "thurs", "thursday", "th"),
            ("fri", "friday", "fr"),
            ("sat", "saturday", "sa"),
            ("sun", "sunday", "su"),
        )
    )
    for name in names
}
HOURS = re.compile(
    r"^(?P<days>[A-Za-z]+(?:\s*-\s*[A-Za-z]+)?)\s+(?P<opens>[0-9:.]+)\s*-\s*(?P<closes>[0-9:.]+)$"
)
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says what to fix."""


@dataclass
class ImportRow:
    """One row of a file: where it was, the `asset_create` arguments, and reading errors."""

    number: int
    fields: dict[str, Any]
    categories: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.fields.get("name") or "").strip()


@dataclass
class ParsedFile:
    kind: str  # "csv", "geojson" or "openreferral"
    unit: str  # what a row number counts: "line" or "feature"
    rows: list[ImportRow]


@dataclass
class RowResult:
    number: int
    name: str
    messages: list[str] = field(default_factory=list)
    zone: str = ""


@dataclass
class ImportReport:
    kind: str
    unit: str
    total: int
    errors: list[RowResult] = field(default_factory=list)
    duplicates: list[RowResult] = field(default_factory=list)
    created: list[RowResult] = field(default_factory=list)
    committed: bool = False


def parse_import_file(*, content: bytes, filename: str = "") -> ParsedFile:
    """Read a CSV, GeoJSON or Open Referral UK file; raises ImportFileError if it is unusable."""
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "The file is not UTF-8 text (byte %(position)s cannot be read). Save it again "
                "as “CSV UTF-8” or UTF-8 JSON."
            )
            % {"position": error.start + 1}
        ) from None
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    stripped = text.lstrip()
    if suffix in {"json", "geojson"} or (suffix != "csv" and stripped[:1] in {"{", "["}):
        return _parse_json(stripped)
    return _parse_csv(text)


def _parse_csv(text: str) -> ParsedFile:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as error:
        raise ImportFileError(
            _("The file is not a readable CSV file: %(error)s") % {"error": error}
        ) from None
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    header = [column.strip().lower() for column in header]
    _check_columns(header, what=_("column"))
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportFileError(
            _("The file has no %(columns)s column. The first line must name the columns.")
            % {"columns": ", ".join(missing)}
        )
    rows = []
    for start, values in csv_rows(reader, error=ImportFileError):
        row = _build_row(start, dict(zip(header, values, strict=False)))
        if len(values) > len(header):
            row.errors.append(_("This line has more values than the header has columns."))
        rows.append(row)
    if not rows:
        raise ImportFileError(_("The file has a header line but no rows."))
    return ParsedFile(kind="csv", unit="line", rows=rows)


def _check_columns(names: Iterable[str], *, what: str) -> None:
    unknown = sorted({name for name in names if name not in COLUMNS})
    if unknown:
        raise ImportFileError(
            _("Unknown %(what)s: %(unknown)s. The %(what)s may be: %(known)s.")
            % {"what": what, "unknown": ", ".join(unknown), "known": ", ".join(COLUMNS)}
        )


def _parse_json(text: str) -> ParsedFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            _("The file is not valid JSON: %(error)s (line %(line)s).")
            % {"error": error.msg, "line": error.lineno}
        ) from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        return _parse_geojson(data)
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        services = data["contents"]
    elif isinstance(data, list) and all(isinstance(item, dict) for item in data):
        services = data
    elif isinstance(data, dict) and "name" in data and "id" in data:
        services = [data]
    else:
        raise ImportFileError(
            _(
                "The JSON file is neither a GeoJSON FeatureCollection nor Open Referral UK "
                "services (a page with “contents” or a list of services)."
            )
        )
    if not services:
        raise ImportFileError(_("The file lists no services."))
    rows = [_openreferral_row(number, service) for number, service in enumerate(services, 1)]
    return ParsedFile(kind="openreferral", unit="feature", rows=rows)


def _parse_geojson(data: dict[str, Any]) -> ParsedFile:
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ImportFileError(_("The FeatureCollection has no features."))
    _check_columns(
        (
            key
            for feature in features
            if isinstance(feature, dict) and isinstance(feature.get("properties"), dict)
            for key in feature["properties"]
        ),
        what=_("property"),
    )
    rows = []
    for number, feature in enumerate(features, 1):
        properties = (feature.get("properties") if isinstance(feature, dict) else None) or {}
        row = _build_row(number, {key: properties[key] for key in properties})
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if isinstance(geometry, dict) and geometry.get("type") == "Point":
            coordinates = geometry.get("coordinates") or []
            if isinstance(coordinates, list) and len(coordinates) >= 2:
                # GeoJSON positions are [longitude, latitude] (RFC 7946).
                row.fields["longitude"], row.fields["latitude"] = coordinates[0], coordinates[1]
            else:
                row.errors.append(_("The Point has no [longitude, latitude] coordinates."))
        elif geometry:
            row.errors.append(
                _("The geometry is a %(type)s; only Points can be imported.")
                % {"type": geometry.get("type") if isinstance(geometry, dict) else "?"}
            )
        rows.append(row)
    return ParsedFile(kind="geojson", unit="feature", rows=rows)


def _build_row(number: int, values: dict[str, Any]) -> ImportRow:
    """Turn named values (a CSV line or GeoJSON properties) into `asset_create` arguments.

    Only the file's syntax is checked here (yes/no, dates, hours); the service checks the rest.
    """
    row = ImportRow(number=number, fields={})
    for column in TEXT_COLUMNS:
        value = values.get(column)
        if value not in (None, ""):
            row.fields[column] = str(value).strip()
    for axis in ("latitude", "longitude"):
        value = values.get(axis)
        row.fields[axis] = None if value is None or str(value).strip() == "" else value
    categories = values.get("categories") or ""
    if isinstance(categories, list):
        row.categories = [str(slug).strip() for slug in categories if str(slug).strip()]
    else:
        row.categories = [slug.strip() for slug in str(categories).split(";") if slug.strip()]
    languages = values.get("languages") or ""
    if isinstance(languages, list):
        languages = ", ".join(str(item).strip() for item in languages)
    if str(languages).strip():
        row.fields["languages"] = str(languages).strip()
    sensitive = str(values.get("sensitive") or "").strip().lower()
    if values.get("sensitive") is True or sensitive in YES:
        row.fields["sensitive"] = True
    elif values.get("sensitive") is False or sensitive in NO:
        row.fields["sensitive"] = False
    else:
        row.errors.append(_("sensitive must be yes or no, not “%(value)s”.") % {"value": sensitive})
    last_verified = str(values.get("last_verified") or "").strip()
    if last_verified:
        try:
            row.fields["last_verified"] = datetime.date.fromisoformat(last_verified)
        except ValueError:
            row.errors.append(
                _("last_verified must be a date like 2024-03-31, not “%(value)s”.")
                % {"value": last_verified}
            )
    hours = values.get("opening_hours")
    if isinstance(hours, list):
        row.fields["opening_hours"] = hours
    elif hours not in (None, ""):
        try:
            row.fields["opening_hours"] = parse_opening_hours(str(hours))
        except ValueError as error:
            row.errors.append(str(error))
    return row


def parse_opening_hours(text: str) -> list[dict[str, Any]]:
    """Read `Mon 09:00-17:00; Tue-Thu 10:00-12:00` into the list the Asset model stores.

    Only the shape is read here; `asset_create` checks the times themselves.
    """
    hours = []
    for part in (part.strip() for part in text.split(";")):
        if not part:
            continue
        match = HOURS.match(part)
        days = [DAYS.get(day.strip().lower()) for day in match["days"].split("-")] if match else []
        if not match or None in days:
            raise ValueError(
                _("Opening hours “%(part)s” must look like “Mon 09:00-17:00; Tue 10:00-12:00”.")
                % {"part": part}
            )
        first, last = days[0], days[-1]
        span = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
        hours += [{"day": day, "opens": match["opens"], "closes": match["closes"]} for day in span]
    return hours


def _openreferral_row(number: int, service: Any) -> ImportRow:
    """Map one Open Referral UK service onto our columns: the first location is the asset's."""
    if not isinstance(service, dict):
        return ImportRow(number=number, fields={}, errors=[_("This is not a service object.")])
    location: dict[str, Any] = {}
    for link in service.get("service_at_locations") or []:
        if isinstance(link, dict) and isinstance(link.get("location"), dict):
            location = link["location"]
            break
    else:
        locations = service.get("locations") or [service.get("location")]
        location = next((item for item in locations if isinstance(item, dict)), {})
    address = next((a for a in location.get("addresses") or [] if isinstance(a, dict)), {})
    phone = next((p for p in service.get("phones") or [] if isinstance(p, dict)), {})
    values: dict[str, Any] = {
        "name": service.get("name"),
        "description": service.get("description"),
        "asset_class": Asset.AssetClass.INSTITUTION,
        "website": service.get("url"),
        "email": service.get("email"),
        "phone": phone.get("number"),
        "latitude": location.get("latitude"),
        "longitude": location.get("longitude"),
        "address": ", ".join(
            str(address[key]) for key in ("address_1", "city") if address.get(key)
        ),
        "postcode": address.get("postal_code"),
        "accessibility": " ".join(
            str(item.get("description") or "")
            for item in location.get("accessibility") or []
            if isinstance(item, dict)
        ).strip(),
        "languages": [
            item.get("name") or item.get("language")
            for item in service.get("languages") or []
            if isinstance(item, dict) and (item.get("name") or item.get("language"))
        ],
        "opening_hours": _openreferral_hours(service.get("schedules") or []),
    }
    row = _build_row(number, values)
    if not location:
        row.errors.append(_("The service has no location with a latitude and longitude."))
    return row


def _openreferral_hours(schedules: list[Any]) -> list[dict[str, Any]]:
    hours = []
    for schedule in schedules:
        if not isinstance(schedule, dict) or not schedule.get("opens_at"):
            continue
        opens, closes = str(schedule["opens_at"])[:5], str(schedule.get("closes_at") or "")[:5]
        for day in str(schedule.get("byday") or "").split(","):
            if day.strip().lower() in DAYS:
                hours.append({"day": DAYS[day.strip().lower()], "opens": opens, "closes": closes})
    return hours


def unit_label(unit: str) -> str:
    """What a row number counts, in words: a CSV line or a JSON feature."""
    return _("line") if unit == "line" else _("feature")


def _describe(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            message if name == "__all__" else f"{name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _nearby_same_name(*, name: str, lat: float, lon: float) -> Asset | None:
    candidates = Asset.objects.only("id", "name", "latitude", "longitude", "status")
    for asset in within_radius(candidates, lat=lat, lon=lon, radius_m=DUPLICATE_RADIUS_M):
        if _name_key(asset.name) == _name_key(name):
            return asset
    return None


class _DryRun(Exception):
    pass


def assets_import(
    *,
    parsed: ParsedFile,
    actor: Any,
    status: str = Asset.Status.PENDING,
    source: str = Asset.Source.IMPORTED,
    skip_errors: bool = False,
    dry_run: bool = False,
    progress: Callable[[list[ImportRow]], Iterable[ImportRow]] = iter,
) -> ImportReport:
    """Create an asset for each good row that is not a likely duplicate; report every row.

    All or nothing: one transaction, kept only if no row is bad (or `skip_errors`) and not
    `dry_run`. A likely duplicate (same name within 100 m of an asset, including one made from
    an earlier row) is reported and skipped, which also makes re-running a file harmless.
    """
    if status not in {Asset.Status.DRAFT, Asset.Status.PENDING} and not can_moderate_assets(actor):
        raise PermissionDenied(_("Only moderators can publish imported assets."))
    report = ImportReport(kind=parsed.kind, unit=parsed.unit, total=len(parsed.rows))
    try:
        with transaction.atomic():
            created_from: dict[int, int] = {}
            for row in progress(parsed.rows):
                _import_row(row, report, created_from, actor=actor, status=status, source=source)
            if dry_run or (report.errors and not skip_errors):
                raise _DryRun
            report.committed = True
    except _DryRun:
        pass
    return report


def _import_row(
    row: ImportRow,
    report: ImportReport,
    created_from: dict[int, int],
    *,
    actor: Any,
    status: str,
    source: str,
) -> None:
    result = RowResult(number=row.number, name=row.name)
    if row.errors:
        result.messages = list(row.errors)
        report.errors.append(result)
        return
    try:
        point = geo.validate_point(lat=row.fields["latitude"], lon=row.fields["longitude"])
    except ValidationError:
        point = None  # asset_create below reports the bad point in its own words
    twin = point and row.name and _nearby_same_name(name=row.name, lat=point[0], lon=point[1])
    if twin:
        if twin.pk in created_from:
            reason = _("Same name within 100 m of %(unit)s %(number)s of this file.") % {
                "unit": unit_label(report.unit),
                "number": created_from[twin.pk],
            }
        else:
            reason = _("Same name within 100 m of an existing asset (#%(id)s, %(status)s).") % {
                "id": twin.pk,
                "status": twin.get_status_display().lower(),
            }
        result.messages = [reason]
        report.duplicates.append(result)
        return
    try:
        asset = asset_create(
            actor=actor,
            fields=row.fields,
            categories=row.categories,
            status=status,
            source=source,
        )
    except ValidationError as error:
        result.messages = _describe(error)
        report.errors.append(result)
        return
    created_from[asset.pk] = row.number
    result.zone = asset.zone.name if asset.zone else ""
    report.created.append(result)
