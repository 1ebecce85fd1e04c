"""Valuation on Dask partitions: :func:`value_parcels_dask` (see :mod:`zzgeo.scale` for the schedulers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzgeo.scale import _ranges, _require_dask, dask_compute_options

__all__ = ["value_parcels_dask"]


def value_parcels_dask(parcels, *, npartitions: int | None = None, scheduler: str | None = None, zones=None, districts=None,
                       **kwargs):
    """:func:`~zzgeo.landprice.valuation.value_parcels` on partitions of *parcels*; the same rows, values and errors.

    Checks across rows (a parcel id given twice, a record repeated whole) run
    once on the whole register before it is split, so a repeat in another
    partition is found as in the single path; every partition names its rows
    by their line or feature number in the whole file.

    Parameters
    ----------
    parcels : GeoDataFrame or dask_geopandas.GeoDataFrame
    npartitions : int, optional
        Pieces of a GeoDataFrame (default: the CPU count).
    scheduler : str, optional
        See module notes.
    zones, districts : GeoDataFrame, optional
        Default: the layer store's; read once here and shipped to the workers.
    **kwargs
        Passed to ``value_parcels`` (table, use, options, id_column, on_error, row_names, name, ...).

    Returns
    -------
    geopandas.GeoDataFrame
        In the input order.
    """
    dask = _require_dask()
    from zzgeo._problems import RowProblems, check_on_error
    from zzgeo.landprice.valuation import value_parcels
    from zzgeo.landprice.valuation.pipeline import SCHEMA
    from zzgeo.landprice.zones import default_zones
    from zzgeo.layers import read_layer
    from zzgeo.registers import whole_register_problems

    on_error = check_on_error(kwargs.pop("on_error", "raise"))
    if hasattr(parcels, "to_delayed"):  # a dask frame: the register checks need it whole
        parcels = parcels.compute()
    name = kwargs.get("name", "parcels")
    whole = whole_register_problems(parcels, SCHEMA, columns=kwargs.get("columns"), name=name,
                                    row_names=kwargs.get("row_names", "index"), id_column=kwargs.get("id_column"))
    zones = default_zones() if zones is None else zones
    districts = read_layer("districts") if districts is None else districts
    shared_zones, shared_districts = dask.delayed(zones), dask.delayed(districts)
    first = whole.label.first
    tasks = [dask.delayed(value_parcels)(parcels.iloc[a:b], zones=shared_zones, districts=shared_districts, on_error="flag",
                                         whole=False, first=first + a, **kwargs)
             for a, b in _ranges(len(parcels), npartitions)]
    with dask_compute_options(scheduler) as options:
        results = dask.compute(*tasks, **options)
    out = pd.concat(results)
    out.attrs = {**results[0].attrs, "first_row": first}
    out = _with_register_problems(out, whole)
    if on_error == "raise":
        errors = out["error"].to_numpy(dtype=object)
        problems = RowProblems(len(out))
        problems.add(errors != "", errors[errors != ""])
        from zzgeo.i18n import _

        problems.raise_if_any(whole.label, what=_("parcel(s) cannot be valued"), name=name)
    return out


def _with_register_problems(out, whole):
    """*out* with the whole-register problems (repeats) in front of each row's errors, its values cleared."""
    joined = whole.issues.joined()
    bad = joined != ""
    if not bad.any():
        return out
    errors = out["error"].to_numpy(dtype=object).copy()
    errors[bad] = np.where(errors[bad] != "", joined[bad] + "; " + errors[bad], joined[bad])
    out = out.copy()
    out["error"] = errors
    for column in ("unit_price_yuan_m2", "unit_price_yuan_mu", "value_yuan"):
        if column in out:
            values = out[column].to_numpy(dtype=float).copy()
            values[bad] = np.nan
            out[column] = values
    return out
