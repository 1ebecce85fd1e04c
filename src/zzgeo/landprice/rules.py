"""Land price rules: the three benchmark tables of 郑政文〔2022〕42号 and the valuation rules.

* The tables are read from ``data/landprice/land_price_2022_42.toml``. Every
  cell is kept as printed; a dash ("—") means the table has no such grade for
  that use, which :func:`benchmark_price` reports as
  :class:`~zzgeo.errors.NoSuchGradeError`, never as zero. The notice prints
  元/m² only; per-亩 figures are the exact conversion (× 10000/15) of the
  printed cell, rounded to the fen (37.80 元/m² = 25,200.00 元/亩).
* A valuer's own table in the same shape (郑政文〔2019〕49号's urban
  state-owned land table, which zzgeo does not ship) becomes the same
  object, :class:`PriceTables`, through :mod:`zzgeo.landprice.valuer_table`;
  :func:`using_price_tables` makes it the active one, which every function
  here, the lookup and the valuation then read instead of the shipped one.
* The valuation rules (:func:`valuation_rules`) are read from
  ``data/landprice/valuation.toml``: the order of the correction steps and the
  defaults the seeds do not give (reduction rates, date and plot-ratio notes,
  the departure warning), each with its source and status.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zzgeo._data import load_toml
from zzgeo.errors import NoSuchGradeError, SchemaError, UnknownCodeError
from zzgeo.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "DASH",
    "DOC_NUMBER",
    "MU_M2",
    "PriceTables",
    "UseInfo",
    "ValuationRules",
    "active_price_tables",
    "benchmark_price",
    "doc_number",
    "document",
    "figure_text",
    "parse_grade",
    "price_table",
    "shipped_price_tables",
    "table_names",
    "use_info",
    "using_price_tables",
    "valuation_rules",
    "yuan_per_mu",
]

DATA_FILE = "landprice/land_price_2022_42.toml"
RULES_FILE = "landprice/valuation.toml"
DOC_NUMBER = "郑政文〔2022〕42号"
DASH = "—"
#: One mu (亩) in square metres: 10000/15.
MU_M2 = 10000.0 / 15.0

_GRADE_ZH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}
#: A benchmark price above this (元/m²) is refused: 100,000 元/m² is 6,667 万元/亩, far above any benchmark
#: price of Zhengzhou (the highest of 郑政文〔2022〕42号 is 1,150); such a figure is 元/亩 under a 元/m² header.
PRICE_LIMIT_YUAN_M2 = 100_000.0
_FORMS = ("floor", "ground")


@dataclass(frozen=True, eq=False)
class PriceTables:
    """One document's benchmark price tables: the shipped 郑政文〔2022〕42号, or a valuer's own.

    ``document`` holds ``doc_number``, ``title``, ``base_date``, ``unit`` (元/平方米) and,
    for a valuer's table, ``source`` (its file) and ``demo``; ``tables`` maps a table key
    (``collective_construction``, ``state_construction`` ...) to its ``grades`` (the
    printed names, 一级..), ``development_level_zh`` and ``uses``, each use with
    ``name_zh``, ``price_form`` (``floor``/``ground``), ``term_years`` (or
    ``"unlimited"``), ``plot_ratio``, ``rights`` and ``cells`` (one text per grade as
    printed, ``"—"`` where the table has no such grade; a dict by right where a use
    has several). :meth:`from_dict` checks that shape, for the shipped file and a
    valuer's alike.

    Examples
    --------
    >>> shipped = shipped_price_tables()
    >>> shipped.doc_number, list(shipped.tables)[:1], shipped.demo
    ('郑政文〔2022〕42号', ['collective_construction'], False)
    """

    document: Mapping[str, Any]
    tables: Mapping[str, Mapping[str, Any]]
    source: str = DATA_FILE

    @property
    def doc_number(self) -> str:
        """The document number (文号) every output names."""
        return str(self.document["doc_number"])

    @property
    def demo(self) -> bool:
        """Whether the figures are DEMO figures (the document says so)."""
        return bool(self.document.get("demo", False)) or "DEMO" in self.doc_number.upper()

    @property
    def shipped(self) -> bool:
        """Whether these are the tables zzgeo ships (郑政文〔2022〕42号)."""
        return self.source == DATA_FILE

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str) -> PriceTables:
        """Check a parsed table file (the shipped TOML's shape) and make the object.

        Raises
        ------
        SchemaError
            A missing document number or base date, a table without grades or
            uses, a grade named twice, a use whose cells do not match the grades,
            a price that is blank, not a number, zero or less, or above
            100,000 元/m²; each message names *source*, the key and the value.

        Examples
        --------
        >>> doc = {"doc_number": "DEMO-1", "base_date": "2019-01-01"}
        >>> use = {"name_zh": "住宅用地", "price_form": "floor", "term_years": 70, "plot_ratio": 2.0,
        ...        "rights": {"transfer": "出让"}, "cells": ["3000", "2000"]}
        >>> tables = PriceTables.from_dict({"document": doc, "tables": {"state_construction": {
        ...     "grades": ["一级", "二级"], "uses": {"residential": use}}}}, source="t.toml")
        >>> tables.doc_number, tables.demo, tables.tables["state_construction"]["uses"]["residential"]["cells"]
        ('DEMO-1', True, ['3000', '2000'])
        >>> PriceTables.from_dict({"document": doc, "tables": {"state_construction": {
        ...     "grades": ["一级", "一级"], "uses": {"residential": use}}}}, source="t.toml")
        Traceback (most recent call last):
        ...
        zzgeo.errors.SchemaError: t.toml: tables.state_construction.grades: grade '一级' appears twice; name each grade once
        """
        return cls(*_checked(data, source), source=source)


def _checked(data: Mapping[str, Any], source: str) -> tuple[dict, dict]:
    """The document and tables of *data*, checked (see :meth:`PriceTables.from_dict`); cells as text."""
    def fail(where: str, problem: str) -> SchemaError:
        return SchemaError(f"{source}: {where}: {problem}")

    doc = dict(data.get("document") or {})
    number = doc.get("doc_number")
    if not isinstance(number, str) or not number.strip():
        raise fail("document.doc_number", _("no document number (文号) given (got {number!r}); every output names it").format(number=number))
    base = str(doc.get("base_date", ""))
    try:
        import datetime as dt

        dt.date.fromisoformat(base)
    except ValueError:
        raise fail("document.base_date", _("base date (基准日) {date!r} is not a date YYYY-MM-DD").format(date=doc.get("base_date"))) from None
    doc.setdefault("unit", "元/平方米")
    factor = _unit_factor(str(doc["unit"]), source)
    if factor != 1:  # cells converted to 元/m²; the unit the file gave is kept beside
        doc["unit_given"] = doc["unit"]
    doc["unit"] = "元/平方米"
    raw_tables = data.get("tables")
    if not isinstance(raw_tables, Mapping) or not raw_tables:
        raise fail("tables", _("no table given"))
    tables = {}
    for key, spec in raw_tables.items():
        where = f"tables.{key}"
        grades = list(spec.get("grades") or [])
        if not grades:
            raise fail(f"{where}.grades", _("no grades given"))
        for grade in grades:
            if grades.count(grade) > 1:
                raise fail(f"{where}.grades", _("grade {grade!r} appears twice; name each grade once").format(grade=grade))
        uses = spec.get("uses")
        if not isinstance(uses, Mapping) or not uses:
            raise fail(f"{where}.uses", _("no use given"))
        tables[key] = {**spec, "grades": grades, "uses": {use: _checked_use(u, len(grades), f"{where}.uses.{use}", fail, factor)
                                                          for use, u in uses.items()}}
    return doc, tables


def _unit_factor(unit: str, source: str) -> float:
    """元/m² per unit of *unit* (元/平方米 -> 1, 万元/亩 -> 15)."""
    if unit in ("元/平方米", "元/m²", "元/m2"):
        return 1.0
    import unicodedata

    from zzgeo.registers.quantities import read_unit

    try:
        return read_unit(unicodedata.normalize("NFKC", unit), "price").factor
    except SchemaError as exc:
        raise SchemaError(f"{source}: document.unit: {exc}") from None


def _checked_use(u: Mapping[str, Any], n_grades: int, where: str, fail, factor: float) -> dict[str, Any]:
    if u.get("price_form") not in _FORMS:
        raise fail(f"{where}.price_form", _("price form {form!r} is not floor (楼面价) or ground (地面价)").format(form=u.get("price_form")))
    term = u.get("term_years")
    if term != "unlimited" and not (isinstance(term, (int, float)) and not isinstance(term, bool) and 0 < term <= 70):
        raise fail(f"{where}.term_years", _("benchmark term {term!r} is not a number of years 0 < n <= 70 or \"unlimited\"").format(term=term))
    ratio = u.get("plot_ratio")
    if ratio is not None and not (isinstance(ratio, (int, float)) and 0 < ratio <= 30):
        raise fail(f"{where}.plot_ratio", _("benchmark plot ratio {ratio!r} is not a number 0 < FAR <= 30").format(ratio=ratio))
    rights = dict(u.get("rights") or {})
    if not rights:
        raise fail(f"{where}.rights", _("no right given (e.g. rights = { transfer = \"出让土地使用权价格\" })"))
    cells = u.get("cells")
    by_right = cells if isinstance(cells, Mapping) else {right: cells for right in rights}
    out = {}
    for right in rights:
        row = by_right.get(right)
        if not isinstance(row, (list, tuple)) or len(row) != n_grades:
            text = (_("{n} cells for right {right!r}; the table has {grades} grades (write \"—\" where it prints a dash)")
                    if isinstance(row, (list, tuple)) else
                    _("no cells for right {right!r}; the table has {grades} grades (write \"—\" where it prints a dash)"))
            raise fail(f"{where}.cells", text.format(n=len(row) if isinstance(row, (list, tuple)) else 0, right=right, grades=n_grades))
        out[right] = [_cell(c, f"{where}.cells[{g}]", fail, factor) for g, c in enumerate(row, start=1)]
    return {**u, "name_zh": str(u.get("name_zh") or where.rsplit(".", 1)[-1]), "rights": rights,
            "cells": out if isinstance(cells, Mapping) else out[next(iter(rights))]}


def _cell(cell: object, where: str, fail, factor: float) -> str:
    """A cell as printed (text); checked: a dash, or a price 0 < p <= 100,000 元/m² after the unit's factor."""
    if isinstance(cell, str) and cell.strip() in (DASH, "-", "–", "―", "－"):
        return DASH
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        raise fail(where, _("the price is blank; fill it from the document's table, or write \"—\" where it prints a dash"))
    try:
        value = float(Decimal(str(cell).strip()))
    except ArithmeticError:
        raise fail(where, _("price {cell!r} is not a number").format(cell=cell)) from None
    if isinstance(cell, bool) or not math.isfinite(value) or value <= 0:
        raise fail(where, _("price {cell!r} is not a positive number").format(cell=cell))
    if value * factor > PRICE_LIMIT_YUAN_M2:
        raise fail(where, _("price {cell!r} is {price:,.0f} 元/m², above {limit:,.0f} 元/m²: "
                            "no benchmark price is that high; are these 元/亩 under a 元/m² heading?").format(
            cell=cell, price=value * factor, limit=PRICE_LIMIT_YUAN_M2))
    return str(cell).strip() if factor == 1 else figure_text(value * factor)


def figure_text(value: float) -> str:
    """A price as the shortest text that reads back the same: how a converted or typed price is kept as a cell.

    Examples
    --------
    >>> figure_text(895.0), figure_text(37.8), figure_text(2257.5)
    ('895', '37.8', '2257.5')
    """
    import numpy as np

    return np.format_float_positional(value, trim="-")


_ACTIVE: ContextVar[PriceTables | None] = ContextVar("zzgeo_landprice_price_tables", default=None)


@functools.lru_cache(maxsize=1)
def shipped_price_tables() -> PriceTables:
    """The tables zzgeo ships: 郑政文〔2022〕42号 (``data/landprice/land_price_2022_42.toml``), read and checked once.

    Examples
    --------
    >>> shipped_price_tables().doc_number
    '郑政文〔2022〕42号'
    """
    return PriceTables.from_dict(load_toml(DATA_FILE), source=DATA_FILE)


def active_price_tables() -> PriceTables:
    """The tables in use: a valuer's inside :func:`using_price_tables`, else the shipped ones.

    Examples
    --------
    >>> active_price_tables() is shipped_price_tables()
    True
    """
    return _ACTIVE.get() or shipped_price_tables()


@contextmanager
def using_price_tables(tables: PriceTables | None) -> Iterator[PriceTables]:
    """Use *tables* instead of the shipped ones inside the ``with`` block; ``None`` changes nothing.

    A file is read into a :class:`PriceTables` by
    :func:`zzgeo.landprice.valuer_table.load_price_table` (the lookup and the
    valuation take the file or the object as ``price_table=``).

    Examples
    --------
    >>> doc = {"doc_number": "DEMO-2", "base_date": "2019-01-01"}
    >>> use = {"name_zh": "工业用地", "price_form": "ground", "term_years": 50, "rights": {"transfer": "出让"}, "cells": ["600", "500"]}
    >>> mine = PriceTables.from_dict({"document": doc, "tables": {"state_construction": {
    ...     "grades": ["一级", "二级"], "uses": {"industrial": use}}}}, source="mine.toml")
    >>> with using_price_tables(mine):
    ...     doc_number(), benchmark_price("state_construction", "industrial", "transfer", 2)
    ('DEMO-2', 500.0)
    >>> doc_number()
    '郑政文〔2022〕42号'
    """
    if tables is None:
        yield active_price_tables()
        return
    if not isinstance(tables, PriceTables):
        raise TypeError(_("using_price_tables takes a PriceTables (see load_price_table), got {kind}").format(kind=type(tables).__name__))
    token = _ACTIVE.set(tables)
    try:
        yield tables
    finally:
        _ACTIVE.reset(token)


def doc_number() -> str:
    """The document number of the tables in use (``DOC_NUMBER`` unless a valuer's table is active).

    Examples
    --------
    >>> doc_number()
    '郑政文〔2022〕42号'
    """
    return active_price_tables().doc_number


@dataclass(frozen=True)
class UseInfo:
    """Conditions of one use (用途) of one table, as the notice states them.

    Examples
    --------
    附件2, 耕地: a ground price for 30 years, with two rights (承包经营权, 经营权)
    and four grades:

    >>> info = use_info("collective_agricultural", "cultivated")
    >>> info.price_form, info.term_years, info.plot_ratio, list(info.rights), info.n_grades
    ('ground', 30.0, None, ['contract_management', 'management'], 4)
    """

    table: str
    use: str
    name_zh: str
    price_form: str  # "floor" (楼面价) or "ground" (地面价)
    term_years: float  # math.inf for 无年期限限制
    plot_ratio: float | None  # benchmark 容积率; None for agricultural land
    rights: dict[str, str]  # right key -> Chinese label
    n_grades: int


def yuan_per_mu(cell: str | float) -> float:
    """元/亩 of a 元/m² figure: the exact conversion × 10000/15, rounded to the fen (0.01 元).

    A printed cell such as ``"37.80"`` is converted in decimal arithmetic, so
    the result is the round figure a valuer expects (25,200.00), not 25199.999999999996.

    Examples
    --------
    附件2, 集体农用地 耕地 承包经营权 二级 prints 37.80 元/m²: 37.80 × 10000/15 = 25,200 元/亩;
    商业服务业 二级 895 元/m² is 596,666.666... 元/亩, rounded to the fen:

    >>> yuan_per_mu("37.80"), yuan_per_mu(895)
    (25200.0, 596666.67)
    """
    value = Decimal(str(cell)) * Decimal(10000) / Decimal(15)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def document() -> dict:
    """The notice's metadata (doc number, date, base date, unit).

    Returns
    -------
    dict
        ``doc_number``, ``title``, ``date``, ``effective``, ``unit``,
        ``base_date``, ``maps`` (a note that the grade maps were omitted).

    Examples
    --------
    The notice of 14 April 2022 gives prices in 元/m² at the base date 1 January 2020:

    >>> doc = document()
    >>> doc["doc_number"], doc["date"], doc["base_date"], doc["unit"]
    ('郑政文〔2022〕42号', '2022-04-14', '2020-01-01', '元/平方米')
    """
    return dict(active_price_tables().document)


def _tables() -> Mapping[str, Any]:
    """The tables in use (:func:`active_price_tables`): read-only (shared by every caller)."""
    return active_price_tables().tables


def table_names() -> list[str]:
    """``collective_construction``, ``collective_agricultural``, ``state_agricultural``.

    Returns
    -------
    list of str
        The keys of annexes 1-3 (集体建设用地, 集体农用地, 国有农用地), in order.

    Examples
    --------
    >>> table_names()
    ['collective_construction', 'collective_agricultural', 'state_agricultural']
    """
    return list(_tables())


def _table(table: str) -> dict:
    tables = _tables()
    if table not in tables:
        msg = _("unknown land price table {table!r}; {document} has {tables}").format(table=table, document=doc_number(), tables=sorted(tables))
        raise UnknownCodeError(msg)
    return tables[table]


def use_info(table: str, use: str) -> UseInfo:
    """Conditions of *use* in *table*.

    Parameters
    ----------
    table : str
        See :func:`table_names`.
    use : str
        A use of that table (``commercial``, ``homestead``, ``cultivated``, ...).

    Returns
    -------
    UseInfo
        Chinese name, price form (``floor`` 楼面价 or ``ground`` 地面价), term
        in years (``inf`` for 无年期限限制), benchmark plot ratio (None for
        agricultural land), rights and number of grades.

    Raises
    ------
    UnknownCodeError
        Unknown table or use (the message lists the uses of the table).

    Examples
    --------
    附件1: 商业服务业用地 is a floor price for 40 years at plot ratio 2.0; 宅基地 has
    no term limit:

    >>> info = use_info("collective_construction", "commercial")
    >>> info.name_zh, info.price_form, info.term_years, info.plot_ratio, info.n_grades
    ('商业服务业用地', 'floor', 40.0, 2.0, 6)
    >>> use_info("collective_construction", "homestead").term_years
    inf
    >>> use_info("state_agricultural", "homestead")
    Traceback (most recent call last):
    ...
    zzgeo.errors.UnknownCodeError: unknown use 'homestead' for table 'state_agricultural'; uses: cultivated (耕地), garden (园地), forest (林地), facility (设施农用地)
    """
    spec = _table(table)
    uses = spec["uses"]
    if use not in uses:
        names = ", ".join(f"{k} ({v['name_zh']})" for k, v in uses.items())
        msg = _("unknown use {use!r} for table {table!r}; uses: {uses}").format(use=use, table=table, uses=names)
        raise UnknownCodeError(msg)
    u = uses[use]
    term = math.inf if u["term_years"] == "unlimited" else float(u["term_years"])
    return UseInfo(
        table=table,
        use=use,
        name_zh=u["name_zh"],
        price_form=u["price_form"],
        term_years=term,
        plot_ratio=u.get("plot_ratio"),
        rights=dict(u["rights"]),
        n_grades=len(spec["grades"]),
    )


def _cells(table: str, use: str, right: str) -> list[str]:
    info = use_info(table, use)
    if right not in info.rights:
        msg = _("unknown right {right!r} for {table}/{use}; rights: {rights}").format(right=right, table=table, use=use, rights=sorted(info.rights))
        raise UnknownCodeError(msg)
    cells = _table(table)["uses"][use]["cells"]
    return list(cells[right] if isinstance(cells, dict) else cells)


def parse_grade(grade: object, *, n_grades: int = 6) -> int:
    """Accept ``1``, ``2.0``, ``"1"``, ``"一级"``, ``"1级"``; return the grade number.

    Raises
    ------
    UnknownCodeError
        Not a grade 1..*n_grades* (``"1.5"`` and ``1.5`` are not grades).

    Examples
    --------
    >>> parse_grade("三级"), parse_grade("2"), parse_grade(4.0)
    (3, 2, 4)
    >>> parse_grade(5, n_grades=4)
    Traceback (most recent call last):
    ...
    zzgeo.errors.UnknownCodeError: unknown grade 5; grades are 1..4 (一级..)
    """
    text = str(grade).strip().removesuffix("级")
    value = _GRADE_ZH.get(text)
    if value is None:
        try:
            number = float(text)
            value = int(number) if number.is_integer() else None
        except (ValueError, OverflowError):  # "x", "inf"
            value = None
    if value is None or not 1 <= value <= n_grades:
        msg = _("unknown grade {grade!r}; grades are 1..{n} (一级..)").format(grade=grade, n=n_grades)
        raise UnknownCodeError(msg)
    return value


def benchmark_price(table: str, use: str, right: str, grade: object) -> float:
    """Benchmark price in 元/m² as printed in 郑政文〔2022〕42号.

    Parameters
    ----------
    table : str
        ``collective_construction``, ``collective_agricultural`` or ``state_agricultural``.
    use : str
        E.g. ``commercial``, ``homestead``, ``industrial``, ``public``; or
        ``cultivated``, ``garden``, ``forest``, ``facility``.
    right : str
        E.g. ``transfer``, ``use``, ``contract_management``, ``management``.
    grade : int or str
        1..6 or 一级..六级.

    Returns
    -------
    float
        元/m², in the use's own price form (floor price for 商业服务业 and 宅基地).

    Raises
    ------
    NoSuchGradeError
        The table prints a dash for this use and grade.
    UnknownCodeError
        Unknown table, use, right or grade.

    Examples
    --------
    附件1, 商业服务业用地 一级 (出让) prints 1020; 附件2, 耕地 二级 prints 37.80
    (承包经营权) and 24.60 (经营权); 附件3, 设施农用地 四级 prints 98.55:

    >>> benchmark_price("collective_construction", "commercial", "transfer", 1)
    1020.0
    >>> benchmark_price("collective_agricultural", "cultivated", "contract_management", "二级")
    37.8
    >>> benchmark_price("collective_agricultural", "cultivated", "management", 2)
    24.6
    >>> benchmark_price("state_agricultural", "facility", "transfer", "4级")
    98.55

    工业用地 has no 五级 (the table prints "—"), which is an error, never zero:

    >>> benchmark_price("collective_construction", "industrial", "transfer", 5)
    Traceback (most recent call last):
    ...
    zzgeo.errors.NoSuchGradeError: 郑政文〔2022〕42号 prints '—' for collective_construction/industrial (工业用地) grade 5: that grade does not exist for this use
    """
    info = use_info(table, use)
    g = parse_grade(grade, n_grades=info.n_grades)
    cell = _cells(table, use, right)[g - 1]
    if cell == DASH:
        msg = _("{document} prints '—' for {table}/{use} ({use_zh}) grade {grade}: that grade does not exist for this use").format(
            document=doc_number(), table=table, use=use, use_zh=info.name_zh, grade=g)
        raise NoSuchGradeError(msg)
    return float(cell)


def price_table() -> pd.DataFrame:
    """All three tables in long form, one row per table, use, right and grade.

    Columns: ``table``, ``use``, ``use_zh``, ``right``, ``right_zh``, ``grade``,
    ``cell`` (as printed), ``price_yuan_m2`` (NaN where the cell is a dash),
    ``price_yuan_mu``, ``price_form``, ``term_years``, ``plot_ratio``,
    ``base_date``, ``doc_number``.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    Annex 1 has 4 uses × 6 grades = 24 cells, annex 2 has 4 uses × 2 rights ×
    4 grades = 32, annex 3 has 4 uses × 4 grades = 16: 72 rows, of which 10
    are dashes (工业 and 公共 五/六级, 园地 and 林地 四级 in annexes 2 and 3):

    >>> t = price_table()
    >>> len(t), int(t["price_yuan_m2"].isna().sum())
    (72, 10)
    >>> row = t[(t["use"] == "cultivated") & (t["right"] == "contract_management") & (t["grade"] == 2)].iloc[0]
    >>> row["cell"], float(row["price_yuan_m2"]), float(row["price_yuan_mu"])  # 37.80 × 10000/15 = 25,200 元/亩
    ('37.80', 37.8, 25200.0)
    """
    import pandas as pd

    rows = []
    base_date = document()["base_date"]
    for table in table_names():
        for use in _table(table)["uses"]:
            info = use_info(table, use)
            for right, right_zh in info.rights.items():
                for g, cell in enumerate(_cells(table, use, right), start=1):
                    price = math.nan if cell == DASH else float(cell)
                    rows.append(
                        {
                            "table": table,
                            "use": use,
                            "use_zh": info.name_zh,
                            "right": right,
                            "right_zh": right_zh,
                            "grade": g,
                            "cell": cell,
                            "price_yuan_m2": price,
                            "price_yuan_mu": math.nan if cell == DASH else yuan_per_mu(cell),
                            "price_form": info.price_form,
                            "term_years": info.term_years,
                            "plot_ratio": info.plot_ratio,
                            "base_date": base_date,
                            "doc_number": doc_number(),
                        }
                    )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ValuationRules:
    """Step order and defaults of the correction method, with sources (``data/landprice/valuation.toml``).

    Attributes
    ----------
    step_order : tuple of str
        The default order of the correction steps.
    step_order_source : str
    reduction_rates : dict
        ``{table: {use: r}}``, the land capitalisation rates (unverified textbook values).
    reduction_rate_source, plot_ratio_source, date_source : str
    days_per_month : float
        For the growth-rate form of the date correction.
    departure_threshold : float
        Warn when the corrected price departs from the benchmark by this share or more.

    Examples
    --------
    >>> rules = valuation_rules()
    >>> rules.reduction_rates["collective_construction"]
    {'commercial': 0.07, 'homestead': 0.06, 'industrial': 0.05, 'public': 0.05}
    """

    step_order: tuple[str, ...]
    step_order_source: str
    reduction_rates: dict[str, dict[str, float]] = field(default_factory=dict)
    reduction_rate_source: str = ""
    plot_ratio_source: str = ""
    date_source: str = ""
    days_per_month: float = 30.4375
    departure_threshold: float = 0.30

    def reduction_rate(self, table: str, use: str) -> float:
        """Default r for a table and use.

        Examples
        --------
        >>> valuation_rules().reduction_rate("collective_agricultural", "cultivated")
        0.045
        """
        try:
            return float(self.reduction_rates[table][use])
        except KeyError:
            raise UnknownCodeError(_("{file}: no reduction rate for {table}/{use}").format(file=RULES_FILE, table=table, use=use)) from None


def valuation_rules(path: str | None = None) -> ValuationRules:
    """Read the valuation rules (default: the packaged ``data/landprice/valuation.toml``).

    Parameters
    ----------
    path : str, optional
        A rule file of the same form, to replace the packaged one.

    Returns
    -------
    ValuationRules

    Examples
    --------
    The default order applies the additive development step last (the typical
    form P = P_b × (1 + ΣK) × K_term × K_plot × K_date ± D); the commercial
    capitalisation rate is the textbook 7 % (unverified), and a corrected price
    30 % or more from the benchmark is flagged:

    >>> rules = valuation_rules()
    >>> rules.step_order
    ('individual', 'term', 'plot_ratio', 'floor_to_ground', 'date', 'development')
    >>> rules.reduction_rate("collective_construction", "commercial"), rules.departure_threshold
    (0.07, 0.3)
    >>> rules.days_per_month  # 365.25 / 12
    30.4375

    The source texts name the document of the tables in use (``{doc_number}`` in
    the file), the shipped one or a valuer's own (:func:`using_price_tables`):

    >>> rules.plot_ratio_source
    'none: no plot-ratio coefficient table in 郑政文〔2022〕42号; K_plot = 1 unless a table is given'
    >>> use = {"name_zh": "住宅用地", "price_form": "floor", "term_years": 70, "rights": {"transfer": "出让"}, "cells": ["900"]}
    >>> mine = PriceTables.from_dict({"document": {"doc_number": "DEMO-3", "base_date": "2019-01-01"}, "tables": {
    ...     "state_construction": {"grades": ["一级"], "uses": {"residential": use}}}}, source="mine.toml")
    >>> with using_price_tables(mine):
    ...     valuation_rules().reduction_rate_source.endswith("NOT from DEMO-3")
    True
    """
    doc = load_toml(Path(path) if path else RULES_FILE)
    rates = {t: {u: float(r) for u, r in uses.items()} for t, uses in doc["reduction_rate"].items() if isinstance(uses, dict)}
    number = doc_number()

    def source(section: Mapping[str, Any]) -> str:  # {doc_number}: the document of the tables in use
        return str(section.get("source", "")).replace("{doc_number}", number)

    return ValuationRules(
        step_order=tuple(doc["steps"]["order"]),
        step_order_source=source(doc["steps"]),
        reduction_rates=rates,
        reduction_rate_source=source(doc["reduction_rate"]),
        plot_ratio_source=source(doc["plot_ratio_table"]),
        date_source=source(doc["date"]),
        days_per_month=float(doc["date"]["days_per_month"]),
        departure_threshold=float(doc["departure_warning"]["threshold"]),
    )
