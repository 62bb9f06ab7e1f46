"""Hotspot statistics on a British National Grid lattice or H3 hexagons: pure functions.

The grid. Cell (i, j) of size s covers eastings [i*s, (i+1)*s) and northings [j*s, (j+1)*s), so
a point at (E, N) lies in cell (floor(E/s), floor(N/s)) and the cell's lower-left corner is
(floor(E/s)*s, floor(N/s)*s): every analysis with the same cell size uses the same cells,
wherever its study area is. A point exactly on an edge belongs to the cell above or to the right.
The study area is every cell whose centre lies inside (or on the edge of) its boundary.

Getis-Ord Gi* (Getis and Ord 1992; Ord and Getis 1995), with binary distance-band weights: cell
j is a neighbour of cell i when their centres are at most `band` metres apart, the cell itself
included. With x the values of the n study cells, x̄ their mean, S their (population) standard
deviation, W_i the number of neighbours of i and L_i the sum of their values:

    z_i = (L_i - x̄ W_i) / (S * sqrt((n W_i - W_i²) / (n - 1)))

which is the analytical z-score of esda's `G_Local(star=True, transform="B")`. Because the cells
lie on a lattice, "within `band` of this centre" is the same disk of offsets for every cell, so
L and W are correlations of the value raster (and of the study-area mask) with that disk
(`scipy.ndimage.correlate`): O(n k) for k cells in the disk, never an n-by-n matrix.

p-values are two-sided from the normal distribution; q-values are Benjamini-Hochberg false
discovery rate adjustments of all the study area's p-values. A cell is hot (cold) at 99, 95 or
90 % when z > 0 (z < 0) and its q-value (or p-value, if asked) is at most 0.01, 0.05 or 0.10.

H3 hexagons instead of squares (`HexGrid`, `hex_grid_within`): the study area is every H3 cell
of the chosen resolution whose centre lies inside the boundary (H3's own test, on the boundary
in WGS84), a point belongs to the hexagon H3 gives for its latitude and longitude, and the
distance band is between hexagon centres in British National Grid metres. Hexagon centres do
not lie on a lattice of equal offsets, so L and W are sums over the pairs of centres within the
band (`scipy.spatial.cKDTree.query_pairs`); the formula is the same.

Kernel density: the quartic (biweight) kernel K(d) = 3 / (π h²) (1 - d²/h²)² for d < h, summed
over crime points (each with its weight) at every cell centre and given per square kilometre.
"""

import functools
import math
from dataclasses import dataclass

import numpy as np
import shapely
from django.utils.translation import gettext as _
from h3.api import basic_int as h3
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage, stats
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from peoplezones.core import geo

# Bump when a change to this module could change a result, so stored runs say which method made
# them.
METHOD_VERSION = "1"
# Confidence levels, highest first, with the significance (p or q) a cell must reach.
LEVELS = ((99, 0.01), (95, 0.05), (90, 0.10))
NOT_SIGNIFICANT = "not_significant"
CLASSES = (
    *(f"hot_{level}" for level, _alpha in LEVELS),
    NOT_SIGNIFICANT,
    *(f"cold_{level}" for level, _alpha in reversed(LEVELS)),
)
# Beyond these a run would take minutes and gigabytes; the messages suggest bigger cells.
MAX_CELLS = 4_000_000
MAX_BAND_CELLS = 25
KDE_CHUNK = 20_000
SQUARE_METRES_PER_KM2 = 1_000_000


class HotspotError(ValueError):
    """An analysis that cannot be run as asked; the message says why, for the person asking."""


def bng_transformation() -> str:
    """Which WGS84 to British National Grid transformation pyproj is using (for the record)."""
    transformer = geo.to_bng_transformer()
    transformer.transform(-1.1, 52.6)  # pyproj picks the operation when it is used
    return str(transformer.get_last_used_operation().description)


# Array forms of core.geo.to_bng / from_bng, which take one point at a time: an analysis
# converts hundreds of thousands of points at once.
def lat_lon_to_bng(
    lat: ArrayLike, lon: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """WGS84 latitudes and longitudes as British National Grid eastings and northings (m)."""
    easting, northing = geo.to_bng_transformer().transform(
        np.asarray(lon, float), np.asarray(lat, float)
    )
    return np.asarray(easting, float), np.asarray(northing, float)


def bng_to_lon_lat(
    easting: ArrayLike, northing: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """British National Grid metres as WGS84 longitudes and latitudes (GeoJSON order)."""
    lon, lat = geo.from_bng_transformer().transform(
        np.asarray(easting, float), np.asarray(northing, float)
    )
    return np.asarray(lon, float), np.asarray(lat, float)


def geometry_to_bng(geometry: BaseGeometry) -> BaseGeometry:
    """A lon/lat shapely geometry in British National Grid metres."""
    return shapely.transform(
        geometry, lambda xy: np.column_stack(geo.to_bng_transformer().transform(xy[:, 0], xy[:, 1]))
    )


def cell_of(
    easting: ArrayLike, northing: ArrayLike, *, size: float
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The (column, row) of the cell holding each point: floor(E / size), floor(N / size)."""
    column = np.floor(np.asarray(easting, float) / size).astype(np.int64)
    row = np.floor(np.asarray(northing, float) / size).astype(np.int64)
    return column, row


@dataclass(frozen=True, eq=False)
class Grid:
    """The cells of a study area: column and row numbers (lower-left corner = number * size)."""

    size: float
    ix: NDArray[np.int64]
    iy: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.ix)

    @property
    def corner_e(self) -> NDArray[np.float64]:
        return self.ix * float(self.size)

    @property
    def corner_n(self) -> NDArray[np.float64]:
        return self.iy * float(self.size)

    @property
    def centre_e(self) -> NDArray[np.float64]:
        return (self.ix + 0.5) * self.size

    @property
    def centre_n(self) -> NDArray[np.float64]:
        return (self.iy + 0.5) * self.size

    @functools.cached_property
    def _raster(self) -> tuple[int, int, NDArray[np.int64]]:
        """The grid as a raster over its bounding box: origin, and each pixel's cell or -1."""
        if not len(self):
            return 0, 0, np.full((0, 0), -1, np.int64)
        x0, y0 = int(self.ix.min()), int(self.iy.min())
        shape = (int(self.iy.max()) - y0 + 1, int(self.ix.max()) - x0 + 1)
        lookup = np.full(shape, -1, np.int64)
        lookup[self.iy - y0, self.ix - x0] = np.arange(len(self))
        return x0, y0, lookup

    def raster_index(self) -> tuple[NDArray[np.int64], NDArray[np.int64], tuple[int, int]]:
        """Each cell's (row, column) in the raster over the grid's bounding box, and its shape."""
        x0, y0, lookup = self._raster
        return self.iy - y0, self.ix - x0, lookup.shape

    def outlines(self, cells: ArrayLike | None = None) -> list[NDArray[np.float64]]:
        """The outline of each cell (all, or those at positions `cells`) in BNG metres: its four
        corners from the lower left, counter-clockwise, closed."""
        chosen = np.arange(len(self)) if cells is None else np.asarray(cells, np.int64)
        size = float(self.size)
        square = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], float) * size
        return [
            square + np.array([self.corner_e[i], self.corner_n[i]], float) for i in chosen.tolist()
        ]

    def rings_lon_lat(self) -> list[list[tuple[float, float]]]:
        """Every cell's outline as closed (longitude, latitude) rings, counter-clockwise."""
        size = float(self.size)
        east = np.concatenate(
            [self.corner_e, self.corner_e + size, self.corner_e + size, self.corner_e]
        )
        north = np.concatenate(
            [self.corner_n, self.corner_n, self.corner_n + size, self.corner_n + size]
        )
        lon, lat = bng_to_lon_lat(east, north)
        lon, lat = lon.reshape(4, -1), lat.reshape(4, -1)
        return [
            [(float(lon[k, i]), float(lat[k, i])) for k in (0, 1, 2, 3, 0)]
            for i in range(len(self))
        ]

    def locate(self, easting: ArrayLike, northing: ArrayLike) -> NDArray[np.int64]:
        """The position in this grid of the cell holding each point, or -1 outside the grid."""
        column, row = cell_of(easting, northing, size=self.size)
        x0, y0, lookup = self._raster
        column, row = column - x0, row - y0
        inside = (column >= 0) & (row >= 0) & (column < lookup.shape[1]) & (row < lookup.shape[0])
        found = np.full(column.shape, -1, np.int64)
        found[inside] = lookup[row[inside], column[inside]]
        return found


def grid_within(boundary: BaseGeometry, *, size: float) -> Grid:
    """Every cell of the lattice whose centre lies inside (or on the edge of) `boundary`.

    `boundary` is in British National Grid metres. Raises HotspotError for an empty boundary or
    one that would need more than MAX_CELLS cells.
    """
    if boundary.is_empty:
        raise HotspotError(_("The study area is empty."))
    min_e, min_n, max_e, max_n = boundary.bounds
    columns = np.arange(math.floor(min_e / size), math.floor(max_e / size) + 1, dtype=np.int64)
    rows = np.arange(math.floor(min_n / size), math.floor(max_n / size) + 1, dtype=np.int64)
    if len(columns) * len(rows) > MAX_CELLS:
        raise HotspotError(
            _(
                "The study area would need %(cells)s cells of %(size)s m, more than the %(max)s "
                "this can analyse at once. Use bigger cells."
            )
            % {
                "cells": f"{len(columns) * len(rows):,}",
                "size": f"{size:g}",
                "max": f"{MAX_CELLS:,}",
            }
        )
    ix, iy = (grid.ravel() for grid in np.meshgrid(columns, rows))
    shapely.prepare(boundary)
    inside = shapely.intersects_xy(boundary, (ix + 0.5) * size, (iy + 0.5) * size)
    return Grid(size=size, ix=ix[inside], iy=iy[inside])


# H3 resolutions offered: from hexagons of ~3.7 km a side (6) to ~29 m a side (11).
H3_RESOLUTIONS = range(6, 12)


def hex_spacing(resolution: int) -> float:
    """The worldwide average distance between neighbouring H3 centres at `resolution`, in
    metres (`HexGrid.size` is the distance in a grid's own place)."""
    return h3.average_hexagon_edge_length(resolution, unit="m") * math.sqrt(3)


@dataclass(frozen=True, eq=False)
class HexGrid:
    """The H3 hexagons of a study area at one resolution, as integer H3 indexes (sorted)."""

    resolution: int
    cells: NDArray[np.uint64]

    def __len__(self) -> int:
        return len(self.cells)

    @functools.cached_property
    def size(self) -> float:
        """The median distance between neighbouring centres here, in metres (H3's hexagons
        vary in size: in Britain neighbours are about 0.9 to 0.96 of the worldwide average)."""
        if len(self) < 2:
            return hex_spacing(self.resolution)
        centres = np.column_stack([self.centre_e, self.centre_n])
        distances, _nearest = cKDTree(centres).query(centres, k=2)
        return float(np.median(distances[:, 1]))

    @functools.cached_property
    def names(self) -> list[str]:
        """The H3 indexes as the hexadecimal strings other H3 tools read."""
        return [h3.int_to_str(int(cell)) for cell in self.cells]

    @functools.cached_property
    def _centres(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        points = [h3.cell_to_latlng(int(cell)) for cell in self.cells]
        lat = np.array([point[0] for point in points], float)
        lon = np.array([point[1] for point in points], float)
        return lat_lon_to_bng(lat, lon)

    @property
    def centre_e(self) -> NDArray[np.float64]:
        return self._centres[0]

    @property
    def centre_n(self) -> NDArray[np.float64]:
        return self._centres[1]

    @functools.cached_property
    def _positions(self) -> dict[int, int]:
        return {int(cell): index for index, cell in enumerate(self.cells)}

    def locate(self, easting: ArrayLike, northing: ArrayLike) -> NDArray[np.int64]:
        """The position in this grid of the hexagon holding each point, or -1 outside it.

        H3 works on latitude and longitude, so the points are converted back from metres (a
        round trip within a micrometre); each distinct point is looked up once.
        """
        easting = np.asarray(easting, float)
        northing = np.asarray(northing, float)
        if not len(easting):
            return np.empty(0, np.int64)
        lon, lat = bng_to_lon_lat(easting, northing)
        points, which = np.unique(np.column_stack([lat, lon]), axis=0, return_inverse=True)
        positions = self._positions
        found = np.array(
            [
                positions.get(h3.latlng_to_cell(p_lat, p_lon, self.resolution), -1)
                for p_lat, p_lon in points.tolist()
            ],
            np.int64,
        )
        return found[which.ravel()]

    def rings_lon_lat(self) -> list[list[tuple[float, float]]]:
        """Every hexagon's outline as closed (longitude, latitude) rings, counter-clockwise."""
        rings = []
        for cell in self.cells.tolist():
            ring = [(lon, lat) for lat, lon in h3.cell_to_boundary(cell)]
            if not shapely.LinearRing(ring).is_ccw:
                ring.reverse()
            rings.append([*ring, ring[0]])
        return rings

    def outlines(self, cells: ArrayLike | None = None) -> list[NDArray[np.float64]]:
        """The outline of each hexagon (all, or those at positions `cells`) in BNG metres,
        closed."""
        chosen = np.arange(len(self)) if cells is None else np.asarray(cells, np.int64)
        result = []
        for index in chosen.tolist():
            corners = h3.cell_to_boundary(int(self.cells[index]))
            lat = np.array([corner[0] for corner in corners] + [corners[0][0]])
            lon = np.array([corner[1] for corner in corners] + [corners[0][1]])
            result.append(np.column_stack(lat_lon_to_bng(lat, lon)))
        return result


def hex_grid_within(boundary: BaseGeometry, *, resolution: int) -> HexGrid:
    """Every H3 cell of `resolution` whose centre lies inside `boundary` (in BNG metres).

    Raises HotspotError for an empty boundary, an unknown resolution, or one that would need
    more than MAX_CELLS hexagons.
    """
    if resolution not in H3_RESOLUTIONS:
        raise HotspotError(
            _("The H3 resolution must be from %(min)s to %(max)s, not %(value)s.")
            % {"min": H3_RESOLUTIONS[0], "max": H3_RESOLUTIONS[-1], "value": resolution}
        )
    if boundary.is_empty:
        raise HotspotError(_("The study area is empty."))
    estimate = boundary.area / h3.average_hexagon_area(resolution, unit="m^2")
    if estimate > MAX_CELLS:
        raise HotspotError(
            _(
                "The study area would need about %(cells)s H3 cells of resolution %(res)s, more "
                "than the %(max)s this can analyse at once. Use a lower resolution."
            )
            % {"cells": f"{int(estimate):,}", "res": resolution, "max": f"{MAX_CELLS:,}"}
        )
    to_lon_lat = geo.from_bng_transformer()
    in_degrees = shapely.transform(
        boundary, lambda xy: np.column_stack(to_lon_lat.transform(xy[:, 0], xy[:, 1]))
    )
    cells = h3.h3shape_to_cells(h3.geo_to_h3shape(in_degrees), resolution)
    return HexGrid(
        resolution=resolution,
        cells=np.array(sorted(cells), dtype=np.uint64),
    )


def _pair_sums(
    grid: HexGrid, x: NDArray[np.float64], *, band: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """For each hexagon: the sum of the values of the hexagons whose centres are within `band`
    (itself included), and how many there are."""
    centres = np.column_stack([grid.centre_e, grid.centre_n])
    pairs = cKDTree(centres).query_pairs(band, output_type="ndarray")
    if not len(pairs):
        raise HotspotError(
            band_too_small_hex(band=band, resolution=grid.resolution, spacing=grid.size)
        )
    n = len(grid)
    first, second = pairs[:, 0], pairs[:, 1]
    lag = x + np.bincount(first, weights=x[second], minlength=n)
    lag += np.bincount(second, weights=x[first], minlength=n)
    weight = 1.0 + np.bincount(pairs.ravel(), minlength=n)
    return lag, weight


def band_too_small_hex(*, band: float, resolution: int, spacing: float | None = None) -> str:
    spacing = hex_spacing(resolution) if spacing is None else spacing
    return _(
        "The distance band (%(band)s m) is smaller than the distance between neighbouring H3 "
        "hexagons of resolution %(res)s (about %(spacing)s m), so no hexagon would have a "
        "neighbour. Use a wider band or a finer resolution."
    ) % {"band": f"{band:g}", "res": resolution, "spacing": f"{spacing:.0f}"}


def cell_totals(
    grid: Grid | HexGrid,
    easting: ArrayLike,
    northing: ArrayLike,
    *,
    weights: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """The number (or sum of `weights`) of points in each cell of the grid; points elsewhere
    are left out."""
    where = grid.locate(easting, northing)
    inside = where >= 0
    chosen = None if weights is None else np.asarray(weights, float)[inside]
    return np.bincount(where[inside], weights=chosen, minlength=len(grid)).astype(float)


def band_too_small(*, band: float, size: float) -> str:
    return _(
        "The distance band (%(band)s m) is smaller than the cell (%(size)s m), so no cell would "
        "have a neighbour. Use a band of at least one cell."
    ) % {"band": f"{band:g}", "size": f"{size:g}"}


def band_too_wide(*, band: float, size: float) -> str:
    return _(
        "The distance band (%(band)s m) is more than %(max)s cells of %(size)s m. Use bigger "
        "cells or a smaller band."
    ) % {"band": f"{band:g}", "size": f"{size:g}", "max": MAX_BAND_CELLS}


def band_kernel(*, band: float, size: float) -> NDArray[np.float64]:
    """The disk of cell offsets whose centres are at most `band` metres apart, as 0/1 weights."""
    if band < size:
        raise HotspotError(band_too_small(band=band, size=size))
    if band > MAX_BAND_CELLS * size:
        raise HotspotError(band_too_wide(band=band, size=size))
    reach = math.floor(band / size)
    offsets = np.arange(-reach, reach + 1)
    dx, dy = np.meshgrid(offsets, offsets)
    # Whole numbers of cells squared, compared exactly: a centre at exactly `band` is in.
    return ((dx * dx + dy * dy) * size * size <= band * band).astype(float)


def gi_star(grid: Grid | HexGrid, values: ArrayLike, *, band: float) -> NDArray[np.float64]:
    """Getis-Ord Gi* z-score of every cell, binary distance-band weights with the cell itself.

    A cell whose neighbourhood is the whole study area gets z = 0 (its statistic equals its
    expectation and has no variance). Raises HotspotError when the study area has fewer than
    two cells or every cell has the same value (then Gi* is undefined).
    """
    x = np.asarray(values, float)
    n = len(grid)
    if n < 2:
        raise HotspotError(_("The study area has fewer than two cells: use smaller cells."))
    if isinstance(grid, HexGrid):
        if band > MAX_BAND_CELLS * grid.size:
            raise HotspotError(band_too_wide(band=band, size=round(grid.size)))
        lag, weight = _pair_sums(grid, x, band=band)
    else:
        kernel = band_kernel(band=band, size=grid.size)
        rows, columns, shape = grid.raster_index()
        raster = np.zeros(shape)
        raster[rows, columns] = x
        mask = np.zeros(shape)
        mask[rows, columns] = 1.0
        lag = ndimage.correlate(raster, kernel, mode="constant", cval=0.0)[rows, columns]
        weight = ndimage.correlate(mask, kernel, mode="constant", cval=0.0)[rows, columns]
    mean = x.mean()
    spread = math.sqrt(np.mean((x - mean) ** 2))
    if spread == 0:
        raise HotspotError(
            _("Every cell of the study area has the same value, so there are no hotspots to find.")
        )
    denominator = spread * np.sqrt((n * weight - weight * weight) / (n - 1))
    z = np.zeros(n)
    defined = denominator > 0
    z[defined] = (lag[defined] - mean * weight[defined]) / denominator[defined]
    return z


def p_values(z: ArrayLike) -> NDArray[np.float64]:
    """Two-sided p-values of z-scores under the standard normal distribution."""
    return 2.0 * stats.norm.sf(np.abs(np.asarray(z, float)))


def q_values(p: ArrayLike) -> NDArray[np.float64]:
    """Benjamini-Hochberg false discovery rate adjusted p-values (q-values)."""
    p = np.asarray(p, float)
    if not len(p):
        return p.copy()
    return np.asarray(stats.false_discovery_control(p, method="bh"), float)


def classify(z: ArrayLike, significance: ArrayLike) -> NDArray[np.str_]:
    """`hot_99`, `hot_95`, `hot_90`, `cold_…` or `not_significant` for each cell.

    `significance` is the p- or q-value the classes are judged by; a cell is in the highest
    level whose threshold its value is at most.
    """
    z = np.asarray(z, float)
    significance = np.asarray(significance, float)
    classes = np.full(len(z), NOT_SIGNIFICANT, dtype=object)
    for level, alpha in reversed(LEVELS):
        reached = significance <= alpha
        classes[reached & (z > 0)] = f"hot_{level}"
        classes[reached & (z < 0)] = f"cold_{level}"
    return classes.astype(str)


def kernel_density(
    grid: Grid | HexGrid,
    easting: ArrayLike,
    northing: ArrayLike,
    *,
    bandwidth: float,
    weights: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Quartic kernel density of the points at every cell centre, per square kilometre.

    Points sharing a place (police.uk snaps crimes to shared points) are merged first, so the
    cost grows with the number of distinct places, not of crimes.
    """
    if bandwidth <= 0:
        raise HotspotError(_("The kernel density bandwidth must be more than 0 m."))
    points = np.column_stack([np.asarray(easting, float), np.asarray(northing, float)])
    density = np.zeros(len(grid))
    if not len(points) or not len(grid):
        return density
    places, which = np.unique(points, axis=0, return_inverse=True)
    mass = np.bincount(
        which.ravel(),
        weights=None if weights is None else np.asarray(weights, float),
        minlength=len(places),
    ).astype(float)
    tree = cKDTree(places)
    centres = np.column_stack([grid.centre_e, grid.centre_n])
    for start in range(0, len(grid), KDE_CHUNK):
        chunk = centres[start : start + KDE_CHUNK]
        pairs = cKDTree(chunk).sparse_distance_matrix(tree, bandwidth, output_type="ndarray")
        closeness = 1.0 - (pairs["v"] / bandwidth) ** 2
        density[start : start + len(chunk)] += np.bincount(
            pairs["i"], weights=closeness * closeness * mass[pairs["j"]], minlength=len(chunk)
        )
    return density * (3.0 / (math.pi * bandwidth * bandwidth)) * SQUARE_METRES_PER_KM2


@dataclass(frozen=True, eq=False)
class HotspotStats:
    """Gi* of every cell of a grid: z, p, FDR q and class."""

    z: NDArray[np.float64]
    p: NDArray[np.float64]
    q: NDArray[np.float64]
    classes: NDArray[np.str_]


def hotspot_stats(
    grid: Grid | HexGrid, values: ArrayLike, *, band: float, classify_by: str = "q"
) -> HotspotStats:
    """Gi* z, p, q and classes of `values` on `grid`; classes judged by "q" (default) or "p"."""
    if classify_by not in ("p", "q"):
        raise HotspotError(
            _("Classes are judged by p or q, not “%(value)s”.") % {"value": classify_by}
        )
    z = gi_star(grid, values, band=band)
    p = p_values(z)
    q = q_values(p)
    return HotspotStats(z=z, p=p, q=q, classes=classify(z, q if classify_by == "q" else p))
