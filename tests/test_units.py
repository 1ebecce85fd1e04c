"""Analysis units (zzgeo.units) and the shelter analysis by units, on hand-built 街道 worked by hand.

Two 2 km squares side by side in 金水区 (EPSG:4547 metres): 甲街道 (code A, 1,000 residents) and
乙街道 (B, 4,000). Shelters: S1 class III of 4,000 m² at the centre of 甲, S2 class II of 10,000 m²
at the centre of 乙, S3 class III of 3,000 m² in 金水区 east of both squares (outside every unit).
"""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import Point, box
from typer.testing import CliRunner

from zzgeo._cli import run
from zzgeo.cli import app
from zzgeo.errors import GeometryError, OutsideAreaError, SchemaError
from zzgeo.units import county_units, demo_units, read_units, units_from_frame

X, Y = 470_000, 3_850_000
#: The parent row of the two squares: 8 km² of 金水区's 241 km², so never named as the whole district.
JINSHUI = "金水区 (part: 2 units, 3% of its area)"
runner = CliRunner()


def _units(population=(1000.0, 4000.0), shift_b: float = 0.0) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"代码": ["A", "B"], "街道名称": ["甲街道", "乙街道"], "常住人口": list(population)},
                            geometry=[box(X, Y, X + 2000, Y + 2000), box(X + 2000 - shift_b, Y, X + 4000 - shift_b, Y + 2000)],
                            crs=4547)


def _register() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"编号": ["S1", "S2", "S3"], "名称": ["甲公园", "乙广场", "东游园"], "类别": ["III", "II", "III"],
                             "有效面积": [4000.0, 10000.0, 3000.0]},
                            geometry=[Point(X + 1000, Y + 1000), Point(X + 3000, Y + 1000), Point(X + 6000, Y + 1000)], crs=4547)


def test_units_read_by_the_register_loader_with_parents_by_location(tmp_path):
    path = tmp_path / "streets.gpkg"
    _units().to_file(path)
    units = read_units(path)
    assert units.frame["adcode"].tolist() == ["A", "B"]
    assert units.frame["name"].tolist() == ["甲街道", "乙街道"]
    assert units.frame["population"].tolist() == [1000.0, 4000.0]
    assert units.frame["parent_name"].tolist() == ["金水区", "金水区"]
    assert units.frame["parent_code"].tolist() == ["410105", "410105"]
    groups = units.groups()
    assert [(g.code, g.name, g.level, g.members) for g in groups[:1]] == [("410105", JINSHUI, "parent", ("A", "B"))]
    assert groups[-1].name == "streets (2 units, part of 郑州市)" and not units.whole_city
    # 8 km² of 金水区's ~241 km² are covered: the rest is a gap, noted with its share
    assert any(n.startswith("gap: ") and "金水区 (410105)" in n for n in units.notes)


def test_overlapping_units_are_an_error_and_slivers_a_note():
    with pytest.raises(GeometryError, match=r"甲街道 \(A\) and 乙街道 \(B\) overlap by 2,000,000 m² \(50.0% of the smaller\)"):
        units_from_frame(_units(shift_b=1000).rename(columns={"代码": "adcode", "街道名称": "name"}))
    # 0.5 m of overlap along a 2 km edge: 1,000 m² = 0.025 % of 4 km², below the 0.1 % tolerance
    sliver = units_from_frame(_units(shift_b=0.5).rename(columns={"代码": "adcode", "街道名称": "name"}))
    assert any("overlap by 1,000 m² (0.0% of the smaller): a sliver" in n for n in sliver.notes)


def test_unit_wholly_outside_zhengzhou_is_an_error():
    far = _units().rename(columns={"代码": "adcode", "街道名称": "name"})
    far["geometry"] = far.geometry.translate(300_000, 0)
    with pytest.raises(OutsideAreaError, match=r"unit 甲街道 \(A\) lies wholly outside Zhengzhou"):
        units_from_frame(far)


def test_default_units_are_the_county_units_and_demo_units_partition_the_urban_districts():
    county = county_units()
    assert county.is_default and len(county.frame) == 12
    demo = demo_units()
    assert demo.demo and len(demo.frame) == 24 and not demo.notes  # the six districts exactly: no gap, no overlap
    districts = county.frame.set_index("adcode")
    by_parent = demo.frame.groupby("parent_code")["population"].sum()
    for code, residents in by_parent.items():  # each district's census population, shared by area (rounded)
        assert abs(residents - districts.loc[code, "population"]) <= 2
        part = demo.frame[demo.frame["parent_code"] == code].geometry.area.sum()
        assert part == pytest.approx(districts.loc[code, "geometry"].area, rel=1e-9)


def test_shelter_coverage_by_hand_built_units():
    from zzgeo.shelters import shelter_coverage

    units = units_from_frame(_units().rename(columns={"代码": "adcode", "街道名称": "name", "常住人口": "population"}),
                             label="两个街道")
    result = shelter_coverage(_register(), units=units)
    table = result.table.set_index("name")
    # per capita: 甲 4,000 m² / 1,000 = 4.0; 乙 10,000 / 4,000 = 2.5; 金水区 (both) 14,000 / 5,000 = 2.8
    assert table.loc["甲街道", ["population", "effective_area_m2", "per_capita_m2"]].tolist() == [1000.0, 4000.0, 4.0]
    assert table.loc["乙街道", ["population", "effective_area_m2", "per_capita_m2"]].tolist() == [4000.0, 10000.0, 2.5]
    assert table.loc[JINSHUI, ["population", "effective_area_m2", "per_capita_m2"]].tolist() == [5000.0, 14000.0, 2.8]
    # 2029 target 3 m²: 乙 lacks 3 x 4,000 - 10,000 = 2,000 m²; the parent's gap is the sum of its units' gaps
    assert table.loc["乙街道", "gap_2029_m2"] == 2000.0 and table.loc["甲街道", "gap_2029_m2"] == 0.0
    assert table.loc[JINSHUI, "gap_2029_m2"] == 2000.0
    # reach: 64 cells of 250 m per unit. S1 (class III, 500 m) reaches the 12 cells of 甲 whose centres are
    # within 500 m of its centre (offsets 125/375 m); S2 (class II, 1,000 m) 52 of 乙's 64. 金水区:
    # (1,000 x 12/64 + 4,000 x 52/64) / 5,000 = 0.6875
    assert table.loc["甲街道", "covered_share"] == pytest.approx(12 / 64)
    assert table.loc["乙街道", "covered_share"] == pytest.approx(52 / 64)
    assert table.loc[JINSHUI, "covered_share"] == pytest.approx(0.6875)
    assert result.table["level"].tolist() == ["unit", "unit", "parent", "total"]
    assert result.table["name"].iloc[-1] == "两个街道 (2 units, part of 郑州市)"
    assert result.meta["shelters_outside_units"] == ["S3 东游园"]
    assert any("1 shelter(s) lie outside every unit of 两个街道" in n and "S3 东游园" in n for n in result.meta["notes"])


def test_shelters_coverage_cli_by_units(tmp_path):
    units, register, out = tmp_path / "streets.gpkg", tmp_path / "shelters.gpkg", tmp_path / "by_street.gpkg"
    _units().to_file(units)
    _register().to_file(register)
    result = runner.invoke(app, ["shelters", "coverage", "--register", str(register), "--units", str(units), "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(r["name"], r["per_capita_m2"]) for r in data["records"]] == [("甲街道", 4.0), ("乙街道", 2.5)]
    assert [(r["name"], r["per_capita_m2"]) for r in data["parents"]] == [(JINSHUI, 2.8)]
    assert data["total"]["name"] == "streets (2 units, part of 郑州市)" and "city" not in data
    assert data["units"]["units"] == 2 and data["shelters_outside_units"] == ["S3 东游园"]
    written = gpd.read_file(out)
    assert written["name"].tolist() == ["甲街道", "乙街道", JINSHUI]  # the parent drawn with its county polygon


@pytest.mark.parametrize(("change", "args", "message"), [
    ("overlap", [], "overlap by 2,000,000 m²"),
    ("no population", [], "has no population (2 of 2 units); give the residents column (--units-population)"),
    ("unknown column", ["--units-population", "人口数"], "人口数"),
])
def test_bad_units_give_one_line_and_write_nothing(tmp_path, capsys, change, args, message):

    frame = _units(shift_b=1000) if change == "overlap" else _units()
    if change != "overlap":
        frame = frame.drop(columns="常住人口")
    units, out = tmp_path / "streets.gpkg", tmp_path / "out.gpkg"
    frame.to_file(units)
    before = units.read_bytes()
    code = run(app, ["shelters", "coverage", "--units", str(units), "--out", str(out), *args])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err and str(units) in err
    assert not out.exists() and units.read_bytes() == before


def test_units_options_need_units(capsys):
    assert run(app, ["shelters", "coverage", "--units-name", "街道名称"]) == 2
    assert capsys.readouterr().err == "error: --units-name '街道名称' needs --units FILE\n"


def test_units_file_rows_are_checked_by_the_register_loader(tmp_path):
    frame = _units()
    frame.loc[1, "常住人口"] = -5
    path = tmp_path / "streets.gpkg"
    frame.to_file(path)
    with pytest.raises(SchemaError, match="-5"):
        read_units(path)


def test_children_walking_access_by_hand_built_units():
    from zzgeo.children import read_facilities, walking_access

    units = units_from_frame(_units().rename(columns={"代码": "adcode", "街道名称": "name", "常住人口": "population"}),
                             label="两个街道")
    # four cells 1 km apart: two in 甲 (100 and 200 children), two in 乙 (300 and 400)
    surface = gpd.GeoDataFrame({"residents": [1000.0, 1000.0, 2000.0, 2000.0], "children": [100.0, 200.0, 300.0, 400.0],
                                "unit": "410105"}, geometry=[Point(X + 500 + 1000 * i, Y + 500) for i in range(4)], crs=4547)
    surface.attrs["cell_m"] = 250
    # 60 childcare places at the first cell; 30 more 2.5 km east of the last cell, outside both units
    centres = gpd.GeoDataFrame({"编号": ["C1", "C2"], "名称": ["甲托育", "东托育"], "设施类型": "托育服务机构", "托位": [60, 30],
                                "年份": 2023}, geometry=[Point(X + 500, Y + 500), Point(X + 6000, Y + 500)], crs=4547)
    result = walking_access(read_facilities(centres), surface=surface, units=units)
    shares = result.shares[result.shares["circle"] == "15min"].set_index("unit_name")
    # walking = straight line x 1.3: only the first cell (0 m) is within 1,000 m of a centre
    assert shares.loc["甲街道", ["children", "children_within", "share"]].tolist() == [300.0, 100.0, pytest.approx(1 / 3)]
    assert shares.loc["乙街道", ["children", "children_within", "share"]].tolist() == [700.0, 0.0, 0.0]
    assert shares.loc[JINSHUI, ["children", "children_within", "share", "level"]].tolist() == [1000.0, 100.0, 0.1, "parent"]
    assert shares["level"].tolist() == ["unit", "unit", "parent", "total"]
    care = result.childcare.set_index("unit_name")
    # places in the unit per 1,000 residents: 甲 60 / 2,000 = 30, 乙 0, 金水区 and the whole area 60 / 6,000 = 10
    # (C2 lies in no unit: its 30 places count to none)
    assert care["places"].tolist() == [60.0, 0.0, 60.0, 60.0]
    assert care["places_per_1000_in_unit"].tolist() == [30.0, 0.0, 10.0, 10.0]
    assert result.meta["facilities_outside_units"] == ["C2 东托育"]


def test_children_access_cli_by_units_spreads_the_units_residents(tmp_path):
    units, register = tmp_path / "streets.gpkg", tmp_path / "facilities.gpkg"
    _units().to_file(units)
    gpd.GeoDataFrame({"编号": ["C1"], "名称": ["甲托育"], "设施类型": ["托育服务机构"], "托位": [60], "年份": [2023]},
                     geometry=[Point(X + 500, Y + 500)], crs=4547).to_file(register)
    result = runner.invoke(app, ["children", "access", "--register", str(register), "--units", str(units), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    care = {r["unit_name"]: r for r in data["childcare"]}
    # the units' own residents (1,000 and 4,000) spread over their cells; C1's 60 places lie in 甲
    assert care["甲街道"]["residents"] == pytest.approx(1000.0) and care["乙街道"]["residents"] == pytest.approx(4000.0)
    assert care["甲街道"]["places_per_1000_in_unit"] == pytest.approx(60.0)
    assert care[JINSHUI]["places_per_1000_in_unit"] == pytest.approx(12.0)
    assert care["streets (2 units, part of 郑州市)"]["level"] == "total"
    assert data["meta"]["surface"].startswith("residents of each unit of streets")


def test_report_config_units_table(tmp_path):
    from zzgeo.errors import ParameterError
    from zzgeo.report import load_report_config

    path = tmp_path / "report.toml"
    path.write_text('[units]\nfile = "streets.gpkg"\nname = "街道名称"\npopulation = "常住人口"\n', encoding="utf-8")
    config = load_report_config(path)
    assert config.units == {"file": str(tmp_path.resolve() / "streets.gpkg"), "name": "街道名称", "population": "常住人口"}
    assert tmp_path.resolve() / "streets.gpkg" in [p.resolve() for p in config.input_paths()]  # never written over
    path.write_text('[units]\nname = "街道名称"\n', encoding="utf-8")
    with pytest.raises(ParameterError, match=r"\[units\] needs file"):
        load_report_config(path)
    path.write_text('[units]\nfile = "demo"\ncolour = "red"\n', encoding="utf-8")
    with pytest.raises(ParameterError, match="colour"):
        load_report_config(path)


def test_report_themes_also_report_by_the_config_units(tmp_path):
    from zzgeo.report import ReportConfig, run_themes

    units = tmp_path / "streets.gpkg"
    _units().to_file(units)
    register = tmp_path / "shelters.gpkg"
    _register().to_file(register)
    config = ReportConfig({"shelters": {"register": str(register)}}, units={"file": str(units)})
    run = run_themes(config, keys=["shelters"])["shelters"]
    table = run.tables["coverage_by_unit"].set_index("name")
    assert table.loc["甲街道", "per_capita_m2"] == 4.0 and table.loc[JINSHUI, "per_capita_m2"] == 2.8
    assert "coverage_by_unit" in run.maps
    assert "by streets: 2 of 2 units meet the 2025 target of 2 m²/person;" in " ".join(run.findings)
    assert any("S3 东游园" in n for n in run.notes)
    assert len(run.tables["coverage_by_district"]) == 13  # the county-level table stays as it was


def test_scores_by_units_on_the_indicators_measured_by_unit():
    import pandas as pd

    from zzgeo.maps import map_state
    from zzgeo.report import district_scores, score_map
    from zzgeo.report.scoring import unit_indicators
    from zzgeo.shelters import shelter_coverage
    from zzgeo.shelters.report import _with_shapes
    from zzgeo.theme_run import ThemeRun

    units = units_from_frame(_units().rename(columns={"代码": "adcode", "街道名称": "name", "常住人口": "population"}),
                             label="两个街道")
    cov = shelter_coverage(_register(), units=units)
    shares = pd.DataFrame({"unit": ["A", "B", "410105"], "type": "childcare", "circle": "15min", "share": [0.5, 0.25, 0.3],
                           "level": ["unit", "unit", "parent"]})
    runs = {"shelters": ThemeRun("shelters", "", "", tables={"coverage_by_unit": _with_shapes(cov.table, units)}),
            "children": ThemeRun("children", "", "", tables={"access_shares_by_unit": shares})}
    raw, areas = unit_indicators(runs)
    assert raw.index.tolist() == ["A", "B"] and areas["name"].tolist() == ["甲街道", "乙街道"]
    assert raw["shelter_per_capita"].tolist() == [4.0, 2.5]
    assert raw["shelter_coverage"].tolist() == [12 / 64, 52 / 64]
    assert raw["childcare_access"].tolist() == [0.5, 0.25]
    result = district_scores(raw=raw)
    # data/scores.toml weights 0.2 / 0.15 / 0.15 for these three (the other three are not measured by unit: reweight
    # to 0.5). 甲: 100 x (0.2 x min(4/2, 1) + 0.15 x 0.1875 + 0.15 x 0.5) / 0.5 = 60.625;
    # 乙: 100 x (0.2 x 1 + 0.15 x 0.8125 + 0.15 x 0.25) / 0.5 = 71.875
    scores = result.scores.set_index("name")
    assert scores.loc["甲街道", "score"] == pytest.approx(60.625) and scores.loc["乙街道", "score"] == pytest.approx(71.875)
    assert scores.loc["甲街道", ["indicators_used", "indicators_total"]].tolist() == [3, 6]
    state = map_state(score_map(result, areas=areas))
    assert "composite score by unit" in state.title
    assert ("行政区界 district boundary", [("#3a3a3a", "分析单元 analysis units (2)", "line")]) in state.legends


@pytest.mark.slow
def test_report_by_the_demo_units_end_to_end(tmp_path, capsys):
    import pandas as pd

    out = tmp_path / "report"
    assert run(app, ["report", "--units", "demo", "--no-png", "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "analysis units" in data["demo"]["shelters"] and "analysis units" in data["demo"]["children"]
    for name in ("maps/shelters_coverage_by_unit.html", "maps/scores_by_unit.html", "scorecard_by_unit.csv",
                 "scorecard_by_unit.xlsx", "tables/shelters_coverage_by_unit.csv", "tables/children_childcare_2sfca_by_unit.csv"):
        assert name in data["files"] and (out / name).is_file(), name
    card = pd.read_csv(out / "scorecard_by_unit.csv", encoding="utf-8-sig")
    assert len(card) == 24 and card["name"].str.contains("DEMO").all()
    coverage = pd.read_csv(out / "tables/shelters_coverage_by_unit.csv", encoding="utf-8-sig")
    assert coverage["level"].value_counts().to_dict() == {"unit": 24, "parent": 6, "total": 1}
    county = pd.read_csv(out / "tables/shelters_coverage_by_district.csv", encoding="utf-8-sig", dtype={"adcode": str})
    parents = coverage[coverage["level"] == "parent"].set_index("adcode")["effective_area_m2"]
    # a parent's shelter area is its county-level unit's: every shelter of the six districts lies in one quadrant
    assert parents.to_dict() == county.set_index("adcode")["effective_area_m2"].reindex(parents.index).to_dict()
    assert "scores_by_unit.html" in (out / "index.html").read_text(encoding="utf-8")


def test_a_register_street_column_that_disagrees_with_the_units_is_counted_by_location(tmp_path):
    units, register = tmp_path / "streets.gpkg", tmp_path / "shelters.gpkg"
    _units().to_file(units)
    frame = _register().iloc[:2].assign(街道=["乙街道", "乙街道"])  # S1 lies in 甲, its register says 乙
    frame.to_file(register)
    result = runner.invoke(app, ["shelters", "coverage", "--register", str(register), "--units", str(units), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(r["name"], r["shelters"]) for r in data["records"]] == [("甲街道", 1), ("乙街道", 1)]  # by location
    notes = [n for n in data["row_notes"] if "S1" in str(n.get("id", "")) or "甲公园" in str(n)]
    assert notes and any("乙街道" in n["note"] and "甲街道" in n["note"] for n in notes), data["row_notes"]
    assert data["location_checks"]["disagree"] >= 1


def test_a_county_column_is_not_taken_for_a_street_column():
    from zzgeo.children import read_facilities

    units = units_from_frame(_units().rename(columns={"代码": "adcode", "街道名称": "name", "常住人口": "population"}))
    # the facilities' 区县 column (the plan's unit) names 金水区, which holds 甲街道: no disagreement with the 街道 units
    centres = gpd.GeoDataFrame({"编号": ["C1"], "名称": ["甲托育"], "设施类型": ["托育服务机构"], "托位": [60], "区县": ["金水区"]},
                               geometry=[Point(X + 500, Y + 500)], crs=4547)
    checked = read_facilities(centres, units=units.frame)
    assert not checked["location_check"].str.contains("disagrees").any()
    # a 街道 column that names the other unit is the one compared with the units
    checked = read_facilities(centres.assign(街道=["乙街道"]), units=units.frame)
    assert "disagrees" in checked["location_check"].iloc[0]


def test_parents_given_in_the_units_file_are_kept_and_checked_against_the_location(tmp_path):
    from zzgeo.shelters import shelter_coverage

    frame = _units().assign(所属区县=["二七", "高新区"])  # 甲 lies in 金水区 but is given to 二七区; 乙 to a zone of the office's own
    path = tmp_path / "streets.gpkg"
    frame.to_file(path)
    units = read_units(path)
    assert units.frame[["parent_code", "parent_name"]].values.tolist() == [["410103", "二七区"], ["高新区", "高新区"]]
    assert "unit 甲街道 (A): its parent is given as 二七区, but it lies in 金水区; its totals go to 二七区 as given" in units.notes
    result = shelter_coverage(_register(), units=units)
    records = {r["name"]: r for r in result.table.to_dict("records")}
    assert records["甲街道"]["parent_name"] == "二七区" and records["乙街道"]["parent_code"] == "高新区"
    # 二七区 holds none of 甲's square (it lies in 金水区): covered 0% of its area; 高新区 is no county, named as given
    assert [g.name for g in units.groups()] == ["二七区 (part: 1 units, 0% of its area)", "高新区", "streets (2 units, part of 郑州市)"]


def test_a_units_table_with_wkt_needs_and_takes_units_crs(tmp_path, capsys):
    import pandas as pd

    wgs = _units().to_crs(4326)
    table = pd.DataFrame({"单元名称": wgs["街道名称"], "常住人口(人)": wgs["常住人口"], "WKT": wgs.geometry.to_wkt()})
    path, register = tmp_path / "units.xlsx", tmp_path / "shelters.gpkg"
    table.to_excel(path, index=False)
    _register().to_file(register)
    assert run(app, ["shelters", "coverage", "--register", str(register), "--units", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(path) in err and err.count("\n") == 1
    assert run(app, ["shelters", "coverage", "--register", str(register), "--units", str(path), "--units-crs", "wgs84", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(r["name"], round(r["per_capita_m2"], 6)) for r in data["records"]] == [("甲街道", 4.0), ("乙街道", 2.5)]


def test_children_targets_per_head_by_hand_built_units():
    from zzgeo.children import read_facilities, target_attainment
    from zzgeo.children.attainment import attainment_by_units

    units = units_from_frame(_units().rename(columns={"代码": "adcode", "街道名称": "name", "常住人口": "population"}),
                             label="两个街道")
    centres = gpd.GeoDataFrame({"编号": ["C1", "C2"], "名称": ["甲托育", "乙托育"], "设施类型": "托育服务机构", "托位": [10, 20],
                                "年份": 2023}, geometry=[Point(X + 500, Y + 500), Point(X + 2500, Y + 500)], crs=4547)
    result = target_attainment(read_facilities(centres), year=2025)
    table = attainment_by_units(result, units)
    care = table[table["target_id"] == "childcare_places_2025"].set_index("unit_name")
    # 6 托位 per 1,000 residents (郑政〔2022〕8号 四(二)9): 甲 10 / 1,000 x 1,000 = 10, met; 乙 20 / 4,000 x 1,000 = 5,
    # short 6 x 4 - 20 = 4 places. 金水区's row is its own figure: 30 places / 5,000 residents x 1,000 = 6.0, met
    # (need 30, short 0); beside it, 1 of its 2 units meets 6 on its own and their own gaps sum to 4 (乙's)
    assert care.loc["甲街道", ["actual", "shortfall", "met"]].tolist() == [10.0, 0.0, True]
    assert care.loc["乙街道", ["actual", "shortfall", "met"]].tolist() == [5.0, 4.0, False]
    parent = care.loc[JINSHUI]
    assert parent["level"] == "parent" and parent["shortfall"] == pytest.approx(0.0) and parent["met"]
    assert parent["actual"] == pytest.approx(6.0) == parent["city_pooled_actual"] and parent["ratio"] == pytest.approx(1.0)
    assert parent["status"] == "met; 1 of 2 units met (their own gaps sum to 4.00)"
    assert set(table["target_id"]) == {"childcare_places_2025", "football_per_10000_2025"}  # no community layer given


def test_units_without_population_take_a_population_layer_located_in_them(tmp_path):
    from zzgeo.shelters import shelter_coverage
    from zzgeo.spatial.surface import read_population

    units = units_from_frame(_units().drop(columns="常住人口").rename(columns={"代码": "adcode", "街道名称": "name"}))
    with pytest.raises(SchemaError, match="has no population"):
        shelter_coverage(_register(), units=units)
    # residents as points: 1,000 at 甲's centre (500 m from S1: inside class III's 500 m), 3,000 in 乙 707 m from S2
    # (inside class II's 1,000 m) and 1,000 in 乙's corner 1,273 m from S2 (outside)
    points = gpd.GeoDataFrame({"population": [1000.0, 3000.0, 1000.0]}, crs=4547,
                              geometry=[Point(X + 1000, Y + 1000), Point(X + 3500, Y + 1500), Point(X + 3900, Y + 100)])
    demand = read_population(points, districts=units.frame)
    table = shelter_coverage(_register(), demand, units=units).table.set_index("adcode")
    assert table.loc["A", ["population", "per_capita_m2", "covered_share"]].tolist() == [1000.0, 4.0, 1.0]
    assert table.loc["B", ["population", "per_capita_m2", "covered_share"]].tolist() == [4000.0, 2.5, 0.75]


def test_the_demo_units_are_built_from_the_sources_not_the_store(monkeypatch):
    # the builder runs while the store is being built (first use after install): reading the store there recursed
    import zzgeo.layers
    from zzgeo.units import build_demo_units

    def no_store(*args, **kwargs):
        raise AssertionError("the DEMO units builder read the layer store")

    monkeypatch.setattr(zzgeo.layers, "read_layer", no_store)
    demo = build_demo_units()
    assert len(demo) == 24 and demo["demo"].all()
