"""The public API documents itself: every exported function and class has a numpydoc docstring with an
example, and every example in the package runs (doctest, on the session's private layer store).

The public API is what ``import zzgeo`` offers: each package or module in ``zzgeo.__all__`` and the
names in its own ``__all__``.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import pytest

import zzgeo

#: Constants and type aliases carry no example; functions and classes do.
_DOCUMENTED = (inspect.isfunction, inspect.isclass)


def _public() -> list[tuple[str, str]]:
    out = []
    for package in zzgeo._PACKAGES:
        module = importlib.import_module(f"zzgeo.{package}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if any(check(obj) for check in _DOCUMENTED) and not (inspect.isclass(obj) and issubclass(obj, BaseException)):
                out.append((package, name))
    return out


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(zzgeo.__path__, "zzgeo."))


PUBLIC = _public()


def test_the_public_api_is_not_empty():
    # every theme exports its main functions (a listing that found nothing would pass the test below)
    names = {f"{p}.{n}" for p, n in PUBLIC}
    for expected in ("landprice.value_parcels", "landprice.lookup_prices", "shelters.shelter_coverage", "shelters.site_shelters",
                     "groundwater.source_zones", "children.target_attainment", "report.build_report", "report.district_scores"):
        assert expected in names


@pytest.mark.parametrize(("package", "name"), PUBLIC, ids=[f"{p}.{n}" for p, n in PUBLIC])
def test_public_name_has_a_numpydoc_docstring_with_an_example(package, name):
    obj = getattr(importlib.import_module(f"zzgeo.{package}"), name)
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"zzgeo.{package}.{name} has no docstring"
    assert "Examples\n--------" in doc and ">>>" in doc, f"zzgeo.{package}.{name}: no 'Examples' section with a >>> example"


@pytest.mark.parametrize("module", _modules())
def test_examples_run(module):
    mod = importlib.import_module(module)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures: list[str] = []
    for test in finder.find(mod, module):
        runner.run(test, out=lambda text: failures.append(text))
    assert runner.failures == 0, "".join(failures)
