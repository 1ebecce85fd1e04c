"""Analysis units: the 12 county-level units by default, or the office's own 街道/乡镇/社区 or any boundaries.

Every analysis that reports by district (shelter per-capita area and coverage,
children's walking access, district scores) takes an :class:`AnalysisUnits`:
polygons in EPSG:4547 with a code (``adcode``: the unit's code, the adcode for
county-level units), a ``name``, a ``population`` (NaN where it comes from a
population layer instead), and the parent unit (``parent_code``,
``parent_name``: a 街道's 区县) where one exists. Totals are made for every
parent and for the whole area covered, named for what it is: "郑州市
(city-wide)" only when the units are the whole city.

A units file is read by the common register loader (schema
``data/analysis_units.toml``) and checked here:

* **overlaps** of more than :data:`OVERLAP_TOLERANCE` of the smaller unit are an
  error (their residents would count twice); smaller slivers are noted;
* **gaps**: the part of each parent county-level unit that no unit covers is
  noted, with its share of the parent (residents there count to no unit);
* **outside**: a unit wholly outside Zhengzhou is an error (a wrong CRS, most
  often); a unit partly outside is noted.

The DEMO units (layer ``analysis_units_demo``) partition the six urban
districts (市辖区) into quadrants around each district's centre, with the
district's census population shared by area; they are synthetic and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from zzgeo.crs import METRIC_CRS
from zzgeo.errors import GeometryError, OutsideAreaError, SchemaError
from zzgeo.i18n import N_, _

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    import geopandas as gpd
    import pandas as pd

__all__ = [
    "UNITS_SCHEMA",
    "CITY_CODE",
    "CITY_NAME",
    "OVERLAP_TOLERANCE",
    "DEMO_UNITS_LABEL",
    "AnalysisUnits",
    "UnitGroup",
    "county_units",
    "units_from_frame",
    "read_units",
    "demo_units",
    "build_demo_units",
    "unit_problems",
    "locate_units",
    "units_of",
    "load_units_option",
    "needs_population",
    "unit_table",
]

#: Schema of a units layer, read by the common register loader.
UNITS_SCHEMA = "analysis_units.toml"
#: Code and name of the whole city (the total of the 12 county-level units).
CITY_CODE = "410100"
CITY_NAME = N_("郑州市 (city-wide)")  # shown translated: _(CITY_NAME)
#: An overlap above this share of the smaller unit's area is an error; below it a note (digitising slivers).
OVERLAP_TOLERANCE = 0.001
#: Gaps or parts outside the city smaller than this share of the unit (or parent) are not reported.
_NOTE_SHARE = 0.005
DEMO_UNITS_LABEL = "DEMO sub-district units (quadrants of the six urban districts; synthetic, NOT official 街道 boundaries)"
_UNIT_COLUMNS = ("adcode", "name", "population", "parent_code", "parent_name")


@dataclass(frozen=True)
class UnitGroup:
    """A total row: a parent unit or the whole area, and the codes of the units it sums."""

    code: str
    name: str
    level: str  #: ``"parent"`` or ``"total"``
    members: tuple[str, ...]


@dataclass(frozen=True)
class AnalysisUnits:
    """The units an analysis reports by (see module notes).

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        EPSG:4547 polygons: ``adcode`` (unit code, str), ``name``,
        ``population`` (float, NaN when not given), ``parent_code``,
        ``parent_name``, geometry.
    label : str
        What the units are, for titles and notes ("12 county-level units").
    total_code, total_name : str
        Code and name of the total of all units.
    whole_city : bool
        Whether the units are Zhengzhou's 12 county-level units.
    demo : bool
        Whether the units are zzgeo's synthetic DEMO units.
    notes : tuple of str
        Gaps, slivers and parts outside the city, for the run's notes.
    source : str
        The input they were read from, for messages.
    parent_shares : mapping of str to float
        Share of each parent county-level unit's area the units cover (a
        parent covered in part is named so in its total row).

    Examples
    --------
    >>> units = county_units()
    >>> len(units.frame), units.total_name, units.whole_city, units.is_default
    (12, '郑州市 (city-wide)', True, True)
    >>> [g.name for g in units.groups()]
    ['郑州市 (city-wide)']
    """

    frame: gpd.GeoDataFrame
    label: str
    total_code: str = CITY_CODE
    total_name: str = CITY_NAME
    whole_city: bool = True
    demo: bool = False
    notes: tuple[str, ...] = field(default=())
    source: str = "districts"
    parent_shares: dict = field(default_factory=dict)

    @property
    def is_default(self) -> bool:
        """The 12 county-level units (every output as before units existed)."""
        return self.whole_city and self.total_code == CITY_CODE

    @property
    def names(self) -> dict[str, str]:
        """Unit name by code."""
        return dict(zip(self.frame["adcode"].astype(str), self.frame["name"].astype(str), strict=True))

    def groups(self) -> list[UnitGroup]:
        """The total rows: one per parent unit (when units have parents and are not the county units), then the whole area."""
        codes = self.frame["adcode"].astype(str).tolist()
        out = []
        if not self.is_default and self.frame["parent_code"].notna().any():
            parents = self.frame[self.frame["parent_code"].notna()]
            for code, rows in parents.groupby("parent_code", sort=True):
                name = str(rows["parent_name"].dropna().iloc[0]) if rows["parent_name"].notna().any() else str(code)
                share = self.parent_shares.get(str(code), 1.0)
                if share < 1 - _NOTE_SHARE:  # never read as the whole 区县
                    name = _("{name} (part: {n} units, {share:.0%} of its area)").format(name=name, n=len(rows), share=share)
                out.append(UnitGroup(str(code), name, "parent", tuple(rows["adcode"].astype(str))))
        out.append(UnitGroup(self.total_code, self.total_name, "total", tuple(codes)))
        return out

    def run_notes(self, outside: list[str] = (), *, what: str | None = None, effect: str = "", listed_in: str = "") -> list[str]:
        """The notes a run by these units carries: the DEMO mark, the units' own notes, and the *outside*
        features (named; the first ten, with where the rest are *listed_in*), saying their *effect*.
        *what* (default "feature(s)"), *effect* and *listed_in* are shown as given: the caller translates them.

        Examples
        --------
        >>> county_units().run_notes(["S1 甲", "S2 乙"], what="shelter(s)", effect="their area counts to no unit")
        ['2 shelter(s) lie outside every unit of 12 county-level units of 郑州市: their area counts to no unit: S1 甲, S2 乙']
        """
        demo = [_("DEMO UNITS: {label} are synthetic, not official 街道 boundaries").format(label=self.label)] if self.demo else []
        lines = [*demo, *self.notes]
        if outside:
            more = ""
            if len(outside) > 10:
                more = " " + (_("and {n} more (all in {listed_in})").format(n=len(outside) - 10, listed_in=listed_in) if listed_in
                              else _("and {n} more").format(n=len(outside) - 10))
            lines.append(_("{n} {what} lie outside every unit of {label}: {effect}: {names}").format(
                n=len(outside), what=what or _("feature(s)"), label=self.label, effect=effect, names=", ".join(outside[:10]) + more))
        return lines

    def describe(self) -> dict:
        """JSON-ready summary: label, count, total, whole city, demo, notes."""
        return {"label": self.label, "units": len(self.frame), "total": self.total_name, "whole_city": self.whole_city,
                "demo": self.demo, "notes": list(self.notes)}


# ----------------------------------------------------------------------------- making units


def county_units(districts: gpd.GeoDataFrame | None = None) -> AnalysisUnits:
    """The default: Zhengzhou's 12 county-level units with their 2020 census population.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame, optional
        The ``districts`` layer (read from the store when omitted).
    """
    if districts is None:
        from zzgeo.layers import read_layer

        districts = read_layer("districts")
    frame = districts.to_crs(METRIC_CRS)[["adcode", "name", "population", "geometry"]].copy()
    frame["adcode"] = frame["adcode"].astype(str)
    frame["population"] = frame["population"].astype("float64")
    frame["parent_code"] = None
    frame["parent_name"] = None
    return AnalysisUnits(frame.reset_index(drop=True), _("12 county-level units of 郑州市"), total_name=_(CITY_NAME))


def units_from_frame(units: gpd.GeoDataFrame, *, label: str | None = None, demo: bool = False,
                     districts: gpd.GeoDataFrame | None = None, name: str = "units") -> AnalysisUnits:
    """Analysis units from a frame with ``adcode`` (unit code), ``name`` and optional ``population``/parents.

    Parents missing are found by location: the county-level unit holding each
    unit's representative point. The units are checked (:func:`unit_problems`).

    Parameters
    ----------
    units : geopandas.GeoDataFrame
        Polygons with a CRS.
    label : str, optional
        What the units are (titles, notes); default "analysis units".
    demo : bool
        Synthetic units (every output says DEMO).
    districts : geopandas.GeoDataFrame, optional
        The county-level units (default the ``districts`` layer).
    name : str
        How messages name the input.

    Raises
    ------
    SchemaError
        No ``adcode`` or ``name`` column, or a code twice.
    GeometryError
        Units overlap by more than :data:`OVERLAP_TOLERANCE`.
    OutsideAreaError
        A unit lies wholly outside Zhengzhou.

    Examples
    --------
    Two hand-built 2 km squares side by side in 金水区 (EPSG:4547 metres), with
    10,000 and 30,000 residents; their parent is found by location:

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> x, y = 470_000, 3_850_000
    >>> frame = gpd.GeoDataFrame({"adcode": ["A", "B"], "name": ["甲街道", "乙街道"], "population": [1e4, 3e4]},
    ...                          geometry=[box(x, y, x + 2000, y + 2000), box(x + 2000, y, x + 4000, y + 2000)], crs=4547)
    >>> units = units_from_frame(frame, label="两个街道")
    >>> units.frame[["name", "parent_name"]].values.tolist()
    [['甲街道', '金水区'], ['乙街道', '金水区']]
    >>> [(g.name, g.members) for g in units.groups()]
    [('金水区 (part: 2 units, 3% of its area)', ('A', 'B')), ('两个街道 (2 units, part of 郑州市)', ('A', 'B'))]
    >>> units.whole_city
    False
    """
    import pandas as pd

    label = label or _("analysis units")
    for col in ("adcode", "name"):
        if col not in units:
            raise SchemaError(_("{name} has no {column!r} column").format(name=name, column=col))
    if units.crs is None:
        from zzgeo.errors import CRSError

        raise CRSError(_("{name} has no CRS").format(name=name))
    frame = units.to_crs(METRIC_CRS).reset_index(drop=True)
    frame["adcode"] = frame["adcode"].astype(str)
    twice = frame["adcode"][frame["adcode"].duplicated()]
    if len(twice):
        raise SchemaError(_("{name}: unit code {code!r} appears twice; every unit needs its own code").format(
            name=name, code=twice.iloc[0]))
    frame["population"] = (frame["population"] if "population" in frame else pd.Series(np.nan, index=frame.index)).astype("float64")
    for col in ("parent_code", "parent_name"):  # empty cells (the loader's "") are missing parents
        frame[col] = frame[col].map(lambda v: None if v is None or pd.isna(v) or not str(v).strip() else str(v)) \
            if col in frame else None
    if districts is None:
        from zzgeo.layers import read_layer

        districts = read_layer("districts")
    county = districts.to_crs(METRIC_CRS)
    notes = unit_problems(frame, county, name=name)
    notes += _fill_parents(frame, county)
    frame = frame[[*_UNIT_COLUMNS, "geometry"]]
    return AnalysisUnits(frame, label, total_code="total", total_name=_total_name(label, frame, county),
                         whole_city=False, demo=demo, notes=tuple(notes), source=name,
                         parent_shares=_parent_shares(frame, county))


def _county_of(value: object, county: gpd.GeoDataFrame) -> tuple[str, str] | None:
    """(adcode, name) of the county-level unit a parent cell names by code, full name or stem (金水 -> 金水区),
    matched as the register loader matches a 区县 column."""
    from zzgeo.registers.checks import _district_matches

    return next(((code, name) for code, name in zip(county["adcode"].astype(str), county["name"].astype(str), strict=True)
                 if _district_matches(value, code, name)), None)


def _fill_parents(frame: gpd.GeoDataFrame, county: gpd.GeoDataFrame) -> list[str]:
    """Parents: as given (a name or code of a county-level unit takes its adcode and name), else the county-level
    unit holding the unit's representative point; returns notes for a given parent the location contradicts."""
    import pandas as pd
    import shapely

    from zzgeo.districts import locate_districts_xy

    pts = shapely.point_on_surface(np.asarray(frame.geometry.values))
    located = locate_districts_xy(shapely.get_x(pts), shapely.get_y(pts), county)
    names_of = dict(zip(county["adcode"].astype(str), county["name"].astype(str), strict=True))
    codes = [None if pd.isna(c) else c for c in located]
    names = [names_of.get(c) for c in codes]
    notes = []
    for i in range(len(frame)):
        given = frame["parent_code"].iat[i] if frame["parent_code"].iat[i] is not None else frame["parent_name"].iat[i]
        if given is None:
            frame.iloc[i, frame.columns.get_loc("parent_code")] = codes[i]
            frame.iloc[i, frame.columns.get_loc("parent_name")] = names[i]
            continue
        match = _county_of(given, county)
        if match is None:  # a parent of the office's own (a 开发区, a planning area): kept as given
            frame.iloc[i, frame.columns.get_loc("parent_code")] = str(given)
            if frame["parent_name"].iat[i] is None:
                frame.iloc[i, frame.columns.get_loc("parent_name")] = str(given)
            continue
        frame.iloc[i, frame.columns.get_loc("parent_code")], frame.iloc[i, frame.columns.get_loc("parent_name")] = match
        if codes[i] is not None and codes[i] != match[0]:
            notes.append(_("unit {unit} ({code}): its parent is given as {given}, but it lies in {located}; "
                           "its totals go to {given} as given").format(unit=frame["name"].iat[i], code=frame["adcode"].iat[i],
                                                                       given=match[1], located=names[i]))
    return notes


def _parent_shares(frame: gpd.GeoDataFrame, county: gpd.GeoDataFrame) -> dict[str, float]:
    """Share of each county-level parent's area that its units cover."""
    import shapely

    shares = {}
    polygons = dict(zip(county["adcode"].astype(str), county.geometry.values, strict=True))
    for code, rows in frame.groupby("parent_code"):
        if str(code) in polygons:
            poly = polygons[str(code)]
            covered = shapely.intersection(shapely.union_all(np.asarray(rows.geometry.values)), poly)
            shares[str(code)] = float(shapely.area(covered) / shapely.area(poly))
    return shares


def _total_name(label: str, frame: gpd.GeoDataFrame, county: gpd.GeoDataFrame) -> str:
    """The total row's name: what the units are and how much of the city they cover."""
    import shapely

    covered = shapely.union_all(np.asarray(frame.geometry.values))
    city = shapely.union_all(np.asarray(county.geometry.values))
    share = shapely.area(shapely.intersection(covered, city)) / shapely.area(city)
    where = _(CITY_NAME) if share > 1 - _NOTE_SHARE else _("part of 郑州市")
    return _("{label} ({n} units, {where})").format(label=label, n=len(frame), where=where)


def unit_problems(frame: gpd.GeoDataFrame, county: gpd.GeoDataFrame, *, name: str = "units") -> list[str]:
    """Check units for overlaps, gaps in their parents and parts outside the city; raise or return notes.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Units in EPSG:4547 with ``adcode`` and ``name``.
    county : geopandas.GeoDataFrame
        The 12 county-level units in EPSG:4547.
    name : str
        How messages name the input.

    Returns
    -------
    list of str
        Notes: slivers of overlap, gaps (part of a county-level unit the units
        touch that no unit covers), parts outside Zhengzhou.

    Raises
    ------
    GeometryError
        Two units overlap by more than :data:`OVERLAP_TOLERANCE` of the smaller.
    OutsideAreaError
        A unit lies wholly outside Zhengzhou.

    Examples
    --------
    A 2 km square and a second one shifted by 1 km overlap by half:

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from zzgeo.layers import read_layer
    >>> county = read_layer("districts").to_crs(4547)
    >>> x, y = 470_000, 3_850_000
    >>> frame = gpd.GeoDataFrame({"adcode": ["A", "B"], "name": ["甲", "乙"]},
    ...                          geometry=[box(x, y, x + 2000, y + 2000), box(x + 1000, y, x + 3000, y + 2000)], crs=4547)
    >>> unit_problems(frame, county)
    Traceback (most recent call last):
    ...
    zzgeo.errors.GeometryError: units: units 甲 (A) and 乙 (B) overlap by 2,000,000 m² (50.0% of the smaller); residents there would count twice
    """
    import shapely

    geoms = np.asarray(frame.geometry.values)
    labels = [f"{n} ({c})" for n, c in zip(frame["name"].astype(str), frame["adcode"].astype(str), strict=True)]
    if not shapely.is_valid(geoms).all():
        bad = int(np.flatnonzero(~shapely.is_valid(geoms))[0])
        raise GeometryError(_("{name}: unit {unit} has an invalid polygon ({reason}); "
                              "repair it (QGIS: Fix geometries) and run again").format(
            name=name, unit=labels[bad], reason=shapely.is_valid_reason(geoms[bad])))
    notes = _overlaps(geoms, labels, name)
    city = shapely.union_all(np.asarray(county.geometry.values))
    notes += _outside(geoms, labels, city, name)
    notes += _gaps(geoms, county)
    return notes


def _overlaps(geoms: np.ndarray, labels: list[str], name: str) -> list[str]:
    import shapely

    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    notes = []
    for i, j in zip(left[keep], right[keep], strict=True):
        area = shapely.area(shapely.intersection(geoms[i], geoms[j]))
        if area <= 1.0:  # shared edges, rounding
            continue
        share = area / min(shapely.area(geoms[i]), shapely.area(geoms[j]))
        if share > OVERLAP_TOLERANCE:
            raise GeometryError(_("{name}: units {first} and {second} overlap by {area:,.0f} m² ({share:.1%} of the smaller); "
                                  "residents there would count twice").format(
                name=name, first=labels[i], second=labels[j], area=area, share=share))
        notes.append(_("units {first} and {second} overlap by {area:,.0f} m² ({share:.1%} of the smaller): a sliver, ignored").format(
            first=labels[i], second=labels[j], area=area, share=share))
    return notes


def _outside(geoms: np.ndarray, labels: list[str], city, name: str) -> list[str]:
    import shapely

    inside = shapely.area(shapely.intersection(geoms, city)) / shapely.area(geoms)
    if (inside <= 0).any():
        bad = int(np.flatnonzero(inside <= 0)[0])
        raise OutsideAreaError(_("{name}: unit {unit} lies wholly outside Zhengzhou; check the units' CRS "
                                 "(a file without one needs --crs)").format(name=name, unit=labels[bad]))
    return [_("unit {unit}: {share:.1%} of its area lies outside Zhengzhou").format(unit=labels[i], share=1 - inside[i])
            for i in np.flatnonzero(inside < 1 - _NOTE_SHARE)]


def _gaps(geoms: np.ndarray, county: gpd.GeoDataFrame) -> list[str]:
    import shapely

    covered = shapely.union_all(geoms)
    notes = []
    for code, label, poly in zip(county["adcode"].astype(str), county["name"].astype(str), county.geometry.values, strict=True):
        area = shapely.area(poly)
        touched = shapely.area(shapely.intersection(poly, covered)) / area
        if touched < _NOTE_SHARE:
            continue
        gap = 1 - touched
        if gap > _NOTE_SHARE:
            notes.append(_("gap: {share:.1%} of {unit} ({code}), {area:,.1f} km², lies in no unit; "
                           "residents there count to no unit").format(share=gap, unit=label, code=code, area=gap * area / 1e6))
    return notes


# ----------------------------------------------------------------------------- reading units


def read_units(source: str | Path | gpd.GeoDataFrame, *, name_column: str | None = None, code_column: str | None = None,
               population_column: str | None = None, parent_column: str | None = None, layer: str | None = None,
               crs: object = None, label: str | None = None, districts: gpd.GeoDataFrame | None = None) -> AnalysisUnits:
    """The user's analysis units from a file (GeoPackage, Shapefile, GeoJSON, PostGIS...) or a frame.

    Read by the common register loader (schema ``data/analysis_units.toml``:
    headers such as 街道名称, 代码, 常住人口, 所属区县 are recognised); the
    options name columns the schema does not know.

    Parameters
    ----------
    source : str, Path or GeoDataFrame
    name_column, code_column, population_column, parent_column : str, optional
        Source headers of the unit name, code, residents and parent name.
    layer : str, optional
        Layer of a GeoPackage or a PostGIS table.
    crs : optional
        The CRS of a source without one.
    label : str, optional
        What the units are (default: the file's name).
    districts : geopandas.GeoDataFrame, optional
        The county-level units.

    Raises
    ------
    SchemaError, GeometryError, OutsideAreaError
        As the register loader and :func:`units_from_frame`.
    """
    from pathlib import Path as _Path

    from zzgeo.registers import load_register

    columns = {k: v for k, v in ((name_column, "unit_name"), (code_column, "unit_code"),
                                 (population_column, "population"), (parent_column, "parent_name")) if k}
    label = label or (_Path(str(source)).stem if not hasattr(source, "geometry") else _("analysis units"))
    where = source if not hasattr(source, "geometry") else None
    name = str(where) if where is not None else label
    checked = load_register(source, UNITS_SCHEMA, columns=columns, layer=layer, crs=crs, name=name,
                            hint=_("Fix the units file"))
    if population_column and "population" not in checked:
        raise SchemaError(_("{name} has no column {column!r} (--units-population)").format(name=name, column=population_column))
    frame = checked.rename(columns={"unit_code": "adcode", "unit_name": "name"})
    if "adcode" not in frame or frame["adcode"].isna().any():
        frame["adcode"] = frame["adcode"].fillna("") if "adcode" in frame else ""
        frame["adcode"] = [c or f"unit-{i + 1}" for i, c in enumerate(frame["adcode"].astype(str))]
    keep = [c for c in (*_UNIT_COLUMNS, "geometry") if c in frame]
    return units_from_frame(frame[keep], label=label, districts=districts, name=name)


def build_demo_units() -> gpd.GeoDataFrame:
    """The DEMO sub-district units: each urban district cut into four quadrants at its centre.

    The cut lines run north-south and east-west through the district's
    area-weighted centre (EPSG:4547); each quadrant is one unit, coded
    ``<adcode>-D1`` ... ``-D4`` (NW, NE, SW, SE) and named
    ``<district> DEMO 西北片`` etc., with the district's 2020 census
    population shared by area. Parts too small to matter (under 0.5 % of
    the district) join their neighbour on the district's side.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, 24 units: ``unit_code``, ``unit_name``, ``population``,
        ``parent_code``, ``parent_name``, ``demo``, ``source``.

    Examples
    --------
    >>> demo = build_demo_units()
    >>> len(demo), demo["parent_code"].nunique(), demo["unit_name"].iloc[0]
    (24, 6, '中原区 DEMO 西北片')
    """
    import geopandas as gpd
    import shapely

    from zzgeo.districts import URBAN_DISTRICT_ADCODES, build_districts
    from zzgeo.population import district_population

    # from the sources, not the store: this builder runs while the store is being built
    county = build_districts().merge(district_population()[["adcode", "population"]], on="adcode").to_crs(METRIC_CRS)
    rows = []
    for _i, d in county[county["adcode"].astype(str).isin(URBAN_DISTRICT_ADCODES)].sort_values("adcode").iterrows():
        poly = d.geometry
        cx, cy = poly.centroid.x, poly.centroid.y
        x0, y0, x1, y1 = poly.bounds
        quads = (("西北", (x0, cy, cx, y1)), ("东北", (cx, cy, x1, y1)), ("西南", (x0, y0, cx, cy)), ("东南", (cx, y0, x1, cy)))
        for k, (side, box) in enumerate(quads, start=1):
            part = shapely.intersection(poly, shapely.box(*box))
            share = part.area / poly.area
            rows.append({"unit_code": f"{d['adcode']}-D{k}", "unit_name": f"{d['name']} DEMO {side}片",
                         "population": round(float(d["population"]) * share), "parent_code": str(d["adcode"]),
                         "parent_name": str(d["name"]), "demo": True, "source": DEMO_UNITS_LABEL, "geometry": part})
    return gpd.GeoDataFrame(rows, crs=METRIC_CRS).to_crs("EPSG:4326")


def demo_units(districts: gpd.GeoDataFrame | None = None) -> AnalysisUnits:
    """The DEMO sub-district units of the layer store as :class:`AnalysisUnits` (every output says DEMO).

    Examples
    --------
    >>> units = demo_units()
    >>> len(units.frame), units.demo, units.whole_city, [g.name for g in units.groups()][:2]
    (24, True, False, ['中原区', '二七区'])
    >>> units.total_name
    'DEMO units of the six urban districts (24 units, part of 郑州市)'
    """
    from zzgeo.layers import read_layer

    frame = read_layer("analysis_units_demo").rename(columns={"unit_code": "adcode", "unit_name": "name"})
    return units_from_frame(frame, label=_("DEMO units of the six urban districts"), demo=True, districts=districts,
                            name="analysis_units_demo")


def locate_units(x: np.ndarray, y: np.ndarray, units: AnalysisUnits) -> np.ndarray:
    """Unit code (object, ``None`` outside every unit) of each EPSG:4547 coordinate pair.

    Examples
    --------
    >>> units = county_units()
    >>> import numpy as np
    >>> from zzgeo.crs import transformer
    >>> x, y = transformer("EPSG:4326", "EPSG:4547").transform([113.6654, 114.31], [34.7536, 34.80])
    >>> locate_units(np.asarray(x), np.asarray(y), units).tolist()
    ['410104', None]
    """
    import pandas as pd

    from zzgeo.districts import locate_districts_xy

    codes = locate_districts_xy(np.asarray(x), np.asarray(y), units.frame)  # the units' frame has adcode, in EPSG:4547
    codes[pd.isna(codes)] = None
    return codes


def units_of(features: gpd.GeoDataFrame | gpd.GeoSeries, units: AnalysisUnits) -> np.ndarray:
    """Unit code (``None`` outside every unit) of every feature: its representative point, in EPSG:4547.

    Examples
    --------
    >>> import geopandas as gpd
    >>> points = gpd.GeoSeries.from_xy([113.6654, 114.31], [34.7536, 34.80], crs=4326)
    >>> units_of(points, county_units()).tolist()
    ['410104', None]
    """
    points = features.geometry.to_crs(METRIC_CRS).representative_point()
    return locate_units(points.x.to_numpy(), points.y.to_numpy(), units)


def load_units_option(units: str | None, *, name_column: str | None = None, code_column: str | None = None,
                      population_column: str | None = None, parent_column: str | None = None, layer: str | None = None,
                      crs: object = None, districts: gpd.GeoDataFrame | None = None) -> AnalysisUnits | None:
    """``--units`` of a command: ``None`` (the county-level units), ``demo`` (the DEMO units) or a file."""
    if units is None:
        return None
    if units.strip().lower() == "demo":
        return demo_units(districts)
    return read_units(units, name_column=name_column, code_column=code_column, population_column=population_column,
                      parent_column=parent_column, layer=layer, crs=crs, districts=districts)


def needs_population(units: AnalysisUnits) -> None:
    """Raise when units without residents are asked to give the demand (no population layer given)."""
    missing = units.frame["population"].isna()
    if missing.any():
        first = units.frame.loc[missing.idxmax(), "name"]
        raise SchemaError(_("{source}: unit {unit!r} has no population ({n} of {total} units); "
                            "give the residents column (--units-population) or a population layer or raster (--population)").format(
            source=units.source, unit=first, n=int(missing.sum()), total=len(missing)))


def unit_table(units: AnalysisUnits) -> pd.DataFrame:
    """The units as a plain table (code, name, population, parent), for outputs."""
    return units.frame.drop(columns="geometry").rename(columns={"adcode": "unit_code", "name": "unit_name"})
