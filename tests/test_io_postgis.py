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


def test_read_postgis_mistyped_table_is_one_line_naming_it(table):
    from zzgeo.errors import StoreError

    name, _, _ = table
    typo = name[:-1] + ("x" if name[-1] != "x" else "y")
    with pytest.raises(StoreError, match=rf"^shelters\.pg: PostGIS has no table '{typo}'; tables in public with a similar name: .*'{name.split('.')[1]}'"):
        read_vector(DSN, layer=typo, crs="gcj02", name="shelters.pg")
    with pytest.raises(StoreError, match=r"PostGIS has no table 'no_schema_here\.t'; schema 'no_schema_here' holds no tables"):
        read_vector(DSN, layer="no_schema_here.t", crs="gcj02")
    with pytest.raises(StoreError, match=r"PostGIS cannot read the query 'SELECT \* FROM public\.nope': relation \"public\.nope\" does not exist"):
        read_vector(DSN, layer="SELECT * FROM public.nope", crs="gcj02")


def test_read_postgis_no_rows_is_an_empty_input_error(table):
    from zzgeo.errors import EmptyInputError

    name, _, _ = table
    with pytest.raises(EmptyInputError, match=r"the PostGIS query 'SELECT .*' returned no rows"):
        read_vector(DSN, layer=f'SELECT * FROM {name} WHERE "有效面积" > 1e9', crs="gcj02")


def test_read_postgis_query_text_is_sent_as_written(table):
    # "%" (psycopg's parameter style) and " :word" (SQLAlchemy's bind syntax) inside a query are plain SQL
    name, _, _ = table
    gdf = read_vector(DSN, layer=f"SELECT *, 'note :x 50%' AS note, '12:30'::text AS at FROM {name} WHERE \"名称\" LIKE '%七%'", crs="gcj02")
    assert list(gdf["名称"]) == ["二七广场"] and list(gdf["note"]) == ["note :x 50%"] and list(gdf["at"]) == ["12:30"]


def test_cli_register_table_typo_exits_2_with_one_line(table):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "zzgeo.cli", "shelters", "coverage", "--register", DSN, "--layer", "public.no_such_table"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1 and "'public.no_such_table'" in proc.stderr
