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


def _note_target_breaks(m: folium.Map, meta: dict) -> None:
    """Say in the caption that the class breaks include the per-capita targets (those inside the values' range are breaks)."""
    from zzgeo.i18n import _
    from zzgeo.maps import map_state

    targets = _(" and ").join(_("{target:g} m²/person ({year})").format(target=t, year=y) for y, t in meta["targets_m2"].items())
    map_state(m).notes.append(_("class breaks include the targets {targets} of {document} within the values' range; "
                                "a district at a target is in the class above it").format(targets=targets, document=meta["targets_document"]))


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

    Returns
    -------
    folium.Map
        Its :class:`~zzgeo.maps.MapState` carries the title, legends and notes.

    Examples
    --------
    A hand-built district (a 4 km square around 二七广场) with 20,000 residents
    and two class I shelters of 30,000 m²: 3 m² per person, drawn with the
    5 km service radius of class I.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> from zzgeo.maps import map_state
    >>> x, y = gpd.GeoSeries.from_xy([113.6654], [34.7536], crs=4326).to_crs(4547).iloc[0].coords[0]
    >>> districts = gpd.GeoDataFrame({"adcode": ["410104"], "name": ["管城回族区"]},
    ...                              geometry=[box(x - 2000, y - 2000, x + 2000, y + 2000)], crs=4547)
    >>> demand = gpd.GeoDataFrame({"population": [5000.0] * 4, "adcode": "410104"}, crs=4547,
    ...                           geometry=[Point(x + dx, y + dy) for dx in (-500, 500) for dy in (-500, 500)])
    >>> from zzgeo.shelters.coverage import shelter_coverage
    >>> register = gpd.GeoDataFrame({"name": ["东广场", "西广场"], "shelter_class": "I", "effective_area_m2": 30000.0},
    ...                             geometry=[Point(x + 1000, y), Point(x - 1000, y)], crs=4547)
    >>> m = coverage_map(shelter_coverage(register, demand, districts=districts), districts)
    >>> map_state(m).title
    '人均有效避难面积 Shelter area per resident, by district (2025 target 2 m²)'
    >>> legends = dict(map_state(m).legends)
    >>> legends["服务半径 service radius (straight line)"], legends["避难场所 shelters (register)"]
    ([('#1b9e77', 'class I: 5,000 m', 'line')], [('#1b9e77', 'class I (2)', 'dot')])
    """
    import geopandas as gpd

    from zzgeo.i18n import _
    from zzgeo.maps import add_outlines, add_points, choropleth_map
    from zzgeo.shelters.rules import shown_value

    meta = result.meta
    layer = districts[["adcode", "geometry"]].merge(result.table, on="adcode")
    layer["per_capita_m2"] = layer["per_capita_m2"].round(2)
    layer["covered_share"] = layer["covered_share"].round(3)
    units = meta.get("units", {})
    demo = bool(meta["demo"]) or bool(units.get("demo"))
    m = choropleth_map(
        layer, "per_capita_m2", basemap=basemap,
        title=_("人均有效避难面积 Shelter area per resident, by {units} ({year} target {target:g} m²)").format(
            units=units.get("label", _("district")), year=meta["year"], target=meta["target_m2"])
        + (" (DEMO)" if demo else ""),
        caption_lines=[
            (_("DEMO register (synthetic) - ") if meta["demo"] else "") + (_("DEMO units (synthetic) - ") if units.get("demo") else "")
            + _("per-capita effective shelter area, m²/person"),
            _("target: {source}").format(source=meta["target_source"]),
            _("rule set: {id} ({status}); service radii drawn as straight-line circles").format(
                id=meta["rule_set"]["id"], status=shown_value(meta["rule_set"]["status"])),
            _("population: {method}").format(method=meta["population_method"][:90]),
        ],
        tooltip_columns=["name", "population", "effective_area_m2", "covered_share"],
        popup_columns=["name", "population", "shelters", "effective_area_m2", "per_capita_m2", "gap_2025_m2", "gap_2029_m2",
                       "covered_share", "assured_share"],
        labels={"shelters": _("避难场所数 shelters"), "assured_share": _("容量保障率 assured share")},
        legend_title=_("m² per resident") if units else _("m² per resident (2020 census)"), demo=demo, scheme="fisher_jenks",
        breaks_include=list(meta["targets_m2"].values()), colors="RdYlBu",  # short of the target red, above it blue
    )
    _note_target_breaks(m, meta)
    radii = radii_m or {code: c["service_radius_m"] for code, c in meta["rule_set"]["classes"].items()}
    shelters = result.shelters if show_class is None else result.shelters[result.shelters["shelter_class"] == show_class]
    for row in service_areas(shelters, radii).itertuples():
        add_outlines(m, gpd.GeoDataFrame(geometry=[row.geometry], crs=4547),
                     name=_("class {shelter_class} service radius {radius_m:,.0f} m").format(shelter_class=row.shelter_class, radius_m=row.radius_m),
                     color=CLASS_COLOURS.get(row.shelter_class, "#555555"), weight=1.2, dash=None,
                     legend_label=_("class {shelter_class}: {radius_m:,.0f} m").format(shelter_class=row.shelter_class, radius_m=row.radius_m),
                     legend_section=_("服务半径 service radius (straight line)"))
    for code, group in shelters.groupby("shelter_class", sort=True):
        add_points(m, group, label_column="name", color=CLASS_COLOURS.get(code, "#1f4e9c"), radius=3 if code == "III" else 4,
                   name=_("class {shelter_class}").format(shelter_class=code), legend_section=_("避难场所 shelters (register)"),
                   popup_columns=["name", "shelter_class", "effective_area_m2", "capacity_places"],
                   labels={"capacity_places": _("容纳人数 places")})
    return m


def siting_map(plan: SitingResult, districts: gpd.GeoDataFrame, *, top: int = 30, basemap: str = "none") -> folium.Map:
    """Per-capita area after the plan, with the first *top* chosen sites in build order.

    Parameters
    ----------
    plan : SitingResult
        From :func:`~zzgeo.shelters.siting.site_shelters`.
    districts : geopandas.GeoDataFrame
    top : int, default 30
        How many chosen sites to draw, in build order; when the plan chose
        more, the legend and caption say "N of M shown, chosen by build order ...".
    basemap : str

    Returns
    -------
    folium.Map

    Examples
    --------
    A hand-built district (a 4 km square around 二七广场) with 20,000 residents
    and a class I shelter of 30,000 m² lacks 10,000 m² for 2025; of three
    candidates, A (6,000 m²) and B (5,000 m²) close it at least cost:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> from zzgeo.maps import map_state
    >>> x, y = gpd.GeoSeries.from_xy([113.6654], [34.7536], crs=4326).to_crs(4547).iloc[0].coords[0]
    >>> districts = gpd.GeoDataFrame({"adcode": ["410104"], "name": ["管城回族区"]},
    ...                              geometry=[box(x - 2000, y - 2000, x + 2000, y + 2000)], crs=4547)
    >>> demand = gpd.GeoDataFrame({"population": [5000.0] * 4, "adcode": "410104"}, crs=4547,
    ...                           geometry=[Point(x + dx, y + dy) for dx in (-500, 500) for dy in (-500, 500)])
    >>> from zzgeo.shelters.siting import site_shelters
    >>> register = gpd.GeoDataFrame({"name": ["东广场"], "shelter_class": "I", "effective_area_m2": 30000.0},
    ...                             geometry=[Point(x + 1000, y)], crs=4547)
    >>> candidates = gpd.GeoDataFrame({"candidate_id": list("ABC"), "name": ["A 公园", "B 学校", "C 广场"],
    ...                                "usable_area_m2": [6000.0, 5000.0, 4500.0], "cost": [5e6, 3e6, 4e6]},
    ...                               geometry=[Point(x, y + 1500), Point(x, y - 1500), Point(x - 1500, y)], crs=4547)
    >>> plan = site_shelters(register, candidates, demand, year=2025, districts=districts)
    >>> m = siting_map(plan, districts)
    >>> map_state(m).title
    'Per-capita area after the 2025 siting plan'
    >>> plan.chosen["name"].tolist()
    ['A 公园', 'B 学校']
    """
    from zzgeo.i18n import _
    from zzgeo.maps import add_points, choropleth_map
    from zzgeo.shelters.rules import shown_value

    meta = plan.meta
    after = districts[["adcode", "geometry"]].merge(plan.districts, on="adcode")
    after["per_capita_after_m2"] = after["per_capita_after_m2"].round(2)
    demo = bool(meta["demo"])
    m = choropleth_map(
        after, "per_capita_after_m2", basemap=basemap,
        title=_("Per-capita area after the {year} siting plan").format(year=meta["year"]) + (" (DEMO)" if demo else ""),
        caption_lines=[(_("DEMO register and DEMO candidate sites (synthetic)") if demo else _("user register and candidates")),
                       _("method: {method} ({status})").format(method=shown_value(meta["method"]), status=meta["status"]),
                       _("candidates: {rule}").format(rule=meta["candidate_rule"])],
        tooltip_columns=["name", "sites_chosen", "added_area_m2", "residual_gap_m2"],
        legend_title=_("m² per resident after"), demo=demo, breaks_include=list(meta["targets_m2"].values()),
        colors="RdYlBu",
    )
    _note_target_breaks(m, meta)
    chosen = plan.chosen.copy()
    if len(chosen) and top > 0:
        chosen["label"] = [_("{order}. {name} (+{residents} residents)").format(order=o, name=n, residents=r) for o, n, r in zip(
            chosen["order"].astype(str), chosen["name"].astype(str), chosen["newly_covered"].round(0).astype(int).astype(str), strict=True)]
        add_points(m, chosen, label_column="label", color="#238b45", radius=6, name="chosen sites", top=top,  # the QGIS style's key
                   chosen_by=_("build order (most newly covered residents first)"))
    return m
