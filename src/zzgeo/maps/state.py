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

__all__ = ["Basemap", "BASEMAPS", "LayerRecord", "MapState", "basemap_of", "map_state"]


@dataclass(frozen=True)
class Basemap:
    """A tile basemap: online only; ``crs`` is the datum its tiles are drawn in.

    Attributes
    ----------
    name : str
        ``"none"``, ``"osm"`` or ``"amap"`` (the keys of :data:`BASEMAPS`), or
        a user's tile URL template (:func:`basemap_of`).
    url : str or None
        Tile URL template; None for no tiles.
    crs : str
        ``"wgs84"`` or ``"gcj02"`` (vector layers are shifted to it).
    attribution : str
    subdomains : str

    Examples
    --------
    Amap (高德) tiles are drawn in GCJ-02, so a map on them shifts its layers:

    >>> from zzgeo.maps import BASEMAPS, base_map, map_state
    >>> BASEMAPS["amap"].crs, BASEMAPS["osm"].crs, BASEMAPS["none"].url
    ('gcj02', 'wgs84', None)
    >>> m = base_map(title="高德底图 Amap", basemap="amap")
    >>> map_state(m).basemap.name, map_state(m).notes
    ('amap', ['vector layers shifted to GCJ-02 to match the Amap tiles'])
    """

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


def basemap_of(spec: str) -> Basemap:
    """The basemap *spec* names: a key of :data:`BASEMAPS`, or a tile URL template of one's own.

    A URL template (an intranet tile server, or 天地图 Tianditu with its key)
    must be ``http://`` or ``https://`` and hold ``{x}``, ``{y}`` and ``{z}``
    (``{s}``: subdomains a, b, c). Its tiles are taken to be WGS-84 /
    CGCS2000 (layers are not shifted); the map's caption names the server,
    not the whole URL, though the page must hold the URL (and any key in it)
    to fetch the tiles.

    Parameters
    ----------
    spec : str
        ``"none"``, ``"osm"``, ``"amap"`` or a tile URL template.

    Returns
    -------
    Basemap
        A user URL's basemap is named by the URL itself, so maps built from
        :attr:`Basemap.name` (e.g. :func:`zzgeo.maps.combine_maps`) get it again.

    Raises
    ------
    ParameterError
        Neither a key of :data:`BASEMAPS` nor a valid tile URL template.

    Examples
    --------
    >>> from zzgeo.maps.state import basemap_of
    >>> basemap_of("osm").crs
    'wgs84'
    >>> tdt = basemap_of("https://t0.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=vec&STYLE=default"
    ...                  "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY")
    >>> tdt.crs, tdt.attribution
    ('wgs84', 't0.tianditu.gov.cn')
    >>> basemap_of("https://tiles.example.cn/{z}/{x}.png")
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: basemap 'https://tiles.example.cn/{z}/{x}.png': use one of none, osm, amap, or a tile URL template (http/https) with {x}, {y} and {z}; it lacks {y}
    """
    from urllib.parse import urlsplit

    from zzgeo.errors import ParameterError
    from zzgeo.i18n import _

    text = str(spec)
    if text in BASEMAPS:
        return BASEMAPS[text]
    allowed = _("use one of {names}, or a tile URL template (http/https) with {{x}}, {{y}} and {{z}}").format(names=", ".join(BASEMAPS))
    looks_like_url = "://" in text or "{" in text or "/" in text
    if not looks_like_url:
        raise ParameterError(_("basemap {text!r}: {allowed}").format(text=text, allowed=allowed))
    parts = urlsplit(text.strip())
    lacks = [f"{{{k}}}" for k in "xyz" if f"{{{k}}}" not in text]
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ParameterError(_("basemap {text!r}: {allowed}; it is not an http(s) URL with a host").format(text=text, allowed=allowed))
    if lacks:
        raise ParameterError(_("basemap {text!r}: {allowed}; it lacks {lacks}").format(text=text, allowed=allowed, lacks=", ".join(lacks)))
    if any(c.isspace() for c in text.strip()):
        raise ParameterError(_("basemap {text!r}: {allowed}; it holds white space (write it as %20)").format(text=text, allowed=allowed))
    return Basemap(text.strip(), text.strip(), "wgs84", parts.netloc)


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
    """What a zzgeo map holds besides folium's elements.

    Attributes
    ----------
    title : str
    basemap : Basemap
    banner : str or None
        The red demo banner, when the map rests on demonstration data.
    layers : list of LayerRecord
        What was drawn, in display coordinates (for the static PNG).
    legends : list of (str, list of (colour, label, shape))
        Legend sections in order; shape is ``"box"``, ``"dot"`` or ``"line"``.
    notes : list of str
        Source notes of the caption (and of the page's ``<meta>`` tags).
    bounds : tuple of float or None
        ``(minx, miny, maxx, maxy)`` of the fitted layers.
    fill_opacity : float
    groups, hidden
        Legend section / note -> switchable group, and the groups hidden at
        first (:func:`zzgeo.maps.combine_maps`).
    subsets : list of str
        Those of *notes* that say a layer shows only part of a list.

    Examples
    --------
    A builder fills the state in; read the title, legend and notes back:

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from zzgeo.maps import choropleth_layer, base_map, map_state
    >>> m = base_map(title="避难场所类别 shelter classes", caption_lines=["来源: 示例台账"], demo=True)
    >>> sites = gpd.GeoDataFrame({"class": ["II", "III", "II"]},
    ...                          geometry=[box(113.60 + i / 20, 34.74, 113.64 + i / 20, 34.78) for i in range(3)], crs=4326)
    >>> _ = choropleth_layer(m, sites, "class", legend_title="类别 class")
    >>> state = map_state(m)
    >>> state.title, state.notes, state.banner
    ('避难场所类别 shelter classes', ['来源: 示例台账'], 'DEMO DATA — not the official data; for illustration only')
    >>> state.legends
    [('类别 class', [('#8dd3c7', 'II', 'box'), ('#ffffb3', 'III', 'box')])]
    >>> [layer.kind for layer in state.layers], state.bounds
    (['polygons'], (113.6, 34.74, 113.74, 34.78))
    """

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
    #: The notes saying a layer shows only part of a list ("N of M shown, chosen by ..."): every rendering keeps them.
    subsets: list[str] = field(default_factory=list)

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
    """The :class:`MapState` of a map (a plain ``folium.Map`` gets an empty one).

    Parameters
    ----------
    m : folium.Map

    Returns
    -------
    MapState
        The same object on every call, so changes to it stay with the map.

    Examples
    --------
    >>> from zzgeo.maps import base_map, map_state
    >>> m = base_map(title="儿童友好设施 facilities", caption_lines=["郑政〔2022〕8号"])
    >>> map_state(m) is map_state(m)
    True
    >>> map_state(m).title, map_state(m).notes, map_state(m).crs
    ('儿童友好设施 facilities', ['郑政〔2022〕8号'], 'wgs84')
    """
    state = getattr(m, _STATE_ATTR, None)
    if state is None:
        state = MapState()
        setattr(m, _STATE_ATTR, state)
    return state
