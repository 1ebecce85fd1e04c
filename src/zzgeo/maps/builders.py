"""Folium maps for reports: layers, legends, district outlines; offline HTML and PNG export.

Every map zzgeo draws needs nothing but Leaflet: no tiles by default, an
inline legend (units and years in its titles), caption with the sources, scale
bar, north arrow, a red banner for demo data, and the district outlines with
their Chinese names. Numeric columns are classed as mapclassify classes them
(:mod:`zzgeo.maps.classes`); palettes
are ColorBrewer schemes that read in grey print and for colour-blind readers.

No text from data reaches the page as markup: every name, id, title, note,
label and cell value a map shows (tooltips, popups, legends, captions, layer
names, the title and banner) is HTML-escaped in this module's shared
builders (:func:`_properties`, :func:`_detail`, :func:`_layer_name`, the
legend and caption builders), so ``<img src=x onerror=...>`` in a register
shows as text and never runs.

Each map carries a :class:`MapState`: what it draws (so a static PNG can be
drawn without a browser), its legend sections and source notes (filled in at
render time, so layers added later appear), and the basemap. With the Amap
(高德) basemap, whose tiles are in GCJ-02, every vector layer is shifted to
GCJ-02 so it lines up. :func:`combine_maps` puts several theme maps on one
page with a layer control. Export lives in :mod:`zzgeo.maps.export`.
"""

from __future__ import annotations

import html
import math
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from jinja2 import Template

from zzgeo.maps.assets import add_furniture
from zzgeo.maps.state import LayerRecord, MapState, basemap_of, map_state
from zzgeo.errors import CRSError, GeometryError, ParameterError, SchemaError
from zzgeo.i18n import N_, _

__all__ = [
    "default_maps_dir",
    "DEFAULT_DEMO_BANNER",
    "base_map",
    "choropleth_layer",
    "choropleth_map",
    "add_points",
    "add_districts",
    "add_outlines",
    "combine_maps",
    "field_labels",
]

#: The demo banner of a map (marked for the catalogue; shown in the interface language).
DEFAULT_DEMO_BANNER = N_("DEMO DATA \u2014 not the official data; for illustration only")
#: Sequential palette (ColorBrewer YlOrRd, 7 classes): colour-blind safe, reads in grey.
_SEQUENTIAL = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026")
#: ColorBrewer schemes as published for each number of classes (colorbrewer2.org, Cynthia Brewer, Penn State):
#: YlOrRd, sequential, for amounts where more is worse or neutral; RdYlBu, diverging, for attainment where more is
#: better (short of a target in red, above it in blue).
BREWER = {
    "YlOrRd": {1: ("#feb24c",), 2: ("#ffeda0", "#f03b20"), 3: ("#ffeda0", "#feb24c", "#f03b20"),
               4: ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"), 5: ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
               6: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"), 7: _SEQUENTIAL},
    "RdYlBu": {1: ("#ffffbf",), 2: ("#fc8d59", "#91bfdb"), 3: ("#fc8d59", "#ffffbf", "#91bfdb"),
               4: ("#d7191c", "#fdae61", "#abd9e9", "#2c7bb6"), 5: ("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6"),
               6: ("#d73027", "#fc8d59", "#fee090", "#e0f3f8", "#91bfdb", "#4575b4"),
               7: ("#d73027", "#fc8d59", "#fee090", "#ffffbf", "#e0f3f8", "#91bfdb", "#4575b4")},
}


def brewer(scheme: str, n: int) -> tuple[str, ...]:
    """The ColorBrewer scheme *scheme* for *n* classes, as published (not colours picked from a longer scheme).

    Examples
    --------
    >>> brewer("YlOrRd", 5)
    ('#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026')
    >>> brewer("RdYlBu", 4)[0], brewer("RdYlBu", 4)[-1]
    ('#d7191c', '#2c7bb6')
    """
    if scheme not in BREWER:
        raise ParameterError(_("palette {scheme!r}: use one of {names}").format(scheme=scheme, names=", ".join(BREWER)))
    table = BREWER[scheme]
    return table[min(max(n, 1), max(table))]
#: Qualitative palette (ColorBrewer Set3-like, 12 classes).
_QUALITATIVE = ("#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462",
                "#b3de69", "#fccde5", "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f")
_NO_DATA = "#cccccc"
_OUTLINE = "#3a3a3a"
_SCHEMES = ("quantiles", "natural_breaks", "fisher_jenks", "equal_interval")
_DISTRICTS = "districts"
_DISTRICT_LEGEND = N_("行政区界 district boundary")  # the legend section of the district outlines (translated where shown)


def default_maps_dir() -> Path:
    """Where exported maps go by default: ``$ZZGEO_MAPS_DIR``, else the checkout's ``maps/``, else ``./maps``.

    Returns
    -------
    pathlib.Path
        Not created here.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> from zzgeo.maps import default_maps_dir
    >>> with mock.patch.dict(os.environ, {"ZZGEO_MAPS_DIR": "/srv/zzgeo/maps"}):
    ...     str(default_maps_dir())
    '/srv/zzgeo/maps'
    >>> with mock.patch.dict(os.environ):
    ...     _ = os.environ.pop("ZZGEO_MAPS_DIR", None)
    ...     default_maps_dir().name  # the checkout's maps/ or ./maps
    'maps'
    """
    env = os.environ.get("ZZGEO_MAPS_DIR")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "pyproject.toml").exists() and (checkout / "maps").is_dir():
        return checkout / "maps"
    return Path.cwd() / "maps"


@cache
def field_labels() -> dict[str, str]:
    """Chinese (English) labels of common columns, from ``data/map_labels.toml``.

    Examples
    --------
    >>> from zzgeo.maps import field_labels
    >>> field_labels()["population"], field_labels()["shelter_class"]
    ('常住人口 residents (2020 census)', '类别 class')
    """
    from zzgeo._data import load_toml

    return dict(load_toml("map_labels.toml")["labels"])


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _layer_name(text: object) -> str:
    """A layer name for folium: escaped, because Leaflet's layer control shows it through ``innerHTML``."""
    return _esc(text)


# --- helpers ---------------------------------------------------------------------------


def _display(gdf: gpd.GeoDataFrame, m: folium.Map, what: str) -> gpd.GeoDataFrame:
    """Non-empty rows of *gdf* in the map's display coordinates (WGS-84, or GCJ-02 for Amap tiles)."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise SchemaError(_("{what} must be a GeoDataFrame, got {type!r}").format(what=what, type=type(gdf).__name__))
    if gdf.crs is None:
        raise CRSError(
            _("{what} has crs=None; set it first, e.g. gdf.set_crs('EPSG:4547') "
              "(CGCS2000 / 3-degree Gauss-Kruger CM 114E) or gdf.set_crs(4326)").format(what=what)
        )
    if len(gdf) == 0 or gdf.geometry.isna().all() or gdf.geometry.is_empty.all():
        raise GeometryError(_("{what} has no non-empty geometry to draw (rows: {rows})").format(what=what, rows=len(gdf)))
    data = gdf.to_crs(4326)
    data = data[data.geometry.notna() & ~data.geometry.is_empty]
    if map_state(m).crs == "gcj02":
        import shapely

        from zzgeo.crs import wgs84_to_gcj02

        def shift(xy: np.ndarray) -> np.ndarray:
            return np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1]))

        data = data.set_geometry(shapely.transform(data.geometry.values, shift))
    return data


def _check_columns(gdf: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise SchemaError(_("{what}: no column(s) {missing!r}; columns are {columns!r}").format(what=what, missing=missing, columns=list(gdf.columns)))


def _fmt(x: float, digits: int = 3) -> str:
    """*x* to *digits* significant digits (whole numbers as they are), with thousands separators."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.{max(0, digits - int(math.floor(math.log10(abs(x)))) - 1) if x else 2}f}"


def _range_labels(lower: np.ndarray, upper: np.ndarray) -> list[str]:
    """``"lo – hi"`` per class, with as many significant digits as it takes for no two bounds to read the same."""
    bounds = np.unique(np.concatenate([lower, upper]))
    digits = next((d for d in range(3, 8) if len({float(_fmt(b, d).replace(",", "")) for b in bounds}) == len(bounds)), 8)
    return [f"{_fmt(lo, digits)} \u2013 {_fmt(hi, digits)}" for lo, hi in zip(lower, upper, strict=True)]


def _numeric_classes(v: np.ndarray, scheme: str, bins: int, include: Sequence[float] = ()) -> tuple[np.ndarray, list[str]]:
    """Upper class limits and legend labels: one class per value when there are at most *bins* values,
    else mapclassify's *scheme* (limits are inclusive upper bounds, as in mapclassify; computed by
    :func:`zzgeo.maps.classes.class_bounds`, which imports mapclassify only for natural breaks).

    Each value of *include* inside the range is a break too (a value at it falls in the class above), and
    the scheme then makes that many fewer classes; the labels show the included value itself."""
    from zzgeo.maps.classes import breaks_inside, class_bounds

    unique = np.unique(v)
    inside = breaks_inside(v, include)
    if len(unique) <= max(1, bins) and not inside:
        return unique, [_fmt(x) for x in unique]
    k = max(1, bins - len(inside))
    with warnings.catch_warnings():  # ties: mapclassify makes fewer classes and says so; the legend shows them
        warnings.simplefilter("ignore", UserWarning)
        if len(unique) > k:
            upper = np.unique(np.asarray(class_bounds(v, scheme, k, include=inside), dtype=float))
        else:  # few values: each its own class, split at the included values
            upper = np.unique(np.concatenate([unique[~np.isin(unique, inside) | (unique == unique[-1])],
                                              [np.nextafter(t, -np.inf) for t in inside]]))
    shown = {np.nextafter(t, -np.inf): t for t in inside}
    hi = np.array([shown.get(x, x) for x in upper])
    lower = np.concatenate([[v.min()], hi[:-1]])
    return upper, _range_labels(lower, hi)


def _classify(
    values: pd.Series, bins: int, colors: Sequence[str] | str | None, scheme: str = "quantiles", include: Sequence[float] = ()
) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Colour for each value and the legend entries ``(color, label, "box")``; *colors* a list, or the name of a
    ColorBrewer scheme (:func:`brewer`) taken for the number of classes."""
    if scheme not in _SCHEMES:
        raise ParameterError(_("scheme {scheme!r}: use one of {schemes}").format(scheme=scheme, schemes=_SCHEMES))
    na = values.isna()
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        v = values[~na].astype(float).to_numpy()
        upper, names = _numeric_classes(v, scheme, bins, include) if len(v) else (np.array([0.0]), [])
        n = len(upper)
        pal = list(brewer(colors, n)) if isinstance(colors, str) else list(colors) if colors else list(brewer("YlOrRd", n))
        if len(pal) < n:
            raise SchemaError(_("colors: need {n} colours for {n} classes, got {got}").format(n=n, got=len(pal)))
        idx = np.clip(np.searchsorted(upper, values.fillna(0).astype(float), side="left"), 0, n - 1)
        fill = [_NO_DATA if miss else pal[i] for i, miss in zip(idx, na, strict=True)]
        legend = [(pal[i], names[i], "box") for i in range(len(names))]
    else:
        cats = list(dict.fromkeys(values[~na].astype(str)))
        pal = list(colors) if colors else list(_QUALITATIVE)
        lut = {c: pal[i % len(pal)] for i, c in enumerate(cats)}
        fill = [_NO_DATA if miss else lut[str(x)] for x, miss in zip(values, na, strict=True)]
        legend = [(lut[c], c, "box") for c in cats]
    if na.any():
        legend.append((_NO_DATA, _("no data"), "box"))
    return fill, legend


def _properties(gdf: gpd.GeoDataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The GeoJSON properties of *columns*: the one place where cell values enter a map's features.

    Folium's tooltips and popups put property values into ``innerHTML``, so
    every value that is not a number becomes HTML-escaped text here; numbers
    stay numbers. Each column gets a neutral key (``p0``, ``p1``, ...), so no
    column name (user text too) is written into the page; :func:`_detail`
    shows the columns under their escaped labels.

    Returns
    -------
    (properties, keys) : pandas.DataFrame, dict
        The properties on *gdf*'s index, and column -> property key.
    """
    out = pd.DataFrame(index=gdf.index)
    keys = {}
    for i, c in enumerate(dict.fromkeys(columns)):
        s = gdf[c]
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if numeric and pd.api.types.is_float_dtype(s):
            s = s.round(6)
        vals = [None if miss else (x if numeric else _esc(x))
                for x, miss in zip(s.astype(object).tolist(), s.isna(), strict=True)]
        keys[c] = f"p{i}"
        out[keys[c]] = pd.Series(vals, index=gdf.index, dtype=object)
    return out, keys


def _aliases(fields: Sequence[str], labels: Mapping[str, str] | None) -> list[str]:
    """Escaped labels of *fields* (``data/map_labels.toml`` over *labels* over the column name): folium puts them into ``innerHTML``."""
    names = {k: _label_for_language(v) for k, v in field_labels().items()} | dict(labels or {})
    return [_esc(names.get(f, f)) for f in fields]


def _label_for_language(text: str) -> str:
    """A label of ``data/map_labels.toml`` ("常住人口 residents (2020 census)") as the interface language reads it: in
    Chinese the Chinese words alone ("常住人口"; ``/person`` -> ``/人``), in English the label as written.

    >>> from zzgeo.i18n import set_language
    >>> set_language("zh"); [_label_for_language(t) for t in ("常住人口 residents (2020 census)", "2025 缺口 gap m²", "面积 km²")]
    ['常住人口', '2025 缺口', '面积 km²']
    >>> _label_for_language("人均有效避难面积 m²/person")
    '人均有效避难面积 m²/人'
    >>> set_language("en"); _label_for_language("常住人口 residents (2020 census)")
    '常住人口 residents (2020 census)'
    >>> set_language(None)
    """
    import re

    from zzgeo.i18n import language

    if language() == "en":
        return text
    kept: list[str] = []
    for token in text.split(" "):
        if re.match(r"^[(\[]?[A-Za-z]{2,}(?![A-Za-z²³])", token):  # the English half begins (units such as m², km² stay)
            break
        kept.append(token.replace("/person", "/人"))
    return " ".join(kept) or text


def _detail(kind: type, columns: Sequence[str], keys: Mapping[str, str], names: Mapping[str, str] | None, **kwargs: object):
    """A ``folium.GeoJsonTooltip`` or ``GeoJsonPopup`` showing *columns* (properties from :func:`_properties`) under escaped labels."""
    return kind(fields=[keys[c] for c in columns], aliases=_aliases(columns, names), **kwargs)


def _add_legend(state: MapState, section: str, entries: list[tuple[str, str, str]]) -> None:
    """Append *entries* to the legend section *section* (made when new)."""
    for title, existing in state.legends:
        if title == section:
            existing.extend(entries)
            return
    state.legends.append((section, list(entries)))


def _grouped(state: MapState, key: str, inner: str) -> str:
    """Wrap *inner* in a block that the layer control shows and hides with its group."""
    group = state.groups.get(key)
    if group is None:
        return inner
    hide = ' style="display:none"' if group in state.hidden else ""
    # the layer control reports the group by its (escaped) layer name; the attribute is decoded once when read
    return f'<div data-zzgeo-group="{_esc(_layer_name(group))}"{hide}>{inner}</div>'


def _legend_html(state: MapState) -> str:
    parts = []
    for title, entries in state.legends:
        rows = [f"<b>{_esc(title)}</b>"]
        for colour, label, shape in entries:
            klass = {"dot": ' class="zzgeo-dot"', "line": ' class="zzgeo-line"'}.get(shape, "")
            style = f"border-color:{_esc(colour)}" if shape == "line" else f"background:{_esc(colour)};opacity:{state.fill_opacity:g}"
            rows.append(f'<div><i{klass} style="{style}"></i>{_esc(label)}</div>')
        parts.append(_grouped(state, title, "".join(rows)))
    return "".join(parts)


def _caption_html(state: MapState) -> str:
    return "".join(_grouped(state, line, f"<div>{_esc(line)}</div>") for line in dict.fromkeys(state.notes))


def _banner_html(state: MapState) -> str:
    return f'<div class="zzgeo-banner zzgeo-demo-banner">{_esc(state.banner)}</div>' if state.banner else ""


# --- public builders -------------------------------------------------------------------


def base_map(
    *,
    title: str,
    caption_lines: Sequence[str] = (),
    demo: bool = False,
    banner_text: str = DEFAULT_DEMO_BANNER,
    basemap: str = "none",
    north_arrow: bool = True,
    background: str = "#f4f3ee",
    fill_opacity: float = 0.75,
) -> folium.Map:
    """An empty zzgeo map: title, demo banner, legend and caption boxes, scale bar, north arrow.

    Parameters
    ----------
    title : str
        Shown at the top centre.
    caption_lines : sequence of str
        Source notes, bottom left; also written into the page's ``<meta name="zzgeo:source">`` tags.
    demo : bool
        Show a red banner with *banner_text*: the map rests on demonstration data.
    basemap : {"none", "osm", "amap"} or str
        Tiles are online only; ``"none"`` (default) draws the layers on a plain
        *background* and works offline. ``"amap"`` tiles are in GCJ-02, so every
        layer added later is shifted to GCJ-02. Or a tile URL template of one's
        own (an intranet server, 天地图 with its key), checked by
        :func:`zzgeo.maps.state.basemap_of`.
    north_arrow : bool
    background : str
        CSS colour behind the layers when there are no tiles.
    fill_opacity : float
        Opacity of polygon fills (and of the legend swatches).

    Returns
    -------
    folium.Map
        With its :class:`~zzgeo.maps.MapState` (:func:`~zzgeo.maps.map_state`).

    Raises
    ------
    ParameterError
        *basemap* is not a key of :data:`~zzgeo.maps.BASEMAPS` nor a tile URL template.

    Examples
    --------
    >>> from zzgeo.maps import base_map, map_state
    >>> m = base_map(title="郑州 shelters", caption_lines=["来源: DEMO 台账"], demo=True)
    >>> state = map_state(m)
    >>> state.title, state.notes, state.banner
    ('郑州 shelters', ['来源: DEMO 台账'], 'DEMO DATA — not the official data; for illustration only')
    >>> state.basemap.url is None, state.legends  # no tiles: works offline; nothing drawn yet
    (True, [])
    >>> base_map(title="x", basemap="google")
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: basemap 'google': use one of none, osm, amap, or a tile URL template (http/https) with {x}, {y} and {z}

    A tile server of one's own: the caption names the server, not the URL (which may hold a key).

    >>> m = base_map(title="x", basemap="https://tiles.example.cn/vec/{z}/{x}/{y}.png?tk=KEY")
    >>> map_state(m).notes
    ["basemap: tiles from tiles.example.cn (a user's tile URL; taken as WGS-84 / CGCS2000, layers not shifted)"]
    """
    chosen = basemap_of(basemap)
    m = folium.Map(tiles=None, zoom_snap=0.25, control_scale=False)
    if chosen.url:
        folium.TileLayer(chosen.url, attr=chosen.attribution, name=_layer_name(_("basemap: {name}").format(name=chosen.name if chosen.name in ('osm', 'amap') else chosen.attribution)), subdomains=chosen.subdomains,
                         max_zoom=18).add_to(m)
    state = map_state(m)
    state.title, state.basemap, state.fill_opacity = title, chosen, fill_opacity
    state.banner = (_(DEFAULT_DEMO_BANNER) if banner_text == DEFAULT_DEMO_BANNER else banner_text) if demo else None
    state.notes.extend(str(x) for x in caption_lines)
    if chosen.crs == "gcj02":
        state.notes.append(_("vector layers shifted to GCJ-02 to match the Amap tiles"))
    elif chosen.name not in ("none", "osm", "amap"):
        state.notes.append(_("basemap: tiles from {server} (a user's tile URL; taken as WGS-84 / CGCS2000, layers not shifted)").format(
            server=chosen.attribution))
    add_furniture(m, title=title, banner=lambda: _banner_html(state), legend=lambda: _legend_html(state),
                  caption=lambda: _caption_html(state), north_arrow=north_arrow,
                  background=background if chosen.url is None else None)
    return m


def choropleth_layer(
    m: folium.Map,
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    name: str | None = None,
    legend_title: str | None = None,
    scheme: str = "quantiles",
    bins: int = 5,
    colors: Sequence[str] | str | None = None,
    tooltip_columns: Sequence[str] = (),
    popup_columns: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    line_color: str = "#444444",
    fit: bool = True,
    breaks_include: Sequence[float] = (),
) -> folium.GeoJson:
    """Add polygons coloured by *column* to *m*, with a legend section, tooltip and popup.

    Parameters
    ----------
    m : folium.Map
    gdf : geopandas.GeoDataFrame
        Polygons in any CRS.
    column : str
        Numeric columns are classed by mapclassify's *scheme* into *bins*
        classes (one class per value when there are fewer values); any other
        column gets one colour per distinct value, in order of first appearance.
    name, legend_title : str, optional
        Layer name (layer control) and legend heading; default *column*.
        Put the unit and year in the legend heading.
    scheme : {"quantiles", "natural_breaks", "fisher_jenks", "equal_interval"}
    colors : sequence of str, optional
        Colours of the classes, low to high / in order of appearance.
    tooltip_columns, popup_columns : sequence of str
        Shown on hover / on click (popup default: the tooltip columns).
    labels : mapping, optional
        Column -> label for tooltips and popups, over ``data/map_labels.toml``.
    fit : bool
        Zoom the map to this layer (with the layers fitted before).
    breaks_include : sequence of float
        Values that must be class breaks of a numeric column, such as a policy
        target: each one inside the column's range is a break (a value at it
        falls in the class above, with those that meet it), and the *scheme*
        makes that many fewer classes.

    Returns
    -------
    folium.GeoJson
        The layer, already added to *m*.

    Raises
    ------
    CRSError, SchemaError, GeometryError
        No CRS; a column missing (or too few *colors*); no non-empty geometry.
    ParameterError
        An unknown *scheme*.

    Examples
    --------
    A text column gets one colour per value in order of first appearance;
    six numbers in three ``equal_interval`` classes split 1-6 at
    1 + 5/3 = 2.67 and 1 + 10/3 = 4.33:

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from zzgeo.maps import base_map, choropleth_layer, map_state
    >>> blocks = gpd.GeoDataFrame({"class": ["II", "III", "II", "I", "I", "II"], "v": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]},
    ...                           geometry=[box(113.60 + i / 20, 34.74, 113.64 + i / 20, 34.78) for i in range(6)], crs=4326)
    >>> m = base_map(title="示例 example")
    >>> _ = choropleth_layer(m, blocks, "class", legend_title="类别 class")
    >>> _ = choropleth_layer(m, blocks, "v", legend_title="值 value (2025)", scheme="equal_interval", bins=3)
    >>> for title, entries in map_state(m).legends:
    ...     print(title, [label for _, label, _ in entries])
    类别 class ['II', 'III', 'I']
    值 value (2025) ['1 – 2.67', '2.67 – 4.33', '4.33 – 6']

    A target of 2 and 3 as breaks: one class below 2, one from 2 to 3 and
    the scheme's one class above (5 classes asked, 2 of them the targets'):

    >>> m = base_map(title="人均 per capita")
    >>> per_capita = blocks.assign(v=[1.2, 1.8, 2.0, 2.4, 3.1, 4.0])
    >>> _ = choropleth_layer(m, per_capita, "v", legend_title="m²/人", scheme="equal_interval", bins=5, breaks_include=[2, 3])
    >>> [label for _, label, _ in map_state(m).legends[0][1]]
    ['1.20 – 2', '2 – 2.13', '2.13 – 3', '3 – 3.07', '3.07 – 4']
    >>> map_state(m).layers[0].frame["__zzgeo_fill"].tolist()[1:3]  # 1.8 below the target, 2.0 at it
    ['#ffffb2', '#fecc5c']
    """
    _check_columns(gdf, [column, *tooltip_columns, *(popup_columns or ())], "choropleth_layer")
    state = map_state(m)
    data = _display(gdf, m, "choropleth: gdf")
    fill, legend = _classify(data[column], bins, colors, scheme, breaks_include)
    fields = list(dict.fromkeys([column, *tooltip_columns]))
    popup = list(dict.fromkeys([column, *(popup_columns if popup_columns is not None else tooltip_columns)]))
    props, keys = _properties(data, [*fields, *popup])
    props["__zzgeo_fill"] = fill
    layer = gpd.GeoDataFrame(props, geometry=data.geometry.values, crs=4326).reset_index(drop=True)
    style = {"color": line_color, "weight": 1, "fillOpacity": state.fill_opacity}
    gj = folium.GeoJson(
        layer.to_json(drop_id=True),
        name=_layer_name(name or legend_title or column),
        style_function=lambda f: {**style, "fillColor": f["properties"]["__zzgeo_fill"]},
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
        tooltip=_detail(folium.GeoJsonTooltip, fields, keys, labels, sticky=True),
        popup=_detail(folium.GeoJsonPopup, popup, keys, labels),
    )
    gj.add_to(m)
    state.legends.append((str(legend_title or column), legend))
    state.layers.append(LayerRecord("polygons", str(name or column), layer, style | {"fill_column": "__zzgeo_fill"}, gj))
    if fit:
        _fit(m, layer)
    return gj


def choropleth_map(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    title: str,
    caption_lines: Sequence[str] = (),
    tooltip_columns: Sequence[str] = (),
    popup_columns: Sequence[str] | None = None,
    legend_title: str | None = None,
    demo: bool = False,
    banner_text: str = DEFAULT_DEMO_BANNER,
    scheme: str = "quantiles",
    bins: int = 5,
    colors: Sequence[str] | str | None = None,
    labels: Mapping[str, str] | None = None,
    fill_opacity: float = 0.75,
    line_color: str = "#444444",
    basemap: str = "none",
    north_arrow: bool = True,
    background: str = "#f4f3ee",
    districts: bool | gpd.GeoDataFrame = True,
    breaks_include: Sequence[float] = (),
) -> folium.Map:
    """A map of polygons coloured by one column, with the district outlines and names on top.

    :func:`base_map` plus :func:`choropleth_layer` plus :func:`add_districts`;
    the parameters are theirs. ``districts=False`` leaves the outlines out; a
    GeoDataFrame (columns ``name``, geometry) draws those instead of the 12
    districts of the layer store.

    Returns
    -------
    folium.Map

    Raises
    ------
    CRSError
        ``gdf.crs`` is None.
    SchemaError
        ``column`` or a tooltip column is missing.
    GeometryError
        There is no non-empty geometry.

    Examples
    --------
    Three values and ``bins=3``: one class per value, coloured from the
    sequential palette; the 12 district outlines of the layer store on top.

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from zzgeo.maps import choropleth_map, map_state
    >>> blocks = gpd.GeoDataFrame({"v": [1.0, 2.0, 3.0]},
    ...                           geometry=[box(113.60 + i / 20, 34.74, 113.64 + i / 20, 34.78) for i in range(3)], crs=4326)
    >>> m = choropleth_map(blocks, "v", title="示例 example", legend_title="值 value (2025)", bins=3)
    >>> map_state(m).title
    '示例 example'
    >>> map_state(m).legends
    [('值 value (2025)', [('#ffeda0', '1', 'box'), ('#feb24c', '2', 'box'), ('#f03b20', '3', 'box')]),
     ('行政区界 district boundary', [('#3a3a3a', '区县级单元 (12)', 'line')])]
    >>> choropleth_map(blocks.set_crs(None, allow_override=True), "v", title="no CRS")
    Traceback (most recent call last):
    ...
    zzgeo.errors.CRSError: choropleth: gdf has crs=None; set it first, ...
    """
    m = base_map(title=title, caption_lines=caption_lines, demo=demo, banner_text=banner_text, basemap=basemap,
                 north_arrow=north_arrow, background=background, fill_opacity=fill_opacity)
    choropleth_layer(m, gdf, column, legend_title=legend_title, scheme=scheme, bins=bins, colors=colors,
                     tooltip_columns=tooltip_columns, popup_columns=popup_columns, labels=labels, line_color=line_color,
                     breaks_include=breaks_include)
    if districts is not False:
        add_districts(m, None if districts is True else districts)
    return m


def add_points(
    m: folium.Map,
    gdf: gpd.GeoDataFrame,
    *,
    label_column: str | None = None,
    color: str = "#1f4e9c",
    radius: float = 5,
    fill_opacity: float = 0.9,
    name: str | None = None,
    popup_columns: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    legend_section: str | None = None,
    fit: bool = False,
    top: int | None = None,
    total: int | None = None,
    chosen_by: str | None = None,
    count_label: str | None = None,
) -> folium.GeoJson:
    """Add a point layer drawn as Leaflet CircleMarkers (no icon fonts needed).

    A layer that shows only part of a list says so: with *top* (draw the
    first *top* rows of *gdf*, in its order) or *total* (*gdf* is already a
    part of a list of *total* rows), its legend entry and a caption note read
    ``"N of M shown, chosen by <chosen_by>"``, and *chosen_by* must say the rule.

    Parameters
    ----------
    m : folium.Map
    gdf : geopandas.GeoDataFrame
        Points (MultiPoints are split) in any CRS.
    label_column : str, optional
        Column shown as the tooltip of each point.
    color : str
        Fill colour (white outline).
    radius : float
        Radius in screen pixels.
    fill_opacity : float
    name : str, optional
        Layer name (layer control) and legend entry.
    popup_columns : sequence of str, optional
        Columns shown on click.
    labels : mapping, optional
        Column -> label for the popup.
    legend_section : str, optional
        Legend heading to list this layer under (with its count); default: its own section *name*.
    fit : bool, default False
        Widen the map's view to take these points in too.
    top : int, optional
        Draw only the first *top* rows of *gdf* (in its order).
    total : int, optional
        How many rows the list *gdf* was taken from has (default: its length).
    chosen_by : str, optional
        The rule that picked the rows shown (how *gdf* is ordered, or how it
        was cut); required when not every row of the list is drawn.
    count_label : str, optional
        What the legend says of the count, a message id with ``{n}`` marked ``N_()`` where it is written, e.g.
        ``N_("{n:,} parcels (drawn as points)")`` for polygons drawn at a point each (default ``"{n:,} points"``);
        *n* counts the rows of *gdf*, not the dots a MultiPoint is split into.

    Returns
    -------
    folium.GeoJson
        The layer, already added to ``m``.

    Raises
    ------
    CRSError, SchemaError, GeometryError
        No CRS; a column missing; a geometry that is not a point.
    ParameterError
        *top* or *total* leave rows out and *chosen_by* does not say why;
        *top* below 0 or *total* below the rows drawn.

    Examples
    --------
    Two childcare centres as green dots with their own legend section; a
    MultiPoint of two sites is split into two dots:

    >>> import geopandas as gpd
    >>> from shapely.geometry import MultiPoint, Point, box
    >>> from zzgeo.maps import add_points, base_map, map_state
    >>> m = base_map(title="托育 childcare")
    >>> centres = gpd.GeoDataFrame({"name": ["托育甲", "托育乙"]}, geometry=[Point(113.62, 34.76), Point(113.67, 34.75)], crs=4326)
    >>> _ = add_points(m, centres, label_column="name", name="托育 childcare", color="#1b7837")
    >>> pair = gpd.GeoDataFrame(geometry=[MultiPoint([(113.62, 34.76), (113.63, 34.77)])], crs=4326)
    >>> _ = add_points(m, pair, name="候选 candidates", legend_section="托育 childcare")
    >>> map_state(m).legends
    [('托育 childcare', [('#1b7837', '2 points', 'dot'), ('#1f4e9c', '候选 candidates (2)', 'dot')])]
    >>> add_points(m, gpd.GeoDataFrame(geometry=[box(113.6, 34.7, 113.7, 34.8)], crs=4326))
    Traceback (most recent call last):
    ...
    zzgeo.errors.GeometryError: add_points: gdf holds ['Polygon'] geometries; only Point/MultiPoint allowed

    The first of the two centres only: the legend and the caption say so.

    >>> m = base_map(title="托育 childcare")
    >>> _ = add_points(m, centres, name="托育 childcare", top=1, chosen_by="register order")
    >>> map_state(m).legends, map_state(m).notes
    ([('托育 childcare', [('#1f4e9c', '1 of 2 shown, chosen by register order', 'dot')])], ['托育 childcare: 1 of 2 shown, chosen by register order'])
    >>> m = base_map(title="宗地 parcels")
    >>> _ = add_points(m, centres, name="宗地", count_label="{n:,} parcels (drawn as points)")
    >>> map_state(m).legends
    [('宗地', [('#1f4e9c', '2 parcels (drawn as points)', 'dot')])]
    >>> add_points(m, centres, name="托育 childcare", top=1)
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: add_points: 1 of 2 rows of 托育 childcare drawn (top=1, total=None); give chosen_by, the rule that picked them
    """
    _check_columns(gdf, [c for c in [label_column, *(popup_columns or ())] if c is not None], "add_points")
    shown, listed = _subset(gdf, top=top, total=total, chosen_by=chosen_by, what=str(name or _("points")))
    gdf = gdf.iloc[:shown]
    data = _display(gdf, m, "add_points: gdf").explode(index_parts=False)
    bad = sorted(set(data.geom_type) - {"Point"})
    if bad:
        raise GeometryError(_("add_points: gdf holds {bad!r} geometries; only Point/MultiPoint allowed").format(bad=bad))
    popup = list(popup_columns or ())
    props, keys = _properties(data, [*([label_column] if label_column else []), *popup])
    layer = gpd.GeoDataFrame(props, geometry=data.geometry.values, crs=4326).reset_index(drop=True)
    style = {"color": "#ffffff", "weight": 1, "fillColor": color, "fillOpacity": fill_opacity}
    gj = folium.GeoJson(
        layer.to_json(drop_id=True),
        name=None if name is None else _layer_name(name),
        marker=folium.CircleMarker(radius=radius, **style),
        style_function=lambda f: style,
        tooltip=_detail(folium.GeoJsonTooltip, [label_column], keys, labels, labels=False) if label_column else None,
        popup=_detail(folium.GeoJsonPopup, popup, keys, labels) if popup else None,
    )
    gj.add_to(m)
    state = map_state(m)
    if listed is not None:  # a part of a list: the legend and the caption say which part
        part = _shown_of(shown, listed, chosen_by)
        state.notes.append(_("{name}: {part}").format(name=name or _("points"), part=part))
        state.subsets.append(state.notes[-1])
        label = _("{name} ({part})").format(name=name, part=part) if legend_section and name else part
    elif count_label:  # the rows, as the caller counts them ("6 parcels (drawn as points)")
        count = _(count_label).format(n=len(gdf))
        label = _("{name} ({part})").format(name=name, part=count) if legend_section and name else count
    else:
        label = (_("{name} ({n:,})").format(name=name or _("points"), n=len(layer)) if legend_section
                 else _("{n:,} points").format(n=len(layer)))
    if legend_section or name:
        _add_legend(state, str(legend_section or name), [(color, label, "dot")])
    state.layers.append(LayerRecord("points", str(name or "points"), layer, style | {"radius": radius}, gj))
    if fit:
        _fit(m, layer)
    return gj


def _shown_of(shown: int, total: int, rule: str | None) -> str:
    """``"30 of 273 shown, chosen by build order"``: the words every partial layer's legend and caption use."""
    return _("{shown:,} of {total:,} shown, chosen by {rule}").format(shown=shown, total=total, rule=rule)


def _subset(gdf: pd.DataFrame, *, top: int | None, total: int | None, chosen_by: str | None, what: str) -> tuple[int, int | None]:
    """Rows of *gdf* to draw, and the length of the list they are part of (None: the whole list is drawn).

    The one place where a map layer is cut: a cut without a rule is refused.
    """
    if top is not None and top < 0:
        raise ParameterError(_("add_points: top={top!r} for {what}; give 0 or more rows to draw").format(top=top, what=what))
    shown = len(gdf) if top is None else min(top, len(gdf))
    listed = len(gdf) if total is None else int(total)
    if listed < len(gdf):
        raise ParameterError(_("add_points: total={total!r} for {what}, fewer than the {rows} rows given; "
                               "give the length of the list the rows come from").format(total=total, what=what, rows=len(gdf)))
    if shown == listed:
        return shown, None
    if not chosen_by or not str(chosen_by).strip():
        raise ParameterError(_("add_points: {shown} of {listed} rows of {what} drawn (top={top!r}, total={total!r}); "
                               "give chosen_by, the rule that picked them").format(shown=shown, listed=listed, what=what, top=top, total=total))
    return shown, listed


def _fit(m: folium.Map, layer: gpd.GeoDataFrame) -> None:
    state = map_state(m)
    state.extend_bounds(layer)
    minx, miny, maxx, maxy = state.bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(20, 20))


def add_outlines(
    m: folium.Map,
    gdf: gpd.GeoDataFrame,
    *,
    name: str,
    color: str = _OUTLINE,
    weight: float = 1.6,
    dash: str | None = "5 3",
    legend_label: str | None = None,
    legend_section: str | None = None,
    parent: folium.Element | None = None,
) -> folium.GeoJson:
    """Draw the outlines of polygons (no fill, not clickable), e.g. service areas or boundaries.

    Parameters
    ----------
    m : folium.Map
    gdf : geopandas.GeoDataFrame
        Polygons in any CRS.
    name : str
        Layer name, and legend heading when *legend_label* is given.
    color, weight, dash : str, float, str or None
        Line colour, width in pixels, and SVG dash pattern (None: solid).
    legend_label : str, optional
        Add a line entry to the legend, under *legend_section* (default: *name*).
    legend_section : str, optional
    parent : folium element, optional
        Add to this group instead of the map.

    Returns
    -------
    folium.GeoJson

    Raises
    ------
    CRSError, GeometryError
        No CRS; no non-empty geometry.

    Examples
    --------
    The 500 m service areas of two sites (buffers in EPSG:4547 metres), as
    dashed outlines with a line in the legend:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.maps import add_outlines, base_map, map_state
    >>> m = base_map(title="服务半径 service areas")
    >>> sites = gpd.GeoSeries([Point(113.62, 34.76), Point(113.67, 34.75)], crs=4326)
    >>> areas = sites.to_crs(4547).buffer(500).to_frame("geometry")
    >>> _ = add_outlines(m, areas, name="服务半径 500 m", legend_label="500 m 服务半径")
    >>> map_state(m).legends
    [('服务半径 500 m', [('#3a3a3a', '500 m 服务半径', 'line')])]
    >>> map_state(m).layers[0].style
    {'color': '#3a3a3a', 'weight': 1.6, 'fill': False, 'dashArray': '5 3'}
    """
    data = _display(gdf[[gdf.geometry.name]], m, f"add_outlines: {name}")
    layer = gpd.GeoDataFrame(geometry=data.geometry.values, crs=4326)
    style = {"color": color, "weight": weight, "fill": False, **({"dashArray": dash} if dash else {})}
    gj = folium.GeoJson(layer.to_json(drop_id=True), name=_layer_name(name), style_function=lambda f: style, interactive=False)
    gj.add_to(parent if parent is not None else m)
    state = map_state(m)
    state.layers.append(LayerRecord("outlines", name, layer, style, gj))
    if legend_label:
        _add_legend(state, legend_section or name, [(color, legend_label, "line")])
    return gj


def add_districts(m: folium.Map, districts: gpd.GeoDataFrame | None = None, *, labels: bool = True) -> folium.FeatureGroup:
    """Draw district outlines (no fill) and their Chinese names on top of *m*.

    Parameters
    ----------
    m : folium.Map
    districts : geopandas.GeoDataFrame, optional
        Polygons with a ``name`` column; default the 12 districts of the layer store.
        ``attrs["legend"]`` names them in the legend (default ``区县级单元``).
    labels : bool
        Write each name at a point inside its district.

    Returns
    -------
    folium.FeatureGroup
        The group ``行政区 districts`` holding outlines and names.

    Raises
    ------
    SchemaError
        *districts* has no ``name`` column.

    Examples
    --------
    The 12 districts of the layer store: outlines, name labels and one
    legend line.

    >>> from zzgeo.maps import add_districts, base_map, map_state
    >>> m = base_map(title="郑州 districts")
    >>> _ = add_districts(m)
    >>> [(layer.kind, len(layer.frame)) for layer in map_state(m).layers]
    [('outlines', 12), ('labels', 12)]
    >>> map_state(m).layers[1].frame["name"].tolist()[:3]
    ['中原区', '二七区', '管城回族区']
    >>> map_state(m).legends
    [('行政区界 district boundary', [('#3a3a3a', '区县级单元 (12)', 'line')])]
    """
    if districts is None:
        from zzgeo.layers import read_layer

        districts = read_layer("districts")
    _check_columns(districts, ["name"], "add_districts")
    group = folium.FeatureGroup(name=_layer_name(_("行政区 districts")), control=True)
    state = map_state(m)
    add_outlines(m, districts, name=_DISTRICTS, parent=group)
    if labels:
        data = _display(districts[["name", districts.geometry.name]], m, "add_districts: districts")
        points = gpd.GeoDataFrame({"name": data["name"].astype(str).to_numpy()},
                                  geometry=data.geometry.representative_point().values, crs=4326)
        for name, pt in zip(points["name"], points.geometry, strict=True):
            folium.Marker([pt.y, pt.x], icon=folium.DivIcon(html=f"<span>{_esc(name)}</span>", class_name="zzgeo-label",
                                                            icon_size=(0, 0)), interactive=False).add_to(group)
        state.layers.append(LayerRecord("labels", _DISTRICTS, points, {}, None))
    group.add_to(m)
    section = _(_DISTRICT_LEGEND)
    if section not in [title for title, _entries in state.legends]:
        kind = districts.attrs.get("legend", "区县级单元")  # other units say what they are (分析单元 analysis units)
        _add_legend(state, section, [(_OUTLINE, _("{kind} ({n})").format(kind=kind, n=len(districts)), "line")])
    return group


class _GroupToggle(folium.MacroElement):
    """Show a group's legend sections and notes while its layer is on (Leaflet overlayadd/overlayremove)."""

    _template = Template("""{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.on("overlayadd overlayremove", function (e) {
    document.querySelectorAll("[data-zzgeo-group]").forEach(function (el) {
        if (el.getAttribute("data-zzgeo-group") === e.name) { el.style.display = e.type === "overlayadd" ? "" : "none"; }
    });
});
{% endmacro %}""")


def combine_maps(maps: Mapping[str, folium.Map], *, title: str, basemap: str | None = None) -> folium.Map:
    """Put the layers of several zzgeo maps on one page, one switchable group per map.

    Parameters
    ----------
    maps : mapping of str to folium.Map
        Label -> map (built with the same *basemap*). The first group is shown,
        the others start hidden; a layer control (top right) switches them.
        The maps' layers are moved, so do not save those maps afterwards.
    title : str
    basemap : str, optional
        Default: the basemap of the first map.

    Returns
    -------
    folium.Map
        With the district outlines and names on top, every map's legend
        section (headed by its label) and source notes, and the demo banner
        when any of them rests on demo data.

    Raises
    ------
    ParameterError
        No maps, or maps on basemaps of different datums.

    Examples
    --------
    Two maps, the second on DEMO data: the page says so, and starts with
    the second group hidden.

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from zzgeo.maps import choropleth_map, combine_maps, map_state
    >>> blocks = gpd.GeoDataFrame({"class": ["II", "III"]},
    ...                           geometry=[box(113.60 + i / 20, 34.74, 113.64 + i / 20, 34.78) for i in range(2)], crs=4326)
    >>> first = choropleth_map(blocks, "class", title="甲", legend_title="类别 class")
    >>> second = choropleth_map(blocks, "class", title="乙", legend_title="类别 class", demo=True)
    >>> m = combine_maps({"甲 A": first, "乙 B (DEMO)": second}, title="合并 combined")
    >>> state = map_state(m)
    >>> state.banner
    'DEMO data in: 乙 B (DEMO) — illustrative, not the official data'
    >>> [title for title, _ in state.legends], state.hidden
    (['甲 A · 类别 class', '乙 B (DEMO) · 类别 class', '行政区界 district boundary'], {'乙 B (DEMO)'})
    """
    if not maps:
        raise ParameterError(_("combine_maps: no maps given"))
    states = {label: map_state(sub) for label, sub in maps.items()}
    first = next(iter(states.values()))
    crs = {s.crs for s in states.values()}
    if len(crs) > 1:
        raise ParameterError(_("combine_maps: the maps mix basemap datums {datums}; build them with one basemap").format(datums=sorted(crs)))
    demo = [label for label, s in states.items() if s.banner]
    m = base_map(title=title, basemap=basemap or first.basemap.name, demo=bool(demo),
                 banner_text=_("DEMO data in: {maps} — illustrative, not the official data").format(maps=", ".join(demo)))
    state = map_state(m)
    for i, (label, sub) in enumerate(states.items()):
        group = folium.FeatureGroup(name=_layer_name(label), show=i == 0)
        for rec in sub.layers:
            if rec.name == _DISTRICTS:
                continue
            if rec.element is not None:
                group.add_child(rec.element)
            state.layers.append(LayerRecord(rec.kind, f"{label}: {rec.name}", rec.frame, rec.style, rec.element, show=i == 0))
            state.extend_bounds(rec.frame)
        group.add_to(m)
        if i:
            state.hidden.add(label)
        for title, entries in sub.legends:
            if title != _(_DISTRICT_LEGEND):
                state.legends.append((f"{label} · {title}", entries))
                state.groups[f"{label} · {title}"] = label
        for note in sub.notes:
            if note not in state.notes:
                state.notes.append(note)
                state.groups[note] = label
            if note in sub.subsets and note not in state.subsets:
                state.subsets.append(note)
    add_districts(m)
    folium.LayerControl(collapsed=False, position="topleft").add_to(m)
    _GroupToggle().add_to(m)
    minx, miny, maxx, maxy = state.bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(20, 20))
    return m

