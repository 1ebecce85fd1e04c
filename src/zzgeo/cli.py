"""The ``zzgeo`` command line: mounts the command groups of the base and of every theme.

Shared options, JSON output, notes and the turning of errors into exit codes
live in :mod:`zzgeo._cli`; each theme's commands live in its ``cli.py``.
Heavy libraries are imported inside the commands, so ``zzgeo --help`` starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from zzgeo._cli import checked_options, run
from zzgeo.base_cli import districts_cmd, layers_app, map_cmd, policy_app, report_cmd, score_cmd
from zzgeo.children.cli import app as children_app
from zzgeo.groundwater.cli import app as groundwater_app
from zzgeo.landprice.cli import app as landprice_app
from zzgeo.shelters.cli import app as shelters_app

__all__ = ["app", "main"]

app = typer.Typer(
    help="zzgeo: planning and siting toolkit for Zhengzhou (郑州): land benchmark prices, shelters, groundwater, child-friendly city, district layers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _show_version(value: bool) -> None:
    if value:
        from zzgeo import __version__

        typer.echo(f"zzgeo {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", help="Print zzgeo's version and exit.", callback=_show_version, is_eager=True)] = False,
    store: Annotated[Optional[str], typer.Option("--store", help="Layer store for this run: a GeoPackage or a PostGIS database postgresql://user@host:port/db, optionally #schema (same as ZZGEO_STORE).")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="Interface language: zh (中文) or en (English); default from the locale (LANG=zh_CN.UTF-8 gives Chinese) or ZZGEO_LANG.")] = None,
) -> None:
    """zzgeo: planning and siting toolkit for Zhengzhou."""
    if lang is not None:
        from zzgeo.i18n import set_language

        set_language(lang)
    if store:
        import os

        os.environ["ZZGEO_STORE"] = store


app.add_typer(layers_app, name="layers")
app.add_typer(policy_app, name="policy")
app.command("districts")(districts_cmd)
app.add_typer(landprice_app, name="land-price")
app.add_typer(shelters_app, name="shelters")
app.add_typer(groundwater_app, name="groundwater")
app.add_typer(children_app, name="children")
app.command("score")(score_cmd)
app.command("map")(map_cmd)
app.command("report")(report_cmd)


@app.command("demo")
def demo_cmd(
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Where to write the demo outputs.")] = Path("out"),
) -> None:
    """The main job on the shipped default data: build layers, look up and value demo parcels, map them."""
    from zzgeo.demo import run_demo

    for line in run_demo(out_dir):
        typer.echo(line)


@app.command("template")
def template_cmd(
    kind: Annotated[str, typer.Argument(help="shelters, candidates, parcels, facilities, sources, wells or units.")],
    out: Annotated[Path | None, typer.Option("--out", help="The .xlsx to write (default: KIND_template.xlsx, with --lang en KIND_template_en.xlsx, in this folder); an existing file is kept unless --force.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh (Chinese headers and lists) or en.")] = "zh",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file (a filled template would be lost).")] = False,
    check: Annotated[Path | None, typer.Option("--check", help="Instead: read a filled template back strictly (a header that differs from the template's, another unit too, is an error) and report its rows.")] = None,
    crs: Annotated[str, typer.Option("--crs", help="With --check: what the coordinates are (wgs84, gcj02, bd09, cgcs2000 or an EPSG code).")] = "wgs84",
    on_error: Annotated[str, typer.Option("--on-error", help="With --check: raise (as every command does by default): stop at bad rows and name them, exit 2; flag: list them and exit 0.")] = "raise",
) -> None:
    """Write the Excel template of a register for an office to fill in: register sheet, read-me, example, drop-down lists."""
    from zzgeo.i18n import _
    from zzgeo.registers.template import (
        default_template_name,
        read_template,
        write_template,
    )

    if check is not None:
        from zzgeo._cli import Outcome

        frame = read_template(check, kind, crs=crs, on_error=on_error)
        outcome = Outcome()
        outcome.register(frame, input_name=str(check))
        typer.echo(_("{file}: {n} row(s), {valid} valid").format(file=check, n=len(frame), valid=int(frame["valid"].sum())))
        outcome.console(what=_("template row(s)"))
        return
    path = write_template(kind, out or Path(default_template_name(kind, lang)), lang=lang, overwrite=force)
    typer.echo(_("wrote {path}").format(path=path))


@app.command("serve")
def serve_cmd(
    store: Annotated[Optional[str], typer.Option("--store", help="Layer store every request reads: a GeoPackage or postgresql://user@host:port/db, optionally #schema (default: ZZGEO_STORE, else the shipped GeoPackage).")] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for the office network, better behind a reverse proxy).")] = "127.0.0.1",
    port: Annotated[str, typer.Option("--port", help="Port to listen on, 1 to 65535.")] = "8000",
    token: Annotated[Optional[str], typer.Option("--token", envvar="ZZGEO_SERVE_TOKEN", help="Access token every request must carry (or ZZGEO_SERVE_TOKEN); default: none.")] = None,
) -> None:
    """The office web app: land price on a map, registers checked and analysed, the report; JSON API at /api/docs."""
    import os

    from zzgeo.errors import ParameterError
    from zzgeo.extras import available, require

    if not port.isdigit() or not 0 < int(port) < 65536:
        from zzgeo.i18n import _

        raise ParameterError(_("--port {port!r}: give a port number from 1 to 65535, e.g. 8000").format(port=port))

    for module in ("fastapi", "uvicorn", *(() if available("python_multipart") else ("multipart",))):
        require(module, extra="web", purpose="zzgeo serve")
    from zzgeo.web import serve

    typer.echo(f"zzgeo serve: http://{host}:{port}/", err=True)
    if not token and host not in ("127.0.0.1", "localhost", "::1"):
        from zzgeo._cli import note
        from zzgeo.i18n import _

        note(_("listening on {host} without --token: anyone who reaches this port can use the app").format(host=host))
    serve(store=store or os.environ.get("ZZGEO_STORE") or None, host=host, port=int(port), token=token)


checked_options(app)  # every numeric option against data/limits.toml, before any command runs


def main() -> None:
    """Console entry point: run the app; bad input exits 2 with one ``error:`` line."""
    import sys

    sys.exit(run(app))


if __name__ == "__main__":  # pragma: no cover
    main()
