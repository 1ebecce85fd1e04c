"""What a zzgeo map holds besides folium's elements: basemaps, drawn layers, legends, notes.

The builders (:mod:`.builders`) fill it in; the exporters (:mod:`.export`,
:mod:`.static`) read it. It sits below both, so neither imports the other.

Examples
--------
>>> import folium
>>> m = folium.Map()
>>> map_state(m).title = "试验"
>>> map_state(m).title, map_state(m).crs
('试验', 'wgs84')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd

__all__ = ["Basemap", "BASEMAPS", "LayerRecord", "MapState", "map_state"]


@dataclass(frozen=True)
class Basemap:
    """A tile basemap: online only; ``crs`` is the datum its tiles are drawn in."""

    name: str
    url: str | None
    crs: str
    attribution: str = ""
    subdomains: str = "abc"


#: ``none`` (default, works offline), OpenStreetMap (WGS-84) and Amap/高德 (GCJ-02: vector layers are shifted).
BASEMAPS = {
    "none": Basemap("none", None, "wgs84"),
    "osm": Basemap("osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "wgs84", "© OpenStreetMap contributors"),
    "amap": Basemap("amap", "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
                    "gcj02", "© 高德地图 AutoNavi (GCJ-02)", "1234"),
}


@dataclass
class LayerRecord:
    """One drawn layer, in display coordinates, kept for the static (matplotlib) rendering."""

    kind: str  # polygons | points | outlines | labels
    name: str
    frame: gpd.GeoDataFrame
    style: dict
    element: object = None
    show: bool = True


@dataclass
class MapState:
    """What a zzgeo map holds besides folium's elements."""

    title: str = ""
    basemap: Basemap = BASEMAPS["none"]
    banner: str | None = None
    layers: list[LayerRecord] = field(default_factory=list)
    legends: list[tuple[str, list[tuple[str, str, str]]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    bounds: tuple[float, float, float, float] | None = None
    fill_opacity: float = 0.75
    #: Legend section / caption note -> the switchable group (layer-control name) it belongs to.
    groups: dict[str, str] = field(default_factory=dict)
    #: Groups hidden when the page opens (their legend sections and notes too).
    hidden: set[str] = field(default_factory=set)

    def shown(self, key: str) -> bool:
        """Whether a legend section or note belongs to a group that is shown when the page opens."""
        return self.groups.get(key) not in self.hidden

    @property
    def crs(self) -> str:
        return self.basemap.crs

    def extend_bounds(self, frame: gpd.GeoDataFrame) -> None:
        minx, miny, maxx, maxy = frame.total_bounds
        if self.bounds is not None:
            minx, miny = min(minx, self.bounds[0]), min(miny, self.bounds[1])
            maxx, maxy = max(maxx, self.bounds[2]), max(maxy, self.bounds[3])
        self.bounds = (float(minx), float(miny), float(maxx), float(maxy))


_STATE_ATTR = "_zzgeo_state"


def map_state(m: folium.Map) -> MapState:
    """The :class:`MapState` of a map (a plain ``folium.Map`` gets an empty one)."""
    state = getattr(m, _STATE_ATTR, None)
    if state is None:
        state = MapState()
        setattr(m, _STATE_ATTR, state)
    return state
