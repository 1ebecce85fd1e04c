"""Grade zones (土地级别) of the benchmark land price tables: user layers, the store's layer, grade lookup.

A grade-zone layer has one polygon (or multipolygon) per table, use and grade
(schema ``data/landprice/grade_zones.toml``):

========= =============================================================
column    meaning
========= =============================================================
table     ``collective_construction``, ``collective_agricultural``, ``state_agricultural``
use       a use of that table (``commercial``, ``cultivated``, ...); empty means
          the zone applies to every use of the table
grade     1..6 (``一级`` etc. accepted on load)
geometry  polygon, any CRS (stored in WGS-84)
========= =============================================================

Zones of the same table and use must not overlap, and no zone may carry a
grade that the table prints as a dash. The grade of many points or polygons is
found with :mod:`zzgeo.spatial.index` (exact, near array-lookup speed); polygons
that straddle zones are split and area-weighted in EPSG:4547.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from zzgeo.crs import METRIC_CRS
from zzgeo.errors import NoSuchGradeError, SchemaError
from zzgeo.i18n import N_, _
from zzgeo.landprice.rules import (
    DASH,
    PriceTables,
    _cells,
    _tables,
    active_price_tables,
    doc_number,
    use_info,
    using_price_tables,
)
from zzgeo.landprice.valuer_table import (
    grade_name,
    message_name,
    price_tables_of,
    table_name,
    use_name,
)

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from zzgeo.registers import CheckContext

__all__ = [
    "DEMO_LABEL",
    "SCHEMA",
    "assign_grades",
    "coverage_notes",
    "default_zones",
    "existing_grades",
    "grade_weights",
    "load_grade_zones",
    "validate_grade_zones",
    "zone_mask",
    "zone_subset",
]

#: The packaged schema of grade-zone layers.
SCHEMA = "landprice/grade_zones.toml"
_HINT = N_("Fix the zone layer: every zone needs a table, a grade the table prints, and a valid polygon")
DEMO_LABEL = N_("DEMO grade zones (synthetic, not the official 郑政文〔2022〕42号 grade map)")


def existing_grades(table: str, use: str) -> list[int]:
    """Grades the table prints a price for (any right).

    Examples
    --------
    工业用地 prints no 五级 or 六级; 附件2's 园地 no 四级:

    >>> existing_grades("collective_construction", "industrial"), existing_grades("collective_agricultural", "garden")
    ([1, 2, 3, 4], [1, 2, 3])
    """
    info = use_info(table, use)
    grades = set()
    for right in info.rights:
        grades |= {g for g, cell in enumerate(_cells(table, use, right), start=1) if cell != DASH}
    return sorted(grades)


def default_zones(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """The grade zones of the layer store (the demo layer unless replaced).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The layer store (default: :func:`zzgeo.layers.default_store`).

    Returns
    -------
    geopandas.GeoDataFrame
        ``table``, ``use`` (``""`` where a zone serves every use), ``grade``,
        ``demo``, geometry, in EPSG:4326.

    Examples
    --------
    The DEMO layer has one band per grade each table prints: 6 + 6 + 4 + 4
    for 附件1, 4 + 3 + 3 + 4 for 附件2 and again for 附件3, 48 zones:

    >>> zones = default_zones()
    >>> len(zones), bool(zones["demo"].all())
    (48, True)
    >>> sorted(zones.loc[(zones["table"] == "collective_construction") & (zones["use"] == "industrial"), "grade"])
    [1, 2, 3, 4]
    """
    from zzgeo.layers import read_layer

    zones = read_layer("land_grade_zones", path)
    zones["use"] = zones["use"].fillna("")
    return zones


def _grade_check(ctx: CheckContext) -> None:
    """A zone's grade must exist for its table and use (the table prints no dash there)."""
    tables, uses, grades = ctx.value("table"), ctx.value("use"), ctx.value("grade")
    bad, texts = [], []
    for pos, (table, use, grade) in enumerate(zip(tables, uses, grades)):
        if not isinstance(table, str) or not isinstance(grade, str) or table not in _tables():
            continue
        names = [use] if isinstance(use, str) and use else list(_tables()[table]["uses"])
        if names[0] not in _tables()[table]["uses"]:
            continue
        if not any(int(grade) in existing_grades(table, u) for u in names):
            bad.append(pos)
            texts.append(_no_grade(table, use, int(grade)))
    ctx.issues.add(np.asarray(bad, dtype=np.int64), texts, kind=NoSuchGradeError)


def _no_grade(table: str, use: str, grade: int) -> str:
    """A zone's grade its table and use lack: by id for the shipped tables, by the valuer's names for a valuer's."""
    n = len(_tables()[table]["grades"])
    if active_price_tables().shipped:
        return (_("{table}/{use} has no grade {grade} (the table prints '—')").format(table=table, use=use or "*", grade=grade)
                if grade <= n else _("{table}/{use} has no grade {grade}: {document}'s table has grades 1..{n}").format(
                    table=table, use=use or "*", grade=grade, document=doc_number(), n=n))
    what = message_name(table, use) if use else _("{table} (every use)").format(table=table_name(table))
    return (_("{what} has no {grade} (the table prints '—')").format(what=what, grade=grade_name(grade)) if grade <= n
            else _("{what} has no {grade}: {document}'s table has grades {first}..{last}").format(
                what=what, grade=grade_name(grade), document=doc_number(), first=grade_name(1), last=grade_name(n)))


def _use_check(ctx: CheckContext) -> None:
    """A zone's table must be one of the tables in use, and its use a use of its table."""
    tables, uses = ctx.value("table"), ctx.value("use")
    foreign = [p for p, t in enumerate(tables) if isinstance(t, str) and t not in _tables()]
    if active_price_tables().shipped:
        text = _("table {table!r} is not a table of {document} (tables: {tables})")
        texts = [text.format(table=tables.iloc[p], document=doc_number(), tables=", ".join(_tables())) for p in foreign]
    else:  # a valuer's table: the 地价表 names the valuer types
        text = _("地价表 {table} is not a table of {document} (its tables: {tables})")
        texts = [text.format(table=table_name(tables.iloc[p]), document=doc_number(), tables=", ".join(map(table_name, _tables())))
                 for p in foreign]
    ctx.issues.add(np.asarray(foreign, dtype=np.int64), texts, kind=SchemaError)
    wrong = [p for p, (t, u) in enumerate(zip(tables, uses)) if isinstance(t, str) and isinstance(u, str) and u
             and t in _tables() and u not in _tables()[t]["uses"]]
    shipped = active_price_tables().shipped
    ids, names = _("use {use!r} is not a use of table {table!r}"), _("用途 {use} is not a use of 地价表 {table} in {document}")
    ctx.issues.add(np.asarray(wrong, dtype=np.int64),
                   [ids.format(use=uses.iloc[p], table=tables.iloc[p]) if shipped
                    else names.format(use=use_name(uses.iloc[p]), table=table_name(tables.iloc[p]), document=doc_number())
                    for p in wrong], kind=SchemaError)


def _overlaps(zones: gpd.GeoDataFrame, name: str) -> None:
    metric = zones.to_crs(METRIC_CRS)
    for (table, use), group in metric.groupby(["table", "use"]):
        total = group.area.sum()
        union = group.union_all().area
        if total - union > 1.0 + 1e-6 * total:  # more than 1 m² of overlap
            msg = _("{name}: zones of {table}/{use} overlap by {area:.0f} m²; each place needs one grade").format(
                name=name, table=table, use=use or "*", area=total - union)
            raise SchemaError(msg)


def validate_grade_zones(zones: gpd.GeoDataFrame, *, crs: object = None, name: str = "grade zones",
                         price_table: PriceTables | str | Path | None = None) -> gpd.GeoDataFrame:
    """Check and normalise a grade-zone layer; return a clean copy in WGS-84.

    The tables, uses and grades are checked against *price_table* (a valuer's
    own, see :mod:`zzgeo.landprice.valuer_table`) or the shipped 郑政文〔2022〕42号.

    Raises
    ------
    SchemaError
        Missing columns, a use of another table, or zones of one table and use that overlap.
    UnknownCodeError
        Unknown table, use or grade.
    NoSuchGradeError
        A zone for a grade the table prints as a dash.
    GeometryError
        Empty, missing, invalid or non-polygon geometries.
    CRSError
        No CRS.

    Examples
    --------
    Two 1 km × 1 km squares beside Erqi Square, grade 1 to the west and 2 to
    the east, come back in WGS-84; moved 100 m into each other they overlap by
    100 m × 1000 m = 100,000 m²:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> x0, y0 = 469364, 3847309  # 二七广场 (Erqi Square) in EPSG:4547 metres
    >>> squares = gpd.GeoDataFrame({"table": ["collective_construction"] * 2, "use": ["commercial"] * 2, "grade": [1, 2]},
    ...                            geometry=[box(x0 - 1000, y0 - 500, x0, y0 + 500), box(x0, y0 - 500, x0 + 1000, y0 + 500)],
    ...                            crs="EPSG:4547")
    >>> zones = validate_grade_zones(squares)
    >>> zones[["table", "use", "grade"]].values.tolist(), zones.crs.to_epsg()
    ([['collective_construction', 'commercial', 1], ['collective_construction', 'commercial', 2]], 4326)
    >>> wider = squares.copy()
    >>> wider.loc[0, "geometry"] = box(x0 - 1000, y0 - 500, x0 + 100, y0 + 500)  # 100 m into grade 2
    >>> validate_grade_zones(wider, name="zones.gpkg")
    Traceback (most recent call last):
    ...
    zzgeo.errors.SchemaError: zones.gpkg: zones of collective_construction/commercial overlap by 100000 m²; each place needs one grade
    """
    from zzgeo.landprice.valuer_table import schema_for
    from zzgeo.registers import validate_register

    with using_price_tables(price_tables_of(price_table)):
        out = validate_register(zones, schema_for(SCHEMA), crs=crs, name=name, checks=[_use_check, _grade_check], hint=_(_HINT))
        return _finish(out, name)


def _finish(out: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    out["use"] = out["use"].fillna("").astype(str)
    out["grade"] = out["grade"].astype("int64")
    out = out.drop(columns=["issues", "notes", "valid"])
    _overlaps(out, name)
    return out


def load_grade_zones(path: str | Path, *, layer: str | None = None, crs: object = None,
                     price_table: PriceTables | str | Path | None = None) -> gpd.GeoDataFrame:
    """Read and validate the real grade zones from a GeoPackage, Shapefile, GeoJSON or PostGIS.

    Parameters
    ----------
    path : str or Path
        Vector file with columns ``table``, ``grade`` and optionally ``use``
        (Chinese 级别 / 用途 accepted).
    layer : str, optional
        Layer of a multi-layer file.
    crs : str, optional
        The coordinates' real CRS when the file declares none or the wrong one
        (e.g. ``gcj02``).
    price_table : PriceTables, str or Path, optional
        The valuer's own price table whose grades the map draws (default: the shipped tables).

    Returns
    -------
    geopandas.GeoDataFrame
        ``table``, ``use``, ``grade``, ``demo`` (False), geometry, in EPSG:4326.

    Raises
    ------
    SchemaError, UnknownCodeError, NoSuchGradeError, GeometryError, CRSError
        As :func:`validate_grade_zones`; every bad feature is named.

    Examples
    --------
    A GeoPackage with Chinese headers and terms (地价表 集体建设用地, 用途 商业,
    级别 一级/二级):

    >>> import tempfile
    >>> from pathlib import Path
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> x0, y0 = 469364, 3847309  # 二七广场 (Erqi Square) in EPSG:4547 metres
    >>> tmp = tempfile.TemporaryDirectory()
    >>> drawn = gpd.GeoDataFrame({"地价表": ["集体建设用地"] * 2, "用途": ["商业"] * 2, "级别": ["一级", "二级"]},
    ...                          geometry=[box(x0 - 1000, y0 - 500, x0, y0 + 500), box(x0, y0 - 500, x0 + 1000, y0 + 500)],
    ...                          crs="EPSG:4547")
    >>> drawn.to_file(Path(tmp.name) / "grades.gpkg")
    >>> zones = load_grade_zones(Path(tmp.name) / "grades.gpkg")
    >>> zones[["table", "use", "grade", "demo"]].values.tolist()
    [['collective_construction', 'commercial', 1, False], ['collective_construction', 'commercial', 2, False]]

    工业用地 has no 五级 (the table prints "—"), so a zone for it is refused:

    >>> drawn.assign(用途="工业", 级别=["四级", "五级"]).to_file(Path(tmp.name) / "bad.gpkg")
    >>> load_grade_zones(Path(tmp.name) / "bad.gpkg")
    Traceback (most recent call last):
    ...
    zzgeo.errors.NoSuchGradeError: ...bad.gpkg: 1 of 2 row(s) fail validation: feature 2: collective_construction/industrial has no grade 5 (the table prints '—'). ...
    >>> tmp.cleanup()
    """
    from zzgeo.landprice.valuer_table import schema_for
    from zzgeo.registers import load_register

    with using_price_tables(price_tables_of(price_table)):
        out = load_register(path, schema_for(SCHEMA), layer=layer, crs=crs, checks=[_use_check, _grade_check], hint=_(_HINT))
        zones = _finish(out, str(path))
    zones["demo"] = False
    return zones


def coverage_notes(zones: gpd.GeoDataFrame) -> list[str]:
    """Grades the tables in use price that the grade map has no zone for (one text per table and use).

    Examples
    --------
    The DEMO layer draws every grade of 郑政文〔2022〕42号; a map of two grades lacks the rest:

    >>> coverage_notes(default_zones())
    []
    >>> two = default_zones().query("table == 'collective_construction' and use == 'commercial' and grade <= 2")
    >>> coverage_notes(two)[0]
    'the grade map has no zone for collective_construction/commercial grade(s) 3, 4, 5, 6 that 郑政文〔2022〕42号 prices: parcels there cannot be graded'
    """
    notes = []
    for table, spec in _tables().items():
        for use in spec["uses"]:
            drawn = set(zone_subset(zones, table, use)["grade"].astype(int))
            missing = [g for g in existing_grades(table, use) if g not in drawn]
            if missing:
                named = ", ".join(map(str if active_price_tables().shipped else grade_name, missing))
                notes.append(_("the grade map has no zone for {what} grade(s) {grades} that {document} prices: parcels there cannot be graded")
                             .format(what=message_name(table, use), grades=named, document=doc_number()))
    return notes


def zone_subset(zones: gpd.GeoDataFrame, table: str, use: str) -> gpd.GeoDataFrame:
    """The zones that grade *table*/*use*: its own, else the table-wide ones (use ``""``).

    Examples
    --------
    >>> zones = default_zones()
    >>> zone_subset(zones, "collective_construction", "industrial")["grade"].tolist()
    [1, 2, 3, 4]
    """
    return zones[zone_mask(zones["table"].to_numpy(dtype=object), zones["use"].to_numpy(dtype=object), table, use)]


def zone_mask(tables: np.ndarray, uses: np.ndarray, table: str, use: str) -> np.ndarray:
    """Which zones grade *table*/*use*, given the zones' ``table`` and ``use`` arrays (:func:`zone_subset`'s rule).

    Zones of the use itself; where it has none, the table-wide zones (use
    ``""``, or missing).

    Examples
    --------
    >>> import numpy as np
    >>> tables = np.array(["collective_construction"] * 3, dtype=object)
    >>> zone_mask(tables, np.array(["commercial", "", None], dtype=object), "collective_construction", "commercial").tolist()
    [True, False, False]
    >>> zone_mask(tables, np.array(["commercial", "", None], dtype=object), "collective_construction", "industrial").tolist()
    [False, True, True]
    """
    tables, uses = np.asarray(tables, dtype=object), np.asarray(uses, dtype=object)
    mask = (tables == table) & (uses == use)
    if not mask.any():
        mask = (tables == table) & np.array([not (isinstance(u, str) and u) for u in uses], dtype=bool)
    return mask


def grade_weights(
    geoms: np.ndarray, sub: gpd.GeoDataFrame, *, crs: object = "EPSG:4326", xy: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grades of every geometry against one zone subset, as arrays.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
        Points or polygons in the zones' CRS.
    sub : geopandas.GeoDataFrame
        Zones of one table and use (see :func:`zone_subset`).
    crs : object
        CRS of both, for measuring areas in EPSG:4547.
    xy : (x, y) arrays, optional
        Coordinates of *geoms* when they are all points (saves reading them again).

    Returns
    -------
    positions, grades, weights : numpy.ndarray
        One entry per geometry and grade it lies in: its position in *geoms*,
        the grade and the area share (1.0 for points and polygons wholly in
        one zone). Geometries outside every zone have no entry; the shares of
        a polygon partly outside the map sum to less than 1.
    """
    import shapely

    from zzgeo.spatial.index import polygon_index

    empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0))
    if len(sub) == 0 or len(geoms) == 0:
        return empty
    index = polygon_index(np.asarray(sub.geometry.values))
    zone_grades = sub["grade"].to_numpy(dtype=np.int64)
    if xy is not None:  # the caller says: all points, here are their coordinates
        return _whole(np.arange(len(geoms)), index.query_xy(*xy), zone_grades)
    is_point = shapely.get_type_id(geoms) == 0
    found = np.full(len(geoms), -1, dtype=np.int64)
    if is_point.all():
        found = index.query(geoms)
    else:
        found[is_point] = index.query(geoms[is_point])
        found[~is_point] = index.uniform(shapely.bounds(geoms[~is_point]))
    unsure = np.flatnonzero(found == -2)
    if len(unsure) == 0:
        return _whole(np.arange(len(geoms)), found, zone_grades)
    parts = [_whole(np.arange(len(geoms)), found, zone_grades), _split(geoms, unsure, index, zone_grades, crs)]
    pos, grade, weight = (np.concatenate(a) for a in zip(*parts))
    order = np.lexsort((grade, pos))
    return pos[order], grade[order], weight[order]


def _whole(positions: np.ndarray, found: np.ndarray, zone_grades: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entries of geometries that lie wholly in one zone (``found`` >= 0), weight 1; ordered by position."""
    inside = found >= 0
    return positions[inside], zone_grades[found[inside]], np.ones(int(inside.sum()))


def _split(geoms: np.ndarray, which: np.ndarray, index, zone_grades: np.ndarray, crs: object):
    """Area shares of polygons that may straddle zones: exact intersections, measured in EPSG:4547."""
    import shapely

    from zzgeo.crs import transformer

    hit_g, hit_z = shapely.STRtree(index.geoms).query(geoms[which], predicate="intersects")
    if len(hit_g) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0)
    tr = transformer(crs, METRIC_CRS)

    def proj(c: np.ndarray) -> np.ndarray:
        return np.column_stack(tr.transform(c[:, 0], c[:, 1]))

    pieces = shapely.intersection(geoms[which][hit_g], index.geoms[hit_z])
    share = shapely.area(shapely.transform(pieces, proj)) / shapely.area(shapely.transform(geoms[which], proj))[hit_g]
    import pandas as pd

    frame = pd.DataFrame({"p": which[hit_g], "g": zone_grades[hit_z], "w": share})
    frame = frame[frame["w"] > 1e-9].groupby(["p", "g"], as_index=False)["w"].sum()
    return frame["p"].to_numpy(np.int64), frame["g"].to_numpy(np.int64), frame["w"].to_numpy(float)


def assign_grades(parcels: gpd.GeoSeries, zones: gpd.GeoDataFrame, *, table: str, use: str) -> pd.DataFrame:
    """Grade of every parcel for one table and use; polygons straddling zones are split.

    Parameters
    ----------
    parcels : geopandas.GeoSeries
        Points or polygons (any CRS; reprojected to the zones' CRS when they differ).
    zones : geopandas.GeoDataFrame
        A validated grade-zone layer.
    table, use : str
        Which grade map to use.

    Returns
    -------
    pandas.DataFrame
        One row per parcel and grade it touches: ``parcel`` (index label of
        *parcels*), ``grade``, ``weight`` (area share of the parcel in that
        grade; 1.0 for points). Parcels outside every zone have no row;
        ``weight`` of a polygon sums to less than 1 where part of it lies
        outside the grade map.

    Examples
    --------
    On two squares beside Erqi Square (grade 1 west of x0, grade 2 east of it):
    a point 500 m west is grade 1; a 200 m × 100 m parcel centred on the border
    lies half in each; a point 5 km east is on no grade map:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> x0, y0 = 469364, 3847309  # 二七广场 (Erqi Square) in EPSG:4547 metres
    >>> squares = gpd.GeoDataFrame({"table": ["collective_construction"] * 2, "use": ["commercial"] * 2, "grade": [1, 2]},
    ...                            geometry=[box(x0 - 1000, y0 - 500, x0, y0 + 500), box(x0, y0 - 500, x0 + 1000, y0 + 500)],
    ...                            crs="EPSG:4547")
    >>> zones = validate_grade_zones(squares)
    >>> parcels = gpd.GeoSeries([Point(x0 - 500, y0), box(x0 - 100, y0 - 50, x0 + 100, y0 + 50), Point(x0 + 5000, y0)],
    ...                         crs="EPSG:4547")
    >>> assign_grades(parcels, zones, table="collective_construction", use="commercial").round(3)
       parcel  grade  weight
    0       0      1     1.0
    1       1      1     0.5
    2       1      2     0.5
    """
    sub = zone_subset(zones, table, use)
    if sub.crs is not None and parcels.crs is not None and sub.crs != parcels.crs:
        parcels = parcels.to_crs(sub.crs)
    pos, grade, weight = grade_weights(np.asarray(parcels.values), sub, crs=sub.crs or "EPSG:4326")
    import pandas as pd

    return pd.DataFrame({"parcel": parcels.index.to_numpy()[pos], "grade": grade, "weight": weight})
