"""``zzgeo groundwater``: source zones, pollution-source screening and the pilot indicators of 郑政文〔2022〕49号.

A thin layer: each command loads the registers (the DEMO layers unless files are
given), calls one library function and prints. Only typer and :mod:`zzgeo._cli`
are imported at module level.
"""

from __future__ import annotations

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
    demo_notice,
    inputs_of,
    print_frame,
)

from zzgeo.i18n import N_, _

app = typer.Typer(help="Groundwater (郑政文〔2022〕49号): source protection and recharge zones, pollution-source "
                       "screening, and the pilot zone's indicators.", no_args_is_help=True)

SourcesOption = Annotated[Optional[str], typer.Option("--sources", help="Water-source register (default: the DEMO sources).")]
WellsOption = Annotated[Optional[str], typer.Option("--wells", help="Well register (default: the DEMO wells).")]
RiversOption = Annotated[Optional[str], typer.Option("--rivers", help="River lines (default: the DEMO Yellow River line).")]
StudyOption = Annotated[Optional[str], typer.Option("--study-zones", help="Zone polygons a study drew; they override computed ones.")]
PollutionOption = Annotated[Optional[str], typer.Option("--pollution", help="Pollution-source register (default: the DEMO sources).")]
RulesOption = Annotated[Optional[str], typer.Option("--rules", help="Rule file like zzgeo/data/groundwater/rules.toml.")]
MethodOption = Annotated[str, typer.Option("--method", help="analytic (default, fast) or timml (riverside wellfields with an analytic-element model; slow, cached).")]


def _demo(flag: bool, what: str) -> None:
    if flag:
        demo_notice(what)


@app.command("zones")
def zones_cmd(
    sources: SourcesOption = None, wells: WellsOption = None, rivers: RiversOption = None, study_zones: StudyOption = None,
    rules: RulesOption = None, method: MethodOption = "analytic", crs: CrsOption = None, on_error: OnErrorOption = "raise",
    as_json: JsonOption = False, out: OutOption = None, out_crs: OutCrsOption = None,
) -> None:
    """Zone 1, zone 2 and the recharge zone of every groundwater drinking-water source."""
    from zzgeo.groundwater.report import load_zones
    from zzgeo.groundwater.zones import zone_records

    outcome = Outcome(out, inputs_of(sources, wells, rivers, study_zones, rules), out_crs=out_crs)
    result, (src, wel) = load_zones(sources, wells, rivers, study_zones, rules, method, crs, on_error)
    outcome.register(src, input_name=sources or "DEMO sources")
    outcome.register(wel, input_name=wells or "DEMO wells")
    outcome.add_notes(result.meta["notes"])
    outcome.write(result.zones, demo="the wells and aquifer parameters" if result.meta["demo"] else None)
    if as_json:
        outcome.json(zone_records(result))
    else:
        from zzgeo.groundwater import labels as lab
        from zzgeo.groundwater.zones import source_status_text

        shown = result.sources.copy()
        for column, show in (("status", lambda s: source_status_text(str(s))), ("scale", lab.scale_text), ("river", lab.river_text),
                             ("wells", lab.integer)):
            if column in shown:
                shown[column] = shown[column].map(show)
        if "critical_rate_m3_d" in shown:
            shown["critical_rate_m3_d"] = [lab.critical_rate_text(r, v) for r, v in zip(shown["critical_rate_m3_d"], shown.get("river", ""))]
        if "zone2_downgradient_m" in shown:  # the reach by particle tracking, not the HJ 338 circle drawn as zone 2
            shown = shown.rename(columns={"zone2_downgradient_m": "zone2_tracked_downgradient_m"})
        print_frame(shown, title=_("Sources — {document} 三(三)9").format(document=result.meta["document"]),
                    columns=[c for c in (N_("source_id"), N_("name"), N_("wells"), N_("abstraction_m3_d"), N_("scale"), N_("stagnation_m"),
                                         N_("recharge_upgradient_m"), N_("zone2_tracked_downgradient_m"), N_("river"), N_("river_min_travel_days"),
                                         N_("critical_rate_m3_d"), N_("status"))
                             if c in shown])
        print_frame(result.zones.drop(columns="geometry"), columns=[N_("source_id"), N_("zone_zh"), N_("area_km2"), N_("method")])
        if "zone2_downgradient_m" in result.sources and result.sources["zone2_downgradient_m"].notna().any():
            rules = result.meta.get("rules") or {}
            hj = rules.get("hj338", {}) if isinstance(rules, dict) else {}
            outcome.add_notes([_("zone 2 downgradient reach: how far downgradient of the wells water reaches a well within {days:g} days, "
                                 "by particle tracking in the pumped field; zone 2 as drawn is the HJ 338-2018 circle R = α·K·I·T/n "
                                 "around each well (regional flow only, safety factor α): two methods, two lengths").format(
                                     days=float(hj.get("zone2_days", 1000)))])
    outcome.console()
    _demo(result.meta["demo"], N_("the wells and aquifer parameters"))


@app.command("screen")
def screen_cmd(
    pollution: PollutionOption = None, sources: SourcesOption = None, wells: WellsOption = None, rivers: RiversOption = None,
    study_zones: StudyOption = None, rules: RulesOption = None, method: MethodOption = "analytic",
    raster: Annotated[Optional[str], typer.Option("--raster", help="Vulnerability or depth-to-water GeoTIFF sampled at each source.")] = None,
    all_sources: Annotated[bool, typer.Option("--all", help="List every source, not only those on the leak-screening list.")] = False,
    crs: CrsOption = None, columns: ColumnsOption = None, layer: LayerOption = None, on_error: OnErrorOption = "raise",
    as_json: JsonOption = False, out: OutOption = None, out_crs: OutCrsOption = None,
) -> None:
    """Zone, nearest well and upgradient-ness of every pollution source; the leak-screening list by 三(二)5(2), in priority order."""
    from zzgeo.groundwater.report import load_pollution, load_zones
    from zzgeo.groundwater.rules import load_rules
    from zzgeo.groundwater.screening import screen_sources, screening_records

    outcome = Outcome(out, inputs_of(sources, wells, rivers, study_zones, rules, pollution, raster), out_crs=out_crs)
    zones, (src, wel) = load_zones(sources, wells, rivers, study_zones, rules, method, crs, on_error)
    pol = load_pollution(pollution, crs, columns, layer, on_error)
    result = screen_sources(pol, zones, rules=load_rules(rules), raster=raster)
    for frame, given, what in ((src, sources, "sources"), (wel, wells, "wells"), (pol, pollution, "pollution sources")):
        outcome.register(frame, input_name=given or f"DEMO {what}")
    frame = result.sources if all_sources else result.sources[result.sources["listed"]]
    outcome.write(frame.sort_values("priority"), demo="the pollution sources and/or the source zones"
                  if result.meta["demo"] or result.meta["zones_demo"] else None)
    if as_json:
        outcome.json(screening_records(result, listed_only=not all_sources))
    else:
        from zzgeo.groundwater import labels as lab

        listed = frame.sort_values("priority").head(40)
        listed = listed.assign(priority=listed["priority"].map(lab.integer), type=listed["type"].map(lab.type_text),
                               zone=listed["zone"].map(lab.zone_text), pollution_source_id=listed["source_id"])
        print_frame(listed, title=_("Leak-screening list ({listed} of {total} sources; {clause}) — first 40").format(
                    listed=int(result.sources["listed"].sum()), total=len(result.sources), clause=result.meta["clause"]),
                    columns=[N_("priority"), N_("pollution_source_id"), N_("name"), N_("type"), N_("zone"), N_("reasons")])
    outcome.console()
    _demo(result.meta["demo"] or result.meta["zones_demo"], N_("the pollution sources and/or the source zones"))


@app.command("indicators")
def indicators_cmd(
    as_of: Annotated[int, typer.Option("--as-of", help="Judge the targets as of this year (they fall due 2022-2024).")] = 2024,
    pollution: PollutionOption = None, sources: SourcesOption = None, wells: WellsOption = None, rivers: RiversOption = None,
    study_zones: StudyOption = None, rules: RulesOption = None, crs: CrsOption = None, columns: ColumnsOption = None,
    layer: LayerOption = None, on_error: OnErrorOption = "raise", as_json: JsonOption = False, out: OutOption = None, out_crs: OutCrsOption = None,
) -> None:
    """The 19 indicators of 表2—1 with their status, the rates per district, and the spot-check rule (5 per cent) by type."""
    from zzgeo.groundwater.report import load_pollution, load_zones
    from zzgeo.groundwater.indicators import indicator_records, pilot_indicators
    from zzgeo.groundwater.rules import load_rules
    from zzgeo.groundwater.screening import screen_sources
    from zzgeo.layers import read_layer

    outcome = Outcome(out, inputs_of(sources, wells, rivers, study_zones, rules, pollution), out_crs=out_crs)
    zones, (src, wel) = load_zones(sources, wells, rivers, study_zones, rules, "analytic", crs, on_error)
    pol = load_pollution(pollution, crs, columns, layer, on_error)
    screened = screen_sources(pol, zones, rules=load_rules(rules))
    districts = read_layer("districts")
    result = pilot_indicators(screened.sources, zones, as_of=as_of, districts=districts)
    for frame, given, what in ((src, sources, "sources"), (wel, wells, "wells"), (pol, pollution, "pollution sources")):
        outcome.register(frame, input_name=given or f"DEMO {what}")
    outcome.add_notes([_("risk-plan denominator: {basis}").format(basis=result.meta["risk_plan_denominator"]), result.meta["screening_dates"]])
    outcome.write(districts[["adcode", "geometry"]].merge(result.by_district, on="adcode"),
                  demo="the pollution-source register" if result.meta["demo"] else None)
    if as_json:
        outcome.json(indicator_records(result))
    else:
        from zzgeo.groundwater import labels as lab
        from zzgeo.groundwater.indicators import seq_labels, status_text

        table = result.indicators.assign(seq=seq_labels(result.indicators), status=result.indicators["status"].map(status_text))
        print_frame(table, title=_("表2—1 indicators as of {date} — {document}").format(date=as_of, document=result.meta["document"]),
                    columns=[N_("seq"), N_("mark"), N_("name"), N_("target"), N_("year"), N_("status")])
        rates = result.by_district.assign(name=result.by_district["name"].map(lab.place_text))
        shown_rates = {"leak_screening_rate": N_("leak_screening_rate = screened / listed"),
                       "self_monitoring_rate": N_("self_monitoring_rate = self_monitoring / key_supervised"),
                       "risk_plan_rate": N_("risk_plan_rate = risk_plan / needs_risk_plan"),
                       "spot_check_share": N_("spot_check_share = spot_checked / screened")}
        for column, heading in shown_rates.items():
            rates[heading] = rates[column].map(lab.percent)
        # every rate next to its numerator and denominator, so that each can be checked from the row
        print_frame(rates, title=_("Rates by district"), columns=[
            N_("name"), N_("listed"), N_("screened"), shown_rates["leak_screening_rate"], N_("key_supervised"), N_("self_monitoring"),
            shown_rates["self_monitoring_rate"], N_("needs_risk_plan"), N_("risk_plan"), shown_rates["risk_plan_rate"],
            N_("spot_checked"), shown_rates["spot_check_share"]])
        spot = result.spot_checks.assign(type=result.spot_checks["type"].map(lab.type_text),
                                         covered=result.spot_checks["covered"].map(lab.yes_no),
                                         meets_share=result.spot_checks["meets_share"].map(lab.yes_no),
                                         share_of_screened=result.spot_checks["share_of_screened"].map(lab.percent))
        print_frame(spot, title=_("Spot checks by type on the list (三(二)6(1): every type, at least 5 per cent of screened firms)"),
                    columns=[N_("type"), N_("listed"), N_("screened"), N_("spot_checked"), N_("covered"), N_("share_of_screened"),
                             N_("meets_share"), N_("note")])
    outcome.console()
    _demo(result.meta["demo"], N_("the pollution-source register (status fields are synthetic)"))
