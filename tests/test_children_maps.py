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
    result = walking_access(facilities, types=["park_cf"], top=10)
    text = save_html(access_map(result, "park_cf", "10min"), tmp_path / "parks.html").read_text(encoding="utf-8")
    assert "the 10 grid cells with most children beyond the circle" in text and "rank 1:" in text
    with pytest.raises(UnknownCodeError):
        access_map(result, "childcare")
