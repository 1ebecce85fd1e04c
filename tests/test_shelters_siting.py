"""Siting on a hand-built two-district town, with the chosen sites and their order worked by hand.

Town (EPSG:4547): A = box(470000, 3846000, 472000, 3848000), B = box(472000, 3846000, 474000, 3848000),
4,000 residents each, 1 km cells of 1,000 residents at A1 (470500, 3846500), A2 (471500, 3846500),
A3 (470500, 3847500), A4 (471500, 3847500), B1 (472500, 3846500), B2 (473500, 3846500),
B3 (472500, 3847500), B4 (473500, 3847500).

Existing shelters: S1 class III, 3,000 m² on A1 (reaches A1); S2 class III, 6,000 m² on B4 (reaches B4).
Covered before: A1 + B4 = 2,000 of 8,000 residents.

Candidates (class from usable area: >= 4,000 m² -> II, 1,000 m radius; >= 2,000 -> III, 500 m):
  C1 A 5,000 m² II at (471000, 3847000): 707 m to A1..A4 -> newly covers A2, A3, A4 = 3,000
  C2 A 5,200 m² II at (470600, 3847400): A3 141 m, A4 906 m, A2 1,273 m -> newly A3, A4 = 2,000
  C3 B 2,500 m² III at (472500, 3846600): B1 100 m -> newly B1 = 1,000
  C4 B 4,000 m² II at (472600, 3847000): B1/B3 510 m, B2/B4 1,030 m, A2/A4 1,118 m -> newly B1, B3 = 2,000
  C5 A 1,500 m²: below the 2,000 m² rule, rejected
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

from zzgeo.crs import METRIC_CRS
from zzgeo.errors import SchemaError
from zzgeo.shelters.candidates import validate_candidates
from zzgeo.shelters.coverage import shelter_coverage
from zzgeo.shelters.rules import load_rules
from zzgeo.shelters.siting import site_shelters, siting_records, with_chosen_sites


def town():
    return gpd.GeoDataFrame(
        {"adcode": ["900001", "900002"], "name": ["甲区", "乙区"], "population": [4000, 4000]},
        geometry=[box(470000, 3846000, 472000, 3848000), box(472000, 3846000, 474000, 3848000)],
        crs=METRIC_CRS,
    )


def existing():
    return gpd.GeoDataFrame(
        {"name": ["S1", "S2"], "shelter_class": ["III", "III"], "effective_area_m2": [3000.0, 6000.0]},
        geometry=[Point(470500, 3846500), Point(473500, 3847500)],
        crs=METRIC_CRS,
    )


CANDIDATES = [
    ("C1", 5000.0, (471000, 3847000)),
    ("C2", 5200.0, (470600, 3847400)),
    ("C3", 2500.0, (472500, 3846600)),
    ("C4", 4000.0, (472600, 3847000)),
    ("C5", 1500.0, (471200, 3846200)),
]


def candidates(skip=(), cost=None):
    rows = [c for c in CANDIDATES if c[0] not in skip]
    data = {"candidate_id": [r[0] for r in rows], "name": [r[0] for r in rows], "usable_area_m2": [r[1] for r in rows]}
    if cost:
        data["cost"] = [cost[r[0]] for r in rows]
    return gpd.GeoDataFrame(data, geometry=[Point(r[2]) for r in rows], crs=METRIC_CRS)


def run(year, method, **kw):
    cands = kw.pop("cands") if "cands" in kw else candidates()
    return site_shelters(existing(), cands, year=year, districts=town(), cell_m=1000,
                         method=method, **kw)


@pytest.mark.parametrize("method", ["exact", "greedy"])
def test_2025_fewest_sites_then_most_newly_covered(method):
    # Gaps at 2 m²: A 8,000 - 3,000 = 5,000; B 8,000 - 6,000 = 2,000. One site closes each
    # (C1 or C2 in A; C3 or C4 in B). Of the four pairs, newly covered residents are
    # C1+C3 4,000, C1+C4 5,000, C2+C3 3,000, C2+C4 4,000: the answer is C1 then C4.
    res = run(2025, method)
    assert res.meta["method"] == method
    assert res.chosen["candidate_id"].tolist() == ["C1", "C4"]
    assert res.chosen["order"].tolist() == [1, 2]
    assert res.chosen["newly_covered"].tolist() == pytest.approx([3000, 2000])
    assert res.chosen["cumulative_newly_covered"].tolist() == pytest.approx([3000, 5000])
    # A: 3,000 + 5,000 = 8,000 m² -> 2.0 m²/person; B: 6,000 + 4,000 = 10,000 -> 2.5
    assert res.chosen["district_per_capita_after_m2"].tolist() == pytest.approx([2.0, 2.5])
    t = res.districts.set_index("adcode")
    assert t.loc["900001", "gap_m2"] == pytest.approx(5000) and t.loc["900002", "gap_m2"] == pytest.approx(2000)
    assert t["residual_gap_m2"].tolist() == pytest.approx([0, 0, 0])
    assert t.loc["410100", "covered_share"] == pytest.approx(2000 / 8000)
    assert t.loc["410100", "covered_after_share"] == pytest.approx(7000 / 8000)
    assert t.loc["410100", "sites_chosen"] == 2
    # assured places (capacity = area / 1.5 m²): before, S1 (2,000 places) holds A1 and S2 (4,000) holds B4:
    # 2,000. After, C1 (3,333 places) takes A2-A4 and C4 (2,667) takes B1, B3: 7,000, everyone in reach.
    assert t.loc["900001", "assured"] == pytest.approx(1000) and t.loc["900001", "assured_after"] == pytest.approx(4000)
    assert t.loc["900002", "assured_after"] == pytest.approx(3000)
    assert t.loc["410100", "assured"] == pytest.approx(2000) and t.loc["410100", "assured_after"] == pytest.approx(7000)


@pytest.mark.parametrize("method", ["exact", "greedy"])
def test_2029_all_needed_and_build_order_by_marginal_gain(method):
    # Gaps at 3 m²: A 9,000 (C1 + C2 = 10,200 needed, either alone is short); B 6,000 (C3 + C4 = 6,500).
    # Build order: C1 (+3,000: A2, A3, A4); then C4 (+2,000: B1, B3) beats C3 (+1,000) and C2 (+0);
    # then C2 and C3 add nobody, the larger (C2, 5,200 m²) first.
    res = run(2029, method)
    assert res.chosen["candidate_id"].tolist() == ["C1", "C4", "C2", "C3"]
    assert res.chosen["newly_covered"].tolist() == pytest.approx([3000, 2000, 0, 0])
    assert res.chosen["district_gap_after_m2"].tolist() == pytest.approx([4000, 2000, 0, 0])
    t = res.districts.set_index("adcode")
    assert t.loc["900001", "per_capita_after_m2"] == pytest.approx(13200 / 4000)
    assert t.loc["900002", "per_capita_after_m2"] == pytest.approx(12500 / 4000)
    assert bool(t.loc["410100", "meets_target_after"]) is True


def test_residual_gap_when_candidates_run_out():
    # Without C2, A has only C1's 5,000 m² against a 9,000 m² gap: 4,000 m² remain.
    res = run(2029, "exact", cands=candidates(skip=("C2",)))
    t = res.districts.set_index("adcode")
    assert t.loc["900001", "residual_gap_m2"] == pytest.approx(4000)
    assert t.loc["900001", "per_capita_after_m2"] == pytest.approx(2.0)
    assert not t.loc["900001", "meets_target_after"]
    assert t.loc["410100", "residual_gap_m2"] == pytest.approx(4000)
    assert any("candidates run out in: 甲区 (4,000 m² left)" in n for n in res.meta["notes"])


@pytest.mark.parametrize("method", ["exact", "greedy"])
def test_cost_column_gives_least_cost(method):
    # Costs C1 10, C2 1, C3 1, C4 5: the cheapest way to close the 2025 gaps is C2 (A) + C3 (B), cost 2.
    cost = {"C1": 10.0, "C2": 1.0, "C3": 1.0, "C4": 5.0, "C5": 1.0}
    res = run(2025, method, cands=candidates(cost=cost))
    assert sorted(res.chosen["candidate_id"]) == ["C2", "C3"]
    assert res.districts.set_index("adcode").loc["410100", "cost_chosen"] == pytest.approx(2.0)
    assert "cost column" in res.meta["objective"]


def test_rejected_candidates_are_reported_not_dropped():
    res = run(2025, "exact")
    assert res.meta["candidates_rejected"] == 1 and res.meta["candidates_eligible"] == 4
    rec = siting_records(res)
    assert rec["candidates_not_used"] == [{"candidate_id": "C5", "name": "C5", "usable_area_m2": 1500.0,
                                "reason": "usable area below 2,000 m² (郑政文〔2022〕40号 五、(一) 严格建设标准)"}]
    assert [c["candidate_id"] for c in rec["chosen"]] == ["C1", "C4"]
    lon, lat = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True).transform(471000, 3847000)
    assert (rec["chosen"][0]["lon"], rec["chosen"][0]["lat"]) == (pytest.approx(lon, abs=1e-6), pytest.approx(lat, abs=1e-6))
    assert type(rec["chosen"][0]["lon"]) is float
    assert len(rec["records"]) == 2 and rec["city"]["adcode"] == "410100"
    assert rec["demo"] is False and rec["rule_set"]["id"] == "zhengzhou-2011-defaults"
    assert len(res.candidates) == 5 and res.candidates["selected"].sum() == 2


def test_no_gap_no_sites_and_bad_method():
    big = existing()
    big["effective_area_m2"] = [20000.0, 20000.0]  # 5 m²/person: no gap in 2029
    big["shelter_class"] = ["I", "I"]
    res = site_shelters(big, candidates(), year=2029, districts=town(), cell_m=1000)
    assert len(res.chosen) == 0
    assert res.districts["sites_chosen"].sum() == 0
    with pytest.raises(SchemaError, match="siting method='best'"):
        site_shelters(existing(), candidates(), districts=town(), cell_m=1000, method="best")


def test_validated_candidates_are_used_as_given():
    cands = validate_candidates(candidates(), districts=town())
    res = site_shelters(existing(), cands, year=2025, districts=town(), cell_m=1000, method="exact")
    assert res.chosen["candidate_id"].tolist() == ["C1", "C4"]
    assert res.chosen["shelter_class"].tolist() == ["II", "II"]


def test_capacity_binds_after_the_plan(tmp_path):
    # With 6 m² per person (a custom rule set), C1 holds 5,000 / 6 = 833 of the 3,000 residents
    # only it reaches (A2, A3, A4), and A1 stays with S1 (500 places for 1,000 residents).
    text = Path(load_rules().path).read_text(encoding="utf-8").replace("area_per_person_m2 = 1.5", "area_per_person_m2 = 6.0")
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    res = run(2025, "exact", rules=load_rules(path))
    t = res.districts.set_index("adcode")
    assert res.chosen["candidate_id"].tolist() == ["C1", "C4"]
    # A: S1 500 places (A1), C1 833.33 (A1..A4 in reach) -> 500 + 833.33 = 1,333.33
    assert t.loc["900001", "assured_after"] == pytest.approx(500 + 5000 / 6, abs=0.01)
    # B: S2 1,000 places (B4), C4 666.67 (B1, B3) -> 1,666.67
    assert t.loc["900002", "assured_after"] == pytest.approx(1000 + 4000 / 6, abs=0.01)


def test_with_chosen_sites_feeds_back_into_coverage():
    res = run(2025, "exact")
    combined = with_chosen_sites(existing(), res.chosen)
    assert combined["planned"].tolist() == [False, False, True, True]
    cov = shelter_coverage(combined, districts=town(), cell_m=1000).table.set_index("adcode")
    assert cov.loc["900001", "per_capita_m2"] == pytest.approx(2.0) and cov.loc["900002", "per_capita_m2"] == pytest.approx(2.5)
    assert cov.loc["410100", "covered"] == pytest.approx(7000)
