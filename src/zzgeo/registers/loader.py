"""The loader: headers to columns, then every check, then one frame or one error (see :mod:`zzgeo.registers`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zzgeo._problems import RowProblems, check_on_error, plain
from zzgeo.errors import EmptyInputError, SchemaError
from zzgeo.registers.checks import (
    CheckContext,
    empty_notes,
    geometry_checks,
    locate,
    pandera_checks,
    parse_values,
)
from zzgeo.registers.schema import (
    RegisterSchema,
    header_key,
    is_empty,
    load_schema,
    nfkc,
    units,
)
from zzgeo.registers.values import numbers

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["parse_columns_option", "map_columns", "check_register", "validate_register", "load_register", "usable_rows", "rejected_rows"]


def parse_columns_option(text: str | None) -> dict[str, str]:
    """Parse ``--columns`` text ``"源列=name,有效=effective_area_m2"`` (or JSON) into a mapping."""
    if not text:
        return {}
    text = text.strip()
    if text.startswith("{"):
        import json

        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SchemaError(f"--columns: not valid JSON: {text!r} ({exc})") from exc
        return {str(k): str(v) for k, v in parsed.items()}
    out = {}
    for part in re.split(r"[,，;；]", text):
        if not part.strip():
            continue
        if "=" not in part:
            raise SchemaError(f"--columns: expected SOURCE=TARGET pairs separated by commas, got {part!r}")
        src, dst = part.split("=", 1)
        out[src.strip()] = dst.strip()
    return out


def _renames(frame: pd.DataFrame, schema: RegisterSchema, columns: Mapping[str, str], name: str) -> dict[object, str]:
    known = set(schema.columns) | {"lon", "lat", "x", "y", "geometry"}
    for src, dst in columns.items():
        if src not in frame.columns:
            raise SchemaError(f"{name}: column mapping names {src!r}, which is not a column; columns: {list(frame.columns)!r}")
        if dst not in known:
            raise SchemaError(f"{name}: column mapping target {dst!r} is not one of {sorted(known)!r}")
    rename: dict[object, str] = dict(columns)
    lookup = {header_key(alias): canon for canon, names in schema.aliases().items() for alias in names}
    for col in frame.columns:
        if col in rename or col == "geometry":
            continue
        canon = lookup.get(header_key(col))
        if canon and canon not in rename.values():
            rename[col] = canon
    targets = pd.Series(list(rename.values()), dtype=object)
    clash = targets[targets.duplicated()].tolist()
    clash += [t for t in rename.values() if t in frame.columns and t not in rename]
    if clash:
        sources = [k for k, v in rename.items() if v == clash[0]] + ([clash[0]] if clash[0] in frame.columns and clash[0] not in rename else [])
        raise SchemaError(f"{name}: columns {sources!r} would all become {clash[0]!r}; map one of them explicitly with columns= / --columns")
    return {k: v for k, v in rename.items() if k != v}


def map_columns(
    frame: pd.DataFrame, schema: str | RegisterSchema, columns: Mapping[str, str] | None = None, *, name: str = "register"
) -> tuple[pd.DataFrame, list[str]]:
    """Rename a register's headers to the schema's columns and convert header units; returns (copy, notes).

    Parameters
    ----------
    frame : pandas.DataFrame
    schema : str or RegisterSchema
    columns : mapping, optional
        Explicit ``{source header: column}``; wins over the schema's accepted headers.

    Raises
    ------
    SchemaError
        A mapping names a header the table lacks or a target the schema does not
        know, or two headers would become the same column.
    """
    schema = load_schema(schema)
    rename = _renames(frame, schema, dict(columns or {}), name)
    out = frame.rename(columns=rename)
    notes = []
    known_units = units()
    for src, dst in rename.items():
        spec = schema.columns.get(dst)
        if spec is None or spec.quantity is None:
            continue
        for pattern, factor, label in known_units[spec.quantity]["compiled"]:
            if pattern.search(nfkc(src).lower()):
                if factor != 1.0:
                    out[dst] = numbers(out[dst])[0] * factor
                    notes.append(f"{name}: column {src!r} read as {label} and converted to {known_units[spec.quantity]['canonical']}")
                break
    return out, notes


def _label_function(frame: pd.DataFrame, schema: RegisterSchema, line_numbers: bool) -> Callable[[int], str]:
    ids = frame[schema.id_column] if schema.id_column and schema.id_column in frame else None
    names = frame[schema.name_column] if schema.name_column and schema.name_column in frame else None

    def label(pos: int) -> str:
        if ids is not None and not is_empty(ids.iloc[pos]):
            head = repr(str(plain(ids.iloc[pos])))
        elif line_numbers:
            head = f"line {pos + 2}"
        else:
            head = f"row {plain(frame.index[pos])!r}"
        if names is not None and not is_empty(names.iloc[pos]) and (ids is None or is_empty(ids.iloc[pos])):
            head += f" ({str(plain(names.iloc[pos]))!r})"
        return head

    return label


def _assemble(ctx: CheckContext, adcodes: pd.Series | None, district_names: pd.Series | None) -> pd.DataFrame:
    out = ctx.frame.copy()
    schema = ctx.schema
    for name, spec in schema.columns.items():
        if name in ctx.values:
            values = ctx.values[name]
            if spec.type == "category" and name in ctx.frame:  # keep an unknown word as written, for the planner to see
                values = values.where(values.notna(), ctx.frame[name].astype(object))
            out[name] = values
        elif spec.type in ("number", "integer"):
            out[name] = np.nan
        elif spec.type == "date":
            out[name] = pd.NaT
        else:
            out[name] = None if spec.type in ("category", "bool") else ""
    if schema.id_column and schema.id_column not in ctx.values and schema.id_prefix:
        out[schema.id_column] = np.strings.add(schema.id_prefix, np.arange(len(out)).astype(str)).astype(object)
    extra = []
    if adcodes is not None:
        out["adcode"] = adcodes
        out["district_name"] = district_names
        extra = ["adcode", "district_name"]
    out["issues"] = ctx.issues.joined()
    out["notes"] = ctx.notes.joined()
    out["valid"] = out["issues"] == ""
    first = [*schema.columns, *extra, "issues", "notes", "valid"]
    rest = [c for c in out.columns if c not in first]
    return out[[*first, *rest]]


def validate_register(
    frame: pd.DataFrame,
    schema: str | Path | RegisterSchema,
    *,
    columns: Mapping[str, str] | None = None,
    crs: object = None,
    districts: gpd.GeoDataFrame | None = None,
    on_error: str = "raise",
    checks: Sequence[Callable[[CheckContext], None]] = (),
    name: str = "register",
    line_numbers: bool = False,
    hint: str | None = None,
) -> pd.DataFrame:
    """Check a register row by row against its schema and return it with the schema's columns.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame or pandas.DataFrame
        The register as read; any CRS (a plain table with lon/lat columns needs *crs*).
    schema : str, Path or RegisterSchema
        E.g. ``"shelters/register.toml"`` (see module notes).
    columns : mapping, optional
        ``{source header: column}`` for headers the schema does not know.
    crs : str, optional
        The coordinates' real CRS when the frame carries none, or ``gcj02``/``bd09``.
    districts : geopandas.GeoDataFrame, optional
        County-level units for ``locate`` schemas (default: the ``districts`` layer).
    on_error : {"raise", "flag"}
        Raise one error naming every bad row, or return every row with ``issues``.
    checks : sequence of callables
        The theme's own row checks, ``check(ctx: CheckContext) -> None``, run
        after the schema's; they add to ``ctx.issues`` and ``ctx.notes``.
    name : str
        How the register is named in messages.
    line_numbers : bool
        Name rows by spreadsheet line (header = line 1) instead of index label.
    hint : str, optional
        What the error tells the user to do (default: fix the rows or pass ``on_error='flag'``).

    Returns
    -------
    geopandas.GeoDataFrame or pandas.DataFrame
        EPSG:4326, the input's index; the schema's columns first (parsed
        values), then ``adcode``/``district_name`` (``locate`` schemas),
        ``issues``, ``notes``, ``valid``, then the other columns as they came.
        ``attrs["notes"]`` lists file-level notes (unit conversions, CRS assumed).

    Raises
    ------
    EmptyInputError
        The register has no rows.
    SchemaError
        Required columns missing, a bad column mapping; with ``on_error="raise"`` any row error.
    OutsideAreaError, GeometryError
        With ``on_error="raise"``, when all bad rows are of that one kind.
    """
    check_on_error(on_error)
    ctx = check_register(frame, schema, columns=columns, crs=crs, districts=districts, checks=checks, name=name)
    out = _assemble(ctx, ctx.adcodes, ctx.district_names)
    generated = bool(ctx.schema.id_column and ctx.schema.id_column not in ctx.values)
    out.attrs.update({"notes": ctx.file_notes, "schema": ctx.schema.id, "source": name,
                      "row_labels": "line" if line_numbers else "index", "generated_ids": generated})
    if on_error == "raise" and ctx.issues:
        label = _label_function(ctx.frame, ctx.schema, line_numbers)
        hint = hint or "Fix them, or pass on_error='flag' (--on-error flag) to keep every row with an 'issues' column and analyse the valid ones"
        raise ctx.issues.error_type()(ctx.issues.message(label, what="row(s) fail validation", name=name, hint=hint))
    return out


def check_register(
    frame: pd.DataFrame,
    schema: str | Path | RegisterSchema,
    *,
    columns: Mapping[str, str] | None = None,
    crs: object = None,
    districts: gpd.GeoDataFrame | None = None,
    checks: Sequence[Callable[[CheckContext], None]] = (),
    name: str = "register",
) -> CheckContext:
    """Run every check of :func:`validate_register` and return its context, without assembling a frame.

    For analyses that go on from the parsed values and the problems found
    (``ctx.values``, ``ctx.issues``, ``ctx.notes``, ``ctx.adcodes``), such as
    :func:`zzgeo.landprice.valuation.value_parcels` on millions of parcels.
    """
    schema = load_schema(schema)
    if len(frame) == 0:
        raise EmptyInputError(f"{name} has no rows (a header only?); nothing to analyse")
    mapped, notes = map_columns(frame, schema, columns, name=name)
    _require_columns(mapped, schema, list(frame.columns), name)
    mapped = _with_geometry(mapped, schema, crs, name)
    ctx = CheckContext(frame=mapped, values={}, issues=RowProblems(len(mapped)), notes=RowProblems(len(mapped)),
                       schema=schema, name=name)
    ctx.file_notes = [*frame.attrs.get("notes", []), *notes, *([frame.attrs["crs_note"]] if frame.attrs.get("crs_note") else [])]
    parse_values(ctx)
    pandera_checks(ctx)
    empty_notes(ctx)
    if schema.geometry:
        empty = geometry_checks(ctx)
        if schema.locate:
            locate(ctx, districts, empty)
    for check in checks:
        check(ctx)
    return ctx


def _require_columns(frame: pd.DataFrame, schema: RegisterSchema, found: list, name: str) -> None:
    missing = [c for c, spec in schema.columns.items() if spec.required and c not in frame.columns]
    if missing:
        accepted = "; ".join(f"{c}: {', '.join(schema.aliases()[c][:7])}" for c in missing)
        raise SchemaError(f"{name} lacks required column(s) {missing!r}; found {[plain(c) for c in found]!r}. "
                          f"Accepted headers - {accepted}. Or map yours with columns= / --columns")


def _with_geometry(frame: pd.DataFrame, schema: RegisterSchema, crs: object, name: str) -> pd.DataFrame:
    import geopandas as gpd

    from zzgeo.crs import STORAGE_CRS, to_wgs84

    if not schema.geometry:
        return frame.copy()
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        from zzgeo.io import frame_from_coordinates

        return frame_from_coordinates(pd.DataFrame(frame), crs=crs, name=name)
    if crs is None and frame.crs is not None and frame.crs == STORAGE_CRS:
        return frame.copy()
    return to_wgs84(frame, crs=crs, name=name)


def load_register(
    source: str | Path | pd.DataFrame,
    schema: str | Path | RegisterSchema,
    *,
    crs: object = None,
    columns: Mapping[str, str] | None = None,
    layer: str | None = None,
    sheet: str | int | None = None,
    districts: gpd.GeoDataFrame | None = None,
    on_error: str = "raise",
    checks: Sequence[Callable[[CheckContext], None]] = (),
    name: str | None = None,
    hint: str | None = None,
) -> pd.DataFrame:
    """Read a register from a file, a PostGIS table or a frame, and validate it (see :func:`validate_register`).

    Parameters
    ----------
    source : str, Path or DataFrame
        CSV (UTF-8 or GBK) / Excel with ``lon``/``lat`` (``经度``/``纬度``) or
        WKT columns, GeoJSON, GeoPackage, Shapefile, FlatGeobuf, or
        ``postgresql://...`` with *layer* naming the table or a SELECT.
    schema : str, Path or RegisterSchema
    crs : str, optional
        The coordinates' real CRS: ``wgs84``, ``cgcs2000``, ``gcj02``,
        ``bd09`` or an EPSG code. Required for CSV/Excel; for a GeoJSON it may
        say ``gcj02``/``bd09`` when points were copied from Amap/Baidu.
    columns : mapping, optional
        ``{source header: column}``; may also map coordinate headers to ``lon``/``lat``.
    layer, sheet : optional
        GeoPackage layer / PostGIS table or query, Excel sheet.
    districts, on_error, checks, name
        See :func:`validate_register`.
    """
    from zzgeo.io import TABLE_SUFFIXES, read_vector

    schema = load_schema(schema)
    columns = dict(columns or {})
    if isinstance(source, pd.DataFrame):
        frame, label, lines = source, name or "register", False
    else:
        label = name or str(source)
        x = next((k for k, v in columns.items() if v in ("lon", "x")), None)
        y = next((k for k, v in columns.items() if v in ("lat", "y")), None)
        lines = Path(str(source)).suffix.lower() in (*TABLE_SUFFIXES, ".xlsm")
        frame = read_vector(source, layer=layer, crs=crs, x=x, y=y, sheet=sheet, name=label)
        crs = None
    columns = {k: v for k, v in columns.items() if v not in ("lon", "lat", "x", "y")}
    return validate_register(frame, schema, columns=columns, crs=crs, districts=districts, on_error=on_error,
                             checks=checks, name=label, line_numbers=lines, hint=hint)


def register_reader(schema: str, checks: Sequence[Callable[[CheckContext], None]] = (), *, what: str) -> Callable[..., pd.DataFrame]:
    """A theme's ``read_<what>`` function: :func:`load_register` with the schema and checks bound.

    Parameters
    ----------
    schema : str
        Packaged schema, e.g. ``"children/facilities.toml"``.
    checks : sequence of callables
        The theme's own row checks (see :func:`validate_register`).
    what : str
        How a register given as a frame is named in messages (``"pollution sources"``).
    """

    def reader(
        source: str | Path | pd.DataFrame,
        *,
        crs: object = None,
        columns: Mapping[str, str] | None = None,
        layer: str | None = None,
        sheet: str | int | None = None,
        districts: gpd.GeoDataFrame | None = None,
        on_error: str = "raise",
    ) -> pd.DataFrame:
        return load_register(source, schema, crs=crs, columns=columns, layer=layer, sheet=sheet, districts=districts,
                             on_error=on_error, checks=checks, name=what if isinstance(source, pd.DataFrame) else None)

    reader.__name__ = f"read_{what.replace(' ', '_')}"
    reader.__doc__ = (f"Read and validate a {what} register (schema ``data/{schema}``) from any source the common "
                      "loader reads; options as :func:`zzgeo.registers.load_register`.")
    return reader


def usable_rows(register: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The valid rows of a validated register and how many were left out."""
    if "valid" not in register:
        raise SchemaError("usable_rows needs a validated register (a 'valid' column); load it with load_register")
    valid = register["valid"].astype(bool).to_numpy()
    out = register[valid].copy()
    out.attrs = dict(register.attrs)
    return out, int((~valid).sum())


def rejected_rows(register: pd.DataFrame, *, id_column: str | None = None, name_column: str | None = None) -> list[dict[str, Any]]:
    """The rows left out of an analysis: ``[{"row": label, "id": ..., "name": ..., "reason": issues}, ...]``.

    ``row`` is the spreadsheet line (``"line 5"``) for CSV/Excel registers and the
    index label otherwise; ``id`` only when the register carried its own ids.
    """
    if "valid" not in register:
        return []
    bad = np.flatnonzero(~register["valid"].astype(bool).to_numpy())
    lines = register.attrs.get("row_labels") == "line"
    own_ids = id_column and id_column in register and not register.attrs.get("generated_ids", False)
    rows = []
    for pos in bad:
        row = register.iloc[pos]
        rec: dict[str, Any] = {"row": f"line {pos + 2}" if lines else plain(register.index[pos])}
        if own_ids and not is_empty(row[id_column]):
            rec["id"] = plain(row[id_column])
        if name_column and name_column in register and not is_empty(row[name_column]):
            rec["name"] = plain(row[name_column])
        rec["reason"] = row["issues"]
        rows.append(rec)
    return rows
