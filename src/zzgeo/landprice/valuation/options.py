"""Inputs of the correction method: options, the plot-ratio coefficient table, the land price index.

Every input is checked when it is made, so a bad one fails before any parcel
is valued: each numeric option against its hard range in ``data/limits.toml``
(the command line checks the same table), coefficients and index values
positive and finite, the step order a permutation of the known steps. Values
inside the hard range but outside the plausible one are kept and listed in
:attr:`ValuationOptions.notes`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from zzgeo.errors import ParameterError, SchemaError
from zzgeo.i18n import _
from zzgeo.landprice.valuation.order import check_order
from zzgeo.limits import check as check_limit

__all__ = ["PLOT_RATIO_SCHEMA", "PlotRatioTable", "PriceIndex", "ValuationOptions"]

#: Schema of plot-ratio coefficient tables (read by the common register loader).
PLOT_RATIO_SCHEMA = "landprice/plot_ratio_table.toml"


def _positive_finite(values: Sequence[float], what: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    bad = ~np.isfinite(arr) | (arr <= 0)
    if bad.any():
        raise ParameterError(_("{what} must be positive finite numbers; got {value!r}").format(what=what, value=float(arr[bad][0])))
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
    use : str, optional
        The use the table serves (tables read per use by :meth:`from_csv`).

    Raises
    ------
    SchemaError
        Fewer than two rows, or plot ratios not strictly increasing.
    ParameterError
        A plot ratio or coefficient that is not a positive finite number.

    Examples
    --------
    An (invented) table: 0.8 at FAR 1, 1.0 at FAR 2, 1.15 at FAR 3. FAR 2.5
    lies halfway between the last two: (1.0 + 1.15) / 2 = 1.075; FAR 4 is
    outside the table, which is never extrapolated:

    >>> table = PlotRatioTable((1.0, 2.0, 3.0), (0.8, 1.0, 1.15), source="example table")
    >>> table.at([2.5]), table.range
    (array([1.075]), (1.0, 3.0))
    >>> table.at([4.0])
    Traceback (most recent call last):
    ...
    zzgeo.errors.SchemaError: plot ratio 4.0 is outside the coefficient table's range 1.0..3.0
    """

    plot_ratio: tuple[float, ...]
    coefficient: tuple[float, ...]
    source: str = "user table"
    use: str | None = None

    def __post_init__(self) -> None:
        far = np.asarray(self.plot_ratio, dtype=float)
        if len(far) < 2 or len(far) != len(self.coefficient) or (np.diff(far) <= 0).any():
            if self.use:
                msg = _("plot-ratio table {source} for use {use!r} needs >= 2 rows with strictly increasing plot ratios; got {ratios!r}")
            else:
                msg = _("plot-ratio table {source} needs >= 2 rows with strictly increasing plot ratios; got {ratios!r}")
            raise SchemaError(msg.format(source=self.source, use=self.use, ratios=self.plot_ratio) if self.use
                              else msg.format(source=self.source, ratios=self.plot_ratio))
        _positive_finite(far, _("plot-ratio table: plot ratios"))
        _positive_finite(self.coefficient, _("plot-ratio table: coefficients"))

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
            msg = _("plot ratio {ratio!r} is outside the coefficient table's range {low}..{high}").format(
                ratio=float(np.asarray(far, dtype=float)[outside][0]), low=lo, high=hi)
            raise SchemaError(msg)
        return values

    @classmethod
    def from_csv(cls, path: str | Path) -> PlotRatioTable | dict[str, PlotRatioTable]:
        """Read a coefficient table (CSV/Excel: ``plot_ratio,coefficient[,use]``; 容积率,修正系数,用途 accepted).

        Read and checked by the common register loader (schema
        ``data/landprice/plot_ratio_table.toml``): numbers, ranges, repeated
        plot ratios, unknown uses are errors naming the line. Without a ``use``
        column the table serves every use; with one, it is one table per use,
        ``{use: PlotRatioTable}``, and a parcel whose use has no table is an error.
        """
        from zzgeo.registers import load_register

        frame = load_register(path, PLOT_RATIO_SCHEMA, name=str(path), hint=_("Fix the table"))
        source = str(path)
        if frame["use"].isna().all():
            order = np.argsort(frame["plot_ratio"].to_numpy(dtype=float), kind="stable")
            return cls(tuple(frame["plot_ratio"].to_numpy(dtype=float)[order].tolist()),
                       tuple(frame["coefficient"].to_numpy(dtype=float)[order].tolist()), source=source)
        if frame["use"].isna().any():
            line = int(np.flatnonzero(frame["use"].isna().to_numpy())[0]) + 2
            raise SchemaError(_("{source}: line {line} has no use while other rows have one; give every row a use, or none").format(
                source=source, line=line))
        tables = {}
        for use, rows in frame.groupby("use", sort=False):
            rows = rows.sort_values("plot_ratio", kind="stable")
            tables[str(use)] = cls(tuple(rows["plot_ratio"].astype(float).tolist()), tuple(rows["coefficient"].astype(float).tolist()),
                                   source=source, use=str(use))
        return tables


@dataclass(frozen=True)
class PriceIndex:
    """A land price index by date (地价指数); the date coefficient is index(date) / index(base date).

    Parameters
    ----------
    dates : tuple of datetime.date
        The index dates (sorted on creation).
    values : tuple of float
        The index value at each date.
    source : str
        Where the index comes from; every output names it.

    Raises
    ------
    ParameterError
        An index value that is zero, negative or not finite, or two values for one date.

    Examples
    --------
    An (invented) index of 100 at the base date 2020-01-01 and 110 two years
    later. On 2021-01-01, 366 of the 731 days on, it stands at
    100 + 10 × 366/731 = 105.007, so K_date = 1.05007:

    >>> import datetime as dt
    >>> index = PriceIndex((dt.date(2020, 1, 1), dt.date(2022, 1, 1)), (100.0, 110.0), source="example index")
    >>> index.ratio(dt.date(2022, 1, 1), dt.date(2020, 1, 1)), round(index.ratio(dt.date(2021, 1, 1), dt.date(2020, 1, 1)), 5)
    (1.1, 1.05007)
    >>> index.ratio(dt.date(2023, 1, 1), dt.date(2020, 1, 1))
    Traceback (most recent call last):
    ...
    zzgeo.errors.SchemaError: price index covers 2020-01-01..2022-01-01; 2023-01-01 is outside it
    """

    dates: tuple[dt.date, ...]
    values: tuple[float, ...]
    source: str = "user index"

    def __post_init__(self) -> None:
        if not self.dates or len(self.dates) != len(self.values):
            raise ParameterError(_("price index needs one value per date; got {dates} dates, {values} values").format(
                dates=len(self.dates), values=len(self.values)))
        _positive_finite(self.values, _("price index ({source}): index values").format(source=self.source))
        for value in self.values:
            check_limit("price_index", float(value), label=_("price index ({source}) value").format(source=self.source))
        for when in self.dates:
            check_limit("valuation_date", when, label=_("price index ({source}) date").format(source=self.source))
        if len(set(self.dates)) != len(self.dates):
            raise ParameterError(_("price index ({source}) gives a date twice: {dates!r}").format(source=self.source, dates=sorted(self.dates)))
        if list(self.dates) != sorted(self.dates):
            order = np.argsort([d.toordinal() for d in self.dates])
            object.__setattr__(self, "dates", tuple(self.dates[i] for i in order))
            object.__setattr__(self, "values", tuple(self.values[i] for i in order))

    def ratio(self, when: dt.date, base: dt.date) -> float:
        """Index ratio, interpolated linearly in time; raises outside the index's dates."""
        ordinals = [d.toordinal() for d in self.dates]
        for d in (when, base):
            if not ordinals[0] <= d.toordinal() <= ordinals[-1]:
                msg = _("price index covers {first}..{last}; {date} is outside it").format(first=self.dates[0], last=self.dates[-1], date=d)
                raise SchemaError(msg)
        at = np.interp([when.toordinal(), base.toordinal()], ordinals, self.values)
        return float(at[0] / at[1])

    @classmethod
    def parse(cls, text: str, *, source: str = "command line") -> PriceIndex:
        """Parse ``"2020-01-01=100,2023-06-30=92.4"``.

        Examples
        --------
        >>> import datetime as dt
        >>> index = PriceIndex.parse("2020-01-01=100,2023-06-30=92.4")
        >>> round(index.ratio(dt.date(2023, 6, 30), dt.date(2020, 1, 1)), 3)
        0.924
        """
        try:
            pairs = [(dt.date.fromisoformat(k.strip()), float(v)) for k, v in (p.split("=") for p in text.split(","))]
        except ValueError as exc:
            raise SchemaError(_("price index {text!r}: write DATE=VALUE pairs, e.g. 2020-01-01=100,2023-06-30=92.4").format(text=text)) from exc
        dates = [d for d, _value in pairs]
        repeated = sorted({d for d in dates if dates.count(d) > 1})
        if repeated:
            raise ParameterError(_("price index {text!r} gives {date} twice; give each date once").format(text=text, date=repeated[0]))
        return cls(tuple(dates), tuple(v for _date, v in pairs), source=source)

    def notes(self) -> list[str]:
        """Index values outside the plausible range (``data/limits.toml``)."""
        label = _("price index ({source}) value").format(source=self.source)
        return [n for v in self.values if (n := check_limit("price_index", float(v), label=label))]


@dataclass(frozen=True)
class ValuationOptions:
    """Inputs of the correction; ``None`` means "use the documented default".

    Parameters
    ----------
    valuation_date : datetime.date, optional
        Defaults to the base date (基准日) of the price table in use: 2020-01-01 for
        郑政文〔2022〕42号, a valuer's own table's (``price_table=``) otherwise.
    reduction_rate : float, optional
        Land capitalisation rate r, 0 < r <= 0.5 (the hard range of ``data/limits.toml``; default per use
        from ``data/landprice/valuation.toml``).
    term_years : float, optional
        Years to value, 0 < m <= 70 (default: the benchmark's term n, so K_term = 1).
    plot_ratio : float, optional
        The parcel's plot ratio, 0.01..30 (default: the benchmark's).
    plot_ratio_table : PlotRatioTable or dict of str to PlotRatioTable, optional
        One table for every use, or one per use (``PlotRatioTable.from_csv`` of a
        table with a ``use`` column); without one K_plot = 1.
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

    Examples
    --------
    30 years to value instead of the benchmark's 40, and two individual factors
    (+5 % 交通条件, −2 % 环境条件), ΣK = 0.03:

    >>> opts = ValuationOptions(term_years=30, individual_factors={"交通条件": 0.05, "环境条件": -0.02})
    >>> round(opts.sum_k, 2), opts.notes
    (0.03, [])

    A rate inside the hard range but outside the plausible one is kept with a
    note; one outside the hard range is refused:

    >>> ValuationOptions(reduction_rate=0.15).notes
    ['reduction_rate 0.15 is outside the plausible range 0.02..0.12 (Chinese land valuation uses 4-8 % (textbook ranges, data/landprice/valuation.toml))']
    >>> ValuationOptions(reduction_rate=0.8)
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: reduction_rate = 0.8: must be > 0 and <= 0.5 (land capitalisation (reduction) rate r): ...
    >>> ValuationOptions(step_order="date > individual > term > plot_ratio > floor_to_ground > development").step_order[:2]
    ('date', 'individual')
    """

    valuation_date: dt.date | None = None
    reduction_rate: float | None = None
    term_years: float | None = None
    plot_ratio: float | None = None
    plot_ratio_table: PlotRatioTable | Mapping[str, PlotRatioTable] | None = None
    price_index: PriceIndex | None = None
    monthly_growth_rate: float | None = None
    individual_factors: Mapping[str, float] = field(default_factory=dict)
    development_adjustment_yuan_m2: float = 0.0
    k_term: float | None = None
    k_plot: float | None = None
    k_date: float | None = None
    step_order: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        notes: dict[str, str | None] = {}
        for name, value in (("reduction_rate", self.reduction_rate), ("term_years", self.term_years),
                            ("plot_ratio", self.plot_ratio), ("monthly_growth", self.monthly_growth_rate),
                            ("development_adj", self.development_adjustment_yuan_m2), ("valuation_date", self.valuation_date)):
            notes[name] = check_limit(name, float(value) if isinstance(value, (int, float)) else value)
        for name in ("k_term", "k_plot", "k_date"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise ParameterError(_("{name} = {value!r}: must be a finite number > 0").format(name=name, value=value))
        for factor, value in self.individual_factors.items():
            notes[f"factor:{factor}"] = check_limit("factor", float(value), label=_("individual factor {factor!r}").format(factor=factor))
        sum_k = float(sum(self.individual_factors.values()))
        if not math.isfinite(sum_k) or sum_k <= -1.0:
            raise ParameterError(_("individual factors sum to ΣK = {sum_k!r}; the price is multiplied by 1 + ΣK, so ΣK must be > -1").format(
                sum_k=sum_k))
        notes["sum_k"] = check_limit("sum_k", sum_k, label=_("ΣK of the individual factors"))
        if self.price_index is not None:
            notes["price_index"] = "; ".join(self.price_index.notes())
        if self.price_index is not None and self.monthly_growth_rate is not None:
            raise ParameterError(_("give a price index or a monthly growth rate for the date correction, not both"))
        if self.plot_ratio_table is not None and not isinstance(self.plot_ratio_table, (PlotRatioTable, Mapping)):
            raise ParameterError(_("plot_ratio_table: a PlotRatioTable or a dict of them by use, got {kind}").format(
                kind=type(self.plot_ratio_table).__name__))
        if self.step_order is not None:
            object.__setattr__(self, "step_order", check_order(self.step_order))
        object.__setattr__(self, "_notes", {k: n for k, n in notes.items() if n})

    @property
    def notes(self) -> list[str]:
        """Options accepted but outside their plausible range (``data/limits.toml``)."""
        return list(getattr(self, "_notes", {}).values())

    def notes_for(self, *names: str) -> list[str]:
        """The :attr:`notes` about parameters *names* (``"valuation_date"``, ``"sum_k"``, ``"price_index"``)."""
        mine = getattr(self, "_notes", {})
        return [mine[n] for n in names if n in mine]

    def plot_ratio_table_for(self, use: str) -> PlotRatioTable | None:
        """The coefficient table for parcels of *use* (the one table for every use, or the use's own).

        Raises
        ------
        SchemaError
            The tables are per use and none is for *use* (a table for industrial
            land is never applied to commercial parcels).
        """
        table = self.plot_ratio_table
        if table is None or isinstance(table, PlotRatioTable):
            return table
        if use in table:
            return table[use]
        source = next(iter(table.values())).source if table else _("plot-ratio table")
        raise SchemaError(_("plot-ratio table {source} has rows for use(s) {uses} but none for {use!r}").format(
            source=source, uses=sorted(table), use=use))

    @property
    def sum_k(self) -> float:
        """ΣK of the individual factors."""
        return float(sum(self.individual_factors.values()))
