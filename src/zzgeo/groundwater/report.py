"""The groundwater theme in the report: zones, the leak-screening list and the pilot indicators.

:func:`load_zones` and :func:`load_pollution` take the user's registers or,
where none is given, the DEMO layers; the command line and :func:`run` both
use them.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from zzgeo.i18n import N_, _
from zzgeo.theme_run import ThemeRun, check_inputs, register_notes

__all__ = ["INPUTS", "load_zones", "load_pollution", "run"]

#: Keys of ``[groundwater]`` in a report config.
INPUTS = {"sources": "water-source register", "wells": "well register", "rivers": "river lines",
          "study_zones": "zone polygons of a study", "pollution": "pollution-source register", "rules": "rule file",
          "crs": "CRS of the registers"}


def load_zones(sources=None, wells=None, rivers=None, study=None, rules=None, method="analytic", crs=None, on_error="raise"):
    """Zones of the sources: the user's registers, or the DEMO sources, wells and river.

    Returns
    -------
    (ZoneResult, (sources, wells))
    """
    from zzgeo.errors import SchemaError
    from zzgeo.groundwater.demo import demo_layers
    from zzgeo.groundwater.register import read_rivers, read_sources, read_study_zones, read_wells
    from zzgeo.groundwater.rules import load_rules
    from zzgeo.groundwater.zones import source_zones

    if (sources is None) != (wells is None):
        raise SchemaError(_("--sources and --wells go together: the DEMO wells belong to the DEMO sources; give both registers (or neither for the demo)"))
    rule_set = load_rules(rules)  # a bad rule file fails before any register is read
    demo = demo_layers() if sources is None or wells is None or rivers is None else {}
    src = read_sources(sources or demo["sources"], crs=crs, on_error=on_error)
    wel = read_wells(wells or demo["wells"], crs=crs, on_error=on_error)
    riv = read_rivers(rivers or demo["rivers"], crs=crs)
    stz = read_study_zones(study, crs=crs) if study else None
    result = source_zones(src, wel, rivers=riv, study_zones=stz, rules=rule_set, method=method, on_error=on_error)
    if rivers is None:
        result.meta["notes"].append(_("rivers: the DEMO Yellow River line (the municipality's northern boundary, approximate); pass --rivers FILE"))
    return result, (src, wel)


def load_pollution(pollution=None, crs=None, columns=None, layer=None, on_error="raise"):
    """The pollution-source register: the user's file, or the DEMO register."""
    from zzgeo.groundwater.demo import demo_layers
    from zzgeo.groundwater.register import read_pollution_sources
    from zzgeo.registers import parse_columns_option

    source = pollution if pollution is not None else demo_layers()["pollution_sources"]
    return read_pollution_sources(source, crs=crs, columns=parse_columns_option(columns), layer=layer, on_error=on_error)


def _area(zones, kind: str) -> float:
    return float(zones.zones.loc[zones.zones["zone"] == kind, "area_km2"].sum())


def run(inputs: Mapping[str, object] | None = None, *, as_of: int = 2024) -> ThemeRun:
    """Zones, screening and indicators on the given (or DEMO) registers.

    Returns
    -------
    ThemeRun
        Tables ``zones``, ``screening_list``, ``indicators``, ``rates_by_district``; the map ``zones``;
        indicators ``sources_in_zones`` and ``leak_screening`` per district.
    """
    from zzgeo.groundwater.indicators import pilot_indicators, status_counts, status_summary
    from zzgeo.groundwater.maps import zone_map
    from zzgeo.groundwater.rules import load_rules
    from zzgeo.groundwater.screening import screen_sources
    from zzgeo.layers import read_layer

    given = check_inputs("groundwater", inputs, INPUTS)
    crs, rules = given.get("crs"), given.get("rules")
    zones, (src, wel) = load_zones(given.get("sources"), given.get("wells"), given.get("rivers"), given.get("study_zones"), rules, crs=crs)
    pollution = load_pollution(given.get("pollution"), crs=crs)
    screened = screen_sources(pollution, zones, rules=load_rules(rules))
    notes_table, register_lines = register_notes({str(given.get("sources") or "DEMO sources"): src,
                                                  str(given.get("wells") or "DEMO wells"): wel,
                                                  str(given.get("pollution") or "DEMO pollution sources"): pollution})
    districts = read_layer("districts")
    pilot = pilot_indicators(screened.sources, zones, as_of=as_of, districts=districts)
    sources = screened.sources
    listed = sources[sources["listed"]].sort_values("priority")
    inside = sources[sources["zone"] != "outside"].groupby("adcode").size()
    demo = [k for k, flag in ((N_("wells and sources"), zones.meta["demo"]), (N_("pollution sources"), screened.meta["demo"])) if flag]
    status = status_counts(pilot.indicators)
    return ThemeRun(
        key="groundwater", title="地下水 Groundwater", document=zones.meta["document"],
        tables={"zones": zones.zones, "screening_list": listed, "indicators": pilot.indicators, "rates_by_district": pilot.by_district,
                "register_notes": notes_table},
        maps={"zones": lambda basemap="none": zone_map(zones, screened, basemap=basemap)},
        findings=[
            _("{sources} drinking-water sources; recharge zones: {travel_km2:,.1f} km² within the travel time, {envelope_km2:,.1f} km² "
              "in the capture envelopes (wells superposed); zones 1 and 2 {protected_km2:,.1f} km² (HJ 338-2018 circles)").format(
                sources=len(zones.sources), travel_km2=_area(zones, "recharge_tot"), envelope_km2=_area(zones, "recharge"),
                protected_km2=_area(zones, "zone1") + _area(zones, "zone2")),
            _("{inside} of {total} pollution sources lie inside a zone").format(
                inside=len(sources) - int((sources["zone"] == "outside").sum()), total=len(sources)),
            _("leak-screening list ({clause}): {n} sources").format(clause=screened.meta["clause"], n=len(listed)),
            _("of the {n} pilot indicators of 表2—1, as of {year}: {statuses}").format(
                n=int(status.sum()), year=as_of, statuses=status_summary(pilot.indicators)),
        ],
        demo=demo,
        indicators=pd.DataFrame({"sources_in_zones": inside.reindex(districts["adcode"], fill_value=0).to_numpy(),
                                 "leak_screening": pilot.by_district.set_index("adcode")["leak_screening_rate"].reindex(districts["adcode"]).to_numpy()},
                                index=districts["adcode"].to_numpy()),
        notes=[*zones.meta["notes"], pilot.meta["screening_dates"], *register_lines],
    )
