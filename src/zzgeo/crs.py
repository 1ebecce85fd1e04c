"""Coordinate systems: the one place zzgeo converts, checks and projects coordinates.

zzgeo stores every layer in WGS-84 (EPSG:4326) and does area and distance work
in CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547), which covers
Zhengzhou (112.7E-114.2E). Input may come in any of:

========== ============================================================
name       meaning
========== ============================================================
wgs84      GPS coordinates, EPSG:4326
cgcs2000   China Geodetic Coordinate System 2000, EPSG:4490. Differs from
           WGS-84 by centimetres; treated as WGS-84 at map scale.
gcj02      "Mars" coordinates of Amap / Tencent / Google China: WGS-84
           plus a published obfuscation offset (~300-600 m in Zhengzhou)
bd09       Baidu coordinates: GCJ-02 plus Baidu's own transform
EPSG:nnnn  anything pyproj understands (e.g. EPSG:4547 metres)
========== ============================================================

Accuracy of the GCJ-02 / BD-09 inverse
--------------------------------------
The forward GCJ-02 formula used here is the widely published one (the same
one in geotool-cn, coordtransform and eviltransform); BD-09 adds Baidu's
published rotation. Neither inverse has a closed form, so zzgeo iterates the
forward formula (fixed point) until the step is below 1e-10 degrees: the
round trip WGS-84 -> GCJ-02 -> WGS-84 closes to well under 1 mm (tested).
The single-step inverse most tools use leaves 0.5-5 m. What remains is the
error of the published formula against the official obfuscation, which is not
public and cannot be checked offline; it is commonly put at about a metre.
Treat converted coordinates as good to a few metres, never to centimetres.

Points outside China
--------------------
The offset is only applied inside China. Like geotool-cn, coordtransform and
eviltransform, zzgeo leaves a point unchanged (in both directions, GCJ-02 and
BD-09) when it lies outside the usual bounding box of China: longitude below
72.004 or above 137.8347, or latitude below 0.8293 or above 55.8271 (the test
is made on the coordinates given, before any conversion). Amap and Baidu apply
no offset there either, so such points come out where they were given. No
note is made of it: every zzgeo analysis then refuses them as outside
Zhengzhou, with the coordinates shown as given (:func:`format_location`).

Coordinates in messages
-----------------------
A message about a place shows its coordinates as the user gave them, in their
CRS: :func:`to_wgs84` records the CRS it converted from in
``attrs["input_crs"]`` and :func:`format_location` converts the stored WGS-84
coordinates back with the exact forward formula (GCJ-02, BD-09) or pyproj.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from zzgeo.errors import CRSError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "STORAGE_CRS",
    "METRIC_CRS",
    "INPUT_CRS_NAMES",
    "normalize_crs_name",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "wgs84_to_bd09",
    "bd09_to_wgs84",
    "to_wgs84_xy",
    "from_wgs84_xy",
    "INPUT_CRS_ATTR",
    "input_crs",
    "mark_input_crs",
    "format_location",
    "format_locations",
    "to_wgs84",
    "to_metric",
    "require_crs",
]

#: CRS every zzgeo layer is stored in.
STORAGE_CRS = "EPSG:4326"
#: Metric CRS for areas and distances in Zhengzhou (CGCS2000 / 3-degree GK CM 114E).
METRIC_CRS = "EPSG:4547"

#: Names accepted by ``crs=`` / ``--crs`` besides any EPSG code.
INPUT_CRS_NAMES = ("wgs84", "cgcs2000", "gcj02", "bd09")

_ALIASES = {
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "wgs_84": "wgs84",
    "epsg:4326": "wgs84",
    "4326": "wgs84",
    "gps": "wgs84",
    "cgcs2000": "cgcs2000",
    "cgcs-2000": "cgcs2000",
    "epsg:4490": "cgcs2000",
    "4490": "cgcs2000",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "gcj": "gcj02",
    "amap": "gcj02",
    "gaode": "gcj02",
    "高德": "gcj02",
    "火星坐标": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "bd09ll": "bd09",
    "baidu": "bd09",
    "百度": "bd09",
}

# Krasovsky 1940 ellipsoid parameters used by the published GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
_TOL_DEG = 1e-10
_MAX_ITER = 30
#: Bounding box of China outside which GCJ-02 / BD-09 leave points unchanged (the peers' ``out_of_china``).
_CHINA_LON = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)
#: Key of ``GeoDataFrame.attrs`` naming the CRS the coordinates were given in, when zzgeo converted them.
INPUT_CRS_ATTR = "input_crs"


def normalize_crs_name(crs: object) -> str:
    """Return ``"wgs84"``, ``"cgcs2000"``, ``"gcj02"``, ``"bd09"`` or an ``EPSG:nnnn`` string.

    Parameters
    ----------
    crs : str, int or pyproj.CRS
        A name from :data:`INPUT_CRS_NAMES` (case and dashes ignored, a few
        aliases such as ``amap`` and ``baidu`` accepted), an EPSG code or any
        CRS pyproj understands.

    Raises
    ------
    CRSError
        If *crs* is ``None`` or not understood.
    """
    if crs is None:
        msg = (
            "no coordinate system given (crs=None); pass one of "
            f"{', '.join(INPUT_CRS_NAMES)} or an EPSG code such as 'EPSG:4547'"
        )
        raise CRSError(msg)
    key = str(crs).strip().lower().replace(" ", "")
    if key in _ALIASES:
        return _ALIASES[key]
    from pyproj import CRS
    from pyproj.exceptions import CRSError as _PyprojCRSError

    try:
        parsed = CRS.from_user_input(crs)
    except _PyprojCRSError as exc:
        msg = (
            f"unknown coordinate system crs={crs!r}; use one of "
            f"{', '.join(INPUT_CRS_NAMES)} or an EPSG code such as 'EPSG:4547'"
        )
        raise CRSError(msg) from exc
    epsg = parsed.to_epsg()
    # OGC:CRS84 (lon/lat WGS-84, the GeoJSON default) has no EPSG code of its own.
    if epsg == 4326 or parsed.to_authority() == ("OGC", "CRS84"):
        return "wgs84"
    if epsg == 4490:
        return "cgcs2000"
    return f"EPSG:{epsg}" if epsg else parsed.to_wkt()


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 offset (degrees) at WGS-84 ``lon, lat`` by the published formula."""
    x = lon - 105.0
    y = lat - 35.0
    sx = np.sqrt(np.abs(x))
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += common
    dlon += common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def _arrays(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True where a point lies outside China's bounding box, where no offset applies (NaN counts as inside)."""
    return (lon < _CHINA_LON[0]) | (lon > _CHINA_LON[1]) | (lat < _CHINA_LAT[0]) | (lat > _CHINA_LAT[1])


def _in_china_only(convert, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """*convert* applied to the points inside China's box; points outside come back unchanged (scalars stay scalars).

    Only the points inside are computed, so the formulas never meet a pole or an
    antimeridian (no warnings, no iterations spent on points that stay put).
    """
    out = _out_of_china(lon, lat)
    if not np.any(out):
        return convert(lon, lat)
    x, y = np.array(lon, dtype="float64", ndmin=1), np.array(lat, dtype="float64", ndmin=1)
    inside = ~np.atleast_1d(out)
    if inside.any():
        x[inside], y[inside] = convert(x[inside], y[inside])
    return (x[0], y[0]) if np.ndim(lon) == 0 else (x, y)


def _gcj02_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The published WGS-84 -> GCJ-02 formula everywhere (no bounding box)."""
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def _bd09_rotation(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Baidu's published GCJ-02 -> BD-09 transform everywhere (no bounding box)."""
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Shift WGS-84 longitude/latitude (arrays or scalars) to GCJ-02.

    Points outside China's bounding box (see the module notes) are returned
    unchanged, as geotool-cn, coordtransform and eviltransform do.
    """
    lon, lat = _arrays(lon, lat)
    return _in_china_only(_gcj02_offset, lon, lat)


def _invert(forward, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Invert *forward* by fixed-point iteration: find (u, v) with forward(u, v) == (x, y)."""
    u, v = x.copy(), y.copy()
    for _ in range(_MAX_ITER):
        fx, fy = forward(u, v)
        du, dv = x - fx, y - fy
        u += du
        v += dv
        if np.nanmax(np.abs(du), initial=0.0) < _TOL_DEG and np.nanmax(np.abs(dv), initial=0.0) < _TOL_DEG:
            break
    return u, v


def gcj02_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Recover WGS-84 from GCJ-02 by iterating the forward formula (see module notes).

    Points outside China's bounding box (tested on the GCJ-02 coordinates given)
    are returned unchanged.
    """
    lon, lat = _arrays(lon, lat)
    return _in_china_only(lambda x, y: _invert(_gcj02_offset, x, y), lon, lat)


def gcj02_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Baidu's published GCJ-02 -> BD-09 transform; points outside China are returned unchanged."""
    lon, lat = _arrays(lon, lat)
    return _in_china_only(_bd09_rotation, lon, lat)


def bd09_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Invert :func:`gcj02_to_bd09` by iteration (exact to < 1 mm); points outside China are returned unchanged."""
    lon, lat = _arrays(lon, lat)
    return _in_china_only(lambda x, y: _invert(_bd09_rotation, x, y), lon, lat)


def wgs84_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 -> GCJ-02 -> BD-09; points outside China are returned unchanged."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 -> GCJ-02 -> WGS-84; points outside China are returned unchanged."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS84 = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}
_FROM_WGS84 = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}
_GEOGRAPHIC = ("wgs84", "cgcs2000", "gcj02", "bd09")


def _check_geographic_range(x: np.ndarray, y: np.ndarray, crs_name: str) -> None:
    """Raise :class:`CRSError` when lon/lat values cannot be degrees, or look swapped."""
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return
    xs, ys = x[finite], y[finite]
    # Zhengzhou is at ~113.5E 34.7N: values the other way round mean swapped columns.
    # Checked before the range test, which a swapped latitude (> 90) would also fail.
    swapped = (np.abs(xs) < 60) & (np.abs(ys) > 100) & (np.abs(ys) <= 180)
    if swapped.any():
        i = int(np.argmax(swapped))
        msg = (
            f"longitude and latitude look swapped: x(lon)={float(xs[i])!r}, y(lat)={float(ys[i])!r} (crs={crs_name!r}); "
            "Zhengzhou lies near lon 113.6, lat 34.7. Swap the columns (lon first)"
        )
        raise CRSError(msg)
    if (np.abs(xs) > 180).any() or (np.abs(ys) > 90).any():
        i = int(np.argmax((np.abs(xs) > 180) | (np.abs(ys) > 90)))
        msg = (
            f"coordinates declared as crs={crs_name!r} are not degrees: "
            f"x={float(xs[i])!r}, y={float(ys[i])!r}. They look projected (metres?); pass the real "
            "CRS, e.g. crs='EPSG:4547' for CGCS2000 / GK CM 114E"
        )
        raise CRSError(msg)


def to_wgs84_xy(x, y, crs: object = "wgs84") -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinate arrays in *crs* to WGS-84 longitude/latitude.

    Parameters
    ----------
    x, y : array-like
        Longitudes/eastings and latitudes/northings.
    crs : str, int or pyproj.CRS, default "wgs84"
        See :func:`normalize_crs_name`.

    Returns
    -------
    lon, lat : numpy.ndarray
        GCJ-02 / BD-09 points outside China's bounding box come back unchanged
        (see the module notes).

    Raises
    ------
    CRSError
        Unknown CRS, or degrees out of range / swapped for a geographic CRS
        (the message shows the coordinates as given, before any conversion).
    """
    name = normalize_crs_name(crs)
    x, y = _arrays(x, y)
    if name in ("wgs84", "cgcs2000", "gcj02", "bd09"):
        _check_geographic_range(x, y, name)
        if name in _TO_WGS84:
            return _TO_WGS84[name](x, y)
        return x.copy(), y.copy()
    from pyproj import CRS, Transformer

    finite = np.isfinite(x) & np.isfinite(y)
    if CRS.from_user_input(name).is_projected and finite.any():
        if (np.abs(x[finite]) <= 180).all() and (np.abs(y[finite]) <= 90).all():
            msg = (
                f"coordinates declared as crs={name!r} (metres) look like degrees: "
                f"x={float(x[finite][0])!r}, y={float(y[finite][0])!r}; pass crs='wgs84' (or gcj02/bd09)"
            )
            raise CRSError(msg)
    transformer = Transformer.from_crs(name, STORAGE_CRS, always_xy=True)
    return transformer.transform(x, y)


def from_wgs84_xy(lon, lat, crs: object = "wgs84") -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS-84 longitude/latitude back to *crs*: the inverse of :func:`to_wgs84_xy`.

    GCJ-02 and BD-09 use the published forward formulas, which
    :func:`to_wgs84_xy` inverts to 1e-10 degrees, so coordinates converted
    there and back agree with the ones given to far better than 1e-5 degrees.
    Points outside China come back unchanged.

    Parameters
    ----------
    lon, lat : array-like
        WGS-84 degrees.
    crs : str, int or pyproj.CRS, default "wgs84"
        See :func:`normalize_crs_name`.

    Returns
    -------
    x, y : numpy.ndarray
    """
    name = normalize_crs_name(crs)
    lon, lat = _arrays(lon, lat)
    if name in _FROM_WGS84:
        return _FROM_WGS84[name](lon, lat)
    if name in _GEOGRAPHIC:
        return lon.copy(), lat.copy()
    from pyproj import Transformer

    return Transformer.from_crs(STORAGE_CRS, name, always_xy=True).transform(lon, lat)


def mark_input_crs(frame: gpd.GeoDataFrame, crs: object) -> gpd.GeoDataFrame:
    """Record in ``frame.attrs["input_crs"]`` the CRS its WGS-84 coordinates were converted from (none for WGS-84/CGCS2000); returns *frame*."""
    name = normalize_crs_name(crs)
    if name not in ("wgs84", "cgcs2000"):
        frame.attrs[INPUT_CRS_ATTR] = name
    return frame


def input_crs(frame: object) -> str | None:
    """The CRS a frame's coordinates were given in, when zzgeo converted them to WGS-84 (``attrs["input_crs"]``), else None."""
    attrs = getattr(frame, "attrs", None) or {}
    value = attrs.get(INPUT_CRS_ATTR)
    return str(value) if value else None


def format_locations(lon, lat, crs: object = None) -> list[str]:
    """``["(113.66540, 34.75360)", ...]``: WGS-84 locations as the user gave them, in their CRS (vectorised).

    Parameters
    ----------
    lon, lat : array-like
        WGS-84 degrees, as zzgeo stores them.
    crs : str, optional
        The CRS the user gave the coordinates in (e.g. :func:`input_crs` of the
        frame). ``None``, ``wgs84`` and ``cgcs2000`` show the degrees as they
        are; any other CRS converts them back (:func:`from_wgs84_xy`) and adds
        its name, e.g. ``"(113.67140, 34.75240 gcj02)"`` or
        ``"(469363.60, 3847308.70 EPSG:4547)"``.

    Returns
    -------
    list of str
    """
    name = normalize_crs_name(crs) if crs is not None else "wgs84"
    lon, lat = np.atleast_1d(*_arrays(lon, lat))
    if name in ("wgs84", "cgcs2000"):
        return [f"({x:.5f}, {y:.5f})" for x, y in zip(lon.tolist(), lat.tolist(), strict=True)]
    xs, ys = (np.atleast_1d(np.asarray(v, dtype="float64")) for v in from_wgs84_xy(lon, lat, name))
    digits = 5 if name in _GEOGRAPHIC else 2
    label = name if len(name) <= 24 else "in the CRS given"  # a CRS without an EPSG code is named by its WKT
    return [f"({x:.{digits}f}, {y:.{digits}f} {label})" for x, y in zip(xs.tolist(), ys.tolist(), strict=True)]


def format_location(lon: float, lat: float, crs: object = None) -> str:
    """``"(113.66540, 34.75360)"``: one WGS-84 location as the user gave it (see :func:`format_locations`)."""
    return format_locations([lon], [lat], crs)[0]


def require_crs(gdf: gpd.GeoDataFrame, *, name: str = "input") -> None:
    """Raise :class:`CRSError` when *gdf* has no CRS."""
    if gdf.crs is None:
        msg = (
            f"{name} has no coordinate reference system (crs=None); set one with "
            f"crs= / --crs ({', '.join(INPUT_CRS_NAMES)} or an EPSG code)"
        )
        raise CRSError(msg)


def to_wgs84(gdf: gpd.GeoDataFrame, *, crs: object = None, name: str = "input") -> gpd.GeoDataFrame:
    """Return a copy of *gdf* in WGS-84 (EPSG:4326), converting GCJ-02/BD-09 when asked.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Input layer. Its own ``crs`` is used when *crs* is ``None``.
    crs : str, optional
        What the coordinates really are. ``"gcj02"`` or ``"bd09"`` override a
        geographic CRS declared in the file (GeoJSON always claims WGS-84,
        even when the points were copied from Amap or Baidu). Any other value
        must agree with a CRS the file declares.
    name : str
        How to name the layer in error messages.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326. When the coordinates were converted (GCJ-02, BD-09, a
        projected CRS), ``attrs["input_crs"]`` names the CRS they were given
        in, so messages can show them as given (:func:`format_location`).
        GCJ-02 / BD-09 points outside China are left as they are (no note is
        made: they then fail the check that they lie in Zhengzhou).

    Raises
    ------
    CRSError
        No CRS anywhere, an unknown CRS, a conflict between the declared and
        the given CRS, or coordinates that cannot be what the CRS says.
    """
    import shapely

    declared = normalize_crs_name(gdf.crs) if gdf.crs is not None else None
    given = normalize_crs_name(crs) if crs is not None else None
    if given is None and declared is None:
        require_crs(gdf, name=name)
    real = given or declared
    if given and declared and given != declared:
        geographic = declared in ("wgs84", "cgcs2000")
        if not (geographic and given in ("wgs84", "cgcs2000", "gcj02", "bd09")):
            msg = (
                f"{name} declares crs={declared!r} but crs={given!r} was given; "
                "fix the file's CRS or drop the crs argument"
            )
            raise CRSError(msg)
    out = gdf.copy()
    if len(out) == 0:
        return out.set_crs(STORAGE_CRS, allow_override=True)
    geoms = np.asarray(out.geometry.values)
    if real in ("wgs84", "cgcs2000"):  # already lon/lat degrees: check them, rebuild nothing
        coords = shapely.get_coordinates(geoms)
        _check_geographic_range(coords[:, 0], coords[:, 1], real)
        return out.set_crs(STORAGE_CRS, allow_override=True)

    def _convert(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(to_wgs84_xy(coords[:, 0], coords[:, 1], real))

    return mark_input_crs(out.set_geometry(shapely.transform(geoms, _convert), crs=STORAGE_CRS), real)


def to_metric(gdf: gpd.GeoDataFrame, *, name: str = "input") -> gpd.GeoDataFrame:
    """Return a copy of *gdf* projected to :data:`METRIC_CRS` (EPSG:4547, metres)."""
    require_crs(gdf, name=name)
    return gdf.to_crs(METRIC_CRS)
