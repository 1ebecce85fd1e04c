"""Units written in register headers (zzgeo.registers.quantities): read with pint, checked, converted exactly.

The factors below are worked by hand from the definitions (1 亩 = 10000/15 m², 1 a = 365.25 d,
1 L = 0.001 m³, 1 t of water = 1 m³), not taken from the code under test.
"""

from __future__ import annotations

import math
from fractions import Fraction as F

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from zzgeo.errors import SchemaError
from zzgeo.registers import load_register, map_columns, validate_register
from zzgeo.registers.quantities import header_splits, read_unit, split_header

SHELTERS = "shelters/register.toml"

# (unit as written, quantity, exact factor to the canonical unit)
UNITS = [
    # area -> m²
    ("公顷", "area", F(10000)), ("ha", "area", F(10000)), ("hm²", "area", F(10000)), ("hm2", "area", F(10000)),
    ("平方公里", "area", F(10**6)), ("平方千米", "area", F(10**6)), ("km²", "area", F(10**6)), ("km2", "area", F(10**6)),
    ("万平方米", "area", F(10**4)), ("千平方米", "area", F(1000)), ("平方米", "area", F(1)), ("平米", "area", F(1)),
    ("㎡", "area", F(1)), ("m²", "area", F(1)), ("m2", "area", F(1)), ("亩", "area", F(10000, 15)),
    ("万亩", "area", F(10**8, 15)), ("mu", "area", F(10000, 15)), ("万㎡", "area", F(10**4)), ("单位：公顷", "area", F(10000)),
    # flow -> m³/d
    ("m³/d", "flow", F(1)), ("万m³/d", "flow", F(10**4)), ("万m3/d", "flow", F(10**4)), ("立方米/日", "flow", F(1)),
    ("立方米每日", "flow", F(1)), ("万立方米/日", "flow", F(10**4)), ("万吨/日", "flow", F(10**4)), ("吨/日", "flow", F(1)),
    ("t/d", "flow", F(1)), ("m³/h", "flow", F(24)), ("立方米/小时", "flow", F(24)), ("L/s", "flow", F(864, 10)),
    ("l/s", "flow", F(864, 10)), ("升/秒", "flow", F(864, 10)), ("m³/a", "flow", F(1) / F(36525, 100)),
    ("万m³/a", "flow", F(10**4) / F(36525, 100)), ("万方/年", "flow", F(10**4) / F(36525, 100)), ("m³/s", "flow", F(86400)),
    # hydraulic conductivity -> m/d
    ("m/d", "conductivity", F(1)), ("cm/d", "conductivity", F(1, 100)), ("cm/s", "conductivity", F(864)),
    ("m/h", "conductivity", F(24)), ("mm/s", "conductivity", F(864, 10)), ("m/s", "conductivity", F(86400)),
    ("米/天", "conductivity", F(1)), ("厘米/秒", "conductivity", F(864)),
    # price -> 元/m²
    ("元/m²", "price", F(1)), ("元/平方米", "price", F(1)), ("元/亩", "price", F(15, 10000)), ("万元/亩", "price", F(15)),
    ("元/公顷", "price", F(1, 10000)), ("万元/公顷", "price", F(1)),
    # money -> 元
    ("元", "money", F(1)), ("万元", "money", F(10**4)), ("亿元", "money", F(10**8)), ("千元", "money", F(1000)),
    ("万", "money", F(10**4)),
    # ratio
    ("%", "ratio", F(1, 100)), ("％", "ratio", F(1, 100)), ("‰", "ratio", F(1, 1000)), ("百分比", "ratio", F(1, 100)),
    # count, length, years
    ("人", "count", F(1)), ("万人", "count", F(10**4)), ("个", "count", F(1)), ("处", "count", F(1)),
    ("m", "length", F(1)), ("米", "length", F(1)), ("km", "length", F(1000)), ("公里", "length", F(1000)),
    ("千米", "length", F(1000)), ("cm", "length", F(1, 100)), ("年", "years", F(1)), ("a", "years", F(1)),
    ("°", "angle", F(1)), ("度", "angle", F(1)),
]


@pytest.mark.parametrize(("unit", "quantity", "factor"), UNITS, ids=[f"{q}:{u}" for u, q, _ in UNITS])
def test_unit_factors(unit, quantity, factor):
    assert len(UNITS) >= 50
    conversion = read_unit(unit, quantity)
    assert conversion.fraction == factor, (unit, conversion.fraction, factor)


def test_radians_convert_to_degrees():
    assert read_unit("rad", "angle").factor == pytest.approx(180 / math.pi, rel=1e-15)


@pytest.mark.parametrize(("unit", "quantity", "words"), [
    ("m³", "area", "measures a volume, not area"),
    ("kg", "area", "measures a mass, not area"),
    ("xyz", "area", "is not a unit zzgeo can read"),
    ("m/d", "flow", "measures a speed or conductivity, not flow"),
    ("m³/d", "conductivity", "measures a flow, not conductivity"),
    ("m", "ratio", "measures a length, not ratio"),
    ("%", "angle", "is not a unit of angle"),
    ("万元", "area", "measures money, not area"),
    ("月", "calendar_year", "takes its values as written"),
    ("万年", "calendar_year", "takes its values as written"),
])
def test_wrong_units_are_errors(unit, quantity, words):
    with pytest.raises(SchemaError, match=words):
        read_unit(unit, quantity)


@pytest.mark.parametrize(("header", "stem", "unit"), [
    ("有效面积（hm²）", "有效面积", "hm²"), ("占地面积(公顷)", "占地面积", "公顷"), ("有效面积[平方米]", "有效面积", "平方米"),
    ("有效面积【万平方米】", "有效面积", "万平方米"), ("有效面积(㎡)(必填)", "有效面积", "㎡"), ("名称", "名称", None),
    ("面积(单位：亩)", "面积", "亩"), ("有效面积 (ha)", "有效面积", "ha"),
])
def test_split_header(header, stem, unit):
    assert split_header(header) == (stem, unit)


def test_two_units_in_one_header():
    with pytest.raises(SchemaError, match="gives two units"):
        split_header("面积(公顷)(亩)")


def test_suffix_units_are_candidates():
    assert ("area", "mu") in header_splits("area_mu")
    assert ("面积", "亩") in header_splits("面积亩")


def _register(headers: dict[str, list], n: int = 2) -> gpd.GeoDataFrame:
    frame = {"名称": [f"s{i}" for i in range(n)], "类别": ["II"] * n, **headers}
    return gpd.GeoDataFrame(frame, geometry=[Point(113.60 + 0.01 * i, 34.78) for i in range(n)], crs=4326)


@pytest.mark.parametrize(("header", "values", "m2"), [
    ("有效面积(hm²)", [3, 0.5], [30000.0, 5000.0]),
    ("有效面积(公顷)", [3, 0.5], [30000.0, 5000.0]),
    ("有效面积（亩）", [3, 1.5], [2000.0, 1000.0]),
    ("有效面积(万亩)", [0.0003, 0.00015], [2000.0, 1000.0]),
    ("有效面积(千平方米)", [30, 5], [30000.0, 5000.0]),
    ("有效面积(万平方米)", [3, 0.5], [30000.0, 5000.0]),
    ("有效面积(平方公里)", [0.03, 0.005], [30000.0, 5000.0]),
    ("effective_area_ha", [3, 0.5], [30000.0, 5000.0]),
    ("有效面积m²", [30000, 5000], [30000.0, 5000.0]),
])
def test_register_headers_convert(districts, header, values, m2):
    reg = validate_register(_register({header: values}), SHELTERS, districts=districts)
    assert reg["effective_area_m2"].tolist() == pytest.approx(m2, rel=1e-12)
    if m2[0] != values[0]:
        assert any(repr(header) in note and "-> m²" in note for note in reg.attrs["notes"])


@pytest.mark.parametrize(("header", "words"), [
    ("有效面积(m³)", "header '有效面积(m³)': 'm³' measures a volume, not area"),
    ("有效面积(公斤)", "header '有效面积(公斤)': '公斤' is not a unit zzgeo can read"),
    ("有效面积(元)", "measures money, not area"),
])
def test_bad_header_units_name_the_header(districts, header, words):
    with pytest.raises(SchemaError, match=words.replace("(", r"\(").replace(")", r"\)")):
        validate_register(_register({header: [3, 4]}), SHELTERS, districts=districts)


def test_text_cells_survive_conversion_to_be_named(districts):
    reg = validate_register(_register({"有效面积(公顷)": [3, "很多"]}), SHELTERS, districts=districts, on_error="flag")
    assert reg["effective_area_m2"].iloc[0] == 30000.0
    assert reg["issues"].iloc[1] == "effective_area_m2 is not a number: '很多'"


def test_a_header_that_is_only_a_unit(districts):
    frame = gpd.GeoDataFrame({"parcel_id": ["A"], "用途": ["商服"], "亩": [3.0]}, geometry=[Point(113.6654, 34.7536)], crs=4326)
    mapped, notes = map_columns(frame, "landprice/parcels.toml")
    assert mapped["area_m2"].iloc[0] == 2000.0 and notes


def test_text_column_brackets_are_not_units(districts):
    reg = validate_register(_register({"有效面积": [3000, 4000], "名称(全称)": ["甲", "乙"]}).drop(columns="名称"), SHELTERS,
                            districts=districts)
    assert reg["name"].tolist() == ["甲", "乙"]


@pytest.mark.parametrize(("cell", "hint"), [("30,5", "a decimal comma"), ("2.5公顷", "write the unit in the header"), ("inf", "")])
def test_cells_that_are_not_numbers(districts, cell, hint):
    reg = validate_register(_register({"有效面积": [3000, cell]}), SHELTERS, districts=districts, on_error="flag")
    assert reg["issues"].iloc[1].startswith(f"effective_area_m2 is not a number: {cell!r}") and hint in reg["issues"].iloc[1]
    assert validate_register(_register({"有效面积": ["1,234", "12,345.5"]}), SHELTERS,
                             districts=districts)["effective_area_m2"].tolist() == [1234.0, 12345.5]


# unit as written -> (exact factor, a step that makes value x factor exact in binary floating point)
_EXACT = {"公顷": (10000, 0.25), "万平方米": (10000, 0.25), "千平方米": (1000, 0.5), "平方公里": (10**6, 0.0625),
          "亩": (F(2000, 3), 1.5), "万亩": (F(2 * 10**7, 3), 3 / 1024), "㎡": (1, 1.0)}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(_EXACT)), st.integers(min_value=1, max_value=4000)), min_size=1, max_size=6))
def test_unit_headers_equal_the_register_converted_by_hand(districts, rows):
    unit = rows[0][0]
    factor, step = _EXACT[unit]
    written = [k * step for _, k in rows]
    by_hand = [float(F(k) * F(step) * F(factor)) for _, k in rows]  # exact, then rounded once
    n = len(rows)
    converted = validate_register(_register({f"有效面积({unit})": written}, n), SHELTERS, districts=districts, on_error="flag")
    plain = validate_register(_register({"有效面积": by_hand}, n), SHELTERS, districts=districts, on_error="flag")
    assert converted["effective_area_m2"].tolist() == by_hand
    pd.testing.assert_frame_equal(converted.drop(columns=["notes", "issues", "valid"]), plain.drop(columns=["notes", "issues", "valid"]))
    assert converted["issues"].tolist() == plain["issues"].tolist()


def test_coverage_is_the_same_with_unit_headers(districts, tmp_path):
    from zzgeo.shelters.coverage import shelter_coverage
    from zzgeo.spatial.surface import district_surface

    lon = [113.68, 113.64, 113.62]
    lat = [34.79, 34.725, 34.76]
    hand = pd.DataFrame({"名称": ["甲", "乙", "丙"], "类别": ["I", "II", "III"], "有效面积": [30000.0, 5000.0, 2000.0],
                         "lon": lon, "lat": lat})
    units = hand.drop(columns="有效面积").assign(**{"有效面积(亩)": [45.0, 7.5, 3.0]})
    hand.to_csv(tmp_path / "hand.csv", index=False)
    units.to_csv(tmp_path / "units.csv", index=False)
    demand = district_surface(districts, cell_m=3000)
    results = []
    for name in ("hand.csv", "units.csv"):
        register = load_register(tmp_path / name, SHELTERS, crs="wgs84", districts=districts)
        results.append(shelter_coverage(register, demand, year=2025, districts=districts).table)
    pd.testing.assert_frame_equal(results[0], results[1])
    assert results[0]["effective_area_m2"].iloc[-1] == 37000.0  # the city-wide row: 45 + 7.5 + 3 亩 = 37,000 m²


def _schemas():
    from zzgeo._data import data_path
    from zzgeo.registers import load_schema

    for path in sorted(data_path("").rglob("*.toml")):
        text = path.read_text(encoding="utf-8")
        if text.lstrip().startswith("#") and "\n[register]" in text or text.startswith("[register]"):
            yield str(path.relative_to(data_path(""))), load_schema(str(path.relative_to(data_path(""))))


def test_every_numeric_column_has_a_quantity_a_hard_and_a_plausible_range_with_reasons():
    schemas = dict(_schemas())
    assert len(schemas) >= 14, sorted(schemas)
    for name, schema in schemas.items():
        for column, spec in schema.columns.items():
            if spec.type not in ("number", "integer"):
                continue
            where = f"{name}: {column}"
            assert spec.quantity, where
            ops = dict(spec.ranges())
            assert ("le" in ops or "lt" in ops) and ("ge" in ops or "gt" in ops), where
            assert spec.why, where
            assert spec.plausible != (None, None), where


def test_every_numeric_option_has_limits():
    import typer

    from zzgeo._cli import numeric_parameters
    from zzgeo.cli import app
    from zzgeo.limits import limits

    seen = set()

    def walk(t: typer.Typer) -> None:
        infos = [*t.registered_commands, *([t.registered_callback] if t.registered_callback else [])]
        for info in infos:
            fn = getattr(info.callback, "__wrapped__", info.callback)
            if fn is not None:
                seen.update(numeric_parameters(fn))
        for group in t.registered_groups:
            walk(group.typer_instance)

    walk(app)
    assert {"cell_m", "detour", "width", "height", "reduction_rate", "term_years", "plot_ratio", "monthly_growth",
            "development_adj", "as_of", "year", "partitions"} <= seen
    assert seen <= set(limits()), seen - set(limits())
    for limit in limits().values():
        assert limit.bounds and limit.why, limit.name


def test_translated_limit_texts_are_texts_of_the_limits_file():
    # a text marked for translation that drifted from data/limits.toml would leave the message in English
    from zzgeo._data import load_toml
    from zzgeo.limits import TRANSLATED_TEXTS

    texts = {str(spec.get(key, "")) for spec in load_toml("limits.toml").values() if isinstance(spec, dict)
             for key in ("what", "why", "plausible_why")}
    assert set(TRANSLATED_TEXTS) <= texts, set(TRANSLATED_TEXTS) - texts
