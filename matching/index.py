"""One compiled, frozen index of a directory snapshot, built once and shared.

:func:`build_index` reads a :class:`~directory.models.Directory` once and lays it out for the
decisions that follow: the need bits, the slots of pathways and agencies, the distinct
eligibility profiles and the ages where any rule changes, the pathways serving each district
and taking each need, the sites as arrays with each pathway's sites, and a grid of sites. The
matcher (:mod:`matching.match`) keeps one; nothing in it changes after it is built, so one index
may be shared by any number of threads or matchers, and pickled to other processes.

>>> from directory.loading import load
>>> ix = build_index(load())
>>> ix.bit["accommodation"] == 1 << ix.need_ids.index("accommodation")
True
>>> [ix.pathways[i].id for i in ix.looked_at("fenland", 52.66, 0.16, [ix.bit["gambling"]], 25.0)]
['gamcare-helpline', 'gamcare-treatment']

Words
-----
*slot*: a pathway's position among the active pathways in id order (so slot order is id order
and breaks ties as ids do); *agency slot* likewise among agencies; *site slot* among sites in id
order. Hidden sites count at their district's centre (:func:`directory.places.site_point`).

*Serving a district*: the district is in the pathway's list (or it lists ``all``). A pathway
*serves everywhere* when it serves every district, or lists none and is delivered by phone or
online: whoever the person is, it is looked at. Other pathways delivered in person are also
found through the grid: cells of about 9 km holding their sites.

*Levels* (:mod:`matching.fit`): a need some pathway meets with residential, crisis or refuge
provision (L4) has a second bit, ``need:urgent``. An urgent need takes that bit (met by L3 or L4
provision), an ordinary one the need's own (met by L1-L3): L4 provision is a candidate only for
needs assessed urgent. Per pathway the index also keeps the needs that are its specialism, the
urgent needs it meets at L4, and whether it is women's or youth provision: the fit points.

Masks are int64 arrays while the taxonomy (with its urgent bits) holds at most 62 needs, Python
ints in object arrays beyond that (slower, the same answers).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from directory.models import level_rank
from directory.places import EARTH_RADIUS_KM, Sites, nearest_sites, site_point
from matching.eligibility import OPTIONAL_FACTS, profile

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    import numpy.typing as npt

    from directory.models import Directory, Eligibility, Pathway
    from matching.eligibility import EligibilityFacts

__all__ = ["CELL_LAT", "CELL_LON", "Index", "build_index", "cell_of"]

CELL_LAT = 0.08  # grid cell, degrees (about 9 km north-south)
CELL_LON = 0.13  # about 9 km east-west at 52 degrees north
_EMPTY = np.zeros(0, dtype=np.int64)

Slots = Any  # npt.NDArray[np.int64] (Any: numpy's annotations vary between versions)
Flags = Any  # npt.NDArray[np.bool_]


def cell_of(lat: float, lon: float) -> tuple[int, int]:
    """The grid cell holding a point.

    >>> cell_of(52.66, 0.16)
    (658, 1)
    """
    return math.floor(lat / CELL_LAT), math.floor(lon / CELL_LON)


@dataclass(frozen=True, slots=True, eq=False)
class Index:
    """A directory snapshot compiled for matching and gaps (see the module notes).

    Per-pathway fields are arrays indexed by slot. Read-only: built by :func:`build_index`.
    """

    directory: Directory
    need_ids: tuple[str, ...]
    bit: Mapping[str, int]  # need id (or need:urgent) -> its bit in masks
    urgent_bit: Mapping[str, int]  # need id -> its urgent bit (needs with L4 provision)
    base: Mapping[str, str]  # need id or need:urgent -> need id
    label: Mapping[str, str]  # need id or need:urgent -> label
    centre: Mapping[str, tuple[float, float]]  # district id -> centre (lat, lon)
    pathways: tuple[Pathway, ...]  # active, id order: a pathway's slot is its position
    slot: Mapping[str, int]
    agency_ids: tuple[str, ...]  # id order: an agency's slot is its position
    agency_slot: Mapping[str, int]
    agency_name: Mapping[str, str]
    profiles: tuple[Eligibility, ...]  # the distinct eligibility rules
    age_edges: tuple[int, ...]  # ages where some rule starts or stops applying
    named: frozenset[str | None]  # genders, cohorts, offences, disposals some rule names
    mask: Slots  # needs taken (an L4 need only as need:urgent; see the module notes)
    spec: Slots  # needs (and urgent bits) that are the pathway's specialism
    l4: Slots  # urgent bits of the needs it meets at L4
    women: Flags  # women's provision (audience women focus or only)
    youth: Flags  # youth provision (audience under_18 focus or only)
    youth_justice: Mapping[str, frozenset[int]]  # district -> youth justice agencies serving it
    agency: Slots
    prof: Slots  # eligibility profile
    served: tuple[frozenset[str], ...]  # districts served
    serves_all: Flags  # serves every district
    listed: Flags  # lists districts (or all)
    in_person: Flags
    outreach: Flags
    phone: Flags
    online: Flags
    site_start: Slots  # pathway i's sites: site_flat[site_start[i]:site_start[i + 1]]
    site_flat: Slots  # site slots, id order within each pathway
    site_ids: tuple[str, ...]
    site_name: tuple[str, ...]
    site_hidden: tuple[bool, ...]
    site_slot: Mapping[str, int]
    site_points: tuple[tuple[float, float], ...]  # where each site counts as being
    sites: Sites
    serving: Mapping[str, Mapping[int, Slots]]  # district -> need bit -> slots serving it
    serving_local: Mapping[str, Slots]  # district -> slots serving it, not every district
    by_need: Mapping[int, Slots]  # need bit -> slots taking it
    grid: Mapping[tuple[int, int], int]  # cell holding a site -> its number k
    grid_start: Slots  # cell k's pathways: grid_slots[grid_start[k]:grid_start[k + 1]]
    grid_slots: Slots  # in person, not everywhere, with a site in the cell; ascending per cell

    # ------------------------------------------------------------------------- look-ups
    def needs_of(self, mask: int) -> tuple[str, ...]:
        """The need ids of a mask, in taxonomy order."""
        return tuple(n for n, b in self.bit.items() if mask & b)

    def facts_key(self, facts: EligibilityFacts) -> tuple[Any, ...]:
        """The eligibility facts of a person as far as this directory's rules tell them apart.

        Ages in the same band between two age limits of any rule, and genders, cohorts,
        offences or disposals that no rule names, behave the same in every check and every
        reason (:func:`matching.eligibility.check` words a failure from the rule, and from the
        fact only when the fact is missing or names an excluded offence).
        """
        named = self.named
        return (
            bisect_right(self.age_edges, facts.age),
            facts.gender if facts.gender in named or facts.gender is None else "",
            (tuple(c for c in facts.cohorts if c in named), bool(facts.cohorts)),
            facts.offence if facts.offence in named or facts.offence is None else "",
            facts.disposal if facts.disposal in named or facts.disposal is None else "",
            tuple(bool(getattr(facts, f, False)) for f in OPTIONAL_FACTS),
        )

    def serves(self, district: str, slots: Slots) -> Flags:
        """Whether each pathway of ``slots`` serves ``district`` (every district, or listed)."""
        out: Flags = self.serves_all[slots]
        mine = self.serving_local[district]
        if len(mine) and len(slots):
            at = np.minimum(np.searchsorted(mine, slots), len(mine) - 1)
            out = out | (mine[at] == slots)
        return out

    def nearest(
        self, point: tuple[float, float], slots: Slots
    ) -> tuple[npt.NDArray[np.float64], Slots]:
        """Each pathway's nearest site from ``point``: km (inf without sites) and site slot
        (-1: none); ties to the smaller site id (:func:`directory.places.nearest_sites`)."""
        return nearest_sites(point, self.sites, self.site_start, self.site_flat, slots)

    # ------------------------------------------------------------------------- the grid
    def cells(self, lat: float, lon: float, km: float) -> list[tuple[int, int]]:
        """Grid cells holding a site, that may hold a point within ``km`` (great-circle) of
        (lat, lon): every such cell (a superset of those needed)."""
        dlat = math.degrees(km / EARTH_RADIUS_KM) * 1.0001 + 1e-9
        top = min(90.0, abs(lat) + dlat)
        cos_top = math.cos(math.radians(top))
        arg = math.sin(km / (2 * EARTH_RADIUS_KM)) / cos_top if cos_top > 1e-12 else 2.0
        dlon = 180.0 if arg >= 1 else math.degrees(2 * math.asin(arg)) * 1.0001 + 1e-9
        y0, y1 = math.floor((lat - dlat) / CELL_LAT), math.floor((lat + dlat) / CELL_LAT)
        x0, x1 = math.floor((lon - dlon) / CELL_LON), math.floor((lon + dlon) / CELL_LON)
        grid = self.grid
        if (y1 - y0 + 1) * (x1 - x0 + 1) > len(grid):
            return list(grid)
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
            south, north = y * CELL_LAT, (y + 1) * CELL_LAT
            gap = south - lat if lat < south else lat - north if lat > north else 0.0
            h_lat = math.sin(math.radians(gap) / 2) ** 2
            if h_lat <= limit:
                low = min(math.cos(math.radians(south)), math.cos(math.radians(north)))
                rows.append((y, h_lat, cos_lat * max(low, 0.0)))
        cols: list[tuple[int, float]] = []
        for x in range(x0, x1 + 1):
            west, east = x * CELL_LON, (x + 1) * CELL_LON
            gap = west - lon if lon < west else lon - east if lon > east else 0.0
            cols.append((x, math.sin(math.radians(gap) / 2) ** 2))
        return [
            (y, x)
            for y, h_lat, weight in rows
            for x, h_lon in cols
            if h_lat + weight * h_lon <= limit and (y, x) in grid
        ]

    def looked_at(
        self, district: str, lat: float, lon: float, bits: Sequence[int], km: float
    ) -> Slots:
        """Pathways taking one of the needs ``bits`` that serve ``district`` (there or
        everywhere), or are delivered in person at a site in a grid cell that may lie within
        ``km`` of (lat, lon): slots, each once, ascending. A superset of the pathways that can
        reach the person."""
        serving = self.serving[district]
        parts = [serving.get(b, _EMPTY) for b in bits]
        grid = self.grid
        cells = np.array([grid[c] for c in self.cells(lat, lon, km)], dtype=np.int64)
        if len(cells):
            first = self.grid_start[cells]
            counts = self.grid_start[cells + 1] - first
            total = int(counts.sum())
            offsets = np.cumsum(counts) - counts
            near = self.grid_slots[np.repeat(first - offsets, counts) + np.arange(total)]
            universe = 0
            for b in bits:
                universe |= b
            parts.append(near[(self.mask[near] & universe) != 0])
        if not parts:
            return _EMPTY
        found: Slots = np.unique(np.concatenate(parts))
        return found


def _slots(values: Iterable[int]) -> Slots:
    return np.array(sorted(set(values)), dtype=np.int64)


def build_index(directory: Directory) -> Index:
    """Compile ``directory`` (never modified) into an :class:`Index`.

    ``O(pathways x (needs + districts + sites))`` time and memory.
    """
    d = directory
    need_ids = tuple(n.id for n in d.needs)
    pathways = tuple(sorted((p for p in d.pathways if p.active), key=lambda p: p.id))
    l4_needs = {n for p in pathways for n in p.needs if p.level_of(n) == "residential"}
    urgent_needs = tuple(n for n in need_ids if n in l4_needs)
    keys = need_ids + tuple(f"{n}:urgent" for n in urgent_needs)
    bit = {k: 1 << i for i, k in enumerate(keys)}
    urgent_bit = {n: bit[f"{n}:urgent"] for n in urgent_needs}
    label = {n.id: n.label for n in d.needs}
    for n in urgent_needs:
        label[f"{n}:urgent"] = f"{label[n]} (urgent)"
    wide = len(keys) > 62  # masks as Python ints
    centre = {x.id: (x.lat, x.lon) for x in d.districts}
    all_districts = frozenset(centre)
    agency_ids = tuple(sorted(a.id for a in d.agencies))
    agency_slot = {a: i for i, a in enumerate(agency_ids)}
    sites = sorted(d.site_by_id.values(), key=lambda s: s.id)
    site_slot = {s.id: i for i, s in enumerate(sites)}
    site_points = tuple(site_point(d, s) for s in sites)

    profiles: dict[tuple[object, ...], int] = {}
    rules: list[Eligibility] = []
    edges: set[int] = {18}  # under-18s only through youth provision (eligibility, youth)
    masks: list[int] = []
    specs: list[int] = []
    l4s: list[int] = []
    prof: list[int] = []
    served: list[frozenset[str]] = []
    listed: list[bool] = []
    everywhere: list[bool] = []
    site_lists: list[list[int]] = []
    serving: dict[str, dict[int, list[int]]] = {x: {} for x in centre}
    by_need: dict[int, list[int]] = {}
    grid: dict[tuple[int, int], set[int]] = {}
    agency_of = d.agency_of
    for i, p in enumerate(pathways):
        mask = spec = l4 = 0
        for need in p.needs:
            rank = level_rank(p.level_of(need))
            own = bit.get(need, 0) if rank < 4 else 0
            urgent = urgent_bit.get(need, 0) if rank >= 3 else 0
            mask |= own | urgent
            if rank == 4:
                l4 |= urgent
            if p.specialism(need):
                spec |= own | urgent
        masks.append(mask)
        specs.append(spec)
        l4s.append(l4)
        key = profile(p.eligibility)
        if key not in profiles:
            profiles[key] = len(rules)
            rules.append(p.eligibility)
        prof.append(profiles[key])
        if p.eligibility.min_age is not None:
            edges.add(p.eligibility.min_age)
        if p.eligibility.max_age is not None:
            edges.add(p.eligibility.max_age + 1)
        mine = frozenset(d.served_districts(p))
        served.append(mine)
        is_listed = p.districts == "all" or bool(p.districts)
        listed.append(is_listed)
        ev = mine >= all_districts or (not is_listed and p.remote)
        everywhere.append(ev)
        site_lists.append(sorted({site_slot[s] for s in p.sites if s in site_slot}))
        bits = [b for b in bit.values() if mask & b]
        for b in bits:
            by_need.setdefault(b, []).append(i)
            for x in all_districts if ev else mine & all_districts:
                serving[x].setdefault(b, []).append(i)
        if "in_person" in p.delivery and not ev and mask:
            for t in site_lists[i]:
                grid.setdefault(cell_of(*site_points[t]), set()).add(i)
    cells = sorted(grid)
    grid_start = np.zeros(len(cells) + 1, dtype=np.int64)
    grid_start[1:] = np.cumsum([len(grid[c]) for c in cells])
    counts = [len(s) for s in site_lists]
    site_start = np.zeros(len(pathways) + 1, dtype=np.int64)
    site_start[1:] = np.cumsum(counts)
    delivery = [p.delivery for p in pathways]
    named: frozenset[str | None] = frozenset(
        ["female"]  # women-only audiences and women's provision tell women apart
    ) | frozenset(
        v
        for r in rules
        for v in (*r.genders, *r.cohorts, *r.offences, *r.excluded_offences, *r.disposals)
    )
    youth_justice = {
        x: frozenset(
            agency_slot[a.id]
            for a in d.agencies
            if a.youth_justice and any(x in d.served_districts(p) for p in a.pathways)
        )
        for x in centre
    }
    return Index(
        directory=d,
        need_ids=need_ids,
        bit=bit,
        urgent_bit=urgent_bit,
        base={k: k.partition(":")[0] for k in keys},
        label=label,
        centre=centre,
        pathways=pathways,
        slot={p.id: i for i, p in enumerate(pathways)},
        agency_ids=agency_ids,
        agency_slot=agency_slot,
        agency_name={a.id: a.name for a in d.agencies},
        profiles=tuple(rules),
        age_edges=tuple(sorted(edges)),
        named=named,
        mask=np.array(masks, dtype=object if wide else np.int64),
        spec=np.array(specs, dtype=object if wide else np.int64),
        l4=np.array(l4s, dtype=object if wide else np.int64),
        women=np.array([p.eligibility.audience.women != "open" for p in pathways], dtype=bool),
        youth=np.array([p.eligibility.audience.under_18 != "open" for p in pathways], dtype=bool),
        youth_justice=youth_justice,
        agency=np.array([agency_slot[agency_of[p.id].id] for p in pathways], dtype=np.int64),
        prof=np.array(prof, dtype=np.int64),
        served=tuple(served),
        serves_all=np.array([s >= all_districts for s in served], dtype=bool),
        listed=np.array(listed, dtype=bool),
        in_person=np.array(["in_person" in x for x in delivery], dtype=bool),
        outreach=np.array(["outreach" in x for x in delivery], dtype=bool),
        phone=np.array(["phone" in x for x in delivery], dtype=bool),
        online=np.array(["online" in x for x in delivery], dtype=bool),
        site_start=site_start,
        site_flat=np.array([t for s in site_lists for t in s], dtype=np.int64),
        site_ids=tuple(s.id for s in sites),
        site_name=tuple(s.name for s in sites),
        site_hidden=tuple(s.hidden for s in sites),
        site_slot=site_slot,
        site_points=site_points,
        sites=Sites.of(site_points),
        serving={x: {b: _slots(v) for b, v in m.items()} for x, m in serving.items()},
        serving_local={
            x: _slots([i for v in m.values() for i in v if not everywhere[i]])
            for x, m in serving.items()
        },
        by_need={b: _slots(v) for b, v in by_need.items()},
        grid={c: k for k, c in enumerate(cells)},
        grid_start=grid_start,
        grid_slots=np.array([i for c in cells for i in sorted(grid[c])], dtype=np.int64),
    )
