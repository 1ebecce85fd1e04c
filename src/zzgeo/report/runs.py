"""The report's inputs and the theme runs: the report config and :func:`run_themes`.

:func:`run_themes` runs each theme's ``report.run`` (the :class:`~zzgeo.theme_run.ThemeRun`
contract) on the shipped default layers or on the user's files named in a
report config (TOML, see ``data/report.toml``). The scoring (:mod:`.scoring`)
and the bundle (:mod:`.bundle`) both start from here.

Examples
--------
>>> cfg = load_report_config(None)
>>> cfg.basemap, cfg.png, list(THEMES)
('none', True, ['land-price', 'shelters', 'groundwater', 'children'])
"""

from __future__ import annotations

import functools
import importlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from pydantic import Field, create_model, field_validator

from zzgeo.theme_run import ThemeRun
from zzgeo.config import ConfigModel, ConfigProblem, Text, load_config
from zzgeo.errors import ParameterError
from zzgeo.i18n import N_, _

__all__ = ["THEMES", "UNIT_THEMES", "Progress", "stage_label", "theme_label", "ReportConfig", "ReportSection", "ScoreSection", "report_file_model", "load_report_config",
           "run_themes"]


#: Theme key -> module with ``INPUTS`` and ``run(inputs) -> ThemeRun``, in report order.
THEMES = {
    "land-price": "zzgeo.landprice.report",
    "shelters": "zzgeo.shelters.report",
    "groundwater": "zzgeo.groundwater.report",
    "children": "zzgeo.children.report",
}
Progress = Callable[[str, int, int], None]

@dataclass(frozen=True)
class ReportConfig:
    """Inputs per theme (file keys of each theme's ``INPUTS``), the score config, basemap and PNG choice.

    Attributes
    ----------
    inputs : dict of str to dict
        Theme key -> ``{input key: file or value}``; a theme left out runs on its default layers.
    score_config : str or None
        A score config file (default: the packaged ``data/scores.toml``).
    basemap : str
        ``none``, ``osm`` or ``amap``.
    png : bool
        Also write every map as PNG.
    path : str or None
        The report config file it was read from.
    units : dict
        The ``[units]`` table (:mod:`zzgeo.units`).
    map_paper : {"A3", "A4"}
        Paper of the map pages of ``report.pdf`` and ``report.docx`` (landscape).

    Examples
    --------
    The defaults: every theme on its default layers, offline maps with PNGs.

    >>> from zzgeo.report import ReportConfig
    >>> ReportConfig()
    ReportConfig(inputs={}, score_config=None, basemap='none', png=True, path=None, units={}, map_paper='A3')
    >>> config = ReportConfig({"shelters": {"register": "/data/shelters.xlsx", "crs": "gcj02"}}, score_config="/data/scores.toml")
    >>> [str(p) for p in config.input_paths()]  # never written over by a report (the CRS is no file)
    ['/data/shelters.xlsx', '/data/scores.toml']
    """

    inputs: dict[str, dict] = field(default_factory=dict)
    score_config: str | None = None
    basemap: str = "none"
    png: bool = True
    path: str | None = None
    units: dict[str, str] = field(default_factory=dict)
    map_paper: str = "A3"

    def input_paths(self) -> list[Path]:
        """Every file the config names (never to be written over)."""
        files = [v for theme in self.inputs.values() for k, v in theme.items() if k != "crs" and isinstance(v, str)]
        own_units = [self.units["file"]] if self.units.get("file", "demo") != "demo" else []
        return [Path(f) for f in [*files, *([self.score_config] if self.score_config else []), *own_units]]


def _resolve(value: object, base: Path) -> object:
    from zzgeo.store import is_postgis

    if isinstance(value, str) and not is_postgis(value) and not Path(value).is_absolute():
        return str(base / value)
    return value


def _resolve_input(theme: str, key: str, value: str, base: Path) -> str:
    """A theme input as given (crs), a packaged rule-set id kept as is, or a file name from the config's folder."""
    if key == "crs":
        return value
    if theme == "shelters" and key == "rules":
        from zzgeo.shelters.rules import PACKAGED_RULE_SETS

        if value in PACKAGED_RULE_SETS and not (base / value).exists():
            return value
    return _resolve(value, base)


class ReportSection(ConfigModel):
    """``[report]``: the basemap of every map, whether maps are also written as PNG, the paper of the PDF's map pages."""

    basemap: str = "none"
    png: bool = True
    map_paper: str = "A3"

    @field_validator("map_paper")
    @classmethod
    def _known_paper(cls, value: str) -> str:
        if value not in ("A3", "A4"):
            raise ConfigProblem(_("not a map paper; allowed: A3, A4 (landscape)"))
        return value

    @field_validator("basemap")
    @classmethod
    def _known_basemap(cls, value: str) -> str:
        from zzgeo.errors import ParameterError
        from zzgeo.maps.state import basemap_of

        try:
            basemap_of(value)
        except ParameterError as exc:
            raise ConfigProblem(str(exc).split(": ", 1)[-1]) from None  # less "basemap '…': " where the message has it
        return value


class UnitsSection(ConfigModel):
    """``[units]``: the analysis units the shelter and children themes also report by (:mod:`zzgeo.units`).

    ``file`` is a polygon file (relative to the report config's folder) or ``"demo"``; the other keys name its
    columns, layer and CRS (for a table with WKT), like ``--units-name`` etc.
    """

    file: Optional[Text] = None
    name: Optional[Text] = None
    code: Optional[Text] = None
    population: Optional[Text] = None
    parent: Optional[Text] = None
    layer: Optional[Text] = None
    crs: Optional[Text] = None


class ScoreSection(ConfigModel):
    """``[score]``: the score config (a copy of ``data/scores.toml``), relative to the report config's folder."""

    config: Optional[Text] = None


@functools.cache
def report_file_model() -> type[ConfigModel]:
    """The schema of a report config: ``[report]``, ``[score]`` and one table per theme of :data:`THEMES`.

    A theme's table takes the keys of that theme's ``INPUTS``, each a non-empty string.
    """
    fields: dict[str, object] = {"report": (ReportSection, ReportSection()), "score": (ScoreSection, ScoreSection()),
                                 "units": (UnitsSection, UnitsSection())}
    for key in THEMES:
        section = create_model("".join(part.title() for part in key.split("-")) + "Section", __base__=ConfigModel,
                               __doc__=f"[{key}]: the theme's input files (field in_<key>, alias <key>)",
                               **{f"in_{k}": (Optional[Text], Field(None, alias=k)) for k in _theme(key).INPUTS})
        fields[key.replace("-", "_")] = (section, Field(default=section(), alias=key))
    return create_model("ReportFile", __base__=ConfigModel, __doc__="A report config (data/report.toml).", **fields)


def load_report_config(path: str | os.PathLike[str] | None = None) -> ReportConfig:
    """Read a report config (TOML): ``[report] basemap/png``, ``[score] config``, and one table per theme.

    Relative file names are taken from the config file's folder (a packaged
    shelter rule-set id stays an id). A theme left out runs on its default
    (demo) layers.

    Raises
    ------
    FileNotFoundError
        *path* does not exist.
    ParameterError
        Not UTF-8, not TOML, empty, an unknown table or key, a basemap not in
        :data:`zzgeo.maps.BASEMAPS`, ``png`` not a TOML boolean, or a value not a
        non-empty string (one line: file, key path, value, what is allowed).

    Examples
    --------
    A config in a temporary folder: relative names are read from that folder,
    the CRS stays as written, a theme left out (here land price) gets no inputs.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from zzgeo.report import ReportConfig, load_report_config
    >>> text = '''
    ... [report]
    ... basemap = "osm"
    ... png = false
    ... [score]
    ... config = "my_scores.toml"
    ... [shelters]
    ... register = "shelters.xlsx"
    ... crs = "gcj02"
    ... '''
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "report.toml"
    ...     _ = path.write_text(text, encoding="utf-8")
    ...     config = load_report_config(path)
    ...     here = Path(folder).resolve()
    ...     Path(config.inputs["shelters"]["register"]) == here / "shelters.xlsx", Path(config.score_config) == here / "my_scores.toml"
    (True, True)
    >>> config.basemap, config.png, config.inputs["shelters"]["crs"], config.inputs["land-price"]
    ('osm', False, 'gcj02', {})
    >>> load_report_config(None) == ReportConfig()  # no file: the defaults
    True
    """
    if path is None:
        return ReportConfig()
    file = Path(path)
    spec = load_config(file, report_file_model(), what="report config")
    base = file.resolve().parent
    inputs = {}
    for key in THEMES:
        given = getattr(spec, key.replace("-", "_")).model_dump(exclude_none=True, by_alias=True)
        inputs[key] = {k: _resolve_input(key, k, v, base) for k, v in given.items()}
    score = spec.score.config
    units = spec.units.model_dump(exclude_none=True)
    if units and "file" not in units:
        raise ParameterError(_("{file}: [units] needs file = \"streets.gpkg\" (or \"demo\") with its other keys").format(file=file))
    if units.get("file", "demo") != "demo":
        units["file"] = _resolve(units["file"], base)
    return ReportConfig(inputs, _resolve(score, base) if score else None, spec.report.basemap, spec.report.png, str(file), units,
                        spec.report.map_paper)


def _theme(key: str):
    if key not in THEMES:
        raise ParameterError(_("theme {key!r}: use one of {themes}").format(key=key, themes=", ".join(THEMES)))
    return importlib.import_module(THEMES[key])


def run_themes(config: ReportConfig | None = None, *, keys=None, progress: Progress | None = None,
               timings: list | None = None, parallel: bool = False) -> dict[str, ThemeRun]:
    """Run the themes (*keys*, default all) on the config's inputs; record ``(stage, seconds)`` in *timings*.

    Parameters
    ----------
    config : ReportConfig, optional
        Default: every theme on its default (demo) layers.
    keys : sequence of str, optional
        Theme keys of :data:`THEMES`, in the order to run (default all, which
        takes tens of seconds).
    progress : callable, optional
        Called as ``progress(stage, done, total)`` before each theme.
    timings : list, optional
        Appended ``(stage, seconds)`` per theme.
    parallel : bool, default False
        Run the groundwater theme (the longest) in a forked second process while the others run here, where
        there are two cores or more, ``fork`` and cloudpickle (:func:`build_report` does; the results are the same).

    Returns
    -------
    dict of str to ThemeRun

    Raises
    ------
    ParameterError
        An unknown theme key. A theme's own errors on its inputs (a missing
        file, a register that fails validation) pass through.

    Examples
    --------
    Only the land-price theme, on its default layers. Its grade zones and
    parcels are DEMO layers, and the run says so.

    >>> from zzgeo.report import run_themes
    >>> timings = []
    >>> runs = run_themes(keys=["land-price"], timings=timings)
    >>> run = runs["land-price"]
    >>> run.document, run.demo
    ('郑政文〔2022〕42号', ['grade zones', 'parcels'])
    >>> list(run.maps), [stage for stage, _ in timings]
    (['grades'], ['analysis: land-price'])
    >>> run.indicators.columns.tolist(), len(run.indicators)  # the context indicator of the scorecard, per district
    (['land_price_level'], 12)
    >>> run_themes(keys=["roads"])
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: theme 'roads': use one of land-price, shelters, groundwater, children
    """
    config = config or ReportConfig()
    keys = list(keys or THEMES)
    for key in keys:
        _theme(key)  # an unknown key fails before anything runs
    units = _units(config) if any(k in UNIT_THEMES for k in keys) else None  # a bad units file fails before the themes
    runs, seconds = {}, {}
    aside = _run_aside(keys, config) if parallel else {}
    here = [k for k in keys if k not in aside]
    for i, key in enumerate(here + list(aside)):  # the themes run aside are collected last, when they are likely done
        if progress:
            progress(stage_label(f"analysis: {key}"), i, len(keys))  # shown; the timings keep the English stage
        if key in aside:
            runs[key], seconds[key] = _collect(aside[key], key, config)
            continue
        start = time.perf_counter()
        extra = {"units": units} if key in UNIT_THEMES and units is not None else {}
        runs[key] = _theme(key).run(config.inputs.get(key), **extra)
        seconds[key] = time.perf_counter() - start
    runs = {key: runs[key] for key in keys}
    if timings is not None:
        timings += [(f"analysis: {key}" + (" (in a second process)" if key in aside else ""), seconds[key]) for key in keys]
    return runs


#: Each theme's analysis as the timings name it (the theme by name in the catalogue's languages).
_ANALYSES = {"land-price": N_("analysis: land-price"), "shelters": N_("analysis: shelters"), "groundwater": N_("analysis: groundwater"),
             "children": N_("analysis: children")}
#: The report's stages as its timings name them (``report.json`` keeps these English keys); :func:`stage_label` shows them.
_STAGES = (N_("scores"), N_("tables and scorecard"), N_("GeoPackage layers and QGIS styles"), N_("maps: build"), N_("maps: HTML"),
           N_("maps: PNG (wait after the last map)"), N_("documents (PDF, Word)"), N_("total"))


#: The themes as people name them (``report.json`` and the tables keep the keys); :func:`theme_label` shows them.
_THEMES = {"land-price": N_("land benchmark prices"), "shelters": N_("emergency shelters"), "groundwater": N_("groundwater"),
           "children": N_("child-friendly city")}


def theme_label(key: str) -> str:
    """A theme key (``land-price``) as people name the theme, in the interface language; an unknown key as it is.

    >>> theme_label("land-price"), theme_label("other")
    ('land benchmark prices', 'other')
    """
    return _(_THEMES[key]) if key in _THEMES else key


def stage_label(stage: str) -> str:
    """A stage of the report's timings (``analysis: shelters``, ``maps: build``, ...) as people read it, in the interface language.

    Examples
    --------
    >>> stage_label("analysis: groundwater (in a second process)"), stage_label("maps: build"), stage_label("other")
    ('analysis: groundwater (in a second process)', 'maps: build', 'other')
    """
    if stage.endswith(" (in a second process)"):
        return _("{stage} (in a second process)").format(stage=stage_label(stage.removesuffix(" (in a second process)")))
    if stage in _ANALYSES.values() or stage in _STAGES:
        return _(stage)
    if stage.startswith("analysis: "):
        return _("analysis: {theme}").format(theme=stage.removeprefix("analysis: "))
    return stage


#: Themes that also report by the config's ``[units]`` (their ``run`` takes ``units=``).
UNIT_THEMES = ("shelters", "children")


def _units(config: ReportConfig):
    """The ``[units]`` of the config as :class:`zzgeo.units.AnalysisUnits`, or ``None``."""
    if not config.units:
        return None
    from zzgeo.units import load_units_option

    u = config.units
    return load_units_option(u["file"], name_column=u.get("name"), code_column=u.get("code"),
                             population_column=u.get("population"), parent_column=u.get("parent"), layer=u.get("layer"),
                             crs=u.get("crs"))


#: The theme run in a second process while the others run in this one: the longest (particle tracking).
_ASIDE = ("groundwater",)


def _run_pickled(key: str, inputs) -> tuple[bytes, float]:
    """In the forked process: run one theme; its ThemeRun (map builders are closures) pickled by cloudpickle."""
    import cloudpickle

    start = time.perf_counter()
    run = _theme(key).run(inputs)
    return cloudpickle.dumps(run), time.perf_counter() - start


def _run_aside(keys: list[str], config: ReportConfig) -> dict:
    """Futures of the themes of :data:`_ASIDE` among *keys*, each in a forked process, when that can help: more
    than one theme, two or more cores, ``fork`` available, cloudpickle installed, and the layer store a GeoPackage
    already built (two processes must not build it at once; a forked process must not share a PostGIS store's
    open connections). Otherwise nothing runs aside."""
    import multiprocessing

    aside = [k for k in keys if k in _ASIDE]
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    if not aside or len(keys) < 2 or cores < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return {}
    try:
        import cloudpickle  # noqa: F401
    except ImportError:
        return {}
    from zzgeo.layers import default_store

    store = default_store()
    if not isinstance(store, Path) or not store.is_file():  # a PostGIS store: a fork would share its open connections
        return {}
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=len(aside), mp_context=multiprocessing.get_context("fork"))
    futures = {k: pool.submit(_run_pickled, k, config.inputs.get(k)) for k in aside}
    pool.shutdown(wait=False)
    return futures


def _collect(future, key: str, config: ReportConfig) -> tuple[ThemeRun, float]:
    """The ThemeRun of a theme run aside; if that failed in any way, the theme runs here (so its own error, if
    any, is raised as it would be without the second process)."""
    import pickle

    try:
        data, seconds = future.result()
        return pickle.loads(data), seconds
    except Exception:  # noqa: BLE001 - a failed process or an unpicklable result: run it here, errors and all
        start = time.perf_counter()
        run = _theme(key).run(config.inputs.get(key))
        return run, time.perf_counter() - start
