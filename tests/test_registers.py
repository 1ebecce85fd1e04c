"""The common register loader: every format, header mapping, units, vocabularies, flag vs raise.

Most tests use the shelter schema (data/shelters/register.toml); the types the shelter
schema lacks (integer, date, unique ids) use a small schema written in the test.
"""

from __future__ import annotations

import hashlib
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from zzgeo.errors import EmptyInputError, OutsideAreaError, SchemaError
from zzgeo.registers import load_register, load_schema, map_columns, rejected_rows, usable_rows, validate_register

SHELTERS = "shelters/register.toml"
JINSHUI = (113.6800, 34.7900)
ERQI = (113.6400, 34.7250)


def _frame(rows, coords):
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=[Point(xy) for xy in coords], crs=4326)


def _chinese_table(n: int = 2) -> pd.DataFrame:
    return pd.DataFrame({
        "名称": ["紫荆山公园", "二七广场"][:n],
        "类别": ["Ⅰ类", "三类"][:n],
        "占地面积(公顷)": [3.0, 0.5][:n],
        "有效面积(㎡)": ["21,000", "2400"][:n],
        "经度": [JINSHUI[0], ERQI[0]][:n],
        "纬度": [JINSHUI[1], ERQI[1]][:n],
    })


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ----------------------------------------------------------------------------- formats


def test_excel_with_chinese_headers(tmp_path, districts):
    path = tmp_path / "台账.xlsx"
    _chinese_table().to_excel(path, index=False)
    before = _sha(path)
    reg = load_register(path, SHELTERS, crs="wgs84", districts=districts)
    assert _sha(path) == before
    assert reg["shelter_class"].tolist() == ["I", "III"]
    # 3.0 ha = 30,000 m²; "21,000" (text with a thousands separator) = 21,000 m²
    assert reg["gross_area_m2"].tolist() == [30000.0, 5000.0]
    assert reg["effective_area_m2"].tolist() == [21000.0, 2400.0]
    assert reg["adcode"].tolist() == ["410105", "410103"]
    assert reg.attrs["schema"] == "shelters.register"
    assert any("'占地面积(公顷)' read in 公顷 (hectare) -> m² x 10,000 (gross_area_m2)" in n for n in reg.attrs["notes"])


def test_gbk_csv_saved_by_chinese_excel(tmp_path, districts):
    path = tmp_path / "register.csv"
    _chinese_table().to_csv(path, index=False, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really GBK, not UTF-8
    reg = load_register(path, SHELTERS, crs="wgs84", districts=districts)
    assert reg["name"].tolist() == ["紫荆山公园", "二七广场"]


def test_gb18030_and_utf8_bom(tmp_path, districts):
    for encoding in ("gb18030", "utf-8-sig"):
        path = tmp_path / f"r-{encoding}.csv"
        _chinese_table().to_csv(path, index=False, encoding=encoding)
        assert load_register(path, SHELTERS, crs="wgs84", districts=districts)["name"].iloc[0] == "紫荆山公园"


@pytest.mark.parametrize("with_cpg", [True, False])
def test_shapefile_with_and_without_cpg(tmp_path, districts, with_cpg):
    gdf = _frame([{"名称": "紫荆山公园", "类别": "一类", "有效面积": 21000.0}], [JINSHUI])
    path = tmp_path / "shelters.shp"
    gdf.to_file(path, encoding="gbk")
    cpg = path.with_suffix(".cpg")
    if with_cpg:
        cpg.write_text("GBK")
    elif cpg.exists():
        cpg.unlink()
    reg = load_register(path, SHELTERS, districts=districts)
    assert reg["name"].iloc[0] == "紫荆山公园"  # decoded as GBK either way, never mojibake
    assert reg["shelter_class"].iloc[0] == "I"


@pytest.mark.parametrize("suffix", [".gpkg", ".fgb", ".geojson"])
def test_vector_formats(tmp_path, districts, suffix):
    gdf = _frame([{"name": "a", "class": "II", "effective_area_m2": 5000}], [JINSHUI]).to_crs("EPSG:4547")
    path = tmp_path / f"r{suffix}"
    gdf.to_file(path)
    reg = load_register(path, SHELTERS, districts=districts)
    assert reg.crs.to_epsg() == 4326
    assert reg.geometry.x.iloc[0] == pytest.approx(JINSHUI[0], abs=1e-9)


def test_geojson_without_crs_member_says_which_crs_was_assumed(tmp_path, districts):
    path = tmp_path / "r.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "a", "class": "I", '
        f'"effective_area_m2": 30000}}, "geometry": {{"type": "Point", "coordinates": [{JINSHUI[0]}, {JINSHUI[1]}]}}}}]}}',
        encoding="utf-8",
    )
    reg = load_register(path, SHELTERS, districts=districts)
    assert any("declares no CRS; read as WGS-84" in n and "--crs gcj02" in n for n in reg.attrs["notes"])
    shifted = load_register(path, SHELTERS, crs="gcj02", districts=districts)
    assert any("read as gcj02 as given" in n for n in shifted.attrs["notes"])
    assert shifted.geometry.x.iloc[0] != pytest.approx(JINSHUI[0], abs=1e-4)  # moved by the GCJ-02 offset


# ----------------------------------------------------------------------------- empty inputs


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", r"is empty \(0 bytes\)"),
        ("empty.xlsx", b"", r"is empty \(0 bytes\)"),
        ("empty.geojson", b"", r"is empty \(0 bytes\)"),
        ("header.csv", "名称,类别,有效面积,lon,lat\n".encode(), "has no rows"),
        ("nofeatures.geojson", b'{"type": "FeatureCollection", "features": []}', "holds no features"),
        ("blank.csv", b"\n\n", "holds no table"),
    ],
)
def test_empty_inputs_are_one_line_errors(tmp_path, districts, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(EmptyInputError, match=message) as info:
        load_register(path, SHELTERS, crs="wgs84", districts=districts)
    assert "\n" not in str(info.value) and name in str(info.value)


def test_not_a_workbook_and_several_layers(tmp_path, districts):
    path = tmp_path / "fake.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(SchemaError, match="cannot read .*fake.xlsx.* as an Excel workbook"):
        load_register(path, SHELTERS, crs="wgs84", districts=districts)
    gpkg = tmp_path / "two.gpkg"
    gdf = _frame([{"name": "a", "class": "I", "effective_area_m2": 30000}], [JINSHUI])
    gdf.to_file(gpkg, layer="a")
    gdf.to_file(gpkg, layer="b")
    with pytest.raises(SchemaError, match=r"holds 2 layers \['a', 'b'\]; choose one with layer= / --layer"):
        load_register(gpkg, SHELTERS, districts=districts)
    assert len(load_register(gpkg, SHELTERS, layer="b", districts=districts)) == 1


# ----------------------------------------------------------------------------- flag and raise


def _bad_register():
    rows = [
        {"name": "好", "class": "I", "effective_area_m2": 30000},
        {"name": "文字面积", "class": "II", "effective_area_m2": "很多"},
        {"name": "负面积", "class": "III", "effective_area_m2": -5},
        {"name": "四类", "class": "IV", "effective_area_m2": 2500},
    ]
    return _frame(rows, [JINSHUI, ERQI, (113.70, 34.80), (113.71, 34.80)])


def test_raise_names_every_bad_row_in_one_line(districts):
    with pytest.raises(SchemaError) as info:
        validate_register(_bad_register(), SHELTERS, districts=districts)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith("register: 3 of 4 row(s) fail validation: ")
    assert "row 1 ('文字面积'): effective_area_m2 is not a number: '很多'" in text
    assert "row 2 ('负面积'): effective_area_m2 must be positive, got -5.0" in text
    assert "row 3 ('四类'): unknown class 'IV'" in text
    assert "np." not in text


def test_flag_keeps_every_row_with_its_problems(districts):
    reg = validate_register(_bad_register(), SHELTERS, districts=districts, on_error="flag")
    assert reg["valid"].tolist() == [True, False, False, False]
    assert reg["issues"].tolist()[1:] == [
        "effective_area_m2 is not a number: '很多'",
        "effective_area_m2 must be positive, got -5.0",
        "unknown class 'IV' (use I/II/III, Ⅰ/Ⅱ/Ⅲ, 1/2/3 or 一类/二类/三类)",
    ]
    assert reg.loc[3, "shelter_class"] == "IV"  # the word as written, for the planner
    valid, left_out = usable_rows(reg)
    assert left_out == 3 and valid["name"].tolist() == ["好"]
    rejected = rejected_rows(reg, id_column="shelter_id", name_column="name")
    assert [r["row"] for r in rejected] == ["row 1", "row 2", "row 3"]  # a frame: its index labels
    assert rejected[0]["name"] == "文字面积" and "很多" in rejected[0]["reason"]


def test_many_bad_rows_are_counted_not_all_listed(districts):
    rows = [{"name": f"s{i}", "class": "I", "effective_area_m2": -1} for i in range(9)]
    coords = [(113.60 + 0.01 * i, 34.75) for i in range(9)]
    with pytest.raises(SchemaError, match=r"9 of 9 row\(s\) fail validation: .*; \.\.\. and 4 more\. Fix them"):
        validate_register(_frame(rows, coords), SHELTERS, districts=districts)


def test_csv_rows_are_named_by_line(tmp_path, districts):
    path = tmp_path / "r.csv"
    path.write_text("name,class,effective_area_m2,lon,lat\na,I,30000,113.68,34.79\nb,I,-3,113.64,34.725\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"line 3 \('b'\): effective_area_m2 must be positive, got -3\.0"):
        load_register(path, SHELTERS, crs="wgs84", districts=districts)


def test_hundred_thousand_rows_one_bad(tmp_path, districts):
    n = 100_000
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "名称": [f"场所{i}" for i in range(n)],
        "类别": rng.choice(["一类", "Ⅱ类", "3"], n),
        "有效面积": rng.uniform(2000, 30000, n).round(1).astype(object),
        "lon": rng.uniform(113.60, 113.72, n),
        "lat": rng.uniform(34.72, 34.80, n),
    })
    frame.loc[54321, "有效面积"] = "n/a"
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=4326)
    schema_no_dups = load_schema(SHELTERS)
    with pytest.raises(SchemaError, match=r"1 of 100000 row\(s\) fail validation: row 54321 \('场所54321'\): effective_area_m2 is not a number: 'n/a'"):
        validate_register(gdf, schema_no_dups, districts=districts)
    flagged = validate_register(gdf, schema_no_dups, districts=districts, on_error="flag")
    assert len(flagged) == n and int((~flagged["valid"]).sum()) == 1
    assert not flagged.loc[54321, "valid"]


# ----------------------------------------------------------------------------- headers, units, vocabularies


def test_header_units_and_nfkc():
    frame = pd.DataFrame({"有效面积（亩）": [3.0], "占地面积(万平方米)": ["0.5"], "ＣＬＡＳＳ": ["Ⅱ"], "名称": ["x"]})
    mapped, notes = map_columns(frame, SHELTERS)
    assert mapped["effective_area_m2"].iloc[0] == pytest.approx(2000.0)  # 3 亩 x 10000/15
    assert mapped["gross_area_m2"].iloc[0] == pytest.approx(5000.0)
    assert "shelter_class" in mapped.columns  # full-width ＣＬＡＳＳ
    assert len(notes) == 2
    vocab = load_schema(SHELTERS).vocabularies["shelter_class"]
    assert [vocab.parse(v) for v in ("Ⅱ", "二类", "class 2", 2.0, "ＩＩ", "IV", None)] == ["II", "II", "II", "II", "II", None, None]


def test_mapping_errors():
    frame = pd.DataFrame({"a": [1], "名称": ["x"], "name": ["y"]})
    with pytest.raises(SchemaError, match="not one of"):
        map_columns(frame, SHELTERS, {"a": "nonsense"})
    with pytest.raises(SchemaError, match="not a column"):
        map_columns(frame, SHELTERS, {"b": "name"})
    with pytest.raises(SchemaError, match=r"would all become 'name'"):
        map_columns(frame, SHELTERS)


def test_types_of_a_small_schema(tmp_path, districts):
    path = tmp_path / "schema.toml"
    path.write_text(
        '[register]\nid = "test.wells"\ngeometry = ["point"]\nid_column = "well_id"\n'
        '[columns.well_id]\ntype = "text"\nunique = true\nrequired = true\n'
        '[columns.depth_m]\nheaders = ["井深", "depth"]\ntype = "number"\nquantity = "length"\nge = 0\nle = 2000\n'
        '[columns.pumps]\ntype = "integer"\nge = 0\n'
        '[columns.screened]\ntype = "bool"\n'
        '[columns.checked_on]\ntype = "date"\n',
        encoding="utf-8",
    )
    frame = _frame(
        [
            {"well_id": "W1", "depth (km)": 0.12, "pumps": 2, "screened": "是", "checked_on": "2023年5月1日"},
            {"well_id": "W1", "depth (km)": 3.0, "pumps": 1.5, "screened": "maybe", "checked_on": "2023-13-01"},
        ],
        [JINSHUI, ERQI],
    )
    reg = validate_register(frame, path, districts=districts, on_error="flag")
    assert reg.loc[0, "valid"]
    assert reg.loc[0, "depth_m"] == pytest.approx(120.0)  # km -> m
    assert reg.loc[0, "screened"] is True
    assert reg.loc[0, "checked_on"] == pd.Timestamp(2023, 5, 1)
    issues = reg.loc[1, "issues"]
    for part in ("pumps must be a whole number, got 1.5", "screened is not yes/no", "checked_on is not a date",
                 "depth_m must be <= 2000 m, got 3000.0", "well_id 'W1' repeats row 0"):
        assert part in issues


def test_outside_zhengzhou_only_is_an_outside_area_error(districts):
    frame = _frame([{"name": "a", "class": "I", "effective_area_m2": 30000}], [(116.4, 39.9)])
    with pytest.raises(OutsideAreaError, match=r"location \(116\.40000, 39\.90000\) is outside"):
        validate_register(frame, SHELTERS, districts=districts)


def test_schema_describes_itself():
    rows = {r["column"]: r for r in load_schema(SHELTERS).describe()}
    assert rows["effective_area_m2"]["unit"] == "m²" and rows["effective_area_m2"]["range"] == "> 0 <= 7.6e+09"
    assert rows["effective_area_m2"]["plausible"] == ">= 100 <= 3e+06" and "20,000 m²" in rows["effective_area_m2"]["plausible_why"]
    assert rows["shelter_class"]["values"] == ["I", "II", "III"]


def test_a_column_no_schema_column_matches_is_named_not_silently_dropped():
    from zzgeo.registers import map_columns

    # 联系人: a column of the office's own; its values are not read, and a note says so. Coordinates, zzgeo's demo
    # mark and empty columns need no word. (A mistyped header, 容纳人致 for 容纳人数, is an error: see
    # test_a_near_miss_header_is_an_error_in_every_register.)
    frame = pd.DataFrame({"名称": ["公园甲"], "类别": ["Ⅱ类"], "有效面积": [12000.0], "联系人": ["王"], "经度": [113.73],
                          "纬度": [34.81], "demo": [False], "空列": [None], "Unnamed: 9": ["x"]})
    _, notes = map_columns(frame, "shelters/register.toml", name="typo.csv")
    assert notes == ["typo.csv: column(s) ['联系人'] match no column of the 应急避难场所台账 (shelter register) and are not "
                     "read; if one is a column zzgeo knows under another header, map it with --columns 'header=column'"]


# ----------------------------------------------------------------------------- plausible ranges by category


def test_places_have_a_plausible_range_per_facility_type():
    # the same 2,562 places: normal for a new school (建标〔2002〕102号 sizes, upper end 5,000), not for a childcare
    # centre (up to 300) nor an inclusive kindergarten (up to 1,000)
    frame = pd.DataFrame({"名称": ["甲", "乙", "丙", "丁"], "类型": ["托育机构", "新建中小学", "普惠性幼儿园", "儿童友好学校"],
                          "托位数": [2562, 2562, 2562, 4000], "lon": [113.66, 113.67, 113.68, 113.69], "lat": [34.76] * 4})
    notes = validate_register(frame, "children/facilities.toml", crs="wgs84")["notes"].tolist()
    assert notes[0].startswith("places 2,562 is outside the plausible range 1..300 of type 'childcare': ")
    assert notes[1] == "" and notes[3] == ""
    assert notes[2].startswith("places 2,562 is outside the plausible range 1..1,000 of type 'kindergarten_inclusive': ")
    places = load_schema("children/facilities.toml").columns["places"]
    assert {v: c.plausible for c in places.plausible_cases for v in c.values}["school_new"] == (1.0, 5000.0)


def test_the_demo_facility_register_gives_no_false_places_note_for_schools():
    from zzgeo.children.demo import demo_facilities

    demo = demo_facilities()
    checked = validate_register(demo, "children/facilities.toml", on_error="flag", name="demo")
    schools = checked["type"] == "school_new"
    # the demo draws 900-2,700 places per new school: most lie above the old single range's 1,000 (109 notes in the review)
    assert (checked.loc[schools, "places"] > 1000).sum() > 50
    assert not checked["notes"].str.contains("places", regex=False).any()


def test_plausible_cases_must_name_a_category_column_and_its_values(tmp_path):
    head = '[register]\nid = "t"\ngeometry = []\n[columns.kind]\ntype = "category"\nvocabulary = "kind"\n'
    vocab = '[vocabularies.kind.terms]\na = ["甲"]\n'
    case = '[columns.n]\ntype = "number"\nplausible_by = "{by}"\n[[columns.n.plausible_cases]]\nvalues = ["{value}"]\nplausible = [1, 2]\n'
    for by, value, must in (("nosuch", "a", "is not a category column"), ("kind", "b", "['b'], which are not values of 'kind'")):
        path = tmp_path / f"{by}{value}.toml"
        path.write_text(head + case.format(by=by, value=value) + vocab, encoding="utf-8")
        with pytest.raises(SchemaError, match=re.escape(must)):
            load_schema(path)
