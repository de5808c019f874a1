"""The compiled cover search (matching._cover) against the Python reference, step for step.

``best_cover`` searches in C when the extension is built and the instance fits (needs below
2**64, at most 16 needs that can be met, fields below 2**40); ``best_cover_python`` is the
reference. Both must give the same cover and the same counters: the C search expands and queues
the same states in the same order, so a difference in any step (dominance, branching order,
heuristic, tie-breaks between states) shows up here even when the answer happens to agree.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import cover
from matching.cover import Option, best_cover, best_cover_python
from tests.strategies import adversarial_pairs, cover_instances


def both(
    universe: int, options: list[Option], free: frozenset[int] = frozenset()
) -> tuple[cover.Cover, dict[str, int]]:
    """The compiled answer and counters, asserted equal to the reference's."""
    s_c: dict[str, int] = {}
    s_py: dict[str, int] = {}
    got = best_cover(universe, options, free_agencies=free, stats=s_c)
    ref = best_cover_python(universe, options, free_agencies=free, stats=s_py)
    assert got == ref
    assert s_c == s_py
    return got, s_c


def test_the_extension_is_built() -> None:
    """The tests run where the package was installed with its C extensions."""
    assert cover.COMPILED


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(cover_instances(max_needs=10, max_options=40, max_agencies=10, max_spare=3))
def test_compiled_equals_python_step_for_step(
    instance: tuple[int, list[Option], frozenset[int]],
) -> None:
    universe, options, free = instance
    both(universe, options, free)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(60, 260),
    needs=st.integers(2, 8),
    high=st.booleans(),
)
def test_many_options_and_ties_across_words(seed: int, n: int, needs: int, high: bool) -> None:
    """Over 64 options, with distances and places tied, the tie-break compares ranks across
    several 64-bit words; needs placed high in the mask (bits 40-63) are compressed alike."""
    rng = random.Random(seed)
    base = 40 if high else 0
    bits = rng.sample(range(base, base + 24), needs)
    universe = sum(1 << b for b in bits)
    options = [
        Option(
            sum(1 << b for b in rng.sample(bits, rng.randint(1, 2))),
            rng.randrange(n // 3 + 1),
            rng.choice((0, 0, 0, 100)),
            rng.randint(0, 1),
        )
        for _ in range(n)
    ]
    free = frozenset(rng.sample(range(n // 3 + 1), rng.randint(0, 2)))
    both(universe, options, free)


@pytest.mark.parametrize(("agencies", "per_agency", "seed"), [(30, 1, 0), (12, 3, 1), (6, 6, 2)])
def test_adversarial_pairs_step_for_step(agencies: int, per_agency: int, seed: int) -> None:
    universe, options, free = adversarial_pairs(8, agencies, per_agency=per_agency, seed=seed)
    _, stats = both(universe, options, free)
    assert stats["expanded"] > 0  # the search ran, not a shortcut


def test_sixteen_needs_in_c_seventeen_in_python() -> None:
    """16 needs that can be met are searched in C; 17 go to Python; both give the reference."""
    from matching._cover import search

    rng = random.Random(16)
    for t in (16, 17):
        options = [
            Option(
                sum(1 << b for b in rng.sample(range(t), rng.randint(1, 4))),
                rng.randrange(9),
                rng.choice((0, 500)),
                rng.randint(0, 2),
            )
            for _ in range(25)
        ]
        options += [Option(1 << b, 9, 0, 0) for b in range(t)]  # every need can be met
        universe = (1 << t) - 1
        assert (search(universe, options, frozenset()) is None) == (t == 17)
        both(universe, options)


@pytest.mark.parametrize(
    ("universe", "option", "free"),
    [
        (1 << 64 | 0b11, Option(0b11, 0, 0, 0), frozenset()),  # a need at bit 64
        (0b11, Option(0b11, 2**63, 0, 0), frozenset()),  # an agency beyond 64 bits
        (0b11, Option(0b11, 0, 2**40 + 1, 0), frozenset()),  # a distance beyond 2**40
        (0b11, Option(0b11, 0, 0, 2**40 + 1), frozenset()),  # places beyond 2**40
        (0b11, Option(0b11, 0, 0, 0), frozenset({2**64})),  # a free agency beyond 64 bits
    ],
)
def test_what_c_cannot_hold_goes_to_python(
    universe: int, option: Option, free: frozenset[int]
) -> None:
    from matching._cover import search

    options = [option, Option(0b01, 1, 5, 1), Option(0b10, 1, 5, 1)]
    assert search(universe, options, free) is None
    both(universe, options, free)


def test_masks_wider_than_64_bits_are_cut_to_the_universe() -> None:
    """An option's needs outside a universe below 2**64 do not matter, however high."""
    options = [Option(1 << 200 | 0b01, 0, 0, 0), Option(0b10, 1, 0, 0), Option(0b11, 2, 900, 0)]
    got, _ = both(0b11, options)
    assert got.chosen == (2,)


def test_free_agencies_given_as_a_set() -> None:
    options = [Option(0b01, 0, 0, 0), Option(0b10, 1, 0, 0), Option(0b11, 2, 900, 0)]
    got = best_cover(0b11, options, free_agencies={0, 1})  # type: ignore[arg-type]
    assert got.chosen == (0, 1)
    assert got == best_cover_python(0b11, options, free_agencies=frozenset({0, 1}))


def test_records_with_other_types_go_to_python() -> None:
    """Records that are not all ints (an agency named by a string, a float distance, a free
    agency that is not an int) are left to the Python search, which decides what they mean."""
    from dataclasses import dataclass

    from matching._cover import search

    @dataclass
    class Record:
        mask: Any
        agency: Any
        distance: Any
        spare: Any

    ints = [Record(0b01, 0, 0, 0), Record(0b10, 1, 0, 0), Record(0b11, 2, 900, 0)]
    assert search(0b11, ints, frozenset()) is not None  # any record with int fields will do
    cases: list[tuple[Record, frozenset[Any]]] = [
        (Record(0b11, "two", 900, 0), frozenset()),
        (Record(0b11, 2, 900.0, 0), frozenset()),
        (Record(0b11, 2, 900, 0), frozenset({"x"})),
    ]
    for odd, free in cases:
        records = [*ints[:2], odd]
        assert search(0b11, records, free) is None
        got = best_cover(0b11, records, free_agencies=free)
        assert got == best_cover_python(0b11, records, free_agencies=free)
