"""Benchmark: service-radius coverage of a 100 m population grid over Zhengzhou by 5,000 shelters.

Compares, in the same run and on the same inputs:

* **zzgeo** - :func:`zzgeo.spatial.reach.reach_pairs` followed by the
  per-class and any-class coverage sums by district, exactly what
  :func:`zzgeo.shelters.coverage.shelter_coverage` does for coverage. On a
  regular grid it looks the cells up around each shelter; the same call on
  the same points without the grid marker (``attrs["cell_m"]``) takes the
  general path, an STRtree ``dwithin`` query per class radius - both are timed;
* **baseline** - plain geopandas: buffer every shelter by its class radius,
  ``geopandas.sjoin(cells, buffers, predicate="intersects")``, then the same sums.

The full :func:`~zzgeo.shelters.coverage.shelter_coverage` (which adds the
per-capita table and the exact max-flow of assured places) is timed as well.
The demand is the default surface (census 2020 spread uniformly within each
district) on a ``--cell-m`` grid; the shelters are random, placed at cells drawn
with probability proportional to population, with a class mix of 5 % I,
35 % II, 60 % III (radii 5,000 / 1,000 / 500 m from the default rule set).

Run ``python benchmarks/bench_shelter_coverage.py`` (full size: ~755,000 cells,
5,000 shelters) or scale down, e.g. ``--cells 50000 --shelters 500``. When the
baseline would take too long (``--baseline-max-shelters``), it runs on the first
shelters only and its time is extrapolated linearly in the number of shelters;
the output says so.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

CLASS_MIX = {"I": 0.05, "II": 0.35, "III": 0.60}


def _random_shelters(demand, n: int, seed: int):
    import geopandas as gpd

    rng = np.random.default_rng(seed)
    p = demand["population"].to_numpy() / demand["population"].sum()
    picks = rng.choice(len(demand), size=n, p=p)
    xy = np.column_stack([demand.geometry.x.to_numpy()[picks], demand.geometry.y.to_numpy()[picks]])
    xy += rng.uniform(-40, 40, size=xy.shape)
    classes = rng.choice(list(CLASS_MIX), size=n, p=list(CLASS_MIX.values()))
    low = {"I": 20000, "II": 4000, "III": 2000}
    area = np.array([low[c] * rng.uniform(1.0, 3.0) for c in classes]).round(-1)
    return gpd.GeoDataFrame(
        {"name": [f"bench-{i}" for i in range(n)], "shelter_class": classes, "effective_area_m2": area},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=demand.crs,
    )


def _sums(pop, adcode, covered_by_class, covered_any) -> pd.DataFrame:
    frame = pd.DataFrame({"adcode": adcode, "any": pop * covered_any})
    for c, mask in covered_by_class.items():
        frame[c] = pop * mask
    return frame.groupby("adcode").sum()


def zzgeo_coverage(demand, shelters, radius):
    from zzgeo.spatial.reach import reach_pairs

    pairs = reach_pairs(demand, shelters, radius, with_distance=False)
    classes = shelters["shelter_class"].to_numpy()
    by_class = {}
    for c in CLASS_MIX:
        mask = np.zeros(len(demand), dtype=bool)
        mask[pairs.cell[classes[pairs.site] == c]] = True
        by_class[c] = mask
    covered = np.zeros(len(demand), dtype=bool)
    covered[pairs.cell] = True
    return _sums(demand["population"].to_numpy(), demand["adcode"].to_numpy(), by_class, covered)


def baseline_coverage(demand, shelters, radius):
    import geopandas as gpd

    buffers = gpd.GeoDataFrame({"shelter_class": shelters["shelter_class"].to_numpy()},
                               geometry=shelters.geometry.buffer(radius), crs=shelters.crs)
    joined = gpd.sjoin(demand[["geometry"]], buffers, predicate="intersects", how="inner")
    by_class = {}
    for c in CLASS_MIX:
        mask = np.zeros(len(demand), dtype=bool)
        mask[demand.index.get_indexer(joined.index[joined["shelter_class"] == c].unique())] = True
        by_class[c] = mask
    covered = np.zeros(len(demand), dtype=bool)
    covered[demand.index.get_indexer(joined.index.unique())] = True
    return _sums(demand["population"].to_numpy(), demand["adcode"].to_numpy(), by_class, covered)


def _best_of(fn, repeat: int):
    best, out = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, default=None, help="target number of grid cells (default: a 100 m grid, ~755,000)")
    parser.add_argument("--cell-m", type=float, default=100.0, help="grid spacing when --cells is not given")
    parser.add_argument("--shelters", type=int, default=5000)
    parser.add_argument("--baseline-max-shelters", type=int, default=5000,
                        help="run the baseline on at most this many shelters and extrapolate linearly")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-full", action="store_true", help="do not time the full shelter_coverage")
    parser.add_argument("--json-out", type=Path, default=None, help="also write the results as JSON")
    args = parser.parse_args(argv)

    from zzgeo.layers import read_layer
    from zzgeo.spatial.surface import district_surface
    from zzgeo.shelters.rules import load_rules

    districts = read_layer("districts")
    cell_m = args.cell_m
    if args.cells:
        cell_m = math.sqrt(float(districts.to_crs("EPSG:4547").area.sum()) / args.cells)
    t0 = time.perf_counter()
    demand = district_surface(districts, cell_m=cell_m)
    setup_s = time.perf_counter() - t0
    shelters = _random_shelters(demand, args.shelters, args.seed)
    rules = load_rules()
    radius = shelters["shelter_class"].map({c: rules.radius_m(c) for c in CLASS_MIX}).to_numpy(dtype=float)

    print(f"grid: {len(demand):,} cells of {cell_m:.1f} m (built in {setup_s:.1f} s), "
          f"{demand['population'].sum():,.0f} residents; shelters: {len(shelters):,} "
          f"({', '.join(f'{c} {int((shelters.shelter_class == c).sum())}' for c in CLASS_MIX)})")
    t_zz, ours = _best_of(lambda: zzgeo_coverage(demand, shelters, radius), args.repeat)
    print(f"zzgeo reach_pairs coverage:         {t_zz:8.2f} s  (regular-grid lookup)")
    scattered = demand.copy()
    scattered.attrs = {}  # without cell_m the points are treated as scattered: STRtree dwithin path
    t_tree, _ = _best_of(lambda: zzgeo_coverage(scattered, shelters, radius), args.repeat)
    print(f"zzgeo, scattered-points path:       {t_tree:8.2f} s  (STRtree dwithin, for rasters/irregular demand)")

    n_base = min(args.baseline_max_shelters, len(shelters))
    sub = shelters.iloc[:n_base]
    t_base_sub, theirs = _best_of(lambda: baseline_coverage(demand, sub, radius[:n_base]), args.repeat)
    extrapolated = n_base < len(shelters)
    t_base = t_base_sub * len(shelters) / n_base
    if extrapolated:
        print(f"geopandas buffer + sjoin baseline:  {t_base:8.2f} s  (EXTRAPOLATED linearly from {t_base_sub:.2f} s "
              f"on the first {n_base:,} of {len(shelters):,} shelters)")
        t_zz_sub, ours_sub = _best_of(lambda: zzgeo_coverage(demand, sub, radius[:n_base]), 1)
        diff = float((ours_sub["any"] - theirs["any"]).abs().sum())
    else:
        print(f"geopandas buffer + sjoin baseline:  {t_base:8.2f} s")
        diff = float((ours["any"] - theirs["any"]).abs().sum())
    print(f"speed-up (baseline / zzgeo):        {t_base / t_zz:8.1f} x  (scattered-points path: {t_base / t_tree:.1f} x)")
    total = float(demand["population"].sum())
    print(f"covered residents, any class: zzgeo {ours['any'].sum():,.0f} ({ours['any'].sum() / total:.1%}); "
          f"|zzgeo - baseline| on the compared shelters = {diff:,.0f} residents "
          "(buffers are polygons inscribed in the circles, so the baseline misses a few edge cells)")

    t_full = None
    if not args.skip_full:
        from zzgeo.shelters.coverage import shelter_coverage
        from zzgeo.shelters.register import validate_register

        t0 = time.perf_counter()
        register = validate_register(shelters, districts=districts, rules=rules, on_error="flag")
        res = shelter_coverage(register, demand, districts=districts, rules=rules)
        t_full = time.perf_counter() - t0
        print(f"full validate_register + shelter_coverage (table + coverage + {res.meta['assignment_method']} assured places): "
              f"{t_full:.2f} s; {res.meta['excluded_rows']} random shelter(s) flagged (jittered outside / duplicates) and left out")
        print(f"  {res.meta['assignment']}")

    result = {
        "cells": len(demand), "cell_m": cell_m, "shelters": len(shelters), "zzgeo_s": round(t_zz, 3),
        "baseline_s": round(t_base, 3), "baseline_extrapolated": extrapolated, "baseline_shelters_run": n_base,
        "ratio": round(t_base / t_zz, 2), "zzgeo_strtree_s": round(t_tree, 3), "ratio_strtree": round(t_base / t_tree, 2),
        "repeat": args.repeat, "full_shelter_coverage_s": None if t_full is None else round(t_full, 3),
        "covered_difference_residents": round(diff, 1),
    }
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
