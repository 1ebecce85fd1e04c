"""District scores: the arithmetic on hand-built tables (context indicators, missing values and their marks), the
config checks, the console table and the map, and one run on the default layers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zzgeo.errors import ParameterError
from zzgeo.report.scoring import (NO_VALUE, ScoreConfig, district_scores, load_score_config, normalise, parts_for_people, points_table,
                           score_table, scores_for_people)


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
    # the missing indicator has no contribution (not 0 points): it did not enter the score
    assert np.isnan(c.loc["covered", "contribution"]) and c["contribution"].sum() == pytest.approx(s["C"])
    assert c.loc["per_capita", "weight_used"] == pytest.approx(2 / 3) and c.loc["covered", "weight_used"] == 0
    marks = scores.set_index("district")[["indicators_used", "indicators_total", "missing_indicators"]]
    assert marks.loc["C"].tolist() == [2, 3, "covered"] and marks.loc["A"].tolist() == [3, 3, ""]


def test_missing_as_zero():
    scores, _ = score_table(RAW, _config(CONFIG, missing="zero"))
    assert scores.set_index("district")["score"]["C"] == pytest.approx(100 * (0.5 * 0.25 + 0.25 * 0.5))


# A small scorecard worked by hand: two merit indicators and one context indicator; C has no coverage value,
# B no price.
#   cover   merit, share, higher, weight 0.6    A 0.5   B 0.9   C —
#   sources merit, minmax, lower, weight 0.4    A 2     B 6     C 4    -> normalised 1 - (x - 2) / 4: A 1, B 0, C 0.5
#   price   context (no weight)                 A 800   B —     C 500
HAND = [
    {"id": "cover", "title": "", "role": "merit", "direction": "higher", "normalise": "share", "target": np.nan, "weight": 0.6},
    {"id": "sources", "title": "", "role": "merit", "direction": "lower", "normalise": "minmax", "target": np.nan, "weight": 0.4},
    {"id": "price", "title": "", "role": "context", "direction": "none", "normalise": None, "target": np.nan, "weight": 0.0},
]
HAND_RAW = pd.DataFrame({"name": ["甲", "乙", "丙"], "cover": [0.5, 0.9, np.nan], "sources": [2.0, 6.0, 4.0],
                         "price": [800.0, np.nan, 500.0]}, index=["A", "B", "C"])


def test_hand_worked_scorecard_with_context_and_a_missing_value():
    result = district_scores(_config(HAND), raw=HAND_RAW)
    scores = result.scores.set_index("district")
    # A: 100 x (0.6 x 0.5 + 0.4 x 1) = 30 + 40 = 70
    # B: 100 x (0.6 x 0.9 + 0.4 x 0) = 54 + 0 = 54 (its missing price is context: B is not marked)
    # C: cover missing -> sources alone, weight 0.4 / 0.4 = 1: 100 x 0.5 = 50; marked "1 of 2 *"
    assert scores["score"].to_dict() == pytest.approx({"A": 70.0, "B": 54.0, "C": 50.0})
    assert scores["rank"].tolist() == [1, 2, 3]
    assert scores[["indicators_used", "indicators_total", "missing_indicators"]].to_dict("index") == {
        "A": {"indicators_used": 2, "indicators_total": 2, "missing_indicators": ""},
        "B": {"indicators_used": 2, "indicators_total": 2, "missing_indicators": ""},
        "C": {"indicators_used": 1, "indicators_total": 2, "missing_indicators": "cover"}}
    points = points_table(result)
    assert list(points.columns) == ["cover (points)", "sources (points)", "price (context, raw)"]
    assert points.loc["A"].tolist() == pytest.approx([30.0, 40.0, 800.0])
    assert points.loc["B", "sources (points)"] == 0.0 and np.isnan(points.loc["B", "price (context, raw)"])
    assert np.isnan(points.loc["C", "cover (points)"]) and points.loc["C", "sources (points)"] == pytest.approx(50.0)
    # the context indicator: raw value kept, weight 0, no normalised value, no points
    price = result.parts[result.parts["indicator"] == "price"].set_index("district")
    assert (price["role"] == "context").all() and (price["weight"] == 0).all()
    assert price["normalised"].isna().all() and price["contribution"].isna().all() and price["raw"]["A"] == 800.0
    # for people: "—" for every missing value, never 0.00; "context" for the points of the context indicator
    people = scores_for_people(result.scores).set_index("district")
    assert people["scored_on"].to_dict() == {"A": "2 of 2", "B": "2 of 2", "C": "1 of 2 *"}
    shown = points_table(result, for_people=True)
    assert shown.loc["C"].tolist() == [NO_VALUE, pytest.approx(50.0), 500.0]
    assert shown.loc["B"].tolist() == [pytest.approx(54.0), 0.0, NO_VALUE]
    detail = parts_for_people(result.parts).set_index(["district", "indicator"])
    assert detail.loc[("C", "cover"), ["raw", "normalised", "contribution"]].tolist() == [NO_VALUE] * 3
    assert detail.loc[("B", "price"), ["raw", "normalised", "contribution"]].tolist() == [NO_VALUE, "context", "context"]
    assert detail.loc[("A", "price"), ["raw", "normalised", "contribution"]].tolist() == [800.0, "context", "context"]


def test_hand_worked_scorecard_missing_as_zero():
    result = district_scores(_config(HAND, missing="zero"), raw=HAND_RAW)
    scores = result.scores.set_index("district")
    # C: cover scores 0 at its weight: 100 x (0.6 x 0 + 0.4 x 0.5) = 20; still marked, its raw still "—"
    assert scores["score"].to_dict() == pytest.approx({"A": 70.0, "B": 54.0, "C": 20.0})
    assert scores.loc["C", ["indicators_used", "indicators_total"]].tolist() == [1, 2]
    detail = parts_for_people(result.parts).set_index(["district", "indicator"])
    assert detail.loc[("C", "cover"), ["raw", "normalised", "contribution"]].tolist() == [NO_VALUE, 0.0, 0.0]
    assert points_table(result, for_people=True).loc["C", "cover (points)"] == f"{NO_VALUE} (scored 0)"


def test_context_earns_nothing_whatever_its_value():
    # the land-price level was worth points when higher; as context it no longer moves a score
    base = score_table(HAND_RAW.drop(columns="name"), _config(HAND))[0]
    dearer = score_table(HAND_RAW.drop(columns="name").assign(price=[1.0, 99999.0, 7.0]), _config(HAND))[0]
    assert base["score"].tolist() == dearer["score"].tolist() and base["rank"].tolist() == dearer["rank"].tolist()


def test_a_district_without_any_value_has_no_score_not_zero():
    raw = HAND_RAW.drop(columns="name").assign(sources=[2.0, 6.0, np.nan])
    scores = score_table(raw, _config(HAND))[0].set_index("district")
    assert np.isnan(scores.loc["C", "score"]) and scores["rank"].isna().tolist() == [False, False, True]
    assert scores_for_people(scores.reset_index()).set_index("district").loc["C", ["rank", "score", "scored_on"]].tolist() == [
        NO_VALUE, NO_VALUE, "0 of 2 *"]


def test_the_console_table_shows_dashes_marks_and_context(monkeypatch):
    from typer.testing import CliRunner

    import zzgeo.report.scoring
    from zzgeo.cli import app

    result = district_scores(_config(HAND), raw=HAND_RAW)
    monkeypatch.setattr(zzgeo.report.scoring, "district_scores", lambda config=None: result)
    out = CliRunner().invoke(app, ["score"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    rows = {line.split("│")[2].strip(): line for line in out.stdout.splitlines() if line.count("│") > 3}
    # the scores table: 丙 scored on 1 of 2, marked, the missing indicator named
    assert "1 of 2 *" in rows["丙"] and "cover" in rows["丙"] and "70.00" in out.stdout
    points = [line for line in out.stdout.splitlines() if line.startswith("│ 丙") and "50.00" in line]
    # the dash stands in a column of figures: right-aligned like them (never 0.00)
    assert len(points) == 1 and f" {NO_VALUE} │" in points[0] and " 0.00 │" not in points[0]
    assert "* scored on fewer than the 2 weighted indicators" in out.stdout
    assert "context: shown, never scored: price" in out.stdout


def test_lower_is_better_against_a_target():
    out = normalise(pd.Series([0.0, 2.0, 8.0, np.nan]), method="target", direction="lower", target=4.0)
    assert out.iloc[:3].tolist() == [1.0, 1.0, 0.5] and np.isnan(out.iloc[3])


def test_bad_configs(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[[indicators]]\nid = "shelter_coverage"\ntitle = "x"\nwhy = "w"\ndirection = "up"\nnormalise = "share"\nweight = 1\n', encoding="utf-8")
    with pytest.raises(ParameterError, match=r"indicators\[0\]\.direction = 'up': must be 'higher', 'lower' or 'none'"):
        load_score_config(path)
    path.write_text('[[indicators]]\nid = "shelter_coverage"\ntitle = "x"\nwhy = "w"\ndirection = "higher"\nnormalise = "target"\nweight = 1\n', encoding="utf-8")
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
    # land price is context: shown, no points; so the cities without a price are not marked, all have the six merit indicators
    assert parts.loc[parts["indicator"] == "land_price_level", "contribution"].isna().all() and result.meta["context"] == ["land_price_level"]
    assert (result.scores["indicators_used"] == 6).all() and (result.scores["indicators_total"] == 6).all()


def test_score_command_writes_the_points_per_indicator(tmp_path):
    from typer.testing import CliRunner

    from zzgeo.cli import app

    out = tmp_path / "scores.csv"
    config = tmp_path / "scores.toml"
    config.write_text('''[score]\nmissing = "zero"\n[[indicators]]\nid = "shelter_coverage"\ntitle = "t"\ntheme = "shelters"
why = "w"\ndirection = "higher"\nnormalise = "share"\nweight = 1\n''', encoding="utf-8")
    result = CliRunner().invoke(app, ["score", "--config", str(config), "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = __import__("json").loads(result.stdout)
    written = pd.read_csv(out)
    assert list(written["rank"]) == sorted(written["rank"]) and "shelter_coverage (points)" in written
    # one indicator of weight 1: the score is 100 x the covered share
    raw = {p["district"]: p["raw"] for p in data["parts"]}
    assert all(abs(s["score"] - 100 * raw[s["district"]]) < 1e-9 for s in data["scores"])


def test_the_packaged_file_states_role_direction_and_why_of_every_indicator():
    config = load_score_config().indicators.set_index("id")
    assert config["why"].str.len().min() > 20
    assert config["role"].to_dict() == {"shelter_per_capita": "merit", "shelter_coverage": "merit", "children_targets": "merit",
                                        "childcare_access": "merit", "sources_in_zones": "merit", "leak_screening": "merit",
                                        "land_price_level": "context"}
    assert config["direction"].to_dict() == {"shelter_per_capita": "higher", "shelter_coverage": "higher", "children_targets": "higher",
                                             "childcare_access": "higher", "sources_in_zones": "lower", "leak_screening": "higher",
                                             "land_price_level": "none"}
    assert config.loc["land_price_level", "weight"] == 0


ROW = '[[indicators]]\nid = "land_price_level"\ntitle = "t"\n'
MERIT = '[[indicators]]\nid = "shelter_coverage"\ntitle = "t"\nwhy = "w"\ndirection = "higher"\nnormalise = "share"\nweight = 1\n'


@pytest.mark.parametrize(("row", "expected"), [
    (ROW + 'role = "context"\nwhy = "w"\nweight = 0.1\n',
     "indicators[1].role = 'context': a context indicator is shown, never scored: remove weight = 0.1; to score it, "
     "make it role = 'merit' and say in why which direction is better"),
    (ROW + 'role = "context"\nwhy = "w"\ndirection = "higher"\nnormalise = "minmax"\n',
     "indicators[1].role = 'context': a context indicator is shown, never scored: remove direction = 'higher', "
     "normalise = 'minmax'; to score it, make it role = 'merit' and say in why which direction is better"),
    (ROW + 'role = "context"\n', "indicators[1].why is missing (required)"),
    (ROW + 'why = "w"\nnormalise = "minmax"\nweight = 0.1\n',
     "indicators[1].direction is missing: a merit indicator needs a direction, 'higher' or 'lower' (say in why which is better); "
     "'none' is for role = 'context'"),
    (ROW + 'why = "w"\ndirection = "none"\nnormalise = "minmax"\nweight = 0.1\n', "indicators[1].direction = 'none': a merit indicator"),
    (ROW + 'why = "w"\ndirection = "higher"\nnormalise = "minmax"\n',
     "indicators[1].weight is missing: a merit indicator needs a weight, a finite number >= 0"),
    (ROW + 'role = "merit?"\nwhy = "w"\n', "indicators[1].role = 'merit?': must be 'merit' or 'context'"),
])
def test_role_and_why_are_checked(tmp_path, row, expected):
    path = tmp_path / "s.toml"
    path.write_text(MERIT + row, encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        load_score_config(path)
    assert expected in str(info.value)


def test_a_context_indicator_may_leave_weight_and_direction_out(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(MERIT + ROW + 'role = "context"\nwhy = "dearer land is not better planning"\n', encoding="utf-8")
    config = load_score_config(path).indicators.set_index("id")
    assert config.loc["land_price_level", ["role", "direction", "weight"]].tolist() == ["context", "none", 0.0]


def test_the_score_map_marks_a_district_scored_on_fewer_indicators(tmp_path):
    import json
    import re

    from zzgeo.layers import read_layer
    from zzgeo.maps import map_state, save_html
    from zzgeo.report.scoring import score_map

    adcodes = read_layer("districts")["adcode"].tolist()[:3]
    result = district_scores(_config(HAND), raw=HAND_RAW.set_axis(adcodes))
    m = score_map(result)
    state = map_state(m)
    outlines = [layer for layer in state.layers if layer.name == "scored on fewer indicators"]
    assert len(outlines) == 1 and len(outlines[0].frame) == 1  # only C, the third district
    assert ("#d7191c", "scored on fewer of the 2 indicators (*)", "line") in dict(state.legends)["综合得分 score, 0-100 (higher is better)"]
    labels = next(layer.frame for layer in state.layers if layer.kind == "labels")["name"].tolist()
    assert sum(label.endswith(" (1/2)") for label in labels) == 1
    page = save_html(m, tmp_path / "s.html").read_text(encoding="utf-8")
    page = re.sub(r"\\u([0-9a-fA-F]{4})", lambda x: chr(int(x.group(1), 16)), page)
    features = [json.loads(f) for f in re.findall(r'(\{"__zzgeo_fill"[^{}]*\})', page)]
    popups = {f["p1"]: f for f in features}  # p0 score, p1 name, p2 rank, p3 scored on, p4 cover, p5 sources, p6 price
    c = popups["丙"]
    assert c["p3"] == "1 of 2 * (no value: cover)" and c["p4"] == NO_VALUE and c["p5"] == "50.0" and c["p6"] == "500.0"
    assert popups["乙"]["p5"] == "0.0" and popups["乙"]["p6"] == NO_VALUE  # a real 0 points; a missing context value


def test_json_says_null_for_no_score_and_no_rank(monkeypatch):
    import json

    from typer.testing import CliRunner

    import zzgeo.report.scoring
    from zzgeo.cli import app

    raw = HAND_RAW.assign(sources=[2.0, 6.0, np.nan])  # C has no merit value at all
    result = district_scores(_config(HAND), raw=raw)
    monkeypatch.setattr(zzgeo.report.scoring, "district_scores", lambda config=None: result)
    out = CliRunner().invoke(app, ["score", "--json"])
    assert out.exit_code == 0, out.output
    c = next(s for s in json.loads(out.stdout)["scores"] if s["district"] == "C")
    assert c["score"] is None and c["rank"] is None and c["indicators_used"] == 0 and c["missing_indicators"] == "cover, sources"
