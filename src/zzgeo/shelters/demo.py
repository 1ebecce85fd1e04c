"""DEMO shelter register and DEMO candidate sites, drawn from ``data/shelters/demo.toml``.

Both layers are synthetic (no public machine-readable register exists offline);
every row carries ``demo=True`` and ``source="zzgeo demo"``, and analyses built
on them say DEMO. They are deterministic: the same file gives the same rows.
They are registered with the layer store through :data:`LAYER_SPECS` as
``shelters_demo`` and ``shelter_candidates_demo``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo._data import load_toml
from zzgeo.crs import METRIC_CRS, STORAGE_CRS, transformer
from zzgeo.layers import LayerSpec

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "DEMO_SOURCE",
    "DEMO_LABEL",
    "CANDIDATES_DEMO_LABEL",
    "LAYER_SPECS",
    "build_demo_register",
    "build_demo_candidates",
    "demo_register",
    "demo_candidates",
]

_FILE = "shelters/demo.toml"
DEMO_SOURCE = "zzgeo demo"
DEMO_LABEL = "DEMO shelter register (synthetic, not an official register)"
CANDIDATES_DEMO_LABEL = "DEMO candidate sites (synthetic parks, green space, squares, stadiums, schools)"
_SITE_WORDS = {"I": ("公园", "广场", "体育公园"), "II": ("公园", "广场", "学校操场", "体育场"), "III": ("游园", "广场", "学校操场")}
_KIND_WORDS = {"park": "公园", "green_space": "绿地", "square": "广场", "stadium": "体育场", "school": "学校"}

LAYER_SPECS = (
    LayerSpec(
        "shelters_demo",
        "DEMO emergency shelter register (synthetic; sizes consistent with classes I/II/III)",
        "demo",
        "zzgeo.shelters.demo:build_demo_register",
        "zzgeo demo generator (zzgeo/data/shelters/demo.toml); no public machine-readable register of Zhengzhou's shelters was available",
        "synthetic, no restrictions; NOT an official register",
    ),
    LayerSpec(
        "shelter_candidates_demo",
        "DEMO candidate shelter sites: parks, green space, squares, stadiums, schools with usable area",
        "demo",
        "zzgeo.shelters.demo:build_demo_candidates",
        "zzgeo demo generator (zzgeo/data/shelters/demo.toml)",
        "synthetic, no restrictions; NOT an official site list",
    ),
)


def _inputs():
    from zzgeo.districts import build_districts
    from zzgeo.population import district_population

    spec = load_toml(_FILE)["demo"]
    districts = build_districts().merge(district_population()[["adcode", "population"]], on="adcode")
    return spec, districts.to_crs(METRIC_CRS).sort_values("adcode").reset_index(drop=True)


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(np.round(np.exp(rng.uniform(np.log(low), np.log(high))), -1))


def _points_in(rng: np.random.Generator, geom, centre_xy: tuple[float, float], sigma_m: float, n: int) -> np.ndarray:
    """*n* points normal around *centre_xy* that fall inside *geom* (uniform fallback)."""
    import shapely

    shapely.prepare(geom)
    found = np.empty((0, 2))
    for _ in range(60):
        if len(found) >= n:
            break
        cand = rng.normal(loc=centre_xy, scale=sigma_m, size=(4 * n + 16, 2))
        found = np.vstack([found, cand[shapely.contains_xy(geom, cand[:, 0], cand[:, 1])]])
    minx, miny, maxx, maxy = geom.bounds
    while len(found) < n:
        cand = rng.uniform((minx, miny), (maxx, maxy), size=(4 * n + 16, 2))
        found = np.vstack([found, cand[shapely.contains_xy(geom, cand[:, 0], cand[:, 1])]])
    return np.round(found[:n], 1)


def _centre(spec_d: dict) -> tuple[float, float]:
    t = transformer(STORAGE_CRS, METRIC_CRS)
    return t.transform(*spec_d["centre"])


def build_demo_register() -> gpd.GeoDataFrame:
    """Build the DEMO shelter register (points, EPSG:4326).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``shelter_id``, ``name``, ``shelter_class``, ``setting``,
        ``gross_area_m2``, ``effective_area_m2``, ``capacity``, ``district``,
        ``source``, ``demo``, geometry.
    """
    import geopandas as gpd
    import shapely

    spec, districts = _inputs()
    rng = np.random.default_rng(spec["seed"])
    rows, xy = [], []
    for _, d in districts.iterrows():
        spec_d = spec["districts"][d["adcode"]]
        budget = spec_d["per_capita_m2"] * d["population"]
        drawn = []
        for code, cls in spec["classes"].items():
            remaining = cls["share"] * budget
            while remaining > 0:
                area = min(_log_uniform(rng, *cls["area_m2"]), max(round(remaining, -1), cls["area_m2"][0]))
                drawn.append((code, area, bool(rng.random() < cls["indoor_share"])))
                remaining -= area
        pts = _points_in(rng, d["geometry"], _centre(spec_d), spec_d["sigma_km"] * 1000.0, len(drawn))
        for k, ((code, area, indoor), p) in enumerate(zip(drawn, pts, strict=True), start=1):
            word = _SITE_WORDS[code][int(rng.integers(len(_SITE_WORDS[code])))]
            gross = float(np.round(area * rng.uniform(*spec["gross_factor"]), -1))
            rows.append({
                "shelter_id": f"DEMO-{d['adcode']}-{k:03d}",
                "name": f"DEMO {d['name']}{word}避难场所{k:03d}",
                "shelter_class": code,
                "setting": "indoor" if indoor else "outdoor",
                "gross_area_m2": gross,
                "effective_area_m2": area,
                "capacity": int(area // spec["area_per_person_m2"]),
                "district": d["name"],
                "source": DEMO_SOURCE,
                "demo": True,
            })
            xy.append(p)
    geometry = shapely.points(np.asarray(xy))
    return gpd.GeoDataFrame(rows, geometry=geometry, crs=METRIC_CRS).to_crs(STORAGE_CRS)


def build_demo_candidates() -> gpd.GeoDataFrame:
    """Build the DEMO candidate-site layer (points, EPSG:4326).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``candidate_id``, ``name``, ``kind``, ``usable_area_m2``,
        ``district``, ``source``, ``demo``, geometry. Some schools fall below
        the 2000 m² rule on purpose.
    """
    import geopandas as gpd
    import shapely

    from zzgeo.shelters.rules import load_targets

    target = load_targets().for_year(2029)
    spec, districts = _inputs()
    rng = np.random.default_rng(spec["seed"] + 1)
    kinds = list(spec["candidate_kinds"])
    shares = np.array([spec["candidate_kinds"][k]["share"] for k in kinds], dtype=float)
    rows, xy = [], []
    for _, d in districts.iterrows():
        spec_d = spec["districts"][d["adcode"]]
        gap = max(0.0, (target - spec_d["per_capita_m2"]) * d["population"])
        remaining = spec_d["candidate_ratio"] * gap
        drawn = []
        while remaining > 0 or len(drawn) < spec["min_candidates"]:
            kind = kinds[int(rng.choice(len(kinds), p=shares / shares.sum()))]
            area = _log_uniform(rng, *spec["candidate_kinds"][kind]["area_m2"])
            drawn.append((kind, area))
            remaining -= area
        pts = _points_in(rng, d["geometry"], _centre(spec_d), 1.5 * spec_d["sigma_km"] * 1000.0, len(drawn))
        for k, ((kind, area), p) in enumerate(zip(drawn, pts, strict=True), start=1):
            rows.append({
                "candidate_id": f"DEMO-C-{d['adcode']}-{k:03d}",
                "name": f"DEMO {d['name']}{_KIND_WORDS[kind]}{k:03d}",
                "kind": kind,
                "usable_area_m2": area,
                "district": d["name"],
                "source": DEMO_SOURCE,
                "demo": True,
            })
            xy.append(p)
    geometry = shapely.points(np.asarray(xy))
    return gpd.GeoDataFrame(rows, geometry=geometry, crs=METRIC_CRS).to_crs(STORAGE_CRS)


def demo_register() -> gpd.GeoDataFrame:
    """The DEMO register from the layer store (built on first use).

    Returns
    -------
    geopandas.GeoDataFrame
        The columns of :func:`build_demo_register`, ``demo`` as booleans, EPSG:4326.

    Examples
    --------
    Every row is marked DEMO and comes from the zzgeo generator; the classes
    are the register's I, II and III, and class I sites have at least the
    20,000 m² that class needs:

    >>> register = demo_register()
    >>> bool(register["demo"].all()), register["source"].unique().tolist(), register.crs.to_epsg()
    (True, ['zzgeo demo'], 4326)
    >>> sorted(register["shelter_class"].unique())
    ['I', 'II', 'III']
    >>> bool((register.loc[register["shelter_class"] == "I", "effective_area_m2"] >= 20000).all())
    True
    """
    from zzgeo.layers import read_layer

    return _restore(read_layer("shelters_demo"))


def demo_candidates() -> gpd.GeoDataFrame:
    """The DEMO candidate sites from the layer store (built on first use).

    Returns
    -------
    geopandas.GeoDataFrame
        The columns of :func:`build_demo_candidates`, ``demo`` as booleans, EPSG:4326.

    Examples
    --------
    Synthetic parks, green space, squares, stadiums and schools, all marked
    DEMO; some fall below the 2000 m² rule of 郑政文〔2022〕40号 五(一) on purpose:

    >>> candidates = demo_candidates()
    >>> bool(candidates["demo"].all()), candidates["source"].unique().tolist()
    (True, ['zzgeo demo'])
    >>> bool((candidates["usable_area_m2"] < 2000).any())
    True
    """
    from zzgeo.layers import read_layer

    return _restore(read_layer("shelter_candidates_demo"))


def _restore(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    if "demo" in frame:
        frame["demo"] = frame["demo"].astype(bool)
    return frame
