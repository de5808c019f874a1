"""matching.grouping: the numpy reduction equals the plain loop (tests/oracle.py), and what it
drops cannot matter (the solver's optimum, and every re-solve without one chosen pathway,
unchanged)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import grouping as R
from matching.cover import Option, best_cover
from tests.oracle import as_lists, reduce_rows_loop


@st.composite
def row_sets(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(0, 24))
    needs = draw(st.integers(1, 4))
    slots = sorted(draw(st.lists(st.integers(0, 200), min_size=n, max_size=n, unique=True)))
    agencies = draw(st.integers(1, 8))
    return {
        "slot": np.array(slots, dtype=np.int64),
        "mask": np.array(
            [draw(st.integers(1, (1 << needs) - 1)) for _ in range(n)], dtype=np.int64
        ),
        "agency": np.array([draw(st.integers(0, agencies - 1)) for _ in range(n)], dtype=np.int64),
        # few values: ties on distance and places, broken by slot
        "distance": np.array([draw(st.sampled_from([0, 5, 9])) for _ in range(n)], dtype=np.int64),
        "spare": np.array([draw(st.integers(0, 2)) for _ in range(n)], dtype=np.int64),
        "waitlisted": np.array([draw(st.integers(0, 5)) == 0 for _ in range(n)], dtype=bool),
        "engaged": np.array(
            sorted(set(draw(st.lists(st.integers(0, agencies - 1), max_size=2)))), dtype=np.int64
        ),
    }


@st.composite
def fitted_row_sets(draw: st.DrawFn) -> dict[str, Any]:
    """Row sets with fit points: per row a few bits of a small set, often none (generalists)."""
    rows = draw(row_sets())
    n = len(rows["slot"])
    rows["fit"] = np.array(
        [draw(st.sampled_from([0, 0, 1, 2, 3, 4, 5])) for _ in range(n)], dtype=np.int64
    )
    return rows


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(rows=row_sets(), prune=st.booleans())
def test_numpy_equals_the_loop(rows: dict[str, Any], prune: bool) -> None:
    assert as_lists(R.reduce_rows(**rows, prune=prune)) == reduce_rows_loop(**rows, prune=prune)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    rows=st.one_of(row_sets(), fitted_row_sets()),
    prune=st.booleans(),
    shift=st.sampled_from([0, 60, 100]),
)
def test_masks_beyond_62_needs_give_the_same_rows(
    rows: dict[str, Any], prune: bool, shift: int
) -> None:
    """A taxonomy of more than 62 needs keeps masks (and fit points) as Python ints (object
    arrays): the same rows as int64 masks of the same shape."""
    wide = dict(rows, mask=np.array([int(m) << shift for m in rows["mask"]], dtype=object))
    if "fit" in rows:
        wide["fit"] = np.array([int(f) << (shift + 3) for f in rows["fit"]], dtype=object)
    assert as_lists(R.reduce_rows(**wide, prune=prune)) == as_lists(
        R.reduce_rows(**rows, prune=prune)
    )


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(rows=fitted_row_sets(), prune=st.booleans())
def test_numpy_equals_the_loop_with_fit_points(rows: dict[str, Any], prune: bool) -> None:
    assert as_lists(R.reduce_rows(**rows, prune=prune)) == reduce_rows_loop(**rows, prune=prune)


def options(rows: dict[str, Any], at: list[int]) -> list[Option]:
    return [
        Option(int(rows["mask"][i]), int(rows["agency"][i]), int(rows["distance"][i]),
               int(rows["spare"][i]))
        for i in at
    ]  # fmt: skip


def solved(rows: dict[str, Any], at: list[int], universe: int) -> tuple[Any, tuple[int, ...], int]:
    """The optimum's levels before the ids, the slots chosen (the last level: options are in
    slot order, so ties go to the smaller slots) and the needs met."""
    free = frozenset(int(x) for x in rows["engaged"])
    fit = [int(rows["fit"][i]) for i in at] if "fit" in rows else None
    cover = best_cover(universe, options(rows, at), free_agencies=free, fit=fit)
    return cover.key[:6], tuple(int(rows["slot"][at[j]]) for j in cover.chosen), cover.covered


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(rows=st.one_of(row_sets(), fitted_row_sets()))
def test_what_is_dropped_cannot_matter(rows: dict[str, Any]) -> None:
    """Waitlisted rows aside (their masks come reduced by the waitlist rule), the optimum over
    the rows kept (with a group's runner-up when its winner is removed) equals the optimum over
    every row, and so does each re-solve without one chosen row; with fit points too (the
    solver's level 3)."""
    placed = ~rows["waitlisted"]
    rows = {k: (v[placed] if k != "engaged" else v) for k, v in rows.items()}
    rows["waitlisted"] = np.zeros(len(rows["slot"]), dtype=bool)
    universe = int(np.bitwise_or.reduce(rows["mask"], initial=0))
    if not universe:
        return
    everything = list(range(len(rows["slot"])))
    kept, winners, runners = (x.tolist() for x in R.reduce_rows(**rows, prune=True))
    runner_up = dict(zip(winners, runners, strict=True))
    best = solved(rows, kept, universe)
    assert best == solved(rows, everything, universe)
    chosen = best[1]
    slot_row = {int(s): i for i, s in enumerate(rows["slot"])}
    for s in chosen:
        i = slot_row[s]
        rest = sorted([j for j in kept if j != i] + ([runner_up[i]] if i in runner_up else []))
        whole = [j for j in everything if j != i]
        alt, whole_alt = solved(rows, rest, universe), solved(rows, whole, universe)
        assert (alt[0], alt[2]) == (whole_alt[0], whole_alt[2])  # what the reasons read
