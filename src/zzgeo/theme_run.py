"""What one theme hands to the report: its tables, map builders, findings and indicator values.

Each theme package has a ``report.py`` with ``INPUTS`` (the file keys a
report config may set for it) and ``run(inputs) -> ThemeRun``: the theme's
analyses on the user's files or, where a key is not given, the shipped
default (demo) layers. ``zzgeo report``, ``zzgeo map`` and ``zzgeo score``
all go through these, so the default inputs are loaded in one place per theme.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Optional

from zzgeo.errors import ParameterError
from zzgeo.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import pandas as pd

__all__ = ["ThemeRun", "check_inputs", "inputs_model"]


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
    demo_free : tuple of str
        Tables whose figures come from the documents alone, so that they carry
        no DEMO mark when other inputs of the theme are demo (the land-price
        benchmark table). See :meth:`table_demo`.
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
    demo_free: tuple[str, ...] = ()

    def table_demo(self, name: str) -> list[str]:
        """The demo inputs the figures of table *name* rest on: the theme's, unless the table is demo-free."""
        return [] if name in self.demo_free else list(self.demo)


def _not_blank(value: object) -> object:
    from zzgeo.config import ConfigProblem

    if isinstance(value, str) and not value.strip():
        raise ConfigProblem(_("an empty file name; give a file or leave the key out"))
    return value


@functools.cache
def inputs_model(theme: str, keys: tuple[str, ...]) -> type:
    """The schema of one theme's inputs: the keys of its ``INPUTS``, each a file name (or CRS) or None.

    Fields are named ``in_<key>`` with the key as alias (``register`` would shadow a pydantic attribute).

    Code may pass paths of any kind; :func:`zzgeo.report.load_report_config`
    checks a config file's values more strictly (non-empty strings).
    """
    from pydantic import AfterValidator, Field, create_model

    from zzgeo.config import ConfigModel

    value = (Optional[Annotated[Any, AfterValidator(_not_blank)]],)
    name = "".join(part.title() for part in theme.replace("_", "-").split("-")) + "Inputs"
    return create_model(name, __base__=ConfigModel, **{f"in_{key}": (*value[:1], Field(None, alias=key)) for key in keys})


def check_inputs(theme: str, inputs: Mapping[str, object] | None, allowed: Mapping[str, str]) -> dict:
    """The theme's inputs as a dict; an unknown key or an empty file name is an error that lists the known keys.

    Raises
    ------
    ParameterError
        ``shelters inputs: unknown key 'registre'; allowed: register, candidates, ...``
    """
    from zzgeo.config import validate

    given = dict(inputs or {})
    validate(given, inputs_model(theme, tuple(allowed)), what=_("{theme} inputs").format(theme=theme), error=ParameterError)
    return given


def register_notes(registers: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, list[str]]:
    """What the report says about the registers a theme read: every note, warning and row left out.

    Parameters
    ----------
    registers : mapping of str to DataFrame
        Label (``"shelter register"``, or the file name) -> the validated register
        (``issues``/``notes`` columns) or a valuation result (``error``/``warnings``).

    Returns
    -------
    (table, notes) : pandas.DataFrame, list of str
        One row per file note (unit conversions, the CRS assumed), row left out and row
        warning: ``input``, ``row``, ``id``, ``name``, ``kind``, ``text``; and one line
        per register for the report's notes (its file notes and its counts, and the
        counts of its location check, :func:`zzgeo.registers.location_summary`).
    """
    import pandas as pd

    from zzgeo.registers import (
        location_counts,
        location_summary,
        rejected_rows,
        row_notes,
    )

    rows: list[dict] = []
    lines: list[str] = []
    for label, frame in registers.items():
        reasons, warnings = ("error", "warnings") if "error" in frame.columns else ("issues", "notes")
        file_notes = list(frame.attrs.get("notes", []))
        left_out = rejected_rows(frame, column=reasons)
        shown = {r["row"] for r in left_out}
        warned = [r for r in row_notes(frame, column=warnings) if r["row"] not in shown]
        rows += [{"input": label, "row": "", "id": "", "name": "", "kind": "note", "text": n} for n in file_notes]
        rows += [{"input": label, "row": r["row"], "id": r.get("id", ""), "name": r.get("name", ""), "kind": "left out",
                  "text": r["reason"]} for r in left_out]
        rows += [{"input": label, "row": r["row"], "id": r.get("id", ""), "name": r.get("name", ""), "kind": "warning",
                  "text": r["note"]} for r in warned]
        lines += file_notes
        if left_out or warned:
            lines.append(_("{label}: {n} row(s) left out, {warned} with a warning (see the register_notes table)").format(
                label=label, n=len(left_out), warned=len(warned)))
        located = location_summary(location_counts(frame))
        if located:
            lines.append(f"{label}: {located}")
    return pd.DataFrame(rows, columns=["input", "row", "id", "name", "kind", "text"]), lines
