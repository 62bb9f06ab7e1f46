"""Hotspot statistics on a square British National Grid lattice: pure functions, no database.

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

Kernel density: the quartic (biweight) kernel K(d) = 3 / (π h²) (1 - d²/h²)² for d < h, summed
over crime points (each with its weight) at every cell centre and given per square kilometre.
"""

import functools
import math
from dataclasses import dataclass

import numpy as np
import shapely
from django.utils.translation import gettext as _
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


def cell_totals(
    grid: Grid,
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


def gi_star(grid: Grid, values: ArrayLike, *, band: float) -> NDArray[np.float64]:
    """Getis-Ord Gi* z-score of every cell, binary distance-band weights with the cell itself.

    A cell whose neighbourhood is the whole study area gets z = 0 (its statistic equals its
    expectation and has no variance). Raises HotspotError when the study area has fewer than
    two cells or every cell has the same value (then Gi* is undefined).
    """
    x = np.asarray(values, float)
    n = len(grid)
    if n < 2:
        raise HotspotError(_("The study area has fewer than two cells: use smaller cells."))
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
    grid: Grid,
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
    grid: Grid, values: ArrayLike, *, band: float, classify_by: str = "q"
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
