"""Each correction step alone against a hand-computed value; the step order; the bugs the pipeline fixed.

The parcels sit on the test squares of conftest.py: grade 1 west of x0, grade 2 east of it
(collective construction commercial 1020 / 895 元/m² floor prices; industrial 345 / 315 ground).
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from zzgeo.errors import ParameterError, UnknownCodeError
from zzgeo.landprice.valuation import (
    STEP_NAMES,
    PlotRatioTable,
    PriceIndex,
    ValuationOptions,
    apply_steps,
    check_order,
    floor_to_ground,
    individual_correction,
    plot_ratio_correction,
    value_parcels,
)

CC = "collective_construction"
TABLE = PlotRatioTable((1.0, 2.0, 3.0, 4.0), (0.8, 1.0, 1.15, 1.25), source="test table")


def test_individual_step():
    # ΣK = 0.03 - 0.05 + 0.02 = 0.00 -> 1.00; ΣK = -0.13 -> 0.87
    assert individual_correction(np.array([0.0, -0.13])).tolist() == pytest.approx([1.0, 0.87])


def test_plot_ratio_step_and_its_range():
    # c(2.5) = 1.075, c(2.0) = 1.0 -> 1.075; c(1.5) = 0.9 vs benchmark FAR 1.5 -> 1.0; FAR 4.5 is outside
    k, outside = plot_ratio_correction(np.array([2.5, 1.5, 4.5]), np.array([2.0, 1.5, 2.0]), TABLE)
    assert k[:2].tolist() == pytest.approx([1.075, 1.0])
    assert np.isnan(k[2]) and outside.tolist() == [False, False, True]
    k, outside = plot_ratio_correction(np.array([3.0]), 2.0, None)
    assert k.tolist() == [1.0] and not outside.any()


def test_floor_to_ground_step():
    # a floor price (楼面价) times FAR is the ground price; a ground price stays
    assert floor_to_ground(np.array([2.5, 2.5]), np.array([True, False])).tolist() == [2.5, 1.0]


def test_order_check():
    assert check_order("date > individual > term > plot_ratio > floor_to_ground > development")[0] == "date"
    with pytest.raises(ParameterError, match=r"unknown \['luck'\]"):
        check_order(["luck", *STEP_NAMES])
    with pytest.raises(ParameterError, match=r"missing \['development'\]"):
        check_order(STEP_NAMES[:-1])
    with pytest.raises(ParameterError, match=r"repeated \['term'\]"):
        check_order([*STEP_NAMES, "term"])


def test_apply_steps_by_hand():
    # 345 x 1.1 = 379.5; x 0.9 = 341.55; + 20 = 361.55
    coefficients = {"individual": 1.1, "term": 0.9, "plot_ratio": 1.0, "floor_to_ground": 1.0, "date": 1.0, "development": 20.0}
    assert apply_steps(np.array([345.0]), coefficients, STEP_NAMES)[0] == pytest.approx(361.55)
    # development first: (345 + 20) x 1.1 x 0.9 = 361.35
    order = ["development", *STEP_NAMES[:-1]]
    assert apply_steps(np.array([345.0]), coefficients, order)[0] == pytest.approx(361.35)


@pytest.fixture
def west(origin_4547):
    x0, y0 = origin_4547
    return Point(x0 - 300, y0)


def _frame(points, **cols):
    return gpd.GeoDataFrame(cols, geometry=points, crs="EPSG:4547")


def test_step_order_changes_the_additive_step(west, square_zones):
    # industrial grade 1 = 345 (ground price). K_date 1.2, D = 50:
    # default order (date before development): 345 x 1.2 + 50 = 464
    # date last (as some valuers do):          (345 + 50) x 1.2 = 474
    frame = _frame([west], use=["industrial"])
    default = value_parcels(frame, zones=square_zones, options=ValuationOptions(k_date=1.2, development_adjustment_yuan_m2=50)).iloc[0]
    moved = ValuationOptions(k_date=1.2, development_adjustment_yuan_m2=50,
                             step_order=("individual", "term", "plot_ratio", "floor_to_ground", "development", "date"))
    other = value_parcels(frame, zones=square_zones, options=moved).iloc[0]
    assert default["unit_price_yuan_m2"] == pytest.approx(464.0)
    assert other["unit_price_yuan_m2"] == pytest.approx(474.0)
    assert other["steps"] == "individual > term > plot_ratio > floor_to_ground > development > date"


def test_duplicate_index_labels_do_not_mix_parcels(origin_4547, square_zones):
    # the same two parcels with index [0, 0] and [0, 1]: 1020 x 2.0 = 2040 (west), 895 x 2.0 = 1790 (east)
    x0, y0 = origin_4547
    pts = [Point(x0 - 300, y0), Point(x0 + 300, y0)]
    unique = value_parcels(_frame(pts, use=["commercial"] * 2), zones=square_zones)
    dup = value_parcels(_frame(pts, use=["commercial"] * 2).set_axis([0, 0]), zones=square_zones)
    assert unique["unit_price_yuan_m2"].tolist() == [2040.0, 1790.0]
    assert dup["unit_price_yuan_m2"].tolist() == [2040.0, 1790.0]
    assert dup["grade"].tolist() == ["1", "2"] and list(dup.index) == [0, 0]


def test_plot_ratio_outside_the_table_flags_only_that_parcel(origin_4547, square_zones):
    x0, y0 = origin_4547
    frame = _frame([Point(x0 - 300, y0), Point(x0 - 200, y0)], use=["commercial"] * 2, plot_ratio=[3.0, 9.0])
    out = value_parcels(frame, zones=square_zones, options=ValuationOptions(plot_ratio_table=TABLE), on_error="flag")
    # 1020 x 1.15 x 3.0 = 3519 for the first; the second is outside 1.0..4.0
    assert out["unit_price_yuan_m2"].iloc[0] == pytest.approx(3519.0)
    assert out["error"].iloc[0] == ""
    assert out["error"].iloc[1] == "plot ratio 9 is outside the coefficient table's range 1..4"


def test_a_parcels_own_grade_is_used_and_said(west, square_zones):
    # the map says grade 1 (1020); the parcel says 三级 (800): 800 x 2.0 = 1600, with a warning
    out = value_parcels(_frame([west], use=["commercial"], 土地级别=["三级"]), zones=square_zones).iloc[0]
    assert out["unit_price_yuan_m2"] == 1600.0 and out["grade"] == "3" and out["grade_source"] == "given"
    assert "given grade 3 is used; the grade map says 1" in out["warnings"]
    mapped = value_parcels(_frame([west], use=["commercial"]), zones=square_zones).iloc[0]
    assert mapped["grade_source"] == "map"


def test_options_refuse_out_of_range_inputs():
    for kwargs, text in [
        ({"reduction_rate": 0.0}, r"reduction_rate = 0: must be > 0 and <= 0.5"),
        ({"reduction_rate": 1.5}, "<= 0.5"),
        ({"term_years": -5.0}, r"term_years = -5: must be > 0 and <= 70"),
        ({"monthly_growth_rate": 0.9}, r"monthly_growth = 0.9: must be > -0.5 and < 0.5"),
        ({"plot_ratio": 1e-300}, r"plot_ratio = 1e-300: must be >= 0.01"),
        ({"development_adjustment_yuan_m2": float("nan")}, "must be a finite number"),
        ({"valuation_date": dt.date(2999, 1, 1)}, r"valuation_date = 2999-01-01: must be >= 1990-01-01 and <= 2100-12-31"),
        ({"individual_factors": {"a": 1.5}}, r"individual factor 'a' = 1.5: must be > -1 and < 1"),
        ({"k_date": float("inf")}, "k_date"),
        ({"individual_factors": {"a": -0.6, "b": -0.4}}, "ΣK = -1.0"),
        ({"step_order": ("date",)}, "missing"),
    ]:
        with pytest.raises(ParameterError, match=text):
            ValuationOptions(**kwargs)
    with pytest.raises(ParameterError, match="gives a date twice"):
        PriceIndex((dt.date(2020, 1, 1), dt.date(2020, 1, 1)), (100.0, 101.0))
    with pytest.raises(ParameterError, match="index values must be positive finite numbers; got -3.0"):
        PriceIndex.parse("2020-01-01=100,2021-01-01=-3")
    with pytest.raises(ParameterError, match="coefficients"):
        PlotRatioTable((1.0, 2.0), (1.0, 0.0))


def test_unknown_on_error():
    with pytest.raises(UnknownCodeError, match="on_error='skip'"):
        value_parcels(_frame([Point(0, 0)], use=["commercial"]), on_error="skip")
