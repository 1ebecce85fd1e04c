"""Every exception type zzgeo raises.

Every class subclasses :class:`ValueError` (through :class:`ZzgeoError`), so
callers that only care about "bad input" can catch that. Messages name the
input, show the bad value with ``!r`` and say what is allowed or how to fix it;
they are one line, because the command line prints them as ``error: <message>``.
Messages are in the interface language (:mod:`zzgeo.i18n`): written in English
in the code and translated through the Chinese catalogue; the exception types,
the values shown with ``!r``, option names and ids stay as they are.
"""

from __future__ import annotations

__all__ = [
    "ZzgeoError",
    "CRSError",
    "GeometryError",
    "SchemaError",
    "EmptyInputError",
    "OutsideAreaError",
    "UnknownCodeError",
    "NoSuchGradeError",
    "ParameterError",
    "MapExportError",
    "ChromiumError",
    "StoreError",
    "MissingExtraError",
]


class ZzgeoError(ValueError):
    """Base class of every error zzgeo raises on bad input."""


class CRSError(ZzgeoError):
    """A coordinate reference system is missing, unknown or does not fit the data."""


class GeometryError(ZzgeoError):
    """A geometry is missing, empty or invalid."""


class SchemaError(ZzgeoError):
    """A table lacks required columns or holds values of the wrong kind or range."""


class EmptyInputError(SchemaError):
    """An input file or table holds no data: zero bytes, a header only, no features, no layers."""


class OutsideAreaError(ZzgeoError):
    """A location lies outside the area a rule or layer covers (Zhengzhou, a grade map)."""


class UnknownCodeError(ZzgeoError):
    """A grade, use, right, class, table, unit, type or document number is not one zzgeo knows."""


class NoSuchGradeError(UnknownCodeError):
    """The source table prints a dash for this use and grade: the grade does not exist."""


class ParameterError(ZzgeoError):
    """A model or method parameter is missing, out of range or inconsistent (porosity, gradient, weights ...)."""


class MapExportError(ZzgeoError):
    """A map cannot be written as a self-contained offline page."""


class ChromiumError(ZzgeoError, RuntimeError):
    """Headless Chromium is missing or failed to render a page."""


class StoreError(ZzgeoError):
    """A layer store (GeoPackage or PostGIS) cannot be read or written."""


class MissingExtraError(ZzgeoError, ImportError):
    """An optional path needs a package of an extra that is not installed (the message names the extra)."""
