"""Benchmark: the whole report bundle (`zzgeo report`) on the shipped default layers.

Runs ``zzgeo report`` in a fresh process (imports, analyses, maps, PNGs: what a
user waits for) ``--repeat`` times, with and without PNGs, and prints the wall
time, the peak resident memory, and the time per stage from the bundle's
``report.json``. The target is a whole report in under a minute on 2 cores.

There is no plain-geopandas baseline for the bundle as a whole: its parts are
benchmarked against geopandas in ``bench_land_price.py`` and
``bench_shelter_coverage.py``. The ratio printed here is against the budget.

    python benchmarks/bench_report.py [--repeat 2] [--out /tmp/zzgeo-bench-report]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

BUDGET_S = 60.0


def _run(out: Path, png: bool) -> dict:
    exe = Path(sys.executable).with_name("zzgeo")
    cmd = [str(exe), "report", "--out", str(out), "--png" if png else "--no-png", "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"zzgeo report failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    manifest = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {"png": png, "wall_s": wall, "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "peak_rss_mib": after.ru_maxrss / 1024, "stages": manifest["timings_s"], "renderers": manifest["renderers"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("/tmp/zzgeo-bench-report"))
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    runs = [_run(args.out, png) for png in (True, False) for _ in range(args.repeat)]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"{'PNG':>5} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9} {'vs 60 s':>8}")
    for r in runs:
        print(f"{str(r['png']):>5} {r['wall_s']:8.1f} {r['cpu_s']:8.1f} {r['peak_rss_mib']:9.0f} {r['wall_s'] / BUDGET_S:8.2f}")
    best = min((r for r in runs if r["png"]), key=lambda r: r["wall_s"])
    print("stages of the best run with PNGs (seconds):")
    for stage, seconds in best["stages"].items():
        print(f"  {stage:<28} {seconds:7.2f}")
    print("PNG renderer:", "; ".join(best["renderers"]))
    results = Path(__file__).with_name("results")
    results.mkdir(exist_ok=True)
    (results / "report.json").write_text(json.dumps(runs, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
