"""Map layers of the shelter theme: per-capita area by district, shelters, and the siting plan.

Drawn by :mod:`zzgeo.maps` (offline HTML, PNG). Captions cite the targets of
郑政文〔2022〕40号 and the rule set; a DEMO banner appears when the register or
the candidate sites are the synthetic demo layers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd

    from zzgeo.shelters.coverage import CoverageResult
    from zzgeo.shelters.siting import SitingResult

__all__ = ["coverage_map", "siting_map"]


def coverage_map(result: CoverageResult, districts: gpd.GeoDataFrame, *, show_class: str | None = "I") -> folium.Map:
    """Per-capita effective shelter area by district, with the shelters of *show_class* (all if None) on top."""
    from zzgeo.maps import add_points, choropleth_map

    meta = result.meta
    layer = districts[["adcode", "geometry"]].merge(result.table, on="adcode")
    layer["per_capita_m2"] = layer["per_capita_m2"].round(2)
    demo = bool(meta["demo"])
    m = choropleth_map(
        layer, "per_capita_m2",
        title="Shelter area per resident, by district" + (" (DEMO)" if demo else ""),
        caption_lines=[
            ("DEMO register (synthetic) - " if demo else "") + "per-capita effective shelter area, m²/person",
            f"target: {meta['target_source']}",
            f"rule set: {meta['rule_set']['id']} ({meta['rule_set']['status']})",
            f"population: {meta['population_method'][:90]}",
        ],
        tooltip_columns=["name", "population", "effective_area_m2", "gap_2025_m2", "gap_2029_m2"],
        legend_title="m² per resident", demo=demo,
    )
    shelters = result.shelters if show_class is None else result.shelters[result.shelters["shelter_class"] == show_class]
    if len(shelters):
        add_points(m, shelters, label_column="name", color="#1f4e9c", radius=4,
                   name=f"class {show_class} shelters" if show_class else "shelters")
    return m


def siting_map(plan: SitingResult, districts: gpd.GeoDataFrame, *, top: int = 30) -> folium.Map:
    """Per-capita area after the plan, with the first *top* chosen sites in build order."""
    from zzgeo.maps import add_points, choropleth_map

    meta = plan.meta
    after = districts[["adcode", "geometry"]].merge(plan.districts, on="adcode")
    after["per_capita_after_m2"] = after["per_capita_after_m2"].round(2)
    demo = bool(meta["demo"])
    m = choropleth_map(
        after, "per_capita_after_m2",
        title=f"Per-capita area after the {meta['year']} siting plan" + (" (DEMO)" if demo else ""),
        caption_lines=[("DEMO register and DEMO candidate sites (synthetic)" if demo else "user register and candidates"),
                       f"method: {meta['method']} ({meta['status']})", f"candidates: {meta['candidate_rule']}"],
        tooltip_columns=["name", "sites_chosen", "added_area_m2", "residual_gap_m2"],
        legend_title="m² per resident after", demo=demo,
    )
    chosen = plan.chosen.head(top).copy()
    if len(chosen):
        chosen["label"] = (chosen["order"].astype(str) + ". " + chosen["name"].astype(str) + " (+"
                           + chosen["newly_covered"].round(0).astype(int).astype(str) + " residents)")
        add_points(m, chosen, label_column="label", color="#238b45", radius=6, name="chosen sites")
    return m
