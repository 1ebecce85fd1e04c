"""Status of Zhengzhou municipal normative documents.

The baseline is the register published by 郑政〔2022〕6号 (2022-03-31), the
municipal government's clean-up of its normative documents: 722 documents
stay valid (附件1), 19 are to be revised (附件2) and 738 are abolished or
lapsed (附件3).  Later acts found in the seed gazettes can change a
document's status again (for example 郑政文〔2022〕40号 of 2022-04-08 abolishes
郑政文〔2011〕244号); documents issued after the register are known too.

The tables are packaged CSV files built by ``tools/build_policy_register.py``
from the seed texts:

``policy_register.csv``
    one row per register entry (``annex``, ``seq``, ``title``,
    ``doc_number``, ``status``, ``remark``, ``source``, ``source_date`` and
    provenance columns).
``policy_events.csv``
    later status changes (``doc_number``, ``event``, ``by_doc_number``,
    ``date``, ``seed_file``, ``seed_line``, ``quote``).
``policy_later_docs.csv``
    documents in the seeds issued on or after 2022-03-31 that the register
    does not list (``doc_number``, ``title``, ``date``, ``seed_file``,
    ``seed_line``), including the decision 郑政〔2022〕6号 itself.

Examples
--------
>>> from zzgeo.policy import status
>>> s = status("郑政文[2011]244号")
>>> s.register_status, s.status, s.as_of.isoformat()
('to_be_revised', 'abolished', '2022-04-08')
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any

import pandas as pd

from zzgeo.errors import UnknownCodeError
from zzgeo.i18n import N_, _

__all__ = [
    "REGISTER_DOC_NUMBER",
    "REGISTER_DATE",
    "STATUSES",
    "PolicyEvent",
    "PolicyStatus",
    "load_register",
    "load_events",
    "load_later_docs",
    "normalize_doc_number",
    "register_entries",
    "status",
]

#: Document number of the decision that publishes the register.
REGISTER_DOC_NUMBER = "郑政〔2022〕6号"
#: Date of that decision; every register entry is a fact of this date.
REGISTER_DATE = _dt.date(2022, 3, 31)
#: The status values :func:`status` can report.
STATUSES = ("valid", "to_be_revised", "abolished")
#: The statuses and events as people read them (shown with :func:`zzgeo._cli.label_of`; JSON keeps the ids).
STATUS_LABELS = {"valid": N_("valid"), "to_be_revised": N_("to be revised"), "abolished": N_("abolished"),
                 "replaced": N_("replaced"), "revised": N_("revised")}

# Event label in policy_events.csv -> status of the named document afterwards.
# A revision is issued as a new document that supersedes the old number, so the
# old number no longer applies.
_EVENT_STATUS = {"abolished": "abolished", "replaced": "abolished", "revised": "abolished"}

_OPEN = "[(（［【〔〖﹝{｛<〈"
_CLOSE = "])）］】〕〗﹞}｝>〉"
_CANON_RE = re.compile(r"^(?P<prefix>[^\d〔〕]+?)〔(?P<year>\d{4})〕第?0*(?P<num>\d+)号?(?:文件)?$")

# notes of status(), translated where they are added: _(_NOTE_LATER)
_NOTE_LATER = N_("issued after 郑政〔2022〕6号 (2022-03-31); not in its register")
_NOTE_SELF = N_("the register decision 郑政〔2022〕6号 itself (2022-03-31); not listed in its own register")
_NOTE_REVISE = N_(
    "郑政〔2022〕6号 orders annex-2 documents to be re-issued within six months "
    "(by 2022-09-30), failing which they lapse; the seeds do not say whether this one was"
)
_NOTE_EVENTS_ONLY = N_("not in the register of 郑政〔2022〕6号; status from later events only")


@dataclass(frozen=True)
class PolicyEvent:
    """A later act that changes a document's status.

    Attributes
    ----------
    event : str
        ``"abolished"``, ``"replaced"`` or ``"revised"``.
    by_doc_number : str
        The document that makes the change, e.g. ``"郑政文〔2022〕40号"``.
    date : datetime.date
        Date of that document.
    quote : str
        The sentence of the source that makes the change.
    seed_file : str
        Seed text the quote comes from.
    seed_line : int
        Line of the status-changing word in that file (1-based).

    Examples
    --------
    郑政文〔2022〕40号 of 2022-04-08 abolishes the 2011 shelter scheme
    郑政文〔2011〕244号 in its final paragraph:

    >>> event = status("郑政文〔2011〕244号").events[0]
    >>> event.event, event.by_doc_number, event.date.isoformat()
    ('abolished', '郑政文〔2022〕40号', '2022-04-08')
    >>> event.to_dict()["quote"]
    '原《郑州市应急避难场所建设实施方案》(郑政文〔2011〕244号文件)同时废止。'
    """

    event: str
    by_doc_number: str
    date: _dt.date
    quote: str
    seed_file: str = ""
    seed_line: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (the date as an ISO string)."""
        return {
            "event": self.event,
            "by_doc_number": self.by_doc_number,
            "date": self.date.isoformat(),
            "quote": self.quote,
            "seed_file": self.seed_file,
            "seed_line": self.seed_line,
        }


@dataclass(frozen=True)
class PolicyStatus:
    """Current status of one document.

    Attributes
    ----------
    doc_number : str
        Canonical document number, e.g. ``"郑政文〔2011〕244号"``.
    title : str
        Title as listed in the register (or printed in the later document).
    status : str
        Current status after all dated facts: ``"valid"``,
        ``"to_be_revised"`` or ``"abolished"``.
    register_status : str or None
        Status given by 郑政〔2022〕6号; ``None`` when it does not list the document.
    register_annex : int or None
        Annex (1, 2 or 3) of 郑政〔2022〕6号 that lists the document.
    register_seq : int or None
        Sequence number within that annex.
    events : tuple of PolicyEvent
        Every known later act naming the document, oldest first, including
        any dated before the register (those do not decide the status).
    as_of : datetime.date
        Date of the latest fact used (register, issue date or event).
    note : str or None
        Caveat in plain words, e.g. that the document was issued after the
        register.

    Examples
    --------
    郑政〔2022〕6号 lists 郑政文〔2011〕244号 as no. 8 of annex 2 (to be revised);
    郑政文〔2022〕40号 abolishes it eight days later, so it is abolished as of
    2022-04-08:

    >>> s = status("郑政文〔2011〕244号")
    >>> s.register_annex, s.register_seq, s.register_status, s.status
    (2, 8, 'to_be_revised', 'abolished')
    >>> s.to_dict()["as_of"], s.to_dict()["events"][0]["by_doc_number"]
    ('2022-04-08', '郑政文〔2022〕40号')
    """

    doc_number: str
    title: str
    status: str
    register_status: str | None
    register_annex: int | None
    register_seq: int | None
    events: tuple[PolicyEvent, ...] = field(default_factory=tuple)
    as_of: _dt.date = REGISTER_DATE
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (dates as ISO strings, events as dicts)."""
        return {
            "doc_number": self.doc_number,
            "title": self.title,
            "status": self.status,
            "register_status": self.register_status,
            "register_annex": self.register_annex,
            "register_seq": self.register_seq,
            "events": [e.to_dict() for e in self.events],
            "as_of": self.as_of.isoformat(),
            "note": self.note,
        }


def _read_csv(name: str, dtypes: dict[str, str]) -> pd.DataFrame:
    resource = files("zzgeo") / "data" / name
    with resource.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=dtypes, keep_default_na=False)


@lru_cache(maxsize=1)
def _register() -> pd.DataFrame:
    return _read_csv(
        "policy_register.csv",
        {"annex": "int64", "seq": "int64", "seed_line": "int64", "title": "str",
         "doc_number": "str", "status": "str", "remark": "str", "source": "str",
         "source_date": "str", "title_printed": "str", "doc_number_printed": "str",
         "seed_file": "str"},
    )


@lru_cache(maxsize=1)
def _events() -> pd.DataFrame:
    return _read_csv(
        "policy_events.csv",
        {"doc_number": "str", "event": "str", "by_doc_number": "str", "date": "str",
         "seed_file": "str", "seed_line": "int64", "quote": "str"},
    )


@lru_cache(maxsize=1)
def _later() -> pd.DataFrame:
    return _read_csv(
        "policy_later_docs.csv",
        {"doc_number": "str", "title": "str", "date": "str", "seed_file": "str",
         "seed_line": "int64", "title_printed": "str"},
    )


def load_register() -> pd.DataFrame:
    """Return the register of 郑政〔2022〕6号, one row per listed document.

    Returns
    -------
    pandas.DataFrame
        1,479 rows in annex/sequence order.  Columns: ``annex`` (1, 2, 3),
        ``seq``, ``title`` (wrap spaces of the PDF removed), ``doc_number``
        (canonical, e.g. ``郑政〔1993〕19号``), ``status`` (``valid``,
        ``to_be_revised``, ``abolished``), ``remark``, ``source``
        (``郑政〔2022〕6号 附件N``), ``source_date`` (``2022-03-31``),
        ``title_printed`` and ``doc_number_printed`` (as extracted, with the
        PDF's stray spaces), ``seed_file``, ``seed_line``.  A fresh copy each
        call; the file is read once.

    Examples
    --------
    722 documents stay valid (附件1), 19 are to be revised (附件2), 738 are
    abolished or lapsed (附件3):

    >>> register = load_register()
    >>> len(register)
    1479
    >>> register.groupby("annex")["status"].unique().map(list).to_dict()
    {1: ['valid'], 2: ['to_be_revised'], 3: ['abolished']}
    >>> register["annex"].value_counts().sort_index().tolist()
    [722, 19, 738]
    """
    return _register().copy()


def load_events() -> pd.DataFrame:
    """Return the later acts that change a document's status.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_number``, ``event`` (``abolished``, ``replaced``,
        ``revised``), ``by_doc_number``, ``date`` (ISO string),
        ``seed_file``, ``seed_line``, ``quote``.  A fresh copy each call.

    Examples
    --------
    >>> events = load_events()
    >>> events.loc[events["doc_number"] == "郑政文〔2011〕244号", ["event", "by_doc_number", "date"]].values.tolist()
    [['abolished', '郑政文〔2022〕40号', '2022-04-08']]
    """
    return _events().copy()


def load_later_docs() -> pd.DataFrame:
    """Return documents in the seeds issued on or after 2022-03-31.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_number``, ``title``, ``date`` (ISO string),
        ``seed_file``, ``seed_line``, ``title_printed``.  Includes the
        register decision 郑政〔2022〕6号 itself.  A fresh copy each call.

    Examples
    --------
    >>> later = load_later_docs().set_index("doc_number")
    >>> later.loc["郑政〔2022〕6号", "date"], later.loc["郑政文〔2022〕40号", "date"]
    ('2022-03-31', '2022-04-08')
    >>> later.loc["郑政文〔2022〕40号", "title"]
    '郑州市人民政府关于进一步加强应急避难场所工作的实施意见'
    """
    return _later().copy()


def normalize_doc_number(text: str) -> str:
    """Return the canonical form of a document number.

    Accepts the usual ways people type a number: ASCII or full-width
    brackets (``[2011]``, ``(2011)``, ``（2011）``, ``［2011］``, ``【2011】``,
    ``〔2011〕``), full-width digits, spaces anywhere, a missing ``号``, a
    leading ``第`` or leading zeros in the serial, a trailing ``文件``.

    Parameters
    ----------
    text : str
        A document number such as ``"郑政文[2011]244号"`` or ``"郑政文(2011)244"``.

    Returns
    -------
    str
        The canonical form with 〔〕 brackets and 号, e.g. ``"郑政文〔2011〕244号"``.

    Raises
    ------
    UnknownCodeError
        If ``text`` is not a string or has no ``prefix〔year〕serial`` shape.

    Examples
    --------
    >>> normalize_doc_number(" 郑政文(2011)244 ")
    '郑政文〔2011〕244号'
    """
    if not isinstance(text, str):
        raise UnknownCodeError(
            _("document number must be a string like '郑政文〔2011〕244号', got {text!r}").format(text=text)
        )
    s = unicodedata.normalize("NFKC", text)
    s = "".join(ch for ch in s if not ch.isspace())
    s = "".join("〔" if ch in _OPEN else "〕" if ch in _CLOSE else ch for ch in s)
    m = _CANON_RE.match(s)
    if not m:
        raise UnknownCodeError(
            _("cannot read {text!r} as a document number; expected a prefix, a "
              "bracketed year and a serial, like '郑政文〔2011〕244号'").format(text=text)
        )
    return f"{m['prefix']}〔{m['year']}〕{int(m['num'])}号"


def register_entries(doc_number: str) -> pd.DataFrame:
    """Return every register row listing ``doc_number``.

    The register of 郑政〔2022〕6号 lists each of its 1,479 numbers once (the
    build script asserts it), so this returns zero or one row; it returns a
    DataFrame so that a repeated number would show all its rows.

    Parameters
    ----------
    doc_number : str
        Any spelling accepted by :func:`normalize_doc_number`.

    Returns
    -------
    pandas.DataFrame
        Rows of :func:`load_register` with that number (possibly empty).

    Examples
    --------
    The 2011 shelter scheme is no. 8 of annex 2; 郑政文〔2022〕40号, issued
    after the register, is not in it:

    >>> register_entries("郑政文(2011)244")[["annex", "seq", "status"]].values.tolist()
    [[2, 8, 'to_be_revised']]
    >>> len(register_entries("郑政文〔2022〕40号"))
    0
    """
    canon = normalize_doc_number(doc_number)
    reg = _register()
    return reg.loc[reg["doc_number"] == canon].copy()


def _known_numbers() -> list[str]:
    return sorted(
        set(_register()["doc_number"]) | set(_later()["doc_number"]) | set(_events()["doc_number"])
    )


def _date(text: str) -> _dt.date:
    return _dt.date.fromisoformat(text)


def status(doc_number: str) -> PolicyStatus:
    """Return the current status of a municipal document.

    The status is decided by the latest dated fact: the register entry of
    郑政〔2022〕6号 (dated 2022-03-31), the issue date of a document the
    register does not list (``valid``), and each later act in
    :func:`load_events` (``abolished``/``replaced``/``revised`` all make the
    old number ``abolished``).  An act dated before 2022-03-31 is reported in
    ``events`` but the register overrides it; an act on the same day as the
    register wins over it, being the more specific decision.

    Each number appears at most once in the register (checked when the data
    is built); should a number ever appear more than once, the first row in
    annex/sequence order is used and ``note`` says so — see
    :func:`register_entries` for all rows.

    The stages, in order::

        read       the canonical number (normalize_doc_number)
        look up    its register rows, later-document rows and event rows
        unknown    none of them: UnknownCodeError with close matches
        events     the later acts naming it, oldest first
        baseline   the first register entry, else the issue date (valid), else nothing
        decide     the latest dated fact; on the same day an event beats the baseline
        output     the PolicyStatus, with the notes joined

    Parameters
    ----------
    doc_number : str
        Any spelling accepted by :func:`normalize_doc_number`,
        e.g. ``"郑政文(2011)244"``.

    Returns
    -------
    PolicyStatus
        The current and the register status, with the events and the date
        of the latest fact.

    Raises
    ------
    UnknownCodeError
        If the number cannot be read, or is neither in the register, nor a
        later document of the seeds, nor named by a later act.  The message
        suggests close matches when there are any.

    Examples
    --------
    The 2011 shelter scheme, to be revised by the register, abolished eight
    days later by 郑政文〔2022〕40号:

    >>> s = status("郑政文〔2011〕244号")
    >>> s.register_status, s.status, s.as_of.isoformat(), s.events[0].by_doc_number
    ('to_be_revised', 'abolished', '2022-04-08', '郑政文〔2022〕40号')

    The land-price notice 郑政文〔2019〕49号 stays valid (annex 1, no. 338);
    郑政文〔2022〕40号 itself is valid from its issue date, after the register:

    >>> s = status("郑政文〔2019〕49号")
    >>> s.status, s.register_annex, s.register_seq, s.as_of.isoformat()
    ('valid', 1, 338, '2022-03-31')
    >>> s = status("郑政文〔2022〕40号")
    >>> s.status, s.register_status, s.as_of.isoformat(), s.note
    ('valid', None, '2022-04-08', 'issued after 郑政〔2022〕6号 (2022-03-31); not in its register')
    """
    canon = normalize_doc_number(doc_number)
    rows, later, ev = _facts_about(canon)
    if rows.empty and later.empty and ev.empty:
        raise _unknown(doc_number, canon)
    events = _event_list(ev)
    baseline, notes = _baseline(canon, rows, later)
    facts = [] if baseline.fact is None else [baseline.fact]
    facts += [(e.date, 1, _EVENT_STATUS.get(e.event, "abolished")) for e in events]
    as_of, current = _latest(facts)
    if current == "to_be_revised":
        notes.append(_(_NOTE_REVISE))
    return PolicyStatus(
        doc_number=canon,
        title=baseline.title,
        status=current,
        register_status=baseline.status,
        register_annex=baseline.annex,
        register_seq=baseline.seq,
        events=events,
        as_of=as_of,
        note="; ".join(notes) or None,
    )


# ----------------------------------------------------------------------------- stages of status()

#: A dated fact: (date, rank, status). On equal dates an event (rank 1) beats the baseline (rank 0).
_Fact = tuple[_dt.date, int, str]


@dataclass(frozen=True)
class _Baseline:
    """What the register (or the later document itself) says of a number, before any later act."""

    title: str = ""
    status: str | None = None  #: the register's status; None when it does not list the number
    annex: int | None = None
    seq: int | None = None
    fact: _Fact | None = None  #: the register entry or the issue date; None for a number known from events only


def _facts_about(canon: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Look up: the register rows, later-document rows and event rows naming *canon*."""
    reg = _register()
    rows = reg.loc[reg["doc_number"] == canon]
    later = _later().loc[lambda d: d["doc_number"] == canon]
    ev = _events().loc[lambda d: d["doc_number"] == canon]
    return rows, later, ev


def _unknown(doc_number: str, canon: str) -> UnknownCodeError:
    """The error for a number no table knows, with close matches when there are any."""
    close = difflib.get_close_matches(canon, _known_numbers(), n=3, cutoff=0.8)
    if close:
        return UnknownCodeError(
            _("unknown document number {number!r} (read as {canon!r}): not in the register of 郑政〔2022〕6号 nor among "
              "the later documents of the seeds; did you mean {close}?").format(
                number=doc_number, canon=canon, close=", ".join(repr(c) for c in close))
        )
    return UnknownCodeError(
        _("unknown document number {number!r} (read as {canon!r}): not in the "
          "register of 郑政〔2022〕6号 nor among the later documents of the seeds").format(number=doc_number, canon=canon)
    )


def _event_list(ev: pd.DataFrame) -> tuple[PolicyEvent, ...]:
    """Events: every later act naming the number, oldest first (ties by the acting document)."""
    return tuple(
        sorted(
            (
                PolicyEvent(
                    event=r.event,
                    by_doc_number=r.by_doc_number,
                    date=_date(r.date),
                    quote=r.quote,
                    seed_file=r.seed_file,
                    seed_line=int(r.seed_line),
                )
                for r in ev.itertuples(index=False)
            ),
            key=lambda e: (e.date, e.by_doc_number),
        )
    )


def _baseline(canon: str, rows: pd.DataFrame, later: pd.DataFrame) -> tuple[_Baseline, list[str]]:
    """Baseline: the first register entry, else the later document's issue date (``valid``), else nothing; notes."""
    notes: list[str] = []
    if not rows.empty:
        first = rows.iloc[0]
        register_status = str(first["status"])
        baseline = _Baseline(title=str(first["title"]), status=register_status, annex=int(first["annex"]),
                             seq=int(first["seq"]), fact=(_date(first["source_date"]), 0, register_status))
        if len(rows) > 1:
            where = ", ".join(f"附件{a} seq {s}" for a, s in zip(rows["annex"], rows["seq"]))
            notes.append(_("listed {n} times in the register ({where}); the first is used").format(n=len(rows), where=where))
    elif not later.empty:
        first = later.iloc[0]
        baseline = _Baseline(title=str(first["title"]), fact=(_date(first["date"]), 0, "valid"))
        notes.append(_(_NOTE_SELF) if canon == REGISTER_DOC_NUMBER else _(_NOTE_LATER))
    else:
        baseline = _Baseline()
        notes.append(_(_NOTE_EVENTS_ONLY))
    return baseline, notes


def _latest(facts: list[_Fact]) -> tuple[_dt.date, str]:
    """Decide: the latest fact wins; on the same day an event wins over the baseline."""
    as_of, _rank, current = max(facts, key=lambda f: (f[0], f[1]))
    return as_of, current
