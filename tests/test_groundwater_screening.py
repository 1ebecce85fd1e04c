"""The leak-screening rule of 三(二)5(2) on a hand-built register (one source per branch), and the indicators.

The wellfield is that of test_groundwater_zones.py, 5 km further south (two wells 2 km apart in 惠济区, flow toward
the south, no river): zone 1 = 37.5 m, zone 2 = 375 m around each well, the recharge zone
reaching about 1.4 km north.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from zzgeo.errors import UnknownCodeError
from zzgeo.groundwater.indicators import pilot_indicators, rate, spot_check_table
from zzgeo.groundwater.register import read_pollution_sources, read_sources, read_wells
from zzgeo.groundwater.screening import screen_sources
from zzgeo.groundwater.zones import source_zones

METRIC = "EPSG:4547"


@pytest.fixture(scope="module")
def origin():
    p = gpd.GeoSeries([Point(113.62, 34.85)], crs=4326).to_crs(METRIC).iloc[0]
    return round(p.x), round(p.y)


@pytest.fixture(scope="module")
def zones(origin):
    x0, y0 = origin
    src = gpd.GeoDataFrame([{"source_id": "S1", "name": "测试水源", "level": "县级", "conductivity_m_d": 50.0, "gradient": 0.001,
                             "porosity": 0.2, "thickness_m": 20.0, "flow_azimuth_deg": 180.0}], geometry=[Point(x0 + 1000, y0)], crs=METRIC)
    wells = gpd.GeoDataFrame({"well_id": ["W1", "W2"], "source_id": ["S1", "S1"], "pumping_m3_d": [2000.0, 2000.0]},
                             geometry=[Point(x0, y0), Point(x0 + 2000, y0)], crs=METRIC)
    return source_zones(read_sources(src), read_wells(wells))


def _register(origin, rows):
    x0, y0 = origin
    return read_pollution_sources(gpd.GeoDataFrame([r for r, _ in rows], geometry=[Point(x0 + dx, y0 + dy) for _, (dx, dy) in rows], crs=METRIC))


ROWS = [
    ({"source_id": "A", "type": "加油站", "polluted": "是"}, (5000, 0)),                                 # polluted, far east
    ({"source_id": "B", "type": "工业企业", "industry": "其他"}, (10, 10)),                              # zone 1 of W1
    ({"source_id": "C", "type": "工业企业", "industry": "其他"}, (200, 0)),                              # zone 2 of W1
    ({"source_id": "D", "type": "规模化畜禽养殖场"}, (0, 600)),                                         # recharge zone, upgradient
    ({"source_id": "E", "type": "垃圾填埋场", "key_source": "是"}, (0, 3000)),                           # key source, upgradient
    ({"source_id": "F", "type": "尾矿库"}, (-5000, -3000)),                                             # key type, 72号 unknown
    ({"source_id": "G", "type": "矿山开采区", "key_source": "否"}, (-5000, 3000)),                        # key type, conditions not met
    ({"source_id": "H", "type": "加油站"}, (6000, 3000)),                                                # none of the branches
    ({"source_id": "I", "type": "工业企业", "industry": "化工", "key_source": "是"}, (0, -3000)),         # a chemical producer, downgradient
]


def test_every_branch_of_the_rule(origin, zones):
    result = screen_sources(_register(origin, ROWS), zones).sources.set_index("source_id")
    assert result["zone"].to_dict() == {"A": "outside", "B": "zone1", "C": "zone2", "D": "recharge", "E": "outside",
                                        "F": "outside", "G": "outside", "H": "outside", "I": "outside"}
    assert result["branch"].to_dict() == {"A": "polluted", "B": "zone1", "C": "zone2", "D": "recharge", "E": "key_source",
                                          "F": "key_source_unknown", "G": "", "H": "", "I": "key_source"}
    assert result["listed"].sum() == 7
    assert "to be checked against 环办土壤函〔2020〕72号" in result.loc["F", "reasons"]
    assert result.loc["H", "reasons"].startswith("not listed")
    assert result.loc["D", "upgradient"] is True and result.loc["I", "upgradient"] is False
    assert result.loc["B", "nearest_well"] == "W1" and result.loc["B", "distance_to_well_m"] == pytest.approx(np.hypot(10, 10))


def test_priority_order_a_reviewer_can_follow(origin, zones):
    result = screen_sources(_register(origin, ROWS), zones).sources
    order = result[result["listed"]].sort_values("priority")["source_id"].tolist()
    # polluted, zone 1, zone 2, recharge; then key sources: first-in-line kinds (landfill E, chemical I)
    # before the tailings pond F; between E and I, upgradient (E) first
    assert order == ["A", "B", "C", "D", "E", "I", "F"]
    first = result.set_index("source_id")
    assert "first in line" in first.loc["E", "reasons"] and "upgradient of well W1 (3,000 m)" in first.loc["E", "reasons"]


def test_without_a_key_source_column_every_key_type_is_listed(origin, zones):
    rows = [({"source_id": "M", "type": "矿山开采区"}, (-5000, 3000))]
    assert screen_sources(_register(origin, rows), zones).sources["branch"].tolist() == ["key_source_unknown"]


def test_unknown_source_type_is_named(origin):
    with pytest.raises(UnknownCodeError, match="unknown source type '电厂'"):
        _register(origin, [({"source_id": "Z", "type": "电厂"}, (0, 0))])


def _status_register(origin):
    """10 listed sources of two types with hand-set statuses; 30 more screened off the list."""
    x0, y0 = origin
    rows = []
    for k in range(10):
        rows.append({"source_id": f"L{k}", "type": "landfill" if k < 5 else "petrol_station", "polluted": True,
                     "operating": k < 4, "leak_screened": k in (0, 1, 5, 6), "spot_checked": k == 0,
                     "key_supervised": k < 6, "self_monitoring": k < 3, "risk_plan": k in (0, 1, 2)})
    for k in range(30):
        rows.append({"source_id": f"N{k}", "type": "crop_area", "leak_screened": True, "spot_checked": k == 0})
    pts = [Point(x0 + 5000 + 10 * k, y0 + 3000) for k in range(len(rows))]
    return read_pollution_sources(gpd.GeoDataFrame(rows, geometry=pts, crs=METRIC))


def test_indicator_arithmetic(origin, zones, districts):
    screened = screen_sources(_status_register(origin), zones).sources
    result = pilot_indicators(screened, zones, as_of=2023, districts=districts)
    city = result.by_district.iloc[-1]
    # listed: the 10 polluted; screened among them: L0, L1, L5, L6 = 4 -> 40 % (target 40 % by 2023: met)
    assert (city["listed"], city["screened"], city["leak_screening_rate"]) == (10, 4, 0.4)
    # key supervised L0-L5 = 6, self-monitoring L0-L2 = 3 -> 50 %
    assert (city["key_supervised"], city["self_monitoring"], city["self_monitoring_rate"]) == (6, 3, 0.5)
    # operating and polluted: L0-L3 = 4; with a plan L0-L2 = 3 -> 75 %
    assert (city["needs_risk_plan"], city["risk_plan"], city["risk_plan_rate"]) == (4, 3, 0.75)
    # spot checks (三(二)6(1): "抽查数量不低于开展排查企业的5%", the firms screening under the list): L0 of the 4
    # screened listed firms, 1/4 = 25 %; N0, spot-checked off the list, and the 30 screened off the list do not count
    assert (city["spot_checked"], city["screened"], city["spot_check_share"]) == (1, 4, 0.25)
    assert city["screened_any"] == 34
    status = result.indicators.drop_duplicates("seq").set_index("seq")["status"]
    assert status[6] == "met" and status[4] == "behind (due 2024)" and status[7] == "met"
    assert status[9] == "met"  # the one county-level source has a recharge zone
    assert status[1] == "not measurable from registers"
    # the per-type rule: landfills screened L0, L1 and checked L0 (50 %); petrol stations L5, L6, none checked
    spot = result.spot_checks.set_index("type")
    assert spot.loc["landfill", "covered"] and not spot.loc["petrol_station", "covered"]
    assert spot.loc["landfill", "share_of_screened"] == 0.5 and not spot.loc["petrol_station", "meets_share"]
    assert result.meta["spot_check"]["types_not_covered"] == ["petrol_station"] and not result.meta["spot_check"]["met"]
    assert result.by_district.iloc[:-1]["listed"].sum() == 10  # the districts add up to the city


def test_status_summary_counts_indicators_by_status(origin, zones, districts):
    from zzgeo.groundwater.indicators import status_summary

    screened = screen_sources(_status_register(origin), zones).sources
    result = pilot_indicators(screened, zones, as_of=2023, districts=districts)
    # judged at 2023: 6 (40 %), 7 (75 %) and 9 (the one source delineated) met; 4 (50 %, due 2024) behind;
    # 3 partly measurable (6 key supervised units marked, its two target rows one indicator); the other 14 not measurable
    assert status_summary(result.indicators) == (
        "met 3, behind 1 (due 2024), partly measurable 1 (register marks 6 key supervised unit(s); publication of the list "
        "is not measurable), not measurable from registers 14")
    # at 2024 with nothing screened: 6 (due 2023) and 4 (due 2024) not met, one each
    late = pilot_indicators(screened.assign(leak_screened=False), zones, as_of=2024, districts=districts)
    assert status_summary(late.indicators).startswith("met 2, not met 2 (due 2023, 2024, 1 each), partly measurable 1 (")
    table = pd.DataFrame({"seq": [1, 2, 3], "status": ["not met (due 2023)", "not met (due 2023)", "not met (due 2024)"]})
    assert status_summary(table) == "not met 3 (due 2023: 2, 2024: 1)"


def test_rates_and_deadlines(origin, zones, districts):
    assert np.isnan(rate(0, 0)) and rate(3, 4) == 0.75
    screened = screen_sources(_status_register(origin), zones).sources
    early = pilot_indicators(screened.assign(leak_screened=False), zones, as_of=2022, districts=districts)
    late = pilot_indicators(screened.assign(leak_screened=False), zones, as_of=2024, districts=districts)
    six = lambda r: r.indicators.drop_duplicates("seq").set_index("seq").loc[6, "status"]  # noqa: E731
    assert six(early) == "behind (due 2023)" and six(late) == "not met (due 2023)"
    assert spot_check_table(screened.iloc[:0]).empty


def test_a_vulnerability_raster_is_sampled_and_summarised(origin, zones, tmp_path):
    import rasterio
    from affine import Affine

    x0, y0 = origin
    # 100 m cells over 12 km x 12 km around the wells; value = column number (west to east), nodata -1 in the first row
    data = np.tile(np.arange(120, dtype="float32"), (120, 1))
    data[0, :] = -1
    transform = Affine(100.0, 0.0, x0 - 6000.0, 0.0, -100.0, y0 + 6000.0)
    path = tmp_path / "vulnerability.tif"
    with rasterio.open(path, "w", driver="GTiff", height=120, width=120, count=1, dtype="float32", crs=METRIC,
                       transform=transform, nodata=-1) as dst:
        dst.write(data, 1)
    result = screen_sources(_register(origin, ROWS), zones, raster=path)
    values = result.sources.set_index("source_id")["raster_value"]
    # B lies 10 m east of W1 (x0): column (6000 + 10) // 100 = 60; C 200 m east: column 62;
    # A lies exactly on the edge of columns 109 and 110 (5 km east), where rounding decides
    assert values["B"] == 60.0 and values["C"] == 62.0 and values["A"] in (109.0, 110.0)
    by_zone = result.raster_by_zone.set_index("zone")
    assert by_zone.loc["zone1", "count"] == 1 and by_zone.loc["zone1", "mean"] == 60.0
    with pytest.raises(FileNotFoundError, match="no such file"):
        screen_sources(_register(origin, ROWS[:1]), zones, raster=tmp_path / "none.tif")
