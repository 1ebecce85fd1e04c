"""Maps of the groundwater theme on the shipped demo data: the screening list drawn in part says so."""

from __future__ import annotations

from zzgeo.maps import map_state


def test_zone_map_says_how_many_listed_sources_it_shows():
    from zzgeo.groundwater.report import run

    demo = run()
    listed = demo.tables["screening_list"]
    total = int(listed["listed"].sum())
    assert total > 50 and len(listed) == total
    state = map_state(demo.maps["zones"]())
    part = f"50 of {total:,} shown, chosen by priority (1 first)"
    assert dict(state.legends)["leak-screening list (渗漏排查清单)"] == [("#cb181d", part, "dot")]
    assert f"leak-screening list (渗漏排查清单): {part}" in state.notes
    drawn = next(layer.frame for layer in state.layers if layer.name.startswith("leak-screening"))
    assert [int(label.split(".")[0]) for label in drawn.iloc[:, 0]] == list(range(1, 51))
