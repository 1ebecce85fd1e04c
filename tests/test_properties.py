"""Properties that must hold for any valid input (hypothesis), and readers that never crash.

Valuation: K_term lies in (0, 1] and grows with the remaining term; the value is
proportional to the area; the multiplicative steps commute; no finite valid input gives
NaN or infinity. Readers: random bytes, random CSV cells and random coordinates end in
a result or a zzgeo error, never in another exception.
"""

from __future__ import annotations

import datetime as dt
import math
import string

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from zzgeo.errors import ZzgeoError
from zzgeo.io import frame_from_coordinates, read_vector
from zzgeo.landprice.valuation import STEP_NAMES, PlotRatioTable, PriceIndex, ValuationOptions, apply_steps, term_correction, value_parcels
from zzgeo.registers import load_register

CC = "collective_construction"
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

rates = st.floats(0.005, 0.2)
legal_terms = st.sampled_from([30.0, 40.0, 50.0, math.inf])


@FAST
@given(r=rates, n=legal_terms, a=st.floats(0.01, 1.0), b=st.floats(0.01, 1.0))
def test_term_coefficient_in_unit_interval_and_increasing(r, n, a, b):
    horizon = 70.0 if math.isinf(n) else n
    m1, m2 = sorted((a * horizon, b * horizon))
    k1, k2 = float(term_correction(r, m1, n)), float(term_correction(r, m2, n))
    assert 0.0 < k1 <= 1.0 + 1e-12 and 0.0 < k2 <= 1.0 + 1e-12
    assert k1 <= k2 + 1e-12
    if m2 - m1 > 1e-6:
        assert k1 < k2


multiplicative = [s for s in STEP_NAMES if s != "development"]


@FAST
@given(
    order=st.permutations(multiplicative),
    coefficients=st.lists(st.floats(0.05, 20.0), min_size=5, max_size=5),
    benchmark=st.floats(1.0, 5000.0),
    d=st.floats(-500.0, 500.0),
)
def test_multiplicative_steps_commute(order, coefficients, benchmark, d):
    values = dict(zip(multiplicative, coefficients)) | {"development": d}
    default = apply_steps(np.array([benchmark]), values, STEP_NAMES)
    shuffled = apply_steps(np.array([benchmark]), values, [*order, "development"])
    assert shuffled[0] == pytest.approx(default[0], rel=1e-12, abs=1e-9)


@pytest.fixture
def west(origin_4547) -> Point:
    x0, y0 = origin_4547
    return Point(x0 - 300, y0)


def _point(west, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({k: [v] for k, v in cols.items()}, geometry=[west], crs="EPSG:4547")


@SLOW
@given(area=st.floats(1.0, 1e7), k=st.floats(0.01, 100.0), use=st.sampled_from(["commercial", "homestead", "industrial", "public"]))
def test_value_proportional_to_area(west, square_zones, area, k, use):
    one = value_parcels(_point(west, use=use, area_m2=area), zones=square_zones).iloc[0]
    scaled = value_parcels(_point(west, use=use, area_m2=area * k), zones=square_zones).iloc[0]
    assert scaled["unit_price_yuan_m2"] == one["unit_price_yuan_m2"]
    assert scaled["value_yuan"] == pytest.approx(one["value_yuan"] * k, rel=1e-9)


TABLE = PlotRatioTable((0.5, 1.0, 2.0, 3.0, 5.0), (0.7, 0.85, 1.0, 1.12, 1.3), source="test")


@SLOW
@given(
    use=st.sampled_from(["commercial", "homestead", "industrial", "public"]),
    r=rates,
    term_share=st.floats(0.01, 1.0),
    far=st.floats(0.5, 5.0),
    sum_k=st.floats(-0.99, 0.99),  # one factor; data/limits.toml: -1 < K_i < 1
    d=st.floats(-200.0, 200.0),
    index=st.lists(st.floats(10.0, 500.0), min_size=2, max_size=2),  # ratios 0.02-50, inside K_date's hard range (data/limits.toml)
    days=st.integers(0, 1460),
    order=st.permutations(list(STEP_NAMES)),
)
def test_no_finite_valid_input_gives_nan_or_inf(west, square_zones, use, r, term_share, far, sum_k, d, index, days, order):
    n = {"commercial": 40.0, "homestead": 70.0, "industrial": 50.0, "public": 50.0}[use]
    when = dt.date(2020, 1, 1) + dt.timedelta(days=days)
    options = ValuationOptions(
        reduction_rate=r, term_years=term_share * n, plot_ratio=far, plot_ratio_table=TABLE, development_adjustment_yuan_m2=d,
        individual_factors={"k": sum_k}, valuation_date=when, step_order=tuple(order),
        price_index=PriceIndex((dt.date(2020, 1, 1), dt.date(2024, 1, 1)), tuple(index)),
    )
    row = value_parcels(_point(west, use=use, area_m2=1000.0), zones=square_zones, options=options, on_error="flag").iloc[0]
    for column in ("k_term", "k_plot", "k_date"):
        assert math.isfinite(row[column]), (column, row[column])
    if row["error"]:  # a negative adjustment larger than the corrected price: refused, never a figure
        assert row["error"].startswith("the corrected price would be") and d < 0, row["error"]
        assert math.isnan(row["value_yuan"])
        return
    for column in ("unit_price_yuan_m2", "value_yuan", "departure_pct"):
        assert math.isfinite(row[column]), (column, row[column])
    assert row["unit_price_yuan_m2"] > 0


# ----------------------------------------------------------------------------- readers never crash


@FAST
@given(data=st.binary(min_size=0, max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".geojson", ".gpkg", ".shp", ".fgb"]))
def test_random_bytes_never_crash_the_readers(tmp_path, data, suffix):
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    try:
        read_vector(path, crs="wgs84")
    except (ZzgeoError, FileNotFoundError):
        pass


cells = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**9, 10**9),
                  st.text(alphabet=string.printable + "一二三类级亩公顷，、", max_size=12))


@FAST
@given(rows=st.lists(st.tuples(cells, cells, cells, cells, cells), min_size=1, max_size=6))
def test_random_csv_cells_give_a_register_or_a_zzgeo_error(tmp_path, districts, rows):
    path = tmp_path / "r.csv"
    pd.DataFrame(rows, columns=["名称", "类别", "有效面积", "lon", "lat"]).to_csv(path, index=False)
    try:
        out = load_register(path, "shelters/register.toml", crs="wgs84", districts=districts, on_error="flag")
    except (ZzgeoError, FileNotFoundError):
        return
    assert len(out) == len(rows) and out["valid"].dtype == bool


@FAST
@given(x=st.floats(allow_nan=True, allow_infinity=True), y=st.floats(allow_nan=True, allow_infinity=True),
       crs=st.sampled_from(["wgs84", "gcj02", "bd09", "cgcs2000", "EPSG:4547"]))
def test_random_coordinates_give_points_or_a_zzgeo_error(x, y, crs):
    try:
        out = frame_from_coordinates(pd.DataFrame({"lon": [x], "lat": [y]}), crs=crs)
    except ZzgeoError:
        return
    assume(len(out))
    assert out.crs.to_epsg() == 4326
