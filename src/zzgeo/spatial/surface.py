"""Population surfaces: residents (or children) as points at cell centres in EPSG:4547, for any reach analysis.

Every surface is a GeoDataFrame of points in :data:`~zzgeo.crs.METRIC_CRS` with
``population`` and ``adcode`` columns; ``attrs["method"]`` says how it was
made and travels into the outputs. Three sources:

* **Default** (:func:`district_surface`): the 2020 census population of each
  county-level unit (functional-zone residents added to their host districts,
  see :func:`zzgeo.population.district_population`) divided *equally* among the
  cells of a regular grid (``cell_m``, default 250 m, anchored at multiples of
  ``cell_m`` in EPSG:4547) whose centres fall inside the district - i.e. a
  uniform density within each district. No finer public data exists offline,
  so residents of mountain townships count as much as those of the old town;
  coverage shares of the large counties are therefore low-side estimates.
  Totals are preserved exactly.
* **A population raster** (:func:`population_from_raster`, WorldPop-style
  GeoTIFF, any CRS): one point per positive pixel at the pixel centre, read
  window by window over the municipality's bounds only; nodata is skipped.
* **Polygons with a population column** (:func:`population_from_polygons`):
  each polygon's population spread equally over the grid cells whose centres
  fall inside it (as the default does for districts; a polygon too small to
  hold a centre becomes one point at its representative point). Points with a
  population column are used as they are. Polygons must not overlap.

Points outside the districts are left out of the surface and their total is
reported in ``attrs["outside_population"]``; nothing else is dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.crs import METRIC_CRS, require_crs, transformer
from zzgeo.errors import SchemaError
from zzgeo.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "DEFAULT_CELL_M",
    "POPULATION_COLUMNS",
    "RASTER_SUFFIXES",
    "grid_centres",
    "district_surface",
    "population_from_polygons",
    "population_from_raster",
    "read_population",
]

DEFAULT_CELL_M = 250.0
POPULATION_COLUMNS = ("population", "pop", "pop_2020", "人口", "常住人口", "人口数", "total")
#: Schema of population layers (read by the common register loader).
POPULATION_SCHEMA = "population.toml"
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".img")


def grid_centres(polygons: gpd.GeoSeries, *, cell_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centres of a regular grid that fall inside each polygon.

    Parameters
    ----------
    polygons : geopandas.GeoSeries
        Polygons in a metric CRS.
    cell_m : float
        Grid spacing in metres; the grid is anchored at multiples of ``cell_m``.

    Returns
    -------
    x, y, owner : numpy.ndarray
        Centre coordinates and the position of the polygon holding each.
        A polygon holding no centre contributes its representative point;
        a missing or empty one contributes nothing.

    Raises
    ------
    SchemaError
        *cell_m* is not a positive number.
    ParameterError
        The grid over the polygons' bounding boxes would exceed
        50 million cells (the message gives the coarsest grid that fits).

    Examples
    --------
    A 500 m x 250 m rectangle on the 250 m grid holds two centres, (125, 125)
    and (375, 125); a 10 m square holds none and gives its representative
    point (1005, 1005):

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from zzgeo.spatial import grid_centres
    >>> polygons = gpd.GeoSeries([box(0, 0, 500, 250), box(1000, 1000, 1010, 1010)], crs="EPSG:4547")
    >>> x, y, owner = grid_centres(polygons, cell_m=250)
    >>> x.tolist(), y.tolist(), owner.tolist()
    ([125.0, 375.0, 1005.0], [125.0, 125.0, 1005.0], [0, 0, 1])
    """
    import shapely

    if not cell_m > 0:
        raise SchemaError(_("cell_m must be a positive number of metres, got {cell_m!r}").format(cell_m=cell_m))
    geoms = np.asarray(polygons.values)
    _check_grid_size(geoms, cell_m)
    xs, ys, owners = [], [], []
    for pos, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        minx, miny, maxx, maxy = geom.bounds
        gx = np.arange(np.floor(minx / cell_m) * cell_m + cell_m / 2, maxx, cell_m)
        gy = np.arange(np.floor(miny / cell_m) * cell_m + cell_m / 2, maxy, cell_m)
        shapely.prepare(geom)
        cx, cy = np.meshgrid(gx, gy)
        cx, cy = cx.ravel(), cy.ravel()
        inside = shapely.contains_xy(geom, cx, cy)
        if not inside.any():
            rep = geom.representative_point()
            cx, cy, inside = np.array([rep.x]), np.array([rep.y]), np.array([True])
        xs.append(cx[inside])
        ys.append(cy[inside])
        owners.append(np.full(int(inside.sum()), pos))
    if not xs:
        return np.empty(0), np.empty(0), np.empty(0, dtype=int)
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(owners)


#: The most grid cells (bounding boxes of the polygons) a surface may have: about 1.6 GB of coordinates and
#: masks, and more for the cell-site pairs of the analyses that follow.
MAX_CELLS = 50_000_000
_BYTES_PER_CELL = 33  # two float64 coordinates, a contains mask, the kept centres


def _check_grid_size(geoms: np.ndarray, cell_m: float) -> None:
    """Refuse, before allocating anything, a grid too fine for memory, with the estimate."""
    import shapely

    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    bounds = shapely.bounds(geoms[ok])
    cells = float(np.sum(np.ceil((bounds[:, 2] - bounds[:, 0]) / cell_m + 1) * np.ceil((bounds[:, 3] - bounds[:, 1]) / cell_m + 1)))
    if cells > MAX_CELLS:
        from zzgeo.errors import ParameterError

        gb = cells * _BYTES_PER_CELL / 1e9
        coarsest = float(np.sqrt(cells / MAX_CELLS) * cell_m)
        raise ParameterError(_("a {cell_m:g} m grid over these areas has about {cells:,.0f} cells (~{gb:,.1f} GB before the "
                               "analysis); use a grid of {coarsest:g} m or more (--cell-m), or a population raster").format(
            cell_m=cell_m, cells=cells, gb=gb, coarsest=np.ceil(coarsest)))


def _surface(x, y, population, adcode, *, method: str, cell_m: float | None, outside: float = 0.0) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import shapely

    out = gpd.GeoDataFrame(
        {"population": np.asarray(population, dtype="float64"), "adcode": np.asarray(adcode, dtype=object)},
        geometry=shapely.points(np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")),
        crs=METRIC_CRS,
    )
    out.attrs.update({"method": method, "cell_m": cell_m, "outside_population": float(outside)})
    return out


def _districts(districts: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    if districts is not None:
        return districts
    from zzgeo.layers import read_layer

    return read_layer("districts")


def district_surface(
    districts: gpd.GeoDataFrame | None = None, *, cell_m: float = DEFAULT_CELL_M, column: str = "population"
) -> gpd.GeoDataFrame:
    """The default demand: each district's population spread uniformly over grid cells.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame, optional
        Polygons with ``adcode`` and a population column; default the
        ``districts`` layer (census 2020 + functional zones, see module notes).
    cell_m : float, default 250
        Grid spacing in metres.
    column : str, default "population"
        The population column of *districts*.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:4547 with ``population`` and ``adcode``; the population
        of every district is preserved exactly. ``attrs`` holds ``method``,
        ``cell_m`` and ``outside_population`` (0).

    Raises
    ------
    SchemaError
        *districts* has no *column*.
    CRSError
        *districts* has no CRS.

    Examples
    --------
    A 1000 m x 500 m district of 8,000 residents, on cell boundaries of the
    250 m grid, holds 4 x 2 = 8 cell centres: 8,000 / 8 = 1,000 residents each.

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from zzgeo.spatial import district_surface
    >>> x0, y0 = 469_250, 3_847_250  # near 二七广场, EPSG:4547 metres
    >>> district = gpd.GeoDataFrame({"adcode": ["410104"], "population": [8000]},
    ...                             geometry=[box(x0, y0, x0 + 1000, y0 + 500)], crs="EPSG:4547")
    >>> surface = district_surface(district, cell_m=250)
    >>> len(surface), surface["population"].unique().tolist(), surface.crs.to_epsg()
    (8, [1000.0], 4547)

    By default, the 12 districts of the layer store: the city's 12,600,574
    residents (census 2020) over about 121,000 cells of 250 m.

    >>> surface = district_surface()
    >>> round(surface["population"].sum()), len(surface)
    (12600574, 120882)
    """
    districts = _districts(districts)
    if column not in districts:
        raise SchemaError(_("districts has no {column!r} column; columns: {columns!r}").format(
            column=column, columns=list(districts.columns)))
    require_crs(districts, name="districts")
    metric = districts.to_crs(METRIC_CRS)
    x, y, owner = grid_centres(metric.geometry, cell_m=cell_m)
    pops = pd.to_numeric(metric[column], errors="coerce").to_numpy(dtype="float64")
    counts = np.bincount(owner, minlength=len(metric))
    per_cell = pops[owner] / counts[owner]
    method = _("census 2020 county-level populations (functional-zone residents assigned to host districts), "
               "spread uniformly: each district's population divided equally among the {cell_m:g} m grid cells "
               "(EPSG:4547) whose centres fall inside it").format(cell_m=cell_m)
    return _surface(x, y, per_cell, metric["adcode"].astype(str).to_numpy()[owner], method=method, cell_m=cell_m)


def _locate(x: np.ndarray, y: np.ndarray, districts: gpd.GeoDataFrame) -> np.ndarray:
    import shapely

    metric = districts.to_crs(METRIC_CRS)
    tree = shapely.STRtree(np.asarray(metric.geometry.values))
    pts, polys = tree.query(shapely.points(x, y), predicate="intersects")
    adcode = np.full(len(x), None, dtype=object)
    first = pd.Series(polys, index=pts).groupby(level=0).first()
    adcode[first.index.to_numpy()] = metric["adcode"].astype(str).to_numpy()[first.to_numpy()]
    return adcode


def population_from_polygons(
    polygons: gpd.GeoDataFrame,
    *,
    column: str | None = None,
    cell_m: float = DEFAULT_CELL_M,
    districts: gpd.GeoDataFrame | None = None,
    name: str = "population layer",
    row_names: str = "index",
) -> gpd.GeoDataFrame:
    """Demand from polygons (or points) carrying a population column, checked by the register loader
    (schema ``data/population.toml``: numbers, no negatives, no row twice; rows named by line or feature).

    Parameters
    ----------
    polygons : geopandas.GeoDataFrame
        Polygons or points in any CRS, not overlapping.
    column : str, optional
        Population column; default the schema's accepted headers (population, pop, 人口, 常住人口 ...;
        a unit such as 人口(万人) is converted).
    cell_m : float, default 250
        Grid spacing for spreading polygon populations.
    districts : geopandas.GeoDataFrame, optional
        Used to give every point its ``adcode`` (default the districts layer).

    Raises
    ------
    SchemaError
        No population column, or negative / non-numeric populations.
    """
    from zzgeo.registers import validate_register

    require_crs(polygons, name=name)
    if column is not None and column not in polygons.columns:
        raise SchemaError(_("{name} has no column {column!r} (--population-column); columns: {columns!r}").format(
            name=name, column=column, columns=list(polygons.columns)))
    columns = {column: "population"} if column not in (None, "population") else {}
    checked = validate_register(polygons, POPULATION_SCHEMA, columns=columns, name=name, row_names=row_names,
                                hint=_("Fix the population layer"))
    column = column or next((str(src) for src, dst in checked.attrs.get("renamed", {}).items() if dst == "population"), "population")
    pops = checked["population"].astype("float64")
    polygons = checked
    metric = polygons.to_crs(METRIC_CRS)
    is_point = (metric.geom_type == "Point").to_numpy()
    xs, ys, vals = [], [], []
    if is_point.any():
        pts = metric.geometry[is_point]
        xs.append(pts.x.to_numpy())
        ys.append(pts.y.to_numpy())
        vals.append(pops[is_point].to_numpy(dtype="float64"))
    if (~is_point).any():
        polys = metric.geometry[~is_point]
        x, y, owner = grid_centres(polys, cell_m=cell_m)
        counts = np.bincount(owner, minlength=len(polys))
        xs.append(x)
        ys.append(y)
        vals.append(pops[~is_point].to_numpy(dtype="float64")[owner] / counts[owner])
    x, y, v = np.concatenate(xs), np.concatenate(ys), np.concatenate(vals)
    adcode = _locate(x, y, _districts(districts))
    inside = np.array([a is not None for a in adcode], dtype=bool)
    method = _("{name} (column {column!r}): polygon populations spread equally over the {cell_m:g} m grid cells whose centres "
               "fall inside each polygon; points used as given").format(name=name, column=column, cell_m=cell_m)
    return _surface(x[inside], y[inside], v[inside], adcode[inside], method=method, cell_m=cell_m, outside=float(v[~inside].sum()))


def population_from_raster(
    path: str | Path,
    *,
    band: int = 1,
    districts: gpd.GeoDataFrame | None = None,
    rows_per_window: int = 1024,
) -> gpd.GeoDataFrame:
    """Demand from a population-count GeoTIFF (WorldPop style), any CRS.

    Only the window covering the districts is read, ``rows_per_window`` rows at
    a time; nodata and non-positive pixels are skipped. Each remaining pixel
    becomes a point at its centre, reprojected to EPSG:4547.

    Raises
    ------
    CRSError
        The raster has no CRS.
    SchemaError
        The raster does not overlap the districts.
    """
    import rasterio
    from rasterio.windows import Window, from_bounds

    from zzgeo.io import open_raster

    districts = _districts(districts)
    path = Path(path)
    with open_raster(path, what=_("population raster"), example_crs="EPSG:4326") as src:
        bounds = districts.to_crs(src.crs).total_bounds
        w = from_bounds(*bounds, transform=src.transform)
        col0, row0 = max(0, int(np.floor(w.col_off))), max(0, int(np.floor(w.row_off)))
        col1 = min(src.width, int(np.ceil(w.col_off + w.width)))
        row1 = min(src.height, int(np.ceil(w.row_off + w.height)))
        if col1 <= col0 or row1 <= row0:
            raise SchemaError(_("population raster {path!r} does not overlap Zhengzhou (bounds {bounds!r} in {crs})").format(
                path=str(path), bounds=tuple(src.bounds), crs=src.crs))
        window = Window(col0, row0, col1 - col0, row1 - row0)
        if window.width * window.height > MAX_CELLS:
            from zzgeo.errors import ParameterError

            raise ParameterError(_("population raster {path!r} has {pixels:,.0f} pixels over Zhengzhou "
                                   "(~{gb:,.1f} GB); resample it to at most {most:,} pixels (e.g. gdalwarp -tr 100 100)").format(
                path=str(path), pixels=window.width * window.height, gb=window.width * window.height * _BYTES_PER_CELL / 1e9,
                most=MAX_CELLS))
        to_metric = transformer(src.crs, METRIC_CRS)
        xs, ys, vals = [], [], []
        row0, row_end = int(window.row_off), int(window.row_off + window.height)
        for start in range(row0, row_end, rows_per_window):
            win = Window(window.col_off, start, window.width, min(rows_per_window, row_end - start))
            arr = src.read(band, window=win, masked=True)
            data = np.ma.filled(arr.astype("float64"), np.nan)
            r, c = np.nonzero(np.isfinite(data) & (data > 0))
            if len(r) == 0:
                continue
            px, py = rasterio.transform.xy(src.transform, r + start, c + int(window.col_off), offset="center")
            mx, my = to_metric.transform(np.asarray(px), np.asarray(py))
            xs.append(np.asarray(mx))
            ys.append(np.asarray(my))
            vals.append(data[r, c])
    if not xs:
        raise SchemaError(_("population raster {path!r} holds no positive values over Zhengzhou").format(path=str(path)))
    x, y, v = np.concatenate(xs), np.concatenate(ys), np.concatenate(vals)
    adcode = _locate(x, y, districts)
    inside = np.array([a is not None for a in adcode], dtype=bool)
    method = _("population raster {file} (band {band}): one point per positive pixel at its centre").format(file=path.name, band=band)
    return _surface(x[inside], y[inside], v[inside], adcode[inside], method=method, cell_m=None, outside=float(v[~inside].sum()))


def read_population(
    source: str | Path | gpd.GeoDataFrame | None = None,
    *,
    column: str | None = None,
    cell_m: float = DEFAULT_CELL_M,
    crs: object = None,
    layer: str | None = None,
    districts: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Demand from a source of any kind: ``None`` (default surface), a raster, a vector file or frame.

    Parameters
    ----------
    source : str, Path, GeoDataFrame or None
        ``None`` for :func:`district_surface`; a ``.tif`` for
        :func:`population_from_raster`; anything :func:`zzgeo.io.read_vector`
        reads (or a GeoDataFrame) for :func:`population_from_polygons`.
    column, cell_m, crs, layer, districts
        Passed on as they apply.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:4547 with ``population`` and ``adcode`` (see module
        notes); ``attrs["outside_population"]`` totals what lies outside the districts.

    Raises
    ------
    SchemaError
        No population column, or negative / non-numeric populations.
    CRSError
        The source has no CRS (pass *crs* for a file).

    Examples
    --------
    A 500 m x 250 m block holding ``人口(万人)`` = 0.12, i.e. 1,200 residents
    (the header unit is converted), spread over its two 250 m cells: 600 each.
    A point of 0.005 万人 = 50 residents far outside Zhengzhou is left out
    and counted in ``outside_population``.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> from zzgeo.spatial import read_population
    >>> x0, y0 = 469_250, 3_847_250  # near 二七广场, EPSG:4547 metres
    >>> layer = gpd.GeoDataFrame({"name": ["示例社区", "外地"], "人口(万人)": [0.12, 0.005]},
    ...                          geometry=[box(x0, y0, x0 + 500, y0 + 250), Point(0, 0)], crs="EPSG:4547")
    >>> surface = read_population(layer, cell_m=250)
    >>> surface["population"].tolist(), surface["adcode"].tolist(), surface.attrs["outside_population"]
    ([600.0, 600.0], ['410104', '410104'], 50.0)
    """
    if source is None:
        return district_surface(districts, cell_m=cell_m)
    if isinstance(source, pd.DataFrame):
        return population_from_polygons(source, column=column, cell_m=cell_m, districts=districts)
    if Path(str(source)).suffix.lower() in RASTER_SUFFIXES:
        return population_from_raster(source, districts=districts)
    from zzgeo.io import read_vector

    from zzgeo._problems import row_names_of

    gdf = read_vector(source, crs=crs, layer=layer, name=str(source))
    return population_from_polygons(gdf, column=column, cell_m=cell_m, districts=districts, name=str(source),
                                    row_names=row_names_of(source))
