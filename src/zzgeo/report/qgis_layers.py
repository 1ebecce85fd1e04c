"""The report's GeoPackages for QGIS: district results as polygon layers, and every layer styled as the web map.

:func:`write_report_styles` runs after the report has written ``tables/<theme>.gpkg``. It adds the
district-level results as polygon layers (the district polygons of the layer store joined on
``adcode``): ``coverage_by_district`` and ``siting_by_district`` (shelters), ``attainment_by_district``
(children), and ``scorecard.gpkg`` beside ``scorecard.csv`` (layers ``scorecard`` and, with
analysis units, ``scorecard_by_unit``). Then it writes a default QGIS style into the ``layer_styles``
table of every GeoPackage (:func:`zzgeo.maps.qgis.write_styles`), one per layer.

Each style is read from the web map the report draws for that layer (:data:`LAYER_MAPS`): in the report
the very map the page is written from (each is built once per bundle), called alone a map built for the
purpose (a fraction of a second each, no export); its legend gives the classes, colours and labels, its point layers their symbols (:func:`zzgeo.maps.qgis.choropleth_style`,
:func:`zzgeo.maps.qgis.points_style`). A layer no map draws, or one whose map no longer shows what
this module expects, gets one plain symbol and a note saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from zzgeo.i18n import N_, _

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from zzgeo.maps.qgis import Style
    from zzgeo.theme_run import ThemeRun

__all__ = ["LAYER_MAPS", "ReportStyles", "district_layers", "scorecard_layer", "write_report_styles"]


@dataclass(frozen=True)
class _FromMap:
    """Where a layer's style comes from: map *map* (the first of the run's maps whose name starts so),
    its point layer *points*, or its choropleth of *column* in *scheme* / *bins* classes (of the
    column rounded to *digits* decimals, when the map rounds it so)."""

    map: str
    points: str | None = None
    column: str | None = None
    scheme: str = "quantiles"
    bins: int = 5
    label_field: str | None = None
    digits: int | None = None


#: (theme, layer) -> the web map (and the layer of it) its QGIS style is read from; the scheme and
#: bins are the ones the theme's map function passes to :func:`zzgeo.maps.choropleth_map`.
LAYER_MAPS: dict[tuple[str, str], _FromMap] = {
    ("land-price", "valuation"): _FromMap("grades", points="parcels"),
    ("shelters", "siting_plan"): _FromMap("siting", points="chosen sites"),
    ("shelters", "coverage_by_district"): _FromMap("coverage", column="per_capita_m2", scheme="fisher_jenks", label_field="name",
                                                   digits=2),
    ("shelters", "coverage_by_unit"): _FromMap("coverage_by_unit", column="per_capita_m2", scheme="fisher_jenks", label_field="name",
                                               digits=2),
    ("shelters", "siting_by_district"): _FromMap("siting", column="per_capita_after_m2", label_field="name", digits=2),
    ("groundwater", "zones"): _FromMap("zones", column="zone_zh"),
    ("groundwater", "screening_list"): _FromMap("zones", points="leak-screening list (渗漏排查清单)"),
    ("children", "access_gaps"): _FromMap("childcare_access", points="gap cells"),
    ("children", "attainment_by_district"): _FromMap("overview", column="attainment", label_field="name"),
    ("scorecard", "scorecard"): _FromMap("scores", column="score", label_field="name", digits=1),
    ("scorecard", "scorecard_by_unit"): _FromMap("scores_by_unit", column="score", label_field="name", digits=1),
}
#: Colour of the plain symbol of a layer no web map draws (the builders' default point colour).
_PLAIN = "#1f4e9c"


@dataclass
class ReportStyles:
    """What :func:`write_report_styles` wrote.

    Attributes
    ----------
    files : list of str
        GeoPackages it created (relative to the report folder), for the manifest.
    styled : dict of str to list of str
        GeoPackage (relative) -> its layers, each with a default style.
    notes : list of str
        Layers styled with a plain symbol, and why.
    """

    files: list[str] = field(default_factory=list)
    styled: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _districts() -> gpd.GeoDataFrame:
    from zzgeo.layers import read_layer

    return read_layer("districts")[["adcode", "name", "geometry"]]


def district_layers(run: ThemeRun) -> dict[str, gpd.GeoDataFrame]:
    """The run's district-level tables as polygon layers: the layer store's district polygons joined on ``adcode``.

    Shelters: ``coverage_by_district`` and ``siting_by_district`` (the rows of the city total, which
    has no polygon, left out); children: ``attainment_by_district`` (mean attainment of the measurable
    per-unit targets, :func:`zzgeo.children.maps.district_attainment`, and its class). Figures keep
    their full precision (the styles class them rounded as the maps do). Other themes: none.

    Parameters
    ----------
    run : ThemeRun

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        Layer name -> polygons in the districts' CRS.

    Examples
    --------
    The shelter coverage table of three districts, one with 1.234 m² per resident:

    >>> import pandas as pd
    >>> from zzgeo.theme_run import ThemeRun
    >>> table = pd.DataFrame({"adcode": ["410102", "410103", "city"], "name": ["中原区", "二七区", "郑州市"],
    ...                       "per_capita_m2": [1.234, 2.5, 1.8], "covered_share": [0.91234, 0.5, 0.7]})
    >>> run = ThemeRun("shelters", "shelters", "郑政文〔2022〕40号", tables={"coverage_by_district": table})
    >>> layer = district_layers(run)["coverage_by_district"]
    >>> layer[["adcode", "name", "per_capita_m2", "covered_share"]].values.tolist()
    [['410102', '中原区', 1.234, 0.91234], ['410103', '二七区', 2.5, 0.5]]
    >>> layer.geom_type.unique().tolist()
    ['MultiPolygon']
    """
    import geopandas as gpd
    import pandas as pd

    out: dict[str, gpd.GeoDataFrame] = {}
    if run.key == "shelters":
        shapes = _districts()[["adcode", "geometry"]]
        for name in ("coverage_by_district", "siting_by_district"):
            table = run.tables.get(name)
            if table is not None and "adcode" in table:
                layer = shapes.merge(pd.DataFrame(table), on="adcode")  # as coverage_map / siting_map join them
                out[name] = gpd.GeoDataFrame(layer, geometry="geometry", crs=shapes.crs)
    elif run.key == "children" and "attainment" in run.tables:
        from types import SimpleNamespace

        from zzgeo.children.maps import _ratio_class, district_attainment

        table = district_attainment(SimpleNamespace(records=run.tables["attainment"]))  # it reads the records only
        layer = _districts().merge(table, left_on="adcode", right_index=True, how="left")  # as overview_map joins them
        layer["mean attainment %"] = (layer["mean_attainment"] * 100).round(1)
        layer["attainment"] = [_ratio_class(r) for r in layer["mean_attainment"]]
        out["attainment_by_district"] = layer
    return out


def scorecard_layer(result, *, areas: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """The scorecard as polygons: name, rank, score and indicators per district.

    Parameters
    ----------
    result : ScoreResult
        :func:`zzgeo.report.district_scores`.
    areas : geopandas.GeoDataFrame, optional
        Polygons with ``adcode`` and ``name`` of the scored units (default: the districts of the layer store).

    Examples
    --------
    Two districts scored on shelter coverage alone (0.9 and 0.5 of residents covered):

    >>> import pandas as pd
    >>> from zzgeo.report import district_scores
    >>> result = district_scores(raw=pd.DataFrame({"shelter_coverage": [0.9, 0.5]}, index=["410102", "410103"]))
    >>> layer = scorecard_layer(result)
    >>> layer[["adcode", "name", "rank", "score"]].values.tolist()
    [['410102', '中原区', 1, 90.0], ['410103', '二七区', 2, 50.0]]
    """
    import geopandas as gpd

    shapes = _districts() if areas is None else areas[["adcode", "name", "geometry"]]
    columns = [c for c in ("rank", "district", "score", "indicators_used", "indicators_total", "missing_indicators")
               if c in result.scores]
    scores = result.scores[columns]
    layer = shapes.merge(scores, left_on="adcode", right_on="district").drop(columns=["district"])  # as score_map joins them
    return gpd.GeoDataFrame(layer, geometry="geometry", crs=shapes.crs)


def _write_layer(frame: gpd.GeoDataFrame, path: Path, name: str, demo: str | None) -> None:
    """*frame* as layer *name* of *path*, with the DEMO mark as the report's tables carry it (:func:`zzgeo.io.append_gpkg_layer`)."""
    from zzgeo.io import append_gpkg_layer, portable_table

    append_gpkg_layer(portable_table(frame), path, name, demo=demo)


#: The style geometries as a note names them.
_GEOMETRY_WORDS = {"point": N_("point"), "line": N_("line"), "polygon": N_("polygon")}


def _style(key: str, name: str, frame: gpd.GeoDataFrame, maps: Mapping[str, Callable[[str], object]],
           built: dict, notes: list[str]) -> Style:
    """The style of layer *name* of theme *key*, read from its web map; a plain symbol (and a note) when there is none."""
    from zzgeo.errors import ZzgeoError
    from zzgeo.maps.qgis import (
        choropleth_style,
        geometry_kind,
        points_style,
        single_style,
    )

    kinds = sorted(set(frame.geom_type.dropna())) or ["Polygon"]
    spec = LAYER_MAPS.get((key, name)) or LAYER_MAPS.get((key, name.rsplit("_", 1)[0]))  # valuation_point: zzgeo.io.gpkg_layers
    found = {geometry_kind([k]) for k in kinds}
    # a layer of several kinds (parcels as points and polygons): QGIS opens it as its polygons, and the style is theirs
    geometry = next(k for k in ("polygon", "line", "point") if k in found)
    if len(found) > 1:
        notes.append(_("{key}/{name}: mixes {kinds}; QGIS opens it as its {geometry} features, which the style "
                       "draws as the web map does; QGIS gives its other features (a sublayer) a default symbol").format(
            key=key, name=name, kinds=", ".join(kinds), geometry=_(_GEOMETRY_WORDS[geometry])))
    map_name = next((m for m in maps if spec is not None and m.startswith(spec.map)), None)
    if spec is None or map_name is None:
        notes.append(_("{key}/{name}: no web map draws this layer; QGIS style: one plain symbol").format(key=key, name=name))
        return single_style(geometry, _PLAIN, opacity=0.75 if geometry == "polygon" else 0.9)
    try:
        if map_name not in built:
            built[map_name] = maps[map_name]("none")
        m = built[map_name]
        if spec.points:
            return points_style(m, spec.points, geometry=geometry, label_field=spec.label_field)
        drawn = frame[frame.geometry.notna()]  # the map draws the rows with a polygon (a total row has none)
        return choropleth_style(m, drawn[spec.column], column=spec.column, scheme=spec.scheme, bins=spec.bins, geometry=geometry,
                                label_field=spec.label_field, digits=spec.digits)
    except (ZzgeoError, KeyError) as exc:
        notes.append(_("{key}/{name}: QGIS style not read from the map {map!r} ({error}); one plain symbol instead").format(
            key=key, name=name, map=map_name, error=exc))
        return single_style(geometry, _PLAIN, opacity=0.75 if geometry == "polygon" else 0.9)


def _style_gpkg(path: Path, key: str, maps: Mapping[str, Callable[[str], object]], notes: list[str]) -> list[str]:
    """Style every feature layer of *path* (theme *key*) from the maps; the layers styled."""
    import pyogrio

    from zzgeo.maps.qgis import write_styles

    built: dict = {}
    styles = {}
    for name, geom_type in pyogrio.list_layers(path):
        if geom_type is None or name == "layer_styles":
            continue
        frame = pyogrio.read_dataframe(path, layer=name)
        styles[name] = _style(key, name, frame, maps, built, notes)
    write_styles(path, styles)
    return list(styles)


def write_report_styles(folder: str | Path, runs: Mapping[str, ThemeRun], scores=None, *, unit_scores=None) -> ReportStyles:
    """Add the district-level polygon layers to a report folder's GeoPackages and style every layer as the web map.

    Call it after the report has written ``tables/<theme>.gpkg`` (and before or after its maps: it
    builds the maps it reads again, without exporting them).

    Parameters
    ----------
    folder : path
        The report folder (``tables/`` inside it).
    runs : mapping of str to ThemeRun
        The theme runs the report was made from (their tables, maps and DEMO inputs).
    scores : ScoreResult, optional
        Writes ``scorecard.gpkg`` (layer ``scorecard``).
    unit_scores : (ScoreResult, GeoDataFrame), optional
        Scores by analysis units and their polygons: layer ``scorecard_by_unit``.

    Returns
    -------
    ReportStyles
        The GeoPackages created, the layers styled, and notes on layers styled with a plain symbol.

    Raises
    ------
    StoreError
        A GeoPackage cannot be written.

    Examples
    --------
    A shelter run with its coverage table and no maps: the coverage becomes a polygon layer of
    ``tables/shelters.gpkg`` with the DEMO mark, styled with a plain symbol, and a note says why:

    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> from zzgeo.maps.qgis import read_styles
    >>> from zzgeo.theme_run import ThemeRun
    >>> table = pd.DataFrame({"adcode": ["410102", "410103"], "name": ["中原区", "二七区"], "per_capita_m2": [1.2, 2.5]})
    >>> run = ThemeRun("shelters", "shelters", "郑政文〔2022〕40号", tables={"coverage_by_district": table}, demo=["shelter register"])
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> done = write_report_styles(folder, {"shelters": run})
    >>> done.files, done.styled, done.notes
    (['tables/shelters.gpkg'], {'tables/shelters.gpkg': ['coverage_by_district']}, ['shelters/coverage_by_district: no web map draws this layer; QGIS style: one plain symbol'])
    >>> [(r["f_table_name"], r["useAsDefault"]) for r in read_styles(folder / "tables/shelters.gpkg")]
    [('coverage_by_district', 1)]
    """
    from zzgeo.io import demo_label

    folder = Path(folder)
    out = ReportStyles()
    for key, run in runs.items():
        path = folder / "tables" / f"{key}.gpkg"
        existed = path.exists()
        for name, layer in district_layers(run).items():
            demo = run.table_demo(name)
            _write_layer(layer, path, name, demo_label(demo) if demo else None)
        if path.exists():
            if not existed:
                out.files.append(f"tables/{key}.gpkg")
            out.styled[f"tables/{key}.gpkg"] = _style_gpkg(path, key, run.maps, out.notes)
    if scores is not None:
        from zzgeo.report.scoring import score_map

        path = folder / "scorecard.gpkg"
        maps: dict[str, Callable[[str], object]] = {"scores": lambda basemap="none": score_map(scores, basemap=basemap)}
        themes = scores.meta.get("demo_themes", [])
        _write_layer(scorecard_layer(scores), path, "scorecard", demo_label(f"the inputs of {', '.join(themes)}") if themes else None)
        if unit_scores is not None:
            result, areas = unit_scores
            maps["scores_by_unit"] = lambda basemap="none": score_map(result, basemap=basemap, areas=areas)
            unit_themes = result.meta.get("demo_themes", [])
            _write_layer(scorecard_layer(result, areas=areas), path, "scorecard_by_unit",
                         demo_label(f"the inputs of {', '.join(unit_themes)}") if unit_themes else None)
        out.files.append("scorecard.gpkg")
        out.styled["scorecard.gpkg"] = _style_gpkg(path, "scorecard", maps, out.notes)
    return out
