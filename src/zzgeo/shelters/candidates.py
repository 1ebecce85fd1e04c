"""Candidate shelter sites: read, validate, apply the 2000 m² rule, propose a class.

Columns of a validated candidate layer (others are kept):

=================== ===================================================================
candidate_id        the layer's id, or ``cand-<n>``
name, kind          site name; school / park / green_space / square / stadium / ... (free text)
usable_area_m2      usable (effective) area, m² (有效利用面积, 可用面积 ...)
cost                optional cost of making the site a shelter (any unit); 1 per site if absent
shelter_class       the class the site would get: the register-style class given, else the
                    largest class whose minimum its usable area meets (rule set)
adcode, district_name   where it lies
eligible            usable area >= the candidate rule (郑政文〔2022〕40号 五(一): 2000 m²)
reject_reason       why not, when not eligible (rows are kept, never dropped)
issues, notes, valid    as for registers
=================== ===================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.crs import STORAGE_CRS, to_wgs84
from zzgeo.errors import OutsideAreaError, SchemaError
from zzgeo.shelters._columns import _numeric, parse_class, standardize_columns
from zzgeo.shelters.register import _default_districts
from zzgeo.shelters.rules import RuleSet, Targets, load_rules, load_targets

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["CANDIDATE_ALIASES", "validate_candidates", "read_candidates"]

CANDIDATE_ALIASES: dict[str, tuple[str, ...]] = {
    "candidate_id": ("candidate_id", "id", "编号", "code"),
    "name": ("name", "site_name", "名称", "场地名称", "地块名称"),
    "kind": ("kind", "type", "site_type", "类型", "场地类型", "用地类型"),
    "usable_area_m2": ("usable_area_m2", "usable_area", "effective_area_m2", "effective_area", "area_m2",
                       "有效利用面积", "可用面积", "有效面积", "可利用面积", "面积"),
    "cost": ("cost", "cost_wan_yuan", "造价", "投资", "费用", "估算投资"),
    "shelter_class": ("shelter_class", "class", "类别", "等级", "拟建类别"),
    "district": ("district", "区县", "所属区县", "行政区"),
    "source": ("source", "来源", "数据来源"),
}


def validate_candidates(
    candidates: gpd.GeoDataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    rules: RuleSet | None = None,
    targets: Targets | None = None,
    districts: gpd.GeoDataFrame | None = None,
    on_error: str = "raise",
    name: str = "candidates",
) -> gpd.GeoDataFrame:
    """Check candidate sites and mark which the siting may use.

    Parameters
    ----------
    candidates : geopandas.GeoDataFrame
        Points or polygons in any CRS with at least a usable-area column.
    columns : mapping, optional
        ``{source header: zzgeo column}`` for unrecognised headers.
    rules, targets : optional
        Class minima and the candidate rule (defaults: packaged files).
    districts : geopandas.GeoDataFrame, optional
        Default the ``districts`` layer.
    on_error : {"raise", "flag"}
        Raise on rows with errors (missing / negative area, bad cost, bad
        geometry, outside the districts) or keep them with ``issues``.
        Sites below the 2000 m² rule are never errors: they come back with
        ``eligible=False`` and a ``reject_reason``.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, on the input's index (see module notes).
    """
    import shapely

    from zzgeo.districts import locate_districts

    if on_error not in ("raise", "flag"):
        raise SchemaError(f"on_error={on_error!r}; use 'raise' or 'flag'")
    rules = rules or load_rules()
    targets = targets or load_targets()
    districts = _default_districts() if districts is None else districts
    frame, _ = standardize_columns(candidates, columns=columns, aliases=CANDIDATE_ALIASES, name=name)
    if "usable_area_m2" not in frame:
        msg = (f"{name} lacks a usable-area column; found {list(candidates.columns)!r}. Accepted headers: "
               f"{', '.join(CANDIDATE_ALIASES['usable_area_m2'])}; or map yours with columns= / --columns")
        raise SchemaError(msg)
    frame = to_wgs84(frame, name=name)
    n = len(frame)
    issues: list[list[str]] = [[] for _ in range(n)]
    notes: list[list[str]] = [[] for _ in range(n)]
    area, area_text = _numeric(frame, "usable_area_m2")
    cost, cost_text = _numeric(frame, "cost")
    geoms = np.asarray(frame.geometry.values)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    checks = (
        (issues, empty, lambda p: "missing geometry"),
        (issues, ~empty & ~shapely.is_valid(geoms), lambda p: "invalid geometry"),
        (issues, area_text, lambda p: f"usable_area_m2 is not a number: {frame['usable_area_m2'].iloc[p]!r}"),
        (issues, area.isna() & ~area_text, lambda p: "usable_area_m2 missing"),
        (issues, area <= 0, lambda p: f"usable_area_m2 must be positive, got {float(area.iloc[p])!r}"),
        (issues, cost_text, lambda p: f"cost is not a number: {frame['cost'].iloc[p]!r}"),
        (issues, cost <= 0, lambda p: f"cost must be positive, got {float(cost.iloc[p])!r}"),
    )
    for target, mask, text in checks:
        for pos in np.flatnonzero(np.asarray(mask, dtype=bool)):
            target[pos].append(text(pos))
    reps = frame.geometry.copy()
    reps[~empty] = frame.geometry[~empty].representative_point()
    adcodes = pd.Series(None, index=frame.index, dtype="object")
    if (~empty).any():
        located = locate_districts(reps[~empty].reset_index(drop=True), districts.to_crs(STORAGE_CRS))
        adcodes[~empty] = located.to_numpy()
    outside = ~empty & adcodes.isna().to_numpy()
    for pos in np.flatnonzero(outside):
        issues[pos].append(f"location ({reps.iloc[pos].x:.5f}, {reps.iloc[pos].y:.5f}) is outside the districts (Zhengzhou's county-level units): check the coordinates and the CRS")

    derived = area.map(lambda a: rules.class_for_area(a) if np.isfinite(a) else None)
    given = frame["shelter_class"].map(parse_class) if "shelter_class" in frame else pd.Series(None, index=frame.index, dtype=object)
    proposed = []
    for pos in range(n):
        g, d = given.iloc[pos], derived.iloc[pos]
        g = g if isinstance(g, str) else None
        d = d if isinstance(d, str) else None
        if g is not None and np.isfinite(area.iloc[pos]) and area.iloc[pos] >= rules.classes[g].min_effective_area_m2:
            proposed.append(g)
            continue
        if g is not None:
            notes[pos].append(f"proposed class {g} needs {rules.classes[g].min_effective_area_m2:,.0f} m²; class {d} used")
        proposed.append(d)
    minimum = targets.candidate_min_area_m2
    eligible = (area >= minimum) & np.array([not x for x in issues], dtype=bool)
    reason = np.where(area < minimum, f"usable area below {minimum:,.0f} m² ({targets.candidate_clause})", "")
    out = frame
    if "candidate_id" not in out:
        out["candidate_id"] = [f"cand-{i}" for i in range(n)]
    for col in ("name", "kind", "district", "source"):
        if col not in out:
            out[col] = ""
    out["usable_area_m2"] = area
    out["cost"] = cost.fillna(1.0)
    out["cost_given"] = cost.notna()
    out["shelter_class"] = proposed
    names = dict(zip(districts["adcode"].astype(str), districts["name"], strict=True))
    out["adcode"] = adcodes
    out["district_name"] = adcodes.map(names)
    out["issues"] = ["; ".join(x) for x in issues]
    out["notes"] = ["; ".join(x) for x in notes]
    out["valid"] = out["issues"] == ""
    out["eligible"] = eligible.to_numpy()
    out["reject_reason"] = [r or i for r, i in zip(reason, out["issues"], strict=True)]
    first = ["candidate_id", "name", "kind", "usable_area_m2", "cost", "shelter_class", "district", "adcode",
             "district_name", "eligible", "reject_reason", "issues", "notes", "valid"]
    out = out[[*first, *[c for c in out.columns if c not in first]]]
    if on_error == "raise" and not out["valid"].all():
        bad = out[~out["valid"]]
        lines = "\n".join(f"  row {i!r} ({r['name']!r}): {r['issues']}" for i, r in bad.head(10).iterrows())
        err = OutsideAreaError if all(s.startswith("location (") and ";" not in s for s in bad["issues"]) else SchemaError
        raise err(f"{name}: {len(bad)} of {n} row(s) fail validation:\n{lines}\nFix them, or pass on_error='flag' (--on-error flag)")
    return out


def read_candidates(
    source: str | Path | gpd.GeoDataFrame,
    *,
    crs: object = None,
    columns: Mapping[str, str] | None = None,
    layer: str | None = None,
    sheet: str | int | None = None,
    rules: RuleSet | None = None,
    targets: Targets | None = None,
    districts: gpd.GeoDataFrame | None = None,
    on_error: str = "raise",
) -> gpd.GeoDataFrame:
    """Read and validate candidate sites from any source :func:`zzgeo.io.read_vector` reads.

    Parameters are those of :func:`zzgeo.shelters.register.read_register` and
    :func:`validate_candidates`.
    """
    from zzgeo.io import read_vector

    columns = dict(columns or {})
    if isinstance(source, pd.DataFrame):
        frame, label = source, "candidates"
    else:
        label = str(source)
        x = next((k for k, v in columns.items() if v in ("lon", "x")), None)
        y = next((k for k, v in columns.items() if v in ("lat", "y")), None)
        frame = read_vector(source, layer=layer, crs=crs, x=x, y=y, sheet=sheet, name=label)
    columns = {k: v for k, v in columns.items() if v not in ("lon", "lat", "x", "y")}
    return validate_candidates(frame, columns=columns, rules=rules, targets=targets, districts=districts, on_error=on_error, name=label)
