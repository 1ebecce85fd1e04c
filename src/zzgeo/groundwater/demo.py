"""DEMO groundwater layers: water sources, wells, the Yellow River line and pollution sources.

Built from ``data/groundwater/demo.toml`` (see its notes): the pilot sources'
names are real, their wells and parameters are not; the river line is the
municipality's northern boundary, which follows the Yellow River; the
pollution sources are random. Deterministic (same file, same layers); every row
carries ``demo=True``. Registered with the layer store through
:data:`LAYER_SPECS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo._data import load_toml
from zzgeo.crs import METRIC_CRS, STORAGE_CRS
from zzgeo.layers import LayerSpec

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["LAYER_SPECS", "build_demo_river", "build_demo_sources", "build_demo_wells", "build_demo_pollution", "demo_layers"]

_FILE = "groundwater/demo.toml"
_GEN = "zzgeo demo generator (zzgeo/data/groundwater/demo.toml)"
_LICENCE = "synthetic, no restrictions; NOT official data"

LAYER_SPECS = (
    LayerSpec("groundwater_river_demo", "DEMO Yellow River line (the municipality's northern boundary, approximate)", "demo",
              "zzgeo.groundwater.demo:build_demo_river", f"{_GEN}; derived from the geotool-cn district outlines", _LICENCE),
    LayerSpec("groundwater_sources_demo", "DEMO groundwater drinking-water sources (pilot names real; parameters synthetic)", "demo",
              "zzgeo.groundwater.demo:build_demo_sources", f"{_GEN}; names from 郑政文〔2022〕49号 三(三)9(1)", _LICENCE),
    LayerSpec("groundwater_wells_demo", "DEMO supply wells of the demo sources", "demo",
              "zzgeo.groundwater.demo:build_demo_wells", _GEN, _LICENCE),
    LayerSpec("pollution_sources_demo", "DEMO groundwater pollution sources (every type of 郑政文〔2022〕49号 三(三)9(2))", "demo",
              "zzgeo.groundwater.demo:build_demo_pollution", _GEN, _LICENCE),
)


def _spec() -> dict:
    return load_toml(_FILE)["demo"]


def _districts() -> gpd.GeoDataFrame:
    from zzgeo.districts import build_districts

    return build_districts()


def build_demo_river() -> gpd.GeoDataFrame:
    """The northern edge of the municipality between the given longitudes, as one line (WGS-84)."""
    import geopandas as gpd
    import shapely

    spec = _spec()
    union = _districts().union_all()
    xs = np.arange(spec["river_lon"][0], spec["river_lon"][1] + 1e-9, spec["river_step_deg"])
    verticals = shapely.linestrings([[(x, 33.0), (x, 36.0)] for x in xs])
    tops = [shapely.get_coordinates(shapely.intersection(v, union))[:, 1].max() for v in verticals]
    line = shapely.LineString(np.column_stack([xs, tops])).simplify(0.002)
    return gpd.GeoDataFrame({"river_id": ["yellow"], "name": [spec["river_name"]], "losing": [True], "demo": [True]},
                            geometry=[line], crs=STORAGE_CRS)


def _well_points(source: dict, river) -> list[tuple[float, float]]:
    """Wells *well_offset_km* south of the river line at the given longitudes (or the given points)."""
    import shapely

    if "well_points" in source:
        return [tuple(p) for p in source["well_points"]]
    points = []
    for lon in source["well_lons"]:
        top = shapely.get_coordinates(shapely.intersection(shapely.LineString([(lon, 33.0), (lon, 36.0)]), river.buffer(1e-9)))
        lat = float(top[:, 1].mean()) - source["well_offset_km"] / 111.0
        points.append((lon, round(lat, 6)))
    return points


def build_demo_wells() -> gpd.GeoDataFrame:
    """Wells of the demo sources (points, WGS-84)."""
    import geopandas as gpd
    from shapely.geometry import Point

    river = build_demo_river().geometry.iloc[0]
    rows = []
    for source in _spec()["sources"]:
        for k, (lon, lat) in enumerate(_well_points(source, river), start=1):
            rows.append({"well_id": f"{source['source_id']}-W{k:02d}", "source_id": source["source_id"],
                         "name": f"{source['name']} {k}号井", "pumping_m3_d": float(source["pumping_m3_d"]),
                         "demo": True, "geometry": Point(lon, lat)})
    return gpd.GeoDataFrame(rows, crs=STORAGE_CRS)


def build_demo_sources() -> gpd.GeoDataFrame:
    """The demo sources (one point per source at its wells' centre), with aquifer parameters where given."""
    import geopandas as gpd
    import shapely

    spec = _spec()
    wells = build_demo_wells()
    rows = []
    for source in spec["sources"]:
        mine = wells[wells["source_id"] == source["source_id"]]
        aquifer = {} if source.get("no_parameters") else dict(spec["aquifer"])
        rows.append({"source_id": source["source_id"], "name": source["name"], "county": source["county"],
                     "level": source["level"], "medium": "porous", "confinement": "phreatic",
                     "riverside": source["riverside"], "abstraction_m3_d": float(mine["pumping_m3_d"].sum()),
                     **{k: aquifer.get(k, np.nan) for k in ("conductivity_m_d", "gradient", "flow_azimuth_deg", "porosity", "thickness_m")},
                     "demo": True, "geometry": shapely.centroid(shapely.multipoints(np.asarray(mine.geometry.values)))})
    return gpd.GeoDataFrame(rows, crs=STORAGE_CRS)


def _locations(rng: np.random.Generator, n: int, districts: gpd.GeoDataFrame, wells: gpd.GeoDataFrame,
               types: np.ndarray, spec: dict) -> np.ndarray:
    """Where each demo source lies (metres): near a wellfield, in the hills (mines), or anywhere."""
    import shapely

    metric = districts.to_crs(METRIC_CRS)
    whole = metric.union_all()
    hills = metric[metric["adcode"].isin(spec["hills"])].union_all()
    wxy = shapely.get_coordinates(np.asarray(wells.to_crs(METRIC_CRS).geometry.values))
    out = np.empty((n, 2))
    for k in range(n):
        area = hills if types[k] in ("mining_area", "tailings_pond") else whole
        while True:
            if rng.random() < spec["near_wellfields"] and area is whole:
                angle, dist = rng.uniform(0, 2 * np.pi), rng.uniform(300.0, 6000.0)
                p = wxy[rng.integers(len(wxy))] + dist * np.array([np.cos(angle), np.sin(angle)])
            else:
                minx, miny, maxx, maxy = area.bounds
                p = rng.uniform((minx, miny), (maxx, maxy))
            if shapely.contains_xy(area, *p):
                out[k] = p
                break
    return out


def build_demo_pollution() -> gpd.GeoDataFrame:
    """Random pollution sources of every type with status fields (points, WGS-84)."""
    import geopandas as gpd
    import shapely

    spec = _spec()
    pol = spec["pollution"]
    rng = np.random.default_rng(spec["seed"])
    kinds = list(pol["types"])
    weights = np.array([pol["types"][k] for k in kinds], dtype=float)
    types = rng.choice(kinds, size=pol["count"], p=weights / weights.sum())
    xy = _locations(rng, len(types), _districts(), build_demo_wells(), types, pol)
    industries = np.array(["chemical", "electroplating", "pesticide", "pharmaceutical", "petrochemical", "dyeing",
                           "tanning", "nonferrous", "coking", "other"], dtype=object)
    enterprise = np.isin(types, ["industrial_enterprise", "chemical_producer", "industrial_cluster"])
    industry = np.where(types == "chemical_producer", "chemical",
                        np.where(enterprise, rng.choice(industries, len(types)), None))
    rates = pol["rates"]
    screened = rng.random(len(types)) < rates["leak_screened"]
    frame = pd.DataFrame({
        "source_id": [f"DEMO-PS-{k:04d}" for k in range(1, len(types) + 1)],
        "name": [f"DEMO 污染源{k:04d}" for k in range(1, len(types) + 1)],
        "type": types, "industry": industry,
        "operating": enterprise & (rng.random(len(types)) < rates["operating"]),
        "polluted": rng.random(len(types)) < rates["polluted"],
        "key_source": rng.random(len(types)) < rates["key_source"],
        "key_supervised": enterprise & (rng.random(len(types)) < rates["key_supervised"]),
        "leak_screened": screened,
        "leak_screened_on": np.where(screened, pd.to_datetime("2022-06-01")
                                     + pd.to_timedelta(rng.integers(0, 540, len(types)), unit="D"), pd.NaT),
        "spot_checked": screened & (rng.random(len(types)) < rates["spot_checked_of_screened"]),
        "risk_plan": rng.random(len(types)) < rates["risk_plan"],
        "self_monitoring": rng.random(len(types)) < rates["self_monitoring"],
        "demo": True,
    })
    frame["key_supervised"] = frame["key_supervised"] | frame["polluted"]
    frame["self_monitoring"] = frame["self_monitoring"] & frame["key_supervised"]
    frame["risk_plan"] = frame["risk_plan"] & frame["operating"] & frame["polluted"]
    frame["leak_screened_on"] = pd.to_datetime(frame["leak_screened_on"])
    points = shapely.points(np.round(xy, 1))
    return gpd.GeoDataFrame(frame, geometry=points, crs=METRIC_CRS).to_crs(STORAGE_CRS)


def demo_layers() -> dict[str, gpd.GeoDataFrame]:
    """The four demo layers from the layer store (built on first use).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``rivers``, ``sources``, ``wells``, ``pollution_sources``, in
        EPSG:4326, every row with ``demo=True``.

    Examples
    --------
    The pilot sources' names are real (三(三)9(1)), their wells and parameters
    are not, and the names say so; a third, invented source has no aquifer
    parameters:

    >>> layers = demo_layers()
    >>> {name: len(frame) for name, frame in layers.items()}
    {'rivers': 1, 'sources': 3, 'wells': 11, 'pollution_sources': 360}
    >>> layers["sources"]["name"].tolist()
    ['九五滩水源地（DEMO 水源井）', '巩义市黄河滩区水源地（DEMO 水源井）', 'DEMO 虚构水源地（无含水层参数）']
    >>> all(bool(frame["demo"].all()) for frame in layers.values())
    True
    """
    from zzgeo.layers import read_layer

    out = {}
    for key, layer in (("rivers", "groundwater_river_demo"), ("sources", "groundwater_sources_demo"),
                       ("wells", "groundwater_wells_demo"), ("pollution_sources", "pollution_sources_demo")):
        frame = read_layer(layer)
        if "demo" in frame:
            frame["demo"] = frame["demo"].astype(bool)
        out[key] = frame
    return out
