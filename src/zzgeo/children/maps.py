"""Map layers of the child-friendly theme: attainment of a target by district, and the walking-access gaps of a type.

Drawn by :mod:`zzgeo.maps` (offline HTML, PNG). Development zones have no
public boundary, so their attainment is listed in the caption rather than drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.i18n import N_, _

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from zzgeo.children.access import AccessResult
    from zzgeo.children.attainment import Attainment

__all__ = ["RATIO_COLOURS", "access_map", "attainment_map", "district_attainment", "overview_map"]

#: Colour-blind-safe diverging classes (ColorBrewer RdYlBu): red = far from the target, blue = met.
RATIO_COLOURS = ("#d73027", "#fc8d59", "#fee090", "#91bfdb", "#4575b4")
#: The gap cells' layer on the access map, shown in the interface language; the QGIS style of the report finds
#: it by this English name or its translation (:mod:`zzgeo.report.qgis_layers`).
GAP_CELLS = N_("gap cells")
_RATIO_CLASSES = ((0.0, "< 25 %"), (0.25, "25-50 %"), (0.5, "50-75 %"), (0.75, "75-100 %"), (1.0, "met (≥ 100 %)"))


def _ratio_class(ratio) -> str:
    if pd.isna(ratio):
        return "not measured"
    label = _RATIO_CLASSES[0][1]
    for low, text in _RATIO_CLASSES:
        if ratio >= low:
            label = text
    return label


def attainment_map(result: Attainment, target_id: str, *, basemap: str = "none") -> folium.Map:
    """Districts coloured by their attainment of one per-unit or per-head target; facilities of its types as points.

    Parameters
    ----------
    result : Attainment
        :func:`~zzgeo.children.attainment.target_attainment`.
    target_id : str
        A target with per-unit records (scope ``per_unit`` or per 1,000 / 10,000 residents).
    basemap : {"none", "osm", "amap"}

    Returns
    -------
    folium.Map
        Development zones, which have no public boundary, are listed in the caption.

    Raises
    ------
    UnknownCodeError
        *target_id* has no per-unit records in the result's year.

    Examples
    --------
    Two child-friendly blocks against 四(四)28's 5 per unit: 二七区 and
    郑东新区 each have 1 of 5 (20 %), the other units none.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.children import attainment_map, read_facilities, target_attainment
    >>> from zzgeo.maps import map_state
    >>> register = gpd.GeoDataFrame({"设施类型": ["儿童友好街区", "街区"], "所属单位": ["二七区", "郑东新区"], "年份": [2022, 2023]},
    ...                             geometry=[Point(113.5826, 34.6850), Point(113.7302, 34.8117)], crs="EPSG:4326")
    >>> result = target_attainment(read_facilities(register))
    >>> state = map_state(attainment_map(result, "street_cf_2025"))
    >>> state.title, state.legends[0]
    ('儿童友好街区 — 四(四)28 (2025)', ('attainment of 5 个', [('#d73027', '< 25 %', 'box')]))
    >>> state.notes[1]
    'development zones (no public boundary): 郑东新区 1/5; 郑州经济技术开发区 0/5; 郑州高新技术产业开发区 0/5; 郑州航空港经济综合实验区 0/5'
    >>> attainment_map(result, "park_cf_2025")  # a city-wide target
    Traceback (most recent call last):
    ...
    zzgeo.errors.UnknownCodeError: target 'park_cf_2025' has no per-unit records in 2025; use one of ['activity_centre_2025', ...]
    """
    from zzgeo.children.attainment import status_for_people
    from zzgeo.errors import UnknownCodeError
    from zzgeo.layers import read_layer
    from zzgeo.maps import add_points, choropleth_map

    rows = result.records[(result.records["target_id"] == target_id) & (result.records["unit"] != "city")]
    if rows.empty:
        per_unit = sorted(result.records.loc[result.records["unit"] != "city", "target_id"].unique())
        raise UnknownCodeError(_("target {target_id!r} has no per-unit records in {year}; use one of {per_unit}").format(
            target_id=target_id, year=result.meta["year"], per_unit=per_unit))
    districts = read_layer("districts")[["adcode", "name", "geometry"]]
    layer = districts.merge(rows, left_on="adcode", right_on="unit", how="left")
    layer["attainment"] = [_ratio_class(r) for r in layer["ratio"]]
    layer["ratio %"] = (layer["ratio"] * 100).round(1)
    layer["status"] = layer["status"].map(status_for_people)  # the records keep the English status
    first = rows.iloc[0]
    zones = rows[~rows["unit"].isin(districts["adcode"])]
    zone_line = "; ".join(f"{r.unit_name} {r.actual:g}/{r.target:g}" for r in zones.itertuples()) or _("none")
    order = [label for _low, label in _RATIO_CLASSES if label in set(layer["attainment"])] + (["not measured"] if "not measured" in set(layer["attainment"]) else [])
    colours = dict(zip([label for _low, label in _RATIO_CLASSES], RATIO_COLOURS, strict=True)) | {"not measured": "#cccccc"}
    layer = layer.sort_values("attainment", key=lambda s: s.map({label: i for i, label in enumerate(order)}))
    demo = bool(result.meta.get("demo"))
    m = choropleth_map(
        layer, "attainment", basemap=basemap, title=f"{first['facility']} — {first['task']} ({first['year'] or result.meta['year']})" + (" DEMO" if demo else ""),
        legend_title=_("attainment of {target:g} {unit}").format(target=first["target"], unit=first["unit_of_measure"]),
        colors=[colours[c] for c in dict.fromkeys(layer["attainment"])],
        tooltip_columns=["name", "actual", "target", "ratio %", "shortfall", "status"],
        caption_lines=[f"{result.meta['document']} {first['task']}: {first['wording']}",
                       _("development zones (no public boundary): {zones}").format(zones=zone_line), result.meta["unit_rule"],
                       _("DEMO facility register") if demo else _("user register")],
        demo=demo, banner_text=_("DEMO facility register — attainment is illustrative"),
    )
    names = _labels()
    types = [t for t in result.facilities["type"].unique() if names.get(t, t) in str(first["facility"]).split("、")]
    points = result.facilities[result.facilities["type"].isin(types)]
    if len(points):
        add_points(m, points.assign(label=points["name"].astype(str)), label_column="label", color="#1b7837", radius=3,
                   name=str(first["facility"]))
    return m


def _labels() -> dict[str, str]:
    """Facility type -> its name in the plan; read once per map (reading the register schema takes ~2 ms, and
    the overview labels every one of ~900 facilities)."""
    from zzgeo.children.register import facility_labels

    return facility_labels()


def access_map(result: AccessResult, kind: str, circle: str = "15min", *, basemap: str = "none") -> folium.Map:
    """The cells with most children beyond *circle* of the nearest *kind*, over the districts, with the facilities.

    Districts are coloured by the share of their children within the circle;
    the gap cells are red dots.

    Parameters
    ----------
    result : AccessResult
        :func:`~zzgeo.children.access.walking_access`.
    kind : str
        A facility type analysed.
    circle : str, default "15min"
        A life circle of the rules.
    basemap : {"none", "osm", "amap"}

    Returns
    -------
    folium.Map

    Raises
    ------
    UnknownCodeError
        No result for *kind* and *circle*.

    Examples
    --------
    The three cells of :func:`~zzgeo.children.access.walking_access`: 300 of
    the 600 children live within 500 m (10 minutes) of the childcare centre,
    and the cell 650 m away is the one gap cell.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.children import access_map, read_facilities, walking_access
    >>> from zzgeo.maps import map_state
    >>> x0, y0 = 461_125, 3_838_375  # a 250 m cell centre in 二七区, EPSG:4547 metres
    >>> surface = gpd.GeoDataFrame({"residents": [1000.0, 2000.0, 3000.0], "children": [100.0, 200.0, 300.0], "unit": "410103"},
    ...                            geometry=[Point(x0 + 250 * i, y0) for i in range(3)], crs="EPSG:4547")
    >>> surface.attrs["cell_m"] = 250
    >>> centre = gpd.GeoDataFrame({"设施类型": ["托育服务机构"], "托位": [60], "年份": [2023]}, geometry=[Point(x0, y0)], crs="EPSG:4547")
    >>> result = walking_access(read_facilities(centre), surface=surface)
    >>> state = map_state(access_map(result, "childcare", "10min"))
    >>> state.title
    'children within 500 m walk of childcare institutions (10min) — city 50%'
    >>> state.legends[0], state.legends[-1]
    (('% of children within 500 m', [('#f0f9e8', '50', 'box'), ('#cccccc', 'no data', 'box')]), ('gap cells', [('#d73027', '1 points', 'dot')]))
    """
    from zzgeo.children.register import facility_name
    from zzgeo.children.rules import circle_for_people, rule_for_people
    from zzgeo.errors import UnknownCodeError
    from zzgeo.layers import read_layer
    from zzgeo.maps import add_points, choropleth_map

    shares = result.shares[(result.shares["type"] == kind) & (result.shares["circle"] == circle)]
    if shares.empty:
        raise UnknownCodeError(_("no access result for type {kind!r} and circle {circle!r}; types: {types}").format(
            kind=kind, circle=circle, types=sorted(result.shares["type"].unique())))
    districts = read_layer("districts")[["adcode", "name", "geometry"]]
    layer = districts.merge(shares, left_on="adcode", right_on="unit", how="left")
    layer["share %"] = (layer["share"] * 100).round(1)
    metres = float(shares["walk_m"].iloc[0])
    demo = bool(result.meta.get("demo"))
    city = float(shares.loc[shares["unit"] == "city", "share"].iloc[0])
    gaps = result.gaps[(result.gaps["type"] == kind) & (result.gaps["circle"] == circle)]
    m = choropleth_map(
        layer, "share %", basemap=basemap,
        title=_("children within {metres:g} m walk of {facility} ({circle}) — city {city:.0%}").format(
            metres=metres, facility=facility_name(kind), circle=circle_for_people(circle), city=city)
        + (" DEMO" if demo else ""),
        legend_title=_("% of children within {metres:g} m").format(metres=metres), colors=("#f0f9e8", "#bae4bc", "#7bccc4", "#43a2ca", "#0868ac"),
        tooltip_columns=["name", "children", "children_within"],
        caption_lines=[_("{document}; life circles {source}").format(document=result.meta["document"], source=result.meta["rules"]["circle_source"]),
                       _("distance: {metric} (detour factor {detour:g}, an assumption)").format(
                           metric=_(result.meta["metric"]), detour=result.meta["rules"]["detour_factor"]),
                       _("children: {rule}").format(rule=rule_for_people(result.meta["children_rule"])),
                       _("red dots: the {n} grid cells with most children beyond the circle "
                         "(uniform density within a district on the default surface)").format(n=len(gaps))],
        demo=demo, banner_text=_("DEMO facility register — access is illustrative"),
    )
    if len(gaps):
        cells = gaps.copy()
        cells["geometry"] = cells.geometry.centroid
        cells["label"] = [(_("rank {rank} (tied: {tied:,} cells): {children:,.0f} children, {nearest}") if t > 1 else
                           _("rank {rank}: {children:,.0f} children, {nearest}")).format(rank=r, tied=t, children=c, nearest=_nearest(n, d))
                          for r, t, c, n, d in zip(cells["rank"], cells["tied_cells"], cells["children"], cells["nearest"],
                                                   cells["nearest_walk_m"], strict=True)]
        add_points(m, cells, label_column="label", color="#d73027", radius=4, name=_(GAP_CELLS), total=int(gaps["cells_beyond"].iloc[0]),
                   chosen_by=_("most children, then farthest"), popup_columns=["label", "unit", "children", "nearest", "lon", "lat"],
                   labels={"label": _("排名 rank"), "nearest": _("最近设施 nearest facility"), "lon": _("经度 lon (WGS-84)"),
                           "lat": _("纬度 lat (WGS-84)")})
        _tie_at_the_cut(m, result, kind, metres, gaps)
    return m


def _tie_at_the_cut(m: folium.Map, result: AccessResult, kind: str, metres: float, gaps: pd.DataFrame) -> None:
    """When the cut of the gap cells falls inside a tie (cells equal in children and distance), draw the whole tie as an
    area and say in the caption how many of its cells the dots show: which of equal cells are dots is arbitrary."""
    import geopandas as gpd
    import shapely

    from zzgeo.maps import add_outlines, map_state

    last = gaps.iloc[-1]
    rank, tied = int(last["rank"]), int(last["tied_cells"])
    drawn = int((gaps["rank"] == rank).sum())
    if tied <= drawn:
        return
    surface = result.surface
    walk, kids = surface[f"walk_{kind}"].to_numpy(), surface["children"].to_numpy()
    same = (walk > metres) & (kids == last["children"]) & ((walk == last["nearest_walk_m"]) | (np.isinf(walk) & np.isinf(last["nearest_walk_m"])))
    half = float(surface.attrs.get("cell_m") or (gaps.geometry.iloc[0].bounds[2] - gaps.geometry.iloc[0].bounds[0])) / 2.0
    x, y = shapely.get_x(surface.geometry.values[same]), shapely.get_y(surface.geometry.values[same])
    area = shapely.union_all(shapely.box(x - half, y - half, x + half, y + half))
    section = _("rank {rank:,}: {tied:,} equal cells").format(rank=rank, tied=tied)
    add_outlines(m, gpd.GeoDataFrame(geometry=[area], crs=surface.crs), name=section, color="#d73027", weight=1.2, dash="4 3",
                 legend_label=_("all {tied:,} cells of rank {rank:,} ({drawn:,} drawn as dots)").format(tied=tied, rank=rank, drawn=drawn),
                 legend_section=_(GAP_CELLS))  # the section of the gap cells' dots: their layer's name, which the QGIS style looks up
    map_state(m).notes.append(_("gap cells: rank {rank:,} is shared by {tied:,} equal cells ({children:,.0f} children, "
                                "{nearest}); the dashed outline holds them all, the dots show {drawn:,} of them (the first in grid order)").format(
                                    rank=rank, tied=tied, children=last["children"], nearest=_nearest(last["nearest"], last["nearest_walk_m"]),
                                    drawn=drawn))


def _nearest(words: str, metres: float) -> str:
    """``"nearest 900 m"``, or the gap table's words for a cell out of reach (``"no facility reachable within 1,000 m"``)."""
    return words if np.isinf(metres) else _("nearest {distance}").format(distance=words)


_PER_UNIT = ("per_unit", "per_1000_residents", "per_10000_residents")
#: Community-level types with thousands of points: left off the overview map (listed in its caption).
_NOT_DRAWN = ("parent_school", "childrens_home", "football_pitch_other")


def district_attainment(result: Attainment) -> pd.DataFrame:
    """Per district: measurable per-unit targets, how many are met, and the mean attainment (each capped at 100 %).

    Rows are the units with an adcode (districts, cities, the county and the
    three development zones with a census row); 郑东新区 is left out.

    Examples
    --------
    Against 四(四)28 (5 blocks per unit) 二七区 has 1 block, 20 %; the other
    measured per-unit and per-head targets it meets not at all:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.children import read_facilities, target_attainment
    >>> from zzgeo.children.maps import district_attainment
    >>> register = gpd.GeoDataFrame({"设施类型": ["儿童友好街区"], "年份": [2022]}, geometry=[Point(113.5826, 34.6850)], crs="EPSG:4326")
    >>> table = district_attainment(target_attainment(read_facilities(register)))
    >>> table.loc["410103"].round(3).tolist()  # targets measured, met, mean attainment: 0.2 / 5
    [5.0, 0.0, 0.04]
    """
    rec = result.records
    rows = rec[rec["unit"].str.fullmatch(r"\d{6}") & rec["ratio"].notna() & rec["scope"].isin(_PER_UNIT)]
    capped = rows.assign(capped=rows["ratio"].clip(upper=1.0), met_=rows["met"].astype(bool))
    out = capped.groupby("unit").agg(targets_measured=("target_id", "size"), targets_met=("met_", "sum"), mean_attainment=("capped", "mean"))
    return out


def overview_map(result: Attainment, *, basemap: str = "none") -> folium.Map:
    """Districts coloured by mean attainment of the measurable per-unit targets; every facility as a point.

    Community-level types with thousands of points are left off and named in the caption.

    Parameters
    ----------
    result : Attainment
    basemap : {"none", "osm", "amap"}

    Returns
    -------
    folium.Map

    Examples
    --------
    On the DEMO register (the default run) the map says so in its title,
    banner and caption:

    >>> from zzgeo.children import demo_facilities, overview_map, target_attainment
    >>> from zzgeo.maps import map_state
    >>> state = map_state(overview_map(target_attainment(demo_facilities())))
    >>> state.title
    '儿童友好城市 targets due 2025: mean attainment by district DEMO'
    >>> state.banner
    'DEMO facility register — attainment is illustrative'
    >>> state.notes[-3:]
    ['DEMO facility register', '儿童友好设施 facilities: 2,251 of 7,051 shown, chosen by every type but the community-level ones (named below)', 'not drawn (community-level, 4,800 points): 家长学校/家庭教育指导服务站点、儿童之家、足球场(非儿童友好)']
    """
    from zzgeo.layers import read_layer
    from zzgeo.maps import add_points, choropleth_map, map_state

    districts = read_layer("districts")[["adcode", "name", "geometry"]]
    table = district_attainment(result)
    layer = districts.merge(table, left_on="adcode", right_index=True, how="left")
    layer["mean attainment %"] = (layer["mean_attainment"] * 100).round(1)
    layer["attainment"] = [_ratio_class(r) for r in layer["mean_attainment"]]
    colours = dict(zip([label for _low, label in _RATIO_CLASSES], RATIO_COLOURS, strict=True)) | {"not measured": "#cccccc"}
    order = {label: i for i, (_low, label) in enumerate(_RATIO_CLASSES)}
    layer = layer.sort_values("attainment", key=lambda s: s.map(order))
    demo = bool(result.meta.get("demo"))
    m = choropleth_map(
        layer, "attainment", basemap=basemap,
        title=_("儿童友好城市 targets due {year}: mean attainment by district").format(year=result.meta["year"]) + (" DEMO" if demo else ""),
        legend_title=_("mean attainment of per-unit targets ({year}, each capped at 100 %)").format(year=result.meta["year"]),
        colors=[colours[c] for c in dict.fromkeys(layer["attainment"])],
        tooltip_columns=["name", "mean attainment %", "targets_met", "targets_measured"],
        labels={"targets_met": _("达标目标数 targets met"), "targets_measured": _("可测目标数 targets measured")},
        caption_lines=[_("{document}: {measurable} of {targets} targets measurable from a register").format(
                           document=result.meta["document"], measurable=result.meta["measurable"], targets=result.meta["targets"]),
                       _("per-unit, per-1,000 and per-10,000-resident targets; development zones counted to their host districts here"),
                       _("DEMO facility register") if demo else _("user register")],
        demo=demo, banner_text=_("DEMO facility register — attainment is illustrative"),
    )
    many = result.facilities["type"].isin(_NOT_DRAWN)
    shown = result.facilities[~many]
    names = _labels()
    points = shown.assign(label=[f"{names.get(t, t)}: {n}" for t, n in zip(shown["type"], shown["name"], strict=True)])
    add_points(m, points, label_column="label", color="#1b7837", radius=3, name=_("儿童友好设施 facilities"),
               legend_section=_("儿童友好设施 facilities (register)"), total=len(result.facilities),
               chosen_by=_("every type but the community-level ones (named below)"))
    map_state(m).notes.append(_("not drawn (community-level, {n:,} points): {types}").format(
        n=int(many.sum()), types="、".join(names.get(t, t) for t in _NOT_DRAWN)))
    return m
