"""The state the valuation stages share: the checked parcels, per-row arrays, grades and keys as codes.

Per-row text (grades, table/use/right and their Chinese names, districts) is
held as small integer codes into short tables until the output is built
(:mod:`._output`), so no stage makes or compares a million strings.

Examples
--------
A grade per row: 0 for none, a whole grade, or -1 for a parcel across zones
(its shares kept as text):

>>> import numpy as np
>>> grades = GradeCodes.empty(3)
>>> grades.code[:] = [2, 0, -1]
>>> grades.shares[2] = "1:50%, 2:50%"
>>> grades.texts().tolist()
['2', '', '1:50%, 2:50%']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from zzgeo._problems import RowProblems
    from zzgeo.registers import CheckContext

__all__ = ["FLOAT_COLUMNS", "GradeCodes", "Job", "KeyTexts"]

#: Per-row numbers the grade stage fills group by group (NaN until it does); the step inputs are made whole.
FLOAT_COLUMNS = ("benchmark", "cover")


@dataclass
class GradeCodes:
    """The grade of every row: ``code`` 0 (none), a whole grade, or -1 (across zones, text in ``shares``).

    Attributes
    ----------
    code : numpy.ndarray of int16
    given : numpy.ndarray of bool
        The row's own grade (a ``grade`` column) was used instead of the map's.
    shares : dict of int to str
        Row -> ``"1:50%, 2:50%"`` for rows with code -1.
    """

    code: np.ndarray
    given: np.ndarray
    shares: dict[int, str] = field(default_factory=dict)

    @classmethod
    def empty(cls, n: int) -> GradeCodes:
        """*n* rows without a grade."""
        return cls(np.zeros(n, dtype=np.int16), np.zeros(n, dtype=bool))

    def texts(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The grades of *rows* (default all) as the output writes them: ``"2"``, ``""``, ``"1:50%, 2:50%"``."""
        code = self.code if rows is None else self.code[rows]
        labels = np.array(["", *(str(g) for g in range(1, max(int(code.max(initial=0)), 6) + 1))], dtype=object)
        out = labels[np.maximum(code, 0)]
        for i in np.flatnonzero(code < 0):
            out[i] = self.shares[int(i if rows is None else rows[i])]
        return out


@dataclass
class KeyTexts:
    """Every row's (table, use, right) key and, per key, the texts the output shows for it.

    Attributes
    ----------
    of_row : numpy.ndarray of int
        The key of every row (an index into the per-key arrays).
    table, use, right, use_zh, price_form : numpy.ndarray of object
        Per key: the table, use and right valued (as given where the key could not
        be valued), the use's Chinese name and its price form (``""`` where not valued).
    """

    of_row: np.ndarray
    table: np.ndarray
    use: np.ndarray
    right: np.ndarray
    use_zh: np.ndarray
    price_form: np.ndarray

    def per_row(self, values: dict[int, object], *, fill: object = np.nan, dtype: object = float) -> np.ndarray:
        """A per-row array from one value per key (``{key: value}``); rows of other keys get *fill*."""
        per_key = np.full(len(self.table), fill, dtype=dtype)
        for key, value in values.items():
            per_key[key] = value
        return per_key[self.of_row]

    def column(self, name: str) -> np.ndarray:
        """One text per row for *name* (``"table"``, ``"use_zh"``, ...): a take from the short per-key array,
        or a fill when every key has the same text (a third of the cost of a take)."""
        per_key = getattr(self, name)
        if len(per_key) and all(isinstance(v, str) and v == per_key[0] for v in per_key):
            out = np.empty(len(self.of_row), dtype=object)
            out.fill(per_key[0])
            return out
        return per_key[self.of_row]


@dataclass
class Job:
    """The checked parcels (the loader's context), per-row arrays and problems, shared by the stages."""

    ctx: CheckContext
    geoms: np.ndarray
    types: np.ndarray
    xy: tuple[np.ndarray, np.ndarray] | None
    label: Callable[[int], str]
    cols: dict[str, np.ndarray] = field(default_factory=dict)
    grades: GradeCodes | None = None
    keys: KeyTexts | None = None
    _floats: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.geoms)

    @property
    def errors(self) -> RowProblems:
        return self.ctx.issues

    @property
    def warnings(self) -> RowProblems:
        return self.ctx.notes

    def has(self, name: str) -> bool:
        return self.ctx.has(name)

    def forget(self, columns: tuple[str, ...]) -> None:
        """Drop the parsed values (and codes) of input *columns* that no later stage reads, so that their
        memory is reused by the arrays made next instead of new memory (:meth:`has` is False for them after)."""
        for name in columns:
            self._floats.pop(name, None)
            self.ctx.values.pop(name, None)
            self.ctx.codes.pop(name, None)

    def spare(self) -> list[np.ndarray]:
        """Float arrays of one value per row that no stage reads after the grades (the grades' cover, the
        loader's coordinates of point parcels): the output's last columns are computed into them instead of
        new arrays (each new array of 10^5+ rows costs its page faults when the allocator gave memory back)."""
        arrays = [self.cols.pop("cover"), *(self.xy or ())]
        return [a for a in arrays if a.dtype == np.float64 and a.shape == (self.n,) and a.flags.writeable and a.flags.owndata]

    def column(self, name: str) -> np.ndarray:
        """A parsed input column as floats (NaN where empty or absent); read once, read-only (copy to change it)."""
        if name not in self._floats:
            values = self.ctx.values[name].to_numpy(dtype=float).view() if self.has(name) else np.full(self.n, np.nan)
            values.flags.writeable = False
            self._floats[name] = values
        return self._floats[name]
