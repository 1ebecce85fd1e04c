"""Candidate shelter sites: read, validate, apply the 2000 m² rule, propose a class.

Columns of a validated candidate layer (others are kept):

=================== ===================================================================
candidate_id        the layer's id, or ``cand-<n>``
name, kind          site name; school / park / green_space / square / stadium / ... (free text)
usable_area_m2      usable (effective) area, m² (有效利用面积, 可用面积 ...)
cost                optional cost of making the site a shelter (any unit); 1 per site if absent
shelter_class       the class the site would get: the register-style class given, else the
                    largest class whose minimum its usable area meets (rule set)
adcode, district_name   where it lies
eligible            usable area >= the candidate rule (郑政文〔2022〕40号 五(一): 2000 m²)
reject_reason       why not, when not eligible (rows are kept, never dropped)
issues, notes, valid    as for registers
=================== ===================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zzgeo.i18n import _
from zzgeo.registers import CheckContext, district_name_check, load_register
from zzgeo.registers import validate_register as _validate
from zzgeo.shelters.rules import RuleSet, Targets, load_rules, load_targets

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["SCHEMA", "validate_candidates", "read_candidates"]

#: The packaged schema of candidate-site lists.
SCHEMA = "shelters/candidates.toml"


def _class_check(rules: RuleSet) -> Callable[[CheckContext], None]:
    """Note a proposed class the usable area cannot carry; the class used is the largest it can."""

    def check(ctx: CheckContext) -> None:
        area, given = ctx.value("usable_area_m2"), ctx.value("shelter_class")
        derived = area.map(lambda a: rules.class_for_area(a) if np.isfinite(a) else None)
        too_small = np.array([isinstance(g, str) and g in rules.classes and not (
            np.isfinite(a) and a >= rules.classes[g].min_effective_area_m2) for g, a in zip(given, area)], dtype=bool)
        ctx.notes.add(too_small, lambda p: [
            _("proposed class {proposed} needs {minimum:,.0f} m²; class {used} used").format(
                proposed=given.iloc[i], minimum=rules.classes[given.iloc[i]].min_effective_area_m2, used=derived.iloc[i]) for i in p])
        keep = np.array([isinstance(g, str) and g in rules.classes for g in given], dtype=bool) & ~too_small
        ctx.values["shelter_class"] = pd.Series(np.where(keep, given.to_numpy(dtype=object), derived.to_numpy(dtype=object)),
                                                index=area.index, dtype=object)

    return check


def validate_candidates(
    candidates: gpd.GeoDataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    rules: RuleSet | None = None,
    targets: Targets | None = None,
    districts: gpd.GeoDataFrame | None = None,
    on_error: str = "raise",
    name: str = "candidates",
    row_names: str = "index",
) -> gpd.GeoDataFrame:
    """Check candidate sites and mark which the siting may use.

    Parameters
    ----------
    candidates : geopandas.GeoDataFrame
        Points or polygons in any CRS with at least a usable-area column.
    columns : mapping, optional
        ``{source header: zzgeo column}`` for unrecognised headers.
    rules, targets : optional
        Class minima and the candidate rule (defaults: packaged files).
    districts : geopandas.GeoDataFrame, optional
        Default the ``districts`` layer.
    on_error : {"raise", "flag"}
        Raise on rows with errors (missing / negative area, bad cost, bad
        geometry, outside the districts) or keep them with ``issues``.
        Sites below the 2000 m² rule are never errors: they come back with
        ``eligible=False`` and a ``reject_reason``.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, on the input's index (see module notes).

    Examples
    --------
    Four sites in a hand-built district (a 4 km square around 二七广场, EPSG:4547
    metres). A, B and C meet the 2000 m² rule of 郑政文〔2022〕40号 五(一) and
    their areas (at least 4,000 m², under 20,000 m²) make them class II; D, with
    1,500 m², is refused with the reason but kept:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> x, y = gpd.GeoSeries.from_xy([113.6654], [34.7536], crs=4326).to_crs(4547).iloc[0].coords[0]
    >>> districts = gpd.GeoDataFrame({"adcode": ["410104"], "name": ["管城回族区"]},
    ...                              geometry=[box(x - 2000, y - 2000, x + 2000, y + 2000)], crs=4547)
    >>> raw = gpd.GeoDataFrame({"candidate_id": list("ABCD"), "kind": ["park", "school", "square", "park"],
    ...                         "usable_area_m2": [6000.0, 5000.0, 4500.0, 1500.0]}, crs=4547,
    ...                        geometry=[Point(x, y + 1500), Point(x, y - 1500), Point(x + 1500, y), Point(x - 1500, y)])
    >>> candidates = validate_candidates(raw, districts=districts)
    >>> candidates["eligible"].tolist(), candidates["shelter_class"].tolist()[:3]
    ([True, True, True, False], ['II', 'II', 'II'])
    >>> candidates.loc[3, "reject_reason"]
    'usable area below 2,000 m² (郑政文〔2022〕40号 五、(一) 严格建设标准)'
    >>> candidates["cost"].tolist()  # no cost column: one per site
    [1.0, 1.0, 1.0, 1.0]
    """
    rules = rules or load_rules()
    out = _validate(candidates, SCHEMA, columns=columns, districts=districts, on_error=on_error, name=name,
                    checks=[_class_check(rules), district_name_check("district")], row_names=row_names)
    return _eligibility(out, targets or load_targets())


def _eligibility(out: gpd.GeoDataFrame, targets: Targets) -> gpd.GeoDataFrame:
    minimum = targets.candidate_min_area_m2
    area = out["usable_area_m2"]
    out["cost_given"] = out["cost"].notna()
    out["cost"] = out["cost"].fillna(1.0)
    out["eligible"] = ((area >= minimum) & out["valid"]).to_numpy()
    reason = np.where(area < minimum, _("usable area below {minimum:,.0f} m² ({clause})").format(minimum=minimum, clause=targets.candidate_clause), "")
    out["reject_reason"] = [r or i for r, i in zip(reason, out["issues"], strict=True)]
    first = ["candidate_id", "name", "kind", "usable_area_m2", "cost", "shelter_class", "district", "adcode",
             "district_name", "eligible", "reject_reason", "issues", "notes", "valid"]
    return out[[*first, *[c for c in out.columns if c not in first]]]


def read_candidates(
    source: str | Path | gpd.GeoDataFrame,
    *,
    crs: object = None,
    columns: Mapping[str, str] | None = None,
    layer: str | None = None,
    sheet: str | int | None = None,
    rules: RuleSet | None = None,
    targets: Targets | None = None,
    districts: gpd.GeoDataFrame | None = None,
    on_error: str = "raise",
    boundary_m: float | None = None,
    units: gpd.GeoDataFrame | None = None,
    unit_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Read and validate candidate sites from any source :func:`zzgeo.io.read_vector` reads.

    Parameters are those of :func:`zzgeo.shelters.register.read_register` and
    :func:`validate_candidates`.

    Returns
    -------
    geopandas.GeoDataFrame
        The validated candidates (see :func:`validate_candidates`).

    Examples
    --------
    A CSV with Chinese headers near 二七广场, its cost in 万元 (converted to 元).
    The school yard of 2,500 m² is eligible, as class III (at least 2,000 m²);
    the garden of 1,800 m² is below the 2000 m² rule. Ids name the CSV lines:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> path = Path(tempfile.mkdtemp()) / "candidates.csv"
    >>> pd.DataFrame({"名称": ["某小学操场", "某游园"], "有效利用面积": [2500, 1800], "估算投资(万元)": [300, 50],
    ...               "经度": [113.6654, 113.6700], "纬度": [34.7536, 34.7560]}).to_csv(path, index=False)
    >>> candidates = read_candidates(path, crs="wgs84")
    >>> candidates[["candidate_id", "usable_area_m2", "cost", "eligible"]].values.tolist()
    [['cand-2', 2500.0, 3000000.0, True], ['cand-3', 1800.0, 500000.0, False]]
    >>> candidates.loc[0, "shelter_class"], candidates.loc[0, "district_name"]
    ('III', '管城回族区')
    """
    out = load_register(source, SCHEMA, crs=crs, columns=columns, layer=layer, sheet=sheet, districts=districts,
                        on_error=on_error, checks=[_class_check(rules or load_rules()), district_name_check("district")],
                        name=None if not isinstance(source, pd.DataFrame) else "candidates", boundary_m=boundary_m,
                        units=units, unit_column=unit_column)
    return _eligibility(out, targets or load_targets())
