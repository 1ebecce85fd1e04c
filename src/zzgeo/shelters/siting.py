"""Choose candidate sites that bring each district to a target year's per-capita standard.

The problem :func:`site_shelters` solves, for a target year (2 m² / 3 m² per
person, 郑政文〔2022〕40号 三):

1. **Close each district's gap.** Existing valid shelters count as built. A
   district's gap is ``target x population - existing effective area``; the
   sites chosen in it must add at least that much usable area. When its
   eligible candidates cannot, all of them are chosen and the rest is
   reported as the residual gap.
2. **At least cost**: the fewest sites, or the smallest total ``cost`` when the
   candidate layer has a cost column.
3. **Among those, the most newly covered residents**: residents not within
   reach of any existing shelter who come within the service radius of a
   chosen site (its class follows from its usable area).

Only candidates meeting the 2000 m² rule (郑政文〔2022〕40号 五(一)) take part;
the others are returned with their reason. Two methods, and the result says
which ran:

``"exact"``
    Two mixed-integer programs solved with CBC through PuLP: the first finds
    the least cost that closes every gap, the second maximises newly covered
    residents at that cost (demand cells with the same set of covering
    candidates are merged, which changes nothing in the optimum). spopt's
    MCLP is not used because it has neither per-district area constraints nor
    fixed existing facilities (spopt issues #267, #415).
``"greedy"``
    For large inputs. With unit costs: each district needs at least ``k``
    sites (its largest candidates first); sites are picked one at a time,
    across districts, by most newly covered residents among those that still
    let the district close its gap with its remaining picks - so it uses the
    same, minimal number of sites as the exact method. With a cost column:
    by gap closed per unit cost, ties by newly covered residents.

Chosen sites are reported in build order: repeatedly the one adding the most
newly covered residents given those before it (ties: larger area), with its
marginal gain and its district's area, per-capita figure and gap after it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.errors import SchemaError
from zzgeo.i18n import _
from zzgeo.shelters._solvers import (
    _build_order,
    _demand_groups,
    _gain_matrix,
    _solve_exact,
    _solve_greedy,
)
from zzgeo.shelters.coverage import (
    CITY_ADCODE,
    _default_demand,
    _plain,
    _radii,
    _Residents,
    _residents,
    _settings,
    is_demo,
)
from zzgeo.shelters.register import usable_rows
from zzgeo.shelters.rules import RuleSet, Targets
from zzgeo.spatial.reach import Pairs, reach_pairs

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["SITING_METHODS", "SitingResult", "site_shelters", "siting_records", "with_chosen_sites"]

SITING_METHODS = ("auto", "exact", "greedy")


@dataclass(frozen=True)
class SitingResult:
    """Output of :func:`site_shelters`.

    Attributes
    ----------
    chosen : geopandas.GeoDataFrame
        Chosen sites in build order with ``order``, ``newly_covered``,
        ``cumulative_newly_covered``, ``district_area_after_m2``,
        ``district_per_capita_after_m2``, ``district_gap_after_m2``.
    districts : pandas.DataFrame
        One row per district plus a city-wide row: existing area and gap,
        sites chosen, area added, per-capita after, residual gap, residents in
        reach (``covered``) and with an assured place (``assured``) before and
        after (``*_after``).
    candidates : geopandas.GeoDataFrame
        Every candidate with ``selected`` and ``reject_reason``.
    meta : dict
        Year, target, rule set, demo flag, method and solver, notes.
    """

    chosen: gpd.GeoDataFrame
    districts: pd.DataFrame
    candidates: gpd.GeoDataFrame
    meta: dict = field(default_factory=dict)


def site_shelters(
    register: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame | None = None,
    *,
    year: int = 2029,
    rules: RuleSet | None = None,
    targets: Targets | None = None,
    districts: gpd.GeoDataFrame | None = None,
    network: gpd.GeoDataFrame | None = None,
    method: str = "auto",
    max_exact_candidates: int = 600,
    max_exact_groups: int = 60_000,
    time_limit_s: float = 60.0,
    assignment: str = "auto",
    cell_m: float | None = None,
) -> SitingResult:
    """Choose candidate sites to reach *year*'s per-capita target in every district (see module notes).

    The stages, in order::

        settings     the method; rules, targets, districts (packaged unless given); the year's target
        register     the valid existing shelters (a raw frame is validated first)
        candidates   validated with the 2000 m² rule unless they carry ``eligible``
        demand       residents by district, existing area, gap; the cells existing shelters reach
        model        usable candidates in districts with a gap, required area, what each newly reaches
        solve        exact two-stage MILP or greedy, by *method* and size (greedy when exact fails)
        build order  the chosen sites in order, with their gains and their districts after each
        districts    the district table before and after, residents assured before and after
        output       demo and rule set, ``selected`` candidates, notes, meta

    Parameters
    ----------
    register : geopandas.GeoDataFrame
        Existing shelters (validated register or raw frame); they stay.
    candidates : geopandas.GeoDataFrame
        Candidate sites, validated (:func:`~zzgeo.shelters.candidates.read_candidates`)
        or raw (validated here with ``on_error="raise"``).
    demand : geopandas.GeoDataFrame, optional
        Population points (default the uniform district surface).
    year : int, default 2029
    rules, targets, districts, network, cell_m
        As for :func:`~zzgeo.shelters.coverage.shelter_coverage`.
    method : {"auto", "exact", "greedy"}
        ``"auto"``: exact up to ``max_exact_candidates`` candidates in districts
        with a gap and ``max_exact_groups`` merged demand groups, else greedy.
    time_limit_s : float
        CBC time limit per stage.
    assignment : {"auto", "maxflow", "greedy"}
        How residents with an assured place are counted before and after the
        plan (see :func:`~zzgeo.shelters.assignment.assign_capacity`).

    Returns
    -------
    SitingResult

    Examples
    --------
    A hand-built district, a 4 km square around 二七广场 (EPSG:4547 metres): 20,000
    residents, one class I shelter of 30,000 m² (1.5 m² per person), four
    candidate sites with their cost in 元. For 2025 (2 m² per person) the
    district lacks 2 x 20,000 - 30,000 = 10,000 m². D (1,500 m²) fails the
    2000 m² rule. No single site closes the gap, nor does B + C (9,500 m²);
    A + B (11,000 m², 8 million 元) and A + C (10,500 m², 9 million 元) do, so
    the least cost is A + B. Every resident is already within 5 km of the
    class I shelter: the sites newly cover no one, and the build order goes by
    area, A first.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> x, y = gpd.GeoSeries.from_xy([113.6654], [34.7536], crs=4326).to_crs(4547).iloc[0].coords[0]
    >>> districts = gpd.GeoDataFrame({"adcode": ["410104"], "name": ["管城回族区"]},
    ...                              geometry=[box(x - 2000, y - 2000, x + 2000, y + 2000)], crs=4547)
    >>> demand = gpd.GeoDataFrame({"population": [5000.0] * 4, "adcode": "410104"}, crs=4547,
    ...                           geometry=[Point(x + dx, y + dy) for dx in (-500, 500) for dy in (-500, 500)])
    >>> register = gpd.GeoDataFrame({"shelter_id": ["S1"], "name": ["东广场"], "shelter_class": "I",
    ...                              "effective_area_m2": 30000.0}, geometry=[Point(x + 1000, y)], crs=4547)
    >>> candidates = gpd.GeoDataFrame({"candidate_id": list("ABCD"), "name": ["A 公园", "B 学校", "C 广场", "D 游园"],
    ...                                "usable_area_m2": [6000.0, 5000.0, 4500.0, 1500.0], "cost": [5e6, 3e6, 4e6, 1e6]},
    ...                               geometry=[Point(x, y + 1500), Point(x, y - 1500), Point(x - 1500, y + 1500),
    ...                                         Point(x - 1500, y - 1500)], crs=4547)
    >>> plan = site_shelters(register, candidates, demand, year=2025, districts=districts)
    >>> plan.meta["method"], plan.meta["objective"], plan.chosen["candidate_id"].tolist()
    ('exact', 'least cost (cost column)', ['A', 'B'])
    >>> plan.chosen[["usable_area_m2", "district_per_capita_after_m2", "district_gap_after_m2"]].values.tolist()
    [[6000.0, 1.8, 4000.0], [5000.0, 2.05, 0.0]]
    >>> plan.districts.loc[0, ["gap_m2", "added_area_m2", "cost_chosen", "per_capita_after_m2"]].tolist()
    [10000.0, 11000.0, 8000000.0, 2.05]

    For 2029 (3 m²) the gap is 3 x 20,000 - 30,000 = 30,000 m²; the three
    eligible sites give 15,500 m², so all are chosen and 14,500 m² remain:

    >>> plan = site_shelters(register, candidates, demand, year=2029, districts=districts)
    >>> plan.chosen["candidate_id"].tolist(), plan.districts.loc[0, ["residual_gap_m2"]].tolist()
    (['A', 'B', 'C'], [14500.0])
    >>> plan.meta["notes"]
    ['candidates run out in: 管城回族区 (14,500 m² left)']
    """
    if method not in SITING_METHODS:
        raise SchemaError(_("siting method={method!r}; use one of {methods!r}").format(method=method, methods=SITING_METHODS))
    rules, targets, districts = _settings(rules, targets, districts, year)
    s = _Settings(rules, targets, year, targets.for_year(year), network)
    shelters, excluded = usable_rows(register, rules=rules, districts=districts)
    candidates = _checked_candidates(candidates, rules, targets, districts)
    cands = candidates.copy()
    need = _need(_default_demand(demand, districts, cell_m), districts, shelters, s)
    model = _model(cands, need, s)
    solution = _solve(model, method, max_exact_candidates, max_exact_groups, time_limit_s)
    chosen, order = _chosen_in_order(model, solution, need, s)
    table = _districts_after(need, model, chosen, order, cands, s)
    assured = _assured_before_after(shelters, chosen, need.demand, need.pairs, rules, network, assignment)
    _add_assured(table, assured, need.residents.cell_adcode)
    demo = _mark_demo(table, register, candidates, rules)
    cands["selected"] = cands["candidate_id"].isin(chosen["candidate_id"])
    meta = _siting_meta(s, demo, solution, model, cands, need, assured, excluded, _notes(register, candidates, table))
    return SitingResult(chosen=chosen, districts=table, candidates=cands, meta=meta)


# ----------------------------------------------------------------------------- stages


@dataclass(frozen=True)
class _Settings:
    """What every stage may read: the rule set, the targets, the year and its target, the road network."""

    rules: RuleSet
    targets: Targets
    year: int
    target: float  #: m² per person due in *year*
    network: gpd.GeoDataFrame | None


@dataclass(frozen=True)
class _Need:
    """The districts before the plan: residents, existing area, gap, and the reach of the existing shelters."""

    demand: gpd.GeoDataFrame
    residents: _Residents
    existing: pd.Series  #: existing effective area by adcode
    gap: pd.Series  #: area to add to reach the target, by adcode (>= 0)
    pairs: Pairs  #: cell-shelter pairs of the existing shelters
    covered: np.ndarray  #: per cell: within reach of an existing shelter


@dataclass(frozen=True)
class _Model:
    """The candidates the solvers see and what they need to know of them."""

    usable: np.ndarray  #: per candidate: valid and eligible (the 2000 m² rule)
    sites: gpd.GeoDataFrame  #: the usable candidates in districts with a gap
    area: np.ndarray  #: usable area of each site
    cost: np.ndarray  #: cost of each site (1 each when the layer has no cost)
    district: np.ndarray  #: adcode of each site
    required: dict  #: area each district with a gap must add: its gap, or all its sites can give
    pairs: Pairs  #: cell-site pairs within each site's class radius (no distances)
    reach: object  #: sparse sites x cells matrix limited to cells no existing shelter covers
    weights: np.ndarray  #: residents of each cell not covered by an existing shelter
    unit_cost: bool  #: no cost column: least cost means fewest sites


@dataclass(frozen=True)
class _Solution:
    """Which sites of the model the solver chose, and how."""

    chosen: np.ndarray  #: per site of the model
    status: str
    ran: str  #: "exact" or "greedy"
    seconds: float


def _checked_candidates(candidates, rules, targets, districts):
    """Candidates: validated (with the 2000 m² rule) unless they already carry ``eligible``."""
    from zzgeo.shelters.candidates import validate_candidates

    if "eligible" not in candidates:
        candidates = validate_candidates(candidates, rules=rules, targets=targets, districts=districts)
    return candidates


def _need(demand, districts, shelters, s: _Settings) -> _Need:
    """Demand and reach: residents by district, existing area, the gap ``target x population - existing``,
    then the cells the existing shelters reach."""
    residents = _residents(demand, districts)
    existing = shelters.groupby("adcode")["effective_area_m2"].sum().reindex(residents.names.index, fill_value=0.0)
    gap = np.maximum(0.0, s.target * residents.population - existing)
    pairs0 = reach_pairs(demand, shelters, _radii(shelters, s.rules), network=s.network)
    covered0 = np.zeros(len(demand), dtype=bool)
    covered0[pairs0.cell] = True
    return _Need(demand, residents, existing, gap, pairs0, covered0)


def _model(cands, need: _Need, s: _Settings) -> _Model:
    """Model: usable candidates in districts with a gap, the area each district must add, what each newly reaches."""
    usable = (cands["valid"] & cands["eligible"]).to_numpy(dtype=bool)
    in_gap = cands["adcode"].astype(str).map(need.gap).fillna(0.0).to_numpy() > 0
    model = cands[usable & in_gap]
    area = model["usable_area_m2"].to_numpy(dtype="float64")
    cost = model["cost"].to_numpy(dtype="float64")
    district = model["adcode"].astype(str).to_numpy()
    available = pd.Series(area).groupby(district).sum()
    gap = need.gap
    required = {d: float(min(gap[d], available.get(d, 0.0))) for d in need.residents.names.index if gap[d] > 0}
    pairs = reach_pairs(need.demand, model, _radii(model, s.rules), network=s.network, with_distance=False)
    reach = _gain_matrix(pairs, len(model), len(need.demand), ~need.covered)
    weights = need.residents.pop * ~need.covered
    unit_cost = not bool(model["cost_given"].any()) if "cost_given" in model else True
    return _Model(usable, model, area, cost, district, required, pairs, reach, weights, unit_cost)


def _solve(m: _Model, method: str, max_exact_candidates: int, max_exact_groups: int, time_limit_s: float) -> _Solution:
    """Solve: the exact two-stage MILP when asked or small enough, else (or when it fails) the greedy."""
    started = time.perf_counter()
    groups = _demand_groups(m.reach, m.weights) if method != "greedy" and len(m.sites) else (np.empty(0), [])
    use_exact = method == "exact" or (method == "auto" and len(m.sites) <= max_exact_candidates and len(groups[0]) <= max_exact_groups)
    chosen, status, ran = None, "", "greedy"
    if use_exact and len(m.sites):
        chosen, status = _solve_exact(m.area, m.cost, m.district, m.required, groups, time_limit_s=time_limit_s)
        ran = "exact" if chosen is not None else "greedy"
    if chosen is None:
        fallback = _(" (exact failed: {status})").format(status=status) if use_exact and len(m.sites) else ""
        chosen, status = _solve_greedy(m.area, m.cost, m.district, m.required, m.reach, m.weights, unit_cost=m.unit_cost)
        status += fallback
    return _Solution(chosen, status, ran, time.perf_counter() - started)


def _chosen_in_order(m: _Model, solution: _Solution, need: _Need, s: _Settings):
    """Build order: the chosen sites, each with its gain and its district's area, per capita and gap after it."""
    order, gains = _build_order(list(np.flatnonzero(solution.chosen)), m.area, m.reach, m.weights)
    chosen = m.sites.iloc[order].copy()
    chosen.insert(0, "order", np.arange(1, len(order) + 1))
    chosen["newly_covered"] = gains
    chosen["cumulative_newly_covered"] = np.cumsum(gains)
    added_so_far = chosen.groupby("adcode")["usable_area_m2"].cumsum().to_numpy()
    base = need.existing.reindex(chosen["adcode"].astype(str)).to_numpy() + added_so_far
    popd = need.residents.population.reindex(chosen["adcode"].astype(str)).to_numpy()
    chosen["district_area_after_m2"] = base
    chosen["district_per_capita_after_m2"] = base / popd
    chosen["district_gap_after_m2"] = np.maximum(0.0, s.target * popd - base)
    return chosen, order


def _districts_after(need: _Need, m: _Model, chosen, order, cands, s: _Settings) -> pd.DataFrame:
    """District table: before and after the plan, one row per district and the city-wide row."""
    covered1 = need.covered.copy()
    if len(order):
        covered1[np.unique(m.reach[order].nonzero()[1])] = True
    r = need.residents
    return _district_table(r.names, r.population, need.existing, need.gap, chosen, r.pop, r.cell_adcode, need.covered,
                           covered1, s.target, s.year, cands, m.usable)


def _mark_demo(table, register, candidates, rules) -> bool:
    """``demo`` and ``rule_set`` on every row of the table; whether either input is DEMO."""
    demo = is_demo(register) or is_demo(candidates)
    table["demo"] = demo
    table["rule_set"] = rules.id
    return demo


def _notes(register, candidates, table) -> list[str]:
    """Notes: DEMO inputs, districts where the candidates run out."""
    notes = []
    if is_demo(register):
        notes.append(_("DEMO DATA: the shelter register is zzgeo's synthetic demo register"))
    if is_demo(candidates):
        notes.append(_("DEMO DATA: the candidate sites are zzgeo's synthetic demo sites"))
    short = table[(table["adcode"] != CITY_ADCODE) & (table["residual_gap_m2"] > 0)]
    if len(short):
        notes.append(_("candidates run out in: {districts}").format(districts=_(", ").join(
            _("{name} ({left_m2:,.0f} m² left)").format(name=r["name"], left_m2=r["residual_gap_m2"]) for _i, r in short.iterrows())))
    return notes


def _siting_meta(s: _Settings, demo: bool, solution: _Solution, m: _Model, cands, need: _Need, assured, excluded: int,
                 notes: list[str]) -> dict:
    """Meta: year, target, rule set, method and solver, candidate counts, population and distance, notes."""
    year, targets, ran, status = s.year, s.targets, solution.ran, solution.status
    return {
        "year": int(year), "target_m2": s.target, "target_source": targets.source(year), "rule_set": s.rules.describe(),
        "targets_m2": {int(y): float(t) for y, t in sorted(targets.per_capita_m2.items())}, "targets_document": targets.document,
        "demo": demo, "method": ran,
        "solver": _("PuLP + CBC, two-stage lexicographic MILP (least cost, then most newly covered residents)") if ran == "exact" else status,
        "status": status, "seconds": round(solution.seconds, 3),
        "objective": _("least cost (cost column)") if not m.unit_cost else _("least cost (fewest sites)"),
        "candidate_rule": _("usable area >= {minimum:,.0f} m² ({clause})").format(minimum=targets.candidate_min_area_m2,
                                                                               clause=targets.candidate_clause),
        "candidates_total": int(len(cands)), "candidates_eligible": int(m.usable.sum()),
        "candidates_rejected": int((~m.usable).sum()), "candidates_in_model": int(len(m.sites)),
        "population_method": need.demand.attrs.get("method", _("user-supplied demand points")), "distance": m.pairs.metric,
        "assignment": assured[1].description, "assignment_method": assured[1].method,
        "excluded_register_rows": int(excluded), "notes": notes,
    }


def _assured_before_after(shelters, chosen, demand, pairs0, rules, network, method):
    """Residents with an assured place (max flow) with the existing shelters, then with the chosen sites too."""
    from zzgeo.shelters.assignment import assign_capacity
    from zzgeo.shelters.coverage import shelter_capacity
    from zzgeo.spatial.reach import Pairs

    pop = demand["population"].to_numpy(dtype="float64")
    cap0 = shelter_capacity(shelters, rules)
    before = assign_capacity(pairs0, pop, cap0, method=method)
    if len(chosen) == 0:
        return before, before
    planned = chosen.rename(columns={"usable_area_m2": "effective_area_m2"})
    pairs1 = reach_pairs(demand, planned, _radii(planned, rules), network=network)
    both = Pairs(np.concatenate([pairs0.cell, pairs1.cell]), np.concatenate([pairs0.site, pairs1.site + len(shelters)]),
                 np.concatenate([pairs0.distance_m, pairs1.distance_m]), pairs0.metric)
    after = assign_capacity(both, pop, np.concatenate([cap0, shelter_capacity(planned, rules)]), method=method)
    return before, after


def _add_assured(table, assured, cell_ad) -> None:
    before, after = assured
    sums = pd.DataFrame({"adcode": cell_ad, "b": before.placed, "a": after.placed}).groupby("adcode").sum()
    rows = table["adcode"] != CITY_ADCODE
    table.loc[rows, "assured"] = sums["b"].reindex(table.loc[rows, "adcode"], fill_value=0.0).to_numpy()
    table.loc[rows, "assured_after"] = sums["a"].reindex(table.loc[rows, "adcode"], fill_value=0.0).to_numpy()
    table.loc[~rows, "assured"] = before.total
    table.loc[~rows, "assured_after"] = after.total
    for col in ("assured", "assured_after"):
        table[f"{col}_share"] = table[col] / table["population"].where(table["population"] > 0)


def with_chosen_sites(register: gpd.GeoDataFrame, chosen: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Existing valid shelters plus the chosen sites as planned shelters (``planned`` column).

    The result can go back into :func:`~zzgeo.shelters.coverage.shelter_coverage`
    to see the district table after the plan. A chosen site's effective area is
    its usable area; its class the proposed one.

    Parameters
    ----------
    register : geopandas.GeoDataFrame
        The existing shelters (only ``valid`` rows are kept when the column is there).
    chosen : geopandas.GeoDataFrame
        :attr:`SitingResult.chosen`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``shelter_id``, ``name``, ``shelter_class``, ``effective_area_m2``,
        ``planned``, ``source``, ``demo`` (those present), in EPSG:4326.

    Examples
    --------
    The 2025 plan for a hand-built district (a 4 km square around 二七广场) with
    20,000 residents and a class I shelter of 30,000 m² adds A (6,000 m²) and
    B (5,000 m²): (30,000 + 11,000) / 20,000 = 2.05 m² per person, which meets
    the 2 m² due by end-2025.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> x, y = gpd.GeoSeries.from_xy([113.6654], [34.7536], crs=4326).to_crs(4547).iloc[0].coords[0]
    >>> districts = gpd.GeoDataFrame({"adcode": ["410104"], "name": ["管城回族区"]},
    ...                              geometry=[box(x - 2000, y - 2000, x + 2000, y + 2000)], crs=4547)
    >>> demand = gpd.GeoDataFrame({"population": [5000.0] * 4, "adcode": "410104"}, crs=4547,
    ...                           geometry=[Point(x + dx, y + dy) for dx in (-500, 500) for dy in (-500, 500)])
    >>> register = gpd.GeoDataFrame({"shelter_id": ["S1"], "name": ["东广场"], "shelter_class": "I",
    ...                              "effective_area_m2": 30000.0}, geometry=[Point(x + 1000, y)], crs=4547)
    >>> candidates = gpd.GeoDataFrame({"candidate_id": list("ABCD"), "name": ["A 公园", "B 学校", "C 广场", "D 游园"],
    ...                                "usable_area_m2": [6000.0, 5000.0, 4500.0, 1500.0], "cost": [5e6, 3e6, 4e6, 1e6]},
    ...                               geometry=[Point(x, y + 1500), Point(x, y - 1500), Point(x - 1500, y + 1500),
    ...                                         Point(x - 1500, y - 1500)], crs=4547)
    >>> from zzgeo.shelters.coverage import shelter_coverage
    >>> plan = site_shelters(register, candidates, demand, year=2025, districts=districts)
    >>> after = with_chosen_sites(register, plan.chosen)
    >>> after[["shelter_id", "shelter_class", "effective_area_m2", "planned"]].values.tolist()
    [['S1', 'I', 30000.0, False], ['A', 'II', 6000.0, True], ['B', 'II', 5000.0, True]]
    >>> table = shelter_coverage(after, demand, districts=districts).table
    >>> float(table.loc[0, "per_capita_m2"]), bool(table.loc[0, "meets_2025"])
    (2.05, True)
    """
    existing = register[register["valid"]] if "valid" in register else register
    existing = existing.to_crs("EPSG:4326").assign(planned=False)
    planned = chosen.to_crs("EPSG:4326").rename(columns={"usable_area_m2": "effective_area_m2", "candidate_id": "shelter_id"})
    planned = planned.assign(planned=True, source="planned: " + planned["source"].astype(str) if "source" in planned else "planned")
    keep = ["shelter_id", "name", "shelter_class", "effective_area_m2", "planned", "source", "demo", "geometry"]
    parts = [frame[[c for c in keep if c in frame]] for frame in (existing, planned)]
    return pd.concat(parts, ignore_index=True).pipe(lambda f: f.set_geometry("geometry", crs="EPSG:4326"))


def _district_table(names, population, existing, gap, chosen, pop, cell_ad, covered0, covered1, target, year, cands, usable):
    t = pd.DataFrame({"adcode": names.index, "name": names.to_numpy(), "population": population.to_numpy()})
    t["effective_area_m2"] = existing.to_numpy()
    t["per_capita_m2"] = t["effective_area_m2"] / t["population"].where(t["population"] > 0)
    t["target_year"] = int(year)
    t["target_m2"] = target
    t["meets_target"] = t["per_capita_m2"].fillna(np.inf) + 1e-9 >= target
    t["gap_m2"] = gap.to_numpy()
    by = chosen.groupby(chosen["adcode"].astype(str))
    t["sites_chosen"] = by.size().reindex(t["adcode"], fill_value=0).to_numpy().astype(int)
    t["added_area_m2"] = by["usable_area_m2"].sum().reindex(t["adcode"], fill_value=0.0).to_numpy()
    t["cost_chosen"] = by["cost"].sum().reindex(t["adcode"], fill_value=0.0).to_numpy()
    t["area_after_m2"] = t["effective_area_m2"] + t["added_area_m2"]
    t["per_capita_after_m2"] = t["area_after_m2"] / t["population"].where(t["population"] > 0)
    t["meets_target_after"] = t["per_capita_after_m2"].fillna(np.inf) + 1e-9 >= target
    t["residual_gap_m2"] = np.maximum(0.0, target * t["population"] - t["area_after_m2"])
    cad = cands["adcode"].astype(str)
    t["candidates_eligible"] = pd.Series(usable).groupby(cad.to_numpy()).sum().reindex(t["adcode"], fill_value=0).to_numpy().astype(int)
    t["candidates_rejected"] = pd.Series(~usable).groupby(cad.to_numpy()).sum().reindex(t["adcode"], fill_value=0).to_numpy().astype(int)
    frame = pd.DataFrame({"adcode": cell_ad, "before": pop * covered0, "after": pop * covered1})
    sums = frame.groupby("adcode").sum().reindex(t["adcode"], fill_value=0.0)
    t["covered"] = sums["before"].to_numpy()
    t["covered_after"] = sums["after"].to_numpy()
    t["newly_covered"] = t["covered_after"] - t["covered"]
    city = {c: t[c].sum() for c in t.columns if pd.api.types.is_numeric_dtype(t[c]) and c not in ("target_year", "target_m2")}
    city.update({"adcode": CITY_ADCODE, "name": "郑州市 (city-wide)", "target_year": int(year), "target_m2": target,
                 "meets_target": bool(t["meets_target"].all()), "meets_target_after": bool(t["meets_target_after"].all())})
    city["per_capita_m2"] = city["effective_area_m2"] / city["population"]
    city["per_capita_after_m2"] = city["area_after_m2"] / city["population"]
    t = pd.concat([t, pd.DataFrame([city])], ignore_index=True)
    for col in ("covered", "covered_after"):
        t[f"{col}_share"] = t[col] / t["population"].where(t["population"] > 0)
    return t


_SITE_COLUMNS = ("order", "candidate_id", "name", "kind", "shelter_class", "adcode", "district_name", "usable_area_m2",
                 "cost", "newly_covered", "cumulative_newly_covered", "district_area_after_m2",
                 "district_per_capita_after_m2", "district_gap_after_m2")


def siting_records(result: SitingResult) -> dict:
    """JSON-ready dict: meta, ``chosen`` sites in order, one record per district, ``city``, ``candidates_not_used``
    (below 2,000 m² or invalid, with the reason).

    Parameters
    ----------
    result : SitingResult
        From :func:`site_shelters`.

    Returns
    -------
    dict
        The meta keys, ``chosen`` (with ``lon``/``lat``), ``records``, ``city``
        and ``candidates_not_used``; numbers are plain Python numbers.

    Examples
    --------
    The 2025 plan for a hand-built district (a 4 km square around 二七广场, 20,000
    residents, a class I shelter of 30,000 m², gap 10,000 m²): A and B chosen,
    D (1,500 m²) not used because of the 2000 m² rule.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> x, y = gpd.GeoSeries.from_xy([113.6654], [34.7536], crs=4326).to_crs(4547).iloc[0].coords[0]
    >>> districts = gpd.GeoDataFrame({"adcode": ["410104"], "name": ["管城回族区"]},
    ...                              geometry=[box(x - 2000, y - 2000, x + 2000, y + 2000)], crs=4547)
    >>> demand = gpd.GeoDataFrame({"population": [5000.0] * 4, "adcode": "410104"}, crs=4547,
    ...                           geometry=[Point(x + dx, y + dy) for dx in (-500, 500) for dy in (-500, 500)])
    >>> register = gpd.GeoDataFrame({"shelter_id": ["S1"], "name": ["东广场"], "shelter_class": "I",
    ...                              "effective_area_m2": 30000.0}, geometry=[Point(x + 1000, y)], crs=4547)
    >>> candidates = gpd.GeoDataFrame({"candidate_id": list("ABCD"), "name": ["A 公园", "B 学校", "C 广场", "D 游园"],
    ...                                "usable_area_m2": [6000.0, 5000.0, 4500.0, 1500.0], "cost": [5e6, 3e6, 4e6, 1e6]},
    ...                               geometry=[Point(x, y + 1500), Point(x, y - 1500), Point(x - 1500, y + 1500),
    ...                                         Point(x - 1500, y - 1500)], crs=4547)
    >>> records = siting_records(site_shelters(register, candidates, demand, year=2025, districts=districts))
    >>> [(site["order"], site["candidate_id"], site["usable_area_m2"]) for site in records["chosen"]]
    [(1, 'A', 6000.0), (2, 'B', 5000.0)]
    >>> records["candidates_not_used"]
    [{'candidate_id': 'D', 'name': 'D 游园', 'usable_area_m2': 1500.0, 'reason': 'usable area below 2,000 m² (郑政文〔2022〕40号 五、(一) 严格建设标准)'}]
    >>> records["city"]["per_capita_after_m2"], records["city"]["meets_target_after"]
    (2.05, True)
    """
    import shapely

    chosen = []
    pts = result.chosen.geometry.to_crs("EPSG:4326").representative_point() if len(result.chosen) else []
    for (_i, row), pt in zip(result.chosen.iterrows(), pts, strict=True):
        rec = {c: _plain(row[c]) for c in _SITE_COLUMNS if c in row}
        rec.update({"lon": round(float(shapely.get_x(pt)), 7), "lat": round(float(shapely.get_y(pt)), 7)})
        chosen.append(rec)
    rows = []
    for _i, row in result.districts.iterrows():
        rec = {c: _plain(row[c]) for c in result.districts.columns}
        rec["demo"] = bool(result.meta["demo"])
        rec["rule_set"] = result.meta["rule_set"]["id"]
        rows.append(rec)
    rejected = result.candidates[~(result.candidates["valid"] & result.candidates["eligible"])]
    rej = [{"candidate_id": _plain(r["candidate_id"]), "name": _plain(r["name"]), "usable_area_m2": _plain(r["usable_area_m2"]),
            "reason": r["reject_reason"]} for _i, r in rejected.iterrows()]
    return {**result.meta, "chosen": chosen, "records": rows[:-1], "city": rows[-1], "candidates_not_used": rej}
