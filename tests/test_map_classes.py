"""Class breaks of zzgeo.maps.classes are mapclassify's own, float for float, and need no mapclassify import."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

from zzgeo.maps.classes import class_bounds


def _samples():
    rng = np.random.default_rng(20)
    yield "12 districts", np.array([0.41, 1.87, 2.35, 0.93, 3.12, 1.87, 0.05, 4.4, 2.01, 1.2, 0.77, 2.9])
    for n in (6, 13, 40, 120):
        yield f"normal {n}", rng.normal(size=n) * 100
        yield f"ties {n}", rng.integers(0, 6, size=n).astype(float)
        yield f"lognormal {n}", np.round(rng.lognormal(size=n), 2)
        yield f"wide {n}", rng.uniform(0, 1e6, size=n)


@pytest.mark.parametrize("scheme", ["quantiles", "fisher_jenks", "equal_interval"])
def test_bounds_are_mapclassify_bins_bit_for_bit(scheme):
    mapclassify = pytest.importorskip("mapclassify")
    for name, y in _samples():
        for k in (2, 3, 5, 7):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                try:
                    expected = np.asarray(mapclassify.classify(y, scheme=scheme, k=k).bins, dtype=float)
                except ValueError:
                    with pytest.raises(ValueError):
                        class_bounds(y, scheme, k)
                    continue
                got = np.asarray(class_bounds(y, scheme, k), dtype=float)
            assert got.shape == expected.shape, (name, k)
            assert np.array_equal(got.view(np.int64), expected.view(np.int64)), (name, k, got, expected)


def test_quantile_ties_warn_as_mapclassify():
    with pytest.warns(UserWarning, match="Setting k to 2"):
        assert class_bounds(np.array([1.0, 1.0, 1.0, 1.0, 2.0]), "quantiles", 4).tolist() == [1.0, 2.0]


def test_unknown_scheme():
    with pytest.raises(ValueError, match="scheme 'jenks'"):
        class_bounds(np.arange(5.0), "jenks", 2)


def test_a_classed_map_does_not_import_mapclassify():
    code = ("import sys, geopandas as gpd; from shapely.geometry import box; from zzgeo.maps import choropleth_map\n"
            "g = gpd.GeoDataFrame({'v': [float(i * i) for i in range(12)]}, crs=4326,\n"
            "    geometry=[box(113.6 + i / 50, 34.7, 113.61 + i / 50, 34.71) for i in range(12)])\n"
            "for scheme in ('quantiles', 'fisher_jenks', 'equal_interval'):\n"
            "    choropleth_map(g, 'v', title='t', bins=5, scheme=scheme, districts=False)\n"
            "print('mapclassify' in sys.modules, 'numba' in sys.modules, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False", "False"]


@pytest.mark.parametrize("scheme", ["quantiles", "fisher_jenks", "equal_interval"])
def test_included_values_are_breaks_and_a_value_at_one_is_above_it(scheme):
    y = np.array([0.41, 1.87, 2.35, 0.93, 3.12, 1.87, 0.05, 4.4, 2.0, 1.2, 0.77, 2.9])
    bounds = class_bounds(y, scheme, 3, include=[2.0, 3.0, 9.0])  # 9 is beyond the values: no break
    classes = np.searchsorted(bounds, y, side="left")  # inclusive upper bounds, as the maps class them
    below2, at_or_above2 = classes[y < 2.0], classes[y >= 2.0]
    assert below2.max() < at_or_above2.min()  # no class holds values on both sides of 2
    assert classes[(y >= 2.0) & (y < 3.0)].max() < classes[y >= 3.0].min()
    assert bounds[-1] == y.max() and len(bounds) <= 3 + 2
    assert np.array_equal(class_bounds(y, scheme, 3, include=[]), class_bounds(y, scheme, 3))


def test_breaks_inside_the_range_only():
    from zzgeo.maps.classes import breaks_inside

    y = np.array([1.5, 2.0, 2.8])
    assert breaks_inside(y, [1.5, 2, 3, 2.8]) == [2.0, 2.8] and breaks_inside(np.array([]), [2]) == []
