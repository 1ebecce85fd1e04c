"""A static PNG of a zzgeo map drawn with matplotlib, for machines without a browser.

Draws the layers a :class:`zzgeo.maps.MapState` recorded (polygons with their
class colours, points, district outlines and names), the title, the demo
banner, the legend and the caption: what the offline HTML shows, without tiles
or interactivity. Layers hidden in a combined map are left out. Every text is
drawn as written (matplotlib's mathtext is off: a ``$`` in a name is a dollar sign).
Chinese is drawn in a CJK font found by its file path (``$ZZGEO_CJK_FONT``, or
where fonts-wqy-microhei, fonts-noto-cjk and the system fonts of macOS and
Windows install theirs), so a font cache older than the font does not matter.
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from zzgeo.i18n import _
from zzgeo.maps.assets import temp_beside

if TYPE_CHECKING:  # pragma: no cover
    from zzgeo.maps.state import MapState

__all__ = ["render_static"]

_DRAWING = threading.Lock()
_FONT_LOCK = threading.Lock()
_CJK_FONTS = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei", "Microsoft YaHei")
#: Where the usual CJK fonts are installed (Debian/Ubuntu fonts-wqy-microhei, fonts-wqy-zenhei, fonts-noto-cjk;
#: Fedora; macOS; Windows), tried in this order when matplotlib's font cache does not list one.
_CJK_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
#: A font file to use instead (any font with Chinese glyphs).
FONT_ENV = "ZZGEO_CJK_FONT"
_found: list[str | None] = []


def _cjk_font() -> str | None:
    """The family name of a font with Chinese glyphs, registered with matplotlib; None if there is none.

    Found by file path, so a font cache built before the font was installed does not hide it:
    ``$ZZGEO_CJK_FONT``, then the known install paths (:data:`_CJK_FILES`) through
    ``matplotlib.font_manager.fontManager.addfont``, then a family of :data:`_CJK_FONTS` the cache lists
    with its file still present. Looked up once per process.

    Raises
    ------
    ParameterError
        ``$ZZGEO_CJK_FONT`` names a file that does not exist or that matplotlib cannot read.
    """
    with _FONT_LOCK:
        if not _found:
            _found.append(_find_cjk_font())
        return _found[0]


def _find_cjk_font() -> str | None:
    from matplotlib import font_manager

    own = os.environ.get(FONT_ENV)
    if own:
        return _add_font(Path(own), strict=True)
    for path in _CJK_FILES:
        if Path(path).is_file():
            name = _add_font(Path(path), strict=False)
            if name:
                return name
    listed = {f.name for f in font_manager.fontManager.ttflist if Path(f.fname).is_file()}
    return next((n for n in _CJK_FONTS if n in listed), None)


def _add_font(path: Path, *, strict: bool) -> str | None:
    """Register the font file *path* with matplotlib; its family name (None, or an error when *strict*, if unreadable)."""
    from matplotlib import font_manager

    from zzgeo.errors import ParameterError

    try:
        if not path.is_file():
            raise FileNotFoundError(str(path))
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name()
    except (OSError, RuntimeError, ValueError) as err:
        if strict:
            raise ParameterError(_("${env}={path!r}: not a font file matplotlib can read ({err}); "
                                   "give the path of a .ttf/.ttc/.otf with Chinese glyphs, e.g. "
                                   "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc (apt install fonts-wqy-microhei)").format(
                env=FONT_ENV, path=str(path), err=err)) from None
        return None


def _draw_layers(ax, state: MapState) -> None:
    for rec in state.layers:
        if not rec.show:
            continue
        frame, style = rec.frame, rec.style
        if rec.kind == "polygons":
            colour = frame[style["fill_column"]].tolist() if "fill_column" in style else style.get("fillColor", "#999999")
            frame.plot(ax=ax, color=colour, alpha=style.get("fillOpacity", 0.75), edgecolor=style.get("color", "#444444"),
                       linewidth=0.5)
        elif rec.kind == "points":
            ax.scatter(frame.geometry.x, frame.geometry.y, s=max(4.0, style.get("radius", 5) ** 2), c=style.get("fillColor"),
                       edgecolors="white", linewidths=0.4, zorder=4)
        elif rec.kind == "outlines":
            frame.boundary.plot(ax=ax, color=style.get("color", "#333333"), linewidth=0.6 * style.get("weight", 1.6),
                                linestyle="--" if style.get("dashArray") else "-", zorder=5)
        elif rec.kind == "labels":
            for name, pt in zip(frame["name"], frame.geometry, strict=True):
                ax.text(pt.x, pt.y, str(name), ha="center", va="center", fontsize=8, fontweight="bold", color="#333333",
                        zorder=6, bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6})


def _legend(ax, state: MapState) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = []
    for title, entries in state.legends:
        if not state.shown(title):
            continue
        handles.append(Patch(color="none", label=title))
        for colour, label, shape in entries:
            if shape == "dot":
                handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor=colour, markeredgecolor="white", label=label))
            elif shape == "line":
                handles.append(Line2D([], [], color=colour, linestyle="--", label=label))
            else:
                handles.append(Patch(facecolor=colour, edgecolor="#666666", alpha=state.fill_opacity, label=label))
    if handles:
        ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.92)


def render_static(state: MapState, path: str | os.PathLike[str], *, width: int = 1200, height: int = 900) -> Path:
    """Draw *state* to a PNG of *width* x *height* pixels (written atomically).

    Returns
    -------
    pathlib.Path
    """
    import logging

    import matplotlib

    matplotlib.use("Agg")
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # CJK fonts have no bold face: say nothing
    import matplotlib.pyplot as plt

    font = _cjk_font()
    if font is None:
        import warnings

        warnings.warn(_("no font with Chinese glyphs found: Chinese text in {name} comes out as empty boxes; install one "
                        "(apt install fonts-wqy-microhei) or set ${env} to the path of a .ttf/.ttc/.otf").format(
                          name=Path(path).name, env=FONT_ENV), UserWarning, stacklevel=2)
    # text.parse_math off: names and notes are user text, drawn as written ("$x_1$" is not mathtext)
    rc = {"font.sans-serif": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "axes.unicode_minus": False, "text.parse_math": False}
    out = Path(path)
    # one drawing at a time: rcParams and pyplot are global, and the report draws PNGs on worker threads, where
    # one drawing's rc_context ending under another put Chinese in DejaVu Sans (empty boxes)
    with _DRAWING, plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=(width / 100, height / 100), dpi=100)
        try:
            fig.patch.set_facecolor("#f4f3ee")
            ax.set_facecolor("#f4f3ee")
            _draw_layers(ax, state)
            if state.bounds is not None:
                minx, miny, maxx, maxy = state.bounds
                pad_x, pad_y = 0.03 * (maxx - minx or 0.01), 0.03 * (maxy - miny or 0.01)
                ax.set_xlim(minx - pad_x, maxx + pad_x)
                ax.set_ylim(miny - pad_y, maxy + pad_y)
                ax.set_aspect(1 / math.cos(math.radians((miny + maxy) / 2)))
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel("")
            ax.set_ylabel("")
            _legend(ax, state)
            title = state.title + (f"\n{state.banner}" if state.banner else "")
            ax.set_title(title, fontsize=13, fontweight="bold", color="#b00020" if state.banner else "#222222")
            shown = [n for n in dict.fromkeys(state.notes) if state.shown(n)]
            notes = shown[:8] + [n for n in shown[8:] if n in state.subsets]  # a layer showing part of a list always says so
            import textwrap

            lines = [line for n in notes for line in textwrap.wrap(n, max(60, int(width / 5.2)))]  # wrapped, never cut
            fig.text(0.01, 0.01, "\n".join(lines), fontsize=6.5, va="bottom", ha="left")
            fig.text(0.99, 0.99, "N ↑", fontsize=12, fontweight="bold", ha="right", va="top")
            fig.subplots_adjust(left=0.02, right=0.98, top=0.92, bottom=min(0.5, 0.02 + 0.017 * len(lines) * 900 / height))
            tmp = temp_beside(out, ".png")
            try:
                fig.savefig(tmp, format="png", dpi=100)
                os.replace(tmp, out)
            finally:
                Path(tmp).unlink(missing_ok=True)
        finally:
            plt.close(fig)
    return out
