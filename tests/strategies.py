"""Hypothesis strategies shared by the tests, one section per module under test."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import strategies as st

from matching.cover import Option

# ---------------------------------------------------------------------------------------------
# matching.cover: bitmask cover instances
#
# An instance is (universe, options, free_agencies), the arguments of best_cover. Shapes:
#   "random"  options meet random sets of needs (some outside the universe, some needs of the
#             universe met by nobody);
#   "pairs"   every option meets exactly two needs (adversarial for set cover);
#   "twins"   a few masks, each offered by several agencies (dominance and agency ties);
#   "bundles" each agency runs several small pathways (agency count != pathway count).
# Distances and spares come from tiny ranges so that ties reach the tie-break levels.
# ---------------------------------------------------------------------------------------------

COVER_SHAPES = ("random", "pairs", "twins", "bundles")
CoverInstance = tuple[int, list[Option], frozenset[int]]


def _bits(mask: int) -> list[int]:
    return [b for b in range(mask.bit_length()) if mask >> b & 1]


@st.composite
def cover_instances(
    draw: st.DrawFn,
    *,
    max_needs: int = 8,
    max_options: int = 12,
    max_agencies: int = 6,
    shapes: tuple[str, ...] = COVER_SHAPES,
    distances: tuple[int, ...] = (0, 100, 100, 250, 1000),
    max_spare: int = 2,
) -> CoverInstance:
    """(universe, options, free_agencies) with up to ``max_needs`` needs and ``max_options``.

    Hypothesis draws the knobs (shape, numbers of needs, options, agencies and free agencies) and
    a seed; the fields come from ``random.Random(seed)``. A handful of draws per example keeps
    10,000 examples fast and varied; shrinking reduces the knobs (the seed only re-rolls).
    """
    shape = draw(st.sampled_from(shapes))
    n_needs = draw(st.integers(1, max_needs))
    n_options = draw(st.integers(1, max_options))
    n_agencies = draw(st.integers(1, max_agencies))
    n_free = draw(st.integers(0, 2))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    width = max_needs + 2  # two needs outside the universe, sometimes
    universe = sum(1 << b for b in rng.sample(range(width), n_needs))
    inside = _bits(universe) or [0]
    palette = [rng.randrange(1, 1 << width) for _ in range(rng.randint(1, 3))]
    options: list[Option] = []
    for _ in range(n_options):
        agency = rng.randrange(n_agencies)
        first = 1 << rng.choice(inside)
        if shape == "pairs":
            mask = first | 1 << rng.choice(inside)
            if mask == first:
                mask |= 1 << rng.randrange(width)
        elif shape == "twins":
            mask = rng.choice(palette)
        elif shape == "bundles":
            agency %= 3
            mask = first | (1 << rng.choice(inside) if rng.random() < 0.5 else 0)
        else:
            mask = rng.randrange(1, 1 << width)
        options.append(Option(mask, agency, rng.choice(distances), rng.randint(0, max_spare)))
    free = frozenset(rng.sample(range(n_agencies), min(n_free, n_agencies)))
    return universe, options, free


@st.composite
def fitted_cover_instances(
    draw: st.DrawFn, **knobs: Any
) -> tuple[int, list[Option], frozenset[int], list[int]]:
    """A :func:`cover_instances` instance with fit masks: for each need an option meets, a grade
    0-2 as threshold points (the matcher's encoding: point ``2 * need + t`` for ``t < grade``),
    and now and then a point of a need the option does not meet (the solver must not care)."""
    universe, options, free = draw(cover_instances(**knobs))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    generalist = rng.random() < 0.5  # often no fit at all on some options
    fit: list[int] = []
    for o in options:
        points = 0
        if not (generalist and rng.random() < 0.4):
            for b in _bits(o.mask):
                for t in range(rng.choice((0, 0, 1, 2))):
                    points |= 1 << (2 * b + t)
        if rng.random() < 0.05:
            points |= 1 << rng.randrange(2 * (universe.bit_length() + 2))
        fit.append(points)
    return universe, options, free, fit


def adversarial_pairs(
    needs: int, agencies: int, *, per_agency: int, seed: int = 0
) -> CoverInstance:
    """Deterministic worst case: each agency runs ``per_agency`` distinct two-need pathways.

    Pairs are drawn (seeded) from all ``needs * (needs - 1) / 2`` pairs, so no agency meets more
    than ``2 * per_agency`` needs, many agencies offer the same pair, every need is met by many
    pathways, and all distances and spares tie: nothing is dominated and the tie-break decides.
    """
    rng = random.Random(seed)
    pairs = [(i, j) for i in range(needs) for j in range(i + 1, needs)]
    options: list[Option] = []
    for a in range(agencies):
        for i, j in rng.sample(pairs, min(per_agency, len(pairs))):
            options.append(Option(1 << i | 1 << j, a, 0, 0))
    return (1 << needs) - 1, options, frozenset()


# ---------------------------------------------------------------------------------------------
# (other modules' strategies go below, each in its own section)
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# directory.oruk: whole directories for Open Referral UK export/import round trips
#
# directories() draws a small directory that passes the cross-record rules: 1-2 need groups,
# 1-5 needs, 1-3 districts, and 1-3 agencies using every field of the format: sites (some
# hidden, some used by no pathway), contacts of every kind, sources, and 1-3 pathways with
# "all" or listed districts, every delivery mode, full eligibility, capacity with or without
# places, inactive ones. Text mixes letters, digits, punctuation and non-ASCII letters. Every
# pathway stays reachable without its hidden sites, so publishable(d) passes the rules too.
# Dates are on or before ORUK_TODAY.
# ---------------------------------------------------------------------------------------------

from datetime import date as _date  # noqa: E402

from directory.models import (  # noqa: E402
    COHORTS,
    CONDITIONS,
    DELIVERY_MODES,
    DISPOSALS,
    GENDERS,
    LEVELS,
    OFFENCES,
    REMOTE,
    Agency,
    Area,
    Audience,
    Capacity,
    Contact,
    Directory,
    District,
    Eligibility,
    Need,
    NeedGroup,
    Pathway,
    Site,
    Source,
)

ORUK_TODAY = _date(2026, 10, 1)
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789 -'&,./~éøßłŻ"
_NEED_IDS = ("accommodation", "drugs", "alcohol", "debt", "mental_health", "employment")
_DISTRICT_IDS = ("fenland", "cambridge", "peterborough")
_PHONES = ("01733 560031", "0800 781 6818", "+44 1223 000000", "07700 900123")
_URLS = ("https://www.example.org/", "http://example.com/a/b?c=1", "https://x.example.co.uk/p")
_POSTCODES = ("PE1 5DU", "CB1 2AB", "PE13 1AB", "SW1A 1AA")

_texts = st.text(_ALPHABET, min_size=1, max_size=30).map(str.strip).filter(bool)
_dates = st.dates(_date(2020, 1, 1), ORUK_TODAY)


def _subset(values: tuple[str, ...], *, min_size: int = 0) -> st.SearchStrategy[tuple[str, ...]]:
    if not values:
        return st.just(())
    return st.lists(st.sampled_from(values), unique=True, min_size=min_size).map(tuple)


@st.composite
def _eligibility(draw: st.DrawFn) -> Eligibility:
    ages = sorted(draw(st.lists(st.integers(10, 120), min_size=2, max_size=2)))
    offences = draw(_subset(OFFENCES))
    excluded = draw(_subset(tuple(o for o in OFFENCES if o not in offences)))
    return Eligibility(
        min_age=draw(st.sampled_from((None, ages[0]))),
        max_age=draw(st.sampled_from((None, ages[1]))),
        genders=draw(_subset(GENDERS)),
        cohorts=draw(_subset(COHORTS)),
        offences=offences,
        excluded_offences=excluded,
        disposals=draw(_subset(DISPOSALS)),
        notes=draw(st.none() | _texts),
    )


@st.composite
def _contact(draw: st.DrawFn, n: int) -> Contact:
    kind = draw(st.sampled_from(("phone", "email", "website", "address")))
    value = {
        "phone": draw(st.sampled_from(_PHONES)),
        "email": f"team{n}@example.org",
        "website": draw(st.sampled_from(_URLS)),
        "address": draw(_texts),
    }[kind]
    return Contact(kind=kind, value=value, label=draw(st.none() | _texts))


@st.composite
def _site(draw: st.DrawFn, ident: str, districts: tuple[str, ...]) -> Site:
    return Site(
        id=ident,
        name=draw(_texts),
        district=draw(st.sampled_from(districts)),
        address=draw(st.none() | _texts),
        postcode=draw(st.none() | st.sampled_from(_POSTCODES)),
        lat=draw(st.floats(50.0, 55.0)),
        lon=draw(st.floats(-3.0, 1.5)),
        approximate=draw(st.booleans()),
        hidden=draw(st.booleans()),
    )


@st.composite
def _pathway(
    draw: st.DrawFn,
    ident: str,
    needs: tuple[str, ...],
    districts: tuple[str, ...],
    sites: list[Site],
) -> Pathway:
    served = draw(st.just("all") | _subset(districts))
    delivery = draw(_subset(DELIVERY_MODES, min_size=1))
    used = draw(_subset(tuple(s.id for s in sites)))
    visible = {s.id for s in sites if not s.hidden}
    if not served and not (REMOTE & set(delivery)) and not (visible & set(used)):
        served = (districts[0],)  # reachable without its hidden sites
    capacity = draw(
        st.none()
        | st.builds(
            Capacity,
            places=st.none() | st.integers(0, 500),
            per=st.sampled_from(("week", "month", "quarter")),
            status=st.sampled_from(("open", "waitlist", "closed")),
            updated=_dates,
            illustrative=st.booleans(),
        )
    )
    return Pathway(
        id=ident,
        name=draw(_texts),
        description=draw(st.none() | _texts),
        needs=draw(_subset(needs, min_size=1)),
        districts=served,
        delivery=delivery,
        sites=used,
        eligibility=draw(_eligibility()),
        capacity=capacity,
        conditions=draw(_subset(CONDITIONS)),
        referral=draw(st.none() | _texts),
        active=draw(st.booleans()),
    )


@st.composite
def directories(draw: st.DrawFn, *, max_agencies: int = 3) -> Directory:
    """A small directory valid under the cross-record rules (see the section's notes)."""
    groups = tuple(
        NeedGroup(id=f"group_{g}", label=draw(_texts)) for g in range(draw(st.integers(1, 2)))
    )
    need_ids = draw(_subset(_NEED_IDS, min_size=1).filter(lambda t: len(t) <= 5))
    needs = tuple(
        Need(
            id=n,
            label=draw(_texts),
            group=draw(st.sampled_from(groups)).id,
            description=draw(st.none() | _texts),
        )
        for n in need_ids
    )
    district_ids = draw(_subset(_DISTRICT_IDS, min_size=1))
    districts = tuple(
        District(
            id=x,
            label=f"{x.title()} {draw(_texts)}",
            area="north",
            lat=draw(st.floats(51.0, 54.0)),
            lon=draw(st.floats(-2.0, 1.0)),
        )
        for x in district_ids
    )
    agencies = []
    for a in range(draw(st.integers(1, max_agencies))):
        sites = [draw(_site(f"a{a}-s{k}", district_ids)) for k in range(draw(st.integers(0, 3)))]
        pathways = tuple(
            draw(_pathway(f"a{a}-p{j}", need_ids, district_ids, sites))
            for j in range(draw(st.integers(1, 3)))
        )
        agencies.append(
            Agency(
                id=f"a{a}",
                name=draw(_texts),
                operator=draw(st.none() | _texts),
                kind=draw(
                    st.sampled_from(
                        ("statutory", "nhs", "police", "local_authority", "voluntary", "private")
                    )
                ),
                description=draw(st.none() | _texts),
                website=draw(st.none() | st.sampled_from(_URLS)),
                contacts=tuple(draw(_contact(n)) for n in range(draw(st.integers(0, 3)))),
                sources=tuple(
                    Source(
                        title=draw(_texts),
                        url=draw(st.none() | st.sampled_from(_URLS)),
                        evidence=draw(st.sampled_from(("read", "memory", "guess"))),
                        note=draw(st.none() | _texts),
                    )
                    for _ in range(draw(st.integers(1, 2)))
                ),
                last_verified=draw(_dates),
                illustrative=draw(st.none() | _texts),
                sites=tuple(sites),
                pathways=pathways,
            )
        )
    return Directory(
        attribution=draw(st.none() | _texts),
        groups=groups,
        needs=needs,
        areas=(Area(id="north", label="North"),),
        districts=districts,
        agencies=tuple(agencies),
    )


# ---------------------------------------------------------------------------------------------
# matching.match: small directories and assessments for plan-level oracles
#
# match_directories() draws a directory shaped for matching rather than for export: 2-5 needs,
# 1-3 districts whose centres lie within about 30 km of each other, 1-6 agencies with 0-3 sites
# each near a district centre (some hidden), and 1-3 pathways each with listed, "all" or no
# districts, every delivery mode, eligibility rules drawn from a few sharp shapes (age edges,
# one gender, a cohort, accepted or excluded offences, disposals), small or no capacity of every
# status, and a few inactive ones. Travel distances therefore straddle the travel limits that
# match_assessments() draws (0-60 km), and capacities are often full.
# match_assessments(d) draws an assessment valid for d: a point near one of its districts,
# 1-4 needs, facts consistent with the law (no youth disposal for adults and the reverse),
# agencies already engaged with some of the needs.
# ---------------------------------------------------------------------------------------------

from matching.assessment import ADULT_ONLY_DISPOSALS, YOUTH_DISPOSALS, Assessment  # noqa: E402

_MATCH_NEEDS = ("accommodation", "drugs", "alcohol", "debt", "gambling")
_MATCH_DISTRICTS = (("fenland", 52.55, 0.09), ("cambridge", 52.2, 0.12), ("hunts", 52.33, -0.19))


@st.composite
def _match_eligibility(draw: st.DrawFn, *, fit: bool = False) -> Eligibility:
    shapes = ("none", "none", "adult", "youth", "young", "women", "cohort", "offence", "excluded")
    if fit:  # women's and youth provision, victims' services, restorative justice
        shapes += ("women focus", "women only", "youth focus", "victims", "rj")
    shape = draw(st.sampled_from(shapes))
    if shape == "women focus":
        return Eligibility(audience=Audience(women="focus"))
    if shape == "women only":
        return Eligibility(audience=Audience(women="only"))
    if shape == "youth focus":
        return Eligibility(audience=Audience(under_18="focus"))
    if shape == "victims":
        return Eligibility(role="victim")
    if shape == "rj":
        return Eligibility(role="both", requires=("admission", "victim_willing"))
    if shape == "adult":
        return Eligibility(min_age=18)
    if shape == "youth":
        return Eligibility(max_age=17, disposals=("youth_caution", "community_resolution"))
    if shape == "young":
        return Eligibility(min_age=18, max_age=25)
    if shape == "women":
        return Eligibility(genders=("female",))
    if shape == "cohort":
        return Eligibility(cohorts=(draw(st.sampled_from(("veteran", "care_leaver"))),))
    if shape == "offence":
        return Eligibility(offences=("shoplifting", "theft"), disposals=("conditional_caution",))
    if shape == "excluded":
        return Eligibility(excluded_offences=("sexual",))
    return Eligibility()


@st.composite
def match_directories(draw: st.DrawFn, *, max_agencies: int = 6, fit: bool = False) -> Directory:
    """A small directory for matching (see the section's notes); with ``fit``, pathways also
    draw needs they take alongside, levels (L4 among them), audiences, victims' roles and
    prerequisites, and some agencies are youth justice services."""
    n_needs = draw(st.integers(2, len(_MATCH_NEEDS)))
    need_ids = _MATCH_NEEDS[:n_needs]
    group = NeedGroup(id="support", label="Support")
    needs = tuple(Need(id=n, label=n.title(), group="support") for n in need_ids)
    places = _MATCH_DISTRICTS[: draw(st.integers(1, len(_MATCH_DISTRICTS)))]
    districts = tuple(
        District(id=x, label=x.title(), area="north", lat=lat, lon=lon) for x, lat, lon in places
    )
    district_ids = tuple(x for x, _, _ in places)
    agencies = []
    for a in range(draw(st.integers(1, max_agencies))):
        sites = []
        for k in range(draw(st.integers(0, 3))):
            home, lat, lon = draw(st.sampled_from(places))
            sites.append(
                Site(
                    id=f"a{a}-s{k}",
                    name=f"Site {a}.{k}",
                    district=home,
                    lat=round(lat + draw(st.floats(-0.25, 0.25)), 4),
                    lon=round(lon + draw(st.floats(-0.35, 0.35)), 4),
                    hidden=draw(st.integers(0, 5)) == 0,
                )
            )
        pathways = []
        for j in range(draw(st.integers(1, 3))):
            delivery = draw(_subset(DELIVERY_MODES, min_size=1))
            served = draw(st.sampled_from(("all", "some", "some", "none")))
            districts_served: str | tuple[str, ...] = (
                "all" if served == "all" else draw(_subset(district_ids, min_size=1))
            )
            used = draw(_subset(tuple(s.id for s in sites))) if "in_person" in delivery else ()
            if served == "none" and (REMOTE & set(delivery) or used):
                districts_served = ()
            status = draw(st.sampled_from(("open", "open", "open", "waitlist", "closed")))
            capacity = draw(
                st.none()
                | st.builds(
                    Capacity,
                    places=st.none() | st.integers(0, 3),
                    per=st.just("month"),
                    status=st.just(status),
                    updated=st.just(ORUK_TODAY),
                )
            )
            taken = draw(_subset(need_ids, min_size=1))
            extra: dict[str, Any] = {}
            if fit:
                extra["alongside"] = draw(_subset(taken)) if draw(st.booleans()) else ()
                extra["level"] = draw(st.sampled_from(LEVELS))
                if draw(st.booleans()):
                    extra["levels"] = {draw(st.sampled_from(taken)): draw(st.sampled_from(LEVELS))}
            pathways.append(
                Pathway(
                    id=f"a{a}-p{j}",
                    name=f"Pathway {a}.{j}",
                    needs=taken,
                    districts=districts_served,
                    delivery=delivery,
                    sites=used,
                    eligibility=draw(_match_eligibility(fit=fit)),
                    capacity=capacity,
                    active=draw(st.integers(0, 7)) > 0,
                    **extra,
                )
            )
        agencies.append(
            Agency(
                id=f"a{a}",
                name=f"Agency {a}",
                sources=(Source(title="generated", evidence="guess"),),
                last_verified=ORUK_TODAY,
                sites=tuple(sites),
                pathways=tuple(pathways),
                youth_justice=fit and draw(st.integers(0, 3)) == 0,
            )
        )
    return Directory(
        groups=(group,),
        needs=needs,
        areas=(Area(id="north", label="North"),),
        districts=districts,
        agencies=tuple(agencies),
    )


@st.composite
def match_assessments(draw: st.DrawFn, directory: Directory, *, fit: bool = False) -> Assessment:
    """An assessment valid for ``directory`` (see the section's notes); with ``fit``, some
    needs urgent and the victim flag and recorded facts drawn."""
    district = draw(st.sampled_from(directory.districts))
    lat = round(district.lat + draw(st.sampled_from((0.0, 0.0, -0.1, 0.05, 0.2))), 4)
    lon = round(district.lon + draw(st.sampled_from((0.0, 0.0, 0.1, -0.15, 0.3))), 4)
    need_ids = tuple(n.id for n in directory.needs)
    needs = draw(st.lists(st.sampled_from(need_ids), min_size=1, max_size=4, unique=True))
    age = draw(st.sampled_from((10, 15, 17, 18, 19, 25, 26, 40, 70)))
    allowed = tuple(
        d
        for d in DISPOSALS
        if not (d in YOUTH_DISPOSALS and age >= 18) and not (d in ADULT_ONLY_DISPOSALS and age < 18)
    )
    engaged: dict[str, tuple[str, ...]] = {}
    if draw(st.integers(0, 3)) == 0:
        agency = draw(st.sampled_from(directory.agencies)).id
        engaged[agency] = tuple(draw(st.lists(st.sampled_from(needs), max_size=1, unique=True)))
    facts: dict[str, Any] = {}
    if fit:
        facts["urgent"] = tuple(draw(st.lists(st.sampled_from(needs), unique=True)))
        for name in ("victim", "admitted", "victim_willing"):
            facts[name] = draw(st.booleans())
    return Assessment(
        needs=tuple(needs),
        district=district.id,
        lat=lat,
        lon=lon,
        age=age,
        gender=draw(st.sampled_from((None, "female", "male", "non_binary"))),
        cohorts=tuple(draw(st.lists(st.sampled_from(("veteran", "care_leaver")), max_size=1))),
        offence=draw(st.sampled_from((None, "shoplifting", "sexual", "violence"))),
        disposal=draw(st.none() | st.sampled_from(allowed)),
        engaged=engaged,
        travel_km=draw(st.sampled_from((0.0, 5.0, 15.0, 25.0, 60.0))),
        accept_remote=draw(st.booleans()),
        accept_waitlist=draw(st.booleans()),
        **facts,
    )


# ---------------------------------------------------------------------------------------------
# directory.dumping and directory.loading: directories that are hard to write as YAML
#
# yaml_texts() draws text that YAML treats specially: indicators (: - # ? & * ! | > % @ ` ' "
# { } [ ] ,) anywhere, words that resolve to other types (yes, null, 0o17, 1e3, 2026-10-15),
# every YAML 1.1 line break (\n \r \x85 \u2028 \u2029), tabs, runs of spaces, non-ASCII and
# astral letters, and long runs that get folded; stripped and non-empty, like the models' text.
# yaml_directories() takes a directories() draw (the oruk section above) and makes it harder:
# agency ids whose file-name order differs from id order ("a-b" before "a"), awkward text in
# names, descriptions, notes, addresses and district aliases (flow lists), and towns and
# postcode districts (written one a line as flow mappings). It still passes the rules.
# ---------------------------------------------------------------------------------------------

from directory.models import PostcodeDistrict, Town  # noqa: E402

_YAML_WORDS = ("yes", "No", "null", "~", "0o17", "017", "1e3", "0x1F", ".inf", "2026-10-15")
_YAML_WORDS += ("- item", "key: value", "# note", "? q", "&a", "*a", "!tag", "%x", "@", "`")
_YAML_CHARS = tuple(" \t\n\r\x85\u2028\u2029:-#?&*!|>%@`'\"{}[],.~aAé0🙂")


def yaml_texts(*, max_size: int = 300) -> st.SearchStrategy[str]:
    """Text YAML writers get wrong (see the section's notes); stripped, non-empty."""
    pieces = st.sampled_from(_YAML_WORDS) | st.text(st.sampled_from(_YAML_CHARS), max_size=12)
    words = st.lists(pieces | st.text(min_size=1, max_size=12), min_size=1, max_size=40)
    return words.map(lambda ws: " ".join(ws)[:max_size].strip()).filter(bool)


_FILE_ORDER_IDS = st.from_regex(r"\A[ab0]{1,2}(-[ab0]{1,2}){0,2}\Z", fullmatch=True)


@st.composite
def yaml_directories(draw: st.DrawFn, *, max_agencies: int = 3) -> Directory:
    """A directories() draw with awkward ids and text (see the section's notes)."""
    d = draw(directories(max_agencies=max_agencies))
    label = yaml_texts(max_size=120)
    text = st.none() | yaml_texts()
    ids = draw(
        st.lists(_FILE_ORDER_IDS, min_size=len(d.agencies), max_size=len(d.agencies), unique=True)
    )
    agencies = []
    for agency, ident in zip(d.agencies, ids, strict=True):
        data = agency.model_dump()
        data |= {"id": ident, "name": draw(label), "description": draw(text)}
        data["illustrative"] = draw(text)
        for site in data["sites"]:
            site["address"] = draw(text)
        for pathway in data["pathways"]:
            pathway["description"] = draw(text)
            pathway["referral"] = draw(text)
            pathway["eligibility"]["notes"] = draw(text)
        agencies.append(Agency.model_validate(data))
    districts = tuple(
        x.model_copy(update={"aliases": tuple(draw(st.lists(label, max_size=3)))})
        for x in d.districts
    )
    towns = tuple(
        Town(
            name=f"{draw(label)} {i}",  # the index keeps normalised names unique
            district=draw(st.sampled_from(districts)).id,
            lat=draw(st.floats(51.0, 54.0)),
            lon=draw(st.floats(-2.0, 1.0)),
            population=draw(st.none() | st.integers(0, 10**6)),
        )
        for i in range(draw(st.integers(0, 3)))
    )
    postcodes = tuple(
        PostcodeDistrict(
            code=f"PE{i + 1}",
            district=draw(st.sampled_from(districts)).id,
            lat=draw(st.floats(51.0, 54.0)),
            lon=draw(st.floats(-2.0, 1.0)),
        )
        for i in range(draw(st.integers(0, 2)))
    )
    return d.model_copy(
        update={
            "attribution": draw(text),
            "districts": districts,
            "towns": towns,
            "postcode_districts": postcodes,
            "agencies": tuple(agencies),
        }
    )


# ---------------------------------------------------------------------------------------------
# matching.flow and matching.gaps: transport networks
#
# flow_networks() draws a FlowNetwork of 0-7 groups (supply 0-6), 0-3 hubs and 1-6 targets
# (capacity 0-6 or None for unlimited), with arcs group -> target, group -> hub, hub -> hub
# (lower to higher number) and hub -> target, each with probability `density`, and costs from a
# tiny range so that many optima tie. Supplies and capacities are small so that networks are
# often oversubscribed (full targets) and often undersubscribed (unlimited ones). For the gaps
# queries the tests reuse match_directories() and match_assessments() above.
# ---------------------------------------------------------------------------------------------

from matching.flow import FlowNetwork  # noqa: E402


@st.composite
def flow_networks(
    draw: st.DrawFn,
    *,
    max_groups: int = 7,
    max_hubs: int = 3,
    max_targets: int = 6,
    costs: tuple[int, ...] = (0, 1, 1, 2, 3, 5, 8),
) -> FlowNetwork:
    """A small transport network with hubs (see the section's notes)."""
    n_groups = draw(st.integers(0, max_groups))
    n_hubs = draw(st.integers(0, max_hubs))
    n_targets = draw(st.integers(1, max_targets))
    density = draw(st.sampled_from((0.2, 0.4, 0.7)))
    supply = tuple(draw(st.integers(0, 6)) for _ in range(n_groups))
    capacity = tuple(draw(st.none() | st.integers(0, 6)) for _ in range(n_targets))
    first_target = n_groups + n_hubs
    tails: list[int] = []
    heads: list[int] = []
    arc_costs: list[int] = []
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    for u in range(first_target):
        low = max(u + 1, n_groups)  # groups and hubs point to hubs after them, or to targets
        for v in range(low, first_target + n_targets):
            if rng.random() < density:
                tails.append(u)
                heads.append(v)
                arc_costs.append(rng.choice(costs))
    return FlowNetwork(
        supply=supply,
        capacity=capacity,
        tails=tuple(tails),
        heads=tuple(heads),
        costs=tuple(arc_costs),
        n_hubs=n_hubs,
    )


# ---------------------------------------------------------------------------------------------
# Hostile mutations of input files (tests/test_fuzz.py): what other people's systems and editors
# send. Text-level edits (deletions, duplications, truncation, binary, NUL, unicode, deep nesting,
# extreme numbers and dates) and tree-level edits of parsed YAML/JSON (type swaps, dropped and
# duplicated keys).
# ---------------------------------------------------------------------------------------------


HOSTILE_TOKENS: tuple[str, ...] = (
    "\x00",
    "\ufeff",
    "\u202e",
    "\u2028",
    "é",
    "😀",
    "\r",
    "\t",
    "'",
    '"',
    ",",
    ":",
    "- ",
    "&a ",
    "*a",
    "!!int x12",
    "!!timestamp 2026-13-45",
    "!!python/object/apply:os.system [ls]",
    "[" * 3000,
    "{" * 200,
    "- " * 300,
    "9" * 400,
    "-1",
    "1e400",
    "NaN",
    "-Infinity",
    "9999-12-31",
    "2026-02-30",
    "0000-00-00",
    "null",
    "true",
    "[]",
    "{}",
    "=cmd|'/C calc'!A0",
    "+SUM(1+1)",
    "@SUM(1)",
    "x" * 140_000,
)

_EXTREME_VALUES: tuple[object, ...] = (
    None,
    True,
    0,
    -1,
    10**21,
    2**63,
    1e308,
    -0.0,
    "",
    " ",
    "9999-12-31",
    "2026-13-45",
    "\x00",
    '=HYPERLINK("https://evil.example/")',
    "é" * 50,
    [],
    {},
    [[[]]],
    {"a": {"b": {}}},
)


@st.composite
def mutated_text(draw: st.DrawFn, original: bytes, *, most: int = 4) -> bytes:
    """``original`` after 1 to ``most`` hostile byte-level edits."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, most))):
        size = len(data)
        at = draw(st.integers(0, size))
        end = draw(st.integers(at, min(size, at + 400)))
        kind = draw(
            st.sampled_from(
                ["delete", "duplicate", "insert", "truncate", "binary", "swap-lines", "repeat"]
            )
        )
        if kind == "delete":
            del data[at:end]
        elif kind == "duplicate":
            data[at:at] = data[at:end]
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from(HOSTILE_TOKENS)).encode("utf-8")
        elif kind == "truncate":
            del data[at:]
        elif kind == "binary":
            data[at:end] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "swap-lines":
            lines = bytes(data).split(b"\n")
            if len(lines) > 1:
                i = draw(st.integers(0, len(lines) - 1))
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
                data = bytearray(b"\n".join(lines))
        else:
            data[at:at] = draw(st.text(min_size=1, max_size=40)).encode("utf-8", "surrogatepass")
    return bytes(data)


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*prefix, i))
    return out


@st.composite
def mutated_tree(draw: st.DrawFn, original: object, *, most: int = 3) -> object:
    """A deep copy of parsed YAML/JSON after 1 to ``most`` edits: a value swapped for one of
    another type or an extreme one, a key or item dropped or duplicated, a list nested deeply."""
    import copy

    tree = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, most))):
        paths = [p for p in _paths(tree) if p]
        if not paths:
            return draw(st.sampled_from(_EXTREME_VALUES))
        path = draw(st.sampled_from(paths))
        parent: Any = tree
        for part in path[:-1]:
            parent = parent[part]
        last: Any = path[-1]
        kind = draw(st.sampled_from(["swap", "drop", "duplicate", "nest"]))
        if kind == "swap":
            parent[last] = copy.deepcopy(draw(st.sampled_from(_EXTREME_VALUES)))
        elif kind == "drop":
            del parent[last]
        elif kind == "duplicate" and isinstance(parent, list):
            parent.insert(last, copy.deepcopy(parent[last]))
        elif kind == "duplicate":
            parent[f"{last}_copy"] = copy.deepcopy(parent[last])
        else:
            value: Any = parent[last]
            for _ in range(draw(st.integers(1, 80))):
                value = [value]
            parent[last] = value
    return tree
