"""Population surfaces: district default, polygons with a population column, GeoTIFF rasters."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, Polygon, box

from zzgeo.crs import METRIC_CRS
from zzgeo.errors import CRSError, SchemaError
from zzgeo.spatial.surface import district_surface, grid_centres, population_from_polygons, population_from_raster, read_population


def town():
    return gpd.GeoDataFrame(
        {"adcode": ["900001", "900002"], "name": ["甲区", "乙区"], "population": [4000, 3000]},
        geometry=[box(470000, 3846000, 472000, 3848000), box(472000, 3846000, 474000, 3848000)],
        crs=METRIC_CRS,
    )


def test_district_population_spread_equally_over_cells():
    surface = district_surface(town(), cell_m=1000)
    assert surface.crs.to_epsg() == 4547
    # each 2 km x 2 km district holds 4 cell centres: 4,000 / 4 = 1,000 and 3,000 / 4 = 750
    assert surface.groupby("adcode")["population"].apply(list).to_dict() == {"900001": [1000.0] * 4, "900002": [750.0] * 4}
    assert sorted(zip(surface.geometry.x[:4], surface.geometry.y[:4], strict=True)) == [
        (470500.0, 3846500.0), (470500.0, 3847500.0), (471500.0, 3846500.0), (471500.0, 3847500.0)]
    assert "uniform" in surface.attrs["method"] and surface.attrs["cell_m"] == 1000


def test_irregular_district_keeps_its_total():
    # a triangle with legs of 3 km holds the centres strictly below the diagonal: 3 of 9 cells
    # are cut through their centre (on the edge, not inside), 3 lie inside -> 900 / 3 = 300 each
    tri = gpd.GeoDataFrame({"adcode": ["1"], "name": ["t"], "population": [900]},
                           geometry=[Polygon([(470000, 3846000), (473000, 3846000), (470000, 3849000)])], crs=METRIC_CRS)
    surface = district_surface(tri, cell_m=1000)
    assert len(surface) == 3
    assert surface["population"].tolist() == [300.0, 300.0, 300.0]
    x, y, owner = grid_centres(tri.geometry, cell_m=1000)
    assert sorted(zip(x, y, strict=True)) == [(470500, 3846500), (470500, 3847500), (471500, 3846500)]
    with pytest.raises(SchemaError, match="cell_m must be a positive number"):
        grid_centres(tri.geometry, cell_m=0)


def test_tiny_polygon_becomes_one_point():
    tiny = gpd.GeoDataFrame({"adcode": ["1"], "name": ["t"], "population": [50]},
                            geometry=[box(470100, 3846100, 470200, 3846200)], crs=METRIC_CRS)
    surface = district_surface(tiny, cell_m=1000)
    assert len(surface) == 1 and surface["population"].iloc[0] == 50


def test_polygons_and_points_with_a_population_column():
    layer = gpd.GeoDataFrame(
        {"人口": [800, 50, 70]},
        geometry=[box(470000, 3846000, 472000, 3848000), Point(472500, 3846500), Point(480000, 3846500)],
        crs=METRIC_CRS,
    ).to_crs(4326)
    surface = population_from_polygons(layer, cell_m=1000, districts=town())
    # 800 over 4 cells = 200 each in 甲区, the point of 50 in 乙区; the point of 70 lies outside
    assert surface.groupby("adcode")["population"].sum().to_dict() == pytest.approx({"900001": 800, "900002": 50})
    assert surface.attrs["outside_population"] == pytest.approx(70)
    assert "'人口'" in surface.attrs["method"]
    with pytest.raises(SchemaError, match=r"lacks required column\(s\) \['population'\]"):
        population_from_polygons(layer.rename(columns={"人口": "foo"}), districts=town())
    bad = layer.copy()
    bad["人口"] = [800, -1, "很多"]
    with pytest.raises(SchemaError, match="2 of 3 row.s. fail validation: row 1: population must not be negative, got -1.0; "
                                          "row 2: population is not a number: '很多'"):
        population_from_polygons(bad, districts=town())
    in_wan = layer.rename(columns={"人口": "人口(万人)"}).assign(**{"人口(万人)": [0.08, 0.005, 0.007]})
    again = population_from_polygons(in_wan, cell_m=1000, districts=town())
    assert again.groupby("adcode")["population"].sum().to_dict() == pytest.approx({"900001": 800, "900002": 50})


def from_origin(west, north, xsize, ysize):
    from affine import Affine

    return Affine(xsize, 0.0, west, 0.0, -ysize, north)


def _write_tif(path, data, *, crs, transform, nodata=-1.0):
    import rasterio

    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1,
                       dtype="float32", crs=crs, transform=transform, nodata=nodata) as dst:
        dst.write(data.astype("float32"), 1)


def test_raster_pixels_become_points_nodata_skipped(tmp_path):
    # 2 x 2 pixels of 1 km over 甲区, top-left at (470000, 3848000); one nodata, one zero
    data = np.array([[10.0, -1.0], [0.0, 25.0]])
    path = tmp_path / "pop.tif"
    _write_tif(path, data, crs="EPSG:4547", transform=from_origin(470000, 3848000, 1000, 1000))
    surface = population_from_raster(path, districts=town(), rows_per_window=1)
    assert sorted(zip(surface.geometry.x, surface.geometry.y, surface["population"], strict=True)) == [
        (470500.0, 3847500.0, 10.0), (471500.0, 3846500.0, 25.0)]
    assert set(surface["adcode"]) == {"900001"}
    assert read_population(path, districts=town())["population"].sum() == 35


def test_raster_in_degrees_is_reprojected(tmp_path):
    centre = gpd.GeoSeries([Point(471000, 3847000)], crs=METRIC_CRS).to_crs(4326).iloc[0]
    path = tmp_path / "pop4326.tif"
    # one pixel of 0.001 degrees centred on the middle of 甲区
    _write_tif(path, np.array([[42.0]]), crs="EPSG:4326",
               transform=from_origin(centre.x - 0.0005, centre.y + 0.0005, 0.001, 0.001))
    surface = population_from_raster(path, districts=town())
    assert surface["population"].tolist() == [42.0]
    assert surface.geometry.x.iloc[0] == pytest.approx(471000, abs=0.01)
    assert surface.geometry.y.iloc[0] == pytest.approx(3847000, abs=0.01)


def test_raster_without_crs_or_overlap(tmp_path):
    path = tmp_path / "nocrs.tif"
    _write_tif(path, np.array([[1.0]]), crs=None, transform=from_origin(0, 1, 1, 1))
    with pytest.raises(CRSError, match="has no CRS"):
        population_from_raster(path, districts=town())
    far = tmp_path / "far.tif"
    _write_tif(far, np.array([[1.0]]), crs="EPSG:4547", transform=from_origin(100000, 100000, 10, 10))
    with pytest.raises(SchemaError, match="does not overlap|no positive values"):
        population_from_raster(far, districts=town())
