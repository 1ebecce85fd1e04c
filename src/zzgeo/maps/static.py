"""A static PNG of a zzgeo map drawn with matplotlib, for machines without a browser.

Draws the layers a :class:`zzgeo.maps.MapState` recorded (polygons with their
class colours, points, district outlines and names), the title, the demo
banner, the legend and the caption: what the offline HTML shows, without tiles
or interactivity. Layers hidden in a combined map are left out. Every text is
drawn as written (matplotlib's mathtext is off: a ``$`` in a name is a dollar sign).
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from zzgeo.maps.assets import temp_beside

if TYPE_CHECKING:  # pragma: no cover
    from zzgeo.maps.state import MapState

__all__ = ["render_static"]

_DRAWING = threading.Lock()
_CJK_FONTS = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei", "Microsoft YaHei")


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in _CJK_FONTS if n in names), None)


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
            fig.text(0.01, 0.01, "\n".join(n[:150] for n in notes), fontsize=6.5, va="bottom", ha="left")
            fig.text(0.99, 0.99, "N ↑", fontsize=12, fontweight="bold", ha="right", va="top")
            fig.subplots_adjust(left=0.02, right=0.98, top=0.92, bottom=0.02 + 0.017 * len(notes))
            tmp = temp_beside(out, ".png")
            try:
                fig.savefig(tmp, format="png", dpi=100)
                os.replace(tmp, out)
            finally:
                Path(tmp).unlink(missing_ok=True)
        finally:
            plt.close(fig)
    return out
