"""matching.gather: the C pass over compiled lists equals the Python reference, array for array
(the same rows in the same order, the same agencies)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import gather as G
from matching.assessment import Assessment
from matching.match import Matcher

DAY = date(2026, 11, 23)


def same(a: G.Gathered, b: G.Gathered) -> bool:
    return all(
        x.shape == y.shape and x.tolist() == y.tolist()
        for x, y in zip(a.arrays(), b.arrays(), strict=True)
    )


def test_the_extension_is_built() -> None:
    assert G.COMPILED


@dataclass
class World:
    """Per-slot fields, lists[district][need][kind], grid[cell][need], many[need] (slots) and
    evq_of per agency."""

    mask: list[int]
    agency: list[int]
    prof: list[int]
    places: list[int]
    left: list[int]
    waitable: list[bool]
    n_needs: int
    n_agencies: int
    lists: list[list[list[list[int]]]]
    grid: list[list[list[int]]]
    many: list[list[int]]
    evq_of: list[int]
    serving: list[list[list[int]]]

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
            many=self.many,
            evq_of=self.evq_of,
            serving=self.serving,
        )


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n = draw(st.integers(1, 30))
    n_needs = draw(st.integers(1, 6))
    n_agencies = draw(st.integers(1, 8))  # few: agencies found many times
    slots = st.lists(st.integers(0, n - 1), max_size=6)
    return World(
        mask=[draw(st.integers(1, (1 << n_needs) - 1)) for _ in range(n)],
        agency=[draw(st.integers(0, n_agencies - 1)) for _ in range(n)],
        prof=[draw(st.integers(0, 2)) for _ in range(n)],
        places=[draw(st.integers(-1, 2)) for _ in range(n)],
        left=[draw(st.integers(0, 2)) for _ in range(n)],
        waitable=[draw(st.booleans()) for _ in range(n)],
        n_needs=n_needs,
        n_agencies=n_agencies,
        lists=[
            [[draw(slots) for _ in range(3)] for _ in range(n_needs)]
            for _ in range(draw(st.integers(1, 3)))
        ],
        grid=[
            [sorted(set(draw(slots))) for _ in range(n_needs)]
            for _ in range(draw(st.integers(1, 5)))
        ],
        many=[draw(slots) for _ in range(n_needs)],
        evq_of=[draw(st.integers(-1, n - 1)) for _ in range(n_agencies)],
        serving=[[draw(slots) for _ in range(n_needs)] for _ in range(3)],
    )


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(world=worlds(), data=st.data())
def test_c_equals_python(world: World, data: st.DataObject) -> None:
    universe = data.draw(st.integers(1, (1 << world.n_needs) - 1))
    args: dict[str, Any] = {
        "district": data.draw(st.integers(0, len(world.lists) - 1)),
        "needs": [j for j in range(world.n_needs) if universe >> j & 1],
        "cells": data.draw(st.lists(st.integers(0, len(world.grid) - 1), unique=True)),
        "skip": np.array(
            sorted(set(data.draw(st.lists(st.integers(0, len(world.mask) - 1), max_size=5)))),
            dtype=np.int64,
        ),
        "free": np.array(
            sorted(set(data.draw(st.lists(st.integers(0, world.n_agencies - 1), max_size=3)))),
            dtype=np.int64,
        ),
        "ok": tuple(data.draw(st.lists(st.booleans(), min_size=3, max_size=3))),
        "universe": universe,
        "waitlist": data.draw(st.booleans()),
    }
    lists = world.compiled()
    assert same(G.gather(lists, **args), G.gather_python(lists, **args))
    where = {"district": min(args["district"], 2), "needs": args["needs"], "cells": args["cells"]}
    assert G.pool(lists, **where).tolist() == G.pool_python(lists, **where).tolist()


def small_world() -> World:
    """Slot 0 takes need 0 at no travel, 1 needs 0 and 1 and travels, 2 is full with a
    waitlist (listed for need 1), 3 is agency 2's remote pathway, 4 of agency 3 with several."""
    return World(
        mask=[1, 3, 2, 3, 2],
        agency=[0, 0, 1, 2, 3],
        prof=[0, 1, 0, 0, 0],
        places=[2, 2, -1, 4, 1],
        left=[2, 2, 1, 4, 1],
        waitable=[False, False, True, False, False],
        n_needs=2,
        n_agencies=4,
        lists=[[[[0], [1], []], [[], [], [2]]]],
        grid=[[[0, 1], [2]]],
        many=[[], [4]],
        evq_of=[-1, -1, 3, -1],
        serving=[[[0, 1], [2, 3]]],
    )


def call(lists: G.Lists, **changes: object) -> G.Gathered:
    args: dict[str, Any] = {
        "district": 0,
        "needs": [0, 1],
        "cells": [0],
        "skip": np.array([], dtype=np.int64),
        "free": np.array([], dtype=np.int64),
        "ok": (True, True),
        "universe": 3,
        "waitlist": True,
    }
    args.update(changes)
    return G.gather(lists, **args)


def test_a_small_world_by_hand() -> None:
    lists = small_world().compiled()
    g = call(lists)
    assert g.zero.tolist() == [[0, 1, 0, 2], [4, 2, 3, 1]]  # agency 2 not found: no slot 3
    assert g.far.tolist() == [[1, 3, 0, 2], [0, 1, 0, 2], [1, 3, 0, 2]]  # list, then near by
    assert g.waiting.tolist() == [[2, 2, 1, 1], [2, 2, 1, 1]]
    assert g.agencies.tolist() == [0, 1]
    engaged = call(lists, free=np.array([2]), skip=np.array([0, 1, 2]), waitlist=False)
    assert engaged.zero.tolist() == [[0, 1, 0, 2], [3, 3, 2, 4], [4, 2, 3, 1]]
    assert engaged.far.tolist() == [[1, 3, 0, 2]]
    assert engaged.waiting.tolist() == []
    assert engaged.agencies.tolist() == [0]
    assert call(lists, ok=(True, False)).far.tolist() == [[0, 1, 0, 2]]  # slot 1: profile 1
    assert call(lists, needs=[1], universe=2).zero.tolist() == [[4, 2, 3, 1]]


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
        call(lists, free=np.array([9], dtype=np.int64))
    with pytest.raises(IndexError):
        call(lists, ok=(True,))  # profile 1 has no answer
    with pytest.raises(TypeError):
        call(lists, skip=np.array([0], dtype=np.int32))
    bad = G.Lists(
        lists.rec, lists.list_start, np.array([0, 9], dtype=np.int64), lists.grid_start,
        lists.grid_slots, lists.many_start, lists.many_slots, lists.evq_of, lists.n_needs,
        lists.serve_start, lists.serve_slots,
    )  # fmt: skip
    with pytest.raises(IndexError):
        call(bad)
    with pytest.raises(IndexError):
        G.pool(lists, district=1, needs=[0], cells=[])
    with pytest.raises(IndexError):
        G.pool(lists, district=0, needs=[0], cells=[3])


@pytest.mark.parametrize(("n", "districts", "seed"), [(1500, 12, 0), (6000, 40, 1)])
def test_the_finders_lists_c_and_python(n: int, districts: int, seed: int) -> None:
    """On generated directories, the finder's own lists: C and Python give the same rows."""
    from directory.synthetic import synthetic_directory
    from matching.demand import synthetic_cohort

    d = synthetic_directory(n, n_districts=districts, seed=seed)
    m = Matcher(d)
    assert m._lists is not None
    rng = random.Random(seed)
    needs = [x.id for x in d.needs]
    agencies = list(range(len(m._agency_ids)))
    for i, p in enumerate(synthetic_cohort(d, 150, seed=seed)):
        a = Assessment(
            needs=tuple(rng.sample(needs, rng.randint(1, 8))) if i % 3 == 0 else p.needs,
            district=p.district,
            lat=p.lat,
            lon=p.lon,
            age=p.age,
            gender=p.gender,
            cohorts=tuple(p.cohorts),
            travel_km=rng.choice([5.0, 25.0, 60.0]),
        )
        universe = m._prelude(a, DAY).universe
        args: dict[str, Any] = {
            "district": m._district_index[a.district],
            "needs": [j for j in range(len(needs)) if universe >> j & 1],
            "cells": [m._cell_index[c] for c in m._cells(a.lat, a.lon, a.travel_km)],
            "skip": m._arrays.serving[a.district],
            "free": np.array(sorted(rng.sample(agencies, i % 3)), dtype=np.int64),
            "ok": m._profile_ok(a),
            "universe": universe,
            "waitlist": i % 4 == 0,
        }
        assert same(G.gather(m._lists, **args), G.gather_python(m._lists, **args))
        where = {k: args[k] for k in ("district", "needs", "cells")}
        assert G.pool(m._lists, **where).tolist() == sorted(m._seen(a, universe))
        # as near misses look for them: one need, 50 km beyond the travel limit
        j = args["needs"][0]
        far = [m._cell_index[c] for c in m._cells(a.lat, a.lon, a.travel_km + 50)]
        expected = set(m._local[a.district].get(1 << j, ())) | set(m._ev.get(1 << j, ()))
        expected |= m._near(a, a.travel_km + 50, (1 << j,))
        found = G.pool(m._lists, district=args["district"], needs=[j], cells=far)
        assert found.tolist() == sorted(expected)
