"""The stages of ``shelter_coverage`` and ``site_shelters`` on a district worked by hand.

A 4 km square around 二七广场 (EPSG:4547) with 20,000 residents in four demand points,
one class I shelter of 30,000 m² (1.5 m² per person, every resident within its 5 km),
and four candidates: A 6,000 m² (5 million 元), B 5,000 m² (3 million), C 4,500 m²
(4 million), D 1,500 m² (below the 2000 m² rule of 郑政文〔2022〕40号 五(一)).
For 2025 (2 m²) the gap is 10,000 m²: A + B is the cheapest pair that closes it.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from zzgeo.shelters import coverage, siting
from zzgeo.shelters.register import usable_rows


@pytest.fixture(scope="module")
def square(origin_4547):
    x, y = origin_4547
    districts = gpd.GeoDataFrame({"adcode": ["410104"], "name": ["管城回族区"]},
                                 geometry=[box(x - 2000, y - 2000, x + 2000, y + 2000)], crs=4547)
    demand = gpd.GeoDataFrame({"population": [5000.0] * 4, "adcode": "410104"}, crs=4547,
                              geometry=[Point(x + dx, y + dy) for dx in (-500, 500) for dy in (-500, 500)])
    register = gpd.GeoDataFrame({"shelter_id": ["S1"], "name": ["东广场"], "shelter_class": "I", "effective_area_m2": 30000.0},
                                geometry=[Point(x + 1000, y)], crs=4547)
    candidates = gpd.GeoDataFrame({"candidate_id": list("ABCD"), "usable_area_m2": [6000.0, 5000.0, 4500.0, 1500.0],
                                   "cost": [5e6, 3e6, 4e6, 1e6]},
                                  geometry=[Point(x, y + 1500), Point(x, y - 1500), Point(x - 1500, y + 1500),
                                            Point(x - 1500, y - 1500)], crs=4547)
    return districts, demand, register, candidates


def _stages(square, year=2025):
    districts, demand, register, candidates = square
    rules, targets, districts = coverage._settings(None, None, districts, year)
    s = siting._Settings(rules, targets, year, targets.for_year(year), None)
    shelters, _ = usable_rows(register, rules=rules, districts=districts)
    cands = siting._checked_candidates(candidates, rules, targets, districts).copy()
    need = siting._need(coverage._default_demand(demand, districts, None), districts, shelters, s)
    return s, cands, need


def test_demand_stage_gives_population_existing_area_and_gap(square):
    _, _, need = _stages(square)
    assert need.residents.population.to_dict() == {"410104": 20000.0}
    assert need.existing.to_dict() == {"410104": 30000.0}
    assert need.gap.to_dict() == {"410104": 10000.0}  # 2 x 20,000 - 30,000
    assert need.covered.all()  # all within 5 km of the class I shelter


def test_model_stage_keeps_the_eligible_candidates_and_the_area_required(square):
    s, cands, need = _stages(square)
    model = siting._model(cands, need, s)
    assert model.usable.tolist() == [True, True, True, False]  # D below 2000 m²
    assert model.sites["candidate_id"].tolist() == ["A", "B", "C"]
    assert model.required == {"410104": 10000.0}
    assert not model.unit_cost
    assert model.weights.sum() == 0  # nobody left to cover newly


def test_solve_and_build_order_choose_the_cheapest_pair(square):
    s, cands, need = _stages(square)
    model = siting._model(cands, need, s)
    solution = siting._solve(model, "exact", 600, 60_000, 60.0)
    assert solution.ran == "exact"
    chosen, order = siting._chosen_in_order(model, solution, need, s)
    assert chosen["candidate_id"].tolist() == ["A", "B"]  # 11,000 m² for 8 million 元; ties on coverage go by area
    assert list(order) == [0, 1]
    assert chosen["district_gap_after_m2"].tolist() == [4000.0, 0.0]
    greedy = siting._solve(model, "greedy", 600, 60_000, 60.0)
    assert greedy.ran == "greedy"
    assert model.area[greedy.chosen].sum() >= 10000.0


def test_the_stages_add_up_to_site_shelters(square):
    districts, demand, register, candidates = square
    plan = siting.site_shelters(register, candidates, demand, year=2025, districts=districts)
    assert plan.chosen["candidate_id"].tolist() == ["A", "B"]
    assert plan.candidates["selected"].tolist() == [True, True, False, False]
    assert plan.districts["adcode"].tolist() == ["410104", coverage.CITY_ADCODE]
    assert plan.districts.loc[0, "cost_chosen"] == 8e6
    assert plan.meta["candidates_in_model"] == 3


def test_coverage_stages_sum_by_district(square):
    districts, demand, register, _ = square
    result = coverage.shelter_coverage(register, demand, districts=districts, year=2029)
    row = result.table.iloc[0]
    assert (row["per_capita_m2"], row["gap_2025_m2"], row["gap_2029_m2"]) == (1.5, 10000.0, 30000.0)
    assert (row["capacity_places"], row["assured"], row["covered_I"]) == (20000.0, 20000.0, 20000.0)
    assert result.cells["covered"].all() and result.cells["covered_I"].all() and not result.cells["covered_II"].any()
    assert np.allclose(result.shelters["places_used"], [20000.0])


@pytest.mark.parametrize("func", [siting.site_shelters, coverage.shelter_coverage])
def test_top_level_functions_stay_a_short_pipeline(func):
    node = ast.parse(textwrap.dedent(inspect.getsource(func))).body[0]
    body_lines = node.end_lineno - node.body[0].end_lineno
    assert body_lines <= 30, f"{func.__name__} has {body_lines} lines after its docstring"
    assert "The stages, in order::" in inspect.getdoc(func)
