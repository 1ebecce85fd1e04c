"""Inputs of the term and plot-ratio steps for every row at once, from one value per (table, use, right) key.

A group's constants (r, the legal term n, the benchmark plot ratio, the price
form, the defaults of the options) are spread to its rows by one take per
column (:meth:`._job.KeyTexts.per_row`); each coefficient is then one array
operation over all rows. Rows whose key could not be valued stay NaN.

Examples
--------
The legal term n of two keys, spread to four rows; the third row's key could not be valued:

>>> import numpy as np
>>> from zzgeo.landprice.valuation._job import KeyTexts
>>> keys = KeyTexts(np.array([0, 1, 2, 0]), *(np.empty(3, dtype=object) for _ in range(5)))
>>> keys.per_row({0: 40.0, 1: float("inf")}).tolist()
[40.0, inf, nan, 40.0]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from zzgeo.errors import SchemaError, ZzgeoError
from zzgeo.i18n import _
from zzgeo.landprice.valuation.steps import (
    _kept_share,
    plot_ratio_correction,
    term_correction,
)

if TYPE_CHECKING:  # pragma: no cover
    from zzgeo.landprice.rules import ValuationRules
    from zzgeo.landprice.valuation._grades import Group
    from zzgeo.landprice.valuation._job import Job
    from zzgeo.landprice.valuation.options import ValuationOptions

__all__ = ["plot_ratio_inputs", "term_inputs"]


def _valued(job: Job, groups: list[Group]) -> np.ndarray:
    """Rows whose key can be valued."""
    return job.keys.per_row({g.key: True for g in groups}, fill=False, dtype=bool)


def term_inputs(job: Job, groups: list[Group], opts: ValuationOptions, rules: ValuationRules) -> None:
    """r, n, m and K_term of every row; a term longer than the legal one is an error of its row."""
    keys, valued = job.keys, _valued(job, groups)
    r = keys.per_row({g.key: opts.reduction_rate if opts.reduction_rate is not None else rules.reduction_rate(g.table, g.use)
                      for g in groups})
    n = keys.per_row({g.key: g.info.term_years for g in groups})
    default = keys.per_row({g.key: opts.term_years if opts.term_years is not None else g.info.term_years for g in groups})
    given = job.column("term_years")
    m = default  # the given term where a valued row has one (in place: one array less per row)
    np.copyto(m, given, where=np.isfinite(given) & valued)
    too_long = np.flatnonzero(m > n)
    if len(too_long):
        texts = np.full(len(keys.table), None, dtype=object)
        text = _("term longer than the benchmark's legal term {years:g} years")
        for g in groups:
            texts[g.key] = text.format(years=g.info.term_years)
        job.errors.add(too_long, texts[keys.of_row[too_long]], kind=SchemaError)
    job.cols["r"], job.cols["n"], job.cols["m"] = r, n, m
    job.cols["k_term"] = np.where(valued, opts.k_term, np.nan) if opts.k_term is not None else _k_term(job, groups, r, m)


def _k_term(job: Job, groups: list[Group], r: np.ndarray, m: np.ndarray) -> np.ndarray:
    """K_term = [1 - 1/(1+r)^m] / [1 - 1/(1+r)^n]: the numerator per row, the denominator once per key.

    The same figures as :func:`~zzgeo.landprice.valuation.steps.term_correction`
    of each row: with n = inf it returns its numerator unchanged (divided by 1),
    so ``term_correction(r, n, inf)`` is its denominator, and the numerators are
    the kept shares themselves (x / 1 is x, bit for bit).
    """
    den = job.keys.per_row({g.key: float(term_correction(r[g.rows[0]], g.info.term_years, np.inf)) for g in groups})
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        share = _kept_share(r, m)
        share /= den
    return share


def plot_ratio_inputs(job: Job, groups: list[Group], opts: ValuationOptions) -> None:
    """FAR, the benchmark's FAR, K_plot and the floor-to-ground factor of every row (agricultural land: 1 and 1)."""
    keys, valued = job.keys, _valued(job, groups)
    built = [g for g in groups if g.info.plot_ratio is not None]
    far_b = keys.per_row({g.key: g.info.plot_ratio for g in built})
    default = keys.per_row({g.key: opts.plot_ratio if opts.plot_ratio is not None else g.info.plot_ratio for g in built})
    given = job.column("plot_ratio")
    far = default  # the given plot ratio where a built row has one (in place)
    np.copyto(far, given, where=np.isfinite(given) & ~np.isnan(far_b))
    job.cols["far_b"], job.cols["far"] = far_b, far
    job.cols["k_plot"] = np.where(valued, 1.0 if opts.k_plot is None else opts.k_plot, np.nan)
    if opts.k_plot is None:
        _plot_ratio_coefficients(job, built, opts)
    floor = keys.per_row({g.key: g.info.price_form == "floor" for g in built}, fill=False, dtype=bool)
    job.cols["to_ground"] = np.where(floor, far, np.where(valued, 1.0, np.nan))


def _plot_ratio_coefficients(job: Job, built: list[Group], opts: ValuationOptions) -> None:
    """K_plot from the coefficient table of each use (read once per group at its benchmark FAR); rows outside a table are errors."""
    far, far_b = job.cols["far"], job.cols["far_b"]
    for group in built:
        try:
            table = opts.plot_ratio_table_for(group.use)
        except ZzgeoError as exc:  # per-use tables, none for this use: never another use's table
            job.errors.add(group.rows, str(exc), kind=type(exc))
            continue
        if table is None:
            continue
        rows = group.rows
        k_plot, outside = plot_ratio_correction(far[rows], group.info.plot_ratio, table)
        job.cols["k_plot"][rows] = k_plot
        lo, hi = table.range
        text = _("plot ratio {ratio:g} is outside the coefficient table's range {low:g}..{high:g}")
        job.errors.add(rows[outside], [text.format(ratio=v, low=lo, high=hi) for v in far[rows[outside]]])
    if opts.plot_ratio_table is None:
        built_rows = job.keys.per_row({g.key: True for g in built}, fill=False, dtype=bool)
        job.warnings.add(built_rows & (far != far_b), _("no plot-ratio coefficient table given: K_plot = 1"))
