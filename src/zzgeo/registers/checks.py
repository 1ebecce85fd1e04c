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
from zzgeo.errors import GeometryError, OutsideAreaError
from zzgeo.registers.schema import (
    GEOMETRY_KINDS,
    RANGE_TEXT,
    RegisterSchema,
    is_empty,
    nfkc,
)
from zzgeo.registers.values import bools, dates, numbers

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

    def representative_points(self) -> Any:
        """A point per row (the point itself, or a representative point), WGS-84; missing rows stay missing."""
        if self._reps is None:
            import shapely

            geoms = np.asarray(self.frame.geometry.values)
            reps = geoms.copy()
            ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
            not_point = ok & (shapely.get_type_id(geoms) != 0)
            reps[not_point] = shapely.point_on_surface(geoms[not_point])
            self._reps = reps
        return self._reps

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
            values, bad = ctx.schema.vocabulary(name).parse_series(raw), pd.Series(False, index=raw.index)
        else:
            values = raw.map(lambda v: None if is_empty(v) else str(plain(v)).strip()).astype(object)
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


def pandera_checks(ctx: CheckContext) -> None:
    import pandera.errors

    present = tuple(n for n in ctx.schema.columns if n in ctx.values)
    if not present:
        return
    table = pd.DataFrame({n: ctx.values[n] for n in present}).reset_index(drop=True)
    for name in present:  # show unknown vocabulary words as the user wrote them
        if ctx.schema.columns[name].type == "category":
            unknown = table[name].isna().to_numpy() & ~ctx.frame[name].map(is_empty).to_numpy(dtype=bool)
            table.loc[unknown, name] = ctx.frame[name].to_numpy(dtype=object)[unknown]
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
        if check == "not_nullable":
            texts = [f"{column} missing"] * len(positions)
        elif check == "vocabulary":
            vocab = ctx.schema.vocabulary(column)
            texts = [f"unknown {vocab.what} {v!r} (use {vocab.hint})" for v in values]
        elif check == "field_uniqueness":
            texts = [f"{column} {v!r} repeats an earlier row" for v in values]
        else:
            texts = [_range_message(column, check, v) for v in values]
        ctx.issues.add(positions, texts)


def empty_notes(ctx: CheckContext) -> None:
    for name, spec in ctx.schema.columns.items():
        if spec.empty == "note" and name in ctx.values:
            empty = ctx.frame[name].map(is_empty).to_numpy(dtype=bool)
            ctx.notes.add(empty, f"{name} missing")


# ----------------------------------------------------------------------------- geometry and place


def geometry_checks(ctx: CheckContext) -> np.ndarray:
    import shapely

    geoms = np.asarray(ctx.frame.geometry.values)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    ctx.issues.add(empty, "missing geometry", kind=GeometryError)
    allowed = [t for kind in ctx.schema.geometry for t in GEOMETRY_KINDS[kind]]
    types = np.array(shapely.get_type_id(geoms))
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
                      "GeometryCollection"] + [""] * 10, dtype=object)[np.clip(types, 0, 17)]
    wrong = ~empty & ~np.isin(names, allowed)
    what = " or ".join(ctx.schema.geometry)
    ctx.issues.add(wrong, lambda p: [f"geometry {names[i]!r} is not a {what}" for i in p], kind=GeometryError)
    invalid = ~empty & ~wrong & ~shapely.is_valid(geoms)
    ctx.issues.add(invalid, lambda p: [f"invalid geometry ({shapely.is_valid_reason(geoms[i])})" for i in p], kind=GeometryError)
    return empty


def locate(ctx: CheckContext, districts: gpd.GeoDataFrame | None, empty: np.ndarray) -> tuple[pd.Series, pd.Series]:
    from zzgeo.districts import default_districts, locate_districts

    districts = default_districts() if districts is None else districts
    reps = ctx.representative_points()
    adcodes = pd.Series(None, index=ctx.frame.index, dtype=object)
    if (~empty).any():
        import geopandas as gpd

        pts = gpd.GeoSeries(reps[~empty], crs=ctx.frame.crs)
        adcodes[~empty] = locate_districts(pts, districts).to_numpy()
    outside = ~empty & adcodes.isna().to_numpy()

    def where(p: np.ndarray) -> list[str]:
        return [f"location ({reps[i].x:.5f}, {reps[i].y:.5f}) is outside the districts (Zhengzhou's county-level units): "
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


