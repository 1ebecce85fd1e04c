"""report.pdf and report.docx from one ReportDocument (issue 22, part 2), on small documents made here.

The default bundle's PDF and Word file are checked in tests/test_report.py (page sizes, fonts, headings, tables).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from zzgeo.errors import ParameterError
from zzgeo.report.documents import MapFigure, ReportDocument, ReportSection, print_html, write_docx, write_pdf

HOSTILE = "<script>alert('x')</script> & 二七区"


def _png(path: Path, size: tuple[int, int] = (1200, 900)) -> Path:
    from PIL import Image

    Image.new("RGB", size, (200, 220, 240)).save(path)
    return path


def _doc(tmp_path: Path, paper: str = "A3", png: bool = True) -> ReportDocument:
    figure = MapFigure(f"避难场所 {HOSTILE}", _png(tmp_path / "maps_shelters.png") if png else None,
                       ["郑政文〔2022〕40号", f"register {HOSTILE}"], True, "shelters_coverage.html")
    section = ReportSection("应急避难场所 Emergency shelters", "郑政文〔2022〕40号", [f"finding {HOSTILE}"], ["a note"],
                            ["shelter register"], [figure])
    scorecard = pd.DataFrame({"排名": [1], "区县": [HOSTILE], "综合得分": [61.25]})
    return ReportDocument("示例报告 Sample", "2026-12-07 20:30 北京时间 (UTC+8)", "defaults", {"应急避难场所": ["shelter register"]},
                          scorecard, [section], paper)


def test_print_page_escapes_every_text(tmp_path: Path) -> None:
    page = print_html(_doc(tmp_path), tmp_path)
    assert "<script>" not in page
    assert page.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; 二七区") == 5  # score table, finding, map title, image alt, source
    assert "src='maps_shelters.png'" in page and "DEMO 演示数据" in page


def test_no_png_says_where_the_map_is(tmp_path: Path) -> None:
    page = print_html(_doc(tmp_path, png=False), tmp_path)
    assert "map not drawn (no PNG in this bundle): see maps/shelters_coverage.html" in page


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (apt-get install chromium); .ci/run installs it")
@pytest.mark.parametrize(("paper", "size"), [("A3", (420, 297)), ("A4", (297, 210))])
def test_pdf_text_on_a4_portrait_maps_on_landscape(tmp_path: Path, paper: str, size: tuple[int, int]) -> None:
    import pypdf

    written = write_pdf(_doc(tmp_path, paper), tmp_path)
    reader = pypdf.PdfReader(written)
    sizes = [(round(float(p.mediabox.width) * 25.4 / 72), round(float(p.mediabox.height) * 25.4 / 72)) for p in reader.pages]
    assert sizes == [(210, 297), size]
    assert "二七区" in reader.pages[1].extract_text() and "DEMO" in reader.pages[1].extract_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["maps_shelters.png", "report.pdf"]  # the print page is removed


def test_pdf_in_the_shared_browser_has_the_same_pages_sizes_and_fonts(tmp_path: Path) -> None:
    pytest.importorskip("playwright.async_api")
    import pypdf

    from zzgeo.maps.browser import open_browser

    def described(path: Path) -> tuple:
        reader = pypdf.PdfReader(path)
        sizes = [(round(float(p.mediabox.width) * 25.4 / 72), round(float(p.mediabox.height) * 25.4 / 72)) for p in reader.pages]
        fonts = set()
        for page in reader.pages:
            for font in (page["/Resources"].get("/Font") or {}).values():
                font = font.get_object()
                if font["/Subtype"] != "/Type3":
                    d = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)["/FontDescriptor"]
                    fonts.add((str(font["/BaseFont"]).split("+")[-1], any(k in d.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
        return sizes, sorted(fonts), [" ".join(p.extract_text().split()) for p in reader.pages], sum(len(p.images) for p in reader.pages)

    shared = open_browser()
    if shared is None:
        pytest.skip("needs chromium (apt-get install chromium)")
    doc = _doc(tmp_path, "A3")
    with shared:
        tabbed = described(write_pdf(doc, tmp_path, browser=shared, name="tab.pdf"))
    alone = described(write_pdf(doc, tmp_path, name="alone.pdf"))
    assert tabbed == alone and tabbed[0] == [(210, 297), (420, 297)] and tabbed[3] == 1
    assert tabbed[1] and all(embedded for _name, embedded in tabbed[1])


@pytest.mark.parametrize(("paper", "size"), [("A3", (420, 297)), ("A4", (297, 210))])
def test_docx_map_sections_and_picture_within_the_page(tmp_path: Path, paper: str, size: tuple[int, int]) -> None:
    import docx

    book = docx.Document(write_docx(_doc(tmp_path, paper), tmp_path / "r.docx"))
    section = book.sections[1]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == size
    picture = book.inline_shapes[0]
    assert picture.width.mm <= size[0] - 20 + 0.01 and picture.height.mm <= size[1] - 20 - 40 + 0.01
    assert book.tables[0].cell(1, 1).text == HOSTILE  # text, as typed
    assert book.tables[0].cell(1, 2).text == "61.2"  # 61.25 rounded half to even, as Python formats it


def test_map_paper_in_the_report_config(tmp_path: Path) -> None:
    from zzgeo.report import load_report_config

    good = tmp_path / "a4.toml"
    good.write_text('[report]\nmap_paper = "A4"\n', encoding="utf-8")
    assert load_report_config(good).map_paper == "A4"
    bad = tmp_path / "a5.toml"
    bad.write_text('[report]\nmap_paper = "A5"\n', encoding="utf-8")
    with pytest.raises(ParameterError, match="map_paper.*not a map paper; allowed: A3, A4"):
        load_report_config(bad)
