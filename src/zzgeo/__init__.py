"""zzgeo: geospatial planning and siting toolkit for Zhengzhou (郑州).

Each theme of the city's documents is a package with the same rooms (rules, register, analyses, maps,
demo, report, cli), and exports its main functions:

=====================  =============================================================================
package                what it answers
=====================  =============================================================================
:mod:`.landprice`      land benchmark prices (郑政文〔2022〕42号): grade lookup, valuation
:mod:`.shelters`       emergency shelters (郑政文〔2022〕40号): per-capita area, coverage, siting
:mod:`.groundwater`    groundwater (郑政文〔2022〕49号): wellfield zones, source screening, indicators
:mod:`.children`       child-friendly city (郑政〔2022〕8号): targets per unit, walking access
:mod:`.report`         district scores and the ``zzgeo report`` bundle
:mod:`.maps`           offline maps: builders, HTML, PNG
:mod:`.spatial`        point-in-polygon index, population surfaces, reach pairs
:mod:`.registers`      the one schema-driven register loader
:mod:`.layers`         the layer store (districts, census, DEMO layers) with provenance
:mod:`.policy`         the policy register (郑政〔2022〕6号): is a document still valid?
=====================  =============================================================================

Packages are imported on first use, so ``import zzgeo`` and ``zzgeo --help`` stay fast.

Examples
--------
>>> import zzgeo
>>> zzgeo.policy.status("郑政文〔2011〕244号").status
'abolished'
>>> "value_parcels" in zzgeo.landprice.__all__
True
"""

from __future__ import annotations

import importlib

_PACKAGES = ("landprice", "shelters", "groundwater", "children", "report", "maps", "spatial", "registers", "layers",
             "districts", "policy", "crs", "errors")
__all__ = ["__version__", *_PACKAGES]


def _version() -> str:
    """The installed distribution's version (read on first use: importlib.metadata costs ~50 ms at every start)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zzgeo")
    except PackageNotFoundError:  # running from a source tree without installing
        return "0.0.0+unknown"


def __getattr__(name: str):
    if name == "__version__":
        globals()["__version__"] = _version()
        return globals()["__version__"]
    if name in _PACKAGES:
        return importlib.import_module(f"zzgeo.{name}")
    raise AttributeError(f"module 'zzgeo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
