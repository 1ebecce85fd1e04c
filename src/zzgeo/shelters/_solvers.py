"""Solvers behind :func:`zzgeo.shelters.siting.site_shelters`: exact two-stage MILP, greedy, build order.

All work on a sparse ``sites x cells`` matrix ``reach`` (1 where a candidate
newly covers a cell) and the cell weights (residents not yet covered).
"""

from __future__ import annotations

import warnings

import numpy as np

from zzgeo.i18n import _

__all__: list[str] = []


def _gain_matrix(pairs, n_sites: int, n_cells: int, fresh: np.ndarray):
    """Sparse sites x cells matrix of reach, limited to cells no existing shelter covers."""
    import scipy.sparse as sp

    keep = fresh[pairs.cell]
    data = np.ones(int(keep.sum()))
    return sp.csr_matrix((data, (pairs.site[keep], pairs.cell[keep])), shape=(n_sites, n_cells))


def _demand_groups(reach, weights) -> tuple[np.ndarray, list[np.ndarray]]:
    """Merge cells reached by the same set of sites: (weight of each group, its sites).

    Each site gets a random 62-bit key; a cell's key is the sum over the sites
    reaching it, so cells with equal keys share their set of sites (a collision
    needs two different sets with the same sum: odds of order n² / 2^62).
    """
    rng = np.random.default_rng(0)
    h = rng.integers(1, 2**62, reach.shape[0], dtype=np.int64).astype(np.uint64)
    csc = reach.tocsc()
    touched = np.flatnonzero(np.diff(csc.indptr) > 0)
    keys = np.zeros(reach.shape[1], dtype=np.uint64)
    rows, cols = reach.nonzero()
    np.add.at(keys, cols, h[rows])
    _keys, first, inverse = np.unique(keys[touched], return_index=True, return_inverse=True)
    w = np.bincount(inverse.ravel(), weights=weights[touched])
    members = [csc.indices[csc.indptr[c]:csc.indptr[c + 1]] for c in touched[first]]
    return w, members


def _solve_exact(area, cost, district, required, groups, *, time_limit_s):
    """Two-stage MILP (min cost, then max newly covered); returns (chosen mask, status text)."""
    import pulp

    n = len(area)
    w, members = groups

    def var(prob, name: str, **kw):
        if hasattr(prob, "add_variable"):  # PuLP >= 3.3
            return prob.add_variable(name, **kw)
        return pulp.LpVariable(name, **kw)  # pragma: no cover - older PuLP

    def build(stage: int, cap: float | None):
        prob = pulp.LpProblem(f"zzgeo_siting_{stage}", pulp.LpMinimize if stage == 1 else pulp.LpMaximize)
        x = [var(prob, f"x{j}", cat="Binary") for j in range(n)]
        for d, req in required.items():
            idx = np.flatnonzero(district == d)
            if req > 0 and len(idx):
                prob += pulp.lpSum(float(area[j]) * x[j] for j in idx) >= req * (1 - 1e-9) - 1e-6, f"gap_{d}"
        if stage == 1:
            prob += pulp.lpSum(float(cost[j]) * x[j] for j in range(n))
        else:
            y = [var(prob, f"y{g}", lowBound=0, upBound=1) for g in range(len(w))]
            prob += pulp.lpSum(float(w[g]) * y[g] for g in range(len(w)))
            for g, sites in enumerate(members):
                prob += y[g] <= pulp.lpSum(x[j] for j in sites), f"cover_{g}"
            prob += pulp.lpSum(float(cost[j]) * x[j] for j in range(n)) <= cap, "cost"
        with warnings.catch_warnings():  # PuLP 3.3 announces that its bundled CBC moves to an extra in 4.0
            warnings.simplefilter("ignore", DeprecationWarning)
            prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s))
        chosen = np.array([(v.value() or 0.0) > 0.5 for v in x], dtype=bool)
        return prob, chosen

    prob1, chosen1 = build(1, None)
    if pulp.LpStatus[prob1.status] != "Optimal":
        return None, _("stage 1 {status}").format(status=pulp.LpStatus[prob1.status])
    best_cost = float(cost[chosen1].sum())
    prob2, chosen2 = build(2, best_cost * (1 + 1e-9) + 1e-6)
    status = _("optimal") if prob1.sol_status == 1 and prob2.sol_status == 1 else _("time limit reached: best solution found")
    if pulp.LpStatus[prob2.status] != "Optimal":
        return chosen1, _("stage 2 {status}: least-cost solution of stage 1 kept").format(status=pulp.LpStatus[prob2.status])
    return chosen2, _("{status} ({groups:,} merged demand groups)").format(status=status, groups=len(w))


def _solve_greedy(area, cost, district, required, reach, weights, *, unit_cost: bool):
    n = len(area)
    left = weights.copy()
    chosen = np.zeros(n, dtype=bool)
    got = {d: 0.0 for d in required}
    picks = {}
    for d, req in required.items():
        sizes = np.sort(area[district == d])[::-1]
        picks[d] = int(np.searchsorted(np.cumsum(sizes), req * (1 - 1e-9) - 1e-6) + 1) if req > 0 else 0
        picks[d] = min(picks[d], len(sizes))
    while True:
        gain = reach @ left
        feasible = np.zeros(n, dtype=bool)
        score = np.full(n, -np.inf)
        for d, req in required.items():
            idx = np.flatnonzero((district == d) & ~chosen)
            need = req - got[d]
            if len(idx) == 0 or need <= 1e-6 * max(req, 1.0) or (unit_cost and picks[d] <= 0):
                continue
            if unit_cost:
                order = idx[np.argsort(-area[idx], kind="stable")]
                i = picks[d]
                top_i, top_i1 = area[order[:i]].sum(), area[order[: i - 1]].sum()
                rank = np.empty(len(idx), dtype=int)
                rank[np.searchsorted(idx, order)] = np.arange(len(order))
                rest = np.where(rank < i - 1, top_i - area[idx], top_i1)
                feasible[idx] = area[idx] + rest >= need * (1 - 1e-9) - 1e-6
                score[idx] = 0.0
            else:
                feasible[idx] = True
                score[idx] = np.minimum(area[idx], need) / cost[idx]
        if not feasible.any():
            break
        key = np.lexsort((-np.arange(n), area, np.where(feasible, gain, -np.inf), np.where(feasible, score, -np.inf)))
        j = int(key[-1])
        chosen[j] = True
        got[district[j]] += area[j]
        picks[district[j]] = picks.get(district[j], 0) - 1
        left = left * (1 - (reach[j].toarray().ravel() > 0))
    rule = _("feasibility-preserving max-coverage picks (minimal site count)") if unit_cost else _("gap closed per unit cost, ties by coverage")
    return chosen, _("greedy: {rule}").format(rule=rule)


def _build_order(chosen_idx, area, reach, weights):
    left = weights.copy()
    order, gains = [], []
    remaining = list(chosen_idx)
    while remaining:
        sub = reach[remaining] @ left
        best = max(range(len(remaining)), key=lambda k: (sub[k], area[remaining[k]], -remaining[k]))
        j = remaining.pop(best)
        order.append(j)
        gains.append(float(sub[best]))
        left = left * (1 - (reach[j].toarray().ravel() > 0))
    return order, gains
