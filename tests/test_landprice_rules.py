"""Tests of zzgeo.landprice.rules: the three tables of 郑政文〔2022〕42号, figure by figure."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from zzgeo._data import load_toml
from zzgeo.errors import NoSuchGradeError, UnknownCodeError
from zzgeo.landprice import rules as tables
from zzgeo.landprice.rules import (
    benchmark_price,
    document,
    parse_grade,
    price_table,
    use_info,
)

SEED_FILE = Path("/work/shared/seeds/004_7ce5e556251b25e7.txt")
SEED_LINES = (3129, 3248)  # 1-based, inclusive: the notice and its three annexes

CC, CA, SA = "collective_construction", "collective_agricultural", "state_agricultural"
AGRI_USES = ("cultivated", "garden", "forest", "facility")


# --- exact figures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "use", "right", "grade", "price"),
    [
        (CC, "commercial", "transfer", 1, 1020.0),  # 附件1 商业服务业用地 一级
        (CC, "commercial", "transfer", 6, 615.0),
        (CC, "homestead", "use", 1, 1150.0),
        (CC, "homestead", "use", 6, 500.0),  # 农村宅基地 六级
        (CC, "industrial", "transfer", 1, 345.0),
        (CC, "industrial", "transfer", 4, 270.0),  # 工业用地 四级
        (CC, "public", "transfer", 4, 450.0),
        (CA, "cultivated", "contract_management", 1, 46.35),  # 附件2 耕地 承包经营权价格 一级
        (CA, "cultivated", "management", 4, 19.20),
        (CA, "garden", "management", 3, 40.95),  # 园地 经营权价格 三级
        (CA, "forest", "contract_management", 3, 19.50),
        (CA, "facility", "contract_management", 4, 65.40),
        (SA, "cultivated", "transfer", 1, 69.90),  # 附件3 耕地 一级
        (SA, "garden", "transfer", 1, 106.65),
        (SA, "facility", "transfer", 4, 98.55),  # 设施农用地 四级
    ],
)
def test_benchmark_price_exact(table: str, use: str, right: str, grade: int, price: float) -> None:
    assert benchmark_price(table, use, right, grade) == price


@pytest.mark.parametrize("grade", [1, "1", "一级", "一", "1级", 1.0, "1.0"])
def test_grade_spellings(grade: object) -> None:
    assert benchmark_price(CC, "commercial", "transfer", grade) == 1020.0


def test_mu_conversion() -> None:
    # 1 亩 = 10000/15 m² = 666.67 m²; 46.35 元/m² x 10000/15 = 463500/15 = 30,900 元/亩
    assert tables.MU_M2 == pytest.approx(666.6666667)
    frame = price_table()
    row = frame[(frame["table"] == CA) & (frame["use"] == "cultivated") & (frame["right"] == "contract_management") & (frame["grade"] == 1)]
    assert len(row) == 1
    assert row["price_yuan_m2"].iloc[0] == 46.35
    assert row["price_yuan_mu"].iloc[0] == pytest.approx(30_900.0, abs=1e-9)


# --- dashes are not zeros -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "use", "right", "grade"),
    [
        (CC, "industrial", "transfer", 5),
        (CC, "industrial", "transfer", 6),  # blank in the seed after the dash: no such grade either
        (CC, "public", "transfer", 5),
        (CA, "garden", "contract_management", 4),
        (CA, "forest", "management", 4),
        (SA, "forest", "transfer", 4),
        (SA, "garden", "transfer", 4),
    ],
)
def test_dash_raises_no_such_grade(table: str, use: str, right: str, grade: int) -> None:
    with pytest.raises(NoSuchGradeError, match=rf"prints '—' for {table}/{use} .* grade {grade}"):
        benchmark_price(table, use, right, grade)


def test_dashes_are_nan_never_zero() -> None:
    frame = price_table()
    dashes = frame[frame["cell"] == "—"]
    # industrial 5,6 + public 5,6 + collective garden 4 (2 rights) + collective forest 4 (2 rights)
    # + state garden 4 + state forest 4 = 2 + 2 + 2 + 2 + 1 + 1 = 10
    assert len(dashes) == 10
    assert dashes["price_yuan_m2"].isna().all()
    assert (frame["price_yuan_m2"].dropna() > 0).all()


def test_grade_beyond_table_is_unknown_not_dash() -> None:
    # the agricultural tables have four grades: grade 5 is not a dash but not a grade at all
    with pytest.raises(UnknownCodeError, match=r"unknown grade 5; grades are 1\.\.4") as info:
        benchmark_price(CA, "cultivated", "contract_management", 5)
    assert type(info.value) is UnknownCodeError


# --- conditions of each use -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("use", "term", "far", "form", "rights"),
    [
        ("commercial", 40.0, 2.0, "floor", ["transfer"]),
        ("homestead", math.inf, 1.5, "floor", ["use"]),  # 宅基地无年期限限制
        ("industrial", 50.0, 1.2, "ground", ["transfer"]),
        ("public", 50.0, 1.2, "ground", ["transfer"]),
    ],
)
def test_collective_construction_conditions(use: str, term: float, far: float, form: str, rights: list[str]) -> None:
    info = use_info(CC, use)
    assert info.term_years == term
    assert info.plot_ratio == far
    assert info.price_form == form
    assert sorted(info.rights) == rights
    assert info.n_grades == 6


@pytest.mark.parametrize(("table", "term", "rights"), [(CA, 30.0, ["contract_management", "management"]), (SA, 50.0, ["transfer"])])
@pytest.mark.parametrize("use", AGRI_USES)
def test_agricultural_conditions(table: str, term: float, rights: list[str], use: str) -> None:
    info = use_info(table, use)
    assert info.term_years == term
    assert info.plot_ratio is None
    assert info.price_form == "ground"
    assert sorted(info.rights) == rights
    assert info.n_grades == 4


def test_document_and_base_date() -> None:
    doc = document()
    assert doc["doc_number"] == "郑政文〔2022〕42号" == tables.DOC_NUMBER
    assert doc["date"] == "2022-04-14"
    assert doc["base_date"] == "2020-01-01"
    assert doc["unit"] == "元/平方米"
    assert set(price_table()["base_date"]) == {"2020-01-01"}


def test_price_table_shape() -> None:
    frame = price_table()
    # 附件1: 4 uses x 6 grades = 24; 附件2: 4 uses x 2 rights x 4 grades = 32; 附件3: 4 uses x 4 grades = 16
    assert len(frame) == 24 + 32 + 16 == 72
    assert frame.groupby("table").size().to_dict() == {CA: 32, CC: 24, SA: 16}
    assert not frame.duplicated(["table", "use", "right", "grade"]).any()
    assert set(frame["doc_number"]) == {"郑政文〔2022〕42号"}
    homestead = frame[frame["use"] == "homestead"]
    assert (homestead["term_years"] == math.inf).all()


# --- unknown codes ---------------------------------------------------------------------------


def test_unknown_table() -> None:
    with pytest.raises(UnknownCodeError, match=r"unknown land price table 'urban'.*collective_construction"):
        benchmark_price("urban", "commercial", "transfer", 1)


def test_unknown_use_lists_the_uses() -> None:
    with pytest.raises(UnknownCodeError, match=r"unknown use 'office' for table 'collective_construction'.*commercial \(商业服务业用地\)"):
        benchmark_price(CC, "office", "transfer", 1)


def test_unknown_right() -> None:
    with pytest.raises(UnknownCodeError, match=r"unknown right 'transfer' for collective_agricultural/cultivated; rights: \['contract_management', 'management'\]"):
        benchmark_price(CA, "cultivated", "transfer", 1)


@pytest.mark.parametrize("grade", [0, 7, "七级", "x", None, "1.5", 1.5, "inf"])
def test_unknown_grade(grade: object) -> None:
    with pytest.raises(UnknownCodeError, match=r"unknown grade"):
        parse_grade(grade)


# --- every printed cell against the seed text ------------------------------------------------


def _seed_tables() -> dict[str, dict[tuple[str, str | None], list[str]]]:
    """Parse the three tables from the seed text: {table: {(use_zh, right_zh or None): cells}}."""
    lines = SEED_FILE.read_text(encoding="utf-8").splitlines()[SEED_LINES[0] - 1 : SEED_LINES[1]]
    assert any("郑政文〔2022〕42号" in line for line in lines[:10]), "the seed lines moved: update SEED_LINES"
    annex_of = {"1": CC, "2": CA, "3": SA}
    number = re.compile(r"^\d+(\.\d+)?$")
    out: dict[str, dict[tuple[str, str | None], list[str]]] = {CC: {}, CA: {}, SA: {}}
    table = None
    last_use = None
    for line in lines:
        head = re.match(r"^附件\s*([123])\s*$", line.strip())
        if head:
            table = annex_of[head.group(1)]
            continue
        cells = line.split("\t")
        if table is None or len(cells) < 3 or not any(number.match(c.strip()) for c in cells):
            continue
        if table == CC:  # use, then six grades; a trailing blank cell is printed as nothing
            use_zh, right_zh, values = cells[0].strip(), None, cells[1:]
        else:  # use (blank on a right's second row), right, then four grades
            use_zh = cells[0].strip() or last_use
            right_zh, values = cells[1].strip(), cells[2:]
        last_use = use_zh
        out[table][(use_zh, right_zh)] = [v.strip() for v in values]
    return out


@pytest.mark.skipif(not SEED_FILE.exists(), reason="seed texts (/work/shared/seeds) not available")
def test_every_cell_matches_the_seed() -> None:
    seed = _seed_tables()
    data = load_toml("landprice/land_price_2022_42.toml")["tables"]
    compared = 0
    for table, spec in data.items():
        n = len(spec["grades"])
        expected = {}
        for use, u in spec["uses"].items():
            for right, right_zh in u["rights"].items():
                cells = u["cells"][right] if isinstance(u["cells"], dict) else u["cells"]
                key = (u["name_zh"], None if table == CC else right_zh)
                expected[key] = cells
        assert set(expected) == set(seed[table]), f"{table}: rows differ from the seed"
        for key, cells in expected.items():
            printed = seed[table][key]
            # a blank trailing cell (工业用地/公共管理 六级) means the grade does not exist, like the dash
            printed = printed + [""] * (n - len(printed))
            printed = ["—" if c == "" else c for c in printed]
            assert cells == printed, f"{table} {key}: {cells} != seed {printed}"
            for grade, cell in enumerate(cells, start=1):
                if cell != "—":
                    use = next(k for k, v in spec["uses"].items() if v["name_zh"] == key[0])
                    right = next(r for r, zh in spec["uses"][use]["rights"].items() if key[1] in (None, zh))
                    assert benchmark_price(table, use, right, grade) == float(cell)
                compared += 1
    assert compared == 72


@pytest.mark.skipif(not SEED_FILE.exists(), reason="seed texts (/work/shared/seeds) not available")
def test_seed_conditions_text() -> None:
    text = "\n".join(SEED_FILE.read_text(encoding="utf-8").splitlines()[SEED_LINES[0] - 1 : SEED_LINES[1]])
    # the figures use_info returns are the ones the notice prints
    assert "商业服务业用地40年，宅基地无年期限限制，工业用地50年，公共管理与公共服务用地50年" in text
    assert "商业服务业用地容积率为2.0，宅基地容积率为1.5，工业用地容积率为1.2，公共管理与公共服务用地容积率为1.2" in text
    assert "商业服务业、宅基地基准地价采用楼面价形式，工业及公共管理与公共服务用地为地面价形式" in text
    assert text.count("基准日：2020年1月1日") == 3
    assert "使用年期：30年" in text and "使用年期：50年" in text
