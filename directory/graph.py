"""The directory as a networkx graph: need - pathway - agency - district - site.

:func:`to_graph` turns a :class:`~directory.models.Directory` into a :class:`networkx.DiGraph`;
the query functions below answer the questions planners ask of it. They are written like networkx
algorithms: the graph first, options as keywords, plain data back (ids without their kind prefix,
sorted), and the graph is never changed.

Why a `DiGraph` and not a `MultiDiGraph`: every edge joins two nodes of different kinds, and
each pair of kinds has exactly one relation, so two nodes are never joined twice; a `DiGraph`
says so, makes `G.edges[u, v]` unambiguous, and works with every networkx algorithm, including
the flow algorithms (`maximum_flow` refuses multigraphs).

Schema
------
Node ids are the record id prefixed by its kind (`need:alcohol`, `district:fenland`); :func:`node`
builds one. Every node has `kind`, `id` and `label` (a need's or district's label, a name).

| kind | made from | other attributes |
|---|---|---|
| need | each need of needs.yaml | group |
| pathway | every pathway | agency, active, delivery, remote, status, places_per_month [1] |
| agency | each agency file | agency_kind (statutory, nhs, police, ...) |
| district | each district of localities.yaml | area, lat, lon (the centre) |
| site | every site, hidden too | agency, district, hidden, approximate, lat [2], lon [2] |

| edge | relation | attributes |
|---|---|---|
| need -> pathway | addressed_by | |
| pathway -> agency | run_by | |
| pathway -> district | serves | capacity [1] (places per month), distance_km [3] |
| pathway -> site | delivered_at | |

1. Absent when the pathway records no capacity (or no places). `places_per_month` and `capacity`
   count a week as 52/12 of a month and a quarter as three months. networkx flow functions read an
   absent `capacity` as unlimited. `remote` means delivered online or by phone; `delivery` is the
   delivery modes joined by commas (`in_person,phone`): every attribute is a scalar, so the graph
   can be written out with `nx.write_graphml`.
2. Absent on hidden sites (refuges), so that a graph written out does not publish them.
3. From the district centre to the pathway's nearest site (geodesic); 0 when the pathway is
   delivered online, by phone or by outreach; absent when it is in person and has no site.

`capacity` on a `serves` edge is the pathway's whole capacity, shared by every district it serves,
not a share of it: a flow model must bound the pathway, not each edge. Capacity is nominal: a
closed pathway keeps its places and says `status="closed"` on its node.

Distances are measured to hidden sites too, since a person referred there travels there: the graph
is an analysis view, not a publication.

>>> from directory.loading import load
>>> G = to_graph(load())
>>> G.nodes["need:alcohol"]["kind"], G.nodes["district:fenland"]["label"]
('need', 'Fenland')
>>> "cgl-cambridgeshire" in agencies_covering(G, "alcohol", "fenland")
True
>>> G.edges["pathway:cgl-cambs-alcohol-treatment", "district:fenland"]["relation"]
'serves'
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import networkx as nx
from geopy.distance import geodesic

from directory.errors import InvalidArgumentError, NotFoundError, UnknownNeedError
from directory.rules import did_you_mean

if TYPE_CHECKING:
    from collections.abc import Iterable

    from directory.models import Capacity, Directory, District, Pathway, Site

__all__ = [
    "EDGE_RELATIONS",
    "NODE_KINDS",
    "agencies_covering",
    "coverage_matrix",
    "node",
    "pathways_for",
    "places_per_month",
    "single_agency_needs",
    "to_graph",
]

#: The kinds of node, in the order they are added.
NODE_KINDS: tuple[str, ...] = ("need", "district", "agency", "site", "pathway")
#: The relation of each edge, by (kind of source, kind of target).
EDGE_RELATIONS: dict[tuple[str, str], str] = {
    ("need", "pathway"): "addressed_by",
    ("pathway", "agency"): "run_by",
    ("pathway", "district"): "serves",
    ("pathway", "site"): "delivered_at",
}
#: Months in each capacity period.
_MONTHS = {"week": 12 / 52, "month": 1.0, "quarter": 3.0}
#: Delivery that reaches the person wherever they are in the districts served.
_NO_TRAVEL = frozenset({"online", "phone", "outreach"})


def node(kind: str, ident: str) -> str:
    """The graph node id of a record: its kind, a colon, its id.

    >>> node("need", "alcohol")
    'need:alcohol'
    >>> node("room", "a")
    Traceback (most recent call last):
    ...
    directory.errors.InvalidArgumentError: unknown node kind 'room'; ...
    """
    if kind not in NODE_KINDS:
        raise InvalidArgumentError(f"unknown node kind {kind!r}; kinds are {', '.join(NODE_KINDS)}")
    return f"{kind}:{ident}"


def places_per_month(capacity: Capacity | None) -> float | None:
    """A capacity's places per month: a week is 52/12 of a month, a quarter three months.

    `None` when the capacity or its places are not recorded.

    >>> from directory.models import Capacity
    >>> places_per_month(Capacity(places=12, per="week", updated="2026-10-01"))
    52.0
    >>> places_per_month(Capacity(places=30, per="quarter", updated="2026-10-01"))
    10.0
    >>> places_per_month(None) is None
    True
    """
    if capacity is None or capacity.places is None:
        return None
    return capacity.places / _MONTHS[capacity.per]


def _distance_km(pathway: Pathway, district: District, sites: Iterable[Site]) -> float | None:
    if _NO_TRAVEL & set(pathway.delivery):
        return 0.0
    found = [geodesic((district.lat, district.lon), (s.lat, s.lon)).km for s in sites]
    return min(found) if found else None


def to_graph(directory: Directory) -> nx.DiGraph:
    """The directory as a directed graph; see the module docstring for the schema.

    Every record becomes a node, inactive pathways and hidden sites included (flagged). Raises
    :class:`~directory.errors.InvalidArgumentError` when a pathway names a need, district or site
    the directory does not hold (a directory built in Python and never validated: run
    :func:`directory.loading.validate` on it). Running time: one geodesic distance per served
    district and site of each in-person pathway.

    >>> from directory.synthetic import synthetic_directory
    >>> G = to_graph(synthetic_directory(20, seed=1))
    >>> sorted({kind for _, kind in G.nodes(data="kind")})
    ['agency', 'district', 'need', 'pathway', 'site']
    >>> sum(1 for _, k in G.nodes(data="kind") if k == "pathway")
    20
    """
    G = nx.DiGraph(name="directory")
    for n in directory.needs:
        G.add_node(node("need", n.id), kind="need", id=n.id, label=n.label, group=n.group)
    for d in directory.districts:
        G.add_node(
            node("district", d.id),
            kind="district",
            id=d.id,
            label=d.label,
            area=d.area,
            lat=d.lat,
            lon=d.lon,
        )
    for a in directory.agencies:
        G.add_node(node("agency", a.id), kind="agency", id=a.id, label=a.name, agency_kind=a.kind)
        for s in a.sites:
            attrs: dict[str, Any] = {
                "kind": "site",
                "id": s.id,
                "label": s.name,
                "agency": a.id,
                "district": s.district,
                "hidden": s.hidden,
                "approximate": s.approximate,
            }
            if not s.hidden:
                attrs |= {"lat": s.lat, "lon": s.lon}
            G.add_node(node("site", s.id), **attrs)

    dangling: list[str] = []

    def link(source: str, target: str, **attrs: Any) -> None:
        if target in G and source in G:
            G.add_edge(source, target, **attrs)
        else:
            dangling.append(f"{source} -> {target}")

    for a in directory.agencies:
        for p in a.pathways:
            pid = node("pathway", p.id)
            attrs = {
                "kind": "pathway",
                "id": p.id,
                "label": p.name,
                "agency": a.id,
                "active": p.active,
                "delivery": ",".join(p.delivery),
                "remote": p.remote,
            }
            places = places_per_month(p.capacity)
            if p.capacity is not None:
                attrs["status"] = p.capacity.status
            if places is not None:
                attrs["places_per_month"] = places
            G.add_node(pid, **attrs)
            link(pid, node("agency", a.id), relation="run_by")
            for need in p.needs:
                link(node("need", need), pid, relation="addressed_by")
            sites = [directory.site_by_id[i] for i in p.sites if i in directory.site_by_id]
            for site_id in p.sites:
                link(pid, node("site", site_id), relation="delivered_at")
            for district_id in directory.served_districts(p):
                district = directory.district_by_id.get(district_id)
                serves: dict[str, Any] = {"relation": "serves"}
                if places is not None:
                    serves["capacity"] = places
                km = _distance_km(p, district, sites) if district is not None else None
                if km is not None:
                    serves["distance_km"] = km
                link(pid, node("district", district_id), **serves)
    if dangling:
        shown = ", ".join(dangling[:5]) + (" ..." if len(dangling) > 5 else "")
        raise InvalidArgumentError(
            f"the directory names records it does not hold ({shown}); validate it first"
        )
    return G


# ------------------------------------------------------------------------------------ queries
def _check(G: nx.DiGraph, kind: str, ident: str) -> str:
    key = node(kind, ident)
    if G.nodes.get(key, {}).get("kind") == kind:
        return key
    known = [i for _, i in _of_kind(G, kind)]
    near = did_you_mean(ident, known)
    if kind == "need":
        raise UnknownNeedError(ident, near)
    raise NotFoundError(kind, ident, near)


def _of_kind(G: nx.DiGraph, kind: str) -> Iterable[tuple[str, str]]:
    """(node, record id) of every node of a kind, in node order."""
    for key, data in G.nodes(data=True):
        if data.get("kind") == kind:
            yield key, data["id"]


def _related(G: nx.DiGraph, key: str, relation: str, *, incoming: bool = False) -> list[str]:
    edges = G.in_edges(key, data="relation") if incoming else G.out_edges(key, data="relation")
    return [(u if incoming else v) for u, v, r in edges if r == relation]


def _counted(G: nx.DiGraph, pathway: str, include_inactive: bool) -> bool:
    return include_inactive or bool(G.nodes[pathway].get("active", True))


def pathways_for(
    G: nx.DiGraph, need: str, district: str, *, include_inactive: bool = False
) -> list[str]:
    """Ids of the pathways that address `need` and serve `district`, sorted.

    A pathway covers a district when it lists it (or `all`) in `districts`: remote delivery
    does not add districts. Inactive pathways count only with `include_inactive=True`. Raises
    :class:`~directory.errors.UnknownNeedError` or :class:`~directory.errors.NotFoundError` for
    an id the graph does not hold.

    >>> from directory.loading import load
    >>> G = to_graph(load())
    >>> "cgl-cambs-alcohol-treatment" in pathways_for(G, "alcohol", "fenland")
    True
    >>> "cgl-cambs-alcohol-treatment" in pathways_for(G, "alcohol", "peterborough")
    False
    """
    need_key = _check(G, "need", need)
    district_key = _check(G, "district", district)
    return sorted(
        G.nodes[p]["id"]
        for p in _related(G, need_key, "addressed_by")
        if _counted(G, p, include_inactive) and G.has_edge(p, district_key)
    )


def agencies_covering(
    G: nx.DiGraph, need: str, district: str, *, include_inactive: bool = False
) -> list[str]:
    """Ids of the agencies running a pathway that addresses `need` in `district`, sorted.

    >>> from directory.loading import load
    >>> G = to_graph(load())
    >>> "cgl-cambridgeshire" in agencies_covering(G, "drugs", "cambridge")
    True
    """
    need_key = _check(G, "need", need)
    district_key = _check(G, "district", district)
    agencies = {
        G.nodes[a]["id"]
        for p in _related(G, need_key, "addressed_by")
        if _counted(G, p, include_inactive) and G.has_edge(p, district_key)
        for a in _related(G, p, "run_by")
    }
    return sorted(agencies)


def _coverage(G: nx.DiGraph, include_inactive: bool) -> dict[tuple[str, str], set[str]]:
    cover: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p, _ in _of_kind(G, "pathway"):
        if not _counted(G, p, include_inactive):
            continue
        agencies = [G.nodes[a]["id"] for a in _related(G, p, "run_by")]
        districts = [G.nodes[d]["id"] for d in _related(G, p, "serves")]
        for n in _related(G, p, "addressed_by", incoming=True):
            need = G.nodes[n]["id"]
            for d in districts:
                cover[(need, d)].update(agencies)
    return cover


def coverage_matrix(G: nx.DiGraph, *, include_inactive: bool = False) -> dict[tuple[str, str], int]:
    """The number of distinct agencies covering each (need, district) pair, zeros included.

    Keys are every need id crossed with every district id, in the graph's node order. Running
    time: linear in the edges plus needs x districts.

    >>> from directory.synthetic import synthetic_directory
    >>> G = to_graph(synthetic_directory(40, n_districts=4, seed=2))
    >>> m = coverage_matrix(G)
    >>> len(m) == 4 * sum(1 for _, k in G.nodes(data="kind") if k == "need")
    True
    >>> m[("drugs", "district_0")] == len(agencies_covering(G, "drugs", "district_0"))
    True
    """
    cover = _coverage(G, include_inactive)
    needs = [i for _, i in _of_kind(G, "need")]
    districts = [i for _, i in _of_kind(G, "district")]
    return {(n, d): len(cover.get((n, d), ())) for n in needs for d in districts}


def single_agency_needs(G: nx.DiGraph, *, include_inactive: bool = False) -> dict[str, list[str]]:
    """For every district, the needs that exactly one agency covers there: single points of failure.

    Every district is a key (with an empty list when it has none); needs are sorted. A need no
    agency covers is a coverage hole, not a single point of failure, and is not listed.

    >>> from directory.synthetic import synthetic_directory
    >>> G = to_graph(synthetic_directory(40, n_districts=4, seed=2))
    >>> spof = single_agency_needs(G)
    >>> sorted(spof) == ["district_0", "district_1", "district_2", "district_3"]
    True
    >>> all(len(agencies_covering(G, n, d)) == 1 for d, ns in spof.items() for n in ns)
    True
    """
    matrix = coverage_matrix(G, include_inactive=include_inactive)
    out: dict[str, list[str]] = {i: [] for _, i in _of_kind(G, "district")}
    for (need, district), count in matrix.items():
        if count == 1:
            out[district].append(need)
    return {d: sorted(ns) for d, ns in out.items()}
