"""The land-price theme in the report: the benchmark tables, the grade map and the demo parcels valued.

Uses the user's grade zones and parcels where the report config names them,
else the DEMO zones and the packaged ``data/landprice/demo_parcels.geojson``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from zzgeo._problems import row_names_of
from zzgeo.theme_run import ThemeRun, check_inputs, register_notes

__all__ = ["INPUTS", "district_price_level", "run"]

#: Keys of ``[land-price]`` in a report config.
INPUTS = {"zones": "grade-zone polygons (table, use, grade)", "parcels": "parcels to value", "crs": "CRS of the parcels"}


def district_price_level(districts, zones=None) -> pd.Series:
    """Commercial benchmark price (collective construction land, transfer, 元/m²) of each district.

    The price is area-weighted over the part of the district's polygon that
    lies on the grade map (see :func:`zzgeo.landprice.lookup_prices`); NaN for a
    district outside every zone (the county-level units under the DEMO zones).
    """
    from zzgeo.landprice.lookup import lookup_prices

    prices = lookup_prices(districts[["adcode", "geometry"]].reset_index(drop=True), zones=zones)
    pick = prices[(prices["table"] == "collective_construction") & (prices["use"] == "commercial") & (prices["right"] == "transfer")]
    by_parcel = pick.set_index("parcel")["price_yuan_m2"]
    return pd.Series(by_parcel.reindex(range(len(districts))).to_numpy(), index=districts["adcode"].to_numpy(), name="land_price_level")


def run(inputs: Mapping[str, object] | None = None) -> ThemeRun:
    """Value the parcels on the grade zones; the grade map with the parcels.

    Returns
    -------
    ThemeRun
        Tables ``valuation`` and ``benchmark_prices``; the map ``grades``; the indicator ``land_price_level``.
    """
    from zzgeo.io import read_vector
    from zzgeo.landprice.demo import demo_parcels_path
    from zzgeo.landprice.maps import grade_map
    from zzgeo.landprice.rules import DOC_NUMBER, price_table
    from zzgeo.landprice.valuation import value_parcels
    from zzgeo.landprice.zones import default_zones, load_grade_zones
    from zzgeo.layers import read_layer

    given = check_inputs("land-price", inputs, INPUTS)
    zones = load_grade_zones(given["zones"]) if given.get("zones") else default_zones()
    source = given.get("parcels") or demo_parcels_path()
    parcels = read_vector(source, crs=given.get("crs"))
    valued = value_parcels(parcels, zones=zones, on_error="flag", name=Path(str(source)).name, row_names=row_names_of(source))
    notes_table, register_lines = register_notes({Path(str(source)).name: valued})
    zones_demo = bool(zones["demo"].astype(bool).any()) if "demo" in zones else False
    demo = [*(["grade zones"] if zones_demo else []), *([] if given.get("parcels") else ["parcels"])]
    ok = valued[valued["unit_price_yuan_m2"].notna()]
    return ThemeRun(
        key="land-price", title="基准地价 Land benchmark prices", document=DOC_NUMBER,
        tables={"valuation": valued, "benchmark_prices": price_table(), "register_notes": notes_table},
        maps={"grades": lambda basemap="none": grade_map(zones, parcels=valued, label_column="parcel_id" if "parcel_id" in valued else None,
                                                         basemap=basemap)},
        findings=[f"{len(ok)} of {len(valued)} parcels valued by coefficient correction; total {ok['value_yuan'].sum():,.0f} 元",
                  f"corrected unit prices {ok['unit_price_yuan_m2'].min():,.2f}–{ok['unit_price_yuan_m2'].max():,.2f} 元/m² "
                  f"(benchmarks of {DOC_NUMBER}, base date 2020-01-01)"] if len(ok) else ["no parcel could be valued"],
        demo=demo,
        indicators=district_price_level(read_layer("districts"), zones).to_frame(),
        notes=[f"correction order: {valued['steps'].iloc[0]}" if len(valued) else "no parcels", *register_lines],
    )
