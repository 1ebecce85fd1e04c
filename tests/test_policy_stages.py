"""The stages of ``zzgeo.policy.status``: look up, baseline, decide."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import textwrap

from zzgeo import policy


def test_look_up_finds_register_later_and_event_rows():
    rows, later, ev = policy._facts_about("郑政文〔2011〕244号")
    assert (len(rows), len(later), len(ev)) == (1, 0, 1)
    rows, later, ev = policy._facts_about("郑政文〔2022〕40号")
    assert (len(rows), len(later), len(ev)) == (0, 1, 0)


def test_baseline_of_a_register_entry():
    baseline, notes = policy._baseline("郑政文〔2011〕244号", *policy._facts_about("郑政文〔2011〕244号")[:2])
    assert (baseline.status, baseline.annex, baseline.seq) == ("to_be_revised", 2, 8)
    assert baseline.fact == (dt.date(2022, 3, 31), 0, "to_be_revised")
    assert notes == []


def test_baseline_of_a_later_document_and_of_the_register_decision():
    baseline, notes = policy._baseline("郑政文〔2022〕40号", *policy._facts_about("郑政文〔2022〕40号")[:2])
    assert baseline.status is None and baseline.fact == (dt.date(2022, 4, 8), 0, "valid")
    assert notes == [policy._NOTE_LATER]
    _, notes = policy._baseline(policy.REGISTER_DOC_NUMBER, *policy._facts_about(policy.REGISTER_DOC_NUMBER)[:2])
    assert notes == [policy._NOTE_SELF]


def test_baseline_of_a_number_known_from_events_only():
    empty = policy._register().iloc[:0]
    baseline, notes = policy._baseline("郑政文〔2021〕500号", empty, policy._later().iloc[:0])
    assert baseline == policy._Baseline() and baseline.fact is None
    assert notes == [policy._NOTE_EVENTS_ONLY]


def test_decide_takes_the_latest_fact_and_an_event_on_the_register_day():
    day = dt.date(2022, 3, 31)
    assert policy._latest([(day, 0, "valid"), (dt.date(2020, 1, 21), 1, "abolished")]) == (day, "valid")
    assert policy._latest([(day, 0, "valid"), (day, 1, "abolished")]) == (day, "abolished")


def test_unknown_number_suggests_close_matches():
    error = policy._unknown("郑政〔2099〕1号", "郑政〔2099〕1号")
    assert isinstance(error, policy.UnknownCodeError)
    assert "did you mean '郑政〔2009〕1号'" in str(error)


def test_status_stays_a_short_pipeline():
    node = ast.parse(textwrap.dedent(inspect.getsource(policy.status))).body[0]
    assert node.end_lineno - node.body[0].end_lineno <= 30
    assert "The stages, in order::" in inspect.getdoc(policy.status)
