"""Benchmark: value N random point parcels against the land-price grade zones.

Times :func:`zzgeo.landprice.valuation.value_parcels` on N random points
(default 1,000,000) spread uniformly over the area the grade zones cover (the
six urban districts), each with a random collective-construction use
(商业服务业 / 宅基地 / 工业 / 公共管理与公共服务), plot ratio, remaining term
and area, and compares its throughput with a plain baseline written here:
``geopandas.sjoin`` of the points with the zones of their use, then a
row-wise ``DataFrame.apply`` computing the same corrected unit price. Both
must give bit-identical unit prices (checked with an assert on every row the
baseline values).

The zzgeo call does more than the baseline: CRS and geometry-validity checks,
the district of every point, per-row error and warning columns and ~30 output
columns. The baseline only finds the grade and computes the price.

Usage::

    python benchmarks/bench_land_price.py                 # 1,000,000 points
    python benchmarks/bench_land_price.py --quick         # 20,000 points, a few seconds
    python benchmarks/bench_land_price.py --n 200000 --baseline-n 50000 --profile

Results go to stdout and to ``benchmarks/results/land_price_<n>.json``
(git-ignored). The grade zones are zzgeo's DEMO zones (synthetic); timings
depend on their shape, not on whether they are real.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import math
import os
import platform
import pstats
import resource
import sys
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zzgeo import __version__
from zzgeo._data import load_toml
from zzgeo.landprice.rules import document, price_table, use_info
from zzgeo.landprice.valuation import PlotRatioTable, PriceIndex, ValuationOptions, value_parcels
from zzgeo.landprice.zones import default_zones
from zzgeo.layers import read_layer

TABLE = "collective_construction"
USES = ("commercial", "homestead", "industrial", "public")
RESULTS = Path(__file__).resolve().parent / "results"

#: Illustrative coefficients, NOT Zhengzhou's: only here to exercise every step.
PLOT_RATIO_TABLE = PlotRatioTable(
    (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0),
    (0.70, 0.82, 0.92, 1.00, 1.12, 1.22, 1.30),
    source="illustrative table (not Zhengzhou's)",
)
PRICE_INDEX = PriceIndex(
    (dt.date(2020, 1, 1), dt.date(2022, 1, 1), dt.date(2024, 1, 1)),
    (100.0, 103.5, 96.2),
    source="illustrative index (not an official one)",
)
OPTIONS = ValuationOptions(
    valuation_date=dt.date(2023, 6, 30),
    price_index=PRICE_INDEX,
    plot_ratio_table=PLOT_RATIO_TABLE,
    individual_factors={"traffic": 0.03, "shape": -0.01, "environment": 0.02},
    development_adjustment_yuan_m2=15.0,
)


# --- input ---------------------------------------------------------------------------------


def random_parcels(n: int, zones: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, seed: int = 0) -> gpd.GeoDataFrame:
    """*n* random points where the table's zones and the districts overlap, with use, plot ratio, term, area.

    The demo zones were cut from the districts in EPSG:4547; a few square metres at
    their edge fall outside the WGS-84 district outlines, so both are required.
    """
    rng = np.random.default_rng(seed)
    cover = zones[zones["table"] == TABLE].union_all().intersection(districts.union_all())
    shapely.prepare(cover)
    minx, miny, maxx, maxy = cover.bounds
    xs, ys, have = [], [], 0
    while have < n:  # rejection sampling in the bounding box (about half the draws land inside)
        batch = max(2 * (n - have), 1000)
        x = rng.uniform(minx, maxx, batch)
        y = rng.uniform(miny, maxy, batch)
        inside = shapely.contains_xy(cover, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        have += int(inside.sum())
    x = np.concatenate(xs)[:n]
    y = np.concatenate(ys)[:n]
    use = rng.choice(np.array(USES, dtype=object), n)
    legal = pd.Series(use).map({u: use_info(TABLE, u).term_years for u in USES}).to_numpy(dtype=float)
    # remaining term: whole years 10..legal term; homestead has no term limit (NaN -> unlimited)
    limited = np.isfinite(legal)
    term = np.full(n, np.nan)
    term[limited] = np.minimum(np.floor(rng.uniform(10.0, legal[limited] + 1.0)), legal[limited])
    return gpd.GeoDataFrame(
        {
            "use": use,
            "plot_ratio": np.round(rng.uniform(0.8, 4.0, n), 2),
            "term_years": term,
            "area_m2": np.round(rng.uniform(200.0, 20000.0, n)),
        },
        geometry=shapely.points(x, y),
        crs="EPSG:4326",
    )


# --- the two implementations ---------------------------------------------------------------


def run_zzgeo(parcels: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> tuple[pd.Series, pd.Series]:
    """zzgeo: one call; returns the unit prices (元/m²) and grades."""
    out = value_parcels(parcels, table=TABLE, options=OPTIONS, zones=zones, districts=districts, on_error="flag")
    return out["unit_price_yuan_m2"], out["grade"]


def _baseline_constants() -> dict:
    """What the baseline needs, read once: prices by (use, grade), r, n, FAR_b, price form, K_date, ΣK, D."""
    table = price_table()
    table = table[(table["table"] == TABLE) & table["price_yuan_m2"].notna()]
    rates = load_toml("landprice/valuation.toml")["reduction_rate"][TABLE]
    base_date = dt.date.fromisoformat(document()["base_date"])
    return {
        "price": {(u, int(g)): float(p) for u, g, p in zip(table["use"], table["grade"], table["price_yuan_m2"])},
        "use": {
            u: {"r": rates[u], "n": use_info(TABLE, u).term_years, "far_b": use_info(TABLE, u).plot_ratio,
                "floor": use_info(TABLE, u).price_form == "floor"}
            for u in USES
        },
        "k_date": PRICE_INDEX.ratio(OPTIONS.valuation_date, base_date),
        "sum_k": float(sum(OPTIONS.individual_factors.values())),
        "dev": OPTIONS.development_adjustment_yuan_m2,
    }


def _k_term(r: float, m: float, n: float) -> float:
    num = 1.0 if math.isinf(m) else 1.0 - 1.0 / (1.0 + r) ** m
    den = 1.0 if math.isinf(n) else 1.0 - 1.0 / (1.0 + r) ** n
    return num / den


def run_baseline(parcels: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, *, predicate: str = "intersects") -> tuple[pd.Series, dict]:
    """Plain geopandas: sjoin each use's points with that use's zones, then a row-wise apply.

    The same correction as zzgeo, in the same order of floating-point operations:
    benchmark × (1 + ΣK) × K_term × K_plot × FAR (floor prices) × K_date + D.
    """
    c = _baseline_constants()
    far_table = (np.asarray(PLOT_RATIO_TABLE.plot_ratio), np.asarray(PLOT_RATIO_TABLE.coefficient))
    t0 = time.perf_counter()
    joined = []
    for use in USES:
        zu = zones[(zones["table"] == TABLE) & (zones["use"] == use)][["grade", "geometry"]]
        j = gpd.sjoin(parcels[parcels["use"] == use], zu, how="inner", predicate=predicate)
        joined.append(j[~j.index.duplicated()])  # a point on a zone border: keep one grade
    joined = pd.concat(joined)
    t1 = time.perf_counter()

    def price(row: pd.Series) -> float:
        u = c["use"][row["use"]]
        m = u["n"] if math.isnan(row["term_years"]) else row["term_years"]
        far = row["plot_ratio"]
        k_plot = np.interp(far, *far_table) / np.interp(u["far_b"], *far_table)
        to_ground = far if u["floor"] else 1.0
        benchmark = c["price"][(row["use"], int(row["grade"]))]
        return benchmark * (1.0 + c["sum_k"]) * _k_term(u["r"], m, u["n"]) * k_plot * to_ground * c["k_date"] + c["dev"]

    unit = joined.apply(price, axis=1)
    t2 = time.perf_counter()
    return unit.reindex(parcels.index), {"sjoin_s": t1 - t0, "apply_s": t2 - t1}


# --- measuring -----------------------------------------------------------------------------


class PeakRSS:
    """Peak resident memory while the block runs (samples /proc/self/statm every 5 ms; Linux)."""

    def __init__(self) -> None:
        self.start = self.peak = self._rss()
        self._stop = threading.Event()

    @staticmethod
    def _rss() -> int:
        try:
            with open("/proc/self/statm") as fh:
                return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:  # not Linux: fall back to the process-wide peak
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> PeakRSS:
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def _timed(fn, *args, **kwargs):
    with PeakRSS() as mem:
        t = time.perf_counter()
        result = fn(*args, **kwargs)
        seconds = time.perf_counter() - t
    return result, seconds, mem


def _mb(n_bytes: float) -> float:
    return round(n_bytes / 2**20, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="points valued by zzgeo (default 1,000,000)")
    parser.add_argument("--baseline-n", type=int, default=None,
                        help="points valued by the baseline (default: all N; the first K of the same points)")
    parser.add_argument("--seed", type=int, default=20220414)
    parser.add_argument("--quick", action="store_true", help="20,000 points (a few seconds)")
    parser.add_argument("--profile", action="store_true", help="also cProfile the zzgeo call (separate run)")
    parser.add_argument("--within", action="store_true",
                        help="also time the baseline with sjoin(predicate='within') (geopandas' faster path)")
    parser.add_argument("--json", type=Path, default=None, help="results file (default benchmarks/results/land_price_<n>.json)")
    args = parser.parse_args(argv)
    n = 20_000 if args.quick else args.n
    n_base = min(n, args.baseline_n or n)

    zones = default_zones()
    districts = read_layer("districts")
    t = time.perf_counter()
    parcels = random_parcels(n, zones, districts, seed=args.seed)
    make_s = time.perf_counter() - t
    print(f"zzgeo {__version__}, python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"geopandas {gpd.__version__}, shapely {shapely.__version__}, GEOS {shapely.geos_version_string}")
    print(f"{platform.machine()}, {os.cpu_count()} CPU(s); {platform.platform()}")
    print(f"{n:,} random points in the {TABLE} grade zones (DEMO zones, six urban districts), seed {args.seed}, "
          f"made in {make_s:.2f} s; uses: {parcels['use'].value_counts().to_dict()}")

    # warm-up: imports, pyproj transformers, TOML caches
    run_zzgeo(parcels.iloc[:500], zones, districts)
    run_baseline(parcels.iloc[:500], zones)

    (z_unit, z_grade), z_s, z_mem = _timed(run_zzgeo, parcels, zones, districts)
    base = parcels.iloc[:n_base]
    (b_unit, b_stage), b_s, b_mem = _timed(run_baseline, base, zones)

    # same grades and bit-identical unit prices on every point the baseline valued
    z_sub = z_unit.iloc[:n_base].to_numpy()
    assert np.isfinite(z_sub).all(), f"zzgeo left {int((~np.isfinite(z_sub)).sum())} point(s) unvalued"
    assert np.array_equal(z_sub, b_unit.to_numpy()), (
        f"unit prices differ on {int((z_sub != b_unit.to_numpy()).sum())} of {n_base} points; "
        f"max |diff| {np.nanmax(np.abs(z_sub - b_unit.to_numpy()))!r}"
    )

    z_rate, b_rate = n / z_s, n_base / b_s
    result = {
        "n": n,
        "baseline_n": n_base,
        "seed": args.seed,
        "zzgeo": {"seconds": round(z_s, 3), "points_per_s": round(z_rate), "peak_rss_mb": _mb(z_mem.peak),
                  "rss_increase_mb": _mb(z_mem.peak - z_mem.start)},
        "baseline_sjoin_apply": {"seconds": round(b_s, 3), "points_per_s": round(b_rate), "peak_rss_mb": _mb(b_mem.peak),
                                 "rss_increase_mb": _mb(b_mem.peak - b_mem.start),
                                 **{k: round(v, 3) for k, v in b_stage.items()}},
        "throughput_ratio": round(z_rate / b_rate, 2),
        "identical_unit_prices_checked": n_base,
        "versions": {"zzgeo": __version__, "python": platform.python_version(), "numpy": np.__version__,
                     "pandas": pd.__version__, "geopandas": gpd.__version__, "shapely": shapely.__version__,
                     "geos": shapely.geos_version_string},
        "machine": {"arch": platform.machine(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "date": dt.datetime.now().isoformat(timespec="seconds"),
    }
    print()
    print(f"zzgeo value_parcels        {n:>10,} points  {z_s:8.2f} s  {z_rate:>12,.0f} points/s  "
          f"peak RSS {_mb(z_mem.peak):,.0f} MB (+{_mb(z_mem.peak - z_mem.start):,.0f})")
    print(f"sjoin + row-wise apply     {n_base:>10,} points  {b_s:8.2f} s  {b_rate:>12,.0f} points/s  "
          f"peak RSS {_mb(b_mem.peak):,.0f} MB (+{_mb(b_mem.peak - b_mem.start):,.0f})  "
          f"[sjoin {b_stage['sjoin_s']:.2f} s, apply {b_stage['apply_s']:.2f} s]")
    if n_base < n:
        print(f"  (baseline on the first {n_base:,} of the same points: throughputs are compared, totals are not extrapolated)")
    print(f"throughput ratio zzgeo / baseline: {z_rate / b_rate:.1f}x")
    print(f"unit prices bit-identical on all {n_base:,} points the baseline valued (grades: {z_grade.iloc[:n_base].value_counts().sort_index().to_dict()})")

    if args.within:
        (w_unit, w_stage), w_s, _ = _timed(run_baseline, base, zones, predicate="within")
        assert np.array_equal(z_sub, w_unit.to_numpy()), "sjoin(predicate='within') baseline gives other prices"
        result["baseline_sjoin_within_apply"] = {"seconds": round(w_s, 3), "points_per_s": round(n_base / w_s),
                                                 **{k: round(v, 3) for k, v in w_stage.items()}}
        result["throughput_ratio_vs_within"] = round(z_rate / (n_base / w_s), 2)
        print(f"sjoin(within) + apply      {n_base:>10,} points  {w_s:8.2f} s  {n_base / w_s:>12,.0f} points/s  "
              f"[sjoin {w_stage['sjoin_s']:.2f} s, apply {w_stage['apply_s']:.2f} s]; ratio {z_rate / (n_base / w_s):.1f}x")

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        run_zzgeo(parcels, zones, districts)
        prof.disable()
        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(25)
        print("\ncProfile of value_parcels (cumulative, top 25):")
        print(text.getvalue())

    path = args.json or RESULTS / f"land_price_{n}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
