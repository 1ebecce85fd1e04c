"""Groundwater (郑政文〔2022〕49号): source zones, pollution-source screening, the pilot zone's indicators.

============================ ====================================================
module                       what it does
============================ ====================================================
:mod:`.rules`                indicator table 表2—1, task schedule, zone and screening parameters
:mod:`.register`             water sources, wells, rivers, study zones, pollution sources
:mod:`.hydro`                the analytic formulas (HJ 338 radius, capture zones, river times)
:mod:`.zones`                zones 1/2 and the recharge zone of every source
:mod:`.riverside`            timml model of a riverside wellfield (opt-in, cached)
:mod:`.screening`            pollution sources in the zones; the leak-screening list
:mod:`.indicators`           the indicators per district and city-wide
:mod:`.maps`                 map layers
:mod:`.demo`                 DEMO layers
:mod:`.cli`                  ``zzgeo groundwater zones`` / ``screen`` / ``indicators``
============================ ====================================================

Names are imported lazily.

Examples
--------
>>> from zzgeo import groundwater
>>> groundwater.hj338_radius_m(K=20.0, i=0.002, T_days=100, n=0.2)  # R = α·K·I·T/n, α = 1.5
30.0
"""

from __future__ import annotations

from zzgeo._lazy import lazy_names

#: module -> the names it holds
_WHERE = {
    "rules": ["DOC_NUMBER", "load_rules", "indicator_table", "task_schedule", "document"],
    "register": ["read_sources", "read_wells", "read_rivers", "read_study_zones", "read_pollution_sources"],
    "hydro": ["hj338_radius_m", "capture_half_width_m", "stagnation_distance_m", "capture_envelope"],
    "wellfield": ["Wellfield", "River"],
    "zones": ["Aquifer", "ZoneResult", "source_zones", "zone_records"],
    "screening": ["ScreeningResult", "screen_sources", "screening_records"],
    "indicators": ["pilot_indicators", "indicator_records"],
    "maps": ["zone_map"],
    "demo": ["demo_layers"],
}
__all__ = [name for names in _WHERE.values() for name in names]
__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
