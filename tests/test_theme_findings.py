"""The report's findings say the real figures of the documents (issue 22 leftovers).

- 郑政文〔2022〕49号 表2—1 has 19 third-level indicators in 20 rows (indicator 3 has two targets): the groundwater
  finding counts one status per indicator, 19, not one per row.
- 郑政〔2022〕8号 sets its targets for 2022 and 2025 (and some standing ones, no year): the children's finding
  says which year the counted targets are for, and counts the measured standing targets apart from those due.
- 郑政文〔2022〕40号's per-capita shelter targets (2 m² by 2025, 3 m² by 2029) are data: the shelter findings
  say the targets the run used, and count the districts against them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zzgeo.i18n import set_language


@pytest.fixture(autouse=True)
def _english():
    set_language("en")
    yield
    set_language(None)


def test_groundwater_finding_counts_nineteen_indicators_not_twenty_rows() -> None:
    from zzgeo.groundwater.indicators import status_counts
    from zzgeo.groundwater.report import run
    from zzgeo.groundwater.rules import indicator_table

    table = indicator_table()
    assert len(table) == 20 and table["seq"].nunique() == 19  # seed 004 l.3301-3303: indicator 3, two targets
    result = run()
    line = next(f for f in result.findings if "表2—1" in f)
    assert line.startswith("of the 19 pilot indicators of 表2—1, as of 2024: ")
    counts = [int(n) for n in re.findall(r"(?:met|not met|partly measurable|not measurable from registers) (\d+)", line)]
    assert sum(counts) == 19 and len(counts) == 4
    assert int(status_counts(result.tables["indicators"]).sum()) == 19
    assert re.search(r"partly measurable 1 \(register marks \d+ key supervised unit\(s\)", line)  # indicator 3 once, not twice


def test_children_finding_says_the_target_year() -> None:
    from zzgeo.children.report import run

    result = run()
    first = result.findings[0]
    # targets_for(2025): 55 targets due 2025 (到2025年) and 15 standing ones of the plan's 109
    assert first.startswith("27 of the 70 quantified targets of 郑政〔2022〕8号 for 2025 (55 due 2025, 15 standing with no year) "
                            "can be measured from a register; city-wide ")
    city = result.tables["attainment"].query("unit == 'city' and ratio.notna()")
    due, met = (city["year"] == 2025).sum(), city["met"].astype(bool)
    assert len(city) == due  # the demo register measures no standing target
    assert first.endswith(f"city-wide {met.sum()} of {len(city)} measured targets are met ({met.sum()} of {due} due 2025, 0 of 0 standing)")
    assert all(re.match(r"furthest from target \((due 2025|standing, no year)\): ", f)
               for f in result.findings if f.startswith("furthest"))


def test_children_finding_counts_measured_standing_targets_apart(tmp_path) -> None:
    """Two facility targets due 2025 made standing (no year): the finding counts them as standing, not as due 2025."""
    from zzgeo._data import data_path
    from zzgeo.children.report import run

    text = Path(data_path("children/targets.toml")).read_text(encoding="utf-8")
    mine = tmp_path / "targets.toml"
    for tid in ("kindergarten_cf_2025", "school_cf_2025"):
        assert f'id = "{tid}", year = 2025,' in text
        text = text.replace(f'id = "{tid}", year = 2025,', f'id = "{tid}", year = 0,')
    mine.write_text(text, encoding="utf-8")
    result = run({"targets": str(mine)})
    city = result.tables["attainment"].query("unit == 'city' and ratio.notna()")
    standing, met = city["year"] == 0, city["met"].astype(bool)
    assert set(city.loc[standing, "target_id"]) == {"kindergarten_cf_2025", "school_cf_2025"}
    first = result.findings[0]
    assert first.endswith(f"city-wide {met.sum()} of {len(city)} measured targets are met ({(met & ~standing).sum()} of "
                          f"{(~standing).sum()} due 2025, {(met & standing).sum()} of 2 standing)")
    assert "(53 due 2025, 17 standing with no year)" in first


def _shelter_findings(monkeypatch, per_capita_m2):
    import dataclasses

    from zzgeo.shelters import rules
    from zzgeo.shelters.report import run

    packaged = rules.load_targets()
    if per_capita_m2 is not None:
        monkeypatch.setattr(rules, "load_targets", lambda path=None: dataclasses.replace(packaged, per_capita_m2=per_capita_m2))
    return run()


@pytest.mark.parametrize("per_capita_m2", [None, {2025: 1.5, 2029: 4.0}])
def test_shelter_findings_state_the_targets_in_use(monkeypatch, per_capita_m2) -> None:
    result = _shelter_findings(monkeypatch, per_capita_m2)
    targets = per_capita_m2 or {2025: 2.0, 2029: 3.0}
    table = result.tables["coverage_by_district"]
    districts = table[table["adcode"] != "410100"]
    assert (districts["target_m2"] == targets[2025]).all()
    said = ", ".join(f"{t:g} m² by {y}" for y, t in targets.items())
    assert f"m² of effective shelter area per resident (target {said}; 郑政文〔2022〕40号 三、目标任务)" in result.findings[0]
    met = int((districts["per_capita_m2"] + 1e-9 >= targets[2025]).sum())
    gap = {y: ((t * districts["population"] - districts["effective_area_m2"]).clip(lower=0)).sum() for y, t in targets.items()}
    assert result.findings[1] == (f"{met} of {len(districts)} districts meet the 2025 target of {targets[2025]:g} m²/person; "
                                  f"gap to 2025 {gap[2025]:,.0f} m², to 2029 {gap[2029]:,.0f} m² (sum of district gaps)")
    if per_capita_m2 is None:
        assert result.findings[1].startswith("6 of 12 districts meet the 2025 target of 2 m²/person")
    else:
        assert not re.search(r"(?<![\d.,])[23] m²", " ".join(result.findings[:2]))  # no packaged target left in the text
        assert not result.findings[1].startswith("6 of 12 ")
