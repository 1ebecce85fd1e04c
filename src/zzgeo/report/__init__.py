"""The report: the theme runs, the district scores and the bundle ``zzgeo report`` writes.

============================ ====================================================
module                       what it holds
============================ ====================================================
:mod:`.runs`                 the report config and :func:`run_themes` (each theme's ``report.run``)
:mod:`.scoring`              the explainable composite score per district and its map
:mod:`.documents`            ``report.pdf`` (Chromium) and ``report.docx`` (python-docx) from one document
:mod:`.qgis_layers`          district results as polygon layers; every GeoPackage layer styled for QGIS
:mod:`.bundle`               :func:`build_report`: tables, scorecard, maps, documents, ``index.html``, atomic swap
============================ ====================================================

Data flows one way: runs ← scoring ← documents, qgis_layers ← bundle. The :class:`~zzgeo.theme_run.ThemeRun`
contract every theme's ``report.py`` fulfils stays in the base package, so no
theme imports up into this one. Names are imported lazily.

Examples
--------
>>> from zzgeo.report import THEMES, load_score_config
>>> list(THEMES)
['land-price', 'shelters', 'groundwater', 'children']
>>> len(load_score_config().indicators) > 0
True
"""

from __future__ import annotations

from zzgeo._lazy import lazy_names

#: module -> the names it holds
_WHERE = {
    "runs": ["THEMES", "ReportConfig", "load_report_config", "run_themes"],
    "scoring": ["ScoreConfig", "ScoreResult", "load_score_config", "district_scores", "score_table", "normalise", "scores_for_people", "parts_for_people", "points_table", "score_map"],
    "bundle": ["MAP_THEMES", "theme_map", "theme_maps", "build_report", "recover_report_folder", "postgis_tables", "ReportResult"],
}
__all__ = [name for names in _WHERE.values() for name in names]
__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
