"""``value_parcels``: the valuation as a pipeline of named stages.

::

    read and check   the common register loader, schema data/landprice/parcels.toml
    district         from the loader's location check (exact index, see zzgeo.spatial.index)
    table/use/right  per row, else the options
    grade            the parcel's own grade, else the grade map (area-weighted across zones)
    benchmark        the printed price of 郑政文〔2022〕42号 for that table, use, right and grade
    steps            the correction steps (steps.py) in the rule file's or the caller's order
    area and value   polygons measured in EPSG:4547; points take their area column
    warnings         K = 1 for want of a table or index, departure >= 30 %, grade disagreement
    output           the input columns plus ~30 columns: every coefficient, its source, the order

Each stage reads and writes arrays of one :class:`_Job`; per-row problems are
collected once (:class:`zzgeo._problems.RowProblems`) and either raised as one
error naming the parcels or kept in the ``error`` column. Rows are handled by
position, so duplicate index labels never mix parcels; the output carries the
input's index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo._problems import RowProblems, check_on_error, objects
from zzgeo.errors import (
    NoSuchGradeError,
    OutsideAreaError,
    SchemaError,
    UnknownCodeError,
    ZzgeoError,
)
from zzgeo.landprice.rules import (
    DASH,
    DOC_NUMBER,
    MU_M2,
    UseInfo,
    _cells,
    document,
    use_info,
    valuation_rules,
)
from zzgeo.landprice.valuation.options import ValuationOptions
from zzgeo.landprice.valuation.steps import (
    apply_steps,
    check_order,
    date_correction,
    floor_to_ground,
    individual_correction,
    plot_ratio_correction,
    term_correction,
)

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from zzgeo.landprice.rules import ValuationRules
    from zzgeo.registers import CheckContext

__all__ = ["SCHEMA", "value_parcels"]

#: The packaged schema of parcel lists.
SCHEMA = "landprice/parcels.toml"
_FLOAT_COLUMNS = ("benchmark", "cover", "r", "n", "m", "far_b", "far", "k_term", "k_plot", "to_ground")


@dataclass
class _Group:
    """Parcels of one table, use and right."""

    table: str
    use: str
    right: str
    info: UseInfo
    rows: np.ndarray


@dataclass
class _Job:
    """The state the stages share: the checked parcels (the loader's context), per-row arrays, problems."""

    ctx: CheckContext
    geoms: np.ndarray
    types: np.ndarray
    xy: tuple[np.ndarray, np.ndarray] | None
    label: Callable[[int], str]
    cols: dict[str, np.ndarray] = field(default_factory=dict)

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

    def column(self, name: str) -> np.ndarray:
        """A parsed input column as floats (NaN where empty or absent)."""
        return np.array(self.ctx.value(name), dtype=float)

    def values(self, name: str) -> np.ndarray:
        """A parsed input column as objects (canonical words for vocabularies)."""
        return np.asarray(self.ctx.value(name), dtype=object)


# ----------------------------------------------------------------------------- read and check


def _read(parcels: gpd.GeoDataFrame, districts, id_column: str | None, columns, name: str, row_names: str,
          first: int | None, whole: bool) -> _Job:
    from zzgeo.registers import check_register

    if len(parcels) == 0:
        raise SchemaError(f"{name}: the layer has no rows")
    ctx = check_register(parcels.reset_index(drop=True), SCHEMA, columns=columns, districts=districts, name=name,
                         row_names=row_names, id_column=id_column, first=first, whole=whole)
    ctx.label.index = parcels.index  # rows are handled by position; messages name them by the caller's labels
    geoms, _, types = ctx.geometry_facts()
    xy = ctx.xy() if len(types) and (types == 0).all() else None
    return _Job(ctx=ctx, geoms=geoms, types=types, xy=xy, label=ctx.label)


# ----------------------------------------------------------------------------- table, use, right


def _option(vocabulary: str, value: str | None) -> str | None:
    from zzgeo.registers import load_schema

    if value is None:
        return None
    return load_schema(SCHEMA).vocabularies[vocabulary].parse(value) or value


def _codes(job: _Job, column: str, default: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct values of a key column; empty cells take *default* (None when there is none)."""
    if not job.has(column):
        return np.zeros(job.n, dtype=np.int64), np.array([default], dtype=object)
    codes, _, parsed = job.ctx.codes[column]  # factorised once by the loader
    values = parsed.copy()
    values[-1] = default  # empty cells take the option
    return codes, values


def _groups(job: _Job, table: str | None, use: str | None, right: str | None) -> list[_Group]:
    keys = [_codes(job, "table", _option("table", table)), _codes(job, "use", _option("use", use)),
            _codes(job, "right", _option("right", right))]
    combined = np.zeros(job.n, dtype=np.int64)
    for codes, values in keys:  # one code per distinct (table, use, right)
        combined = combined * (len(values) + 1) + codes
    group_of, _ = pd.factorize(combined)
    order = np.argsort(group_of, kind="stable")
    bounds = np.searchsorted(group_of[order], np.arange(group_of.max() + 2))
    job.cols.update({name: values[codes] for name, (codes, values) in zip(("table", "use", "right"), keys)})
    groups = []
    for k in range(group_of.max() + 1):
        rows = order[bounds[k]:bounds[k + 1]]
        table_k, use_k, right_k = (values[codes[rows[0]]] for codes, values in keys)
        group = _group(job, table_k, use_k, right_k, rows)
        if group is not None:
            job.cols["table"][rows] = group.table
            groups.append(group)
    return groups


def _table_of(use: object) -> str:
    """The table of a use that only one table has (commercial -> collective_construction)."""
    from zzgeo.landprice.rules import _tables

    holders = [t for t, spec in _tables().items() if use in spec["uses"]]
    if len(holders) == 1:
        return holders[0]
    if not holders:
        raise UnknownCodeError(f"unknown use {use!r}; uses: {sorted({u for spec in _tables().values() for u in spec['uses']})}")
    raise SchemaError(f"use {use!r} is in {len(holders)} tables ({', '.join(holders)}): pass --table or give a table column")


def _group(job: _Job, table: object, use: object, right: object, rows: np.ndarray) -> _Group | None:
    try:
        if pd.isna(use):
            raise SchemaError("no use given: pass --use or give the parcels a use column (用途)")
        if pd.isna(table):
            table = _table_of(use)
        info = use_info(str(table), str(use))
        if pd.isna(right) or not right:
            if len(info.rights) != 1:
                raise SchemaError(f"{table}/{use} has rights {sorted(info.rights)}: pass --right or a right column")
            right = next(iter(info.rights))
        if right not in info.rights:
            raise UnknownCodeError(f"unknown right {right!r} for {table}/{use}; rights: {sorted(info.rights)}")
    except ZzgeoError as exc:
        flagged = job.errors.bad()[rows]  # an unknown word was already named: do not add "no use given" to it
        job.errors.add(rows[~flagged] if pd.isna(use) else rows, str(exc), kind=type(exc))
        return None
    return _Group(str(table), str(use), str(right), info, rows)


# ----------------------------------------------------------------------------- grade and benchmark


def _price_by_grade(group: _Group) -> np.ndarray:
    """Printed price of each grade (index grade - 1), NaN for a dash."""
    return np.array([np.nan if c == DASH else float(c) for c in _cells(group.table, group.use, group.right)])


def _dash_message(group: _Group, grade: int) -> str:
    return (f"{DOC_NUMBER} prints '—' for {group.table}/{group.use} ({group.info.name_zh}) grade {grade}: "
            "that grade does not exist for this use")


def _grade_and_benchmark(job: _Job, group: _Group, zones: gpd.GeoDataFrame) -> None:
    from zzgeo.landprice.zones import grade_weights, zone_subset

    prices = _price_by_grade(group)
    xy = (job.xy[0][group.rows], job.xy[1][group.rows]) if job.xy is not None else None
    pos, grade, weight = grade_weights(job.geoms[group.rows], zone_subset(zones, group.table, group.use), xy=xy)
    pos = group.rows[pos]
    single = np.ones(len(pos), dtype=bool)
    if len(pos) > 1:
        dup = np.zeros(len(pos), dtype=bool)
        dup[1:] = pos[1:] == pos[:-1]
        dup[:-1] |= pos[:-1] == pos[1:]
        single = ~dup
    one = pos[single]
    job.cols["benchmark"][one] = prices[grade[single] - 1]
    job.cols["cover"][one] = weight[single]
    job.cols["grade_text"][one] = np.array([str(g) for g in range(7)], dtype=object)[grade[single]]
    _straddling(job, pos[~single], grade[~single], weight[~single], prices)
    _given_grades(job, group, prices)
    _grade_problems(job, group)


def _straddling(job: _Job, pos: np.ndarray, grade: np.ndarray, weight: np.ndarray, prices: np.ndarray) -> None:
    if len(pos) == 0:
        return
    frame = pd.DataFrame({"p": pos, "g": grade, "w": weight, "price": prices[grade - 1]})
    for p, sub in frame.groupby("p", sort=False):
        cover = float(sub["w"].sum())
        job.cols["cover"][p] = cover
        job.cols["benchmark"][p] = float(np.dot(sub["w"], sub["price"]) / cover)
        job.cols["grade_text"][p] = ", ".join(f"{g}:{100 * w / cover:.0f}%" for g, w in zip(sub["g"], sub["w"]))


def _given_grades(job: _Job, group: _Group, prices: np.ndarray) -> None:
    """Use the parcel's own grade where it has one; say so, and say when the grade map disagrees."""
    if not job.has("grade"):
        return
    given = pd.to_numeric(job.values("grade")[group.rows], errors="coerce")
    rows = group.rows[np.isfinite(given)]
    if len(rows) == 0:
        return
    grades = given[np.isfinite(given)].astype(np.int64)
    mapped = job.cols["grade_text"][rows]
    valid = grades <= len(prices)
    differs = valid & (mapped != "") & (mapped != grades.astype(str).astype(object))
    job.warnings.add(rows[differs], [f"given grade {g} is used; the grade map says {m}" for g, m in zip(grades[differs], mapped[differs])])
    job.cols["benchmark"][rows[valid]] = prices[grades[valid] - 1]
    job.cols["cover"][rows[valid]] = 1.0
    job.cols["grade_text"][rows[valid]] = grades[valid].astype(str).astype(object)
    job.cols["grade_source"][rows[valid]] = "given"
    job.errors.add(rows[~valid], [f"grade {g} does not exist for {group.table}/{group.use} (grades 1..{len(prices)})"
                                  for g in grades[~valid]], kind=UnknownCodeError)


def _grade_problems(job: _Job, group: _Group) -> None:
    rows = group.rows
    graded = job.cols["grade_text"][rows] != ""
    dash = graded & np.isnan(job.cols["benchmark"][rows])
    for grade_text in sorted(set(job.cols["grade_text"][rows[dash]])):
        grade = int(str(grade_text).split(":")[0]) if ":" not in str(grade_text) else None
        at = rows[dash & (job.cols["grade_text"][rows] == grade_text)]
        message = _dash_message(group, grade) if grade else f"{DOC_NUMBER} prints '—' for one of the grades {grade_text} of {group.table}/{group.use}"
        job.errors.add(at, message, kind=NoSuchGradeError)
    inside = job.cols["inside"][rows]
    job.errors.add(rows[~graded & inside], f"outside the {group.table} grade map for {group.use} "
                   f"({DOC_NUMBER} covers 郑州市本级 and its entrusted areas)", kind=OutsideAreaError)
    partial = graded & (job.cols["cover"][rows] < 0.999)
    job.errors.add(rows[partial], f"part of the parcel lies outside the {group.table}/{group.use} grade map", kind=OutsideAreaError)


# ----------------------------------------------------------------------------- step inputs


def _term(job: _Job, group: _Group, opts: ValuationOptions, rules: ValuationRules) -> None:
    rows, info = group.rows, group.info
    r = opts.reduction_rate if opts.reduction_rate is not None else rules.reduction_rate(group.table, group.use)
    given = job.column("term_years")[rows]
    m = np.where(np.isfinite(given), given, opts.term_years if opts.term_years is not None else info.term_years)
    too_long = m > info.term_years
    job.errors.add(rows[too_long], f"term longer than the benchmark's legal term {info.term_years:g} years", kind=SchemaError)
    job.cols["r"][rows], job.cols["n"][rows], job.cols["m"][rows] = r, info.term_years, m
    job.cols["k_term"][rows] = opts.k_term if opts.k_term is not None else term_correction(r, m, info.term_years)


def _plot_ratio(job: _Job, group: _Group, opts: ValuationOptions) -> None:
    rows, info = group.rows, group.info
    if info.plot_ratio is None:  # agricultural land: no plot ratio, a ground price
        job.cols["k_plot"][rows] = 1.0 if opts.k_plot is None else opts.k_plot
        job.cols["to_ground"][rows] = 1.0
        return
    given = job.column("plot_ratio")[rows]
    far = np.where(np.isfinite(given), given, opts.plot_ratio if opts.plot_ratio is not None else info.plot_ratio)
    job.cols["far_b"][rows], job.cols["far"][rows] = info.plot_ratio, far
    if opts.k_plot is not None:
        job.cols["k_plot"][rows] = opts.k_plot
    else:
        try:
            table = opts.plot_ratio_table_for(group.use)
        except ZzgeoError as exc:  # per-use tables, none for this use: never another use's table
            job.errors.add(rows, str(exc), kind=type(exc))
            table = None
        k_plot, outside = plot_ratio_correction(far, info.plot_ratio, table)
        job.cols["k_plot"][rows] = k_plot
        if outside.any():
            lo, hi = table.range
            job.errors.add(rows[outside], [f"plot ratio {v:g} is outside the coefficient table's range {lo:g}..{hi:g}" for v in far[outside]])
        if opts.plot_ratio_table is None:
            job.warnings.add(rows[far != info.plot_ratio], "no plot-ratio coefficient table given: K_plot = 1")
    job.cols["to_ground"][rows] = floor_to_ground(far, info.price_form == "floor")


# ----------------------------------------------------------------------------- the pipeline


def _start(job: _Job) -> None:
    n = job.n
    job.cols.update({k: np.full(n, np.nan) for k in _FLOAT_COLUMNS})
    job.cols.update({k: objects("", n) for k in ("grade_text", "use_zh", "price_form", "grade_source")})
    job.cols["district"] = np.asarray(job.ctx.adcodes, dtype=object)
    job.cols["inside"] = job.ctx.adcodes.notna().to_numpy()


def _valuation_date(opts: ValuationOptions) -> dt.date:
    return opts.valuation_date or dt.date.fromisoformat(document()["base_date"])


def _coefficients(job: _Job, opts: ValuationOptions, k_date: float) -> dict[str, np.ndarray]:
    sum_k = job.column("sum_k")
    sum_k = np.where(np.isfinite(sum_k), sum_k, opts.sum_k)
    dev = job.column("development_adj")
    dev = np.where(np.isfinite(dev), dev, float(opts.development_adjustment_yuan_m2))
    job.cols["sum_k"], job.cols["dev"] = sum_k, dev
    return {"individual": individual_correction(sum_k), "term": job.cols["k_term"], "plot_ratio": job.cols["k_plot"],
            "floor_to_ground": job.cols["to_ground"], "date": k_date, "development": dev}


def _area(job: _Job) -> np.ndarray:

    from zzgeo.crs import METRIC_CRS

    polygon = np.isin(job.types, (3, 6))
    area = job.column("area_m2")
    if polygon.any():
        area[polygon] = job.ctx.frame.geometry[polygon].to_crs(METRIC_CRS).area.to_numpy()
    job.warnings.add(~polygon & np.isnan(area), "point parcel without area_m2/area_mu: unit price only")
    return area


def _departures(job: _Job, unit: np.ndarray, rules: ValuationRules) -> np.ndarray:
    """Departure from the benchmark, compared in the table's own unit (floor prices for floor uses)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        departure = unit / job.cols["to_ground"] / job.cols["benchmark"] - 1.0
    big = np.flatnonzero(np.abs(departure) >= rules.departure_threshold)
    if len(big):  # format each distinct rounded departure once
        distinct, which = np.unique(np.round(100.0 * departure[big], 1), return_inverse=True)
        texts = np.array([f"corrected price departs from the benchmark by {d:+.1f}% "
                          f"(>= {100 * rules.departure_threshold:.0f}%): check the coefficients" for d in distinct], dtype=object)
        job.warnings.add(big, texts[which])
    return departure


def value_parcels(
    parcels: gpd.GeoDataFrame,
    *,
    table: str | None = None,
    use: str | None = None,
    right: str | None = None,
    options: ValuationOptions | None = None,
    zones: gpd.GeoDataFrame | None = None,
    districts: gpd.GeoDataFrame | None = None,
    id_column: str | None = None,
    on_error: str = "raise",
    columns: Mapping[str, str] | None = None,
    name: str = "parcels",
    row_names: str = "index",
    first: int | None = None,
    whole: bool = True,
) -> gpd.GeoDataFrame:
    """Value every parcel (point or polygon) by the benchmark coefficient correction method.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        Parcels with a CRS. Columns of the parcel schema (``table``, ``use``,
        ``right``, ``grade``, ``plot_ratio``, ``term_years``, ``area_m2`` (or
        an area header in 亩/公顷), ``sum_k``, ``development_adj``, Chinese
        headers accepted) override the options per row. Points need an area
        column to get a total value.
    table, use, right : str, optional
        Defaults for rows without their own (Chinese names accepted). *right*
        defaults to the use's only right.
    options : ValuationOptions, optional
        Coefficients, dates, tables, the step order.
    zones : geopandas.GeoDataFrame, optional
        Validated grade zones (default: the layer store's, the demo layer unless replaced).
    districts : geopandas.GeoDataFrame, optional
        District layer (default: the layer store's).
    id_column : str, optional
        Column naming parcels in messages.
    on_error : {"raise", "flag"}
        Raise naming every bad parcel, or keep every row and describe its
        problem in an ``error`` column with NaN values.
    columns : mapping, optional
        ``{your header: schema column}`` for headers the parcel schema does not know.
    name : str
        How messages name the parcels (the CLI passes the file name).
    row_names : {"index", "line", "feature"}
        How rows without an id are named: index label, spreadsheet line (CSV/Excel)
        or feature number (vector files); see :class:`zzgeo._problems.RowNames`.
    first : int, optional
        The line or feature number of the first row, for a partition of a
        larger register (see :func:`zzgeo.landprice.valuation.scale.value_parcels_dask`).
    whole : bool
        Whether *parcels* is the whole register: repeated parcel ids are
        checked only then (a partition's caller checks the whole first).

    Returns
    -------
    geopandas.GeoDataFrame
        The input columns (schema columns under their canonical names) plus
        district and its name, grade and its source, benchmark price, each
        coefficient, unit price (元/m², 元/亩), area (m², 亩), value (元),
        departure from the benchmark, warnings, ``steps`` (the order applied),
        ``zones_demo`` and ``doc_number``. Same index as *parcels*, in EPSG:4326.

    Raises
    ------
    ZzgeoError
        With ``on_error="raise"``: one error naming every parcel that cannot
        be valued (outside Zhengzhou or the grade map, a grade the table prints
        as "—", an unknown use, ...), of the kind of the first problem
        (:class:`~zzgeo.errors.OutsideAreaError`, :class:`~zzgeo.errors.SchemaError`, ...).

    Examples
    --------
    Grade zones of 商业服务业用地 on two squares beside Erqi Square: grade 1
    (1020 元/m², a floor price at FAR 2.0 for 40 years) west of x0, grade 2
    (895 元/m²) east of it. Both parcels are valued for 30 years at the
    default r = 7 %: K_term = (1 − 1.07^−30) / (1 − 1.07^−40) = 0.93079.

    * A: a point with 1000 m², grade 1 at the benchmark FAR 2.0:
      1020 × 0.93079 × 2.0 = 1898.81 元/m² of land, 1,898,815 元.
    * B: 200 m × 100 m across the border (half in each grade) at FAR 2.5:
      (1020 + 895) / 2 × 0.93079 × 2.5 = 2228.08 元/m², × 20,000 m²; with no
      plot-ratio table K_plot = 1, and the result says so.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> from zzgeo.landprice import ValuationOptions, value_parcels
    >>> from zzgeo.landprice.zones import validate_grade_zones
    >>> x0, y0 = 469364, 3847309  # 二七广场 (Erqi Square) in EPSG:4547 metres
    >>> zones = validate_grade_zones(gpd.GeoDataFrame(
    ...     {"table": ["collective_construction"] * 2, "use": ["commercial"] * 2, "grade": [1, 2]},
    ...     geometry=[box(x0 - 1000, y0 - 500, x0, y0 + 500), box(x0, y0 - 500, x0 + 1000, y0 + 500)], crs="EPSG:4547"))
    >>> parcels = gpd.GeoDataFrame({"parcel_id": ["A", "B"], "用途": ["商业", "商业"], "area_m2": [1000.0, None], "容积率": [None, 2.5]},
    ...                            geometry=[Point(x0 - 500, y0), box(x0 - 100, y0 - 50, x0 + 100, y0 + 50)], crs="EPSG:4547")
    >>> valued = value_parcels(parcels, zones=zones, options=ValuationOptions(term_years=30))
    >>> valued[["grade", "benchmark_yuan_m2", "k_term", "floor_to_ground", "unit_price_yuan_m2"]].round(2).values.tolist()
    [['1', 1020.0, 0.93, 2.0, 1898.81], ['1:50%, 2:50%', 957.5, 0.93, 2.5, 2228.08]]
    >>> valued["area_m2"].round().tolist(), valued["value_yuan"].round(-2).tolist()
    ([1000.0, 20000.0], [1898800.0, 44561600.0])
    >>> valued["warnings"].tolist(), valued["steps"].iloc[0]
    (['', 'no plot-ratio coefficient table given: K_plot = 1'], 'individual > term > plot_ratio > floor_to_ground > date > development')

    A parcel off the grade map is an error naming it; ``on_error="flag"``
    keeps it with the problem in the ``error`` column and no price:

    >>> parcels.loc[1, "geometry"] = Point(x0 + 5000, y0)
    >>> value_parcels(parcels, zones=zones)
    Traceback (most recent call last):
    ...
    zzgeo.errors.OutsideAreaError: parcels: 1 of 2 parcel(s) cannot be valued: 'B': outside the collective_construction grade map for commercial ...
    >>> flagged = value_parcels(parcels, zones=zones, on_error="flag")
    >>> flagged["unit_price_yuan_m2"].isna().tolist()
    [False, True]
    """
    check_on_error(on_error)
    opts = options or ValuationOptions()
    rules = valuation_rules()
    order = opts.step_order or check_order(rules.step_order)
    job = _read(parcels, districts, id_column, columns, name, row_names, first, whole)
    _start(job)
    if zones is None:
        from zzgeo.landprice.zones import default_zones

        zones = default_zones()
    for group in _groups(job, table, use, right):
        job.cols["use_zh"][group.rows] = group.info.name_zh
        job.cols["price_form"][group.rows] = group.info.price_form
        job.cols["right"][group.rows] = group.right
        job.cols["grade_source"][group.rows] = "map (DEMO)" if _is_demo(zones) else "map"
        _grade_and_benchmark(job, group, zones)
        _term(job, group, opts, rules)
        _plot_ratio(job, group, opts)
    when = _valuation_date(opts)
    k_date, date_source, date_warnings = date_correction(when, opts, rules=rules)
    unit = apply_steps(job.cols["benchmark"], _coefficients(job, opts, k_date), order)
    _impossible_prices(job, unit)
    area = _area(job)
    departure = _departures(job, unit, rules)
    if on_error == "raise":
        job.errors.raise_if_any(job.label, what="parcel(s) cannot be valued", name=name)
    context = {"when": when, "k_date": k_date, "date_source": date_source, "date_warnings": date_warnings,
               "order": order, "opts": opts, "rules": rules, "zones_demo": _is_demo(zones)}
    return _output(job, parcels.index, unit, area, departure, context)


def _table_source(table) -> str:
    if table is None:
        return ""
    if isinstance(table, Mapping):
        return "; ".join(f"{t.source} ({use})" for use, t in table.items())
    return table.source


def _impossible_prices(job: _Job, unit: np.ndarray) -> None:
    """A corrected price that is zero, negative or not finite is an error of its row (a development adjustment
    larger than the price, a date correction that overflows): never a figure."""
    graded = np.isfinite(job.cols["benchmark"]) & ~job.errors.bad()
    with np.errstate(invalid="ignore"):
        bad = graded & ~(np.isfinite(unit) & (unit > 0))
    job.errors.add(bad, lambda p: [
        f"the corrected price would be {unit[i]:,.2f} 元/m² (benchmark {job.cols['benchmark'][i]:g}, development adjustment "
        f"{job.cols['dev'][i]:g} 元/m²): check the coefficients and the adjustment" for i in p])


def _is_demo(zones: pd.DataFrame) -> bool:
    return bool(zones["demo"].astype(bool).any()) if "demo" in zones.columns else False


def _output(job: _Job, index: pd.Index, unit: np.ndarray, area: np.ndarray, departure: np.ndarray, ctx: dict) -> gpd.GeoDataFrame:
    errors = job.errors.joined()
    bad = errors != ""
    unit = np.where(bad, np.nan, unit)
    c, opts, rules = job.cols, ctx["opts"], ctx["rules"]
    names = dict(zip(*_district_names(), strict=True))
    result = {
        "district": c["district"],
        "district_name": pd.Series(c["district"]).map(names).to_numpy(dtype=object),
        "table": c["table"], "use": c["use"], "right": c["right"], "use_zh": c["use_zh"],
        "grade": c["grade_text"], "grade_source": np.where(c["grade_text"] == "", "", c["grade_source"]),
        "price_form": c["price_form"],
        "benchmark_yuan_m2": c["benchmark"], "benchmark_plot_ratio": c["far_b"], "plot_ratio": c["far"],
        "sum_k": c["sum_k"], "k_individual": individual_correction(c["sum_k"]),
        "reduction_rate": c["r"], "term_benchmark_years": c["n"], "term_years": c["m"], "k_term": c["k_term"],
        "k_plot": c["k_plot"], "floor_to_ground": c["to_ground"],
        "valuation_date": ctx["when"].isoformat(), "k_date": ctx["k_date"], "k_date_source": ctx["date_source"],
        "development_adj_yuan_m2": c["dev"],
        "unit_price_yuan_m2": unit, "unit_price_yuan_mu": np.round(unit * 10000.0 / 15.0, 2),
        "area_m2": area, "area_mu": area / MU_M2, "value_yuan": unit * area,
        "departure_pct": 100.0 * departure,
        "warnings": job.warnings.joined(),  # warnings of every parcel alike (K_date = 1) are in attrs["notes"]
        "error": errors,
        "steps": " > ".join(ctx["order"]),
        "reduction_rate_source": rules.reduction_rate_source if opts.reduction_rate is None else "given",
        "plot_ratio_source": _table_source(opts.plot_ratio_table) or rules.plot_ratio_source,
        "zones_demo": ctx["zones_demo"],
        "doc_number": DOC_NUMBER,
    }
    out = _input_columns(job, result)
    for key, value in result.items():
        column = _full(value, job.n)
        out[key] = pd.Series(column, index=out.index, dtype=column.dtype, copy=False)
    out.index = index
    rows = job.label
    out.attrs.update({"row_names": rows.kind, "first_row": rows.first, "id_column": job.ctx.id_column,
                      "name_column": "name", "generated_ids": False, "notes": [*job.ctx.file_notes, *ctx["date_warnings"]]})
    return out


def _input_columns(job: _Job, result: dict) -> gpd.GeoDataFrame:
    """The parcels as given: parsed schema columns (canonical names) and every other column, minus what the output replaces."""
    frame = job.ctx.frame
    out = frame[[c for c in frame.columns if c not in result]].copy()
    for name in job.ctx.values:
        if name in out.columns:
            values = job.ctx.values[name].to_numpy()
            out[name] = pd.Series(values, index=out.index, dtype=values.dtype, copy=False)
    return out


def _full(value: object, n: int) -> np.ndarray | pd.Categorical:
    """An output column: arrays as they are; a repeated text as a one-category column (writes as text)."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, str):
        return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[value])
    return np.full(n, value)


def _district_names() -> tuple[list[str], list[str]]:
    from zzgeo.districts import ZHENGZHOU_ADCODES

    return list(ZHENGZHOU_ADCODES), list(ZHENGZHOU_ADCODES.values())

