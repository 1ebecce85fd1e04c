"""Per-row problems of a frame: collected as (rows, message) pairs, joined once, raised as one line.

Analyses and the register loader add problems as they find them; nothing
builds an n-length mask or string per check. At the end a frame either gets an
``issues``/``error`` column (``on_error="flag"``) or one error naming every bad
row (``on_error="raise"``): the first few with their messages, then a count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from zzgeo.errors import SchemaError, UnknownCodeError, ZzgeoError
from zzgeo.i18n import _

__all__ = ["ON_ERROR", "ROW_NAMES", "RowNames", "row_names_of", "RowProblems", "check_on_error", "objects", "plain", "row_label"]

#: Accepted values of every ``on_error`` argument.
ON_ERROR = ("raise", "flag")
_SHOWN = 5


def objects(value: object, n: int) -> np.ndarray:
    """An object array of *n* references to *value* (``fill`` is 4x faster than ``np.full`` with dtype=object)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def check_on_error(on_error: str) -> str:
    """Return *on_error* or raise naming the allowed values."""
    if on_error not in ON_ERROR:
        raise UnknownCodeError(_("on_error={value!r}; use 'raise' (stop and name the bad rows) "
                                 "or 'flag' (keep them with an issues column)").format(value=on_error))
    return on_error


def plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (so messages never show ``np.int64(0)``)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def row_label(value: object) -> str:
    """How a row is named in messages: ``'D01'`` for text ids, ``row 3`` for positions/integers."""
    value = plain(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _("row {n}").format(n=value)


#: How rows without an id of their own are named: by CSV/Excel line (the header is line 1), by feature
#: number (1-based, in the file's order, as QGIS numbers GeoPackage features), or by index label (frames).
ROW_NAMES = ("line", "feature", "index")


def row_names_of(source: object) -> str:
    """How rows of *source* are named: ``"line"`` for CSV/Excel, ``"feature"`` for vector files and PostGIS, else ``"index"``."""
    from pathlib import PurePath

    if isinstance(source, (str, PurePath)):
        suffix = PurePath(str(source)).suffix.lower()
        return "line" if suffix in (".csv", ".txt", ".xlsx", ".xls", ".xlsm") else "feature"
    return "index"


class RowNames:
    """How messages name the row at a position: by its id, else by :data:`ROW_NAMES` *kind*.

    Parameters
    ----------
    index : pandas.Index
        The frame's index (for ``kind="index"``).
    kind : {"line", "feature", "index"}
    ids, names : sequence, optional
        The row ids (``'S-01'``) and names (``'人民公园'``, shown after a line or feature number).
    first : int
        The line or feature number of the row at position 0 (a partition of a
        register passes its own): 2 for lines (header = line 1), 1 for features.
    """

    def __init__(self, index: pd.Index, kind: str = "index", *, ids: Sequence[object] | None = None,
                 names: Sequence[object] | None = None, first: int | None = None) -> None:
        if kind not in ROW_NAMES:
            raise UnknownCodeError(_("row names {kind!r}; use one of {kinds}").format(kind=kind, kinds=ROW_NAMES))
        self.index, self.kind = index, kind
        self.ids = None if ids is None else np.asarray(ids, dtype=object)
        self._repeated = None  # positions whose id repeats: an id that names two rows names neither
        self.names = None if names is None else np.asarray(names, dtype=object)
        self.first = first if first is not None else {"line": 2, "feature": 1, "index": 0}[kind]

    def place(self, pos: int) -> str:
        """``line 5``, ``feature 4`` or ``row 'a'``: where the row is, whatever its id."""
        if self.kind == "line":
            return _("line {n}").format(n=pos + self.first)
        if self.kind == "feature":
            return _("feature {n}").format(n=pos + self.first)
        return _("row {label!r}").format(label=plain(self.index[pos]))

    def id(self, pos: int) -> object | None:
        """The row's own id, or None."""
        if self.ids is None:
            return None
        value = plain(self.ids[pos])
        return None if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "" else value

    def _repeats(self, pos: int) -> bool:
        if self._repeated is None:
            keys = pd.Series(self.ids).map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())
            self._repeated = (keys.duplicated(keep=False) & keys.notna() & (keys != "")).to_numpy()
        return bool(self._repeated[pos])

    def __call__(self, pos: int) -> str:
        """``'S-01'`` (its id), ``line 5 ('人民公园')``, or ``line 7 (id 'S-01')`` when the id names two rows."""
        own = self.id(pos)
        if own is not None:
            return _("{place} (id {id!r})").format(place=self.place(pos), id=str(own)) if self._repeats(pos) else repr(str(own))
        head = self.place(pos)
        if self.names is not None:
            name = plain(self.names[pos])
            if name is not None and not (isinstance(name, float) and np.isnan(name)) and str(name).strip():
                head += f" ({str(name)!r})"
        return head


class RowProblems:
    """Problems of the rows of one frame.

    Parameters
    ----------
    n : int
        Number of rows.

    Notes
    -----
    :meth:`add` takes a boolean mask or an array of positions and either one
    message for all of them or a function giving one message per position.
    Messages of a row keep the order in which they were added.
    """

    def __init__(self, n: int) -> None:
        self.n = int(n)
        self._positions: list[np.ndarray] = []
        self._messages: list[np.ndarray] = []
        self.kinds: list[type[ZzgeoError]] = []

    def add(
        self,
        rows: np.ndarray | pd.Series | Sequence[int],
        message: str | Sequence[str] | Callable[[np.ndarray], Sequence[str]],
        *,
        kind: type[ZzgeoError] = SchemaError,
    ) -> int:
        """Record *message* for *rows*; return how many rows it concerns.

        Parameters
        ----------
        rows : boolean mask or integer positions
        message : str, sequence of str or callable
            One message for all rows, one per position, or ``f(positions) -> one message per position``.
        kind : type of ZzgeoError
            The error type :meth:`raise_if_any` uses when this is the only kind of problem.
        """
        arr = np.asarray(rows)
        positions = np.flatnonzero(arr) if arr.dtype == bool else arr.astype(np.int64, copy=False).ravel()
        if len(positions) == 0:
            return 0
        if callable(message):
            message = message(positions)
        texts = np.empty(len(positions), dtype=object)
        texts[:] = [message] * len(positions) if isinstance(message, str) else list(message)
        self._positions.append(positions)
        self._messages.append(texts)
        self.kinds.append(kind)
        return len(positions)

    def __bool__(self) -> bool:
        return bool(self._positions)

    def bad(self) -> np.ndarray:
        """Boolean mask of the rows with at least one problem."""
        mask = np.zeros(self.n, dtype=bool)
        for positions in self._positions:
            mask[positions] = True
        return mask

    def joined(self, sep: str = "; ") -> np.ndarray:
        """One string per row: its messages joined by *sep* (``""`` for clean rows).

        Vectorised in rounds: the k-th message of every row is appended in one
        numpy operation, so the cost grows with the number of messages, not rows.
        """
        out = objects("", self.n)
        if not self._positions:
            return out
        positions = np.concatenate(self._positions)
        messages = np.concatenate(self._messages)
        order = np.argsort(positions, kind="stable")
        positions, messages = positions[order], messages[order]
        starts = np.r_[True, positions[1:] != positions[:-1]]
        group_start = np.maximum.accumulate(np.where(starts, np.arange(len(positions)), 0))
        rank = np.arange(len(positions)) - group_start
        first = rank == 0
        out[positions[first]] = messages[first]
        for k in range(1, int(rank.max()) + 1):
            at = rank == k
            out[positions[at]] = out[positions[at]] + sep + messages[at]
        return out

    def error_type(self) -> type[ZzgeoError]:
        """The one kind of problem found, or :class:`SchemaError` when there are several."""
        kinds = set(self.kinds)
        return kinds.pop() if len(kinds) == 1 else SchemaError

    def message(self, labels: Sequence[object] | Callable[[int], str], *, what: str, name: str, hint: str = "") -> str:
        """One line naming the bad rows: ``name: k of n what: 'a': msg; row 3: msg; ... and 7 more``.

        *labels* gives each row's label by position (see :func:`row_label`), or is
        a function ``position -> display text``.
        """
        joined = self.joined()
        bad = np.flatnonzero(joined != "")
        name_of = labels if callable(labels) else (lambda i: row_label(labels[i]))
        shown = "; ".join(f"{name_of(int(i))}: {joined[i]}" for i in bad[:_SHOWN])
        more = _("; ... and {n} more").format(n=len(bad) - _SHOWN) if len(bad) > _SHOWN else ""
        tail = _(". {hint}").format(hint=hint) if hint else ""
        return _("{name}: {n} of {total} {what}: {shown}").format(name=name, n=len(bad), total=self.n, what=what, shown=shown) + more + tail

    def raise_if_any(self, labels: Sequence[object] | Callable[[int], str], *, what: str, name: str, hint: str = "") -> None:
        """Raise one error naming every bad row (see :meth:`message`) when there is any."""
        if self:
            raise self.error_type()(self.message(labels, what=what, name=name, hint=hint))
