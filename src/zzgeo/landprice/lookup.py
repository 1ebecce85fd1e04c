"""Benchmark prices at a place: district, and for every table and use the grade and prices.

Polygons that straddle grade zones get area-weighted prices and their grade
shares; points get the grade of the zone they fall in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zzgeo._data import load_toml
from zzgeo.errors import OutsideAreaError, SchemaError
from zzgeo.landprice.rules import (
    DASH,
    DOC_NUMBER,
    MU_M2,
    _cells,
    document,
    table_names,
    use_info,
    yuan_per_mu,
)

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["lookup_prices", "lookup_point", "lookup_geometry"]


def lookup_prices(parcels: gpd.GeoDataFrame, *, zones: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Grade and benchmark price of every parcel for every table, use and right.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        Points or polygons with a CRS.
    zones : geopandas.GeoDataFrame, optional
        Grade zones (default: the layer store's).

    Returns
    -------
    pandas.DataFrame
        Long form: ``parcel``, ``table``, ``use``, ``use_zh``, ``right``,
        ``right_zh``, ``grades`` (list of (grade, share)), ``grade``
        (text), ``cover`` (share of the parcel inside the grade map),
        ``price_yuan_m2`` (area-weighted; NaN where any touched grade is a
        dash), ``price_yuan_mu``, ``price_form``. Parcels outside a use's grade
        map have no rows for it.
    """
    from zzgeo.crs import to_wgs84
    from zzgeo.landprice.zones import assign_grades, default_zones

    gdf = to_wgs84(parcels, name="parcels")
    zones = default_zones() if zones is None else zones
    rows = []
    for table in table_names():
        for use in load_toml("landprice/land_price_2022_42.toml")["tables"][table]["uses"]:
            info = use_info(table, use)
            weights = assign_grades(gdf.geometry, zones, table=table, use=use)
            for parcel, sub in weights.groupby("parcel", sort=False):
                cover = float(sub["weight"].sum())
                shares = [(int(g), float(w / cover)) for g, w in zip(sub["grade"], sub["weight"])]
                text = str(shares[0][0]) if len(shares) == 1 else ", ".join(f"{g}:{100 * s:.0f}%" for g, s in shares)
                for right, right_zh in info.rights.items():
                    cells = _cells(table, use, right)
                    values = [cells[g - 1] for g, _ in shares]
                    price = np.nan if DASH in values else float(sum(float(v) * s for v, (_, s) in zip(values, shares)))
                    per_mu = np.nan if DASH in values else (yuan_per_mu(values[0]) if len(values) == 1 else round(price * MU_M2, 2))
                    rows.append(
                        {
                            "parcel": parcel,
                            "table": table,
                            "use": use,
                            "use_zh": info.name_zh,
                            "right": right,
                            "right_zh": right_zh,
                            "grades": shares,
                            "grade": text,
                            "cover": cover,
                            "price_yuan_m2": price,
                            "price_yuan_mu": per_mu,
                            "price_form": info.price_form,
                        }
                    )
    return pd.DataFrame(rows)


def lookup_geometry(geometry: Any, *, crs: object = "wgs84", zones: gpd.GeoDataFrame | None = None) -> dict[str, Any]:
    """Lookup for one point or polygon, as a JSON-ready dict.

    Raises
    ------
    OutsideAreaError
        Outside Zhengzhou, or inside it but outside every grade map (the
        notice covers 郑州市本级 and its entrusted areas, not the county-level cities).
    """
    import geopandas as gpd

    from zzgeo.crs import format_location, input_crs, to_wgs84
    from zzgeo.districts import check_in_zhengzhou
    from zzgeo.landprice.zones import default_zones
    from zzgeo.layers import read_layer

    frame = gpd.GeoDataFrame(geometry=[geometry], crs=None)  # the coordinates are what *crs* says
    frame = to_wgs84(frame, crs=crs or "wgs84", name="location")
    districts = read_layer("districts")
    adcode = check_in_zhengzhou(frame, districts, name="location").iloc[0]
    district = districts.loc[districts["adcode"] == adcode].iloc[0]
    zones = default_zones() if zones is None else zones
    prices = lookup_prices(frame, zones=zones)
    demo = bool(zones["demo"].astype(bool).any()) if "demo" in zones.columns else False
    rep = frame.geometry.iloc[0].representative_point()
    if prices.empty:
        msg = (
            f"{format_location(rep.x, rep.y, input_crs(frame))} lies in {district['name']} ({adcode}), outside every grade zone in use. "
            f"{DOC_NUMBER} covers 郑州市本级 and its entrusted areas (白沙园区, 物流园区)"
            + ("; the demo zones cover the six urban districts only" if demo else "")
        )
        raise OutsideAreaError(msg)
    doc = document()
    tables = []
    for table, tsub in prices.groupby("table", sort=False):
        uses = []
        for use, usub in tsub.groupby("use", sort=False):
            first = usub.iloc[0]
            info = use_info(table, use)
            uses.append(
                {
                    "use": use,
                    "use_zh": first["use_zh"],
                    "grade": first["grade"],
                    "grades": [{"grade": g, "share": round(s, 4)} for g, s in first["grades"]],
                    "cover": round(float(first["cover"]), 4),
                    "price_form": info.price_form,
                    "term_years": None if np.isinf(info.term_years) else info.term_years,
                    "plot_ratio": info.plot_ratio,
                    "prices": [
                        {
                            "right": r["right"],
                            "right_zh": r["right_zh"],
                            "price_yuan_m2": None if np.isnan(r["price_yuan_m2"]) else round(r["price_yuan_m2"], 4),
                            "price_yuan_mu": None if np.isnan(r["price_yuan_mu"]) else round(r["price_yuan_mu"], 2),
                            "note": "no such grade (the table prints —)" if np.isnan(r["price_yuan_m2"]) else "",
                        }
                        for _, r in usub.iterrows()
                    ],
                }
            )
        tables.append({"table": table, "uses": uses})
    return {
        "location": {"lon": round(rep.x, 7), "lat": round(rep.y, 7), "crs_in": str(crs), "stored_as": "EPSG:4326"},
        "district": {"adcode": adcode, "name": district["name"]},
        "doc_number": DOC_NUMBER,
        "base_date": doc["base_date"],
        "unit": doc["unit"],
        "zones_demo": demo,
        "zones_note": "DEMO grade zones (synthetic, not the official grade map): prices are real, grades are not" if demo else "",
        "tables": tables,
    }


def lookup_point(lon: float, lat: float, *, crs: object = "wgs84", zones: gpd.GeoDataFrame | None = None) -> dict[str, Any]:
    """:func:`lookup_geometry` for a point given as coordinates in *crs*."""
    import math

    from shapely.geometry import Point

    for what, value in (("lon", lon), ("lat", lat)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            raise SchemaError(f"location: {what}={value!r} is not a finite number; give the coordinates as numbers (e.g. --lon 113.6654 --lat 34.7536)")
    return lookup_geometry(Point(float(lon), float(lat)), crs=crs, zones=zones)
