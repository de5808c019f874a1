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
from operator import attrgetter
from typing import TYPE_CHECKING, Literal

from directory.errors import InvalidArgumentError
from directory.graph import places_per_month
from directory.places import EARTH_RADIUS_KM
from matching.demand import period_kind
from matching.eligibility import PersonFacts, check, profile
from matching.flow import FlowNetwork, FlowResult, allocate
from matching.periods import Period
from matching.reach import site_point
from matching.reach import travel as way_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

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
    """Sites of in-person pathways in buckets of a quarter degree, to find those near a point."""

    CELL = 0.25  # degrees

    def __init__(self, points: Iterable[tuple[float, float, int]]) -> None:
        self.buckets: dict[tuple[int, int], list[tuple[float, float, int]]] = defaultdict(list)
        for lat, lon, i in points:
            self.buckets[(math.floor(lat / self.CELL), math.floor(lon / self.CELL))].append(
                (lat, lon, i)
            )

    def near(self, lat: float, lon: float, km: float) -> set[int]:
        """Indices of pathways with a site possibly within ``km`` (a superset, never fewer).

        Great-circle distance on a sphere is at least the meridian offset (``R |dlat|``) and,
        between latitudes within ``top`` of the equator, at least ``2R asin(cos(top)
        sin(|dlon|/2))``: both bounds are used with a margin.
        """
        if not self.buckets or km < 0:
            return set()
        angle = km / EARTH_RADIUS_KM * 1.001 + 1e-9  # radians
        dlat = math.degrees(angle)
        top = min(89.9, abs(lat) + dlat)
        ratio = math.sin(angle / 2) / math.cos(math.radians(top))
        dlon = 360.0 if ratio >= 1 else math.degrees(2 * math.asin(ratio))
        c = self.CELL
        rows = range(math.floor((lat - dlat) / c), math.floor((lat + dlat) / c) + 1)
        cols = range(math.floor((lon - dlon) / c), math.floor((lon + dlon) / c) + 1)
        if len(rows) * len(cols) > len(self.buckets):  # a wide search: look at every bucket
            keys = list(self.buckets)
        else:
            keys = [(y, x) for y in rows for x in cols]
        found: set[int] = set()
        for key in keys:
            for plat, plon, i in self.buckets.get(key, ()):
                if abs(plat - lat) <= dlat and abs((plon - lon + 180.0) % 360.0 - 180.0) <= dlon:
                    found.add(i)
        return found


def _angles(lat: float, lon: float) -> tuple[float, float, float]:
    """A point as :func:`_haversine` takes it: (lat, lon, cos lat), angles in radians."""
    y = math.radians(lat)
    return y, math.radians(lon), math.cos(y)


def _haversine(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """:func:`directory.places.haversine_km` on points given as (lat, lon, cos lat) in radians.

    The same operations in the same order, so the same float to the last bit; the radians and
    cosines are worked out once per point instead of once per pair.

    >>> from directory.places import haversine_km
    >>> p, q = (52.57364, -0.24777), (52.2, 0.11667)
    >>> _haversine(_angles(*p), _angles(*q)) == haversine_km(p, q)
    True
    """
    lat1, lon1, cos1 = a
    lat2, lon2, cos2 = b
    h = math.sin((lat2 - lat1) / 2) ** 2 + cos1 * cos2 * math.sin((lon2 - lon1) / 2) ** 2
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


Entry = tuple[int, int, int]
"""A pathway in reach: (pathway index, eligibility profile, cost in 100 m units)."""


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
            {r.min_age for r in self.rules if r.min_age is not None}
            | {r.max_age + 1 for r in self.rules if r.max_age is not None}
        )
        self.places = [places_in_period(p.capacity, per) for p in self.active]
        self.provided = {n for p in self.active for n in p.needs}
        self.listed = [p.districts == "all" or bool(p.districts) for p in self.active]
        self.by_district: dict[str, list[int]] = defaultdict(list)
        self.everywhere: list[int] = []
        points: list[tuple[float, float, int]] = []
        self.site_points: list[list[tuple[float, float]]] = []
        # the same points in radians, with the cosine of the latitude (for _haversine)
        self.site_angles: list[list[tuple[float, float, float]]] = []
        for i, p in enumerate(self.active):
            if p.districts == "all":
                self.everywhere.append(i)
            else:
                for district in p.districts:
                    self.by_district[district].append(i)
            spots = [site_point(directory, s) for s in directory.sites_of(p)]
            self.site_points.append(spots)
            self.site_angles.append([_angles(lat, lon) for lat, lon in spots])
            if "in_person" in p.delivery:
                points.extend((lat, lon, i) for lat, lon in spots)
        self.sites = _Sites(points)
        # pathways whose reach cannot depend on the district: every district served (or none
        # listed) and no site; and, for people who accept remote delivery, every pathway that
        # serves every district (or lists none) by phone or online (remote travel is 0)
        wide = [i for i, p in enumerate(self.active) if p.districts == "all" or not p.districts]
        self.siteless = {i for i in wide if not self.site_points[i]}
        self.remote = {i for i in wide if self.active[i].remote}
        self.unlisted = [i for i in wide if self.active[i].districts != "all"]
        self._masks: dict[tuple[object, ...], int] = {}
        self._uniform: dict[tuple[float, bool], dict[str, list[Entry]]] = {}
        self._near: dict[tuple[str, float], list[tuple[int, bool, float | None]]] = {}
        self._local: dict[tuple[str, float, bool], dict[str, list[Entry]]] = {}

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

    def _entry(self, i: int, km: float) -> Entry:
        return (i, self.profile_of[i], round(km / COST_UNIT_KM))

    def uniform(self, travel_km: float, accept_remote: bool) -> dict[str, list[Entry]]:
        """Pathways that reach every district at the same cost, by need (see the notes)."""
        memo = (travel_km, accept_remote)
        found = self._uniform.get(memo)
        if found is not None:
            return found
        chosen: dict[int, float] = {}
        for i in sorted(self.siteless):
            p = self.active[i]
            way = way_of(
                serves=p.districts == "all",
                listed=self.listed[i],
                delivery=p.delivery,
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
            for need in self.active[i].needs:
                table[need].append(self._entry(i, chosen[i]))
        out = dict(table)
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
        here = _angles(centre.lat, centre.lon)
        out: list[tuple[int, bool, float | None]] = []
        for i in sorted((serving | near | set(self.unlisted)) - self.siteless):
            spots = self.site_angles[i]
            km = min(_haversine(here, s) for s in spots) if spots else None
            out.append((i, i in serving, km))
        self._near[memo] = out
        return out

    def local(self, district: str, travel_km: float, accept_remote: bool) -> dict[str, list[Entry]]:
        """The other pathways reaching a district, by need: (index, profile, cost)."""
        memo = (district, travel_km, accept_remote)
        found = self._local.get(memo)
        if found is not None:
            return found
        table: dict[str, list[Entry]] = defaultdict(list)
        if district in self.directory.district_by_id:
            skip = self.remote if accept_remote else set()
            for i, serves, km in self._candidates(district, travel_km):
                if i in skip:
                    continue
                p = self.active[i]
                way = way_of(
                    serves=serves,
                    listed=self.listed[i],
                    delivery=p.delivery,
                    nearest=None if km is None else ("", km),
                    centre_km=0.0,
                    travel_km=travel_km,
                    accept_remote=accept_remote,
                )
                if way is not None:
                    entry = self._entry(i, way[0])
                    for need in p.needs:
                        table[need].append(entry)
        out = dict(table)
        self._local[memo] = out
        return out


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

    Running time: one eligibility check per profile and distinct facts, one reach decision per
    candidate pathway and distinct (district, travel limit, remote), then linear in the arcs.

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
    cells: dict[tuple[str, str, float, bool], dict[int, int]] = defaultdict(dict)
    masks: dict[tuple[object, ...], int] = {}  # by the facts that decide eligibility
    facts_of = attrgetter("age", "gender", "offence", "disposal", "cohorts")
    cell_of = attrgetter("need", "district", "travel_km", "accept_remote")
    for k, count in demand.rows:
        facts = facts_of(k)
        mask = masks.get(facts)
        if mask is None:
            mask = masks[facts] = build.mask(k)
        cell = cell_of(k)
        if travel_km is not None:
            cell = (cell[0], cell[1], travel_km, cell[3])
        by_mask = cells[cell]
        by_mask[mask] = by_mask.get(mask, 0) + count

    groups: list[Group] = []
    links: list[list[int]] = []  # per group: the hubs it may use (by id; some inlined below)
    members: list[list[tuple[int, int]]] = []  # per hub id: (pathway index, cost)
    users: list[int] = []  # per hub id: how many groups use it
    wide_hubs: dict[tuple[str, float, bool, int], int | None] = {}
    cell_reach: dict[tuple[str, str], set[int]] = defaultdict(set)  # pathway indices
    for cell in sorted(cells):
        need, district, travel, remote = cell
        local = build.local(district, travel, remote).get(need, [])
        wide = build.uniform(travel, remote).get(need, [])
        by_profile: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for i, prof, cost in local:
            by_profile[prof].append((i, cost))
        cell_hubs: list[tuple[int, int]] = []  # (profile, hub id)
        for prof in sorted(by_profile):
            cell_hubs.append((prof, len(members)))
            members.append(by_profile[prof])
            users.append(0)
        # only the profiles of the pathways in reach matter here: people who pass the same of
        # those are one group
        relevant = 0
        for _, prof, _ in (*local, *wide):
            relevant |= 1 << prof
        merged: dict[int, int] = defaultdict(int)
        for mask, count in cells[cell].items():
            merged[mask & relevant] += count
        anyone = 0  # the profiles some group of the cell passes
        for mask in merged:
            anyone |= mask
        reached = cell_reach[(need, district)]
        reached.update(i for i, prof, _ in local if anyone >> prof & 1)
        reached.update(i for i, prof, _ in wide if anyone >> prof & 1)
        for mask, count in sorted(merged.items()):
            out = [h for prof, h in cell_hubs if mask >> prof & 1]
            wide_key = (need, travel, remote, mask)
            if wide_key not in wide_hubs:
                shared = [(i, cost) for i, prof, cost in wide if mask >> prof & 1]
                wide_hubs[wide_key] = len(members) if shared else None
                if shared:
                    members.append(shared)
                    users.append(0)
            wide_hub = wide_hubs[wide_key]
            if wide_hub is not None:
                out.append(wide_hub)
            for h in out:
                users[h] += 1
            reason: Reason | None = None
            if not out:
                if need not in build.provided:
                    reason = "none_provided"
                elif not local and not wide:
                    reason = "not_in_reach"
                else:
                    reason = "not_eligible"
            groups.append(Group(need, district, count, reason))
            links.append(out)

    # a hub pays off when two or more groups share two or more pathways; else arcs go direct
    hubs = [h for h, m in enumerate(members) if users[h] > 1 and len(m) > 1]
    hub_no = dict.fromkeys(range(len(members)), -1)
    hub_no.update({h: len(groups) + n for n, h in enumerate(hubs)})
    used = sorted({i for h, m in enumerate(members) if users[h] for i, _ in m})
    first_target = len(groups) + len(hubs)
    node = {i: first_target + t for t, i in enumerate(used)}
    tails: list[int] = []
    heads: list[int] = []
    costs: list[int] = []
    for g, out in enumerate(links):
        direct: list[tuple[int, int]] = []
        for h in out:
            if hub_no[h] >= 0:
                tails.append(g)
                heads.append(hub_no[h])
                costs.append(0)
            else:
                direct.extend(members[h])
        direct.sort()
        tails.extend([g] * len(direct))
        heads.extend(node[i] for i, _ in direct)
        costs.extend(cost for _, cost in direct)
    for h in hubs:
        tails.extend([hub_no[h]] * len(members[h]))
        heads.extend(node[i] for i, _ in members[h])
        costs.extend(cost for _, cost in members[h])
    targets = used
    network = FlowNetwork(
        supply=tuple(g.count for g in groups),
        capacity=tuple(build.places[i] for i in targets),
        tails=tuple(tails),
        heads=tuple(heads),
        costs=tuple(costs),
        n_hubs=len(hubs),
    )
    agency_of = directory.agency_of
    target_no = {i: t for t, i in enumerate(targets)}  # pathway index -> target number
    return GapNetwork(
        period=key,
        per=per,
        groups=tuple(groups),
        pathways=tuple(build.active[i].id for i in targets),
        agencies=tuple(agency_of[build.active[i].id].id for i in targets),
        network=network,
        reach={
            cell: frozenset(map(target_no.__getitem__, found)) for cell, found in cell_reach.items()
        },
    )


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
    first = network.n_groups + network.n_hubs
    n_groups, arc_flow = network.n_groups, flow.arc_flow
    into = [0] * len(net.pathways)
    out_of = [0] * n_groups  # units met, by group
    for u, v, f in zip(network.tails, network.heads, arc_flow, strict=True):
        if f:
            if v >= first:
                into[v - first] += f
            if u < n_groups:
                out_of[u] += f
    cells: dict[tuple[str, str], dict[str, int]] = {}
    for g, group in enumerate(net.groups):
        key = (group.need, group.district)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = dict.fromkeys(("demand", "met", *REASONS), 0)
        met = out_of[g]
        cell["demand"] += group.count
        cell["met"] += met
        cell[group.reason or "full"] += group.count - met
    out: list[CellGap] = []
    for (need, district), c in sorted(cells.items()):
        targets = net.reach.get((need, district), frozenset())
        caps = [network.capacity[t] for t in targets]
        out.append(
            CellGap(
                need=need,
                district=district,
                demand=c["demand"],
                met=c["met"],
                unmet_none_provided=c["none_provided"],
                unmet_not_in_reach=c["not_in_reach"],
                unmet_not_eligible=c["not_eligible"],
                unmet_full=c["full"],
                places_in_reach=sum(x for x in caps if x is not None),
                unlimited_in_reach=any(x is None for x in caps),
                agencies=tuple(
                    sorted({net.agencies[t] for t in targets if network.capacity[t] != 0})
                ),
            )
        )
    allocated = dict(zip(net.pathways, into, strict=True))
    uses = []
    per = net.per
    for agency in directory.agencies:
        for pw in agency.pathways:
            if pw.active:
                uses.append(
                    PathwayUse(
                        pathway=pw.id,
                        agency=agency.id,
                        places=places_in_period(pw.capacity, per),
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
