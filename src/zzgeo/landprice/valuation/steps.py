"""The correction steps of the benchmark coefficient correction method, each a pure function over arrays.

==================  ========  =====================================================  =======================
step                kind      coefficient                                            output column
==================  ========  =====================================================  =======================
individual          × K       1 + ΣK (individual and area factors, given)            ``k_individual``
term                × K       y = [1 - 1/(1+r)^m] / [1 - 1/(1+r)^n]                  ``k_term``
plot_ratio          × K       c(FAR) / c(FAR_benchmark), coefficient table           ``k_plot``
floor_to_ground     × K       FAR for floor-priced uses (楼面价), else 1             ``floor_to_ground``
date                × K       index(date) / index(2020-01-01), or (1+g)^months       ``k_date``
development         + D       development-level adjustment, 元/m², given             ``development_adj_yuan_m2``
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
    "STEPS",
    "STEP_NAMES",
    "Step",
    "apply_steps",
    "check_order",
    "date_correction",
    "floor_to_ground",
    "individual_correction",
    "plot_ratio_correction",
    "term_correction",
]


def individual_correction(sum_k: np.ndarray | float) -> np.ndarray:
    """K_individual = 1 + ΣK.

    Examples
    --------
    >>> individual_correction([0.05 - 0.02, -0.1]).round(2)
    array([1.03, 0.9 ])
    """
    return 1.0 + np.asarray(sum_k, dtype=float)


def term_correction(r: float | np.ndarray, m: float | np.ndarray, n: float | np.ndarray) -> np.ndarray:
    """Term coefficient y = [1 - 1/(1+r)^m] / [1 - 1/(1+r)^n]; ``inf`` means no term limit.

    In (0, 1] for 0 < m <= n and r > 0, increasing in m.

    Parameters
    ----------
    r : float or numpy.ndarray
        Land capitalisation rate.
    m : float or numpy.ndarray
        Years to value.
    n : float or numpy.ndarray
        The benchmark's term in years (``inf`` for no limit).

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    Commercial land (n = 40 years) valued for m = 30 years at r = 7 %:
    1.07^30 = 7.6123 and 1.07^40 = 14.9745, so
    y = (1 − 1/7.6123) / (1 − 1/14.9745) = 0.86863 / 0.93322 = 0.93079.
    The full term gives 1; 宅基地 (no term limit) valued for 70 years at 6 % gives
    1 − 1/1.06^70 = 1 − 0.01693 = 0.98307:

    >>> term_correction(0.07, [30, 40], 40).round(5)
    array([0.93079, 1.     ])
    >>> round(float(term_correction(0.06, 70, float("inf"))), 5)
    0.98307
    """
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return _kept_share(r, m) / _kept_share(r, n)


def _kept_share(r: float | np.ndarray, years: float | np.ndarray) -> np.ndarray:
    """1 - 1/(1+r)^years, and 1 where *years* is inf (no term limit): the power is taken only where it is finite."""
    r, years = np.broadcast_arrays(np.asarray(r, dtype=float), np.asarray(years, dtype=float))
    finite = ~np.isinf(years)
    if finite.all():
        return _one_less_discount(r, years)
    out = np.ones(r.shape)
    out[finite] = _one_less_discount(r[finite], years[finite])
    return out


def _one_less_discount(r: np.ndarray, years: np.ndarray) -> np.ndarray:
    """``1 - 1 / (1 + r) ** years``: the same operations in one new array (a row each, millions of rows)."""
    share = np.add(1.0, r, out=np.empty(np.shape(r)))  # an array also for one value (out= needs one)
    np.power(share, years, out=share)
    np.divide(1.0, share, out=share)
    return np.subtract(1.0, share, out=share)


def plot_ratio_correction(far: np.ndarray, far_benchmark: np.ndarray | float, table: PlotRatioTable | None) -> tuple[np.ndarray, np.ndarray]:
    """K_plot = c(FAR) / c(FAR_benchmark) and a mask of plot ratios the table does not cover.

    Without a table K_plot is 1 (the caller warns when FAR differs from the benchmark's).

    Examples
    --------
    With an (invented) table 0.8 / 1.0 / 1.15 at FAR 1 / 2 / 3 and the
    commercial benchmark FAR 2.0: FAR 2.5 gives 1.075 / 1.0; FAR 4 is outside
    the table (NaN, flagged):

    >>> from zzgeo.landprice.valuation import PlotRatioTable
    >>> table = PlotRatioTable((1.0, 2.0, 3.0), (0.8, 1.0, 1.15))
    >>> plot_ratio_correction([2.5, 4.0], 2.0, table)
    (array([1.075,   nan]), array([False,  True]))
    >>> plot_ratio_correction([2.5], 2.0, None)
    (array([1.]), array([False]))
    """
    far = np.asarray(far, dtype=float)
    if table is None:
        return np.ones_like(far), np.zeros(far.shape, dtype=bool)
    at_far, outside = table.coefficients(far)
    far_benchmark = np.asarray(far_benchmark, dtype=float)
    if far_benchmark.ndim == 0:  # one benchmark plot ratio for all (the common case): read the table once
        at_benchmark, outside_b = (a[0] for a in table.coefficients(far_benchmark.reshape(1)))
    else:
        at_benchmark, outside_b = table.coefficients(np.broadcast_to(far_benchmark, far.shape))
    return at_far / at_benchmark, outside | outside_b


def floor_to_ground(far: np.ndarray, floor_priced: np.ndarray | bool) -> np.ndarray:
    """FAR where the benchmark is a floor price (楼面价), else 1: ground price = floor price x FAR.

    Examples
    --------
    商业服务业 (floor price) at FAR 2.5, 工业 (ground price) at FAR 1.2:

    >>> floor_to_ground([2.5, 1.2], [True, False])
    array([2.5, 1. ])
    """
    far = np.asarray(far, dtype=float)
    return np.where(np.asarray(floor_priced, dtype=bool), far, 1.0)


def date_correction(when: dt.date, options: ValuationOptions, *, rules: ValuationRules | None = None) -> tuple[float, str, list[str]]:
    """Date coefficient K_date, its source, and warnings.

    By the given coefficient, a price index ratio, or (1 + g)^months from the
    base date 2020-01-01; without any, K_date = 1 with a warning when *when*
    is not the base date.

    Examples
    --------
    2021-01-01 is 366 days after the base date, 366 / 30.4375 = 12.02 months;
    at 0.5 % a month K_date = 1.005^12.02 = 1.06181:

    >>> import datetime as dt
    >>> from zzgeo.landprice.valuation import ValuationOptions
    >>> k, source, warnings = date_correction(dt.date(2021, 1, 1), ValuationOptions(monthly_growth_rate=0.005))
    >>> round(k, 5), source, warnings
    (1.06181, 'monthly growth 0.005 over 12.02 months', [])
    >>> date_correction(dt.date(2021, 1, 1), ValuationOptions())[2]
    ['valuation date 2021-01-01 differs from the base date 2020-01-01 but no price index or growth rate was given: K_date = 1']
    """
    from zzgeo.i18n import _
    from zzgeo.landprice.rules import document, valuation_rules
    from zzgeo.limits import check

    rules = rules or valuation_rules()
    base = dt.date.fromisoformat(document()["base_date"])
    if options.k_date is not None:
        return float(options.k_date), "given", []
    if options.price_index is not None:
        k = options.price_index.ratio(when, base)
        note = check("k_date", k, label=_("K_date from the price index ({date} vs {base})").format(date=when, base=base), shown=f"{k:.6g}")
        return k, f"price index ({options.price_index.source})", [note] if note else []
    if options.monthly_growth_rate is not None:
        months = (when - base).days / rules.days_per_month
        with np.errstate(over="ignore", under="ignore"):
            k = float(np.float64(1.0 + options.monthly_growth_rate) ** months)  # inf, not OverflowError: refused next
        label = _("K_date = (1 + {rate:g})^{months:.1f} months").format(rate=options.monthly_growth_rate, months=months)
        note = check("k_date", k, label=label, shown=f"{k:.6g}")
        return k, f"monthly growth {options.monthly_growth_rate:g} over {months:.2f} months", [note] if note else []
    warnings = []
    if when != base:
        warnings.append(_("valuation date {date} differs from the base date {base} but no price index or growth rate was given: K_date = 1")
                        .format(date=when, base=base))
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

    Returns
    -------
    numpy.ndarray
        元/m².

    Examples
    --------
    The module notes' case: 工业用地 一级 345 元/m², K_date = 1.2, D = 50 元/m².
    Date before development gives 345 × 1.2 + 50 = 464; development first
    gives (345 + 50) × 1.2 = 474:

    >>> k = {"individual": 1.0, "term": 1.0, "plot_ratio": 1.0, "floor_to_ground": 1.0, "date": 1.2, "development": 50.0}
    >>> apply_steps([345.0], k, STEP_NAMES), apply_steps([345.0], k, "development > individual > term > plot_ratio > floor_to_ground > date")
    (array([464.]), array([474.]))

    A single price gives a number:

    >>> apply_steps(345.0, k, STEP_NAMES)
    np.float64(464.0)
    """
    price = np.asarray(benchmark, dtype=float).copy()
    for name in check_order(order):
        value = np.asarray(coefficients[name], dtype=float)
        step = np.multiply if STEPS[name].kind == "multiply" else np.add
        price = step(price, value, out=price if value.shape in ((), price.shape) else None)  # in place when it fits
    return price[()] if price.ndim == 0 else price  # a scalar benchmark gives a numpy scalar, as before, not a 0-d array
