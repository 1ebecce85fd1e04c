"""The output stage of :func:`~zzgeo.landprice.valuation.value_parcels`: one frame, built once from arrays.

The input columns come first (parsed schema columns under their canonical
names, every other column as given), then ~38 result columns. Every column
is placed as it is, without a copy, without pandas' block consolidation and
without string-dtype inference: text columns are object arrays (taken from
short per-key tables, see :mod:`._job`), a text repeated on every row is a
one-category column (it writes as text).

Examples
--------
>>> column("one text", 3)
['one text', 'one text', 'one text']
Categories (1, str): ['one text']
>>> column(2.5, 2), column(np.array([1.0, 2.0]), 2)
(array([2.5, 2.5]), array([1., 2.]))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.landprice.rules import MU_M2, doc_number

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from zzgeo.landprice.valuation._job import Job

__all__ = ["RECOMPUTED", "build_output", "column"]

#: Parcel columns the output replaces with the valuation's own (the key, grade, plot ratio, term, area, ΣK
#: used): their parsed values are read by the stages, never by the output.
RECOMPUTED = ("table", "use", "right", "grade", "plot_ratio", "term_years", "area_m2", "sum_k")


def build_output(job: Job, index: pd.Index, unit: np.ndarray, area: np.ndarray, departure: np.ndarray,
                 ctx: dict) -> gpd.GeoDataFrame:
    """The valued parcels: input columns, then the result columns of :func:`_results`, on *index*.

    *unit* (NaN set where a row has an error) and *departure* (in per cent) become output columns in place.
    One ``DataFrame`` of every column's array, labelled as ``concat([inputs, results], axis=1)`` would
    label them (repeated input headers included), made a GeoDataFrame without a copy.
    """
    import geopandas as gpd

    area_column = job.has("area_m2")  # an area column was read (a summary tells a blank cell from none)
    job.forget(RECOMPUTED)  # their memory serves the result columns made next
    result = _results(job, unit, area, departure, ctx)
    assert set(RECOMPUTED) <= result.keys(), "a forgotten input column must be one the output replaces"
    frame = job.ctx.frame
    kept = [i for i, label in enumerate(frame.columns) if label not in result]
    parts = [_input_column(job, frame.iloc[:, i]) for i in kept]
    parts += [_as_series(column(value, job.n), frame.index) for value in result.values()]
    out = pd.DataFrame(dict(enumerate(parts)), index=frame.index, copy=False)
    out.columns = frame.columns[kept].append(pd.Index(list(result)))
    out = gpd.GeoDataFrame(out, geometry=frame.geometry.name, copy=False)
    out.index = index
    rows = job.label
    out.attrs = {**frame.attrs, "row_names": rows.kind, "first_row": rows.first, "id_column": job.ctx.id_column,
                 "name_column": "name", "generated_ids": False, "notes": [*job.ctx.file_notes, *ctx["date_warnings"]],
                 "area_column": area_column}
    return out


def _as_series(values: np.ndarray | pd.Categorical, index: pd.Index) -> pd.Series | np.ndarray | pd.Categorical:
    """*values* as a column as they are: no copy, no string inference of object arrays (numbers need no Series)."""
    if values.dtype != object:
        return values
    return pd.Series(values, index=index, dtype=values.dtype, copy=False)


def _input_column(job: Job, given: pd.Series) -> pd.Series:
    """An input column as the output shows it: a schema column's parsed values (canonical name), else as given."""
    if given.name in job.ctx.values:
        return _as_series(job.ctx.values[given.name].to_numpy(), given.index)
    return given


def _results(job: Job, unit: np.ndarray, area: np.ndarray, departure: np.ndarray, ctx: dict) -> dict[str, object]:
    """The result columns, in output order: district, grade, every coefficient and its source, prices, problems."""
    c, keys, opts, rules = job.cols, job.keys, ctx["opts"], ctx["rules"]
    unit[job.errors.bad()] = np.nan  # in place (as departure below): the last use of both, no second copy at the peak
    district, district_name = _districts(job)
    spare = iter(job.spare())
    return {
        "district": district, "district_name": district_name,
        "table": keys.column("table"), "use": keys.column("use"), "right": keys.column("right"),
        "use_zh": keys.column("use_zh"), "grade": job.grades.texts(), "grade_source": _grade_sources(job, ctx["zones_demo"]),
        "price_form": keys.column("price_form"),
        "benchmark_yuan_m2": c["benchmark"], "benchmark_plot_ratio": c["far_b"], "plot_ratio": c["far"],
        "sum_k": c["sum_k"], "k_individual": c["k_individual"],
        "reduction_rate": c["r"], "term_benchmark_years": c["n"], "term_years": c["m"], "k_term": c["k_term"],
        "k_plot": c["k_plot"], "floor_to_ground": c["to_ground"],
        "valuation_date": ctx["when"].isoformat(), "k_date": ctx["k_date"], "k_date_source": ctx["date_source"],
        "development_adj_yuan_m2": c["dev"],
        "unit_price_yuan_m2": unit, "unit_price_yuan_mu": _per_mu(unit, next(spare, None)),
        "area_m2": area, "area_mu": np.divide(area, MU_M2, out=next(spare, None)),
        "value_yuan": np.multiply(unit, area, out=next(spare, None)),
        "departure_pct": np.multiply(departure, 100.0, out=departure),
        "warnings": job.warnings.joined(),  # warnings of every parcel alike (K_date = 1) are in attrs["notes"]
        "error": job.errors.joined(),
        "steps": " > ".join(ctx["order"]),
        "reduction_rate_source": rules.reduction_rate_source if opts.reduction_rate is None else "given",
        "plot_ratio_source": _table_source(opts.plot_ratio_table) or rules.plot_ratio_source,
        "zones_demo": ctx["zones_demo"],
        "doc_number": doc_number(),
    }


def _per_mu(unit: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """元/亩 of 元/m², to the fen: ``round(unit × 10000 / 15, 2)``, in one array (*out* when given)."""
    mu = np.multiply(unit, 10000.0, out=out)
    mu /= 15.0
    return np.round(mu, 2, out=mu)


def _districts(job: Job) -> tuple[np.ndarray, np.ndarray]:
    """adcode (the loader's) and name (:data:`zzgeo.districts.ZHENGZHOU_ADCODES`) of every row; NaN outside."""
    from zzgeo.districts import ZHENGZHOU_ADCODES

    adcodes, _names = job.ctx.district_table
    names = np.array([ZHENGZHOU_ADCODES.get(code, np.nan) for code in adcodes], dtype=object)
    return job.ctx.adcodes.to_numpy(dtype=object), names[job.ctx.district_rows]


def _grade_sources(job: Job, demo: bool) -> np.ndarray:
    """``""`` without a grade, ``"given"`` for the parcel's own grade, else ``"map"`` (``"map (DEMO)"``)."""
    labels = np.array(["", "map (DEMO)" if demo else "map", "given"], dtype=object)
    graded, given = (job.grades.code != 0).view(np.uint8), job.grades.given.view(np.uint8)
    return labels[graded * (given + np.uint8(1))]  # bytes, not 64-bit integers per row


def _table_source(table) -> str:
    from collections.abc import Mapping

    if table is None:
        return ""
    if isinstance(table, Mapping):
        return "; ".join(f"{t.source} ({use})" for use, t in table.items())
    return table.source


def column(value: object, n: int) -> np.ndarray | pd.Categorical:
    """An output column: arrays as they are; a repeated text as a one-category column (writes as text)."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, str):  # codes all 0 of one category: nothing to validate
        return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), dtype=pd.CategoricalDtype([value]), validate=False)
    return np.full(n, value)
