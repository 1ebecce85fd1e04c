"""Benchmark: city-wide valuation at 10^6 and 10^7 parcels, single process vs geopandas vs Dask vs PostGIS.

(a) For each size (``--sizes``, default 1,000,000 and 10,000,000 random point parcels over the
    demo grade zones, every correction step, as in ``bench_land_price.py``):

    * **zzgeo** single process: ``value_parcels``;
    * **geopandas**: ``sjoin(predicate="within")`` per use on all parcels, plus the row-wise
      ``apply`` of the same price formula timed on the first 200,000 and scaled linearly
      (said in the output);
    * **zzgeo on Dask, threads**: ``value_parcels_dask(scheduler="threads")`` on the same frame;
      the unit prices must be bit-identical to the single-process ones (asserted);
    * **zzgeo on Dask, LocalCluster** (2 worker processes): the parcels are generated inside the
      workers (``dask_geopandas.from_delayed``) and persisted first, so the time is the valuation,
      not shipping the points;
    * **PostGIS** (when ``ZZGEO_TEST_PG_DSN`` or ``--dsn`` is set): COPY the parcels in, build a
      GiST index, then the same join in SQL: grade of every parcel for its use (``ST_Within``) and
      its benchmark price. Load, index and join are timed separately.

(b) Scaling: zzgeo single process and the bare geopandas sjoin at 10^4 .. the largest size:
    seconds and peak memory (resident set growth, sampled every 5 ms).

Then a cProfile of ``value_parcels`` at 10^6 says where the time goes. Results print as markdown
and go to ``benchmarks/results/scale.json``.

    python benchmarks/bench_scale.py [--sizes 1000000,10000000] [--scaling 10000,...] [--dsn postgresql://...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_land_price import (  # noqa: E402
    OPTIONS,
    TABLE,
    USES,
    PeakRSS,
    _profile,
    bare_sjoin,
    random_parcels,
    run_baseline,
)

from zzgeo.landprice.valuation import value_parcels  # noqa: E402
from zzgeo.landprice.zones import default_zones  # noqa: E402
from zzgeo.layers import read_layer  # noqa: E402
from zzgeo.landprice.valuation.scale import value_parcels_dask  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
APPLY_SAMPLE = 200_000


def _time(fn, *args, **kwargs):
    with PeakRSS() as mem:
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        seconds = time.perf_counter() - start
    return out, seconds, (mem.peak - mem.start) / 2**20


def _single(parcels, zones, districts):
    return value_parcels(parcels, table=TABLE, options=OPTIONS, zones=zones, districts=districts, on_error="flag")


def _dask_threads(parcels, zones, districts):
    return value_parcels_dask(parcels, npartitions=4 * (os.cpu_count() or 2), scheduler="threads", zones=zones,
                              districts=districts, table=TABLE, options=OPTIONS, on_error="flag")


def _cluster(n: int, zones, districts, workers: int = 2) -> tuple[float, int]:
    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster, wait

    here = str(Path(__file__).resolve().parent)  # the workers import random_parcels from bench_land_price
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))
    pieces = 4 * workers
    sizes = np.diff(np.linspace(0, n, pieces + 1).astype(int))
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      memory_limit="10GB") as cluster, Client(cluster) as client:
        parts = [dask.delayed(random_parcels)(int(k), zones, districts, seed=100 + i) for i, k in enumerate(sizes)]
        ddf = dd.from_delayed(parts, meta=random_parcels(10, zones, districts, seed=1).iloc[:0]).persist()
        wait(ddf)
        start = time.perf_counter()
        out = value_parcels_dask(ddf, scheduler=client, zones=zones, districts=districts, table=TABLE, options=OPTIONS,
                                 on_error="flag")
        return time.perf_counter() - start, int(out["unit_price_yuan_m2"].notna().sum())


def _postgis(parcels, zones, dsn: str) -> dict:
    import sqlalchemy

    from zzgeo.landprice.rules import price_table
    from zzgeo.store import engine_for

    engine = engine_for(dsn)
    sub = zones[zones["table"] == TABLE][["use", "grade", "geometry"]].reset_index(drop=True)
    prices = price_table()
    prices = prices[(prices["table"] == TABLE) & prices["price_yuan_m2"].notna()][["use", "grade", "price_yuan_m2"]]
    pts = parcels[["use", "geometry"]].reset_index(names="id").rename_geometry("geom")
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("CREATE SCHEMA IF NOT EXISTS zzgeo_bench"))
        for t in ("parcels", "zones", "prices", "result"):
            conn.execute(sqlalchemy.text(f"DROP TABLE IF EXISTS zzgeo_bench.{t}"))
        sub.rename_geometry("geom").to_postgis("zones", conn, schema="zzgeo_bench", index=False)
        prices.to_sql("prices", conn, schema="zzgeo_bench", index=False)
    start = time.perf_counter()
    with engine.begin() as conn:
        pts.to_postgis("parcels", conn, schema="zzgeo_bench", index=False)
    load = time.perf_counter() - start
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("DROP INDEX IF EXISTS zzgeo_bench.idx_parcels_geom"))
        conn.execute(sqlalchemy.text("CREATE INDEX bench_parcels_gist ON zzgeo_bench.parcels USING gist (geom)"))
        conn.execute(sqlalchemy.text("ANALYZE zzgeo_bench.parcels; ANALYZE zzgeo_bench.zones"))
    index = time.perf_counter() - start
    start = time.perf_counter()
    with engine.begin() as conn:
        found = conn.execute(sqlalchemy.text(
            "CREATE TABLE zzgeo_bench.result AS SELECT p.id, z.grade, pr.price_yuan_m2 FROM zzgeo_bench.parcels p "
            "JOIN zzgeo_bench.zones z ON z.use = p.use AND ST_Within(p.geom, z.geom) "
            "JOIN zzgeo_bench.prices pr ON pr.use = p.use AND pr.grade = z.grade")).rowcount
    join = time.perf_counter() - start
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("DROP SCHEMA zzgeo_bench CASCADE"))
    return {"load_s": load, "index_s": index, "join_s": join, "rows": int(found)}


def bench_size(n: int, zones, districts, dsn: str | None) -> dict:
    parcels = random_parcels(n, zones, districts, seed=n % 997)
    row = {"n": n}
    single, row["zzgeo_s"], row["zzgeo_mb"] = _time(_single, parcels, zones, districts)
    _, row["sjoin_s"], row["sjoin_mb"] = _time(bare_sjoin, parcels, zones)
    _, parts = run_baseline(parcels.iloc[:APPLY_SAMPLE], zones, predicate="within")
    row["apply_s_extrapolated"] = parts["apply_s"] * n / min(n, APPLY_SAMPLE)
    row["geopandas_s"] = row["sjoin_s"] + row["apply_s_extrapolated"]
    threads, row["dask_threads_s"], row["dask_threads_mb"] = _time(_dask_threads, parcels, zones, districts)
    a, b = single["unit_price_yuan_m2"].to_numpy(), threads["unit_price_yuan_m2"].to_numpy()
    assert np.array_equal(a, b, equal_nan=True), "Dask threads differ from the single process"
    del threads, single
    row["dask_cluster_s"], row["dask_cluster_valued"] = _cluster(n, zones, districts)
    if dsn:
        row.update({f"postgis_{k}": v for k, v in _postgis(parcels, zones, dsn).items()})
    return row


def bench_scaling(sizes: list[int], zones, districts) -> list[dict]:
    rows = []
    for n in sizes:
        parcels = random_parcels(n, zones, districts, seed=7)
        _, t, mb = _time(_single, parcels, zones, districts)
        _, ts, mbs = _time(bare_sjoin, parcels, zones)
        rows.append({"n": n, "zzgeo_s": t, "zzgeo_mb": mb, "sjoin_s": ts, "sjoin_mb": mbs})
        print(f"  scaling {n:>11,}: zzgeo {t:8.2f} s +{mb:7.0f} MB | sjoin {ts:8.2f} s +{mbs:7.0f} MB", flush=True)
    return rows


def _markdown(rows: list[dict], scaling: list[dict]) -> str:
    out = ["| parcels | zzgeo single | geopandas sjoin + apply | Dask threads | Dask LocalCluster (2) | PostGIS load / index / join |",
           "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        pg = (f"{r['postgis_load_s']:.1f} / {r['postgis_index_s']:.1f} / {r['postgis_join_s']:.1f} s"
              if "postgis_join_s" in r else "not run")
        out.append(f"| {r['n']:,} | {r['zzgeo_s']:.1f} s (+{r['zzgeo_mb']:,.0f} MB) | {r['geopandas_s']:.1f} s "
                   f"(sjoin {r['sjoin_s']:.1f} + apply {r['apply_s_extrapolated']:.1f}*) = {r['geopandas_s'] / r['zzgeo_s']:.1f}x | "
                   f"{r['dask_threads_s']:.1f} s ({r['zzgeo_s'] / r['dask_threads_s']:.2f}x) | "
                   f"{r['dask_cluster_s']:.1f} s ({r['zzgeo_s'] / r['dask_cluster_s']:.2f}x) | {pg} |")
    out += ["", "| parcels | zzgeo s | zzgeo peak MB | bytes/parcel | sjoin s | sjoin peak MB |", "|---:|---:|---:|---:|---:|---:|"]
    out += [f"| {r['n']:,} | {r['zzgeo_s']:.2f} | {r['zzgeo_mb']:,.0f} | {r['zzgeo_mb'] * 2**20 / r['n']:,.0f} | "
            f"{r['sjoin_s']:.2f} | {r['sjoin_mb']:,.0f} |" for r in scaling]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--scaling", default="10000,100000,1000000,10000000")
    parser.add_argument("--dsn", default=os.environ.get("ZZGEO_TEST_PG_DSN"))
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    zones, districts = default_zones(), read_layer("districts")
    _single(random_parcels(5000, zones, districts, seed=1), zones, districts)  # warm-up: zone indexes built once, as in any session
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
          f"Python {platform.python_version()}; uses {', '.join(USES)}", flush=True)
    rows = []
    for n in [int(float(s)) for s in args.sizes.split(",") if s]:
        rows.append(bench_size(n, zones, districts, args.dsn))
        print(json.dumps(rows[-1]), flush=True)
    scaling = bench_scaling([int(float(s)) for s in args.scaling.split(",") if s], zones, districts)
    print(_markdown(rows, scaling))
    print("* apply timed on the first 200,000 parcels and scaled linearly")
    if not args.no_profile:
        print(_profile(random_parcels(1_000_000, zones, districts, seed=3), zones, districts))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps({"sizes": rows, "scaling": scaling}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
