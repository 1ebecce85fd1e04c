"""The loader: headers to columns, then every check, then one frame or one error (see :mod:`zzgeo.registers`)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zzgeo._problems import RowNames, RowProblems, check_on_error, plain, row_names_of
from zzgeo.errors import EmptyInputError, SchemaError
from zzgeo.i18n import _
from zzgeo.registers.checks import (
    CheckContext,
    duplicate_checks,
    empty_notes,
    geometry_checks,
    locate,
    location_check,
    pandera_checks,
    parse_values,
    plausibility_notes,
)
from zzgeo.registers.schema import (
    RegisterSchema,
    empty_cells,
    header_key,
    is_empty,
    load_schema,
    nfkc,
)
from zzgeo.registers.values import numbers

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from zzgeo.registers.quantities import Conversion

__all__ = [
    "check_register",
    "conversion_note",
    "header_conversions",
    "load_register",
    "location_counts",
    "location_summary",
    "map_columns",
    "parse_columns_option",
    "rejected_rows",
    "row_namer",
    "row_notes",
    "usable_rows",
    "validate_register",
    "whole_register_problems",
]


def parse_columns_option(text: str | None) -> dict[str, str]:
    """Parse ``--columns`` text ``"源列=name,有效=effective_area_m2"`` (or JSON) into a mapping.

    Parameters
    ----------
    text : str or None
        ``SOURCE=TARGET`` pairs separated by ``,``, ``，``, ``;`` or ``；``, or
        a JSON object; empty or None gives ``{}``.

    Returns
    -------
    dict of str to str
        Source header -> schema column.

    Raises
    ------
    SchemaError
        Not valid JSON, a pair without ``=``, or a source header mapped twice.

    Examples
    --------
    >>> from zzgeo.registers import parse_columns_option
    >>> parse_columns_option("源列=name，有效=effective_area_m2")  # a full-width comma separates too
    {'源列': 'name', '有效': 'effective_area_m2'}
    >>> parse_columns_option('{"场地": "name"}'), parse_columns_option(None)
    ({'场地': 'name'}, {})
    >>> parse_columns_option("a=name,a=shelter_id")
    Traceback (most recent call last):
    ...
    zzgeo.errors.SchemaError: --columns: 'a' is mapped twice ('name' and 'shelter_id'); map each header once
    """
    if not text:
        return {}
    text = text.strip()
    if text.startswith("{"):
        import json

        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SchemaError(_("--columns: not valid JSON: {text!r} ({error})").format(text=text, error=exc)) from exc
        return {str(k): str(v) for k, v in parsed.items()}
    out = {}
    for part in re.split(r"[,，;；]", text):
        if not part.strip():
            continue
        if "=" not in part:
            raise SchemaError(_("--columns: expected SOURCE=TARGET pairs separated by commas, got {part!r}").format(part=part))
        src, dst = part.split("=", 1)
        if src.strip() in out:
            raise SchemaError(_("--columns: {header!r} is mapped twice ({first!r} and {second!r}); map each header once").format(
                header=src.strip(), first=out[src.strip()], second=dst.strip()))
        out[src.strip()] = dst.strip()
    return out


@functools.lru_cache(maxsize=64)  # schemas are immutable and hashed by identity: one lookup per schema
def _header_lookup(schema: RegisterSchema) -> dict[str, str]:
    return {header_key(alias): canon for canon, names in schema.aliases().items() for alias in names}


def _takes_unit(schema: RegisterSchema, column: str, unit: str) -> bool:
    """Whether *unit* reads as a unit of *column*'s quantity (for headers like ``area_mu`` or ``亩``)."""
    from zzgeo.errors import SchemaError as _Bad
    from zzgeo.registers.quantities import read_unit

    spec = schema.columns.get(column)
    if spec is None or spec.type not in ("number", "integer") or not spec.quantity:
        return False
    try:
        read_unit(unit, spec.quantity)
    except _Bad:
        return False
    return True


def _match_header(col: object, schema: RegisterSchema, lookup: Mapping[str, str], name: str) -> tuple[str | None, str | None]:
    """The schema column a header names and the unit it carries: ``"有效面积(公顷)"`` -> ``("effective_area_m2", "公顷")``."""
    from zzgeo.registers.quantities import header_splits, split_header

    try:
        stem, unit = split_header(col)
    except SchemaError as exc:
        raise SchemaError(f"{name}: {exc}") from None
    canon = lookup.get(header_key(stem))
    if canon is not None:
        return canon, unit
    if unit is not None:
        return None, None
    for stem, unit in header_splits(col):  # area_mu, 面积亩, 有效面积m²
        canon = lookup.get(header_key(stem))
        if canon is not None and _takes_unit(schema, canon, unit):
            return canon, unit
    text = nfkc(col)
    if text and not text.isascii() and len(text) <= 8:  # a header that is only a unit: 亩, 公顷
        fits = [c for c in schema.columns if _takes_unit(schema, c, text)]
        if len(fits) == 1:
            return fits[0], text
    return None, None


def _renames(frame: pd.DataFrame, schema: RegisterSchema, columns: Mapping[str, str], name: str) -> tuple[dict[object, str], dict[object, str]]:
    """``{header: column}`` for every header that names a schema column, and ``{header: unit text}``."""
    from zzgeo.registers.quantities import split_header

    known = set(schema.columns) | {"lon", "lat", "x", "y", "geometry"}
    for src, dst in columns.items():
        if src not in frame.columns:
            raise SchemaError(_("{name}: column mapping names {header!r}, which is not a column; columns: {columns!r}").format(
                name=name, header=src, columns=list(frame.columns)))
        if dst not in known:
            raise SchemaError(_("{name}: column mapping target {target!r} is not one of {known!r}").format(
                name=name, target=dst, known=sorted(known)))
    rename: dict[object, str] = dict(columns)
    unit_of: dict[object, str] = {}
    for src in columns:
        unit = split_header(src)[1]
        if unit is not None:
            unit_of[src] = unit
    lookup = _header_lookup(schema)
    for col in frame.columns:
        if col in rename or col == "geometry":
            continue
        canon, unit = _match_header(col, schema, lookup, name)
        if canon and canon not in rename.values():
            rename[col] = canon
            if unit is not None:
                unit_of[col] = unit
    seen: set[str] = set()
    clash = [t for t in rename.values() if t in seen or seen.add(t)]  # each target named a second time
    clash += [t for t in rename.values() if t in frame.columns and t not in rename]
    if clash:
        sources = [k for k, v in rename.items() if v == clash[0]] + ([clash[0]] if clash[0] in frame.columns and clash[0] not in rename else [])
        raise SchemaError(_("{name}: columns {sources!r} would all become {column!r}; map one of them explicitly with columns= / --columns")
                          .format(name=name, sources=sources, column=clash[0]))
    return {k: v for k, v in rename.items() if k != v}, unit_of


def header_conversions(frame: pd.DataFrame, schema: str | RegisterSchema, columns: Mapping[str, str] | None = None, *,
                       name: str = "register") -> tuple[dict[object, str], dict[str, tuple[object, Conversion]]]:
    """How a register's headers map to the schema, and the unit each numeric column's header carries.

    Returns
    -------
    (rename, conversions) : dict, dict
        ``{header: column}``, and ``{column: (header, Conversion)}`` for every
        numeric column whose header names a unit (``有效面积(公顷)``).

    Raises
    ------
    SchemaError
        A bad mapping (see :func:`map_columns`), or a header unit that does not
        parse or has the wrong dimension (the message names the header).

    Examples
    --------
    ``有效面积(公顷)`` names the effective area in hectares: 1 公顷 = 10,000 m².
    ``类别`` and ``场所名称`` are accepted headers of their columns; ``备注`` is none.

    >>> import pandas as pd
    >>> from zzgeo.registers import header_conversions
    >>> frame = pd.DataFrame({"场所名称": ["公园甲"], "类别": ["Ⅱ类"], "有效面积(公顷)": [1.2], "备注": [""]})
    >>> rename, conversions = header_conversions(frame, "shelters/register.toml")
    >>> rename
    {'场所名称': 'name', '类别': 'shelter_class', '有效面积(公顷)': 'effective_area_m2'}
    >>> header, conversion = conversions["effective_area_m2"]
    >>> header, conversion.unit, conversion.factor
    ('有效面积(公顷)', '公顷', 10000.0)
    >>> header_conversions(frame.rename(columns={"有效面积(公顷)": "有效面积(米)"}), "shelters/register.toml")
    Traceback (most recent call last):
    ...
    zzgeo.errors.SchemaError: register: header '有效面积(米)': '米' measures a length, not area ...
    """
    from zzgeo.registers.quantities import read_unit

    schema = load_schema(schema)
    rename, unit_of = _renames(frame, schema, dict(columns or {}), name)
    conversions: dict[str, tuple[object, Conversion]] = {}
    for src, unit in unit_of.items():
        column = rename.get(src, src)
        spec = schema.columns.get(column)
        if spec is None or spec.type not in ("number", "integer"):
            continue  # 名称(全称), 类别(I/II/III): brackets of a text column are not a unit
        if not spec.quantity:
            raise SchemaError(_("{name}: header {header!r}: column {column} is a plain number and takes no unit; "
                                "remove {unit!r} from the header").format(name=name, header=plain(src), column=column, unit=unit))
        try:
            conversions[column] = (src, read_unit(unit, spec.quantity))
        except SchemaError as exc:
            raise SchemaError(_("{name}: header {header!r}: {error}").format(name=name, header=plain(src), error=exc)) from None
    return rename, conversions


def conversion_note(name: str, header: object, column: str, conversion: Conversion) -> str:
    """The file-level note of a header unit conversion, as :func:`map_columns` writes it.

    Parameters
    ----------
    name : str
        How the register is named.
    header : object
        The header as written.
    column : str
        The schema column it became.
    conversion : Conversion
        From :func:`header_conversions` (or :func:`zzgeo.registers.quantities.read_unit`).

    Returns
    -------
    str

    Examples
    --------
    >>> from zzgeo.registers.quantities import read_unit
    >>> from zzgeo.registers import conversion_note
    >>> conversion_note("r.csv", "有效面积(公顷)", "effective_area_m2", read_unit("公顷", "area"))
    "r.csv: column '有效面积(公顷)' read in 公顷 (hectare) -> m² x 10,000 (effective_area_m2)"
    """
    return _("{name}: column {header!r} read in {conversion} ({column})").format(
        name=name, header=plain(header), conversion=conversion.describe(), column=column)


def map_columns(
    frame: pd.DataFrame, schema: str | RegisterSchema, columns: Mapping[str, str] | None = None, *, name: str = "register"
) -> tuple[pd.DataFrame, list[str]]:
    """Rename a register's headers to the schema's columns and convert header units; returns (copy, notes).

    Numeric columns whose header names a unit (``有效面积(公顷)``, ``开采量(万m³/a)``,
    ``area_mu``) are converted to the column's canonical unit (pint, see
    :mod:`zzgeo.registers.quantities`); cells that are not numbers are kept as
    written, for the loader to name. ``out.attrs["conversions"]`` holds
    ``{column: (header, Conversion)}``.

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
        know, two headers would become the same column, or a header's unit does
        not parse or measures something else than its column.

    Examples
    --------
    1.2 公顷 = 1.2 x 10,000 = 12,000 m²; ``备注`` is no schema column: it stays as it is, and a note
    says it is not read (a mistyped header would otherwise lose its values in silence).

    >>> import pandas as pd
    >>> from zzgeo.registers import map_columns
    >>> frame = pd.DataFrame({"场所名称": ["公园甲"], "类别": ["Ⅱ类"], "有效面积(公顷)": [1.2], "备注": ["东门"]})
    >>> out, notes = map_columns(frame, "shelters/register.toml", name="shelters.csv")
    >>> list(out.columns), out["effective_area_m2"].tolist()
    (['name', 'shelter_class', 'effective_area_m2', '备注'], [12000.0])
    >>> for note in notes:
    ...     print(note)
    shelters.csv: column(s) ['备注'] match no column of the 应急避难场所台账 (shelter register) and are not read; if one is a column zzgeo knows under another header, map it with --columns 'header=column'
    shelters.csv: column '有效面积(公顷)' read in 公顷 (hectare) -> m² x 10,000 (effective_area_m2)

    An explicit mapping wins over the accepted headers:

    >>> map_columns(frame, "shelters/register.toml", {"备注": "name", "场所名称": "source"})[0].columns.tolist()
    ['source', 'shelter_class', 'effective_area_m2', 'name']
    """
    schema = load_schema(schema)
    rename, conversions = header_conversions(frame, schema, columns, name=name)
    _refuse_near_misses(frame, schema, rename, name)
    out = frame.rename(columns=rename) if rename else frame.copy(deep=False)  # copy-on-write: nothing copied
    notes = _unread_columns(frame, schema, rename, name)
    for column, (src, conversion) in conversions.items():
        if not conversion.identity:
            nums, bad = numbers(out[column])
            converted = conversion.apply(nums).astype(object)
            converted[bad.to_numpy()] = out[column][bad.to_numpy()]
            out[column] = converted if bad.any() else conversion.apply(nums)
            notes.append(conversion_note(name, src, column, conversion))
    out.attrs = {**frame.attrs, "conversions": conversions, "renamed": rename}
    return out, notes


#: Columns a register may carry that are no schema column and need no word: locations, zzgeo's own marks.
_KNOWN_EXTRA = {"geometry", "geom", "wkt", "几何", "demo", "valid", "issues", "notes", "adcode", "district_name",
                "location_check", "boundary_distance_m"}


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions) between two short texts."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _near_miss(key: str, known: str) -> float | None:
    """How near a header key is to a known header key (higher is nearer), or None when it is not a near miss.

    Keys are compared after the loader's own normalisation (:func:`~zzgeo.registers.schema.header_key`:
    NFKC, no brackets, blanks, ``_`` or ``-``, any case) with the unit taken off. A key with Chinese
    characters is a near miss at edit distance 1 when both keys have 3 characters or more: with 2, one
    character more or other makes another word (``序号``/``编号``, ``单位``/``单元``, ``权利人``/``权利``); and when it is
    a known header with 2 characters cut at one end, 4 or more left (``个别因素修正`` for ``个别因素修正系数``; a
    header with a word added, ``设施名称备注``, is another column). An ASCII key
    is a near miss at a :class:`difflib.SequenceMatcher` ratio of 0.8 or more when both have 4 characters or
    more (``plotratoi`` for ``plotratio``: 0.89; ``note`` for ``name``: 0.5).
    """
    if not key or not known or key == known:
        return None
    if key.isascii() and known.isascii():
        if min(len(key), len(known)) < 4:
            return None
        import difflib

        ratio = difflib.SequenceMatcher(None, key, known).ratio()
        return ratio if ratio >= 0.8 else None
    if key.isascii() or known.isascii():
        return None
    distance = _edit_distance(key, known)
    shorter = min(len(key), len(known))
    # a known header with its last or first word cut (个别因素修正 for 个别因素修正系数), the rest whole and at least 4
    # characters long; a header with a word added (设施名称备注) is another column
    cut = distance == 2 and len(known) == len(key) + 2 >= 6 and (known.startswith(key) or known.endswith(key))
    if shorter < 3 or (distance != 1 and not cut):
        return None
    return 1.0 - distance / max(len(key), len(known))


def _header_stem_key(col: object) -> str:
    """The key of a header's name without its unit: ``有效面积积(㎡)`` -> ``有效面积积``, ``plot_ratoi`` -> ``plotratoi``."""
    from zzgeo.registers.quantities import split_header

    try:
        stem = split_header(col)[0]
    except SchemaError:
        stem = str(col)
    return header_key(stem)


def near_miss_headers(frame_columns: Sequence[object], schema: RegisterSchema,
                      rename: Mapping[object, str]) -> list[tuple[object, str, list[str]]]:
    """The headers that are near misses of a known header of a column the register otherwise lacks.

    Parameters
    ----------
    frame_columns : sequence
        The register's headers as read.
    schema : RegisterSchema
    rename : mapping
        ``{header: column}`` of the headers that name a column (see :func:`header_conversions`).

    Returns
    -------
    list of (header, column, [known headers])
        Per near-miss header, the column it most likely means and the known headers it is nearest to
        (the column's title first when that is one of them). Headers that are extra columns of the
        register (``备注``, ``note``, ``联系人``), coordinates and zzgeo's own columns are never listed.

    Examples
    --------
    >>> from zzgeo.registers import load_schema
    >>> from zzgeo.registers.loader import near_miss_headers
    >>> parcels = load_schema("landprice/parcels.toml")
    >>> near_miss_headers(["容积律", "plot_ratoi", "备注", "note", "联系人", "序号"], parcels, {})
    [('容积律', 'plot_ratio', ['容积率']), ('plot_ratoi', 'plot_ratio', ['plot_ratio'])]

    A near miss of a column the register has under another header is only an extra column:

    >>> near_miss_headers(["容积率", "容积律"], parcels, {"容积率": "plot_ratio"})
    []
    """
    present = set(rename.values()) | {c for c in frame_columns if c in schema.columns}
    extra = _extra_keys()
    known = [entry for column, entries in _alias_keys(schema).items() if column not in present for entry in entries]
    if not known:
        return []
    out = []
    for col in frame_columns:
        text = str(col).strip()
        if col in rename or col in schema.columns or col == "geometry" or not text or text.startswith("Unnamed:"):
            continue
        key = _header_stem_key(col)
        if not key or key in extra or header_key(text) in extra:
            continue
        scored = [(score, column, header) for k, column, header in known if (score := _near_miss(key, k)) is not None]
        if not scored:
            continue
        best = max(score for score, _c, _h in scored)
        nearest = [(column, header) for score, column, header in scored if score == best]
        column = nearest[0][0]
        headers = [h for c, h in nearest if c == column]
        title = schema.columns[column].title
        if title and header_key(title) in {header_key(h) for h in headers}:  # the template's header, unit and all
            headers = [title, *(h for h in headers if header_key(h) != header_key(title))]
        out.append((col, column, list(dict.fromkeys(headers))))
    return out


@functools.lru_cache(maxsize=1)
def _extra_keys() -> frozenset[str]:
    """Header keys of columns a register may carry besides the schema's (coordinates, units, zzgeo's own)."""
    from zzgeo.io import _LAT_NAMES, _LON_NAMES

    return frozenset(header_key(h) for h in (*_KNOWN_EXTRA, *_LON_NAMES, *_LAT_NAMES, *_UNIT_HEADERS))


@functools.lru_cache(maxsize=64)
def _alias_keys(schema: RegisterSchema) -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Per column of *schema*: (key, column, header as written) of each of its known headers."""
    return {column: tuple((header_key(h), column, str(h)) for h in names) for column, names in schema.aliases().items()}


def _refuse_near_misses(frame: pd.DataFrame, schema: RegisterSchema, rename: Mapping[object, str], name: str) -> None:
    """An error for the first header that looks like a mistyped header of a column the register lacks
    (``容积律`` for ``容积率``): read as an extra column, its values would be dropped and the row valued
    or counted with the default, with exit 0."""
    found = near_miss_headers(list(frame.columns), schema, rename)
    if not found:
        return
    header, column, headers = found[0]
    raise SchemaError(_("{name}: header {header!r} is not a column of the {register}; did you mean {known}? "
                        "Rename it, or map it with --columns '{header}={column}'").format(
        name=name, header=plain(header), register=schema.title, known=" / ".join(repr(h) for h in headers),
        column=column))


def _unread_columns(frame: pd.DataFrame, schema: RegisterSchema, rename: Mapping[object, str], name: str) -> list[str]:
    """One note naming the columns with values that match no column of the schema (a mistyped optional header
    would otherwise drop its values without a word); coordinates, empty and unnamed columns are left alone."""
    from zzgeo.io import _LAT_NAMES, _LON_NAMES

    known = {*_KNOWN_EXTRA, *_LON_NAMES, *_LAT_NAMES}
    unread = []
    for col in frame.columns:
        text = str(col).strip()
        if col in rename or col in schema.columns or text.casefold() in known or text.startswith("Unnamed:") or not text:
            continue
        if not empty_cells(frame[col]).all():
            unread.append(text)
    if not unread:
        return []
    return [_("{name}: column(s) {columns!r} match no column of the {register} and are not read; if one is a column "
              "zzgeo knows under another header, map it with --columns 'header=column'").format(
        name=name, columns=unread, register=schema.title)]


def row_namer(frame: pd.DataFrame, schema: RegisterSchema, row_names: str = "index", id_column: str | None = None,
              first: int | None = None) -> RowNames:
    """How messages name a register's rows: its id, else its CSV/Excel line, feature number or index label.

    Parameters
    ----------
    frame : pandas.DataFrame
        The register with the schema's column names (after :func:`map_columns`).
    schema : RegisterSchema
    row_names : {"index", "line", "feature"}
        How a row without an id is placed.
    id_column : str, optional
        Default: the schema's id column.
    first : int, optional
        Line or feature number of the first row (default 2 for lines, 1 for features).

    Returns
    -------
    zzgeo._problems.RowNames
        ``names(position)`` is the text messages use; ``names.place(position)``
        says where the row is, whatever its id.

    Examples
    --------
    In a CSV the header is line 1, so the first row is line 2; a row with an
    id is named by it, one without by its line and name:

    >>> import pandas as pd
    >>> from zzgeo.registers import load_schema, row_namer
    >>> schema = load_schema("shelters/register.toml")
    >>> frame = pd.DataFrame({"shelter_id": ["S1", ""], "name": ["公园甲", "广场乙"]})
    >>> names = row_namer(frame, schema, "line")
    >>> names(0), names(1), names.place(0)
    ("'S1'", "line 3 ('广场乙')", 'line 2')
    """
    id_column = id_column or schema.id_column
    ids = frame[id_column].to_numpy(dtype=object) if id_column and id_column in frame else None
    names = frame[schema.name_column].to_numpy(dtype=object) if schema.name_column and schema.name_column in frame else None
    return RowNames(frame.index, row_names, ids=ids, names=names, first=first)


def _location_columns(ctx: CheckContext) -> tuple[np.ndarray, np.ndarray]:
    """``location_check`` text (``"district disagrees; near 街道 boundary"``) and ``boundary_distance_m`` of every row."""
    n = len(ctx.frame)
    text = np.full(n, "", dtype=object)
    distance = np.full(n, np.nan)
    for flags in ctx.locations.values():
        near = ~np.isnan(flags.distance_m)
        for mask, word in ((flags.disagrees, f"{flags.what} disagrees"), (near, f"near {flags.what} boundary")):
            if mask.any():
                text[mask] = np.where(text[mask] == "", word, text[mask] + "; " + word)
        distance = np.fmin(distance, flags.distance_m)
    return text, distance


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
        # a generated id carries the row's CSV line or feature number (1-based for frames): never a 0-based position
        first = max(int(getattr(ctx.label, "first", 1)), 1)
        out[schema.id_column] = np.strings.add(schema.id_prefix, (np.arange(len(out)) + first).astype(str)).astype(object)
    extra = []
    if adcodes is not None:
        out["adcode"] = adcodes
        out["district_name"] = district_names
        extra = ["adcode", "district_name"]
    if ctx.locations:
        out["location_check"], out["boundary_distance_m"] = _location_columns(ctx)
        extra += ["location_check", "boundary_distance_m"]
        out.attrs["location_check"] = {"units": list(ctx.locations),
                                       "boundary_m": max(f.boundary_m for f in ctx.locations.values())}
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
    row_names: str = "index",
    hint: str | None = None,
    boundary_m: float | None = None,
    units: gpd.GeoDataFrame | None = None,
    unit_column: str | None = None,
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
    row_names : {"index", "line", "feature"}
        How rows without an id are named: index label, spreadsheet line
        (header = line 1) or feature number (1-based); see :class:`zzgeo._problems.RowNames`.
    hint : str, optional
        What the error tells the user to do (default: fix the rows or pass ``on_error='flag'``).
    boundary_m : float, optional
        Threshold (m) of the "near a boundary" flag of every location check
        (:func:`~zzgeo.registers.checks.location_check`) that does not set its
        own; default ``data/limits.toml`` (100 m); 0 turns the flag off.
    units : geopandas.GeoDataFrame, optional
        Analysis units (街道 polygons with ``unit_name``/``unit_code``, see
        ``data/analysis_units.toml``): after the theme's checks, every row is
        also checked against them (``location_check(unit_column, units=units,
        what="unit")``).
    unit_column : str, optional
        The register column naming the unit (default: a column headed
        ``街道``, ``乡镇``, ``乡镇(街道)``, ``社区``, ``street``, ... if there
        is one; else only the proximity flag).

    Returns
    -------
    geopandas.GeoDataFrame or pandas.DataFrame
        EPSG:4326, the input's index; the schema's columns first (parsed
        values), then ``adcode``/``district_name`` (``locate`` schemas),
        ``location_check``/``boundary_distance_m`` (when a location check ran),
        ``issues``, ``notes``, ``valid``, then the other columns as they came.
        ``attrs["notes"]`` lists file-level notes (unit conversions, CRS assumed);
        ``attrs["location_check"]`` the units checked and the threshold.

    Raises
    ------
    EmptyInputError
        The register has no rows.
    SchemaError
        Required columns missing, a bad column mapping; with ``on_error="raise"`` any row error.
    OutsideAreaError, GeometryError
        With ``on_error="raise"``, when all bad rows are of that one kind.

    Examples
    --------
    Three shelters given with lon/lat in WGS-84. ``有效面积(公顷)`` is read in
    hectares (1.2 公顷 = 12,000 m²); S3's area of 0 breaks the hard range
    ``gt = 0``, so with ``on_error="flag"`` it comes back with an issue and
    ``valid = False``; the other two are located in their districts.

    >>> import pandas as pd
    >>> shelters = pd.DataFrame({"编号": ["S1", "S2", "S3"], "名称": ["公园甲", "广场乙", "公园丙"],
    ...                          "类别": ["Ⅱ类", "三类", "II"], "有效面积(公顷)": [1.2, 0.35, 0],
    ...                          "lon": [113.7302, 113.5826, 113.5472], "lat": [34.8117, 34.6850, 34.7807]})
    >>> from zzgeo.registers import validate_register
    >>> checked = validate_register(shelters, "shelters/register.toml", crs="wgs84", on_error="flag", name="shelters.csv")
    >>> checked[["shelter_id", "shelter_class", "effective_area_m2", "district_name", "valid"]].values.tolist()
    [['S1', 'II', 12000.0, '金水区', True], ['S2', 'III', 3500.0, '二七区', True], ['S3', 'II', 0.0, '中原区', False]]
    >>> checked["issues"].tolist()
    ['', '', 'effective_area_m2 must be positive, got 0.0']
    >>> checked.attrs["notes"]
    ["shelters.csv: column '有效面积(公顷)' read in 公顷 (hectare) -> m² x 10,000 (effective_area_m2)"]

    By default one error names every bad row:

    >>> validate_register(shelters, "shelters/register.toml", crs="wgs84", name="shelters.csv")
    Traceback (most recent call last):
    ...
    zzgeo.errors.SchemaError: shelters.csv: 1 of 3 row(s) fail validation: 'S3': effective_area_m2 must be positive, got 0.0. Fix them, ...
    """
    check_on_error(on_error)
    ctx = check_register(frame, schema, columns=columns, crs=crs, districts=districts, checks=checks, name=name,
                         row_names=row_names, boundary_m=boundary_m, units=units, unit_column=unit_column)
    out = _assemble(ctx, ctx.adcodes, ctx.district_names)
    generated = bool(ctx.schema.id_column and ctx.schema.id_column not in ctx.values)
    out.attrs.update({"notes": ctx.file_notes, "schema": ctx.schema.id, "source": name, "row_names": row_names,
                      "first_row": ctx.label.first, "generated_ids": generated, "id_column": ctx.schema.id_column,
                      "name_column": ctx.schema.name_column})
    if on_error == "raise" and ctx.issues:
        label = ctx.label
        hint = hint or _("Fix them, or pass on_error='flag' (--on-error flag) to keep every row with an 'issues' column and analyse the valid ones")
        raise ctx.issues.error_type()(ctx.issues.message(label, what=_("row(s) fail validation"), name=name, hint=hint))
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
    row_names: str = "index",
    id_column: str | None = None,
    first: int | None = None,
    whole: bool = True,
    boundary_m: float | None = None,
    units: gpd.GeoDataFrame | None = None,
    unit_column: str | None = None,
) -> CheckContext:
    """Run every check of :func:`validate_register` and return its context, without assembling a frame.

    For analyses that go on from the parsed values and the problems found
    (``ctx.values``, ``ctx.issues``, ``ctx.notes``, ``ctx.adcodes``), such as
    :func:`zzgeo.landprice.valuation.value_parcels` on millions of parcels.

    Parameters
    ----------
    id_column : str, optional
        The column naming rows in messages, instead of the schema's id column.
    row_names : {"line", "feature", "index"}
        How rows without an id are named in messages (see :class:`zzgeo._problems.RowNames`).
    first : int, optional
        The line or feature number of the first row (default 2 for lines, the
        header being line 1; 1 for features); a partition passes its own.
    whole : bool
        Whether *frame* is the whole register. Checks across rows (repeated
        ids and records) run only on a whole register; a caller checking
        partitions runs :func:`zzgeo.registers.checks.duplicate_checks` on the
        whole first.
    boundary_m, units, unit_column : optional
        See :func:`validate_register`.

    Returns
    -------
    CheckContext
        The parsed values, issues, notes, districts and row names.

    Raises
    ------
    EmptyInputError
        The register has no rows.
    SchemaError
        Required columns missing, a bad column mapping or header unit, an
        *id_column* that is not a column.

    Examples
    --------
    The parsed areas (1.2 and 0.35 公顷 in m²), the districts found and the
    problems, with no frame assembled:

    >>> import pandas as pd
    >>> shelters = pd.DataFrame({"编号": ["S1", "S2", "S3"], "名称": ["公园甲", "广场乙", "公园丙"],
    ...                          "类别": ["Ⅱ类", "三类", "II"], "有效面积(公顷)": [1.2, 0.35, 0],
    ...                          "lon": [113.7302, 113.5826, 113.5472], "lat": [34.8117, 34.6850, 34.7807]})
    >>> from zzgeo.registers import check_register
    >>> ctx = check_register(shelters, "shelters/register.toml", crs="wgs84")
    >>> ctx.values["effective_area_m2"].tolist(), ctx.adcodes.tolist()
    ([12000.0, 3500.0, 0.0], ['410105', '410103', '410102'])
    >>> ctx.issues.joined().tolist(), ctx.label(2)
    (['', '', 'effective_area_m2 must be positive, got 0.0'], "'S3'")
    """
    schema = load_schema(schema)
    if len(frame) == 0:
        raise EmptyInputError(_("{name} has no rows (a header only?); nothing to analyse").format(name=name))
    mapped, notes = map_columns(frame, schema, columns, name=name)
    _require_columns(mapped, schema, list(frame.columns), name)
    mapped = _with_geometry(mapped, schema, crs, name, row_names)
    id_column = _mapped_id(id_column, frame, mapped.attrs.get("renamed", {})) or schema.id_column
    ctx = CheckContext(frame=mapped, values={}, issues=RowProblems(len(mapped)), notes=RowProblems(len(mapped)),
                       schema=schema, name=name, conversions=mapped.attrs.get("conversions", {}), id_column=id_column,
                       label=row_namer(mapped, schema, row_names, id_column, first))
    ctx.file_notes = [*frame.attrs.get("notes", []), *notes, *([frame.attrs["crs_note"]] if frame.attrs.get("crs_note") else [])]
    ctx.boundary_m = boundary_m
    parse_values(ctx)
    pandera_checks(ctx)
    plausibility_notes(ctx)
    if whole:
        duplicate_checks(ctx)
    empty_notes(ctx)
    if schema.geometry:
        empty = geometry_checks(ctx)
        if schema.locate:
            locate(ctx, districts, empty)
    for check in checks:
        check(ctx)
    if units is not None and schema.geometry:
        location_check(unit_column if unit_column is not None else _unit_column(mapped, schema), units=units, what="unit")(ctx)
    return ctx


#: Headers of a register column naming a 街道/乡镇/社区 (compared as headers are, see :func:`zzgeo.registers.schema.header_key`).
_UNIT_HEADERS = ("街道", "街道名称", "所属街道", "乡镇", "所属乡镇", "乡镇(街道)", "乡镇街道", "街道乡镇", "街镇", "社区", "所属社区",
                 "社区名称", "street", "subdistrict", "township")


def _unit_column(frame: pd.DataFrame, schema: RegisterSchema) -> str | None:
    """The register column that names a 街道/乡镇/社区, if exactly one header says so. A column of the schema is
    never one: those name what the schema says (the children's ``unit`` is the plan's 区县 or zone, not a 街道)."""
    wanted = {header_key(h) for h in _UNIT_HEADERS}
    found = [c for c in frame.columns if c != "geometry" and c not in schema.columns and header_key(c) in wanted]
    return found[0] if len(found) == 1 else None


def _mapped_id(id_column: str | None, frame: pd.DataFrame, renamed: Mapping[object, str]) -> str | None:
    """*id_column* as it is called after the headers were mapped (``编号`` -> ``parcel_id``)."""
    if id_column is None:
        return None
    if id_column not in frame.columns:
        raise SchemaError(_("id column {column!r} is not a column; columns: {columns!r}").format(
            column=id_column, columns=[plain(c) for c in frame.columns]))
    return renamed.get(id_column, id_column)


def whole_register_problems(
    frame: pd.DataFrame,
    schema: str | Path | RegisterSchema,
    *,
    columns: Mapping[str, str] | None = None,
    name: str = "register",
    row_names: str = "index",
    id_column: str | None = None,
) -> CheckContext:
    """The checks across rows of a whole register (repeated ids, records repeated whole), without the rest.

    For a caller that checks a large register in partitions
    (:func:`zzgeo.landprice.valuation.scale.value_parcels_dask`): it runs this once on the whole
    register and the row checks per partition (``check_register(..., whole=False)``).
    Returns the context: ``issues`` holds the repeats, ``label`` names rows.

    Raises
    ------
    EmptyInputError
        The register has no rows.
    SchemaError
        A bad column mapping or header unit, an *id_column* that is not a column.

    Examples
    --------
    The second row repeats the id of the first (line 2 of the CSV): an error
    on the later row only.

    >>> import pandas as pd
    >>> from zzgeo.registers import whole_register_problems
    >>> frame = pd.DataFrame({"编号": ["S1", "S1", "S2"], "名称": ["公园甲", "广场乙", "公园丙"]})
    >>> ctx = whole_register_problems(frame, "shelters/register.toml", row_names="line")
    >>> ctx.issues.joined().tolist()
    ['', "shelter_id 'S1' repeats line 2", '']
    """
    schema = load_schema(schema)
    if len(frame) == 0:
        raise EmptyInputError(_("{name} has no rows (a header only?); nothing to analyse").format(name=name))
    mapped, _notes = map_columns(frame, schema, columns, name=name)
    id_column = _mapped_id(id_column, frame, mapped.attrs.get("renamed", {})) or schema.id_column
    ctx = CheckContext(frame=mapped, values={}, issues=RowProblems(len(mapped)), notes=RowProblems(len(mapped)),
                       schema=schema, name=name, id_column=id_column, label=row_namer(mapped, schema, row_names, id_column))
    parse_values(ctx)
    duplicate_checks(ctx)
    return ctx


def _require_columns(frame: pd.DataFrame, schema: RegisterSchema, found: list, name: str) -> None:
    missing = [c for c, spec in schema.columns.items() if spec.required and c not in frame.columns]
    if missing:
        accepted = "; ".join(f"{c}: {', '.join(schema.aliases()[c][:7])}" for c in missing)
        raise SchemaError(_("{name} lacks required column(s) {missing!r}; found {found!r}. "
                            "Accepted headers - {accepted}. Or map yours with columns= / --columns").format(
            name=name, missing=missing, found=[plain(c) for c in found], accepted=accepted))


def _with_geometry(frame: pd.DataFrame, schema: RegisterSchema, crs: object, name: str, row_names: str = "index") -> pd.DataFrame:
    """*frame* in WGS-84 (points made from lon/lat columns for a plain table); attrs kept."""
    import geopandas as gpd

    from zzgeo.crs import STORAGE_CRS, to_wgs84

    if not schema.geometry:
        out = frame.copy(deep=False)  # copy-on-write: the caller's frame is never changed, and nothing is copied up front
    elif not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        from zzgeo.io import frame_from_coordinates

        out = frame_from_coordinates(pd.DataFrame(frame), crs=crs, name=name, row_names=row_names)
    elif crs is None and frame.crs is not None and frame.crs == STORAGE_CRS:
        out = frame.copy(deep=False)
    else:
        out = to_wgs84(frame, crs=crs, name=name)
    out.attrs = {**frame.attrs, **out.attrs}
    return out


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
    boundary_m: float | None = None,
    units: gpd.GeoDataFrame | None = None,
    unit_column: str | None = None,
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
    districts, on_error, checks, name, boundary_m, units, unit_column
        See :func:`validate_register`.
    hint : str, optional
        What the error tells the user to do.

    Returns
    -------
    geopandas.GeoDataFrame or pandas.DataFrame
        As :func:`validate_register`; rows of a CSV/Excel file are named by
        their line, features by their number.

    Raises
    ------
    FileNotFoundError
        No such file.
    EmptyInputError, SchemaError, OutsideAreaError, GeometryError, CRSError
        As :func:`validate_register`; a CSV/Excel without *crs*.

    Examples
    --------
    A CSV written to a temporary folder, with an area in hectares
    (1.2 公顷 = 12,000 m², 0.35 公顷 = 3,500 m²) and coordinates in ``经度``/``纬度``:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from zzgeo.registers import load_register
    >>> table = pd.DataFrame({"编号": ["S1", "S2"], "名称": ["公园甲", "广场乙"], "类别": ["Ⅱ类", "三类"],
    ...                       "有效面积(公顷)": [1.2, 0.35], "经度": [113.7302, 113.5826], "纬度": [34.8117, 34.6850]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "shelters.csv"
    ...     table.to_csv(path, index=False)
    ...     shelters = load_register(path, "shelters/register.toml", crs="wgs84")
    >>> shelters[["shelter_id", "shelter_class", "effective_area_m2", "district_name"]].values.tolist()
    [['S1', 'II', 12000.0, '金水区'], ['S2', 'III', 3500.0, '二七区']]
    >>> shelters.crs.to_epsg(), shelters.attrs["row_names"], bool(shelters["valid"].all())
    (4326, 'line', True)
    """
    from zzgeo.io import read_vector

    schema = load_schema(schema)
    columns = dict(columns or {})
    kind = row_names_of(source)
    if isinstance(source, pd.DataFrame):
        frame, label = source, name or "register"
    else:
        from zzgeo.store import is_postgis, redact

        label = name or (redact(str(source)) if is_postgis(source) else str(source))
        x = next((k for k, v in columns.items() if v in ("lon", "x")), None)
        y = next((k for k, v in columns.items() if v in ("lat", "y")), None)
        if schema.geometry:
            frame = read_vector(source, layer=layer, crs=crs, x=x, y=y, sheet=sheet, name=label)
        else:  # a side table without locations (plot-ratio coefficients, children per unit)
            from zzgeo.io import read_table

            frame = _read_plain_table(source, layer=layer, sheet=sheet, name=label, read_table=read_table, read_vector=read_vector)
        crs = None
    columns = {k: v for k, v in columns.items() if v not in ("lon", "lat", "x", "y")}
    return validate_register(frame, schema, columns=columns, crs=crs, districts=districts, on_error=on_error,
                             checks=checks, name=label, row_names=kind, hint=hint, boundary_m=boundary_m, units=units,
                             unit_column=unit_column)


def _read_plain_table(source, *, layer, sheet, name, read_table, read_vector) -> pd.DataFrame:
    from zzgeo._problems import row_names_of

    if row_names_of(source) == "line":
        frame = read_table(source, sheet=sheet, name=name)
        if len(frame) == 0:
            raise EmptyInputError(_("{name!r} has no rows (a header only?); nothing to read").format(name=name))
        return frame
    vector = read_vector(source, layer=layer, name=name)
    return pd.DataFrame(vector.drop(columns=vector.geometry.name))


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

    Returns
    -------
    callable
        ``read_<what>(source, *, crs=None, columns=None, layer=None, sheet=None,
        districts=None, on_error="raise", boundary_m=None, units=None, unit_column=None)``.

    Examples
    --------
    A shelter reader, used on a GeoDataFrame (1.2 公顷 = 12,000 m²):

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.registers import register_reader
    >>> read_shelters = register_reader("shelters/register.toml", what="shelters")
    >>> read_shelters.__name__
    'read_shelters'
    >>> frame = gpd.GeoDataFrame({"名称": ["公园甲"], "类别": ["Ⅱ类"], "有效面积(公顷)": [1.2]},
    ...                          geometry=[Point(113.7302, 34.8117)], crs="EPSG:4326")
    >>> read_shelters(frame)[["shelter_id", "effective_area_m2", "district_name"]].values.tolist()
    [['row-1', 12000.0, '金水区']]
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
        boundary_m: float | None = None,
        units: gpd.GeoDataFrame | None = None,
        unit_column: str | None = None,
    ) -> pd.DataFrame:
        return load_register(source, schema, crs=crs, columns=columns, layer=layer, sheet=sheet, districts=districts,
                             on_error=on_error, checks=checks, name=what if isinstance(source, pd.DataFrame) else None,
                             boundary_m=boundary_m, units=units, unit_column=unit_column)

    reader.__name__ = f"read_{what.replace(' ', '_')}"
    reader.__doc__ = (f"Read and validate a {what} register (schema ``data/{schema}``) from any source the common "
                      "loader reads; options as :func:`zzgeo.registers.load_register`.")
    return reader


def usable_rows(register: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The valid rows of a validated register and how many were left out.

    Parameters
    ----------
    register : pandas.DataFrame
        Validated with ``on_error="flag"`` (it has a ``valid`` column).

    Returns
    -------
    (rows, left_out) : pandas.DataFrame, int
        A copy of the valid rows (attrs kept), and the number of the others.

    Raises
    ------
    SchemaError
        *register* has no ``valid`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> shelters = pd.DataFrame({"编号": ["S1", "S2", "S3"], "名称": ["公园甲", "广场乙", "公园丙"],
    ...                          "类别": ["Ⅱ类", "三类", "II"], "有效面积(公顷)": [1.2, 0.35, 0],
    ...                          "lon": [113.7302, 113.5826, 113.5472], "lat": [34.8117, 34.6850, 34.7807]})
    >>> from zzgeo.registers import usable_rows, validate_register
    >>> checked = validate_register(shelters, "shelters/register.toml", crs="wgs84", on_error="flag")
    >>> rows, left_out = usable_rows(checked)
    >>> rows["shelter_id"].tolist(), left_out  # S3 has an area of 0
    (['S1', 'S2'], 1)
    """
    if "valid" not in register:
        raise SchemaError(_("usable_rows needs a validated register (a 'valid' column); load it with load_register"))
    valid = register["valid"].astype(bool).to_numpy()
    out = register[valid].copy()
    out.attrs = dict(register.attrs)
    return out, int((~valid).sum())


def _rows_of(register: pd.DataFrame) -> RowNames:
    """How the rows of a validated register (or a valuation result) are named, from its attrs."""
    id_column = register.attrs.get("id_column")
    own = id_column and id_column in register and not register.attrs.get("generated_ids", False)
    name_column = register.attrs.get("name_column")
    return RowNames(register.index, register.attrs.get("row_names", "index"),
                    ids=register[id_column].to_numpy(dtype=object) if own else None,
                    names=register[name_column].to_numpy(dtype=object) if name_column and name_column in register else None,
                    first=register.attrs.get("first_row"))


def _records(register: pd.DataFrame, positions: np.ndarray, texts: np.ndarray, key: str) -> list[dict[str, Any]]:
    rows = _rows_of(register)
    out = []
    for pos, text in zip(positions, texts, strict=True):
        rec: dict[str, Any] = {"row": rows.place(int(pos))}
        own = rows.id(int(pos))
        if own is not None:
            rec["id"] = own
        if rows.names is not None and not is_empty(rows.names[pos]):
            rec["name"] = plain(rows.names[pos])
        rec[key] = text
        out.append(rec)
    return out


def rejected_rows(register: pd.DataFrame, *, id_column: str | None = None, name_column: str | None = None,
                  column: str = "issues") -> list[dict[str, Any]]:
    """The rows left out of an analysis: ``[{"row": "line 5", "id": ..., "name": ..., "reason": issues}, ...]``.

    ``row`` is where the row is: its spreadsheet line (``"line 5"``) for
    CSV/Excel, its feature number (``"feature 3"``) for vector files and
    PostGIS, else its index label (``"row 'a'"``); ``id`` only when the
    register carried its own ids. *column* holds the reasons (``"error"`` for
    a valuation result).

    Parameters
    ----------
    register : pandas.DataFrame
        Validated with ``on_error="flag"``.
    id_column, name_column : str, optional
        Override the id and name columns recorded in ``register.attrs``.
    column : str, default "issues"

    Returns
    -------
    list of dict
        ``[]`` when *register* has no *column*.

    Examples
    --------
    >>> import pandas as pd
    >>> shelters = pd.DataFrame({"编号": ["S1", "S2", "S3"], "名称": ["公园甲", "广场乙", "公园丙"],
    ...                          "类别": ["Ⅱ类", "三类", "II"], "有效面积(公顷)": [1.2, 0.35, 0],
    ...                          "lon": [113.7302, 113.5826, 113.5472], "lat": [34.8117, 34.6850, 34.7807]})
    >>> from zzgeo.registers import rejected_rows, validate_register
    >>> checked = validate_register(shelters, "shelters/register.toml", crs="wgs84", on_error="flag")
    >>> rejected_rows(checked)
    [{'row': 'row 2', 'id': 'S3', 'name': '公园丙', 'reason': 'effective_area_m2 must be positive, got 0.0'}]
    """
    if column not in register:
        return []
    if id_column is not None or name_column is not None:
        register = register.copy(deep=False)
        register.attrs = {**register.attrs, **({"id_column": id_column} if id_column else {}),
                          **({"name_column": name_column} if name_column else {})}
    texts = register[column].fillna("").astype(str).to_numpy(dtype=object)
    bad = np.flatnonzero(texts != "")
    return _records(register, bad, texts[bad], "reason")


def row_notes(register: pd.DataFrame, *, column: str = "notes") -> list[dict[str, Any]]:
    """Every row with a note (a warning that does not stop the row): ``[{"row": ..., "id": ..., "note": ...}, ...]``.

    Parameters
    ----------
    register : pandas.DataFrame
        Validated (it has a *column* of notes).
    column : str, default "notes"

    Returns
    -------
    list of dict
        ``row``, ``id`` (when the register has its own), ``name`` and ``note``;
        ``[]`` when *register* has no *column*.

    Examples
    --------
    An effective area of 50 m² lies inside the hard range but below the
    plausible 100 m²: the row stays valid, with a note.

    >>> import pandas as pd
    >>> from zzgeo.registers import row_notes, validate_register
    >>> frame = pd.DataFrame({"编号": ["S1", "S2"], "名称": ["公园甲", "广场乙"], "类别": ["II", "III"],
    ...                       "有效面积": [12000, 50], "lon": [113.7302, 113.5826], "lat": [34.8117, 34.6850]})
    >>> checked = validate_register(frame, "shelters/register.toml", crs="wgs84")
    >>> checked["valid"].tolist()
    [True, True]
    >>> row_notes(checked)
    [{'row': 'row 1', 'id': 'S2', 'name': '广场乙', 'note': 'effective_area_m2 50 m² is outside the plausible range 100..3e+06 m²: ...'}]
    """
    if column not in register:
        return []
    texts = register[column].fillna("").astype(str).to_numpy(dtype=object)
    noted = np.flatnonzero(texts != "")
    return _records(register, noted, texts[noted], "note")


def location_counts(register: pd.DataFrame) -> dict[str, Any] | None:
    """How many used rows of a register disagree with the map, and how many points lie near a boundary.

    Rows left out (``valid`` false) are not counted, as their notes are not shown.

    Parameters
    ----------
    register : pandas.DataFrame
        Validated with a location check (it has a ``location_check`` column).

    Returns
    -------
    dict or None
        ``{"disagree": int, "near_boundary": int, "boundary_m": float, "units": [str, ...]}``;
        None when no location check ran.

    Examples
    --------
    >>> import pandas as pd
    >>> from zzgeo.registers import location_counts
    >>> frame = pd.DataFrame({"location_check": ["", "district disagrees", "district disagrees; near district boundary",
    ...                                          "near district boundary"], "valid": [True, True, True, False]})
    >>> frame.attrs["location_check"] = {"units": ["district"], "boundary_m": 100.0}
    >>> location_counts(frame)
    {'disagree': 2, 'near_boundary': 1, 'boundary_m': 100.0, 'units': ['district']}
    """
    if "location_check" not in register:
        return None
    text = register["location_check"].fillna("").astype(str)
    if "valid" in register:
        text = text[register["valid"].astype(bool).to_numpy()]
    meta = register.attrs.get("location_check") or {}
    return {"disagree": int(text.str.contains("disagrees", regex=False).sum()),
            "near_boundary": int(text.str.contains("boundary", regex=False).sum()),
            "boundary_m": float(meta.get("boundary_m", 0.0)), "units": list(meta.get("units", ["district"]))}


def location_summary(counts: Mapping[str, Any] | None) -> str | None:
    """The one line of a run's notes that counts the rows :func:`location_counts` found (None when there are none).

    Examples
    --------
    >>> from zzgeo.registers import location_summary
    >>> location_summary({"disagree": 3, "near_boundary": 5, "boundary_m": 100.0, "units": ["district"]})
    '3 row(s) name a district other than the one their coordinates fall in (counted by location); 5 point(s) lie within 100 m of a district boundary (check the coordinates)'
    >>> location_summary({"disagree": 0, "near_boundary": 0, "boundary_m": 100.0, "units": ["district"]}) is None
    True
    """
    if not counts or not (counts["disagree"] or counts["near_boundary"]):
        return None
    from zzgeo.registers.checks import _unit_word

    what = " or ".join(_unit_word(u) for u in counts.get("units") or ["district"])
    parts = []
    if counts["disagree"]:
        parts.append(_("{n} row(s) name a {what} other than the one their coordinates fall in (counted by location)").format(
            n=counts["disagree"], what=what))
    if counts["near_boundary"]:
        parts.append(_("{n} point(s) lie within {distance:g} m of a {what} boundary (check the coordinates)").format(
            n=counts["near_boundary"], distance=counts["boundary_m"], what=what))
    return "; ".join(parts)
