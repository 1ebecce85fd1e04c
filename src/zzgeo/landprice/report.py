"""The land-price theme in the report: the benchmark tables, the grade map and the demo parcels valued.

Uses the user's grade zones and parcels where the report config names them,
else the DEMO zones and the packaged ``data/landprice/demo_parcels.geojson``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from zzgeo._problems import row_names_of
from zzgeo.i18n import N_, _
from zzgeo.theme_run import ThemeRun, check_inputs, register_notes

__all__ = ["INPUTS", "district_price_level", "run"]

#: Keys of ``[land-price]`` in a report config.
INPUTS = {"zones": "grade-zone polygons (table, use, grade)", "parcels": "parcels to value", "crs": "CRS of the parcels",
          "price_table": "the valuer's own benchmark price table (CSV/Excel/TOML, e.g. 郑政文〔2019〕49号), instead of 郑政文〔2022〕42号"}


def district_price_level(districts, zones=None, *, table: str = "collective_construction", use: str = "commercial") -> pd.Series:
    """Commercial benchmark price (collective construction land, transfer, 元/m²) of each district.

    *table* and *use* pick another grade map and price (e.g. a valuer's own
    table's commercial land); its first right is used.

    The price is area-weighted over the part of the district's polygon that
    lies on the grade map (see :func:`zzgeo.landprice.lookup_prices`); NaN for a
    district outside every zone (the county-level units under the DEMO zones).
    """
    from zzgeo.landprice.lookup import lookup_prices

    prices = lookup_prices(districts[["adcode", "geometry"]].reset_index(drop=True), zones=zones)
    pick = prices[(prices["table"] == table) & (prices["use"] == use)].drop_duplicates("parcel")
    by_parcel = pick.set_index("parcel")["price_yuan_m2"]
    return pd.Series(by_parcel.reindex(range(len(districts))).to_numpy(), index=districts["adcode"].to_numpy(), name="land_price_level")


def run(inputs: Mapping[str, object] | None = None) -> ThemeRun:
    """Value the parcels on the grade zones; the grade map with the parcels.

    Returns
    -------
    ThemeRun
        Tables ``valuation`` and ``benchmark_prices``; the map ``grades``; the indicator ``land_price_level``.
        With ``price_table``, every one of them comes from the valuer's table and names its document.
    """
    from zzgeo.landprice.rules import using_price_tables
    from zzgeo.landprice.valuer_table import price_tables_of

    given = check_inputs("land-price", inputs, INPUTS)
    tables = price_tables_of(given.get("price_table"))
    with using_price_tables(tables):
        return _run(given, tables)


def _run(given: dict, tables) -> ThemeRun:
    """:func:`run` with the price tables in use set."""
    from zzgeo.io import read_vector
    from zzgeo.landprice.demo import demo_parcels_path
    from zzgeo.landprice.maps import grade_map
    from zzgeo.landprice.rules import (
        _tables,
        doc_number,
        document,
        price_table,
        using_price_tables,
    )
    from zzgeo.landprice.valuation import value_parcels
    from zzgeo.landprice.zones import default_zones, load_grade_zones
    from zzgeo.layers import read_layer

    zones = load_grade_zones(given["zones"], price_table=tables) if given.get("zones") else default_zones()
    table = next((t for t, spec in _tables().items() if "commercial" in spec["uses"]), next(iter(_tables())))
    use = "commercial" if "commercial" in _tables()[table]["uses"] else next(iter(_tables()[table]["uses"]))
    number, base_date = doc_number(), document()["base_date"]

    def draw(basemap: str = "none"):
        with using_price_tables(tables):
            return grade_map(zones, table=table, use=use, parcels=valued,
                             label_column="parcel_id" if "parcel_id" in valued else None, basemap=basemap)

    source = given.get("parcels") or demo_parcels_path()
    parcels = read_vector(source, crs=given.get("crs"))
    valued = value_parcels(parcels, zones=zones, on_error="flag", name=Path(str(source)).name, row_names=row_names_of(source),
                           price_table=tables)
    notes_table, register_lines = register_notes({Path(str(source)).name: valued})
    zones_demo = bool(zones["demo"].astype(bool).any()) if "demo" in zones else False
    demo = [*([N_("grade zones")] if zones_demo else []), *([] if given.get("parcels") else [N_("parcels")]),
            *([N_("price table")] if tables is not None and tables.demo else [])]  # translated where the notice is shown
    ok = valued[valued["unit_price_yuan_m2"].notna()]
    return ThemeRun(
        key="land-price", title="基准地价 Land benchmark prices", document=number,
        tables={"valuation": valued, "benchmark_prices": price_table(), "register_notes": notes_table},
        maps={"grades": draw},
        findings=[_("{valued} of {total} parcels valued by coefficient correction; total {value:,.0f} 元").format(
                      valued=len(ok), total=len(valued), value=ok["value_yuan"].sum()),
                  _("corrected unit prices {low:,.2f}–{high:,.2f} 元/m² (benchmarks of {document}, base date {date})").format(
                      low=ok["unit_price_yuan_m2"].min(), high=ok["unit_price_yuan_m2"].max(), document=number, date=base_date)]
        if len(ok) else [_("no parcel could be valued")],
        demo=demo,
        demo_free=() if tables is not None and tables.demo else ("benchmark_prices",),  # the tables of 郑政文〔2022〕42号
        indicators=district_price_level(read_layer("districts"), zones, table=table, use=use).to_frame(),
        notes=[_("correction order: {steps}").format(steps=valued["steps"].iloc[0]) if len(valued) else _("no parcels"), *register_lines],
    )
