"""Map layers of the groundwater theme: source zones, wells, and the pollution sources on the screening list.

Drawn by :mod:`zzgeo.maps` (offline HTML, PNG). Zones are coloured by kind
(zone 1 dark, zone 2, the recharge zone's travel-time zone, its capture envelope lightest), wells in blue, listed pollution
sources in red with their priority; captions cite 郑政文〔2022〕49号 and the
methods, and a DEMO banner appears when the registers are the demo layers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from zzgeo.groundwater.screening import ScreeningResult
    from zzgeo.groundwater.zones import ZoneResult

__all__ = ["ZONE_COLOURS", "zone_map"]

#: Colour-blind-safe sequential blues, darkest for the most protected zone; the travel-time zone a shade darker
#: than the capture envelope around it.
ZONE_COLOURS = {"一级保护区": "#08519c", "二级保护区": "#6baed6", "补给区·迁移时间区": "#9ecae1", "补给区·捕获区包络": "#deebf7"}


def zone_map(zones: ZoneResult, screening: ScreeningResult | None = None, *, top: int = 50, basemap: str = "none") -> folium.Map:
    """Zones of every source with its wells, and the first *top* sources of the leak-screening list.

    Parameters
    ----------
    zones : ZoneResult
        From :func:`zzgeo.groundwater.source_zones`.
    screening : ScreeningResult, optional
        From :func:`zzgeo.groundwater.screen_sources`; its listed sources are
        drawn in red with their priority and reasons.
    top : int
        How many listed sources to draw, by priority; when more are listed,
        the legend and caption say "N of M shown, chosen by priority".
    basemap : str
        ``"none"`` (offline), ``"osm"`` or ``"amap"``.

    Returns
    -------
    folium.Map
        With its title, legend, captions and (for DEMO registers) banner in
        :func:`zzgeo.maps.map_state`.

    Examples
    --------
    The four zones of one well (see :func:`~zzgeo.groundwater.source_zones`),
    from the lightest, the capture envelope, to zone 1 on top; the registers
    are the user's, so there is no DEMO banner:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.groundwater import source_zones
    >>> from zzgeo.maps import map_state
    >>> sources = gpd.GeoDataFrame({"source_id": ["S1"], "name": ["示例水源"], "conductivity_m_d": [30.0], "gradient": [0.001],
    ...                             "porosity": [0.2], "thickness_m": [40.0], "flow_azimuth_deg": [90.0]},
    ...                            geometry=[Point(113.62, 34.85)], crs="EPSG:4326")
    >>> wells = gpd.GeoDataFrame({"well_id": ["S1-W1"], "source_id": ["S1"], "pumping_m3_d": [5000.0]},
    ...                          geometry=[Point(113.62, 34.85)], crs="EPSG:4326")
    >>> state = map_state(zone_map(source_zones(sources, wells)))
    >>> state.title, state.banner
    ('地下水型饮用水水源 保护区与补给区', None)
    >>> [label for _, label, _ in state.legends[0][1]]
    ['补给区·捕获区包络', '补给区·迁移时间区', '二级保护区', '一级保护区']
    >>> state.notes[0]
    '郑政文〔2022〕49号 三(三)9: recharge zones of county-level-and-above sources'
    """
    from zzgeo.i18n import _
    from zzgeo.maps import add_points, choropleth_map

    layer = zones.zones.copy()
    order = {"补给区·捕获区包络": 0, "补给区·迁移时间区": 1, "二级保护区": 2, "一级保护区": 3}  # the envelope first, zone 1 on top
    layer = layer.sort_values("zone_zh", key=lambda s: s.map(order))
    layer["label"] = layer["zone_zh"]
    demo = bool(zones.meta.get("demo"))
    m = choropleth_map(
        layer, "label", basemap=basemap,
        title="地下水型饮用水水源 保护区与补给区" + (" (DEMO)" if demo else ""),
        legend_title=_("zone (分区)"),
        colors=[ZONE_COLOURS[z] for z in dict.fromkeys(layer["label"])],
        tooltip_columns=["name", "method", "area_km2"],
        caption_lines=[
            _("{document} 三(三)9: recharge zones of county-level-and-above sources").format(document=zones.meta["document"]),
            _("zones 1/2: HJ 338-2018 R = α·K·I·T/n (unverified α)"),
            _("补给区·迁移时间区: water reaches a well within the travel time (10 years, an assumption), by backward particle "
              "tracking; 补给区·捕获区包络: the capture zone cut at that zone's upgradient end (a conservative superset); "
              "wells superposed (they interfere), image wells for a river"),
            _("DEMO wells and aquifer parameters (pilot names real)") if demo else _("user registers"),
        ],
        demo=demo,
        banner_text=_("DEMO wells, parameters and pollution sources — zones are illustrative"),
    )
    if len(zones.wells):
        add_points(m, zones.wells, label_column="well_id", color="#1f4e9c", radius=4, name=_("wells (水源井)"))
    if screening is not None:
        listed = screening.sources[screening.sources["listed"]].sort_values("priority", kind="stable").copy()
        if len(listed) and top > 0:
            listed["label"] = listed["priority"].astype(int).astype(str) + ". " + listed["name"].astype(str) + " — " + listed["reasons"].str[:80]
            add_points(m, listed, label_column="label", color="#cb181d", radius=5, name="leak-screening list (渗漏排查清单)", fit=True,
                       top=top, chosen_by=_("priority (1 first)"))
    return m
