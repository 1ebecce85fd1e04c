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

import threading
from typing import TYPE_CHECKING

import numpy as np

from zzgeo.errors import CRSError
from zzgeo.i18n import _

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
    "given_crs",
    "output_crs",
    "format_location",
    "format_locations",
    "to_wgs84",
    "to_metric",
    "require_crs",
    "transformer",
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

    Returns
    -------
    str
        The canonical name: one of :data:`INPUT_CRS_NAMES`, else ``"EPSG:nnnn"``
        (or the WKT of a CRS without an EPSG code).

    Raises
    ------
    CRSError
        If *crs* is ``None`` or not understood.

    Examples
    --------
    Aliases, EPSG codes and pyproj names all come out as one canonical name;
    EPSG:4326 is WGS-84 and EPSG:4490 is CGCS2000:

    >>> normalize_crs_name("高德"), normalize_crs_name("Baidu"), normalize_crs_name("GCJ-02")
    ('gcj02', 'bd09', 'gcj02')
    >>> normalize_crs_name(4326), normalize_crs_name("OGC:CRS84"), normalize_crs_name("EPSG:4490")
    ('wgs84', 'wgs84', 'cgcs2000')
    >>> normalize_crs_name(4547)
    'EPSG:4547'
    >>> normalize_crs_name(None)
    Traceback (most recent call last):
    ...
    zzgeo.errors.CRSError: no coordinate system given (crs=None); pass one of wgs84, cgcs2000, gcj02, bd09 or an EPSG code such as 'EPSG:4547'
    """
    if crs is None:
        msg = _("no coordinate system given (crs=None); pass one of {names} or an EPSG code such as 'EPSG:4547'").format(
            names=", ".join(INPUT_CRS_NAMES))
        raise CRSError(msg)
    key = str(crs).strip().lower().replace(" ", "")
    if key in _ALIASES:
        return _ALIASES[key]
    from pyproj import CRS
    from pyproj.exceptions import CRSError as _PyprojCRSError

    try:
        parsed = CRS.from_user_input(crs)
    except _PyprojCRSError as exc:
        msg = _("unknown coordinate system crs={crs!r}; use one of {names} or an EPSG code such as 'EPSG:4547'").format(
            crs=crs, names=", ".join(INPUT_CRS_NAMES))
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

    Parameters
    ----------
    lon, lat : float or array-like
        WGS-84 degrees.

    Returns
    -------
    lon, lat : numpy.ndarray or numpy.float64
        GCJ-02 degrees, scalars for scalar input.

    Examples
    --------
    二七广场 (Erqi Square) at WGS-84 (113.6654, 34.7536) lies about 0.0061° east
    and 0.0011° south in GCJ-02: at 34.75°N one degree is 111,320 × cos 34.75°
    = 91,470 m of longitude and about 110,900 m of latitude, so the offset is
    some 558 m east and 123 m south (the module notes' 300-600 m):

    >>> lon, lat = wgs84_to_gcj02(113.6654, 34.7536)
    >>> round(float(lon), 5), round(float(lat), 5)
    (113.6715, 34.75249)
    >>> round((float(lon) - 113.6654) * 91470), round((float(lat) - 34.7536) * 110900)
    (558, -123)

    Paris lies outside China's box and is left as it is:

    >>> [float(v) for v in wgs84_to_gcj02(2.3522, 48.8566)]
    [2.3522, 48.8566]
    """
    lon, lat = _arrays(lon, lat)
    return _in_china_only(_gcj02_offset, lon, lat)


def _invert(forward, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Invert *forward* by fixed-point iteration: find (u, v) with forward(u, v) == (x, y)."""
    u, v = x.copy(), y.copy()
    for _i in range(_MAX_ITER):
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

    Parameters
    ----------
    lon, lat : float or array-like
        GCJ-02 degrees (e.g. read off Amap).

    Returns
    -------
    lon, lat : numpy.ndarray
        WGS-84 degrees.

    Examples
    --------
    Erqi Square as Amap shows it (GCJ-02, see :func:`wgs84_to_gcj02`) goes back
    to its WGS-84 position; the round trip closes to under 1e-8° (about 1 mm):

    >>> lon, lat = gcj02_to_wgs84(113.67150391, 34.75248822)
    >>> round(float(lon), 6), round(float(lat), 6)
    (113.6654, 34.7536)
    >>> x, y = gcj02_to_wgs84(*wgs84_to_gcj02([113.6654, 113.0], [34.7536, 34.5]))
    >>> bool(abs(x - [113.6654, 113.0]).max() < 1e-8 and abs(y - [34.7536, 34.5]).max() < 1e-8)
    True
    """
    lon, lat = _arrays(lon, lat)
    return _in_china_only(lambda x, y: _invert(_gcj02_offset, x, y), lon, lat)


def gcj02_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Baidu's published GCJ-02 -> BD-09 transform; points outside China are returned unchanged.

    Parameters
    ----------
    lon, lat : float or array-like
        GCJ-02 degrees.

    Returns
    -------
    lon, lat : numpy.ndarray or numpy.float64
        BD-09 degrees.

    Examples
    --------
    BD-09 is GCJ-02 turned by a tiny angle and shifted by (+0.0065°, +0.006°):
    Erqi Square at GCJ-02 (113.67150, 34.75249) goes to about
    (113.67150 + 0.0065, 34.75249 + 0.006) = (113.67800, 34.75849), and the
    rotation takes 0.00003° off the latitude:

    >>> lon, lat = gcj02_to_bd09(113.67150391, 34.75248822)
    >>> round(float(lon), 5), round(float(lat), 5)
    (113.678, 34.75846)
    """
    lon, lat = _arrays(lon, lat)
    return _in_china_only(_bd09_rotation, lon, lat)


def bd09_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Invert :func:`gcj02_to_bd09` by iteration (exact to < 1 mm); points outside China are returned unchanged.

    Parameters
    ----------
    lon, lat : float or array-like
        BD-09 degrees (e.g. read off Baidu Maps).

    Returns
    -------
    lon, lat : numpy.ndarray
        GCJ-02 degrees.

    Examples
    --------
    Erqi Square at BD-09 (113.67800, 34.75846), see :func:`gcj02_to_bd09`:

    >>> lon, lat = bd09_to_gcj02(113.67800048, 34.75845784)
    >>> round(float(lon), 6), round(float(lat), 6)
    (113.671504, 34.752488)
    """
    lon, lat = _arrays(lon, lat)
    return _in_china_only(lambda x, y: _invert(_bd09_rotation, x, y), lon, lat)


def wgs84_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 -> GCJ-02 -> BD-09; points outside China are returned unchanged.

    Parameters
    ----------
    lon, lat : float or array-like
        WGS-84 degrees.

    Returns
    -------
    lon, lat : numpy.ndarray or numpy.float64
        BD-09 degrees.

    Examples
    --------
    Erqi Square: the GCJ-02 offset (+0.0061°, -0.0011°, :func:`wgs84_to_gcj02`)
    plus Baidu's (+0.0065°, +0.006°) puts it about 1.15 km east and 0.54 km
    north of its WGS-84 position:

    >>> lon, lat = wgs84_to_bd09(113.6654, 34.7536)
    >>> round(float(lon), 5), round(float(lat), 5)
    (113.678, 34.75846)
    """
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 -> GCJ-02 -> WGS-84; points outside China are returned unchanged.

    Parameters
    ----------
    lon, lat : float or array-like
        BD-09 degrees.

    Returns
    -------
    lon, lat : numpy.ndarray
        WGS-84 degrees.

    Examples
    --------
    Erqi Square from Baidu's coordinates (see :func:`wgs84_to_bd09`) back to WGS-84:

    >>> lon, lat = bd09_to_wgs84(113.67800048, 34.75845784)
    >>> round(float(lon), 6), round(float(lat), 6)
    (113.6654, 34.7536)
    """
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS84 = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}
_FROM_WGS84 = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}
_GEOGRAPHIC = ("wgs84", "cgcs2000", "gcj02", "bd09")


def _check_geographic_range(x: np.ndarray, y: np.ndarray, crs_name: str, where: str = "") -> None:
    """Raise :class:`CRSError` when lon/lat values cannot be degrees, or look swapped (*where*: ``"wells.csv: "``)."""
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return
    xs, ys = x[finite], y[finite]
    # Zhengzhou is at ~113.5E 34.7N: values the other way round mean swapped columns.
    # Checked before the range test, which a swapped latitude (> 90) would also fail.
    swapped = (np.abs(xs) < 60) & (np.abs(ys) > 100) & (np.abs(ys) <= 180)
    if swapped.any():
        i = int(np.argmax(swapped))
        msg = where + _("longitude and latitude look swapped: x(lon)={x!r}, y(lat)={y!r} (crs={crs!r}); "
                        "Zhengzhou lies near lon 113.6, lat 34.7. Swap the columns (lon first)").format(
            x=float(xs[i]), y=float(ys[i]), crs=crs_name)
        raise CRSError(msg)
    if (np.abs(xs) > 180).any() or (np.abs(ys) > 90).any():
        i = int(np.argmax((np.abs(xs) > 180) | (np.abs(ys) > 90)))
        msg = where + _("coordinates declared as crs={crs!r} are not degrees: "
                        "x={x!r}, y={y!r}. They look projected (metres?); pass the real "
                        "CRS, e.g. crs='EPSG:4547' for CGCS2000 / GK CM 114E").format(crs=crs_name, x=float(xs[i]), y=float(ys[i]))
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

    Examples
    --------
    Erqi Square in EPSG:4547 (CGCS2000 / GK zone of 114°E, false easting
    500 km): 0.3346° west of the central meridian is about 30.6 km, so its
    easting is about 469.4 km:

    >>> lon, lat = to_wgs84_xy([469363.64], [3847308.69], "EPSG:4547")
    >>> round(float(lon[0]), 5), round(float(lat[0]), 5)
    (113.6654, 34.7536)

    Amap (GCJ-02) coordinates are shifted back (see :func:`wgs84_to_gcj02`):

    >>> lon, lat = to_wgs84_xy(113.67150391, 34.75248822, "amap")
    >>> round(float(lon), 5), round(float(lat), 5)
    (113.6654, 34.7536)

    Latitude and longitude the wrong way round are caught:

    >>> to_wgs84_xy(34.7536, 113.6654)
    Traceback (most recent call last):
    ...
    zzgeo.errors.CRSError: longitude and latitude look swapped: x(lon)=34.7536, y(lat)=113.6654 (crs='wgs84'); ...
    """
    name = normalize_crs_name(crs)
    x, y = _arrays(x, y)
    if name in ("wgs84", "cgcs2000", "gcj02", "bd09"):
        _check_geographic_range(x, y, name)
        if name in _TO_WGS84:
            return _TO_WGS84[name](x, y)
        return x.copy(), y.copy()
    from pyproj import CRS

    finite = np.isfinite(x) & np.isfinite(y)
    if CRS.from_user_input(name).is_projected and finite.any():
        if (np.abs(x[finite]) <= 180).all() and (np.abs(y[finite]) <= 90).all():
            msg = _("coordinates declared as crs={crs!r} (metres) look like degrees: "
                    "x={x!r}, y={y!r}; pass crs='wgs84' (or gcj02/bd09)").format(crs=name, x=float(x[finite][0]), y=float(y[finite][0]))
            raise CRSError(msg)
    return transformer(name, STORAGE_CRS).transform(x, y)


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
        Coordinates in *crs*.

    Examples
    --------
    Erqi Square in EPSG:4547 metres (about 30.6 km west of the 500 km false
    easting, see :func:`to_wgs84_xy`) and in GCJ-02:

    >>> x, y = from_wgs84_xy(113.6654, 34.7536, "EPSG:4547")
    >>> round(float(x), 2), round(float(y), 2)
    (469363.64, 3847308.69)
    >>> x, y = from_wgs84_xy(113.6654, 34.7536, "gcj02")
    >>> round(float(x), 5), round(float(y), 5)
    (113.6715, 34.75249)
    """
    name = normalize_crs_name(crs)
    lon, lat = _arrays(lon, lat)
    if name in _FROM_WGS84:
        return _FROM_WGS84[name](lon, lat)
    if name in _GEOGRAPHIC:
        return lon.copy(), lat.copy()
    return transformer(STORAGE_CRS, name).transform(lon, lat)


def mark_input_crs(frame: gpd.GeoDataFrame, crs: object) -> gpd.GeoDataFrame:
    """Record in ``frame.attrs["input_crs"]`` the CRS its WGS-84 coordinates were converted from (none for WGS-84/CGCS2000); returns *frame*.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A frame already in WGS-84; changed in place.
    crs : str, int or pyproj.CRS
        The CRS the user gave the coordinates in (see :func:`normalize_crs_name`).

    Returns
    -------
    geopandas.GeoDataFrame
        *frame* itself.

    Raises
    ------
    CRSError
        *crs* is not understood.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> frame = gpd.GeoDataFrame(geometry=[Point(113.6654, 34.7536)], crs="EPSG:4326")
    >>> mark_input_crs(frame, "cgcs2000").attrs  # degrees as given: nothing to record
    {}
    >>> mark_input_crs(frame, "高德").attrs
    {'input_crs': 'gcj02'}
    """
    name = given_crs(crs)
    if name:
        frame.attrs[INPUT_CRS_ATTR] = name
    return frame


def given_crs(crs: object) -> str | None:
    """The name under which messages show coordinates given in *crs*: None for WGS-84/CGCS2000 degrees (shown as they are).

    Parameters
    ----------
    crs : str, int or pyproj.CRS
        See :func:`normalize_crs_name`.

    Returns
    -------
    str or None

    Examples
    --------
    >>> given_crs("cgcs2000") is None, given_crs("高德"), given_crs(4547)
    (True, 'gcj02', 'EPSG:4547')
    """
    name = normalize_crs_name(crs)
    return None if name in ("wgs84", "cgcs2000") else name


def output_crs(crs: object) -> str:
    """The CRS an output is written in (``--out-crs``), as a string pyproj and GDAL take: ``EPSG:nnnn`` or WKT.

    Parameters
    ----------
    crs : str, int or pyproj.CRS
        ``wgs84`` (EPSG:4326), ``cgcs2000`` (EPSG:4490), an EPSG code such as
        4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E, Zhengzhou's zone), or
        any CRS pyproj understands.

    Raises
    ------
    CRSError
        Not understood, or GCJ-02/BD-09: those are offsets of WGS-84 that no
        file can declare, so a GIS would place the features 300-600 m off.

    Examples
    --------
    >>> output_crs("cgcs2000"), output_crs(4547), output_crs("WGS84")
    ('EPSG:4490', 'EPSG:4547', 'EPSG:4326')
    >>> output_crs("gcj02")
    Traceback (most recent call last):
    ...
    zzgeo.errors.CRSError: --out-crs 'gcj02': GCJ-02 and BD-09 cannot be declared in a file (a GIS would read the coordinates as WGS-84, 300-600 m off); use wgs84, cgcs2000 or an EPSG code such as 4547
    >>> output_crs("99999")
    Traceback (most recent call last):
    ...
    zzgeo.errors.CRSError: --out-crs '99999': not a coordinate system pyproj knows; use wgs84, cgcs2000 or an EPSG code such as 4547
    """
    try:
        name = normalize_crs_name(crs)
    except CRSError:
        raise CRSError(_("--out-crs {crs!r}: not a coordinate system pyproj knows; use wgs84, cgcs2000 or an EPSG code "
                         "such as 4547").format(crs=crs)) from None
    if name in ("gcj02", "bd09"):
        raise CRSError(_("--out-crs {crs!r}: GCJ-02 and BD-09 cannot be declared in a file (a GIS would read the "
                         "coordinates as WGS-84, 300-600 m off); use wgs84, cgcs2000 or an EPSG code such as 4547").format(crs=crs))
    return {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490"}.get(name, name)


def input_crs(frame: object) -> str | None:
    """The CRS a frame's coordinates were given in, when zzgeo converted them to WGS-84 (``attrs["input_crs"]``), else None.

    Parameters
    ----------
    frame : object
        Usually a GeoDataFrame; anything without ``attrs`` gives None.

    Returns
    -------
    str or None

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> amap = gpd.GeoDataFrame(geometry=[Point(113.67150391, 34.75248822)], crs="EPSG:4326")
    >>> print(input_crs(amap))
    None
    >>> input_crs(to_wgs84(amap, crs="gcj02"))
    'gcj02'
    """
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
        its name, e.g. ``"(113.67150, 34.75249 gcj02)"`` or
        ``"(469363.64, 3847308.69 EPSG:4547)"`` for Erqi Square.

    Returns
    -------
    list of str

    Examples
    --------
    Erqi Square and a point 0.01° further east, stored in WGS-84, shown as a
    user who gave them in GCJ-02 (offset about +0.0061°, -0.0011°) or in
    EPSG:4547 metres would recognise them:

    >>> format_locations([113.6654, 113.6754], [34.7536, 34.7536])
    ['(113.66540, 34.75360)', '(113.67540, 34.75360)']
    >>> format_locations([113.6654, 113.6754], [34.7536, 34.7536], "gcj02")
    ['(113.67150, 34.75249 gcj02)', '(113.68152, 34.75251 gcj02)']
    >>> format_locations([113.6654], [34.7536], "EPSG:4547")
    ['(469363.64, 3847308.69 EPSG:4547)']
    """
    name = normalize_crs_name(crs) if crs is not None else "wgs84"
    lon, lat = np.atleast_1d(*_arrays(lon, lat))
    if name in ("wgs84", "cgcs2000"):
        return [f"({x:.5f}, {y:.5f})" for x, y in zip(lon.tolist(), lat.tolist(), strict=True)]
    xs, ys = (np.atleast_1d(np.asarray(v, dtype="float64")) for v in from_wgs84_xy(lon, lat, name))
    digits = 5 if name in _GEOGRAPHIC else 2
    label = name if len(name) <= 24 else _("in the CRS given")  # a CRS without an EPSG code is named by its WKT
    return [f"({x:.{digits}f}, {y:.{digits}f} {label})" for x, y in zip(xs.tolist(), ys.tolist(), strict=True)]


def format_location(lon: float, lat: float, crs: object = None) -> str:
    """``"(113.66540, 34.75360)"``: one WGS-84 location as the user gave it (see :func:`format_locations`).

    Parameters
    ----------
    lon, lat : float
        WGS-84 degrees.
    crs : str, optional
        The CRS the user gave the coordinates in.

    Returns
    -------
    str

    Examples
    --------
    Erqi Square, and as a Baidu (BD-09) user gave it, about 0.0126° east and
    0.0049° north of WGS-84 (see :func:`wgs84_to_bd09`):

    >>> format_location(113.6654, 34.7536)
    '(113.66540, 34.75360)'
    >>> format_location(113.6654, 34.7536, "bd09")
    '(113.67800, 34.75846 bd09)'
    """
    return format_locations([lon], [lat], crs)[0]


def require_crs(gdf: gpd.GeoDataFrame, *, name: str = "input") -> None:
    """Raise :class:`CRSError` when *gdf* has no CRS.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
    name : str
        How to name the layer in the message.

    Raises
    ------
    CRSError
        ``gdf.crs`` is None.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> require_crs(gpd.GeoDataFrame(geometry=[Point(113.6654, 34.7536)], crs="EPSG:4326"))
    >>> require_crs(gpd.GeoDataFrame(geometry=[Point(113.6654, 34.7536)]), name="parcels.csv")
    Traceback (most recent call last):
    ...
    zzgeo.errors.CRSError: parcels.csv has no coordinate reference system (crs=None); set one with crs= / --crs (wgs84, cgcs2000, gcj02, bd09 or an EPSG code)
    """
    if gdf.crs is None:
        msg = _("{name} has no coordinate reference system (crs=None); set one with "
                "crs= / --crs ({names} or an EPSG code)").format(name=name, names=", ".join(INPUT_CRS_NAMES))
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

    Examples
    --------
    A GeoJSON that claims WGS-84 but holds Erqi Square copied from Amap
    (GCJ-02, about 558 m east and 123 m south of the true place, see
    :func:`wgs84_to_gcj02`):

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> amap = gpd.GeoDataFrame(geometry=[Point(113.67150391, 34.75248822)], crs="EPSG:4326")
    >>> fixed = to_wgs84(amap, crs="gcj02")
    >>> pt = fixed.geometry.iloc[0]
    >>> round(pt.x, 5), round(pt.y, 5), fixed.crs.to_epsg(), fixed.attrs
    (113.6654, 34.7536, 4326, {'input_crs': 'gcj02'})

    A projected file cannot be declared to be something else:

    >>> metric = gpd.GeoDataFrame(geometry=[Point(469363.64, 3847308.69)], crs="EPSG:4547")
    >>> round(to_wgs84(metric).geometry.iloc[0].x, 5)
    113.6654
    >>> to_wgs84(metric, crs="gcj02", name="wells.shp")
    Traceback (most recent call last):
    ...
    zzgeo.errors.CRSError: wells.shp declares crs='EPSG:4547' but crs='gcj02' was given; fix the file's CRS or drop the crs argument
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
            msg = _("{name} declares crs={declared!r} but crs={given!r} was given; "
                    "fix the file's CRS or drop the crs argument").format(name=name, declared=declared, given=given)
            raise CRSError(msg)
    out = gdf.copy()
    if len(out) == 0:
        return out.set_crs(STORAGE_CRS, allow_override=True)
    geoms = np.asarray(out.geometry.values)
    if real in ("wgs84", "cgcs2000"):  # already lon/lat degrees: check them, rebuild nothing
        coords = shapely.get_coordinates(geoms)
        _check_geographic_range(coords[:, 0], coords[:, 1], real, f"{name}: ")
        return out.set_crs(STORAGE_CRS, allow_override=True)

    def _convert(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(to_wgs84_xy(coords[:, 0], coords[:, 1], real))

    return mark_input_crs(out.set_geometry(shapely.transform(geoms, _convert), crs=STORAGE_CRS), real)


def to_metric(gdf: gpd.GeoDataFrame, *, name: str = "input") -> gpd.GeoDataFrame:
    """Return a copy of *gdf* projected to :data:`METRIC_CRS` (EPSG:4547, metres).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any CRS.
    name : str
        How to name the layer in error messages.

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    CRSError
        ``gdf.crs`` is None.

    Examples
    --------
    Erqi Square and a point 0.01° north of it: one degree of latitude is about
    110.9 km at 34.75°N, so they lie about 1,109 m apart:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> pts = to_metric(gpd.GeoDataFrame(geometry=[Point(113.6654, 34.7536), Point(113.6654, 34.7636)], crs="EPSG:4326"))
    >>> pts.crs.to_epsg(), round(pts.geometry.iloc[0].distance(pts.geometry.iloc[1]))
    (4547, 1109)
    """
    require_crs(gdf, name=name)
    return gdf.to_crs(METRIC_CRS)


_TRANSFORMERS = threading.local()


def transformer(source: object, target: object):
    """A ``pyproj.Transformer`` from *source* to *target* (x = longitude/easting), made once per thread.

    Making one costs 0.1-0.2 s (the PROJ database is searched for the best
    operation); the report used to make the same one 18 times. Transformers are
    kept per thread, as pyproj advises for use from several threads.

    Parameters
    ----------
    source, target : str, int or pyproj.CRS
        Anything ``pyproj.Transformer.from_crs`` takes.

    Returns
    -------
    pyproj.Transformer

    Examples
    --------
    >>> t = transformer("EPSG:4326", METRIC_CRS)
    >>> t is transformer("EPSG:4326", METRIC_CRS)
    True
    >>> x, y = t.transform(113.6654, 34.7536)
    >>> round(x, 2), round(y, 2)
    (469363.64, 3847308.69)
    """
    from pyproj import Transformer

    cache = getattr(_TRANSFORMERS, "cache", None)
    if cache is None:
        cache = _TRANSFORMERS.cache = {}
    key = (_crs_key(source), _crs_key(target))
    if key not in cache:
        cache[key] = Transformer.from_crs(source, target, always_xy=True)
    return cache[key]


def _crs_key(crs: object) -> str:
    """A hashable name of a CRS for :func:`transformer`'s cache (a pyproj.CRS by its WKT)."""
    return crs.to_wkt() if hasattr(crs, "to_wkt") else str(crs)
