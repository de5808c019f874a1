"""matching.assessment: words to ids, contradictions refused, no personal data shown."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from directory.errors import (
    AssessmentError,
    NotFoundError,
    PathwaysError,
    UnknownNeedError,
    UnknownPlaceError,
)
from directory.loading import load
from directory.models import Directory
from matching.assessment import Assessment, Assessor, assess, parse_engaged
from matching.batch import match_many
from matching.match import Matcher


@pytest.fixture(scope="module")
def d() -> Directory:
    return load()


def test_words_resolve_to_ids_and_order_does_not_matter(d: Directory) -> None:
    a = assess(
        d,
        needs="housing, drink, debt",
        where="Wisbech",
        age=34,
        gender="Woman",
        cohorts="Veterans; care leaver",
        offence="Shoplifting",
        disposal="conditional caution",
    )
    b = assess(
        d,
        needs=["debt", "drink", "housing", "drink"],
        where="wisbech",
        age=34,
        gender="female",
        cohorts=["care_leaver", "veteran"],
        offence="shoplifting",
        disposal="conditional_caution",
    )
    assert a == b
    assert a.needs == ("accommodation", "alcohol", "debt")
    assert (a.district, a.gender, a.cohorts) == ("fenland", "female", ("care_leaver", "veteran"))
    assert (a.offence, a.disposal) == ("shoplifting", "conditional_caution")
    wisbech = next(t for t in d.towns if t.name == "Wisbech")
    assert (a.lat, a.lon) == (wisbech.lat, wisbech.lon)
    fenland = d.district_by_id["fenland"]
    by_district = assess(d, needs="debt", where="Fenland", age=34)
    assert (by_district.lat, by_district.lon) == (fenland.lat, fenland.lon)
    assert assess(d, needs="debt", where=(52.66, 0.16), age=34).district == "fenland"


def test_defaults(d: Directory) -> None:
    a = assess(d, needs="debt", where="March", age=30)
    assert (a.travel_km, a.accept_remote, a.accept_waitlist) == (25.0, True, False)
    assert (a.gender, a.cohorts, a.offence, a.disposal, a.engaged) == (None, (), None, None, {})


def test_engaged_needs_are_assessed_and_met(d: Directory) -> None:
    a = assess(
        d,
        needs="housing",
        where="March",
        age=30,
        engaged={"Change Grow Live Cambridgeshire": ["drugs"], "outside-links": []},
    )
    assert a.engaged == {"cgl-cambridgeshire": ("drugs",), "outside-links": ()}
    assert a.needs == ("accommodation", "drugs")
    assert a.met == {"drugs": "cgl-cambridgeshire"}
    assert assess(
        d, needs="housing", where="March", age=30, engaged="cgl-cambridgeshire:drugs|alcohol"
    ).needs == ("accommodation", "alcohol", "drugs")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"age": 9}, AssessmentError, "age 9 is under 10, the age of criminal responsibility"),
        ({"age": 121}, AssessmentError, "age 121 is over 120"),
        (
            {"age": 34, "disposal": "youth caution"},
            AssessmentError,
            "a youth caution is for under-18s, and the person is 34",
        ),
        ({"age": 18, "disposal": "youth_conditional_caution"}, AssessmentError, "for under-18s"),
        (
            {"age": 17, "disposal": "community caution"},
            AssessmentError,
            "a community caution is for adults, and the person is 17",
        ),
        ({"age": 16, "disposal": "diversionary_caution"}, AssessmentError, "for adults"),
        ({"age": 16, "disposal": "conditional_caution"}, AssessmentError, "for adults"),
        ({"age": 30, "travel_km": -1}, AssessmentError, "travel_km must be 0 or more"),
        ({"age": 30, "travel_km": float("nan")}, AssessmentError, "travel_km"),
        ({"age": "30"}, AssessmentError, "whole number"),
        ({"age": 30, "gender": "wmn"}, AssessmentError, "unknown gender"),
        (
            {"age": 30, "disposal": "conditonal caution"},
            AssessmentError,
            "did you mean 'conditional_caution'",
        ),
        ({"age": 30, "offence": "shop lifting"}, AssessmentError, "unknown offence"),
        ({"age": 30, "cohorts": "veterns"}, AssessmentError, "did you mean 'veteran'"),
        (
            {"age": 30, "engaged": {"outside-link": ["debt"]}},
            NotFoundError,
            "unknown agency 'outside-link'; did you mean 'outside-links'",
        ),
        (
            {"age": 30, "engaged": "outside-links:debt;cgl-cambridgeshire:debt"},
            AssessmentError,
            "'debt' is said to be met by both",
        ),
        ({"age": 30, "reference": "has space"}, AssessmentError, "reference"),
    ],
)
def test_contradictions_and_unknown_words_are_refused(
    d: Directory, kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        assess(d, needs="debt", where="March", **kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)
    assert isinstance(info.value, PathwaysError)


def test_youth_disposals_are_fine_for_youths_and_adult_ones_for_adults(d: Directory) -> None:
    assert assess(d, needs="debt", where="March", age=17, disposal="youth caution").age == 17
    assert assess(d, needs="debt", where="March", age=18, disposal="community caution").age == 18
    assert assess(d, needs="debt", where="March", age=10, disposal="community resolution")


def test_unknown_needs_and_places_say_did_you_mean(d: Directory) -> None:
    with pytest.raises(UnknownNeedError) as need:
        assess(d, needs="housing, dbet", where="March", age=30)
    assert "did you mean 'debt'" in str(need.value)
    with pytest.raises(UnknownPlaceError) as place:
        assess(d, needs="debt", where="Wisbeach", age=30)
    assert place.value.suggestions[0] == "Wisbech"
    with pytest.raises(AssessmentError, match="no needs"):
        assess(d, needs=" ", where="March", age=30)


def test_direct_construction_checks_the_same_rules() -> None:
    with pytest.raises(ValidationError, match="for under-18s"):
        Assessment(
            needs=("debt",), district="fenland", lat=52.5, lon=0.1, age=30, disposal="youth_caution"
        )
    with pytest.raises(ValidationError, match="not an assessed need"):
        Assessment(
            needs=("debt",),
            district="fenland",
            lat=52.5,
            lon=0.1,
            age=30,
            engaged={"outside-links": ("drugs",)},
        )
    with pytest.raises(ValidationError):
        Assessment(needs=("debt",), district="fenland", lat=52.5, lon=0.1, age=30, name="Jo")
    a = Assessment(needs=("drugs", "debt", "debt"), district="fenland", lat=52.5, lon=0.1, age=30)
    assert a.needs == ("debt", "drugs")
    with pytest.raises(ValidationError):
        a.age = 31  # type: ignore[misc]


def test_repr_shows_no_personal_facts(d: Directory) -> None:
    a = assess(
        d,
        needs="debt",
        where="Wisbech",
        age=34,
        gender="female",
        offence="shoplifting",
        cohorts="veteran",
        disposal="conditional caution",
        reference="case-7",
    )
    for text in (repr(a), str(a)):
        assert "case-7" in text
        assert "debt" in text
        for fact in ("34", "female", "shoplifting", "veteran", "conditional", "52.", "0.15"):
            assert fact not in text


def test_the_library_logs_nothing_about_people(
    d: Directory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    a = assess(
        d,
        needs="debt, drink, gambling",
        where="Wisbech",
        age=34,
        gender="female",
        reference="case-7",
        accept_remote=False,
    )
    m = Matcher(d)
    m.match(a)
    match_many(m, [a, a])
    assert caplog.records == []


def test_parse_engaged_and_assessor_reuse(d: Directory) -> None:
    assert parse_engaged("a:x|y; b ;a:z") == {"a": ("x", "y", "z"), "b": ()}
    assessor = Assessor(d)
    assert assessor.need("drink") == assessor.need("alcohol") == "alcohol"
    assert assessor.place("Wisbech") == assessor.place("Wisbech")
    assert assessor.agency("Outside Links") == "outside-links"
