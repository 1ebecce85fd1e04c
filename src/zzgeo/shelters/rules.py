"""Shelter rule sets (class minima, service radii, per-person area) and the 2025/2029 targets.

Both live in data files that cite their source (``data/shelters/classes_zhengzhou2011.toml``,
``data/shelters/targets.toml``); this module only reads and checks them. The
class figures are the Zhengzhou 2011 defaults, kept as overridable defaults
because 郑政文〔2022〕40号 abolished the 2011 scheme; the targets are those of
郑政文〔2022〕40号 section 三 (checked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from zzgeo._data import data_path, load_toml
from zzgeo.errors import SchemaError, UnknownCodeError

__all__ = [
    "CLASSES",
    "PACKAGED_RULE_SETS",
    "ShelterClass",
    "RuleSet",
    "Targets",
    "load_rules",
    "load_targets",
]

#: Shelter classes, largest first.
CLASSES = ("I", "II", "III")
#: Rule sets shipped with zzgeo: id -> data file.
PACKAGED_RULE_SETS = {
    "zhengzhou-2011-defaults": "shelters/classes_zhengzhou2011.toml",
    "gb51143-2015-unverified": "shelters/classes_gb51143.toml",
}


@dataclass(frozen=True)
class ShelterClass:
    """Parameters of one shelter class."""

    code: str
    label: str
    min_effective_area_m2: float
    service_radius_m: float
    area_per_person_m2: float
    min_effective_area_m2_inside_3rd_ring: float | None = None


@dataclass(frozen=True)
class RuleSet:
    """A versioned set of class parameters with its source.

    Attributes
    ----------
    id, version, title, source, status, note : str
        Provenance; ``status`` is ``checked``, ``secondary`` or ``unverified``.
    classes : dict of str to ShelterClass
        Keyed ``"I"``, ``"II"``, ``"III"``.
    area_per_person_m2 : float
        Default living area per sheltered person (capacity = effective area / norm).
    capacity_source : str
        Where that norm comes from.
    path : str
        The file the rule set was read from.
    """

    id: str
    version: str
    title: str
    source: str
    status: str
    note: str
    classes: dict[str, ShelterClass]
    area_per_person_m2: float
    capacity_source: str
    path: str = ""

    def radius_m(self, code: str) -> float:
        """Service radius of class *code*."""
        return self.classes[code].service_radius_m

    def class_for_area(self, area_m2: float) -> str | None:
        """Largest class whose minimum effective area *area_m2* meets, or ``None``."""
        for code in CLASSES:
            if area_m2 >= self.classes[code].min_effective_area_m2:
                return code
        return None

    def describe(self) -> dict[str, object]:
        """JSON-ready summary that outputs carry (id, version, source, status, key figures)."""
        return {
            "id": self.id,
            "version": self.version,
            "source": self.source,
            "status": self.status,
            "area_per_person_m2": self.area_per_person_m2,
            "capacity_source": self.capacity_source,
            "classes": {
                c.code: {
                    "min_effective_area_m2": c.min_effective_area_m2,
                    "service_radius_m": c.service_radius_m,
                    "area_per_person_m2": c.area_per_person_m2,
                }
                for c in self.classes.values()
            },
        }


@dataclass(frozen=True)
class Targets:
    """Per-capita targets by year and the candidate-site rule of 郑政文〔2022〕40号."""

    per_capita_m2: dict[int, float]
    document: str
    clause: str
    candidate_min_area_m2: float
    candidate_clause: str
    site_kinds: tuple[str, ...] = field(default_factory=tuple)

    def for_year(self, year: int) -> float:
        """Per-capita target (m²/person) for *year*.

        Raises
        ------
        UnknownCodeError
            If the document sets no target for *year*.
        """
        try:
            return self.per_capita_m2[int(year)]
        except (KeyError, ValueError, TypeError):
            msg = f"no shelter target for year={year!r}; {self.document} sets targets for {sorted(self.per_capita_m2)}"
            raise UnknownCodeError(msg) from None

    def source(self, year: int) -> str:
        """Citation of the target for *year*."""
        return f"{self.document} {self.clause}: {self.for_year(year):g} m²/person by end-{int(year)}"


def _positive(value: object, what: str, path: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = float("nan")
    if not number > 0:
        raise SchemaError(f"rule file {path!r}: {what} must be a positive number, got {value!r}")
    return number


def _resolve(path_or_id: str | Path | None) -> Path:
    if path_or_id is None:
        return data_path(PACKAGED_RULE_SETS["zhengzhou-2011-defaults"])
    if str(path_or_id) in PACKAGED_RULE_SETS:
        return data_path(PACKAGED_RULE_SETS[str(path_or_id)])
    path = Path(path_or_id)
    if not path.exists():
        msg = (
            f"no rule file or packaged rule set {str(path_or_id)!r}; give a TOML file shaped like "
            f"zzgeo/data/shelters/classes_zhengzhou2011.toml or one of {sorted(PACKAGED_RULE_SETS)}"
        )
        raise FileNotFoundError(msg)
    return path


def load_rules(path_or_id: str | Path | None = None) -> RuleSet:
    """Read a shelter rule set.

    Parameters
    ----------
    path_or_id : str or Path, optional
        A TOML file shaped like ``zzgeo/data/shelters/classes_zhengzhou2011.toml``, or the id
        of a packaged rule set (:data:`PACKAGED_RULE_SETS`). Default: the
        Zhengzhou 2011 defaults (``zhengzhou-2011-defaults``).

    Returns
    -------
    RuleSet

    Raises
    ------
    FileNotFoundError
        Neither a file nor a packaged id.
    SchemaError
        A section, class or figure is missing or not positive.
    """
    path = _resolve(path_or_id)
    label = str(path)
    doc = load_toml(path)
    head = doc.get("rule_set")
    if not isinstance(head, dict) or not head.get("id") or not head.get("source"):
        raise SchemaError(f"rule file {label!r} needs a [rule_set] table with at least id and source")
    cap = doc.get("capacity", {})
    default_norm = _positive(cap.get("area_per_person_m2"), "[capacity] area_per_person_m2", label)
    raw = doc.get("classes", {})
    missing = [c for c in CLASSES if c not in raw]
    if missing:
        raise SchemaError(f"rule file {label!r}: classes {missing!r} missing; define [classes.I], [classes.II], [classes.III]")
    classes = {}
    for code in CLASSES:
        spec = raw[code]
        ring = spec.get("min_effective_area_m2_inside_3rd_ring")
        classes[code] = ShelterClass(
            code=code,
            label=str(spec.get("label", code)),
            min_effective_area_m2=_positive(spec.get("min_effective_area_m2"), f"classes.{code}.min_effective_area_m2", label),
            service_radius_m=_positive(spec.get("service_radius_m"), f"classes.{code}.service_radius_m", label),
            area_per_person_m2=_positive(spec.get("area_per_person_m2", default_norm), f"classes.{code}.area_per_person_m2", label),
            min_effective_area_m2_inside_3rd_ring=None if ring is None else _positive(ring, f"classes.{code} ring minimum", label),
        )
    minima = [classes[c].min_effective_area_m2 for c in CLASSES]
    if minima != sorted(minima, reverse=True):
        raise SchemaError(f"rule file {label!r}: class minima must fall from I to III, got {minima!r}")
    return RuleSet(
        id=str(head["id"]),
        version=str(head.get("version", "")),
        title=str(head.get("title", "")),
        source=str(head["source"]),
        status=str(head.get("status", "unverified")),
        note=str(head.get("note", "")),
        classes=classes,
        area_per_person_m2=default_norm,
        capacity_source=str(cap.get("source", "")),
        path=label,
    )


def load_targets(path: str | Path | None = None) -> Targets:
    """Read the per-capita targets and the candidate rule (default: 郑政文〔2022〕40号).

    Parameters
    ----------
    path : str or Path, optional
        A TOML file shaped like ``zzgeo/data/shelters/targets.toml``.

    Raises
    ------
    SchemaError
        No targets, or a target that is not a positive number.
    """
    label = str(path or data_path("shelters/targets.toml"))
    doc = load_toml(path or "shelters/targets.toml")
    rows = doc.get("targets") or []
    if not rows:
        raise SchemaError(f"target file {label!r} has no [[targets]] rows")
    per_capita = {int(r["year"]): _positive(r.get("per_capita_m2"), f"target {r.get('year')!r}", label) for r in rows}
    document = doc.get("document", {})
    cand = doc.get("candidates", {})
    return Targets(
        per_capita_m2=per_capita,
        document=str(document.get("number", "")),
        clause=str(rows[0].get("clause", "")),
        candidate_min_area_m2=_positive(cand.get("min_usable_area_m2", 2000), "[candidates] min_usable_area_m2", label),
        candidate_clause=f"{document.get('number', '')} {cand.get('clause', '')}".strip(),
        site_kinds=tuple(cand.get("site_kinds", ())),
    )
