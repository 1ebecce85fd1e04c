"""The correction steps of the benchmark coefficient correction method, each a pure function over arrays.

==================  ========  =====================================================  =======================
step                kind      coefficient                                            output column
==================  ========  =====================================================  =======================
individual          × K       1 + ΣK (individual and area factors, given)            ``k_individual``
term                × K       y = [1 - 1/(1+r)^m] / [1 - 1/(1+r)^n]                  ``k_term``
plot_ratio          × K       c(FAR) / c(FAR_benchmark), coefficient table           ``k_plot``
floor_to_ground     × K       FAR for floor-priced uses (楼面价), else 1              ``floor_to_ground``
date                × K       index(date) / index(2020-01-01), or (1+g)^months      ``k_date``
development         + D       development-level adjustment, 元/m², given              ``development_adj_yuan_m2``
==================  ========  =====================================================  =======================

The order comes from ``data/landprice/valuation.toml`` (or the caller) and is
written into every output. Multiplicative steps commute; the additive one does
not, so its place changes the result: with K_date = 1.2 and D = 50 on 345 元/m²,
date before development gives 345 x 1.2 + 50 = 464, development first gives
(345 + 50) x 1.2 = 474.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from zzgeo.landprice.valuation.order import STEP_NAMES, STEPS, Step, check_order

if TYPE_CHECKING:  # pragma: no cover
    from zzgeo.landprice.rules import ValuationRules
    from zzgeo.landprice.valuation.options import PlotRatioTable, ValuationOptions

__all__ = [
    "Step",
    "STEPS",
    "STEP_NAMES",
    "check_order",
    "individual_correction",
    "term_correction",
    "plot_ratio_correction",
    "floor_to_ground",
    "date_correction",
    "apply_steps",
]


def individual_correction(sum_k: np.ndarray | float) -> np.ndarray:
    """K_individual = 1 + ΣK."""
    return 1.0 + np.asarray(sum_k, dtype=float)


def term_correction(r: float | np.ndarray, m: float | np.ndarray, n: float | np.ndarray) -> np.ndarray:
    """Term coefficient y = [1 - 1/(1+r)^m] / [1 - 1/(1+r)^n]; ``inf`` means no term limit.

    In (0, 1] for 0 < m <= n and r > 0, increasing in m.
    """
    r, m, n = (np.asarray(a, dtype=float) for a in (r, m, n))
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        num = np.where(np.isinf(m), 1.0, 1.0 - 1.0 / (1.0 + r) ** m)
        den = np.where(np.isinf(n), 1.0, 1.0 - 1.0 / (1.0 + r) ** n)
        return num / den


def plot_ratio_correction(far: np.ndarray, far_benchmark: np.ndarray | float, table: PlotRatioTable | None) -> tuple[np.ndarray, np.ndarray]:
    """K_plot = c(FAR) / c(FAR_benchmark) and a mask of plot ratios the table does not cover.

    Without a table K_plot is 1 (the caller warns when FAR differs from the benchmark's).
    """
    far = np.asarray(far, dtype=float)
    if table is None:
        return np.ones_like(far), np.zeros(far.shape, dtype=bool)
    at_far, outside = table.coefficients(far)
    at_benchmark, outside_b = table.coefficients(np.broadcast_to(np.asarray(far_benchmark, dtype=float), far.shape))
    return at_far / at_benchmark, outside | outside_b


def floor_to_ground(far: np.ndarray, floor_priced: np.ndarray | bool) -> np.ndarray:
    """FAR where the benchmark is a floor price (楼面价), else 1: ground price = floor price x FAR."""
    far = np.asarray(far, dtype=float)
    return np.where(np.asarray(floor_priced, dtype=bool), far, 1.0)


def date_correction(when: dt.date, options: ValuationOptions, *, rules: ValuationRules | None = None) -> tuple[float, str, list[str]]:
    """Date coefficient K_date, its source, and warnings.

    By the given coefficient, a price index ratio, or (1 + g)^months from the
    base date 2020-01-01; without any, K_date = 1 with a warning when *when*
    is not the base date.
    """
    from zzgeo.landprice.rules import document, valuation_rules

    from zzgeo.limits import check

    rules = rules or valuation_rules()
    base = dt.date.fromisoformat(document()["base_date"])
    if options.k_date is not None:
        return float(options.k_date), "given", []
    if options.price_index is not None:
        k = options.price_index.ratio(when, base)
        note = check("k_date", k, label=f"K_date from the price index ({when} vs {base})", shown=f"{k:.6g}")
        return k, f"price index ({options.price_index.source})", [note] if note else []
    if options.monthly_growth_rate is not None:
        months = (when - base).days / rules.days_per_month
        with np.errstate(over="ignore", under="ignore"):
            k = float(np.float64(1.0 + options.monthly_growth_rate) ** months)  # inf, not OverflowError: refused next
        label = f"K_date = (1 + {options.monthly_growth_rate:g})^{months:.1f} months"
        note = check("k_date", k, label=label, shown=f"{k:.6g}")
        return k, f"monthly growth {options.monthly_growth_rate:g} over {months:.2f} months", [note] if note else []
    warnings = []
    if when != base:
        warnings.append(f"valuation date {when} differs from the base date {base} but no price index or growth rate was given: K_date = 1")
    return 1.0, rules.date_source, warnings


def apply_steps(benchmark: np.ndarray, coefficients: Mapping[str, np.ndarray | float], order: Sequence[str]) -> np.ndarray:
    """The corrected price: the benchmark taken through each step in *order*.

    Parameters
    ----------
    benchmark : numpy.ndarray
        Benchmark prices, 元/m² (in the table's own form).
    coefficients : mapping
        Step name -> coefficient (multiplicative steps) or amount in 元/m² (``development``).
    order : sequence of str
        See :func:`check_order`.
    """
    price = np.asarray(benchmark, dtype=float).copy()
    for name in check_order(order):
        value = np.asarray(coefficients[name], dtype=float)
        price = price * value if STEPS[name].kind == "multiply" else price + value
    return price
