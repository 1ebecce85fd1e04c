"""Land benchmark prices (郑政文〔2022〕42号): the tables, grade lookup, valuation by coefficient correction.

============================ ====================================================
module                       what it does
============================ ====================================================
:mod:`.rules`                the three price tables as published, uses, rights, valuation rules
:mod:`.valuer_table`         a valuer's own table (``--price-table``, e.g. 郑政文〔2019〕49号) as the same object
:mod:`.zones`                grade zones (DEMO unless the user gives the official map), grades at points
:mod:`.lookup`               benchmark prices at points or parcels, in any common CRS
:mod:`.valuation`            :func:`value_parcels`: the benchmark coefficient correction method
:mod:`.maps`                 the grade / price map
:mod:`.demo`                 DEMO grade zones and parcels
:mod:`.report`               the theme's part of ``zzgeo report``
:mod:`.cli`                  ``zzgeo land-price table`` / ``lookup`` / ``value``
============================ ====================================================

Names are imported lazily, so ``import zzgeo.landprice`` loads no geopandas.

Examples
--------
>>> from zzgeo import landprice
>>> landprice.document()["doc_number"]
'郑政文〔2022〕42号'
>>> landprice.benchmark_price("collective_construction", "commercial", "transfer", 1)  # 元/m²
1020.0
>>> landprice.lookup_point(113.6654, 34.7536)["district"]["name"]
'管城回族区'
"""

from __future__ import annotations

from zzgeo._lazy import lazy_names

#: module -> the names it holds
_WHERE = {
    "rules": ["DOC_NUMBER", "document", "table_names", "price_table", "benchmark_price", "use_info", "valuation_rules",
              "PriceTables", "using_price_tables"],
    "valuer_table": ["load_price_table"],
    "zones": ["default_zones", "load_grade_zones", "assign_grades"],
    "lookup": ["lookup_prices", "lookup_point", "lookup_geometry"],
    "valuation": ["value_parcels", "ValuationOptions", "PlotRatioTable", "PriceIndex"],
    "maps": ["grade_map"],
    "demo": ["demo_parcels_path"],
}
__all__ = [name for names in _WHERE.values() for name in names]
__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
