"""Reading cells: numbers (``"1,234"``), yes/no (是/否), dates (``2023年5月1日``) (see :mod:`zzgeo.registers`)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from zzgeo._problems import plain
from zzgeo.i18n import _
from zzgeo.registers.schema import empty_cells, is_empty, nfkc

__all__ = ["map_unique", "numbers", "number_hint", "texts", "bools", "dates"]

#: Thousands separators in groups of three: 1,234 and 12,345,678.5 (a comma anywhere else is not a number).
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")

_TRUE = frozenset({"1", "true", "t", "yes", "y", "是", "有", "已", "√", "✓", "对"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "否", "无", "未", "×", "x", "不"})


def map_unique(values: pd.Series, fn) -> pd.Series:
    """``values.map(fn)`` computed once per distinct value (registers repeat their words a lot)."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(u) for u in uniques]
    mapped[-1] = fn(None)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _number_text(value: object) -> object:
    """A cell as text pandas can read: ``"1,234"`` -> ``"1234"``; ``"30,5"`` (a decimal comma?) stays unreadable."""
    if not isinstance(value, str):
        return value
    text = nfkc(value).replace(" ", "")
    if "," in text:
        return text.replace(",", "") if _GROUPED.match(text) else "?"
    return text


def numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers of a column and a mask of cells that are not finite numbers.

    ``"1,234"`` and ``"１２３"`` read 1234 and 123; ``"30,5"`` is not a number (a
    decimal comma, or a typo: zzgeo does not guess), nor are ``inf``, ``nan``
    or text. Empty cells are NaN and not flagged. Cells pandas reads as numbers
    at once are not looked at one by one (the common case: a column of numbers).
    """
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        nums = raw.to_numpy(dtype="float64", na_value=np.nan)  # on arrays: a few Series operations cost more at 10^5 rows
        finite = np.isfinite(nums)
        return (pd.Series(np.where(finite, nums, np.nan), index=raw.index, name=raw.name),
                pd.Series(~finite & ~np.isnan(nums), index=raw.index, name=raw.name))
    objects = raw.astype(object)
    booleans = objects.map(type).isin((bool, np.bool_)).to_numpy()  # True in a number column is not 1
    fast = pd.to_numeric(objects.where(~booleans, None), errors="coerce").astype("float64")
    filled = ~empty_cells(raw)
    slow = filled & fast.isna().to_numpy() & ~booleans  # "1,234", full-width digits, text
    if slow.any():
        fast[slow] = pd.to_numeric(map_unique(objects[slow], _number_text), errors="coerce").astype("float64").to_numpy()
    nums = fast.where(np.isfinite(fast))
    return nums, pd.Series(nums.isna().to_numpy() & filled, index=raw.index)


def texts(raw: pd.Series) -> pd.Series:
    """Text cells stripped, empty cells ``None`` (object); numbers and dates as their text (vectorised for text)."""
    empty = empty_cells(raw)
    if raw.dtype != object and pd.api.types.is_string_dtype(raw):  # a string dtype (pyarrow): stripped in C
        stripped = raw.str.strip().to_numpy(dtype=object, na_value=None).copy()
        stripped[empty] = None
        return pd.Series(stripped, index=raw.index, dtype=object)
    out = np.full(len(raw), None, dtype=object)
    if not empty.all():
        cells = raw[~empty].astype(object)
        is_text = cells.map(type).to_numpy() == str
        where = np.flatnonzero(~empty)
        if is_text.any():
            out[where[is_text]] = cells[is_text].str.strip().to_numpy(dtype=object)
        if (~is_text).any():
            out[where[~is_text]] = [str(plain(v)).strip() for v in cells[~is_text]]
    return pd.Series(out, index=raw.index, dtype=object)


def number_hint(cell: object) -> str:
    """What to say about a cell that is not a number (a decimal comma, a unit written in the cell)."""
    text = nfkc(cell) if isinstance(cell, str) else ""
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        return " " + _("(a decimal comma? write 30.5; thousands are grouped by three: 1,234)")
    if re.fullmatch(r"[+-]?[\d.,]+\s*\D+", text):
        return " " + _("(write the unit in the header, e.g. 有效面积(公顷), and numbers alone in the cells)")
    return ""


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


