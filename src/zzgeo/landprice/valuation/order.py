"""The correction steps by name and the check of a step order (below the options and the steps).

:class:`~zzgeo.landprice.valuation.options.ValuationOptions` checks a caller's
order here, and :mod:`.steps` applies it, so neither imports the other.

Examples
--------
>>> check_order("date > individual > term > plot_ratio > floor_to_ground > development")[0]
'date'
>>> STEPS["development"].kind
'add'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zzgeo.errors import ParameterError
from zzgeo.i18n import _

__all__ = ["STEPS", "STEP_NAMES", "Step", "check_order"]


@dataclass(frozen=True)
class Step:
    """One correction step: its name, whether it multiplies or adds, its output column and formula.

    Examples
    --------
    >>> step = STEPS["term"]
    >>> step.kind, step.column, step.formula, step.label_zh
    ('multiply', 'k_term', '[1-1/(1+r)^m] / [1-1/(1+r)^n]', '年期修正')
    """

    name: str
    kind: str  # "multiply" or "add"
    column: str
    formula: str
    label_zh: str


STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step("individual", "multiply", "k_individual", "1 + ΣK", "区域及个别因素修正"),
        Step("term", "multiply", "k_term", "[1-1/(1+r)^m] / [1-1/(1+r)^n]", "年期修正"),
        Step("plot_ratio", "multiply", "k_plot", "c(FAR) / c(FAR_benchmark)", "容积率修正"),
        Step("floor_to_ground", "multiply", "floor_to_ground", "FAR (楼面价 -> 地面价)", "楼面地价换算地面地价"),
        Step("date", "multiply", "k_date", "index(date) / index(base date)", "期日修正"),
        Step("development", "add", "development_adj_yuan_m2", "+ D", "开发程度修正"),
    )
}
#: The step names, in the default order of the rule file.
STEP_NAMES = tuple(STEPS)


def check_order(order: Sequence[str] | str) -> tuple[str, ...]:
    """Return *order* as a tuple after checking it names every step exactly once.

    Accepts a sequence or ``"date,individual,..."`` / ``"date > individual > ..."`` text.

    Raises
    ------
    ParameterError
        An unknown step, a step twice, or a step missing.

    Examples
    --------
    >>> check_order("individual, term, plot_ratio, floor_to_ground, development, date")[-2:]
    ('development', 'date')
    >>> check_order(["date", "term"])
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: step order ['date', 'term']: missing ['individual', 'plot_ratio', 'floor_to_ground', 'development']; ...
    """
    if isinstance(order, str):
        order = [p.strip() for p in order.replace(">", ",").split(",") if p.strip()]
    order = tuple(order)
    unknown = [s for s in order if s not in STEPS]
    twice = sorted({s for s in order if order.count(s) > 1})
    missing = [s for s in STEPS if s not in order]
    if unknown or twice or missing:
        parts = [_("unknown {steps!r}").format(steps=unknown) if unknown else "", _("repeated {steps!r}").format(steps=twice) if twice else "",
                 _("missing {steps!r}").format(steps=missing) if missing else ""]
        raise ParameterError(_("step order {order!r}: {problems}; name each of {steps} once").format(
            order=list(order), problems=", ".join(p for p in parts if p), steps=list(STEPS)))
    return order
