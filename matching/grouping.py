"""The solver's input from candidate rows: agencies that cannot matter dropped, groups reduced.

:func:`matching.candidates.find` gives every candidate of a person as rows of arrays (slot
order). Before any working record is made for the solver, :func:`reduce_rows`:

1. drops every row of an agency that cannot matter (when ``prune``): an agency not engaged,
   without a waitlisted candidate, such that two candidates with a place of other agencies each
   take every need its candidates take and each come before all of its candidates in the
   order (distance, -places left, slot). In any plan using some of its pathways, putting one of
   the two in their place (or only dropping them, when it is in the plan already) meets as many
   needs with no more agencies, and with fewer pathways, or one pathway no farther and with more
   places left or as many and a smaller id: a better plan, so no optimal plan uses the agency;
   with two, that stays so when the reasons solve again without one chosen pathway. With fit
   points (:mod:`matching.fit`), the two must also carry every fit point the agency's
   candidates carry, so the replacement earns every point the plan earned;
2. of the candidates alone in their agency (not engaged, with a place), keeps only the best of
   each set of needs taken and fit points carried (nearest, most places, smallest slot), and
   names the runner-up of each such group (the reasons use it): rules (a)-(d) of
   :mod:`matching.cover` with equal masks and fit points, so the optimum is unchanged.

It returns the rows kept (ascending), and the rows of each group's winner and runner-up (in
order of the needs taken). Numpy over all rows at once; ``tests/oracle.py`` holds the plain
loop it is tested against.

>>> import numpy as np
>>> rows = dict(
...     slot=np.array([0, 1, 2, 3]),
...     mask=np.array([1, 1, 1, 3]),
...     agency=np.array([5, 6, 7, 7]),
...     distance=np.array([900, 100, 400, 700]),
...     spare=np.array([2, 2, 2, 2]),
...     waitlisted=np.zeros(4, dtype=bool),
...     engaged=np.array([], dtype=np.int64),
... )
>>> kept, winners, runners = reduce_rows(**rows, prune=False)
>>> kept.tolist(), winners.tolist(), runners.tolist()
([1, 2, 3], [1], [0])

Slot 0 (agency 5, alone) is grouped with slot 1: slot 1 is kept, slot 0 is its runner-up.
Agency 7 is kept as a whole. Pruning drops agency 5: slots 1 and 2, of other agencies, take
its need and come before its only candidate (900 m). Agency 7 stays: its candidates take two
needs, and no candidate of another agency takes both.

>>> [x.tolist() for x in reduce_rows(**rows, prune=True)]
[[1, 2, 3], [], []]

Give slots 0 and 1 both needs, slot 0 at 50 m: both come before agency 7's first (slot 2,
400 m), and agency 7 goes.

>>> rows["mask"], rows["distance"] = np.array([3, 3, 1, 3]), np.array([50, 100, 400, 700])
>>> [x.tolist() for x in reduce_rows(**rows, prune=True)]
[[0], [0], [1]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["reduce_rows"]

Ints = Any  # npt.NDArray[np.int64] (Any: numpy's annotations vary between versions)
Reduced = tuple[Ints, Ints, Ints]


def _beaten(
    slot: Ints,
    mask: Ints,
    agency: Ints,
    distance: Ints,
    spare: Ints,
    waitlisted: npt.NDArray[np.bool_],
    agencies: Ints,
    where: Ints,
    held: npt.NDArray[np.bool_],
    fit: Ints | None = None,
) -> npt.NDArray[np.bool_]:
    """Per agency (``agencies[where]`` is each row's): True when it cannot matter (step 1)."""
    n = len(slot)
    order = np.lexsort((slot, -spare, distance))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    k = len(agencies)
    best = np.full(k, n, dtype=np.int64)  # each agency's first candidate
    np.minimum.at(best, where, rank)
    needs = np.zeros(k, dtype=mask.dtype)
    np.bitwise_or.at(needs, where, mask)
    # per set of needs some agency takes, the first three candidates with a place taking all
    # of it (rank and agency; rank n and agency -1 where there are fewer)
    beaters = order[~waitlisted[order]]
    if fit is None:
        wanted, at = np.unique(needs, return_inverse=True)
        takes = (mask[beaters][None, :] & wanted[:, None]) == wanted[:, None]
    else:  # per agency: its needs and its fit points
        wanted, at = needs, np.arange(k)
        points = np.zeros(k, dtype=fit.dtype)
        np.bitwise_or.at(points, where, fit)
        takes = ((mask[beaters][None, :] & wanted[:, None]) == wanted[:, None]) & (
            (fit[beaters][None, :] & points[:, None]) == points[:, None]
        )
    seen = np.cumsum(takes, axis=1)
    w, j = np.nonzero(takes & (seen <= 3))
    top_rank = np.full((len(wanted), 3), n, dtype=np.int64)
    top_agency = np.full((len(wanted), 3), -1, dtype=np.int64)
    top_rank[w, seen[w, j] - 1] = rank[beaters[j]]
    top_agency[w, seen[w, j] - 1] = agency[beaters[j]]
    # per agency: the second of those three that is not its own
    r, g = top_rank[at.reshape(-1)], top_agency[at.reshape(-1)]
    other = (g != agencies[:, None]) & (r < n)
    second = other & (np.cumsum(other, axis=1) == 2)
    found = second.any(axis=1)
    second_rank = np.where(found, r[np.arange(k), second.argmax(axis=1)], n)
    beaten: npt.NDArray[np.bool_] = found & (second_rank < best) & ~held
    return beaten


def reduce_rows(
    *,
    slot: Ints,
    mask: Ints,
    agency: Ints,
    distance: Ints,
    spare: Ints,
    waitlisted: npt.NDArray[np.bool_],
    engaged: Ints,
    prune: bool,
    fit: Ints | None = None,
) -> Reduced:
    """Steps 1 and 2 of the module notes, numpy over every row at once.

    Rows are candidates (int64 arrays of one length, slots distinct); ``engaged`` the agencies
    that cost nothing (engaged, or always in the plan); ``fit`` the rows' fit points (None:
    none). Returns (rows kept ascending, group winners' rows, their runners-up's rows).
    """
    if fit is not None:  # grouped by (needs, fit points): numbered pairs, the same groups
        pairs = list(zip(mask.tolist(), fit.tolist(), strict=True))
        rank = {mf: k for k, mf in enumerate(sorted(set(pairs)))}
        grouping = np.array([rank[mf] for mf in pairs], dtype=np.int64)
    elif mask.dtype == object:  # masks beyond 62 needs: grouped by rank of mask, the same groups
        grouping = np.unique(mask, return_inverse=True)[1].reshape(-1).astype(np.int64)
    else:
        grouping = mask
    agencies, where, counts = np.unique(agency, return_inverse=True, return_counts=True)
    where = where.reshape(-1)
    engaged_of = np.isin(agencies, engaged)
    keep = np.ones(len(slot), dtype=bool)
    if prune and len(slot):
        held = engaged_of.copy()
        held[where[waitlisted]] = True
        beaten = _beaten(
            slot, mask, agency, distance, spare, waitlisted, agencies, where, held, fit
        )
        keep = ~beaten[where]
    # candidates alone in their agency (not engaged, with a place), grouped by needs taken
    alone = (counts[where] == 1) & ~waitlisted & ~engaged_of[where] & keep
    grouped = np.flatnonzero(alone)
    # by needs, then nearest, most places, smallest slot
    order = grouped[
        np.lexsort((slot[grouped], -spare[grouped], distance[grouped], grouping[grouped]))
    ]
    masks = grouping[order]
    head = np.ones(len(order), dtype=bool)
    head[1:] = masks[1:] != masks[:-1]
    second = np.zeros(len(order), dtype=bool)
    second[1:] = head[:-1] & ~head[1:]
    kept = np.sort(np.concatenate((np.flatnonzero(~alone & keep), order[head])))
    return kept, order[np.flatnonzero(second) - 1], order[second]
