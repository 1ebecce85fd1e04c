"""Tests of the map builders added for the report: classes, district outlines, GCJ-02 shift, combined maps."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from zzgeo import maps
from zzgeo.maps.assets import find_external_references
from zzgeo.crs import wgs84_to_gcj02
from zzgeo.errors import ParameterError


@pytest.fixture
def ten_squares() -> gpd.GeoDataFrame:
    """Ten 0.01-degree squares in a row near 二七广场 with values 1..10."""
    geoms = [box(113.60 + 0.01 * i, 34.74, 113.61 + 0.01 * i, 34.75) for i in range(10)]
    return gpd.GeoDataFrame({"v": np.arange(1.0, 11.0), "name": [f"s{i}" for i in range(10)]}, geometry=geoms, crs=4326)


def _has(page: str, text: str) -> bool:
    """*text* is in the page as is, or as folium writes it inside JavaScript strings (\\uXXXX escapes)."""
    escaped = json.dumps(text)[1:-1]
    return any(t in page for t in (text, escaped, escaped.replace("<", "\\u003c").replace(">", "\\u003e")))


def _external_loads(page: str) -> list[str]:
    """http(s) or protocol-relative URLs of <script src> and <link href> (what the browser would fetch)."""
    return re.findall(r"<(?:script|link)\b[^>]*?(?:src|href)\s*=\s*['\"]((?:https?:)?//[^'\"]+)", page, re.I)


def test_quantile_classes_are_mapclassify_bins(ten_squares, tmp_path):
    # quantiles of 1..10 with k=2: the median 5.5 and the maximum 10 (numpy linear quantiles, as mapclassify)
    m = maps.choropleth_map(ten_squares, "v", title="t", bins=2, scheme="quantiles", districts=False)
    state = maps.map_state(m)
    assert state.legends[0][1] == [("#ffeda0", "1 \u2013 5.50", "box"), ("#f03b20", "5.50 \u2013 10", "box")]  # YlOrRd, 2 classes
    fills = state.layers[0].frame["__zzgeo_fill"].tolist()
    assert fills == ["#ffeda0"] * 5 + ["#f03b20"] * 5  # 5.5 is an inclusive upper bound: 1..5 low, 6..10 high


def test_few_values_get_one_class_each(ten_squares):
    few = ten_squares.assign(v=[1.0, 1.0, 2.0, 2.0, 2.0, 7.0, 7.0, 7.0, 7.0, 7.0])
    state = maps.map_state(maps.choropleth_map(few, "v", title="t", bins=5, districts=False))
    assert [label for _, label, _ in state.legends[0][1]] == ["1", "2", "7"]


def test_unknown_scheme_and_basemap(ten_squares):
    with pytest.raises(ParameterError, match="scheme"):
        maps.choropleth_map(ten_squares, "v", title="t", scheme="jenks-ish", districts=False)
    with pytest.raises(ParameterError, match="basemap"):
        maps.base_map(title="t", basemap="baidu")


def test_every_map_has_district_outlines_and_names(ten_squares, districts, tmp_path):
    page = maps.save_html(maps.choropleth_map(ten_squares, "v", title="t"), tmp_path / "m.html").read_text(encoding="utf-8")
    for name in districts["name"]:
        assert _has(page, f"<span>{name}</span>")
    assert "zzgeo-label" in page and "行政区界 district boundary" in page and "区县级单元 (12)" in page
    assert _external_loads(page) == []


def test_popups_and_chinese_tooltip_labels(ten_squares, tmp_path):
    m = maps.choropleth_map(ten_squares.assign(population=1000), "v", title="t", tooltip_columns=["name"],
                            popup_columns=["name", "population"], districts=False)
    page = maps.save_html(m, tmp_path / "p.html").read_text(encoding="utf-8")
    assert _has(page, "常住人口 residents (2020 census)")  # data/map_labels.toml
    assert _has(page, "名称 name") and "bindPopup" in page


def test_amap_basemap_shifts_layers_to_gcj02(tmp_path):
    pt = gpd.GeoDataFrame({"label": ["a"]}, geometry=[Point(113.6654, 34.7536)], crs=4326)
    m = maps.base_map(title="t", basemap="amap")
    maps.add_points(m, pt, label_column="label")
    gx, gy = wgs84_to_gcj02(113.6654, 34.7536)
    x, y = maps.map_state(m).layers[0].frame.geometry.iloc[0].coords[0]
    assert (x, y) == pytest.approx((float(gx), float(gy)), abs=1e-9)
    offset_m = np.hypot((x - 113.6654) * 91_500, (y - 34.7536) * 111_000)
    assert 300 < offset_m < 900  # the GCJ-02 offset near Zhengzhou is some hundreds of metres
    page = maps.save_html(m, tmp_path / "a.html").read_text(encoding="utf-8")
    assert _external_loads(page) == []  # scripts and styles inlined; the tiles (online only) are the one URL left to fetch
    assert any("autonavi.com" in u for u in find_external_references(page))
    assert "shifted to GCJ-02" in page
    plain = maps.base_map(title="t")
    maps.add_points(plain, pt)
    assert maps.map_state(plain).layers[0].frame.geometry.iloc[0].coords[0] == pytest.approx((113.6654, 34.7536))


def test_combined_map_switches_groups_and_their_legends(ten_squares, tmp_path):
    a = maps.choropleth_map(ten_squares, "v", title="A", legend_title="value A", districts=False)
    b = maps.choropleth_map(ten_squares, "name", title="B", legend_title="name B", districts=False, demo=True)
    m = maps.combine_maps({"first": a, "second": b}, title="both")
    state = maps.map_state(m)
    assert state.hidden == {"second"}
    assert [t for t, _ in state.legends][:2] == ["first · value A", "second · name B"]
    page = maps.save_html(m, tmp_path / "c.html").read_text(encoding="utf-8")
    assert '<div data-zzgeo-group="second" style="display:none"><b>second · name B</b>' in page
    assert '<div data-zzgeo-group="first"><b>first · value A</b>' in page
    assert "L.control.layers" in page and 'overlayadd overlayremove' in page
    assert "DEMO data in: second" in page  # the banner names the demo part
    assert _external_loads(page) == []


# --- layers showing part of a list --------------------------------------------------------


def _five_points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": [f"p{i}" for i in range(5)]},
                            geometry=[Point(113.60 + 0.01 * i, 34.75) for i in range(5)], crs=4326)


def test_a_cut_point_layer_says_n_of_m_in_legend_and_caption(tmp_path):
    pts = _five_points()
    m = maps.base_map(title="t")
    maps.add_points(m, pts, name="sites", top=3, chosen_by="register order")
    state = maps.map_state(m)
    assert len(state.layers[0].frame) == 3  # the first three rows drawn
    assert state.legends == [("sites", [("#1f4e9c", "3 of 5 shown, chosen by register order", "dot")])]
    assert state.notes == ["sites: 3 of 5 shown, chosen by register order"] == state.subsets
    page = maps.save_html(m, tmp_path / "m.html").read_text(encoding="utf-8")
    assert _has(page, "3 of 5 shown, chosen by register order") and _has(page, "sites: 3 of 5 shown")


def test_a_part_given_with_its_total_and_a_section():
    m = maps.base_map(title="t")
    maps.add_points(m, _five_points().iloc[:2], name="gap cells", total=40, chosen_by="most children", legend_section="gaps")
    assert maps.map_state(m).legends == [("gaps", [("#1f4e9c", "gap cells (2 of 40 shown, chosen by most children)", "dot")])]


def test_a_whole_layer_counts_its_points_and_says_nothing_more():
    m = maps.base_map(title="t")
    maps.add_points(m, _five_points(), name="sites", top=10, chosen_by="unused")  # top above the rows: all drawn
    state = maps.map_state(m)
    assert state.legends == [("sites", [("#1f4e9c", "5 points", "dot")])] and state.notes == [] and state.subsets == []


@pytest.mark.parametrize("kwargs, match", [
    ({"top": 2}, "give chosen_by"),
    ({"total": 9, "chosen_by": " "}, "give chosen_by"),
    ({"total": 3, "chosen_by": "x"}, "fewer than the 5 rows"),
    ({"top": -1, "chosen_by": "x"}, "top=-1"),
])
def test_a_cut_without_its_rule_is_refused(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        maps.add_points(maps.base_map(title="t"), _five_points(), name="sites", **kwargs)


def test_combined_map_and_static_png_keep_the_n_of_m_note(tmp_path, monkeypatch):
    import matplotlib.text

    from zzgeo.maps.static import render_static

    first = maps.base_map(title="a", caption_lines=[f"note {i}" for i in range(9)])
    maps.add_points(first, _five_points(), name="sites", top=2, chosen_by="register order")
    m = maps.combine_maps({"A": first}, title="all")
    state = maps.map_state(m)
    assert "sites: 2 of 5 shown, chosen by register order" in state.subsets
    assert state.notes.index(state.subsets[0]) >= 8  # past the eight notes the PNG shows, yet drawn:
    drawn, original = [], matplotlib.text.Text.set_text
    monkeypatch.setattr(matplotlib.text.Text, "set_text", lambda self, s: (drawn.append(str(s)), original(self, s))[1])
    render_static(state, tmp_path / "m.png", width=400, height=300)
    assert any("sites: 2 of 5 shown, chosen by register order" in t for t in drawn)


# --- a basemap of one's own: a tile URL template -------------------------------------------

TIANDITU = ("https://t0.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default"
            "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=SECRETKEY")
INTRANET = "https://tiles.zz.example.cn/vec/{z}/{x}/{y}.png?tk=SECRETKEY"


def test_a_tile_url_template_is_a_basemap(ten_squares, tmp_path):
    m = maps.choropleth_map(ten_squares, "v", title="天地图", basemap=TIANDITU, districts=False)
    state = maps.map_state(m)
    assert state.basemap.url == TIANDITU and state.crs == "wgs84"  # not shifted
    assert state.layers[0].frame.total_bounds[0] == pytest.approx(113.60)
    assert state.notes == ["basemap: tiles from t0.tianditu.gov.cn (a user's tile URL; taken as WGS-84 / CGCS2000, layers not shifted)"]
    combined = maps.combine_maps({"A": m}, title="合并")  # the combined map gets the same tiles
    assert maps.map_state(combined).basemap.url == TIANDITU


def test_a_page_on_ones_own_tiles_is_offline_but_for_them(ten_squares, tmp_path):
    m = maps.choropleth_map(ten_squares, "v", title="内网底图", basemap=INTRANET, districts=False)
    page = maps.save_html(m, tmp_path / "t.html").read_text(encoding="utf-8")
    assert _has(page, INTRANET) and _has(page, "basemap: tiles from tiles.zz.example.cn")
    assert page.count("SECRETKEY") == page.count("tk=SECRETKEY") == 1  # the key only inside the tile URL, never in a note


@pytest.mark.parametrize("bad, why", [
    ("https://tiles.example.cn/{z}/{x}.png", "it lacks {y}"),
    ("ftp://tiles.example.cn/{z}/{x}/{y}.png", "not an http(s) URL with a host"),
    ("tiles.example.cn/{z}/{x}/{y}.png", "not an http(s) URL with a host"),
    ("https://tiles.example.cn/{z}/{x}/{y}.png?a b", "white space"),
    ("baidu", "use one of none, osm, amap, or a tile URL template"),
])
def test_a_bad_basemap_is_refused_in_one_line(bad, why):
    with pytest.raises(ParameterError, match=re.escape(why)) as caught:
        maps.base_map(title="t", basemap=bad)
    assert "\n" not in str(caught.value) and repr(bad) in str(caught.value)


def test_map_command_takes_a_tile_url_and_refuses_a_bad_one(tmp_path):
    from typer.testing import CliRunner

    from zzgeo.cli import app

    runner = CliRunner()
    out = tmp_path / "lp.html"
    result = runner.invoke(app, ["map", "land-price", "--out", str(out), "--basemap", INTRANET])
    assert result.exit_code == 0, result.output
    assert _has(out.read_text(encoding="utf-8"), INTRANET)
    bad = runner.invoke(app, ["map", "land-price", "--out", str(tmp_path / "x.html"), "--basemap", "https://x.cn/{z}/{x}.png"])
    assert bad.exit_code != 0 and not (tmp_path / "x.html").exists()
    assert "it lacks {y}" in str(bad.exception) + bad.output
