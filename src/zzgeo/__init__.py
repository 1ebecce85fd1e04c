"""zzgeo: geospatial planning and siting toolkit for Zhengzhou (郑州).

Submodules are imported on demand so that ``import zzgeo`` and ``zzgeo --help``
stay fast; use ``from zzgeo import landprice`` etc.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("zzgeo")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
