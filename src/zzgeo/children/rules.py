"""Child-friendly city rules: the target table, the 16 units and the child population of 郑政〔2022〕8号.

All three are data files that cite their clause (``data/children/targets.toml``,
``data/children/units.toml``, ``data/children/access.toml``); this module reads
and checks them. Nothing here computes attainment (see :mod:`.attainment`).
"""

from __future__ import annotations

import functools

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Optional

import numpy as np
import pandas as pd
from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from zzgeo._data import data_path, load_toml
from zzgeo.config import MISSING, ConfigModel, ConfigProblem, Finite, Positive, PositiveInt, Text, each_once, load_config, validate
from zzgeo.errors import ParameterError, SchemaError
from zzgeo.i18n import N_, _, language

__all__ = [
    "DOC_NUMBER",
    "YEARS",
    "AccessRules",
    "AccessFile",
    "AccessOverrides",
    "TargetRow",
    "TargetSource",
    "TargetTable",
    "access_rules",
    "load_targets",
    "load_units",
    "resolve_units",
    "targets_for",
    "unit_population",
]

DOC_NUMBER = "郑政〔2022〕8号"
#: The plan's milestones: targets fall due in 2022 or 2025 (year 0 in the table = standing targets).
YEARS = (2022, 2025)
MEASURES = ("count", "places", "rate", "quantity")
SCOPES = ("city", "per_unit", "per_1000_residents", "per_10000_residents", "community_share", "unit_share")
COMPARATORS = (">=", "<=", "<", "=", "~", "range")
_TARGETS = "children/targets.toml"
_UNITS = "children/units.toml"
_ACCESS = "children/access.toml"
_FACILITIES = "children/facilities.toml"


@functools.lru_cache(maxsize=1)
def _facility_keys() -> frozenset[str]:
    """The facility types of the packaged facility schema (parsed once per process, as load_toml parses packaged
    files): asked once per facility of every target row, 327 times a report, each a deep copy of the file."""
    return frozenset(load_toml(_FACILITIES)["vocabularies"]["facility_type"]["labels"])


def _facility_list(value: object) -> object:
    """``facility`` as a list: ``""`` -> ``[]``, ``"park"`` -> ``["park"]``, a list as it is."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return value
    raise ConfigProblem(_('must be a facility type, a list of them, or "" (none)'))


def _known_facilities(values: list[str]) -> list[str]:
    known = _facility_keys()
    for value in values:
        if value not in known:
            raise ConfigProblem(_("unknown facility type; allowed: {allowed}").format(allowed=", ".join(sorted(known))), value=value)
    return values


class TargetRow(ConfigModel):
    """One quantified target (a row of ``targets = [...]`` in ``data/children/targets.toml``)."""

    id: Text
    year: int
    facility: Annotated[list[str], BeforeValidator(_facility_list), AfterValidator(_known_facilities)]
    measure: Literal[MEASURES]  # type: ignore[valid-type]
    scope: Literal[SCOPES]  # type: ignore[valid-type]
    cmp: Literal[COMPARATORS]  # type: ignore[valid-type]
    value: Finite
    unit: str
    task: Text
    line: PositiveInt
    wording: Text
    annex: str = ""
    value_max: Optional[Finite] = None
    min_places: Annotated[int, Field(ge=0)] = 0
    baseline: str = ""
    counts_from: Optional[Annotated[int, Field(ge=2000, le=2100)]] = None
    note: str = ""
    community: Literal["", "urban", "rural"] = ""

    @field_validator("year")
    @classmethod
    def _milestone(cls, value: int) -> int:
        if value not in (0, *YEARS):
            raise ConfigProblem(_("must be a milestone of the plan: {first}, {second}, or 0 for a standing target").format(
                first=YEARS[0], second=YEARS[1]))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TargetRow:
        if self.measure in ("count", "places") and not self.facility:
            raise ConfigProblem(_("a {measure!r} target names no facility type; give one of facilities.toml's facility_type keys").format(
                                    measure=self.measure),
                                at=("facility",), value="")
        if self.cmp == "range" and self.value_max is None:
            raise ConfigProblem(_("cmp = 'range' needs value_max > value = {value:g}").format(value=self.value), at=("value_max",), value=MISSING)
        if self.cmp == "range" and not self.value_max > self.value:
            raise ConfigProblem(_("must be > value = {value:g} (cmp = 'range')").format(value=self.value), at=("value_max",), value=self.value_max)
        if self.cmp != "range" and self.value_max is not None:
            raise ConfigProblem(_("only read when cmp = 'range' (cmp is {cmp!r}); remove it").format(cmp=self.cmp), at=("value_max",),
                                value=self.value_max)
        if self.community and self.scope != "community_share":
            raise ConfigProblem(_("only read when scope = 'community_share' (scope is {scope!r})").format(scope=self.scope), at=("community",),
                                value=self.community)
        return self


class TargetSource(ConfigModel):
    """``[source]`` of the target table: the plan and the names of the task groups of section 四."""

    document: Text
    title: Text
    date: Text
    groups: dict[str, str]


class TargetTable(ConfigModel):
    """The target table (``data/children/targets.toml``): ``targets = [...]`` with unique ids, and ``[source]``."""

    targets: list[TargetRow] = Field(min_length=1)
    source: TargetSource

    @model_validator(mode="after")
    def _ids_once(self) -> TargetTable:
        each_once(self.targets, key="id", at="targets", what="target")
        return self


def load_targets(path: str | Path | None = None) -> pd.DataFrame:
    """Every quantified target of the plan, one row each.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file shaped like ``data/children/targets.toml`` (default: the packaged table),
        checked against :class:`TargetTable`.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``year`` (0 = standing), ``facilities`` (tuple of
        facility types), ``measure``, ``scope``, ``cmp``, ``value``,
        ``value_max``, ``unit``, ``counts_from``, ``min_places``,
        ``community``, ``task``, ``group``, ``annex``, ``line``, ``wording``,
        ``note``, ``baseline``, ``measurable`` (a facility register can
        measure it).

    Raises
    ------
    FileNotFoundError
        *path* does not exist.
    ParameterError
        Not UTF-8, not TOML or empty; an unknown key, facility type, measure,
        scope or comparator; a year that is not a milestone; a count without a
        facility type; a range without value_max > value; a repeated id (one
        line: file, key path, value, what is allowed).

    Examples
    --------
    The packaged table holds 109 quantified targets. Task 四(四)34: 20
    child-friendly parks built or rebuilt city-wide by 2025, counted from 2022:

    >>> from zzgeo.children import load_targets
    >>> targets = load_targets()
    >>> len(targets), int(targets["measurable"].sum())  # 49 name a facility type a register can count
    (109, 49)
    >>> park = targets.set_index("id").loc["park_cf_2025"]
    >>> park["task"], park["facilities"], park["scope"], park["cmp"]
    ('四(四)34', ('park_cf',), 'city', '>=')
    >>> float(park["value"]), int(park["counts_from"])
    (20.0, 2022)
    >>> park["wording"]
    '到2025年，全市新建或改建儿童友好公园20个，利用城市公园广场、社区公园、街角游园场地增加游玩设施150处。'
    >>> targets.attrs["source"]
    '郑政〔2022〕8号 郑州市人民政府关于印发郑州市儿童友好城市建设方案的通知 (2022-04-12)'
    """
    spec = load_config(path if path is not None else data_path(_TARGETS), TargetTable, what="children target file")
    groups = spec.source.groups
    frame = pd.DataFrame([row.model_dump() for row in spec.targets])
    frame["value_max"] = frame["value_max"].astype("float64")
    frame["counts_from"] = frame["counts_from"].fillna(0)
    frame["facilities"] = [tuple(f) for f in frame.pop("facility")]
    frame["group"] = [groups.get(task.split(")")[0] + ")", "") if task.startswith("四(") else "" for task in frame["task"]]
    frame["measurable"] = frame["facilities"].map(bool)
    for column in ("value", "value_max"):
        frame[column] = frame[column].astype("float64")
    for column in ("year", "counts_from", "min_places", "line"):
        frame[column] = frame[column].astype("int64")
    frame.attrs["source"] = f"{spec.source.document} {spec.source.title} ({spec.source.date})"
    return frame


def targets_for(targets: pd.DataFrame, year: int) -> pd.DataFrame:
    """The targets due in *year* (2022 or 2025) and the standing ones (year 0).

    Parameters
    ----------
    targets : pandas.DataFrame
        :func:`load_targets`.
    year : {2022, 2025}

    Returns
    -------
    pandas.DataFrame
        The rows due, renumbered; ``attrs`` kept.

    Raises
    ------
    ParameterError
        *year* is not a milestone of the plan.

    Examples
    --------
    Of the 109 targets, 55 fall due in 2025, 39 in 2022 and 15 stand throughout:

    >>> from zzgeo.children import load_targets, targets_for
    >>> targets = load_targets()
    >>> len(targets_for(targets, 2025)), len(targets_for(targets, 2022))
    (70, 54)
    >>> targets_for(targets, 2030)
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: year 2030: the plan's milestones are 2022 and 2025
    """
    if year not in YEARS:
        raise ParameterError(_("year {year!r}: the plan's milestones are {first} and {second}").format(year=year, first=YEARS[0], second=YEARS[1]))
    out = targets[(targets["year"] == year) | (targets["year"] == 0)].reset_index(drop=True)
    out.attrs = dict(targets.attrs)
    return out


# ----------------------------------------------------------------------------- units


def load_units(path: str | Path | None = None) -> pd.DataFrame:
    """The plan's 16 units: 6 districts, 5 cities, 1 county and 4 development zones.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file shaped like ``data/children/units.toml`` (default: the packaged one).

    Returns
    -------
    pandas.DataFrame
        Columns ``unit`` (key: adcode, or ``zdxq`` for 郑东新区), ``name``,
        ``kind`` (district / city / county / development_zone), ``host``
        (the district a development zone lies in), ``census`` (its census
        row, ``""`` when it has none), ``aliases`` and ``label`` (the name the
        figures show: a district without its zone, ``中原区（不含高新区）``, else ``name``).

    Examples
    --------
    >>> from zzgeo.children import load_units
    >>> units = load_units()
    >>> len(units), units["kind"].value_counts().to_dict()
    (16, {'district': 6, 'city': 5, 'development_zone': 4, 'county': 1})
    >>> units.set_index("unit").loc["zdxq", ["name", "host", "census", "aliases"]].tolist()
    ['郑东新区', '410105', '', ('郑州郑东新区', '郑东')]
    """
    doc = load_toml(Path(path) if path else _UNITS)
    frame = pd.DataFrame(doc["units"]).rename(columns={"key": "unit"})
    for column in ("host", "census"):
        frame[column] = frame[column].fillna("") if column in frame else ""
    frame["aliases"] = [tuple(a) if isinstance(a, list) else () for a in frame.get("aliases", [()] * len(frame))]
    frame["label"] = frame["label"].fillna(frame["name"]) if "label" in frame else frame["name"]
    frame.attrs["children"] = doc["children"]
    return frame[["unit", "name", "kind", "host", "census", "aliases", "label"]]


#: The children rule of ``data/children/units.toml`` (``[children] apportion``), marked so that notes show it in
#: the interface language (the JSON ``children_rule`` keeps the English text).
CHILDREN_RULE = N_("census 2020 resident share of each unit (an assumption: no child counts by unit are public)")
_MEASURE_ZH = "children/units_of_measure_zh.toml"
_measure_zh: dict[str, str] | None = None


def measure_for_people(text) -> str:
    """A target's unit of measure as the reader sees it: in Chinese from ``data/children/units_of_measure_zh.toml``
    when the interface is Chinese, else as in ``targets.toml`` (which the records, CSV and JSON keep).

    >>> from zzgeo.i18n import set_language
    >>> set_language("zh")
    >>> measure_for_people("托位 per 1000 residents"), measure_for_people("所")
    ('托位/千人', '所')
    >>> set_language("en")
    >>> measure_for_people("托位 per 1000 residents")
    '托位 per 1000 residents'
    >>> set_language(None)
    """
    global _measure_zh
    if not isinstance(text, str) or language() != "zh":
        return text
    if _measure_zh is None:
        _measure_zh = dict(load_toml(_MEASURE_ZH)["zh"])
    return _measure_zh.get(text, text)


def rule_for_people(text) -> str:
    """A children rule or other note text of the data in the interface language, when it is a marked message."""
    return _(text) if text == CHILDREN_RULE else text


def circle_for_people(name) -> str:
    """A life circle's name as a heading: ``5min`` is ``5 分钟`` in Chinese (other names as given).

    >>> from zzgeo.i18n import set_language
    >>> set_language("en")
    >>> circle_for_people("15min"), circle_for_people("near")
    ('15min', 'near')
    >>> set_language(None)
    """
    import re

    found = re.fullmatch(r"(\d+)min", str(name))
    return _("{minutes}min").format(minutes=found.group(1)) if found else name


def _unit_lookup(units: pd.DataFrame) -> dict[str, str]:
    from zzgeo.registers.schema import nfkc

    lookup = {}
    for row in units.itertuples():
        for text in (row.unit, row.name, *row.aliases):
            lookup[nfkc(text)] = row.unit
    return lookup


def resolve_units(values: pd.Series, units: pd.DataFrame | None = None) -> tuple[pd.Series, np.ndarray]:
    """Unit keys for names, aliases or keys; and a mask of the non-empty ones that name no unit."""
    from zzgeo.registers.schema import empty_cells, nfkc

    units = load_units() if units is None else units
    lookup = _unit_lookup(units)
    empty = empty_cells(values)
    keys = pd.Series([None if e else lookup.get(nfkc(v)) for v, e in zip(values, empty, strict=True)], index=values.index, dtype=object)
    return keys, ~empty & keys.isna().to_numpy()


#: Schema of the --children table (read by the common register loader).
FIGURES_SCHEMA = "children/figures.toml"


def _figure_units(units: pd.DataFrame):
    """The check of a --children table: every row names one of the 16 units, each unit once."""

    def check(ctx) -> None:
        from zzgeo.errors import UnknownCodeError as Unknown

        keys, unknown = resolve_units(ctx.frame["unit"], units)
        ctx.issues.add(unknown, lambda p: [_("unit {unit!r} is not one of the 16 units ({listing})").format(
                                               unit=ctx.cell("unit", i), listing="、".join(units["name"])) for i in p], kind=Unknown)
        seen: dict[str, int] = {}
        for pos, key in enumerate(keys.to_numpy(dtype=object)):
            if key is None:
                continue
            if key in seen:  # 金水 and 金水区 are one unit
                ctx.issues.add([pos], _("unit {unit!r} repeats {place}").format(unit=ctx.cell("unit", pos), place=ctx.label.place(seen[key])))
            else:
                seen[key] = pos
        ctx.values["unit"] = keys
        children, residents = ctx.value("children"), ctx.value("residents")
        more = (children > residents).to_numpy()  # NaN residents: not compared
        ctx.issues.add(more, lambda p: [_("children {children:,.0f} exceed the residents {residents:,.0f} of the unit").format(
                                            children=children.iloc[i], residents=residents.iloc[i]) for i in p])

    return check


def _user_figures(path: str | Path, units: pd.DataFrame) -> pd.DataFrame:
    from zzgeo.registers import load_register

    table = load_register(path, FIGURES_SCHEMA, checks=[_figure_units(units)], hint="Fix the table")
    return table[[c for c in ("unit", "children", "residents") if c in table and table[c].notna().any()]]


def unit_population(units: pd.DataFrame | None = None, *, figures: str | Path | None = None) -> pd.DataFrame:
    """Residents (census 2020) and children aged 0-17 of each unit.

    Residents are the unit's census row as tabulated (the three functional
    zones are rows of their own, so their hosts' rows exclude them). Children:
    the plan's 2,889,000 (二(一)) split by each unit's share of the census
    total, unless *figures* (a table with ``unit``, ``children`` and
    optionally ``residents``) gives them. 郑东新区 has no census row: without
    a figure its residents and children stay NaN (they are inside 金水区's row).

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``name``, ``kind``, ``residents``, ``children``,
        ``children_source``; ``attrs["children_rule"]`` says how children were counted.
    """
    from zzgeo.population import CENSUS_TOTAL, census_2020

    units = load_units() if units is None else units
    census = census_2020().set_index("adcode")["pop_2020"]
    spec = units.attrs.get("children") or load_toml(_UNITS)["children"]
    out = units[["unit", "name", "kind"]].copy()
    out["residents"] = units["census"].map(census).astype("float64").to_numpy()
    out["children"] = spec["total"] * out["residents"] / CENSUS_TOTAL
    out["children_source"] = f"{spec['source']}; {spec['apportion']}"
    if figures is not None:
        given = _user_figures(figures, units).set_index("unit")
        mask = out["unit"].isin(given.index)
        out.loc[mask, "children"] = out.loc[mask, "unit"].map(given["children"]).astype("float64")
        if "residents" in given:
            out.loc[mask, "residents"] = out.loc[mask, "unit"].map(given["residents"]).astype("float64")
        out.loc[mask, "children_source"] = f"user figures ({Path(str(figures)).name})"
        more = (out["children"] > out["residents"]).to_numpy()  # against the census where the table gives no residents
        if more.any():
            row = out[more].iloc[0]
            raise SchemaError(_("{file!r}: unit {name} has {children:,.0f} children but {residents:,.0f} "
                                "residents (the table's, else the 2020 census); check the figures and their unit").format(
                                    file=str(figures), name=row["name"], children=row["children"], residents=row["residents"]))
    out.attrs["children_rule"] = _("user figures") if figures is not None else spec["apportion"]
    return out


# ----------------------------------------------------------------------------- access parameters


@dataclass(frozen=True)
class AccessRules:
    """Walking distances of the life circles, the detour factor and the catchment of the supply-aware measure."""

    circles: dict[str, float]
    circle_source: str
    detour: float
    detour_source: str
    catchment_m: float
    catchment_source: str
    cell_m: float

    def describe(self) -> dict[str, object]:
        """JSON-ready summary for outputs."""
        return {"circles_m": self.circles, "circle_source": self.circle_source, "detour_factor": self.detour,
                "detour_source": self.detour_source, "catchment_m": self.catchment_m,
                "catchment_source": self.catchment_source, "cell_m": self.cell_m}


class CirclesSpec(ConfigModel):
    """``[circles]``: walking distance (m) of each life circle, and its source."""

    source: Text
    walk_m: Annotated[dict[Text, Positive], Field(min_length=1)]


class DetourSpec(ConfigModel):
    """``[detour]``: network over straight-line distance, at least 1."""

    factor: Annotated[float, Field(allow_inf_nan=False, ge=1)]
    source: Text


class CatchmentSpec(ConfigModel):
    """``[catchment]``: the walking distance within which the 2SFCA shares places."""

    distance_m: Positive
    source: Text


class GridSpec(ConfigModel):
    """``[grid]``: cell size (m, EPSG:4547) of the child population surface."""

    cell_m: Positive


class AccessFile(ConfigModel):
    """The access parameters (``data/children/access.toml``): every section required."""

    circles: CirclesSpec
    detour: DetourSpec
    catchment: CatchmentSpec
    grid: GridSpec


class AccessOverrides(ConfigModel):
    """What a caller of :func:`access_rules` may override: the circles and the detour factor."""

    circles: Optional[Annotated[dict[Text, Positive], Field(min_length=1)]] = None
    detour: Optional[Annotated[float, Field(allow_inf_nan=False, ge=1)]] = None


def access_rules(path: str | Path | None = None, *, circles: dict[str, float] | None = None,
                 detour: float | None = None) -> AccessRules:
    """Read ``data/children/access.toml`` (or *path*, checked against :class:`AccessFile`); *circles* and *detour* override the file.

    Raises
    ------
    FileNotFoundError
        *path* does not exist.
    ParameterError
        Not UTF-8, not TOML or empty; a section or key missing or unknown; a
        distance that is not a finite number > 0; a detour factor below 1 (in
        the file or given); no circle (one line: file, key path, value, what is allowed).
    """
    spec = load_config(path if path is not None else data_path(_ACCESS), AccessFile, what="access rule file")
    given = validate({k: v for k, v in {"circles": circles, "detour": detour}.items() if v is not None}, AccessOverrides,
                     what="access_rules overrides", error=ParameterError)
    return AccessRules(dict(given.circles if given.circles is not None else spec.circles.walk_m), spec.circles.source,
                       given.detour if given.detour is not None else spec.detour.factor, spec.detour.source,
                       spec.catchment.distance_m, spec.catchment.source, spec.grid.cell_m)
