"""``zzgeo land-price``: the tables of 郑政文〔2022〕42号, lookup at a point, valuation of parcels.

A thin layer: each command parses its options, calls one library function and
prints. Only typer and :mod:`zzgeo._cli` are imported at module level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zzgeo._cli import (
    ColumnsOption,
    CrsOption,
    JsonOption,
    LayerOption,
    OnErrorOption,
    OutCrsOption,
    Outcome,
    PartitionsOption,
    SchedulerOption,
    demo_notice,
    echo_json,
    inputs_of,
    parse_pairs,
    print_frame,
    run_note,
)

from zzgeo.i18n import N_, _

app = typer.Typer(help="Benchmark land prices of 郑政文〔2022〕42号 (or your own table, --price-table): tables, lookup, valuation.",
                  no_args_is_help=True)

ZonesOption = Annotated[Path | None, typer.Option("--zones", help="Real grade zones (GeoPackage/Shapefile/GeoJSON/PostGIS) instead of the DEMO layer.")]
PriceTableOption = Annotated[Path | None, typer.Option(
    "--price-table", help="Your own benchmark price table (CSV/Excel one row per use x grade, or TOML in the shipped shape), "
    "e.g. 郑政文〔2019〕49号's urban table: template in data/landprice/templates/urban_2019_49.csv.")]


def _price_table(path: Path | None):
    """The valuer's table, read and checked before any other work (None: the shipped tables)."""
    if path is None:
        return None
    from zzgeo.landprice.valuer_table import load_price_table

    return load_price_table(path)


def _table_notice(tables) -> None:
    """Say where the prices come from when they are the valuer's, and that DEMO figures are not real."""
    if tables is None:
        return
    run_note(_("benchmark prices of {document} from your table {source}").format(document=tables.doc_number, source=tables.source))
    if tables.demo:
        demo_notice(_("the price table {document} (fictional figures)").format(document=tables.doc_number))


@app.command("table")
def table_cmd(
    table: Annotated[str | None, typer.Option(help="collective_construction, collective_agricultural or state_agricultural.")] = None,
    price_table_file: PriceTableOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the benchmark price tables of 郑政文〔2022〕42号 exactly as published (or your own, --price-table)."""
    from zzgeo.landprice.rules import (
        _table,
        doc_number,
        document,
        price_table,
        using_price_tables,
    )
    from zzgeo.landprice.valuer_table import grade_name, shown_table

    tables = _price_table(price_table_file)
    with using_price_tables(tables):
        frame = price_table()
        if table:
            _table(table)  # validates the name
            frame = frame[frame["table"] == table]
        doc, number = document(), doc_number()
    if as_json:
        echo_json({"document": doc, "rows": frame.to_dict("records")})
        _table_notice(tables)  # on stderr: stdout stays one JSON document
        return
    for name, sub in frame.groupby("table", sort=False):
        wide = sub.pivot_table(index=[N_("use_zh"), N_("right_zh")], columns="grade", values="cell", aggfunc="first", sort=False)
        wide.columns = [f"{g}级" if tables is None else grade_name(g) for g in wide.columns]
        # a valuer's table under the names the valuer typed, the shipped ones under their Chinese names in Chinese (ids: --json)
        title = shown_table(name, shipped=tables is None)
        print_frame(wide.reset_index().fillna(""), title=_("{table} — {document}, {unit}, 基准日 {date}").format(
            table=title, document=number, unit=doc["unit"], date=doc["base_date"]))
    _table_notice(tables)


@app.command("lookup")
def lookup_cmd(
    lon: Annotated[str, typer.Option(help="Longitude (or easting for a projected --crs).")],
    lat: Annotated[str, typer.Option(help="Latitude (or northing).")],
    crs: CrsOption = "wgs84",
    zones: ZonesOption = None,
    price_table_file: PriceTableOption = None,
    as_json: JsonOption = False,
) -> None:
    """District, grade and benchmark price of every table, use and right at a point."""
    from zzgeo.landprice.lookup import lookup_point
    from zzgeo.landprice.valuer_table import shown_table

    tables = _price_table(price_table_file)
    if zones:
        from zzgeo.landprice.zones import load_grade_zones

        result = lookup_point(lon, lat, crs=crs or "wgs84", zones=load_grade_zones(zones, price_table=tables), price_table=tables)
    else:  # the store's zones: the one-point path, without pandas
        result = lookup_point(lon, lat, crs=crs or "wgs84", price_table=tables)
    if as_json:
        echo_json(result)
        _lookup_notices(result, tables)  # on stderr: stdout stays one JSON document
        return
    loc = result["location"]
    typer.echo(f"{result['district']['name']} ({result['district']['adcode']})  WGS-84 {loc['lon']:.6f}, {loc['lat']:.6f}")
    typer.echo(_("{document}, {unit}, base date {date}").format(document=result["doc_number"], unit=result["unit"], date=result["base_date"]))
    none, forms = _("— (no such grade)"), {"floor": _(N_("floor")), "ground": _(N_("ground"))}  # ids in --json
    rows = [
        {N_("table"): shown_table(t["table"], shipped=True), N_("use"): f"{u['use_zh']} ({u['use']})", N_("grade"): u["grade"],
         N_("form"): forms.get(u["price_form"], u["price_form"]),
         N_("right"): p["right_zh"], "元/m²": p["price_yuan_m2"] if p["price_yuan_m2"] is not None else none,
         "元/亩": p["price_yuan_mu"] if p["price_yuan_mu"] is not None else ""}
        for t in result["tables"] for u in t["uses"] for p in u["prices"]
    ]
    print_frame(rows)
    _lookup_notices(result, tables)


def _grade_zones_notice(document: str, *, parcels: bool = False) -> str:
    """The DEMO notice of the grade zones: what is demo (the zones, so the grade found and the price picked by it)
    and what is real (the prices of *document*), in one sentence."""
    if parcels:
        return _("the grade zones are synthetic demo data, not the official grade map, so each parcel's grade and the "
                 "benchmark price and value that follow from it are illustrative only; the benchmark prices themselves "
                 "are those of {document}").format(document=document)
    return _("the grade zones are synthetic demo data, not the official grade map, so the grade found here and the "
             "benchmark price picked by it are illustrative only; the benchmark prices themselves are those of "
             "{document}").format(document=document)


def _lookup_notices(result: dict, tables) -> None:
    if result["zones_demo"]:
        demo_notice(text=_grade_zones_notice(result["doc_number"]))
    _table_notice(tables)


def _options(date, reduction_rate, term_years, plot_ratio, plot_ratio_table, use, price_index, monthly_growth, factor,
             development_adj, steps):
    import datetime as dt

    from zzgeo.errors import SchemaError
    from zzgeo.landprice.valuation import PlotRatioTable, PriceIndex, ValuationOptions

    try:
        valuation_date = dt.date.fromisoformat(date) if date else None
    except ValueError as exc:
        raise SchemaError(_("--date {date!r}: write the valuation date as YYYY-MM-DD, e.g. 2023-06-30").format(date=date)) from exc
    return ValuationOptions(
        valuation_date=valuation_date, reduction_rate=reduction_rate, term_years=term_years, plot_ratio=plot_ratio,
        plot_ratio_table=PlotRatioTable.from_csv(plot_ratio_table) if plot_ratio_table else None,
        price_index=PriceIndex.parse(price_index, source="--price-index") if price_index else None,
        monthly_growth_rate=monthly_growth,
        individual_factors=parse_pairs(factor, option="--factor", limit_name="factor", example="交通条件=0.02"),
        development_adjustment_yuan_m2=development_adj,
        step_order=steps.replace(" ", "").split(",") if steps else None,
    )


@app.command("demo-parcels")
def demo_parcels_cmd() -> None:
    """Print the path of the packaged DEMO parcels (six invented parcels), e.g. for land-price value "$(...)"."""
    from zzgeo.landprice.demo import demo_parcels_path

    typer.echo(str(demo_parcels_path()))


@app.command("value")
def value_cmd(
    parcels: Annotated[Path, typer.Argument(help="Parcels: GeoPackage, GeoJSON, Shapefile, FlatGeobuf, or CSV/Excel with lon/lat columns.")],
    out: Annotated[Path, typer.Option("--out", help="Output file (.gpkg, .geojson, .shp, .fgb, .csv, .xlsx); never an input.")],
    out_crs: OutCrsOption = None,
    table: Annotated[str | None, typer.Option(help="Table for rows without a table column.")] = None,
    use: Annotated[str | None, typer.Option(help="Use for rows without a use column, e.g. commercial or 商业服务业.")] = None,
    right: Annotated[str | None, typer.Option(help="Right, e.g. contract_management (needed where a use has two).")] = None,
    date: Annotated[str | None, typer.Option("--date", help="Valuation date YYYY-MM-DD (default: the price table's base date (基准日), 2020-01-01 for 郑政文〔2022〕42号).")] = None,
    crs: CrsOption = None,
    layer: LayerOption = None,
    columns: ColumnsOption = None,
    reduction_rate: Annotated[float | None, typer.Option("--reduction-rate", help="Land capitalisation rate r, 0 < r ≤ 0.5 (data/limits.toml; default per use, see docs).")] = None,
    term_years: Annotated[float | None, typer.Option("--term-years", help="Years to value, 0 < m ≤ 70 (data/limits.toml; default: the benchmark term).")] = None,
    plot_ratio: Annotated[float | None, typer.Option("--plot-ratio", help="Parcel plot ratio, 0.01 to 30 (data/limits.toml; default: the benchmark's).")] = None,
    plot_ratio_table: Annotated[Path | None, typer.Option("--plot-ratio-table", help="CSV plot_ratio,coefficient[,use].")] = None,
    price_index: Annotated[str | None, typer.Option("--price-index", help="DATE=INDEX pairs, e.g. 2020-01-01=100,2024-01-01=93 (values > 0).")] = None,
    monthly_growth: Annotated[float | None, typer.Option("--monthly-growth", help="Monthly price growth rate g for K_date=(1+g)^months.")] = None,
    factor: Annotated[list[str] | None, typer.Option("--factor", help="Individual factor NAME=VALUE (repeat); ΣK multiplies as (1+ΣK).")] = None,
    development_adj: Annotated[float, typer.Option("--development-adj", help="Development-level adjustment D, 元/m², added at its step.")] = 0.0,
    steps: Annotated[str | None, typer.Option("--steps", help="Order of the correction steps, e.g. date,individual,term,plot_ratio,floor_to_ground,development.")] = None,
    zones: ZonesOption = None,
    price_table_file: PriceTableOption = None,
    id_column: Annotated[str | None, typer.Option("--id-column", help="Column naming parcels in messages.")] = None,
    on_error: OnErrorOption = "raise",
    as_json: JsonOption = False,
    scheduler: SchedulerOption = None,
    partitions: PartitionsOption = None,
) -> None:
    """Value every parcel of a file by the benchmark coefficient correction method."""
    from zzgeo._problems import row_names_of
    from zzgeo.io import read_vector
    from zzgeo.landprice.valuation import value_parcels
    from zzgeo.landprice.zones import load_grade_zones
    from zzgeo.registers import parse_columns_option

    outcome = Outcome(out, inputs_of(parcels, zones, plot_ratio_table, price_table_file), out_crs=out_crs)
    tables = _price_table(price_table_file)
    options = _options(date, reduction_rate, term_years, plot_ratio, plot_ratio_table, use, price_index, monthly_growth,
                       factor, development_adj, steps)
    for line in options.notes_for("valuation_date", "sum_k", "price_index"):  # the numeric options are checked already
        run_note(line)
    frame = read_vector(parcels, layer=layer, crs=crs)
    kwargs = {"table": table, "use": use, "right": right, "options": options, "id_column": id_column, "on_error": on_error,
              "zones": load_grade_zones(zones, price_table=tables) if zones else None, "columns": parse_columns_option(columns),
              "name": parcels.name, "row_names": row_names_of(parcels), "price_table": tables}
    if scheduler:
        from zzgeo.landprice.valuation.scale import value_parcels_dask

        result = value_parcels_dask(frame, npartitions=partitions, scheduler=scheduler, **kwargs)
    else:
        result = value_parcels(frame, **kwargs)
    outcome.register(result, reasons="error", warnings="warnings", input_name=parcels.name)
    outcome.add_notes([frame.attrs["crs_note"]] if frame.attrs.get("crs_note") else [])
    demo = [*(["the grade zones"] if result["zones_demo"].any() else []),
            *([f"the price table {tables.doc_number}"] if tables is not None and tables.demo else [])]
    outcome.write(result, demo=demo)
    _report(result, outcome, as_json)
    if tables is not None and tables.demo:
        demo_notice(_("the price table {document} (fictional figures: no value here is real)").format(document=tables.doc_number))


def _total_text(result, ok, total: float) -> str:
    """What the summary says of the total: the total, or why there is none (nothing valued, no area read, blank areas)."""
    if not ok.any():
        return _("nothing was valued: every parcel has an error (see the error column), no price and no total")
    valued = result.loc[ok, "value_yuan"].notna()
    if not valued.any():
        return (_("unit prices only (the valued parcels are points with a blank area)") if result.attrs.get("area_column")
                else _("unit prices only (points without an area column)"))
    text = _("total {total} 元").format(total=f"{total:,.0f}")
    return text if valued.all() else _("{text} for the {n} with an area").format(text=text, n=int(valued.sum()))


#: The correction steps as people name them (shown beside their --steps ids; English shows the ids alone).
STEP_LABELS = {"individual": N_("individual factors"), "term": N_("term of years"), "plot_ratio": N_("plot ratio"),
               "floor_to_ground": N_("floor to ground price"), "date": N_("valuation date"), "development": N_("development level")}


def _steps_text(steps: str) -> str:
    """``individual > term > ...`` as people read it: ``个别因素(individual) > 年期(term) > ...`` in Chinese (the ids are
    what --steps takes); the ids alone in English."""
    from zzgeo.i18n import language

    if language() == "en":
        return steps
    return " > ".join(_("{label}({id})").format(label=_(STEP_LABELS[s]), id=s) if s in STEP_LABELS else s
                      for s in (part.strip() for part in str(steps).split(">")))


#: Parcels listed on the console; the others are in the --out file.
SHOWN_PARCELS = 20


def _parcel_ids(result) -> list[str]:
    """What names each parcel in the console table: the --id-column, else parcel_id, else the row."""
    for column in (result.attrs.get("id_column"), "parcel_id"):
        if column and column in result.columns:
            return ["" if v is None or v != v else str(v) for v in result[column]]
    return [str(i + 1) for i in range(len(result))]


def _print_parcels(result, ok, out) -> None:
    """The valued parcels, one line each (the first :data:`SHOWN_PARCELS`): id, use, grade, benchmark price,
    corrected unit price and value; every other column is in the --out file."""
    valued = result[ok.to_numpy()]
    ids = [i for i, good in zip(_parcel_ids(result), ok.to_numpy()) if good]
    if valued.empty:
        return

    def money(value, digits: int) -> str:
        return "" if value is None or value != value else f"{float(value):,.{digits}f}"

    rows = [{N_("parcel"): pid, N_("use_zh"): row.get("use_zh") or row.get("use") or "", N_("grade"): str(row.get("grade", "")),
             N_("benchmark 元/m²"): money(row.get("benchmark_yuan_m2"), 2), N_("corrected 元/m²"): money(row.get("unit_price_yuan_m2"), 2),
             N_("value 元"): money(row.get("value_yuan"), 0)}
            for pid, (_i, row) in zip(ids, valued.head(SHOWN_PARCELS).iterrows())]
    print_frame(rows, title=_("Parcels valued (benchmark coefficient correction)"))
    if len(valued) > SHOWN_PARCELS:
        typer.echo(_("... and {n} more parcel(s) in {out}").format(n=len(valued) - SHOWN_PARCELS, out=out))


def _report(result, outcome: Outcome, as_json: bool) -> None:
    ok = result["error"] == ""
    total = float(result.loc[ok, "value_yuan"].sum())
    demo = bool(result["zones_demo"].any())
    summary = {"parcels": len(result), "valued": int(ok.sum()), "total_value_yuan": total, "out": str(outcome.out),
               "steps": result["steps"].iloc[0], "doc_number": result["doc_number"].iloc[0], "zones_demo": demo}
    if as_json:
        outcome.json({**summary, "records": result.drop(columns="geometry").to_dict("records")})
    else:
        typer.echo(_("valued {valued} of {total} parcel(s) -> {out}; {summary}").format(
            valued=summary["valued"], total=len(result), out=outcome.out, summary=_total_text(result, ok, total)))
        typer.echo(_("order applied: {steps}").format(steps=_steps_text(summary["steps"])))
        _print_parcels(result, ok, outcome.out)
    outcome.console(what=_("parcel(s)"))
    if demo:
        demo_notice(text=_grade_zones_notice(summary["doc_number"], parcels=True))
