"""Shared fixtures.

Every test session gets its own layer store in a temporary folder (``ZZGEO_STORE``),
so tests never read or overwrite the developer's ``layers/zzgeo.gpkg``. The variable
is set in ``os.environ``, so CLI subprocesses started by the tests inherit it.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

# The suite checks the English messages (the message ids of the catalogue) whatever the machine's locale
# (LANG=zh_CN.UTF-8 would give Chinese); the tests of the Chinese interface set the language themselves.
# CLI subprocesses inherit it. ZZGEO_TEST_LANG=zh runs the suite in Chinese, to read what a user sees.
os.environ["ZZGEO_LANG"] = os.environ.get("ZZGEO_TEST_LANG", "en")
# pytest-xdist's workers get COLUMNS=80, which zzgeo reads as a narrow terminal (tables split into parts): a test
# reads the output as a pipe would get it, the same with or without workers; tests of narrow output set COLUMNS.
os.environ.pop("COLUMNS", None)

#: Near 二七广场 (Erqi Square), WGS-84; in 管城回族区 ~210 m from its border (checked in test_districts).
ERQI_LONLAT = (113.6654, 34.7536)

#: Core layers built for the session (shelter layers are built lazily by their own tests).
CORE_LAYERS = ["districts", "census_2020", "land_grade_zones"]


@pytest.fixture(scope="session", autouse=True)
def layer_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private layer store for the whole session, built once (~1 s)."""
    path = tmp_path_factory.mktemp("layer_store") / "zzgeo.gpkg"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZZGEO_STORE", str(path))
        from zzgeo.layers import build_store

        build_store(path, only=CORE_LAYERS)
        yield path


@pytest.fixture(scope="session")
def districts(layer_store: Path) -> gpd.GeoDataFrame:
    from zzgeo.layers import read_layer

    return read_layer("districts", layer_store)


@pytest.fixture(scope="session")
def origin_4547() -> tuple[float, float]:
    """Erqi Square in EPSG:4547 metres, rounded: the centre of the test squares."""
    pt = gpd.GeoSeries.from_xy([ERQI_LONLAT[0]], [ERQI_LONLAT[1]], crs="EPSG:4326").to_crs("EPSG:4547").iloc[0]
    return round(pt.x), round(pt.y)


@pytest.fixture(scope="session")
def square_zones(origin_4547: tuple[float, float]) -> gpd.GeoDataFrame:
    """Tiny validated grade zones, built in EPSG:4547 around Erqi Square.

    Two 1000 m x 1000 m squares sharing the edge x = x0: grade 1 to the west,
    grade 2 to the east, for collective_construction/commercial and for every
    use of all three tables (use ""). Passed through validate_grade_zones.
    """
    from zzgeo.landprice.zones import validate_grade_zones

    x0, y0 = origin_4547
    west = box(x0 - 1000, y0 - 500, x0, y0 + 500)
    east = box(x0, y0 - 500, x0 + 1000, y0 + 500)
    rows = []
    for table, use in (
        ("collective_construction", "commercial"),
        ("collective_construction", ""),
        ("collective_agricultural", ""),
        ("state_agricultural", ""),
    ):
        rows.append({"table": table, "use": use, "grade": 1, "geometry": west})
        rows.append({"table": table, "use": use, "grade": 2, "geometry": east})
    zones = gpd.GeoDataFrame(rows, crs="EPSG:4547")
    return validate_grade_zones(zones, name="test squares")
