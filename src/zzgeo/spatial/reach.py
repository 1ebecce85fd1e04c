"""Which demand cells lie within reach of a site (a shelter, a childcare centre ...): straight line or along a road network.

:func:`reach_pairs` returns every (cell, site) pair within reach as a
:class:`Pairs`. Straight-line reach uses an STRtree ``dwithin`` query of the
sites against the cell centres in EPSG:4547; a polygon site is measured from
its edge, a point site from the point. When the demand is a regular grid
(``attrs["cell_m"]`` set by :mod:`zzgeo.spatial.surface` and every point a
cell centre) and all sites are points, the same pairs come from a direct
lookup of the grid cells around each site, which needs no tree.

Network reach (:func:`network_pairs`) takes the user's road lines: they are
noded (``shapely.node``, so crossing lines connect), densified to vertices at
most 50 m apart, split into segments whose ends become graph nodes, and searched with Dijkstra (``scipy.sparse.csgraph``)
from each site, cut off at its radius. A cell or site reaches the network at
its nearest node, and that straight-line access distance counts towards the
radius. Polygon sites enter the network at their representative point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from zzgeo.crs import METRIC_CRS, require_crs
from zzgeo.errors import GeometryError, SchemaError
from zzgeo.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["Pairs", "reach_pairs", "network_pairs", "metric_points"]


@dataclass(frozen=True)
class Pairs:
    """Cell-site pairs within reach.

    Attributes
    ----------
    cell, site : numpy.ndarray
        Positions into the demand and site frames.
    distance_m : numpy.ndarray or None
        Distance of each pair (``None`` when not asked for).
    metric : str
        ``"euclidean"`` or ``"network"``.

    Examples
    --------
    Three pairs; :meth:`subset` keeps those under 100 m:

    >>> import numpy as np
    >>> from zzgeo.spatial import Pairs
    >>> pairs = Pairs(np.array([0, 1, 2]), np.array([0, 0, 1]), np.array([0.0, 250.0, 75.0]), "euclidean")
    >>> len(pairs)
    3
    >>> near = pairs.subset(pairs.distance_m < 100)
    >>> near.cell.tolist(), near.site.tolist(), near.distance_m.tolist()
    ([0, 2], [0, 1], [0.0, 75.0])
    """

    cell: np.ndarray
    site: np.ndarray
    distance_m: np.ndarray | None
    metric: str

    def __len__(self) -> int:
        return len(self.cell)

    def subset(self, mask: np.ndarray) -> Pairs:
        """Pairs where *mask* is true."""
        dist = None if self.distance_m is None else self.distance_m[mask]
        return Pairs(self.cell[mask], self.site[mask], dist, self.metric)


def metric_points(gdf: gpd.GeoDataFrame, *, name: str = "input") -> np.ndarray:
    """Geometries of *gdf* in EPSG:4547 as a numpy array (checks the CRS).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any CRS.
    name : str
        How *gdf* is named in the error.

    Returns
    -------
    numpy.ndarray of shapely geometries

    Raises
    ------
    CRSError
        *gdf* has no CRS.

    Examples
    --------
    二七广场 (113.6654 E, 34.7536 N) in CGCS2000 / 3-degree Gauss-Kruger CM 114E metres:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.spatial import metric_points
    >>> [(round(p.x), round(p.y)) for p in metric_points(gpd.GeoDataFrame(geometry=[Point(113.6654, 34.7536)], crs=4326))]
    [(469364, 3847309)]
    """
    require_crs(gdf, name=name)
    return np.asarray(gdf.geometry.to_crs(METRIC_CRS).values)


def _radii(radius_m, n: int) -> np.ndarray:
    radii = np.broadcast_to(np.asarray(radius_m, dtype="float64"), (n,)).copy()
    if n and not (np.isfinite(radii).all() and (radii >= 0).all()):
        raise SchemaError(_("service radii must be non-negative numbers of metres, got {radii!r}").format(
            radii=sorted(set(radii.tolist()))[:5]))
    return radii


def reach_pairs(
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    radius_m,
    *,
    network: gpd.GeoDataFrame | None = None,
    with_distance: bool = True,
) -> Pairs:
    """All (cell, site) pairs with the cell within the site's radius.

    Parameters
    ----------
    demand : geopandas.GeoDataFrame
        Demand points (cell centres), any CRS.
    sites : geopandas.GeoDataFrame
        Shelters or candidates (points or polygons), any CRS.
    radius_m : float or array-like
        Service radius of each site (or one for all), metres.
    network : geopandas.GeoDataFrame, optional
        Road lines; when given distances run along them (see module notes).
    with_distance : bool, default True
        Also compute each pair's distance (needed by the nearest-first
        assignment; coverage alone does not need it).

    Returns
    -------
    Pairs
        Sorted by site, then cell, whichever way they were found.

    Raises
    ------
    CRSError
        *demand* or *sites* has no CRS.
    SchemaError
        A radius is negative or not a finite number.

    Examples
    --------
    Three cells of a 250 m grid in a row. A point site at the first centre
    with a 300 m radius reaches the first two (0 m and 250 m), not the third
    (500 m); a 100 m x 250 m block 75 m beyond the third centre, with a
    100 m radius, reaches only the third (measured from its edge: 75 m).

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> from zzgeo.spatial import reach_pairs
    >>> x0, y0 = 469_250, 3_847_250  # near 二七广场, EPSG:4547 metres
    >>> cells = gpd.GeoDataFrame(geometry=[Point(x0 + 125 + 250 * i, y0 + 125) for i in range(3)], crs="EPSG:4547")
    >>> sites = gpd.GeoDataFrame(geometry=[Point(x0 + 125, y0 + 125), box(x0 + 700, y0, x0 + 800, y0 + 250)], crs="EPSG:4547")
    >>> pairs = reach_pairs(cells, sites, [300, 100])
    >>> pairs.cell.tolist(), pairs.site.tolist(), pairs.distance_m.tolist()
    ([0, 1, 2], [0, 0, 1], [0.0, 250.0, 75.0])
    """
    return _in_order(_pairs(demand, sites, radius_m, network=network, with_distance=with_distance))


def _in_order(pairs: Pairs) -> Pairs:
    """Pairs sorted by site, then cell: the same order whichever path (or partitioning) found them."""
    order = np.lexsort((pairs.cell, pairs.site))
    return Pairs(pairs.cell[order], pairs.site[order], None if pairs.distance_m is None else pairs.distance_m[order], pairs.metric)


def _pairs(demand, sites, radius_m, *, network, with_distance) -> Pairs:
    import shapely

    cells = metric_points(demand, name="demand")
    geoms = metric_points(sites, name="sites")
    radii = _radii(radius_m, len(geoms))
    if network is not None:
        return network_pairs(cells, geoms, radii, network)
    points_only = len(geoms) > 0 and bool((shapely.get_type_id(geoms) == 0).all())
    cell_m = demand.attrs.get("cell_m") if hasattr(demand, "attrs") else None
    if points_only and cell_m:
        fast = _grid_pairs(shapely.get_coordinates(cells), shapely.get_coordinates(geoms), radii, float(cell_m))
        if fast is not None:
            cell, site, dist = fast
            return Pairs(cell, site, dist if with_distance else None, "euclidean")
    tree = shapely.STRtree(cells)
    cell_parts, site_parts = [], []
    for radius in np.unique(radii):
        idx = np.flatnonzero(radii == radius)
        s, c = tree.query(geoms[idx], predicate="dwithin", distance=float(radius))
        site_parts.append(idx[s])
        cell_parts.append(c)
    cell = np.concatenate(cell_parts) if cell_parts else np.empty(0, dtype=np.int64)
    site = np.concatenate(site_parts) if site_parts else np.empty(0, dtype=np.int64)
    dist = None
    if with_distance:
        if len(geoms) and (shapely.get_type_id(geoms) == 0).all():
            cx, cy = shapely.get_x(cells), shapely.get_y(cells)
            sx, sy = shapely.get_x(geoms), shapely.get_y(geoms)
            dist = np.hypot(cx[cell] - sx[site], cy[cell] - sy[site])
        else:
            dist = shapely.distance(cells[cell], geoms[site])
    return Pairs(cell.astype(np.int64), site.astype(np.int64), dist, "euclidean")


def _grid_pairs(cxy: np.ndarray, sxy: np.ndarray, radii: np.ndarray, cell_m: float, *, chunk: int = 20_000_000):
    """Pairs for point sites when the cells are centres of a regular ``cell_m`` grid (else ``None``).

    Looks up the grid cells in the square around each site through a dense
    index of the grid and keeps those whose centre is within the radius - the
    same pairs as an STRtree ``dwithin`` query, without building a tree.
    """
    if len(cxy) == 0:
        return None
    fx, fy = cxy[:, 0] / cell_m - 0.5, cxy[:, 1] / cell_m - 0.5
    ix, iy = np.rint(fx).astype(np.int64), np.rint(fy).astype(np.int64)
    if not (np.allclose(fx, ix, rtol=0, atol=1e-6) and np.allclose(fy, iy, rtol=0, atol=1e-6)):
        return None
    x0, y0 = ix.min(), iy.min()
    width, height = int(ix.max() - x0 + 1), int(iy.max() - y0 + 1)
    if width * height > 60_000_000:
        return None
    lookup = np.full((height, width), -1, dtype=np.int64)
    lookup[iy - y0, ix - x0] = np.arange(len(cxy))
    if (lookup >= 0).sum() != len(cxy):  # two points in one cell: not a plain grid
        return None
    si = np.floor(sxy[:, 0] / cell_m).astype(np.int64) - x0
    sj = np.floor(sxy[:, 1] / cell_m).astype(np.int64) - y0
    cells, sites, dists = [], [], []
    for radius in np.unique(radii):
        k = int(np.ceil(radius / cell_m)) + 1
        di, dj = np.meshgrid(np.arange(-k, k + 1), np.arange(-k, k + 1))
        di, dj = di.ravel(), dj.ravel()
        idx = np.flatnonzero(radii == radius)
        step = max(1, chunk // len(di))
        for lo in range(0, len(idx), step):
            part = idx[lo: lo + step]
            gi = si[part, None] + di[None, :]
            gj = sj[part, None] + dj[None, :]
            inside = (gi >= 0) & (gi < width) & (gj >= 0) & (gj < height)
            owner = np.broadcast_to(part[:, None], gi.shape)[inside]
            cell = lookup[gj[inside], gi[inside]]
            found = cell >= 0
            cell, owner = cell[found], owner[found]
            dist = np.hypot(cxy[cell, 0] - sxy[owner, 0], cxy[cell, 1] - sxy[owner, 1])
            keep = dist <= radius
            cells.append(cell[keep])
            sites.append(owner[keep])
            dists.append(dist[keep])
    return np.concatenate(cells), np.concatenate(sites).astype(np.int64), np.concatenate(dists)


def _graph(lines: np.ndarray, max_segment_m: float):
    """Nodes (x, y) and a symmetric CSR matrix of segment lengths from noded, densified lines."""
    import scipy.sparse as sp
    import shapely

    noded = shapely.segmentize(shapely.node(shapely.multilinestrings(lines)), max_segment_m)
    parts = shapely.get_parts(noded)
    coords, index = shapely.get_coordinates(parts, return_index=True)
    same = index[1:] == index[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    keys = np.round(np.vstack([a, b]), 2)
    nodes, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    u, v = inverse[: len(a)], inverse[len(a):]
    length = np.hypot(*(a - b).T)
    keep = u != v
    u, v, length = u[keep], v[keep], length[keep]
    n = len(nodes)
    graph = sp.coo_matrix((np.r_[length, length], (np.r_[u, v], np.r_[v, u])), shape=(n, n)).tocsr()
    graph.sum_duplicates()
    return nodes, graph


def network_pairs(
    cells: np.ndarray, sites: np.ndarray, radii: np.ndarray, network: gpd.GeoDataFrame, *, max_segment_m: float = 50.0
) -> Pairs:
    """(cell, site) pairs within reach along a road network (see module notes).

    Parameters
    ----------
    cells, sites : numpy.ndarray of shapely geometries
        In EPSG:4547.
    radii : numpy.ndarray
        Radius of each site, metres.
    network : geopandas.GeoDataFrame
        LineStrings / MultiLineStrings, any CRS.
    max_segment_m : float, default 50
        Lines are densified to vertices at most this far apart, so a cell
        joins the network within ``max_segment_m / 2`` of its nearest point.

    Returns
    -------
    Pairs
        ``metric = "network"``; each distance is the site's access to the
        network, the route along it and the cell's access.

    Raises
    ------
    GeometryError
        The network holds no lines.

    Examples
    --------
    A straight 1 km road east from a site on it, radius 700 m. A cell 30 m
    off the road at 100 m walks 100 + 30 = 130 m; a cell on the road at 600 m,
    600 m. A cell 650 m north of the 100 m point is 658 m away in a straight
    line, but 100 + 650 = 750 m by the road: out of reach.

    >>> import geopandas as gpd
    >>> import numpy as np
    >>> from shapely.geometry import LineString, Point
    >>> from zzgeo.spatial import network_pairs
    >>> x0, y0 = 469_250, 3_847_250  # near 二七广场, EPSG:4547 metres
    >>> road = gpd.GeoDataFrame(geometry=[LineString([(x0, y0), (x0 + 1000, y0)])], crs="EPSG:4547")
    >>> cells = np.array([Point(x0 + 100, y0 + 30), Point(x0 + 600, y0), Point(x0 + 100, y0 + 650)])
    >>> pairs = network_pairs(cells, np.array([Point(x0, y0)]), np.array([700.0]), road)
    >>> pairs.cell.tolist(), pairs.distance_m.round(1).tolist(), pairs.metric
    ([0, 1], [130.0, 600.0], 'network')
    """
    import shapely
    from scipy.sparse.csgraph import dijkstra
    from scipy.spatial import cKDTree

    name = network.attrs.get("source", "network") if hasattr(network, "attrs") else "network"
    lines = metric_points(network, name=name)
    lines = lines[np.isin(shapely.get_type_id(lines), (1, 5))]
    lines = shapely.get_parts(lines)
    if len(lines) == 0:
        raise GeometryError(_("{name} holds no LineString geometries; give the road centre lines (--network)").format(name=name))
    nodes, graph = _graph(lines, max_segment_m)
    tree = cKDTree(nodes)
    cxy = shapely.get_coordinates(cells)
    c_snap, c_node = tree.query(cxy)
    s_xy = shapely.get_coordinates(shapely.point_on_surface(sites)) if len(sites) else np.empty((0, 2))
    s_snap, s_node = tree.query(s_xy) if len(sites) else (np.empty(0), np.empty(0, dtype=int))
    order = np.argsort(c_node, kind="stable")
    starts = np.searchsorted(c_node[order], np.arange(len(nodes) + 1))
    chunk = max(1, int(2e7 // max(len(nodes), 1)))
    cell_parts, site_parts, dist_parts = [], [], []
    for lo in range(0, len(sites), chunk):
        idx = np.arange(lo, min(lo + chunk, len(sites)))
        budget = radii[idx] - s_snap[idx]
        if (budget < 0).all():
            continue
        dist = dijkstra(graph, indices=s_node[idx], limit=float(max(budget.max(), 0.0)))
        dist = np.atleast_2d(dist)
        for row, s in enumerate(idx):
            reach = np.flatnonzero(dist[row] <= budget[row])
            if len(reach) == 0:
                continue
            counts = starts[reach + 1] - starts[reach]
            members = order[np.repeat(starts[reach], counts) + _ranges(counts)]
            total = dist[row][c_node[members]] + c_snap[members] + s_snap[s]
            ok = total <= radii[s]
            cell_parts.append(members[ok])
            site_parts.append(np.full(int(ok.sum()), s))
            dist_parts.append(total[ok])
    if not cell_parts:
        empty = np.empty(0, dtype=np.int64)
        return Pairs(empty, empty, np.empty(0), "network")
    return Pairs(
        np.concatenate(cell_parts).astype(np.int64),
        np.concatenate(site_parts).astype(np.int64),
        np.concatenate(dist_parts),
        "network",
    )


def _ranges(counts: np.ndarray) -> np.ndarray:
    """``[0..c0-1, 0..c1-1, ...]`` for an array of counts."""
    if len(counts) == 0:
        return np.empty(0, dtype=np.int64)
    ends = np.cumsum(counts)
    return np.arange(ends[-1]) - np.repeat(ends - counts, counts)
