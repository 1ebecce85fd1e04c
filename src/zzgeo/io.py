"""Reading user layers from files or PostGIS, and writing outputs atomically.

Readers return GeoDataFrames in WGS-84 (EPSG:4326); the coordinates' real CRS
is handled by :mod:`zzgeo.crs`. Writers never overwrite an input and never
leave a half-written file: they write beside the target and move it into place.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo._problems import plain
from zzgeo.crs import (
    INPUT_CRS_NAMES,
    STORAGE_CRS,
    mark_input_crs,
    normalize_crs_name,
    to_wgs84,
    to_wgs84_xy,
)
from zzgeo.errors import (
    CRSError,
    EmptyInputError,
    GeometryError,
    SchemaError,
    ZzgeoError,
)
from zzgeo.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "TABLE_SUFFIXES",
    "VECTOR_SUFFIXES",
    "read_vector",
    "read_table",
    "frame_from_coordinates",
    "write_vector",
    "write_csv",
    "write_excel",
    "check_output_path",
    "check_geometries",
    "DEMO_COLUMN",
    "demo_label",
    "demo_file_options",
    "portable_table",
    "append_gpkg_layer",
    "gpkg_layers",
]

TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")
VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".zip", ".fgb")
_LON_NAMES = ("lon", "lng", "longitude", "x", "经度", "东经", "gcj_lng", "bd_lng", "wgs_lng", "long")
_LAT_NAMES = ("lat", "latitude", "y", "纬度", "北纬", "gcj_lat", "bd_lat", "wgs_lat")
# column names that betray where coordinates came from
_HINTS = {"gcj": "gcj02", "amap": "gcj02", "高德": "gcj02", "火星": "gcj02", "bd": "bd09", "baidu": "bd09", "百度": "bd09"}


def _is_postgis(source: str | Path) -> bool:
    from zzgeo.store import is_postgis

    return is_postgis(source) or str(source).startswith("PG:")


def _require_file(path: Path, label: str) -> None:
    if not path.exists():
        raise FileNotFoundError(_("no such file: {label!r}").format(label=label))
    if path.is_dir() and path.suffix.lower() not in (".gdb",):
        raise SchemaError(_("{label!r} is a folder, not a file; give the file itself").format(label=label))
    if path.is_file() and path.stat().st_size == 0:
        raise EmptyInputError(_("{label!r} is empty (0 bytes)").format(label=label))


def read_table(path: str | Path, *, sheet: str | int | None = None, name: str | None = None) -> pd.DataFrame:
    """Read a CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or an Excel sheet, keeping cells as text.

    CSV cells come back as strings (``"001"`` stays ``"001"``), empty cells as
    NaN; Excel cells keep the type Excel gave them. A file with a header but no
    rows comes back as an empty frame with its columns.

    Raises
    ------
    FileNotFoundError
        No such file.
    EmptyInputError
        Zero bytes, or an Excel file without sheets.
    SchemaError
        Not decodable as UTF-8 or GBK text, not a CSV/Excel file, or an unknown sheet.
    """
    path = Path(path)
    label = name or str(path)
    _require_file(path, label)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls", ".xlsm"):
        return _read_excel(path, sheet, label)
    return _read_csv(path, label)


def _read_csv(path: Path, label: str) -> pd.DataFrame:
    head = path.read_bytes()[:4096]
    sep = "\t" if path.suffix.lower() == ".txt" and b"\t" in head.split(b"\n", 1)[0] else ","
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, encoding=encoding, dtype=str, sep=sep, skipinitialspace=True)
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError as exc:
            raise EmptyInputError(_("{label!r} holds no table (no header line)").format(label=label)) from exc
        except (pd.errors.ParserError, ValueError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SchemaError(_("cannot read {label!r} as CSV: {reason}").format(label=label, reason=first)) from exc
    raise SchemaError(_("cannot decode {label!r} as UTF-8 or GBK/GB18030 text; save it as UTF-8 CSV").format(label=label))


def _read_excel(path: Path, sheet: str | int | None, label: str) -> pd.DataFrame:
    if path.suffix.lower() == ".xls":
        raise SchemaError(_("{label!r} is an old .xls workbook; save it as .xlsx (Excel: File > Save As > .xlsx) and retry").format(
            label=label))
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException on non-workbooks
        raise SchemaError(_("cannot read {label!r} as an Excel workbook ({error}); is it really .xlsx?").format(
            label=label, error=type(exc).__name__)) from exc
    sheets = list(book.sheetnames)
    if sheet is None:  # a zzgeo template names its register sheet (its first sheet explains the columns)
        sheet = _named_register_sheet(book, sheets)
    book.close()
    if not sheets:
        raise EmptyInputError(_("{label!r} has no worksheets").format(label=label))
    if isinstance(sheet, str) and sheet not in sheets:
        raise SchemaError(_("{label!r} has no sheet {sheet!r}; sheets: {sheets!r}").format(label=label, sheet=sheet, sheets=sheets))
    if isinstance(sheet, int) and not 0 <= sheet < len(sheets):
        raise SchemaError(_("{label!r} has no sheet number {sheet!r}; it has {n} sheet(s): {sheets!r}").format(
            label=label, sheet=sheet, n=len(sheets), sheets=sheets))
    try:
        return pd.read_excel(path, sheet_name=sheet or 0, dtype=object)
    except ValueError as exc:
        raise SchemaError(_("cannot read sheet {sheet!r} of {label!r}: {error}").format(
            sheet=sheet or sheets[0], label=label, error=exc)) from exc


#: The workbook-level defined name a zzgeo template gives its register sheet (zzgeo.registers.template).
REGISTER_SHEET_NAME = "zzgeo_register"


def _named_register_sheet(book, sheets: list[str]) -> str | None:
    """The sheet the defined name :data:`REGISTER_SHEET_NAME` points at, or ``None`` (read the first sheet)."""
    try:
        defined = book.defined_names.get(REGISTER_SHEET_NAME)
        target = next(iter(defined.destinations))[0] if defined is not None else None
    except (AttributeError, StopIteration, TypeError, ValueError):
        return None
    return target if target in sheets else None


def _not_degrees(xs: pd.Series, ys: pd.Series) -> np.ndarray:
    """Rows whose lon/lat cannot be degrees near Zhengzhou: swapped, or beyond ±180/±90 (see zzgeo.crs)."""
    x, y = np.abs(xs.to_numpy(dtype="float64")), np.abs(ys.to_numpy(dtype="float64"))
    return ((x < 60) & (y > 100) & (y <= 180)) | (x > 180) | (y > 90)


def _coordinate(frame: pd.DataFrame, column: str) -> pd.Series:
    values = frame[column]
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        values = values.astype("string").str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(values, errors="coerce").astype("float64").where(lambda v: np.isfinite(v))


def _labels(frame: pd.DataFrame, mask: pd.Series, row_names: str, limit: int = 5) -> str:
    """``line 2, line 5`` (CSV/Excel), ``feature 3`` (vector files) or ``row 'a'`` (frames), then ``and N more``."""
    from zzgeo._problems import RowNames

    rows = RowNames(frame.index, row_names)
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    more = " " + _("and {n} more").format(n=len(positions) - limit) if len(positions) > limit else ""
    return ", ".join(rows.place(int(p)) for p in positions[:limit]) + more


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
    row_names: str = "index",
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
    row_names : {"index", "line", "feature"}
        How messages name rows (``"line"`` for a CSV/Excel file: its line numbers).

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
        if hint:
            msg = _("{name} is a table and carries no CRS; pass crs= / --crs ({names} or an EPSG code). "
                    "Its column names suggest {hint!r}").format(name=name, names=", ".join(INPUT_CRS_NAMES), hint=hint)
        else:
            msg = _("{name} is a table and carries no CRS; pass crs= / --crs ({names} or an EPSG code)").format(
                name=name, names=", ".join(INPUT_CRS_NAMES))
        raise CRSError(msg)
    if x and y:
        hint = _hinted_crs(x, y)
        if hint and normalize_crs_name(crs) != hint:
            msg = _("{name}: columns {x!r}/{y!r} look like {hint} coordinates but crs={crs!r} was given; "
                    "pass crs={hint!r} if they are").format(name=name, x=x, y=y, hint=hint, crs=crs)
            raise CRSError(msg)
        xs, ys = _coordinate(frame, x), _coordinate(frame, y)
        bad = (xs.isna() & frame[x].notna()) | (ys.isna() & frame[y].notna())
        if bad.any():
            rows = _labels(frame, bad, row_names)
            shown = [[plain(v) for v in pair] for pair in frame.loc[bad, [x, y]].head(5).to_numpy().tolist()]
            msg = _("{name}: non-numeric coordinates in {x!r}/{y!r} at {rows}: {shown!r}").format(
                name=name, x=x, y=y, rows=rows, shown=shown)
            raise SchemaError(msg)
        missing = xs.isna() | ys.isna()
        if missing.any():
            msg = _("{name}: {n} row(s) have no coordinates in {x!r}/{y!r}: {rows}").format(
                name=name, n=int(missing.sum()), x=x, y=y, rows=_labels(frame, missing, row_names))
            raise GeometryError(msg)
        try:
            lon, lat = to_wgs84_xy(xs.to_numpy(), ys.to_numpy(), crs)
        except CRSError as exc:  # swapped columns, metres as degrees: say which file and row
            raise CRSError(_("{name}: {error} (first at {rows})").format(
                name=name, error=exc, rows=_labels(frame, _not_degrees(xs, ys), row_names, limit=1))) from None
        geometry = shapely.points(np.column_stack([lon, lat]))
        return mark_input_crs(gpd.GeoDataFrame(frame.copy(), geometry=geometry, crs=STORAGE_CRS), crs)  # messages show them as given
    if wkt_col:
        text = frame[wkt_col].astype("string").str.strip().fillna("")
        geoms = shapely.from_wkt(text.to_numpy(dtype=object), on_invalid="ignore")
        unparsed = (text != "").to_numpy() & shapely.is_missing(geoms)
        if unparsed.any():
            shown = [str(v)[:40] for v in text[unparsed].head(3)]
            raise SchemaError(_("{name}: column {column!r} holds text that is not WKT at {rows}: {shown!r}").format(
                name=name, column=wkt_col, rows=_labels(frame, unparsed, row_names), shown=shown))
        out = gpd.GeoDataFrame(frame.drop(columns=[wkt_col]), geometry=geoms)
        return to_wgs84(out, crs=crs, name=name)
    msg = _("{name}: no coordinate columns found among {columns!r}; name them lon/lat "
            "(or 经度/纬度, x/y), pass x=/y= (--x/--y), or give a WKT column").format(name=name, columns=list(frame.columns))
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
        Layer of a GeoPackage, or table/query for PostGIS. Required when a
        GeoPackage holds more than one layer.
    crs : str, optional
        The coordinates' real CRS. Required for CSV/Excel; for files that
        declare a CRS it may only add ``gcj02``/``bd09`` on top of a
        geographic CRS (see :func:`zzgeo.crs.to_wgs84`).
    x, y : str, optional
        Coordinate columns of a table.
    sheet : str or int, optional
        Excel sheet.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326. ``attrs["crs_note"]`` says which CRS was assumed when
        the file declared none it could be trusted on (a GeoJSON without a
        ``crs`` member is WGS-84 by the standard, but Chinese tools often
        save GCJ-02 that way).

    Raises
    ------
    FileNotFoundError, CRSError, SchemaError, EmptyInputError, GeometryError
    """
    label = name or str(source)
    if _is_postgis(source):
        from zzgeo.store import clean_url, redact

        label = redact(label)  # messages never show a password
        out = _read_postgis(clean_url(source), layer=layer, crs=crs, name=label)
    else:
        path = Path(source)
        _require_file(path, label)
        if path.suffix.lower() in TABLE_SUFFIXES + (".xlsm",):
            out = frame_from_coordinates(read_table(path, sheet=sheet, name=label), crs=crs, x=x, y=y, name=label, row_names="line")
        else:
            gdf = _read_vector_file(path, layer, label)
            note = _crs_note(path, gdf, crs)
            out = to_wgs84(gdf, crs=crs, name=label)
            if note:
                out.attrs["crs_note"] = note
    out.attrs["source"] = label  # how later messages name it
    return out


def _read_vector_file(path: Path, layer: str | None, label: str) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import pyogrio

    try:
        layers = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # pyogrio.errors.DataSourceError and friends
        raise SchemaError(_("cannot read {label!r} as a vector layer: {reason}").format(
            label=label, reason=str(exc).splitlines()[0])) from exc
    if not layers:
        raise EmptyInputError(_("{label!r} holds no layers").format(label=label))
    if layer is None and len(layers) > 1:
        raise SchemaError(_("{label!r} holds {n} layers {layers!r}; choose one with layer= / --layer").format(
            label=label, n=len(layers), layers=layers))
    if layer is not None and layer not in layers:
        raise SchemaError(_("{label!r} has no layer {layer!r}; layers: {layers!r}").format(label=label, layer=layer, layers=layers))
    kwargs = {"layer": layer} if layer else {}
    encoding = _shapefile_encoding(path)
    if encoding:
        kwargs["encoding"] = encoding
    try:
        gdf = gpd.read_file(path, **kwargs)
    except Exception as exc:  # pyogrio raises its own error types
        raise SchemaError(_("cannot read {label!r} as a vector layer: {reason}").format(
            label=label, reason=str(exc).splitlines()[0])) from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf:
        raise SchemaError(_("{label!r} has no geometry column; for a table with coordinates use CSV/Excel with lon/lat").format(
            label=label))
    if len(gdf) == 0:
        raise EmptyInputError(_("{label!r} holds no features").format(label=label))
    return gdf


def _shapefile_encoding(path: Path) -> str | None:
    """Encoding of a Shapefile's attributes when it carries no .cpg: GBK files are common in China."""
    if path.suffix.lower() != ".shp" or path.with_suffix(".cpg").exists() or path.with_suffix(".CPG").exists():
        return None
    dbf = next((p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()), None)
    if dbf is None:
        return None
    raw = dbf.read_bytes()
    if len(raw) > 29 and raw[29] in (0x4D, 0x7A):  # language driver id: 936 (GBK)
        return "gb18030"
    header = int.from_bytes(raw[8:10], "little") if len(raw) > 10 else 0
    body = raw[header:]
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _crs_note(path: Path, gdf: gpd.GeoDataFrame, crs: object) -> str:
    """Say which CRS was assumed for a GeoJSON without a ``crs`` member."""
    if path.suffix.lower() not in (".geojson", ".json"):
        return ""
    head = path.read_bytes()[:65536]
    features_at = head.find(b'"features"')
    declared = head.find(b'"crs"', 0, features_at if features_at >= 0 else len(head)) >= 0
    if declared:
        return ""
    if crs is not None:
        return _("{file}: GeoJSON declares no CRS; read as {crs} as given").format(file=path.name, crs=normalize_crs_name(crs))
    return _("{file}: GeoJSON declares no CRS; read as WGS-84 (the GeoJSON standard). "
             "If its coordinates came from Amap/Tencent or Baidu, pass --crs gcj02 or --crs bd09").format(file=path.name)


def _read_postgis(dsn: str, *, layer: str | None, crs: object, name: str) -> gpd.GeoDataFrame:
    """A PostGIS table (``schema.table``) or ``SELECT`` as a GeoDataFrame in WGS-84.

    A table that does not exist is a :class:`StoreError` naming it (and the
    tables of its schema with a similar name); a query the database refuses is
    a :class:`StoreError` with the database's first line; no rows is an
    :class:`EmptyInputError`. The query is sent as written: ``%`` and ``:word``
    inside it are not taken for parameters.
    """
    import re

    try:
        import sqlalchemy
    except ImportError as exc:  # pragma: no cover - depends on extras
        raise ZzgeoError(_("reading PostGIS needs the postgis extra: pip install 'zzgeo[postgis]'")) from exc
    import geopandas as gpd

    from zzgeo.errors import StoreError

    if not layer:
        raise SchemaError(_("{name}: name the PostGIS table (schema.table) or a SELECT with layer= / --layer").format(name=name))
    from zzgeo.store import engine_for, in_written_order

    is_query = re.match(r"\s*(select|with)\b(?!_)", layer, re.IGNORECASE) is not None  # not a table called select_sites
    query = layer if is_query else f"SELECT * FROM {_quote_table(layer)}"
    # text() would take ":word" for a bind parameter: escape exactly what its pattern matches ("::" casts are left alone)
    text = re.sub(r"(?<![:\w\\]):(\w+)(?![:\w])", r"\\:\1", query)
    with engine_for(dsn).connect() as conn:
        if not is_query and conn.execute(sqlalchemy.text("SELECT to_regclass(:t)"), {"t": _quote_table(layer)}).scalar() is None:
            raise StoreError(_("{name}: PostGIS has no table {layer!r}{similar}").format(
                name=name, layer=layer, similar=_similar_tables(dsn, layer)))
        try:
            cols = conn.execute(sqlalchemy.text(f"SELECT * FROM ({text}) AS q LIMIT 0")).keys()
            geom_col = next((c for c in cols if c in ("geom", "geometry", "the_geom", "wkb_geometry", "shape")), None)
            if geom_col is None:
                raise SchemaError(_("{name}: {layer!r} has no geometry column (geom/geometry/the_geom); columns: {columns}").format(
                    name=name, layer=layer, columns=list(cols)))
            gdf = gpd.read_postgis(sqlalchemy.text(text), conn, geom_col=geom_col)
        except sqlalchemy.exc.DBAPIError as exc:
            reason = str(exc.orig).strip().splitlines()
            cannot = _("{name}: PostGIS cannot read the query {layer!r}: {reason}") if is_query else _(
                "{name}: PostGIS cannot read the table {layer!r}: {reason}")
            raise StoreError(cannot.format(name=name, layer=layer, reason=reason[0] if reason else type(exc.orig).__name__)) from exc
    if len(gdf) == 0:
        empty = _("{name}: the PostGIS query {layer!r} returned no rows; nothing to analyse") if is_query else _(
            "{name}: the PostGIS table {layer!r} holds no rows; nothing to analyse")
        raise EmptyInputError(empty.format(name=name, layer=layer))
    return to_wgs84(in_written_order(gdf), crs=crs, name=name)


def _similar_tables(dsn: str, layer: str) -> str:
    """``"; tables in public with a similar name: 'shelters'"`` (or the first tables of the schema), for a mistyped name."""
    import difflib

    from zzgeo.store import table_names

    schema, _dot, table = layer.rpartition(".")
    schema = schema or "public"
    names = table_names(dsn, schema)
    if not names:
        return _("; schema {schema!r} holds no tables").format(schema=schema)
    close = difflib.get_close_matches(table, names, n=3, cutoff=0.6)
    if close:
        return _("; tables in {schema} with a similar name: {names}").format(schema=schema, names=", ".join(map(repr, close)))
    more = " " + _("and {n} more").format(n=len(names) - 8) if len(names) > 8 else ""
    return _("; tables in {schema}: {names}").format(schema=schema, names=", ".join(map(repr, names[:8]))) + more


def _quote_table(table: str) -> str:
    parts = table.split(".")
    if not all(p.replace("_", "").isalnum() for p in parts):
        raise SchemaError(_("not a plain table name: {table!r}; use schema.table or a SELECT").format(table=table))
    return ".".join(f'"{p}"' for p in parts)


@contextlib.contextmanager
def open_raster(path: str | Path, *, what: str | None = None, example_crs: str = "EPSG:4547") -> Iterator:
    """Open a GeoTIFF with rasterio, refusing a missing file or a raster without a CRS (one line each).

    Parameters
    ----------
    what : str, optional
        How the raster is named in the message, e.g. "population raster" (translated by the caller); default "raster".
    example_crs : str
        The CRS suggested in the message for ``gdal_edit.py -a_srs``.
    """
    import rasterio
    from rasterio.errors import RasterioError

    path = Path(path)
    what = what or _("raster")
    _require_file(path, str(path))
    try:
        src = rasterio.open(path)
    except RasterioError as exc:
        raise SchemaError(_("cannot read {what} {path!r} as a raster (GeoTIFF): {reason}").format(
            what=what, path=str(path), reason=str(exc).splitlines()[0])) from exc
    with src:
        if src.crs is None:
            raise CRSError(_("{what} {path!r} has no CRS; set one (gdal_edit.py -a_srs {crs} FILE)").format(
                what=what, path=str(path), crs=example_crs))
        yield src


def check_geometries(gdf: gpd.GeoDataFrame, *, name: str = "input", id_column: str | None = None) -> None:
    """Raise :class:`GeometryError` for missing, empty or invalid geometries, naming the rows."""
    import shapely

    geoms = np.asarray(gdf.geometry.values)
    labels = gdf[id_column].to_numpy() if id_column else gdf.index.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        raise GeometryError(_("{name}: {n} row(s) have missing or empty geometry: {rows!r}").format(
            name=name, n=int(missing.sum()), rows=[plain(v) for v in labels[missing][:10]]))
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        first = np.flatnonzero(invalid)[0]
        reason = shapely.is_valid_reason(geoms[first])
        msg = _("{name}: {n} invalid geometr(y/ies), rows {rows!r}; first: {reason}. "
                "Repair them (shapely.make_valid / QGIS 'Fix geometries') and retry").format(
            name=name, n=int(invalid.sum()), rows=[plain(v) for v in labels[invalid][:10]], reason=reason)
        raise GeometryError(msg)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


_OUTPUT_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".fgb", ".csv", ".xlsx")


def check_output_path(path: str | Path, *, protect: Iterable[str | Path] = (), option: str = "--out") -> Path:
    """Refuse an output that is one of the inputs or has a format zzgeo cannot write (before any work is done).

    *option* names the output in messages (``--out``, ``--gaps``).

    Raises
    ------
    ZzgeoError
        *path* is a protected input, or its suffix is unknown.
    StoreError
        A PostGIS target names no table, or one too long for the side tables
        written beside it (:func:`zzgeo.store.check_output_target`).
    """
    from zzgeo.store import check_output_target, is_postgis

    if is_postgis(path):
        check_output_target(path)  # a table must be named, short enough for its side tables
        return path
    if str(path).strip() in ("", "."):
        raise ZzgeoError(_("{option} {path!r} names no file; give one, e.g. {option} result.gpkg").format(option=option, path=str(path)))
    path = Path(path)
    for p in protect:
        if _same_file(path, Path(p)):
            raise ZzgeoError(_("refusing to overwrite the input {path!r}; choose another {option}").format(path=str(p), option=option))
    if path.is_dir():
        raise ZzgeoError(_("{option} {path!r} is a folder; give a file in it, e.g. {example!r}").format(
            option=option, path=str(path), example=str(path / "result.gpkg")))
    if path.suffix.lower() not in _OUTPUT_SUFFIXES:
        raise ZzgeoError(_("unknown output format {suffix!r} for {path!r}; use .gpkg, .geojson, .shp, .fgb, .csv or .xlsx").format(
            suffix=path.suffix, path=str(path)))
    return path


def write_vector(
    gdf: pd.DataFrame,
    path: str | Path,
    *,
    layer: str | None = None,
    protect: Iterable[str | Path] = (),
    crs: object = None,
    notes: list[str] | None = None,
    demo: str | None = None,
) -> Path:
    """Write *gdf* to *path* atomically; the format follows the suffix.

    ``.gpkg``, ``.geojson``, ``.shp``, ``.fgb`` write vector files; ``.csv``
    and ``.xlsx`` write a table with ``lon``/``lat`` (points) or ``wkt``
    columns, through :func:`write_csv` and :func:`write_excel`, so no cell
    becomes a formula. The output goes to a temporary file in the same folder
    and is moved into place, so a failure leaves any old file untouched.

    ``.shp`` goes through :func:`zzgeo.shapefile.write_shapefile`: GBK text
    with a ``.cpg``, field names within 10 bytes (mapping in
    ``<stem>.fields.csv``), one file per geometry kind when kinds are mixed
    (``<stem>_point.shp``, ``<stem>_polygon.shp``, ...).

    Parameters
    ----------
    protect : iterable of path
        Input files that must not be overwritten.
    crs : str, int or pyproj.CRS, optional
        Write the coordinates in this CRS (``--out-crs``; see
        :func:`zzgeo.crs.output_crs`): e.g. ``cgcs2000`` (EPSG:4490) or
        ``EPSG:4547``. A CSV or Excel output then has ``lon``/``lat`` in a
        geographic CRS and ``easting``/``northing`` (metres) in a projected
        one; the notes name the CRS. Default: the frame's own CRS (zzgeo's
        results are WGS-84).
    notes : list of str, optional
        What was changed to fit the format (Shapefile field names, text cut,
        files per geometry kind) and any warning the writing library gave
        is appended here, so the command can show it; nothing is hidden.
        Without it, each is a ``UserWarning``.
    demo : str, optional
        The DEMO mark (:func:`demo_label`) when the figures rest on demo data,
        written inside the file: the first column ``demo_data`` of every row
        (CSV, Shapefile, GeoJSON, GeoPackage), a banner row and ``DEMO`` in the
        sheet name (Excel), the layer's description and metadata (GeoPackage);
        a PostGIS table gets the column.

    Raises
    ------
    ZzgeoError
        *path* is one of the protected inputs, or the suffix is unknown.
    StoreError
        A PostGIS write failed (the previous table is left as it was).

    Notes
    -----
    *path* may be a PostGIS table, ``postgresql://user@host:port/db#schema.table``
    (or the URL with the table in *layer*): the table is replaced in one
    transaction (:func:`zzgeo.store.write_table`).
    """
    from zzgeo.store import is_postgis, write_table

    protect = list(protect)
    gdf = _in_output_crs(gdf, crs)
    if is_postgis(path):  # a table carries the DEMO mark as its first column, as a file does
        return write_table(_with_demo_column(gdf, demo), path, layer)
    path = check_output_path(path, protect=protect)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{path.stem}.", dir=path.parent))
    try:
        tmp = tmpdir / path.name
        found: list[str] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _write_format(gdf, tmp, suffix, layer, found, demo)
        found += [f"{path.name}: {w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught
                  if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning, ResourceWarning))]
        moves = [(p, path.with_suffix(p.suffix) if p.stem == path.stem else path.parent / p.name) for p in sorted(tmpdir.iterdir())]
        stale = _stale_shapefile_parts(path, {final for _made, final in moves}) if suffix == ".shp" else []
        for final in [f for _made, f in moves] + stale:  # a shapefile is several files, maybe one set per kind: none is an input
            if any(_same_file(final, Path(p)) for p in protect):
                raise ZzgeoError(_("refusing to overwrite the input {path!r}; choose another {option}").format(
                    path=str(final), option="--out"))
        for produced, final in moves:
            os.replace(produced, final)
        for old in stale:  # an earlier run's files of this output (x.shp, or x_point.shp ...): they would look current
            old.unlink(missing_ok=True)
        if crs is not None:
            found.append(_crs_written(path, gdf, suffix))
        shown = sorted({f.name for _made, f in moves if f.suffix.lower() == ".shp"})
        removed = sorted({o.name for o in stale if o.suffix.lower() == ".shp"})
        if suffix == ".shp" and (shown != [path.name] or removed):
            if removed:
                found.append(_("{file}: written as {files}; the previous run's {removed} removed").format(
                    file=path.name, files=", ".join(shown), removed=", ".join(removed)))
            else:
                found.append(_("{file}: written as {files}").format(file=path.name, files=", ".join(shown)))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    if notes is not None:
        notes.extend(found)
    else:  # a library caller: what was changed to fit the format, or lost, is never silent
        for line in found:
            warnings.warn(line, UserWarning, stacklevel=2)
    return path


def _crs_written(path: Path, gdf: pd.DataFrame, suffix: str) -> str:
    """The note that says in which CRS an output's coordinates are (``--out-crs``)."""
    crs = getattr(gdf, "crs", None)
    if crs is None:
        return _("{file}: no coordinates to convert").format(file=path.name)
    code = crs.to_epsg()
    name = f"{crs.name} (EPSG:{code})" if code else crs.name
    if suffix in (".csv", ".xlsx"):
        if crs.is_projected:
            return _("{file}: coordinates in {crs}, as easting/northing in metres (or WKT)").format(file=path.name, crs=name)
        return _("{file}: coordinates in {crs}, as lon/lat in degrees (or WKT)").format(file=path.name, crs=name)
    return _("{file}: coordinates in {crs}").format(file=path.name, crs=name)


def _stale_shapefile_parts(path: Path, written: set[Path]) -> list[Path]:
    """Files of an earlier Shapefile output of the same name that this one does not replace: ``x.shp`` and its
    side files, ``x_point.shp``/``x_line.shp``/``x_polygon.shp`` and theirs, ``x.fields.csv``."""
    stems = [path.stem, *(f"{path.stem}_{kind}" for kind in ("point", "line", "polygon"))]
    sides = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qpj", ".sbn", ".sbx")
    candidates = [path.with_name(f"{stem}{s}") for stem in stems for s in sides] + [path.with_name(f"{path.stem}.fields.csv")]
    return [c for c in candidates if c.is_file() and c not in written]


def _write_format(gdf: pd.DataFrame, tmp: Path, suffix: str, layer: str | None, notes: list[str], demo: str | None) -> None:
    """Write *gdf* to *tmp* in the format of *suffix*, with the DEMO mark *demo* when given."""
    if suffix in (".csv", ".xlsx"):
        table = _as_table(gdf)
        if suffix == ".csv":
            write_csv(table, tmp, demo=demo)
        else:
            write_excel({"Sheet1": table}, tmp, demo=demo)
        return
    gdf = _with_demo_column(gdf, demo)
    if "geometry" not in gdf.columns:  # a table of results (shares by unit, scores): an attribute table, or refused
        if suffix != ".gpkg":
            raise ZzgeoError(_("{file}: this result is a table without geometry, which a {suffix} file cannot hold; "
                               "write it as .gpkg (an attribute table), .csv or .xlsx").format(file=tmp.name, suffix=suffix))
        import pyogrio

        pyogrio.write_dataframe(pd.DataFrame(gdf), tmp, layer=layer or tmp.stem, driver="GPKG", **demo_file_options(demo))
        return
    if suffix == ".shp":
        from zzgeo.shapefile import fields_table_name, write_shapefile

        _written, fields = write_shapefile(_without_rings(gdf), tmp, notes=notes)
        if fields:
            write_csv(pd.DataFrame({"field": list(fields.values()), "column": list(fields.keys())}), tmp.with_name(fields_table_name(tmp)))
    elif suffix == ".gpkg":
        _write_gpkg_layers(_without_rings(gdf), tmp, layer or tmp.stem, tmp.name, notes, demo)
    elif suffix in (".geojson", ".json", ".fgb"):
        gdf = _without_rings(gdf)
        driver = {".geojson": "GeoJSON", ".json": "GeoJSON", ".fgb": "FlatGeobuf"}[suffix]
        gdf.to_file(tmp, driver=driver, layer=layer) if layer else gdf.to_file(tmp, driver=driver)
    else:
        raise ZzgeoError(_("unknown output format {suffix!r} for {path!r}; use .gpkg, .geojson, .shp, .fgb, .csv or .xlsx").format(
            suffix=suffix, path=str(tmp.name)))


def _in_output_crs(gdf: pd.DataFrame, crs: object) -> pd.DataFrame:
    """*gdf* with its geometry in the output CRS *crs* (unchanged when *crs* is None or the frame has no geometry)."""
    if crs is None or "geometry" not in getattr(gdf, "columns", ()) or getattr(gdf, "crs", None) is None:
        return gdf
    from zzgeo.crs import output_crs

    return gdf.to_crs(output_crs(crs))


#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"): = + - @ tab CR.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would take *text* for a formula: it starts with = + @ tab CR, or with - and is no number."""
    if not text.startswith(_FORMULA_START):
        return False
    if text.startswith("-"):
        try:
            float(text)
        except ValueError:
            return True
        return False
    return True


def _guarded(value: object) -> object:
    return "'" + value if isinstance(value, str) and _looks_like_formula(value) else value


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """*frame* with every text cell (and header) a spreadsheet would run as a formula prefixed with ``'``.

    The OWASP guard against CSV injection: a text cell starting with ``=``,
    ``+``, ``@``, a tab or a carriage return, or with ``-`` when it is not a
    number (``-5`` stays ``-5``, ``-1+1`` becomes ``'-1+1``), gets a leading
    single quote, which Excel, LibreOffice and WPS show as text. Numbers are
    untouched. The quote stays in the file: a program reading the CSV back
    sees ``'=SUM(A1)``; read the GeoPackage/Excel output when the exact text
    matters. Returns a copy; *frame* is not changed.
    """
    out = frame.copy()
    out.columns = [_guarded(c) for c in out.columns]
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if column.dtype == object or pd.api.types.is_string_dtype(column) or isinstance(column.dtype, pd.CategoricalDtype):
            out.isetitem(i, column.astype(object).map(_guarded))
    return out


#: The first column of every row of a file whose figures rest on demo data (see :func:`demo_label`).
DEMO_COLUMN = "demo_data"


def demo_label(what: str | Iterable[str]) -> str:
    """The DEMO mark written inside every file whose figures rest on demo data, in Chinese and English.

    Parameters
    ----------
    what : str or iterable of str
        The demo inputs, e.g. ``["shelter register", "candidate sites"]``.

    Examples
    --------
    >>> demo_label(["shelter register", "candidate sites"])
    'DEMO 演示数据 — shelter register, candidate sites: synthetic demo data, not an official source; figures are illustrative only (非官方数据，数字仅作示意)'
    """
    what = what if isinstance(what, str) else ", ".join(what)
    return (f"DEMO 演示数据 — {what}: synthetic demo data, not an official source; figures are illustrative only "
            "(非官方数据，数字仅作示意)")


def demo_file_options(demo: str | None) -> dict:
    """Keyword arguments of ``GeoDataFrame.to_file`` that put the DEMO mark into a GeoPackage layer.

    The layer's description (``gpkg_contents``, shown by QGIS in the layer's
    properties) and its metadata (``gpkg_metadata``, key ``DEMO``). Empty
    without *demo*.

    Examples
    --------
    >>> demo_file_options(None)
    {}
    >>> sorted(demo_file_options("DEMO 演示数据 — parcels"))
    ['layer_options', 'metadata']
    """
    if not demo:
        return {}
    return {"metadata": {"DEMO": demo}, "layer_options": {"DESCRIPTION": demo}}


def portable_table(frame: pd.DataFrame) -> pd.DataFrame:
    """*frame* with lists and dicts as JSON text, for CSV, GeoPackage and PostGIS: a GeoDataFrame when it has
    geometry to keep (its active geometry; other geometry columns are dropped), else a DataFrame.

    Examples
    --------
    >>> portable_table(pd.DataFrame({"id": ["a"], "parts": [["东", "西"]]}))["parts"].tolist()
    ['["东", "西"]']
    """
    import json

    import geopandas as gpd

    out = pd.DataFrame(frame.drop(columns=[c for c in frame.columns if str(frame[c].dtype) == "geometry"]))
    for c in out.columns:
        if out[c].dtype == object and any(isinstance(v, (list, dict, tuple)) for v in out[c]):
            out[c] = out[c].map(lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict, tuple)) else v)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.notna().any():
        return gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs=frame.crs)
    return out


def append_gpkg_layer(gdf: gpd.GeoDataFrame, path: str | Path, layer: str, *, demo: str | None = None,
                      notes: list[str] | None = None) -> Path:
    """Add *gdf* as *layer* of the GeoPackage *path* (made if missing), with the DEMO mark when *demo* is given.

    For a file being assembled in a temporary folder (the report bundle), which is moved into place whole:
    unlike :func:`write_vector`, the file is not replaced, a layer is added. The mark is the first column
    ``demo_data`` and the layer's description and metadata, as :func:`write_vector` writes it. Rows of
    several geometry kinds become one layer per kind (:func:`gpkg_layers`), said in *notes*.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_gpkg_layers(_with_demo_column(gdf, demo), path, layer, path.name, notes if notes is not None else [], demo)
    return path


def gpkg_layers(gdf: gpd.GeoDataFrame, layer: str) -> list[tuple[str, gpd.GeoDataFrame]]:
    """*gdf* as GeoPackage layers of one geometry kind each: ``[(layer, gdf)]``, or ``<layer>_point``,
    ``<layer>_line``, ``<layer>_polygon`` when kinds are mixed (parcels given as points and polygons).

    QGIS and ArcGIS give a layer one geometry type: a mixed layer opens as one of its kinds, with the
    others hidden in sublayers and unstyled. Rows without geometry go with the largest kind
    (:func:`zzgeo.shapefile.row_kinds`), so none is lost.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> frame = gpd.GeoDataFrame({"id": ["P1", "P2", "P3"]}, geometry=[Point(0, 0), box(0, 0, 1, 1), Point(1, 1)], crs=4326)
    >>> [(name, part["id"].tolist()) for name, part in gpkg_layers(frame, "valuation")]
    [('valuation_point', ['P1', 'P3']), ('valuation_polygon', ['P2'])]
    >>> [name for name, _part in gpkg_layers(frame.iloc[[0, 2]], "valuation")]
    ['valuation']
    """
    from zzgeo.shapefile import row_kinds

    kinds, present = row_kinds(np.asarray(gdf.geometry.values, dtype=object))
    if len(present) == 1:
        return [(layer, gdf)]
    return [(f"{layer}_{kind}", gdf.iloc[np.flatnonzero(kinds == kind)]) for kind in present]


def _write_gpkg_layers(gdf: gpd.GeoDataFrame, path: Path, layer: str, shown: str, notes: list[str], demo: str | None) -> None:
    """*gdf* (the DEMO column already in) as *layer* of the GeoPackage *path*, one layer per geometry kind; *shown* names
    the file in the note."""
    parts = gpkg_layers(gdf, layer)
    for name, part in parts:
        part.to_file(path, layer=name, driver="GPKG", **demo_file_options(demo))
    if len(parts) > 1:
        notes.append(_("{file}: a GeoPackage layer holds one kind of geometry in QGIS and ArcGIS; the {n} rows of {layer} "
                       "are written as the layers {layers}").format(
            file=shown, n=len(gdf), layer=layer, layers=", ".join(f"{name} ({len(part)})" for name, part in parts)))


def _with_demo_column(frame: pd.DataFrame, demo: str | None) -> pd.DataFrame:
    """*frame* with :data:`DEMO_COLUMN` first, holding *demo* on every row (unchanged without *demo*)."""
    if not demo:
        return frame
    out = frame.drop(columns=[DEMO_COLUMN]) if DEMO_COLUMN in frame.columns else frame.copy()
    out.insert(0, DEMO_COLUMN, demo)
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, *, demo: str | None = None) -> Path:
    """Write a table for people as UTF-8 CSV (with BOM, so Excel reads Chinese), guarded by :func:`_csv_safe`.

    Every CSV zzgeo writes for people to open (``--out x.csv``, the
    rejected rows and notes beside an output, the report's tables and
    scorecard) goes through here: text that a spreadsheet would run as a
    formula is written with a leading ``'`` (see :func:`_csv_safe`).

    Numbers are written with 15 significant digits, the precision a double
    holds (``1508867.9999999998`` is written ``1508868``).

    Parameters
    ----------
    demo : str, optional
        The DEMO mark (:func:`demo_label`): written as the first column,
        ``demo_data``, of every row, so a row copied elsewhere keeps it.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    # 15 significant digits: all a double holds reliably (DBL_DIG), so a census sum spread over cells and added back
    # reads 1508868, not 1508867.9999999998
    _csv_safe(_with_demo_column(pd.DataFrame(frame), demo)).to_csv(path, index=False, encoding="utf-8-sig", float_format="%.15g")
    return path


def write_excel(sheets: Mapping[str, pd.DataFrame], path: str | Path, *, demo: str | None = None) -> Path:
    """Write tables as the sheets of one ``.xlsx`` workbook in which no cell is a formula.

    openpyxl stores any text starting with ``=`` as a formula, which Excel
    would run when the file is opened (``=HYPERLINK(...)``, ``=cmd|...``). Here
    every text cell, headers included, is stored as text (``data_type "s"``)
    with its characters unchanged; numbers stay numbers. Every workbook zzgeo
    writes (``--out x.xlsx``, the report's ``scorecard.xlsx``) goes through here.

    Parameters
    ----------
    sheets : mapping of str to pandas.DataFrame
        Sheet name -> table, written without the index, in order.
    path : str or Path
    demo : str, optional
        The DEMO mark (:func:`demo_label`): a red banner in the first row of
        every sheet (the table starts on row 2) and ``DEMO`` in every sheet's
        name.

    Returns
    -------
    pathlib.Path
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font, PatternFill

    path = Path(path)
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        for sheet, frame in sheets.items():
            name = f"{str(sheet)[:26]} DEMO" if demo else sheet  # a sheet name holds 31 characters
            frame = pd.DataFrame(frame)
            for column in frame.columns:
                values = frame[column]
                if pd.api.types.is_float_dtype(values):  # 15 significant digits, as in the CSVs: 607259, not 607258.9999999991
                    numbers = values.to_numpy(dtype=float)
                    frame = frame.assign(**{column: [float(f"{v:.15g}") if np.isfinite(v) else v for v in numbers]})
                elif values.dtype == object or pd.api.types.is_string_dtype(values):
                    # control characters (\x0b ...) cannot be stored in .xlsx: shown as U+FFFD
                    text = values.map(lambda v: ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v)
                    if not text.equals(values):
                        frame = frame.assign(**{column: text})
            frame.to_excel(book, sheet_name=name, index=False, startrow=1 if demo else 0)
            if demo:
                banner = book.sheets[name]["A1"]
                banner.value = demo
                banner.font = Font(bold=True, color="FFFFFF")
                banner.fill = PatternFill("solid", fgColor="B00020")
            for row in book.sheets[name].iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.data_type = "s"  # text, never a formula
    return path


def _without_rings(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """LinearRings as LineStrings: OGR has no ring type (pyogrio crashes writing one)."""
    import shapely

    geoms = np.asarray(gdf.geometry.values)
    rings = shapely.get_type_id(geoms) == 2
    if not rings.any():
        return gdf
    fixed = geoms.copy()
    fixed[rings] = [shapely.LineString(g.coords) for g in geoms[rings]]
    return gdf.set_geometry(fixed, crs=gdf.crs)


def _as_table(gdf: pd.DataFrame) -> pd.DataFrame:
    import shapely

    if "geometry" not in gdf.columns:
        return pd.DataFrame(gdf)
    projected = gdf.crs is not None and gdf.crs.is_projected
    keep = gdf.crs is not None and (projected or gdf.crs.equals("EPSG:4490"))  # --out-crs: written as asked
    geoms = np.asarray(gdf.geometry.values if keep or gdf.crs is None else gdf.geometry.to_crs(STORAGE_CRS).values)
    table = pd.DataFrame(gdf.drop(columns="geometry"))
    if len(geoms) and (shapely.get_type_id(geoms) == 0).all():  # easting/northing: a Chinese X is the northing
        table["easting" if projected else "lon"] = shapely.get_x(geoms)
        table["northing" if projected else "lat"] = shapely.get_y(geoms)
    else:
        table["wkt"] = shapely.to_wkt(geoms, rounding_precision=7)
    return table
