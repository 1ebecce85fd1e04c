"""The analytic formulas against values worked by hand."""

from __future__ import annotations

import math

import pytest
import shapely

from zzgeo.errors import ParameterError
from zzgeo.groundwater import hydro

Q, K, B, I, N = 5000.0, 30.0, 40.0, 0.001, 0.2  # DOMAIN.md's example aquifer


def test_hj338_radius():
    # R = α·K·I·T/n = 1.5 x 30 x 0.001 x 100 / 0.2 = 22.5 m; 1000 days -> 225 m
    assert hydro.hj338_radius_m(K, I, 100, N, alpha=1.5) == pytest.approx(22.5)
    assert hydro.hj338_radius_m(K, I, 1000, N, alpha=1.0) == pytest.approx(150.0)


def test_capture_zone_figures():
    # q = K·b·i = 1.2 m²/d; x0 = Q/(2π q) = 5000 / 7.539822 = 663.146 m; ultimate half-width Q/(2q) = 2083.33 m
    assert hydro.stagnation_distance_m(Q, K, B, I) == pytest.approx(663.1456, abs=1e-3)
    assert hydro.capture_half_width_m(Q, K, B, I) == pytest.approx(2083.333, abs=1e-3)
    assert hydro.capture_half_width_m(Q, K, B, I, at="well") == pytest.approx(1041.667, abs=1e-3)
    # several wells across the flow: the merged ultimate width is the sum of the single-well widths
    assert hydro.capture_half_width_m(3 * Q, K, B, I) == pytest.approx(3 * hydro.capture_half_width_m(Q, K, B, I))


def test_travel_time_on_the_centreline():
    # t(L) = (n·b/q)[L − x0 ln(1 + L/x0)]; DOMAIN.md: the 1000-day point lies 551 m upgradient
    assert hydro.upgradient_distance_m(1000, Q, K, B, I, N) == pytest.approx(551.16, abs=0.05)
    L = 551.157
    by_hand = (N * B / (K * B * I)) * (L - 663.1456 * math.log(1 + L / 663.1456))
    assert float(hydro.centreline_time_days(L, Q, K, B, I, N)) == pytest.approx(by_hand) == pytest.approx(1000, abs=0.05)


def test_envelope_shape():
    ring = hydro.capture_envelope(Q, K, B, I, upgradient_m=2000)
    poly = shapely.Polygon(ring)
    assert poly.is_valid
    minx, miny, maxx, maxy = poly.bounds
    assert maxx == pytest.approx(663.1456, abs=1e-3)  # the stagnation point
    assert minx == pytest.approx(-2000.0)
    # on the cut x = -2000 the envelope y satisfies -2000 = y / tan(2π q y / Q)
    y = maxy
    assert y / math.tan(2 * math.pi * K * B * I * y / Q) == pytest.approx(-2000.0, rel=1e-6)
    assert y < 2083.333 and y == pytest.approx(-miny)
    # beside the well (x = 0) the half-width is Q/(4q) = 1041.67 m
    beside = shapely.intersection(poly, shapely.LineString([(0, -5000), (0, 5000)]))
    assert beside.length / 2 == pytest.approx(1041.667, rel=1e-3)


def test_river_shares_and_times():
    # gaining river, d = 200 m: a = Q/(π q d) = 6.631; share = (2/π)[atan√(a−1) − √(a−1)/a] = 0.518
    assert hydro.gaining_river_share(Q, K, B, I, 200) == pytest.approx(0.5183, abs=1e-4)
    assert hydro.gaining_river_share(Q, K, B, I, 5000) == 0.0  # a < 1: the well takes no river water
    # losing river, no regional flow: t = 2π n b d² / (3Q) = 2π x 0.2 x 40 x 200² / 15000 = 134.04 days
    assert hydro.river_travel_time_days(Q, K, B, N, 200, rw=0.0) == pytest.approx(134.0413, abs=1e-3)
    # regional flow away from the river speeds the water up
    assert hydro.river_travel_time_days(Q, K, B, N, 200, i_away=0.001) < 134.0
    with pytest.raises(ParameterError, match="toward the river"):
        hydro.river_travel_time_days(Q, K, B, N, 200, i_away=-0.001)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n": -0.2}, r"effective porosity n=-0.2 must lie in \(0, 1\)"),
    ({"n": 1.2}, "effective porosity"),
    ({"i": 0.0}, r"hydraulic gradient i=0.0"),
    ({"K": float("nan")}, "K missing"),
])
def test_bad_parameters(kwargs, message):
    args = {"K": K, "i": I, "n": N} | kwargs
    with pytest.raises(ParameterError, match=message):
        hydro.hj338_radius_m(args["K"], args["i"], 100, args["n"])
