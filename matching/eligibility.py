"""Who a pathway accepts: every eligibility rule, checked against the facts of one person.

The one source of truth for eligibility: the matcher, its explanations and the gaps queries all
call :func:`eligible` (or :func:`check`, its core over an
:class:`~directory.models.Eligibility`). Pure functions; no I/O, no state.

The rules, in the order they are checked and reported
-----------------------------------------------------
============== ==========================================================================
rule           the person passes when
============== ==========================================================================
``age``        ``min_age <= age <= max_age`` (both edges inclusive; a missing edge is open)
``gender``     no genders are listed, or their gender is one of those listed
``cohort``     no cohorts are listed, or they belong to at least one of those listed
``offence``    no offences are listed, or their offence is one of those listed
``excluded``   their offence is not one of the excluded offences
``disposal``   no disposals are listed, or their disposal is one of those listed
``role``       the pathway is not for victims only (``role: victim``), or they are assessed
               as a victim
``youth``      they are 18 or over, or the pathway says it takes under-18s:
               ``audience.under_18`` ``focus`` or ``only``, a ``min_age``, or a ``max_age``
               under 18 (under-18s only
               through youth provision; a ``min_age`` of 18 or more fails ``age`` instead)
``audience``   the pathway is not for women only or under-18s only, or they are in the group
``requires``   every fact the pathway ``requires`` is recorded (restorative justice: the
               admission and a willing victim)
============== ==========================================================================

A fact that was not given (gender, offence or disposal ``None``, no cohorts) never satisfies a
rule that lists values: the matcher does not refer a person to a pathway that may turn them away.
The failure then says the fact was not given, so the officer can add it. A fact not given never
triggers an exclusion either (no offence, no excluded offence).

>>> from directory.models import Eligibility
>>> women_18_plus = Eligibility(min_age=18, genders=("female",))
>>> check(women_18_plus, PersonFacts(age=34, gender="female")).ok
True
>>> verdict = check(women_18_plus, PersonFacts(age=17, gender="male"))
>>> verdict.ok, verdict.rules, verdict.reason
(False, ('age', 'gender'), 'aged 18 or over; women only')
>>> check(women_18_plus, PersonFacts(age=40)).reason
'women only (gender not given)'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from directory.models import COHORT_WORDS

if TYPE_CHECKING:
    from collections.abc import Collection

    from directory.models import Eligibility, Pathway

__all__ = [
    "RULES",
    "EligibilityFacts",
    "Failure",
    "PersonFacts",
    "Rule",
    "Verdict",
    "check",
    "cohort_words",
    "eligible",
    "gender_words",
    "profile",
    "words",
]

Rule = Literal[
    "age",
    "gender",
    "cohort",
    "offence",
    "excluded",
    "disposal",
    "role",
    "youth",
    "audience",
    "requires",
]
RULES: tuple[Rule, ...] = (
    "age",
    "gender",
    "cohort",
    "offence",
    "excluded",
    "disposal",
    "role",
    "youth",
    "audience",
    "requires",
)
"""The rules in the order they are checked and reported."""

_GENDER_WORDS = {"female": "women", "male": "men", "non_binary": "non-binary people"}
_COHORT_WORDS = COHORT_WORDS


class EligibilityFacts(Protocol):
    """The facts of a person that eligibility depends on.

    :class:`~matching.assessment.Assessment` has them, and so has :class:`PersonFacts`.
    """

    @property
    def age(self) -> int: ...

    @property
    def gender(self) -> str | None: ...

    @property
    def cohorts(self) -> Collection[str]: ...

    @property
    def offence(self) -> str | None: ...

    @property
    def disposal(self) -> str | None: ...


#: Recorded facts read when the facts have them (an Assessment and PersonFacts do; demand
#: records of gaps need not): absent counts as not recorded, or not assessed as a victim.
OPTIONAL_FACTS = ("victim", "admitted", "consents", "victim_views", "victim_willing")


def _fact(facts: EligibilityFacts, name: str) -> bool:
    return bool(getattr(facts, name, False))


_FACT_WORDS = {
    "admission": ("admitted", "the admission"),
    "consent": ("consents", "the person's consent"),
    "victim_views": ("victim_views", "the victim's views"),
    "victim_willing": ("victim_willing", "a willing victim"),
}


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """The eligibility facts alone, for callers without a whole assessment (gaps, tests).

    >>> PersonFacts(age=19, cohorts=frozenset({"care_leaver"})).cohorts
    frozenset({'care_leaver'})
    """

    age: int
    gender: str | None = None
    cohorts: frozenset[str] = field(default_factory=frozenset)
    offence: str | None = None
    disposal: str | None = None
    victim: bool = False
    admitted: bool = False
    consents: bool = False
    victim_views: bool = False
    victim_willing: bool = False


@dataclass(frozen=True, slots=True)
class Failure:
    """One rule a person does not meet, and why in plain words."""

    rule: Rule
    reason: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a person is eligible, and every rule they fail (in :data:`RULES` order)."""

    failures: tuple[Failure, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no rule fails."""
        return not self.failures

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The failing rules."""
        return tuple(f.rule for f in self.failures)

    @property
    def reason(self) -> str:
        """The failures joined with ``"; "`` (empty when eligible)."""
        return "; ".join(f.reason for f in self.failures)


def words(value: str) -> str:
    """A vocabulary id in words: ``conditional_caution`` -> ``conditional caution``.

    >>> words("drug_possession")
    'drug possession'
    """
    return value.replace("_", " ")


def gender_words(genders: Collection[str]) -> str:
    """Who a gender rule admits: ``("female",)`` -> ``women``.

    >>> gender_words(("female", "non_binary"))
    'women and non-binary people'
    """
    return " and ".join(_GENDER_WORDS.get(g, words(g)) for g in genders)


def cohort_words(cohorts: Collection[str]) -> str:
    """Who a cohort rule admits: ``("veteran", "care_leaver")`` -> ``veterans or care leavers``.

    >>> cohort_words(("veteran", "care_leaver"))
    'veterans or care leavers'
    """
    return " or ".join(_COHORT_WORDS.get(c, words(c)) for c in cohorts)


def _ages(rules: Eligibility) -> str:
    lo, hi = rules.min_age, rules.max_age
    if lo is not None and hi is not None:
        return f"aged {lo} to {hi}"
    if lo is not None:
        return f"aged {lo} or over"
    return f"aged {hi} or under"


def _either(values: Collection[str]) -> str:
    items = [words(v) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def check(rules: Eligibility, facts: EligibilityFacts) -> Verdict:
    """Check every rule of ``rules`` against ``facts``; the verdict lists all that fail.

    Parameters
    ----------
    rules : Eligibility
        A pathway's eligibility (``pathway.eligibility``).
    facts : EligibilityFacts
        Age, gender, cohorts, offence and disposal of the person.

    Returns
    -------
    Verdict
        ``ok`` when every rule passes, else each failing rule with its reason, in :data:`RULES`
        order.

    Examples
    --------
    >>> from directory.models import Eligibility
    >>> young = Eligibility(min_age=18, max_age=25)
    >>> [check(young, PersonFacts(age=a)).ok for a in (17, 18, 25, 26)]
    [False, True, True, False]
    >>> no_sex = Eligibility(excluded_offences=("sexual",))
    >>> check(no_sex, PersonFacts(age=30, offence="sexual")).reason
    'not for sexual offences'
    >>> only = Eligibility(disposals=("community_resolution", "conditional_caution"))
    >>> check(only, PersonFacts(age=30)).reason
    'only with a community resolution or conditional caution (no disposal given)'
    """
    failures: list[Failure] = []
    age = facts.age
    if (rules.min_age is not None and age < rules.min_age) or (
        rules.max_age is not None and age > rules.max_age
    ):
        failures.append(Failure("age", _ages(rules)))
    if rules.genders and facts.gender not in rules.genders:
        missing = " (gender not given)" if facts.gender is None else ""
        failures.append(Failure("gender", f"{gender_words(rules.genders)} only{missing}"))
    if rules.cohorts and not set(rules.cohorts) & set(facts.cohorts):
        missing = " (no cohort given)" if not facts.cohorts else ""
        failures.append(Failure("cohort", f"for {cohort_words(rules.cohorts)} only{missing}"))
    offence = facts.offence
    if rules.offences and offence not in rules.offences:
        missing = " (offence not given)" if offence is None else ""
        failures.append(Failure("offence", f"only for {_either(rules.offences)} offences{missing}"))
    if offence is not None and offence in rules.excluded_offences:
        failures.append(Failure("excluded", f"not for {words(offence)} offences"))
    if rules.disposals and facts.disposal not in rules.disposals:
        missing = " (no disposal given)" if facts.disposal is None else ""
        failures.append(Failure("disposal", f"only with a {_either(rules.disposals)}{missing}"))
    if rules.role == "victim" and not _fact(facts, "victim"):
        failures.append(Failure("role", "for people assessed as victims"))
    youth = rules.audience.under_18
    says_youth = rules.min_age is not None or (rules.max_age is not None and rules.max_age < 18)
    if age < 18 and youth == "open" and not says_youth:  # (a min_age of 18 fails "age")
        failures.append(Failure("youth", "not youth provision (under-18s go to youth provision)"))
    groups = []
    # (not again when the gender or age rule already says so)
    if rules.audience.women == "only" and facts.gender != "female" and rules.genders != ("female",):
        groups.append("women only")
    if youth == "only" and age >= 18 and not (rules.max_age is not None and rules.max_age < 18):
        groups.append("under-18s only")
    if groups:
        failures.append(Failure("audience", "; ".join(groups)))
    missing_facts = [
        words
        for need, (attr, words) in _FACT_WORDS.items()
        if need in rules.requires and not _fact(facts, attr)
    ]
    if missing_facts:
        failures.append(Failure("requires", "needs " + " and ".join(missing_facts) + " recorded"))
    return Verdict(tuple(failures))


def eligible(pathway: Pathway, facts: EligibilityFacts) -> Verdict:
    """Whether ``pathway`` accepts the person: :func:`check` on its eligibility.

    Activity, reach and places are other questions (:mod:`matching.reach`,
    :mod:`matching.capacity`).

    >>> from directory.models import Eligibility, Pathway
    >>> p = Pathway(id="bt", name="Brighter Tomorrow", needs=("drugs",),
    ...             eligibility=Eligibility(min_age=18, genders=("female",)))
    >>> eligible(p, PersonFacts(age=30, gender="male")).reason
    'women only'
    """
    return check(pathway.eligibility, facts)


def profile(rules: Eligibility) -> tuple[object, ...]:
    """The rules of an eligibility without its notes: equal profiles accept the same people.

    The matcher checks each distinct profile once per person instead of each pathway.

    >>> from directory.models import Eligibility
    >>> profile(Eligibility(min_age=18, notes="a")) == profile(Eligibility(min_age=18))
    True
    """
    return (
        rules.min_age,
        rules.max_age,
        rules.genders,
        rules.cohorts,
        rules.offences,
        rules.excluded_offences,
        rules.disposals,
        rules.role,
        rules.audience,
        rules.requires,
    )
