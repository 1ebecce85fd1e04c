"""The ``zzgeo`` command line: a thin layer over the library.

Only :func:`main` turns zzgeo's exceptions into a message on stderr and exit
code 2. Heavy libraries are imported inside the commands, so ``zzgeo --help``
starts fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    help="zzgeo: planning and siting toolkit for Zhengzhou (郑州): land benchmark prices, shelters, district layers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
layers_app = typer.Typer(help="The embedded layer store (layers/zzgeo.gpkg) and its provenance.", no_args_is_help=True)
policy_app = typer.Typer(help="Status of municipal normative documents (郑政〔2022〕6号 register and later acts).", no_args_is_help=True)
land_app = typer.Typer(help="Benchmark land prices of 郑政文〔2022〕42号: tables, lookup, valuation.", no_args_is_help=True)
app.add_typer(layers_app, name="layers")
app.add_typer(policy_app, name="policy")
app.add_typer(land_app, name="land-price")
try:  # the shelters sub-app imports only typer at module level
    from zzgeo.shelters.cli import app as shelters_app
except ModuleNotFoundError:  # pragma: no cover - during development of the shelters package
    shelters_app = None
if shelters_app is not None:
    app.add_typer(shelters_app, name="shelters")

CrsOption = Annotated[str, typer.Option("--crs", help="Input coordinates: wgs84, cgcs2000, gcj02, bd09 or an EPSG code.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _json_safe(data: object) -> object:
    """NaN and infinity (a dash cell, an unlimited term) have no JSON form: write null."""
    if isinstance(data, float) and (data != data or data in (float("inf"), float("-inf"))):
        return None
    if isinstance(data, dict):
        return {k: _json_safe(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_json_safe(v) for v in data]
    return data


def _echo_json(data: object) -> None:
    typer.echo(json.dumps(_json_safe(data), ensure_ascii=False, indent=2, default=str, allow_nan=False))


def _console():
    from rich.console import Console

    return Console()


def _print_frame(frame, title: str | None = None) -> None:
    from rich.table import Table

    table = Table(title=title)
    for col in frame.columns:
        table.add_column(str(col))
    for row in frame.itertuples(index=False):
        table.add_row(*("" if v is None else (f"{v:,.2f}" if isinstance(v, float) else str(v)) for v in row))
    _console().print(table)


# ----------------------------------------------------------------------------- layers
@layers_app.command("build")
def layers_build(
    store: Annotated[Optional[Path], typer.Option(help="GeoPackage to write (default: layers/zzgeo.gpkg).")] = None,
) -> None:
    """Build every default layer from the installed packages and data files."""
    from zzgeo.layers import build_store, list_layers

    path = build_store(store)
    typer.echo(f"built {path}")
    _print_frame(list_layers(path)[["layer", "kind", "features", "built", "title"]])


@layers_app.command("list")
def layers_list(
    store: Annotated[Optional[Path], typer.Option(help="GeoPackage store.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the layers with their provenance (source, licence, real or demo, date)."""
    from zzgeo.layers import list_layers

    frame = list_layers(store)
    if as_json:
        _echo_json(frame.to_dict("records"))
    else:
        _print_frame(frame[["layer", "kind", "features", "built", "title", "source", "licence"]])


# ----------------------------------------------------------------------------- policy
@policy_app.command("status")
def policy_status(
    doc_number: Annotated[str, typer.Argument(help="Document number, e.g. 郑政文〔2011〕244号 (brackets [] () accepted).")],
    as_json: JsonOption = False,
) -> None:
    """Report a document's status: valid, to be revised or abolished, and by what."""
    from zzgeo.policy import status

    st = status(doc_number)
    if as_json:
        _echo_json(st.to_dict())
        return
    typer.echo(f"{st.doc_number}  {st.title}")
    typer.echo(f"status: {st.status} (as of {st.as_of})")
    if st.register_status:
        typer.echo(f"in 郑政〔2022〕6号 annex {st.register_annex}, no. {st.register_seq}: {st.register_status}")
    for ev in st.events:
        typer.echo(f"{ev.date}: {ev.event} by {ev.by_doc_number}: {ev.quote}")
    if st.note:
        typer.echo(f"note: {st.note}")


# ----------------------------------------------------------------------------- land price
@land_app.command("table")
def land_table(
    table: Annotated[Optional[str], typer.Option(help="collective_construction, collective_agricultural or state_agricultural.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Print the benchmark price tables of 郑政文〔2022〕42号 exactly as published."""
    from zzgeo.landprice.rules import DOC_NUMBER, _table, document, price_table

    frame = price_table()
    if table:
        _table(table)  # validates the name
        frame = frame[frame["table"] == table]
    if as_json:
        _echo_json({"document": document(), "rows": frame.to_dict("records")})
        return
    doc = document()
    for name, sub in frame.groupby("table", sort=False):
        wide = sub.pivot_table(index=["use_zh", "right_zh"], columns="grade", values="cell", aggfunc="first", sort=False)
        wide.columns = [f"{g}级" for g in wide.columns]
        wide = wide.reset_index().fillna("")
        _print_frame(wide, title=f"{name} — {DOC_NUMBER}, {doc['unit']}, 基准日 {doc['base_date']}")


@land_app.command("lookup")
def land_lookup(
    lon: Annotated[float, typer.Option(help="Longitude (or easting for a projected --crs).")],
    lat: Annotated[float, typer.Option(help="Latitude (or northing).")],
    crs: CrsOption = "wgs84",
    zones: Annotated[Optional[Path], typer.Option(help="Real grade zones (GeoPackage/Shapefile/GeoJSON) instead of the demo layer.")] = None,
    as_json: JsonOption = False,
) -> None:
    """District, grade and benchmark price of every table, use and right at a point."""
    from zzgeo.landprice.lookup import lookup_point
    from zzgeo.landprice.zones import load_grade_zones

    result = lookup_point(lon, lat, crs=crs, zones=load_grade_zones(zones) if zones else None)
    if as_json:
        _echo_json(result)
        return
    loc = result["location"]
    typer.echo(f"{result['district']['name']} ({result['district']['adcode']})  WGS-84 {loc['lon']:.6f}, {loc['lat']:.6f}")
    typer.echo(f"{result['doc_number']}, {result['unit']}, base date {result['base_date']}")
    if result["zones_demo"]:
        typer.secho(f"DEMO: {result['zones_note']}", fg=typer.colors.YELLOW, err=True)
    import pandas as pd

    rows = [
        {
            "table": t["table"],
            "use": f"{u['use_zh']} ({u['use']})",
            "grade": u["grade"],
            "form": u["price_form"],
            "right": p["right_zh"],
            "元/m²": p["price_yuan_m2"] if p["price_yuan_m2"] is not None else "— (no such grade)",
            "元/亩": p["price_yuan_mu"] if p["price_yuan_mu"] is not None else "",
        }
        for t in result["tables"]
        for u in t["uses"]
        for p in u["prices"]
    ]
    _print_frame(pd.DataFrame(rows))


def _parse_factors(factors: list[str]) -> dict[str, float]:
    from zzgeo.errors import SchemaError

    out = {}
    for item in factors:
        name, sep, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise SchemaError(f"--factor {item!r}: write NAME=VALUE, e.g. --factor 交通条件=0.02")
    return out


@land_app.command("value")
def land_value(
    parcels: Annotated[Path, typer.Argument(help="Parcels: GeoPackage, GeoJSON, Shapefile, or CSV/Excel with lon/lat columns.")],
    out: Annotated[Path, typer.Option("--out", help="Output file (.gpkg, .geojson, .shp, .csv, .xlsx); never an input.")],
    table: Annotated[Optional[str], typer.Option(help="Table for rows without a table column.")] = None,
    use: Annotated[Optional[str], typer.Option(help="Use for rows without a use column, e.g. commercial, cultivated.")] = None,
    right: Annotated[Optional[str], typer.Option(help="Right, e.g. contract_management (needed where a use has two).")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="Valuation date YYYY-MM-DD (default: base date 2020-01-01).")] = None,
    crs: Annotated[Optional[str], typer.Option("--crs", help="Coordinates' CRS (required for CSV/Excel): wgs84, cgcs2000, gcj02, bd09, EPSG code.")] = None,
    layer: Annotated[Optional[str], typer.Option(help="Layer of a multi-layer input.")] = None,
    reduction_rate: Annotated[Optional[float], typer.Option("--reduction-rate", help="Land capitalisation rate r (default per use, see docs).")] = None,
    term_years: Annotated[Optional[float], typer.Option("--term-years", help="Years to value, m (default: the benchmark term).")] = None,
    plot_ratio: Annotated[Optional[float], typer.Option("--plot-ratio", help="Parcel plot ratio (default: the benchmark's).")] = None,
    plot_ratio_table: Annotated[Optional[Path], typer.Option("--plot-ratio-table", help="CSV plot_ratio,coefficient[,use].")] = None,
    price_index: Annotated[Optional[str], typer.Option("--price-index", help="DATE=INDEX pairs, e.g. 2020-01-01=100,2024-01-01=93.")] = None,
    monthly_growth: Annotated[Optional[float], typer.Option("--monthly-growth", help="Monthly price growth rate g for K_date=(1+g)^months.")] = None,
    factor: Annotated[Optional[list[str]], typer.Option("--factor", help="Individual factor NAME=VALUE (repeat); ΣK multiplies as (1+ΣK).")] = None,
    development_adj: Annotated[float, typer.Option("--development-adj", help="Development-level adjustment D, 元/m², added last.")] = 0.0,
    zones: Annotated[Optional[Path], typer.Option(help="Real grade zones instead of the demo layer.")] = None,
    id_column: Annotated[Optional[str], typer.Option("--id-column", help="Column naming parcels in messages.")] = None,
    on_error: Annotated[str, typer.Option("--on-error", help="raise: stop and name bad parcels; flag: keep them with an error column.")] = "raise",
) -> None:
    """Value every parcel of a file by the benchmark coefficient correction method."""
    import datetime as dt

    from zzgeo.errors import SchemaError
    from zzgeo.io import read_vector, write_vector
    from zzgeo.landprice.valuation import PlotRatioTable, PriceIndex, ValuationOptions, value_parcels
    from zzgeo.landprice.zones import load_grade_zones

    try:
        valuation_date = dt.date.fromisoformat(date) if date else None
    except ValueError as exc:
        raise SchemaError(f"--date {date!r}: write the valuation date as YYYY-MM-DD, e.g. 2023-06-30") from exc
    options = ValuationOptions(
        valuation_date=valuation_date,
        reduction_rate=reduction_rate,
        term_years=term_years,
        plot_ratio=plot_ratio,
        plot_ratio_table=PlotRatioTable.from_csv(plot_ratio_table, use=use) if plot_ratio_table else None,
        price_index=PriceIndex.parse(price_index) if price_index else None,
        monthly_growth_rate=monthly_growth,
        individual_factors=_parse_factors(factor or []),
        development_adjustment_yuan_m2=development_adj,
    )
    frame = read_vector(parcels, layer=layer, crs=crs)
    result = value_parcels(
        frame,
        table=table,
        use=use,
        right=right,
        options=options,
        zones=load_grade_zones(zones) if zones else None,
        id_column=id_column,
        on_error=on_error,
    )
    write_vector(result, out, protect=[parcels] + ([zones] if zones else []))
    ok = result["error"] == ""
    typer.echo(f"valued {int(ok.sum())} of {len(result)} parcel(s) -> {out}; total {result.loc[ok, 'value_yuan'].sum():,.0f} 元")
    typer.echo(f"order applied: {result['steps'].iloc[0]}")
    if result["zones_demo"].any():
        typer.secho("DEMO: grades come from the demo grade-zone layer, not the official map", fg=typer.colors.YELLOW, err=True)


# ----------------------------------------------------------------------------- districts and demo
@app.command("districts")
def districts_cmd(as_json: JsonOption = False) -> None:
    """The 12 county-level units with area (EPSG:4547) and 2020 census population."""
    from zzgeo.layers import read_layer

    frame = read_layer("districts").drop(columns="geometry")
    if as_json:
        _echo_json(frame.to_dict("records"))
    else:
        _print_frame(frame)


@app.command("demo")
def demo_cmd(
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Where to write the demo outputs.")] = Path("out"),
) -> None:
    """The main job on the shipped default data: build layers, look up and value demo parcels, map them."""
    from zzgeo.demo import run_demo

    for line in run_demo(out_dir):
        typer.echo(line)


def main() -> None:
    """Console entry point: run the app, turning zzgeo errors into exit code 2."""
    from zzgeo.errors import ZzgeoError

    try:
        app()
    except (ZzgeoError, FileNotFoundError) as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
