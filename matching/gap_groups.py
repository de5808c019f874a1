"""Capacity gaps grouped more coarsely: needs across all districts, need groups by district.

A year of a county's demand spread over 22 needs x 6 districts leaves many cells below the
suppression threshold, and a month leaves almost all of them. Planners still need a picture, so
the cells of a :class:`~matching.gaps.GapResult` are added up over a coarser key: every need over
all districts (:func:`by_need`), or the needs of one group in each district (:func:`by_group`).
The answer is a :class:`~matching.gaps.GapResult` of the same period and allocation whose cells
carry the group's ids in ``need`` and ``district``, so the published tables of
:mod:`matching.gap_tables` (and their suppression) apply unchanged.

Counts of people add up exactly (demand, met, and unmet by reason). Places do not: they are
shared between needs and districts, so a grouped cell's ``places_in_reach`` is the largest of
its members' (a lower bound, never a sum) and ``agencies`` their union.

>>> from directory.loading import load
>>> from matching.demand import demand_from_people, synthetic_cohort
>>> from matching.gaps import gaps
>>> d = load()
>>> result = gaps(d, demand_from_people(synthetic_cohort(d, 350, seed=1), period="2026-11"))
>>> county = by_need(result)
>>> {c.district for c in county.cells}
{'all'}
>>> county.demand == result.demand and county.met == result.met
True
>>> len(by_group(result, d).cells) <= len(d.groups) * len(d.districts)
True
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from directory.errors import InvalidArgumentError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from directory.models import Directory
    from matching.gaps import CellGap, GapResult

__all__ = ["ALL", "by_group", "by_need", "merge", "need_groups", "regroup"]

#: The ``district`` (or ``need``) of a grouped cell that covers every one.
ALL = "all"


def regroup(result: GapResult, key: Callable[[CellGap], tuple[str, str]]) -> GapResult:
    """``result`` with its cells added up by ``key(cell) -> (need, district)``, sorted by key.

    The period, pathways and allocation are kept; only the cells change.
    """
    members: dict[tuple[str, str], list[CellGap]] = {}
    for c in result.cells:
        members.setdefault(key(c), []).append(c)
    cells = tuple(merge(members[k], k) for k in sorted(members))
    return replace(result, cells=cells)


def need_groups(directory: Directory) -> dict[str, str]:
    """Need id -> need group id, for :func:`matching.gap_tables.published` (``groups``), which
    publishes the grouped figures of :func:`by_need` and :func:`by_group` (and each district's
    total) protected together with the cells table they add up.
    """
    return {n.id: n.group for n in directory.needs}


def by_need(result: GapResult) -> GapResult:
    """One cell per need, over all districts (``district`` is :data:`ALL`)."""
    return regroup(result, lambda c: (c.need, ALL))


def by_group(result: GapResult, directory: Directory) -> GapResult:
    """One cell per need group and district (``need`` is the group's id).

    Raises :class:`~directory.errors.InvalidArgumentError` for a need the directory does not
    have (the result belongs to another directory).
    """
    groups = {n.id: n.group for n in directory.needs}

    def key(c: CellGap) -> tuple[str, str]:
        if c.need not in groups:
            raise InvalidArgumentError(
                f"need {c.need!r} of the gaps is not in the directory: group the gaps of a "
                "directory with that same directory"
            )
        return groups[c.need], c.district

    return regroup(result, key)


def merge(cells: Iterable[CellGap], key: tuple[str, str]) -> CellGap:
    """One cell adding up ``cells`` under ``key``.

    >>> from matching.gaps import CellGap
    >>> def cell(district: str, demand: int, met: int, places: int) -> CellGap:
    ...     unmet = (0, 0, 0, demand - met)
    ...     return CellGap("debt", district, demand, met, *unmet, places, False, ("a",))
    >>> merged = merge([cell("fenland", 3, 3, 10), cell("cambridge", 4, 2, 6)], ("debt", "all"))
    >>> merged.demand, merged.met, merged.unmet_full, merged.places_in_reach, merged.agencies
    (7, 5, 2, 10, ('a',))
    """
    from matching.gaps import CellGap

    cells = list(cells)
    return CellGap(
        need=key[0],
        district=key[1],
        demand=sum(c.demand for c in cells),
        met=sum(c.met for c in cells),
        unmet_none_provided=sum(c.unmet_none_provided for c in cells),
        unmet_not_in_reach=sum(c.unmet_not_in_reach for c in cells),
        unmet_not_eligible=sum(c.unmet_not_eligible for c in cells),
        unmet_full=sum(c.unmet_full for c in cells),
        places_in_reach=max((c.places_in_reach for c in cells), default=0),
        unlimited_in_reach=any(c.unlimited_in_reach for c in cells),
        agencies=tuple(sorted({a for c in cells for a in c.agencies})),
    )
