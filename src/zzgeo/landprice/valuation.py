"""Valuation by the benchmark coefficient correction method (基准地价系数修正法).

The corrected ground price (元/m²) is built in this fixed order, and every
output lists the steps with their coefficients::

    1. individual   × (1 + ΣK)            individual factors (区域/个别因素), given
    2. term         × K_term              y = [1 - 1/(1+r)^m] / [1 - 1/(1+r)^n]
    3. plot_ratio   × K_plot              c(FAR) / c(FAR_benchmark), coefficient table interpolated
    4. floor_to_ground × FAR              floor-priced uses (楼面价) only: ground = floor × FAR
    5. date         × K_date              price index ratio, or (1+g)^months
    6. development  + D                   development-level adjustment, 元/m², given

This is the typical form P = P_b × (1 ± ΣK) × K_term × K_plot × K_date ± D
(GB/T 18508-2014 as usually quoted; unverified as printed). Multiplicative
steps commute; only D depends on the order. Parameters the seeds do not give
(r, the plot-ratio table, the price index) come from
``data/landprice/valuation.toml`` with their source and status, or from the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo._data import load_toml
from zzgeo.errors import GeometryError, NoSuchGradeError, OutsideAreaError, SchemaError, UnknownCodeError, ZzgeoError
from zzgeo.landprice.tables import DOC_NUMBER, MU_M2, benchmark_price, document, use_info

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "STEPS",
    "PlotRatioTable",
    "PriceIndex",
    "ValuationOptions",
    "term_correction",
    "date_correction",
    "value_parcels",
]

STEPS = ("individual", "term", "plot_ratio", "floor_to_ground", "date", "development")
_DEFAULTS = "landprice/valuation.toml"
# per-parcel columns that override the options (English or Chinese names)
_ROW_COLUMNS = {
    "table": ("table", "地价表"),
    "use": ("use", "用途"),
    "right": ("right", "权利类型"),
    "plot_ratio": ("plot_ratio", "far", "容积率"),
    "term_years": ("term_years", "剩余年期", "使用年期"),
    "area_m2": ("area_m2", "面积", "土地面积"),
    "area_mu": ("area_mu", "亩", "面积亩"),
    "sum_k": ("sum_k", "修正系数和"),
    "development_adj": ("development_adj", "开发程度修正"),
}


@dataclass(frozen=True)
class PlotRatioTable:
    """Plot-ratio correction coefficients, linearly interpolated (容积率修正系数表)."""

    plot_ratio: tuple[float, ...]
    coefficient: tuple[float, ...]
    source: str = "user table"

    def __post_init__(self) -> None:
        far = np.asarray(self.plot_ratio, dtype=float)
        if len(far) < 2 or len(far) != len(self.coefficient) or (np.diff(far) <= 0).any():
            msg = f"plot-ratio table needs >= 2 rows with strictly increasing plot ratios; got {self.plot_ratio!r}"
            raise SchemaError(msg)

    def at(self, far: np.ndarray) -> np.ndarray:
        """Interpolated coefficient; raises outside the table's range (no extrapolation)."""
        far = np.asarray(far, dtype=float)
        lo, hi = self.plot_ratio[0], self.plot_ratio[-1]
        outside = (far < lo) | (far > hi)
        if outside.any():
            msg = f"plot ratio {float(far[outside][0])!r} is outside the coefficient table's range {lo}..{hi}"
            raise SchemaError(msg)
        return np.interp(far, self.plot_ratio, self.coefficient)

    @classmethod
    def from_csv(cls, path: str | Path, *, use: str | None = None) -> PlotRatioTable:
        """Read ``plot_ratio,coefficient[,use]`` rows (容积率,修正系数 accepted)."""
        frame = pd.read_csv(path).rename(columns={"容积率": "plot_ratio", "修正系数": "coefficient", "用途": "use"})
        if not {"plot_ratio", "coefficient"} <= set(frame.columns):
            raise SchemaError(f"{str(path)!r} needs columns plot_ratio,coefficient; has {list(frame.columns)}")
        if "use" in frame.columns and use is not None:
            frame = frame[frame["use"] == use]
        frame = frame.sort_values("plot_ratio")
        return cls(tuple(frame["plot_ratio"]), tuple(frame["coefficient"]), source=str(path))


@dataclass(frozen=True)
class PriceIndex:
    """A land price index by date (地价指数); the date coefficient is index(date) / index(base date)."""

    dates: tuple[dt.date, ...]
    values: tuple[float, ...]
    source: str = "user index"

    def ratio(self, when: dt.date, base: dt.date) -> float:
        """Index ratio, interpolated linearly in time; raises outside the index's dates."""
        ordinals = [d.toordinal() for d in self.dates]
        for d in (when, base):
            if not ordinals[0] <= d.toordinal() <= ordinals[-1]:
                msg = f"price index covers {self.dates[0]}..{self.dates[-1]}; {d} is outside it"
                raise SchemaError(msg)
        at = np.interp([when.toordinal(), base.toordinal()], ordinals, self.values)
        return float(at[0] / at[1])

    @classmethod
    def parse(cls, text: str, *, source: str = "command line") -> PriceIndex:
        """Parse ``"2020-01-01=100,2023-06-30=92.4"``."""
        try:
            pairs = sorted((dt.date.fromisoformat(k.strip()), float(v)) for k, v in (p.split("=") for p in text.split(",")))
        except ValueError as exc:
            raise SchemaError(f"price index {text!r}: write DATE=VALUE pairs, e.g. 2020-01-01=100,2023-06-30=92.4") from exc
        return cls(tuple(d for d, _ in pairs), tuple(v for _, v in pairs), source=source)


@dataclass(frozen=True)
class ValuationOptions:
    """Inputs of the correction; ``None`` means "use the documented default".

    Parameters
    ----------
    valuation_date : datetime.date, optional
        Defaults to the benchmark's base date 2020-01-01.
    reduction_rate : float, optional
        Land capitalisation rate r (default per use from landprice/valuation.toml).
    term_years : float, optional
        Years to value, m (default: the benchmark's term n, so K_term = 1).
    plot_ratio : float, optional
        The parcel's plot ratio (default: the benchmark's).
    plot_ratio_table : PlotRatioTable, optional
        Without one K_plot = 1.
    price_index, monthly_growth_rate :
        Date correction by index ratio, or (1 + g)^months.
    individual_factors : mapping of str to float
        Individual/area factor corrections K_i; their sum ΣK multiplies as (1 + ΣK).
    development_adjustment_yuan_m2 : float
        D, added last (positive when the parcel is better developed than 五通一平).
    k_term, k_plot, k_date : float, optional
        Use these coefficients as given instead of computing them.
    """

    valuation_date: dt.date | None = None
    reduction_rate: float | None = None
    term_years: float | None = None
    plot_ratio: float | None = None
    plot_ratio_table: PlotRatioTable | None = None
    price_index: PriceIndex | None = None
    monthly_growth_rate: float | None = None
    individual_factors: Mapping[str, float] = field(default_factory=dict)
    development_adjustment_yuan_m2: float = 0.0
    k_term: float | None = None
    k_plot: float | None = None
    k_date: float | None = None


def term_correction(r: float | np.ndarray, m: float | np.ndarray, n: float | np.ndarray) -> np.ndarray:
    """Term coefficient y = [1 - 1/(1+r)^m] / [1 - 1/(1+r)^n]; ``inf`` means no term limit."""
    r, m, n = (np.asarray(a, dtype=float) for a in (r, m, n))
    with np.errstate(over="ignore"):
        num = np.where(np.isinf(m), 1.0, 1.0 - 1.0 / (1.0 + r) ** m)
        den = np.where(np.isinf(n), 1.0, 1.0 - 1.0 / (1.0 + r) ** n)
    return num / den


def date_correction(when: dt.date, options: ValuationOptions) -> tuple[float, str, list[str]]:
    """Date coefficient, its source, and warnings."""
    base = dt.date.fromisoformat(document()["base_date"])
    defaults = load_toml(_DEFAULTS)["date"]
    if options.k_date is not None:
        return float(options.k_date), "given", []
    if options.price_index is not None:
        return options.price_index.ratio(when, base), f"price index ({options.price_index.source})", []
    if options.monthly_growth_rate is not None:
        months = (when - base).days / defaults["days_per_month"]
        k = (1.0 + options.monthly_growth_rate) ** months
        return k, f"monthly growth {options.monthly_growth_rate:g} over {months:.2f} months", []
    warnings = []
    if when != base:
        warnings.append(f"valuation date {when} differs from the base date {base} but no price index or growth rate was given: K_date = 1")
    return 1.0, defaults["source"], warnings


def _row_values(parcels: pd.DataFrame, key: str) -> pd.Series | None:
    for name in _ROW_COLUMNS[key]:
        if name in parcels.columns:
            return parcels[name]
    return None


class _Problems:
    """Per-row problems; raise them all at once or keep them as a column."""

    def __init__(self, index: pd.Index) -> None:
        self.messages = pd.Series("", index=index, dtype="object")
        self.first: ZzgeoError | None = None

    def add(self, mask: pd.Series | np.ndarray, error: ZzgeoError) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.messages[mask] = self.messages[mask] + str(error) + "; "
            self.first = self.first or error

    def finish(self, on_error: str, labels: pd.Series) -> pd.Series:
        bad = self.messages != ""
        if bad.any() and on_error == "raise":
            shown = "; ".join(f"{lab!r}: {msg.rstrip('; ')}" for lab, msg in list(zip(labels[bad], self.messages[bad]))[:5])
            msg = f"{int(bad.sum())} parcel(s) cannot be valued: {shown}"
            raise type(self.first)(msg)
        return self.messages.str.rstrip("; ")


def value_parcels(
    parcels: gpd.GeoDataFrame,
    *,
    table: str | None = None,
    use: str | None = None,
    right: str | None = None,
    options: ValuationOptions | None = None,
    zones: gpd.GeoDataFrame | None = None,
    districts: gpd.GeoDataFrame | None = None,
    id_column: str | None = None,
    on_error: str = "raise",
) -> gpd.GeoDataFrame:
    """Value every parcel (point or polygon) by the benchmark coefficient correction method.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        Parcels with a CRS. Columns ``table``, ``use``, ``right``,
        ``plot_ratio``, ``term_years``, ``area_m2`` / ``area_mu``, ``sum_k``,
        ``development_adj`` (or their Chinese names) override the options per row.
        Points need an area column to get a total value.
    table, use, right : str, optional
        Defaults for rows without their own. *right* defaults to the use's only right.
    options : ValuationOptions, optional
    zones : geopandas.GeoDataFrame, optional
        Validated grade zones (default: the layer store's, the demo layer unless replaced).
    districts : geopandas.GeoDataFrame, optional
        District layer (default: the layer store's).
    id_column : str, optional
        Column naming parcels in messages.
    on_error : {"raise", "flag"}
        Raise on the first bad parcels (all named), or keep every row and
        describe its problem in an ``error`` column with NaN values.

    Returns
    -------
    geopandas.GeoDataFrame
        The input columns plus district, grade, benchmark price, each
        coefficient, unit price (元/m², 元/亩), area (m², 亩), value (元),
        departure from the benchmark, warnings, ``steps`` (the order applied),
        ``zones_demo`` and ``doc_number``. Same index as *parcels*.
    """
    import shapely

    from zzgeo.crs import METRIC_CRS, to_wgs84
    from zzgeo.districts import locate_districts
    from zzgeo.io import check_geometries
    from zzgeo.landprice.zones import assign_grades, default_zones

    if on_error not in ("raise", "flag"):
        raise UnknownCodeError(f"on_error={on_error!r}; use 'raise' or 'flag'")
    if id_column is not None and id_column not in parcels.columns:
        raise SchemaError(f"id_column={id_column!r} is not a column of parcels; columns: {list(parcels.columns)}")
    opts = options or ValuationOptions()
    gdf = to_wgs84(parcels, name="parcels")
    if gdf.empty:
        raise GeometryError("parcels: the layer has no rows")
    check_geometries(gdf, name="parcels", id_column=id_column)
    labels = gdf[id_column] if id_column else gdf.index.to_series()
    problems = _Problems(gdf.index)
    if districts is None:
        from zzgeo.layers import read_layer

        districts = read_layer("districts")
    zones = default_zones() if zones is None else zones
    out = gdf.copy()
    # a point is its own representative point: skip GEOS for all-point layers (~1 s per million)
    all_points = bool((shapely.get_type_id(np.asarray(gdf.geometry.values)) == 0).all())
    reps = gdf.geometry if all_points else gdf.geometry.representative_point()
    out["district"] = locate_districts(reps, districts.to_crs(gdf.crs))
    problems.add(out["district"].isna(), OutsideAreaError("outside Zhengzhou's 12 county-level units (check coordinates and --crs)"))

    def _resolved(key: str, default: object) -> pd.Series:
        col = _row_values(gdf, key)
        base = pd.Series(default, index=gdf.index, dtype="object")
        return base if col is None else col.astype("object").where(col.notna(), base)

    out["table"] = _resolved("table", table)
    out["use"] = _resolved("use", use)
    out["right"] = _resolved("right", right)
    defaults = load_toml(_DEFAULTS)
    n = len(out)
    cols = {k: np.full(n, np.nan) for k in ("benchmark", "grade_cover", "r", "n", "m", "far_b", "far", "k_term", "k_plot", "to_ground")}
    grade_text = np.full(n, "", dtype=object)
    use_zh = np.full(n, "", dtype=object)
    price_form = np.full(n, "", dtype=object)
    warnings: list[list[str]] = [[] for _ in range(n)]
    far_col = pd.to_numeric(_row_values(gdf, "plot_ratio"), errors="coerce") if _row_values(gdf, "plot_ratio") is not None else None
    term_col = pd.to_numeric(_row_values(gdf, "term_years"), errors="coerce") if _row_values(gdf, "term_years") is not None else None
    pos = pd.Series(np.arange(n), index=gdf.index)

    for (tbl, u, rt), group in out.groupby(["table", "use", "right"], dropna=False, sort=False):
        rows = pos[group.index].to_numpy()
        try:
            if pd.isna(tbl) or pd.isna(u):  # None, or NaN from groupby(dropna=False)
                raise SchemaError("no table/use given: pass --table/--use or give the parcels table and use columns")
            info = use_info(str(tbl), str(u))
            rt = rt if isinstance(rt, str) and rt else (next(iter(info.rights)) if len(info.rights) == 1 else None)
            if rt is None:
                raise SchemaError(f"{tbl}/{u} has rights {sorted(info.rights)}: pass --right or a right column")
            benchmark_price(info.table, info.use, rt, 1)  # validates the right
        except ZzgeoError as exc:
            problems.add(np.isin(np.arange(n), rows), exc)
            continue
        out.loc[group.index, "right"] = rt
        use_zh[rows] = info.name_zh
        price_form[rows] = info.price_form
        w = assign_grades(gdf.geometry.loc[group.index], zones, table=info.table, use=info.use)
        # parcels in one grade (all points, most polygons): vectorised; the others below
        several = w["parcel"].duplicated(keep=False).to_numpy() if gdf.index.is_unique else np.ones(len(w), dtype=bool)
        one = w[~several]
        if len(one):
            i_one = gdf.index.get_indexer(one["parcel"])
            weight = one["weight"].to_numpy(dtype=float)
            grades, inv = np.unique(one["grade"].to_numpy(), return_inverse=True)
            price = np.full(len(grades), np.nan)
            priced = np.zeros(len(grades), dtype=bool)
            for k, g in enumerate(grades):
                try:
                    price[k] = benchmark_price(info.table, info.use, rt, g)
                    priced[k] = True
                except NoSuchGradeError as exc:
                    problems.add(np.isin(np.arange(n), i_one[inv == k]), exc)
            ok = priced[inv]
            cols["benchmark"][i_one[ok]] = (weight[ok] * price[inv[ok]]) / weight[ok]
            cols["grade_cover"][i_one[ok]] = weight[ok]
            grade_text[i_one[ok]] = np.array([str(g) for g in grades], dtype=object)[inv[ok]]
        for label, sub in w[several].groupby("parcel", sort=False):
            i = pos[label]
            cover = sub["weight"].sum()
            try:
                prices = [benchmark_price(info.table, info.use, rt, g) for g in sub["grade"]]
            except NoSuchGradeError as exc:
                problems.add(np.arange(n) == i, exc)
                continue
            cols["benchmark"][i] = float(np.dot(sub["weight"], prices) / cover)
            cols["grade_cover"][i] = cover
            grade_text[i] = str(sub["grade"].iloc[0]) if len(sub) == 1 else ", ".join(
                f"{g}:{100 * wt / cover:.0f}%" for g, wt in zip(sub["grade"], sub["weight"])
            )
        missing = rows[np.isnan(cols["grade_cover"][rows]) & np.isin(rows, pos[out["district"].notna()].to_numpy())]
        problems.add(np.isin(np.arange(n), missing), OutsideAreaError(
            f"outside the {info.table} grade map for {info.use} (郑政文〔2022〕42号 covers 郑州市本级 and its entrusted areas)"
        ))
        partial = rows[cols["grade_cover"][rows] < 0.999]
        problems.add(np.isin(np.arange(n), partial), OutsideAreaError(f"part of the parcel lies outside the {info.table}/{info.use} grade map"))
        # term
        r = opts.reduction_rate if opts.reduction_rate is not None else defaults["reduction_rate"][info.table][info.use]
        m = np.full(len(rows), opts.term_years if opts.term_years is not None else info.term_years, dtype=float)
        if term_col is not None:
            m = np.where(term_col.iloc[rows].notna(), term_col.iloc[rows], m)
        too_long = m > info.term_years
        problems.add(np.isin(np.arange(n), rows[too_long]), SchemaError(f"term longer than the benchmark's legal term {info.term_years:g} years"))
        cols["r"][rows], cols["n"][rows], cols["m"][rows] = r, info.term_years, m
        cols["k_term"][rows] = opts.k_term if opts.k_term is not None else term_correction(r, m, info.term_years)
        # plot ratio and floor -> ground
        if info.plot_ratio is None:
            cols["k_plot"][rows] = 1.0 if opts.k_plot is None else opts.k_plot
            cols["to_ground"][rows] = 1.0
            continue
        far = np.full(len(rows), opts.plot_ratio if opts.plot_ratio is not None else info.plot_ratio, dtype=float)
        if far_col is not None:
            far = np.where(far_col.iloc[rows].notna(), far_col.iloc[rows], far)
        problems.add(np.isin(np.arange(n), rows[far <= 0]), SchemaError("plot ratio must be positive"))
        cols["far_b"][rows], cols["far"][rows] = info.plot_ratio, far
        if opts.k_plot is not None:
            cols["k_plot"][rows] = opts.k_plot
        elif opts.plot_ratio_table is not None:
            try:
                cols["k_plot"][rows] = opts.plot_ratio_table.at(far) / opts.plot_ratio_table.at(np.array([info.plot_ratio]))[0]
            except SchemaError as exc:
                problems.add(np.isin(np.arange(n), rows), exc)
        else:
            cols["k_plot"][rows] = 1.0
            for i in rows[far != info.plot_ratio]:
                warnings[i].append("no plot-ratio coefficient table given: K_plot = 1")
        cols["to_ground"][rows] = far if info.price_form == "floor" else 1.0

    when = opts.valuation_date or dt.date.fromisoformat(document()["base_date"])
    k_date, date_source, date_warnings = date_correction(when, opts)
    sum_k = float(sum(opts.individual_factors.values()))
    sum_k_col = _row_values(gdf, "sum_k")
    sum_k_arr = np.where(sum_k_col.notna(), pd.to_numeric(sum_k_col, errors="coerce"), sum_k) if sum_k_col is not None else np.full(n, sum_k)
    dev_col = _row_values(gdf, "development_adj")
    dev = np.where(dev_col.notna(), pd.to_numeric(dev_col, errors="coerce"), opts.development_adjustment_yuan_m2) if dev_col is not None else np.full(n, opts.development_adjustment_yuan_m2)

    unit = ((cols["benchmark"] * (1.0 + sum_k_arr)) * cols["k_term"] * cols["k_plot"] * cols["to_ground"]) * k_date + dev
    # area: polygons measured in EPSG:4547; points take the area columns
    geoms = gdf.geometry
    is_poly = geoms.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    area = np.full(n, np.nan)
    area[is_poly] = geoms[is_poly].to_crs(METRIC_CRS).area.to_numpy()
    for key, factor in (("area_m2", 1.0), ("area_mu", MU_M2)):
        col = _row_values(gdf, key)
        if col is not None:
            given = pd.to_numeric(col, errors="coerce").to_numpy() * factor
            area = np.where(~is_poly & np.isfinite(given), given, area)
    problems.add(area <= 0, SchemaError("area must be positive"))
    for i in np.flatnonzero(~is_poly & np.isnan(area)):
        warnings[i].append("point parcel without area_m2/area_mu: unit price only")
    # compare in the table's own unit: floor prices for floor-priced uses
    departure = unit / cols["to_ground"] / cols["benchmark"] - 1.0
    threshold = defaults["departure_warning"]["threshold"]
    for i in np.flatnonzero(np.abs(departure) >= threshold):
        warnings[i].append(f"corrected price departs from the benchmark by {100 * departure[i]:+.1f}% (>= {100 * threshold:.0f}%): check the coefficients")
    for i in range(n):
        warnings[i].extend(date_warnings)

    errors = problems.finish(on_error, labels)
    bad = (errors != "").to_numpy()
    unit[bad] = np.nan
    zones_demo = bool(zones["demo"].astype(bool).any()) if "demo" in zones.columns else False
    result = {
        "use_zh": use_zh,
        "grade": grade_text,
        "price_form": price_form,
        "benchmark_yuan_m2": cols["benchmark"],
        "benchmark_plot_ratio": cols["far_b"],
        "plot_ratio": cols["far"],
        "sum_k": sum_k_arr,
        "k_individual": 1.0 + sum_k_arr,
        "reduction_rate": cols["r"],
        "term_benchmark_years": cols["n"],
        "term_years": cols["m"],
        "k_term": cols["k_term"],
        "k_plot": cols["k_plot"],
        "floor_to_ground": cols["to_ground"],
        "valuation_date": when.isoformat(),
        "k_date": k_date,
        "k_date_source": date_source,
        "development_adj_yuan_m2": dev,
        "unit_price_yuan_m2": unit,
        "unit_price_yuan_mu": unit * MU_M2,
        "area_m2": area,
        "area_mu": area / MU_M2,
        "value_yuan": unit * area,
        "departure_pct": 100.0 * departure,
        "warnings": ["; ".join(w) for w in warnings],
        "error": errors.to_numpy(),
        "steps": " > ".join(STEPS),
        "reduction_rate_source": defaults["reduction_rate"]["source"] if opts.reduction_rate is None else "given",
        "plot_ratio_source": opts.plot_ratio_table.source if opts.plot_ratio_table else defaults["plot_ratio_table"]["source"],
        "zones_demo": zones_demo,
        "doc_number": DOC_NUMBER,
    }
    for key, values in result.items():
        out[key] = values
    return out
