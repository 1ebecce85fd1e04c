"""Emergency shelters (应急避难场所): coverage by district, gap to the 2025/2029 targets, siting.

Answers, per county-level unit of Zhengzhou, the questions of 郑政文〔2022〕40号:
is per-capita shelter area at 2 m² (end-2025) and 3 m² (end-2029)? Who is out
of reach of a shelter? Which candidate sites close the gap at least cost?

============================ ====================================================
module                       what it does
============================ ====================================================
:mod:`.rules`                class parameters (versioned rule files) and targets
:mod:`.register`             read and validate shelter registers
:mod:`.assignment`           residents with an assured place (max flow / greedy)
:mod:`.coverage`             the per-district table
:mod:`.candidates`           read and validate candidate sites (the 2000 m² rule)
:mod:`.siting`               candidate sites that close the gap
:mod:`.demo`                 DEMO register and candidates
:mod:`.cli`                  ``zzgeo shelters coverage`` / ``site``
============================ ====================================================

Population surfaces (:mod:`zzgeo.surface`) and reach pairs (:mod:`zzgeo.reach`)
are shared with the child-friendly theme and live in the base package.

Names are imported lazily so that ``zzgeo --help`` (which imports :mod:`.cli`)
does not load numpy, pandas or geopandas.
"""

from __future__ import annotations

import importlib

__all__ = [
    "load_rules",
    "load_targets",
    "read_register",
    "validate_register",
    "assign_capacity",
    "shelter_coverage",
    "coverage_records",
    "read_candidates",
    "validate_candidates",
    "site_shelters",
    "siting_records",
    "with_chosen_sites",
    "demo_register",
    "demo_candidates",
]

_WHERE = {
    "load_rules": "rules",
    "load_targets": "rules",
    "read_register": "register",
    "validate_register": "register",
    "assign_capacity": "assignment",
    "shelter_coverage": "coverage",
    "coverage_records": "coverage",
    "read_candidates": "candidates",
    "validate_candidates": "candidates",
    "site_shelters": "siting",
    "siting_records": "siting",
    "with_chosen_sites": "siting",
    "demo_register": "demo",
    "demo_candidates": "demo",
}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"zzgeo.shelters.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'zzgeo.shelters' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
