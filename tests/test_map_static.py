"""The matplotlib fallback draws Chinese: its CJK font is found by file path, and no glyph goes missing."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from zzgeo import maps
from zzgeo.errors import ParameterError
from zzgeo.maps import static


@pytest.fixture
def stale_cache(monkeypatch):
    """matplotlib's font list as a cache built before any CJK font was installed; zzgeo's lookup not yet done."""
    from matplotlib import font_manager

    latin = [f for f in font_manager.fontManager.ttflist if f.name not in static._CJK_FONTS and "CJK" not in f.name
             and "WenQuanYi" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin)
    font_manager.fontManager._findfont_cached.cache_clear()
    monkeypatch.setattr(static, "_found", [])
    yield
    font_manager.fontManager._findfont_cached.cache_clear()


def _chinese_map():
    blocks = gpd.GeoDataFrame({"类别": ["一级保护区", "二级保护区"]},
                              geometry=[box(113.60, 34.74, 113.64, 34.78), box(113.65, 34.74, 113.69, 34.78)], crs=4326)
    m = maps.choropleth_map(blocks, "类别", title="郑州市 地下水型饮用水水源保护区", legend_title="分区 zone",
                            caption_lines=["郑政文〔2022〕49号 三(三)9", "金水区 二七区 管城回族区 惠济区"])
    sites = gpd.GeoDataFrame({"名称": ["水源甲", "水源乙", "水源丙"]}, geometry=[Point(113.61, 34.75), Point(113.62, 34.76), Point(113.66, 34.77)],
                             crs=4326)
    maps.add_points(m, sites, name="水源井 wells", top=2, chosen_by="登记顺序 register order")
    return maps.map_state(m)


def _warnings(state, path: Path) -> list[str]:
    """Every warning drawing *state* gives (each one, not only the first of a kind)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        static.render_static(state, path, width=500, height=400)
    return [str(w.message) for w in caught]


def _glyphs_missing(messages: list[str]) -> list[str]:
    return [m for m in messages if "Glyph" in m or "missing from font" in m]


def test_a_cjk_font_is_found_by_path_past_a_stale_cache(stale_cache):
    installed = [p for p in static._CJK_FILES if Path(p).is_file()]
    if not installed:
        pytest.fail("no CJK font at any known path; install fonts-wqy-microhei (or fonts-noto-cjk)")
    from matplotlib import font_manager

    name = static._cjk_font()
    assert name == font_manager.FontProperties(fname=installed[0]).get_name()
    assert any(Path(f.fname) == Path(installed[0]) for f in font_manager.fontManager.ttflist)  # registered by addfont


def test_a_chinese_map_draws_every_glyph_even_with_a_stale_cache(stale_cache, tmp_path):
    missing = _glyphs_missing(_warnings(_chinese_map(), tmp_path / "m.png"))
    assert not missing, missing[:3]


def test_the_check_sees_missing_glyphs_when_there_is_no_cjk_font(monkeypatch, tmp_path):
    monkeypatch.setattr(static, "_found", [None])  # no CJK font: DejaVu Sans only
    messages = _warnings(_chinese_map(), tmp_path / "m.png")
    assert any(m.startswith("no font with Chinese glyphs found") and "fonts-wqy-microhei" in m for m in messages)
    assert _glyphs_missing(messages)  # the test above would fail on these


def test_a_font_path_of_ones_own(monkeypatch, tmp_path):
    installed = next((p for p in static._CJK_FILES if Path(p).is_file()), None)
    if installed is None:
        pytest.fail("no CJK font at any known path; install fonts-wqy-microhei (or fonts-noto-cjk)")
    monkeypatch.setattr(static, "_found", [])
    monkeypatch.setenv(static.FONT_ENV, installed)
    from matplotlib import font_manager

    assert static._cjk_font() == font_manager.FontProperties(fname=installed).get_name()
    monkeypatch.setattr(static, "_found", [])
    monkeypatch.setenv(static.FONT_ENV, str(tmp_path / "none.ttf"))
    with pytest.raises(ParameterError, match=r"\$ZZGEO_CJK_FONT=.*none.ttf.*fonts-wqy-microhei"):
        static._cjk_font()
