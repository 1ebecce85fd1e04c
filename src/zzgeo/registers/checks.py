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
from zzgeo.registers.schema import (
    GEOMETRY_KINDS,
    RANGE_TEXT,
    RegisterSchema,
    empty_cells,
    is_empty,
    nfkc,
)
from zzgeo.registers.values import bools, dates, map_unique, numbers

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["CheckContext", "parse_values", "pandera_checks", "empty_notes", "geometry_checks", "locate", "district_name_check"]


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
    """

    frame: Any
    values: dict[str, pd.Series]
    issues: RowProblems
    notes: RowProblems
    schema: RegisterSchema
    name: str
    parse_failed: dict[str, np.ndarray] = field(default_factory=dict)
    adcodes: pd.Series | None = None
    district_names: pd.Series | None = None
    _metric: Any = None
    _reps: Any = None
    file_notes: list[str] = field(default_factory=list)
    codes: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    _xy: Any = None
    _facts: Any = None

    def value(self, column: str) -> pd.Series:
        """Parsed values of *column* (all-NaN when the register lacks it)."""
        if column in self.values:
            return self.values[column]
        return pd.Series(np.nan, index=self.frame.index, dtype="float64")

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
            _, empty, _ = self.geometry_facts()
            if not empty.any():
                xy = shapely.get_coordinates(reps)
            else:
                xy = np.full((len(reps), 2), np.nan)
                xy[~empty] = shapely.get_coordinates(reps[~empty])
            self._xy = (xy[:, 0], xy[:, 1])
        return self._xy

    def metric_points(self) -> np.ndarray:
        """Representative points in EPSG:4547 (metres)."""
        if self._metric is None:
            import shapely
            from pyproj import Transformer

            from zzgeo.crs import METRIC_CRS, STORAGE_CRS

            tr = Transformer.from_crs(STORAGE_CRS, METRIC_CRS, always_xy=True)
            reps = self.representative_points()
            self._metric = shapely.transform(reps, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
        return self._metric


def parse_values(ctx: CheckContext) -> None:
    for name, spec in ctx.schema.columns.items():
        if name not in ctx.frame.columns:
            continue
        raw = ctx.frame[name]
        if spec.type in ("number", "integer"):
            values, bad = numbers(raw)
            ctx.issues.add(bad.to_numpy(), lambda p, n=name: [f"{n} is not a number: {ctx.cell(n, i)!r}" for i in p])
            if spec.type == "integer":
                frac = values.notna() & (values % 1 != 0)
                ctx.issues.add(frac.to_numpy(), lambda p, n=name, v=values: [f"{n} must be a whole number, got {float(v.iloc[i])!r}" for i in p])
        elif spec.type == "bool":
            values, bad = bools(raw)
            ctx.issues.add(bad.to_numpy(), lambda p, n=name: [f"{n} is not yes/no (是/否, 1/0): {ctx.cell(n, i)!r}" for i in p])
        elif spec.type == "date":
            values, bad = dates(raw)
            ctx.issues.add(bad.to_numpy(), lambda p, n=name: [f"{n} is not a date (YYYY-MM-DD): {ctx.cell(n, i)!r}" for i in p])
        elif spec.type == "category":
            codes, written, parsed = ctx.schema.vocabulary(name).parse_codes(raw)
            ctx.codes[name] = (codes, written, parsed)
            values, bad = pd.Series(parsed[codes], index=raw.index, dtype=object), pd.Series(False, index=raw.index)
        else:
            values = map_unique(raw, lambda v: None if is_empty(v) else str(plain(v)).strip())
            bad = pd.Series(False, index=raw.index)
        ctx.values[name] = values
        ctx.parse_failed[name] = bad.to_numpy(dtype=bool)


@functools.lru_cache(maxsize=64)
def _pandera_schema(schema: RegisterSchema, present: tuple[str, ...]):
    import pandera.pandas as pa

    columns = {}
    for name in present:
        spec = schema.columns[name]
        checks = [getattr(pa.Check, op)(value, error=f"{op}:{value!r}") for op, value in spec.ranges()]
        if spec.type == "category":
            checks.append(pa.Check.isin(schema.vocabulary(name).values, error="vocabulary"))
        columns[name] = pa.Column(None, checks=checks, nullable=spec.nullable, unique=spec.unique,
                                  report_duplicates="exclude_first", required=False)
    return pa.DataFrameSchema(columns, name=schema.id)


def _range_message(column: str, check: str, value: object) -> str:
    op, _, bound = check.partition(":")
    bound_value = float(bound)
    if op == "gt" and bound_value == 0:
        return f"{column} must be positive, got {value!r}"
    if op == "ge" and bound_value == 0:
        return f"{column} must not be negative, got {value!r}"
    return f"{column} must be {RANGE_TEXT[op]} {bound_value:g}, got {value!r}"


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


def pandera_checks(ctx: CheckContext) -> None:
    """Ranges, vocabularies, empties and uniqueness of every schema column present, by pandera (lazy)."""
    import pandera.errors

    present = tuple(n for n in ctx.schema.columns if n in ctx.values)
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
            texts = [f"{column} missing"] * len(positions)
        elif check == "vocabulary":
            vocab = ctx.schema.vocabulary(column)
            texts = [f"unknown {vocab.what} {v!r} (use {vocab.hint})" for v in values]
        elif check == "field_uniqueness":
            texts = [f"{column} {v!r} repeats an earlier row" for v in values]
        else:
            texts = [_range_message(column, check, v) for v in values]
        ctx.issues.add(positions, texts, kind=kind)


def empty_notes(ctx: CheckContext) -> None:
    for name, spec in ctx.schema.columns.items():
        if spec.empty == "note" and name in ctx.values:
            empty = empty_cells(ctx.frame[name])
            ctx.notes.add(empty, f"{name} missing")


# ----------------------------------------------------------------------------- geometry and place


_TYPE_NAMES = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
                        "GeometryCollection", ""], dtype=object)


def geometry_checks(ctx: CheckContext) -> np.ndarray:
    """Missing or empty geometries, kinds the schema does not allow, invalid ones; returns the missing mask."""
    import shapely

    geoms, empty, types = ctx.geometry_facts()
    ctx.issues.add(empty, "missing geometry", kind=GeometryError)
    allowed = [t for kind in ctx.schema.geometry for t in GEOMETRY_KINDS[kind]]
    allowed_ids = [i for i, t in enumerate(_TYPE_NAMES) if t in allowed]
    wrong = ~empty & ~np.isin(types, allowed_ids)
    names = _TYPE_NAMES
    what = " or ".join(ctx.schema.geometry)
    ctx.issues.add(wrong, lambda p: [f"geometry {names[types[i]]!r} is not a {what}" for i in p], kind=GeometryError)
    points = ~empty & ~wrong & (types == 0)
    if points.all():  # a point is invalid only with non-finite coordinates
        x, y = ctx.xy()
        invalid = ~(np.isfinite(x) & np.isfinite(y))
    else:
        invalid = ~empty & ~wrong & ~shapely.is_valid(geoms)
    ctx.issues.add(invalid, lambda p: [f"invalid geometry ({shapely.is_valid_reason(geoms[i])})" for i in p], kind=GeometryError)
    return empty


def locate(ctx: CheckContext, districts: gpd.GeoDataFrame | None, empty: np.ndarray) -> tuple[pd.Series, pd.Series]:
    from zzgeo.districts import default_districts, locate_districts_xy

    districts = default_districts() if districts is None else districts
    if districts.crs is not None and ctx.frame.crs is not None and districts.crs != ctx.frame.crs:
        districts = districts.to_crs(ctx.frame.crs)
    reps = ctx.representative_points()
    adcodes = pd.Series(locate_districts_xy(*ctx.xy(), districts), index=ctx.frame.index, dtype=object)
    outside = ~empty & adcodes.isna().to_numpy()

    def where(p: np.ndarray) -> list[str]:
        return [f"location ({reps[i].x:.5f}, {reps[i].y:.5f}) is outside Zhengzhou's 12 county-level units: "
                "check the coordinates and the CRS (gcj02/bd09?)" for i in p]

    ctx.issues.add(outside, where, kind=OutsideAreaError)
    names = dict(zip(districts["adcode"].astype(str), districts["name"], strict=True))
    ctx.adcodes, ctx.district_names = adcodes, adcodes.map(names)
    return ctx.adcodes, ctx.district_names


# ----------------------------------------------------------------------------- the loader


def _district_matches(given: object, adcode: object, district_name: object) -> bool:
    if is_empty(given):
        return True
    text = nfkc(plain(given))
    if re.fullmatch(r"\d+(\.0)?", text):
        return text.split(".")[0] == str(adcode)
    stem = str(district_name)
    for suffix in ("回族区", "区", "县", "市"):
        stem = stem.removesuffix(suffix)
    return stem != "" and (text == str(district_name) or text.startswith(stem))


def district_name_check(column: str = "district") -> Callable[[CheckContext], None]:
    """A check noting rows whose *column* names another district than the one their location is in.

    Accepts the full name (``管城回族区``), its stem (``管城``) or the adcode.
    """

    def check(ctx: CheckContext) -> None:
        if not ctx.has(column) or ctx.adcodes is None:
            return
        given, codes, names = ctx.frame[column], ctx.adcodes, ctx.district_names
        wrong = np.array([not pd.isna(codes.iloc[p]) and not _district_matches(given.iloc[p], codes.iloc[p], names.iloc[p])
                          for p in range(len(given))], dtype=bool)
        ctx.notes.add(wrong, lambda p: [
            f"register says district {ctx.cell(column, i)!r} but the location is in {names.iloc[i]} ({codes.iloc[i]})" for i in p])

    return check


