"""Tests of zzgeo.landprice.valuation against figures worked by hand.

The parcels sit on the tiny test zones of conftest.py (two 1 km squares around
Erqi Square in EPSG:4547: grade 1 west of x0, grade 2 east of it), so the
benchmark of every parcel is known: collective construction commercial grade 1
= 1020, grade 2 = 895 (floor prices); industrial grade 1 = 345 (ground price).
"""

from __future__ import annotations

import datetime as dt
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, Polygon, box

from zzgeo.errors import GeometryError, OutsideAreaError, SchemaError, UnknownCodeError
from zzgeo.landprice.valuation import (
    STEPS,
    PlotRatioTable,
    PriceIndex,
    ValuationOptions,
    date_correction,
    term_correction,
    value_parcels,
)

CC = "collective_construction"
METRIC = "EPSG:4547"


@pytest.fixture
def west_point(origin_4547) -> gpd.GeoDataFrame:
    """One point 300 m inside the grade-1 square, index label 'p1'."""
    x0, y0 = origin_4547
    return gpd.GeoDataFrame({"pid": ["p1"]}, geometry=[Point(x0 - 300, y0)], index=["p1"], crs=METRIC)


def _value(parcels, zones, **kw):
    return value_parcels(parcels, zones=zones, **kw)


# --- term correction ----------------------------------------------------------------------------


def test_term_correction_by_hand() -> None:
    # r = 0.06, m = 30, n = 40
    # 1.06^30 = 5.743491, 1/1.06^30 = 0.174110 -> numerator   1 - 0.174110 = 0.825890
    # 1.06^40 = 10.285718, 1/1.06^40 = 0.097222 -> denominator 1 - 0.097222 = 0.902778
    # y = 0.825890 / 0.902778 = 0.914832
    assert float(term_correction(0.06, 30, 40)) == pytest.approx(0.914832, abs=1e-6)
    assert float(term_correction(0.06, 40, 40)) == 1.0


def test_term_correction_unlimited_benchmark_term() -> None:
    # homestead: n = ∞, so the denominator is 1; m = 70: y = 1 - 1/1.06^70 = 1 - 1/59.075930 = 0.983073
    assert float(term_correction(0.06, 70, math.inf)) == pytest.approx(0.983073, abs=1e-6)
    assert float(term_correction(0.06, math.inf, math.inf)) == 1.0


def test_term_correction_through_value_parcels(west_point, square_zones) -> None:
    # industrial grade 1 = 345 元/m² (ground price, n = 50); m = 30, r = 0.05 given:
    # 1.05^30 = 4.321942 -> 1 - 1/4.321942 = 1 - 0.231377 = 0.768623
    # 1.05^50 = 11.467400 -> 1 - 1/11.467400 = 1 - 0.087204 = 0.912796
    # K_term = 0.768623 / 0.912796 = 0.842053; unit = 345 x 0.842053 = 290.508
    opts = ValuationOptions(reduction_rate=0.05, term_years=30)
    out = _value(west_point, square_zones, table=CC, use="industrial", options=opts)
    assert out.loc["p1", "k_term"] == pytest.approx(0.842053, abs=1e-6)
    assert out.loc["p1", "unit_price_yuan_m2"] == pytest.approx(290.508, abs=1e-3)
    assert out.loc["p1", "term_benchmark_years"] == 50
    assert out.loc["p1", "reduction_rate_source"] == "given"


def test_homestead_term_unlimited(west_point, square_zones) -> None:
    # homestead grade 1 = 1150 (floor, FAR 1.5): m = 70, r = 0.06 -> K_term = 0.983073 (above)
    # ground price = 1150 x 0.983073 x 1.5 (floor x FAR) = 1695.80
    opts = ValuationOptions(reduction_rate=0.06, term_years=70)
    out = _value(west_point, square_zones, table=CC, use="homestead", options=opts)
    assert math.isinf(out.loc["p1", "term_benchmark_years"])
    assert out.loc["p1", "k_term"] == pytest.approx(0.983073, abs=1e-6)
    assert out.loc["p1", "unit_price_yuan_m2"] == pytest.approx(1150 * 0.9830726 * 1.5, rel=1e-6)


def test_term_longer_than_benchmark_is_an_error(west_point, square_zones) -> None:
    with pytest.raises(SchemaError, match=r"term longer than the benchmark's legal term 40 years"):
        _value(west_point, square_zones, table=CC, use="commercial", options=ValuationOptions(term_years=50))


# --- the textbook form P = P_b x (1 + ΣK) x K_term x K_plot x K_date + D -------------------------


def test_textbook_example_with_a_real_benchmark(west_point, square_zones) -> None:
    # Textbook: 500 x (1 - 0.13) x 0.97 x 1.06 x 1.51 = 675.37. No table prints 500, so the same
    # coefficients on industrial grade 1 = 345 (a ground price, no floor -> ground step):
    # 345 x 0.87 = 300.15; x 0.97 = 291.1455; x 1.06 = 308.61423; x 1.51 = 466.0074873
    opts = ValuationOptions(
        k_term=0.97, k_plot=1.06, k_date=1.51, individual_factors={"交通条件": -0.08, "环境质量": -0.05}
    )
    out = _value(west_point, square_zones, table=CC, use="industrial", options=opts)
    row = out.loc["p1"]
    assert row["benchmark_yuan_m2"] == 345.0
    assert row["sum_k"] == pytest.approx(-0.13)
    assert row["k_individual"] == pytest.approx(0.87)
    assert row["floor_to_ground"] == 1.0
    assert row["unit_price_yuan_m2"] == pytest.approx(466.0074873, abs=1e-6)
    # 466.0074873 / 345 - 1 = +35.07% >= 30%: warned
    assert row["departure_pct"] == pytest.approx(35.07, abs=0.01)
    assert "departs from the benchmark by +35.1%" in row["warnings"]
    assert row["steps"] == " > ".join(STEPS)
    assert row["error"] == ""


def test_departure_warning_absent_below_threshold(west_point, square_zones) -> None:
    # 345 x (1 + 0.29) = 445.05: +29% stays below the 30% threshold
    opts = ValuationOptions(individual_factors={"a": 0.29})
    row = _value(west_point, square_zones, table=CC, use="industrial", options=opts).loc["p1"]
    assert row["unit_price_yuan_m2"] == pytest.approx(445.05)
    assert "departs" not in row["warnings"]
    # -30% exactly is warned: 345 x 0.7 = 241.5
    row = _value(west_point, square_zones, table=CC, use="industrial", options=ValuationOptions(individual_factors={"a": -0.3})).loc["p1"]
    assert row["unit_price_yuan_m2"] == pytest.approx(241.5)
    assert "departs from the benchmark by -30.0%" in row["warnings"]


def test_development_adjustment_added_last(west_point, square_zones) -> None:
    # 345 x K_date 1.2 + D 50 = 414 + 50 = 464 (not (345 + 50) x 1.2 = 474)
    opts = ValuationOptions(k_date=1.2, development_adjustment_yuan_m2=50.0)
    row = _value(west_point, square_zones, table=CC, use="industrial", options=opts).loc["p1"]
    assert row["unit_price_yuan_m2"] == pytest.approx(464.0)
    assert row["development_adj_yuan_m2"] == 50.0


# --- plot ratio -----------------------------------------------------------------------------------


def test_plot_ratio_table_interpolation() -> None:
    table = PlotRatioTable((1.0, 2.0, 3.0, 4.0), (0.8, 1.0, 1.15, 1.25))
    # FAR 2.5 lies half-way between 2.0 (1.0) and 3.0 (1.15): 1.0 + 0.5 x 0.15 = 1.075
    # FAR 1.5: 0.8 + 0.5 x 0.2 = 0.9; FAR 3.6: 1.15 + 0.6 x 0.10 = 1.21
    assert table.at(np.array([2.5, 1.5, 3.6, 4.0])) == pytest.approx([1.075, 0.9, 1.21, 1.25])
    with pytest.raises(SchemaError, match=r"plot ratio 4\.5 is outside the coefficient table's range 1\.0\.\.4\.0"):
        table.at(np.array([4.5]))
    with pytest.raises(SchemaError, match="strictly increasing"):
        PlotRatioTable((1.0, 1.0), (0.9, 1.0))


def test_plot_ratio_table_from_csv(tmp_path) -> None:
    path = tmp_path / "far.csv"
    path.write_text("容积率,修正系数,用途\n3.0,1.15,commercial\n1.0,0.8,commercial\n2.0,1.0,商服\n2.0,0.5,homestead\n"
                    "1.0,0.4,宅基地\n", encoding="utf-8")
    tables = PlotRatioTable.from_csv(path)  # a use column: one table per use (Chinese use names accepted)
    assert sorted(tables) == ["commercial", "homestead"]
    table = tables["commercial"]
    assert table.plot_ratio == (1.0, 2.0, 3.0)
    assert table.coefficient == (0.8, 1.0, 1.15)
    assert tables["homestead"].plot_ratio == (1.0, 2.0) and tables["homestead"].coefficient == (0.4, 0.5)
    one = tmp_path / "one.csv"
    one.write_text("容积率,修正系数,用途\n1.0,0.8,commercial\n2.0,1.0,commercial\n2.0,0.5,homestead\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="for use 'homestead' needs >= 2 rows"):
        PlotRatioTable.from_csv(one)
    twice = tmp_path / "twice.csv"
    twice.write_text("容积率,修正系数,用途\n1.0,0.8,commercial\n1.0,0.9,商服\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"line 3: use 'commercial', plot_ratio 1.0 repeats line 2"):
        PlotRatioTable.from_csv(twice)
    bad = tmp_path / "bad.csv"
    bad.write_text("far,x\n1,1\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"lacks required column\(s\) \['coefficient'\]"):
        PlotRatioTable.from_csv(bad)


def test_floor_price_times_plot_ratio_with_table(west_point, square_zones) -> None:
    # commercial grade 1 = 1020 元/m² floor price at the benchmark FAR 2.0.
    # Table: c(2.0) = 1.0, c(3.0) = 1.15 -> K_plot = 1.15 / 1.0 = 1.15
    # ground price = 1020 x 1.15 x 3.0 = 3519.0 元/m² (floor price x K's x FAR)
    table = PlotRatioTable((1.0, 2.0, 3.0, 4.0), (0.8, 1.0, 1.15, 1.25), source="test table")
    opts = ValuationOptions(plot_ratio=3.0, plot_ratio_table=table)
    row = _value(west_point, square_zones, table=CC, use="commercial", options=opts).loc["p1"]
    assert row["benchmark_yuan_m2"] == 1020.0
    assert row["benchmark_plot_ratio"] == 2.0
    assert row["k_plot"] == pytest.approx(1.15)
    assert row["floor_to_ground"] == 3.0
    assert row["unit_price_yuan_m2"] == pytest.approx(3519.0)
    assert row["plot_ratio_source"] == "test table"
    # departure is measured in the table's own unit (floor price): 1020 x 1.15 / 1020 - 1 = +15%
    assert row["departure_pct"] == pytest.approx(15.0)
    assert "departs" not in row["warnings"]


def test_plot_ratio_between_rows_for_homestead(west_point, square_zones) -> None:
    # homestead benchmark FAR 1.5: c(1.5) = 0.9 (half-way 0.8..1.0); parcel FAR 2.5: c = 1.075
    # K_plot = 1.075 / 0.9 = 1.194444; ground = 1150 x 1.194444 x 2.5 = 3434.03
    table = PlotRatioTable((1.0, 2.0, 3.0), (0.8, 1.0, 1.15))
    gdf = west_point.assign(plot_ratio=2.5)
    row = _value(gdf, square_zones, table=CC, use="homestead", options=ValuationOptions(plot_ratio_table=table)).loc["p1"]
    assert row["k_plot"] == pytest.approx(1.075 / 0.9)
    assert row["unit_price_yuan_m2"] == pytest.approx(3434.027778, abs=1e-5)


def test_floor_price_without_table(west_point, square_zones) -> None:
    # no coefficient table: K_plot = 1 (warned); ground = 1020 x 3.0 = 3060
    row = _value(west_point, square_zones, table=CC, use="commercial", options=ValuationOptions(plot_ratio=3.0)).loc["p1"]
    assert row["k_plot"] == 1.0
    assert row["unit_price_yuan_m2"] == pytest.approx(3060.0)
    assert "no plot-ratio coefficient table given: K_plot = 1" in row["warnings"]


def test_ground_price_use_has_no_floor_step(west_point, square_zones) -> None:
    # industrial is a ground price: FAR 2.4 changes nothing without a table (345 stays 345)
    row = _value(west_point, square_zones, table=CC, use="industrial", options=ValuationOptions(plot_ratio=2.4)).loc["p1"]
    assert row["floor_to_ground"] == 1.0
    assert row["unit_price_yuan_m2"] == 345.0


# --- date correction -------------------------------------------------------------------------------


def test_date_correction_by_index_ratio(west_point, square_zones) -> None:
    index = PriceIndex.parse("2020-01-01=100,2022-01-01=110", source="test index")
    # at an index date: 110 / 100 = 1.10
    assert index.ratio(dt.date(2022, 1, 1), dt.date(2020, 1, 1)) == pytest.approx(1.10)
    # between: 2021-01-01 is 366 of 731 days in: 100 + 10 x 366/731 = 105.006840 -> K = 1.0500684
    assert index.ratio(dt.date(2021, 1, 1), dt.date(2020, 1, 1)) == pytest.approx(1.0500684, abs=1e-7)
    with pytest.raises(SchemaError, match="outside it"):
        index.ratio(dt.date(2023, 1, 1), dt.date(2020, 1, 1))
    opts = ValuationOptions(valuation_date=dt.date(2022, 1, 1), price_index=index)
    row = _value(west_point, square_zones, table=CC, use="industrial", options=opts).loc["p1"]
    assert row["k_date"] == pytest.approx(1.10)
    assert row["unit_price_yuan_m2"] == pytest.approx(345 * 1.10)  # 379.5
    assert row["k_date_source"] == "price index (test index)"


def test_price_index_parse_error() -> None:
    with pytest.raises(SchemaError, match="DATE=VALUE"):
        PriceIndex.parse("2020-01-01:100")


def test_date_correction_by_monthly_growth() -> None:
    # 2020-01-01 -> 2021-01-01 = 366 days = 366 / 30.4375 = 12.024641 months
    # K = 1.005 ^ 12.024641 = 1.061808
    k, source, warnings = date_correction(dt.date(2021, 1, 1), ValuationOptions(monthly_growth_rate=0.005))
    assert k == pytest.approx(1.061808, abs=1e-6)
    assert "12.02 months" in source
    assert warnings == []


def test_date_without_index_warns() -> None:
    k, _, warnings = date_correction(dt.date(2023, 6, 30), ValuationOptions())
    assert k == 1.0
    assert warnings and "differs from the base date 2020-01-01" in warnings[0]
    assert date_correction(dt.date(2020, 1, 1), ValuationOptions())[2] == []


# --- area -----------------------------------------------------------------------------------------


def test_area_in_m2_and_mu(origin_4547, square_zones) -> None:
    # a 100 m x 100 m square inside grade 1: 10,000 m² = 10000 / (10000/15) = 15 亩
    # collective cultivated land, contract management, grade 1 = 46.35 元/m² = 30,900 元/亩
    # value = 46.35 x 10,000 = 463,500 元 (K_term = 1 at m = n = 30)
    x0, y0 = origin_4547
    gdf = gpd.GeoDataFrame({"pid": ["sq"]}, geometry=[box(x0 - 400, y0 - 50, x0 - 300, y0 + 50)], crs=METRIC)
    row = _value(gdf, square_zones, table="collective_agricultural", use="cultivated", right="contract_management").iloc[0]
    assert row["area_m2"] == pytest.approx(10_000.0, rel=1e-6)
    assert row["area_mu"] == pytest.approx(15.0, rel=1e-6)
    assert row["unit_price_yuan_mu"] == pytest.approx(30_900.0)
    assert row["value_yuan"] == pytest.approx(463_500.0, rel=1e-6)


def test_point_area_from_mu_column(west_point, square_zones) -> None:
    # 3 亩 = 3 x 10000/15 = 2000 m²; 345 元/m² x 2000 m² = 690,000 元
    row = _value(west_point.assign(area_mu=3.0), square_zones, table=CC, use="industrial").loc["p1"]
    assert row["area_m2"] == pytest.approx(2000.0)
    assert row["value_yuan"] == pytest.approx(690_000.0)


def test_point_without_area_warns(west_point, square_zones) -> None:
    row = _value(west_point, square_zones, table=CC, use="industrial").loc["p1"]
    assert np.isnan(row["value_yuan"])
    assert "point parcel without area_m2/area_mu" in row["warnings"]


# --- grades from the zones --------------------------------------------------------------------------


def test_polygon_straddling_two_zones_is_area_weighted(origin_4547, square_zones) -> None:
    # a 200 m square centred on the shared edge x = x0: half in grade 1 (1020), half in grade 2 (895)
    # benchmark = (1020 + 895) / 2 = 957.5; ground at FAR 2.0 = 1915.0; area 40,000 m²
    x0, y0 = origin_4547
    gdf = gpd.GeoDataFrame({"pid": ["half"]}, geometry=[box(x0 - 100, y0 - 100, x0 + 100, y0 + 100)], crs=METRIC)
    row = _value(gdf, square_zones, table=CC, use="commercial").iloc[0]
    assert row["benchmark_yuan_m2"] == pytest.approx(957.5, abs=1e-3)
    assert row["grade"] == "1:50%, 2:50%"
    assert row["unit_price_yuan_m2"] == pytest.approx(1915.0, abs=1e-2)
    assert row["area_m2"] == pytest.approx(40_000.0, rel=1e-6)


def test_parcel_partly_outside_the_grade_map(origin_4547, square_zones) -> None:
    x0, y0 = origin_4547
    gdf = gpd.GeoDataFrame({"pid": ["edge"]}, geometry=[box(x0 + 900, y0 - 50, x0 + 1100, y0 + 50)], crs=METRIC)
    with pytest.raises(OutsideAreaError, match="part of the parcel lies outside the collective_construction/commercial grade map"):
        _value(gdf, square_zones, table=CC, use="commercial", id_column="pid")


def test_point_outside_zhengzhou(square_zones) -> None:
    gdf = gpd.GeoDataFrame({"pid": ["far"]}, geometry=[Point(112.0, 30.0)], crs="EPSG:4326")
    with pytest.raises(OutsideAreaError, match=r"'far': location \(112\.00000, 30\.00000\) is outside Zhengzhou's 12 county-level units"):
        _value(gdf, square_zones, table=CC, use="commercial", id_column="pid")


def test_point_in_dengfeng_is_outside_the_scope() -> None:
    # 登封市 is in Zhengzhou but outside 郑州市本级, which 郑政文〔2022〕42号 covers (default demo zones)
    gdf = gpd.GeoDataFrame({"pid": ["dengfeng"]}, geometry=[Point(113.05, 34.45)], crs="EPSG:4326")
    with pytest.raises(OutsideAreaError, match=r"outside the collective_construction grade map for commercial \(郑政文〔2022〕42号 covers 郑州市本级"):
        value_parcels(gdf, table=CC, use="commercial", id_column="pid")


def test_on_error_flag_keeps_every_row(origin_4547, square_zones) -> None:
    x0, y0 = origin_4547
    west, east = gpd.GeoSeries([Point(x0 - 300, y0), Point(x0 + 300, y0)], crs=METRIC).to_crs("EPSG:4326")
    gdf = gpd.GeoDataFrame(
        {"pid": ["ok", "far", "forest"], "use": ["industrial", "industrial", "forest"], "table": [CC, CC, "state_agricultural"]},
        geometry=[west, Point(112.0, 30.0), east],
        crs="EPSG:4326",
        index=[10, 20, 30],
    )
    out = _value(gdf, square_zones, id_column="pid", on_error="flag")
    assert list(out.index) == [10, 20, 30]
    assert out.loc[10, "error"] == ""
    assert out.loc[10, "unit_price_yuan_m2"] == 345.0
    assert "outside Zhengzhou" in out.loc[20, "error"]
    assert np.isnan(out.loc[20, "unit_price_yuan_m2"])
    # state forest grade 2 = 32.10: a valid grade, valued
    assert out.loc[30, "unit_price_yuan_m2"] == pytest.approx(32.10)
    with pytest.raises(OutsideAreaError, match=r"1 of 3 parcel\(s\) cannot be valued: 'far'"):
        _value(gdf, square_zones, id_column="pid")


def test_no_such_grade_is_an_error_not_zero(origin_4547) -> None:
    # industrial has no grade 5: zones valid for commercial grade 5 put an industrial parcel nowhere
    from zzgeo.landprice.zones import validate_grade_zones

    x0, y0 = origin_4547
    zones = validate_grade_zones(
        gpd.GeoDataFrame({"table": [CC], "use": [""], "grade": [5]}, geometry=[box(x0 - 500, y0 - 500, x0 + 500, y0 + 500)], crs=METRIC)
    )
    gdf = gpd.GeoDataFrame({"pid": ["g5"]}, geometry=[Point(x0, y0)], crs=METRIC)
    assert _value(gdf, zones, table=CC, use="commercial").iloc[0]["benchmark_yuan_m2"] == 670.0
    out = _value(gdf, zones, table=CC, use="industrial", on_error="flag").iloc[0]
    assert "prints '—' for collective_construction/industrial" in out["error"]
    assert np.isnan(out["unit_price_yuan_m2"])


# --- inputs ---------------------------------------------------------------------------------------


def test_missing_use_is_a_schema_error(west_point, square_zones) -> None:
    with pytest.raises(SchemaError, match="no use given: pass --use"):
        _value(west_point, square_zones, table=CC)


def test_table_follows_from_a_use_only_one_table_has(west_point, square_zones) -> None:
    # 商业服务业用地 is only in 附件1 (collective construction): no --table needed; 1020 x FAR 2.0 = 2040
    row = _value(west_point, square_zones, use="商业服务业").loc["p1"]
    assert (row["table"], row["use"], row["unit_price_yuan_m2"]) == (CC, "commercial", 2040.0)
    # 耕地 is in 附件2 and 附件3: the table must be said
    with pytest.raises(SchemaError, match=r"use 'cultivated' is in 2 tables \(collective_agricultural, state_agricultural\)"):
        _value(west_point, square_zones, use="cultivated")


def test_two_rights_need_a_choice(west_point, square_zones) -> None:
    with pytest.raises(SchemaError, match=r"has rights \['contract_management', 'management'\]: pass --right"):
        _value(west_point, square_zones, table="collective_agricultural", use="cultivated")


def test_unknown_use_and_on_error(west_point, square_zones) -> None:
    with pytest.raises(UnknownCodeError, match="unknown use 'office'"):
        _value(west_point, square_zones, table=CC, use="office")
    with pytest.raises(UnknownCodeError, match="on_error='ignore'"):
        _value(west_point, square_zones, table=CC, use="commercial", on_error="ignore")


def test_missing_id_column(west_point, square_zones) -> None:
    with pytest.raises(SchemaError, match=r"id column 'parcel_no' is not a column"):
        _value(west_point, square_zones, table=CC, use="commercial", id_column="parcel_no")


def test_invalid_and_empty_geometry(origin_4547, square_zones) -> None:
    x0, y0 = origin_4547
    bowtie = Polygon([(x0 - 400, y0 - 100), (x0 - 200, y0 + 100), (x0 - 200, y0 - 100), (x0 - 400, y0 + 100)])
    gdf = gpd.GeoDataFrame({"pid": ["bow"]}, geometry=[bowtie], crs=METRIC)
    with pytest.raises(GeometryError, match=r"'bow': invalid geometry \(Self-intersection"):
        _value(gdf, square_zones, table=CC, use="commercial", id_column="pid")
    gdf = gpd.GeoDataFrame({"pid": ["void"]}, geometry=[Polygon()], crs=METRIC)
    with pytest.raises(GeometryError, match=r"'void': missing geometry"):
        _value(gdf, square_zones, table=CC, use="commercial", id_column="pid")


def test_row_columns_override_options(origin_4547, square_zones) -> None:
    # per-row table/use/right, plot ratio and term; Chinese column names accepted
    x0, y0 = origin_4547
    gdf = gpd.GeoDataFrame(
        {"用途": ["commercial", "public"], "容积率": [2.5, None], "剩余年期": [None, 50]},
        geometry=[Point(x0 - 300, y0), Point(x0 + 300, y0)],
        crs=METRIC,
    )
    out = _value(gdf, square_zones, table=CC)
    # commercial grade 1: 1020 x 2.5 = 2550; public grade 2: 550 (ground price, K_term 1 at m = n = 50)
    assert out["unit_price_yuan_m2"].tolist() == pytest.approx([2550.0, 550.0])


def test_input_not_mutated_and_index_kept(west_point, square_zones) -> None:
    before = west_point.copy()
    out = _value(west_point, square_zones, table=CC, use="commercial")
    assert_geodataframe_equal(west_point, before)
    assert list(out.index) == ["p1"]
    assert out.crs == "EPSG:4326"
    assert out.loc["p1", "district"] in {"410102", "410103", "410104"}
    assert out.loc["p1", "doc_number"] == "郑政文〔2022〕42号"
    assert not bool(out.loc["p1", "zones_demo"])


@pytest.mark.parametrize("distinct", [1, 4, 16, 17, 40])
def test_keys_ranked_as_factorize_ranks_them(distinct):
    # the few-codes path (one pass per code) and the factorize path give the same ranks
    from zzgeo.landprice.valuation.pipeline import _first_seen

    codes = np.random.default_rng(distinct).integers(0, distinct, 5_000) * 3  # gaps between the codes too
    assert _first_seen(codes, len(codes)).tolist() == pd.factorize(codes)[0].tolist()
