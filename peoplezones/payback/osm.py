"""Reading the walking network out of an OpenStreetMap XML extract (plain, .bz2 or .gz).

Only the standard library's streaming XML parser is used, in two passes over the file so that
a county extract never has to sit in memory: the first pass keeps the walkable ways (their
node references), the second the coordinates of just the nodes those ways use. Every element
of the file is checked; any problem raises OsmError and nothing is returned.

Which ways are walkable (documented in docs/payback.md):

- `highway` is one of WALKABLE_HIGHWAYS (footways, paths, pedestrian streets, steps, living
  streets, residential, service, unclassified, tertiary, secondary and primary roads, tracks,
  cycleways, bridleways; sidewalks and crossings are mapped as footways);
- and not `foot=no`, and not `access=private`/`access=no` unless `foot` says walking is
  allowed (`yes`, `designated`, `permissive`).

Trunk roads and motorways are left out: walking beside them is rarely possible or pleasant.
One-way tags are ignored (they bind vehicles, not people on foot).
"""

import bz2
import gzip
import io
import math
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError, iterparse

import numpy as np
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from peoplezones.core import geo

WALKABLE_HIGHWAYS = frozenset(
    {
        "footway",
        "path",
        "pedestrian",
        "steps",
        "living_street",
        "residential",
        "service",
        "unclassified",
        "tertiary",
        "tertiary_link",
        "secondary",
        "secondary_link",
        "primary",
        "primary_link",
        "track",
        "cycleway",
        "bridleway",
    }
)
FOOT_ALLOWED = frozenset({"yes", "designated", "permissive"})
NO_ACCESS = frozenset({"private", "no"})
MAX_LISTED_ERRORS = 20


class OsmError(ValueError):
    """The file cannot be used; the message says why, for the person who gave it."""


@dataclass(eq=False)
class OsmNetwork:
    """The walkable network of an extract: nodes (degrees) and undirected edges (metres)."""

    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    edge_from: NDArray[np.int32]
    edge_to: NDArray[np.int32]
    length: NDArray[np.float64]
    stats: dict[str, Any] = field(default_factory=dict)


class _CountingReader(io.RawIOBase):
    """A file wrapper that reports how many bytes were read, for the progress bar."""

    def __init__(self, raw: IO[bytes], progress: Callable[[int], None] | None) -> None:
        self._raw = raw
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        if self._progress and data:
            self._progress(len(data))
        return len(data)


def _kind(path: Path) -> str:
    """ "bz2", "gzip" or "plain" from the file's first bytes; OsmError for other formats."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except FileNotFoundError:
        raise OsmError(_("There is no file %(path)s.") % {"path": path}) from None
    except IsADirectoryError:
        raise OsmError(_("%(path)s is a folder, not a file.") % {"path": path}) from None
    except OSError as error:
        raise OsmError(
            _("%(path)s cannot be read: %(error)s") % {"path": path, "error": error.strerror}
        ) from None
    if not head:
        raise OsmError(_("%(path)s is empty.") % {"path": path})
    if head.startswith(b"BZh"):
        return "bz2"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if b"OSMHeader" in head or path.name.lower().endswith(".pbf"):
        raise OsmError(
            _(
                "%(name)s is an OpenStreetMap PBF file; this import reads OSM XML. Convert it "
                "first, e.g. `osmium cat %(name)s -o extract.osm.bz2`."
            )
            % {"name": path.name}
        )
    if head.startswith(b"PK\x03\x04"):
        raise OsmError(
            _("%(name)s is a ZIP archive: unpack it and give the .osm file inside.")
            % {"name": path.name}
        )
    return "plain"


def _open(path: Path, kind: str, progress: Callable[[int], None] | None) -> IO[bytes]:
    raw = path.open("rb")
    counted = io.BufferedReader(_CountingReader(raw, progress), buffer_size=1 << 16)
    if kind == "bz2":
        return bz2.open(counted, "rb")
    if kind == "gzip":
        return gzip.open(counted, "rb")
    return counted


def _check_start(path: Path, kind: str) -> None:
    """The (decompressed) file must begin like XML: OsmError with a clear message if not."""
    try:
        with _open(path, kind, None) as stream:
            head = stream.read(512)
    except (OSError, EOFError, zlib.error) as error:
        raise _damaged(path, error) from None
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"<"):
        raise OsmError(
            _(
                "%(name)s is not an OpenStreetMap XML file (.osm, .osm.bz2 or .osm.gz): it "
                "does not start with XML."
            )
            % {"name": path.name}
        )


def _damaged(path: Path, error: BaseException) -> OsmError:
    detail = str(error) or error.__class__.__name__
    return OsmError(
        _("%(name)s is damaged or cut short (%(detail)s). Nothing was imported.")
        % {"name": path.name, "detail": detail}
    )


def _elements(path: Path, kind: str, progress: Callable[[int], None] | None) -> Any:
    """Every top-level element of the <osm> document, as it ends; OsmError for non-OSM XML.

    The standard library's expat parser (2.4.1 and later) refuses entity expansion attacks
    and never fetches external entities, so an uploaded file cannot reach the network or
    exhaust memory that way.
    """
    try:
        with _open(path, kind, progress) as stream:
            events = iterparse(stream, events=("start", "end"))  # noqa: S314
            depth = 0
            root = None
            for event, element in events:
                if event == "start":
                    depth += 1
                    if root is None:
                        root = element
                        if element.tag != "osm":
                            raise OsmError(
                                _(
                                    "%(name)s is XML but not OpenStreetMap data: its root "
                                    "element is <%(tag)s>, not <osm>."
                                )
                                % {"name": path.name, "tag": element.tag}
                            )
                    continue
                depth -= 1
                if depth == 1:
                    yield element
                    element.clear()
                    root.clear()
    except ParseError as error:
        raise _damaged(path, error) from None
    except (OSError, EOFError, zlib.error) as error:
        raise _damaged(path, error) from None


def _walkable(tags: dict[str, str]) -> tuple[bool, str]:
    """Whether a way's tags make it walkable, and its highway value (or why not)."""
    highway = tags.get("highway", "")
    if highway not in WALKABLE_HIGHWAYS:
        return False, ""
    foot = tags.get("foot", "")
    if foot == "no":
        return False, "foot=no"
    if tags.get("access", "") in NO_ACCESS and foot not in FOOT_ALLOWED:
        return False, f"access={tags['access']}"
    return True, highway


def _integer(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _errors_text(errors: list[str], total: int) -> str:
    listed = "\n".join(f"  - {error}" for error in errors)
    more = total - len(errors)
    tail = "\n" + _("  … and %(count)s more.") % {"count": f"{more:,}"} if more > 0 else ""
    return listed + tail


def read_walk_network(path: Path, *, progress: Callable[[int], None] | None = None) -> OsmNetwork:
    """The walkable network of the OSM XML file at `path`; OsmError if it cannot be used.

    `progress` is called with the number of (compressed) bytes read each time; the file is
    read twice, so the total is twice its size.
    """
    path = Path(path)
    kind = _kind(path)
    _check_start(path, kind)

    # Pass 1: the walkable ways, as lists of node references.
    ways: list[list[int]] = []
    highway_counts: Counter[str] = Counter()
    excluded: Counter[str] = Counter()
    stats = Counter()
    errors: list[str] = []
    error_count = 0
    for element in _elements(path, kind, progress):
        if element.tag == "node":
            stats["nodes_read"] += 1
            continue
        if element.tag != "way":
            continue
        stats["ways_read"] += 1
        way_id = element.get("id")
        tags = {tag.get("k", ""): tag.get("v", "") for tag in element.iter("tag")}
        walkable, why = _walkable(tags)
        if not walkable:
            if why:
                excluded[why] += 1
            continue
        refs = [_integer(nd.get("ref")) for nd in element.iter("nd")]
        if _integer(way_id) is None or None in refs:
            error_count += 1
            if len(errors) < MAX_LISTED_ERRORS:
                errors.append(
                    _("way %(id)s has a missing or broken id or node reference.")
                    % {"id": way_id or "?"}
                )
            continue
        highway_counts[why] += 1
        ways.append(refs)  # type: ignore[arg-type]
    if error_count:
        raise OsmError(
            _("%(name)s has elements that cannot be read. Nothing was imported.\n%(errors)s")
            % {"name": path.name, "errors": _errors_text(errors, error_count)}
        )
    if not ways:
        raise OsmError(
            _(
                "%(name)s has no walkable ways (of %(ways)s ways and %(nodes)s nodes, none is "
                "a footway, path, street or other way people may walk on). Nothing was "
                "imported."
            )
            % {
                "name": path.name,
                "ways": f"{stats['ways_read']:,}",
                "nodes": f"{stats['nodes_read']:,}",
            }
        )

    # Pass 2: the coordinates of the nodes those ways use (and every node checked).
    needed = np.unique(np.fromiter((ref for refs in ways for ref in refs), dtype=np.int64))
    lat = np.full(len(needed), np.nan)
    lon = np.full(len(needed), np.nan)
    for element in _elements(path, kind, progress):
        if element.tag != "node":
            continue
        node_id = _integer(element.get("id"))
        if element.get("visible") == "false":
            continue
        try:
            node_lat = float(element.get("lat", ""))
            node_lon = float(element.get("lon", ""))
            ok = (
                node_id is not None
                and math.isfinite(node_lat)
                and math.isfinite(node_lon)
                and -90 <= node_lat <= 90
                and -180 <= node_lon <= 180
            )
        except ValueError:
            ok = False
        if not ok:
            error_count += 1
            if len(errors) < MAX_LISTED_ERRORS:
                errors.append(
                    _("node %(id)s has a missing or broken id, latitude or longitude.")
                    % {"id": element.get("id") or "?"}
                )
            continue
        where = int(np.searchsorted(needed, node_id))
        if where < len(needed) and needed[where] == node_id:
            lat[where], lon[where] = node_lat, node_lon
    if error_count:
        raise OsmError(
            _("%(name)s has elements that cannot be read. Nothing was imported.\n%(errors)s")
            % {"name": path.name, "errors": _errors_text(errors, error_count)}
        )

    network = _build(ways, needed, lat, lon)
    present = ~np.isnan(lat)
    network.stats = {
        "nodes_read": stats["nodes_read"],
        "ways_read": stats["ways_read"],
        "ways_walkable": len(ways),
        "ways_by_highway": dict(sorted(highway_counts.items())),
        "ways_excluded": dict(sorted(excluded.items())),
        # An extract cut at its edge references nodes it does not hold: those ways are cut.
        "missing_node_refs": int((~present).sum()),
        "nodes": len(network.lat),
        "edges": len(network.length),
        "length_m": float(network.length.sum()),
    }
    if not len(network.length):
        raise OsmError(
            _(
                "%(name)s has walkable ways (%(ways)s) but not the nodes they go through, so "
                "there is no network to walk on. Nothing was imported."
            )
            % {"name": path.name, "ways": f"{len(ways):,}"}
        )
    return network


def _build(
    ways: list[list[int]],
    needed: NDArray[np.int64],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
) -> OsmNetwork:
    """Edges between consecutive nodes of each way (both present), merged and measured."""
    present = ~np.isnan(lat)
    starts: list[NDArray[np.int64]] = []
    ends: list[NDArray[np.int64]] = []
    for refs in ways:
        index = np.searchsorted(needed, np.asarray(refs, dtype=np.int64))
        a, b = index[:-1], index[1:]
        keep = (a != b) & present[a] & present[b]
        starts.append(a[keep])
        ends.append(b[keep])
    pairs = np.column_stack(
        [np.concatenate(starts).astype(np.int64), np.concatenate(ends).astype(np.int64)]
    ).reshape(-1, 2)
    pairs.sort(axis=1)
    pairs = np.unique(pairs, axis=0)
    # Keep only the nodes some edge uses, numbered from 0.
    used, renumbered = np.unique(pairs.ravel(), return_inverse=True)
    renumbered = renumbered.reshape(-1, 2)
    node_lat, node_lon = lat[used], lon[used]
    length = np.fromiter(
        (
            geo.haversine_m(lat1=node_lat[a], lon1=node_lon[a], lat2=node_lat[b], lon2=node_lon[b])
            for a, b in renumbered
        ),
        dtype=np.float64,
        count=len(renumbered),
    )
    return OsmNetwork(
        lat=node_lat.astype(np.float64),
        lon=node_lon.astype(np.float64),
        edge_from=renumbered[:, 0].astype(np.int32),
        edge_to=renumbered[:, 1].astype(np.int32),
        length=length,
    )
