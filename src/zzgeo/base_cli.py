"""Commands on the shared base: the layer store, the policy register, the districts.

Imports only typer and :mod:`zzgeo._cli` at module level (``zzgeo --help`` stays fast).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from zzgeo._cli import JsonOption, OutOption, echo_json, print_frame

__all__ = ["layers_app", "policy_app", "districts_cmd"]

layers_app = typer.Typer(help="The layer store (layers/zzgeo.gpkg) and the provenance of every layer.", no_args_is_help=True)
policy_app = typer.Typer(help="Status of municipal normative documents (郑政〔2022〕6号 register and later acts).", no_args_is_help=True)


@layers_app.command("build")
def layers_build(
    store: Annotated[Optional[Path], typer.Option(help="GeoPackage to write (default: layers/zzgeo.gpkg).")] = None,
) -> None:
    """Build every default layer from the installed packages and data files."""
    from zzgeo.layers import build_store, list_layers

    path = build_store(store)
    typer.echo(f"built {path}")
    print_frame(list_layers(path), columns=["layer", "kind", "features", "built", "title"])


@layers_app.command("list")
def layers_list(
    store: Annotated[Optional[Path], typer.Option(help="GeoPackage store.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the layers with their provenance (source, licence, real or demo, date)."""
    from zzgeo.layers import list_layers

    frame = list_layers(store)
    if as_json:
        echo_json(frame.to_dict("records"))
    else:
        print_frame(frame, columns=["layer", "kind", "features", "built", "title", "source", "licence"])


@policy_app.command("status")
def policy_status(
    doc_number: Annotated[str, typer.Argument(help="Document number, e.g. 郑政文〔2011〕244号 (brackets [] () accepted).")],
    as_json: JsonOption = False,
) -> None:
    """Report a document's status: valid, to be revised or abolished, and by what."""
    from zzgeo.policy import status

    st = status(doc_number)
    if as_json:
        echo_json(st.to_dict())
        return
    typer.echo(f"{st.doc_number}  {st.title}")
    typer.echo(f"status: {st.status} (as of {st.as_of})")
    if st.register_status:
        typer.echo(f"in 郑政〔2022〕6号 annex {st.register_annex}, no. {st.register_seq}: {st.register_status}")
    for ev in st.events:
        typer.echo(f"{ev.date}: {ev.event} by {ev.by_doc_number}: {ev.quote}")
    if st.note:
        typer.echo(f"note: {st.note}")


def districts_cmd(as_json: JsonOption = False) -> None:
    """The 12 county-level units with area (EPSG:4547) and 2020 census population."""
    from zzgeo.layers import read_layer

    frame = read_layer("districts").drop(columns="geometry")
    if as_json:
        echo_json(frame.to_dict("records"))
    else:
        print_frame(frame)


def score_cmd(
    config: Annotated[Optional[str], typer.Option("--config", help="Score config like zzgeo/data/scores.toml (indicators, directions, normalisation, weights).")] = None,
    as_json: JsonOption = False,
    out: OutOption = None,
) -> None:
    """Composite score per district across the themes, with each indicator's raw value, normalised value and contribution."""
    from zzgeo._cli import demo_notice, inputs_of, write_output
    from zzgeo._records import json_safe
    from zzgeo.scoring import district_scores

    result = district_scores(config)
    table = result.parts.pivot(index="district", columns="indicator", values="contribution").add_suffix(" (points)")
    wide = result.scores.merge(table, left_on="district", right_index=True)
    write_output(wide, out, protect=inputs_of(config))
    if as_json:
        echo_json(json_safe({"meta": result.meta, "scores": result.scores.to_dict("records"), "parts": result.parts.to_dict("records")}))
    else:
        print_frame(result.scores, title=result.meta["title"], columns=["rank", "name", "score", "indicators_used"])
        print_frame(result.parts.pivot(index="name", columns="indicator", values="contribution").reset_index(),
                    title="Points per indicator (weight used x normalised x 100)")
    if result.meta["demo_themes"]:
        demo_notice(f"the inputs of {', '.join(result.meta['demo_themes'])}")
