"""Dask for city-wide work: partitions and schedulers, and reach pairs found partition by partition.

The themes build on it: :func:`zzgeo.landprice.valuation.scale.value_parcels_dask` values each partition of the parcels with
:func:`zzgeo.landprice.valuation.value_parcels` (every row is valued on its
own, so the result equals the single-process one); :func:`zzgeo.shelters.scale.shelter_coverage_dask`
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

from zzgeo.errors import ParameterError, StoreError
from zzgeo.i18n import _

__all__ = ["dask_compute_options", "partitions", "reach_pairs_dask"]

_LOCAL = ("threads", "processes", "synchronous")


def _require_dask():
    from zzgeo.extras import require

    return require("dask", extra="scale", purpose=_("Dask partitions"))


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
        raise ParameterError(_("scheduler {scheduler!r}: use threads, processes, synchronous, local[:N] or tcp://host:port").format(
            scheduler=scheduler))
    try:
        client = Client(scheduler, timeout=10)
    except OSError as exc:
        raise StoreError(_("cannot reach the Dask scheduler at {scheduler}: {error}").format(scheduler=scheduler, error=exc)) from exc
    with client:
        yield {"scheduler": client}


def _ranges(rows: int, npartitions: int | None) -> list[tuple[int, int]]:
    """``(start, stop)`` positions of *npartitions* (default: the CPU count) nearly equal pieces of *rows* rows."""
    if npartitions is not None and int(npartitions) < 1:
        raise ParameterError(_("partitions {partitions!r}: give 1 or more").format(partitions=npartitions))
    n = max(1, min(int(npartitions or os.cpu_count() or 2), max(1, rows)))
    bounds = np.linspace(0, rows, n + 1).astype(int)
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))


def partitions(frame, npartitions: int | None = None) -> list:
    """Dask delayed pieces of *frame*: a dask(-geopandas) frame's own partitions, or *frame* split by position."""
    dask = _require_dask()
    if hasattr(frame, "to_delayed"):
        return list(frame.to_delayed())
    return [dask.delayed(frame.iloc[a:b]) for a, b in _ranges(len(frame), npartitions)]


def _piece_pairs(piece, offset: int, sites, radius, network, with_distance):
    from zzgeo.spatial.reach import _pairs

    import dataclasses

    pairs = _pairs(piece, sites, radius, network=network, with_distance=with_distance)
    return dataclasses.replace(pairs, cell=pairs.cell + offset)


def reach_pairs_dask(demand, sites, radius_m, *, network=None, with_distance: bool = True, npartitions: int | None = None,
                     scheduler: str | None = None):
    """:func:`zzgeo.spatial.reach.reach_pairs` with the demand cells split into partitions; the same pairs in the same order."""
    dask = _require_dask()
    from zzgeo.spatial.reach import Pairs, _in_order

    shared = dask.delayed(sites)
    tasks = [dask.delayed(_piece_pairs)(demand.iloc[a:b], a, shared, radius_m, network, with_distance)
             for a, b in _ranges(len(demand), npartitions)]
    with dask_compute_options(scheduler) as options:
        parts = dask.compute(*tasks, **options)
    dist = None if not with_distance or any(p.distance_m is None for p in parts) else np.concatenate([p.distance_m for p in parts])
    return _in_order(Pairs(np.concatenate([p.cell for p in parts]), np.concatenate([p.site for p in parts]), dist,
                           parts[0].metric if parts else "euclidean"))
