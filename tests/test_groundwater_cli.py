"""``zzgeo groundwater zones`` / ``screen`` / ``indicators`` on the DEMO layers and on user files."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
from typer.testing import CliRunner

from zzgeo.groundwater.cli import app

runner = CliRunner()


def _json(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return json.loads(result.stdout)


def test_zones_json_and_out(tmp_path):
    out = tmp_path / "zones.gpkg"
    data = _json(["zones", "--json", "--out", str(out)])
    assert data["document"] == "郑政文〔2022〕49号" and data["demo"] is True
    assert {s["source_id"]: s["status"] for s in data["sources"]}["GW-JWT"] == "delineated (computed)"
    assert data["rules"]["hj338"]["status"] == "unverified" and data["rules"]["recharge"]["status"] == "assumption"
    written = gpd.read_file(out)
    assert set(written["zone"]) == {"zone1", "zone2", "recharge", "recharge_tot"} and len(written) == 8


def test_screen_lists_in_priority_order(tmp_path):
    data = _json(["screen", "--json"])
    priorities = [s["priority"] for s in data["sources"]]
    assert priorities == sorted(priorities) and priorities[0] == 1
    assert data["counts"]["listed"] == len(data["sources"]) and data["counts"]["sources"] == 360
    assert all(s["listed"] for s in data["sources"])
    assert data["sources"][0]["branch"] == "polluted"


def test_indicators_table_has_every_row():
    data = _json(["indicators", "--json", "--as-of", "2023"])
    assert sorted({r["seq"] for r in data["indicators"]}) == list(range(1, 20))
    six = next(r for r in data["indicators"] if r["seq"] == 6)
    assert six["measure"] == "leak_screening_rate" and six["status"] in ("met", "not met (due 2023)")
    assert len(data["records"]) == 12 and data["city"]["adcode"] == "410100"
    assert data["spot_check"]["share"] == 0.05


def test_user_pollution_register_in_gbk_with_chinese_headers(tmp_path):
    path = tmp_path / "污染源.csv"
    pd.DataFrame({"编号": ["P1", "P2"], "名称": ["甲化工厂", "乙加油站"], "污染源类型": ["化学品生产企业", "加油站"],
                  "重点污染源": ["是", "否"], "经度": [113.58, 113.70], "纬度": [34.78, 34.75]}).to_csv(path, index=False, encoding="gbk")
    data = _json(["screen", "--pollution", str(path), "--crs", "wgs84", "--json", "--all"])
    by_id = {s["source_id"]: s for s in data["sources"]}
    assert by_id["P1"]["listed"] and by_id["P1"]["branch"] == "key_source"
    assert not by_id["P2"]["listed"]


def test_user_registers_with_a_partial_parameter_set(tmp_path):
    from pathlib import Path

    from zzgeo._cli import run
    from zzgeo.cli import app as root

    data = Path(__file__).resolve().parent / "data"
    partial = tmp_path / "sources.csv"
    partial.write_text((data / "sources.csv").read_text(encoding="utf-8").replace(",165,", ",,"), encoding="utf-8")
    assert run(root, ["groundwater", "zones", "--sources", str(partial), "--wells", str(data / "wells.csv"), "--crs", "wgs84"]) == 2
    flagged = _json(["zones", "--sources", str(partial), "--wells", str(data / "wells.csv"), "--crs", "wgs84", "--on-error", "flag", "--json"])
    assert flagged["sources"][0]["status"] == "partly delineated (zones 1/2): missing flow direction"
    full = _json(["zones", "--sources", str(data / "sources.csv"), "--wells", str(data / "wells.csv"), "--crs", "wgs84", "--json"])
    assert full["sources"][0]["status"] == "delineated (computed)" and full["demo"] is False


def test_indicators_spot_check_share_is_of_the_screened_firms_on_the_list():
    """三(二)6(1): 抽查数量不低于开展排查企业的5%; the city row and the table by type count the same firms."""
    data = _json(["indicators", "--json"])
    city, types = data["city"], data["spot_checks"]
    assert city["spot_checked"] == sum(t["spot_checked"] for t in types) and city["screened"] == sum(t["screened"] for t in types)
    assert city["spot_check_share"] == city["spot_checked"] / city["screened"]
    for row in data["records"]:  # a district with no screening has no share (not a share of screenings off the list)
        assert row["spot_check_share"] is None if row["screened"] == 0 else row["spot_check_share"] == row["spot_checked"] / row["screened"]


def test_console_tables_show_what_they_hold():
    result = runner.invoke(app, ["indicators"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # indicator 3 has two target rows: 3a and 3b, so the 19 indicators are not read as 20
    assert sum("│ 3a " in line for line in lines) == 1 and sum("│ 3b " in line for line in lines) == 1
    # each rate next to its numerator and denominator, as a percentage
    data = _json(["indicators", "--json"])
    city = next(line for line in lines if "郑州市 (city-wide)" in line)
    cells = [c.strip() for c in city.split("│")[1:-1]]
    c = data["city"]
    assert cells == ["郑州市 (city-wide)", str(c["listed"]), str(c["screened"]), f"{100 * c['leak_screening_rate']:.1f}%",
                     str(c["key_supervised"]), str(c["self_monitoring"]), f"{100 * c['self_monitoring_rate']:.1f}%",
                     str(c["needs_risk_plan"]), str(c["risk_plan"]), f"{100 * c['risk_plan_rate']:.1f}%",
                     str(c["spot_checked"]), f"{100 * c['spot_check_share']:.1f}%"]
    screen = runner.invoke(app, ["screen"]).stdout.splitlines()
    assert any("pollution_source_id" in line for line in screen)
    first = next(line for line in screen if "DEMO-PS-" in line)
    assert first.split("│")[1].strip() == "1"  # the rank as an integer, not 1.00
    zones = runner.invoke(app, ["zones"]).stdout
    # DEMO rivers are losing: the critical rate 0 says what it means; the tracked zone-2 reach is named as such
    assert "0 (losing river: river water reaches the wells at any pumping rate)" in zones.replace("\n", " ") or "0 (losing" in zones
    assert "zone2_tracked_downgradient_m" in zones
