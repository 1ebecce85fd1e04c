"""Protection and recharge zones of groundwater drinking-water sources (郑政文〔2022〕49号 三(三)9).

For every source (wellfield) with wells and aquifer parameters:

* **zone 1 / zone 2** (一级 / 二级保护区): HJ 338-2018's travel-time circles around each
  well, R = α·K·I·T/n with T = 100 / 1000 days, merged over the wellfield;
* **recharge zone** (补给区), two kinds, both from the wellfield as one system — the regional
  flow plus every well superposed, and for a riverside field an image well across the river
  for every well (:class:`~zzgeo.groundwater.wellfield.Wellfield`; wells interfere):

  - ``recharge_tot``, the **time-of-travel zone** (补给区·迁移时间区): every point whose water
    reaches a well within the rule file's ``travel_days``, by backward particle tracking
    with the seepage velocity (discharge / (n·b));
  - ``recharge``, the **capture envelope** (补给区·捕获区包络): the capture zone cut by a line
    across the flow at the upgradient end of that travel-time zone. A conservative
    superset of it (about twice its area for a pilot-like field): the leak-screening rule
    uses it, erring on inclusion;

  with one well both reduce to the single-well formulas of :mod:`zzgeo.groundwater.hydro`;
* **riverside wellfields** (傍河型): for a losing river (the Yellow River at Zhengzhou is
  perched) the recharge zone stops at the river, which feeds every flow line; zzgeo
  reports the shortest river-to-well travel time of each well (image-well solution).
  Where the regional gradient runs toward the river (a gaining river) the river's
  share of the pumped water is the image-well share formula instead;
* polygons a hydrogeological study already drew (the study-zone register) replace
  the computed ones of that source and zone.

Every zone names its method and parameters; a source without the parameters a
method needs is listed with what is missing, never delineated from guesses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.crs import METRIC_CRS, STORAGE_CRS, transformer
from zzgeo.errors import ParameterError
from zzgeo.groundwater import hydro
from zzgeo.groundwater.rules import DOC_NUMBER, GroundwaterRules, load_rules
from zzgeo.groundwater.labels import ZONE_LABELS, rule_status_text
from zzgeo.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["ZONE_LABELS", "METHODS", "ZoneResult", "Aquifer", "source_zones", "zone_records"]

METHODS = ("analytic", "timml")
_PARAMS = {"conductivity_m_d": "K", "gradient": "i", "porosity": "n", "thickness_m": "b", "flow_azimuth_deg": "flow direction"}


@dataclass(frozen=True)
class Aquifer:
    """Aquifer parameters of one source (see ``data/groundwater/sources.toml``).

    Parameters
    ----------
    K : float
        Hydraulic conductivity (m/d).
    i : float
        Regional hydraulic gradient (–).
    n : float
        Effective porosity (–).
    b : float
        Saturated thickness (m).
    azimuth_deg : float
        Direction the groundwater flows toward, degrees clockwise from north.

    Examples
    --------
    Flow toward 165° (south-south-east, as in the DEMO sources by the Yellow
    River): (sin 165°, cos 165°) = (0.259, −0.966):

    >>> Aquifer(K=40.0, i=0.0008, n=0.2, b=50.0, azimuth_deg=165.0).flow.round(3)
    array([ 0.259, -0.966])
    """

    K: float
    i: float
    n: float
    b: float
    azimuth_deg: float

    @property
    def flow(self) -> np.ndarray:
        """Unit vector of the regional flow (east, north)."""
        a = math.radians(self.azimuth_deg)
        return np.array([math.sin(a), math.cos(a)])


@dataclass(frozen=True)
class ZoneResult:
    """Output of :func:`source_zones`.

    Attributes
    ----------
    zones : geopandas.GeoDataFrame
        One polygon per source and zone (WGS-84): ``source_id``, ``name``, ``zone``,
        ``zone_zh``, ``method`` (naming the parameters used), ``area_km2``, ``demo``.
    sources : pandas.DataFrame
        One row per source: wells, abstraction, scale, status, capture figures, river figures.
    wells : geopandas.GeoDataFrame
        The wells with ``distance_to_river_m`` and ``river_travel_days`` where riverside.
    meta : dict
        Rules used, DEMO flag, notes.

    Examples
    --------
    Usually made by :func:`source_zones`; built by hand it holds zones drawn
    elsewhere, e.g. a zone 1 of HJ 338's R = 22.5 m around one well,
    π × 22.5² = 1590 m²:

    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import Point
    >>> well = gpd.GeoDataFrame({"well_id": ["S1-W1"], "source_id": ["S1"]}, geometry=[Point(465000, 3858000)], crs="EPSG:4547")
    >>> result = ZoneResult(zones=gpd.GeoDataFrame({"source_id": ["S1"], "zone": ["zone1"]}, geometry=well.buffer(22.5, quad_segs=64)),
    ...                     sources=pd.DataFrame({"source_id": ["S1"], "name": ["示例水源"]}), wells=well)
    >>> round(float(result.zones.area.iloc[0]))
    1590
    """

    zones: gpd.GeoDataFrame
    sources: pd.DataFrame
    wells: gpd.GeoDataFrame
    meta: dict = field(default_factory=dict)


def _aquifer(row: pd.Series) -> tuple[Aquifer | None, list[str]]:
    missing = [label for col, label in _PARAMS.items() if col not in row or pd.isna(row[col])]
    if missing:
        return None, missing
    return Aquifer(K=float(row["conductivity_m_d"]), i=float(row["gradient"]), n=float(row["porosity"]),
                   b=float(row["thickness_m"]), azimuth_deg=float(row["flow_azimuth_deg"])), []


def _place(ring: np.ndarray, well: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Local (x along the flow, y to its left) to metric coordinates around *well*."""
    left = np.array([-flow[1], flow[0]])
    return well + np.outer(ring[:, 0], flow) + np.outer(ring[:, 1], left)


def _hj338(xy: np.ndarray, aq: Aquifer, rules: GroundwaterRules) -> dict[str, tuple[object, str]]:
    import shapely

    out = {}
    for zone, days in (("zone1", rules.zone1_days), ("zone2", rules.zone2_days)):
        radius = hydro.hj338_radius_m(aq.K, aq.i, days, aq.n, alpha=rules.safety_factor)
        shape = shapely.union_all(shapely.buffer(shapely.points(xy), radius, quad_segs=32))
        out[zone] = (shape, _("HJ 338-2018 R = α·K·I·T/n = {radius:,.1f} m (α {alpha:g}, K {k:g} m/d, I {i:g}, T {days:g} d, n {n:g}; {status})").format(
            radius=radius, alpha=rules.safety_factor, k=aq.K, i=aq.i, days=days, n=aq.n, status=rule_status_text(rules.hj338_status)))
    return out


def _straight_river(river, xy: np.ndarray):
    """The river near a wellfield as a straight line (its tangent at the point nearest the wells), or None
    when a well lies on the far side of that line (a bend: no image wells then)."""
    import shapely

    from zzgeo.groundwater.wellfield import River

    centre = shapely.Point(xy.mean(axis=0))
    at = shapely.line_locate_point(river, centre)
    span = max(500.0, float(np.ptp(xy, axis=0).max()))
    a, b = (shapely.get_coordinates(shapely.line_interpolate_point(river, at + d))[0] for d in (-span, span))
    if np.allclose(a, b):
        return None
    line = River.through(a, b, toward=xy.mean(axis=0))
    return line if (line.side(xy) > 1.0).all() else None


def _field(xy: np.ndarray, q: np.ndarray, aq: Aquifer, river=None):
    from zzgeo.groundwater.wellfield import Wellfield

    line = _straight_river(river, xy) if river is not None else None
    return Wellfield(xy=xy, Q=q, K=aq.K, b=aq.b, i=aq.i, n=aq.n, flow=aq.flow, river=line)


def _downgradient_reach(wf, days: float) -> float:
    """How far downgradient of the most downgradient well water reaches a well within *days* (m):
    particles leave every well straight downgradient, backward in time, toward its stagnation point."""
    starts = wf.xy[wf.Q > 0] + wf.flow
    traces = wf.trace(starts, t_max=days, step_max=max(1.0, min(50.0, wf.K * wf.i * days / wf.n / 20.0)))
    return wf.downgradient_extent_m(__import__("shapely").multipoints(traces.endpoints()))


def _lonlat(points: np.ndarray) -> list[list[float]]:
    """Metric points as ``[[lon, lat], ...]`` (WGS-84, 6 decimals)."""
    if len(points) == 0:
        return []
    lon, lat = transformer(METRIC_CRS, STORAGE_CRS).transform(points[:, 0], points[:, 1])
    return [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lon, lat)]


_AREA_FIGURES = {"recharge_tot": "tot_area_km2", "recharge": "envelope_area_km2"}


def _capture(xy: np.ndarray, q: np.ndarray, aq: Aquifer, rules: GroundwaterRules, river=None) -> tuple[dict, dict, object]:
    """The two recharge zones of a wellfield (see module notes), their figures, and the field."""

    wf = _field(xy, q, aq, river)
    days = rules.recharge_days
    tot, _unused = wf.travel_time_zone(days)
    L = wf.upgradient_extent_m(tot)
    envelope, fans = wf.capture_envelope(L)
    params = _("K {k:g} m/d, b {b:g} m, i {i:g}, n {n:g}, flow toward {azimuth:g}°").format(k=aq.K, b=aq.b, i=aq.i, n=aq.n, azimuth=aq.azimuth_deg)
    wells = int((q > 0).sum())
    field_text = (_("{wells} wells superposed in uniform flow with image wells across the river (a head boundary)") if wf.river is not None
                  else _("{wells} wells superposed in uniform flow")).format(wells=wells)
    zones = {
        "recharge_tot": (tot, _("time-of-travel zone: water reaches a well within {days:g} days ({status}); "
                                "backward particle tracking, {field}; {params}").format(
                                    days=days, status=rule_status_text(rules.recharge_status), field=field_text, params=params)),
        "recharge": (envelope, _("capture envelope: the capture zone cut {upgradient_m:,.0f} m upgradient (the end of the {days:g}-day "
                                 "zone), a conservative superset of it; {field}; {params}").format(
                                     upgradient_m=L, days=days, field=field_text, params=params)),
    }
    stagnation = _lonlat(wf.stagnation_points())
    figures = {
        "stagnation_m": wf.downgradient_stagnation_m(),
        "stagnation_points": stagnation,
        "ultimate_width_m": wf.ultimate_width_m(),
        "ultimate_half_width_m": wf.ultimate_width_m() / 2.0,
        "recharge_upgradient_m": L,
        "zone1_downgradient_m": _downgradient_reach(wf, rules.zone1_days),
        "zone2_downgradient_m": _downgradient_reach(wf, rules.zone2_days),
    }
    return zones, figures, (wf, fans)


def _river_figures(xy: np.ndarray, q: np.ndarray, aq: Aquifer, river, losing: bool, rules: GroundwaterRules) -> dict:
    """Distances, travel times (losing river) or river shares (gaining river) of each well."""
    import shapely

    pts = shapely.points(xy)
    dist = shapely.distance(pts, river)
    nearest = shapely.get_coordinates(shapely.shortest_line(river, pts))[0::2]  # (river point, well) pairs
    towards_well = xy - nearest
    norm = np.linalg.norm(towards_well, axis=1)
    unit = towards_well / np.where(norm > 0, norm, 1.0)[:, None]
    i_away = aq.i * (unit @ aq.flow)  # component of the regional gradient pointing away from the river
    days, share = np.full(len(xy), np.nan), np.full(len(xy), np.nan)
    for k in range(len(xy)):
        if q[k] <= 0:
            continue
        if losing or i_away[k] >= 0:
            days[k] = hydro.river_travel_time_days(q[k], aq.K, aq.b, aq.n, float(dist[k]), i_away=max(float(i_away[k]), 0.0))
            share[k] = rules.losing_share if losing else np.nan
        else:
            share[k] = hydro.gaining_river_share(q[k], aq.K, aq.b, -float(i_away[k]), float(dist[k]))
    return {"distance_m": dist, "travel_days": days, "share": share, "i_away": i_away}


def _clip_at_river(shape, river, xy: np.ndarray):
    """The part of a zone on the wells' side of a losing river (the river feeds it)."""
    import shapely

    pieces = shapely.get_parts(shapely.difference(shape, shapely.buffer(river, 1.0)))
    keep = [p for p in pieces if shapely.intersects(p, shapely.multipoints(xy))]
    return shapely.union_all(keep) if keep else shape


def _nearest_river(xy: np.ndarray, rivers: gpd.GeoDataFrame | None, rules: GroundwaterRules):
    if rivers is None or len(rivers) == 0:
        return None, True
    import shapely

    lines = np.asarray(rivers.to_crs(METRIC_CRS).geometry.values)
    centre = shapely.centroid(shapely.multipoints(xy))
    d = shapely.distance(lines, centre)
    k = int(np.argmin(d))
    if d[k] > rules.river_max_distance_m + 10_000:
        return None, True
    losing = rivers["losing"].iloc[k] if "losing" in rivers else True
    return lines[k], bool(losing) if losing is not None and not pd.isna(losing) else True


def _ids(wells: pd.DataFrame, shown: int = 5) -> str:
    """The wells' ids for a message: ``'W1', 'W2' (+3 more)``."""
    ids = [repr(str(i)) for i in wells["well_id"]] if "well_id" in wells else [_("well {number}").format(number=k + 1) for k in range(len(wells))]
    return ", ".join(ids[:shown]) + (_(" (+{n} more)").format(n=len(ids) - shown) if len(ids) > shown else "")


def _partial(src: pd.Series, row: dict, missing: list[str], xy: np.ndarray, rules: GroundwaterRules, strict: bool):
    """Some parameters but not all: an error (a data-entry gap), or with ``strict=False`` zones 1/2 where K, i, n allow."""
    if strict:
        raise ParameterError(_("missing {parameters}; the recharge zone (capture zone) needs K, i, n, b and the flow direction. "
                               "Complete the register, or pass on_error='flag' to delineate what the parameters allow").format(
                                   parameters=", ".join(missing)))
    zones = []
    if not {"K", "i", "n"} & set(missing):
        hj = Aquifer(K=float(src["conductivity_m_d"]), i=float(src["gradient"]), n=float(src["porosity"]), b=1.0, azimuth_deg=0.0)
        zones = [{"zone": z, "geometry": g, "method": m} for z, (g, m) in _hj338(xy, hj, rules).items()]
    row["status"] = ("partly delineated (zones 1/2): " if zones else "cannot be delineated: ") + f"missing {', '.join(missing)}"
    return zones, row, {}


def _one_source(src: pd.Series, wells: gpd.GeoDataFrame, rivers, rules: GroundwaterRules, method: str, strict: bool = True) -> tuple[list[dict], dict, dict]:
    """Zones, the source's row and its wells' river figures."""
    import shapely

    row = {"source_id": src["source_id"], "name": src["name"], "wells": len(wells),
           "abstraction_m3_d": float(wells["pumping_m3_d"].sum()), "riverside": bool(src.get("riverside") is True)}
    row["scale"] = "large (大型)" if row["abstraction_m3_d"] >= rules.large_wellfield_m3_d else "small/medium (中小型)"
    aq, missing = _aquifer(src)
    if len(wells) == 0 or len(missing) == len(_PARAMS):
        row["status"] = "cannot be delineated: " + ("no wells" if len(wells) == 0 else "no aquifer parameters")
        return [], row, {}
    xy = shapely.get_coordinates(np.asarray(wells.to_crs(METRIC_CRS).geometry.values))
    q = wells["pumping_m3_d"].to_numpy(dtype=float)
    if aq is None:
        return _partial(src, row, missing, xy, rules, strict)
    row["flow_azimuth_deg"] = aq.azimuth_deg
    zones = [{"zone": z, "geometry": g, "method": m} for z, (g, m) in _hj338(xy, aq, rules).items()]
    river, losing = _nearest_river(xy, rivers, rules)
    near = river is not None and float(shapely.distance(river, shapely.multipoints(xy))) <= rules.river_max_distance_m
    if method == "timml":
        from zzgeo.groundwater.riverside import timml_zone

        recharge, m, figures, per_well = timml_zone(xy, q, aq, river if near else None, rules)
        zones.append({"zone": "recharge", "geometry": recharge, "method": m})
        row.update(_river_summary(per_well, q, near, losing, rules))
    else:
        if not (q > 0).any():
            raise ParameterError(_("no well pumps (pumping_m3_d = 0 for {wells}): no capture zone").format(wells=_ids(wells)))
        recharge, figures, (wf, fans) = _capture(xy, q, aq, rules, river if near else None)
        for kind, (shape, m) in recharge.items():
            if near and losing:
                shape = _clip_at_river(shape, river, xy)
                m += _("; stops at the losing river, which feeds every flow line")
            zones.append({"zone": kind, "geometry": shape, "method": m})
            figures[_AREA_FIGURES[kind]] = float(shape.area) / 1e6  # the zone as drawn, after any cut at the river
        per_well = _river_figures(xy, q, aq, river, losing, rules) if near else {}
        row.update(_river_summary(per_well, q, near, losing, rules))
        if near:
            row.update(_field_river_figures(wf, q))
    row.update(figures)
    row["status"] = "delineated (computed)"
    return zones, row, per_well


def _field_river_figures(wf, q: np.ndarray, particles: int = 180) -> dict:
    """River figures of the field as one system: the critical rate, the river's share of the pumped water and the
    shortest river-to-well travel time.

    Particles leave every well evenly (each carries the same share of its water) and are traced back without a
    time limit: the share that starts at the river is the river's share of that well's water. One more particle
    per well leaves straight toward the river, the quickest way there.
    """
    if wf.river is None:
        return {}
    wells = np.flatnonzero(q > 0)
    angles = np.linspace(0.0, 2 * math.pi, particles, endpoint=False)
    toward = math.atan2(-wf.river.normal[1], -wf.river.normal[0])
    starts = np.vstack([wf.xy[k] + np.column_stack([np.cos(np.append(angles, toward)), np.sin(np.append(angles, toward))])
                        for k in wells])
    reach = 50.0 * float(np.max(wf.river.side(wf.xy)))
    traces = wf.trace(starts, far_m=reach + 1e4, step_max=max(5.0, reach / 500.0))
    river = (traces.ends == "river").reshape(len(wells), particles + 1)
    times = traces.times.reshape(len(wells), particles + 1)
    share = river[:, :particles].mean(axis=1)
    fastest = np.where(river, times, np.inf).min(axis=1)
    return {"critical_rate_m3_d": wf.critical_rate(),
            "river_share": float((share * q[wells]).sum() / q[wells].sum()),
            "river_share_basis": "the field superposed with image wells across the river: share of the back-traced water "
                                 "that starts at the river",
            "river_min_travel_days": float(fastest.min()) if np.isfinite(fastest).any() else np.nan}


def _river_summary(per_well: dict, q: np.ndarray, near: bool, losing: bool, rules: GroundwaterRules) -> dict:
    if not near or not per_well:
        return {"river": "none within reach", "river_share": np.nan, "river_min_travel_days": np.nan}
    share = per_well["share"]
    weighted = float(np.nansum(share * q) / q.sum()) if np.isfinite(share).any() else np.nan
    basis = rules.losing_source if losing else rules.gaining_source
    return {"river": "losing (feeds the aquifer)" if losing else "gaining (drains the aquifer)",
            "river_share": weighted, "river_share_basis": basis,
            "river_min_travel_days": float(np.nanmin(per_well["travel_days"])) if np.isfinite(per_well["travel_days"]).any() else np.nan,
            "river_distance_m": float(np.min(per_well["distance_m"]))}


def _override(zones: pd.DataFrame, study: gpd.GeoDataFrame | None) -> pd.DataFrame:
    if study is None or len(study) == 0:
        return zones
    drawn = study.to_crs(METRIC_CRS)
    for (sid, zone), group in drawn.groupby(["source_id", "zone"]):
        text = "; ".join(sorted({str(s) for s in group.get("study", pd.Series(dtype=object)).dropna()})) or "study polygon"
        rows = (zones["source_id"] == sid) & (zones["zone"] == zone)
        new = {"source_id": sid, "zone": zone, "geometry": group.union_all(),
               "method": _("drawn by a study ({study}); overrides the computed zone").format(study=text)}
        zones = pd.concat([zones[~rows], pd.DataFrame([new])], ignore_index=True)
    return zones


def source_zones(
    sources: gpd.GeoDataFrame,
    wells: gpd.GeoDataFrame,
    *,
    rivers: gpd.GeoDataFrame | None = None,
    study_zones: gpd.GeoDataFrame | None = None,
    rules: GroundwaterRules | None = None,
    method: str = "analytic",
    on_error: str = "raise",
) -> ZoneResult:
    """Zones 1 and 2 and the recharge zone of every source (see module notes).

    Parameters
    ----------
    sources, wells : geopandas.GeoDataFrame
        Validated registers (:func:`zzgeo.groundwater.register.read_sources` / ``read_wells``).
    rivers : geopandas.GeoDataFrame, optional
        River lines (with ``losing``); the nearest within ``river_max_distance_m`` of a
        source's wells makes it riverside.
    study_zones : geopandas.GeoDataFrame, optional
        Polygons drawn by a study; they replace the computed zone of their source.
    rules : GroundwaterRules, optional
        Default ``data/groundwater/rules.toml``.
    method : {"analytic", "timml"}
        ``timml`` models riverside wellfields with timml (wells interfere, the river
        is a head boundary); slower, traces are cached.
    on_error : {"raise", "flag"}
        A source with some aquifer parameters but not all is an error naming it
        (``"raise"``), or is delineated as far as its parameters allow (``"flag"``).
        A source with none is always reported as not delineable, never an error.

    Raises
    ------
    ParameterError
        A partial parameter set (``on_error="raise"``), an unknown method.
    SchemaError
        A well names a source the source register lacks.

    Returns
    -------
    ZoneResult

    Examples
    --------
    One well of 5000 m³/d in 惠济区; K = 30 m/d, I = 0.001, n = 0.2, b = 40 m,
    flow toward the east. By hand: zone 1 R = 1.5 × 30 × 0.001 × 100 / 0.2 =
    22.5 m (π × 22.5² = 0.0016 km²), zone 2 R = 225 m (0.159 km²); the
    stagnation point lies 5000 / (2π × 1.2) = 663.1 m downgradient, the capture
    zone is 5000 / (2 × 1.2) = 2083.3 m wide on each side far upgradient, and
    the 10-year point lies 1250.2 m upgradient
    (:func:`~zzgeo.groundwater.hydro.upgradient_distance_m`):

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.groundwater import read_sources, read_wells, source_zones
    >>> sources = read_sources(gpd.GeoDataFrame(
    ...     {"source_id": ["S1"], "name": ["示例水源"], "level": ["county"], "conductivity_m_d": [30.0], "gradient": [0.001],
    ...      "porosity": [0.2], "thickness_m": [40.0], "flow_azimuth_deg": [90.0]},
    ...     geometry=[Point(113.62, 34.85)], crs="EPSG:4326"))
    >>> wells = read_wells(gpd.GeoDataFrame({"well_id": ["S1-W1"], "source_id": ["S1"], "pumping_m3_d": [5000.0]},
    ...                                     geometry=[Point(113.62, 34.85)], crs="EPSG:4326"))
    >>> result = source_zones(sources, wells)
    >>> result.zones[["zone", "zone_zh", "area_km2"]].round(4).values.tolist()
    [['recharge', '补给区·捕获区包络', 4.2395], ['recharge_tot', '补给区·迁移时间区', 2.2809], ['zone1', '一级保护区', 0.0016], ['zone2', '二级保护区', 0.159]]
    >>> result.sources[["stagnation_m", "ultimate_half_width_m", "recharge_upgradient_m"]].round(1).values.tolist()
    [[663.1, 2083.3, 1250.2]]
    >>> result.zones.loc[result.zones["zone"] == "zone1", "method"].item()
    'HJ 338-2018 R = α·K·I·T/n = 22.5 m (α 1.5, K 30 m/d, I 0.001, T 100 d, n 0.2; unverified)'

    A source with some parameters but not all is an error naming it; with
    ``on_error="flag"`` it is listed with what is missing:

    >>> partial = sources.assign(porosity=[None])
    >>> source_zones(partial, wells)
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: source 'S1' (示例水源): missing n; the recharge zone (capture zone) needs K, i, n, b and the flow direction. ...
    >>> source_zones(partial, wells, on_error="flag").sources["status"].tolist()
    ['cannot be delineated: missing n']
    """
    import geopandas as gpd

    from zzgeo.groundwater.register import check_wells_against_sources

    from zzgeo._problems import check_on_error

    check_on_error(on_error)
    if method not in METHODS:
        raise ParameterError(_("method={method!r}; use one of {methods}").format(method=method, methods=METHODS))
    rules = rules or load_rules()
    sources = sources[sources["valid"]] if "valid" in sources else sources
    wells = wells[wells["valid"]] if "valid" in wells else wells
    check_wells_against_sources(wells, sources)
    zone_rows, source_rows, well_parts = [], [], []
    for _i, src in sources.iterrows():
        mine = wells[wells["source_id"].astype(str) == str(src["source_id"])]
        try:
            zones, row, per_well = _one_source(src, mine, rivers, rules, method, on_error == "raise")
        except ParameterError as exc:
            if on_error == "raise":
                raise ParameterError(_("source {source_id!r} ({name}): {problem}").format(
                    source_id=src["source_id"], name=src["name"], problem=exc)) from None
            zones, row, per_well = [], {"source_id": src["source_id"], "name": src["name"], "status": f"cannot be delineated: {exc}"}, {}
        zone_rows += [{**z, "source_id": src["source_id"]} for z in zones]
        source_rows.append(row)
        well_parts.append(_well_table(mine, per_well))
    zones = _override(pd.DataFrame(zone_rows, columns=["source_id", "zone", "geometry", "method"]), study_zones)
    table = pd.DataFrame(source_rows)
    zone_gdf = _finish_zones(zones, table, sources)
    demo = any(bool(f["demo"].astype(bool).any()) for f in (sources, wells) if "demo" in f)
    wells_out = gpd.GeoDataFrame(pd.concat(well_parts, ignore_index=True), crs=wells.crs) if well_parts else wells.iloc[:0]
    levels = dict(zip(sources["source_id"], sources["level"])) if "level" in sources else {}
    meta = {"document": DOC_NUMBER, "clause": "三(三)9", "method": method, "rules": rules.describe(), "demo": demo,
            "levels": {k: (v if isinstance(v, str) else None) for k, v in levels.items()}, "notes": _notes(table, demo)}
    return ZoneResult(zones=zone_gdf, sources=table, wells=wells_out, meta=meta)


def _well_table(wells: gpd.GeoDataFrame, per_well: dict) -> pd.DataFrame:
    out = wells.copy()
    for key, col in (("distance_m", "distance_to_river_m"), ("travel_days", "river_travel_days"), ("share", "river_share")):
        out[col] = per_well.get(key, np.full(len(wells), np.nan))
    return out


def _finish_zones(zones: pd.DataFrame, table: pd.DataFrame, sources: pd.DataFrame) -> gpd.GeoDataFrame:
    import geopandas as gpd

    names = dict(zip(table["source_id"], table["name"]))
    out = gpd.GeoDataFrame(zones, geometry="geometry", crs=METRIC_CRS)
    out["name"] = out["source_id"].map(names)
    out["zone_zh"] = out["zone"].map(ZONE_LABELS)
    out["area_km2"] = out.geometry.area / 1e6
    out["demo"] = bool(sources["demo"].astype(bool).any()) if "demo" in sources else False
    out = out.to_crs(STORAGE_CRS)
    return out[["source_id", "name", "zone", "zone_zh", "method", "area_km2", "demo", "geometry"]].sort_values(["source_id", "zone"]).reset_index(drop=True)


def _notes(table: pd.DataFrame, demo: bool) -> list[str]:
    notes = []
    if demo:
        notes.append(_("DEMO DATA: wells, pumping rates and aquifer parameters are synthetic; the pilot names are real"))
    for _i, row in table[~table["status"].astype(str).str.startswith("delineated")].iterrows():
        notes.append(_("{name}: {status}").format(name=row["name"], status=source_status_text(str(row["status"]))))
    notes.append(_("zones are planning estimates from analytic solutions, not an official delineation (三(三)9(1) asks for a study)"))
    return notes


def source_status_text(status: str) -> str:
    """A source's ``status`` (English, kept so in the table and JSON) in the interface language, for a note or the console."""
    partly, cannot = "partly delineated (zones 1/2): missing ", "cannot be delineated: "
    if status == "delineated (computed)":
        return _("delineated (computed)")
    if status.startswith(partly):
        return _("partly delineated (zones 1/2): missing {parameters}").format(parameters=status[len(partly):])
    if status == cannot + "no wells":
        return _("cannot be delineated: no wells")
    if status == cannot + "no aquifer parameters":
        return _("cannot be delineated: no aquifer parameters")
    if status.startswith(cannot + "missing "):
        return _("cannot be delineated: missing {parameters}").format(parameters=status[len(cannot + "missing "):])
    if status.startswith(cannot):
        return _("cannot be delineated: {reason}").format(reason=status[len(cannot):])
    return status


def zone_records(result: ZoneResult) -> dict:
    """JSON-ready: meta, one record per source, one per zone (without geometry).

    Parameters
    ----------
    result : ZoneResult

    Returns
    -------
    dict
        The keys of ``result.meta`` plus ``sources`` and ``zones`` (lists of
        records); NaN becomes None.

    Examples
    --------
    A zone 1 of R = 22.5 m drawn by hand (π × 22.5² m² = 0.00159 km²):

    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import Point
    >>> well = gpd.GeoDataFrame({"well_id": ["S1-W1"], "source_id": ["S1"]}, geometry=[Point(465000, 3858000)], crs="EPSG:4547")
    >>> zone1 = gpd.GeoDataFrame({"source_id": ["S1"], "zone": ["zone1"], "area_km2": [0.00159]}, geometry=well.buffer(22.5))
    >>> result = ZoneResult(zones=zone1, sources=pd.DataFrame({"source_id": ["S1"], "name": ["示例水源"], "river_share": [float("nan")]}),
    ...                     wells=well, meta={"document": "郑政文〔2022〕49号", "demo": False})
    >>> zone_records(result)
    {'document': '郑政文〔2022〕49号', 'demo': False, 'sources': [{'source_id': 'S1', 'name': '示例水源', 'river_share': None}], 'zones': [{'source_id': 'S1', 'zone': 'zone1', 'area_km2': 0.00159}]}
    """
    from zzgeo._records import json_safe

    zones = result.zones.drop(columns="geometry").to_dict("records")
    return json_safe({**result.meta, "sources": result.sources.to_dict("records"), "zones": zones})
