"""QGIS styles for GeoPackage layers: QML documents in the ``layer_styles`` table, read from the web map.

A GeoPackage opened in QGIS looks like the report's web map when each layer
carries a default style in the table ``layer_styles``, the table QGIS itself
creates when a style is saved "in the database" (its OGR provider,
``QgsOgrProviderMetadata::saveStyle``: an attributes table with FID ``id`` and
the columns of :data:`LAYER_STYLES_COLUMNS`). QGIS applies the row with
``useAsDefault = 1`` of a layer when the layer is opened.

The classes, colours and labels are not written down a second time here: they
are read from the folium map the report draws (:func:`choropleth_style`,
:func:`points_style`), whose legend the map builders fill from
:mod:`zzgeo.maps.classes` and the ColorBrewer palettes; only the class
*bounds*, which a legend shows rounded, are computed again, by the builders'
own function, and checked against the legend's labels.

============================ =====================================================
function                     what it does
============================ =====================================================
:func:`single_style`         one symbol for points, lines or polygons
:func:`choropleth_style`     graduated (numeric column) or categorized, from a map's legend
:func:`points_style`         a point layer's symbol, from a map's layer
:func:`style_qml`            the QML document of a :class:`Style`
:func:`write_styles`         write styles into a GeoPackage's ``layer_styles`` (default styles)
:func:`read_styles`          the rows of ``layer_styles``
============================ =====================================================

Examples
--------
Two district polygons in two classes, written to a GeoPackage with their
style; the QML names the column, the bounds and the colours:

>>> import tempfile, pathlib
>>> import xml.etree.ElementTree as ET
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> from zzgeo.maps.qgis import Style, StyleClass, read_styles, write_styles
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> areas = gpd.GeoDataFrame({"name": ["甲 <A & B>", "乙"], "v": [1.0, 3.0]},
...                          geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4547)
>>> areas.to_file(folder / "a.gpkg", layer="areas", driver="GPKG")
>>> style = Style("polygon", "graduated", column="v", label_field="name",
...               classes=[StyleClass("#ffffb2", "1", lower=1.0, upper=1.0), StyleClass("#b10026", "3", lower=1.0, upper=3.0)])
>>> write_styles(folder / "a.gpkg", {"areas": style})
>>> row = read_styles(folder / "a.gpkg")[0]
>>> row["f_table_name"], row["f_geometry_column"], row["useAsDefault"]
('areas', 'geom', 1)
>>> qml = ET.fromstring(row["styleQML"])
>>> qml.find("renderer-v2").get("type"), [r.get("upper") for r in qml.iter("range")]
('graduatedSymbol', ['1.0', '3.0'])
>>> qml.find("labeling/settings/text-style").get("fieldName")
'name'
"""

from __future__ import annotations

import math
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from zzgeo.errors import ParameterError, StoreError
from zzgeo.i18n import N_, _

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import pandas as pd

    from zzgeo.maps.state import LayerRecord, MapState

__all__ = [
    "LAYER_STYLES_COLUMNS",
    "QGIS_VERSION",
    "Style",
    "StyleClass",
    "choropleth_style",
    "geometry_kind",
    "points_style",
    "read_styles",
    "single_style",
    "style_qml",
    "write_styles",
]

#: The QGIS version written into each QML document (any QGIS 3 reads the elements written here).
QGIS_VERSION = "3.28.0-Firenze"
#: Columns of ``layer_styles`` as QGIS's OGR provider creates the table (the FID column is ``id``).
LAYER_STYLES_COLUMNS = ("id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
                        "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time")
_CREATE = """CREATE TABLE IF NOT EXISTS "layer_styles" (
"id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "f_table_catalog" TEXT(256), "f_table_schema" TEXT(256),
"f_table_name" TEXT(256), "f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT,
"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30),
"update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""
_GEOMETRIES = ("point", "line", "polygon")
_SYMBOL = {"point": ("marker", "SimpleMarker"), "line": ("line", "SimpleLine"), "polygon": ("fill", "SimpleFill")}
_NO_DATA_LABEL = N_("no data")  # as the builders label it (translated where it is compared)


@dataclass(frozen=True)
class StyleClass:
    """One class of a graduated or categorized style: its colour and legend label, and its bounds or value.

    Attributes
    ----------
    colour : str
        ``#rrggbb``.
    label : str
        The legend text (QGIS shows it in the layer tree).
    lower, upper : float, optional
        Bounds of a graduated class: QGIS puts a value in the first class with
        ``lower <= value <= upper`` (upper bounds inclusive, as mapclassify's).
    value : str, optional
        The value of a categorized class; ``""`` matches the features no other class takes (QGIS's "all other values").

    Examples
    --------
    >>> StyleClass("#ffffb2", "0.920 – 1.20", lower=0.92, upper=1.2).upper
    1.2
    """

    colour: str
    label: str
    lower: float | None = None
    upper: float | None = None
    value: str | None = None


@dataclass(frozen=True)
class Style:
    """How QGIS draws one layer.

    Attributes
    ----------
    geometry : {"point", "line", "polygon"}
    renderer : {"single", "graduated", "categorized"}
    column : str, optional
        The classified column (graduated, categorized).
    digits : int, optional
        Classify the column rounded to this many decimals (QGIS expression ``round("column", digits)``),
        as a map that rounds a column before classing it shows it; the layer keeps full precision.
    classes : list of StyleClass
    colour : str
        Fill (or line) colour of a single symbol.
    outline : str, optional
        Outline colour; None draws no outline.
    outline_px, size_px : float
        Outline width and marker diameter in screen pixels, as Leaflet draws them.
    opacity : float
        Fill opacity, 0-1.
    dash : bool
        A dashed line or outline.
    label_field : str, optional
        Label every feature with this field.
    marker_inside : bool
        Polygons drawn as a marker at a point inside each (QGIS's centroid fill), as the web map draws
        a polygon layer it shows as points.

    Examples
    --------
    >>> Style("polygon", "graduated", column="v")
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: a graduated style needs a column and classes (column='v', 0 classes)
    >>> Style("point", colour="red")
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: colour 'red': use #rrggbb
    """

    geometry: str
    renderer: str = "single"
    column: str | None = None
    digits: int | None = None
    classes: list[StyleClass] = field(default_factory=list)
    colour: str = "#1f4e9c"
    outline: str | None = "#444444"
    outline_px: float = 1.0
    size_px: float = 10.0
    opacity: float = 1.0
    dash: bool = False
    label_field: str | None = None
    marker_inside: bool = False

    def __post_init__(self) -> None:
        if self.geometry not in _GEOMETRIES:
            raise ParameterError(_("Style geometry {geometry!r}: use one of {allowed}").format(geometry=self.geometry, allowed=_GEOMETRIES))
        if self.renderer not in ("single", "graduated", "categorized"):
            raise ParameterError(_("Style renderer {renderer!r}: use 'single', 'graduated' or 'categorized'").format(renderer=self.renderer))
        if self.renderer != "single" and (not self.column or not self.classes):
            raise ParameterError(_("a {renderer} style needs a column and classes (column={column!r}, {n} classes)").format(
                renderer=self.renderer, column=self.column, n=len(self.classes)))
        for colour in [self.colour, *(c.colour for c in self.classes)]:
            _rgba(colour)


def geometry_kind(geom_types: Sequence[str]) -> str:
    """The style geometry (``point``, ``line``, ``polygon``) of a layer's geometry types; mixed layers take the first kind.

    Examples
    --------
    >>> geometry_kind(["MultiPolygon"]), geometry_kind(["Point", "Polygon"]), geometry_kind(["LineString"])
    ('polygon', 'point', 'line')
    """
    for name in geom_types:
        text = str(name).lower()
        for kind, key in (("point", "point"), ("line", "line"), ("polygon", "polygon")):
            if key in text:
                return kind
    raise ParameterError(_("geometry types {types!r}: no point, line or polygon to style").format(types=list(geom_types)))


def single_style(geometry: str, colour: str, *, outline: str | None = "#ffffff", outline_px: float = 1.0, size_px: float = 10.0,
                 opacity: float = 1.0, dash: bool = False, label_field: str | None = None, marker_inside: bool = False) -> Style:
    """One symbol for every feature.

    Examples
    --------
    >>> single_style("point", "#238b45", size_px=12).renderer
    'single'
    >>> single_style("area", "#238b45")
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: Style geometry 'area': use one of ('point', 'line', 'polygon')
    """
    return Style(geometry, "single", colour=colour, outline=outline, outline_px=outline_px, size_px=size_px, opacity=opacity,
                 dash=dash, label_field=label_field, marker_inside=marker_inside and geometry == "polygon")


def _state(m: folium.Map | MapState) -> MapState:
    from zzgeo.maps.state import MapState, map_state

    return m if isinstance(m, MapState) else map_state(m)


def _record(state: MapState, kind: str, name: str | None) -> LayerRecord:
    # a layer named with a marked message is named in the interface language on the map
    found = [r for r in state.layers if r.kind == kind and (name is None or r.name in (name, _(name)))]
    if not found:
        names = [r.name for r in state.layers if r.kind == kind]
        raise ParameterError(_("the map {title!r} has no {kind} layer {name!r}; its {kind} layers: {names!r}").format(
            title=state.title, kind=kind, name=name, names=names))
    return found[0]


def points_style(m: folium.Map | MapState, name: str, *, geometry: str = "point", label_field: str | None = None) -> Style:
    """The symbol of the point layer *name* of map *m* (colour, outline, radius, opacity as Leaflet draws them).

    Parameters
    ----------
    m : folium.Map or MapState
    name : str
        The layer's name in the map (:func:`zzgeo.maps.add_points` *name*).
    geometry : {"point", "line", "polygon"}
        The geometry of the layer to style: a GeoPackage may hold as polygons what the map draws as points
        (grid cells, parcels); they get the same marker at a point inside each (:attr:`Style.marker_inside`).
    label_field : str, optional

    Raises
    ------
    ParameterError
        The map has no point layer *name*.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.maps import add_points, base_map
    >>> m = base_map(title="示例")
    >>> _ = add_points(m, gpd.GeoDataFrame(geometry=[Point(113.6, 34.7)], crs=4326), name="sites", color="#238b45", radius=6)
    >>> style = points_style(m, "sites")
    >>> style.colour, style.size_px, style.outline
    ('#238b45', 12.0, '#ffffff')
    """
    style = _record(_state(m), "points", name).style
    return single_style(geometry, style["fillColor"], outline=style.get("color"), outline_px=float(style.get("weight", 1)),
                        size_px=2.0 * float(style.get("radius", 5)), opacity=float(style.get("fillOpacity", 1.0)),
                        label_field=label_field, marker_inside=True)


def choropleth_style(
    m: folium.Map | MapState,
    values: pd.Series,
    *,
    column: str,
    scheme: str = "quantiles",
    bins: int = 5,
    geometry: str = "polygon",
    label_field: str | None = None,
    digits: int | None = None,
) -> Style:
    """The style of a choropleth drawn on map *m*: its legend's colours and labels, the class bounds of *values*.

    A numeric column gives a graduated style whose upper bounds are the
    builders' classes of *values* (``zzgeo.maps.builders._numeric_classes``:
    mapclassify's *scheme* in *bins* classes, one class per value when there
    are fewer, with the breaks a map includes such as a policy target, found
    among the legend's values), checked against the legend the map shows; any other column a
    categorized style with one category per legend entry. A ``no data``
    entry becomes the category of every other value.

    Parameters
    ----------
    m : folium.Map or MapState
        A map with one choropleth (its first polygon layer is used).
    values : pandas.Series
        The column as the layer to style holds it (the values the map classed).
    column : str
        Its name in the layer.
    scheme, bins
        As given to the map's choropleth.
    geometry : str
    label_field : str, optional
    digits : int, optional
        The map rounds the column to this many decimals before classing it: the classes are those of
        the rounded values, and QGIS classes ``round("column", digits)`` (:attr:`Style.digits`).

    Raises
    ------
    ParameterError
        The map has no choropleth, or its legend does not show the classes of *values* (a different scheme or data).

    Examples
    --------
    Six values in three equal-interval classes, 1-6 split at 2.67 and 4.33:

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from zzgeo.maps import choropleth_map
    >>> blocks = gpd.GeoDataFrame({"v": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]},
    ...                           geometry=[box(113.60 + i / 20, 34.74, 113.64 + i / 20, 34.78) for i in range(6)], crs=4326)
    >>> m = choropleth_map(blocks, "v", title="示例", scheme="equal_interval", bins=3, districts=False)
    >>> style = choropleth_style(m, blocks["v"], column="v", scheme="equal_interval", bins=3)
    >>> [(c.label, round(c.lower, 2), round(c.upper, 2)) for c in style.classes]
    [('1 – 2.67', 1.0, 2.67), ('2.67 – 4.33', 2.67, 4.33), ('4.33 – 6', 4.33, 6.0)]
    >>> choropleth_style(m, blocks["v"] * 2, column="v", scheme="equal_interval", bins=3)  # not the values the map shows
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: choropleth of 'v': the map's legend shows ['1 – 2.67', '2.67 – 4.33', '4.33 – 6'], which equal_interval ...
    """
    import numpy as np
    import pandas as pd

    state = _state(m)
    record = _record(state, "polygons", None)
    fills = set(record.frame[record.style.get("fill_column", "__zzgeo_fill")])
    section = next((entries for _title, entries in state.legends if fills <= {c for c, _label, _shape in entries}), None)
    if section is None:
        raise ParameterError(_("the map {title!r} has no legend section with the colours of its choropleth").format(title=state.title))
    boxes = [(c, label) for c, label, shape in section if shape == "box"]  # lines in the section are other layers' (outlines)
    no_data_label = _(_NO_DATA_LABEL)
    entries = [(c, label) for c, label in boxes if label != no_data_label]
    no_data = [c for c, label in boxes if label == no_data_label]
    common = {"outline": record.style.get("color", "#444444"), "outline_px": float(record.style.get("weight", 1)),
              "opacity": float(record.style.get("fillOpacity", 0.75)), "label_field": label_field}
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        v = values.dropna().astype(float).to_numpy()
        v = v.round(digits) if digits is not None else v
        upper = _bounds(v, scheme, bins, [label for _colour, label in entries], column)
        _check_drawn(record, upper, [colour for colour, _label in entries], column)
        lower = np.concatenate([[v.min()], upper[:-1]])
        classes = [StyleClass(colour, label, lower=float(lo), upper=float(hi))
                   for (colour, label), lo, hi in zip(entries, lower, upper, strict=True)]
        return Style(geometry, "graduated", column=column, digits=digits, classes=classes, **common)
    classes = [StyleClass(colour, label, value=label) for colour, label in entries]
    classes += [StyleClass(no_data[0], no_data_label, value="")] if no_data else []
    return Style(geometry, "categorized", column=column, classes=classes, **common)


def _label_top(label: str) -> float | None:
    """The upper value a legend label ``"lo – hi"`` (or ``"x"``) shows, or None."""
    try:
        return float(label.split("\u2013")[-1].strip().replace(",", ""))
    except ValueError:
        return None


def _bounds(v, scheme: str, bins: int, labels: list[str], column: str):
    """The upper class bounds the map's legend *labels* were made from: the builders' own classes of *v*.

    A map may make values such as a policy target breaks too (``breaks_include``); its legend shows
    each such break as the value itself, so the breaks are searched among the labels' upper values:
    the classes of the first set of them whose labels are the legend's are the map's.
    """
    from itertools import combinations

    # the very function the map's legend was made with
    from zzgeo.maps.builders import _numeric_classes

    tops = sorted({t for t in map(_label_top, labels) if t is not None})
    for n in range(len(tops) + 1):
        for include in combinations(tops, n):
            try:
                upper, names = _numeric_classes(v, scheme, bins, include) if include else _numeric_classes(v, scheme, bins)
            except TypeError:  # builders without breaks to include
                break
            if names == labels:
                return upper
    raise ParameterError(_("choropleth of {column!r}: the map's legend shows {labels!r}, which {scheme} in {bins} classes of "
                           "these values does not give (with or without breaks at its values); pass the map's scheme, bins and values").format(
        column=column, labels=labels, scheme=scheme, bins=bins))


def _check_drawn(record: LayerRecord, upper, colours: list[str], column: str) -> None:
    """Every feature the map drew gets the same colour from *upper* (QGIS: the first class whose upper bound it does not
    exceed), or :class:`ParameterError`. The map keeps its column as its first property, rounded to 6 decimals, so a
    value within 1e-6 of a bound is not judged."""
    import numpy as np

    frame = record.frame
    fill_column = record.style.get("fill_column", "__zzgeo_fill")
    props = [c for c in frame.columns if c not in (fill_column, frame.geometry.name)]
    if not props:
        return
    for value, fill in zip(frame[props[0]], frame[fill_column], strict=True):
        if value is None or (isinstance(value, float) and math.isnan(value)) or isinstance(value, str):
            continue
        if np.min(np.abs(np.asarray(upper, dtype=float) - float(value))) <= 1e-6:
            continue
        at = min(int(np.searchsorted(upper, float(value), side="left")), len(colours) - 1)
        if colours[at] != fill:
            raise ParameterError(_("choropleth of {column!r}: a feature of value {value!r} is {fill!r} on the map but would be "
                                   "{colour!r} in the classes found; pass the map's scheme, bins and values").format(
                column=column, value=value, fill=fill, colour=colours[at]))


# --- QML -------------------------------------------------------------------------------


def _rgba(colour: str, opacity: float = 1.0) -> str:
    text = str(colour).lstrip("#")
    if len(text) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in text):
        raise ParameterError(_("colour {colour!r}: use #rrggbb").format(colour=colour))
    r, g, b = (int(text[i:i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(255 * max(0.0, min(1.0, opacity)))}"


def _props(layer: ET.Element, props: Mapping[str, str]) -> None:
    for k, v in props.items():
        ET.SubElement(layer, "prop", k=k, v=str(v))


def _symbol(parent: ET.Element, name: str, style: Style, colour: str, rendering_pass: int = 0) -> None:
    kind, klass = _SYMBOL[style.geometry]
    symbol = ET.SubElement(parent, "symbol", type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    if style.marker_inside:  # a fill of one marker on a point inside each polygon (on every part), as Leaflet draws it
        holder = ET.SubElement(symbol, "layer", {"class": "CentroidFill", "enabled": "1", "locked": "0", "pass": str(rendering_pass)})
        _props(holder, {"point_on_surface": "1", "point_on_all_parts": "1", "clip_points": "0", "clip_on_current_part_only": "0"})
        _symbol(holder, f"@{name}@0", Style("point", colour=colour, outline=style.outline, outline_px=style.outline_px,
                                            size_px=style.size_px, opacity=style.opacity), colour)
        return
    layer = ET.SubElement(symbol, "layer", {"class": klass, "enabled": "1", "locked": "0", "pass": str(rendering_pass)})
    outline = _rgba(style.outline) if style.outline else "0,0,0,0"
    line_style = "dash" if style.dash else "solid"
    if style.geometry == "point":
        _props(layer, {"name": "circle", "color": _rgba(colour, style.opacity), "outline_color": outline,
                       "outline_style": "solid" if style.outline else "no", "outline_width": f"{style.outline_px:g}",
                       "outline_width_unit": "Pixel", "size": f"{style.size_px:g}", "size_unit": "Pixel",
                       "scale_method": "diameter", "angle": "0", "offset": "0,0", "offset_unit": "Pixel"})
    elif style.geometry == "line":
        _props(layer, {"line_color": _rgba(colour, style.opacity), "line_style": line_style, "line_width": f"{style.outline_px:g}",
                       "line_width_unit": "Pixel", "capstyle": "round", "joinstyle": "round"})
    else:
        _props(layer, {"color": _rgba(colour, style.opacity), "style": "solid", "outline_color": outline,
                       "outline_style": line_style if style.outline else "no", "outline_width": f"{style.outline_px:g}",
                       "outline_width_unit": "Pixel", "joinstyle": "round", "offset": "0,0", "offset_unit": "Pixel"})


def _renderer(root: ET.Element, style: Style) -> None:
    common = {"forceraster": "0", "symbollevels": "0", "enableorderby": "0"}
    if style.renderer == "single":
        renderer = ET.SubElement(root, "renderer-v2", type="singleSymbol", **common)
        _symbol(ET.SubElement(renderer, "symbols"), "0", style, style.colour)
        return
    if style.renderer == "graduated":
        field_ref = '"' + str(style.column).replace('"', '""') + '"'  # a QGIS expression's field reference
        attr = style.column if style.digits is None else f"round({field_ref}, {int(style.digits)})"
        renderer = ET.SubElement(root, "renderer-v2", type="graduatedSymbol", attr=attr, graduatedMethod="GraduatedColor", **common)
        ranges = ET.SubElement(renderer, "ranges")
        for i, c in enumerate(style.classes):
            if c.lower is None or c.upper is None or not (math.isfinite(c.lower) and math.isfinite(c.upper)):
                raise ParameterError(_("graduated class {label!r}: bounds must be finite numbers (lower={lower!r}, upper={upper!r})").format(
                    label=c.label, lower=c.lower, upper=c.upper))
            ET.SubElement(ranges, "range", symbol=str(i), lower=repr(float(c.lower)), upper=repr(float(c.upper)), label=c.label, render="true")
    else:  # drawn in the order of the classes, the last on top (symbol levels), as the web map draws its features
        renderer = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr=style.column, **(common | {"symbollevels": "1"}))
        categories = ET.SubElement(renderer, "categories")
        for i, c in enumerate(style.classes):
            ET.SubElement(categories, "category", symbol=str(i), value="" if c.value is None else str(c.value), label=c.label, render="true")
    symbols = ET.SubElement(renderer, "symbols")
    for i, c in enumerate(style.classes):
        _symbol(symbols, str(i), style, c.colour, rendering_pass=i if style.renderer == "categorized" else 0)


def _labeling(root: ET.Element, field_name: str, geometry: str) -> None:
    labeling = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(labeling, "settings", calloutType="simple")
    ET.SubElement(settings, "text-style", fieldName=field_name, isExpression="0", fontFamily="Noto Sans CJK SC", fontSize="9",
                  fontSizeUnit="Point", textColor="34,34,34,255", textOpacity="1", fontWeight="50", fontItalic="0",
                  multilineAlign="3", namedStyle="Regular")
    ET.SubElement(settings, "text-buffer", bufferDraw="1", bufferSize="1", bufferSizeUnits="MM", bufferColor="255,255,255,255",
                  bufferOpacity="1", bufferJoinStyle="128")
    # polygons: a label over a point inside the polygon (as the web map writes district names); points: around the point
    ET.SubElement(settings, "placement", placement="1" if geometry == "polygon" else "0", centroidInside="1", dist="1",
                  distUnits="MM", placementFlags="10")
    # every name shown, as the web map shows every district name
    ET.SubElement(settings, "rendering", obstacle="1", displayAll="1", upsidedownLabels="0", scaleVisibility="0",
                  fontLimitPixelSize="0", drawLabels="1")


def style_qml(style: Style) -> str:
    """The QML document of *style*: renderer, symbols and (with a label field) labels; every text XML-escaped.

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> qml = style_qml(Style("polygon", "categorized", column="zone", label_field="name",
    ...                       classes=[StyleClass("#08519c", "一级 <core> & \\"A\\"", value="一级 <core> & \\"A\\"")]))
    >>> qml.splitlines()[0]
    "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
    >>> '<core> &' in qml, '&lt;core&gt; &amp;' in qml
    (False, True)
    >>> root = ET.fromstring(qml)
    >>> root.tag, root.find("renderer-v2").get("type"), root.find(".//category").get("value")
    ('qgis', 'categorizedSymbol', '一级 <core> & "A"')
    >>> [p.get("v") for p in root.iter("prop") if p.get("k") == "color"]
    ['8,81,156,255']
    """
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="Symbology|Labeling",
                      labelsEnabled="1" if style.label_field else "0", hasScaleBasedVisibilityFlag="0", minScale="0", maxScale="0")
    _renderer(root, style)
    if style.label_field:
        _labeling(root, style.label_field, style.geometry)
    ET.SubElement(root, "layerGeometryType").text = str(_GEOMETRIES.index(style.geometry))
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode") + "\n"


# --- layer_styles ----------------------------------------------------------------------


def _connect(gpkg: str | Path) -> sqlite3.Connection:
    path = Path(gpkg)
    if not path.is_file():
        raise StoreError(_("GeoPackage {path!r} does not exist; write its layers first").format(path=str(path)))
    con = sqlite3.connect(path)
    try:
        con.execute("SELECT table_name FROM gpkg_contents LIMIT 1")
    except sqlite3.DatabaseError as exc:
        con.close()
        raise StoreError(_("{path!r} is not a GeoPackage (no gpkg_contents table): {error}").format(path=str(path), error=exc)) from exc
    return con


def write_styles(gpkg: str | Path, styles: Mapping[str, Style], *, description: str | None = None) -> None:
    """Write each layer's style into the GeoPackage's ``layer_styles`` table as its default style (``useAsDefault = 1``).

    The table is made as QGIS makes it (registered in ``gpkg_contents`` as an
    attributes table, so GDAL and QGIS list it); a layer's earlier style of the
    same name is replaced and its other styles stop being the default.

    Parameters
    ----------
    gpkg : path
        An existing GeoPackage holding every layer named in *styles*.
    styles : mapping of str to Style
        Layer name -> style (its QML is :func:`style_qml`); the style is named after the layer.
    description : str, optional
        The rows' description (default: "zzgeo: as the report's web map").

    Raises
    ------
    StoreError
        *gpkg* is missing or not a GeoPackage, or a layer is not a feature table of it.

    Examples
    --------
    A second style for the same layer replaces the first; a layer the file lacks is an error:

    >>> import tempfile, pathlib
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "sites.gpkg"
    >>> gpd.GeoDataFrame({"name": ["东广场"]}, geometry=[Point(113.6, 34.7)], crs=4326).to_file(path, layer="sites")
    >>> write_styles(path, {"sites": single_style("point", "#238b45")})
    >>> write_styles(path, {"sites": single_style("point", "#cb181d")})
    >>> [(r["styleName"], r["useAsDefault"], "203,24,29,255" in r["styleQML"]) for r in read_styles(path)]
    [('sites', 1, True)]
    >>> write_styles(path, {"wells": single_style("point", "#1f4e9c")})
    Traceback (most recent call last):
    ...
    zzgeo.errors.StoreError: GeoPackage '...sites.gpkg' has no feature layer(s) ['wells']; its layers: ['sites']
    """
    con = _connect(gpkg)
    try:
        with con:
            tables = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
            missing = [name for name in styles if name not in tables]
            if missing:
                raise StoreError(_("GeoPackage {path!r} has no feature layer(s) {missing!r}; its layers: {layers!r}").format(
                    path=str(gpkg), missing=missing, layers=sorted(tables)))
            con.execute(_CREATE)
            if not con.execute("SELECT 1 FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone():
                con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                            "VALUES ('layer_styles', 'attributes', 'layer_styles', '', strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
                if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone():
                    con.execute("INSERT OR REPLACE INTO gpkg_ogr_contents (table_name, feature_count) VALUES ('layer_styles', NULL)")
            for name, style in styles.items():
                geom = tables[name]
                con.execute('DELETE FROM layer_styles WHERE f_table_name = ? AND f_geometry_column = ? AND "styleName" = ?',
                            (name, geom, name))
                con.execute('UPDATE layer_styles SET "useAsDefault" = 0 WHERE f_table_name = ? AND f_geometry_column = ?', (name, geom))
                con.execute('INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "styleName", '
                            '"styleQML", "styleSLD", "useAsDefault", description, owner) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)',
                            ("", "", name, geom, name, style_qml(style), "", description or _("zzgeo: as the report's web map"), ""))
            if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone():
                con.execute("UPDATE gpkg_ogr_contents SET feature_count = (SELECT COUNT(*) FROM layer_styles) "
                            "WHERE table_name = 'layer_styles'")
    finally:
        con.close()


def read_styles(gpkg: str | Path) -> list[dict]:
    """The rows of the GeoPackage's ``layer_styles`` table (empty when it has none), as dicts by column name.

    Raises
    ------
    StoreError
        *gpkg* is missing or not a GeoPackage.

    Examples
    --------
    >>> read_styles("no/such.gpkg")
    Traceback (most recent call last):
    ...
    zzgeo.errors.StoreError: GeoPackage 'no/such.gpkg' does not exist; write its layers first
    """
    con = _connect(gpkg)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'layer_styles'").fetchone():
            return []
        cur = con.execute("SELECT * FROM layer_styles ORDER BY id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()
