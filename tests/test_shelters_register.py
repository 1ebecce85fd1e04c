"""Shelter registers and candidate sites: column aliases, units, CRSs, validation errors, flags.

``districts`` is the session fixture of conftest.py (the real 12 county-level units).
"""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from zzgeo.crs import METRIC_CRS, wgs84_to_bd09, wgs84_to_gcj02
from zzgeo.errors import CRSError, OutsideAreaError, SchemaError, UnknownCodeError
from zzgeo.shelters.candidates import validate_candidates
from zzgeo.shelters.register import parse_class, parse_columns_option, parse_setting, read_register, validate_register
from zzgeo.shelters.rules import load_rules, load_targets

# Three points in Zhengzhou (WGS-84): 金水区, 二七区, 中原区.
JINSHUI = (113.6800, 34.7900)
ERQI = (113.6400, 34.7250)
ZHONGYUAN = (113.6120, 34.7480)
BEIJING = (116.4000, 39.9000)


def _register(rows, coords, crs="EPSG:4326"):
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=[Point(xy) for xy in coords], crs=crs)


def _good_rows():
    return [
        {"name": "人民公园", "class": "Ⅰ类", "gross_area_m2": 60000, "effective_area_m2": 30000},
        {"name": "碧沙岗广场", "class": "二类", "gross_area_m2": 9000, "effective_area_m2": 5000},
        {"name": "某小学操场", "class": "3", "gross_area_m2": 4000, "effective_area_m2": 2500},
    ]


# ----------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "code"),
    [("I", "I"), ("Ⅰ类", "I"), ("一类", "I"), (1, "I"), (1.0, "I"), ("class II", "II"), ("Ⅱ", "II"),
     ("二级", "II"), ("III", "III"), ("3", "III"), ("三类", "III"), ("IV", None), ("四类", None), (None, None)],
)
def test_parse_class_accepts_roman_arabic_and_chinese(text, code):
    assert parse_class(text) == code


def test_parse_setting_and_columns_option():
    assert [parse_setting(v) for v in ("室内", "室外", "室内外", "Outdoor", None)] == ["indoor", "outdoor", "mixed", "outdoor", ""]
    assert parse_setting("地下") is None
    assert parse_columns_option("场所=name，可用(㎡)=effective_area_m2") == {"场所": "name", "可用(㎡)": "effective_area_m2"}
    assert parse_columns_option('{"a": "name"}') == {"a": "name"}
    with pytest.raises(SchemaError, match="SOURCE=TARGET"):
        parse_columns_option("only-a-name")


# ----------------------------------------------------------------------------- reading


def test_chinese_csv_in_gcj02_with_hectares_is_read_and_converted(tmp_path, districts):
    lon, lat = wgs84_to_gcj02(np.array([JINSHUI[0], ERQI[0]]), np.array([JINSHUI[1], ERQI[1]]))
    frame = pd.DataFrame({
        "名称": ["紫荆山公园", "二七广场"],
        "类别": ["Ⅰ类", "Ⅲ类"],
        "室内/室外": ["室外", "室外"],
        "占地面积(公顷)": [3.0, 0.5],     # 30,000 and 5,000 m²
        "有效面积(㎡)": [21000, 2400],
        "容纳人数": [14000, 1600],
        "区县": ["金水区", "二七区"],
        "经度": lon,
        "纬度": lat,
    })
    path = tmp_path / "register.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    before = path.read_bytes()
    reg = read_register(path, crs="gcj02", districts=districts)
    assert path.read_bytes() == before  # the input is never touched
    assert reg["shelter_class"].tolist() == ["I", "III"]
    assert reg["setting"].tolist() == ["outdoor", "outdoor"]
    assert reg["gross_area_m2"].tolist() == [30000.0, 5000.0]
    assert reg["effective_area_m2"].tolist() == [21000.0, 2400.0]
    assert reg["adcode"].tolist() == ["410105", "410103"]
    assert reg["valid"].all() and (reg["issues"] == "").all()
    # GCJ-02 back to WGS-84 within a millimetre or so (1e-8 degrees)
    assert np.allclose(reg.geometry.x, [JINSHUI[0], ERQI[0]], atol=1e-8)
    assert np.allclose(reg.geometry.y, [JINSHUI[1], ERQI[1]], atol=1e-8)
    assert any("公顷 (hectare) -> m² x 10,000" in note for note in reg.attrs["notes"])


def test_excel_in_bd09_with_a_column_mapping(tmp_path, districts):
    lon, lat = wgs84_to_bd09(np.array([ZHONGYUAN[0]]), np.array([ZHONGYUAN[1]]))
    frame = pd.DataFrame({"场所": ["西流湖公园"], "级": ["II"], "可用": [8000], "总": [12000], "E": lon, "N": lat})
    path = tmp_path / "register.xlsx"
    frame.to_excel(path, index=False)
    mapping = {"场所": "name", "级": "shelter_class", "可用": "effective_area_m2", "总": "gross_area_m2", "E": "lon", "N": "lat"}
    reg = read_register(path, crs="bd09", columns=mapping, districts=districts)
    assert reg.loc[0, "name"] == "西流湖公园"
    assert reg.loc[0, "adcode"] == "410102"
    assert reg.geometry.x.iloc[0] == pytest.approx(ZHONGYUAN[0], abs=1e-8)


def test_csv_without_crs_is_refused(tmp_path, districts):
    path = tmp_path / "r.csv"
    pd.DataFrame({"name": ["a"], "class": ["I"], "effective_area_m2": [30000], "lon": [113.68], "lat": [34.79]}).to_csv(path, index=False)
    with pytest.raises(CRSError, match="carries no CRS"):
        read_register(path, districts=districts)


def test_polygon_register_in_metric_crs_from_geojson(tmp_path, districts):
    centre = gpd.GeoSeries([Point(JINSHUI)], crs=4326).to_crs(METRIC_CRS).iloc[0]
    poly = box(centre.x - 100, centre.y - 100, centre.x + 100, centre.y + 100)
    gdf = gpd.GeoDataFrame({"name": ["广场"], "class": ["II"], "effective_area_m2": [30000.0], "gross_area_m2": [40000.0]},
                           geometry=[poly], crs=METRIC_CRS)
    path = tmp_path / "r.geojson"
    gdf.to_file(path)
    reg = read_register(path, districts=districts)
    assert reg.crs.to_epsg() == 4326
    assert reg.geometry.iloc[0].geom_type == "Polygon"
    assert reg.loc[0, "adcode"] == "410105"


# ----------------------------------------------------------------------------- validation


def test_bad_rows_raise_listing_each_problem(districts):
    rows = [
        *_good_rows(),
        {"name": "负面积", "class": "III", "gross_area_m2": 3000, "effective_area_m2": -5},
        {"name": "无面积", "class": "III", "gross_area_m2": 3000, "effective_area_m2": None},
        {"name": "四类", "class": "IV", "gross_area_m2": 3000, "effective_area_m2": 2500},
        {"name": "有效大于占地", "class": "II", "gross_area_m2": 4000, "effective_area_m2": 4500},
    ]
    coords = [JINSHUI, ERQI, ZHONGYUAN, (113.70, 34.80), (113.71, 34.80), (113.72, 34.80), (113.73, 34.80)]
    with pytest.raises(SchemaError, match=r"4 of 7 row\(s\) fail validation") as info:
        validate_register(_register(rows, coords), districts=districts)
    text = str(info.value)
    assert "effective_area_m2 must be positive, got -5.0" in text
    assert "effective_area_m2 missing" in text
    assert "unknown class 'IV'" in text
    assert "effective_area_m2 4500.0 exceeds gross_area_m2 4000.0" in text
    assert "on_error='flag'" in text


def test_flag_mode_keeps_every_row(districts):
    rows = [*_good_rows(), {"name": "四类", "class": "IV", "gross_area_m2": 3000, "effective_area_m2": 2500}]
    coords = [JINSHUI, ERQI, ZHONGYUAN, (113.70, 34.80)]
    reg = validate_register(_register(rows, coords), districts=districts, on_error="flag")
    assert len(reg) == 4
    assert reg["valid"].tolist() == [True, True, True, False]
    assert reg.loc[3, "issues"].startswith("unknown class 'IV'")
    assert reg.loc[3, "shelter_class"] == "IV"  # the bad value is kept for the planner to see


def test_points_outside_zhengzhou_raise_outside_area(districts):
    with pytest.raises(OutsideAreaError, match=r"location \(116\.40000, 39\.90000\) is outside"):
        validate_register(_register(_good_rows()[:1], [BEIJING]), districts=districts)


def test_duplicates_same_place_or_same_name_nearby(districts):
    here = gpd.GeoSeries([Point(JINSHUI)], crs=4326).to_crs(METRIC_CRS).iloc[0]
    pts = [Point(here.x, here.y), Point(here.x + 3, here.y), Point(here.x + 60, here.y), Point(here.x + 400, here.y)]
    rows = [
        {"name": "A公园", "class": "I", "effective_area_m2": 30000},
        {"name": "B广场", "class": "II", "effective_area_m2": 5000},   # 3 m from A: duplicate whatever the name
        {"name": "A公园", "class": "I", "effective_area_m2": 30000},   # same name, 60 m: duplicate
        {"name": "A公园", "class": "I", "effective_area_m2": 30000},   # same name, 400 m: a different site
    ]
    reg = validate_register(gpd.GeoDataFrame(rows, geometry=pts, crs=METRIC_CRS), districts=districts, on_error="flag")
    assert reg["valid"].tolist() == [True, False, False, True]
    assert reg.loc[1, "issues"] == "duplicate of row 0 ('A公园', 3.0 m apart)"
    assert reg.loc[2, "issues"] == "duplicate of row 0 ('A公园', 60.0 m apart)"


def test_notes_do_not_invalidate(districts):
    rows = [{"name": "小公园", "class": "I", "effective_area_m2": 16000, "gross_area_m2": None, "district": "二七区"}]
    reg = validate_register(_register(rows, [JINSHUI]), districts=districts)
    assert reg["valid"].all()
    notes = reg.loc[0, "notes"]
    assert "class I needs >= 20,000 m² effective area (zhengzhou-2011-defaults), has 16,000" in notes
    assert "gross_area_m2 missing" in notes
    assert "register says district '二七区' but the location is in 金水区 (410105)" in notes
    # inside the 3rd ring road 15,000 m² suffices
    rows[0]["inside_3rd_ring"] = "是"
    reg = validate_register(_register(rows, [JINSHUI]), districts=districts)
    assert "class I needs" not in reg.loc[0, "notes"]


def test_missing_required_column_names_the_aliases(districts):
    frame = _register([{"name": "x", "effective_area_m2": 3000}], [JINSHUI])
    with pytest.raises(SchemaError, match=r"lacks required column\(s\) \['shelter_class'\].*类别"):
        validate_register(frame, districts=districts)


def test_mapping_to_an_unknown_target_or_missing_header(districts):
    frame = _register(_good_rows()[:1], [JINSHUI])
    with pytest.raises(SchemaError, match="not one of"):
        validate_register(frame, columns={"name": "title"}, districts=districts)
    with pytest.raises(SchemaError, match="not a column"):
        validate_register(frame, columns={"场所名称": "name"}, districts=districts)


# ----------------------------------------------------------------------------- rules and candidates


def test_rule_files_and_targets():
    rules = load_rules()
    assert rules.id == "zhengzhou-2011-defaults"
    assert "郑政文〔2011〕244号" in rules.source and rules.status == "secondary"
    assert [rules.classes[c].service_radius_m for c in ("I", "II", "III")] == [5000, 1000, 500]
    assert [rules.classes[c].min_effective_area_m2 for c in ("I", "II", "III")] == [20000, 4000, 2000]
    assert rules.classes["I"].min_effective_area_m2_inside_3rd_ring == 15000
    assert rules.area_per_person_m2 == 1.5
    assert rules.class_for_area(19999) == "II" and rules.class_for_area(1999) is None
    alt = load_rules("gb51143-2015-unverified")
    assert alt.status == "unverified" and alt.classes["I"].area_per_person_m2 == 4.5
    targets = load_targets()
    assert targets.per_capita_m2 == {2025: 2.0, 2029: 3.0}
    assert targets.candidate_min_area_m2 == 2000
    assert targets.document == "郑政文〔2022〕40号"
    with pytest.raises(UnknownCodeError, match="no shelter target for year=2030"):
        targets.for_year(2030)


def test_bad_rule_file(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[rule_set]\nid = "x"\nsource = "y"\n[capacity]\narea_per_person_m2 = 0\n', encoding="utf-8")
    with pytest.raises(SchemaError, match=r"capacity\.area_per_person_m2 = 0: must be greater than 0"):
        load_rules(path)
    with pytest.raises(FileNotFoundError, match="no rule file or packaged rule set"):
        load_rules(tmp_path / "none.toml")


def test_candidates_below_2000_m2_are_rejected_not_dropped(districts):
    rows = [
        {"名称": "体育公园", "类型": "park", "有效利用面积": 25000},
        {"名称": "中学", "类型": "school", "有效利用面积": 1999},
        {"名称": "广场", "类型": "square", "有效利用面积": 4000, "拟建类别": "I"},
        {"名称": "坏", "类型": "green_space", "有效利用面积": -1},
    ]
    frame = gpd.GeoDataFrame(rows, geometry=[Point(JINSHUI), Point(ERQI), Point(ZHONGYUAN), Point(113.70, 34.80)], crs=4326)
    with pytest.raises(SchemaError, match="usable_area_m2 must be positive, got -1.0"):
        validate_candidates(frame, districts=districts)
    cands = validate_candidates(frame, districts=districts, on_error="flag")
    assert len(cands) == 4
    assert cands["eligible"].tolist() == [True, False, True, False]
    assert cands.loc[1, "reject_reason"] == "usable area below 2,000 m² (郑政文〔2022〕40号 五、(一) 严格建设标准)"
    # class from area: 25,000 m² -> I; 4,000 m² cannot be the proposed class I -> II, with a note
    assert cands.loc[0, "shelter_class"] == "I"
    assert cands.loc[2, "shelter_class"] == "II" and "proposed class I needs 20,000 m²" in cands.loc[2, "notes"]
    assert cands["cost"].tolist() == [1.0, 1.0, 1.0, 1.0]


def test_validation_does_not_mutate_the_input(districts):
    frame = _register(_good_rows(), [JINSHUI, ERQI, ZHONGYUAN])
    copy = frame.copy()
    validate_register(frame, districts=districts)
    pd.testing.assert_frame_equal(pd.DataFrame(frame.drop(columns="geometry")), pd.DataFrame(copy.drop(columns="geometry")))
    assert shapely.equals(np.asarray(frame.geometry.values), np.asarray(copy.geometry.values)).all()


@pytest.mark.postgis
@pytest.mark.skipif(not os.environ.get("ZZGEO_TEST_PG_DSN"), reason="ZZGEO_TEST_PG_DSN not set")
def test_register_from_postgis_in_gcj02(districts):
    import uuid

    sqlalchemy = pytest.importorskip("sqlalchemy")
    dsn = os.environ["ZZGEO_TEST_PG_DSN"]
    name = f"shelters_{uuid.uuid4().hex[:8]}"
    lon, lat = wgs84_to_gcj02(np.array([JINSHUI[0], ERQI[0]]), np.array([JINSHUI[1], ERQI[1]]))
    frame = gpd.GeoDataFrame(
        {"名称": ["紫荆山公园", "二七广场"], "等级": ["一类", "三类"], "可用面积": [21000.0, 2400.0]},
        geometry=shapely.points(np.column_stack([lon, lat])), crs="EPSG:4326",
    ).rename_geometry("geom")
    engine = sqlalchemy.create_engine(dsn)
    frame.to_postgis(name, engine, schema="public")
    try:
        reg = read_register(dsn, layer=f"public.{name}", crs="gcj02", districts=districts)
    finally:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(f'DROP TABLE IF EXISTS public."{name}"'))
        engine.dispose()
    assert reg["shelter_class"].tolist() == ["I", "III"]
    assert reg["adcode"].tolist() == ["410105", "410103"]
    assert np.allclose(reg.geometry.x, [JINSHUI[0], ERQI[0]], atol=1e-8)
