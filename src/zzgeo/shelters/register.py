"""Shelter registers: read them from any source zzgeo reads, map their columns, validate every row.

A validated register has these columns (others are kept as they came):

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
valid                ``issues == ""``
==================== ====================================================================

Nothing is dropped. With ``on_error="raise"`` (default) any error raises a
:class:`~zzgeo.errors.SchemaError` (or :class:`~zzgeo.errors.OutsideAreaError`
when the only trouble is location) listing the rows; with ``on_error="flag"``
every row comes back and analyses use the valid ones, saying how many they left out.
Headers may carry a unit: ``面积(公顷)``, ``area (ha)``, ``万平方米`` and ``亩`` are
converted to m² and the conversion is noted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.crs import METRIC_CRS, STORAGE_CRS, to_wgs84
from zzgeo.errors import OutsideAreaError, SchemaError
from zzgeo.shelters._columns import (
    COLUMN_ALIASES,
    _numeric,
    parse_class,
    parse_columns_option,
    parse_setting,
    standardize_columns,
)
from zzgeo.shelters.rules import RuleSet, load_rules

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "REGISTER_COLUMNS",
    "COLUMN_ALIASES",
    "parse_class",
    "parse_setting",
    "parse_columns_option",
    "standardize_columns",
    "validate_register",
    "read_register",
    "usable_rows",
]

REGISTER_COLUMNS = (
    "shelter_id", "name", "shelter_class", "setting", "gross_area_m2", "effective_area_m2",
    "capacity", "district", "source",
)
_POINTLIKE = ("Point", "MultiPoint", "Polygon", "MultiPolygon")


def _district_matches(given: object, adcode: object, district_name: object) -> bool:
    if given is None or (isinstance(given, float) and np.isnan(given)) or str(given).strip() == "":
        return True
    text = str(given).strip()
    if re.fullmatch(r"\d+(\.0)?", text):
        return text.split(".")[0] == str(adcode)
    stem = str(district_name)
    for suffix in ("回族区", "区", "县", "市"):
        stem = stem.removesuffix(suffix)
    return stem != "" and (text == str(district_name) or text.startswith(stem))


def _default_districts() -> gpd.GeoDataFrame:
    from zzgeo.layers import read_layer

    return read_layer("districts")


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
) -> gpd.GeoDataFrame:
    """Check a shelter register row by row and return it with zzgeo's columns.

    Parameters
    ----------
    register : geopandas.GeoDataFrame
        Points or polygons in any CRS with at least a name, a class and an
        effective area column (Chinese or English headers, see
        :data:`COLUMN_ALIASES`).
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
    """
    import shapely

    if on_error not in ("raise", "flag"):
        raise SchemaError(f"on_error={on_error!r}; use 'raise' or 'flag'")
    rules = rules or load_rules()
    frame, notes_all = standardize_columns(register, columns=columns, name=name)
    required = ("name", "shelter_class", "effective_area_m2")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        aliases = "; ".join(f"{c}: {', '.join(COLUMN_ALIASES[c][:6])}" for c in missing)
        msg = f"{name} lacks required column(s) {missing!r}; found {list(register.columns)!r}. Accepted headers - {aliases}. Or map yours with columns= / --columns"
        raise SchemaError(msg)
    frame = to_wgs84(frame, name=name) if frame.crs is None or frame.crs != STORAGE_CRS else frame.copy()
    n = len(frame)
    issues: list[list[str]] = [[] for _ in range(n)]
    notes: list[list[str]] = [[] for _ in range(n)]

    def add(target: list[list[str]], mask: pd.Series | np.ndarray, text) -> None:
        for pos in np.flatnonzero(np.asarray(mask, dtype=bool)):
            target[pos].append(text(pos))

    def cell(col: str, pos: int) -> object:
        return frame[col].iloc[pos] if col in frame else None

    geoms = np.asarray(frame.geometry.values)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    add(issues, empty, lambda p: "missing geometry")
    types = np.array([g.geom_type if g is not None else "" for g in geoms], dtype=object)
    add(issues, ~empty & ~np.isin(types, _POINTLIKE), lambda p: f"geometry {types[p]!r} is not a point or polygon")
    invalid = ~empty & ~shapely.is_valid(geoms)
    add(issues, invalid, lambda p: f"invalid geometry ({shapely.is_valid_reason(geoms[p])})")

    classes = frame["shelter_class"].map(parse_class)
    add(issues, classes.isna(), lambda p: f"unknown class {cell('shelter_class', p)!r} (use I/II/III, Ⅰ/Ⅱ/Ⅲ, 1/2/3 or 一类/二类/三类)")
    settings = frame["setting"].map(parse_setting) if "setting" in frame else pd.Series("", index=frame.index)
    add(issues, settings.isna(), lambda p: f"unknown indoor/outdoor value {cell('setting', p)!r} (use 室内/室外/室内外 or indoor/outdoor/mixed)")

    eff, eff_text = _numeric(frame, "effective_area_m2")
    gross, gross_text = _numeric(frame, "gross_area_m2")
    cap, cap_text = _numeric(frame, "capacity")
    add(issues, eff_text, lambda p: f"effective_area_m2 is not a number: {cell('effective_area_m2', p)!r}")
    add(issues, gross_text, lambda p: f"gross_area_m2 is not a number: {cell('gross_area_m2', p)!r}")
    add(issues, cap_text, lambda p: f"capacity is not a number: {cell('capacity', p)!r}")
    add(issues, eff.isna() & ~eff_text, lambda p: "effective_area_m2 missing")
    add(issues, eff <= 0, lambda p: f"effective_area_m2 must be positive, got {float(eff.iloc[p])!r}")
    add(issues, gross < 0, lambda p: f"gross_area_m2 must not be negative, got {float(gross.iloc[p])!r}")
    add(issues, cap < 0, lambda p: f"capacity must not be negative, got {float(cap.iloc[p])!r}")
    add(issues, eff > gross, lambda p: f"effective_area_m2 {float(eff.iloc[p])!r} exceeds gross_area_m2 {float(gross.iloc[p])!r}")
    add(notes, gross.isna() & ~gross_text & ("gross_area_m2" in frame), lambda p: "gross_area_m2 missing")
    add(notes, frame["name"].isna(), lambda p: "name missing")

    ring = frame["inside_3rd_ring"].map(lambda v: str(v).strip().lower() in ("1", "true", "yes", "是", "y")) if "inside_3rd_ring" in frame else pd.Series(False, index=frame.index)
    minimum = pd.Series(np.nan, index=frame.index)
    for code, spec in rules.classes.items():
        floor = spec.min_effective_area_m2
        ring_floor = spec.min_effective_area_m2_inside_3rd_ring or floor
        minimum[classes == code] = np.where(ring[classes == code], ring_floor, floor)
    below = eff < minimum
    add(notes, below, lambda p: f"class {classes.iloc[p]} needs >= {minimum.iloc[p]:,.0f} m² effective area ({rules.id}), has {eff.iloc[p]:,.0f}")

    districts = _default_districts() if districts is None else districts
    from zzgeo.districts import locate_districts

    reps = frame.geometry.copy()
    reps[~empty] = frame.geometry[~empty].representative_point()
    adcodes = pd.Series(np.nan, index=frame.index, dtype="object")
    if (~empty).any():
        located = locate_districts(reps[~empty].reset_index(drop=True), districts.to_crs(STORAGE_CRS))
        adcodes[~empty] = located.to_numpy()
    outside = ~empty & adcodes.isna().to_numpy()
    add(issues, outside, lambda p: f"location ({reps.iloc[p].x:.5f}, {reps.iloc[p].y:.5f}) is outside the districts (Zhengzhou's county-level units): check the coordinates and the CRS (gcj02/bd09?)")
    names_by_code = dict(zip(districts["adcode"].astype(str), districts["name"], strict=True))
    district_name = adcodes.map(names_by_code)
    if "district" in frame:
        mismatch = [not outside[p] and not empty[p] and not _district_matches(frame["district"].iloc[p], adcodes.iloc[p], district_name.iloc[p]) for p in range(n)]
        add(notes, mismatch, lambda p: f"register says district {frame['district'].iloc[p]!r} but the location is in {district_name.iloc[p]} ({adcodes.iloc[p]})")

    _flag_duplicates(frame, reps, empty, issues, duplicate_tolerance_m, same_name_tolerance_m)

    out = frame
    if "shelter_id" not in out:
        out["shelter_id"] = [f"row-{i}" for i in range(n)]
    out["shelter_class"] = classes.where(classes.notna(), out["shelter_class"].astype("string"))
    out["setting"] = settings.where(settings.notna(), out.get("setting", ""))
    out["effective_area_m2"] = eff
    out["gross_area_m2"] = gross
    out["capacity"] = cap
    for col in ("district", "source"):
        if col not in out:
            out[col] = ""
    out["adcode"] = adcodes
    out["district_name"] = district_name
    out["issues"] = ["; ".join(x) for x in issues]
    out["notes"] = ["; ".join(x) for x in notes]
    out["valid"] = out["issues"] == ""
    first = [*REGISTER_COLUMNS, "adcode", "district_name", "issues", "notes", "valid"]
    out = out[[*first, *[c for c in out.columns if c not in first]]]
    out.attrs["notes"] = notes_all
    if on_error == "raise" and not out["valid"].all():
        _raise(out, outside, name)
    return out


def _flag_duplicates(frame, reps, empty, issues, tol_m: float, same_name_m: float) -> None:
    """Mark later rows of each duplicate pair (first occurrence stays valid)."""
    import shapely

    ok = np.flatnonzero(~empty)
    if len(ok) < 2:
        return
    pts = np.asarray(reps.iloc[ok].set_crs(STORAGE_CRS, allow_override=True).to_crs(METRIC_CRS).values)
    tree = shapely.STRtree(pts)
    left, right = tree.query(pts, predicate="dwithin", distance=max(tol_m, same_name_m))
    keep = left < right
    left, right = left[keep], right[keep]
    dist = shapely.distance(pts[left], pts[right])
    names = frame["name"].astype("string").str.strip().str.lower().fillna("").to_numpy(dtype=object)[ok]
    same_name = (names[left] == names[right]) & (names[left] != "")
    dup = (dist <= tol_m) | (same_name & (dist <= same_name_m))
    seen = set()
    for a, b, d in sorted(zip(left[dup], right[dup], dist[dup], strict=True), key=lambda t: (t[1], t[0])):
        if b in seen:
            continue
        seen.add(b)
        first = frame.index[ok[a]]
        issues[ok[b]].append(f"duplicate of row {first!r} ({frame['name'].iloc[ok[a]]!r}, {d:.1f} m apart)")


def _raise(out: gpd.GeoDataFrame, outside: np.ndarray, name: str) -> None:
    bad = out[~out["valid"]]
    lines = [f"  row {idx!r} ({row['name']!r}): {row['issues']}" for idx, row in bad.head(10).iterrows()]
    more = f"\n  ... and {len(bad) - 10} more" if len(bad) > 10 else ""
    msg = (
        f"{name}: {len(bad)} of {len(out)} row(s) fail validation:\n" + "\n".join(lines) + more
        + "\nFix them, or pass on_error='flag' (--on-error flag) to keep every row with an 'issues' column "
        "and analyse the valid ones only"
    )
    only_outside = bool(outside[~out["valid"].to_numpy()].all()) and all(
        i.startswith("location (") and ";" not in i for i in bad["issues"]
    )
    raise (OutsideAreaError if only_outside else SchemaError)(msg)


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

    Returns
    -------
    geopandas.GeoDataFrame
        The validated register (see module notes).
    """
    from zzgeo.io import read_vector

    columns = dict(columns or {})
    if isinstance(source, pd.DataFrame):
        frame = source
        label = "register"
    else:
        label = str(source)
        x = next((k for k, v in columns.items() if v in ("lon", "x")), None)
        y = next((k for k, v in columns.items() if v in ("lat", "y")), None)
        frame = read_vector(source, layer=layer, crs=crs, x=x, y=y, sheet=sheet, name=label)
    columns = {k: v for k, v in columns.items() if v not in ("lon", "lat", "x", "y")}
    return validate_register(frame, columns=columns, rules=rules, districts=districts, on_error=on_error, name=label)


def usable_rows(register: gpd.GeoDataFrame, **validate_options) -> tuple[gpd.GeoDataFrame, int]:
    """Valid rows of a register (validating it first when it has no ``valid`` column).

    Returns
    -------
    (geopandas.GeoDataFrame, int)
        The valid rows and how many rows were left out.
    """
    if "valid" not in register or "adcode" not in register:
        register = validate_register(register, **validate_options)
    valid = register["valid"].astype(bool)
    return register[valid].copy(), int((~valid).sum())
