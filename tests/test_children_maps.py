"""Maps of the child-friendly theme: attainment by district and access gaps, offline HTML with the figures behind them."""

from __future__ import annotations

import re

import pytest

from zzgeo.children.access import walking_access
from zzgeo.children.attainment import target_attainment
from zzgeo.children.demo import build_demo_facilities
from zzgeo.children.maps import RATIO_COLOURS, access_map, attainment_map
from zzgeo.children.register import read_facilities
from zzgeo.errors import UnknownCodeError
from zzgeo.maps import save_html


@pytest.fixture(scope="module")
def facilities():
    return read_facilities(build_demo_facilities())


def test_attainment_map_colours_each_district_by_its_ratio(facilities, tmp_path):
    result = target_attainment(facilities, year=2022)
    path = save_html(attainment_map(result, "street_cf_2022"), tmp_path / "streets.html")
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=[\"']https?://", text) and "DEMO facility register" in text
    rows = result.records[(result.records["target_id"] == "street_cf_2022") & result.records["unit"].str.fullmatch(r"\d{6}")]
    met = rows[rows["ratio"] >= 1]
    if len(met):
        assert RATIO_COLOURS[-1] in text  # the class "met (≥ 100 %)" is drawn
    assert "郑政〔2022〕8号 四(四)28" in text and "development zones (no public boundary)" in text
    with pytest.raises(UnknownCodeError, match="no per-unit records"):
        attainment_map(result, "hpv_2025")


def test_access_map_shows_the_gap_cells(facilities, tmp_path):
    import json

    import numpy as np

    from zzgeo.maps import map_state

    result = walking_access(facilities, types=["park_cf"], top=10)
    m = access_map(result, "park_cf", "10min")
    text = save_html(m, tmp_path / "parks.html").read_text(encoding="utf-8")
    assert "the 10 grid cells with most children beyond the circle" in text
    # counted from the surface: cells with children beyond 500 m; and the size of the tie the cut falls in
    walk, kids = result.surface["walk_park_cf"].to_numpy(), result.surface["children"].to_numpy()
    beyond = (walk > 500) & (kids > 0)
    ranked = sorted(zip(kids[beyond], np.where(np.isinf(walk[beyond]), np.inf, walk[beyond])), reverse=True)
    tenth = ranked[9]
    tied, before = ranked.count(tenth), sum(1 for r in ranked if r > tenth)
    state = map_state(m)
    entries = dict(state.legends)["gap cells"]
    label = entries[0][1]
    assert label == f"10 of {int(beyond.sum()):,} shown, chosen by most children, then farthest"
    assert label in text or json.dumps(label)[1:-1] in text  # on the page (folium may write it \\u-escaped)
    assert f"gap cells: {label}" in state.notes
    if tied > 10 - before:  # the cut splits a tie: the whole tie drawn as an area, and said
        assert entries[1][1] == f"all {tied:,} cells of rank {before + 1:,} ({10 - before} drawn as dots)"
        assert any(n.startswith(f"gap cells: rank {before + 1:,} is shared by {tied:,} equal cells") for n in state.notes)
    cells = next(layer.frame for layer in state.layers if layer.name == "gap cells")
    first = cells.iloc[0, 0]
    gaps = result.gaps[(result.gaps["type"] == "park_cf") & (result.gaps["circle"] == "10min")]
    if np.isinf(gaps["nearest_walk_m"].iloc[0]):
        assert "no facility reachable within 1,000 m" in first
    assert first.startswith(f"rank 1{f' (tied: {tied:,} cells)' if before == 0 and tied > 1 else ''}:")
    with pytest.raises(UnknownCodeError):
        access_map(result, "childcare")


@pytest.mark.parametrize(("kind", "zh", "en"), [("park_cf", "儿童友好公园", "child-friendly parks"),
                                                 ("childcare", "托育服务机构", "childcare institutions")])
def test_access_map_title_names_the_facility_type_in_the_interface_language(facilities, kind, zh, en):
    """The title says the type's name (the plan's Chinese name, or its English name), not its id; the share is the city's."""
    from zzgeo.children.register import facility_labels
    from zzgeo.i18n import set_language
    from zzgeo.maps import map_state

    assert facility_labels()[kind] == zh  # the schema's label, read not copied
    result = walking_access(facilities, types=[kind], top=5)
    city = result.shares.query("type == @kind and circle == '15min' and unit == 'city'")["share"].iloc[0]
    try:
        for lang, name in (("en", en), ("zh", zh)):
            set_language(lang)
            title = map_state(access_map(result, kind, "15min")).title
            assert title.startswith(f"children within 1000 m walk of {name} (15min) — city {city:.0%}") or lang == "zh"
            assert name in title and kind not in title.replace(name, "")  # the id only where it is a word of the name
    finally:
        set_language(None)


def test_every_facility_type_has_a_name_in_each_language():
    from zzgeo.children.register import SCHEMAS, facility_labels, facility_name
    from zzgeo.registers import load_schema

    names_en = load_schema(SCHEMAS["facilities"]).vocabularies["facility_type"].names_en  # the schema's English names
    labels = facility_labels()
    assert set(names_en) == set(labels)
    assert all(facility_name(k, "zh") == labels[k] and facility_name(k, "en") == names_en[k] != k for k in labels)
    assert facility_name("school_new", "en") == "new and expanded primary and secondary schools"
