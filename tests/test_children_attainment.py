"""Attainment of the plan's targets on a hand-built register, every figure worked by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from zzgeo.children.attainment import target_attainment
from zzgeo.children.demo import build_demo_facilities
from zzgeo.children.register import (
    assign_units,
    read_communities,
    read_facilities,
    read_zones,
)
from zzgeo.children.rules import load_targets
from zzgeo.errors import OutsideAreaError, UnknownCodeError

ZHONGYUAN, JINSHUI, ERQI = "410102", "410105", "410103"
RESIDENTS = {ZHONGYUAN: 962642, JINSHUI: 2145588}  # census 2020 rows
CITY = 12600574


@pytest.fixture(scope="module")
def centre(districts):
    pts = districts.set_index("adcode").geometry.representative_point()
    return {code: (pts[code].x, pts[code].y) for code in pts.index}


def _register(centre, rows):
    frame = pd.DataFrame(rows, columns=["facility_id", "type", "unit", "district", "year", "places"])
    xy = np.array([centre[d] for d in frame.pop("district")])
    # spread the points a little so none coincide (10 m steps, all well inside the district)
    xy = xy + np.arange(len(xy))[:, None] * 1e-4
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=4326)


@pytest.fixture(scope="module")
def register(centre):
    rows = [
        ("S1", "street_cf", "中原区", ZHONGYUAN, 2022, None),
        ("S2", "street_cf", "", ZHONGYUAN, 2022, None),
        ("S3", "street_cf", "", ZHONGYUAN, 2024, None),
        ("S4", "street_cf", "高新区", ZHONGYUAN, 2022, None),     # named zone: counts to 高新区, not 中原区
        ("S5", "street_cf", "", JINSHUI, None, None),            # no year: counts, reported as undated
        ("C1", "childcare", "", ZHONGYUAN, 2020, 3000),
        ("C2", "childcare", "", ZHONGYUAN, 2023, 2000),
        ("C3", "childcare", "郑东新区", JINSHUI, 2021, 500),      # 郑东新区 has no census row: folded into 金水区 per head
        ("F1", "football_pitch", "", ZHONGYUAN, 2022, None),
        ("F2", "football_pitch_other", "", ZHONGYUAN, 2005, None),
        ("N1", "school_new", "", ERQI, 2020, 1000),              # started before 十四五: not counted
        ("N2", "school_new", "", ERQI, 2021, 1500),
        ("L1", "law_base", "", ZHONGYUAN, 2023, None),
        ("L2", "law_base", "航空港区", JINSHUI, 2024, None),
        ("P1", "parent_school", "", ZHONGYUAN, 2015, None),
    ]
    return read_facilities(_register(centre, rows))


def _rec(result, target, unit="city"):
    rows = result.records[(result.records["target_id"] == target) & (result.records["unit"] == unit)]
    assert len(rows) == 1, (target, unit)
    return rows.iloc[0]


def test_per_unit_counts_with_the_zone_rule_and_years(register):
    r22 = target_attainment(register, year=2022)
    assert _rec(r22, "street_cf_2022", ZHONGYUAN)["actual"] == 2  # S1, S2 (S3 is 2024; S4 is 高新区's)
    assert _rec(r22, "street_cf_2022", "410172")["actual"] == 1 and _rec(r22, "street_cf_2022", JINSHUI)["actual"] == 1
    city = _rec(r22, "street_cf_2022")
    # 4 streets, but 中原区's second one meets no other unit's target: 3 of the 16 needed count, 13 are missing
    assert (city["actual"], city["target"], city["shortfall"], city["status"]) == (3, 16, 13, "3 of 16 units met")
    assert city["ratio"] == 3 / 16 and not city["met"]
    assert (city["city_pooled_actual"], city["city_pooled_ratio"], city["city_pooled_shortfall"]) == (4, 4 / 16, 12)
    r25 = target_attainment(register, year=2025)
    zy = _rec(r25, "street_cf_2025", ZHONGYUAN)
    assert (zy["actual"], zy["ratio"], zy["shortfall"], bool(zy["met"])) == (3, 0.6, 2, False)
    assert r25.meta["undated"] == 1


def test_never_counted_twice(register):
    result = target_attainment(register, year=2025)
    per_unit = result.records[(result.records["target_id"] == "street_cf_2025") & (result.records["unit"] != "city")]
    assert per_unit["actual"].sum() == 5 == _rec(result, "street_cf_2025")["city_pooled_actual"]
    assert result.inventory.drop(columns=["unit", "unit_name"]).to_numpy().sum() == len(register)


def test_childcare_places_per_1000_residents(register):
    result = target_attainment(register, year=2025)
    zy = _rec(result, "childcare_places_2025", ZHONGYUAN)
    assert zy["actual"] == pytest.approx(5000 / RESIDENTS[ZHONGYUAN] * 1000)
    assert zy["shortfall"] == pytest.approx(6 * RESIDENTS[ZHONGYUAN] / 1000 - 5000)
    js = _rec(result, "childcare_places_2025", JINSHUI)
    assert js["actual"] == pytest.approx(500 / RESIDENTS[JINSHUI] * 1000)
    zd = _rec(result, "childcare_places_2025", "zdxq")
    assert np.isnan(zd["actual"]) and "counted with 金水区" in zd["status"]
    city = _rec(result, "childcare_places_2025")  # no unit has a surplus: the rule and the pool agree
    assert city["actual"] == pytest.approx(5500 / CITY * 1000) == city["city_pooled_actual"]
    assert city["shortfall"] == pytest.approx(6 * CITY / 1000 - 5500) == city["city_pooled_shortfall"]
    # 2022: C2 (2023) is not open yet
    assert _rec(target_attainment(register, year=2022), "childcare_demo_2022", ZHONGYUAN)["actual"] == 0


def test_football_pitches_per_10000_against_both_ends(register):
    zy = _rec(target_attainment(register, year=2025), "football_per_10000_2025", ZHONGYUAN)
    per_10k = RESIDENTS[ZHONGYUAN] / 10000
    assert zy["actual"] == pytest.approx(2 / per_10k)
    assert zy["shortfall"] == pytest.approx(0.8 * per_10k - 2) and zy["shortfall_max"] == pytest.approx(1.0 * per_10k - 2)
    assert zy["ratio"] == pytest.approx(2 / per_10k / 0.8) and zy["ratio_max"] == pytest.approx(2 / per_10k / 1.0)


def test_counts_from_and_places_of_new_schools(register):
    result = target_attainment(register, year=2025)
    assert _rec(result, "schools_started_2025")["actual"] == 1  # N2 only: 十四五 starts 2021
    assert _rec(target_attainment(register, year=2022), "school_places_2022")["actual"] == 0  # neither was built in 2022


def test_unit_share(register):
    law = _rec(target_attainment(register, year=2025), "law_base_2025")
    assert (law["actual"], law["shortfall"]) == (pytest.approx(100 * 2 / 16), 14)


def test_rows_that_cannot_be_measured_say_so(register):
    result = target_attainment(register, year=2025)
    assert _rec(result, "hpv_2025")["status"] == "not measurable: rate"
    assert _rec(result, "social_workers_2025")["status"] == "not measurable: quantity"
    assert "needs a community" in _rec(result, "childrens_home_2025")["status"]
    assert result.meta["targets"] == len(result.records.drop_duplicates("target_id"))


def test_community_shares(register, centre):
    x, y = centre[ZHONGYUAN]
    communities = gpd.GeoDataFrame(
        {"community_id": ["A", "B", "V"], "kind": ["城市社区", "城市社区", "村"]},
        geometry=[box(x - 0.01, y - 0.01, x + 0.01, y + 0.01), box(x + 0.02, y + 0.02, x + 0.03, y + 0.03),
                  box(x - 0.03, y - 0.03, x - 0.02, y - 0.02)], crs=4326)
    result = target_attainment(register, year=2025, communities=read_communities(communities))
    urban = _rec(result, "parent_school_urban_2025", ZHONGYUAN)
    assert (urban["actual"], urban["shortfall"]) == (50.0, 1)  # 1 of 2 urban communities; 95 % of 2 needs 2
    rural = _rec(result, "parent_school_rural_2025", ZHONGYUAN)
    assert (rural["actual"], rural["shortfall"]) == (0.0, 1)
    care = _rec(result, "childcare_community_2025", ZHONGYUAN)  # C1 (3000) and C2 (2000) lie in A
    assert care["actual"] == pytest.approx(100 / 3)


def test_zone_polygons_decide_by_location(register, centre):
    x, y = centre[ZHONGYUAN]
    zone = gpd.GeoDataFrame({"unit": ["郑州高新区"]}, geometry=[box(x - 0.00005, y - 0.00005, x + 0.00015, y + 0.00015)], crs=4326)
    units = assign_units(register, read_zones(zone))
    assert units.loc[0, "unit_key"] == "410172" and units.loc[1, "unit_key"] == "410172"  # S1, S2 inside the polygon
    assert units.loc[3, "unit_key"] == ZHONGYUAN  # S4 names 高新区 but lies outside its polygon
    with pytest.raises(UnknownCodeError, match="no development zone"):
        read_zones(zone.assign(unit=["中原区"]))


def test_bad_registers(centre):
    base = _register(centre, [("X1", "street_cf", "", ZHONGYUAN, 2022, None)])
    with pytest.raises(UnknownCodeError, match="not one of the plan's 16 units"):
        read_facilities(base.assign(unit=["海淀区"]))
    with pytest.raises(UnknownCodeError, match="unknown facility type .zoo."):
        read_facilities(base.assign(type=["zoo"]))
    with pytest.raises(OutsideAreaError, match="outside Zhengzhou"):
        read_facilities(base.set_geometry(gpd.points_from_xy([116.4], [39.9]), crs=4326))
    flagged = read_facilities(pd.concat([base, base.assign(facility_id=["X2"], unit=["海淀区"])], ignore_index=True), on_error="flag")
    assert flagged["valid"].tolist() == [True, False]
    assert target_attainment(flagged, year=2022).meta["left_out"] == 1


def test_a_named_district_that_disagrees_with_the_location_is_noted(centre):
    reg = read_facilities(_register(centre, [("X1", "street_cf", "二七区", ZHONGYUAN, 2022, None)]))
    assert "the location counts" in reg.loc[0, "notes"]
    assert assign_units(reg).loc[0, "unit_key"] == ZHONGYUAN


# ----------------------------------------------------------------------------- issue 18: city totals, what counts, kindergartens

#: Residents of the 15 census rows (NBS 2020 county tabulation, as in data/census2020.toml); 郑东新区 has none.
CENSUS = {"410102": 962642, "410103": 1061263, "410104": 965618, "410105": 2145588, "410106": 197399, "410108": 555002,
          "410122": 973665, "410171": 328812, "410172": 546226, "410173": 621382, "410181": 785242, "410182": 730135,
          "410183": 826031, "410184": 1172237, "410185": 729332}
#: Development zones as the DEMO register names them, and the census row they count to (郑东新区: 金水区's).
ZONE_ROWS = {"郑州经济技术开发区": "410171", "郑州高新技术产业开发区": "410172", "郑州航空港经济综合实验区": "410173", "郑东新区": JINSHUI}


def test_the_city_figure_per_1000_is_the_citys_places_over_its_residents(centre):
    """Hand-worked: 中原区 has a surplus of places, 金水区 (with 郑东新区) a gap. The city row is the city's own figure
    (all places / all residents x 1,000), as a planner reads it; the units' own gaps are summed beside it."""
    reg = read_facilities(_register(centre, [
        ("C1", "childcare", "", ZHONGYUAN, 2020, 3000),
        ("D1", "示范托育服务机构", "", ZHONGYUAN, 2022, 3200),   # a 示范 institution: its places are 托位 too
        ("C3", "childcare", "郑东新区", JINSHUI, 2021, 500),
    ]))
    result = target_attainment(reg, year=2025)
    zy = _rec(result, "childcare_places_2025", ZHONGYUAN)
    assert zy["actual"] == pytest.approx(6200 / 962.642) and zy["shortfall"] == 0 and zy["met"]  # needs 5,775.852
    assert zy["unit_name"] == "中原区（不含高新区）"  # its census row leaves out 高新区, a unit (and row) of its own
    js = _rec(result, "childcare_places_2025", JINSHUI)
    assert js["shortfall"] == pytest.approx(12873.528 - 500)
    city = _rec(result, "childcare_places_2025")
    need = 6 * 12600.574  # 75,603.444 places for the 12,600,574 residents
    assert need == pytest.approx(75603.444)
    # the city: 6,700 places / 12,600,574 residents x 1,000 = 0.53 per 1,000; short 75,603.444 - 6,700 = 68,903.444
    assert city["actual"] == pytest.approx(6700 / 12600.574) == pytest.approx(0.5317, abs=1e-4)
    assert city["ratio"] == pytest.approx(6700 / 12600.574 / 6) and city["shortfall"] == pytest.approx(68903.444)
    assert not city["met"]
    # beside it: 1 of the 15 units with a census row meets 6 on its own; their own gaps sum to 75,603.444 - 5,775.852 - 500
    own = 75603.444 - 5775.852 - 500
    assert own == pytest.approx(69327.592)
    assert city["status"] == ("not met; 1 of 15 units met (their own gaps sum to 69,327.59); "
                              "15 of 16 units have a census row (郑东新区 counted with 金水区)")
    assert (city["city_pooled_actual"], city["city_pooled_ratio"], city["city_pooled_shortfall"]) == (
        city["actual"], city["ratio"], city["shortfall"])
    # the pooled columns are only on the city records of targets set for every unit
    others = result.records[(result.records["unit"] != "city") | ~result.records["scope"].isin(["per_unit", "per_1000_residents", "per_10000_residents"])]
    assert others[["city_pooled_actual", "city_pooled_ratio", "city_pooled_shortfall"]].isna().all().all()


def test_the_city_figure_is_met_when_the_city_has_enough(centre):
    """A surplus in 中原区 large enough for the whole city: the city row is met, though 14 of 15 units are not."""
    places = 8 * 9451  # 75,608 places, all in 中原区; the city needs 6 x 12,600.574 = 75,603.444
    reg = read_facilities(_register(centre, [(f"C{i}", "childcare", "", ZHONGYUAN, 2020, 9451) for i in range(8)]))
    city = _rec(target_attainment(reg, year=2025), "childcare_places_2025")
    assert city["actual"] == pytest.approx(places / 12600.574) and city["actual"] > 6
    assert city["met"] and city["shortfall"] == 0 and city["ratio"] > 1
    own = 6 * (12600.574 - 962.642)  # every unit but 中原区 misses its whole need
    assert city["status"] == f"met; 1 of 15 units met (their own gaps sum to {own:,.2f}); " \
                             "15 of 16 units have a census row (郑东新区 counted with 金水区)"


def test_the_range_target_sums_both_ends(register):
    result = target_attainment(register, year=2025)
    rows = result.records[(result.records["target_id"] == "football_per_10000_2025") & result.records["shortfall"].notna()]
    city, units = rows[rows["unit"] == "city"].iloc[0], rows[rows["unit"] != "city"]
    # F1 + F2 in 中原区 only: every other unit misses 0.8 (1.0) pitches per 10,000 of its residents
    low = sum(0.8 * r / 10000 for r in CENSUS.values()) - 2  # 中原区 needs 77.01, has 2: no surplus anywhere
    assert city["shortfall"] == pytest.approx(low) == pytest.approx(units["shortfall"].sum())
    assert city["shortfall_max"] == pytest.approx(sum(1.0 * r / 10000 for r in CENSUS.values()) - 2)
    assert city["ratio_max"] == pytest.approx(2 / (CITY / 10000))


@pytest.fixture(scope="module")
def demo():
    return read_facilities(build_demo_facilities())


def _by_hand(demo: pd.DataFrame, types: tuple[str, ...], per: float = 6.0) -> tuple[pd.Series, pd.Series, float, float]:
    """Places of *types* open by 2025 per census row, each row's gap, the sum of the gaps and the pooled gap."""
    rows = demo[demo["type"].isin(types) & (demo["year"] <= 2025)]
    row_of = rows["unit"].map(ZONE_ROWS).fillna(rows["adcode"])  # a zone the register names, else where it lies
    residents = pd.Series(CENSUS, dtype=float)
    places = rows.groupby(row_of)["places"].sum().reindex(residents.index, fill_value=0.0)
    need = per * residents / 1000
    gaps = (need - places).clip(lower=0.0)
    return places, gaps, float(gaps.sum()), max(float(need.sum() - places.sum()), 0.0)


def test_issue_18_city_totals_on_the_demo_register(demo):
    """The issue's figures: 4,391 places missing unit by unit, 1,047 if the city were one pool (托育机构 places only).
    The city row now gives the pool (the city's figure); the units' own gaps are summed in its status."""
    places, gaps, summed, pooled = _by_hand(demo, ("childcare",))
    assert (round(summed), round(pooled)) == (4391, 1047)
    targets = load_targets()
    targets.at[targets.index[targets["id"] == "childcare_places_2025"][0], "facilities"] = ("childcare",)  # the old counting
    city = _rec(target_attainment(demo, year=2025, targets=targets), "childcare_places_2025")
    assert city["shortfall"] == pytest.approx(pooled) == city["city_pooled_shortfall"]
    assert city["actual"] == pytest.approx(places.sum() / CITY * 1000) and city["ratio"] < 1 and not city["met"]
    assert city["status"].startswith(f"not met; 5 of 15 units met (their own gaps sum to {summed:,.2f})")


def test_issue_18_demonstration_childcare_places_count(demo):
    """With the 示范托育服务机构's places (托位) the city pool and 中牟县 reach 6 per 1,000; 9 units still do not.

    FINDINGS 2.3: the city row showed 5.74 (an attainment-weighted figure) and "not met" while the city has
    6.07 per 1,000; it now shows 6.07, met, and "6 of 15 units met" with their own gaps (3,271.40) beside it."""
    old_places, old_gaps, _, old_pooled = _by_hand(demo, ("childcare",))
    places, gaps, summed, pooled = _by_hand(demo, ("childcare", "childcare_demo"))
    assert old_gaps["410122"] > 0 and old_pooled > 0  # without them: 中牟县 and the pooled city fall short
    assert gaps["410122"] == 0 and pooled == 0
    assert round(summed) == 3271 and int((gaps > 0).sum()) == 9
    result = target_attainment(demo, year=2025)
    zm = _rec(result, "childcare_places_2025", "410122")
    assert zm["met"] and zm["actual"] == pytest.approx(places["410122"] / CENSUS["410122"] * 1000)
    city = _rec(result, "childcare_places_2025")
    target = float(load_targets().set_index("id").loc["childcare_places_2025", "value"])  # data/children/targets.toml: 6
    assert target == 6
    assert round(places.sum()) == 76429 and CITY == sum(CENSUS.values())  # 76,429 places, 12,600,574 residents
    assert city["actual"] == pytest.approx(76429 / 12600.574) and round(city["actual"], 2) == 6.07
    assert city["met"] and city["shortfall"] == 0 and city["ratio"] == pytest.approx(76429 / 12600.574 / 6)
    assert city["status"] == ("met; 6 of 15 units met (their own gaps sum to 3,271.40); "
                              "15 of 16 units have a census row (郑东新区 counted with 金水区)")
    assert summed == pytest.approx(3271.40, abs=0.005)


def test_football_pitches_city_figure(demo):
    """FINDINGS 2.3: pitches per 10,000 residents, city row 0.66 before; now the city's pitches / its residents."""
    rows = demo[demo["type"].isin(["football_pitch", "football_pitch_other"]) & (demo["year"].isna() | (demo["year"] <= 2025))]
    pitches = len(rows)
    city = _rec(target_attainment(demo, year=2025), "football_per_10000_2025")
    assert city["actual"] == pytest.approx(pitches / CITY * 10000)
    assert city["shortfall"] == pytest.approx(max(0.8 * CITY / 10000 - pitches, 0))  # 0.8 of the range 0.8-1
    assert city["shortfall_max"] == pytest.approx(max(1.0 * CITY / 10000 - pitches, 0))
    assert city["met"] == (pitches / CITY * 10000 >= 0.8)


def test_new_inclusive_kindergarten_places(centre, demo):
    """2022年，新增幼儿园普惠学位1万个: places of inclusive kindergartens opened (or recognised) in 2022 only."""
    reg = read_facilities(_register(centre, [
        ("K1", "普惠性幼儿园", "", ZHONGYUAN, 2021, 300),      # before the plan: not new in 2022
        ("K2", "kindergarten_inclusive", "", ZHONGYUAN, 2022, 240),
        ("K3", "公办幼儿园", "高新区", ZHONGYUAN, 2022, 180),
        ("K4", "kindergarten_inclusive", "", ERQI, 2023, 360),  # after the milestone
    ]))
    kg = _rec(target_attainment(reg, year=2022), "kindergarten_places_2022")
    assert (kg["actual"], kg["target"], kg["shortfall"], kg["ratio"], bool(kg["met"])) == (420, 10000, 9580, 0.042, False)
    # the DEMO register: summed by hand from its rows of 2022
    new_2022 = demo.loc[(demo["type"] == "kindergarten_inclusive") & (demo["year"] == 2022), "places"].sum()
    demo_kg = _rec(target_attainment(demo, year=2022), "kindergarten_places_2022")
    assert demo_kg["actual"] == new_2022 == 8467 and demo_kg["shortfall"] == 10000 - 8467


def test_every_status_is_a_known_message(register, demo, monkeypatch):
    """Each part of every status is one of STATUS_TEXTS, so status_for_people can show it in Chinese (FINDINGS 3.3);
    shown with a stand-in catalogue, figures and names are kept."""
    from zzgeo.children import attainment as module

    statuses = set(target_attainment(register, year=2025).records["status"]) | set(target_attainment(demo, year=2022).records["status"])
    for status in statuses:
        for part in status.split("; "):
            assert any(p.fullmatch(part) for _m, p in module._STATUS_PATTERNS), part
    fake = {"met": "已达标", "not met": "未达标", "; ": "；",
            "{met} of {n} units met (their own gaps sum to {gap:,.2f})": "{n} 个单元中 {met} 个达标（各单元自身缺口合计 {gap:,.2f}）",
            "{counted} of {total} units have a census row ({names} counted with {host})": "{total} 个单元中 {counted} 个有人口普查数（{names}计入{host}）"}
    monkeypatch.setattr(module, "_", lambda text: fake.get(text, text))
    monkeypatch.setattr(module, "language", lambda: "zh")
    shown = module.status_for_people("met; 6 of 15 units met (their own gaps sum to 3,271.40); "
                                     "15 of 16 units have a census row (郑东新区 counted with 金水区)")
    assert shown == "已达标；15 个单元中 6 个达标（各单元自身缺口合计 3,271.40）；16 个单元中 15 个有人口普查数（郑东新区计入金水区）"
