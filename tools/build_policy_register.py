#!/usr/bin/env python3
"""Build the policy register of 郑政〔2022〕6号 and its follow-up data files.

Source: the seed text ``004_7ce5e556251b25e7.txt`` (plain text extracted from
the 2022 Zhengzhou government gazette).  Lines 1-1675 hold the decision
郑政〔2022〕6号 (2022-03-31), which lists 1,479 municipal normative documents in
three annexes:

* 附件1 继续有效 (722 rows)  -> status ``valid``
* 附件2 决定修订 (19 rows)   -> status ``to_be_revised``
* 附件3 决定废止、失效 (738 rows) -> status ``abolished``

The rest of seed 004 and the 2020 gazette seed ``000_711a9b30e8b03570.txt``
are scanned for (a) document headings (文号 + date line) issued after the
decision and (b) sentences that abolish/replace/revise an earlier municipal
document by number.

Outputs (UTF-8 CSV, written into ``src/zzgeo/data/``):

``policy_register.csv``
    annex, seq, title, doc_number, status, remark, source, source_date,
    title_printed, doc_number_printed, seed_file, seed_line
``policy_events.csv``
    doc_number, event, by_doc_number, date, seed_file, seed_line, quote
``policy_later_docs.csv``
    doc_number, title, date, seed_file, seed_line, title_printed

Usage::

    python tools/build_policy_register.py [--seeds DIR] [--out DIR]

The script asserts the published counts (722 + 19 + 738 = 1479), contiguous
sequence numbers within each annex and unique document numbers, and fails
loudly on any line inside the annexes it cannot account for.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEEDS = Path("/work/shared/seeds")
DEFAULT_OUT = ROOT / "src" / "zzgeo" / "data"

SEED_2022 = "004_7ce5e556251b25e7.txt"
SEED_2020 = "000_711a9b30e8b03570.txt"
REGISTER_LAST_LINE = 1675  # last line of 郑政〔2022〕6号 in seed 004 (annex 3, seq 738)

REGISTER_DOC = "郑政〔2022〕6号"
REGISTER_DATE = "2022-03-31"
EXPECTED = {1: 722, 2: 19, 3: 738}
ANNEX_STATUS = {1: "valid", 2: "to_be_revised", 3: "abolished"}

# Municipal-government document families that the register lists.
DOC_FAMILY = r"郑政(?:办文|办|文|通)?"
DOC_RE = re.compile(DOC_FAMILY + r"\s*〔\s*(\d{4})\s*〕\s*(\d+)\s*号")
HEADER_ROW_RE = re.compile(r"^序号\s+文件名称\s+文号(\s+\S+)*\s*$")
ANNEX_RE = re.compile(r"^附件\s*(\d)\s*$")
ANNEX_TITLE_RE = re.compile(r"^郑州市人民政府.*目录\s*[（(]\s*(\d+)\s*件\s*[）)]?\s*$|^郑州市人民政府.*目录\s*$")
ROW_RE = re.compile(r"^(\d+)\t(.*)$")
HEADING_RE = re.compile(
    r"^(" + DOC_FAMILY + r"\s*〔\s*\d{4}\s*〕\s*\d+\s*号)\s+"
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]\s*$"
)
ISSUER_RE = re.compile(r"^郑州市人民政府(?:办公厅)?$")

# Status-changing wording, most specific first; each maps to an event label.
EVENT_WORDS = [
    (re.compile(r"代替|取代"), "replaced"),
    (re.compile(r"废止|停止执行|不再执行|失效"), "abolished"),
    (re.compile(r"修订|修改"), "revised"),
]

# Titles whose printed heading is garbled by the PDF extraction.  Keyed by doc
# number: (title after wrap-space removal, corrected title).  The check that
# the printed form is as expected keeps the fix from silently going stale.
TITLE_FIXES = {
    # heading printed "…中小企业高质量发展 发展的实施意见": the wrapped line
    # repeats 发展; the body (line 3930) speaks of 中小企业高质量发展.
    "郑政办〔2022〕36号": (
        "郑州市人民政府办公厅关于支持“专精特新”中小企业高质量发展发展的实施意见",
        "郑州市人民政府办公厅关于支持“专精特新”中小企业高质量发展的实施意见",
    ),
}


def canonical_doc(text: str) -> str:
    """Remove the whitespace the PDF extraction put inside a document number."""
    return re.sub(r"\s+", "", text)


def clean_title(text: str) -> str:
    """Undo PDF wrap artefacts in a title.

    Spaces before the first 关于 separate joint issuers
    (``郑州市人民政府 郑州军分区``) and are kept (collapsed to one); every other
    space is a line-wrap or digit-spacing artefact (``的 通知``,
    ``郑州市 2017 年度``) and is removed.
    """
    text = text.strip()
    i = text.find("关于")
    if i < 0:
        return re.sub(r"\s+", "", text)
    prefix = re.sub(r"\s+", " ", text[:i]).strip()
    return prefix + re.sub(r"\s+", "", text[i:])


@dataclass
class Row:
    annex: int
    seq: int
    title_printed: str
    doc_printed: str
    line: int


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def parse_register(lines: list[str]) -> tuple[list[Row], list[str]]:
    """Parse lines 1..REGISTER_LAST_LINE of seed 004 into register rows.

    Returns the rows and a list of human-readable notes about irregular lines
    (wrapped titles, missing numbers) that were repaired.
    """
    rows: list[Row] = []
    notes: list[str] = []
    annex: int | None = None
    declared: dict[int, int] = {}

    # The decision's body states the counts; cross-check them.
    body = "".join(lines[:22])
    m = re.search(r"继续有效(\d+)件，修订(\d+)件，废止、失效(\d+)件", body)
    assert m, "count sentence not found in the decision text"
    stated = {1: int(m[1]), 2: int(m[2]), 3: int(m[3])}
    assert stated == EXPECTED, stated

    for lineno, raw in enumerate(lines[:REGISTER_LAST_LINE], start=1):
        line = raw.rstrip()
        if annex is None:
            m = ANNEX_RE.match(line.strip())
            if m:
                annex = int(m[1])
            continue
        s = line.strip()
        if not s or HEADER_ROW_RE.match(s):
            continue
        m = ANNEX_RE.match(s)
        if m:
            annex = int(m[1])
            continue
        m = ANNEX_TITLE_RE.match(s)
        if m:
            if m[1]:
                declared[annex] = int(m[1])
            continue
        m = ROW_RE.match(line)
        if m:
            seq = int(m[1])
            fields = m[2].split("\t")
            if len(fields) >= 2:
                title, doc = "\t".join(fields[:-1]), fields[-1]
            else:
                # doc number glued to the title, or missing (wrapped to next line)
                dm = re.search(r"(" + DOC_RE.pattern + r")\s*$", fields[0])
                if dm:
                    title, doc = fields[0][: dm.start()], dm[1]
                    notes.append(f"line {lineno}: number glued to title, split off")
                else:
                    title, doc = fields[0], ""
            rows.append(Row(annex, seq, title.strip(), doc.strip(), lineno))
            continue
        # Anything else must be a continuation of the previous row.
        if not rows or rows[-1].annex != annex:
            raise ValueError(f"seed line {lineno}: unexpected text {s!r}")
        prev = rows[-1]
        dm = DOC_RE.fullmatch(s)
        if dm and not prev.doc_printed:
            prev.doc_printed = s
            notes.append(f"line {lineno}: number on its own line, joined to seq {prev.seq}")
        elif not prev.doc_printed or "\t" in s:
            head, _, tail = s.partition("\t")
            prev.title_printed += " " + head.strip()
            if tail:
                prev.doc_printed = tail.strip()
            notes.append(f"line {lineno}: wrapped title joined to annex {annex} seq {prev.seq}")
        else:
            raise ValueError(f"seed line {lineno}: unexpected text {s!r}")

    for k, v in declared.items():
        assert v == EXPECTED[k], (k, v)
    return rows, notes


def check_register(rows: list[Row]) -> None:
    for annex, n in EXPECTED.items():
        seqs = [r.seq for r in rows if r.annex == annex]
        assert len(seqs) == n, f"annex {annex}: {len(seqs)} rows, expected {n}"
        assert seqs == list(range(1, n + 1)), f"annex {annex}: sequence not 1..{n}"
    assert len(rows) == sum(EXPECTED.values()) == 1479
    docs = [canonical_doc(r.doc_printed) for r in rows if r.doc_printed]
    dupes = sorted({d for d in docs if docs.count(d) > 1})
    assert not dupes, f"document numbers listed more than once: {dupes}"
    for r in rows:
        if r.doc_printed:
            assert DOC_RE.fullmatch(r.doc_printed), (r.line, r.doc_printed)


def find_headings(lines: list[str], start: int = 1) -> list[tuple[int, str, str]]:
    """Return (line, doc_number, ISO date) of every 文号+date heading line."""
    out = []
    for lineno, raw in enumerate(lines, start=1):
        if lineno < start:
            continue
        m = HEADING_RE.match(raw.strip())
        if m:
            out.append((lineno, canonical_doc(m[1]), f"{int(m[2]):04d}-{int(m[3]):02d}-{int(m[4]):02d}"))
    return out


def heading_title(lines: list[str], lineno: int) -> str:
    """Title printed above the 文号 line at ``lineno`` (1-based)."""
    parts: list[str] = []
    i = lineno - 2
    while i >= 0 and len(parts) < 4:
        s = lines[i].strip()
        i -= 1
        if not s:
            continue
        parts.insert(0, s)
        if s.startswith("郑州市人民政府"):
            break
    assert parts and parts[0].startswith("郑州市人民政府"), (lineno, parts)
    if len(parts) > 1:
        assert ISSUER_RE.match(parts[0]) or "关于" in parts[0], (lineno, parts)
    return " ".join(parts)


def find_events(seed_name: str, lines: list[str], start: int) -> list[dict]:
    """Sentences after line ``start`` that change an earlier document's status.

    The text is joined without whitespace (the 2020 gazette wraps every few
    characters), split into clauses at 。；, and a clause counts when it names a
    municipal document number followed by a status-changing word.  The acting
    document is the last heading (文号 + date line) before the clause.
    """
    chars: list[str] = []
    owner: list[int] = []
    for lineno, raw in enumerate(lines, start=1):
        if lineno < start:
            continue
        for ch in raw:
            if not ch.isspace():
                chars.append(ch)
                owner.append(lineno)
    text = "".join(chars)
    headings = find_headings(lines, start)
    events = []
    for cm in re.finditer(r"[^。；;]+[。；;]?", text):
        clause = cm.group()
        line_of = owner[cm.start()]
        acting = [h for h in headings if h[0] <= line_of]
        if not acting:
            continue
        h_line, by_doc, by_date = acting[-1]
        for dm in DOC_RE.finditer(clause):
            doc = canonical_doc(dm.group())
            if doc == by_doc or owner[cm.start() + dm.start()] == h_line:
                continue
            after = clause[dm.end():]
            for word_re, label in EVENT_WORDS:
                wm = word_re.search(after)
                if wm:
                    events.append({
                        "doc_number": doc,
                        "event": label,
                        "by_doc_number": by_doc,
                        "date": by_date,
                        "seed_file": seed_name,
                        "seed_line": owner[cm.start() + dm.end() + wm.start()],
                        "quote": clause.strip(),
                    })
                    break
    return events


def write_csv(path: Path, fieldnames: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fieldnames, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)

    lines04 = read_lines(args.seeds / SEED_2022)
    lines00 = read_lines(args.seeds / SEED_2020)

    # -- register -------------------------------------------------------------
    head = find_headings(lines04[:REGISTER_LAST_LINE])
    assert head and head[0][1:] == (REGISTER_DOC, REGISTER_DATE), head[:1]
    rows, notes = parse_register(lines04)
    check_register(rows)
    register = []
    for r in rows:
        register.append({
            "annex": r.annex,
            "seq": r.seq,
            "title": clean_title(r.title_printed),
            "doc_number": canonical_doc(r.doc_printed),
            "status": ANNEX_STATUS[r.annex],
            "remark": "" if r.doc_printed else "no document number printed",
            "source": f"{REGISTER_DOC} 附件{r.annex}",
            "source_date": REGISTER_DATE,
            "title_printed": r.title_printed,
            "doc_number_printed": r.doc_printed,
            "seed_file": SEED_2022,
            "seed_line": r.line,
        })
    register_docs = {row["doc_number"] for row in register}

    # -- documents issued after the register (plus the decision itself) -------
    later = []
    for lineno, doc, date in [head[0]] + find_headings(lines04, REGISTER_LAST_LINE + 1):
        printed = clean_title(heading_title(lines04, lineno))
        title = printed
        if doc in TITLE_FIXES:
            expect, fixed = TITLE_FIXES[doc]
            assert printed == expect, (doc, printed)
            title = fixed
        assert doc not in register_docs, doc
        assert date >= REGISTER_DATE, (doc, date)
        later.append({
            "doc_number": doc, "title": title, "date": date,
            "seed_file": SEED_2022, "seed_line": lineno, "title_printed": printed,
        })
    assert len({d["doc_number"] for d in later}) == len(later)

    # -- status-changing events --------------------------------------------------
    events = find_events(SEED_2022, lines04, REGISTER_LAST_LINE + 1)
    events += find_events(SEED_2020, lines00, 1)
    events.sort(key=lambda e: (e["date"], e["doc_number"]))

    write_csv(args.out / "policy_register.csv",
              ["annex", "seq", "title", "doc_number", "status", "remark", "source",
               "source_date", "title_printed", "doc_number_printed", "seed_file", "seed_line"],
              register)
    write_csv(args.out / "policy_events.csv",
              ["doc_number", "event", "by_doc_number", "date", "seed_file", "seed_line", "quote"],
              events)
    write_csv(args.out / "policy_later_docs.csv",
              ["doc_number", "title", "date", "seed_file", "seed_line", "title_printed"],
              later)

    counts = {a: sum(1 for r in rows if r.annex == a) for a in EXPECTED}
    print(f"register: {counts} total {len(rows)}", file=sys.stderr)
    print(f"titles with wrap spaces removed: "
          f"{sum(1 for r in register if r['title'] != r['title_printed'])}", file=sys.stderr)
    print(f"numbers printed with inner spaces: "
          f"{sum(1 for r in register if r['doc_number'] != r['doc_number_printed'])}", file=sys.stderr)
    for n in notes:
        print("repaired:", n, file=sys.stderr)
    print(f"later documents: {len(later)}; events: {len(events)}", file=sys.stderr)
    for e in events:
        print(f"  event: {e['doc_number']} {e['event']} by {e['by_doc_number']} {e['date']} "
              f"({e['seed_file']}:{e['seed_line']})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
