"""Excel templates of the registers (``zzgeo template KIND``): written from the schemas, filled in as an office
would, read back through the common loader to exactly the typed values, in Chinese and in English."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from zzgeo.cli import app
from zzgeo.errors import SchemaError, ZzgeoError
from zzgeo.registers import load_register, load_schema
from zzgeo.registers.template import (
    LANGUAGES,
    TEMPLATES,
    default_template_name,
    read_template,
    template_columns,
    write_template,
)

REPO = Path(__file__).resolve().parents[1]
CASES = [(kind, lang) for kind in TEMPLATES for lang in LANGUAGES]
IDS = [f"{kind}-{lang}" for kind, lang in CASES]
SHEETS = {"zh": ["说明", "台账", "示例", "下拉列表"], "en": ["Read me", "Register", "Example", "Lists"]}
runner = CliRunner()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-m", "zzgeo.cli", *args], check=False, capture_output=True, text=True,
                          timeout=180, cwd=cwd, env=env)


def _typed(column, row: int, id_column: str | None):
    """What an office types in *column* of data row *row* (0 or 1): another value than the example for every
    column, a choice taken from the drop-down list, a number inside the usual range, as the header's unit says."""
    if column.choices:
        return column.choices[-1 - row % len(column.choices)]
    spec = column.spec
    if spec is None:  # coordinates / WKT: the example's place, a few metres apart per row
        return column.example + row * 0.0001 if column.name in ("lon", "lat") else column.example
    if spec.type == "text":
        # district names must match the location; ids and names get a new value for every row
        keep = spec.name not in (id_column, "name", "unit_name", "source")
        return column.example if keep and column.example is not None else f"{column.example or '文本'}-{row + 1}"
    low, high = spec.plausible
    low = low if low is not None else dict(spec.ranges()).get("ge", 1.0)
    high = high if high is not None else low * 10 + 10
    value = float(f"{low + (high - low) * (0.37 + 0.11 * row):.4g}")
    return int(value) if spec.type == "integer" else value


def _fill(path: Path, kind: str, lang: str, rows: int = 2) -> list[dict]:
    """Type *rows* rows into the register sheet with openpyxl, as a user would; returns what was typed per column."""
    columns = template_columns(kind, lang=lang)
    id_column = load_schema(TEMPLATES[kind]).id_column
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[1]  # the register sheet: the first one explains the columns
    typed = []
    for row in range(rows):
        values = {c.name: _typed(c, row, id_column) for c in columns}
        for i, c in enumerate(columns, start=1):
            sheet.cell(row=2 + row, column=i, value=values[c.name])
        typed.append(values)
    book.save(path)
    return typed


def _canonical(column, value):
    """What the loader must give for a typed *value*: a choice as its canonical value, yes/no as a bool."""
    if column.values:
        canonical = column.values[column.choices.index(value)]
        return {"True": True, "False": False}.get(canonical, canonical)
    return value


def _command(kind: str, lang: str) -> str:
    from zzgeo.registers.template import _config, _pick

    return _pick(_config()["kinds"][kind]["command"], lang)


def _parse_command(command: str, folder: Path) -> None:
    """Parse *command* with the real CLI (unknown options, missing arguments and required options are errors),
    FILE and the other files named being empty files in *folder*; nothing runs."""
    import shlex

    import typer

    args = shlex.split(command)
    assert args[0] == "zzgeo"
    for i, arg in enumerate(args):
        if arg.endswith(".xlsx") or arg == "FILE":
            args[i] = str(folder / (arg if arg != "FILE" else "FILE.xlsx"))
            Path(args[i]).touch()
    cmd, path, rest = typer.main.get_command(app), ["zzgeo"], args[1:]
    while hasattr(cmd, "commands") and rest and rest[0] in cmd.commands:  # down the command groups
        path.append(rest[0])
        cmd = cmd.commands[rest.pop(0)]
    ctx = cmd.make_context(" ".join(path), rest)  # raises on an unknown option, a missing one or an extra argument
    assert len(path) > 1 and not ctx.args, command


def _list_validations(sheet) -> dict[str, list[str]]:
    """Column letter -> the values its drop-down list offers (read from the range on the lists sheet)."""
    book = sheet.parent
    out = {}
    for check in sheet.data_validations.dataValidation:
        if check.type != "list":
            continue
        found = re.fullmatch(r"'(.+)'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", check.formula1)
        assert found, check.formula1
        lists = book[found[1]]
        values = [lists[f"{found[2]}{r}"].value for r in range(int(found[3]), int(found[5]) + 1)]
        for cells in str(check.sqref).split():
            out[re.match(r"[A-Z]+", cells)[0]] = values
    return out


# ----------------------------------------------------------------------------- the kinds


def test_every_register_of_the_issue_has_a_template():
    assert TEMPLATES == {
        "shelters": "shelters/register.toml", "candidates": "shelters/candidates.toml", "parcels": "landprice/parcels.toml",
        "facilities": "children/facilities.toml", "sources": "groundwater/sources.toml", "wells": "groundwater/wells.toml",
        "units": "analysis_units.toml",
    }


@pytest.mark.parametrize(("kind", "lang"), CASES, ids=IDS)
def test_every_header_is_one_the_loader_maps_to_its_column_without_conversion(kind, lang):
    import pandas as pd

    from zzgeo.registers import header_conversions

    columns = [c for c in template_columns(kind, lang=lang) if c.spec is not None]
    schema = load_schema(TEMPLATES[kind])
    assert [c.name for c in columns] == list(schema.columns)  # every schema column, in the schema's order
    rename, conversions = header_conversions(pd.DataFrame({c.header: [] for c in columns}), schema)
    assert {c.header: rename.get(c.header, c.header) for c in columns} == {c.header: c.name for c in columns}
    assert all(conversion.identity for _, conversion in conversions.values())
    for c in columns:  # a header names its unit exactly when the column measures something in a unit
        assert (f"({c.unit})" in c.header or f" ({c.unit})" in c.header) == bool(c.unit), c.header


def test_headers_carry_the_units_in_chinese_and_english():
    zh = {c.name: c.header for c in template_columns("sources")}
    en = {c.name: c.header for c in template_columns("sources", lang="en")}
    assert zh["abstraction_m3_d"] == "日取水量(m³/d)" and en["abstraction_m3_d"] == "abstraction (m³/d)"
    assert zh["conductivity_m_d"] == "渗透系数K(m/d)" and en["conductivity_m_d"] == "conductivity_m_d (m/d)"
    assert zh["gradient"] == "水力坡度I" and en["gradient"] == "gradient"  # a ratio: no unit, nothing converts
    assert (zh["lon"], zh["lat"], en["lon"], en["lat"]) == ("经度", "纬度", "lon", "lat")
    parcels = {c.name: c.header for c in template_columns("parcels")}
    assert parcels["area_m2"] == "土地面积(㎡)" and parcels["development_adj"] == "开发程度修正(元/㎡)"
    assert parcels["term_years"] == "剩余使用年期(年)"
    assert [c.header for c in template_columns("units")][-1] == "WKT"  # polygons: a WKT column, no lon/lat


# ----------------------------------------------------------------------------- the workbook


@pytest.mark.parametrize(("kind", "lang"), CASES, ids=IDS)
def test_the_workbook_sheets_headers_lists_and_formats(tmp_path, kind, lang):
    path = write_template(kind, tmp_path / "t.xlsx", lang=lang)
    book = openpyxl.load_workbook(path)
    columns = template_columns(kind, lang=lang)
    has_lists = any(c.choices for c in columns)
    assert book.sheetnames == SHEETS[lang][:4 if has_lists else 3]  # no empty lists sheet (wells, units)
    readme, register, example = (book[name] for name in SHEETS[lang][:3])
    assert book.active.title == SHEETS[lang][0]
    if has_lists:
        assert book[SHEETS[lang][3]].sheet_state == "hidden"
    assert next(iter(book.defined_names["zzgeo_register"].destinations)) == (SHEETS[lang][1], "$A$1")
    assert [c.value for c in register[1]] == [c.header for c in columns]
    assert register.max_row == 1  # nothing to delete: the example is on its own sheet
    assert register.freeze_panes == "A2"
    # a drop-down for every category and yes/no column, listing exactly the vocabulary's values
    schema = load_schema(TEMPLATES[kind])
    offered = _list_validations(register)
    letters = {c.name: openpyxl.utils.get_column_letter(i) for i, c in enumerate(columns, start=1)}
    choice_columns = [c for c in columns if c.spec is not None and c.spec.type in ("category", "bool")]
    assert set(offered) == {letters[c.name] for c in choice_columns}
    for c in choice_columns:
        assert offered[letters[c.name]] == list(c.choices)
        if c.spec.type == "category":
            vocabulary = schema.vocabulary(c.name)
            assert [vocabulary.parse(choice) for choice in c.choices] == vocabulary.values
            if lang == "en":
                assert list(c.choices) == vocabulary.values
            else:
                assert list(c.choices) == [vocabulary.labels.get(v, v) for v in vocabulary.values]
        else:
            assert list(c.choices) == (["是", "否"] if lang == "zh" else ["yes", "no"])
    # number formats of the columns: text as text, areas with two decimals, years without separators
    formats = {c.name: register.column_dimensions[letters[c.name]].number_format for c in columns}
    for c in columns:
        if c.spec is not None and c.spec.type in ("text", "category", "bool"):
            assert formats[c.name] == "@", c.name
        if c.spec is not None and c.spec.quantity == "area":
            assert formats[c.name] == "#,##0.00"
    # the read-me: one row per column, in order, with the unit and the hard range
    rows = list(readme.iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in rows] == [c.header for c in columns]
    assert [r[2] or "" for r in rows] == [c.unit for c in columns]
    assert all(r[1] for r in rows)  # every column says what it means and where its value comes from
    # a range check in every number column, in formulas any spreadsheet reads (no exponent: 1e-05 -> 0.00001)
    custom = {re.match(r"[A-Z]+", str(v.sqref))[0]: v.formula1 for v in register.data_validations.dataValidation
              if v.type == "custom"}
    numeric = [c for c in columns if c.name in ("lon", "lat") or (c.spec is not None and c.spec.type in ("number", "integer"))]
    assert set(custom) == {letters[c.name] for c in numeric}
    # Excel refuses a message over 255 characters: every message fits whole, none is a list cut short
    for check in register.data_validations.dataValidation:
        assert len(check.error) <= 255 and not check.error.rstrip().endswith(("/", ",")), check.error
        assert len(check.errorTitle) <= 32
    assert not any(re.search(r"\de[+-]?\d", formula, re.IGNORECASE) for formula in custom.values())
    # the example sheet: the same header and one row
    assert [c.value for c in example[1]] == [c.header for c in columns] and example.max_row == 2


def test_the_readme_explains_a_column_its_unit_range_and_source(tmp_path):
    book = openpyxl.load_workbook(write_template("shelters", tmp_path / "s.xlsx"))
    rows = {r[0]: r for r in book["说明"].iter_rows(min_row=4, values_only=True)}
    header, about, unit, need, allowed, hard, why, usual, usual_why, example = rows["有效面积(㎡)"]
    assert header == "有效面积(㎡)" and unit == "㎡" and need == "必填" and allowed == "数值"
    # the Chinese template gives the reasons in Chinese (why_zh / plausible_why_zh of the schema), full-width punctuation
    assert hard == "> 0, <= 7.6e+09" and usual == "100 .. 3e+06" and usual_why.startswith("Ⅲ类场所需 2,000 m²，Ⅰ类需 20,000 m²；")
    assert "有效避难面积" in about and why.startswith("任何场地都不会大于郑州市全市（7,567 km²") and example == 18500
    assert about == "有效避难面积（扣除水面、建筑等不可用部分），取自场所规划或核查；人均面积用它计算"
    assert rows["类别"][4] == "Ⅰ类 / Ⅱ类 / Ⅲ类" and rows["经度"][3] == "必填"
    assert rows["名称"][3] == "选填"  # the loader needs the column, but a row may leave the name empty
    assert "zzgeo template shelters" in book["说明"]["A1"].value and "郑政文〔2022〕40号" in book["说明"]["A1"].value
    assert book["说明"]["A2"].value.startswith("是否必填：必填 = 每行都要填")  # the legend of the two words
    # the intro: the Chinese title and source, and what happens to a changed header (the loader refuses a mistyped one)
    intro = book["说明"]["A1"].value
    assert intro.startswith("本工作簿是应急避难场所台账的填报模板（zzgeo template shelters）。") and "(shelter register)" not in intro
    assert "读取时，写错的列名报错，不会被忽略" in intro and "依据：郑政文〔2022〕40号 六（三）；" in intro
    assert not re.search(r"[\u4e00-\u9fff][,;:()]|[,;:()][\u4e00-\u9fff]", intro + "".join(
        str(c) for r in book["说明"].iter_rows(min_row=2, values_only=True) for c in (r[1], r[6], r[8]) if c))
    en = openpyxl.load_workbook(write_template("shelters", tmp_path / "e.xlsx", lang="en"))
    rows = {r[0]: r for r in en["Read me"].iter_rows(min_row=4, values_only=True)}
    assert "class III needs 2,000 m²" in rows["effective_area (m²)"][8] and "Zhengzhou" in rows["effective_area (m²)"][6]
    assert rows["effective_area (m²)"][2:4] == ("m²", "required") and rows["capacity"][3] == "optional"
    assert en["Read me"]["A2"].value.startswith("Required: required = every row needs a value")


@pytest.mark.parametrize(("kind", "lang"), CASES, ids=IDS)
def test_the_readme_says_how_each_kind_is_read_and_every_row_needs_what_it_says(tmp_path, kind, lang):
    # the words of 是否必填 are exactly two, each what a row needs; a 必填 cell left empty is an error on reading
    book = openpyxl.load_workbook(write_template(kind, tmp_path / "t.xlsx", lang=lang))
    readme = book[SHEETS[lang][0]]
    needs = {r[0]: r[3] for r in readme.iter_rows(min_row=4, values_only=True)}
    words = ("必填", "选填") if lang == "zh" else ("required", "optional")
    assert set(needs.values()) <= set(words)
    for c in template_columns(kind, lang=lang):
        every_row = c.required and (c.spec is None or not c.spec.nullable)
        assert needs[c.header] == words[0 if every_row else 1], c.header
    # the intro names the kind's own command, which the CLI parses as written (FILE = this file)
    intro = readme["A1"].value
    command = _command(kind, lang)
    assert command in intro and "--register/--sources" not in intro
    _parse_command(command, tmp_path)


def test_a_drop_down_too_long_for_its_message_points_at_the_list_instead_of_cutting_it(tmp_path):
    columns = {c.name: c for c in template_columns("facilities")}
    assert len("请从下拉列表中选择: " + " / ".join(columns["type"].choices)) > 255  # 设施类型: too many to list
    for lang, lists in (("zh", "下拉列表"), ("en", "Lists")):
        book = openpyxl.load_workbook(write_template("facilities", tmp_path / f"f_{lang}.xlsx", lang=lang))
        errors = {str(v.sqref): v.error for v in book.worksheets[1].data_validations.dataValidation if v.type == "list"}
        n = len(template_columns("facilities", lang=lang)[2].choices)
        assert errors["C2:C5000"] == ("请从下拉列表中选择 (共 {n} 项; 全部可选值见隐藏的「下拉列表」表 A 列, 及「说明」表)" if lang == "zh"
                                      else "Choose from the drop-down list ({n} values; all of them are in column A of the "
                                           "hidden sheet 'Lists' and on the sheet 'Read me')").format(n=n)
        assert book[lists]["A1"].value == template_columns("facilities", lang=lang)[2].header
    # a list that fits is given whole
    book = openpyxl.load_workbook(write_template("shelters", tmp_path / "s.xlsx"))
    errors = {str(v.sqref): v.error for v in book.worksheets[1].data_validations.dataValidation if v.type == "list"}
    assert errors["C2:C5000"] == "请从下拉列表中选择: Ⅰ类 / Ⅱ类 / Ⅲ类"


def test_number_columns_check_the_hard_range_in_excel(tmp_path):
    book = openpyxl.load_workbook(write_template("shelters", tmp_path / "s.xlsx"))
    checks = {str(v.sqref): v.formula1 for v in book["台账"].data_validations.dataValidation if v.type == "custom"}
    assert checks["F2:F5000"] == "AND(ISNUMBER(F2),F2>0.0,F2<=7600000000.0)"  # 有效面积(㎡)
    facilities = openpyxl.load_workbook(write_template("facilities", tmp_path / "f.xlsx"))
    checks = {str(v.sqref): v.formula1 for v in facilities["台账"].data_validations.dataValidation if v.type == "custom"}
    assert checks["F2:F5000"] == "AND(ISNUMBER(F2),INT(F2)=F2,F2>=1949.0,F2<=2035.0)"  # 建成/认定年份: a whole year


# ----------------------------------------------------------------------------- the round trip


@pytest.mark.parametrize(("kind", "lang"), CASES, ids=IDS)
def test_a_filled_template_reads_back_exactly_the_typed_values(tmp_path, kind, lang):
    path = write_template(kind, tmp_path / default_template_name(kind, lang), lang=lang)
    typed = _fill(path, kind, lang)
    columns = template_columns(kind, lang=lang)
    for read in (load_register(path, TEMPLATES[kind], crs="wgs84"), read_template(path, kind)):
        assert len(read) == 2 and read["valid"].all() and not read["issues"].any()
        for row, values in enumerate(typed):
            for c in columns:
                if c.spec is None:
                    continue
                got = read[c.name].iloc[row]
                assert got == _canonical(c, values[c.name]), (c.header, got, values[c.name])
                if c.spec.type in ("number", "integer"):
                    assert isinstance(got, float)
        if kind == "units":
            assert read.geometry.iloc[0].wkt == "POLYGON ((113.72 34.8, 113.74 34.8, 113.74 34.82, 113.72 34.82, 113.72 34.8))"
        else:
            assert read.geometry.x.round(6).tolist() == [typed[0]["lon"], round(typed[1]["lon"], 6)]
            assert read.geometry.y.round(6).tolist() == [typed[0]["lat"], round(typed[1]["lat"], 6)]


@pytest.mark.parametrize(("kind", "lang"), CASES, ids=IDS)
def test_the_example_row_is_a_valid_row_of_the_documented_values(tmp_path, kind, lang):
    path = write_template(kind, tmp_path / "t.xlsx", lang=lang)
    example = load_register(path, TEMPLATES[kind], crs="wgs84", sheet=SHEETS[lang][2])
    assert len(example) == 1 and bool(example["valid"].iloc[0]) and example["notes"].iloc[0] == ""
    for c in template_columns(kind, lang=lang):
        if c.spec is not None and c.example is not None:
            expected = {"True": True, "False": False}.get(str(c.example), c.example) if c.spec.type == "bool" else c.example
            assert example[c.name].iloc[0] == (str(expected) if c.spec.type == "category" else expected), c.name


def test_another_unit_in_a_template_header_is_refused_though_the_loader_converts_it(tmp_path):
    # the general loader converts 有效面积(公顷); in a template the unit is fixed: a header changed to another unit
    # most likely sits over values typed in ㎡, which would be read 10,000 times too large
    path = write_template("shelters", tmp_path / "s.xlsx")
    _fill(path, "shelters", "zh", rows=1)
    book = openpyxl.load_workbook(path)
    book["台账"]["F1"] = "有效面积(公顷)"
    book["台账"]["F2"] = 1.85
    book.save(path)
    assert load_register(path, TEMPLATES["shelters"], crs="wgs84")["effective_area_m2"].tolist() == [18500.0]
    with pytest.raises(SchemaError, match=r"s\.xlsx: header '有效面积\(公顷\)' is not the shelters template's '有效面积\(㎡\)': "
                                          r"a changed header \(another unit, another name\) is refused"):
        read_template(path, "shelters")


@pytest.mark.parametrize(("cell", "header", "template"), [
    ("F1", "有效面积", "有效面积(㎡)"),                  # the unit dropped: the loader would read it as ㎡ anyway
    ("F1", "effective_area_m2", "有效面积(㎡)"),         # the column's name, which the loader accepts
    ("B1", "场所名称", "名称"),                          # an alias the loader accepts
    ("E1", "占地面积(亩)", "占地面积(㎡)"),              # an optional column, another unit
    ("K1", "经度(度)", "经度"),                          # a coordinate
    ("D1", "室内/室外(类型)", "室内/室外"),               # brackets added to a category column
])
def test_every_header_differing_from_the_templates_is_refused(tmp_path, cell, header, template):
    path = write_template("shelters", tmp_path / "s.xlsx")
    _fill(path, "shelters", "zh", rows=1)
    book = openpyxl.load_workbook(path)
    book["台账"][cell] = header
    book.save(path)
    with pytest.raises(SchemaError, match=rf"header {re.escape(repr(header))} is not the shelters template's "
                                          rf"{re.escape(repr(template))}"):
        read_template(path, "shelters")


def test_the_same_header_in_other_brackets_spacing_or_language_is_the_templates(tmp_path):
    path = write_template("shelters", tmp_path / "s.xlsx")
    typed = _fill(path, "shelters", "zh", rows=1)
    book = openpyxl.load_workbook(path)
    book["台账"]["F1"] = " 有效面积（㎡） "  # full-width brackets and blanks: the same header
    book["台账"]["B1"] = "name"  # the English template's header of the same column
    book.save(path)
    assert read_template(path, "shelters")["effective_area_m2"].tolist() == [typed[0]["effective_area_m2"]]


def test_a_template_header_deleted_is_refused(tmp_path):
    path = write_template("shelters", tmp_path / "s.xlsx")
    _fill(path, "shelters", "zh", rows=1)
    book = openpyxl.load_workbook(path)
    book["台账"].delete_cols(7)  # 容纳人数, an optional column
    book.save(path)
    with pytest.raises(SchemaError, match=r"s\.xlsx lacks the shelters template's header\(s\) '容纳人数'; restore the "
                                          r"template's headers \['编号', '名称'"):
        read_template(path, "shelters")


# ----------------------------------------------------------------------------- a changed header


@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_a_changed_header_is_one_clear_error_and_the_file_is_kept(tmp_path, kind):
    path = write_template(kind, tmp_path / f"{kind}.xlsx")
    _fill(path, kind, "zh", rows=1)
    columns = template_columns(kind)
    target = next((i for i, c in enumerate(columns) if c.spec is not None and c.spec.required), 1)
    book = openpyxl.load_workbook(path)
    book.worksheets[1].cell(row=1, column=target + 1, value="随便改的列名")
    book.save(path)
    before = _digest(path)
    lost = re.escape(repr(columns[target].header))
    with pytest.raises(SchemaError, match=rf"{kind}\.xlsx: header '随便改的列名' is no column of the {kind} template "
                                          rf"\(it lacks {lost}\); restore the template's headers \["):
        read_template(path, kind)
    if columns[target].spec.required:  # the common loader names the missing required column too
        with pytest.raises(SchemaError, match=rf"{kind}\.xlsx lacks required column\(s\) \['{columns[target].name}'\]"):
            load_register(path, TEMPLATES[kind], crs="wgs84")
    assert _digest(path) == before and sorted(p.name for p in tmp_path.iterdir()) == [f"{kind}.xlsx"]


def test_values_under_an_empty_header_are_an_error(tmp_path):
    path = write_template("wells", tmp_path / "w.xlsx")
    _fill(path, "wells", "zh", rows=1)
    book = openpyxl.load_workbook(path)
    book.worksheets[1]["H2"] = "备用"
    book.save(path)
    with pytest.raises(SchemaError, match=r"w\.xlsx: column 8 has values but no header"):
        read_template(path, "wells")


def test_an_added_column_is_kept_and_a_wrong_unit_is_named(tmp_path):
    path = write_template("wells", tmp_path / "w.xlsx", lang="en")
    typed = _fill(path, "wells", "en", rows=1)
    book = openpyxl.load_workbook(path)
    book.worksheets[1]["H1"], book.worksheets[1]["H2"] = "备注", "东侧井"
    book.save(path)
    read = read_template(path, "wells")  # every template column is there: a remark beside them is no loss
    assert read["备注"].tolist() == ["东侧井"] and read["pumping_m3_d"].tolist() == [typed[0]["pumping_m3_d"]]
    book["Register"]["D1"] = "pumping (m)"
    book.save(path)
    with pytest.raises(SchemaError, match=r"w\.xlsx: header 'pumping \(m\)' is not the wells template's 'pumping \(m³/d\)'"):
        read_template(path, "wells")


# ----------------------------------------------------------------------------- writing


def test_write_never_replaces_a_file_unless_asked_and_never_an_input(tmp_path):
    path = write_template("wells", tmp_path / "w.xlsx")
    _fill(path, "wells", "zh", rows=1)
    before = _digest(path)
    with pytest.raises(ZzgeoError, match=r"w\.xlsx' exists; a filled template is never replaced by accident \(overwrite=True / --force"):
        write_template("wells", path)
    assert _digest(path) == before
    with pytest.raises(ZzgeoError, match="refusing to overwrite the input"):
        write_template("wells", path, overwrite=True, protect=[path])
    assert _digest(path) == before
    write_template("wells", path, overwrite=True)
    assert openpyxl.load_workbook(path).worksheets[1].max_row == 1  # replaced by an empty template
    with pytest.raises(ZzgeoError, match=r"a template is an Excel workbook: give a \.xlsx file"):
        write_template("wells", tmp_path / "w.csv")
    with pytest.raises(SchemaError, match="unknown template 'trees'; use one of shelters, candidates, parcels"):
        write_template("trees", tmp_path / "t.xlsx")
    with pytest.raises(SchemaError, match="unknown template language 'fr'; use zh or en"):
        write_template("wells", tmp_path / "t.xlsx", lang="fr")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.xlsx"]  # no temporary file left behind


# ----------------------------------------------------------------------------- the command


def test_template_command_writes_the_default_file_in_both_languages(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["template", "shelters"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "wrote shelters_template.xlsx"
    result = runner.invoke(app, ["template", "units", "--lang", "en", "--out", "u.xlsx"])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(tmp_path / "shelters_template.xlsx").sheetnames == SHEETS["zh"]
    header = [c.value for c in openpyxl.load_workbook(tmp_path / "u.xlsx").worksheets[1][1]]
    assert header == ["unit_code", "unit_name", "population", "parent_code", "parent_name", "WKT"]


def test_template_help_names_every_kind():
    result = runner.invoke(app, ["template", "--help"])
    assert result.exit_code == 0
    assert all(kind in " ".join(result.output.split()) for kind in TEMPLATES)


def test_template_command_refuses_a_bad_kind_an_existing_file_and_a_changed_header(tmp_path, monkeypatch):
    bad = _run("template", "trees", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().splitlines() == [
        "error: unknown template 'trees'; use one of shelters, candidates, parcels, facilities, sources, wells, units"]
    assert list(tmp_path.iterdir()) == []
    monkeypatch.chdir(tmp_path)
    made = runner.invoke(app, ["template", "wells", "--out", "w.xlsx"])
    assert made.exit_code == 0 and made.stdout.strip() == "wrote w.xlsx"
    _fill(tmp_path / "w.xlsx", "wells", "zh", rows=1)
    before = _digest(tmp_path / "w.xlsx")
    again = _run("template", "wells", "--out", "w.xlsx", cwd=tmp_path)
    assert again.returncode == 2 and again.stderr.strip().splitlines() == [
        "error: 'w.xlsx' exists; a filled template is never replaced by accident (overwrite=True / --force replaces it)"]
    assert _digest(tmp_path / "w.xlsx") == before
    checked = runner.invoke(app, ["template", "wells", "--check", "w.xlsx"])
    assert checked.exit_code == 0 and checked.stdout.strip() == "w.xlsx: 1 row(s), 1 valid"
    book = openpyxl.load_workbook(tmp_path / "w.xlsx")
    book.worksheets[1]["D1"] = "开采"  # 开采量(m³/d) with its unit and 量 lost
    book.save(tmp_path / "w.xlsx")
    before = _digest(tmp_path / "w.xlsx")
    changed = _run("template", "wells", "--check", "w.xlsx", cwd=tmp_path)
    assert changed.returncode == 2 and "Traceback" not in changed.stderr
    lines = changed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: w.xlsx: header '开采' is no column of the wells template (it lacks '开采量(m³/d)')")
    assert _digest(tmp_path / "w.xlsx") == before and sorted(p.name for p in tmp_path.iterdir()) == ["w.xlsx"]


def test_filled_templates_feed_the_theme_commands(tmp_path, monkeypatch):
    # the groundwater zones from a filled source template and well template, through the real command
    for kind in ("sources", "wells"):
        write_template(kind, tmp_path / f"{kind}.xlsx")
        book = openpyxl.load_workbook(tmp_path / f"{kind}.xlsx")
        for cell in book.worksheets[2][2]:  # the example row, copied into the register sheet
            book.worksheets[1].cell(row=2, column=cell.column, value=cell.value)
        book.save(tmp_path / f"{kind}.xlsx")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["groundwater", "zones", "--sources", "sources.xlsx", "--wells", "wells.xlsx", "--crs", "wgs84", "--json"])
    assert result.exit_code == 0, result.output
    source = json.loads(result.stdout)["sources"][0]
    assert (source["source_id"], source["name"], source["wells"]) == ("GW-01", "示例水源地", 1)
    assert (source["abstraction_m3_d"], source["flow_azimuth_deg"], source["riverside"]) == (5000.0, 135.0, True)
    # a required header changed: one error line naming the input, nothing written
    book = openpyxl.load_workbook(tmp_path / "wells.xlsx")
    book.worksheets[1]["B1"] = "水源"
    book.save(tmp_path / "wells.xlsx")
    before = _digest(tmp_path / "wells.xlsx")
    result = _run("groundwater", "zones", "--sources", "sources.xlsx", "--wells", "wells.xlsx", "--crs", "wgs84",
                  "--out", "zones.gpkg", cwd=tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith("error: wells.xlsx lacks required column(s) ['source_id']")
    assert _digest(tmp_path / "wells.xlsx") == before and not (tmp_path / "zones.gpkg").exists()


@pytest.mark.parametrize(("cells", "reason"), [
    ({"K4": 116.4, "L4": 39.9}, "location (116.40000, 39.90000) is outside Zhengzhou"),  # a point in Beijing
    ({"F4": "2.5公顷"}, "effective_area_m2 is not a number: '2.5公顷'"),  # a unit typed in a number cell
])
def test_check_refuses_bad_rows_as_the_commands_do_unless_on_error_flag(tmp_path, cells, reason):
    path = write_template("shelters", tmp_path / "s.xlsx")
    _fill(path, "shelters", "zh", rows=3)
    book = openpyxl.load_workbook(path)
    for cell, value in cells.items():
        book["台账"][cell] = value
    book.save(path)
    before = _digest(path)
    checked = _run("template", "shelters", "--check", "s.xlsx", cwd=tmp_path)
    lines = checked.stderr.strip().splitlines()
    assert checked.returncode == 2 and checked.stdout == "" and len(lines) == 1, checked.stderr
    assert lines[0].startswith("error: s.xlsx: 1 of 3 row(s) fail validation: ") and reason in lines[0]
    flagged = _run("template", "shelters", "--check", "s.xlsx", "--on-error", "flag", cwd=tmp_path)
    assert flagged.returncode == 0 and flagged.stdout.strip() == "s.xlsx: 3 row(s), 2 valid"
    assert "1 template row(s) left out (--on-error flag):" in flagged.stderr and reason in flagged.stderr
    assert _digest(path) == before and sorted(p.name for p in tmp_path.iterdir()) == ["s.xlsx"]


def test_check_refuses_a_header_with_another_unit_in_one_line(tmp_path):
    path = write_template("shelters", tmp_path / "s.xlsx")
    _fill(path, "shelters", "zh", rows=3)
    book = openpyxl.load_workbook(path)
    for header in ("有效面积(公顷)", "有效面积"):
        book["台账"]["F1"] = header
        book.save(path)
        checked = _run("template", "shelters", "--check", "s.xlsx", cwd=tmp_path)
        lines = checked.stderr.strip().splitlines()
        assert checked.returncode == 2 and len(lines) == 1 and "Traceback" not in checked.stderr, checked.stderr
        assert lines[0].startswith(f"error: s.xlsx: header '{header}' is not the shelters template's '有效面积(㎡)': ")
    bad = _run("template", "shelters", "--check", "s.xlsx", "--on-error", "skip", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines()[0].startswith("error: on_error='skip'; use 'raise'")


def test_the_readme_gives_the_usual_range_of_each_facility_type(tmp_path):
    book = openpyxl.load_workbook(write_template("facilities", tmp_path / "f.xlsx"))
    rows = {r[0]: r for r in book["说明"].iter_rows(min_row=4, values_only=True)}
    usual, usual_why = rows["托位数"][7], rows["托位数"][8]
    assert "托育服务机构、示范托育服务机构：1 .. 300" in usual and "新建、改扩建中小学、儿童友好学校：1 .. 5000" in usual
    assert "建标〔2002〕102号" in usual_why and "国卫人口发〔2019〕58号" in usual_why
