"""Child-friendly city (郑政〔2022〕8号): the plan's targets, facilities per unit against them, walking access.

============================ ====================================================
module                       what it does
============================ ====================================================
:mod:`.rules`                the target table, the 16 units, child population, access parameters
:mod:`.register`             facility, development-zone and community registers; unit assignment
:mod:`.attainment`           every target per unit and city-wide, for 2022 or 2025
:mod:`.access`               children within the walking life circles; 2SFCA for childcare places; gap cells
:mod:`.maps`                 map layers
:mod:`.demo`                 DEMO facility register
:mod:`.cli`                  ``zzgeo children`` / ``zzgeo children access``
============================ ====================================================

Names are imported lazily.

Examples
--------
>>> from zzgeo import children
>>> len(children.load_targets())  # every quantified target of the plan
109
"""

from __future__ import annotations

from zzgeo._lazy import lazy_names

#: module -> the names it holds
_WHERE = {
    "rules": ["DOC_NUMBER", "YEARS", "load_targets", "targets_for", "load_units"],
    "register": ["read_facilities", "read_zones", "read_communities", "assign_units"],
    "attainment": ["Attainment", "target_attainment", "attainment_records"],
    "access": ["AccessResult", "walking_access", "childcare_2sfca", "gap_cells", "access_records"],
    "maps": ["attainment_map", "access_map", "overview_map"],
    "demo": ["demo_facilities"],
}
__all__ = [name for names in _WHERE.values() for name in names]
__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
