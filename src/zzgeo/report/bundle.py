"""The report bundle (``zzgeo report``): every analysis, the scorecard, the maps and an index page.

The themes run through :func:`zzgeo.report.runs.run_themes`; :func:`build_report` scores the districts, writes each
analysis's tables, the scorecard (CSV and Excel, with Chinese headings), every
map as offline HTML and PNG, a combined map, ``index.html`` with the findings
and a notice of which inputs are demo data, and ``report.log`` with the time
per stage. The bundle is built in a temporary folder beside the target and
swapped in at the end, so re-running into the same folder replaces it whole
or not at all.
"""

from __future__ import annotations

import datetime as _dt
import functools
import html
import json
import os
import shutil
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from zzgeo.theme_run import ThemeRun
from zzgeo.errors import ParameterError, StoreError
from zzgeo.i18n import _
from zzgeo.report.runs import THEMES, Progress, ReportConfig, load_report_config, run_themes
from zzgeo.report.documents import BEIJING
from zzgeo.report.scoring import SCORE_HEADINGS_ZH

__all__ = ["MAP_THEMES", "theme_maps", "theme_map", "postgis_tables", "build_report", "recover_report_folder", "ReportResult"]

_MARKER = "report.json"
_GENERATOR = "zzgeo report"



def theme_maps(runs: Mapping[str, ThemeRun], scores=None) -> dict[str, Callable[[str], object]]:
    """Map name -> builder(basemap): every theme's maps, the score map, and the combined map.

    Parameters
    ----------
    runs : mapping of str to ThemeRun
    scores : ScoreResult, optional
        Adds the score map, which also heads the combined map.

    Returns
    -------
    dict of str to callable
        ``"<theme>_<map>"``, ``"scores"`` and ``"combined"`` -> ``builder(basemap) -> folium.Map``.

    Examples
    --------
    One theme run made by hand, with one map that rests on a DEMO register;
    the combined map carries its banner.

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from zzgeo.maps import choropleth_map
    >>> from zzgeo.theme_run import ThemeRun
    >>> blocks = gpd.GeoDataFrame({"adcode": ["410102", "410103"], "share": [0.9, 0.5]},
    ...                           geometry=[box(113.60 + i / 20, 34.74, 113.64 + i / 20, 34.78) for i in range(2)], crs=4326)
    >>> run = ThemeRun("shelters", "避难场所 Shelters", "郑政文〔2022〕40号", tables={"coverage-by-district": blocks},
    ...                maps={"coverage": lambda basemap="none": choropleth_map(blocks, "share", title="coverage", basemap=basemap)},
    ...                demo=["register"])
    >>> from zzgeo.maps import map_state
    >>> from zzgeo.report import theme_maps
    >>> builders = theme_maps({"shelters": run})
    >>> list(builders)
    ['shelters_coverage', 'combined']
    >>> map_state(builders["shelters_coverage"]("none")).title
    'coverage'
    >>> [title for title, _ in map_state(builders["combined"]("none")).legends]
    ['避难场所 Shelters · share', '行政区界 district boundary']
    """
    builders: dict[str, Callable[[str], object]] = {}
    for key, run in runs.items():
        for name, build in run.maps.items():
            builders[f"{key}_{name}"] = build
    if scores is not None:
        from zzgeo.report.scoring import score_map

        builders["scores"] = lambda basemap="none": score_map(scores, basemap=basemap)

    def combined(basemap: str = "none"):
        return _combined_map({label: builders[name](basemap) for label, name in _combined_parts(runs, scores).items()})

    builders["combined"] = combined
    return builders


def _combined_parts(runs: Mapping[str, ThemeRun], scores) -> dict[str, str]:
    """Label -> map name of the maps the combined map is made of: the scores, then each theme's first map."""
    parts = {_("综合得分 scores"): "scores"} if scores is not None else {}
    for key, run in runs.items():
        if run.maps:
            parts[run.title] = f"{key}_{next(iter(run.maps))}"
    return parts


def _combined_map(parts: Mapping[str, object]):
    """The combined map of built maps (label -> folium.Map); their layers move into it."""
    from zzgeo.maps import combine_maps

    return combine_maps(parts, title=_("郑州 zzgeo: every theme"))  # no "switch layers" hint: a still has no layer list


#: What ``zzgeo map THEME`` draws: a theme's first map, the scores, or all themes on one page.
MAP_THEMES = (*THEMES, "scores", "all")


def theme_map(theme: str, config: ReportConfig | None = None, *, which: str | None = None):
    """The builder of one map and the DEMO inputs it rests on, running only the themes it needs.

    Parameters
    ----------
    theme : str
        One of :data:`MAP_THEMES`: a theme key, ``"scores"`` (runs every theme)
        or ``"all"`` (every theme on one page).
    config : ReportConfig, optional
        Default: every theme on its default layers.
    which : str, optional
        Which of the theme's maps (default its first).

    Returns
    -------
    (builder, demo) : callable, list of str
        ``builder(basemap) -> folium.Map``; the demo inputs, sorted.

    Raises
    ------
    ParameterError
        An unknown theme or map.

    Examples
    --------
    The land-price map runs the land-price theme alone; its inputs are DEMO
    layers, and the map says so.

    >>> from zzgeo.maps import map_state
    >>> from zzgeo.report import theme_map
    >>> build, demo = theme_map("land-price")
    >>> demo
    ['grade zones', 'parcels']
    >>> state = map_state(build("none"))
    >>> state.title, state.banner
    ('collective_construction · 商业服务业用地 基准地价级别 (DEMO zones)', 'DEMO grade zones — not the official 郑政文〔2022〕42号 grade map')
    >>> theme_map("roads")
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: theme 'roads': use one of land-price, shelters, groundwater, children, scores, all
    """
    if theme not in MAP_THEMES:
        raise ParameterError(_("theme {theme!r}: use one of {themes}").format(theme=theme, themes=", ".join(MAP_THEMES)))
    config = config or ReportConfig()
    runs = run_themes(config, keys=[theme] if theme in THEMES else None)
    scores = None
    if theme in ("scores", "all"):
        from zzgeo.report.scoring import district_scores

        scores = district_scores(config.score_config, runs=runs)
    builders = theme_maps(runs, scores)
    name = {"scores": "scores", "all": "combined"}.get(theme) or f"{theme}_{which or next(iter(runs[theme].maps))}"
    if name not in builders:
        known = [k.split("_", 1)[1] for k in builders if k.startswith(f"{theme}_")]
        raise ParameterError(_("no map {which!r} for {theme}; maps: {maps}").format(which=which, theme=theme, maps=", ".join(known)))
    return builders[name], sorted({d for run in runs.values() for d in run.demo})


# --------------------------------------------------------------------------- writing the bundle


def _write_tables(runs: Mapping[str, ThemeRun], folder: Path, notes: list[str] | None = None) -> list[str]:
    """Each run's tables as CSV (:func:`zzgeo.io.write_csv`: no cell runs as a formula) and, when spatial, GeoPackage.

    A table whose figures rest on demo inputs (:meth:`zzgeo.theme_run.ThemeRun.table_demo`) carries the DEMO
    mark inside the file: the first column ``demo_data`` of every row, and in a GeoPackage also the layer's
    description and metadata (:func:`zzgeo.io.demo_label`).
    """
    import geopandas as gpd

    from zzgeo.io import append_gpkg_layer, demo_label, portable_table, write_csv

    written = []
    for key, run in runs.items():
        (folder / "tables").mkdir(parents=True, exist_ok=True)
        for name, frame in run.tables.items():
            table = portable_table(frame)
            demo = demo_label(run.table_demo(name)) if run.table_demo(name) else None
            spatial = isinstance(table, gpd.GeoDataFrame)
            rel = f"tables/{key}_{name}.csv"
            write_csv(pd.DataFrame(table.drop(columns=table.geometry.name)) if spatial else table, folder / rel, demo=demo)
            written.append(rel)
            if spatial:
                append_gpkg_layer(table, folder / f"tables/{key}.gpkg", name, demo=demo, notes=notes)  # a layer per geometry kind
        if (folder / f"tables/{key}.gpkg").exists():
            written.append(f"tables/{key}.gpkg")
    return written


def _write_scorecard(result, config, folder: Path, suffix: str = "") -> list[str]:
    """The scorecard as CSV and Excel (:func:`zzgeo.io.write_csv` / :func:`zzgeo.io.write_excel`: no cell runs as a formula).

    The CSVs are for machines: numbers, an empty cell where a district has no
    value. The workbook is for people (:func:`zzgeo.report.scoring.scores_for_people`,
    :func:`zzgeo.report.scoring.parts_for_people`): ``—`` where there is no value,
    ``context`` for the points of a context indicator, ``5 of 6 *`` for a
    district scored on fewer indicators.
    """
    from zzgeo.io import demo_label, write_csv, write_excel
    from zzgeo.report.scoring import parts_for_people, scores_for_people

    titles = config.indicators.set_index("id")["title"]
    parts = result.parts.assign(title=result.parts["indicator"].map(titles))
    parts = parts[["district", "name", "theme", "indicator", "title", "role", "raw", "normalised", "weight", "weight_used", "contribution", "demo"]]
    scores = result.scores[["rank", "district", "name", "score", "indicators_used", "indicators_total", "missing_indicators"]]
    zh = SCORE_HEADINGS_ZH if not suffix else {**SCORE_HEADINGS_ZH, "district": "单元代码", "name": "单元"}
    names = [f"scorecard{suffix}.csv", f"scorecard{suffix}_zh.csv", f"score_parts{suffix}.csv", f"scorecard{suffix}.xlsx"]
    themes = result.meta.get("demo_themes", [])
    demo = demo_label(f"the inputs of {', '.join(themes)}") if themes else None
    write_csv(scores, folder / names[0], demo=demo)
    write_csv(scores.rename(columns=zh), folder / names[1], demo=demo)
    write_csv(parts, folder / names[2], demo=demo)
    people, people_parts = scores_for_people(scores), parts_for_people(parts)
    write_excel({"scores": people, "得分": people.rename(columns=zh), "parts": people_parts,
                 "指标明细": people_parts.rename(columns=zh), "indicators": config.indicators}, folder / names[3], demo=demo)
    return names


def _png_workers() -> int:
    """PNGs drawn at a time (Chromium processes, or tabs of the shared browser) once every map is built: one per
    core this process may use (at most 8)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


class _Slots:
    """How many PNGs are drawn at once; the number can change while the pool works (one core is left to the
    map building while it lasts, and given back to Chromium after)."""

    def __init__(self, n: int) -> None:
        import threading

        self.n, self.busy, self._cv = n, 0, threading.Condition()

    def resize(self, n: int) -> None:
        with self._cv:
            self.n = n
            self._cv.notify_all()

    def run(self, job, *args):
        with self._cv:
            self._cv.wait_for(lambda: self.busy < self.n)
            self.busy += 1
        try:
            return job(*args)
        finally:
            with self._cv:
                self.busy -= 1
                self._cv.notify_all()


def _previous_pngs(target: Path | None) -> dict[str, dict]:
    """Map name -> its PNG entry (``png``, ``fingerprint``, ``sha256``, ``renderer``) in the bundle now at *target*."""
    if target is None or not (target / _MARKER).is_file():
        return {}
    try:
        manifest = json.loads((target / _MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    maps = manifest.get("maps") if isinstance(manifest, dict) else None
    return {k: v for k, v in maps.items() if isinstance(v, dict)} if isinstance(maps, dict) else {}


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _reuse_png(old: dict | None, fingerprint: str, renderer: str, previous: Path, target: Path) -> bool:
    """Copy the previous bundle's PNG of a map to *target* when it is safe: the same fingerprint (page, renderer,
    size, zzgeo version), drawn by the renderer that would draw it now, and the file there unchanged (its SHA-256 as
    recorded). Copied to a temporary name and checked again before it is moved in."""
    if not old or old.get("fingerprint") != fingerprint or old.get("renderer") != renderer or not old.get("sha256"):
        return False
    source = previous / str(old.get("png", ""))
    if not source.is_file() or previous.resolve() not in source.resolve().parents:
        return False
    tmp = target.with_name(f".{target.name}.reused")
    try:
        shutil.copyfile(source, tmp)
        if _sha256(tmp) != old["sha256"]:
            return False
        os.replace(tmp, target)
    except OSError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    return True


def _export_maps(builders, folder: Path, *, basemap: str, png: bool, progress: Progress | None, timings: list,
                 combined_parts: Mapping[str, str] | None = None, previous: Path | None = None,
                 browser=None) -> tuple[list, dict]:
    """Build each map and write its page, one after the other; draw the PNGs on worker threads meanwhile (in tabs
    of the shared *browser* when there is one, else each in a Chromium process of its own).

    A map's PNG is copied from the previous bundle at *previous* instead of drawn when :func:`_reuse_png`
    finds that safe. The combined map is made of the maps already built (*combined_parts*: label -> name),
    after their pages are written (it takes their layers). Returns the exports, in the order of *builders*,
    and each map's manifest entry (build seconds, PNG fingerprint, SHA-256, renderer, whether reused).
    """

    from zzgeo.maps.export import MapExport, find_chromium, png_fingerprint, render_png, save_html

    (folder / "maps").mkdir(parents=True, exist_ok=True)
    old = _previous_pngs(previous) if png else {}
    renderer_now = ("chromium-playwright" if browser is not None else "chromium") if find_chromium() else "matplotlib"
    draw = functools.partial(render_png, browser=browser)
    built: dict[str, object] = {}
    entries: dict[str, dict] = {}
    exports: dict[str, object] = {}
    pending = {}
    build_s = html_s = 0.0
    workers = _png_workers()
    slots = _Slots(max(1, workers - 1))  # while maps are built here, one core less for Chromium
    with ThreadPoolExecutor(max_workers=workers) as pool:  # the threads wait for Chromium, which draws in processes of its own
        for i, (name, build) in enumerate(builders.items()):
            if progress:
                progress(_("map: {name}").format(name=name), i, len(builders))
            t0 = time.perf_counter()
            if name == "combined" and combined_parts is not None and all(p in built for p in combined_parts.values()):
                m = _combined_map({label: built.pop(part) for label, part in combined_parts.items()})
            else:
                m = build(basemap)
            t1 = time.perf_counter()
            html_path = save_html(m, folder / "maps" / f"{name}.html")
            build_s += t1 - t0
            first = getattr(build, "build_s", {}).get(basemap)  # built earlier for the QGIS styles: that time counts
            entries[name] = {"build_s": round(first if first is not None else t1 - t0, 3), "html": f"maps/{name}.html"}
            if combined_parts is not None and name in combined_parts.values():
                built[name] = m  # saved: the combined map may take its layers now
            if not png:
                html_s += time.perf_counter() - t1
                exports[name] = MapExport(html_path)
                continue
            png_path = html_path.with_suffix(".png")
            fingerprint = png_fingerprint(html_path, browser=browser)
            html_s += time.perf_counter() - t1
            entries[name].update(png=f"maps/{png_path.name}", fingerprint=fingerprint)
            if previous is not None and _reuse_png(old.get(name), fingerprint, renderer_now, previous, png_path):
                kept = old[name]
                entries[name].update(sha256=kept["sha256"], renderer=kept["renderer"], note=str(kept.get("note", "")),
                                     png_reused=True)
                exports[name] = MapExport(html_path, png_path, kept["renderer"], str(kept.get("note", "")))
                continue
            pending[name] = pool.submit(slots.run, draw, m, html_path, png_path)
        slots.resize(workers)
        timings.append(("maps: build", build_s))
        timings.append(("maps: HTML", html_s))
        if progress and png:
            progress(_("maps: PNG"), 0, 1)
        wait = time.perf_counter()
        for name, job in pending.items():
            made = job.result()
            exports[name] = made
            entries[name].update(sha256=_sha256(made.png), renderer=made.renderer, note=made.note, png_reused=False)
    if png:
        timings.append(("maps: PNG (wait after the last map)", time.perf_counter() - wait))
    return [exports[name] for name in builders], entries


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _href(path: object) -> str:
    """A relative link for an ``href``/``src`` attribute: URL-quoted, then HTML-escaped."""
    from urllib.parse import quote

    return _esc(quote(str(path)))


_INDEX_CSS = """body{font:14px/1.5 "Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",Arial,sans-serif;margin:24px auto;
max-width:1100px;color:#222;padding:0 16px}h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:28px}
.demo{background:#b00020;color:#fff;padding:10px 14px;border-radius:4px;font-weight:bold}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f0f0f0}td.n{text-align:right}
tr.fewer td{background:#fdecea}img{max-width:520px;border:1px solid #ccc;margin:4px 8px 4px 0}.maps{display:flex;flex-wrap:wrap}.small{font-size:12px;color:#555}"""


def _scorecard_html(scores) -> list[str]:
    """The scorecard table of ``index.html``: rank, district, score, indicators scored on (``5 of 6 *`` and a
    shaded row for a district scored on fewer) and each context indicator's raw value; ``—`` where there is no value."""
    from zzgeo.report.scoring import NO_VALUE, fewer_note, points_table, scores_for_people

    def cell(value: object, digits: int = 1) -> str:
        return _esc(value) if isinstance(value, str) else f"{value:,.{digits}f}"

    people = scores_for_people(scores.scores)
    parts = getattr(scores, "parts", None)
    context = pd.DataFrame(index=people.index)
    if parts is not None and "district" in people:
        wide = points_table(scores, for_people=True)
        context = wide[[c for c in wide.columns if c.endswith(" (context, raw)")]].reindex(people["district"]).set_axis(people.index)
    not_scored = _("context, not scored")
    heads = "".join(f"<th>背景 {_esc(c.removesuffix(' (context, raw)'))}<br><span class='small'>{not_scored}</span></th>"
                    for c in context.columns)
    table = scores.scores
    fewer = (table["indicators_used"] < table["indicators_total"]) if "indicators_total" in table else pd.Series(False, index=table.index)
    columns = [_("排名 rank"), _("区县 district"), _("得分 score"), _("参与指标 scored on")]
    out = ["<h2>" + _("District scorecard 区县综合得分") + "</h2><table><tr>" + "".join(f"<th>{c}</th>" for c in columns) + f"{heads}</tr>"]
    for i, row in people.iterrows():
        scored_on = str(row.get("scored_on", NO_VALUE))
        if fewer[i]:
            scored_on = _("{scored_on} (no value: {missing})").format(scored_on=scored_on, missing=row["missing_indicators"])
        extra = "".join(f"<td class='n'>{cell(v, 0)}</td>" for v in context.loc[i])
        out.append(f"<tr{' class=fewer' if fewer[i] else ''}><td class='n'>{cell(row['rank'], 0)}</td><td>{_esc(row['name'])}</td>"
                   f"<td class='n'>{cell(row['score'])}</td><td>{_esc(scored_on)}</td>{extra}</tr>")
    out.append("</table>")
    notes = [n for n in [fewer_note(scores) if hasattr(scores, "meta") else ""] if n]
    if len(context.columns):
        notes.append(_("context indicators are shown for reading the scores and earn no points"))
    notes.append(_("{no_value} = no value (never counted as 0)").format(no_value=NO_VALUE))
    out.append("<p class='small'>" + "<br>".join(_esc(n) for n in notes) + "</p>")
    return out


def _link(path: str, text: str) -> str:
    """``<a href='path'>text</a>``: *path* URL-quoted, *text* escaped."""
    return f"<a href='{_href(path)}'>{_esc(text)}</a>"


def _index_html(runs, scores, exports, tables, timings, config, created, reused=()) -> str:
    """The bundle's ``index.html``, in the interface language. Every text from configs, registers and results is
    HTML-escaped (``_esc``) and every link URL-quoted (``_href``): a district, title or note reading
    ``<img src=x onerror=...>`` shows as text and never runs."""
    from zzgeo.report.documents import _demo_item, _joined, map_page_title
    from zzgeo.report.runs import stage_label

    demo = {run.title: run.demo for run in runs.values() if run.demo}
    inputs = config.path or _("the shipped default layers")
    page_title = _("zzgeo report {created}").format(created=_esc(created))
    out = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{page_title}</title>",
           f"<style>{_INDEX_CSS}</style></head><body><h1>" + _("郑州 zzgeo report — 规划与选址分析报告") + "</h1>",
           "<p class='small'>" + _("created {created} by {generator}; inputs: {inputs}").format(
               created=_esc(created), generator=_GENERATOR, inputs=_esc(inputs)) + "</p>"]
    if demo:
        items = "".join(f"<li>{_esc(_demo_item(t, d))}</li>" for t, d in demo.items())
        out.append("<div class='demo'>" + _("DEMO DATA — these inputs are synthetic demonstration layers, not official data; "
                                            "every figure resting on them is illustrative:") + f"<ul>{items}</ul></div>")
    documents = [f"<a href='{_href(n)}'>{_esc(n)}</a>" for n in ("report.pdf", "report.docx") if n in tables]
    if documents:
        out.append("<p>" + _("To print or hand in 打印与提交: {documents} (A4 text, maps on landscape pages).").format(
            documents=_joined(documents, ", ", "、")) + "</p>")
    out += _scorecard_html(scores)
    out.append("<p>" + _("Each indicator's raw value, normalised value and points: {xlsx}, {parts}; {csv} ({csv_zh}). "
                         "{score_map}, {combined_map}.").format(
        xlsx=_link("scorecard.xlsx", "scorecard.xlsx"), parts=_link("score_parts.csv", "score_parts.csv"),
        csv=_link("scorecard.csv", "scorecard.csv"), csv_zh=_link("scorecard_zh.csv", "中文表头"),
        score_map=_link("maps/scores.html", _("score map")), combined_map=_link("maps/combined.html", _("all themes on one map"))) + "</p>")
    if "scorecard_by_unit.csv" in tables:
        out.append("<p>" + _("By the analysis units ([units] of the config, or --units; scored on the indicators measured by unit): "
                             "{xlsx}, {csv} ({csv_zh}), {parts}; {score_map}.").format(
            xlsx=_link("scorecard_by_unit.xlsx", "scorecard_by_unit.xlsx"), csv=_link("scorecard_by_unit.csv", "scorecard_by_unit.csv"),
            csv_zh=_link("scorecard_by_unit_zh.csv", "中文表头"), parts=_link("score_parts_by_unit.csv", "score_parts_by_unit.csv"),
            score_map=_link("maps/scores_by_unit.html", _("score map by unit"))) + "</p>")
    for key, run in runs.items():
        out.append(f"<h2>{_esc(run.title)} <span class='small'>{_esc(run.document)}</span></h2><ul>")
        out += [f"<li>{_esc(line)}</li>" for line in run.findings]
        out.append("</ul><div class='maps'>")
        for name in run.maps:
            e = next(x for x in exports if x.html.stem == f"{key}_{name}")
            title = map_page_title(e.html, str(name))  # the map's own title, not its id
            img = f"<img src='{_href('maps/' + e.png.name)}' alt='{_esc(title)}'>" if e.png else _esc(title)
            out.append(f"<a href='{_href('maps/' + e.html.name)}'>{img}</a>")
        links = ", ".join(f"<a href='{_href(t)}'>{_esc(Path(t).name)}</a>" for t in tables
                          if t.startswith("tables/") and (Path(t).name.startswith(f"{key}_") or Path(t).stem == key))
        out.append("</div><p class='small'>" + _("tables: {links}").format(links=links) + "</p>")
        if run.notes:
            out.append("<p class='small'>" + "<br>".join(_esc(n) for n in dict.fromkeys(run.notes)) + "</p>")
    renderers = _esc("; ".join(sorted({f"{e.renderer}: {e.note}" for e in exports if e.renderer}))) or _("not made (png = false)")
    out.append("<h2>" + _("How long each stage took 各阶段用时") + "</h2><table><tr><th>" + _("stage") + "</th><th>" + _("seconds")
               + "</th></tr>")
    out += [f"<tr><td>{_esc(stage_label(s))}</td><td class='n'>{t:.1f}</td></tr>" for s, t in timings]
    pngs = (_("PNG maps: {renderers}; copied from the previous bundle, their page, renderer and size unchanged: {maps}").format(
        renderers=renderers, maps=_esc(", ".join(reused))) if reused else _("PNG maps: {renderers}").format(renderers=renderers))
    out.append("</table><p class='small'>" + pngs + "</p></body></html>")
    return "\n".join(out)


def _check_target(out: Path, config: ReportConfig) -> None:
    if str(out).strip() in ("", ".") or out.name in ("", ".", ".."):
        raise StoreError(_("--out {out!r} names no folder; give one, e.g. --out out/report").format(out=str(out)))
    resolved = out.resolve()
    inputs = [*config.input_paths(), *([Path(config.path)] if config.path else [])]
    for f in inputs:
        if f.resolve() == resolved or resolved in f.resolve().parents:
            raise StoreError(_("report folder {out!r} holds the input {input!r}, which the new bundle would replace; "
                               "choose another --out or move the input").format(out=str(out), input=str(f)))
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / _MARKER).is_file())):
        raise StoreError(_("{out!r} exists and is not a zzgeo report folder; choose a new or empty folder for --out "
                           "(a previous report there is replaced whole)").format(out=str(out)))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftovers(out: Path) -> list[tuple[Path, str, int]]:
    """Temporary folders of earlier runs beside *out*: ``(path, "tmp" | "old", pid)``."""
    found = []
    for kind in ("tmp", "old"):
        for path in out.parent.glob(f".{out.name}.{kind}-*"):
            pid = path.name.rsplit("-", 1)[-1]
            if pid.isdigit():
                found.append((path, kind, int(pid)))
    return found


def recover_report_folder(out: str | os.PathLike[str]) -> list[str]:
    """Repair what an interrupted run left beside *out*; returns what was done (one line each).

    A run builds the bundle in ``.NAME.tmp-PID`` and swaps it in with two renames
    (the old bundle to ``.NAME.old-PID``, the new one to ``NAME``). A run killed
    between the renames leaves ``NAME`` missing: the old bundle is put back.
    Temporary folders of runs that are no longer alive are removed.

    Parameters
    ----------
    out : path-like
        The report folder.

    Returns
    -------
    list of str
        One line per repair; ``[]`` when there was nothing to do.

    Examples
    --------
    A run (process 999999999, long gone) killed between its two renames: the
    old bundle waits in ``.report.old-999999999`` and the new one in
    ``.report.tmp-999999999``, with no ``report``. The old bundle is put back
    and the half-made one removed; a second call finds nothing to do.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from zzgeo.report import recover_report_folder
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     old = Path(folder) / ".report.old-999999999"
    ...     old.mkdir()
    ...     _ = (old / "report.json").write_text("{}", encoding="utf-8")
    ...     (Path(folder) / ".report.tmp-999999999").mkdir()
    ...     for line in recover_report_folder(Path(folder) / "report"):
    ...         print(line)
    ...     sorted(p.name for p in Path(folder).iterdir()), recover_report_folder(Path(folder) / "report")
    restored the previous report '...report' from an interrupted run (.report.old-999999999)
    removed .report.tmp-999999999, left by an interrupted run
    (['report'], [])
    """
    out = Path(out)
    done = []
    if not out.parent.is_dir():
        return done
    for path, kind, pid in sorted(_leftovers(out), key=lambda t: t[1] == "tmp"):
        if _pid_alive(pid) and pid != os.getpid():
            continue  # another run is at work
        if kind == "old" and not out.exists() and (path / _MARKER).is_file():
            os.replace(path, out)
            done.append(_("restored the previous report {out!r} from an interrupted run ({folder})").format(out=str(out), folder=path.name))
        else:
            shutil.rmtree(path, ignore_errors=True)
            done.append(_("removed {folder}, left by an interrupted run").format(folder=path.name))
    return done


def _swap_in(tmp: Path, out: Path) -> None:
    """Replace *out* by *tmp* with two renames; the old bundle is removed only after the new one is in place.

    Interrupted between the renames, the next run (or :func:`recover_report_folder`) puts the old bundle back.
    """
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    try:
        os.replace(tmp, out)
    except BaseException:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@dataclass
class ReportResult:
    """Where the bundle went, what it holds, how long each stage took, and what rests on demo data.

    Attributes
    ----------
    out : pathlib.Path
        The bundle folder.
    files : list of str
        Every file written, relative to *out* (``index.html``, ``report.log``,
        ``report.json``, tables, scorecard, maps).
    timings : list of (str, float)
        Seconds per stage, ``"total"`` among them.
    demo : dict of str to list of str
        Theme key -> its inputs that are DEMO layers.
    renderers : list of str
        How the PNG maps were drawn.
    notes : list of str
        Repairs of an interrupted earlier run (:func:`recover_report_folder`).
    png_reused : list of str
        Maps whose PNG was copied from the previous bundle in the folder, their page, renderer and size unchanged.

    Examples
    --------
    What :func:`build_report` returns, and how to read it (a bundle on the
    default layers rests on DEMO data in every theme):

    >>> from pathlib import Path
    >>> from zzgeo.report import ReportResult
    >>> result = ReportResult(Path("out/report"), ["index.html", "report.log", "report.json", "scorecard.csv"],
    ...                       [("analysis: land-price", 4.2), ("scores", 0.3), ("total", 61.5)],
    ...                       {"land-price": ["grade zones", "parcels"]}, ["matplotlib: static matplotlib drawing"])
    >>> dict(result.timings)["total"], sorted(result.demo), result.notes
    (61.5, ['land-price'], [])
    """

    out: Path
    files: list[str]
    timings: list[tuple[str, float]]
    demo: dict[str, list[str]]
    renderers: list[str]
    notes: list[str] = field(default_factory=list)
    png_reused: list[str] = field(default_factory=list)


def postgis_tables(runs: Mapping[str, ThemeRun], scores) -> dict[str, pd.DataFrame]:
    """Every table of the bundle under a PostGIS-safe name (``shelters_coverage_by_district``, ``scorecard``, ...).

    Parameters
    ----------
    runs : mapping of str to ThemeRun
    scores : ScoreResult

    Returns
    -------
    dict of str to pandas.DataFrame
        ``scorecard``, ``score_parts`` and ``<theme>_<table>`` (``-`` as ``_``);
        lists and dicts in cells become JSON text, geometry is kept.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from zzgeo.maps import choropleth_map
    >>> from zzgeo.theme_run import ThemeRun
    >>> blocks = gpd.GeoDataFrame({"adcode": ["410102", "410103"], "share": [0.9, 0.5]},
    ...                           geometry=[box(113.60 + i / 20, 34.74, 113.64 + i / 20, 34.78) for i in range(2)], crs=4326)
    >>> run = ThemeRun("shelters", "避难场所 Shelters", "郑政文〔2022〕40号", tables={"coverage-by-district": blocks},
    ...                maps={"coverage": lambda basemap="none": choropleth_map(blocks, "share", title="coverage", basemap=basemap)},
    ...                demo=["register"])
    >>> import pandas as pd
    >>> from zzgeo.report import district_scores, postgis_tables
    >>> scores = district_scores(raw=pd.DataFrame({"shelter_coverage": [0.9, 0.5]}, index=["410102", "410103"]))
    >>> tables = postgis_tables({"shelters": run}, scores)
    >>> list(tables), type(tables["shelters_coverage_by_district"]).__name__
    (['scorecard', 'score_parts', 'shelters_coverage_by_district'], 'GeoDataFrame')
    """
    from zzgeo.io import portable_table

    tables = {"scorecard": scores.scores, "score_parts": scores.parts}
    for key, run in runs.items():
        for name, frame in run.tables.items():
            tables[f"{key}_{name}".replace("-", "_")] = portable_table(frame)
    return tables


def build_report(out: str | os.PathLike[str], config: ReportConfig | str | os.PathLike[str] | None = None, *,
                 png: bool | None = None, basemap: str | None = None, progress: Progress | None = None,
                 postgis: str | None = None) -> ReportResult:
    """Run every analysis and write the report bundle to *out* (replaced atomically).

    Parameters
    ----------
    out : path-like
        The bundle folder. It must be new, empty, or a previous bundle (it holds ``report.json``).
    config : ReportConfig or path, optional
        Report config; default: every theme on the shipped default layers.
    png : bool, optional
        Also write each map as PNG (Chromium, else matplotlib); default from the config (True).
    basemap : str, optional
        ``none`` (default, offline), ``osm`` or ``amap``.
    progress : callable, optional
        Called as ``progress(stage, done, total)``.
    postgis : str, optional
        Also write every table of the bundle to this PostGIS database
        (``postgresql://user@host:port/db``, optionally ``#schema``, default
        ``zzgeo_report``), all in one transaction, before the folder is swapped in.

    Returns
    -------
    ReportResult

    Raises
    ------
    ParameterError
        An unknown basemap, or a config, score config or input that is wrong.
    StoreError
        *out* names no folder, holds an input of the config, or exists and is
        not a report folder (checked before anything runs).

    Examples
    --------
    A full bundle runs every theme and takes tens of seconds or more:
    ``build_report("out/report")``. The folder is checked first, so a folder
    that holds other files is refused before anything runs, and left as it was:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from zzgeo.errors import StoreError
    >>> from zzgeo.report import build_report
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "notes.txt").write_text("mine", encoding="utf-8")
    ...     try:
    ...         build_report(folder)
    ...     except StoreError as exc:
    ...         print(str(exc).split("' ", 1)[1])
    ...     sorted(p.name for p in Path(folder).iterdir())
    exists and is not a zzgeo report folder; choose a new or empty folder for --out (a previous report there is replaced whole)
    ['notes.txt']
    >>> build_report("out/report", basemap="google")
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: basemap 'google': use one of none, osm, amap, or a tile URL template (http/https) with {x}, {y} and {z}
    """
    from zzgeo.report.scoring import district_scores, load_score_config

    config = config if isinstance(config, ReportConfig) else load_report_config(config)
    from zzgeo.maps.browser import open_browser
    from zzgeo.maps.export import find_chromium
    from zzgeo.maps.state import basemap_of

    png = config.png if png is None else png
    basemap = basemap or config.basemap
    basemap_of(basemap)  # none, osm, amap or a tile URL template; else one error line before any work
    target = Path(out)
    recovered = recover_report_folder(target)
    _check_target(target, config)
    score_config = load_score_config(config.score_config)
    timings: list[tuple[str, float]] = []
    total_start = time.perf_counter()
    runs = run_themes(config, progress=progress, timings=timings, parallel=True)
    start = time.perf_counter()
    scores = district_scores(score_config, runs=runs)
    unit_scores = _unit_scores(score_config, runs, scores)
    timings.append(("scores", time.perf_counter() - start))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    browser = None
    try:
        chromium = find_chromium()  # the executable the PNGs and the PDF would use (none: matplotlib, no PDF)
        browser = open_browser(chromium) if chromium else None  # one headless Chromium for both (None without
        # Playwright); it starts meanwhile
        bundle_notes: list[str] = []
        files, exports, maps = _write_bundle(tmp, runs, scores, score_config, basemap=basemap, png=png, progress=progress,
                                             timings=timings, previous=target if target.is_dir() else None, unit_scores=unit_scores,
                                             notes=bundle_notes, browser=browser)
        created = _dt.datetime.now(BEIJING)
        written, document_notes = _write_documents(tmp, runs, scores, exports, config, created, progress, timings,
                                                   browser=browser)
        if browser is not None:
            browser.close()
        files += written
        document_notes = [*bundle_notes, *document_notes]
        timings.append(("total", time.perf_counter() - total_start))
        result = _write_front(tmp, runs, scores, exports, files, timings, config, maps, created=created, notes=document_notes)
        if postgis:
            from zzgeo.store import split_url, write_tables

            dsn, schema = split_url(postgis, "zzgeo_report")
            write_tables(postgis_tables(runs, scores), dsn, schema=schema)
        _swap_in(tmp, target)
    finally:
        if browser is not None:
            browser.close()  # closing twice does nothing
        shutil.rmtree(tmp, ignore_errors=True)
    result.out = target
    result.notes = [*recovered, *document_notes]
    return result


def _write_documents(tmp: Path, runs, scores, exports, config: ReportConfig, created: _dt.datetime, progress, timings, *,
                     browser=None) -> tuple[list[str], list[str]]:
    """``report.pdf`` (headless Chromium: a tab of the shared *browser* when there is one) and ``report.docx``
    (python-docx) from one :class:`ReportDocument`; the files written and the notes (why the PDF is missing, maps
    without PNG)."""
    from zzgeo.errors import ChromiumError
    from zzgeo.report.documents import beijing_time, report_document, write_docx, write_pdf

    start = time.perf_counter()
    if progress:
        progress(_("documents"), 0, 1)
    doc = report_document(runs, scores, exports, created=beijing_time(created),
                          inputs=config.path or _("the shipped default layers"), map_paper=config.map_paper)
    files, notes = [], []
    if any(m.png is None for m in doc.maps):
        notes.append(_("report.pdf and report.docx show the maps as links only: this bundle has no PNGs (png = false)"))
    write_docx(doc, tmp / "report.docx")
    files.append("report.docx")
    try:
        write_pdf(doc, tmp, browser=browser)
        files.append("report.pdf")
    except ChromiumError as exc:
        notes.append(_("report.pdf not written: {reason}").format(reason=str(exc).splitlines()[0]))
    timings.append(("documents (PDF, Word)", time.perf_counter() - start))
    return files, notes


def _unit_scores(score_config, runs, scores):
    """Scores by the report's analysis units (``(ScoreResult, polygons)``), or ``None`` without ``[units]``."""
    from zzgeo.report.scoring import district_scores, unit_indicators

    found = unit_indicators(runs)
    if found is None:
        return None
    raw, areas = found
    result = district_scores(score_config, raw=raw)
    demo = sorted({*scores.meta.get("demo_themes", []), *(k for k, r in runs.items() if "analysis units" in r.demo)})
    result.meta["demo_themes"] = demo
    result.parts["demo"] = result.parts["theme"].isin(demo)
    return result, areas


def _built_once(build: Callable[..., object]) -> Callable[..., object]:
    """*build* that makes its map once per basemap for this bundle: the QGIS styles read the same map the page is
    written from (reading a map's legend and layers does not change it)."""
    made: dict[object, object] = {}
    seconds: dict[object, float] = {}

    def once(basemap: str = "none") -> object:
        if basemap not in made:
            start = time.perf_counter()
            made[basemap] = build(basemap)
            seconds[basemap] = time.perf_counter() - start
        return made[basemap]

    once.build_s = seconds  # type: ignore[attr-defined]  # the first build's time, for the manifest's map_build_s
    return once


def _write_bundle(tmp: Path, runs, scores, score_config, *, basemap: str, png: bool, progress, timings,
                  previous: Path | None = None, unit_scores=None, notes: list[str] | None = None,
                  browser=None) -> tuple[list[str], list, dict]:
    """Tables, scorecard and maps into *tmp*; the files written (relative), the map exports and the maps' manifest
    entries (PNGs of unchanged maps are copied from the bundle at *previous*; the others drawn in the shared
    *browser* when there is one)."""
    start = time.perf_counter()
    if progress:
        progress(_("tables"), 0, 1)
    runs = {key: replace(run, maps={name: _built_once(build) for name, build in run.maps.items()}) for key, run in runs.items()}
    files = _write_tables(runs, tmp, notes) + _write_scorecard(scores, score_config, tmp)
    builders = theme_maps(runs, scores)
    if unit_scores is not None:
        from zzgeo.report.scoring import score_map

        result, areas = unit_scores
        files += _write_scorecard(result, score_config, tmp, suffix="_by_unit")
        builders["scores_by_unit"] = lambda basemap="none": score_map(result, basemap=basemap, areas=areas)
    timings.append(("tables and scorecard", time.perf_counter() - start))
    start = time.perf_counter()
    from zzgeo.report.qgis_layers import write_report_styles

    styles = write_report_styles(tmp, runs, scores, unit_scores=unit_scores)  # district polygons; QGIS styles as the maps
    files += styles.files
    if notes is not None:
        notes.extend(styles.notes)
    timings.append(("GeoPackage layers and QGIS styles", time.perf_counter() - start))
    exports, maps = _export_maps(builders, tmp, basemap=basemap, png=png, progress=progress, timings=timings,
                                 combined_parts=_combined_parts(runs, scores), previous=previous, browser=browser)
    files += [f"maps/{e.html.name}" for e in exports] + [f"maps/{e.png.name}" for e in exports if e.png]
    return files, exports, maps


def _write_front(tmp: Path, runs, scores, exports, files, timings, config, maps: dict | None = None, *,
                 created: _dt.datetime | None = None, notes: list[str] = ()) -> ReportResult:
    """index.html, report.log and the report.json manifest (which marks the folder as a zzgeo report); times in
    Beijing time (UTC+8)."""
    created = (created or _dt.datetime.now(BEIJING)).astimezone(BEIJING).isoformat(timespec="seconds")
    maps = maps or {}
    reused = [name for name, entry in maps.items() if entry.get("png_reused")]
    from zzgeo.report.documents import beijing_time

    shown = beijing_time(_dt.datetime.fromisoformat(created))  # as the PDF and the Word file show it
    (tmp / "index.html").write_text(_index_html(runs, scores, exports, files, timings, config, shown, reused), encoding="utf-8")
    demo = {k: r.demo for k, r in runs.items() if r.demo}
    renderers = sorted({f"{e.renderer}: {e.note}" for e in exports if e.renderer})
    log = [f"{_GENERATOR} {created}", f"config: {config.path or 'defaults'}", *[f"{s:<28} {t:8.2f} s" for s, t in timings],
           *[f"  map {name:<24} {entry['build_s']:8.2f} s to build" for name, entry in maps.items()],
           *[f"DEMO: {k}: {', '.join(v)}" for k, v in demo.items()], *[f"PNG renderer {r}" for r in renderers],
           *([f"PNG reused from the previous bundle (page, renderer and size unchanged): {', '.join(reused)}"] if reused else []),
           *notes]
    (tmp / "report.log").write_text("\n".join(log) + "\n", encoding="utf-8")
    files = ["index.html", "report.log", _MARKER, *files]
    manifest = {"generator": _GENERATOR, "created": created, "config": config.path, "files": files, "demo": demo,
                "timings_s": {s: round(t, 3) for s, t in timings},
                "map_build_s": {name: entry["build_s"] for name, entry in maps.items()}, "renderers": renderers,
                "png_reused": reused, "maps": maps, "notes": list(notes)}
    (tmp / _MARKER).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return ReportResult(tmp, files, timings, demo, renderers, png_reused=reused)
