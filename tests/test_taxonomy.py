"""Resolving typed words to needs: exact terms, misspellings, phrases, refusals."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from directory.errors import InvalidArgumentError, PathwaysError, UnknownNeedError
from directory.models import Directory, Need
from directory.taxonomy import THRESHOLD, Resolution, Taxonomy, normalise

DATA = Path(__file__).resolve().parents[1] / "directory" / "data"
NEEDS: dict[str, Any] = yaml.safe_load((DATA / "needs.yaml").read_text(encoding="utf-8"))
LOCALITIES: dict[str, Any] = yaml.safe_load((DATA / "localities.yaml").read_text(encoding="utf-8"))
NEED_IDS = [n["id"] for n in NEEDS["needs"]]


def shipped_directory() -> Directory:
    """The shipped needs and localities as a Directory (no agencies needed here)."""
    return Directory.model_validate({**NEEDS, **LOCALITIES})


SHIPPED = Taxonomy.from_directory(shipped_directory())  # immutable: safe to share


@pytest.fixture
def taxonomy() -> Taxonomy:
    return SHIPPED


def need(ident: str, *synonyms: str, label: str | None = None) -> Need:
    return Need(
        id=ident, label=label or ident.replace("_", " ").title(), group="g", synonyms=synonyms
    )


# ------------------------------------------------------------------------------------ exact terms
TERMS = [
    (n["id"], term)
    for n in NEEDS["needs"]
    for term in (n["id"], n["label"], *n.get("synonyms", ()))
]
EVERY_TERM = [pytest.param(n, t, id=f"{n}:{t}") for n, t in TERMS]


@pytest.mark.parametrize(("need_id", "term"), EVERY_TERM)
def test_every_id_label_and_synonym_resolves_to_its_own_need(
    taxonomy: Taxonomy, need_id: str, term: str
) -> None:
    resolution = taxonomy.resolve(term)
    assert resolution == Resolution(need_id, 100.0, resolution.matched, exact=True)
    assert normalise(resolution.matched) == normalise(term)


def test_shipped_terms_are_unique_across_needs() -> None:
    owner: dict[str, str] = {}
    for n in NEEDS["needs"]:
        for term in {normalise(t) for t in (n["id"], n["label"], *n.get("synonyms", ()))}:
            assert owner.setdefault(term, n["id"]) == n["id"], f"{term!r} is in two needs"


def test_exact_match_ignores_case_spacing_and_punctuation(taxonomy: Taxonomy) -> None:
    assert taxonomy.resolve("  SELF-HARM ").need == "mental_health"
    assert taxonomy.resolve("Can't  read").need == "education_training"
    assert taxonomy.resolve("L & D").need == "mental_health"
    assert taxonomy.resolve("mental_health").exact


# ------------------------------------------------------------------------------ fuzzy: resolved
MISSPELLINGS = [
    ("alcahol", "alcohol"),
    ("problems with drink", "alcohol"),
    ("drinking too much", "alcohol"),
    ("homless", "accommodation"),
    ("rough sleping", "accommodation"),
    ("accomodation", "accommodation"),
    ("depresion", "mental_health"),
    ("mentl health", "mental_health"),
    ("debts and bills", "debt"),
    ("budgetting", "debt"),
    ("anger issuez", "anger_management"),
    ("gambeling", "gambling"),
    ("job seeking", "employment"),
    ("looking for a job", "employment"),
    ("councelling", "emotional_wellbeing_counselling"),
    ("drugz", "drugs"),
    ("cannabis use", "drugs"),
    ("canabis use", "drugs"),
    ("benifits", "benefits_income"),
    ("domestic violence perpetrator", "domestic_abuse_perpetrator"),
    ("learning dificulty", "neurodiversity_learning_disability"),
    ("dislexia", "neurodiversity_learning_disability"),
    ("hate crime course", "offence_specific_awareness"),
    ("shop lifting", "offence_specific_awareness"),
    ("peer preasure", "lifestyle_associates"),
    ("parenting course", "family_relationships"),
    ("practical suport", "logistical_support"),
    ("mentor support", "mentoring"),
    ("phsyical health", "physical_health"),
    ("victim of domestic violance", "domestic_abuse_victim"),
]
EXACT_PHRASES = [
    ("drink problem", "alcohol"),
    ("universal credit", "benefits_income"),
    ("no fixed abode", "accommodation"),
    ("housing benefit", "benefits_income"),
    ("victim of domestic violence", "domestic_abuse_victim"),
]


@pytest.mark.parametrize(("text", "expected"), MISSPELLINGS)
def test_misspellings_and_phrases_resolve_to_the_right_need(
    taxonomy: Taxonomy, text: str, expected: str
) -> None:
    resolution = taxonomy.resolve(text)
    assert resolution.need == expected
    assert not resolution.exact
    assert THRESHOLD <= resolution.score < 100
    assert normalise(resolution.matched) in {
        normalise(t)
        for n in NEEDS["needs"]
        if n["id"] == expected
        for t in (n["id"], n["label"], *n.get("synonyms", ()))
    }


@pytest.mark.parametrize(("text", "expected"), EXACT_PHRASES)
def test_realistic_phrases_that_are_terms_resolve_exactly(
    taxonomy: Taxonomy, text: str, expected: str
) -> None:
    assert taxonomy.resolve(text) == Resolution(expected, 100.0, text, exact=True)


def test_a_word_of_one_longer_term_resolves(taxonomy: Taxonomy) -> None:
    assert taxonomy.resolve("knife").need == "offence_specific_awareness"  # knife crime
    assert taxonomy.resolve("mental").need == "mental_health"  # not "dental"


def test_scores_are_rounded_and_ordered(taxonomy: Taxonomy) -> None:
    assert taxonomy.resolve("alcahol").score == 85.7  # one letter changed in 7
    assert taxonomy.resolve("drugz").score == 88.9  # one letter added to "drug"
    assert taxonomy.resolve("homless").score == 93.3  # one letter dropped


# ------------------------------------------------------------------------------ fuzzy: refused
@pytest.mark.parametrize("text", ["banana", "qwerty", "xyzzy", "skint", "the"])
def test_nonsense_is_refused_without_far_fetched_suggestions(taxonomy: Taxonomy, text: str) -> None:
    with pytest.raises(UnknownNeedError) as caught:
        taxonomy.resolve(text)
    error = caught.value
    assert error.text == text
    assert error.suggestions == ()  # nothing scores 70 or more: no need is suggested
    assert str(error) == f"unknown need {text!r}; no need's words are close to it"


@pytest.mark.parametrize(
    ("text", "near"),
    [("dbet", ("debt",)), ("pills", ("debt", "education_training")), ("skint money", None)],
)
def test_near_misses_suggest_only_the_close_needs(
    taxonomy: Taxonomy, text: str, near: tuple[str, ...] | None
) -> None:
    ranked = taxonomy.suggest(text, 3)
    if near is None:  # resolved: not a refusal at all
        assert taxonomy.resolve(text).need == "debt"
        return
    with pytest.raises(UnknownNeedError) as caught:
        taxonomy.resolve(text)
    assert caught.value.suggestions == near
    best = ranked[0][1]
    assert all(s >= 70 and s >= best - 20 for n, s in ranked if n in near)
    assert all(s < 70 or s < best - 20 for n, s in ranked if n not in near)


@pytest.mark.parametrize(
    ("text", "needs"),
    [
        ("drugs and alcohol", {"drugs", "alcohol"}),
        ("homeless and jobless", {"accommodation", "employment"}),
        ("abuse", {"domestic_abuse_perpetrator", "domestic_abuse_victim"}),
        ("learning", {"education_training", "neurodiversity_learning_disability"}),
        ("sexual", {"domestic_abuse_victim", "physical_health", "sex_work_exploitation"}),
        ("help", {"benefits_income", "family_relationships", "logistical_support"}),
        ("health", {"physical_health", "mental_health"}),
    ],
)
def test_ambiguous_text_is_refused_listing_the_needs_it_fits(
    taxonomy: Taxonomy, text: str, needs: set[str]
) -> None:
    with pytest.raises(UnknownNeedError) as caught:
        taxonomy.resolve(text)
    assert set(caught.value.suggestions) == needs
    assert any("ambiguous" in note for note in caught.value.__notes__)


@pytest.mark.parametrize(
    ("text", "needs"),
    [
        ("alcohl and drugs", {"alcohol", "drugs"}),
        ("gambling debts", {"gambling", "debt"}),
    ],
)
def test_text_naming_two_needs_is_refused(taxonomy: Taxonomy, text: str, needs: set[str]) -> None:
    with pytest.raises(UnknownNeedError) as caught:
        taxonomy.resolve(text)
    assert set(caught.value.suggestions) == needs
    assert any("more than one need" in note for note in caught.value.__notes__)


def test_near_miss_in_a_short_word_is_refused_but_suggested(taxonomy: Taxonomy) -> None:
    with pytest.raises(UnknownNeedError) as caught:
        taxonomy.resolve("pills")  # one letter from "bills": not a guess to make silently
    assert caught.value.suggestions[0] == "debt"
    with pytest.raises(UnknownNeedError) as caught:
        taxonomy.resolve("herion")
    assert caught.value.suggestions[0] == "drugs"
    assert taxonomy.resolve("herion", threshold=80).need == "drugs"


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "!!!", " - "])
def test_empty_text_is_refused_without_suggestions(taxonomy: Taxonomy, text: str) -> None:
    with pytest.raises(UnknownNeedError) as caught:
        taxonomy.resolve(text)
    assert caught.value.suggestions == ()


def test_a_term_two_needs_share_is_refused_not_given_to_the_first() -> None:
    taxonomy = Taxonomy([need("alcohol", "drink"), need("hydration", "Drink")])
    with pytest.raises(UnknownNeedError) as caught:
        taxonomy.resolve("drink")
    assert caught.value.suggestions == ("alcohol", "hydration")


def test_near_ties_between_needs_are_refused() -> None:
    taxonomy = Taxonomy([need("a_need", "cocaine"), need("b_need", "cocaina")])
    with pytest.raises(UnknownNeedError) as caught:
        taxonomy.resolve("cocainx")
    assert caught.value.suggestions == ("a_need", "b_need")  # ties broken by id


def test_threshold_must_be_a_percentage(taxonomy: Taxonomy) -> None:
    with pytest.raises(InvalidArgumentError):
        taxonomy.resolve("drugs", threshold=101)
    with pytest.raises(InvalidArgumentError):
        taxonomy.resolve("drugs", threshold=-1)


def test_errors_belong_to_the_one_hierarchy(taxonomy: Taxonomy) -> None:
    with pytest.raises(PathwaysError) as caught:
        taxonomy.resolve("xyzzy")
    assert isinstance(caught.value, LookupError)


# ------------------------------------------------------------------------------ resolve_many
def test_resolve_many_splits_deduplicates_and_keeps_order(taxonomy: Taxonomy) -> None:
    found = taxonomy.resolve_many("homless; drink problem, booze /cannabis\nhousing,,")
    assert [r.need for r in found] == ["accommodation", "alcohol", "drugs"]
    assert found[0].matched == "homeless"  # the first sighting is kept


def test_resolve_many_does_not_split_on_and(taxonomy: Taxonomy) -> None:
    found = taxonomy.resolve_many("drunk and disorderly, reading and writing")
    assert [r.need for r in found] == ["alcohol", "education_training"]
    with pytest.raises(UnknownNeedError):
        taxonomy.resolve_many("drugs and alcohol")


def test_resolve_many_takes_items_whole(taxonomy: Taxonomy) -> None:
    found = taxonomy.resolve_many(["debts, bills", "", "anger issuez"])
    assert [r.need for r in found] == ["debt", "anger_management"]
    assert taxonomy.resolve_many([]) == ()
    assert taxonomy.resolve_many("  ") == ()


def test_resolve_many_raises_one_items_own_error(taxonomy: Taxonomy) -> None:
    with pytest.raises(UnknownNeedError) as caught:
        taxonomy.resolve_many("alcohol, banana")
    assert caught.value.text == "banana"
    assert str(caught.value).startswith("unknown need 'banana'")


def test_resolve_many_reports_every_bad_item_at_once(taxonomy: Taxonomy) -> None:
    with pytest.raises(UnknownNeedError) as caught:
        taxonomy.resolve_many("alcohol, banana; pills, drugz, ")
    error = caught.value
    assert error.text == "banana"
    message = str(error)
    assert message.startswith("2 unknown needs: 'banana' (no need is close)")
    assert "'pills' (did you mean 'debt'" in message
    group = error.__cause__
    assert isinstance(group, ExceptionGroup)
    assert all(isinstance(e, UnknownNeedError) for e in group.exceptions)
    assert [getattr(e, "text", None) for e in group.exceptions] == ["banana", "pills"]


def test_resolve_many_refuses_items_that_are_not_text(taxonomy: Taxonomy) -> None:
    with pytest.raises(InvalidArgumentError):
        taxonomy.resolve_many(["drugs", 3])  # type: ignore[list-item]


def test_resolve_many_passes_the_threshold_on(taxonomy: Taxonomy) -> None:
    assert [r.need for r in taxonomy.resolve_many("herion", threshold=80)] == ["drugs"]


# ------------------------------------------------------------------------------ suggest
def test_suggest_lists_needs_best_first(taxonomy: Taxonomy) -> None:
    suggestions = taxonomy.suggest("alcahol", limit=2)
    assert suggestions[0] == ("alcohol", 85.7)
    assert len(suggestions) == 2
    assert suggestions[0][1] >= suggestions[1][1]
    assert taxonomy.suggest("drink", limit=1) == [("alcohol", 100.0)]
    assert taxonomy.suggest("  ") == []
    with pytest.raises(InvalidArgumentError):
        taxonomy.suggest("drink", limit=0)


# ------------------------------------------------------------------------------ the object
def test_taxonomy_is_immutable(taxonomy: Taxonomy) -> None:
    with pytest.raises(AttributeError):
        taxonomy._terms = ()
    with pytest.raises(AttributeError):
        del taxonomy._needs
    with pytest.raises(AttributeError):
        taxonomy.extra = 1


def test_built_from_needs_or_directory_alike() -> None:
    directory = shipped_directory()
    a, b = Taxonomy(directory.needs), Taxonomy.from_directory(directory)
    assert a.needs == b.needs == directory.needs
    assert a.resolve("gambeling") == b.resolve("gambeling")
    assert "Taxonomy of 22 needs" in repr(a)


def test_taxonomy_pickles_for_worker_processes(taxonomy: Taxonomy) -> None:
    copy = pickle.loads(pickle.dumps(taxonomy))
    assert copy.needs == taxonomy.needs
    assert copy.resolve("alcahol") == taxonomy.resolve("alcahol")


def test_duplicate_need_ids_are_misuse() -> None:
    with pytest.raises(InvalidArgumentError, match="more than once: drugs"):
        Taxonomy([need("drugs"), need("drugs")])


def test_resolution_is_a_frozen_value() -> None:
    resolution = Resolution("drugs", 100.0, "drugs", exact=True)
    with pytest.raises(AttributeError):
        resolution.need = "alcohol"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Drugs & Alcohol", "drugs and alcohol"),
        ("women's aid", "womens aid"),
        ("self-harm", "self harm"),
        ("  lots   of\tspace ", "lots of space"),
        ("pro-criminal attitudes", "pro criminal attitudes"),
        ("Naïve", "naive"),
        ("drug_use", "drug use"),
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


# ------------------------------------------------------------------------------ properties
@given(st.text(max_size=40))
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


WORDS = sorted({w for _, t in TERMS for w in normalise(t).split()})


@given(
    st.text(max_size=30)
    | st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
    | st.sampled_from([t for _, t in TERMS])
)
def test_resolve_answers_or_refuses_and_never_anything_else(text: str) -> None:
    suggestions: tuple[str, ...] = ()
    try:
        resolution = SHIPPED.resolve(text)
    except UnknownNeedError as error:
        suggestions = error.suggestions
    else:
        assert resolution.need in NEED_IDS
        assert resolution.score >= THRESHOLD
        assert resolution.exact == (normalise(text) == normalise(resolution.matched))
    assert set(suggestions) <= set(NEED_IDS)


def test_resolving_scores_a_window_of_terms_not_the_whole_taxonomy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The work of a look-up, counted rather than timed: a taxonomy with ten times the needs,
    all named in far longer words, makes each look-up score exactly the same terms (the same
    rapidfuzz calls on the same slices), because only terms of a length that can reach the
    threshold are compared."""
    import directory.taxonomy as module

    real = module.process.extract
    scored: list[int] = []

    def counting(query: str, choices: Any, **options: Any) -> Any:
        scored.append(len(choices))
        return real(query, choices, **options)

    monkeypatch.setattr(module.process, "extract", counting)
    padding = [
        need(
            f"an_unrelated_service_named_far_longer_than_any_word_typed_{i:03d}",
            f"a synonym that is also far longer than anything typed for a need, number {i:03d}",
        )
        for i in range(10 * len(SHIPPED.needs))
    ]
    larger = Taxonomy((*SHIPPED.needs, *padding))
    for text, expected in MISSPELLINGS:
        scored.clear()
        assert SHIPPED.resolve(text).need == expected
        small = list(scored)
        scored.clear()
        assert larger.resolve(text).need == expected
        assert scored == small, text
        words = len(text.split())
        assert 0 < len(small) <= words * (words + 1) // 2 + 1, text  # one per run of words
