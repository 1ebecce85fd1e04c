"""Shelter coverage with the reach of every cell found on Dask partitions (see :mod:`zzgeo.scale`)."""

from __future__ import annotations

from zzgeo.scale import reach_pairs_dask

__all__ = ["shelter_coverage_dask"]


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
