"""Loading the walking network from an OpenStreetMap extract."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from peoplezones.core.services import audit_record
from peoplezones.payback.models import (
    WalkNetwork,
)
from peoplezones.payback.osm import read_walk_network
from peoplezones.payback.walkgraph import WalkGraph


@dataclass
class NetworkImport:
    """What importing a walking network found and did."""

    name: str
    stats: dict[str, Any]
    network: WalkNetwork | None = None
    unchanged: bool = False
    dry_run: bool = False


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def network_import(
    *,
    path: Path,
    actor: Any = None,
    name: str = "",
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> NetworkImport:
    """Read the walkable ways of an OSM XML extract and store them as the walking network,
    replacing the one before. Raises `osm.OsmError` for a file that cannot be used (nothing
    is stored). Importing the same file again stores nothing.

    Called by the `import_walk_network` command (an operator at the terminal: no actor).
    """
    path = Path(path)
    network = read_walk_network(path, progress=progress)
    digest = _sha256(path)
    name = name.strip() or path.name
    current = WalkNetwork.objects.defer("graph").first()
    if current is not None and current.source_sha256 == digest:
        return NetworkImport(name=current.name, stats=network.stats, unchanged=True)
    if dry_run:
        return NetworkImport(name=name, stats=network.stats, dry_run=True)
    graph = WalkGraph(
        lat=network.lat,
        lon=network.lon,
        edge_from=network.edge_from,
        edge_to=network.edge_to,
        length=network.length,
    )
    with transaction.atomic():
        WalkNetwork.objects.all().delete()
        stored = WalkNetwork.objects.create(
            name=name[:200],
            source_sha256=digest,
            node_count=len(network.lat),
            edge_count=len(network.length),
            length_m=float(network.length.sum()),
            min_lat=float(network.lat.min()),
            min_lon=float(network.lon.min()),
            max_lat=float(network.lat.max()),
            max_lon=float(network.lon.max()),
            summary=network.stats,
            graph=graph.to_bytes(),
            imported_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            verb="payback.network_imported",
            target=stored,
            data={"file": path.name, "sha256": digest, **network.stats},
        )
    return NetworkImport(name=stored.name, stats=network.stats, network=stored)
