"""Map layers of the land-price theme: grade zones coloured by benchmark price, parcels on top.

Maps are drawn by :mod:`zzgeo.maps` (offline HTML, PNG); this module only prepares the
theme's layers and captions, with the document number and the DEMO notice where the
grade zones are synthetic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd

__all__ = ["grade_map", "grade_price_layer"]


def grade_price_layer(zones: gpd.GeoDataFrame, *, table: str, use: str, right: str | None = None) -> gpd.GeoDataFrame:
    """Zones of one table and use with their printed price (元/m²) and a label ``"1级 · 1020 元/m²"``.

    Examples
    --------
    附件1, 工业用地 (出让) prints 345, 315, 290 and 270 元/m² for grades 1-4:

    >>> from zzgeo.landprice import default_zones
    >>> layer = grade_price_layer(default_zones(), table="collective_construction", use="industrial")
    >>> layer["grade_label"].tolist()
    ['1级 · 345 元/m²', '2级 · 315 元/m²', '3级 · 290 元/m²', '4级 · 270 元/m²']
    """
    from zzgeo.landprice.rules import benchmark_price, use_info
    from zzgeo.landprice.zones import zone_subset

    info = use_info(table, use)
    right = right or next(iter(info.rights))
    layer = zone_subset(zones, table, use).copy()
    layer["price_yuan_m2"] = [benchmark_price(table, use, right, g) for g in layer["grade"]]
    layer["grade_label"] = [f"{g}级 · {p:g} 元/m²" for g, p in zip(layer["grade"], layer["price_yuan_m2"])]
    return layer


def grade_map(
    zones: gpd.GeoDataFrame,
    *,
    table: str = "collective_construction",
    use: str = "commercial",
    parcels: gpd.GeoDataFrame | None = None,
    label_column: str | None = None,
    basemap: str = "none",
) -> folium.Map:
    """An offline-ready map of one grade map with prices, and optionally parcels as points.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Validated grade zones (e.g. :func:`zzgeo.landprice.default_zones`).
    table, use : str
        Which grade map to draw (default: 商业服务业用地 of 附件1).
    parcels : geopandas.GeoDataFrame, optional
        Drawn on top at their representative points.
    label_column : str, optional
        Column of *parcels* shown as their labels.
    basemap : str
        ``"none"`` (offline), ``"osm"`` or ``"amap"``.

    Returns
    -------
    folium.Map
        With its title, legend, captions and (for DEMO zones) banner in
        :func:`zzgeo.maps.map_state`.

    Examples
    --------
    The DEMO zones of 商业服务业用地: the legend carries the printed prices of
    附件1 (1020, 895, 800, 730, 670, 615 元/m²), the title and banner say DEMO:

    >>> from zzgeo.landprice import default_zones
    >>> from zzgeo.maps import map_state
    >>> state = map_state(grade_map(default_zones()))
    >>> state.title
    'collective_construction · 商业服务业用地 基准地价级别 (DEMO zones)'
    >>> state.banner
    'DEMO grade zones — not the official 郑政文〔2022〕42号 grade map'
    >>> [label for _, label, _ in state.legends[0][1]]
    ['1级 · 1020 元/m²', '2级 · 895 元/m²', '3级 · 800 元/m²', '4级 · 730 元/m²', '5级 · 670 元/m²', '6级 · 615 元/m²']
    """
    from zzgeo.i18n import N_, _
    from zzgeo.landprice.rules import doc_number, document, use_info
    from zzgeo.landprice.valuer_table import shown_table
    from zzgeo.maps import add_points, choropleth_map

    info = use_info(table, use)
    layer = grade_price_layer(zones, table=table, use=use)
    demo = bool(layer["demo"].astype(bool).any()) if "demo" in layer else False
    doc = document()
    form = _("floor price 楼面价") if info.price_form == "floor" else _("ground price 地面价")
    # the table by its Chinese name in Chinese (its id in English, as before); the use by the table's own wording
    title = _("{table} · {use} 基准地价级别 (DEMO zones)") if demo else _("{table} · {use} 基准地价级别")
    m = choropleth_map(
        layer, "grade_label", basemap=basemap,
        title=title.format(table=shown_table(table, shipped=True), use=info.name_zh),
        legend_title=_("grade (级别) · 元/m²"),
        tooltip_columns=["grade", "price_yuan_m2"],
        caption_lines=[
            _("Prices: {document} (元/m², {form}, base date {date})").format(document=doc_number(), form=form, date=doc["base_date"]),
            _("Grade zones: DEMO, synthetic; the official map was not published (地价图（略）)") if demo else _("Grade zones: user layer"),
            _("Boundaries: geotool-cn (DataV/Amap, for learning and exchange only)"),
        ],
        demo=demo,
        banner_text=_("DEMO grade zones — not the official {document} grade map").format(document=doc_number()),
    )
    if parcels is not None and len(parcels):
        add_points(m, parcels.set_geometry(parcels.geometry.representative_point()), label_column=label_column, name=_("parcels"),
                   count_label=N_("{n:,} parcels (drawn as points)") if (parcels.geom_type != "Point").any() else N_("{n:,} parcels"))
    return m
