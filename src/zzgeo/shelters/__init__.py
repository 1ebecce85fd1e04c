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

Population surfaces (:mod:`zzgeo.spatial.surface`) and reach pairs (:mod:`zzgeo.spatial.reach`)
are shared with the child-friendly theme and live in the base package.

Names are imported lazily so that ``zzgeo --help`` (which imports :mod:`.cli`)
does not load numpy, pandas or geopandas.
"""

from __future__ import annotations

from zzgeo._lazy import lazy_names

#: module -> the names it holds
_WHERE = {
    "rules": ["load_rules", "load_targets"],
    "register": ["read_register", "validate_register"],
    "assignment": ["assign_capacity"],
    "coverage": ["shelter_coverage", "coverage_records"],
    "candidates": ["read_candidates", "validate_candidates"],
    "siting": ["site_shelters", "siting_records", "with_chosen_sites"],
    "maps": ["coverage_map", "siting_map"],
    "demo": ["demo_register", "demo_candidates"],
}
__all__ = [name for names in _WHERE.values() for name in names]
__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
