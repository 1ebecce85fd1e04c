"""District scores: the arithmetic on a hand-built table, the config checks, and one run on the default layers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zzgeo.errors import ParameterError
from zzgeo.scoring import ScoreConfig, district_scores, load_score_config, normalise, score_table


def _config(rows, missing="reweight"):
    return ScoreConfig(pd.DataFrame(rows), missing, "test", "inline")


CONFIG = [
    {"id": "per_capita", "title": "", "direction": "higher", "normalise": "target", "target": 2.0, "weight": 0.5},
    {"id": "covered", "title": "", "direction": "higher", "normalise": "share", "target": np.nan, "weight": 0.25},
    {"id": "sources", "title": "", "direction": "lower", "normalise": "minmax", "target": np.nan, "weight": 0.25},
]
RAW = pd.DataFrame({"per_capita": [1.0, 3.0, 0.5], "covered": [0.8, 0.4, np.nan], "sources": [10.0, 0.0, 5.0]},
                   index=["A", "B", "C"])


def test_score_arithmetic_by_hand():
    scores, parts = score_table(RAW, _config(CONFIG))
    s = scores.set_index("district")["score"]
    # A: 0.5 x (1/2) + 0.25 x 0.8 + 0.25 x (1 - 10/10) = 0.45
    assert s["A"] == pytest.approx(45.0)
    # B: 0.5 x min(3/2, 1) + 0.25 x 0.4 + 0.25 x 1 = 0.85
    assert s["B"] == pytest.approx(85.0)
    # C: covered missing -> weights 0.5 and 0.25 rescaled to 2/3 and 1/3: 2/3 x 0.25 + 1/3 x 0.5 = 1/3
    assert s["C"] == pytest.approx(100 / 3)
    assert scores.set_index("district")["rank"].to_dict() == {"B": 1, "A": 2, "C": 3}
    c = parts[parts["district"] == "C"].set_index("indicator")
    assert c.loc["covered", "contribution"] == 0 and c["contribution"].sum() == pytest.approx(s["C"])
    assert c.loc["per_capita", "weight_used"] == pytest.approx(2 / 3)


def test_missing_as_zero():
    scores, _ = score_table(RAW, _config(CONFIG, missing="zero"))
    assert scores.set_index("district")["score"]["C"] == pytest.approx(100 * (0.5 * 0.25 + 0.25 * 0.5))


def test_lower_is_better_against_a_target():
    out = normalise(pd.Series([0.0, 2.0, 8.0, np.nan]), method="target", direction="lower", target=4.0)
    assert out.iloc[:3].tolist() == [1.0, 1.0, 0.5] and np.isnan(out.iloc[3])


def test_bad_configs(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[[indicators]]\nid = "shelter_coverage"\ntitle = "x"\ndirection = "up"\nnormalise = "share"\nweight = 1\n', encoding="utf-8")
    with pytest.raises(ParameterError, match=r"indicators\[0\]\.direction = 'up': must be 'higher' or 'lower'"):
        load_score_config(path)
    path.write_text('[[indicators]]\nid = "shelter_coverage"\ntitle = "x"\ndirection = "higher"\nnormalise = "target"\nweight = 1\n', encoding="utf-8")
    with pytest.raises(ParameterError, match=r"indicators\[0\]\.target is missing: normalise = 'target' needs a target, a finite number > 0"):
        load_score_config(path)


def test_default_scorecard_on_the_default_layers():
    result = district_scores()
    assert len(result.scores) == 12 and result.scores["rank"].min() == 1
    assert set(result.meta["demo_themes"]) == {"shelters", "children", "groundwater", "land-price"}
    parts = result.parts
    assert parts.groupby("district")["contribution"].sum().round(9).to_dict() == result.scores.set_index("district")["score"].round(9).to_dict()
    # the six urban districts lie on the demo grade map; the county-level cities have no land-price value
    land = parts[parts["indicator"] == "land_price_level"].set_index("district")["raw"]
    assert land[["410102", "410103", "410104", "410105"]].notna().all() and np.isnan(land["410185"])


def test_score_command_writes_the_points_per_indicator(tmp_path):
    from typer.testing import CliRunner

    from zzgeo.cli import app

    out = tmp_path / "scores.csv"
    config = tmp_path / "scores.toml"
    config.write_text('''[score]\nmissing = "zero"\n[[indicators]]\nid = "shelter_coverage"\ntitle = "t"\ntheme = "shelters"
direction = "higher"\nnormalise = "share"\nweight = 1\n''', encoding="utf-8")
    result = CliRunner().invoke(app, ["score", "--config", str(config), "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = __import__("json").loads(result.stdout)
    written = pd.read_csv(out)
    assert list(written["rank"]) == sorted(written["rank"]) and "shelter_coverage (points)" in written
    # one indicator of weight 1: the score is 100 x the covered share
    raw = {p["district"]: p["raw"] for p in data["parts"]}
    assert all(abs(s["score"] - 100 * raw[s["district"]]) < 1e-9 for s in data["scores"])
