"""Valuation by the benchmark coefficient correction method (基准地价系数修正法).

=================  ==========================================================
module             what it holds
=================  ==========================================================
:mod:`.options`    :class:`ValuationOptions`, :class:`PlotRatioTable`, :class:`PriceIndex`
:mod:`.steps`      each correction step as a pure function, the step table, the order check
:mod:`.pipeline`   :func:`value_parcels`: read -> district -> grade -> benchmark ->
                   steps -> area/value -> warnings -> output
=================  ==========================================================

The corrected price follows the typical form
P = P_b × (1 + ΣK) × K_term × K_plot × K_date ± D (GB/T 18508-2014 as usually
quoted; unverified as printed), with the floor-to-ground step (× FAR) for the
uses the tables quote as floor prices. The order of the steps comes from
``data/landprice/valuation.toml`` or the caller and is written into every output.
"""

from zzgeo.landprice.valuation.options import (
    PlotRatioTable,
    PriceIndex,
    ValuationOptions,
)
from zzgeo.landprice.valuation.pipeline import value_parcels
from zzgeo.landprice.valuation.steps import (
    STEP_NAMES,
    STEPS,
    Step,
    apply_steps,
    check_order,
    date_correction,
    floor_to_ground,
    individual_correction,
    plot_ratio_correction,
    term_correction,
)

__all__ = [
    "STEPS",
    "STEP_NAMES",
    "PlotRatioTable",
    "PriceIndex",
    "Step",
    "ValuationOptions",
    "apply_steps",
    "check_order",
    "date_correction",
    "floor_to_ground",
    "individual_correction",
    "plot_ratio_correction",
    "term_correction",
    "value_parcels",
]
