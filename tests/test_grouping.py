"""matching.grouping: the C reduction equals the numpy reference, and what it drops cannot
matter (the solver's optimum, and every re-solve without one chosen pathway, unchanged)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import grouping as R
from matching.cover import Option, best_cover


def test_the_extension_is_built() -> None:
    assert R.COMPILED


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


def same(a: R.Reduced, b: R.Reduced) -> bool:
    return all(x.tolist() == y.tolist() for x, y in zip(a, b, strict=True))


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(rows=row_sets(), prune=st.booleans())
def test_c_equals_python(rows: dict[str, Any], prune: bool) -> None:
    assert same(R.reduce_rows(**rows, prune=prune), R.reduce_rows_python(**rows, prune=prune))


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
    cover = best_cover(universe, options(rows, at), free_agencies=free)
    return cover.key[:5], tuple(int(rows["slot"][at[j]]) for j in cover.chosen), cover.covered


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(rows=row_sets())
def test_what_is_dropped_cannot_matter(rows: dict[str, Any]) -> None:
    """Waitlisted rows aside (their masks come reduced by the waitlist rule), the optimum over
    the rows kept (with a group's runner-up when its winner is removed) equals the optimum over
    every row, and so does each re-solve without one chosen row."""
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


def test_bad_arrays_raise() -> None:
    good: dict[str, Any] = {
        "slot": np.array([0, 1]),
        "mask": np.array([1, 1]),
        "agency": np.array([0, 1]),
        "distance": np.array([0, 0]),
        "spare": np.array([1, 1]),
        "waitlisted": np.array([False, False]),
        "engaged": np.array([], dtype=np.int64),
    }
    assert R.reduce_rows(**good, prune=True)[0].tolist() == [0]
    from matching import _gather

    with pytest.raises(ValueError, match="one length"):
        _gather.reduce_rows(*[good[k] for k in list(good)[:4]], np.array([1]),
                            good["waitlisted"], good["engaged"], True)  # fmt: skip
    with pytest.raises(TypeError):
        _gather.reduce_rows(*[good[k] for k in list(good)[:5]], np.array([0, 0], dtype=np.int8),
                            good["engaged"], True)  # fmt: skip
