"""Benchmark: one question at the counter, in a fresh process, against ``python -c "import geopandas"``.

The issue's yardstick (issue 20): a one-point ``zzgeo land-price lookup`` must
cost no more than importing geopandas, and ``zzgeo --help`` less than half of
it. Both are measured here in the same loop as the baseline, each command run
``--repeat`` times in turn (baseline, lookup, lookup --json, help, ...), so
load on the machine hits all of them alike; the minimum of each is compared.

It also times the same lookup through the Python API once the process is warm
(the web app's case): the minimum of ``--warm`` calls of
:func:`zzgeo.landprice.lookup.lookup_point` on points spread over the DEMO
grade zones, after one first call.

    python benchmarks/bench_lookup.py [--repeat 7] [--warm 200] [--before a9560d6]

With ``--before COMMIT`` the lookup of that commit (extracted with ``git archive`` into a temporary
folder, run with the same Python as ``python -m zzgeo.cli``) joins the same loop.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ERQI = ("113.6654", "34.7536")


def _commands(before: Path | None = None) -> dict[str, list[str]]:
    exe = str(Path(sys.executable).with_name("zzgeo"))
    old = {} if before is None else {
        "before: zzgeo land-price lookup --json": ["env", f"PYTHONPATH={before / 'src'}", sys.executable, "-m", "zzgeo.cli",
                                                   "land-price", "lookup", "--lon", ERQI[0], "--lat", ERQI[1], "--json"]}
    return {**old,
        "baseline: python -c 'import geopandas'": [sys.executable, "-c", "import geopandas"],
        "zzgeo land-price lookup (table)": [exe, "land-price", "lookup", "--lon", ERQI[0], "--lat", ERQI[1]],
        "zzgeo land-price lookup --json": [exe, "land-price", "lookup", "--lon", ERQI[0], "--lat", ERQI[1], "--json"],
        "zzgeo land-price lookup --crs gcj02 --json": [exe, "land-price", "lookup", "--lon", "113.67150391", "--lat", "34.75248822",
                                                      "--crs", "gcj02", "--json"],
        "zzgeo --help": [exe, "--help"],
    }


def _wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-400:]}")
    return wall


def cold(repeat: int, before: Path | None = None) -> dict[str, list[float]]:
    """Wall seconds of every command, run in turn *repeat* times (one warm-up round first, not counted)."""
    commands = _commands(before)
    for cmd in commands.values():  # warm-up: the OS file cache, the store built if missing
        _wall(cmd)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            times[name].append(_wall(cmd))
    return times


def warm(calls: int) -> tuple[float, float, float]:
    """First call, then min and median seconds of *calls* one-point lookups in this process."""
    import numpy as np

    from zzgeo.errors import OutsideAreaError
    from zzgeo.landprice.lookup import lookup_point

    start = time.perf_counter()
    lookup_point(float(ERQI[0]), float(ERQI[1]))
    first = time.perf_counter() - start
    rng = np.random.default_rng(1)
    lons, lats = rng.uniform(113.55, 113.80, calls), rng.uniform(34.68, 34.85, calls)
    seconds = []
    for lon, lat in zip(lons, lats, strict=True):
        start = time.perf_counter()
        try:
            lookup_point(float(lon), float(lat))
        except OutsideAreaError:
            pass
        seconds.append(time.perf_counter() - start)
    return first, min(seconds), statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument("--before", default=None, help="also time the lookup of this commit (git archive into a temporary folder)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        before = None
        if args.before:
            before = Path(tmp)
            archive = subprocess.run(["git", "archive", args.before, "src"], capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            # the old tree is no checkout (no pyproject.toml): point it at this checkout's store, not a new one
            os.environ["ZZGEO_STORE"] = str(Path(__file__).resolve().parents[1] / "layers" / "zzgeo.gpkg")
        times = cold(args.repeat, before)
    base = min(times["baseline: python -c 'import geopandas'"])
    print(f"\ncold process, {args.repeat} runs each in one loop (seconds)")
    print(f"{'command':<46} {'min':>6} {'median':>7} {'min / baseline min':>19}")
    for name, values in times.items():
        print(f"{name:<46} {min(values):6.2f} {statistics.median(values):7.2f} {min(values) / base:19.2f}")
    first, best, median = warm(args.warm)
    print(f"\nwarm Python API, lookup_point: first call {first * 1000:.0f} ms, then {args.warm} points: "
          f"min {best * 1000:.1f} ms, median {median * 1000:.1f} ms")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
