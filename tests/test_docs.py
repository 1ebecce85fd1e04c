"""The documentation site: every public name has an entry on its package's API page, and the site builds with
warnings as errors into pages with real content (the docstrings, the user guide's Chinese text).

The API pages are written from each package's ``__all__`` by ``docs/_ext/zzgeo_api.py`` when Sphinx reads
``docs/conf.py``; the fast tests here check that writer without Sphinx, the slow one builds the site.
"""

from __future__ import annotations

import html
import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import zzgeo

DOCS = Path(__file__).resolve().parents[1] / "docs"
sys.path.insert(0, str(DOCS / "_ext"))
import zzgeo_api

#: ``.. autofunction:: zzgeo.x.name`` and the like; ``.. py:data:: NAME`` (in ``currentmodule`` zzgeo.x).
_ENTRY = re.compile(r"^\.\. (autofunction|autoclass|autoexception|py:data):: (\S+)\s*$", re.MULTILINE)
#: The guide pages the index lists, one per theme (from the README).
GUIDE = ("command-line", "land-price", "shelters", "groundwater", "children", "policy", "scores-and-report", "maps",
         "registers")


def _entries(package: str) -> dict[str, str]:
    """Fully qualified name -> directive, for every entry of the API page of ``zzgeo.<package>``."""
    out = {}
    for directive, name in _ENTRY.findall(zzgeo_api.render(package)):
        full = name if directive != "py:data" else f"zzgeo.{package}.{name}"
        assert full not in out, f"{full} has two entries on the API page of zzgeo.{package}"
        out[full] = directive
    return out


def _public(package: str) -> dict[str, object]:
    module = importlib.import_module(f"zzgeo.{package}")
    return {f"zzgeo.{package}.{name}": getattr(module, name) for name in module.__all__}


def test_there_is_an_api_page_for_every_public_package():
    pages = zzgeo_api.pages()
    assert set(pages) == {"index.rst", *(f"{p}.rst" for p in zzgeo._PACKAGES)}
    toctree = pages["index.rst"].split(".. toctree::", 1)[1]
    assert [line.strip() for line in toctree.splitlines() if line.startswith("   ") and ":" not in line] == list(zzgeo._PACKAGES)
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    assert "api/index" in index
    for page in GUIDE:
        assert f"guide/{page}\n" in index and (DOCS / "guide" / f"{page}.md").is_file()


@pytest.mark.parametrize("package", zzgeo._PACKAGES)
def test_every_public_name_has_its_entry_on_the_api_page(package):
    # a name added to __all__ without a docstring, or one the page writer cannot place, fails here
    public, entries = _public(package), _entries(package)
    assert set(entries) == set(public), (f"zzgeo.{package}: missing {sorted(set(public) - set(entries))}, "
                                         f"not public {sorted(set(entries) - set(public))}")
    expected = {"function": "autofunction", "class": "autoclass", "exception": "autoexception", "data": "py:data"}
    for full, obj in public.items():
        assert entries[full] == expected[zzgeo_api.kind(obj)], full
        if entries[full] != "py:data":
            assert (inspect.getdoc(obj) or "").strip(), f"{full} is public but has no docstring: its API entry would be empty"
    page = zzgeo_api.render(package)
    summary = page.split(".. autosummary::", 1)[1].split("\n\n", 2)[1] if ".. autosummary::" in page else ""
    assert {f"zzgeo.{package}.{line.strip()}" for line in summary.splitlines()} == {
        full for full, directive in entries.items() if directive != "py:data"}


def _text(page: Path) -> str:
    """The visible text of an HTML page, whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _plain(rst: str) -> str:
    """An rst line as Sphinx shows it: roles by their text, no backticks or emphasis markers."""
    rst = re.sub(r":[\w:+-]+:`~?([^`<]*?)\s*(<[^`]*>)?`", lambda m: m.group(1).split(".")[-1] if not m.group(2) else m.group(1), rst)
    return " ".join(rst.replace("``", "").replace("`", "").replace("*", "").replace("()", "").split())


@pytest.mark.slow
def test_the_site_builds_with_warnings_as_errors(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    pytest.importorskip("myst_parser")
    out = tmp_path / "html"
    run = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                          "-d", str(tmp_path / "doctrees"), str(DOCS), str(out)],
                         check=False, capture_output=True, text=True, encoding="utf-8", timeout=900)
    assert run.returncode == 0, f"sphinx-build failed:\n{run.stderr[-6000:]}"

    # API pages: an anchor for every public name, and the docstrings themselves
    for package in zzgeo._PACKAGES:
        text = (out / "api" / f"{package}.html").read_text(encoding="utf-8")
        for full in _public(package):
            assert f'id="{full}"' in text, f"{full}: no entry in api/{package}.html"
    landprice = _text(out / "api" / "landprice.html")
    assert "value_parcels" in landprice
    for package, name in (("landprice", "value_parcels"), ("shelters", "shelter_coverage"), ("groundwater", "source_zones"),
                          ("children", "target_attainment"), ("report", "build_report"), ("policy", "status")):
        first = inspect.getdoc(getattr(importlib.import_module(f"zzgeo.{package}"), name)).splitlines()[0]
        assert _plain(first) in _plain(_text(out / "api" / f"{package}.html")), f"zzgeo.{package}.{name}: {first!r}"
    assert "郑政文〔2022〕42号" in landprice  # the package docstring, via automodule

    # the user guide, in Chinese where the README is
    shelters = _text(out / "guide" / "shelters.html")
    assert "郑政文〔2022〕40号" in shelters and "2 m²/person" in shelters
    assert "郑州" in _text(out / "index.html")
    assert '<meta charset="utf-8"' in (out / "index.html").read_text(encoding="utf-8")
    for png in ("land-price.png", "shelters.png", "wellfield_vs_timml.png"):
        assert (out / "_images" / png).is_file()
    # the guide's {func}`zzgeo...` references all found their API entry (unresolved ones are plain code, no link)
    for page in [out / "index.html", *(out / "guide").glob("*.html")]:
        source = page.read_text(encoding="utf-8")
        for ref in re.finditer(r'<code class="xref py[^"]*"><span class="pre">([^<]*)</span>', source):
            assert re.search(r"<a [^>]*>$", source[:ref.start()]), f"{page.name}: unresolved reference {ref.group(1)}"

    # works offline: no script, style sheet or font from another site
    for page in out.rglob("*.html"):
        assert not re.search(r"<(script|link|img)\b[^>]*(src|href)=\"(https?:)?//", page.read_text(encoding="utf-8")), page
