"""``zzgeo children`` and ``zzgeo children access`` on the DEMO register and on a user's file."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from zzgeo.children.cli import app

runner = CliRunner()


def _json(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return json.loads(result.stdout)


def test_targets_of_2022_on_the_demo_register(tmp_path):
    out = tmp_path / "targets.csv"
    data = _json(["--year", "2022", "--json", "--out", str(out)])
    assert data["meta"]["demo"] is True and data["meta"]["year"] == 2022
    ids = {r["target_id"] for r in data["records"]}
    assert "street_cf_2022" in ids and "street_cf_2025" not in ids and "caries_12" in ids
    streets = [r for r in data["records"] if r["target_id"] == "street_cf_2022"]
    assert len(streets) == 17 and streets[-1]["unit"] == "city"
    assert sum(r["actual"] for r in streets[:-1]) == streets[-1]["city_pooled_actual"]  # every street, pooled
    assert sum(min(r["actual"], 1) for r in streets[:-1]) == streets[-1]["actual"]   # those that meet a unit's target
    assert sum(r["shortfall"] for r in streets[:-1]) == streets[-1]["shortfall"]
    kg = next(r for r in data["records"] if r["target_id"] == "kindergarten_places_2022")
    assert kg["measure"] == "places" and kg["facility"] == "普惠性幼儿园" and kg["actual"] > 0
    written = pd.read_csv(out)
    assert len(written) == len(data["records"]) and "shortfall" in written
    assert {"city_pooled_actual", "city_pooled_ratio", "city_pooled_shortfall"} <= set(written.columns)
    assert len(data["inventory"]) == 16


def test_a_user_register_in_gbk_with_chinese_headers(tmp_path):
    path = tmp_path / "设施.csv"
    pd.DataFrame({"名称": ["甲街区", "乙街区", "丙托育"], "类型": ["儿童友好街区", "儿童友好街区", "托育机构"], "所属区县": ["中原区", "高新区", ""],
                  "托位": [None, None, 120], "年份": [2022, 2022, 2023], "经度": [113.60, 113.55, 113.62], "纬度": [34.75, 34.80, 34.74]}
                 ).to_csv(path, index=False, encoding="gbk")
    data = _json(["--register", str(path), "--crs", "wgs84", "--json", "--year", "2022"])
    assert data["meta"]["demo"] is False and data["meta"]["facilities"] == 3
    by_unit = {r["unit"]: r for r in data["records"] if r["target_id"] == "street_cf_2022"}
    assert by_unit["410102"]["actual"] == 1 and by_unit["410172"]["actual"] == 1 and by_unit["city"]["status"] == "2 of 16 units met"


def test_access_json_and_gap_layer(tmp_path):
    gaps = tmp_path / "gaps.gpkg"
    data = _json(["access", "--type", "托育机构", "--type", "儿童之家", "--circle", "near=500", "--json", "--gaps", str(gaps)])
    shares = pd.DataFrame(data["shares"])
    assert set(shares["type"]) == {"childcare", "childrens_home"} and set(shares["circle"]) == {"near"}
    city = shares[shares["unit"] == "city"]
    assert ((city["share"] > 0) & (city["share"] < 1)).all() and city["children"].iloc[0] == 2889000
    care = pd.DataFrame(data["childcare"]).set_index("unit")
    assert abs(care.loc["city", "places_per_1000_within_reach"] - care.loc["city", "places_per_1000_in_unit"]) < 0.01
    from zzgeo.children.demo import demo_facilities

    register = demo_facilities()  # 托位 of 托育服务机构 and 示范托育服务机构 alike, as the per-1,000 target counts them
    assert care.loc["city", "places"] == register.loc[register["type"].isin(["childcare", "childcare_demo"]), "places"].sum()
    assert data["meta"]["childcare_places_of"] == ["childcare", "childcare_demo"]
    assert data["meta"]["rules"]["detour_factor"] == 1.3 and data["meta"]["demo"] is True
    import geopandas as gpd

    layer = gpd.read_file(gaps)
    assert set(layer["type"]) == {"childcare", "childrens_home"} and layer["rank"].min() == 1


def test_access_out_holds_the_shares_without_gaps(tmp_path):
    """Without --gaps the gap cells were written over the --out file (and a shares table to .gpkg was an internal
    error): --out holds the shares, by unit, as an attribute table."""
    import pyogrio

    out = tmp_path / "shares.gpkg"
    data = _json(["access", "--type", "托育机构", "--circle", "near=500", "--json", "--out", str(out)])
    written = pyogrio.read_dataframe(out)
    assert "geometry" not in written.columns and written.columns[0] == "demo_data"
    assert len(written) == len(data["shares"]) and set(written["circle"]) == {"near"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shares.gpkg", "shares.notes.csv"]


def test_chinese_console_shows_the_city_figure_and_chinese_units_csv_keeps_english(tmp_path):
    """FINDINGS 2.3 / 3.3: the city row of 托位 per 1,000 is the city's 76,429 places / 12,600,574 residents = 6.07
    (met), the unit of measure is shown in Chinese, and the CSV keeps the English status and unit (programs read them)."""
    from zzgeo.i18n import set_language

    out = tmp_path / "t.csv"
    set_language("zh")
    try:
        result = runner.invoke(app, ["--out", str(out)], terminal_width=400)
    finally:
        set_language(None)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "childcare_places_2025" in line)
    cells = [c.strip() for c in row.split("│")]
    assert "托位/千人" in cells and "6.07" in cells and "101.1%" in cells  # 6.07 / 6 = 101.1 %
    written = pd.read_csv(out)
    city = written[(written["target_id"] == "childcare_places_2025") & (written["unit"] == "city")].iloc[0]
    assert city["unit_of_measure"] == "托位 per 1000 residents" and city["status"].startswith("met; 6 of 15 units met")
    assert round(city["actual"], 2) == 6.07 and city["shortfall"] == 0
    names = written[written["target_id"] == "childcare_places_2025"].set_index("unit")["unit_name"]
    assert names["410102"] == "中原区（不含高新区）" and names["410105"] == "金水区"  # FINDINGS 2.3: which 中原区


def test_access_note_says_how_its_districts_differ(tmp_path):
    """FINDINGS 2.3: 中原区 of `children access` holds 高新区; the note says so and names the plan-unit labels."""
    from zzgeo.children.attainment import units_label_note

    units = _json(["access", "--type", "childcare", "--json"])["meta"]["units"]  # printed as the note "units: ..."
    assert units.startswith("12 districts, each with the development zones in it")
    assert "中原区（不含高新区）、管城回族区（不含经开区）、新郑市（不含航空港区）" in units
    assert "中原区（不含高新区）、管城回族区（不含经开区）、新郑市（不含航空港区）" in units_label_note()  # zzgeo children's note
