"""Child-friendly registers: facilities, development-zone polygons and communities; which unit a facility counts to.

Each is read by the common loader (:mod:`zzgeo.registers`) with its schema in
``data/children/``. This module adds what only this theme needs:

* a facility's ``unit`` must name one of the plan's 16 units (error otherwise);
* :func:`assign_units` decides the unit each facility counts to, once, by the
  rule in ``data/children/units.toml``:

  - without zone polygons, a facility counts to a development zone only when
    its register row names the zone; otherwise to the district its location
    falls in (a named district that disagrees with the location gets a note);
  - with zone polygons, the location decides (inside a zone's polygon: the zone).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.children.rules import load_units, resolve_units
from zzgeo.errors import SchemaError, UnknownCodeError
from zzgeo.i18n import _
from zzgeo.registers import CheckContext, location_check, register_reader

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["SCHEMAS", "assign_units", "facility_labels", "facility_name", "read_communities", "read_facilities", "read_zones"]

SCHEMAS = {
    "facilities": "children/facilities.toml",
    "zones": "children/zones.toml",
    "communities": "children/communities.toml",
}


def facility_labels() -> dict[str, str]:
    """Facility type -> its name in the plan (from the facility register's schema)."""
    from zzgeo.registers import load_schema

    return load_schema(SCHEMAS["facilities"]).vocabularies["facility_type"].labels




def facility_name(kind: str, lang: str | None = None) -> str:
    """The name of facility type *kind* in the interface language: the plan's Chinese name, or its English name.

    The type id (``childcare``) stays the key of files and JSON; this is what a title or caption shows.

    Parameters
    ----------
    kind : str
        A key of the ``facility_type`` vocabulary; an unknown one is returned as it is.
    lang : {"zh", "en"}, optional
        Default the interface language (:func:`zzgeo.i18n.language`).

    Returns
    -------
    str

    Examples
    --------
    >>> facility_name("childcare", "zh"), facility_name("childcare", "en")
    ('托育服务机构', 'childcare institutions')
    >>> facility_name("no_such_type", "en")
    'no_such_type'
    """
    from zzgeo.i18n import language

    if (lang or language()) == "zh":
        return facility_labels().get(kind, kind)
    from zzgeo.registers import load_schema

    vocabulary = load_schema(SCHEMAS["facilities"]).vocabularies["facility_type"]  # names_en: the schema's English names
    return vocabulary.names_en.get(kind) or vocabulary.labels.get(kind, kind)


def _unit_check(ctx: CheckContext) -> None:
    """Rows whose ``unit`` names none of the 16 units (an error), or another district than the location (a note)."""
    if not ctx.has("unit"):
        return
    units = load_units()
    keys, unknown = resolve_units(ctx.frame["unit"], units)
    listing = "、".join(units["name"])
    ctx.issues.add(unknown, lambda p: [_("unit {unit!r} is not one of the plan's 16 units ({listing})").format(
                                           unit=ctx.cell("unit", i), listing=listing) for i in p],
                   kind=UnknownCodeError)
    if ctx.adcodes is None:
        return
    districts = set(units.loc[units["kind"] != "development_zone", "unit"])
    named = keys.isin(districts).to_numpy()
    wrong = named & ctx.adcodes.notna().to_numpy() & (keys.to_numpy() != ctx.adcodes.to_numpy())
    ctx.location_flags("district").disagrees |= wrong  # marked and counted as location_check's (the location counts)
    ctx.notes.add(wrong, lambda p: [_("register says unit {unit!r} but the location is in {district}; the location counts").format(
                                        unit=ctx.cell("unit", i), district=ctx.district_names.iloc[i]) for i in p])


read_facilities = register_reader(SCHEMAS["facilities"], [location_check(None), _unit_check], what="facilities")
read_facilities.__doc__ = """Read and validate a child-friendly facility register (schema ``data/children/facilities.toml``).

    Any source the common loader reads (:func:`zzgeo.registers.load_register`);
    besides the schema's checks, a ``unit`` that names none of the plan's 16
    units is an error, and a named district the location contradicts gets a note;
    so does a point within 100 m of its district's boundary
    (:func:`zzgeo.registers.location_check`; both marked in ``location_check``).

    Parameters
    ----------
    source : str, Path or DataFrame
        CSV/Excel with lon/lat, a vector file, ``postgresql://...`` or a frame.
    crs, columns, layer, sheet, districts, on_error
        As :func:`zzgeo.registers.load_register`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``facility_id``, ``name``, ``type`` (a facility type key), ``unit``,
        ``places``, ``year``, ``source``, then ``adcode``, ``district_name``,
        ``issues``, ``notes``, ``valid``.

    Raises
    ------
    SchemaError, UnknownCodeError, OutsideAreaError, GeometryError
        With ``on_error="raise"``, any bad row (one error names them all).

    Examples
    --------
    Five facilities with Chinese headers and type names: three child-friendly
    parks and two child-friendly blocks (街区), one of them named to 郑东新区.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.children import read_facilities
    >>> register = gpd.GeoDataFrame(
    ...     {"编号": ["P1", "P2", "P3", "S1", "S2"], "名称": ["公园甲", "公园乙", "公园丙", "街区甲", "街区乙"],
    ...      "设施类型": ["儿童友好公园", "儿童友好公园", "儿童友好公园", "儿童友好街区", "街区"],
    ...      "所属单位": ["", "", "", "二七区", "郑东新区"], "年份": [2021, 2023, 2024, 2022, 2023]},
    ...     geometry=[Point(113.5472, 34.7807), Point(113.7477, 34.6935), Point(113.6408, 34.8810),
    ...               Point(113.5826, 34.6850), Point(113.7302, 34.8117)], crs="EPSG:4326")
    >>> facilities = read_facilities(register)
    >>> facilities[["facility_id", "type", "unit", "year", "district_name"]].values.tolist()
    [['P1', 'park_cf', None, 2021.0, '中原区'], ['P2', 'park_cf', None, 2023.0, '管城回族区'],
     ['P3', 'park_cf', None, 2024.0, '惠济区'], ['S1', 'street_cf', '二七区', 2022.0, '二七区'],
     ['S2', 'street_cf', '郑东新区', 2023.0, '金水区']]

    A unit that is none of the 16 is an error:

    >>> read_facilities(register.assign(所属单位=["", "", "", "二七区", "郑西新区"]))
    Traceback (most recent call last):
    ...
    zzgeo.errors.UnknownCodeError: facilities: 1 of 5 row(s) fail validation: 'S2': unit '郑西新区' is not one of the plan's 16 units (...
    """
read_communities = register_reader(SCHEMAS["communities"], what="communities")
read_communities.__doc__ = """Read and validate a community (village) layer (schema ``data/children/communities.toml``).

    Polygons with ``kind`` urban or rural, located in their districts; needed
    for the plan's per-community targets (a facility inside a community's
    polygon serves it).

    Parameters
    ----------
    source : str, Path or DataFrame
        A vector file, ``postgresql://...`` or a GeoDataFrame of polygons.
    crs, columns, layer, sheet, districts, on_error
        As :func:`zzgeo.registers.load_register`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``community_id``, ``name``, ``kind``, then ``adcode``,
        ``district_name``, ``issues``, ``notes``, ``valid``.

    Raises
    ------
    SchemaError, OutsideAreaError, GeometryError
        With ``on_error="raise"``, any bad row.

    Examples
    --------
    An urban community and a village in 二七区; one 儿童之家 stands in the
    first, so 1 of 2 communities has one: 50 % against the target of 100 %
    (四(四)30), 1 community short.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> from zzgeo.children import read_communities, read_facilities, target_attainment
    >>> layer = gpd.GeoDataFrame({"名称": ["社区甲", "村乙"], "城乡": ["城市社区", "村"]},
    ...                          geometry=[box(113.580, 34.683, 113.585, 34.687), box(113.590, 34.683, 113.595, 34.687)],
    ...                          crs="EPSG:4326")
    >>> communities = read_communities(layer)
    >>> communities[["community_id", "name", "kind", "district_name"]].values.tolist()
    [['com-1', '社区甲', 'urban', '二七区'], ['com-2', '村乙', 'rural', '二七区']]
    >>> home = gpd.GeoDataFrame({"设施类型": ["儿童之家"], "年份": [2023]}, geometry=[Point(113.582, 34.685)], crs="EPSG:4326")
    >>> result = target_attainment(read_facilities(home), communities=communities)
    >>> city = result.records.set_index(["target_id", "unit"]).loc[("childrens_home_2025", "city")]
    >>> float(city["actual"]), float(city["target"]), float(city["shortfall"]), city["status"]
    (50.0, 100.0, 1.0, 'not met (1 of 2 communities)')
    """
_read_zone_polygons = register_reader(SCHEMAS["zones"], what="zones")
#: The readers above are made by :func:`zzgeo.registers.register_reader`, so doctest finds their examples here.
__test__ = {"read_facilities": read_facilities, "read_communities": read_communities}


def read_zones(source: str | Path | gpd.GeoDataFrame, *, crs: object = None, layer: str | None = None) -> gpd.GeoDataFrame:
    """Development-zone polygons with a ``unit`` column naming one of the 4 development zones (keys resolved).

    Parameters
    ----------
    source : str, Path or GeoDataFrame
        Polygons with a ``unit`` (``开发区``, ``名称``) column: a zone's name,
        alias or key.
    crs : optional
        The coordinates' CRS when the source carries none.
    layer : str, optional
        GeoPackage layer / PostGIS table.

    Returns
    -------
    geopandas.GeoDataFrame
        ``unit`` as a unit key (``zdxq``, ``410171``, ...), then ``issues``,
        ``notes``, ``valid``; EPSG:4326.

    Raises
    ------
    UnknownCodeError
        A polygon names no development zone.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from zzgeo.children import read_zones
    >>> zones = read_zones(gpd.GeoDataFrame({"开发区": ["郑东", "高新区"]},
    ...                                     geometry=[box(113.72, 34.80, 113.74, 34.82), box(113.50, 34.80, 113.55, 34.84)],
    ...                                     crs="EPSG:4326"))
    >>> zones["unit"].tolist()
    ['zdxq', '410172']
    >>> read_zones(gpd.GeoDataFrame({"开发区": ["金水区"]}, geometry=[box(113.72, 34.80, 113.74, 34.82)], crs="EPSG:4326"))
    Traceback (most recent call last):
    ...
    zzgeo.errors.UnknownCodeError: zone polygons: ['金水区'] name no development zone; use one of 郑东新区、郑州经济技术开发区、郑州高新技术产业开发区、郑州航空港经济综合实验区
    """
    zones = _read_zone_polygons(source, crs=crs, layer=layer)
    units = load_units()
    keys, unknown = resolve_units(zones["unit"], units)
    dev = set(units.loc[units["kind"] == "development_zone", "unit"])
    bad = unknown | ~keys.isin(dev).to_numpy()
    if bad.any():
        names = "、".join(units.loc[units["kind"] == "development_zone", "name"])
        raise UnknownCodeError(_("zone polygons: {units!r} name no development zone; use one of {names}").format(
            units=zones["unit"][bad].tolist()[:5], names=names))
    out = zones.assign(unit=keys.to_numpy())
    out.attrs = dict(zones.attrs)
    return out


def assign_units(facilities: gpd.GeoDataFrame, zones: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """The unit each facility counts to and why (see module notes); each facility exactly once.

    Parameters
    ----------
    facilities : geopandas.GeoDataFrame
        A validated facility register (:func:`read_facilities`): ``unit`` as
        written and ``adcode`` of its location.
    zones : geopandas.GeoDataFrame, optional
        Development-zone polygons (:func:`read_zones`).

    Returns
    -------
    pandas.DataFrame
        Indexed like *facilities*: ``unit_key`` and ``unit_rule``.

    Raises
    ------
    SchemaError
        Zone polygons overlap where a facility lies.

    Examples
    --------
    Without zone polygons S2 counts to 郑东新区 because its row names the
    zone, though it lies in 金水区; the others count to the district they lie
    in. With a polygon of 郑东新区 around S2, its location decides.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.children import read_facilities
    >>> register = gpd.GeoDataFrame(
    ...     {"编号": ["P1", "P2", "P3", "S1", "S2"], "名称": ["公园甲", "公园乙", "公园丙", "街区甲", "街区乙"],
    ...      "设施类型": ["儿童友好公园", "儿童友好公园", "儿童友好公园", "儿童友好街区", "街区"],
    ...      "所属单位": ["", "", "", "二七区", "郑东新区"], "年份": [2021, 2023, 2024, 2022, 2023]},
    ...     geometry=[Point(113.5472, 34.7807), Point(113.7477, 34.6935), Point(113.6408, 34.8810),
    ...               Point(113.5826, 34.6850), Point(113.7302, 34.8117)], crs="EPSG:4326")
    >>> from shapely.geometry import box
    >>> from zzgeo.children import assign_units, read_zones
    >>> facilities = read_facilities(register)
    >>> assign_units(facilities).values.tolist()
    [['410102', 'location (district)'], ['410104', 'location (district)'], ['410108', 'location (district)'],
     ['410103', 'location (district)'], ['zdxq', 'register names the development zone']]
    >>> zones = read_zones(gpd.GeoDataFrame({"开发区": ["郑东新区"]}, geometry=[box(113.72, 34.80, 113.74, 34.82)], crs="EPSG:4326"))
    >>> assign_units(facilities, zones).iloc[4].tolist()
    ['zdxq', 'location (development-zone polygon)']
    """
    units = load_units()
    named, _unknown = resolve_units(facilities["unit"], units) if "unit" in facilities else (pd.Series(None, index=facilities.index, dtype=object), None)
    dev = set(units.loc[units["kind"] == "development_zone", "unit"])
    key = facilities["adcode"].astype(object).copy() if "adcode" in facilities else pd.Series(None, index=facilities.index, dtype=object)
    rule = pd.Series("location (district)", index=facilities.index, dtype=object)
    if zones is None:
        in_zone = named.isin(dev)
        key[in_zone] = named[in_zone]
        rule[in_zone] = "register names the development zone"
    else:
        inside = _zone_of(facilities, zones)
        key[inside.notna()] = inside[inside.notna()]
        rule[inside.notna()] = "location (development-zone polygon)"
    no_location = key.isna() & named.notna()
    key[no_location] = named[no_location]
    rule[no_location] = "register (no location)"
    return pd.DataFrame({"unit_key": key, "unit_rule": rule})


def _zone_of(facilities: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> pd.Series:
    """The development zone whose polygon holds each facility's representative point; two different zones is an error."""
    import shapely

    points = facilities.geometry.representative_point().to_crs(zones.crs).values
    tree = shapely.STRtree(np.asarray(zones.geometry.values))
    pts, polys = tree.query(np.asarray(points), predicate="within")
    out = pd.Series(None, index=facilities.index, dtype=object)
    hits = pd.Series(zones["unit"].to_numpy()[polys]).groupby(pts)
    if (hits.nunique() > 1).any():
        raise SchemaError(_("development-zone polygons overlap: a facility lies in two zones; fix the polygons"))
    first = hits.first()
    out.iloc[first.index.to_numpy()] = first.to_numpy()
    return out
