"""2020 census resident population of Zhengzhou's county-level units.

The rows and their citation live in ``data/census2020.toml``. The NBS county
tabulation lists the three functional zones as rows of their own, carved out
of their host districts; :func:`district_population` adds each zone's
residents back to its host district(s) with the shares in
``data/functional_zones.toml`` (an assumption, overridable), so district
figures sum to the city total and nobody is dropped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zzgeo._data import load_toml
from zzgeo.errors import SchemaError
from zzgeo.i18n import _

__all__ = ["census_2020", "functional_zone_shares", "district_population", "CENSUS_TOTAL"]

#: Total resident population of Zhengzhou, 7th census (municipal bulletin).
CENSUS_TOTAL = 12_600_574


def census_2020() -> pd.DataFrame:
    """The census rows exactly as tabulated (15 rows, functional zones included).

    Returns
    -------
    pandas.DataFrame
        Columns ``adcode``, ``name``, ``kind``, ``pop_2020``, ``note``.
    """
    doc = load_toml("census2020.toml")
    frame = pd.DataFrame(doc["rows"]).rename(columns={"pop": "pop_2020"})
    if "note" not in frame:
        frame["note"] = ""
    frame["note"] = frame["note"].fillna("")
    return frame[["adcode", "name", "kind", "pop_2020", "note"]]


def functional_zone_shares(path: str | Path | None = None) -> pd.DataFrame:
    """Host-district shares of each functional zone's residents.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file shaped like ``data/functional_zones.toml``; the packaged
        assumption is used when omitted.

    Returns
    -------
    pandas.DataFrame
        Columns ``zone_adcode``, ``zone_name``, ``host_adcode``, ``share``.

    Raises
    ------
    SchemaError
        If a zone's shares do not sum to 1 or name an unknown adcode.
    """
    doc = load_toml(Path(path) if path else "functional_zones.toml")
    known = set(census_2020().query("kind != 'functional_zone'")["adcode"])
    rows = []
    for zone in doc["zones"]:
        total = sum(zone["hosts"].values())
        if abs(total - 1.0) > 1e-9:
            msg = _("functional zone {zone!r}: host shares sum to {total!r}, must sum to 1").format(zone=zone["adcode"], total=total)
            raise SchemaError(msg)
        for host, share in zone["hosts"].items():
            if host not in known:
                msg = _("functional zone {zone!r}: unknown host adcode {host!r}; use one of {known}").format(
                    zone=zone["adcode"], host=host, known=sorted(known))
                raise SchemaError(msg)
            rows.append(
                {"zone_adcode": zone["adcode"], "zone_name": zone["name"], "host_adcode": host, "share": share}
            )
    return pd.DataFrame(rows)


def district_population(*, functional_zones: str | Path | None = None) -> pd.DataFrame:
    """Population of the 12 county-level units with functional-zone residents added to hosts.

    Parameters
    ----------
    functional_zones : str or Path, optional
        Override of the host shares (see :func:`functional_zone_shares`).

    Returns
    -------
    pandas.DataFrame
        One row per district: ``adcode``, ``name``, ``pop_census_row`` (as
        tabulated), ``pop_from_zones`` (residents added from functional
        zones), ``population`` (their sum). The ``population`` column sums to
        :data:`CENSUS_TOTAL`.
    """
    census = census_2020()
    zones = census[census["kind"] == "functional_zone"][["adcode", "pop_2020"]]
    shares = functional_zone_shares(functional_zones).merge(
        zones, left_on="zone_adcode", right_on="adcode", how="left"
    )
    shares["added"] = shares["share"] * shares["pop_2020"]
    added = shares.groupby("host_adcode")["added"].sum()
    out = census[census["kind"] != "functional_zone"][["adcode", "name", "pop_2020"]].rename(
        columns={"pop_2020": "pop_census_row"}
    )
    out["pop_from_zones"] = out["adcode"].map(added).fillna(0.0)
    out["population"] = out["pop_census_row"] + out["pop_from_zones"]
    return out.reset_index(drop=True)
