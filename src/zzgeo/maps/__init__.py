"""Maps: folium builders, the offline HTML page, PNG export and its matplotlib fallback.

============================ ====================================================
module                       what it holds
============================ ====================================================
:mod:`.state`                :class:`MapState`: basemap, drawn layers, legends, notes
:mod:`.builders`             base map, choropleths, points, outlines, districts, combined map
:mod:`.classes`              class breaks of numeric columns (mapclassify's, without its import)
:mod:`.assets`               inlined Leaflet, map furniture (legend, scale, north arrow), atomic writes
:mod:`.export`               :func:`save_html` (offline page), :func:`save_png` (Chromium), :func:`export_map`, :func:`render_png`, :func:`png_fingerprint`, :func:`print_pdf`
:mod:`.static`               the matplotlib drawing when no Chromium is present
:mod:`.qgis`                 QGIS styles (QML) in a GeoPackage's ``layer_styles``, read from the web map
============================ ====================================================

Data flows one way: state ← builders, state ← export → static. Names are
imported lazily, so ``import zzgeo.maps`` does not load folium or geopandas.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> from zzgeo.maps import choropleth_map, map_state
>>> gdf = gpd.GeoDataFrame({"v": [1.0, 2.0, 3.0]}, geometry=[box(113.6 + i / 10, 34.7, 113.65 + i / 10, 34.75) for i in range(3)], crs=4326)
>>> m = choropleth_map(gdf, "v", title="示例 example", bins=3)
>>> map_state(m).title
'示例 example'
"""

from __future__ import annotations

from zzgeo._lazy import lazy_names

#: module -> the names it holds
_WHERE = {
    "state": ["BASEMAPS", "Basemap", "MapState", "map_state"],
    "builders": ["DEFAULT_DEMO_BANNER", "default_maps_dir", "field_labels", "base_map", "choropleth_layer", "choropleth_map", "add_points", "add_districts", "add_outlines", "combine_maps"],
    "export": ["MapExport", "save_html", "save_png", "export_map", "render_png", "png_fingerprint", "find_chromium", "print_pdf"],
}
__all__ = [name for names in _WHERE.values() for name in names]
__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
