"""Groundwater registers: water sources, wells, rivers, study zones and pollution sources.

Each is read by the common loader (:mod:`zzgeo.registers`) with its schema in
``data/groundwater/``; this module adds the checks only groundwater needs:

* wells must name a water source of the source register (:func:`check_wells_against_sources`);
* a pollution source's status fields must hang together (a screening date
  without screening, a spot check of a source never screened, a risk plan of a
  firm not in production): notes, not errors.

The readers are made by :func:`zzgeo.registers.register_reader`, so their
docstrings are set here, and ``__test__`` (at the end) tells doctest to run
their examples (the functions belong to another module).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzgeo.errors import SchemaError
from zzgeo.i18n import _
from zzgeo.registers import CheckContext, district_name_check, register_reader

__all__ = [
    "SCHEMAS",
    "read_sources",
    "read_wells",
    "read_rivers",
    "read_study_zones",
    "read_pollution_sources",
    "check_wells_against_sources",
    "source_type_labels",
]

#: Register name -> packaged schema.
SCHEMAS = {
    "sources": "groundwater/sources.toml",
    "wells": "groundwater/wells.toml",
    "rivers": "groundwater/rivers.toml",
    "study_zones": "groundwater/study_zones.toml",
    "pollution_sources": "groundwater/pollution_sources.toml",
}


def source_type_labels() -> dict[str, str]:
    """Pollution-source type id -> its Chinese name, from the register's vocabulary (``source_type.labels``).

    Examples
    --------
    >>> source_type_labels()["hazardous_waste_site"]
    '危险废物处置场'
    """
    from zzgeo._data import load_toml

    return dict(load_toml(SCHEMAS["pollution_sources"])["vocabularies"]["source_type"]["labels"])


def _status_checks(ctx: CheckContext) -> None:
    """Notes where the status fields of a pollution source contradict each other."""
    def flag(column: str) -> np.ndarray:
        return np.array([v is True for v in ctx.value(column)], dtype=bool) if ctx.has(column) else np.zeros(len(ctx.frame), dtype=bool)

    def no(column: str) -> np.ndarray:
        return np.array([v is False for v in ctx.value(column)], dtype=bool) if ctx.has(column) else np.zeros(len(ctx.frame), dtype=bool)

    dated = ctx.value("leak_screened_on").notna().to_numpy() if ctx.has("leak_screened_on") else np.zeros(len(ctx.frame), dtype=bool)
    ctx.notes.add(dated & no("leak_screened"), _("a leak-screening date is given but leak_screened says no"))
    ctx.notes.add(flag("spot_checked") & no("leak_screened"), _("spot-checked, but its leak screening is not done"))
    ctx.notes.add(flag("risk_plan") & no("operating"), _("a risk-control plan for a firm not in production (the indicator counts operating firms)"))


read_sources = register_reader(SCHEMAS["sources"], [district_name_check("county")], what="sources")
read_sources.__doc__ = """Read and validate a register of groundwater drinking-water sources (schema ``data/groundwater/sources.toml``).

Parameters
----------
source : str, pathlib.Path or pandas.DataFrame
    A CSV, Excel or vector file, a PostGIS URL, or a (Geo)DataFrame. Chinese
    headers and terms of the schema are accepted; a unit in a header (``(%)``,
    ``(L/s)``) is converted.
crs, columns, layer, sheet, districts, on_error
    As :func:`zzgeo.registers.load_register`.

Returns
-------
pandas.DataFrame
    The schema columns under their canonical names, plus the district (``adcode``, ``district_name``), ``issues``,
    ``notes`` and ``valid``.

Raises
------
SchemaError, OutsideAreaError, CRSError
    With ``on_error="raise"``: one error naming every bad row.

Examples
--------
Chinese headers; the porosity is given in per cent (``有效孔隙度(%)``), so 25
is read as 0.25. The point lies in 惠济区:

>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> from zzgeo.groundwater import read_sources
>>> frame = gpd.GeoDataFrame({"编号": ["S1"], "水源名称": ["示例水源"], "级别": ["县级"], "渗透系数": [30.0], "有效孔隙度(%)": [25]},
...                          geometry=[Point(113.62, 34.85)], crs="EPSG:4326")
>>> sources = read_sources(frame)
>>> sources[["source_id", "name", "level", "conductivity_m_d", "porosity", "district_name", "valid"]].values.tolist()
[['S1', '示例水源', 'county', 30.0, 0.25, '惠济区', True]]

Without the unit, 25 cannot be a porosity:

>>> read_sources(frame.rename(columns={"有效孔隙度(%)": "有效孔隙度"}))
Traceback (most recent call last):
...
zzgeo.errors.SchemaError: sources: 1 of 1 row(s) fail validation: 'S1': porosity must be < 0.6, got 25.0 (no aquifer has an effective porosity of 0.6 or more). ...
"""
read_wells = register_reader(SCHEMAS["wells"], what="wells")
read_wells.__doc__ = """Read and validate a register of supply wells (schema ``data/groundwater/wells.toml``).

Parameters
----------
source : str, pathlib.Path or pandas.DataFrame
    A CSV, Excel or vector file, a PostGIS URL, or a (Geo)DataFrame. Chinese
    headers and terms of the schema are accepted; a unit in a header (``(%)``,
    ``(L/s)``) is converted.
crs, columns, layer, sheet, districts, on_error
    As :func:`zzgeo.registers.load_register`.

Returns
-------
pandas.DataFrame
    The schema columns under their canonical names, plus the district (``adcode``, ``district_name``), ``issues``,
    ``notes`` and ``valid``.

Raises
------
SchemaError, OutsideAreaError, CRSError
    With ``on_error="raise"``: one error naming every bad row.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> from zzgeo.groundwater import read_wells
>>> frame = gpd.GeoDataFrame({"井号": ["S1-W1"], "水源编号": ["S1"], "开采量": [5000]}, geometry=[Point(113.62, 34.85)], crs="EPSG:4326")
>>> read_wells(frame)[["well_id", "source_id", "pumping_m3_d", "district_name"]].values.tolist()
[['S1-W1', 'S1', 5000.0, '惠济区']]
>>> read_wells(frame.assign(开采量=[-5]))
Traceback (most recent call last):
...
zzgeo.errors.SchemaError: wells: 1 of 1 row(s) fail validation: 'S1-W1': pumping_m3_d must not be negative, got -5.0. ...
"""
read_rivers = register_reader(SCHEMAS["rivers"], what="rivers")
read_rivers.__doc__ = """Read and validate a river-line layer for riverside sources (schema ``data/groundwater/rivers.toml``).

Parameters
----------
source : str, pathlib.Path or pandas.DataFrame
    A CSV, Excel or vector file, a PostGIS URL, or a (Geo)DataFrame. Chinese
    headers and terms of the schema are accepted; a unit in a header (``(%)``,
    ``(L/s)``) is converted.
crs, columns, layer, sheet, districts, on_error
    As :func:`zzgeo.registers.load_register`.

Returns
-------
pandas.DataFrame
    The schema columns under their canonical names, plus ``issues``,
    ``notes`` and ``valid``.

Raises
------
SchemaError, OutsideAreaError, CRSError
    With ``on_error="raise"``: one error naming every bad row.

Examples
--------
The Yellow River at Zhengzhou is perched and feeds the aquifer (悬河 是);
a river without an id gets one:

>>> import geopandas as gpd
>>> from shapely.geometry import LineString
>>> from zzgeo.groundwater import read_rivers
>>> rivers = read_rivers(gpd.GeoDataFrame({"名称": ["黄河"], "悬河": ["是"]},
...                                       geometry=[LineString([(113.5, 34.93), (113.8, 34.92)])], crs="EPSG:4326"))
>>> rivers[["river_id", "name", "losing", "valid"]].values.tolist()
[['river-1', '黄河', True, True]]
"""
read_study_zones = register_reader(SCHEMAS["study_zones"], what="study zones")
read_study_zones.__doc__ = """Read and validate zone polygons a study already drew (schema ``data/groundwater/study_zones.toml``).

Parameters
----------
source : str, pathlib.Path or pandas.DataFrame
    A CSV, Excel or vector file, a PostGIS URL, or a (Geo)DataFrame. Chinese
    headers and terms of the schema are accepted; a unit in a header (``(%)``,
    ``(L/s)``) is converted.
crs, columns, layer, sheet, districts, on_error
    As :func:`zzgeo.registers.load_register`.

Returns
-------
pandas.DataFrame
    The schema columns under their canonical names, plus ``issues``,
    ``notes`` and ``valid``.

Raises
------
SchemaError, OutsideAreaError, CRSError
    With ``on_error="raise"``: one error naming every bad row.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> from zzgeo.groundwater import read_study_zones
>>> drawn = read_study_zones(gpd.GeoDataFrame({"水源编号": ["S1"], "分区": ["一级保护区"], "依据": ["某水源保护区划分技术报告"]},
...                                           geometry=[Point(113.62, 34.85).buffer(0.0003)], crs="EPSG:4326"))
>>> drawn[["source_id", "zone", "study", "valid"]].values.tolist()
[['S1', 'zone1', '某水源保护区划分技术报告', True]]
"""
read_pollution_sources = register_reader(SCHEMAS["pollution_sources"], [district_name_check("district"), _status_checks], what="pollution sources")
read_pollution_sources.__doc__ = """Read and validate a pollution-source register (schema ``data/groundwater/pollution_sources.toml``).

Status fields that contradict each other are notes, not errors (see the module notes).

Parameters
----------
source : str, pathlib.Path or pandas.DataFrame
    A CSV, Excel or vector file, a PostGIS URL, or a (Geo)DataFrame. Chinese
    headers and terms of the schema are accepted; a unit in a header (``(%)``,
    ``(L/s)``) is converted.
crs, columns, layer, sheet, districts, on_error
    As :func:`zzgeo.registers.load_register`.

Returns
-------
pandas.DataFrame
    The schema columns under their canonical names, plus the district (``adcode``, ``district_name``), ``issues``,
    ``notes`` and ``valid``.

Raises
------
SchemaError, OutsideAreaError, CRSError
    With ``on_error="raise"``: one error naming every bad row.

Examples
--------
Chinese types and industries become the schema's keys; a screening date on a
source whose screening is marked not done is noted:

>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> from zzgeo.groundwater import read_pollution_sources
>>> sources = read_pollution_sources(gpd.GeoDataFrame(
...     {"名称": ["某填埋场", "某化工厂"], "类型": ["垃圾填埋场", "化工企业"], "行业": [None, "化工"],
...      "渗漏排查": ["否", "是"], "渗漏排查日期": ["2023-05-01", "2023-06-01"]},
...     geometry=[Point(113.621, 34.85), Point(113.609, 34.85)], crs="EPSG:4326"))
>>> sources[["source_id", "type", "industry", "leak_screened", "valid"]].values.tolist()
[['ps-1', 'landfill', nan, False, True], ['ps-2', 'chemical_producer', 'chemical', True, True]]
>>> sources["notes"].tolist()
['a leak-screening date is given but leak_screened says no', '']
"""


def check_wells_against_sources(wells: pd.DataFrame, sources: pd.DataFrame) -> None:
    """Raise when a well names a water source the source register lacks (listing them).

    Raises
    ------
    SchemaError
        Naming the unknown source ids (up to five) and the known ones.

    Examples
    --------
    >>> import pandas as pd
    >>> sources = pd.DataFrame({"source_id": ["S1"]})
    >>> check_wells_against_sources(pd.DataFrame({"source_id": ["S1"]}), sources)
    >>> check_wells_against_sources(pd.DataFrame({"source_id": ["S1", "S9"]}), sources)
    Traceback (most recent call last):
    ...
    zzgeo.errors.SchemaError: wells: source_id ['S9'] not in the water-source register (ids: ['S1'])
    """
    known = set(sources["source_id"].astype(str))
    unknown = sorted(set(wells["source_id"].astype(str)) - known)
    if unknown:
        raise SchemaError(_("wells: source_id {unknown!r} not in the water-source register (ids: {known!r})").format(
            unknown=unknown[:5], known=sorted(known)[:10]))


#: The readers are made by :func:`zzgeo.registers.register_reader`, so doctest finds their examples here.
__test__ = {reader.__name__: reader for reader in (read_sources, read_wells, read_rivers, read_study_zones, read_pollution_sources)}
