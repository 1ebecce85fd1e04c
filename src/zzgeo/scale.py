"""Dask for city-wide work: valuation and shelter coverage on partitions, on threads, processes or a cluster.

:func:`value_parcels_dask` values each partition of the parcels with
:func:`zzgeo.landprice.valuation.value_parcels` (every row is valued on its
own, so the result equals the single-process one); :func:`shelter_coverage_dask`
finds the cell-shelter pairs within reach partition by partition (the costly
part), then runs the same capacity assignment and sums as
:func:`zzgeo.shelters.coverage.shelter_coverage` on the gathered pairs. Inputs
may be GeoDataFrames (split into *npartitions*) or dask-geopandas frames
(their own partitions).

The *scheduler* is ``"threads"`` (default), ``"processes"``, ``"synchronous"``,
``"local"`` or ``"local:N"`` (a ``distributed.LocalCluster`` of N worker
processes, started and stopped here), or the address of a running cluster,
``"tcp://host:8786"``, or a ``distributed.Client`` the caller holds.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import numpy as np
import pandas as pd

from zzgeo.errors import ParameterError, StoreError

__all__ = ["dask_compute_options", "partitions", "value_parcels_dask", "reach_pairs_dask", "shelter_coverage_dask"]

_LOCAL = ("threads", "processes", "synchronous")


def _require_dask():
    try:
        import dask
    except ImportError as exc:  # pragma: no cover - installed with the scale extra
        raise StoreError("Dask is not installed: pip install 'zzgeo[scale]' (dask[distributed], dask-geopandas)") from exc
    return dask


@contextlib.contextmanager
def dask_compute_options(scheduler: str | None = None) -> Iterator[dict]:
    """Keyword arguments for ``dask.compute`` for *scheduler* (see module notes); clusters started here are closed after."""
    _require_dask()
    scheduler = scheduler or "threads"
    if not isinstance(scheduler, str):  # a distributed.Client the caller holds
        yield {"scheduler": scheduler}
        return
    if scheduler in _LOCAL:
        yield {"scheduler": scheduler}
        return
    from distributed import Client, LocalCluster

    if scheduler == "local" or scheduler.startswith("local:"):
        workers = int(scheduler.partition(":")[2] or os.cpu_count() or 2)
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            yield {"scheduler": client}
        return
    if not scheduler.startswith(("tcp://", "tls://", "inproc://")):
        raise ParameterError(f"scheduler {scheduler!r}: use threads, processes, synchronous, local[:N] or tcp://host:port")
    try:
        client = Client(scheduler, timeout=10)
    except OSError as exc:
        raise StoreError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        yield {"scheduler": client}


def _ranges(rows: int, npartitions: int | None) -> list[tuple[int, int]]:
    """``(start, stop)`` positions of *npartitions* (default: the CPU count) nearly equal pieces of *rows* rows."""
    if npartitions is not None and int(npartitions) < 1:
        raise ParameterError(f"partitions {npartitions!r}: give 1 or more")
    n = max(1, min(int(npartitions or os.cpu_count() or 2), max(1, rows)))
    bounds = np.linspace(0, rows, n + 1).astype(int)
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))


def partitions(frame, npartitions: int | None = None) -> list:
    """Dask delayed pieces of *frame*: a dask(-geopandas) frame's own partitions, or *frame* split by position."""
    dask = _require_dask()
    if hasattr(frame, "to_delayed"):
        return list(frame.to_delayed())
    return [dask.delayed(frame.iloc[a:b]) for a, b in _ranges(len(frame), npartitions)]


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
        problems.raise_if_any(whole.label, what="parcel(s) cannot be valued", name=name)
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


def _piece_pairs(piece, offset: int, sites, radius, network, with_distance):
    from zzgeo.reach import _pairs

    import dataclasses

    pairs = _pairs(piece, sites, radius, network=network, with_distance=with_distance)
    return dataclasses.replace(pairs, cell=pairs.cell + offset)


def reach_pairs_dask(demand, sites, radius_m, *, network=None, with_distance: bool = True, npartitions: int | None = None,
                     scheduler: str | None = None):
    """:func:`zzgeo.reach.reach_pairs` with the demand cells split into partitions; the same pairs in the same order."""
    dask = _require_dask()
    from zzgeo.reach import Pairs, _in_order

    shared = dask.delayed(sites)
    tasks = [dask.delayed(_piece_pairs)(demand.iloc[a:b], a, shared, radius_m, network, with_distance)
             for a, b in _ranges(len(demand), npartitions)]
    with dask_compute_options(scheduler) as options:
        parts = dask.compute(*tasks, **options)
    dist = None if not with_distance or any(p.distance_m is None for p in parts) else np.concatenate([p.distance_m for p in parts])
    return _in_order(Pairs(np.concatenate([p.cell for p in parts]), np.concatenate([p.site for p in parts]), dist,
                           parts[0].metric if parts else "euclidean"))


def shelter_coverage_dask(register, demand=None, *, npartitions: int | None = None, scheduler: str | None = None, **kwargs):
    """:func:`~zzgeo.shelters.coverage.shelter_coverage` with the reach of every cell found on partitions.

    *demand* may be a dask-geopandas frame (it is gathered: the capacity
    assignment needs every cell); the other arguments are ``shelter_coverage``'s.
    """
    from functools import partial

    from zzgeo.shelters.coverage import shelter_coverage

    if demand is not None and hasattr(demand, "compute"):
        attrs = dict(getattr(demand, "attrs", {}) or {})
        demand = demand.compute()
        demand.attrs.update(attrs)
    reach = partial(reach_pairs_dask, npartitions=npartitions, scheduler=scheduler)
    return shelter_coverage(register, demand, reach=reach, **kwargs)
