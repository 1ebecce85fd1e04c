"""Capacity-aware coverage: how many residents get an assured place in a shelter within reach.

Each shelter takes at most ``capacity`` persons (effective area / per-person
norm); each demand cell sends its residents only to shelters within reach.
The largest number of residents that can be placed is a maximum flow
(source -> cells -> shelters -> sink), the same optimum as the transportation
LP. Two methods:

``"maxflow"``
    Exact. ``scipy.sparse.csgraph.maximum_flow`` (Dinic) on integer
    capacities: populations and capacities are scaled by 100 (by 10 or 1 when
    the total would overflow 32-bit integers) and rounded down, so the result
    is exact to 0.01 persons per cell and never above the residents in reach. The city-wide total is the optimum; how the placed
    residents split between districts is one optimal assignment among possibly
    several.
``"greedy"``
    Nearest first: pairs are taken by increasing distance and each gives
    the cell as many places as both sides have left. Never more than the
    optimum, often a little less; used for very large inputs (``"auto"``
    switches at ``max_exact_pairs`` pairs) or when asked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zzgeo.errors import SchemaError
from zzgeo.i18n import _
from zzgeo.spatial.reach import Pairs

__all__ = ["Assignment", "ASSIGNMENT_METHODS", "assign_capacity"]

ASSIGNMENT_METHODS = ("auto", "maxflow", "greedy")
_INT32_BUDGET = 2_000_000_000


@dataclass(frozen=True)
class Assignment:
    """Result of :func:`assign_capacity`.

    Attributes
    ----------
    placed : numpy.ndarray
        Residents of each cell given a place.
    used : numpy.ndarray
        Places taken at each site.
    method : str
        ``"maxflow"`` or ``"greedy"``: which one ran.
    description : str
        One line for reports.
    """

    placed: np.ndarray
    used: np.ndarray
    method: str
    description: str

    @property
    def total(self) -> float:
        """Residents with an assured place."""
        return float(self.placed.sum())


def _check(population: np.ndarray, capacity: np.ndarray) -> None:
    for what, arr in (("population", population), ("capacity", capacity)):
        if len(arr) and not (np.isfinite(arr).all() and (arr >= 0).all()):
            raise SchemaError(_("{what} must be finite and non-negative for the assignment, got min {minimum!r}").format(
                what=what, minimum=np.nanmin(arr)))


def assign_capacity(
    pairs: Pairs,
    population,
    capacity,
    *,
    method: str = "auto",
    max_exact_pairs: int = 6_000_000,
) -> Assignment:
    """Place residents in shelters within reach without exceeding any capacity.

    Parameters
    ----------
    pairs : Pairs
        Cell-site pairs within reach (see :func:`zzgeo.spatial.reach.reach_pairs`).
        ``distance_m`` is needed by ``"greedy"``.
    population : array-like
        Residents of each cell.
    capacity : array-like
        Places at each site (persons).
    method : {"auto", "maxflow", "greedy"}
        See module notes.
    max_exact_pairs : int
        ``"auto"`` uses ``"maxflow"`` up to this many pairs, ``"greedy"`` above.

    Returns
    -------
    Assignment

    Raises
    ------
    SchemaError
        Unknown method, negative populations or capacities, or greedy without distances.

    Examples
    --------
    Two cells and two shelters of 600 and 400 places. Cell 0 (600 residents)
    reaches only shelter 0, 300 m away; cell 1 (400 residents) reaches shelter 0
    at 100 m and shelter 1 at 200 m. The maximum flow sends cell 0 to shelter 0
    and cell 1 to shelter 1: all 1,000 placed. Nearest first, cell 1 fills
    400 of shelter 0's places, leaving 200 for cell 0: 600 placed.

    >>> import numpy as np
    >>> from zzgeo.spatial.reach import Pairs
    >>> pairs = Pairs(np.array([0, 1, 1]), np.array([0, 0, 1]), np.array([300.0, 100.0, 200.0]), "euclidean")
    >>> best = assign_capacity(pairs, [600.0, 400.0], [600.0, 400.0], method="maxflow")
    >>> best.placed.tolist(), best.used.tolist(), best.total
    ([600.0, 400.0], [600.0, 400.0], 1000.0)
    >>> near = assign_capacity(pairs, [600.0, 400.0], [600.0, 400.0], method="greedy")
    >>> near.placed.tolist(), near.used.tolist(), near.total
    ([200.0, 400.0], [600.0, 0.0], 600.0)
    """
    if method not in ASSIGNMENT_METHODS:
        raise SchemaError(_("assignment method={method!r}; use one of {methods!r}").format(method=method, methods=ASSIGNMENT_METHODS))
    population = np.asarray(population, dtype="float64")
    capacity = np.asarray(capacity, dtype="float64")
    _check(population, capacity)
    if method == "auto":
        method = "maxflow" if len(pairs) <= max_exact_pairs else "greedy"
    if method == "greedy":
        return _greedy(pairs, population, capacity)
    return _maxflow(pairs, population, capacity)


def _maxflow(pairs: Pairs, population: np.ndarray, capacity: np.ndarray) -> Assignment:
    import scipy.sparse as sp
    from scipy.sparse.csgraph import maximum_flow

    placed = np.zeros(len(population))
    used = np.zeros(len(capacity))
    if len(pairs) == 0:
        return Assignment(placed, used, "maxflow", _("exact maximum flow (nothing within reach)"))
    cells, cell_node = np.unique(pairs.cell, return_inverse=True)
    sites, site_node = np.unique(pairs.site, return_inverse=True)
    reachable = float(population[cells].sum())
    scale = next((s for s in (100.0, 10.0, 1.0) if reachable * s <= _INT32_BUDGET), _INT32_BUDGET / max(reachable, 1.0))
    demand = np.floor(population[cells] * scale + 1e-6).astype(np.int64)
    supply = np.minimum(np.floor(capacity[sites] * scale + 1e-9), demand.sum()).astype(np.int64)
    nc, ns = len(cells), len(sites)
    source, sink = 0, nc + ns + 1
    rows = np.concatenate([np.zeros(nc, dtype=np.int64), 1 + cell_node, 1 + nc + np.arange(ns)])
    cols = np.concatenate([1 + np.arange(nc), 1 + nc + site_node, np.full(ns, sink)])
    caps = np.concatenate([demand, demand[cell_node], supply]).astype(np.int32)
    graph = sp.csr_matrix((caps, (rows, cols)), shape=(sink + 1, sink + 1))
    flow = maximum_flow(graph, source, sink, method="dinic").flow.tocsr()
    out_of_source = flow[source].toarray().ravel()[1 : nc + 1]
    into_sink = flow[:, sink].toarray().ravel()[nc + 1 : nc + ns + 1]
    placed[cells] = out_of_source / scale
    used[sites] = into_sink / scale
    desc = _("exact maximum flow (scipy Dinic, integer units of 1/{scale:g} person) over {pairs:,} cell-shelter pairs").format(
        scale=scale, pairs=len(pairs))
    return Assignment(placed, used, "maxflow", desc)


def _greedy(pairs: Pairs, population: np.ndarray, capacity: np.ndarray) -> Assignment:
    if pairs.distance_m is None:
        raise SchemaError(_("the greedy assignment needs pair distances; build the pairs with with_distance=True"))
    order = np.lexsort((pairs.site, pairs.cell, pairs.distance_m))
    left = population.copy()
    room = capacity.copy()
    placed = np.zeros(len(population))
    used = np.zeros(len(capacity))
    cell_list = pairs.cell[order].tolist()
    site_list = pairs.site[order].tolist()
    left_l, room_l = left.tolist(), room.tolist()
    for c, s in zip(cell_list, site_list, strict=True):
        take = left_l[c] if left_l[c] < room_l[s] else room_l[s]
        if take > 0:
            left_l[c] -= take
            room_l[s] -= take
    placed = population - np.asarray(left_l)
    used = capacity - np.asarray(room_l)
    desc = _("greedy nearest-first over {pairs:,} cell-shelter pairs (a lower bound of the optimum)").format(pairs=len(pairs))
    return Assignment(placed, used, "greedy", desc)
