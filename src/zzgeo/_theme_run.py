"""What one theme hands to the report: its tables, map builders, findings and indicator values.

Each theme package has a ``report.py`` with ``INPUTS`` (the file keys a
report config may set for it) and ``run(inputs) -> ThemeRun``: the theme's
analyses on the user's files or, where a key is not given, the shipped
default (demo) layers. ``zzgeo report``, ``zzgeo map`` and ``zzgeo score``
all go through these, so the default inputs are loaded in one place per theme.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from zzgeo.errors import ParameterError

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import pandas as pd

__all__ = ["ThemeRun", "check_inputs"]


@dataclass
class ThemeRun:
    """One theme's results for the report.

    Attributes
    ----------
    key, title, document : str
        ``"shelters"``; a bilingual title; the source document number.
    tables : dict of str to DataFrame
        Name -> table (GeoDataFrames keep their geometry).
    maps : dict of str to callable
        Name -> ``builder(basemap) -> folium.Map``; the first is the theme's map.
    findings : list of str
        One-line findings with their figures, for the report's summary.
    demo : list of str
        The inputs that are demo layers (empty when every input is the user's).
    indicators : DataFrame, optional
        Raw values of the score indicators per district (index: adcode).
    notes : list of str
        Methods and assumptions behind the figures.
    """

    key: str
    title: str
    document: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    maps: dict[str, Callable[[str], folium.Map]] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    demo: list[str] = field(default_factory=list)
    indicators: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def check_inputs(theme: str, inputs: Mapping[str, object] | None, allowed: Mapping[str, str]) -> dict:
    """The theme's inputs as a dict; an unknown key is an error that lists the known ones."""
    given = dict(inputs or {})
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ParameterError(f"report config [{theme}]: unknown key(s) {unknown}; known: {sorted(allowed)}")
    return given
