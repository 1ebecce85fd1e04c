"""Tests of zzgeo.maps.export: HTML + PNG in one call, the Chromium renderer and the matplotlib fallback."""

from __future__ import annotations

import shutil
import geopandas as gpd
import numpy as np
import pytest
from PIL import Image
from shapely.geometry import box

from zzgeo import maps
from zzgeo.errors import ChromiumError, MapExportError
from zzgeo.maps.export import export_map

RED_CLASS, YELLOW_CLASS = "#f03b20", "#ffeda0"  # ColorBrewer YlOrRd for 2 classes, as published


@pytest.fixture
def two_blocks() -> gpd.GeoDataFrame:
    """Two big blocks over central Zhengzhou with values 1 and 2: one class each (YlOrRd ends)."""
    geoms = [box(113.55, 34.70, 113.65, 34.80), box(113.65, 34.70, 113.75, 34.80)]
    return gpd.GeoDataFrame({"v": [1.0, 2.0]}, geometry=geoms, crs=4326)


def _hex(rgb) -> str:
    return "#%02x%02x%02x" % tuple(rgb[:3])


def _blend(colour: str, opacity: float, background: str) -> tuple[int, int, int]:
    """The RGB a fill of *colour* at *opacity* shows over *background*."""
    c = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(background[i : i + 2], 16) for i in (1, 3, 5)]
    return tuple(round(opacity * x + (1 - opacity) * y) for x, y in zip(c, b, strict=True))


def _pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int16).reshape(-1, 3)


def _near(pixels: np.ndarray, rgb: tuple[int, int, int], tol: int = 6) -> int:
    """How many pixels are within *tol* of *rgb* in every channel."""
    return int((np.abs(pixels - np.array(rgb)) <= tol).all(axis=1).sum())


def test_matplotlib_fallback_draws_the_layers(two_blocks, tmp_path):
    m = maps.choropleth_map(two_blocks, "v", title="fallback", demo=True)
    result = export_map(m, tmp_path / "f.html", png=True, renderer="matplotlib", width=800, height=600)
    assert result.renderer == "matplotlib" and "matplotlib" in result.note
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.html", "f.png"]
    assert Image.open(result.png).size == (800, 600)
    counts = _pixels(result.png)
    background = (0xF4, 0xF3, 0xEE)
    # both class colours drawn (at the fill opacity 0.75 over the background), each over a real area
    assert _near(counts, _blend(RED_CLASS, 0.75, "#f4f3ee")) > 5_000
    assert _near(counts, _blend(YELLOW_CLASS, 0.75, "#f4f3ee")) > 5_000
    assert _near(counts, background, tol=0) < 0.8 * 800 * 600


def test_auto_falls_back_when_no_browser(two_blocks, tmp_path):
    m = maps.choropleth_map(two_blocks, "v", title="no browser")
    result = export_map(m, tmp_path / "n.html", png=tmp_path / "shot.png", chromium=tmp_path / "no-chromium")
    assert result.renderer == "matplotlib"
    assert result.note.startswith("save_png: headless Chromium not found")
    assert result.png == tmp_path / "shot.png" and result.png.stat().st_size > 10_000
    with pytest.raises(ChromiumError):
        export_map(maps.choropleth_map(two_blocks, "v", title="x"), tmp_path / "c.html", png=True, renderer="chromium",
                   chromium=tmp_path / "no-chromium")
    with pytest.raises(MapExportError, match="renderer"):
        export_map(m, tmp_path / "r.html", png=True, renderer="gdal")


def test_no_png_unless_asked(two_blocks, tmp_path):
    result = export_map(maps.choropleth_map(two_blocks, "v", title="html only"), tmp_path / "h.html")
    assert (result.png, result.renderer) == (None, None)
    assert [p.name for p in tmp_path.iterdir()] == ["h.html"]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (apt-get install chromium); .ci/run installs it")
def test_chromium_draws_the_vector_layers(two_blocks, tmp_path):
    m = maps.choropleth_map(two_blocks, "v", title="chromium")
    result = export_map(m, tmp_path / "c.html", png=True, width=900, height=700)
    assert result.renderer == "chromium"
    counts = _pixels(result.png)
    # Leaflet draws the fills as SVG at 0.75 opacity over the page background: both classes cover real areas
    assert _near(counts, _blend(RED_CLASS, 0.75, "#f4f3ee"), tol=4) > 10_000
    assert _near(counts, _blend(YELLOW_CLASS, 0.75, "#f4f3ee"), tol=4) > 10_000


def test_matplotlib_drawings_on_threads_keep_their_chinese_font(two_blocks, tmp_path):
    # the report draws PNGs on worker threads; rcParams are global, so one drawing's font settings must not be
    # undone under another (Chinese then comes out as empty boxes: "Glyph ... missing from font(s) DejaVu Sans")
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    from zzgeo.maps.static import _cjk_font, render_static

    if _cjk_font() is None:
        pytest.skip("no CJK font installed")
    state = maps.map_state(maps.choropleth_map(two_blocks, "v", title="人均有效避难面积 郑州市各区县", caption_lines=["金水区 二七区 管城回族区"],
                                               districts=False))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda i: render_static(state, tmp_path / f"m{i}.png", width=300, height=200), range(16)))
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing[:3]
