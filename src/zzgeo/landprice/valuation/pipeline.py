"""``value_parcels``: the valuation as a pipeline of named stages.

::

    read and check   the common register loader, schema data/landprice/parcels.toml
    district         from the loader's location check (exact index, see zzgeo.spatial.index)
    table/use/right  per row, else the options
    grade            the parcel's own grade, else the grade map (area-weighted across zones)
    benchmark        the printed price of 郑政文〔2022〕42号 (or of the valuer's own table, ``price_table=``)
                     for that table, use, right and grade
    steps            the correction steps (steps.py) in the rule file's or the caller's order
    area and value   polygons measured in EPSG:4547; points take their area column
    warnings         K = 1 for want of a table or index, departure >= 30 %, grade disagreement
    output           the input columns plus ~30 columns: every coefficient, its source, the order

Each stage reads and writes arrays of one :class:`._job.Job`; text is held as
codes until the output is built (:mod:`._output`). Per-row problems are
collected once (:class:`zzgeo._problems.RowProblems`) and either raised as one
error naming the parcels or kept in the ``error`` column. Rows are handled by
position, so duplicate index labels never mix parcels; the output carries the
input's index. The grade stage is :mod:`._grades`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo._problems import check_on_error
from zzgeo.errors import SchemaError, UnknownCodeError, ZzgeoError
from zzgeo.i18n import _
from zzgeo.landprice.rules import (
    PriceTables,
    active_price_tables,
    document,
    use_info,
    using_price_tables,
    valuation_rules,
)
from zzgeo.landprice.valuation._grades import Group, ZoneSets, grade_and_benchmark
from zzgeo.landprice.valuation._inputs import plot_ratio_inputs, term_inputs
from zzgeo.landprice.valuation._job import FLOAT_COLUMNS, GradeCodes, Job, KeyTexts
from zzgeo.landprice.valuation._output import build_output
from zzgeo.landprice.valuation.options import ValuationOptions
from zzgeo.landprice.valuation.steps import (
    apply_steps,
    check_order,
    date_correction,
    individual_correction,
)
from zzgeo.landprice.valuer_table import price_tables_of

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from zzgeo.landprice.rules import ValuationRules

__all__ = ["SCHEMA", "value_parcels"]

#: The packaged schema of parcel lists.
SCHEMA = "landprice/parcels.toml"


# ----------------------------------------------------------------------------- read and check


def _read(parcels: gpd.GeoDataFrame, districts, id_column: str | None, columns, name: str, row_names: str,
          first: int | None, whole: bool) -> Job:
    from zzgeo.landprice.valuer_table import schema_for
    from zzgeo.registers import check_register

    if len(parcels) == 0:
        raise SchemaError(_("{name}: the layer has no rows").format(name=name))
    ctx = check_register(parcels.reset_index(drop=True), schema_for(SCHEMA), columns=columns, districts=districts, name=name,
                         row_names=row_names, id_column=id_column, first=first, whole=whole)
    ctx.label.index = parcels.index  # rows are handled by position; messages name them by the caller's labels
    geoms, _empty, types = ctx.geometry_facts()
    xy = ctx.xy() if len(types) and (types == 0).all() else None
    return Job(ctx=ctx, geoms=geoms, types=types, xy=xy, label=ctx.label)


# ----------------------------------------------------------------------------- table, use, right


def _option(vocabulary: str, value: str | None) -> str | None:
    from zzgeo.landprice.valuer_table import schema_for
    from zzgeo.registers import load_schema

    if value is None:
        return None
    return load_schema(schema_for(SCHEMA)).vocabularies[vocabulary].parse(value) or value


def _codes(job: Job, column: str, default: str | None) -> tuple[np.ndarray | None, np.ndarray]:
    """Codes and distinct values of a key column; empty cells take *default* (None when there is none).
    Codes are None when the parcels lack the column (every row has the one value *default*)."""
    if not job.has(column):
        return None, np.array([default], dtype=object)
    codes, _written, parsed = job.ctx.codes[column]  # factorised once by the loader
    values = parsed.copy()
    values[-1] = default  # empty cells take the option
    return codes, values


def _first_seen(codes: np.ndarray | None, n: int) -> np.ndarray:
    """Each row's rank of its code in order of first appearance (as ``pandas.factorize`` numbers them), in the
    narrowest integer type. A few distinct small codes (the common case) are ranked without a hash table."""
    if codes is None:
        return np.zeros(n, dtype=np.uint8)
    top = int(codes.max()) + 1
    present = np.flatnonzero(np.bincount(codes, minlength=top)) if top <= 1 << 16 else None
    if present is None or len(present) > 16:  # one pass per code: past ~16 codes factorize is faster (10^6 rows)
        ranks = pd.factorize(codes)[0]
        return ranks.astype(np.min_scalar_type(int(ranks.max()) + 1), copy=False)
    first = np.array([np.argmax(codes == code) for code in present])  # one comparison per distinct code
    rank = np.zeros(top, dtype=np.min_scalar_type(len(present)))
    rank[present[np.argsort(first)]] = np.arange(len(present))
    return rank[codes]


def _groups(job: Job, table: str | None, use: str | None, right: str | None) -> list[Group]:
    """The groups of rows of one (table, use, right) that can be valued; every row's key and its texts in ``job.keys``."""
    keys = [_codes(job, "table", _option("table", table)), _codes(job, "use", _option("use", use)),
            _codes(job, "right", _option("right", right))]
    combined = None
    for codes, values in keys:  # one code per distinct (table, use, right); a column the parcels lack adds nothing
        if codes is not None:
            combined = codes if combined is None else combined * (len(values) + 1) + codes
    key_of = _first_seen(combined, job.n)  # a byte or two per row, and a radix sort
    count = int(key_of.max()) + 1
    order = np.argsort(key_of, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(key_of, minlength=count))))
    texts = {name: np.empty(count, dtype=object) for name in ("table", "use", "right", "use_zh", "price_form")}
    groups = []
    for k in range(count):
        rows = order[bounds[k]:bounds[k + 1]]
        table_k, use_k, right_k = (values[0 if codes is None else codes[rows[0]]] for codes, values in keys)
        group = _group(job, table_k, use_k, right_k, rows, k)
        texts["use"][k] = use_k
        texts["table"][k], texts["right"][k] = (group.table, group.right) if group else (table_k, right_k)
        texts["use_zh"][k], texts["price_form"][k] = (group.info.name_zh, group.info.price_form) if group else ("", "")
        if group is not None:
            groups.append(group)
    job.keys = KeyTexts(key_of, **texts)
    return groups


def _table_of(use: object) -> str:
    """The table of a use that only one table has (commercial -> collective_construction)."""
    from zzgeo.landprice.rules import _tables

    holders = [t for t, spec in _tables().items() if use in spec["uses"]]
    if len(holders) == 1:
        return holders[0]
    if not holders:
        raise UnknownCodeError(_("unknown use {use!r}; uses: {uses}").format(
            use=use, uses=sorted({u for spec in _tables().values() for u in spec["uses"]})))
    raise SchemaError(_("use {use!r} is in {n} tables ({tables}): pass --table or give a table column").format(
        use=use, n=len(holders), tables=", ".join(holders)))


def _group(job: Job, table: object, use: object, right: object, rows: np.ndarray, key: int) -> Group | None:
    try:
        if pd.isna(use):
            raise SchemaError(_("no use given: pass --use or give the parcels a use column (用途)"))
        if pd.isna(table):
            table = _table_of(use)
        info = use_info(str(table), str(use))
        if pd.isna(right) or not right:
            if len(info.rights) != 1:
                raise SchemaError(_("{table}/{use} has rights {rights}: pass --right or a right column").format(
                    table=table, use=use, rights=sorted(info.rights)))
            right = next(iter(info.rights))
        if right not in info.rights:
            raise UnknownCodeError(_("unknown right {right!r} for {table}/{use}; rights: {rights}").format(
                right=right, table=table, use=use, rights=sorted(info.rights)))
    except ZzgeoError as exc:
        flagged = job.errors.bad()[rows]  # an unknown word was already named: do not add "no use given" to it
        job.errors.add(rows[~flagged] if pd.isna(use) else rows, str(exc), kind=type(exc))
        return None
    return Group(str(table), str(use), str(right), info, rows, key)


# ----------------------------------------------------------------------------- the pipeline


def _start(job: Job) -> None:
    job.cols.update({k: np.full(job.n, np.nan) for k in FLOAT_COLUMNS})
    job.grades = GradeCodes.empty(job.n)


def _valuation_date(opts: ValuationOptions) -> dt.date:
    return opts.valuation_date or dt.date.fromisoformat(document()["base_date"])


def _coefficients(job: Job, opts: ValuationOptions, k_date: float) -> dict[str, np.ndarray]:
    sum_k = _given_or(job, "sum_k", opts.sum_k)
    dev = _given_or(job, "development_adj", float(opts.development_adjustment_yuan_m2))
    job.cols["sum_k"], job.cols["dev"], job.cols["k_individual"] = sum_k, dev, individual_correction(sum_k)
    return {"individual": job.cols["k_individual"], "term": job.cols["k_term"], "plot_ratio": job.cols["k_plot"],
            "floor_to_ground": job.cols["to_ground"], "date": k_date, "development": dev}


def _given_or(job: Job, column: str, default: float) -> np.ndarray:
    """A parsed input column with *default* where a row has no value (all rows when the parcels lack the column)."""
    if not job.has(column):
        return np.full(job.n, default, dtype=float)
    given = job.column(column)
    return np.where(np.isfinite(given), given, default)


def _area(job: Job) -> np.ndarray:
    from zzgeo.crs import METRIC_CRS

    polygon = np.isin(job.types, (3, 6))
    area = job.column("area_m2").copy()
    if polygon.any():
        area[polygon] = job.ctx.frame.geometry[polygon].to_crs(METRIC_CRS).area.to_numpy()
    job.warnings.add(~polygon & np.isnan(area), _("point parcel without area_m2/area_mu: unit price only"))
    return area


def _departures(job: Job, unit: np.ndarray, rules: ValuationRules) -> np.ndarray:
    """Departure from the benchmark, compared in the table's own unit (floor prices for floor uses)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        departure = np.divide(unit, job.cols["to_ground"])
        departure /= job.cols["benchmark"]
        departure -= 1.0
    big = np.flatnonzero(np.abs(departure) >= rules.departure_threshold)
    if len(big):  # format each distinct rounded departure once
        which, distinct = pd.factorize(np.round(100.0 * departure[big], 1))
        text = _("corrected price departs from the benchmark by {departure:+.1f}% (>= {threshold:.0f}%): check the coefficients")
        texts = np.array([text.format(departure=d, threshold=100 * rules.departure_threshold) for d in distinct], dtype=object)
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
    price_table: PriceTables | str | Path | None = None,
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
    price_table : PriceTables, str or Path, optional
        The valuer's own benchmark price table (:func:`zzgeo.landprice.valuer_table.load_price_table`,
        e.g. 郑政文〔2019〕49号's urban state-owned land) instead of the shipped 郑政文〔2022〕42号;
        the same steps and outputs, ``doc_number`` naming its document. The grade
        zones must then grade its tables (``zones=``, see :func:`~zzgeo.landprice.zones.load_grade_zones`).

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
    with using_price_tables(price_tables_of(price_table)):
        return _value(parcels, table, use, right, options, zones, districts, id_column, on_error, columns, name, row_names,
                      first, whole)


def _value(parcels, table, use, right, options, zones, districts, id_column, on_error, columns, name, row_names, first,
           whole) -> gpd.GeoDataFrame:
    """:func:`value_parcels` with the price tables in use set."""
    opts = options or ValuationOptions()
    rules = valuation_rules()
    order = opts.step_order or check_order(rules.step_order)
    job = _read(parcels, districts, id_column, columns, name, row_names, first, whole)
    _start(job)
    if zones is None:
        from zzgeo.landprice.zones import default_zones

        zones = default_zones()
    groups = _groups(job, table, use, right)
    _grade_groups(job, groups, zones)
    term_inputs(job, groups, opts, rules)
    plot_ratio_inputs(job, groups, opts)
    when = _valuation_date(opts)
    k_date, date_source, date_warnings = date_correction(when, opts, rules=rules)
    unit = apply_steps(job.cols["benchmark"], _coefficients(job, opts, k_date), order)
    _impossible_prices(job, unit)
    area = _area(job)
    departure = _departures(job, unit, rules)
    if on_error == "raise":
        job.errors.raise_if_any(job.label, what=_("parcel(s) cannot be valued"), name=name)
    context = {"when": when, "k_date": k_date, "date_source": date_source, "date_warnings": date_warnings + _table_notes(zones),
               "order": order, "opts": opts, "rules": rules, "zones_demo": _is_demo(zones)}
    del groups  # their rows (an index per parcel) are not read again: the output's arrays may take the memory
    return build_output(job, parcels.index, unit, area, departure, context)


def _grade_groups(job: Job, groups: list[Group], zones: gpd.GeoDataFrame) -> None:
    """The grade and benchmark stage of every group, the zones read once."""
    zone_sets = ZoneSets(zones)
    for group in groups:
        grade_and_benchmark(job, group, zone_sets)


def _impossible_prices(job: Job, unit: np.ndarray) -> None:
    """A corrected price that is zero, negative or not finite is an error of its row (a development adjustment
    larger than the price, a date correction that overflows): never a figure."""
    graded = np.isfinite(job.cols["benchmark"]) & ~job.errors.bad()
    with np.errstate(invalid="ignore"):
        bad = graded & ~(np.isfinite(unit) & (unit > 0))
    text = _("the corrected price would be {price:,.2f} 元/m² (benchmark {benchmark:g}, development adjustment "
             "{adjustment:g} 元/m²): check the coefficients and the adjustment")
    job.errors.add(bad, lambda p: [text.format(price=unit[i], benchmark=job.cols["benchmark"][i], adjustment=job.cols["dev"][i])
                                   for i in p])


def _table_notes(zones: pd.DataFrame) -> list[str]:
    """With a valuer's own table: where its prices come from, DEMO figures, and grades it prices that the grade map lacks."""
    tables = active_price_tables()
    if tables.shipped:
        return []
    from zzgeo.landprice.zones import coverage_notes

    notes = [_("benchmark prices of {document} from the valuer's table {source} (base date {date})").format(
        document=tables.doc_number, source=tables.source, date=tables.document["base_date"])]
    if tables.demo:
        notes.append(_("DEMO price table ({document}): the figures are fictional, no value built on them is real").format(
            document=tables.doc_number))
    return notes + coverage_notes(zones)


def _is_demo(zones: pd.DataFrame) -> bool:
    return bool(zones["demo"].astype(bool).any()) if "demo" in zones.columns else False
