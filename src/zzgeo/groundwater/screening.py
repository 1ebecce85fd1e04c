"""Pollution sources against the source zones, and the leak-screening list of 郑政文〔2022〕49号 三(二)5(2).

For every pollution source: the most protective zone it lies in (zone 1 > zone 2 >
recharge zone > outside) and of which water source, the nearest supply well and
its distance, whether it lies upgradient of that well (groundwater flows from the
source toward the well), and whether the rule puts it on the leak-screening list:

1. it has polluted groundwater (已造成地下水污染); or
2. it lies inside a recharge zone (位于集中式地下水型饮用水水源补给区内; zones 1 and 2
   lie within the source's catchment and count too); or
3. it lies outside, is an industrial cluster, chemical producer (or an enterprise of
   the chemical industry), tailings pond, mining area, hazardous-waste site or
   landfill, and meets the key-source conditions of 环办土壤函〔2020〕72号 (the
   register's ``key_source``; when the register does not say, zzgeo lists it as
   "to be checked against 72号": a screening list errs on inclusion).

The listed sources get a priority a reviewer can follow, with its reasons:
the branch (polluted, zone 1, zone 2, recharge zone, key source outside), then
the first-in-line kinds of 三(二)6(1) (chemical and electroplating firms,
hazardous-waste sites, landfills), then upgradient of a well, then nearer wells.
Optionally a vulnerability or depth-to-water raster is sampled at every source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.crs import METRIC_CRS
from zzgeo.groundwater.rules import DOC_NUMBER, GroundwaterRules, load_rules
from zzgeo.i18n import N_, _

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from zzgeo.groundwater.zones import ZoneResult

__all__ = ["BRANCHES", "ScreeningResult", "screen_sources", "sample_raster", "screening_records"]

#: Branch of the rule -> (rank, reason); the reason in English, translated where it is written (``reasons``).
BRANCHES = {
    "polluted": (0, N_("has polluted groundwater (已造成地下水污染)")),
    "zone1": (1, N_("inside zone 1 (一级保护区) of {source}")),
    "zone2": (2, N_("inside zone 2 (二级保护区) of {source}")),
    "recharge": (3, N_("inside the recharge zone (补给区, capture envelope) of {source}")),
    "key_source": (4, N_("outside the recharge zones; a key source by 环办土壤函〔2020〕72号 (register says so)")),
    "key_source_unknown": (4, N_("outside the recharge zones; a key-source type: to be checked against 环办土壤函〔2020〕72号 (the register does not say)")),
}
_ZONE_RANK = {"zone1": 0, "zone2": 1, "recharge": 2}


@dataclass(frozen=True)
class ScreeningResult:
    """Output of :func:`screen_sources`: every source with its zone and list status; meta.

    Attributes
    ----------
    sources : geopandas.GeoDataFrame
        Every valid pollution source with its zone, nearest well, branch of
        the rule, ``listed``, ``priority`` and ``reasons``.
    raster_by_zone : pandas.DataFrame or None
        Count, mean, min and max of the sampled raster per zone, when a raster was given.
    meta : dict
        Document, clause, DEMO flags, rows left out.

    Examples
    --------
    Hand-drawn zones of one well with the flow toward the east: zone 1 and
    zone 2 circles of HJ 338's 22.5 m and 225 m, and a box standing in for
    the recharge zone, 1250 m upgradient to 663 m downgradient. A landfill
    100 m east of the well lies in zone 2; a chemical producer 1 km west, in
    the recharge zone and upgradient; a petrol station 3 km south is no
    key-source type and stays off the list; a tailings pond 3 km north is
    one, and the register does not say whether it meets 72号's conditions, so
    it is listed to be checked. The two first-in-line kinds of 三(二)6(1)
    (the landfill, the chemical firm) say so:

    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import Point, box
    >>> from zzgeo.groundwater import ZoneResult, read_pollution_sources, screen_sources
    >>> x0, y0 = 465000, 3858000  # a well in 惠济区, EPSG:4547 metres
    >>> zones = ZoneResult(
    ...     zones=gpd.GeoDataFrame({"source_id": ["S1"] * 3, "zone": ["zone1", "zone2", "recharge"]},
    ...                            geometry=[Point(x0, y0).buffer(22.5), Point(x0, y0).buffer(225.0),
    ...                                      box(x0 - 1250, y0 - 1500, x0 + 663, y0 + 1500)], crs="EPSG:4547"),
    ...     sources=pd.DataFrame({"source_id": ["S1"], "name": ["示例水源"], "flow_azimuth_deg": [90.0]}),
    ...     wells=gpd.GeoDataFrame({"well_id": ["S1-W1"], "source_id": ["S1"]}, geometry=[Point(x0, y0)], crs="EPSG:4547"))
    >>> pollution = read_pollution_sources(gpd.GeoDataFrame(
    ...     {"名称": ["某填埋场", "某化工厂", "某加油站", "某尾矿库"], "类型": ["垃圾填埋场", "化工企业", "加油站", "尾矿库"],
    ...      "行业": [None, "化工", None, None]},
    ...     geometry=[Point(x0 + 100, y0), Point(x0 - 1000, y0), Point(x0, y0 - 3000), Point(x0, y0 + 3000)], crs="EPSG:4547"))
    >>> result = screen_sources(pollution, zones)
    >>> result.sources[["name", "zone", "branch", "listed", "priority"]].values.tolist()
    [['某填埋场', 'zone2', 'zone2', True, 1.0], ['某化工厂', 'recharge', 'recharge', True, 2.0], ['某加油站', 'outside', '', False, nan], ['某尾矿库', 'outside', 'key_source_unknown', True, 3.0]]
    >>> result.meta["clause"], result.raster_by_zone is None
    ('郑政文〔2022〕49号 三(二)5(2)', True)
    """

    sources: gpd.GeoDataFrame
    raster_by_zone: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)


def _zones_of(points: np.ndarray, zones: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The most protective zone containing each point, and its water source (``""`` outside)."""
    import shapely

    zone = np.full(len(points), "outside", dtype=object)
    source = np.full(len(points), "", dtype=object)
    zones = zones[zones["zone"].isin(list(_ZONE_RANK))]  # the capture envelope, not the travel-time zone inside it
    if len(zones) == 0:
        return zone, source
    ordered = zones.assign(rank=zones["zone"].map(_ZONE_RANK)).sort_values("rank")
    geoms = np.asarray(ordered.to_crs(METRIC_CRS).geometry.values)
    tree = shapely.STRtree(geoms)
    p, g = tree.query(points, predicate="intersects")
    first = pd.Series(g, index=p).groupby(level=0).min()  # sorted by rank: the most protective zone
    zone[first.index] = ordered["zone"].to_numpy()[first.to_numpy()]
    source[first.index] = ordered["source_id"].to_numpy()[first.to_numpy()]
    return zone, source


def _nearest_wells(points: np.ndarray, wells: gpd.GeoDataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Nearest well, its distance, and upgradient-ness by its source's flow direction."""
    import shapely

    out = pd.DataFrame({"nearest_well": None, "nearest_well_source": None, "distance_to_well_m": np.nan,
                        "upgradient": None}, index=range(len(points)))
    if len(wells) == 0:
        return out
    wxy = np.asarray(wells.to_crs(METRIC_CRS).geometry.values)
    tree = shapely.STRtree(wxy)
    idx, k = tree.query_nearest(points, return_distance=False, all_matches=False)
    dist = shapely.distance(points[idx], wxy[k])
    out.loc[idx, "nearest_well"] = wells["well_id"].to_numpy()[k]
    out.loc[idx, "nearest_well_source"] = wells["source_id"].astype(str).to_numpy()[k]
    out.loc[idx, "distance_to_well_m"] = dist
    azimuth = sources.set_index(sources["source_id"].astype(str))["flow_azimuth_deg"] if "flow_azimuth_deg" in sources else pd.Series(dtype=float)
    az = pd.Series(wells["source_id"].astype(str).to_numpy()[k]).map(azimuth).to_numpy(dtype=float)
    flow = np.column_stack([np.sin(np.radians(az)), np.cos(np.radians(az))])
    along = np.einsum("ij,ij->i", shapely.get_coordinates(points[idx]) - shapely.get_coordinates(wxy[k]), flow)
    out.loc[idx, "upgradient"] = np.where(np.isfinite(az), along < 0, None)
    return out


def _branch(row: pd.Series, rules: GroundwaterRules, key_known: bool) -> str:
    if row.get("polluted") is True:
        return "polluted"
    if row["zone"] in _ZONE_RANK:
        return row["zone"]
    kind = row["type"]
    is_key_type = kind in rules.key_source_types or (kind == "industrial_enterprise" and row.get("industry") == "chemical")
    if not is_key_type:
        return ""
    flag = row.get("key_source")
    if flag is True:
        return "key_source"
    if flag is False and key_known:
        return ""
    return "key_source_unknown"


def _first_in_line(row: pd.Series, rules: GroundwaterRules) -> bool:
    return row.get("industry") in rules.first_in_line_industries or row["type"] in rules.first_in_line_types


def _reasons(row: pd.Series, names: dict) -> str:
    if not row["branch"]:
        return _("not listed: no groundwater pollution known, outside the recharge zones, not a key-source type (or 72号 conditions not met)")
    parts = [_(BRANCHES[row["branch"]][1]).format(source=names.get(row["water_source"], row["water_source"]))]
    if row["first_in_line"]:
        parts.append(_("first in line (三(二)6(1): chemical/electroplating firms, hazardous-waste sites, landfills)"))
    if row["upgradient"] is True:
        parts.append(_("upgradient of well {well} ({distance_m:,.0f} m)").format(well=row["nearest_well"], distance_m=row["distance_to_well_m"]))
    elif pd.notna(row["distance_to_well_m"]):
        parts.append(_("nearest well {well} at {distance_m:,.0f} m").format(well=row["nearest_well"], distance_m=row["distance_to_well_m"]))
    return _("; ").join(parts)


def screen_sources(
    pollution: gpd.GeoDataFrame,
    zones: ZoneResult,
    *,
    rules: GroundwaterRules | None = None,
    raster: str | Path | None = None,
) -> ScreeningResult:
    """Zone, nearest well, upgradient-ness and leak-screening list status of every pollution source.

    Parameters
    ----------
    pollution : geopandas.GeoDataFrame
        A validated pollution-source register (only ``valid`` rows are screened).
    zones : ZoneResult
        From :func:`zzgeo.groundwater.zones.source_zones`.
    rules : GroundwaterRules, optional
    raster : path, optional
        A vulnerability or depth-to-water GeoTIFF sampled at each source (``raster_value``)
        and summarised per zone.

    Returns
    -------
    ScreeningResult
        ``sources`` adds ``zone``, ``water_source``, ``nearest_well``,
        ``distance_to_well_m``, ``upgradient``, ``branch``, ``listed``,
        ``first_in_line``, ``priority`` (1 = first; listed sources only) and ``reasons``.

    Examples
    --------
    Hand-drawn zones of one well with the flow toward the east: zone 1 and
    zone 2 circles of HJ 338's 22.5 m and 225 m, and a box standing in for
    the recharge zone, 1250 m upgradient to 663 m downgradient. A landfill
    100 m east of the well lies in zone 2; a chemical producer 1 km west, in
    the recharge zone and upgradient; a petrol station 3 km south is no
    key-source type and stays off the list; a tailings pond 3 km north is
    one, and the register does not say whether it meets 72号's conditions, so
    it is listed to be checked. The two first-in-line kinds of 三(二)6(1)
    (the landfill, the chemical firm) say so:

    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import Point, box
    >>> from zzgeo.groundwater import ZoneResult, read_pollution_sources, screen_sources
    >>> x0, y0 = 465000, 3858000  # a well in 惠济区, EPSG:4547 metres
    >>> zones = ZoneResult(
    ...     zones=gpd.GeoDataFrame({"source_id": ["S1"] * 3, "zone": ["zone1", "zone2", "recharge"]},
    ...                            geometry=[Point(x0, y0).buffer(22.5), Point(x0, y0).buffer(225.0),
    ...                                      box(x0 - 1250, y0 - 1500, x0 + 663, y0 + 1500)], crs="EPSG:4547"),
    ...     sources=pd.DataFrame({"source_id": ["S1"], "name": ["示例水源"], "flow_azimuth_deg": [90.0]}),
    ...     wells=gpd.GeoDataFrame({"well_id": ["S1-W1"], "source_id": ["S1"]}, geometry=[Point(x0, y0)], crs="EPSG:4547"))
    >>> pollution = read_pollution_sources(gpd.GeoDataFrame(
    ...     {"名称": ["某填埋场", "某化工厂", "某加油站", "某尾矿库"], "类型": ["垃圾填埋场", "化工企业", "加油站", "尾矿库"],
    ...      "行业": [None, "化工", None, None]},
    ...     geometry=[Point(x0 + 100, y0), Point(x0 - 1000, y0), Point(x0, y0 - 3000), Point(x0, y0 + 3000)], crs="EPSG:4547"))
    >>> result = screen_sources(pollution, zones)
    >>> result.sources[["name", "zone", "upgradient", "listed", "priority"]].values.tolist()
    [['某填埋场', 'zone2', False, True, 1.0], ['某化工厂', 'recharge', True, True, 2.0], ['某加油站', 'outside', False, False, nan], ['某尾矿库', 'outside', False, True, 3.0]]
    >>> result.sources["distance_to_well_m"].round(1).tolist()
    [100.0, 1000.0, 3000.0, 3000.0]
    >>> print(result.sources.loc[1, "reasons"])
    inside the recharge zone (补给区, capture envelope) of 示例水源; first in line (三(二)6(1): chemical/electroplating firms, hazardous-waste sites, landfills); upgradient of well S1-W1 (1,000 m)
    >>> print(result.sources.loc[3, "reasons"])
    outside the recharge zones; a key-source type: to be checked against 环办土壤函〔2020〕72号 (the register does not say); nearest well S1-W1 at 3,000 m
    """
    rules = rules or load_rules()
    valid = pollution[pollution["valid"].astype(bool)] if "valid" in pollution else pollution
    out = valid.copy().reset_index(drop=True)
    import shapely

    points = shapely.point_on_surface(np.asarray(out.to_crs(METRIC_CRS).geometry.values))
    out["zone"], out["water_source"] = _zones_of(points, zones.zones)
    near = _nearest_wells(points, zones.wells, zones.sources)
    for col in near.columns:
        out[col] = near[col].to_numpy()
    key_known = "key_source" in pollution and pollution["key_source"].notna().any()
    out["branch"] = [_branch(row, rules, key_known) for _i, row in out.iterrows()]
    out["listed"] = out["branch"] != ""
    out["first_in_line"] = [_first_in_line(row, rules) for _i, row in out.iterrows()]
    out["priority"] = _priority(out)
    names = dict(zip(zones.sources["source_id"].astype(str), zones.sources["name"]))
    out["reasons"] = [_reasons(row, names) for _i, row in out.iterrows()]
    by_zone = None
    if raster is not None:
        out["raster_value"] = sample_raster(raster, out)
        by_zone = out.groupby("zone")["raster_value"].agg(["count", "mean", "min", "max"]).reset_index()
    meta = {"document": DOC_NUMBER, "clause": rules.screening_clause, "key_source_source": rules.key_source_source,
            "demo": bool(out["demo"].astype(bool).any()) if "demo" in out else False,
            "excluded_rows": int(len(pollution) - len(valid)), "zones_demo": bool(zones.meta.get("demo")),
            "raster": str(raster) if raster else None}
    return ScreeningResult(sources=out, raster_by_zone=by_zone, meta=meta)


def _priority(out: pd.DataFrame) -> np.ndarray:
    listed = out[out["listed"]]
    key = pd.DataFrame({
        "branch": listed["branch"].map(lambda b: BRANCHES[b][0]),
        "first": ~listed["first_in_line"].astype(bool),
        "up": ~listed["upgradient"].fillna(False).astype(bool),
        "dist": listed["distance_to_well_m"].fillna(np.inf),
        "id": listed["source_id"].astype(str),
    }, index=listed.index)
    order = key.sort_values(["branch", "first", "up", "dist", "id"]).index
    priority = np.full(len(out), np.nan)
    priority[order.to_numpy()] = np.arange(1, len(order) + 1)
    return priority


def sample_raster(path: str | Path, frame: gpd.GeoDataFrame) -> np.ndarray:
    """Values of band 1 of a GeoTIFF at each feature's representative point (NaN off the raster or on nodata)."""
    import shapely

    from zzgeo.io import open_raster

    with open_raster(path) as src:
        pts = shapely.point_on_surface(np.asarray(frame.to_crs(src.crs).geometry.values))
        xy = shapely.get_coordinates(pts)
        values = np.array([v[0] for v in src.sample(xy, masked=True)], dtype=object)
        nodata = src.nodata
    out = np.array([np.nan if (v is np.ma.masked or (nodata is not None and v == nodata)) else float(v) for v in values])
    return out


def screening_records(result: ScreeningResult, *, listed_only: bool = True) -> dict:
    """JSON-ready: meta, counts by branch and type, and the (listed) sources in priority order.

    Parameters
    ----------
    result : ScreeningResult
    listed_only : bool
        Only the sources on the leak-screening list (default), or all.

    Returns
    -------
    dict
        ``result.meta`` plus ``counts`` (sources, listed, by branch, by zone),
        ``sources`` (records by priority) and ``raster_by_zone``.

    Examples
    --------
    The four sources of :func:`screen_sources`'s example, three of them listed:

    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import Point, box
    >>> from zzgeo.groundwater import ZoneResult, read_pollution_sources, screen_sources
    >>> x0, y0 = 465000, 3858000  # a well in 惠济区, EPSG:4547 metres
    >>> zones = ZoneResult(
    ...     zones=gpd.GeoDataFrame({"source_id": ["S1"] * 3, "zone": ["zone1", "zone2", "recharge"]},
    ...                            geometry=[Point(x0, y0).buffer(22.5), Point(x0, y0).buffer(225.0),
    ...                                      box(x0 - 1250, y0 - 1500, x0 + 663, y0 + 1500)], crs="EPSG:4547"),
    ...     sources=pd.DataFrame({"source_id": ["S1"], "name": ["示例水源"], "flow_azimuth_deg": [90.0]}),
    ...     wells=gpd.GeoDataFrame({"well_id": ["S1-W1"], "source_id": ["S1"]}, geometry=[Point(x0, y0)], crs="EPSG:4547"))
    >>> pollution = read_pollution_sources(gpd.GeoDataFrame(
    ...     {"名称": ["某填埋场", "某化工厂", "某加油站", "某尾矿库"], "类型": ["垃圾填埋场", "化工企业", "加油站", "尾矿库"],
    ...      "行业": [None, "化工", None, None]},
    ...     geometry=[Point(x0 + 100, y0), Point(x0 - 1000, y0), Point(x0, y0 - 3000), Point(x0, y0 + 3000)], crs="EPSG:4547"))
    >>> result = screen_sources(pollution, zones)
    >>> records = screening_records(result)
    >>> records["counts"]
    {'sources': 4, 'listed': 3, 'by_branch': {'zone2': 1, 'recharge': 1, 'key_source_unknown': 1}, 'by_zone': {'outside': 2, 'zone2': 1, 'recharge': 1}}
    >>> [(r["priority"], r["name"], r["branch"]) for r in records["sources"]]
    [(1.0, '某填埋场', 'zone2'), (2.0, '某化工厂', 'recharge'), (3.0, '某尾矿库', 'key_source_unknown')]
    """
    from zzgeo._records import json_safe

    src = result.sources
    rows = src[src["listed"]] if listed_only else src
    cols = ["priority", "source_id", "name", "type", "industry", "district_name", "zone", "water_source", "nearest_well",
            "distance_to_well_m", "upgradient", "branch", "listed", "reasons"]
    cols += ["raster_value"] if "raster_value" in src else []
    records = rows.sort_values("priority")[[c for c in cols if c in rows]].to_dict("records")
    counts = {"sources": len(src), "listed": int(src["listed"].sum()),
              "by_branch": src[src["listed"]]["branch"].value_counts().to_dict(),
              "by_zone": src["zone"].value_counts().to_dict()}
    return json_safe({**result.meta, "counts": counts, "sources": records,
                      "raster_by_zone": result.raster_by_zone.to_dict("records") if result.raster_by_zone is not None else None})
