"""Grade zones (土地级别) of the benchmark land price tables: demo layer, user layers, lookup.

A grade-zone layer has one polygon (or multipolygon) per table, use and grade:

========= =============================================================
column    meaning
========= =============================================================
table     ``collective_construction``, ``collective_agricultural``, ``state_agricultural``
use       a use of that table (``commercial``, ``cultivated``, ...); empty means
          the zone applies to every use of the table
grade     1..6 (``一级`` etc. accepted on load)
geometry  polygon, any CRS (stored in WGS-84)
========= =============================================================

Zones of the same table and use must not overlap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo._data import load_toml
from zzgeo.crs import METRIC_CRS, STORAGE_CRS, to_wgs84
from zzgeo.errors import GeometryError, NoSuchGradeError, SchemaError, UnknownCodeError
from zzgeo.landprice.tables import DASH, _cells, parse_grade, table_names, use_info

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "DEMO_LABEL",
    "build_demo_zones",
    "default_zones",
    "load_grade_zones",
    "validate_grade_zones",
    "assign_grades",
]

_DEMO = "landprice/grade_zones_demo.toml"
DEMO_LABEL = "DEMO grade zones (synthetic, not the official 郑政文〔2022〕42号 grade map)"
_COLUMN_ALIASES = {"级别": "grade", "土地级别": "grade", "用途": "use", "表": "table", "地价表": "table"}


def _existing_grades(table: str, use: str) -> list[int]:
    """Grades the table prints a price for (any right)."""
    info = use_info(table, use)
    grades = set()
    for right in info.rights:
        grades |= {g for g, cell in enumerate(_cells(table, use, right), start=1) if cell != DASH}
    return sorted(grades)


def build_demo_zones() -> gpd.GeoDataFrame:
    """Build the DEMO grade-zone layer from ``data/landprice/grade_zones_demo.toml``.

    Concentric, wavy bands around the centre, clipped to the urban districts,
    one band per grade the table prints. Deterministic: same file, same zones.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``table``, ``use``, ``grade``, ``demo`` (True), geometry, in EPSG:4326.
    """
    import geopandas as gpd
    from shapely.geometry import Point, Polygon

    from zzgeo.districts import build_districts

    spec = load_toml(_DEMO)["demo"]
    districts = build_districts()
    coverage = districts[districts["adcode"].isin(spec["coverage_adcodes"])].to_crs(METRIC_CRS).union_all()
    centre = gpd.GeoSeries([Point(spec["centre_lonlat"])], crs=STORAGE_CRS).to_crs(METRIC_CRS).iloc[0]
    theta = np.linspace(0.0, 2.0 * np.pi, spec["vertices"], endpoint=False)
    rows = []
    for table, uses in spec["radii_km"].items():
        phase = spec["phase"][table]
        wave = 1.0 + spec["wave_a"] * np.sin(3.0 * theta + phase) + spec["wave_b"] * np.cos(5.0 * theta)
        for use, radii in uses.items():
            grades = _existing_grades(table, use)
            if len(radii) + 1 != len(grades):
                msg = f"{_DEMO}: {table}/{use} needs {len(grades) - 1} radii for grades {grades}, has {len(radii)}"
                raise SchemaError(msg)
            inner = None
            for grade, radius_km in zip(grades, [*radii, None]):
                if radius_km is None:
                    band = coverage if inner is None else coverage.difference(inner)
                else:
                    r = radius_km * 1000.0 * wave
                    disc = Polygon(np.column_stack([centre.x + r * np.cos(theta), centre.y + r * np.sin(theta)]))
                    band = disc.intersection(coverage) if inner is None else disc.difference(inner).intersection(coverage)
                    inner = disc if inner is None else inner.union(disc)
                rows.append({"table": table, "use": use, "grade": grade, "demo": True, "geometry": band})
    zones = gpd.GeoDataFrame(rows, crs=METRIC_CRS)
    zones = zones[~zones.geometry.is_empty].to_crs(STORAGE_CRS)
    return zones.reset_index(drop=True)


def default_zones(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """The grade zones of the layer store (the demo layer unless replaced)."""
    from zzgeo.layers import read_layer

    zones = read_layer("land_grade_zones", path)
    zones["use"] = zones["use"].fillna("")
    return zones


def validate_grade_zones(zones: gpd.GeoDataFrame, *, name: str = "grade zones") -> gpd.GeoDataFrame:
    """Check and normalise a grade-zone layer; return a clean copy in WGS-84.

    Raises
    ------
    SchemaError
        Missing columns, or zones of one table and use that overlap.
    UnknownCodeError
        Unknown table, use or grade.
    NoSuchGradeError
        A zone for a grade the table prints as a dash.
    GeometryError
        Empty, missing, invalid or non-polygon geometries.
    CRSError
        No CRS.
    """
    import shapely

    out = zones.rename(columns={k: v for k, v in _COLUMN_ALIASES.items() if k in zones.columns})
    missing = [c for c in ("table", "grade") if c not in out.columns]
    if missing:
        msg = f"{name} lacks column(s) {missing}; needs table, grade and optionally use (columns: {list(zones.columns)})"
        raise SchemaError(msg)
    if "use" not in out.columns:
        out["use"] = ""
    out = to_wgs84(out, name=name)
    geoms = out.geometry.values
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if bad.any():
        raise GeometryError(f"{name}: rows {list(out.index[bad])[:10]} have missing or empty geometry")
    kinds = shapely.get_type_id(geoms)
    if not np.isin(kinds, (3, 6)).all():
        raise GeometryError(f"{name}: rows {list(out.index[~np.isin(kinds, (3, 6))])[:10]} are not polygons")
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        i = out.index[invalid][0]
        reason = shapely.is_valid_reason(geoms[invalid][0])
        msg = f"{name}: {int(invalid.sum())} invalid polygon(s), first row {i!r}: {reason}; repair them (e.g. shapely.make_valid) first"
        raise GeometryError(msg)
    known = table_names()
    out["use"] = out["use"].fillna("").astype(str).str.strip()
    grades = []
    for table, use, grade in zip(out["table"], out["use"], out["grade"]):
        if table not in known:
            raise UnknownCodeError(f"{name}: unknown table {table!r}; tables: {known}")
        uses = [use] if use else list(load_toml("landprice/land_price_2022_42.toml")["tables"][table]["uses"])
        n = use_info(table, uses[0]).n_grades
        g = parse_grade(grade, n_grades=n)
        if not any(g in _existing_grades(table, u) for u in uses):
            raise NoSuchGradeError(f"{name}: {table}/{use or '*'} has no grade {g} (the table prints '—')")
        grades.append(g)
    out["grade"] = np.asarray(grades, dtype="int64")
    metric = out.to_crs(METRIC_CRS)
    for (table, use), group in metric.groupby(["table", "use"]):
        total = group.area.sum()
        union = group.union_all().area
        if total - union > 1.0 + 1e-6 * total:  # more than 1 m² of overlap
            msg = f"{name}: zones of {table}/{use or '*'} overlap by {total - union:.0f} m²; each place needs one grade"
            raise SchemaError(msg)
    return out


def load_grade_zones(path: str | Path, *, layer: str | None = None, crs: object = None) -> gpd.GeoDataFrame:
    """Read and validate the real grade zones from a GeoPackage, Shapefile or GeoJSON.

    Parameters
    ----------
    path : str or Path
        Vector file with columns ``table``, ``grade`` and optionally ``use``
        (Chinese 级别 / 用途 accepted).
    layer : str, optional
        Layer of a multi-layer file.
    crs : str, optional
        The coordinates' real CRS when the file declares none or the wrong one
        (e.g. ``gcj02``).
    """
    from zzgeo.io import read_vector

    zones = read_vector(path, layer=layer, crs=crs, name=str(path))
    zones = validate_grade_zones(zones, name=str(path))
    zones["demo"] = False
    return zones


def _zone_subset(zones: gpd.GeoDataFrame, table: str, use: str) -> gpd.GeoDataFrame:
    sub = zones[(zones["table"] == table) & (zones["use"] == use)]
    if sub.empty:
        sub = zones[(zones["table"] == table) & (zones["use"] == "")]
    return sub


def assign_grades(parcels: gpd.GeoSeries, zones: gpd.GeoDataFrame, *, table: str, use: str) -> pd.DataFrame:
    """Grade of every parcel for one table and use; polygons straddling zones are split.

    Parameters
    ----------
    parcels : geopandas.GeoSeries
        Points or polygons in the zones' CRS.
    zones : geopandas.GeoDataFrame
        A validated grade-zone layer.
    table, use : str
        Which grade map to use.

    Returns
    -------
    pandas.DataFrame
        One row per parcel and grade it touches: ``parcel`` (index label of
        *parcels*), ``grade``, ``weight`` (area share of the parcel in that
        grade; 1.0 for points). Parcels outside every zone have no row;
        ``weight`` of a polygon sums to less than 1 where part of it lies
        outside the grade map.
    """
    import shapely

    sub = _zone_subset(zones, table, use)
    if sub.crs is not None and parcels.crs is not None and sub.crs != parcels.crs:
        sub = sub.to_crs(parcels.crs)
    geoms = np.asarray(parcels.values)
    is_point = shapely.get_type_id(geoms) == 0
    zone_geoms = np.asarray(sub.geometry.values)
    zone_grades = sub["grade"].to_numpy()
    tree = shapely.STRtree(zone_geoms)
    parts = []
    if is_point.any():
        pidx = np.flatnonzero(is_point)
        # Same pairs, same order as tree.query(..., predicate="intersects"), but the
        # predicate runs on prepared zones (STRtree prepares the query side, a point):
        # ~20x faster for many points.
        hit_p, hit_z = tree.query(geoms[pidx])
        shapely.prepare(zone_geoms)
        keep = shapely.intersects(zone_geoms[hit_z], geoms[pidx][hit_p])
        hit_p, hit_z = hit_p[keep], hit_z[keep]
        first = pd.DataFrame({"p": pidx[hit_p], "z": hit_z}).drop_duplicates("p")
        parts.append(pd.DataFrame({"parcel": first["p"].to_numpy(), "grade": zone_grades[first["z"].to_numpy()], "weight": 1.0}))
    if (~is_point).any():
        gidx = np.flatnonzero(~is_point)
        hit_g, hit_z = tree.query(geoms[gidx], predicate="intersects")
        if len(hit_g):
            # areas in metres: project the pieces once
            from pyproj import Transformer

            tr = Transformer.from_crs(parcels.crs, METRIC_CRS, always_xy=True)

            def _proj(c: np.ndarray) -> np.ndarray:
                return np.column_stack(tr.transform(c[:, 0], c[:, 1]))

            pieces = shapely.intersection(geoms[gidx][hit_g], zone_geoms[hit_z])
            piece_area = shapely.area(shapely.transform(pieces, _proj))
            whole = shapely.area(shapely.transform(geoms[gidx], _proj))
            w = piece_area / whole[hit_g]
            frame = pd.DataFrame({"parcel": gidx[hit_g], "grade": zone_grades[hit_z], "weight": w})
            frame = frame[frame["weight"] > 1e-9].groupby(["parcel", "grade"], as_index=False)["weight"].sum()
            parts.append(frame)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["parcel", "grade", "weight"])
    out["parcel"] = parcels.index.to_numpy()[out["parcel"].to_numpy(dtype="int64")]
    return out.sort_values(["parcel", "grade"], kind="stable").reset_index(drop=True)
