"""One headless Chromium for many map PNGs and a PDF print, driven by Playwright (optional).

:func:`zzgeo.maps.save_png` and :func:`zzgeo.maps.print_pdf` start one ``chromium --headless`` process per
file, which costs about a second and a half of start-up each. A report draws eight maps and prints one PDF:
:class:`MapBrowser` starts the browser once and draws each page in a tab of its own, when the ``playwright``
package is installed (``pip install 'zzgeo[test]'`` or ``pip install playwright``; it drives the system
Chromium, no browser download is needed). Without it, :func:`open_browser` answers None and the callers use
one Chromium process per file, as before.

Playwright's synchronous API may only be used from the thread that made it, and the report draws PNGs from
worker threads: the browser is owned by one thread of its own, which runs Playwright's asyncio API, and the
blocking methods here hand it their work and wait for the answer. Up to *pages* tabs draw at once.

A screenshot is taken once the page is drawn, as ``--virtual-time-budget`` ensures for the command line:
after the ``load`` event (every inline script has run, Leaflet has drawn its vector layers, images are in),
the web fonts are ready, every Leaflet tile layer has loaded or failed its tiles (and faded them in), no
zoom or pan animation runs, and two animation frames have passed. Offline (the default), every request but
``file:`` and ``data:`` URLs is aborted, as ``--host-resolver-rules=MAP * ~NOTFOUND`` does for the command
line.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Self

from zzgeo.errors import ChromiumError
from zzgeo.i18n import _
from zzgeo.maps.assets import find_chromium, temp_beside

__all__ = ["MapBrowser", "open_browser", "playwright_available"]

#: Chromium flags of the shared browser: those of :func:`zzgeo.maps.assets.chromium_command` that apply to a
#: browser driven over DevTools (the window size is each tab's viewport; the profile is Playwright's own).
BROWSER_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1")

#: How a page is waited for before its shot; part of the PNG fingerprint (change the version when this changes).
_READY_VERSION = "zzgeo-ready-1"
_READY_JS = """async () => {
  await document.fonts.ready;
  const maps = [];
  if (window.L && L.Map) {
    for (const key of Object.keys(window)) {
      let value;
      try { value = window[key]; } catch (e) { continue; }
      if (value instanceof L.Map) maps.push(value);
    }
  }
  const waits = [];
  let tiles = false;
  for (const map of maps) {
    if (map._animatingZoom) waits.push(new Promise(r => map.once("zoomend", r)));
    if (map._panAnim && map._panAnim._inProgress) waits.push(new Promise(r => map.once("moveend", r)));
    map.eachLayer(layer => {
      if (!(layer instanceof L.GridLayer)) return;
      tiles = true;
      if (layer._loading) waits.push(new Promise(r => layer.once("load", r)));
    });
  }
  for (const img of document.images) {
    if (!img.complete) waits.push(new Promise(r => { img.addEventListener("load", r); img.addEventListener("error", r); }));
  }
  await Promise.all(waits);
  if (tiles) await new Promise(r => setTimeout(r, 250));  // Leaflet fades tiles in over 200 ms
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return maps.length;
}"""


def playwright_available() -> bool:
    """Whether the ``playwright`` package can be imported (its browsers need not be installed).

    Examples
    --------
    >>> from zzgeo.maps.browser import playwright_available
    >>> playwright_available() in (True, False)
    True
    """
    try:
        return importlib.util.find_spec("playwright.async_api") is not None
    except (ImportError, ValueError):
        return False


def open_browser(chromium: str | os.PathLike[str] | None = None, *, pages: int = 2) -> MapBrowser | None:
    """A shared headless browser for many PNGs and PDFs, or None when Playwright or Chromium is missing.

    The browser starts in the background: this returns at once, and the first screenshot waits for it.
    Close it with :meth:`MapBrowser.close` (or use it as a context manager).

    Parameters
    ----------
    chromium : str or path-like, optional
        Browser executable, as for :func:`zzgeo.maps.find_chromium`.
    pages : int, default 2
        Pages drawn at once.

    Returns
    -------
    MapBrowser or None

    Examples
    --------
    >>> from zzgeo.maps.browser import open_browser
    >>> open_browser("/no/such/chromium") is None
    True
    """
    exe = find_chromium(chromium)
    if exe is None or not playwright_available():
        return None
    return MapBrowser(exe, pages=pages)


class MapBrowser:
    """One headless Chromium, driven by Playwright from a thread of its own, shared by many screenshots and prints.

    Parameters
    ----------
    executable : str
        The Chromium executable.
    pages : int, default 2
        Pages drawn at once (each in a tab of its own).

    Notes
    -----
    The methods block and may be called from any thread. Errors (the browser does not start, a page does not
    finish drawing in time, nothing is written) are :class:`zzgeo.errors.ChromiumError`.
    """

    def __init__(self, executable: str, *, pages: int = 2) -> None:
        self.executable = str(executable)
        self.pages = max(1, int(pages))
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._closed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name="zzgeo-map-browser", daemon=True)
        self._launch = None
        self._thread.start()
        self._started.wait()
        self._launch = asyncio.run_coroutine_threadsafe(self._start(), self._loop)

    # --- the browser's own thread ------------------------------------------------------------

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.set_exception_handler(self._unretrieved)
        self._loop.call_soon(self._started.set)
        self._loop.run_forever()
        self._loop.close()

    def _unretrieved(self, loop: asyncio.AbstractEventLoop, context: dict) -> None:
        """Once the browser is closing, Playwright's own futures that failed with it (a Ctrl-C reaches the driver
        too: "Connection closed while reading from the driver") are not reported on stderr after the command's
        one ``error: interrupted`` line; before that, asyncio reports them as usual."""
        if not self._closed:
            loop.default_exception_handler(context)

    async def _start(self):
        from playwright.async_api import async_playwright

        self._semaphore = asyncio.Semaphore(self.pages)
        self._driver = await async_playwright().start()
        try:
            self._browser = await self._driver.chromium.launch(executable_path=self.executable, args=list(BROWSER_ARGS))
        except BaseException:
            await self._driver.stop()
            raise
        self._contexts: dict[bool, object] = {}
        self._idle: dict[bool, list] = {}
        return self._browser

    async def _context(self, allow_network: bool):
        if allow_network not in self._contexts:
            context = await self._browser.new_context(device_scale_factor=1)
            if not allow_network:
                await context.route("**/*", _offline_route)
            self._contexts[allow_network] = context
        return self._contexts[allow_network]

    async def _draw(self, url: str, out: Path, *, allow_network: bool, timeout: float, width: int, height: int,
                    write: Callable) -> None:
        await asyncio.wrap_future(self._launch)
        async with self._semaphore:
            idle = self._idle.setdefault(allow_network, [])
            page = idle.pop() if idle else await (await self._context(allow_network)).new_page()
            try:
                await page.set_viewport_size({"width": int(width), "height": int(height)})
                await asyncio.wait_for(self._ready(page, url, timeout), timeout)
                await write(page, out)
            except BaseException:
                await page.close()
                raise
            idle.append(page)  # the next page is drawn in this tab (a new tab costs 0.1-0.3 s)

    @staticmethod
    async def _ready(page, url: str, timeout: float) -> None:
        if page.url.split("#")[0] == url.split("#")[0]:  # the tab shows this file already: going to the same URL
            await page.goto("about:blank")  # would only move to its fragment, and shoot the page as it was read before
        await page.goto(url, wait_until="load", timeout=timeout * 1000)
        await page.evaluate(_READY_JS)

    async def _stop(self) -> None:
        if self._launch is not None and not self._launch.cancelled():
            await asyncio.wait([asyncio.wrap_future(self._launch)])
            if self._launch.exception() is None:
                with contextlib.suppress(TimeoutError):  # the pages being drawn end first, for half a minute at most
                    await asyncio.wait_for(self._drain(), 30)
                await self._browser.close()
                await self._driver.stop()

    async def _drain(self) -> None:
        for _page in range(self.pages):
            await self._semaphore.acquire()

    # --- used from any thread -------------------------------------------------------------

    @property
    def identity(self) -> tuple[str, ...]:
        """What the drawing depends on, for :func:`zzgeo.maps.png_fingerprint`: Playwright's version, the
        executable (path, size, modification time), the flags and the readiness wait."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            driver = version("playwright")
        except PackageNotFoundError:
            driver = "?"
        exe = Path(self.executable).resolve()
        stat = exe.stat()
        return ("playwright", driver, str(exe), str(stat.st_size), str(stat.st_mtime_ns), *BROWSER_ARGS, _READY_VERSION)

    def _run(self, who: str, html: Path, out: Path, suffix: str, *, timeout: float, allow_network: bool, width: int,
             height: int, write: Callable, fragment: str = "") -> Path:
        """Draw *html* in a tab and let *write* make a temporary file beside *out*; moved in when it has content."""
        src = Path(html).resolve()
        if not src.is_file():
            raise FileNotFoundError(_("{who}: no HTML file {path!r}").format(who=who, path=str(src)))
        with self._lock:
            if self._closed:
                raise ChromiumError(_("{who}: the shared browser is closed").format(who=who))
            tmp = temp_beside(Path(out), suffix)
            job = asyncio.run_coroutine_threadsafe(
                self._draw(src.as_uri() + fragment, tmp, allow_network=allow_network, timeout=timeout, width=width,
                           height=height, write=write), self._loop)
        try:
            try:
                job.result(timeout + 60)  # the browser's start, then the page's own limit
            except TimeoutError as exc:
                job.cancel()
                raise ChromiumError(_("{who}: the shared browser did not finish {page!r} within {timeout} s").format(
                    who=who, page=src.name, timeout=timeout)) from exc
            except ChromiumError:
                raise
            except Exception as exc:  # Playwright's own errors: the browser did not start, the page failed
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise ChromiumError(_("{who}: the shared browser failed on {page!r}: {reason}").format(
                    who=who, page=src.name, reason=first)) from exc
            if not tmp.is_file() or tmp.stat().st_size == 0:
                raise ChromiumError(_("{who}: the shared browser wrote nothing for {page!r}").format(who=who, page=src.name))
            os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
        return Path(out)

    def screenshot(self, html_path: str | os.PathLike[str], png_path: str | os.PathLike[str], *, width: int = 1200,
                   height: int = 900, allow_network: bool = False, timeout: float = 120) -> Path:
        """Screenshot the page as ``page.html#still`` (no zoom buttons) at *width* x *height*; written atomically.

        Raises
        ------
        FileNotFoundError
            No page at *html_path*.
        ChromiumError
            The browser did not start, the page did not finish drawing within *timeout* seconds, or no image.
        """
        async def shot(page, tmp: Path) -> None:
            await page.screenshot(path=str(tmp), type="png")

        return self._run("save_png", Path(html_path), Path(png_path), ".png", timeout=timeout, allow_network=allow_network,
                         width=width, height=height, write=shot, fragment="#still")

    def pdf(self, html_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str], *, timeout: float = 180) -> Path:
        """Print the page to PDF (its CSS ``@page`` sets paper and margins; no header or footer); offline.

        Raises
        ------
        ChromiumError
            The browser did not start, the page did not finish within *timeout* seconds, or it wrote no PDF.
        """
        async def printed(page, tmp: Path) -> None:
            await page.pdf(path=str(tmp), prefer_css_page_size=True, display_header_footer=False)
            if tmp.read_bytes()[:4] != b"%PDF":
                tmp.unlink()

        return self._run("print_pdf", Path(html_path), Path(pdf_path), ".pdf", timeout=timeout, allow_network=False,
                         width=1200, height=900, write=printed)

    def close(self) -> None:
        """Close the browser and stop its thread (waits for the pages being drawn); closing twice does nothing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        stop = asyncio.run_coroutine_threadsafe(self._stop(), self._loop)
        try:  # an error while closing is not the caller's: the driver ends its browser when its pipe closes
            with contextlib.suppress(Exception):
                stop.result(60)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


async def _offline_route(route) -> None:
    """Let ``file:`` and ``data:`` requests through; abort every other (no host is resolved offline)."""
    if route.request.url.startswith(("file:", "data:")):
        await route.continue_()
    else:
        await route.abort("namenotresolved")
