"""Units written in register headers, read with pint (see ``data/units.toml``).

A Chinese register writes the unit in the header: ``有效面积(公顷)``,
``开采量(万m³/a)``, ``渗透系数(cm/d)``, ``容积率(%)``, ``area_mu``. The loader
splits such a header into its name and its unit (:func:`split_header`,
:func:`header_splits`); :func:`read_unit` reads the unit text with pint and a
small Chinese vocabulary (公顷, 亩, 万亩, 平方公里, 万元, 万人, 日, 年 ...),
checks its dimension against the column's quantity and gives the exact factor
to the quantity's canonical unit. A unit that does not parse, or measures
something else, is a :class:`~zzgeo.errors.SchemaError` naming the header.

pint is imported only when a header carries a unit.

Examples
--------
>>> read_unit("公顷", "area").factor
10000.0
>>> read_unit("万m³/a", "flow").fraction
Fraction(40000, 1461)
>>> split_header("有效面积（hm²）")
('有效面积', 'hm²')
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from zzgeo._data import load_toml
from zzgeo.errors import SchemaError
from zzgeo.i18n import N_, _

__all__ = ["Quantity", "Conversion", "quantities", "split_header", "header_splits", "read_unit", "registry"]

_GROUP = re.compile(r"[\(（\[【]([^\(（\[【\)）\]】]*)[\)）\]】]")
_SEPARATORS = " _-/:：,，;；"


@dataclass(frozen=True)
class Quantity:
    """What a numeric column measures: its canonical unit (pint) and how outputs write it."""

    name: str
    canonical: str
    label: str
    units: tuple[str, ...] = ()
    water_tonnes: bool = False
    fixed: bool = False


@dataclass(frozen=True)
class Conversion:
    """A unit read from a header and its exact factor to the canonical unit.

    Attributes
    ----------
    unit : str
        The unit as written (``"万m³/a"``).
    reading : str
        How pint read it (``"10000 meter ** 3 / year"``).
    fraction : fractions.Fraction
        The factor as a ratio of integers (``40000/1461``), applied as
        ``value * numerator / denominator`` so that conversions that can be
        exact are.
    quantity : Quantity
    remark : str
        An assumption the conversion made (water tonnes as m³), or "".
    """

    unit: str
    reading: str
    fraction: Fraction
    quantity: Quantity
    remark: str = ""

    @property
    def factor(self) -> float:
        return float(self.fraction)

    @property
    def identity(self) -> bool:
        return self.fraction == 1

    def apply(self, values: Any) -> Any:
        """*values* (float array or Series) in the canonical unit."""
        if self.fraction.denominator == 1:
            return values * float(self.fraction.numerator) if self.fraction != 1 else values
        return values * float(self.fraction.numerator) / float(self.fraction.denominator)

    def describe(self) -> str:
        """``"公顷 (hectare) -> m² x 10,000"``."""
        return f"{self.unit} ({self.reading}) -> {self.quantity.label} x {_factor_text(self.fraction)}" + (
            f"; {self.remark}" if self.remark else "")


def _factor_text(fraction: Fraction) -> str:
    value = float(fraction)
    if fraction.denominator == 1:
        return f"{fraction.numerator:,}"
    if len(str(fraction.denominator)) <= 4 and abs(value) < 1e6:
        return f"{fraction.numerator}/{fraction.denominator} (= {value:.6g})"
    return f"{value:.6g}"


@functools.lru_cache(maxsize=1)
def _config() -> dict[str, Any]:
    return load_toml("units.toml")


@functools.lru_cache(maxsize=1)
def quantities() -> dict[str, Quantity]:
    """The quantities a schema column may declare, by name."""
    return {name: Quantity(name=name, canonical=str(spec["canonical"]), label=str(spec["label"]),
                           units=tuple(spec.get("units", ())), water_tonnes=bool(spec.get("water_tonnes", False)),
                           fixed=bool(spec.get("fixed", False)))
            for name, spec in _config()["quantities"].items()}


@functools.lru_cache(maxsize=1)
def registry():
    """pint's default unit registry with zzgeo's Chinese vocabulary (built once, on first use)."""
    import pint

    ureg = pint.UnitRegistry()
    for line in _config()["definitions"]:
        ureg.define(line)
    return ureg


def _nfkc(text: object) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", str(text)).strip()


def _annotation(text: str) -> bool:
    words = {w.casefold() for w in _config()["annotations"]["words"]}
    return text.strip().casefold() in words or text.strip() == ""


def split_header(header: object) -> tuple[str, str | None]:
    """A header's name and the unit in its brackets: ``"面积（公顷）"`` -> ``("面积", "公顷")``.

    Bracketed words that are not units (``必填``) are dropped; a header
    without a unit in brackets gives ``(header, None)``. Two bracketed units
    are an error.
    """
    text = str(header).strip()
    groups = [g.strip() for g in _GROUP.findall(text)]
    stem = _GROUP.sub("", text).strip()
    units = [re.sub(r"^单位\s*[:：]?\s*", "", g) for g in groups if not _annotation(g)]
    if len(units) > 1:
        raise SchemaError(_("header {header!r} gives two units {units!r}; keep one").format(header=text, units=units))
    return stem, (units[0] if units else None)


def header_splits(header: object) -> list[tuple[str, str]]:
    """Ways to read a header without brackets as name + unit: ``"area_mu"`` -> ``[("area", "mu"), ...]``.

    Every split point where the rest could be a unit, longest name first; the
    caller keeps the first whose name is a known header and whose unit parses.
    """
    text = str(header).strip()
    out = []
    for k in range(len(text) - 1, 0, -1):
        stem, rest = text[:k].rstrip(_SEPARATORS), text[k:].lstrip(_SEPARATORS)
        if stem and rest and (text[k - 1] in _SEPARATORS or not text[k - 1].isascii() or not rest[0].isascii()
                              or not (text[k - 1].isalnum() and rest[0].isalnum())):
            out.append((stem, rest))
    return out


def _pint_text(unit: str) -> tuple[str, Fraction]:
    """The unit in pint's syntax, and a multiplier when the unit is a number word alone (``万``)."""
    cfg = _config()
    text = re.sub(r"^单位\s*[:：]?\s*", "", _nfkc(unit))
    multipliers: dict[str, float] = cfg["multipliers"]
    if text in multipliers:
        return "dimensionless", Fraction(multipliers[text]).limit_denominator()
    for word in sorted(cfg["words"], key=len, reverse=True):
        text = text.replace(word, f" {cfg['words'][word]} ")
    text = re.sub(r"(?<=[A-Za-z])([23])(?![\d.])", r"**\1", text).replace("^", "**")
    words = "|".join(map(re.escape, multipliers))
    text = re.sub(rf"({words})\s*([^\W\d]\w*(?:\*\*\d+)?)", lambda m: f"({multipliers[m[1]]:g}*{m[2]})", text)
    return text.strip(), Fraction(1)


def _exact(value: float) -> Fraction:
    """*value* as the simplest ratio of integers within 1e-15 relative (so 666.66... is 2000/3)."""
    exact = Fraction(value)
    simple = exact.limit_denominator(10**7)
    return simple if abs(simple - exact) <= abs(exact) * Fraction(1, 10**15) else exact


@functools.lru_cache(maxsize=256)
def read_unit(unit: str, quantity: str) -> Conversion:
    """Read *unit* (as written in a header) as a unit of *quantity*; the factor to its canonical unit.

    Parameters
    ----------
    unit : str
        ``"公顷"``, ``"hm²"``, ``"万m³/a"``, ``"cm/d"``, ``"元/亩"``, ``"%"`` ...
    quantity : str
        A quantity of ``data/units.toml`` (``"area"``, ``"flow"`` ...).

    Returns
    -------
    Conversion

    Raises
    ------
    SchemaError
        The text is not a unit, or measures something other than *quantity*
        (the message says what it measures and what is expected).
    """
    import pint

    spec = quantities().get(quantity)
    if spec is None:
        raise SchemaError(_("unknown quantity {quantity!r}; known: {known}").format(quantity=quantity, known=sorted(quantities())))
    ureg = registry()
    text, scale = _pint_text(unit)
    try:
        parsed = ureg.parse_expression(text)
        if not isinstance(parsed, pint.Quantity):
            parsed = ureg.Quantity(float(parsed), "dimensionless")
        if scale != 1:  # a number word alone: that many of the canonical unit
            parsed = ureg.Quantity(float(scale), spec.canonical)
        canonical = ureg.Quantity(1.0, spec.canonical)
    except (pint.errors.PintError, SyntaxError, TypeError, ValueError, AttributeError, KeyError, AssertionError) as exc:
        raise SchemaError(_("{unit!r} is not a unit zzgeo can read ({hint})").format(unit=unit, hint=_hint(spec))) from exc
    remark = ""
    if spec.water_tonnes and parsed.dimensionality == ureg.Quantity(1.0, "t/d").dimensionality:
        parsed = parsed / ureg.Quantity(1.0, "t/m**3")
        remark = _("吨 (tonnes) of water read as m³")
    if parsed.dimensionality != canonical.dimensionality:
        raise SchemaError(_("{unit!r} measures {dimension}, not {quantity} ({hint})").format(
            unit=unit, dimension=_dimension(parsed), quantity=_quantity_word(spec.name), hint=_hint(spec)))
    if spec.units and not _allowed(parsed, spec):
        raise SchemaError(_("{unit!r} is not a unit of {quantity} ({hint})").format(unit=unit, quantity=_quantity_word(spec.name), hint=_hint(spec)))
    factor = float(parsed.to(spec.canonical).magnitude)
    if not math.isfinite(factor) or factor <= 0:
        raise SchemaError(_("{unit!r} gives a factor of {factor!r} to {label}").format(unit=unit, factor=factor, label=spec.label))
    fraction = _exact(factor)
    if spec.fixed and fraction != 1:
        raise SchemaError(_("{unit!r}: a {quantity} column takes its values as written ({hint})").format(
            unit=unit, quantity=_quantity_word(spec.name), hint=_hint(spec)))
    return Conversion(unit=str(unit), reading=f"{parsed.magnitude:g} {parsed.units}".replace("1 ", "", 1)
                      if parsed.magnitude == 1 else f"{parsed.magnitude:g} {parsed.units}", fraction=fraction,
                      quantity=spec, remark=remark)


def _allowed(parsed: Any, spec: Quantity) -> bool:
    names = {str(u) for u in parsed.units._units} or {"dimensionless"}
    return names <= set(spec.units)


def _dimension(parsed: Any) -> str:
    dims = str(parsed.dimensionality)
    named = {"[length] ** 2": N_("an area"), "[length]": N_("a length"), "[length] ** 3": N_("a volume"),
             "[length] ** 3 / [time]": N_("a flow"), "[length] / [time]": N_("a speed or conductivity"),
             "[currency]": N_("money"), "[currency] / [length] ** 2": N_("a price per area"), "[mass]": N_("a mass"),
             "[time]": N_("a time"), "dimensionless": N_("a ratio"), "[count]": N_("a count"), "[mass] / [time]": N_("a mass flow")}
    return _(named[dims]) if dims in named else dims


#: How messages name the quantities of ``data/units.toml`` (translated where shown; another stays its id).
_QUANTITY_WORDS = {"area": N_("area"), "length": N_("length"), "flow": N_("flow"), "conductivity": N_("conductivity"),
                   "money": N_("money"), "price": N_("price"), "ratio": N_("ratio"), "angle": N_("angle"), "count": N_("count"),
                   "years": N_("years"), "calendar_year": N_("calendar_year")}


def _quantity_word(name: str) -> str:
    return _(_QUANTITY_WORDS[name]) if name in _QUANTITY_WORDS else name


_EXAMPLES = {
    "area": "m², 平方米, 公顷, ha, hm², 亩, 万亩, 平方公里, km², 万平方米",
    "length": "m, 米, km, 公里",
    "flow": "m³/d, 万m³/d, m³/a, 万m³/a, m³/h, L/s, 万吨/日",
    "conductivity": "m/d, cm/d, cm/s, m/h, mm/s",
    "money": "元, 万元, 亿元",
    "price": "元/m², 元/平方米, 元/亩, 万元/亩",
    "ratio": N_("%, ‰ or none"),
    "angle": "°, 度, rad",
    "count": "个, 人, 万人, 处",
    "years": "年, a",
    "calendar_year": N_("年 or none"),
}


def _hint(spec: Quantity) -> str:
    examples = _(_EXAMPLES[spec.name]) if spec.name in _EXAMPLES else spec.label
    return _("{quantity} in {label}; write e.g. {examples}").format(quantity=_quantity_word(spec.name), label=spec.label, examples=examples)
