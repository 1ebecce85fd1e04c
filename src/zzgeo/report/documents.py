"""The report as documents to hand in: ``report.pdf`` (print-ready) and ``report.docx`` (editable).

Both are made from one :class:`ReportDocument`, built from what the bundle
already holds (the theme runs, the scores, the written maps and their PNGs),
so the PDF, the Word file and ``index.html`` say the same:

- a title page (A4 portrait): title, time (Beijing time, UTC+8), inputs, the
  DEMO notice listing every demo input, and the scorecard;
- one section per theme (A4 portrait): its document number, findings and
  notes, headings kept with what follows;
- one page per map (A3 landscape by default, or A4 landscape): a title block
  with the map's title, the area (郑州市), the date, the data sources with
  their document numbers and a DEMO stamp where the map rests on demo data,
  then the map drawn as in the bundle (legend, metric scale bar and north
  arrow are on the map itself).

The PDF is printed by headless Chromium from a print page with CSS paged
media (named pages of different sizes, ``break-after: avoid`` on headings;
Chromium embeds the fonts it uses, the CJK font included). The Word file is
written with python-docx: real headings and tables a report writer can edit
and paste, each map in a landscape section.
"""

from __future__ import annotations

import datetime as _dt
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from zzgeo.i18n import N_, _, language

__all__ = [
    "BEIJING",
    "MAP_PAPERS",
    "MapFigure",
    "ReportSection",
    "ReportDocument",
    "report_document",
    "print_html",
    "write_pdf",
    "write_docx",
    "beijing_time",
]

#: China Standard Time (UTC+8, no daylight saving): every time a report shows.
BEIJING = _dt.timezone(_dt.timedelta(hours=8), "北京时间")
#: Paper of the map pages (landscape): name -> (CSS size, page width and height in mm).
MAP_PAPERS = {"A3": ("A3 landscape", 420, 297), "A4": ("A4 landscape", 297, 210)}
_MAP_MARGIN_MM = 10
_TITLE_BLOCK_MM = 40  # room the Word file leaves above a map for its title, date and sources
_AREA = N_("郑州市 Zhengzhou")  # the area every map page names (translated where shown)


def beijing_time(moment: _dt.datetime | None = None) -> str:
    """*moment* (default: now) as Beijing time, to the minute, saying so.

    Examples
    --------
    >>> beijing_time(_dt.datetime(2026, 12, 7, 12, 30, tzinfo=_dt.timezone.utc))
    '2026-12-07 20:30 北京时间 (UTC+8)'
    """
    moment = moment or _dt.datetime.now(_dt.timezone.utc)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + " 北京时间 (UTC+8)"


@dataclass
class MapFigure:
    """One map page: what the title block says and the PNG drawn from the map's page."""

    title: str
    png: Path | None
    sources: list[str]
    demo: bool
    html_name: str


@dataclass
class ReportSection:
    """One theme: its title, document number, findings, notes and maps."""

    title: str
    document: str
    findings: list[str]
    notes: list[str]
    demo: list[str]
    maps: list[MapFigure] = field(default_factory=list)


@dataclass
class ReportDocument:
    """What the PDF and the Word file hold (see the module notes)."""

    title: str
    created: str
    inputs: str
    demo: dict[str, list[str]]
    scorecard: pd.DataFrame
    sections: list[ReportSection]
    map_paper: str = "A3"

    @property
    def maps(self) -> list[MapFigure]:
        return [m for s in self.sections for m in s.maps]


def map_page_title(page: Path, default: str) -> str:
    """The title a written map page shows, or *default* when the page cannot be read or has none."""
    try:
        title, _sources = _map_title_and_sources(page)
    except OSError:
        return default
    return title if title != page.stem else default


def _map_title_and_sources(page: Path) -> tuple[str, list[str]]:
    """The title and the ``zzgeo:source`` notes of a written map page (as the map shows them)."""
    text = page.read_text(encoding="utf-8")
    found = re.search(r'class="zzgeo-box zzgeo-title">(.*?)</div>', text, flags=re.S)
    sources = [html.unescape(s) for s in re.findall(r'<meta name="zzgeo:source" content="([^"]*)"', text)]
    return (html.unescape(found.group(1)) if found else page.stem), sources


def report_document(runs: Mapping[str, object], scores, exports: Sequence[object], *, created: str, inputs: str,
                    map_paper: str = "A3") -> ReportDocument:
    """The content of ``report.pdf`` and ``report.docx`` from the bundle's runs, scores and written maps.

    Parameters
    ----------
    runs : mapping of str to ThemeRun
    scores : ScoreResult
        The district scores (:func:`zzgeo.report.scoring.district_scores`).
    exports : sequence of MapExport
        The maps written into the bundle (their pages and PNGs).
    created : str
        When, as shown (:func:`beijing_time`).
    inputs : str
        The config, or the shipped default layers.
    map_paper : {"A3", "A4"}
        Paper of the map pages (landscape).
    """
    from zzgeo.errors import ParameterError
    from zzgeo.report.scoring import SCORE_HEADINGS_ZH, scores_for_people

    if map_paper not in MAP_PAPERS:
        raise ParameterError(_("map paper {paper!r}: use one of {papers}").format(paper=map_paper, papers=", ".join(MAP_PAPERS)))
    by_page = {e.html.stem: e for e in exports}
    sections = []
    for key, run in runs.items():
        figures = []
        for name in run.maps:
            e = by_page.get(f"{key}_{name}")
            if e is None:
                continue
            title, sources = _map_title_and_sources(e.html)
            figures.append(MapFigure(title, e.png, [f"{run.document}", *sources], bool(run.demo), e.html.name))
        sections.append(ReportSection(run.title, run.document, list(run.findings), list(dict.fromkeys(run.notes)),
                                      list(run.demo), figures))
    for extra in ("scores", "combined"):  # the score map and all themes on one page
        e = by_page.get(extra)
        if e is not None and sections:
            title, sources = _map_title_and_sources(e.html)
            demo = bool(scores.meta.get("demo_themes"))
            sections[-1].maps.append(MapFigure(title, e.png, sources, demo, e.html.name))
    table = scores.scores[["rank", "district", "name", "score", "indicators_used", "indicators_total", "missing_indicators"]]
    people = scores_for_people(table).rename(columns=SCORE_HEADINGS_ZH)
    demo = {run.title: list(run.demo) for run in runs.values() if run.demo}
    return ReportDocument(_("郑州市规划与选址分析报告 Zhengzhou planning and siting report"), created, inputs, demo, people,
                          sections, map_paper)


# --------------------------------------------------------------------------- PDF

_PRINT_CSS = """
@page {{ size: A4 portrait; margin: 16mm 15mm 16mm 15mm; }}
@page maps {{ size: {paper}; margin: {margin}mm; }}
html {{ font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif;
        font-size: 10.5pt; color: #111; }}
h1 {{ font-size: 20pt; margin: 0 0 4mm; }}
h2 {{ font-size: 14pt; margin: 7mm 0 2mm; break-after: avoid; page-break-after: avoid; }}
h3 {{ font-size: 11.5pt; margin: 4mm 0 1mm; break-after: avoid; page-break-after: avoid; }}
.keep {{ break-inside: avoid; page-break-inside: avoid; }}
.small {{ font-size: 8.5pt; color: #444; }}
.demo {{ border: 2px solid #b00020; color: #b00020; padding: 2mm 3mm; font-weight: bold; margin: 3mm 0; }}
table {{ border-collapse: collapse; width: 100%; margin: 2mm 0; break-inside: avoid; }}
th, td {{ border: 0.3mm solid #999; padding: 1mm 1.5mm; font-size: 9pt; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
.mappage {{ page: maps; break-before: page; page-break-before: always; height: {height}mm; display: flex;
            flex-direction: column; overflow: hidden; }}
.titleblock {{ display: flex; justify-content: space-between; align-items: flex-start; border: 0.5mm solid #333;
               padding: 2mm 3mm; margin-bottom: 2mm; break-after: avoid; }}
.titleblock .t {{ font-size: 15pt; font-weight: bold; }}
.stamp {{ border: 1mm solid #b00020; color: #b00020; font-weight: bold; font-size: 16pt; padding: 1mm 4mm;
          transform: rotate(-4deg); white-space: nowrap; margin-left: 4mm; }}
.mapimg {{ display: block; flex: 1 1 0; min-height: 0; width: 100%; object-fit: contain; }}
.nomap {{ border: 0.5mm dashed #999; padding: 20mm; text-align: center; color: #666; }}
"""


def _inputs(inputs: str) -> str:
    return _("inputs: {inputs}").format(inputs=inputs)


def _demo_notice() -> str:
    return _("DEMO 演示数据 — these inputs are synthetic demonstration layers, not official data; every figure resting on "
             "them is illustrative (非官方数据，数字仅作示意):")


def _demo_inputs(inputs: Sequence[str]) -> str:
    """The demo inputs of a theme, each in the interface language where the catalogue has it (themes mark them ``N_()``)."""
    return _joined([_(str(d)) for d in inputs], ", ", "、")


def _demo_item(theme: str, inputs: Sequence[str]) -> str:
    """One line of the DEMO notice: a theme and its demo inputs."""
    return _("{theme}: {inputs}").format(theme=theme, inputs=_demo_inputs(inputs))


def _joined(items: Sequence[str], english: str, chinese: str) -> str:
    """*items* joined with the interface language's punctuation (``、`` or ``；`` between Chinese phrases)."""
    return (chinese if language() == "zh" else english).join(items)


def _scores_heading() -> str:
    return _("区县综合得分 District scores")


def _notes_heading() -> str:
    return _("方法与说明 Notes")


def _sources(sources: str) -> str:
    return _("数据来源 Sources: {sources}").format(sources=sources)


def _no_png(page: str) -> str:
    return _("map not drawn (no PNG in this bundle): see maps/{page}").format(page=page)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table_html(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for v in values:
            number = isinstance(v, (int, float)) and not isinstance(v, bool)
            shown = f"{v:,.1f}" if isinstance(v, float) else ("—" if v is None or (isinstance(v, str) and not v) else v)
            cells.append(f"<td class='n'>{_e(shown)}</td>" if number else f"<td>{_e(shown)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def print_html(doc: ReportDocument, folder: Path) -> str:
    """The print page of *doc* (HTML with paged-media CSS); image links are relative to *folder*.

    Every text is HTML-escaped: a district or register text never runs.
    """
    paper, _width, page_height = MAP_PAPERS[doc.map_paper]
    # the whole map page in one box of the page's height (less 1 mm against rounding): a long list of sources
    # makes the map smaller, never spills it onto a second page
    css = _PRINT_CSS.format(paper=paper, margin=_MAP_MARGIN_MM, height=page_height - 2 * _MAP_MARGIN_MM - 1)
    area = _(_AREA)
    out = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{_e(doc.title)}</title>",
           f"<style>{css}</style></head><body>",
           f"<h1>{_e(doc.title)}</h1><p class='small'>{_e(doc.created)} · {_e(area)} · {_e(_inputs(doc.inputs))}</p>"]
    if doc.demo:
        items = "".join(f"<li>{_e(_demo_item(t, d))}</li>" for t, d in doc.demo.items())
        out.append(f"<div class='demo keep'>{_e(_demo_notice())}<ul>{items}</ul></div>")
    out.append(f"<div class='keep'><h2>{_e(_scores_heading())}</h2>{_table_html(doc.scorecard)}</div>")
    for s in doc.sections:
        out.append(f"<div class='keep'><h2>{_e(s.title)} <span class='small'>{_e(s.document)}</span></h2><ul>")
        out += [f"<li>{_e(line)}</li>" for line in s.findings]
        out.append("</ul></div>")
        if s.notes:
            out.append(f"<h3>{_e(_notes_heading())}</h3><p class='small'>" + "<br>".join(_e(n) for n in s.notes) + "</p>")
    for m in doc.maps:
        stamp = "<div class='stamp'>DEMO 演示数据</div>" if m.demo else ""
        sources = _joined(m.sources, "; ", "；")
        block = (f"<div class='titleblock'><div><div class='t'>{_e(m.title)}</div>"
                 f"<div class='small'>{_e(area)} · {_e(doc.created)}</div>"
                 f"<div class='small'>{_e(_sources(sources))}</div></div>{stamp}</div>")
        image = (f"<img class='mapimg' src='{_e(Path(m.png).relative_to(folder).as_posix())}' alt='{_e(m.title)}'>"
                 if m.png else f"<div class='nomap'>{_e(_no_png(m.html_name))}</div>")
        out.append(f"<section class='mappage'>{block}{image}</section>")
    out.append("</body></html>")
    return "\n".join(out)


def write_pdf(doc: ReportDocument, folder: str | Path, *, chromium: str | None = None, name: str = "report.pdf",
              browser=None) -> Path:
    """Print *doc* to ``folder/name`` with headless Chromium (the page is written beside it and removed); in a tab
    of *browser* (a shared :class:`zzgeo.maps.browser.MapBrowser`) when given.

    Raises
    ------
    ChromiumError
        No Chromium, or it wrote no PDF.
    """
    from zzgeo.maps.export import print_pdf

    folder = Path(folder)
    page = folder / f".{Path(name).stem}.print.html"
    page.write_text(print_html(doc, folder), encoding="utf-8")
    try:
        return print_pdf(page, folder / name, chromium=chromium, browser=browser)
    finally:
        page.unlink(missing_ok=True)


# --------------------------------------------------------------------------- Word

def write_docx(doc: ReportDocument, path: str | Path) -> Path:
    """Write *doc* as an editable Word file (python-docx): headings, tables, and each map in a landscape section.

    Examples
    --------
    >>> import tempfile, docx
    >>> sample = ReportDocument("示例报告", "2026-12-07 20:30 北京时间 (UTC+8)", "defaults", {"避难场所": ["shelter register"]},
    ...                         pd.DataFrame({"区县": ["中原区"], "综合得分": [61.5]}),
    ...                         [ReportSection("避难场所 Shelters", "郑政文〔2022〕40号", ["12 districts"], [], ["shelter register"])])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = write_docx(sample, Path(folder) / "r.docx")
    ...     d = docx.Document(written)
    ...     [p.text for p in d.paragraphs if p.style.name.startswith(("Title", "Heading"))], d.tables[0].cell(1, 1).text
    (['示例报告', '区县综合得分 District scores', '避难场所 Shelters 郑政文〔2022〕40号'], '61.5')
    """
    import docx
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    _css, page_width, page_height = MAP_PAPERS[doc.map_paper]
    width, height = page_width - 2 * _MAP_MARGIN_MM, page_height - 2 * _MAP_MARGIN_MM - _TITLE_BLOCK_MM
    book = docx.Document()
    normal = book.styles["Normal"]
    normal.font.name = "Microsoft YaHei"
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Microsoft YaHei")  # Chinese text in a Chinese font
    first = book.sections[0]
    first.page_width, first.page_height = Mm(210), Mm(297)
    first.left_margin = first.right_margin = Mm(15)
    book.add_heading(doc.title, level=0)
    area = _(_AREA)
    book.add_paragraph(f"{doc.created} · {area} · {_inputs(doc.inputs)}")
    if doc.demo:
        p = book.add_paragraph()
        run = p.add_run(_demo_notice())
        run.bold = True
        run.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
        for t, d in doc.demo.items():
            book.add_paragraph(_demo_item(t, d), style="List Bullet")
    book.add_heading(_scores_heading(), level=1)
    _docx_table(book, doc.scorecard)
    for s in doc.sections:
        book.add_heading(f"{s.title} {s.document}", level=1)
        for line in s.findings:
            book.add_paragraph(line, style="List Bullet")
        if s.notes:
            book.add_heading(_notes_heading(), level=2)
            for line in s.notes:
                book.add_paragraph(line).runs[0].font.size = Pt(8.5)
    for k, m in enumerate(doc.maps):
        section = book.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(page_width), Mm(page_height)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(_MAP_MARGIN_MM)
        if k == 0:  # the maps are a chapter of their own, not part of the last theme's
            book.add_heading(_("地图 Maps"), level=1)
        book.add_heading(m.title + ("  [DEMO 演示数据]" if m.demo else ""), level=2)
        book.add_paragraph(f"{area} · {doc.created}").runs[0].font.size = Pt(8.5)
        book.add_paragraph(_sources(_joined(m.sources, "; ", "；"))).runs[0].font.size = Pt(8.5)
        if m.png:
            book.add_picture(str(m.png), width=Mm(width), height=None) if _fits_width(m.png, width, height) \
                else book.add_picture(str(m.png), height=Mm(height))
        else:
            book.add_paragraph(_no_png(m.html_name))
    path = Path(path)
    book.save(str(path))
    return path


def _fits_width(png: Path, width_mm: float, height_mm: float) -> bool:
    """Whether the image, scaled to *width_mm*, stays within *height_mm* (else it is scaled to the height)."""
    from PIL import Image

    with Image.open(png) as im:
        w, h = im.size
    return h / w * width_mm <= height_mm


def _docx_table(book, frame: pd.DataFrame) -> None:
    table = book.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, frame.columns):
        cell.text = str(name)
        cell.paragraphs[0].runs[0].bold = True
    for values in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, v in zip(cells, values):
            cell.text = f"{v:,.1f}" if isinstance(v, float) else ("—" if v is None or v == "" else str(v))
