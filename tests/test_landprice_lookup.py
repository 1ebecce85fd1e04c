"""Tests of zzgeo.landprice.lookup: district, grade and prices at a place."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from zzgeo.crs import wgs84_to_bd09, wgs84_to_gcj02
from zzgeo.errors import OutsideAreaError
from zzgeo.landprice.lookup import lookup_geometry, lookup_point, lookup_prices
from zzgeo.landprice.zones import validate_grade_zones

ERQI = (113.6654, 34.7536)  # near 二七广场, WGS-84; in 管城回族区 (see test_districts)
CC = "collective_construction"
METRIC = "EPSG:4547"


def _use(result: dict, table: str, use: str) -> dict:
    (t,) = [t for t in result["tables"] if t["table"] == table]
    (u,) = [u for u in t["uses"] if u["use"] == use]
    return u


def test_lookup_point_on_test_zones(origin_4547, square_zones) -> None:
    x0, y0 = origin_4547
    west = gpd.GeoSeries([Point(x0 - 300, y0)], crs=METRIC).to_crs("EPSG:4326").iloc[0]
    result = lookup_point(west.x, west.y, zones=square_zones)
    assert result["doc_number"] == "郑政文〔2022〕42号"
    assert result["base_date"] == "2020-01-01"
    assert result["zones_demo"] is False
    commercial = _use(result, CC, "commercial")
    assert commercial["grade"] == "1"
    assert commercial["price_form"] == "floor"
    assert commercial["term_years"] == 40
    assert commercial["plot_ratio"] == 2.0
    assert commercial["prices"][0]["price_yuan_m2"] == 1020.0
    assert commercial["prices"][0]["price_yuan_mu"] == pytest.approx(680_000.0)  # 1020 x 10000/15
    homestead = _use(result, CC, "homestead")
    assert homestead["term_years"] is None  # unlimited
    assert homestead["prices"][0]["price_yuan_m2"] == 1150.0
    cultivated = _use(result, "collective_agricultural", "cultivated")
    assert [(p["right"], p["price_yuan_m2"]) for p in cultivated["prices"]] == [("contract_management", 46.35), ("management", 28.80)]
    assert _use(result, "state_agricultural", "facility")["prices"][0]["price_yuan_m2"] == 131.40


def test_lookup_erqi_on_demo_zones(districts) -> None:
    result = lookup_point(*ERQI)
    assert result["district"] == {"adcode": "410104", "name": "管城回族区"}
    assert result["zones_demo"] is True
    assert "DEMO" in result["zones_note"]
    # the demo generator centres its bands on this very point: grade 1 everywhere
    assert _use(result, CC, "commercial")["prices"][0]["price_yuan_m2"] == 1020.0
    assert result["location"] == {"lon": 113.6654, "lat": 34.7536, "crs_in": "wgs84", "stored_as": "EPSG:4326"}


@pytest.mark.parametrize(("name", "forward"), [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_lookup_in_web_map_coordinates(name, forward, square_zones, origin_4547) -> None:
    x0, y0 = origin_4547
    west = gpd.GeoSeries([Point(x0 - 300, y0)], crs=METRIC).to_crs("EPSG:4326").iloc[0]
    plain = lookup_point(west.x, west.y, zones=square_zones)
    sx, sy = forward(west.x, west.y)
    # the shift is hundreds of metres (more than the 300 m to the grade edge): converting matters
    assert abs(float(sx) - west.x) > 0.004
    shifted = lookup_point(float(sx), float(sy), crs=name, zones=square_zones)
    assert shifted["district"] == plain["district"]
    assert _use(shifted, CC, "commercial")["grade"] == "1"
    assert shifted["location"]["lon"] == pytest.approx(round(west.x, 7), abs=1e-7)
    assert shifted["location"]["lat"] == pytest.approx(round(west.y, 7), abs=1e-7)
    # read as WGS-84 the same numbers land ~600 m (GCJ-02) or ~1.2 km (BD-09) further north-east:
    # in grade 2, or off the 2 km x 1 km test map altogether
    if name == "gcj02":
        assert _use(lookup_point(float(sx), float(sy), zones=square_zones), CC, "commercial")["grade"] == "2"
    else:
        with pytest.raises(OutsideAreaError, match="outside every grade zone in use"):
            lookup_point(float(sx), float(sy), zones=square_zones)


def test_lookup_outside_zhengzhou() -> None:
    with pytest.raises(OutsideAreaError, match=r"^location \(112\.00000, 30\.00000\) lies outside Zhengzhou's 12 county-level units"):
        lookup_point(112.0, 30.0)


def test_lookup_in_dengfeng_names_the_scope() -> None:
    with pytest.raises(OutsideAreaError, match=r"lies in 登封市 \(410185\), outside every grade zone in use\. 郑政文〔2022〕42号 covers 郑州市本级"):
        lookup_point(113.05, 34.45)


@pytest.mark.parametrize("name", ["gcj02", "bd09"])
def test_lookup_messages_show_the_coordinates_as_given(name) -> None:
    # never the WGS-84 coordinates they were converted to, as if the user had typed those
    with pytest.raises(OutsideAreaError, match=rf"^location \(116\.40000, 39\.90000 {name}\) lies outside"):
        lookup_point(116.4, 39.9, crs=name)
    with pytest.raises(OutsideAreaError, match=rf"^\(113\.05000, 34\.45000 {name}\) lies in 登封市"):
        lookup_point(113.05, 34.45, crs=name)
    with pytest.raises(OutsideAreaError, match=r"^location \(-104\.99000, 39\.74000 gcj02\) lies outside"):
        lookup_point(-104.99, 39.74, crs="gcj02")  # Denver: not shifted (outside China), then outside Zhengzhou


def test_lookup_straddling_polygon(origin_4547, square_zones) -> None:
    x0, y0 = origin_4547
    poly = gpd.GeoSeries([box(x0 - 100, y0 - 100, x0 + 100, y0 + 100)], crs=METRIC).to_crs("EPSG:4326").iloc[0]
    result = lookup_geometry(poly, zones=square_zones)
    commercial = _use(result, CC, "commercial")
    assert commercial["grade"] == "1:50%, 2:50%"
    assert commercial["grades"] == [{"grade": 1, "share": 0.5}, {"grade": 2, "share": 0.5}]
    # (1020 + 895) / 2 = 957.5
    assert commercial["prices"][0]["price_yuan_m2"] == pytest.approx(957.5, abs=1e-3)
    # industrial: (345 + 315) / 2 = 330
    assert _use(result, CC, "industrial")["prices"][0]["price_yuan_m2"] == pytest.approx(330.0, abs=1e-3)


def test_lookup_prices_reports_dash_grades_as_missing(origin_4547) -> None:
    # a table-wide grade-5 zone: commercial grade 5 = 670, industrial prints — for grade 5
    x0, y0 = origin_4547
    zones = validate_grade_zones(
        gpd.GeoDataFrame({"table": [CC], "use": [""], "grade": [5]}, geometry=[box(x0 - 500, y0 - 500, x0 + 500, y0 + 500)], crs=METRIC)
    )
    pts = gpd.GeoDataFrame(geometry=[Point(x0, y0)], crs=METRIC)
    frame = lookup_prices(pts, zones=zones)
    assert set(frame["table"]) == {CC}
    by_use = frame.set_index("use")["price_yuan_m2"]
    assert by_use["commercial"] == 670.0
    assert by_use["homestead"] == 610.0
    assert np.isnan(by_use["industrial"]) and np.isnan(by_use["public"])
    result = lookup_geometry(pts.to_crs("EPSG:4326").geometry.iloc[0], zones=zones)
    price = _use(result, CC, "industrial")["prices"][0]
    assert price["price_yuan_m2"] is None
    assert price["note"] == "no such grade (the table prints —)"


def _frame_path(lon: float, lat: float, crs: str = "wgs84") -> dict:
    """The GeoDataFrame path on the store's zones, to compare the one-point array path with."""
    from zzgeo.landprice.zones import default_zones

    return lookup_geometry(Point(lon, lat), crs=crs, zones=default_zones())


def test_one_point_path_gives_the_frame_paths_answer() -> None:
    """lookup_point on the store answers from arrays (no pandas); it must agree with the GeoDataFrame path everywhere:
    inside zones, on zone and district edges and vertices, outside the grade maps and outside Zhengzhou."""
    import shapely

    from zzgeo.landprice.zones import default_zones
    from zzgeo.layers import read_layer

    rng = np.random.default_rng(11)
    zones, districts = default_zones(), read_layer("districts")
    minx, miny, maxx, maxy = zones.total_bounds
    points = [(float(x), float(y)) for x, y in zip(rng.uniform(minx - 0.2, maxx + 0.2, 30), rng.uniform(miny - 0.2, maxy + 0.2, 30))]
    edges = np.vstack([shapely.get_coordinates(zones.geometry.values)[::997], shapely.get_coordinates(districts.boundary.values)[::1001]])
    points += [(float(x), float(y)) for x, y in edges]
    outcomes = set()
    for lon, lat in points:
        try:
            expected = _frame_path(lon, lat)
        except OutsideAreaError as exc:
            with pytest.raises(OutsideAreaError) as got:
                lookup_point(lon, lat)
            assert str(got.value) == str(exc)
            outcomes.add("outside")
            continue
        assert lookup_point(lon, lat) == expected
        outcomes.add("inside")
    assert outcomes == {"inside", "outside"} and len(points) > 60


@pytest.mark.parametrize("crs", ["gcj02", "bd09", "EPSG:4547"])
def test_one_point_path_in_other_coordinates(crs) -> None:
    from zzgeo.crs import from_wgs84_xy

    x, y = (float(v) for v in from_wgs84_xy(ERQI[0] + 0.05, ERQI[1] - 0.03, crs))
    assert lookup_point(x, y, crs=crs) == _frame_path(x, y, crs)
    with pytest.raises(OutsideAreaError) as got:
        lookup_point(113.05, 34.45, crs=crs if crs != "EPSG:4547" else "gcj02")
    assert "登封市" in str(got.value)


def test_one_point_lookup_imports_no_pandas() -> None:
    """What makes the counter's lookup fast: no pandas, geopandas or rasterised grid on its path."""
    import subprocess
    import sys

    code = ("import sys; from zzgeo.landprice.lookup import lookup_point; r = lookup_point(113.6654, 34.7536); "
            "from zzgeo.spatial import index; "
            "print(r['district']['name'], sorted(m for m in ('pandas', 'geopandas', 'pyogrio', 'rasterio', 'scipy') if m in sys.modules), "
            "any(i.rasterised for i in index._CACHE.values()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "管城回族区 [] False"
