"""Tests of the zzgeo command line (a thin layer: each command calls one library function).

In-process runs use typer's CliRunner on ``zzgeo.cli.app``; exit codes and stderr come
from ``zzgeo.cli.main`` run as ``python -m zzgeo.cli`` in a subprocess (which inherits
the session's private ZZGEO_STORE).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from zzgeo.cli import app
from zzgeo.crs import wgs84_to_gcj02

REPO = Path(__file__).resolve().parents[1]
DEMO_PARCELS = REPO / "src" / "zzgeo" / "data" / "landprice" / "demo_parcels.geojson"
ERQI = (113.6654, 34.7536)

runner = CliRunner()


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zzgeo.cli", *args], capture_output=True, text=True, timeout=120, cwd=REPO
    )


def _strict_json(text: str) -> object:
    def reject(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=reject)


def _command_paths() -> list[list[str]]:
    """Every command and group of the app, as argument lists (the shelters group is tested by its owners)."""
    root = typer.main.get_command(app)
    paths: list[list[str]] = [[]]

    def walk(group, prefix: list[str]) -> None:  # typer vendors its own click: duck-type groups
        for name, cmd in group.commands.items():
            if not prefix and name == "shelters":
                continue
            paths.append([*prefix, name])
            if getattr(cmd, "commands", None):
                walk(cmd, [*prefix, name])

    walk(root, [])
    return paths


def test_every_command_has_help() -> None:
    paths = _command_paths()
    expected = {"layers build", "layers list", "policy status", "land-price table", "land-price lookup", "land-price value", "districts", "demo"}
    assert expected <= {" ".join(p) for p in paths}
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_land_price_table_json() -> None:
    result = runner.invoke(app, ["land-price", "table", "--json"])
    assert result.exit_code == 0, result.output
    data = _strict_json(result.stdout)  # no NaN / Infinity: real JSON
    assert data["document"]["doc_number"] == "郑政文〔2022〕42号"
    assert len(data["rows"]) == 72
    prices = {(r["table"], r["use"], r["right"], r["grade"]): r["price_yuan_m2"] for r in data["rows"]}
    assert prices["collective_construction", "commercial", "transfer", 1] == 1020
    assert prices["collective_agricultural", "cultivated", "contract_management", 1] == 46.35
    assert prices["collective_construction", "industrial", "transfer", 5] is None  # the dash
    homestead = next(r for r in data["rows"] if r["use"] == "homestead")
    assert homestead["term_years"] is None  # unlimited


def test_land_price_table_text() -> None:
    result = runner.invoke(app, ["land-price", "table", "--table", "state_agricultural"])
    assert result.exit_code == 0, result.output
    assert "131.40" in result.output and "98.55" in result.output
    assert "1020" not in result.output


def test_lookup_json_and_gcj02() -> None:
    result = runner.invoke(app, ["land-price", "lookup", "--lon", str(ERQI[0]), "--lat", str(ERQI[1]), "--json"])
    assert result.exit_code == 0, result.output
    plain = _strict_json(result.stdout)
    # the point lies in 管城回族区 in both outline sets (see test_districts)
    assert plain["district"] == {"adcode": "410104", "name": "管城回族区"}
    assert plain["zones_demo"] is True
    gx, gy = (float(v) for v in wgs84_to_gcj02(*ERQI))
    result = runner.invoke(app, ["land-price", "lookup", "--lon", repr(gx), "--lat", repr(gy), "--crs", "gcj02", "--json"])
    assert result.exit_code == 0, result.output
    shifted = _strict_json(result.stdout)
    assert shifted["district"] == plain["district"]
    assert shifted["location"]["crs_in"] == "gcj02"
    assert (shifted["location"]["lon"], shifted["location"]["lat"]) == pytest.approx(ERQI, abs=1e-7)
    grades = lambda r: [(t["table"], u["use"], u["grade"]) for t in r["tables"] for u in t["uses"]]  # noqa: E731
    assert grades(shifted) == grades(plain)


def test_lookup_outside_exits_2_with_message() -> None:
    proc = _run("land-price", "lookup", "--lon", "112.0", "--lat", "30.0")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: ")
    assert "outside Zhengzhou's 12 county-level units" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_lookup_gcj02_abroad_shows_the_coordinates_as_given() -> None:
    # Denver in "GCJ-02": left unchanged (outside China, as geotool-cn/coordtransform do), then outside Zhengzhou
    proc = _run("land-price", "lookup", "--lon", "-104.99", "--lat", "39.74", "--crs", "gcj02")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: ")
    assert "(-104.99000, 39.74000 gcj02)" in proc.stderr and "outside Zhengzhou" in proc.stderr


def test_value_demo_parcels(tmp_path) -> None:
    out = tmp_path / "x.gpkg"
    result = runner.invoke(app, ["land-price", "value", str(DEMO_PARCELS), "--out", str(out), "--id-column", "parcel_id"])
    assert result.exit_code == 0, result.output
    assert "valued 6 of 6 parcel(s)" in result.stdout
    assert "DEMO" in result.stderr
    # the demo parcels are points and polygons: a layer per kind, as QGIS reads them, and a note says so
    assert "the 6 rows of x are written as the layers x_point (1), x_polygon (5)" in result.stderr
    frame = pd.concat([gpd.read_file(out, layer=layer) for layer in ("x_point", "x_polygon")]).sort_values("parcel_id")
    assert frame["parcel_id"].tolist() == ["D01", "D02", "D03", "D04", "D05", "D06"]
    assert (frame["error"].fillna("") == "").all()
    d01 = frame.set_index("parcel_id").loc["D01"]
    # commercial is a floor price: ground = benchmark x FAR 2.5 (no other correction given)
    assert d01["unit_price_yuan_m2"] == pytest.approx(d01["benchmark_yuan_m2"] * 2.5)
    d06 = frame.set_index("parcel_id").loc["D06"]
    assert d06["area_m2"] == 3500.0  # a point with an area column
    assert d06["value_yuan"] == pytest.approx(d06["unit_price_yuan_m2"] * 3500.0)


def test_value_to_xlsx_writes_register_text_as_text(tmp_path) -> None:
    # register ids a spreadsheet would run: they come back as string cells with the text intact
    import openpyxl

    parcels = gpd.read_file(DEMO_PARCELS)
    ids = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "D03", "D04", "D05", "D06"]
    parcels["parcel_id"] = ids
    parcels["note"] = ["=1+1", "-2+3", "-7", "+x", "ok", "ok"]
    src = tmp_path / "p.geojson"
    parcels.to_file(src, driver="GeoJSON")
    out = tmp_path / "x.xlsx"
    result = runner.invoke(app, ["land-price", "value", str(src), "--out", str(out), "--id-column", "parcel_id"])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    assert sheet.title == "Sheet1 DEMO" and sheet["A1"].value.startswith("DEMO 演示数据 — the grade zones")  # the DEMO zones
    header = [c.value for c in sheet[2]]
    cells = {name: [row[header.index(name)] for row in sheet.iter_rows(min_row=3)] for name in ("parcel_id", "note", "unit_price_yuan_m2")}
    assert [(c.value, c.data_type) for c in cells["parcel_id"]] == [(i, "s") for i in ids]
    assert [(c.value, c.data_type) for c in cells["note"][:4]] == [("=1+1", "s"), ("-2+3", "s"), ("-7", "s"), ("+x", "s")]
    assert all(c.data_type == "n" and isinstance(c.value, (int, float)) for c in cells["unit_price_yuan_m2"])  # numbers stay numbers


def test_value_refuses_to_overwrite_its_input(tmp_path) -> None:
    src = tmp_path / "parcels.geojson"
    shutil.copy(DEMO_PARCELS, src)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    proc = _run("land-price", "value", str(src), "--out", str(src))
    assert proc.returncode == 2
    assert "refusing to overwrite the input" in proc.stderr
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest


def test_value_bad_date_is_a_clean_error(tmp_path) -> None:
    proc = _run("land-price", "value", str(DEMO_PARCELS), "--out", str(tmp_path / "y.gpkg"), "--date", "2020-13-01")
    assert proc.returncode == 2
    assert "--date '2020-13-01': write the valuation date as YYYY-MM-DD" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_policy_status() -> None:
    result = runner.invoke(app, ["policy", "status", "郑政文[2011]244号"])
    assert result.exit_code == 0, result.output
    assert "郑政文〔2011〕244号" in result.stdout
    assert "status: abolished" in result.stdout
    result = runner.invoke(app, ["policy", "status", "郑政文[2011]244号", "--json"])
    data = _strict_json(result.stdout)
    assert data["status"] == "abolished"
    assert data["events"][0]["by_doc_number"] == "郑政文〔2022〕40号"


def test_layers_list_and_districts_json() -> None:
    result = runner.invoke(app, ["layers", "list", "--json"])
    assert result.exit_code == 0, result.output
    kinds = {r["layer"]: r["kind"] for r in _strict_json(result.stdout)}
    assert kinds["districts"] == "real" and kinds["land_grade_zones"] == "demo"
    result = runner.invoke(app, ["districts", "--json"])
    rows = _strict_json(result.stdout)
    assert len(rows) == 12
    assert sum(r["population"] for r in rows) == 12_600_574


def test_help_does_not_import_geopandas() -> None:
    code = (
        "import sys\n"
        "sys.argv = ['zzgeo', '--help']\n"
        "import zzgeo.cli\n"
        "try:\n"
        "    zzgeo.cli.main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "print('geopandas' in sys.modules, 'pandas' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "land-price" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "False False"


def test_demo_parcels_are_package_data_and_the_command_names_them(tmp_path, monkeypatch) -> None:
    # from a folder with no checkout in it, the path is inside the installed package and the file reads
    import zzgeo
    from zzgeo.io import read_vector

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["land-price", "demo-parcels"])
    assert result.exit_code == 0
    path = Path(result.output.strip())
    assert path.is_relative_to(Path(zzgeo.__file__).parent / "data")
    assert len(read_vector(path)) == 6


def test_version_option() -> None:
    import zzgeo

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"zzgeo {zzgeo.__version__}"


def _display_width(line: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def test_console_tables_never_cut_a_figure(monkeypatch, capsys) -> None:
    """Issue 22 (1): piped, the table is printed whole; in a narrow terminal its columns are split into parts that
    repeat the key columns; no figure is ever cut to '1,5…'."""
    from zzgeo._cli import print_table

    headers = ["adcode", "区县", "population", "area m²", "m²/person", "gap 2025 m²", "gap 2029 m²", "in reach", "assured"]
    rows = [["410102", "中原区", "1,508,868", "2,430,460", "1.61", "587,276", "2,096,144", "99.7%", "89.3%"],
            ["410104", "管城回族区", "1,294,430", "1,813,830", "1.40", "775,030", "2,069,460", "87.8%", "85.3%"]]
    justify = ["left", "left", *["right"] * 7]
    wording = "到2025年，儿童专业社会工作者达到2500人，每个社区均建有不少于20个托位规模的托育服务机构"
    headers, rows, justify = [*headers, "文件原文"], [[*r, wording] for r in rows], [*justify, "left"]
    monkeypatch.delenv("COLUMNS", raising=False)
    print_table(headers, rows, title="shelters", justify=justify, keys=2)  # captured: not a terminal
    piped = capsys.readouterr().out
    assert "…" not in piped and "part 1" not in piped
    for row in rows:  # every row's figures on one line, whole (its long text may fold within its column)
        assert any(all(cell in line for cell in row[:-1]) for line in piped.splitlines()), row
    assert sum(line.startswith("│ 410102") for line in piped.splitlines()) == 1  # one table, each row on one line
    monkeypatch.setenv("COLUMNS", "50")
    print_table(headers, rows, title="shelters", justify=justify, keys=2)
    narrow = capsys.readouterr().out
    lines = narrow.splitlines()
    assert "…" not in narrow and max(_display_width(line) for line in lines) <= 50
    parts = [line for line in lines if "(part " in line]
    assert len(parts) >= 3 and parts[-1].strip().endswith(f"of {len(parts)})")
    assert sum("中原区" in line for line in lines) == len(parts)  # the key columns in every part
    for cell in [c for row in rows for c in row[2:-1]]:  # every figure whole, on one line
        assert cell in narrow, cell
    folded = "".join(line.split("│")[-2].strip() for line in lines if line.count("│") >= 3 and "文件原文" not in line)
    assert wording in folded  # long text folds inside its column, nothing cut at the screen's edge


def test_print_frame_counts_codes_and_shares(capsys) -> None:
    """Counts without decimals (a column of whole numbers, also when read as float: census population), codes and
    years as typed, shares as percentages, a column of areas with two decimals throughout; a dash in a column of
    figures is aligned with them."""
    import re

    from zzgeo._cli import print_frame

    rows = [{"adcode": "410102", "year": 2025, "population": 1508868.0, "area_km2": 196.66, "covered_share": 0.9973, "score": 70.0},
            {"adcode": "410103", "year": 2025, "population": 1061263.0, "area_km2": 156.0, "covered_share": 0.5, "score": "—"}]
    print_frame(rows)
    lines = [line for line in capsys.readouterr().out.splitlines() if "4101" in line]
    first = [c.strip() for c in lines[0].strip("│ ").split("│")]
    second = [c.strip() for c in lines[1].strip("│ ").split("│")]
    assert first == ["410102", "2025", "1,508,868", "196.66", "99.7%", "70.00"]
    assert second == ["410103", "2025", "1,061,263", "156.00", "50.0%", "—"]
    assert re.search(r"\s—\s│$", lines[1])  # right-aligned like the scores above it


def test_usage_line_names_arguments_in_capitals() -> None:
    """typer writes a required argument ``{theme}``, which reads as a placeholder nobody filled in."""
    for argv, usage in ((["map", "--help"], "zzgeo map [OPTIONS] THEME"),
                        (["land-price", "value", "--help"], "zzgeo land-price value [OPTIONS] PARCELS"),
                        (["policy", "status", "--help"], "zzgeo policy status [OPTIONS] DOC_NUMBER")):
        result = subprocess.run([sys.executable, "-m", "zzgeo", "--lang", "en", *argv], capture_output=True, text=True,
                                cwd=REPO, env={**__import__("os").environ, "PYTHONPATH": str(REPO / "src")})
        assert usage in result.stdout, result.stdout
        assert "{" not in result.stdout.split("Usage:")[1].splitlines()[0]


def test_ctrl_c_exits_130_with_one_line(monkeypatch, capsys) -> None:
    # typer 0.29 answers a KeyboardInterrupt by returning 130 from the command instead of raising: it was read as 0,
    # so an interrupted report exited 0 with nothing said, as if it had finished
    from zzgeo._cli import run
    from zzgeo.landprice import lookup

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(lookup, "lookup_point", interrupted)
    assert run(app, ["land-price", "lookup", "--lon", "113.6654", "--lat", "34.7536"]) == 130
    captured = capsys.readouterr()
    assert captured.err.strip() == "error: interrupted" and captured.out == ""


@pytest.mark.slow
def test_ctrl_c_stops_the_report_writing_nothing(tmp_path) -> None:
    import os
    import signal
    import time

    out = tmp_path / "report"
    proc = subprocess.Popen([sys.executable, "-m", "zzgeo", "report", "--out", str(out), "--no-png"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(3)  # inside the analyses (not a timing assertion: any moment before the end must give the same)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the command and its helpers
    _out, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the report finished before the interrupt")
    assert proc.returncode == 130 and err.strip().splitlines()[-1] == "error: interrupted"
    assert not out.exists() and list(tmp_path.iterdir()) == []
