"""Groundwater registers: water sources, wells, rivers, study zones and pollution sources.

Each is read by the common loader (:mod:`zzgeo.registers`) with its schema in
``data/groundwater/``; this module adds the checks only groundwater needs:

* wells must name a water source of the source register (:func:`check_wells_against_sources`);
* a pollution source's status fields must hang together (a screening date
  without screening, a spot check of a source never screened, a risk plan of a
  firm not in production): notes, not errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzgeo.errors import SchemaError
from zzgeo.registers import CheckContext, district_name_check, register_reader

__all__ = [
    "SCHEMAS",
    "read_sources",
    "read_wells",
    "read_rivers",
    "read_study_zones",
    "read_pollution_sources",
    "check_wells_against_sources",
]

#: Register name -> packaged schema.
SCHEMAS = {
    "sources": "groundwater/sources.toml",
    "wells": "groundwater/wells.toml",
    "rivers": "groundwater/rivers.toml",
    "study_zones": "groundwater/study_zones.toml",
    "pollution_sources": "groundwater/pollution_sources.toml",
}


def _status_checks(ctx: CheckContext) -> None:
    """Notes where the status fields of a pollution source contradict each other."""
    def flag(column: str) -> np.ndarray:
        return np.array([v is True for v in ctx.value(column)], dtype=bool) if ctx.has(column) else np.zeros(len(ctx.frame), dtype=bool)

    def no(column: str) -> np.ndarray:
        return np.array([v is False for v in ctx.value(column)], dtype=bool) if ctx.has(column) else np.zeros(len(ctx.frame), dtype=bool)

    dated = ctx.value("leak_screened_on").notna().to_numpy() if ctx.has("leak_screened_on") else np.zeros(len(ctx.frame), dtype=bool)
    ctx.notes.add(dated & no("leak_screened"), "a leak-screening date is given but leak_screened says no")
    ctx.notes.add(flag("spot_checked") & no("leak_screened"), "spot-checked, but its leak screening is not done")
    ctx.notes.add(flag("risk_plan") & no("operating"), "a risk-control plan for a firm not in production (the indicator counts operating firms)")


read_sources = register_reader(SCHEMAS["sources"], [district_name_check("county")], what="sources")
read_wells = register_reader(SCHEMAS["wells"], what="wells")
read_rivers = register_reader(SCHEMAS["rivers"], what="rivers")
read_study_zones = register_reader(SCHEMAS["study_zones"], what="study zones")
read_pollution_sources = register_reader(SCHEMAS["pollution_sources"], [district_name_check("district"), _status_checks], what="pollution sources")


def check_wells_against_sources(wells: pd.DataFrame, sources: pd.DataFrame) -> None:
    """Raise when a well names a water source the source register lacks (listing them)."""
    known = set(sources["source_id"].astype(str))
    unknown = sorted(set(wells["source_id"].astype(str)) - known)
    if unknown:
        raise SchemaError(f"wells: source_id {unknown[:5]!r} not in the water-source register (ids: {sorted(known)[:10]!r})")
