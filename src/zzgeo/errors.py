"""The few exception types zzgeo raises.

Every class subclasses :class:`ValueError`, so callers that only care about
"bad input" can catch that. Messages name the input, show the bad value with
``!r`` and say what is allowed or how to fix it.
"""

from __future__ import annotations

__all__ = [
    "ZzgeoError",
    "CRSError",
    "GeometryError",
    "SchemaError",
    "OutsideAreaError",
    "UnknownCodeError",
    "NoSuchGradeError",
]


class ZzgeoError(ValueError):
    """Base class of every error zzgeo raises on bad input."""


class CRSError(ZzgeoError):
    """A coordinate reference system is missing, unknown or does not fit the data."""


class GeometryError(ZzgeoError):
    """A geometry is missing, empty or invalid."""


class SchemaError(ZzgeoError):
    """A table lacks required columns or holds values of the wrong kind or range."""


class OutsideAreaError(ZzgeoError):
    """A location lies outside the area a rule or layer covers (Zhengzhou, a grade map)."""


class UnknownCodeError(ZzgeoError):
    """A grade, use, right, class, table or document number is not one zzgeo knows."""


class NoSuchGradeError(UnknownCodeError):
    """The source table prints a dash for this use and grade: the grade does not exist."""
