"""The quick path's first pass: a person's candidates from the finder's lists, in C when built.

:meth:`matching.candidates.CandidateFinder._quick` starts from the pathways that may take a
person's needs: for each need, those serving the district (that cost no travel, that travel,
that are full but keep a waitlist), then those with a site in a grid cell within reach, then
the remote pathways serving everywhere of the agencies found and of the engaged ones, and of
agencies with several such pathways. At national size that is some 650 pathways a person.
:func:`gather` reads them from :class:`Lists` (the finder's lists compiled to flat arrays) in C
(``matching._gather``, built at install, optional); :func:`gather_python` is the same pass in
Python, the reference the tests compare it with, array for array, and the fallback without the
extension.

The rules. A list entry is read once: in the list of its first need that the person has (the
lowest bit of ``needs & universe`` is the list's need), and kept when the person passes its
eligibility profile (``ok``); a waiting one only when the person accepts a waitlist. A slot of
the grid cells (each slot once, cells in the order given, needs in increasing order) that is
not in ``skip`` (those serving the district, read already) is kept when the person passes its
profile and it has a place, or is full with a waitlist that the person accepts. Each agency
found (first come, first listed) and each engaged agency not found then adds its remote
pathway serving everywhere (``evq_of``) when it takes a need of the person and the person passes
its profile; last come the lists of remote pathways of agencies with several (``many``), read
as the district's lists are.

>>> import numpy as np
>>> lists = Lists.build(
...     mask=[3, 2, 1, 1, 2],
...     agency=[7, 8, 7, 9, 8],
...     prof=[0, 0, 0, 0, 0],
...     places=[5, 2, -1, 4, 3],
...     left=[5, 2, 0, 4, 3],
...     waitable=[False, False, True, False, False],
...     n_needs=2,
...     lists=[[[[0], [], []], [[], [1], []]]],
...     grid=[[[2, 3], []]],
...     many=[[], []],
...     evq_of=[-1] * 7 + [-1, 4, -1],
... )
>>> g = gather(
...     lists, district=0, needs=[0, 1], cells=[0], skip=np.array([3]),
...     free=np.array([], dtype=np.int64), ok=(True,), universe=3, waitlist=True,
... )
>>> g.zero.tolist(), g.far.tolist(), g.waiting.tolist(), g.agencies.tolist()
([[0, 3, 7, 5], [4, 2, 8, 3]], [[1, 2, 8, 2]], [[2, 1, 7, 0]], [7, 8])
>>> all((x == y).all() for x, y in zip(g.arrays(), gather_python(
...     lists, district=0, needs=[0, 1], cells=[0], skip=np.array([3]),
...     free=np.array([], dtype=np.int64), ok=(True,), universe=3, waitlist=True,
... ).arrays()))
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy.typing as npt

__all__ = ["COMPILED", "Gathered", "Lists", "gather", "gather_python", "pool", "pool_python"]

_FIELDS = 6  # per slot in Lists.rec: needs, agency, profile, places, left, waitable


@dataclass(frozen=True, slots=True)
class Gathered:
    """What :func:`gather` finds: rows ``(slot, needs taken, agency, places left)`` (int64
    arrays of shape (k, 4), in the order read) and the agencies found (first come first).

    ``zero``: candidates that cost no travel (serving the district by outreach, phone or
    online, and remote pathways serving everywhere); ``far``: those with a place that may
    travel (serving the district, or with a site in a cell within reach); ``waiting``: full,
    with a waitlist (places left or 0).
    """

    zero: npt.NDArray[np.int64]
    far: npt.NDArray[np.int64]
    waiting: npt.NDArray[np.int64]
    agencies: npt.NDArray[np.int64]

    def arrays(self) -> tuple[npt.NDArray[np.int64], ...]:
        return self.zero, self.far, self.waiting, self.agencies


@dataclass(frozen=True, slots=True)
class Lists:
    """The finder's lists as flat int64 arrays.

    ``rec`` holds six fields per slot (needs, agency, profile, places left or -1 when full,
    places left or 0, 1 when full with a waitlist); the district's list ``(district * n_needs
    + need) * 3 + kind`` (kind 0 zero, 1 far, 2 waiting) is ``list_slots[list_start[k]:
    list_start[k + 1]]``, in the order of the finder's lists; grid list ``cell * n_needs +
    need`` likewise in ``grid_start``/``grid_slots``, and list ``need`` of remote pathways of
    agencies with several in ``many_start``/``many_slots``; ``evq_of`` per agency its one
    remote pathway serving everywhere, or -1; list ``district * n_needs + need`` of every
    pathway serving the district (there or everywhere) in ``serve_start``/``serve_slots``.
    """

    rec: npt.NDArray[np.int64]
    list_start: npt.NDArray[np.int64]
    list_slots: npt.NDArray[np.int64]
    grid_start: npt.NDArray[np.int64]
    grid_slots: npt.NDArray[np.int64]
    many_start: npt.NDArray[np.int64]
    many_slots: npt.NDArray[np.int64]
    evq_of: npt.NDArray[np.int64]
    n_needs: int
    serve_start: npt.NDArray[np.int64]
    serve_slots: npt.NDArray[np.int64]

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
        many: Sequence[Sequence[int]],
        evq_of: Sequence[int],
        serving: Sequence[Sequence[Sequence[int]]] = (),
    ) -> Lists:
        """From per-slot fields, ``lists[district][need][kind]``, ``grid[cell][need]``,
        ``many[need]`` and ``serving[district][need]`` (slots), and ``evq_of`` per agency.
        Masks must fit in 63 bits."""
        rec = np.array([mask, agency, prof, places, left, waitable], dtype=np.int64).T.copy()
        flat = [kinds for per_district in lists for kinds in per_district]
        list_start, list_slots = _flatten([x for kinds in flat for x in kinds])
        grid_start, grid_slots = _flatten([x for per_cell in grid for x in per_cell])
        many_start, many_slots = _flatten(many)
        serve_start, serve_slots = _flatten([x for per_district in serving for x in per_district])
        return Lists(
            rec.reshape(-1),
            list_start,
            list_slots,
            grid_start,
            grid_slots,
            many_start,
            many_slots,
            np.array(evq_of, dtype=np.int64),
            n_needs,
            serve_start,
            serve_slots,
        )


def _flatten(
    lists: Sequence[Sequence[int]],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    start = np.zeros(len(lists) + 1, dtype=np.int64)
    start[1:] = np.cumsum([len(x) for x in lists])
    slots = np.fromiter((i for x in lists for i in x), dtype=np.int64, count=int(start[-1]))
    return start, slots


def _rows(rows: list[tuple[int, int, int, int]]) -> npt.NDArray[np.int64]:
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


def gather_python(
    lists: Lists,
    *,
    district: int,
    needs: list[int],
    cells: list[int],
    skip: npt.NDArray[np.int64],
    free: npt.NDArray[np.int64],
    ok: tuple[bool, ...],
    universe: int,
    waitlist: bool,
) -> Gathered:
    """The pass in Python (see the module notes): the reference of :func:`gather`."""
    rec = lists.rec.reshape(-1, _FIELDS)
    n = lists.n_needs
    zero: list[tuple[int, int, int, int]] = []
    far: list[tuple[int, int, int, int]] = []
    waiting: list[tuple[int, int, int, int]] = []
    found: dict[int, None] = {}  # agencies, first come first

    def read(
        start: npt.NDArray[np.int64], slots: npt.NDArray[np.int64], key: int, b: int
    ) -> list[tuple[int, int, int, int, int]]:
        """(slot, needs taken, agency, places, left) of list ``key`` read for need bit b."""
        out = []
        for i in slots[start[key] : start[key + 1]].tolist():
            m, ag, pr, places, left, _ = rec[i].tolist()
            m &= universe
            if m & -m == b and ok[pr]:
                out.append((i, m, ag, places, left))
        return out

    for j in needs:
        b = 1 << j
        for kind, into in enumerate((zero, far, waiting)):
            if kind == 2 and not waitlist:
                continue
            for i, m, ag, places, left in read(
                lists.list_start, lists.list_slots, (district * n + j) * 3 + kind, b
            ):
                into.append((i, m, ag, left if kind == 2 else places))
                found[ag] = None
    near = dict.fromkeys(
        i
        for c in cells
        for j in needs
        for i in lists.grid_slots[
            lists.grid_start[c * n + j] : lists.grid_start[c * n + j + 1]
        ].tolist()
    )
    skipped = set(skip.tolist())
    for i in near:
        m, ag, pr, places, left, waitable = rec[i].tolist()
        if i in skipped or not ok[pr]:
            continue
        if places >= 0:
            far.append((i, m & universe, ag, places))
        elif waitlist and waitable:
            waiting.append((i, m & universe, ag, left))
        else:
            continue
        found[ag] = None
    engaged = [x for x in free.tolist() if x not in found]
    for ag in [*found, *engaged]:
        i = int(lists.evq_of[ag])
        if i >= 0:
            m, _, pr, places, _, _ = rec[i].tolist()
            if m & universe and ok[pr]:
                zero.append((i, m & universe, ag, places))
    for j in needs:
        for i, m, ag, places, _ in read(lists.many_start, lists.many_slots, j, 1 << j):
            zero.append((i, m, ag, places))
    return Gathered(_rows(zero), _rows(far), _rows(waiting), np.array(list(found), dtype=np.int64))


def _compiled(name: str) -> Callable[..., Any] | None:
    try:
        from matching import _gather
    except ImportError:  # pragma: no cover - the extension is built wherever the tests run
        return None
    found: Callable[..., Any] = getattr(_gather, name)
    return found


_gather_c = _compiled("gather")
_union_c = _compiled("union")

COMPILED: bool = _gather_c is not None
"""Whether the C extension is in use."""


def gather(
    lists: Lists,
    *,
    district: int,
    needs: list[int],
    cells: list[int],
    skip: npt.NDArray[np.int64],
    free: npt.NDArray[np.int64],
    ok: tuple[bool, ...],
    universe: int,
    waitlist: bool,
) -> Gathered:
    """The pass (see the module notes), in C when the extension is built.

    ``district`` and ``needs`` index the lists (needs in increasing order: bit ``1 << need``
    of ``universe``), ``cells`` the grid, ``skip`` (slots) and ``free`` (engaged agencies) are
    int64 arrays, ``ok`` whether the person passes each profile.
    """
    if _gather_c is None:  # pragma: no cover - the extension is built wherever the tests run
        return gather_python(
            lists,
            district=district,
            needs=needs,
            cells=cells,
            skip=skip,
            free=free,
            ok=ok,
            universe=universe,
            waitlist=waitlist,
        )
    found = _gather_c(
        lists.rec, lists.list_start, lists.list_slots, lists.grid_start, lists.grid_slots,
        lists.many_start, lists.many_slots, lists.evq_of, district * lists.n_needs,
        lists.n_needs, needs, cells, skip, free, ok, universe, waitlist,
    )  # fmt: skip
    zero, far, waiting, agencies = (np.frombuffer(b, dtype=np.int64) for b in found)
    return Gathered(zero.reshape(-1, 4), far.reshape(-1, 4), waiting.reshape(-1, 4), agencies)


def pool_python(
    lists: Lists, *, district: int, needs: list[int], cells: list[int]
) -> npt.NDArray[np.int64]:
    """The reference of :func:`pool`."""
    n = lists.n_needs
    found: set[int] = set()
    for j in needs:
        k = district * n + j
        found.update(lists.serve_slots[lists.serve_start[k] : lists.serve_start[k + 1]].tolist())
        for c in cells:
            k = c * n + j
            found.update(lists.grid_slots[lists.grid_start[k] : lists.grid_start[k + 1]].tolist())
    return np.array(sorted(found), dtype=np.int64)


def pool(
    lists: Lists, *, district: int, needs: list[int], cells: list[int]
) -> npt.NDArray[np.int64]:
    """Every pathway taking one of ``needs`` that serves the district (there or everywhere)
    or has a site in one of the grid ``cells``: slots, each once, ascending (in C when the
    extension is built; :func:`pool_python` is the reference).

    >>> lists = Lists.build(
    ...     mask=[1, 1, 2], agency=[0, 1, 2], prof=[0, 0, 0], places=[1, 1, 1], left=[1, 1, 1],
    ...     waitable=[False] * 3, n_needs=2, lists=[[[[], [], []], [[], [], []]]],
    ...     grid=[[[1, 0], [2]]], many=[[], []], evq_of=[-1] * 3, serving=[[[1], [2]]],
    ... )
    >>> pool(lists, district=0, needs=[0], cells=[0]).tolist()
    [0, 1]
    >>> pool(lists, district=0, needs=[0, 1], cells=[]).tolist()
    [1, 2]
    """
    if _union_c is None:  # pragma: no cover - the extension is built wherever the tests run
        return pool_python(lists, district=district, needs=needs, cells=cells)
    n = lists.n_needs
    found = _union_c(
        lists.serve_start, lists.serve_slots, [district * n + j for j in needs],
        lists.grid_start, lists.grid_slots, [c * n + j for c in cells for j in needs],
        len(lists.rec) // _FIELDS,
    )  # fmt: skip
    return np.frombuffer(found, dtype=np.int64)
