"""Nothing executes: names, ids, titles and notes from registers, configs and layers reach map pages and the
report's index.html as text (zzgeo.maps builders, every theme's map, the score map, report._index_html)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from zzgeo import maps

X = "<img src=x onerror=alert(1)>"
RAW = "<img src=x onerror="
ESCAPED = html.escape(X)  # &lt;img src=x onerror=alert(1)&gt;


def _decoded(page: str) -> str:
    """*page* with the \\uXXXX escapes of JavaScript strings undone (folium writes ``<`` as ``\\u003c`` there),
    so a tag hidden in a string that a script puts into innerHTML is found too."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)


def _assert_inert(page: str) -> None:
    text = _decoded(page)
    assert RAW not in text
    assert ESCAPED in text


def _saved(m, tmp_path: Path, name: str) -> str:
    return maps.save_html(m, tmp_path / f"{name}.html").read_text(encoding="utf-8")


@pytest.fixture
def squares() -> gpd.GeoDataFrame:
    geoms = [box(113.60 + 0.01 * i, 34.74, 113.61 + 0.01 * i, 34.75) for i in range(3)]
    return gpd.GeoDataFrame({"v": [1.0, 2.0, 3.0], "name": [X, "b", "c"], X: ["x", X, "y"]}, geometry=geoms, crs=4326)


def test_every_builder_escapes_user_text(squares, tmp_path):
    # values, column names (tooltip/popup labels), labels, layer names, legend titles, captions, title, banner
    m = maps.choropleth_map(squares, "name", title=X, caption_lines=[X], tooltip_columns=["name", X], popup_columns=[X],
                            legend_title=X, labels={"name": X}, districts=False, demo=True, banner_text=X)
    maps.add_points(m, squares.set_geometry(squares.representative_point()), label_column="name", name=X, popup_columns=[X],
                    labels={X: X}, legend_section=X)
    maps.add_outlines(m, squares, name=X, legend_label=X, legend_section=X)
    _assert_inert(_saved(m, tmp_path, "one"))


def test_combined_map_escapes_group_names_and_still_switches_them(squares, tmp_path):
    sub = maps.choropleth_map(squares, "v", title="t", tooltip_columns=["name"], caption_lines=[X], districts=False)
    page = _saved(maps.combine_maps({X: sub, "second": maps.choropleth_map(squares, "v", title="t", districts=False)}, title=X),
                  tmp_path, "combined")
    _assert_inert(page)
    # the layer control names the group by its escaped name; the legend block's attribute decodes to that same name
    assert json.dumps(ESCAPED) in _decoded(page)
    assert f'data-zzgeo-group="{html.escape(ESCAPED)}"' in page


def test_static_png_draws_text_as_written(squares, tmp_path):
    from zzgeo.maps.static import render_static

    m = maps.choropleth_map(squares, "name", title=r"cost $\frac{1}$ per m²", caption_lines=["$5 and $6", X], districts=False)
    path = render_static(maps.map_state(m), tmp_path / "s.png", width=400, height=300)  # mathtext would fail on the title
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- every theme's map, with a malicious name in its register ----------------------------------------------


def test_land_price_map(tmp_path):
    from zzgeo.landprice.maps import grade_map
    from zzgeo.landprice.zones import default_zones

    parcels = gpd.GeoDataFrame({"parcel_id": [X]}, geometry=[Point(113.6654, 34.7536)], crs=4326)
    _assert_inert(_saved(grade_map(default_zones(), parcels=parcels, label_column="parcel_id"), tmp_path, "landprice"))


def test_shelter_coverage_map(tmp_path, districts):
    from zzgeo.shelters.coverage import shelter_coverage
    from zzgeo.shelters.demo import demo_register
    from zzgeo.shelters.maps import coverage_map
    from zzgeo.shelters.register import read_register

    register = demo_register().head(20).copy()
    register.loc[register.index[0], "name"] = X
    result = shelter_coverage(read_register(register, districts=districts, on_error="raise"), districts=districts)
    _assert_inert(_saved(coverage_map(result, districts), tmp_path, "shelters"))


def test_groundwater_zone_map(tmp_path):
    from zzgeo.groundwater.demo import demo_layers
    from zzgeo.groundwater.maps import zone_map
    from zzgeo.groundwater.register import read_pollution_sources, read_rivers, read_sources, read_wells
    from zzgeo.groundwater.screening import screen_sources
    from zzgeo.groundwater.zones import source_zones

    layers = demo_layers()
    wells, sources = layers["wells"].copy(), layers["sources"].copy()
    wells.loc[wells.index[0], "well_id"] = X
    sources.loc[sources.index[0], "name"] = X
    zones = source_zones(read_sources(sources), read_wells(wells), rivers=read_rivers(layers["rivers"]))
    screened = screen_sources(read_pollution_sources(layers["pollution_sources"].assign(name=X)), zones)
    _assert_inert(_saved(zone_map(zones, screened), tmp_path, "groundwater"))


def test_children_maps(tmp_path):
    from zzgeo.children.attainment import target_attainment
    from zzgeo.children.demo import build_demo_facilities
    from zzgeo.children.maps import attainment_map, overview_map
    from zzgeo.children.register import read_facilities

    result = target_attainment(read_facilities(build_demo_facilities().assign(name=X)), year=2022)
    _assert_inert(_saved(overview_map(result), tmp_path, "children"))
    _assert_inert(_saved(attainment_map(result, "street_cf_2022"), tmp_path, "streets"))


def test_score_map_with_html_in_the_indicator_and_its_title(tmp_path, districts):
    from zzgeo.report.scoring import ScoreResult, score_map

    adcodes = districts["adcode"].tolist()
    scores = pd.DataFrame({"district": adcodes, "name": [X] * len(adcodes), "score": range(len(adcodes)),
                           "rank": range(1, len(adcodes) + 1), "indicators_used": 1})
    parts = pd.DataFrame({"district": adcodes, "indicator": X, "contribution": 50.0})
    meta = {"title": X, "config": X, "missing": "reweight", "demo_themes": [X]}
    _assert_inert(_saved(score_map(ScoreResult(scores, parts, meta)), tmp_path, "scores"))


def test_report_index_page():
    from zzgeo.report.bundle import _index_html

    run = SimpleNamespace(title=X, document=X, findings=[X], maps={X: None}, notes=[X], demo=[X])
    export = SimpleNamespace(html=Path(f"maps/shelters_{X}.html"), png=Path(f"maps/shelters_{X}.png"), renderer=X, note=X)
    scores = SimpleNamespace(scores=pd.DataFrame({"rank": [1], "name": [X], "score": [50.0], "indicators_used": [X]}))
    page = _index_html({"shelters": run}, scores, [export], [f"tables/shelters_{X}.csv"], [(X, 1.0)], SimpleNamespace(path=X), X)
    _assert_inert(page)
    assert "href='maps/shelters_%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.html'" in page  # links URL-quoted
