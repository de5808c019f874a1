"""The quick path's first pass over the pathways near a person, in C when the extension is built.

:meth:`matching.candidates.CandidateFinder._quick` reads, for each need of a person, the
pathways serving their district, then the pathways with a site within reach, and keeps, per
agency, how many candidates it has, the needs they take and its best places left, to drop
agencies that cannot matter before any distance is computed. At national size that is some 650
pathways and 250 agencies a person, and Python spent a third of a slow match there (with the
set of nearby pathways). :func:`gather_lists` does the pass in C (``matching._gather``, built at
install, optional) over the finder's lists compiled to flat arrays (:class:`Lists`), reading the
grid cells of nearby sites itself; :func:`gather_python` is the reference, and what the finder
uses without the extension or with more than 62 needs. Tests compare the two record for record.

Inputs of the reference (the finder's lists): ``bits`` the person's needs, one bit each;
``zero``, ``far`` and ``waiting`` per need the entries ``(slot, needs, profile, agency, places
left)`` of pathways serving the district that cost no travel, that travel, and that have no
place but a waitlist (empty when the person does not accept one); ``near`` the slots of
pathways with a site in reach, ``skip`` those of them that serve the district (read already);
``ok`` whether the person passes each eligibility profile; per slot ``prof``, ``places``
(places left, -1 when full), ``mask``, ``agency``, ``left`` (places left or 0, for a waitlist)
and ``waitable`` (full but taking a waitlist).

An entry of a list is read once: in the list of its first need the person has (``needs &
universe``'s lowest bit is the list's). It counts when the person passes its profile. A nearby
pathway counts when the person passes its profile and it has a place, or is full with a
waitlist that the person accepts.

>>> g = gather_python(
...     bits=[1, 2],
...     zero=[((0, 3, 0, 7, 5),), ()],
...     far=[(), ((1, 2, 0, 8, 2),)],
...     waiting=[(), ()],
...     near=[2, 3],
...     skip=frozenset({3}),
...     ok=(True,),
...     prof=[0, 0, 0, 0],
...     places=[5, 2, -1, 4],
...     mask=[3, 2, 1, 1],
...     agency=[7, 8, 7, 9],
...     left=[5, 2, 0, 4],
...     waitable=[False, False, True, False],
...     universe=3,
...     waitlist=True,
...     positive=True,
... )
>>> g.zero, g.far, g.waiting
([(0, 3, 7, 5)], [(1, 2, 8, 2)], [(2, 1, 7, 0)])
>>> g.counts, g.needs_of, g.best_of
({7: 2, 8: 1}, {7: 3, 8: 2}, {7: (5, 0)})

The same in C, the lists compiled (one district, two needs, one grid cell holding slots 2 and 3
for the first need):

>>> import numpy as np
>>> lists = Lists.build(
...     mask=[3, 2, 1, 1],
...     agency=[7, 8, 7, 9],
...     prof=[0, 0, 0, 0],
...     places=[5, 2, -1, 4],
...     left=[5, 2, 0, 4],
...     waitable=[False, False, True, False],
...     n_needs=2,
...     lists=[[[[0], [], []], [[], [1], []]]],
...     grid=[[[2, 3], []]],
... )
>>> c = gather_lists(
...     lists, district=0, needs=[0, 1], cells=[0], skip=np.array([3]), ok=(True,),
...     universe=3, waitlist=True, positive=True,
... )
>>> c == g
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Sequence

    import numpy.typing as npt

__all__ = ["COMPILED", "Entry", "Gathered", "Lists", "gather_lists", "gather_python"]

Entry = tuple[int, int, int, int, int]
"""A compiled list's entry: (slot, needs, profile, agency, places left)."""


@dataclass(slots=True)
class Gathered:
    """What :func:`gather` finds (lists in the order read; dicts in the order agencies first
    come).

    ``zero``: ``(slot, needs taken, agency, places left)`` of candidates serving the district
    at no travel; ``far``: those that travel (serving it, or with a site in reach and a place);
    ``waiting``: full, with a waitlist; ``counts``, ``needs_of``: per agency its candidates of
    the three kinds and the needs they take; ``best_of``: per agency its best ``(places left,
    -slot)`` among candidates that may cost no travel: those serving the district at no
    travel or with a waitlist, and the others too unless ``positive`` says that every
    candidate that travels costs a metre or more.
    """

    zero: list[tuple[int, int, int, int]]
    far: list[tuple[int, int, int, int]]
    waiting: list[tuple[int, int, int, int]]
    counts: dict[int, int]
    needs_of: dict[int, int]
    best_of: dict[int, tuple[int, int]]


def gather_python(
    *,
    bits: Sequence[int],
    zero: Sequence[Sequence[Entry]],
    far: Sequence[Sequence[Entry]],
    waiting: Sequence[Sequence[Entry]],
    near: Iterable[int],
    skip: Collection[int],
    ok: Sequence[bool],
    prof: Sequence[int],
    places: Sequence[int],
    mask: Sequence[int],
    agency: Sequence[int],
    left: Sequence[int],
    waitable: Sequence[bool],
    universe: int,
    waitlist: bool,
    positive: bool,
) -> Gathered:
    """The pass in Python: the reference of :func:`gather` (see the module notes)."""
    g = Gathered([], [], [], {}, {}, {})
    counts, needs_of, best_of = g.counts, g.needs_of, g.best_of

    def note(i: int, m: int, ag: int, spare: int, free: bool) -> None:
        counts[ag] = counts.get(ag, 0) + 1
        needs_of[ag] = needs_of.get(ag, 0) | m
        if free and (spare, -i) > best_of.get(ag, (-1, 0)):
            best_of[ag] = (spare, -i)

    for k, b in enumerate(bits):
        for i, m, pr, ag, spare in zero[k]:
            m &= universe
            if m & -m == b and ok[pr]:
                g.zero.append((i, m, ag, spare))
                note(i, m, ag, spare, True)
        for i, m, pr, ag, spare in far[k]:
            m &= universe
            if m & -m == b and ok[pr]:
                g.far.append((i, m, ag, spare))
                note(i, m, ag, spare, not positive)
        for i, m, pr, ag, spare in waiting[k]:
            m &= universe
            if m & -m == b and ok[pr]:
                g.waiting.append((i, m, ag, spare))
                note(i, m, ag, spare, True)
    for i in near:
        if i in skip or not ok[prof[i]]:
            continue
        spare = places[i]
        m = mask[i] & universe
        ag = agency[i]
        if spare >= 0:
            g.far.append((i, m, ag, spare))
            note(i, m, ag, spare, not positive)
        elif waitlist and waitable[i]:
            spare = left[i]
            g.waiting.append((i, m, ag, spare))
            note(i, m, ag, spare, not positive)
    return g


@dataclass(frozen=True, slots=True)
class Lists:
    """The finder's lists as flat int64 arrays, for the C pass (:func:`gather_lists`).

    ``rec`` holds six fields per slot (needs, agency, profile, places left or -1 when full,
    places left or 0, 1 when full with a waitlist); list ``(district * n_needs + need) * 3 +
    kind`` (kind 0 zero, 1 far, 2 waiting) is ``list_slots[list_start[k]:list_start[k + 1]]``
    in the order of the finder's lists, and grid list ``cell * n_needs + need`` likewise in
    ``grid_start``/``grid_slots``.
    """

    rec: npt.NDArray[np.int64]
    list_start: npt.NDArray[np.int64]
    list_slots: npt.NDArray[np.int64]
    grid_start: npt.NDArray[np.int64]
    grid_slots: npt.NDArray[np.int64]
    n_needs: int

    @staticmethod
    def build(
        *,
        mask: Sequence[int],
        agency: Sequence[int],
        prof: Sequence[int],
        places: Sequence[int],
        left: Sequence[int],
        waitable: Sequence[bool],
        n_needs: int,
        lists: Sequence[Sequence[Sequence[Sequence[int]]]],
        grid: Sequence[Sequence[Sequence[int]]],
    ) -> Lists:
        """From per-slot fields, ``lists[district][need][kind]`` and ``grid[cell][need]``
        (slots). Masks must fit in 63 bits."""
        rec = np.array([mask, agency, prof, places, left, waitable], dtype=np.int64).T.copy()
        flat = [kinds for per_district in lists for kinds in per_district]
        list_start, list_slots = _flatten([x for kinds in flat for x in kinds])
        grid_start, grid_slots = _flatten([x for per_cell in grid for x in per_cell])
        return Lists(rec.reshape(-1), list_start, list_slots, grid_start, grid_slots, n_needs)


def _flatten(
    lists: Sequence[Sequence[int]],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    start = np.zeros(len(lists) + 1, dtype=np.int64)
    start[1:] = np.cumsum([len(x) for x in lists])
    slots = np.fromiter((i for x in lists for i in x), dtype=np.int64, count=int(start[-1]))
    return start, slots


def _compiled() -> Callable[..., tuple[Any, ...]] | None:
    try:
        from matching import _gather
    except ImportError:  # pragma: no cover - the extension is built wherever the tests run
        return None
    found: Callable[..., tuple[Any, ...]] = _gather.gather
    return found


_gather_c = _compiled()

COMPILED: bool = _gather_c is not None
"""Whether the C extension is in use."""


def gather_lists(
    lists: Lists,
    *,
    district: int,
    needs: list[int],
    cells: list[int],
    skip: npt.NDArray[np.int64],
    ok: tuple[bool, ...],
    universe: int,
    waitlist: bool,
    positive: bool,
) -> Gathered:
    """The pass in C over :class:`Lists` (needs the extension: :data:`COMPILED`).

    ``district`` and ``needs`` index the lists (needs in increasing order: bit ``1 << need``),
    ``cells`` the grid cells to read, in order; a slot of a cell's lists is read the first time
    it comes, unless it is in ``skip``. The result equals :func:`gather_python`'s on the same
    lists, with ``near`` the slots of those cells, up to the order of the nearby entries.
    """
    if _gather_c is None:  # pragma: no cover - the extension is built wherever the tests run
        raise RuntimeError("matching._gather is not built")
    found = _gather_c(
        lists.rec, lists.list_start, lists.list_slots, lists.grid_start, lists.grid_slots,
        district * lists.n_needs, lists.n_needs, needs, cells, skip, ok, universe, waitlist,
        positive,
    )  # fmt: skip
    return Gathered(*found)
