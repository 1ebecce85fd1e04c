"""``zzgeo shelters``: coverage by district and siting, a thin layer over :mod:`zzgeo.shelters`.

Only typer and the standard library are imported here at module level, so
``zzgeo --help`` stays fast; each command imports what it needs. zzgeo's
exceptions propagate to the entry point, which prints them and exits 2.
"""

from __future__ import annotations

import math
from typing import Annotated, Optional

import typer

from zzgeo._cli import (
    ColumnsOption,
    CrsOption,
    JsonOption,
    LayerOption,
    OnErrorOption,
    OutCrsOption,
    OutOption,
    Outcome,
    PartitionsOption,
    SchedulerOption,
    inputs_of,
)
from zzgeo._units_cli import (
    UnitsCodeOption,
    UnitsCrsOption,
    UnitsLayerOption,
    UnitsNameOption,
    UnitsOption,
    UnitsParentOption,
    UnitsPopulationOption,
    units_from_options,
)

from zzgeo.i18n import N_, _

app = typer.Typer(
    help="Emergency shelters (应急避难场所): per-capita area and coverage by district against the "
    "2025/2029 targets of 郑政文〔2022〕40号, and candidate sites that close the gap.",
    no_args_is_help=True,
)

YearOption = Annotated[int, typer.Option("--year", help="Target year: 2025 (2 m²/person) or 2029 (3 m²/person).")]
RegisterOption = Annotated[Optional[str], typer.Option("--register", help="Shelter register: CSV/Excel/GeoJSON/GeoPackage/Shapefile or postgresql://... (default: the DEMO register).")]
PopulationOption = Annotated[Optional[str], typer.Option("--population", help="Population GeoTIFF or polygon/point layer with a population column (default: census 2020 spread uniformly within each district).")]
PopColumnOption = Annotated[Optional[str], typer.Option("--population-column", help="Population column of --population (default: population/pop/人口...).")]
RulesOption = Annotated[Optional[str], typer.Option("--rules", help="Rule file (TOML like zzgeo/data/shelters/classes_zhengzhou2011.toml) or a packaged id: zhengzhou-2011-defaults, gb51143-2015-unverified.")]
CellOption = Annotated[float, typer.Option("--cell-m", help="Grid spacing (m) of the default population surface.")]
NetworkOption = Annotated[Optional[str], typer.Option("--network", help="Road lines for network distances (default: straight line).")]


def _common(register, population, population_column, rules, crs, columns, layer, cell_m, network, on_error, units=None):
    """Load what both commands need: rules, districts, register, demand, network.

    With *units* (:class:`zzgeo.units.AnalysisUnits`) the demand is the
    population layer located in the units, or ``None`` (each unit's residents
    spread over its cells by :func:`~zzgeo.shelters.coverage.shelter_coverage`).
    """
    from zzgeo.layers import read_layer
    from zzgeo.registers import parse_columns_option
    from zzgeo.spatial.surface import read_population
    from zzgeo.shelters.register import read_register
    from zzgeo.shelters.rules import load_rules

    rule_set = load_rules(rules)
    districts = read_layer("districts")
    if register is None:
        from zzgeo.shelters.demo import demo_register

        source = demo_register()
    else:
        source = register
    own = units is not None and not units.is_default  # a 街道 column is checked against them, points near their edges flagged
    reg = read_register(source, crs=crs, columns=parse_columns_option(columns), layer=layer, rules=rule_set,
                        districts=districts, on_error=on_error, **({"units": units.frame} if own else {}))
    if units is None or units.is_default:
        demand = read_population(population, column=population_column, cell_m=cell_m, districts=districts)
    else:
        demand = read_population(population, column=population_column, cell_m=cell_m, districts=units.frame) if population else None
    net = None
    if network:
        from zzgeo.io import read_vector

        net = read_vector(network, name=network)
    return rule_set, districts, reg, demand, net


def _demo_inputs(register_demo: bool, units) -> list[str]:
    """The demo inputs of a coverage run: the register, the analysis units."""
    return [*([N_("the shelter register")] if register_demo else []), *([N_("the analysis units")] if units is not None and units.demo else [])]


def _demo_banner(console, what: str) -> None:
    from rich.markup import escape

    console.print(f"[bold white on red] {escape(_('DEMO DATA'))} [/] "
                  + escape(_("{what}: synthetic demo data, not an official source; figures are illustrative only.").format(what=_(what))))


def _fmt(value: object, kind: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool):
        no = _("no")
        return _("yes") if value else f"[red]{no}[/]"
    if kind == "pct":
        return f"{100 * float(value):.1f}%"
    if kind == "m2pp":
        return f"{float(value):.2f}"
    if isinstance(value, float):
        return f"{value:,.0f}"
    from rich.markup import escape

    return escape(str(value))  # a name from a register is shown as typed, never read as markup


@app.command("coverage")
def coverage(
    year: YearOption = 2025,
    register: RegisterOption = None,
    population: PopulationOption = None,
    population_column: PopColumnOption = None,
    as_json: JsonOption = False,
    rules: RulesOption = None,
    crs: CrsOption = None,
    columns: ColumnsOption = None,
    layer: LayerOption = None,
    cell_m: CellOption = 250.0,
    network: NetworkOption = None,
    on_error: OnErrorOption = "raise",
    assignment: Annotated[str, typer.Option("--assignment", help="Capacity assignment: auto, maxflow (exact) or greedy.")] = "auto",
    out: OutOption = None, out_crs: OutCrsOption = None,
    scheduler: SchedulerOption = None,
    partitions: PartitionsOption = None,
    units: UnitsOption = None,
    units_name: UnitsNameOption = None,
    units_code: UnitsCodeOption = None,
    units_population: UnitsPopulationOption = None,
    units_parent: UnitsParentOption = None,
    units_layer: UnitsLayerOption = None,
    units_crs: UnitsCrsOption = None,
) -> None:
    """Per-capita shelter area, gap to the 2025/2029 targets and service coverage, by district or by --units."""
    from zzgeo.shelters.coverage import coverage_records, shelter_coverage

    outcome = Outcome(out, inputs_of(register, population, network, rules, units), out_crs=out_crs)
    analysis_units = units_from_options(units, units_name, units_code, units_population, units_parent, units_layer, units_crs)
    rule_set, districts, reg, demand, net = _common(register, population, population_column, rules, crs,
                                                    columns, layer, cell_m, network, on_error, analysis_units)
    kwargs = {"year": year, "rules": rule_set, "districts": districts, "network": net, "assignment": assignment}
    if analysis_units is not None:
        kwargs["units"] = analysis_units
    if scheduler:
        from zzgeo.shelters.scale import shelter_coverage_dask

        result = shelter_coverage_dask(reg, demand, npartitions=partitions, scheduler=scheduler, **kwargs)
    else:
        result = shelter_coverage(reg, demand, **kwargs)
    outcome.register(reg, input_name=register or _(N_("DEMO register")))
    outcome.write(_shapes(districts, analysis_units).merge(result.table, on="adcode", how="inner"),
                  demo=_demo_inputs(result.meta["demo"], analysis_units))
    if as_json:
        outcome.json(coverage_records(result))
    else:
        _print_coverage(result, out)
    outcome.console(what=_("register row(s)"))


def _shapes(districts, units):
    """Polygons of the table's rows: the units, and the county-level units for their parents."""
    if units is None or units.is_default:
        return districts[["adcode", "geometry"]]
    import pandas as pd

    own = units.frame[["adcode", "geometry"]].to_crs(districts.crs)
    return pd.concat([own, districts[["adcode", "geometry"]]], ignore_index=True).drop_duplicates("adcode")


_TEXT_COLUMNS = ("adcode", "name", "district_name", "shelter_class")


def _shown(value: object) -> object:
    from zzgeo.shelters.rules import shown_value

    return shown_value(value)


#: The city-wide row as a person reads it: its gap is the sum of the district gaps, not the city's own shortfall
#: (the city total of area minus target x population is smaller: a surplus in one district fills no gap in another).
CITY_ROW_LABEL = N_("郑州市 (city-wide; gap = sum of the district gaps)")


def _row_name(row, city: bool) -> object:
    """The name shown for a row: the city-wide row of the 12 districts (*city*) says its gap is the sum of theirs."""
    from zzgeo.shelters.coverage import CITY_ADCODE

    return _(CITY_ROW_LABEL) if city and str(row.get("adcode")) == CITY_ADCODE else row.get("name")


def _print_rows(frame, heads, title: str, *, keys: int, city: bool = False) -> None:
    """*frame*'s columns ``(column, format, label)`` as a table that never cuts a figure (:func:`zzgeo._cli.print_table`)."""
    from zzgeo._cli import print_table

    rows = [[_fmt(_row_name(row, city) if h == "name" else row[h], k) for h, k, _label in heads] for _i, row in frame.iterrows()]
    print_table([_(label) for _h, _f, label in heads], rows, title=title, keys=keys,
                justify=["left" if h in _TEXT_COLUMNS else "right" for h, _f, _l in heads])


def _print_coverage(result, out) -> None:
    from rich.console import Console

    console = Console(soft_wrap=True)  # notes on one line each: the terminal (or the reader) wraps them, never mid-word at 80
    meta = result.meta
    if meta["demo"]:
        _demo_banner(console, N_("The shelter register"))
    by = meta.get("units", {}).get("label", _("district"))
    title = _("Shelters by {by} — target {target} m²/person by end-{year} ({source})").format(
        by=by, target=f"{meta['target_m2']:g}", year=meta["year"], source=meta["target_source"].split(" ")[0])
    heads = (("adcode", "", N_("adcode") if "units" not in meta else N_("code")), ("name", "", N_("district") if "units" not in meta else N_("unit")), ("population", "", N_("population")),
             ("effective_area_m2", "", N_("area m²")), ("per_capita_m2", "m2pp", N_("m²/person")), ("meets_2025", "", N_("2025")),
             ("gap_2025_m2", "", N_("gap 2025 m²")), ("meets_2029", "", N_("2029")), ("gap_2029_m2", "", N_("gap 2029 m²")),
             ("covered_share", "pct", N_("in reach")), ("assured_share", "pct", N_("assured")))
    _print_rows(result.table, heads, title, keys=2, city="units" not in meta)
    rs = meta["rule_set"]
    console.print(_("rule set: {id} ({status}) — {source}").format(id=rs["id"], status=_shown(rs["status"]), source=_shown(rs["source"])))
    console.print(_("population: {method}").format(method=meta["population_method"]))
    console.print(_("distance: {metric}; assured places: {assignment}").format(metric=_shown(meta["distance"]), assignment=meta["assignment"]))
    for note in meta["notes"]:
        console.print(_("note: {note}").format(note=note))
    if out is not None:
        console.print(_("wrote {path}").format(path=out))
    if meta["demo"]:
        _demo_banner(console, N_("The shelter register"))


@app.command("site")
def site(
    year: YearOption = 2029,
    candidates: Annotated[Optional[str], typer.Option("--candidates", help="Candidate sites with usable area (default: the DEMO candidates).")] = None,
    register: RegisterOption = None,
    population: PopulationOption = None,
    population_column: PopColumnOption = None,
    as_json: JsonOption = False,
    out: OutOption = None, out_crs: OutCrsOption = None,
    rules: RulesOption = None,
    crs: CrsOption = None,
    columns: ColumnsOption = None,
    layer: LayerOption = None,
    candidates_crs: Annotated[Optional[str], typer.Option("--candidates-crs", help="Candidate coordinates (default: --crs).")] = None,
    candidate_columns: Annotated[Optional[str], typer.Option("--candidate-columns", help="Candidate column mapping, like --columns.")] = None,
    cell_m: CellOption = 250.0,
    network: NetworkOption = None,
    on_error: OnErrorOption = "raise",
    method: Annotated[str, typer.Option("--method", help="auto, exact (PuLP/CBC) or greedy.")] = "auto",
) -> None:
    """Choose candidate sites (>= 2000 m² usable) to reach the target in every district, most residents newly covered."""
    from zzgeo.registers import parse_columns_option
    from zzgeo.shelters.candidates import read_candidates
    from zzgeo.shelters.siting import site_shelters, siting_records

    outcome = Outcome(out, inputs_of(register, population, network, rules, candidates), out_crs=out_crs)
    rule_set, districts, reg, demand, net = _common(register, population, population_column, rules, crs,
                                                    columns, layer, cell_m, network, on_error)
    if candidates is None:
        from zzgeo.shelters.demo import demo_candidates

        cand_source = demo_candidates()
    else:
        cand_source = candidates
    cands = read_candidates(cand_source, crs=candidates_crs or crs, columns=parse_columns_option(candidate_columns),
                            rules=rule_set, districts=districts, on_error=on_error)
    result = site_shelters(reg, cands, demand, year=year, rules=rule_set, districts=districts, network=net, method=method)
    outcome.register(reg, input_name=register or _(N_("DEMO register")))
    rejected_register = list(outcome.rejected)
    outcome.register(cands, input_name=candidates or _(N_("DEMO candidates")))
    outcome.write(result.chosen, demo=N_("the register and/or the candidate sites") if result.meta["demo"] else None)
    if as_json:  # "candidates_not_used": below 2,000 m² or invalid; "rejected": every register/candidate row left out
        outcome.json({**siting_records(result), "rejected_register": rejected_register})
    else:
        _print_siting(result, out)
    outcome.console(what=_("register/candidate row(s)"))


def _print_siting(result, out) -> None:
    from rich.console import Console

    console = Console(soft_wrap=True)  # notes on one line each: the terminal (or the reader) wraps them, never mid-word at 80
    meta = result.meta
    if meta["demo"]:
        _demo_banner(console, N_("The register and/or the candidate sites"))
    title = _("Chosen sites in build order — target {target} m²/person by end-{year}").format(target=f"{meta['target_m2']:g}", year=meta["year"])
    heads = (("order", "", N_("#")), ("name", "", N_("site")), ("district_name", "", N_("district")), ("shelter_class", "", N_("class")),
             ("usable_area_m2", "", N_("area m²")), ("newly_covered", "", N_("newly covered")),
             ("district_per_capita_after_m2", "m2pp", N_("m²/person after")), ("district_gap_after_m2", "", N_("gap after m²")))
    _print_rows(result.chosen, heads, title, keys=2)
    cols = (("name", "", N_("district")), ("gap_m2", "", N_("gap m²")), ("sites_chosen", "", N_("sites")),
            ("added_area_m2", "", N_("added m²")), ("per_capita_after_m2", "m2pp", N_("m²/person after")),
            ("residual_gap_m2", "", N_("residual gap m²")), ("covered_share", "pct", N_("in reach before")),
            ("covered_after_share", "pct", N_("in reach after")), ("assured_share", "pct", N_("assured before")),
            ("assured_after_share", "pct", N_("assured after")))
    _print_rows(result.districts, cols, _("By district"), keys=1, city=True)
    console.print(_("method: {method} — {solver}; status: {status}; objective: {objective}").format(
        method=_shown(meta["method"]), solver=meta["solver"], status=meta["status"], objective=meta["objective"]))
    console.print(_("rule set: {id} ({status}); candidates: {rule}, {eligible} eligible, {rejected} rejected").format(
        id=meta["rule_set"]["id"], status=_shown(meta["rule_set"]["status"]), rule=meta["candidate_rule"],
        eligible=meta["candidates_eligible"], rejected=meta["candidates_rejected"]))
    for note in meta["notes"]:
        console.print(_("note: {note}").format(note=note))
    if out is not None:
        console.print(_("wrote {path}").format(path=out))
    if meta["demo"]:
        _demo_banner(console, N_("The register and/or the candidate sites"))
