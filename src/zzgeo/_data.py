"""Read the data files packaged under ``zzgeo/data`` (rules, tables and their sources)."""

from __future__ import annotations

import copy
import functools
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

__all__ = ["data_path", "load_toml"]


def data_path(name: str) -> Path:
    """Path of a packaged data file, e.g. ``data_path("census2020.toml")``."""
    return Path(str(files("zzgeo") / "data" / name))


@functools.lru_cache(maxsize=None)
def _load_toml_cached(path: str) -> dict[str, Any]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def load_toml(name_or_path: str | Path) -> dict[str, Any]:
    """Parse a packaged TOML data file (by name) or any TOML file (by path); returns a fresh copy."""
    path = Path(name_or_path)
    if not path.exists():
        path = data_path(str(name_or_path))
    return copy.deepcopy(_load_toml_cached(str(path.resolve())))
