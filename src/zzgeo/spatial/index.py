"""Exact point-in-polygon lookups at close to the cost of an array lookup.

:class:`PolygonIndex` rasterises a set of polygons once (``rasterio.features.rasterize``)
on a grid of square cells. Every cell that a polygon boundary touches, and
every cell next to such a cell, is *dirty*; every other cell lies wholly inside
one polygon (or several overlapping ones) or wholly outside all of them, so its
centre answers for any point in it. A point in a clean cell gets its polygon
from the array; a point in a dirty cell (a few per cent near the edges) gets
the exact shapely predicate on prepared polygons. The answers are those of the
plain predicate on every point, including points on a boundary:

* ``"intersects"`` (default): a point on a boundary belongs to the polygon;
  where polygons share an edge or overlap, the one listed first wins.
* ``"within"``: only points in a polygon's interior belong to it (as
  ``point.within(polygon)`` and ``geopandas.sjoin(predicate="within")``).

The one-cell margin around dirty cells absorbs the rounding of a coordinate
to its cell, so no point is answered from the wrong side of an edge.

The grid is built on the first query that is large enough to pay for it
(:data:`_EXACT_BELOW` points or boxes): a handful of points, as in a one-parcel
lookup, is answered by the exact predicate through a plain STRtree, with the
same answers, without rasterising millions of cells.

For polygons, :meth:`PolygonIndex.uniform` tells from summed-area tables
whether a bounding box lies wholly inside one polygon (no dirty cell, one
label); only the other polygons need an exact intersection.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np

from zzgeo.errors import GeometryError, SchemaError
from zzgeo.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    import shapely

__all__ = ["PREDICATES", "PolygonIndex", "polygon_index"]

PREDICATES = ("intersects", "within")
_DEFAULT_CELLS = 4_000_000


class PolygonIndex:
    """A rasterised index of polygons answering exact point queries (see module notes).

    Parameters
    ----------
    polygons : array-like of shapely geometries
        Polygons or multipolygons, all in one CRS (the points' CRS).
    max_cells : int, default 4,000,000
        Size of the grid; finer grids leave fewer points to the exact test.

    Raises
    ------
    GeometryError
        No polygons, or missing/empty/non-polygon geometries.

    See Also
    --------
    polygon_index : The same index, cached for polygons asked for again.

    Examples
    --------
    Two unit squares sharing the edge x = 1. A point on that edge belongs to
    both under ``"intersects"`` (the first listed wins: 0) and to neither
    under ``"within"`` (-1); a point far away lies in none (-1):

    >>> from shapely.geometry import Point, box
    >>> from zzgeo.spatial import PolygonIndex
    >>> index = PolygonIndex([box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> x, y = [0.5, 1.0, 1.5, 5.0], [0.5, 0.5, 0.5, 0.5]
    >>> index.query_xy(x, y).tolist()
    [0, 0, 1, -1]
    >>> index.query_xy(x, y, predicate="within").tolist()
    [0, -1, 1, -1]

    Shapely points work too; a missing or empty point lies in none:

    >>> index.query([Point(1.5, 0.2), None, Point()]).tolist()
    [1, -1, -1]

    >>> PolygonIndex([])
    Traceback (most recent call last):
    ...
    zzgeo.errors.GeometryError: PolygonIndex needs at least one polygon
    """

    def __init__(self, polygons, *, max_cells: int = _DEFAULT_CELLS) -> None:
        import shapely

        geoms = np.asarray(polygons, dtype=object)
        if len(geoms) == 0:
            raise GeometryError(_("PolygonIndex needs at least one polygon"))
        if (shapely.is_missing(geoms) | shapely.is_empty(geoms)).any() or not np.isin(shapely.get_type_id(geoms), (3, 6)).all():
            raise GeometryError(_("PolygonIndex takes non-empty Polygon/MultiPolygon geometries only"))
        self.geoms = geoms.copy()
        shapely.prepare(self.geoms)
        self._grid(shapely.total_bounds(geoms), max_cells)
        self._code: np.ndarray | None = None  # the grid: label where clean, -label - 1 where a boundary is near
        self._labels: np.ndarray | None = None
        self._tree: shapely.STRtree | None = None
        self._tables: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def labels(self) -> np.ndarray:
        """Grid of 1-based polygon positions (0: in none), built on first use."""
        if self._labels is None:
            code = self._rasterised()
            self._labels = np.where(code < 0, -code - 1, code).astype(code.dtype)
        return self._labels

    @property
    def dirty(self) -> np.ndarray:
        """Grid of cells a boundary touches, with a one-cell margin, built on first use."""
        return self._rasterised() < 0

    @property
    def rasterised(self) -> bool:
        """Whether the grid has been built (queries of fewer than :data:`_EXACT_BELOW` points do not build it)."""
        return self._code is not None

    def _grid(self, bounds: np.ndarray, max_cells: int) -> None:
        minx, miny, maxx, maxy = (float(b) for b in bounds)
        self.extent = (minx, miny, maxx, maxy)
        span_x, span_y = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
        size = float(np.sqrt(span_x * span_y / max(max_cells, 16)))
        size = max(size, span_x / 20000, span_y / 20000)
        self.cell = size
        self.x0, self.y0 = minx - 2 * size, maxy + 2 * size
        self.width = int(np.ceil(span_x / size)) + 4
        self.height = int(np.ceil(span_y / size)) + 4

    def _rasterised(self) -> np.ndarray:
        """The grid as one array: a cell's label where no boundary is near, ``-label - 1`` where one is (the exact
        test decides there). A point query reads one array instead of two, at one flat position."""
        if self._code is None:
            labels, dirty = self._rasterise()
            code = labels.copy()
            code[dirty] = -code[dirty] - 1
            self._code = code
        return self._code

    def _rasterise(self) -> tuple[np.ndarray, np.ndarray]:
        import shapely
        from affine import Affine
        from rasterio.features import rasterize
        from scipy.ndimage import binary_dilation

        transform = Affine(self.cell, 0.0, self.x0, 0.0, -self.cell, self.y0)
        shape = (self.height, self.width)
        dtype = "int16" if len(self.geoms) < 32000 else "int32"
        # burn the last polygon first so that the first listed wins where polygons overlap
        pairs = [(g, i + 1) for i, g in reversed(list(enumerate(self.geoms)))]
        labels = rasterize(pairs, out_shape=shape, transform=transform, fill=0, all_touched=False, dtype=dtype)
        edges = rasterize(((b, 1) for b in shapely.boundary(self.geoms)), out_shape=shape, transform=transform,
                          fill=0, all_touched=True, dtype="uint8")
        return labels, binary_dilation(edges.astype(bool), structure=np.ones((3, 3), dtype=bool))

    # -- points ------------------------------------------------------------------------------

    def _cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        with np.errstate(invalid="ignore"):
            col = np.floor((x - self.x0) / self.cell)
            row = np.floor((self.y0 - y) / self.cell)
        inside = (col >= 0) & (col < self.width) & (row >= 0) & (row < self.height)  # NaN compares False
        return row[inside].astype(np.int64), col[inside].astype(np.int64), inside

    def query_xy(self, x, y, *, predicate: str = "intersects") -> np.ndarray:
        """Position of the polygon each point lies in, ``-1`` for none.

        Parameters
        ----------
        x, y : array-like
            Coordinates in the polygons' CRS; NaN gives ``-1``.
        predicate : {"intersects", "within"}
            See module notes.

        Returns
        -------
        numpy.ndarray of int64
        """
        if predicate not in PREDICATES:
            raise SchemaError(_("predicate={predicate!r}; use one of {predicates}").format(predicate=predicate, predicates=PREDICATES))
        x = np.asarray(x, dtype="float64").ravel()
        y = np.asarray(y, dtype="float64").ravel()
        if self._code is None and len(x) < _EXACT_BELOW:
            return self._exact(x, y, predicate)
        out = np.full(len(x), -1, dtype=np.int64)
        row, col, inside = self._cells(x, y)
        idx = np.flatnonzero(inside)
        code = self._rasterised().ravel().take(row * self.width + col)
        out[idx] = code - 1
        exact = idx[code < 0]
        if len(exact):
            out[exact] = self._exact(x[exact], y[exact], predicate)
        return out

    def query(self, points, *, predicate: str = "intersects") -> np.ndarray:
        """:meth:`query_xy` for an array of shapely points (missing or empty points give ``-1``)."""
        import shapely

        geoms = np.asarray(points, dtype=object)
        xy = np.full((len(geoms), 2), np.nan)
        ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        if ok.any():
            xy[ok] = shapely.get_coordinates(geoms[ok])
        return self.query_xy(xy[:, 0], xy[:, 1], predicate=predicate)

    def containing(self, x: float, y: float, *, predicate: str = "intersects") -> np.ndarray:
        """Positions of every polygon one point lies in, in ascending order (overlapping polygons give several).

        One tree query answers for all the polygons of the index; :meth:`query_xy` of a subset of them gives the
        first of these positions that the subset holds. A lookup asks this once for the zones of every table and use.

        Parameters
        ----------
        x, y : float
            The point, in the polygons' CRS.
        predicate : {"intersects", "within"}
            As in :meth:`query_xy`.

        Returns
        -------
        numpy.ndarray of int64

        Examples
        --------
        >>> from shapely.geometry import box
        >>> index = PolygonIndex([box(0, 0, 2, 2), box(5, 5, 6, 6), box(1, 1, 3, 3)])
        >>> index.containing(1.5, 1.5).tolist(), index.containing(4.0, 4.0).tolist()
        ([0, 2], [])
        >>> index.containing(2.0, 2.0).tolist(), index.containing(2.0, 2.0, predicate="within").tolist()
        ([0, 2], [2])
        """
        import shapely

        if predicate not in PREDICATES:
            raise SchemaError(_("predicate={predicate!r}; use one of {predicates}").format(predicate=predicate, predicates=PREDICATES))
        if self._tree is None:
            self._tree = shapely.STRtree(self.geoms)
        point = shapely.Point(float(x), float(y))
        candidates = self._tree.query(point)
        test = shapely.intersects if predicate == "intersects" else shapely.contains_properly
        return np.sort(candidates[test(self.geoms[candidates], point)]).astype(np.int64)

    def _exact(self, x: np.ndarray, y: np.ndarray, predicate: str) -> np.ndarray:
        import shapely

        if self._tree is None:
            self._tree = shapely.STRtree(self.geoms)
        pts = shapely.points(x, y)
        p, g = self._tree.query(pts)  # bounding boxes only; the predicate runs on prepared polygons
        test = shapely.intersects if predicate == "intersects" else shapely.contains_properly
        keep = test(self.geoms[g], pts[p])
        p, g = p[keep], g[keep]
        out = np.full(len(x), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(out, p, g)
        out[out == np.iinfo(np.int64).max] = -1
        return out

    # -- boxes -------------------------------------------------------------------------------

    def _summed_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._tables is None:
            def table(values: np.ndarray) -> np.ndarray:
                out = np.zeros((self.height + 1, self.width + 1), dtype=np.int64)
                out[1:, 1:] = values.astype(np.int64).cumsum(0).cumsum(1)
                return out

            labels = self.labels.astype(np.int64)
            self._tables = (table(self.dirty), table(labels), table(labels * labels))
        return self._tables

    def _uniform_exact(self, bounds: np.ndarray) -> np.ndarray:
        """:meth:`uniform` by exact predicates on the boxes: cheaper than summed-area tables for a few boxes."""
        import shapely

        if self._tree is None:
            self._tree = shapely.STRtree(self.geoms)
        boxes = shapely.box(*bounds.T)
        out = np.full(len(bounds), -2, dtype=np.int64)
        hits = np.bincount(self._tree.query(boxes, predicate="intersects")[0], minlength=len(boxes))
        out[hits == 0] = -1
        b, g = self._tree.query(boxes, predicate="within")
        lone = (hits[b] == 1)  # within one polygon and touching no other: wholly that polygon's
        out[b[lone]] = g[lone]
        return out

    def uniform(self, bounds: np.ndarray) -> np.ndarray:
        """For each box, the polygon it lies wholly inside (``-1``: wholly outside all), or ``-2`` when unsure.

        Parameters
        ----------
        bounds : numpy.ndarray
            ``(n, 4)`` array of ``minx, miny, maxx, maxy`` in the polygons' CRS.

        Returns
        -------
        numpy.ndarray of int64
            ``-2`` where the box touches a dirty cell, holds cells of different
            polygons, or leaves the grid: those need an exact intersection.
            Fewer than a few hundred boxes are tested exactly instead (building
            the summed-area tables costs more than that).

        Examples
        --------
        With the squares ``[0, 1] x [0, 1]`` and ``[1, 2] x [0, 1]``: a box
        inside the first, a box across their shared edge (unsure: -2), and a
        box away from both (-1):

        >>> import numpy as np
        >>> from shapely.geometry import box
        >>> from zzgeo.spatial import polygon_index
        >>> index = polygon_index([box(0, 0, 1, 1), box(1, 0, 2, 1)])
        >>> index.uniform(np.array([[0.2, 0.2, 0.4, 0.4], [0.9, 0.2, 1.1, 0.4], [3, 3, 4, 4]])).tolist()
        [0, -2, -1]
        """
        bounds = np.asarray(bounds, dtype="float64").reshape(-1, 4)
        if len(bounds) < _EXACT_BELOW:
            return self._uniform_exact(bounds)
        out = np.full(len(bounds), -2, dtype=np.int64)
        minx, miny, maxx, maxy = self.extent
        out[(bounds[:, 2] < minx) | (bounds[:, 0] > maxx) | (bounds[:, 3] < miny) | (bounds[:, 1] > maxy)] = -1
        with np.errstate(invalid="ignore"):
            c0 = np.floor((bounds[:, 0] - self.x0) / self.cell)
            c1 = np.floor((bounds[:, 2] - self.x0) / self.cell)
            r0 = np.floor((self.y0 - bounds[:, 3]) / self.cell)
            r1 = np.floor((self.y0 - bounds[:, 1]) / self.cell)
        ok = (c0 >= 0) & (r0 >= 0) & (c1 < self.width) & (r1 < self.height) & (out == -2)
        if not ok.any():
            return out
        r0, r1, c0, c1 = (a[ok].astype(np.int64) for a in (r0, r1, c0, c1))
        dirty, s1, s2 = self._summed_tables()

        def box_sum(t: np.ndarray) -> np.ndarray:
            return t[r1 + 1, c1 + 1] - t[r0, c1 + 1] - t[r1 + 1, c0] + t[r0, c0]

        n = (r1 - r0 + 1) * (c1 - c0 + 1)
        corner = self.labels[r0, c0].astype(np.int64)
        same = (box_sum(dirty) == 0) & (box_sum(s1) == n * corner) & (box_sum(s2) == n * corner * corner)
        idx = np.flatnonzero(ok)
        out[idx[same]] = corner[same] - 1
        return out


def _fingerprint(geoms: np.ndarray) -> str:
    import shapely

    digest = hashlib.sha1()
    for wkb in shapely.to_wkb(geoms):
        digest.update(wkb)
    return digest.hexdigest()


#: Below this many points or boxes, queries use the exact predicate instead of building the grid or summed-area tables.
_EXACT_BELOW = 512

_CACHE: OrderedDict[tuple[str, int], PolygonIndex] = OrderedDict()
_CACHE_SIZE = 16
#: The same geometry objects asked for again (a layer's cached arrays, masked per call) -> their WKB key, without
#: hashing the WKB again: shapely geometries are immutable, and the entry keeps the objects alive, so their ids
#: cannot be reused by other objects while it is here.
_BY_IDENTITY: OrderedDict[tuple[tuple[int, ...], int], tuple[np.ndarray, tuple[str, int]]] = OrderedDict()
_IDENTITY_SIZE = 64


def polygon_index(polygons, *, max_cells: int = _DEFAULT_CELLS) -> PolygonIndex:
    """A :class:`PolygonIndex` of *polygons*, reused while the same polygons are asked for again.

    The last 16 indexes are kept, keyed by the polygons' WKB and *max_cells*.

    Parameters
    ----------
    polygons : array-like of shapely geometries
        Polygons or multipolygons, all in one CRS.
    max_cells : int, default 4,000,000
        Size of the grid (see :class:`PolygonIndex`).

    Returns
    -------
    PolygonIndex

    Raises
    ------
    GeometryError
        No polygons, or missing/empty/non-polygon geometries.

    Examples
    --------
    The same polygons give the same index object, built once; another grid
    size is another index:

    >>> from shapely.geometry import box
    >>> from zzgeo.spatial import polygon_index
    >>> squares = [box(0, 0, 1, 1), box(1, 0, 2, 1)]
    >>> index = polygon_index(squares)
    >>> polygon_index(squares) is index, polygon_index(squares, max_cells=10_000) is index
    (True, False)
    >>> index.query_xy([0.5, 1.5, 5.0], [0.5, 0.5, 0.5]).tolist()  # -1 = in no polygon
    [0, 1, -1]
    """
    geoms = np.asarray(polygons, dtype=object)
    same = (tuple(map(id, geoms)), int(max_cells))
    known = _BY_IDENTITY.get(same)
    key = known[1] if known is not None else (_fingerprint(geoms), int(max_cells))
    if known is None:
        _BY_IDENTITY[same] = (geoms, key)
        while len(_BY_IDENTITY) > _IDENTITY_SIZE:
            _BY_IDENTITY.popitem(last=False)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    index = PolygonIndex(geoms, max_cells=max_cells)
    _CACHE[key] = index
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return index
