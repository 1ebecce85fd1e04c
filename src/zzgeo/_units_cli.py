"""The ``--units`` options every by-district command shares (typer only; the units are read by :mod:`zzgeo.units`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from zzgeo.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    from zzgeo.units import AnalysisUnits

__all__ = ["UnitsOption", "UnitsNameOption", "UnitsCodeOption", "UnitsPopulationOption", "UnitsParentOption",
           "UnitsLayerOption", "UnitsCrsOption", "units_from_options"]

UnitsOption = Annotated[Optional[str], typer.Option(
    "--units", help="Report by your own units (街道/乡镇/社区 polygons: GeoPackage, Shapefile, GeoJSON, postgresql://...), "
    "or 'demo' for the DEMO sub-district units (default: the 12 county-level units).")]
UnitsNameOption = Annotated[Optional[str], typer.Option("--units-name", help="Column of --units holding the unit name (default: 名称/街道名称/name...).")]
UnitsCodeOption = Annotated[Optional[str], typer.Option("--units-code", help="Column of --units holding the unit code (default: 代码/编码/code...; rows are numbered when absent).")]
UnitsPopulationOption = Annotated[Optional[str], typer.Option("--units-population", help="Column of --units holding the residents (default: 常住人口/人口/population...); not needed with --population.")]
UnitsParentOption = Annotated[Optional[str], typer.Option("--units-parent", help="Column of --units naming the parent unit (区县); default: found by location.")]
UnitsLayerOption = Annotated[Optional[str], typer.Option("--units-layer", help="Layer of a --units GeoPackage, or a PostGIS table.")]
UnitsCrsOption = Annotated[Optional[str], typer.Option("--units-crs", help="CRS of a --units table without one (an Excel/CSV template with WKT): wgs84, cgcs2000, gcj02, bd09 or EPSG:xxxx.")]


def units_from_options(units: str | None, name: str | None = None, code: str | None = None, population: str | None = None,
                       parent: str | None = None, layer: str | None = None, crs: str | None = None) -> AnalysisUnits | None:
    """The units a command's options ask for (``None``: the 12 county-level units)."""
    if units is None:
        for option, value in (("--units-name", name), ("--units-code", code), ("--units-population", population),
                              ("--units-parent", parent), ("--units-layer", layer), ("--units-crs", crs)):
            if value is not None:
                from zzgeo.errors import ParameterError

                raise ParameterError(_("{option} {value!r} needs --units FILE").format(option=option, value=value))
        return None
    from zzgeo.units import load_units_option

    return load_units_option(units, name_column=name, code_column=code, population_column=population,
                             parent_column=parent, layer=layer, crs=crs)
