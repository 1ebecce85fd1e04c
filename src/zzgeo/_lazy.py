"""Names of a package imported from its modules on first use (PEP 562), so ``import zzgeo.X`` stays light.

Examples
--------
>>> get, names = lazy_names("json", {"decoder": ["JSONDecodeError"]}, ["JSONDecodeError"])
>>> get("JSONDecodeError").__name__, names()
('JSONDecodeError', ['JSONDecodeError'])
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence

__all__ = ["lazy_names"]


def lazy_names(package: str, where: Mapping[str, Sequence[str]],
               public: Sequence[str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for *package*: each module of *where* (relative name -> the names it holds).

    A name is looked up in its module the first time it is used; an unknown
    name is the usual :class:`AttributeError`.
    """
    home = {name: module for module, names in where.items() for name in names}

    def __getattr__(name: str) -> object:
        if name in home:
            return getattr(importlib.import_module(f"{package}.{home[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(public)

    return __getattr__, __dir__
