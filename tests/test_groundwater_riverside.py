"""timml's traced capture zones against the analytic solutions (stated tolerances), and a three-well field.

Tolerances: widths within 4 % (36 back-traces bracket the envelope from inside), centreline
travel time within 1 %, river-to-well time within 2 % (the river discretised finely near
the well, see zzgeo.groundwater.riverside._segments).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point

pytest.importorskip("timml")

from zzgeo.groundwater import hydro  # noqa: E402
from zzgeo.groundwater.register import read_rivers, read_sources, read_wells  # noqa: E402
from zzgeo.groundwater.riverside import trace_capture  # noqa: E402
from zzgeo.groundwater.zones import source_zones  # noqa: E402

K, B, N, I, Q = 50.0, 20.0, 0.2, 0.001, 2000.0  # DOMAIN.md's timml check


def _y_at(paths, x):
    """The y of every trace where it crosses x (traces that reach that far)."""
    return np.array([np.interp(x, p[::-1, 0], p[::-1, 1]) for p in paths if p[:, 0].min() <= x])


def test_single_well_width_and_travel_time():
    # flow toward the east (90°): upgradient is -x
    (paths,) = trace_capture(((0.0, 0.0, Q),), K, B, N, I, 90.0, None, tmax_days=20000, traces=36)
    ys = _y_at(paths, -3000.0)
    envelope = hydro.capture_envelope(Q, K, B, I, upgradient_m=3000.0)
    analytic = 2 * np.abs(envelope[:, 1]).max()  # the envelope's width on the cut x = -3000: 1813.2 m
    assert ys.max() - ys.min() == pytest.approx(analytic, rel=0.04)
    assert ys.max() - ys.min() < analytic  # traces lie inside the envelope
    # the trace launched straight upgradient reaches L(1000 d) after 1000 days
    centre = min(paths, key=lambda p: abs(p[-1, 1]))
    L = hydro.upgradient_distance_m(1000.0, Q, K, B, I, N)
    t_at_L = np.interp(L, -centre[:, 0], centre[:, 3])
    assert t_at_L == pytest.approx(1000.0, rel=0.01)


def test_river_to_well_time_against_the_image_well():
    # a long straight river 300 m north of the well, almost no regional flow: t_min = 2π n b d² / (3Q) for rw -> 0
    d, q = 300.0, 3000.0
    river = tuple((x, d) for x in np.linspace(-5000.0, 5000.0, 11))
    (paths,) = trace_capture(((0.0, 0.0, q),), K, B, N, 1e-6, 90.0, river, tmax_days=400, traces=8, step_m=5.0)
    from_river = [p for p in paths if p[-1, 4] > 0]
    assert len(from_river) >= 1
    fastest = min(p[-1, 3] for p in from_river)
    assert fastest == pytest.approx(hydro.river_travel_time_days(q, K, B, N, d, rw=0.3), rel=0.02)


@pytest.fixture(scope="module")
def field():
    o = gpd.GeoSeries([Point(113.62, 34.85)], crs=4326).to_crs("EPSG:4547").iloc[0]
    x0, y0 = round(o.x), round(o.y)
    src = read_sources(gpd.GeoDataFrame([{"source_id": "F", "name": "三井水源", "conductivity_m_d": K, "gradient": I,
                                          "porosity": N, "thickness_m": B, "flow_azimuth_deg": 180.0}],
                                        geometry=[Point(x0, y0)], crs="EPSG:4547"))
    wells = read_wells(gpd.GeoDataFrame({"well_id": ["W1", "W2", "W3"], "source_id": ["F"] * 3, "pumping_m3_d": [Q] * 3},
                                        geometry=[Point(x0 - 600, y0), Point(x0, y0), Point(x0 + 600, y0)], crs="EPSG:4547"))
    river = read_rivers(gpd.GeoDataFrame({"name": ["河"], "losing": [True]},
                                         geometry=[LineString([(x0 - 4000, y0 + 500), (x0 + 4000, y0 + 500)])], crs="EPSG:4547"))
    return src, wells, river, (x0, y0)


def test_three_well_field_with_a_river(field):
    from zzgeo.groundwater.rules import load_rules

    src, wells, river, (x0, y0) = field
    rules = load_rules()
    rules = type(rules)(**{**rules.__dict__, "recharge_days": 1500.0, "timml_traces": 12})
    timml = source_zones(src, wells, rivers=river, rules=rules, method="timml")
    analytic = source_zones(src, wells, rivers=river, rules=rules)
    zone = timml.zones[timml.zones["zone"] == "recharge"].to_crs("EPSG:4547").geometry.iloc[0]
    assert zone.contains(wells.to_crs("EPSG:4547").geometry).all()
    assert "timml analytic-element model" in timml.zones.set_index("zone").loc["recharge", "method"]
    # every well draws river water within 1500 days; the field is symmetric, so are the outer wells'
    # times; the middle well, under the deepest combined drawdown, gets river water first
    per_well = timml.wells.set_index("well_id")
    assert (per_well["river_share"] > 0).all()
    times = per_well["river_travel_days"]
    assert times["W1"] == pytest.approx(times["W3"], rel=0.01)
    assert times["W2"] < times["W1"]
    # interference aside, timml and the image-well solution agree on the order of the fastest time (within 25 %)
    single = analytic.wells.set_index("well_id")["river_travel_days"]
    assert times.min() == pytest.approx(single.min(), rel=0.25)
    # the three capture zones merge: wider than one well's, narrower than a well of 3Q at the same reach
    one = hydro.capture_half_width_m(Q, K, B, I, at="well") * 2
    assert zone.bounds[2] - zone.bounds[0] > one


def test_cache_returns_the_same_traces():
    first = trace_capture(((0.0, 0.0, Q),), K, B, N, I, 90.0, None, tmax_days=500, traces=6)
    again = trace_capture(((0.0, 0.0, Q),), K, B, N, I, 90.0, None, tmax_days=500, traces=6)
    assert first is again
    assert math.isclose(first[0][0][0, 3], 0.0)
