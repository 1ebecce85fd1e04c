"""Registers as offices keep them, through the command line: units in headers, repeats, implausible values,
notes, strict options, dates, row names, no internal error, nothing lost.

Every refusal is checked the same way (:func:`refused`): exit code 2, exactly one ``error:`` line on
stderr naming what the case says, no traceback, and no file in the case's folder changed, appeared
or disappeared. Every accepted case checks its figure against one worked by hand.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from zzgeo._cli import run
from zzgeo.cli import app

DATA = Path(__file__).resolve().parent / "data"
ERQI = (113.6654, 34.7536)


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


def refused(folder: Path, capsys, argv: list[str], *must: str) -> str:
    """Run *argv* in-process; assert exit 2, one ``error:`` line holding every *must*, nothing in *folder* touched."""
    before = _snapshot(folder)
    code = run(app, [str(a) for a in argv])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, captured.err
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert "Traceback" not in captured.err + captured.out
    for word in must:
        assert word in lines[0], (word, lines[0])
    assert _snapshot(folder) == before, "a file changed, appeared or disappeared"
    return lines[0]


def accepted(capsys, argv: list[str]) -> tuple[dict, str]:
    """Run *argv* (with --json); return the JSON and stderr."""
    code = run(app, [str(a) for a in argv])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out), captured.err


def _csv(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def _shelters(**cols) -> pd.DataFrame:
    base = {"名称": ["人民公园"], "类别": ["I"], "有效面积": [30000], "lon": [113.68], "lat": [34.79]}
    base.update(cols)
    return pd.DataFrame(base)


COVER = ["shelters", "coverage", "--cell-m", "3000", "--crs", "wgs84"]
VALUE = ["land-price", "value"]


def _city(data: dict) -> dict:
    return data["city"] if "city" in data else data["records"][-1]


# ----------------------------------------------------------------------------- 1. units in headers


@pytest.mark.parametrize(("header", "value"), [("有效面积(hm²)", 3), ("有效面积(公顷)", 3), ("有效面积（亩）", 45),
                                               ("有效面积(万平方米)", 3), ("有效面积(千平方米)", 30), ("有效面积(平方公里)", 0.03)])
def test_area_headers_give_the_right_figure(tmp_path, capsys, header, value):
    reg = _csv(tmp_path / "r.csv", _shelters().drop(columns="有效面积").assign(**{header: [value]}))
    data, err = accepted(capsys, [*COVER, "--register", reg, "--json"])
    assert _city(data)["effective_area_m2"] == pytest.approx(30000.0, rel=1e-12)
    assert any(f"'{header}' read in" in n for n in data["notes"]) and f"'{header}' read in" in err


def test_wellfield_in_ten_thousand_m3_a_equals_m3_d(tmp_path, capsys):
    wells = pd.read_csv(DATA / "wells.csv")
    per_year = wells.drop(columns="开采量(m3/d)").assign(**{"开采量(万m³/a)": [292.2, 292.2]})  # 292.2e4 / 365.25 = 8,000 m³/d
    a, _ = accepted(capsys, ["groundwater", "zones", "--sources", DATA / "sources.csv", "--wells", DATA / "wells.csv", "--crs", "wgs84", "--json"])
    b, _ = accepted(capsys, ["groundwater", "zones", "--sources", DATA / "sources.csv", "--wells", _csv(tmp_path / "w.csv", per_year),
                             "--crs", "wgs84", "--json"])
    assert [z["area_km2"] for z in b["zones"]] == pytest.approx([z["area_km2"] for z in a["zones"]], rel=1e-9)
    assert any("'开采量(万m³/a)' read in 万m³/a" in n and "40000/1461" in n for n in b["notes"])


def test_parcel_area_in_mu_and_adjustment_per_mu(tmp_path, capsys):
    parcels = _csv(tmp_path / "p.csv", pd.DataFrame({"编号": ["A"], "用途": ["商服"], "面积(亩)": [3], "开发程度修正(元/亩)": [1500],
                                                     "lon": [ERQI[0]], "lat": [ERQI[1]]}))
    data, _ = accepted(capsys, [*VALUE, parcels, "--crs", "wgs84", "--out", tmp_path / "v.gpkg", "--json"])
    rec = data["records"][0]
    assert rec["area_m2"] == 2000.0 and rec["development_adj_yuan_m2"] == 2.25  # 3 x 10000/15; 1500 x 15/10000
    assert rec["value_yuan"] == pytest.approx((rec["unit_price_yuan_m2"]) * 2000.0)
    assert rec["unit_price_yuan_m2"] == pytest.approx(rec["benchmark_yuan_m2"] * rec["floor_to_ground"] + 2.25)


@pytest.mark.parametrize(("name", "frame", "args", "must"), [
    ("r.csv", _shelters().drop(columns="有效面积").assign(**{"有效面积(m³)": [3]}), COVER + ["--register"],
     ["r.csv", "header '有效面积(m³)'", "'m³' measures a volume, not area"]),
    ("r.csv", _shelters().drop(columns="有效面积").assign(**{"有效面积(斤)": [3]}), COVER + ["--register"],
     ["header '有效面积(斤)'", "is not a unit zzgeo can read"]),
    ("w.csv", pd.DataFrame({"井号": ["W1"], "水源编号": ["GW-JWT"], "开采量(m/d)": [5], "lon": [113.6], "lat": [34.915]}),
     ["groundwater", "zones", "--sources", DATA / "sources.csv", "--crs", "wgs84", "--wells"],
     ["w.csv", "header '开采量(m/d)'", "measures a speed or conductivity, not flow"]),
    ("p.csv", pd.DataFrame({"parcel_id": ["A"], "use": ["commercial"], "容积率(m)": [2], "lon": [ERQI[0]], "lat": [ERQI[1]]}),
     ["land-price", "value", "--crs", "wgs84"], ["header '容积率(m)'", "measures a length, not ratio"]),
])
def test_bad_header_units(tmp_path, capsys, name, frame, args, must):
    path = _csv(tmp_path / name, frame)
    argv = [*args, path] if args[-1].startswith("--") else [*args[:2], path, *args[2:]]
    if args[0] == "land-price":
        argv += ["--out", tmp_path / "v.gpkg"]
    refused(tmp_path, capsys, argv, *must)


# ----------------------------------------------------------------------------- 1b. mistyped headers


def _parcels(**cols) -> pd.DataFrame:
    base = {"宗地编号": ["ZD-001"], "地价表": ["集体建设用地"], "用途": ["商业服务业用地"], "权利类型": ["出让土地使用权"],
            "容积率": [1.5], "剩余使用年期(年)": [40], "土地面积(㎡)": [5000], "个别因素修正系数和": [0.05],
            "经度": [113.5826], "纬度": [34.685]}
    base.update(cols)
    return pd.DataFrame(base)


def _facilities(**cols) -> pd.DataFrame:
    base = {"名称": ["小太阳托育"], "类型": ["托育机构"], "托位数": [100], "lon": [113.66], "lat": [34.76]}
    base.update(cols)
    return pd.DataFrame(base)


@pytest.mark.parametrize(("name", "frame", "args", "must"), [
    # the reviewer's case: 容积律 for 容积率 was read as an extra column, and the parcel valued at the benchmark's plot ratio
    ("p.csv", _parcels().rename(columns={"容积率": "容积律"}), VALUE,
     ["p.csv", "header '容积律' is not a column of", "did you mean '容积率'", "--columns '容积律=plot_ratio'"]),
    ("p.csv", _parcels().rename(columns={"容积率": "plot_ratoi"}), VALUE, ["'plot_ratoi'", "did you mean 'plot_ratio'"]),
    ("p.csv", _parcels().rename(columns={"个别因素修正系数和": "个别因素修正系数合"}), VALUE,
     ["'个别因素修正系数合'", "did you mean '个别因素修正系数和'", "=sum_k'"]),
    ("p.csv", _parcels().rename(columns={"土地面积(㎡)": "土地面积积(亩)"}), VALUE, ["'土地面积积(亩)'", "did you mean '土地面积(㎡)'"]),
    # a known header with its last word cut: the ΣK column read as missing, the parcel valued without its factors
    ("p.csv", _parcels().rename(columns={"个别因素修正系数和": "个别因素修正"}), VALUE,
     ["'个别因素修正'", "did you mean '个别因素修正系数'", "=sum_k'"]),
    # shelters: a required column (the reviewer's 有效面积积) and an optional one
    ("r.csv", _shelters().rename(columns={"有效面积": "有效面积积(㎡)"}), COVER + ["--register"],
     ["r.csv", "header '有效面积积(㎡)'", "did you mean '有效面积(㎡)'", "=effective_area_m2'"]),
    ("r.csv", _shelters(容纳人致=[500]), COVER + ["--register"], ["'容纳人致'", "did you mean '容纳人数'", "=capacity'"]),
    ("r.csv", _shelters(capacitty=[500]), COVER + ["--register"], ["'capacitty'", "did you mean 'capacity'"]),
    # children's facilities: 拖位数 for 托位数
    ("f.csv", _facilities().rename(columns={"托位数": "拖位数"}), ["children", "--crs", "wgs84", "--register"],
     ["f.csv", "'拖位数'", "did you mean '托位数'", "=places'"]),
])
def test_a_near_miss_header_is_an_error_in_every_register(tmp_path, capsys, name, frame, args, must):
    path = _csv(tmp_path / name, frame)
    argv = [*args, path] if args[-1].startswith("--") else [*args[:2], path, *args[2:]]
    if args[0] == "land-price":
        argv += ["--crs", "wgs84", "--out", tmp_path / "v.gpkg"]
    refused(tmp_path, capsys, argv, *must)


def test_a_near_miss_header_mapped_with_columns_gives_the_figure_of_the_right_header(tmp_path, capsys):
    typo = _csv(tmp_path / "typo.csv", _parcels().rename(columns={"容积率": "容积律"}))
    data, _ = accepted(capsys, [*VALUE, typo, "--crs", "wgs84", "--columns", "容积律=plot_ratio", "--out", tmp_path / "v.gpkg", "--json"])
    rec = data["records"][0]
    # 集体建设用地 commercial, a floor price: x (1 + ΣK) = 1.05, x plot ratio 1.5 (not the benchmark's 2.0), x 5,000 m²
    assert rec["plot_ratio"] == 1.5 and rec["floor_to_ground"] == 1.5
    assert rec["unit_price_yuan_m2"] == pytest.approx(rec["benchmark_yuan_m2"] * 1.05 * 1.5, rel=1e-12)
    assert rec["value_yuan"] == pytest.approx(rec["benchmark_yuan_m2"] * 1.05 * 1.5 * 5000, rel=1e-12)


@pytest.mark.parametrize(("name", "frame", "args"), [
    ("p.csv", _parcels(备注=["东临道路"], note=["x"], 联系人=["王"], 权利人=["某村集体"], 序号=[1], 建筑面积=[7500],
                       remarks=["r"], Shape_Area=[5000.0]), VALUE),
    ("r.csv", _shelters(备注=["东门"], 联系人=["李"], 联系电话=["0371"], 所属街道=["人民路街道"], 序号=[1], note=["n"]),
     COVER + ["--register"]),
    ("f.csv", _facilities(备注=["b"], 举办者=["某公司"], 收费标准=["2000元/月"], 序号=[1], contact=["c"], 设施名称备注=["旧称"]),
     ["children", "--crs", "wgs84", "--register"]),
])
def test_extra_columns_are_a_note_not_an_error(tmp_path, capsys, name, frame, args):
    path = _csv(tmp_path / name, frame)
    argv = [*args, path] if args[-1].startswith("--") else [*args[:2], path, *args[2:]]
    if args[0] == "land-price":
        argv += ["--crs", "wgs84", "--out", tmp_path / "v.gpkg"]
    data, err = accepted(capsys, [*argv, "--json"])
    assert "did you mean" not in err
    assert any("match no column of the" in n and "'备注'" in n for n in data["notes"]), data["notes"]


# ----------------------------------------------------------------------------- 2. repeats


def test_repeated_shelter_id_is_an_error_naming_both_lines(tmp_path, capsys):
    reg = _csv(tmp_path / "r.csv", pd.concat([_shelters(编号=["S1"]), _shelters(编号=["S1"], 名称=["另一个"], lon=[113.64], lat=[34.725])]))
    refused(tmp_path, capsys, [*COVER, "--register", reg], "r.csv", "line 3 (id 'S1')", "shelter_id 'S1' repeats line 2")


def test_repeated_shelter_with_flag_counts_once(tmp_path, capsys):
    reg = _csv(tmp_path / "r.csv", pd.concat([_shelters(编号=["S1"]), _shelters(编号=["S1"])]))
    data, err = accepted(capsys, [*COVER, "--register", reg, "--on-error", "flag", "--json"])
    assert _city(data)["effective_area_m2"] == 30000.0  # not 60,000
    assert data["rejected"] == [{"input": str(reg), "row": "line 3", "id": "S1", "name": "人民公园",
                                 "reason": "shelter_id 'S1' repeats line 2"}]


def test_the_same_facility_twice_counts_once(tmp_path, capsys):
    one = {"名称": ["小太阳托育"], "类型": ["托育机构"], "托位数": [100], "lon": [113.66], "lat": [34.76]}
    reg = _csv(tmp_path / "f.csv", pd.concat([pd.DataFrame(one)] * 2))
    refused(tmp_path, capsys, ["children", "--register", reg, "--crs", "wgs84"], "f.csv", "line 3 ('小太阳托育')",
            "repeats line 2 in every column and its location")
    data, _ = accepted(capsys, ["children", "--register", reg, "--crs", "wgs84", "--on-error", "flag", "--json", "--all"])
    assert [r["row"] for r in data["rejected"]] == ["line 3"]
    counts = pd.DataFrame(data["inventory"]).drop(columns=["unit", "unit_name"])
    assert int(counts.to_numpy().sum()) == 1


def test_repeated_pollution_sources(tmp_path, capsys):
    row = {"名称": ["化工厂"], "污染源类型": ["化学品生产企业"], "lon": [113.6], "lat": [34.8]}
    reg = _csv(tmp_path / "p.csv", pd.concat([pd.DataFrame(row)] * 3))
    refused(tmp_path, capsys, ["groundwater", "screen", "--pollution", reg, "--crs", "wgs84"], "2 of 3", "line 3", "line 4",
            "repeats line 2 in every column")


def test_a_repeat_across_dask_partitions_is_named_like_the_single_path(tmp_path, capsys):
    pytest.importorskip("dask")
    rows = [{"parcel_id": f"P{i}", "use": "commercial", "lon": ERQI[0] + 0.0001 * i, "lat": ERQI[1]} for i in range(6)]
    rows[5]["parcel_id"] = "P0"
    parcels = _csv(tmp_path / "p.csv", pd.DataFrame(rows))
    single = refused(tmp_path, capsys, [*VALUE, parcels, "--crs", "wgs84", "--out", tmp_path / "v.gpkg"], "line 7 (id 'P0')",
                     "parcel_id 'P0' repeats line 2")
    dask = refused(tmp_path, capsys, [*VALUE, parcels, "--crs", "wgs84", "--out", tmp_path / "v.gpkg", "--scheduler", "threads",
                                      "--partitions", "3"], "line 7 (id 'P0')", "parcel_id 'P0' repeats line 2")
    assert single == dask
    data, _ = accepted(capsys, [*VALUE, parcels, "--crs", "wgs84", "--out", tmp_path / "v.gpkg", "--scheduler", "threads",
                                "--partitions", "3", "--on-error", "flag", "--json"])
    assert [r["row"] for r in data["rejected"]] == ["line 7"] and data["valued"] == 5


# ----------------------------------------------------------------------------- 3. plausibility


@pytest.mark.parametrize(("name", "frame", "args", "must"), [
    ("r.csv", _shelters(有效面积=[1e12]), COVER + ["--register"], ["effective_area_m2 must be <= 7.6e+09 m², got 1000000000000.0"]),
    ("f.csv", pd.DataFrame({"名称": ["大托育"], "类型": ["托育机构"], "托位数": [5_000_000], "lon": [113.66], "lat": [34.76]}),
     ["children", "--crs", "wgs84", "--register"], ["places must be <= 10000, got 5000000.0"]),
    ("s.csv", pd.read_csv(DATA / "sources.csv").assign(**{"渗透系数(m/d)": [1e-9]}),
     ["groundwater", "zones", "--wells", DATA / "wells.csv", "--crs", "wgs84", "--sources"], ["conductivity_m_d must be >= 0.001 m/d, got 1e-09"]),
    ("s.csv", pd.read_csv(DATA / "sources.csv").assign(水力坡度=[0.9]), ["groundwater", "zones", "--wells", DATA / "wells.csv", "--crs", "wgs84", "--sources"],
     ["gradient must be <= 0.2, got 0.9"]),
    ("r.csv", _shelters(有效面积=["30,5"]), COVER + ["--register"], ["'30,5'", "a decimal comma?"]),
])
def test_impossible_values_are_errors(tmp_path, capsys, name, frame, args, must):
    refused(tmp_path, capsys, [*args, _csv(tmp_path / name, frame)], name, *must)


@pytest.mark.parametrize(("option", "must"), [
    (["--date", "2999-01-01", "--monthly-growth", "0.01"], ["valuation_date = 2999-01-01: must be >= 1990-01-01 and <= 2100-12-31"]),
    (["--plot-ratio", "1e-300"], ["--plot-ratio = 1e-300: must be >= 0.01"]),
    (["--development-adj", "-5000"], ["'A'", "the corrected price would be -2,960.00 元/m²"]),
    (["--monthly-growth", "0.9"], ["--monthly-growth = 0.9"]),
    # a rate written as a percent: the hint gives the fraction (6 % = 0.06); 0.8 is no percent and gets the reason
    (["--reduction-rate", "6"], ["--reduction-rate = 6: must be > 0 and <= 0.5", "write 0.06 for 6 %"]),
    (["--reduction-rate", "0.8"], ["--reduction-rate = 0.8", "above 50 % no land market has seen"]),
    (["--factor", "交通条件=5"], ["--factor 交通条件 = 5", "write 0.05 for 5 %"]),
    (["--term-years", "80"], ["--term-years = 80", "70 years is the longest legal term"]),
])
def test_impossible_options_are_errors(tmp_path, capsys, option, must):
    parcels = _csv(tmp_path / "p.csv", pd.DataFrame({"parcel_id": ["A"], "use": ["commercial"], "lon": [ERQI[0]], "lat": [ERQI[1]]}))
    refused(tmp_path, capsys, [*VALUE, parcels, "--crs", "wgs84", "--out", tmp_path / "v.gpkg", *option], *must)


def test_implausible_values_are_warnings_everywhere(tmp_path, capsys):
    reg = _csv(tmp_path / "r.csv", _shelters(有效面积=[5e6]))
    out = tmp_path / "cov.gpkg"
    data, err = accepted(capsys, [*COVER, "--register", reg, "--json", "--out", out])
    note = "effective_area_m2 5e+06 m² is outside the plausible range 100..3e+06 m²"
    assert [r["note"] for r in data["row_notes"]] and note in data["row_notes"][0]["note"]
    assert note in err
    side = pd.read_csv(tmp_path / "cov.notes.csv")
    assert side["row"].tolist()[-1] == "line 2" and note in side["note"].tolist()[-1]


def test_implausible_option_is_a_warning(tmp_path, capsys):
    data, err = accepted(capsys, ["children", "access", "--detour", "3", "--json", "--type", "托育机构"])
    assert any(n.startswith("--detour 3 is outside the plausible range 1.1..2") for n in data["notes"])
    assert "note: --detour 3 is outside the plausible range" in err


# ----------------------------------------------------------------------------- 4. notes reach the user


def test_row_notes_reach_console_json_and_file(tmp_path, capsys):
    reg = _csv(tmp_path / "r.csv", pd.concat([_shelters(), _shelters(名称=["小广场"], 有效面积=[100], lon=[113.64], lat=[34.725]),
                                              _shelters(名称=["碧沙岗"], 区县=["金水区"], lon=[113.63], lat=[34.76])]))
    out = tmp_path / "cov.csv"
    data, err = accepted(capsys, [*COVER, "--register", reg, "--json", "--out", out])
    notes = {r["row"]: r["note"] for r in data["row_notes"]}
    assert "class I needs >= 20,000 m² effective area (zhengzhou-2011-defaults), has 100" in notes["line 3"]
    assert "service radius 5,000 m" in notes["line 3"]
    assert "register says district '金水区' but the location is in" in notes["line 4"]
    assert "line 3 (小广场): class I needs" in err
    side = pd.read_csv(tmp_path / "cov.notes.csv")
    assert {"line 3", "line 4"} <= set(side["row"].dropna())


def test_pollution_register_contradictions_are_shown(tmp_path, capsys):
    reg = _csv(tmp_path / "p.csv", pd.DataFrame({"名称": ["化工厂"], "污染源类型": ["化学品生产企业"], "渗漏排查已完成": ["否"],
                                                 "渗漏排查日期": ["2023-05-01"], "lon": [113.6], "lat": [34.8]}))
    data, err = accepted(capsys, ["groundwater", "screen", "--pollution", reg, "--crs", "wgs84", "--json"])
    assert [r["note"] for r in data["row_notes"]] == ["a leak-screening date is given but leak_screened says no"]
    assert "line 2 (化工厂): a leak-screening date is given" in err


# ----------------------------------------------------------------------------- 5. options and side tables


@pytest.mark.parametrize(("argv", "must"), [
    (["shelters", "coverage", "--cell-m", "inf"], ["--cell-m = inf: must be a finite number"]),
    (["shelters", "coverage", "--cell-m", "nan"], ["--cell-m = nan: must be a finite number"]),
    (["children", "access", "--detour", "nan"], ["--detour = nan"]),
    (["children", "access", "--circle", "a=nan"], ["--circle a = nan"]),
    (["children", "access", "--circle", "a=300", "--circle", "a=500"], ["--circle a= is given twice"]),
    (["land-price", "value", str(Path(__file__).resolve().parents[1] / "src" / "zzgeo" / "data" / "landprice" / "demo_parcels.geojson"), "--out", "OUT",
      "--factor", "a=0.1", "--factor", "a=0.2"], ["--factor a= is given twice"]),
    (["land-price", "value", str(Path(__file__).resolve().parents[1] / "src" / "zzgeo" / "data" / "landprice" / "demo_parcels.geojson"), "--out", "OUT",
      "--factor", "a=inf"], ["--factor a = inf"]),
    (["land-price", "value", str(Path(__file__).resolve().parents[1] / "src" / "zzgeo" / "data" / "landprice" / "demo_parcels.geojson"), "--out", "OUT",
      "--price-index", "2020-01-01=100,2020-01-01=90"], ["gives 2020-01-01 twice"]),
    (["map", "land-price", "--width", "inf"], ["--width"]),
    (["groundwater", "indicators", "--as-of", "0"], ["--as-of = 0: must be >= 2000"]),
    (["groundwater", "indicators", "--as-of", "99999"], ["--as-of = 99999"]),
    (["shelters", "coverage", "--cell-m", "abc"], ["--cell-m", "(see zzgeo shelters coverage --help)"]),
])
def test_options_are_checked(tmp_path, capsys, argv, must):
    refused(tmp_path, capsys, [tmp_path / "v.gpkg" if a == "OUT" else a for a in argv], *must)


def test_plot_ratio_table_rows_are_checked(tmp_path, capsys):
    parcels = _csv(tmp_path / "p.csv", pd.DataFrame({"parcel_id": ["A"], "use": ["commercial"], "plot_ratio": [3.0],
                                                     "lon": [ERQI[0]], "lat": [ERQI[1]]}))
    table = tmp_path / "far.csv"
    table.write_text("容积率,修正系数\n1.0,0.8\n2.0,abc\n", encoding="utf-8")
    refused(tmp_path, capsys, [*VALUE, parcels, "--crs", "wgs84", "--out", tmp_path / "v.gpkg", "--plot-ratio-table", table],
            "far.csv", "line 3: coefficient is not a number: 'abc'")
    table.write_text("容积率,修正系数,用途\n1.0,0.8,工业\n4.0,1.2,工业\n", encoding="utf-8")
    refused(tmp_path, capsys, [*VALUE, parcels, "--crs", "wgs84", "--out", tmp_path / "v.gpkg", "--plot-ratio-table", table],
            "'A'", "has rows for use(s) ['industrial'] but none for 'commercial'")


def test_children_figures_table_is_checked(tmp_path, capsys):
    table = _csv(tmp_path / "kids.csv", pd.DataFrame({"unit": ["金水区", "金水区"], "children": [300000, "abc"]}))
    refused(tmp_path, capsys, ["children", "--children", table], "kids.csv", "line 3 ('金水区'): children is not a number: 'abc'",
            "unit '金水区' repeats line 2")


def test_children_figures_in_ten_thousands(tmp_path, capsys):
    table = _csv(tmp_path / "kids.csv", pd.DataFrame({"单元": ["金水区"], "儿童人数(万人)": [30]}))
    data, _ = accepted(capsys, ["children", "--children", table, "--json"])
    assert data["meta"]["children_rule"] == "user figures"
    from zzgeo.children.rules import unit_population

    figures = unit_population(figures=table).set_index("name")
    assert figures.loc["金水区", "children"] == 300000.0  # 30 万人


# ----------------------------------------------------------------------------- 6. dates


def test_as_of_counts_only_what_was_done_by_then(tmp_path, capsys):
    reg = _csv(tmp_path / "p.csv", pd.DataFrame({
        "名称": ["甲厂", "乙厂", "丙厂"], "污染源类型": ["化学品生产企业"] * 3, "已造成地下水污染": ["是"] * 3,
        "渗漏排查已完成": ["是", "是", "否"], "渗漏排查日期": ["2023-05-01", "2025-03-01", ""],
        "lon": [113.60, 113.62, 113.64], "lat": [34.80, 34.80, 34.80]}))
    counts = {}
    for year in (2022, 2023, 2024, 2025):
        data, _ = accepted(capsys, ["groundwater", "indicators", "--pollution", reg, "--crs", "wgs84", "--as-of", str(year), "--json"])
        counts[year] = (data["city"]["listed"], data["city"]["screened"])
    assert counts == {2022: (3, 0), 2023: (3, 1), 2024: (3, 1), 2025: (3, 2)}


# ----------------------------------------------------------------------------- 7. row names


@pytest.mark.parametrize("id_column", ["id", "编号", "宗地号"])
def test_id_column_names_rows(tmp_path, capsys, id_column):
    parcels = _csv(tmp_path / "p.csv", pd.DataFrame({id_column: ["Z-1", "Z-2"], "use": ["commercial", "office"],
                                                     "lon": [ERQI[0], ERQI[0] + 0.001], "lat": [ERQI[1]] * 2}))
    refused(tmp_path, capsys, [*VALUE, parcels, "--crs", "wgs84", "--out", tmp_path / "v.gpkg", "--id-column", id_column],
            "'Z-2': unknown use 'office'")
    data, _ = accepted(capsys, [*VALUE, parcels, "--crs", "wgs84", "--out", tmp_path / "v.gpkg", "--id-column", id_column,
                                "--on-error", "flag", "--json"])
    assert data["rejected"][0]["row"] == "line 3" and data["rejected"][0]["id"] == "Z-2"
    assert pd.read_csv(tmp_path / "v.rejected.csv")["row"].tolist() == ["line 3"]


def test_rows_without_ids_are_named_by_line_not_position(tmp_path, capsys):
    parcels = _csv(tmp_path / "p.csv", pd.DataFrame({"use": ["commercial", "office"], "lon": [ERQI[0]] * 2, "lat": [ERQI[1]] * 2}))
    data, _ = accepted(capsys, [*VALUE, parcels, "--crs", "wgs84", "--out", tmp_path / "v.gpkg", "--on-error", "flag", "--json"])
    assert data["rejected"] == [{"input": "p.csv", "row": "line 3", "reason": data["rejected"][0]["reason"]}]
    coords = _csv(tmp_path / "c.csv", pd.DataFrame({"use": ["commercial", "commercial"], "lon": [ERQI[0], "东经"], "lat": [ERQI[1]] * 2}))
    refused(tmp_path, capsys, [*VALUE, coords, "--crs", "wgs84", "--out", tmp_path / "v.gpkg"], "non-numeric coordinates", "at line 3")


# ----------------------------------------------------------------------------- 8. no internal error


def test_a_grid_too_fine_is_refused_with_its_size(tmp_path, capsys):
    refused(tmp_path, capsys, ["shelters", "coverage", "--cell-m", "10"], "a 10 m grid", "cells", "GB", "--cell-m")


@pytest.mark.parametrize("argv", [
    ["shelters", "coverage", "--cell-m", "3000", "--population", "RASTER"],
    ["groundwater", "screen", "--raster", "RASTER"],
])
def test_a_text_file_is_not_a_raster(tmp_path, capsys, argv):
    raster = tmp_path / "pop.tif"
    raster.write_text("not a raster", encoding="utf-8")
    refused(tmp_path, capsys, [raster if a == "RASTER" else a for a in argv], "pop.tif", "as a raster")


@pytest.mark.parametrize(("out", "must"), [("", "names no file"), ("FOLDER", "is a folder")])
def test_bad_out(tmp_path, capsys, out, must):
    (tmp_path / "folder").mkdir()
    target = str(tmp_path / "folder") if out == "FOLDER" else out
    refused(tmp_path, capsys, [*COVER, "--out", target], must)


def test_a_foreign_or_missing_store(tmp_path, capsys):
    import geopandas as gpd
    from shapely.geometry import Point

    mine = tmp_path / "mine.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs=4326).to_file(mine, layer="my_layer")
    refused(tmp_path, capsys, ["--store", mine, "districts"], "mine.gpkg", "is not a zzgeo layer store")
    refused(tmp_path, capsys, ["--store", tmp_path / "typo.gpkg", "districts"], "no layer store at", "typo.gpkg", "mistyped?")
    refused(tmp_path, capsys, ["layers", "build", "--store", mine], "mine.gpkg", "is not a zzgeo layer store", "would be replaced")


# ----------------------------------------------------------------------------- 9. nothing lost


def test_a_report_config_inside_out_is_refused(tmp_path, capsys):
    out = tmp_path / "report"
    out.mkdir()
    config = out / "my_report.toml"
    config.write_text("[report]\npng = false\n", encoding="utf-8")
    refused(tmp_path, capsys, ["report", "--out", out, "--config", config], "holds the input", "my_report.toml")


def test_map_never_writes_over_its_config(tmp_path, capsys):
    config = tmp_path / "cfg.toml"
    config.write_text("[report]\npng = false\n", encoding="utf-8")
    refused(tmp_path, capsys, ["map", "land-price", "--out", config, "--config", config], "--out", "cfg.toml")
    html = tmp_path / "cfg.html"
    html.write_text("x", encoding="utf-8")
    refused(tmp_path, capsys, ["map", "land-price", "--out", html, "--config", html], "would overwrite the input")


def test_output_beside_an_input_is_checked_before_any_work(tmp_path, capsys):
    gaps = tmp_path / "gaps.csv"
    reg = _csv(tmp_path / "f.csv", pd.DataFrame({"名称": ["园"], "类型": ["儿童友好公园"], "lon": [113.66], "lat": [34.76]}))
    refused(tmp_path, capsys, ["children", "access", "--register", reg, "--crs", "wgs84", "--out", gaps, "--gaps", reg],
            "refusing to overwrite the input")
    assert not gaps.exists()


def test_an_interrupted_report_swap_is_repaired(tmp_path):
    from zzgeo.report import recover_report_folder

    out = tmp_path / "report"
    old = tmp_path / ".report.old-999999999"
    old.mkdir()
    (old / "report.json").write_text("{}", encoding="utf-8")
    tmp = tmp_path / ".report.tmp-999999999"
    tmp.mkdir()
    done = recover_report_folder(out)
    assert (out / "report.json").is_file() and not old.exists() and not tmp.exists()
    assert any("restored the previous report" in line for line in done)
