"""What exists against what the plan asks: every target of 郑政〔2022〕8号 per unit and city-wide, for 2022 or 2025.

One record per target and unit (and a city-wide record for every target):

* ``actual`` - facilities counted (``count``), places summed (``places``), the
  per-head ratio (``per_1000_residents`` / ``per_10000_residents``) or the
  share in % (``community_share`` / ``unit_share``);
* ``ratio`` = actual / target (attainment; 1 = met), ``shortfall`` = how many
  facilities or places are missing (never offset by another unit's surplus);
  for a range target (0.8-1 pitches per 10,000) both ends: ``target_max``,
  ``ratio_max``, ``shortfall_max``;
* the city record of a count set for every unit (``per_unit``: 5 blocks in
  each unit) follows the plan's unit-by-unit rule: each unit counts only up
  to its own target, so ``shortfall`` is the sum of the units' shortfalls,
  ``ratio`` = 1 - shortfall / the units' total need, ``actual`` = the
  facilities that count toward some unit's target, and ``met`` means every
  unit met it;
* the city record of a per-head target (per 1,000 or 10,000 residents) is
  the city's own figure, as a planner reads it: all its places (pitches) /
  all its residents x 1,000 (10,000); ``ratio``, ``shortfall`` and ``met``
  follow from it. ``status`` says beside it how many units meet the target on
  their own and what their own gaps sum to (a surplus in one unit does not
  fill another's gap there), and which unit has no census row (郑东新区,
  counted with its host). Parents and the whole area of
  :func:`attainment_by_units` follow the same rule;
* ``city_pooled_actual``, ``city_pooled_ratio`` and ``city_pooled_shortfall``:
  the city as one pool, on the city records of the targets set for every unit
  (for a per-head target the same as ``actual``, ``ratio``, ``shortfall``);
  empty on every other record;
* ``status``: met / not met, or why the row cannot be measured (a rate or a
  quantity no facility register holds, no community layer, no residents figure).

Counting rules (``data/children/targets.toml``): a facility counts to a target
when its type is one of the target's types and its year is at most the
milestone (and at least ``counts_from`` where the plan says 新增/新建/开工/创建); a
facility without a year counts and is reported in ``meta["undated"]``. Each
facility counts to one unit (:func:`zzgeo.children.register.assign_units`).
For per-head targets a unit without a census row (郑东新区) is folded into its
host district, whose census row holds its residents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.children.register import facility_labels
from zzgeo.children.rules import (
    DOC_NUMBER,
    load_targets,
    load_units,
    targets_for,
    unit_population,
)
from zzgeo.i18n import N_, _, language

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from zzgeo.units import AnalysisUnits

__all__ = ["Attainment", "target_attainment", "attainment_by_units", "attainment_records", "inventory"]

_PER = {"per_1000_residents": 1000.0, "per_10000_residents": 10000.0}
RECORD_COLUMNS = [
    "target_id", "year", "group", "task", "annex", "scope", "unit", "unit_name", "facility", "measure", "cmp",
    "target", "target_max", "actual", "ratio", "ratio_max", "shortfall", "shortfall_max", "met", "status",
    "unit_of_measure", "wording", "note", "city_pooled_actual", "city_pooled_ratio", "city_pooled_shortfall",
]


@dataclass
class Attainment:
    """Result of :func:`target_attainment`: records, the inventory per unit and type, and what was assumed.

    Attributes
    ----------
    records : pandas.DataFrame
        One row per target and unit, and a city row per target (see module notes).
    inventory : pandas.DataFrame
        Facilities per unit (rows: the 16 units) and type (columns: names in the plan).
    facilities : pandas.DataFrame
        The facilities counted, with ``unit_key``, ``unit_rule`` and ``head_key``.
    meta : dict
        ``document``, ``year``, ``targets``, ``measurable``, ``facilities``,
        ``left_out``, ``undated``, ``demo``, ``children_rule``, ``zones``, ``unit_rule``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.children import read_facilities, target_attainment
    >>> register = gpd.GeoDataFrame(
    ...     {"编号": ["P1", "P2", "P3", "S1", "S2"], "名称": ["公园甲", "公园乙", "公园丙", "街区甲", "街区乙"],
    ...      "设施类型": ["儿童友好公园", "儿童友好公园", "儿童友好公园", "儿童友好街区", "街区"],
    ...      "所属单位": ["", "", "", "二七区", "郑东新区"], "年份": [2021, 2023, 2024, 2022, 2023]},
    ...     geometry=[Point(113.5472, 34.7807), Point(113.7477, 34.6935), Point(113.6408, 34.8810),
    ...               Point(113.5826, 34.6850), Point(113.7302, 34.8117)], crs="EPSG:4326")
    >>> result = target_attainment(read_facilities(register), year=2025)
    >>> result.meta["document"], result.meta["targets"], result.meta["facilities"], result.meta["demo"]
    ('郑政〔2022〕8号', 70, 5, False)
    >>> result.inventory.set_index("unit_name").loc[["中原区", "二七区", "郑东新区"]].values.tolist()
    [['410102', 1, 0], ['410103', 0, 1], ['zdxq', 0, 1]]
    >>> result.inventory.columns.tolist()
    ['unit', 'unit_name', '儿童友好公园', '儿童友好街区']
    """

    records: pd.DataFrame
    inventory: pd.DataFrame
    facilities: pd.DataFrame
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Context:
    facilities: pd.DataFrame  # valid rows with unit_key, head_key
    units: pd.DataFrame  # unit, name, kind, residents (folded for per-head)
    communities: pd.DataFrame | None
    labels: dict
    year: int


#: Every status text a record can carry, parts joined by "; ". The ``status`` column keeps the English text
#: (programs read it); :func:`status_for_people` shows it in the interface language.
STATUS_TEXTS = (
    N_("met"), N_("not met"), N_("not measurable: rate"), N_("not measurable: quantity"),
    N_("needs a community (village) layer: --communities FILE"), N_("no communities of this kind in the layer"),
    N_("no residents figure"), N_("no census row: counted with {host}, whose census row holds its residents"),
    N_("met ({hit} of {n} communities)"), N_("not met ({hit} of {n} communities)"),
    N_("met ({hit} of {n} units)"), N_("not met ({hit} of {n} units)"),
    N_("{met} of {n} units met"), N_("{met} of {n} units met (their own gaps sum to {gap:,.2f})"),
    N_("{counted} of {total} units have a census row ({names} counted with {host})"),
    N_("{counted} of {total} units have a residents figure ({names} left out)"),
)
_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(![rsa])?(:[^{}]*)?\}")


def _status_pattern(msgid: str) -> re.Pattern:
    parts, last = [], 0
    for m in _PLACEHOLDER.finditer(msgid):
        parts += [re.escape(msgid[last:m.start()]), f"(?P<{m.group(1)}>.+?)"]
        last = m.end()
    return re.compile("".join([*parts, re.escape(msgid[last:])]))


_STATUS_PATTERNS = [(msgid, _status_pattern(msgid)) for msgid in sorted(STATUS_TEXTS, key=len, reverse=True)]


def status_for_people(status) -> str:
    """A record's ``status`` in the interface language (English: unchanged); parts joined by ``; `` are
    translated one by one, figures and names kept as written.

    >>> from zzgeo.i18n import set_language
    >>> set_language("en")
    >>> status_for_people("not met; 6 of 15 units met (their own gaps sum to 3,271.40)")
    'not met; 6 of 15 units met (their own gaps sum to 3,271.40)'
    >>> set_language(None)
    """
    if not isinstance(status, str) or not status or language() == "en":
        return status
    shown = []
    for part in status.split("; "):
        for msgid, pattern in _STATUS_PATTERNS:
            found = pattern.fullmatch(part)
            if found:
                values = found.groupdict()
                part = _PLACEHOLDER.sub(lambda m, v=values: v[m.group(1)], _(msgid))
                break
        shown.append(part)
    return _("; ").join(shown)


def _status(msgid: str, **values) -> str:
    """The English status text of *msgid* (one of :data:`STATUS_TEXTS`)."""
    return msgid.format(**values)


def _selected(ctx: _Context, row) -> pd.DataFrame:
    fac = ctx.facilities
    year = fac["year"]
    milestone = row.year or ctx.year
    keep = fac["type"].isin(row.facilities).to_numpy() & (year.isna() | (year <= milestone)).to_numpy()
    if row.counts_from:
        keep &= (year.isna() | (year >= row.counts_from)).to_numpy()
    if row.min_places:
        keep &= (fac["places"].fillna(0) >= row.min_places).to_numpy()
    return fac[keep]


def _amount(selected: pd.DataFrame, measure: str) -> pd.Series:
    return selected["places"].fillna(0.0) if measure == "places" else pd.Series(1.0, index=selected.index)


def _record(row, ctx: _Context, *, unit: str, unit_name: str, actual: float, target: float, shortfall: float,
            status: str | None = None, target_max: float = np.nan, shortfall_max: float = np.nan, pooled: tuple = (np.nan,) * 3) -> dict:
    ratio = actual / target if target else np.nan
    ratio_max = actual / target_max if pd.notna(target_max) and target_max else np.nan
    met = bool(actual >= target) if pd.notna(actual) else None
    return {
        "target_id": row.id, "year": row.year, "group": row.group, "task": row.task, "annex": row.annex, "scope": row.scope,
        "unit": unit, "unit_name": unit_name, "facility": "、".join(ctx.labels.get(f, f) for f in row.facilities),
        "measure": row.measure, "cmp": row.cmp, "target": target, "target_max": target_max, "actual": actual,
        "ratio": ratio, "ratio_max": ratio_max, "shortfall": shortfall, "shortfall_max": shortfall_max, "met": met,
        "status": status or _status(N_("met") if met else N_("not met")), "unit_of_measure": row.unit, "wording": row.wording, "note": row.note,
        "city_pooled_actual": pooled[0], "city_pooled_ratio": pooled[1], "city_pooled_shortfall": pooled[2],
    }


def _city_total(row, ctx: _Context) -> list[dict]:
    total = float(_amount(_selected(ctx, row), row.measure).sum())
    return [_record(row, ctx, unit="city", unit_name="全市", actual=total, target=row.value, shortfall=max(row.value - total, 0.0))]


def _units_rule(row, ctx: _Context, units: list[dict], *, need: float, pooled: tuple) -> dict:
    """The city record of a count set for every unit (``per_unit``): no unit's surplus offsets another's gap (module notes)."""
    short = sum(r["shortfall"] for r in units)
    ratio = 1.0 - short / need if need else np.nan
    met = sum(bool(r["met"]) for r in units)
    rec = _record(row, ctx, unit="city", unit_name="全市", actual=need * ratio, target=need, shortfall=short,
                  status=_status(N_("{met} of {n} units met"), met=met, n=len(units)), pooled=pooled)
    rec["ratio"] = ratio
    rec["met"] = met == len(units)
    return rec


def _pooled_rule(row, ctx: _Context, units: list[dict], *, residents: float, total: float, per: float,
                 left_out: str = "") -> dict:
    """The record of a per-head target over several units (the city, a parent, the whole area): what it has as one
    place - its places (pitches) / its residents x 1,000 (10,000), attainment, gap and met from that - with how
    many units meet it on their own, and the sum of their own gaps, beside it in ``status`` (module notes)."""
    actual = total / residents * per
    need = row.value * residents / per
    need_max = row.value_max * residents / per if pd.notna(row.value_max) else np.nan
    own_gap = sum(r["shortfall"] for r in units)
    met = sum(bool(r["met"]) for r in units)
    parts = [N_("met") if actual >= row.value else N_("not met"),
             _status(N_("{met} of {n} units met (their own gaps sum to {gap:,.2f})") if own_gap > 0 else N_("{met} of {n} units met"),
                     met=met, n=len(units), gap=own_gap)]
    rec = _record(row, ctx, unit="city", unit_name="全市", actual=actual, target=row.value, shortfall=max(need - total, 0.0),
                  target_max=row.value_max, shortfall_max=max(need_max - total, 0.0) if pd.notna(need_max) else np.nan,
                  status="; ".join([*parts, *([left_out] if left_out else [])]),
                  pooled=(actual, actual / row.value, max(need - total, 0.0)))
    return rec


def _per_unit(row, ctx: _Context) -> list[dict]:
    sel = _selected(ctx, row)
    by_unit = _amount(sel, row.measure).groupby(sel["unit_key"]).sum()
    out = []
    for unit in ctx.units.itertuples():
        actual = float(by_unit.get(unit.unit, 0.0))
        out.append(_record(row, ctx, unit=unit.unit, unit_name=unit.name, actual=actual, target=row.value,
                           shortfall=max(row.value - actual, 0.0)))
    need, total = row.value * len(out), float(by_unit.sum())
    pooled = (total, total / need, max(need - total, 0.0))
    return [*out, _units_rule(row, ctx, out, need=need, pooled=pooled)]


def _per_head(row, ctx: _Context) -> list[dict]:
    per = _PER[row.scope]
    sel = _selected(ctx, row)
    amount = _amount(sel, row.measure)
    by_unit = amount.groupby(sel["head_key"]).sum()
    out = []
    for unit in ctx.units.itertuples():
        total = float(by_unit.get(unit.unit, 0.0))
        out.append(_head_record(row, ctx, unit.unit, unit.name, total, unit.head_residents, per, unit.head_note))
    residents = float(ctx.units["residents"].sum())
    counted = [r for r in out if pd.notna(r["shortfall"])]  # a unit without residents is counted with its host
    if not counted or residents <= 0:
        return [*out, _head_record(row, ctx, "city", "全市", float(amount.sum()), np.nan, per, "")]
    apart = [r for r in out if pd.isna(r["shortfall"])]
    left_out = ""
    if apart:
        hosts = dict(zip(ctx.units["unit"], ctx.units["host"], strict=True)) if "host" in ctx.units else {}
        names = dict(zip(ctx.units["unit"], ctx.units["name"], strict=True))
        left_out = _status(N_("{counted} of {total} units have a census row ({names} counted with {host})"), counted=len(counted),
                           total=len(out), names="、".join(r["unit_name"] for r in apart),
                           host="、".join(dict.fromkeys(names.get(hosts.get(r["unit"], ""), "?") for r in apart)))
    return [*out, _pooled_rule(row, ctx, counted, residents=residents, total=float(amount.sum()), per=per, left_out=left_out)]


def _head_record(row, ctx: _Context, unit: str, name: str, total: float, residents: float, per: float, note: str) -> dict:
    if pd.isna(residents) or residents <= 0:
        return _record(row, ctx, unit=unit, unit_name=name, actual=np.nan, target=row.value, shortfall=np.nan,
                       status=note or _status(N_("no residents figure")), target_max=row.value_max)
    need = row.value * residents / per
    need_max = row.value_max * residents / per if pd.notna(row.value_max) else np.nan
    rec = _record(row, ctx, unit=unit, unit_name=name, actual=total / residents * per, target=row.value,
                  shortfall=max(need - total, 0.0), target_max=row.value_max,
                  shortfall_max=max(need_max - total, 0.0) if pd.notna(need_max) else np.nan)
    if note:
        rec["status"] += f"; {note}"
    return rec


def _community_share(row, ctx: _Context) -> list[dict]:
    if ctx.communities is None:
        return [_record(row, ctx, unit="city", unit_name="全市", actual=np.nan, target=row.value, shortfall=np.nan,
                        status=_status(N_("needs a community (village) layer: --communities FILE")))]
    com = ctx.communities if not row.community else ctx.communities[ctx.communities["kind"] == row.community]
    served = _served_communities(_selected(ctx, row), com)
    out = []
    for unit in ctx.units.itertuples():
        mine = com["unit_key"] == unit.unit
        out.append(_share_record(row, ctx, unit.unit, unit.name, int(mine.sum()), int((served & mine).sum())))
    out.append(_share_record(row, ctx, "city", "全市", len(com), int(served.sum())))
    return out


def _share_record(row, ctx: _Context, unit: str, name: str, n: int, hit: int) -> dict:
    """A per-community record; ``communities``/``communities_with`` (n, hit) ride along for totals, not in tables."""
    if n == 0:
        rec = _record(row, ctx, unit=unit, unit_name=name, actual=np.nan, target=row.value, shortfall=np.nan,
                      status=_status(N_("no communities of this kind in the layer")))
        return {**rec, "communities": 0, "communities_with": 0}
    need = int(np.ceil(row.value / 100.0 * n - 1e-9))
    rec = _record(row, ctx, unit=unit, unit_name=name, actual=100.0 * hit / n, target=row.value, shortfall=float(max(need - hit, 0)))
    rec["status"] = _status(N_("met ({hit} of {n} communities)") if rec["met"] else N_("not met ({hit} of {n} communities)"), hit=hit, n=n)
    return {**rec, "communities": n, "communities_with": hit}


def _served_communities(selected: pd.DataFrame, communities: pd.DataFrame) -> pd.Series:
    """Whether each community polygon holds at least one selected facility (its representative point)."""
    import shapely

    served = np.zeros(len(communities), dtype=bool)
    if len(selected) and len(communities):
        points = np.asarray(selected.geometry.representative_point().values)
        tree = shapely.STRtree(np.asarray(communities.geometry.values))
        _points, polys = tree.query(points, predicate="within")
        served[np.unique(polys)] = True
    return pd.Series(served, index=communities.index)


def _unit_share(row, ctx: _Context) -> list[dict]:
    sel = _selected(ctx, row)
    counts = sel.groupby("unit_key").size()
    out = []
    for unit in ctx.units.itertuples():
        actual = float(counts.get(unit.unit, 0))
        out.append(_record(row, ctx, unit=unit.unit, unit_name=unit.name, actual=actual, target=1.0, shortfall=max(1.0 - actual, 0.0)))
    hit = sum(r["met"] for r in out)
    city = _record(row, ctx, unit="city", unit_name="全市", actual=100.0 * hit / len(out), target=row.value,
                   shortfall=float(len(out) - hit))
    city["status"] = _status(N_("met ({hit} of {n} units)") if city["met"] else N_("not met ({hit} of {n} units)"), hit=hit, n=len(out))
    return [*out, city]


def _not_measurable(row, ctx: _Context) -> list[dict]:
    return [_record(row, ctx, unit="city", unit_name="全市", actual=np.nan, target=row.value, shortfall=np.nan,
                    status=_status(N_("not measurable: rate") if row.measure == "rate" else N_("not measurable: quantity")),
                    target_max=row.value_max)]


_SCOPES = {"city": _city_total, "per_unit": _per_unit, "per_1000_residents": _per_head, "per_10000_residents": _per_head,
           "community_share": _community_share, "unit_share": _unit_share}


def _units_for_heads(population: pd.DataFrame) -> pd.DataFrame:
    """Units with the residents per-head targets use: a unit without a census row is folded into its host."""
    units = load_units().merge(population[["unit", "residents", "children"]], on="unit", how="left")
    names = dict(zip(units["unit"], units["name"], strict=True))
    fold = units["residents"].isna() & (units["host"] != "")
    units["head_residents"] = units["residents"]
    units["head_note"] = ""
    units.loc[fold, "head_note"] = [_status(N_("no census row: counted with {host}, whose census row holds its residents"), host=names[h])
                                    for h in units.loc[fold, "host"]]
    units["name"] = units["label"]  # a district whose development zone is a census row of its own: "中原区（不含高新区）"
    return units


def units_label_note() -> str:
    """Why 中原区 reads 中原区（不含高新区） here: the plan's units, each development zone apart."""
    units = load_units()
    labelled = units[units["label"] != units["name"]]
    return _("figures by the plan's 16 units, each development zone apart: {labels} are the districts without the zone "
             "(a census row of its own); zzgeo children access counts the zones in their districts").format(
                 labels="、".join(labelled["label"]))


def target_attainment(
    facilities: gpd.GeoDataFrame,
    *,
    year: int = 2025,
    targets: pd.DataFrame | None = None,
    population: pd.DataFrame | None = None,
    communities: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
) -> Attainment:
    """Every target due in *year* (and the standing ones) per unit and city-wide.

    Parameters
    ----------
    facilities : geopandas.GeoDataFrame
        A facility register read by :func:`zzgeo.children.register.read_facilities`
        (rows with issues are left out and counted in ``meta["left_out"]``).
    year : {2022, 2025}
    targets : pandas.DataFrame, optional
        :func:`~zzgeo.children.rules.load_targets` (default: the plan's table).
    population : pandas.DataFrame, optional
        :func:`~zzgeo.children.rules.unit_population` (default: census shares).
    communities : geopandas.GeoDataFrame, optional
        :func:`~zzgeo.children.register.read_communities`, for the per-community targets.
    zones : geopandas.GeoDataFrame, optional
        Development-zone polygons (:func:`~zzgeo.children.register.read_zones`).

    Returns
    -------
    Attainment

    Raises
    ------
    ParameterError
        *year* is not a milestone of the plan.

    Examples
    --------
    Three child-friendly parks opened 2021, 2023 and 2024, and two
    child-friendly blocks (街区), one in 二七区 and one named to 郑东新区.

    City-wide target 四(四)34, 20 parks built or rebuilt by 2025, counts from
    2022: the 2021 park does not count, so 2 of 20, ratio 0.1, 18 short.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.children import read_facilities, target_attainment
    >>> register = gpd.GeoDataFrame(
    ...     {"编号": ["P1", "P2", "P3", "S1", "S2"], "名称": ["公园甲", "公园乙", "公园丙", "街区甲", "街区乙"],
    ...      "设施类型": ["儿童友好公园", "儿童友好公园", "儿童友好公园", "儿童友好街区", "街区"],
    ...      "所属单位": ["", "", "", "二七区", "郑东新区"], "年份": [2021, 2023, 2024, 2022, 2023]},
    ...     geometry=[Point(113.5472, 34.7807), Point(113.7477, 34.6935), Point(113.6408, 34.8810),
    ...               Point(113.5826, 34.6850), Point(113.7302, 34.8117)], crs="EPSG:4326")
    >>> result = target_attainment(read_facilities(register), year=2025)
    >>> records = result.records.set_index(["target_id", "unit"])
    >>> park = records.loc[("park_cf_2025", "city")]
    >>> float(park["actual"]), float(park["target"]), float(park["ratio"]), float(park["shortfall"]), park["status"]
    (2.0, 20.0, 0.1, 18.0, 'not met')

    Per-unit target 四(四)28, 5 blocks in each of the 16 units: 二七区 and
    郑东新区 have 1 each (4 short each), the other 14 units none (5 short
    each). City-wide the need is 5 x 16 = 80 and the shortfall 4 + 4 + 14 x 5
    = 78, so the ratio is 1 - 78 / 80 = 0.025 (2 blocks that count).

    >>> street = records.loc["street_cf_2025"]
    >>> street.loc[["410103", "zdxq", "410102"], ["unit_name", "actual", "shortfall"]].values.tolist()
    [['二七区', 1.0, 4.0], ['郑东新区', 1.0, 4.0], ['中原区（不含高新区）', 0.0, 5.0]]
    >>> city = street.loc["city"]
    >>> [round(float(city[c]), 3) for c in ("target", "actual", "shortfall", "ratio")], city["status"]
    ([80.0, 2.0, 78.0, 0.025], '0 of 16 units met')

    A target no register can measure says so:

    >>> records.loc[("social_workers_2025", "city"), "status"]
    'not measurable: quantity'
    """
    from zzgeo.children.register import assign_units
    from zzgeo.registers import usable_rows

    targets = targets_for(load_targets() if targets is None else targets, year)
    population = unit_population() if population is None else population
    usable, left_out = usable_rows(facilities) if "valid" in facilities else (facilities, 0)
    fac = usable.join(assign_units(usable, zones))
    units = _units_for_heads(population)
    fold = dict(zip(units["unit"], np.where(units["head_note"] != "", units["host"], units["unit"]), strict=True))
    fac["head_key"] = fac["unit_key"].map(fold)
    com = None
    if communities is not None:
        com_usable, _left_out = usable_rows(communities) if "valid" in communities else (communities, 0)
        com = com_usable.join(assign_units(com_usable, zones))
    ctx = _Context(fac, units, com, facility_labels(), year)
    rows = [rec for row in targets.itertuples() for rec in (_SCOPES[row.scope] if row.measurable else _not_measurable)(row, ctx)]
    records = pd.DataFrame(rows, columns=RECORD_COLUMNS)
    meta = {
        "document": DOC_NUMBER, "year": year, "targets": len(targets), "measurable": int(targets["measurable"].sum()),
        "facilities": len(fac), "left_out": left_out, "undated": int(fac["year"].isna().sum()),
        "demo": bool(facilities.get("demo", pd.Series(False)).astype(bool).any()),
        "children_rule": population.attrs.get("children_rule", ""), "zones": "polygons" if zones is not None else "register names the zone",
        "unit_rule": _("a facility counts once: to a development zone when the register names it (or its polygon holds it), else to its district"),
    }
    return Attainment(records, inventory(fac, ctx.labels), fac, meta)


#: Scopes whose targets can be measured in any unit: per head (辖区每千人口) and per community.
UNIT_SCOPES = ("per_1000_residents", "per_10000_residents", "community_share")


def attainment_by_units(result: Attainment, units: AnalysisUnits, *, targets: pd.DataFrame | None = None,
                        communities: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """The targets measurable in any unit, by the analysis *units* (街道/社区): per head and per community.

    The plan sets its per-head targets for every 辖区 (``childcare_places_2025``:
    6 托位 per 1,000 residents) and its per-community shares for every
    community, so they hold in a 街道 too; its per-unit counts ("每个开发区、区县")
    and city totals do not, and are left to :func:`target_attainment`. A unit
    counts the facilities (and communities) that lie in it; its residents are
    the units' ``population``. Parent and whole-area rows follow the city
    rule of the per-head targets: their own figure (their places / their
    residents), with the units that meet it on their own and the sum of the
    units' own gaps in ``status``.

    Parameters
    ----------
    result : Attainment
        From :func:`target_attainment` (its facilities, year and labels).
    units : AnalysisUnits
    targets : pandas.DataFrame, optional
        As given to :func:`target_attainment` (default the plan's table).
    communities : geopandas.GeoDataFrame, optional
        The community layer, for the per-community targets (left out without it).

    Returns
    -------
    pandas.DataFrame
        The records of :func:`target_attainment` with ``level`` (unit, parent, total).
    """
    from zzgeo.units import units_of

    year = result.meta["year"]
    chosen = targets_for(load_targets() if targets is None else targets, year)
    scopes = UNIT_SCOPES if communities is not None else tuple(sc for sc in UNIT_SCOPES if sc != "community_share")
    chosen = chosen[chosen["scope"].isin(scopes) & chosen["measurable"]]
    fac = result.facilities.copy()
    fac["unit_key"] = fac["head_key"] = units_of(fac, units)
    frame = units.frame
    table = pd.DataFrame({"unit": frame["adcode"].astype(str).to_numpy(), "name": frame["name"].to_numpy(),
                          "residents": frame["population"].to_numpy(dtype="float64")})
    table["head_residents"], table["head_note"] = table["residents"], ""
    com = None
    if communities is not None:
        com = communities[communities["valid"]] if "valid" in communities else communities
        com = com.assign(unit_key=units_of(com, units))
    ctx = _Context(fac, table, com, facility_labels(), year)
    rows = []
    for row in chosen.itertuples():
        records = [r for r in _SCOPES[row.scope](row, ctx) if r["unit"] != "city"]
        rows += [{**r, "level": "unit"} for r in records]
        rows += [{**_group_record(row, ctx, [r for r in records if r["unit"] in g.members]), "unit": g.code,
                  "unit_name": g.name, "level": g.level} for g in units.groups()]
    return pd.DataFrame(rows, columns=[*RECORD_COLUMNS, "level"])


def _group_record(row, ctx: _Context, members: list[dict]) -> dict:
    """A parent's or the whole area's record: the city rule over its units (no unit's surplus fills another's gap)."""
    if row.scope == "community_share":
        return _share_record(row, ctx, "", "", sum(r["communities"] for r in members), sum(r["communities_with"] for r in members))
    per = _PER[row.scope]
    counted = [r["unit"] for r in members if pd.notna(r["shortfall"])]
    residents_of = dict(zip(ctx.units["unit"], ctx.units["residents"], strict=True))
    residents = float(sum(residents_of[u] for u in counted))
    if not counted or residents <= 0:
        return _record(row, ctx, unit="", unit_name="", actual=np.nan, target=row.value, shortfall=np.nan,
                       status=_status(N_("no residents figure")), target_max=row.value_max)
    sel = _selected(ctx, row)
    by_unit = _amount(sel, row.measure).groupby(sel["head_key"]).sum()  # as _per_head counts them
    total = float(sum(by_unit.get(u, 0.0) for u in counted))
    apart = [r["unit_name"] for r in members if r["unit"] not in counted]
    left_out = _status(N_("{counted} of {total} units have a residents figure ({names} left out)"), counted=len(counted),
                       total=len(members), names="、".join(apart)) if apart else ""
    return _pooled_rule(row, ctx, [r for r in members if r["unit"] in counted], residents=residents, total=total, per=per,
                        left_out=left_out)


def inventory(facilities: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Facilities per unit (rows, the 16 units) and type (columns, Chinese names).

    Parameters
    ----------
    facilities : pandas.DataFrame
        With ``unit_key`` (:func:`~zzgeo.children.register.assign_units`) and ``type``.
    labels : dict, optional
        Facility type -> name in the plan (default from the register schema).

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``unit_name``, then one count column per type present.

    Examples
    --------
    >>> import pandas as pd
    >>> from zzgeo.children.attainment import inventory
    >>> table = inventory(pd.DataFrame({"unit_key": ["410103", "410103", "zdxq"], "type": ["childcare", "park_cf", "childcare"]}))
    >>> table.set_index("unit_name").loc[["二七区", "郑东新区", "中原区"]].values.tolist()
    [['410103', 1, 1], ['zdxq', 1, 0], ['410102', 0, 0]]
    >>> table.columns.tolist()
    ['unit', 'unit_name', '托育服务机构', '儿童友好公园']
    """
    labels = labels or facility_labels()
    units = load_units()
    table = pd.crosstab(facilities["unit_key"], facilities["type"]).reindex(units["unit"], fill_value=0)
    table.columns = [labels.get(c, c) for c in table.columns]
    table.insert(0, "unit_name", units["name"].to_numpy())
    return table.rename_axis("unit").reset_index()


def attainment_records(result: Attainment) -> dict:
    """JSON-ready output: meta, one record per target and unit, the inventory.

    Parameters
    ----------
    result : Attainment

    Returns
    -------
    dict
        ``meta``, ``records`` and ``inventory``; NaN as None, numpy scalars as Python numbers.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zzgeo.children import read_facilities, target_attainment
    >>> register = gpd.GeoDataFrame(
    ...     {"编号": ["P1", "P2", "P3", "S1", "S2"], "名称": ["公园甲", "公园乙", "公园丙", "街区甲", "街区乙"],
    ...      "设施类型": ["儿童友好公园", "儿童友好公园", "儿童友好公园", "儿童友好街区", "街区"],
    ...      "所属单位": ["", "", "", "二七区", "郑东新区"], "年份": [2021, 2023, 2024, 2022, 2023]},
    ...     geometry=[Point(113.5472, 34.7807), Point(113.7477, 34.6935), Point(113.6408, 34.8810),
    ...               Point(113.5826, 34.6850), Point(113.7302, 34.8117)], crs="EPSG:4326")
    >>> result = target_attainment(read_facilities(register), year=2025)
    >>> import json
    >>> from zzgeo.children import attainment_records
    >>> out = attainment_records(result)
    >>> list(out), len(out["records"]) == len(result.records), len(out["inventory"])
    (['meta', 'records', 'inventory'], True, 16)
    >>> park = next(r for r in out["records"] if r["target_id"] == "park_cf_2025")
    >>> park["actual"], park["target"], park["ratio_max"]  # NaN becomes None
    (2.0, 20.0, None)
    >>> json.loads(json.dumps(out, ensure_ascii=False))["meta"]["document"]
    '郑政〔2022〕8号'
    """
    from zzgeo._records import json_safe

    return json_safe({"meta": result.meta, "records": result.records.to_dict("records"),
                      "inventory": result.inventory.to_dict("records")})
