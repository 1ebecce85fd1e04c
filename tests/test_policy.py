"""Tests of zzgeo.policy against figures read by hand from seed 004 (郑政〔2022〕6号)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from zzgeo import policy
from zzgeo.errors import UnknownCodeError
from zzgeo.policy import (
    PolicyStatus,
    load_events,
    load_later_docs,
    load_register,
    normalize_doc_number,
    register_entries,
    status,
)


# ---------------------------------------------------------------- register


def test_register_counts():
    reg = load_register()
    assert len(reg) == 1479
    assert reg.groupby("annex").size().to_dict() == {1: 722, 2: 19, 3: 738}
    assert reg.groupby("status").size().to_dict() == {
        "valid": 722,
        "to_be_revised": 19,
        "abolished": 738,
    }


@pytest.mark.parametrize("annex,n", [(1, 722), (2, 19), (3, 738)])
def test_register_sequence_contiguous(annex, n):
    reg = load_register()
    assert reg.loc[reg["annex"] == annex, "seq"].tolist() == list(range(1, n + 1))


def test_register_numbers_unique_and_canonical():
    reg = load_register()
    assert reg["doc_number"].is_unique
    assert (reg["doc_number"] != "").all()
    # every number in the register is a fixed point of the normalizer
    assert [normalize_doc_number(d) for d in reg["doc_number"]] == reg["doc_number"].tolist()


def test_register_source_columns():
    reg = load_register()
    assert set(reg["source_date"]) == {"2022-03-31"}
    assert set(reg["source"]) == {f"郑政〔2022〕6号 附件{a}" for a in (1, 2, 3)}
    assert (reg["source"] == "郑政〔2022〕6号 附件" + reg["annex"].astype(str)).all()


def _row(annex: int, seq: int):
    reg = load_register()
    hit = reg[(reg["annex"] == annex) & (reg["seq"] == seq)]
    assert len(hit) == 1
    return hit.iloc[0]


@pytest.mark.parametrize(
    "annex,seq,title,number,line",
    [
        (1, 1, "郑州市人民政府批转市房管局《关于处理私有出租房屋社会主义改造遗留问题的意见》",
         "郑政〔1982〕86号", 28),
        (1, 9, "郑州市人民政府 郑州军分区关于印发郑州市城市民兵工作经费保障办法等3个办法的通知",
         "郑政〔2002〕18号", 38),
        (1, 722, "郑州市人民政府办公厅关于印发市属企业离休干部服务管理办法(暂行)的通知",
         "郑政办文〔2018〕24号", 825),
        (2, 1, "郑州市人民政府关于印发郑州市外商投资企业投诉处理办法的通知",
         "郑政〔2003〕26号", 832),
        (2, 8, "郑州市人民政府关于印发郑州市应急避难场所建设实施方案的通知",
         "郑政文〔2011〕244号", 841),
        (2, 19, "郑州市人民政府办公厅关于加强燃放气球安全管理的通知",
         "郑政办文〔2003〕73号", 852),
        (3, 1, "郑州市人民政府贯彻执行《中华人民共和国城镇集体所有制企业条例》的实施意见",
         "郑政〔1993〕19号", 859),
        (3, 164, "郑州市人民政府 河南省教育厅 河南省科学技术厅 河南省人力资源和社会保障厅"
         "关于印发鼓励科技人才和大学生在郑创新创业的若干政策措施的通知",
         "郑政〔2015〕35号", 1036),
        (3, 738, "郑州市人民政府办公厅关于印发郑州市城镇人口密集区危险化学品生产企业搬迁改造工作实施方案的通知",
         "郑政办文〔2018〕25号", 1674),
    ],
)
def test_register_rows_read_by_hand(annex, seq, title, number, line):
    row = _row(annex, seq)
    assert row["title"] == title
    assert row["doc_number"] == number
    assert row["seed_line"] == line
    assert row["status"] == {1: "valid", 2: "to_be_revised", 3: "abolished"}[annex]


def test_annex3_numbers_keep_printed_spacing():
    # annex 3 prints "郑政〔1993〕19 号"; doc_number drops the PDF's stray space
    row = _row(3, 1)
    assert row["doc_number_printed"] == "郑政〔1993〕19 号"
    assert row["doc_number"] == "郑政〔1993〕19号"


def test_wrapped_title_rejoined():
    # printed "…随机抽查事项清单的 通知" (line wrap inside the PDF table cell)
    row = _row(3, 637)
    assert row["title_printed"] == "郑州市人民政府办公厅关于公布市政府部门随机抽查事项清单的 通知"
    assert row["title"] == "郑州市人民政府办公厅关于公布市政府部门随机抽查事项清单的通知"
    assert row["doc_number"] == "郑政办〔2018〕9号"


def test_load_register_returns_copy():
    a = load_register()
    a.loc[0, "title"] = "changed"
    assert load_register().loc[0, "title"] != "changed"


# ---------------------------------------------------------------- normalization


@pytest.mark.parametrize(
    "text",
    [
        "郑政文〔2011〕244号",
        "郑政文[2011]244号",
        "郑政文(2011)244",
        "郑政文（2011）244号",
        "郑政文［2011］244号",
        "郑政文【2011】244号",
        "郑政文〔２０１１〕２４４号",
        "  郑政文 [2011] 244 号 ",
        "郑政文〔2011〕244",
        "郑政文〔2011〕第0244号",
    ],
)
def test_normalize(text):
    assert normalize_doc_number(text) == "郑政文〔2011〕244号"


def test_normalize_keeps_prefix():
    assert normalize_doc_number("郑政办文(2018)24") == "郑政办文〔2018〕24号"
    assert normalize_doc_number("郑政[1982]86") == "郑政〔1982〕86号"


@pytest.mark.parametrize("bad", ["", "244号", "郑政文2011244号", "郑政文〔11〕244号"])
def test_normalize_rejects(bad):
    with pytest.raises(UnknownCodeError, match="cannot read"):
        normalize_doc_number(bad)


def test_normalize_rejects_non_string():
    with pytest.raises(UnknownCodeError, match="must be a string"):
        normalize_doc_number(244)  # type: ignore[arg-type]


# ---------------------------------------------------------------- status


def test_emergency_shelter_plan_abolished_after_register():
    s = status("郑政文[2011]244号")
    assert isinstance(s, PolicyStatus)
    assert s.doc_number == "郑政文〔2011〕244号"
    assert s.title == "郑州市人民政府关于印发郑州市应急避难场所建设实施方案的通知"
    assert s.register_status == "to_be_revised"
    assert (s.register_annex, s.register_seq) == (2, 8)
    assert s.status == "abolished"
    assert s.as_of == dt.date(2022, 4, 8)
    assert len(s.events) == 1
    ev = s.events[0]
    assert ev.event == "abolished"
    assert ev.by_doc_number == "郑政文〔2022〕40号"
    assert ev.date == dt.date(2022, 4, 8)
    assert "郑政文〔2011〕244号文件)同时废止" in ev.quote
    assert (ev.seed_file, ev.seed_line) == ("004_7ce5e556251b25e7.txt", 3127)


def test_status_register_only():
    s = status("郑政(1982)86")
    assert (s.status, s.register_status, s.register_annex, s.register_seq) == ("valid", "valid", 1, 1)
    assert s.events == ()
    assert s.as_of == dt.date(2022, 3, 31)
    assert s.note is None

    s3 = status("郑政〔1993〕19 号")
    assert (s3.status, s3.register_annex, s3.register_seq) == ("abolished", 3, 1)


def test_status_to_be_revised_has_lapse_note():
    s = status("郑政办文〔2003〕73号")
    assert s.status == "to_be_revised"
    assert "six months" in s.note


def test_later_documents():
    later = load_later_docs()
    assert later["doc_number"].tolist() == [
        "郑政〔2022〕6号", "郑政〔2022〕7号", "郑政〔2022〕8号", "郑政〔2022〕9号",
        "郑政文〔2022〕40号", "郑政文〔2022〕42号", "郑政文〔2022〕49号", "郑政文〔2022〕52号",
        "郑政办〔2022〕34号", "郑政办〔2022〕36号", "郑政办〔2022〕38号", "郑政办〔2022〕41号",
    ]
    assert not set(later["doc_number"]) & set(load_register()["doc_number"])


@pytest.mark.parametrize(
    "number,date,title",
    [
        ("郑政文〔2022〕40号", dt.date(2022, 4, 8), "郑州市人民政府关于进一步加强应急避难场所工作的实施意见"),
        ("郑政文〔2022〕42号", dt.date(2022, 4, 14),
         "郑州市人民政府关于公布郑州市区集体建设用地、集体农用地及国有农用地基准地价的通知"),
        ("郑政文〔2022〕49号", dt.date(2022, 4, 25), "郑州市人民政府关于印发郑州市地下水污染防治试验区建设实施方案的通知"),
        ("郑政〔2022〕8号", dt.date(2022, 4, 12), "郑州市人民政府关于印发郑州市儿童友好城市建设方案的通知"),
        ("郑政办〔2022〕34号", dt.date(2022, 4, 1), "郑州市人民政府办公厅关于印发2022年全市扩大有效投资工作实施方案的通知"),
    ],
)
def test_status_later_document(number, date, title):
    s = status(number)
    assert s.status == "valid"
    assert s.register_status is None and s.register_annex is None and s.register_seq is None
    assert s.as_of == date
    assert s.title == title
    assert s.note == "issued after 郑政〔2022〕6号 (2022-03-31); not in its register"


def test_status_register_decision_itself():
    s = status("郑政[2022]6号")
    assert s.status == "valid" and s.register_status is None
    assert "itself" in s.note


def test_to_dict_is_json():
    d = status("郑政文(2011)244").to_dict()
    back = json.loads(json.dumps(d, ensure_ascii=False))
    assert back["status"] == "abolished"
    assert back["register_status"] == "to_be_revised"
    assert back["as_of"] == "2022-04-08"
    assert back["events"][0]["by_doc_number"] == "郑政文〔2022〕40号"
    assert back["events"][0]["date"] == "2022-04-08"


def test_status_is_frozen():
    s = status("郑政〔1982〕86号")
    with pytest.raises(AttributeError):
        s.status = "abolished"  # type: ignore[misc]


def test_unknown_number_raises_with_suggestion():
    with pytest.raises(UnknownCodeError, match=r"'郑政文〔2011〕2444号'.*did you mean.*郑政文〔2011〕244号"):
        status("郑政文〔2011〕2444号")


def test_unknown_number_without_close_match():
    with pytest.raises(UnknownCodeError, match=r"unknown document number '豫政〔1950〕1号'") as info:
        status("豫政〔1950〕1号")
    assert "did you mean" not in str(info.value)


def test_unknown_is_value_error():
    with pytest.raises(ValueError):
        status("郑政文〔2099〕1号")


def test_register_entries():
    assert register_entries("郑政文[2011]244").iloc[0]["seq"] == 8
    assert register_entries("郑政文〔2099〕1号").empty


# ---------------------------------------------------------------- events & dating


def test_events_file():
    ev = load_events()
    assert ev[["doc_number", "event", "by_doc_number", "date"]].values.tolist() == [
        ["郑政文〔2011〕244号", "abolished", "郑政文〔2022〕40号", "2022-04-08"],
    ]


def _patched(monkeypatch, rows):
    import pandas as pd

    frame = pd.DataFrame(
        rows,
        columns=["doc_number", "event", "by_doc_number", "date", "seed_file", "seed_line", "quote"],
    )
    monkeypatch.setattr(policy, "_events", lambda: frame)


def test_event_before_register_does_not_override(monkeypatch):
    # a 2020 act abolishing a document that the 2022 register keeps valid
    _patched(monkeypatch, [["郑政〔1982〕86号", "abolished", "郑政文〔2020〕16号", "2020-01-21", "x", 1, "q"]])
    s = status("郑政〔1982〕86号")
    assert s.status == "valid"
    assert s.as_of == dt.date(2022, 3, 31)
    assert len(s.events) == 1


def test_latest_event_wins(monkeypatch):
    _patched(
        monkeypatch,
        [
            ["郑政〔1982〕86号", "abolished", "郑政文〔2022〕99号", "2022-06-01", "x", 1, "q"],
            ["郑政〔1982〕86号", "abolished", "郑政文〔2020〕16号", "2020-01-21", "x", 2, "q"],
        ],
    )
    s = status("郑政〔1982〕86号")
    assert s.status == "abolished"
    assert s.as_of == dt.date(2022, 6, 1)
    assert [e.date.year for e in s.events] == [2020, 2022]


def test_same_day_event_beats_register(monkeypatch):
    _patched(monkeypatch, [["郑政〔1982〕86号", "replaced", "郑政文〔2022〕30号", "2022-03-31", "x", 1, "q"]])
    s = status("郑政〔1982〕86号")
    assert s.status == "abolished"
    assert s.register_status == "valid"


def test_event_only_document(monkeypatch):
    _patched(monkeypatch, [["郑政文〔2021〕500号", "abolished", "郑政文〔2022〕99号", "2022-06-01", "x", 1, "q"]])
    s = status("郑政文(2021)500")
    assert (s.status, s.register_status, s.as_of) == ("abolished", None, dt.date(2022, 6, 1))
    assert "events only" in s.note
