"""Attainment of the plan's targets on a hand-built register, every figure worked by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from zzgeo.children.attainment import attainment
from zzgeo.children.register import (
    assign_units,
    read_communities,
    read_facilities,
    read_zones,
)
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
    r22 = attainment(register, year=2022)
    assert _rec(r22, "street_cf_2022", ZHONGYUAN)["actual"] == 2  # S1, S2 (S3 is 2024; S4 is 高新区's)
    assert _rec(r22, "street_cf_2022", "410172")["actual"] == 1 and _rec(r22, "street_cf_2022", JINSHUI)["actual"] == 1
    city = _rec(r22, "street_cf_2022")
    assert (city["actual"], city["target"], city["shortfall"], city["status"]) == (4, 16, 13, "3 of 16 units met")
    r25 = attainment(register, year=2025)
    zy = _rec(r25, "street_cf_2025", ZHONGYUAN)
    assert (zy["actual"], zy["ratio"], zy["shortfall"], bool(zy["met"])) == (3, 0.6, 2, False)
    assert r25.meta["undated"] == 1


def test_never_counted_twice(register):
    result = attainment(register, year=2025)
    per_unit = result.records[(result.records["target_id"] == "street_cf_2025") & (result.records["unit"] != "city")]
    assert per_unit["actual"].sum() == 5 == _rec(result, "street_cf_2025")["actual"]
    assert result.inventory.drop(columns=["unit", "unit_name"]).to_numpy().sum() == len(register)


def test_childcare_places_per_1000_residents(register):
    result = attainment(register, year=2025)
    zy = _rec(result, "childcare_places_2025", ZHONGYUAN)
    assert zy["actual"] == pytest.approx(5000 / RESIDENTS[ZHONGYUAN] * 1000)
    assert zy["shortfall"] == pytest.approx(6 * RESIDENTS[ZHONGYUAN] / 1000 - 5000)
    js = _rec(result, "childcare_places_2025", JINSHUI)
    assert js["actual"] == pytest.approx(500 / RESIDENTS[JINSHUI] * 1000)
    zd = _rec(result, "childcare_places_2025", "zdxq")
    assert np.isnan(zd["actual"]) and "counted with 金水区" in zd["status"]
    assert _rec(result, "childcare_places_2025")["actual"] == pytest.approx(5500 / CITY * 1000)
    # 2022: C2 (2023) is not open yet
    assert _rec(attainment(register, year=2022), "childcare_demo_2022", ZHONGYUAN)["actual"] == 0


def test_football_pitches_per_10000_against_both_ends(register):
    zy = _rec(attainment(register, year=2025), "football_per_10000_2025", ZHONGYUAN)
    per_10k = RESIDENTS[ZHONGYUAN] / 10000
    assert zy["actual"] == pytest.approx(2 / per_10k)
    assert zy["shortfall"] == pytest.approx(0.8 * per_10k - 2) and zy["shortfall_max"] == pytest.approx(1.0 * per_10k - 2)
    assert zy["ratio"] == pytest.approx(2 / per_10k / 0.8) and zy["ratio_max"] == pytest.approx(2 / per_10k / 1.0)


def test_counts_from_and_places_of_new_schools(register):
    result = attainment(register, year=2025)
    assert _rec(result, "schools_started_2025")["actual"] == 1  # N2 only: 十四五 starts 2021
    assert _rec(attainment(register, year=2022), "school_places_2022")["actual"] == 0  # neither was built in 2022


def test_unit_share(register):
    law = _rec(attainment(register, year=2025), "law_base_2025")
    assert (law["actual"], law["shortfall"]) == (pytest.approx(100 * 2 / 16), 14)


def test_rows_that_cannot_be_measured_say_so(register):
    result = attainment(register, year=2025)
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
    result = attainment(register, year=2025, communities=read_communities(communities))
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
    assert attainment(flagged, year=2022).meta["left_out"] == 1


def test_a_named_district_that_disagrees_with_the_location_is_noted(centre):
    reg = read_facilities(_register(centre, [("X1", "street_cf", "二七区", ZHONGYUAN, 2022, None)]))
    assert "the location counts" in reg.loc[0, "notes"]
    assert assign_units(reg).loc[0, "unit_key"] == ZHONGYUAN
