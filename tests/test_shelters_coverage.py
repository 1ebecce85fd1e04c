"""Per-capita area, gaps, service-radius coverage and assured places on a hand-built two-district town.

The town (EPSG:4547, metres): district A = box(470000, 3846000, 472000, 3848000),
district B = box(472000, 3846000, 474000, 3848000), 4,000 residents each. With
1 km cells every district has four cells of 1,000 residents at the cell centres
A1 (470500, 3846500), A2 (471500, 3846500), A3 (470500, 3847500), A4 (471500, 3847500)
and B1..B4 the same 2 km further east.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

from zzgeo.crs import METRIC_CRS
from zzgeo.errors import SchemaError, UnknownCodeError
from zzgeo.shelters.assignment import assign_capacity
from zzgeo.shelters.coverage import coverage_records, shelter_coverage
from zzgeo.spatial.surface import district_surface
from zzgeo.spatial.reach import Pairs, reach_pairs
from zzgeo.shelters.register import validate_register
from zzgeo.shelters.rules import load_rules


def town():
    return gpd.GeoDataFrame(
        {"adcode": ["900001", "900002"], "name": ["甲区", "乙区"], "population": [4000, 4000]},
        geometry=[box(470000, 3846000, 472000, 3848000), box(472000, 3846000, 474000, 3848000)],
        crs=METRIC_CRS,
    )


def shelters(rows):
    return gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k != "xy"} for r in rows], geometry=[Point(r["xy"]) for r in rows], crs=METRIC_CRS
    )


# S1: class III, 3,000 m², on A1 -> 3000 / 1.5 = 2,000 places, reaches A1 only (500 m radius;
#     the next cell centres are 1,000 m away).
# S2: class II, 4,500 m², at the centre of B -> 3,000 places, reaches B1..B4 (707 m < 1,000 m),
#     nothing in A (nearest A cell 1,500 m away).
S1 = {"name": "S1", "shelter_class": "III", "effective_area_m2": 3000.0, "gross_area_m2": 3500.0, "xy": (470500, 3846500)}
S2 = {"name": "S2", "shelter_class": "II", "effective_area_m2": 4500.0, "gross_area_m2": 6000.0, "xy": (473000, 3847000)}


@pytest.fixture(scope="module")
def result():
    return shelter_coverage(shelters([S1, S2]), year=2025, districts=town(), cell_m=1000)


def test_per_capita_and_gaps_worked_by_hand(result):
    t = result.table.set_index("adcode")
    # A: 3,000 m² / 4,000 = 0.75 m²; B: 4,500 / 4,000 = 1.125; city 7,500 / 8,000 = 0.9375
    assert t.loc["900001", "per_capita_m2"] == pytest.approx(0.75)
    assert t.loc["900002", "per_capita_m2"] == pytest.approx(1.125)
    assert t.loc["410100", "per_capita_m2"] == pytest.approx(0.9375)
    # 2025 (2 m²): A needs 8,000 - 3,000 = 5,000; B 8,000 - 4,500 = 3,500; city = sum of districts
    assert t.loc["900001", "gap_m2"] == pytest.approx(5000)
    assert t.loc["900002", "gap_2025_m2"] == pytest.approx(3500)
    assert t.loc["410100", "gap_m2"] == pytest.approx(8500)
    # 2029 (3 m²): 12,000 - 3,000 = 9,000 and 12,000 - 4,500 = 7,500
    assert t.loc["900001", "gap_2029_m2"] == pytest.approx(9000)
    assert t.loc["410100", "gap_2029_m2"] == pytest.approx(16500)
    assert not t["meets_target"].any()
    assert t.loc["900001", "target_m2"] == 2.0
    assert t.loc["900001", "effective_area_m2_III"] == 3000 and t.loc["900002", "effective_area_m2_II"] == 4500
    assert t.loc["410100", "shelters"] == 2


def test_service_radius_coverage_worked_by_hand(result):
    t = result.table.set_index("adcode")
    # A: only A1 (1,000 of 4,000) within 500 m of S1; B: all four cells within 1,000 m of S2
    assert t.loc["900001", "covered"] == pytest.approx(1000)
    assert t.loc["900001", "covered_share"] == pytest.approx(0.25)
    assert t.loc["900002", "covered_share"] == pytest.approx(1.0)
    assert t.loc["410100", "covered_share"] == pytest.approx(5000 / 8000)
    assert t.loc["900001", "covered_III"] == pytest.approx(1000) and t.loc["900001", "covered_II"] == 0
    assert t.loc["900002", "covered_II"] == pytest.approx(4000)


def test_capacity_limits_assured_places(result):
    t = result.table.set_index("adcode")
    # A1's 1,000 residents fit in S1's 2,000 places; B's 4,000 residents compete for S2's 3,000
    assert t.loc["900001", "capacity_places"] == pytest.approx(2000)
    assert t.loc["900002", "capacity_places"] == pytest.approx(3000)
    assert t.loc["900001", "assured"] == pytest.approx(1000)
    assert t.loc["900002", "assured"] == pytest.approx(3000)
    assert t.loc["900002", "assured_share"] == pytest.approx(0.75)
    assert t.loc["410100", "assured"] == pytest.approx(4000)
    assert result.meta["assignment_method"] == "maxflow"
    assert result.shelters["places_used"].tolist() == pytest.approx([1000, 3000])


def test_output_names_rule_set_and_population_method(result):
    assert result.meta["rule_set"]["id"] == "zhengzhou-2011-defaults"
    assert "uniform" in result.meta["population_method"] and "1000 m grid" in result.meta["population_method"]
    assert result.meta["demo"] is False and not result.table["demo"].any()
    assert (result.table["rule_set"] == "zhengzhou-2011-defaults").all()
    records = coverage_records(result)
    assert len(records["records"]) == 2 and records["city"]["adcode"] == "410100"
    first = records["records"][0]
    for key in ("adcode", "name", "population", "effective_area_m2", "per_capita_m2", "target_m2", "meets_target",
                "gap_m2", "covered_share", "demo", "rule_set"):
        assert key in first
    assert first["gap_m2"] == 5000.0 and first["meets_target"] is False


def test_a_custom_rule_file_changes_capacity(tmp_path):
    text = Path(load_rules().path).read_text(encoding="utf-8").replace(
        'id = "zhengzhou-2011-defaults"', 'id = "test-2.5"').replace("area_per_person_m2 = 1.5", "area_per_person_m2 = 2.5")
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    res = shelter_coverage(shelters([S1, S2]), rules=load_rules(path), districts=town(), cell_m=1000)
    t = res.table.set_index("adcode")
    # S2 now has 4,500 / 2.5 = 1,800 places for B's 4,000 residents in reach
    assert t.loc["900002", "assured"] == pytest.approx(1800)
    assert res.meta["rule_set"]["id"] == "test-2.5" and (res.table["rule_set"] == "test-2.5").all()


def test_flagged_rows_are_left_out_and_counted():
    bad = {"name": "S3", "shelter_class": "IV", "effective_area_m2": 9000.0, "xy": (471500, 3847500)}
    reg = validate_register(shelters([S1, S2, bad]), districts=town(), on_error="flag")
    res = shelter_coverage(reg, districts=town(), cell_m=1000)
    assert res.meta["excluded_rows"] == 1
    assert any("1 register row(s) failed validation" in n for n in res.meta["notes"])
    assert res.table.set_index("adcode").loc["410100", "effective_area_m2"] == pytest.approx(7500)


def test_unknown_year_and_demand_without_columns():
    with pytest.raises(UnknownCodeError, match="no shelter target for year=2027"):
        shelter_coverage(shelters([S1]), year=2027, districts=town(), cell_m=1000)
    demand = gpd.GeoDataFrame({"pop": [1.0]}, geometry=[Point(470500, 3846500)], crs=METRIC_CRS)
    with pytest.raises(SchemaError, match="demand has no 'population' column"):
        shelter_coverage(shelters([S1]), demand, districts=town())


def test_inputs_are_not_mutated():
    reg = shelters([S1, S2])
    before = reg.copy()
    shelter_coverage(reg, districts=town(), cell_m=1000)
    assert list(reg.columns) == list(before.columns)
    assert reg.equals(before)


# ----------------------------------------------------------------------------- assignment


def test_maxflow_beats_nearest_first_greedy_worked_by_hand():
    # c0 (100 residents) reaches s0 at 10 m and s1 at 5 m; c1 (100) reaches only s1 at 20 m.
    # Each shelter has 100 places. Nearest first puts c0 in s1 and leaves c1 without a place
    # (100 placed); the optimum sends c0 to s0 and c1 to s1 (200 placed).
    pairs = Pairs(np.array([0, 0, 1]), np.array([0, 1, 1]), np.array([10.0, 5.0, 20.0]), "euclidean")
    exact = assign_capacity(pairs, [100, 100], [100, 100], method="maxflow")
    greedy = assign_capacity(pairs, [100, 100], [100, 100], method="greedy")
    assert exact.total == pytest.approx(200) and exact.placed.tolist() == pytest.approx([100, 100])
    assert greedy.total == pytest.approx(100) and greedy.placed.tolist() == pytest.approx([100, 0])
    assert greedy.used.tolist() == pytest.approx([0, 100])
    assert (exact.method, greedy.method) == ("maxflow", "greedy")


def test_shared_shelter_is_split_up_to_capacity():
    # three cells of 60 share one shelter of 100 places: 100 placed, never more than a cell's residents
    pairs = Pairs(np.array([0, 1, 2]), np.array([0, 0, 0]), np.array([1.0, 2.0, 3.0]), "euclidean")
    res = assign_capacity(pairs, [60, 60, 60], [100], method="maxflow")
    assert res.total == pytest.approx(100)
    assert (res.placed <= 60 + 1e-9).all()
    assert assign_capacity(pairs, [60, 60, 60], [100], method="greedy").placed.tolist() == pytest.approx([60, 40, 0])
    with pytest.raises(SchemaError, match="population must be finite and non-negative"):
        assign_capacity(pairs, [60, -1, 60], [100])
    with pytest.raises(SchemaError, match="method='lp'"):
        assign_capacity(pairs, [60, 60, 60], [100], method="lp")


# ----------------------------------------------------------------------------- reach


def test_polygon_shelter_measured_from_its_edge():
    demand = district_surface(town(), cell_m=1000)
    park = gpd.GeoDataFrame(geometry=[box(470900, 3846400, 471100, 3846600)], crs=METRIC_CRS)
    pairs = reach_pairs(demand, park, 450.0)
    # edge to A1 (470500, 3846500) is 400 m and to A2 (471500, 3846500) 400 m; A3/A4 are farther
    assert sorted(pairs.cell.tolist()) == [0, 1]
    assert pairs.distance_m.tolist() == pytest.approx([400.0, 400.0])


def test_network_distance_follows_the_roads():
    # An L-shaped road (0,0) -> (600,0) -> (600,600) around a shelter at its start, radius 1,000 m.
    x0, y0 = 470000.0, 3846000.0
    road = gpd.GeoDataFrame(geometry=[LineString([(x0, y0), (x0 + 600, y0), (x0 + 600, y0 + 600)])], crs=METRIC_CRS)
    demand = gpd.GeoDataFrame({"population": [1.0, 1.0]}, geometry=[Point(x0 + 600, y0 + 600), Point(x0 + 600, y0 + 300)], crs=METRIC_CRS)
    site = gpd.GeoDataFrame(geometry=[Point(x0, y0)], crs=METRIC_CRS)
    straight = reach_pairs(demand, site, 1000.0)
    along = reach_pairs(demand, site, 1000.0, network=road)
    # straight line: 849 m and 671 m, both in reach; along the road: 1,200 m (out) and 900 m (in)
    assert sorted(straight.cell.tolist()) == [0, 1]
    assert along.cell.tolist() == [1] and along.distance_m.tolist() == pytest.approx([900.0])
    assert along.metric == "network"
