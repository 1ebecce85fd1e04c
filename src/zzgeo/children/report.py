"""The child-friendly theme in the report: every target due in 2025, and children's walking access.

Uses the user's facility register (and zone, community and children tables)
where the report config names them, else the DEMO register.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from zzgeo.i18n import N_, _
from zzgeo.theme_run import ThemeRun, check_inputs, register_notes

__all__ = ["INPUTS", "run"]

#: Keys of ``[children]`` in a report config.
INPUTS = {"register": "facility register", "zones": "development-zone polygons", "communities": "community polygons",
          "children": "table unit,children[,residents]", "targets": "target table", "crs": "CRS of the registers"}

_ACCESS_TYPES = ("childcare", "childrens_home", "play_facility", "football_pitch", "park_cf")


def _findings(result, access) -> list[str]:
    from zzgeo.children.rules import measure_for_people

    city = result.records[result.records["unit"] == "city"]
    measured = city[city["ratio"].notna()]
    standing = int((result.records.drop_duplicates("target_id")["year"] == 0).sum())
    met = measured["met"].astype(bool)
    undated = measured["year"] == 0  # the standing targets (no year) are measured and counted too: say how many of each
    lines = [_("{measurable} of the {targets} quantified targets of {document} for {year} ({dated} due {year}, {standing} standing "
               "with no year) can be measured from a register; city-wide {met} of {measured} measured targets are met "
               "({met_dated} of {measured_dated} due {year}, {met_standing} of {measured_standing} standing)").format(
                 measurable=result.meta["measurable"], targets=result.meta["targets"], document=result.meta["document"],
                 year=result.meta["year"], dated=result.meta["targets"] - standing, standing=standing,
                 met=int(met.sum()), measured=len(measured), met_dated=int((met & ~undated).sum()), measured_dated=int((~undated).sum()),
                 met_standing=int((met & undated).sum()), measured_standing=int(undated.sum()))]
    short = measured[~measured["met"].astype(bool)].sort_values("ratio").head(3)
    lines += [(_("furthest from target (due {year}): {facility} {actual:g} of {target:g} {unit} ({ratio:.0%})") if r.year else
               _("furthest from target (standing, no year): {facility} {actual:g} of {target:g} {unit} ({ratio:.0%})")).format(
                  year=r.year, facility=r.facility or r.target_id, actual=r.actual, target=r.target, unit=measure_for_people(r.unit_of_measure),
                  ratio=r.ratio)
              for r in short.itertuples()]
    from zzgeo.children.register import facility_labels

    names = facility_labels()  # the plan's Chinese names
    shares = access.shares[(access.shares["unit"] == "city") & (access.shares["circle"] == "15min")]
    lines += [_("children within a 15-minute walk ({walk_m:g} m) of {facility} ({type}): {share:.1%}").format(
                  walk_m=r.walk_m, facility=names.get(r.type, r.type), type=r.type, share=r.share)
              for r in shares.itertuples()]
    return lines


def run(inputs: Mapping[str, object] | None = None, *, year: int = 2025, units=None) -> ThemeRun:
    """Attainment of the targets due in *year* and walking access to the main kinds of facility.

    With *units* (the report's ``[units]``, :class:`zzgeo.units.AnalysisUnits`) walking access is also
    given by those units: tables ``access_shares_by_unit`` and ``childcare_2sfca_by_unit``.

    Returns
    -------
    ThemeRun
        Tables ``attainment``, ``inventory``, ``access_shares``, ``childcare_2sfca``, ``access_gaps``; maps
        ``overview``, ``childcare_access``; indicators ``children_targets`` and ``childcare_access``.
    """
    from zzgeo.children.access import walking_access
    from zzgeo.children.attainment import target_attainment, units_label_note
    from zzgeo.children.demo import demo_facilities
    from zzgeo.children.maps import access_map, district_attainment, overview_map
    from zzgeo.children.register import read_communities, read_facilities, read_zones
    from zzgeo.children.rules import load_targets, rule_for_people, unit_population

    given = check_inputs("children", inputs, INPUTS)
    crs = given.get("crs")
    facilities = read_facilities(given.get("register") or demo_facilities(), crs=crs, **({"units": units.frame} if units is not None else {}))
    zones = read_zones(given["zones"], crs=crs) if given.get("zones") else None
    result = target_attainment(facilities, year=year, targets=load_targets(given["targets"]) if given.get("targets") else None,
                        population=unit_population(figures=given.get("children")), zones=zones,
                        communities=read_communities(given["communities"], crs=crs) if given.get("communities") else None)
    notes_table, register_lines = register_notes({str(given.get("register") or "DEMO facility register"): facilities})
    types = [t for t in _ACCESS_TYPES if t in set(facilities["type"])]
    access = walking_access(facilities, year=year, types=types, zones=zones)
    by_units = walking_access(facilities, year=year, types=types, units=units) if units is not None else None
    attained_by_units = None
    if units is not None:
        from zzgeo.children.attainment import attainment_by_units

        attained_by_units = attainment_by_units(result, units, targets=load_targets(given["targets"]) if given.get("targets") else None,
                                                communities=read_communities(given["communities"], crs=crs) if given.get("communities") else None)
    share = access.shares[access.shares["circle"] == "15min"].set_index("unit")
    childcare = share.loc[share["type"] == "childcare", "share"] if "childcare" in types else pd.Series(dtype=float)
    return ThemeRun(
        key="children", title="儿童友好城市 Child-friendly city", document=result.meta["document"],
        tables={"attainment": result.records, "inventory": result.inventory, "access_shares": access.shares,
                "childcare_2sfca": access.childcare, "access_gaps": access.gaps,
                **({"access_shares_by_unit": by_units.shares, "childcare_2sfca_by_unit": by_units.childcare,
                    "attainment_by_unit": attained_by_units} if by_units else {}),
                "register_notes": notes_table},
        maps={"overview": lambda basemap="none": overview_map(result, basemap=basemap),
              **({"childcare_access": lambda basemap="none": access_map(access, "childcare", "15min", basemap=basemap)} if "childcare" in types else {})},
        findings=_findings(result, access),
        demo=[*([] if given.get("register") else [N_("facility register")]), *([N_("analysis units")] if units is not None and units.demo else [])],
        indicators=pd.DataFrame({"children_targets": district_attainment(result)["mean_attainment"], "childcare_access": childcare}),
        notes=[result.meta["unit_rule"], units_label_note(), rule_for_people(result.meta["children_rule"]),
               _("walking distance: {metric}").format(metric=_(access.meta["metric"])), _("walking access by: {units}").format(units=access.meta["units"]),
               *(_unit_notes(by_units, units) if by_units else []), *register_lines],
    )


def _unit_notes(access, units) -> list[str]:
    """What the access by analysis units rests on, and the facilities outside every unit."""
    from zzgeo.children.access import OUTSIDE_EFFECT

    return [_("walking access also by {label} ({n} units; total row: {total})").format(label=units.label, n=len(units.frame),
                                                                                        total=units.total_name),
            *units.run_notes(access.meta["facilities_outside_units"], what="facilities", effect=_(OUTSIDE_EFFECT))]
