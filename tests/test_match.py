"""matching.match: exact plans against independent oracles, determinism, reasons, capacity.

The oracles are written here and share nothing with the matcher but the public rules
(:func:`matching.eligibility.eligible`, :func:`matching.reach.reach`, the availability source):

- the candidates, by a plain scan of every pathway (no index, no grid, no shortcuts);
- the best plan, by a brute force over every irredundant set of candidates (branching on the
  lowest need not yet met), with its own key code: all six objective levels and the chosen set;
- the objective, by a MIP in HiGHS built from the same candidate list (levels 1-5).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import itertools
import json
import math
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.errors import AssessmentError, NotFoundError
from directory.loading import load
from directory.models import Agency, Capacity, Directory, Pathway
from directory.places import haversine_km
from matching.assessment import Assessment, assess
from matching.batch import match_many
from matching.capacity import Ledger, NominalCapacity
from matching.eligibility import eligible
from matching.explain import unmet_explanation
from matching.index import CELL_LAT, CELL_LON, Index, cell_of
from matching.match import NEAR_MISS_KM, Matcher, match
from matching.plan import UNMET_REASONS, Plan
from matching.reach import reach
from tests.oracle import exact_highs
from tests.strategies import match_assessments, match_directories

DAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def shipped() -> Directory:
    return load()


@pytest.fixture(scope="module")
def matcher(shipped: Directory) -> Matcher:
    return Matcher(shipped)


# ---------------------------------------------------------------------------------------------
# Oracle 1: candidates by a plain scan
# ---------------------------------------------------------------------------------------------

Cand = tuple[str, str, frozenset[str], int, int, bool]  # id, agency, needs, metres, spare, wait


def scan(d: Directory, a: Assessment, source: Any = None, remote_km: float = 0.0) -> list[Cand]:
    """Every candidate of ``a``, by checking every active pathway with the public rules."""
    met = {n for needs in a.engaged.values() for n in needs}
    wanted = set(a.needs) - met
    active = [p for p in d.pathways if p.active]
    found = (source or NominalCapacity()).availability(active, DAY)
    # levels: residential, crisis or refuge provision (L4) only for needs assessed urgent, and
    # an urgent need (when the directory has L4 provision for it) only by L3 or L4
    l4 = {n for p in active for n in p.needs if p.level_of(n) == "residential"}
    rows = []
    for p in active:
        needs = {
            n
            for n in wanted & set(p.needs)
            if (
                p.level_of(n) in ("intensive", "residential")
                if n in a.urgent and n in l4
                else p.level_of(n) != "residential"
            )
        }
        if not needs or not eligible(p, a).ok:
            continue
        r = reach(d, p, a, remote_km=remote_km)
        if not r.ok:
            continue
        av = found[p.id]
        if not av.has_place and not (a.accept_waitlist and av.waitlist_possible):
            continue
        rows.append((p, needs, round(r.distance_km * 1000), av.left or 0, not av.has_place))
    placed = set().union(*(needs for _, needs, _, _, wait in rows if not wait))
    out = []
    for p, needs, metres, spare, wait in rows:
        take = needs - placed if wait else needs
        if take:
            out.append((p.id, d.agency_of[p.id].id, frozenset(take), metres, spare, wait))
    return sorted(out)


def compiled(m: Matcher, a: Assessment) -> list[Cand]:
    return sorted(
        (
            c.pathway,
            c.agency,
            frozenset(n.partition(":")[0] for n in m.needs_of(c.mask)),  # need:urgent -> need
            c.distance_m,
            c.spare,
            c.waitlisted,
        )
        for c in m.candidates(a, on=DAY)
    )


# ---------------------------------------------------------------------------------------------
# Oracle 2: the best plan by brute force over irredundant sets
# ---------------------------------------------------------------------------------------------


def free_of(d: Directory, a: Assessment) -> set[str]:
    """Agencies that cost nothing: those engaged, and for an under-18 the youth justice
    services serving their district (every under-18's plan goes through them)."""
    free = set(a.engaged)
    if a.age < 18:
        free |= {
            x.id
            for x in d.agencies
            if x.youth_justice and any(a.district in d.served_districts(p) for p in x.pathways)
        }
    return free


def grade(d: Directory, a: Assessment, pathway: str, need: str) -> int:
    """Fit of a pathway for a need, for this person: one point each for the need being its
    specialism, L4 provision for an urgent need, women's provision for a woman, youth
    provision for a child."""
    p = d.pathway_by_id[pathway]
    aud = p.eligibility.audience
    return (
        (need not in p.alongside)
        + (need in a.urgent and p.level_of(need) == "residential")
        + (a.gender == "female" and aud.women != "open")
        + (a.age < 18 and aud.under_18 != "open")
    )


def unfit(d: Directory, a: Assessment, cands: list[Cand], picked: list[int]) -> int:
    """Fit points missed: for each need, the best grade among the candidates taking it less
    the best grade among the chosen taking it."""
    missed = 0
    for n in set().union(*(c[2] for c in cands)) if cands else set():
        best = max(grade(d, a, c[0], n) for c in cands if n in c[2])
        got = max((grade(d, a, cands[i][0], n) for i in picked if n in cands[i][2]), default=0)
        missed += best - got
    return missed


def brute(
    a: Assessment, cands: list[Cand], d: Directory | None = None
) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """(key, chosen ids): the lexicographic optimum over every set reachable by branching on
    the lowest need not yet met (every irredundant cover is), each with every set of further
    candidates of its agencies or free ones (they may earn fit points; a set with the fewest
    agencies holds an irredundant cover using all of its agencies)."""
    cands = sorted(cands)  # by pathway id: the tie-break order
    free = set(a.engaged) if d is None else free_of(d, a)
    met = {n for needs in a.engaged.values() for n in needs}
    wanted = sorted(set(a.needs) - met)
    coverable = [n for n in wanted if any(n in c[2] for c in cands)]
    best: list[Any] = [None, ()]

    def key(chosen: list[int]) -> tuple[Any, ...]:
        picked = sorted(chosen)
        covered = set().union(*(cands[i][2] for i in picked)) if picked else set()
        agencies = {cands[i][1] for i in picked} - free
        return (
            len(set(wanted) - covered),
            len(agencies),
            0 if d is None else unfit(d, a, cands, picked),
            len(picked),
            sum(cands[i][3] for i in picked),
            -sum(cands[i][4] for i in picked),
            tuple(picked),
        )

    def grow(covered: frozenset[str], chosen: list[int]) -> None:
        left = [n for n in coverable if n not in covered]
        if not left:
            used = {cands[i][1] for i in chosen} | free
            more = [i for i, c in enumerate(cands) if c[1] in used and i not in chosen]
            if d is None:
                more = []
            for r in range(len(more) + 1):
                for extra in itertools.combinations(more, r):
                    k = key([*chosen, *extra])
                    if best[0] is None or k < best[0]:
                        best[0], best[1] = k, tuple(cands[i][0] for i in sorted([*chosen, *extra]))
            return
        for i, c in enumerate(cands):
            if left[0] in c[2] and i not in chosen:
                grow(covered | c[2], [*chosen, i])

    grow(frozenset(), [])
    return best[0], best[1]


def levels(plan: Plan) -> tuple[int, int, int, int, int, int]:
    o = plan.objective
    return (
        o.needs_unmet,
        o.agencies,
        o.fit_points_missed,
        o.pathways,
        round(o.travel_km * 10),
        -o.spare,
    )


def brute_levels(key: tuple[Any, ...]) -> tuple[int, int, int, int, int, int]:
    return (key[0], key[1], key[2], key[3], round(key[4] / 100), key[5])


def check_plan(d: Directory, m: Matcher, a: Assessment) -> Plan:
    """Candidates equal the scan; the plan equals the brute force; the assignment rule holds."""
    cands = scan(d, a, remote_km=m.remote_km)
    assert compiled(m, a) == cands
    plan = m.match(a, on=DAY)
    key, chosen = brute(a, cands, d)
    assert plan.pathways == tuple(sorted(chosen))
    assert plan.objective.needs_unmet == key[0]
    assert plan.objective.agencies == key[1]
    assert plan.objective.fit_points_missed == key[2]
    assert plan.objective.pathways == key[3]
    assert plan.objective.spare == -key[5]
    chosen_m = {c[0]: c[3] for c in cands if c[0] in chosen}
    assert plan.objective.travel_km == round(sum(chosen_m.values()) / 1000, 1)
    # each need referred once, to a chosen pathway taking it: best fit, engaged (or free)
    # first, nearest, id
    by_id = {c[0]: c for c in cands}
    free = free_of(d, a)
    assert len({r.need for r in plan.referrals}) == len(plan.referrals)
    for r in plan.referrals:
        takers = [by_id[p] for p in chosen if r.need in by_id[p][2]]
        best = min(takers, key=lambda c: (-grade(d, a, c[0], r.need), c[1] not in free, c[3], c[0]))
        assert r.pathway == best[0]
        assert r.status == ("waitlisted" if best[5] else "referred")
        assert r.engaged == (r.agency in a.engaged)
    return plan


# ---------------------------------------------------------------------------------------------
# The shipped directory: every combination of 1-4 needs in every district
# ---------------------------------------------------------------------------------------------

PEOPLE: list[dict[str, Any]] = [
    {"age": 34, "gender": "male", "disposal": "conditional_caution", "offence": "theft"},
    {"age": 27, "gender": "female", "disposal": "community_resolution"},
    {"age": 15, "gender": "male", "disposal": "youth_caution", "offence": "criminal_damage"},
    {"age": 58, "cohorts": ("veteran",), "accept_remote": False, "travel_km": 10.0},
    {"age": 19, "gender": "non_binary", "cohorts": ("care_leaver",), "accept_waitlist": True},
    {"age": 45, "gender": "female", "offence": "sexual", "disposal": "conditional_caution"},
]


def sweep(d: Directory) -> list[Assessment]:
    needs = [n.id for n in d.needs]
    out = []
    points = {x.id: [(x.lat, x.lon)] for x in d.districts}
    for t in d.towns:
        points[t.district].append((t.lat, t.lon))
    n = 0
    for x in d.districts:
        for k in range(1, 5):
            for combo in itertools.combinations(needs, k):
                n += 1
                person = PEOPLE[n % len(PEOPLE)]
                lat, lon = points[x.id][n % len(points[x.id])]
                out.append(Assessment(needs=combo, district=x.id, lat=lat, lon=lon, **person))
    return out


@pytest.mark.slow
def test_every_combination_of_four_needs_in_every_district(
    shipped: Directory, matcher: Matcher
) -> None:
    cases = sweep(shipped)
    assert len(cases) == 6 * sum(
        len(list(itertools.combinations(range(22), k))) for k in (1, 2, 3, 4)
    )
    unmet = 0
    for a in cases:
        plan = check_plan(shipped, matcher, a)
        unmet += plan.objective.needs_unmet > 0
    assert 0 < unmet < len(cases)  # the sweep reaches both kinds of answer


def highs_levels(
    a: Assessment, cands: list[Cand], d: Directory
) -> tuple[int, int, int, int, int, int]:
    """Levels 1-6 of the optimum by MIP (HiGHS), built from the candidate list.

    x_j: pathway j chosen; y_g: agency g used (free agencies cost nothing); f_(n,t): the need n
    is met by a chosen pathway of grade above t (:func:`grade`). Needs that some candidate takes
    must be met (level 1 is then fixed: a cover can meet all of them). One solve minimises
    agencies, fit points missed, pathways and metres with exact integer weights; a second keeps
    that value and maximises spare places.
    """
    highspy = pytest.importorskip("highspy")
    met = {n for needs in a.engaged.values() for n in needs}
    wanted = set(a.needs) - met
    coverable = sorted(wanted & set().union(*(c[2] for c in cands))) if cands else []
    if not coverable:
        return (len(wanted), 0, 0, 0, 0, 0)
    h = exact_highs()
    x = [h.addBinary() for _ in cands]
    free = free_of(d, a)
    paid = sorted({c[1] for c in cands} - free)
    y = {g: h.addBinary() for g in paid}
    for n in coverable:
        h.addConstr(h.qsum(x[j] for j, c in enumerate(cands) if n in c[2]) >= 1)
    for j, c in enumerate(cands):
        if c[1] in y:
            h.addConstr(x[j] - y[c[1]] <= 0)
    points = []
    for n in coverable:
        top = max(grade(d, a, c[0], n) for c in cands if n in c[2])
        for t in range(top):
            f = h.addBinary()
            takers = [x[j] for j, c in enumerate(cands) if n in c[2] and grade(d, a, c[0], n) > t]
            h.addConstr(f - h.qsum(takers) <= 0)
            points.append(f)
    w_pw = sum(c[3] for c in cands) + 1
    w_fit = w_pw * (len(cands) + 1)
    w_ag = w_fit * (len(points) + 1)
    first = h.qsum(w_pw * x[j] + c[3] * x[j] for j, c in enumerate(cands))
    if points:
        first = first - h.qsum(w_fit * f for f in points)  # minus points earned
    if y:
        first = first + h.qsum(w_ag * v for v in y.values())
    h.minimize(first)
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    h.addConstr(first <= round(h.getObjectiveValue()))
    h.minimize(h.qsum(-c[4] * x[j] for j, c in enumerate(cands)))
    values = h.getSolution().col_value
    picked = [j for j in range(len(cands)) if values[j] > 0.5]
    agencies = {cands[j][1] for j in picked} - free
    return (
        len(wanted) - len(coverable),
        len(agencies),
        unfit(d, a, cands, picked),
        len(picked),
        sum(cands[j][3] for j in picked),
        -sum(cands[j][4] for j in picked),
    )


def test_highs_agrees_on_a_sample_of_the_sweep(shipped: Directory, matcher: Matcher) -> None:
    cases = sweep(shipped)
    rng = random.Random(7)
    for a in rng.sample(cases, 150):
        plan = matcher.match(a, on=DAY)
        got = highs_levels(a, scan(shipped, a), shipped)
        assert levels(plan) == (got[0], got[1], got[2], got[3], round(got[4] / 100), got[5])


# ---------------------------------------------------------------------------------------------
# Generated directories and assessments
# ---------------------------------------------------------------------------------------------

cases = match_directories().flatmap(lambda d: st.tuples(st.just(d), match_assessments(d)))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases)
def test_generated_plans_equal_the_oracles(case: tuple[Directory, Assessment]) -> None:
    d, a = case
    m = Matcher(d)
    plan = check_plan(d, m, a)
    assert_explained(d, a, plan)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases)
def test_remote_delivery_can_count_as_travel(case: tuple[Directory, Assessment]) -> None:
    d, a = case
    check_plan(d, Matcher(d, remote_km=3.0), a)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases)
def test_generated_plans_equal_the_oracles_at_length(case: tuple[Directory, Assessment]) -> None:
    d, a = case
    plan = check_plan(d, Matcher(d), a)
    assert_explained(d, a, plan)
    assert levels(plan)[:3] == highs_levels(a, scan(d, a), d)[:3]


fit_cases = match_directories(fit=True).flatmap(
    lambda d: st.tuples(st.just(d), match_assessments(d, fit=True))
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fit_cases)
def test_generated_plans_with_fit_equal_the_oracles(case: tuple[Directory, Assessment]) -> None:
    """Directories with specialisms, levels (L4 only for urgent needs), women's and youth
    provision, victims' services, prerequisites and youth justice services: the candidates equal
    the scan and the plan the brute force with the fit level (grouping and pruning with fit
    points included), and the HiGHS model agrees on every level."""
    d, a = case
    plan = check_plan(d, Matcher(d), a)
    got = highs_levels(a, scan(d, a), d)
    assert levels(plan) == (got[0], got[1], got[2], got[3], round(got[4] / 100), got[5])


# ---------------------------------------------------------------------------------------------
# Reasons
# ---------------------------------------------------------------------------------------------


def classify(d: Directory, a: Assessment, need: str) -> str:
    """The unmet reason code of ``need``, from the public rules over every pathway."""
    takers = [p for p in d.pathways if p.active and need in p.needs]
    if not takers:
        return "none-provided"
    found = NominalCapacity().availability(takers, DAY)
    stage = "not-in-reach"
    for p in takers:
        if reach(d, p, a).ok:
            stage = "not-eligible" if stage == "not-in-reach" else stage
            if eligible(p, a).ok:
                stage = "full"
                assert not found[p.id].has_place
    return stage


def assert_explained(d: Directory, a: Assessment, plan: Plan) -> None:
    for r in plan.referrals:
        assert r.reason.strip()
    for u in plan.unmet:
        assert u.reason in UNMET_REASONS
        assert u.explanation.strip()
        assert u.reason == classify(d, a, u.need)
        if u.reason == "none-provided":
            assert not u.near_misses
        else:
            assert u.near_misses, u  # every pathway taking it serves here, everywhere, or nearby
        for miss in u.near_misses:
            assert miss.failed
            assert miss.reason.startswith(f"{miss.agency_name}, {miss.pathway_name}: ")
            p = d.pathway_by_id[miss.pathway]
            assert ("not-eligible" in miss.failed) == (not eligible(p, a).ok)
            assert ("not-in-reach" in miss.failed) == (not reach(d, p, a).ok)
    met = {n for needs in a.engaged.values() for n in needs}
    told = [r.need for r in plan.referrals] + [m.need for m in plan.already_met]
    told += [u.need for u in plan.unmet]
    assert sorted(told) == sorted(a.needs)
    assert {m.need for m in plan.already_met} == met


def test_reasons_name_the_level_that_decides(shipped: Directory, matcher: Matcher) -> None:
    a = assess(
        shipped,
        needs="housing, drink, debt",
        where="Wisbech",
        age=34,
        disposal="conditional caution",
    )
    plan = matcher.match(a, on=DAY)
    assert plan.objective.agencies == 1
    assert all("without it the plan needs" in r.reason for r in plan.referrals)
    gambling = matcher.match(assess(shipped, needs="gambling", where="Ely", age=30), on=DAY)
    assert [r.delivery for r in gambling.referrals] == ["phone"]
    assert "by phone" in gambling.referrals[0].reason


def test_unmet_needs_have_near_misses_with_every_reason(
    shipped: Directory, matcher: Matcher
) -> None:
    a = assess(shipped, needs="gambling, sex work", where="Wisbech", age=34, accept_remote=False)
    plan = matcher.match(a, on=DAY)
    assert [u.reason for u in plan.unmet] == ["not-in-reach", "not-in-reach"]
    usable, barred = plan.unmet[0].near_misses  # the one he could use (if remote) first
    assert usable.failed == ("not-in-reach",)
    assert "remote delivery is not accepted" in usable.reason
    assert barred.failed == ("not-in-reach", "not-eligible")
    assert "remote delivery is not accepted" in barred.reason
    assert "for sex workers only (no cohort given)" in barred.reason
    assert_explained(shipped, a, plan)


def test_near_misses_say_why_each_failed(shipped: Directory) -> None:
    sources = shipped.agencies[0].sources
    peterborough = shipped.district_by_id["peterborough"]
    site = {
        "id": "aspire-site",
        "name": "Aspire hub",
        "district": "peterborough",
        "lat": peterborough.lat,
        "lon": peterborough.lon,
    }
    aspire = Agency.model_validate(
        {
            "id": "aspire",
            "name": "Aspire",
            "sources": sources,
            "last_verified": "2026-10-01",
            "sites": [site],
            "pathways": [
                {
                    "id": "aspire-drugs",
                    "name": "Drug service",
                    "needs": ["drugs"],
                    "districts": ["peterborough"],
                    "sites": ["aspire-site"],
                }
            ],
        }
    )
    brighter = Agency.model_validate(
        {
            "id": "brighter",
            "name": "Brighter Tomorrow",
            "sources": sources,
            "last_verified": "2026-10-01",
            "pathways": [
                {
                    "id": "brighter-women",
                    "name": "Women's pathway",
                    "needs": ["drugs"],
                    "districts": "all",
                    "delivery": ["outreach"],
                    "eligibility": {"genders": ["female"]},
                }
            ],
        }
    )
    d = with_agencies(shipped, (aspire, brighter))
    a = assess(d, needs="drugs", where="Wisbech", age=30, gender="male")
    (unmet,) = Matcher(d).match(a, on=DAY).unmet
    assert unmet.reason == "not-eligible"  # Brighter Tomorrow reaches him but takes women only
    # the pathway he could use if he travelled comes before the nearer one he cannot use
    usable, barred = unmet.near_misses
    assert barred.reason == "Brighter Tomorrow, Women's pathway: women only"
    km = reach(d, d.pathway_by_id["aspire-drugs"], a).nearest_km
    assert km is not None
    assert 25 < km < 60
    assert usable.reason == f"Aspire, Drug service: {km:.0f} km away, beyond the 25 km travel limit"
    assert usable.distance_km == round(km, 1)
    further = assess(d, needs="drugs", where="Wisbech", age=30, gender="male", travel_km=60)
    plan = Matcher(d).match(further, on=DAY)
    assert plan.pathways == ("aspire-drugs",)
    assert f"in person, {km:.0f} km away (within the travel limit)" in plan.referrals[0].reason


def test_summary_holds_no_personal_facts(shipped: Directory, matcher: Matcher) -> None:
    a = assess(
        shipped,
        needs="housing, drink, gambling",
        where="Wisbech",
        age=34,
        gender="female",
        offence="shoplifting",
        cohorts="veteran",
        disposal="conditional caution",
        reference="case-991",
    )
    plan = matcher.match(a, on=DAY)
    text = plan.summary.lower()
    for fact in ("34", "female", "shoplifting", "veteran", "wisbech", "fenland", "case-991"):
        assert fact not in text
    assert "housing" in text


def test_hidden_sites_are_never_named_or_located(shipped: Directory, matcher: Matcher) -> None:
    hidden = {s.id for s in shipped.site_by_id.values() if s.hidden}
    for where in ("Cambridge", "Peterborough", "Wisbech"):
        for gender in ("female", None):
            a = assess(
                shipped,
                needs="housing, domestic abuse victim",
                where=where,
                age=30,
                gender=gender,
                accept_remote=False,
                travel_km=60,
            )
            dump = json.dumps(matcher.match(a, on=DAY).model_dump(mode="json"))
            assert not any(h in dump for h in hidden)
    cambridge = shipped.district_by_id["cambridge"]
    refuge = Agency.model_validate(
        {
            "id": "refuge",
            "name": "Refuge",
            "sources": shipped.agencies[0].sources,
            "last_verified": "2026-10-01",
            "sites": [
                {
                    "id": "refuge-secret-house",
                    "name": "12 Secret Road",
                    "district": "cambridge",
                    "lat": 52.25,
                    "lon": 0.2,
                    "hidden": True,
                }
            ],
            "pathways": [
                {
                    "id": "refuge-beds",
                    "name": "Refuge",
                    "needs": ["accommodation"],
                    "districts": ["cambridge"],
                    "sites": ["refuge-secret-house"],
                }
            ],
        }
    )
    d = with_agencies(shipped, (refuge,))
    a = assess(d, needs="housing", where="Ely", age=30, travel_km=60)
    (r,) = Matcher(d).match(a, on=DAY).referrals
    assert (r.site, r.site_name) == (None, "address withheld (refuge)")
    centre = reach(
        d,
        d.pathway_by_id["refuge-beds"],
        a.model_copy(update={"lat": cambridge.lat, "lon": cambridge.lon}),
    )
    assert centre.distance_km == 0.0  # the site counts as being at the district centre
    dump = json.dumps(Matcher(d).match(a, on=DAY).model_dump(mode="json"))
    assert "secret" not in dump.lower()


# ---------------------------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------------------------


def with_agencies(d: Directory, agencies: Any) -> Directory:
    """A new directory with ``d``'s taxonomy and localities and these agencies.

    (Not ``model_copy``: it would carry over the look-ups ``d`` has already cached.)
    """
    return Directory(
        attribution=d.attribution,
        groups=d.groups,
        needs=d.needs,
        areas=d.areas,
        districts=d.districts,
        towns=d.towns,
        postcode_districts=d.postcode_districts,
        agencies=tuple(agencies),
    )


def shuffled(d: Directory, seed: int) -> Directory:
    rng = random.Random(seed)
    agencies = []
    for ag in d.agencies:
        pathways = list(ag.pathways)
        sites = list(ag.sites)
        rng.shuffle(pathways)
        rng.shuffle(sites)
        agencies.append(ag.model_copy(update={"pathways": tuple(pathways), "sites": tuple(sites)}))
    rng.shuffle(agencies)
    return with_agencies(d, agencies)


def test_same_plan_whatever_the_order(shipped: Directory) -> None:
    rng = random.Random(3)
    people = [
        {"needs": ["housing", "drink", "debt"], "where": "Wisbech", "age": 34},
        {
            "needs": ["drugs", "mental health", "work", "anger"],
            "where": "PE1",
            "age": 22,
            "gender": "female",
            "disposal": "community resolution",
        },
        {
            "needs": ["domestic abuse victim", "housing", "gambling", "debt"],
            "where": "Ely",
            "age": 41,
            "gender": "female",
            "accept_remote": False,
            "engaged": "cpsl-mind",
        },
        {
            "needs": ["education", "family", "anger"],
            "where": "Huntingdon",
            "age": 15,
            "disposal": "youth caution",
        },
    ]
    for seed in range(3):
        other = shuffled(shipped, seed)
        m1, m2 = Matcher(shipped), Matcher(other)
        for person in people:
            words = list(person["needs"])
            a = assess(shipped, **(person | {"needs": words}))
            rng.shuffle(words)
            b = assess(other, **(person | {"needs": words}))
            assert a == b
            assert m1.match(a, on=DAY).model_dump() == m2.match(b, on=DAY).model_dump()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases, st.integers(0, 1000))
def test_generated_plans_do_not_depend_on_order(
    case: tuple[Directory, Assessment], seed: int
) -> None:
    d, a = case
    first = Matcher(d).match(a, on=DAY).model_dump()
    assert Matcher(shuffled(d, seed)).match(a, on=DAY).model_dump() == first


# ---------------------------------------------------------------------------------------------
# Capacity: a ledger changes the answer, and the plan says why
# ---------------------------------------------------------------------------------------------


def _one_need_directory(shipped: Directory, places: tuple[int, int]) -> Directory:
    """Two agencies taking gambling by phone, with the given places; nothing else."""

    def agency(ident: str, places_left: int) -> Agency:
        return Agency(
            id=ident,
            name=ident.title(),
            sources=shipped.agencies[0].sources,
            last_verified=date(2026, 10, 1),
            pathways=(
                Pathway(
                    id=f"{ident}-line",
                    name=f"{ident.title()} line",
                    needs=("gambling",),
                    districts="all",
                    delivery=("phone",),
                    capacity=Capacity(places=places_left, per="month", updated=date(2026, 10, 1)),
                ),
            ),
        )

    return with_agencies(shipped, (agency("alpha", places[0]), agency("beta", places[1])))


def test_full_pathway_gives_way_then_the_need_is_unmet_full(
    shipped: Directory, tmp_path: Path
) -> None:
    d = _one_need_directory(shipped, (1, 1))
    a = assess(d, needs="gambling", where="March", age=40)
    with Ledger(tmp_path / "ledger.db") as ledger:
        m = Matcher(d, availability=ledger)
        assert m.memo_key(a) is None  # every answer can change
        first = m.match(a, on=DAY)
        assert first.pathways == ("alpha-line",)  # equal on every count: id order
        ledger.reserve([d.pathway_by_id["alpha-line"]], reference="r1", on=DAY)
        second = m.match(a, on=DAY)
        assert second.pathways == ("beta-line",)
        ledger.reserve([d.pathway_by_id["beta-line"]], reference="r2", on=DAY)
        third = m.match(a, on=DAY)
        assert third.referrals == ()
        (unmet,) = third.unmet
        assert unmet.reason == "full"
        assert {m.pathway for m in unmet.near_misses} == {"alpha-line", "beta-line"}
        assert all(m.failed == ("full",) for m in unmet.near_misses)
        assert all("no place left in 2026-11" in m.reason for m in unmet.near_misses)
        waiting = m.match(a.model_copy(update={"accept_waitlist": True}), on=DAY)
        assert [r.status for r in waiting.referrals] == ["waitlisted"]
        assert "waitlisted" in waiting.referrals[0].reason


def test_waitlist_never_displaces_a_place(shipped: Directory) -> None:
    d = _one_need_directory(shipped, (0, 5))  # alpha full (0 places), beta open
    a = assess(d, needs="gambling", where="March", age=40, accept_waitlist=True)
    plan = Matcher(d).match(a, on=DAY)
    assert plan.pathways == ("beta-line",)
    assert plan.referrals[0].status == "referred"


# ---------------------------------------------------------------------------------------------
# Batch
# ---------------------------------------------------------------------------------------------


def test_match_many_equals_match_one_by_one(shipped: Directory, matcher: Matcher) -> None:
    rng = random.Random(11)
    needs = [n.id for n in shipped.needs]
    towns = [t.name for t in shipped.towns]
    cohort = []
    for i in range(120):
        base = {
            "needs": rng.sample(needs, rng.randint(1, 4)),
            "where": rng.choice(towns[:6]),
            "age": rng.choice((16, 30, 31, 65)),
            "disposal": None,
        }
        if base["age"] < 18:
            base["disposal"] = "youth_caution"
        cohort.append(assess(shipped, **base, reference=f"ref-{i}"))
        if i % 3 == 0:  # the same facts again under another reference
            cohort.append(assess(shipped, **base, reference=f"again-{i}"))
    plans = match_many(matcher, cohort, on=DAY, chunk=16)
    assert [p.reference for p in plans] == [a.reference for a in cohort]
    for a, p in zip(cohort, plans, strict=True):
        assert p == matcher.match(a, on=DAY)
    parallel = match_many(shipped, cohort, processes=2, on=DAY, chunk=16)
    assert [p.model_dump() for p in parallel] == [p.model_dump() for p in plans]


def test_memo_key_groups_ages_that_pass_the_same_rules(
    matcher: Matcher, shipped: Directory
) -> None:
    def key(age: int) -> Any:
        return matcher.memo_key(assess(shipped, needs="debt", where="March", age=age))

    assert key(30) == key(31)
    edges = {p.eligibility.min_age for p in shipped.pathways} - {None}
    edge = max(e for e in edges if e is not None)
    assert key(edge - 1) != key(edge)


def test_match_function_and_unknown_ids(shipped: Directory, matcher: Matcher) -> None:
    a = assess(shipped, needs="debt", where="March", age=30)
    assert match(shipped, a, on=DAY) == matcher.match(a, on=DAY)
    with pytest.raises(AssessmentError):
        match(matcher, a, availability=NominalCapacity())
    with pytest.raises(NotFoundError, match="district"):
        matcher.match(a.model_copy(update={"district": "fenlnd"}))
    with pytest.raises(NotFoundError, match="agency"):
        matcher.match(a.model_copy(update={"engaged": {"outside-link": ()}}))


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------


def run(*args: str) -> Any:
    from pathways.cli import main

    return CliRunner().invoke(main, ["match", *args])


def test_cli_prints_a_plan_and_json() -> None:
    result = run(
        "--needs",
        "housing, drink, debt",
        "--where",
        "Wisbech",
        "--age",
        "34",
        "--disposal",
        "conditional_caution",
    )
    assert result.exit_code == 0, result.output
    assert "Summary for the case note" in result.output
    result = run(
        "--needs", "gambling", "--where", "Ely", "--age", "30", "--json", "--reference", "case-1"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["reference"] == "case-1"
    assert Plan.model_validate(data).referrals[0].need == "gambling"


def test_cli_words_short_distances_as_the_summary_does() -> None:
    from pathways.cli import main

    args = ["match", "--needs", "housing, drink, debt", "--where", "Wisbech", "--age", "34"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    # at the town centre the Wisbech sites are under 100 m away: said so, never "0 km"
    table = result.output.split("Summary for the case note")[0]
    assert table.count("in person, under 0.1 km") >= 2  # in the delivery and the why columns
    assert ", 0 km" not in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--needs", "banana", "--where", "Wisbech", "--age", "30"], "no need's words are close"),
        (["--needs", "dbet", "--where", "Wisbech", "--age", "30"], "did you mean 'debt'?"),
        (["--needs", "debt", "--where", "Wisbeach", "--age", "30"], "did you mean 'Wisbech'"),
        (["--needs", "debt", "--where", "Wisbech", "--age", "9"], "under 10"),
        (
            [
                "--needs",
                "debt",
                "--where",
                "Wisbech",
                "--age",
                "30",
                "--engaged",
                "outside-link:debt",
            ],
            "did you mean 'outside-links'",
        ),
        (["--needs", "debt", "--where", "Wisbech"], "missing --age"),
    ],
)
def test_cli_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


# ---------------------------------------------------------------------------------------------
# The pipeline at larger size: candidates against the scan, compiled places against a source
# read at each match (the path a ledger takes), near misses against a loop
# ---------------------------------------------------------------------------------------------


class Delegate:
    """Nominal places behind a source the matcher cannot recognise: the general path."""

    def __init__(self) -> None:
        self.inner = NominalCapacity()

    def availability(self, pathways: Any, on: date) -> Any:
        return self.inner.availability(pathways, on)


def people_of(d: Directory, n: int, seed: int, *, travel: bool | None = None) -> list[Assessment]:
    """``n`` generated people of ``d``, some with 1-8 needs, some on a site or on their
    district's centre, with waitlists and engaged agencies; ``travel`` True: none accepts
    phone or online support (every candidate travels), None: some do."""
    from matching.demand import synthetic_cohort

    rng = random.Random(seed)
    sites = sorted(Matcher(d).index.site_points)
    centres = {x.id: (x.lat, x.lon) for x in d.districts}
    agencies = sorted(x.id for x in d.agencies)
    out = []
    for i, p in enumerate(synthetic_cohort(d, n, seed=seed)):
        lat, lon = p.lat, p.lon
        if i % 7 == 1 and sites:
            lat, lon = sites[rng.randrange(len(sites))]
        elif i % 7 == 2:
            lat, lon = centres[p.district]
        out.append(
            Assessment(
                needs=tuple(rng.sample([x.id for x in d.needs], rng.randint(1, 8)))
                if i % 4 == 0
                else p.needs,
                district=p.district,
                lat=lat,
                lon=lon,
                age=p.age,
                gender=p.gender,
                offence=p.offence,
                disposal=p.disposal,
                cohorts=tuple(p.cohorts),
                engaged={rng.choice(agencies): ()} if i % 6 == 0 else {},
                travel_km=rng.choice([p.travel_km, 3.0, 60.0]),
                accept_remote=not travel and (travel is None and i % 2 == 0),
                accept_waitlist=i % 3 == 0,
            )
        )
    return out


@pytest.mark.parametrize(
    ("n", "districts", "seed", "full"), [(1500, 12, 1, 0.0), (4000, 40, 2, 0.0), (3000, 20, 3, 0.7)]
)
def test_candidates_equal_the_scan_and_plans_the_sources(
    n: int, districts: int, seed: int, full: float
) -> None:
    """Synthetic directories: every candidate equals the scan's (which checks every pathway
    with the public rules: nothing looked past, nothing let in), and plans with places compiled
    once equal those with places read from a source at each match, words included. In the
    last, most pathways are full (waitlisted candidates, several alone in their agency per set
    of needs)."""
    from directory.synthetic import synthetic_directory
    from matching.scenarios import Scenario, apply

    d = synthetic_directory(n, n_districts=districts, seed=seed)
    if full:
        chosen = random.Random(seed).sample([p.id for p in d.pathways], int(full * n))
        d = apply(d, Scenario(places=dict.fromkeys(chosen, 0)))
    fast, general = Matcher(d), Matcher(d, availability=Delegate())
    assert fast.static
    assert not general.static
    for k, a in enumerate(people_of(d, 90, seed)):
        if k % 3 == 0:  # the scan reads every pathway: a third of the people
            assert compiled(fast, a) == scan(d, a)
        assert fast.match(a, on=DAY).model_dump() == general.match(a, on=DAY).model_dump()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases)
def test_generated_candidates_equal_the_scan(case: tuple[Directory, Assessment]) -> None:
    """Generated directories and assessments (remote accepted or not): the candidates are the
    scan's, and plans with compiled places equal those read from a source."""
    d, a = case
    fast, general = Matcher(d), Matcher(d, availability=Delegate())
    assert compiled(fast, a) == scan(d, a)
    assert fast.match(a, on=DAY).model_dump() == general.match(a, on=DAY).model_dump()


def near_misses_loop(m: Matcher, a: Assessment, need: str) -> tuple[str, tuple[str, ...]]:
    """The reason and near misses of an unmet ``need``, one pathway at a time with the public
    rules: among the pathways taking it that serve the district (there or everywhere) or have
    an in-person site in a grid cell within the travel limit plus NEAR_MISS_KM (the index's
    cells), and farther ones when fewer than three of those fail the person; those the person
    is eligible for first, then nearest first, then by id."""
    d, ix = m.directory, m.index
    cells = set(ix.cells(a.lat, a.lon, a.travel_km + NEAR_MISS_KM))
    everyone = sorted((p for p in d.pathways if p.active and need in p.needs), key=lambda p: p.id)
    everywhere_ids = {ix.pathways[i].id for i in ix.serving[a.district].get(ix.bit[need], [])}
    found = m.availability.availability(everyone, DAY)

    def nearby(p: Pathway) -> bool:
        if p.id in everywhere_ids:
            return True
        if "in_person" not in p.delivery:
            return False
        return any(
            cell_of(*ix.site_points[ix.site_slot[s]]) in cells for s in p.sites if s in ix.site_slot
        )

    def facts(p: Pathway) -> tuple[float, bool, bool, bool, bool]:
        r = reach(d, p, a, remote_km=m.remote_km)
        fits = eligible(p, a).ok
        av = found[p.id]
        full = not av.has_place and not (a.accept_waitlist and av.waitlist_possible)
        waits = full and av.waitlist_possible and not a.accept_waitlist
        served = d.served_districts(p)
        listed = p.districts == "all" or bool(p.districts)
        if r.nearest_km is not None:
            order = r.nearest_km
        elif a.district in served or not listed:
            order = 0.0
        else:
            order = min(
                (haversine_km((a.lat, a.lon), ix.centre[x]) for x in served), default=math.inf
            )
        return order, r.ok, fits, not r.ok or not fits or full, waits

    stage, refused = 0, False
    misses: list[tuple[bool, float, str]] = []  # ineligible last, then nearest, then id
    pool = [p for p in everyone if nearby(p)]
    for p in pool:
        order, reached, fits, missed, waits = facts(p)
        if reached:
            stage = max(stage, 2 if fits else 1)
            refused |= fits and waits
        if missed:
            misses.append((not fits, order, p.id))
    if len(misses) < 3:
        for p in everyone:
            if p not in pool:
                order, _, fits, missed, _ = facts(p)
                if missed:
                    misses.append((not fits, order, p.id))
    reason, _ = unmet_explanation(
        ix.label[need],
        stage=stage,
        count=len(everyone),
        travel_km=a.travel_km,
        accept_remote=a.accept_remote,
        waitlist_refused=refused,
    )
    return reason, tuple(i for _, _, i in sorted(misses)[:3])


def test_near_misses_equal_the_loop_for_every_need() -> None:
    """Every need of each person made unmet (a taxonomy no pathway fits is not needed: the
    plan's unmet needs are compared, and a person with every need leaves many unmet), some
    people placed far from every site: the near misses and reasons equal the loop's."""
    from directory.synthetic import synthetic_directory
    from matching.demand import synthetic_cohort

    d = synthetic_directory(3000, n_districts=30, seed=4)
    m = Matcher(d)
    rng = random.Random(4)
    compared = 0
    for i, p in enumerate(synthetic_cohort(d, 40, seed=4)):
        a = Assessment(
            needs=tuple(x.id for x in d.needs),
            district=p.district,
            lat=p.lat + (3.0 if i % 4 == 0 else 0.0),
            lon=p.lon,
            age=p.age,
            gender=p.gender,
            offence=p.offence,
            travel_km=rng.choice([0.5, 10.0, 30.0]),
            accept_remote=i % 2 == 0,
            accept_waitlist=i % 3 == 0,
        )
        for unmet in m.match(a, on=DAY).unmet:
            reason, ids = near_misses_loop(m, a, unmet.need)
            assert (unmet.reason, tuple(x.pathway for x in unmet.near_misses)) == (reason, ids)
            compared += 1
    assert compared >= 40


@pytest.mark.parametrize("at", ["site", "centre"])
def test_compiled_places_equal_the_source_where_travel_can_be_zero(at: str) -> None:
    """People standing on a site or on their district's centre: a pathway delivered in person
    there costs 0 m, so no agency may be dropped for travel alone."""
    from directory.places import haversine_km
    from directory.synthetic import synthetic_directory

    d = synthetic_directory(1500, n_districts=12, seed=3)
    quick, general = Matcher(d), Matcher(d, availability=Delegate())
    rng = random.Random(3)
    centres = {x.id: (x.lat, x.lon) for x in d.districts}
    points = sorted(set(quick.index.site_points))  # where the matcher measures from
    needs = [x.id for x in d.needs]
    checked = 0
    for i in range(80):
        if at == "site":
            lat, lon = points[rng.randrange(len(points))]
            district = min(centres, key=lambda x: haversine_km((lat, lon), centres[x]))
        else:
            district = sorted(centres)[i % len(centres)]
            lat, lon = centres[district]
        a = Assessment(
            needs=tuple(rng.sample(needs, rng.randint(1, 5))),
            district=district,
            lat=lat,
            lon=lon,
            age=30,
            travel_km=rng.choice([5.0, 15.0, 40.0]),
        )
        assert quick.match(a, on=DAY).model_dump() == general.match(a, on=DAY).model_dump()
        checked += 1
    assert checked == 80


@pytest.mark.parametrize(
    ("lat", "lon", "chosen"),
    [
        # on the office's doorstep: 0 m, as near as a phone line, and more places: the office
        (52.66, 0.16, "housing-help-support"),
        # 1 km away: the office costs travel, a phone line does not (the one with more places)
        (52.669, 0.16, "line-one-support"),
    ],
)
def test_a_site_at_the_persons_door_costs_no_travel(
    tmp_path: Path, lat: float, lon: float, chosen: str
) -> None:
    """Hand-checked: an agency that two phone lines beat on needs is dropped for travel only
    when its sites really are a metre or more away."""
    from tests.factories import agency, make_directory

    def line(ident: str, places: int) -> dict[str, Any]:
        return agency(
            ident,
            sites=[],
            pathways=[
                {
                    "id": f"{ident}-support",
                    "name": "Helpline",
                    "needs": ["accommodation"],
                    "districts": "all",
                    "delivery": ["phone"],
                    "capacity": {
                        "places": places,
                        "per": "month",
                        "status": "open",
                        "updated": "2026-10-01",
                        "illustrative": True,
                    },
                }
            ],
        )

    root = make_directory(
        tmp_path,
        agencies={
            "housing-help": agency(),  # office at 52.66, 0.16; 5 places
            "line-one": line("line-one", 3),
            "line-two": line("line-two", 2),
        },
    )
    d = load(root)
    a = Assessment(needs=("accommodation",), district="fenland", lat=lat, lon=lon, age=30)
    quick, general = Matcher(d), Matcher(d, availability=Delegate())
    plan = quick.match(a, on=DAY)
    assert [r.pathway for r in plan.referrals] == [chosen]
    assert plan.model_dump() == general.match(a, on=DAY).model_dump()
    assert Matcher(d).match(a, on=DAY).model_dump() == plan.model_dump()


@pytest.mark.parametrize("on", [date(2025, 1, 15), date(2026, 11, 23), date(2027, 6, 30)])
def test_full_pathways_are_named_with_the_period_of_the_day_matched(
    shipped: Directory, on: date
) -> None:
    """Nominal places are compiled once, but a near miss names the period containing the day
    matched, not the day the matcher was built (a regression: it named the latter)."""
    from matching.capacity import period_for
    from matching.scenarios import Scenario, apply

    gambling = [p for p in shipped.pathways if "gambling" in p.needs]
    d = apply(shipped, Scenario(places={p.id: 0 for p in gambling}))
    m = Matcher(d)
    assert m.static
    plan = m.match(assess(d, needs="gambling", where="Wisbech", age=40), on=on)
    (unmet,) = plan.unmet
    assert unmet.reason == "full"
    by_id = {p.id: p for p in d.pathways}
    named = [miss for miss in unmet.near_misses if "no place left" in miss.reason]
    assert named
    for miss in named:
        assert f"no place left in {period_for(by_id[miss.pathway], on).key}" in miss.reason


def test_a_waitlist_out_of_reach_is_not_a_waitlist_refused(tmp_path: Path) -> None:
    """Hand-checked: the pathway in reach is closed; the one with a waitlist is 50 km away. The
    need is unmet for want of places, and no waitlist the person could have used was refused
    """
    from tests.factories import agency, make_directory

    closed = {"places": 0, "per": "month", "status": "closed", "updated": "2026-10-01"}
    waiting = {"places": 0, "per": "month", "status": "open", "updated": "2026-10-01"}
    near = agency()
    near["pathways"][0]["capacity"] = closed
    far = agency(
        "far-help",
        sites=[
            {
                "id": "far-office",
                "name": "Office",
                "district": "cambridge",
                "lat": 52.2,
                "lon": 0.14,
            }
        ],
    )
    far["pathways"][0].update(districts=["cambridge"], sites=["far-office"], capacity=waiting)
    d = load(make_directory(tmp_path, agencies={"housing-help": near, "far-help": far}))
    a = Assessment(
        needs=("accommodation",), district="fenland", lat=52.66, lon=0.16, age=30, travel_km=5.0
    )
    m = Matcher(d)
    (unmet,) = m.match(a, on=DAY).unmet
    assert unmet.reason == "full"
    assert "waitlist" not in unmet.explanation
    assert [x.pathway for x in unmet.near_misses] == ["housing-help-support", "far-help-support"]


def test_near_misses_beyond_the_search_ring_nearest_first(tmp_path: Path) -> None:
    """Hand-checked: no pathway for the need within the travel limit plus 50 km of Wisbech;
    the near misses are the three nearest of those farther away, ties by id (three pathways
    of one Cambridge office at the same distance, two of them shown)."""
    from tests.factories import agency, make_directory

    def cambridge(ident: str, lat: float, pathways: int = 1) -> dict[str, Any]:
        office = {
            "id": f"{ident}-office",
            "name": "Office",
            "district": "cambridge",
            "lat": lat,
            "lon": 0.16,
        }
        made = agency(ident, sites=[office])
        first = made["pathways"][0]
        first.update(districts=["cambridge"], sites=[f"{ident}-office"])
        for k in range(1, pathways):
            made["pathways"].append({**copy.deepcopy(first), "id": f"{ident}-support-{k}"})
        return made

    # sites for another need in 160 grid cells far away, so that the search ring is smaller
    # than the grid (else every cell is searched)
    filler = agency(
        "z-filler",
        sites=[
            {
                "id": f"z-{k}",
                "name": f"Site {k}",
                "district": "cambridge",
                "lat": 50.0 + (k // 15) * 0.1,
                "lon": -3.0 + (k % 15) * 0.15,
            }
            for k in range(160)
        ],
    )
    filler["pathways"][0].update(
        needs=["drugs"], districts=["cambridge"], sites=[f"z-{k}" for k in range(160)]
    )
    agencies = {
        "z-filler": filler,
        "c-near": cambridge("c-near", 51.85),  # about 90 km from the person
        "b-twin": cambridge("b-twin", 51.80, pathways=3),  # about 96 km, three pathways
        "a-farthest": cambridge("a-farthest", 51.70),  # about 107 km
    }
    d = load(make_directory(tmp_path, agencies=agencies))
    a = Assessment(
        needs=("accommodation",), district="fenland", lat=52.66, lon=0.16, age=30, travel_km=0.5
    )
    m, general = Matcher(d), Matcher(d, availability=Delegate())
    b = m.need_bit("accommodation")
    nearby = m.index.looked_at(a.district, a.lat, a.lon, [b], a.travel_km + NEAR_MISS_KM)
    assert not set(nearby.tolist()) & set(m.index.by_need[b].tolist())  # all of them farther
    (unmet,) = m.match(a, on=DAY).unmet
    assert unmet.reason == "not-in-reach"
    assert [x.pathway for x in unmet.near_misses] == [
        "c-near-support",
        "b-twin-support",
        "b-twin-support-1",
    ]
    assert all(x.distance_km and x.distance_km > 50.5 for x in unmet.near_misses)
    assert m.match(a, on=DAY).model_dump() == general.match(a, on=DAY).model_dump()


# ---------------------------------------------------------------------------------------------
# The grid cells that may hold a site within reach (Index.cells)
# ---------------------------------------------------------------------------------------------


def _point_at(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """The point ``km`` from (lat, lon) on ``bearing`` degrees (spherical destination)."""
    import math

    from directory.places import EARTH_RADIUS_KM

    d = km / EARTH_RADIUS_KM
    p1, l1, b = math.radians(lat), math.radians(lon), math.radians(bearing)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), math.degrees(l2)


@functools.cache
def _shipped_index() -> Index:
    return Matcher(load()).index


def _grid(cells: Any) -> Index:
    """The shipped index with a grid of ``cells`` (only the keys are read)."""
    return dataclasses.replace(_shipped_index(), grid={key: k for k, key in enumerate(cells)})


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(
    lat=st.floats(-70, 70),
    lon=st.floats(-170, 170),
    km=st.floats(0.05, 120),
    bearing=st.floats(0, 360),
    frac=st.floats(0, 1.0000001),
)
def test_cells_hold_every_point_within_reach(
    lat: float, lon: float, km: float, bearing: float, frac: float
) -> None:
    """Every point within ``km`` lies in a cell ``_cells`` returns, corners of the box left out
    or not (a lower bound of the distance to a cell decides: see the method)."""
    cy, cx = cell_of(lat, lon)
    ry, rx = int(km / 111 / CELL_LAT) + 3, int(km / (111 * 0.34) / CELL_LON) + 3
    ix = _grid((y, x) for y in range(cy - ry, cy + ry + 1) for x in range(cx - rx, cx + rx + 1))
    cells = set(ix.cells(lat, lon, km))
    q = _point_at(lat, lon, km * frac, bearing)
    if haversine_km((lat, lon), q) <= km:
        assert cell_of(*q) in cells


def test_cells_leave_out_the_corners_of_the_box() -> None:
    """At Wisbech with 25 km, the cells wholly beyond 25 km (the box's corners) are left out,
    and every cell returned has a point within 25 km (checked on a fine sample)."""
    lat, lon, km = 52.666, 0.159, 25.0
    cells = _grid((y, x) for y in range(640, 680) for x in range(-20, 20)).cells(lat, lon, km)
    box = {
        (y, x)
        for y in range(640, 680)
        for x in range(-20, 20)
        if any(
            haversine_km((lat, lon), ((y + i / 8) * CELL_LAT, (x + j / 8) * CELL_LON)) <= km
            for i in range(9)
            for j in range(9)
        )
    }
    assert box <= set(cells)  # every cell a sampled point within reach falls in is there
    assert len(cells) <= 40  # the 7 x 7 box around Wisbech has 49 cells; corners left out


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(
    lat=st.floats(-70, 70),
    lon=st.floats(-170, 170),
    dy=st.integers(-4, 4),
    dx=st.integers(-4, 4),
)
def test_cells_keep_a_cell_whose_nearest_corner_is_just_within_reach(
    lat: float, lon: float, dy: int, dx: int
) -> None:
    """The bound is tight enough to matter and never too high: with ``km`` just over the
    distance to the point of a cell nearest its corner towards the person, the cell is kept."""
    cy, cx = cell_of(lat, lon)
    y, x = cy + dy, cx + dx
    inside = 1e-7  # a centimetre inside the cell's nearest corner
    corner_lat = (
        lat if dy == 0 else (y + 1) * CELL_LAT - inside if dy < 0 else y * CELL_LAT + inside
    )
    corner_lon = (
        lon if dx == 0 else (x + 1) * CELL_LON - inside if dx < 0 else x * CELL_LON + inside
    )
    assert cell_of(corner_lat, corner_lon) == (y, x)
    km = haversine_km((lat, lon), (corner_lat, corner_lon)) * (1 + 1e-7) + 1e-9
    keys = {(y + i, x + j) for i in range(-12, 13) for j in range(-12, 13)} | {(cy, cx)}
    assert (y, x) in set(_grid(keys).cells(lat, lon, km))
