"""Assessment -> candidates -> exact cover -> plan with reasons.

A :class:`Matcher` compiles one directory snapshot once (need bitmasks, agency indices, site
coordinates, per-district and per-need candidate lists, a grid of sites, the distinct
eligibility profiles) and then answers assessments; it holds no global state and never changes
the directory. :func:`match` is the one-call form.

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

Candidates
----------
The pathways that can take the needs come from :class:`matching.candidates.CandidateFinder`, which
:class:`Matcher` extends; see :mod:`matching.candidates` for what makes a candidate.

The objective and the assignment
--------------------------------
Among all sets of candidates, :func:`matching.cover.best_cover` chooses exactly the one that
(1) meets the most needs, (2) uses the fewest distinct agencies, agencies already working with
the person counting as free, (3) uses the fewest pathways, (4) travels least in total (metres:
the distance to the nearest site when the person travels, 0 remote or by outreach; see
:mod:`matching.reach`), (5) leaves the most places spare (places left; not recorded counts 0),
(6) has the smallest pathway ids. Each need met is then referred to one chosen pathway that
takes it: an engaged agency's first, then the nearest, then the smallest id.

Reasons
-------
Each referral says how the pathway is delivered and why it was chosen: the matcher solves again
without that pathway and names the first objective level that gets worse ("without it the plan
needs 3 agencies instead of 2"). Each unmet need has a reason code (``none-provided``,
``not-in-reach``, ``not-eligible``, ``full``) and up to three near misses, nearest first. This
module decides; :mod:`matching.explain` words the decisions.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from directory.errors import AssessmentError
from directory.places import haversine_km
from matching.candidates import Candidate, CandidateFinder
from matching.conditional import conditions_of
from matching.cover import Cover, best_cover, cover_key
from matching.eligibility import check
from matching.explain import full_reason, referral_reason, summary, unmet_explanation
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

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

    from directory.models import Directory
    from matching.assessment import Assessment
    from matching.candidates import Draft, Query
    from matching.capacity import Availability, AvailabilitySource
    from matching.plan import Failed
    from matching.reach import Reach

__all__ = ["NEAR_MISS_KM", "Candidate", "Matcher", "match"]

NEAR_MISS_KM = 50.0
"""Near misses are looked for among pathways serving the person's district, serving everywhere,
or with a site within the travel limit plus this many km."""


class Matcher(CandidateFinder):
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
    """

    def memo_key(self, a: Assessment, on: date | None = None) -> tuple[Any, ...] | None:
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

    # ----------------------------------------------------------------------------- matching
    def _solve(
        self,
        universe: int,
        raws: Sequence[Draft],
        free: frozenset[int],
        fits: dict[int, int] | None = None,
    ) -> Cover:
        fit = None if fits is None else [fits[r.slot] for r in raws]
        return best_cover(universe, raws, free_agencies=free, fit=fit)  # drafts: option fields

    def _fits(self, a: Assessment, universe: int, raws: Sequence[Draft]) -> dict[int, int]:
        """Each candidate's fit points for ``a`` (level 3 of :mod:`matching.cover`), by slot.

        For each need a candidate takes, its *grade*: one point when the need is its
        specialism, one when the need is urgent and it is L4 provision, one when the person is
        a woman and it is women's provision (audience ``focus`` or ``only``), one when the
        person is under 18 and it is youth provision. A grade ``g`` is written as the points
        ``4 * bit + t`` for ``t < g``, so a plan earns, for each need, the grade of the best
        chosen pathway taking it (the referral goes there).
        """
        woman = a.gender == "female"
        child = a.age < 18
        out: dict[int, int] = {}
        for raw in raws:
            i = raw.slot
            extra = (woman and self._women[i]) + (child and self._youth[i])
            points = 0
            rest = raw.mask & universe
            while rest:
                b = rest & -rest
                rest ^= b
                grade = extra + bool(self._spec[i] & b) + bool(self._l4[i] & b)
                j = 4 * (b.bit_length() - 1)
                points |= ((1 << grade) - 1) << j
            out[i] = points
        return out

    def _youth_justice(self, a: Assessment) -> frozenset[int]:
        """The youth justice services of an under-18's district (agency indices): every
        under-18's plan goes through them, so they cost no agency and are always listed."""
        if a.age >= 18:
            return frozenset()
        return frozenset(
            self._agency_slot[x.id]
            for x in self.directory.agencies
            if x.youth_justice
            and any(a.district in self.directory.served_districts(p) for p in x.pathways)
        )

    def match(self, a: Assessment, *, on: date | None = None) -> Plan:
        """The best plan for ``a``: exact, explained, deterministic.

        ``on`` is the day whose capacity period counts (default today). Raises
        :class:`~directory.errors.NotFoundError` for a district, need or engaged agency the
        directory does not hold.
        """
        day = on or date.today()
        youth = self._youth_justice(a)
        if self._fit_varies or youth:
            # every candidate, no grouping by needs taken: candidates taking the same needs may
            # differ in fit (the search's own dominance rule sees fit points)
            q = self._gather(a, day, arrays=False)
            q.free = q.free | youth
            kept = sorted(q.raws, key=lambda r: r.slot)
            fits = self._fits(a, q.universe, kept)
            cover = self._solve(q.universe, kept, q.free, fits)
            chosen = [kept[j] for j in cover.chosen]
            return self._plan(a, q, kept, {}, cover, chosen, fits, youth)
        if self._quick_ok and a.accept_remote:
            q, kept, runner_up = self._quick(a, day)
        elif self._arrays is not None and not a.accept_remote:
            q, kept, runner_up = self._travelling(a, day)
        else:
            q = self._gather(a, day)
            kept, runner_up = self._reduce(q)
        cover = self._solve(q.universe, kept, q.free)
        chosen = [kept[j] for j in cover.chosen]
        return self._plan(a, q, kept, runner_up, cover, chosen)

    # ----------------------------------------------------------------------------- the plan
    def _plan(
        self,
        a: Assessment,
        q: Query,
        kept: list[Draft],
        runner_up: dict[int, Draft],
        cover: Cover,
        chosen: list[Draft],
        fits: dict[int, int] | None = None,
        youth: frozenset[int] = frozenset(),
    ) -> Plan:
        d = self.directory
        free = q.free
        engaged = frozenset(self._agency_slot[x] for x in a.engaged)
        shown: dict[int, Reach] = {}
        for raw in chosen:
            shown[raw.slot] = self._reach(raw.slot, a, q)
        why = {
            raw.slot: self._why(raw, shown[raw.slot], q, kept, runner_up, cover, fits, engaged)
            for raw in chosen
        }

        referrals: list[Referral] = []
        by_agency: dict[int, tuple[set[str], set[str]]] = {}
        for key, b in self._bit.items():
            if not cover.covered & b:
                continue
            need = self._base[key]
            takers = [r for r in chosen if r.mask & b]
            raw = min(
                takers,
                key=lambda r: (
                    -_grade(fits, r.slot, b),  # the best fit among the chosen takes the need
                    r.agency not in free,
                    r.distance,
                    r.slot,
                ),
            )
            p = self._pw[raw.slot]
            r = shown[raw.slot]
            agency_id = self._agency_ids[raw.agency]
            site_slot = self._site_slot.get(r.site) if r.site is not None else None
            hidden = site_slot is not None and self._site_hidden[site_slot]
            if site_slot is None:
                site_name = None
            else:
                site_name = HIDDEN_SITE if hidden else self._site_name[site_slot]
            travels = r.delivery == "in_person"
            referrals.append(
                Referral(
                    need=need,
                    need_label=self._label[key],
                    pathway=p.id,
                    pathway_name=p.name,
                    agency=agency_id,
                    agency_name=self._agency_name[agency_id],
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
                need_label=self._label[n],
                agency=met[n],
                agency_name=self._agency_name[met[n]],
            )
            for n in self._need_ids
            if n in met
        ]
        for n in met:
            by_agency.setdefault(self._agency_slot[met[n]], (set(), set()))[0].add(n)
        for x in a.engaged:
            by_agency.setdefault(self._agency_slot[x], (set(), set()))
        for y in youth:  # an under-18's plan always goes through the youth justice service
            by_agency.setdefault(y, (set(), set()))
        agencies = tuple(
            PlanAgency(
                id=self._agency_ids[x],
                name=self._agency_name[self._agency_ids[x]],
                engaged=x in engaged,
                pathways=tuple(sorted(pws)),
                needs=tuple(n for n in self._need_ids if n in needs),
            )
            for x, (needs, pws) in sorted(by_agency.items())
        )
        unmet_mask = q.universe & ~cover.covered
        unmet = tuple(self._unmet(a, q, b) for b in self._bit.values() if unmet_mask & b)
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
            [(r.need, r.need_label, self._pw[self._slot[r.pathway]]) for r in referrals],
            recorded={f for f in ("admitted", "consents", "victim_views") if getattr(a, f)},
        )
        text = summary(a, referrals, already, unmet, objective, d)
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
        q: Query,
        kept: list[Draft],
        runner_up: dict[int, Draft],
        cover: Cover,
        fits: dict[int, int] | None = None,
        engaged: frozenset[int] | None = None,
    ) -> str:
        """How the pathway is delivered, and the first objective level that is worse without it."""
        how = r.reason
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
            alt = self._solve(q.universe, rest, q.free, fits)
            other, alt_covered = alt.key, alt.covered
            if fits:  # fit points this pathway alone carried count as missed, as in the plan
                at = {k.slot: j for j, k in enumerate(kept)}
                other = cover_key(
                    q.universe,
                    kept,
                    [at[rest[j].slot] for j in alt.chosen],
                    free_agencies=q.free,
                    fit=[fits[k.slot] for k in kept],
                )
        lost: list[str] = []
        if other[0] > key[0]:
            lost = [self._label[n].lower() for n in self.needs_of(cover.covered & ~alt_covered)]
        return referral_reason(
            how,
            key=key[:6],
            other=other[:6],
            lost=lost,
            engaged=raw.agency in (q.free if engaged is None else engaged),
            youth_justice=raw.agency in q.free
            and engaged is not None
            and raw.agency not in engaged,
            waitlisted=raw.waitlisted,
        )

    # ----------------------------------------------------------------------------- unmet needs
    def _facts_of(
        self, i: int, a: Assessment, q: Query, ok: Sequence[bool], av: Availability
    ) -> tuple[float, bool, bool, bool, bool]:
        """Pathway ``i`` for an unmet need, without words: (sort distance, in reach, eligible,
        fails in some way, full with a waitlist the person did not accept).

        The sort distance is the nearest site's km, or for a pathway without sites 0 when it
        serves the person's district (or everywhere), else the km to the nearest centre of a
        district it serves.
        """
        nearest = self._nearest(i, a, q)
        serves = a.district in self._served[i]
        reached = self._way(i, a, q, nearest) is not None
        fits = ok[self._prof[i]]
        full = not av.has_place and not (a.accept_waitlist and av.waitlist_possible)
        waits = full and av.waitlist_possible and not a.accept_waitlist
        if nearest is not None:
            km_order = nearest[1]
        elif serves or not self._listed[i]:
            km_order = 0.0
        else:
            point, centres = (a.lat, a.lon), self._centre
            km_order = min(
                (haversine_km(point, centres[x]) for x in self._served[i] if x in centres),
                default=math.inf,
            )
        return km_order, reached, fits, not reached or not fits or full, waits

    def _miss(self, i: int, a: Assessment, q: Query) -> NearMiss:
        """Pathway ``i`` as a near miss: every way it fails the person, in words."""
        p = self._pw[i]
        r = self._reach(i, a, q, words=True)
        verdict = check(p.eligibility, a)
        av = self._availability((i,), q.day)[i]
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
        agency = self._agency_ids[self._agency[i]]
        km = r.nearest_km
        return NearMiss(
            pathway=p.id,
            pathway_name=p.name,
            agency=agency,
            agency_name=self._agency_name[agency],
            distance_km=None if km is None else round(km, 1),
            failed=tuple(failed),
            reason=f"{self._agency_name[agency]}, {p.name}: " + "; ".join(reasons),
        )

    def _unmet(self, a: Assessment, q: Query, b: int) -> Unmet:
        key = self.needs_of(b)[0]
        need = self._base[key]
        label = self._label[key]
        everyone = self._by_need.get(b, ())
        if not everyone:
            return Unmet(
                need=need,
                need_label=label,
                reason="none-provided",
                explanation=f"No pathway in the directory addresses {label.lower()}.",
            )
        km = a.travel_km + NEAR_MISS_KM
        if self._lists is not None:  # the same pathways as below, from one C call
            slots = self._looked_at(self._lists, a, [b.bit_length() - 1], km)
        else:
            found = set(self._local[a.district].get(b, ()))
            found.update(self._ev.get(b, ()))
            found.update(self._near(a, km, (b,)))
            slots = np.array(sorted(found), dtype=np.int64)
        if self._arrays is not None and len(slots) >= self._misses_from:
            first = self._misses_arrays(a, q, b, slots)
        else:
            first = self._misses_loop(a, q, b, set(slots.tolist()))
        stage, waitlist_refused, order = first
        misses = [self._miss(i, a, q) for i in order]
        reason, text = unmet_explanation(
            label,
            stage=stage,
            count=len(everyone),
            travel_km=a.travel_km,
            accept_remote=a.accept_remote,
            waitlist_refused=waitlist_refused,
        )
        return Unmet(
            need=need,
            need_label=label,
            reason=reason,
            explanation=text,
            near_misses=tuple(misses),
        )

    def _misses_arrays(
        self, a: Assessment, q: Query, b: int, slots: npt.NDArray[np.int64]
    ) -> tuple[int, bool, list[int]]:
        """:meth:`_misses_loop` from arrays (nominal places; ``slots`` sorted): the same
        answer, tested."""
        arr = self._arrays
        assert arr is not None
        stage, refused, km, failed = self._misses_many(a, q, slots)
        first = np.lexsort((failed, km))[:3]  # by sort distance, then id (slot order)
        order = list(zip(km[first].tolist(), failed[first].tolist(), strict=True))
        if len(order) < 3:  # farther pathways too: none of them is in reach
            order = sorted(order + self._farther(a, q, b, slots))[:3]
        return stage, refused, [i for _, i in order]

    def _farther(
        self, a: Assessment, q: Query, b: int, nearby: npt.NDArray[np.int64]
    ) -> list[tuple[float, int]]:
        """The three pathways taking need ``b`` outside the sorted slots ``nearby`` that fail
        the person (all do: none is in reach) nearest first, ties by id: (sort distance, slot)."""
        arr = self._arrays
        assert arr is not None
        farther = np.setdiff1d(arr.by_need[b], nearby, assume_unique=True)
        _, _, km, failed = self._misses_many(a, q, farther)
        first = np.lexsort((failed, km))[:3]
        return list(zip(km[first].tolist(), failed[first].tolist(), strict=True))

    def _misses_loop(
        self, a: Assessment, q: Query, b: int, pool: set[int]
    ) -> tuple[int, bool, list[int]]:
        """Among ``pool`` (and, when fewer than three fail there, every other pathway taking
        need ``b``): the stage reached (0 none in reach, 1 some, 2 some eligible), whether an
        eligible one in reach is full with a waitlist refused, and the three pathways failing
        the person nearest first (sort distance, then id)."""
        everyone = self._by_need.get(b, ())
        ok = self._profile_ok(a)
        order: list[tuple[float, str, int]] = []  # (sort distance, id, slot) of the misses
        stage = 0  # 1 any in reach, 2 any in reach and eligible
        waitlist_refused = False
        avail = self._availability(pool, q.day)
        for i in sorted(pool):
            km_order, reached, fits, missed, waits = self._facts_of(i, a, q, ok, avail[i])
            if reached:
                stage = max(stage, 2 if fits else 1)
                waitlist_refused |= fits and waits
            if missed:
                order.append((km_order, self._pw[i].id, i))
        if len(order) < 3 and self._arrays is not None:  # farther pathways too, by arrays
            nearby = np.fromiter(pool, dtype=np.int64, count=len(pool))
            nearby.sort()
            order += [(km, self._pw[i].id, i) for km, i in self._farther(a, q, b, nearby)]
        elif len(order) < 3:  # farther pathways too: none of them is in reach
            farther_slots = [i for i in everyone if i not in pool]
            avail = self._availability(farther_slots, q.day)
            for i in farther_slots:
                km_order, _, _, missed, _ = self._facts_of(i, a, q, ok, avail[i])
                if missed:
                    order.append((km_order, self._pw[i].id, i))
        order.sort(key=lambda m: (m[0], m[1]))
        return stage, waitlist_refused, [i for _, _, i in order[:3]]


def _grade(fits: dict[int, int] | None, slot: int, b: int) -> int:
    """The grade of candidate ``slot`` for the need of bit ``b`` (its fit points there)."""
    if not fits:
        return 0
    return (fits[slot] >> (4 * (b.bit_length() - 1)) & 0b1111).bit_count()


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
