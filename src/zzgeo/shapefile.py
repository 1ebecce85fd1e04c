"""Shapefiles that open in a Chinese office: GBK text with a ``.cpg``, 10-byte field names, one geometry kind per file.

A Shapefile's attribute table is a dBASE file: field names of at most 10
bytes, text values of at most 254 bytes, no time of day, and one geometry
type per file. GDAL writes UTF-8 by default and cuts longer names mid-character
(a Chinese name then cannot be read back) and mixed points and polygons fail.
Here the table is made to fit before GDAL sees it, and everything changed on
the way is said:

- text in **GBK** (code page 936, what ArcGIS, QGIS and WPS in a Chinese
  office expect), declared in a ``.cpg`` file; a character GBK cannot hold is
  an error naming the column, the row and the value;
- **field names** cut to 10 bytes at a character boundary, repeats numbered
  (``benchmar_1``); :func:`zzgeo.io.write_vector` writes the mapping beside
  the file as ``<stem>.fields.csv``, named in the notes;
- **text longer than 254 bytes** cut there, and counted in the notes;
- **dates with a time of day** written as ISO text;
- **mixed geometry kinds** as one file per kind, ``<stem>_point.shp``,
  ``<stem>_line.shp``, ``<stem>_polygon.shp``; single and multi parts of one
  kind share a file (singles promoted to multi where both occur).

:func:`zzgeo.io.write_vector` calls :func:`write_shapefile` for every
``.shp`` output.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.errors import GeometryError, ZzgeoError
from zzgeo.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["SHAPEFILE_ENCODING", "FIELD_BYTES", "TEXT_BYTES", "shapefile_fields", "geometry_kinds", "row_kinds", "write_shapefile",
           "fields_table_name"]

#: The text encoding of every Shapefile zzgeo writes (declared in its ``.cpg``).
SHAPEFILE_ENCODING = "GBK"
#: A dBASE field name holds at most 10 bytes.
FIELD_BYTES = 10
#: A dBASE text value holds at most 254 bytes.
TEXT_BYTES = 254

#: shapely geometry type id -> the Shapefile kind that holds it (LinearRing is written as a line).
_KIND = {0: "point", 4: "point", 1: "line", 2: "line", 5: "line", 3: "polygon", 6: "polygon"}
_KIND_ZH = {"point": "点", "line": "线", "polygon": "面"}


def _cut(text: str, limit: int, encoding: str) -> str:
    """*text* cut to at most *limit* bytes in *encoding*, at a character boundary."""
    out, used = [], 0
    for ch in text:
        size = len(ch.encode(encoding))
        if used + size > limit:
            break
        out.append(ch)
        used += size
    return "".join(out)


def shapefile_fields(columns: Iterable[object], *, encoding: str = SHAPEFILE_ENCODING) -> dict[str, str]:
    """A dBASE field name of at most 10 bytes for every column, all different (case ignored, as dBASE does).

    Names that fit keep their name; the others are cut at a character
    boundary; where that repeats a name already taken, the head is cut shorter
    and the last words kept (``shelters_III`` -> ``shelte_III``), and only
    where that repeats too, numbered ``_1``, ``_2``, ...

    Parameters
    ----------
    columns : iterable
        Column names, in order (the geometry column left out).
    encoding : str, default "GBK"

    Returns
    -------
    dict
        Column name -> field name, in the order of *columns*.

    Raises
    ------
    ZzgeoError
        A name holds a character *encoding* cannot write.

    Examples
    --------
    A Chinese character takes two bytes in GBK, so five fit:

    >>> shapefile_fields(["parcel_id", "benchmark_yuan_m2", "benchmark_plot_ratio", "可用面积平方米"])
    {'parcel_id': 'parcel_id', 'benchmark_yuan_m2': 'benchmark_', 'benchmark_plot_ratio': 'benc_ratio', '可用面积平方米': '可用面积平'}

    Names that differ only at the end keep their end, not a number that reads as something else:

    >>> shapefile_fields(["shelters_I", "shelters_II", "shelters_III"])
    {'shelters_I': 'shelters_I', 'shelters_II': 'shelter_II', 'shelters_III': 'shelte_III'}
    """
    names = [str(c) for c in columns]
    for name in names:
        _encodable(name, encoding, _("column name {name!r}").format(name=name))
    taken: set[str] = set()
    kept: dict[str, str] = {}
    for name in names:  # names that fit keep them (the first of two that differ only in case)
        if name and len(name.encode(encoding)) <= FIELD_BYTES and name.upper() not in taken:
            kept[name] = name
            taken.add(name.upper())
    for name in names:
        if name in kept:
            continue
        field = next((c for c in _candidates(name, encoding) if c and c.upper() not in taken), None)
        k = 1
        while field is None or field.upper() in taken:  # numbered only when head and tail cannot tell it apart
            suffix = f"_{k}"
            field, k = (_cut(name, FIELD_BYTES - len(suffix), encoding) or "f") + suffix, k + 1
        kept[name] = field
        taken.add(field.upper())
    return {name: kept[name] for name in names}


def _candidates(name: str, encoding: str) -> list[str]:
    """Field names for *name*, best first: its first 10 bytes, then its head and its last words
    (``shelters_III`` -> ``shelte_III``, ``effective_area_m2_II`` -> ``effecti_II``), so names that differ
    at the end stay apart and say how."""
    out = [_cut(name, FIELD_BYTES, encoding)]
    words = name.split("_")
    for k in range(1, len(words)):
        tail = "_".join(words[-k:])
        head = _cut("_".join(words[:-k]), FIELD_BYTES - len(tail.encode(encoding)) - 1, encoding).rstrip("_")
        if len(head) >= 2:
            out.append(f"{head}_{tail}")
    return out


def _encodable(text: str, encoding: str, what: str) -> None:
    try:
        text.encode(encoding)
    except UnicodeEncodeError as exc:
        bad = text[exc.start:exc.end]
        raise ZzgeoError(_("{what}: {bad!r} cannot be written in {encoding}, the Shapefile's Chinese encoding; "
                           "write .gpkg or .geojson instead").format(what=what, bad=bad, encoding=encoding)) from None


def geometry_kinds(geometries: Sequence[object]) -> np.ndarray:
    """The Shapefile kind of every geometry: ``point``, ``line``, ``polygon``, or ``""`` for none or empty.

    Raises
    ------
    GeometryError
        A geometry collection, which no Shapefile can hold.

    Examples
    --------
    >>> from shapely.geometry import Point, MultiPolygon, box
    >>> geometry_kinds([Point(0, 0), box(0, 0, 1, 1), MultiPolygon([box(0, 0, 1, 1)]), None]).tolist()
    ['point', 'polygon', 'polygon', '']
    """
    import shapely

    geoms = np.asarray(geometries, dtype=object)
    ids = shapely.get_type_id(geoms)
    empty = shapely.is_empty(geoms) | (ids < 0)
    collections = np.flatnonzero((ids == 7) & ~empty)
    if len(collections):
        raise GeometryError(_("feature {n} is a geometry collection, which a Shapefile cannot hold; "
                              "write .gpkg or .geojson instead").format(n=collections[0] + 1))
    return np.array(["" if e else _KIND[int(i)] for i, e in zip(ids, empty)], dtype=object)


def _row_label(frame: pd.DataFrame, i: int) -> str:
    for column in ("id", "parcel_id", "shelter_id", "facility_id", "code", "name"):
        if column in frame.columns and pd.notna(frame[column].iloc[i]):
            return _("feature {n} ({column} {value!r})").format(n=i + 1, column=column, value=str(frame[column].iloc[i]))
    return _("feature {n}").format(n=i + 1)


def _fit_text(frame: pd.DataFrame, encoding: str, name: str, notes: list[str]) -> pd.DataFrame:
    """Text columns checked for *encoding* and cut to 254 bytes; dates and times as ISO text (GDAL writes a
    pandas datetime column of a Shapefile as text anyway, with a warning)."""
    out = pd.DataFrame(frame)
    for column in list(out.columns):
        values = out[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            stamps = pd.to_datetime(values)
            timed = bool((stamps.dropna() != stamps.dropna().dt.normalize()).any())
            shown = (lambda v: v.isoformat()) if timed else (lambda v: v.date().isoformat())
            out[column] = stamps.map(lambda v: shown(v) if pd.notna(v) else None).astype(object)
            if timed:
                notes.append(_("{name}: column {column!r} written as ISO text (date and time): "
                               "a Shapefile has no date-and-time field").format(name=name, column=column))
            else:
                notes.append(_("{name}: column {column!r} written as ISO text (YYYY-MM-DD): "
                               "a Shapefile has no date-and-time field").format(name=name, column=column))
            continue
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        cut = 0
        fitted = []
        for i, v in enumerate(values.tolist()):
            if isinstance(v, str):
                try:
                    raw = v.encode(encoding)
                except UnicodeEncodeError as exc:
                    bad = v[exc.start:exc.end]
                    raise ZzgeoError(_("{name}: column {column!r}, {row}: {bad!r} in {text!r} cannot be "
                                       "written in {encoding}, the Shapefile's Chinese encoding; write .gpkg or .geojson "
                                       "instead").format(name=name, column=column, row=_row_label(frame, i), bad=bad, text=v[:40],
                                                         encoding=encoding)) from None
                if len(raw) > TEXT_BYTES:
                    v = _cut(v, TEXT_BYTES, encoding)
                    cut += 1
            fitted.append(v)
        if cut:
            out[column] = pd.Series(fitted, index=out.index, dtype=object)
            notes.append(_("{name}: {n} value(s) of column {column!r} longer than a Shapefile's {limit} bytes "
                           "were cut there; a .gpkg output keeps them whole").format(name=name, n=cut, column=column, limit=TEXT_BYTES))
    return out


def row_kinds(geometries: Sequence[object]) -> tuple[np.ndarray, list[str]]:
    """The geometry kind each row is written with, and the kinds present (``point``, ``line``, ``polygon``, in that order).

    A row without geometry goes with the largest kind, so no row is lost when a file (a Shapefile, a
    GeoPackage layer) holds one kind; with no geometry at all the kind is ``point``.

    >>> from shapely.geometry import Point, box
    >>> kinds, present = row_kinds([Point(0, 0), box(0, 0, 1, 1), Point(1, 1), None])
    >>> kinds.tolist(), present
    (['point', 'polygon', 'point', 'point'], ['point', 'polygon'])
    """
    kinds = geometry_kinds(geometries)
    present = [k for k in ("point", "line", "polygon") if (kinds == k).any()] or ["point"]
    if len(present) > 1:
        largest = max(present, key=lambda k: int((kinds == k).sum()))
        return np.where(kinds == "", largest, kinds), present
    return np.full(len(kinds), present[0], dtype=object), present


def write_shapefile(gdf: gpd.GeoDataFrame, path: str | Path, *, notes: list[str] | None = None,
                    encoding: str = SHAPEFILE_ENCODING) -> tuple[list[Path], dict[str, str]]:
    """Write *gdf* as one Shapefile per geometry kind in *path*'s folder.

    One kind: *path* itself. Several: ``<stem>_point.shp``, ``<stem>_line.shp``,
    ``<stem>_polygon.shp``; rows without geometry go with the largest kind.
    Field names longer than 10 bytes are mapped (:func:`shapefile_fields`);
    the caller writes the mapping as ``<stem>.fields.csv``
    (:func:`fields_table_name`). What was changed to fit
    is appended to *notes*, and so is any warning GDAL gives while writing
    (none is hidden).

    This writes in place; :func:`zzgeo.io.write_vector` calls it inside a
    temporary folder, writes the mapping and moves the files into place.

    Returns
    -------
    files : list of Path
        The ``.shp`` files written.
    fields : dict
        Column -> field name, when any name was cut (else empty).

    Raises
    ------
    ZzgeoError
        A text or name holds a character *encoding* cannot write.
    GeometryError
        A geometry collection.

    Examples
    --------
    >>> import tempfile, geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> frame = gpd.GeoDataFrame({"宗地名称": ["东地块", "西地块"], "benchmark_yuan_m2": [1510.0, 2360.0]},
    ...                          geometry=[Point(113.66, 34.75), box(113.60, 34.70, 113.61, 34.71)], crs=4326)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     notes = []
    ...     written, fields = write_shapefile(frame, Path(folder) / "valued.shp", notes=notes)
    ...     back = gpd.read_file(written[1])
    ...     print([p.name for p in written], list(back.columns), back.iloc[0, 0], fields["benchmark_yuan_m2"])
    ['valued_point.shp', 'valued_polygon.shp'] ['宗地名称', 'benchmark_', 'geometry'] 西地块 benchmark_
    """
    import shapely

    path = Path(path)
    notes = notes if notes is not None else []
    name = path.name
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    fields = shapefile_fields(table.columns, encoding=encoding)
    table = _fit_text(table, encoding, name, notes)
    table.columns = list(fields.values())
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    kinds, present = row_kinds(geoms)
    written: list[Path] = []
    for kind in present:
        rows = np.flatnonzero(kinds == kind)
        part = geoms[rows]
        ids = shapely.get_type_id(part)
        multi = {"point": 4, "line": 5, "polygon": 6}[kind]
        if (ids == multi).any() and (ids != multi).any():  # a Shapefile's type is single or multi: promote the singles
            single = (ids >= 0) & (ids != multi) & ~shapely.is_empty(part)
            promote = {"point": shapely.multipoints, "line": shapely.multilinestrings, "polygon": shapely.multipolygons}[kind]
            part = part.copy()
            part[single] = [promote([g]) for g in part[single]]
        target = path if len(present) == 1 else path.with_name(f"{path.stem}_{kind}.shp")
        frame = _geoframe(table.iloc[rows].reset_index(drop=True), part, gdf.crs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame.to_file(target, driver="ESRI Shapefile", encoding=encoding)
        notes.extend(f"{target.name}: GDAL: {str(w.message).splitlines()[0]}" for w in caught
                     if not issubclass(w.category, (DeprecationWarning, ResourceWarning)))
        written.append(target)
    if len(present) > 1:
        counts = ", ".join(_kind_count(p.name, k, int((kinds == k).sum())) for p, k in zip(written, present))
        notes.append(_("{name}: a Shapefile holds one kind of geometry; the {n} rows are written as {files}").format(
            name=name, n=len(geoms), files=counts))
    renamed = {c: f for c, f in fields.items() if c != f}
    if renamed:
        shown = ", ".join(f"{c} -> {f}" for c, f in list(renamed.items())[:5])
        more = " " + _("and {n} more").format(n=len(renamed) - 5) if len(renamed) > 5 else ""
        notes.append(_("{name}: {n} field name(s) cut to a Shapefile's {limit} bytes ({shown}); "
                       "the full names are in {table}").format(name=name, n=len(renamed), limit=FIELD_BYTES, shown=shown + more,
                                                               table=fields_table_name(path)))
    return written, (fields if renamed else {})


def _kind_count(file: str, kind: str, n: int) -> str:
    """``valued_point.shp (1 point)``, ``valued_polygon.shp (2 polygons)``."""
    if kind == "point":
        text = _("{file} ({n} point)") if n == 1 else _("{file} ({n} points)")
    elif kind == "line":
        text = _("{file} ({n} line)") if n == 1 else _("{file} ({n} lines)")
    else:
        text = _("{file} ({n} polygon)") if n == 1 else _("{file} ({n} polygons)")
    return text.format(file=file, n=n)


def fields_table_name(path: str | Path) -> str:
    """The name of the table beside a Shapefile that maps its field names to the full column names.

    >>> fields_table_name("out/valued.shp")
    'valued.fields.csv'
    """
    return f"{Path(path).stem}.fields.csv"


def _geoframe(table: pd.DataFrame, geoms: np.ndarray, crs: object) -> gpd.GeoDataFrame:
    import geopandas as gpd

    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geoms, crs=crs).values, crs=crs)
