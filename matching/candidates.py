"""Candidates: the pathways that can take an assessment's needs, as arrays, in four steps.

A pathway is a candidate for an assessment when it

1. **is eligible**: it is active, addresses an assessed need that no engaged agency already
   meets, and accepts the person (:func:`matching.eligibility.check`, once per distinct
   eligibility profile);
2. **is in reach**: :func:`matching.reach.travel` finds a way for it (a site serving the
   district or within the travel limit, outreach where it serves, phone or online when the
   person accepts them): :func:`ways` is that rule on arrays;
3. **has a place** (``Availability.has_place``), or, when the assessment accepts a waitlist, is
   full or keeps a waitlist without being closed: a *waitlisted* candidate;
4. a waitlisted candidate keeps only the needs that no candidate with a place can take, and is
   dropped when none is left: a waitlist never displaces a place (:func:`waitlist_rule`).

Each candidate then carries its fit points for the person (:func:`matching.fit.points`).

:func:`find` runs the steps over the pathways the index gives for the person
(:meth:`matching.index.Index.looked_at`: those serving the district and those with a site in a
grid cell within reach), numpy over the whole set at once, and returns :class:`Rows` in slot
(id) order. Then :mod:`matching.grouping` keeps what the solver needs (grouped), and
:mod:`matching.match` solves and explains.

>>> from datetime import date
>>> from directory.loading import load
>>> from matching.assessment import assess
>>> from matching.match import Matcher
>>> d = load()
>>> m = Matcher(d)
>>> found = m.candidates(assess(d, needs="debt", where="Wisbech", age=34))
>>> all(c.mask == m.need_bit("debt") for c in found)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from matching.fit import points
from matching.reach import MODES

if TYPE_CHECKING:
    from collections.abc import Callable

    from matching.assessment import Assessment
    from matching.index import Index

__all__ = [
    "MODES",
    "Candidate",
    "Draft",
    "Places",
    "Rows",
    "Ways",
    "find",
    "waitlist_rule",
    "ways",
]


Slots = Any  # npt.NDArray[np.int64] (Any: numpy's annotations vary between versions)
Floats = Any  # npt.NDArray[np.float64]
Flags = Any  # npt.NDArray[np.bool_]

Places = tuple[Slots, Flags, Flags]
"""Places of some pathways, one row each: places left (or 0), whether there is a place, and
whether a waitlisted referral is possible without a place (not closed)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A pathway that can take some of an assessment's needs, and what using it costs.

    ``mask`` holds the needs it may take (bits of :meth:`matching.match.Matcher.need_bit`): the
    assessed needs it addresses that no engaged agency meets, or for a waitlisted candidate
    only those that no candidate with a place can take.
    """

    pathway: str
    rank: int
    agency: str
    mask: int
    delivery: str
    site: str | None
    distance_m: int
    spare: int
    waitlisted: bool


@dataclass(frozen=True, slots=True)
class Draft:
    """A candidate as the solver and the reasons see it: ``slot`` (the pathway's rank in id
    order), ``agency`` (the agency's slot) and the option fields of :mod:`matching.cover`."""

    slot: int
    mask: int
    agency: int
    distance: int  # metres
    spare: int
    waitlisted: bool
    fit: int = 0  # fit points (matching.fit)


@dataclass(frozen=True, slots=True)
class Rows:
    """Candidates as arrays, one row each, in slot order (:func:`find`)."""

    slot: Slots
    mask: Slots
    agency: Slots
    distance: Slots  # metres: the way's km, rounded
    spare: Slots  # places left, or 0
    waitlisted: Flags
    km: Floats  # the way's km
    mode: Slots  # index into MODES
    site: Slots  # the site's slot, -1 none
    near_km: Floats  # delivered in person: the nearest site's km (inf: none or not in person)
    near_site: Slots  # and its slot (-1)
    fit: Slots  # fit points (matching.fit)

    @staticmethod
    def empty() -> Rows:
        """No candidates."""
        none = np.zeros(0, dtype=np.int64)
        flags, km = none != 0, none * 0.0
        return Rows(none, none, none, none, none, flags, km, none, none, km, none, none)

    def drafts(self, at: Slots) -> list[Draft]:
        """Drafts of rows ``at``, in the order given."""
        return [
            Draft(*row)
            for row in zip(
                self.slot[at].tolist(),
                self.mask[at].tolist(),
                self.agency[at].tolist(),
                self.distance[at].tolist(),
                self.spare[at].tolist(),
                self.waitlisted[at].tolist(),
                self.fit[at].tolist(),
                strict=True,
            )
        ]


class Ways(NamedTuple):
    """What :func:`ways` finds, one row per pathway."""

    km: Floats
    mode: Slots
    site: Slots
    near_km: Floats
    near_site: Slots


def ways(
    ix: Index,
    a: Assessment,
    slots: Slots,
    *,
    centre_km: float,
    remote_km: float,
    serves: Flags | None = None,
) -> Ways:
    """:func:`matching.reach.travel` for pathway ``slots`` and person ``a``, on arrays.

    Returns the cheapest way's km, its mode (index into :data:`matching.reach.MODES`, -1 when
    the pathway does
    not reach the person) and site slot (-1 none), and for pathways delivered in person the
    nearest site's km and slot whatever the way (inf and -1 otherwise). In person: the nearest
    site (ties to the smaller id) when it serves the district or is within the travel limit,
    else a venue at the district centre's distance where it serves; outreach where it serves,
    at 0 km; phone, then online, at ``remote_km`` where the person accepts them and the pathway
    serves the district or lists none. Ties between modes go to the earlier of :data:`MODES`,
    as there.

    >>> from directory.loading import load
    >>> from matching.assessment import assess
    >>> from matching.index import build_index
    >>> d = load()
    >>> ix = build_index(d)
    >>> a = assess(d, needs="gambling", where="Wisbech", age=40)
    >>> w = ways(ix, a, np.array([ix.slot["gamcare-helpline"]]),
    ...          centre_km=3.0, remote_km=0.0)
    >>> MODES[w.mode[0]], w.km.tolist()
    ('phone', [0.0])
    """
    if serves is None:
        serves = ix.serves(a.district, slots)
    n = len(slots)
    near_km = np.full(n, math.inf)
    near_site = np.full(n, -1, dtype=np.int64)
    walking = np.flatnonzero(ix.in_person[slots])
    if len(walking):
        near_km[walking], near_site[walking] = ix.nearest((a.lat, a.lon), slots[walking])
    has_site = near_site >= 0
    walks = ix.in_person[slots] & np.where(has_site, serves | (near_km <= a.travel_km), serves)
    km = np.where(walks, np.where(has_site, near_km, centre_km), math.inf)
    mode = np.where(walks, 0, -1)
    site = np.where(walks, near_site, -1)
    # outreach (0 km) beats walking only when strictly cheaper; so does a remote way
    out = serves & ix.outreach[slots] & ((mode < 0) | (km > 0.0))
    km, mode, site = np.where(out, 0.0, km), np.where(out, 1, mode), np.where(out, -1, site)
    if a.accept_remote:
        phone, online = ix.phone[slots], ix.online[slots]
        remote = (serves | ~ix.listed[slots]) & (phone | online) & ((mode < 0) | (km > remote_km))
        km = np.where(remote, remote_km, km)
        mode = np.where(remote, np.where(phone, 2, 3), mode)
        site = np.where(remote, -1, site)
    return Ways(km, mode, site, near_km, near_site)


def waitlist_rule(mask: Slots, waitlisted: Flags) -> tuple[Slots, Flags | None]:
    """Step 4: a waitlisted candidate keeps only the needs no candidate with a place can take.

    Returns the masks (a new array) and which rows keep a need (None when all do).

    >>> m, left = waitlist_rule(np.array([1, 3, 1]), np.array([False, True, True]))
    >>> m.tolist(), left.tolist()
    ([1, 2, 0], [True, True, False])
    """
    if not waitlisted.any():
        return mask, None
    placed = np.bitwise_or.reduce(mask[~waitlisted], initial=0)
    mask = np.where(waitlisted, mask & ~placed, mask)
    left = mask != 0
    return mask, None if left.all() else left


def find(
    ix: Index,
    a: Assessment,
    *,
    universe: int,
    ok: Flags,
    places: Callable[[Slots], Places],
    centre_km: float,
    remote_km: float,
) -> Rows:
    """Every candidate of ``a`` (steps 1-4 of the module notes) with its fit points, in slot
    order.

    ``universe`` holds the needs to refer (assessed, not already met), ``ok`` whether the
    person passes each eligibility profile of the index, ``places`` gives the places of
    pathway slots (see :data:`Places`), ``centre_km`` is the person's distance to their
    district's centre and ``remote_km`` the travel counted for phone or online delivery.
    """
    bits = [b for b in ix.bit.values() if universe & b]
    slots = ix.looked_at(a.district, a.lat, a.lon, bits, a.travel_km)
    # 1. eligible
    slots = slots[ok[ix.prof[slots]]]
    # 2. in reach
    w = ways(ix, a, slots, centre_km=centre_km, remote_km=remote_km)
    at = np.flatnonzero(w.mode >= 0)
    # 3. a place, or a waitlist the person accepts
    spare, placed, waitable = places(slots[at])
    keep = placed | waitable if a.accept_waitlist else placed
    at, spare, waitlisted = at[keep], spare[keep], ~placed[keep]
    # 4. the waitlist rule
    mask, left = waitlist_rule(ix.mask[slots[at]] & universe, waitlisted)
    if left is not None:
        at, mask, spare, waitlisted = at[left], mask[left], spare[left], waitlisted[left]
    slots, km = slots[at], w.km[at]
    return Rows(
        slot=slots,
        mask=mask,
        agency=ix.agency[slots],
        distance=np.rint(km * 1000.0).astype(np.int64),
        spare=spare,
        waitlisted=waitlisted,
        km=km,
        mode=w.mode[at],
        site=w.site[at],
        near_km=w.near_km[at],
        near_site=w.near_site[at],
        fit=points(ix, a, universe, slots, mask),
    )
