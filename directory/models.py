"""The directory as frozen pydantic models: what exists, where, for whom and how much.

Every model is frozen and forbids unknown keys, so a typo in a YAML file is an error and a loaded
directory cannot change under a running matcher. Checks that need only one record (impossible
values, malformed contacts) live here and raise pydantic errors whose ``type`` is one of our
problem codes; checks across records (dangling references, duplicate ids) live in
:mod:`directory.rules`.

>>> cap = Capacity(places=8, per="month", status="open", updated="2026-10-01")
>>> cap.places, cap.per
(8, 'month')
>>> Capacity(places=-1, per="month", status="open", updated="2026-10-01")
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for Capacity
...
"""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "COHORTS",
    "COHORT_WORDS",
    "CONDITIONS",
    "DELIVERY_MODES",
    "DISPOSALS",
    "DISPOSAL_ALIASES",
    "GENDERS",
    "LEVELS",
    "LEVEL_WORDS",
    "OFFENCES",
    "ROLES",
    "Agency",
    "Area",
    "Audience",
    "Capacity",
    "Contact",
    "Directory",
    "District",
    "Eligibility",
    "Need",
    "NeedGroup",
    "Pathway",
    "PostcodeDistrict",
    "Site",
    "Source",
    "Town",
    "check_url",
    "level_rank",
]

Gender = Literal["female", "male", "non_binary"]
Cohort = Literal[
    "veteran",
    "care_leaver",
    "prison_leaver",
    "young_carer",
    "no_recourse_to_public_funds",
    "sex_worker",
    "rough_sleeper",
    "multiple_disadvantage",
]
Offence = Literal[
    "shoplifting",
    "theft",
    "burglary",
    "robbery",
    "criminal_damage",
    "public_order",
    "violence",
    "domestic_abuse",
    "stalking_harassment",
    "hate_crime",
    "drug_possession",
    "drug_supply",
    "weapons",
    "sexual",
    "fraud",
    "motoring",
    "other",
]
Disposal = Literal[
    "community_resolution",
    "conditional_caution",
    "simple_caution",
    "diversionary_caution",
    "community_caution",
    "youth_caution",
    "youth_conditional_caution",
]
Delivery = Literal["in_person", "online", "phone", "outreach"]
Condition = Literal["rehabilitative", "reparative", "punitive"]
AgencyKind = Literal["statutory", "nhs", "police", "local_authority", "voluntary", "private"]
Level = Literal["advice", "structured", "intensive", "residential"]
"""What a pathway delivers for one need, L1 to L4 (docs/directory-format.md, *Fit*)."""
Reach = Literal["open", "focus", "only"]
Role = Literal["diverted", "victim", "both"]
Prerequisite = Literal["admission", "consent", "victim_views", "victim_willing"]
Period = Literal["week", "month", "quarter"]
Status = Literal["open", "waitlist", "closed"]

GENDERS: tuple[str, ...] = get_args(Gender)
COHORTS: tuple[str, ...] = get_args(Cohort)
OFFENCES: tuple[str, ...] = get_args(Offence)
DISPOSALS: tuple[str, ...] = get_args(Disposal)
DELIVERY_MODES: tuple[str, ...] = get_args(Delivery)
CONDITIONS: tuple[str, ...] = get_args(Condition)
LEVELS: tuple[str, ...] = get_args(Level)
ROLES: tuple[str, ...] = get_args(Role)
#: Levels in plain words, L1 to L4, for pages and plans.
LEVEL_WORDS: dict[str, str] = {
    "advice": "information and advice (L1)",
    "structured": "structured support (L2)",
    "intensive": "intensive or specialist support (L3)",
    "residential": "residential, crisis or refuge provision (L4)",
}
#: Old words for disposals, read as the current ones: the seed documents' "deferred
#: prosecution" is the adult conditional caution (Criminal Justice Act 2003, Part 3).
DISPOSAL_ALIASES: dict[str, str] = {"deferred_prosecution": "conditional_caution"}
REMOTE: frozenset[str] = frozenset({"online", "phone"})
#: Cohorts in plain words, for pages and plans.
COHORT_WORDS: dict[str, str] = {
    "veteran": "veterans",
    "care_leaver": "care leavers",
    "prison_leaver": "people leaving prison",
    "young_carer": "young carers",
    "no_recourse_to_public_funds": "people with no recourse to public funds",
    "sex_worker": "sex workers",
    "rough_sleeper": "people sleeping rough",
    "multiple_disadvantage": "people facing multiple disadvantage",
}

SnakeId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$", max_length=64)]
KebabId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

_UK_LAT = (49.8, 60.95)
_UK_LON = (-8.7, 1.8)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_URL = re.compile(r"^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?(/\S*)?$")
_PHONE = re.compile(r"^(\+44\s?|0)(\d[\s-]?){9,10}$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$")

_FROZEN = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def level_rank(level: str) -> int:
    """The ordinal of a level, 1 (advice) to 4 (residential).

    >>> level_rank("advice"), level_rank("residential")
    (1, 4)
    """
    return LEVELS.index(level) + 1


def _problem(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(code, message)


def check_url(url: str) -> str:
    """Return ``url`` when it is a plain http(s) address, else raise a ``bad-url`` error.

    >>> check_url("https://www.cpft.nhs.uk/")
    'https://www.cpft.nhs.uk/'
    >>> check_url("javascript:alert(1)")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.PydanticCustomError: 'javascript:alert(1)' is not an http(s) ...
    """
    if not _URL.match(url):
        raise _problem("bad-url", f"{url!r} is not an http(s) address")
    return url


class _Located(BaseModel):
    """Mixin for records with coordinates inside the United Kingdom."""

    model_config = _FROZEN
    lat: float
    lon: float

    @model_validator(mode="after")
    def _inside_uk(self) -> Self:
        if not (_UK_LAT[0] <= self.lat <= _UK_LAT[1] and _UK_LON[0] <= self.lon <= _UK_LON[1]):
            raise _problem(
                "coordinates-outside-uk", f"({self.lat}, {self.lon}) is outside the United Kingdom"
            )
        return self


class NeedGroup(BaseModel):
    """A reoffending pathway of the 2004 action plan (1-7), a women's pathway (8-9), or support."""

    model_config = _FROZEN
    id: SnakeId
    label: Label
    number: Annotated[int, Field(ge=1, le=9)] | None = None


class Need(BaseModel):
    """One assessed cause of offending, with the words people type for it."""

    model_config = _FROZEN
    id: SnakeId
    label: Label
    group: SnakeId
    description: Text | None = None
    oasys: tuple[SnakeId, ...] = ()
    synonyms: tuple[Label, ...] = ()


class Area(BaseModel):
    """A policing area (North, South)."""

    model_config = _FROZEN
    id: SnakeId
    label: Label


class District(_Located):
    """A district: the unit of locality; its centre is used for distances."""

    id: SnakeId
    label: Label
    area: SnakeId
    aliases: tuple[Label, ...] = ()


class Town(_Located):
    """A town or village and the district it lies in (GeoNames, CC BY 4.0)."""

    name: Label
    district: SnakeId
    population: Annotated[int, Field(ge=0)] | None = None


class PostcodeDistrict(_Located):
    """A postcode district (outward code such as ``PE13``) with an approximate centre."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,2}\d[A-Z\d]?$")]
    district: SnakeId


class Contact(BaseModel):
    """A way to reach an agency or a pathway's referral point."""

    model_config = _FROZEN
    kind: Literal["phone", "email", "website", "address"]
    value: Label
    label: Label | None = None

    @model_validator(mode="after")
    def _well_formed(self) -> Self:
        if self.kind == "phone" and not _PHONE.match(self.value):
            raise _problem("bad-phone", f"{self.value!r} is not a UK phone number")
        if self.kind == "email" and not _EMAIL.match(self.value):
            raise _problem("bad-email", f"{self.value!r} is not an email address")
        if self.kind == "website":
            check_url(self.value)
        return self


class Source(BaseModel):
    """Where a fact came from: read in a public source, from memory, or a guess."""

    model_config = _FROZEN
    title: Label
    url: str | None = None
    evidence: Literal["read", "memory", "guess"] = "read"
    note: Text | None = None

    @model_validator(mode="after")
    def _url(self) -> Self:
        if self.url is not None:
            check_url(self.url)
        return self


class Site(_Located):
    """A place where pathways are delivered. Hidden sites (refuges) are never published."""

    id: KebabId
    name: Label
    district: SnakeId
    address: Text | None = None
    postcode: str | None = None
    approximate: bool = False
    hidden: bool = False

    @model_validator(mode="after")
    def _postcode(self) -> Self:
        if self.postcode is not None and not _POSTCODE.match(self.postcode):
            raise _problem("bad-postcode", f"{self.postcode!r} is not a UK postcode")
        return self


class Audience(BaseModel):
    """For whom a pathway is meant, beyond who it accepts: ``open`` to everyone, everyone with a
    ``focus`` on the group, or ``only`` the group (as Vivery and findhelp record audiences).

    ``only`` is a rule (women only; under-18s only); ``focus`` makes the pathway the appropriate
    one for that group where it exists (the Female Offender Strategy's women's centres; youth
    provision for children).

    >>> Audience(women="focus").women
    'focus'
    """

    model_config = _FROZEN
    women: Reach = "open"
    under_18: Reach = "open"


class Eligibility(BaseModel):
    """Who a pathway accepts. An empty rule means no restriction.

    >>> Eligibility(min_age=18, max_age=25).describe()
    'aged 18 to 25'
    >>> Eligibility(min_age=30, max_age=18)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Eligibility
    ...
    """

    model_config = _FROZEN
    min_age: int | None = None
    max_age: int | None = None
    genders: tuple[Gender, ...] = ()
    cohorts: tuple[Cohort, ...] = ()
    offences: tuple[Offence, ...] = ()
    excluded_offences: tuple[Offence, ...] = ()
    disposals: tuple[Disposal, ...] = ()
    role: Role = "diverted"
    audience: Audience = Audience()
    requires: tuple[Prerequisite, ...] = ()
    notes: Text | None = None

    @field_validator("disposals", mode="before")
    @classmethod
    def _alias(cls, values: Any) -> Any:
        if isinstance(values, list | tuple):
            return tuple(DISPOSAL_ALIASES.get(v, v) if isinstance(v, str) else v for v in values)
        return values

    @field_validator("min_age", "max_age")
    @classmethod
    def _age_range(cls, age: int | None) -> int | None:
        if age is not None and not 10 <= age <= 120:
            raise _problem("age-range", f"age {age} is outside 10 to 120")
        return age

    @model_validator(mode="after")
    def _possible(self) -> Self:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise _problem("age-order", f"min_age {self.min_age} is above max_age {self.max_age}")
        both = sorted(set(self.offences) & set(self.excluded_offences))
        if both:
            raise _problem(
                "contradictory-eligibility",
                f"{', '.join(both)} both accepted and excluded",
            )
        return self

    def describe(self) -> str:
        """The rules in plain words, for pages and plans."""
        parts: list[str] = []
        if self.min_age is not None and self.max_age is not None:
            parts.append(f"aged {self.min_age} to {self.max_age}")
        elif self.min_age is not None:
            parts.append(f"aged {self.min_age} or over")
        elif self.max_age is not None:
            parts.append(f"aged {self.max_age} or under")
        if self.genders:
            parts.append(" or ".join(g.replace("_", "-") for g in self.genders) + " only")
        if self.cohorts:
            parts.append("for " + " or ".join(COHORT_WORDS[c] for c in self.cohorts))
        if self.offences:
            parts.append("offences: " + ", ".join(o.replace("_", " ") for o in self.offences))
        if self.excluded_offences:
            parts.append(
                "not for " + ", ".join(o.replace("_", " ") for o in self.excluded_offences)
            )
        if self.disposals:
            parts.append("disposals: " + ", ".join(d.replace("_", " ") for d in self.disposals))
        if self.role != "diverted":
            parts.append("for victims" if self.role == "victim" else "for victims and others")
        implied = {
            "women": self.genders == ("female",),
            "under_18": self.max_age is not None and self.max_age < 18,
        }
        for group, words in (("women", "women"), ("under_18", "under-18s")):
            reach = getattr(self.audience, group)
            if reach == "focus" or (reach == "only" and not implied[group]):
                parts.append(f"{words} {'only' if reach == 'only' else 'a focus'}")
        if self.requires:
            parts.append("needs recorded: " + ", ".join(r.replace("_", " ") for r in self.requires))
        return "; ".join(parts) if parts else "no restrictions"


class Capacity(BaseModel):
    """Places a pathway can take per period, its status and when that was last updated."""

    model_config = _FROZEN
    places: int | None = None
    per: Period = "month"
    status: Status = "open"
    updated: date
    illustrative: bool = False

    @field_validator("places")
    @classmethod
    def _non_negative(cls, places: int | None) -> int | None:
        if places is not None and places < 0:
            raise _problem("negative-places", f"places is {places}")
        return places


class Pathway(BaseModel):
    """One diversionary intervention an agency runs (Open Referral: a service)."""

    model_config = _FROZEN
    id: KebabId
    name: Label
    description: Text | None = None
    needs: Annotated[tuple[SnakeId, ...], Field(min_length=1)]
    districts: tuple[SnakeId, ...] | Literal["all"] = ()
    delivery: Annotated[tuple[Delivery, ...], Field(min_length=1)] = ("in_person",)
    sites: tuple[KebabId, ...] = ()
    eligibility: Eligibility = Eligibility()
    capacity: Capacity | None = None
    conditions: tuple[Condition, ...] = ("rehabilitative",)
    level: Level = "structured"
    levels: dict[SnakeId, Level] = Field(default_factory=dict)
    alongside: tuple[SnakeId, ...] = ()
    referral: Text | None = None
    active: bool = True

    def __hash__(self) -> int:
        return hash(self.id)

    @model_validator(mode="after")
    def _fit_needs(self) -> Self:
        stray = sorted((set(self.levels) | set(self.alongside)) - set(self.needs))
        if stray:
            raise _problem(
                "fit-need-not-taken",
                f"levels or alongside name {', '.join(stray)}, which the pathway does not take",
            )
        return self

    def level_of(self, need: str) -> str:
        """What the pathway delivers for ``need``: its ``levels`` entry, else ``level``."""
        return self.levels.get(need, self.level)

    def specialism(self, need: str) -> bool:
        """Whether ``need`` is the pathway's specialism (not one it helps with alongside)."""
        return need in self.needs and need not in self.alongside

    @property
    def remote(self) -> bool:
        """Delivered online or by phone, so distance does not matter."""
        return bool(REMOTE & set(self.delivery))


class Agency(BaseModel):
    """A partner organisation (Open Referral: an organization) and its pathways."""

    model_config = _FROZEN
    id: KebabId
    name: Label
    operator: Label | None = None
    kind: AgencyKind = "voluntary"
    description: Text | None = None
    website: str | None = None
    contacts: tuple[Contact, ...] = ()
    sources: tuple[Source, ...] = ()
    last_verified: date | None = None
    illustrative: Text | None = None
    youth_justice: bool = False
    sites: tuple[Site, ...] = ()
    pathways: Annotated[tuple[Pathway, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _website(self) -> Self:
        if self.website is not None:
            check_url(self.website)
        return self


class Directory(BaseModel):
    """One immutable snapshot of the whole directory, with fast look-ups.

    Construct it from files with :func:`directory.load`; building it in Python checks each record
    but not references between records: call :func:`directory.validate` for those.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    attribution: Text | None = None
    groups: tuple[NeedGroup, ...] = ()
    needs: tuple[Need, ...] = ()
    areas: tuple[Area, ...] = ()
    districts: tuple[District, ...] = ()
    towns: tuple[Town, ...] = ()
    postcode_districts: tuple[PostcodeDistrict, ...] = ()
    agencies: tuple[Agency, ...] = ()

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with ``update`` applied; look-ups are computed afresh for the copy.

        >>> d = Directory(needs=[Need(id="a", label="A", group="g")])
        >>> _ = d.need_by_id
        >>> list(d.model_copy(update={"needs": ()}).need_by_id)
        []
        """
        copy = super().model_copy(update=update, deep=deep)
        for name in _LOOKUPS:
            copy.__dict__.pop(name, None)
        return copy

    # ----------------------------------------------------------------- look-ups (computed once)
    @cached_property
    def need_by_id(self) -> dict[str, Need]:
        """Needs by id."""
        return {n.id: n for n in self.needs}

    @cached_property
    def district_by_id(self) -> dict[str, District]:
        """Districts by id."""
        return {d.id: d for d in self.districts}

    @cached_property
    def agency_by_id(self) -> dict[str, Agency]:
        """Agencies by id."""
        return {a.id: a for a in self.agencies}

    @cached_property
    def pathway_by_id(self) -> dict[str, Pathway]:
        """Pathways by id, across all agencies."""
        return {p.id: p for a in self.agencies for p in a.pathways}

    @cached_property
    def agency_of(self) -> dict[str, Agency]:
        """The agency running each pathway, by pathway id."""
        return {p.id: a for a in self.agencies for p in a.pathways}

    @cached_property
    def site_by_id(self) -> dict[str, Site]:
        """Sites by id, across all agencies."""
        return {s.id: s for a in self.agencies for s in a.sites}

    @property
    def pathways(self) -> tuple[Pathway, ...]:
        """Every pathway, agency by agency in file order."""
        return tuple(p for a in self.agencies for p in a.pathways)

    def served_districts(self, pathway: Pathway) -> tuple[str, ...]:
        """The district ids a pathway serves (``all`` expanded)."""
        if pathway.districts == "all":
            return tuple(d.id for d in self.districts)
        return pathway.districts

    @cached_property
    def pathways_by_need(self) -> dict[str, tuple[Pathway, ...]]:
        """Active pathways by need id."""
        out: dict[str, list[Pathway]] = {n.id: [] for n in self.needs}
        for p in self.pathways:
            if p.active:
                for need in p.needs:
                    out.setdefault(need, []).append(p)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def pathways_by_district(self) -> dict[str, tuple[Pathway, ...]]:
        """Active pathways serving each district id."""
        out: dict[str, list[Pathway]] = {d.id: [] for d in self.districts}
        for p in self.pathways:
            if p.active:
                for d in self.served_districts(p):
                    out.setdefault(d, []).append(p)
        return {k: tuple(v) for k, v in out.items()}

    def sites_of(self, pathway: Pathway) -> tuple[Site, ...]:
        """The sites where a pathway is delivered."""
        return tuple(self.site_by_id[s] for s in pathway.sites if s in self.site_by_id)


_LOOKUPS = tuple(
    name for name, value in vars(Directory).items() if isinstance(value, cached_property)
)
