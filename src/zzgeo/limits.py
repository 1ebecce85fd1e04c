"""Hard and plausible ranges of numeric options and parameters, from ``data/limits.toml``.

Outside its hard range a value is an error (:class:`~zzgeo.errors.ParameterError`);
inside it but outside the plausible range it is accepted with a note the
caller shows. The command line checks every numeric option through
:func:`check`; library parameters (:class:`~zzgeo.landprice.valuation.ValuationOptions`)
use the same table, so both refuse the same values.

Examples
--------
>>> check("detour", 1.3)
>>> check("detour", 1.05)
"detour 1.05 is outside the plausible range 1.1..2 (street networks give 1.2-1.5; zzgeo's default is 1.3, data/children/access.toml)"
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass

from zzgeo._data import load_toml
from zzgeo.errors import ParameterError
from zzgeo.i18n import N_, _

__all__ = ["Limit", "limits", "limit", "check"]

_OPS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}

#: The texts of ``data/limits.toml`` that messages show translated (``what``, ``why``, ``plausible_why`` of the
#: land-price options), marked for the catalogue; each must be a text of the file (tests/test_registers_quantities.py).
#: A text not marked here is shown as the file has it.
TRANSLATED_TEXTS = (
    N_("land capitalisation (reduction) rate r"),
    N_("a rate of 0 or below makes the term correction meaningless; above 50 % no land market has seen"),
    N_("Chinese land valuation uses 4-8 % (textbook ranges, data/landprice/valuation.toml)"),
    N_("years to value, m"),
    N_("70 years is the longest legal term of land use rights (城镇国有土地使用权出让和转让暂行条例 第十二条)"),
    N_("a term under a year is a lease, not a land use right"),
    N_("plot ratio (floor area ratio, 容积率)"),
    N_("a plot ratio below 0.01 or above 30 is not a building"),
    N_("Zhengzhou's control plans allow plot ratios of about 0.3-8 (CBD towers reach ~10)"),
    N_("development-level adjustment D (元/m²)"),
    N_("almost nine times the highest benchmark price of 郑政文〔2022〕42号 (1,150 元/m²)"),
    N_("the cost of one 通 or 平 of 五通一平 is tens to a few hundred 元/m²"),
    N_("individual factor correction K_i"),
    N_("a single factor of ±100 % would remove or double the price"),
    N_("individual factor tables of benchmark reports give a few per cent per factor"),
    N_("sum of the individual factor corrections ΣK"),
    N_("the price is multiplied by 1 + ΣK, which must stay positive"),
    N_("individual factors together rarely move a price by more than half"),
)


def _shown(text: str) -> str:
    """*text* of ``data/limits.toml`` in the interface language where it is marked in :data:`TRANSLATED_TEXTS`."""
    return _(text) if text in TRANSLATED_TEXTS else text


@dataclass(frozen=True)
class Limit:
    """The ranges of one parameter (see ``data/limits.toml``)."""

    name: str
    what: str
    bounds: tuple[tuple[str, object], ...]
    why: str = ""
    plausible: tuple[object, object] = (None, None)
    plausible_why: str = ""

    def _inside(self, value: object) -> bool:
        tests = {"gt": lambda a, b: a > b, "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b}
        return all(tests[op](value, bound) for op, bound in self.bounds)

    def describe(self) -> str:
        """``">= 10 and <= 10000"``."""
        parts = [f"{_OPS[op]} {_text(b)}" for op, b in self.bounds]
        text = parts[0] if parts else ""
        for part in parts[1:]:
            text = _("{low} and {high}").format(low=text, high=part)
        return text

    def _a_percent(self, value: object) -> bool:
        """Whether *value* outside the range looks like a percent of a rate (a range ending at or below 1, a value
        of 1 to 100 whose hundredth lies inside it)."""
        highs = [b for op, b in self.bounds if op in ("lt", "le") and isinstance(b, float)]
        return (isinstance(value, float) and bool(highs) and max(highs) <= 1 and 1 <= value <= 100
                and self._inside(value / 100))

    def check(self, value: object, *, label: str | None = None, shown: str | None = None) -> str | None:
        """Raise when *value* is outside the hard range or not finite; a note when it is not plausible, else None.

        *shown* is the value as the user wrote it (``"1e9"``), for the message.
        """
        label = label or self.name
        shown = shown if shown is not None else (repr(value) if isinstance(value, float) and not math.isfinite(value) else _text(value))
        if isinstance(value, float) and not math.isfinite(value):
            raise ParameterError(_("{label} = {shown}: must be a finite number ({what}, {range})").format(
                label=label, shown=shown, what=self.what, range=self.describe()))
        what = _shown(self.what)
        if not self._inside(value):
            if self._a_percent(value):  # --reduction-rate 6 meaning 6 %: the fraction is inside the range
                raise ParameterError(_("{label} = {shown}: must be {range} ({what}); a rate is written as a fraction: "
                                       "write {fraction} for {shown} %").format(
                    label=label, shown=shown, range=self.describe(), what=what, fraction=_text(value / 100)))
            if self.why:
                raise ParameterError(_("{label} = {shown}: must be {range} ({what}): {why}").format(
                    label=label, shown=shown, range=self.describe(), what=what, why=_shown(self.why)))
            raise ParameterError(_("{label} = {shown}: must be {range} ({what})").format(
                label=label, shown=shown, range=self.describe(), what=what))
        low, high = self.plausible
        if (low is not None and value < low) or (high is not None and value > high):
            if self.plausible_why:
                return _("{label} {shown} is outside the plausible range {low}..{high} ({why})").format(
                    label=label, shown=shown, low=_text(low), high=_text(high), why=_shown(self.plausible_why))
            return _("{label} {shown} is outside the plausible range {low}..{high}").format(
                label=label, shown=shown, low=_text(low), high=_text(high))
        return None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _value(raw: object) -> object:
    if isinstance(raw, str):
        return dt.date.fromisoformat(raw)
    return float(raw) if isinstance(raw, (int, float)) else raw


@functools.lru_cache(maxsize=1)
def limits() -> dict[str, Limit]:
    """Every parameter's limits, by name."""
    out = {}
    for name, spec in load_toml("limits.toml").items():
        bounds = tuple((op, _value(spec[op])) for op in ("gt", "ge", "lt", "le") if op in spec)
        plausible = tuple(_value(v) if v not in ("", None) else None for v in spec.get("plausible", (None, None)))
        out[name] = Limit(name=name, what=str(spec.get("what", name)), bounds=bounds, why=str(spec.get("why", "")),
                          plausible=plausible, plausible_why=str(spec.get("plausible_why", "")))
    return out


def limit(name: str) -> Limit:
    """The limits of parameter *name*."""
    try:
        return limits()[name]
    except KeyError:
        raise ParameterError(_("no limits for parameter {name!r} in data/limits.toml").format(name=name)) from None


def check(name: str, value: object, *, label: str | None = None, shown: str | None = None) -> str | None:
    """Check *value* of parameter *name* (see :meth:`Limit.check`); ``None`` values pass."""
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = float(value)
    return limit(name).check(value, label=label, shown=shown)
