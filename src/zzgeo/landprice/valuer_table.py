"""A valuer's own benchmark price table (``--price-table FILE``): read, checked, made the shipped tables' object.

zzgeo ships the tables of 郑政文〔2022〕42号 (collective construction and
agricultural land). The urban state-owned land prices of 郑政文〔2019〕49号,
which the 2022 policy register lists as valid, are not in the documents zzgeo
ships; a valuer who has the table brings it, and it is valued with exactly the
same lookup, pipeline, coefficients and outputs, every output naming its
document.

* CSV/Excel, long form, one row per use × grade: read by the common register
  loader with the schema ``data/landprice/price_table.toml`` (Chinese
  headers, units in the header such as ``基准地价(万元/亩)``, one error naming
  every bad line), then checked as a table: one document number and base
  date, one price form, term and plot ratio per use, every grade of the table
  once for every use.
* TOML in the shape of the shipped ``land_price_2022_42.toml``: checked by the
  same parser as the shipped file (:meth:`~zzgeo.landprice.rules.PriceTables.from_dict`).

Both give a :class:`~zzgeo.landprice.rules.PriceTables`; the template
``data/landprice/templates/urban_2019_49.csv`` has the structure of
郑政文〔2019〕49号 with its prices left blank, and is refused until they are filled.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from zzgeo.errors import SchemaError
from zzgeo.i18n import N_, _
from zzgeo.landprice.rules import DASH, PriceTables, figure_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["SCHEMA", "TEMPLATE", "grade_name", "load_price_table", "message_name", "price_tables_from_rows", "price_tables_of",
           "schema_for", "shown_table", "table_name", "use_name"]

#: Schema of a price table in CSV/Excel (read by the common register loader).
SCHEMA = "landprice/price_table.toml"
#: The template with 郑政文〔2019〕49号's structure and blank prices.
TEMPLATE = "landprice/templates/urban_2019_49.csv"
_DASHES = frozenset({DASH, "-", "–", "―", "－", "--", "——"})
_DEFAULT_TABLE = "state_construction"
_DEFAULT_RIGHT = "transfer"
_HINT = N_("Fix the table (one row per use and grade; — where the document prints a dash)")
_ZH_GRADES = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


def load_price_table(path: str | Path, *, sheet: str | int | None = None) -> PriceTables:
    """Read a valuer's benchmark price table (CSV/Excel long form, or TOML in the shipped tables' shape).

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt``/``.xlsx`` (schema ``data/landprice/price_table.toml``) or ``.toml``.
    sheet : str or int, optional
        The Excel sheet.

    Returns
    -------
    PriceTables
        The same object the shipped tables become; pass it (or the path) as
        ``price_table=`` to the lookup and the valuation.

    Raises
    ------
    SchemaError
        A blank template, a missing document number or base date, a grade
        missing or given twice, a use's price form, term or plot ratio given
        twice differently, a price that is not a number, zero or less, or
        above 100,000 元/m²: one message naming the file, the line and the value.
    UnknownCodeError
        An unknown use, grade, right or price form.

    Examples
    --------
    A table of two uses and two grades, prices in 万元/亩 (× 15 = 元/m²), the
    document number and base date typed once:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"文号": ["DEMO-2019-49", "", "", ""], "基准日": ["2019-01-01", "", "", ""],
    ...                      "用途": ["住宅", "住宅", "工业", "工业"], "级别": ["一级", "二级", "一级", "二级"],
    ...                      "基准地价(万元/亩)": [200, 120, 40, "—"], "地价形式": ["楼面价", "", "地面价", ""],
    ...                      "使用年期": [70, "", 50, ""], "容积率": [2.0, "", 1.0, ""]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     rows.to_csv(Path(folder) / "prices.csv", index=False)
    ...     tables = load_price_table(Path(folder) / "prices.csv")
    >>> tables.doc_number, tables.document["base_date"]
    ('DEMO-2019-49', '2019-01-01')
    >>> uses = tables.tables["state_construction"]["uses"]
    >>> uses["residential"]["cells"], uses["industrial"]["cells"], uses["residential"]["price_form"]
    (['3000', '1800'], ['600', '—'], 'floor')

    The template as shipped is refused, its prices being blank:

    >>> from zzgeo._data import data_path
    >>> load_price_table(data_path(TEMPLATE))
    Traceback (most recent call last):
    ...
    zzgeo.errors.SchemaError: ...urban_2019_49.csv: every price (基准地价) is blank: ...
    """
    path = Path(path)
    if path.suffix.lower() == ".toml":
        return _from_toml(path)
    return price_tables_from_rows(*_read_rows(path, sheet), source=str(path))


def price_tables_of(table: PriceTables | str | Path | None) -> PriceTables | None:
    """*table* as a :class:`~zzgeo.landprice.rules.PriceTables`: a file is read by :func:`load_price_table`.

    Examples
    --------
    >>> price_tables_of(None) is None
    True
    """
    if table is None or isinstance(table, PriceTables):
        return table
    return load_price_table(table)


def table_name(table: str) -> str:
    """The 地价表 name a valuer types for *table* (``state_construction`` -> 国有建设用地); messages and titles use it.

    Examples
    --------
    >>> table_name("state_construction"), table_name("collective_agricultural"), table_name("other")
    ('国有建设用地', '集体农用地', 'other')
    """
    return _labels("table").get(table, table)


def use_name(use: str) -> str:
    """The 用途 name of *use* (``commercial`` -> 商服用地), as the price table's schema labels it.

    Examples
    --------
    >>> use_name("commercial"), use_name("residential")
    ('商服用地', '住宅用地')
    """
    return _labels("use").get(use, use)


def grade_name(grade: int | str) -> str:
    """The 级别 of grade number *grade* as a table prints it (2 -> 二级).

    Examples
    --------
    >>> grade_name(2), grade_name("11")
    ('二级', '十一级')
    """
    number = int(grade)
    return f"{_ZH_GRADES[number - 1]}级" if 1 <= number <= len(_ZH_GRADES) else str(grade)


def shown_table(table: str, *, shipped: bool | None = None) -> str:
    """How a title, heading or console table names *table*: its 地价表 name in Chinese, and for a valuer's table in
    any language; the id for the shipped tables in English (``--json``, CSV and files keep the ids).

    *shipped*: name it as the shipped tables are named, by its id in English (a console table or map title that
    always showed the id); default: whether the tables in use are the shipped ones.

    Examples
    --------
    >>> from zzgeo.i18n import set_language
    >>> shown_table("collective_construction")
    'collective_construction'
    >>> set_language("zh"); shown_table("collective_construction"); set_language(None)
    '集体建设用地'
    """
    from zzgeo.i18n import language
    from zzgeo.landprice.rules import active_price_tables

    if shipped is None:
        shipped = active_price_tables().shipped
    return table_name(table) if language() == "zh" or not shipped else table


def message_name(table: str, use: str | None = None) -> str:
    """How a message names *table* (and *use*) of the tables in use.

    The shipped tables keep their ids (``collective_construction/commercial``, as
    their messages always read); a valuer's table is named as the valuer typed it.

    Examples
    --------
    >>> from zzgeo.landprice.rules import using_price_tables
    >>> message_name("collective_construction", "commercial")
    'collective_construction/commercial'
    >>> with using_price_tables(_tiny()):
    ...     message_name("state_construction", "residential"), message_name("state_construction")
    ('国有建设用地 住宅用地', '国有建设用地')
    """
    from zzgeo.landprice.rules import active_price_tables

    if active_price_tables().shipped:
        return table if use is None else f"{table}/{use}"
    return table_name(table) if use is None else f"{table_name(table)} {use_name(use)}"


@functools.lru_cache(maxsize=4)
def _labels(vocabulary: str) -> dict[str, str]:
    from zzgeo.registers import load_schema

    return dict(load_schema(SCHEMA).vocabularies[vocabulary].labels)


def _from_toml(path: Path) -> PriceTables:
    from zzgeo._data import load_toml

    if not path.is_file():
        raise FileNotFoundError(_("no such price table: {path!r}").format(path=str(path)))
    try:
        data = load_toml(path)
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(_("{path}: not a TOML file in the shipped tables' shape: {error}").format(path=path, error=exc)) from None
    doc = data.get("document") if isinstance(data.get("document"), Mapping) else {}
    data = {**data, "document": {**doc, "source": str(path)}}
    return PriceTables.from_dict(data, source=str(path))


def _read_rows(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, np.ndarray]:
    """The validated rows and a mask of rows whose price is a dash (the loader reads a dash as no number)."""
    from zzgeo.io import read_table
    from zzgeo.registers import load_schema, validate_register
    from zzgeo.registers.schema import header_key

    raw = read_table(path, sheet=sheet, name=str(path))
    if len(raw) == 0:
        raise SchemaError(_("{path}: the table has no rows (a header only?); one row per use and grade").format(path=path))
    spec = load_schema(SCHEMA).columns["price"]
    keys = {header_key(h) for h in ("price", *spec.headers, spec.title)}
    dash = np.zeros(len(raw), dtype=bool)
    for header in raw.columns:
        if header_key(header) in keys:
            cells = raw[header].astype(object)
            marks = cells.map(lambda c: isinstance(c, str) and c.strip() in _DASHES).to_numpy(dtype=bool)
            dash |= marks
            raw[header] = cells.where(~marks, None)
    frame = validate_register(raw, SCHEMA, name=str(path), row_names="line", hint=_(_HINT), checks=[_repeats])
    return frame, dash


def _repeats(ctx: Any) -> None:
    """A grade of a use (of one table and right) given twice: an error on the later line, named as the valuer
    names it (地价表 国有建设用地, 用途 商服用地, 级别 二级), not by zzgeo's ids."""
    import pandas as pd

    def column(name: str, default: object) -> np.ndarray:
        if name not in ctx.values:
            return np.full(ctx.issues.n, default, dtype=object)
        values = ctx.values[name].to_numpy(dtype=object)
        return np.where(pd.isna(values), default, values)

    table, right = column("table", _DEFAULT_TABLE), column("right", _DEFAULT_RIGHT)
    use, grade = column("use", None), column("grade", None)
    skip = ctx.duplicates if ctx.duplicates is not None else np.zeros(ctx.issues.n, dtype=bool)  # whole rows repeated
    first: dict[tuple, int] = {}
    texts: dict[int, str] = {}
    for pos, key in enumerate(zip(table, use, right, grade)):
        if key[1] is None or key[3] is None or skip[pos]:
            continue
        if key in first:
            named = f"地价表 {table_name(key[0])}, 用途 {use_name(key[1])}, 级别 {grade_name(key[3])}"
            if "right" in ctx.values:
                named += f", 权利类型 {_labels('right').get(key[2], key[2])}"
            texts[pos] = _("{named} repeats {place}").format(named=named, place=ctx.label.place(first[key]))
        else:
            first[key] = pos
    ctx.issues.add(np.array(sorted(texts), dtype=np.int64), lambda p: [texts[int(i)] for i in p])


def _line(pos: int) -> int:
    return int(pos) + 2  # the header is line 1


def _one(frame: pd.DataFrame, column: str, rows: np.ndarray, what: str, source: str) -> Any:
    """The one value of *column* on *rows* (given once or repeated alike); None when no row gives it."""
    import pandas as pd

    values = frame[column].to_numpy(dtype=object)[rows]
    filled = [(p, v) for p, v in zip(rows, values) if not pd.isna(v)]
    if not filled:
        return None
    first_pos, first = filled[0]
    for pos, value in filled[1:]:
        if value != first:
            raise SchemaError(_("{source}: line {line}: {what} {value} differs from {first} on line {first_line}; "
                                "give it once, or the same on every row").format(
                source=source, line=_line(pos), what=what, value=_show(value), first=_show(first), first_line=_line(first_pos)))
    return first


def _show(value: object) -> str:
    return repr(value.date().isoformat()) if hasattr(value, "date") and callable(value.date) else repr(value)


def price_tables_from_rows(frame: pd.DataFrame, dash: np.ndarray, *, source: str) -> PriceTables:
    """Turn the validated long-form rows into the shipped tables' object (see :func:`load_price_table`).

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows as :func:`zzgeo.registers.validate_register` returns them with the schema :data:`SCHEMA`.
    dash : numpy.ndarray of bool
        Rows whose price the document prints as a dash.
    source : str
        How messages name the table (its file).

    Returns
    -------
    PriceTables
    """
    import pandas as pd

    price = frame["price"].to_numpy(dtype=float)
    blank = np.isnan(price) & ~dash
    if blank.all():
        raise SchemaError(_("{source}: every price (基准地价) is blank: fill the column from the document's table "
                            "(元/㎡, or give the unit in the header, e.g. 基准地价(万元/亩)); write — where it prints a dash").format(source=source))
    if blank.any():
        pos = int(np.flatnonzero(blank)[0])
        raise SchemaError(_("{source}: line {line}: the price of {use} {grade} is blank ({n} blank in all); "
                            "fill it, or write — where the document prints a dash").format(
            source=source, line=_line(pos), use=use_name(frame["use"].iloc[pos]), grade=grade_name(frame["grade"].iloc[pos]),
            n=int(blank.sum())))
    everything = np.arange(len(frame))
    number = _one(frame, "doc_number", everything, _("document number (文号)"), source)
    if number is None:
        raise SchemaError(_("{source}: line 2: no document number (文号) given (got ''); give the number that sets the "
                            "prices, e.g. 郑政文〔2019〕49号, in a 文号 column").format(source=source))
    base = _one(frame, "base_date", everything, _("base date (基准日)"), source)
    if base is None:
        raise SchemaError(_("{source}: line 2: no base date (基准日) given (got ''); give the document's 基准日 as YYYY-MM-DD").format(
            source=source))
    title = _one(frame, "title", everything, _("title (文件名称)"), source)
    tables_of = frame["table"].to_numpy(dtype=object)
    tables_of = np.where(pd.isna(tables_of), _DEFAULT_TABLE, tables_of)
    tables: dict[str, Any] = {}
    for table in dict.fromkeys(tables_of):
        rows = np.flatnonzero(tables_of == table)
        tables[str(table)] = _table(frame, rows, price, dash, str(table), source)
    document = {"doc_number": str(number).strip(), "title": str(title or ""), "base_date": pd.Timestamp(base).date().isoformat(),
                "unit": "元/平方米", "source": source}
    return PriceTables.from_dict({"document": document, "tables": tables}, source=source)


def _table(frame: pd.DataFrame, rows: np.ndarray, price: np.ndarray, dash: np.ndarray, table: str, source: str) -> dict[str, Any]:
    """One table of the file: its grades 1..N and its uses, each with one cell per grade."""
    from zzgeo.registers import load_schema

    schema = load_schema(SCHEMA)
    grade = frame["grade"].to_numpy(dtype=object)
    numbers = sorted({int(grade[p]) for p in rows})
    n = numbers[-1]
    uses_of = frame["use"].to_numpy(dtype=object)
    rights_of = frame["right"].to_numpy(dtype=object)
    uses: dict[str, Any] = {}
    for use in dict.fromkeys(uses_of[rows]):
        mine = rows[uses_of[rows] == use]
        label = use_name(use)  # as the valuer names it; the ids stay in the object
        rights = {str(r) if isinstance(r, str) else _DEFAULT_RIGHT for r in rights_of[mine]}
        cells: dict[str, list[str]] = {}
        for right in sorted(rights):
            theirs = mine[np.array([(r if isinstance(r, str) else _DEFAULT_RIGHT) == right for r in rights_of[mine]])]
            by_grade = {int(grade[p]): p for p in theirs}
            missing = [g for g in range(1, n + 1) if g not in by_grade]
            if missing:
                lines = (_("lines {first}-{last}").format(first=_line(theirs.min()), last=_line(theirs.max())) if len(theirs) > 1
                         else _("line {line}").format(line=_line(theirs[0])))
                raise SchemaError(_("{source}: {lines} ({table} {use}): no row for {grade} (grades given: {given}; "
                                    "the table has grades {first}..{last}); give every grade once, with — where the document prints a dash")
                                  .format(source=source, lines=lines, table=table_name(table), use=label, grade=grade_name(missing[0]),
                                          given=", ".join(grade_name(g) for g in sorted(by_grade)), first=grade_name(1), last=grade_name(n)))
            cells[right] = [DASH if dash[by_grade[g]] else figure_text(float(price[by_grade[g]])) for g in range(1, n + 1)]
        form = _one(frame, "price_form", mine, _("price form (地价形式) of {use}").format(use=label), source)
        term = _one(frame, "term_years", mine, _("term (使用年期) of {use}").format(use=label), source)
        far = _one(frame, "plot_ratio", mine, _("plot ratio (容积率) of {use}").format(use=label), source)
        for value, what in ((form, _("price form (地价形式: 楼面价 or 地面价)")), (term, _("term (使用年期, years)"))):
            if value is None:
                raise SchemaError(_("{source}: line {line} ({table} {use}): no {what} given (got ''); give it on one row of the use").format(
                    source=source, line=_line(mine[0]), table=table_name(table), use=label, what=what))
        name_zh = (_one(frame, "use_zh", mine, _("name (用途名称) of {use}").format(use=label), source)
                   or schema.vocabularies["use"].labels.get(use, use))
        right_zh = schema.vocabularies["right"].labels
        uses[str(use)] = {"name_zh": str(name_zh), "price_form": str(form), "term_years": float(term),
                          "plot_ratio": None if far is None else float(far),
                          "rights": {r: right_zh.get(r, r) for r in sorted(rights)},
                          "cells": cells if len(cells) > 1 else cells[next(iter(cells))]}
    return {"title_zh": str(_one(frame, "table_zh", rows, _("table name (表名)"), source) or ""),
            "development_level_zh": str(_one(frame, "development_level", rows, _("development level (开发程度)"), source) or ""),
            "grades": [f"{_ZH_GRADES[g - 1]}级" for g in range(1, n + 1)], "uses": uses}


def schema_for(base: str) -> Any:
    """The register schema *base* (parcels, grade zones) for the tables in use.

    With the shipped tables: *base* itself. With a valuer's table: *base* with
    the table, use and grade vocabularies of :data:`SCHEMA` (国有建设用地, 住宅,
    grades up to 十二级), so parcels and zones can name what the valuer's table has.

    Examples
    --------
    >>> from zzgeo.landprice.rules import using_price_tables
    >>> schema_for("landprice/parcels.toml")
    'landprice/parcels.toml'
    >>> with using_price_tables(_tiny()):
    ...     schema_for("landprice/parcels.toml").vocabularies["use"].parse("住宅")
    'residential'
    """
    from zzgeo.landprice.rules import active_price_tables

    if active_price_tables().shipped:
        return base
    return _extended(base)


@functools.lru_cache(maxsize=4)
def _extended(base: str) -> Any:
    import dataclasses

    from zzgeo.registers import load_schema

    schema, mine = load_schema(base), load_schema(SCHEMA)
    vocabularies = {**schema.vocabularies, **{k: mine.vocabularies[k] for k in ("table", "use", "grade") if k in schema.vocabularies}}
    return dataclasses.replace(schema, vocabularies=vocabularies)


def _tiny() -> PriceTables:
    """A one-cell DEMO table for examples."""
    use = {"name_zh": "住宅用地", "price_form": "floor", "term_years": 70, "plot_ratio": 2.0, "rights": {"transfer": "出让"}, "cells": ["1000"]}
    return PriceTables.from_dict({"document": {"doc_number": "DEMO", "base_date": "2019-01-01"},
                                  "tables": {"state_construction": {"grades": ["一级"], "uses": {"residential": use}}}}, source="demo")
