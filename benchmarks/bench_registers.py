"""How long the register loader takes on a large register, against a plain read in the same process.

A synthetic shelter register of N rows (default 100,000) with one bad row is written as CSV, then read:

* baseline: ``pandas.read_csv`` + ``geopandas.points_from_xy`` + a vectorised "area > 0" check (what a
  script without zzgeo would do; it finds the bad row but checks nothing else);
* zzgeo ``load_register`` with plain headers (有效面积), ``on_error="flag"``;
* the same with unit headers (有效面积(公顷), 占地面积(亩)): pint reads the units, the columns are converted;
* the whole-register checks alone (repeated ids and records, :func:`zzgeo.registers.whole_register_problems`).

Each timing is the best of ``--repeat`` runs. Run from the repository root in the project's venv:

    python benchmarks/bench_registers.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def _register(n: int, units: bool, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    area = rng.uniform(2000, 50000, n).round(1)
    frame = pd.DataFrame({
        "编号": [f"S{i:06d}" for i in range(n)],
        "名称": [f"场所{i}" for i in range(n)],
        "类别": rng.choice(["I", "II", "III"], n),
        "区县": "金水区",
        "lon": rng.uniform(113.55, 113.75, n).round(6),
        "lat": rng.uniform(34.70, 34.82, n).round(6),
    })
    if units:
        frame["有效面积(公顷)"] = (area / 10000).round(5)
        frame["占地面积(亩)"] = (area * 1.5 / (10000 / 15)).round(4)
    else:
        frame["有效面积"] = area
        frame["占地面积"] = (area * 1.5).round(1)
    column = "有效面积(公顷)" if units else "有效面积"
    frame[column] = frame[column].astype(object)
    frame.loc[n // 2, column] = "n/a"  # the one bad row
    return frame


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import geopandas as gpd

    from zzgeo.layers import read_layer
    from zzgeo.registers import load_register, whole_register_problems

    districts = read_layer("districts")
    folder = Path(tempfile.mkdtemp(prefix="zzgeo-bench-registers-"))
    plain_csv, units_csv = folder / "plain.csv", folder / "units.csv"
    _register(args.rows, False).to_csv(plain_csv, index=False)
    _register(args.rows, True).to_csv(units_csv, index=False)

    def baseline():
        frame = pd.read_csv(plain_csv, dtype=str)
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"].astype(float), frame["lat"].astype(float)), crs=4326)
        bad = ~(pd.to_numeric(gdf["有效面积"], errors="coerce") > 0)
        return int(bad.sum())

    def loader(path):
        return lambda: load_register(path, "shelters/register.toml", crs="wgs84", districts=districts, on_error="flag")

    load_register(plain_csv, "shelters/register.toml", crs="wgs84", districts=districts, on_error="flag")  # warm caches
    rows = {}
    t_base, bad = _best(baseline, args.repeat)
    rows["baseline: read_csv + points + one check"] = (t_base, f"{bad} bad row")
    t_plain, reg = _best(loader(plain_csv), args.repeat)
    rows["zzgeo load_register, plain headers"] = (t_plain, f"{int((~reg['valid']).sum())} bad row")
    t_units, reg_u = _best(loader(units_csv), args.repeat)
    rows["zzgeo load_register, unit headers (公顷, 亩)"] = (t_units, f"{int((~reg_u['valid']).sum())} bad row")
    assert np.allclose(reg_u["effective_area_m2"].dropna(), reg["effective_area_m2"].dropna(), rtol=1e-9)
    frame = pd.read_csv(plain_csv, dtype=str)
    t_dup, _ = _best(lambda: whole_register_problems(frame, "shelters/register.toml", name="r", row_names="line"), args.repeat)
    rows["whole-register checks alone (repeats)"] = (t_dup, "")

    print(f"{args.rows:,} rows, best of {args.repeat}; {platform.machine()}, Python {platform.python_version()}")
    print(f"{'what':<48} {'seconds':>8} {'x baseline':>11}  result")
    for name, (seconds, result) in rows.items():
        print(f"{name:<48} {seconds:8.3f} {seconds / t_base:11.2f}  {result}")
    results = Path("benchmarks/results")
    results.mkdir(parents=True, exist_ok=True)
    (results / "registers.json").write_text(json.dumps({k: v[0] for k, v in rows.items()}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
