"""The walking network as arrays: snapping points to it, multi-source shortest paths, and the
part of it reachable within a distance. Pure functions over NumPy/SciPy; no database.

Distances are on the same sphere as `core.geo.haversine_m` (each edge is the great-circle
distance between its two nodes, and a point's snap distance is the great-circle distance to
its nearest node), so a walk along the network is never shorter than the straight line.
"""

import functools
import io
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from peoplezones.core import geo

UNREACHED = -1


def _unit_vectors(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.float64]:
    """Points on the unit sphere: the nearest by straight chord is the nearest on the sphere."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


@dataclass(frozen=True)
class Paths:
    """Shortest walks from a set of sources to every node: metres (inf when further than the
    search limit) and which source (its position in the list given) is nearest, or -1."""

    metres: NDArray[np.float64]
    source: NDArray[np.int64]


@dataclass(eq=False)
class WalkGraph:
    """Nodes (WGS84 degrees) and undirected edges (node numbers, length in metres)."""

    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    edge_from: NDArray[np.int32]
    edge_to: NDArray[np.int32]
    length: NDArray[np.float64]

    @property
    def node_count(self) -> int:
        return len(self.lat)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            lat=self.lat,
            lon=self.lon,
            edge_from=self.edge_from,
            edge_to=self.edge_to,
            length=self.length,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "WalkGraph":
        with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as arrays:
            return cls(
                lat=arrays["lat"],
                lon=arrays["lon"],
                edge_from=arrays["edge_from"],
                edge_to=arrays["edge_to"],
                length=arrays["length"],
            )

    @functools.cached_property
    def _tree(self) -> cKDTree:
        return cKDTree(_unit_vectors(self.lat, self.lon))

    @functools.cached_property
    def _edges(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """Both directions of every edge, for the sparse matrix."""
        rows = np.concatenate([self.edge_from, self.edge_to]).astype(np.int64)
        columns = np.concatenate([self.edge_to, self.edge_from]).astype(np.int64)
        return rows, columns, np.concatenate([self.length, self.length])

    def snap(self, *, lat: float, lon: float) -> tuple[int, float]:
        """The node nearest the point and the great-circle distance to it in metres."""
        _chord, node = self._tree.query(_unit_vectors(np.array([lat]), np.array([lon]))[0])
        node = int(node)
        metres = geo.haversine_m(
            lat1=lat, lon1=lon, lat2=float(self.lat[node]), lon2=float(self.lon[node])
        )
        return node, metres

    def shortest_paths(self, sources: list[tuple[int, float]], *, limit: float) -> Paths:
        """Multi-source Dijkstra: from the nearest of `sources` ((node, metres already walked to
        reach it), e.g. a facility's snap distance) to every node, searching up to `limit` m.

        Each source gets a virtual node joined to its snap node by an edge as long as its snap
        distance, so one run of SciPy's Dijkstra (`min_only`) answers for all of them.
        """
        n = self.node_count
        if not sources:
            return Paths(metres=np.full(n, math.inf), source=np.full(n, UNREACHED, np.int64))
        rows, columns, weights = self._edges
        count = len(sources)
        virtual = np.arange(n, n + count, dtype=np.int64)
        matrix = csr_matrix(
            (
                np.concatenate([weights, np.array([metres for _node, metres in sources])]),
                (
                    np.concatenate([rows, virtual]),
                    np.concatenate([columns, np.array([node for node, _m in sources])]),
                ),
            ),
            shape=(n + count, n + count),
        )
        metres, _predecessors, origin = dijkstra(
            matrix,
            directed=True,
            indices=virtual,
            min_only=True,
            return_predecessors=True,
            limit=limit,
        )
        origin = origin[:n].astype(np.int64)
        reached = origin >= 0
        origin[reached] -= n
        origin[~reached] = UNREACHED
        return Paths(metres=np.asarray(metres[:n], float), source=origin)

    def reachable_lines(self, metres: NDArray[np.float64], *, limit: float) -> list[list]:
        """The stretches of the network within `limit` metres of the sources, as GeoJSON
        LineString coordinates ([[lon, lat], [lon, lat]]), cut part-way along an edge where
        the walk reaches the limit."""
        a, b, length = self.edge_from, self.edge_to, self.length
        from_a = np.clip(limit - metres[a], 0.0, length)  # how far along the edge from a
        from_b = np.clip(limit - metres[b], 0.0, length)
        whole = (from_a + from_b >= length) & ((from_a > 0) | (from_b > 0))
        lines: list[list] = []

        def point(node_a: int, node_b: int, share: float) -> list[float]:
            lon = self.lon[node_a] + (self.lon[node_b] - self.lon[node_a]) * share
            lat = self.lat[node_a] + (self.lat[node_b] - self.lat[node_a]) * share
            return [round(float(lon), 6), round(float(lat), 6)]

        for i in np.flatnonzero(whole):
            lines.append([point(a[i], b[i], 0.0), point(a[i], b[i], 1.0)])
        for i in np.flatnonzero(~whole & (from_a > 0)):
            lines.append([point(a[i], b[i], 0.0), point(a[i], b[i], from_a[i] / length[i])])
        for i in np.flatnonzero(~whole & (from_b > 0)):
            lines.append([point(b[i], a[i], 0.0), point(b[i], a[i], from_b[i] / length[i])])
        return lines
