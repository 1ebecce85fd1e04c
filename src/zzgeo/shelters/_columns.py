"""Column names of shelter and candidate tables: aliases, units, class and indoor/outdoor words.

Shared by :mod:`zzgeo.shelters.register` and :mod:`zzgeo.shelters.candidates`.
Headers are compared without case, spaces, ``_``/``-`` and bracketed units
(``有效面积(㎡)`` matches ``有效面积``); area headers naming 公顷 / ha / 万平方米 / 亩
are converted to m².
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from zzgeo.errors import SchemaError

__all__ = [
    "COLUMN_ALIASES",
    "parse_class",
    "parse_setting",
    "parse_columns_option",
    "standardize_columns",
]

#: canonical column -> accepted header names (compared without case, spaces and bracketed units).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "shelter_id": ("shelter_id", "id", "编号", "场所编号", "code"),
    "name": ("name", "shelter_name", "site_name", "名称", "场所名称", "避难场所名称", "应急避难场所名称"),
    "shelter_class": ("shelter_class", "class", "grade", "level", "类别", "等级", "级别", "场所类别", "场所等级", "避难场所类别"),
    "setting": ("setting", "indoor_outdoor", "indoor/outdoor", "室内/室外", "室内外", "室内室外", "场所性质", "场所类型"),
    "gross_area_m2": ("gross_area_m2", "gross_area", "site_area", "site_area_m2", "占地面积", "总面积", "场地面积", "用地面积"),
    "effective_area_m2": ("effective_area_m2", "effective_area", "usable_area", "usable_area_m2", "有效面积",
                          "可用面积", "有效避难面积", "有效利用面积", "可利用面积"),
    "capacity": ("capacity", "capacity_persons", "容纳人数", "可容纳人数", "避难人数", "容量"),
    "district": ("district", "county", "区县", "所属区县", "所在区县", "行政区", "区县(市)", "辖区"),
    "source": ("source", "来源", "数据来源"),
    "inside_3rd_ring": ("inside_3rd_ring", "三环内", "三环以内"),
}
_UNITS = (  # (pattern in the raw header, factor to m², label)
    (re.compile(r"万\s*(平方米|㎡|m2|m²)"), 10_000.0, "10^4 m²"),
    (re.compile(r"公顷|hectare|\bha\b"), 10_000.0, "ha"),
    (re.compile(r"亩"), 10_000.0 / 15.0, "mu"),
)
_BRACKETS = re.compile(r"[\(（\[【].*?[\)）\]】]")
_CLASS_WORDS = {
    "I": ("I", "Ⅰ", "1", "一", "ONE"), "II": ("II", "Ⅱ", "2", "二", "TWO"), "III": ("III", "Ⅲ", "3", "三", "THREE"),
}
_CLASS_LOOKUP = {w: c for c, words in _CLASS_WORDS.items() for w in words}
_SETTINGS = {
    "indoor": "indoor", "室内": "indoor", "in": "indoor", "室内场所": "indoor",
    "outdoor": "outdoor", "室外": "outdoor", "out": "outdoor", "室外场所": "outdoor", "露天": "outdoor",
    "mixed": "mixed", "室内外": "mixed", "室内+室外": "mixed", "室内/室外": "mixed", "both": "mixed",
}


def _key(header: object) -> str:
    return _BRACKETS.sub("", str(header)).strip().lower().replace(" ", "").replace("_", "").replace("-", "")


def parse_class(value: object) -> str | None:
    """Shelter class ``"I"``/``"II"``/``"III"`` of a register cell, or ``None`` if not recognised.

    Accepts Roman (``I``, ``Ⅱ``), Arabic (``3``, ``2.0``) and Chinese (``一类``,
    ``Ⅰ类``, ``二级``) forms and prefixes such as ``class``.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip().upper()
    for noise in ("CLASS", "TYPE", "类", "级", "等", "场所", " ", "_", "-"):
        text = text.replace(noise, "")
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    return _CLASS_LOOKUP.get(text)


def parse_setting(value: object) -> str | None:
    """``indoor``/``outdoor``/``mixed``, ``""`` for a missing cell, ``None`` if not recognised."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return ""
    return _SETTINGS.get(str(value).strip().lower().replace(" ", ""))


def parse_columns_option(text: str | None) -> dict[str, str]:
    """Parse ``--columns`` text ``"源列=name,有效=effective_area_m2"`` (or JSON) into a mapping."""
    if not text:
        return {}
    text = text.strip()
    if text.startswith("{"):
        import json

        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SchemaError(f"--columns: not valid JSON: {text!r} ({exc})") from exc
        return {str(k): str(v) for k, v in parsed.items()}
    out = {}
    for part in re.split(r"[,，;]", text):
        if not part.strip():
            continue
        if "=" not in part:
            raise SchemaError(f"--columns: expected SOURCE=TARGET pairs separated by commas, got {part!r}")
        src, dst = part.split("=", 1)
        out[src.strip()] = dst.strip()
    return out


def standardize_columns(
    frame: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    aliases: Mapping[str, tuple[str, ...]] | None = None,
    name: str = "register",
) -> tuple[pd.DataFrame, list[str]]:
    """Rename a register's columns to zzgeo's names and convert area units; returns (copy, notes).

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : mapping, optional
        Explicit ``{source header: zzgeo column}``; wins over the aliases of
        :data:`COLUMN_ALIASES`.

    Raises
    ------
    SchemaError
        A mapping names a header the table lacks or a target zzgeo does not
        know, or two headers end up as the same column.
    """
    columns = dict(columns or {})
    aliases = COLUMN_ALIASES if aliases is None else aliases
    known = set(aliases) | {"lon", "lat", "x", "y", "geometry"}
    for src, dst in columns.items():
        if src not in frame.columns:
            raise SchemaError(f"{name}: column mapping names {src!r}, which is not a column; columns: {list(frame.columns)!r}")
        if dst not in known:
            raise SchemaError(f"{name}: column mapping target {dst!r} is not one of {sorted(known)!r}")
    rename: dict[object, str] = dict(columns)
    lookup = {_key(alias): canon for canon, names in aliases.items() for alias in names}
    for col in frame.columns:
        if col in rename or col == "geometry":
            continue
        canon = lookup.get(_key(col))
        if canon and canon not in rename.values() and canon != col:
            rename[col] = canon
    targets = pd.Series(list(rename.values()))
    clash = targets[targets.duplicated()].tolist()
    if clash or any(t in frame.columns and t not in rename for t in rename.values()):
        dup = clash or [t for t in rename.values() if t in frame.columns and t not in rename]
        sources = [k for k, v in rename.items() if v in dup] + [t for t in dup if t in frame.columns]
        raise SchemaError(f"{name}: columns {sources!r} would all become {dup[0]!r}; map one of them explicitly with columns=")
    out = frame.rename(columns=rename)
    notes = []
    for src, dst in rename.items():
        if dst.endswith("_m2"):
            for pattern, factor, unit in _UNITS:
                if pattern.search(str(src).lower()):
                    out[dst] = pd.to_numeric(out[dst], errors="coerce") * factor
                    notes.append(f"{name}: column {src!r} read as {unit} and converted to m²")
                    break
    return out, notes


def _numeric(frame: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    """Numbers of *column* and a mask of cells that hold text that is not a number."""
    if column not in frame:
        nan = pd.Series(np.nan, index=frame.index, dtype="float64")
        return nan, pd.Series(False, index=frame.index)
    raw = frame[column]
    cleaned = raw.map(lambda v: str(v).replace(",", "").replace("，", "").strip() if isinstance(v, str) else v)
    nums = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    nums[~np.isfinite(nums)] = np.nan
    bad = nums.isna() & raw.notna() & (raw.astype("string").str.strip() != "")
    return nums, bad.fillna(False).astype(bool)
