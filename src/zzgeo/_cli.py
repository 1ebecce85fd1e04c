"""What every command shares: options, JSON output, notes, DEMO notices, rejected rows, exit codes.

Theme command modules (``zzgeo/<theme>/cli.py``) import this module and typer
only, so ``zzgeo --help`` loads no geopandas or pandas. Every command:

* takes the recurring options with the same names and help (``--json``,
  ``--out``, ``--crs``, ``--on-error``, ``--columns``, ``--layer``);
* prints a table, or with ``--json`` exactly one JSON document on stdout
  (strict JSON: NaN and infinity become null);
* prints notes, the DEMO notice and rows left out on stderr, so stdout stays clean;
* writes ``--out`` atomically, never over an input; rows left out of an analysis
  (``--on-error flag``) go beside it as ``<out>.rejected.csv``.

:func:`run` is the one place that turns errors into messages and exit codes:
2 for bad input (any :class:`~zzgeo.errors.ZzgeoError`, a missing file), 1 for
anything else (a bug: one line, the traceback only with ``ZZGEO_DEBUG=1``).
Library warnings never reach the console as Python warnings: they are shown
as ``note:`` lines after a successful command.
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from zzgeo._records import json_safe

__all__ = [
    "JsonOption",
    "OutOption",
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
    "demo_notice",
    "print_frame",
    "print_rejected",
    "write_output",
    "write_rejected",
    "inputs_of",
    "run",
]

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout instead of a table.")]
OutOption = Annotated[Optional[Path], typer.Option("--out", help="Also write the result (.gpkg, .geojson, .shp, .fgb, .csv, .xlsx, or a PostGIS table postgresql://user@host/db#schema.table, replaced in one transaction); never over an input.")]
CrsOption = Annotated[Optional[str], typer.Option("--crs", help="Coordinates of the input: wgs84, cgcs2000, gcj02 (Amap/Tencent), bd09 (Baidu) or an EPSG code. Required for CSV/Excel; a GeoJSON without a crs member is read as WGS-84 unless this says otherwise.")]
OnErrorOption = Annotated[str, typer.Option("--on-error", help="raise: stop and name the bad rows; flag: keep going without them, and list them (console, --json 'rejected', <out>.rejected.csv).")]
ColumnsOption = Annotated[Optional[str], typer.Option("--columns", help="Map your headers to zzgeo's columns, e.g. '场所名称=name,可用面积(㎡)=effective_area_m2' (or JSON).")]
SchedulerOption = Annotated[Optional[str], typer.Option("--scheduler", help="Run on Dask partitions: threads, processes, local[:N] (a LocalCluster) or tcp://host:8786 (a running cluster). Results are the same as without.")]
PartitionsOption = Annotated[Optional[int], typer.Option("--partitions", help="Number of Dask partitions (default: the CPU count).")]
LayerOption = Annotated[Optional[str], typer.Option("--layer", help="GeoPackage layer, or PostGIS table (schema.table) / SELECT.")]


# ----------------------------------------------------------------------------- output


def echo_json(data: object) -> None:
    """Print *data* as strict JSON (UTF-8, indented)."""
    typer.echo(json.dumps(json_safe(data), ensure_ascii=False, indent=2, default=str, allow_nan=False))


def note(text: str) -> None:
    """One ``note:`` line on stderr."""
    typer.secho(f"note: {text}", fg=typer.colors.CYAN, err=True)


def notes(lines: Iterable[str]) -> None:
    """``note:`` lines on stderr, each once."""
    for line in dict.fromkeys(str(x) for x in lines if x):
        note(line)


def demo_notice(what: str) -> None:
    """The DEMO notice on stderr: *what* rests on synthetic demo data, not an official source."""
    typer.secho(f"DEMO: {what}: synthetic demo data, not an official source; figures are illustrative only",
                fg=typer.colors.YELLOW, err=True)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def print_frame(frame: Any, title: str | None = None, *, columns: Sequence[str] | None = None) -> None:
    """A pandas frame as a rich table on stdout."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    cols = list(columns) if columns else list(frame.columns)
    for col in cols:
        table.add_column(str(col))
    for row in frame[cols].itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    Console().print(table)


def print_rejected(rejected: Sequence[dict], *, what: str = "row(s)") -> None:
    """List rows an analysis left out (``--on-error flag``) on stderr: label and reason, first 20."""
    if not rejected:
        return
    typer.secho(f"{len(rejected)} {what} left out (--on-error flag):", fg=typer.colors.YELLOW, err=True)
    for rec in rejected[:20]:
        label = repr(rec["id"]) if rec.get("id") is not None else (rec["row"] if isinstance(rec.get("row"), str) else f"row {rec.get('row')!r}")
        name = f" ({rec['name']})" if rec.get("name") else ""
        typer.echo(f"  {label}{name}: {rec['reason']}", err=True)
    if len(rejected) > 20:
        typer.echo(f"  ... and {len(rejected) - 20} more (all in --json 'rejected' or <out>.rejected.csv)", err=True)


def inputs_of(*paths: object) -> list[Path]:
    """The local input files among *paths* (PostGIS URLs and None skipped): outputs must never overwrite them."""
    return [Path(str(p)) for p in paths if p and not str(p).startswith(("postgres", "PG:"))]


def write_output(frame: Any, out: Path | None, *, protect: Sequence[Path] = ()) -> Path | None:
    """Write *frame* to *out* atomically (format by suffix), refusing to overwrite an input."""
    if out is None:
        return None
    from zzgeo.io import write_vector

    return write_vector(frame, out, protect=protect)


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


# ----------------------------------------------------------------------------- entry point


def _warning_lines(caught: Sequence[warnings.WarningMessage]) -> list[str]:
    return [f"{w.category.__name__} from {Path(w.filename).parent.name}: {str(w.message).splitlines()[0]}" for w in caught]


def run(app: typer.Typer, argv: Sequence[str] | None = None) -> int:
    """Run *app*; return the exit code. Errors become one ``error:`` line on stderr (see module notes)."""
    from zzgeo.errors import ZzgeoError

    debug = bool(os.environ.get("ZZGEO_DEBUG"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            app(args=list(argv) if argv is not None else None, standalone_mode=False)
            code = 0
        except (ZzgeoError, FileNotFoundError) as exc:
            typer.secho(f"error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", fg=typer.colors.RED, err=True)
            return 2
        except typer.Exit as exc:
            code = exc.exit_code
        except typer.Abort:
            typer.secho("error: aborted", fg=typer.colors.RED, err=True)
            return 130
        except KeyboardInterrupt:
            typer.secho("error: interrupted", fg=typer.colors.RED, err=True)
            return 130
        except Exception as exc:  # a click usage error, or a bug
            return _unexpected(exc, debug)
    if code == 0 and caught and debug:
        notes(_warning_lines(caught))
    return code


def _unexpected(exc: Exception, debug: bool) -> int:
    from typer.exceptions import TyperException

    if isinstance(exc, TyperException) and hasattr(exc, "show"):  # click's usage errors, as typer vendors them
        if type(exc).__name__ == "NoArgsIsHelpError":  # the help was printed: as `zzgeo` alone
            return 0
        exc.show()
        return int(getattr(exc, "exit_code", 2))
    if debug:
        raise exc
    where = exc.__traceback__
    while where is not None and where.tb_next is not None:
        where = where.tb_next
    at = f" at {Path(where.tb_frame.f_code.co_filename).name}:{where.tb_lineno}" if where else ""
    typer.secho(f"error: internal error ({type(exc).__name__}{at}: {str(exc).splitlines()[0] if str(exc) else ''}); "
                "please report it; ZZGEO_DEBUG=1 shows the traceback", fg=typer.colors.RED, err=True)
    return 1


def main_for(app: typer.Typer) -> None:
    """Console entry point for *app*: run it and exit with its code."""
    sys.exit(run(app))
