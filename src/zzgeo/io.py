"""Reading user layers from files or PostGIS, and writing outputs atomically.

Readers return GeoDataFrames in WGS-84 (EPSG:4326); the coordinates' real CRS
is handled by :mod:`zzgeo.crs`. Writers never overwrite an input and never
leave a half-written file: they write beside the target and move it into place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.crs import INPUT_CRS_NAMES, STORAGE_CRS, normalize_crs_name, to_wgs84, to_wgs84_xy
from zzgeo.errors import CRSError, GeometryError, SchemaError, ZzgeoError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "TABLE_SUFFIXES",
    "VECTOR_SUFFIXES",
    "read_vector",
    "read_table",
    "frame_from_coordinates",
    "write_vector",
    "check_geometries",
]

TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")
VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".zip", ".fgb")
_LON_NAMES = ("lon", "lng", "longitude", "x", "经度", "东经", "gcj_lng", "bd_lng", "wgs_lng", "long")
_LAT_NAMES = ("lat", "latitude", "y", "纬度", "北纬", "gcj_lat", "bd_lat", "wgs_lat")
# column names that betray where coordinates came from
_HINTS = {"gcj": "gcj02", "amap": "gcj02", "高德": "gcj02", "火星": "gcj02", "bd": "bd09", "baidu": "bd09", "百度": "bd09"}


def _is_postgis(source: str | Path) -> bool:
    return str(source).startswith(("postgresql://", "postgres://", "postgresql+psycopg2://", "PG:"))


def read_table(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV (UTF-8, UTF-8 with BOM or GBK) or Excel sheet as strings-preserving DataFrame."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xls"):
        return pd.read_excel(path, sheet_name=sheet or 0)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, encoding=encoding)
        except UnicodeDecodeError:
            continue
    raise SchemaError(f"cannot decode {str(path)!r} as UTF-8 or GBK text")


def _find_column(columns: Iterable[str], names: tuple[str, ...]) -> str | None:
    lower = {str(c).strip().lower(): c for c in columns}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def _hinted_crs(*columns: str) -> str | None:
    for col in columns:
        text = str(col).lower()
        for key, crs in _HINTS.items():
            if key in text:
                return crs
    return None


def frame_from_coordinates(
    frame: pd.DataFrame,
    *,
    crs: object,
    x: str | None = None,
    y: str | None = None,
    name: str = "input",
) -> gpd.GeoDataFrame:
    """Make points (or WKT geometries) from a table's coordinate columns, in WGS-84.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table with longitude/latitude columns (``lon``/``lat``, ``lng``,
        ``x``/``y``, ``经度``/``纬度`` ...) or a ``wkt`` / ``geometry`` column.
    crs : str
        What the coordinates are (``wgs84``, ``cgcs2000``, ``gcj02``,
        ``bd09`` or an EPSG code). Required: a table carries no CRS.
    x, y : str, optional
        Coordinate column names, when not one of the usual ones.

    Raises
    ------
    CRSError
        *crs* missing, or the column names say GCJ-02/BD-09 while *crs* says otherwise.
    SchemaError
        No coordinate columns, or non-numeric coordinates.
    """
    import geopandas as gpd
    import shapely

    wkt_col = _find_column(frame.columns, ("wkt", "geometry", "geom", "几何"))
    x = x or _find_column(frame.columns, _LON_NAMES)
    y = y or _find_column(frame.columns, _LAT_NAMES)
    if crs is None:
        hint = _hinted_crs(*(c for c in (x, y) if c))
        msg = (
            f"{name} is a table and carries no CRS; pass crs= / --crs "
            f"({', '.join(INPUT_CRS_NAMES)} or an EPSG code)"
            + (f". Its column names suggest {hint!r}" if hint else "")
        )
        raise CRSError(msg)
    if x and y:
        hint = _hinted_crs(x, y)
        if hint and normalize_crs_name(crs) != hint:
            msg = f"{name}: columns {x!r}/{y!r} look like {hint} coordinates but crs={crs!r} was given; pass crs={hint!r} if they are"
            raise CRSError(msg)
        xs = pd.to_numeric(frame[x], errors="coerce")
        ys = pd.to_numeric(frame[y], errors="coerce")
        bad = (xs.isna() & frame[x].notna()) | (ys.isna() & frame[y].notna())
        if bad.any():
            rows = list(frame.index[bad])[:5]
            msg = f"{name}: non-numeric coordinates in {x!r}/{y!r} at rows {rows}: {frame.loc[rows, [x, y]].values.tolist()!r}"
            raise SchemaError(msg)
        missing = xs.isna() | ys.isna()
        if missing.any():
            msg = f"{name}: rows {list(frame.index[missing])[:10]} have no coordinates in {x!r}/{y!r}"
            raise GeometryError(msg)
        lon, lat = to_wgs84_xy(xs.to_numpy(), ys.to_numpy(), crs)
        geometry = shapely.points(np.column_stack([lon, lat]))
        return gpd.GeoDataFrame(frame.copy(), geometry=geometry, crs=STORAGE_CRS)
    if wkt_col:
        geoms = shapely.from_wkt(frame[wkt_col].astype("string").fillna("").to_numpy(dtype=object), on_invalid="ignore")
        out = gpd.GeoDataFrame(frame.drop(columns=[wkt_col]), geometry=geoms)
        return to_wgs84(out, crs=crs, name=name)
    msg = (
        f"{name}: no coordinate columns found among {list(frame.columns)!r}; name them lon/lat "
        "(or 经度/纬度, x/y), pass x=/y= (--x/--y), or give a WKT column"
    )
    raise SchemaError(msg)


def read_vector(
    source: str | Path,
    *,
    layer: str | None = None,
    crs: object = None,
    x: str | None = None,
    y: str | None = None,
    sheet: str | int | None = None,
    name: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a layer from GeoPackage/GeoJSON/Shapefile/FlatGeobuf, CSV/Excel or PostGIS, in WGS-84.

    Parameters
    ----------
    source : str or Path
        A file path, or a PostGIS URL ``postgresql://user:pw@host:port/db``
        with *layer* naming the table (``schema.table``) or a ``SELECT``.
    layer : str, optional
        Layer of a GeoPackage, or table/query for PostGIS.
    crs : str, optional
        The coordinates' real CRS. Required for CSV/Excel; for files that
        declare a CRS it may only add ``gcj02``/``bd09`` on top of a
        geographic CRS (see :func:`zzgeo.crs.to_wgs84`).
    x, y : str, optional
        Coordinate columns of a table.
    sheet : str or int, optional
        Excel sheet.

    Raises
    ------
    FileNotFoundError, CRSError, SchemaError, GeometryError
    """
    label = name or str(source)
    if _is_postgis(source):
        return _read_postgis(str(source), layer=layer, crs=crs, name=label)
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return frame_from_coordinates(read_table(path, sheet=sheet), crs=crs, x=x, y=y, name=label)
    import geopandas as gpd

    try:
        gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own error types
        raise SchemaError(f"cannot read {label!r} as a vector layer: {exc}") from exc
    if "geometry" not in gdf or not isinstance(gdf, gpd.GeoDataFrame):
        raise SchemaError(f"{label!r} has no geometry column")
    return to_wgs84(gdf, crs=crs, name=label)


def _read_postgis(dsn: str, *, layer: str | None, crs: object, name: str) -> gpd.GeoDataFrame:
    try:
        import sqlalchemy
    except ImportError as exc:  # pragma: no cover - depends on extras
        raise ZzgeoError("reading PostGIS needs the postgis extra: pip install 'zzgeo[postgis]'") from exc
    import geopandas as gpd

    if not layer:
        raise SchemaError(f"{name}: name the PostGIS table (schema.table) or a SELECT with layer= / --layer")
    query = layer if layer.lstrip().lower().startswith("select") else f"SELECT * FROM {_quote_table(layer)}"
    engine = sqlalchemy.create_engine(dsn)
    try:
        with engine.connect() as conn:
            cols = conn.execute(sqlalchemy.text(f"SELECT * FROM ({query}) AS q LIMIT 0")).keys()
            geom_col = next((c for c in cols if c in ("geom", "geometry", "the_geom", "wkb_geometry", "shape")), None)
            if geom_col is None:
                raise SchemaError(f"{name}: {layer!r} has no geometry column (geom/geometry/the_geom); columns: {list(cols)}")
            gdf = gpd.read_postgis(sqlalchemy.text(query), conn, geom_col=geom_col)
    finally:
        engine.dispose()
    return to_wgs84(gdf, crs=crs, name=name)


def _quote_table(table: str) -> str:
    parts = table.split(".")
    if not all(p.replace("_", "").isalnum() for p in parts):
        raise SchemaError(f"not a plain table name: {table!r}; use schema.table or a SELECT")
    return ".".join(f'"{p}"' for p in parts)


def check_geometries(gdf: gpd.GeoDataFrame, *, name: str = "input", id_column: str | None = None) -> None:
    """Raise :class:`GeometryError` for missing, empty or invalid geometries, naming the rows."""
    import shapely

    geoms = np.asarray(gdf.geometry.values)
    labels = gdf[id_column].to_numpy() if id_column else gdf.index.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        raise GeometryError(f"{name}: {int(missing.sum())} row(s) have missing or empty geometry: {list(labels[missing])[:10]!r}")
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        first = np.flatnonzero(invalid)[0]
        reason = shapely.is_valid_reason(geoms[first])
        msg = (
            f"{name}: {int(invalid.sum())} invalid geometr(y/ies), rows {list(labels[invalid])[:10]!r}; "
            f"first: {reason}. Repair them (shapely.make_valid / QGIS 'Fix geometries') and retry"
        )
        raise GeometryError(msg)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def write_vector(
    gdf: pd.DataFrame,
    path: str | Path,
    *,
    layer: str | None = None,
    protect: Iterable[str | Path] = (),
) -> Path:
    """Write *gdf* to *path* atomically; the format follows the suffix.

    ``.gpkg``, ``.geojson``, ``.shp``, ``.fgb`` write vector files; ``.csv``
    and ``.xlsx`` write a table with ``lon``/``lat`` (points) or ``wkt``
    columns. The output goes to a temporary file in the same folder and is
    moved into place, so a failure leaves any old file untouched.

    Parameters
    ----------
    protect : iterable of path
        Input files that must not be overwritten.

    Raises
    ------
    ZzgeoError
        *path* is one of the protected inputs, or the suffix is unknown.
    """
    path = Path(path)
    for p in protect:
        if _same_file(path, Path(p)):
            raise ZzgeoError(f"refusing to overwrite the input {str(p)!r}; choose another --out")
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{path.stem}.", dir=path.parent))
    try:
        tmp = tmpdir / path.name
        if suffix in (".csv", ".xlsx"):
            table = _as_table(gdf)
            if suffix == ".csv":
                table.to_csv(tmp, index=False, encoding="utf-8-sig")
            else:
                table.to_excel(tmp, index=False)
        elif suffix in (".gpkg", ".geojson", ".json", ".shp", ".fgb"):
            driver = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".shp": "ESRI Shapefile", ".fgb": "FlatGeobuf"}[suffix]
            gdf.to_file(tmp, driver=driver, layer=layer) if layer else gdf.to_file(tmp, driver=driver)
        else:
            raise ZzgeoError(f"unknown output format {suffix!r} for {str(path)!r}; use .gpkg, .geojson, .shp, .fgb, .csv or .xlsx")
        for produced in sorted(tmpdir.iterdir()):  # a shapefile is several files
            os.replace(produced, path.with_suffix(produced.suffix) if produced.stem == path.stem else path.parent / produced.name)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return path


def _as_table(gdf: pd.DataFrame) -> pd.DataFrame:
    import shapely

    if "geometry" not in gdf.columns:
        return pd.DataFrame(gdf)
    geoms = np.asarray(gdf.geometry.to_crs(STORAGE_CRS).values if gdf.crs else gdf.geometry.values)
    table = pd.DataFrame(gdf.drop(columns="geometry"))
    if len(geoms) and (shapely.get_type_id(geoms) == 0).all():
        table["lon"] = shapely.get_x(geoms)
        table["lat"] = shapely.get_y(geoms)
    else:
        table["wkt"] = shapely.to_wkt(geoms, rounding_precision=7)
    return table
