"""The shared headless browser (zzgeo.maps.browser): PNGs and a PDF drawn in tabs of one Chromium driven by Playwright.

Playwright is optional (the ``test`` extra): the tests that drive it skip without it or without Chromium; the
fingerprint tests need neither.
"""

from __future__ import annotations

import http.server
import os
import shutil
import sys
import threading
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import pytest
from shapely.geometry import box

from zzgeo import maps
from zzgeo.errors import ChromiumError
from zzgeo.maps.export import png_fingerprint, render_png, save_html


def chromium_descendants() -> list[int]:
    """Chromium processes started (through any number of steps) by this test process."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                names[int(entry.name)] = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    mine = []
    for pid, name in names.items():
        up = pid
        while up in parents and up not in (0, 1, os.getpid()):
            up = parents[up]
        if up == os.getpid() and "chrom" in name:
            mine.append(pid)
    return mine


@pytest.fixture(scope="module")
def browser():
    pytest.importorskip("playwright.async_api")
    if shutil.which("chromium") is None:
        pytest.skip("needs chromium (apt-get install chromium)")
    from zzgeo.maps.browser import open_browser

    shared = open_browser()
    assert shared is not None
    yield shared
    shared.close()


@pytest.fixture()
def page(tmp_path: Path) -> Path:
    blocks = gpd.GeoDataFrame({"v": ["a", "b"]}, geometry=[box(113.60 + i / 20, 34.74, 113.64 + i / 20, 34.78) for i in range(2)],
                              crs=4326)
    return save_html(maps.choropleth_map(blocks, "v", title="shared browser", districts=False), tmp_path / "m.html")


def test_fingerprint_says_which_way_the_png_is_drawn(page: Path) -> None:
    class Shared:  # what png_fingerprint reads of a shared browser
        identity = ("playwright", "1.0", "chromium", "flags", "wait-1")

    exe = sys.executable  # any executable stands for Chromium here
    cli, shared = png_fingerprint(page, chromium=exe), png_fingerprint(page, chromium=exe, browser=Shared())
    assert cli != shared and shared == png_fingerprint(page, chromium=exe, browser=Shared())
    Shared.identity = ("playwright", "1.1", "chromium", "flags", "wait-1")
    assert png_fingerprint(page, chromium=exe, browser=Shared()) != shared  # a new Playwright draws anew
    assert png_fingerprint(page, renderer="matplotlib", browser=Shared()) == png_fingerprint(page, renderer="matplotlib")


def test_no_browser_without_chromium() -> None:
    from zzgeo.maps.browser import open_browser

    assert open_browser("/no/such/chromium") is None


def test_render_png_in_the_shared_browser(browser, page: Path, tmp_path: Path) -> None:
    from PIL import Image

    m = maps.base_map(title="x")  # only read if the browser failed (matplotlib)
    made = render_png(m, page, tmp_path / "m.png", width=640, height=480, browser=browser)
    assert made.renderer == "chromium-playwright" and "Playwright" in made.note
    with Image.open(made.png) as image:
        assert image.size == (640, 480)
        colours = image.convert("RGB").getcolors(640 * 480)
    assert len(colours) > 20  # drawn: polygons, legend, text; not a blank page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.html", "m.png"]  # no temporary file left


def test_still_hides_the_zoom_buttons(browser, page: Path, tmp_path: Path) -> None:
    probe = tmp_path / "probe.html"  # the page with a script that writes what #still left visible into the title
    text = page.read_text(encoding="utf-8").replace(
        "</body>", "<script>addEventListener('load', () => { document.title = getComputedStyle("
        "document.querySelector('.leaflet-control-zoom')).display; });</script></body>")
    probe.write_text(text, encoding="utf-8")
    title = {}

    async def read_title(tab, out: Path) -> None:
        title["still"] = await tab.title()
        out.write_bytes(b"x")

    browser._run("probe", probe, tmp_path / "t.txt", ".txt", timeout=60, allow_network=False, width=800, height=600,
                  write=read_title, fragment="#still")
    assert title["still"] == "none"


class _Server(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []
    hang = threading.Event()

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        if self.path.startswith("/slow"):
            type(self).hang.wait(30)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Server.seen.clear()
    _Server.hang.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    _Server.hang.set()
    httpd.shutdown()


def test_offline_blocks_every_request_but_files(browser, tmp_path: Path, server: str) -> None:
    page = tmp_path / "p.html"
    page.write_text(f"<html><body><p>郑州</p><img src='{server}/tile.png'></body></html>", encoding="utf-8")
    browser.screenshot(page, tmp_path / "offline.png", width=300, height=200)
    assert _Server.seen == []
    browser.screenshot(page, tmp_path / "online.png", width=300, height=200, allow_network=True)
    assert _Server.seen == ["/tile.png"]


def test_a_page_that_never_finishes_is_an_error_not_a_hang(browser, tmp_path: Path, server: str) -> None:
    page = tmp_path / "slow.html"
    page.write_text(f"<html><body><img src='{server}/slow.png'></body></html>", encoding="utf-8")
    with pytest.raises(ChromiumError, match="save_png: the shared browser .*slow.html"):
        browser.screenshot(page, tmp_path / "slow.png", width=300, height=200, allow_network=True, timeout=2)
    assert not (tmp_path / "slow.png").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["slow.html"]
    _Server.hang.set()
    browser.screenshot(page, tmp_path / "after.png", width=300, height=200)  # the browser still works


def test_closed_browser_and_no_chromium_left(page: Path, tmp_path: Path) -> None:
    pytest.importorskip("playwright.async_api")
    if shutil.which("chromium") is None:
        pytest.skip("needs chromium (apt-get install chromium)")
    from zzgeo.maps.browser import open_browser

    before = set(chromium_descendants())
    shared = open_browser()
    shared.screenshot(page, tmp_path / "a.png", width=300, height=200)
    assert set(chromium_descendants()) - before  # it runs here
    shared.close()
    shared.close()  # twice: nothing happens
    assert set(chromium_descendants()) - before == set()
    with pytest.raises(ChromiumError, match="the shared browser is closed"):
        shared.screenshot(page, tmp_path / "b.png")


def test_a_browser_that_cannot_start_falls_back_to_a_process_of_its_own(page: Path, tmp_path: Path) -> None:
    pytest.importorskip("playwright.async_api")
    from zzgeo.maps.browser import MapBrowser

    with MapBrowser(sys.executable) as broken:  # not a browser: the launch fails
        made = render_png(maps.base_map(title="x"), page, tmp_path / "m.png", width=300, height=200, browser=broken)
    assert made.png.is_file() and made.renderer in ("chromium", "matplotlib")
    assert made.note.startswith("save_png: the shared browser failed on 'm.html'")


def test_a_basemap_offline_is_drawn_without_its_tiles(browser, tmp_path: Path) -> None:
    from PIL import Image

    page = save_html(maps.base_map(title="osm", basemap="osm"), tmp_path / "osm.html")  # tiles fail: the wait ends
    with Image.open(browser.screenshot(page, tmp_path / "osm.png", width=400, height=300, timeout=60)) as image:
        assert image.size == (400, 300)


def test_a_page_rewritten_in_place_is_drawn_as_it_is_now(tmp_path: Path) -> None:
    # a reused tab already showing a.html#still would only move to the fragment and shoot the page as first read
    pytest.importorskip("playwright.async_api")
    if shutil.which("chromium") is None:
        pytest.skip("needs chromium (apt-get install chromium)")
    from PIL import Image

    from zzgeo.maps.browser import open_browser

    page, seen = tmp_path / "a.html", []
    with open_browser(pages=1) as shared:  # one tab: the second shot is drawn in the tab of the first
        for colour in ("red", "blue"):
            page.write_text(f"<html><body style='margin:0;background:{colour}'></body></html>", encoding="utf-8")
            shared.screenshot(page, tmp_path / f"{colour}.png", width=200, height=100)
            seen.append(Image.open(tmp_path / f"{colour}.png").convert("RGB").getpixel((150, 50)))
    assert seen == [(255, 0, 0), (0, 0, 255)]
