"""The indicator table and schedule of 郑政文〔2022〕49号 as data, checked row by row (and against the seed text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zzgeo.groundwater.rules import document, indicator_table, load_rules, spot_check_rule, task_schedule
from zzgeo.errors import ParameterError

SEED = Path("/work/shared/seeds/004_7ce5e556251b25e7.txt")


def test_nineteen_indicators_with_their_marks():
    table = indicator_table()
    assert table["seq"].nunique() == 19
    assert document()["structure"] == "一级指标6个、二级指标14个、三级指标19个"
    assert table["level2"].nunique() == 14 and table["level1_seq"].nunique() == 6
    marks = table.drop_duplicates("seq").set_index("seq")["category"]
    assert [s for s in marks.index if marks[s] == "mandatory"] == [1, 2, 3, 4, 5, 6, 7]  # ★
    assert [s for s in marks.index if marks[s] == "optional"] == [8, 9, 10, 17, 18, 19]
    assert [s for s in marks.index if marks[s] == "local"] == [11, 12, 13, 14, 15, 16]  # ▲
    assert len(table) == 20  # row 3 has two targets


def test_quantified_targets():
    table = indicator_table().drop_duplicates("seq").set_index("seq")
    assert (table.loc[4, "measure"], table.loc[4, "value"], table.loc[4, "by_year"]) == ("self_monitoring_rate", 1.0, 2024)
    assert (table.loc[6, "measure"], table.loc[6, "value"], table.loc[6, "by_year"]) == ("leak_screening_rate", 0.40, 2023)
    assert (table.loc[7, "measure"], table.loc[7, "value"], table.loc[7, "by_year"]) == ("risk_plan_rate", 0.60, 2024)
    assert (table.loc[9, "measure"], table.loc[9, "by_year"]) == ("recharge_delineation_rate", 2022)
    assert table.loc[6, "target"] == "地下水污染源渗漏排查率达到 40%"
    assert table.loc[7, "target"] == "在产企业地下水污染风险管控或修复方案编制完成率达到 60%"
    assert "garbled" in table.loc[9, "target_from"] and table.loc[9, "note"]
    rule = spot_check_rule()
    assert rule["share"] == 0.05 and rule["every_type"] is True and rule["clause"] == "三(二)6(1)"


def test_schedule_years_as_ranges():
    tasks = task_schedule().set_index("seq")
    assert len(tasks) == 19
    assert (tasks.loc[3, "printed"], tasks.loc[3, "start"], tasks.loc[3, "end"]) == ("2022 年—2023 年", 2022, 2023)
    assert (tasks.loc[6, "text"], tasks.loc[6, "start"]) == ("地下水污染源渗漏排查率达到 40%", 2023)
    assert (tasks.loc[9, "start"], tasks.loc[9, "end"]) == (2022, 2022)
    assert (tasks.loc[18, "start"], tasks.loc[18, "end"]) == (2022, 2024)


@pytest.mark.skipif(not SEED.exists(), reason="seed texts (/work/shared/seeds) not available")
def test_every_row_against_the_seed_text():
    lines = SEED.read_text(encoding="utf-8").splitlines()[3296:3325]
    text = "\n".join(lines)
    for _, row in indicator_table().iterrows():
        name = f"{row['seq']}. {row['name']}{row['mark']}"
        assert name in text, name
        if row["target_from"] == "表2—1":
            cells = next(line.split("\t") for line in lines if row["target"] in line.split("\t"))
            assert cells[-1] == row["year"], (row["seq"], cells)
    schedule = "\n".join(SEED.read_text(encoding="utf-8").splitlines()[3482:3520])
    for _, task in task_schedule().iterrows():
        assert f"{task['seq']}. {task['text']}\t{task['printed']}" in schedule, task["seq"]


def test_rule_file_parameters_and_bad_files(tmp_path):
    rules = load_rules()
    assert (rules.zone1_days, rules.zone2_days, rules.safety_factor) == (100, 1000, 1.5)
    assert rules.hj338_status == "unverified" and rules.recharge_status == "assumption"
    assert "hazardous_waste_site" in rules.key_source_types and len(rules.key_source_types) == 6
    bad = tmp_path / "rules.toml"
    bad.write_text(Path(rules.path).read_text(encoding="utf-8").replace("safety_factor = 1.5", "safety_factor = 0.5"), encoding="utf-8")
    with pytest.raises(ParameterError, match=r"hj338\.safety_factor = 0\.5: must be greater than or equal to 1"):
        load_rules(bad)
