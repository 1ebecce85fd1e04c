"""Tests of zzgeo.landprice.zones: validation of grade-zone layers, grade assignment, demo zones."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon, box

from zzgeo.errors import (
    CRSError,
    GeometryError,
    NoSuchGradeError,
    SchemaError,
    UnknownCodeError,
)
from zzgeo.landprice.demo import build_demo_zones
from zzgeo.landprice.zones import (
    assign_grades,
    default_zones,
    load_grade_zones,
    validate_grade_zones,
)

CC = "collective_construction"
METRIC = "EPSG:4547"


@pytest.fixture
def two_squares(origin_4547) -> gpd.GeoDataFrame:
    x0, y0 = origin_4547
    return gpd.GeoDataFrame(
        {"table": [CC, CC], "use": ["commercial", "commercial"], "grade": [1, 2]},
        geometry=[box(x0 - 1000, y0 - 500, x0, y0 + 500), box(x0, y0 - 500, x0 + 1000, y0 + 500)],
        crs=METRIC,
    )


# --- validation ------------------------------------------------------------------------------------


def test_validate_returns_clean_wgs84_copy(two_squares) -> None:
    before = two_squares.copy()
    out = validate_grade_zones(two_squares)
    assert out.crs == "EPSG:4326"
    assert out["grade"].tolist() == [1, 2]
    assert str(out["grade"].dtype) == "int64"
    # area survives the round trip to WGS-84 and back: 1 km² each
    assert out.to_crs(METRIC).area.tolist() == pytest.approx([1e6, 1e6], rel=1e-6)
    assert two_squares.crs == METRIC and two_squares.equals(before)


def test_chinese_columns_and_grade_names(two_squares) -> None:
    zh = two_squares.rename(columns={"table": "表", "use": "用途", "grade": "级别"})
    zh["级别"] = ["一级", "二级"]
    out = validate_grade_zones(zh)
    assert out["grade"].tolist() == [1, 2]
    assert out["use"].tolist() == ["commercial", "commercial"]


def test_missing_column(two_squares) -> None:
    with pytest.raises(SchemaError, match=r"lacks required column\(s\) \['grade'\]"):
        validate_grade_zones(two_squares.drop(columns="grade"))


def test_unknown_table_use_grade(two_squares) -> None:
    with pytest.raises(UnknownCodeError, match="row 0: unknown land price table 'urban'"):
        validate_grade_zones(two_squares.assign(table="urban"))
    with pytest.raises(UnknownCodeError, match="row 0: unknown use 'office'"):
        validate_grade_zones(two_squares.assign(use="office"))
    with pytest.raises(UnknownCodeError, match="row 1: unknown grade '7' \\(use 1..6"):
        validate_grade_zones(two_squares.assign(grade=[1, 7]))


def test_dash_grade_zone_is_rejected(two_squares) -> None:
    # 工业用地 has no grade 5 (the table prints —)
    with pytest.raises(NoSuchGradeError, match=r"collective_construction/industrial has no grade 5"):
        validate_grade_zones(two_squares.assign(use="industrial", grade=[4, 5]))


def test_overlap_is_rejected(origin_4547, two_squares) -> None:
    x0, y0 = origin_4547
    # shift the east square 100 m west: 100 m x 1000 m = 100,000 m² of overlap
    moved = two_squares.copy()
    moved.loc[1, "geometry"] = box(x0 - 100, y0 - 500, x0 + 900, y0 + 500)
    with pytest.raises(SchemaError, match=r"zones of collective_construction/commercial overlap by 100000 m²"):
        validate_grade_zones(moved)


def test_bad_geometries(origin_4547, two_squares) -> None:
    x0, y0 = origin_4547
    bowtie = two_squares.copy()
    bowtie.loc[1, "geometry"] = Polygon([(x0, y0), (x0 + 500, y0 + 500), (x0 + 500, y0), (x0, y0 + 500)])
    with pytest.raises(GeometryError, match=r"row 1: invalid geometry \(Self-intersection"):
        validate_grade_zones(bowtie)
    pts = two_squares.copy()
    pts.loc[1, "geometry"] = Point(x0, y0)
    with pytest.raises(GeometryError, match=r"row 1: geometry 'Point' is not a polygon"):
        validate_grade_zones(pts)
    empty = two_squares.copy()
    empty.loc[0, "geometry"] = Polygon()
    with pytest.raises(GeometryError, match=r"row 0: missing geometry"):
        validate_grade_zones(empty)


def test_no_crs(two_squares) -> None:
    with pytest.raises(CRSError, match="no coordinate reference system"):
        validate_grade_zones(two_squares.set_crs(None, allow_override=True))


def test_load_grade_zones_from_file(tmp_path, two_squares) -> None:
    path = tmp_path / "zones.gpkg"
    two_squares.to_file(path, driver="GPKG")
    out = load_grade_zones(path)
    assert out["grade"].tolist() == [1, 2]
    assert not out["demo"].any()


# --- grade assignment ------------------------------------------------------------------------------


def test_assign_grades_points_and_polygons(origin_4547, square_zones) -> None:
    x0, y0 = origin_4547
    parcels = gpd.GeoSeries(
        [
            Point(x0 - 300, y0),  # grade 1
            Point(x0 + 300, y0),  # grade 2
            box(x0 - 100, y0 - 100, x0 + 100, y0 + 100),  # half and half
            box(x0 + 900, y0 - 50, x0 + 1100, y0 + 50),  # half in grade 2, half outside the map
            Point(x0 + 5000, y0),  # outside the map: no row
        ],
        index=["a", "b", "c", "d", "e"],
        crs=METRIC,
    ).to_crs("EPSG:4326")
    w = assign_grades(parcels, square_zones, table=CC, use="commercial")
    got = {(p, g): wt for p, g, wt in w.itertuples(index=False)}
    assert set(got) == {("a", 1), ("b", 2), ("c", 1), ("c", 2), ("d", 2)}
    assert got["a", 1] == 1.0 and got["b", 2] == 1.0
    assert got["c", 1] == pytest.approx(0.5, abs=1e-6)
    assert got["c", 2] == pytest.approx(0.5, abs=1e-6)
    assert got["d", 2] == pytest.approx(0.5, abs=1e-6)


def test_assign_grades_falls_back_to_all_use_zones(origin_4547, square_zones) -> None:
    # no zones are specific to industrial: the table-wide zones (use "") apply
    x0, y0 = origin_4547
    parcels = gpd.GeoSeries([Point(x0 + 300, y0)], crs=METRIC).to_crs("EPSG:4326")
    w = assign_grades(parcels, square_zones, table=CC, use="industrial")
    assert w["grade"].tolist() == [2]


# --- the demo layer --------------------------------------------------------------------------------


def test_demo_zones_cover_every_printed_grade_once(districts) -> None:
    zones = build_demo_zones()
    # one zone per printed grade: 附件1 6+6+4+4 = 20; 附件2 4+3+3+4 = 14; 附件3 4+3+3+4 = 14; total 48
    counts = zones.groupby(["table", "use"]).size()
    assert counts[CC].to_dict() == {"commercial": 6, "homestead": 6, "industrial": 4, "public": 4}
    assert counts["collective_agricultural"].to_dict() == {"cultivated": 4, "facility": 4, "forest": 3, "garden": 3}
    assert counts["state_agricultural"].to_dict() == {"cultivated": 4, "facility": 4, "forest": 3, "garden": 3}
    assert len(zones) == 48 and zones["demo"].all()
    # they are a valid grade map (no overlaps, no dash grades) ...
    validate_grade_zones(zones)
    # ... that tiles the six urban districts (their area is ~1,090.6 km²)
    urban = districts[districts["adcode"].isin(["410102", "410103", "410104", "410105", "410106", "410108"])]
    urban_km2 = urban.to_crs(METRIC).area.sum() / 1e6
    commercial_km2 = zones[zones["use"] == "commercial"].to_crs(METRIC).area.sum() / 1e6
    assert urban_km2 == pytest.approx(1090.6, abs=1.0)
    assert commercial_km2 == pytest.approx(urban_km2, rel=1e-4)
    # deterministic: the same file gives the same zones
    again = build_demo_zones()
    assert again.geometry.geom_equals_exact(zones.geometry, tolerance=0).all()


def test_default_zones_come_from_the_store() -> None:
    zones = default_zones()
    assert len(zones) == 48
    assert zones["demo"].astype(bool).all()
    assert (zones["use"] != "").all()
