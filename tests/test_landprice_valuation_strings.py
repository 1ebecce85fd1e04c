"""Valuation gives the same result whatever pandas stores text as, and repeated parcels are found by their exact location.

pandas 3 stores text as pyarrow strings when pyarrow is installed, else as
python strings; the valuation holds its text as codes and builds object
columns, so every figure, text and dtype must be the same in both (only the
storage of the column labels and of the input's own text columns differ).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from shapely.geometry import Point, box

from zzgeo.landprice.valuation import PlotRatioTable, ValuationOptions, value_parcels

CC = "collective_construction"
METRIC = "EPSG:4547"
OPTIONS = ValuationOptions(plot_ratio_table=PlotRatioTable((1.0, 2.0, 3.0), (0.8, 1.0, 1.15)), development_adjustment_yuan_m2=10.0)


def _parcels(x0: float, y0: float) -> gpd.GeoDataFrame:
    """Points and a polygon across the two test zones; Chinese headers, an unknown use, given grades, a repeat, no use."""
    return gpd.GeoDataFrame(
        {
            "宗地编号": ["A", "B", "C", "D", "E", "F", "G"],
            "用途": ["商业", "industrial", "office", "工业", None, "commercial", "commercial"],
            "级别": [None, "二级", None, "5", None, None, None],
            "容积率": [2.5, 4.0, 1.0, 2.5, 2.0, 2.0, 2.0],
            "面积(亩)": [1.5, 3.0, None, 2.0, 1.0, 1.0, 1.0],
            "备注": ["东", "西", "南", "北", "中", "重复", "重复"],
        },
        geometry=[Point(x0 - 300, y0), Point(x0 + 300, y0), Point(x0 - 200, y0 + 100), box(x0 - 100, y0 - 50, x0 + 100, y0 + 50),
                  Point(x0 + 100, y0), Point(x0 - 400, y0 - 100), Point(x0 - 400, y0 - 100)],
        crs=METRIC,
        index=[10, 11, 12, 13, 14, 15, 16],
    )


def _zones(x0: float, y0: float) -> gpd.GeoDataFrame:
    """conftest's square zones, made here too so that a child process without pyarrow can make them."""
    from zzgeo.landprice.zones import validate_grade_zones

    west, east = box(x0 - 1000, y0 - 500, x0, y0 + 500), box(x0, y0 - 500, x0 + 1000, y0 + 500)
    rows = [{"table": table, "use": use, "grade": grade, "geometry": square}
            for table, use in ((CC, "commercial"), (CC, ""), ("collective_agricultural", ""), ("state_agricultural", ""))
            for grade, square in ((1, west), (2, east))]
    return validate_grade_zones(gpd.GeoDataFrame(rows, crs=METRIC), name="test squares")


def _value(parcels: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return value_parcels(parcels, table=CC, zones=zones, options=OPTIONS, on_error="flag", id_column="宗地编号")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """*frame* with every text column, category and label as objects (the storage is all that may differ)."""
    out = pd.DataFrame(frame).copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].astype(object)
    out.columns = out.columns.astype(object)
    return out


def _valued_with(storage: str, origin, zones) -> gpd.GeoDataFrame:
    with pd.option_context("mode.string_storage", storage):
        parcels = _parcels(*origin)
        assert parcels["备注"].dtype.storage == storage
        return _value(parcels, zones)


def test_python_and_pyarrow_strings_give_the_same_valuation(origin_4547, square_zones) -> None:
    pytest.importorskip("pyarrow")
    arrow, python = (_valued_with(storage, origin_4547, square_zones) for storage in ("pyarrow", "python"))
    assert_frame_equal(_plain(arrow), _plain(python), check_exact=True)
    assert arrow.attrs == python.attrs
    texts = ["district", "district_name", "table", "use", "right", "use_zh", "grade", "grade_source", "price_form", "warnings", "error"]
    assert (arrow[texts].dtypes == object).all() and (python[texts].dtypes == object).all()
    # the cases are there: an unknown use, no use, a grade the table prints as a dash, a straddling polygon, a repeat
    errors = arrow["error"].tolist()
    assert "unknown use 'office'" in errors[2] and "no use given" in errors[4] and "prints '—'" in errors[3]
    assert "outside the coefficient table's range" in errors[1] and "one thing listed twice?" in arrow.loc[16, "warnings"]
    assert arrow.loc[13, "grade"] == "5" and arrow.loc[11, "grade_source"] == "given" and arrow.loc[10, "error"] == ""


def test_without_pyarrow_installed_the_valuation_is_the_same(origin_4547, tmp_path) -> None:
    """The same parcels valued in a process where ``import pyarrow`` fails (as on a machine without it)."""
    pytest.importorskip("pyarrow")
    script = textwrap.dedent(f"""
        import pickle, sys
        sys.modules["pyarrow"] = None
        import pandas as pd
        assert pd.Series(["a"]).dtype.storage == "python"
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_landprice_valuation_strings import _parcels, _value, _zones
        origin = {tuple(origin_4547)!r}
        pickle.dump(_value(_parcels(*origin), _zones(*origin)), open({str(tmp_path / "out.pickle")!r}, "wb"))
    """)
    subprocess.run([sys.executable, "-c", script], check=True)
    without = pd.read_pickle(tmp_path / "out.pickle")
    with_arrow = _value(_parcels(*origin_4547), _zones(*origin_4547))
    assert str(with_arrow["备注"].dtype.storage) == "pyarrow" and str(without["备注"].dtype.storage) == "python"
    assert_frame_equal(_plain(with_arrow), _plain(without), check_exact=True)


def test_repeated_parcels_are_found_by_their_exact_location() -> None:
    # a point repeated whole is an error on the later row; the same lon/lat at another height is not a repeat,
    # nor is a polygon; a polygon repeated whole is (WGS-84 input: no reprojection, heights kept)
    from zzgeo.registers import check_register

    lon, lat = 113.6654, 34.7536
    square = box(lon, lat, lon + 0.001, lat + 0.001)
    frame = gpd.GeoDataFrame(
        {"use": ["commercial"] * 6},
        geometry=[Point(lon, lat), Point(lon, lat), Point(lon, lat, 5.0), Point(lon, lat, 6.0), square, square],
        crs="EPSG:4326",
    )
    issues = check_register(frame, "landprice/parcels.toml").issues.joined()
    assert [i for i, text in enumerate(issues) if text] == [1, 5]
    assert issues[1] == "repeats row 0 in every column and its location"
    assert issues[5] == "repeats row 4 in every column and its location"
