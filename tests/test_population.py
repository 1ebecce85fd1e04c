"""Tests of zzgeo.population: 2020 census rows, functional zones kept, totals preserved."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zzgeo.errors import SchemaError
from zzgeo.population import CENSUS_TOTAL, census_2020, district_population, functional_zone_shares

REFERENCE_CSV = Path("/work/shared/reference/census2020_zhengzhou_by_county.csv")


def test_census_rows_sum_to_the_bulletin_total() -> None:
    rows = census_2020()
    assert len(rows) == 15  # 12 county-level units + 3 functional zones
    assert CENSUS_TOTAL == 12_600_574
    assert int(rows["pop_2020"].sum()) == 12_600_574
    zones = rows[rows["kind"] == "functional_zone"]
    # 328,812 + 546,226 + 621,382 = 1,496,420 (DOMAIN.md)
    assert int(zones["pop_2020"].sum()) == 1_496_420
    assert sorted(zones["adcode"]) == ["410171", "410172", "410173"]


@pytest.mark.skipif(not REFERENCE_CSV.exists(), reason="reference CSV (/work/shared/reference) not available")
def test_census_rows_equal_the_reference_csv() -> None:
    ref = pd.read_csv(REFERENCE_CSV, dtype={"adcode": str})
    ours = census_2020()
    merged = ours.merge(ref, on="adcode", how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["name_x"] == merged["name_y"]).all()
    assert (merged["pop_2020"] == merged["pop_2020_census"]).all()


def test_district_population_keeps_functional_zones() -> None:
    pop = district_population().set_index("name")
    assert len(pop) == 12
    assert pop["population"].sum() == CENSUS_TOTAL
    # 高新区 (546,226) goes to 中原区: 962,642 + 546,226 = 1,508,868
    assert pop.loc["中原区", "population"] == 962_642 + 546_226 == 1_508_868
    # 经开区 (328,812) to 管城回族区: 965,618 + 328,812 = 1,294,430
    assert pop.loc["管城回族区", "population"] == 1_294_430
    # 航空港区 (621,382) to 新郑市: 1,172,237 + 621,382 = 1,793,619
    assert pop.loc["新郑市", "population"] == 1_793_619
    assert pop.loc["金水区", "pop_from_zones"] == 0  # 郑东新区 is already inside 金水区
    assert (pop["population"] == pop["pop_census_row"] + pop["pop_from_zones"]).all()


def test_override_shares(tmp_path) -> None:
    path = tmp_path / "zones.toml"
    path.write_text(
        """
[[zones]]
adcode = "410171"
name = "经开区"
hosts = { "410104" = 1.0 }
[[zones]]
adcode = "410172"
name = "高新区"
hosts = { "410102" = 1.0 }
[[zones]]
adcode = "410173"
name = "航空港区"
hosts = { "410184" = 0.5, "410122" = 0.5 }
""",
        encoding="utf-8",
    )
    assert len(functional_zone_shares(path)) == 4
    pop = district_population(functional_zones=path).set_index("name")
    # half of 621,382 = 310,691 each: 中牟县 973,665 + 310,691 = 1,284,356; 新郑市 1,172,237 + 310,691 = 1,482,928
    assert pop.loc["中牟县", "population"] == 1_284_356
    assert pop.loc["新郑市", "population"] == 1_482_928
    assert pop["population"].sum() == CENSUS_TOTAL


@pytest.mark.parametrize(
    ("hosts", "message"),
    [
        ('{ "410184" = 0.9 }', r"functional zone '410173': host shares sum to 0\.9, must sum to 1"),
        ('{ "410199" = 1.0 }', r"functional zone '410173': unknown host adcode '410199'"),
        ('{ "410171" = 1.0 }', r"unknown host adcode '410171'"),  # a zone cannot host a zone
    ],
)
def test_bad_shares(tmp_path, hosts, message) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f'[[zones]]\nadcode = "410173"\nname = "航空港区"\nhosts = {hosts}\n', encoding="utf-8")
    with pytest.raises(SchemaError, match=message):
        district_population(functional_zones=path)


def test_districts_layer_carries_population(districts) -> None:
    assert districts["population"].sum() == CENSUS_TOTAL
    assert districts.set_index("adcode").loc["410102", "population"] == 1_508_868
