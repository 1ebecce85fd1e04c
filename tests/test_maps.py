"""Tests of zzgeo.maps: offline HTML export, PNG snapshots, choropleth helpers."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import folium
import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from zzgeo import errors, maps
from zzgeo.errors import CRSError, GeometryError, SchemaError, ZzgeoError

LEAFLET_MARK = "Leaflet 1.9.3, a JS library for interactive maps"  # leaflet.js header
BANNER = "DEMO DATA \u2014 test banner"


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def squares() -> gpd.GeoDataFrame:
    """Two 0.02-degree squares near Zhengzhou (113.65E 34.75N), stored in EPSG:4547."""
    geoms = [box(113.63, 34.74, 113.65, 34.76), box(113.65, 34.74, 113.67, 34.76)]
    gdf = gpd.GeoDataFrame(
        {"price": [1800.0, 4200.0], "name": ["West <b>block</b>", "East block"]},
        geometry=geoms,
        crs="EPSG:4326",
    )
    return gdf.to_crs("EPSG:4547")


@pytest.fixture
def points() -> gpd.GeoDataFrame:
    pts = [Point(113.64, 34.75), Point(113.66, 34.75)]
    return gpd.GeoDataFrame({"label": ["P1", "P2"]}, geometry=pts, crs="EPSG:4326")


def _map(gdf: gpd.GeoDataFrame, *, demo: bool) -> folium.Map:
    return maps.choropleth_map(
        gdf,
        "price",
        title="Land price test",
        caption_lines=["Source: synthetic test squares", "Projection: EPSG:4547"],
        tooltip_columns=["name"],
        legend_title="Price",
        demo=demo,
        banner_text=BANNER,
    )


class _Attrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [(tag, k, v or "") for k, v in attrs if k in ("src", "href")]


def _src_href(text: str) -> list[tuple[str, str, str]]:
    p = _Attrs()
    p.feed(text)
    return p.urls


# --- save_html ----------------------------------------------------------------------------


def test_offline_html_is_self_contained(squares, points, tmp_path):
    m = _map(squares, demo=True)
    maps.add_points(m, points, label_column="label")
    out = maps.save_html(m, tmp_path / "map.html")
    text = out.read_text(encoding="utf-8")

    assert out == tmp_path / "map.html"
    external = [a for a in _src_href(text) if re.match(r"\s*(https?:)?//", a[2], re.I)]
    assert external == []
    # The only URLs left anywhere are inside inlined leaflet.js: the SVG namespace name
    # and the link in Leaflet's attribution prefix (a hyperlink, nothing is fetched).
    assert set(re.findall(r"https?://[^\s'\"<>)]+", text)) <= {
        "http://www.w3.org/2000/svg",
        "https://leafletjs.com",
    }
    assert LEAFLET_MARK in text  # Leaflet's JS is inlined ...
    assert ".leaflet-container" in text  # ... and so is its CSS
    assert "cdn.jsdelivr.net" not in text and "code.jquery.com" not in text
    assert BANNER in text
    # source notes are recorded as meta tags
    assert '<meta name="zzgeo:source" content="Source: synthetic test squares">' in text
    # tooltip values are escaped, data drawn in 4326 near Zhengzhou
    assert "<b>block</b>" not in text
    assert re.search(r"\[113\.6[3-7]\d*, 34\.7[4-6]\d*\]", text)
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]  # no temp files left


def test_demo_banner_only_when_demo(squares, tmp_path):
    text = maps.save_html(_map(squares, demo=False), tmp_path / "m.html").read_text(encoding="utf-8")
    assert BANNER not in text
    assert "zzgeo-demo-banner" not in text
    m = maps.choropleth_map(squares, "price", title="t", demo=True)
    text = maps.save_html(m, tmp_path / "d.html").read_text(encoding="utf-8")
    assert maps.DEFAULT_DEMO_BANNER in text


def test_overwrite_is_atomic_and_leaves_no_temp(squares, tmp_path):
    target = tmp_path / "map.html"
    target.write_text("old", encoding="utf-8")
    maps.save_html(_map(squares, demo=False), target)
    maps.save_html(_map(squares, demo=True), str(target))
    assert BANNER in target.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]


def test_failed_export_leaves_target_untouched(tmp_path):
    m = folium.Map(location=[34.75, 113.65], zoom_start=12)  # OpenStreetMap tiles
    target = tmp_path / "map.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(errors.MapExportError, match=r"tile\.openstreetmap\.org") as exc:
        maps.save_html(m, target)
    assert isinstance(exc.value, ZzgeoError) and isinstance(exc.value, ValueError)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_icon_markers_cannot_go_offline(tmp_path):
    m = folium.Map(tiles=None)
    folium.Marker([34.75, 113.65], icon=folium.Icon(icon="info-sign")).add_to(m)
    with pytest.raises(errors.MapExportError, match="awesome-markers"):
        maps.save_html(m, tmp_path / "x.html")
    assert list(tmp_path.iterdir()) == []


def test_default_marker_and_d3_are_inlined(tmp_path):
    import branca.colormap as cm

    m = folium.Map(tiles=None)
    folium.Marker([34.75, 113.65]).add_to(m)  # default Leaflet icon: images as data URIs
    cm.LinearColormap(["white", "red"], vmin=0, vmax=1).add_to(m)  # branca legend uses d3 v3
    text = maps.save_html(m, tmp_path / "x.html").read_text(encoding="utf-8")
    assert 'iconUrl: "data:image/png;base64,' in text
    assert 'version: "3.5' in text  # d3 v3 inlined from xstatic-d3
    assert "url(images/" not in text
    assert not [a for a in _src_href(text) if "//" in a[2]]


def test_jquery_only_when_used_and_extra_assets(tmp_path):
    from folium.plugins import Fullscreen

    m = folium.Map(tiles=None)
    text = maps.save_html(m, tmp_path / "a.html").read_text(encoding="utf-8")
    assert "jQuery" not in text  # unused: stripped
    m.get_root().script.add_child(folium.Element("$(function () { window.ok = 1; });"))
    text = maps.save_html(m, tmp_path / "b.html").read_text(encoding="utf-8")
    assert "jQuery" in text  # used: inlined from xstatic-jquery

    Fullscreen().add_to(m)  # a plugin whose files no rule knows
    with pytest.raises(errors.MapExportError, match=r"Control\.FullScreen\.min\.js"):
        maps.save_html(m, tmp_path / "c.html")
    js, css = tmp_path / "fs.js", tmp_path / "fs.css"
    js.write_text("window.FS_PLUGIN = 1;", encoding="utf-8")
    css.write_text(".fs-x{color:red}", encoding="utf-8")
    text = maps.save_html(
        m,
        tmp_path / "c.html",
        extra_assets={"Control.FullScreen.min.js": js, "Control.FullScreen.css": css},
    ).read_text(encoding="utf-8")
    assert "window.FS_PLUGIN = 1;" in text and ".fs-x{color:red}" in text


@pytest.mark.parametrize("text", ["$(function(){})", "$ .ajax", "JQUERY(document)", "d3.select('x')", "D3.scale",
                                  "bootstrap.Modal", "data-bs-toggle", "glyphicon-ok", "class='fa fa-home'", "class=\"fas\tx\"",
                                  "FA-home", "L.AwesomeMarkers.icon", "l.awesomemarkers"])
def test_used_library_text_is_never_missed_by_the_needles(text):
    """The substring test before each "used" regex may only skip pages the regex would not match."""
    from zzgeo.maps.assets import _NEEDLES, _RULES

    for rule in _RULES:
        if rule.used is not None and rule.used.search(text):
            assert any(n in text.lower() for n in _NEEDLES[rule.used.pattern]), (rule.label, text)
    assert any(r.used is not None and r.used.search(text) for r in _RULES), text  # each example is some library's use


def test_online_export_keeps_cdn_links(squares, tmp_path):
    text = maps.save_html(_map(squares, demo=False), tmp_path / "o.html", offline=False).read_text(
        encoding="utf-8"
    )
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in text
    assert LEAFLET_MARK not in text
    assert '<meta name="zzgeo:offline" content="false">' in text


def test_explicit_source_notes(squares, tmp_path):
    out = maps.save_html(_map(squares, demo=False), tmp_path / "n.html", source_notes=["A -- B <x>"])
    text = out.read_text(encoding="utf-8")
    assert '<meta name="zzgeo:source" content="A -- B &lt;x&gt;">' in text
    assert "Source: synthetic test squares" not in text.split("<body>")[0].split("<!--")[1]


# --- builders -----------------------------------------------------------------------------


def test_crs_none_raises(squares):
    bare = squares.set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="crs=None"):
        maps.choropleth_map(bare, "price", title="t")
    with pytest.raises(CRSError):
        maps.add_points(folium.Map(tiles=None), bare.set_geometry(bare.centroid))


def test_bad_columns_and_geometries(squares, points):
    with pytest.raises(SchemaError, match="nope"):
        maps.choropleth_map(squares, "nope", title="t")
    with pytest.raises(SchemaError, match="missing"):
        maps.choropleth_map(squares, "price", title="t", tooltip_columns=["missing"])
    with pytest.raises(GeometryError, match="Polygon"):
        maps.add_points(folium.Map(tiles=None), squares)
    with pytest.raises(GeometryError):
        maps.choropleth_map(squares.iloc[0:0], "price", title="t")


def test_legend_classes(squares, tmp_path):
    m = maps.choropleth_map(squares, "name", title="categories", bins=3)
    text = maps.save_html(m, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "zzgeo-legend" in text and "East block" in text
    num = maps.save_html(_map(squares, demo=False), tmp_path / "n.html").read_text(encoding="utf-8")
    assert "1,800" in num and "4,200" in num  # class limits in the legend
    assert "fitBounds" in num


# --- save_png -------------------------------------------------------------------------------


def _decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Minimal decoder for 8-bit, non-interlaced greyscale/RGB/RGBA PNGs: (w, h, pixels)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    assert hdr is not None
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and interlace == 0 and ctype in (0, 2, 6), hdr
    bpp = {0: 1, 2: 3, 6: 4}[ctype]
    raw, stride = zlib.decompress(idat), w * bpp
    prev, pixels, i = bytearray(stride), [], 0
    for _ in range(h):
        ftype, line = raw[i], bytearray(raw[i + 1 : i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        pixels += [bytes(line[x : x + 3]) for x in range(0, stride, bpp)]
        prev = line
    return w, h, pixels


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (apt-get install chromium)")
def test_png_is_not_blank(squares, points, tmp_path):
    m = _map(squares, demo=True)
    maps.add_points(m, points, label_column="label", color="#1f4e9c", fill_opacity=1.0)
    html = maps.save_html(m, tmp_path / "map.html")
    png = maps.save_png(html, tmp_path / "map.png", width=640, height=480)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html", "map.png"]
    w, h, pixels = _decode_png(png.read_bytes())
    assert (w, h) == (640, 480)
    counts: dict[bytes, int] = {}
    for px in pixels:
        counts[px] = counts.get(px, 0) + 1
    assert len(counts) > 50, "screenshot looks blank"
    assert max(counts.values()) < 0.8 * w * h, "one colour fills the screenshot"
    assert counts.get(bytes.fromhex("b00020"), 0) > 200  # the red demo banner is drawn
    assert counts.get(bytes.fromhex("1f4e9c"), 0) > 10  # the point markers are drawn


def test_png_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        maps.save_png(tmp_path / "missing.html", tmp_path / "x.png")
    page = tmp_path / "p.html"
    page.write_text("<html></html>", encoding="utf-8")
    with pytest.raises(errors.ChromiumError, match="apt-get install -y chromium"):
        maps.save_png(page, tmp_path / "x.png", chromium=tmp_path / "no-such-chromium")


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (apt-get install chromium)")
def test_a_png_is_a_still_without_zoom_buttons(squares, tmp_path):
    """The PNG (and the PDF/Word pages made of it) hides Leaflet's zoom buttons; the HTML page keeps them.

    The zoom control sits 10 px from the top-left corner: white buttons (#ffffff) with a dark "+" and "−".
    The same page opened without ``#still`` draws them there (checked with Chromium's own screenshot)."""
    from zzgeo.maps.assets import chromium_command
    from zzgeo.maps.export import find_chromium

    html = maps.save_html(_map(squares, demo=False), tmp_path / "map.html")
    assert "leaflet-control-zoom" in html.read_text(encoding="utf-8")  # the interactive page has the buttons
    still = maps.save_png(html, tmp_path / "still.png", width=640, height=480)
    shot = tmp_path / "plain.png"
    cmd = chromium_command(find_chromium(None), profile=str(tmp_path / "profile"), shot=shot, width=640, height=480,
                           wait_ms=3000, allow_network=False)
    subprocess.run([*cmd, html.as_uri()], capture_output=True, timeout=120, check=False)

    def corner_white(png: Path) -> int:
        w, _h, pixels = _decode_png(png.read_bytes())
        return sum(pixels[y * w + x] == b"\xff\xff\xff" for y in range(12, 70) for x in range(12, 40))

    assert corner_white(shot) > 500  # the buttons: mostly white
    assert corner_white(still) == 0
