"""What every command shares: options, JSON output, notes, DEMO notices, rejected rows, exit codes.

Theme command modules (``zzgeo/<theme>/cli.py``) import this module and typer
only, so ``zzgeo --help`` loads no geopandas or pandas. Every command:

* takes the recurring options with the same names and help (``--json``,
  ``--out``, ``--crs``, ``--on-error``, ``--columns``, ``--layer``);
* prints a table, or with ``--json`` exactly one JSON document on stdout
  (strict JSON: NaN and infinity become null);
* prints notes, the DEMO notice and rows left out on stderr, so stdout stays clean;
* writes ``--out`` atomically, never over an input; rows left out of an analysis
  (``--on-error flag``) go beside it as ``<out>.rejected.csv``, and the notes
  (unit conversions, warnings on rows and options) as ``<out>.notes.csv``;
* checks every numeric option against ``data/limits.toml`` before the command
  runs (:func:`checked_options`): non-finite values and values outside the
  hard range are errors, implausible ones a note.

:func:`run` is the one place that turns errors into messages and exit codes:
2 for bad input (any :class:`~zzgeo.errors.ZzgeoError`, a missing file), 1 for
anything else (a bug: one line, the traceback only with ``ZZGEO_DEBUG=1``).
Library warnings never reach the console as Python warnings: they are shown
as ``note:`` lines after a successful command.
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import os
import sys
import typing
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from zzgeo._records import json_safe
from zzgeo.i18n import N_, _, label_of  # label_of: exported here for the commands

__all__ = [
    "JsonOption",
    "OutOption",
    "OutCrsOption",
    "CrsOption",
    "OnErrorOption",
    "ColumnsOption",
    "LayerOption",
    "SchedulerOption",
    "PartitionsOption",
    "json_safe",
    "echo_json",
    "note",
    "notes",
    "run_note",
    "checked_options",
    "parse_pairs",
    "Outcome",
    "demo_notice",
    "demo_in_json",
    "label_of",
    "print_frame",
    "print_rejected",
    "write_output",
    "write_rejected",
    "inputs_of",
    "run",
]

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout instead of a table.")]
OutOption = Annotated[Optional[Path], typer.Option("--out", help="Also write the result (.gpkg, .geojson, .shp, .fgb, .csv, .xlsx, or a PostGIS table postgresql://user@host/db#schema.table, replaced in one transaction); never over an input.")]
OutCrsOption = Annotated[Optional[str], typer.Option("--out-crs", help="CRS of the --out file: wgs84 (the default), cgcs2000 (EPSG:4490) or an EPSG code, e.g. 4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E, metres); CSV/Excel then get lon/lat or x/y.")]
CrsOption = Annotated[Optional[str], typer.Option("--crs", help="Coordinates of the input: wgs84, cgcs2000, gcj02 (Amap/Tencent), bd09 (Baidu) or an EPSG code. Required for CSV/Excel; a GeoJSON without a crs member is read as WGS-84 unless this says otherwise.")]
OnErrorOption = Annotated[str, typer.Option("--on-error", help="raise: stop and name the bad rows; flag: keep going without them, and list them (console, --json 'rejected', <out>.rejected.csv).")]
ColumnsOption = Annotated[Optional[str], typer.Option("--columns", help="Map your headers to zzgeo's columns: 'your header=column,...' (or JSON), e.g. '宗地编号=parcel_id' or '场所名称=name'; zzgeo template KIND lists the columns.")]
SchedulerOption = Annotated[Optional[str], typer.Option("--scheduler", help="Run on Dask partitions: threads, processes, local[:N] (a LocalCluster) or tcp://host:8786 (a running cluster). Results are the same as without.")]
PartitionsOption = Annotated[Optional[int], typer.Option("--partitions", help="Number of Dask partitions (default: the CPU count).")]
LayerOption = Annotated[Optional[str], typer.Option("--layer", help="GeoPackage layer, or PostGIS table (schema.table) / SELECT.")]


# ----------------------------------------------------------------------------- notes of the run

#: Notes of the current run that no table carries (implausible options): printed once, put in --json.
_RUN_NOTES: list[str] = []
_SHOWN: set[str] = set()


def run_note(text: str) -> None:
    """Record a note of this run (shown on stderr at the end, and in the ``notes`` of ``--json``)."""
    if text and text not in _RUN_NOTES:
        _RUN_NOTES.append(text)


# ----------------------------------------------------------------------------- output


def echo_json(data: object, *, demo: str | Sequence[str] | None = None) -> None:
    """Print *data* as strict JSON (UTF-8, indented); the run's notes join a dict's ``notes``.

    *demo*: the demo inputs the figures rest on; their DEMO notice goes to stderr (:func:`demo_in_json`).
    """
    demo_in_json(demo)
    if isinstance(data, dict) and _RUN_NOTES:
        data = {**data, "notes": list(dict.fromkeys([*(data.get("notes") or []), *_RUN_NOTES]))}
    typer.echo(json.dumps(json_safe(data), ensure_ascii=False, indent=2, default=str, allow_nan=False))


def note(text: str) -> None:
    """One ``note:`` line on stderr (each text once per run)."""
    if text in _SHOWN:
        return
    _SHOWN.add(text)
    typer.secho(_("note: {note}").format(note=text), fg=typer.colors.CYAN, err=True)  # "注：" in Chinese; error: stays ASCII


def notes(lines: Iterable[str]) -> None:
    """``note:`` lines on stderr, each once."""
    for line in dict.fromkeys(str(x) for x in lines if x):
        note(line)


#: The DEMO notices shown in this run (each once), and the demo inputs of results printed as JSON (see :func:`run`).
_DEMO_SHOWN: set[str] = set()
_DEMO_PENDING: list[str] = []


def demo_notice(what: str | None = None, *, text: str | None = None) -> None:
    """The DEMO notice on stderr: *what* rests on synthetic demo data, not an official source (*what* is translated
    where the catalogue has it: mark fixed phrases ``N_()`` where they are written).

    *text* instead of *what*: a whole sentence (already translated) saying what is demo and what is real, where
    the general sentence ("figures are illustrative only") would say too much. Each notice is shown once per run.
    """
    line = (_("DEMO: {text}").format(text=text) if text is not None else
            _("DEMO: {what}: synthetic demo data, not an official source; figures are illustrative only").format(what=_(what) if what else ""))
    if line in _DEMO_SHOWN:
        return
    _DEMO_SHOWN.add(line)
    typer.secho(line, fg=typer.colors.YELLOW, err=True)


def demo_in_json(what: str | Sequence[str] | None) -> None:
    """Record the demo inputs of a result printed as JSON: unless the command shows a DEMO notice itself, :func:`run`
    shows one on stderr at the end (stdout stays one JSON document)."""
    for item in [what] if isinstance(what, str) else list(what or ()):
        if item and item not in _DEMO_PENDING:
            _DEMO_PENDING.append(item)


def _pending_demo_notice() -> None:
    if _DEMO_PENDING and not _DEMO_SHOWN:
        demo_notice(_(", ").join(_(x) for x in _DEMO_PENDING))


def _cell(value: object, kind: str = "") -> str:
    """One cell as text; *kind* is the format of its column (:func:`_column_kind`)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if kind == "share" and isinstance(value, (int, float)):
        return f"{100 * float(value):.1f}%"
    if kind == "count" and isinstance(value, (int, float)) and math.isfinite(float(value)):
        return f"{int(round(float(value))):,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


#: Columns that hold codes, years or ranks: whole numbers printed as typed (410102, 2025), never 410,102.
_CODE_WORDS = ("code", "adcode", "year", "id", "seq", "rank", "order", "priority", "grade", "annex", "no")
#: Columns that hold a share of a whole (0.997): printed as a percentage (99.7%), as the shelters tables do.
_SHARE_WORDS = ("share", "rate")
#: Columns of measures, not counts: a whole value there is chance (a score of 70), printed with its decimals.
_MEASURE_WORDS = ("score", "points", "raw", "normalised", "contribution", "weight", "ratio", "per", "price", "actual",
                  "target", "value", "mean", "coefficient", "km2", "km", "m")


def _column_kind(name: object, values: Sequence[object]) -> str:
    """How a column is printed, decided for the whole column (so a column of areas stays consistent): ``"share"``
    (a percentage) for a share or a rate, ``"count"`` (whole numbers with separators) when every value is a whole
    number (an integer column, or a float one such as census population read as float), ``"code"`` for codes and
    years; else ``""`` (two decimals for floats).

    >>> _column_kind("population", [1508868.0, 962642.0]), _column_kind("area_km2", [1.5, 2.0]), _column_kind("score", [70.0])
    ('count', '', '')
    >>> _column_kind("adcode", [410102]), _column_kind("covered_share", [0.5]), _column_kind("priority", [1.0, 2.0])
    ('code', 'share', 'code')
    """
    import re

    words = [w for w in re.split(r"[^a-z0-9]+", str(name).lower()) if w]
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)
               and not (isinstance(v, float) and math.isnan(v))]
    if not numbers or len(numbers) < len([v for v in values if v is not None and v == v and v != ""]):
        return ""  # text, or text and numbers mixed: each cell as it is
    if any(w in _CODE_WORDS for w in words):
        return "code" if all(float(v).is_integer() for v in numbers) else ""
    if any(w in _SHARE_WORDS for w in words) and all(isinstance(v, float) for v in numbers):
        return "share"
    if all(isinstance(v, int) for v in numbers) or (
            not any(w in _MEASURE_WORDS for w in words) and all(math.isfinite(float(v)) and float(v).is_integer() for v in numbers)):
        return "count"
    return ""


def print_frame(frame: Any, title: str | None = None, *, columns: Sequence[str] | None = None) -> None:
    """A pandas frame, or a list of dicts (no pandas needed), as a table on stdout (:func:`print_table`).

    Column ids are shown under their heading in the interface language where the catalogue has one (mark
    them ``N_("target_id")`` where the code lists them); ``--json`` and the CSVs keep the ids.
    """
    if isinstance(frame, list):
        cols = list(columns) if columns else list(frame[0]) if frame else []
        rows: list[Sequence[object]] = [[record.get(c) for c in cols] for record in frame]
    else:
        cols = list(columns) if columns else list(frame.columns)
        rows = [tuple(_plain(v) for v in row) for row in frame[cols].itertuples(index=False)]
    kinds = [_column_kind(c, [row[i] for row in rows]) for i, c in enumerate(cols)]
    cells = [[_cell(v, kinds[i]) if kinds[i] != "code" else str(int(v)) if isinstance(v, (int, float)) and v == v else _cell(v)
              for i, v in enumerate(row)] for row in rows]
    # a dash (no value, "— (scored 0)") leaves a column of figures right-aligned
    numeric = [bool(cells) and any(_looks_numeric(r[i]) for r in cells)
               and all(_looks_numeric(r[i]) for r in cells if r[i] and not r[i].startswith("—")) for i in range(len(cols))]
    # a column id marked N_() in the code has a heading in the catalogue; --json and CSV keep the id
    print_table([_(str(c)) for c in cols], cells, title=title, justify=["right" if n else "left" for n in numeric], markup=False)


def _plain(value: object) -> object:
    """A numpy scalar as the Python value (``numpy.int64(3)`` -> ``3``), so cells format alike from frames and lists."""
    item = getattr(value, "item", None)
    return item() if callable(item) and type(value).__module__ == "numpy" else value


def _looks_numeric(text: str) -> bool:
    return bool(text) and text.replace(",", "").replace(".", "", 1).replace("%", "").lstrip("-").isdigit()


_TEXT_WRAP = 32


def _table_width(text: Any) -> int:
    """Columns a cell (a str or rich Text) needs on one line (a Chinese character takes two)."""
    from rich.cells import cell_len

    return max((cell_len(line) for line in str(getattr(text, "plain", text)).splitlines()), default=0)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, title: str | None = None,
                justify: Sequence[str] | None = None, keys: int = 1, console: Any = None, markup: bool = True) -> None:
    """Print a table on stdout that never cuts a figure.

    Every figure keeps its full text on one line (text cells and headers
    wider than 32 columns may wrap). Piped or redirected, the table is printed whole at its own width.
    In a terminal (or with ``COLUMNS`` set) narrower than the table, the columns
    are split into several tables, each repeating the first *keys* columns
    (the id and name), titled "part 1 of 3" and so on: never ``1,5…``.

    Parameters
    ----------
    headers : sequence of str
    rows : sequence of sequences of str
        The cells, already formatted.
    justify : sequence of {"left", "right"}, optional
        Per column; default left.
    keys : int
        Leading columns repeated in every part.
    console : rich.console.Console, optional
        Default: stdout.
    markup : bool
        Cells hold rich markup (``[green]yes[/]``); False for text from files and results, shown as typed.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    justify = list(justify) if justify else ["left"] * len(headers)
    rows = [[Text.from_markup(c) if markup else Text(str(c)) for c in row] for row in rows]
    headers = [Text(str(h)) for h in headers]
    values = [max([_table_width(r[i]) for r in rows] + [1]) for i in range(len(headers))]
    # figures (right-aligned) keep their full width; text may wrap once wider than _TEXT_WRAP columns
    values = [v if j == "right" else min(v, _TEXT_WRAP) for v, j in zip(values, justify)]
    heads = [min(_table_width(h), max(v, _TEXT_WRAP)) for h, v in zip(headers, values)]  # long headers may wrap
    need = [max(v, h) + 3 for v, h in zip(values, heads)]  # padding and the border of each column
    narrow = console is not None or sys.stdout.isatty() or "COLUMNS" in os.environ
    console = console or Console(width=None if narrow else max(sum(need) + 1, 80))
    keys = min(keys, len(headers))
    groups, current, used = [], [], 1 + sum(need[:keys])
    for i in range(keys, len(headers)):
        if current and used + need[i] > console.width:
            groups.append(current)
            current, used = [], 1 + sum(need[:keys])
        current.append(i)
        used += need[i]
    groups.append(current)
    for n, group in enumerate(groups, start=1):
        part = _("(part {n} of {total})").format(n=n, total=len(groups)) if len(groups) > 1 else ""
        heading = " ".join(t for t in (title, part) if t)
        if heading:  # printed as a paragraph: a table's own title is cut when it is wider than the table
            console.print(Text(heading, style="italic"), justify="center" if console.is_terminal else "left")
        table = Table()
        shown = [*range(keys), *group]
        for i in shown:  # figures keep their width; text folds inside its column rather than past the screen's edge
            table.add_column(headers[i], justify=justify[i], no_wrap=False, overflow="fold",
                             min_width=values[i] if justify[i] == "right" else min(values[i], 6))
        for row in rows:
            table.add_row(*(row[i] for i in shown))
        console.print(table)


def print_rejected(rejected: Sequence[dict], *, what: str | None = None) -> None:
    """List rows an analysis left out (``--on-error flag``) on stderr: label and reason, first 20 (*what*: ``row(s)``)."""
    if not rejected:
        return
    what = what or _("row(s)")
    typer.secho(_("{n} {what} left out (--on-error flag):").format(n=len(rejected), what=what), fg=typer.colors.YELLOW, err=True)
    for rec in rejected[:20]:
        typer.echo(f"  {_record_label(rec)}: {rec['reason']}", err=True)
    if len(rejected) > 20:
        typer.echo("  " + _("... and {n} more (all in --json 'rejected' or <out>.rejected.csv)").format(n=len(rejected) - 20), err=True)


def inputs_of(*paths: object) -> list[Path]:
    """The local input files among *paths* (PostGIS URLs and None skipped): outputs must never overwrite them."""
    return [Path(str(p)) for p in paths if p and not str(p).startswith(("postgres", "PG:"))]


def write_output(frame: Any, out: Path | None, *, protect: Sequence[Path] = (), crs: object = None,
                 notes: list[str] | None = None, demo: str | None = None) -> Path | None:
    """Write *frame* to *out* atomically (format by suffix, coordinates in *crs*), refusing to overwrite an input.

    What the format changed (Shapefile field names, cut text, one file per
    geometry kind) and any warning of the writing library go to *notes*, or,
    without it, to the run's notes: never hidden.
    """
    if out is None:
        return None
    from zzgeo.io import write_vector

    found: list[str] = []
    written = write_vector(frame, out, protect=protect, crs=crs, notes=found, demo=demo)
    if notes is None:
        for line in found:
            run_note(line)
    else:
        notes.extend(found)
    return written


def write_rejected(rejected: Sequence[dict], out: Path | None, *, protect: Sequence[Path] = ()) -> Path | None:
    """Write rows left out beside *out* as ``<stem>.rejected.csv`` (nothing when there are none)."""
    if out is None or not rejected:
        return None
    import pandas as pd

    from zzgeo.io import write_vector
    from zzgeo.store import is_postgis, parse_target

    if is_postgis(out):  # beside a PostGIS table: <table>_rejected
        target = parse_target(out)
        return write_vector(pd.DataFrame(list(rejected)), target.dsn, layer=f"{target.schema}.{target.table}_rejected")
    path = Path(out).with_name(f"{Path(out).stem}.rejected.csv")
    return write_vector(pd.DataFrame(list(rejected)), path, protect=protect)


# ----------------------------------------------------------------------------- numeric options


def _base_type(annotation: object) -> object:
    """``float`` of ``Annotated[Optional[float], ...]``; lists give their item type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else str
        elif origin in (list, tuple, Sequence):
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation


def _option_label(name: str, annotation: object) -> str:
    for meta in getattr(annotation, "__metadata__", ()):
        decls = [d for d in getattr(meta, "param_decls", None) or () if str(d).startswith("--")]
        if decls:
            return decls[0]
    return "--" + name.replace("_", "-")


def numeric_parameters(fn: Callable) -> dict[str, str]:
    """``{parameter: option label}`` for the int and float parameters of a command function."""
    hints = typing.get_type_hints(fn, include_extras=True)
    out = {}
    for name in inspect.signature(fn).parameters:
        hint = hints.get(name)
        if hint is not None and _base_type(hint) in (int, float):
            out[name] = _option_label(name, hint)
    return out


def _checked(fn: Callable) -> Callable:
    if getattr(fn, "__zzgeo_checked__", False):
        return fn
    # the numeric options are found when the command runs, not at import (type hints of ~40 commands cost every start);
    # that every numeric option has limits is a test (tests/test_registers_quantities.py)
    numeric = functools.cache(lambda: numeric_parameters(fn))

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from zzgeo.limits import check

        for name, label in numeric().items():
            value = kwargs.get(name)
            if value is not None and not isinstance(value, bool):
                run_note(check(name, float(value), label=label) or "")
        return fn(*args, **kwargs)

    wrapper.__zzgeo_checked__ = True
    return wrapper


def checked_options(app: typer.Typer) -> typer.Typer:
    """Check every numeric option of every command of *app* (and its groups) against ``data/limits.toml``.

    Each command function is wrapped once: before it runs, a non-finite value or
    one outside the hard range raises :class:`~zzgeo.errors.ParameterError`
    naming the option; an implausible one becomes a note of the run.
    """
    for info in app.registered_commands:
        info.callback = _checked(info.callback)
    if app.registered_callback is not None and app.registered_callback.callback is not None:
        app.registered_callback.callback = _checked(app.registered_callback.callback)
    for group in app.registered_groups:
        checked_options(group.typer_instance)
    return app


def parse_pairs(items: Sequence[str] | None, *, option: str, limit_name: str, example: str) -> dict[str, float]:
    """``NAME=VALUE`` options (``--factor 交通条件=0.02``) as a dict; a repeated name, a non-number or a value out
    of range (``data/limits.toml``) is an error naming the option; implausible values are notes."""
    from zzgeo.errors import ParameterError
    from zzgeo.limits import check

    out: dict[str, float] = {}
    for item in items or ():
        name, sep, text = str(item).partition("=")
        name = name.strip()
        try:
            value = float(text)
        except ValueError:
            sep = ""
        if not sep or not name:
            raise ParameterError(_("{option} {item!r}: write NAME=VALUE, e.g. {option} {example}").format(
                option=option, item=item, example=example))
        if name in out:
            raise ParameterError(_("{option} {name}= is given twice ({name}={value} and {item!r}); give each name once").format(
                option=option, name=name, value=f"{out[name]:g}", item=item))
        run_note(check(limit_name, value, label=f"{option} {name}", shown=text.strip()) or "")
        out[name] = value
    return out


# ----------------------------------------------------------------------------- what a command hands back


@dataclass
class Outcome:
    """Rows left out, notes and outputs of one command, reported the same way by every command.

    Parameters
    ----------
    out : Path or str, optional
        The ``--out`` target (checked before any work: never an input, a known format).
    protect : sequence of Path
        The inputs, which no output may overwrite.

    Notes
    -----
    :meth:`register` takes a validated register (or a valuation result) and
    collects its rows left out, its row notes and its file notes (unit
    conversions, the CRS assumed), and the counts of its location check
    (rows naming another district than their coordinates, points near a
    boundary: :func:`zzgeo.registers.location_counts`), which become one line
    of the notes. :meth:`write` writes the main output and, beside it,
    ``<stem>.rejected.csv`` and ``<stem>.notes.csv``; :meth:`json` adds
    ``rejected``, ``row_notes``, ``notes`` and ``location_checks`` to the
    JSON; :meth:`console` prints them on stderr.
    """

    out: Any = None
    protect: list = field(default_factory=list)
    option: str = "--out"
    rejected: list[dict] = field(default_factory=list)
    row_notes: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    location_checks: list[dict] = field(default_factory=list)
    out_crs: Any = None
    demo: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        from zzgeo.io import check_output_path

        self.protect = list(self.protect)
        if self.out_crs is not None:
            from zzgeo.crs import output_crs

            output_crs(self.out_crs)  # a CRS no file can declare is an error before any work
        if self.out is not None:
            check_output_path(self.out, protect=self.protect, option=self.option)
            for side in self._sides():
                check_output_path(side, protect=self.protect, option=self.option)

    def _sides(self) -> list:
        from zzgeo.store import is_postgis

        if self.out is None or is_postgis(self.out):
            return []
        path = Path(self.out)
        return [path.with_name(f"{path.stem}.rejected.csv"), path.with_name(f"{path.stem}.notes.csv")]

    def register(self, frame: Any, *, reasons: str = "issues", warnings: str = "notes", input_name: str | None = None) -> Any:
        """Collect the rows left out, the row notes and the file notes of a validated *frame*; returns *frame*."""
        from zzgeo.registers import (
            location_counts,
            location_summary,
            rejected_rows,
            row_notes,
        )

        source = input_name or frame.attrs.get("source") or ""
        tag = {"input": source} if source else {}
        rejected = rejected_rows(frame, column=reasons)
        self.rejected += [{**tag, **r} for r in rejected]
        left_out = {r["row"] for r in rejected}  # their reasons are listed; their notes would say "used"
        self.row_notes += [{**tag, **r} for r in row_notes(frame, column=warnings) if r["row"] not in left_out]
        self.add_notes(frame.attrs.get("notes", []))
        counts = location_counts(frame)
        if counts is not None:
            self.location_checks.append({**tag, **counts})
            line = location_summary(counts)
            if line:
                self.add_notes([f"{source}: {line}" if source else line])
        return frame

    def location_totals(self) -> dict | None:
        """``{"disagree": n, "near_boundary": k, "boundary_m": 100.0, "inputs": [...]}`` over the registers checked."""
        if not self.location_checks:
            return None
        return {"disagree": sum(c["disagree"] for c in self.location_checks),
                "near_boundary": sum(c["near_boundary"] for c in self.location_checks),
                "boundary_m": max(c["boundary_m"] for c in self.location_checks),
                "inputs": list(self.location_checks)}

    def add_notes(self, lines: Iterable[str]) -> None:
        """File- or analysis-level notes (each kept once)."""
        for line in lines:
            if line and line not in self.notes:
                self.notes.append(str(line))

    def all_notes(self) -> list[str]:
        return list(dict.fromkeys([*self.notes, *_RUN_NOTES]))

    def write(self, frame: Any, out: Any = None, *, demo: str | Sequence[str] | None = None) -> Any:
        """Write *frame* to *out* (default: ``--out``) atomically, then the rejected rows and notes beside it.

        *demo* names the demo inputs the figures rest on (``"the facility register"``): the file then carries
        the DEMO mark inside (:func:`zzgeo.io.demo_label`).
        """
        for item in [demo] if isinstance(demo, str) else list(demo or ()):
            if item and item not in self.demo:
                self.demo.append(item)
        target = self.out if out is None else out
        if target is None:
            return None
        from zzgeo.io import demo_label

        found: list[str] = []
        written = write_output(frame, target, protect=self.protect, crs=self.out_crs, notes=found,
                               demo=demo_label(demo) if demo else None)
        self.add_notes(found)
        if out is None or out == self.out:
            write_rejected(self.rejected, target, protect=self.protect)
            write_notes(self.all_notes(), self.row_notes, target, protect=self.protect)
        return written

    def json(self, data: dict, *, demo: str | Sequence[str] | None = None) -> None:
        """Print *data* as JSON with ``rejected``, ``row_notes`` and ``notes`` added (the row notes also as lines
        of ``notes``, ``"r.csv line 3 (小公园): ..."``, so every warning is in one list), and ``location_checks``
        (see :meth:`location_totals`) when a register was checked against the map.

        The demo inputs (*demo*, default: those :meth:`write` was given) get a DEMO notice on stderr at the end
        of the run unless the command shows one itself (:func:`demo_in_json`)."""
        demo_in_json(self.demo if demo is None else demo)
        lines = [f"{_record_label(r)}: {r['note']}" for r in self.row_notes]
        totals = self.location_totals()
        echo_json({**data, "rejected": self.rejected, "row_notes": self.row_notes,
                   **({"location_checks": totals} if totals is not None else {}),
                   "notes": list(dict.fromkeys([*(data.get("notes") or []), *self.all_notes(), *lines]))})

    def console(self, *, what: str | None = None) -> None:
        """The notes, the rows left out and the rows with notes, on stderr."""
        notes(self.all_notes())
        print_rejected(self.rejected, what=what)
        print_row_notes(self.row_notes)


def print_row_notes(records: Sequence[dict], *, shown: int = 10) -> None:
    """Rows with a warning, on stderr: label and note, the first *shown*."""
    if not records:
        return
    typer.secho(_("{n} row(s) with a warning (kept and used):").format(n=len(records)), fg=typer.colors.YELLOW, err=True)
    for rec in records[:shown]:
        typer.echo(f"  {_record_label(rec)}: {rec['note']}", err=True)
    if len(records) > shown:
        typer.echo("  " + _("... and {n} more (all in --json 'row_notes' and <out>.notes.csv)").format(n=len(records) - shown), err=True)


def _record_label(rec: dict) -> str:
    """``r.csv line 4 (id 'S1', 人民公园)``: the input, where the row is, its id and name."""
    where = f"{rec['input']} " if rec.get("input") else ""
    extra = [_("id {id!r}").format(id=str(rec["id"]))] if rec.get("id") is not None else []
    extra += [str(rec["name"])] if rec.get("name") else []
    return f"{where}{rec.get('row')}" + (_(" ({items})").format(items=_(", ").join(extra)) if extra else "")


def write_notes(file_notes: Sequence[str], row_records: Sequence[dict], out: Any, *, protect: Sequence[Path] = ()) -> Any:
    """Write the notes of a run beside *out* as ``<stem>.notes.csv`` (nothing when there are none)."""
    if out is None or not (file_notes or row_records):
        return None
    import pandas as pd

    from zzgeo.io import write_vector
    from zzgeo.store import is_postgis, parse_target

    rows = [{"input": "", "row": "", "id": "", "name": "", "note": n} for n in file_notes]
    rows += [{"input": r.get("input", ""), "row": r.get("row", ""), "id": r.get("id", ""), "name": r.get("name", ""),
              "note": r["note"]} for r in row_records]
    table = pd.DataFrame(rows, columns=["input", "row", "id", "name", "note"])
    if is_postgis(out):
        target = parse_target(out)
        return write_vector(table, target.dsn, layer=f"{target.schema}.{target.table}_notes")
    path = Path(out).with_name(f"{Path(out).stem}.notes.csv")
    return write_vector(table, path, protect=protect)


# ----------------------------------------------------------------------------- entry point


def _warning_lines(caught: Sequence[warnings.WarningMessage]) -> list[str]:
    return [f"{w.category.__name__} from {Path(w.filename).parent.name}: {str(w.message).splitlines()[0]}" for w in caught]


def run(app: typer.Typer, argv: Sequence[str] | None = None) -> int:
    """Run *app*; return the exit code. Errors become one ``error:`` line on stderr (see module notes)."""
    debug = bool(os.environ.get("ZZGEO_DEBUG"))
    _RUN_NOTES.clear()
    _SHOWN.clear()
    _DEMO_SHOWN.clear()
    _DEMO_PENDING.clear()
    saved = {name: os.environ.get(name) for name in ("ZZGEO_STORE", "ZZGEO_LANG")}  # --store, --lang: this run only
    try:
        return _run(app, argv, debug)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def cli_command(app: typer.Typer) -> Any:
    """The click command of *app* with every help text (commands, options, panel titles) in the interface language.

    The help texts are the message ids of the catalogue (:mod:`zzgeo.i18n`); :func:`help_messages` lists them.
    """
    from zzgeo.i18n import language

    import typer.rich_utils as rich_utils
    from rich.markup import escape

    command = typer.main.get_command(app)
    rich_utils.ARGUMENTS_PANEL_TITLE, rich_utils.OPTIONS_PANEL_TITLE = _("Arguments"), _("Options")  # English: themselves
    rich_utils.COMMANDS_PANEL_TITLE, rich_utils.ERRORS_PANEL_TITLE = _("Commands"), _("Error")
    rich_utils.DEFAULT_STRING, rich_utils.REQUIRED_LONG_STRING = _("[default: {}]"), _("[required]")
    _fold_help_text(rich_utils)
    for cmd in _walk(command):  # help is rich markup to typer: "[units]" is shown as typed, not read as a style
        cmd.help = escape(_(cmd.help)) if cmd.help else cmd.help
        cmd.short_help = escape(_(cmd.short_help)) if cmd.short_help else cmd.short_help
        for param in cmd.params:
            if getattr(param, "help", None):
                param.help = escape(_(param.help))
            _usage_name(param)
        if language() != "en":
            _localise_usage(cmd)
    return command


def _usage_name(param: Any) -> None:
    """An argument in the usage line as ``THEME`` (``[THEME]`` when optional), as click writes it: typer writes a
    required one as ``{theme}``, which reads as a placeholder nobody filled in."""
    if getattr(param, "param_type_name", "") != "argument" or getattr(param, "metavar", None) is not None:
        return
    name = str(param.name).upper()
    shown = (name if param.required else f"[{name}]") + ("..." if param.nargs != 1 else "")
    param.get_usage_pieces = lambda ctx: [shown]  # the usage line's piece (typer 0.28 and later)
    if hasattr(param, "_usage_display_name"):  # typer 0.29 also shows it elsewhere by this
        param._usage_display_name = lambda: shown


def _localise_usage(cmd: Any) -> None:
    """The ``Usage:`` line and the ``--help`` option's help of *cmd* in the interface language (click writes
    them in English; the instance's methods are wrapped, click itself is not changed)."""
    help_option = cmd.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = help_option(ctx)
        if option is not None and option.help:
            option.help = _(option.help)
        return option

    def format_usage(ctx: Any, formatter: Any) -> None:
        formatter.write_usage(ctx.command_path, " ".join(cmd.collect_usage_pieces(ctx)), prefix=_("Usage: "))

    cmd.get_help_option, cmd.format_usage = get_help_option, format_usage


def _fold_help_text(rich_utils: Any) -> None:
    """Help text that folds a long run without spaces (Chinese) onto the next line instead of cutting it with "…"."""
    make = getattr(rich_utils, "_make_rich_text", None)
    if make is None or getattr(make, "_zzgeo_fold", False):
        return

    def folding(*args: Any, **kwargs: Any) -> Any:
        text = make(*args, **kwargs)
        if hasattr(text, "overflow"):
            text.overflow = "fold"
        return text

    folding._zzgeo_fold = True  # type: ignore[attr-defined]
    rich_utils._make_rich_text = folding


def _walk(command: Any) -> Iterator[Any]:
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _walk(sub)


def help_messages(app: typer.Typer) -> list[str]:
    """Every help text of the command line (command help, option help, panel titles): the catalogue's CLI part."""
    command = typer.main.get_command(app)
    found = ["Arguments", "Options", "Commands", "Error", "[default: {}]", "[required]", "Usage: ", "Show this message and exit."]
    for cmd in _walk(command):
        found += [t for t in (cmd.help, cmd.short_help) if t]
        found += [p.help for p in cmd.params if getattr(p, "help", None)]
    return list(dict.fromkeys(found))


def _run(app: typer.Typer, argv: Sequence[str] | None, debug: bool) -> int:
    from zzgeo.errors import ZzgeoError
    from zzgeo.i18n import language_from_argv, set_language

    args = list(argv) if argv is not None else sys.argv[1:]
    try:
        chosen = language_from_argv(args)
        set_language(chosen)  # before the help texts are made; zh or en, else an error
        if chosen:
            os.environ["ZZGEO_LANG"] = chosen  # worker processes (Dask, Chromium helpers) speak it too
        command = cli_command(app)
    except ZzgeoError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        return 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            returned = command.main(args=args, standalone_mode=False, prog_name="zzgeo")
            # typer 0.29 answers Ctrl-C (and a typer.Exit raised in a command) by returning the exit code, 130, instead
            # of raising: read as 0, an interrupted report exited 0 and said nothing. The commands return None
            code = returned if type(returned) is int else 0
            if code == 130:
                raise KeyboardInterrupt
        except (ZzgeoError, FileNotFoundError) as exc:
            typer.secho(f"error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", fg=typer.colors.RED, err=True)
            return 2
        except typer.Exit as exc:
            code = exc.exit_code
        except typer.Abort:
            typer.secho("error: " + _("aborted"), fg=typer.colors.RED, err=True)
            return 130
        except KeyboardInterrupt:
            typer.secho("error: " + _("interrupted"), fg=typer.colors.RED, err=True)
            return 130
        except Exception as exc:  # a click usage error, or a bug
            return _unexpected(exc, debug, args)
    if code == 0:
        notes(_RUN_NOTES)  # the notes no command printed (each is shown once)
        _pending_demo_notice()  # a --json result resting on demo data, when the command said nothing of it
    if code == 0 and caught and debug:
        notes(_warning_lines(caught))
    return code


def _given(exc: Exception, argv: Sequence[str]) -> str:
    """The value the user gave the option a usage error is about (``--width inf`` -> ``" (given 'inf')"``)."""
    opts = getattr(getattr(exc, "param", None), "opts", None) or []
    for i, arg in enumerate(argv):
        for opt in opts:
            if arg == opt and i + 1 < len(argv):
                return _(" (given {value!r})").format(value=argv[i + 1])
            if arg.startswith(f"{opt}="):
                return _(" (given {value!r})").format(value=arg.split("=", 1)[1])
    return ""


#: Click's usage errors, which click writes in English, as message ids of the catalogue: matched against the
#: English text and said again in the interface language (a text that matches none stays as click wrote it).
_USAGE_ERRORS = (
    N_("No such option: {option} (Possible options: {options})"),
    N_("No such option: {option}"),
    N_("No such command {name}. Did you mean {suggestion}?"),
    N_("No such command {name}."),
    N_("Missing option {name}."),
    N_("Missing argument {name}."),
    N_("Missing parameter: {name}"),
    N_("Option {option} requires an argument."),
    N_("Option {option} requires {n} arguments."),
    N_("Option {option} does not take a value."),
    N_("Got unexpected extra argument(s) ({args})"),
    N_("Got unexpected extra argument ({args})"),
    N_("Got unexpected extra arguments ({args})"),
    N_("Invalid value for {name}: {reason}"),
    N_("Invalid value: {reason}"),
    N_("{value} is not one of {choices}."),
    N_("{value} is not a valid {kind}."),
    N_("{value} is not in the range {bounds}."),
    N_("File {value} does not exist."),
    N_("Directory {value} does not exist."),
    N_("Path {value} does not exist."),
)


@functools.lru_cache(maxsize=1)
def _usage_patterns() -> list[tuple[Any, str]]:
    import re

    def pattern(message: str) -> Any:
        parts = re.split(r"\{(\w+)\}", message)
        body = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        return re.compile(f"^{body}$")

    return [(pattern(m), m) for m in _USAGE_ERRORS]


def usage_message(message: str) -> str:
    """A click usage error's *message* in the interface language (the reason inside is translated too).

    >>> from zzgeo.i18n import set_language
    >>> set_language("en"); usage_message("Missing option '--lon'.")
    "Missing option '--lon'."
    >>> set_language("zh"); usage_message("Invalid value for '--width': 'inf' is not a valid float.")
    "'--width' 的值无效：'inf' 不是有效的 float。"
    >>> set_language(None)
    """
    from zzgeo.i18n import language

    if language() == "en":
        return message
    for pattern, msgid in _usage_patterns():
        found = pattern.match(message)
        if found:
            fields = found.groupdict()
            if "reason" in fields:
                fields["reason"] = usage_message(fields["reason"])
            return _(msgid).format(**fields)
    return message


def _unexpected(exc: Exception, debug: bool, argv: Sequence[str] = ()) -> int:
    from typer.exceptions import TyperException

    if isinstance(exc, TyperException) and hasattr(exc, "show"):  # click's usage errors, as typer vendors them
        if type(exc).__name__ == "NoArgsIsHelpError":  # the help was printed: as `zzgeo` alone
            return 0
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        command = getattr(getattr(exc, "ctx", None), "command_path", "zzgeo")
        see = _(" (see {command} --help)").format(command=command)
        typer.secho(f"error: {usage_message(' '.join(message.split()))}{_given(exc, argv)}{see}", fg=typer.colors.RED, err=True)
        return int(getattr(exc, "exit_code", 2))
    if debug:
        raise exc
    where = exc.__traceback__
    while where is not None and where.tb_next is not None:
        where = where.tb_next
    at = f" at {Path(where.tb_frame.f_code.co_filename).name}:{where.tb_lineno}" if where else ""
    what = f"{type(exc).__name__}{at}: {str(exc).splitlines()[0] if str(exc) else ''}"
    typer.secho("error: " + _("internal error ({what}); please report it; ZZGEO_DEBUG=1 shows the traceback").format(what=what),
                fg=typer.colors.RED, err=True)
    return 1


def main_for(app: typer.Typer) -> None:
    """Console entry point for *app*: run it and exit with its code."""
    sys.exit(run(app))
