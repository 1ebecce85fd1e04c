"""The three benchmark land price tables of 郑政文〔2022〕42号, read from ``data/landprice/land_price_2022_42.toml``.

Every cell is kept as printed; a dash ("—") means the table has no such grade
for that use, which :func:`benchmark_price` reports as
:class:`~zzgeo.errors.NoSuchGradeError`, never as zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from zzgeo._data import load_toml
from zzgeo.errors import NoSuchGradeError, UnknownCodeError

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
]

DATA_FILE = "landprice/land_price_2022_42.toml"
DOC_NUMBER = "郑政文〔2022〕42号"
DASH = "—"
#: One mu (亩) in square metres: 10000/15.
MU_M2 = 10000.0 / 15.0

_GRADE_ZH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}


@dataclass(frozen=True)
class UseInfo:
    """Conditions of one use (用途) of one table, as the notice states them."""

    table: str
    use: str
    name_zh: str
    price_form: str  # "floor" (楼面价) or "ground" (地面价)
    term_years: float  # math.inf for 无年期限限制
    plot_ratio: float | None  # benchmark 容积率; None for agricultural land
    rights: dict[str, str]  # right key -> Chinese label
    n_grades: int


def document() -> dict:
    """The notice's metadata (doc number, date, base date, unit)."""
    return load_toml(DATA_FILE)["document"]


def _tables() -> dict:
    return load_toml(DATA_FILE)["tables"]


def table_names() -> list[str]:
    """``collective_construction``, ``collective_agricultural``, ``state_agricultural``."""
    return list(_tables())


def _table(table: str) -> dict:
    tables = _tables()
    if table not in tables:
        msg = f"unknown land price table {table!r}; 郑政文〔2022〕42号 has {sorted(tables)}"
        raise UnknownCodeError(msg)
    return tables[table]


def use_info(table: str, use: str) -> UseInfo:
    """Conditions of *use* in *table*.

    Raises
    ------
    UnknownCodeError
        Unknown table or use (the message lists the uses of the table).
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
    return cells[right] if isinstance(cells, dict) else cells


def parse_grade(grade: object, *, n_grades: int = 6) -> int:
    """Accept ``1``, ``2.0``, ``"1"``, ``"一级"``, ``"1级"``; return the grade number.

    Raises
    ------
    UnknownCodeError
        Not a grade 1..*n_grades* (``"1.5"`` and ``1.5`` are not grades).
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

    Raises
    ------
    NoSuchGradeError
        The table prints a dash for this use and grade.
    UnknownCodeError
        Unknown table, use, right or grade.
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
    """
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
                            "price_yuan_mu": price * MU_M2,
                            "price_form": info.price_form,
                            "term_years": info.term_years,
                            "plot_ratio": info.plot_ratio,
                            "base_date": base_date,
                            "doc_number": DOC_NUMBER,
                        }
                    )
    return pd.DataFrame(rows)
