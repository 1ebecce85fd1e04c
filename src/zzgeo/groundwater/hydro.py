"""Analytic hydrogeology for wellhead zones: pure functions of the aquifer parameters.

Units: Q pumping rate in m³/d, K hydraulic conductivity in m/d, b saturated
thickness in m, i hydraulic gradient (–), n effective porosity (–), times in
days, lengths in metres. Local coordinates put the well at the origin with the
regional flow toward +x.

========================  =============================================================
function                  formula (source)
========================  =============================================================
hj338_radius_m            R = α·K·I·T/n (HJ 338-2018, porous aquifers; secondary)
stagnation_distance_m     x0 = Q / (2π·K·b·i), downgradient (Grubb 1993)
capture_half_width_m      ultimate Q/(2·K·b·i); at the well Q/(4·K·b·i)
capture_envelope          x = y / tan(2π·K·b·i·y / Q), cut at x = −L
centreline_time_days      t(L) = (n·b/q)·[L − x0·ln(1 + L/x0)], q = K·b·i
upgradient_distance_m     L with t(L) = T (solved)
gaining_river_share       (2/π)·[atan√(a−1) − √(a−1)/a], a = Q/(π·q·d), else 0
river_travel_time_days    shortest river-to-well time, river a constant-head line (image well)
========================  =============================================================

Checked by hand in the tests (DOMAIN.md examples: Q=5000, K=30, b=40, i=0.001,
n=0.2 gives the 1000-day point 551 m upgradient and, at d=200 m from a gaining
river, a river share of 0.518).
"""

from __future__ import annotations

import math

import numpy as np

from zzgeo.errors import ParameterError
from zzgeo.i18n import _

__all__ = [
    "check_aquifer",
    "hj338_radius_m",
    "stagnation_distance_m",
    "capture_half_width_m",
    "centreline_time_days",
    "upgradient_distance_m",
    "capture_envelope",
    "gaining_river_share",
    "river_travel_time_days",
]


def check_aquifer(**params: float | None) -> None:
    """Raise :class:`ParameterError` naming every parameter that is missing or out of range.

    Accepts any of ``Q`` (>= 0), ``K``, ``b``, ``T``, ``d`` (> 0), ``i`` and ``n`` (in (0, 1)), ``alpha`` (>= 1).

    Examples
    --------
    A porosity given in per cent and a missing gradient, named together:

    >>> check_aquifer(K=30.0, n=0.2, i=0.001)
    >>> check_aquifer(K=30.0, n=25, i=None)
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: aquifer parameters: effective porosity n=25.0 must lie in (0, 1); i missing
    """
    bad = []
    for name, value in params.items():
        if value is None or not isinstance(value, (int, float, np.floating, np.integer)) or not math.isfinite(float(value)):
            bad.append(_("{name} missing").format(name=name) if value is None or (isinstance(value, float) and math.isnan(value))
                       else _("{name}={value!r} is not a number").format(name=name, value=value))
            continue
        value = float(value)
        if name == "n" and not 0 < value < 1:
            bad.append(_("effective porosity n={value!r} must lie in (0, 1)").format(value=value))
        elif name == "i" and not 0 < value < 1:
            bad.append(_("hydraulic gradient i={value!r} must lie in (0, 1)").format(value=value))
        elif name == "Q" and value < 0:
            bad.append(_("pumping rate Q={value!r} must not be negative").format(value=value))
        elif name == "alpha" and value < 1:
            bad.append(_("safety factor alpha={value!r} must be >= 1").format(value=value))
        elif name in ("K", "b", "T", "d") and value <= 0:
            bad.append(_("{name}={value!r} must be positive").format(name=name, value=value))
    if bad:
        raise ParameterError(_("aquifer parameters: {problems}").format(problems="; ".join(bad)))


def hj338_radius_m(K: float, i: float, T_days: float, n: float, *, alpha: float = 1.5) -> float:
    """HJ 338-2018 zone radius for a porous aquifer, R = α·K·I·T/n (m).

    Parameters
    ----------
    K : float
        Hydraulic conductivity (m/d).
    i : float
        Hydraulic gradient (–).
    T_days : float
        Travel time (days): 100 for zone 1, 1000 for zone 2 (``data/groundwater/rules.toml``).
    n : float
        Effective porosity, 0 < n < 1.
    alpha : float
        Safety factor α >= 1 (HJ 338's 150 %, unverified).

    Returns
    -------
    float
        Radius in metres.

    Raises
    ------
    ParameterError
        A parameter missing or out of range (see :func:`check_aquifer`).

    Examples
    --------
    K = 30 m/d, I = 0.001, n = 0.2: R = 1.5 × 30 × 0.001 × 100 / 0.2 = 22.5 m
    for zone 1 and ten times that, 225 m, for zone 2:

    >>> hj338_radius_m(30.0, 0.001, 100, 0.2), hj338_radius_m(30.0, 0.001, 1000, 0.2)
    (22.5, 225.0)
    >>> hj338_radius_m(30.0, 0.001, 100, 20)  # porosity in per cent
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: aquifer parameters: effective porosity n=20.0 must lie in (0, 1)
    """
    check_aquifer(K=K, i=i, T=T_days, n=n, alpha=alpha)
    return alpha * K * i * T_days / n


def stagnation_distance_m(Q: float, K: float, b: float, i: float) -> float:
    """Distance of the stagnation point downgradient of a well in uniform flow, Q/(2π·K·b·i) (m).

    Parameters
    ----------
    Q : float
        Pumping rate (m³/d).
    K, b, i : float
        Hydraulic conductivity (m/d), saturated thickness (m), regional gradient.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        A parameter missing or out of range.

    Examples
    --------
    Q = 5000 m³/d, K = 30 m/d, b = 40 m, i = 0.001: q = K·b·i = 1.2 m²/d and
    x0 = 5000 / (2π × 1.2) = 5000 / 7.540 = 663.1 m:

    >>> round(stagnation_distance_m(5000.0, 30.0, 40.0, 0.001), 1)
    663.1
    """
    check_aquifer(Q=Q, K=K, b=b, i=i)
    return Q / (2.0 * math.pi * K * b * i)


def capture_half_width_m(Q: float, K: float, b: float, i: float, *, at: str = "ultimate") -> float:
    """Half-width of the capture zone: far upgradient Q/(2·K·b·i), or beside the well Q/(4·K·b·i) (m).

    Parameters
    ----------
    Q, K, b, i : float
        Pumping rate (m³/d), hydraulic conductivity (m/d), saturated thickness (m), regional gradient.
    at : {"ultimate", "well"}
        Far upgradient, or on the line through the well across the flow.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        A parameter out of range, or an unknown *at*.

    Examples
    --------
    Q = 5000 m³/d in a flow of q = K·b·i = 30 × 40 × 0.001 = 1.2 m²/d:
    5000 / (2 × 1.2) = 2083.3 m far upgradient, half that, 1041.7 m, beside
    the well:

    >>> round(capture_half_width_m(5000.0, 30.0, 40.0, 0.001), 1), round(capture_half_width_m(5000.0, 30.0, 40.0, 0.001, at="well"), 1)
    (2083.3, 1041.7)
    """
    check_aquifer(Q=Q, K=K, b=b, i=i)
    if at not in ("ultimate", "well"):
        raise ParameterError(_("at={at!r}; use 'ultimate' or 'well'").format(at=at))
    return Q / ((2.0 if at == "ultimate" else 4.0) * K * b * i)


def centreline_time_days(L_m: float | np.ndarray, Q: float, K: float, b: float, i: float, n: float) -> np.ndarray:
    """Travel time (days) to the well from a point *L_m* upgradient on the centreline.

    t(L) = (n·b/q)·[L − x0·ln(1 + L/x0)] with q = K·b·i and x0 the stagnation distance.

    Examples
    --------
    The DOMAIN.md case (Q 5000, K 30, b 40, i 0.001, n 0.2): q = 1.2 m²/d,
    x0 = 663.15 m, and from 551 m upgradient
    t = (0.2 × 40 / 1.2) × [551 − 663.15 × ln(1 + 551/663.15)] = 6.667 × 149.93 = 999.5 days:

    >>> centreline_time_days([551.0], 5000.0, 30.0, 40.0, 0.001, 0.2).round(1)
    array([999.5])
    """
    check_aquifer(Q=Q, K=K, b=b, i=i, n=n)
    q = K * b * i
    L = np.asarray(L_m, dtype=float)
    if Q == 0:
        return n * b * L / q
    x0 = Q / (2.0 * math.pi * q)
    return (n * b / q) * (L - x0 * np.log1p(L / x0))


def upgradient_distance_m(T_days: float, Q: float, K: float, b: float, i: float, n: float) -> float:
    """How far upgradient on the centreline water travels to the well in *T_days* (solves t(L) = T).

    Examples
    --------
    The DOMAIN.md case: the 1000-day point lies 551 m upgradient (see
    :func:`centreline_time_days`):

    >>> round(upgradient_distance_m(1000, 5000.0, 30.0, 40.0, 0.001, 0.2), 1)
    551.2
    """
    from scipy.optimize import brentq

    check_aquifer(T=T_days, Q=Q, K=K, b=b, i=i, n=n)
    hi = max(1.0, K * i * T_days / n) * 10.0 + Q  # t(L) < n·b·L/q: at L = v·T·10 the time exceeds T
    while float(centreline_time_days(hi, Q, K, b, i, n)) < T_days:
        hi *= 2.0
    return float(brentq(lambda L: float(centreline_time_days(L, Q, K, b, i, n)) - T_days, 0.0, hi, xtol=1e-6))


def capture_envelope(Q: float, K: float, b: float, i: float, *, upgradient_m: float, points: int = 181) -> np.ndarray:
    """The capture zone of one well in uniform flow, as polygon vertices in local coordinates.

    Flow runs toward +x, the well sits at the origin. The envelope
    x = y / tan(2π·K·b·i·y/Q) runs from the stagnation point (x0, 0) upgradient
    on both sides and is closed by the straight cut x = −upgradient_m.

    Parameters
    ----------
    Q, K, b, i : float
        Pumping rate (m³/d), hydraulic conductivity (m/d), saturated thickness (m), regional gradient.
    upgradient_m : float
        Where to cut the zone upgradient (m), e.g. :func:`upgradient_distance_m`.
    points : int
        About how many vertices to place along the envelope.

    Returns
    -------
    numpy.ndarray
        ``(m, 2)`` vertices of a closed ring (first == last), counter-clockwise.

    Raises
    ------
    ParameterError
        A parameter missing or out of range.

    Examples
    --------
    Q = 5000 m³/d, K = 30 m/d, b = 40 m, i = 0.001 (c = 2π·K·b·i/Q = 0.001508 /m),
    cut at the 1000-day point 551 m upgradient: the ring reaches the stagnation
    point x0 = 663.1 m downgradient, and at the cut its half-width y solves
    y / tan(c·y) = −551: y = 1306.4 m (c·y = 1.9699 rad, tan = −2.3709),
    inside the ultimate half-width 2083.3 m:

    >>> ring = capture_envelope(5000.0, 30.0, 40.0, 0.001, upgradient_m=551.0)
    >>> x, y = ring[:, 0], ring[:, 1]
    >>> bool((ring[0] == ring[-1]).all()), round(float(x.max()), 1), round(float(x.min()), 1), round(float(y.max()), 1)
    (True, 663.1, -551.0, 1306.4)
    """
    check_aquifer(Q=Q, K=K, b=b, i=i, d=upgradient_m)
    from scipy.optimize import brentq

    c = 2.0 * math.pi * K * b * i / Q
    y_max = math.pi / c  # the ultimate half-width Q/(2·K·b·i)

    def x_of(y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.abs(y) < 1e-12, 1.0 / c, y / np.tan(c * y))

    y_cut = brentq(lambda y: float(x_of(y)) + upgradient_m, 1e-9 * y_max, y_max * (1 - 1e-12))
    ys = y_cut * np.sin(np.linspace(0.0, math.pi / 2, points // 2 + 1))  # denser toward the cut, where x changes fast
    upper = np.column_stack([x_of(ys), ys])
    lower = upper[::-1] * np.array([1.0, -1.0])
    ring = np.vstack([lower[:-1], upper, [[-upgradient_m, y_cut], [-upgradient_m, -y_cut], lower[0]]])
    return ring


def gaining_river_share(Q: float, K: float, b: float, i: float, d: float) -> float:
    """Share of a well's water drawn from a straight river that the aquifer drains to (gaining river).

    Image-well solution with the regional gradient toward the river:
    a = Q/(π·q·d), q = K·b·i; share = (2/π)·[atan√(a−1) − √(a−1)/a] for a > 1, else 0.
    Not for a losing river (see :func:`river_travel_time_days`).

    Examples
    --------
    The DOMAIN.md case, a well 200 m from the river: a = 5000 / (π × 1.2 × 200)
    = 6.631, √(a − 1) = 2.3731, share = (2/π) × (atan 2.3731 − 2.3731/6.631)
    = 0.6366 × (1.1720 − 0.3579) = 0.518. At 2 km, a = 0.663 < 1: the well
    draws no river water:

    >>> round(gaining_river_share(5000.0, 30.0, 40.0, 0.001, 200.0), 3), gaining_river_share(5000.0, 30.0, 40.0, 0.001, 2000.0)
    (0.518, 0.0)
    """
    check_aquifer(Q=Q, K=K, b=b, i=i, d=d)
    a = Q / (math.pi * K * b * i * d)
    if a <= 1.0:
        return 0.0
    s = math.sqrt(a - 1.0)
    return (2.0 / math.pi) * (math.atan(s) - s / a)


def river_travel_time_days(Q: float, K: float, b: float, n: float, d: float, *, i_away: float = 0.0, rw: float = 0.3) -> float:
    """Shortest travel time (days) from a river (a constant-head line) to a well *d* metres away.

    The river is replaced by an image recharge well at −d; *i_away* is the regional
    gradient component pointing away from the river (a losing river: >= 0). Along
    the line from the river to the well the specific discharge is
    q(x) = K·b·i_away + Q·d / (π·(d² − x²)), so t = ∫ n·b / q(x) dx from 0 to d − rw.
    With no regional flow this is 2π·n·b·d²/(3Q) (for rw → 0).

    Examples
    --------
    Q = 5000 m³/d, b = 40 m, n = 0.2, d = 200 m, no regional flow:
    2π × 0.2 × 40 × 200² / (3 × 5000) = 134.04 days; a regional gradient of
    0.001 away from the river (K = 30 m/d) speeds the water up:

    >>> round(river_travel_time_days(5000.0, 30.0, 40.0, 0.2, 200.0), 2)
    134.04
    >>> round(river_travel_time_days(5000.0, 30.0, 40.0, 0.2, 200.0, i_away=0.001), 1)
    119.7
    """
    from scipy.integrate import quad

    check_aquifer(Q=Q, K=K, b=b, n=n, d=d)
    if i_away < 0:
        raise ParameterError(_("i_away < 0: the regional flow runs toward the river (a gaining river); use gaining_river_share"))
    if Q <= 0:
        raise ParameterError(_("Q must be positive for a river-to-well travel time"))
    q0 = K * b * i_away
    end = max(d - rw, 0.0)
    value, _error = quad(lambda x: n * b * (d * d - x * x) / (q0 * (d * d - x * x) + Q * d / math.pi), 0.0, end, limit=200)
    return float(value)
