"""Register schemas as data: columns, vocabularies, units, geometry rule (see :mod:`zzgeo.registers`)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zzgeo._data import load_toml, packaged
from zzgeo.errors import SchemaError, UnknownCodeError
from zzgeo.i18n import _

__all__ = ["COLUMN_TYPES", "GEOMETRY_KINDS", "Vocabulary", "PlausibleCase", "ColumnSpec", "RegisterSchema", "load_schema",
           "empty_cells", "is_empty", "nfkc", "header_key", "bound_text"]

COLUMN_TYPES = ("text", "number", "integer", "category", "bool", "date")
GEOMETRY_KINDS = {"point": ("Point", "MultiPoint"), "polygon": ("Polygon", "MultiPolygon"),
                  "line": ("LineString", "MultiLineString")}
_BRACKETS = re.compile(r"[\(（\[【].*?[\)）\]】]")
RANGE_TEXT = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}


def _date_bound(value: Any) -> pd.Timestamp:
    """A date bound of a schema: a TOML date, or ``"today"`` (the day of the run)."""
    if isinstance(value, str) and value.strip().lower() == "today":
        return pd.Timestamp.today().normalize()
    return pd.Timestamp(value)


def bound_text(value: Any) -> str:
    """A range bound as written in messages: ``1e+06`` -> ``1e+06``, a timestamp as its date."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return f"{value:g}" if isinstance(value, float) else str(value)


def nfkc(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip()


def header_key(header: object) -> str:
    return _BRACKETS.sub("", nfkc(header)).strip().casefold().replace(" ", "").replace("_", "").replace("-", "")


def empty_cells(values: pd.Series) -> np.ndarray:
    """Boolean mask of empty cells (missing, or text of blanks only), vectorised."""
    mask = np.array(values.isna(), dtype=bool)
    if values.dtype != object and pd.api.types.is_string_dtype(values):  # a string dtype (pyarrow): no per-cell work
        return mask | (values.str.strip() == "").fillna(False).to_numpy(dtype=bool)
    if values.dtype == object:
        text = values[~mask]
        is_text = text.map(type).to_numpy() == str if len(text) else np.zeros(0, dtype=bool)
        if is_text.any():
            blank = text[is_text].str.strip().to_numpy() == ""
            idx = np.flatnonzero(~mask)[is_text]
            mask[idx[blank]] = True
    return mask


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or (
        isinstance(value, str) and value.strip() == "")


def _cells_to_factorise(values: pd.Series) -> object:
    """The cells of *values* as :func:`pandas.factorize` reads them fastest with the same distinct cells.

    A pyarrow string column is factorised as it is, in C, with no Python string made
    per row; any other column as objects (python-storage strings too: their cells are
    Python strings already, and an object array factorises in ~60 % of the time of the
    string array), so that the distinct cells are those of the cells as written (``1``
    and ``"1"`` stay two).
    """
    if values.dtype != object and pd.api.types.is_string_dtype(values) and getattr(values.dtype, "storage", None) == "pyarrow":
        return values.array
    return values.to_numpy(dtype=object)


# ----------------------------------------------------------------------------- schema objects


@dataclass(frozen=True)
class Vocabulary:
    """Allowed values of a category column and the words that mean each.

    Attributes
    ----------
    name : str
    what : str
        How messages name a value (``"class"``, ``"source type"``).
    hint : str
        The allowed values as a user writes them, for messages.
    terms : mapping of str to tuple of str
        Canonical value -> accepted words (the canonical value is always accepted).
    labels : mapping of str to str
        Canonical value -> Chinese label for outputs.
    names_en : mapping of str to str
        Canonical value -> English name, for the English interface (``[vocabularies.X.names_en]``; optional).
    strip : tuple of str
        Noise removed from a cell before matching (``"类"``, ``"class"``).

    Examples
    --------
    The shelter classes of the packaged shelter register: full-width Roman
    numerals, Chinese numerals and noise words all read as the canonical
    class; an unknown word and an empty cell read as ``None``.

    >>> from zzgeo.registers import load_schema
    >>> classes = load_schema("shelters/register.toml").vocabularies["shelter_class"]
    >>> [classes.parse(cell) for cell in ["Ⅱ类", "三", "class 1", "IV", ""]]
    ['II', 'III', 'I', None, None]
    >>> classes.values, classes.labels["II"]
    (['I', 'II', 'III'], 'Ⅱ类')

    Built by hand; case, spaces, ``_`` and ``-`` are ignored:

    >>> import pandas as pd
    >>> from zzgeo.registers import Vocabulary
    >>> setting = Vocabulary("setting", "indoor/outdoor value", "室内/室外", {"indoor": ("室内",), "outdoor": ("室外", "露天")})
    >>> setting.parse_series(pd.Series(["露天", "In door", "半室内", None])).tolist()
    ['outdoor', 'indoor', None, None]
    """

    name: str
    what: str
    hint: str
    terms: Mapping[str, tuple[str, ...]]
    labels: Mapping[str, str] = field(default_factory=dict)
    strip: tuple[str, ...] = ()
    names_en: Mapping[str, str] = field(default_factory=dict)
    _lookup: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup = {}
        for canonical, words in self.terms.items():
            for word in (canonical, *words, self.labels.get(canonical, "")):
                if str(word).strip():
                    lookup.setdefault(self._key(word), canonical)
        object.__setattr__(self, "_lookup", lookup)

    def _key(self, value: object) -> str:
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        text = nfkc(value).casefold()
        for noise in self.strip:
            text = text.replace(nfkc(noise).casefold(), "")
        text = text.replace(" ", "").replace("_", "").replace("-", "")
        return re.sub(r"^(\d+)\.0+$", r"\1", text)

    def parse(self, value: object) -> str | None:
        """Canonical value of one cell, or ``None`` when it is empty or not recognised."""
        if is_empty(value):
            return None
        return self._lookup.get(self._key(value))

    def parse_codes(self, values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Factorised cells: ``codes``, the distinct cells as written and their canonical values.

        ``codes`` index both arrays; their last entry stands for empty cells
        (as written: ``None``; canonical: ``None``). Unknown words have a
        canonical value of ``None`` too.
        """
        codes, uniques = pd.factorize(_cells_to_factorise(values), use_na_sentinel=True)
        written = np.append(np.asarray(uniques, dtype=object), None)
        parsed = np.array([self.parse(u) for u in uniques] + [None], dtype=object)
        codes[codes < 0] = len(written) - 1  # in place: factorize's codes are a new array
        return codes, written, parsed

    def parse_series(self, values: pd.Series) -> pd.Series:
        """Canonical values (object, ``None`` where empty or unknown); maps each distinct cell once."""
        codes, _written, parsed = self.parse_codes(values)
        return pd.Series(parsed[codes], index=values.index, dtype=object)

    @property
    def values(self) -> list[str]:
        """The canonical values."""
        return list(self.terms)


@dataclass(frozen=True)
class PlausibleCase:
    """The plausible range of a column for some values of a category column (``[[columns.X.plausible_cases]]``).

    Attributes
    ----------
    values : tuple of str
        Canonical values of the category column named by the column's ``plausible_by``.
    plausible : (low, high)
        Either may be None.
    why, why_zh : str
        The reason and its source, in English and in Chinese (``plausible_why``, ``plausible_why_zh``).

    Examples
    --------
    The places of a new school are not those of a childcare centre:

    >>> from zzgeo.registers import load_schema
    >>> places = load_schema("children/facilities.toml").columns["places"]
    >>> places.plausible_by, [(c.values, c.plausible) for c in places.plausible_cases][0]
    ('type', (('childcare', 'childcare_demo'), (1.0, 300.0)))
    """

    values: tuple[str, ...]
    plausible: tuple[Any, Any]
    why: str = ""
    why_zh: str = ""

    def why_text(self, lang: str = "en") -> str:
        """The reason in *lang* (the English one where no Chinese is given)."""
        return self.why_zh if lang == "zh" and self.why_zh else self.why


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a register schema (see :mod:`zzgeo.registers`).

    Examples
    --------
    The effective area of the shelter register: a required number in m²
    (header units convert to it), an error outside (0, 7.6e9] and a note
    outside [100, 3,000,000]:

    >>> from zzgeo.registers import load_schema
    >>> area = load_schema("shelters/register.toml").columns["effective_area_m2"]
    >>> area.type, area.required, area.unit_label
    ('number', True, 'm²')
    >>> area.ranges(), area.plausible
    ([('gt', 0.0), ('le', 7600000000.0)], (100.0, 3000000.0))
    """

    name: str
    type: str
    headers: tuple[str, ...] = ()
    title: str = ""
    quantity: str | None = None
    vocabulary: str | None = None
    required: bool = False
    nullable: bool = True
    empty: str = ""
    unique: bool = False
    gt: Any = None
    ge: Any = None
    lt: Any = None
    le: Any = None
    why: str = ""
    plausible: tuple[Any, Any] = (None, None)
    plausible_why: str = ""
    description: str = ""
    why_zh: str = ""
    plausible_why_zh: str = ""
    plausible_by: str | None = None
    plausible_cases: tuple[PlausibleCase, ...] = ()

    def why_text(self, lang: str = "en") -> str:
        """The reason of the hard range in *lang* (``why_zh`` for ``zh`` where the schema has it)."""
        return self.why_zh if lang == "zh" and self.why_zh else self.why

    def plausible_why_text(self, lang: str = "en") -> str:
        """The reason of the plausible range in *lang* (``plausible_why_zh`` for ``zh`` where the schema has it)."""
        return self.plausible_why_zh if lang == "zh" and self.plausible_why_zh else self.plausible_why

    def ranges(self) -> list[tuple[str, Any]]:
        """``[("gt", 0.0), ...]`` for the bounds this column has (the hard range: outside it a row is an error);
        numbers are floats, dates (``type = "date"``) timestamps."""
        return [(op, getattr(self, op)) for op in ("gt", "ge", "lt", "le") if getattr(self, op) is not None]

    @property
    def unit_label(self) -> str:
        """The canonical unit of the column's quantity (``"m²"``), or ``""``."""
        if not self.quantity:
            return ""
        from zzgeo.registers.quantities import quantities

        return quantities()[self.quantity].label


@dataclass(frozen=True, eq=False)  # hashed by identity: schemas are loaded once and cached
class RegisterSchema:
    """A register's columns, vocabularies, geometry rule and provenance, read from a TOML file.

    Made by :func:`load_schema`.

    Examples
    --------
    >>> from zzgeo.registers import load_schema
    >>> schema = load_schema("shelters/register.toml")
    >>> schema.id, schema.id_column, schema.geometry, schema.locate
    ('shelters.register', 'shelter_id', ('point', 'polygon'), True)
    >>> schema.aliases()["effective_area_m2"][:4], schema.headings()["effective_area_m2"]
    (('effective_area_m2', 'effective_area', 'usable_area', 'usable_area_m2'), '有效面积(㎡)')
    >>> schema.vocabulary("shelter_class").hint
    'I/II/III, Ⅰ/Ⅱ/Ⅲ, 1/2/3 or 一类/二类/三类'
    """

    id: str
    title: str
    columns: dict[str, ColumnSpec]
    vocabularies: dict[str, Vocabulary]
    geometry: tuple[str, ...] = ("point", "polygon")
    id_column: str | None = None
    name_column: str | None = None
    locate: bool = True
    id_prefix: str = "row-"
    source: str = ""
    path: str = ""
    keys: tuple[tuple[str, ...], ...] = ()
    source_zh: str = ""

    def source_text(self, lang: str = "en") -> str:
        """The source in *lang* (``source_zh`` of ``[register]`` for ``zh`` where the schema has it)."""
        return self.source_zh if lang == "zh" and self.source_zh else self.source

    def aliases(self) -> dict[str, tuple[str, ...]]:
        """Canonical column -> accepted headers: the canonical name, the listed headers, and the column's own
        Chinese title (so a table written with zzgeo's headings reads back), unless another column claims it."""
        out = {name: (name, *spec.headers) for name, spec in self.columns.items()}
        claimed = {header_key(h) for names in out.values() for h in names}
        for name, spec in self.columns.items():
            if spec.title and header_key(spec.title) not in claimed:
                out[name] = (*out[name], spec.title)
        return out

    def vocabulary(self, column: str) -> Vocabulary:
        """The vocabulary of a category column."""
        spec = self.columns[column]
        if spec.vocabulary is None or spec.vocabulary not in self.vocabularies:
            raise UnknownCodeError(_("schema {schema!r}: column {column!r} has no vocabulary").format(schema=self.id, column=column))
        return self.vocabularies[spec.vocabulary]

    def headings(self, language: str = "zh") -> dict[str, str]:
        """Column -> heading for outputs (Chinese titles where the schema has them)."""
        if language == "en":
            return {name: name for name in self.columns}
        return {name: spec.title or name for name, spec in self.columns.items()}

    def describe(self) -> list[dict[str, Any]]:
        """One JSON-ready record per column: name, title, type, unit, required, allowed values, range."""
        rows = []
        for name, spec in self.columns.items():
            rows.append({
                "column": name, "title": spec.title, "type": spec.type, "required": spec.required,
                "nullable": spec.nullable, "headers": list(spec.headers),
                "unit": spec.unit_label,
                "values": self.vocabulary(name).values if spec.vocabulary else [],
                "range": " ".join(f"{RANGE_TEXT[op]} {bound_text(v)}" for op, v in spec.ranges()),
                "range_why": spec.why,
                "plausible": " ".join(f"{t} {bound_text(v)}" for t, v in zip((">=", "<="), spec.plausible, strict=True) if v is not None),
                "plausible_why": spec.plausible_why,
                **({"plausible_by": spec.plausible_by, "plausible_cases": [
                    {"values": list(case.values),
                     "plausible": " ".join(f"{t} {bound_text(v)}" for t, v in zip((">=", "<="), case.plausible, strict=True)
                                           if v is not None),
                     "plausible_why": case.why} for case in spec.plausible_cases]} if spec.plausible_by else {}),
                "description": spec.description,
            })
        return rows


def _vocabulary(name: str, raw: Mapping[str, Any]) -> Vocabulary:
    terms = {str(k): tuple(str(w) for w in v) for k, v in dict(raw.get("terms", {})).items()}
    if not terms:
        raise SchemaError(_("vocabulary {name!r} has no terms").format(name=name))
    return Vocabulary(name=name, what=str(raw.get("what", name)), hint=str(raw.get("hint", ", ".join(terms))),
                      terms=terms, labels={str(k): str(v) for k, v in dict(raw.get("labels", {})).items()},
                      strip=tuple(str(s) for s in raw.get("strip", ())),
                      names_en={str(k): str(v) for k, v in dict(raw.get("names_en", {})).items()})


_COLUMN_KEYS = {"type", "headers", "title", "quantity", "vocabulary", "required", "nullable", "empty", "unique",
                "gt", "ge", "lt", "le", "why", "plausible", "plausible_why", "limit", "description", "why_zh",
                "plausible_why_zh", "plausible_by", "plausible_cases"}
_CASE_KEYS = {"values", "plausible", "plausible_why", "plausible_why_zh"}


def _with_limit(raw: Mapping[str, Any], label: str, name: str) -> dict[str, Any]:
    """*raw* with the ranges of ``limit = "plot_ratio"`` (``data/limits.toml``) filled in: one source for an
    option and the register column of the same meaning."""
    if "limit" not in raw:
        return dict(raw)
    from zzgeo.limits import limits

    found = limits().get(str(raw["limit"]))
    if found is None:
        raise SchemaError(_("schema {schema!r}: column {column!r} names limit {limit!r}, which data/limits.toml lacks").format(
            schema=label, column=name, limit=raw["limit"]))
    out = {op: bound for op, bound in found.bounds}
    out.update({"why": found.why, "plausible": list(found.plausible), "plausible_why": found.plausible_why})
    out.update({k: v for k, v in (("why_zh", getattr(found, "why_zh", "")),
                                  ("plausible_why_zh", getattr(found, "plausible_why_zh", ""))) if v})
    out.update({k: v for k, v in raw.items() if k != "limit"})
    return out


def _column(name: str, raw: Mapping[str, Any], vocabularies: Mapping[str, Vocabulary], label: str, id_column: str | None) -> ColumnSpec:
    from zzgeo.registers.quantities import quantities

    unknown = sorted(set(raw) - _COLUMN_KEYS)
    if unknown:
        raise SchemaError(_("schema {schema!r}: column {column!r} has unknown key(s) {unknown}; known: {known}").format(
            schema=label, column=name, unknown=unknown, known=sorted(_COLUMN_KEYS)))
    raw = _with_limit(raw, label, name)
    kind = str(raw.get("type", "text"))
    if kind not in COLUMN_TYPES:
        raise SchemaError(_("schema {schema!r}: column {column!r} has type {kind!r}; use one of {types}").format(
            schema=label, column=name, kind=kind, types=COLUMN_TYPES))
    vocab = raw.get("vocabulary")
    if kind == "category" and vocab not in vocabularies:
        raise SchemaError(_("schema {schema!r}: category column {column!r} names vocabulary {vocabulary!r}, which the file does not define")
                          .format(schema=label, column=name, vocabulary=vocab))
    quantity = raw.get("quantity")
    if quantity is not None and quantity not in quantities():
        raise SchemaError(_("schema {schema!r}: column {column!r} has quantity {quantity!r}; known: {known}").format(
            schema=label, column=name, quantity=quantity, known=sorted(quantities())))
    convert = _date_bound if kind == "date" else float
    bounds = {op: convert(raw[op]) for op in ("gt", "ge", "lt", "le") if op in raw}
    plausible = tuple(raw.get("plausible", (None, None)))
    if len(plausible) != 2:
        raise SchemaError(_("schema {schema!r}: column {column!r}: plausible = [low, high] (either may be omitted as \"\")").format(
            schema=label, column=name))
    plausible = tuple(None if v in ("", None) else convert(v) for v in plausible)
    by, cases = _plausible_cases(name, raw, vocabularies, label, convert)
    return ColumnSpec(name=name, type=kind, headers=tuple(str(h) for h in raw.get("headers", ())),
                      title=str(raw.get("title", "")), quantity=quantity, vocabulary=vocab,
                      required=bool(raw.get("required", False)), nullable=bool(raw.get("nullable", True)),
                      empty=str(raw.get("empty", "")), unique=bool(raw.get("unique", name == id_column)),
                      why=str(raw.get("why", "")), plausible=plausible, plausible_why=str(raw.get("plausible_why", "")),
                      description=str(raw.get("description", "")), why_zh=str(raw.get("why_zh", "")),
                      plausible_why_zh=str(raw.get("plausible_why_zh", "")), plausible_by=by, plausible_cases=cases,
                      **bounds)


def _plausible_cases(name: str, raw: Mapping[str, Any], vocabularies: Mapping[str, Vocabulary], label: str,
                     convert: Any) -> tuple[str | None, tuple[PlausibleCase, ...]]:
    """``plausible_by`` and its ``[[plausible_cases]]``; the values are checked against the category column's
    vocabulary when the schema is loaded (see :func:`_check_plausible_by`)."""
    by = raw.get("plausible_by")
    cases_raw = raw.get("plausible_cases", [])
    if by is None and not cases_raw:
        return None, ()
    if by is None or not cases_raw:
        raise SchemaError(_("schema {schema!r}: column {column!r}: plausible_by and [[plausible_cases]] go together").format(
            schema=label, column=name))
    cases = []
    for case in cases_raw:
        unknown = sorted(set(case) - _CASE_KEYS)
        bounds = tuple(case.get("plausible", ()))
        if unknown or not case.get("values") or len(bounds) != 2:
            raise SchemaError(_("schema {schema!r}: column {column!r}: each [[plausible_cases]] needs values = [...] and "
                                "plausible = [low, high], and only {known}").format(schema=label, column=name, known=sorted(_CASE_KEYS)))
        cases.append(PlausibleCase(values=tuple(str(v) for v in case["values"]),
                                   plausible=tuple(None if v in ("", None) else convert(v) for v in bounds),
                                   why=str(case.get("plausible_why", "")), why_zh=str(case.get("plausible_why_zh", ""))))
    return str(by), tuple(cases)


def _check_plausible_by(columns: Mapping[str, ColumnSpec], vocabularies: Mapping[str, Vocabulary], label: str) -> None:
    """Every ``plausible_by`` names a category column of the schema, and every case value is one of its values."""
    for name, spec in columns.items():
        if spec.plausible_by is None:
            continue
        by = columns.get(spec.plausible_by)
        if by is None or by.type != "category":
            raise SchemaError(_("schema {schema!r}: column {column!r}: plausible_by {by!r} is not a category column").format(
                schema=label, column=name, by=spec.plausible_by))
        known = vocabularies[by.vocabulary].values
        unknown = sorted({v for case in spec.plausible_cases for v in case.values} - set(known))
        if unknown:
            raise SchemaError(_("schema {schema!r}: column {column!r}: plausible_cases name {unknown}, which are not values "
                                "of {by!r}").format(schema=label, column=name, unknown=unknown, by=spec.plausible_by))


@functools.lru_cache(maxsize=64)
def _load_schema_cached(path: str) -> RegisterSchema:
    doc = load_toml(path)
    head = doc.get("register")
    if not isinstance(head, dict) or not head.get("id"):
        raise SchemaError(_("schema file {path!r} needs a [register] table with an id").format(path=path))
    vocabularies = {}
    if head.get("vocabularies_from"):  # share a vocabulary with another schema (the parcels' uses)
        vocabularies.update(load_schema(str(head["vocabularies_from"])).vocabularies)
    vocabularies.update({name: _vocabulary(name, raw) for name, raw in doc.get("vocabularies", {}).items()})
    columns = {name: _column(name, raw, vocabularies, path, head.get("id_column")) for name, raw in doc.get("columns", {}).items()}
    if not columns:
        raise SchemaError(_("schema file {path!r} defines no [columns.*]").format(path=path))
    _check_plausible_by(columns, vocabularies, path)
    geometry = tuple(head.get("geometry", ("point", "polygon")))
    unknown = [g for g in geometry if g not in GEOMETRY_KINDS]
    if unknown:
        raise SchemaError(_("schema file {path!r}: geometry kinds {unknown!r}; use point, polygon or line").format(path=path, unknown=unknown))
    keys = tuple(tuple(str(c) for c in key) for key in head.get("keys", ()))
    unknown_keys = [c for key in keys for c in key if c not in columns]
    if unknown_keys:
        raise SchemaError(_("schema file {path!r}: keys name {unknown!r}, which are not columns").format(path=path, unknown=unknown_keys))
    return RegisterSchema(id=str(head["id"]), title=str(head.get("title", "")), columns=columns,
                          vocabularies=vocabularies, geometry=geometry, id_column=head.get("id_column"),
                          name_column=head.get("name_column"), locate=bool(head.get("locate", True)),
                          id_prefix=str(head.get("id_prefix", "row-")), source=str(head.get("source", "")), path=path,
                          keys=keys, source_zh=str(head.get("source_zh", "")))


def load_schema(schema: str | Path | RegisterSchema) -> RegisterSchema:
    """A register schema from a packaged data file (``"shelters/register.toml"``) or any TOML path.

    Parameters
    ----------
    schema : str, Path or RegisterSchema
        A packaged name (never looked up in the working folder), a TOML path,
        or a schema (returned as it is). Files are read once and cached.

    Returns
    -------
    RegisterSchema

    Raises
    ------
    FileNotFoundError
        No such packaged schema or file.
    SchemaError
        No ``[register]`` id or no ``[columns.*]``; an unknown column key,
        type, quantity, vocabulary, geometry kind or limit; keys naming no column.

    Examples
    --------
    A schema of one's own, written to a temporary folder: a tree register
    whose girth is a length in metres, so a header ``胸围(cm)`` converts
    320 cm to 3.2 m; a girth of 0 breaks the hard range ``gt = 0``.

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from zzgeo.registers import load_schema, validate_register
    >>> text = '''
    ... [register]
    ... id = "trees.register"
    ... title = "古树名木 (old trees)"
    ... geometry = ["point"]
    ... id_column = "tree_id"
    ... locate = false
    ... [columns.tree_id]
    ... title = "编号"
    ... type = "text"
    ... [columns.girth_m]
    ... title = "胸围"
    ... type = "number"
    ... quantity = "length"
    ... required = true
    ... gt = 0
    ... '''
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "trees.toml"
    ...     _ = path.write_text(text, encoding="utf-8")
    ...     schema = load_schema(path)
    >>> schema.id, list(schema.columns), schema.columns["girth_m"].unit_label
    ('trees.register', ['tree_id', 'girth_m'], 'm')
    >>> trees = pd.DataFrame({"编号": ["T1", "T2"], "胸围(cm)": [320, 0], "lon": [113.66, 113.67], "lat": [34.75, 34.76]})
    >>> checked = validate_register(trees, schema, crs="wgs84", on_error="flag")
    >>> checked[["tree_id", "girth_m", "valid"]].values.tolist()
    [['T1', 3.2, True], ['T2', 0.0, False]]
    >>> checked["issues"].iloc[1]
    'girth_m must be positive, got 0.0'
    """
    if isinstance(schema, RegisterSchema):
        return schema
    path = packaged(schema) or Path(schema)  # a packaged name is never looked up in the working folder
    if not path.exists():
        raise FileNotFoundError(_("no register schema {schema!r}").format(schema=str(schema)))
    return _load_schema_cached(str(path.resolve()))
