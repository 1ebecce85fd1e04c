"""Benchmark prices at a place: district, and for every table and use the grade and prices.

Polygons that straddle grade zones get area-weighted prices and their grade
shares; points get the grade of the zone they fall in.

One point on the store's own zones (:func:`lookup_point`, the counter's
question) is answered from numpy arrays of the store's layers
(:func:`zzgeo.layers.read_layer_arrays`) with exact predicates on a few
polygons: no pandas, no geopandas, no rasterised index. Everything else goes
through GeoDataFrames. Both build their answer with the same functions
(:func:`_price_records`, :func:`_answer`), and give the same answer for a
point (tested on points all over the zones and on their edges).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from zzgeo.errors import OutsideAreaError, SchemaError
from zzgeo.i18n import _
from zzgeo.landprice.rules import (
    DASH,
    MU_M2,
    PriceTables,
    _cells,
    _table,
    active_price_tables,
    document,
    table_names,
    use_info,
    using_price_tables,
    yuan_per_mu,
)
from zzgeo.landprice.valuer_table import price_tables_of, table_name

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

__all__ = ["lookup_geometry", "lookup_point", "lookup_prices"]


def lookup_prices(parcels: gpd.GeoDataFrame, *, zones: gpd.GeoDataFrame | None = None,
                  price_table: PriceTables | str | Path | None = None) -> pd.DataFrame:
    """Grade and benchmark price of every parcel for every table, use and right.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        Points or polygons with a CRS.
    zones : geopandas.GeoDataFrame, optional
        Grade zones (default: the layer store's).
    price_table : PriceTables, str or Path, optional
        A valuer's own benchmark table (:mod:`zzgeo.landprice.valuer_table`) instead of the shipped one.

    Returns
    -------
    pandas.DataFrame
        Long form: ``parcel``, ``table``, ``use``, ``use_zh``, ``right``,
        ``right_zh``, ``grades`` (list of (grade, share)), ``grade``
        (text), ``cover`` (share of the parcel inside the grade map),
        ``price_yuan_m2`` (area-weighted; NaN where any touched grade is a
        dash), ``price_yuan_mu``, ``price_form``. Parcels outside a use's grade
        map have no rows for it.

    Raises
    ------
    CRSError
        *parcels* has no CRS.

    Examples
    --------
    Grade zones of 商业服务业用地 on two squares beside Erqi Square, grade 1
    (1020 元/m²) west of x0 and grade 2 (895 元/m²) east of it. A parcel
    lying half in each is priced (1020 + 895) / 2 = 957.5 元/m²; a parcel 5 km
    east is on no grade map and has no row:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> from zzgeo.landprice.zones import validate_grade_zones
    >>> x0, y0 = 469364, 3847309  # 二七广场 (Erqi Square) in EPSG:4547 metres
    >>> zones = validate_grade_zones(gpd.GeoDataFrame(
    ...     {"table": ["collective_construction"] * 2, "use": ["commercial"] * 2, "grade": [1, 2]},
    ...     geometry=[box(x0 - 1000, y0 - 500, x0, y0 + 500), box(x0, y0 - 500, x0 + 1000, y0 + 500)], crs="EPSG:4547"))
    >>> parcels = gpd.GeoDataFrame(geometry=[Point(x0 - 500, y0), box(x0 - 100, y0 - 50, x0 + 100, y0 + 50), Point(x0 + 5000, y0)],
    ...                            crs="EPSG:4547")
    >>> prices = lookup_prices(parcels, zones=zones)
    >>> prices[["parcel", "use", "grade", "cover"]].round(2).values.tolist()
    [[0, 'commercial', '1', 1.0], [1, 'commercial', '1:50%, 2:50%', 1.0]]
    >>> prices["price_yuan_m2"].round(1).tolist()
    [1020.0, 957.5]
    """
    import pandas as pd

    from zzgeo.crs import to_wgs84
    from zzgeo.landprice.zones import default_zones

    gdf = to_wgs84(parcels, name="parcels")
    with using_price_tables(price_tables_of(price_table)):
        return pd.DataFrame(_frame_records(gdf, default_zones() if zones is None else zones))


def _uses(table: str) -> list[str]:
    """The uses of *table*, in the order of the document's table."""
    return list(_table(table)["uses"])


def _frame_records(gdf: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Rows of :func:`lookup_prices` for parcels already in WGS-84."""
    from zzgeo.landprice.zones import assign_grades

    rows: list[dict[str, Any]] = []
    for table in table_names():
        for use in _uses(table):
            weights = assign_grades(gdf.geometry, zones, table=table, use=use)
            for parcel, sub in weights.groupby("parcel", sort=False):
                cover = float(sub["weight"].sum())
                shares = [(int(g), float(w / cover)) for g, w in zip(sub["grade"], sub["weight"])]
                rows.extend(_price_records(parcel, table, use, shares, cover))
    return rows


def _point_records(lon: float, lat: float, zones: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """Rows of :func:`lookup_prices` for one WGS-84 point, on zones given as arrays (see :func:`_frame_records`).

    The zones of a table and use are chosen by :func:`zzgeo.landprice.zones.zone_mask`.
    """
    from zzgeo.landprice.zones import zone_mask
    from zzgeo.spatial.index import polygon_index

    rows: list[dict[str, Any]] = []
    hits = polygon_index(zones["geometry"]).containing(lon, lat)  # every zone the point is in, of all tables and uses
    for table in table_names():
        for use in _uses(table):
            mask = zone_mask(zones["table"], zones["use"], table, use)
            inside = hits[mask[hits]]  # the first, as an index of this table and use's zones alone would answer
            if len(inside):
                rows.extend(_price_records(0, table, use, [(int(zones["grade"][inside[0]]), 1.0)], 1.0))
    return rows


def _price_records(parcel: object, table: str, use: str, shares: list[tuple[int, float]], cover: float) -> list[dict[str, Any]]:
    """One row per right of *table*/*use* for a parcel with grade *shares* (grade, share of the covered part)."""
    info = use_info(table, use)
    text = str(shares[0][0]) if len(shares) == 1 else ", ".join(f"{g}:{100 * s:.0f}%" for g, s in shares)
    rows = []
    for right, right_zh in info.rights.items():
        cells = _cells(table, use, right)
        values = [cells[g - 1] for g, _share in shares]
        price = np.nan if DASH in values else float(sum(float(v) * s for v, (_grade, s) in zip(values, shares)))
        per_mu = np.nan if DASH in values else (yuan_per_mu(values[0]) if len(values) == 1 else round(price * MU_M2, 2))
        rows.append({"parcel": parcel, "table": table, "use": use, "use_zh": info.name_zh, "right": right, "right_zh": right_zh,
                     "grades": shares, "grade": text, "cover": cover, "price_yuan_m2": price, "price_yuan_mu": per_mu,
                     "price_form": info.price_form})
    return rows


def lookup_geometry(geometry: Any, *, crs: object = "wgs84", zones: gpd.GeoDataFrame | None = None,
                    price_table: PriceTables | str | Path | None = None) -> dict[str, Any]:
    """Lookup for one point or polygon, as a JSON-ready dict.

    Parameters
    ----------
    geometry : shapely geometry
        A point or polygon, in the coordinates of *crs*.
    crs : str, int or pyproj.CRS
        See :func:`zzgeo.crs.normalize_crs_name` (``"gcj02"`` for Amap
        coordinates, ``"EPSG:4547"`` for metres, ...).
    zones : geopandas.GeoDataFrame, optional
        Grade zones (default: the layer store's, DEMO unless replaced).
    price_table : PriceTables, str or Path, optional
        A valuer's own benchmark table (:mod:`zzgeo.landprice.valuer_table`) instead of the shipped one.

    Returns
    -------
    dict
        ``location`` (WGS-84), ``district``, ``doc_number``, ``base_date``,
        ``unit``, ``zones_demo`` and its note, and ``tables``: for every table
        and use on a grade map, the grade(s), price form, term, plot ratio and
        the price of each right in 元/m² and 元/亩.

    Raises
    ------
    OutsideAreaError
        Outside Zhengzhou, or inside it but outside every grade map (the
        notice covers 郑州市本级 and its entrusted areas, not the county-level cities).

    Examples
    --------
    A 200 m × 100 m parcel in EPSG:4547 metres, centred on the border between
    two grade zones of 商业服务业用地 beside Erqi Square: half grade 1
    (1020 元/m²), half grade 2 (895 元/m²), (1020 + 895) / 2 = 957.5 元/m²:

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from zzgeo.landprice.zones import validate_grade_zones
    >>> x0, y0 = 469364, 3847309  # 二七广场 (Erqi Square) in EPSG:4547 metres
    >>> zones = validate_grade_zones(gpd.GeoDataFrame(
    ...     {"table": ["collective_construction"] * 2, "use": ["commercial"] * 2, "grade": [1, 2]},
    ...     geometry=[box(x0 - 1000, y0 - 500, x0, y0 + 500), box(x0, y0 - 500, x0 + 1000, y0 + 500)], crs="EPSG:4547"))
    >>> result = lookup_geometry(box(x0 - 100, y0 - 50, x0 + 100, y0 + 50), crs="EPSG:4547", zones=zones)
    >>> result["district"], result["zones_demo"]
    ({'adcode': '410104', 'name': '管城回族区'}, False)
    >>> use = result["tables"][0]["uses"][0]
    >>> use["use_zh"], use["grade"], round(use["prices"][0]["price_yuan_m2"], 1)
    ('商业服务业用地', '1:50%, 2:50%', 957.5)
    """
    import geopandas as gpd

    from zzgeo.crs import input_crs, to_wgs84
    from zzgeo.districts import check_in_zhengzhou
    from zzgeo.landprice.zones import default_zones
    from zzgeo.layers import read_layer

    frame = gpd.GeoDataFrame(geometry=[geometry], crs=None)  # the coordinates are what *crs* says
    frame = to_wgs84(frame, crs=crs or "wgs84", name="location")
    districts = read_layer("districts")
    adcode = check_in_zhengzhou(frame, districts, name="location").iloc[0]
    district = districts.loc[districts["adcode"] == adcode].iloc[0]
    zones = default_zones() if zones is None else zones
    demo = bool(zones["demo"].astype(bool).any()) if "demo" in zones.columns else False
    rep = frame.geometry.iloc[0].representative_point()
    with using_price_tables(price_tables_of(price_table)):
        return _answer((rep.x, rep.y), crs, input_crs(frame), (adcode, district["name"]), _frame_records(frame, zones), demo,
                       zone_tables=set(zones["table"]))


def _answer(lonlat: tuple[float, float], crs: object, given: str | None, district: tuple[str, str],
            rows: list[dict[str, Any]], demo: bool, *, zone_tables: set[str]) -> dict[str, Any]:
    """The JSON-ready answer of :func:`lookup_geometry` from the rows of :func:`_price_records`.

    Raises :class:`OutsideAreaError` when there are no rows: the place lies on no grade map
    (*zone_tables*, the tables the grade map draws, tells a map of other tables from a place off the map).
    """
    from zzgeo.crs import format_location

    (lon, lat), (adcode, name) = lonlat, district
    tables = active_price_tables()
    if not rows:
        where = {"location": format_location(lon, lat, given), "district": name, "adcode": adcode}
        if not zone_tables & set(tables.tables):  # not off the map: the map has nothing for these tables
            titles = ", ".join(table_name(t) for t in tables.tables)
            raise OutsideAreaError(_("{location} lies in {district} ({adcode}), but the grade map in use has no zones for {tables} "
                                     "({document}); give your grade map with --zones").format(
                **where, tables=titles, document=tables.doc_number))
        if tables.shipped:
            msg = _("{location} lies in {district} ({adcode}), outside every grade zone in use. "
                    "郑政文〔2022〕42号 covers 郑州市本级 and its entrusted areas (白沙园区, 物流园区)").format(**where)
        else:
            msg = _("{location} lies in {district} ({adcode}), outside every grade zone in use. "
                    "Give the grade map of {document} (--zones)").format(**where, document=tables.doc_number)
        if demo:
            msg = _("{message}; the demo zones cover the six urban districts only").format(message=msg)
        raise OutsideAreaError(msg)
    grouped: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for row in rows:
        grouped.setdefault(row["table"], {}).setdefault(row["use"], []).append(row)
    doc = document()
    return {
        "location": {"lon": round(float(lon), 7), "lat": round(float(lat), 7), "crs_in": str(crs), "stored_as": "EPSG:4326"},
        "district": {"adcode": adcode, "name": name},
        "doc_number": tables.doc_number,
        "base_date": doc["base_date"],
        "unit": doc["unit"],
        **({} if tables.shipped else {"price_table": tables.source, "price_table_demo": tables.demo}),
        "zones_demo": demo,
        "zones_note": _("DEMO grade zones (synthetic, not the official grade map): prices are real, grades are not") if demo else "",
        "tables": [{"table": table, "uses": [_use_answer(table, use, use_rows) for use, use_rows in uses.items()]}
                   for table, uses in grouped.items()],
    }


def _use_answer(table: str, use: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One use of :func:`_answer`: its grade(s), price form, term, plot ratio and a price per right."""
    first, info = rows[0], use_info(table, use)
    return {
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
                "note": _("no such grade (the table prints —)") if np.isnan(r["price_yuan_m2"]) else "",
            }
            for r in rows
        ],
    }


def lookup_point(lon: float, lat: float, *, crs: object = "wgs84", zones: gpd.GeoDataFrame | None = None,
                 price_table: PriceTables | str | Path | None = None) -> dict[str, Any]:
    """:func:`lookup_geometry` for a point given as coordinates in *crs*.

    Parameters
    ----------
    lon, lat : float
        Longitude and latitude (or easting and northing for a projected *crs*).
    crs : str, int or pyproj.CRS
        What the coordinates are (default WGS-84).
    zones : geopandas.GeoDataFrame, optional
        Grade zones (default: the layer store's, DEMO unless replaced).
    price_table : PriceTables, str or Path, optional
        A valuer's own benchmark table (:mod:`zzgeo.landprice.valuer_table`) instead of the shipped one.

    Returns
    -------
    dict
        See :func:`lookup_geometry`.

    Raises
    ------
    SchemaError
        *lon* or *lat* is not a finite number.
    OutsideAreaError
        Outside Zhengzhou, or outside every grade map.

    Examples
    --------
    Erqi Square lies in 管城回族区, in grade 1 of the DEMO zones; the price is
    the real one of 附件1, 商业服务业用地 一级: 1020 元/m² = 680,000 元/亩
    (× 10000/15). The grade is not (the zones are DEMO, and the output says so):

    >>> result = lookup_point(113.6654, 34.7536)
    >>> result["district"]["name"], result["zones_demo"]
    ('管城回族区', True)
    >>> result["zones_note"]
    'DEMO grade zones (synthetic, not the official grade map): prices are real, grades are not'
    >>> commercial = result["tables"][0]["uses"][0]
    >>> commercial["use_zh"], commercial["grade"], commercial["prices"][0]["price_yuan_m2"], commercial["prices"][0]["price_yuan_mu"]
    ('商业服务业用地', '1', 1020.0, 680000.0)

    The same place as Amap shows it (GCJ-02), and a place in 登封市, which the
    DEMO zones do not cover:

    >>> lookup_point(113.67150391, 34.75248822, crs="gcj02")["location"]
    {'lon': 113.6654, 'lat': 34.7536, 'crs_in': 'gcj02', 'stored_as': 'EPSG:4326'}
    >>> lookup_point(113.05, 34.45)
    Traceback (most recent call last):
    ...
    zzgeo.errors.OutsideAreaError: (113.05000, 34.45000) lies in 登封市 (410185), outside every grade zone in use. ...; the demo zones cover the six urban districts only
    """
    import math

    from zzgeo.crs import given_crs, to_wgs84_xy
    from zzgeo.districts import district_at
    from zzgeo.layers import read_layer_arrays

    for what, value in (("lon", lon), ("lat", lat)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            raise SchemaError(_("location: {what}={value!r} is not a finite number; give the coordinates as numbers "
                                "(e.g. --lon 113.6654 --lat 34.7536)").format(what=what, value=value))
    if zones is not None:
        from shapely.geometry import Point

        return lookup_geometry(Point(float(lon), float(lat)), crs=crs, zones=zones, price_table=price_table)
    crs = crs or "wgs84"
    x, y = to_wgs84_xy([float(lon)], [float(lat)], crs)
    point, given = (float(x[0]), float(y[0])), given_crs(crs)
    district = district_at(*point, read_layer_arrays("districts"), given_crs=given)
    arrays = read_layer_arrays("land_grade_zones")
    demo = bool(np.asarray(arrays["demo"]).astype(bool).any()) if "demo" in arrays else False
    with using_price_tables(price_tables_of(price_table)):
        return _answer(point, crs, given, district, _point_records(*point, arrays), demo,
                       zone_tables=set(np.asarray(arrays["table"]).tolist()))
