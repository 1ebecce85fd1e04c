"""The target table of 郑政〔2022〕8号 against the published text, row by row; units and child population."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from zzgeo.children.rules import (
    access_rules,
    load_targets,
    load_units,
    resolve_units,
    targets_for,
    unit_population,
)
from zzgeo.errors import ParameterError, UnknownCodeError

#: The plan as published (seed 004 lines 1963-2868); seed line N is line N - 1961 of this file (line 1 is a header).
TEXT = Path(__file__).parent / "data" / "zhengzheng_2022_8.txt"
OFFSET = 1961


def _seed_lines() -> list[str]:
    return TEXT.read_text(encoding="utf-8").splitlines()


def _line(n: int) -> str:
    return _seed_lines()[n - OFFSET - 1]


#: Figures the plan writes in Chinese numerals (四级儿童议事会, 八大领域, 百万家庭).
CHINESE = {4: "四", 8: "八", 1_000_000: "百万"}


def _figures(value: float) -> set[str]:
    """How the plan writes a number: 28, 4.9万, 1万, 0.8, 2.5, 四 ..."""
    out = {f"{value:g}", f"{abs(value):g}"}
    if value >= 10000:
        out.add(f"{value / 10000:g}万")
    if value in CHINESE:
        out.add(CHINESE[value])
    return out


@pytest.fixture(scope="module")
def targets():
    return load_targets()


def test_every_row_quotes_the_plan_at_its_line(targets):
    joined = "".join(_seed_lines()[1:])  # the text breaks sentences across lines and pages
    for row in targets.itertuples():
        assert row.wording in joined, row.id
        window = "".join(_seed_lines()[row.line - OFFSET - 1: row.line - OFFSET + 3])
        assert row.wording in window, f"{row.id}: wording not at line {row.line}"


def test_every_figure_and_year_is_in_the_quoted_text(targets):
    for row in targets.itertuples():
        figure = row.min_places or row.value  # "每个社区 ... 不少于20个托位": 100 % of communities, 20 places
        assert any(f in row.wording for f in _figures(figure)), row.id
        if row.cmp == "range":
            assert any(f in row.wording for f in _figures(row.value_max)), row.id
        if row.year:
            window = "".join(_seed_lines()[row.line - OFFSET - 1: row.line - OFFSET + 3])
            before = window[: window.index(row.wording) + len(row.wording)]
            five_year_plan = row.year == 2025 and "十四五" in row.wording  # the 14th five-year plan ends in 2025
            # a row of an annex table states its deadline in a later column of the same line (附件2: "2025年12月31日前")
            deadline = row.task.startswith("附件") and re.search(rf"{row.year}\s*年", _line(row.line))
            assert re.search(rf"{row.year}\s*年", before) or five_year_plan or deadline, f"{row.id}: {row.year} not stated before the wording"


def test_the_figures_of_the_issue(targets):
    t = targets.set_index("id")
    city = {"kindergarten_cf_2025": 100, "school_cf_2025": 100, "hospital_cf_2025": 10, "library_cf_2025": 50,
            "practice_base_2025": 30, "nature_base_2025": 10, "park_cf_2025": 20, "play_facility_2025": 150,
            "sports_park_theme_2025": 1, "sports_park_cf_2025": 15, "football_cf_2022": 45, "protection_station_2025": 80,
            "science_lab_2025": 30, "reading_centre_2025": 30, "book_house_2025": 60, "reading_centre_2022": 5,
            "book_house_2022": 20, "family_base_2025": 50, "enterprise_cf_2025": 50, "enterprise_cf_2022": 10,
            "schools_new_2022": 28, "schools_started_2025": 150}
    for key, value in city.items():
        assert (t.loc[key, "scope"], t.loc[key, "value"]) == ("city", value), key
    for key, value in {"street_cf_2022": 1, "street_cf_2025": 5, "community_cf_2022": 1, "community_cf_2025": 5, "activity_centre_2025": 1}.items():
        assert (t.loc[key, "scope"], t.loc[key, "value"]) == ("per_unit", value), key
    assert (t.loc["childcare_places_2025", "scope"], t.loc["childcare_places_2025", "value"]) == ("per_1000_residents", 6)
    assert t.loc["childcare_community_2025", "min_places"] == 20
    football = t.loc["football_per_10000_2025"]
    assert (football["cmp"], football["value"], football["value_max"]) == ("range", 0.8, 1.0)
    assert set(football["facilities"]) == {"football_pitch", "football_pitch_other"}
    assert (t.loc["childrens_home_2025", "scope"], t.loc["childrens_home_2025", "value"]) == ("community_share", 100)
    assert (t.loc["parent_school_urban_2025", "value"], t.loc["parent_school_rural_2025", "value"]) == (95, 85)
    assert (t.loc["law_base_2025", "scope"], t.loc["law_base_2025", "value"]) == ("unit_share", 100)
    assert t.loc["schools_started_2025", "counts_from"] == 2021 and t.loc["football_cf_2022", "counts_from"] == 2022


def test_non_spatial_rates_are_kept_and_marked(targets):
    rates = targets[targets["measure"] == "rate"]
    assert {"inclusive_kindergarten_2025", "neonatal_mortality_2025", "vaccination_2025", "safe_campus"} <= set(rates["id"])
    assert not rates["measurable"].any() and targets.loc[targets["measure"] == "count", "measurable"].all()
    assert len(targets) == 109 and targets["id"].is_unique  # 101 + the 8 figures of issue 18


def test_groups_follow_section_four(targets):
    t = targets.set_index("id")
    assert t.loc["street_cf_2025", "group"] == "成长空间友好" and t.loc["hospital_cf_2025", "group"] == "公共服务友好"
    assert t.loc["law_base_2025", "group"] == "发展环境友好" and t.loc["protection_station_2025", "group"] == "权利保障友好"


def test_targets_for_a_year(targets):
    y2022 = targets_for(targets, 2022)
    assert set(y2022["year"]) == {0, 2022} and "street_cf_2022" in set(y2022["id"]) and "street_cf_2025" not in set(y2022["id"])
    with pytest.raises(ParameterError, match="2022 and 2025"):
        targets_for(targets, 2023)


def test_a_target_file_with_an_unknown_facility_type_is_refused(tmp_path):
    bad = tmp_path / "t.toml"
    bad.write_text('targets = [{ id = "x", year = 2025, facility = "zoo", measure = "count", scope = "city", cmp = ">=", '
                   'value = 1, unit = "个", task = "四(四)1", line = 1, wording = "w" }]\n[source]\ngroups = {}\n', encoding="utf-8")
    with pytest.raises(ParameterError, match="unknown facility type"):
        load_targets(bad)


def test_sixteen_units():
    units = load_units()
    assert units["kind"].value_counts().to_dict() == {"district": 6, "city": 5, "development_zone": 4, "county": 1}
    keys, unknown = resolve_units(__import__("pandas").Series(["高新区", "管城区", "郑东新区", "410185", "", "海淀区"]), units)
    assert keys.tolist()[:4] == ["410172", "410104", "zdxq", "410185"] and unknown.tolist() == [False] * 5 + [True]


def test_children_by_census_share():
    pop = unit_population().set_index("unit")
    assert pop.loc["410102", "residents"] == 962642
    assert pop.loc["410102", "children"] == pytest.approx(2889000 * 962642 / 12600574)
    assert np.isnan(pop.loc["zdxq", "children"]) and pop["children"].sum() == pytest.approx(2889000)


def test_user_child_figures(tmp_path):
    path = tmp_path / "children.csv"
    path.write_text("unit,children,residents\n郑东新区,120000,600000\n中原区,200000,\n", encoding="utf-8")
    pop = unit_population(figures=path).set_index("unit")
    assert (pop.loc["zdxq", "children"], pop.loc["zdxq", "residents"]) == (120000, 600000)
    assert pop.loc["410102", "children"] == 200000 and "user figures" in pop.loc["410102", "children_source"]
    path.write_text("unit,children\n海淀区,1\n", encoding="utf-8")
    with pytest.raises(UnknownCodeError, match="not one of the 16 units"):
        unit_population(figures=path)


def test_access_rules_and_overrides():
    rules = access_rules()
    assert rules.circles == {"5min": 300.0, "10min": 500.0, "15min": 1000.0} and rules.detour == 1.3
    assert access_rules(circles={"near": 200}, detour=1.0).circles == {"near": 200.0}
    with pytest.raises(ParameterError):
        access_rules(detour=0.5)


# ----------------------------------------------------------------------------- issue 18: the rest of the plan's figures


def test_the_figures_added_on_a_second_reading(targets):
    """Quantified statements of the plan first left out, each at its line (read off the text by hand)."""
    t = targets.set_index("id")
    added = {  # id: (year, line, cmp, value, value_max, clause)
        "participation_stages": (0, 2069, "=", 4, None, "四(一)2"),           # 需求表达、方案制定、决策公示、评估反馈四个关键环节
        "children_council_2022": (2022, 2087, "=", 4, None, "四(一)4"),       # 2022年, 探索成立四级儿童议事会
        "children_council_2025": (2025, 2087, "=", 4, None, "四(一)4"),       # 到2025年, 四级儿童议事会体系基本形成
        "smart_platform_network_2025": (2025, 2101, "=", 4, None, "四(一)5"),  # 到2025年 ... 四级网络
        "newborn_screening": (0, 2165, ">=", 35, None, "四(二)12"),           # 35 种遗传代谢病 ... 筛查
        "hpv_pilot_2022": (2022, 2183, "range", 9, 14, "四(二)14"),           # 2022 年，开展 9—14 岁 ... HPV 疫苗试点
        "families_engaged": (0, 2417, "~", 1_000_000, None, "四(五)40"),      # 带动百万家庭
        "guidelines_2025": (2025, 2834, ">=", 8, None, "附件2 19"),           # 八大领域建设指引, 2025年12月31日前
    }
    for key, (year, line, cmp, value, value_max, task) in added.items():
        row = t.loc[key]
        assert (row["year"], row["line"], row["cmp"], row["value"], row["task"]) == (year, line, cmp, value, task), key
        assert (np.isnan(row["value_max"]) if value_max is None else row["value_max"] == value_max), key
        assert not row["measurable"], key
    assert t.loc["children_council_2025", "annex"] == "附件1 社会政策友好 4"


def test_below_includes_the_figure(targets):
    """以下 / 以内 are at most (<=), never below (<): 2.5‰ itself meets "控制在 2.5‰ ... 以下"."""
    for row in targets.itertuples():
        if re.search(r"以下|以内", row.wording):
            assert row.cmp == "<=", row.id
    assert not (targets["cmp"] == "<").any()
    t = targets.set_index("id")
    assert {t.loc[k, "cmp"] for k in ("neonatal_mortality_2025", "under5_mortality_2025", "stunting_2025", "caries_12")} == {"<="}


def test_counts_from_follows_the_wording(targets):
    """Only what the plan calls new (新增/新建/改建/开工/创建/增加) counts from a year; what it calls built (建成/达到/建立) is the stock."""
    measurable = targets[targets["measurable"]]
    new = measurable["wording"].str.contains("新增|新建|改建|开工|创建|增加")
    assert set(measurable.loc[new, "id"]) == set(measurable.loc[measurable["counts_from"] > 0, "id"])
    t = targets.set_index("id")
    assert t.loc["schools_started_2025", "counts_from"] == 2021  # “十四五” = 2021-2025
    assert (t.loc[["law_base_2022", "enterprise_cf_2022", "enterprise_cf_2025", "kindergarten_places_2022"], "counts_from"] == 2022).all()
    assert t.loc["family_base_2022", "counts_from"] == 0 and "二(二)5" in t.loc["family_base_2022", "note"]


def test_what_counts_as_what(targets):
    """示范托育服务机构 places are 托位; the 1万 new inclusive kindergarten places are measured; every type counts somewhere."""
    from zzgeo.children.register import facility_labels

    t = targets.set_index("id")
    for key in ("childcare_places_2025", "childcare_community_2025"):
        assert set(t.loc[key, "facilities"]) == {"childcare", "childcare_demo"}, key
    assert t.loc["childcare_demo_2022", "facilities"] == ("childcare_demo",)  # an ordinary 托育机构 is no 示范 one
    kg = t.loc["kindergarten_places_2022"]
    assert (kg["facilities"], kg["measure"], kg["scope"], kg["value"], kg["measurable"]) == (("kindergarten_inclusive",), "places", "city", 10000, True)
    used = {f for facilities in targets["facilities"] for f in facilities}
    assert used == set(facility_labels())


def test_every_unit_of_measure_with_latin_letters_has_chinese():
    """FINDINGS 3.3: the 计量单位 column mixed English into Chinese output; data/children/units_of_measure_zh.toml
    gives each such unit in Chinese, and holds no entry for a unit targets.toml does not use."""
    import re

    from zzgeo._data import load_toml
    from zzgeo.children.rules import load_targets

    zh = load_toml("children/units_of_measure_zh.toml")["zh"]
    used = set(load_targets()["unit"])
    latin = {u for u in used if re.search(r"[A-Za-z]", u)}
    assert latin <= set(zh), sorted(latin - set(zh))
    assert set(zh) <= used, sorted(set(zh) - used)
    assert not any(re.search(r"[A-Za-z]", v.replace("HPV", "")) for v in zh.values())


def test_labels_of_districts_without_their_zone():
    """The districts whose development zone is a census row of its own are labelled without it (FINDINGS 2.3)."""
    from zzgeo._data import load_toml
    from zzgeo.children.rules import CHILDREN_RULE, load_units

    units = load_units().set_index("unit")
    zones = units[(units["kind"] == "development_zone") & (units["census"] != "")]
    hosts = set(zones["host"])
    assert hosts == {"410102", "410104", "410184"}
    for code, row in units.iterrows():
        if code in hosts:
            zone = zones[zones["host"] == code].iloc[0]
            assert row["label"] == f"{row['name']}（不含{zone['aliases'][0]}）"
        else:
            assert row["label"] == row["name"]
    assert load_toml("children/units.toml")["children"]["apportion"] == CHILDREN_RULE  # the note is a marked message
