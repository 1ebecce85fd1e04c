"""DEMO layers of the land-price theme: synthetic grade zones and the tutorial parcels.

郑政文〔2022〕42号 omitted its grade maps (地价图（略）) and none is public, so the
default run uses synthetic zones built from ``data/landprice/grade_zones_demo.toml``:
concentric, wavy bands around the centre, one band per grade each table prints,
clipped to the urban districts. They are deterministic (the same file gives
the same zones), carry ``demo=True``, and every output built on them says DEMO.
The demo parcels (``zzgeo/data/landprice/demo_parcels.geojson``) are invented for the tutorial.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from zzgeo._data import data_path, load_toml
from zzgeo.crs import METRIC_CRS, STORAGE_CRS
from zzgeo.errors import SchemaError
from zzgeo.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["DEMO_FILE", "DEMO_PARCELS", "build_demo_zones", "demo_parcels_path"]

DEMO_FILE = "landprice/grade_zones_demo.toml"
#: Demo parcels (invented), packaged with zzgeo (``zzgeo/data/landprice/demo_parcels.geojson``).
DEMO_PARCELS = data_path("landprice/demo_parcels.geojson")


def demo_parcels_path() -> Path:
    """Path of the packaged DEMO parcels: six invented parcels for the tutorial, the report and the tests.

    Returns
    -------
    pathlib.Path
        Inside the installed package; read it, never write to it.

    Examples
    --------
    >>> from zzgeo.io import read_vector
    >>> parcels = read_vector(demo_parcels_path())
    >>> len(parcels), demo_parcels_path().name
    (6, 'demo_parcels.geojson')
    """
    return DEMO_PARCELS


def _bands(centre, theta: np.ndarray, wave: np.ndarray, radii_km: list[float]):
    """Discs (metres, EPSG:4547) of each band's outer edge; the last band has none."""
    from shapely.geometry import Polygon

    for radius_km in radii_km:
        r = radius_km * 1000.0 * wave
        yield Polygon(np.column_stack([centre.x + r * np.cos(theta), centre.y + r * np.sin(theta)]))


def build_demo_zones() -> gpd.GeoDataFrame:
    """Build the DEMO grade-zone layer from ``data/landprice/grade_zones_demo.toml``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``table``, ``use``, ``grade``, ``demo`` (True), geometry, in
        EPSG:4326, inside the outlines of the districts it covers.
    """
    import geopandas as gpd
    from shapely.geometry import Point

    from zzgeo.districts import build_districts
    from zzgeo.landprice.zones import existing_grades

    spec = load_toml(DEMO_FILE)["demo"]
    districts = build_districts()
    cover = districts[districts["adcode"].isin(spec["coverage_adcodes"])]
    cover_wgs84 = cover.union_all()
    centre = gpd.GeoSeries([Point(spec["centre_lonlat"])], crs=STORAGE_CRS).to_crs(METRIC_CRS).iloc[0]
    theta = np.linspace(0.0, 2.0 * np.pi, spec["vertices"], endpoint=False)
    rows = []
    for table, uses in spec["radii_km"].items():
        wave = 1.0 + spec["wave_a"] * np.sin(3.0 * theta + spec["phase"][table]) + spec["wave_b"] * np.cos(5.0 * theta)
        for use, radii in uses.items():
            grades = existing_grades(table, use)
            if len(radii) + 1 != len(grades):
                raise SchemaError(_("{file}: {table}/{use} needs {n} radii for grades {grades}, has {given}").format(
                    file=DEMO_FILE, table=table, use=use, n=len(grades) - 1, grades=grades, given=len(radii)))
            discs = gpd.GeoSeries(list(_bands(centre, theta, wave, radii)), crs=METRIC_CRS).to_crs(STORAGE_CRS)
            inner = None
            for grade, disc in zip(grades, [*discs, None]):
                # clip in WGS-84, against the very outlines the district lookup uses: no sliver outside them
                band = cover_wgs84 if disc is None else disc.intersection(cover_wgs84)
                if inner is not None:
                    band = band.difference(inner)
                inner = disc if inner is None else (inner if disc is None else inner.union(disc))
                rows.append({"table": table, "use": use, "grade": grade, "demo": True, "geometry": band})
    zones = gpd.GeoDataFrame(rows, crs=STORAGE_CRS)
    return zones[~zones.geometry.is_empty].reset_index(drop=True)
