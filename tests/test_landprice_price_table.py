"""Tests of a valuer's own benchmark price table (``--price-table``, zzgeo.landprice.valuer_table).

A hand-built table (2 uses x 3 grades, prices chosen here, a DEMO document number) in CSV and in TOML,
a hand-built grade map (three 1 km squares in EPSG:4547 around Erqi Square: grade 1 west, 2 in the
middle, 3 east), three parcels valued through the same pipeline as the shipped tables, every figure
worked by hand below. Bad tables go through the CLI: exit 2, one ``error:`` line naming the file, the
line and the value, and no output written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from zzgeo._cli import run
from zzgeo._data import data_path
from zzgeo.cli import app
from zzgeo.errors import NoSuchGradeError, SchemaError, UnknownCodeError
from zzgeo.landprice import (
    PlotRatioTable,
    ValuationOptions,
    load_price_table,
    lookup_point,
    value_parcels,
)
from zzgeo.landprice.rules import (
    benchmark_price,
    doc_number,
    price_table,
    using_price_tables,
)
from zzgeo.landprice.zones import load_grade_zones, validate_grade_zones

DOC = "DEMO-TEST〔2019〕1号"
HEADER = "文号,文件名称,基准日,地价表,用途,级别,基准地价(元/㎡),地价形式,使用年期,容积率,开发程度"
#: The hand-built table: 住宅 (floor price, 70 years, FAR 2.0) 3000/2400/1800; 工业 (ground price, 50 years,
#: FAR 1.0) 600/500/— (no grade 3). Document number and base date typed once, per-use fields once per use.
ROWS = [
    f"{DOC},测试用基准地价表（虚构）,2019-01-01,国有建设用地,住宅,一级,3000,楼面价,70,2.0,六通一平",
    ",,,国有建设用地,住宅,二级,2400,,,,",
    ",,,国有建设用地,住宅,三级,1800,,,,",
    ",,,国有建设用地,工业,一级,600,地面价,50,1.0,",
    ",,,国有建设用地,工业,二级,500,,,,",
    ",,,国有建设用地,工业,三级,—,,,,",
]
TOML = f"""
[document]
doc_number = "{DOC}"
title = "测试用基准地价表（虚构）"
base_date = "2019-01-01"
unit = "元/平方米"

[tables.state_construction]
grades = ["一级", "二级", "三级"]
development_level_zh = "六通一平"

[tables.state_construction.uses.residential]
name_zh = "住宅用地"
price_form = "floor"
term_years = 70
plot_ratio = 2.0
rights = {{ transfer = "出让土地使用权价格" }}
cells = ["3000", "2400", "1800"]

[tables.state_construction.uses.industrial]
name_zh = "工业用地"
price_form = "ground"
term_years = 50
plot_ratio = 1.0
rights = {{ transfer = "出让土地使用权价格" }}
cells = ["600", "500", "—"]
"""


def _write(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def csv_table(tmp_path) -> Path:
    return _write(tmp_path / "prices.csv", ROWS)


@pytest.fixture
def toml_table(tmp_path) -> Path:
    path = tmp_path / "prices.toml"
    path.write_text(TOML, encoding="utf-8")
    return path


@pytest.fixture
def squares(origin_4547) -> gpd.GeoDataFrame:
    """Three 1000 m x 1000 m squares for every use of state_construction (use empty): grades 1, 2, 3 west to east."""
    x0, y0 = origin_4547
    return gpd.GeoDataFrame({"地价表": ["国有建设用地"] * 3, "用途": [""] * 3, "级别": ["一级", "二级", "三级"]},
                            geometry=[box(x0 - 1500, y0 - 500, x0 - 500, y0 + 500), box(x0 - 500, y0 - 500, x0 + 500, y0 + 500),
                                      box(x0 + 500, y0 - 500, x0 + 1500, y0 + 500)], crs="EPSG:4547")


@pytest.fixture
def parcels(origin_4547) -> gpd.GeoDataFrame:
    """A: 住宅 point in grade 1; B: 住宅 200 m x 100 m across grades 2|3; C: 工业 point in grade 2."""
    x0, y0 = origin_4547
    return gpd.GeoDataFrame({"parcel_id": ["A", "B", "C"], "用途": ["住宅", "住宅", "工业"], "容积率": [2.5, None, None],
                             "剩余年期": [50, None, 30], "修正系数和": [0.05, None, None], "开发程度修正": [None, None, 20.0],
                             "area_m2": [1000.0, None, 5000.0]},
                            geometry=[Point(x0 - 1000, y0), box(x0 + 400, y0 - 50, x0 + 600, y0 + 50), Point(x0, y0)], crs="EPSG:4547")


#: An (invented) plot-ratio table: 0.8 / 1.0 / 1.15 at FAR 1 / 2 / 3; valuation one year after the base date at
#: 0.5 % a month.
OPTIONS = ValuationOptions(valuation_date=dt.date(2020, 1, 1), monthly_growth_rate=0.005,
                           plot_ratio_table=PlotRatioTable((1.0, 2.0, 3.0), (0.8, 1.0, 1.15), source="test table"))


def _value(parcels, squares, table) -> gpd.GeoDataFrame:
    zones = validate_grade_zones(squares, price_table=table)
    return value_parcels(parcels, zones=zones, options=OPTIONS, price_table=table)


# --- reading -----------------------------------------------------------------------------------


def test_csv_becomes_the_shipped_tables_object(csv_table) -> None:
    tables = load_price_table(csv_table)
    assert tables.doc_number == DOC and tables.demo and not tables.shipped
    assert tables.document["base_date"] == "2019-01-01"
    spec = tables.tables["state_construction"]
    assert spec["grades"] == ["一级", "二级", "三级"] and spec["development_level_zh"] == "六通一平"
    assert spec["uses"]["residential"] == {"name_zh": "住宅用地", "price_form": "floor", "term_years": 70.0, "plot_ratio": 2.0,
                                           "rights": {"transfer": "出让土地使用权价格"}, "cells": ["3000", "2400", "1800"]}
    assert spec["uses"]["industrial"]["cells"] == ["600", "500", "—"]


def test_the_table_is_active_only_inside_the_block(csv_table) -> None:
    with using_price_tables(load_price_table(csv_table)):
        assert doc_number() == DOC
        assert benchmark_price("state_construction", "residential", "transfer", "二级") == 2400.0
        with pytest.raises(NoSuchGradeError, match=f"^{DOC} prints '—' for state_construction/industrial"):
            benchmark_price("state_construction", "industrial", "transfer", 3)
        frame = price_table()
        assert set(frame["doc_number"]) == {DOC} and len(frame) == 6
    assert doc_number() == "郑政文〔2022〕42号"
    assert benchmark_price("collective_construction", "commercial", "transfer", 1) == 1020.0


def test_units_in_the_header_convert(tmp_path, csv_table) -> None:
    # 万元/亩 -> 元/m²: x 10000 / (10000/15) = x 15. 200 万元/亩 = 3000 元/m², 160 -> 2400, 120 -> 1800, 40 -> 600, 500/15 ...
    per_mu = [r.replace(",3000,", ",200,").replace(",2400,", ",160,").replace(",1800,", ",120,").replace(",600,", ",40,")
              .replace(",500,", ",33.3333333333333333,") for r in ROWS]
    mu = load_price_table(_write(tmp_path / "mu.csv", per_mu, HEADER.replace("(元/㎡)", "(万元/亩)")))
    assert mu.tables["state_construction"]["uses"]["residential"]["cells"] == ["3000", "2400", "1800"]
    assert float(mu.tables["state_construction"]["uses"]["industrial"]["cells"][1]) == pytest.approx(500.0, abs=1e-9)


# --- valuation, worked by hand -----------------------------------------------------------------


def test_parcels_valued_by_hand(parcels, squares, csv_table) -> None:
    out = _value(parcels, squares, load_price_table(csv_table)).set_index("parcel_id")
    # K_date: 2019-01-01 -> 2020-01-01 is 365 days = 365 / 30.4375 = 11.99179 months; 1.005^11.99179 = 1.061634
    k_date = 1.061634
    assert out["k_date"].tolist() == pytest.approx([k_date] * 3, abs=1e-6)
    # A: 住宅 grade 1, 3000 (floor price, FAR 2.0, 70 years); ΣK = 0.05; 50 years at r = 6 % (valuation.toml):
    #    1.06^50 = 18.420154, 1.06^70 = 59.075930; K_term = (1 - 1/18.420154) / (1 - 1/59.075930)
    #    = 0.945712 / 0.983073 = 0.961996; FAR 2.5: K_plot = c(2.5) / c(2.0) = 1.075 / 1.0 = 1.075; floor -> ground x 2.5
    #    3000 x 1.05 x 0.961996 x 1.075 x 2.5 x 1.061634 = 8645.84 元/m²; x 1000 m² = 8,645,838 元
    a = out.loc["A"]
    assert (a["grade"], a["benchmark_yuan_m2"], a["k_individual"]) == ("1", 3000.0, 1.05)
    assert a["k_term"] == pytest.approx(0.961996, abs=1e-6) and a["k_plot"] == pytest.approx(1.075)
    assert a["floor_to_ground"] == 2.5
    assert a["unit_price_yuan_m2"] == pytest.approx(8645.84, abs=0.01)
    assert a["value_yuan"] == pytest.approx(8_645_838, abs=1)
    # B: 住宅 half in grade 2 (2400), half in grade 3 (1800): (2400 + 1800) / 2 = 2100; the benchmark FAR 2.0 and
    #    term 70: K_plot = 1, K_term = 1; floor -> ground x 2.0: 2100 x 2.0 x 1.061634 = 4458.86 元/m²; 20,000 m²
    b = out.loc["B"]
    assert b["grade"] == "2:50%, 3:50%"
    assert b["benchmark_yuan_m2"] == pytest.approx(2100.0, rel=1e-5)  # the squares pass through WGS-84
    assert (b["k_term"], b["k_plot"], b["floor_to_ground"]) == (1.0, 1.0, 2.0)
    assert b["unit_price_yuan_m2"] == pytest.approx(4458.86, rel=1e-5)
    assert b["area_m2"] == pytest.approx(20_000.0, rel=1e-6)
    # C: 工业 grade 2, 500 (ground price, 50 years, FAR 1.0); 30 years at r = 5 %: 1.05^30 = 4.321942,
    #    1.05^50 = 11.467400; K_term = (1 - 1/4.321942) / (1 - 1/11.467400) = 0.768623 / 0.912796 = 0.842053;
    #    D = 20 元/m² added last: 500 x 0.842053 x 1.061634 + 20 = 446.98 + 20 = 466.98 元/m²; x 5000 m²
    c = out.loc["C"]
    assert (c["grade"], c["benchmark_yuan_m2"], c["price_form"], c["floor_to_ground"]) == ("2", 500.0, "ground", 1.0)
    assert c["k_term"] == pytest.approx(0.842053, abs=1e-6)
    assert c["unit_price_yuan_m2"] == pytest.approx(466.98, abs=0.01)
    assert c["value_yuan"] == pytest.approx(2_334_880, abs=1)
    # every output names the table's document, and says where the prices come from and that they are DEMO
    assert set(out["doc_number"]) == {DOC} and set(out["table"]) == {"state_construction"}
    assert set(out["use_zh"]) == {"住宅用地", "工业用地"} and (out["error"] == "").all()
    notes = out.attrs["notes"]
    assert any(DOC in n and str(csv_table) in n for n in notes)
    assert any(n.startswith(f"DEMO price table ({DOC})") for n in notes)


def test_source_texts_name_the_table_in_use(parcels, squares, csv_table) -> None:
    out = value_parcels(parcels, zones=validate_grade_zones(squares, price_table=load_price_table(csv_table)),
                        price_table=csv_table)
    textbook = ("typical ranges quoted in Chinese land valuation textbooks (commercial 6-8%, residential 5-7%, "
                "industrial/public 4-6%, agricultural 4-5%)")
    assert set(out["reduction_rate_source"]) == {f"{textbook}; NOT from {DOC}"}
    assert set(out["plot_ratio_source"]) == {f"none: no plot-ratio coefficient table in {DOC}; K_plot = 1 unless a table is given"}
    texts = [*out.select_dtypes(exclude="number").drop(columns="geometry").astype(str).stack(), *out.attrs["notes"]]
    assert not [t for t in texts if "42号" in t]
    shipped = value_parcels(parcels.iloc[[0]].assign(用途="商业", 剩余年期=40), zones=validate_grade_zones(
        squares.assign(地价表="集体建设用地", 用途="商业")))
    assert shipped["reduction_rate_source"].iloc[0].endswith("NOT from 郑政文〔2022〕42号")
    assert shipped["plot_ratio_source"].iloc[0] == "none: no plot-ratio coefficient table in 郑政文〔2022〕42号; K_plot = 1 unless a table is given"


def test_toml_and_csv_give_identical_outputs(parcels, squares, csv_table, toml_table) -> None:
    from_csv = _value(parcels, squares, load_price_table(csv_table))
    from_toml = _value(parcels, squares, load_price_table(toml_table))
    pd.testing.assert_frame_equal(pd.DataFrame(from_csv), pd.DataFrame(from_toml))


def test_a_dash_grade_is_an_error_not_zero(origin_4547, squares, csv_table) -> None:
    x0, y0 = origin_4547
    parcel = gpd.GeoDataFrame({"用途": ["工业"]}, geometry=[Point(x0 + 1000, y0)], crs="EPSG:4547")
    with pytest.raises(NoSuchGradeError, match=f"{DOC} prints '—' for 国有建设用地 工业用地 三级: that grade does not exist"):
        _value(parcel, squares, load_price_table(csv_table))


def test_on_the_demo_zones_the_rows_say_the_map_lacks_the_table(parcels, csv_table) -> None:
    # the DEMO zones (no zones=) draw the shipped tables only: not "outside the grade map", but no map of this table
    out = value_parcels(parcels, price_table=csv_table, on_error="flag").set_index("parcel_id")
    assert out["unit_price_yuan_m2"].isna().all()
    assert out.loc["A", "error"] == (f"the grade map in use has no zones for 国有建设用地 住宅用地 ({DOC}); "
                                     "give your grade map with --zones / zones=")
    assert out.loc["C", "error"].startswith("the grade map in use has no zones for 国有建设用地 工业用地")


def test_lookup_with_the_valuers_table(origin_4547, squares, csv_table) -> None:
    tables = load_price_table(csv_table)
    x0, y0 = origin_4547
    result = lookup_point(x0 - 1000, y0, crs="EPSG:4547", zones=validate_grade_zones(squares, price_table=tables), price_table=tables)
    assert result["doc_number"] == DOC and result["base_date"] == "2019-01-01" and result["price_table_demo"] is True
    uses = {u["use"]: u for t in result["tables"] for u in t["uses"]}
    assert uses["residential"]["grade"] == "1" and uses["residential"]["prices"][0]["price_yuan_m2"] == 3000.0
    assert uses["industrial"]["prices"][0]["price_yuan_mu"] == 400_000.0  # 600 x 10000/15


# --- grade map against the table ---------------------------------------------------------------


def test_map_grade_missing_from_the_table(squares, csv_table) -> None:
    four = squares.copy()
    four.loc[2, "级别"] = "四级"
    with pytest.raises(NoSuchGradeError, match=f"row 2: 国有建设用地 \\(every use\\) has no 四级: {DOC}'s table has grades 一级..三级"):
        validate_grade_zones(four, name="zones", price_table=load_price_table(csv_table))


def test_map_of_another_table_is_refused(squares, csv_table) -> None:
    other = squares.assign(地价表="集体建设用地")
    with pytest.raises(SchemaError, match=f"row 0: 地价表 集体建设用地 is not a table of {DOC} \\(its tables: 国有建设用地\\)"):
        validate_grade_zones(other, name="zones", price_table=load_price_table(csv_table))
    with pytest.raises(SchemaError, match=f"row 0: 用途 商服用地 is not a use of 地价表 国有建设用地 in {DOC}"):
        validate_grade_zones(squares.assign(用途="商服"), name="zones", price_table=load_price_table(csv_table))


def test_table_grade_missing_from_the_map_is_noted(parcels, squares, csv_table) -> None:
    two = squares.iloc[:2]  # no zone for grade 3, which 住宅 prices
    out = value_parcels(parcels.iloc[[0]], zones=validate_grade_zones(two, price_table=load_price_table(csv_table)),
                        options=OPTIONS, price_table=csv_table)
    assert f"the grade map has no zone for 国有建设用地 住宅用地 grade(s) 三级 that {DOC} prices: " \
           "parcels there cannot be graded" in out.attrs["notes"]


# --- the template ------------------------------------------------------------------------------


def test_blank_template_is_refused() -> None:
    template = data_path("landprice/templates/urban_2019_49.csv")
    frame = pd.read_csv(template, dtype=str)
    assert frame["文号"].iloc[0] == "郑政文〔2019〕49号" and frame["基准地价(元/㎡)"].isna().all()
    with pytest.raises(SchemaError, match=r"urban_2019_49\.csv: every price \(基准地价\) is blank"):
        load_price_table(template)


# --- bad tables through the CLI: exit 2, one error line naming file, line and value, nothing written ----------


def _bad(tmp_path, rows: list[str], header: str = HEADER) -> Path:
    return _write(tmp_path / "bad.csv", rows, header)


BAD = {
    "missing grade": (lambda rows: rows[:1] + rows[2:], ["lines 2-3 (国有建设用地 住宅用地): no row for 二级",
                                                         "grades given: 一级, 三级; the table has grades 一级..三级"]),
    "grade twice": (lambda rows: rows[:1] + [rows[1].replace("二级", "一级")] + rows[2:],
                    ["line 3: 地价表 国有建设用地, 用途 住宅用地, 级别 一级 repeats line 2"]),
    "grade twice, table left blank": (lambda rows: rows[:1] + [rows[1].replace("国有建设用地,住宅,二级", ",住宅,一级")] + rows[2:],
                                      ["line 3: 地价表 国有建设用地, 用途 住宅用地, 级别 一级 repeats line 2"]),
    "unknown use": (lambda rows: rows[:4] + [rows[4].replace("工业", "别墅")] + rows[5:], ["line 6", "unknown use '别墅'"]),
    "price not a number": (lambda rows: rows[:1] + [rows[1].replace(",2400,", ",abc,")] + rows[2:], ["line 3", "not a number: 'abc'"]),
    "price zero": (lambda rows: rows[:1] + [rows[1].replace(",2400,", ",0,")] + rows[2:], ["line 3", "must be positive, got 0.0"]),
    "price negative": (lambda rows: rows[:1] + [rows[1].replace(",2400,", ",-5,")] + rows[2:], ["line 3", "got -5.0"]),
    "price implausible": (lambda rows: rows[:1] + [rows[1].replace(",2400,", ",900000,")] + rows[2:], ["line 3", "got 900000.0"]),
    "no document number": (lambda rows: [rows[0].replace(DOC, "")] + rows[1:], ["line 2", "no document number (文号)", "got ''"]),
    "price blank": (lambda rows: rows[:1] + [rows[1].replace(",2400,", ",,")] + rows[2:], ["line 3", "price of 住宅用地 二级 is blank"]),
    "price form twice": (lambda rows: rows[:1] + [rows[1].replace(",2400,,", ",2400,地面价")] + rows[2:],
                         ["line 3", "price form (地价形式) of 住宅用地 'ground' differs from 'floor' on line 2"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_table_exits_2_with_one_line(case, tmp_path, capsys) -> None:
    change, expected = BAD[case]
    bad = _bad(tmp_path, change(list(ROWS)))
    out = tmp_path / "valued.csv"
    parcels = tmp_path / "parcels.csv"
    parcels.write_text("parcel_id,用途,lon,lat,area_m2\nP1,住宅,113.6654,34.7536,100\n", encoding="utf-8")
    code = run(app, ["land-price", "value", str(parcels), "--crs", "wgs84", "--out", str(out), "--price-table", str(bad)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert str(bad) in err
    for text in expected:
        assert text in err, (text, err)
    assert not out.exists() and not list(tmp_path.glob("valued*"))


def test_repeated_grade_names_no_internal_id(tmp_path, capsys) -> None:
    rows = [r.replace("住宅", "商服") for r in ROWS[:3]]
    bad = _bad(tmp_path, [*rows[:2], rows[1].replace(",2400,", ",2300,"), rows[2]])
    assert run(app, ["land-price", "table", "--price-table", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "line 4: 地价表 国有建设用地, 用途 商服用地, 级别 二级 repeats line 3" in err
    for internal in ("state_construction", "commercial", "'2'"):
        assert internal not in err, err


def test_unit_that_is_not_a_price_exits_2(tmp_path, capsys) -> None:
    bad = _bad(tmp_path, list(ROWS), HEADER.replace("(元/㎡)", "(米)"))
    code = run(app, ["land-price", "table", "--price-table", str(bad)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1
    assert "'基准地价(米)'" in err and "not price" in err


def test_toml_table_errors_name_the_key(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(TOML.replace('cells = ["3000", "2400", "1800"]', 'cells = ["3000", "abc", "1800"]'), encoding="utf-8")
    code = run(app, ["land-price", "table", "--price-table", str(bad)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"error: {bad}: tables.state_construction.uses.residential.cells[2]: price 'abc' is not a number" in err
    bad.write_text(TOML.replace(f'doc_number = "{DOC}"', 'doc_number = ""'), encoding="utf-8")
    assert run(app, ["land-price", "table", "--price-table", str(bad)]) == 2
    assert "document.doc_number: no document number (文号) given (got '')" in capsys.readouterr().err


# --- the CLI with a good table -----------------------------------------------------------------


def test_cli_table_prints_the_valuers_table(csv_table, capsys) -> None:
    assert run(app, ["land-price", "table", "--price-table", str(csv_table)]) == 0
    captured = capsys.readouterr()
    text = " ".join(captured.out.split())  # the console wraps the title
    assert f"国有建设用地 — {DOC}, 元/平方米, 基准日 2019-01-01" in text  # the names the valuer typed; ids in --json
    assert "住宅用地" in text and "2400" in text and "—" in text and "二级" in text
    assert "state_construction" not in text and "residential" not in text
    assert "DEMO" in captured.err


def _value_cli(tmp_path, squares, csv_table, capsys, register: str, out_name: str, *options: str):
    """``zzgeo land-price value`` of the CSV *register* on the test squares with the valuer's table, base date 2019-01-01;
    the exit code, what it printed, and the output path."""
    zones = tmp_path / "zones.gpkg"
    squares.to_file(zones)
    parcels = tmp_path / "parcels.csv"
    parcels.write_text(register, encoding="utf-8")
    out = tmp_path / out_name
    code = run(app, ["land-price", "value", str(parcels), "--crs", "wgs84", "--out", str(out), "--zones", str(zones),
                     "--price-table", str(csv_table), "--date", "2019-01-01", *options])
    return code, capsys.readouterr(), out


def test_cli_value_names_the_document_everywhere(tmp_path, squares, csv_table, capsys) -> None:
    import json

    code, captured, out = _value_cli(tmp_path, squares, csv_table, capsys,
                                     "parcel_id,用途,容积率,lon,lat,area_m2\nP1,住宅,2.0,113.6654,34.7536,100\n", "valued.csv", "--json")
    assert code == 0, captured.err
    summary = json.loads(captured.out)
    assert summary["doc_number"] == DOC
    assert summary["records"][0]["doc_number"] == DOC and summary["records"][0]["grade"] == "2"
    # 住宅 grade 2 (Erqi Square lies in the middle square): 2400 x FAR 2.0 = 4800 元/m² at the base date
    assert summary["records"][0]["unit_price_yuan_m2"] == pytest.approx(4800.0)
    assert any(DOC in n for n in summary["notes"])
    written = pd.read_csv(out)
    assert set(written["doc_number"]) == {DOC}
    assert "DEMO" in captured.err


@pytest.mark.parametrize(("rows", "says"), [
    # both off the grade map (金水区, north of the squares): nothing valued, and the summary says so, not "no area column"
    (["P1,住宅,113.685,34.787,100", "P2,住宅,113.686,34.788,200"],
     "valued 0 of 2 parcel(s) -> {out}; nothing was valued: every parcel has an error (see the error column), no price and no total"),
    # the area column is read; the one valued point has a blank area
    (["P1,住宅,113.6654,34.7536,", "P2,住宅,113.685,34.787,200"],
     "valued 1 of 2 parcel(s) -> {out}; unit prices only (the valued parcels are points with a blank area)"),
    (["P1,住宅,113.6654,34.7536,100", "P2,住宅,113.685,34.787,200"], "valued 1 of 2 parcel(s) -> {out}; total 480,000 元"),
])
def test_cli_value_summary_says_why_there_is_no_total(tmp_path, squares, csv_table, capsys, rows, says) -> None:
    code, captured, out = _value_cli(tmp_path, squares, csv_table, capsys, "\n".join(["parcel_id,用途,lon,lat,土地面积(㎡)", *rows]) + "\n",
                                     "valued.xlsx", "--on-error", "flag")
    assert code == 0, captured.err
    assert captured.out.splitlines()[0] == says.format(out=out)


def test_cli_value_points_without_an_area_column(tmp_path, squares, csv_table, capsys) -> None:
    code, captured, out = _value_cli(tmp_path, squares, csv_table, capsys, "parcel_id,用途,lon,lat\nP1,住宅,113.6654,34.7536\n", "valued.csv")
    assert code == 0, captured.err
    assert captured.out.splitlines()[0] == f"valued 1 of 1 parcel(s) -> {out}; unit prices only (points without an area column)"


def test_the_default_date_is_the_tables_base_date_and_help_says_so(parcels, squares, csv_table) -> None:
    from typer.testing import CliRunner

    out = value_parcels(parcels, zones=validate_grade_zones(squares, price_table=load_price_table(csv_table)), price_table=csv_table)
    assert set(out["valuation_date"]) == {"2019-01-01"} and set(out["k_date"]) == {1.0}
    result = CliRunner().invoke(app, ["land-price", "value", "--help"], env={"COLUMNS": "400", "TERMINAL_WIDTH": "400"})
    text = " ".join(result.output.replace("│", " ").split())
    assert "(default: the price table's base date (基准日), 2020-01-01 for 郑政文〔2022〕42号)" in text, text
    assert "default: base date 2020-01-01" not in text


def test_cli_lookup_with_zones_and_table(tmp_path, squares, csv_table, capsys) -> None:
    import json

    zones = tmp_path / "zones.gpkg"
    squares.to_file(zones)
    code = run(app, ["land-price", "lookup", "--lon", "113.6654", "--lat", "34.7536", "--zones", str(zones),
                     "--price-table", str(csv_table), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)
    assert result["doc_number"] == DOC
    assert [u["grade"] for t in result["tables"] for u in t["uses"]] == ["2", "2"]


def test_cli_lookup_on_the_demo_zones_names_the_missing_map(csv_table, capsys) -> None:
    # 金水区 is one of the six districts the DEMO zones cover: the place is not off the map, the map has no
    # zone of the valuer's table (国有建设用地)
    code = run(app, ["land-price", "lookup", "--lon", "113.685", "--lat", "34.787", "--price-table", str(csv_table)])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1
    assert err == (f"error: (113.68500, 34.78700) lies in 金水区 (410105), but the grade map in use has no zones for "
                   f"国有建设用地 ({DOC}); give your grade map with --zones\n")


def test_zones_loaded_against_the_table(tmp_path, squares, csv_table) -> None:
    path = tmp_path / "zones.gpkg"
    squares.to_file(path)
    zones = load_grade_zones(path, price_table=csv_table)
    assert zones[["table", "use", "grade"]].values.tolist() == [["state_construction", "", g] for g in (1, 2, 3)]
    with pytest.raises(UnknownCodeError):  # the shipped tables know no 国有建设用地
        load_grade_zones(path)


# --- Excel, partitions, the report -------------------------------------------------------------


def test_excel_reads_as_the_csv(tmp_path, csv_table) -> None:
    frame = pd.read_csv(csv_table, dtype=str)
    xlsx = tmp_path / "prices.xlsx"
    frame.to_excel(xlsx, index=False)
    from_excel, from_csv = load_price_table(xlsx), load_price_table(csv_table)
    assert from_excel.tables == from_csv.tables
    assert {k: v for k, v in from_excel.document.items() if k != "source"} == {k: v for k, v in from_csv.document.items() if k != "source"}


def test_partitions_value_as_one_call(parcels, squares, csv_table) -> None:
    pytest.importorskip("dask")
    from zzgeo.landprice.valuation.scale import value_parcels_dask

    tables = load_price_table(csv_table)
    zones = validate_grade_zones(squares, price_table=tables)
    single = value_parcels(parcels, zones=zones, options=OPTIONS, price_table=tables, on_error="flag")
    parts = value_parcels_dask(parcels, npartitions=2, scheduler="synchronous", zones=zones, options=OPTIONS,
                               price_table=tables, on_error="flag")
    pd.testing.assert_frame_equal(pd.DataFrame(single.drop(columns="geometry")), pd.DataFrame(parts.drop(columns="geometry")))


def test_report_theme_with_the_valuers_table(tmp_path, parcels, squares, csv_table) -> None:
    from zzgeo.landprice.report import run as theme_run

    zones, source = tmp_path / "zones.gpkg", tmp_path / "parcels.gpkg"
    squares.to_file(zones)
    parcels.to_file(source)
    result = theme_run({"price_table": str(csv_table), "zones": str(zones), "parcels": str(source)})
    assert result.document == DOC and "price table" in result.demo
    assert set(result.tables["valuation"]["doc_number"]) == {DOC}
    assert set(result.tables["benchmark_prices"]["doc_number"]) == {DOC}
    assert any(DOC in line and "base date 2019-01-01" in line for line in result.findings)
    assert doc_number() == "郑政文〔2022〕42号"  # the valuer's table is active only inside the run
