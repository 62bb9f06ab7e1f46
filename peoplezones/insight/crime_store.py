"""Where police.uk crime is kept, and how it is read: one stored batch per force and month.

police.uk publishes street-level crime as one file per force and month, and a month, once
published, changes only when police.uk republishes it. So crimes are kept as police.uk gives
them, a batch at a time (`CrimeBatch`): each batch holds its rows column by column in one
binary value (`encode_columns`), written in one statement however many rows it has. Every
read goes through this module: the stored batches are decoded into one table (a pandas
DataFrame, one row a crime) that each process keeps until the batches change, and callers
filter and count that table (`crime_frame`, `count_by`).

A crime's zone is not stored: it is worked out when the table is loaded, from the active zones
as they are then (the same rule as `zones.selectors.zone_for_point`: the first active zone, by
id, whose boundary holds the point, edge included), so a zone drawn or redrawn after an import
counts its crimes at once.

The columns of the table:
- `month` (a `datetime.date`, the first of the month) and `month_key` (year × 12 + month − 1,
  for comparing months quickly);
- `identity` (the Crime ID, or for anti-social behaviour a hash of the row's content and its
  repeat number in the file; see `importers.police`), `crime_id`, `reported_by`,
  `falls_within`, `location` ("" when police.uk gives "No location"), `lsoa_code`, `lsoa_name`,
  `crime_type`, `last_outcome` (text);
- `latitude`, `longitude` (police.uk's anonymised snap point; NaN when the row has none);
- `zone` (the id of the active zone holding the point, 0 for none) and `is_demo`.
"""

import datetime
import hashlib
import json
import struct
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely

from peoplezones.core.geo.shapes import prepared_shape

TEXT_COLUMNS = (
    "identity",
    "crime_id",
    "reported_by",
    "falls_within",
    "location",
    "lsoa_code",
    "lsoa_name",
    "crime_type",
    "last_outcome",
)
FLOAT_COLUMNS = ("latitude", "longitude")
STORED_COLUMNS = TEXT_COLUMNS + FLOAT_COLUMNS
# Text columns with few distinct values (kept as codes into a list of them; see encode_columns).
CODED_COLUMNS = ("location", "lsoa_code", "lsoa_name", "crime_type", "last_outcome")
FRAME_COLUMNS = ("month", "month_key", *STORED_COLUMNS, "zone", "is_demo")

MAGIC = b"PZCRIME1"
# Text values of a column are joined with this character (ASCII unit separator); a column in
# which any value holds it is stored as a JSON list instead.
SEPARATOR = "\x1f"
# Decoded batches kept per process, by content digest (a batch is a force's month).
DECODED_BATCHES_KEPT = 512


class CrimeStoreError(Exception):
    """A stored batch that cannot be decoded: not written by this module, or damaged."""


# Writing and reading one batch's columns


def encode_columns(
    columns: dict[str, Any], *, rows: int, joined: dict[str, bytes] | None = None
) -> bytes:
    """The batch's columns as bytes: a header saying what follows, then each column's bytes.

    Each text column is stored one of four ways: `same` (every row has one value: it, once),
    `codes` (CODED_COLUMNS: the distinct values joined by SEPARATOR, then each row's position
    among them as uint16), `text` (the values joined by SEPARATOR) or `json` (a list, for a
    column in which a value holds SEPARATOR). Float columns are little-endian float64. An
    identity equal to the row's Crime ID is kept as "" (stored once). Every column of
    STORED_COLUMNS must be given, each with `rows` values. `joined` may give text columns
    already joined by SEPARATOR (UTF-8), by a caller that knows no value holds it.
    """
    joined = joined or {}
    parts: list[bytes] = []
    header: list[list[Any]] = []
    for name in STORED_COLUMNS:
        values = columns[name]
        if len(values) != rows:
            raise ValueError(f"column {name} has {len(values)} values, not {rows}")
        if name in FLOAT_COLUMNS:
            kind, data = "f8", np.ascontiguousarray(values, dtype="<f8").tobytes()
        else:
            values = np.asarray(values, dtype=object)
            if name == "identity" and rows:
                # A crime's identity is its Crime ID: kept once, in crime_id.
                crime_id = np.asarray(columns["crime_id"], dtype=object)
                values = np.where(values == crime_id, "", values).astype(object)
            kind, data = _encode_text(values, joined=joined.get(name), coded=name in CODED_COLUMNS)
        header.append([name, kind, len(data)])
        parts.append(data)
    head = json.dumps({"rows": rows, "columns": header}).encode()
    return b"".join([MAGIC, struct.pack("<I", len(head)), head, *parts])


def _encode_text(values: np.ndarray, *, joined: bytes | None, coded: bool) -> tuple[str, bytes]:
    rows = len(values)
    if rows and (values == values[0]).all():
        return "same", json.dumps(values[0], ensure_ascii=False).encode()
    if coded and rows:
        codes, uniques = pd.factorize(values)
        if len(uniques) <= 0xFFFF:
            text = SEPARATOR.join(uniques)
            if text.count(SEPARATOR) == len(uniques) - 1:
                data = text.encode()
                return "codes", struct.pack("<I", len(data)) + data + codes.astype("<u2").tobytes()
    if joined is not None:
        return "text", joined
    text = SEPARATOR.join(values)
    if rows and text.count(SEPARATOR) != rows - 1:
        return "json", json.dumps(list(values), ensure_ascii=False).encode()
    return "text", text.encode()


def decode_columns(data: bytes, *, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """The columns `encode_columns` wrote (only `names`, when given): text as object arrays."""
    data = bytes(data)
    if not data.startswith(MAGIC):
        raise CrimeStoreError("not a stored crime batch")
    wanted = set(STORED_COLUMNS if names is None else names)
    if "identity" in wanted:
        wanted.add("crime_id")
    try:
        (size,) = struct.unpack_from("<I", data, len(MAGIC))
        start = len(MAGIC) + 4
        head = json.loads(data[start : start + size])
        rows = int(head["rows"])
        offset = start + size
        columns: dict[str, np.ndarray] = {}
        for name, kind, length in head["columns"]:
            chunk = data[offset : offset + length]
            offset += length
            if name in wanted:
                columns[name] = _decode(kind, chunk, rows=rows)
                if len(columns[name]) != rows:
                    raise CrimeStoreError(f"column {name} has the wrong number of values")
    except (struct.error, ValueError, KeyError, TypeError, IndexError) as error:
        raise CrimeStoreError(f"damaged crime batch ({error})") from None
    if "identity" in columns and rows:
        identity = columns["identity"]
        same = identity == ""
        if same.any():
            identity = identity.copy()
            identity[same] = columns["crime_id"][same]
            columns["identity"] = identity
    return columns


def _decode(kind: str, chunk: bytes, *, rows: int) -> np.ndarray:
    if kind == "f8":
        return np.frombuffer(chunk, dtype="<f8").astype(float)
    if kind == "same":
        return np.full(rows, json.loads(chunk), dtype=object)
    if kind == "codes":
        (size,) = struct.unpack_from("<I", chunk)
        uniques = np.array(chunk[4 : 4 + size].decode().split(SEPARATOR), dtype=object)
        return uniques[np.frombuffer(chunk[4 + size :], dtype="<u2")]
    if kind == "json":
        return np.array(json.loads(chunk), dtype=object)
    if kind == "text":
        return np.array(chunk.decode().split(SEPARATOR) if rows else [], dtype=object)
    raise CrimeStoreError(f"unknown column kind {kind}")


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def month_key(month: datetime.date) -> int:
    """Months as consecutive integers: year × 12 + month − 1."""
    return month.year * 12 + month.month - 1


# The table every read uses


class _Cache:
    """This process's decoded batches (by digest) and the table made of them (by version)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.batches: OrderedDict[str, dict[str, np.ndarray]] = OrderedDict()
        self.version: tuple[Any, ...] | None = None
        self.frame: pd.DataFrame | None = None


_cache = _Cache()


def _zones_signature() -> tuple[tuple[Any, ...], ...]:
    """What the crimes' zones depend on: each active zone's id, last change and bounding box
    (cheap columns; the boundary itself changes the other three whenever it changes)."""
    from peoplezones.zones.models import Zone

    return tuple(
        (pk, modified.isoformat(), *bbox)
        for pk, modified, *bbox in Zone.objects.filter(
            status=Zone.Status.ACTIVE, boundary__isnull=False, min_lon__isnull=False
        )
        .order_by("pk")
        .values_list("pk", "modified", "min_lon", "min_lat", "max_lon", "max_lat")
    )


def _batch_versions() -> tuple[tuple[int, str, datetime.date, bool], ...]:
    from peoplezones.insight.models import CrimeBatch

    return tuple(
        CrimeBatch.objects.order_by("month", "falls_within").values_list(
            "pk", "digest", "month", "is_demo"
        )
    )


def crime_table() -> pd.DataFrame:
    """Every stored crime (see the module's docstring for the columns); do not change it.

    Two small queries tell whether the batches or the active zones changed since this process
    last built the table; only then is it built again (decoding only batches not seen before).
    """
    batches = _batch_versions()
    zones = _zones_signature()
    version = (batches, zones)
    with _cache.lock:
        if _cache.version == version and _cache.frame is not None:
            return _cache.frame
        frame = _build(batches)
        frame["zone"] = _zone_ids(frame, zones=zones)
        _cache.version = version
        _cache.frame = frame
        # Batches no longer stored (replaced or deleted) need not stay decoded.
        current = {digest for _pk, digest, _month, _demo in batches}
        for digest in [digest for digest in _cache.batches if digest not in current]:
            del _cache.batches[digest]
        return frame


def forget() -> None:
    """Drop this process's table and decoded batches (tests; after restoring a database)."""
    with _cache.lock:
        _cache.batches.clear()
        _cache.version = None
        _cache.frame = None


def _decoded(pk: int, digest: str) -> dict[str, np.ndarray]:
    from peoplezones.insight.models import CrimeBatch

    columns = _cache.batches.get(digest)
    if columns is None:
        data = CrimeBatch.objects.filter(pk=pk).values_list("data", flat=True).first()
        columns = decode_columns(data if data is not None else encode_columns({}, rows=0))
        _cache.batches[digest] = columns
        while len(_cache.batches) > DECODED_BATCHES_KEPT:
            _cache.batches.popitem(last=False)
    else:
        _cache.batches.move_to_end(digest)
    return columns


def _decode_missing(batches: Sequence[tuple[int, str, datetime.date, bool]]) -> None:
    """Decode, with one query, the batches this process has no decoded copy of."""
    from peoplezones.insight.models import CrimeBatch

    missing = {pk: digest for pk, digest, _month, _demo in batches if digest not in _cache.batches}
    if not missing:
        return
    for pk, data in CrimeBatch.objects.filter(pk__in=list(missing)).values_list("pk", "data"):
        _cache.batches[missing[pk]] = decode_columns(data)


def _build(batches: Sequence[tuple[int, str, datetime.date, bool]]) -> pd.DataFrame:
    parts: dict[str, list[np.ndarray]] = {name: [] for name in FRAME_COLUMNS if name != "zone"}
    _decode_missing(batches)
    for pk, digest, month, is_demo in batches:
        columns = _decoded(pk, digest)
        rows = len(columns["identity"])
        parts["month"].append(np.full(rows, month, dtype=object))
        parts["month_key"].append(np.full(rows, month_key(month), dtype=np.int32))
        parts["is_demo"].append(np.full(rows, is_demo, dtype=bool))
        for name in STORED_COLUMNS:
            parts[name].append(columns[name])
    data: dict[str, Any] = {}
    for name, chunks in parts.items():
        if chunks:
            data[name] = np.concatenate(chunks)
        elif name in FLOAT_COLUMNS:
            data[name] = np.empty(0, float)
        elif name == "month_key":
            data[name] = np.empty(0, np.int32)
        elif name == "is_demo":
            data[name] = np.empty(0, bool)
        else:
            data[name] = np.empty(0, object)
    # Object columns stay object columns (no conversion of every value to pandas' str type).
    return pd.DataFrame(
        {name: pd.Series(values, dtype=values.dtype) for name, values in data.items()}
    )


def _zone_ids(frame: pd.DataFrame, *, zones: tuple[tuple[Any, ...], ...]) -> np.ndarray:
    """Each crime's active zone (0 for none): the first zone by id holding its point."""
    from peoplezones.zones.models import Zone

    result = np.zeros(len(frame), dtype=np.int64)
    if not zones or not len(frame):
        return result
    lat = frame["latitude"].to_numpy()
    lon = frame["longitude"].to_numpy()
    located = ~(np.isnan(lat) | np.isnan(lon))
    for zone in Zone.objects.filter(pk__in=[signature[0] for signature in zones]).order_by("pk"):
        if zone.bbox is None or not zone.boundary:
            continue
        min_lon, min_lat, max_lon, max_lat = zone.bbox
        inside = (
            located
            & (result == 0)
            & (lat >= min_lat)
            & (lat <= max_lat)
            & (lon >= min_lon)
            & (lon <= max_lon)
        )
        where = np.flatnonzero(inside)
        if not len(where):
            continue
        shape = prepared_shape(
            zone.boundary, cache_key=f"zone:{zone.pk}:{zone.modified.isoformat()}"
        )
        # Points are shared by many crimes (police.uk's snap points): test each once.
        points, back = np.unique(
            np.column_stack([lon[where], lat[where]]), axis=0, return_inverse=True
        )
        hit = shapely.intersects_xy(shape, points[:, 0], points[:, 1])
        result[where[hit[back.ravel()]]] = zone.pk
    return result


# Reading


def crime_frame(**filters: Any) -> pd.DataFrame:
    """The stored crimes that pass every filter given: `select(crime_table(), **filters)`."""
    return select(crime_table(), **filters)


def select(
    frame: pd.DataFrame,
    *,
    month_from: datetime.date | None = None,
    month_to: datetime.date | None = None,
    crime_types: Iterable[str] | None = None,
    lsoa_codes: Iterable[str] | None = None,
    zone: Any = None,
    located: bool = False,
    box: tuple[float, float, float, float] | None = None,
) -> pd.DataFrame:
    """The rows of `frame` (the crime table, or part of it) that pass every filter given: a new
    frame, which callers may change. A caller reading the table several times for one answer
    gets it once with `crime_table()` and selects from it.

    Months are inclusive (any day of a month stands for it); `crime_types` and `lsoa_codes`
    keep rows with one of the values (an empty list keeps none, None keeps all); `zone` is a
    Zone or its id; `located` keeps rows with a point; `box` is (min_lat, min_lon, max_lat,
    max_lon), edges included (rows without a point are never in a box).
    """
    mask = np.ones(len(frame), dtype=bool)
    if month_from is not None:
        mask &= frame["month_key"].to_numpy() >= month_key(month_from)
    if month_to is not None:
        mask &= frame["month_key"].to_numpy() <= month_key(month_to)
    if crime_types is not None:
        mask &= frame["crime_type"].isin(list(crime_types)).to_numpy()
    if lsoa_codes is not None:
        mask &= frame["lsoa_code"].isin(list(lsoa_codes)).to_numpy()
    if zone is not None:
        mask &= frame["zone"].to_numpy() == int(getattr(zone, "pk", zone))
    if located or box is not None:
        lat = frame["latitude"].to_numpy()
        lon = frame["longitude"].to_numpy()
        mask &= ~(np.isnan(lat) | np.isnan(lon))
        if box is not None:
            min_lat, min_lon, max_lat, max_lon = box
            with np.errstate(invalid="ignore"):
                mask &= (lat >= min_lat) & (lat <= max_lat) & (lon >= min_lon) & (lon <= max_lon)
    return frame[mask].reset_index(drop=True)


def count_by(frame: pd.DataFrame, *columns: str) -> dict[Any, int]:
    """How many rows of `frame` have each value (one column) or combination of values."""
    if not len(frame):
        return {}
    counts = frame.groupby(list(columns), sort=False).size()
    return {key: int(value) for key, value in counts.items()}


def crime_types_stored() -> list[str]:
    """The crime types of the stored crimes, in alphabetical order."""
    return sorted(crime_table()["crime_type"].unique().tolist())


def months_stored() -> list[datetime.date]:
    """The months with any stored crime, oldest first."""
    from peoplezones.insight.models import CrimeBatch

    return list(
        CrimeBatch.objects.filter(rows__gt=0)
        .order_by("month")
        .values_list("month", flat=True)
        .distinct()
    )


def latest_month() -> datetime.date | None:
    months = months_stored()
    return months[-1] if months else None


def crimes_stored() -> int:
    """How many crimes are stored (a count of rows, without decoding any batch)."""
    from django.db.models import Sum

    from peoplezones.insight.models import CrimeBatch

    return CrimeBatch.objects.aggregate(total=Sum("rows"))["total"] or 0


# What imports need to know


class _CrimeIdOwners:
    """Which stored batch holds each Crime ID, kept in step with the stored batches."""

    def __init__(self) -> None:
        self.digests: dict[int, str] = {}
        self.ids: dict[int, np.ndarray] = {}
        self.owners: dict[str, int] = {}


_owners = _CrimeIdOwners()


def crime_id_owners() -> dict[str, int]:
    """Every stored Crime ID with the id of the batch holding it; do not change it.

    police.uk repeats a few Crime IDs in a later month; an import stores each only once. The
    map is brought up to date with one query, and one more to read the Crime IDs of batches
    changed since last time that this process has not decoded.
    """
    from peoplezones.insight.models import CrimeBatch

    current = dict(CrimeBatch.objects.values_list("pk", "digest"))
    with _cache.lock:
        for pk, digest in list(_owners.digests.items()):
            if current.get(pk) != digest:
                for crime_id in _owners.ids.pop(pk):
                    if _owners.owners.get(crime_id) == pk:
                        del _owners.owners[crime_id]
                del _owners.digests[pk]
        new = {pk: digest for pk, digest in current.items() if pk not in _owners.digests}
        unread = [pk for pk, digest in new.items() if digest not in _cache.batches]
        stored = (
            dict(CrimeBatch.objects.filter(pk__in=unread).values_list("pk", "data"))
            if unread
            else {}
        )
        for pk, digest in new.items():
            if digest in _cache.batches:
                crime_ids = _cache.batches[digest]["crime_id"]
            elif pk in stored:
                crime_ids = decode_columns(stored[pk], names=["crime_id"])["crime_id"]
            else:
                continue  # deleted since the first query
            crime_ids = crime_ids[crime_ids != ""]
            _owners.ids[pk] = crime_ids
            _owners.digests[pk] = digest
            _owners.owners.update(dict.fromkeys(crime_ids.tolist(), pk))
        return _owners.owners


def batch_columns(batch: Any) -> dict[str, np.ndarray]:
    """A stored batch's columns (decoded once per process; do not change them)."""
    with _cache.lock:
        return _decoded(batch.pk, batch.digest)


def remember(*, digest: str, columns: dict[str, np.ndarray]) -> None:
    """Keep the columns just written under their digest, so that reading them decodes nothing."""
    with _cache.lock:
        _cache.batches[digest] = {name: columns[name] for name in STORED_COLUMNS}
        while len(_cache.batches) > DECODED_BATCHES_KEPT:
            _cache.batches.popitem(last=False)
