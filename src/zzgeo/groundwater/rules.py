"""Groundwater rules: the indicator table and task schedule of 郑政文〔2022〕49号, zone and screening parameters.

Both live in data files that cite their source (``data/groundwater/indicators.toml``,
``data/groundwater/rules.toml``); this module only reads and checks them. Every
parameter that is not in the document (HJ 338's α, the recharge travel time ...)
carries its source and status into the outputs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import AfterValidator, Field, model_validator

from zzgeo._data import data_path, load_toml
from zzgeo.config import ConfigModel, ConfigProblem, Positive, PositiveInt, Share, Text, load_config
from zzgeo.i18n import N_, _

__all__ = ["DOC_NUMBER", "GroundwaterRules", "Status", "RuleFile", "RuleSetHead", "HJ338Spec", "CaptureSpec", "RiversideSpec",
           "ScreeningSpec", "load_rules", "indicator_table", "task_schedule", "spot_check_rule", "document"]

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
        """JSON-ready summary for outputs: the parameters used and their status.

        Examples
        --------
        >>> load_rules().describe()["recharge"]["travel_days"]
        3650.0
        """
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


#: Status of a figure: read in a primary source, one secondary source, commonly quoted, or zzgeo's own choice.
Status = Literal["checked", "secondary", "unverified", "assumption"]


@functools.cache
def _vocabulary(name: str) -> tuple[str, ...]:
    """The keys of a vocabulary of the pollution-source register (``source_type``, ``industry``)."""
    return tuple(load_toml("groundwater/pollution_sources.toml")["vocabularies"][name]["labels"])


def _in_vocabulary(name: str, what: str):
    def check(values: list[str]) -> list[str]:
        allowed = _vocabulary(name)
        for i, value in enumerate(values):
            if value not in allowed:
                raise ConfigProblem(_("not {what} of the pollution-source register; allowed: {allowed}").format(
                    what=_(what), allowed=", ".join(allowed)), at=(i,), value=value)
        return values

    return AfterValidator(check)


SourceTypes = Annotated[list[str], _in_vocabulary("source_type", N_("a source type"))]
Industries = Annotated[list[str], _in_vocabulary("industry", N_("an industry"))]


class RuleSetHead(ConfigModel):
    """``[rule_set]``: id and provenance."""

    id: Text = "user rules"
    version: str = ""  # documentation, not read by zzgeo
    source: str = ""  # documentation, not read by zzgeo


class HJ338Spec(ConfigModel):
    """``[hj338]``: fixed-travel-time zones R = α·K·I·T/n and the large-wellfield threshold."""

    zone1_days: Positive
    zone2_days: Positive
    safety_factor: Annotated[float, Field(allow_inf_nan=False, ge=1)]
    source: str = ""
    status: Status = "unverified"
    large_wellfield_m3_d: Positive

    @model_validator(mode="after")
    def _zone2_beyond_zone1(self) -> HJ338Spec:
        if not self.zone2_days > self.zone1_days:
            raise ConfigProblem(_("must be > zone1_days = {days:g} (zone 2 encloses zone 1)").format(days=self.zone1_days), at=("zone2_days",),
                                value=self.zone2_days)
        return self


class CaptureSpec(ConfigModel):
    """``[capture]``: the recharge zone (capture zone cut at a travel time)."""

    travel_days: Positive
    travel_days_source: str = ""
    status: Status = "assumption"
    envelope_points: Annotated[int, Field(ge=3)]
    source: str = ""


class RiversideSpec(ConfigModel):
    """``[riverside]``: riverside wellfields (losing-river share, distance, timml tracing)."""

    losing_share: Share = 1.0
    losing_source: str = ""
    gaining_source: str = ""
    river_max_distance_m: Positive
    timml_traces: PositiveInt
    timml_segment_m: Positive
    timml_source: str = ""  # documentation, not read by zzgeo


class ScreeningSpec(ConfigModel):
    """``[screening]``: which pollution sources enter the leak-screening list, 三(二)5(2) and 6(1)."""

    clause: str = ""
    key_source_types: SourceTypes = []
    key_source_default: str = ""  # documentation, not read by zzgeo
    key_source_source: str = ""
    first_in_line_industries: Industries = []
    first_in_line_types: SourceTypes = []
    first_in_line_clause: str = ""  # documentation, not read by zzgeo


class RuleFile(ConfigModel):
    """A groundwater rule set (``data/groundwater/rules.toml``): every section but ``[rule_set]`` required."""

    rule_set: RuleSetHead = RuleSetHead()
    hj338: HJ338Spec
    capture: CaptureSpec
    riverside: RiversideSpec
    screening: ScreeningSpec


def load_rules(path: str | Path | None = None) -> GroundwaterRules:
    """Read the groundwater rule set (default: the packaged ``data/groundwater/rules.toml``), checked against :class:`RuleFile`.

    Raises
    ------
    FileNotFoundError
        *path* does not exist.
    ParameterError
        Not UTF-8, not TOML or empty; a section or figure missing; an unknown
        key; a figure not a finite number > 0; α below 1; zone 2 not beyond
        zone 1; a source type or industry not in the register's vocabulary
        (one line: file, key path, value, what is allowed).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A rule file of the same form (``--rules FILE``).

    Returns
    -------
    GroundwaterRules

    Examples
    --------
    HJ 338's zones at 100 and 1000 days with α = 1.5 (unverified: quoted by
    secondary sources), and the recharge zone at 10 years (zzgeo's own
    assumption, 49号 gives no travel time):

    >>> rules = load_rules()
    >>> rules.zone1_days, rules.zone2_days, rules.safety_factor, rules.hj338_status
    (100.0, 1000.0, 1.5, 'unverified')
    >>> rules.recharge_days, rules.recharge_status
    (3650.0, 'assumption')

    A rule file whose zone 2 does not reach beyond zone 1 is refused:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from zzgeo._data import data_path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> mine = Path(tmp.name) / "rules.toml"
    >>> _ = mine.write_text(Path(data_path("groundwater/rules.toml")).read_text(encoding="utf-8")
    ...                     .replace("zone2_days = 1000", "zone2_days = 50"), encoding="utf-8")
    >>> load_rules(mine)
    Traceback (most recent call last):
    ...
    zzgeo.errors.ParameterError: groundwater rule file '...rules.toml': hj338.zone2_days = 50.0: must be > zone1_days = 100 (zone 2 encloses zone 1)
    >>> tmp.cleanup()
    """
    file = path if path is not None else data_path(_RULES)
    spec = load_config(file, RuleFile, what="groundwater rule file")
    hj, cap, riv, scr = spec.hj338, spec.capture, spec.riverside, spec.screening
    return GroundwaterRules(
        id=spec.rule_set.id,
        zone1_days=hj.zone1_days,
        zone2_days=hj.zone2_days,
        safety_factor=hj.safety_factor,
        hj338_source=hj.source,
        hj338_status=hj.status,
        large_wellfield_m3_d=hj.large_wellfield_m3_d,
        recharge_days=cap.travel_days,
        recharge_days_source=cap.travel_days_source,
        recharge_status=cap.status,
        envelope_points=cap.envelope_points,
        capture_source=cap.source,
        losing_share=riv.losing_share,
        losing_source=riv.losing_source,
        gaining_source=riv.gaining_source,
        river_max_distance_m=riv.river_max_distance_m,
        timml_traces=riv.timml_traces,
        timml_segment_m=riv.timml_segment_m,
        key_source_types=tuple(scr.key_source_types),
        key_source_source=scr.key_source_source,
        first_in_line_industries=tuple(scr.first_in_line_industries),
        first_in_line_types=tuple(scr.first_in_line_types),
        screening_clause=scr.clause,
        path=str(file),
    )


def document() -> dict:
    """The document's metadata (number, title, date, period).

    Returns
    -------
    dict
        ``number``, ``title``, ``date``, ``period``, ``structure``.

    Examples
    --------
    >>> doc = document()
    >>> doc["number"], doc["date"], doc["period"]
    ('郑政文〔2022〕49号', '2022-04-25', '2022年1月至2024年12月')
    >>> doc["structure"]
    '一级指标6个、二级指标14个、三级指标19个'
    """
    return load_toml(_INDICATORS)["document"]


def indicator_table() -> pd.DataFrame:
    """The 19 third-level indicators of 表2—1, one row per indicator and target.

    Columns: ``seq``, ``level1_seq``, ``level1``, ``level2``, ``name``, ``mark``
    (★ / ▲ / ""), ``category`` (mandatory / optional / local), ``target`` (as
    printed), ``year``, ``target_from``, ``measure`` (what zzgeo computes, or ""), ``value``,
    ``comparator``, ``by_year``, ``clause``, ``note``.

    Returns
    -------
    pandas.DataFrame
        20 rows: indicator 3 has two targets.

    Examples
    --------
    19 indicators: 7 mandatory (★), 6 optional and 6 local ones (▲);
    indicator 6, the leak-screening rate, is 40 % by 2023:

    >>> table = indicator_table()
    >>> len(table), table["seq"].nunique(), table.drop_duplicates("seq")["category"].value_counts().to_dict()
    (20, 19, {'mandatory': 7, 'optional': 6, 'local': 6})
    >>> row = table[table["measure"] == "leak_screening_rate"].iloc[0]
    >>> int(row["seq"]), row["mark"], row["target"], float(row["value"]), int(row["by_year"])
    (6, '★', '地下水污染源渗漏排查率达到 40%', 0.4, 2023)
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
    """The 19 tasks of section 四 with their years as printed and as a range (``start``, ``end``).

    Returns
    -------
    pandas.DataFrame
        ``seq``, ``group``, ``text``, ``printed``, ``start``, ``end``.

    Examples
    --------
    Task 4 runs over two years, printed "2023 年—2024 年":

    >>> tasks = task_schedule()
    >>> len(tasks), tasks.loc[3, "text"], tasks.loc[3, "printed"], int(tasks.loc[3, "start"]), int(tasks.loc[3, "end"])
    (19, '地下水污染重点监管单位自行监测完成率达到 100%', '2023 年—2024 年', 2023, 2024)
    """
    return pd.DataFrame(load_toml(_INDICATORS)["tasks"])


def spot_check_rule() -> dict:
    """三(二)6(1): spot checks cover every type on the list and at least 5 % of the screened firms.

    Examples
    --------
    >>> rule = spot_check_rule()
    >>> rule["share"], rule["every_type"], rule["clause"]
    (0.05, True, '三(二)6(1)')
    """
    return load_toml(_INDICATORS)["spot_check"]
