"""An explainable composite score per district across the themes (``zzgeo score``).

The indicators, their direction, normalisation, weights and missing-data
handling are a data file (``data/scores.toml``; the user may pass an edited
copy). :func:`score_table` is the arithmetic alone, on any table of raw values;
:func:`collect_indicators` runs each theme on the default layers (or the
frames given) to fill that table; :func:`district_scores` does both. Every
output lists each indicator's raw value, normalised value and contribution, so
a reader can see why a district ranks where it does.
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
from zzgeo.config import MISSING, ConfigModel, ConfigProblem, NonNegative, Positive, Text, load_config

__all__ = ["ScoreConfig", "ScoreFile", "ScoreSettings", "IndicatorSpec", "known_indicators", "load_score_config", "normalise", "score_table", "collect_indicators", "district_scores", "ScoreResult", "score_map"]

_PACKAGED = "scores.toml"


@dataclass(frozen=True)
class ScoreConfig:
    """The indicators (one row each) and the missing-data rule."""

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
    """One ``[[indicators]]`` row: a known id, its direction, normalisation and weight."""

    id: str
    title: Text
    theme: Optional[Text] = None
    source: str = ""
    direction: Literal["higher", "lower"]
    normalise: Literal["target", "share", "minmax"]
    target: Optional[Positive] = None
    weight: NonNegative

    @field_validator("id")
    @classmethod
    def _known(cls, value: str) -> str:
        known = known_indicators()
        if value not in known:
            raise ConfigProblem(f"not an indicator zzgeo computes; allowed: {', '.join(known)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> IndicatorSpec:
        if self.normalise == "target" and self.target is None:
            raise ConfigProblem("normalise = 'target' needs a target, a finite number > 0", at=("target",), value=MISSING)
        theme = known_indicators()[self.id]
        if self.theme is not None and self.theme != theme:
            raise ConfigProblem(f"indicator {self.id!r} belongs to theme {theme!r}", at=("theme",), value=self.theme)
        return self


class ScoreFile(ConfigModel):
    """A score config (``data/scores.toml``): ``[score]`` and at least one ``[[indicators]]`` row."""

    score: ScoreSettings = ScoreSettings()
    indicators: list[IndicatorSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _whole(self) -> ScoreFile:
        first: dict[str, int] = {}
        for i, ind in enumerate(self.indicators):
            if ind.id in first:
                raise ConfigProblem(f"repeats indicators[{first[ind.id]}].id; give each indicator once",
                                    at=("indicators", i, "id"), value=ind.id)
            first[ind.id] = i
        weights = [ind.weight for ind in self.indicators]
        if not sum(weights) > 0:
            raise ConfigProblem("every weight is 0; at least one must be > 0", at=("indicators", "*", "weight"), value=weights)
        return self


def load_score_config(path: str | Path | None = None) -> ScoreConfig:
    """Read and check ``data/scores.toml`` (or *path*) against :class:`ScoreFile`.

    Raises
    ------
    FileNotFoundError
        *path* does not exist.
    ParameterError
        Not UTF-8, not TOML, empty, an unknown key or indicator id, a weight
        that is not a finite number >= 0, a target normalisation without a
        target > 0, a repeated id, or every weight 0 (one line: file, key path, value, what is allowed).
    """
    label = str(path or _PACKAGED)
    spec = load_config(path if path is not None else data_path(_PACKAGED), ScoreFile, what="score config")
    frame = pd.DataFrame([ind.model_dump() for ind in spec.indicators])
    frame["theme"] = [t if t is not None else known_indicators()[i] for i, t in zip(frame["id"], frame["theme"], strict=True)]
    frame["target"] = frame["target"].astype("float64")
    frame["weight"] = frame["weight"].astype("float64")
    return ScoreConfig(frame, spec.score.missing, spec.score.title, label)


def normalise(raw: pd.Series, *, method: str, direction: str, target: float = np.nan) -> pd.Series:
    """Raw values of one indicator on [0, 1], 1 = best (see ``data/scores.toml``); NaN stays NaN."""
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

    Returns
    -------
    (scores, parts) : pandas.DataFrame, pandas.DataFrame
        ``scores``: per district ``score`` (0-100), ``rank``, ``indicators_used``.
        ``parts``: per district and indicator ``raw``, ``normalised``,
        ``weight``, ``weight_used`` and ``contribution`` (points of the 100).
    """
    parts = []
    for ind in config.indicators.itertuples():
        values = raw[ind.id].astype("float64") if ind.id in raw else pd.Series(np.nan, index=raw.index)
        norm = normalise(values, method=ind.normalise, direction=ind.direction, target=ind.target)
        if config.missing == "zero":
            norm = norm.fillna(0.0)
        parts.append(pd.DataFrame({"district": raw.index, "indicator": ind.id, "raw": values.to_numpy(), "normalised": norm.to_numpy(),
                                   "weight": float(ind.weight)}))
    long = pd.concat(parts, ignore_index=True)
    used = long["normalised"].notna() & (long["weight"] > 0)
    total = long["weight"].where(used, 0.0).groupby(long["district"]).transform("sum")
    long["weight_used"] = (long["weight"] / total).where(used, 0.0)
    long["contribution"] = 100.0 * long["weight_used"] * long["normalised"].fillna(0.0)
    scores = long.groupby("district", sort=False).agg(score=("contribution", "sum"), indicators_used=("weight_used", lambda w: int((w > 0).sum())))
    scores["rank"] = scores["score"].rank(ascending=False, method="min").astype(int)
    return scores.reset_index(), long


# ----------------------------------------------------------------------------- the raw values, from every theme


def collect_indicators(runs=None, districts=None) -> tuple[pd.DataFrame, dict]:
    """Raw values of the indicators per district, from each theme's :class:`zzgeo._theme_run.ThemeRun`.

    Parameters
    ----------
    runs : mapping of str to ThemeRun, optional
        Theme key -> run; default: every theme on the default layers (:func:`zzgeo.report.run_themes`).
    districts : GeoDataFrame, optional
        Default: the layer store's districts.

    Returns
    -------
    (raw, demo) : pandas.DataFrame, dict
        ``raw`` indexed by adcode with a ``name`` column; ``demo`` says which themes rest on DEMO layers.
    """
    from zzgeo.layers import read_layer

    if runs is None:
        from zzgeo.report import run_themes

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
    """Scores per district, each indicator's part, and what rests on demo data."""

    scores: pd.DataFrame
    parts: pd.DataFrame
    meta: dict = field(default_factory=dict)


def district_scores(config: str | Path | ScoreConfig | None = None, *, raw: pd.DataFrame | None = None,
                    runs=None) -> ScoreResult:
    """Score the districts on *raw* values, or on the indicators of the theme *runs* (default: run every theme)."""
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
    parts["demo"] = parts["theme"].map(demo).fillna(False).astype(bool)
    meta = {"config": config.path, "title": config.title, "missing": config.missing, "demo_themes": sorted(t for t, d in demo.items() if d),
            "indicators": config.indicators.to_dict("records")}
    return ScoreResult(scores.sort_values("rank").reset_index(drop=True), parts, meta)


def score_map(result: ScoreResult, *, basemap: str = "none"):
    """Districts coloured by composite score, each indicator's points in the popup.

    Returns
    -------
    folium.Map
    """
    from zzgeo.layers import read_layer
    from zzgeo.maps import choropleth_map

    points = result.parts.pivot(index="district", columns="indicator", values="contribution").round(1)
    layer = read_layer("districts")[["adcode", "geometry"]].merge(result.scores, left_on="adcode", right_on="district")
    layer = layer.merge(points, left_on="adcode", right_index=True)
    layer["score"] = layer["score"].round(1)
    ids = list(points.columns)
    demo = result.meta.get("demo_themes", [])
    return choropleth_map(
        layer, "score", basemap=basemap, scheme="quantiles", bins=5,
        colors=("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
        title=f"{result.meta['title']}: composite score by district (0-100)" + (" — rests on DEMO data" if demo else ""),
        legend_title="综合得分 score, 0-100 (higher is better)",
        tooltip_columns=["name", "rank"], popup_columns=["name", "rank", "indicators_used", *ids],
        labels={i: f"{i} (points)" for i in ids},
        caption_lines=[f"indicators, weights and normalisation: {result.meta['config']}; missing data: {result.meta['missing']}",
                       "each indicator's points = 100 x weight used x normalised value (popup)"],
        demo=bool(demo), banner_text=f"DEMO data in: {', '.join(demo)} — scores are illustrative",
    )
