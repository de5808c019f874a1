"""matching.gather: the C pass over compiled lists equals the Python reference, record for
record (up to the order of the nearby entries, which no caller depends on)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import gather as G
from matching.assessment import Assessment
from matching.match import Matcher

DAY = date(2026, 11, 23)


def norm(g: G.Gathered) -> tuple[object, ...]:
    """A Gathered with its lists sorted (dicts compare without order)."""
    return sorted(g.zero), sorted(g.far), sorted(g.waiting), g.counts, g.needs_of, g.best_of


def test_the_extension_is_built() -> None:
    assert G.COMPILED


@dataclass
class World:
    """Per-slot fields, lists[district][need][kind] and grid[cell][need] of slots."""

    mask: list[int]
    agency: list[int]
    prof: list[int]
    places: list[int]
    left: list[int]
    waitable: list[bool]
    n_needs: int
    lists: list[list[list[list[int]]]]
    grid: list[list[list[int]]]

    def compiled(self) -> G.Lists:
        return G.Lists.build(
            mask=self.mask,
            agency=self.agency,
            prof=self.prof,
            places=self.places,
            left=self.left,
            waitable=self.waitable,
            n_needs=self.n_needs,
            lists=self.lists,
            grid=self.grid,
        )

    def entry(self, i: int, kind: int) -> G.Entry:
        spare = self.left[i] if kind == 2 else self.places[i]
        return (i, self.mask[i], self.prof[i], self.agency[i], spare)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n = draw(st.integers(1, 30))
    n_needs = draw(st.integers(1, 6))
    n_agencies = draw(st.integers(1, 8))  # few: agencies with many candidates, ties
    mask = [draw(st.integers(1, (1 << n_needs) - 1)) for _ in range(n)]
    slots = st.lists(st.integers(0, n - 1), max_size=6)
    lists = [
        [[draw(slots) for _ in range(3)] for _ in range(n_needs)]
        for _ in range(draw(st.integers(1, 3)))
    ]
    grid = [
        [sorted(set(draw(slots))) for _ in range(n_needs)] for _ in range(draw(st.integers(1, 5)))
    ]
    return World(
        mask=mask,
        agency=[draw(st.integers(0, n_agencies - 1)) for _ in range(n)],
        prof=[draw(st.integers(0, 2)) for _ in range(n)],
        places=[draw(st.integers(-1, 2)) for _ in range(n)],  # few values: ties on places
        left=[draw(st.integers(0, 2)) for _ in range(n)],
        waitable=[draw(st.booleans()) for _ in range(n)],
        n_needs=n_needs,
        lists=lists,
        grid=grid,
    )


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(world=worlds(), data=st.data())
def test_c_equals_python(world: World, data: st.DataObject) -> None:
    district = data.draw(st.integers(0, len(world.lists) - 1))
    universe = data.draw(st.integers(1, (1 << world.n_needs) - 1))
    cells = data.draw(st.lists(st.integers(0, len(world.grid) - 1), unique=True))
    skip = sorted(set(data.draw(st.lists(st.integers(0, len(world.mask) - 1), max_size=5))))
    ok = tuple(data.draw(st.lists(st.booleans(), min_size=3, max_size=3)))
    waitlist, positive = data.draw(st.booleans()), data.draw(st.booleans())
    needs = [j for j in range(world.n_needs) if universe >> j & 1]
    near = dict.fromkeys(i for c in cells for j in needs for i in world.grid[c][j])
    lists = world.lists[district]
    python = G.gather_python(
        bits=[1 << j for j in needs],
        zero=[[world.entry(i, 0) for i in lists[j][0]] for j in needs],
        far=[[world.entry(i, 1) for i in lists[j][1]] for j in needs],
        waiting=[[world.entry(i, 2) for i in lists[j][2]] if waitlist else [] for j in needs],
        near=near,
        skip=set(skip),
        ok=ok,
        prof=world.prof,
        places=world.places,
        mask=world.mask,
        agency=world.agency,
        left=world.left,
        waitable=world.waitable,
        universe=universe,
        waitlist=waitlist,
        positive=positive,
    )
    c = G.gather_lists(
        world.compiled(),
        district=district,
        needs=needs,
        cells=cells,
        skip=np.array(skip, dtype=np.int64),
        ok=ok,
        universe=universe,
        waitlist=waitlist,
        positive=positive,
    )
    # near in the order C reads the cells: the same records in the same order, agencies in
    # the order they first came (best_of's order is not kept: it is only looked up)
    assert c == python
    assert list(c.counts) == list(python.counts)


def small_world() -> World:
    return World(
        mask=[1, 3, 2],
        agency=[0, 0, 1],
        prof=[0, 1, 0],
        places=[2, 2, -1],
        left=[2, 2, 1],
        waitable=[False, False, True],
        n_needs=2,
        lists=[[[[0], [1], []], [[], [], [2]]]],
        grid=[[[0, 1], [2]]],
    )


def call(lists: G.Lists, **changes: object) -> G.Gathered:
    args: dict[str, object] = {
        "district": 0,
        "needs": [0, 1],
        "cells": [0],
        "skip": np.array([], dtype=np.int64),
        "ok": (True, True),
        "universe": 3,
        "waitlist": True,
        "positive": False,
    }
    args.update(changes)
    return G.gather_lists(lists, **args)  # type: ignore[arg-type]


def test_a_small_world_by_hand() -> None:
    """Slot 0 takes need 0 at no travel, 1 takes needs 0 and 1 and travels, 2 is full with a
    waitlist (read for need 1). Near by: 0 and 1 again (not skipped: read twice, as the
    reference would), and 2 (full, with a waitlist)."""
    g = call(small_world().compiled())
    assert g.zero == [(0, 1, 0, 2)]
    assert g.far == [(1, 3, 0, 2), (0, 1, 0, 2), (1, 3, 0, 2)]  # the list, then near by
    assert g.waiting == [(2, 2, 1, 1), (2, 2, 1, 1)]
    assert g.counts == {0: 4, 1: 2}
    assert g.needs_of == {0: 3, 1: 2}
    assert g.best_of == {0: (2, 0), 1: (1, -2)}  # ties on places: the smaller slot
    positive = call(small_world().compiled(), positive=True, skip=np.array([0, 1, 2]))
    assert positive.best_of == {0: (2, 0), 1: (1, -2)}  # from the lists, not the far ones
    assert positive.counts == {0: 2, 1: 1}


def test_bad_arrays_raise() -> None:
    lists = small_world().compiled()
    with pytest.raises(IndexError):
        call(lists, cells=[5])
    with pytest.raises(IndexError):
        call(lists, district=3)
    with pytest.raises(IndexError):
        call(lists, needs=[0, 7])
    with pytest.raises(IndexError):
        call(lists, skip=np.array([99], dtype=np.int64))
    with pytest.raises(IndexError):
        call(lists, ok=(True,))  # profile 1 has no answer
    with pytest.raises(TypeError):
        call(lists, skip=np.array([0], dtype=np.int32))
    bad = G.Lists(
        lists.rec, lists.list_start, np.array([0, 9], dtype=np.int64), lists.grid_start,
        lists.grid_slots, lists.n_needs,
    )  # fmt: skip
    with pytest.raises(IndexError):
        call(bad)


@pytest.mark.parametrize(("n", "districts", "seed"), [(1500, 12, 0), (6000, 40, 1), (400, 3, 2)])
def test_the_quick_path_with_and_without_c(n: int, districts: int, seed: int) -> None:
    """On generated directories the quick path's drafts are the same with the C pass and with
    the Python pass, and the pass itself equals the reference (up to order)."""
    from directory.synthetic import synthetic_directory
    from matching.demand import synthetic_cohort

    d = synthetic_directory(n, n_districts=districts, seed=seed)
    c, python = Matcher(d), Matcher(d)
    python._lists = None
    assert c._lists is not None
    rng = random.Random(seed)
    needs = [x.id for x in d.needs]
    for i, p in enumerate(synthetic_cohort(d, 150, seed=seed)):
        a = Assessment(
            needs=tuple(rng.sample(needs, rng.randint(1, 8))) if i % 3 == 0 else p.needs,
            district=p.district,
            lat=p.lat,
            lon=p.lon,
            age=p.age,
            gender=p.gender,
            offence=p.offence,
            disposal=p.disposal,
            cohorts=tuple(p.cohorts),
            accept_waitlist=i % 4 == 0,
            travel_km=rng.choice([5.0, 25.0, 60.0]),
        )
        _, kept, runner_up = c._quick(a, DAY)
        _, kept2, runner_up2 = python._quick(a, DAY)
        assert [vars_of(r) for r in kept] == [vars_of(r) for r in kept2]
        assert {k: vars_of(r) for k, r in runner_up.items()} == {
            k: vars_of(r) for k, r in runner_up2.items()
        }
        assert c.match(a, on=DAY).model_dump() == python.match(a, on=DAY).model_dump()


def vars_of(r: object) -> tuple[object, ...]:
    return tuple(
        getattr(r, f) for f in ("slot", "mask", "agency", "distance", "spare", "waitlisted")
    )
