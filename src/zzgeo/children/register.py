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
from zzgeo.registers import CheckContext, register_reader

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["SCHEMAS", "assign_units", "facility_labels", "read_communities", "read_facilities", "read_zones"]

SCHEMAS = {
    "facilities": "children/facilities.toml",
    "zones": "children/zones.toml",
    "communities": "children/communities.toml",
}


def facility_labels() -> dict[str, str]:
    """Facility type -> its name in the plan (from the facility register's schema)."""
    from zzgeo.registers import load_schema

    return load_schema(SCHEMAS["facilities"]).vocabularies["facility_type"].labels


def _unit_check(ctx: CheckContext) -> None:
    """Rows whose ``unit`` names none of the 16 units (an error), or another district than the location (a note)."""
    if not ctx.has("unit"):
        return
    units = load_units()
    keys, unknown = resolve_units(ctx.frame["unit"], units)
    listing = "、".join(units["name"])
    ctx.issues.add(unknown, lambda p: [f"unit {ctx.cell('unit', i)!r} is not one of the plan's 16 units ({listing})" for i in p],
                   kind=UnknownCodeError)
    if ctx.adcodes is None:
        return
    districts = set(units.loc[units["kind"] != "development_zone", "unit"])
    named = keys.isin(districts).to_numpy()
    wrong = named & ctx.adcodes.notna().to_numpy() & (keys.to_numpy() != ctx.adcodes.to_numpy())
    ctx.notes.add(wrong, lambda p: [f"register says unit {ctx.cell('unit', i)!r} but the location is in "
                                    f"{ctx.district_names.iloc[i]}; the location counts" for i in p])


read_facilities = register_reader(SCHEMAS["facilities"], [_unit_check], what="facilities")
read_communities = register_reader(SCHEMAS["communities"], what="communities")
_read_zone_polygons = register_reader(SCHEMAS["zones"], what="zones")


def read_zones(source: str | Path | gpd.GeoDataFrame, *, crs: object = None, layer: str | None = None) -> gpd.GeoDataFrame:
    """Development-zone polygons with a ``unit`` column naming one of the 4 development zones (keys resolved)."""
    zones = _read_zone_polygons(source, crs=crs, layer=layer)
    units = load_units()
    keys, unknown = resolve_units(zones["unit"], units)
    dev = set(units.loc[units["kind"] == "development_zone", "unit"])
    bad = unknown | ~keys.isin(dev).to_numpy()
    if bad.any():
        names = "、".join(units.loc[units["kind"] == "development_zone", "name"])
        raise UnknownCodeError(f"zone polygons: {zones['unit'][bad].tolist()[:5]!r} name no development zone; use one of {names}")
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
    """
    units = load_units()
    named, _ = resolve_units(facilities["unit"], units) if "unit" in facilities else (pd.Series(None, index=facilities.index, dtype=object), None)
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
        raise SchemaError("development-zone polygons overlap: a facility lies in two zones; fix the polygons")
    first = hits.first()
    out.iloc[first.index.to_numpy()] = first.to_numpy()
    return out
