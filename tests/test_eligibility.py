"""matching.eligibility and matching.reach: every rule, table by table, at its edges."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.loading import load
from directory.models import DELIVERY_MODES, Audience, Eligibility, Pathway
from matching.eligibility import RULES, PersonFacts, check, eligible, profile
from matching.reach import decide, free_of_travel, in_person, reach, travel

# ---------------------------------------------------------------------------------------------
# Eligibility: one table per rule
# ---------------------------------------------------------------------------------------------

YOUNG_ADULTS = Eligibility(min_age=18, max_age=25)


@pytest.mark.parametrize(
    ("age", "ok"), [(10, False), (17, False), (18, True), (25, True), (26, False), (90, False)]
)
def test_age_range_is_inclusive_at_both_edges(age: int, ok: bool) -> None:
    verdict = check(YOUNG_ADULTS, PersonFacts(age=age))
    assert verdict.ok is ok
    assert verdict.rules == (() if ok else ("age",))
    assert verdict.reason == ("" if ok else "aged 18 to 25")


@pytest.mark.parametrize(
    ("rules", "age", "ok", "reason"),
    [
        (Eligibility(min_age=18), 17, False, "aged 18 or over"),
        (Eligibility(min_age=18), 18, True, ""),
        (Eligibility(max_age=17), 17, True, ""),
        (Eligibility(max_age=17), 18, False, "aged 17 or under"),
        (Eligibility(audience=Audience(under_18="focus")), 10, True, ""),
        (Eligibility(), 10, False, "not youth provision (under-18s go to youth provision)"),
        (Eligibility(), 18, True, ""),
    ],
)
def test_open_age_edges(rules: Eligibility, age: int, ok: bool, reason: str) -> None:
    verdict = check(rules, PersonFacts(age=age))
    assert (verdict.ok, verdict.reason) == (ok, reason)


WOMEN = Eligibility(genders=("female",))


@pytest.mark.parametrize(
    ("gender", "ok", "reason"),
    [
        ("female", True, ""),
        ("male", False, "women only"),
        ("non_binary", False, "women only"),
        (None, False, "women only (gender not given)"),
    ],
)
def test_women_only(gender: str | None, ok: bool, reason: str) -> None:
    verdict = check(WOMEN, PersonFacts(age=30, gender=gender))
    assert (verdict.ok, verdict.reason) == (ok, reason)
    assert check(Eligibility(), PersonFacts(age=30, gender=gender)).ok


YOUTH = Eligibility(
    min_age=10, max_age=17, disposals=("youth_caution", "youth_conditional_caution")
)


@pytest.mark.parametrize(
    ("age", "disposal", "rules"),
    [
        (10, "youth_caution", ()),
        (17, "youth_conditional_caution", ()),
        (18, "youth_caution", ("age",)),
        (15, "community_resolution", ("disposal",)),
        (15, None, ("disposal",)),
        (30, "conditional_caution", ("age", "disposal")),
    ],
)
def test_youth_only(age: int, disposal: str | None, rules: tuple[str, ...]) -> None:
    assert check(YOUTH, PersonFacts(age=age, disposal=disposal)).rules == rules


@pytest.mark.parametrize(
    ("offence", "ok", "reason"),
    [
        ("sexual", False, "not for sexual offences"),
        ("hate_crime", False, "not for hate crime offences"),
        ("theft", True, ""),
        (None, True, ""),  # an offence not given never triggers an exclusion
    ],
)
def test_excluded_offences(offence: str | None, ok: bool, reason: str) -> None:
    rules = Eligibility(excluded_offences=("sexual", "hate_crime"))
    verdict = check(rules, PersonFacts(age=30, offence=offence))
    assert (verdict.ok, verdict.reason) == (ok, reason)


@pytest.mark.parametrize(
    ("offence", "ok", "reason"),
    [
        ("shoplifting", True, ""),
        ("theft", True, ""),
        ("violence", False, "only for shoplifting or theft offences"),
        (None, False, "only for shoplifting or theft offences (offence not given)"),
    ],
)
def test_accepted_offences(offence: str | None, ok: bool, reason: str) -> None:
    rules = Eligibility(offences=("shoplifting", "theft"))
    verdict = check(rules, PersonFacts(age=30, offence=offence))
    assert (verdict.ok, verdict.reason) == (ok, reason)


@pytest.mark.parametrize(
    ("disposal", "ok", "reason"),
    [
        ("community_resolution", True, ""),
        ("conditional_caution", True, ""),
        ("simple_caution", False, "only with a community resolution or conditional caution"),
        (
            None,
            False,
            "only with a community resolution or conditional caution (no disposal given)",
        ),
    ],
)
def test_disposals(disposal: str | None, ok: bool, reason: str) -> None:
    rules = Eligibility(disposals=("community_resolution", "conditional_caution"))
    verdict = check(rules, PersonFacts(age=30, disposal=disposal))
    assert (verdict.ok, verdict.reason) == (ok, reason)


@pytest.mark.parametrize(
    ("cohorts", "ok", "reason"),
    [
        (frozenset({"veteran"}), True, ""),
        (frozenset({"care_leaver", "veteran"}), True, ""),
        (frozenset({"prison_leaver"}), False, "for veterans or care leavers only"),
        (frozenset(), False, "for veterans or care leavers only (no cohort given)"),
    ],
)
def test_cohorts_need_one_of_those_listed(cohorts: frozenset[str], ok: bool, reason: str) -> None:
    rules = Eligibility(cohorts=("veteran", "care_leaver"))
    verdict = check(rules, PersonFacts(age=30, cohorts=cohorts))
    assert (verdict.ok, verdict.reason) == (ok, reason)


def test_every_failing_rule_is_reported_in_order() -> None:
    rules = Eligibility(
        min_age=18,
        genders=("female",),
        cohorts=("veteran",),
        offences=("theft",),
        excluded_offences=("sexual",),
        disposals=("conditional_caution",),
    )
    verdict = check(rules, PersonFacts(age=16, gender="male", offence="sexual"))
    assert verdict.rules == ("age", "gender", "cohort", "offence", "excluded", "disposal")
    assert verdict.rules == RULES[:6]


def test_fit_rules_victims_youth_audience_and_prerequisites() -> None:
    """The hard filters of fit: victims' services only for victims; under-18s only youth
    provision; women-only and under-18s-only audiences; restorative justice only with the
    admission and a willing victim recorded."""
    rj = Eligibility(role="victim", requires=("admission", "victim_willing"))
    verdict = check(rj, PersonFacts(age=16))
    assert verdict.rules == ("role", "youth", "requires")
    assert verdict.reason == (
        "for people assessed as victims; not youth provision (under-18s go to youth provision); "
        "needs the admission and a willing victim recorded"
    )
    ready = PersonFacts(age=30, victim=True, admitted=True, victim_willing=True)
    assert check(rj, ready).ok
    assert check(rj, PersonFacts(age=30, victim=True, admitted=True)).rules == ("requires",)
    only = Eligibility(audience=Audience(women="only", under_18="only"))
    assert check(only, PersonFacts(age=30, gender="male")).reason == "women only; under-18s only"
    assert check(only, PersonFacts(age=15, gender="female")).ok
    assert check(Eligibility(role="both"), PersonFacts(age=30)).ok


def test_eligible_reads_the_pathway_and_profiles_ignore_notes() -> None:
    p = Pathway(id="p", name="P", needs=("debt",), eligibility=Eligibility(min_age=18, notes="x"))
    assert not eligible(p, PersonFacts(age=17)).ok
    assert profile(p.eligibility) == profile(Eligibility(min_age=18))
    assert profile(p.eligibility) != profile(Eligibility(min_age=19))


def test_shipped_rules_on_real_pathways() -> None:
    d = load()
    brighter = d.pathway_by_id["outside-links-brighter-tomorrow"]
    woman = PersonFacts(age=30, gender="female", disposal="conditional_caution")
    assert eligible(brighter, woman).ok
    assert eligible(
        brighter, PersonFacts(age=30, gender="male", disposal="conditional_caution")
    ).reason == ("women only")


# ---------------------------------------------------------------------------------------------
# Reach: one table for the rule
# ---------------------------------------------------------------------------------------------

SITE_8 = ("s8", 8.0)
SITE_31 = ("s31", 31.0)


@pytest.mark.parametrize(
    ("serves", "listed", "delivery", "nearest", "remote_ok", "expected"),
    [
        # serving the district: in person at any distance, outreach, remote when accepted
        (True, True, ("in_person",), SITE_31, True, (31.0, "in_person", "s31")),
        (True, True, ("in_person",), None, True, (3.0, "in_person", None)),  # venue on referral
        (True, True, ("in_person", "outreach"), SITE_8, False, (0.0, "outreach", None)),
        (True, True, ("in_person", "phone"), SITE_8, True, (0.0, "phone", None)),
        (True, True, ("in_person", "phone"), SITE_8, False, (8.0, "in_person", "s8")),
        (True, True, ("online",), None, False, None),
        (True, True, ("phone", "online"), None, True, (0.0, "phone", None)),
        # not serving it: a site within the limit only; remote only when no district is listed
        (False, True, ("in_person",), SITE_8, True, (8.0, "in_person", "s8")),
        (False, True, ("in_person",), SITE_31, True, None),
        (False, True, ("outreach",), None, True, None),
        (False, True, ("phone",), None, True, None),
        (False, False, ("phone",), None, True, (0.0, "phone", None)),
        (False, False, ("online",), None, False, None),
        (False, False, ("in_person", "online"), SITE_8, False, (8.0, "in_person", "s8")),
    ],
)
def test_reach_rule(
    serves: bool,
    listed: bool,
    delivery: tuple[str, ...],
    nearest: tuple[str, float] | None,
    remote_ok: bool,
    expected: tuple[float, str, str | None] | None,
) -> None:
    kwargs = {
        "serves": serves,
        "listed": listed,
        "delivery": delivery,
        "nearest": nearest,
        "centre_km": 3.0,
        "travel_km": 25.0,
        "accept_remote": remote_ok,
    }
    assert travel(**kwargs) == expected  # type: ignore[arg-type]
    r = decide(**kwargs)  # type: ignore[arg-type]
    assert r.ok is (expected is not None)
    assert r.reason
    if expected is not None:
        assert (r.distance_km, r.delivery, r.site) == expected


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        (
            {"serves": False, "listed": True, "delivery": ("in_person",), "nearest": SITE_31},
            "31 km away, beyond the 25 km travel limit",
        ),
        (
            {"serves": False, "listed": True, "delivery": ("outreach",), "nearest": None},
            "serves Peterborough only",
        ),
        (
            {"serves": True, "listed": True, "delivery": ("online",), "nearest": None},
            "online or by phone only, and remote delivery is not accepted",
        ),
    ],
)
def test_reasons_for_not_in_reach(kwargs: dict[str, object], reason: str) -> None:
    r = decide(
        **kwargs,  # type: ignore[arg-type]
        centre_km=0.0,
        travel_km=25.0,
        accept_remote=False,
        area="Peterborough",
    )
    assert (r.ok, r.reason) == (False, reason)


@given(
    serves=st.booleans(),
    listed=st.booleans(),
    delivery=st.lists(st.sampled_from(DELIVERY_MODES), min_size=1, unique=True),
    site_km=st.none() | st.floats(0, 80),
    centre_km=st.floats(0, 30),
    travel_km=st.floats(0, 60),
    remote_ok=st.booleans(),
    remote_km=st.sampled_from((0.0, 0.0, 2.5)),
)
def test_free_of_travel_means_no_travel_whatever_the_point(
    serves: bool,
    listed: bool,
    delivery: list[str],
    site_km: float | None,
    centre_km: float,
    travel_km: float,
    remote_ok: bool,
    remote_km: float,
) -> None:
    way = travel(
        serves=serves,
        listed=listed,
        delivery=delivery,
        nearest=None if site_km is None else ("s", site_km),
        centre_km=centre_km,
        travel_km=travel_km,
        accept_remote=remote_ok,
        remote_km=remote_km,
    )
    if free_of_travel(
        serves=serves,
        listed=listed,
        delivery=delivery,
        accept_remote=remote_ok,
        remote_km=remote_km,
    ):
        assert way is not None
        assert way[0] == 0.0
    if way is not None:
        assert way[0] >= 0
        assert way[1] in delivery


@given(
    serves=st.booleans(),
    listed=st.booleans(),
    site_km=st.none() | st.floats(0, 80),
    centre_km=st.floats(0, 30),
    travel_km=st.floats(0, 60),
    remote_ok=st.booleans(),
)
def test_in_person_is_travel_for_a_pathway_delivered_only_in_person(
    serves: bool,
    listed: bool,
    site_km: float | None,
    centre_km: float,
    travel_km: float,
    remote_ok: bool,
) -> None:
    """The matcher calls ``in_person`` for pathways delivered only in person: the same answer."""
    nearest = None if site_km is None else ("s", site_km)
    assert in_person(serves, nearest, centre_km, travel_km) == travel(
        serves=serves,
        listed=listed,
        delivery=("in_person",),
        nearest=nearest,
        centre_km=centre_km,
        travel_km=travel_km,
        accept_remote=remote_ok,
    )


def test_reach_of_a_shipped_pathway_uses_the_nearest_site() -> None:
    d = load()
    from matching.assessment import assess

    person = assess(d, needs="drugs", where="Wisbech", age=30, accept_remote=False)
    r = reach(d, d.pathway_by_id["outside-links-brighter-tomorrow"], person)
    assert not r.ok
    assert r.nearest_km is not None
    assert r.nearest_km > person.travel_km
    assert r.reason == f"{r.nearest_km:.0f} km away, beyond the 25 km travel limit"
