"""The rasterised point-in-polygon index gives exactly the plain predicate's answer, edges included."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon, box

from zzgeo.errors import GeometryError, SchemaError
from zzgeo.spatial.index import PolygonIndex, polygon_index


def _plain(geoms: np.ndarray, x: np.ndarray, y: np.ndarray, predicate: str) -> np.ndarray:
    """The reference: STRtree with the plain predicate, the first polygon listed wins."""
    p, g = shapely.STRtree(geoms).query(shapely.points(x, y), predicate=predicate)
    out = np.full(len(x), -1)
    first = pd.Series(g, index=p).groupby(level=0).min()
    out[first.index.to_numpy()] = first.to_numpy()
    return out


def _edge_points(geoms: np.ndarray, rng: np.random.Generator, per_polygon: int) -> np.ndarray:
    """Points on every boundary, every vertex, and both within about a metre (1e-5 degrees) of them."""
    on = [shapely.get_coordinates(shapely.line_interpolate_point(b, rng.uniform(0, shapely.length(b), per_polygon)))
          for b in shapely.boundary(geoms)]
    exact = np.vstack([*on, shapely.get_coordinates(geoms)])
    near = [exact + rng.uniform(-j, j, exact.shape) for j in (1e-9, 1e-7, 1e-5)]
    return np.vstack([exact, *near])


@pytest.mark.parametrize("predicate", ["intersects", "within"])
def test_district_edges_and_vertices_match_the_plain_predicate(districts, predicate):
    geoms = np.asarray(districts.geometry.values)
    rng = np.random.default_rng(7)
    xy = _edge_points(geoms, rng, 3000)
    got = polygon_index(geoms).query_xy(xy[:, 0], xy[:, 1], predicate=predicate)
    assert np.array_equal(got, _plain(geoms, xy[:, 0], xy[:, 1], predicate))
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    x, y = rng.uniform(minx, maxx, 200_000), rng.uniform(miny, maxy, 200_000)
    assert np.array_equal(polygon_index(geoms).query_xy(x, y, predicate=predicate), _plain(geoms, x, y, predicate))


@pytest.mark.parametrize("predicate", ["intersects", "within"])
def test_demo_zone_edges_match_the_plain_predicate(predicate):
    from zzgeo.landprice.zones import default_zones, zone_subset

    geoms = np.asarray(zone_subset(default_zones(), "collective_construction", "commercial").geometry.values)
    xy = _edge_points(geoms, np.random.default_rng(8), 3000)
    assert np.array_equal(PolygonIndex(geoms).query_xy(xy[:, 0], xy[:, 1], predicate=predicate),
                          _plain(geoms, xy[:, 0], xy[:, 1], predicate))


def test_shared_edges_overlaps_and_misses():
    # two unit squares sharing x = 1, a third overlapping the first; listed order decides ties
    geoms = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1), box(0.5, 0.5, 1.5, 1.5)], dtype=object)
    index = PolygonIndex(geoms, max_cells=400)
    x = np.array([0.25, 1.0, 1.75, 0.75, 1.25, 3.0, np.nan, 1.0])
    y = np.array([0.25, 0.5, 0.25, 0.75, 0.75, 3.0, 0.5, 1.5])
    # on the shared edge x=1: intersects gives the first square, within gives none of the two
    # (but (1, 0.5) is not inside square 3); (0.75, 0.75) is in squares 0 and 2: the first wins;
    # (1.25, 0.75) is in 1 and 2; (1, 1.5) is on square 2's top edge
    for built in (False, True):  # a handful of points: the exact predicate; once the grid exists: the grid
        if built:
            index.labels  # builds the grid
        assert index.rasterised is built
        assert index.query_xy(x, y).tolist() == [0, 0, 1, 0, 1, -1, -1, 2]
        assert index.query_xy(x, y, predicate="within").tolist() == [0, -1, 1, 0, 1, -1, -1, -1]


def test_few_points_do_not_build_the_grid(districts):
    """One lookup must not rasterise millions of cells; from 512 points on, the grid pays and is built."""
    geoms = np.asarray(districts.geometry.values)
    index = PolygonIndex(geoms)
    rng = np.random.default_rng(3)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    x, y = rng.uniform(minx, maxx, 600), rng.uniform(miny, maxy, 600)
    few = index.query_xy(x[:511], y[:511])
    assert not index.rasterised
    many = index.query_xy(x, y)
    assert index.rasterised
    assert np.array_equal(few, many[:511]) and np.array_equal(many, _plain(geoms, x, y, "intersects"))


def test_uniform_boxes():
    geoms = np.array([box(0, 0, 10, 10), box(10, 0, 20, 10)], dtype=object)
    index = PolygonIndex(geoms, max_cells=10_000)
    boxes = np.array([[1, 1, 2, 2], [12, 3, 14, 4], [9.5, 1, 10.5, 2], [30, 30, 31, 31], [-5, -5, -1, -1]])
    assert index.uniform(boxes).tolist() == [0, 1, -2, -1, -1]  # -2: straddles an edge; -1: outside every polygon


def test_uniform_exact_and_tables_agree(districts):
    """Few boxes are tested exactly, many through summed-area tables: where the tables are sure, both say the same,
    and the exact test is never less sure than the tables."""
    metric = districts.to_crs(4547)
    index = PolygonIndex(np.asarray(metric.geometry.values))
    rng = np.random.default_rng(7)
    minx, miny, maxx, maxy = metric.total_bounds
    x, y = rng.uniform(minx, maxx, 3000), rng.uniform(miny, maxy, 3000)
    size = rng.uniform(50, 5000, 3000)
    bounds = np.column_stack([x, y, x + size, y + size])
    tables = index.uniform(bounds)
    exact = index._uniform_exact(bounds)
    sure = tables != -2
    assert sure.sum() > 1000 and (exact[sure] == tables[sure]).all()
    assert ((exact != -2) | ~sure).all()
    truth = [next((i for i, g in enumerate(index.geoms) if shapely.contains(g, shapely.box(*b))), -2) for b in bounds[:200]]
    assert [t if t >= 0 or e != -1 else -1 for t, e in zip(truth, exact[:200], strict=True)] == exact[:200].tolist()


def test_bad_polygons():
    with pytest.raises(GeometryError, match="at least one polygon"):
        PolygonIndex(np.array([], dtype=object))
    with pytest.raises(GeometryError, match="Polygon/MultiPolygon"):
        PolygonIndex(np.array([Polygon()], dtype=object))
    with pytest.raises(SchemaError, match="predicate='touches'"):
        PolygonIndex(np.array([box(0, 0, 1, 1)], dtype=object)).query_xy([0.5], [0.5], predicate="touches")


def test_the_index_cache_knows_the_same_polygons_without_hashing_them_again(monkeypatch) -> None:
    """A layer's cached polygons, masked per call (a new array of the same objects), reuse the index without
    hashing their WKB again; equal polygons as new objects reuse it by WKB; other polygons get their own."""
    import numpy as np
    from shapely.geometry import box

    from zzgeo.spatial import index as module

    polygons = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)], dtype=object)
    first = module.polygon_index(polygons[[0, 1]])
    hashed = []
    monkeypatch.setattr(module, "_fingerprint", lambda geoms: hashed.append(len(geoms)) or "other")
    assert module.polygon_index(polygons[np.array([True, True, False])]) is first and hashed == []
    monkeypatch.undo()
    assert module.polygon_index(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)], dtype=object)) is first
    other = module.polygon_index(polygons[[0, 2]])
    assert other is not first and other.query_xy([5.5, 1.5], [5.5, 0.5]).tolist() == [1, -1]
