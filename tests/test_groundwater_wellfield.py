"""A wellfield as one system (zzgeo.groundwater.wellfield): against hand-worked roots, the single-well formulas,
timml on three layouts, and a streamline integration written here with scipy (for the river cases).
"""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
import shapely
from scipy.integrate import solve_ivp
from scipy.optimize import brentq, minimize_scalar

from zzgeo.groundwater import hydro, wellfield
from zzgeo.groundwater.wellfield import River, Wellfield

K, B, N, I = 30.0, 40.0, 0.2, 0.001  # q = K·b·i = 1.2 m²/d, the example
EAST = np.array([1.0, 0.0])


def _three(s: float = 600.0, q: float = 5000.0) -> Wellfield:
    return Wellfield(xy=[[0.0, -s], [0.0, 0.0], [0.0, s]], Q=[q] * 3, K=K, b=B, i=I, n=N, flow=EAST)


def test_three_wells_across_the_flow_are_one_field():
    # the real root of q·z·(z² + s²) − (Q/2π)·(3z² + s²) = 0, by numpy on the hand-written cubic
    q, Q, s = K * B * I, 5000.0, 600.0
    roots = np.roots([q, -3 * Q / (2 * math.pi), q * s**2, -Q / (2 * math.pi) * s**2])
    real = float(roots[np.abs(roots.imag) < 1e-9].real.max())
    assert real == pytest.approx(1865.0449, abs=1e-3)
    field = _three()
    assert field.downgradient_stagnation_m() == pytest.approx(real, rel=1e-9)
    assert field.ultimate_width_m() == 12500.0  # ΣQ/q
    single = hydro.stagnation_distance_m(Q, K, B, I)
    assert single == pytest.approx(663.1456, abs=1e-3) and field.downgradient_stagnation_m() > 2.8 * single
    # far upgradient the field is one capture zone approaching ΣQ/q (the single-well envelope of ΣQ at the
    # centre says 12,246 m 100 km upgradient); three single-well envelopes are at most 3 × 4,167 m apart
    zone, _ = field.capture_envelope(100_000.0)
    minx, miny, maxx, maxy = zone.bounds
    far = hydro.capture_envelope(3 * Q, K, B, I, upgradient_m=100_000.0)
    assert maxy - miny == pytest.approx(2 * np.abs(far[:, 1]).max(), rel=0.01)
    assert maxy - miny < 12500.0 and zone.geom_type == "Polygon"
    assert maxx == pytest.approx(real, abs=20.0)  # the zone's downgradient tip is the stagnation point


def test_one_well_is_the_single_well_solution():
    Q = 5000.0
    field = Wellfield(xy=[[0.0, 0.0]], Q=[Q], K=K, b=B, i=I, n=N, flow=EAST)
    assert field.downgradient_stagnation_m() == pytest.approx(hydro.stagnation_distance_m(Q, K, B, I), rel=1e-12)
    zone, _ = field.travel_time_zone(1000.0)
    assert field.upgradient_extent_m(zone) == pytest.approx(hydro.upgradient_distance_m(1000.0, Q, K, B, I, N), rel=1e-4)
    # downgradient, water 0 < x < x0 reaches the well in t = (n·b/q)·[−x − x0·ln(1 − x/x0)]
    q, x0 = K * B * I, hydro.stagnation_distance_m(Q, K, B, I)
    x100 = brentq(lambda x: N * B / q * (-x - x0 * math.log(1 - x / x0)) - 100.0, 1e-6, x0 * (1 - 1e-12))
    short, _ = field.travel_time_zone(100.0)
    assert field.downgradient_extent_m(short) == pytest.approx(x100, rel=2e-3)
    envelope, _ = field.capture_envelope(2000.0)
    analytic = shapely.Polygon(hydro.capture_envelope(Q, K, B, I, upgradient_m=2000.0, points=721))
    assert envelope.symmetric_difference(analytic).area / analytic.area < 5e-4


LAYOUTS = {
    "three across": ([[0.0, -600.0], [0.0, 0.0], [0.0, 600.0]], [5000.0, 5000.0, 5000.0], 90.0),
    "two along": ([[0.0, 0.0], [400.0, 100.0]], [4000.0, 2500.0], 90.0),
    "four, unequal, flow to the SSE": ([[0.0, 0.0], [500.0, 300.0], [-300.0, 700.0], [900.0, -200.0]],
                                       [2000.0, 3500.0, 1000.0, 5000.0], 160.0),
}


@pytest.mark.slow
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_timml_agrees_on_three_layouts(layout):
    timml = pytest.importorskip("timml")
    from zzgeo.groundwater.riverside import trace_capture

    xy, Q, azimuth = LAYOUTS[layout]
    flow = np.array([math.sin(math.radians(azimuth)), math.cos(math.radians(azimuth))])
    field = Wellfield(xy=xy, Q=Q, K=K, b=B, i=I, n=N, flow=flow)
    # 1. timml's discharge vanishes at zzgeo's stagnation points
    ml = timml.ModelMaq(kaq=K, z=[B, 0.0], npor=N)
    timml.Uflow(ml, slope=I, angle=math.degrees(math.atan2(flow[1], flow[0])))
    ref = np.mean(xy, axis=0) + 5000.0 * flow
    timml.Constant(ml, xr=float(ref[0]), yr=float(ref[1]), hr=B + 20.0)
    for (x, y), w in zip(xy, Q):
        timml.Well(ml, xw=x, yw=y, Qw=w, rw=0.3)
    ml.solve(silent=True)
    points = field.stagnation_points()
    assert len(points) >= 1
    for x, y in points:
        qx, qy = ml.disvec(x, y)
        assert math.hypot(float(qx[0]), float(qy[0])) < 0.01 * K * B * I, (layout, x, y)
    # 2. timml's back-traced particles after 1000 days lie on zzgeo's 1000-day isochrone
    zone, _ = field.travel_time_zone(1000.0)
    paths = trace_capture(tuple((float(x), float(y), float(w)) for (x, y), w in zip(xy, Q)), K, B, N, I, azimuth, None,
                          tmax_days=1000.0, traces=24, step_m=10.0)
    ends = np.array([p[-1, :2] for per_well in paths for p in per_well if p[-1, 3] >= 999.0])
    assert len(ends) >= 20
    distance = shapely.distance(shapely.points(ends), shapely.boundary(zone))
    reach = K * I * 1000.0 / N  # 150 m of regional travel in 1000 days
    assert distance.max() < 0.03 * reach + 2.0, (layout, float(distance.max()))


# ----------------------------------------------------------------------------- rivers (image wells)


def _discharge(p, wells, q_vec, images):
    """Regional flow plus wells and their image recharge wells, written here without zzgeo."""
    out = np.array(q_vec, dtype=float)
    for (x, y), w in wells:
        d = p - (x, y)
        out -= w / (2 * math.pi) * d / (d @ d)
    for (x, y), w in images:
        d = p - (x, y)
        out += w / (2 * math.pi) * d / (d @ d)
    return out


def _fastest_from_river(well, wells, q_vec, river_y, b):
    """Shortest time (days) from a river along y = river_y to *well*, by scipy's solve_ivp backward from the well."""
    images = [((x, 2 * river_y - y), w) for (x, y), w in wells]

    def time_from(angle):
        def rhs(t, p):
            v = _discharge(p, wells, q_vec, images) / (N * b)
            return -v
        start = np.array(well) + np.array([math.cos(angle), math.sin(angle)])
        hit = lambda t, p: p[1] - river_y  # noqa: E731
        hit.terminal = True
        out = solve_ivp(rhs, (0, 1e6), start, events=hit, rtol=1e-10, atol=1e-8, max_step=5.0)
        return float(out.t_events[0][0]) if len(out.t_events[0]) else 1e12

    best = minimize_scalar(time_from, bounds=(math.pi / 2 - 0.6, math.pi / 2 + 0.6), method="bounded", options={"xatol": 1e-6})
    return best.fun


def test_a_losing_river_feeds_the_field_and_the_fastest_path_agrees_with_scipy():
    from zzgeo.groundwater.zones import _field_river_figures

    wells = [((0.0, 0.0), 2000.0), ((2000.0, 0.0), 2000.0)]
    south = np.array([0.0, -1.0])  # regional flow away from a river 800 m north
    river = River.through([-6000.0, 800.0], [8000.0, 800.0], toward=[0.0, 0.0])
    field = Wellfield(xy=[w[0] for w in wells], Q=[w[1] for w in wells], K=50.0, b=20.0, i=0.001, n=N, flow=south, river=river)
    figures = _field_river_figures(field, np.array([2000.0, 2000.0]))
    assert figures["critical_rate_m3_d"] == 0.0 and figures["river_share"] == 1.0
    expected = min(_fastest_from_river(w[0], wells, 50.0 * 20.0 * 0.001 * south, 800.0, 20.0) for w in wells)
    assert figures["river_min_travel_days"] == pytest.approx(expected, rel=5e-3)
    # one well alone: the image-well formula of hydro
    alone = Wellfield(xy=[[0.0, 0.0]], Q=[2000.0], K=50.0, b=20.0, i=0.001, n=N, flow=south, river=river)
    single = _field_river_figures(alone, np.array([2000.0]))
    assert single["river_min_travel_days"] == pytest.approx(hydro.river_travel_time_days(2000.0, 50.0, 20.0, N, 800.0,
                                                                                        i_away=0.001, rw=1.0), rel=5e-3)


def test_critical_pumping_rate_and_stagnation_point_by_a_gaining_river():
    d, q = 400.0, K * B * I
    river = River.through([-5000.0, d], [5000.0, d], toward=[0.0, 0.0])
    north = np.array([0.0, 1.0])  # the regional flow runs toward the river: it drains the aquifer
    alone = Wellfield(xy=[[0.0, 0.0]], Q=[1000.0], K=K, b=B, i=I, n=N, flow=north, river=river)
    assert alone.critical_rate() == pytest.approx(math.pi * q * d, rel=1e-9)  # Q_c = π·q·d = 1,508 m³/d
    # below it the stagnation point lies between well and river, d·√(1 − Q/(π·q·d)) from the river
    (stag,) = [p for p in alone.stagnation_points() if 0 < p[1] < d]
    assert d - stag[1] == pytest.approx(d * math.sqrt(1 - 1000.0 / (math.pi * q * d)), rel=1e-9)
    # two wells 2s apart: the drawn flux along the river peaks midway when s < d/√3: Q_c = π·q·(d² + s²)/d in all
    s = 0.3 * d
    pair = Wellfield(xy=[[-s, 0.0], [s, 0.0]], Q=[700.0, 700.0], K=K, b=B, i=I, n=N, flow=north, river=river)
    assert pair.critical_rate() == pytest.approx(math.pi * q * (d**2 + s**2) / d, rel=1e-6)
    assert math.isnan(Wellfield(xy=[[0.0, 0.0]], Q=[1000.0], K=K, b=B, i=I, n=N, flow=EAST).critical_rate())  # no river


@pytest.mark.slow
def test_ten_year_zone_holds_exactly_the_points_that_reach_a_well_in_ten_years():
    # gaps between the wells' lobes (water near a dividing streamline lingers at the stagnation point between
    # two wells) are real: every point more than 5 m from the boundary is inside iff scipy's forward
    # streamline from it reaches a well within 3,650 days
    field = _three()
    ten, _ = field.travel_time_zone(3650.0)
    wells = field.xy

    def hit(t, p):
        return float(np.min(np.hypot(*(wells - p).T))) - 1.0

    hit.terminal = True
    rng = np.random.default_rng(18)
    checked = reached = 0
    for p in np.column_stack([rng.uniform(-2200, 600, 100), rng.uniform(-2000, 2000, 100)]):
        point = shapely.Point(p)
        if shapely.distance(point, ten.boundary) < 5.0:
            continue
        run = solve_ivp(lambda t, x: field.velocity(x[None, :])[0], (0, 4000), p, events=hit, rtol=1e-9, atol=1e-6,
                        max_step=10.0)
        arrives = len(run.t_events[0]) > 0 and run.t_events[0][0] <= 3650.0
        assert arrives == ten.contains(point), (p, run.t_events[0])
        checked += 1
        reached += arrives
    assert checked > 80 and 20 < reached < checked - 20  # both kinds of point were tried


def test_the_module_doctests():
    assert doctest.testmod(wellfield).failed == 0
