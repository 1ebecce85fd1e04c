"""Reading cells: numbers (``"1,234"``), yes/no (是/否), dates (``2023年5月1日``) (see :mod:`zzgeo.registers`)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from zzgeo.registers.schema import empty_cells, is_empty, nfkc

__all__ = ["map_unique", "numbers", "bools", "dates"]

_TRUE = frozenset({"1", "true", "t", "yes", "y", "是", "有", "已", "√", "✓", "对"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "否", "无", "未", "×", "x", "不"})


def map_unique(values: pd.Series, fn) -> pd.Series:
    """``values.map(fn)`` computed once per distinct value (registers repeat their words a lot)."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(u) for u in uniques]
    mapped[-1] = fn(None)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers of a column and a mask of cells holding text that is not a number (``"1,234"`` reads 1234)."""
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        nums = raw.astype("float64")
        nums = nums.where(np.isfinite(nums))
        return nums, pd.Series(False, index=raw.index)
    text = map_unique(raw, lambda v: nfkc(v).replace(",", "").replace("，", "") if isinstance(v, str) else v)
    nums = pd.to_numeric(text, errors="coerce").astype("float64")
    nums = nums.where(np.isfinite(nums))
    filled = ~empty_cells(raw)
    return nums, (nums.isna() & filled)


def bools(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    def one(v: object) -> object:
        if is_empty(v):
            return None
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        key = nfkc(v).casefold()
        key = key[:-2] if key.endswith(".0") else key
        return True if key in _TRUE else False if key in _FALSE else "?"

    parsed = map_unique(raw, one)
    bad = parsed.map(lambda v: isinstance(v, str) and v == "?").astype(bool)
    return parsed.where(~bad, None).astype(object), bad


def dates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    def one(v: object) -> object:
        if is_empty(v):
            return pd.NaT
        if isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year"):
            return pd.Timestamp(v)
        text = nfkc(v)
        text = re.sub(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?", r"\1-\2-\3", text)
        text = re.sub(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})$", r"\1-\2-\3", text)
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if not match:
            return "?"
        try:
            return pd.Timestamp(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return "?"

    parsed = map_unique(raw, one)
    bad = parsed.map(lambda v: isinstance(v, str)).astype(bool)
    return pd.to_datetime(parsed.where(~bad, pd.NaT)), bad


