"""Shapefiles an office can open (issue 22, part 3): GBK with a .cpg, 10-byte field names mapped, one file per
geometry kind, long text cut and said, nothing hidden; and ``--out-crs``.

Read back with pyogrio (the .cpg decides the encoding) and, for the bytes, by decoding the .dbf header as GBK.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import MultiPoint, Point, box

from zzgeo._cli import run
from zzgeo.cli import app
from zzgeo.crs import from_wgs84_xy
from zzgeo.errors import GeometryError, ZzgeoError
from zzgeo.io import write_vector
from zzgeo.shapefile import FIELD_BYTES, geometry_kinds, shapefile_fields, write_shapefile

DEMO_PARCELS = Path(__file__).resolve().parents[1] / "src" / "zzgeo" / "data" / "landprice" / "demo_parcels.geojson"


def _dbf_names(dbf: Path) -> list[bytes]:
    """The raw field names of a .dbf header (32-byte descriptors after the 32-byte header, name in the first 11)."""
    raw = dbf.read_bytes()
    header = int.from_bytes(raw[8:10], "little")
    return [raw[i:i + 11].split(b"\x00")[0] for i in range(32, header - 1, 32)]


def _shelters() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"场所名称": ["人民公园", "碧沙岗公园"], "有效避难面积平方米": [52000.0, 31000.5], "所属区县名称": ["二七区", "中原区"]},
        geometry=[Point(113.664, 34.752), Point(113.641, 34.760)], crs="EPSG:4326")


def test_chinese_names_and_text_round_trip_in_gbk(tmp_path: Path) -> None:
    notes: list[str] = []
    write_vector(_shelters(), tmp_path / "避难场所.shp", notes=notes)
    assert (tmp_path / "避难场所.cpg").read_text(encoding="ascii").strip() == "GBK"
    names = _dbf_names(tmp_path / "避难场所.dbf")
    assert all(len(n) <= FIELD_BYTES for n in names)
    assert [n.decode("gbk") for n in names] == ["场所名称", "有效避难面", "所属区县名"]  # 2 bytes a character: 5 fit
    back = pyogrio.read_dataframe(tmp_path / "避难场所.shp")
    assert back["场所名称"].tolist() == ["人民公园", "碧沙岗公园"]
    assert back["有效避难面"].tolist() == [52000.0, 31000.5]
    mapping = pd.read_csv(tmp_path / "避难场所.fields.csv", encoding="utf-8-sig")
    assert dict(zip(mapping["column"], mapping["field"])) == {"场所名称": "场所名称", "有效避难面积平方米": "有效避难面",
                                                              "所属区县名称": "所属区县名"}
    assert any("2 field name(s) cut" in n and "避难场所.fields.csv" in n for n in notes)


def test_field_names_unique_within_ten_bytes() -> None:
    columns = ["benchmark_yuan_m2", "benchmark_plot_ratio", "benchmark_", "BENCHMARK_", "短", "可用面积平方米一", "可用面积平方米二"]
    fields = shapefile_fields(columns)
    assert list(fields) == columns
    assert all(len(f.encode("gbk")) <= FIELD_BYTES for f in fields.values())
    assert len({f.upper() for f in fields.values()}) == len(columns)
    assert fields["benchmark_"] == "benchmark_"  # a name that fits keeps it; the cut ones are numbered around it
    assert fields["benchmark_yuan_m2"] == "benchma_m2" and fields["benchmark_plot_ratio"] == "benc_ratio"
    assert fields["可用面积平方米一"] == "可用面积平" and fields["可用面积平方米二"] == "可用面积_1"


def test_field_names_that_differ_at_the_end_keep_the_end() -> None:
    """A new user read shelters_II cut to 'shelters_1' as class I: the classes must stay readable."""
    columns = ["shelters", "shelters_I", "shelters_II", "shelters_III", "effective_area_m2", "effective_area_m2_I",
               "effective_area_m2_II", "effective_area_m2_III"]
    fields = shapefile_fields(columns)
    for name in columns[1:]:
        if "_I" in name:
            assert fields[name].endswith("_" + name.rsplit("_", 1)[1]), (name, fields[name])  # _I, _II, _III kept
    assert len({f.upper() for f in fields.values()}) == len(columns)


def test_mixed_points_and_polygons_one_file_each(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"id": ["a", "b", "c", "d"]},
                             geometry=[Point(113.6, 34.7), box(113.6, 34.7, 113.61, 34.71), None, MultiPoint([(113.6, 34.7), (113.7, 34.8)])],
                             crs="EPSG:4326")
    notes: list[str] = []
    written, fields = write_shapefile(frame, tmp_path / "mixed.shp", notes=notes)
    assert fields == {}  # "id" fits
    assert [p.name for p in written] == ["mixed_point.shp", "mixed_polygon.shp"]
    points = pyogrio.read_dataframe(written[0])
    assert points["id"].tolist() == ["a", "c", "d"]  # the row without geometry goes with the largest kind
    assert points.geom_type.tolist()[0] == "MultiPoint"  # single and multi points share one multipoint file
    assert pyogrio.read_dataframe(written[1])["id"].tolist() == ["b"]
    assert not (tmp_path / "mixed.shp").exists()
    assert any("mixed_point.shp (3 points), mixed_polygon.shp (1 polygon)" in n for n in notes)


def test_geometry_collection_refused() -> None:
    from shapely.geometry import GeometryCollection

    with pytest.raises(GeometryError, match="feature 2 is a geometry collection"):
        geometry_kinds([Point(0, 0), GeometryCollection([Point(0, 0), box(0, 0, 1, 1)])])


def test_long_text_cut_at_254_bytes_and_said(tmp_path: Path) -> None:
    frame = _shelters().assign(备注=["说明" * 200, "短"])  # 400 characters = 800 bytes in GBK
    notes: list[str] = []
    write_vector(frame, tmp_path / "s.shp", notes=notes)
    back = pyogrio.read_dataframe(tmp_path / "s.shp")
    assert back["备注"].iloc[0] == "说明" * 63 + "说" and len(back["备注"].iloc[0].encode("gbk")) == 254
    assert back["备注"].iloc[1] == "短"
    assert any("1 value(s) of column '备注' longer than a Shapefile's 254 bytes" in n for n in notes)
    assert not any("GDAL" in n for n in notes)  # zzgeo cut it: GDAL had nothing to warn about


def test_text_gbk_cannot_hold_is_one_error_and_nothing_written(tmp_path: Path) -> None:
    frame = _shelters().assign(备注=["好", "避难 🏕 场所"])
    with pytest.raises(ZzgeoError, match=r"column '备注', feature 2: '🏕' in '避难 🏕 场所' cannot be written in GBK"):
        write_vector(frame, tmp_path / "s.shp")
    assert list(tmp_path.iterdir()) == []


def test_library_caller_gets_the_notes_as_warnings(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="field name"):
        write_vector(_shelters(), tmp_path / "s.shp")


def test_valued_demo_parcels_as_shapefile(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """The shipped demo parcels (5 polygons, 1 point) ended in an internal error; now two files and the notes."""
    out = tmp_path / "valued.shp"
    assert run(app, ["land-price", "value", str(DEMO_PARCELS), "--out", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    polygons = pyogrio.read_dataframe(tmp_path / "valued_polygon.shp")
    point = pyogrio.read_dataframe(tmp_path / "valued_point.shp")
    assert len(polygons) == 5 and len(point) == 1
    mapping = pd.read_csv(tmp_path / "valued.fields.csv", encoding="utf-8-sig")
    field = dict(zip(mapping["column"], mapping["field"]))
    assert field["unit_price_yuan_m2"] == "unit_price" and field["district_name"] == "district_n"
    by_id = {r["parcel_id"]: r for r in doc["records"]}
    for _, row in pd.concat([polygons, point]).iterrows():
        assert row[field["unit_price_yuan_m2"]] == pytest.approx(by_id[row["parcel_id"]]["unit_price_yuan_m2"])
        assert row[field["district_name"]] == by_id[row["parcel_id"]]["district_name"]  # 金水区 ... read back from GBK
    assert any("valued_point.shp (1 point), valued_polygon.shp (5 polygons)" in n for n in doc["notes"])
    notes_csv = pd.read_csv(tmp_path / "valued.notes.csv", encoding="utf-8-sig")
    assert notes_csv["note"].str.contains("valued.fields.csv").any()


def test_out_crs_gauss_kruger_and_cgcs2000(tmp_path: Path) -> None:
    args = ["land-price", "value", str(DEMO_PARCELS)]
    assert run(app, [*args, "--out", str(tmp_path / "gk.gpkg"), "--out-crs", "4547"]) == 0
    assert run(app, [*args, "--out", str(tmp_path / "wgs.gpkg")]) == 0
    assert run(app, [*args, "--out", str(tmp_path / "gk.csv"), "--out-crs", "EPSG:4547"]) == 0
    assert run(app, [*args, "--out", str(tmp_path / "cgcs.gpkg"), "--out-crs", "cgcs2000"]) == 0
    gk, wgs = gpd.read_file(tmp_path / "gk.gpkg"), gpd.read_file(tmp_path / "wgs.gpkg")
    assert gk.crs.to_epsg() == 4547 and wgs.crs.to_epsg() == 4326
    assert gpd.read_file(tmp_path / "cgcs.gpkg").crs.to_epsg() == 4490
    point = wgs.geom_type == "Point"
    x, y = from_wgs84_xy(wgs[point].geometry.x.to_numpy(), wgs[point].geometry.y.to_numpy(), "EPSG:4547")
    assert np.allclose(gk[point].geometry.x, x, atol=1e-6) and np.allclose(gk[point].geometry.y, y, atol=1e-6)
    assert 400_000 < x[0] < 600_000  # metres east in the zone of CM 114E (false easting 500 km)
    table = pd.read_csv(tmp_path / "gk.csv", encoding="utf-8-sig")
    assert "wkt" in table.columns and table["wkt"].str.contains(r"\d{6}\.\d").all()  # metres, not degrees


def test_out_crs_gcj02_refused_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "v.gpkg"
    assert run(app, ["land-price", "value", str(DEMO_PARCELS), "--out", str(out), "--out-crs", "gcj02"]) == 2
    err = capsys.readouterr().err
    assert "error: --out-crs 'gcj02': GCJ-02 and BD-09 cannot be declared in a file" in err
    assert "Traceback" not in err and list(tmp_path.iterdir()) == []


def test_points_in_gauss_kruger_are_easting_and_northing_and_the_crs_is_said(tmp_path: Path) -> None:
    """EPSG:4547 calls the northing X (the Chinese survey convention): columns named x/y would be swapped by a
    surveyor, so a projected table says easting/northing, and the notes name the CRS."""
    notes: list[str] = []
    write_vector(_shelters(), tmp_path / "s.csv", crs="4547", notes=notes)
    table = pd.read_csv(tmp_path / "s.csv", encoding="utf-8-sig")
    x, y = from_wgs84_xy(113.664, 34.752, "EPSG:4547")
    assert table.loc[0, "easting"] == pytest.approx(float(x), abs=1e-6) and table.loc[0, "northing"] == pytest.approx(float(y), abs=1e-6)
    assert "x" not in table.columns and "lon" not in table.columns
    assert notes == ["s.csv: coordinates in CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547), as easting/northing in metres (or WKT)"]


def test_rewriting_a_shapefile_removes_the_earlier_outputs_parts(tmp_path: Path) -> None:
    """A new user wrote mixed parcels to x.shp (x_point.shp, x_polygon.shp), then polygons only to x.shp: the old
    x_point.shp stayed beside the new x.shp and looked current. Now the earlier parts go, and the notes say so."""
    mixed = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[Point(113.6, 34.7), box(113.6, 34.7, 113.61, 34.71)], crs=4326)
    first: list[str] = []
    write_vector(mixed, tmp_path / "x.shp", notes=first)
    assert "x.shp: written as x_point.shp, x_polygon.shp" in first
    second: list[str] = []
    write_vector(mixed.iloc[[1]], tmp_path / "x.shp", notes=second)
    assert sorted(p.name for p in tmp_path.glob("*.shp")) == ["x.shp"]
    assert not list(tmp_path.glob("x_*"))
    assert "x.shp: written as x.shp; the previous run's x_point.shp, x_polygon.shp removed" in second
    assert pyogrio.read_dataframe(tmp_path / "x.shp")["id"].tolist() == ["b"]


def test_a_table_without_geometry_is_an_attribute_table_in_gpkg_and_refused_by_shp(tmp_path: Path) -> None:
    """Shares by unit or scores have no geometry: --out x.gpkg ended in an internal error ('no attribute geometry')."""
    table = pd.DataFrame({"unit_name": ["中原区", "二七区"], "share": [0.5, 0.25]})
    write_vector(table, tmp_path / "t.gpkg", demo="DEMO 演示数据 — test")
    back = pyogrio.read_dataframe(tmp_path / "t.gpkg")
    assert back["unit_name"].tolist() == ["中原区", "二七区"] and back["share"].tolist() == [0.5, 0.25]
    assert back.columns[0] == "demo_data" and pyogrio.read_info(tmp_path / "t.gpkg")["layer_metadata"]["DEMO"] == "DEMO 演示数据 — test"
    with pytest.raises(ZzgeoError, match=r"t\.shp: this result is a table without geometry, which a \.shp file cannot hold"):
        write_vector(table, tmp_path / "t.shp")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.gpkg"]


def test_dates_are_iso_text_in_a_shapefile_and_said(tmp_path: Path) -> None:
    frame = _shelters().assign(checked=pd.to_datetime(["2024-06-30", None]), seen=pd.to_datetime(["2024-06-30 08:15", "2024-07-01 00:00"]))
    notes: list[str] = []
    write_vector(frame, tmp_path / "s.shp", notes=notes)
    back = pyogrio.read_dataframe(tmp_path / "s.shp")
    assert back["checked"].tolist()[0] == "2024-06-30" and back["seen"].tolist() == ["2024-06-30T08:15:00", "2024-07-01T00:00:00"]
    assert not any("GDAL" in n for n in notes)  # zzgeo wrote the text: nothing for GDAL to warn about
    assert any("column 'seen' written as ISO text (date and time)" in n for n in notes)
