"""An explainable composite score per district across the themes (``zzgeo score``).

The indicators, their role, direction (and why), normalisation, weights and
missing-data handling are a data file (``data/scores.toml``; the user may pass
an edited copy). A *merit* indicator earns points in its direction; a
*context* indicator (the land-price level) is shown beside the score with its
raw value and earns none. :func:`score_table` is the arithmetic alone, on any
table of raw values; :func:`collect_indicators` runs each theme on the default
layers (or the frames given) to fill that table; :func:`district_scores` does
both. Every output lists each indicator's raw value, normalised value and
contribution, so a reader can see why a district ranks where it does.

Tables for people (:func:`scores_for_people`, :func:`parts_for_people`,
:func:`points_table`) show a value a district does not have as ``—``
(:data:`NO_VALUE`), never as 0.00, a context indicator's points as
``context``, and mark a district scored on fewer indicators than the full set
(``5 of 6 *``); the tables for machines (CSV, JSON) keep numbers and leave
such cells empty.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

import numpy as np
import pandas as pd
from pydantic import Field, field_validator, model_validator

from zzgeo._data import data_path, load_toml
from zzgeo.config import MISSING, ConfigModel, ConfigProblem, NonNegative, Positive, Text, each_once, load_config
from zzgeo.i18n import N_, _

#: Chinese headings of the scorecard tables.
SCORE_HEADINGS_ZH = {
    "district": "区划代码", "name": "区县", "score": "综合得分", "rank": "排名", "indicators_used": "参与指标数",
    "indicators_total": "应计指标数", "missing_indicators": "缺值指标", "scored_on": "参与指标",
    "indicator": "指标", "title": "指标名称", "theme": "专题", "role": "性质", "raw": "原始值", "normalised": "标准化值", "weight": "权重",
    "weight_used": "实际权重", "contribution": "得分贡献", "demo": "演示数据",
}

__all__ = ["ScoreConfig", "ScoreFile", "ScoreSettings", "IndicatorSpec", "known_indicators", "load_score_config", "normalise", "score_table", "unit_indicators",
           "collect_indicators", "district_scores", "ScoreResult", "NO_VALUE", "CONTEXT", "FEWER", "scores_for_people", "parts_for_people",
           "points_table", "fewer_note", "score_map"]

_PACKAGED = "scores.toml"


@dataclass(frozen=True)
class ScoreConfig:
    """The indicators (one row each) and the missing-data rule.

    Attributes
    ----------
    indicators : pandas.DataFrame
        ``id``, ``title``, ``theme``, ``source``, ``role``, ``why``,
        ``direction``, ``normalise``, ``target``, ``weight``.
    missing : {"reweight", "zero"}
    title : str
    path : str
        Where the config came from.

    Examples
    --------
    The packaged config: six merit indicators and the land price as context.

    >>> from zzgeo.report import load_score_config
    >>> config = load_score_config()
    >>> config.title, config.missing, config.path
    ('郑州 district scorecard (zzgeo)', 'reweight', 'scores.toml')
    >>> config.indicators[["id", "role", "weight"]].values.tolist()
    [['shelter_per_capita', 'merit', 0.2], ['shelter_coverage', 'merit', 0.15], ['children_targets', 'merit', 0.2],
     ['childcare_access', 'merit', 0.15], ['sources_in_zones', 'merit', 0.1], ['leak_screening', 'merit', 0.1],
     ['land_price_level', 'context', 0.0]]
    """

    indicators: pd.DataFrame
    missing: str
    title: str
    path: str


@functools.cache
def known_indicators() -> dict[str, str]:
    """Indicator id -> theme of every indicator zzgeo computes (the packaged ``data/scores.toml``).

    An edited copy of the score config may drop or reweight these, never add one.
    """
    return {str(row["id"]): str(row.get("theme", "")) for row in load_toml(_PACKAGED)["indicators"]}


class ScoreSettings(ConfigModel):
    """``[score]``: the scorecard's title and what a missing value does."""

    title: Text = "district scorecard"
    missing: Literal["reweight", "zero"] = "reweight"


class IndicatorSpec(ConfigModel):
    """One ``[[indicators]]`` row: a known id, its role, why, direction, normalisation and weight.

    ``role = "merit"`` (the default) earns points: it needs a direction
    (``higher`` or ``lower`` is better), a normalisation and a weight.
    ``role = "context"`` is shown with its raw value and earns no points: it
    takes no weight (0 or left out), no direction (``none`` or left out) and
    no normalisation; a context indicator with a weight > 0 is an error, not a
    silent override: to score it, make it ``merit`` and say in ``why`` which
    direction the policy wants. ``why`` (required) says why the direction is
    better, or why the indicator is context.
    """

    id: str
    title: Text
    theme: Optional[Text] = None
    source: str = ""
    role: Literal["merit", "context"] = "merit"
    why: Text
    direction: Optional[Literal["higher", "lower", "none"]] = None
    normalise: Optional[Literal["target", "share", "minmax"]] = None
    target: Optional[Positive] = None
    weight: Optional[NonNegative] = None

    @field_validator("id")
    @classmethod
    def _known(cls, value: str) -> str:
        known = known_indicators()
        if value not in known:
            raise ConfigProblem(_("not an indicator zzgeo computes; allowed: {allowed}").format(allowed=", ".join(known)))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> IndicatorSpec:
        if self.role == "context":
            scored = [*([f"weight = {self.weight:g}"] if self.weight else []),
                      *([f"direction = {self.direction!r}"] if self.direction not in (None, "none") else []),
                      *([f"normalise = {self.normalise!r}"] if self.normalise is not None else []),
                      *([f"target = {self.target:g}"] if self.target is not None else [])]
            if scored:
                raise ConfigProblem(_("a context indicator is shown, never scored: remove {keys}; to score it, "
                                      "make it role = 'merit' and say in why which direction is better").format(keys=", ".join(scored)),
                                    at=("role",), value=self.role)
        else:
            if self.direction in (None, "none"):
                raise ConfigProblem(_("a merit indicator needs a direction, 'higher' or 'lower' (say in why which is better); "
                                      "'none' is for role = 'context'"), at=("direction",), value=MISSING if self.direction is None else self.direction)
            if self.normalise is None:
                raise ConfigProblem(_("a merit indicator needs a normalisation: 'target', 'share' or 'minmax'"), at=("normalise",), value=MISSING)
            if self.weight is None:
                raise ConfigProblem(_("a merit indicator needs a weight, a finite number >= 0"), at=("weight",), value=MISSING)
        if self.normalise == "target" and self.target is None:
            raise ConfigProblem(_("normalise = 'target' needs a target, a finite number > 0"), at=("target",), value=MISSING)
        theme = known_indicators()[self.id]
        if self.theme is not None and self.theme != theme:
            raise ConfigProblem(_("indicator {id!r} belongs to theme {theme!r}").format(id=self.id, theme=theme), at=("theme",), value=self.theme)
        return self


class ScoreFile(ConfigModel):
    """A score config (``data/scores.toml``): ``[score]`` and at least one ``[[indicators]]`` row."""

    score: ScoreSettings = ScoreSettings()
    indicators: list[IndicatorSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _whole(self) -> ScoreFile:
        each_once(self.indicators, key="id", at="indicators", what="indicator")
        weights = [ind.weight or 0.0 for ind in self.indicators]
        if not sum(weights) > 0:  # only a merit indicator has a weight > 0
            raise ConfigProblem(_("every weight is 0; at least one must be > 0"), at=("indicators", "*", "weight"), value=weights)
        return self


def load_score_config(path: str | Path | None = None) -> ScoreConfig:
    """Read and check ``data/scores.toml`` (or *path*) against :class:`ScoreFile`.

    Raises
    ------
    FileNotFoundError
        *path* does not exist.
    ParameterError
        Not UTF-8, not TOML, empty, an unknown key or indicator id, no ``why``,
        a weight that is not a finite number >= 0, a merit indicator without
        direction, normalisation or weight, a context indicator with any of
        them (a weight > 0 included), a target normalisation without a target
        > 0, a repeated id, or every weight 0 (one line: file, key path, value,
        what is allowed).

    Examples
    --------
    A config of one's own in a temporary folder: weights need not sum to 1
    (3 and 1 score as 0.75 and 0.25); a context indicator takes no weight,
    direction or normalisation.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from zzgeo.errors import ParameterError
    >>> from zzgeo.report import load_score_config
    >>> text = '''
    ... [score]
    ... title = "示例 scorecard"
    ... [[indicators]]
    ... id = "shelter_per_capita"
    ... title = "人均避难面积 vs 2 m²"
    ... why = "郑政文〔2022〕40号 asks for 2 m² per person by 2025"
    ... direction = "higher"
    ... normalise = "target"
    ... target = 2.0
    ... weight = 3
    ... [[indicators]]
    ... id = "shelter_coverage"
    ... title = "share of residents covered"
    ... why = "every resident should reach a shelter in time"
    ... direction = "higher"
    ... normalise = "share"
    ... weight = 1
    ... [[indicators]]
    ... id = "land_price_level"
    ... title = "benchmark price"
    ... role = "context"
    ... why = "dearer land is not better planning"
    ... '''
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "scores.toml"
    ...     _ = path.write_text(text, encoding="utf-8")
    ...     config = load_score_config(path)
    ...     _ = path.write_text(text + "weight = 0.5", encoding="utf-8")  # a weight on the context indicator
    ...     try:
    ...         load_score_config(path)
    ...     except ParameterError as exc:
    ...         print(str(exc).split(": ", 1)[1])
    indicators[2].role = 'context': a context indicator is shown, never scored: remove weight = 0.5; to score it, make it role = 'merit' and say in why which direction is better
    >>> config.title, config.missing
    ('示例 scorecard', 'reweight')
    >>> config.indicators[["id", "role", "direction", "weight", "theme"]].values.tolist()
    [['shelter_per_capita', 'merit', 'higher', 3.0, 'shelters'], ['shelter_coverage', 'merit', 'higher', 1.0, 'shelters'],
     ['land_price_level', 'context', 'none', 0.0, 'land-price']]
    """
    label = str(path or _PACKAGED)
    spec = load_config(path if path is not None else data_path(_PACKAGED), ScoreFile, what="score config")
    frame = pd.DataFrame([ind.model_dump() for ind in spec.indicators])
    frame["theme"] = [t if t is not None else known_indicators()[i] for i, t in zip(frame["id"], frame["theme"], strict=True)]
    frame["direction"] = frame["direction"].fillna("none")  # only a context indicator has none
    frame["target"] = frame["target"].astype("float64")
    frame["weight"] = frame["weight"].astype("float64").fillna(0.0)  # a context indicator weighs 0
    return ScoreConfig(frame, spec.score.missing, spec.score.title, label)


def normalise(raw: pd.Series, *, method: str, direction: str, target: float = np.nan) -> pd.Series:
    """Raw values of one indicator on [0, 1], 1 = best (see ``data/scores.toml``); NaN stays NaN.

    Parameters
    ----------
    raw : pandas.Series
    method : {"target", "share", "minmax"}
        ``target``: raw / target capped at 1 (lower is better: target / raw,
        and a raw value of 0 or less scores 1); ``share``: raw clipped to
        [0, 1]; ``minmax``: (raw - min) / (max - min) over the values present
        (all 1 when they are equal).
    direction : {"higher", "lower"}
        Which raw value is better; ``lower`` reverses ``share`` and ``minmax``.
    target : float, optional
        For ``method="target"``.

    Returns
    -------
    pandas.Series

    Examples
    --------
    Min-max of 2, 5 and 8: (5 - 2) / (8 - 2) = 0.5 in the middle; reversed
    when lower is better. Against a target of 2 (higher is better): 1 / 2 =
    0.5, then capped at 1; lower is better: 2 / 4 = 0.5, and 0 scores 1.

    >>> import numpy as np
    >>> import pandas as pd
    >>> from zzgeo.report import normalise
    >>> values = pd.Series([2.0, 5.0, 8.0])
    >>> normalise(values, method="minmax", direction="higher").tolist()
    [0.0, 0.5, 1.0]
    >>> normalise(values, method="minmax", direction="lower").tolist()
    [1.0, 0.5, 0.0]
    >>> normalise(pd.Series([1.0, 2.0, 3.0, np.nan]), method="target", direction="higher", target=2.0).tolist()
    [0.5, 1.0, 1.0, nan]
    >>> normalise(pd.Series([0.0, 2.0, 4.0]), method="target", direction="lower", target=2.0).tolist()
    [1.0, 1.0, 0.5]
    >>> normalise(pd.Series([0.2, 1.3]), method="share", direction="lower").tolist()  # 1.3 is clipped to 1
    [0.8, 0.0]
    """
    if method == "target":
        ratio = raw / target if direction == "higher" else target / raw.where(raw > 0)
        out = ratio.clip(upper=1.0)
        if direction == "lower":
            out = out.where(raw > 0, 1.0).where(raw.notna())
        return out.clip(lower=0.0)
    if method == "share":
        out = raw.clip(0.0, 1.0)
        return out if direction == "higher" else 1.0 - out
    low, high = raw.min(), raw.max()
    if not high > low:
        return raw.where(raw.isna(), 1.0)
    scaled = (raw - low) / (high - low)
    return scaled if direction == "higher" else 1.0 - scaled


def score_table(raw: pd.DataFrame, config: ScoreConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores from a table of raw values (rows: districts; columns: indicator ids).

    Only merit indicators earn points; a context indicator is carried with its
    raw value, weight 0 and no normalised value or contribution. A district
    without a value for a weighted merit indicator is scored on fewer
    indicators: with ``missing = "reweight"`` the weights of its other
    indicators are scaled to sum to 1 and the missing one has no
    contribution (NaN); with ``missing = "zero"`` it keeps its weight and
    scores 0 (normalised 0, raw still NaN). A district with no value at all
    under ``reweight`` has no score (NaN) and no rank.

    Returns
    -------
    (scores, parts) : pandas.DataFrame, pandas.DataFrame
        ``scores``: per district ``score`` (0-100), ``indicators_used`` (the
        weighted merit indicators it has a value for), ``indicators_total``
        (the weighted merit indicators of the config), ``missing_indicators``
        (their ids without a value, comma-separated; ``""`` when none) and
        ``rank`` (nullable integer).
        ``parts``: per district and indicator ``role``, ``raw``,
        ``normalised``, ``weight``, ``weight_used`` and ``contribution``
        (points of the 100; NaN where the indicator did not enter the score).

    Examples
    --------
    Three districts, two merit indicators weighted 0.6 and 0.4 and the land
    price as context. 中原区 (410102): 1.0 of the 2 m² target = 0.5, so
    100 x (0.6 x 0.5 + 0.4 x 0.9) = 66. 二七区 (410103): 2.5 m² caps at 1,
    100 x (0.6 x 1 + 0.4 x 0.5) = 80. 管城回族区 (410104) has no per-capita
    value: its coverage takes the whole weight, 100 x 0.7 = 70, scored on 1 of 2.
    The land price earns no points.

    >>> import numpy as np
    >>> import pandas as pd
    >>> from zzgeo.report import ScoreConfig, load_score_config
    >>> rows = load_score_config().indicators.set_index("id").loc[["shelter_per_capita", "shelter_coverage", "land_price_level"]]
    >>> config = ScoreConfig(rows.assign(weight=[0.6, 0.4, 0.0]).reset_index(), "reweight", "示例 scorecard", "example")
    >>> raw = pd.DataFrame({"shelter_per_capita": [1.0, 2.5, np.nan], "shelter_coverage": [0.9, 0.5, 0.7],
    ...                     "land_price_level": [722.5, 747.7, 743.4]}, index=["410102", "410103", "410104"])
    >>> from zzgeo.report import score_table
    >>> scores, parts = score_table(raw, config)
    >>> scores[["district", "score", "indicators_used", "missing_indicators", "rank"]].values.tolist()
    [['410102', 66.0, 2, '', 3], ['410103', 80.0, 2, '', 1], ['410104', 70.0, 1, 'shelter_per_capita', 2]]
    >>> parts[parts["district"] == "410104"][["indicator", "raw", "weight_used", "contribution"]].values.tolist()
    [['shelter_per_capita', nan, 0.0, nan], ['shelter_coverage', 0.7, 1.0, 70.0], ['land_price_level', 743.4, 0.0, nan]]

    With ``missing = "zero"`` the missing value scores 0 and keeps its weight: 100 x 0.4 x 0.7 = 28.

    >>> from dataclasses import replace
    >>> score_table(raw, replace(config, missing="zero"))[0]["score"].round(1).tolist()
    [66.0, 80.0, 28.0]
    """
    parts = []
    for ind in config.indicators.itertuples():
        role = getattr(ind, "role", "merit")
        values = raw[ind.id].astype("float64") if ind.id in raw else pd.Series(np.nan, index=raw.index)
        if role == "context":
            norm, weight = pd.Series(np.nan, index=raw.index), 0.0
        else:
            norm, weight = normalise(values, method=ind.normalise, direction=ind.direction, target=ind.target), float(ind.weight)
            if config.missing == "zero":
                norm = norm.fillna(0.0)
        parts.append(pd.DataFrame({"district": raw.index, "indicator": ind.id, "role": role, "raw": values.to_numpy(),
                                   "normalised": norm.to_numpy(), "weight": weight}))
    long = pd.concat(parts, ignore_index=True)
    merit = long["role"].eq("merit")
    weighted = merit & (long["weight"] > 0)
    entered = merit & long["normalised"].notna()
    total = long["weight"].where(entered, 0.0).groupby(long["district"]).transform("sum")
    long["weight_used"] = (long["weight"] / total.where(total > 0)).where(entered, 0.0).fillna(0.0)
    long["contribution"] = (100.0 * long["weight_used"] * long["normalised"]).where(entered & (total > 0))
    flags = long.assign(_has=weighted & long["raw"].notna(), _weighted=weighted, _gap=weighted & long["raw"].isna())
    grouped = flags.groupby("district", sort=False)
    scores = pd.DataFrame({"score": grouped["contribution"].sum(min_count=1),
                           "indicators_used": grouped["_has"].sum().astype(int),
                           "indicators_total": grouped["_weighted"].sum().astype(int)})
    gaps = flags[flags["_gap"]].groupby("district", sort=False)["indicator"].agg(", ".join)
    scores["missing_indicators"] = gaps.reindex(scores.index).fillna("")
    scores["rank"] = scores["score"].rank(ascending=False, method="min").astype("Int64")
    return scores.rename_axis("district").reset_index(), long


# ----------------------------------------------------------------------------- the raw values, from every theme


def collect_indicators(runs=None, districts=None) -> tuple[pd.DataFrame, dict]:
    """Raw values of the indicators per district, from each theme's :class:`zzgeo.theme_run.ThemeRun`.

    Parameters
    ----------
    runs : mapping of str to ThemeRun, optional
        Theme key -> run; default: every theme on the default layers (:func:`zzgeo.report.runs.run_themes`).
    districts : GeoDataFrame, optional
        Default: the layer store's districts.

    Returns
    -------
    (raw, demo) : pandas.DataFrame, dict
        ``raw`` indexed by adcode with a ``name`` column; ``demo`` says which themes rest on DEMO layers.
    """
    from zzgeo.layers import read_layer

    if runs is None:
        from zzgeo.report.runs import run_themes

        runs = run_themes()
    districts = read_layer("districts") if districts is None else districts
    adcodes = districts["adcode"].to_numpy()
    frames = [run.indicators.reindex(adcodes) for run in runs.values() if run.indicators is not None]
    raw = pd.concat(frames, axis=1) if frames else pd.DataFrame(index=adcodes)
    raw.index = pd.Index(adcodes, name="adcode")
    raw.insert(0, "name", districts["name"].to_numpy())
    return raw, {key: bool(run.demo) for key, run in runs.items()}


@dataclass
class ScoreResult:
    """Scores per district, each indicator's part, and what rests on demo data.

    Attributes
    ----------
    scores : pandas.DataFrame
        :func:`score_table`'s scores with ``name``, sorted by rank.
    parts : pandas.DataFrame
        :func:`score_table`'s parts with ``name``, ``theme`` and ``demo``.
    meta : dict
        ``config``, ``title``, ``missing``, ``demo_themes`` (the themes
        resting on DEMO data), ``indicators`` and ``context``.

    Examples
    --------
    >>> import pandas as pd
    >>> from zzgeo.report import district_scores
    >>> raw = pd.DataFrame({"name": ["中原区", "二七区"], "shelter_coverage": [0.9, 0.5]}, index=["410102", "410103"])
    >>> result = district_scores(raw=raw)  # the packaged config; only one indicator has values
    >>> result.scores[["name", "score", "indicators_used", "indicators_total"]].values.tolist()
    [['中原区', 90.0, 1, 6], ['二七区', 50.0, 1, 6]]
    >>> result.meta["demo_themes"], result.meta["context"]
    ([], ['land_price_level'])
    """

    scores: pd.DataFrame
    parts: pd.DataFrame
    meta: dict = field(default_factory=dict)


def district_scores(config: str | Path | ScoreConfig | None = None, *, raw: pd.DataFrame | None = None,
                    runs=None) -> ScoreResult:
    """Score the districts on *raw* values, or on the indicators of the theme *runs* (default: run every theme).

    Parameters
    ----------
    config : str, Path or ScoreConfig, optional
        Default: the packaged ``data/scores.toml``.
    raw : pandas.DataFrame, optional
        Raw values (index: adcode; columns: indicator ids, optionally ``name``),
        as :func:`collect_indicators` makes them.
    runs : mapping of str to ThemeRun, optional
        Used when *raw* is not given (default: every theme on its default
        layers, which takes a while).

    Returns
    -------
    ScoreResult

    Raises
    ------
    FileNotFoundError, ParameterError
        A score config that is missing or wrong (see :func:`load_score_config`).

    Examples
    --------
    Three districts, two merit indicators weighted 0.6 and 0.4 and the land
    price as context. 中原区 (410102): 1.0 of the 2 m² target = 0.5, so
    100 x (0.6 x 0.5 + 0.4 x 0.9) = 66. 二七区 (410103): 2.5 m² caps at 1,
    100 x (0.6 x 1 + 0.4 x 0.5) = 80. 管城回族区 (410104) has no per-capita
    value: its coverage takes the whole weight, 100 x 0.7 = 70, scored on 1 of 2.
    The land price earns no points.

    >>> import numpy as np
    >>> import pandas as pd
    >>> from zzgeo.report import ScoreConfig, load_score_config
    >>> rows = load_score_config().indicators.set_index("id").loc[["shelter_per_capita", "shelter_coverage", "land_price_level"]]
    >>> config = ScoreConfig(rows.assign(weight=[0.6, 0.4, 0.0]).reset_index(), "reweight", "示例 scorecard", "example")
    >>> raw = pd.DataFrame({"shelter_per_capita": [1.0, 2.5, np.nan], "shelter_coverage": [0.9, 0.5, 0.7],
    ...                     "land_price_level": [722.5, 747.7, 743.4]}, index=["410102", "410103", "410104"])
    >>> from zzgeo.report import district_scores
    >>> result = district_scores(config, raw=raw.assign(name=["中原区", "二七区", "管城回族区"]))
    >>> result.scores[["rank", "name", "score"]].values.tolist()
    [[1, '二七区', 80.0], [2, '管城回族区', 70.0], [3, '中原区', 66.0]]
    >>> result.meta["title"], result.meta["context"]
    ('示例 scorecard', ['land_price_level'])
    """
    config = config if isinstance(config, ScoreConfig) else load_score_config(config)
    demo = {}
    if raw is None:
        raw, demo = collect_indicators(runs)
    names = raw["name"] if "name" in raw else pd.Series(raw.index, index=raw.index)
    scores, parts = score_table(raw.drop(columns=["name"], errors="ignore"), config)
    scores.insert(1, "name", names.reindex(scores["district"]).to_numpy())
    parts.insert(1, "name", names.reindex(parts["district"]).to_numpy())
    themes = config.indicators.set_index("id")["theme"] if "theme" in config.indicators else pd.Series(dtype=object)
    parts["theme"] = parts["indicator"].map(themes)
    parts["demo"] = parts["theme"].map(lambda theme: bool(demo.get(theme, False)))
    meta = {"config": config.path, "title": config.title, "missing": config.missing, "demo_themes": sorted(t for t, d in demo.items() if d),
            "indicators": config.indicators.to_dict("records"),
            "context": [i for i, r in zip(config.indicators["id"], _roles(config.indicators), strict=True) if r == "context"]}
    return ScoreResult(scores.sort_values("rank").reset_index(drop=True), parts, meta)


# ----------------------------------------------------------------------------- tables for people

#: A value a district does not have, as people see it: never 0.00.
#: The packaged scorecard's title and the headings of its points table, as shown to people (the catalogue has
#: them; a title of your own config is shown as typed). The CSV and --json keep the ids.
SHOWN_TITLES = (N_("郑州 district scorecard (zzgeo)"), N_("district scorecard"))
POINTS_HEADINGS = (N_("shelter_per_capita (points)"), N_("shelter_coverage (points)"), N_("children_targets (points)"),
                   N_("childcare_access (points)"), N_("sources_in_zones (points)"), N_("leak_screening (points)"),
                   N_("land_price_level (context, raw)"), N_("land_price_level (points)"))

NO_VALUE = "—"
#: The normalised value and points of a context indicator, as people see them: shown, never scored.
CONTEXT = N_("context")
#: After "5 of 6": the district is scored on fewer indicators than the full set.
FEWER = "*"
_RULES = {"reweight": N_("the weights of its other indicators are scaled to sum to 1"), "zero": N_("a missing value scores 0 points")}


def _roles(frame: pd.DataFrame) -> pd.Series:
    """The ``role`` column, or every row ``merit`` (tables and configs made before roles)."""
    return frame["role"] if "role" in frame else pd.Series("merit", index=frame.index)


def _shown(values: pd.Series) -> pd.Series:
    """Numbers as they are, a missing one as :data:`NO_VALUE`."""
    return values.astype(object).where(values.notna(), NO_VALUE)


def _scored_on(scores: pd.DataFrame) -> pd.Series:
    """``"6 of 6"``, or ``"5 of 6 *"`` for a district scored on fewer indicators than the full set."""
    if "indicators_total" not in scores:
        return scores["indicators_used"].astype(str)
    return pd.Series([_("{used} of {total}").format(used=used, total=total) + (f" {FEWER}" if used < total else "")
                      for used, total in zip(scores["indicators_used"], scores["indicators_total"], strict=True)], index=scores.index)


def scores_for_people(scores: pd.DataFrame) -> pd.DataFrame:
    """The ``scores`` of :func:`score_table` as people read them (console, Excel, index.html, the map).

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``district``, ``name``, ``score`` (numbers; :data:`NO_VALUE`
        where there is none), ``scored_on`` (``"6 of 6"``; ``"5 of 6 *"``
        marks a district scored on fewer indicators) and
        ``missing_indicators`` (the ids without a value), of those *scores* has.

    Examples
    --------
    管城回族区 has no value for one of the two weighted indicators: ``1 of 2 *``.

    >>> import numpy as np
    >>> import pandas as pd
    >>> from zzgeo.report import ScoreConfig, load_score_config
    >>> rows = load_score_config().indicators.set_index("id").loc[["shelter_per_capita", "shelter_coverage", "land_price_level"]]
    >>> config = ScoreConfig(rows.assign(weight=[0.6, 0.4, 0.0]).reset_index(), "reweight", "示例 scorecard", "example")
    >>> raw = pd.DataFrame({"shelter_per_capita": [1.0, 2.5, np.nan], "shelter_coverage": [0.9, 0.5, 0.7],
    ...                     "land_price_level": [722.5, 747.7, 743.4]}, index=["410102", "410103", "410104"])
    >>> from zzgeo.report import district_scores, scores_for_people
    >>> result = district_scores(config, raw=raw.assign(name=["中原区", "二七区", "管城回族区"]))
    >>> scores_for_people(result.scores)[["rank", "name", "score", "scored_on"]].values.tolist()
    [[1, '二七区', 80.0, '2 of 2'], [2, '管城回族区', 70.0, '1 of 2 *'], [3, '中原区', 66.0, '2 of 2']]

    A district with no value at all has no score and no rank, shown as ``—``:

    >>> scores_for_people(pd.DataFrame({"rank": [pd.NA], "name": ["上街区"], "score": [np.nan], "indicators_used": [0],
    ...                                 "indicators_total": [2]})).values.tolist()
    [['—', '上街区', '—', '0 of 2 *']]
    """
    out = pd.DataFrame(index=scores.index)
    for column in ("rank", "district", "name", "score"):
        if column in scores:
            out[column] = _shown(scores[column]) if column in ("rank", "score") else scores[column]
    if "indicators_used" in scores:
        out["scored_on"] = _scored_on(scores)
    if "missing_indicators" in scores:
        out["missing_indicators"] = scores["missing_indicators"].fillna("")
    return out


def parts_for_people(parts: pd.DataFrame) -> pd.DataFrame:
    """The ``parts`` of :func:`score_table` as people read them: a missing ``raw``, ``normalised`` or
    ``contribution`` is :data:`NO_VALUE`; a context indicator's normalised value and points are :data:`CONTEXT`.

    With ``missing = "zero"`` a missing value keeps ``raw`` = :data:`NO_VALUE`
    beside its normalised value 0 and its 0 points.

    Examples
    --------
    管城回族区's missing per-capita value, and the land price (context):

    >>> import numpy as np
    >>> import pandas as pd
    >>> from zzgeo.report import ScoreConfig, load_score_config
    >>> rows = load_score_config().indicators.set_index("id").loc[["shelter_per_capita", "shelter_coverage", "land_price_level"]]
    >>> config = ScoreConfig(rows.assign(weight=[0.6, 0.4, 0.0]).reset_index(), "reweight", "示例 scorecard", "example")
    >>> raw = pd.DataFrame({"shelter_per_capita": [1.0, 2.5, np.nan], "shelter_coverage": [0.9, 0.5, 0.7],
    ...                     "land_price_level": [722.5, 747.7, 743.4]}, index=["410102", "410103", "410104"])
    >>> from zzgeo.report import parts_for_people, score_table
    >>> parts = parts_for_people(score_table(raw, config)[1])
    >>> parts[parts["district"] == "410104"][["indicator", "raw", "normalised", "contribution"]].values.tolist()
    [['shelter_per_capita', '—', '—', '—'], ['shelter_coverage', 0.7, 0.7, 70.0], ['land_price_level', 743.4, 'context', 'context']]
    """
    context = _roles(parts).eq("context")
    out = parts.copy()
    for column in ("raw", "normalised", "contribution"):
        if column in parts:
            out[column] = _shown(parts[column]) if column == "raw" else _shown(parts[column]).where(~context, _(CONTEXT))
    return out


def points_table(result: ScoreResult, *, for_people: bool = False) -> pd.DataFrame:
    """One row per district (index: adcode), one column per indicator, in config order.

    A merit indicator's column ``"ID (points)"`` holds its points; a context
    indicator's column ``"ID (context, raw)"`` its raw value (it earns none).
    For machines (default) a missing value is NaN; *for_people* shows it as
    :data:`NO_VALUE`, or ``"— (scored 0)"`` where ``missing = "zero"`` gave it 0 points.

    Parameters
    ----------
    result : ScoreResult
    for_people : bool, default False

    Returns
    -------
    pandas.DataFrame
        Rows in rank order.

    Examples
    --------
    Each district's points add up to its score (60 + 20 = 80; 70; 30 + 36 = 66):

    >>> import numpy as np
    >>> import pandas as pd
    >>> from zzgeo.report import ScoreConfig, load_score_config
    >>> rows = load_score_config().indicators.set_index("id").loc[["shelter_per_capita", "shelter_coverage", "land_price_level"]]
    >>> config = ScoreConfig(rows.assign(weight=[0.6, 0.4, 0.0]).reset_index(), "reweight", "示例 scorecard", "example")
    >>> raw = pd.DataFrame({"shelter_per_capita": [1.0, 2.5, np.nan], "shelter_coverage": [0.9, 0.5, 0.7],
    ...                     "land_price_level": [722.5, 747.7, 743.4]}, index=["410102", "410103", "410104"])
    >>> from dataclasses import replace
    >>> from zzgeo.report import district_scores, points_table
    >>> result = district_scores(config, raw=raw)
    >>> table = points_table(result)
    >>> list(table.columns)
    ['shelter_per_capita (points)', 'shelter_coverage (points)', 'land_price_level (context, raw)']
    >>> table.index.tolist(), table.values.tolist()
    (['410103', '410104', '410102'], [[60.0, 20.0, 747.7], [nan, 70.0, 743.4], [30.0, 36.0, 722.5]])
    >>> points_table(district_scores(replace(config, missing="zero"), raw=raw), for_people=True).loc["410104"].tolist()
    ['— (scored 0)', 28.0, 743.4]
    """
    parts = result.parts
    context = _roles(parts).eq("context")
    raw = parts["raw"] if "raw" in parts else parts["contribution"]
    value = raw.where(context, parts["contribution"])
    if for_people:
        zeroed = ~context & raw.isna() & parts["contribution"].notna()
        value = _shown(value).where(~zeroed, _("{no_value} (scored 0)").format(no_value=NO_VALUE))
    label = parts["indicator"].astype(str) + np.where(context, " (context, raw)", " (points)")
    wide = pd.DataFrame({"district": parts["district"], "label": label, "value": value}).pivot(index="district", columns="label", values="value")
    wide = wide[list(dict.fromkeys(label))]
    wide.columns.name = None
    return wide.reindex(pd.unique(result.scores["district"]))


def fewer_note(result: ScoreResult) -> str:
    """The footnote of :data:`FEWER` when a district is scored on fewer indicators than the full set, else ``""``."""
    scores = result.scores
    if "indicators_total" not in scores or not (scores["indicators_used"] < scores["indicators_total"]).any():
        return ""
    rule = _rule(result.meta.get("missing", ""))
    text = _("{mark} scored on fewer than the {n} weighted indicators (no value for those named)").format(
        mark=FEWER, n=int(scores["indicators_total"].max()))
    return _("{text}; {rule}").format(text=text, rule=rule) if rule else text


def _rule(missing: str) -> str:
    """What the missing-data rule *missing* does to a district without a value, in the interface language."""
    rule = _RULES.get(missing, "")
    return _(rule) if rule else ""


# ----------------------------------------------------------------------------- the map


def unit_indicators(runs) -> tuple[pd.DataFrame, object] | None:
    """Raw indicator values by the report's analysis units, and the units' polygons; ``None`` without units.

    The values that exist by unit: the shelters' per-capita area and coverage
    (table ``coverage_by_unit``) and the children's 15-minute childcare access
    (``access_shares_by_unit``); the other indicators are reported per
    county-level unit only, so every unit is scored on fewer indicators (the
    scorecard says which are missing).
    """
    shelters = runs.get("shelters")
    table = shelters.tables.get("coverage_by_unit") if shelters is not None else None
    if table is None:
        return None
    units = table[table["level"] == "unit"]
    raw = pd.DataFrame({"name": units["name"].to_numpy(), "shelter_per_capita": units["per_capita_m2"].to_numpy(),
                        "shelter_coverage": units["covered_share"].to_numpy()}, index=pd.Index(units["adcode"].astype(str), name="adcode"))
    children = runs.get("children")
    shares = children.tables.get("access_shares_by_unit") if children is not None else None
    if shares is not None:
        care = shares[(shares["type"] == "childcare") & (shares["circle"] == "15min") & (shares["level"] == "unit")]
        raw["childcare_access"] = care.set_index("unit")["share"].reindex(raw.index).to_numpy()
    return raw, units[["adcode", "name", "geometry"]].reset_index(drop=True)


def score_map(result: ScoreResult, *, basemap: str = "none", areas=None):
    """Districts coloured by composite score, each indicator's points (and each context indicator's raw value) in the popup.

    A value a district does not have reads :data:`NO_VALUE` in the popup; a
    district scored on fewer indicators than the full set has a red dashed
    outline (in the legend), ``(5/6)`` after its name and ``5 of 6 *`` in its
    tooltip and popup.

    Parameters
    ----------
    result : ScoreResult
    basemap : str
    areas : geopandas.GeoDataFrame, optional
        Polygons with ``adcode`` and ``name`` of the scored units (default
        the county-level units of the layer store).

    Returns
    -------
    folium.Map

    Examples
    --------
    The three districts scored above: one class per score, and the red
    dashed outline for 管城回族区 in the same legend section.

    >>> import numpy as np
    >>> import pandas as pd
    >>> from zzgeo.report import ScoreConfig, load_score_config
    >>> rows = load_score_config().indicators.set_index("id").loc[["shelter_per_capita", "shelter_coverage", "land_price_level"]]
    >>> config = ScoreConfig(rows.assign(weight=[0.6, 0.4, 0.0]).reset_index(), "reweight", "示例 scorecard", "example")
    >>> raw = pd.DataFrame({"shelter_per_capita": [1.0, 2.5, np.nan], "shelter_coverage": [0.9, 0.5, 0.7],
    ...                     "land_price_level": [722.5, 747.7, 743.4]}, index=["410102", "410103", "410104"])
    >>> from zzgeo.maps import map_state
    >>> from zzgeo.report import district_scores, score_map
    >>> state = map_state(score_map(district_scores(config, raw=raw)))
    >>> state.title
    '示例 scorecard: composite score by district (0-100)'
    >>> state.legends[0]
    ('综合得分 score, 0-100 (higher is better)', [('#ffffcc', '66', 'box'), ('#a1dab4', '70', 'box'), ('#41b6c4', '80', 'box'),
     ('#d7191c', 'scored on fewer of the 2 indicators (*)', 'line')])
    >>> state.notes[2]
    'context, shown with its raw value and never scored: land_price_level'
    """
    from zzgeo.layers import read_layer
    from zzgeo.maps import add_outlines, choropleth_map

    wide = points_table(result, for_people=True)
    shown = wide.apply(lambda col: col.map(lambda v: v if isinstance(v, str) else f"{v:,.1f}"))
    people = scores_for_people(result.scores).assign(district=result.scores["district"])
    people["score"] = result.scores["score"].round(1)
    people["rank"] = people["rank"].astype(str)
    if "missing_indicators" in people:
        gaps = people["missing_indicators"].ne("")
        people.loc[gaps, "scored_on"] = [_("{scored_on} (no value: {missing})").format(scored_on=on, missing=missing)
                                         for on, missing in zip(people.loc[gaps, "scored_on"], people.loc[gaps, "missing_indicators"], strict=True)]
    districts = read_layer("districts") if areas is None else areas
    by = "district" if areas is None else "unit"
    layer = districts[["adcode", "geometry"]].merge(people, left_on="adcode", right_on="district")
    layer = layer.merge(shown, left_on="adcode", right_index=True)
    ids = list(shown.columns)
    demo = result.meta.get("demo_themes", [])
    legend_title = _("综合得分 score, 0-100 (higher is better)")
    scores = result.scores
    totals = scores["indicators_total"] if "indicators_total" in scores else scores["indicators_used"]
    fewer = scores[scores["indicators_used"] < totals]
    total = int(totals.max()) if len(scores) else 0
    marks = {d: f" ({u}/{t})" for d, u, t in zip(fewer["district"], fewer["indicators_used"], totals[fewer.index], strict=True)}
    labelled = districts[["name", "geometry"]].assign(name=districts["name"].astype(str) + districts["adcode"].map(lambda a: marks.get(a, "")))
    if areas is not None:
        labelled.attrs["legend"] = _("分析单元 analysis units")
    context = result.meta.get("context", [])
    notes = [_("indicators, weights and normalisation: {config}; missing data: {missing}").format(config=result.meta["config"],
                                                                                                  missing=result.meta["missing"]),
             _("each indicator's points = 100 x weight used x normalised value (popup); {no_value} = no value, never 0").format(no_value=NO_VALUE)]
    if context:
        notes.append(_("context, shown with its raw value and never scored: {ids}").format(ids=", ".join(context)))
    notes.append(_("red dashed outline and (k/{total}) after the name: scored on fewer of the {total} weighted indicators; {rule}").format(
        total=total, rule=_rule(result.meta["missing"])) if len(fewer)
                 else _("every district has a value for all {total} weighted indicators").format(total=total))
    title = (_("{title}: composite score by district (0-100)") if by == "district"
             else _("{title}: composite score by unit (0-100)")).format(title=_(result.meta["title"]))
    labels = {i: (_("{indicator} (context, raw)").format(indicator=i.removesuffix(" (context, raw)")) if i.endswith(" (context, raw)")
                  else _("{indicator} (points)").format(indicator=i.removesuffix(" (points)")) if i.endswith(" (points)") else i) for i in ids}
    m = choropleth_map(
        layer, "score", basemap=basemap, scheme="quantiles", bins=5,
        colors=("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
        title=_("{title} — rests on DEMO data").format(title=title) if demo else title,
        legend_title=legend_title,
        tooltip_columns=["name", "rank", "scored_on"], popup_columns=["name", "rank", "scored_on", *ids],
        labels={"scored_on": _("指标 scored on (of the weighted)"), **labels},
        caption_lines=notes, demo=bool(demo), banner_text=_("DEMO data in: {themes} — scores are illustrative").format(themes=", ".join(demo)),
        districts=labelled,
    )
    if len(fewer):
        add_outlines(m, layer[layer["adcode"].isin(fewer["district"])], name=_("scored on fewer indicators"), color="#d7191c", weight=3.5,
                     dash="8 5", legend_label=_("scored on fewer of the {total} indicators ({mark})").format(total=total, mark=FEWER),
                     legend_section=legend_title)
    return m
