"""Groundwater rules: the indicator table and task schedule of 郑政文〔2022〕49号, zone and screening parameters.

Both live in data files that cite their source (``data/groundwater/indicators.toml``,
``data/groundwater/rules.toml``); this module only reads and checks them. Every
parameter that is not in the document (HJ 338's α, the recharge travel time ...)
carries its source and status into the outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from zzgeo._data import data_path, load_toml
from zzgeo.errors import ParameterError

__all__ = ["DOC_NUMBER", "GroundwaterRules", "load_rules", "indicator_table", "task_schedule", "spot_check_rule", "document"]

DOC_NUMBER = "郑政文〔2022〕49号"
_INDICATORS = "groundwater/indicators.toml"
_RULES = "groundwater/rules.toml"


@dataclass(frozen=True)
class GroundwaterRules:
    """Zone methods' parameters and the screening rule, with sources and status (see ``data/groundwater/rules.toml``)."""

    id: str
    zone1_days: float
    zone2_days: float
    safety_factor: float
    hj338_source: str
    hj338_status: str
    large_wellfield_m3_d: float
    recharge_days: float
    recharge_days_source: str
    recharge_status: str
    envelope_points: int
    capture_source: str
    losing_share: float
    losing_source: str
    gaining_source: str
    river_max_distance_m: float
    timml_traces: int
    timml_segment_m: float
    key_source_types: tuple[str, ...]
    key_source_source: str
    first_in_line_industries: tuple[str, ...]
    first_in_line_types: tuple[str, ...]
    screening_clause: str
    path: str = ""

    def describe(self) -> dict[str, object]:
        """JSON-ready summary for outputs: the parameters used and their status."""
        return {
            "id": self.id,
            "hj338": {"zone1_days": self.zone1_days, "zone2_days": self.zone2_days, "safety_factor": self.safety_factor,
                      "source": self.hj338_source, "status": self.hj338_status},
            "recharge": {"travel_days": self.recharge_days, "source": self.recharge_days_source, "status": self.recharge_status,
                         "method_source": self.capture_source},
            "riverside": {"losing_share": self.losing_share, "losing_source": self.losing_source,
                          "gaining_source": self.gaining_source},
            "screening": {"clause": self.screening_clause, "key_source_types": list(self.key_source_types),
                          "key_source_source": self.key_source_source},
        }


def _positive(doc: dict, section: str, key: str, label: str) -> float:
    try:
        value = float(doc[section][key])
    except (KeyError, TypeError, ValueError):
        raise ParameterError(f"rule file {label!r}: [{section}] {key} missing or not a number") from None
    if not value > 0:
        raise ParameterError(f"rule file {label!r}: [{section}] {key} must be positive, got {value!r}")
    return value


def load_rules(path: str | Path | None = None) -> GroundwaterRules:
    """Read the groundwater rule set (default: the packaged ``data/groundwater/rules.toml``).

    Raises
    ------
    ParameterError
        A figure missing, not a number or not positive, or α below 1.
    """
    label = str(path or data_path(_RULES))
    doc = load_toml(path or _RULES)
    alpha = _positive(doc, "hj338", "safety_factor", label)
    if alpha < 1:
        raise ParameterError(f"rule file {label!r}: [hj338] safety_factor must be >= 1, got {alpha!r}")
    hj, cap, riv, scr = doc["hj338"], doc["capture"], doc["riverside"], doc["screening"]
    return GroundwaterRules(
        id=str(doc.get("rule_set", {}).get("id", "user rules")),
        zone1_days=_positive(doc, "hj338", "zone1_days", label),
        zone2_days=_positive(doc, "hj338", "zone2_days", label),
        safety_factor=alpha,
        hj338_source=str(hj.get("source", "")),
        hj338_status=str(hj.get("status", "unverified")),
        large_wellfield_m3_d=_positive(doc, "hj338", "large_wellfield_m3_d", label),
        recharge_days=_positive(doc, "capture", "travel_days", label),
        recharge_days_source=str(cap.get("travel_days_source", "")),
        recharge_status=str(cap.get("status", "assumption")),
        envelope_points=int(_positive(doc, "capture", "envelope_points", label)),
        capture_source=str(cap.get("source", "")),
        losing_share=float(riv.get("losing_share", 1.0)),
        losing_source=str(riv.get("losing_source", "")),
        gaining_source=str(riv.get("gaining_source", "")),
        river_max_distance_m=_positive(doc, "riverside", "river_max_distance_m", label),
        timml_traces=int(_positive(doc, "riverside", "timml_traces", label)),
        timml_segment_m=_positive(doc, "riverside", "timml_segment_m", label),
        key_source_types=tuple(scr.get("key_source_types", ())),
        key_source_source=str(scr.get("key_source_source", "")),
        first_in_line_industries=tuple(scr.get("first_in_line_industries", ())),
        first_in_line_types=tuple(scr.get("first_in_line_types", ())),
        screening_clause=str(scr.get("clause", "")),
        path=label,
    )


def document() -> dict:
    """The document's metadata (number, title, date, period)."""
    return load_toml(_INDICATORS)["document"]


def indicator_table() -> pd.DataFrame:
    """The 19 third-level indicators of 表2—1, one row per indicator and target.

    Columns: ``seq``, ``level1_seq``, ``level1``, ``level2``, ``name``, ``mark``
    (★ / ▲ / ""), ``category`` (mandatory / optional / local), ``target`` (as
    printed), ``year``, ``measure`` (what zzgeo computes, or ""), ``value``,
    ``comparator``, ``by_year``, ``clause``, ``note``.
    """
    doc = load_toml(_INDICATORS)
    level1 = {row["seq"]: row["name"] for row in doc["level1"]}
    rows = []
    for ind in doc["indicators"]:
        category = "mandatory" if ind["mark"] == "★" else "local" if ind["mark"] == "▲" else "optional"
        for target in ind["targets"]:
            rows.append({
                "seq": ind["seq"], "level1_seq": ind["level1"], "level1": level1[ind["level1"]], "level2": ind["level2"],
                "name": ind["name"], "mark": ind["mark"], "category": category, "target": target["text"],
                "year": target["year"], "target_from": target.get("from", "表2—1"), "measure": ind.get("measure", ""),
                "value": ind.get("value"), "comparator": ind.get("comparator", ""), "by_year": ind.get("by_year"),
                "clause": ind.get("clause", ""), "note": ind.get("note", ""),
            })
    return pd.DataFrame(rows)


def task_schedule() -> pd.DataFrame:
    """The 19 tasks of section 四 with their years as printed and as a range (``start``, ``end``)."""
    return pd.DataFrame(load_toml(_INDICATORS)["tasks"])


def spot_check_rule() -> dict:
    """三(二)6(1): spot checks cover every type on the list and at least 5 % of the screened firms."""
    return load_toml(_INDICATORS)["spot_check"]
