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
from typing import Annotated, Literal, Optional

from pydantic import Field, model_validator

from zzgeo._data import data_path
from zzgeo.config import ConfigModel, ConfigProblem, Positive, Text, each_once, load_config
from zzgeo.errors import SchemaError, UnknownCodeError
from zzgeo.i18n import N_, _, label_of

__all__ = [
    "CLASSES",
    "PACKAGED_RULE_SETS",
    "ShelterClass",
    "RuleSet",
    "Targets",
    "Status",
    "RuleFile",
    "RuleSetHead",
    "CapacitySpec",
    "ClassSpec",
    "ClassesSpec",
    "TargetFile",
    "TargetDocument",
    "TargetRow",
    "CandidateRule",
    "load_rules",
    "load_targets",
    "SHOWN_IDS",
    "PACKAGED_SOURCES",
    "shown_value",
]

#: Ids of the run shown to people (rule status, distance, method): labels in the interface language, ids in English
#: and in --json (:func:`shown_value`).
SHOWN_IDS = {"checked": N_("checked"), "secondary": N_("secondary"), "unverified": N_("unverified"), "assumption": N_("assumption"),
             "euclidean": N_("straight-line distance"), "network": N_("network distance"), "exact": N_("exact (optimal)"),
             "greedy": N_("greedy (heuristic)")}
#: The sources of the packaged rule sets as people read them (a rule file of one's own is shown as typed).
PACKAGED_SOURCES = (N_("郑政文〔2011〕244号《郑州市应急避难场所建设实施方案》 (abolished by 郑政文〔2022〕40号, final paragraph)"),
                    N_("GB 51143-2015 《防灾避难场所设计规范》 (commonly quoted figures; class mapping is a zzgeo assumption)"))


def shown_value(value: object) -> object:
    """A rule-set status, a distance metric, a siting method or a packaged rule set's source as people read it, in
    the interface language; in English (and in --json, the files) the id or text itself.

    >>> from zzgeo.i18n import set_language
    >>> set_language("en"); shown_value("euclidean"), shown_value("secondary"), shown_value("my own rules")
    ('euclidean', 'secondary', 'my own rules')
    >>> set_language(None)
    """
    return label_of(value, {**SHOWN_IDS, **{source: source for source in PACKAGED_SOURCES}})


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
            msg = _("no shelter target for year={year!r}; {document} sets targets for {years}").format(
                year=year, document=self.document, years=sorted(self.per_capita_m2))
            raise UnknownCodeError(msg) from None

    def source(self, year: int) -> str:
        """Citation of the target for *year*."""
        return _("{document} {clause}: {target:g} m²/person by end-{year}").format(
            document=self.document, clause=self.clause, target=self.for_year(year), year=int(year))


#: Status of a figure: read in a primary source, one secondary source, commonly quoted, or zzgeo's own choice.
Status = Literal["checked", "secondary", "unverified", "assumption"]


class RuleSetHead(ConfigModel):
    """``[rule_set]``: provenance of a rule set (id and source required)."""

    id: Text
    version: str = ""
    title: str = ""
    source: Text
    status: Status = "unverified"
    note: str = ""


class CapacitySpec(ConfigModel):
    """``[capacity]``: living area per sheltered person (capacity = effective area / this)."""

    area_per_person_m2: Positive
    source: str = ""
    status: Optional[Status] = None  # documentation, not read by zzgeo


class ClassSpec(ConfigModel):
    """``[classes.I]`` ...: the minimum effective area, service radius and optional per-person area of a class."""

    label: Optional[Text] = None
    min_effective_area_m2: Positive
    min_effective_area_m2_inside_3rd_ring: Optional[Positive] = None
    service_radius_m: Positive
    area_per_person_m2: Optional[Positive] = None
    stay: str = ""  # documentation (how long people stay), not read by zzgeo

    @model_validator(mode="after")
    def _ring_below_minimum(self) -> ClassSpec:
        ring = self.min_effective_area_m2_inside_3rd_ring
        if ring is not None and ring > self.min_effective_area_m2:
            raise ConfigProblem(_("must be <= min_effective_area_m2 = {minimum:g} (it relaxes the class minimum)").format(
                                    minimum=self.min_effective_area_m2),
                                at=("min_effective_area_m2_inside_3rd_ring",), value=ring)
        return self


class ClassesSpec(ConfigModel):
    """``[classes]``: exactly the classes I, II and III."""

    I: ClassSpec  # noqa: E741
    II: ClassSpec
    III: ClassSpec


class RuleFile(ConfigModel):
    """A shelter rule set (``data/shelters/classes_*.toml``)."""

    rule_set: RuleSetHead
    capacity: CapacitySpec
    classes: ClassesSpec

    @model_validator(mode="after")
    def _minima_fall(self) -> RuleFile:
        for bigger, smaller in zip(CLASSES, CLASSES[1:]):
            above = getattr(self.classes, bigger).min_effective_area_m2
            value = getattr(self.classes, smaller).min_effective_area_m2
            if value > above:
                raise ConfigProblem(_("above classes.{bigger}.min_effective_area_m2 = {above:g}; class minima must fall from I to III").format(
                                        bigger=bigger, above=above),
                                    at=("classes", smaller, "min_effective_area_m2"), value=value)
        return self


class TargetDocument(ConfigModel):
    """``[document]`` of a target file: the document that sets the targets."""

    number: str = ""
    title: str = ""
    issued: str = ""
    effective: str = ""
    status: Optional[Status] = None  # documentation, not read by zzgeo


class TargetRow(ConfigModel):
    """One ``[[targets]]`` row: the per-capita shelter area due by the end of *year*."""

    year: Annotated[int, Field(ge=2000, le=2100)]
    deadline: str = ""  # documentation, not read by zzgeo
    per_capita_m2: Positive
    clause: str = ""


class CandidateRule(ConfigModel):
    """``[candidates]``: the smallest usable area of a candidate site and the kinds of site named."""

    min_usable_area_m2: Positive = 2000
    clause: str = ""
    site_kinds: list[Text] = []


class TargetFile(ConfigModel):
    """A shelter target file (``data/shelters/targets.toml``)."""

    document: TargetDocument = TargetDocument()
    targets: list[TargetRow] = Field(min_length=1)
    candidates: CandidateRule = CandidateRule()

    @model_validator(mode="after")
    def _years_once(self) -> TargetFile:
        each_once(self.targets, key="year", at="targets", what="year")
        return self


def _resolve(path_or_id: str | Path | None) -> Path:
    if path_or_id is None:
        return data_path(PACKAGED_RULE_SETS["zhengzhou-2011-defaults"])
    if str(path_or_id) in PACKAGED_RULE_SETS:
        return data_path(PACKAGED_RULE_SETS[str(path_or_id)])
    path = Path(path_or_id)
    if not path.exists():
        msg = _("no rule file or packaged rule set {name!r}; give a TOML file shaped like "
                "zzgeo/data/shelters/classes_zhengzhou2011.toml or one of {packaged}").format(
                    name=str(path_or_id), packaged=sorted(PACKAGED_RULE_SETS))
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
        Not UTF-8, not TOML or empty; a section, class or figure missing; an
        unknown key; a figure that is not a finite number > 0; a status not in
        :data:`Status`; class minima that do not fall from I to III (one line:
        file, key path, value, what is allowed).

    Examples
    --------
    The default rule set: a class I shelter needs 20,000 m² of effective area
    and serves residents within 5 km, class III 2,000 m² and 500 m; a sheltered
    person takes 1.5 m², so 30,000 m² hold 20,000 people.

    >>> rules = load_rules()
    >>> rules.id, rules.area_per_person_m2
    ('zhengzhou-2011-defaults', 1.5)
    >>> [(c.code, c.min_effective_area_m2, c.service_radius_m) for c in rules.classes.values()]
    [('I', 20000.0, 5000.0), ('II', 4000.0, 1000.0), ('III', 2000.0, 500.0)]
    >>> rules.class_for_area(4500.0), rules.class_for_area(1500.0)
    ('II', None)
    >>> 30000.0 / rules.classes["I"].area_per_person_m2
    20000.0
    """
    path = _resolve(path_or_id)
    spec = load_config(path, RuleFile, what="shelter rule file", error=SchemaError)
    head, norm = spec.rule_set, spec.capacity.area_per_person_m2
    classes = {}
    for code in CLASSES:
        c = getattr(spec.classes, code)
        classes[code] = ShelterClass(
            code=code,
            label=c.label or code,
            min_effective_area_m2=c.min_effective_area_m2,
            service_radius_m=c.service_radius_m,
            area_per_person_m2=c.area_per_person_m2 if c.area_per_person_m2 is not None else norm,
            min_effective_area_m2_inside_3rd_ring=c.min_effective_area_m2_inside_3rd_ring,
        )
    return RuleSet(
        id=head.id,
        version=head.version,
        title=head.title,
        source=head.source,
        status=head.status,
        note=head.note,
        classes=classes,
        area_per_person_m2=norm,
        capacity_source=spec.capacity.source,
        path=str(path),
    )


def load_targets(path: str | Path | None = None) -> Targets:
    """Read the per-capita targets and the candidate rule (default: 郑政文〔2022〕40号).

    Parameters
    ----------
    path : str or Path, optional
        A TOML file shaped like ``zzgeo/data/shelters/targets.toml``.

    Returns
    -------
    Targets

    Raises
    ------
    SchemaError
        Not UTF-8, not TOML or empty; no targets, a year given twice or outside
        2000-2100, a target or area that is not a finite number > 0, an unknown
        key (one line: file, key path, value, what is allowed).

    Examples
    --------
    郑政文〔2022〕40号 asks for 2 m² of shelter area per person by end-2025 and
    3 m² by end-2029, and for a shelter on new sites with at least 2,000 m² of
    usable area. A district of 20,000 residents needs 40,000 m², then 60,000 m²:

    >>> targets = load_targets()
    >>> targets.document, targets.per_capita_m2
    ('郑政文〔2022〕40号', {2025: 2.0, 2029: 3.0})
    >>> targets.for_year(2025) * 20_000, targets.for_year(2029) * 20_000
    (40000.0, 60000.0)
    >>> targets.candidate_min_area_m2
    2000.0
    >>> targets.for_year(2030)
    Traceback (most recent call last):
        ...
    zzgeo.errors.UnknownCodeError: no shelter target for year=2030; 郑政文〔2022〕40号 sets targets for [2025, 2029]
    """
    spec = load_config(path if path is not None else data_path("shelters/targets.toml"), TargetFile,
                       what="shelter target file", error=SchemaError)
    number = spec.document.number
    return Targets(
        per_capita_m2={row.year: row.per_capita_m2 for row in spec.targets},
        document=number,
        clause=spec.targets[0].clause,
        candidate_min_area_m2=spec.candidates.min_usable_area_m2,
        candidate_clause=f"{number} {spec.candidates.clause}".strip(),
        site_kinds=tuple(spec.candidates.site_kinds),
    )
