"""Benchmark: land-price valuation and grade lookup against plain geopandas, measured in one run.

Every comparison uses the same random points (or polygons) and the same zones (zzgeo's DEMO
grade zones, six urban districts), and reports ratios measured here:

1. **Full valuation** of N point parcels (default 1,000,000; random use, plot ratio, term, area,
   every correction step) with :func:`zzgeo.landprice.valuation.value_parcels` against
   (a) a bare ``geopandas.sjoin(predicate="within")`` that only finds each point's zone and
   (b) sjoin + a row-wise ``DataFrame.apply`` computing the same price (on ``--baseline-n`` points;
   unit prices must be bit-identical, asserted).
2. **Zone lookup stage alone**: zzgeo's grade lookup (rasterised index, exact near edges) for the
   four uses against the same bare sjoin; grades must be identical, asserted.
3. **Polygon parcels** (default 100,000 squares of 20-300 m, some straddling zones): zzgeo's
   area-weighted grades against ``geopandas.overlay`` + areas in EPSG:4547; weights must agree to 1e-9.
4. **Scaling** (``--scaling``): seconds and peak-memory increase per parcel from 10^4 to 3·10^6.
5. **Sizes** (``--sizes``, default 10^4, 10^5, 3·10^5, 10^6): full valuation against the bare sjoin
   on the same points at each size, both run ``--repeat`` times in turn; the ratio of the best times.
6. **One parcel** (``--one-parcel``): a warm one-parcel valuation through the Python API (default
   zones and districts, as a caller would), after a first call; the best and the median of 30 calls.
7. **Both string storages** (``--strings both``, the default): this process runs with pandas'
   default storage (pyarrow strings when pyarrow is installed), then the same benchmark runs in a
   child process with pyarrow hidden (``--strings python``: ``import pyarrow`` fails there, as
   on a machine without it, so pandas 3 stores text as python strings). Each prints the storage
   it really had (``pd.Series(["a"]).dtype.storage``).

Usage::

    python benchmarks/bench_land_price.py --quick          # 20,000 points, 10,000 polygons, seconds
    python benchmarks/bench_land_price.py                  # the full run, a few minutes
    python benchmarks/bench_land_price.py --scaling        # + 10^4 .. 3x10^6 (several more minutes)
    python benchmarks/bench_land_price.py --profile        # + cProfile of value_parcels, by stage
    python benchmarks/bench_land_price.py --sizes 10000,1000000 --one-parcel --no-points  # ratios by size only

Run it with ``PYTHONPATH`` pointing at another checkout's ``src`` to measure that checkout.

Results go to stdout and ``benchmarks/results/land_price_<n>.json`` (git-ignored).
"""

from __future__ import annotations

import sys

if "--strings" in sys.argv and sys.argv[sys.argv.index("--strings") + 1:][:1] == ["python"]:
    sys.modules["pyarrow"] = None  # as if pyarrow were not installed: pandas 3 then stores text as python strings

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
import subprocess
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


# --- zone lookup and polygons ---------------------------------------------------------------


def zone_lookup(parcels: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> np.ndarray:
    """zzgeo's grade lookup stage alone: the grade of every point for its use (0 = none)."""
    from zzgeo.landprice.zones import grade_weights, zone_subset

    xy = shapely.get_coordinates(np.asarray(parcels.geometry.values))
    grade = np.zeros(len(parcels), dtype=np.int64)
    uses = parcels["use"].to_numpy()
    geoms = np.asarray(parcels.geometry.values)
    for use in USES:
        rows = np.flatnonzero(uses == use)
        pos, g, _ = grade_weights(geoms[rows], zone_subset(zones, TABLE, use), xy=(xy[rows, 0], xy[rows, 1]))
        grade[rows[pos]] = g
    return grade


def bare_sjoin(parcels: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> np.ndarray:
    """Plain geopandas: sjoin(predicate="within") of each use's points with that use's zones; grades only."""
    grade = pd.Series(0, index=parcels.index, dtype=np.int64)
    for use in USES:
        zu = zones[(zones["table"] == TABLE) & (zones["use"] == use)][["grade", "geometry"]]
        j = gpd.sjoin(parcels.loc[parcels["use"] == use, ["geometry"]], zu, how="inner", predicate="within")
        grade[j.index] = j["grade"].to_numpy()
    return grade.to_numpy()


def random_squares(n: int, zones: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, seed: int) -> gpd.GeoDataFrame:
    """*n* squares (20-300 m sides, in EPSG:4547) around random points of the grade map, in WGS-84."""
    centres = random_parcels(n, zones, districts, seed=seed + 1).to_crs("EPSG:4547")
    half = np.random.default_rng(seed).uniform(10.0, 150.0, n)
    x, y = centres.geometry.x.to_numpy(), centres.geometry.y.to_numpy()
    squares = shapely.box(x - half, y - half, x + half, y + half)
    return gpd.GeoDataFrame({"parcel": np.arange(n)}, geometry=squares, crs="EPSG:4547").to_crs("EPSG:4326")


def polygon_weights_zzgeo(squares: gpd.GeoDataFrame, sub: gpd.GeoDataFrame) -> pd.DataFrame:
    from zzgeo.landprice.zones import grade_weights

    pos, grade, weight = grade_weights(np.asarray(squares.geometry.values), sub)
    return pd.DataFrame({"parcel": pos, "grade": grade, "weight": weight})


def polygon_weights_overlay(squares: gpd.GeoDataFrame, sub: gpd.GeoDataFrame) -> pd.DataFrame:
    """Plain geopandas: overlay(intersection) with the zones, areas in EPSG:4547, share of each square."""
    pieces = gpd.overlay(squares, sub[["grade", "geometry"]], how="intersection", keep_geom_type=True)
    area = pieces.to_crs("EPSG:4547").area.to_numpy()
    whole = squares.to_crs("EPSG:4547").area.to_numpy()
    out = pd.DataFrame({"parcel": pieces["parcel"].to_numpy(), "grade": pieces["grade"].to_numpy(),
                        "weight": area / whole[pieces["parcel"].to_numpy()]})
    return out.groupby(["parcel", "grade"], as_index=False)["weight"].sum()


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


REPEAT = 3


def _timed(fn, *args, repeat: int | None = None, **kwargs):
    """Run *fn* ``repeat`` times (default :data:`REPEAT`); the best time, the memory of the first run."""
    best, mem0 = math.inf, None
    for _ in range(repeat or REPEAT):
        with PeakRSS() as mem:
            t = time.perf_counter()
            result = fn(*args, **kwargs)
            best = min(best, time.perf_counter() - t)
        mem0 = mem0 or mem
    return result, best, mem0


def _mb(n_bytes: float) -> float:
    return round(n_bytes / 2**20, 1)


def _line(label: str, n: int, seconds: float, mem: PeakRSS | None = None, extra: str = "") -> str:
    memory = f"  +{_mb(mem.peak - mem.start):,.0f} MB ({(mem.peak - mem.start) / max(n, 1):,.0f} B/item)" if mem else ""
    return f"{label:<34} {n:>10,}  {seconds:8.2f} s  {n / seconds:>12,.0f} /s{memory}{extra}"


def bench_points(parcels, zones, districts, n_base: int) -> dict:
    """1 and 2: full valuation, zone lookup stage, bare sjoin, sjoin + apply."""
    n = len(parcels)
    (z_unit, z_grade), z_s, z_mem = _timed(run_zzgeo, parcels, zones, districts)
    s_grade, s_s, s_mem = _timed(bare_sjoin, parcels, zones)
    l_grade, l_s, l_mem = _timed(zone_lookup, parcels, zones)
    assert np.array_equal(l_grade, s_grade), f"zone lookup differs from sjoin(within) on {int((l_grade != s_grade).sum())} points"
    base = parcels.iloc[:n_base]
    (b_unit, b_stage), b_s, b_mem = _timed(run_baseline, base, zones, predicate="within", repeat=1)
    z_sub = z_unit.iloc[:n_base].to_numpy()
    assert np.isfinite(z_sub).all(), f"zzgeo left {int((~np.isfinite(z_sub)).sum())} point(s) unvalued"
    assert np.array_equal(z_sub, b_unit.to_numpy()), f"unit prices differ on {int((z_sub != b_unit.to_numpy()).sum())} points"
    print(_line("zzgeo value_parcels (full)", n, z_s, z_mem))
    print(_line("zzgeo zone lookup stage", n, l_s, l_mem))
    print(_line("geopandas sjoin(within), bare", n, s_s, s_mem))
    print(_line("sjoin(within) + row-wise apply", n_base, b_s, b_mem, f"  [sjoin {b_stage['sjoin_s']:.2f} s, apply {b_stage['apply_s']:.2f} s]"))
    ratios = {"full_vs_bare_sjoin": s_s / z_s, "lookup_vs_bare_sjoin": s_s / l_s,
              "full_vs_sjoin_apply_throughput": (n / z_s) / (n_base / b_s)}
    print(f"ratios: full valuation {ratios['full_vs_bare_sjoin']:.1f}x faster than the bare sjoin (target >= 3x); "
          f"zone lookup {ratios['lookup_vs_bare_sjoin']:.1f}x (target >= 8x); "
          f"throughput {ratios['full_vs_sjoin_apply_throughput']:.1f}x that of sjoin + apply")
    print(f"grades identical to sjoin(within) on all {n:,} points; unit prices bit-identical on {n_base:,}")
    return {"n": n, "baseline_n": n_base, "ratios": {k: round(v, 2) for k, v in ratios.items()},
            "zzgeo_full_s": round(z_s, 3), "zzgeo_full_bytes_per_point": round((z_mem.peak - z_mem.start) / n),
            "zzgeo_lookup_s": round(l_s, 3), "bare_sjoin_within_s": round(s_s, 3),
            "sjoin_apply_s": round(b_s, 3), **{f"sjoin_apply_{k}": round(v, 3) for k, v in b_stage.items()}}


def bench_polygons(n: int, zones, districts, seed: int) -> dict:
    """3: area-weighted grades of polygon parcels against geopandas.overlay."""
    from zzgeo.landprice.zones import zone_subset

    squares = random_squares(n, zones, districts, seed=seed)
    sub = zone_subset(zones, TABLE, "commercial")
    polygon_weights_zzgeo(squares.iloc[:200], sub)  # warm-up: the zone index
    z, z_s, z_mem = _timed(polygon_weights_zzgeo, squares, sub)
    o, o_s, o_mem = _timed(polygon_weights_overlay, squares, sub, repeat=1)
    merged = z.merge(o, on=["parcel", "grade"], how="outer", suffixes=("_z", "_o")).fillna(0.0)
    worst = float(np.abs(merged["weight_z"] - merged["weight_o"]).max())
    assert worst < 1e-9, f"area weights differ by up to {worst!r}"
    straddling = int(z["parcel"].duplicated(keep=False).groupby(z["parcel"]).any().sum())
    print(_line("zzgeo polygon grades (area-weighted)", n, z_s, z_mem))
    print(_line("geopandas overlay + areas", n, o_s, o_mem))
    print(f"ratio: {o_s / z_s:.1f}x faster than overlay (target >= 2x); weights agree to {worst:.1e}; "
          f"{straddling:,} of {n:,} squares straddle zones")
    return {"n": n, "zzgeo_s": round(z_s, 3), "overlay_s": round(o_s, 3), "ratio": round(o_s / z_s, 2),
            "max_weight_diff": worst, "straddling": straddling}


def bench_scaling(sizes: list[int], zones, districts, seed: int) -> list[dict]:
    """4: seconds and memory per parcel as the input grows."""
    rows = []
    for n in sizes:
        parcels = random_parcels(n, zones, districts, seed=seed)
        _, seconds, mem = _timed(run_zzgeo, parcels, zones, districts, repeat=1 if n > 1_000_000 else REPEAT)
        rows.append({"n": n, "seconds": round(seconds, 3), "us_per_parcel": round(1e6 * seconds / n, 3),
                     "bytes_per_parcel": round((mem.peak - mem.start) / n)})
        print(f"  {n:>10,} parcels  {seconds:8.2f} s  {1e6 * seconds / n:7.3f} µs/parcel  "
              f"+{_mb(mem.peak - mem.start):,.0f} MB ({(mem.peak - mem.start) / n:,.0f} B/parcel)")
        del parcels
    return rows


def _minor_faults() -> int:
    """Minor page faults of this process so far (memory the allocator had given back and takes again)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def bench_sizes(sizes: list[int], zones, districts, seed: int) -> list[dict]:
    """5: full valuation against the bare sjoin on the same points at each size; runs alternate, best of each.

    The page faults column is the median per valuation: when the C allocator has returned the last call's
    memory to the system (it depends on what ran before in the process), every page the next call
    touches anew costs a fault (~1 µs here), so the same code is faster or slower by run order.
    """
    rows = []
    print(f"{'points':>10}  {'value_parcels':>13}  {'bare sjoin':>10}  {'ratio':>6}  {'page faults':>11}  memory (first run)")
    for n in sizes:
        parcels = random_parcels(n, zones, districts, seed=seed)
        z_best, s_best, z_mem, faults = math.inf, math.inf, None, []
        for _ in range(REPEAT):
            before = _minor_faults()
            _, z_s, mem = _timed(run_zzgeo, parcels, zones, districts, repeat=1)
            faults.append(_minor_faults() - before)
            _, s_s, _ = _timed(bare_sjoin, parcels, zones, repeat=1)
            z_best, s_best, z_mem = min(z_best, z_s), min(s_best, s_s), z_mem or mem
        per_point = (z_mem.peak - z_mem.start) / n
        rows.append({"n": n, "zzgeo_s": round(z_best, 4), "bare_sjoin_s": round(s_best, 4), "ratio": round(s_best / z_best, 2),
                     "bytes_per_point": round(per_point), "page_faults": int(np.median(faults))})
        print(f"{n:>10,}  {z_best:>11.3f} s  {s_best:>8.3f} s  {s_best / z_best:>5.2f}x  {int(np.median(faults)):>11,}  "
              f"+{_mb(z_mem.peak - z_mem.start):,.0f} MB ({per_point:,.0f} B/point)")
        del parcels
    return rows


def bench_peak(n: int, zones, districts, seed: int) -> dict:
    """Peak resident memory of one valuation of *n* points (4: the 3·10^6 figure), in bytes per point."""
    parcels = random_parcels(n, zones, districts, seed=seed)
    _, seconds, mem = _timed(run_zzgeo, parcels, zones, districts, repeat=1)
    out = {"n": n, "seconds": round(seconds, 3), "peak_increase_mb": _mb(mem.peak - mem.start),
           "bytes_per_point": round((mem.peak - mem.start) / n), "rss_peak_mb": _mb(mem.peak)}
    print(f"{n:,} points: {seconds:.2f} s, peak +{out['peak_increase_mb']:,.0f} MB over the {_mb(mem.start):,.0f} MB "
          f"before the call ({out['bytes_per_point']} B/point; resident peak {out['rss_peak_mb']:,.0f} MB)")
    return out


def bench_one_parcel(zones, districts, seed: int, calls: int = 30) -> dict:
    """6: one parcel valued through the Python API, as a caller would (default zones and districts), warm."""
    parcels = random_parcels(calls, zones, districts, seed=seed)
    t = time.perf_counter()
    value_parcels(parcels.iloc[[0]], table=TABLE, options=OPTIONS)
    first = time.perf_counter() - t
    times = []
    for i in range(calls):
        t = time.perf_counter()
        value_parcels(parcels.iloc[[i]], table=TABLE, options=OPTIONS)
        times.append(time.perf_counter() - t)
    out = {"first_ms": round(1000 * first, 1), "warm_best_ms": round(1000 * min(times), 1),
           "warm_median_ms": round(1000 * float(np.median(times)), 1), "calls": calls}
    print(f"one parcel through value_parcels: first call {out['first_ms']:.0f} ms, then best {out['warm_best_ms']:.1f} ms, "
          f"median {out['warm_median_ms']:.1f} ms of {calls} (target < 50 ms)")
    return out


#: Stages of value_parcels by the functions that run them (absent ones are skipped: older checkouts).
STAGES = (
    ("read and check: map headers, geometry to WGS-84", ("map_columns", "_with_geometry", "row_namer")),
    ("read and check: parse values", ("parse_values",)),
    ("read and check: pandera (ranges, vocabularies, empties)", ("pandera_checks",)),
    ("read and check: plausibility and empty notes", ("plausibility_notes", "empty_notes")),
    ("read and check: repeated ids and records", ("duplicate_checks",)),
    ("read and check: geometry", ("geometry_checks",)),
    ("read and check: district lookup", ("locate",)),
    ("table/use/right keys", ("_groups",)),
    ("grade lookup (zone index queries)", ("_zone_entries", "grade_weights")),
    ("grade and benchmark, the rest (dashes, off-map, given grades)", ("grade_and_benchmark", "_grade_and_benchmark")),
    ("term and plot-ratio inputs", ("term_inputs", "plot_ratio_inputs", "_term", "_plot_ratio")),
    ("steps, impossible prices, area, departures", ("apply_steps", "_coefficients", "_impossible_prices", "_area", "_departures")),
    ("output frame (~38 columns, errors and warnings joined)", ("build_output", "_output")),
)


def _stage_table(stats: pstats.Stats, total: float) -> list[tuple[str, float]]:
    """Seconds per stage from cumulative times (a stage nested in another is subtracted from it)."""
    cumulative: dict[str, float] = {}
    for (path, _, func), (_, _, _, ct, _) in stats.stats.items():
        if "zzgeo" in path:
            cumulative[func] = cumulative.get(func, 0.0) + ct
    rows = [(label, sum(cumulative.get(f, 0.0) for f in funcs)) for label, funcs in STAGES]
    lookup = dict(rows)
    index = "grade lookup (zone index queries)"
    lookup[index] = max(cumulative.get(f, 0.0) for f in ("_zone_entries", "grade_weights"))  # one calls the other
    lookup["grade and benchmark, the rest (dashes, off-map, given grades)"] -= lookup[index]
    rows = [(label, lookup[label]) for label, _ in rows]
    rows.append(("the rest (value_parcels itself, rules, options)", total - sum(v for _, v in rows)))
    return rows


def _profile(parcels, zones, districts) -> str:
    run_zzgeo(parcels, zones, districts)  # warm: the zone and district grids are built on the first large query
    prof = cProfile.Profile()
    prof.enable()
    t = time.perf_counter()
    run_zzgeo(parcels, zones, districts)
    total = time.perf_counter() - t
    prof.disable()
    stats = pstats.Stats(prof)
    lines = [f"cProfile of one warm value_parcels call on {len(parcels):,} points: {1000 * total:.1f} ms under the profiler",
             f"{'stage':<64} {'ms':>8} {'share':>6}"]
    lines += [f"{label:<64} {1000 * sec:8.1f} {100 * sec / total:5.0f}%" for label, sec in _stage_table(stats, total)]
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("tottime").print_stats(25)
    return "\n".join(lines) + "\n\nslowest functions (own time):\n" + text.getvalue()


def string_storage() -> str:
    """How this process's pandas stores text: ``pyarrow`` or ``python``."""
    return str(pd.Series(["a"]).dtype.storage) if pd.api.types.is_string_dtype(pd.Series(["a"]).dtype) else "object"


def _other_storage(argv: list[str]) -> int:
    """Run this benchmark again in a child process with pyarrow hidden (``--strings python``)."""
    args = [a for a in argv if a != "--strings"]
    if "--strings" in argv:
        del args[argv.index("--strings")]  # its value
    print("\n" + "=" * 100 + "\nthe same benchmark with pyarrow hidden (python strings), in a child process:\n", flush=True)
    return subprocess.call([sys.executable, __file__, *args, "--strings", "python"])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="points (default 1,000,000)")
    parser.add_argument("--baseline-n", type=int, default=200_000, help="points the sjoin + apply baseline values (default 200,000)")
    parser.add_argument("--polygons", type=int, default=100_000, help="polygon parcels (default 100,000)")
    parser.add_argument("--seed", type=int, default=20220414)
    parser.add_argument("--quick", action="store_true", help="20,000 points, 10,000 polygons")
    parser.add_argument("--scaling", action="store_true", help="also 10^4, 10^5, 10^6, 3x10^6 parcels")
    parser.add_argument("--profile", action="store_true", help="also cProfile value_parcels")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing, the best is reported (default 3; baselines run once)")
    parser.add_argument("--sizes", default="10000,100000,300000,1000000",
                        help="point counts for the valuation/sjoin ratios (default 10^4, 10^5, 3x10^5, 10^6; '' for none)")
    parser.add_argument("--peak-n", type=int, default=3_000_000, help="points of the peak-memory run (default 3x10^6; 0: none)")
    parser.add_argument("--one-parcel", action="store_true", help="also a warm one-parcel valuation")
    parser.add_argument("--no-points", action="store_true", help="skip the full comparison at --n and the polygons")
    parser.add_argument("--strings", choices=("both", "auto", "python"), default="both",
                        help="text storage: auto (pyarrow when installed), python (pyarrow hidden), both (auto here, then python in a child)")
    parser.add_argument("--json", type=Path, default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    global REPEAT
    REPEAT = max(1, args.repeat)
    n = 20_000 if args.quick else args.n
    n_poly = 10_000 if args.quick else args.polygons
    zones, districts = default_zones(), read_layer("districts")
    parcels = random_parcels(n, zones, districts, seed=args.seed)
    print(f"zzgeo {__version__}, python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"geopandas {gpd.__version__}, shapely {shapely.__version__}, GEOS {shapely.geos_version_string}")
    print(f"{platform.machine()}, {os.cpu_count()} CPU(s); {platform.platform()}; load average {os.getloadavg()}")
    print(f"text stored as {string_storage()} strings (pyarrow {'hidden' if args.strings == 'python' else 'importable'}); "
          f"zzgeo from {Path(sys.modules['zzgeo'].__file__).parent}")
    print(f"{n:,} random points in the {TABLE} DEMO grade zones, seed {args.seed}; uses {parcels['use'].value_counts().to_dict()}\n")
    run_zzgeo(parcels.iloc[:1000], zones, districts)  # warm-up: imports, zone and district indexes, TOML caches
    run_baseline(parcels.iloc[:500], zones)
    result = {"seed": args.seed, "repeat": REPEAT, "strings": string_storage()}
    if not args.no_points:
        result["points"] = bench_points(parcels, zones, districts, min(n, args.baseline_n))
        print()
        result["polygons"] = bench_polygons(n_poly, zones, districts, args.seed)
    sizes = [int(float(v)) for v in args.sizes.split(",") if v.strip()]
    if sizes:
        print(f"\nfull valuation against the bare sjoin(within), same points, best of {REPEAT} alternating runs:")
        result["sizes"] = bench_sizes(sizes, zones, districts, args.seed)
    if args.one_parcel:
        print()
        result["one_parcel"] = bench_one_parcel(zones, districts, args.seed)
    if args.scaling:
        print("\nscaling of value_parcels:")
        result["scaling"] = bench_scaling([10_000, 100_000, 1_000_000, 3_000_000], zones, districts, args.seed)
    if args.profile:
        print("\n" + _profile(parcels, zones, districts))
    if args.peak_n:
        print("\npeak memory:")
        del parcels
        result["peak"] = bench_peak(args.peak_n, zones, districts, args.seed)
    result.update({
        "versions": {"zzgeo": __version__, "python": platform.python_version(), "numpy": np.__version__,
                     "pandas": pd.__version__, "geopandas": gpd.__version__, "shapely": shapely.__version__,
                     "geos": shapely.geos_version_string},
        "machine": {"arch": platform.machine(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_end": os.getloadavg()},
        "date": dt.datetime.now().isoformat(timespec="seconds"),
    })
    path = args.json or RESULTS / f"land_price_{n}_{string_storage()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nresults: {path}")
    return _other_storage(argv) if args.strings == "both" else 0


if __name__ == "__main__":
    sys.exit(main())
