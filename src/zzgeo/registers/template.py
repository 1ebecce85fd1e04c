"""Excel templates of the registers, for an office to fill in and zzgeo to read back (``zzgeo template KIND``).

A template is an ``.xlsx`` workbook made from a register's schema
(:mod:`zzgeo.registers`) and ``data/templates.toml``:

1. ``说明`` / ``Read me``, the first sheet: one row per column: the header, what
   it means and where its value comes from, its unit, required or not, the
   allowed values, the hard range (outside it a row is an error) and the usual
   range (outside it a row gets a note), with the reasons, and the example value.
2. ``台账`` / ``Register``: the header row only, frozen, one header per schema
   column with its unit (``有效面积(㎡)``, ``effective_area (m²)``) and the
   coordinate columns (``经度``/``纬度``, or ``WKT`` for polygons); a drop-down
   list in every category and yes/no column, a range check in every number
   column, a number format per quantity (areas ``#,##0.00``, years ``0``, text
   and codes ``@``), a comment on every header saying what it means. The
   workbook's defined name ``zzgeo_register`` points at it, and the loader
   reads that sheet (:data:`zzgeo.io.REGISTER_SHEET_NAME`), not the first.
3. ``示例`` / ``Example``: the register's header and one example row, a valid
   row (reading that sheet with ``sheet="示例"`` passes every check). The
   example lives on its own sheet so that it never becomes data by mistake.
4. ``下拉列表`` / ``Lists`` (hidden): the values the drop-down lists offer; only
   when a column has a drop-down (the wells and the units have none).

Every header is one the loader accepts and every unit is the column's canonical
unit, so a filled template reads back exactly as typed; the drop-down lists
offer the Chinese labels (``zh``) or the canonical values (``en``), which the
loader maps to the canonical values. :func:`read_template` (``zzgeo template
KIND --check``) reads a filled template strictly: a header that differs from
the template's (renamed, shortened, or with another unit: ``有效面积(公顷)``
would be converted by the general loader, silently if the values were typed in
㎡) is an error, and so is a missing one.

Examples
--------
>>> from zzgeo.registers.template import TEMPLATES, template_columns
>>> sorted(TEMPLATES)
['candidates', 'facilities', 'parcels', 'shelters', 'sources', 'units', 'wells']
>>> [(c.header, c.unit) for c in template_columns("shelters")][4:6]
[('占地面积(㎡)', '㎡'), ('有效面积(㎡)', '㎡')]
>>> [c.header for c in template_columns("shelters", lang="en")][4:6]
['gross_area (m²)', 'effective_area (m²)']
>>> template_columns("shelters")[2].choices
('Ⅰ类', 'Ⅱ类', 'Ⅲ类')
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zzgeo._data import load_toml
from zzgeo.errors import SchemaError, ZzgeoError
from zzgeo.i18n import _
from zzgeo.registers.schema import (
    RANGE_TEXT,
    ColumnSpec,
    RegisterSchema,
    bound_text,
    header_key,
    load_schema,
    nfkc,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "LANGUAGES",
    "TEMPLATES",
    "TemplateColumn",
    "default_template_name",
    "read_template",
    "template_columns",
    "write_template",
]

LANGUAGES = ("zh", "en")
_ROWS = 5000  # rows of the register sheet that carry drop-downs, range checks and number formats
_EN_UNIT_SUFFIX = re.compile(r"_(m2|m3_d|m_d|deg|m)$")


@functools.lru_cache(maxsize=1)
def _config() -> dict[str, Any]:
    return load_toml("templates.toml")


#: Template kind -> packaged schema it fills (``data/templates.toml``).
TEMPLATES: dict[str, str] = {kind: str(spec["schema"]) for kind, spec in _config()["kinds"].items()}


@dataclass(frozen=True)
class TemplateColumn:
    """One column of a template's register sheet.

    Attributes
    ----------
    name : str
        The schema column, or ``"lon"``, ``"lat"``, ``"wkt"``.
    header : str
        The header as written (``"有效面积(㎡)"``).
    about : str
        What the column means and where its value comes from.
    unit : str
        The unit of the values (the column's canonical unit), or ``""``.
    required : bool
        The loader needs the column (coordinates are always required).
    choices : tuple of str
        What the drop-down list offers (``()`` for a free column).
    values : tuple of str
        The canonical value of each choice (for yes/no: ``"True"``/``"False"``).
    number_format : str
        The Excel number format of its cells.
    example : object
        The value of the example row.
    spec : ColumnSpec or None
        The schema column (None for coordinates).

    Examples
    --------
    The use of a parcel: the drop-down offers the Chinese labels, each the
    label of one canonical value:

    >>> from zzgeo.registers.template import template_columns
    >>> use = template_columns("parcels")[3]
    >>> use.header, use.choices[:2], use.values[:2], use.required
    ('用途', ('商业服务业用地', '农村宅基地'), ('commercial', 'homestead'), False)
    """

    name: str
    header: str
    about: str
    unit: str
    required: bool
    choices: tuple[str, ...]
    values: tuple[str, ...]
    number_format: str
    example: Any
    spec: ColumnSpec | None = None


def _check_kind(kind: str, lang: str) -> dict[str, Any]:
    if kind not in TEMPLATES:
        raise SchemaError(_("unknown template {kind!r}; use one of {kinds}").format(kind=kind, kinds=", ".join(TEMPLATES)))
    if lang not in LANGUAGES:
        raise SchemaError(_("unknown template language {lang!r}; use zh or en").format(lang=lang))
    return _config()["kinds"][kind]


def _header(spec: ColumnSpec, schema: RegisterSchema, lang: str, unit: str) -> str:
    """``有效面积(㎡)`` / ``effective_area (m²)``: a header the loader maps to *spec* in its canonical unit."""
    from zzgeo.registers.quantities import split_header

    if lang == "en":
        stem = _EN_UNIT_SUFFIX.sub("", spec.name)
        accepted = {header_key(h) for h in schema.aliases()[spec.name]}
        if not spec.quantity or header_key(stem) not in accepted:
            stem = spec.name
        return f"{stem} ({unit})" if unit else stem
    if not spec.quantity:
        return spec.title or spec.name
    stem = split_header(spec.title)[0] if spec.title else spec.name
    return f"{stem}({unit})" if unit else stem


def _pick(pair: Any, lang: str) -> str:
    """The *lang* text of a ``[zh, en]`` pair of the config."""
    if isinstance(pair, list | tuple):
        return str(pair[LANGUAGES.index(lang)])
    return str(pair or "")


def template_columns(kind: str, *, lang: str = "zh") -> list[TemplateColumn]:
    """The columns of a template's register sheet, in order: the schema's columns, then the coordinates.

    Parameters
    ----------
    kind : str
        A key of :data:`TEMPLATES` (``"shelters"``, ``"units"`` ...).
    lang : {"zh", "en"}

    Returns
    -------
    list of TemplateColumn

    Raises
    ------
    SchemaError
        An unknown *kind* or *lang*.

    Examples
    --------
    The wells: a flow in m³/d, then the coordinates; the units carry a WKT
    polygon instead:

    >>> from zzgeo.registers.template import template_columns
    >>> [c.header for c in template_columns("wells")]
    ['井编号', '所属水源编号', '名称', '开采量(m³/d)', '井深(m)', '经度', '纬度']
    >>> [c.header for c in template_columns("units", lang="en")]
    ['unit_code', 'unit_name', 'population', 'parent_code', 'parent_name', 'WKT']
    >>> level = template_columns("sources", lang="en")[3]
    >>> level.header, level.choices, level.number_format
    ('level', ('city', 'county', 'township'), '@')
    """
    cfg = _config()
    spec_cfg = _check_kind(kind, lang)
    schema = load_schema(TEMPLATES[kind])
    example = dict(spec_cfg.get("example", {}))
    about = dict(spec_cfg.get("about", {}))
    units, formats = cfg["units"][lang], cfg["formats"]
    columns = []
    for name, spec in schema.columns.items():
        unit = str(units.get(spec.quantity, "")) if spec.quantity else ""
        if spec.type == "category":
            vocabulary = schema.vocabulary(name)
            values = tuple(vocabulary.values)
            choices = tuple(vocabulary.labels.get(v, v) if lang == "zh" else v for v in values)
        elif spec.type == "bool":
            choices, values = tuple(cfg["bools"][lang]), ("True", "False")
        else:
            choices = values = ()
        number_format = formats["quantity"].get(spec.quantity) if spec.type in ("number", "integer") and spec.quantity else None
        columns.append(TemplateColumn(
            name=name, header=_header(spec, schema, lang, unit), about=_pick(about.get(name, spec.description), lang),
            unit=unit, required=spec.required, choices=choices, values=values,
            number_format=number_format or formats["type"][spec.type], example=example.get(name), spec=spec))
    coords = cfg["coordinates"]
    degrees = _pick(coords["degree_unit"], lang)
    if spec_cfg["geometry"] == "point":
        for axis in ("lon", "lat"):
            columns.append(TemplateColumn(name=axis, header=_pick(coords[axis], lang), about=_pick(coords[f"{axis}_about"], lang),
                                          unit=degrees, required=True, choices=(), values=(),
                                          number_format=formats["coordinates"]["degrees"], example=example.get(axis)))
    else:
        columns.append(TemplateColumn(name="wkt", header=_pick(coords["wkt"], lang), about=_pick(coords["wkt_about"], lang),
                                      unit="", required=True, choices=(), values=(), number_format="@",
                                      example=example.get("wkt")))
    if lang == "zh":  # the about texts of data/templates.toml, with full-width punctuation where they touch Chinese
        columns = [dataclasses.replace(c, about=zh_punctuation(c.about)) for c in columns]
    return columns


def default_template_name(kind: str, lang: str = "zh") -> str:
    """``shelters_template.xlsx`` (``shelters_template_en.xlsx`` in English).

    Examples
    --------
    >>> from zzgeo.registers.template import default_template_name
    >>> default_template_name("units"), default_template_name("units", "en")
    ('units_template.xlsx', 'units_template_en.xlsx')
    """
    return f"{kind}_template{'' if lang == 'zh' else '_' + lang}.xlsx"


# ----------------------------------------------------------------------------- the read-me sheet


_README_HEADERS = {
    "zh": ["列名", "含义与数据来源", "单位", "是否必填", "可选值", "允许范围（超出为错误）", "范围依据", "常见范围（超出给提示）", "常见范围说明", "示例"],
    "en": ["Header", "Meaning and where the value comes from", "Unit", "Required", "Allowed values", "Hard range (outside: error)",
           "Why", "Usual range (outside: a note)", "Why usual", "Example"],
}
# 是否必填 / Required: what it asks of a row (every column of the template stays, so "the loader needs the column"
# says nothing to the person filling it in).
_REQUIRED_TEXT = {"zh": ("必填", "选填"), "en": ("required", "optional")}
_LEGEND = {
    "zh": "是否必填：必填 = 每行都要填，空着的行读取时报错；选填 = 可以空着。所有列名都要保留（包括选填列）。",
    "en": "Required: required = every row needs a value, a row without one is an error on reading; optional = may be left "
          "empty. Keep every header, optional columns too.",
}
_INTRO = {
    "zh": ("本工作簿是{title}的填报模板（zzgeo template {kind}）。在「{register}」表中每行填一条记录，不要改动列名"
           "（检查时，改动过的列名一律拒绝，包括换了单位的；读取时，写错的列名报错，不会被忽略）；分类列请从下拉列表中选择；"
           "数值按列名中的单位填写。「{example}」表给出一行示例。依据：{source}。检查：zzgeo template {kind} --check FILE。"
           "读取：{command}（FILE 为本文件）。"),
    "en": ("This workbook is the template of the {title} (zzgeo template {kind}). Fill one record per row in the sheet "
           "'{register}', and keep its headers (checking refuses any changed header, a changed unit too; reading "
           "refuses a mistyped header rather than ignore it); choose "
           "categories from the drop-down lists; write numbers in the unit the header names. The '{example}' sheet shows "
           "one example row. Source: {source}. Check it: zzgeo template {kind} --check FILE. Read it: {command} "
           "(FILE is this file)."),
}


_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_HALF_TO_FULL = {",": "，", ";": "；", ":": "："}


def zh_punctuation(text: str) -> str:
    """Chinese text with full-width punctuation where it touches Chinese: ``，；：`` for ``,;:`` next to a
    Chinese character (the blanks around them dropped), ``（）`` for brackets around Chinese. Code, commands,
    WKT and numbers (``POLYGON((113.72 34.80, ...))``, ``--crs gcj02``, ``1,150``) are left as they are.

    Examples
    --------
    >>> from zzgeo.registers.template import zh_punctuation
    >>> zh_punctuation("点位经度, 十进制度 (WGS-84, 如 GPS 或天地图); 百度加 --crs bd09")
    '点位经度，十进制度（WGS-84，如 GPS 或天地图）；百度加 --crs bd09'
    >>> zh_punctuation("如 POLYGON((113.72 34.80, 113.74 34.80)); 最高 1,150 元/m²")
    '如 POLYGON((113.72 34.80, 113.74 34.80))；最高 1,150 元/m²'
    """
    text = str(text)
    for _round in range(2):  # nested brackets: the inner pair first
        text = re.sub(r"\s*\(([^()]*)\)", lambda m: f"（{m[1]}）" if re.search(f"[{_CJK}]", m[1]) else m[0], text)
    text = re.sub(rf"(?<=[{_CJK}])\s*([,;:])\s*", lambda m: _HALF_TO_FULL[m[1]], text)
    text = re.sub(rf"\s*([,;:])\s*(?=[{_CJK}])", lambda m: _HALF_TO_FULL[m[1]], text)
    text = re.sub(r"\s*([，；：（])\s*", r"\1", text)
    return re.sub(rf"）\s+(?=[{_CJK}])", "）", text)


def _zh_title(title: str) -> str:
    """``待估宗地 (parcels to value)`` -> ``待估宗地``: the Chinese title without its English gloss."""
    return re.sub(r"\s*\([A-Za-z][^()]*\)\s*$", "", title) or title


def _usual_text(low: Any, high: Any) -> str:
    return f"{'' if low is None else bound_text(low)} .. {'' if high is None else bound_text(high)}"


def _plausible_texts(spec: ColumnSpec, schema: RegisterSchema, lang: str) -> tuple[str, str]:
    """The usual range of a column and its reason, with the range of each category that has its own
    (``plausible_by``): ``1 .. 1000；托育服务机构、示范托育服务机构：1 .. 300；…``."""
    usual = _usual_text(*spec.plausible) if any(v is not None for v in spec.plausible) else ""
    why = spec.plausible_why_text(lang)
    if not spec.plausible_by:
        return usual, why
    vocabulary = schema.vocabulary(spec.plausible_by)
    sep, join, colon = ("；", "、", "：") if lang == "zh" else ("; ", ", ", ": ")
    usuals, whys = [usual] if usual else [], [why] if why else []
    for case in spec.plausible_cases:
        names = join.join(vocabulary.labels.get(v, v) if lang == "zh" else v for v in case.values)
        usuals.append(f"{names}{colon}{_usual_text(*case.plausible)}")
        if case.why_text(lang):
            whys.append(f"{names}{colon}{case.why_text(lang)}")
    return sep.join(usuals), sep.join(whys)


def _allowed_text(column: TemplateColumn, lang: str) -> str:
    if column.choices:
        return " / ".join(column.choices)
    spec = column.spec
    if spec is None:
        return ""
    kind = {"zh": {"integer": "整数", "number": "数值", "text": "文本", "date": "日期"},
            "en": {"integer": "whole number", "number": "number", "text": "text", "date": "date"}}[lang]
    return kind.get(spec.type, "")


def _readme_rows(columns: list[TemplateColumn], lang: str, schema: RegisterSchema | None = None) -> list[list[Any]]:
    rows = []
    required, optional = _REQUIRED_TEXT[lang]
    for c in columns:
        spec = c.spec
        need = required if c.required and (spec is None or not spec.nullable) else optional  # a row needs a value
        hard = ", ".join(f"{RANGE_TEXT[op]} {bound_text(v)}" for op, v in spec.ranges()) if spec else ""
        usual, usual_why = _plausible_texts(spec, schema, lang) if spec is not None and schema is not None else ("", "")
        if spec is not None and schema is None and any(v is not None for v in spec.plausible):
            usual, usual_why = _usual_text(*spec.plausible), spec.plausible_why_text(lang)
        row = [c.header, c.about, c.unit, need, _allowed_text(c, lang), hard, spec.why_text(lang) if spec else "", usual,
               usual_why, _example_cell(c)]
        if lang == "zh":
            row[1], row[6], row[8] = (zh_punctuation(t) if t else t for t in (row[1], row[6], row[8]))
        rows.append(row)
    return rows


# ----------------------------------------------------------------------------- writing


def _example_cell(column: TemplateColumn) -> Any:
    """The example value as a user writes it: a category as its drop-down choice, yes/no as its word."""
    value = column.example
    if value is None:
        return None
    if column.values:
        key = str(value)
        return column.choices[column.values.index(key)] if key in column.values else value
    return value


def _width(text: object) -> float:
    """Column width for *text*: CJK characters count twice."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _range_formula(spec: ColumnSpec, cell: str) -> str | None:
    """An Excel custom-validation formula for *spec*'s hard range at *cell* (top-left cell of the range)."""
    if spec.type not in ("number", "integer"):
        return None
    parts = [f"ISNUMBER({cell})"]
    if spec.type == "integer":
        parts.append(f"INT({cell})={cell}")
    parts += [f"{cell}{RANGE_TEXT[op]}{_excel_number(v)}" for op, v in spec.ranges()]
    return f"AND({','.join(parts)})"


def _excel_number(value: float) -> str:
    """*value* as a formula literal without an exponent (``1e-05`` -> ``0.00001``), which every spreadsheet reads."""
    text = repr(float(value))
    return f"{float(value):.20f}".rstrip("0").rstrip(".") if "e" in text else text


_MESSAGE_CHARS = 255  # Excel refuses a longer data-validation message (and cuts one that openpyxl wrote)


def _list_message(column: TemplateColumn, lists: str, letter: str, lang: str) -> str:
    """The error of a drop-down: every allowed value when they fit in Excel's 255 characters, else where they are."""
    full = (f"请从下拉列表中选择: {' / '.join(column.choices)}" if lang == "zh"
            else f"Choose from the list: {' / '.join(column.choices)}")
    if len(full) <= _MESSAGE_CHARS:
        return full
    readme = _config()["sheets"][lang]["readme"]
    return (f"请从下拉列表中选择 (共 {len(column.choices)} 项; 全部可选值见隐藏的「{lists}」表 {letter} 列, 及「{readme}」表)"
            if lang == "zh" else f"Choose from the drop-down list ({len(column.choices)} values; all of them are in "
            f"column {letter} of the hidden sheet '{lists}' and on the sheet '{readme}')")


def _write_register_sheet(sheet: Any, columns: list[TemplateColumn], lists: Any, lang: str, *, example: bool) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    required_fill, optional_fill = PatternFill("solid", fgColor="FFE699"), PatternFill("solid", fgColor="DDEBF7")
    list_col = 0
    for i, column in enumerate(columns, start=1):
        letter = _letter(i)
        head = sheet.cell(row=1, column=i, value=column.header)
        head.data_type = "s"
        head.font = bold
        head.fill = required_fill if column.required else optional_fill
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        comment = column.about + (f" [{column.unit}]" if column.unit else "")
        if comment:
            head.comment = Comment(comment, "zzgeo", width=300, height=120)
        sheet.column_dimensions[letter].width = min(max(_width(column.header) + 4, 12), 40)
        sheet.column_dimensions[letter].number_format = column.number_format  # the column's style: every new cell takes it
        cells = f"{letter}2:{letter}{_ROWS}"
        if column.choices:
            list_col += 1
            source = _letter(list_col)
            lists.cell(row=1, column=list_col, value=column.header).data_type = "s"
            for r, choice in enumerate(column.choices, start=2):
                lists.cell(row=r, column=list_col, value=choice).data_type = "s"
            check = DataValidation(type="list", formula1=f"'{lists.title}'!${source}$2:${source}${len(column.choices) + 1}",
                                   allow_blank=True, showDropDown=False)
            check.error = _list_message(column, lists.title, source, lang)
            check.errorTitle = column.header[:32]
            check.showErrorMessage = True
        else:
            formula = _range_formula(column.spec, f"{letter}2") if column.spec is not None else None
            if formula is None and column.name in ("lon", "lat"):
                limit = 180 if column.name == "lon" else 90
                formula = f"AND(ISNUMBER({letter}2),{letter}2>=-{limit},{letter}2<={limit})"
            if formula is None:
                continue
            check = DataValidation(type="custom", formula1=formula, allow_blank=True)
            hard = ", ".join(f"{RANGE_TEXT[op]} {bound_text(v)}" for op, v in column.spec.ranges()) if column.spec else ""
            check.error = ((f"请填写数值{('(' + hard + ')') if hard else ''}" + (f", 单位 {column.unit}" if column.unit else ""))
                           if lang == "zh" else f"Write a number{(' ' + hard) if hard else ''}"
                           + (f" in {column.unit}" if column.unit else ""))
            check.errorTitle = column.header[:32]
            check.showErrorMessage = True
        check.add(cells)
        sheet.add_data_validation(check)
    if example:
        for i, column in enumerate(columns, start=1):
            cell = sheet.cell(row=2, column=i, value=_example_cell(column))
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 32


def _write_readme(sheet: Any, columns: list[TemplateColumn], kind: str, lang: str, names: Mapping[str, str]) -> None:
    from openpyxl.styles import Alignment, Font

    schema = load_schema(TEMPLATES[kind])
    title = _zh_title(schema.title) if lang == "zh" else schema.title
    intro = _INTRO[lang].format(title=title, kind=kind, register=names["register"], example=names["example"],
                                source=schema.source_text(lang) or "-", command=_pick(_config()["kinds"][kind]["command"], lang))
    sheet.cell(row=1, column=1, value=intro).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(_README_HEADERS[lang]))
    sheet.row_dimensions[1].height = 75
    sheet.cell(row=2, column=1, value=_LEGEND[lang]).data_type = "s"
    for j, text in enumerate(_README_HEADERS[lang], start=1):
        sheet.cell(row=3, column=j, value=text).font = Font(bold=True)
    for i, row in enumerate(_readme_rows(columns, lang, schema), start=4):
        for j, value in enumerate(row, start=1):
            cell = sheet.cell(row=i, column=j, value=value if value != "" else None)
            if isinstance(value, str):
                cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for j, width in enumerate((22, 60, 10, 14, 30, 18, 40, 18, 40, 24), start=1):
        sheet.column_dimensions[_letter(j)].width = width
    sheet.freeze_panes = "A4"


def _name_register_sheet(book: Any, title: str) -> None:
    """Point the defined name the loader looks for at the register sheet (the explanation comes first)."""
    from openpyxl.workbook.defined_name import DefinedName

    from zzgeo.io import REGISTER_SHEET_NAME

    book.defined_names[REGISTER_SHEET_NAME] = DefinedName(REGISTER_SHEET_NAME, attr_text=f"'{title}'!$A$1")


def _save(book: Any, path: Path, *, overwrite: bool) -> None:
    """Save *book* to *path* atomically: a temporary file beside it, moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        book.save(tmp)
        if not overwrite and path.exists():  # checked again: it may have appeared meanwhile
            raise ZzgeoError(_("{path!r} exists; a filled template is never replaced by accident (overwrite=True / --force replaces it)")
                             .format(path=str(path)))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_template(kind: str, path: str | Path, *, lang: str = "zh", overwrite: bool = False,
                   protect: Iterable[str | Path] = ()) -> Path:
    """Write the Excel template of a register: the register sheet, the read-me, the example, the lists.

    Parameters
    ----------
    kind : str
        A key of :data:`TEMPLATES`.
    path : str or Path
        An ``.xlsx`` file.
    lang : {"zh", "en"}
        Language of the headers, the drop-down values and the read-me.
    overwrite : bool, default False
        Replace an existing file (a filled template would be lost, so not by default).
    protect : iterable of path
        Inputs that must never be overwritten, even with *overwrite*.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    SchemaError
        An unknown *kind* or *lang*.
    ZzgeoError
        *path* is not ``.xlsx``, is a folder or a protected input, or exists and *overwrite* is False.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import openpyxl
    >>> from zzgeo.registers.template import write_template
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_template("wells", Path(folder) / "wells.xlsx")
    ...     book = openpyxl.load_workbook(path)
    >>> book.sheetnames  # no column of the wells has a drop-down: no lists sheet
    ['说明', '台账', '示例']
    >>> [cell.value for cell in book["台账"][1]]
    ['井编号', '所属水源编号', '名称', '开采量(m³/d)', '井深(m)', '经度', '纬度']
    >>> [cell.value for cell in book["示例"][2]][:4]
    ['GW-01-01', 'GW-01', '示例水源地 1 号井', 5000]
    """
    import openpyxl

    from zzgeo.io import check_output_path

    columns = template_columns(kind, lang=lang)
    path = Path(path)
    check_output_path(path, protect=protect)
    if path.suffix.lower() != ".xlsx":
        raise ZzgeoError(_("a template is an Excel workbook: give a .xlsx file, not {path!r}").format(path=str(path)))
    if path.exists() and not overwrite:
        raise ZzgeoError(_("{path!r} exists; a filled template is never replaced by accident (overwrite=True / --force replaces it)")
                         .format(path=str(path)))
    names = _config()["sheets"][lang]
    book = openpyxl.Workbook()
    readme = book.active
    readme.title = names["readme"]
    register = book.create_sheet(names["register"])
    example = book.create_sheet(names["example"])
    lists = book.create_sheet(names["lists"]) if any(c.choices for c in columns) else None  # no empty sheet
    _write_register_sheet(register, columns, lists, lang, example=False)
    _write_register_sheet(example, columns, lists, lang, example=True)
    _write_readme(readme, columns, kind, lang, names)
    if lists is not None:
        lists.sheet_state = "hidden"
    book.active = 0
    _name_register_sheet(book, register.title)
    _save(book, path, overwrite=overwrite)
    return path


# ----------------------------------------------------------------------------- reading back


def _same_header(text: object) -> str:
    """A header as compared with the template's: NFKC (``㎡`` = ``m2``, ``（`` = ``(``), no blanks, any case."""
    return re.sub(r"\s+", "", nfkc(text)).casefold()


def _strict_headers(frame: pd.DataFrame, kind: str, name: str) -> None:
    """Every header of the template must be there as written, in either language; a header that stands for one
    of the template's columns but differs from its header (another unit, a shorter or another name) is an error,
    though the general loader would read or convert it; so are values under no header. Added columns (``备注``)
    are kept, as the loader keeps them."""
    import pandas as pd

    from zzgeo.registers.loader import header_conversions

    schema = load_schema(TEMPLATES[kind])
    layouts = {lang: template_columns(kind, lang=lang) for lang in LANGUAGES}
    exact = {_same_header(c.header): c.name for cols in layouts.values() for c in cols}
    stems = {header_key(c.header): c.name for cols in layouts.values() for c in cols}
    texts = [str(col) for col in frame.columns]
    lang = max(LANGUAGES, key=lambda lang: len({_same_header(c.header) for c in layouts[lang]} & {_same_header(t) for t in texts}))
    expected = {c.name: c.header for c in layouts[lang]}
    found = {exact[_same_header(t)] for t in texts if _same_header(t) in exact}
    missing = [header for column, header in expected.items() if column not in found]
    restore = _("restore the template's headers {headers!r} (or write a new template: zzgeo template {kind})").format(
        headers=list(expected.values()), kind=kind)
    for col, text in zip(frame.columns, texts, strict=True):
        if _same_header(text) in exact:
            continue
        if text.startswith("Unnamed: "):
            if not frame[col].isna().all():
                raise SchemaError(_("{name}: column {number} has values but no header; {restore}").format(
                    name=name, number=int(text.split(":")[1]) + 1, restore=restore))
            continue
        column = stems.get(header_key(text))
        if column is None:
            try:  # an alias the loader reads (场所名称 for 名称, effective_area_m2 ...)
                column = header_conversions(pd.DataFrame(columns=[text]), schema, name=name)[0].get(text)
                column = column or (text if text in schema.columns else None)
            except SchemaError:  # a unit of the wrong kind: still a changed header
                column = None
        if column is not None:
            raise SchemaError(_("{name}: header {header!r} is not the {kind} template's {expected!r}: a changed header "
                                "(another unit, another name) is refused, as a value could be read in the wrong unit; "
                                "write the values in the template's unit under {expected!r}").format(
                name=name, header=text, kind=kind, expected=expected[column]))
        if missing:
            raise SchemaError(_("{name}: header {header!r} is no column of the {kind} template (it lacks {missing}); {restore}").format(
                name=name, header=text, kind=kind, missing=", ".join(map(repr, missing)), restore=restore))
    if missing:
        raise SchemaError(_("{name} lacks the {kind} template's header(s) {missing}; {restore}").format(
            name=name, kind=kind, missing=", ".join(map(repr, missing)), restore=restore))


def read_template(path: str | Path, kind: str, *, crs: object = "wgs84", on_error: str = "raise") -> pd.DataFrame:
    """Read a filled template back, strictly: every header must be the template's, as written; then the common loader.

    Parameters
    ----------
    path : str or Path
        The filled ``.xlsx`` (its register sheet is read, as every command reads it).
    kind : str
        A key of :data:`TEMPLATES`.
    crs : str, default "wgs84"
        What the coordinates are (see :func:`zzgeo.registers.load_register`).
    on_error : {"raise", "flag"}, default "raise"
        As every command by default: a bad row is an error naming it; ``"flag"``
        keeps the rows with an ``issues`` column and ``valid`` False.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`zzgeo.registers.load_register`: the schema's columns in their canonical units.

    Raises
    ------
    SchemaError
        A header that differs from the template's, in either language: one
        with another unit (``有效面积(公顷)`` for ``有效面积(㎡)``), one
        shortened or renamed (``有效面积``, ``场所名称``), one that took the
        place of a template header, or a template header missing; values under
        an empty header; or as :func:`zzgeo.registers.load_register` (a bad
        row, with ``on_error="raise"``). A column added beside the template's
        (``备注``) is kept, as the loader keeps it.

    Examples
    --------
    The example sheet of a written template reads back as the typed values:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import openpyxl
    >>> from zzgeo.registers.template import read_template, write_template
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_template("wells", Path(folder) / "wells.xlsx", lang="en")
    ...     book = openpyxl.load_workbook(path)
    ...     book["Register"].append(["W1", "GW-01", "north well", 4500, 120.5, 113.625, 34.855])
    ...     book.save(path)
    ...     wells = read_template(path, "wells")
    >>> wells[["well_id", "source_id", "pumping_m3_d", "depth_m"]].values.tolist()
    [['W1', 'GW-01', 4500.0, 120.5]]

    A header with another unit than the template's is refused, though the
    general loader would convert it:

    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_template("wells", Path(folder) / "wells.xlsx", lang="en")
    ...     book = openpyxl.load_workbook(path)
    ...     book["Register"]["D1"] = "pumping (m³/h)"
    ...     book.save(path)
    ...     read_template(path, "wells")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    zzgeo.errors.SchemaError: .../wells.xlsx: header 'pumping (m³/h)' is not the wells template's 'pumping (m³/d)': ...
    """
    from zzgeo._problems import check_on_error
    from zzgeo.io import read_table
    from zzgeo.registers.loader import load_register

    _check_kind(kind, "zh")
    check_on_error(on_error)
    path = Path(path)
    name = str(path)
    _strict_headers(read_table(path, name=name), kind, name)
    return load_register(path, TEMPLATES[kind], crs=crs, on_error=on_error, name=name)
