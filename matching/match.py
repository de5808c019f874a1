"""Assessment -> candidates -> exact cover -> plan with reasons.

A :class:`Matcher` holds one compiled index of a directory snapshot
(:class:`matching.index.Index`) and where places come from, and answers assessments; it never
changes the directory. :func:`match` is the one-call form.

>>> from directory.loading import load
>>> from matching.assessment import assess
>>> d = load()
>>> matcher = Matcher(d)
>>> plan = matcher.match(assess(d, needs="housing, drink, debt", where="Wisbech", age=34,
...                             disposal="conditional caution"))
>>> plan.objective.needs_met, plan.objective.needs_unmet
(3, 0)
>>> sorted({r.agency for r in plan.referrals}) == [a.id for a in plan.agencies]
True

The pipeline
------------
:meth:`Matcher.match` runs six steps, each a small function over arrays:

1. **eligible**, 2. **in reach**, 3. **has a place** (and the waitlist rule):
   :func:`matching.candidates.find`, over the pathways the index gives for the person, each
   candidate with its fit points (:mod:`matching.fit`);
4. **grouped**: :func:`matching.grouping.reduce_rows` drops agencies that cannot matter and
   keeps the best of each group of candidates alone in their agency;
5. **solved**: :func:`matching.cover.best_cover`, exact;
6. **explained**: the plan, with reasons (below) and near misses for unmet needs, and for a
   conditional disposal the conditions to agree (:mod:`matching.conditional`).

The objective and the assignment
--------------------------------
Among all sets of candidates, :func:`matching.cover.best_cover` chooses exactly the one that
(1) meets the most needs, (2) uses the fewest distinct agencies, agencies already working with
the person counting as free (and, for an under-18, the youth justice service of their district,
which is always in the plan), (3) earns the most fit points (:mod:`matching.fit`: specialism,
L4 provision for an urgent need, women's provision for a woman, youth provision for a child),
(4) uses the fewest pathways, (5) travels least in total (metres: the distance to the nearest
site when the person travels, 0 remote or by outreach; see :mod:`matching.reach`), (6) leaves
the most places spare (places left; not recorded counts 0), (7) has the smallest pathway ids.
Each need met is then referred to one chosen pathway that takes it: the best fit first, then an
engaged (or free) agency's, then the nearest, then the smallest id.

Reasons
-------
Each referral says how the pathway is delivered and why it was chosen: the matcher solves again
without that pathway and names the first objective level that gets worse ("without it the plan
needs 3 agencies instead of 2", "the most appropriate provision (fit)"). Each unmet need has a
reason code (``none-provided``, ``not-in-reach``, ``not-eligible``, ``full``) and up to three
near misses, nearest first. This module decides; :mod:`matching.explain` words the decisions.

Threads and processes
---------------------
The index is frozen. A matcher keeps one memo: which eligibility profiles a person passes, by
the facts that decide it (:meth:`matching.index.Index.facts_key`), at most 4,096 entries,
emptied when full. Each read and write is a single dict operation and an entry is the same
whichever thread computes it, so one matcher may be shared between threads (CPython); the
places of a :class:`~matching.capacity.Ledger` are read at each match. For batches, a process
per core each with its own matcher (or one index passed as ``index=``) scales best.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from directory.errors import AssessmentError, NotFoundError
from directory.places import haversine_km
from matching.candidates import MODES, Candidate, Draft, Places, Rows, find, ways
from matching.capacity import NominalCapacity
from matching.conditional import conditions_of
from matching.cover import Cover, best_cover, cover_key
from matching.eligibility import check
from matching.explain import full_reason, referral_reason, summary, unmet_explanation
from matching.fit import grade, position
from matching.grouping import reduce_rows
from matching.index import Index, build_index
from matching.plan import (
    HIDDEN_SITE,
    AlreadyMet,
    NearMiss,
    Objective,
    Plan,
    PlanAgency,
    Recorded,
    Referral,
    Unmet,
)
from matching.reach import Reach, decide, served_words

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

    from directory.models import Directory
    from matching.assessment import Assessment, Assessor
    from matching.capacity import AvailabilitySource
    from matching.plan import Failed

__all__ = ["NEAR_MISS_KM", "Candidate", "Matcher", "match"]

NEAR_MISS_KM = 50.0
"""Near misses are looked for among pathways serving the person's district, serving everywhere,
or with a site within the travel limit plus this many km."""

_MEMO = 4096  # eligibility answers remembered per matcher

Solver = Callable[..., Cover]
"""A cover search with the parameters of :func:`matching.cover.best_cover`."""


@dataclass(frozen=True, slots=True)
class _Person:
    """What one match works on: the needs to refer (a mask), the agencies that cost nothing
    (engaged, and an under-18's youth justice service) and those engaged, the profiles the
    person passes, the distance to the district's centre, the day."""

    universe: int
    free: frozenset[int]
    engaged: frozenset[int]
    ok: npt.NDArray[np.bool_]
    centre_km: float
    day: date


class Matcher:
    """The exact matcher over one directory snapshot; see the module notes.

    Parameters
    ----------
    directory : Directory
        The snapshot to match against (never modified).
    availability : AvailabilitySource, optional
        Where places come from: :class:`~matching.capacity.NominalCapacity` (the default: what
        the directory says) or a :class:`~matching.capacity.Ledger` (places booked so far).
    remote_km : float
        Travel counted for phone or online delivery (default 0).
    index : Index, optional
        The directory compiled already (:func:`matching.index.build_index`), to share.
    solver : callable, optional
        The cover search (default :func:`matching.cover.best_cover`, exact); benchmarks pass
        :func:`matching.cover.greedy_cover` to measure the peer.
    """

    def __init__(
        self,
        directory: Directory,
        *,
        availability: AvailabilitySource | None = None,
        remote_km: float = 0.0,
        index: Index | None = None,
        solver: Solver = best_cover,
    ) -> None:
        if not (math.isfinite(remote_km) and remote_km >= 0):
            raise AssessmentError(f"remote_km must be 0 or more, not {remote_km}")
        if index is not None and index.directory is not directory:
            raise AssessmentError("the index was built from another directory")
        self.directory = directory
        self.index = index if index is not None else build_index(directory)
        self.availability: AvailabilitySource = availability or NominalCapacity()
        self.remote_km = float(remote_km)
        self.solver = solver
        self.static = isinstance(self.availability, NominalCapacity)
        self._assessor: Assessor | None = None
        self._eligible: dict[tuple[Any, ...], npt.NDArray[np.bool_]] = {}
        # nominal places are the same whatever the day (only the period's name changes)
        self._nominal: Places | None = None
        if self.static:
            self._nominal = self._read_places(range(len(self.index.pathways)), date.today())

    # ----------------------------------------------------------------------------- look-ups
    @property
    def assessor(self) -> Assessor:
        """An :class:`~matching.assessment.Assessor` for this directory (built when first
        asked for)."""
        if self._assessor is None:
            from matching.assessment import Assessor

            self._assessor = Assessor(self.directory)
        return self._assessor

    def need_bit(self, need: str) -> int:
        """The bit of a need id in candidate masks (its position in the taxonomy)."""
        try:
            return self.index.bit[need]
        except KeyError:
            from directory.rules import did_you_mean

            raise NotFoundError("need", need, did_you_mean(need, self.index.need_ids)) from None

    def needs_of(self, mask: int) -> tuple[str, ...]:
        """The need ids of a mask, in taxonomy order."""
        return self.index.needs_of(mask)

    def facts_key(self, a: Assessment) -> tuple[Any, ...]:
        """The eligibility facts of ``a`` as far as this directory's rules can tell them apart
        (:meth:`matching.index.Index.facts_key`)."""
        return self.index.facts_key(a)

    def memo_key(self, a: Assessment) -> tuple[Any, ...] | None:
        """The facts that decide the plan of ``a`` (all but its reference), or None when plans
        cannot be reused (places come from a ledger, so every answer can change).

        The eligibility facts count through :meth:`facts_key`; the person's point, needs,
        engaged agencies, travel limit and flags count as they are.
        """
        if not self.static:
            return None
        return (
            a.district,
            a.lat,
            a.lon,
            a.needs,
            a.urgent,
            self.facts_key(a),
            tuple((k, v) for k, v in a.engaged.items()),
            a.travel_km,
            a.accept_remote,
            a.accept_waitlist,
        )

    # ----------------------------------------------------------------------------- the steps
    def match(self, a: Assessment, *, on: date | None = None) -> Plan:
        """The best plan for ``a``: exact, explained, deterministic.

        ``on`` is the day whose capacity period counts (default today). Raises
        :class:`~directory.errors.NotFoundError` for a district, need or engaged agency the
        directory does not hold.
        """
        person = self._person(a, on or date.today())
        rows = self._find(a, person)  # eligible, in reach, has a place
        kept, runner_up = self._grouped(rows, person)  # grouped
        cover = self.solver(
            person.universe, kept, free_agencies=person.free, fit=_fit(kept)
        )  # solved
        return self._plan(a, person, rows, kept, runner_up, cover)  # explained

    def candidates(self, a: Assessment, *, on: date | None = None) -> tuple[Candidate, ...]:
        """Every candidate pathway of ``a``, in id order (:mod:`matching.candidates`).

        Raises :class:`~directory.errors.NotFoundError` for a district, need or engaged agency
        the directory does not hold.
        """
        ix = self.index
        rows = self._find(a, self._person(a, on or date.today()))
        return tuple(
            Candidate(
                pathway=ix.pathways[i].id,
                rank=i,
                agency=ix.agency_ids[ag],
                mask=m,
                delivery=MODES[mode],
                site=None if site < 0 else ix.site_ids[site],
                distance_m=dist,
                spare=spare,
                waitlisted=wl,
            )
            for i, m, ag, mode, site, dist, spare, wl in zip(
                rows.slot.tolist(),
                rows.mask.tolist(),
                rows.agency.tolist(),
                rows.mode.tolist(),
                rows.site.tolist(),
                rows.distance.tolist(),
                rows.spare.tolist(),
                rows.waitlisted.tolist(),
                strict=True,
            )
        )

    def _person(self, a: Assessment, day: date) -> _Person:
        """Checks ``a`` against the directory; the needs to refer and the engaged agencies."""
        ix = self.index
        if a.district not in ix.centre:
            from directory.rules import did_you_mean

            raise NotFoundError("district", a.district, did_you_mean(a.district, ix.centre))
        for need in a.needs:
            self.need_bit(need)
        for agency in a.engaged:
            if agency not in ix.agency_slot:
                from directory.rules import did_you_mean

                raise NotFoundError("agency", agency, did_you_mean(agency, ix.agency_ids))
        met = a.met
        universe = 0
        for need in a.needs:
            if need in met:
                continue
            if need in a.urgent and need in ix.urgent_bit:  # met by L3 or L4 provision
                universe |= ix.urgent_bit[need]
            else:
                universe |= ix.bit[need]
        engaged = frozenset(ix.agency_slot[x] for x in a.engaged)
        youth = ix.youth_justice[a.district] if a.age < 18 else frozenset()
        return _Person(
            universe=universe,
            free=engaged | youth,
            engaged=engaged,
            ok=self._passes(a),
            centre_km=haversine_km((a.lat, a.lon), ix.centre[a.district]),
            day=day,
        )

    def _passes(self, a: Assessment) -> npt.NDArray[np.bool_]:
        """Whether ``a`` passes each eligibility profile of the index (remembered by facts)."""
        key = self.index.facts_key(a)
        hit = self._eligible.get(key)
        if hit is None:
            hit = np.array([check(r, a).ok for r in self.index.profiles], dtype=bool)
            if len(self._eligible) >= _MEMO:
                self._eligible.clear()
            self._eligible[key] = hit
        return hit

    def _read_places(self, slots: Sequence[int], day: date) -> Places:
        """Places of pathway ``slots`` on ``day`` from the source, as arrays."""
        wanted = [self.index.pathways[i] for i in slots]
        found = self.availability.availability(wanted, day)
        avs = [found[p.id] for p in wanted]
        return (
            np.array([av.left or 0 for av in avs], dtype=np.int64),
            np.array([av.has_place for av in avs], dtype=bool),
            np.array([not av.has_place and av.waitlist_possible for av in avs], dtype=bool),
        )

    def _places(self, slots: npt.NDArray[np.int64], day: date) -> Places:
        """Places of pathway ``slots`` on ``day`` (:data:`matching.candidates.Places`);
        nominal places are compiled once."""
        if self._nominal is not None:
            spare, placed, waitable = self._nominal
            return spare[slots], placed[slots], waitable[slots]
        return self._read_places(slots.tolist(), day)

    def _find(self, a: Assessment, person: _Person) -> Rows:
        """Steps 1-3: every candidate (:func:`matching.candidates.find`)."""
        if not person.universe:
            return Rows.empty()
        return find(
            self.index,
            a,
            universe=person.universe,
            ok=person.ok,
            places=lambda slots: self._places(slots, person.day),
            centre_km=person.centre_km,
            remote_km=self.remote_km,
        )

    @staticmethod
    def _grouped(rows: Rows, person: _Person) -> tuple[list[Draft], dict[int, Draft]]:
        """Step 4: the solver's candidates in slot order, and the runner-up of each group by
        its winner's slot (:func:`matching.grouping.reduce_rows`)."""
        kept, winners, runners = reduce_rows(
            slot=rows.slot,
            mask=rows.mask,
            agency=rows.agency,
            distance=rows.distance,
            spare=rows.spare,
            waitlisted=rows.waitlisted,
            engaged=np.array(sorted(person.free), dtype=np.int64),
            prune=True,
            fit=rows.fit if rows.fit.any() else None,
        )
        runner_up = rows.drafts(runners)
        return rows.drafts(kept), dict(zip(rows.slot[winners].tolist(), runner_up, strict=True))

    # ----------------------------------------------------------------------------- reach
    def _reach(
        self,
        i: int,
        a: Assessment,
        person: _Person,
        nearest: tuple[int, float] | None = None,
        *,
        words: bool = False,
    ) -> Reach:
        """:func:`matching.reach.decide` for pathway slot ``i``, with reasons; ``nearest`` its
        nearest site's slot (-1 none) and km when known already."""
        ix = self.index
        if nearest is None:
            km, site = ix.nearest((a.lat, a.lon), np.array([i], dtype=np.int64))
            nearest = int(site[0]), float(km[0])
        p = ix.pathways[i]
        return decide(
            serves=a.district in ix.served[i],
            listed=bool(ix.listed[i]),
            delivery=p.delivery,
            nearest=None if nearest[0] < 0 else (ix.site_ids[nearest[0]], nearest[1]),
            centre_km=person.centre_km,
            travel_km=a.travel_km,
            accept_remote=a.accept_remote,
            remote_km=self.remote_km,
            area=served_words(self.directory, p) if words else "",
        )

    # ----------------------------------------------------------------------------- the plan
    def _plan(
        self,
        a: Assessment,
        person: _Person,
        rows: Rows,
        kept: list[Draft],
        runner_up: dict[int, Draft],
        cover: Cover,
    ) -> Plan:
        ix = self.index
        free = person.free
        chosen = [kept[j] for j in cover.chosen]
        at = np.searchsorted(rows.slot, [raw.slot for raw in chosen]).tolist()
        shown = {
            raw.slot: self._reach(
                raw.slot, a, person, (int(rows.near_site[j]), float(rows.near_km[j]))
            )
            for raw, j in zip(chosen, at, strict=True)
        }
        why = {
            raw.slot: self._why(raw, shown[raw.slot], person, kept, runner_up, cover)
            for raw in chosen
        }
        engaged = person.engaged

        referrals: list[Referral] = []
        by_agency: dict[int, tuple[set[str], set[str]]] = {}
        for key, b in ix.bit.items():
            if not cover.covered & b:
                continue
            need = ix.base[key]
            j = position(person.universe, b)
            takers = [r for r in chosen if r.mask & b]
            raw = min(  # the best fit among the chosen takes the need
                takers,
                key=lambda r: (-grade(r.fit, j), r.agency not in free, r.distance, r.slot),
            )
            p = ix.pathways[raw.slot]
            r = shown[raw.slot]
            agency_id = ix.agency_ids[raw.agency]
            site_slot = ix.site_slot.get(r.site) if r.site is not None else None
            hidden = site_slot is not None and ix.site_hidden[site_slot]
            if site_slot is None:
                site_name = None
            else:
                site_name = HIDDEN_SITE if hidden else ix.site_name[site_slot]
            travels = r.delivery == "in_person"
            referrals.append(
                Referral(
                    need=need,
                    need_label=ix.label[key],
                    pathway=p.id,
                    pathway_name=p.name,
                    agency=agency_id,
                    agency_name=ix.agency_name[agency_id],
                    site=None if hidden else r.site,
                    site_name=site_name,
                    distance_km=round(r.distance_km, 1) if travels else None,
                    delivery=r.delivery or "in_person",
                    status="waitlisted" if raw.waitlisted else "referred",
                    engaged=raw.agency in engaged,
                    reason=why[raw.slot],
                )
            )
            needs, pws = by_agency.setdefault(raw.agency, (set(), set()))
            needs.add(need)
            pws.add(p.id)

        met = a.met
        already = [
            AlreadyMet(
                need=n,
                need_label=ix.label[n],
                agency=met[n],
                agency_name=ix.agency_name[met[n]],
            )
            for n in ix.need_ids
            if n in met
        ]
        for n in met:
            by_agency.setdefault(ix.agency_slot[met[n]], (set(), set()))[0].add(n)
        for x in a.engaged:
            by_agency.setdefault(ix.agency_slot[x], (set(), set()))
        for y in free - engaged:  # an under-18's plan always goes through the youth justice service
            by_agency.setdefault(y, (set(), set()))
        agencies = tuple(
            PlanAgency(
                id=ix.agency_ids[x],
                name=ix.agency_name[ix.agency_ids[x]],
                engaged=x in engaged,
                pathways=tuple(sorted(pws)),
                needs=tuple(n for n in ix.need_ids if n in needs),
            )
            for x, (needs, pws) in sorted(by_agency.items())
        )
        unmet_mask = person.universe & ~cover.covered
        unmet = tuple(self._unmet(a, person, b) for b in ix.bit.values() if unmet_mask & b)
        total_m = sum(r.distance for r in chosen)
        objective = Objective(
            needs_met=cover.covered.bit_count(),
            needs_unmet=unmet_mask.bit_count(),
            agencies=len({r.agency for r in chosen if r.agency not in free}),
            fit_points_missed=cover.key[2],
            pathways=len(chosen),
            travel_km=round(total_m / 1000, 1),
            spare=sum(r.spare for r in chosen),
        )
        conditions = conditions_of(
            a.disposal,
            [(r.need, r.need_label, ix.pathways[ix.slot[r.pathway]]) for r in referrals],
            recorded={f for f in ("admitted", "consents", "victim_views") if getattr(a, f)},
        )
        text = summary(a, referrals, already, unmet, objective, self.directory)
        if conditions is not None:
            text += "\n" + conditions.words()
        return Plan(
            reference=a.reference,
            district=a.district,
            referrals=tuple(referrals),
            already_met=tuple(already),
            unmet=unmet,
            agencies=agencies,
            objective=objective,
            summary=text,
            conditions=conditions,
            recorded=Recorded(
                urgent=a.urgent,
                victim=a.victim,
                admitted=a.admitted,
                consents=a.consents,
                victim_views=a.victim_views,
                victim_willing=a.victim_willing,
            ),
        )

    def _why(
        self,
        raw: Draft,
        r: Reach,
        person: _Person,
        kept: list[Draft],
        runner_up: dict[int, Draft],
        cover: Cover,
    ) -> str:
        """How the pathway is delivered, and the first objective level that is worse without it."""
        rest = [k for k in kept if k.slot != raw.slot]
        if raw.slot in runner_up:
            rest.append(runner_up[raw.slot])
            rest.sort(key=lambda k: k.slot)
        key = cover.key
        others = 0
        for k in rest:
            others |= k.mask
        lost_mask = cover.covered & ~others
        if lost_mask:  # the next best plan meets every need the others can (fact F1 of cover)
            other: tuple[Any, ...] = (key[0] + lost_mask.bit_count(),)
            alt_covered = cover.covered & others
        else:
            fit = _fit(kept)
            if fit is None:
                alt = self.solver(person.universe, rest, free_agencies=person.free)
                other, alt_covered = alt.key, alt.covered
            else:
                points = [k.fit for k in rest]
                alt = self.solver(person.universe, rest, free_agencies=person.free, fit=points)
                # fit points this pathway alone carried count as missed, as in the plan: the
                # key over the candidates with it (its runner-up carries the same points)
                other = cover_key(
                    person.universe,
                    [*rest, raw],
                    alt.chosen,
                    free_agencies=person.free,
                    fit=[*points, raw.fit],
                )
                alt_covered = alt.covered
        lost: list[str] = []
        if other[0] > key[0]:
            gone = self.needs_of(cover.covered & ~alt_covered)
            lost = [self.index.label[n].lower() for n in gone]
        return referral_reason(
            r.reason,
            key=key[:6],
            other=other[:6],
            lost=lost,
            engaged=raw.agency in person.engaged,
            youth_justice=raw.agency in person.free and raw.agency not in person.engaged,
            waitlisted=raw.waitlisted,
        )

    # ----------------------------------------------------------------------------- unmet needs
    def _unmet(self, a: Assessment, person: _Person, b: int) -> Unmet:
        ix = self.index
        key = self.needs_of(b)[0]
        need = ix.base[key]
        label = ix.label[key]
        everyone = ix.by_need.get(b)
        if everyone is None or not len(everyone):
            return Unmet(
                need=need,
                need_label=label,
                reason="none-provided",
                explanation=f"No pathway in the directory addresses {label.lower()}.",
            )
        nearby = ix.looked_at(a.district, a.lat, a.lon, [b], a.travel_km + NEAR_MISS_KM)
        stage, refused, km, failed, barred = self._misses(a, person, nearby)
        # those the person could use first (eligible: only reach or places failed), then by
        # sort distance, then id (slot order)
        first = np.lexsort((failed, km, barred))[:3]
        order = list(
            zip(barred[first].tolist(), km[first].tolist(), failed[first].tolist(), strict=True)
        )
        if len(order) < 3:  # farther pathways too: none of them is in reach
            farther = np.setdiff1d(everyone, nearby, assume_unique=True)
            _, _, km, failed, barred = self._misses(a, person, farther)
            first = np.lexsort((failed, km, barred))[:3]
            more = zip(
                barred[first].tolist(), km[first].tolist(), failed[first].tolist(), strict=True
            )
            order = sorted(order + list(more))[:3]
        reason, text = unmet_explanation(
            label,
            stage=stage,
            count=len(everyone),
            travel_km=a.travel_km,
            accept_remote=a.accept_remote,
            waitlist_refused=refused,
        )
        return Unmet(
            need=need,
            need_label=label,
            reason=reason,
            explanation=text,
            near_misses=tuple(self._miss(i, a, person) for _, _, i in order),
        )

    def _misses(
        self, a: Assessment, person: _Person, slots: npt.NDArray[np.int64]
    ) -> tuple[int, bool, npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Pathway ``slots`` for an unmet need: the stage reached (0 none in reach, 1 some, 2
        some eligible), whether an eligible one in reach is full with a waitlist refused, and
        the sort distances, slots and ineligibility of those that fail the person.

        The sort distance is the nearest site's km, or for a pathway without sites 0 when it
        serves the person's district (or lists none), else the km to the nearest centre of a
        district it serves.
        """
        ix = self.index
        serves = ix.serves(a.district, slots)
        w = ways(ix, a, slots, centre_km=person.centre_km, remote_km=self.remote_km, serves=serves)
        reached = w.mode >= 0
        fits = person.ok[ix.prof[slots]]
        _, placed, waitable = self._places(slots, person.day)
        full = ~placed & ~waitable if a.accept_waitlist else ~placed
        waits = ~placed & waitable & (not a.accept_waitlist)
        stage = 0 if not reached.any() else 2 if (reached & fits).any() else 1
        refused = bool((reached & fits & waits).any())
        # the nearest site of every pathway with sites, whatever its delivery
        near_km = self.index.nearest((a.lat, a.lon), slots)[0]
        with_sites = np.isfinite(near_km)
        order = np.where(with_sites, near_km, 0.0)
        point, centres = (a.lat, a.lon), ix.centre
        for j in np.flatnonzero(~with_sites & ~serves & ix.listed[slots]).tolist():
            order[j] = min(
                (haversine_km(point, centres[x]) for x in ix.served[int(slots[j])] if x in centres),
                default=math.inf,
            )
        failed = ~reached | ~fits | full
        return stage, refused, order[failed], slots[failed], ~fits[failed]

    def _miss(self, i: int, a: Assessment, person: _Person) -> NearMiss:
        """Pathway ``i`` as a near miss: every way it fails the person, in words."""
        ix = self.index
        p = ix.pathways[i]
        r = self._reach(i, a, person, words=True)
        verdict = check(p.eligibility, a)
        av = self.availability.availability([p], person.day)[p.id]
        failed: list[Failed] = []
        reasons: list[str] = []
        if not r.ok:
            failed.append("not-in-reach")
            reasons.append(r.reason)
        if not verdict.ok:
            failed.append("not-eligible")
            reasons.append(verdict.reason)
        if not av.has_place and not (a.accept_waitlist and av.waitlist_possible):
            failed.append("full")
            reasons.append(full_reason(av))
        agency = ix.agency_ids[int(ix.agency[i])]
        km = r.nearest_km
        return NearMiss(
            pathway=p.id,
            pathway_name=p.name,
            agency=agency,
            agency_name=ix.agency_name[agency],
            distance_km=None if km is None else round(km, 1),
            failed=tuple(failed),
            reason=f"{ix.agency_name[agency]}, {p.name}: " + "; ".join(reasons),
        )


def _fit(drafts: Sequence[Draft]) -> list[int] | None:
    """The drafts' fit points for :func:`matching.cover.best_cover` (None when none carry any)."""
    fit = [k.fit for k in drafts]
    return fit if any(fit) else None


def match(
    directory_or_matcher: Directory | Matcher,
    assessment: Assessment,
    *,
    availability: AvailabilitySource | None = None,
    on: date | None = None,
) -> Plan:
    """The best plan for one assessment (builds a :class:`Matcher` unless given one).

    Build one :class:`Matcher` and call :meth:`Matcher.match` for many assessments: compiling
    costs far more than matching.

    >>> from directory.loading import load
    >>> from matching.assessment import assess
    >>> d = load()
    >>> plan = match(d, assess(d, needs="gambling", where="Cambridge", age=40))
    >>> [(r.need, r.delivery) for r in plan.referrals]
    [('gambling', 'phone')]
    """
    if isinstance(directory_or_matcher, Matcher):
        if availability is not None:
            raise AssessmentError("pass availability to the Matcher, not with a Matcher")
        matcher = directory_or_matcher
    else:
        matcher = Matcher(directory_or_matcher, availability=availability)
    return matcher.match(assessment, on=on)
