"""Tests of the report bundle (zzgeo.report.bundle, `zzgeo report`, `zzgeo map`): contents, figures, atomic replacement."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from zzgeo.report import bundle as report
from zzgeo.cli import app
from zzgeo._cli import run as run_cli
from zzgeo.errors import ParameterError, StoreError

THEMES = ("land-price", "shelters", "groundwater", "children")


_CAPTURED: dict = {}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """One bundle on the default layers, PNGs included (Chromium when installed, else matplotlib)."""
    out = tmp_path_factory.mktemp("bundle") / "report"
    real = report.run_themes
    patch = pytest.MonkeyPatch()

    def keep(*args, **kwargs):
        _CAPTURED.update(real(*args, **kwargs))
        return dict(_CAPTURED)

    patch.setattr(report, "run_themes", keep)
    try:
        return report.build_report(out, png=True)
    finally:
        patch.undo()


@pytest.fixture(scope="module")
def runs(bundle):
    """The theme runs the bundle was built from (reused so the tests below need not run the analyses again)."""
    return dict(_CAPTURED)


def test_bundle_holds_every_part(bundle):
    out = bundle.out
    for name in ("index.html", "report.log", "report.json", "scorecard.csv", "scorecard_zh.csv", "score_parts.csv", "scorecard.xlsx"):
        assert (out / name).is_file(), name
    maps = sorted(p.name for p in (out / "maps").iterdir())
    expected = ["land-price_grades", "shelters_coverage", "shelters_siting_2029", "groundwater_zones", "children_overview",
                "children_childcare_access", "scores", "combined"]
    assert maps == sorted([f"{m}.html" for m in expected] + [f"{m}.png" for m in expected])
    tables = {p.name for p in (out / "tables").iterdir()}
    assert {"land-price_valuation.csv", "shelters_coverage_by_district.csv", "groundwater_screening_list.csv",
            "groundwater_indicators.csv", "children_attainment.csv", "shelters.gpkg"} <= tables
    manifest = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(bundle.files)
    assert all((out / f).exists() for f in manifest["files"])
    assert not list(out.parent.glob(".report*"))  # no temporary or old folder left


def test_html_is_self_contained(bundle):
    pattern = re.compile(r"<(?:script|link)\b[^>]*?(?:src|href)\s*=\s*['\"]((?:https?:)?//[^'\"]+)", re.I)
    for page in [bundle.out / "index.html", *(bundle.out / "maps").glob("*.html")]:
        assert pattern.findall(page.read_text(encoding="utf-8")) == [], page.name


def test_index_says_what_is_demo_and_links_everything(bundle):
    page = (bundle.out / "index.html").read_text(encoding="utf-8")
    assert "DEMO DATA" in page
    for demo in ("shelter register", "candidate sites", "grade zones", "pollution sources", "facility register"):
        assert demo in page
    for name in re.findall(r"(?:href|src)='([^']+)'", page):
        assert (bundle.out / name).exists(), name
    for title in ("基准地价", "应急避难场所", "地下水", "儿童友好城市"):
        assert title in page
    log = (bundle.out / "report.log").read_text(encoding="utf-8")
    for stage in ("analysis: land-price", "analysis: children", "scores", "maps: build", "total"):
        assert re.search(rf"^{re.escape(stage)}\s+\d+\.\d\d s$", log, re.M), stage


def test_scorecard_adds_up_and_matches_the_analyses(bundle):
    scores = pd.read_csv(bundle.out / "scorecard.csv", dtype={"district": str})
    parts = pd.read_csv(bundle.out / "score_parts.csv", dtype={"district": str})
    assert len(scores) == 12 and sorted(scores["rank"]) == sorted(scores["score"].rank(ascending=False, method="min").astype(int))
    summed = parts.groupby("district")["contribution"].sum()
    assert (scores.set_index("district")["score"] - summed).abs().max() < 1e-9
    # each part = 100 x weight_used x normalised, and the weights used of a district sum to 1
    used = parts[parts["weight_used"] > 0]
    assert ((used["contribution"] - 100 * used["weight_used"] * used["normalised"]).abs() < 1e-9).all()
    assert (used.groupby("district")["weight_used"].sum() - 1).abs().max() < 1e-12
    # the shelter indicator's raw value is the coverage table's per-capita area, normalised against 2 m² (郑政文〔2022〕40号)
    coverage = pd.read_csv(bundle.out / "tables/shelters_coverage_by_district.csv", dtype={"adcode": str}).set_index("adcode")
    shelter = parts[parts["indicator"] == "shelter_per_capita"].set_index("district")
    assert (shelter["raw"] - coverage["per_capita_m2"].reindex(shelter.index)).abs().max() < 1e-9
    assert (shelter["normalised"] - (shelter["raw"] / 2.0).clip(upper=1.0)).abs().max() < 1e-12
    zh = pd.read_excel(bundle.out / "scorecard.xlsx", sheet_name="得分 DEMO", header=1)  # row 1: the DEMO banner
    assert list(zh.columns) == ["排名", "区划代码", "区县", "综合得分", "参与指标", "缺值指标"]
    assert set(zh["参与指标"]) == {"6 of 6"}
    # land price is context: no points; the county-level cities have no price: an empty CSV cell, "—" for people
    land = parts[parts["indicator"] == "land_price_level"].set_index("district")
    assert (land["role"] == "context").all() and land["contribution"].isna().all() and land["weight"].eq(0).all()
    assert land["raw"].isna().sum() == 6
    sheet = pd.read_excel(bundle.out / "scorecard.xlsx", sheet_name="parts DEMO", header=1, dtype={"district": str})
    shown = sheet[sheet["indicator"] == "land_price_level"].set_index("district")
    assert (shown.loc[land.index[land["raw"].isna()], "raw"] == "—").all() and (shown["contribution"] == "context").all()
    page = (bundle.out / "index.html").read_text(encoding="utf-8")
    assert "背景 land_price_level" in page and page.count("<td class='n'>—</td>") == 6


def _map_titles(bundle) -> dict[str, str]:
    """Each map page's title as the map shows it (the title box of the written page)."""
    import html as _html

    titles = {}
    for page in sorted((bundle.out / "maps").glob("*.html")):
        found = re.search(r'class="zzgeo-box zzgeo-title">(.*?)</div>', page.read_text(encoding="utf-8"), flags=re.S)
        titles[page.stem] = _html.unescape(found.group(1))
    return titles


def test_report_pdf_pages_sizes_fonts_and_title_blocks(bundle):
    """Issue 22 (2): A4 portrait text pages, then one A3 landscape page per map with its title block and DEMO stamp;
    fonts embedded (the CJK one included); no page ends on a heading."""
    import pypdf

    if "report.pdf" not in bundle.files:
        pytest.skip("no Chromium here: report.pdf is not written (the notes say so)")
    reader = pypdf.PdfReader(bundle.out / "report.pdf")
    sizes = [(round(float(p.mediabox.width) * 25.4 / 72), round(float(p.mediabox.height) * 25.4 / 72)) for p in reader.pages]
    titles = _map_titles(bundle)
    text_pages = [s for s in sizes if s == (210, 297)]
    assert len(text_pages) >= 1 and sizes[:len(text_pages)] == text_pages  # text first, all A4 portrait
    assert sizes[len(text_pages):] == [(420, 297)] * len(titles)  # then one A3 landscape page per map
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    assert "区县综合得分" in texts[0] and "DEMO" in texts[0]
    runs_in_order = ["land-price_grades", "shelters_coverage", "shelters_siting_2029", "groundwater_zones", "children_overview",
                     "children_childcare_access", "scores", "combined"]
    for page_text, name in zip(texts[len(text_pages):], runs_in_order):
        assert " ".join(titles[name].split())[:20] in page_text, name
        assert "数据来源" in page_text and "DEMO 演示数据" in page_text and "郑州市" in page_text
    headings = {"方法与说明 Notes", "区县综合得分 District scores"}
    for page in reader.pages[:len(text_pages)]:
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        assert lines[-1] not in headings
    fonts = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            if font["/Subtype"] == "/Type3":  # glyphs drawn inside the PDF itself
                continue
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts  # every font embedded
    assert any(("WenQuanYi" in f or "CJK" in f or "Han" in f) for f in fonts), fonts


def test_report_docx_headings_tables_and_maps(bundle):
    """Issue 22 (2): the same content as an editable Word file: headings, the scorecard as a table, each map on a
    landscape A3 page."""
    import docx

    book = docx.Document(bundle.out / "report.docx")
    headings = [p.text for p in book.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]
    runs = {"land-price": "郑政文〔2022〕42号", "shelters": "郑政文〔2022〕40号", "groundwater": "郑政文〔2022〕49号", "children": "郑政〔2022〕8号"}
    assert headings[:2] == ["郑州市规划与选址分析报告 Zhengzhou planning and siting report", "区县综合得分 District scores"]
    assert all(any(number in h for h in headings) for number in runs.values())
    scores = pd.read_csv(bundle.out / "scorecard.csv", dtype={"district": str})
    table = book.tables[0]
    assert len(table.rows) == len(scores) + 1 == 13
    header = [c.text for c in table.rows[0].cells]
    shown = {row.cells[header.index("区划代码")].text: row.cells[header.index("综合得分")].text for row in table.rows[1:]}
    assert shown == {d: f"{s:,.1f}" for d, s in zip(scores["district"], scores["score"])}
    titles = _map_titles(bundle)
    assert len(book.inline_shapes) == len(titles) == 8
    maps = book.sections[1:]
    assert len(maps) == 8 and all((round(s.page_width.mm), round(s.page_height.mm)) == (420, 297) for s in maps)
    assert all(any(" ".join(t.split())[:20] in " ".join(h.split()) for h in headings) for t in titles.values())
    assert any(p.text.startswith("DEMO 演示数据") for p in book.paragraphs)
    assert "地图 Maps" in headings and headings.index("地图 Maps") > max(i for i, h in enumerate(headings) if "郑政〔2022〕8号" in h)
    assert sum("[DEMO 演示数据]" in h for h in headings) == 8  # every map of the default bundle rests on demo data


def test_report_times_are_beijing_time(bundle):
    manifest = json.loads((bundle.out / "report.json").read_text(encoding="utf-8"))
    import docx

    assert manifest["created"].endswith("+08:00")
    stamp = manifest["created"][:16].replace("T", " ")  # the minute shown in the documents
    assert f"{stamp} 北京时间 (UTC+8)" in docx.Document(bundle.out / "report.docx").paragraphs[1].text


def test_demo_mark_inside_every_file_resting_on_demo_data(bundle):
    """Issue 22 (5): the default bundle rests on demo registers; every file says so inside, the benchmark table of
    郑政文〔2022〕42号 (the document's own figures) does not."""
    import sqlite3

    import openpyxl
    import pyogrio

    manifest = json.loads((bundle.out / "report.json").read_text(encoding="utf-8"))
    assert set(manifest["demo"]) == {"land-price", "shelters", "groundwater", "children"}
    checked = 0
    for rel in manifest["files"]:
        path = bundle.out / rel
        if path.suffix == ".csv":
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
            if rel == "tables/land-price_benchmark_prices.csv":
                assert "demo_data" not in table.columns and "DEMO" not in path.read_text(encoding="utf-8-sig")
                continue
            assert table.columns[0] == "demo_data", rel
            assert table["demo_data"].str.startswith("DEMO 演示数据 — ").all(), rel
        elif path.suffix == ".gpkg":
            layers = [name for name, _ in pyogrio.list_layers(path) if name != "layer_styles"]  # QGIS styles, no figures
            assert layers, rel
            for layer in layers:
                info = pyogrio.read_info(path, layer=layer)
                assert info["layer_metadata"]["DEMO"].startswith("DEMO 演示数据 — "), (rel, layer)
                assert info["fields"][0] == "demo_data", (rel, layer)
            with sqlite3.connect(path) as con:
                assert all(d.startswith("DEMO") for (d,) in con.execute(
                    "SELECT description FROM gpkg_contents WHERE table_name != 'layer_styles'"))
        elif path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            assert all(name.endswith(" DEMO") for name in book.sheetnames)
            assert all(sheet["A1"].value.startswith("DEMO 演示数据 — ") for sheet in book.worksheets)
        elif path.suffix == ".png":  # drawn from the map page, whose title and caption say DEMO (tests/test_maps.py)
            continue
        elif path.suffix in (".pdf", ".docx"):  # the DEMO notice and stamps: test_report_pdf_... and _docx_...
            continue
        elif path.suffix == ".json":
            assert json.loads(path.read_text(encoding="utf-8"))["demo"], rel
        else:
            assert "DEMO" in path.read_text(encoding="utf-8"), rel  # index.html, report.log, the maps
        checked += 1
    assert checked >= 30
    shelters = pd.read_csv(bundle.out / "tables/shelters_coverage_by_district.csv", dtype=str)
    assert "shelter register" in shelters["demo_data"].iloc[0] and "candidate sites" in shelters["demo_data"].iloc[0]


def test_rerun_replaces_the_bundle_whole(runs, bundle, tmp_path, monkeypatch):
    monkeypatch.setattr(report, "run_themes", lambda *a, **k: runs)
    out = tmp_path / "r"
    report.build_report(out, png=False)
    (out / "stale.txt").write_text("from an older run", encoding="utf-8")
    report.build_report(out, png=False)
    assert not (out / "stale.txt").exists() and (out / "index.html").is_file()
    assert not list((out / "maps").glob("*.png"))


def test_failed_run_leaves_the_previous_bundle(runs, tmp_path, monkeypatch):
    monkeypatch.setattr(report, "run_themes", lambda *a, **k: runs)
    out = tmp_path / "r"
    report.build_report(out, png=False)
    before = (out / "report.json").read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(report, "_export_maps", broken)
    with pytest.raises(OSError, match="disk full"):
        report.build_report(out, png=False)
    assert (out / "report.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # the half-built folder is gone


def test_pngs_and_pdf_in_one_shared_browser_when_playwright_is_there(bundle):
    """Issue 20 (3): with Playwright, every PNG is a tab of one browser, and report.json says so (a PNG drawn by a
    Chromium process of its own is recorded as ``chromium``, and not reused for the other way: tests/test_maps_browser.py)."""
    pytest.importorskip("playwright.async_api")
    manifest = json.loads((bundle.out / "report.json").read_text(encoding="utf-8"))
    if not any(r.startswith("chromium") for r in manifest["renderers"]):
        pytest.skip("no Chromium here: the PNGs are matplotlib drawings")
    assert {entry["renderer"] for entry in manifest["maps"].values()} == {"chromium-playwright"}
    assert "report.pdf" in bundle.files


def test_a_png_drawn_one_way_is_not_reused_for_the_other(tmp_path):
    """A PNG of a Chromium process of its own is not copied when the shared browser would draw it now, nor the other
    way round, even where the fingerprints were to agree."""
    previous, target = tmp_path / "old", tmp_path / "new.png"
    (previous / "maps").mkdir(parents=True)
    (previous / "maps" / "m.png").write_bytes(b"png")
    import hashlib

    old = {"png": "maps/m.png", "fingerprint": "f", "sha256": hashlib.sha256(b"png").hexdigest()}
    for drawn, now in (("chromium", "chromium-playwright"), ("chromium-playwright", "chromium")):
        assert not report._reuse_png({**old, "renderer": drawn}, "f", now, previous, target) and not target.exists()
    assert report._reuse_png({**old, "renderer": "chromium-playwright"}, "f", "chromium-playwright", previous, target)


def test_the_shared_browser_is_closed_after_a_run_and_after_a_failed_one(runs, tmp_path, monkeypatch):
    pytest.importorskip("playwright.async_api")
    from test_maps_browser import chromium_descendants
    from zzgeo.maps import browser

    opened = []
    real = browser.open_browser

    def tracked(*args, **kwargs):
        opened.append(real(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(browser, "open_browser", tracked)
    monkeypatch.setattr(report, "run_themes", lambda *a, **k: runs)
    before = set(chromium_descendants())
    report.build_report(tmp_path / "r", png=False)  # the PDF is printed in the browser
    if opened[0] is None:
        pytest.skip("no Chromium here")
    assert opened[0]._closed and set(chromium_descendants()) - before == set()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(report, "_export_maps", broken)
    with pytest.raises(OSError, match="disk full"):
        report.build_report(tmp_path / "r", png=True)
    assert opened[1]._closed and set(chromium_descendants()) - before == set()


def test_refuses_a_folder_that_is_not_a_report(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(StoreError, match="not a zzgeo report folder"):
        report.build_report(folder)
    assert (folder / "thesis.docx").read_text(encoding="utf-8") == "precious"


def test_config_errors_and_relative_paths(tmp_path):
    cfg = tmp_path / "r.toml"
    cfg.write_text('[shelters]\nregister = "data/s.csv"\n[report]\nbasemap = "amap"\n', encoding="utf-8")
    loaded = report.load_report_config(cfg)
    assert loaded.inputs["shelters"]["register"] == str(tmp_path / "data/s.csv")
    assert loaded.basemap == "amap" and loaded.inputs["children"] == {}
    cfg.write_text('[shelter]\nregister = "s.csv"\n', encoding="utf-8")
    with pytest.raises(ParameterError, match=r"r\.toml': unknown table 'shelter'; allowed: report, score, units, land-price, shelters, groundwater, children$"):
        report.load_report_config(cfg)
    cfg.write_text('[children]\nregistre = "f.csv"\n', encoding="utf-8")
    with pytest.raises(ParameterError, match=r"r\.toml': children: unknown key 'registre'; allowed: register, zones, communities, children, targets, crs$"):
        report.load_report_config(cfg)
    with pytest.raises(FileNotFoundError):
        report.load_report_config(tmp_path / "none.toml")


def test_user_register_is_not_labelled_demo(tmp_path):
    from zzgeo.shelters.demo import demo_register

    reg = demo_register().head(40)
    reg.to_file(tmp_path / "mine.gpkg")
    cfg = tmp_path / "r.toml"
    cfg.write_text('[shelters]\nregister = "mine.gpkg"\n', encoding="utf-8")
    run = report.run_themes(report.load_report_config(cfg), keys=["shelters"])["shelters"]
    assert run.demo == ["candidate sites"]
    assert int(run.tables["coverage_by_district"].query("adcode != '410100'")["shelters"].sum()) == 40


def test_command_line_lists_the_map_themes_the_report_draws():
    from zzgeo.base_cli import MAP_THEMES  # kept as a literal there so `zzgeo --help` imports no pandas

    assert MAP_THEMES == report.MAP_THEMES


def test_cli_map_and_report_errors(tmp_path, capsys):
    assert run_cli(app, ["map", "land-price", "--out", str(tmp_path / "lp.html")]) == 0
    page = (tmp_path / "lp.html").read_text(encoding="utf-8")
    assert "DEMO grade zones" in page and "zzgeo-label" in page
    assert run_cli(app, ["map", "roads"]) == 2
    assert run_cli(app, ["map", "shelters", "--basemap", "baidu", "--out", str(tmp_path / "b.html")]) == 2
    assert not (tmp_path / "b.html").exists()
    assert run_cli(app, ["report", "--out", str(tmp_path / "x"), "--basemap", "google"]) == 2
    err = capsys.readouterr().err
    assert "error: theme 'roads'" in err and "error: basemap 'google'" in err and "error: basemap 'baidu'" in err
    assert not (tmp_path / "x").exists()


def test_scorecard_and_tables_never_run_a_cell(tmp_path):
    # names and titles that a spreadsheet would run: text cells in scorecard.xlsx, quoted in the CSVs
    from types import SimpleNamespace

    import openpyxl

    name, title = '=HYPERLINK("http://x","y")', "@SUM(A1)"
    scores = pd.DataFrame({"district": ["410102"], "name": [name], "score": [50.0], "rank": [1], "indicators_used": [1],
                           "indicators_total": [1], "missing_indicators": [""]})
    parts = pd.DataFrame({"district": ["410102"], "name": [name], "theme": ["shelters"], "indicator": ["shelter_per_capita"], "role": ["merit"],
                          "raw": [1.0], "normalised": [0.5], "weight": [1.0], "weight_used": [1.0], "contribution": [50.0], "demo": [False]})
    config = SimpleNamespace(indicators=pd.DataFrame({"id": ["shelter_per_capita"], "title": [title], "weight": [1.0]}))
    report._write_scorecard(SimpleNamespace(scores=scores, parts=parts, meta={"demo_themes": []}), config, tmp_path)
    book = openpyxl.load_workbook(tmp_path / "scorecard.xlsx")
    assert (book["scores"]["C2"].value, book["scores"]["C2"].data_type) == (name, "s")
    assert (book["scores"]["D2"].value, book["scores"]["D2"].data_type) == (50, "n")
    assert (book["indicators"]["B2"].value, book["indicators"]["B2"].data_type) == (title, "s")
    assert pd.read_csv(tmp_path / "scorecard.csv", dtype=str)["name"].tolist() == ["'" + name]
    assert pd.read_csv(tmp_path / "score_parts.csv", dtype=str)["title"].tolist() == ["'" + title]
    run = SimpleNamespace(tables={"list": pd.DataFrame({"name": ["-1+1", "-5"], "n": [1, 2]})}, table_demo=lambda name: [])
    assert report._write_tables({"shelters": run}, tmp_path) == ["tables/shelters_list.csv"]
    assert pd.read_csv(tmp_path / "tables/shelters_list.csv", dtype=str)["name"].tolist() == ["'-1+1", "-5"]


def test_scorecard_files_and_index_show_missing_values_context_and_marks(tmp_path):
    # the hand-worked scorecard of test_scoring: 丙 (C) has no coverage value, 乙 (B) no price; price is context
    #   A: 0.6 x 0.5 + 0.4 x 1 -> 70.0    B: 0.6 x 0.9 + 0.4 x 0 -> 54.0    C: sources alone, 0.5 -> 50.0 ("1 of 2 *")
    from types import SimpleNamespace

    import numpy as np
    import openpyxl

    from zzgeo.report.scoring import ScoreConfig, district_scores

    config = ScoreConfig(pd.DataFrame([
        {"id": "cover", "title": "covered share", "role": "merit", "direction": "higher", "normalise": "share", "target": np.nan, "weight": 0.6},
        {"id": "sources", "title": "sources", "role": "merit", "direction": "lower", "normalise": "minmax", "target": np.nan, "weight": 0.4},
        {"id": "price", "title": "price", "role": "context", "direction": "none", "normalise": None, "target": np.nan, "weight": 0.0}]),
        "reweight", "test", "inline")
    raw = pd.DataFrame({"name": ["甲", "乙", "丙"], "cover": [0.5, 0.9, np.nan], "sources": [2.0, 6.0, 4.0], "price": [800.0, np.nan, 500.0]},
                       index=["410102", "410103", "410104"])
    result = district_scores(config, raw=raw)
    report._write_scorecard(result, config, tmp_path)
    # CSV, for machines: numbers, empty cells where there is no value
    scores = pd.read_csv(tmp_path / "scorecard.csv", dtype={"district": str}, keep_default_na=False)
    assert scores[["name", "score", "indicators_used", "indicators_total", "missing_indicators"]].values.tolist() == [
        ["甲", 70.0, 2, 2, ""], ["乙", 54.0, 2, 2, ""], ["丙", 50.0, 1, 2, "cover"]]
    parts = pd.read_csv(tmp_path / "score_parts.csv", dtype={"district": str}, keep_default_na=False).set_index(["name", "indicator"])
    assert parts.loc[("丙", "cover"), ["raw", "normalised", "contribution"]].tolist() == ["", "", ""]
    assert parts.loc[("乙", "sources"), "contribution"] == "0"  # a real 0 points stays 0, not an empty cell
    # the workbook, for people: "—", "context" and the mark
    book = openpyxl.load_workbook(tmp_path / "scorecard.xlsx")
    rows = [[c.value for c in row] for row in book["scores"].iter_rows()]
    assert rows[0] == ["rank", "district", "name", "score", "scored_on", "missing_indicators"]
    assert rows[3][2:5] == ["丙", 50, "1 of 2 *"] and rows[3][5] == "cover"
    detail = {(r[1], r[3]): r for r in book["parts"].iter_rows(values_only=True)}
    head = next(book["parts"].iter_rows(values_only=True))
    at = {k: head.index(k) for k in ("raw", "normalised", "contribution")}
    assert [detail[("丙", "cover")][i] for i in at.values()] == ["—", "—", "—"]
    assert [detail[("乙", "price")][i] for i in at.values()] == ["—", "context", "context"]
    assert [detail[("甲", "price")][i] for i in at.values()] == [800, "context", "context"]
    zh = pd.read_excel(tmp_path / "scorecard.xlsx", sheet_name="指标明细").set_index(["区县", "指标"])
    assert zh.loc[("丙", "cover"), ["原始值", "标准化值", "得分贡献"]].tolist() == ["—", "—", "—"]
    # index.html: the mark, the shaded row, the context column, "—"
    page = report._index_html({}, result, [], [], [], SimpleNamespace(path=None), "now")
    assert "<tr class=fewer><td class='n'>3</td><td>丙</td><td class='n'>50.0</td><td>1 of 2 * (no value: cover)</td><td class='n'>500</td></tr>" in page
    assert "<tr><td class='n'>2</td><td>乙</td><td class='n'>54.0</td><td>2 of 2</td><td class='n'>—</td></tr>" in page
    assert "背景 price" in page and "* scored on fewer than the 2 weighted indicators" in page


def test_rerun_copies_the_pngs_of_unchanged_maps_and_redraws_a_damaged_one(runs, tmp_path, monkeypatch):
    from zzgeo.maps import export

    monkeypatch.setattr(report, "run_themes", lambda *a, **k: runs)
    monkeypatch.setattr(export, "find_chromium", lambda chromium=None: None)  # matplotlib: quick, and the same each run
    out = tmp_path / "r"
    first = report.build_report(out, png=True)
    assert first.png_reused == []
    manifest = json.loads((out / "report.json").read_text(encoding="utf-8"))
    names = list(manifest["maps"])
    assert len(names) == 8 and all(manifest["maps"][n]["renderer"] == "matplotlib" for n in names)
    assert set(manifest["map_build_s"]) == set(names)
    (out / "maps" / "scores.png").write_bytes(b"\x89PNG\r\n\x1a\n cut short")
    second = report.build_report(out, png=True)
    assert sorted(second.png_reused) == sorted(set(names) - {"scores"})
    again = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert again["png_reused"] == second.png_reused and not again["maps"]["scores"]["png_reused"]
    import hashlib

    for name, entry in again["maps"].items():  # every PNG is the one the manifest names, and it is whole
        data = (out / entry["png"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and data.endswith(b"IEND\xaeB`\x82"), name
        assert entry["fingerprint"] == manifest["maps"][name]["fingerprint"], name
    assert "PNG reused from the previous bundle" in (out / "report.log").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".r*"))


def test_combined_map_of_the_built_maps_is_the_combined_map_built_afresh(runs, bundle, tmp_path):
    from zzgeo.maps.export import png_fingerprint, save_html
    from zzgeo.report.scoring import district_scores

    fresh = report.theme_maps(runs, district_scores(runs=runs))["combined"]("none")
    page = save_html(fresh, tmp_path / "combined.html")
    assert png_fingerprint(page, renderer="matplotlib") == png_fingerprint(bundle.out / "maps" / "combined.html", renderer="matplotlib")


def test_a_theme_run_in_a_second_process_gives_the_same_tables(runs):
    # the bundle's runs (groundwater in a forked process where there are 2 cores) against one run in this process
    here = report.run_themes(keys=["groundwater"])["groundwater"]
    aside = runs["groundwater"]
    assert list(aside.tables) == list(here.tables) and aside.findings == here.findings and aside.demo == here.demo
    for name, table in here.tables.items():
        pd.testing.assert_frame_equal(pd.DataFrame(aside.tables[name]), pd.DataFrame(table), check_exact=True, obj=name)
    pd.testing.assert_frame_equal(aside.indicators, here.indicators, check_exact=True)
