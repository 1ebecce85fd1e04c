"""Sphinx configuration of the zzgeo documentation: the user guide (Markdown, from the README) and the API
reference (reStructuredText written from each package's ``__all__`` by ``_ext/zzgeo_api.py`` at build time).

Build (warnings are errors)::

    python -m sphinx -W --keep-going -b html docs /tmp/zzgeo-docs

Needs the ``docs`` extra (sphinx, numpydoc, myst-parser). The built site uses no network: the theme is
Sphinx's own ``alabaster``, there is no intersphinx and no CDN script.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

try:
    import zzgeo
except ImportError:  # a source checkout that is not installed: document ../src
    sys.path.insert(0, str(HERE.parent / "src"))
    import zzgeo

sys.path.insert(0, str(HERE / "_ext"))
import zzgeo_api

# -- project -------------------------------------------------------------------------------------------
project = "zzgeo"
author = "the zzgeo authors"
copyright = "the zzgeo authors, MIT licence"
release = zzgeo.__version__
version = ".".join(release.split(".")[:2])

# -- sources -------------------------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", ".*"]
templates_path: list[str] = []

# The API pages, one per package of zzgeo._PACKAGES, from its __all__ (only changed files are rewritten).
zzgeo_api.write(HERE / "api")

# -- autodoc / autosummary / numpydoc ------------------------------------------------------------------
autosummary_generate = True  # no :toctree: in the tables, so no stub pages: the entries are on the API pages
autodoc_member_order = "bysource"
autodoc_typehints = "signature"  # the numpydoc Parameters sections carry the types
autodoc_preserve_defaults = True
numpydoc_show_class_members = False  # autoclass :members: lists them; numpydoc's tables would duplicate them
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- MyST (the user guide) -----------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- HTML ----------------------------------------------------------------------------------------------
html_theme = "alabaster"  # ships with Sphinx: no download, no web fonts, works offline
html_title = f"zzgeo {release}"
html_static_path: list[str] = []
html_theme_options = {
    "description": "郑州 geospatial planning and siting toolkit",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "240px",
    # CJK fallbacks after the Latin faces, so 郑政文〔2022〕40号 is drawn by a Chinese font where one exists
    "font_family": "Georgia, 'Noto Serif CJK SC', 'Source Han Serif SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', serif",
    "head_font_family": "Georgia, 'Noto Serif CJK SC', 'Source Han Serif SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', serif",
}
html_sidebars = {"**": ["about.html", "navigation.html", "relations.html", "searchbox.html"]}
html_show_sourcelink = False
html_theme_options["show_powered_by"] = False  # no links off the machine in the footer
smartquotes = False  # keep "quotes", -- and ... in docstrings and Chinese text exactly as written
html_output_encoding = "utf-8"
