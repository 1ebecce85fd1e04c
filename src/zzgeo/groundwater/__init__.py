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
"""
