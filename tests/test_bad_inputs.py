"""Every class of bad input, through the command line: a clear one-line error, and nothing lost.

For each case: exit code 2, exactly one line on stderr (``error: ...``) that names the
input and shows the bad value, no traceback, no output file (nor a .rejected.csv), and
the input file's bytes unchanged. Cases run in-process through ``zzgeo._cli.run`` (the
same function the console script calls); a few also run as a real subprocess.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from zzgeo._cli import run
from zzgeo.cli import app
from zzgeo.crs import wgs84_to_gcj02

ERQI = (113.6654, 34.7536)
SHELTER = (113.68, 34.79)


def _parcels(**cols) -> pd.DataFrame:
    base = {"parcel_id": ["A"], "use": ["commercial"], "lon": [ERQI[0]], "lat": [ERQI[1]]}
    base.update(cols)
    return pd.DataFrame(base)


def _write(path: Path, frame) -> Path:
    if isinstance(frame, bytes):
        path.write_bytes(frame)
    elif isinstance(frame, str):
        path.write_text(frame, encoding="utf-8")
    elif isinstance(frame, gpd.GeoDataFrame):
        frame.to_file(path)
    elif path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


def _bowtie() -> gpd.GeoDataFrame:
    x, y = ERQI
    ring = [(x, y), (x + 0.002, y + 0.002), (x + 0.002, y), (x, y + 0.002)]
    return gpd.GeoDataFrame({"parcel_id": ["B"], "use": ["commercial"]}, geometry=[Polygon(ring)], crs=4326)


def _one(geometry, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"parcel_id": ["P"], "use": ["commercial"], **cols}, geometry=[geometry], crs=4326)


def _shelters(**cols) -> pd.DataFrame:
    base = {"名称": ["人民公园"], "类别": ["I"], "有效面积": [30000], "lon": [SHELTER[0]], "lat": [SHELTER[1]]}
    base.update(cols)
    return pd.DataFrame(base)


gx, gy = (float(v) for v in wgs84_to_gcj02(*ERQI))
VALUE = ["land-price", "value"]
COVER = ["shelters", "coverage", "--cell-m", "3000"]

# id, input file name, its content, arguments (INPUT and OUT are replaced), words the error must contain
CASES = [
    # silent wrong numbers, now errors
    ("text plot ratio", "p.csv", _parcels(plot_ratio=["abc"]), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "'A'", "plot_ratio is not a number: 'abc'"]),
    ("text term", "p.csv", _parcels(term_years=["xyz"]), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "term_years is not a number: 'xyz'"]),
    ("text area", "p.csv", _parcels(area_m2=["lots"]), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "area_m2 is not a number: 'lots'"]),
    ("negative term", "p.csv", _parcels(term_years=[-5]), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "term_years must be positive, got -5.0"]),
    ("zero term", "p.csv", _parcels(term_years=[0]), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "term_years must be positive, got 0.0"]),
    ("term beyond the legal term", "p.csv", _parcels(term_years=[45]), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "'A'", "legal term 40 years"]),
    ("negative area", "p.csv", _parcels(area_m2=[-10]), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "area_m2 must be positive, got -10.0"]),
    ("zero option term", "p.csv", _parcels(), VALUE + ["INPUT", "--crs", "wgs84", "--term-years", "0"], ["--term-years = 0: must be > 0"]),
    ("price index of zero", "p.csv", _parcels(), VALUE + ["INPUT", "--crs", "wgs84", "--date", "2024-01-01", "--price-index", "2020-01-01=0,2024-06-30=92"], ["price index", "got 0.0"]),
    ("plot ratio of zero", "p.csv", _parcels(), VALUE + ["INPUT", "--crs", "wgs84", "--plot-ratio", "0"], ["plot ratio", "= 0.0"]),
    ("individual factors at -100 %", "p.csv", _parcels(), VALUE + ["INPUT", "--crs", "wgs84", "--factor", "a=-0.6", "--factor", "b=-0.4"], ["ΣK = -1.0", "> -1"]),
    ("duplicate parcel ids", "p.csv", pd.concat([_parcels(), _parcels()]), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "line 3 (id 'A'): parcel_id 'A' repeats line 2"]),
    # tracebacks before
    ("zero-byte CSV", "p.csv", b"", VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "is empty (0 bytes)"]),
    ("zero-byte Excel", "p.xlsx", b"", VALUE + ["INPUT", "--crs", "wgs84"], ["p.xlsx", "is empty (0 bytes)"]),
    ("not really Excel", "p.xlsx", "a,b\n1,2\n", VALUE + ["INPUT", "--crs", "wgs84"], ["p.xlsx", "as an Excel workbook"]),
    ("header-only CSV", "p.csv", "parcel_id,use,lon,lat\n", VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "has no rows"]),
    ("GeoJSON without features", "p.geojson", '{"type": "FeatureCollection", "features": []}', VALUE + ["INPUT"], ["p.geojson", "holds no features"]),
    ("random bytes", "p.gpkg", b"\x00\x01garbage\xff" * 50, VALUE + ["INPUT"], ["p.gpkg", "cannot read"]),
    # coordinates and CRS
    ("missing file", None, None, VALUE + ["/no/such/parcels.csv", "--crs", "wgs84"], ["/no/such/parcels.csv", "no such file"]),
    ("CSV without --crs", "p.csv", _parcels(), VALUE + ["INPUT"], ["p.csv", "carries no CRS"]),
    ("unknown CRS name", "p.csv", _parcels(), VALUE + ["INPUT", "--crs", "martian"], ["crs='martian'"]),
    ("text coordinates", "p.csv", _parcels(lon=["东经113度"]), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "non-numeric coordinates", "东经113度"]),
    ("NaN coordinates", "p.csv", _parcels(lon=[None]), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "no coordinates"]),
    ("swapped lon/lat", "p.csv", _parcels(lon=[ERQI[1]], lat=[ERQI[0]]), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv: longitude and latitude look swapped", "34.7536", "(first at line 2)"]),
    ("metres declared as degrees", "p.csv", _parcels(lon=[450000.0], lat=[3845000.0]), VALUE + ["INPUT", "--crs", "wgs84"], ["not degrees", "450000.0"]),
    ("degrees declared as metres", "p.csv", _parcels(), VALUE + ["INPUT", "--crs", "EPSG:4547"], ["look like degrees", "113.6654"]),
    ("GCJ-02 columns declared as WGS-84", "p.csv", pd.DataFrame({"parcel_id": ["A"], "use": ["commercial"], "gcj_lng": [gx], "gcj_lat": [gy]}), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "look like gcj02", "crs='wgs84'"]),
    ("outside Zhengzhou", "p.gpkg", _one(Point(116.4, 39.9)), VALUE + ["INPUT"], ["p.gpkg", "'P'", "(116.40000, 39.90000) is outside Zhengzhou"]),
    # geometry
    ("bow-tie polygon", "p.geojson", _bowtie(), VALUE + ["INPUT"], ["p.geojson", "'B'", "invalid geometry (Self-intersection"]),
    ("empty geometry", "p.gpkg", _one(Polygon()), VALUE + ["INPUT"], ["p.gpkg", "'P'", "missing geometry"]),
    ("a line is not a parcel", "p.gpkg", _one(LineString([ERQI, (ERQI[0] + 0.001, ERQI[1])])), VALUE + ["INPUT"], ["p.gpkg", "'P'", "geometry 'LineString' is not a point or polygon"]),
    # codes, columns, options
    ("unknown use", "p.csv", _parcels(use=["office"]), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "unknown use 'office'"]),
    ("no use anywhere", "p.csv", _parcels().drop(columns="use"), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "no use given"]),
    ("unknown grade given", "p.csv", _parcels(grade=["七级"]), VALUE + ["INPUT", "--crs", "wgs84"], ["p.csv", "unknown grade '七级'"]),
    ("column mapping to nothing", "p.csv", _parcels(), VALUE + ["INPUT", "--crs", "wgs84", "--columns", "use=usage"], ["p.csv", "'usage'"]),
    ("wrong date", "p.csv", _parcels(), VALUE + ["INPUT", "--crs", "wgs84", "--date", "2024-13-01"], ["--date", "'2024-13-01'"]),
    ("unknown step", "p.csv", _parcels(), VALUE + ["INPUT", "--crs", "wgs84", "--steps", "date,luck"], ["step order", "'luck'"]),
    ("bad factor", "p.csv", _parcels(), VALUE + ["INPUT", "--crs", "wgs84", "--factor", "交通条件"], ["--factor", "'交通条件'"]),
    ("--out is the input", "p.csv", _parcels(), VALUE + ["INPUT", "--crs", "wgs84", "--out", "INPUT"], ["refusing to overwrite the input", "p.csv"]),
    ("unknown output format", "p.csv", _parcels(), VALUE + ["INPUT", "--crs", "wgs84", "--out", "result.txt"], ["result.txt", "unknown output format '.txt'"]),
    ("zones with a grade the table lacks", "zones.gpkg",
     gpd.GeoDataFrame({"table": ["collective_construction"], "use": ["industrial"], "grade": [6]}, geometry=[box(113.6, 34.7, 113.7, 34.8)], crs=4326),
     VALUE + [str(Path(__file__).resolve().parents[1] / "src" / "zzgeo" / "data" / "landprice" / "demo_parcels.geojson"), "--zones", "INPUT"], ["zones.gpkg", "has no grade 6"]),
    ("zones with an unknown grade", "zones.gpkg",
     gpd.GeoDataFrame({"table": ["collective_construction"], "use": ["commercial"], "grade": [9]}, geometry=[box(113.6, 34.7, 113.7, 34.8)], crs=4326),
     VALUE + [str(Path(__file__).resolve().parents[1] / "src" / "zzgeo" / "data" / "landprice" / "demo_parcels.geojson"), "--zones", "INPUT"], ["zones.gpkg", "feature 1", "unknown grade '9'"]),
    # shelters
    ("zero-byte register", "r.csv", b"", COVER + ["--register", "INPUT", "--crs", "wgs84"], ["r.csv", "is empty (0 bytes)"]),
    ("header-only register", "r.csv", "名称,类别,有效面积,lon,lat\n", COVER + ["--register", "INPUT", "--crs", "wgs84"], ["r.csv", "has no rows"]),
    ("unknown shelter class", "r.csv", _shelters(类别=["IV"]), COVER + ["--register", "INPUT", "--crs", "wgs84"], ["r.csv", "line 2", "unknown class 'IV'"]),
    ("negative shelter area", "r.csv", _shelters(有效面积=[-5]), COVER + ["--register", "INPUT", "--crs", "wgs84"], ["r.csv", "effective_area_m2 must be positive, got -5.0"]),
    ("register without a class column", "r.csv", _shelters().drop(columns="类别"), COVER + ["--register", "INPUT", "--crs", "wgs84"], ["r.csv", "lacks required column(s) ['shelter_class']"]),
    ("register in Beijing", "r.csv", _shelters(lon=[116.4], lat=[39.9]), COVER + ["--register", "INPUT", "--crs", "wgs84"], ["r.csv", "(116.40000, 39.90000) is outside Zhengzhou"]),
    ("a target year the document lacks", "r.csv", _shelters(), COVER + ["--register", "INPUT", "--crs", "wgs84", "--year", "2030"], ["year=2030", "[2025, 2029]"]),
    ("unknown rule set", None, None, COVER + ["--rules", "gb-1900"], ["'gb-1900'", "no rule file"]),
    # groundwater
    ("negative porosity", "s.csv", pd.DataFrame({"编号": ["S1"], "名称": ["水源"], "有效孔隙度": [-0.2], "lon": [113.6], "lat": [34.86]}),
     ["groundwater", "zones", "--sources", "INPUT", "--wells", str(Path(__file__).resolve().parent / "data" / "wells.csv"), "--crs", "wgs84"],
     ["s.csv", "porosity must be positive, got -0.2"]),
    ("sources without wells", "s.csv", pd.DataFrame({"编号": ["S1"], "名称": ["水源"], "lon": [113.6], "lat": [34.9]}),
     ["groundwater", "zones", "--sources", "INPUT", "--crs", "wgs84"], ["--sources and --wells go together"]),
    ("unknown pollution-source type", "p.csv", pd.DataFrame({"名称": ["电厂"], "污染源类型": ["火电厂"], "lon": [113.6], "lat": [34.8]}),
     ["groundwater", "screen", "--pollution", "INPUT", "--crs", "wgs84"], ["p.csv", "unknown source type '火电厂'"]),
    ("a well outside the city", "w.csv", pd.DataFrame({"井号": ["W1"], "水源编号": ["GW-JWT"], "开采量": [5000], "lon": [116.4], "lat": [39.9]}),
     ["groundwater", "zones", "--wells", "INPUT", "--sources", str(Path(__file__).resolve().parent / "data" / "sources.csv"), "--crs", "wgs84"],
     ["w.csv", "(116.40000, 39.90000) is outside Zhengzhou"]),
    ("negative pumping", "w.csv", pd.DataFrame({"井号": ["W1"], "水源编号": ["GW-JWT"], "开采量": [-5], "lon": [113.6], "lat": [34.9]}),
     ["groundwater", "zones", "--wells", "INPUT", "--sources", str(Path(__file__).resolve().parent / "data" / "sources.csv"), "--crs", "wgs84"],
     ["w.csv", "pumping_m3_d must not be negative, got -5.0"]),
    # child-friendly city
    ("unknown facility type", "f.csv", pd.DataFrame({"名称": ["动物园"], "类型": ["动物园"], "lon": [113.6], "lat": [34.75]}),
     ["children", "--register", "INPUT", "--crs", "wgs84"], ["f.csv", "line 2", "unknown facility type '动物园'"]),
    ("a facility outside the city", "f.csv", pd.DataFrame({"名称": ["儿童公园"], "类型": ["儿童友好公园"], "lon": [116.4], "lat": [39.9]}),
     ["children", "access", "--register", "INPUT", "--crs", "wgs84"], ["f.csv", "(116.40000, 39.90000) is outside Zhengzhou"]),
    ("a unit that is not one of the 16", "f.csv", pd.DataFrame({"名称": ["街区"], "类型": ["儿童友好街区"], "区县": ["海淀区"], "lon": [113.6], "lat": [34.75]}),
     ["children", "--register", "INPUT", "--crs", "wgs84"], ["f.csv", "unit '海淀区' is not one of the plan's 16 units"]),
    ("a milestone the plan lacks", None, None, ["children", "--year", "2030"], ["year 2030", "2022 and 2025"]),
    ("an unknown type to analyse", None, None, ["children", "access", "--type", "动物园"], ["'动物园'", "unknown facility type"]),
    # lookup and policy
    ("lookup NaN", None, None, ["land-price", "lookup", "--lon", "nan", "--lat", "34.7"], ["lon='nan'", "not a finite number"]),
    ("lookup text", None, None, ["land-price", "lookup", "--lon", "113.6", "--lat", "北纬34"], ["lat='北纬34'"]),
    ("lookup outside", None, None, ["land-price", "lookup", "--lon", "112.0", "--lat", "30.0"], ["(112.00000, 30.00000)", "outside Zhengzhou"]),
    ("unknown document", None, None, ["policy", "status", "郑政文〔2099〕1号"], ["'郑政文〔2099〕1号'", "unknown document number"]),
    ("unknown table", None, None, ["land-price", "table", "--table", "urban"], ["'urban'", "unknown land price table"]),
]


def _prepare(tmp_path: Path, name, content, args):
    src = _write(tmp_path / name, content) if name else None
    out = tmp_path / "out" / "result.gpkg"
    argv = [str(src) if a == "INPUT" else a for a in args]
    if "--out" not in argv and (argv[:2] in (VALUE, COVER[:2]) or argv[0] in ("groundwater", "children")):
        argv += ["--out", str(out)]
    argv = [str(tmp_path / "out" / a) if a == "result.txt" else a for a in argv]
    return src, out, argv


@pytest.mark.parametrize(("case", "name", "content", "args", "must"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(tmp_path, capsys, case, name, content, args, must):
    src, out, argv = _prepare(tmp_path, name, content, args)
    before = hashlib.sha256(src.read_bytes()).hexdigest() if src else None
    code = run(app, argv)
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, (case, captured.err)
    assert len(lines) == 1 and lines[0].startswith("error: "), (case, captured.err)
    for word in must:
        assert word in lines[0], (case, word, lines[0])
    assert "Traceback" not in captured.err + captured.out
    assert not out.exists() and not list(out.parent.glob("*")) if out.parent.exists() else True
    if src is not None:
        assert hashlib.sha256(src.read_bytes()).hexdigest() == before


def test_flag_lists_the_rows_left_out(tmp_path, capsys):
    src = _write(tmp_path / "r.csv", pd.concat([_shelters(), _shelters(名称=["坏"], 类别=["IV"], lon=[113.64], lat=[34.725])]))
    out = tmp_path / "cov.gpkg"
    code = run(app, [*COVER, "--register", str(src), "--crs", "wgs84", "--on-error", "flag", "--json", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    assert data["rejected"] == [{"input": str(src), "row": "line 3", "name": "坏", "reason": "unknown class 'IV' (use I/II/III, Ⅰ/Ⅱ/Ⅲ, 1/2/3 or 一类/二类/三类)"}]
    assert "1 register row(s) left out" in captured.err and "line 3 (坏): unknown class 'IV'" in captured.err
    side = pd.read_csv(tmp_path / "cov.rejected.csv")
    assert side[["row", "name"]].values.tolist() == [["line 3", "坏"]]
    assert data["excluded_rows"] == 1 and data["register_rows"] == 2


def test_geojson_without_crs_says_what_it_assumed(tmp_path, capsys):
    src = _write(tmp_path / "p.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"parcel_id": "G", "use": "commercial"}, "geometry": {"type": "Point", "coordinates": [gx, gy]}}]}))
    plain = run(app, [*VALUE, str(src), "--out", str(tmp_path / "a.gpkg"), "--json"])
    first = capsys.readouterr()
    shifted = run(app, [*VALUE, str(src), "--out", str(tmp_path / "b.gpkg"), "--crs", "gcj02", "--json"])
    second = capsys.readouterr()
    assert plain == shifted == 0
    assert "read as WGS-84 (the GeoJSON standard)" in first.err and "--crs gcj02" in first.err
    assert "read as gcj02 as given" in second.err
    a, b = gpd.read_file(tmp_path / "a.gpkg"), gpd.read_file(tmp_path / "b.gpkg")
    moved = a.to_crs(4547).distance(b.to_crs(4547)).iloc[0]
    assert 200 < moved < 800  # the GCJ-02 offset at Zhengzhou is a few hundred metres
    assert b.geometry.x.iloc[0] == pytest.approx(ERQI[0], abs=1e-7)


@pytest.mark.parametrize("args", [
    [*VALUE, "/no/such/file.csv", "--out", "x.gpkg", "--crs", "wgs84"],
    ["land-price", "lookup", "--lon", "nan", "--lat", "34"],
])
def test_real_entry_point_prints_one_line(tmp_path, args):
    proc = subprocess.run([sys.executable, "-m", "zzgeo.cli", *args], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: ")
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_a_bug_is_one_line_with_exit_1(monkeypatch, capsys):
    import zzgeo.landprice.rules as rules

    monkeypatch.setattr(rules, "price_table", lambda: 1 / 0)
    assert run(app, ["land-price", "table"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error (ZeroDivisionError" in err and "ZZGEO_DEBUG=1" in err
