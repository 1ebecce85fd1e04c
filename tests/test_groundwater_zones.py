"""Zones of a hand-built wellfield: HJ 338 circles, the capture zone, the river, study overrides, bad inputs.

Two wells 2 km apart in 惠济区 (EPSG:4547, around 113.60E 34.90N), Q = 2000 m³/d each,
K = 50 m/d, b = 20 m, i = 0.001, n = 0.2, regional flow toward the south (180°).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from zzgeo.errors import ParameterError, SchemaError
from zzgeo.groundwater import hydro
from zzgeo.groundwater.register import read_rivers, read_sources, read_study_zones, read_wells
from zzgeo.groundwater.zones import source_zones

METRIC = "EPSG:4547"
AQ = {"conductivity_m_d": 50.0, "gradient": 0.001, "porosity": 0.2, "thickness_m": 20.0, "flow_azimuth_deg": 180.0}


@pytest.fixture(scope="module")
def origin():
    p = gpd.GeoSeries([Point(113.60, 34.90)], crs=4326).to_crs(METRIC).iloc[0]
    return round(p.x), round(p.y)


def _sources(origin, **params):
    x0, y0 = origin
    row = {"source_id": "S1", "name": "测试水源", "level": "县级", **(AQ | params)}
    return read_sources(gpd.GeoDataFrame([row], geometry=[Point(x0 + 1000, y0)], crs=METRIC))


def _wells(origin, q=2000.0):
    x0, y0 = origin
    frame = gpd.GeoDataFrame({"well_id": ["W1", "W2"], "source_id": ["S1", "S1"], "pumping_m3_d": [q, q]},
                             geometry=[Point(x0, y0), Point(x0 + 2000, y0)], crs=METRIC)
    return read_wells(frame)


def _river(origin, north_m=800.0):
    x0, y0 = origin
    line = LineString([(x0 - 6000, y0 + north_m), (x0 + 8000, y0 + north_m)])
    return read_rivers(gpd.GeoDataFrame({"name": ["河"], "losing": ["是"]}, geometry=[line], crs=METRIC))


def _metric(result, zone):
    return result.zones[result.zones["zone"] == zone].to_crs(METRIC).geometry.iloc[0]


def test_hj338_circles(origin):
    result = source_zones(_sources(origin), _wells(origin))
    # R1 = 1.5 x 50 x 0.001 x 100 / 0.2 = 37.5 m; R2 = 375 m; two wells 2 km apart: two whole discs each
    # (32 segments a quarter circle: the polygon has 99.96 % of the disc's area)
    assert _metric(result, "zone1").area == pytest.approx(2 * math.pi * 37.5**2, rel=1e-3)
    assert _metric(result, "zone2").area == pytest.approx(2 * math.pi * 375.0**2, rel=1e-3)
    assert "R = α·K·I·T/n = 37.5 m" in result.zones.set_index("zone").loc["zone1", "method"]


def test_recharge_zone_without_a_river(origin):
    x0, y0 = origin
    result = source_zones(_sources(origin), _wells(origin))
    zone, tot = _metric(result, "recharge"), _metric(result, "recharge_tot")
    # the two wells interfere: the 10-year zone reaches 1,502.3 m north by timml's traces (36 per well,
    # riverside.trace_capture), where one well alone reaches L = 1,460.2 m
    L_alone = hydro.upgradient_distance_m(3650, 2000, 50, 20, 0.001, 0.2)
    assert L_alone == pytest.approx(1460.2, abs=0.1)
    minx, miny, maxx, maxy = zone.bounds
    assert maxy - y0 == pytest.approx(1502.3, rel=2e-3)  # flow runs south: the envelope is cut there
    assert tot.bounds[3] == pytest.approx(maxy, abs=0.5) and tot.area < zone.area and zone.contains(tot.buffer(-1))
    # stagnation points: roots of q·z·(z − z2) − (Q/2π)·(2z − z2) = 0, z = u + iv (u along the flow, v = x), z2 = 2000i
    q, Q, z2 = 50 * 20 * 0.001, 2000.0, 2000j
    roots = np.roots([q, -(q * z2 + Q / math.pi), Q * z2 / (2 * math.pi)])
    x_stag = float(roots.real.max())  # 318.3 m downgradient as for one well, but 52 m toward the other well
    assert roots.imag.min() == pytest.approx(52.013, abs=1e-3)
    stag = result.sources.iloc[0]["stagnation_points"]
    assert len(stag) == 2
    # the zone's tip: the dividing streamline leaves the tilted stagnation point obliquely, a few metres lower
    assert y0 - x_stag - 10.0 < miny < y0 - x_stag + 1.0
    assert zone.contains(shapely.points([(x0, y0), (x0 + 2000, y0)])).all()
    row = result.sources.iloc[0]
    assert row["status"] == "delineated (computed)" and row["recharge_upgradient_m"] == pytest.approx(maxy - y0, abs=0.5)
    assert row["stagnation_m"] == pytest.approx(x_stag, rel=1e-9) and row["ultimate_width_m"] == pytest.approx(4000.0)
    assert "time-of-travel zone" in result.zones.set_index("zone").loc["recharge_tot", "method"]
    assert "capture envelope" in result.zones.set_index("zone").loc["recharge", "method"]


def test_a_losing_river_bounds_the_recharge_zone(origin):
    x0, y0 = origin
    result = source_zones(_sources(origin), _wells(origin), rivers=_river(origin))
    zone = _metric(result, "recharge")
    assert zone.bounds[3] == pytest.approx(y0 + 800 - 1, abs=0.5)  # stops at the river (a 1 m margin)
    row = result.sources.iloc[0]
    assert row["river"].startswith("losing") and row["river_share"] == 1.0
    # shortest river-to-well time: the other well, 2 km away, speeds the water up a little against one well alone
    # (image-well solution); tests/test_groundwater_wellfield.py checks the field's figure with scipy
    alone = hydro.river_travel_time_days(2000, 50, 20, 0.2, 800, i_away=0.001)
    assert 0.9 * alone < row["river_min_travel_days"] < alone
    assert row["critical_rate_m3_d"] == 0.0  # a losing river feeds the field at any rate
    assert result.wells.set_index("well_id").loc["W1", "distance_to_river_m"] == pytest.approx(800.0)


def test_a_study_polygon_overrides_the_computed_zone(origin):
    x0, y0 = origin
    drawn = gpd.GeoDataFrame({"水源编号": ["S1"], "分区": ["一级保护区"], "依据": ["某水文地质报告"]},
                             geometry=[box(x0 - 50, y0 - 50, x0 + 2050, y0 + 50)], crs=METRIC)
    result = source_zones(_sources(origin), _wells(origin), study_zones=read_study_zones(drawn))
    zone1 = result.zones.set_index("zone").loc["zone1"]
    assert _metric(result, "zone1").area == pytest.approx(2100 * 100, rel=1e-6)
    assert "drawn by a study (某水文地质报告)" in zone1["method"]


def test_partial_or_missing_parameters(origin):
    partial = _sources(origin, flow_azimuth_deg=None)
    with pytest.raises(ParameterError, match=r"source 'S1' \(测试水源\): missing flow direction; the recharge zone"):
        source_zones(partial, _wells(origin))
    flagged = source_zones(partial, _wells(origin), on_error="flag")
    assert set(flagged.zones["zone"]) == {"zone1", "zone2"}
    assert flagged.sources.iloc[0]["status"] == "partly delineated (zones 1/2): missing flow direction"
    none = _sources(origin, **{k: None for k in AQ})
    assert source_zones(none, _wells(origin)).sources.iloc[0]["status"] == "cannot be delineated: no aquifer parameters"
    # a field where no well pumps has no capture zone: the error names the source, its wells and the value
    with pytest.raises(ParameterError, match=r"^source 'S1' \(测试水源\): no well pumps \(pumping_m3_d = 0 for 'W1', 'W2'\)"):
        source_zones(_sources(origin), _wells(origin, q=0.0))


def test_bad_registers(origin, districts):
    x0, y0 = origin
    with pytest.raises(SchemaError, match="porosity must be positive, got -0.2"):
        _sources(origin, porosity=-0.2)
    wells = _wells(origin).assign(source_id=["S1", "S9"])
    with pytest.raises(SchemaError, match=r"source_id \['S9'\] not in the water-source register"):
        source_zones(_sources(origin), wells)
    far = gpd.GeoDataFrame({"well_id": ["X"], "source_id": ["S1"], "pumping_m3_d": [100.0]}, geometry=[Point(116.4, 39.9)], crs=4326)
    with pytest.raises(Exception, match=r"\(116.40000, 39.90000\) is outside Zhengzhou"):
        read_wells(far, districts=districts)
    with pytest.raises(ParameterError, match="method='modflow'"):
        source_zones(_sources(origin), _wells(origin), method="modflow")


def test_demo_layers_delineate_the_pilots():
    from zzgeo.groundwater.demo import demo_layers

    layers = demo_layers()
    result = source_zones(read_sources(layers["sources"]), read_wells(layers["wells"]), rivers=read_rivers(layers["rivers"]))
    status = result.sources.set_index("source_id")["status"]
    assert status["GW-JWT"] == status["GW-GYHT"] == "delineated (computed)"
    assert status["GW-DEMO-X"] == "cannot be delineated: no aquifer parameters"
    assert result.meta["demo"] and any(n.startswith("DEMO DATA") for n in result.meta["notes"])
    assert (result.zones.groupby("source_id")["zone"].apply(set) == {"zone1", "zone2", "recharge", "recharge_tot"}).all()
    assert np.isfinite(result.sources.set_index("source_id").loc["GW-JWT", "river_min_travel_days"])
    assert pd.api.types.is_float_dtype(result.zones["area_km2"])
