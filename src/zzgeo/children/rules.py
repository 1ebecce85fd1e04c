"""Child-friendly city rules: the target table, the 16 units and the child population of 郑政〔2022〕8号.

All three are data files that cite their clause (``data/children/targets.toml``,
``data/children/units.toml``, ``data/children/access.toml``); this module reads
and checks them. Nothing here computes attainment (see :mod:`.attainment`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from zzgeo._data import load_toml
from zzgeo.errors import ParameterError, SchemaError, UnknownCodeError

__all__ = [
    "DOC_NUMBER",
    "YEARS",
    "AccessRules",
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


def _facility_keys() -> set[str]:
    return set(load_toml(_FACILITIES)["vocabularies"]["facility_type"]["labels"])


def _check_targets(frame: pd.DataFrame, label: str) -> None:
    known = _facility_keys()
    problems = []
    for row in frame.itertuples():
        bad = [f for f in row.facilities if f not in known]
        if bad:
            problems.append(f"{row.id}: unknown facility type {bad!r}")
        if row.measure not in MEASURES or row.scope not in SCOPES or row.cmp not in COMPARATORS:
            problems.append(f"{row.id}: measure/scope/cmp must be one of {MEASURES}/{SCOPES}/{COMPARATORS}")
        if row.measure in ("count", "places") and not row.facilities:
            problems.append(f"{row.id}: a {row.measure} target names no facility type")
        if row.cmp == "range" and not row.value_max > row.value:
            problems.append(f"{row.id}: a range needs value_max > value")
    if frame["id"].duplicated().any():
        problems.append(f"duplicate ids {sorted(frame.loc[frame['id'].duplicated(), 'id'])!r}")
    if problems:
        raise ParameterError(f"target file {label!r}: {'; '.join(problems[:5])}" + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""))


def load_targets(path: str | Path | None = None) -> pd.DataFrame:
    """Every quantified target of the plan, one row each.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file shaped like ``data/children/targets.toml`` (default: the packaged table).

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``year`` (0 = standing), ``facilities`` (tuple of
        facility types), ``measure``, ``scope``, ``cmp``, ``value``,
        ``value_max``, ``unit``, ``counts_from``, ``min_places``,
        ``community``, ``task``, ``group``, ``annex``, ``line``, ``wording``,
        ``note``, ``baseline``, ``measurable`` (a facility register can
        measure it).
    """
    doc = load_toml(path or _TARGETS)
    try:
        rows, groups = doc["targets"], doc["source"]["groups"]
    except KeyError as exc:
        raise ParameterError(f"target file {str(path or _TARGETS)!r}: missing {exc.args[0]!r}") from None
    frame = pd.DataFrame(rows)
    defaults = {"value_max": np.nan, "counts_from": 0, "min_places": 0, "community": "", "annex": "", "note": "", "baseline": ""}
    for column, default in defaults.items():
        frame[column] = frame[column].fillna(default) if column in frame else default
    frame["facilities"] = [tuple([f] if isinstance(f, str) else f) if f else () for f in frame.pop("facility")]
    frame["group"] = [groups.get(task.split(")")[0] + ")", "") if task.startswith("四(") else "" for task in frame["task"]]
    frame["measurable"] = frame["facilities"].map(bool)
    for column in ("value", "value_max"):
        frame[column] = frame[column].astype("float64")
    for column in ("year", "counts_from", "min_places", "line"):
        frame[column] = frame[column].astype("int64")
    _check_targets(frame, str(path or _TARGETS))
    frame.attrs["source"] = f"{doc['source']['document']} {doc['source']['title']} ({doc['source']['date']})"
    return frame


def targets_for(targets: pd.DataFrame, year: int) -> pd.DataFrame:
    """The targets due in *year* (2022 or 2025) and the standing ones (year 0)."""
    if year not in YEARS:
        raise ParameterError(f"year {year!r}: the plan's milestones are {YEARS[0]} and {YEARS[1]}")
    out = targets[(targets["year"] == year) | (targets["year"] == 0)].reset_index(drop=True)
    out.attrs = dict(targets.attrs)
    return out


# ----------------------------------------------------------------------------- units


def load_units(path: str | Path | None = None) -> pd.DataFrame:
    """The plan's 16 units: 6 districts, 5 cities, 1 county and 4 development zones.

    Returns
    -------
    pandas.DataFrame
        Columns ``unit`` (key: adcode, or ``zdxq`` for 郑东新区), ``name``,
        ``kind`` (district / city / county / development_zone), ``host``
        (the district a development zone lies in), ``census`` (its census
        row, ``""`` when it has none) and ``aliases``.
    """
    doc = load_toml(path or _UNITS)
    frame = pd.DataFrame(doc["units"]).rename(columns={"key": "unit"})
    for column in ("host", "census"):
        frame[column] = frame[column].fillna("") if column in frame else ""
    frame["aliases"] = [tuple(a) if isinstance(a, list) else () for a in frame.get("aliases", [()] * len(frame))]
    frame.attrs["children"] = doc["children"]
    return frame[["unit", "name", "kind", "host", "census", "aliases"]]


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


def _user_figures(path: str | Path, units: pd.DataFrame) -> pd.DataFrame:
    from zzgeo.io import read_table

    table = read_table(path)
    missing = {"unit", "children"} - set(table.columns)
    if missing:
        raise SchemaError(f"{str(path)!r}: needs columns 'unit' and 'children' (optional 'residents'); missing {sorted(missing)!r}")
    keys, unknown = resolve_units(table["unit"], units)
    if unknown.any():
        raise UnknownCodeError(f"{str(path)!r}: unit {table['unit'][unknown].tolist()[:5]!r} is not one of the 16 units "
                               f"({', '.join(units['name'])})")
    table = table.assign(unit=keys.to_numpy())
    if table["unit"].duplicated().any():
        raise SchemaError(f"{str(path)!r}: unit {table.loc[table['unit'].duplicated(), 'unit'].tolist()!r} given twice")
    return table


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
        out.loc[mask, "children"] = pd.to_numeric(out.loc[mask, "unit"].map(given["children"]), errors="coerce")
        if "residents" in given:
            out.loc[mask, "residents"] = pd.to_numeric(out.loc[mask, "unit"].map(given["residents"]), errors="coerce")
        out.loc[mask, "children_source"] = f"user figures ({Path(str(figures)).name})"
    out.attrs["children_rule"] = "user figures" if figures is not None else spec["apportion"]
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


def access_rules(path: str | Path | None = None, *, circles: dict[str, float] | None = None,
                 detour: float | None = None) -> AccessRules:
    """Read ``data/children/access.toml`` (or *path*); *circles* and *detour* override the file."""
    doc = load_toml(path or _ACCESS)
    try:
        base = {str(k): float(v) for k, v in (circles or doc["circles"]["walk_m"]).items()}
        out = AccessRules(base, doc["circles"]["source"], float(detour if detour is not None else doc["detour"]["factor"]),
                          doc["detour"]["source"], float(doc["catchment"]["distance_m"]), doc["catchment"]["source"],
                          float(doc["grid"]["cell_m"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ParameterError(f"access rule file {str(path or _ACCESS)!r}: {exc}") from None
    if not base or min(base.values()) <= 0 or out.detour < 1 or out.catchment_m <= 0 or out.cell_m <= 0:
        raise ParameterError(f"access rules: distances must be positive and the detour factor at least 1 (got {base!r}, {out.detour!r})")
    return out
