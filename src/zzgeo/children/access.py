"""How near children live to each kind of child-friendly facility.

* **Children surface** (:func:`children_surface`): the population surface of
  :mod:`zzgeo.spatial.surface` (census residents spread over a 250 m grid, or the
  user's raster/polygons) times each district's children per resident
  (:func:`zzgeo.children.rules.unit_population`: the plan's 2.889 million
  by census share unless the user gives figures).
* **Walking access** (:func:`walking_access`): the walking distance from each
  cell to the nearest facility of each type - straight line times the detour
  factor of ``data/children/access.toml`` (1.3, an assumption), or along the
  user's road network - and the share of children within each life circle
  (GB 50180-2018: 300 / 500 / 1000 m), per unit and city-wide.
* **Supply-aware access** (:func:`childcare_2sfca`): the two-step floating
  catchment (Luo & Wang 2003) of PySAL ``access`` for childcare places:
  places per 1,000 residents *within reach* of each cell, so that a unit with
  enough places in the wrong place shows it. The places are those the plan's
  per-1,000 target counts (its facility types in ``data/children/targets.toml``:
  托育服务机构 and 示范托育服务机构 alike), whatever ``types`` is analysed.
* **Gap cells** (:func:`gap_cells`): the grid cells with most children
  outside each life circle, as polygons a planner can map.

Units here are the 12 districts of the surface (development-zone residents
are part of their host districts' cells) unless zone polygons are given, in
which case the cells inside a zone count to the zone.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.children.rules import (
    DOC_NUMBER,
    AccessRules,
    access_rules,
    load_units,
    unit_population,
)
from zzgeo.i18n import N_, _

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from zzgeo.units import AnalysisUnits

__all__ = [
    "AccessResult",
    "access_records",
    "childcare_2sfca",
    "childcare_types",
    "children_surface",
    "coverage_shares",
    "gap_cells",
    "nearest_walk",
    "walking_access",
]

#: Target of 四(二)9 the supply-aware measure is judged against: 6 childcare places per 1,000 residents.
PLACES_PER_1000 = 6.0
#: The row of ``data/children/targets.toml`` whose facility types hold the childcare places (托位).
_CHILDCARE_TARGET = "childcare_places_2025"


#: What a facility outside every analysis unit means for the figures (notes of the CLI and the report).
OUTSIDE_EFFECT = N_("they count to no unit and still serve the cells in reach")


def childcare_types() -> tuple[str, ...]:
    """Facility types whose places are childcare places (托位): those of the plan's per-1,000 target (四(二)9)."""
    from zzgeo.children.rules import load_targets

    targets = load_targets()
    return tuple(targets.loc[targets["id"] == _CHILDCARE_TARGET, "facilities"].iloc[0])


@dataclass
class AccessResult:
    """Result of :func:`walking_access`.

    Attributes
    ----------
    shares : pandas.DataFrame
        Per unit (and ``city``), type and circle: ``children``,
        ``children_within`` and ``share``.
    childcare : pandas.DataFrame
        Per unit (and ``city``): childcare places per 1,000 residents in the
        unit and within reach (2SFCA), children in cells short of 6.
    gaps : geopandas.GeoDataFrame
        :func:`gap_cells`.
    surface : geopandas.GeoDataFrame
        The surface with ``walk_<type>`` and ``childcare_places_per_1000`` per cell.
    meta : dict
        Rules, metric, surface, children rule, ``demo``.

    Examples
    --------
    One childcare centre at the first of three cells (see :func:`walking_access`):

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.children import read_facilities, walking_access
    >>> x0, y0 = 461_125, 3_838_375  # a 250 m cell centre in 二七区, EPSG:4547 metres
    >>> surface = gpd.GeoDataFrame({"residents": [1000.0, 2000.0, 3000.0], "children": [100.0, 200.0, 300.0], "unit": "410103"},
    ...                            geometry=[Point(x0 + 250 * i, y0) for i in range(3)], crs="EPSG:4547")
    >>> surface.attrs["cell_m"] = 250
    >>> centre = gpd.GeoDataFrame({"名称": ["托育甲"], "设施类型": ["托育服务机构"], "托位": [60], "年份": [2023]},
    ...                           geometry=[Point(x0, y0)], crs="EPSG:4547")
    >>> result = walking_access(read_facilities(centre), surface=surface)
    >>> result.surface[["children", "walk_childcare", "childcare_places_per_1000"]].round(1).values.tolist()
    [[100.0, 0.0, 10.0], [200.0, 325.0, 10.0], [300.0, 650.0, 10.0]]
    >>> result.meta["metric"], result.meta["rules"]["detour_factor"], result.meta["demo"]
    ('straight line × detour', 1.3, False)
    """

    shares: pd.DataFrame
    childcare: pd.DataFrame
    gaps: gpd.GeoDataFrame
    surface: gpd.GeoDataFrame
    meta: dict = field(default_factory=dict)


def children_surface(source=None, *, population: pd.DataFrame | None = None, cell_m: float = 250.0,
                     zones: gpd.GeoDataFrame | None = None, units: AnalysisUnits | None = None) -> gpd.GeoDataFrame:
    """Residents and children (0-17) per cell, with the unit each cell counts to.

    Parameters
    ----------
    source : optional
        Population source of :func:`zzgeo.spatial.surface.read_population` (default: census by district).
    population : pandas.DataFrame, optional
        :func:`~zzgeo.children.rules.unit_population` (default: census shares).
    cell_m : float
        Grid spacing of the default surface.
    zones : geopandas.GeoDataFrame, optional
        Development-zone polygons; cells inside one count to the zone.
    units : AnalysisUnits, optional
        Analysis units: without *source*, units that all have a population
        give the residents (spread over their cells; children by the share of
        the county-level unit each cell lies in).

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:4547: ``residents``, ``children``, ``unit``.
    """
    from zzgeo.spatial.surface import read_population

    population = unit_population() if population is None else population
    own = source is None and units is not None and not units.is_default and units.frame["population"].notna().all()
    surface = read_population(units.frame[["population", "geometry"]] if own else source, cell_m=cell_m)
    if own:
        surface.attrs["method"] = _("residents of each unit of {label} (its population column) spread equally over "
                                    "the {cell_m:g} m grid cells whose centres fall inside it").format(label=units.label, cell_m=cell_m)
    per_resident = (population["children"] / population["residents"]).set_axis(population["unit"])
    factor = surface["adcode"].map(per_resident).astype("float64")
    out = surface.rename(columns={"population": "residents"})
    out["children"] = out["residents"] * factor.fillna(float(population["children"].sum() / population["residents"].sum()))
    out["unit"] = out["adcode"].astype(object)
    if zones is not None:
        from zzgeo.children.register import _zone_of

        inside = _zone_of(out, zones)
        out.loc[inside.notna(), "unit"] = inside[inside.notna()]
    out.attrs.update(surface.attrs)
    out.attrs["children_rule"] = population.attrs.get("children_rule", "")
    return out


def nearest_walk(surface: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, *, limit_m: float, detour: float,
                 network: gpd.GeoDataFrame | None = None) -> np.ndarray:
    """Walking distance from each cell to the nearest site, up to *limit_m* (``inf`` beyond).

    Straight-line distance times *detour*; along *network* when given (no detour then).
    """
    from zzgeo.spatial.reach import reach_pairs

    walk = np.full(len(surface), np.inf)
    if len(sites) == 0 or len(surface) == 0:
        return walk
    radius = limit_m if network is not None else limit_m / detour
    pairs = reach_pairs(surface, sites, radius, network=network, with_distance=True)
    dist = pairs.distance_m * (1.0 if network is not None else detour)
    np.minimum.at(walk, pairs.cell, dist)
    walk[walk > limit_m + 1e-9] = np.inf
    return walk


def _cell_groups(units: pd.Series, names: dict[str, str], totals=None) -> list[tuple[str, str, np.ndarray, str]]:
    """(code, name, mask of cells, level) of every unit, then of the totals: city-wide by default, else each
    :class:`zzgeo.units.UnitGroup` (parents, the whole area of the analysis units)."""
    codes = units.to_numpy()
    out = [(u, names.get(u, u), codes == u, "unit") for u in pd.unique(units) if u is not None and not pd.isna(u)]
    if totals is None:
        return [*out, ("city", "全市", np.ones(len(units), bool), "total")]
    return [*out, *((g.code, g.name, np.isin(codes, list(g.members)), g.level) for g in totals)]


def coverage_shares(surface: pd.DataFrame, walk: pd.DataFrame, circles: dict[str, float], names: dict[str, str],
                    totals=None) -> pd.DataFrame:
    """Children within each circle of the nearest facility of each type, per unit and city-wide.

    *walk* has one column per facility type (walking metres per cell). *totals*
    (:meth:`zzgeo.units.AnalysisUnits.groups`) replaces the city-wide row by the
    analysis units' parents and whole area, and adds a ``level`` column.
    """
    rows = []
    children = surface["children"].to_numpy()
    groups = _cell_groups(surface["unit"], names, totals)
    for kind in walk.columns:
        dist = walk[kind].to_numpy()
        for circle, metres in circles.items():
            within = dist <= metres
            for unit, name, mask, level in groups:
                total = float(children[mask].sum())
                hit = float(children[mask & within].sum())
                rows.append({"unit": unit, "unit_name": name, "type": kind,
                             "circle": circle, "walk_m": metres, "children": total, "children_within": hit,
                             "share": hit / total if total else np.nan, **({"level": level} if totals is not None else {})})
    return pd.DataFrame(rows)


def childcare_2sfca(surface: pd.DataFrame, sites: gpd.GeoDataFrame, *, catchment_m: float, detour: float,
                    network: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Childcare places per 1,000 residents within reach of each cell (two-step floating catchment, PySAL ``access``).

    Parameters
    ----------
    surface : geopandas.GeoDataFrame
        Cells with ``residents``, any CRS.
    sites : geopandas.GeoDataFrame
        Childcare facilities with ``places`` (missing counts as 0).
    catchment_m : float
        Walking distance within which a facility's places are shared.
    detour : float
        Walking over straight-line distance (unused along a *network*).
    network : geopandas.GeoDataFrame, optional
        Road lines: distances along them.

    Returns
    -------
    pandas.DataFrame
        Per cell: ``places_per_1000`` (0 where no place is within the catchment).

    Examples
    --------
    Two cells and two centres, worked by hand (walking = straight line,
    catchment 1,000 m). Cell A (1,000 residents) holds centre S1 (60 places);
    cell B (3,000 residents) lies 800 m east; S2 (20 places) 1,500 m east of A.
    Step 1, places per resident within each centre's reach: S1 reaches A and
    B, 60 / 4,000 = 0.015; S2 reaches only B (700 m), 20 / 3,000 = 0.00667.
    Step 2, sum over the centres within reach of each cell: A 0.015 = 15 per
    1,000; B 0.015 + 0.00667 = 21.67 per 1,000 (and 15 + 3 x 21.67 = 80, every place).

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.children import childcare_2sfca
    >>> x0, y0 = 461_125, 3_838_375  # in 二七区, EPSG:4547 metres
    >>> cells = gpd.GeoDataFrame({"residents": [1000.0, 3000.0]}, geometry=[Point(x0, y0), Point(x0 + 800, y0)], crs="EPSG:4547")
    >>> centres = gpd.GeoDataFrame({"places": [60, 20]}, geometry=[Point(x0, y0), Point(x0 + 1500, y0)], crs="EPSG:4547")
    >>> childcare_2sfca(cells, centres, catchment_m=1000, detour=1.0)["places_per_1000"].round(2).tolist()
    [15.0, 21.67]

    With the detour factor 1.3, B is 800 x 1.3 = 1,040 m from S1 (out of
    reach): S1 serves A alone, 60 / 1,000; S2 (910 m) serves B, 20 / 3,000.

    >>> childcare_2sfca(cells, centres, catchment_m=1000, detour=1.3)["places_per_1000"].round(2).tolist()
    [60.0, 6.67]
    """
    from access import Access

    from zzgeo.spatial.reach import reach_pairs

    per_cell = np.zeros(len(surface))
    places = sites["places"].fillna(0.0).to_numpy(dtype="float64")
    if len(sites) and places.sum() > 0:
        radius = catchment_m if network is not None else catchment_m / detour
        pairs = reach_pairs(surface, sites, radius, network=network, with_distance=True)
        cost = pd.DataFrame({"cell": pairs.cell, "site": pairs.site,
                             "walk_m": pairs.distance_m * (1.0 if network is not None else detour)})
        demand = pd.DataFrame({"cell": np.arange(len(surface)), "residents": surface["residents"].to_numpy(dtype="float64")})
        supply = pd.DataFrame({"site": np.arange(len(sites)), "places": places})
        with warnings.catch_warnings():  # access 1.1 calls set_index(inplace=True), deprecated in pandas 3.1
            warnings.filterwarnings("ignore", module=r"access\.")
            result = _fca(Access, demand, supply, cost, catchment_m)
        per_cell[result.index.to_numpy(dtype=np.int64)] = result.iloc[:, 0].fillna(0.0).to_numpy() * 1000.0
    return pd.DataFrame({"places_per_1000": per_cell}, index=surface.index)


def _fca(Access, demand: pd.DataFrame, supply: pd.DataFrame, cost: pd.DataFrame, catchment_m: float) -> pd.DataFrame:
    model = Access(demand_df=demand, demand_index="cell", demand_value="residents", supply_df=supply,
                   supply_index="site", supply_value="places", cost_df=cost, cost_origin="cell",
                   cost_dest="site", cost_name="walk_m")
    return model.two_stage_fca(name="fca", max_cost=catchment_m, normalize=False)


def _childcare_by_unit(surface: pd.DataFrame, fca: pd.DataFrame, sites: pd.DataFrame, names: dict[str, str],
                       totals=None) -> pd.DataFrame:
    """Per unit: places per 1,000 residents in the unit, within reach (residents-weighted), children short of 6."""
    frame = pd.DataFrame({"unit": surface["unit"].to_numpy(), "residents": surface["residents"].to_numpy(),
                          "children": surface["children"].to_numpy(), "fca": fca["places_per_1000"].to_numpy()})
    frame["short"] = frame["fca"] < PLACES_PER_1000
    rows = []
    site_units = sites["access_unit"].to_numpy()
    groups = _cell_groups(frame["unit"], names, totals)
    if totals is None:  # units in code order, then the city
        groups = sorted(groups[:-1], key=lambda g: str(g[0])) + groups[-1:]
    for unit, name, mask, level in groups:
        part = frame[mask]
        res = float(part["residents"].sum())
        if totals is None:
            own = float(sites.loc[site_units == unit, "places"].sum()) if unit != "city" else float(sites["places"].sum())
        else:
            members = [unit] if level == "unit" else next(g.members for g in totals if g.code == unit)
            own = float(sites.loc[np.isin(site_units, list(members)), "places"].sum())
        rows.append({"unit": unit, "unit_name": name, **({"level": level} if totals is not None else {}), "residents": res,
                     "places": own, "places_per_1000_in_unit": own / res * 1000 if res else np.nan,
                     "places_per_1000_within_reach": float((part["fca"] * part["residents"]).sum() / res) if res else np.nan,
                     "children_short": float(part.loc[part["short"], "children"].sum()),
                     "share_children_short": float(part.loc[part["short"], "children"].sum() / part["children"].sum()) if part["children"].sum() else np.nan})
    return pd.DataFrame(rows)


def gap_cells(surface: gpd.GeoDataFrame, walk: pd.DataFrame, circles: dict[str, float], *, top: int = 50) -> gpd.GeoDataFrame:
    """The *top* cells with most children beyond each circle of each type, as squares (EPSG:4547).

    Cells are ranked by children (most first), then by walking distance
    (farthest first; a cell with no facility within the largest circle first
    of all). Cells equal in both share a rank, as in a competition ranking
    (1, 1, 3), and ``tied_cells`` says how many cells beyond the circle share
    it: with the default surface every cell of a district holds the same
    children, so a rank is often shared by thousands of cells, of which the
    first *top* (in the surface's order) are kept.

    Parameters
    ----------
    surface : geopandas.GeoDataFrame
        Cell centres with ``children`` and ``unit`` (``attrs["cell_m"]`` gives
        the square's side, default 100 m).
    walk : pandas.DataFrame
        One column per facility type: walking metres from each cell (``inf`` beyond reach).
    circles : dict of str to float
        Circle name -> walking metres.
    top : int, default 50
        Cells kept per type and circle.

    Returns
    -------
    geopandas.GeoDataFrame
        ``type``, ``circle``, ``walk_m_limit``, ``rank``, ``tied_cells``,
        ``cells_beyond`` (cells with children beyond the circle, of which
        these are the first), ``unit``, ``children``, ``nearest_walk_m``
        (``inf``: no facility within the largest circle), ``nearest`` (the
        same in words: ``"no facility reachable within 1,000 m"``), the cell
        centre as ``x_m``, ``y_m`` (the surface's CRS) and ``lon``, ``lat``
        (WGS-84); squares in the surface's CRS.

    Examples
    --------
    Four 250 m cells 200 m, out of reach, 900 m and out of reach from the
    nearest childcare: beyond the 300 m circle lie the 80 children of the
    second and fourth cells (no facility reachable: they tie at rank 1) and
    the 50 of the third (rank 3).

    >>> import numpy as np
    >>> import pandas as pd
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.children import gap_cells
    >>> x0, y0 = 461_125, 3_838_375  # in 二七区, EPSG:4547 metres
    >>> surface = gpd.GeoDataFrame({"children": [100.0, 80.0, 50.0, 80.0], "unit": "410103"},
    ...                            geometry=[Point(x0 + 250 * i, y0) for i in range(4)], crs="EPSG:4547")
    >>> surface.attrs["cell_m"] = 250
    >>> gaps = gap_cells(surface, pd.DataFrame({"childcare": [200.0, np.inf, 900.0, np.inf]}), {"5min": 300, "15min": 1000})
    >>> gaps[gaps["circle"] == "5min"][["rank", "tied_cells", "children", "nearest", "x_m"]].values.tolist()
    [[1, 2, 80.0, 'no facility reachable within 1,000 m', 461375.0], [1, 2, 80.0, 'no facility reachable within 1,000 m', 461875.0], [3, 1, 50.0, '900 m', 461625.0]]
    >>> gaps[["lon", "lat"]].iloc[0].round(4).tolist()  # the cell centre in WGS-84
    [113.5786, 34.6728]
    >>> gaps.area.tolist()[:2]  # 250 m x 250 m squares
    [62500.0, 62500.0]
    """
    import geopandas as gpd
    import shapely

    half = float(surface.attrs.get("cell_m") or 100.0) / 2.0
    x, y = shapely.get_x(surface.geometry.values), shapely.get_y(surface.geometry.values)
    lonlat = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=surface.crs).to_crs(4326)
    lon, lat = lonlat.x.to_numpy(), lonlat.y.to_numpy()
    reach = max(circles.values()) if circles else np.inf
    children = surface["children"].to_numpy()
    parts = []
    for kind in walk.columns:
        dist = walk[kind].to_numpy()
        for circle, metres in circles.items():
            out = np.flatnonzero((dist > metres) & (children > 0))
            far = np.where(np.isinf(dist[out]), np.inf, dist[out])
            order = np.lexsort((-far, -children[out]))  # stable: equal cells stay in the surface's order
            kc, kd = children[out][order], far[order]
            new = np.r_[True, (kc[1:] != kc[:-1]) | (kd[1:] != kd[:-1])] if len(order) else np.zeros(0, bool)
            starts = np.flatnonzero(new)
            group = np.cumsum(new) - 1
            rank = starts[group] + 1  # equal cells share the rank of the first of them
            tied = np.diff(np.r_[starts, len(order)])[group]
            pick = out[order[:top]]
            d = dist[pick]
            parts.append(pd.DataFrame({"type": kind, "circle": circle, "walk_m_limit": metres, "rank": rank[:top],
                                       "tied_cells": tied[:top], "cells_beyond": len(out),
                                       "unit": surface["unit"].to_numpy()[pick], "children": children[pick], "nearest_walk_m": d,
                                       "nearest": [_("no facility reachable within {reach_m:,.0f} m").format(reach_m=reach) if np.isinf(v)
                                                   else f"{v:,.0f} m" for v in d],
                                       "x_m": x[pick], "y_m": y[pick], "lon": lon[pick], "lat": lat[pick]}))
    columns = ["type", "circle", "walk_m_limit", "rank", "tied_cells", "cells_beyond", "unit", "children", "nearest_walk_m", "nearest",
               "x_m", "y_m", "lon", "lat"]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    squares = shapely.box(table["x_m"] - half, table["y_m"] - half, table["x_m"] + half, table["y_m"] + half)
    return gpd.GeoDataFrame(table, geometry=squares, crs=surface.crs)


def walking_access(
    facilities: gpd.GeoDataFrame,
    *,
    year: int = 2025,
    types: list[str] | None = None,
    rules: AccessRules | None = None,
    surface: gpd.GeoDataFrame | None = None,
    network: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
    top: int = 50,
    units: AnalysisUnits | None = None,
) -> AccessResult:
    """Walking access of children to each facility type open by *year* (see module notes).

    Parameters
    ----------
    facilities : geopandas.GeoDataFrame
        A validated facility register (:func:`~zzgeo.children.register.read_facilities`).
    year : int
        Facilities opened or certified in or before this year count (undated ones count).
    types : list of str, optional
        Facility types to analyse (default: every type in the register).
    rules : AccessRules, optional
        Circles, detour factor and catchment (default ``data/children/access.toml``).
    surface : geopandas.GeoDataFrame, optional
        :func:`children_surface` (default: census by district on the rules' grid).
    network : geopandas.GeoDataFrame, optional
        Road centre lines: distances along them instead of the detour factor.
    zones : geopandas.GeoDataFrame, optional
        Development-zone polygons (for units and the facilities' units).
    top : int
        Gap cells kept per type and circle.
    units : AnalysisUnits, optional
        Report by these units (:mod:`zzgeo.units`: 街道/社区 or any
        boundaries): cells and facilities count to the unit they lie in, the
        city-wide rows become a row per parent unit and one for the whole area
        of the units (``level`` says which), and facilities outside every unit
        are named in ``meta["facilities_outside_units"]`` (they still serve the
        cells in reach). Without *surface*, units with a population spread it
        over their cells (children by the share of the county-level unit).

    Returns
    -------
    AccessResult

    Raises
    ------
    CRSError
        *surface*, *network* or the facilities carry no CRS.

    Examples
    --------
    Three 250 m cells in a row holding 100, 200 and 300 children (1,000,
    2,000 and 3,000 residents) and a childcare centre of 60 places at the
    first centre. Walking is the straight line x 1.3: 0, 325 and 650 m. So
    the 5-minute circle (300 m) holds 100 of 600 children, the 10-minute one
    (500 m) 300, the 15-minute one (1,000 m) all 600. Every cell is within the
    1,000 m catchment, so the 60 places serve 6,000 residents: 10 per 1,000.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.children import read_facilities, walking_access
    >>> x0, y0 = 461_125, 3_838_375  # a 250 m cell centre in 二七区, EPSG:4547 metres
    >>> surface = gpd.GeoDataFrame({"residents": [1000.0, 2000.0, 3000.0], "children": [100.0, 200.0, 300.0], "unit": "410103"},
    ...                            geometry=[Point(x0 + 250 * i, y0) for i in range(3)], crs="EPSG:4547")
    >>> surface.attrs["cell_m"] = 250
    >>> centre = gpd.GeoDataFrame({"名称": ["托育甲"], "设施类型": ["托育服务机构"], "托位": [60], "年份": [2023]},
    ...                           geometry=[Point(x0, y0)], crs="EPSG:4547")
    >>> result = walking_access(read_facilities(centre), surface=surface)
    >>> shares = result.shares[result.shares["unit"] == "city"]
    >>> shares[["circle", "walk_m", "children_within", "share"]].round(3).values.tolist()
    [['5min', 300.0, 100.0, 0.167], ['10min', 500.0, 300.0, 0.5], ['15min', 1000.0, 600.0, 1.0]]
    >>> result.childcare[["unit_name", "places_per_1000_in_unit", "places_per_1000_within_reach"]].values.tolist()
    [['二七区', 10.0, 10.0], ['全市', 10.0, 10.0]]
    >>> result.gaps[result.gaps["circle"] == "5min"][["rank", "children", "nearest_walk_m"]].round(1).values.tolist()
    [[1.0, 300.0, 650.0], [2.0, 200.0, 325.0]]
    """
    from zzgeo.children.register import assign_units
    from zzgeo.registers import usable_rows

    rules = rules or access_rules()
    by_units = units is not None and not units.is_default
    if surface is None:
        surface = children_surface(cell_m=rules.cell_m, zones=zones, units=units)
    fac, _left_out = usable_rows(facilities) if "valid" in facilities else (facilities, 0)
    fac = fac[fac["year"].isna() | (fac["year"] <= year)]
    fac = fac.join(assign_units(fac, zones))
    # The surface's units: districts (zone residents are in their hosts' cells) unless zone polygons are given.
    fac["access_unit"] = fac["unit_key"] if zones is not None else fac["adcode"]
    if by_units:
        surface, fac = _in_units(surface, fac, units)
    kinds = types or sorted(pd.unique(fac["type"].dropna()))
    limit = max(rules.circles.values())
    walk = pd.DataFrame({k: nearest_walk(surface, fac[fac["type"] == k], limit_m=limit, detour=rules.detour, network=network)
                         for k in kinds}, index=surface.index)
    plan_units = load_units()
    names = units.names if by_units else dict(zip(plan_units["unit"], plan_units["name"], strict=True))
    totals = units.groups() if by_units else None
    childcare = fac[fac["type"].isin(childcare_types())]
    fca = childcare_2sfca(surface, childcare, catchment_m=rules.catchment_m, detour=rules.detour, network=network)
    surface = surface.assign(**{f"walk_{k}": walk[k].to_numpy() for k in kinds}, childcare_places_per_1000=fca["places_per_1000"].to_numpy())
    meta = {"document": DOC_NUMBER, "year": year, "rules": rules.describe(),
            "metric": N_("network") if network is not None else N_("straight line × detour"),
            "surface": surface.attrs.get("method", ""), "children_rule": surface.attrs.get("children_rule", ""),
            "facilities": len(fac), "childcare_places_of": list(childcare_types()), "demo": bool(facilities.get("demo", pd.Series(False)).astype(bool).any()),
            "units": _district_units_note() if zones is None else _("districts and development-zone polygons")}
    if by_units:
        _units_meta(meta, units, fac)
    return AccessResult(coverage_shares(surface, walk, rules.circles, names, totals),
                        _childcare_by_unit(surface, fca, childcare, names, totals),
                        gap_cells(surface, walk, rules.circles, top=top), surface, meta)


def _district_units_note() -> str:
    """The units of the default surface, and how they differ from those of ``zzgeo children`` (the plan's 16)."""
    units = load_units()
    labelled = units[units["label"] != units["name"]]
    return _("12 districts, each with the development zones in it (their residents and facilities count to the district); "
             "zzgeo children shows the plan's 16 units, the zones apart, so there {labels} are the districts without "
             "the zone").format(labels="、".join(labelled["label"]))


def _in_units(surface: gpd.GeoDataFrame, fac: gpd.GeoDataFrame, units: AnalysisUnits):
    """Cells and facilities counted to the analysis unit they lie in (``None`` outside every unit)."""
    from zzgeo.units import units_of

    return surface.assign(unit=units_of(surface, units)), fac.assign(access_unit=units_of(fac, units))


def _units_meta(meta: dict, units: AnalysisUnits, fac: gpd.GeoDataFrame) -> None:
    """The units in *meta*, and every facility outside all of them, by name."""
    outside = fac[pd.isna(fac["access_unit"])]
    meta["units"] = units.label
    meta["analysis_units"] = units.describe()
    meta["facilities_outside_units"] = [f"{r.get('facility_id', '')} {r.get('name', '')}".strip() for _i, r in outside.iterrows()]


def access_records(result: AccessResult) -> dict:
    """JSON-ready output: meta, coverage shares, childcare supply by unit.

    Parameters
    ----------
    result : AccessResult

    Returns
    -------
    dict
        ``meta``, ``shares`` and ``childcare`` as lists of records (no cells, no gaps).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.children import read_facilities, walking_access
    >>> x0, y0 = 461_125, 3_838_375  # a 250 m cell centre in 二七区, EPSG:4547 metres
    >>> surface = gpd.GeoDataFrame({"residents": [1000.0, 2000.0, 3000.0], "children": [100.0, 200.0, 300.0], "unit": "410103"},
    ...                            geometry=[Point(x0 + 250 * i, y0) for i in range(3)], crs="EPSG:4547")
    >>> surface.attrs["cell_m"] = 250
    >>> centre = gpd.GeoDataFrame({"名称": ["托育甲"], "设施类型": ["托育服务机构"], "托位": [60], "年份": [2023]},
    ...                           geometry=[Point(x0, y0)], crs="EPSG:4547")
    >>> result = walking_access(read_facilities(centre), surface=surface)
    >>> from zzgeo.children import access_records
    >>> out = access_records(result)
    >>> list(out)
    ['meta', 'shares', 'childcare']
    >>> first = out["shares"][0]
    >>> first["unit_name"], first["type"], first["circle"], round(first["share"], 3)
    ('二七区', 'childcare', '5min', 0.167)
    """
    from zzgeo._records import json_safe

    return json_safe({"meta": result.meta, "shares": result.shares.to_dict("records"), "childcare": result.childcare.to_dict("records")})
