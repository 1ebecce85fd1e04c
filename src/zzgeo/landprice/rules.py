"""Land price rules: the three benchmark tables of 郑政文〔2022〕42号 and the valuation rules.

* The tables are read from ``data/landprice/land_price_2022_42.toml``. Every
  cell is kept as printed; a dash ("—") means the table has no such grade for
  that use, which :func:`benchmark_price` reports as
  :class:`~zzgeo.errors.NoSuchGradeError`, never as zero. The notice prints
  元/m² only; per-亩 figures are the exact conversion (× 10000/15) of the
  printed cell, rounded to the fen (37.80 元/m² = 25,200.00 元/亩).
* The valuation rules (:func:`valuation_rules`) are read from
  ``data/landprice/valuation.toml``: the order of the correction steps and the
  defaults the seeds do not give (reduction rates, date and plot-ratio notes,
  the departure warning), each with its source and status.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from zzgeo._data import load_toml
from zzgeo.errors import NoSuchGradeError, UnknownCodeError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "DOC_NUMBER",
    "DASH",
    "MU_M2",
    "UseInfo",
    "document",
    "table_names",
    "use_info",
    "price_table",
    "benchmark_price",
    "parse_grade",
    "yuan_per_mu",
    "ValuationRules",
    "valuation_rules",
]

DATA_FILE = "landprice/land_price_2022_42.toml"
RULES_FILE = "landprice/valuation.toml"
DOC_NUMBER = "郑政文〔2022〕42号"
DASH = "—"
#: One mu (亩) in square metres: 10000/15.
MU_M2 = 10000.0 / 15.0

_GRADE_ZH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}


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
    return dict(_data()["document"])


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    """The parsed data file, once per process (load_toml's defensive deep copy cost ~3 ms a call, 60 calls a lookup)."""
    return load_toml(DATA_FILE)


def _tables() -> dict:
    """The tables of the data file: read-only (shared by every caller)."""
    return _data()["tables"]


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
        msg = f"unknown land price table {table!r}; 郑政文〔2022〕42号 has {sorted(tables)}"
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
        msg = f"unknown use {use!r} for table {table!r}; uses: {names}"
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
        msg = f"unknown right {right!r} for {table}/{use}; rights: {sorted(info.rights)}"
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
        msg = f"unknown grade {grade!r}; grades are 1..{n_grades} (一级..)"
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
        msg = (
            f"{DOC_NUMBER} prints '—' for {table}/{use} ({info.name_zh}) grade {g}: "
            "that grade does not exist for this use"
        )
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
                            "doc_number": DOC_NUMBER,
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
            raise UnknownCodeError(f"{RULES_FILE}: no reduction rate for {table}/{use}") from None


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
    """
    doc = load_toml(Path(path) if path else RULES_FILE)
    rates = {t: {u: float(r) for u, r in uses.items()} for t, uses in doc["reduction_rate"].items() if isinstance(uses, dict)}
    return ValuationRules(
        step_order=tuple(doc["steps"]["order"]),
        step_order_source=str(doc["steps"].get("source", "")),
        reduction_rates=rates,
        reduction_rate_source=str(doc["reduction_rate"]["source"]),
        plot_ratio_source=str(doc["plot_ratio_table"]["source"]),
        date_source=str(doc["date"]["source"]),
        days_per_month=float(doc["date"]["days_per_month"]),
        departure_threshold=float(doc["departure_warning"]["threshold"]),
    )
