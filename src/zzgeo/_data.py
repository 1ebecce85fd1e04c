"""Read the data files packaged under ``zzgeo/data`` (rules, tables and their sources)."""

from __future__ import annotations

import copy
import functools
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

__all__ = ["data_path", "packaged", "load_toml"]


def data_path(name: str) -> Path:
    """Path of a packaged data file, e.g. ``data_path("census2020.toml")``."""
    return Path(str(files("zzgeo") / "data" / name))


@functools.lru_cache(maxsize=None)
def _load_toml_cached(path: str) -> dict[str, Any]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def packaged(name: str | Path) -> Path | None:
    """The packaged data file *name* names (``"scores.toml"``, ``"shelters/register.toml"``), or None.

    Only a ``str`` can name a packaged file: a ``Path`` is always the user's. A file of the same name in
    the working folder never stands in for a packaged one.
    """
    if not isinstance(name, str) or Path(name).is_absolute():
        return None
    path = data_path(name)
    return path if path.is_file() else None


def load_toml(name_or_path: str | Path) -> dict[str, Any]:
    """Parse a packaged TOML data file (by name, a ``str``) or a user's TOML file (a ``Path``); returns a fresh copy.

    Packaged files are parsed once per process; a user's file is read every time (it may have been edited).
    """
    path = packaged(name_or_path) or Path(name_or_path)
    resolved = path.resolve()
    if resolved.is_relative_to(data_path("").resolve()):
        return copy.deepcopy(_load_toml_cached(str(resolved)))
    with open(resolved, "rb") as fh:
        return tomllib.load(fh)
