"""The report's findings say the real figures of the documents (issue 22 leftovers).

- 郑政文〔2022〕49号 表2—1 has 19 third-level indicators in 20 rows (indicator 3 has two targets): the groundwater
  finding counts one status per indicator, 19, not one per row.
- 郑政〔2022〕8号 sets its targets for 2022 and 2025 (and some standing ones, no year): the children's finding
  says which year the counted targets are for.
"""

from __future__ import annotations

import re

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
    assert line.startswith("the 19 pilot indicators of 表2—1 as of 2024: ")
    counts = [int(n) for n in re.findall(r"(\d+) × ", line)]
    assert sum(counts) == 19
    assert int(status_counts(result.tables["indicators"]).sum()) == 19
    assert re.search(r"\b1 × register marks \d+ key supervised unit\(s\)", line)  # indicator 3 once, not twice


def test_children_finding_says_the_target_year() -> None:
    from zzgeo.children.report import run

    result = run()
    first = result.findings[0]
    # targets_for(2025): 55 targets due 2025 (到2025年) and 15 standing ones of the plan's 109
    assert first.startswith("27 of the 70 quantified targets of 郑政〔2022〕8号 for 2025 (55 due 2025, 15 standing with no year) "
                            "can be measured from a register; city-wide ")
    assert first.endswith("measured targets due 2025 are met")
    assert all(re.match(r"furthest from target \((due 2025|standing, no year)\): ", f)
               for f in result.findings if f.startswith("furthest"))
