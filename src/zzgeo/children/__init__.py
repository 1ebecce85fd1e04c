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
"""
