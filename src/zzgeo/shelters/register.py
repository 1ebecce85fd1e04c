"""Shelter registers: the schema (``data/shelters/register.toml``) and the checks only shelters need.

Registers are read and checked by the common loader (:mod:`zzgeo.registers`);
this module adds the shelter rules on top. A validated register has these
columns first (others are kept as they came):

==================== ====================================================================
column               meaning
==================== ====================================================================
shelter_id           the register's id, or ``row-<n>`` when it has none
name                 site name (名称)
shelter_class        ``I``, ``II`` or ``III`` (``Ⅰ类``, ``一类``, ``1``, ``class II`` ... accepted)
setting              ``indoor``, ``outdoor``, ``mixed`` or empty (室内 / 室外 / 室内外)
gross_area_m2        gross site area (占地面积), m²
effective_area_m2    effective / usable area (有效面积, 可用面积), m²; per-capita figures use it
capacity             persons the register says the site takes (容纳人数), may be empty
district             the district the register names (区县), as given
adcode, district_name  the county-level unit the location falls in (used by every analysis)
issues               errors that make the row unusable, ``"; "``-joined ("" when none)
notes                warnings that do not (below the class minimum, district mismatch ...)
location_check       ``district disagrees`` / ``near district boundary`` (``"; "``-joined, "" when none)
boundary_distance_m  metres to the district boundary of a point closer than 100 m to it, else NaN
valid                ``issues == ""``
==================== ====================================================================

Shelter checks beyond the schema: effective area above the gross area (error),
below the class minimum of the rule set (note), the register's district name
against the location and points within 100 m of a district boundary (notes,
:func:`zzgeo.registers.location_check`), and duplicates (a later row within
``duplicate_tolerance_m`` of an earlier one, or with the same name within
``same_name_tolerance_m``: error).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.i18n import _
from zzgeo.registers import (
    CheckContext,
    district_name_check,
    load_register,
    load_schema,
    parse_columns_option,
)
from zzgeo.registers import usable_rows as _usable_rows
from zzgeo.registers import validate_register as _validate
from zzgeo.shelters.rules import RuleSet, load_rules

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "SCHEMA",
    "REGISTER_COLUMNS",
    "parse_class",
    "parse_setting",
    "parse_columns_option",
    "validate_register",
    "read_register",
    "usable_rows",
]

#: The packaged schema of shelter registers.
SCHEMA = "shelters/register.toml"
REGISTER_COLUMNS = tuple(load_schema(SCHEMA).columns)[:-1]


def parse_class(value: object) -> str | None:
    """Shelter class ``"I"``/``"II"``/``"III"`` of a register cell, or ``None`` if not recognised."""
    return load_schema(SCHEMA).vocabularies["shelter_class"].parse(value)


def parse_setting(value: object) -> str | None:
    """``indoor``/``outdoor``/``mixed``, ``""`` for a missing cell, ``None`` if not recognised."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return ""
    return load_schema(SCHEMA).vocabularies["setting"].parse(value)


def _area_checks(rules: RuleSet) -> Callable[[CheckContext], None]:
    def check(ctx: CheckContext) -> None:
        eff, gross = ctx.value("effective_area_m2"), ctx.value("gross_area_m2")
        ctx.issues.add((eff > gross).to_numpy(), lambda p: [
            _("effective_area_m2 {effective!r} exceeds gross_area_m2 {gross!r}").format(effective=float(eff.iloc[i]), gross=float(gross.iloc[i]))
            for i in p])
        classes = ctx.value("shelter_class")
        ring = ctx.value("inside_3rd_ring").map(lambda v: v is True).astype(bool) if ctx.has("inside_3rd_ring") else pd.Series(False, index=eff.index)
        minimum = pd.Series(np.nan, index=eff.index)
        for code, spec in rules.classes.items():
            mine = (classes == code).to_numpy()
            floor = spec.min_effective_area_m2
            minimum[mine] = np.where(ring[mine], spec.min_effective_area_m2_inside_3rd_ring or floor, floor)
        ctx.notes.add((eff < minimum).to_numpy(), lambda p: [
            _("class {shelter_class} needs >= {minimum:,.0f} m² effective area ({rule_set}), has {effective:,.0f}; "
              "counted as class {shelter_class} as the register says (service radius {radius_m:,.0f} m)").format(
                shelter_class=classes.iloc[i], minimum=minimum.iloc[i], rule_set=rules.id, effective=eff.iloc[i],
                radius_m=rules.radius_m(classes.iloc[i])) for i in p])

    return check


def _duplicate_check(tol_m: float, same_name_m: float) -> Callable[[CheckContext], None]:
    """Mark later rows of each duplicate pair (the first occurrence stays valid)."""

    def check(ctx: CheckContext) -> None:
        import shapely

        pts = ctx.metric_points()
        ok = np.flatnonzero(~(shapely.is_missing(pts) | shapely.is_empty(pts)))
        if len(ok) < 2:
            return
        tree = shapely.STRtree(pts[ok])
        left, right = tree.query(pts[ok], predicate="dwithin", distance=max(tol_m, same_name_m))
        keep = left < right
        left, right = left[keep], right[keep]
        dist = shapely.distance(pts[ok][left], pts[ok][right])
        names = ctx.value("name").astype("string").str.strip().str.lower().fillna("").to_numpy(dtype=object)[ok]
        same = (names[left] == names[right]) & (names[left] != "")
        dup = (dist <= tol_m) | (same & (dist <= same_name_m))
        seen: dict[int, str] = {}
        named = ctx.duplicates if ctx.duplicates is not None else np.zeros(len(ctx.frame), dtype=bool)
        for a, b, d in sorted(zip(left[dup], right[dup], dist[dup], strict=True), key=lambda t: (t[1], t[0])):
            if ok[b] not in seen and not named[ok[b]]:  # a row the loader found repeated whole is named once
                seen[ok[b]] = _("duplicate of {place} ({name!r}, {distance_m:.1f} m apart)").format(
                    place=ctx.label.place(int(ok[a])), name=ctx.cell("name", ok[a]), distance_m=d)
        ctx.issues.add(np.array(list(seen), dtype=np.int64), [seen[k] for k in seen])

    return check


def validate_register(
    register: gpd.GeoDataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    rules: RuleSet | None = None,
    districts: gpd.GeoDataFrame | None = None,
    on_error: str = "raise",
    duplicate_tolerance_m: float = 5.0,
    same_name_tolerance_m: float = 100.0,
    name: str = "register",
    row_names: str = "index",
) -> gpd.GeoDataFrame:
    """Check a shelter register row by row and return it with zzgeo's columns.

    Parameters
    ----------
    register : geopandas.GeoDataFrame
        Points or polygons in any CRS with at least a name, a class and an
        effective area column (Chinese or English headers, see the schema).
    columns : mapping, optional
        ``{source header: zzgeo column}`` for headers zzgeo does not recognise.
    rules : RuleSet, optional
        Class minima used for the "below class minimum" note (default rules).
    districts : geopandas.GeoDataFrame, optional
        County-level units with ``adcode`` and ``name`` (default: the
        ``districts`` layer). Rows outside them are errors.
    on_error : {"raise", "flag"}
        Raise on any error (default) or return every row with ``issues`` filled.
    duplicate_tolerance_m : float, default 5
        Two sites closer than this are duplicates whatever their names.
    same_name_tolerance_m : float, default 100
        Two sites with the same name closer than this are duplicates.
    name : str
        How the register is named in messages.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame in EPSG:4326 on the input's index (see module notes).

    Raises
    ------
    SchemaError
        Required columns missing; with ``on_error="raise"`` any row error.
    OutsideAreaError
        With ``on_error="raise"``, when the only errors are rows outside the districts.

    Examples
    --------
    Three sites in a hand-built district, a 4 km square around 二七广场 (EPSG:4547
    metres). The classes are written three ways; the west site is below the
    4,000 m² a class II shelter needs (a note: it still counts as class II); the
    south site claims more effective than gross area (an error, so not valid):

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> x, y = gpd.GeoSeries.from_xy([113.6654], [34.7536], crs=4326).to_crs(4547).iloc[0].coords[0]
    >>> districts = gpd.GeoDataFrame({"adcode": ["410104"], "name": ["管城回族区"]},
    ...                              geometry=[box(x - 2000, y - 2000, x + 2000, y + 2000)], crs=4547)
    >>> raw = gpd.GeoDataFrame({"name": ["东广场", "西广场", "南操场"], "shelter_class": ["Ⅰ类", "二类", "III"],
    ...                         "effective_area_m2": [30000.0, 3000.0, 5000.0], "gross_area_m2": [40000.0, 5000.0, 4000.0]},
    ...                        geometry=[Point(x + 1000, y), Point(x - 1000, y), Point(x, y - 1000)], crs=4547)
    >>> register = validate_register(raw, districts=districts, on_error="flag")
    >>> register["shelter_class"].tolist(), register["valid"].tolist()
    (['I', 'II', 'III'], [True, True, False])
    >>> register.loc[1, "notes"]
    'class II needs >= 4,000 m² effective area (zhengzhou-2011-defaults), has 3,000; counted as class II as the register says (service radius 1,000 m)'
    >>> register.loc[2, "issues"]
    'effective_area_m2 5000.0 exceeds gross_area_m2 4000.0'
    """
    return _validate(register, SCHEMA, columns=columns, districts=districts, on_error=on_error, name=name,
                     checks=_checks(rules, districts, duplicate_tolerance_m, same_name_tolerance_m),
                     row_names=row_names)


def _checks(rules, districts, tol_m: float = 5.0, same_name_m: float = 100.0) -> list[Callable[[CheckContext], None]]:
    return [_area_checks(rules or load_rules()), district_name_check("district"), _duplicate_check(tol_m, same_name_m)]


def read_register(
    source: str | Path | gpd.GeoDataFrame,
    *,
    crs: object = None,
    columns: Mapping[str, str] | None = None,
    layer: str | None = None,
    sheet: str | int | None = None,
    rules: RuleSet | None = None,
    districts: gpd.GeoDataFrame | None = None,
    on_error: str = "raise",
    boundary_m: float | None = None,
    units: gpd.GeoDataFrame | None = None,
    unit_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Read and validate a shelter register from a file, a PostGIS table or a GeoDataFrame.

    Parameters
    ----------
    source : str, Path or GeoDataFrame
        CSV / Excel (with lon/lat, 经度/纬度 or WKT columns), GeoJSON,
        GeoPackage, Shapefile, FlatGeobuf, or ``postgresql://...`` with
        *layer* naming the table.
    crs : str, optional
        The coordinates' real CRS: ``wgs84``, ``cgcs2000``, ``gcj02``,
        ``bd09`` or an EPSG code. Required for CSV/Excel; for GeoJSON it may
        say ``gcj02``/``bd09`` when points were copied from Amap/Baidu.
    columns : mapping, optional
        ``{source header: zzgeo column}``; may also map coordinate headers to
        ``lon``/``lat``.
    layer, sheet : optional
        GeoPackage layer / PostGIS table or query, Excel sheet.
    rules, districts, on_error
        See :func:`validate_register`.
    boundary_m, units, unit_column : optional
        The location check against districts and analysis units
        (:func:`zzgeo.registers.load_register`): threshold of the "near a
        boundary" note (default 100 m), 街道 polygons, the register's 街道 column.

    Returns
    -------
    geopandas.GeoDataFrame
        The validated register (see :func:`validate_register`).

    Examples
    --------
    A one-row CSV with Chinese headers: the class written ``Ⅲ类`` and the
    effective area in 公顷 (0.25 ha = 2,500 m²). The point at 二七广场 falls in
    管城回族区 of the packaged districts:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> path = Path(tempfile.mkdtemp()) / "shelters.csv"
    >>> pd.DataFrame({"名称": ["二七广场"], "类别": ["Ⅲ类"], "有效面积(公顷)": [0.25],
    ...               "经度": [113.6654], "纬度": [34.7536]}).to_csv(path, index=False)
    >>> register = read_register(path, crs="wgs84")
    >>> register[["name", "shelter_class", "effective_area_m2", "adcode", "district_name", "valid"]].values.tolist()
    [['二七广场', 'III', 2500.0, '410104', '管城回族区', True]]
    """
    return load_register(source, SCHEMA, crs=crs, columns=columns, layer=layer, sheet=sheet, districts=districts,
                         on_error=on_error, checks=_checks(rules, districts), boundary_m=boundary_m, units=units,
                         unit_column=unit_column)


def usable_rows(register: gpd.GeoDataFrame, **validate_options) -> tuple[gpd.GeoDataFrame, int]:
    """Valid rows of a register (validating it first when it has no ``valid`` column).

    Returns
    -------
    (geopandas.GeoDataFrame, int)
        The valid rows and how many rows were left out.
    """
    if "valid" not in register or "adcode" not in register:
        register = validate_register(register, **validate_options)
    return _usable_rows(register)
