"""Inputs of the correction method: options, the plot-ratio coefficient table, the land price index.

Every input is checked when it is made, so a bad one fails before any parcel
is valued: coefficients and index values must be positive and finite, terms
and plot ratios positive, the step order a permutation of the known steps.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from zzgeo.errors import ParameterError, SchemaError

__all__ = ["PlotRatioTable", "PriceIndex", "ValuationOptions"]


def _positive_finite(values: Sequence[float], what: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    bad = ~np.isfinite(arr) | (arr <= 0)
    if bad.any():
        raise ParameterError(f"{what} must be positive finite numbers; got {float(arr[bad][0])!r}")
    return arr


@dataclass(frozen=True)
class PlotRatioTable:
    """Plot-ratio correction coefficients, linearly interpolated (容积率修正系数表).

    Parameters
    ----------
    plot_ratio : tuple of float
        Strictly increasing plot ratios (at least two).
    coefficient : tuple of float
        The coefficient at each plot ratio (positive).
    source : str
        Where the table comes from; every output names it.
    """

    plot_ratio: tuple[float, ...]
    coefficient: tuple[float, ...]
    source: str = "user table"

    def __post_init__(self) -> None:
        far = np.asarray(self.plot_ratio, dtype=float)
        if len(far) < 2 or len(far) != len(self.coefficient) or (np.diff(far) <= 0).any():
            msg = f"plot-ratio table needs >= 2 rows with strictly increasing plot ratios; got {self.plot_ratio!r}"
            raise SchemaError(msg)
        _positive_finite(far, "plot-ratio table: plot ratios")
        _positive_finite(self.coefficient, "plot-ratio table: coefficients")

    @property
    def range(self) -> tuple[float, float]:
        """The smallest and largest plot ratio of the table."""
        return float(self.plot_ratio[0]), float(self.plot_ratio[-1])

    def coefficients(self, far: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Interpolated coefficients and a mask of plot ratios outside the table (NaN there; no extrapolation)."""
        far = np.asarray(far, dtype=float)
        lo, hi = self.range
        outside = (far < lo) | (far > hi)
        values = np.interp(far, self.plot_ratio, self.coefficient)
        values[outside | np.isnan(far)] = np.nan
        return values, outside

    def at(self, far: np.ndarray) -> np.ndarray:
        """Interpolated coefficient; raises outside the table's range (no extrapolation)."""
        values, outside = self.coefficients(far)
        if outside.any():
            lo, hi = self.plot_ratio[0], self.plot_ratio[-1]
            msg = f"plot ratio {float(np.asarray(far, dtype=float)[outside][0])!r} is outside the coefficient table's range {lo}..{hi}"
            raise SchemaError(msg)
        return values

    @classmethod
    def from_csv(cls, path: str | Path, *, use: str | None = None) -> PlotRatioTable:
        """Read ``plot_ratio,coefficient[,use]`` rows (容积率,修正系数 accepted)."""
        import pandas as pd

        from zzgeo.io import read_table

        frame = read_table(path).rename(columns={"容积率": "plot_ratio", "修正系数": "coefficient", "用途": "use"})
        if not {"plot_ratio", "coefficient"} <= set(frame.columns):
            raise SchemaError(f"{str(path)!r} needs columns plot_ratio,coefficient; has {list(frame.columns)}")
        if "use" in frame.columns and use is not None:
            frame = frame[frame["use"] == use]
        numbers = frame[["plot_ratio", "coefficient"]].apply(pd.to_numeric, errors="coerce")
        if numbers.isna().any().any():
            bad = numbers.index[numbers.isna().any(axis=1)][0]
            raise SchemaError(f"{str(path)!r}: row {bad!r} is not two numbers: {frame.loc[bad, ['plot_ratio', 'coefficient']].tolist()!r}")
        numbers = numbers.sort_values("plot_ratio")
        return cls(tuple(numbers["plot_ratio"]), tuple(numbers["coefficient"]), source=str(path))


@dataclass(frozen=True)
class PriceIndex:
    """A land price index by date (地价指数); the date coefficient is index(date) / index(base date).

    Raises
    ------
    ParameterError
        An index value that is zero, negative or not finite, or two values for one date.
    """

    dates: tuple[dt.date, ...]
    values: tuple[float, ...]
    source: str = "user index"

    def __post_init__(self) -> None:
        if not self.dates or len(self.dates) != len(self.values):
            raise ParameterError(f"price index needs one value per date; got {len(self.dates)} dates, {len(self.values)} values")
        _positive_finite(self.values, f"price index ({self.source}): index values")
        if len(set(self.dates)) != len(self.dates):
            raise ParameterError(f"price index ({self.source}) gives a date twice: {sorted(self.dates)!r}")
        if list(self.dates) != sorted(self.dates):
            order = np.argsort([d.toordinal() for d in self.dates])
            object.__setattr__(self, "dates", tuple(self.dates[i] for i in order))
            object.__setattr__(self, "values", tuple(self.values[i] for i in order))

    def ratio(self, when: dt.date, base: dt.date) -> float:
        """Index ratio, interpolated linearly in time; raises outside the index's dates."""
        ordinals = [d.toordinal() for d in self.dates]
        for d in (when, base):
            if not ordinals[0] <= d.toordinal() <= ordinals[-1]:
                msg = f"price index covers {self.dates[0]}..{self.dates[-1]}; {d} is outside it"
                raise SchemaError(msg)
        at = np.interp([when.toordinal(), base.toordinal()], ordinals, self.values)
        return float(at[0] / at[1])

    @classmethod
    def parse(cls, text: str, *, source: str = "command line") -> PriceIndex:
        """Parse ``"2020-01-01=100,2023-06-30=92.4"``."""
        try:
            pairs = [(dt.date.fromisoformat(k.strip()), float(v)) for k, v in (p.split("=") for p in text.split(","))]
        except ValueError as exc:
            raise SchemaError(f"price index {text!r}: write DATE=VALUE pairs, e.g. 2020-01-01=100,2023-06-30=92.4") from exc
        return cls(tuple(d for d, _ in pairs), tuple(v for _, v in pairs), source=source)


@dataclass(frozen=True)
class ValuationOptions:
    """Inputs of the correction; ``None`` means "use the documented default".

    Parameters
    ----------
    valuation_date : datetime.date, optional
        Defaults to the benchmark's base date 2020-01-01.
    reduction_rate : float, optional
        Land capitalisation rate r, 0 < r < 1 (default per use from ``data/landprice/valuation.toml``).
    term_years : float, optional
        Years to value, m > 0 (default: the benchmark's term n, so K_term = 1).
    plot_ratio : float, optional
        The parcel's plot ratio, > 0 (default: the benchmark's).
    plot_ratio_table : PlotRatioTable, optional
        Without one K_plot = 1.
    price_index, monthly_growth_rate :
        Date correction by index ratio, or (1 + g)^months.
    individual_factors : mapping of str to float
        Individual/area factor corrections K_i; their sum ΣK multiplies as (1 + ΣK), so ΣK > -1.
    development_adjustment_yuan_m2 : float
        D, added at the development step (positive when the parcel is better developed than 五通一平).
    k_term, k_plot, k_date : float, optional
        Use these coefficients as given instead of computing them (positive).
    step_order : sequence of str, optional
        The order of the correction steps (default: the rule file's, see
        :data:`zzgeo.landprice.valuation.STEP_NAMES`); every step exactly once.

    Raises
    ------
    ParameterError
        A rate, term, plot ratio, coefficient or growth rate out of range, or a bad step order.
    """

    valuation_date: dt.date | None = None
    reduction_rate: float | None = None
    term_years: float | None = None
    plot_ratio: float | None = None
    plot_ratio_table: PlotRatioTable | None = None
    price_index: PriceIndex | None = None
    monthly_growth_rate: float | None = None
    individual_factors: Mapping[str, float] = field(default_factory=dict)
    development_adjustment_yuan_m2: float = 0.0
    k_term: float | None = None
    k_plot: float | None = None
    k_date: float | None = None
    step_order: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        def check(value: float | None, what: str, low: float, high: float = math.inf, *, open_low: bool = True) -> None:
            if value is None:
                return
            ok = math.isfinite(value) and (value > low if open_low else value >= low) and value <= high
            if not ok:
                bound = f"> {low:g}" if open_low else f">= {low:g}"
                raise ParameterError(f"{what} = {value!r}: must be a finite number {bound}" + (f" and <= {high:g}" if high < math.inf else ""))

        check(self.reduction_rate, "reduction rate r", 0.0, 1.0)
        check(self.term_years, "term m (years to value)", 0.0, math.inf)
        check(self.plot_ratio, "plot ratio", 0.0)
        check(self.monthly_growth_rate, "monthly growth rate g", -1.0)
        for name in ("k_term", "k_plot", "k_date"):
            check(getattr(self, name), name, 0.0)
        check(float(self.development_adjustment_yuan_m2), "development adjustment D (元/m²)", -math.inf, math.inf)
        sum_k = float(sum(self.individual_factors.values()))
        if not math.isfinite(sum_k) or sum_k <= -1.0:
            raise ParameterError(f"individual factors sum to ΣK = {sum_k!r}; the price is multiplied by 1 + ΣK, so ΣK must be > -1")
        if self.price_index is not None and self.monthly_growth_rate is not None:
            raise ParameterError("give a price index or a monthly growth rate for the date correction, not both")
        if self.step_order is not None:
            from zzgeo.landprice.valuation.steps import check_order

            object.__setattr__(self, "step_order", check_order(self.step_order))

    @property
    def sum_k(self) -> float:
        """ΣK of the individual factors."""
        return float(sum(self.individual_factors.values()))
