"""Candidates: the pathways that can take an assessment's needs, found fast.

A :class:`CandidateFinder` compiles one directory snapshot once (need bitmasks, agency indices,
site coordinates, per-district and per-need candidate lists, a grid of sites, the distinct
eligibility profiles) and then lists, for an assessment, the pathways that can take its needs;
:class:`matching.match.Matcher` builds on it to choose the best of them. It holds no global
state and never changes the directory.

>>> from directory.loading import load
>>> from matching.assessment import assess
>>> d = load()
>>> finder = CandidateFinder(d)
>>> found = finder.candidates(assess(d, needs="debt", where="Wisbech", age=34))
>>> all(c.mask == finder.need_bit("debt") for c in found)
True

Candidates
----------
A pathway is a candidate for an assessment when it is active, addresses an assessed need that no
engaged agency already meets, accepts the person (:func:`matching.eligibility.eligible`), is in
reach (:func:`matching.reach.decide`) and has a place (``Availability.has_place``). When the
assessment accepts a waitlist, a pathway that is full or keeps a waitlist (not closed) is a
*waitlisted* candidate too, but only for needs that no candidate with a place can take: a
waitlist never displaces a place, and the matcher's objective stays the architecture's.

Speed
-----
Candidates come from per-district lists by need, a grid of sites for "within the travel limit",
and per-need lists of pathways that serve everywhere. Remote candidates serving everywhere all
cost no travel; among those whose agency has no other candidate, only the best of each set of
needs taken is passed to the solver (the others are dominated in the sense of
:mod:`matching.cover`, so the optimum is unchanged), with the runner-up kept for the reasons.
With nominal places, agencies that cannot matter are dropped before the solver
(:mod:`matching.grouping`), and with remote delivery accepted a quicker path reads compiled
lists in C (:mod:`matching.gather`; see ``CandidateFinder._quick``).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from directory.errors import AssessmentError, NotFoundError
from directory.models import level_rank
from directory.places import EARTH_RADIUS_KM, haversine_km
from matching.capacity import Availability, NominalCapacity
from matching.eligibility import check, profile
from matching.gather import Lists, gather, pool
from matching.grouping import reduce_rows
from matching.kernels import nearest_km
from matching.periods import PERS, period_of
from matching.reach import (
    Reach,
    decide,
    free_of_travel,
    in_person,
    served_words,
    site_point,
    travel,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import numpy.typing as npt

    from directory.models import Directory, Eligibility, Pathway
    from matching.assessment import Assessment, Assessor
    from matching.capacity import AvailabilitySource

__all__ = ["Candidate", "CandidateFinder", "Draft", "Query"]

_CELL_LAT = 0.08  # grid cell, degrees (about 9 km north-south)
_CELL_LON = 0.13  # about 9 km east-west at 52 degrees north
_INF = float("inf")
_TWO_R = 2.0 * EARTH_RADIUS_KM  # as haversine_km multiplies: (2.0 * R) * asin(...)
_ARRAYS_FROM = 80  # pathways seen, from which arrays beat the loop (docs/performance.md)
_QUICK_FROM = 32  # pathways looked at, from which the quick path beats the loop
_QUICK_COUNTED_BELOW = 2000  # pathways in the directory, below which those are counted
_MISSES_FROM = 32  # pathways looked at for near misses, from which arrays beat the loop


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / _CELL_LAT), math.floor(lon / _CELL_LON)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A pathway that can take some of an assessment's needs, and what using it costs.

    ``mask`` holds the needs it may take (bits of :meth:`CandidateFinder.need_bit`): the
    assessed needs it addresses that no engaged agency meets, or for a waitlisted candidate only
    those that no candidate with a place can take.
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


@dataclass(slots=True)
class Draft:
    """A candidate while a plan is being built, in the matcher's indices (working record).

    ``slot`` is the pathway's rank (id order), ``agency`` the agency's index; a
    :class:`Candidate` is what callers see.
    """

    slot: int
    mask: int
    agency: int
    distance: int  # metres (the solver's option fields: mask, agency, distance, spare)
    spare: int
    waitlisted: bool
    way: tuple[float, str, str | None] | None  # (km, mode, site); None: no travel whatever


@dataclass(slots=True)
class Query:
    """Everything one match works on (working record): the needs to refer as a bitmask, the
    engaged agencies' indices, the candidates, distances worked out so far, places."""

    universe: int
    free: frozenset[int]
    raws: list[Draft]
    site_km: dict[int, float]
    centre_km: float
    avail: dict[int, Availability]
    day: date
    point: tuple[float, float, float] = (0.0, 0.0, 1.0)  # the person: lat, lon (radians), cos lat


class CandidateFinder:
    """Compiles a directory snapshot and finds the candidates of assessments.

    Parameters
    ----------
    directory : Directory
        The snapshot (never modified).
    availability : AvailabilitySource, optional
        Where places come from: :class:`~matching.capacity.NominalCapacity` (the default: what
        the directory says) or a :class:`~matching.capacity.Ledger` (places booked so far).
    remote_km : float
        Travel counted for phone or online delivery (default 0).
    """

    def __init__(
        self,
        directory: Directory,
        *,
        availability: AvailabilitySource | None = None,
        remote_km: float = 0.0,
    ) -> None:
        if not (math.isfinite(remote_km) and remote_km >= 0):
            raise AssessmentError(f"remote_km must be 0 or more, not {remote_km}")
        self.directory = directory
        self.availability: AvailabilitySource = availability or NominalCapacity()
        self.remote_km = float(remote_km)
        self.static = isinstance(self.availability, NominalCapacity)
        self._assessor: Assessor | None = None
        self._facts: dict[tuple[Any, ...], tuple[bool, ...]] = {}
        # thresholds (docs/performance.md); tests set them to 0 to use arrays on small
        # directories. From _QUICK_COUNTED_BELOW pathways everyone takes the quick path (nearly
        # all look at 32 or more, and counting them costs 5% of a match)
        self._arrays_from = _ARRAYS_FROM
        self._misses_from = _MISSES_FROM
        self._quick_from = _QUICK_FROM if len(directory.pathways) < _QUICK_COUNTED_BELOW else 0
        self._prune_travelling = True  # tests set False to compare _travelling with _reduce
        self._compile(directory)

    # ----------------------------------------------------------------------------- compiling
    def _compile(self, d: Directory) -> None:
        self._need_ids = tuple(n.id for n in d.needs)
        # Needs some pathway meets with residential, crisis or refuge provision (L4) have a
        # second bit, ``need:urgent``: an urgent need takes that bit (met by L3 or L4
        # provision), an ordinary one the need's own (met by L1-L3). L4 provision is thus a
        # candidate only for needs assessed urgent, whatever path finds the candidates.
        l4 = {n for p in d.pathways if p.active for n in p.needs if p.level_of(n) == "residential"}
        self._urgent_needs = tuple(n for n in self._need_ids if n in l4)
        keys = self._need_ids + tuple(f"{n}:urgent" for n in self._urgent_needs)
        self._bit = {k: 1 << i for i, k in enumerate(keys)}
        self._ubit = {n: self._bit[f"{n}:urgent"] for n in self._urgent_needs}
        self._base = {k: k.partition(":")[0] for k in keys}
        self._label = {n.id: n.label for n in d.needs}
        for u in self._urgent_needs:
            self._label[f"{u}:urgent"] = f"{self._label[u]} (urgent)"
        self._centre = {x.id: (x.lat, x.lon) for x in d.districts}
        all_districts = frozenset(self._centre)
        pathways = sorted((p for p in d.pathways if p.active), key=lambda p: p.id)
        self._pw: tuple[Pathway, ...] = tuple(pathways)
        self._slot = {p.id: i for i, p in enumerate(pathways)}
        agency_ids = sorted(a.id for a in d.agencies)
        self._agency_ids = tuple(agency_ids)
        self._agency_slot = {a: i for i, a in enumerate(agency_ids)}
        self._agency_name = {a.id: a.name for a in d.agencies}
        profiles: dict[tuple[object, ...], int] = {}
        self._profiles: list[Eligibility] = []
        sites = sorted(d.site_by_id.values(), key=lambda s: s.id)
        self._site_slot = {s.id: i for i, s in enumerate(sites)}
        self._site_ids = tuple(s.id for s in sites)
        self._site_point = tuple(site_point(d, s) for s in sites)
        # each site's latitude and longitude in radians and the cosine of its latitude, for
        # _nearest: haversine_km's arithmetic step for step, so the same floats
        self._site_rad = tuple(
            (math.radians(lat), math.radians(lon), math.cos(math.radians(lat)))
            for lat, lon in self._site_point
        )
        self._site_hidden = tuple(s.hidden for s in sites)
        self._site_name = tuple(s.name for s in sites)

        n = len(pathways)
        self._mask = [0] * n
        self._agency = [0] * n
        self._prof = [0] * n
        self._sites: list[tuple[int, ...]] = [()] * n
        self._served: list[frozenset[str]] = [frozenset()] * n
        self._listed = [False] * n
        self._delivery: list[tuple[str, ...]] = [()] * n
        self._remote = [False] * n
        self._local_modes = [False] * n
        self._only_in_person = [False] * n
        self._everywhere = [False] * n
        # free-of-travel flags by (serves, accept_remote), from matching.reach.free_of_travel
        self._free: dict[tuple[bool, bool], list[bool]] = {
            k: [False] * n for k in ((False, False), (False, True), (True, False), (True, True))
        }
        local: dict[str, dict[int, list[int]]] = {x: {} for x in self._centre}
        everywhere: dict[int, list[int]] = {}
        by_need: dict[int, list[int]] = {}
        site_needs: dict[int, dict[int, list[int]]] = {}  # site -> need -> pathways there
        edges: set[int] = set()
        agency_of = d.agency_of
        # fit (matching.match): needs each pathway takes as its specialism, urgent needs it
        # meets at L4, and whether it is women's or youth provision
        self._spec = [0] * n
        self._l4 = [0] * n
        self._women = [False] * n
        self._youth = [False] * n
        for i, p in enumerate(pathways):
            mask = 0
            for need in p.needs:
                rank = level_rank(p.level_of(need))
                if rank < 4:
                    mask |= self._bit.get(need, 0)
                if rank >= 3:
                    mask |= self._ubit.get(need, 0)
                if rank == 4:
                    self._l4[i] |= self._ubit.get(need, 0)
                if p.specialism(need):
                    self._spec[i] |= self._bit.get(need, 0) | self._ubit.get(need, 0)
            self._mask[i] = mask
            self._women[i] = p.eligibility.audience.women != "open"
            self._youth[i] = p.eligibility.audience.under_18 != "open"
            self._agency[i] = self._agency_slot[agency_of[p.id].id]
            key = profile(p.eligibility)
            if key not in profiles:
                profiles[key] = len(self._profiles)
                self._profiles.append(p.eligibility)
            self._prof[i] = profiles[key]
            if p.eligibility.min_age is not None:
                edges.add(p.eligibility.min_age)
            if p.eligibility.max_age is not None:
                edges.add(p.eligibility.max_age + 1)
            self._sites[i] = tuple(
                sorted(self._site_slot[s] for s in set(p.sites) if s in self._site_slot)
            )
            served = frozenset(d.served_districts(p))
            self._served[i] = served
            self._listed[i] = p.districts == "all" or bool(p.districts)
            self._delivery[i] = p.delivery
            self._remote[i] = p.remote
            self._local_modes[i] = "in_person" in p.delivery or "outreach" in p.delivery
            self._only_in_person[i] = set(p.delivery) == {"in_person"}
            self._everywhere[i] = served >= all_districts or (not self._listed[i] and p.remote)
            for (serves, remote_ok), flags in self._free.items():
                flags[i] = free_of_travel(
                    serves=serves,
                    listed=self._listed[i],
                    delivery=p.delivery,
                    accept_remote=remote_ok,
                    remote_km=self.remote_km,
                )
            bits = [b for b in self._bit.values() if mask & b]
            for b in bits:
                by_need.setdefault(b, []).append(i)
                if self._everywhere[i]:
                    everywhere.setdefault(b, []).append(i)
                else:
                    for x in served:
                        if x in local:
                            local[x].setdefault(b, []).append(i)
            if "in_person" in p.delivery and not self._everywhere[i]:
                for s in self._sites[i]:
                    per_need = site_needs.setdefault(s, {})
                    for b in bits:
                        per_need.setdefault(b, []).append(i)
        # whether candidates taking the same needs can differ in fit: then every candidate goes
        # to the solver (no grouping by needs taken; matching.match)
        self._fit_varies = any(
            self._women[i] or self._youth[i] or self._l4[i] or self._mask[i] & ~self._spec[i]
            for i in range(len(pathways))
        ) or any(a.youth_justice for a in d.agencies)
        self._local = {x: {b: tuple(v) for b, v in m.items()} for x, m in local.items()}
        # per district, the pathways not serving everywhere that serve it and take some need
        self._local_all = {x: frozenset(i for v in m.values() for i in v) for x, m in local.items()}
        self._ev = {b: tuple(v) for b, v in everywhere.items()}
        self._by_need = {b: tuple(v) for b, v in by_need.items()}
        # pathways not serving everywhere delivered in person, by grid cell of a site and need
        grid: dict[tuple[int, int], dict[int, set[int]]] = {}
        for st, per_need in site_needs.items():
            cell = grid.setdefault(_cell(*self._site_point[st]), {})
            for b, slots in per_need.items():
                cell.setdefault(b, set()).update(slots)
        self._grid = {c: {b: tuple(sorted(v)) for b, v in m.items()} for c, m in grid.items()}
        edges.add(18)  # under-18s only through youth provision (matching.eligibility, youth)
        self._age_edges = tuple(sorted(edges))
        self._named: frozenset[str | None] = frozenset(
            ["female"]  # women-only audiences and women's provision tell women apart
        ) | frozenset(
            v
            for rules in self._profiles
            for v in (
                *rules.genders,
                *rules.cohorts,
                *rules.offences,
                *rules.excluded_offences,
                *rules.disposals,
            )
        )
        self._nominal: dict[int, Availability] | None = None
        self._nominal_periods: tuple[str, ...] = ()  # the periods _nominal names
        self._nominal_other: dict[tuple[str, ...], dict[int, Availability]] = {}
        self._periods: dict[date, tuple[str, ...]] = {}
        self._arrays: _InPerson | None = None  # nominal places only: see _in_person
        self._lists: Lists | None = None  # the quick path's compiled lists: see _compile_lists
        # Quick path (nominal places, remote accepted at no travel): pathways serving everywhere
        # by phone or online, with a place, per need, best spare first.
        self._quick_ok = False
        self._evq: dict[int, tuple[tuple[int, int, int, int, int], ...]] = {}
        self._is_evq = [False] * n
        if self.static:
            today = date.today()
            found = self.availability.availability(self._pw, today)
            # places do not depend on the day, only the period's name (words) does
            self._nominal_periods = self._periods_of(today)
            self._nominal = {i: found[p.id] for i, p in enumerate(self._pw)}
            # places left when there is a place, else -1
            self._places = [(av.left or 0) if av.has_place else -1 for av in self._nominal.values()]
            # places left, or 0, and whether a full pathway takes a waitlist (for waitlists)
            self._left = [av.left or 0 for av in self._nominal.values()]
            self._waitable = [av.waitlist_possible for av in self._nominal.values()]
            self._quick_ok = self.remote_km == 0
            quick: dict[int, list[tuple[int, int, int, int, int]]] = {}
            for b, slots in everywhere.items():
                for i in slots:
                    av = self._nominal[i]
                    if self._remote[i] and av.has_place:
                        self._is_evq[i] = True
                        entry = (i, self._mask[i], self._prof[i], self._agency[i], av.left or 0)
                        quick.setdefault(b, []).append(entry)
            self._evq = {b: tuple(sorted(v, key=lambda e: (-e[4], e[0]))) for b, v in quick.items()}
            self._evq_count: dict[int, int] = {}
            for i in range(n):
                if self._is_evq[i]:
                    self._evq_count[self._agency[i]] = self._evq_count.get(self._agency[i], 0) + 1
            # split: agencies with one quick pathway (read with an early stop, see _quick) and
            # agencies with several (always read); suffix unions of needs for the early stop
            self._evq_one: dict[int, tuple[tuple[int, int, int, int, int], ...]] = {}
            self._evq_suffix: dict[int, tuple[int, ...]] = {}
            self._evq_many: dict[int, tuple[tuple[int, int, int, int, int], ...]] = {}
            self._evq_of: dict[int, tuple[int, int, int, int, int]] = {}
            for b, entries in self._evq.items():
                one = tuple(e for e in entries if self._evq_count[e[3]] == 1)
                self._evq_one[b] = one
                self._evq_many[b] = tuple(e for e in entries if self._evq_count[e[3]] > 1)
                suffix = [0] * (len(one) + 1)
                for j in range(len(one) - 1, -1, -1):
                    suffix[j] = suffix[j + 1] | one[j][1]
                self._evq_suffix[b] = tuple(suffix)
                for e in one:
                    self._evq_of[e[3]] = e
            if len(self._bit) <= 62:  # masks fit in 64-bit integers
                self._arrays = _InPerson.compile(self)
                self._compile_lists()
            else:  # the quick path works on arrays: the general path for everyone
                self._quick_ok = False

    def _cell_keys(self, a: Assessment, km: float) -> list[int]:
        """The compiled lists' keys of the grid cells within ``km`` of ``a`` (:meth:`_cells`)."""
        return [self._cell_index[c] for c in self._cells(a.lat, a.lon, km)]

    def _looked_at(
        self, lists: Lists, a: Assessment, needs: list[int], km: float
    ) -> npt.NDArray[np.int64]:
        """:meth:`_seen` for need indices ``needs`` and a radius ``km``, as a sorted array from
        the compiled lists (:func:`matching.gather.pool`)."""
        district = self._district_index[a.district]
        return pool(lists, district=district, needs=needs, cells=self._cell_keys(a, km))

    def _compile_lists(self) -> None:
        """The quick path's lists as flat arrays, for :func:`matching.gather.gather` and
        :func:`matching.gather.pool` (nominal places, masks within 62 bits)."""
        assert self._nominal is not None
        self._district_index = {x: k for k, x in enumerate(self._centre)}
        self._cell_index = {c: k for k, c in enumerate(self._grid)}
        bits = list(self._bit.values())
        # per district and need, the pathways serving it (there or everywhere), and those of
        # them apart from the quick remote ones: with a place and free of travel (outreach or
        # remote; most places first), with a place that travel, and full with a waitlist
        serving = [
            [self._local[x].get(b, ()) + self._ev.get(b, ()) for b in bits] for x in self._centre
        ]
        free_serving = self._free[True, True]
        lists: list[list[list[list[int]]]] = []
        for per_district in serving:
            per_need = []
            for slots in per_district:
                zero, far, waiting = [], [], []
                for i in slots:
                    av = self._nominal[i]
                    if self._is_evq[i]:
                        continue
                    if not av.has_place:
                        if av.waitlist_possible:
                            waiting.append(i)
                    elif free_serving[i]:
                        zero.append(i)
                    else:
                        far.append(i)
                zero.sort(key=lambda i: (-self._places[i], i))
                per_need.append([zero, far, waiting])
            lists.append(per_need)
        self._lists = Lists.build(
            mask=self._mask,
            agency=self._agency,
            prof=self._prof,
            places=self._places,
            left=self._left,
            waitable=self._waitable,
            n_needs=len(bits),
            lists=lists,
            grid=[[per_need.get(b, ()) for b in bits] for per_need in self._grid.values()],
            many=[[e[0] for e in self._evq_many.get(b, ())] for b in bits],
            serving=serving,
            evq_of=[
                e[0] if (e := self._evq_of.get(x)) is not None else -1
                for x in range(len(self._agency_ids))
            ],
        )

    # ----------------------------------------------------------------------------- look-ups
    @property
    def assessor(self) -> Assessor:
        """An :class:`~matching.assessment.Assessor` for this directory (built once)."""
        if self._assessor is None:
            from matching.assessment import Assessor

            self._assessor = Assessor(self.directory)
        return self._assessor

    def need_bit(self, need: str) -> int:
        """The bit of a need id in candidate masks (its position in the taxonomy)."""
        try:
            return self._bit[need]
        except KeyError:
            from directory.rules import did_you_mean

            raise NotFoundError("need", need, did_you_mean(need, self._need_ids)) from None

    def needs_of(self, mask: int) -> tuple[str, ...]:
        """The need ids of a mask, in taxonomy order."""
        return tuple(n for n, b in self._bit.items() if mask & b)

    def facts_key(self, a: Assessment) -> tuple[Any, ...]:
        """The eligibility facts of ``a`` as far as this directory's rules can tell them apart.

        Ages in the same band between two age limits of any rule, and genders, cohorts,
        offences or disposals that no rule names, behave the same in every check and every
        reason (:func:`matching.eligibility.check` words a failure from the rule, and from the
        fact only when the fact is missing or names an excluded offence).
        """
        named = self._named
        return (
            bisect_right(self._age_edges, a.age),
            a.gender if a.gender in named or a.gender is None else "",
            (tuple(c for c in a.cohorts if c in named), bool(a.cohorts)),
            a.offence if a.offence in named or a.offence is None else "",
            a.disposal if a.disposal in named or a.disposal is None else "",
            a.victim,
            a.admitted,
            a.consents,
            a.victim_views,
            a.victim_willing,
        )

    # ----------------------------------------------------------------------------- candidates
    def _profile_ok(self, a: Assessment) -> tuple[bool, ...]:
        key = self.facts_key(a)
        hit = self._facts.get(key)
        if hit is None:
            hit = tuple(check(rules, a).ok for rules in self._profiles)
            if len(self._facts) >= 4096:
                self._facts.clear()
            self._facts[key] = hit
        return hit

    def _check(self, a: Assessment) -> None:
        if a.district not in self._centre:
            from directory.rules import did_you_mean

            raise NotFoundError("district", a.district, did_you_mean(a.district, self._centre))
        for need in a.needs:
            self.need_bit(need)
        for agency in a.engaged:
            if agency not in self._agency_slot:
                from directory.rules import did_you_mean

                raise NotFoundError("agency", agency, did_you_mean(agency, self._agency_ids))

    def _nearest(self, i: int, a: Assessment, q: Query) -> tuple[str, float] | None:
        """The nearest site of pathway slot ``i`` and its km (ties: smaller id), or None.

        Distances are :func:`~directory.places.haversine_km` from the person, computed with the
        same operations in the same order (radians and cosines computed once), so the same floats.
        """
        sites = self._sites[i]
        if not sites:
            return None
        cache = q.site_km
        get = cache.get
        rad = self._site_rad
        lat1, lon1, cos1 = q.point
        sin, asin, sqrt = math.sin, math.asin, math.sqrt
        best = -1
        km = _INF
        for t in sites:  # sites are in id order: ties keep the smaller id
            tk = get(t)
            if tk is None:
                lat2, lon2, cos2 = rad[t]
                h = sin((lat2 - lat1) / 2) ** 2 + cos1 * cos2 * sin((lon2 - lon1) / 2) ** 2
                tk = cache[t] = _TWO_R * asin(min(1.0, sqrt(h)))
            if best < 0 or tk < km:
                km, best = tk, t
        return self._site_ids[best], km

    def _reach(self, i: int, a: Assessment, q: Query, *, words: bool = False) -> Reach:
        """:func:`matching.reach.decide` for pathway slot ``i``, with reasons."""
        return decide(
            serves=a.district in self._served[i],
            listed=self._listed[i],
            delivery=self._delivery[i],
            nearest=self._nearest(i, a, q),
            centre_km=q.centre_km,
            travel_km=a.travel_km,
            accept_remote=a.accept_remote,
            remote_km=self.remote_km,
            area=served_words(self.directory, self._pw[i]) if words else "",
        )

    def _way(
        self, i: int, a: Assessment, q: Query, nearest: tuple[str, float] | None
    ) -> tuple[float, str, str | None] | None:
        """:func:`matching.reach.travel` for pathway slot ``i`` and ``a``, nearest site given
        (:func:`matching.reach.in_person`, the same rule with fewer arguments, for a pathway
        delivered only in person)."""
        if self._only_in_person[i]:
            return in_person(a.district in self._served[i], nearest, q.centre_km, a.travel_km)
        return travel(
            serves=a.district in self._served[i],
            listed=self._listed[i],
            delivery=self._delivery[i],
            nearest=nearest,
            centre_km=q.centre_km,
            travel_km=a.travel_km,
            accept_remote=a.accept_remote,
            remote_km=self.remote_km,
        )

    def _cells(self, lat: float, lon: float, km: float) -> Iterable[tuple[int, int]]:
        """Grid cells holding every point within ``km`` (great-circle) of (lat, lon)."""
        dlat = math.degrees(km / EARTH_RADIUS_KM) * 1.0001 + 1e-9
        top = min(90.0, abs(lat) + dlat)
        cos_top = math.cos(math.radians(top))
        arg = math.sin(km / (2 * EARTH_RADIUS_KM)) / cos_top if cos_top > 1e-12 else 2.0
        dlon = 180.0 if arg >= 1 else math.degrees(2 * math.asin(arg)) * 1.0001 + 1e-9
        y0, y1 = math.floor((lat - dlat) / _CELL_LAT), math.floor((lat + dlat) / _CELL_LAT)
        x0, x1 = math.floor((lon - dlon) / _CELL_LON), math.floor((lon + dlon) / _CELL_LON)
        if (y1 - y0 + 1) * (x1 - x0 + 1) > len(self._grid):
            return list(self._grid)
        grid = self._grid
        if dlon >= 90:
            return [(y, x) for y in range(y0, y1 + 1) for x in range(x0, x1 + 1) if (y, x) in grid]
        # A cell of the box is left out when every point of it is farther than km: for a point
        # of the cell, |its latitude - lat| and |its longitude - lon| are at least those of the
        # cell's nearest edges (0 inside its band), and the cosine of its latitude at least the
        # smaller at the cell's two edges, so the haversine of the angle to it is at least
        # hav(dlat) + cos(lat) * that cosine * hav(dlon) (every term increasing; the box spans
        # under 90 degrees of longitude). Kept when that bound is within km, with a margin.
        limit = math.sin(km / (2 * EARTH_RADIUS_KM)) ** 2 * (1 + 1e-9) + 1e-18
        cos_lat = math.cos(math.radians(lat))
        rows: list[tuple[int, float, float]] = []
        for y in range(y0, y1 + 1):
            south, north = y * _CELL_LAT, (y + 1) * _CELL_LAT
            gap = south - lat if lat < south else lat - north if lat > north else 0.0
            h_lat = math.sin(math.radians(gap) / 2) ** 2
            if h_lat <= limit:
                low = min(math.cos(math.radians(south)), math.cos(math.radians(north)))
                rows.append((y, h_lat, cos_lat * max(low, 0.0)))
        cols: list[tuple[int, float]] = []
        for x in range(x0, x1 + 1):
            west, east = x * _CELL_LON, (x + 1) * _CELL_LON
            gap = west - lon if lon < west else lon - east if lon > east else 0.0
            cols.append((x, math.sin(math.radians(gap) / 2) ** 2))
        return [
            (y, x)
            for y, h_lat, weight in rows
            for x, h_lon in cols
            if h_lat + weight * h_lon <= limit and (y, x) in grid
        ]

    def _near(self, a: Assessment, km: float, bits: Sequence[int]) -> set[int]:
        """Pathways (not serving everywhere) delivered in person at a site in a grid cell that
        may lie within ``km`` of the person, taking one of the needs ``bits``: a superset of
        those with a site within ``km``."""
        near: set[int] = set()
        for cell in self._cells(a.lat, a.lon, km):
            per_need = self._grid[cell]
            for b in bits:
                near.update(per_need.get(b, ()))
        return near

    def _availability(self, slots: Iterable[int], on: date) -> dict[int, Availability]:
        """Availability of pathway ``slots`` in their periods containing ``on`` (at least those
        slots: the compiled nominal places when ``on`` falls in the periods they were compiled
        for)."""
        if self._nominal is not None:
            periods = self._periods_of(on)
            if periods == self._nominal_periods:
                return self._nominal
            # the same places, other periods' names: each pathway's worked out once, when asked
            other = self._nominal_other.get(periods)
            if other is None:
                if len(self._nominal_other) >= 8:
                    self._nominal_other.clear()
                other = self._nominal_other[periods] = {}
            missing = sorted({i for i in slots if i not in other})
            if missing:
                found = self.availability.availability([self._pw[i] for i in missing], on)
                other.update((i, found[self._pw[i].id]) for i in missing)
            return other
        wanted = sorted(set(slots))
        found = self.availability.availability([self._pw[i] for i in wanted], on)
        return {i: found[self._pw[i].id] for i in wanted}

    def _periods_of(self, on: date) -> tuple[str, ...]:
        """The keys of the week, month and quarter containing ``on`` (remembered by day)."""
        hit = self._periods.get(on)
        if hit is None:
            if len(self._periods) >= 64:
                self._periods.clear()
            hit = self._periods[on] = tuple(period_of(on, per).key for per in PERS)
        return hit

    def _prelude(self, a: Assessment, on: date) -> Query:
        """The needs to refer (assessed, not already met) and the engaged agencies."""
        met = a.met
        universe = 0
        urgent = a.urgent
        for need in a.needs:
            if need in met:
                continue
            if need in urgent and need in self._ubit:
                universe |= self._ubit[need]
            else:
                universe |= self._bit[need]
        free = frozenset(self._agency_slot[x] for x in a.engaged)
        centre_km = haversine_km((a.lat, a.lon), self._centre[a.district])
        lat1 = math.radians(a.lat)
        point = (lat1, math.radians(a.lon), math.cos(lat1))
        return Query(universe, free, [], {}, centre_km, {}, on, point)

    def _gather(self, a: Assessment, on: date, *, arrays: bool = True) -> Query:
        """Every candidate of ``a``; those free of travel without a computed way.

        With nominal places, for a person who does not accept phone or online support (every
        candidate travels or comes by outreach) among many pathways, :meth:`_rows` gives the
        same candidates from arrays; ``arrays=False`` asks for the loop, the reference it is
        tested against.
        """
        self._check(a)
        q = self._prelude(a, on)
        if not q.universe:
            return q
        seen = self._seen(a, q.universe)
        arr = self._arrays
        if arrays and arr is not None and not a.accept_remote and len(seen) >= self._arrays_from:
            rows = self._rows(a, q, arr, np.array(sorted(seen), dtype=np.int64))
            q.raws = self._drafts(rows, np.arange(len(rows.slot)))
            return q
        return self._loop(a, q, seen)

    def _seen(self, a: Assessment, universe: int) -> set[int]:
        """Pathways serving the district (locally or everywhere) or with a site that may be
        within the travel limit (:meth:`_near`), taking some need of ``universe``."""
        bits = [b for b in self._bit.values() if universe & b]
        seen: set[int] = set()
        local = self._local[a.district]
        for b in bits:
            seen.update(local.get(b, ()))
            seen.update(self._ev.get(b, ()))
        seen |= self._near(a, a.travel_km, bits)
        return seen

    def _loop(self, a: Assessment, q: Query, seen: set[int]) -> Query:
        """:meth:`_gather`'s candidates of ``a`` among ``seen``, one pathway at a time."""
        on = q.day
        universe = q.universe
        ok = self._profile_ok(a)
        prof = self._prof
        # 2. eligible and in reach: free of travel, or the cheapest way (matching.reach.travel)
        free_s = self._free[True, a.accept_remote]
        free_n = self._free[False, a.accept_remote]
        served = self._served
        district = a.district
        found: list[tuple[int, tuple[float, str, str | None] | None]] = []
        remote_only = not a.accept_remote
        local_modes = self._local_modes
        for i in seen:
            if not ok[prof[i]] or (remote_only and not local_modes[i]):
                continue
            serves = district in served[i]
            if (free_s if serves else free_n)[i]:
                found.append((i, None))
                continue
            way = self._way(i, a, q, self._nearest(i, a, q))
            if way is not None:
                found.append((i, way))
        # 3. places (nominal places are the same whatever the day)
        avail = self._nominal or self._availability([i for i, _ in found], on)
        q.avail = avail
        mask, agency = self._mask, self._agency
        waitlist = a.accept_waitlist
        raws: list[Draft] = []
        for i, way in found:
            av = avail[i]
            if not av.has_place and not (waitlist and av.waitlist_possible):
                continue
            dist = 0 if way is None else round(way[0] * 1000)
            raws.append(
                Draft(i, mask[i] & universe, agency[i], dist, av.left or 0, not av.has_place, way)
            )
        # 4. a waitlisted candidate takes only needs no candidate with a place can take
        q.raws = _waitlist_rule(raws)
        return q

    def _travelling(self, a: Assessment, on: date) -> tuple[Query, list[Draft], dict[int, Draft]]:
        """:meth:`_gather` then :meth:`_reduce` for nominal places and a person who does not
        accept phone or online support: :meth:`_group`'s rule applied to the arrays of
        :meth:`_rows`, agencies that cannot matter dropped first
        (:func:`matching.grouping.reduce_rows`; ``_prune_travelling`` False keeps them, and
        then the candidates are :meth:`_reduce`'s), and drafts made only for the candidates
        kept and the runners-up."""
        self._check(a)
        q = self._prelude(a, on)
        if not q.universe:
            return q, [], {}
        arr, lists = self._arrays, self._lists
        if lists is not None:  # the same pathways as _seen, as a sorted array
            needs = [b.bit_length() - 1 for b in self._bit.values() if q.universe & b]
            cand = self._looked_at(lists, a, needs, a.travel_km)
        else:
            cand = np.array(sorted(self._seen(a, q.universe)), dtype=np.int64)
        if arr is None or len(cand) < self._arrays_from:
            self._loop(a, q, set(cand.tolist()))
            return q, *self._reduce(q)
        rows = self._rows(a, q, arr, cand)
        engaged = np.array(sorted(q.free), dtype=np.int64)
        kept, runner_up = self._solver_input(rows, engaged, prune=self._prune_travelling)
        q.raws = kept
        return q, kept, runner_up

    def _solver_input(
        self,
        rows: _Rows,
        engaged: npt.NDArray[np.int64],
        *,
        prune: bool,
        ways: dict[int, tuple[float, str, str | None]] | None = None,
    ) -> tuple[list[Draft], dict[int, Draft]]:
        """The drafts the solver gets from candidate ``rows`` (in slot order), and the
        runner-up of each group: agencies that cannot matter dropped (when ``prune``),
        candidates alone in their agency grouped (:func:`matching.grouping.reduce_rows`)."""
        kept, winners, runners = reduce_rows(
            slot=rows.slot,
            mask=rows.mask,
            agency=rows.agency,
            distance=rows.distance,
            spare=rows.spare,
            waitlisted=rows.waitlisted,
            engaged=engaged,
            prune=prune,
        )
        drafts = self._drafts(rows, kept[np.argsort(rows.slot[kept])], ways)
        runner_up = self._drafts(rows, runners, ways)
        return drafts, dict(zip(rows.slot[winners].tolist(), runner_up, strict=True))

    def _rows(self, a: Assessment, q: Query, arr: _InPerson, cand: npt.NDArray[np.int64]) -> _Rows:
        """The candidates of ``a`` (nominal places, remote delivery not accepted) as arrays in
        slot order, the waitlist rule applied (see :func:`_waitlist_rule`).

        Remote delivery not accepted, :func:`matching.reach.travel` is
        :func:`matching.reach.in_person` for every pathway not free of travel (outreach comes
        only where a pathway serves the district, and then costs nothing): a site serving the
        district or within the travel limit, or a venue at the district centre's distance. Site
        distances are computed once per distinct site with :meth:`_nearest`'s arithmetic (the
        same floats); ties between a pathway's sites keep the smaller id, as there.
        """
        assert self._nominal is not None
        q.avail = self._nominal
        universe = q.universe
        district = a.district
        oks = np.array(self._profile_ok(a), dtype=bool)
        cand = cand[oks[arr.prof[cand]] & arr.local_modes[cand]]
        # places: a place, or a waitlist the person accepts
        placed = arr.places[cand] >= 0
        keep = placed | arr.waitlist[cand] if a.accept_waitlist else placed
        cand, placed = cand[keep], placed[keep]
        serves = _serves(arr, district, cand)
        free = np.where(serves, arr.free_serving[cand], arr.free_other[cand])
        # the way of those that travel: in person
        moving = np.flatnonzero(~free)
        km = np.zeros(len(cand), dtype=np.float64)
        site = np.full(len(cand), -2, dtype=np.int64)  # -2: free of travel; -1: no site
        km[moving], site[moving], walks = self._walks(a, q, arr, cand[moving], serves[moving])
        reached = free.copy()
        reached[moving] = walks
        cand, placed, km, site = cand[reached], placed[reached], km[reached], site[reached]
        mask = arr.mask[cand] & universe
        waitlisted = ~placed
        mask, left = _waitlist_rule_arrays(mask, waitlisted)
        if left is not None:
            cand, mask, km, site, waitlisted = (
                cand[left],
                mask[left],
                km[left],
                site[left],
                waitlisted[left],
            )
        return _Rows(
            slot=cand,
            mask=mask,
            agency=arr.agency[cand],
            distance=np.rint(km * 1000.0).astype(np.int64),
            spare=arr.spare[cand],
            waitlisted=waitlisted,
            km=km,
            site=site,
        )

    def _walks(
        self,
        a: Assessment,
        q: Query,
        arr: _InPerson,
        slots: npt.NDArray[np.int64],
        serves: npt.NDArray[np.bool_],
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """:func:`matching.reach.in_person` for pathway ``slots`` (``serves``: each serves the
        person's district): the km, the nearest site's slot (-1: none) and whether it reaches
        the person. The nearest site as :meth:`_nearest` finds it (the same floats, ties to
        the smaller id)."""
        km, site = self._nearest_many(q, arr, slots)
        with_sites = site >= 0
        km[~with_sites] = q.centre_km
        return km, site, serves | (with_sites & (km <= a.travel_km))

    def _nearest_many(
        self, q: Query, arr: _InPerson, slots: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """:meth:`_nearest` for many pathway ``slots``: the km (inf without sites) and slot
        (-1: none) of each one's nearest site, the same floats, ties to the smaller id
        (:func:`matching.kernels.nearest_km`)."""
        return nearest_km(
            q.point, arr.site_lat, arr.site_lon, arr.site_cos, arr.site_start, arr.site_flat, slots
        )

    def _misses_many(
        self, a: Assessment, q: Query, slots: npt.NDArray[np.int64]
    ) -> tuple[int, bool, npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """The facts of :meth:`matching.match.Matcher._facts_of` for many pathway ``slots``
        (nominal places): the stage reached (0 none in reach, 1 some, 2 some eligible),
        whether an eligible one in reach is full with a waitlist refused, and the sort
        distances and slots of those that fail the person.

        In reach is :func:`matching.reach.travel` finding a way: in person (a site serving
        the district or within the travel limit, or a venue where it serves), outreach where
        it serves, or phone or online when the person accepts them and it serves the district
        or lists none.
        """
        arr = self._arrays
        assert arr is not None
        km, site = self._nearest_many(q, arr, slots)
        with_sites = site >= 0
        serves = _serves(arr, a.district, slots)
        in_person = arr.in_person[slots] & np.where(
            with_sites, serves | (km <= a.travel_km), serves
        )
        reached = in_person | (serves & arr.outreach[slots])
        if a.accept_remote:
            reached |= (serves | ~arr.listed[slots]) & arr.remote[slots]
        fits = np.array(self._profile_ok(a), dtype=bool)[arr.prof[slots]]
        placed = arr.places[slots] >= 0
        full = ~placed & ~arr.waitlist[slots] if a.accept_waitlist else ~placed
        waits = ~placed & arr.waitlist[slots] & (not a.accept_waitlist)
        stage = 0 if not reached.any() else 2 if (reached & fits).any() else 1
        refused = bool((reached & fits & waits).any())
        # sort distance: the nearest site, else 0 where it serves or lists no district, else
        # the nearest centre of a district it serves
        order = np.where(with_sites, km, 0.0)
        for j in np.flatnonzero(~with_sites & ~serves & arr.listed[slots]).tolist():
            point, centres = (a.lat, a.lon), self._centre
            order[j] = min(
                (
                    haversine_km(point, centres[x])
                    for x in self._served[int(slots[j])]
                    if x in centres
                ),
                default=_INF,
            )
        failed = ~reached | ~fits | full
        return stage, refused, order[failed], slots[failed]

    def _drafts(
        self,
        rows: _Rows,
        at: npt.NDArray[np.int64],
        ways: dict[int, tuple[float, str, str | None]] | None = None,
    ) -> list[Draft]:
        """Drafts of rows ``at`` (in the order given); a row whose site is -3 has its way in
        ``ways`` (by slot)."""
        site_ids = self._site_ids
        return [
            Draft(
                i,
                m,
                ag,
                d_m,
                sp,
                wl,
                None
                if st == -2
                else ways[i]
                if st == -3 and ways is not None
                else (km, "in_person", None if st < 0 else site_ids[st]),
            )
            for i, m, ag, d_m, sp, wl, km, st in zip(
                rows.slot[at].tolist(),
                rows.mask[at].tolist(),
                rows.agency[at].tolist(),
                rows.distance[at].tolist(),
                rows.spare[at].tolist(),
                rows.waitlisted[at].tolist(),
                rows.km[at].tolist(),
                rows.site[at].tolist(),
                strict=True,
            )
        ]

    def _quick(self, a: Assessment, on: date) -> tuple[Query, list[Draft], dict[int, Draft]]:
        """The solver's candidates of ``a`` without computing what cannot matter.

        For nominal places, remote delivery accepted at no travel, and needs that fit in 62
        bits (the lists compiled: :meth:`_compile_lists`). Gives the optimum that
        :meth:`_gather` then :meth:`_reduce` give, and the same reasons, faster at national
        size:

        * the candidates come from compiled lists (:func:`matching.gather.gather`): per need,
          those serving the district, then those with a site in a grid cell within reach, then
          the remote pathways serving everywhere of the agencies found and of the engaged ones
          (and of agencies with several), without computing a reach; only the ways of those
          that may travel are computed (from arrays: :meth:`_walks`), and of the waitlisted;
        * remote pathways serving everywhere of the other agencies are each alone in their
          agency, and cost no travel: per set of needs taken, the best two (most places, then
          smallest id) are as good as all of them (:meth:`_group` keeps the best and its
          runner-up). Their per-need lists are sorted by places left, then id, so a list is
          read only until every set of needs its remaining entries could take has its two
          (suffix unions of needs tell);
        * the waitlist rule, then :func:`matching.grouping.reduce_rows`: agencies that cannot
          matter dropped, candidates alone in their agency grouped.

        A person with fewer than ``_quick_from`` pathways to look at (a small directory) takes
        the loop of :meth:`_gather` then :meth:`_reduce`: there the arrays' fixed costs
        outweigh the work (docs/performance.md).
        """
        self._check(a)
        q = self._prelude(a, on)
        universe = q.universe
        if not universe:
            return q, [], {}
        nominal, lists, arr = self._nominal, self._lists, self._arrays
        assert nominal is not None
        assert lists is not None
        assert arr is not None
        bits = [b for b in self._bit.values() if universe & b]
        district = a.district
        needs = [b.bit_length() - 1 for b in bits]
        cells = self._cell_keys(a, a.travel_km)
        where = self._district_index[district]
        if self._quick_from:  # few pathways to look at: the loop costs less than the arrays
            seen = pool(lists, district=where, needs=needs, cells=cells)
            if len(seen) < self._quick_from:
                self._loop(a, q, set(seen.tolist()))
                return q, *self._reduce(q)
        q.avail = nominal
        ok = self._profile_ok(a)
        free = q.free
        engaged = np.array(sorted(free), dtype=np.int64)
        g = gather(
            lists,
            district=where,
            needs=needs,
            cells=cells,
            skip=arr.serving[district],  # those serving the district come in the lists
            free=engaged,
            ok=ok,
            universe=universe,
            waitlist=a.accept_waitlist,
        )
        # the remote pathways serving everywhere of the other agencies: the best two per set
        # of needs taken
        special = set(g.agencies.tolist()) | free
        top: dict[int, list[tuple[int, int, int, int]]] = {}
        for b in bits:
            entries = self._evq_one.get(b, ())
            suffix = self._evq_suffix.get(b, ())
            for j, (i, m, pr, ag, spare) in enumerate(entries):
                m &= universe
                if m & -m != b or not ok[pr] or ag in special:
                    continue
                pair = top.get(m)
                if pair is None:
                    top[m] = [(i, m, ag, spare)]
                    continue
                if len(pair) >= 2:
                    continue
                pair.append((i, m, ag, spare))
                # full: stop when every set of needs the rest could take is full
                rest = suffix[j + 1] & universe & ~((b << 1) - 1)
                sub = rest
                while True:
                    held = top.get(b | sub)
                    if held is None or len(held) < 2 or not sub:
                        break
                    sub = (sub - 1) & rest
                if held is not None and len(held) >= 2 and not sub:
                    break
        best_two = np.array([e for pair in top.values() for e in pair], dtype=np.int64)
        zero = np.concatenate((g.zero, best_two.reshape(-1, 4)))
        # the ways of those that may travel: in person (outreach and remote would cost nothing)
        far = g.far
        if len(far):
            kms, sites, walks = self._walks(a, q, arr, far[:, 0], _serves(arr, district, far[:, 0]))
            far, kms, sites = far[walks], kms[walks], sites[walks]
        else:
            kms, sites = np.zeros(0), np.zeros(0, dtype=np.int64)
        # and of the waitlisted, one by one (few)
        waiting = g.waiting
        ways: dict[int, tuple[float, str, str | None]] = {}
        if len(waiting):
            for i in waiting[:, 0].tolist():
                way = self._way(i, a, q, self._nearest(i, a, q))
                if way is not None:
                    ways[i] = way
            waiting = waiting[np.isin(waiting[:, 0], list(ways))]
        n_zero, n_far, n_wait = len(zero), len(far), len(waiting)
        rows = np.concatenate((zero, far, waiting))
        wait_km = [ways[i][0] for i in waiting[:, 0].tolist()]
        km = np.concatenate((np.zeros(n_zero), kms, np.array(wait_km, dtype=np.float64)))
        # the way: -2 free of travel, -3 waitlisted (in ways), else the nearest site (-1 none)
        site = np.concatenate(
            (np.full(n_zero, -2, dtype=np.int64), sites, np.full(n_wait, -3, dtype=np.int64))
        )
        distance = np.rint(km * 1000.0).astype(np.int64)
        waitlisted = np.zeros(len(rows), dtype=bool)
        waitlisted[n_zero + n_far :] = True
        mask, left = _waitlist_rule_arrays(rows[:, 1].copy(), waitlisted)
        if left is not None:
            rows, mask, km, site = rows[left], mask[left], km[left], site[left]
            distance, waitlisted = distance[left], waitlisted[left]
        found = _Rows(
            rows[:, 0].copy(), mask, rows[:, 2].copy(), distance, rows[:, 3].copy(), waitlisted,
            km, site,
        )  # fmt: skip
        kept, runner_up = self._solver_input(found, engaged, prune=True, ways=ways)
        q.raws = kept
        return q, kept, runner_up

    def candidates(self, a: Assessment, *, on: date | None = None) -> tuple[Candidate, ...]:
        """Every candidate pathway of ``a``, in id order (see the module notes).

        Raises :class:`~directory.errors.NotFoundError` for a district, need or engaged agency
        the directory does not hold.
        """
        q = self._gather(a, on or date.today())
        out = []
        for raw in q.raws:
            way = raw.way or self._way(raw.slot, a, q, self._nearest(raw.slot, a, q))
            assert way is not None
            out.append(
                Candidate(
                    pathway=self._pw[raw.slot].id,
                    rank=raw.slot,
                    agency=self._agency_ids[raw.agency],
                    mask=raw.mask,
                    delivery=way[1],
                    site=way[2],
                    distance_m=raw.distance,
                    spare=raw.spare,
                    waitlisted=raw.waitlisted,
                )
            )
        return tuple(out)

    # ----------------------------------------------------------------------------- solver input
    def _reduce(self, q: Query) -> tuple[list[Draft], dict[int, Draft]]:
        """The candidates passed to the solver, and the runner-up of each pruned group."""
        counts: dict[int, int] = {}
        for raw in q.raws:
            counts[raw.agency] = counts.get(raw.agency, 0) + 1
        return self._group(q.raws, q.free, counts)

    @staticmethod
    def _group(
        raws: list[Draft], free: frozenset[int], counts: dict[int, int]
    ) -> tuple[list[Draft], dict[int, Draft]]:
        """Keep the best of each group of candidates alone in their agency, by needs taken.

        Candidates with a place whose agency has no other candidate (``counts``, possibly an
        overcount) and is not engaged are grouped by the needs they take; only the best of a
        group (nearest, then most spare, then smallest id) is kept: it dominates the others in
        the sense of :mod:`matching.cover` (rules (a)-(d) with equal masks), so the optimum is
        unchanged. The runner-up of each group is kept aside for the reasons (the best plan
        without the winner).
        """
        best: dict[int, list[tuple[tuple[int, int, int], Draft]]] = {}  # the best two, in order
        kept: list[Draft] = []
        for raw in raws:
            if raw.waitlisted or counts[raw.agency] != 1 or raw.agency in free:
                kept.append(raw)
                continue
            entry = ((raw.distance, -raw.spare, raw.slot), raw)
            group = best.get(raw.mask)
            if group is None:
                best[raw.mask] = [entry]
            elif entry[0] < group[0][0]:  # a tie keeps the earlier first, as a stable sort
                group.insert(0, entry)
                del group[2:]
            elif len(group) == 1:
                group.append(entry)
            elif entry[0] < group[1][0]:
                group[1] = entry
        runner_up: dict[int, Draft] = {}
        for group in best.values():
            kept.append(group[0][1])
            if len(group) > 1:
                runner_up[group[0][1].slot] = group[1][1]
        kept.sort(key=lambda r: r.slot)
        return kept, runner_up


def _waitlist_rule(raws: list[Draft]) -> list[Draft]:
    """Candidates in slot order; a waitlisted one keeps only the needs no candidate with a place
    can take, and is dropped when none is left (it is used only where nothing else can be)."""
    placed = 0
    for raw in raws:
        if not raw.waitlisted:
            placed |= raw.mask
    kept: list[Draft] = []
    for raw in raws:
        if raw.waitlisted:
            raw.mask &= ~placed
            if not raw.mask:
                continue
        kept.append(raw)
    kept.sort(key=lambda r: r.slot)
    return kept


def _waitlist_rule_arrays(
    mask: npt.NDArray[np.int64], waitlisted: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_] | None]:
    """:func:`_waitlist_rule` on arrays: the masks (changed in place), and which rows keep a
    need (None when all do)."""
    if not waitlisted.any():
        return mask, None
    mask[waitlisted] &= ~int(np.bitwise_or.reduce(mask[~waitlisted], initial=0))
    left = mask != 0
    return mask, None if left.all() else left


@dataclass(frozen=True, slots=True)
class _InPerson:
    """A compiled directory as arrays indexed by pathway slot, for
    :meth:`CandidateFinder._in_person` (nominal places only)."""

    prof: npt.NDArray[np.int64]
    local_modes: npt.NDArray[np.bool_]
    serves_all: npt.NDArray[np.bool_]  # serves every district (not: remote, none listed)
    free_serving: npt.NDArray[np.bool_]  # free of travel where it serves, remote not accepted
    free_other: npt.NDArray[np.bool_]
    places: npt.NDArray[np.int64]  # places left when there is a place, else -1
    spare: npt.NDArray[np.int64]  # places left, or 0 (as Draft.spare)
    waitlist: npt.NDArray[np.bool_]  # no place, a waitlist possible
    site_start: npt.NDArray[np.int64]  # pathway i's sites: site_flat[site_start[i]:site_start[i+1]]
    site_flat: npt.NDArray[np.int64]  # site slots, in id order within each pathway
    site_lat: npt.NDArray[np.float64]  # by site slot: radians, as CandidateFinder._site_rad
    site_lon: npt.NDArray[np.float64]
    site_cos: npt.NDArray[np.float64]  # cosine of the latitude
    mask: npt.NDArray[np.int64]  # needs taken (the taxonomy holds at most 62 needs)
    in_person: npt.NDArray[np.bool_]  # delivered in person
    outreach: npt.NDArray[np.bool_]
    remote: npt.NDArray[np.bool_]  # by phone or online
    listed: npt.NDArray[np.bool_]  # lists districts (or all)
    by_need: dict[int, npt.NDArray[np.int64]]  # need bit -> slots of the pathways taking it
    agency: npt.NDArray[np.int64]
    serving: dict[str, npt.NDArray[np.int64]]  # per district, sorted slots serving it locally

    @staticmethod
    def compile(f: CandidateFinder) -> _InPerson:
        """The arrays of finder ``f`` (its nominal places compiled)."""
        assert f._nominal is not None
        nominal = [f._nominal[i] for i in range(len(f._pw))]
        counts = [len(s) for s in f._sites]
        return _InPerson(
            prof=np.array(f._prof, dtype=np.int64),
            local_modes=np.array(f._local_modes, dtype=bool),
            serves_all=np.array([s >= frozenset(f._centre) for s in f._served], dtype=bool),
            free_serving=np.array(f._free[True, False], dtype=bool),
            free_other=np.array(f._free[False, False], dtype=bool),
            places=np.array(f._places, dtype=np.int64),
            spare=np.array([av.left or 0 for av in nominal], dtype=np.int64),
            waitlist=np.array(
                [not av.has_place and av.waitlist_possible for av in nominal], dtype=bool
            ),
            site_start=np.concatenate(([0], np.cumsum(counts, dtype=np.int64))).astype(np.int64),
            site_flat=np.array([t for s in f._sites for t in s], dtype=np.int64),
            site_lat=np.array([r[0] for r in f._site_rad], dtype=np.float64),
            site_lon=np.array([r[1] for r in f._site_rad], dtype=np.float64),
            site_cos=np.array([r[2] for r in f._site_rad], dtype=np.float64),
            mask=np.array(f._mask, dtype=np.int64),
            in_person=np.array(["in_person" in x for x in f._delivery], dtype=bool),
            outreach=np.array(["outreach" in x for x in f._delivery], dtype=bool),
            remote=np.array(
                [{"phone", "online"} & set(x) != set() for x in f._delivery], dtype=bool
            ),
            listed=np.array(f._listed, dtype=bool),
            by_need={b: np.array(v, dtype=np.int64) for b, v in f._by_need.items()},
            agency=np.array(f._agency, dtype=np.int64),
            serving={x: np.array(sorted(v), dtype=np.int64) for x, v in f._local_all.items()},
        )


def _serves(arr: _InPerson, district: str, slots: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Whether each pathway of ``slots`` serves ``district`` (every district, or in its list)."""
    serves = arr.serves_all[slots]
    mine = arr.serving[district]
    if len(mine):
        at = np.minimum(np.searchsorted(mine, slots), len(mine) - 1)
        serves = serves | (mine[at] == slots)
    return serves


@dataclass(frozen=True, slots=True)
class _Rows:
    """Candidates as arrays, one row each (see :meth:`CandidateFinder._rows`)."""

    slot: npt.NDArray[np.int64]
    mask: npt.NDArray[np.int64]
    agency: npt.NDArray[np.int64]
    distance: npt.NDArray[np.int64]  # metres, as Draft.distance
    spare: npt.NDArray[np.int64]
    waitlisted: npt.NDArray[np.bool_]
    km: npt.NDArray[np.float64]  # the way's km (0 when free of travel)
    # the nearest site's slot; -1 none; -2 free of travel; -3 a way worked out one by one
    site: npt.NDArray[np.int64]
