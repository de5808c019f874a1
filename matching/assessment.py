"""The assessment: one person's assessed needs and the facts that decide eligibility and reach.

An :class:`Assessment` holds need ids, the person's district and point (the centre of the town,
postcode district or coordinates the officer gave, else the district's centre), age, gender,
cohorts, offence category, disposal, the agencies already working with them (and for which
needs), how far they will travel and whether they accept remote delivery or a waitlist. It holds
no name or identifier beyond an optional opaque ``reference``; its ``repr`` shows only the
reference, the needs and the district, and the library never logs it.

Build one from the words an officer types with :func:`assess` (or an :class:`Assessor`, which
keeps the taxonomy and gazetteer for many assessments):

>>> from directory.loading import load
>>> d = load()
>>> a = assess(d, needs="housing, drink, debt", where="Wisbech", age=34, gender="woman")
>>> a.needs, a.district, a.gender
(('accommodation', 'alcohol', 'debt'), 'fenland', 'female')
>>> a
Assessment(reference=None, needs=('accommodation', 'alcohol', 'debt'), district='fenland')

Contradictions are refused with :class:`~directory.errors.AssessmentError`, unknown words with
"did you mean":

>>> assess(d, needs="drugs", where="Wisbech", age=34, disposal="youth_caution")
Traceback (most recent call last):
...
directory.errors.AssessmentError: a youth caution is for under-18s, and the person is 34
>>> assess(d, needs="drnks", where="Wisbech", age=34)
Traceback (most recent call last):
...
directory.errors.UnknownNeedError: unknown need 'drnks'; did you mean ...?
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from directory.errors import AssessmentError, NotFoundError
from directory.interpret import need_reading, place_reading
from directory.models import (
    COHORTS,
    DISPOSAL_ALIASES,
    DISPOSALS,
    GENDERS,
    OFFENCES,
    Cohort,
    Disposal,
    Gender,
    Offence,
)
from directory.places import Gazetteer
from directory.rules import did_you_mean
from directory.taxonomy import Taxonomy, normalise

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from pydantic._internal._repr import ReprArgs

    from directory.interpret import Interpretation
    from directory.models import Directory
    from directory.places import Geocoder, Locality
    from directory.taxonomy import Resolution

__all__ = [
    "ADULT_ONLY_DISPOSALS",
    "LEVEL_WORDS",
    "MIN_AGE",
    "VICTIM_NEEDS",
    "YOUTH_DISPOSALS",
    "Assessment",
    "Assessor",
    "assess",
    "check_reference",
    "contradictions",
    "parse_engaged",
]

MIN_AGE = 10
"""The age of criminal responsibility in England and Wales."""

YOUTH_DISPOSALS: frozenset[str] = frozenset({"youth_caution", "youth_conditional_caution"})
"""Disposals for under-18s only (Crime and Disorder Act 1998, ss. 66ZA and 66A)."""

ADULT_ONLY_DISPOSALS: frozenset[str] = frozenset(
    {"simple_caution", "conditional_caution", "diversionary_caution", "community_caution"}
)
"""Disposals for people aged 18 or over: adult cautions (Criminal Justice Act 2003 s. 22; under-18s
receive youth cautions instead) and the two tiers of the Police, Crime, Sentencing and Courts Act
2022, Part 6."""

#: Words an officer types after a need (``housing:urgent``) for the level it is assessed at.
#: ``urgent`` is the level residential, crisis and refuge provision (L4) is for; ``ordinary``
#: (the default) is any other.
LEVEL_WORDS: dict[str, str] = {
    "urgent": "urgent",
    "fleeing": "urgent",
    "crisis": "urgent",
    "emergency": "urgent",
    "roofless": "urgent",
    "homeless tonight": "urgent",
    "ordinary": "ordinary",
    "routine": "ordinary",
}

VICTIM_NEEDS: frozenset[str] = frozenset({"domestic_abuse_victim"})
"""Needs whose assessment is an assessment as a victim (Victims' Code: harmed by an offence)."""

_REFERENCE = re.compile(r"^[!-~]{1,128}$")
Reference = Annotated[str, StringConstraints(pattern=_REFERENCE.pattern)]
NeedId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$", max_length=64)]
AgencyId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=100)]

_GENDER_WORDS = {
    "f": "female",
    "female": "female",
    "woman": "female",
    "women": "female",
    "girl": "female",
    "m": "male",
    "male": "male",
    "man": "male",
    "men": "male",
    "boy": "male",
    "non binary": "non_binary",
    "nonbinary": "non_binary",
    "nb": "non_binary",
    "enby": "non_binary",
}


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("assessment", message)


def _article(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


class Assessment(BaseModel):
    """One person's assessed needs and the facts that decide eligibility and reach.

    Lists are kept sorted and without repeats, so two assessments of the same facts are equal
    whatever the order the facts were given in. Build with :func:`assess` to resolve words; direct
    construction takes ids and raises pydantic's ``ValidationError`` on contradictions.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    reference: Reference | None = None
    """An opaque reference (a case key or uuid; never a name): 1-128 printable characters."""
    needs: Annotated[tuple[NeedId, ...], Field(min_length=1)]
    """Assessed need ids, sorted; includes needs already met by engaged agencies."""
    district: NeedId
    """The district the person lives in."""
    lat: float
    """Latitude of the person's point (town, postcode district, coordinates or district)."""
    lon: float
    """Longitude of the person's point."""
    age: int
    """Age in years (10 or more)."""
    gender: Gender | None = None
    cohorts: tuple[Cohort, ...] = ()
    """Cohort flags (veteran, care_leaver...), sorted."""
    offence: Offence | None = None
    """Offence category."""
    disposal: Disposal | None = None
    """The out-of-court disposal given or proposed (``deferred_prosecution`` is read as
    ``conditional_caution``)."""
    urgent: tuple[NeedId, ...] = ()
    """Needs assessed at the urgent level (``housing:urgent``, ``fleeing``): the only needs
    residential, crisis and refuge provision (L4) is a candidate for. Sorted; others ordinary."""
    victim: bool = False
    """Assessed as a victim (set when a victim's need such as domestic abuse victim is assessed)."""
    admitted: bool = False
    """The person has admitted the offence (recorded)."""
    consents: bool = False
    """The person consents to the disposal and its conditions (recorded)."""
    victim_views: bool = False
    """The victim's views have been sought and recorded."""
    victim_willing: bool = False
    """The victim is willing to take part in restorative justice (recorded)."""
    engaged: dict[AgencyId, tuple[NeedId, ...]] = Field(default_factory=dict)
    """Agencies already working with the person, each with the assessed needs it already meets
    (possibly none: an engaged agency costs nothing to add)."""
    travel_km: float = 25.0
    """How far the person will travel to a site, in km."""
    accept_remote: bool = True
    """Whether phone or online delivery is acceptable."""
    accept_waitlist: bool = False
    """Whether a waitlisted referral is acceptable for a need no pathway with a place can take."""

    @model_validator(mode="before")
    @classmethod
    def _read_old_words(cls, values: Any) -> Any:
        if isinstance(values, dict):
            if values.get("disposal") in DISPOSAL_ALIASES:
                values = {**values, "disposal": DISPOSAL_ALIASES[values["disposal"]]}
            needs = values.get("needs")
            if isinstance(needs, list | tuple) and VICTIM_NEEDS & set(needs):
                values = {**values, "victim": True}
        return values

    @field_validator("needs", "cohorts", "urgent")
    @classmethod
    def _sorted(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(values)))

    @field_validator("engaged")
    @classmethod
    def _engaged_sorted(cls, engaged: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return {a: tuple(sorted(set(engaged[a]))) for a in sorted(engaged)}

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for message in contradictions(self):
            raise _fail(message)
        return self

    def __repr_args__(self) -> ReprArgs:
        """Only the reference, needs and district: the other facts describe a person."""
        yield "reference", self.reference
        yield "needs", self.needs
        yield "district", self.district

    @property
    def met(self) -> dict[str, str]:
        """Needs already met, each with the engaged agency meeting it."""
        return {n: a for a, needs in self.engaged.items() for n in needs}


def contradictions(a: Assessment) -> list[str]:
    """Every way the facts of ``a`` contradict each other or the law (empty when none)."""
    out: list[str] = []
    if a.age < MIN_AGE:
        out.append(f"age {a.age} is under {MIN_AGE}, the age of criminal responsibility")
    elif a.age > 120:
        out.append(f"age {a.age} is over 120")
    if a.disposal in YOUTH_DISPOSALS and a.age >= 18:
        out.append(
            f"{_article(a.disposal.replace('_', ' '))} is for under-18s, and the person is {a.age}"
        )
    if a.disposal in ADULT_ONLY_DISPOSALS and a.age < 18:
        out.append(
            f"{_article(a.disposal.replace('_', ' '))} is for adults, and the person is {a.age}"
        )
    if not (math.isfinite(a.travel_km) and a.travel_km >= 0):
        out.append(f"travel_km must be 0 or more km, not {a.travel_km}")
    if not (math.isfinite(a.lat) and math.isfinite(a.lon)):
        out.append("the person's point is not a latitude and a longitude")
    for need in a.urgent:
        if need not in a.needs:
            out.append(f"{need!r} is assessed as urgent, but it is not an assessed need")
    seen: dict[str, str] = {}
    for agency, needs in a.engaged.items():
        for need in needs:
            if need not in a.needs:
                out.append(f"{agency} is said to meet {need!r}, which is not an assessed need")
            elif need in seen:
                out.append(f"{need!r} is said to be met by both {seen[need]} and {agency}")
            seen.setdefault(need, agency)
    return out


def check_reference(reference: str) -> str:
    """Return ``reference`` if it is 1-128 printable characters without spaces, else raise.

    >>> check_reference("case-2026-0042")
    'case-2026-0042'
    """
    if not isinstance(reference, str) or not _REFERENCE.match(reference):
        raise AssessmentError(
            "a reference is 1 to 128 printable characters without spaces (never a name)"
        )
    return reference


def _word(text: str) -> str:
    return normalise(text).replace(" ", "_")


def _vocabulary(kind: str, text: str, allowed: tuple[str, ...]) -> str:
    key = _word(text)
    if key in allowed:
        return key
    if key.endswith("s") and key[:-1] in allowed:  # "veterans", "care leavers"
        return key[:-1]
    near = did_you_mean(key, allowed)
    hint = f"; did you mean {', '.join(repr(n) for n in near)}?" if near else ""
    raise AssessmentError(f"unknown {kind} {text!r}{hint} (one of {', '.join(allowed)})")


def parse_engaged(text: str) -> dict[str, tuple[str, ...]]:
    """Read ``"agency:need|need;agency2:need"`` (needs optional) into a mapping.

    The words are not resolved here: :meth:`Assessor.assess` resolves agencies and needs.

    >>> parse_engaged("cgl-cambridgeshire:drugs|alcohol; outside-links")
    {'cgl-cambridgeshire': ('drugs', 'alcohol'), 'outside-links': ()}
    >>> parse_engaged("")
    {}
    """
    out: dict[str, tuple[str, ...]] = {}
    for item in text.split(";"):
        if not item.strip():
            continue
        agency, _, needs = item.partition(":")
        words = tuple(w.strip() for w in needs.split("|") if w.strip())
        out[agency.strip()] = out.get(agency.strip(), ()) + words
    return out


class Assessor:
    """Builds assessments from typed words for one directory (taxonomy and gazetteer kept).

    Resolutions of need words, places and agency names are remembered for the life of the
    assessor, in memory only: a cohort of thousands resolves each distinct text once.
    """

    def __init__(
        self,
        directory: Directory,
        *,
        taxonomy: Taxonomy | None = None,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self.directory = directory
        self.taxonomy = taxonomy or Taxonomy.from_directory(directory)
        self.gazetteer = gazetteer or Gazetteer.from_directory(directory)
        self._needs: dict[str, str] = {}
        self._places: dict[str | tuple[float, float], tuple[str, float, float]] = {}
        self._read_needs: dict[str, Resolution] = {}  # typed word -> how it was read
        self._read_places: dict[str, Locality] = {}
        self._agencies: dict[str, str] = {}
        self._agency_keys = {normalise(a.id): a.id for a in directory.agencies} | {
            normalise(a.name): a.id for a in directory.agencies
        }

    def need(self, text: str) -> str:
        """The need id of one typed word or phrase (an id, label, synonym or near spelling)."""
        hit = self._needs.get(text)
        if hit is None:
            known = text in self.directory.need_by_id
            hit = text if known else self._read(text, self.taxonomy.resolve(text))
            self._needs[text] = hit
        return hit

    def needs(self, needs: str | Iterable[str]) -> tuple[str, ...]:
        """Need ids of a comma/semicolon-separated text or of several words, sorted."""
        return self.needs_and_levels(needs)[0]

    def needs_and_levels(
        self, needs: str | Iterable[str]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Need ids, and those assessed urgent, of words that may carry a level after a colon.

        >>> from directory.loading import load
        >>> Assessor(load()).needs_and_levels("housing:urgent, debt")
        (('accommodation', 'debt'), ('accommodation',))
        """
        items = needs.replace(";", ",").split(",") if isinstance(needs, str) else list(needs)
        plain: list[str] = []
        found: set[str] = set()
        urgent: set[str] = set()
        for item in items:
            word, colon, level = item.partition(":")
            if not colon:
                plain.append(item)
                continue
            key = normalise(level)
            if key not in LEVEL_WORDS:
                raise AssessmentError(
                    f"unknown level {level.strip()!r} for {word.strip()!r}; "
                    f"use one of {', '.join(sorted(LEVEL_WORDS))}"
                )
            need = self.need(word.strip())
            found.add(need)
            if LEVEL_WORDS[key] == "urgent":
                urgent.add(need)
        if isinstance(needs, str):
            text = ", ".join(w for w in plain if w.strip())
            read = self.taxonomy.readings(text) if text.strip() else ()
            found |= {self._read(typed, r) for typed, r in read}
        else:
            found |= {self.need(w) for w in plain}
        if not found:
            raise AssessmentError("no needs were given")
        return tuple(sorted(found)), tuple(sorted(urgent))

    def place(
        self, where: str | tuple[float, float], *, geocoder: Geocoder | None = None
    ) -> tuple[str, float, float]:
        """(district, lat, lon) of a district, town, postcode or coordinates."""
        hit = self._places.get(where)
        if hit is None:
            loc = self.gazetteer.resolve(where, geocoder=geocoder)
            hit = (loc.district, loc.lat, loc.lon)
            if isinstance(where, str):
                self._read_places[" ".join(where.split())] = loc
            if loc.kind != "geocoder":
                self._places[where] = hit
        return hit

    def _read(self, typed: str, resolution: Resolution) -> str:
        self._read_needs.setdefault(" ".join(typed.split()), resolution)
        return resolution.need

    def readings(self) -> tuple[Interpretation, ...]:
        """How every need word and place typed so far was read, in the order first seen.

        Words given as need ids are left out. Say the ones that are not ``exact`` (a corrected
        spelling, a full postcode placed at its district's centre) to the reader.

        >>> from directory.loading import load
        >>> assessor = Assessor(load())
        >>> _ = assessor.needs("housng, drink")
        >>> [(r.typed, r.read_as, r.exact) for r in assessor.readings()]
        [('housng', 'accommodation', False), ('drink', 'alcohol', True)]
        """
        needs = [
            need_reading(self.directory, t, r)
            for t, r in self._read_needs.items()
            if t not in self.directory.need_by_id
        ]
        places = [place_reading(self.directory, t, loc) for t, loc in self._read_places.items()]
        return (*needs, *places)

    def agency(self, text: str) -> str:
        """The id of an agency named by its id or name; NotFoundError with suggestions."""
        hit = self._agencies.get(text)
        if hit is None:
            hit = self._agency_keys.get(normalise(text))
            if hit is None:
                raise NotFoundError(
                    "agency", text, did_you_mean(text, [a.id for a in self.directory.agencies])
                )
            self._agencies[text] = hit
        return hit

    @staticmethod
    def gender(text: str | None) -> str | None:
        """A gender id from an id or a plain word (``woman``, ``F``, ``non-binary``); None if blank.

        >>> Assessor.gender("Woman"), Assessor.gender("nb"), Assessor.gender("")
        ('female', 'non_binary', None)
        """
        return _gender(text)

    @staticmethod
    def cohort(text: str) -> str:
        """A cohort id from an id or words (``care leavers``).

        >>> Assessor.cohort("Care leavers")
        'care_leaver'
        """
        return _vocabulary("cohort", text, COHORTS)

    @staticmethod
    def offence(text: str | None) -> str | None:
        """An offence category id from an id or words; None if blank."""
        return None if not text or not text.strip() else _vocabulary("offence", text, OFFENCES)

    @staticmethod
    def disposal(text: str | None) -> str | None:
        """A disposal id from an id or words (``conditional caution``); None if blank.

        >>> Assessor.disposal("deferred prosecution")
        'conditional_caution'
        """
        if not text or not text.strip():
            return None
        alias = DISPOSAL_ALIASES.get(_word(text))
        return alias or _vocabulary("disposal", text, DISPOSALS)

    def assess(
        self,
        *,
        needs: str | Iterable[str],
        where: str | tuple[float, float],
        age: int,
        gender: str | None = None,
        cohorts: str | Iterable[str] = (),
        offence: str | None = None,
        disposal: str | None = None,
        engaged: str | Mapping[str, str | Iterable[str]] | None = None,
        travel_km: float = 25.0,
        accept_remote: bool = True,
        accept_waitlist: bool = False,
        reference: str | None = None,
        geocoder: Geocoder | None = None,
        urgent: str | Iterable[str] = (),
        victim: bool = False,
        admitted: bool = False,
        consents: bool = False,
        victim_views: bool = False,
        victim_willing: bool = False,
    ) -> Assessment:
        """An :class:`Assessment` from what an officer types; see :func:`assess`."""
        if isinstance(age, bool) or not isinstance(age, int):
            raise AssessmentError(f"age must be a whole number of years, not {age!r}")
        if not isinstance(travel_km, int | float) or not (
            math.isfinite(travel_km) and travel_km >= 0
        ):
            raise AssessmentError(f"travel_km must be 0 or more km, not {travel_km!r}")
        if reference is not None:
            check_reference(reference)
        found, urgent_ids = self.needs_and_levels(needs)
        need_ids = set(found)
        if isinstance(urgent, str):
            urgent = [u for u in urgent.replace(";", ",").split(",") if u.strip()]
        more = {self.need(u) for u in urgent}
        need_ids |= more
        urgent_ids = tuple(sorted(set(urgent_ids) | more))
        met: dict[str, tuple[str, ...]] = {}
        if isinstance(engaged, str):
            engaged = parse_engaged(engaged)
        for agency_text, words in (engaged or {}).items():
            agency = self.agency(agency_text)
            items = [words] if isinstance(words, str) else list(words)
            ids = tuple(self.need(w) for w in items if w.strip())
            met[agency] = met.get(agency, ()) + ids
            need_ids.update(ids)
        if isinstance(cohorts, str):
            cohorts = [c for c in cohorts.replace(",", ";").split(";") if c.strip()]
        district, lat, lon = self.place(where, geocoder=geocoder)
        values: dict[str, Any] = {
            "reference": reference,
            "needs": tuple(need_ids),
            "district": district,
            "lat": lat,
            "lon": lon,
            "age": age,
            "gender": self.gender(gender),
            "cohorts": tuple(self.cohort(c) for c in cohorts),
            "offence": self.offence(offence),
            "disposal": self.disposal(disposal),
            "engaged": met,
            "travel_km": float(travel_km),
            "accept_remote": accept_remote,
            "accept_waitlist": accept_waitlist,
            "urgent": urgent_ids,
            "victim": victim or bool(VICTIM_NEEDS & need_ids),
            "admitted": admitted,
            "consents": consents,
            "victim_views": victim_views,
            "victim_willing": victim_willing,
        }
        try:
            return Assessment(**values)
        except ValidationError as err:
            messages = [
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" if e["loc"] else str(e["msg"])
                for e in err.errors()
            ]
            raise AssessmentError("; ".join(messages)) from None


def _gender(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    key = normalise(text)
    if key in _GENDER_WORDS:
        return _GENDER_WORDS[key]
    return _vocabulary("gender", text, GENDERS)


def assess(
    directory: Directory,
    *,
    needs: str | Iterable[str],
    where: str | tuple[float, float],
    age: int,
    gender: str | None = None,
    cohorts: str | Iterable[str] = (),
    offence: str | None = None,
    disposal: str | None = None,
    engaged: str | Mapping[str, str | Iterable[str]] | None = None,
    travel_km: float = 25.0,
    accept_remote: bool = True,
    accept_waitlist: bool = False,
    reference: str | None = None,
    geocoder: Geocoder | None = None,
    urgent: str | Iterable[str] = (),
    victim: bool = False,
    admitted: bool = False,
    consents: bool = False,
    victim_views: bool = False,
    victim_willing: bool = False,
) -> Assessment:
    """An :class:`Assessment` from the words an officer types.

    Parameters
    ----------
    directory : Directory
        The directory whose taxonomy, localities and agencies the words are resolved against.
    needs : str or iterable of str
        ``"housing, drink, debt"`` (commas or semicolons), or words/ids one by one.
    where : str or (lat, lon)
        A district, town, postcode (district) or coordinates; the person's point is its centre.
    age : int
        Age in years, 10 or more.
    gender, offence, disposal : str, optional
        Vocabulary ids or plain words (``"woman"``, ``"conditional caution"``).
    cohorts : str or iterable of str
        Cohort ids or words (``"veterans; care leaver"``).
    engaged : str or mapping, optional
        Agencies already working with the person: ``{"cgl-cambridgeshire": ["drugs"]}`` or
        ``"cgl-cambridgeshire:drugs|alcohol;outside-links"``. Their needs count as assessed and
        already met.
    travel_km : float
        How far the person will travel (default 25).
    accept_remote, accept_waitlist : bool
        Whether phone/online delivery (default yes) and waitlisted referrals (default no) are
        acceptable.
    reference : str, optional
        An opaque reference (never a name), carried to the plan.
    geocoder : Geocoder, optional
        Consulted for places the gazetteer does not know.
    urgent : str or iterable of str
        Needs assessed at the urgent level (also ``"housing:urgent"`` in ``needs``): only these
        may go to residential, crisis or refuge provision.
    victim : bool
        Assessed as a victim (implied by a victim's need such as domestic abuse victim).
    admitted, consents, victim_views, victim_willing : bool
        Recorded facts: the admission, the person's consent, the victim's views sought, the
        victim willing to take part in restorative justice.

    Raises
    ------
    UnknownNeedError, UnknownPlaceError
        Words that do not resolve, with suggestions.
    NotFoundError
        An engaged agency the directory does not hold, with suggestions.
    AssessmentError
        Contradictions: age under 10, a youth disposal for an adult, an adult disposal for an
        under-18, a need met by two engaged agencies, negative travel, unknown vocabulary.
    """
    return Assessor(directory).assess(
        needs=needs,
        where=where,
        age=age,
        gender=gender,
        cohorts=cohorts,
        offence=offence,
        disposal=disposal,
        engaged=engaged,
        travel_km=travel_km,
        accept_remote=accept_remote,
        accept_waitlist=accept_waitlist,
        reference=reference,
        geocoder=geocoder,
        urgent=urgent,
        victim=victim,
        admitted=admitted,
        consents=consents,
        victim_views=victim_views,
        victim_willing=victim_willing,
    )
