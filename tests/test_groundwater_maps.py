"""Maps of the groundwater theme on the shipped demo data: the screening list drawn in part says so."""

from __future__ import annotations

from pathlib import Path

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


def test_zone_map_caption_states_the_travel_time_the_rules_set(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    from zzgeo._data import data_path
    from zzgeo.groundwater import source_zones
    from zzgeo.groundwater.maps import zone_map
    from zzgeo.groundwater.rules import load_rules

    sources = gpd.GeoDataFrame({"source_id": ["S1"], "name": ["示例水源"], "conductivity_m_d": [30.0], "gradient": [0.001],
                                "porosity": [0.2], "thickness_m": [40.0], "flow_azimuth_deg": [90.0]},
                               geometry=[Point(113.62, 34.85)], crs="EPSG:4326")
    wells = gpd.GeoDataFrame({"well_id": ["S1-W1"], "source_id": ["S1"], "pumping_m3_d": [5000.0]},
                             geometry=[Point(113.62, 34.85)], crs="EPSG:4326")

    def caption(rules):
        notes = map_state(zone_map(source_zones(sources, wells, rules=rules))).notes
        return next(n for n in notes if n.startswith("补给区·迁移时间区"))

    assert ("within the travel time (10 years = 3,650 days, an assumption; rule set zhengzhou-groundwater-2022, "
            "[capture] travel_days), by backward") in caption(None)
    text = Path(data_path("groundwater/rules.toml")).read_text(encoding="utf-8")
    assert "travel_days = 3650\n" in text and 'status = "assumption"\nenvelope_points' in text
    mine = tmp_path / "rules.toml"
    mine.write_text(text.replace("travel_days = 3650\n", "travel_days = 1800\n")
                    .replace('status = "assumption"\nenvelope_points', 'status = "checked"\nenvelope_points')
                    .replace('id = "zhengzhou-groundwater-2022"', 'id = "county-5y"'), encoding="utf-8")
    rules = load_rules(mine)
    assert rules.recharge_days == 1800
    said = caption(rules)
    assert "within the travel time (1,800 days, checked in a primary source; rule set county-5y, [capture] travel_days)" in said
    assert "10 years" not in said and "assumption" not in said
