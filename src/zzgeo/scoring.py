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

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from zzgeo._data import load_toml
from zzgeo.errors import ParameterError

__all__ = ["ScoreConfig", "load_score_config", "normalise", "score_table", "collect_indicators", "district_scores", "ScoreResult"]

_NORMALISE = ("target", "share", "minmax")
_MISSING = ("reweight", "zero")


@dataclass(frozen=True)
class ScoreConfig:
    """The indicators (one row each) and the missing-data rule."""

    indicators: pd.DataFrame
    missing: str
    title: str
    path: str


def load_score_config(path: str | Path | None = None) -> ScoreConfig:
    """Read and check ``data/scores.toml`` (or *path*)."""
    label = str(path or "scores.toml")
    if path is not None and not Path(path).is_file():
        raise FileNotFoundError(f"score config {label!r}: no such file")
    doc = load_toml(path or "scores.toml")
    frame = pd.DataFrame(doc.get("indicators", []))
    settings = doc.get("score", {})
    missing = settings.get("missing", "reweight")
    need = {"id", "title", "direction", "normalise", "weight"}
    problems = [f"missing keys {sorted(need - set(frame.columns))}"] if frame.empty or not need <= set(frame.columns) else []
    if not problems:
        if "target" not in frame:
            frame["target"] = np.nan
        frame["weight"] = pd.to_numeric(frame["weight"], errors="coerce")
        problems += [f"{r.id}: direction must be higher or lower" for r in frame.itertuples() if r.direction not in ("higher", "lower")]
        problems += [f"{r.id}: normalise must be one of {_NORMALISE}" for r in frame.itertuples() if r.normalise not in _NORMALISE]
        problems += [f"{r.id}: a target normalisation needs a positive target" for r in frame.itertuples()
                     if r.normalise == "target" and not (pd.notna(r.target) and r.target > 0)]
        problems += [f"{r.id}: weight must be a number >= 0" for r in frame.itertuples() if not (r.weight >= 0)]
        if frame["id"].duplicated().any() or not frame["weight"].sum() > 0:
            problems.append("ids must be unique and the weights must not all be 0")
    if missing not in _MISSING:
        problems.append(f"[score] missing must be one of {_MISSING}")
    if problems:
        raise ParameterError(f"score config {label!r}: {'; '.join(problems[:4])}")
    return ScoreConfig(frame.reset_index(drop=True), missing, settings.get("title", "district scorecard"), label)


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


def _shelters() -> tuple[pd.DataFrame, bool]:
    from zzgeo.shelters.coverage import shelter_coverage
    from zzgeo.shelters.demo import demo_register
    from zzgeo.shelters.register import read_register

    result = shelter_coverage(read_register(demo_register()), year=2025)
    table = result.table.set_index("adcode")
    return pd.DataFrame({"shelter_per_capita": table["per_capita_m2"], "shelter_coverage": table["covered_share"]}), bool(result.meta["demo"])


def _children() -> tuple[pd.DataFrame, bool]:
    from zzgeo.children.access import walking_access
    from zzgeo.children.attainment import attainment
    from zzgeo.children.demo import demo_facilities
    from zzgeo.children.register import read_facilities

    facilities = read_facilities(demo_facilities())
    rec = attainment(facilities, year=2025).records
    unit_rows = rec[rec["unit"].str.fullmatch(r"\d{6}") & rec["ratio"].notna() & rec["scope"].isin(["per_unit", "per_1000_residents", "per_10000_residents"])]
    targets = unit_rows.assign(capped=unit_rows["ratio"].clip(upper=1.0)).groupby("unit")["capped"].mean()
    shares = walking_access(facilities, types=["childcare"]).shares
    access = shares[(shares["circle"] == "15min")].set_index("unit")["share"]
    return pd.DataFrame({"children_targets": targets, "childcare_access": access}), True


def _groundwater(districts: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    from zzgeo.groundwater.cli import _load_pollution, _load_zones
    from zzgeo.groundwater.indicators import pilot_indicators
    from zzgeo.groundwater.rules import load_rules
    from zzgeo.groundwater.screening import screen_sources

    zones, _, _ = _load_zones(None, None, None, None, None, "analytic", None, "raise")
    screened = screen_sources(_load_pollution(None, None, None, None, "raise"), zones, rules=load_rules())
    inside = screened.sources[screened.sources["zone"] != "outside"].groupby("adcode").size()
    rates = pilot_indicators(screened.sources, zones, districts=districts).by_district.set_index("adcode")["leak_screening_rate"]
    return pd.DataFrame({"sources_in_zones": inside.reindex(districts["adcode"], fill_value=0), "leak_screening": rates}), True


def _land_price(districts) -> tuple[pd.DataFrame, bool]:
    from zzgeo.landprice.lookup import lookup_prices

    prices = lookup_prices(districts[["adcode", "geometry"]].reset_index(drop=True))
    pick = prices[(prices["table"] == "collective_construction") & (prices["use"] == "commercial") & (prices["right"] == "transfer")]
    by_parcel = pick.set_index("parcel")["price_yuan_m2"]
    level = pd.Series(by_parcel.reindex(range(len(districts))).to_numpy(), index=districts["adcode"].to_numpy())
    return pd.DataFrame({"land_price_level": level}), True


def collect_indicators(districts=None) -> tuple[pd.DataFrame, dict]:
    """Raw values of every indicator of ``data/scores.toml`` per district, from the themes on the default layers.

    Returns
    -------
    (raw, demo) : pandas.DataFrame, dict
        ``raw`` indexed by adcode; ``demo`` says which themes rest on DEMO layers.
    """
    from zzgeo.layers import read_layer

    districts = read_layer("districts") if districts is None else districts
    frames, demo = [], {}
    for theme, build in (("shelters", _shelters), ("children", _children), ("groundwater", lambda: _groundwater(districts)),
                         ("land-price", lambda: _land_price(districts))):
        frame, is_demo = build()
        frames.append(frame)
        demo[theme] = is_demo
    raw = pd.concat(frames, axis=1).reindex(districts["adcode"].to_numpy())
    raw.index.name = "adcode"
    raw.insert(0, "name", districts.set_index("adcode")["name"].reindex(raw.index).to_numpy())
    return raw, demo


@dataclass
class ScoreResult:
    """Scores per district, each indicator's part, and what rests on demo data."""

    scores: pd.DataFrame
    parts: pd.DataFrame
    meta: dict = field(default_factory=dict)


def district_scores(config: str | Path | ScoreConfig | None = None, *, raw: pd.DataFrame | None = None) -> ScoreResult:
    """Collect the indicators (unless *raw* is given) and score the districts."""
    config = config if isinstance(config, ScoreConfig) else load_score_config(config)
    demo = {}
    if raw is None:
        raw, demo = collect_indicators()
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
