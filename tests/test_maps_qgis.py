"""QGIS styles in the report's GeoPackages (zzgeo.maps.qgis, zzgeo.report.qgis_layers): one default QML style per
layer in ``layer_styles`` as QGIS makes the table, the classes and colours of the web map, district results as polygons."""

from __future__ import annotations

import sqlite3
import warnings
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from shapely.geometry import Point, box

from zzgeo.errors import ParameterError, StoreError
from zzgeo.maps import choropleth_map, map_state
from zzgeo.maps.classes import class_bounds
from zzgeo.maps.qgis import (
    LAYER_STYLES_COLUMNS,
    Style,
    StyleClass,
    choropleth_style,
    read_styles,
    single_style,
    style_qml,
    write_styles,
)

#: ColorBrewer YlOrRd, 7 classes (the builders' sequential palette); RdYlBu 5 and Blues (theme constants, from colorbrewer2.org)
YLORRD7 = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026")
#: What each layer of the default report is drawn with: (file, layer) -> renderer type, symbol type.
EXPECTED = {
    # parcels given as points and as polygons: a layer per kind (zzgeo.io.gpkg_layers), both drawn as the web map's dots
    ("tables/land-price.gpkg", "valuation_point"): ("singleSymbol", "marker"),
    ("tables/land-price.gpkg", "valuation_polygon"): ("singleSymbol", "fill"),
    ("tables/shelters.gpkg", "siting_plan"): ("singleSymbol", "marker"),
    ("tables/shelters.gpkg", "coverage_by_district"): ("graduatedSymbol", "fill"),
    ("tables/shelters.gpkg", "siting_by_district"): ("graduatedSymbol", "fill"),
    ("tables/groundwater.gpkg", "zones"): ("categorizedSymbol", "fill"),
    ("tables/groundwater.gpkg", "screening_list"): ("singleSymbol", "marker"),
    ("tables/children.gpkg", "access_gaps"): ("singleSymbol", "fill"),  # cells, drawn as dots inside them
    ("tables/children.gpkg", "attainment_by_district"): ("categorizedSymbol", "fill"),
    ("scorecard.gpkg", "scorecard"): ("graduatedSymbol", "fill"),
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The default theme runs and scores; their tables written as the report writes them, then the QGIS layers and styles."""
    from zzgeo.report import bundle, district_scores, load_score_config
    from zzgeo.report.qgis_layers import write_report_styles
    from zzgeo.report.runs import run_themes

    runs = run_themes()
    scores = district_scores(load_score_config(None), runs=runs)
    folder = tmp_path_factory.mktemp("qgis") / "report"
    bundle._write_tables(runs, folder)
    done = write_report_styles(folder, runs, scores)
    return {"folder": folder, "runs": runs, "scores": scores, "done": done}


def _qml(folder, gpkg: str, layer: str) -> ET.Element:
    rows = [r for r in read_styles(folder / gpkg) if r["f_table_name"] == layer and r["useAsDefault"]]
    assert len(rows) == 1, (gpkg, layer, rows)
    return ET.fromstring(rows[0]["styleQML"])


def _hex(rgba: str) -> str:
    r, g, b, _ = (int(x) for x in rgba.split(","))
    return f"#{r:02x}{g:02x}{b:02x}"


def _colours(root: ET.Element) -> list[str]:
    """Fill (or marker) colour of each symbol, in symbol order."""
    symbols = sorted(root.find("renderer-v2/symbols"), key=lambda s: int(s.get("name")))
    return [_hex(next(p.get("v") for p in s.iter("prop") if p.get("k") == "color")) for s in symbols]


def _ranges(root: ET.Element) -> list[tuple[float, float, str]]:
    return [(float(r.get("lower")), float(r.get("upper")), r.get("label")) for r in root.iter("range")]


# --- every layer of every GeoPackage -----------------------------------------------------


def test_every_layer_of_every_geopackage_has_one_default_style(report):
    folder = report["folder"]
    found = {}
    for path in sorted([*folder.glob("tables/*.gpkg"), folder / "scorecard.gpkg"]):
        layers = {name for name, geom in pyogrio.list_layers(path) if geom is not None}
        assert ("layer_styles", None) in {(n, g) for n, g in pyogrio.list_layers(path)}  # GDAL (and so QGIS) lists the table
        rows = read_styles(path)
        defaults = [r["f_table_name"] for r in rows if r["useAsDefault"] == 1]
        assert sorted(defaults) == sorted(layers), path.name
        with sqlite3.connect(path) as con:
            geometry = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
            columns = [c[1] for c in con.execute("PRAGMA table_info(layer_styles)")]
            kind = con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone()
        assert tuple(columns) == LAYER_STYLES_COLUMNS
        assert kind == ("attributes",)
        for r in rows:
            assert (r["f_table_catalog"], r["f_table_schema"], r["styleName"]) == ("", "", r["f_table_name"])
            assert r["f_geometry_column"] == geometry[r["f_table_name"]]
            assert r["update_time"]
        found.update({(str(path.relative_to(folder)), layer): path for layer in layers})
    assert set(found) == set(EXPECTED)
    assert report["done"].files == ["scorecard.gpkg"]
    assert report["done"].notes == []  # no layer mixes kinds any more, so none is styled for only some of its features


def test_gdal_reads_layer_styles_as_qgis_wrote_it(report):
    frame = pyogrio.read_dataframe(report["folder"] / "tables/shelters.gpkg", layer="layer_styles")
    assert frame["useAsDefault"].dtype == bool and frame["useAsDefault"].all()
    assert sorted(frame["f_table_name"]) == ["coverage_by_district", "siting_by_district", "siting_plan"]


@pytest.mark.parametrize(("gpkg", "layer"), sorted(EXPECTED), ids=[f"{g}:{n}" for g, n in sorted(EXPECTED)])
def test_qml_is_a_qgis_document_with_the_expected_renderer(report, gpkg, layer):
    rows = [r for r in read_styles(report["folder"] / gpkg) if r["f_table_name"] == layer]
    text = rows[0]["styleQML"]
    assert text.startswith("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>")
    root = ET.fromstring(text)
    renderer, symbol = EXPECTED[(gpkg, layer)]
    assert root.tag == "qgis"
    assert root.find("renderer-v2").get("type") == renderer
    assert {s.get("type") for s in root.find("renderer-v2/symbols")} == {symbol}
    assert root.find("layerGeometryType").text == {"marker": "0", "fill": "2"}[symbol]


# --- the classes and colours of the web map ----------------------------------------------


#: The per-capita targets of 郑政文〔2022〕40号: 2 m²/person by 2025, 3 by 2029; the shelter maps make them class breaks.
TARGETS_M2 = (2.0, 3.0)


#: Graduated layers: the column, the map's scheme, the breaks it includes, the decimals it rounds to, and the map.
GRADUATED = [
    ("tables/shelters.gpkg", "coverage_by_district", "per_capita_m2", "fisher_jenks", TARGETS_M2, 2, ("shelters", "coverage")),
    ("tables/shelters.gpkg", "siting_by_district", "per_capita_after_m2", "quantiles", TARGETS_M2, 2, ("shelters", "siting_2029")),
    ("scorecard.gpkg", "scorecard", "score", "quantiles", (), 1, None),
]


@pytest.mark.parametrize(("gpkg", "layer", "column", "scheme", "include", "digits", "map_of"), GRADUATED)
def test_graduated_classes_are_the_web_maps(report, gpkg, layer, column, scheme, include, digits, map_of):
    folder = report["folder"]
    raw = pyogrio.read_dataframe(folder / gpkg, layer=layer)[column].to_numpy(dtype=float)
    assert len(raw) == 12  # the 12 county-level districts of the layer store, joined on adcode
    assert not np.array_equal(raw, raw.round(digits))  # the layer keeps full precision ...
    values = raw.round(digits)  # ... and is classed rounded, as the map rounds it
    inside = [t for t in include if values.min() < t <= values.max()]  # a target inside the range takes one of the 5 classes
    with warnings.catch_warnings():  # ties make fewer classes (mapclassify warns); the map shows the fewer classes too
        warnings.simplefilter("ignore", UserWarning)
        expected = np.unique(class_bounds(values, scheme, 5 - len(inside), include=inside))  # computed here on their own
    for target in inside:  # a district at the target is in the class above it: the bound is the float just below
        assert np.nextafter(target, -np.inf) in expected
    root = _qml(folder, gpkg, layer)
    assert root.find("renderer-v2").get("attr") == f'round("{column}", {digits})'
    ranges = _ranges(root)
    assert [hi for _, hi, _ in ranges] == expected.tolist()
    assert [lo for lo, _, _ in ranges] == [values.min(), *expected[:-1].tolist()]
    if map_of is None:
        from zzgeo.report import score_map

        m = score_map(report["scores"])
    else:
        m = report["runs"][map_of[0]].maps[map_of[1]]("none")
    state = map_state(m)
    legend = [(c, label) for c, label, shape in state.legends[0][1] if shape == "box"]
    assert list(zip(_colours(root), [label for _, _, label in ranges], strict=True)) == legend
    # every district QGIS draws gets the colour the web map gives it
    drawn = next(r for r in state.layers if r.kind == "polygons").frame
    for value, fill in zip(drawn["p0"], drawn["__zzgeo_fill"], strict=True):
        at = next(i for i, (lo, hi, _) in enumerate(ranges) if lo <= value <= hi)
        assert _colours(root)[at] == fill, value


def test_sequential_classes_use_the_colorbrewer_palette(report):
    root = _qml(report["folder"], "tables/shelters.gpkg", "coverage_by_district")
    n = len(_ranges(root))
    assert n == 5
    # per-capita area: more is better, so the diverging ColorBrewer RdYlBu for 5 classes, as published
    assert _colours(root) == ["#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6"]


def test_categorized_zones_have_the_zone_colours(report):
    from zzgeo.groundwater.maps import ZONE_COLOURS

    root = _qml(report["folder"], "tables/groundwater.gpkg", "zones")
    assert root.find("renderer-v2").get("attr") == "zone_zh"
    values = [c.get("value") for c in root.iter("category")]
    zones = set(pyogrio.read_dataframe(report["folder"] / "tables/groundwater.gpkg", layer="zones")["zone_zh"])
    assert set(values) == zones
    assert dict(zip(values, _colours(root), strict=True)) == {z: ZONE_COLOURS[z] for z in values}
    assert values == ["补给区·捕获区包络", "补给区·迁移时间区", "二级保护区", "一级保护区"][-len(values):]  # drawn lightest first


def test_attainment_by_district_is_a_polygon_layer_coloured_by_class(report):
    from zzgeo.children.maps import RATIO_COLOURS

    folder = report["folder"]
    layer = pyogrio.read_dataframe(folder / "tables/children.gpkg", layer="attainment_by_district")
    assert set(layer.geom_type) <= {"Polygon", "MultiPolygon"} and len(layer) == 12
    records = report["runs"]["children"].tables["attainment"]
    rows = records[records["unit"] == "410103"]
    rows = rows[rows["ratio"].notna() & rows["scope"].isin(["per_unit", "per_1000_residents", "per_10000_residents"])]
    erqi = layer.set_index("adcode").loc["410103"]
    assert erqi["mean_attainment"] == pytest.approx(rows["ratio"].clip(upper=1.0).mean())
    assert erqi["targets_measured"] == len(rows)
    root = _qml(folder, "tables/children.gpkg", "attainment_by_district")
    classes = {"< 25 %": RATIO_COLOURS[0], "25-50 %": RATIO_COLOURS[1], "50-75 %": RATIO_COLOURS[2], "75-100 %": RATIO_COLOURS[3],
               "met (≥ 100 %)": RATIO_COLOURS[4]}
    values = [c.get("value") for c in root.iter("category")]
    assert set(values) == set(layer["attainment"])
    assert dict(zip(values, _colours(root), strict=True)) == {v: classes[v] for v in values}
    assert root.find("labeling/settings/text-style").get("fieldName") == "name"
    assert layer["demo_data"].str.startswith("DEMO").all()


def test_points_have_the_web_maps_symbols(report):
    folder = report["folder"]
    chosen = _qml(folder, "tables/shelters.gpkg", "siting_plan")
    props = {p.get("k"): p.get("v") for p in chosen.iter("prop")}
    assert (props["color"], props["size"], props["size_unit"]) == ("35,139,69,230", "12", "Pixel")  # #238b45, radius 6, opacity 0.9
    listed = _qml(folder, "tables/groundwater.gpkg", "screening_list")
    assert _colours(listed) == ["#cb181d"]
    gaps = _qml(folder, "tables/children.gpkg", "access_gaps")  # cells the web map draws as dots: a dot inside each
    assert _colours(gaps) == ["#d73027"]
    centroid = gaps.find("renderer-v2/symbols/symbol/layer")
    assert centroid.get("class") == "CentroidFill" and centroid.find("symbol").get("type") == "marker"
    parcels = _qml(folder, "tables/land-price.gpkg", "valuation_polygon")  # polygon parcels: dots on the web map
    assert parcels.find("renderer-v2/symbols/symbol/layer").get("class") == "CentroidFill"
    assert _colours(parcels) == ["#1f4e9c"]
    assert _colours(_qml(folder, "tables/land-price.gpkg", "valuation_point")) == ["#1f4e9c"]


def test_district_layers_carry_the_figures_of_the_tables(report):
    folder = report["folder"]
    table = report["runs"]["shelters"].tables["coverage_by_district"].set_index("adcode")
    layer = pyogrio.read_dataframe(folder / "tables/shelters.gpkg", layer="coverage_by_district").set_index("adcode")
    assert set(layer.geom_type) <= {"Polygon", "MultiPolygon"}
    assert layer["per_capita_m2"].tolist() == table.loc[layer.index, "per_capita_m2"].tolist()
    assert layer["population"].tolist() == table.loc[layer.index, "population"].tolist()
    scores = report["scores"].scores.set_index("district")
    card = pyogrio.read_dataframe(folder / "scorecard.gpkg", layer="scorecard").set_index("adcode")
    assert card["score"].tolist() == scores.loc[card.index, "score"].tolist()
    assert card["rank"].tolist() == scores.loc[card.index, "rank"].tolist()


# --- QML and layer_styles on small inputs --------------------------------------------------


def test_user_text_is_escaped_and_round_trips(tmp_path):
    names = ['甲<&">区', "乙 </qgis><x a='1'>"]
    blocks = gpd.GeoDataFrame({"name": names, "kind": names},
                              geometry=[box(113.60 + i / 20, 34.74, 113.64 + i / 20, 34.78) for i in range(2)], crs=4326)
    blocks.to_file(tmp_path / "b.gpkg", layer="blocks", driver="GPKG")
    m = choropleth_map(blocks, "kind", title="示例", districts=False)
    write_styles(tmp_path / "b.gpkg", {"blocks": choropleth_style(m, blocks["kind"], column="kind", label_field="name")})
    text = read_styles(tmp_path / "b.gpkg")[0]["styleQML"]
    assert '甲<&">区' not in text and "甲&lt;&amp;&quot;&gt;区" in text
    root = ET.fromstring(text)
    assert [c.get("value") for c in root.iter("category")] == names
    assert [c.get("label") for c in root.iter("category")] == names
    assert _colours(root) == ["#8dd3c7", "#ffffb3"]  # ColorBrewer Set3, in order of appearance, as the web map


def test_a_new_style_replaces_the_old_default(tmp_path):
    path = tmp_path / "p.gpkg"
    gpd.GeoDataFrame({"v": [1.0]}, geometry=[Point(0, 0)], crs=4547).to_file(path, layer="p", driver="GPKG")
    write_styles(path, {"p": single_style("point", "#238b45")})
    write_styles(path, {"p": single_style("point", "#cb181d")})
    rows = read_styles(path)
    assert [(r["f_table_name"], r["useAsDefault"]) for r in rows] == [("p", 1)]
    assert _colours(ET.fromstring(rows[0]["styleQML"])) == ["#cb181d"]
    assert len(pyogrio.read_dataframe(path, layer="layer_styles")) == 1


def test_graduated_bounds_are_written_exactly(tmp_path):
    style = Style("polygon", "graduated", column="v",
                  classes=[StyleClass("#ffffb2", "a", lower=0.1, upper=2 / 3), StyleClass("#b10026", "b", lower=2 / 3, upper=1.0)])
    assert [hi for _, hi, _ in _ranges(ET.fromstring(style_qml(style)))] == [2 / 3, 1.0]


def test_errors_name_the_input(tmp_path):
    with pytest.raises(StoreError, match=r"does not exist"):
        write_styles(tmp_path / "none.gpkg", {})
    (tmp_path / "x.gpkg").write_text("not sqlite", encoding="utf-8")
    with pytest.raises(StoreError, match=r"is not a GeoPackage"):
        write_styles(tmp_path / "x.gpkg", {})
    with pytest.raises(ParameterError, match=r"colour '#12345': use #rrggbb"):
        single_style("point", "#12345")
    blocks = gpd.GeoDataFrame({"v": np.arange(1.0, 7.0)}, geometry=[box(113.6 + i / 20, 34.74, 113.64 + i / 20, 34.78) for i in range(6)],
                              crs=4326)
    m = choropleth_map(blocks, "v", title="x", scheme="equal_interval", bins=3, districts=False)
    with pytest.raises(ParameterError, match=r"the map's legend shows \['1 – 2.67'"):
        choropleth_style(m, blocks["v"] + 10, column="v", scheme="equal_interval", bins=3)


# --- opened in QGIS itself, where it is installed (python3-qgis); skipped elsewhere -----------

_QGIS_OPEN = r'''
import json, os, sqlite3, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from qgis.core import QgsApplication, QgsExpressionContextUtils, QgsRenderContext, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
out = {}
for gpkg in sys.argv[1:]:
    with sqlite3.connect(gpkg) as con:
        names = [row[0] for row in con.execute("SELECT table_name FROM gpkg_geometry_columns")]
    for name in names:
        layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        r = layer.renderer()
        if r.type() in ("graduatedSymbol", "categorizedSymbol"):
            classes = r.ranges() if r.type() == "graduatedSymbol" else r.categories()
            colours = [c.symbol().color().name() for c in classes]
        else:
            colours = [r.symbol().color().name()]
        drawn = []
        if r.type() == "graduatedSymbol":
            context = QgsRenderContext()
            context.expressionContext().appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
            r.startRender(context, layer.fields())
            for f in layer.getFeatures():
                context.expressionContext().setFeature(f)
                symbol = r.symbolForFeature(f, context)
                drawn.append([f[r.classAttribute().split('"')[1]], symbol.color().name() if symbol else None])
            r.stopRender(context)
        out[f"{os.path.basename(gpkg)}:{name}"] = {
            "drawn": drawn,
            "valid": layer.isValid(), "renderer": r.type(), "colours": colours,
            "ranges": [[x.lowerValue(), x.upperValue(), x.label()] for x in r.ranges()] if r.type() == "graduatedSymbol" else [],
            "labels": layer.labeling().settings().fieldName if layer.labelsEnabled() and layer.labeling() else None}
print(json.dumps(out), flush=True)
os._exit(0)  # QGIS's own teardown can crash after the work is done
'''


def _system_qgis() -> str | None:
    import shutil
    import subprocess

    python = shutil.which("python3", path="/usr/bin")
    if python is None:
        return None
    found = subprocess.run([python, "-c", "import qgis.core"], capture_output=True, check=False)
    return python if found.returncode == 0 else None


def test_qgis_opens_every_layer_with_its_style(report):
    import json
    import subprocess

    python = _system_qgis()
    if python is None:
        pytest.skip("QGIS (python3-qgis) is not installed")
    folder = report["folder"]
    paths = sorted({str(folder / gpkg) for gpkg, _ in EXPECTED})
    done = subprocess.run([python, "-c", _QGIS_OPEN, *paths], capture_output=True, text=True, check=True, timeout=300)
    opened = json.loads(done.stdout.strip().splitlines()[-1])
    for (gpkg, layer), (renderer, _) in EXPECTED.items():
        seen = opened[f"{gpkg.rsplit('/', 1)[-1]}:{layer}"]
        root = _qml(folder, gpkg, layer)
        assert seen["valid"] and seen["renderer"] == renderer, (gpkg, layer, seen)
        assert seen["colours"] == _colours(root), (gpkg, layer)
        assert seen["ranges"] == [list(r) for r in _ranges(root)], (gpkg, layer)
        assert seen["labels"] == (root.find("labeling/settings/text-style").get("fieldName") if root.find("labeling") is not None else None)
    for gpkg, layer, _, _, _, digits, _ in GRADUATED:  # each district in the colour of its rounded value's class
        ranges, colours = _ranges(_qml(folder, gpkg, layer)), _colours(_qml(folder, gpkg, layer))
        drawn = opened[f"{gpkg.rsplit('/', 1)[-1]}:{layer}"]["drawn"]
        assert len(drawn) == 12
        for value, colour in drawn:
            at = next(i for i, (lo, hi, _) in enumerate(ranges) if lo <= round(value, digits) <= hi)
            assert colour == colours[at], (layer, value)
