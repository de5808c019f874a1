"""Capacity gaps: demand against the places it can reach, allocated exactly.

What planners ask
-----------------
For one period (a week, month or quarter) and a :class:`~matching.demand.Demand` (units of need by
district and facts), :func:`gaps` answers, for every need x district with demand:

* how much demand there is, and how many places are in its reach;
* how much of it is **met** by an exact allocation, and how much is **unmet**, and why: no pathway
  for the need at all (``none_provided``), none that reaches the district (``not_in_reach``), none
  that accepts these people (``not_eligible``), or every pathway that could take them is full
  (``full``);

and for every active pathway: its places in the period, how many are allocated, its utilisation
and whether it is saturated. A person with three needs is three units of demand, one per need,
and each unit takes one place: a pathway that meets two needs of the same person is counted
twice, so utilisation errs high for multi-need pathways.

The allocation (exact)
----------------------
Units of demand with the same deciding facts are grouped first; the groups, not the people, are
the nodes of the network, which keeps it small (a national instance of 200,000 people has tens of
thousands of groups). A group is a need, a district, and the *set of eligibility profiles* its
people pass among the pathways that reach them (two different ages, genders or offences that pass
the same of those profiles are one group), with the travel limit and whether remote delivery is
accepted. The network is::

    source --(count of the group)--> group --(distance, 100 m units)--> pathway --(places)--> sink

with an arc from a group to every active pathway that addresses its need, accepts its people
(:func:`matching.eligibility.check`) and reaches its district (:func:`matching.reach.reach`,
measured from the district's centre: people are placed at the centre of their district, as the
matcher's batch cache does). :func:`matching.flow.allocate` then finds the largest number of units
met and, among allocations that meet that many, the one with the least total travel: nearer first.
Because the allocation is a *maximum* flow, a group with unmet demand has every pathway in its
reach full (else there would be an augmenting path): ``full`` means exactly that.

Places in a period
------------------
:func:`places_in_period` converts a pathway's capacity to the period asked: a week is 12/52 of a
month and a quarter three months (the conversion of :func:`directory.graph.places_per_month`),
rounded down to whole places. A ``closed`` pathway has no places; ``waitlist`` counts its nominal
places; a pathway with no recorded places is unlimited (and said so: ``places`` is ``None``).
Inactive pathways take nobody.

>>> from directory.loading import load
>>> from matching.demand import demand_from_people, synthetic_cohort
>>> d = load()
>>> demand = demand_from_people(synthetic_cohort(d, 350, seed=1), period="2026-11")
>>> result = gaps(d, demand)
>>> result.demand == demand.total == result.met + result.unmet
True
>>> all(u.allocated <= u.places for u in result.pathways if u.places is not None)
True
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Literal

import numpy as np

from directory.errors import InvalidArgumentError
from directory.graph import places_per_month
from directory.places import EARTH_RADIUS_KM, Sites, haversine_many, site_point
from matching.demand import period_kind
from matching.eligibility import PersonFacts, check, profile
from matching.flow import FlowNetwork, FlowResult, allocate
from matching.periods import Period
from matching.reach import travel as way_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from directory.models import Capacity, Directory, Eligibility
    from matching.demand import Demand, DemandKey
    from matching.flow import Engine

__all__ = [
    "COST_UNIT_KM",
    "REASONS",
    "CellGap",
    "GapNetwork",
    "GapResult",
    "Group",
    "PathwayUse",
    "Reason",
    "build_network",
    "gaps",
    "groups_of",
    "places_in_period",
    "summarise",
]

Reason = Literal["none_provided", "not_in_reach", "not_eligible", "full"]
#: Why demand is unmet, in the order tables show them.
REASONS: tuple[Reason, ...] = ("none_provided", "not_in_reach", "not_eligible", "full")
#: One unit of cost on an arc is this many km of travel (100 m).
COST_UNIT_KM = 0.1

_MONTHS = {"week": 12 / 52, "month": 1.0, "quarter": 3.0, "year": 12.0}
_ADULT_AGES = (18, 65)  # an adult of unknown age must be accepted at both ends


def places_in_period(capacity: Capacity | None, per: str) -> int | None:
    """Whole places a capacity gives in a period of kind ``per`` (``None``: unlimited).

    >>> from directory.models import Capacity
    >>> places_in_period(Capacity(places=12, per="week", updated="2026-10-01"), "month")
    52
    >>> places_in_period(Capacity(places=10, per="quarter", updated="2026-10-01"), "month")
    3
    >>> places_in_period(Capacity(places=8, status="closed", updated="2026-10-01"), "month")
    0
    >>> places_in_period(None, "quarter") is None
    True
    """
    if per not in _MONTHS:
        raise InvalidArgumentError(f"unknown period {per!r}; use week, month, quarter or year")
    if capacity is not None and capacity.status == "closed":
        return 0
    monthly = places_per_month(capacity)
    if monthly is None:
        return None
    return math.floor(monthly * _MONTHS[per] + 1e-9)


class _Places:
    """:func:`places_in_period` for one kind of period, worked out once per distinct capacity."""

    def __init__(self, per: str) -> None:
        self.per = per
        self._memo: dict[tuple[object, ...], int | None] = {}

    def __call__(self, capacity: Capacity | None) -> int | None:
        """The places of ``capacity`` in the period (``None``: unlimited)."""
        if capacity is None:
            return places_in_period(None, self.per)
        key = (capacity.status, capacity.places, capacity.per)  # all it depends on
        found = self._memo.get(key, -1)
        if found == -1:
            found = self._memo[key] = places_in_period(capacity, self.per)
        return found


# ------------------------------------------------------------------------------------ network
@dataclass(frozen=True, slots=True)
class Group:
    """Units of demand with the same need, district and deciding facts: one node of the network.

    People are in one group when they have the same need, district, travel limit and remote
    acceptance, and pass the same eligibility profiles among the pathways that reach them.

    ``reason`` says why no pathway can take them when no arc leaves the group, else ``None``.
    """

    need: str
    district: str
    count: int
    reason: Reason | None = None


@dataclass(frozen=True, slots=True)
class GapNetwork:
    """The grouped flow network of one period: groups, pathways (targets) and the arcs.

    ``period`` is the period's key and ``per`` its kind (week, month, quarter or year);
    ``reach`` gives, for each (need, district) with demand, the targets (pathway numbers) in
    reach of some of that demand.
    """

    period: str
    per: str
    groups: tuple[Group, ...]
    pathways: tuple[str, ...]
    agencies: tuple[str, ...]
    network: FlowNetwork
    reach: Mapping[tuple[str, str], frozenset[int]] = field(default_factory=dict)


class _Sites:
    """Sites of in-person pathways sorted by latitude, to find those within a distance of a point.

    A search works out the distance of every site in the band of latitudes that can be in reach
    (:func:`directory.places.haversine_many`), and keeps those within the distance plus a
    margin: numpy's trigonometry may differ from :mod:`math`'s in the last bits on some
    machines, so this gives a superset of the pathways with a site in reach by
    :func:`directory.places.haversine_km` (never fewer). Exact distances are worked out
    afterwards, with :func:`_haversine`.

    >>> sites = _Sites([(52.2, 0.12, 7), (52.57, -0.25, 8), (51.5, -0.13, 9)])
    >>> sorted(sites.near(52.2, 0.0, 30.0)), sorted(sites.near(52.2, 0.0, 100.0))
    ([7], [7, 8, 9])
    """

    MARGIN = 1e-9  # relative and in km: far above the last bits of a distance of up to 20,000 km

    def __init__(self, points: Iterable[tuple[float, float, int]]) -> None:
        ordered = sorted(points)
        self.lat = np.array([lat for lat, _, _ in ordered], dtype=np.float64)
        self.y = np.radians(self.lat)
        self.x = np.radians(np.array([lon for _, lon, _ in ordered], dtype=np.float64))
        self.cos = np.cos(self.y)
        self.index = np.array([i for _, _, i in ordered], dtype=np.int64)

    def near(self, lat: float, lon: float, km: float) -> set[int]:
        """Indices of pathways with a site possibly within ``km`` (a superset, never fewer).

        Great-circle distance on a sphere is at least the meridian offset (``R |dlat|``), so
        only sites within that band of latitudes (with a margin) are measured.
        """
        if not len(self.index) or km < 0:
            return set()
        band = math.degrees(km / EARTH_RADIUS_KM * 1.001 + 1e-9)
        lo = int(np.searchsorted(self.lat, lat - band, side="left"))
        hi = int(np.searchsorted(self.lat, lat + band, side="right"))
        band_sites = Sites(self.y[lo:hi], self.x[lo:hi], self.cos[lo:hi])
        km_away = haversine_many((lat, lon), band_sites)
        found = self.index[lo:hi][km_away <= km * (1 + self.MARGIN) + self.MARGIN]
        return set(found.tolist())


Entry = tuple[int, int, int]
"""A pathway in reach: (pathway index, eligibility profile, cost in 100 m units)."""
Members = list[int]
"""Pathways in reach of a hub, by increasing index, as one flat list: ``[index, cost, index,
cost, ...]`` with costs in 100 m units (one object instead of one per pathway: a national
network has tens of thousands of these, and fewer objects keep Python's garbage collector from
going through the whole heap mid-build)."""
Wide = tuple[int, list[Entry]]
"""The pathways reaching every district at the same cost for one need: the bits of their
profiles, and the pathways by index."""
Local = dict[int, Members]
"""The other pathways reaching a district for one need, by eligibility profile."""


class _Builder:
    """Per-directory look-ups for building networks: profiles, places and reach tables.

    Reach is decided by :func:`matching.reach.travel`, the rule itself (what
    :func:`~matching.reach.decide` adds is the reason in words), on the values
    :func:`matching.reach.reach` would give it for a person at the district's centre (the test
    suite checks the tables against :func:`~matching.reach.reach` pathway by pathway).
    """

    def __init__(self, directory: Directory, per: str) -> None:
        self.directory = directory
        self.active = tuple(p for p in directory.pathways if p.active)
        profiles: dict[tuple[object, ...], int] = {}
        self.rules: list[Eligibility] = []
        self.profile_of: list[int] = []
        for p in self.active:
            key = profile(p.eligibility)
            if key not in profiles:
                profiles[key] = len(self.rules)
                self.rules.append(p.eligibility)
            self.profile_of.append(profiles[key])
        self.age_edges = sorted(
            {18}  # under-18s only through youth provision (matching.eligibility, youth)
            | {r.min_age for r in self.rules if r.min_age is not None}
            | {r.max_age + 1 for r in self.rules if r.max_age is not None}
        )
        places = _Places(per)
        self.places = [places(p.capacity) for p in self.active]
        self.provided = {n for p in self.active for n in p.needs}
        self.listed = [p.districts == "all" or bool(p.districts) for p in self.active]
        self.delivery = [p.delivery for p in self.active]
        self.needs = [p.needs for p in self.active]
        self.by_district: dict[str, list[int]] = defaultdict(list)
        self.everywhere: list[int] = []
        points: list[tuple[float, float, int]] = []
        # each pathway's sites, as numbers of distinct points
        self.site_nos: list[list[int]] = []
        spots_of: list[tuple[float, float]] = []
        point_no: dict[tuple[float, float], int] = {}
        for i, p in enumerate(self.active):
            if p.districts == "all":
                self.everywhere.append(i)
            else:
                for district in p.districts:
                    self.by_district[district].append(i)
            spots = [site_point(directory, s) for s in directory.sites_of(p)]
            numbers: list[int] = []
            for spot in spots:
                n = point_no.get(spot)
                if n is None:
                    n = point_no[spot] = len(spots_of)
                    spots_of.append(spot)
                numbers.append(n)
            self.site_nos.append(numbers)
            if "in_person" in p.delivery:
                points.extend((lat, lon, i) for lat, lon in spots)
        self.sites = _Sites(points)
        self.points = Sites.of(spots_of)  # the distinct points, by number
        # pathways whose reach cannot depend on the district: every district served (or none
        # listed) and no site; and, for people who accept remote delivery, every pathway that
        # serves every district (or lists none) by phone or online (remote travel is 0)
        wide = [i for i, p in enumerate(self.active) if p.districts == "all" or not p.districts]
        self.siteless = {i for i in wide if not self.site_nos[i]}
        self.remote = {i for i in wide if self.active[i].remote}
        self.unlisted = [i for i in wide if self.active[i].districts != "all"]
        self._masks: dict[tuple[object, ...], int] = {}
        self._uniform: dict[tuple[float, bool], dict[str, Wide]] = {}
        self._near: dict[tuple[str, float], list[tuple[int, bool, float | None]]] = {}
        self._local: dict[tuple[str, float, bool], dict[str, Local]] = {}
        self._costs: dict[tuple[object, ...], tuple[int | None, int | None]] = {}

    def mask(self, key: DemandKey) -> int:
        """Bit ``r`` set when the people of ``key`` pass eligibility profile ``r``.

        Ages between two consecutive age limits of the profiles pass the same profiles, so the
        memo is keyed by the band of the age, not the age.
        """
        band = -1 if key.age is None else bisect_right(self.age_edges, key.age)
        memo = (band, key.gender, key.offence, key.disposal, key.cohorts)
        found = self._masks.get(memo)
        if found is not None:
            return found
        ages = _ADULT_AGES if key.age is None else (key.age,)
        facts = [
            PersonFacts(
                age=age,
                gender=key.gender,
                cohorts=frozenset(key.cohorts),
                offence=key.offence,
                disposal=key.disposal,
            )
            for age in ages
        ]
        mask = 0
        for r, rules in enumerate(self.rules):
            if all(check(rules, f).ok for f in facts):
                mask |= 1 << r
        self._masks[memo] = mask
        return mask

    def uniform(self, travel_km: float, accept_remote: bool) -> dict[str, Wide]:
        """Pathways that reach every district at the same cost, by need (see the notes)."""
        memo = (travel_km, accept_remote)
        found = self._uniform.get(memo)
        if found is not None:
            return found
        chosen: dict[int, float] = {}
        for i in sorted(self.siteless):
            way = way_of(
                serves=self.active[i].districts == "all",
                listed=self.listed[i],
                delivery=self.delivery[i],
                nearest=None,
                centre_km=0.0,
                travel_km=travel_km,
                accept_remote=accept_remote,
            )
            if way is not None:
                chosen[i] = way[0]
        if accept_remote:
            for i in self.remote:
                chosen.setdefault(i, 0.0)  # the remote way costs 0, and no way costs less
        table: dict[str, list[Entry]] = defaultdict(list)
        for i in sorted(chosen):
            entry = (i, self.profile_of[i], round(chosen[i] / COST_UNIT_KM))
            for need in self.needs[i]:
                table[need].append(entry)
        out = {need: (_bits(prof for _, prof, _ in found), found) for need, found in table.items()}
        self._uniform[memo] = out
        return out

    def _candidates(self, district: str, travel_km: float) -> list[tuple[int, bool, float | None]]:
        """(index, serves the district, km to the nearest site) of every pathway that may reach
        a person at the district's centre, but those whose reach cannot depend on the district."""
        memo = (district, travel_km)
        found = self._near.get(memo)
        if found is not None:
            return found
        centre = self.directory.district_by_id[district]
        serving = set(self.by_district.get(district, ())) | set(self.everywhere)
        near = self.sites.near(centre.lat, centre.lon, travel_km)
        site_nos = self.site_nos
        chosen = sorted((serving | near | set(self.unlisted)) - self.siteless)
        # km to each point the pathways have (pathways share sites), measured at once
        used = np.array(sorted({n for i in chosen for n in site_nos[i]}), dtype=np.int64)
        kms = haversine_many((centre.lat, centre.lon), self.points, used)
        known = dict(zip(used.tolist(), kms.tolist(), strict=True))
        out: list[tuple[int, bool, float | None]] = []
        for i in chosen:
            nearest = min((known[n] for n in site_nos[i]), default=None)
            out.append((i, i in serving, nearest))
        self._near[memo] = out
        return out

    def local(self, district: str, travel_km: float, accept_remote: bool) -> dict[str, Local]:
        """The other pathways reaching a district, by need and profile (see :data:`Local`).

        The tables of people who accept remote delivery and of those who do not are worked out
        together (one pass over the candidates).
        """
        memo = (district, travel_km, accept_remote)
        found = self._local.get(memo)
        if found is None:
            tables = self._tables(district, travel_km)
            self._local[(district, travel_km, False)] = tables[0]
            self._local[(district, travel_km, True)] = tables[1]
            found = tables[accept_remote]
        return found

    def _tables(self, district: str, travel_km: float) -> tuple[dict[str, Local], dict[str, Local]]:
        """The tables of :meth:`local` without, then with, remote delivery accepted."""
        near: dict[str, Local] = {}
        remote: dict[str, Local] = {}
        if district not in self.directory.district_by_id:
            return near, remote
        wide, listed, delivery, needs = self.remote, self.listed, self.delivery, self.needs
        costs = self._costs
        for i, serves, km in self._candidates(district, travel_km):
            # pathways often share a site (and so a distance) or have none: one decision each
            key = (serves, listed[i], delivery[i], km, travel_km)
            found = costs.get(key)
            if found is None:
                found = costs[key] = self._cost(*key)
            if found[0] is not None:
                _add(near, needs[i], self.profile_of[i], i, found[0])
            if found[1] is not None and i not in wide:  # wide: in the uniform table instead
                _add(remote, needs[i], self.profile_of[i], i, found[1])
        return near, remote

    @staticmethod
    def _cost(
        serves: bool, listed: bool, delivery: tuple[str, ...], km: float | None, travel_km: float
    ) -> tuple[int | None, int | None]:
        """The cost (100 m units) of the way a pathway reaches people at a district's centre,
        without and with remote delivery accepted (``None``: it does not reach them)."""
        found: list[int | None] = []
        for accept_remote in (False, True):
            way = way_of(
                serves=serves,
                listed=listed,
                delivery=delivery,
                nearest=None if km is None else ("", km),
                centre_km=0.0,
                travel_km=travel_km,
                accept_remote=accept_remote,
            )
            found.append(None if way is None else round(way[0] / COST_UNIT_KM))
        return found[0], found[1]


def _add(table: dict[str, Local], needs: Iterable[str], prof: int, i: int, cost: int) -> None:
    """Add pathway ``i`` of eligibility profile ``prof`` at ``cost`` to a reach table."""
    for need in needs:
        by_profile = table.get(need)
        if by_profile is None:
            table[need] = {prof: [i, cost]}
        else:
            pathways = by_profile.get(prof)
            if pathways is None:
                by_profile[prof] = [i, cost]
            else:
                pathways += (i, cost)


def _bits(profiles: Iterable[int]) -> int:
    """The bits of a set of eligibility profiles (bit ``r`` for profile ``r``).

    >>> _bits([0, 2, 2])
    5
    """
    bits = 0
    for prof in profiles:
        bits |= 1 << prof
    return bits


def _span(period: str | Period | None, demand: Demand) -> tuple[str, str]:
    """(key, kind) of the period asked, else the demand's."""
    if isinstance(period, Period):
        return period.key, period.per
    key = period if period is not None else demand.period
    if key is None:
        raise InvalidArgumentError(
            "say which period (2026-11, 2026-Q4, 2026-W48, 2026): none given"
        )
    return key, period_kind(key)


def build_network(
    directory: Directory,
    demand: Demand,
    *,
    period: str | Period | None = None,
    travel_km: float | None = None,
) -> GapNetwork:
    """The grouped flow network of ``demand`` against ``directory`` in one period.

    ``period`` defaults to the demand's; ``travel_km`` replaces every person's travel limit (a
    scenario). Groups are sorted by (need, district, travel, remote, profiles), pathways by
    directory order, so the same inputs always give the same network.

    Hubs keep the network small without changing its paths: in a cell (need, district, travel
    limit, remote), the pathways of one eligibility profile are reached through one hub when two
    or more groups of the cell pass that profile; the pathways that reach every district at no
    travel (national phone and online services) through one hub per need and set of pathways.

    Running time: one eligibility check per profile and distinct facts; one distance per
    district and site point of a pathway serving the district or with a site in reach (sites in
    reach found with numpy, distances measured exactly); one reach decision per distinct
    (serves, delivery, distance, travel limit); then linear in the demand rows and the arcs.

    >>> from directory.loading import load
    >>> from matching.demand import Demand, DemandKey
    >>> d = load()
    >>> net = build_network(d, Demand.of([(DemandKey("fenland", "gambling"), 6)]),
    ...                     period="2026-11")
    >>> [(g.need, g.district, g.count, g.reason) for g in net.groups]
    [('gambling', 'fenland', 6, None)]
    >>> net.pathways
    ('gamcare-helpline', 'gamcare-treatment')
    """
    if travel_km is not None and not (math.isfinite(travel_km) and travel_km >= 0):
        raise InvalidArgumentError(f"travel_km must be 0 or more km, not {travel_km}")
    key, per = _span(period, demand)
    build = _Builder(directory, per)
    grouped = _group(build, _count(build, demand, travel_km))
    network, targets = _arcs(build, grouped)
    agency_of = directory.agency_of
    target_no = [-1] * len(build.active)  # pathway index -> target number
    for t, i in enumerate(targets):
        target_no[i] = t
    return GapNetwork(
        period=key,
        per=per,
        groups=tuple(grouped.groups),
        pathways=tuple(build.active[i].id for i in targets),
        agencies=tuple(agency_of[build.active[i].id].id for i in targets),
        network=network,
        reach={
            cell: frozenset(map(target_no.__getitem__, found))
            for cell, found in grouped.reach.items()
        },
    )


Cell = tuple[str, str, float, bool]
"""Need, district, travel limit and remote acceptance: the demand one set of tables decides."""


def _count(build: _Builder, demand: Demand, travel_km: float | None) -> dict[Cell, dict[int, int]]:
    """Units of demand by cell and by the eligibility profiles they pass (bits, see ``mask``)."""
    cells: dict[Cell, dict[int, int]] = defaultdict(dict)
    masks: dict[tuple[object, ...], int] = {}  # by the facts that decide eligibility
    facts_of = attrgetter("age", "gender", "offence", "disposal", "cohorts")
    cell_of = _cell_of(travel_km)
    for k, count in demand.rows:
        facts = facts_of(k)
        mask = masks.get(facts)
        if mask is None:
            mask = masks[facts] = build.mask(k)
        by_mask = cells[cell_of(k)]
        by_mask[mask] = by_mask.get(mask, 0) + count
    return cells


@dataclass(slots=True)
class _Grouped:
    """Groups and hubs of counted demand, before the arcs (see :func:`_group`).

    ``links`` gives, per group, the hubs it may use (by hub id); ``members``, per hub id, its
    pathways; ``users``, per hub id, how many groups use it (hubs used by fewer than two groups,
    or with fewer than two pathways, become direct arcs); ``reach``, per (need, district), the
    pathways (indices) in reach of some of its demand.
    """

    groups: list[Group] = field(default_factory=list)
    links: list[tuple[int, ...]] = field(default_factory=list)
    members: list[Members] = field(default_factory=list)
    users: list[int] = field(default_factory=list)
    reach: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))


def _cell_of(travel_km: float | None) -> Callable[[DemandKey], Cell]:
    """How to read the cell of a demand key: with its travel limit, or ``travel_km`` for all."""
    if travel_km is None:
        return attrgetter("need", "district", "travel_km", "accept_remote")

    def cell(k: DemandKey) -> Cell:
        return (k.need, k.district, travel_km, k.accept_remote)

    return cell


def _group(build: _Builder, cells: Mapping[Cell, Mapping[int, int]]) -> _Grouped:
    """Groups and hubs of counted demand, cell by cell in order (see :func:`build_network`)."""
    out = _Grouped()
    wide_hubs: dict[tuple[str, float, bool, int], int | None] = {}
    for cell in sorted(cells):
        _group_cell(build, cell, cells[cell], out, wide_hubs)
    return out


def _group_cell(
    build: _Builder,
    cell: Cell,
    by_mask: Mapping[int, int],
    out: _Grouped,
    wide_hubs: dict[tuple[str, float, bool, int], int | None],
) -> None:
    """Add the groups and hubs of one cell to ``out``; ``wide_hubs`` are shared between cells."""
    need, district, travel, remote = cell
    members, users = out.members, out.users
    local = build.local(district, travel, remote).get(need, {})
    wide_bits, wide = build.uniform(travel, remote).get(need, (0, []))
    # only the profiles of the pathways in reach matter here: people who pass the same of
    # those are one group
    relevant = _bits(local) | wide_bits
    merged: dict[int, int] = {}
    for mask, count in by_mask.items():
        mask &= relevant
        merged[mask] = merged.get(mask, 0) + count
    anyone = _bits_of(merged)  # the profiles some group of the cell passes
    reached = out.reach[(need, district)]
    cell_hubs: list[tuple[int, int]] = []  # (profile, hub id)
    for prof in sorted(local):
        pathways = local[prof]
        cell_hubs.append((prof, len(members)))
        members.append(pathways)
        users.append(0)
        if anyone >> prof & 1:
            reached.update(pathways[::2])
    if anyone & wide_bits:
        reached.update([i for i, prof, _ in wide if anyone >> prof & 1])
    for mask, count in sorted(merged.items()):
        hubs = [h for prof, h in cell_hubs if mask >> prof & 1]
        wide_key = (need, travel, remote, mask)
        if wide_key not in wide_hubs:
            shared = [x for i, prof, cost in wide if mask >> prof & 1 for x in (i, cost)]
            wide_hubs[wide_key] = len(members) if shared else None
            if shared:
                members.append(shared)
                users.append(0)
        wide_hub = wide_hubs[wide_key]
        if wide_hub is not None:
            hubs.append(wide_hub)
        for h in hubs:
            users[h] += 1
        reason: Reason | None = None
        if not hubs:
            if need not in build.provided:
                reason = "none_provided"
            elif not local and not wide:
                reason = "not_in_reach"
            else:
                reason = "not_eligible"
        out.groups.append(Group(need, district, count, reason))
        out.links.append(tuple(hubs))


def _arcs(build: _Builder, grouped: _Grouped) -> tuple[FlowNetwork, list[int]]:
    """The flow network of the groups, and the pathway index of each target.

    A hub pays off when two or more groups share two or more pathways; other hubs are inlined
    as direct arcs. A group's arcs are those to its hubs, then its direct arcs by pathway.
    """

    groups, links, members, users = grouped.groups, grouped.links, grouped.members, grouped.users
    n_groups, n_pathways = len(groups), len(build.active)
    hubs = [h for h, found in enumerate(members) if users[h] > 1 and len(found) > 2]
    hub_end = [-1] * len(members)  # hub id -> its end below, or -1 when inlined
    for n, h in enumerate(hubs):
        hub_end[h] = n_pathways + n
    # the end of each arc: a pathway index, or n_pathways + n for the n-th hub
    tails: list[int] = []
    ends: list[int] = []
    costs: list[int] = []
    for g, out in enumerate(links):
        direct: list[int] = []  # hub ids inlined
        for h in out:
            if hub_end[h] >= 0:
                tails.append(g)
                ends.append(hub_end[h])
                costs.append(0)
            else:
                direct.append(h)
        if direct:
            found = members[direct[0]] if len(direct) == 1 else _merged(members, direct)
            tails += repeat(g, len(found) // 2)
            ends += found[::2]
            costs += found[1::2]
    for h in hubs:
        found = members[h]
        tails += repeat(n_groups + hub_end[h] - n_pathways, len(found) // 2)
        ends += found[::2]
        costs += found[1::2]
    end = np.asarray(ends, dtype=np.int64)
    reached = np.zeros(n_pathways + len(hubs), dtype=np.bool_)
    reached[end] = True
    targets = np.flatnonzero(reached[:n_pathways])  # the pathways with arcs, increasing
    node = np.full(n_pathways + len(hubs), -1, dtype=np.int64)  # end -> node
    first_target = n_groups + len(hubs)
    node[targets] = np.arange(first_target, first_target + len(targets))
    node[n_pathways:] = np.arange(n_groups, first_target)
    chosen: list[int] = targets.tolist()
    network = FlowNetwork(
        supply=tuple([g.count for g in groups]),
        capacity=tuple([build.places[i] for i in chosen]),
        tails=tuple(tails),
        heads=tuple(node[end].tolist()),
        costs=tuple(costs),
        n_hubs=len(hubs),
    )
    return network, chosen


def _bits_of(masks: Iterable[int]) -> int:
    """The union of bit masks.

    >>> _bits_of([1, 4, 5])
    5
    """
    bits = 0
    for mask in masks:
        bits |= mask
    return bits


def _merged(members: Sequence[Members], chosen: Iterable[int]) -> Members:
    """The pathways of several hubs in one list, by index.

    >>> _merged([[1, 10, 4, 40], [2, 20]], [0, 1])
    [1, 10, 2, 20, 4, 40]
    """
    found: Members = []
    for h in chosen:
        found += members[h]
    pairs = sorted(zip(found[::2], found[1::2], strict=True))
    return [x for pair in pairs for x in pair]


# ------------------------------------------------------------------------------------ results
@dataclass(frozen=True, slots=True)
class CellGap:
    """Demand and what became of it for one need in one district.

    ``places_in_reach`` sums the places of every pathway in reach of this demand; they are shared
    with other needs and districts, so the figures of several cells do not add up.
    ``unlimited_in_reach`` is true when one of them records no limit. ``agencies`` are the
    agencies with places (or no recorded limit) in reach.
    """

    need: str
    district: str
    demand: int
    met: int
    unmet_none_provided: int
    unmet_not_in_reach: int
    unmet_not_eligible: int
    unmet_full: int
    places_in_reach: int
    unlimited_in_reach: bool
    agencies: tuple[str, ...]

    @property
    def unmet(self) -> int:
        """Units of demand not met, for any reason."""
        return self.demand - self.met

    def unmet_by(self, reason: Reason) -> int:
        """Units unmet for one reason."""
        value: int = getattr(self, f"unmet_{reason}")
        return value


@dataclass(frozen=True, slots=True)
class PathwayUse:
    """One active pathway in the period: its places (``None``: unlimited) and what is allocated."""

    pathway: str
    agency: str
    places: int | None
    allocated: int
    status: str

    @property
    def utilisation(self) -> float | None:
        """Allocated over places (``None`` when unlimited or no places)."""
        if self.places is None or self.places == 0:
            return None
        return self.allocated / self.places

    @property
    def saturated(self) -> bool:
        """True when every place is allocated (a closed pathway with demand in reach too)."""
        return self.places is not None and self.allocated >= self.places


@dataclass(frozen=True, slots=True)
class GapResult:
    """The answer of :func:`gaps`: cells (need x district), pathways, and the totals.

    ``cost`` is the total travel of the allocation in 100 m units; ``network`` and ``flow`` are
    kept for checking (they hold counts, never people).
    """

    period: str
    cells: tuple[CellGap, ...]
    pathways: tuple[PathwayUse, ...]
    engine: str
    cost: int
    network: GapNetwork = field(repr=False, compare=False)
    flow: FlowResult = field(repr=False, compare=False)

    @property
    def demand(self) -> int:
        """Units of demand in all."""
        return sum(c.demand for c in self.cells)

    @property
    def met(self) -> int:
        """Units met in all."""
        return sum(c.met for c in self.cells)

    @property
    def unmet(self) -> int:
        """Units unmet in all."""
        return sum(c.unmet for c in self.cells)

    def unmet_by(self, reason: Reason) -> int:
        """Units unmet for one reason, in all."""
        return sum(c.unmet_by(reason) for c in self.cells)

    def cell(self, need: str, district: str) -> CellGap | None:
        """The cell of a need and district (``None`` when there is no demand there)."""
        for c in self.cells:
            if c.need == need and c.district == district:
                return c
        return None

    def saturated(self) -> tuple[PathwayUse, ...]:
        """The pathways with every place allocated."""
        return tuple(u for u in self.pathways if u.saturated)


def summarise(directory: Directory, net: GapNetwork, flow: FlowResult) -> GapResult:
    """Turn a flow on a :class:`GapNetwork` into cells and pathway use (plain sums).

    Raises :class:`~directory.errors.InvalidArgumentError` when the flow does not fit the network.
    """
    network = net.network
    if len(flow.arc_flow) != network.n_arcs:
        raise InvalidArgumentError("the flow does not belong to this network")
    into, out_of = _moved(network, flow.arc_flow)
    capacity, agencies = network.capacity, net.agencies
    # each target's agency, or "" (no agency id) for a target without places
    with_places = ["" if c == 0 else a for a, c in zip(agencies, capacity, strict=True)]
    out: list[CellGap] = []
    for (need, district), c in sorted(_tally(net.groups, out_of).items()):
        targets = net.reach.get((need, district), frozenset())
        caps = list(map(capacity.__getitem__, targets))
        found = set(map(with_places.__getitem__, targets))
        found.discard("")
        out.append(
            CellGap(
                need=need,
                district=district,
                demand=c[0],
                met=c[1],
                unmet_none_provided=c[2],
                unmet_not_in_reach=c[3],
                unmet_not_eligible=c[4],
                unmet_full=c[5],
                places_in_reach=sum(filter(None, caps)),  # None: unlimited, and 0 adds nothing
                unlimited_in_reach=None in caps,
                agencies=tuple(sorted(found)),
            )
        )
    allocated = dict(zip(net.pathways, into, strict=True))
    uses = []
    places = _Places(net.per)
    for agency in directory.agencies:
        for pw in agency.pathways:
            if pw.active:
                uses.append(
                    PathwayUse(
                        pathway=pw.id,
                        agency=agency.id,
                        places=places(pw.capacity),
                        allocated=allocated.get(pw.id, 0),
                        status=pw.capacity.status if pw.capacity is not None else "open",
                    )
                )
    return GapResult(
        period=net.period,
        cells=tuple(out),
        pathways=tuple(uses),
        engine=flow.engine,
        cost=flow.cost,
        network=net,
        flow=flow,
    )


def _moved(network: FlowNetwork, arc_flow: Sequence[int]) -> tuple[list[int], list[int]]:
    """Units into each target, and out of each group (met), of a flow."""
    first, n_groups = network.n_groups + network.n_hubs, network.n_groups
    tails, heads = network.ends()
    flow = np.asarray(arc_flow, dtype=np.int64)
    moving = np.flatnonzero(flow)  # the arcs that carry flow
    into = np.zeros(network.n_targets, dtype=np.int64)
    out_of = np.zeros(n_groups, dtype=np.int64)
    to_target = moving[heads[moving] >= first]
    np.add.at(into, heads[to_target] - first, flow[to_target])
    from_group = moving[tails[moving] < n_groups]
    np.add.at(out_of, tails[from_group], flow[from_group])
    return into.tolist(), out_of.tolist()


_COLUMN: dict[Reason | None, int] = {None: 5, **{r: 2 + n for n, r in enumerate(REASONS)}}
"""Where units unmet for each reason are counted by :func:`_tally` (``None``: full)."""


def _tally(groups: Iterable[Group], met: Iterable[int]) -> dict[tuple[str, str], list[int]]:
    """Per (need, district): demand, met, then unmet for each reason, in :data:`REASONS` order."""
    cells: dict[tuple[str, str], list[int]] = {}
    column = _COLUMN
    for group, units in zip(groups, met, strict=True):
        key = (group.need, group.district)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = [0] * (2 + len(REASONS))
        count = group.count
        cell[0] += count
        cell[1] += units
        cell[column[group.reason]] += count - units
    return cells


def gaps(
    directory: Directory,
    demand: Demand,
    *,
    period: str | Period | None = None,
    travel_km: float | None = None,
    engine: Engine = "auto",
) -> GapResult:
    """Allocate ``demand`` to the places it can reach, exactly, and say where it falls short.

    Exact: the most units met, then the least total travel (see the module notes); ties between
    allocations of equal value and travel are broken by the engine, deterministically.
    ``period`` defaults to the demand's; ``travel_km`` replaces every person's travel limit.

    >>> from directory.loading import load
    >>> from matching.demand import Demand, DemandKey
    >>> d = load()
    >>> demand = Demand.of([(DemandKey("fenland", "gambling"), 6),
    ...                     (DemandKey("fenland", "sex_work_exploitation", age=14), 5)])
    >>> r = gaps(d, demand, period="2026-11")
    >>> r.met + r.unmet == r.demand == 11
    True
    """
    net = build_network(directory, demand, period=period, travel_km=travel_km)
    return summarise(directory, net, allocate(net.network, engine=engine))


def groups_of(result: GapResult) -> Iterable[tuple[Group, int]]:
    """Each group of the result's network with the units met (for checks and explanations)."""
    network = result.network.network
    for g, group in enumerate(result.network.groups):
        yield group, sum(result.flow.arc_flow[a] for a in network.arcs_out(g))
