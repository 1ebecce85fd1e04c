"""``zzgeo children``: the targets of 郑政〔2022〕8号 per unit and city-wide, and children's walking access.

A thin layer: each command loads the registers (the DEMO facility register
unless a file is given), calls one library function and prints. Only typer and
:mod:`zzgeo._cli` are imported at module level.
"""

from __future__ import annotations

from typing import Annotated

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
    demo_notice,
    inputs_of,
    parse_pairs,
    print_frame,
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

from zzgeo.i18n import N_, _, language

app = typer.Typer(help="Child-friendly city (郑政〔2022〕8号): every target per unit and city-wide, and children's walking access. "
                       "Without a command: the targets for --year.", invoke_without_command=True)

YearOption = Annotated[int, typer.Option("--year", help="Milestone: 2022 or 2025 (standing targets are shown for both).")]
RegisterOption = Annotated[str | None, typer.Option("--register", help="Facility register (default: the DEMO register).")]
ZonesOption = Annotated[str | None, typer.Option("--zones", help="Development-zone polygons (column unit): location then decides.")]
CommunitiesOption = Annotated[str | None, typer.Option("--communities", help="Community (village) polygons with kind urban/rural, for the per-community targets.")]
ChildrenOption = Annotated[str | None, typer.Option("--children", help="Table unit,children[,residents] replacing the census-share apportionment.")]
TargetsOption = Annotated[str | None, typer.Option("--targets", help="Target table like zzgeo/data/children/targets.toml.")]


def _load(register, zones, crs, columns, layer, on_error, units=None):
    from zzgeo.children.demo import demo_facilities
    from zzgeo.children.register import read_facilities, read_zones
    from zzgeo.registers import parse_columns_option

    source = register if register is not None else demo_facilities()
    own = {"units": units.frame} if units is not None and not units.is_default else {}  # checked against them too
    facilities = read_facilities(source, crs=crs, columns=parse_columns_option(columns), layer=layer, on_error=on_error, **own)
    return facilities, read_zones(zones, crs=crs) if zones else None


@app.callback()
def targets_cmd(
    ctx: typer.Context, year: YearOption = 2025, register: RegisterOption = None, zones: ZonesOption = None,
    communities: CommunitiesOption = None, children: ChildrenOption = None, targets: TargetsOption = None,
    all_units: Annotated[bool, typer.Option("--all", help="Print every unit's record, not only the city-wide ones.")] = False,
    crs: CrsOption = None, columns: ColumnsOption = None, layer: LayerOption = None, on_error: OnErrorOption = "raise",
    as_json: JsonOption = False, out: OutOption = None, out_crs: OutCrsOption = None,
    units: UnitsOption = None, units_name: UnitsNameOption = None, units_code: UnitsCodeOption = None,
    units_population: UnitsPopulationOption = None, units_parent: UnitsParentOption = None, units_layer: UnitsLayerOption = None,
    units_crs: UnitsCrsOption = None,
) -> None:
    """Every target due in --year: count, attainment, shortfall per unit and city-wide (one record per unit and target).

    With --units, the per-head and per-community targets are also given by those units (JSON 'by_units', and the
    printed table); the per-unit counts and city totals of the plan stay by its 16 units.
    """
    if ctx.invoked_subcommand is not None:
        return
    import pandas as pd

    from zzgeo.children.attainment import attainment_by_units, attainment_records, target_attainment, units_label_note
    from zzgeo.children.register import read_communities
    from zzgeo.children.rules import load_targets, rule_for_people, unit_population

    outcome = Outcome(out, inputs_of(register, zones, communities, children, targets, units), out_crs=out_crs)
    analysis_units = units_from_options(units, units_name, units_code, units_population, units_parent, units_layer, units_crs)
    facilities, zone_polygons = _load(register, zones, crs, columns, layer, on_error, analysis_units)
    community_layer = read_communities(communities, crs=crs) if communities else None
    target_table = load_targets(targets) if targets else None
    result = target_attainment(facilities, year=year, targets=target_table,
                        population=unit_population(figures=children), zones=zone_polygons, communities=community_layer)
    by_units = attainment_by_units(result, analysis_units, targets=target_table, communities=community_layer) \
        if analysis_units is not None else None
    outcome.register(facilities, input_name=register or _("DEMO facilities"))
    outcome.add_notes([_("units: {rule}").format(rule=result.meta["unit_rule"]), units_label_note(),
                       _("children: {rule}").format(rule=rule_for_people(result.meta["children_rule"])),
                       *([_("{n} facilities without a year were counted").format(n=result.meta["undated"])] if result.meta["undated"] else [])])
    if analysis_units is not None:
        outcome.add_notes(_units_notes(analysis_units, []))
    demo = [*(["the facility register"] if result.meta["demo"] else []),
            *(["the analysis units"] if analysis_units is not None and analysis_units.demo else [])]
    outcome.write(result.records if by_units is None else pd.concat([result.records.assign(level="plan unit"), by_units], ignore_index=True),
                  demo=demo)
    if as_json:
        records = attainment_records(result)
        if by_units is not None:
            records["by_units"] = by_units.to_dict("records")  # made JSON-safe by outcome.json
        outcome.json(records)
    else:
        shown = _for_people(result.records if all_units else result.records[result.records["unit"] == "city"])
        print_frame(shown, title=_("{document} targets due {year} (and standing ones) — {measurable} of {total} measurable from the register")
                    .format(document=result.meta["document"], year=year, measurable=result.meta["measurable"], total=result.meta["targets"]),
                    columns=[N_("target_id"), N_("wording"), *([N_("unit_name")] if all_units else []), N_("target"),
                             N_("unit_of_measure"), N_("actual"), N_("ratio"), N_("shortfall"), N_("status")])
        counts = result.inventory.drop(columns=["unit", "unit_name"])
        print_frame(pd.DataFrame({N_("type"): counts.columns, N_("facilities"): counts.sum().to_numpy(),
                                  N_("units with one"): (counts > 0).sum().to_numpy()}),
                    title=_("Facilities by type (per unit: --json 'inventory')"))
        if by_units is not None:
            print_frame(_for_people(by_units), title=_("Per-head and per-community targets by {units}").format(units=analysis_units.label),
                        columns=[N_("target_id"), N_("unit_name"), N_("target"), N_("actual"), N_("shortfall"), N_("status")])
    outcome.console()
    if result.meta["demo"]:
        demo_notice(N_("the facility register"))



def _for_people(records):
    """The targets table as people read it: the attainment ratio as a percentage (``96.0%``), the status and unit
    of measure in the interface language; ids stay beside the document's wording. ``--json`` and ``--out`` keep the
    ratio as a number and the status and unit of measure as programs read them (English)."""
    from zzgeo.children.attainment import status_for_people
    from zzgeo.children.rules import measure_for_people

    if "ratio" not in records:
        return records
    shown = records.assign(ratio=records["ratio"].map(lambda r: f"{100 * r:.1f}%" if r == r and r is not None else ""))
    if "status" in shown:
        shown["status"] = shown["status"].map(status_for_people)
    if "unit_of_measure" in shown:
        shown["unit_of_measure"] = shown["unit_of_measure"].map(measure_for_people)
    return shown


@app.command("access")
def access_cmd(
    year: YearOption = 2025, register: RegisterOption = None, zones: ZonesOption = None, children: ChildrenOption = None,
    population: Annotated[str | None, typer.Option("--population", help="Population raster (GeoTIFF) or polygons with a population column.")] = None,
    network: Annotated[str | None, typer.Option("--network", help="Road centre lines: walking distance along them (no detour factor).")] = None,
    circle: Annotated[list[str] | None, typer.Option("--circle", help="Life circle NAME=METRES (repeatable), replacing 5min=300,10min=500,15min=1000.")] = None,
    detour: Annotated[float | None, typer.Option("--detour", help="Walking detour factor over straight-line distance (default 1.3).")] = None,
    type_: Annotated[list[str] | None, typer.Option("--type", help="Facility type(s) to analyse (default: every type in the register).")] = None,
    gaps: Annotated[str | None, typer.Option("--gaps", help="Write the gap cells (most children beyond each circle) to this file.")] = None,
    crs: CrsOption = None, columns: ColumnsOption = None, layer: LayerOption = None, on_error: OnErrorOption = "raise",
    as_json: JsonOption = False, out: OutOption = None, out_crs: OutCrsOption = None,
    units: UnitsOption = None, units_name: UnitsNameOption = None, units_code: UnitsCodeOption = None,
    units_population: UnitsPopulationOption = None, units_parent: UnitsParentOption = None, units_layer: UnitsLayerOption = None,
    units_crs: UnitsCrsOption = None,
) -> None:
    """Share of children within each walking life circle of each facility type, per unit (or --units); childcare places within reach (2SFCA)."""
    from pathlib import Path

    from zzgeo.children.access import access_records, children_surface, walking_access
    from zzgeo.children.register import facility_name
    from zzgeo.children.rules import access_rules, circle_for_people, rule_for_people, unit_population
    from zzgeo.io import read_vector

    protect = inputs_of(register, zones, children, population, network, units)
    outcome = Outcome(out, protect, out_crs=out_crs)
    if gaps and out is not None and str(Path(gaps).resolve()) == str(Path(out).resolve()):  # (an empty --gaps is refused below)
        from zzgeo.errors import ParameterError

        raise ParameterError(_("--gaps {gaps!r} is the --out file; give them different names").format(gaps=gaps))
    gaps_out = Outcome(gaps, protect, option="--gaps", out_crs=out_crs).out if gaps is not None else None  # checked before any work, like --out
    circles = parse_pairs(circle, option="--circle", limit_name="circle", example="5min=300") or None
    analysis_units = units_from_options(units, units_name, units_code, units_population, units_parent, units_layer, units_crs)
    facilities, zone_polygons = _load(register, zones, crs, columns, layer, on_error, analysis_units)
    rules = access_rules(circles=circles, detour=detour)
    surface = children_surface(population, population=unit_population(figures=children), cell_m=rules.cell_m, zones=zone_polygons,
                               units=analysis_units)
    roads = read_vector(network, crs=crs, name=network) if network else None
    result = walking_access(facilities, year=year, types=_types(type_), rules=rules, surface=surface, network=roads, zones=zone_polygons,
                            units=analysis_units)
    outcome.register(facilities, input_name=register or _("DEMO facilities"))
    outcome.add_notes([_("surface: {method}").format(method=result.meta["surface"]),
                       _("children: {rule}").format(rule=rule_for_people(result.meta["children_rule"])),
                       _("units: {rule}").format(rule=result.meta["units"])])
    if analysis_units is not None:
        outcome.add_notes(_units_notes(analysis_units, result.meta.get("facilities_outside_units", [])))
    demo = [*(["the facility register"] if result.meta["demo"] else []),
            *(["the analysis units"] if analysis_units is not None and analysis_units.demo else [])]
    outcome.write(result.shares, demo=demo)
    if gaps_out is not None:  # without --gaps, Outcome.write would put the gaps over the --out file
        outcome.write(result.gaps, gaps_out, demo=demo)
    if as_json:
        outcome.json(access_records(result))
    else:
        total = result.shares["unit"] == "city" if "level" not in result.shares else result.shares["level"] == "total"
        city = result.shares[total].pivot(index="type", columns="circle", values="share")
        where = _("city-wide") if "level" not in result.shares else result.shares.loc[total, "unit_name"].iloc[0]
        shown = city[list(rules.circles)].reset_index()
        if language() == "zh":  # the plan's names; English keeps the type ids
            shown["type"] = shown["type"].map(facility_name)
        print_frame(shown.rename(columns={c: circle_for_people(c) for c in rules.circles}),
                    title=_("Share of children within walking distance, {where} ({metric})").format(where=where, metric=_(result.meta["metric"])))
        print_frame(result.childcare, title=_("Childcare places per 1,000 residents: in the unit vs within reach (2SFCA, target 6)"),
                    columns=[N_("unit_name"), N_("places"), N_("places_per_1000_in_unit"), N_("places_per_1000_within_reach"),
                             N_("share_children_short")])
    outcome.console()
    if result.meta["demo"]:
        demo_notice(N_("the facility register"))


def _units_notes(units, outside: list[str]) -> list[str]:
    """The analysis units' notes, their DEMO mark, and the facilities outside every unit (the first ten named)."""
    from zzgeo.children.access import OUTSIDE_EFFECT

    return units.run_notes(outside, what="facilities", effect=_(OUTSIDE_EFFECT), listed_in=_("the JSON meta 'facilities_outside_units'"))


def _types(items: list[str] | None) -> list[str] | None:
    from zzgeo.errors import UnknownCodeError
    from zzgeo.registers import load_schema

    if not items:
        return None
    vocabulary = load_schema("children/facilities.toml").vocabularies["facility_type"]
    parsed = [vocabulary.parse(item) for item in items]
    unknown = [item for item, code in zip(items, parsed, strict=True) if code is None]
    if unknown:
        raise UnknownCodeError(_("--type {value!r}: unknown facility type; {hint}").format(value=unknown, hint=vocabulary.hint))
    return list(dict.fromkeys(parsed))
