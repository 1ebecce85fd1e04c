"""Commands on the shared base: the layer store, the policy register, the districts.

Imports only typer and :mod:`zzgeo._cli` at module level (``zzgeo --help`` stays fast).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from zzgeo._cli import JsonOption, OutCrsOption, OutOption, echo_json, label_of, print_frame
from zzgeo.i18n import N_, _

#: The columns of ``zzgeo layers list`` / ``build`` (headings in the interface language; --json keeps the ids).
LAYER_COLUMNS = [N_("layer"), N_("kind"), N_("features"), N_("built"), N_("title"), N_("source"), N_("licence")]
#: A layer's kind and a district's kind as people read them (the ids stay in --json).
KIND_LABELS = {"real": N_("real"), "demo": N_("demo"), "district": N_("urban district"), "county": N_("county"),
               "city": N_("county-level city")}

__all__ = ["layers_app", "policy_app", "districts_cmd", "score_cmd", "map_cmd", "report_cmd"]

layers_app = typer.Typer(help="The layer store (a checkout's layers/zzgeo.gpkg, else the per-user data folder: zzgeo layers path) and the provenance of every layer.", no_args_is_help=True)
policy_app = typer.Typer(help="Status of municipal normative documents (郑政〔2022〕6号 register and later acts).", no_args_is_help=True)


@layers_app.command("build")
def layers_build(
    store: Annotated[Optional[str], typer.Option(help="GeoPackage to write (default: layers/zzgeo.gpkg in a checkout, else the per-user data folder; see zzgeo layers path), or a PostGIS database postgresql://user@host:port/db, optionally #schema (default zzgeo); one transaction.")] = None,
) -> None:
    """Build every default layer from the installed packages and data files."""
    from zzgeo.layers import build_store, list_layers

    path = build_store(store, progress=lambda step: typer.echo(f"  {step}", err=True))
    typer.echo(_("built {path}").format(path=path))
    print_frame(_shown_kinds(list_layers(path)), columns=LAYER_COLUMNS[:5])


@layers_app.command("list")
def layers_list(
    store: Annotated[Optional[str], typer.Option(help="GeoPackage store or PostGIS URL (default: the --store of zzgeo, ZZGEO_STORE, or the default store: zzgeo layers path).")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the layers with their provenance (source, licence, real or demo, date)."""
    from zzgeo.layers import PROVENANCE_TABLE, read_layer_arrays

    rows = _records(read_layer_arrays(PROVENANCE_TABLE, store))  # no pandas or geopandas to list a table
    if as_json:
        echo_json(rows)
    else:
        print_frame(_shown_kinds(rows), columns=LAYER_COLUMNS)


def _shown_kinds(rows):
    """*rows* (records or a frame) with ``kind`` as people read it (:data:`KIND_LABELS`)."""
    if isinstance(rows, list):
        return [{**r, "kind": label_of(r.get("kind"), KIND_LABELS)} for r in rows]
    return rows.assign(kind=[label_of(k, KIND_LABELS) for k in rows["kind"]]) if "kind" in rows else rows


def _records(arrays: dict) -> list[dict]:
    """Rows of a layer read by :func:`zzgeo.layers.read_layer_arrays`, without its geometry, as plain Python values."""
    columns = {name: values.tolist() for name, values in arrays.items() if name != "geometry"}
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


@layers_app.command("path")
def layers_path() -> None:
    """Print where the layer store is: ZZGEO_STORE, a checkout's layers/zzgeo.gpkg, or the per-user data folder."""
    from zzgeo.layers import default_store

    typer.echo(str(default_store()))


@policy_app.command("status")
def policy_status(
    doc_number: Annotated[str, typer.Argument(help="Document number, e.g. 郑政文〔2011〕244号 (brackets [] () accepted).")],
    as_json: JsonOption = False,
) -> None:
    """Report a document's status: valid, to be revised or abolished, and by what."""
    from zzgeo.policy import STATUS_LABELS, status

    st = status(doc_number)
    if as_json:
        echo_json(st.to_dict())
        return
    typer.echo(f"{st.doc_number}  {st.title}")
    typer.echo(_("status: {status} (as of {as_of})").format(status=label_of(st.status, STATUS_LABELS), as_of=st.as_of))
    if st.register_status:
        typer.echo(_("in 郑政〔2022〕6号 annex {annex}, no. {seq}: {status}").format(
            annex=st.register_annex, seq=st.register_seq, status=label_of(st.register_status, STATUS_LABELS)))
    for ev in st.events:
        typer.echo(_("{date}: {event} by {doc_number}: {quote}").format(date=ev.date, event=label_of(ev.event, STATUS_LABELS),
                                                                        doc_number=ev.by_doc_number, quote=ev.quote))
    if st.note:
        typer.echo(_("note: {note}").format(note=st.note))


def districts_cmd(as_json: JsonOption = False) -> None:
    """The 12 county-level units with area (EPSG:4547) and 2020 census population."""
    from zzgeo.layers import read_layer_arrays

    rows = _records(read_layer_arrays("districts"))
    if as_json:
        echo_json(rows)
    else:
        print_frame(_shown_kinds(rows), columns=[N_("adcode"), N_("name"), N_("kind"), N_("area_km2"), N_("pop_census_row"), N_("pop_from_zones"),
                                   N_("population")])


def score_cmd(
    config: Annotated[Optional[str], typer.Option("--config", help="Score config like zzgeo/data/scores.toml (indicators, directions, normalisation, weights).")] = None,
    as_json: JsonOption = False,
    out: OutOption = None, out_crs: OutCrsOption = None,
) -> None:
    """Composite score per district across the themes, with each indicator's raw value, normalised value and contribution."""
    from zzgeo._cli import Outcome, demo_notice, inputs_of
    from zzgeo._records import json_safe
    from zzgeo.report.scoring import CONTEXT, NO_VALUE, district_scores, fewer_note, points_table, scores_for_people

    outcome = Outcome(out, inputs_of(config), out_crs=out_crs)  # checked before any analysis runs
    result = district_scores(config)
    wide = result.scores.merge(points_table(result), left_on="district", right_index=True)
    from zzgeo.report.runs import theme_label

    demo = (_("the inputs of {themes}").format(themes=_(", ").join(theme_label(t) for t in result.meta["demo_themes"]))
            if result.meta["demo_themes"] else None)
    outcome.write(wide, demo=demo)
    if as_json:
        scores = result.scores.astype(object).where(result.scores.notna(), None)  # no rank (pd.NA) -> null, like NaN
        outcome.json(json_safe({"meta": result.meta, "scores": scores.to_dict("records"), "parts": result.parts.to_dict("records")}))
    else:
        people = scores_for_people(result.scores).rename(columns={"scored_on": "scored on", "missing_indicators": "no value for"})
        print_frame(people, title=_(result.meta["title"]),
                    columns=[N_("rank"), N_("name"), N_("score"), N_("scored on"), N_("no value for")])
        points = points_table(result, for_people=True)
        points.insert(0, "name", result.scores.set_index("district")["name"].reindex(points.index))
        print_frame(points, title=_("Points per indicator (weight used x normalised x 100); context: raw value, no points")
                    if result.meta.get("context") else _("Points per indicator (weight used x normalised x 100)"))
        context = [_("{mark}: shown, never scored: {names}").format(mark=_(CONTEXT), names=", ".join(result.meta["context"]))]
        for line in (fewer_note(result), _("{mark} = no value, never counted as 0").format(mark=NO_VALUE),
                     *(context if result.meta.get("context") else [])):
            if line:
                typer.echo(line)
    outcome.console()
    if demo:
        demo_notice(demo)


ConfigOption = Annotated[Optional[str], typer.Option("--config", help="Report config (TOML): your files per theme, the score config, basemap; see zzgeo/data/report.toml.")]
BasemapOption = Annotated[Optional[str], typer.Option("--basemap", help="none (default: works offline), osm, amap (高德; layers shifted to GCJ-02), or your tile URL template with {x} {y} {z}, e.g. an intranet or 天地图 server with its key. Tiles need a network.")]
MAP_THEMES = ("land-price", "shelters", "groundwater", "children", "scores", "all")  # as zzgeo.report.MAP_THEMES


def map_cmd(
    theme: Annotated[str, typer.Argument(help=f"One of {', '.join(MAP_THEMES)} (all: every theme on one map with a layer control).")],
    out: Annotated[Optional[Path], typer.Option("--out", help="HTML file (default: maps/THEME.html); never an input.")] = None,
    png: Annotated[bool, typer.Option("--png", help="Also write a PNG beside the HTML (headless Chromium, else matplotlib).")] = False,
    which: Annotated[Optional[str], typer.Option("--which", help="Another map of the theme, e.g. siting_2029 or childcare_access.")] = None,
    config: ConfigOption = None,
    basemap: BasemapOption = None,
    renderer: Annotated[str, typer.Option("--renderer", help="PNG renderer: auto, chromium or matplotlib.")] = "auto",
    width: Annotated[int, typer.Option("--width", help="PNG width in pixels.")] = 1200,
    height: Annotated[int, typer.Option("--height", help="PNG height in pixels.")] = 900,
) -> None:
    """Draw one theme's map as a self-contained HTML page (works offline), and optionally a PNG."""
    from zzgeo._cli import demo_notice
    from zzgeo.errors import ParameterError, StoreError
    from zzgeo.maps.export import export_map
    from zzgeo.maps import default_maps_dir
    from zzgeo.maps.state import basemap_of
    from zzgeo.report import load_report_config, theme_map

    target = out or default_maps_dir() / f"{theme}.html"
    if str(target).strip() in ("", ".") or target.is_dir() or target.suffix.lower() not in (".html", ".htm"):
        raise ParameterError(_("--out {target!r}: give an .html file, e.g. maps/{theme}.html").format(target=str(target), theme=theme))
    written = [target, *([target.with_suffix(".png")] if png else [])]

    def refuse_inputs(inputs) -> None:
        for path in written:
            if any(p.resolve() == path.resolve() for p in inputs):
                raise StoreError(_("--out {target!r} would overwrite the input {path!r}; choose another file").format(
                    target=str(target), path=str(path)))

    refuse_inputs([Path(config)] if config else [])  # before the config is even read
    cfg = load_report_config(config)
    refuse_inputs(cfg.input_paths())
    basemap_of(basemap or cfg.basemap)  # a name or a tile URL template, checked before any analysis runs
    build, demo = theme_map(theme, cfg, which=which)
    result = export_map(build(basemap or cfg.basemap), target, png=png, renderer=renderer, width=width, height=height)
    typer.echo(_("map (offline HTML): {html}").format(html=result.html))
    if result.png:
        typer.echo(_("map (PNG, {renderer}): {png} — {note}").format(renderer=result.renderer, png=result.png, note=result.note))
    if demo:
        demo_notice(_(", ").join(_(x) for x in demo))


def report_cmd(
    out: Annotated[Path, typer.Option("--out", help="Bundle folder: new, empty, or a previous report (replaced whole).")] = Path("out/report"),
    config: ConfigOption = None,
    png: Annotated[Optional[bool], typer.Option("--png/--no-png", help="Also write every map as PNG (default: yes).")] = None,
    basemap: BasemapOption = None,
    postgis: Annotated[Optional[str], typer.Option("--postgis", help="Also write every table of the bundle to PostGIS: postgresql://user@host:port/db, optionally #schema (default zzgeo_report); one transaction.")] = None,
    as_json: JsonOption = False,
    units: Annotated[Optional[str], typer.Option("--units", help="Also report shelters, children and scores by these units: a polygon file (街道/乡镇/社区) or 'demo' (the DEMO units); overrides the config's [units] file (its column keys still apply).")] = None,
) -> None:
    """The main job: every analysis, the district scorecard, all maps (HTML + PNG) and index.html, in one folder."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from zzgeo._cli import demo_notice, run_note
    from zzgeo.report import build_report

    if units is not None:
        import dataclasses

        from zzgeo.report import load_report_config

        loaded = load_report_config(config)
        config = dataclasses.replace(loaded, units={**loaded.units, "file": units})

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description:<34}"), BarColumn(), TimeElapsedColumn(), console=console, transient=True,
                  disable=as_json or not console.is_terminal) as bar:
        task = bar.add_task("report", total=None)
        result = build_report(out, config, png=png, basemap=basemap, postgis=postgis,
                              progress=lambda stage, done, total: bar.update(task, description=stage))
    for line in result.notes:
        run_note(line)
    if as_json:
        echo_json({"out": str(result.out), "files": result.files, "timings_s": dict(result.timings), "demo": result.demo,
                   "renderers": result.renderers})
    else:
        typer.echo(_("report: {index} ({n} files)").format(index=result.out / "index.html", n=len(result.files)))
        from rich.cells import cell_len

        from zzgeo.report.runs import stage_label

        for stage, seconds in result.timings:
            label = stage_label(stage)
            typer.echo(f"  {label}{' ' * max(1, 36 - cell_len(label))}{seconds:6.1f} s")  # a Chinese character is two columns
        for renderer in result.renderers:
            typer.echo(_("PNG maps by {renderer}").format(renderer=renderer))
    if result.demo:
        from zzgeo.report.runs import theme_label

        demo_notice(_("; ").join(f"{theme_label(k)}: {_(', ').join(_(x) for x in v)}" for k, v in result.demo.items()))
