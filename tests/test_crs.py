"""Tests of zzgeo.crs: GCJ-02 / BD-09 conversions and the CRS checks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from GeoToolCN import coords as geotool
from pyproj import Geod
from shapely.geometry import Point

from zzgeo import crs
from zzgeo.errors import CRSError

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def grid() -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 points every 0.25° x 0.2° over Zhengzhou (112.7-114.2E, 34.2-35.0N): 7 x 5 = 35."""
    lon, lat = np.meshgrid(np.linspace(112.7, 114.2, 7), np.linspace(34.2, 35.0, 5))
    return lon.ravel(), lat.ravel()


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


# --- conversions ------------------------------------------------------------------------------------


def test_gcj02_round_trip_below_a_millimetre(grid) -> None:
    lon, lat = grid
    glon, glat = crs.wgs84_to_gcj02(lon, lat)
    shift = _metres(lon, lat, glon, glat)
    # the obfuscation moves points by ~300-600 m around Zhengzhou
    assert shift.min() > 300 and shift.max() < 700
    back = crs.gcj02_to_wgs84(glon, glat)
    assert _metres(lon, lat, *back).max() < 1e-3


def test_bd09_round_trip_below_a_millimetre(grid) -> None:
    lon, lat = grid
    blon, blat = crs.wgs84_to_bd09(lon, lat)
    assert _metres(lon, lat, blon, blat).min() > 500
    assert _metres(lon, lat, *crs.bd09_to_wgs84(blon, blat)).max() < 1e-3
    glon, glat = crs.wgs84_to_gcj02(lon, lat)
    assert _metres(glon, glat, *crs.bd09_to_gcj02(*crs.gcj02_to_bd09(glon, glat))).max() < 1e-3


def test_forward_formulas_equal_geotool_cn(grid) -> None:
    # the published forward formulas: zzgeo and geotool-cn must agree to floating point
    lon, lat = grid
    ours_g = np.column_stack(crs.wgs84_to_gcj02(lon, lat))
    ours_b = np.column_stack(crs.wgs84_to_bd09(lon, lat))
    theirs_g = np.array([geotool.wgs84_to_gcj02(a, b) for a, b in zip(lon, lat)])
    theirs_b = np.array([geotool.wgs84_to_bd09(a, b) for a, b in zip(lon, lat)])
    assert np.abs(ours_g - theirs_g).max() < 1e-9
    assert np.abs(ours_b - theirs_b).max() < 1e-9


@pytest.mark.parametrize(
    ("forward", "inverse", "theirs"),
    [
        (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84, geotool.gcj02_to_wgs84),
        (crs.wgs84_to_bd09, crs.bd09_to_wgs84, geotool.bd09_to_wgs84),
    ],
)
def test_inverse_agrees_with_geotool_cn_within_metres(grid, forward, inverse, theirs) -> None:
    # geotool-cn inverts in one step (error ~1-2.5 m in Zhengzhou, measured); zzgeo iterates.
    # Independent implementations must agree within 5 m, and zzgeo must be the closer to the truth.
    lon, lat = grid
    fx, fy = forward(lon, lat)
    ours = inverse(fx, fy)
    other = np.array([theirs(a, b) for a, b in zip(fx, fy)])
    assert _metres(ours[0], ours[1], other[:, 0], other[:, 1]).max() < 5.0
    assert _metres(lon, lat, *ours).max() < _metres(lon, lat, other[:, 0], other[:, 1]).min()


def test_scalars_work() -> None:
    lon, lat = crs.gcj02_to_wgs84(113.6715, 34.7525)
    assert np.ndim(lon) == 0
    assert 113.66 < float(lon) < 113.67 and 34.75 < float(lat) < 34.76


def test_projected_input_to_wgs84() -> None:
    # EPSG:4547 is CGCS2000 / 3-degree Gauss-Kruger CM 114E with a false easting of 500,000 m:
    # easting 500,000 lies on the central meridian, lon = 114 exactly.
    lon, lat = crs.to_wgs84_xy([500_000.0], [3_850_000.0], "EPSG:4547")
    assert lon[0] == pytest.approx(114.0, abs=1e-9)
    assert 34.7 < lat[0] < 34.8


# --- names --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("WGS84", "wgs84"),
        ("EPSG:4326", "wgs84"),
        (4326, "wgs84"),
        ("OGC:CRS84", "wgs84"),
        ("EPSG:4490", "cgcs2000"),
        ("Amap", "gcj02"),
        ("高德", "gcj02"),
        ("GCJ-02", "gcj02"),
        ("baidu", "bd09"),
        ("BD-09", "bd09"),
        ("EPSG:4547", "EPSG:4547"),
    ],
)
def test_normalize_crs_name(given, name) -> None:
    assert crs.normalize_crs_name(given) == name


def test_unknown_and_missing_crs_name() -> None:
    with pytest.raises(CRSError, match=r"unknown coordinate system crs='mars'.*gcj02"):
        crs.normalize_crs_name("mars")
    with pytest.raises(CRSError, match=r"no coordinate system given \(crs=None\)"):
        crs.normalize_crs_name(None)


# --- checks ---------------------------------------------------------------------------------------------


def test_swapped_lat_lon() -> None:
    with pytest.raises(CRSError, match=r"longitude and latitude look swapped: x\(lon\)=34\.7536, y\(lat\)=113\.6654"):
        crs.to_wgs84_xy([34.7536], [113.6654], "wgs84")
    with pytest.raises(CRSError, match="look swapped"):
        crs.to_wgs84_xy([34.7536], [113.6654], "gcj02")


def test_metres_declared_as_degrees() -> None:
    # Erqi Square in EPSG:4547 metres passed as WGS-84
    with pytest.raises(CRSError, match=r"crs='wgs84' are not degrees: x=469363\.6, y=3847308\.7.*EPSG:4547"):
        crs.to_wgs84_xy([469363.6], [3847308.7], "wgs84")
    gdf = gpd.GeoDataFrame(geometry=[Point(469363.6, 3847308.7)], crs="EPSG:4326")
    with pytest.raises(CRSError, match="not degrees"):
        crs.to_wgs84(gdf)


def test_missing_crs() -> None:
    gdf = gpd.GeoDataFrame(geometry=[Point(113.6, 34.7)])
    with pytest.raises(CRSError, match=r"parcels has no coordinate reference system \(crs=None\)"):
        crs.to_wgs84(gdf, name="parcels")
    with pytest.raises(CRSError, match="no coordinate reference system"):
        crs.to_metric(gdf)
    # giving the CRS fixes it
    assert crs.to_wgs84(gdf, crs="wgs84").crs == "EPSG:4326"


def test_conflicting_crs_names_both() -> None:
    gdf = gpd.GeoDataFrame(geometry=[Point(469363.6, 3847308.7)], crs="EPSG:4547")
    with pytest.raises(CRSError, match=r"zones declares crs='EPSG:4547' but crs='wgs84' was given"):
        crs.to_wgs84(gdf, crs="wgs84", name="zones")
    with pytest.raises(CRSError, match=r"declares crs='EPSG:4547' but crs='gcj02' was given"):
        crs.to_wgs84(gdf, crs="gcj02")


def test_gcj02_overrides_a_geographic_declaration() -> None:
    # GeoJSON always claims WGS-84; points copied from Amap are GCJ-02 all the same
    glon, glat = crs.wgs84_to_gcj02(113.6654, 34.7536)
    gdf = gpd.GeoDataFrame({"name": ["erqi"]}, geometry=[Point(float(glon), float(glat))], crs="EPSG:4326")
    before = gdf.copy()
    out = crs.to_wgs84(gdf, crs="gcj02")
    assert out.crs == "EPSG:4326"
    assert _metres(113.6654, 34.7536, out.geometry.x.iloc[0], out.geometry.y.iloc[0]) < 1e-3
    assert gdf.geometry.iloc[0].equals(before.geometry.iloc[0])  # input untouched
    assert out["name"].tolist() == ["erqi"]


def test_to_wgs84_from_metric_and_back() -> None:
    gdf = gpd.GeoDataFrame(geometry=[Point(469363.636, 3847308.694)], crs="EPSG:4547")
    out = crs.to_wgs84(gdf)
    assert (out.geometry.x.iloc[0], out.geometry.y.iloc[0]) == pytest.approx((113.6654, 34.7536), abs=1e-8)
    metric = crs.to_metric(out)
    assert metric.crs == crs.METRIC_CRS == "EPSG:4547"
    assert metric.geometry.x.iloc[0] == pytest.approx(469363.636, abs=1e-3)


def test_degrees_declared_as_metres_are_rejected():
    from zzgeo.crs import to_wgs84_xy
    from zzgeo.errors import CRSError

    with pytest.raises(CRSError, match="look like degrees"):
        to_wgs84_xy([113.6654], [34.7536], "EPSG:4547")


# --- outside China: no offset, as in geotool-cn / coordtransform / eviltransform -----------------------

#: Denver, London, Sydney, Tokyo (east of 137.8347E), Moscow (west of 72.004E), Cape Town: outside China's box.
ABROAD = (np.array([-104.99, -0.1276, 151.2093, 139.6917, 37.6173, 18.4241]),
          np.array([39.74, 51.5072, -33.8688, 35.6895, 55.7558, -33.9249]))
#: Beijing, Urumqi, Harbin, Sanya, Lhasa: inside the box, shifted.
IN_CHINA = (np.array([116.4074, 87.6168, 126.5349, 109.5119, 91.1409]), np.array([39.9042, 43.8256, 45.8038, 18.2528, 29.6456]))


@pytest.mark.parametrize("convert", [crs.wgs84_to_gcj02, crs.gcj02_to_wgs84, crs.gcj02_to_bd09, crs.bd09_to_gcj02,
                                     crs.wgs84_to_bd09, crs.bd09_to_wgs84])
def test_points_outside_china_are_left_unchanged(convert) -> None:
    lon, lat = ABROAD
    x, y = convert(lon, lat)
    np.testing.assert_array_equal(x, lon)
    np.testing.assert_array_equal(y, lat)
    # scalars too: Denver is not moved 4.5 km
    sx, sy = convert(-104.99, 39.74)
    assert (float(sx), float(sy)) == (-104.99, 39.74) and np.ndim(sx) == 0


def test_outside_china_agrees_with_geotool_cn() -> None:
    # geotool-cn's WGS-84 <-> GCJ-02 return points outside China unchanged; zzgeo must agree exactly.
    # (geotool-cn applies Baidu's rotation everywhere; zzgeo leaves BD-09 outside China unchanged too.)
    for lon, lat in zip(*ABROAD):
        assert tuple(map(float, crs.wgs84_to_gcj02(lon, lat))) == geotool.wgs84_to_gcj02(lon, lat)
        assert tuple(map(float, crs.gcj02_to_wgs84(lon, lat))) == geotool.gcj02_to_wgs84(lon, lat)


def test_mixed_arrays_shift_only_the_points_in_china() -> None:
    lon = np.concatenate([IN_CHINA[0], ABROAD[0]])
    lat = np.concatenate([IN_CHINA[1], ABROAD[1]])
    gx, gy = crs.wgs84_to_gcj02(lon, lat)
    n = len(IN_CHINA[0])
    theirs = np.array([geotool.wgs84_to_gcj02(a, b) for a, b in zip(lon, lat)])
    assert np.abs(np.column_stack([gx, gy]) - theirs).max() < 1e-9
    assert (_metres(lon[:n], lat[:n], gx[:n], gy[:n]) > 50).all()
    back = crs.gcj02_to_wgs84(gx, gy)
    assert _metres(lon, lat, *back).max() < 1e-3
    bx, by = crs.wgs84_to_bd09(lon, lat)
    theirs_b = np.array([geotool.wgs84_to_bd09(a, b) for a, b in zip(lon[:n], lat[:n])])
    assert np.abs(np.column_stack([bx[:n], by[:n]]) - theirs_b).max() < 1e-9
    assert (bx[n:] == lon[n:]).all() and (by[n:] == lat[n:]).all()
    assert _metres(lon, lat, *crs.bd09_to_wgs84(bx, by)).max() < 1e-3


def test_to_wgs84_leaves_gcj02_points_abroad_and_records_the_crs() -> None:
    gdf = gpd.GeoDataFrame(geometry=[Point(-104.99, 39.74), Point(113.6715, 34.7525)], crs=4326)
    out = crs.to_wgs84(gdf, crs="gcj02")
    assert (out.geometry.x.iloc[0], out.geometry.y.iloc[0]) == (-104.99, 39.74)
    assert out.geometry.x.iloc[1] != 113.6715
    assert crs.input_crs(out) == "gcj02" and crs.input_crs(crs.to_wgs84(gdf)) is None


# --- coordinates in messages are shown as the user gave them --------------------------------------------


@pytest.mark.parametrize(("name", "digits"), [("gcj02", 5), ("bd09", 5), ("EPSG:4547", 2)])
def test_format_location_shows_the_coordinates_as_given(name, digits) -> None:
    gx, gy = (np.atleast_1d(v) for v in crs.from_wgs84_xy([113.6654, -104.99], [34.7536, 39.74], name))
    lon, lat = crs.to_wgs84_xy(gx, gy, name)
    assert lon[0] != pytest.approx(gx[0], abs=1e-4)  # really converted
    shown = crs.format_locations(lon, lat, name)
    assert shown == [f"({x:.{digits}f}, {y:.{digits}f} {name})" for x, y in zip(gx, gy)]
    assert crs.format_location(113.6654, 34.7536) == "(113.66540, 34.75360)"
    assert crs.format_location(113.6654, 34.7536, "cgcs2000") == "(113.66540, 34.75360)"


def test_swapped_message_names_the_crs() -> None:
    with pytest.raises(CRSError, match=r"x\(lon\)=34\.7536, y\(lat\)=113\.6654 \(crs='gcj02'\)"):
        crs.to_wgs84_xy([34.7536], [113.6654], "gcj02")


def test_register_outside_zhengzhou_shows_gcj02_coordinates_as_given(tmp_path, districts) -> None:
    # registers/checks.py locate: a CSV in GCJ-02 whose row is in Beijing (shifted ~600 m when read)
    from zzgeo.errors import OutsideAreaError
    from zzgeo.registers import load_register

    path = tmp_path / "r.csv"
    path.write_text("name,class,effective_area_m2,lon,lat\na,I,30000,116.4,39.9\n", encoding="utf-8")
    with pytest.raises(OutsideAreaError, match=r"location \(116\.40000, 39\.90000 gcj02\) is outside Zhengzhou"):
        load_register(path, "shelters/register.toml", crs="gcj02", districts=districts)
    far = tmp_path / "far.csv"
    far.write_text("name,class,effective_area_m2,lon,lat\na,I,30000,-104.99,39.74\n", encoding="utf-8")
    with pytest.raises(OutsideAreaError, match=r"location \(-104\.99000, 39\.74000 gcj02\) is outside Zhengzhou"):
        load_register(far, "shelters/register.toml", crs="gcj02", districts=districts)
