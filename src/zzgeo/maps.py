"""Folium maps for reports: self-contained offline HTML and PNG snapshots.

Folium's own ``Map.save`` writes a page that loads Leaflet and friends from
CDNs and shows nothing without a network. :func:`save_html` inlines Leaflet
(from ``xstatic-leaflet``), drops the libraries the page does not use, and
refuses to write a page that still points outside. :func:`save_png` takes a
headless-Chromium screenshot of such a page. :func:`choropleth_map` and
:func:`add_points` build maps that need nothing but Leaflet: no tiles, an
inline legend, caption, scale bar and north arrow, and a banner for demo data.
"""

from __future__ import annotations

import html
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from zzgeo._offline_assets import (
    add_furniture,
    chromium_command,
    inline_assets,
    notes_block,
    temp_beside,
    write_atomic,
)
from zzgeo.errors import ChromiumError, CRSError, GeometryError, MapExportError, SchemaError

__all__ = [
    "default_maps_dir",
    "DEFAULT_DEMO_BANNER",
    "MapExportError",
    "ChromiumError",
    "choropleth_map",
    "add_points",
    "save_html",
    "save_png",
]

DEFAULT_DEMO_BANNER = "DEMO DATA \u2014 not the official data; for illustration only"
#: Sequential palette (ColorBrewer YlOrRd, 3-7 classes picked from it).
_SEQUENTIAL = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026")
#: Qualitative palette (ColorBrewer Set3-like, 12 classes).
_QUALITATIVE = ("#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462",
                "#b3de69", "#fccde5", "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f")
_NO_DATA = "#cccccc"
_CHROMIUM_INSTALL = "apt-get update && apt-get install -y chromium"
_NOTES_ATTR = "_zzgeo_source_notes"


def default_maps_dir() -> Path:
    """Where exported maps go by default: ``$ZZGEO_MAPS_DIR``, else the checkout's ``maps/``, else ``./maps``."""
    env = os.environ.get("ZZGEO_MAPS_DIR")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").exists() and (checkout / "maps").is_dir():
        return checkout / "maps"
    return Path.cwd() / "maps"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


# --- helpers ---------------------------------------------------------------------------


def _to_wgs84(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise SchemaError(f"{what} must be a GeoDataFrame, got {type(gdf).__name__!r}")
    if gdf.crs is None:
        raise CRSError(
            f"{what} has crs=None; set it first, e.g. gdf.set_crs('EPSG:4547') "
            "(CGCS2000 / 3-degree Gauss-Kruger CM 114E) or gdf.set_crs(4326)"
        )
    if len(gdf) == 0 or gdf.geometry.isna().all() or gdf.geometry.is_empty.all():
        raise GeometryError(f"{what} has no non-empty geometry to draw (rows: {len(gdf)})")
    return gdf.to_crs(4326)


def _check_columns(gdf: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise SchemaError(f"{what}: no column(s) {missing!r}; columns are {list(gdf.columns)!r}")


def _fmt(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.{max(0, 3 - int(math.floor(math.log10(abs(x)))) - 1) if x else 2}f}"


def _classify(
    values: pd.Series, bins: int, colors: Sequence[str] | None
) -> tuple[list[str], list[tuple[str, str]]]:
    """Colour for each value and the legend entries ``(color, label)``."""
    na = values.isna()
    legend: list[tuple[str, str]] = []
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        v = values[~na].astype(float)
        edges = np.unique(np.quantile(v, np.linspace(0, 1, max(1, bins) + 1))) if len(v) else np.array([])
        n = max(1, len(edges) - 1)
        pal = list(colors) if colors else [_SEQUENTIAL[round(i * 6 / max(1, n - 1))] for i in range(n)]
        if len(pal) < n:
            raise SchemaError(f"colors: need {n} colours for {n} classes, got {len(pal)}")
        idx = np.clip(np.searchsorted(edges, values.fillna(0).astype(float), side="right") - 1, 0, n - 1)
        fill = [_NO_DATA if miss else pal[i] for i, miss in zip(idx, na, strict=True)]
        if len(edges) == 1:
            legend = [(pal[0], _fmt(edges[0]))]
        else:
            legend = [(pal[i], f"{_fmt(edges[i])} \u2013 {_fmt(edges[i + 1])}") for i in range(n)]
    else:
        cats = list(dict.fromkeys(values[~na].astype(str)))
        pal = list(colors) if colors else list(_QUALITATIVE)
        lut = {c: pal[i % len(pal)] for i, c in enumerate(cats)}
        fill = [_NO_DATA if miss else lut[str(x)] for x, miss in zip(values, na, strict=True)]
        legend = [(lut[c], c) for c in cats]
    if na.any():
        legend.append((_NO_DATA, "no data"))
    return fill, legend


def _properties(gdf: gpd.GeoDataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Columns ready for GeoJSON: numbers stay numbers, the rest becomes escaped text."""
    out = pd.DataFrame(index=gdf.index)
    for c in columns:
        s = gdf[c]
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if numeric and pd.api.types.is_float_dtype(s):
            s = s.round(6)
        vals = [None if miss else (x if numeric else _esc(x))
                for x, miss in zip(s.astype(object).tolist(), s.isna(), strict=True)]
        out[str(c)] = pd.Series(vals, index=gdf.index, dtype=object)
    return out


# --- public builders -------------------------------------------------------------------


def choropleth_map(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    title: str,
    caption_lines: Sequence[str] = (),
    tooltip_columns: Sequence[str] = (),
    legend_title: str | None = None,
    demo: bool = False,
    banner_text: str = DEFAULT_DEMO_BANNER,
    bins: int = 5,
    colors: Sequence[str] | None = None,
    fill_opacity: float = 0.75,
    line_color: str = "#444444",
    tiles: str | None = None,
    north_arrow: bool = True,
    background: str = "#f4f3ee",
) -> folium.Map:
    """Draw polygons coloured by one column, with legend, caption and tooltips.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons in any CRS; reprojected to EPSG:4326 for drawing.
    column : str
        Column to colour by. Numeric columns are split into ``bins`` quantile
        classes; any other column gets one colour per distinct value.
    title : str
        Shown at the top centre of the map.
    caption_lines : sequence of str, optional
        Source notes, one per line, shown bottom left; :func:`save_html` also
        writes them into the page's ``<meta name="zzgeo:source">`` tags.
    tooltip_columns : sequence of str, optional
        Extra columns shown on hover (``column`` is always shown).
    legend_title : str, optional
        Defaults to ``column``.
    demo : bool, default False
        Put a red banner with ``banner_text`` on the map: the layer rests on
        demonstration data, not the official source.
    banner_text : str
        Text of the demo banner.
    bins : int, default 5
        Number of quantile classes for a numeric column (fewer when values repeat).
    colors : sequence of str, optional
        Colours of the classes, low to high / in order of first appearance.
    fill_opacity, line_color : float, str
        Polygon styling.
    tiles : str, optional
        A folium tile name or URL. Default None: no basemap, which is what an
        offline export needs (:func:`save_html` refuses external tile URLs).
    north_arrow : bool, default True
        Draw a north arrow top right (a scale bar is always drawn bottom left).
    background : str
        CSS colour behind the polygons when there are no tiles.

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
    """
    _check_columns(gdf, [column, *tooltip_columns], "choropleth_map")
    data = _to_wgs84(gdf, "choropleth_map: gdf")
    data = data[data.geometry.notna() & ~data.geometry.is_empty]
    fill, legend = _classify(data[column], bins, colors)
    fields = list(dict.fromkeys([column, *tooltip_columns]))
    props = _properties(data, fields)
    props["__zzgeo_fill"] = fill
    layer = gpd.GeoDataFrame(props, geometry=data.geometry.values, crs=4326).reset_index(drop=True)

    m = folium.Map(tiles=tiles, zoom_snap=0.25)
    style = {"color": line_color, "weight": 1, "fillOpacity": fill_opacity}
    folium.GeoJson(
        layer.to_json(drop_id=True),
        name=str(legend_title or column),
        style_function=lambda f: {**style, "fillColor": f["properties"]["__zzgeo_fill"]},
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=[str(c) for c in fields], sticky=True),
    ).add_to(m)
    minx, miny, maxx, maxy = layer.total_bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(20, 20))
    add_furniture(m, title=title, banner=banner_text if demo else None, legend=legend,
                  legend_title=str(legend_title or column), swatch_opacity=fill_opacity,
                  caption_lines=caption_lines, north_arrow=north_arrow,
                  background=background if tiles is None else None)
    setattr(m, _NOTES_ATTR, tuple(str(x) for x in caption_lines))
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
) -> folium.GeoJson:
    """Add a point layer drawn as Leaflet CircleMarkers (no icon fonts needed).

    Parameters
    ----------
    m : folium.Map
    gdf : geopandas.GeoDataFrame
        Points (MultiPoints are split) in any CRS; reprojected to EPSG:4326.
    label_column : str, optional
        Column shown as the tooltip of each point.
    color : str
        Outline and fill colour.
    radius : float
        Radius in screen pixels.
    fill_opacity : float
    name : str, optional
        Layer name (for a ``folium.LayerControl``).

    Returns
    -------
    folium.GeoJson
        The layer, already added to ``m``. The map's view is not changed.

    Raises
    ------
    CRSError, SchemaError, GeometryError
        No CRS; ``label_column`` missing; a geometry that is not a point.
    """
    if label_column is not None:
        _check_columns(gdf, [label_column], "add_points")
    data = _to_wgs84(gdf, "add_points: gdf")
    data = data[data.geometry.notna() & ~data.geometry.is_empty].explode(index_parts=False)
    bad = sorted(set(data.geom_type) - {"Point"})
    if bad:
        raise GeometryError(f"add_points: gdf holds {bad!r} geometries; only Point/MultiPoint allowed")
    props = _properties(data, [label_column] if label_column else [])
    layer = gpd.GeoDataFrame(props, geometry=data.geometry.values, crs=4326).reset_index(drop=True)
    style = {"color": "#ffffff", "weight": 1, "fillColor": color, "fillOpacity": fill_opacity}
    gj = folium.GeoJson(
        layer.to_json(drop_id=True),
        name=name,
        marker=folium.CircleMarker(radius=radius, **style),
        style_function=lambda f: style,
        tooltip=folium.GeoJsonTooltip(fields=[str(label_column)], labels=False) if label_column else None,
    )
    gj.add_to(m)
    return gj


# --- export ----------------------------------------------------------------------------


def save_html(
    m: folium.Map,
    path: str | os.PathLike[str],
    *,
    offline: bool = True,
    source_notes: Sequence[str] | None = None,
    extra_assets: Mapping[str, str | os.PathLike[str]] | None = None,
) -> Path:
    """Write a map as one HTML file that, by default, works with no network.

    Parameters
    ----------
    m : folium.Map
    path : str or path-like
        Target file; written atomically (temp file in the same folder, then
        ``os.replace``).
    offline : bool, default True
        Inline Leaflet (and jQuery / d3 v3 when the page uses them) from the
        ``xstatic-*`` packages and drop the libraries the page does not use.
        When False, folium's page is written as is (CDN links).
    source_notes : sequence of str, optional
        Written into ``<meta name="zzgeo:source">`` tags and an HTML comment.
        Defaults to the ``caption_lines`` given to :func:`choropleth_map`.
    extra_assets : mapping, optional
        Offline copies for other scripts/stylesheets (plugins): URL or file
        name -> local file.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    MapExportError
        ``offline`` and the page still needs something outside: a tile layer,
        a library with no offline copy (e.g. awesome-markers icons), an image
        URL. The message lists the URLs.
    """
    path = Path(path)
    document = m.get_root().render()
    report = None
    if offline:
        document, report = inline_assets(document, extra_assets=extra_assets)
        if not report.ok:
            listing = "\n  ".join([*report.missing, *report.remaining])
            raise MapExportError(
                f"save_html({str(path)!r}, offline=True): the page still needs the network:\n  "
                f"{listing}\nUse tiles=None (no basemap), CircleMarkers instead of icon markers, "
                "pass extra_assets for plugins, or save with offline=False."
            )
    notes = getattr(m, _NOTES_ATTR, ()) if source_notes is None else tuple(source_notes)
    block = notes_block(notes, offline, report, f"folium {folium.__version__}")
    head = document.find("<head>")
    document = (document[: head + 6] + "\n" + block + document[head + 6 :]) if head >= 0 else block + document
    if not document.lstrip().lower().startswith("<!doctype"):
        document = "<!DOCTYPE html>\n" + document
    write_atomic(path, document.encode("utf-8"))
    return path


def save_png(
    html_path: str | os.PathLike[str],
    png_path: str | os.PathLike[str],
    *,
    width: int = 1200,
    height: int = 900,
    chromium: str | os.PathLike[str] | None = None,
    wait_ms: int = 3000,
    allow_network: bool = False,
    timeout: float = 120,
) -> Path:
    """Screenshot an HTML map with headless Chromium.

    Parameters
    ----------
    html_path : str or path-like
        Page to render, normally written by :func:`save_html`.
    png_path : str or path-like
        Target PNG; written atomically.
    width, height : int
        Window size in CSS pixels.
    chromium : str or path-like, optional
        Browser executable; default ``chromium`` (or ``chromium-browser``,
        ``google-chrome``) on ``PATH``.
    wait_ms : int, default 3000
        Virtual-time budget given to the page before the shot, so Leaflet has drawn.
    allow_network : bool, default False
        By default every host name fails to resolve, so the PNG shows exactly
        what the offline file holds.
    timeout : float
        Seconds before Chromium is given up on.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        ``html_path`` does not exist.
    ChromiumError
        No Chromium found (install: ``apt-get update && apt-get install -y chromium``),
        or it failed or wrote no image.
    """
    src = Path(html_path).resolve()
    if not src.is_file():
        raise FileNotFoundError(f"save_png: no HTML file {str(src)!r}")
    exe = str(chromium) if chromium is not None else next(
        (p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p),
        None,
    )
    if exe is None or shutil.which(exe) is None:
        raise ChromiumError(
            f"save_png: headless Chromium not found (chromium={chromium!r}); install it with "
            f"`{_CHROMIUM_INSTALL}` or pass chromium='/path/to/chromium'"
        )
    out = Path(png_path)
    tmp = temp_beside(out, ".png")
    profile = tempfile.mkdtemp(prefix="zzgeo-chromium-")
    cmd = chromium_command(exe, profile=profile, shot=tmp, width=width, height=height,
                           wait_ms=wait_ms, allow_network=allow_network)
    try:
        Path(tmp).unlink()
        proc = subprocess.run([*cmd, src.as_uri()], capture_output=True, text=True, timeout=timeout)
        if not Path(tmp).is_file() or Path(tmp).stat().st_size == 0:
            tail = "\n".join((proc.stderr or "").strip().splitlines()[-8:])
            raise ChromiumError(f"save_png: Chromium wrote no image (exit {proc.returncode}):\n{tail}")
        os.replace(tmp, out)
    except subprocess.TimeoutExpired as exc:
        raise ChromiumError(f"save_png: Chromium did not finish within {timeout} s") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
        shutil.rmtree(profile, ignore_errors=True)
    return out
