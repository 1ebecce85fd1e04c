"""The web app in a real browser: Debian's headless Chromium driven by Playwright against ``zzgeo serve`` on 127.0.0.1.

Click the map and read the price, fill the valuation form, upload a register with one bad row and see it named,
run a report and open one of its maps. Screenshots go to the test's folder (and to ``ZZGEO_SCREENSHOTS`` when set,
which is how ``docs/images/web-*.png`` are made). Skipped when Chromium or Playwright is not installed; every wait
is on something the page shows, never a sleep.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)")

ERQI = (113.6654, 34.7536)
BAD_NAME = "<script>alert(1)</script>"
SHELTERS = f"名称,类别,有效面积,lon,lat\n人民公园,I,30000,113.68,34.79\n{BAD_NAME},I,abc,113.64,34.72\n"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """``zzgeo serve`` on a free 127.0.0.1 port, in a thread of this process (the session's layer store)."""
    import uvicorn

    from zzgeo.web import create_app

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-US")
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))  # a script run from a register value would open one
    errors: list[str] = []  # script errors and Content-Security-Policy refusals show here
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(60_000)
    yield pg
    context.close()
    assert dialogs == []
    assert errors == []


def shot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"web-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    folder = os.environ.get("ZZGEO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)
    assert path.stat().st_size > 10_000
    return path


def test_click_the_map_read_the_price_then_value_the_parcel(server, page, tmp_path):
    from zzgeo.landprice.lookup import lookup_point

    page.goto(f"{server}/land-price?lang=zh")
    page.wait_for_selector("#map[data-ready='1']")
    x, y = page.evaluate(f"() => {{ const p = zzgeoMap.latLngToContainerPoint([{ERQI[1]}, {ERQI[0]}]); return [p.x, p.y]; }}")
    page.click("#map", position={"x": x, "y": y})
    page.wait_for_selector("#lookup-result[data-state='done']")
    lon, lat = float(page.input_value("#lon")), float(page.input_value("#lat"))
    assert abs(lon - ERQI[0]) < 0.01 and abs(lat - ERQI[1]) < 0.01
    want = lookup_point(page.input_value("#lon"), page.input_value("#lat"), crs="wgs84")
    commercial = want["tables"][0]["uses"][0]
    shown = page.text_content("#main-price")
    assert f"{commercial['prices'][0]['price_yuan_m2']:,.0f}".replace(",", "") in shown.replace(",", "")
    assert commercial["grade"] in shown
    row = page.locator("#lookup-result tr[data-table='collective_construction'][data-use='commercial']").first
    assert row.is_visible()
    shot(page, tmp_path, "land-price")

    page.fill("#value-form [name=plot_ratio]", "3")
    page.fill("#value-form [name=term_years]", "30")
    page.fill("#value-form [name=factors]", "交通条件=0.02")
    page.click("#value-button")
    page.wait_for_selector("#value-result[data-state='done']")
    import httpx

    api = httpx.post(f"{server}/api/land-price/value", json={"lon": lon, "lat": lat, "crs": "wgs84", "use": "commercial",
                                                             "area_m2": 1000, "plot_ratio": 3, "term_years": 30,
                                                             "factors": ["交通条件=0.02"]}, timeout=60).json()
    rec = api["records"][0]
    assert page.text_content("#unit-price").replace(",", "") == f"{rec['unit_price_yuan_m2']:.2f}".rstrip("0").rstrip(".")
    assert page.locator("#value-result tr[data-key='k_term']").text_content().endswith(f"{rec['k_term']:.6f}".rstrip("0").rstrip("."))
    page.locator("#value-result").scroll_into_view_if_needed()
    shot(page, tmp_path, "valuation")


def test_upload_a_register_with_one_bad_row_and_see_it_named(server, page, tmp_path):
    register = tmp_path / "shelters.csv"
    register.write_text(SHELTERS, encoding="utf-8")
    page.goto(f"{server}/registers?lang=zh")
    page.select_option("#kind", "shelters")
    page.select_option("[name=cell_m]", "3000")
    page.set_input_files("#file", str(register))
    page.click("#upload-button")
    page.wait_for_selector("#register-result[data-state='done']")
    rows = page.locator("tr.rejected")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_text_contents()
    assert re.fullmatch(r"\D*3\D*", cells[0]) and cells[2] == BAD_NAME and "'abc'" in cells[3]  # "line 3" / "第 3 行"
    assert page.locator("#dl-xlsx").get_attribute("href").endswith("/download/xlsx")
    shot(page, tmp_path, "registers")


@pytest.mark.slow
def test_run_a_report_and_open_a_map(server, page, tmp_path):
    page.goto(f"{server}/report?lang=zh")
    page.click("#report-button")
    page.wait_for_selector("#report-result[data-state='done']", timeout=240_000)
    links = page.locator("#report-result ul.maps a")
    assert links.count() >= 4
    shot(page, tmp_path, "report")
    with page.context.expect_page() as opened:
        links.first.click()
    map_page = opened.value
    map_page.wait_for_selector(".leaflet-container")
    map_page.wait_for_load_state("load")
    assert map_page.locator(".leaflet-interactive, canvas").count() > 0
    shot(map_page, tmp_path, "report-map")
