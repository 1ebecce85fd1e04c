"""PostGIS as a store (zzgeo.store, layers.build_store on a URL, --out postgresql://): round trips and transactions.

Runs when ZZGEO_TEST_PG_DSN points at a PostGIS database (.ci/run starts one with
scripts/start-postgis.sh); skipped otherwise, with that reason.
"""

from __future__ import annotations

import os
import uuid

import geopandas as gpd
import pandas as pd
import pytest

from zzgeo import store
from zzgeo.errors import StoreError

DSN = os.environ.get("ZZGEO_TEST_PG_DSN")
pytestmark = [pytest.mark.postgis, pytest.mark.skipif(not DSN, reason="ZZGEO_TEST_PG_DSN not set (scripts/start-postgis.sh)")]


@pytest.fixture()
def schema():
    """A fresh schema, dropped afterwards."""
    import sqlalchemy

    name = f"t_{uuid.uuid4().hex[:8]}"
    yield name
    with store.engine_for(DSN).begin() as conn:
        conn.execute(sqlalchemy.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))


def _same(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    """Geometries (exactly, vertex by vertex), CRS and every attribute value and dtype equal."""
    assert a.crs == b.crs
    assert list(a.columns) == list(b.columns)
    assert a.geometry.geom_equals_exact(b.geometry, tolerance=0).all()
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns=a.geometry.name)).reset_index(drop=True),
                                  pd.DataFrame(b.drop(columns=b.geometry.name)).reset_index(drop=True))


@pytest.mark.parametrize("layer", ["districts", "shelters_demo", "children_facilities_demo"])
def test_geopackage_postgis_geopackage_round_trip(layer, schema, tmp_path):
    from zzgeo.io import read_vector, write_vector
    from zzgeo.layers import read_layer

    original = read_layer(layer)
    write_vector(original, f"{DSN}#{schema}.{layer}")
    back = store.read_table(DSN, f"{schema}.{layer}")
    _same(original, back)
    write_vector(back, tmp_path / "back.gpkg")
    _same(original, read_vector(tmp_path / "back.gpkg"))


def test_failed_write_leaves_the_old_table(schema):
    from shapely.geometry import Point

    old = gpd.GeoDataFrame({"name": ["二七广场", "北区公园"], "area_m2": [12000.0, 5000.0]},
                           geometry=[Point(113.6654, 34.7536), Point(113.70, 34.80)], crs=4326)
    store.write_table(old, DSN, f"{schema}.shelters")
    broken = old.assign(name=["ok", "bad\x00name"])  # PostgreSQL text cannot hold NUL: the insert fails mid-write
    with pytest.raises(StoreError, match="nothing was changed"):
        store.write_table(broken, DSN, f"{schema}.shelters")
    _same(old, store.read_table(DSN, f"{schema}.shelters"))
    assert store.table_names(DSN, schema) == ["shelters"]  # no scratch table left behind


def test_several_tables_all_or_none(schema):
    first = pd.DataFrame({"k": [1, 2]})
    store.write_tables({"a": first, "b": first}, DSN, schema=schema)
    with pytest.raises(StoreError):
        store.write_tables({"a": pd.DataFrame({"k": [9]}), "b": pd.DataFrame({"t": ["x\x00"]})}, DSN, schema=schema)
    pd.testing.assert_frame_equal(store.read_table(DSN, f"{schema}.a"), first)  # "a" was not replaced either


def test_layer_store_in_postgis(schema):
    from zzgeo.layers import build_store, list_layers, read_layer

    url = f"{DSN}#{schema}"
    assert build_store(url, only=["districts", "shelters_demo"]) == url
    prov = list_layers(url).set_index("layer")
    assert prov.loc["districts", "features"] == 12 and prov.loc["shelters_demo", "kind"] == "demo"
    gpkg, pg = read_layer("districts"), read_layer("districts", url)
    _same(gpkg, pg[list(gpkg.columns)])
    assert pg["population"].sum() == gpkg["population"].sum()


def test_one_point_lookup_on_a_postgis_store(schema, monkeypatch):
    """The one-point lookup reads its layers as arrays; from PostGIS it gives the GeoPackage store's answer."""
    from zzgeo.landprice.lookup import lookup_point
    from zzgeo.layers import build_store, read_layer_arrays

    url = f"{DSN}#{schema}"
    build_store(url, only=["districts", "land_grade_zones"])
    on_gpkg = lookup_point(113.70, 34.78)
    arrays = read_layer_arrays("land_grade_zones", url)
    assert len(arrays["geometry"]) == 48 and arrays["grade"][:3].tolist() == [1, 2, 3]
    monkeypatch.setenv("ZZGEO_STORE", url)
    assert lookup_point(113.70, 34.78) == on_gpkg


def test_cli_out_to_postgis(schema, tmp_path):
    from zzgeo._cli import run
    from zzgeo.cli import app

    assert run(app, ["land-price", "value", "src/zzgeo/data/landprice/demo_parcels.geojson", "--out", f"{DSN}#{schema}.valued"]) == 0
    valued = store.read_table(DSN, f"{schema}.valued")
    assert len(valued) == 6 and valued.crs.to_epsg() == 4326 and valued["unit_price_yuan_m2"].notna().all()
    assert valued.columns[0] == "demo_data" and valued["demo_data"].str.startswith("DEMO 演示数据 — the grade zones").all()
    assert run(app, ["--store", f"{DSN}#{schema}_typo", "districts", "--json"]) == 2  # a store named is never built silently
    assert "zzgeo_provenance" not in store.table_names(DSN, f"{schema}_typo")
    assert run(app, ["layers", "build", "--store", f"{DSN}#{schema}"]) == 0
    assert run(app, ["--store", f"{DSN}#{schema}", "districts", "--json"]) == 0
    assert "zzgeo_provenance" in store.table_names(DSN, schema)
    assert os.environ.get("ZZGEO_STORE") != f"{DSN}#{schema}"  # --store holds for that run only


def test_bad_targets():
    with pytest.raises(StoreError, match="say which table"):
        store.parse_target(DSN)
    with pytest.raises(StoreError, match="letters, digits"):
        store.parse_target(f"{DSN}#public.bad-name")
    with pytest.raises(StoreError, match="cannot connect"):
        store.engine_for("postgresql://nobody@127.0.0.1:9/none")
    assert store.parse_target("postgresql:/u@h:5432/db#s.t").dsn == "postgresql://u@h:5432/db"  # a URL that went through Path


def test_report_tables_go_to_postgis_in_one_transaction(schema):
    from types import SimpleNamespace

    from shapely.geometry import Point

    from zzgeo.theme_run import ThemeRun
    from zzgeo.report import postgis_tables

    points = gpd.GeoDataFrame({"name": ["a"], "reasons": [["in zone 1", "upgradient"]]}, geometry=[Point(113.6, 34.7)], crs=4326)
    runs = {"land-price": ThemeRun("land-price", "t", "d", tables={"valuation": pd.DataFrame({"v": [1.5]})}),
            "groundwater": ThemeRun("groundwater", "t", "d", tables={"screening_list": points})}
    scores = SimpleNamespace(scores=pd.DataFrame({"district": ["410102"], "score": [82.3]}),
                             parts=pd.DataFrame({"district": ["410102"], "indicator": ["x"], "contribution": [82.3]}))
    tables = postgis_tables(runs, scores)
    assert sorted(tables) == ["groundwater_screening_list", "land_price_valuation", "score_parts", "scorecard"]
    store.write_tables(tables, DSN, schema=schema)
    back = store.read_table(DSN, f"{schema}.groundwater_screening_list")
    assert back.crs.to_epsg() == 4326 and back["reasons"].tolist() == ['["in zone 1", "upgradient"]']  # lists as JSON text
    assert store.read_table(DSN, f"{schema}.scorecard")["score"].tolist() == [82.3]


# --- names: written and read back exactly, never cut at PostgreSQL's 63 bytes --------------------------

#: Column names psycopg's parameter style, SQLAlchemy's bind syntax or quoting could trip on.
ODD_COLUMNS = ["share %", "a%b", "%(x)s", "%s", "it's", 'say "hi"', "名称 (中文)", "Mixed Case", "时间:开始", "zzgeo_c0", "x" * 63]


@pytest.mark.parametrize("spatial", [True, False])
def test_column_names_round_trip_exactly(schema, spatial):
    from shapely.geometry import Point

    data = {name: [f"{i}", ""] for i, name in enumerate(ODD_COLUMNS)}  # "" stays "" (not NULL) under every name
    data["面积 m²"] = [1.5, 2.5]
    frame = pd.DataFrame(data)
    if spatial:
        frame = gpd.GeoDataFrame(frame, geometry=[Point(113.6654, 34.7536), Point(113.70, 34.80)], crs=4326)
    store.write_table(frame, DSN, f"{schema}.odd")
    store.write_table(frame, DSN, f"{schema}.odd")  # twice: the scratch table and its index are named afresh
    back = store.read_table(DSN, f"{schema}.odd")
    assert list(back.columns) == list(frame.columns)
    if spatial:
        _same(frame, back)
    else:
        pd.testing.assert_frame_equal(back, frame)
    assert store.table_names(DSN, schema) == ["odd"]


def test_column_name_longer_than_63_bytes_is_refused_before_writing(schema):
    long = "有效避难面积" * 4  # 24 Chinese characters = 72 bytes: PostgreSQL would cut it to 21
    with pytest.raises(StoreError, match=r"^t_\w+\.t: column name '有效避难面积.*' is 72 bytes long; PostgreSQL keeps at most 63 bytes"):
        store.write_table(pd.DataFrame({long: [1]}), DSN, f"{schema}.t")
    assert store.table_names(DSN, schema) == []


def test_long_table_names_and_their_indexes_fit(schema):
    import sqlalchemy
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame({"v": [1]}, geometry=[Point(113.6654, 34.7536)], crs=4326)
    names = ["t" * 63, "t" * 62 + "x"]  # share 62 characters: neither the scratch tables nor the indexes may collide
    for name in names:
        store.write_table(frame, DSN, f"{schema}.{name}")
        store.write_table(frame, DSN, f"{schema}.{name}")
    assert store.table_names(DSN, schema) == sorted(names)
    with store.engine_for(DSN).connect() as conn:
        indexes = conn.execute(sqlalchemy.text("SELECT tablename, indexname FROM pg_indexes WHERE schemaname = :s"), {"s": schema}).fetchall()
    assert len({i for _, i in indexes}) == 2 and all(len(i.encode()) <= 63 and i.startswith("idx_ttt") for _, i in indexes)
    for name in names:
        _same(frame, store.read_table(DSN, f"{schema}.{name}"))


def test_output_table_must_leave_room_for_its_side_tables(schema, tmp_path):
    from zzgeo._cli import run
    from zzgeo.cli import app
    from zzgeo.io import check_output_path

    assert store.check_output_target(f"{DSN}#{schema}.{'a' * 54}").table == "a" * 54  # + "_rejected" = 63 bytes
    with pytest.raises(StoreError, match=rf"^PostGIS output table '{'a' * 55}' is 55 bytes long; an output table may have at most 54 bytes"):
        check_output_path(f"{DSN}#{schema}.{'a' * 55}")
    # the command refuses before any work: nothing is written, not even the main table
    assert run(app, ["land-price", "value", "src/zzgeo/data/landprice/demo_parcels.geojson", "--out", f"{DSN}#{schema}.{'v' * 60}"]) == 2
    assert store.table_names(DSN, schema) == []
