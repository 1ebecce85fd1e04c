"""Spatial machinery shared by the themes: point-in-polygon lookups, population surfaces, reach pairs.

============================ ====================================================
module                       what it holds
============================ ====================================================
:mod:`.index`                :func:`polygon_index`: exact point-in-polygon lookup at bulk speed
:mod:`.surface`              population surfaces from census totals, points or a raster
:mod:`.reach`                site-to-cell pairs within a radius or along a network
============================ ====================================================

Names are imported lazily.

Examples
--------
>>> import numpy as np
>>> from shapely.geometry import box
>>> from zzgeo.spatial import polygon_index
>>> index = polygon_index(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)]))
>>> index.query_xy(np.array([0.5, 1.5, 5.0]), np.array([0.5, 0.5, 0.5])).tolist()  # -1 = outside
[0, 1, -1]
"""

from __future__ import annotations

from zzgeo._lazy import lazy_names

#: module -> the names it holds
_WHERE = {
    "index": ["PolygonIndex", "polygon_index"],
    "surface": ["grid_centres", "district_surface", "read_population"],
    "reach": ["Pairs", "reach_pairs", "network_pairs", "metric_points"],
}
__all__ = [name for names in _WHERE.values() for name in names]
__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
