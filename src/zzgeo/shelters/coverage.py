"""Shelter area, per-capita figures, gaps to the 2025/2029 targets and service coverage by district.

:func:`shelter_coverage` answers, per county-level unit and city-wide, the
questions of 郑政文〔2022〕40号 section 三:

* total effective area (by class) and per-capita m² against the 2 m² (end-2025)
  and 3 m² (end-2029) targets, with the gap in m² to each;
* residents within their class's service radius of at least one shelter
  (per class and any class), straight-line or along a road network;
* residents with an assured place: residents placed in shelters within reach
  without exceeding capacity = effective area / per-person norm of the rule
  set (see :mod:`zzgeo.shelters.assignment`).

The city-wide row sums the districts; its gap is the sum of the district gaps
(a surplus in one district does not close another's gap, as the targets apply
to every district: "全部达到"), and it meets a target only if every district does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.errors import SchemaError
from zzgeo.i18n import _
from zzgeo.shelters.assignment import Assignment, assign_capacity
from zzgeo.shelters.register import usable_rows
from zzgeo.shelters.rules import CLASSES, RuleSet, Targets, load_rules, load_targets
from zzgeo.spatial.reach import Pairs, reach_pairs
from zzgeo.units import needs_population

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from zzgeo.units import AnalysisUnits

__all__ = [
    "CITY_ADCODE",
    "CoverageResult",
    "shelter_capacity",
    "is_demo",
    "area_table",
    "shelter_coverage",
    "coverage_records",
]

#: adcode used for the city-wide row.
CITY_ADCODE = "410100"
_PERCAPITA_TOL = 1e-9


@dataclass(frozen=True)
class CoverageResult:
    """Output of :func:`shelter_coverage`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per district plus a city-wide row (adcode ``410100``).
    cells : geopandas.GeoDataFrame
        The demand cells with ``covered``, ``covered_I``... and ``placed``.
    shelters : geopandas.GeoDataFrame
        The shelters used, with ``capacity_places`` and ``places_used``.
    meta : dict
        Year, target and its source, rule set, demo flag, population method,
        distance metric, assignment method, rows left out, notes.
    """

    table: pd.DataFrame
    cells: gpd.GeoDataFrame
    shelters: gpd.GeoDataFrame
    meta: dict = field(default_factory=dict)


def is_demo(frame: pd.DataFrame | None) -> bool:
    """True when any row of *frame* says ``demo``."""
    if frame is None or "demo" not in frame or len(frame) == 0:
        return False
    return bool(frame["demo"].fillna(False).astype(bool).any())


def shelter_capacity(shelters: pd.DataFrame, rules: RuleSet, *, capacity_from: str = "area") -> np.ndarray:
    """Places at each shelter.

    Parameters
    ----------
    shelters : pandas.DataFrame
        With ``shelter_class`` and ``effective_area_m2`` (and ``capacity`` for ``"register"``).
    rules : RuleSet
        Gives each class's per-person area.
    capacity_from : {"area", "register"}
        ``"area"`` (default): effective area / the class's per-person area.
        ``"register"``: the register's ``capacity`` where it has one, else as ``"area"``.
    """
    if capacity_from not in ("area", "register"):
        raise SchemaError(_("capacity_from={value!r}; use 'area' or 'register'").format(value=capacity_from))
    norm = shelters["shelter_class"].map({c: rules.classes[c].area_per_person_m2 for c in CLASSES})
    places = (shelters["effective_area_m2"] / norm).to_numpy(dtype="float64")
    if capacity_from == "register" and "capacity" in shelters:
        given = pd.to_numeric(shelters["capacity"], errors="coerce").to_numpy(dtype="float64")
        places = np.where(np.isnan(given), places, given)
    return places


def area_table(
    shelters: pd.DataFrame, population: pd.Series, *, targets: Targets, year: int, names: pd.Series
) -> pd.DataFrame:
    """Effective area by district and class, per-capita m², status and gaps for every target year.

    Parameters
    ----------
    shelters : pandas.DataFrame
        Valid shelters with ``adcode``, ``shelter_class``, ``effective_area_m2``.
    population : pandas.Series
        Residents by adcode (defines the rows).
    targets : Targets
    year : int
        Year whose target fills ``target_m2``, ``meets_target``, ``gap_m2``.
    names : pandas.Series
        District name by adcode.
    """
    target = targets.for_year(year)
    table = pd.DataFrame({"adcode": population.index.astype(str), "name": names.reindex(population.index).to_numpy(),
                          "population": population.to_numpy(dtype="float64")})
    by = shelters.groupby(["adcode", "shelter_class"])["effective_area_m2"]
    area = by.sum().unstack(fill_value=0.0).reindex(index=table["adcode"], columns=list(CLASSES), fill_value=0.0)
    count = by.size().unstack(fill_value=0).reindex(index=table["adcode"], columns=list(CLASSES), fill_value=0)
    table["shelters"] = count.sum(axis=1).to_numpy().astype(int)
    for c in CLASSES:
        table[f"shelters_{c}"] = count[c].to_numpy().astype(int)
    table["effective_area_m2"] = area.sum(axis=1).to_numpy()
    for c in CLASSES:
        table[f"effective_area_m2_{c}"] = area[c].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["per_capita_m2"] = np.where(table["population"] > 0, table["effective_area_m2"] / table["population"], np.nan)
    table["target_year"] = int(year)
    table["target_m2"] = target
    for y, t in sorted(targets.per_capita_m2.items()):
        table[f"meets_{y}"] = table["per_capita_m2"].fillna(np.inf) + _PERCAPITA_TOL >= t
        table[f"gap_{y}_m2"] = np.maximum(0.0, t * table["population"] - table["effective_area_m2"])
    table["meets_target"] = table["per_capita_m2"].fillna(np.inf) + _PERCAPITA_TOL >= target
    table["gap_m2"] = np.maximum(0.0, target * table["population"] - table["effective_area_m2"])
    return table


def _city_row(table: pd.DataFrame, code: str = CITY_ADCODE, name: str = "郑州市 (city-wide)") -> dict:
    """A total row of *table*'s rows: sums, per-capita figures and shares of the sums, ``meets`` where all meet."""
    row: dict[str, object] = {"adcode": code, "name": name}
    for col in table.columns:
        if col in row:
            continue
        if col.startswith("meets"):
            row[col] = bool(table[col].all())
        elif col in ("target_year", "target_m2"):
            row[col] = table[col].iloc[0]
        elif pd.api.types.is_numeric_dtype(table[col]):
            row[col] = table[col].sum()
    pop = float(row["population"])
    row["per_capita_m2"] = float(row["effective_area_m2"]) / pop if pop > 0 else np.nan
    for col in table.columns:
        if col.endswith("_share"):
            base = col.removesuffix("_share")
            row[col] = float(row[base]) / pop if pop > 0 else np.nan
    return row


def shelter_coverage(
    register: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame | None = None,
    *,
    year: int = 2025,
    rules: RuleSet | None = None,
    targets: Targets | None = None,
    districts: gpd.GeoDataFrame | None = None,
    network: gpd.GeoDataFrame | None = None,
    capacity_from: str = "area",
    assignment: str = "auto",
    cell_m: float | None = None,
    reach=None,
    units: AnalysisUnits | None = None,
) -> CoverageResult:
    """Per-capita area, gaps to the targets, service-radius and capacity-aware coverage by district.

    The stages, in order::

        settings       rules, targets, districts (packaged unless given); the year must have a target
        register       the valid rows (a raw frame is validated first)
        demand         the points given or the district surface; residents by district
        area table     effective area by district and class, per-capita m², gaps (area_table)
        reach          cell-shelter pairs within each shelter's class radius; covered cells
        assignment     residents placed without exceeding capacity (assign_capacity)
        district sums  residents covered (by class and any) and assured, places, shares
        city row       the city-wide row, then demo and rule_set on every row
        output         the shelters with places used, meta

    Parameters
    ----------
    register : geopandas.GeoDataFrame
        A register from :func:`~zzgeo.shelters.register.read_register` (only
        ``valid`` rows are used, and the number left out is reported) or a raw
        frame, which is validated with ``on_error="raise"``.
    demand : geopandas.GeoDataFrame, optional
        Points with ``population`` and ``adcode`` (see
        :mod:`zzgeo.spatial.surface`); default the uniform district surface.
    year : {2025, 2029}
        Target year for ``target_m2``, ``meets_target`` and ``gap_m2``; both
        years' figures are always in the table.
    rules : RuleSet, optional
        Class parameters (default ``zhengzhou-2011-defaults``).
    targets : Targets, optional
        Default: 郑政文〔2022〕40号.
    districts : geopandas.GeoDataFrame, optional
        ``adcode``, ``name``, geometry (and ``population`` for the default
        demand); default the ``districts`` layer.
    network : geopandas.GeoDataFrame, optional
        Road lines for network distances (default straight line).
    capacity_from : {"area", "register"}
        See :func:`shelter_capacity`.
    assignment : {"auto", "maxflow", "greedy"}
        See :func:`~zzgeo.shelters.assignment.assign_capacity`.
    cell_m : float, optional
        Grid spacing of the default demand (250 m when omitted).
    reach : callable, optional
        Finds the cell-shelter pairs, with :func:`zzgeo.spatial.reach.reach_pairs`'s
        signature (default); :func:`zzgeo.shelters.scale.shelter_coverage_dask` passes
        one that works on Dask partitions.
    units : AnalysisUnits, optional
        Report by these units (:mod:`zzgeo.units`: 街道/社区 or any
        boundaries) instead of *districts*: the rows are the units, then a
        row per parent unit and one for the whole area they cover (``level``
        says which); shelters are counted in the unit they lie in, and one
        outside every unit is named in the notes (it still serves residents
        within its radius). The default demand then spreads each unit's
        ``population``.

    Returns
    -------
    CoverageResult

    Examples
    --------
    A hand-built district, a 4 km square around 二七广场 (EPSG:4547 metres), with
    20,000 residents in four demand points and two class I shelters of
    30,000 m² effective area each: 60,000 m² / 20,000 = 3 m² per person, above
    the 2 m² due by end-2025 and just at the 3 m² due by end-2029
    (郑政文〔2022〕40号 三). At 1.5 m² a person the shelters hold 40,000, and
    every resident is within the 5 km radius of class I:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> x, y = gpd.GeoSeries.from_xy([113.6654], [34.7536], crs=4326).to_crs(4547).iloc[0].coords[0]
    >>> districts = gpd.GeoDataFrame({"adcode": ["410104"], "name": ["管城回族区"]},
    ...                              geometry=[box(x - 2000, y - 2000, x + 2000, y + 2000)], crs=4547)
    >>> demand = gpd.GeoDataFrame({"population": [5000.0] * 4, "adcode": "410104"}, crs=4547,
    ...                           geometry=[Point(x + dx, y + dy) for dx in (-500, 500) for dy in (-500, 500)])
    >>> register = gpd.GeoDataFrame({"name": ["东广场", "西广场"], "shelter_class": "I", "effective_area_m2": 30000.0},
    ...                             geometry=[Point(x + 1000, y), Point(x - 1000, y)], crs=4547)
    >>> result = shelter_coverage(register, demand, districts=districts)
    >>> table = result.table.set_index("name")
    >>> table.loc["管城回族区", ["population", "effective_area_m2", "per_capita_m2"]].tolist()
    [20000.0, 60000.0, 3.0]
    >>> table.loc["管城回族区", ["meets_2025", "meets_2029"]].tolist()
    [True, True]
    >>> table.loc["管城回族区", ["capacity_places", "assured", "covered_share"]].tolist()
    [40000.0, 20000.0, 1.0]

    With the east shelter alone the district has 30,000 / 20,000 = 1.5 m² per
    person; it lacks 2 x 20,000 - 30,000 = 10,000 m² for 2025 and
    3 x 20,000 - 30,000 = 30,000 m² for 2029, the year asked for:

    >>> one = shelter_coverage(register.head(1), demand, districts=districts, year=2029)
    >>> one.table.loc[0, ["per_capita_m2", "gap_2025_m2", "gap_2029_m2", "gap_m2"]].tolist()
    [1.5, 10000.0, 30000.0, 30000.0]
    >>> one.table["adcode"].tolist()  # the district, then the city-wide row
    ['410104', '410100']
    """
    rules, targets, districts = _settings(rules, targets, districts, year)
    shelters, excluded = usable_rows(register, rules=rules, districts=districts)
    shelters, outside = _in_units(shelters, units)
    if units is not None and not units.is_default:
        districts = units.frame
        if demand is None:
            needs_population(units)
    demand = _checked_demand(_default_demand(demand, districts, cell_m, units))
    residents = _residents(demand, districts)
    table = area_table(shelters, residents.population, targets=targets, year=year, names=residents.names)
    pairs = (reach or reach_pairs)(demand, shelters, _radii(shelters, rules), network=network,
                                   with_distance=assignment != "maxflow")
    cells = _covered_cells(demand, shelters, pairs)
    capacity = shelter_capacity(shelters, rules, capacity_from=capacity_from)
    result = assign_capacity(pairs, residents.pop, capacity, method=assignment)
    cells["placed"] = result.placed
    _district_sums(table, cells, residents, shelters, capacity, result)
    table = _with_city_row(table, register, rules, units)
    meta = _meta(rules, targets, year, is_demo(register), demand, pairs, result, excluded, register)
    _units_meta(meta, units, outside)
    return CoverageResult(table=table, cells=cells, shelters=_shelters_used(shelters, capacity, result), meta=meta)


# ----------------------------------------------------------------------------- stages


@dataclass(frozen=True)
class _Residents:
    """Residents of each demand cell and of each district."""

    pop: np.ndarray  #: residents of each cell
    cell_adcode: np.ndarray  #: adcode of each cell (str)
    names: pd.Series  #: district name by adcode: the rows of every table
    population: pd.Series  #: residents by adcode, 0 for a district without cells


def _settings(rules: RuleSet | None, targets: Targets | None, districts, year: int):
    """Settings: the packaged rule set, targets and districts unless given; *year* must have a target."""
    rules = rules or load_rules()
    targets = targets or load_targets()
    targets.for_year(year)
    if districts is None:
        from zzgeo.layers import read_layer

        districts = read_layer("districts")
    return rules, targets, districts


def _default_demand(demand, districts, cell_m: float | None, units: AnalysisUnits | None = None):
    """Demand: the points given, else the uniform district (or unit) surface (250 m cells unless *cell_m*)."""
    if demand is None:
        from zzgeo.spatial.surface import DEFAULT_CELL_M, district_surface

        demand = district_surface(districts, cell_m=cell_m or DEFAULT_CELL_M)
        if units is not None and not units.is_default:
            demand.attrs["method"] = _("residents of each unit of {label} (its population column) spread uniformly "
                                       "over the {cell_m:g} m grid cells (EPSG:4547) whose centres fall inside it").format(
                                           label=units.label, cell_m=demand.attrs.get("cell_m", cell_m))
    return demand


def _checked_demand(demand):
    for col in ("population", "adcode"):
        if col not in demand:
            raise SchemaError(_("demand has no {column!r} column; build it with zzgeo.spatial.surface").format(column=col))
    return demand


def _residents(demand, districts) -> _Residents:
    """Residents of each cell and their sum by district (the districts layer gives the rows)."""
    pop = demand["population"].to_numpy(dtype="float64")
    cell_adcode = demand["adcode"].astype(str).to_numpy()
    names = pd.Series(districts["name"].to_numpy(), index=districts["adcode"].astype(str).to_numpy())
    population = pd.Series(pop).groupby(cell_adcode).sum().reindex(names.index, fill_value=0.0)
    return _Residents(pop, cell_adcode, names, population)


def _radii(sites: pd.DataFrame, rules: RuleSet) -> np.ndarray:
    """Service radius of each site, from its class."""
    return sites["shelter_class"].map({c: rules.radius_m(c) for c in CLASSES}).to_numpy(dtype="float64")


def _covered_cells(demand, shelters, pairs: Pairs):
    """Reach: a copy of the cells with ``covered_I``... (within reach of a shelter of that class) and ``covered``."""
    cells = demand.copy()
    site_class = shelters["shelter_class"].to_numpy()
    for c in CLASSES:
        mask = np.zeros(len(cells), dtype=bool)
        mask[pairs.cell[site_class[pairs.site] == c]] = True
        cells[f"covered_{c}"] = mask
    covered = np.zeros(len(cells), dtype=bool)
    covered[pairs.cell] = True
    cells["covered"] = covered
    return cells


def _district_sums(table, cells, residents: _Residents, shelters, capacity, result: Assignment) -> None:
    """Per-district sums: residents covered (by class and any), places, residents assured, and their shares."""
    pop = residents.pop
    by_district = pd.DataFrame({"adcode": residents.cell_adcode, "pop": pop})
    for c in CLASSES:
        by_district[f"covered_{c}"] = pop * cells[f"covered_{c}"].to_numpy()
    by_district["covered"] = pop * cells["covered"].to_numpy()
    by_district["assured"] = result.placed
    sums = by_district.groupby("adcode").sum().reindex(table["adcode"], fill_value=0.0)
    for c in CLASSES:
        table[f"covered_{c}"] = sums[f"covered_{c}"].to_numpy()
    table["covered"] = sums["covered"].to_numpy()
    table["capacity_places"] = pd.Series(capacity).groupby(shelters["adcode"].to_numpy()).sum().reindex(table["adcode"], fill_value=0.0).to_numpy()
    table["assured"] = sums["assured"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for col in (*[f"covered_{c}" for c in CLASSES], "covered", "assured"):
            table[f"{col}_share"] = np.where(table["population"] > 0, table[col] / table["population"], np.nan)


def _shelters_used(shelters, capacity: np.ndarray, result: Assignment):
    """A copy of the shelters with ``capacity_places`` and ``places_used``."""
    out = shelters.copy()
    out["capacity_places"] = capacity
    out["places_used"] = result.used
    return out


def _in_units(shelters, units: AnalysisUnits | None):
    """Shelters re-located into *units* (``adcode`` becomes the unit's code, ``county_adcode`` keeps the
    county's); those outside every unit keep ``adcode`` None and are returned apart to be named."""
    if units is None or units.is_default:
        return shelters, shelters.iloc[:0]
    from zzgeo.units import units_of

    codes = units_of(shelters, units)
    out = shelters.copy()
    out["county_adcode"] = out["adcode"]
    out["adcode"] = codes
    out["unit_name"] = pd.Series(codes, index=out.index).map(units.names)
    return out, out[pd.isna(codes)]


def _with_city_row(table, register, rules: RuleSet, units: AnalysisUnits | None = None):
    """The total rows appended (the city-wide row, or a row per parent unit and the whole area of *units*),
    then ``demo`` and ``rule_set`` on every row."""
    if units is None or units.is_default:
        totals = [_city_row(table)]
    else:
        parents = units.frame.set_index("adcode")[["parent_code", "parent_name"]]
        table = table.assign(level="unit", parent_code=table["adcode"].map(parents["parent_code"]),
                             parent_name=table["adcode"].map(parents["parent_name"]))
        totals = [{**_city_row(table[table["adcode"].isin(g.members)], g.code, g.name), "level": g.level}
                  for g in units.groups()]
    table = pd.concat([table, pd.DataFrame(totals)], ignore_index=True)
    table["demo"] = is_demo(register)
    table["rule_set"] = rules.id
    return table


def _meta(rules, targets, year, demo, demand, pairs: Pairs, result: Assignment, excluded: int, register) -> dict:
    notes = []
    if demo:
        notes.append(_("DEMO DATA: the shelter register is zzgeo's synthetic demo register, not an official one"))
    if excluded:
        notes.append(_("{n} register row(s) failed validation and were left out (see the 'issues' column)").format(n=excluded))
    outside = float(demand.attrs.get("outside_population", 0.0) or 0.0)
    if outside:
        notes.append(_("{n:,.0f} residents of the population source lie outside the districts and are not counted").format(n=outside))
    notes.append(
        _("targets apply to 城区及县（市）城区 ({document}); zzgeo applies them to each unit's whole resident population").format(
            document=targets.document)
    )
    return {
        "year": int(year),
        "target_m2": targets.for_year(year),
        "target_source": targets.source(year),
        "targets_m2": {int(y): float(t) for y, t in sorted(targets.per_capita_m2.items())},
        "targets_document": targets.document,
        "rule_set": rules.describe(),
        "demo": demo,
        "population_method": demand.attrs.get("method", _("user-supplied demand points")),
        "distance": pairs.metric,
        "assignment_method": result.method,
        "assignment": result.description,
        "capacity_rule": _("places = effective area / per-person area of the class ({source})").format(source=rules.capacity_source),
        "excluded_rows": int(excluded),
        "register_rows": int(len(register)),
        "notes": notes,
    }


def _units_meta(meta: dict, units: AnalysisUnits | None, outside) -> None:
    """The units in *meta*, their notes, and every shelter outside all of them, by name."""
    if units is None or units.is_default:
        return
    meta["units"] = units.describe()
    named = [f"{row.get('shelter_id')} {row.get('name')}".strip() for _i, row in outside.iterrows()]
    notes = units.run_notes(named, what=_("shelter(s)"), effect=_("their area counts to no unit, they still serve residents "
                            "within their radius"), listed_in=_("the JSON 'shelters_outside_units'"))
    notes.append(_("a parent's and the whole area's row meets a target only when every unit in it does; its gap is the sum "
                   "of its units' gaps (one unit's surplus does not fill another's gap), while its per-capita area is that of "
                   "all its units together"))
    meta["shelters_outside_units"] = named
    meta["notes"] = [*meta["notes"], *notes]


_RECORD_COLUMNS = (
    "adcode", "name", "level", "parent_code", "parent_name", "population", "shelters", "effective_area_m2", "per_capita_m2", "target_m2", "meets_target",
    "gap_m2", "meets_2025", "gap_2025_m2", "meets_2029", "gap_2029_m2", "covered", "covered_share",
    "covered_I_share", "covered_II_share", "covered_III_share", "capacity_places", "assured", "assured_share",
    "effective_area_m2_I", "effective_area_m2_II", "effective_area_m2_III",
)


def _plain(value: object) -> object:
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else round(float(value), 6)
    return value


def coverage_records(result: CoverageResult) -> dict:
    """JSON-ready dict: meta, one record per district (``records``) and the ``city`` row.

    Each record carries at least ``adcode``, ``name``, ``population``,
    ``effective_area_m2``, ``per_capita_m2``, ``target_m2``, ``meets_target``,
    ``gap_m2``, ``covered_share``, plus ``demo`` and ``rule_set``.

    Parameters
    ----------
    result : CoverageResult
        From :func:`shelter_coverage`.

    Returns
    -------
    dict
        The meta keys, ``records`` (one dict per district) and ``city``; numbers
        are plain Python numbers rounded to 6 decimals, NaN is ``None``.

    Examples
    --------
    Two class I shelters of 30,000 m² for 20,000 residents (a hand-built 4 km
    square around 二七广场): 3 m² per person against the 2 m² of 2025.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> x, y = gpd.GeoSeries.from_xy([113.6654], [34.7536], crs=4326).to_crs(4547).iloc[0].coords[0]
    >>> districts = gpd.GeoDataFrame({"adcode": ["410104"], "name": ["管城回族区"]},
    ...                              geometry=[box(x - 2000, y - 2000, x + 2000, y + 2000)], crs=4547)
    >>> demand = gpd.GeoDataFrame({"population": [5000.0] * 4, "adcode": "410104"}, crs=4547,
    ...                           geometry=[Point(x + dx, y + dy) for dx in (-500, 500) for dy in (-500, 500)])
    >>> register = gpd.GeoDataFrame({"name": ["东广场", "西广场"], "shelter_class": "I", "effective_area_m2": 30000.0},
    ...                             geometry=[Point(x + 1000, y), Point(x - 1000, y)], crs=4547)
    >>> records = coverage_records(shelter_coverage(register, demand, districts=districts))
    >>> district = records["records"][0]
    >>> district["name"], district["per_capita_m2"], district["target_m2"], district["meets_target"], district["gap_m2"]
    ('管城回族区', 3.0, 2.0, True, 0.0)
    >>> records["year"], records["city"]["adcode"], records["city"]["name"], records["demo"]
    (2025, '410100', '郑州市 (city-wide)', False)
    """
    rows = []
    for _i, row in result.table.iterrows():
        rec = {col: _plain(row[col]) for col in _RECORD_COLUMNS if col in row}
        rec["demo"] = bool(result.meta["demo"])
        rec["rule_set"] = result.meta["rule_set"]["id"]
        rows.append(rec)
    if "level" not in result.table:
        return {**{k: v for k, v in result.meta.items()}, "records": rows[:-1], "city": rows[-1]}
    level = result.table["level"].tolist()  # by analysis units: the units, their parents, the whole area
    for rec, lv in zip(rows, level, strict=True):
        rec["level"] = lv
    return {**result.meta, "records": [r for r in rows if r["level"] == "unit"],
            "parents": [r for r in rows if r["level"] == "parent"], "total": rows[-1]}
