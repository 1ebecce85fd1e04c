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

__all__ = ["CLASS_COLOURS", "coverage_map", "service_areas", "siting_map"]


#: Colour-blind-safe class colours (ColorBrewer Dark2 subset) for shelters and their service areas.
CLASS_COLOURS = {"I": "#1b9e77", "II": "#7570b3", "III": "#d95f02"}


def service_areas(shelters: gpd.GeoDataFrame, radii_m: dict[str, float]) -> gpd.GeoDataFrame:
    """Union of the service circles of each class (straight-line radius), one row per class, in EPSG:4547."""
    import geopandas as gpd
    import shapely

    from zzgeo.crs import to_metric

    metric = to_metric(shelters, name="shelters")
    rows = []
    for code, radius in radii_m.items():
        pts = metric.geometry[metric["shelter_class"] == code]
        if len(pts):
            rows.append({"shelter_class": code, "radius_m": radius,
                         "geometry": shapely.union_all(shapely.buffer(pts.values, radius, quad_segs=12))})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=metric.crs) if rows else gpd.GeoDataFrame(
        {"shelter_class": [], "radius_m": []}, geometry=[], crs=metric.crs)


def coverage_map(result: CoverageResult, districts: gpd.GeoDataFrame, *, show_class: str | None = None,
                 basemap: str = "none", radii_m: dict[str, float] | None = None) -> folium.Map:
    """Per-capita effective shelter area by district; shelters by class with their service radii.

    Parameters
    ----------
    result : CoverageResult
    districts : geopandas.GeoDataFrame
    show_class : str, optional
        Draw only this class (default: every class).
    basemap : str
    radii_m : dict, optional
        Class -> service radius (m); default the radii of the result's rule set.
    """
    import geopandas as gpd

    from zzgeo.maps import add_outlines, add_points, choropleth_map

    meta = result.meta
    layer = districts[["adcode", "geometry"]].merge(result.table, on="adcode")
    layer["per_capita_m2"] = layer["per_capita_m2"].round(2)
    layer["covered_share"] = layer["covered_share"].round(3)
    demo = bool(meta["demo"])
    m = choropleth_map(
        layer, "per_capita_m2", basemap=basemap,
        title=f"人均有效避难面积 Shelter area per resident, by district ({meta['year']} target {meta['target_m2']:g} m²)"
        + (" (DEMO)" if demo else ""),
        caption_lines=[
            ("DEMO register (synthetic) - " if demo else "") + "per-capita effective shelter area, m²/person",
            f"target: {meta['target_source']}",
            f"rule set: {meta['rule_set']['id']} ({meta['rule_set']['status']}); service radii drawn as straight-line circles",
            f"population: {meta['population_method'][:90]}",
        ],
        tooltip_columns=["name", "population", "effective_area_m2", "covered_share"],
        popup_columns=["name", "population", "shelters", "effective_area_m2", "per_capita_m2", "gap_2025_m2", "gap_2029_m2",
                       "covered_share", "assured_share"],
        labels={"shelters": "避难场所数 shelters", "assured_share": "容量保障率 assured share"},
        legend_title="m² per resident (2020 census)", demo=demo, scheme="fisher_jenks",
    )
    radii = radii_m or {code: c["service_radius_m"] for code, c in meta["rule_set"]["classes"].items()}
    shelters = result.shelters if show_class is None else result.shelters[result.shelters["shelter_class"] == show_class]
    for row in service_areas(shelters, radii).itertuples():
        add_outlines(m, gpd.GeoDataFrame(geometry=[row.geometry], crs=4547), name=f"class {row.shelter_class} service radius {row.radius_m:,.0f} m",
                     color=CLASS_COLOURS.get(row.shelter_class, "#555555"), weight=1.2, dash=None,
                     legend_label=f"class {row.shelter_class}: {row.radius_m:,.0f} m", legend_section="服务半径 service radius (straight line)")
    for code, group in shelters.groupby("shelter_class", sort=True):
        add_points(m, group, label_column="name", color=CLASS_COLOURS.get(code, "#1f4e9c"), radius=3 if code == "III" else 4,
                   name=f"class {code}", legend_section="避难场所 shelters (register)", popup_columns=["name", "shelter_class", "effective_area_m2", "capacity_places"],
                   labels={"capacity_places": "容纳人数 places"})
    return m


def siting_map(plan: SitingResult, districts: gpd.GeoDataFrame, *, top: int = 30, basemap: str = "none") -> folium.Map:
    """Per-capita area after the plan, with the first *top* chosen sites in build order."""
    from zzgeo.maps import add_points, choropleth_map

    meta = plan.meta
    after = districts[["adcode", "geometry"]].merge(plan.districts, on="adcode")
    after["per_capita_after_m2"] = after["per_capita_after_m2"].round(2)
    demo = bool(meta["demo"])
    m = choropleth_map(
        after, "per_capita_after_m2", basemap=basemap,
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
