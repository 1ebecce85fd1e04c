"""Row checks of the common loader: parsing, pandera checks, geometry, location (see :mod:`zzgeo.registers`)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zzgeo._problems import RowProblems, plain
from zzgeo.errors import GeometryError, OutsideAreaError, SchemaError, UnknownCodeError
from zzgeo.i18n import N_, _, language
from zzgeo.registers.schema import (
    GEOMETRY_KINDS,
    RANGE_TEXT,
    ColumnSpec,
    RegisterSchema,
    bound_text,
    empty_cells,
    is_empty,
    nfkc,
)
from zzgeo.registers.values import bools, dates, number_hint, numbers, texts

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "CheckContext",
    "LocationFlags",
    "default_boundary_m",
    "district_name_check",
    "duplicate_checks",
    "empty_notes",
    "geometry_checks",
    "locate",
    "location_check",
    "pandera_checks",
    "parse_values",
    "plausibility_notes",
]


@dataclass
class LocationFlags:
    """What the location checks of one layer of units found, row by row (see :func:`location_check`).

    Attributes
    ----------
    what : str
        How the units are called in messages: ``"district"``, or e.g. ``"街道"``.
    disagrees : numpy.ndarray of bool
        Rows whose register column names another unit than the one their location is in.
    distance_m : numpy.ndarray of float
        Distance (m, EPSG:4547) of a located point to the boundary of its unit where it is
        below *boundary_m*; NaN elsewhere (far from a boundary, not a point, not located).
    boundary_m : float
        The threshold used (0: no proximity check).

    Examples
    --------
    A theme's own check marks the rows it notes as disagreeing, so that they
    carry ``location_check`` and are counted (here every row, for the example):

    >>> import numpy as np
    >>> import pandas as pd
    >>> from zzgeo.registers import validate_register
    >>> def mine(ctx):
    ...     ctx.location_flags("district").disagrees |= np.ones(len(ctx.frame), dtype=bool)
    >>> frame = pd.DataFrame({"名称": ["公园甲"], "类别": ["II"], "有效面积": [12000], "lon": [113.7302], "lat": [34.8117]})
    >>> validate_register(frame, "shelters/register.toml", crs="wgs84", checks=[mine])["location_check"].tolist()
    ['district disagrees']
    """

    what: str
    disagrees: np.ndarray
    distance_m: np.ndarray
    boundary_m: float


@dataclass
class CheckContext:
    """What a theme's extra checks see and write to.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame or pandas.DataFrame
        The register in WGS-84 with the schema's column names (raw cells).
    values : dict of str to pandas.Series
        Parsed values of every schema column present (numbers as float, categories canonical).
    issues, notes : RowProblems
        Errors (the row is unusable) and warnings (it is not).
    schema : RegisterSchema
    name : str
        How the register is named in messages.
    label : callable
        ``label(position) -> str``: how messages name a row (its id, else its
        CSV/Excel line, else its index label).
    duplicates : numpy.ndarray of bool
        Rows found to repeat an earlier row (set by :func:`duplicate_checks`).
    adcodes : pandas.Series
        adcode of every row's district (NaN outside Zhengzhou), set by :func:`locate`.
    district_rows : numpy.ndarray of int
        Position of every row's district in the districts layer, -1 outside
        (set by :func:`locate`; index :attr:`district_table` with it).
    district_table : (numpy.ndarray, numpy.ndarray)
        adcodes and names of the districts layer, each with NaN appended for
        "outside", so ``district_table[0][district_rows]`` are the adcodes.

    Examples
    --------
    A theme's own check sees the parsed values and adds a note (or an issue)
    to some rows: here every shelter under 5,000 m² (0.35 公顷 = 3,500 m²).

    >>> import pandas as pd
    >>> from zzgeo.registers import validate_register
    >>> def small(ctx):
    ...     area = ctx.value("effective_area_m2")
    ...     ctx.notes.add((area < 5000).to_numpy(), "below 5,000 m²: at most a class III shelter")
    >>> frame = pd.DataFrame({"名称": ["公园甲", "广场乙"], "类别": ["II", "III"], "有效面积(公顷)": [1.2, 0.35],
    ...                       "lon": [113.7302, 113.5826], "lat": [34.8117, 34.6850]})
    >>> checked = validate_register(frame, "shelters/register.toml", crs="wgs84", checks=[small])
    >>> checked["notes"].tolist()
    ['', 'below 5,000 m²: at most a class III shelter']
    """

    frame: Any
    values: dict[str, pd.Series]
    issues: RowProblems
    notes: RowProblems
    schema: RegisterSchema
    name: str
    parse_failed: dict[str, np.ndarray] = field(default_factory=dict)
    adcodes: pd.Series | None = None
    district_rows: np.ndarray | None = None
    district_table: tuple[np.ndarray, np.ndarray] | None = None
    _district_names: Any = None
    _metric: Any = None
    _reps: Any = None
    file_notes: list[str] = field(default_factory=list)
    codes: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    _xy: Any = None
    _facts: Any = None
    label: Any = repr
    id_column: str | None = None
    conversions: dict[str, Any] = field(default_factory=dict)
    duplicates: np.ndarray | None = None
    district_layer: Any = None
    boundary_m: float | None = None
    locations: dict[str, LocationFlags] = field(default_factory=dict)

    def location_flags(self, what: str = "district", *, boundary_m: float | None = None) -> LocationFlags:
        """The :class:`LocationFlags` of the units called *what*, made empty on first use.

        A theme's own check that compares a register column with the location
        (as ``children``' unit check) marks the rows it notes with
        ``ctx.location_flags().disagrees |= wrong``, so that the rows carry the
        marker and are counted like those of :func:`location_check`.
        """
        if what not in self.locations:
            n = len(self.frame)
            self.locations[what] = LocationFlags(what, np.zeros(n, dtype=bool), np.full(n, np.nan),
                                                 float(boundary_m if boundary_m is not None else 0.0))
        elif boundary_m is not None:
            self.locations[what].boundary_m = float(boundary_m)
        return self.locations[what]

    def value(self, column: str) -> pd.Series:
        """Parsed values of *column* (all-NaN when the register lacks it)."""
        if column in self.values:
            return self.values[column]
        return pd.Series(np.nan, index=self.frame.index, dtype="float64")

    @property
    def district_names(self) -> pd.Series | None:
        """District name of every row (NaN outside), as the districts layer spells it; made on first use."""
        if self._district_names is None and self.adcodes is not None:
            adcodes, names = self.district_table
            self._district_names = self.adcodes.map(dict(zip(adcodes[:-1], names[:-1], strict=True)))
        return self._district_names

    def has(self, column: str) -> bool:
        """Whether the register has *column*."""
        return column in self.values

    def cell(self, column: str, pos: int) -> object:
        """The raw cell of *column* at position *pos* (plain Python value)."""
        return plain(self.frame[column].iloc[pos]) if column in self.frame else None

    def geometry_facts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Geometries, a mask of missing/empty ones and their shapely type ids (computed once)."""
        if self._facts is None:
            import shapely

            geoms = np.asarray(self.frame.geometry.values)
            types = np.asarray(shapely.get_type_id(geoms))  # -1 for missing
            empty = (types < 0) | shapely.is_empty(geoms)
            self._facts = (geoms, empty, types)
        return self._facts

    def representative_points(self) -> Any:
        """A point per row (the point itself, or a representative point), WGS-84; missing rows stay missing."""
        if self._reps is None:
            import shapely

            geoms, empty, types = self.geometry_facts()
            not_point = ~empty & (types != 0)
            reps = geoms
            if not_point.any():
                reps = geoms.copy()
                reps[not_point] = shapely.point_on_surface(geoms[not_point])
            self._reps = reps
        return self._reps

    def xy(self) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates of the representative points (NaN where the geometry is missing)."""
        if self._xy is None:
            import shapely

            reps = self.representative_points()
            _geoms, empty, _types = self.geometry_facts()
            if not empty.any():
                self._xy = (shapely.get_x(reps), shapely.get_y(reps))
            else:
                x, y = np.full(len(reps), np.nan), np.full(len(reps), np.nan)
                x[~empty], y[~empty] = shapely.get_x(reps[~empty]), shapely.get_y(reps[~empty])
                self._xy = (x, y)
        return self._xy

    def metric_points(self) -> np.ndarray:
        """Representative points in EPSG:4547 (metres)."""
        if self._metric is None:
            import shapely

            from zzgeo.crs import METRIC_CRS, STORAGE_CRS, transformer

            tr = transformer(STORAGE_CRS, METRIC_CRS)
            reps = self.representative_points()
            self._metric = shapely.transform(reps, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
        return self._metric


def parse_values(ctx: CheckContext) -> None:
    not_number, not_whole = _("{column} is not a number: {value!r}{hint}"), _("{column} must be a whole number, got {value!r}")
    not_bool, not_date = _("{column} is not yes/no (是/否, 1/0): {value!r}"), _("{column} is not a date (YYYY-MM-DD): {value!r}")
    for name, spec in ctx.schema.columns.items():
        if name not in ctx.frame.columns:
            continue
        raw = ctx.frame[name]
        if spec.type in ("number", "integer"):
            values, bad = numbers(raw)
            ctx.issues.add(bad.to_numpy(), lambda p, n=name: [
                not_number.format(column=n, value=ctx.cell(n, i), hint=number_hint(ctx.cell(n, i))) for i in p])
            if spec.type == "integer":
                frac = values.notna() & (values % 1 != 0)
                ctx.issues.add(frac.to_numpy(), lambda p, n=name, v=values: [
                    not_whole.format(column=n, value=float(v.iloc[i])) for i in p])
        elif spec.type == "bool":
            values, bad = bools(raw)
            ctx.issues.add(bad.to_numpy(), lambda p, n=name: [
                not_bool.format(column=n, value=ctx.cell(n, i)) for i in p])
        elif spec.type == "date":
            values, bad = dates(raw)
            ctx.issues.add(bad.to_numpy(), lambda p, n=name: [
                not_date.format(column=n, value=ctx.cell(n, i)) for i in p])
        elif spec.type == "category":
            codes, written, parsed = ctx.schema.vocabulary(name).parse_codes(raw)
            ctx.codes[name] = (codes, written, parsed)
            values, bad = pd.Series(parsed[codes], index=raw.index, dtype=object), pd.Series(False, index=raw.index)
        else:
            values = texts(raw)
            bad = pd.Series(False, index=raw.index)
        ctx.values[name] = values
        ctx.parse_failed[name] = bad.to_numpy(dtype=bool)


@functools.lru_cache(maxsize=64)
def _pandera_schema(schema: RegisterSchema, present: tuple[str, ...]):
    import pandera.pandas as pa

    columns = {}
    for name in present:
        spec = schema.columns[name]
        checks = [getattr(pa.Check, op)(value, error=f"{op}:{bound_text(value)}") for op, value in spec.ranges()]
        if spec.type == "category":
            checks.append(pa.Check.isin(schema.vocabulary(name).values, error="vocabulary"))
        columns[name] = pa.Column(None, checks=checks, nullable=spec.nullable, required=False)
    return pa.DataFrameSchema(columns, name=schema.id)


def _range_message(spec: ColumnSpec, check: str, value: object) -> str:
    op, _sep, bound = check.partition(":")
    unit = f" {spec.unit_label}" if spec.unit_label and spec.quantity not in ("ratio", "count", "calendar_year") else ""
    why = " " + _("({why})").format(why=spec.why) if spec.why else ""
    shown = bound_text(value) if isinstance(value, pd.Timestamp) else repr(value)
    if bound in ("0", "0.0") and op in ("gt", "ge"):  # the reason of a range is its upper end's
        if op == "gt":
            return _("{column} must be positive, got {value}").format(column=spec.name, value=shown)
        return _("{column} must not be negative, got {value}").format(column=spec.name, value=shown)
    return _("{column} must be {op} {bound}{unit}, got {value}{why}").format(
        column=spec.name, op=RANGE_TEXT[op], bound=bound, unit=unit, value=shown, why=why)


def _checked_column(ctx: CheckContext, name: str) -> pd.Series:
    """The column pandera sees: parsed values; unknown vocabulary words as the user wrote them (categorical)."""
    if ctx.schema.columns[name].type != "category":
        return pd.Series(ctx.values[name].to_numpy(), name=name)
    codes, written, parsed = ctx.codes[name]
    shown = [p if p is not None else (None if is_empty(w) else str(w)) for w, p in zip(written, parsed)]
    categories = sorted({v for v in shown if v is not None})
    position = {v: i for i, v in enumerate(categories)}
    which = np.array([-1 if v is None else position[v] for v in shown], dtype=np.int64)  # -1: empty
    return pd.Series(pd.Categorical.from_codes(which[codes], categories=categories), name=name)


#: The range checks of :func:`_pandera_schema` on arrays (NaN compares False, as pandera leaves nulls out).
_RANGE_OPS = {"gt": np.greater, "ge": np.greater_equal, "lt": np.less, "le": np.less_equal}


def _passes(ctx: CheckContext, name: str) -> bool:
    """Whether pandera surely finds nothing in column *name*: decided on the parsed arrays for numbers and
    categories (values inside the ranges, no empty cell where none is allowed, no unknown word); False for
    any other column that has a check, so that pandera runs and words its failures."""
    spec = ctx.schema.columns[name]
    if spec.type in ("number", "integer"):
        values = ctx.values[name].to_numpy(dtype=float)
        empty = np.isnan(values)
        if not spec.nullable and empty.any():
            return False
        return all((_RANGE_OPS[op](values, bound) | empty).all() for op, bound in spec.ranges())
    if spec.type == "category" and not spec.ranges():
        codes, written, parsed = ctx.codes[name]
        blank = np.array([p is None and is_empty(w) for w, p in zip(written, parsed)], dtype=bool)
        unknown = np.array([p is None for p in parsed], dtype=bool) & ~blank
        # every distinct cell but the last (which stands for empty cells) occurs in the column
        return not unknown[:-1].any() and (spec.nullable or not blank[codes].any())
    return spec.nullable and not spec.ranges()


def pandera_checks(ctx: CheckContext) -> None:
    """Ranges, vocabularies, empties and uniqueness of every schema column present, by pandera (lazy).

    Columns that surely pass (:func:`_passes`: the common case of a clean register) are not handed
    to pandera: setting up its validation costs more than the checks themselves.
    """
    import pandera.errors

    present = tuple(n for n in ctx.schema.columns if n in ctx.values and not _passes(ctx, n))
    if not present:
        return
    table = pd.concat([_checked_column(ctx, n) for n in present], axis=1)
    try:
        _pandera_schema(ctx.schema, present).validate(table, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        _record_failures(ctx, exc.failure_cases)


def _record_failures(ctx: CheckContext, cases: pd.DataFrame) -> None:
    cases = cases.dropna(subset=["index"])
    for (column, check), group in cases.groupby(["column", "check"], sort=False):
        positions = group["index"].to_numpy(dtype=np.int64)
        keep = ~ctx.parse_failed.get(column, np.zeros(ctx.issues.n, dtype=bool))[positions]
        positions, failing = positions[keep], group["failure_case"].to_numpy(dtype=object)[keep]
        values = [plain(v) for v in failing]
        kind = UnknownCodeError if check == "vocabulary" else SchemaError
        if check == "not_nullable":
            texts = [_("{column} missing").format(column=column)] * len(positions)
        elif check == "vocabulary":
            vocab = ctx.schema.vocabulary(column)
            unknown = _("unknown {what} {value!r} (use {hint})")
            texts = [unknown.format(what=vocab.what, value=v, hint=vocab.hint) for v in values]
        else:
            texts = [_range_message(ctx.schema.columns[column], check, v) for v in values]
        ctx.issues.add(positions, texts, kind=kind)


def _number_text(value: float) -> str:
    return f"{value:,.6g}" if abs(value) < 1e15 else f"{value:.6g}"


def plausibility_notes(ctx: CheckContext) -> None:
    """A note on every value inside the hard range but outside the schema's plausible range (``plausible = [lo, hi]``)."""
    for name, spec in ctx.schema.columns.items():
        low, high = spec.plausible
        if name not in ctx.values or (low is None and high is None and not spec.plausible_cases) or \
                spec.type not in ("number", "integer", "date"):
            continue
        if spec.type == "date":
            _date_notes(ctx, spec)
            continue
        values = ctx.values[name].to_numpy(dtype=float)
        hard = np.ones(len(values), dtype=bool)
        for op, bound in spec.ranges():
            hard &= {"gt": values > bound, "ge": values >= bound, "lt": values < bound, "le": values <= bound}[op]
        unit = f" {spec.unit_label}" if spec.unit_label and spec.quantity not in ("ratio", "count") else ""
        lang = language()
        rest = np.ones(len(values), dtype=bool)  # rows whose category has no range of its own
        if spec.plausible_by and spec.plausible_by in ctx.values:
            category = ctx.values[spec.plausible_by].to_numpy(dtype=object)
            vocabulary = ctx.schema.vocabulary(spec.plausible_by)
            for case in spec.plausible_cases:
                rows = np.isin(category, list(case.values))
                rest &= ~rows
                _plausible_note(ctx, name, values, hard & rows, case.plausible, case.why_text(lang), unit,
                                by=spec.plausible_by, label=lambda i, c=category, v=vocabulary: _category_label(v, c[i], lang))
        _plausible_note(ctx, name, values, hard & rest, spec.plausible, spec.plausible_why_text(lang), unit)


def _category_label(vocabulary: Any, value: object, lang: str) -> str:
    """A category value as messages show it: the Chinese label in Chinese, the canonical value in English."""
    return str(vocabulary.labels.get(value, value)) if lang == "zh" else str(value)


def _plausible_note(ctx: CheckContext, name: str, values: np.ndarray, rows: np.ndarray, plausible: tuple[Any, Any],
                    why_text: str, unit: str, *, by: str | None = None, label: Callable[[int], str] | None = None) -> None:
    """A note on each of *rows* whose value lies outside *plausible*; with *by*, the note names the category
    whose range it is (``places 2,562 is outside the plausible range 1..300 for type '托育服务机构'``)."""
    low, high = plausible
    if low is None and high is None:
        return
    outside = rows & (((values < low) if low is not None else False) | ((values > high) if high is not None else False))
    if not outside.any():
        return
    span = f"{'' if low is None else _number_text(low)}..{'' if high is None else _number_text(high)}{unit}"
    why = f": {why_text}" if why_text else ""
    if by is None:
        text = _("{column} {value}{unit} is outside the plausible range {span}{why}; check the value and its unit")
        ctx.notes.add(outside, lambda p, n=name, v=values, s=span, w=why, u=unit, m=text: [
            m.format(column=n, value=_number_text(v[i]), unit=u, span=s, why=w) for i in p])
        return
    text = _("{column} {value}{unit} is outside the plausible range {span} of {by} {category!r}{why}; "
             "check the value and its unit")
    ctx.notes.add(outside, lambda p, n=name, v=values, s=span, w=why, u=unit, m=text: [
        m.format(column=n, value=_number_text(v[i]), unit=u, span=s, by=by, category=label(i), why=w) for i in p])


def _date_notes(ctx: CheckContext, spec: ColumnSpec) -> None:
    values = pd.to_datetime(ctx.values[spec.name])
    low, high = spec.plausible
    outside = ((values < low) if low is not None else False) | ((values > high) if high is not None else False)
    outside = np.asarray(outside, dtype=bool) & values.notna().to_numpy()
    span = f"{'' if low is None else bound_text(low)}..{'' if high is None else bound_text(high)}"
    why = f": {spec.plausible_why}" if spec.plausible_why else ""
    text = _("{column} {value} is outside the plausible range {span}{why}")
    ctx.notes.add(outside, lambda p: [text.format(column=spec.name, value=bound_text(values.iloc[i]), span=span, why=why) for i in p])


def _row_keys(ctx: CheckContext, columns: list[str], *, geometry: bool = True, rows: np.ndarray | None = None,
              screen: bool = False) -> np.ndarray:
    """One 64-bit hash per row (of *rows*, default all) of the parsed *columns* and the geometry.

    Rows equal in all of them hash equal; the geometry enters as :func:`_geometry_keys`.
    With *screen*, the geometry's integer keys are combined as they are, without hashing
    each first: equal rows still share a key, and the few unequal rows that may share one
    too are told apart by the full keys that follow a screen (:func:`_whole_repeats`).
    """
    hashes = [pd.util.hash_pandas_object(_taken(ctx.values[c], rows), index=False).to_numpy() for c in columns]
    if geometry and ctx.schema.geometry and hasattr(ctx.frame, "geometry"):
        keys = _geometry_keys(ctx, rows).values()
        hashes += list(keys) if screen else [pd.util.hash_array(k) for k in keys]
    if not hashes:
        return np.zeros(ctx.issues.n if rows is None else len(rows), dtype=np.uint64)
    return _combined(hashes)


def _combined(hashes: list[np.ndarray]) -> np.ndarray:
    """Row hashes of several columns' hashes: the combination of ``pandas.util.hash_pandas_object`` on a
    frame of those columns (CPython's tuple hash), without building the frame."""
    out = np.full(len(hashes[0]), 0x345678, dtype=np.uint64)
    mult = np.uint64(1000003)
    for i, column_hash in enumerate(hashes):
        out ^= column_hash
        out *= mult
        mult += np.uint64(82520 + 2 * (len(hashes) - i))
    out += np.uint64(97531)
    return out


def _taken(values: pd.Series, rows: np.ndarray | None) -> pd.Series:
    return values if rows is None else values.iloc[rows]


def _geometry_keys(ctx: CheckContext, rows: np.ndarray | None) -> dict[str, np.ndarray]:
    """Integer columns that two rows share exactly when their geometries have the same WKB.

    A 2-D point's WKB is its two coordinates, so points enter by the bits of
    their coordinates (read once for the whole register, see
    :meth:`CheckContext.xy`) and no WKB is written for them; any other geometry
    by a hash of its WKB; a missing or empty one by the hash of ``b""``.
    """
    import shapely

    geoms, empty, types = (_taken_array(a, rows) for a in ctx.geometry_facts())
    point = (types == 0) & ~empty
    if point.all():
        point = ~shapely.has_z(geoms)
    elif point.any():
        point[point] = ~shapely.has_z(geoms[point])
    if rows is None and point.all():  # the common case: the coordinates the location check reads anyway
        x, y = ctx.xy()
    else:
        x, y = np.zeros(len(geoms)), np.zeros(len(geoms))
        coords = shapely.get_coordinates(geoms[point])
        x[point], y[point] = coords[:, 0], coords[:, 1]
    bits = [np.ascontiguousarray(c, dtype=np.float64).view(np.uint64) for c in (x, y)]
    keys = {"__x__": bits[0], "__y__": bits[1]}
    if not point.all():
        wkb = np.full(int((~point).sum()), b"", dtype=object)
        solid = ~empty[~point]
        wkb[solid] = shapely.to_wkb(geoms[~point][solid])
        keys["__geometry__"] = np.zeros(len(geoms), dtype=np.uint64)
        keys["__geometry__"][~point] = pd.util.hash_array(wkb)
    return keys


def _taken_array(values: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    return values if rows is None else values[rows]


def _shared(keys: np.ndarray) -> np.ndarray:
    """Rows whose 64-bit key another row has too (by sorting: several times faster than a hash table at 10^6 rows)."""
    ordered = np.sort(keys)
    twice = ordered[1:][ordered[1:] == ordered[:-1]]
    return np.isin(keys, twice) if len(twice) else np.zeros(len(keys), dtype=bool)


def _first_of(keys: np.ndarray | pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose key an earlier row has, and the position of that earlier row (vectorised, no per-row work)."""
    if not isinstance(keys, np.ndarray) or keys.dtype.kind == "O":  # objects stay objects: no string inference
        keys = pd.Series(np.asarray(keys, dtype=object), dtype=object)
    else:
        keys = pd.Series(keys)
    again = keys.duplicated(keep="first").to_numpy() & keys.notna().to_numpy()
    first = np.arange(len(keys))
    if again.any():
        involved = keys.duplicated(keep=False).to_numpy() & keys.notna().to_numpy()
        sub = pd.Series(np.flatnonzero(involved)).groupby(keys[involved].to_numpy()).transform("min").to_numpy()
        first[involved] = sub
    return again, first


def _whole_repeats(ctx: CheckContext, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Rows equal to an earlier row in every column of *columns* and the location.

    First by location and name only (cheap), then in full for the few rows that
    share both: on a register without repeats only the first pass runs.
    """
    n = ctx.issues.n
    name = ctx.schema.name_column if ctx.schema.name_column in ctx.values else None
    cheap = [name] if name else []
    if not (cheap or ctx.schema.geometry):
        return _first_of(_row_keys(ctx, columns))
    involved = _shared(_row_keys(ctx, cheap, screen=True))
    if not involved.any():
        return np.zeros(n, dtype=bool), np.arange(n)
    rows = np.flatnonzero(involved)
    full = _row_keys(ctx, columns, rows=rows)
    again_sub, first_sub = _first_of(full)
    again, first = np.zeros(n, dtype=bool), np.arange(n)
    again[rows] = again_sub
    first[rows] = rows[first_sub]
    return again, first


def duplicate_checks(ctx: CheckContext) -> None:
    """Repeated ids (every ``unique`` column, the id column by default) and records repeated whole: errors on the later rows.

    A record repeated whole (every schema column and the location equal) is an
    error when it has no id of its own; with different ids it is a note, as it
    may be two things at one place. The first row stays valid, so with
    ``on_error="flag"`` the repeats are left out and listed, never counted twice.
    ``keys = [["use", "plot_ratio"]]`` in a schema names rows by several columns together.
    """
    n = ctx.issues.n
    dup = np.zeros(n, dtype=bool)
    repeats_value, repeats_key = _("{column} {value!r} repeats {place}"), _("{values} repeats {place}")
    for name, spec in ctx.schema.columns.items():
        if not spec.unique or name not in ctx.values:
            continue
        raw = ctx.values[name]
        keys = raw.where(~pd.Series(empty_cells(raw), index=raw.index), None)
        again, first = _first_of(keys.to_numpy(dtype=object))
        ctx.issues.add(again, lambda p, c=name, f=first: [
            repeats_value.format(column=c, value=str(plain(ctx.values[c].iloc[i])), place=ctx.label.place(int(f[i]))) for i in p])
        dup |= again
    for key in ctx.schema.keys:  # several columns together name a row: (use, plot_ratio); absent ones are left out
        key = tuple(c for c in key if c in ctx.values)
        if not key:
            continue
        again, first = _first_of(_row_keys(ctx, list(key), geometry=False))  # an empty cell is a value here
        again &= ~dup
        ctx.issues.add(again, lambda p, k=key, f=first: [
            repeats_key.format(values=", ".join(f"{c} {plain(ctx.values[c].iloc[i])!r}" for c in k), place=ctx.label.place(int(f[i]))) for i in p])
        dup |= again
    columns = [c for c in ctx.values if c != ctx.schema.id_column]
    if n > 1 and (columns or ctx.schema.geometry):
        again, first = _whole_repeats(ctx, columns)
        if again.any():
            has_id = np.zeros(n, dtype=bool)
            if ctx.schema.id_column in ctx.values:
                has_id = ~empty_cells(ctx.values[ctx.schema.id_column])
            whole = again & ~has_id & ~dup
            if ctx.schema.geometry:
                repeats = _("repeats {place} in every column and its location")
                same = _("same as {row} in every column and its location but its id: one thing listed twice?")
            else:
                repeats, same = _("repeats {place} in every column"), _("same as {row} in every column but its id: one thing listed twice?")
            ctx.issues.add(whole, lambda p: [repeats.format(place=ctx.label.place(int(first[i]))) for i in p])
            ctx.notes.add(again & has_id & ~dup, lambda p: [same.format(row=ctx.label(int(first[i]))) for i in p])
            dup |= whole
    ctx.duplicates = dup


def empty_notes(ctx: CheckContext) -> None:
    for name, spec in ctx.schema.columns.items():
        if spec.empty == "note" and name in ctx.values:
            empty = empty_cells(ctx.frame[name])
            ctx.notes.add(empty, _("{column} missing").format(column=name))


# ----------------------------------------------------------------------------- geometry and place


#: How messages name the geometry kinds of a schema (translated where shown).
_KIND_WORDS = {"point": N_("point"), "polygon": N_("polygon"), "line": N_("line")}


def _kinds_text(kinds: list[str]) -> str:
    """``point or polygon``: the kinds of a schema as a message names them."""
    words = [_(_KIND_WORDS[k]) if k in _KIND_WORDS else k for k in kinds]
    text = words[0] if words else ""
    for word in words[1:]:
        text = _("{first} or {second}").format(first=text, second=word)
    return text


_TYPE_NAMES = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
                        "GeometryCollection", ""], dtype=object)


def geometry_checks(ctx: CheckContext) -> np.ndarray:
    """Missing or empty geometries, kinds the schema does not allow, invalid ones; returns the missing mask."""
    import shapely

    geoms, empty, types = ctx.geometry_facts()
    ctx.issues.add(empty, _("missing geometry"), kind=GeometryError)
    allowed = [t for kind in ctx.schema.geometry for t in GEOMETRY_KINDS[kind]]
    allowed_ids = [i for i, t in enumerate(_TYPE_NAMES) if t in allowed]
    wrong = ~empty & ~np.isin(types, allowed_ids)
    names = _TYPE_NAMES
    what, not_a = _kinds_text(list(ctx.schema.geometry)), _("geometry {kind!r} is not a {what}")
    ctx.issues.add(wrong, lambda p: [not_a.format(kind=names[types[i]], what=what) for i in p], kind=GeometryError)
    points = ~empty & ~wrong & (types == 0)
    if points.all():  # a point is invalid only with non-finite coordinates
        x, y = ctx.xy()
        invalid = ~(np.isfinite(x) & np.isfinite(y))
    else:
        invalid = ~empty & ~wrong & ~shapely.is_valid(geoms)
    invalid_text = _("invalid geometry ({reason})")
    ctx.issues.add(invalid, lambda p: [invalid_text.format(reason=shapely.is_valid_reason(geoms[i])) for i in p], kind=GeometryError)
    return empty


def locate(ctx: CheckContext, districts: gpd.GeoDataFrame | None, empty: np.ndarray) -> None:
    """District of every row's location; rows outside Zhengzhou are issues showing the coordinates as given.

    Sets :attr:`CheckContext.adcodes`, :attr:`~CheckContext.district_rows` and
    :attr:`~CheckContext.district_table`. The lookup is that of
    :func:`zzgeo.districts.locate_districts_xy` (the same index: a point on a
    shared border goes to the district listed first), kept as positions so that
    no per-row text is made here. The coordinates in the message are the
    user's, in their CRS (``attrs["input_crs"]``, see
    :func:`zzgeo.crs.format_locations`), not the WGS-84 ones they were converted to.
    """
    from zzgeo.crs import format_locations, input_crs
    from zzgeo.layers import default_districts
    from zzgeo.spatial.index import polygon_index

    districts = default_districts() if districts is None else districts
    if districts.crs is not None and ctx.frame.crs is not None and districts.crs != ctx.frame.crs:
        districts = districts.to_crs(ctx.frame.crs)
    x, y = ctx.xy()
    found = polygon_index(np.asarray(districts.geometry.values)).query_xy(x, y)
    adcodes = np.append(districts["adcode"].astype(str).to_numpy(dtype=object), np.nan)
    names = np.append(districts["name"].to_numpy(dtype=object), np.nan)
    ctx.district_rows, ctx.district_table, ctx.district_layer = found, (adcodes, names), districts
    ctx.adcodes = pd.Series(adcodes[found], index=ctx.frame.index, dtype=object)
    outside = ~empty & (found < 0)
    given = input_crs(ctx.frame)

    def where(p: np.ndarray) -> list[str]:
        text = _("location {location} is outside Zhengzhou's 12 county-level units: check the coordinates and the CRS (gcj02/bd09?)")
        return [text.format(location=shown) for shown in format_locations(x[p], y[p], given)]

    ctx.issues.add(outside, where, kind=OutsideAreaError)


# ----------------------------------------------------------------------------- register column vs location

#: Suffixes left out of a unit's name to get its stem (``管城回族区`` -> ``管城``): county-level units.
_DISTRICT_SUFFIXES = ("回族区", "区", "县", "市")
#: The same for any other units (街道/乡镇/社区): a 街道 column may say ``经八路`` for ``经八路街道``.
_UNIT_SUFFIXES = ("街道办事处", "街道", "办事处", "回族区", "区", "县", "市", "镇", "乡", "社区", "村委会", "居委会", "村")


def _name_matches(given: object, code: object, unit_name: object, suffixes: tuple[str, ...] = _DISTRICT_SUFFIXES) -> bool:
    """Whether a register cell names the unit: its code, full name, or a text starting with the name's stem."""
    if is_empty(given):
        return True
    text = nfkc(plain(given))
    if re.fullmatch(r"\d+(\.0)?", text):
        return text.split(".")[0] == str(code)
    if not is_empty(code) and text == str(code):  # a unit's own code that is not digits only
        return True
    stem = str(unit_name)
    for suffix in suffixes:
        stem = stem.removesuffix(suffix)
    return stem != "" and (text == str(unit_name) or text.startswith(stem))


def _district_matches(given: object, adcode: object, district_name: object) -> bool:
    return _name_matches(given, adcode, district_name, _DISTRICT_SUFFIXES)


def default_boundary_m() -> float:
    """The default distance (m) under which a located point is flagged as near a boundary (``data/limits.toml``).

    Examples
    --------
    >>> from zzgeo.registers import default_boundary_m
    >>> default_boundary_m()
    100.0
    """
    from zzgeo._data import load_toml

    return float(load_toml("limits.toml")["boundary_m"]["default"])


def _threshold(ctx: CheckContext, boundary_m: float | None) -> float:
    """The proximity threshold of a check: its own, else the loader's, else the default; checked against limits."""
    from zzgeo.limits import check

    value = boundary_m if boundary_m is not None else ctx.boundary_m
    if value is None:
        return default_boundary_m()
    note = check("boundary_m", float(value), label="boundary_m")
    if note and note not in ctx.file_notes:
        ctx.file_notes.append(note)
    return float(value)


def _units_layer(units: gpd.GeoDataFrame, name_column: str | None, code_column: str | None) -> tuple[Any, str, str | None]:
    """*units* in WGS-84 with the name and code columns found (``unit_name``/``unit_code``, else ``name``/``adcode``)."""
    from zzgeo.crs import STORAGE_CRS, require_crs

    require_crs(units, name="units")
    names = [c for c in ([name_column] if name_column else ["unit_name", "name"]) if c in units.columns]
    if not names:
        raise SchemaError(_("units: no name column {column!r}; columns: {columns!r}").format(
            column=name_column or "unit_name/name", columns=list(units.columns)))
    codes = [c for c in ([code_column] if code_column else ["unit_code", "adcode", "code"]) if c in units.columns]
    if code_column and not codes:
        raise SchemaError(_("units: no code column {column!r}; columns: {columns!r}").format(column=code_column, columns=list(units.columns)))
    return units.to_crs(STORAGE_CRS) if units.crs != STORAGE_CRS else units, names[0], codes[0] if codes else None


def _disagreeing(given: pd.Series, rows: np.ndarray, codes: np.ndarray, names: np.ndarray, suffixes: tuple[str, ...]) -> np.ndarray:
    """Rows whose *given* cell names another unit than ``rows`` says; one comparison per distinct (cell, unit) pair."""
    n = len(given)
    asked = (rows >= 0) & ~empty_cells(given)
    wrong = np.zeros(n, dtype=bool)
    if not asked.any():
        return wrong
    positions = np.flatnonzero(asked)
    cell_codes, cells = pd.factorize(given.iloc[positions].astype(object).map(lambda v: nfkc(plain(v))), sort=False)
    pairs = cell_codes.astype(np.int64) * (len(codes) + 1) + rows[positions]
    distinct, back = np.unique(pairs, return_inverse=True)
    verdict = np.array([not _name_matches(cells[k // (len(codes) + 1)], codes[k % (len(codes) + 1)], names[k % (len(codes) + 1)],
                                          suffixes) for k in distinct], dtype=bool)
    wrong[positions] = verdict[back.ravel()]
    return wrong


def _near_boundary(ctx: CheckContext, polygons: np.ndarray, rows: np.ndarray, boundary_m: float,
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m) of every located point to the boundary of its own unit where below *boundary_m* (NaN elsewhere),
    and the unit each such point lies nearest besides its own (-1: none within *boundary_m*).

    Only located point rows are measured: polygons and lines have no proximity flag (their
    representative point is chosen by zzgeo, not given by the user). Vectorised, in three
    steps that each look at fewer points: a k-d tree of the boundaries' vertices, densified to
    ``boundary_m / 2`` (a point within *boundary_m* of an edge is within ``1.25 boundary_m``
    of one of its vertices), keeps the few points that may be near; shapely's ``distance`` to
    the boundary of their own unit decides; an STRtree of the points near one finds their
    neighbouring units.
    """
    import shapely
    from scipy.spatial import cKDTree

    from zzgeo.crs import METRIC_CRS, STORAGE_CRS, transformer

    n = len(rows)
    distance, neighbour = np.full(n, np.nan), np.full(n, -1, dtype=np.int64)
    if boundary_m <= 0:
        return distance, neighbour
    _geoms, empty, types = ctx.geometry_facts()
    measured = np.flatnonzero((rows >= 0) & (types == 0) & ~empty)
    if len(measured) == 0:
        return distance, neighbour
    tr = transformer(STORAGE_CRS, METRIC_CRS)
    metric = shapely.transform(polygons, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
    edges = shapely.boundary(metric)
    spacing = max(boundary_m, 10.0) / 2
    vertices = shapely.get_coordinates(shapely.segmentize(edges, spacing))
    x, y = ctx.xy()
    mx, my = tr.transform(x[measured], y[measured])
    reach, _nearest = cKDTree(vertices).query(np.column_stack([mx, my]), distance_upper_bound=boundary_m + spacing / 2)
    maybe = np.isfinite(reach)
    if not maybe.any():
        return distance, neighbour
    points, own = shapely.points(mx[maybe], my[maybe]), rows[measured[maybe]]
    gap = shapely.distance(edges[own], points)
    close = gap <= boundary_m
    near, points, own = measured[maybe][close], points[close], own[close]
    distance[near] = gap[close]
    if len(near):
        unit, which = shapely.STRtree(points).query(metric, predicate="dwithin", distance=boundary_m)
        other = unit != own[which]
        which, unit = which[other], unit[other]
        if len(which):
            apart = shapely.distance(metric[unit], points[which])
            order = np.lexsort((apart, which))  # per point, the nearest other unit first
            which, unit = which[order], unit[order]
            first = np.r_[True, which[1:] != which[:-1]]
            neighbour[near[which[first]]] = unit[first]
    return distance, neighbour


def location_check(
    column: str | None = "district",
    *,
    units: gpd.GeoDataFrame | None = None,
    name_column: str | None = None,
    code_column: str | None = None,
    what: str | None = None,
    boundary_m: float | None = None,
) -> Callable[[CheckContext], None]:
    """A check comparing each row's location with its units: a register column that disagrees, a point near a boundary.

    The row is counted where its coordinates are (as before); the check only
    marks and notes it. Two things are looked at:

    * **disagreement**: *column* names another unit than the one the location
      lies in. A cell matches by the unit's code, its full name or its stem
      (``管城`` for ``管城回族区``, ``经八路`` for ``经八路街道``); an empty
      cell, or a row without a location, never disagrees. Note:
      ``register says district '金水区' but the location is in 中原区 (410102)``.
    * **near a boundary**: a located *point* closer than *boundary_m* metres
      (EPSG:4547) to the boundary of its unit. Note:
      ``near a boundary (37 m from 金水区/二七区), check the coordinates``
      (its own unit, then the nearest other one within *boundary_m*; ``the edge
      of 金水区`` when there is none, as on the city's outer border). Polygon
      and line rows get no such flag: their representative point is chosen by
      zzgeo, not given by the user, so its distance to a boundary says nothing
      about the coordinates.

    The validated frame carries ``location_check`` (``"district disagrees"``,
    ``"near district boundary"``, joined by ``"; "``; ``""`` for none) and
    ``boundary_distance_m`` (NaN unless near a boundary); see
    :func:`zzgeo.registers.location_counts` for the counts of a register.

    Parameters
    ----------
    column : str or None, default "district"
        The register column naming the unit: a schema column or any other
        column of the register as it came (``"街道"``). None: the proximity
        flag only.
    units : geopandas.GeoDataFrame, optional
        Polygons with a CRS and name/code columns, e.g. 街道 polygons with
        ``unit_name``/``unit_code`` (``data/analysis_units.toml``). Default:
        the county-level districts the loader located the rows in (a point on
        a shared border goes to the district listed first).
    name_column, code_column : str, optional
        Columns of *units* (default ``unit_name``, else ``name``; ``unit_code``,
        else ``adcode``/``code``; the code is optional).
    what : str, optional
        How the units are called in notes and counts: ``"district"`` (default
        without *units*), else ``"unit"`` unless given (``"街道"``).
    boundary_m : float, optional
        The threshold in metres; 0 turns the proximity flag off. Default: the
        loader's ``boundary_m``, else ``data/limits.toml`` (100 m).

    Returns
    -------
    callable
        ``check(ctx: CheckContext) -> None``, for ``checks=`` of :func:`validate_register`.

    Raises
    ------
    ParameterError
        *boundary_m* outside its range in ``data/limits.toml`` (when the check runs).
    SchemaError
        *units* without the name (or the given code) column.
    CRSError
        *units* without a CRS.

    Examples
    --------
    Two squares of 1 km in EPSG:4547 sharing the edge x = 501,000 m; P1 lies
    37 m west of it in 甲区, P2 500 m from it and named to 乙区 by the
    register, P3 named by the stem ``乙`` and P4 by the code ``B``:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> from zzgeo.registers import location_check, validate_register
    >>> units = gpd.GeoDataFrame({"unit_code": ["A", "B"], "unit_name": ["甲区", "乙区"]},
    ...                          geometry=[box(500_000, 3_840_000, 501_000, 3_841_000),
    ...                                    box(501_000, 3_840_000, 502_000, 3_841_000)], crs="EPSG:4547")
    >>> points = gpd.GeoDataFrame({"名称": ["P1", "P2", "P3", "P4"], "类别": ["III"] * 4, "有效面积": [3000] * 4,
    ...                            "区县": ["", "乙区", "乙", "B"]},
    ...                           geometry=[Point(500_963, 3_840_500), Point(500_500, 3_840_500),
    ...                                     Point(501_500, 3_840_500), Point(501_500, 3_840_600)], crs="EPSG:4547")
    >>> check = location_check("district", units=units, what="district")
    >>> checked = validate_register(points, "shelters/register.toml", checks=[check])
    >>> checked["location_check"].tolist()
    ['near district boundary', 'district disagrees', '', '']
    >>> checked["boundary_distance_m"].round(1).tolist()
    [37.0, nan, nan, nan]
    >>> checked["notes"].tolist()[:2]
    ['near a boundary (37 m from 甲区/乙区), check the coordinates', "register says district '乙区' but the location is in 甲区 (A)"]
    """

    def check(ctx: CheckContext) -> None:
        if units is None:
            if ctx.district_rows is None or ctx.district_layer is None:
                return
            rows, layer = ctx.district_rows, ctx.district_layer
            codes, names = ctx.district_table
            suffixes, label = _DISTRICT_SUFFIXES, what or "district"
        else:
            from zzgeo.spatial.index import polygon_index

            layer, name_col, code_col = _units_layer(units, name_column, code_column)
            x, y = ctx.xy()
            _geoms, empty, _types = ctx.geometry_facts()
            rows = np.array(polygon_index(np.asarray(layer.geometry.values)).query_xy(x, y), dtype=np.int64)
            rows[empty] = -1
            names = np.append(layer[name_col].to_numpy(dtype=object), np.nan)
            codes = np.append(layer[code_col].astype(str).to_numpy(dtype=object) if code_col else
                              np.full(len(layer), np.nan, dtype=object), np.nan)
            suffixes, label = _UNIT_SUFFIXES, what or "unit"
        limit = _threshold(ctx, boundary_m)
        flags = ctx.location_flags(label, boundary_m=limit)
        if column is not None and column in ctx.frame.columns:
            wrong = _disagreeing(ctx.frame[column], rows, codes, names, suffixes)
            flags.disagrees |= wrong

            def said(p: np.ndarray) -> list[str]:  # texts made per unit and per distinct cell, not per row
                cells = ctx.frame[column].to_numpy(dtype=object)[p]
                where = np.array([f"{n} ({c})" if not is_empty(c) else str(n) for n, c in zip(names, codes, strict=True)], dtype=object)
                written = {v: repr(plain(v)) for v in dict.fromkeys(cells)}
                text, unit = _("register says {unit} {written} but the location is in {where}"), _unit_word(label)
                return [text.format(unit=unit, written=written[v], where=w) for v, w in zip(cells, where[rows[p]], strict=True)]

            ctx.notes.add(wrong, said)
        distance, neighbour = _near_boundary(ctx, np.asarray(layer.geometry.values), rows, limit)
        near = ~np.isnan(distance)
        flags.distance_m = np.fmin(flags.distance_m, distance)

        def close(p: np.ndarray) -> list[str]:
            between = _("near a boundary ({distance:.0f} m from {own}/{other}), check the coordinates")
            edge = _("near a boundary ({distance:.0f} m from the edge of {own}), check the coordinates")
            return [between.format(distance=distance[i], own=names[rows[i]], other=names[neighbour[i]])
                    if neighbour[i] >= 0 else edge.format(distance=distance[i], own=names[rows[i]])
                    for i in p]

        ctx.notes.add(near, close)

    return check


#: The words zzgeo itself gives units in notes (a theme's own, e.g. ``"街道"``, is shown as given).
_UNIT_WORDS = {"district": N_("district"), "unit": N_("unit")}


def _unit_word(what: str) -> str:
    """How a note names the units called *what* (``district`` translated; a theme's own word as given)."""
    return _(_UNIT_WORDS[what]) if what in _UNIT_WORDS else what


def district_name_check(column: str = "district", *, boundary_m: float | None = None) -> Callable[[CheckContext], None]:
    """A check noting rows whose *column* names another district than the one their location is in.

    Accepts the full name (``管城回族区``), its stem (``管城``) or the adcode.
    An empty cell, or a row without a location, gets no note. Points closer
    than *boundary_m* to their district's boundary get a note too: this is
    :func:`location_check` on the 12 county-level districts.

    Parameters
    ----------
    column : str, default "district"
        The schema column naming the district.
    boundary_m : float, optional
        See :func:`location_check` (default 100 m, ``data/limits.toml``).

    Returns
    -------
    callable
        ``check(ctx: CheckContext) -> None``, for ``checks=`` of :func:`validate_register`.

    Examples
    --------
    The adcode ``410105`` and the stem ``二七`` match the districts the
    points lie in (金水区, 二七区); ``金水区`` for a point in 中原区 gets a note.

    >>> import pandas as pd
    >>> from zzgeo.registers import district_name_check, validate_register
    >>> frame = pd.DataFrame({"名称": ["公园甲", "广场乙", "公园丙"], "类别": ["II", "III", "III"],
    ...                       "有效面积": [12000, 3500, 3000], "区县": ["410105", "二七", "金水区"],
    ...                       "lon": [113.7302, 113.5826, 113.5472], "lat": [34.8117, 34.6850, 34.7807]})
    >>> checked = validate_register(frame, "shelters/register.toml", crs="wgs84", checks=[district_name_check("district")])
    >>> checked["notes"].tolist()
    ['', '', "register says district '金水区' but the location is in 中原区 (410102)"]
    >>> checked["location_check"].tolist()
    ['', '', 'district disagrees']
    """
    return location_check(column, boundary_m=boundary_m)
