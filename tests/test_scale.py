"""Dask-partitioned valuation and shelter coverage give the same results as the single-process path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

dask_geopandas = pytest.importorskip("dask_geopandas", reason="needs the scale extra: pip install 'zzgeo[scale]'")

import geopandas as gpd  # noqa: E402

from zzgeo.errors import ParameterError  # noqa: E402
from zzgeo.landprice.valuation.scale import value_parcels_dask  # noqa: E402
from zzgeo.scale import reach_pairs_dask  # noqa: E402
from zzgeo.shelters.scale import shelter_coverage_dask  # noqa: E402


@pytest.fixture(scope="module")
def parcels() -> gpd.GeoDataFrame:
    """3,000 point parcels over the urban districts, three uses, plot ratios and areas; a few outside the grade map."""
    rng = np.random.default_rng(42)
    n = 3000
    x, y = rng.uniform(113.50, 113.85, n), rng.uniform(34.65, 34.90, n)
    return gpd.GeoDataFrame({"parcel_id": [f"P{i:05d}" for i in range(n)],
                             "use": rng.choice(["commercial", "residential", "industrial"], n),
                             "plot_ratio": rng.uniform(0.8, 4.0, n).round(2), "area_m2": rng.uniform(200, 20000, n).round(1)},
                            geometry=gpd.points_from_xy(x, y), crs=4326)


def _equal(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    assert a.crs == b.crs and a.geometry.equals(b.geometry)
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))


@pytest.mark.parametrize("scheduler", ["threads", "synchronous"])
def test_valuation_on_partitions_equals_single(parcels, scheduler):
    from zzgeo.landprice.valuation import value_parcels

    kwargs = {"table": "collective_construction", "id_column": "parcel_id", "on_error": "flag"}
    single = value_parcels(parcels, **kwargs)
    assert single["unit_price_yuan_m2"].notna().sum() > 1000  # most parcels valued, some outside flagged
    _equal(single, value_parcels_dask(parcels, npartitions=7, scheduler=scheduler, **kwargs))
    _equal(single, value_parcels_dask(dask_geopandas.from_geopandas(parcels, npartitions=3), scheduler=scheduler, **kwargs))


def test_valuation_on_a_local_cluster_equals_single(parcels):
    from zzgeo.landprice.valuation import value_parcels

    kwargs = {"table": "collective_construction", "id_column": "parcel_id", "on_error": "flag"}
    _equal(value_parcels(parcels, **kwargs), value_parcels_dask(parcels, npartitions=4, scheduler="local:2", **kwargs))


def test_coverage_on_partitions_equals_single(districts):
    from zzgeo.spatial.reach import reach_pairs
    from zzgeo.shelters.coverage import shelter_coverage
    from zzgeo.shelters.demo import demo_register
    from zzgeo.shelters.register import read_register
    from zzgeo.spatial.surface import district_surface

    register = read_register(demo_register())
    demand = district_surface(districts, cell_m=500)
    single = shelter_coverage(register, demand)
    parted = shelter_coverage_dask(register, dask_geopandas.from_geopandas(demand, npartitions=4), npartitions=5)
    pd.testing.assert_frame_equal(single.table, parted.table)
    assert single.table["assured"].sum() > 0 and single.table["covered_share"].between(0, 1).all()
    metric = register.to_crs(4547)
    radius = np.full(len(metric), 1000.0)
    a, b = reach_pairs(demand, metric, radius), reach_pairs_dask(demand, metric, radius, npartitions=6)
    assert np.array_equal(a.cell, b.cell) and np.array_equal(a.site, b.site) and np.array_equal(a.distance_m, b.distance_m)


def test_bad_scheduler(parcels):
    with pytest.raises(ParameterError, match="scheduler 'yarn'"):
        value_parcels_dask(parcels.head(10), scheduler="yarn", table="collective_construction", on_error="flag")
    with pytest.raises(ParameterError, match="partitions 0: give 1 or more"):
        value_parcels_dask(parcels.head(10), npartitions=0, table="collective_construction", on_error="flag")


def test_cluster_by_address_and_the_command_line(parcels, tmp_path):
    from distributed import LocalCluster

    from zzgeo._cli import run
    from zzgeo.cli import app
    from zzgeo.io import read_vector
    from zzgeo.landprice.valuation import value_parcels

    kwargs = {"table": "collective_construction", "id_column": "parcel_id", "on_error": "flag"}
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        _equal(value_parcels(parcels.head(500), **kwargs),
               value_parcels_dask(parcels.head(500), npartitions=3, scheduler=cluster.scheduler_address, **kwargs))
    assert run(app, ["land-price", "value", "src/zzgeo/data/landprice/demo_parcels.geojson", "--out", str(tmp_path / "one.gpkg")]) == 0
    assert run(app, ["land-price", "value", "src/zzgeo/data/landprice/demo_parcels.geojson", "--out", str(tmp_path / "parts.gpkg"),
                     "--scheduler", "threads", "--partitions", "3"]) == 0
    for kind in ("point", "polygon"):  # the demo parcels are points and polygons: a GeoPackage layer per kind
        _equal(read_vector(tmp_path / "one.gpkg", layer=f"one_{kind}"), read_vector(tmp_path / "parts.gpkg", layer=f"parts_{kind}"))
