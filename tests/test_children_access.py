"""Walking access on a tiny grid worked by hand: life-circle shares, the detour factor, a road network, 2SFCA, gap cells."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString

from zzgeo.children.access import (
    childcare_2sfca,
    children_surface,
    coverage_shares,
    gap_cells,
    nearest_walk,
)

CIRCLES = {"a": 300.0, "b": 600.0}


@pytest.fixture
def grid(origin_4547):
    """Four cells on a line east of Erqi Square: 0, 200, 400 and 1000 m from the site; units A, A, A, B."""
    x0, y0 = origin_4547
    xs = [x0, x0 + 200, x0 + 400, x0 + 1000]
    surface = gpd.GeoDataFrame({"residents": [100.0] * 4, "children": [10.0, 20.0, 30.0, 40.0], "unit": ["A", "A", "A", "B"]},
                               geometry=gpd.points_from_xy(xs, [y0] * 4), crs="EPSG:4547")
    surface.attrs["cell_m"] = 200.0
    site = gpd.GeoDataFrame({"places": [30.0]}, geometry=gpd.points_from_xy([x0], [y0]), crs="EPSG:4547")
    return surface, site


def test_straight_line_times_the_detour_factor(grid):
    surface, site = grid
    walk = nearest_walk(surface, site, limit_m=600, detour=1.3)
    assert walk[:3] == pytest.approx([0, 260, 520]) and np.isinf(walk[3])  # 1000 m x 1.3 is beyond 600


def test_shares_per_circle_and_unit(grid):
    surface, site = grid
    walk = pd.DataFrame({"childcare": nearest_walk(surface, site, limit_m=600, detour=1.3)})
    shares = coverage_shares(surface, walk, CIRCLES, {}).set_index(["unit", "circle"])["share"]
    assert shares[("city", "a")] == pytest.approx(30 / 100)   # cells 0 and 1 (10 + 20 children)
    assert shares[("A", "a")] == pytest.approx(30 / 60)
    assert shares[("city", "b")] == pytest.approx(60 / 100)   # 520 m <= 600: cell 2 joins
    assert shares[("A", "b")] == 1.0 and shares[("B", "b")] == 0.0


def test_along_a_road_network_no_detour(grid, origin_4547):
    surface, site = grid
    x0, y0 = origin_4547
    road = gpd.GeoDataFrame(geometry=[LineString([(x0, y0), (x0 + 1000, y0)])], crs="EPSG:4547")
    walk = nearest_walk(surface, site, limit_m=600, detour=1.3, network=road)
    assert walk[:3] == pytest.approx([0, 200, 400], abs=1e-6) and np.isinf(walk[3])


def test_two_step_floating_catchment(grid):
    surface, site = grid
    fca = childcare_2sfca(surface, site, catchment_m=600, detour=1.3)
    # step 1: 30 places / 300 residents within 600 m walk (cells 0-2) = 0.1 per resident; step 2: cells 0-2 see it
    assert fca["places_per_1000"].tolist() == pytest.approx([100.0, 100.0, 100.0, 0.0])


def test_gap_cells_rank_children_beyond_a_circle(grid):
    surface, site = grid
    walk = pd.DataFrame({"childcare": nearest_walk(surface, site, limit_m=600, detour=1.3)})
    gaps = gap_cells(surface, walk, CIRCLES, top=5)
    beyond_a = gaps[gaps["circle"] == "a"]
    assert beyond_a["children"].tolist() == [40.0, 30.0] and beyond_a["rank"].tolist() == [1, 2]
    assert beyond_a.geometry.area.tolist() == pytest.approx([200.0 ** 2] * 2)
    assert gaps[gaps["circle"] == "b"]["children"].tolist() == [40.0]
    far = gaps[gaps["circle"] == "b"].iloc[0]  # 1000 m x 1.3 is beyond 600 m: no distance, but a place and a reason
    assert far["nearest"] == "no facility reachable within 600 m" and np.isinf(far["nearest_walk_m"])
    assert (far["x_m"], far["y_m"]) == tuple(surface.geometry.iloc[3].coords[0])
    lon, lat = surface.geometry.iloc[[3]].to_crs(4326).iloc[0].coords[0]
    assert (far["lon"], far["lat"]) == pytest.approx((lon, lat))
    assert beyond_a["cells_beyond"].tolist() == [2, 2] and beyond_a["tied_cells"].tolist() == [1, 1]


def test_equal_gap_cells_share_a_rank(grid):
    surface, _ = grid
    even = surface.assign(children=[10.0, 20.0, 20.0, 20.0])  # cells 1-3 equal in children
    walk = pd.DataFrame({"park": [0.0, np.inf, np.inf, 900.0]})  # cells 1 and 2 out of reach: equal in both
    gaps = gap_cells(even, walk, {"a": 300.0}, top=2)
    # competition ranking: the two unreachable cells tie at 1, the cell 900 m away is 3rd (cut off by top=2)
    assert gaps["rank"].tolist() == [1, 1] and gaps["tied_cells"].tolist() == [2, 2] and gaps["cells_beyond"].tolist() == [3, 3]
    third = gap_cells(even, walk, {"a": 300.0}, top=5).iloc[2]
    assert (third["rank"], third["tied_cells"], third["nearest"]) == (3, 1, "900 m")


def test_default_children_surface_holds_the_plans_total():
    surface = children_surface(cell_m=1000.0)
    assert surface["children"].sum() == pytest.approx(2_889_000, rel=1e-9)
    assert surface["residents"].sum() == pytest.approx(12_600_574, rel=1e-9)
    assert set(surface["unit"]) <= {"410102", "410103", "410104", "410105", "410106", "410108", "410122",
                                    "410181", "410182", "410183", "410184", "410185"}
