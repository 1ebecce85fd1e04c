"""The pilot zone's indicators (表2—1 of 郑政文〔2022〕49号) from the registers, per district and city-wide.

Measured from the pollution-source register's status fields and the zone results:

==========================  ========================================  =====================================
measure (indicator)         numerator / denominator                   target
==========================  ========================================  =====================================
leak_screening_rate (6)     screened / sources on the screening list  >= 40 % by 2023
self_monitoring_rate (4)    self-monitoring / key supervised units     100 % by 2024
risk_plan_rate (7)          plan made / operating firms that have      >= 60 % by 2024
                            polluted groundwater
recharge_delineation_rate   (9) county-level-and-above sources with   100 % by end-2022
                            a recharge zone / those sources
spot checks (三(二)6(1))    spot-checked / screened, both of the       every type on the list
                            list, >= 5 %, and at least one per type
==========================  ========================================  =====================================

The risk-plan denominator is an interpretation: 三(二)7 asks for plans where the
risk is unacceptable after a detailed survey; a register rarely says that, so zzgeo
counts operating firms (在产) that have polluted groundwater, and says so.
Indicators that no register measures keep their row with the status
"not measurable from registers". Status against an ``as_of`` year: ``met``,
``not met`` (after the deadline), ``on track`` / ``behind`` (before it).

A screening counts as done by ``as_of`` when the register says it is done and
its completion date (``leak_screened_on``) is on or before 31 December of
that year; a screening completed later does not count yet, and one without a
date counts (the result says how many). The other status fields carry no
date in the register: they are taken as the register states them.

The spot-check share is of the firms that carried out their screening: 三(二)6(1)
says "抽查数量不低于开展排查企业的5%", and the screening it speaks of is the one
"依据地下水污染源渗漏排查企业清单", so both the spot-checked firms and the
screened firms are counted on the list (``spot_checked`` / ``screened`` of the
same row). ``screened_any`` counts screenings anywhere in the register (on the
list or not); no rate uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zzgeo.groundwater.rules import DOC_NUMBER, indicator_table, spot_check_rule
from zzgeo.i18n import _, language

__all__ = ["IndicatorResult", "rate", "screened_by", "spot_check_table", "pilot_indicators", "indicator_records", "status_text",
           "status_counts", "status_summary", "seq_labels"]

CITY = "410100"


@dataclass(frozen=True)
class IndicatorResult:
    """Output of :func:`pilot_indicators`.

    Attributes
    ----------
    by_district : pandas.DataFrame
        Counts and rates per district, the city-wide row (adcode 410100) last.
    indicators : pandas.DataFrame
        The rows of :func:`~zzgeo.groundwater.rules.indicator_table` with
        ``value_measured``, ``status`` and ``basis``.
    spot_checks : pandas.DataFrame
        The spot-check rule by source type (:func:`spot_check_table`).
    meta : dict
        Year judged, the spot-check verdict, notes on dates and denominators.
    """

    by_district: pd.DataFrame
    indicators: pd.DataFrame
    spot_checks: pd.DataFrame
    meta: dict = field(default_factory=dict)


def rate(numerator: int, denominator: int) -> float:
    """numerator / denominator, NaN when nothing is due.

    Examples
    --------
    >>> rate(2, 5), rate(0, 0)
    (0.4, nan)
    """
    return float(numerator) / float(denominator) if denominator else float("nan")


def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(False, index=frame.index)
    return frame[column].map(lambda v: v is True).astype(bool)


def screened_by(frame: pd.DataFrame, as_of: int | None) -> pd.Series:
    """Sources whose leak screening was done by the end of *as_of* (a later completion date does not count yet).

    Without a ``leak_screened`` column, a completion date on or before the
    end of *as_of* says the screening was done.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"leak_screened": [True, True, True, False],
    ...                       "leak_screened_on": pd.to_datetime(["2023-05-01", "2024-03-01", None, None])})
    >>> screened_by(frame, 2023).tolist(), screened_by(frame, 2024).tolist()
    ([True, False, True, False], [True, True, True, False])
    """
    dated = pd.to_datetime(frame["leak_screened_on"]) if "leak_screened_on" in frame else pd.Series(pd.NaT, index=frame.index)
    done = _flag(frame, "leak_screened") if "leak_screened" in frame else dated.notna()
    if as_of is None:
        return done
    return done & (dated.isna() | (dated <= pd.Timestamp(int(as_of), 12, 31)))


def _counts(frame: pd.DataFrame, as_of: int | None = None) -> dict[str, int]:
    listed = _flag(frame, "listed")
    key = _flag(frame, "key_supervised")
    needs_plan = _flag(frame, "operating") & _flag(frame, "polluted")
    screened = screened_by(frame, as_of)
    return {
        "sources": len(frame),
        "listed": int(listed.sum()),
        "screened": int((listed & screened).sum()),
        "screened_any": int(screened.sum()),
        "spot_checked": int((listed & screened & _flag(frame, "spot_checked")).sum()),
        "key_supervised": int(key.sum()),
        "self_monitoring": int((key & _flag(frame, "self_monitoring")).sum()),
        "needs_risk_plan": int(needs_plan.sum()),
        "risk_plan": int((needs_plan & _flag(frame, "risk_plan")).sum()),
    }


def _rates(c: dict[str, int]) -> dict[str, float]:
    return {
        "leak_screening_rate": rate(c["screened"], c["listed"]),
        "self_monitoring_rate": rate(c["self_monitoring"], c["key_supervised"]),
        "risk_plan_rate": rate(c["risk_plan"], c["needs_risk_plan"]),
        "spot_check_share": rate(c["spot_checked"], c["screened"]),
    }


def spot_check_table(screened: pd.DataFrame, as_of: int | None = None) -> pd.DataFrame:
    """Per source type on the list: listed, screened, spot-checked, covered (>= 1 check), share of its screened (>= 5 %?).

    Examples
    --------
    Two landfills screened, one spot-checked (1/2 = 50 % >= 5 %); no tailings
    pond screened yet:

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"type": ["landfill", "landfill", "tailings_pond"], "listed": [True] * 3,
    ...                       "leak_screened": [True, True, False], "spot_checked": [True, False, False]})
    >>> spot_check_table(frame)[["type", "screened", "spot_checked", "share_of_screened", "meets_share"]].values.tolist()
    [['landfill', 2, 1, 0.5, True], ['tailings_pond', 0, 0, nan, False]]
    """
    screened = screened.assign(leak_screened=screened_by(screened, as_of).to_numpy(), leak_screened_on=pd.NaT)
    listed = screened[_flag(screened, "listed")]
    rows = []
    for kind, group in listed.groupby("type"):
        done = _flag(group, "leak_screened")
        rows.append({"type": kind, "listed": len(group), "screened": int(done.sum()),
                     "spot_checked": int((done & _flag(group, "spot_checked")).sum())})
    out = pd.DataFrame(rows, columns=["type", "listed", "screened", "spot_checked"])
    share = spot_check_rule()["share"]
    out["covered"] = out["spot_checked"] > 0
    out["share_of_screened"] = [rate(c, s) for c, s in zip(out["spot_checked"], out["screened"])]
    out["meets_share"] = [bool(v + 1e-12 >= share) if np.isfinite(v) else False for v in out["share_of_screened"]]
    out["note"] = np.where(out["screened"] == 0, _("none of this type screened yet: nothing to spot-check"), "")
    return out


def _status(value: float, target: float, by_year: int, as_of: int) -> str:
    if not np.isfinite(value):
        return "nothing due (no denominator)"
    if value + 1e-12 >= target:
        return "met"
    return f"not met (due {by_year})" if as_of >= by_year else f"behind (due {by_year})"


def _indicator_rows(values: dict[str, float], counts: dict[str, int], delineation: tuple[int, int], as_of: int) -> pd.DataFrame:
    table = indicator_table()
    status, value, basis = [], [], []
    for _i, row in table.iterrows():
        measure = row["measure"]
        if measure in values:
            status.append(_status(values[measure], float(row["value"]), int(row["by_year"]), as_of))
            value.append(values[measure])
            basis.append(_basis(measure, counts, delineation))
        elif measure == "key_supervised_listed":
            status.append(f"register marks {counts['key_supervised']} key supervised unit(s); publication of the list is not measurable")
            value.append(np.nan)
            basis.append("")
        else:
            status.append("not measurable from registers")
            value.append(np.nan)
            basis.append("")
    return table.assign(value_measured=value, status=status, basis=basis)


def status_text(status: str) -> str:
    """An indicator's ``status`` (English in the table and JSON, where programs read it) in the interface language.

    Examples
    --------
    >>> status_text("not met (due 2023)"), status_text("met")
    ('not met (due 2023)', 'met')
    """
    import re

    if status == "met":
        return _("met")
    if status == "not measurable from registers":
        return _("not measurable from registers")
    if status == "nothing due (no denominator)":
        return _("nothing due (no denominator)")
    due = re.fullmatch(r"(not met|behind) \(due (\d+)\)", status)
    if due:
        year = int(due.group(2))
        return (_("not met (due {year})") if due.group(1) == "not met" else _("behind (due {year})")).format(year=year)
    marks = re.fullmatch(r"register marks (\d+) key supervised unit\(s\); publication of the list is not measurable", status)
    if marks:
        return _("register marks {n} key supervised unit(s); publication of the list is not measurable").format(n=int(marks.group(1)))
    return status


def status_counts(indicators: pd.DataFrame) -> pd.Series:
    """How many indicators of 表2—1 have each status: one per indicator (``seq``), not per target row.

    Indicator 3 has two targets (two rows, one status): the 20 rows are 19 indicators.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"seq": [1, 3, 3, 6], "status": ["met", "behind (due 2023)", "behind (due 2023)", "met"]})
    >>> status_counts(table).to_dict()
    {'met': 2, 'behind (due 2023)': 1}
    """
    return indicators.drop_duplicates("seq")["status"].value_counts()


def seq_labels(indicators: pd.DataFrame) -> list[str]:
    """The indicator number of each row for display: an indicator with several targets gets 3a, 3b, ...

    Examples
    --------
    >>> import pandas as pd
    >>> seq_labels(pd.DataFrame({"seq": [2, 3, 3, 4]}))
    ['2', '3a', '3b', '4']
    """
    seqs = indicators["seq"].tolist()
    counts = pd.Series(seqs).value_counts()
    seen: dict[object, int] = {}
    out = []
    for seq in seqs:
        k = seen.get(seq, 0)
        seen[seq] = k + 1
        out.append(f"{seq}{chr(ord('a') + k)}" if counts[seq] > 1 else str(seq))
    return out


def _due(years: list[int]) -> str:
    """"due 2022, 2023, 2024, 1 each" from the deadline year of each indicator in one status."""
    per_year = pd.Series(years).value_counts().sort_index()
    sep = "、" if language() == "zh" else ", "
    if len(per_year) == 1:
        return _("due {year}").format(year=int(per_year.index[0]))
    if per_year.nunique() == 1:
        return _("due {years}, {n} each").format(years=sep.join(str(int(y)) for y in per_year.index), n=int(per_year.iloc[0]))
    return _("due {parts}").format(parts=sep.join(_("{year}: {n}").format(year=int(y), n=int(n)) for y, n in per_year.items()))


def status_summary(indicators: pd.DataFrame) -> str:
    """How many indicators have each status, as one sentence: counts by status, the deadlines of those not met.

    One count per indicator (``seq``), not per target row (:func:`status_counts`).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"seq": [1, 2, 3, 3, 4, 5, 6],
    ...     "status": ["met", "not met (due 2022)", "register marks 60 key supervised unit(s); publication of the list is not measurable",
    ...                "register marks 60 key supervised unit(s); publication of the list is not measurable",
    ...                "not met (due 2024)", "not measurable from registers", "not met (due 2023)"]})
    >>> status_summary(table)
    'met 1, not met 3 (due 2022, 2023, 2024, 1 each), partly measurable 1 (register marks 60 key supervised unit(s); publication of the list is not measurable), not measurable from registers 1'
    """
    import re

    rows = indicators.drop_duplicates("seq")["status"].astype(str).tolist()
    groups: dict[str, list[str]] = {"met": [], "not met": [], "behind": [], "nothing due": [], "partly": [], "not measurable": []}
    for status in rows:
        due = re.fullmatch(r"(not met|behind) \(due (\d+)\)", status)
        if status == "met":
            groups["met"].append(status)
        elif due:
            groups[due.group(1)].append(due.group(2))
        elif status == "nothing due (no denominator)":
            groups["nothing due"].append(status)
        elif status == "not measurable from registers":
            groups["not measurable"].append(status)
        else:
            groups["partly"].append(status)
    parts = []
    if groups["met"]:
        parts.append(_("met {n}").format(n=len(groups["met"])))
    if groups["not met"]:
        parts.append(_("not met {n} ({due})").format(n=len(groups["not met"]), due=_due([int(y) for y in groups["not met"]])))
    if groups["behind"]:
        parts.append(_("behind {n} ({due})").format(n=len(groups["behind"]), due=_due([int(y) for y in groups["behind"]])))
    if groups["nothing due"]:
        parts.append(_("nothing due (no denominator) {n}").format(n=len(groups["nothing due"])))
    for text, n in pd.Series(groups["partly"], dtype=object).value_counts(sort=False).items():
        parts.append(_("partly measurable {n} ({what})").format(n=int(n), what=status_text(str(text))))
    if groups["not measurable"]:
        parts.append(_("not measurable from registers {n}").format(n=len(groups["not measurable"])))
    return _(", ").join(parts)


def _basis(measure: str, c: dict[str, int], delineation: tuple[int, int]) -> str:
    return {
        "leak_screening_rate": f"{c['screened']} screened of {c['listed']} on the leak-screening list",
        "self_monitoring_rate": f"{c['self_monitoring']} of {c['key_supervised']} key supervised units monitor themselves",
        "risk_plan_rate": f"{c['risk_plan']} of {c['needs_risk_plan']} operating firms with groundwater pollution have a plan (zzgeo's denominator)",
        "recharge_delineation_rate": f"{delineation[0]} of {delineation[1]} county-level-and-above sources have a recharge zone",
    }[measure]


def _delineation(zones) -> tuple[int, int]:
    table = zones.sources
    levels = zones.meta.get("levels", {})
    eligible = [sid for sid in table["source_id"] if levels.get(sid, "county") in ("county", "city", None)]
    done = set(zones.zones.loc[zones.zones["zone"] == "recharge", "source_id"])
    return sum(1 for sid in eligible if sid in done), len(eligible)


def pilot_indicators(screened: pd.DataFrame, zones, *, as_of: int = 2024, districts: pd.DataFrame | None = None) -> IndicatorResult:
    """Indicators per district and city-wide, the table of 表2—1 with status, and the spot-check rule by type.

    Parameters
    ----------
    screened : pandas.DataFrame
        ``ScreeningResult.sources`` (every valid pollution source with ``listed``).
    zones : ZoneResult
        For the recharge-zone delineation rate.
    as_of : int
        The year the status is judged at (targets fall due 2022-2024).
    districts : pandas.DataFrame, optional
        ``adcode`` and ``name`` (default: the districts layer).

    Returns
    -------
    IndicatorResult

    Examples
    --------
    Five landfills on the leak-screening list in 惠济区; two screenings are
    done, completed on 2023-05-01 and 2024-03-01, one of them spot-checked;
    one county-level source with its recharge zone. Indicator 6 asks for
    40 % by 2023: judged at 2023 one screening counts, 1/5 = 20 %, not met;
    at 2024 both count, 2/5 = 40 %, met. The spot check covers the one type
    on the list and 1 of 2 screened firms, 50 % >= 5 %:

    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import Point
    >>> from zzgeo.groundwater import ZoneResult, pilot_indicators
    >>> screened = pd.DataFrame({"adcode": ["410108"] * 5, "type": ["landfill"] * 5, "listed": [True] * 5,
    ...                          "leak_screened": [True, True, False, False, False],
    ...                          "leak_screened_on": pd.to_datetime(["2023-05-01", "2024-03-01", None, None, None]),
    ...                          "spot_checked": [True, False, False, False, False]})
    >>> zones = ZoneResult(zones=gpd.GeoDataFrame({"source_id": ["S1"], "zone": ["recharge"]},
    ...                                           geometry=[Point(465000, 3858000).buffer(1000)], crs="EPSG:4547"),
    ...                    sources=pd.DataFrame({"source_id": ["S1"], "name": ["示例水源"]}), wells=None,
    ...                    meta={"levels": {"S1": "county"}})
    >>> for year in (2023, 2024):
    ...     result = pilot_indicators(screened, zones, as_of=year)
    ...     row = result.indicators.set_index("measure").loc["leak_screening_rate"]
    ...     print(year, float(row["value_measured"]), row["status"], "|", row["basis"])
    2023 0.2 not met (due 2023) | 1 screened of 5 on the leak-screening list
    2024 0.4 met | 2 screened of 5 on the leak-screening list
    >>> result.indicators.set_index("measure").loc["recharge_delineation_rate", "status"], result.meta["spot_check"]["met"]
    ('met', True)
    >>> city = result.by_district.iloc[-1]
    >>> city["name"], int(city["listed"]), int(city["screened"]), float(city["spot_check_share"])
    ('郑州市 (city-wide)', 5, 2, 0.5)
    """
    if districts is None:
        from zzgeo.layers import read_layer

        districts = read_layer("districts")
    rows = []
    for adcode, name in zip(districts["adcode"], districts["name"]):
        part = screened[screened["adcode"] == adcode]
        c = _counts(part, as_of)
        rows.append({"adcode": adcode, "name": name, **c, **_rates(c)})
    city_counts = _counts(screened, as_of)
    city_rates = _rates(city_counts)
    rows.append({"adcode": CITY, "name": "郑州市 (city-wide)", **city_counts, **city_rates})
    done, due = _delineation(zones)
    values = {**{k: v for k, v in city_rates.items() if k != "spot_check_share"}, "recharge_delineation_rate": rate(done, due)}
    spot = spot_check_table(screened, as_of)
    rule = spot_check_rule()
    spot_ok = bool(spot["covered"].all()) and city_rates["spot_check_share"] + 1e-12 >= rule["share"] if len(spot) else False
    meta = {"document": DOC_NUMBER, "as_of": as_of,
            "spot_check": {**rule, "share_measured": city_rates["spot_check_share"],
                           "types_not_covered": spot.loc[~spot["covered"], "type"].tolist(), "met": spot_ok},
            "risk_plan_denominator": _("operating firms (在产) with polluted groundwater: zzgeo's reading of 三(二)7"),
            "screening_dates": _dates_note(screened, as_of),
            "demo": bool(screened["demo"].astype(bool).any()) if "demo" in screened else False}
    return IndicatorResult(by_district=pd.DataFrame(rows), indicators=_indicator_rows(values, city_counts, (done, due), as_of),
                           spot_checks=spot, meta=meta)


def _dates_note(frame: pd.DataFrame, as_of: int) -> str:
    done = _flag(frame, "leak_screened") if "leak_screened" in frame else screened_by(frame, None)
    dated = pd.to_datetime(frame["leak_screened_on"]) if "leak_screened_on" in frame else pd.Series(pd.NaT, index=frame.index)
    later = int((done & (dated > pd.Timestamp(int(as_of), 12, 31))).sum())
    undated = int((done & dated.isna()).sum())
    return _("screenings count when completed by {year}-12-31: {later} completed later are not counted; "
             "{undated} without a completion date are counted").format(year=as_of, later=later, undated=undated)


def indicator_records(result: IndicatorResult) -> dict:
    """JSON-ready: meta, the table of 表2—1 (19 indicators, 20 rows), the district rows, the spot checks by type.

    Parameters
    ----------
    result : IndicatorResult

    Returns
    -------
    dict
        ``result.meta`` plus ``indicators``, ``records`` (one per district),
        ``city`` and ``spot_checks``; NaN becomes None.

    Examples
    --------
    The case of :func:`pilot_indicators` judged at 2024: 2 of 5 screened,
    40 %; no key supervised unit is marked, so the self-monitoring rate has no
    denominator (None):

    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import Point
    >>> from zzgeo.groundwater import ZoneResult, pilot_indicators
    >>> screened = pd.DataFrame({"adcode": ["410108"] * 5, "type": ["landfill"] * 5, "listed": [True] * 5,
    ...                          "leak_screened": [True, True, False, False, False],
    ...                          "leak_screened_on": pd.to_datetime(["2023-05-01", "2024-03-01", None, None, None]),
    ...                          "spot_checked": [True, False, False, False, False]})
    >>> zones = ZoneResult(zones=gpd.GeoDataFrame({"source_id": ["S1"], "zone": ["recharge"]},
    ...                                           geometry=[Point(465000, 3858000).buffer(1000)], crs="EPSG:4547"),
    ...                    sources=pd.DataFrame({"source_id": ["S1"], "name": ["示例水源"]}), wells=None,
    ...                    meta={"levels": {"S1": "county"}})
    >>> records = indicator_records(pilot_indicators(screened, zones, as_of=2024))
    >>> records["as_of"], len(records["records"]), len(records["indicators"])
    (2024, 12, 20)
    >>> {k: records["city"][k] for k in ("listed", "screened", "leak_screening_rate", "self_monitoring_rate")}
    {'listed': 5, 'screened': 2, 'leak_screening_rate': 0.4, 'self_monitoring_rate': None}
    """
    from zzgeo._records import json_safe

    return json_safe({**result.meta, "indicators": result.indicators.to_dict("records"),
                      "records": result.by_district.iloc[:-1].to_dict("records"),
                      "city": result.by_district.iloc[-1].to_dict(), "spot_checks": result.spot_checks.to_dict("records")})
