"""A wellfield as one system: uniform regional flow plus every well, superposed, and traced.

Steady two-dimensional flow in a homogeneous aquifer (Dupuit; transmissivity
K·b) is linear, so the flow of a wellfield is the regional flow plus the flow
to each well (the complex potential Ω = −q·z + Σ Q_j/(2π)·ln(z − z_j)), plus,
where a straight river holds the head, an image recharge well mirrored across
it for every well. :class:`Wellfield` gives the discharge at any point, its
stagnation points (the roots of a polynomial) and traces particles through it
with the seepage velocity (discharge / (n·b)):

* :meth:`Wellfield.travel_time_zone` — the **time-of-travel zone**: every point
  from which water reaches a well within *T* days, by backward particle tracking
  from each well (particles leave a well evenly, so each carries the same share
  of its water; more are added where neighbouring paths part);
* :meth:`Wellfield.capture_envelope` — the **capture envelope**: the capture zone
  (every point whose water reaches a well at all) cut by a line across the flow
  at the upgradient end of the *T*-day zone; a superset of the travel-time zone,
  as the single-well envelope cut at its centreline distance always was;
* :meth:`Wellfield.critical_rate` — the pumping of the field (all wells scaled
  together) at which a gaining river starts to feed it, from the flux the wells
  draw across the river line.

Wells interfere: three wells of 5,000 m³/d 600 m apart across a flow of
q = 1.2 m²/d have one capture zone 12,500 m wide far upgradient (ΣQ/q) and a
stagnation point 1,865 m downgradient, the real root of
q·z·(z² + s²) − (Q/2π)·(3z² + s²) = 0, where each alone would have 663 m.
With one well the field is the single-well solution of
:mod:`zzgeo.groundwater.hydro`.

Coordinates are metres in any metric CRS; Q in m³/d, K in m/d, lengths in m,
times in days.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from zzgeo.errors import ParameterError
from zzgeo.groundwater import hydro
from zzgeo.i18n import _

__all__ = ["River", "Traces", "Wellfield"]


def _thin(path: np.ndarray, tolerance: float = 0.5) -> np.ndarray:
    """A traced path with the points a straight line within *tolerance* metres would not miss left out."""
    import shapely

    if len(path) < 3:
        return path
    return shapely.get_coordinates(shapely.simplify(shapely.LineString(path), tolerance))


@dataclass(frozen=True)
class River:
    """A straight river line that holds the regional head (a fully penetrating constant-head boundary).

    Attributes
    ----------
    point : numpy.ndarray
        A point of the line (m).
    normal : numpy.ndarray
        Unit normal pointing from the river into the aquifer, toward the wells.

    Examples
    --------
    A river along the x axis with a well 300 m north of it: the image well
    lies 300 m south. With the regional flow (q = K·b·i = 1.2 m²/d) toward
    the river, the river starts to feed the well above π·q·d = π × 1.2 × 300
    = 1131.0 m³/d:

    >>> river = River.through([0, 0], [1000, 0], toward=[0, 300])
    >>> river.side([[0, 300], [300, -200]]), river.mirror([[0, 300]])
    (array([ 300., -200.]), array([[   0., -300.]]))
    >>> field = Wellfield(xy=[[0, 300]], Q=[5000], K=30, b=40, i=0.001, n=0.2, flow=[0, -1], river=river)
    >>> round(field.critical_rate(), 1)
    1131.0
    """

    point: np.ndarray
    normal: np.ndarray

    @classmethod
    def through(cls, a: np.ndarray, b: np.ndarray, toward: np.ndarray) -> River:
        """The line through *a* and *b*, its normal toward the point *toward*."""
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        d = (b - a) / np.linalg.norm(b - a)
        normal = np.array([-d[1], d[0]])
        if (np.asarray(toward, dtype=float) - a) @ normal < 0:
            normal = -normal
        return cls(a, normal)

    def side(self, xy: np.ndarray) -> np.ndarray:
        """Signed distance from the river, positive on the aquifer's side (m)."""
        return (np.asarray(xy, dtype=float) - self.point) @ self.normal

    def mirror(self, xy: np.ndarray) -> np.ndarray:
        """Points mirrored across the river line."""
        xy = np.asarray(xy, dtype=float)
        return xy - 2.0 * np.outer(self.side(xy), self.normal)


@dataclass
class Traces:
    """Backward-traced paths from one well, in release order around it.

    Attributes
    ----------
    angles : numpy.ndarray
        Release angle of each path (radians).
    paths : list of numpy.ndarray
        ``(m, 2)`` positions from the well outward (backward in time).
    times : numpy.ndarray
        Travel time of each path's last point to the well (days).
    ends : numpy.ndarray of str
        Why each path stopped: ``"time"``, ``"cut"``, ``"river"``, ``"stagnation"`` or ``"far"``.
    """

    angles: np.ndarray
    paths: list[np.ndarray]
    times: np.ndarray
    ends: np.ndarray

    def endpoints(self) -> np.ndarray:
        return np.array([p[-1] for p in self.paths])


@dataclass(frozen=True)
class Wellfield:
    """Pumping wells in a uniform regional flow, and optionally a straight river (see module notes).

    Parameters
    ----------
    xy : array of shape (N, 2)
        Well positions (m).
    Q : array of shape (N,)
        Pumping rates (m³/d, >= 0).
    K, b, i, n : float
        Hydraulic conductivity (m/d), saturated thickness (m), regional gradient, effective porosity.
    flow : array of shape (2,)
        Direction the regional flow runs toward (unit vector).
    river : River, optional
        A head boundary; image wells make its head the regional one, unchanged by pumping.

    Examples
    --------
    >>> field = Wellfield(xy=[[0, -600], [0, 0], [0, 600]], Q=[5000] * 3, K=30, b=40, i=0.001, n=0.2, flow=[1, 0])
    >>> round(field.downgradient_stagnation_m(), 1), field.ultimate_width_m()
    (1865.0, 12500.0)
    >>> zone, _ = field.travel_time_zone(1000)
    >>> len(zone.geoms), round(field.upgradient_extent_m(zone))
    (3, 662)
    """

    xy: np.ndarray
    Q: np.ndarray
    K: float
    b: float
    i: float
    n: float
    flow: np.ndarray
    river: River | None = None
    _sources: tuple = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        hydro.check_aquifer(K=self.K, b=self.b, i=self.i, n=self.n)
        xy = np.atleast_2d(np.asarray(self.xy, dtype=float))
        Q = np.asarray(self.Q, dtype=float).ravel()
        if len(xy) != len(Q) or len(Q) == 0:
            raise ParameterError(_("a wellfield needs one pumping rate per well; got {wells} wells and {rates} rates").format(
                wells=len(xy), rates=len(Q)))
        if (Q < 0).any() or not np.isfinite(Q).all():
            raise ParameterError(_("pumping rates must be finite and >= 0; got {rates!r}").format(rates=Q.tolist()))
        if Q.sum() <= 0:
            raise ParameterError(_("no well pumps (all pumping rates are 0)"))
        flow = np.asarray(self.flow, dtype=float)
        flow = flow / np.linalg.norm(flow)
        if self.river is not None and (self.river.side(xy) <= 0).any():
            raise ParameterError(_("a well lies on or beyond the river line"))
        pos, strength = xy[Q > 0], Q[Q > 0]
        if self.river is not None:
            pos, strength = np.vstack([pos, self.river.mirror(pos)]), np.concatenate([strength, -strength])
        object.__setattr__(self, "xy", xy)
        object.__setattr__(self, "Q", Q)
        object.__setattr__(self, "flow", flow)
        object.__setattr__(self, "_sources", (pos, strength))

    # ------------------------------------------------------------------ the flow

    @property
    def q(self) -> float:
        """Regional discharge per unit width, K·b·i (m²/d)."""
        return self.K * self.b * self.i

    def discharge(self, xy: np.ndarray) -> np.ndarray:
        """Discharge per unit width (m²/d) at points *xy* ``(P, 2)``: regional flow plus every (image) well."""
        xy = np.atleast_2d(np.asarray(xy, dtype=float))
        pos, regional, per_source = self._discharge_terms
        d = xy[:, None, :] - pos[None, :, :]
        r2 = np.maximum(np.einsum("pkj,pkj->pk", d, d), 1e-12)
        return regional - np.einsum("k,pkj->pj", per_source, d / r2[:, :, None])

    @functools.cached_property
    def _discharge_terms(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The sources, q·flow and each source's Q/(2π): the same floats on every call of :meth:`discharge`."""
        pos, strength = self._sources
        return pos, self.q * self.flow, strength / (2.0 * math.pi)

    def velocity(self, xy: np.ndarray) -> np.ndarray:
        """Seepage velocity (m/d): discharge / (n·b)."""
        return self.discharge(xy) / (self.n * self.b)

    def _local(self, xy: np.ndarray) -> np.ndarray:
        """Coordinates along the flow (u) and to its left (v), origin at the first well."""
        d = np.asarray(xy, dtype=float) - self.xy[0]
        return np.column_stack([d @ self.flow, d @ np.array([-self.flow[1], self.flow[0]])])

    def _world(self, uv: np.ndarray) -> np.ndarray:
        left = np.array([-self.flow[1], self.flow[0]])
        uv = np.atleast_2d(uv)
        return self.xy[0] + np.outer(uv[:, 0], self.flow) + np.outer(uv[:, 1], left)

    def stagnation_points(self) -> np.ndarray:
        """Every point where the discharge vanishes ``(S, 2)``, on the aquifer's side of the river.

        With the flow along +u, W(z) = q − Σ Q_j/(2π·(z − z_j)) (images included) is zero where
        q·Π(z − z_k) − Σ_j Q_j/(2π)·Π_{k≠j}(z − z_k) = 0: the roots of a polynomial.
        """
        pos, strength = self._sources
        z = self._local(pos) @ np.array([1.0, 1j])
        poly = self.q * np.poly(z)
        for j in range(len(z)):
            others = np.delete(z, j)
            term = np.poly(others) if len(others) else np.array([1.0])
            poly = poly - np.concatenate([[0.0] * (len(poly) - len(term)), strength[j] / (2.0 * math.pi) * term])
        roots = np.roots(poly)
        uv = np.column_stack([roots.real, roots.imag])
        pts = self._world(uv)
        keep = np.linalg.norm(self.discharge(pts), axis=1) < 1e-6 * max(self.q, 1e-12) * 10 + 1e-9
        if self.river is not None:
            keep &= self.river.side(pts) > 0
        return pts[keep]

    def downgradient_stagnation_m(self) -> float:
        """How far downgradient of the most downgradient well the farthest stagnation point on its
        side lies (m): the single-well Q/(2π·K·b·i) when the field is one well."""
        pts = self.stagnation_points()
        if len(pts) == 0:
            return float("nan")
        wells_u = self._local(self.xy[self.Q > 0])[:, 0]
        return float(self._local(pts)[:, 0].max() - wells_u.max())

    def ultimate_width_m(self) -> float:
        """Width of the capture zone far upgradient, ΣQ/(K·b·i) (m); without a river."""
        return float(self.Q.sum() / self.q)

    def critical_rate(self) -> float:
        """Total pumping (m³/d, all wells scaled together) above which the river feeds the field.

        Along the river line the wells and their images draw a flux into the aquifer of
        Σ Q_j·d_j / (π·((t − t_j)² + d_j²)) per unit length (d_j a well's distance, t along the
        river); the regional flow carries q_n toward the river (a gaining river, q_n > 0). The
        river starts to feed the field when the drawn flux first exceeds q_n somewhere:
        at ΣQ·q_n / max(drawn). 0 for a losing river (regional flow away from it: it always
        feeds the field); NaN without a river.
        """
        if self.river is None:
            return float("nan")
        q_n = -self.q * float(self.flow @ self.river.normal)  # toward the river
        if q_n <= 0:
            return 0.0
        d = self.river.side(self.xy)
        along = np.array([-self.river.normal[1], self.river.normal[0]])
        t_wells = (self.xy - self.river.point) @ along
        t = np.linspace(t_wells.min() - 5 * d.max(), t_wells.max() + 5 * d.max(), 4001)
        drawn = (self.Q[None, :] * d[None, :] / (math.pi * ((t[:, None] - t_wells[None, :]) ** 2 + d[None, :] ** 2))).sum(axis=1)
        from scipy.optimize import minimize_scalar

        k = int(np.argmax(drawn))
        f = lambda s: -float((self.Q * d / (math.pi * ((s - t_wells) ** 2 + d ** 2))).sum())  # noqa: E731
        best = minimize_scalar(f, bounds=(t[max(k - 1, 0)], t[min(k + 1, len(t) - 1)]), method="bounded", options={"xatol": 1e-6})
        return float(self.Q.sum() * q_n / -best.fun)

    # ------------------------------------------------------------------ particles

    def _step_bound(self, pts: np.ndarray, step_max: float, near: np.ndarray) -> np.ndarray:
        """A step a fifth of the distance to the nearest of the points *near* (the wells and stagnation points,
        where the direction turns fastest), between 5 cm and *step_max*."""
        d = np.sqrt(((pts[:, None, :] - near[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
        return np.clip(0.2 * d, 0.05, step_max)

    def trace(self, starts: np.ndarray, *, t_max: float = math.inf, u_cut: float | None = None, backward: bool = True,
              step_max: float = 50.0, max_steps: int = 20000, far_m: float = 1e6) -> Traces:
        """Trace particles from *starts* through the field (backward in time by default).

        Each step is a fourth-order Runge-Kutta step along the unit direction of the
        velocity, its length a fifth of the distance to the nearest well or stagnation
        point (at most *step_max*); time is the Simpson sum of length / speed. A particle stops when
        its time reaches *t_max* (the last step is shortened to end exactly there),
        when it passes the line ``u = u_cut`` across the flow (upgradient), when it
        reaches the river, when it comes to rest (a stagnation point) or strays
        *far_m* from the field.
        """
        sign = -1.0 if backward else 1.0
        pts = np.atleast_2d(np.asarray(starts, dtype=float)).copy()
        P = len(pts)
        t = np.zeros(P)
        alive = np.ones(P, dtype=bool)
        ends = np.full(P, "", dtype=object)
        steps: list[tuple[np.ndarray, np.ndarray]] = [(np.arange(P), pts.copy())]  # (which particles, where) per step
        centre = self.xy.mean(axis=0)

        def direction(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            v = self.velocity(x)
            s = np.sqrt(np.add.reduce(v * v, axis=1))  # what np.linalg.norm(v, axis=1) computes, without its checks
            return sign * v / np.maximum(s, 1e-300)[:, None], s

        scale = np.ones(P)  # shrinks where a step overshoots a stagnation point, grows back after
        stagnation = self.stagnation_points()
        near = np.vstack([self._sources[0], stagnation]) if len(stagnation) else self._sources[0]
        for _step in range(max_steps):
            idx = np.flatnonzero(alive)
            if len(idx) == 0:
                break
            x = pts[idx]
            h = self._step_bound(x, step_max, near) * scale[idx]
            k1, s1 = direction(x)
            k2, s2 = direction(x + 0.5 * h[:, None] * k1)
            k3, s3 = direction(x + 0.5 * h[:, None] * k2)
            k4, s4 = direction(x + h[:, None] * k3)
            with np.errstate(divide="ignore"):
                dt = h / 6.0 * (1.0 / s1 + 2.0 / s2 + 2.0 / s3 + 1.0 / s4)
            new = x + h[:, None] / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
            frac = np.ones(len(idx))
            why = np.full(len(idx), "", dtype=object)
            over = t[idx] + dt >= t_max
            frac[over] = np.clip((t_max - t[idx][over]) / dt[over], 0.0, 1.0)
            why[over] = "time"
            if u_cut is not None:
                u_old, u_new = self._local(x)[:, 0], self._local(new)[:, 0]
                crossed = (u_new < u_cut) & (u_old >= u_cut)
                f = np.where(crossed, (u_old - u_cut) / np.maximum(u_old - u_new, 1e-300), 1.0)
                earlier = crossed & (f < frac)
                frac[earlier], why[earlier] = f[earlier], "cut"
            if self.river is not None:
                s_old, s_new = self.river.side(x), self.river.side(new)
                hit = s_new <= 0
                f = np.where(hit, s_old / np.maximum(s_old - s_new, 1e-300), 1.0)
                earlier = hit & (f < frac)
                frac[earlier], why[earlier] = f[earlier], "river"
            # the direction turns back within the step: it overshot a stagnation point. Retry with half the
            # step (the time spent creeping toward the point is counted), and stop only at a centimetre: there
            # the particle sits on the stagnation point
            turned = np.einsum("ij,ij->i", k1, k4) < -0.5
            rest = (~np.isfinite(dt) | (np.minimum.reduce([s1, s2, s3, s4]) < 1e-9 * self.q / (self.n * self.b))
                    | (turned & (h < 0.01)))
            retry = turned & ~rest & (why == "")
            scale[idx[retry]] *= 0.5
            scale[idx[~turned]] = np.minimum(scale[idx[~turned]] * 2.0, 1.0)
            why[rest & (why == "")] = "stagnation"
            frac[rest | retry] = 0.0
            far = np.linalg.norm(new - centre, axis=1) > far_m
            why[far & (why == "")] = "far"
            end_pos = x + frac[:, None] * (new - x)
            t[idx] += np.where(np.isfinite(dt), frac * dt, 0.0)
            pts[idx] = end_pos
            moved = ~retry
            steps.append((idx[moved], end_pos[moved]))
            done = why != ""
            ends[idx[done]] = why[done]
            alive[idx[done]] = False
        ends[alive] = "steps"
        which = np.concatenate([w for w, _ in steps])
        where = np.vstack([x for _t, x in steps])
        order = np.argsort(which, kind="stable")  # each particle's positions, in step order
        bounds = np.searchsorted(which[order], np.arange(P + 1))
        paths = [where[order[bounds[k]:bounds[k + 1]]] for k in range(P)]
        return Traces(angles=np.zeros(P), paths=paths, times=t, ends=ends)

    #: Where a gap between neighbouring paths is split: near both ends first, so that paths parting around a
    #: stagnation point close in on its dividing streamline by a factor of 256 per round.
    _SPLITS = np.array([1 / 256, 1 / 16, 1 / 4, 1 / 2, 3 / 4, 15 / 16, 255 / 256])

    def _fans(self, *, particles: int, refine_m: float, max_particles: int, **trace) -> list[Traces]:
        """Backward traces from every pumping well, released evenly around it and refined where neighbours part;
        every round traces the new particles of all wells together."""
        r0 = 1.0
        wells = np.flatnonzero(self.Q > 0)
        angles = np.linspace(0.0, 2 * math.pi, particles, endpoint=False)

        def run(per_well: list[np.ndarray]) -> list[Traces]:
            starts = np.vstack([self.xy[w] + r0 * np.column_stack([np.cos(a), np.sin(a)]) for w, a in zip(wells, per_well)])
            out = self.trace(starts, **trace)
            fans, k = [], 0
            for a in per_well:
                m = len(a)
                fans.append(Traces(a, out.paths[k:k + m], out.times[k:k + m], out.ends[k:k + m]))
                k += m
            return fans

        fans = run([angles] * len(wells))
        for _round in range(12):
            extra = []
            for fan in fans:
                ends = fan.endpoints()
                gap = np.linalg.norm(np.roll(ends, -1, axis=0) - ends, axis=1)
                dtheta = (np.roll(fan.angles, -1) - fan.angles) % (2 * math.pi)
                straight = self._straight(fan)
                split = (gap > refine_m) & (dtheta > 1e-7) & ~straight  # 1e-7 rad at 1 m: parting paths follow the divide
                if len(fan.angles) >= max_particles:
                    split[:] = False
                parting = split & (dtheta < 1e-3)  # still far apart at a milliradian: they part around a stagnation point
                even = split & ~parting  # a wide gap: as many particles as it is refinements wide (at most 7)
                parts = np.clip(np.ceil(gap[even] / refine_m), 2, 8).astype(int)
                fractions = [np.arange(1, m) / m for m in parts]
                new = [a + d * f for a, d, f in zip(fan.angles[even], dtheta[even], fractions)]
                new.append((fan.angles[parting, None] + dtheta[parting, None] * self._SPLITS[None, :]).ravel())
                extra.append(np.concatenate(new) % (2 * math.pi) if new else np.zeros(0))
            if not any(len(e) for e in extra):
                break
            added = run(extra)
            merged = []
            for fan, new in zip(fans, added):
                angles_all = np.concatenate([fan.angles, new.angles])
                order = np.argsort(angles_all, kind="stable")
                merged.append(Traces(angles_all[order], [(fan.paths + new.paths)[k] for k in order],
                                     np.concatenate([fan.times, new.times])[order], np.concatenate([fan.ends, new.ends])[order]))
            fans = merged
        return fans

    def _straight(self, traces: Traces) -> np.ndarray:
        """Neighbours that end one after the other on the same straight line (the cut, the river): the piece
        between them is straight, however wide. Not so where the order along the line turns back: there
        the two paths part around a stagnation point and reach the line at its two ends."""
        same = (traces.ends == np.roll(traces.ends, -1)) & np.isin(traces.ends, ("cut", "river"))
        if not same.any():
            return same
        ends = traces.endpoints()
        along = np.where(traces.ends == "river",
                         ends @ (np.array([-self.river.normal[1], self.river.normal[0]]) if self.river is not None else self.flow),
                         ends @ np.array([-self.flow[1], self.flow[0]]))
        step = np.roll(along, -1) - along
        out = same.copy()
        for kind in ("cut", "river"):
            mine = same & (traces.ends == kind)
            if mine.sum() >= 2:
                usual = np.sign(np.median(step[mine]))
                out[mine & (np.sign(step) != usual)] = False  # turns back: a parting, not a straight piece
        return out

    def _ring(self, traces: Traces, refine_m: float) -> np.ndarray:
        """The boundary of the region a well's traces sweep: their end points in release order, and the
        whole paths of neighbours that part (they follow a dividing streamline from a stagnation point)."""
        ends = traces.endpoints()
        gap = np.linalg.norm(np.roll(ends, -1, axis=0) - ends, axis=1)
        straight = self._straight(traces)
        ring = []
        for k in range(len(ends)):
            ring.append(ends[k])
            if gap[k] > refine_m and not straight[k]:  # k and k+1 part around a stagnation point: back along k, out along k+1
                nxt = (k + 1) % len(ends)
                ring.extend(_thin(traces.paths[k])[::-1])
                ring.extend(_thin(traces.paths[nxt]))
        return np.array(ring)

    def _zone(self, *, particles: int, refine_m: float, max_particles: int, **trace):
        """The region the wells' traces sweep: each well's ring, made valid, united."""
        import shapely

        fans = self._fans(particles=particles, refine_m=refine_m, max_particles=max_particles, **trace)
        polygons = [shapely.make_valid(shapely.Polygon(self._ring(fan, refine_m))) for fan in fans]
        zone = shapely.simplify(shapely.union_all(polygons), 0.2)
        # neighbouring wells' zones meet along their dividing streamline, which both rings follow to within the
        # finest split (1e-7 rad): close slivers of up to 2 m, never the slow water around a stagnation point
        return shapely.buffer(shapely.buffer(zone, 1.0, quad_segs=4), -1.0, quad_segs=4), fans

    def travel_time_zone(self, days: float, *, particles: int = 72, refine_m: float | None = None,
                         max_particles: int = 1500):
        """The *days* time-of-travel zone: every point whose water reaches a well within *days* (a shapely polygon).

        Returns
        -------
        (polygon, fans) : shapely geometry, list of Traces
            The zone and each pumping well's traces (river share: the share of a
            well's traces that ended at the river).
        """
        if not days > 0:
            raise ParameterError(_("travel time {days!r}: give a number of days > 0").format(days=days))
        reach = self.K * self.i * days / self.n
        refine = refine_m or max(5.0, min(200.0, 0.05 * reach))
        return self._zone(particles=particles, refine_m=refine, max_particles=max_particles, t_max=days,
                          step_max=max(5.0, min(100.0, reach / 50.0)), far_m=50.0 * reach + 1e5)

    def upgradient_extent_m(self, zone) -> float:
        """How far upgradient of the most upgradient well *zone* reaches (m)."""
        import shapely

        u = self._local(shapely.get_coordinates(zone))[:, 0]
        return float(self._local(self.xy[self.Q > 0])[:, 0].min() - u.min())

    def downgradient_extent_m(self, zone) -> float:
        """How far downgradient of the most downgradient well *zone* reaches (m)."""
        import shapely

        u = self._local(shapely.get_coordinates(zone))[:, 0]
        return float(u.max() - self._local(self.xy[self.Q > 0])[:, 0].max())

    def capture_envelope(self, upgradient_m: float, *, particles: int = 72, refine_m: float | None = None,
                         max_particles: int = 1500):
        """The capture zone cut by a line across the flow *upgradient_m* upgradient of the most upgradient well.

        Returns
        -------
        (polygon, fans) : shapely geometry, list of Traces
        """
        if not upgradient_m > 0:
            raise ParameterError(_("upgradient distance {distance!r}: give metres > 0").format(distance=upgradient_m))
        u_cut = self._local(self.xy[self.Q > 0])[:, 0].min() - upgradient_m
        width = self.ultimate_width_m()
        refine = refine_m or max(5.0, min(200.0, 0.02 * min(width, upgradient_m)))
        return self._zone(particles=particles, refine_m=refine, max_particles=max_particles, u_cut=u_cut,
                          step_max=max(5.0, min(100.0, upgradient_m / 50.0)), far_m=20.0 * (upgradient_m + width) + 1e4)
