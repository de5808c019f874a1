"""Plain reference implementations the tests compare the matcher's numpy steps with.

Each is the rule written as a loop over rows or pathways, for reading and for tests only
(STYLE.md: "a reference implementation that only tests use belongs in tests/").
"""

from __future__ import annotations

from typing import Any

import numpy as np


def reduce_rows_loop(
    *,
    slot: Any,
    mask: Any,
    agency: Any,
    distance: Any,
    spare: Any,
    waitlisted: Any,
    engaged: Any,
    prune: bool,
    fit: Any = None,
) -> tuple[list[int], list[int], list[int]]:
    """:func:`matching.grouping.reduce_rows`, one row at a time: (rows kept ascending, group
    winners' rows, their runners-up's rows), groups in increasing order of their needs (then
    of their fit points). With ``fit``, an agency is beaten only by candidates that also carry
    every fit point its candidates carry, and groups are of equal needs *and* fit points."""
    rows = range(len(slot))
    free = {int(x) for x in engaged}
    s, m, g = [int(x) for x in slot], [int(x) for x in mask], [int(x) for x in agency]
    f = [0] * len(s) if fit is None else [int(x) for x in fit]
    wait = [bool(x) for x in waitlisted]

    def order(i: int) -> tuple[int, int, int]:
        return int(distance[i]), -int(spare[i]), s[i]

    keep = [True] * len(s)
    if prune:
        for a in set(g):
            mine = [i for i in rows if g[i] == a]
            if a in free or any(wait[i] for i in mine):
                continue
            needs = points = 0
            for i in mine:
                needs |= m[i]
                points |= f[i]
            first = min(order(i) for i in mine)
            beaters = sorted(
                order(j)
                for j in rows
                if g[j] != a and not wait[j] and m[j] & needs == needs and f[j] & points == points
            )
            if len(beaters) >= 2 and beaters[1] < first:
                for i in mine:
                    keep[i] = False
    count = {a: g.count(a) for a in set(g)}
    groups: dict[tuple[int, int], list[int]] = {}
    kept = []
    for i in rows:
        if not keep[i]:
            continue
        if count[g[i]] == 1 and not wait[i] and g[i] not in free:
            groups.setdefault((m[i], f[i]), []).append(i)
        else:
            kept.append(i)
    winners, runners = [], []
    for needs in sorted(groups):
        members = sorted(groups[needs], key=order)
        kept.append(members[0])
        if len(members) > 1:
            winners.append(members[0])
            runners.append(members[1])
    return sorted(kept), winners, runners


def as_lists(found: tuple[Any, ...]) -> tuple[list[int], ...]:
    """Arrays as lists, for comparing with the loops."""
    return tuple(np.asarray(x).tolist() for x in found)


def exact_highs() -> Any:
    """A silent HiGHS model solved to proven optimality (no gap).

    Every test model is made here, and none sets ``threads``: HiGHS keeps one thread pool per
    process, sized by the first model solved, and refuses a later model asking for another size
    (its status stays ``kNotset``), so under pytest-xdist, on a machine with more than two cores,
    a one-thread oracle failed after the disclosure auditor had run in the same worker.
    """
    import highspy

    h = highspy.Highs()
    h.silent()
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    return h
