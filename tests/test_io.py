"""Tests of zzgeo.io: reading tables and vector files, geometry checks, atomic writes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, Polygon, box

from zzgeo.crs import gcj02_to_wgs84
from zzgeo.errors import CRSError, GeometryError, SchemaError, ZzgeoError
from zzgeo.io import check_geometries, frame_from_coordinates, read_vector, write_vector


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["二七广场", "郑州东站"], "capacity": [1200, 800]},
        geometry=[Point(113.6654, 34.7536), Point(113.7721, 34.7597)],
        crs="EPSG:4326",
    )


# --- tables --------------------------------------------------------------------------------------


def test_csv_without_crs(tmp_path) -> None:
    path = tmp_path / "pts.csv"
    path.write_text("name,lon,lat\na,113.66,34.75\n", encoding="utf-8")
    with pytest.raises(CRSError, match=r"pts\.csv is a table and carries no CRS; pass crs= / --crs"):
        read_vector(path)
    out = read_vector(path, crs="wgs84")
    assert out.crs == "EPSG:4326"
    assert (out.geometry.x.iloc[0], out.geometry.y.iloc[0]) == (113.66, 34.75)


def test_gcj_columns_with_wgs84_crs(tmp_path) -> None:
    path = tmp_path / "amap.csv"
    path.write_text("name,gcj_lng,gcj_lat\nerqi,113.671504,34.752488\n", encoding="utf-8")
    with pytest.raises(CRSError, match=r"columns 'gcj_lng'/'gcj_lat' look like gcj02 coordinates but crs='wgs84' was given"):
        read_vector(path, crs="wgs84")
    with pytest.raises(CRSError, match=r"carries no CRS.*column names suggest 'gcj02'"):
        read_vector(path)
    out = read_vector(path, crs="gcj02")
    lon, lat = gcj02_to_wgs84(113.671504, 34.752488)
    assert (out.geometry.x.iloc[0], out.geometry.y.iloc[0]) == pytest.approx((float(lon), float(lat)), abs=1e-12)
    # the GCJ-02 point is Erqi Square (113.6654, 34.7536 WGS-84) to ~5e-7 degrees
    assert (out.geometry.x.iloc[0], out.geometry.y.iloc[0]) == pytest.approx((113.6654, 34.7536), abs=1e-6)


def test_gbk_csv_with_chinese_columns(tmp_path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("名称,经度,纬度\n二七广场,113.6654,34.7536\n".encode("gbk"))
    out = read_vector(path, crs="wgs84")
    assert out["名称"].tolist() == ["二七广场"]
    assert out.geometry.iloc[0].equals(Point(113.6654, 34.7536))


def test_excel_round_trip(tmp_path, points) -> None:
    path = write_vector(points, tmp_path / "pts.xlsx")
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert header == ["name", "capacity", "lon", "lat"]
    assert [c.value for c in sheet[2]] == ["二七广场", 1200, 113.6654, 34.7536]
    back = read_vector(path, crs="wgs84")
    assert_geodataframe_equal(back[["name", "capacity", "geometry"]], points, check_dtype=False, check_crs=True)


def test_csv_wkt_polygon_round_trip(tmp_path) -> None:
    poly = gpd.GeoDataFrame({"pid": ["A"]}, geometry=[box(113.60, 34.70, 113.61, 34.71)], crs="EPSG:4326")
    path = write_vector(poly, tmp_path / "poly.csv")
    assert "wkt" in pd.read_csv(path, encoding="utf-8-sig").columns
    back = read_vector(path, crs="wgs84")
    assert back.geometry.iloc[0].equals_exact(poly.geometry.iloc[0], tolerance=1e-7)


def test_missing_or_wrong_columns(tmp_path) -> None:
    path = tmp_path / "nocoords.csv"
    path.write_text("name,address\na,金水路\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"no coordinate columns found among \['name', 'address'\]"):
        read_vector(path, crs="wgs84")
    frame = pd.DataFrame({"lon": ["113.6", "东经113度"], "lat": [34.7, 34.8]})
    with pytest.raises(SchemaError, match=r"non-numeric coordinates in 'lon'/'lat' at row 1: "):
        frame_from_coordinates(frame, crs="wgs84")
    with pytest.raises(SchemaError, match=r"non-numeric coordinates in 'lon'/'lat' at line 3: "):
        frame_from_coordinates(frame, crs="wgs84", row_names="line")
    frame = pd.DataFrame({"lon": [113.6, None], "lat": [34.7, 34.8]})
    with pytest.raises(GeometryError, match=r"1 row\(s\) have no coordinates in .lon./.lat.: row 1"):
        frame_from_coordinates(frame, crs="wgs84")


def test_explicit_coordinate_columns() -> None:
    frame = pd.DataFrame({"E": [469363.636], "N": [3847308.694]})
    out = frame_from_coordinates(frame, crs="EPSG:4547", x="E", y="N")
    assert (out.geometry.x.iloc[0], out.geometry.y.iloc[0]) == pytest.approx((113.6654, 34.7536), abs=1e-8)


def test_missing_file(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_vector(tmp_path / "nope.gpkg")


def test_vector_file_gcj02(tmp_path, points) -> None:
    path = tmp_path / "pts.geojson"
    points.to_file(path, driver="GeoJSON")
    assert_geodataframe_equal(read_vector(path), points, check_less_precise=True, check_dtype=False)
    shifted = read_vector(path, crs="gcj02")
    assert shifted.geometry.x.iloc[0] < 113.6654 - 0.004  # moved ~560 m west


# --- geometry checks -----------------------------------------------------------------------------


def test_bowtie_is_a_geometry_error() -> None:
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    gdf = gpd.GeoDataFrame({"pid": ["ok", "bow"]}, geometry=[box(0, 0, 1, 1), bowtie], crs="EPSG:4547")
    with pytest.raises(GeometryError, match=r"1 invalid geometr\(y/ies\), rows \['bow'\]; first: Self-intersection\[5 5\]"):
        check_geometries(gdf, id_column="pid")


def test_empty_and_missing_geometry() -> None:
    gdf = gpd.GeoDataFrame({"pid": ["a", "b", "c"]}, geometry=[box(0, 0, 1, 1), Polygon(), None], crs="EPSG:4547")
    with pytest.raises(GeometryError, match=r"2 row\(s\) have missing or empty geometry: \['b', 'c'\]"):
        check_geometries(gdf, id_column="pid")
    check_geometries(gdf.iloc[[0]])  # a clean layer passes


# --- writing -------------------------------------------------------------------------------------


def test_write_refuses_to_overwrite_an_input(tmp_path, points) -> None:
    src = tmp_path / "in" / "pts.gpkg"
    src.parent.mkdir()
    points.to_file(src, driver="GPKG")
    digest = _sha(src)
    for target in (src, tmp_path / "in" / ".." / "in" / "pts.gpkg"):
        with pytest.raises(ZzgeoError, match=r"refusing to overwrite the input .*pts\.gpkg.*choose another --out"):
            write_vector(points, target, protect=[src])
    assert _sha(src) == digest
    assert sorted(os.listdir(src.parent)) == ["pts.gpkg"]


def test_write_is_atomic_when_the_writer_fails(tmp_path, points, monkeypatch) -> None:
    out = tmp_path / "out.gpkg"
    write_vector(points, out)
    digest = _sha(out)

    def half_write(self, filename, *args, **kwargs):
        Path(filename).write_bytes(b"half a geopackage")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", half_write)
    with pytest.raises(OSError, match="simulated"):
        write_vector(points.assign(capacity=[0, 0]), out)
    assert _sha(out) == digest  # the old file is intact
    assert os.listdir(tmp_path) == ["out.gpkg"]  # and no temporary file or folder is left
    monkeypatch.undo()
    assert gpd.read_file(out)["capacity"].tolist() == [1200, 800]


def test_write_replaces_and_cleans_up(tmp_path, points) -> None:
    out = tmp_path / "out.gpkg"
    write_vector(points, out)
    write_vector(points.assign(capacity=[1, 2]), out)
    assert gpd.read_file(out)["capacity"].tolist() == [1, 2]
    assert os.listdir(tmp_path) == ["out.gpkg"]
    with pytest.raises(ZzgeoError, match=r"unknown output format '\.txt'"):
        write_vector(points, tmp_path / "out.txt")
    assert os.listdir(tmp_path) == ["out.gpkg"]


def test_write_shapefile_parts(tmp_path, points) -> None:
    write_vector(points[["capacity", "geometry"]], tmp_path / "sub" / "pts.shp")
    names = sorted(os.listdir(tmp_path / "sub"))
    assert {"pts.shp", "pts.shx", "pts.dbf", "pts.prj"} <= set(names)
    assert all(n.startswith("pts.") for n in names)
    assert gpd.read_file(tmp_path / "sub" / "pts.shp")["capacity"].tolist() == [1200, 800]


# --- spreadsheets never run a cell -------------------------------------------------------------------

#: Register names a spreadsheet would run as formulas, and harmless ones.
FORMULAS = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+SUM(A1)", "-1+1", "=cmd|' /C calc'!A0", "\tTAB"]


@pytest.fixture
def formula_names() -> gpd.GeoDataFrame:
    names = [*FORMULAS, "-5", "二七广场"]
    return gpd.GeoDataFrame({"name": names, "capacity": list(range(len(names))), "=SUM(B2)": ["x"] * len(names)},
                            geometry=[Point(113.6654, 34.7536)] * len(names), crs="EPSG:4326")


def test_xlsx_cells_are_text_never_formulas(tmp_path, formula_names) -> None:
    sheet = openpyxl.load_workbook(write_vector(formula_names, tmp_path / "x.xlsx")).active
    header = sheet[1]
    assert header[2].value == "=SUM(B2)" and header[2].data_type == "s"
    for row, name in zip(sheet.iter_rows(min_row=2), formula_names["name"], strict=True):
        assert (row[0].value, row[0].data_type) == (name, "s")  # the text intact, as a string cell
        assert row[1].data_type == "n" and isinstance(row[1].value, int)  # numbers stay numbers
        assert row[3].data_type == "n" and row[3].value == 113.6654


def test_write_excel_many_sheets(tmp_path) -> None:
    from zzgeo.io import write_excel

    path = write_excel({"a": pd.DataFrame({"x": ["=1+1"], "n": [2.5]}), "指标": pd.DataFrame({"y": ["@A1"]})}, tmp_path / "b.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["a", "指标"]
    assert [(c.value, c.data_type) for c in book["a"][2]] == [("=1+1", "s"), (2.5, "n")]
    assert (book["指标"]["A2"].value, book["指标"]["A2"].data_type) == ("@A1", "s")


def test_csv_guards_formula_text_with_a_quote(tmp_path, formula_names) -> None:
    path = write_vector(formula_names, tmp_path / "x.csv")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["name", "capacity", "'=SUM(B2)", "lon", "lat"]
    assert back["name"].tolist() == ["'" + n for n in FORMULAS] + ["-5", "二七广场"]  # a negative number is no formula
    assert back["capacity"].tolist() == [str(i) for i in range(len(formula_names))]
    assert back["lon"].tolist() == ["113.6654"] * len(formula_names)


def test_csv_numbers_without_representation_noise(tmp_path) -> None:
    """Issue 22: a census figure spread over cells and summed back (1,508,868 for 中原区) must not read
    1508867.9999999998; 15 significant digits keep every digit a double holds."""
    import numpy as np

    from zzgeo.io import write_csv

    cells = np.full(7, 1_508_868 / 7)  # spread, then summed back: not exactly the census figure
    total = float(cells.sum())
    assert total != 1_508_868.0
    write_csv(pd.DataFrame({"population": [total], "per_capita_m2": [2.305545373766918], "lon": [113.66543219]}), tmp_path / "t.csv")
    text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()
    assert text[1] == "1508868,2.30554537376692,113.66543219"


def test_a_geopackage_of_points_and_polygons_is_one_layer_per_kind(tmp_path) -> None:
    """QGIS and ArcGIS give a layer one geometry type: mixed parcels become valued_point and valued_polygon,
    every row kept (the row without geometry goes with the larger kind), and the notes say so."""
    import pyogrio
    from shapely.geometry import Point, box

    from zzgeo.io import write_vector

    frame = gpd.GeoDataFrame({"id": ["P1", "P2", "P3", "P4"]},
                             geometry=[Point(113.66, 34.75), box(113.60, 34.70, 113.61, 34.71), Point(113.7, 34.8), None], crs=4326)
    notes: list[str] = []
    out = write_vector(frame, tmp_path / "valued.gpkg", notes=notes)
    assert [tuple(x) for x in pyogrio.list_layers(out)] == [("valued_point", "Point"), ("valued_polygon", "Polygon")]
    assert gpd.read_file(out, layer="valued_point")["id"].tolist() == ["P1", "P3", "P4"]
    assert gpd.read_file(out, layer="valued_polygon")["id"].tolist() == ["P2"]
    assert notes == ["valued.gpkg: a GeoPackage layer holds one kind of geometry in QGIS and ArcGIS; the 4 rows of valued "
                     "are written as the layers valued_point (3), valued_polygon (1)"]
