"""Benchmark: the exact shelter-siting MILP with PuLP/CBC against scipy.optimize.milp (HiGHS).

Both solvers get the same instances, in the same process, and solve the same
two-stage model as :func:`zzgeo.shelters._solvers._solve_exact`: stage 1 finds
the least cost that closes every district's required area, and stage 2
maximises newly covered residents under that cost (same tolerances). Reported
per instance and solver:

* seconds for stage 1 and stage 2 (model build + solve + reading the solution),
  and their total. Each is the best of ``--repeat`` runs. A run that stops at
  the time limit is not repeated, because its time is the limit;
* the time ratio PuLP / milp (above 1: milp is faster), in wall-clock and in CPU seconds
  (this process plus its children: CBC runs as a subprocess). CPU is the steadier figure
  when other work shares the machine;
* the objectives. Stage 1 is the cost of the chosen sites, stage 2 the newly
  covered residents they reach. Each is checked for equality (relative 1e-9),
  and the chosen sets are compared too. Sets may differ on ties;
* whether repeated runs chose the same sites (determinism) and the status text.

Instances:

* ``demo 2025`` / ``demo 2029``: the exact inputs that
  :func:`zzgeo.shelters.site_shelters` passes its solver on the DEMO register and
  candidates (default 250 m surface). They are captured with a spy on
  ``_solve_exact``;
* synthetic ones with ``--sizes`` candidate sites, about one per km², on a square
  grid of 250 m cells. Population is lognormal; about 40 % of the cells are
  already covered; the class mix is 5 % I, 35 % II, 60 % III, with radii 5,000,
  1,000 and 500 m. Up to 12 districts each need 20-60 % of their candidates' area.
  Costs are ``unit`` (fewest sites: what zzgeo does without a cost column) or a
  random ``column`` (area x U(0.5, 2) / 1000). Demand cells are merged into
  groups with zzgeo's ``_demand_groups``, as in ``site_shelters``.

Where the code comes from. The PuLP model is zzgeo's own ``_solve_exact``, or
``_solve_exact_pulp`` if zzgeo has one. The milp model is zzgeo's
``_solve_exact`` if that one already calls scipy.optimize.milp. Otherwise this
script uses its own copy, ``_solve_exact_milp`` below. That copy is the
proposed replacement of the PuLP code. The script prints which code it timed.
Stage boundaries are taken by wrapping ``pulp.LpProblem.solve`` and
``scipy.optimize.milp``.

    python benchmarks/bench_siting_solvers.py                       # demo + 50..3000 sites, unit and column costs
    python benchmarks/bench_siting_solvers.py --sizes 50,300 --costs unit --repeat 5
    python benchmarks/bench_siting_solvers.py --json-out benchmarks/results/siting_solvers.json
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import math
import os
import platform
import time
from pathlib import Path

import numpy as np

# ---------------------------------------------------------------------------------------------
# The milp variant. It is a copy of the proposed replacement of zzgeo.shelters._solvers._solve_exact
# and is used only when zzgeo's own _solve_exact does not call scipy.optimize.milp.
# ---------------------------------------------------------------------------------------------

# scipy.optimize.milp status -> the status words the PuLP/CBC version reported (pulp.LpStatus)
_MILP_STATUS = {0: "Optimal", 1: "Not Solved", 2: "Infeasible", 3: "Unbounded", 4: "Undefined"}


@contextlib.contextmanager
def _c_stdout_silenced():
    """Point file descriptor 1 at the null device while HiGHS runs.

    HiGHS 1.12 (bundled by scipy 1.17) prints a stray debug line straight to C stdout when
    it repairs an integer solution, whatever its log options (ERGO-Code/HiGHS#2783); on
    stdout it would break ``--json`` output. Python's and C's buffers are flushed first and last.
    """
    import ctypes
    import os
    import sys

    try:
        libc_flush = ctypes.CDLL(None).fflush
    except (OSError, TypeError, AttributeError):  # pragma: no cover - no C library handle (Windows)
        libc_flush = None

    def flush():
        for stream in (sys.stdout, sys.__stdout__):
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        if libc_flush is not None:
            libc_flush(None)

    try:
        saved = os.dup(1)
    except OSError:  # pragma: no cover - no fd 1 at all
        yield
        return
    flush()
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        yield
    finally:
        flush()
        os.dup2(saved, 1)
        os.close(null)
        os.close(saved)


def _milp(c, integral, rows, lower, upper, time_limit_s):
    """One HiGHS solve through scipy.optimize.milp: (x or None, status word, proven optimal).

    The status word follows PuLP's reading of CBC: a run stopped by the time limit
    with a feasible solution is "Optimal" but not proven; without one, "Not Solved".
    Both stages are feasible by construction (all candidates close every gap; stage 1's
    choice meets stage 2's cap), so "infeasible" is checked again without presolve:
    HiGHS' MIP presolve has declared feasible models infeasible (ERGO-Code/HiGHS#1958, #3090).
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    started = time.perf_counter()
    for presolve in (True, False):
        left = float(time_limit_s) - (time.perf_counter() - started)
        if not presolve and left <= 0:
            break
        with _c_stdout_silenced():
            res = milp(
                c, integrality=integral, bounds=Bounds(0.0, 1.0),
                constraints=LinearConstraint(rows, lower, upper) if rows.shape[0] else None,
                # mip_rel_gap=0: prove optimality as CBC does (HiGHS' own default stops within 0.01 %)
                options={"time_limit": max(left, 0.01), "mip_rel_gap": 0.0, "presolve": presolve},
            )
        infeasible = res.status == 2 or (res.status == 4 and "infeasible" in str(res.message).lower())
        if not infeasible:
            break
    if res.x is not None and res.status in (0, 1):
        return res.x, "Optimal", res.status == 0
    # "unbounded or infeasible" (status 4) is infeasible here: every variable is bounded
    return None, "Infeasible" if infeasible else _MILP_STATUS.get(res.status, "Undefined"), False


def _solve_exact_milp(area, cost, district, required, groups, *, time_limit_s):
    """Two-stage MILP (min cost, then max newly covered) with HiGHS; returns (chosen mask, status text)."""
    import scipy.sparse as sp

    n = len(area)
    w, members = groups
    n_groups = len(w)
    area = np.asarray(area, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    # one ">= required" row per district with a gap, over its candidates
    gap_rows, gap_cols, gap_vals, gap_lb = [], [], [], []
    for d, req in required.items():
        idx = np.flatnonzero(district == d)
        if req > 0 and len(idx):
            gap_rows.append(np.full(len(idx), len(gap_lb)))
            gap_cols.append(idx)
            gap_vals.append(area[idx])
            gap_lb.append(req * (1 - 1e-9) - 1e-6)
    k = len(gap_lb)
    cat = np.concatenate

    def rows_of(width):
        if not k:
            return sp.csr_array((0, width)), np.empty(0), np.empty(0)
        a = sp.csr_array((cat(gap_vals), (cat(gap_rows), cat(gap_cols))), shape=(k, width))
        return a, np.array(gap_lb), np.full(k, np.inf)

    # stage 1: least cost that closes every gap
    a1, lo1, hi1 = rows_of(n)
    x1, word1, proven1 = _milp(cost, np.ones(n), a1, lo1, hi1, time_limit_s)
    if x1 is None:
        return None, f"stage 1 {word1}"
    chosen1 = x1 > 0.5
    best_cost = float(cost[chosen1].sum())
    cap = best_cost * (1 + 1e-9) + 1e-6

    # stage 2: variables [x (n, binary), y (groups, continuous 0..1)], maximise sum w*y
    # rows: the gap rows; y_g - sum(x_j, j reaches g) <= 0; cost.x <= cap
    sizes = np.fromiter((len(m) for m in members), dtype=np.int64, count=n_groups)
    g_idx = np.arange(n_groups)
    cover_rows = cat([g_idx, np.repeat(g_idx, sizes)])
    cover_cols = cat([n + g_idx, cat(members) if n_groups else np.empty(0, dtype=np.int64)])
    cover_vals = cat([np.ones(n_groups), -np.ones(int(sizes.sum()))])
    a_gap, lo_gap, hi_gap = rows_of(n + n_groups)
    a2 = sp.vstack([
        a_gap,
        sp.csr_array((cover_vals, (cover_rows, cover_cols)), shape=(n_groups, n + n_groups)),
        sp.csr_array((cost, (np.zeros(n, dtype=np.int64), np.arange(n))), shape=(1, n + n_groups)),
    ], format="csr")
    lo2 = cat([lo_gap, np.full(n_groups, -np.inf), [-np.inf]])
    hi2 = cat([hi_gap, np.zeros(n_groups), [cap]])
    c2 = cat([np.zeros(n), -np.asarray(w, dtype=np.float64)])
    x2, word2, proven2 = _milp(c2, cat([np.ones(n), np.zeros(n_groups)]), a2, lo2, hi2, time_limit_s)
    if x2 is None:
        return chosen1, f"stage 2 {word2}: least-cost solution of stage 1 kept"
    status = "optimal" if proven1 and proven2 else "time limit reached: best solution found"
    return x2[:n] > 0.5, f"{status} ({n_groups:,} merged demand groups)"


# ---------------------------------------------------------------------------------------------
# Which code to time
# ---------------------------------------------------------------------------------------------


def _solvers():
    from zzgeo.shelters import _solvers as zz

    own = zz._solve_exact
    src = inspect.getsource(own)
    if "pulp" in src:
        pulp_fn, pulp_from = own, "zzgeo.shelters._solvers._solve_exact"
    elif hasattr(zz, "_solve_exact_pulp"):
        pulp_fn, pulp_from = zz._solve_exact_pulp, "zzgeo.shelters._solvers._solve_exact_pulp"
    else:
        raise SystemExit("zzgeo has no PuLP _solve_exact any more: nothing to compare against")
    if "milp" in src:
        milp_fn, milp_from = own, "zzgeo.shelters._solvers._solve_exact"
    else:
        milp_fn, milp_from = _solve_exact_milp, "this script's _solve_exact_milp (zzgeo has no milp variant)"
    return {"pulp": (pulp_fn, pulp_from), "milp": (milp_fn, milp_from)}


class _StageClock:
    """Wraps pulp.LpProblem.solve and scipy.optimize.milp; records when each solve returns."""

    def __init__(self):
        self.marks: list[float] = []

    @contextlib.contextmanager
    def installed(self):
        import pulp
        import scipy.optimize as so

        real_solve, real_milp = pulp.LpProblem.solve, so.milp
        marks = self.marks

        def solve(prob, *a, **kw):
            out = real_solve(prob, *a, **kw)
            marks.append(time.perf_counter())
            return out

        def milp(*a, **kw):
            out = real_milp(*a, **kw)
            marks.append(time.perf_counter())
            return out

        pulp.LpProblem.solve, so.milp = solve, milp
        try:
            yield self
        finally:
            pulp.LpProblem.solve, so.milp = real_solve, real_milp


def _cpu_children() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _one_run(fn, inst, time_limit_s):
    clock = _StageClock()
    cpu0, kids0 = time.process_time(), _cpu_children()
    with clock.installed():
        t0 = time.perf_counter()
        chosen, status = fn(*inst, time_limit_s=time_limit_s)
        t1 = time.perf_counter()
    cpu = (time.process_time() - cpu0) + (_cpu_children() - kids0)  # CBC runs as a child process
    # one solve per stage; anything else (milp's rare retry without presolve) leaves the split unknown
    marks = clock.marks
    s1 = marks[0] - t0 if len(marks) in (1, 2) else float("nan")
    s2 = t1 - marks[0] if len(marks) == 2 else float("nan")
    return {"stage1_s": s1, "stage2_s": s2, "total_s": t1 - t0, "cpu_s": cpu, "chosen": chosen, "status": status}


def _objectives(inst, chosen):
    cost, (w, members) = inst[1], inst[4]
    if chosen is None:
        return None, None
    hit = np.fromiter((bool(chosen[m].any()) for m in members), dtype=bool, count=len(members))
    return float(cost[chosen].sum()), float(np.asarray(w)[hit].sum())


def _hit_limit(run) -> bool:
    return not run["status"].startswith("optimal")


def time_solver(fn, inst, time_limit_s, repeat):
    runs = [_one_run(fn, inst, time_limit_s)]
    while len(runs) < repeat and not _hit_limit(runs[0]):
        runs.append(_one_run(fn, inst, time_limit_s))
    best = {k: min(r[k] for r in runs) for k in ("stage1_s", "stage2_s", "total_s", "cpu_s")}
    same = all(r["chosen"] is not None and runs[0]["chosen"] is not None and np.array_equal(r["chosen"], runs[0]["chosen"])
               or (r["chosen"] is None and runs[0]["chosen"] is None) for r in runs)
    cost_obj, cover_obj = _objectives(inst, runs[0]["chosen"])
    return {**best, "runs": len(runs), "deterministic": same if len(runs) > 1 else None, "status": runs[0]["status"],
            "cost": cost_obj, "newly_covered": cover_obj, "chosen": runs[0]["chosen"]}


# ---------------------------------------------------------------------------------------------
# Instances
# ---------------------------------------------------------------------------------------------


def synthetic_instance(n: int, *, seed: int = 0, costs: str = "unit", cell_m: float = 250.0, sites_per_km2: float = 1.0):
    """(area, cost, district, required, groups) for *n* random candidate sites (see the module notes)."""
    import scipy.sparse as sp
    from scipy.spatial import cKDTree

    from zzgeo.shelters._solvers import _demand_groups

    rng = np.random.default_rng([seed, n])
    side = math.sqrt(n / sites_per_km2) * 1000.0
    k = math.ceil(side / cell_m)
    gx, gy = np.meshgrid((np.arange(k) + 0.5) * cell_m, (np.arange(k) + 0.5) * cell_m)
    cells = np.column_stack([gx.ravel(), gy.ravel()])
    pop = rng.lognormal(math.log(300), 1.0, len(cells))
    n_old = max(1, n // 3)  # existing shelters: discs covering about 40 % of the cells
    old = cKDTree(rng.uniform(0, side, (n_old, 2)))
    covered = np.isfinite(old.query(cells, distance_upper_bound=math.sqrt(0.4 * side**2 / n_old / math.pi))[0])
    xy = rng.uniform(0, side, (n, 2))
    cls = rng.choice(3, n, p=[0.05, 0.35, 0.60])  # I, II, III
    lo, hi = np.array([20000, 4000, 2000]), np.array([60000, 20000, 4000])
    area = np.round(rng.uniform(lo[cls], hi[cls]), -1)
    radius = np.array([5000.0, 1000.0, 500.0])[cls]
    nd = int(min(12, max(2, n // 25)))
    bx = math.ceil(math.sqrt(nd))
    cx = np.minimum(xy[:, 0] / side * bx, bx - 1).astype(int)
    cy = np.minimum(xy[:, 1] / side * bx, bx - 1).astype(int)
    district = np.array([f"D{v}" for v in (cx * bx + cy) % nd])
    required = {str(d): float(area[district == d].sum() * rng.uniform(0.2, 0.6)) for d in np.unique(district)}
    cost = np.ones(n) if costs == "unit" else np.round(area * rng.uniform(0.5, 2.0, n) / 1000.0, 1)
    tree = cKDTree(cells)
    rows, cols = [], []
    for j in range(n):
        c = np.asarray(tree.query_ball_point(xy[j], radius[j]), dtype=np.int64)
        c = c[~covered[c]]
        rows.append(np.full(len(c), j))
        cols.append(c)
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    reach = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(cells)))
    return area, cost, district, required, _demand_groups(reach, pop * ~covered)


def demo_instances(years=(2025, 2029)) -> dict:
    """The solver inputs of site_shelters on the DEMO register and candidates, one per year."""
    from zzgeo.layers import read_layer
    from zzgeo.shelters import siting
    from zzgeo.shelters.candidates import read_candidates
    from zzgeo.shelters.demo import demo_candidates, demo_register
    from zzgeo.shelters.register import read_register
    from zzgeo.shelters.rules import load_rules

    captured = {}

    def spy(*a, **kw):
        captured["last"] = a
        return None, "captured by the benchmark"  # site_shelters then runs greedy: cheap, not timed

    real = siting._solve_exact
    rules, districts = load_rules(), read_layer("districts")
    reg = read_register(demo_register(), rules=rules, districts=districts)
    cands = read_candidates(demo_candidates(), rules=rules, districts=districts)
    out = {}
    siting._solve_exact = spy
    try:
        for year in years:
            captured.clear()
            siting.site_shelters(reg, cands, year=year, rules=rules, districts=districts, method="exact")
            if "last" in captured:
                out[f"demo {year}"] = captured["last"]
    finally:
        siting._solve_exact = real
    return out


# ---------------------------------------------------------------------------------------------


def _machine() -> str:
    import scipy

    try:
        import pulp

        pulp_v = pulp.__version__
    except ImportError:  # pragma: no cover
        pulp_v = "absent"
    try:
        from scipy.optimize._highspy import _core

        highs = getattr(_core, "_Highs", getattr(_core, "Highs", None))().version()
    except (ImportError, AttributeError, TypeError):  # private module: may move
        highs = "?"
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return (f"{platform.machine()}, nproc {os.cpu_count()}, load average {load}; Python {platform.python_version()}, "
            f"numpy {np.__version__}, scipy {scipy.__version__} (HiGHS {highs}), PuLP {pulp_v} (bundled CBC)")


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _fmt_s(v) -> str:
    return "-" if v is None or not np.isfinite(v) else f"{v:.3f}"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50,300,1000,3000", help="candidate sites of the synthetic instances")
    parser.add_argument("--costs", default="unit,column", help="unit (fewest sites) and/or column (random costs)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (runs stopped by the time limit: once)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per stage, as site_shelters' time_limit_s")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-demo", action="store_true", help="skip the DEMO 2025/2029 instances")
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args(argv)

    print(_machine())
    solvers = _solvers()
    for name, (_, where) in solvers.items():
        print(f"{name}: {where}")
    print(f"time limit {args.time_limit:g} s per stage; best of {args.repeat}")

    instances = {}
    if not args.no_demo:
        instances.update({k: ("unit", v) for k, v in demo_instances().items()})
    for costs in [c for c in args.costs.split(",") if c]:
        for n in [int(s) for s in args.sizes.split(",") if s]:
            instances[f"synthetic {n}, {costs} cost"] = (costs, synthetic_instance(n, seed=args.seed, costs=costs))

    warm = synthetic_instance(30, seed=99)
    for fn, _ in solvers.values():  # imports, first subprocess start, first HiGHS call
        fn(*warm, time_limit_s=10.0)

    head = ["instance", "cost", "sites", "groups", "solver", "stage 1 s", "stage 2 s", "total s", "cpu s", "PuLP/milp",
            "PuLP/milp cpu", "stage 1 obj", "stage 2 obj", "equal", "same sites", "repeat same", "status"]
    right = set(range(2, 4)) | set(range(5, 13))
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---:" if i in right else "---" for i in range(len(head))) + "|")
    rows = []
    for label, (costs, inst) in instances.items():
        res = {name: time_solver(fn, inst, args.time_limit, args.repeat) for name, (fn, _) in solvers.items()}
        p, m = res["pulp"], res["milp"]
        eq1, eq2 = _same(p["cost"], m["cost"]), _same(p["newly_covered"], m["newly_covered"])
        same_sites = p["chosen"] is not None and m["chosen"] is not None and bool(np.array_equal(p["chosen"], m["chosen"]))
        for name in ("pulp", "milp"):
            r = res[name]
            det = "-" if r["deterministic"] is None else ("yes" if r["deterministic"] else "NO")
            cells = [label.split(",")[0], costs, f"{len(inst[0]):,}", f"{len(inst[4][0]):,}", name,
                     _fmt_s(r["stage1_s"]), _fmt_s(r["stage2_s"]), _fmt_s(r["total_s"]), f"{r['cpu_s']:.2f}",
                     f"**{p['total_s'] / m['total_s']:.2f}**" if name == "milp" else "",
                     f"{p['cpu_s'] / m['cpu_s']:.2f}" if name == "milp" else "",
                     "-" if r["cost"] is None else f"{r['cost']:,.1f}",
                     "-" if r["newly_covered"] is None else f"{r['newly_covered']:,.1f}",
                     "" if name == "pulp" else ("yes" if eq1 and eq2 else f"NO (stage 1 {eq1}, stage 2 {eq2})"),
                     "" if name == "pulp" else ("yes" if same_sites else "no"), det, r["status"]]
            print("| " + " | ".join(cells) + " |", flush=True)
        rows.append({
            "instance": label, "costs": costs, "sites": len(inst[0]), "groups": len(inst[4][0]),
            **{f"{name}_{k}": (None if v is None or (isinstance(v, float) and not np.isfinite(v)) else v)
               for name in ("pulp", "milp") for k, v in res[name].items() if k != "chosen"},
            "ratio_total": p["total_s"] / m["total_s"], "ratio_cpu": p["cpu_s"] / m["cpu_s"], "objectives_equal": bool(eq1 and eq2), "same_sites": same_sites,
        })
    print(f"\nafter the run: load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    result = {"machine": _machine(), "time_limit_s": args.time_limit, "repeat": args.repeat,
              "code": {k: v[1] for k, v in solvers.items()}, "rows": rows}
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(result, indent=2, default=float), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
