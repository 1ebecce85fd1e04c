"""Registers that disagree with the map (issue 21 part 4): zzgeo.registers.checks.location_check.

Hand-built units are two squares of 1 km in EPSG:4547 (metres) sharing the edge x = 501,000 m
(about 114.01°E, 34.7°N, inside Zhengzhou, so the points also pass the loader's own location check):

    甲区 (410001)  x 500,000..501,000      乙区 (410002)  x 501,000..502,000      y 3,840,000..3,841,000

Distances worked by hand: a point at x = 500,963 is 1,000 - 963 = 37 m from the shared edge and
500 m from every other edge of 甲区; the centre of a square (x = 500,500) is 500 m from each edge.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from zzgeo.errors import ParameterError, SchemaError
from zzgeo.registers import (
    default_boundary_m,
    district_name_check,
    location_check,
    location_counts,
    location_summary,
    validate_register,
)

SCHEMA = "shelters/register.toml"
Y0 = 3_840_000


def _squares(code: str = "adcode", name: str = "name") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({code: ["410001", "410002"], name: ["甲区", "乙区"]},
                            geometry=[box(500_000, Y0, 501_000, Y0 + 1000), box(501_000, Y0, 502_000, Y0 + 1000)],
                            crs="EPSG:4547")


def _register(points: list[tuple[float, float]], district: list[str], **extra) -> gpd.GeoDataFrame:
    n = len(points)
    return gpd.GeoDataFrame({"编号": [f"S{i + 1}" for i in range(n)], "名称": [f"场所{i + 1}" for i in range(n)],
                             "类别": ["III"] * n, "有效面积": [3000.0] * n, "区县": district, **extra},
                            geometry=[Point(x, y) for x, y in points], crs="EPSG:4547")


def _checked(register, *, checks=None, **options) -> gpd.GeoDataFrame:
    return validate_register(register, SCHEMA, districts=_squares(), on_error="flag",
                             checks=[district_name_check("district")] if checks is None else checks, **options)


# ----------------------------------------------------------------------------- disagreement


def test_a_row_naming_the_other_district_is_counted_by_location_and_flagged():
    checked = _checked(_register([(501_500, Y0 + 500)], ["甲区"]))
    row = checked.iloc[0]
    assert (row["adcode"], row["district_name"]) == ("410002", "乙区")  # counted where it lies
    assert bool(row["valid"]) and row["issues"] == ""
    assert row["location_check"] == "district disagrees"
    assert row["notes"] == "register says district '甲区' but the location is in 乙区 (410002)"
    assert np.isnan(row["boundary_distance_m"])  # 500 m from every edge of 乙区


@pytest.mark.parametrize("given", ["乙区", "乙", "410002", 410002, 410002.0, "", None, "乙区政府旁"])
def test_the_district_is_matched_by_name_stem_or_code_as_before(given):
    checked = _checked(_register([(501_500, Y0 + 500)], [given]))
    assert checked.loc[0, "location_check"] == "" and checked.loc[0, "notes"] == ""


@pytest.mark.parametrize("given", ["甲区", "甲", "410001", "中原区"])
def test_another_district_disagrees(given):
    assert _checked(_register([(501_500, Y0 + 500)], [given])).loc[0, "location_check"] == "district disagrees"


def test_real_districts_stems_and_codes_still_match():
    # the packaged districts: 410105 is 金水区, 管城 the stem of 管城回族区 (二七广场), 中原 for a point in 二七区 disagrees
    frame = pd.DataFrame({"名称": ["甲", "乙", "丙"], "类别": ["III"] * 3, "有效面积": [3000] * 3,
                          "区县": ["410105", "管城", "中原"], "lon": [113.7302, 113.6654, 113.5826], "lat": [34.8117, 34.7536, 34.6850]})
    checked = validate_register(frame, SCHEMA, crs="wgs84", checks=[district_name_check("district", boundary_m=0)])
    assert checked["location_check"].tolist() == ["", "", "district disagrees"]
    assert checked.loc[2, "notes"] == "register says district '中原' but the location is in 二七区 (410103)"


# ----------------------------------------------------------------------------- near a boundary


def test_a_point_37_m_from_the_shared_edge_is_flagged_with_its_distance_and_neighbour():
    checked = _checked(_register([(500_963, Y0 + 500)], [""]))
    row = checked.iloc[0]
    assert row["district_name"] == "甲区"
    assert row["location_check"] == "near district boundary"
    assert row["boundary_distance_m"] == pytest.approx(37.0, abs=0.01)
    assert row["notes"] == "near a boundary (37 m from 甲区/乙区), check the coordinates"


def test_a_point_500_m_from_every_edge_is_not_flagged():
    checked = _checked(_register([(500_500, Y0 + 500)], [""]))
    assert checked.loc[0, "location_check"] == "" and checked.loc[0, "notes"] == ""
    assert np.isnan(checked.loc[0, "boundary_distance_m"])


def test_near_the_outer_edge_there_is_no_neighbour_to_name():
    # 20 m inside the west edge of 甲区 (x = 500,000), 480 m from the shared edge: no other unit within 100 m
    checked = _checked(_register([(500_020, Y0 + 500)], [""]))
    assert checked.loc[0, "notes"] == "near a boundary (20 m from the edge of 甲区), check the coordinates"


def test_disagreeing_and_near_at_once():
    checked = _checked(_register([(500_963, Y0 + 500)], ["乙区"]))
    assert checked.loc[0, "location_check"] == "district disagrees; near district boundary"
    assert checked.loc[0, "notes"] == ("register says district '乙区' but the location is in 甲区 (410001); "
                                       "near a boundary (37 m from 甲区/乙区), check the coordinates")


def test_the_threshold_is_settable_on_the_check_and_on_the_loader():
    register = _register([(500_963, Y0 + 500), (500_700, Y0 + 500)], ["", ""])  # 37 m and 300 m from the shared edge
    assert default_boundary_m() == 100.0
    assert _checked(register)["location_check"].tolist() == ["near district boundary", ""]
    assert _checked(register, checks=[district_name_check("district", boundary_m=30)])["location_check"].tolist() == ["", ""]
    assert _checked(register, boundary_m=400)["location_check"].tolist() == ["near district boundary"] * 2
    assert _checked(register, boundary_m=0)["location_check"].tolist() == ["", ""]  # 0 turns the flag off
    checked = _checked(register, boundary_m=400)
    assert checked["boundary_distance_m"].round(3).tolist() == [37.0, 300.0]
    assert checked.attrs["location_check"] == {"units": ["district"], "boundary_m": 400.0}
    with pytest.raises(ParameterError, match="boundary_m = -1"):
        _checked(register, boundary_m=-1)


def test_polygon_rows_get_no_proximity_flag_but_are_compared():
    # a polygon straddling the shared edge: its representative point decides the district; no "near" flag
    register = gpd.GeoDataFrame({"名称": ["广场"], "类别": ["III"], "有效面积": [3000.0], "区县": ["丙区"]},
                                geometry=[box(500_900, Y0 + 400, 501_200, Y0 + 600)], crs="EPSG:4547")
    checked = _checked(register)
    assert checked.loc[0, "location_check"] == "district disagrees"
    assert np.isnan(checked.loc[0, "boundary_distance_m"])


def test_rows_without_a_location_are_left_alone():
    register = _register([(500_963, Y0 + 500), (600_000, Y0 + 500)], ["乙区", "乙区"])  # the second lies outside both squares
    checked = _checked(register)
    assert checked["location_check"].tolist() == ["district disagrees; near district boundary", ""]
    assert not checked.loc[1, "valid"]


def test_vectorised_on_many_points():
    rng = np.random.default_rng(0)
    x = rng.uniform(500_000, 502_000, 20_000)
    register = _register(list(zip(x, np.full(len(x), Y0 + 500.0), strict=True)), [""] * len(x))
    checked = _checked(register)
    # 20 m from the south/north edges is never reached at y = 500: only the west, shared and east edges count
    edge = np.minimum.reduce([x - 500_000, np.abs(x - 501_000), 502_000 - x])
    near = edge <= 100
    assert (checked["location_check"] == "near district boundary").to_numpy().tolist() == near.tolist()
    assert checked["boundary_distance_m"].to_numpy()[near] == pytest.approx(edge[near], abs=0.01)


# ----------------------------------------------------------------------------- any units (街道)


def _streets() -> gpd.GeoDataFrame:
    return _squares("unit_code", "unit_name").assign(unit_name=["经八路街道", "须水镇"], unit_code=["410105001", "410102100"])


def test_units_with_unit_name_and_unit_code_and_the_register_streets_column():
    register = _register([(500_500, Y0 + 500), (501_500, Y0 + 500), (501_500, Y0 + 300), (500_990, Y0 + 500)],
                         ["", "", "", ""], 街道=["经八路", "经八路街道", "410102100", "须水"])
    checked = _checked(register, checks=[location_check("街道", units=_streets(), what="街道")])
    assert checked["location_check"].tolist() == ["", "街道 disagrees", "", "街道 disagrees; near 街道 boundary"]
    assert checked.loc[1, "notes"] == "register says 街道 '经八路街道' but the location is in 须水镇 (410102100)"
    assert checked.loc[3, "notes"].endswith("near a boundary (10 m from 经八路街道/须水镇), check the coordinates")
    assert checked.attrs["location_check"]["units"] == ["街道"]


def test_units_through_the_loader_find_the_streets_column_and_run_beside_the_districts():
    register = _register([(500_990, Y0 + 500)], ["乙区"], 所属街道=["须水"])
    checked = _checked(register, units=_streets())
    assert checked.loc[0, "location_check"] == ("district disagrees; near district boundary; "
                                                "unit disagrees; near unit boundary")
    assert checked.attrs["location_check"]["units"] == ["district", "unit"]
    counts = location_counts(checked)
    assert (counts["disagree"], counts["near_boundary"]) == (1, 1)  # rows, not flags


def test_units_need_a_name_column():
    with pytest.raises(SchemaError, match="units: no name column"):
        _checked(_register([(500_500, Y0 + 500)], [""]), checks=[location_check(None, units=_squares("code", "label"))])


# ----------------------------------------------------------------------------- counts


def test_counts_and_the_summary_line():
    register = _register([(501_500, Y0 + 500), (501_500, Y0 + 600), (500_963, Y0 + 500), (500_500, Y0 + 500), (600_000, Y0)],
                         ["甲区", "甲", "", "", "甲区"])
    checked = _checked(register)
    counts = location_counts(checked)
    assert counts == {"disagree": 2, "near_boundary": 1, "boundary_m": 100.0, "units": ["district"]}  # the row outside is left out
    assert location_summary(counts) == ("2 row(s) name a district other than the one their coordinates fall in (counted by location); "
                                        "1 point(s) lie within 100 m of a district boundary (check the coordinates)")
    assert location_counts(validate_register(register, SCHEMA, districts=_squares(), on_error="flag")) is None  # no check ran


def test_the_run_report_carries_the_counts_once_per_register(tmp_path):
    from zzgeo._cli import Outcome
    from zzgeo.theme_run import register_notes

    checked = _checked(_register([(501_500, Y0 + 500), (500_963, Y0 + 500)], ["甲区", ""]))
    outcome = Outcome(tmp_path / "out.csv")
    outcome.register(checked, input_name="r.csv")
    line = ("r.csv: 1 row(s) name a district other than the one their coordinates fall in (counted by location); "
            "1 point(s) lie within 100 m of a district boundary (check the coordinates)")
    assert line in outcome.all_notes()
    assert outcome.location_totals() == {"disagree": 1, "near_boundary": 1, "boundary_m": 100.0,
                                         "inputs": [{"input": "r.csv", "disagree": 1, "near_boundary": 1, "boundary_m": 100.0,
                                                     "units": ["district"]}]}
    outcome.write(pd.DataFrame({"a": [1]}))
    notes = pd.read_csv(tmp_path / "out.notes.csv")
    assert line in notes["note"].tolist()
    _, lines = register_notes({"r.csv": checked})
    assert line in lines


# ----------------------------------------------------------------------------- the command line


def _near_real_boundary() -> tuple[float, float, str]:
    """A point about 37 m inside 金水区 from its boundary with 管城回族区 (lon, lat), found on the packaged districts."""
    import shapely

    from zzgeo.layers import default_districts

    d = default_districts().to_crs("EPSG:4547").set_index("name")
    a, b = d.geometry["金水区"], d.geometry["管城回族区"]
    shared = shapely.intersection(a.boundary, b.boundary)
    mid = shared.interpolate(0.5, normalized=True)
    for angle in np.linspace(0, 2 * np.pi, 16, endpoint=False):
        p = Point(mid.x + 37 * np.cos(angle), mid.y + 37 * np.sin(angle))
        if a.contains(p) and 30 < a.boundary.distance(p) < 45:
            lon, lat = gpd.GeoSeries([p], crs="EPSG:4547").to_crs(4326).iloc[0].coords[0]
            return lon, lat, f"{a.boundary.distance(p):.0f}"
    raise AssertionError("no point 30-45 m inside 金水区 next to the middle of its edge with 管城回族区")


def test_shelters_coverage_json_and_console_carry_the_counts(tmp_path, capsys):
    from zzgeo._cli import run
    from zzgeo.cli import app

    lon, lat, metres = _near_real_boundary()
    path = tmp_path / "shelters.csv"
    pd.DataFrame({"编号": ["S1", "S2", "S3"], "名称": ["公园甲", "广场乙", "公园丙"], "类别": ["II", "III", "III"],
                  "有效面积": [12000, 3500, 3000], "区县": ["二七区", "二七", "金水"],
                  "经度": [113.7302, 113.5826, lon], "纬度": [34.8117, 34.6850, lat]}).to_csv(path, index=False)
    args = ["shelters", "coverage", "--register", str(path), "--crs", "wgs84", "--cell-m", "2000"]
    assert run(app, [*args, "--json"]) == 0, capsys.readouterr().err
    data = json.loads(capsys.readouterr().out)
    checks = data["location_checks"]
    assert (checks["disagree"], checks["near_boundary"], checks["boundary_m"]) == (1, 1, 100.0)
    line = (f"{path}: 1 row(s) name a district other than the one their coordinates fall in (counted by location); "
            "1 point(s) lie within 100 m of a district boundary (check the coordinates)")
    assert line in data["notes"]
    notes = {r["id"]: r["note"] for r in data["row_notes"]}
    assert notes["S1"] == "register says district '二七区' but the location is in 金水区 (410105)"
    assert notes["S3"] == f"near a boundary ({metres} m from 金水区/管城回族区), check the coordinates"
    assert run(app, args) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert f"note: {line}" in err
