"""Fit points: how appropriate each candidate is for each need it takes (level 3 of the cover).

For each need a candidate takes, its *grade* for the person: one point when the need is its
specialism (not one it helps with alongside), one when the need is assessed urgent and it is
residential, crisis or refuge provision (L4), one when the person is a woman and it is women's
provision (audience ``women`` ``focus`` or ``only``), one when the person is under 18 and it is
youth provision. A grade ``g`` is written as the points ``4 * j + t`` for ``t < g``, ``j`` the
need's position among the needs to refer, so a plan earns, for each need, the grade of the best
chosen pathway taking it, and :func:`matching.cover.best_cover` counts at its level 3 the points
no chosen pathway earns.

A point every candidate taking its need carries is earned by every plan meeting that need, and
the cover meets every need it can before it counts points: :func:`points` leaves such points
out, so the solver works only on points that can tell plans apart (the optimum and its key are
the same; a grade read back is then the grade above the least among the need's candidates).

>>> import numpy as np
>>> from directory.loading import load
>>> from matching.assessment import assess
>>> from matching.index import build_index
>>> d = load()
>>> ix = build_index(d)
>>> a = assess(d, needs="debt", where="Cambridge", age=34, gender="female")
>>> ids = ["jcp-universal-credit", "carc-debt-advice", "cwrc-practical-advice"]
>>> slots = np.array([ix.slot[p] for p in ids])
>>> got = points(ix, a, ix.bit["debt"], slots, ix.mask[slots] & ix.bit["debt"])
>>> [grade(int(f), 0) for f in got]   # debt alongside; debt its specialism; and for women
[0, 1, 2]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matching.assessment import Assessment
    from matching.index import Index

__all__ = ["grade", "points", "position"]

Slots = Any  # npt.NDArray[np.int64] (Any: numpy's annotations vary between versions)

_PER_NEED = 4  # bits of points per need: grades 0-4
_INT64_NEEDS = 15  # needs whose points fit in an int64 (4 * 15 = 60 bits)


def points(ix: Index, a: Assessment, universe: int, slots: Slots, mask: Slots) -> Slots:
    """The fit points of candidate rows (pathway ``slots``, taking ``mask`` of ``universe``).

    An int64 array while the universe holds at most 15 needs, else Python ints in an object
    array. Points every row taking a need carries are left out (module notes).
    """
    n = len(slots)
    bits = [b for b in ix.bit.values() if universe & b]
    wide = len(bits) > _INT64_NEEDS or mask.dtype == object
    out = np.zeros(n, dtype=object if wide else np.int64)
    if not n:
        return out
    extra = ix.women[slots] & (a.gender == "female")
    grade0 = extra.astype(np.int64) + (ix.youth[slots] & (a.age < 18))
    spec, l4 = ix.spec[slots], ix.l4[slots]
    for j, b in enumerate(bits):
        has = (mask & b) != 0
        if not has.any():
            continue
        g = grade0 + ((spec & b) != 0) + ((l4 & b) != 0)
        low = int(g[has].min())
        pts = np.where(has, (1 << g) - (1 << low), 0)  # thresholds t with low <= t < g
        if wide:
            out = out | (pts.astype(object) << (_PER_NEED * j))
        else:
            out |= pts << (_PER_NEED * j)
    return out


def position(universe: int, b: int) -> int:
    """The position of need bit ``b`` among the bits of ``universe`` (``j`` of the notes).

    >>> position(0b10110, 0b10000)
    2
    """
    return (universe & (b - 1)).bit_count()


def grade(fit: int, j: int) -> int:
    """The grade a row's points give the ``j``-th need to refer (as far as points tell).

    >>> grade(0b0011_0001, 1), grade(0b0011_0001, 0)
    (2, 1)
    """
    return (fit >> (_PER_NEED * j) & (1 << _PER_NEED) - 1).bit_count()
