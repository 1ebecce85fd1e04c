"""Riverside wellfields with timml: wells that interfere, a river as a head boundary, traced capture zones.

timml (Bakker & Brakenhoff, MIT) is a steady analytic-element model. zzgeo builds,
for one wellfield, in metres around the wells' centre:

* ``ModelMaq`` with the source's K, saturated thickness b and effective porosity n;
* ``Uflow`` with the regional gradient i toward the flow azimuth, and a ``Constant``
  reference head downgradient;
* the river as separate head-specified line-sinks (``River``, formerly
  ``HeadLineSink``), short near the wells and up to ``timml_segment_m`` far away,
  whose heads follow the regional field (``HeadLineSinkString`` fails under
  numpy 2.4, DOMAIN.md), within a window around the wellfield;
* one ``Well`` per well.

Each well's ``capzone`` back-traces ``timml_traces`` particles for the recharge
travel time; the zone is the concave hull of the traced paths, merged over the
wells. A trace that ends on a line-sink started at the river: their share is the
river's share of the pumped water (particles leave the well evenly), and their
times are river-to-well travel times. Tracing is pure Python (seconds per well
with a river), so results are cached per wellfield and parameters.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np


__all__ = ["timml_available", "trace_capture", "timml_zone"]


def timml_available() -> bool:
    """Whether timml (the ``riverside`` extra) can be imported."""
    from zzgeo.extras import available

    return available("timml")


def _segments(river_xy: np.ndarray, wells_xy: np.ndarray, longest_m: float) -> np.ndarray:
    """The river as ``(m, 4)`` segment end points: short near the wells (a third of the distance, >= 50 m), up to *longest_m* far away.

    A head-specified line-sink holds its head at one control point per segment, so
    segments long compared with the well-river distance let the boundary leak
    (a 500 m discretisation 300 m from a well gave travel times 9 % too long).
    """
    import shapely

    line = shapely.LineString(river_xy)
    wells = shapely.multipoints(wells_xy)
    at = [0.0]
    while at[-1] < line.length:
        here = line.interpolate(at[-1])
        at.append(min(line.length, at[-1] + float(np.clip(shapely.distance(here, wells) / 3.0, 50.0, longest_m))))
    pts = shapely.get_coordinates(shapely.line_interpolate_point(line, np.asarray(at)))
    return np.column_stack([pts[:-1], pts[1:]])


@functools.lru_cache(maxsize=32)
def trace_capture(
    wells: tuple[tuple[float, float, float], ...],
    K: float, b: float, n: float, i: float, azimuth_deg: float,
    river: tuple[tuple[float, float], ...] | None,
    *, tmax_days: float, traces: int, segment_m: float = 1000.0, step_m: float | None = None,
) -> tuple[tuple[np.ndarray, ...], ...]:
    """Back-traced capture paths of every well (local metres, cached).

    Parameters
    ----------
    wells : tuple of (x, y, Q)
        Well positions (m, any local origin) and pumping rates (m³/d).
    K, b, n, i, azimuth_deg :
        Aquifer parameters and the direction the regional flow runs toward (° from north).
    river : tuple of (x, y), optional
        River vertices in the same coordinates (a head boundary), or None.
    tmax_days : float
        Back-tracing time.
    traces : int
        Particles per well.
    step_m : float, optional
        Largest tracing step (default: b, between 10 and 100 m).

    Returns
    -------
    tuple (one per well) of tuples of arrays
        Each trace as an ``(m, 5)`` array: x, y, z, t (days), and 1.0 in the last
        column where the trace ended on the river (0.0 otherwise).
    """
    from zzgeo.extras import require

    timml = require("timml", extra="riverside", purpose="method='timml' (riverside wellfields)")
    from zzgeo.groundwater.hydro import check_aquifer

    check_aquifer(K=K, b=b, n=n, i=i)
    flow = np.array([math.sin(math.radians(azimuth_deg)), math.cos(math.radians(azimuth_deg))])
    ml = timml.ModelMaq(kaq=K, z=[b, 0.0], npor=n)
    timml.Uflow(ml, slope=i, angle=math.degrees(math.atan2(flow[1], flow[0])))
    ref = np.mean([(w[0], w[1]) for w in wells], axis=0) + 5000.0 * flow
    h_ref = b + 20.0
    timml.Constant(ml, xr=float(ref[0]), yr=float(ref[1]), hr=h_ref)
    river_element = getattr(timml, "River", None) or timml.HeadLineSink  # River replaces HeadLineSink in timml >= 6.9
    if river is not None:
        for x1, y1, x2, y2 in _segments(np.asarray(river, dtype=float), np.array([(w[0], w[1]) for w in wells]), segment_m):
            mid = np.array([(x1 + x2) / 2, (y1 + y2) / 2])
            head = h_ref + i * float((ref - mid) @ flow)  # the regional field's head there
            river_element(ml, x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), hls=head)
    objs = [timml.Well(ml, xw=float(x), yw=float(y), Qw=float(Q), rw=0.3) for x, y, Q in wells]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ml.solve(silent=True)
        out = []
        for w, (_x, _y, Q) in zip(objs, wells):
            if Q <= 0:
                out.append(())
                continue
            step = step_m or max(10.0, min(100.0, b))
            reach = K * i * tmax_days / n + 4.0 * Q / (2.0 * math.pi * K * b * i) + 10 * step  # regional travel + near-well speed-up
            result = w.capzone(nt=traces, zstart=b / 2.0, hstepmax=step, nstepmax=int(reach / step) + 100, tmax=tmax_days,
                               metadata=True, silent=True)
            out.append(tuple(np.column_stack([np.asarray(r["trace"], dtype=float),
                                              np.full(len(r["trace"]), 1.0 if "linesink" in str(r["message"]) else 0.0)])
                             for r in result))
    return tuple(out)


def timml_zone(xy: np.ndarray, q: np.ndarray, aq, river, rules) -> tuple[object, str, dict, dict]:
    """Recharge zone, method text, figures and per-well river figures of one wellfield, by timml.

    *xy* are the wells in EPSG:4547, *river* a line in EPSG:4547 (or None), *aq* an
    :class:`~zzgeo.groundwater.zones.Aquifer`, *rules* the groundwater rules.
    """
    import shapely

    origin = xy.mean(axis=0)
    river_local = None
    reach = 15_000.0
    if river is not None:
        window = shapely.box(*(origin - reach), *(origin + reach))
        clipped = shapely.intersection(river, window)
        if not clipped.is_empty:
            parts = sorted(shapely.get_parts(clipped), key=lambda g: -g.length)
            river_local = tuple(map(tuple, shapely.get_coordinates(parts[0]) - origin))
    wells = tuple((float(x), float(y), float(Q)) for (x, y), Q in zip(np.round(xy - origin, 3), q))
    paths = trace_capture(wells, aq.K, aq.b, aq.n, aq.i, aq.azimuth_deg, river_local,
                          tmax_days=rules.recharge_days, traces=rules.timml_traces, segment_m=rules.timml_segment_m)
    polygons, share, days = [], np.full(len(q), np.nan), np.full(len(q), np.nan)
    for k, well_paths in enumerate(paths):
        if not well_paths:
            continue
        pts = np.vstack([p[:, :2] for p in well_paths]) + origin
        polygons.append(shapely.buffer(shapely.concave_hull(shapely.multipoints(pts), ratio=0.3), 1.0))
        river_end = np.array([p[-1, 4] > 0 for p in well_paths])
        share[k] = float(river_end.mean())
        if river_end.any():
            days[k] = float(min(p[-1, 3] for p, r in zip(well_paths, river_end) if r))
    from zzgeo.i18n import _

    method = _("timml analytic-element model ({traces} back-traces per well, {days:g} days; river as head-specified line-sinks); "
               "K {k:g} m/d, b {b:g} m, i {i:g}, n {n:g}, flow toward {azimuth:g}°").format(
                   traces=rules.timml_traces, days=rules.recharge_days, k=aq.K, b=aq.b, i=aq.i, n=aq.n, azimuth=aq.azimuth_deg)
    figures = {"traces_per_well": rules.timml_traces}
    dist = shapely.distance(shapely.points(xy), river) if river is not None else np.full(len(q), np.nan)
    return shapely.union_all(polygons), method, figures, {"distance_m": dist, "travel_days": days, "share": share}
