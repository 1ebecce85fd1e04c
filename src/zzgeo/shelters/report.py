"""The shelter theme in the report: per-capita area and coverage in 2025, and the siting plan for 2029.

Uses the user's register and candidate sites where the report config names
them, else the DEMO layers; population is the 2020 census spread over each district.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from zzgeo.i18n import N_, _
from zzgeo.shelters.rules import shown_value
from zzgeo.theme_run import ThemeRun, check_inputs, register_notes

__all__ = ["INPUTS", "run"]

#: Keys of ``[shelters]`` in a report config.
INPUTS = {"register": "shelter register", "candidates": "candidate sites", "population": "population raster or polygons",
          "rules": "rule file or packaged id", "crs": "CRS of the registers"}

_CITY = "410100"


def _targets_said(targets) -> str:
    """The per-capita targets as the findings say them: "2 m² by 2025, 3 m² by 2029"."""
    return _(", ").join(_("{target:g} m² by {year}").format(target=t, year=y) for y, t in sorted(targets.per_capita_m2.items()))


def _findings(cov, plan, targets) -> list[str]:
    """The theme's findings; every target figure from *targets*, the targets *cov* and *plan* were computed with."""
    table = cov.table
    city = table[table["adcode"] == _CITY].iloc[0] if (table["adcode"] == _CITY).any() else None
    units = table[table["adcode"] != _CITY]
    year = int(cov.meta["year"])
    lines = []
    if city is not None:
        lines.append(_("city-wide {per_capita:.2f} m² of effective shelter area per resident "
                       "(target {targets}; {document} {clause})").format(per_capita=city["per_capita_m2"], targets=_targets_said(targets),
                                                                         document=targets.document, clause=targets.clause))
    gaps = _(", ").join(_("to {year} {gap:,.0f} m²").format(year=y, gap=units[f"gap_{y}_m2"].sum()) for y in sorted(targets.per_capita_m2))
    lines.append(_("{met} of {n} districts meet the {year} target of {target:g} m²/person; gap {gaps} (sum of district gaps)").format(
        met=int(units[f"meets_{year}"].sum()), n=len(units), year=year, target=targets.for_year(year), gaps=gaps))
    if city is not None:
        lines.append(_("{covered:.1%} of residents within a shelter's service radius; {assured:.1%} with an assured place").format(
            covered=city["covered_share"], assured=city["assured_share"]))
    after = plan.districts
    residual = after.loc[after["adcode"] != _CITY, "residual_gap_m2"].sum()
    lines.append(_("siting plan {year}: {n} candidate sites ({method}), residual gap {residual:,.0f} m²").format(
        year=plan.meta["year"], n=len(plan.chosen), method=shown_value(plan.meta["method"]), residual=residual))
    return lines


def run(inputs: Mapping[str, object] | None = None, *, units=None) -> ThemeRun:
    """Coverage (2025 target) and the 2029 siting plan on the given or DEMO layers.

    Parameters
    ----------
    inputs : mapping, optional
        Keys of :data:`INPUTS`.
    units : AnalysisUnits, optional
        The report's ``[units]``: coverage is also given by these units
        (table ``coverage_by_unit``, map ``coverage_by_unit``).

    Returns
    -------
    ThemeRun
        Tables ``coverage_by_district``, ``siting_plan``, ``siting_by_district``; maps ``coverage`` and
        ``siting_2029``; indicators ``shelter_per_capita`` and ``shelter_coverage``.
    """
    from zzgeo.layers import read_layer
    from zzgeo.shelters.candidates import read_candidates
    from zzgeo.shelters.coverage import shelter_coverage
    from zzgeo.shelters.demo import demo_candidates, demo_register
    from zzgeo.shelters.maps import coverage_map, siting_map
    from zzgeo.shelters.register import read_register
    from zzgeo.shelters.rules import load_rules, load_targets
    from zzgeo.shelters.siting import site_shelters
    from zzgeo.spatial.surface import read_population

    given = check_inputs("shelters", inputs, INPUTS)
    rules, crs = load_rules(given.get("rules")), given.get("crs")
    targets = load_targets()  # one set for coverage, siting and the findings that state its figures
    districts = read_layer("districts")
    own = {"units": units.frame} if units is not None else {}  # a 街道 column checked against the [units] too
    register = read_register(given.get("register") or demo_register(), crs=crs, rules=rules, districts=districts, on_error="raise", **own)
    candidates = read_candidates(given.get("candidates") or demo_candidates(), crs=crs, rules=rules, districts=districts, on_error="raise")
    demand = read_population(given.get("population"), districts=districts)
    cov = shelter_coverage(register, demand, year=2025, rules=rules, targets=targets, districts=districts)
    plan = site_shelters(register, candidates, demand, year=2029, rules=rules, targets=targets, districts=districts)
    by_units = _by_units(register, given, rules, targets, districts, units)
    demo = [*([] if given.get("register") else [N_("shelter register")]), *([] if given.get("candidates") else [N_("candidate sites")]),
            *([N_("analysis units")] if units is not None and units.demo else [])]
    table = cov.table.set_index("adcode")
    notes_table, register_lines = register_notes({str(given.get("register") or "DEMO shelter register"): register,
                                                  str(given.get("candidates") or "DEMO candidate sites"): candidates})
    return ThemeRun(
        key="shelters", title="应急避难场所 Emergency shelters", document="郑政文〔2022〕40号",
        tables={"coverage_by_district": cov.table, "siting_plan": plan.chosen, "siting_by_district": plan.districts,
                **({"coverage_by_unit": _with_shapes(by_units.table, units)} if by_units else {}), "register_notes": notes_table},
        maps={"coverage": lambda basemap="none": coverage_map(cov, districts, basemap=basemap),
              "siting_2029": lambda basemap="none": siting_map(plan, districts, basemap=basemap),
              **({"coverage_by_unit": lambda basemap="none": coverage_map(by_units, units.frame, basemap=basemap)} if by_units else {})},
        findings=[*_findings(cov, plan, targets), *(_unit_findings(by_units) if by_units else [])],
        demo=demo,
        indicators=pd.DataFrame({"shelter_per_capita": table["per_capita_m2"], "shelter_coverage": table["covered_share"]}),
        notes=[*cov.meta["notes"], _("rule set: {id} ({status})").format(id=rules.id, status=shown_value(rules.status)),
               _("population: {method}").format(method=cov.meta["population_method"]),
               *(n for n in (by_units.meta["notes"] if by_units else []) if n not in cov.meta["notes"]), *register_lines],
    )


def _by_units(register, given: Mapping[str, object], rules, targets, districts, units):
    """Coverage by the report's analysis units (``None`` without them); the population input located in the units."""
    if units is None:
        return None
    from zzgeo.shelters.coverage import shelter_coverage
    from zzgeo.spatial.surface import read_population

    demand = read_population(given["population"], districts=units.frame) if given.get("population") else None
    return shelter_coverage(register, demand, year=2025, rules=rules, targets=targets, districts=districts, units=units)


def _unit_findings(cov) -> list[str]:
    table = cov.table
    rows = table[table["level"] == "unit"]
    total = table.iloc[-1]
    return [_("by {label}: {met} of {n} units meet the {year} target of {target:g} m²/person; {total}: {per_capita:.2f} m² "
              "per resident, {covered:.1%} within a service radius").format(
                label=cov.meta["units"]["label"], met=int(rows["meets_target"].sum()), n=len(rows), year=cov.meta["year"],
                target=cov.meta["target_m2"], total=total["name"], per_capita=total["per_capita_m2"], covered=total["covered_share"])]


def _with_shapes(table, units):
    """The table by units as a polygon layer (units' polygons; parent and total rows without geometry)."""
    import geopandas as gpd

    shapes = units.frame[["adcode", "geometry"]].to_crs("EPSG:4326")
    return gpd.GeoDataFrame(table.merge(shapes, on="adcode", how="left"), geometry="geometry", crs="EPSG:4326")
