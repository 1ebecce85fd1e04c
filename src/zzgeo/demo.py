"""The main job on the shipped default data (``zzgeo demo``).

Builds the layer store, looks up benchmark prices at two points (one given in
GCJ-02, as copied from Amap), values the demo parcels in
the packaged ``data/landprice/demo_parcels.geojson``, runs the shelter coverage when the shelters
package is present, and writes a map that works offline. Every output that
rests on demo data says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

__all__ = ["DEMO_PARCELS", "run_demo"]

from zzgeo.landprice.demo import DEMO_PARCELS
from zzgeo.landprice.demo import demo_parcels_path as _demo_parcels


def run_demo(out_dir: str | Path = "out") -> Iterator[str]:
    """Run the demo, yielding one line of report at a time.

    Outputs (in *out_dir*): ``lookup.json``, ``valuation.gpkg`` and
    ``valuation.csv``, ``land_price_map.html`` (offline) and, when Chromium
    is installed, ``land_price_map.png``.
    """
    import shutil

    from zzgeo.crs import wgs84_to_gcj02
    from zzgeo.io import read_vector, write_vector
    from zzgeo.landprice.lookup import lookup_point
    from zzgeo.landprice.valuation import value_parcels
    from zzgeo.landprice.zones import default_zones
    from zzgeo.layers import default_store, list_layers

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    store = default_store()
    prov = list_layers(store)
    yield f"layer store: {store}"
    for row in prov.itertuples():
        yield f"  {row.layer:<26} {row.kind:<5} {row.features:>5} features  {row.title}"

    lon, lat = 113.6654, 34.7536  # near 二七广场, WGS-84
    gx, gy = wgs84_to_gcj02(lon, lat)
    result = lookup_point(float(gx), float(gy), crs="gcj02")
    (out / "lookup.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    commercial = result["tables"][0]["uses"][0]
    yield (
        f"lookup at GCJ-02 ({float(gx):.5f}, {float(gy):.5f}) -> WGS-84 ({result['location']['lon']:.5f}, "
        f"{result['location']['lat']:.5f}), {result['district']['name']}: {commercial['use_zh']} grade "
        f"{commercial['grade']} = {commercial['prices'][0]['price_yuan_m2']} 元/m² (floor price, {result['doc_number']})"
    )
    if result["zones_demo"]:
        yield f"  DEMO: {result['zones_note']}"

    parcels_path = _demo_parcels()
    parcels = read_vector(parcels_path)
    valued = value_parcels(parcels, id_column="parcel_id", on_error="flag")
    write_vector(valued, out / "valuation.gpkg", protect=[parcels_path])
    write_vector(valued, out / "valuation.csv", protect=[parcels_path])
    yield f"valued {len(valued)} DEMO parcels from {parcels_path.name} -> {out / 'valuation.gpkg'} (order: {valued['steps'].iloc[0]})"
    for row in valued.itertuples():
        yield (
            f"  {row.parcel_id} {row.use_zh:<12} grade {row.grade:<12} benchmark {row.benchmark_yuan_m2:8.2f}  "
            f"corrected {row.unit_price_yuan_m2:9.2f} 元/m²  value {row.value_yuan:,.0f} 元"
        )

    from zzgeo.landprice.maps import grade_map
    from zzgeo.maps import save_html, save_png

    m = grade_map(default_zones(), parcels=valued, label_column="parcel_id")
    html = save_html(m, out / "land_price_map.html")
    yield f"map (offline HTML): {html}"
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        png = save_png(html, out / "land_price_map.png")
        yield f"map (PNG): {png}"
    else:
        yield "map (PNG): skipped, Chromium not installed (apt-get install chromium fonts-wqy-microhei)"
