"""Offline export plumbing for :mod:`zzgeo.maps`.

Three parts: the inline map furniture (legend/caption/banner boxes, metric
scale bar) that needs nothing but Leaflet; the pass that turns a rendered
folium page into one self-contained offline HTML document; and atomic writing,
page notes and the headless-Chromium command line.

Folium's page loads Leaflet, jQuery, Bootstrap, Font Awesome and
Leaflet.awesome-markers from CDNs. This module replaces each such
``<script src=...>`` / ``<link rel=stylesheet href=...>`` by one of:

* **inline** -- the library text from an installed ``xstatic-*`` package
  (Leaflet always; jQuery and d3 v3 only when the page's own scripts call them);
* **strip** -- the tag is dropped because nothing on the page uses it
  (Bootstrap, glyphicons, Font Awesome, awesome-markers and its rotate CSS
  when no ``L.AwesomeMarkers`` icon is used);
* **error** -- the page needs it and there is no offline copy.

It then checks the page for any http(s) reference left (tag attributes,
CSS ``url()``/``@import``, URLs inside the page's own scripts such as tile
layers) *before* the trusted library texts go in, so a leftover reference
is reported instead of failing silently in the browser.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import html
import importlib
import os
import re
import secrets
import shutil
from collections.abc import Callable, Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path

from branca.element import MacroElement
from jinja2 import Template

from zzgeo.i18n import N_, _

__all__ = [
    "OVERLAY_CSS",
    "Overlay",
    "MetricScale",
    "add_furniture",
    "OfflineReport",
    "inline_assets",
    "find_external_references",
    "offline_versions",
    "temp_beside",
    "write_atomic",
    "notes_block",
    "chromium_command",
    "find_chromium",
]

# --- map furniture: static HTML moved into the map by a few lines of Leaflet code ---------

OVERLAY_CSS = """
.zzgeo-box{background:rgba(255,255,255,.92);padding:6px 10px;border-radius:4px;
  box-shadow:0 1px 4px rgba(0,0,0,.35);font:13px/1.35 "Helvetica Neue",Arial,"Noto Sans CJK SC",
  "WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif;color:#222}
.zzgeo-top{position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:800;
  text-align:center;max-width:70%}
.zzgeo-title{font-size:17px;font-weight:bold}
.zzgeo-banner{margin-top:6px;background:#b00020;color:#fff;font-weight:bold;font-size:14px;
  padding:6px 12px;border:2px solid #fff;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.5)}
.zzgeo-legend i{display:inline-block;width:18px;height:12px;margin-right:6px;
  border:1px solid #666;vertical-align:middle}
.zzgeo-legend{max-width:420px}
.zzgeo-legend b{display:block;margin-bottom:4px}
.zzgeo-caption{font-size:11px;max-width:420px}
.zzgeo-box:empty{display:none}
.zzgeo-legend .zzgeo-dot{border-radius:50%;width:10px;height:10px;margin:0 10px 0 4px}
.zzgeo-legend .zzgeo-line{height:0;border-width:2px 0 0 0;background:none}
.zzgeo-legend b+div{margin-top:0}.zzgeo-legend div+b{margin-top:6px}
.zzgeo-label{background:none;border:none}
.zzgeo-label span{display:inline-block;transform:translate(-50%,-50%);white-space:nowrap;pointer-events:none;
  font:bold 12px "Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;color:#333;
  text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff}
.leaflet-tooltip{font-family:Arial,"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif}
.zzgeo-north{text-align:center;font:bold 14px Arial,sans-serif;padding:4px 6px}
"""


class Overlay(MacroElement):
    """Static HTML put into a Leaflet control corner, or centred on top of the map."""

    _template = Template(
        """
{% macro header(this, kwargs) %}{% if this.css %}<style>{{ this.css }}</style>{% endif %}{% endmacro %}
{% macro html(this, kwargs) %}<div id="{{ this.get_name() }}" class="{{ this.classes }}">
{{ this.text }}</div>{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
    var el = document.getElementById("{{ this.get_name() }}");
    var map = {{ this._parent.get_name() }};
    {% if this.position == "top" %}map.getContainer().appendChild(el);
    {% else %}var c = L.control({position: "{{ this.position }}"});
    c.onAdd = function () { return el; };
    c.addTo(map);{% endif %}
    L.DomEvent.disableClickPropagation(el);
    L.DomEvent.disableScrollPropagation(el);
})();
{% endmacro %}
"""
    )

    def __init__(self, content: str | Callable[[], str], *, position: str, classes: str, css: str = "") -> None:
        super().__init__()
        self._name = "ZzgeoOverlay"
        self.content, self.position, self.classes, self.css = content, position, classes, css

    @property
    def text(self) -> str:
        """The HTML shown; a callable content is asked at render time (legends that grow with the map)."""
        return self.content() if callable(self.content) else self.content


class MetricScale(MacroElement):
    """Leaflet's scale bar, metric only (folium's ``control_scale`` adds feet and miles)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
L.control.scale({metric: true, imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
{% endmacro %}"""
    )


def add_furniture(
    m: MacroElement,
    *,
    title: str,
    banner: Callable[[], str],
    legend: Callable[[], str],
    caption: Callable[[], str],
    north_arrow: bool,
    background: str | None,
) -> None:
    """Add title, demo banner, legend, caption, north arrow and metric scale to a map.

    ``banner``, ``legend`` and ``caption`` are asked for their (escaped) HTML
    when the page is rendered, so layers added later still appear in them; an
    empty box is not shown. ``background`` (when not None) is the CSS colour of
    the map container, seen where there are no tiles.
    """
    esc = html.escape
    MetricScale().add_to(m)
    css = OVERLAY_CSS
    if background is not None:
        css = f"#{m.get_name()}.leaflet-container{{background:{esc(background)}}}" + css
    head = f'<div class="zzgeo-box zzgeo-title">{esc(title)}</div>' if title else ""
    Overlay(lambda: head + banner(), position="top", classes="zzgeo-top", css=css).add_to(m)
    Overlay(legend, position="bottomright", classes="zzgeo-box zzgeo-legend").add_to(m)
    Overlay(caption, position="bottomleft", classes="zzgeo-box zzgeo-caption").add_to(m)
    if north_arrow:
        arrow = ('<svg width="22" height="30" viewBox="0 0 22 30" aria-label="north">'
                 '<polygon points="11,0 21,28 11,21 1,28" fill="#222"/></svg><div>N</div>')
        Overlay(arrow, position="topright", classes="zzgeo-box zzgeo-north").add_to(m)


# --- where the offline copies live -------------------------------------------------


def _xstatic_dir(pkg: str) -> Path | None:
    """Data directory of ``xstatic.pkg.<pkg>``, or None when it is not installed."""
    try:
        mod = importlib.import_module(f"xstatic.pkg.{pkg}")
    except ImportError:
        return None
    return Path(mod.BASE_DIR)


def _xstatic_version(pkg: str) -> str:
    mod = importlib.import_module(f"xstatic.pkg.{pkg}")
    return str(getattr(mod, "VERSION", "?"))


_SOURCEMAP = re.compile(r"^\s*//[#@] sourceMappingURL=.*$|/\*[#@] sourceMappingURL=.*?\*/", re.M)


def _read(pkg: str, name: str) -> str | None:
    base = _xstatic_dir(pkg)
    if base is None or not (base / name).is_file():
        return None
    return _SOURCEMAP.sub("", (base / name).read_text(encoding="utf-8"))


def _data_uri(path: Path) -> str:
    mime = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif"}.get(
        path.suffix.lower(), "application/octet-stream"
    )
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _leaflet_css() -> str | None:
    css = _read("leaflet", "leaflet.css")
    base = _xstatic_dir("leaflet")
    if css is None or base is None:
        return None

    def repl(m: re.Match[str]) -> str:
        target = base / m.group(2)
        return f"url({_data_uri(target)})" if target.is_file() else m.group(0)

    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)  # comments (one cites a bug-tracker URL)
    return re.sub(r"url\((['\"]?)(images/[\w.-]+)\1\)", repl, css)


def _leaflet_js() -> str | None:
    js = _read("leaflet", "leaflet.js")
    base = _xstatic_dir("leaflet")
    if js is None or base is None:
        return None
    # Default marker icons: Leaflet finds them via a CSS url() it cannot parse once
    # the url is a data URI, so point L.Icon.Default at data URIs explicitly.
    img = base / "images"
    icons = {
        "iconUrl": "marker-icon.png",
        "iconRetinaUrl": "marker-icon-2x.png",
        "shadowUrl": "marker-shadow.png",
    }
    opts = ", ".join(
        f'{k}: "{_data_uri(img / v)}"' for k, v in icons.items() if (img / v).is_file()
    )
    return js + f"\n;L.Icon.Default.imagePath = '';\nL.Icon.Default.mergeOptions({{{opts}}});\n"


# --- the rules ---------------------------------------------------------------------

INLINE, STRIP, ERROR = "inline", "strip", "error"


@dataclasses.dataclass(frozen=True)
class _Rule:
    label: str
    url: re.Pattern[str]
    load: Callable[[], str | None] | None  # None: no offline copy exists
    used: re.Pattern[str] | None  # None: always needed
    hint: str = N_("no offline copy is available")


def _p(s: str) -> re.Pattern[str]:
    return re.compile(s, re.I)


#: For each "used" pattern, lower-case strings of which at least one occurs wherever the pattern matches: a page
#: holds megabytes of GeoJSON, and a case-blind regex over it costs 20-160 ms, a substring test a few. The regex
#: still decides when a needle is found.
_NEEDLES: dict[str, tuple[str, ...]] = {
    r"(?<![\w$.])(?:jQuery|\$)\s*[(.]": ("jquery", "$"),
    r"\bd3\.": ("d3.",),
    r"\bbootstrap\.|data-bs-": ("bootstrap.", "data-bs-"),
    r"glyphicon": ("glyphicon",),
    r"L\.AwesomeMarkers|class=\W*fa[srb]?\s|\bfa-[a-z]": ("l.awesomemarkers", "fa-", "fa ", "fa\t", "fa\n", "fa\r", "fa\f", "fa\v",
                                                        "fas", "far", "fab"),
    r"L\.AwesomeMarkers": ("l.awesomemarkers",),
    r"(?!)": (),
}


_AWESOME = _p(r"L\.AwesomeMarkers")
_NO_AWESOME = N_(
    "Leaflet.awesome-markers has no offline copy on PyPI: use zzgeo.maps.add_points "
    "(CircleMarkers) or folium.CircleMarker instead of folium.Marker(icon=folium.Icon(...))"
)

_RULES: tuple[_Rule, ...] = (
    _Rule("leaflet.js", _p(r"leaflet(@[\w.-]+)?/dist/leaflet(-src)?\.js$|/leaflet(\.min)?\.js$"),
          _leaflet_js, None, "pip install xstatic-leaflet"),
    _Rule("leaflet.css", _p(r"leaflet(@[\w.-]+)?/dist/leaflet\.css$|/leaflet(\.min)?\.css$"),
          _leaflet_css, None, "pip install xstatic-leaflet"),
    _Rule("jquery", _p(r"/jquery[-.\d]*(\.min)?\.js$"), lambda: _read("jquery", "jquery.min.js"),
          _p(r"(?<![\w$.])(?:jQuery|\$)\s*[(.]"), "pip install xstatic-jquery"),
    _Rule("d3 v3", _p(r"/d3/3\.[\d.]+/d3(\.min)?\.js$|/d3\.v3(\.min)?\.js$"),
          lambda: _read("d3", "d3.js"), _p(r"\bd3\."), "pip install xstatic-d3"),
    _Rule("bootstrap.js", _p(r"/bootstrap[^/]*\.js$"), None, _p(r"\bbootstrap\.|data-bs-")),
    # Bootstrap's CSS only restyles folium's page; nothing depends on it: always dropped.
    _Rule("bootstrap.css", _p(r"/bootstrap(\.min)?\.css$"), None, _p(r"(?!)")),
    _Rule("glyphicons", _p(r"bootstrap-glyphicons\.css$"), None, _p(r"glyphicon")),
    _Rule("font-awesome", _p(r"fontawesome|font-awesome"), None,
          _p(r"L\.AwesomeMarkers|class=\W*fa[srb]?\s|\bfa-[a-z]"), _NO_AWESOME),
    _Rule("awesome-markers", _p(r"awesome-markers"), None, _AWESOME, _NO_AWESOME),
    _Rule("awesome-rotate", _p(r"leaflet\.awesome\.rotate"), None, _AWESOME, _NO_AWESOME),
)

# --- finding references ------------------------------------------------------------

_SCRIPT_TAG = re.compile(
    r"<script\b[^>]*?\bsrc\s*=\s*(['\"])(?P<url>[^'\"]+)\1[^>]*>\s*</script\s*>", re.I
)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_HREF = re.compile(r"\bhref\s*=\s*(['\"])(?P<url>[^'\"]+)\1", re.I)
_STYLESHEET = re.compile(r"\brel\s*=\s*(['\"])[^'\"]*stylesheet[^'\"]*\1", re.I)
_URL = re.compile(r"https?://[^\s'\"<>`)\\]+", re.I)
_CSS_PROTO_REL = re.compile(r"(?:url\(\s*|@import\s+)['\"]?(//[^\s'\")]+)", re.I)
_NAMESPACE = re.compile(r"^https?://www\.w3\.org/", re.I)
_URL_ATTRS = {"src", "href", "srcset", "poster", "data", "background", "action", "xlink:href"}


class _RefFinder(HTMLParser):
    """Collect external URLs in URL attributes and in <script>/<style> text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._code = tag in ("script", "style")
        for name, value in attrs:
            if not value:
                continue
            if name in _URL_ATTRS:
                value = value.strip()
                self.urls += [value] if value.startswith("//") else _external(value)
            elif name == "style":
                self.urls += _external(value)

    def handle_endtag(self, tag: str) -> None:
        self._code = False

    def handle_data(self, data: str) -> None:
        if self._code:
            self.urls += _external(data)


def _external(text: str) -> list[str]:
    urls = [m.group(0) for m in _URL.finditer(text)]
    urls += [m.group(1) for m in _CSS_PROTO_REL.finditer(text)]
    return [u for u in urls if not _NAMESPACE.match(u)]


def find_external_references(document: str) -> list[str]:
    """Return every http(s) or protocol-relative URL the page would fetch or link.

    Looks at URL-valued attributes (``src``, ``href``, ...), inline ``style``
    attributes and the text of ``<script>`` and ``<style>`` elements. Plain text
    in the page body is not looked at, so a source URL written in a caption is fine.
    """
    finder = _RefFinder()
    finder.feed(document)
    finder.close()
    return list(dict.fromkeys(finder.urls))


# --- the pass ------------------------------------------------------------------------


@dataclasses.dataclass
class OfflineReport:
    """What :func:`inline_assets` did to each external reference."""

    inlined: list[str] = dataclasses.field(default_factory=list)
    stripped: list[str] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)
    remaining: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is missing and no external reference remains."""
        return not self.missing and not self.remaining


def _escape_js(text: str) -> str:
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.I)


def _escape_css(text: str) -> str:
    return re.sub(r"</(style)", r"<\\/\1", text, flags=re.I)


def inline_assets(
    document: str, *, extra_assets: Mapping[str, str | Path] | None = None
) -> tuple[str, OfflineReport]:
    """Inline or strip every external script and stylesheet of a rendered page.

    Parameters
    ----------
    document : str
        A rendered HTML page (``folium.Map.get_root().render()``).
    extra_assets : mapping of str to path, optional
        Offline copies for URLs no built-in rule knows (folium plugins): the
        key is the full URL or its last path segment, the value a local file.

    Returns
    -------
    str, OfflineReport
        The new page and what was done. The page is only usable offline when
        ``report.ok`` is true; ``report.missing`` and ``report.remaining`` list
        what still points outside.
    """
    extra = {str(k): Path(v) for k, v in (extra_assets or {}).items()}
    report = OfflineReport()
    tags: list[tuple[re.Match[str], str, str]] = []  # (match, url, "js"/"css")
    tags += [(m, m.group("url"), "js") for m in _SCRIPT_TAG.finditer(document)]
    for m in _LINK_TAG.finditer(document):
        href = _HREF.search(m.group(0))
        if href and _STYLESHEET.search(m.group(0)):
            tags.append((m, href.group("url"), "css"))
    tags.sort(key=lambda t: t[0].start())

    # The page's own content, without the library tags: what "used" rules look at.
    own, pos = [], 0
    for m, _url, _kind in tags:
        own.append(document[pos : m.start()])
        pos = m.end()
    own.append(document[pos:])
    own_text = "".join(own)
    seen: dict[str, bool] = {}

    lowered: list[str] = []

    def used(pattern: re.Pattern[str]) -> bool:
        """Whether the page's own text matches *pattern*; each pattern searched once (the awesome-markers rules
        share one), and only where one of its :data:`_NEEDLES` occurs."""
        if pattern.pattern not in seen:
            if not lowered:
                lowered.append(own_text.lower())
            needles = _NEEDLES.get(pattern.pattern)
            if needles is not None and not any(n in lowered[0] for n in needles):
                seen[pattern.pattern] = False
            else:
                seen[pattern.pattern] = pattern.search(own_text) is not None
        return seen[pattern.pattern]

    pieces: list[str] = []  # alternating page text and placeholders
    payloads: dict[str, str] = {}
    pos = 0
    for i, (m, url, kind) in enumerate(tags):
        pieces.append(document[pos : m.start()])
        pos = m.end()
        if not re.match(r"^(https?:)?//", url, re.I):
            pieces.append(m.group(0))  # a relative or data: reference: leave to the checker
            continue
        local = extra.get(url) or extra.get(url.rstrip("/").rsplit("/", 1)[-1])
        rule = next((r for r in _RULES if r.url.search(url)), None)
        if local is not None:
            text: str | None = local.read_text(encoding="utf-8")
        elif rule is None:
            report.missing.append(_("{url} (no offline copy known; pass extra_assets)").format(url=url))
            continue
        elif rule.used is not None and not used(rule.used):
            report.stripped.append(rule.label)
            continue
        else:
            text = rule.load() if rule.load is not None else None
            if text is None:
                report.missing.append(_("{url} ({label} is used on the page; {hint})").format(url=url, label=rule.label, hint=_(rule.hint)))
                continue
        label = Path(local).name if local is not None else rule.label  # type: ignore[union-attr]
        key = f"\x00zzgeo-asset-{i}\x00"
        payloads[key] = (
            f"<script>/* zzgeo offline copy: {label} */\n{_escape_js(text)}\n</script>"
            if kind == "js"
            else f"<style>/* zzgeo offline copy: {label} */\n{_escape_css(text)}\n</style>"
        )
        pieces.append(key)
        report.inlined.append(label)
    pieces.append(document[pos:])
    page = "".join(pieces)
    # Check what is left *before* trusted library text goes in (Leaflet's own source
    # names leafletjs.com in its attribution prefix, which is a link, not a load).
    report.remaining = [u for u in find_external_references(page)]
    for key, payload in payloads.items():
        page = page.replace(key, payload, 1)
    return page, report


def offline_versions() -> dict[str, str]:
    """Versions of the xstatic packages used for inlining (for the page's notes)."""
    out = {}
    for pkg in ("leaflet", "jquery", "d3"):
        if _xstatic_dir(pkg) is not None:
            out[pkg] = _xstatic_version(pkg)
    return out


# --- writing and rendering ------------------------------------------------------------


def temp_beside(path: Path, suffix: str) -> Path:
    """A new, empty file next to ``path`` (mode 0o666 less the umask, unlike mkstemp); makes the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}{suffix}"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path``, fsync it, then ``os.replace``."""
    tmp = temp_beside(path, ".tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def notes_block(notes: Sequence[str], offline: bool, report: OfflineReport | None, generator: str) -> str:
    """``<meta>`` tags and an HTML comment recording sources and what was inlined."""
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    metas = [f'<meta name="generator" content="zzgeo.maps ( {html.escape(generator)})">',
             f'<meta name="zzgeo:created" content="{stamp}">',
             f'<meta name="zzgeo:offline" content="{str(offline).lower()}">']
    metas += [f'<meta name="zzgeo:source" content="{html.escape(n, quote=True)}">' for n in notes]
    lines = [f"zzgeo.maps export, {stamp}", *(f"source: {n}" for n in notes)]
    if report is not None:
        lines += [f"inlined: {x}" for x in report.inlined] + [f"stripped: {x}" for x in report.stripped]
        versions = ", ".join(f"{k} {v}" for k, v in offline_versions().items())
        lines.append(f"offline copies from xstatic packages: {versions}")
    # escaped like the rest of the page (a source note is user text), and "--" may not appear in a comment
    comment = html.escape("\n".join(lines), quote=False).replace("--", "\u2013")
    return "\n".join(metas) + f"\n<!--\n{comment}\n-->\n"


def chromium_command(
    exe: str, *, profile: str, shot: Path | None = None, width: int = 1200, height: int = 900, wait_ms: int,
    allow_network: bool, pdf: Path | None = None,
) -> list[str]:
    """Headless-Chromium flags that work in a root container with no GPU: a screenshot to *shot*, or the page
    printed to *pdf* (its own ``@page`` sizes, no header or footer)."""
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--hide-scrollbars", "--force-device-scale-factor=1", f"--user-data-dir={profile}",
           f"--virtual-time-budget={int(wait_ms)}"]
    if pdf is not None:
        cmd += [f"--print-to-pdf={pdf}", "--no-pdf-header-footer"]
    else:
        cmd += [f"--screenshot={shot}", f"--window-size={int(width)},{int(height)}"]
    if not allow_network:
        cmd.append("--host-resolver-rules=MAP * ~NOTFOUND")
    return cmd


def find_chromium(chromium: str | os.PathLike[str] | None = None) -> str | None:
    """The Chromium executable to use: *chromium* when given, else the first browser found on ``PATH``.

    Parameters
    ----------
    chromium : str or path-like, optional
        A browser name or path. When given it is the only one looked for:
        if it does not exist the answer is None, with no fallback to ``PATH``.
        Default: ``chromium``, ``chromium-browser`` or ``google-chrome``, the first on ``PATH``.

    Returns
    -------
    str or None
        The executable's path, or None when there is none.

    Examples
    --------
    >>> from pathlib import Path
    >>> from zzgeo.maps import find_chromium
    >>> find_chromium("/no/such/chromium") is None
    True
    >>> found = find_chromium()
    >>> found is None or Path(found).name in ("chromium", "chromium-browser", "google-chrome")
    True
    """
    if chromium is not None:
        return shutil.which(str(chromium))
    return next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
