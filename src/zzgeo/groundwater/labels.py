"""Values of the groundwater results as people read them: console tables, map popups and the report.

The results, their CSV and JSON keep the English ids programs read (``zone2``,
``petrol_station``, ``losing (feeds the aquifer)``, True); these functions turn
them into the interface language at display time only. Source types and zones
take their Chinese names from the data (the register vocabulary of
``data/groundwater/pollution_sources.toml`` and :data:`ZONE_LABELS`);
in English the ids stay as they are.
"""

from __future__ import annotations

import math

from zzgeo.i18n import N_, _, label_of, language

__all__ = ["ZONE_LABELS", "type_text", "zone_text", "yes_no", "percent", "integer", "river_text", "scale_text", "rule_status_text",
           "critical_rate_text", "place_text"]

#: Zone id -> its Chinese name, the ``zone_zh`` column of the zone results (also ``zzgeo.groundwater.zones.ZONE_LABELS``).
ZONE_LABELS = {"zone1": "一级保护区", "zone2": "二级保护区", "recharge": "补给区·捕获区包络", "recharge_tot": "补给区·迁移时间区"}

#: Values of ``river``, ``scale`` and the rule-set status written in English in the results.
_PHRASES = {
    "losing (feeds the aquifer)": N_("losing (feeds the aquifer)"),
    "gaining (drains the aquifer)": N_("gaining (drains the aquifer)"),
    "none within reach": N_("none within reach"),
    "small/medium (中小型)": N_("small/medium (中小型)"),
    "large (大型)": N_("large (大型)"),
    "checked": N_("checked"),
    "secondary": N_("secondary"),
    "unverified": N_("unverified"),
    "assumption": N_("assumption"),
    "outside": N_("outside"),
    "郑州市 (city-wide)": N_("郑州市 (city-wide)"),
}


def _phrase(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return label_of(text, _PHRASES)


def type_text(kind: object) -> str:
    """A pollution-source type id in the interface language (the register's Chinese name in Chinese).

    Examples
    --------
    >>> from zzgeo.i18n import set_language
    >>> set_language("zh"); type_text("petrol_station"), type_text("电厂")
    ('加油站', '电厂')
    >>> set_language("en"); type_text("petrol_station")
    'petrol_station'
    >>> set_language(None)
    """
    if language() != "zh":
        return str(kind)
    from zzgeo.groundwater.register import source_type_labels

    return source_type_labels().get(str(kind), str(kind))


def zone_text(zone: object) -> str:
    """A zone id (``zone1``, ``zone2``, ``recharge``, ``recharge_tot``, ``outside``) in the interface language.

    Examples
    --------
    >>> from zzgeo.i18n import set_language
    >>> set_language("zh"); [zone_text(z) for z in ("zone2", "recharge")]
    ['二级保护区', '补给区·捕获区包络']
    >>> set_language("en"); [zone_text(z) for z in ("zone2", "outside")]
    ['zone2', 'outside']
    >>> set_language(None)
    """
    if language() != "zh":
        return str(zone)
    return ZONE_LABELS.get(str(zone)) or _phrase(zone)


def yes_no(value: object) -> str:
    """True / False as yes / no (是 / 否); anything else unchanged."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return _("yes") if bool(value) else _("no")
    return "" if value is None else str(value)


def percent(value: object, digits: int = 1) -> str:
    """A share as a percentage (0.3333 -> ``33.3%``); empty when there is nothing to divide (NaN).

    Examples
    --------
    >>> percent(1 / 3), percent(0.05), percent(float("nan")), percent(1.0)
    ('33.3%', '5.0%', '', '100.0%')
    """
    if value is None or not math.isfinite(float(value)):  # type: ignore[arg-type]
        return ""
    return f"{float(value) * 100:.{digits}f}%"  # type: ignore[arg-type]


def integer(value: object) -> str:
    """A count or rank as an integer (``1``, not ``1.00``); empty for NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{int(value):,}"  # type: ignore[call-overload]


def river_text(value: object) -> str:
    """The ``river`` value (losing / gaining / none within reach) in the interface language."""
    return _phrase(value)


def scale_text(value: object) -> str:
    """The ``scale`` value (small/medium or large wellfield) in the interface language."""
    return _phrase(value)


def rule_status_text(status: object) -> str:
    """A rule-set status (checked, secondary, unverified, assumption) in the interface language."""
    return _phrase(status)


def place_text(name: object) -> str:
    """A district row's name; the city row's ``郑州市 (city-wide)`` in the interface language."""
    return _phrase(name)


def critical_rate_text(rate: object, river: object) -> str:
    """The critical pumping rate for the console: 0 at a losing river says what it means.

    A losing river feeds the aquifer whatever the pumping, so river water always
    reaches the wells: there is no rate below which it does not (0).

    Examples
    --------
    >>> critical_rate_text(0.0, "losing (feeds the aquifer)")
    '0 (losing river: river water reaches the wells at any pumping rate)'
    >>> critical_rate_text(12345.6, "gaining (drains the aquifer)"), critical_rate_text(float("nan"), "none within reach")
    ('12,346', '')
    """
    if rate is None or not math.isfinite(float(rate)):  # type: ignore[arg-type]
        return ""
    if float(rate) == 0.0 and str(river) == "losing (feeds the aquifer)":  # type: ignore[arg-type]
        return _("0 (losing river: river water reaches the wells at any pumping rate)")
    return f"{float(rate):,.0f}"  # type: ignore[arg-type]
