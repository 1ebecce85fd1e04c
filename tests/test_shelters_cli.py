"""``zzgeo shelters coverage`` / ``site`` on the DEMO data and on small user files.

The session store of conftest.py (``ZZGEO_STORE`` in a temporary folder) gets the two
DEMO shelter layers on first use, so the checkout's layers/zzgeo.gpkg is never touched.
"""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from zzgeo.errors import SchemaError, ZzgeoError
from zzgeo.population import CENSUS_TOTAL
from zzgeo.shelters.cli import app

runner = CliRunner()


def _json(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return json.loads(result.stdout)


def test_coverage_json_on_demo_data():
    data = _json(["coverage", "--json", "--cell-m", "500"])
    assert data["demo"] is True and data["year"] == 2025 and data["target_m2"] == 2.0
    assert data["rule_set"]["id"] == "zhengzhou-2011-defaults"
    assert any(n.startswith("DEMO DATA") for n in data["notes"])
    records = data["records"]
    assert len(records) == 12
    assert {r["adcode"] for r in records} == {"410102", "410103", "410104", "410105", "410106", "410108",
                                              "410122", "410181", "410182", "410183", "410184", "410185"}
    for r in records:
        for key in ("adcode", "name", "population", "effective_area_m2", "per_capita_m2", "target_m2",
                    "meets_target", "gap_m2", "covered_share"):
            assert key in r
        assert r["demo"] is True and r["rule_set"] == "zhengzhou-2011-defaults"
        # the figures hang together: gap = max(0, 2 x population - area); meets <=> no gap
        assert r["gap_m2"] == pytest.approx(max(0.0, 2.0 * r["population"] - r["effective_area_m2"]), abs=1e-3)
        assert r["meets_target"] == (r["gap_m2"] == 0)
    # census 2020 residents, functional zones assigned to their hosts: nobody lost on the grid
    assert sum(r["population"] for r in records) == pytest.approx(CENSUS_TOTAL)
    assert data["city"]["population"] == pytest.approx(CENSUS_TOTAL)


def test_coverage_table_says_demo():
    result = runner.invoke(app, ["coverage", "--year", "2029", "--cell-m", "1000"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert result.output.count("DEMO DATA") >= 2
    assert "zhengzhou-2011-defaults" in result.output and "end-2029" in result.output


def test_site_json_and_out_file(tmp_path):
    out = tmp_path / "chosen.gpkg"
    data = _json(["site", "--year", "2029", "--json", "--out", str(out), "--cell-m", "1000"])
    assert data["demo"] is True and data["method"] in ("exact", "greedy")
    assert len(data["records"]) == 12
    chosen = data["chosen"]
    assert chosen and [c["order"] for c in chosen] == list(range(1, len(chosen) + 1))
    # marginal gains are reported in build order: never increasing
    gains = [c["newly_covered"] for c in chosen]
    assert all(a >= b - 1e-6 for a, b in zip(gains, gains[1:], strict=False))
    assert all(c["usable_area_m2"] >= 2000 for c in chosen)
    assert data["candidates_not_used"] and all("2,000 m²" in r["reason"] for r in data["candidates_not_used"])
    written = gpd.read_file(out)
    assert len(written) == len(chosen) and written["candidate_id"].tolist() == [c["candidate_id"] for c in chosen]


def test_user_register_bad_rows_raise_and_flag(tmp_path):
    path = tmp_path / "register.csv"
    pd.DataFrame({
        "名称": ["人民公园", "坏数据"],
        "类别": ["I", "III"],
        "有效面积": [30000, -10],
        "lon": [113.68, 113.64],
        "lat": [34.79, 34.725],
    }).to_csv(path, index=False)
    result = runner.invoke(app, ["coverage", "--register", str(path), "--crs", "wgs84", "--json"])
    assert isinstance(result.exception, SchemaError)
    assert "effective_area_m2 must be positive, got -10.0" in str(result.exception)
    data = _json(["coverage", "--register", str(path), "--crs", "wgs84", "--on-error", "flag", "--json", "--cell-m", "1000"])
    assert data["demo"] is False and data["excluded_rows"] == 1
    assert data["city"]["effective_area_m2"] == 30000


def test_out_never_overwrites_an_input(tmp_path):
    path = tmp_path / "register.geojson"
    gpd.GeoDataFrame({"name": ["人民公园"], "class": ["I"], "effective_area_m2": [30000]},
                     geometry=gpd.points_from_xy([113.68], [34.79]), crs=4326).to_file(path)
    before = path.read_bytes()
    result = runner.invoke(app, ["coverage", "--register", str(path), "--out", str(path), "--cell-m", "1000"])
    assert isinstance(result.exception, ZzgeoError) and "refusing to overwrite the input" in str(result.exception)
    assert path.read_bytes() == before


def _run(argv, capsys):
    """Run ``zzgeo`` as the console does (:func:`zzgeo._cli.run`): exit code, stdout, stderr."""
    from zzgeo._cli import run
    from zzgeo.cli import app as main_app
    from zzgeo.i18n import set_language

    set_language("en")
    try:
        code = run(main_app, argv)
    finally:
        set_language(None)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_coverage_json_says_demo_on_stderr(capsys):
    """README: notes, DEMO notices and rows left out go to stderr, with --json too; stdout is one JSON document."""
    code, out, err = _run(["shelters", "coverage", "--json", "--cell-m", "1000"], capsys)
    assert code == 0, err
    assert json.loads(out)["demo"] is True
    demo = [line for line in err.splitlines() if line.startswith("DEMO: ")]
    assert demo == ["DEMO: the shelter register: synthetic demo data, not an official source; figures are illustrative only"]


def test_coverage_city_row_says_its_gap_is_the_sum_of_the_district_gaps(capsys):
    code, out, err = _run(["shelters", "coverage", "--json", "--cell-m", "1000"], capsys)
    data = json.loads(out)
    city = data["city"]
    # the city's gap is the sum of the district gaps, larger than target x population - area of the city as a whole
    assert city["gap_2025_m2"] == pytest.approx(sum(r["gap_2025_m2"] for r in data["records"]))
    assert city["gap_2025_m2"] > 2.0 * city["population"] - city["effective_area_m2"]
    code, out, err = _run(["shelters", "coverage", "--cell-m", "1000"], capsys)
    assert code == 0, err
    assert "郑州市 (city-wide; gap = sum of" in out
    assert f"{city['gap_2025_m2']:,.0f}" in out


def test_site_by_district_headings_are_distinct(capsys):
    code, out, err = _run(["shelters", "site", "--cell-m", "1000"], capsys)
    assert code == 0, err
    heading = next(line for line in out.splitlines() if "in reach before" in line)
    cells = [c.strip() for c in heading.strip("┃ ").split("┃")]
    assert "in reach after" in cells and "assured after" in cells
    assert len(cells) == len(set(cells))
