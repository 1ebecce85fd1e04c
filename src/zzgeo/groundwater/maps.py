"""Map layers of the groundwater theme: source zones, wells, and the pollution sources on the screening list.

Drawn by :mod:`zzgeo.maps` (offline HTML, PNG). Zones are coloured by kind
(zone 1 dark, zone 2, the recharge zone's travel-time zone, its capture envelope lightest), wells in blue, listed pollution
sources in red with their priority; captions cite 郑政文〔2022〕49号 and the
methods, and a DEMO banner appears when the registers are the demo layers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zzgeo.i18n import N_

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from zzgeo.groundwater.screening import ScreeningResult
    from zzgeo.groundwater.zones import ZoneResult

__all__ = ["ZONE_COLOURS", "travel_time_phrase", "zone_map"]

#: Colour-blind-safe sequential blues, darkest for the most protected zone; the travel-time zone a shade darker
#: than the capture envelope around it.
ZONE_COLOURS = {"一级保护区": "#08519c", "二级保护区": "#6baed6", "补给区·迁移时间区": "#9ecae1", "补给区·捕获区包络": "#deebf7"}


#: How sure a rule file's figure is (its ``status``), as the caption says it.
_STATUS_PHRASES = {"checked": N_("checked in a primary source"), "secondary": N_("from one secondary source"),
                   "unverified": N_("commonly quoted, unverified"), "assumption": N_("an assumption")}


def travel_time_phrase(rules: dict | None) -> str:
    """The recharge zone's travel time as used, its status and the rule set it came from, for the map caption.

    Parameters
    ----------
    rules : dict or None
        ``ZoneResult.meta["rules"]`` (:meth:`GroundwaterRules.describe`); None when the result does not record it.

    Returns
    -------
    str

    Examples
    --------
    >>> from zzgeo.groundwater.rules import load_rules
    >>> travel_time_phrase(load_rules().describe())
    '10 years = 3,650 days, an assumption; rule set zhengzhou-groundwater-2022, [capture] travel_days'
    >>> travel_time_phrase({"id": "mine", "recharge": {"travel_days": 1000.0, "status": "unverified"}})
    '1,000 days, commonly quoted, unverified; rule set mine, [capture] travel_days'
    >>> travel_time_phrase(None)
    'not recorded in the result'
    """
    from zzgeo.i18n import _

    recharge = (rules or {}).get("recharge") or {}
    days = recharge.get("travel_days")
    if days is None:
        return _("not recorded in the result")
    days = float(days)
    years = days / 365
    if days % 365 == 0 and years > 1:
        travel = _("{years:g} years = {days:,g} days").format(years=years, days=days)
    else:
        travel = _("{days:,g} days").format(days=days)
    status = recharge.get("status")
    status = _(_STATUS_PHRASES[status]) if status in _STATUS_PHRASES else str(status or _("status not given"))
    return _("{travel}, {status}; rule set {rule_set}, [capture] travel_days").format(travel=travel, status=status,
                                                                                      rule_set=rules.get("id") or "?")


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
            _("补给区·迁移时间区: water reaches a well within the travel time ({travel}), by backward particle "
              "tracking; 补给区·捕获区包络: the capture zone cut at that zone's upgradient end (a conservative superset); "
              "wells superposed (they interfere), image wells for a river").format(travel=travel_time_phrase(zones.meta.get("rules"))),
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
            add_points(m, listed, label_column="label", color="#cb181d", radius=5, name=_("leak-screening list (渗漏排查清单)"), fit=True,
                       top=top, chosen_by=_("priority (1 first)"))
    return m
