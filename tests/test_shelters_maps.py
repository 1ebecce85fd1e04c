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
