"""Benchmark: the whole report bundle (`zzgeo report`) on the shipped default layers, against an older commit.

Runs ``python -m zzgeo.cli report`` in fresh processes (imports, analyses, maps, PNGs: what a user
waits for), today's code and the code of ``--before`` (a commit, extracted with ``git archive`` into a
temporary folder and run with the same Python, ``PYTHONPATH=<that>/src``), alternately in one loop so
the load of the machine falls on both, ``--repeat`` times each, in three ways:

- ``png fresh``: with PNGs into a new folder (every PNG drawn);
- ``png rerun``: with PNGs into the folder of the previous run (a report writer re-running the report;
  today's code copies the PNGs of unchanged maps, the older code draws them again);
- ``no png``: without PNGs.

Each run prints its wall time and the load average beside it. At the end: the minimum per way and
code, the ratio today/before (the target of issue 20 is at most 1/3), the stages of today's best run
from its ``report.json`` and the time to build each map (the target: none over a second).
The first run of each code is a warm-up, not counted (the older checkout builds its layer store then).

    python benchmarks/bench_report.py [--before a9560d6] [--repeat 3] [--out /tmp/zzgeo-bench-report]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The HEAD when the report's speed work of issue 20 began.
BEFORE = "a9560d6cc57961e263161d587b9e57d5c3275227"
WAYS = ("png fresh", "png rerun", "no png")


def _extract(commit: str, folder: Path) -> Path:
    """The tree of *commit* in *folder* (``git archive``; the repository and its work tree are not touched)."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", commit], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "src"


def _run(src: Path, out: Path, png: bool) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src))
    env.pop("ZZGEO_STORE", None)  # each tree uses its own checkout's layers/ store
    cmd = [sys.executable, "-m", "zzgeo.cli", "report", "--out", str(out), "--png" if png else "--no-png", "--json"]
    load = " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env, cwd=src.parent)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{src}: zzgeo report failed ({proc.returncode}): {proc.stderr.strip()[-600:]}")
    manifest = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {"wall_s": wall, "load_before": load, "stages": manifest["timings_s"], "maps": manifest.get("map_build_s", {}),
            "png_reused": manifest.get("png_reused", []), "renderers": manifest["renderers"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="the commit to compare with (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("/tmp/zzgeo-bench-report"))
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    old_tree = Path(tempfile.mkdtemp(prefix="zz-report-before-"))
    codes = {"before": _extract(args.before, old_tree), "today": REPO / "src"}
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"before = {args.before[:10]}, today = {head} (+ work tree)")
    print(f"uptime at start: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    results: dict[tuple[str, str], list[dict]] = {}
    try:
        for code, src in codes.items():  # warm-up: builds the older tree's layer store, fills the OS caches
            _run(src, args.out / f"warmup-{code}", png=False)
        for i in range(args.repeat):
            for way in WAYS:
                for code, src in codes.items():
                    out = args.out / f"{code}-{way.replace(' ', '-')}"
                    if way == "png fresh":
                        shutil.rmtree(out, ignore_errors=True)
                    elif way == "png rerun" and not out.exists():
                        _run(src, out, png=True)  # the bundle to re-run into (not counted)
                    r = _run(src, out, png=way != "no png")
                    results.setdefault((way, code), []).append(r)
                    reused = f", {len(r['png_reused'])} PNGs reused" if r["png_reused"] else ""
                    print(f"run {i + 1} {way:<9} {code:<6} {r['wall_s']:6.1f} s  (load {r['load_before']}{reused})", flush=True)
    finally:
        shutil.rmtree(old_tree, ignore_errors=True)
    print(f"uptime at end: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"\n{'':<10} {'before s':>9} {'today s':>8} {'today/before':>13}   (minimum of {args.repeat})")
    for way in WAYS:
        old = min(r["wall_s"] for r in results[(way, "before")])
        new = min(r["wall_s"] for r in results[(way, "today")])
        print(f"{way:<10} {old:9.1f} {new:8.1f} {new / old:13.2f}")
    for way in ("png fresh", "no png"):
        best = min(results[(way, "today")], key=lambda r: r["wall_s"])
        print(f"\nstages of today's best {way} run (seconds; the PNG wait is what is left after the last map):")
        for stage, seconds in best["stages"].items():
            print(f"  {stage:<36} {seconds:7.2f}")
        print("  maps, seconds to build each: " + ", ".join(f"{k} {v:.2f}" for k, v in best["maps"].items()))
    print("PNG renderer:", "; ".join(min(results[("png fresh", "today")], key=lambda r: r["wall_s"])["renderers"]))
    found = Path(__file__).with_name("results")
    found.mkdir(exist_ok=True)
    (found / "report.json").write_text(json.dumps({f"{w} | {c}": v for (w, c), v in results.items()}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
