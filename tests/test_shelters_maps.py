"""Maps of the shelter theme on the shipped demo data: a map showing part of the siting plan says how much and which."""

from __future__ import annotations

import pytest

from zzgeo.maps import map_state


@pytest.fixture(scope="module")
def demo_run():
    from zzgeo.shelters.report import run

    return run()


def test_siting_map_says_how_many_of_the_chosen_sites_it_shows(demo_run):
    plan = demo_run.tables["siting_plan"]  # every chosen site of the 2029 plan, in build order
    total = len(plan)
    assert total > 30  # the demo plan chooses more sites than the map draws
    state = map_state(demo_run.maps["siting_2029"]())
    rule = "build order (most newly covered residents first)"
    assert dict(state.legends)["chosen sites"] == [("#238b45", f"30 of {total:,} shown, chosen by {rule}", "dot")]
    assert f"chosen sites: 30 of {total:,} shown, chosen by {rule}" in state.notes
    drawn = next(layer.frame for layer in state.layers if layer.name == "chosen sites")
    labels = drawn.iloc[:, 0].tolist()
    assert [int(label.split(".")[0]) for label in labels] == plan["order"].head(30).tolist()


@pytest.mark.parametrize("key, column", [("coverage", "per_capita_m2"), ("siting_2029", "per_capita_after_m2")])
def test_per_capita_classes_break_at_the_targets_of_the_rules_file(demo_run, key, column):
    import tomllib
    from importlib.resources import files

    targets = [t["per_capita_m2"] for t in tomllib.loads(files("zzgeo").joinpath("data/shelters/targets.toml").read_text("utf-8"))["targets"]]
    assert targets == [2.0, 3.0]  # 郑政文〔2022〕40号 三、目标任务: 2025 and 2029
    state = map_state(demo_run.maps[key]())
    layer = state.layers[0].frame
    values = layer["p0"].astype(float)  # the classed column comes first
    fills = layer["__zzgeo_fill"]
    for t in targets:
        if values.min() < t <= values.max():  # a target inside the range: no class holds districts on both sides of it
            assert not set(fills[values < t]) & set(fills[values >= t])
            assert any(label.startswith(f"{t:g} \u2013") for _, label, _ in state.legends[0][1])
    assert any("class breaks include the targets 2 m²/person (2025) and 3 m²/person (2029)" in n for n in state.notes)
