"""Export of zzgeo maps: offline HTML, PNG by headless Chromium, and a matplotlib fallback.

Folium's own ``Map.save`` writes a page that loads Leaflet and friends from
CDNs and shows nothing without a network. :func:`save_html` inlines Leaflet
(from ``xstatic-leaflet``), drops the libraries the page does not use, and
refuses to write a page that still points outside (a chosen basemap's tiles
excepted: tiles are online only). :func:`save_png` screenshots such a page
with headless Chromium (a process of its own, or a tab of a browser shared by
many PNGs, :mod:`zzgeo.maps.browser`); :func:`export_map` writes both and, when
no browser is present or it fails, draws the PNG with matplotlib from the map's
recorded layers, and says which renderer was used.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import folium

from zzgeo.maps.assets import chromium_command, find_chromium, inline_assets, notes_block, temp_beside, write_atomic
from zzgeo.errors import ChromiumError, MapExportError
from zzgeo.i18n import N_, _

if TYPE_CHECKING:
    from zzgeo.maps.browser import MapBrowser

__all__ = ["MapExport", "save_html", "save_png", "export_map", "render_png", "png_fingerprint", "find_chromium", "print_pdf"]

_CHROMIUM_INSTALL = "apt-get update && apt-get install -y chromium"


@dataclass(frozen=True)
class MapExport:
    """Files written by :func:`export_map` and which renderer drew the PNG.

    Attributes
    ----------
    html : pathlib.Path
    png : pathlib.Path or None
        None when no PNG was asked for.
    renderer : {"chromium", "chromium-playwright", "matplotlib", None}
        ``chromium``: one ``chromium --headless --screenshot`` process for this PNG; ``chromium-playwright``: a tab
        of one headless Chromium shared by many PNGs (:class:`zzgeo.maps.browser.MapBrowser`); ``matplotlib``:
        a static drawing of the map's layers.
    note : str
        How the PNG was made (and why Chromium was not used, when it was not).

    Examples
    --------
    Without a PNG only the page is written:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from zzgeo.maps import base_map, export_map
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     result = export_map(base_map(title="示例"), Path(folder) / "example.html")
    ...     result.html.name, result.html.is_file(), result.png, result.renderer
    ('example.html', True, None, None)
    """

    html: Path
    png: Path | None = None
    renderer: str | None = None  # "chromium" | "chromium-playwright" | "matplotlib" | None
    note: str = ""


def save_html(
    m: folium.Map,
    path: str | os.PathLike[str],
    *,
    offline: bool = True,
    source_notes: Sequence[str] | None = None,
    extra_assets: Mapping[str, str | os.PathLike[str]] | None = None,
) -> Path:
    """Write a map as one HTML file that, by default, works with no network.

    Parameters
    ----------
    m : folium.Map
    path : str or path-like
        Target file; written atomically (temp file in the same folder, then
        ``os.replace``).
    offline : bool, default True
        Inline Leaflet (and jQuery / d3 v3 when the page uses them) from the
        ``xstatic-*`` packages and drop the libraries the page does not use.
        When False, folium's page is written as is (CDN links).
    source_notes : sequence of str, optional
        Written into ``<meta name="zzgeo:source">`` tags and an HTML comment.
        Defaults to the map's caption lines (:class:`zzgeo.maps.MapState` ``notes``).
    extra_assets : mapping, optional
        Offline copies for other scripts/stylesheets (plugins): URL or file
        name -> local file.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    MapExportError
        ``offline`` and the page still needs something outside: a tile layer,
        other than the chosen basemap's, a library with no offline copy (e.g. awesome-markers icons), an image
        URL. The message lists the URLs.

    Examples
    --------
    The offline page loads no script or stylesheet from the network and
    records the map's source notes; an icon marker (awesome-markers, which has
    no offline copy) makes the offline save fail and write nothing.

    >>> import re
    >>> import tempfile
    >>> from pathlib import Path
    >>> import folium
    >>> from zzgeo.errors import MapExportError
    >>> from zzgeo.maps import base_map, save_html
    >>> m = base_map(title="示例", caption_lines=["来源: 示例数据"])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = save_html(m, Path(folder) / "example.html").read_text(encoding="utf-8")
    ...     online = save_html(m, Path(folder) / "online.html", offline=False).read_text(encoding="utf-8")
    ...     _ = folium.Marker([34.75, 113.66], icon=folium.Icon(icon="star")).add_to(m)
    ...     try:
    ...         save_html(m, Path(folder) / "icons.html")
    ...     except MapExportError as exc:
    ...         print(str(exc).splitlines()[0])
    ...     sorted(p.name for p in Path(folder).iterdir())
    save_html('...icons.html', offline=True): the page still needs the network:
    ['example.html', 'online.html']
    >>> page.startswith("<!DOCTYPE html>"), '<meta name="zzgeo:source" content="来源: 示例数据">' in page
    (True, True)
    >>> re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?://', page), len(re.findall(r'<script src="https?://', online)) > 0
    ([], True)
    """
    from zzgeo.maps.state import map_state

    path = Path(path)
    state = map_state(m)
    document = m.get_root().render()
    report = None
    if offline:
        document, report = inline_assets(document, extra_assets=extra_assets)
        tiles = _tile_prefix(state.basemap.url)
        # a query-style template (Tianditu's ...&TILEMATRIX={z}...) is found cut at its escaped "&": either may be the prefix
        report.remaining = [u for u in report.remaining if not (tiles and (u.startswith(tiles) or tiles.startswith(u)))]
        if not report.ok:
            listing = "\n  ".join([*report.missing, *report.remaining])
            raise MapExportError(
                _("save_html({path!r}, offline=True): the page still needs the network:\n  {listing}\n"
                  "Use tiles=None (no basemap), CircleMarkers instead of icon markers, "
                  "pass extra_assets for plugins, or save with offline=False.").format(path=str(path), listing=listing)
            )
    notes = tuple(dict.fromkeys(state.notes)) if source_notes is None else tuple(source_notes)
    block = notes_block(notes, offline, report, f"folium {folium.__version__}") + "\n" + _STILL
    head = document.find("<head>")
    document = (document[: head + 6] + "\n" + block + document[head + 6 :]) if head >= 0 else block + document
    if not document.lstrip().lower().startswith("<!doctype"):
        document = "<!DOCTYPE html>\n" + document
    write_atomic(path, document.encode("utf-8"))
    return path


#: A still of a map (its PNG, the PDF and Word pages made from it, a page printed from the browser) has no use for
#: Leaflet's zoom buttons and layer list: they are hidden when the page is opened as ``map.html#still`` (how
#: :func:`save_png` opens it) or printed; the interactive page keeps them.
_STILL = ("<style>html.zzgeo-still .leaflet-control-zoom, html.zzgeo-still .leaflet-control-layers {display: none}\n"
          "@media print {.leaflet-control-zoom, .leaflet-control-layers {display: none}}</style>\n"
          "<script>if (location.hash === \"#still\") document.documentElement.classList.add(\"zzgeo-still\");</script>")


def save_png(
    html_path: str | os.PathLike[str],
    png_path: str | os.PathLike[str],
    *,
    width: int = 1200,
    height: int = 900,
    chromium: str | os.PathLike[str] | None = None,
    wait_ms: int = 3000,
    allow_network: bool = False,
    timeout: float = 120,
    browser: MapBrowser | None = None,
) -> Path:
    """Screenshot an HTML map with headless Chromium.

    Parameters
    ----------
    html_path : str or path-like
        Page to render, normally written by :func:`save_html`.
    png_path : str or path-like
        Target PNG; written atomically.
    width, height : int
        Window size in CSS pixels.
    chromium : str or path-like, optional
        Browser executable; default ``chromium`` (or ``chromium-browser``,
        ``google-chrome``) on ``PATH``.
    wait_ms : int, default 3000
        Virtual-time budget given to the page before the shot, so Leaflet has drawn.
    allow_network : bool, default False
        By default every host name fails to resolve, so the PNG shows exactly
        what the offline file holds.
    timeout : float
        Seconds before Chromium is given up on.
    browser : MapBrowser, optional
        Draw the page in a tab of this shared browser (:func:`zzgeo.maps.browser.open_browser`) instead of
        starting a Chromium process for it; *chromium* and *wait_ms* are then not used (the page is shot once
        it has drawn, see :mod:`zzgeo.maps.browser`).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        ``html_path`` does not exist.
    ChromiumError
        No Chromium found (install: ``apt-get update && apt-get install -y chromium``),
        or it failed or wrote no image (or did not finish drawing in time).

    See Also
    --------
    export_map : Writes the page and its PNG, with a matplotlib drawing when there is no browser.

    Examples
    --------
    Where the browser is installed, ``save_png(html, png)`` writes the
    screenshot and returns its path. A browser that does not exist, or a page
    that does not, is an error naming what to do:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from zzgeo.maps import base_map, save_html, save_png
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = save_html(base_map(title="示例"), Path(folder) / "example.html")
    ...     save_png(page, Path(folder) / "example.png", chromium="/no/such/chromium")
    Traceback (most recent call last):
    ...
    zzgeo.errors.ChromiumError: save_png: headless Chromium not found (chromium='/no/such/chromium'); install it with `apt-get update && apt-get install -y chromium` or pass chromium='/path/to/chromium'
    >>> save_png("/no/such/page.html", "/no/such/page.png")
    Traceback (most recent call last):
    ...
    FileNotFoundError: save_png: no HTML file '/no/such/page.html'
    """
    src = Path(html_path).resolve()
    if not src.is_file():
        raise FileNotFoundError(_("save_png: no HTML file {path!r}").format(path=str(src)))
    if browser is not None:
        return browser.screenshot(src, png_path, width=width, height=height, allow_network=allow_network, timeout=timeout)
    exe = find_chromium(chromium)
    if exe is None:
        raise ChromiumError(
            _("save_png: headless Chromium not found (chromium={chromium!r}); install it with "
              "`{install}` or pass chromium='/path/to/chromium'").format(chromium=chromium, install=_CHROMIUM_INSTALL)
        )
    out = Path(png_path)
    tmp = temp_beside(out, ".png")
    profile = tempfile.mkdtemp(prefix="zzgeo-chromium-")
    cmd = chromium_command(exe, profile=profile, shot=tmp, width=width, height=height,
                           wait_ms=wait_ms, allow_network=allow_network)
    Path(tmp).unlink()
    return _run_chromium(cmd, src, Path(tmp), out, profile, who="save_png", made=N_("image"), timeout=timeout,
                         valid=lambda path: path.stat().st_size > 0, fragment="#still")  # a still: no zoom buttons


def _run_chromium(cmd: list[str], src: Path, tmp: Path, out: Path, profile: str, *, who: str, made: str, timeout: float,
                  valid: Callable[[Path], bool], fragment: str = "") -> Path:
    """Run headless Chromium *cmd* on the page *src* (its URL + *fragment*); it writes *tmp*, moved to *out* when *valid*;
    the temporary file and the profile folder are removed whatever happens."""
    try:
        proc = subprocess.run([*cmd, src.as_uri() + fragment], capture_output=True, text=True, timeout=timeout)
        if not tmp.is_file() or not valid(tmp):
            tail = "\n".join((proc.stderr or "").strip().splitlines()[-8:])
            raise ChromiumError(_("{who}: Chromium wrote no {made} (exit {code}):\n{tail}").format(who=who, made=_(made), code=proc.returncode, tail=tail))
        os.replace(tmp, out)
    except subprocess.TimeoutExpired as exc:
        raise ChromiumError(_("{who}: Chromium did not finish within {timeout} s").format(who=who, timeout=timeout)) from exc
    finally:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(profile, ignore_errors=True)
    return out


def print_pdf(html_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str], *, chromium: str | None = None,
              timeout: float = 180.0, wait_ms: int = 3000, browser: MapBrowser | None = None) -> Path:
    """Print a local HTML page to PDF with headless Chromium, atomically (the page's CSS ``@page`` sets the paper).

    Chromium embeds the fonts the page uses (subsets), Chinese ones included. Network access is blocked as for
    PNGs: the page must be self-contained (local images are fine). With *browser* (a shared
    :class:`zzgeo.maps.browser.MapBrowser`) the page is printed in a tab of it, once loaded, instead of by a
    Chromium process of its own; if that fails, by a process of its own.

    Raises
    ------
    ChromiumError
        No Chromium found, it wrote no PDF, or it did not finish within *timeout* seconds.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = Path(folder) / "p.html"
    ...     _ = page.write_text("<p>郑州</p>", encoding="utf-8")
    ...     print_pdf(page, Path(folder) / "p.pdf", chromium="/no/such/chromium")
    Traceback (most recent call last):
    ...
    zzgeo.errors.ChromiumError: print_pdf: headless Chromium not found (chromium='/no/such/chromium'); install it with `apt-get update && apt-get install -y chromium`
    """
    src = Path(html_path).resolve()
    if browser is not None:
        try:
            return browser.pdf(src, pdf_path, timeout=timeout)
        except ChromiumError:
            pass  # the process of its own below says what is wrong, if anything is
    exe = find_chromium(chromium)
    if exe is None:
        raise ChromiumError(_("print_pdf: headless Chromium not found (chromium={chromium!r}); install it with `{install}`").format(
            chromium=chromium, install=_CHROMIUM_INSTALL))
    out = Path(pdf_path)
    tmp = Path(temp_beside(out, ".pdf"))
    tmp.unlink(missing_ok=True)
    profile = tempfile.mkdtemp(prefix="zzgeo-chromium-")
    cmd = chromium_command(exe, profile=profile, pdf=tmp, wait_ms=wait_ms, allow_network=False)
    return _run_chromium(cmd, src, tmp, out, profile, who="print_pdf", made=N_("PDF"), timeout=timeout,
                         valid=lambda path: path.read_bytes()[:4] == b"%PDF")


def _tile_prefix(url: str | None) -> str | None:
    """The fixed start of a tile URL template (before the first ``{``), or None."""
    return url.split("{", 1)[0] if url else None


def export_map(
    m: folium.Map,
    html_path: str | os.PathLike[str],
    *,
    png: bool | str | os.PathLike[str] = False,
    renderer: str = "auto",
    width: int = 1200,
    height: int = 900,
    chromium: str | os.PathLike[str] | None = None,
    browser: MapBrowser | None = None,
) -> MapExport:
    """Write *m* as offline HTML and, if asked, as PNG; say which renderer drew the PNG.

    Parameters
    ----------
    m : folium.Map
    html_path : str or path-like
    png : bool or path-like
        False: no PNG; True: beside the HTML with suffix ``.png``; a path: there.
    renderer : {"auto", "chromium", "matplotlib"}
        ``auto`` uses headless Chromium when it is installed and works, else
        draws a static map with matplotlib from the map's recorded layers
        (no tiles, no interactivity, same colours, legend, banner and caption).
    width, height : int
        PNG size in pixels.
    chromium : path-like, optional
        Browser executable.
    browser : MapBrowser, optional
        A shared headless browser (:func:`zzgeo.maps.browser.open_browser`) to draw the PNG in, for callers
        that export many maps; when it fails, Chromium is started for this PNG as without it.

    Returns
    -------
    MapExport

    Raises
    ------
    MapExportError
        An unknown *renderer*, or a page that needs the network (see :func:`save_html`).
    ChromiumError
        ``renderer="chromium"`` and Chromium is missing or fails.

    Examples
    --------
    The PNG drawn with matplotlib (no browser needed), beside the page:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from zzgeo.maps import choropleth_map, export_map
    >>> blocks = gpd.GeoDataFrame({"class": ["II", "III"]},
    ...                           geometry=[box(113.60 + i / 20, 34.74, 113.64 + i / 20, 34.78) for i in range(2)], crs=4326)
    >>> m = choropleth_map(blocks, "class", title="示例 example", districts=False)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     result = export_map(m, Path(folder) / "example.html", png=True, renderer="matplotlib")
    ...     result.png.name, result.png.stat().st_size > 0, result.renderer
    ...     sorted(p.name for p in Path(folder).iterdir())  # no temporary files left
    ('example.png', True, 'matplotlib')
    ['example.html', 'example.png']
    >>> result.note
    "static matplotlib drawing of the map's layers (no browser)"
    """
    if renderer not in ("auto", "chromium", "matplotlib"):
        raise MapExportError(_("renderer {renderer!r}: use auto, chromium or matplotlib").format(renderer=renderer))
    if png is False:
        return MapExport(save_html(m, html_path))
    final_html = Path(html_path)
    final_png = final_html.with_suffix(".png") if png is True else Path(png)
    final_html.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{final_html.stem}.", dir=final_html.parent))
    try:  # both files are made beside the targets and moved in together: a failed PNG leaves no new HTML
        html = save_html(m, folder / final_html.name)
        made = _png(m, html, folder / f"png-{final_png.name}", renderer=renderer, width=width, height=height, chromium=chromium,
                    browser=browser)
        final_png.parent.mkdir(parents=True, exist_ok=True)
        os.replace(made.png, final_png)
        os.replace(html, final_html)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return MapExport(final_html, final_png, made.renderer, made.note)


def render_png(
    m: folium.Map,
    html_path: str | os.PathLike[str],
    png_path: str | os.PathLike[str],
    *,
    renderer: str = "auto",
    width: int = 1200,
    height: int = 900,
    chromium: str | os.PathLike[str] | None = None,
    browser: MapBrowser | None = None,
) -> MapExport:
    """The PNG of a page already written by :func:`save_html` from *m*: Chromium, else (``auto``) matplotlib.

    :func:`export_map` writes the page and its PNG together; this draws the PNG of a page on its own,
    so a caller can write many pages first and draw their PNGs in parallel (the report bundle does).

    Parameters
    ----------
    m : folium.Map
        The map the page was written from (the matplotlib drawing reads its layers).
    html_path, png_path : str or path-like
        The page, and the PNG to write (atomically).
    renderer : {"auto", "chromium", "matplotlib"}
    width, height : int
    chromium : path-like, optional
    browser : MapBrowser, optional
        A shared headless browser to draw in (see :func:`export_map`); this function may be called from many
        threads with the same browser.

    Returns
    -------
    MapExport

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from zzgeo.maps import base_map, render_png, save_html
    >>> m = base_map(title="示例")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = save_html(m, Path(folder) / "example.html")
    ...     made = render_png(m, page, Path(folder) / "example.png", renderer="matplotlib", width=300, height=200)
    ...     made.png.name, made.png.stat().st_size > 0, made.renderer
    ('example.png', True, 'matplotlib')
    """
    if renderer not in ("auto", "chromium", "matplotlib"):
        raise MapExportError(_("renderer {renderer!r}: use auto, chromium or matplotlib").format(renderer=renderer))
    return _png(m, Path(html_path), Path(png_path), renderer=renderer, width=width, height=height, chromium=chromium,
                browser=browser)


#: folium names every element ``<kind>_<uuid4 hex>``: a new name on every build of the same map.
_ELEMENT_ID = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])")
_STAMP = re.compile(r'<meta name="zzgeo:created" content="[^"]*">|zzgeo\.maps export, \S+')


def png_fingerprint(
    html_path: str | os.PathLike[str],
    *,
    renderer: str = "auto",
    width: int = 1200,
    height: int = 900,
    chromium: str | os.PathLike[str] | None = None,
    browser: MapBrowser | None = None,
) -> str:
    """A hash of everything the PNG of a page depends on: two pages with the same fingerprint draw the same PNG.

    The page as written, with folium's random element names numbered in order of first appearance and
    the export time stamp left out (neither is drawn); the renderer that :func:`render_png` would use now
    (Chromium: its executable, size and modification time, and its command-line flags, or, with a shared
    *browser*, Playwright's version, the browser's flags and how a page is waited for; matplotlib: the
    drawing code); the size; and the zzgeo version. A PNG drawn one way never has the fingerprint of the other.

    Parameters
    ----------
    html_path : str or path-like
        A page written by :func:`save_html`.
    renderer, width, height, chromium, browser
        As for :func:`render_png`.

    Returns
    -------
    str
        Hex SHA-256.

    Examples
    --------
    The same map built twice gets new element names but the same fingerprint; another size does not.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from zzgeo.maps import base_map, png_fingerprint, save_html
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     a = save_html(base_map(title="示例"), Path(folder) / "a.html")
    ...     b = save_html(base_map(title="示例"), Path(folder) / "b.html")
    ...     a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8"), png_fingerprint(a) == png_fingerprint(b)
    ...     png_fingerprint(a) == png_fingerprint(a, width=800)
    (False, True)
    False
    """
    from zzgeo import __version__

    page = _STAMP.sub("", Path(html_path).read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    page = _ELEMENT_ID.sub(lambda hit: names.setdefault(hit.group(0), f"zz{len(names)}"), page)
    exe = find_chromium(chromium) if renderer != "matplotlib" else None
    if exe and browser is not None:
        drawn = ["chromium-playwright", *browser.identity]
    elif exe:
        stat = Path(exe).resolve().stat()
        drawn = [str(Path(exe).resolve()), str(stat.st_size), str(stat.st_mtime_ns),
                 *chromium_command("EXE", profile="P", shot=Path("S"), width=width, height=height, wait_ms=3000, allow_network=False)]
    else:
        drawn = ["matplotlib", (Path(__file__).with_name("static.py")).read_text(encoding="utf-8")]
    digest = hashlib.sha256()
    for part in ("zzgeo-png-1", __version__, renderer, str(width), str(height), *drawn, page):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _png(m: folium.Map, html: Path, target: Path, *, renderer: str, width: int, height: int, chromium,
         browser: MapBrowser | None = None) -> MapExport:
    """The PNG of a saved page: a tab of the shared *browser*, else a headless Chromium process of its own, else
    (``auto``) a matplotlib drawing of the map's layers."""
    note = ""
    if renderer != "matplotlib" and browser is not None:
        try:
            return MapExport(html, save_png(html, target, width=width, height=height, browser=browser), "chromium-playwright",
                             _("screenshot of the offline page in one headless Chromium shared by the maps (Playwright)"))
        except ChromiumError as exc:
            note = f"{str(exc).splitlines()[0]}; "
    if renderer != "matplotlib":
        try:
            return MapExport(html, save_png(html, target, width=width, height=height, chromium=chromium), "chromium",
                             note + _("headless Chromium screenshot of the offline page"))
        except ChromiumError as exc:
            if renderer == "chromium":
                raise
            note += f"{str(exc).splitlines()[0]}; "
    from zzgeo.maps.static import render_static
    from zzgeo.maps.state import map_state

    render_static(map_state(m), target, width=width, height=height)
    return MapExport(html, target, "matplotlib", note + _("static matplotlib drawing of the map's layers (no browser)"))
