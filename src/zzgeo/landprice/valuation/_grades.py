"""The grade and benchmark stage of :func:`~zzgeo.landprice.valuation.value_parcels`.

Each parcel takes its own grade where it has one, else the grade map's
(area-weighted across zones for polygons); the benchmark is the printed
price of that grade. Grades are kept as codes (:class:`._job.GradeCodes`)
and written as text only for messages and the output.

Examples
--------
Printed prices of 商业服务业用地 (集体建设用地, 出让), grade 1 first:

>>> group = Group("collective_construction", "commercial", "transfer", None, None)
>>> price_by_grade(group)[:2].tolist()
[1020.0, 895.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.errors import NoSuchGradeError, OutsideAreaError, UnknownCodeError
from zzgeo.i18n import _
from zzgeo.landprice.rules import DASH, UseInfo, _cells, active_price_tables, doc_number
from zzgeo.landprice.valuer_table import grade_name, message_name, table_name, use_name

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from zzgeo.landprice.valuation._job import Job

__all__ = ["Group", "ZoneSets", "grade_and_benchmark", "price_by_grade"]


@dataclass
class Group:
    """Parcels of one table, use and right (``rows``: their positions, ascending; ``key``: see :class:`._job.KeyTexts`)."""

    table: str
    use: str
    right: str
    info: UseInfo
    rows: np.ndarray
    key: int = 0


class ZoneSets:
    """The grade zones of one valuation, read once: each table and use's zones as arrays for point parcels.

    Which zones grade a table and use is :func:`zzgeo.landprice.zones.zone_mask`
    (its own, else the table-wide ones), run once per table and use on numpy
    arrays instead of a GeoDataFrame selection per group (about 6 ms each
    with pandas, a fixed cost of every call).

    Examples
    --------
    >>> from zzgeo.landprice.zones import default_zones, zone_subset
    >>> zones = default_zones()
    >>> geoms, grades = ZoneSets(zones).points("collective_construction", "industrial")
    >>> grades.tolist() == zone_subset(zones, "collective_construction", "industrial")["grade"].tolist()
    True
    """

    def __init__(self, zones: gpd.GeoDataFrame) -> None:
        self.frame = zones
        self._table = zones["table"].to_numpy(dtype=object)
        self._use = zones["use"].to_numpy(dtype=object)
        self._grade = zones["grade"].to_numpy(dtype=np.int64)
        self._geoms = np.asarray(zones.geometry.values)
        self._sets: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def points(self, table: str, use: str) -> tuple[np.ndarray, np.ndarray]:
        """Geometries and grades of the zones of *table*/*use*, in the layer's order."""
        if (table, use) not in self._sets:
            from zzgeo.landprice.zones import zone_mask

            mask = zone_mask(self._table, self._use, table, use)
            self._sets[table, use] = self._geoms[mask], self._grade[mask]
        return self._sets[table, use]

    def frame_of(self, table: str, use: str) -> gpd.GeoDataFrame:
        """The same zones as a GeoDataFrame (for polygon parcels, whose shares are measured in EPSG:4547)."""
        from zzgeo.landprice.zones import zone_subset

        return zone_subset(self.frame, table, use)


def price_by_grade(group: Group) -> np.ndarray:
    """Printed price of each grade (index grade - 1), NaN for a dash."""
    return np.array([np.nan if c == DASH else float(c) for c in _cells(group.table, group.use, group.right)])


def grade_and_benchmark(job: Job, group: Group, zones: ZoneSets) -> None:
    """Grade, cover and benchmark of the group's parcels, and the problems of grades (see module notes)."""
    prices = price_by_grade(group)
    pos, grade, weight = _zone_entries(job, group, zones)
    pos = group.rows[pos]
    single = np.ones(len(pos), dtype=bool)
    if len(pos) > 1 and job.xy is None:  # a point lies in one zone: only polygons straddle
        dup = np.zeros(len(pos), dtype=bool)
        dup[1:] = pos[1:] == pos[:-1]
        dup[:-1] |= pos[:-1] == pos[1:]
        single = ~dup
    one = pos[single]
    job.cols["benchmark"][one] = prices[grade[single] - 1]
    job.cols["cover"][one] = weight[single]
    job.grades.code[one] = grade[single]
    _straddling(job, pos[~single], grade[~single], weight[~single], prices)
    _given_grades(job, group, prices)
    _grade_problems(job, group, drawn=len(zones.points(group.table, group.use)[0]) > 0)


def _zone_entries(job: Job, group: Group, zones: ZoneSets) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions (in the group), grades and area shares of the group's parcels in the zones of its table and use.

    Polygons (and mixed layers) by :func:`zzgeo.landprice.zones.grade_weights`.
    When every parcel is a point, its zone comes straight from the zones' index
    at the coordinates the loader read (``grade_weights``'s own path for
    points, without taking the group's geometries out of the layer, which
    costs more than the lookup).
    """
    from zzgeo.landprice.zones import grade_weights
    from zzgeo.spatial.index import polygon_index

    if job.xy is None:
        return grade_weights(job.geoms[group.rows], zones.frame_of(group.table, group.use))
    geoms, grades = zones.points(group.table, group.use)
    if len(geoms) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0)
    found = polygon_index(geoms).query_xy(job.xy[0][group.rows], job.xy[1][group.rows])
    inside = np.flatnonzero(found >= 0)
    return inside, grades[found[inside]], np.ones(len(inside))


def _straddling(job: Job, pos: np.ndarray, grade: np.ndarray, weight: np.ndarray, prices: np.ndarray) -> None:
    """Parcels across zones (*pos* ascending, one entry per grade): cover, area-weighted benchmark, shares."""
    if len(pos) == 0:
        return
    starts = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
    ends = np.r_[starts[1:], len(pos)]
    price = prices[grade - 1]
    for a, b in zip(starts, ends):
        p, w = int(pos[a]), weight[a:b]
        cover = float(w.sum())
        job.cols["cover"][p] = cover
        job.cols["benchmark"][p] = float(np.dot(w, price[a:b]) / cover)
        job.grades.code[p] = -1
        job.grades.shares[p] = ", ".join(f"{g}:{100 * x / cover:.0f}%" for g, x in zip(grade[a:b], w))


def _given_numbers(job: Job) -> np.ndarray:
    """The parcels' own grades as numbers (NaN where none), from the loader's codes of the ``grade`` column."""
    codes, _written, parsed = job.ctx.codes["grade"]
    return pd.to_numeric(pd.Series(parsed, dtype=object), errors="coerce").to_numpy(dtype=float)[codes]


def _given_grades(job: Job, group: Group, prices: np.ndarray) -> None:
    """Use the parcel's own grade where it has one; say so, and say when the grade map disagrees."""
    if not job.has("grade"):
        return
    given = _given_numbers(job)[group.rows]
    rows = group.rows[np.isfinite(given)]
    if len(rows) == 0:
        return
    grades = given[np.isfinite(given)].astype(np.int64)
    mapped = job.grades.code[rows]
    valid = grades <= len(prices)
    differs = valid & (mapped != 0) & (mapped != grades)
    text = _("given grade {grade} is used; the grade map says {mapped}")
    job.warnings.add(rows[differs], [text.format(grade=g, mapped=m) for g, m in zip(grades[differs], job.grades.texts(rows[differs]))])
    job.cols["benchmark"][rows[valid]] = prices[grades[valid] - 1]
    job.cols["cover"][rows[valid]] = 1.0
    job.grades.code[rows[valid]] = grades[valid]
    job.grades.given[rows[valid]] = True
    job.errors.add(rows[~valid], [_no_grade(group, g, len(prices)) for g in grades[~valid]], kind=UnknownCodeError)


def _no_grade(group: Group, grade: int, n: int) -> str:
    if active_price_tables().shipped:
        return _("grade {grade} does not exist for {table}/{use} (grades 1..{n})").format(grade=grade, table=group.table, use=group.use, n=n)
    return _("{grade} does not exist for {what} (grades {first}..{last})").format(
        grade=grade_name(grade), what=message_name(group.table, group.use), first=grade_name(1), last=grade_name(n))


def _dash_message(group: Group, grade: int) -> str:
    if not active_price_tables().shipped:  # a valuer's table: the names the valuer typed
        return _("{document} prints '—' for {what} {grade}: that grade does not exist for this use").format(
            document=doc_number(), what=message_name(group.table, group.use), grade=grade_name(grade))
    return _("{document} prints '—' for {table}/{use} ({use_zh}) grade {grade}: that grade does not exist for this use").format(
        document=doc_number(), table=group.table, use=group.use, use_zh=group.info.name_zh, grade=grade)


def _grade_problems(job: Job, group: Group, *, drawn: bool) -> None:
    """Errors: a grade printed as a dash, a parcel off the grade map or partly off it.

    *drawn*: whether the grade map has any zone of the group's table and use; a valuer's
    table on a map without its zones (the DEMO zones) is told so, not "outside the map".
    """
    rows = group.rows
    graded = job.grades.code[rows] != 0
    dash = graded & np.isnan(job.cols["benchmark"][rows])
    if dash.any():
        texts = job.grades.texts(rows[dash])
        for text in sorted(set(texts)):
            message = (_dash_message(group, int(text)) if ":" not in text
                       else _("{document} prints '—' for one of the grades {grades} of {what}").format(
                           document=doc_number(), grades=text, what=message_name(group.table, group.use)))
            job.errors.add(rows[dash][texts == text], message, kind=NoSuchGradeError)
    inside = job.ctx.district_rows[rows] >= 0
    tables = active_price_tables()
    if tables.shipped:
        off = _("outside the {table} grade map for {use} (郑政文〔2022〕42号 covers 郑州市本级 and its entrusted areas)").format(
            table=group.table, use=group.use)
    elif not drawn:
        off = _("the grade map in use has no zones for {what} ({document}); give your grade map with --zones / zones=").format(
            what=message_name(group.table, group.use), document=tables.doc_number)
    else:
        off = _("outside the {table} grade map for {use} (give the grade map of {document} with --zones / zones=)").format(
            table=table_name(group.table), use=use_name(group.use), document=tables.doc_number)
    job.errors.add(rows[~graded & inside], off, kind=OutsideAreaError)
    partial = graded & (job.cols["cover"][rows] < 0.999)
    job.errors.add(rows[partial], _("part of the parcel lies outside the {what} grade map").format(what=message_name(group.table, group.use)),
                   kind=OutsideAreaError)
