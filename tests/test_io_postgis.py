"""PostGIS as a first-class source: read_vector on a postgresql:// URL.

Runs when ZZGEO_TEST_PG_DSN points at a PostGIS database (.ci/run starts one with
scripts/start-postgis.sh); skipped otherwise.
"""

from __future__ import annotations

import os
import uuid

import geopandas as gpd
import numpy as np
import pytest
import shapely

from zzgeo.crs import wgs84_to_gcj02
from zzgeo.errors import SchemaError
from zzgeo.io import read_vector

DSN = os.environ.get("ZZGEO_TEST_PG_DSN")
pytestmark = [pytest.mark.postgis, pytest.mark.skipif(not DSN, reason="ZZGEO_TEST_PG_DSN not set")]


@pytest.fixture()
def table():
    sqlalchemy = pytest.importorskip("sqlalchemy")
    name = f"t_{uuid.uuid4().hex[:8]}"
    engine = sqlalchemy.create_engine(DSN)
    # two shelters copied from Amap: GCJ-02 coordinates stored under SRID 4326, as registers often are
    lon = np.array([113.6654, 113.7000])
    lat = np.array([34.7536, 34.8000])
    glon, glat = wgs84_to_gcj02(lon, lat)
    frame = gpd.GeoDataFrame(
        {"名称": ["二七广场", "北区公园"], "有效面积": [12000.0, 5000.0]},
        geometry=shapely.points(np.column_stack([glon, glat])),
        crs="EPSG:4326",
    ).rename_geometry("geom")
    frame.to_postgis(name, engine, schema="public")
    yield f"public.{name}", lon, lat
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f'DROP TABLE IF EXISTS public."{name}"'))
    engine.dispose()


def test_read_postgis_table_converts_declared_gcj02(table):
    name, lon, lat = table
    gdf = read_vector(DSN, layer=name, crs="gcj02")
    assert list(gdf["名称"]) == ["二七广场", "北区公园"]
    assert gdf.crs.to_epsg() == 4326
    # the GCJ-02 offset (~500 m here) is removed: back on the WGS-84 points to < 1e-8 degrees
    np.testing.assert_allclose(gdf.geometry.x, lon, atol=1e-8)
    np.testing.assert_allclose(gdf.geometry.y, lat, atol=1e-8)


def test_read_postgis_select_query(table):
    name, _, _ = table
    gdf = read_vector(DSN, layer=f'SELECT * FROM {name} WHERE "有效面积" > 6000', crs="gcj02")
    assert list(gdf["有效面积"]) == [12000.0]


def test_read_postgis_needs_a_table():
    with pytest.raises(SchemaError, match="name the PostGIS table"):
        read_vector(DSN)


def test_read_postgis_rejects_odd_table_names():
    with pytest.raises(SchemaError, match="not a plain table name"):
        read_vector(DSN, layer="public.x; DROP TABLE y")
