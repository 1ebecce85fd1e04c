"""DEMO child-friendly facility register for the default run (see ``data/children/demo.toml``).

Deterministic (same file, same register), every row ``demo=True``, names
prefixed ``DEMO``. Registered with the layer store through :data:`LAYER_SPECS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo._data import load_toml
from zzgeo.crs import STORAGE_CRS
from zzgeo.layers import LayerSpec

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["LAYER_SPECS", "build_demo_facilities", "demo_facilities"]

_FILE = "children/demo.toml"
LAYER_SPECS = (
    LayerSpec("children_facilities_demo", "DEMO child-friendly facilities (every type of 郑政〔2022〕8号)", "demo",
              "zzgeo.children.demo:build_demo_facilities", "zzgeo demo generator (zzgeo/data/children/demo.toml)",
              "synthetic, no restrictions; NOT official data"),
)


def _points_in(polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """*n* points uniformly inside *polygon* (rejection sampling in its bounds, lon/lat)."""
    import shapely

    minx, miny, maxx, maxy = polygon.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        xy = np.column_stack([rng.uniform(minx, maxx, 4 * n + 8), rng.uniform(miny, maxy, 4 * n + 8)])
        out = np.vstack([out, xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]])
    return out[:n]


def _units_with_weights(zdxq_share: float) -> pd.DataFrame:
    from zzgeo.children.rules import load_units, unit_population

    units = load_units().merge(unit_population()[["unit", "residents"]], on="unit")
    host_of = dict(zip(units["unit"], units["host"], strict=True))
    weight = units["residents"].copy()
    weight[units["unit"] == "zdxq"] = zdxq_share * float(units.loc[units["unit"] == host_of["zdxq"], "residents"].iloc[0])
    units["weight"] = weight / weight.sum()
    units["district"] = [h or u for u, h in zip(units["unit"], units["host"], strict=True)]
    return units


def _draw(spec: dict, units: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Unit positions of the facilities of one type."""
    if "per_unit" in spec:
        low, high = spec["per_unit"]
        return np.repeat(np.arange(len(units)), rng.integers(low, high + 1, len(units)))
    return rng.choice(len(units), size=int(spec["count"]), p=units["weight"].to_numpy())


def _block(types: dict, units: pd.DataFrame, polygons, rng: np.random.Generator, blank_share: float) -> pd.DataFrame:
    """The rows of *types* drawn from *rng*: units, years, places, blank ``unit`` cells, then the locations."""
    frames = []
    for kind, spec in types.items():
        at = _draw(spec, units, rng)
        chosen = units.iloc[at].reset_index(drop=True)
        frame = pd.DataFrame({"type": kind, "unit": chosen["name"], "district": chosen["district"], "is_zone": chosen["kind"] == "development_zone"})
        frame["year"] = rng.integers(spec["years"][0], spec["years"][1] + 1, len(frame))
        frame["places"] = rng.integers(spec["places"][0], spec["places"][1] + 1, len(frame)) if "places" in spec else np.nan
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    blank = ~table["is_zone"] & (rng.random(len(table)) < blank_share)
    table.loc[blank, "unit"] = ""
    xy = np.empty((len(table), 2))
    for district, rows in table.groupby("district").groups.items():
        xy[np.asarray(rows)] = _points_in(polygons[district], len(rows), rng)
    table["x"], table["y"] = xy[:, 0], xy[:, 1]
    return table


def build_demo_facilities() -> gpd.GeoDataFrame:
    """The DEMO register: every facility type, in all 16 units, reproducible.

    Types without a ``stream`` draw from one generator seeded with ``seed``, in
    the order of the file; a type with ``stream = n`` draws from its own
    generator seeded with ``[seed, n]`` and its rows come after the others, so
    adding a type leaves every earlier row (and its id) as it was.
    """
    import geopandas as gpd

    from zzgeo.districts import build_districts

    doc = load_toml(_FILE)
    seed, blank_share = doc["demo"]["seed"], doc["demo"]["blank_unit_share"]
    units = _units_with_weights(doc["demo"]["zdxq_share"])
    polygons = build_districts().set_index("adcode").geometry
    main = {k: v for k, v in doc["types"].items() if "stream" not in v}
    blocks = [_block(main, units, polygons, np.random.default_rng(seed), blank_share)]
    for stream in sorted({v["stream"] for v in doc["types"].values() if "stream" in v}):
        own = {k: v for k, v in doc["types"].items() if v.get("stream") == stream}
        blocks.append(_block(own, units, polygons, np.random.default_rng([seed, stream]), blank_share))
    table = pd.concat(blocks, ignore_index=True)
    table["facility_id"] = [f"CF{i:05d}" for i in range(len(table))]
    table["name"] = [f"DEMO {t} {i}" for i, t in zip(range(len(table)), table["type"], strict=True)]
    table["source"] = "DEMO (zzgeo/data/children/demo.toml)"
    table["demo"] = True
    columns = ["facility_id", "name", "type", "unit", "places", "year", "source", "demo"]
    return gpd.GeoDataFrame(table[columns], geometry=gpd.points_from_xy(table["x"].round(6), table["y"].round(6)), crs=STORAGE_CRS)


def demo_facilities() -> gpd.GeoDataFrame:
    """The DEMO register from the layer store (built on first use).

    Returns
    -------
    geopandas.GeoDataFrame
        ``facility_id``, ``name``, ``type``, ``unit``, ``places``, ``year``,
        ``source``, ``demo`` (always True); points in EPSG:4326. Synthetic,
        not official data.

    Examples
    --------
    7,051 synthetic facilities of all 28 types, every one marked DEMO:

    >>> from zzgeo.children import demo_facilities, target_attainment
    >>> demo = demo_facilities()
    >>> len(demo), demo["type"].nunique(), bool(demo["demo"].all())
    (7051, 28, True)
    >>> demo.iloc[0][["facility_id", "name", "type", "source"]].tolist()
    ['CF00000', 'DEMO childcare 0', 'childcare', 'DEMO (zzgeo/data/children/demo.toml)']

    An analysis on it says it rests on DEMO data:

    >>> target_attainment(demo).meta["demo"]
    True
    """
    from zzgeo.layers import read_layer

    return read_layer("children_facilities_demo")
