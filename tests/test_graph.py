"""The networkx view: schema, capacities and distances, and the planners' queries.

Two independent checks: a small hand-built directory (real YAML files through the loader) whose
answers are worked out by hand below, and the shipped directory, where every answer is recomputed
straight from the Directory's records without the graph.
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.errors import InvalidArgumentError, NotFoundError, UnknownNeedError
from directory.graph import (
    EDGE_RELATIONS,
    NODE_KINDS,
    agencies_covering,
    coverage_matrix,
    node,
    pathways_for,
    single_agency_needs,
    to_graph,
)
from directory.loading import load, read_directory
from directory.models import Directory, Need, NeedGroup
from directory.synthetic import synthetic_directory
from tests.factories import LOCALITIES, agency, make_directory

ROOT = Path(__file__).resolve().parents[1]
_CENTRES = {d["id"]: (d["lat"], d["lon"]) for d in LOCALITIES["districts"]}
FENLAND, CAMBRIDGE = _CENTRES["fenland"], _CENTRES["cambridge"]


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance on a sphere: within 0.5% of the geodesic the graph uses."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


# ------------------------------------------------------------------------ the hand-built one
def _small(tmp_path: Path) -> Directory:
    """Three needs, two districts (fenland, cambridge), four agencies:

    housing-help      accommodation in fenland, at an office in fenland, 5 a month
    recovery-service  drugs + alcohol everywhere, in person or by phone, 12 a week, no site
    alcohol-group     alcohol in cambridge at a hall in cambridge, 30 a quarter;
                      and an INACTIVE accommodation pathway in cambridge, in person, no site
    refuge            accommodation in fenland at a HIDDEN house in cambridge, no capacity
    """
    agencies = {
        "housing-help": agency(),  # factory default: the fenland office, 5 places a month
        "recovery-service": agency(
            "recovery-service",
            sites=[],
            pathways=[
                {
                    "id": "recovery-service-treatment",
                    "name": "Treatment",
                    "needs": ["drugs", "alcohol"],
                    "districts": "all",
                    "delivery": ["in_person", "phone"],
                    "capacity": {"places": 12, "per": "week", "updated": "2026-10-01"},
                }
            ],
        ),
        "alcohol-group": agency(
            "alcohol-group",
            sites=[
                {
                    "id": "alcohol-group-hall",
                    "name": "Hall",
                    "district": "cambridge",
                    "lat": 52.21,
                    "lon": 0.13,
                }
            ],
            pathways=[
                {
                    "id": "alcohol-group-meetings",
                    "name": "Meetings",
                    "needs": ["alcohol"],
                    "districts": ["cambridge"],
                    "sites": ["alcohol-group-hall"],
                    "capacity": {"places": 30, "per": "quarter", "updated": "2026-10-01"},
                },
                {
                    "id": "alcohol-group-old-housing",
                    "name": "Old housing scheme",
                    "needs": ["accommodation"],
                    "districts": ["cambridge"],
                    "active": False,
                },
            ],
        ),
        "refuge": agency(
            "refuge",
            sites=[
                {
                    "id": "refuge-house",
                    "name": "Refuge",
                    "district": "cambridge",
                    "lat": 52.3,
                    "lon": 0.2,
                    "hidden": True,
                }
            ],
            pathways=[
                {
                    "id": "refuge-stay",
                    "name": "Refuge stay",
                    "needs": ["accommodation"],
                    "districts": ["fenland"],
                    "sites": ["refuge-house"],
                }
            ],
        ),
    }
    directory, report = read_directory(make_directory(tmp_path, agencies=agencies))
    assert directory is not None, report.errors
    return directory


@pytest.fixture
def small(tmp_path: Path) -> nx.DiGraph:
    return to_graph(_small(tmp_path))


def test_small_nodes_and_kinds(small: nx.DiGraph) -> None:
    kinds: dict[str, list[str]] = {}
    for _, data in small.nodes(data=True):
        kinds.setdefault(data["kind"], []).append(data["id"])
    assert {k: sorted(v) for k, v in kinds.items()} == {
        "need": ["accommodation", "alcohol", "drugs"],
        "district": ["cambridge", "fenland"],
        "agency": ["alcohol-group", "housing-help", "recovery-service", "refuge"],
        "site": ["alcohol-group-hall", "housing-help-office", "refuge-house"],
        "pathway": [
            "alcohol-group-meetings",
            "alcohol-group-old-housing",
            "housing-help-support",
            "recovery-service-treatment",
            "refuge-stay",
        ],
    }
    assert all(key == node(data["kind"], data["id"]) for key, data in small.nodes(data=True))
    assert small.nodes["pathway:refuge-stay"]["label"] == "Refuge stay"
    assert small.nodes["agency:refuge"]["agency_kind"] == "voluntary"
    assert small.nodes["pathway:alcohol-group-old-housing"]["active"] is False
    assert small.nodes["pathway:recovery-service-treatment"]["delivery"] == "in_person,phone"
    assert small.nodes["pathway:recovery-service-treatment"]["remote"] is True


def test_small_edges(small: nx.DiGraph) -> None:
    edges = {(u, v, r) for u, v, r in small.edges(data="relation")}
    assert ("need:drugs", "pathway:recovery-service-treatment", "addressed_by") in edges
    assert ("pathway:refuge-stay", "agency:refuge", "run_by") in edges
    assert ("pathway:refuge-stay", "site:refuge-house", "delivered_at") in edges
    # districts: all -> both districts
    served = sorted(small.successors("pathway:recovery-service-treatment"))
    assert served == ["agency:recovery-service", "district:cambridge", "district:fenland"]
    # 5 pathways: run_by 5, addressed_by 1+2+1+1+1, serves 1+2+1+1+1, delivered_at 3
    assert small.number_of_edges() == 5 + 6 + 6 + 3


def test_small_capacity_is_places_per_month(small: nx.DiGraph) -> None:
    e = small.edges
    assert e["pathway:housing-help-support", "district:fenland"]["capacity"] == 5
    assert e["pathway:recovery-service-treatment", "district:cambridge"]["capacity"] == 12 * 52 / 12
    assert e["pathway:alcohol-group-meetings", "district:cambridge"]["capacity"] == 10
    assert "capacity" not in e["pathway:refuge-stay", "district:fenland"]
    assert small.nodes["pathway:recovery-service-treatment"]["places_per_month"] == 52
    assert small.nodes["pathway:recovery-service-treatment"]["status"] == "open"
    assert "status" not in small.nodes["pathway:refuge-stay"]


def test_small_distances(small: nx.DiGraph) -> None:
    e = small.edges
    office = e["pathway:housing-help-support", "district:fenland"]["distance_km"]
    assert office == pytest.approx(_haversine_km(FENLAND, (52.66, 0.16)), rel=5e-3)
    hall = e["pathway:alcohol-group-meetings", "district:cambridge"]["distance_km"]
    assert hall == pytest.approx(_haversine_km(CAMBRIDGE, (52.21, 0.13)), rel=5e-3)
    # phone delivery: no travel, even without a site
    assert e["pathway:recovery-service-treatment", "district:fenland"]["distance_km"] == 0
    # in person, no site: unknown, so absent
    assert "distance_km" not in e["pathway:alcohol-group-old-housing", "district:cambridge"]
    # measured to the hidden site too
    refuge = e["pathway:refuge-stay", "district:fenland"]["distance_km"]
    assert refuge == pytest.approx(_haversine_km(FENLAND, (52.3, 0.2)), rel=5e-3)


def test_hidden_site_flagged_without_coordinates(small: nx.DiGraph) -> None:
    hidden = small.nodes["site:refuge-house"]
    assert hidden["hidden"] is True
    assert "lat" not in hidden
    assert "lon" not in hidden
    shown = small.nodes["site:alcohol-group-hall"]
    assert shown["hidden"] is False
    assert (shown["lat"], shown["lon"]) == (52.21, 0.13)
    # what a careless export would write holds no refuge coordinate
    text = "\n".join(nx.generate_graphml(small))
    assert "52.3" not in text


def test_small_queries(small: nx.DiGraph) -> None:
    assert agencies_covering(small, "accommodation", "fenland") == ["housing-help", "refuge"]
    assert agencies_covering(small, "accommodation", "cambridge") == []
    assert agencies_covering(small, "accommodation", "cambridge", include_inactive=True) == [
        "alcohol-group"
    ]
    assert agencies_covering(small, "alcohol", "cambridge") == ["alcohol-group", "recovery-service"]
    assert pathways_for(small, "alcohol", "cambridge") == [
        "alcohol-group-meetings",
        "recovery-service-treatment",
    ]
    assert pathways_for(small, "accommodation", "fenland") == [
        "housing-help-support",
        "refuge-stay",
    ]
    assert coverage_matrix(small) == {
        ("accommodation", "fenland"): 2,
        ("accommodation", "cambridge"): 0,
        ("drugs", "fenland"): 1,
        ("drugs", "cambridge"): 1,
        ("alcohol", "fenland"): 1,
        ("alcohol", "cambridge"): 2,
    }
    assert single_agency_needs(small) == {"fenland": ["alcohol", "drugs"], "cambridge": ["drugs"]}
    assert single_agency_needs(small, include_inactive=True) == {
        "fenland": ["alcohol", "drugs"],
        "cambridge": ["accommodation", "drugs"],
    }


def test_queries_do_not_change_the_graph(small: nx.DiGraph) -> None:
    before = nx.node_link_data(small, edges="links")
    agencies_covering(small, "alcohol", "fenland")
    pathways_for(small, "drugs", "cambridge", include_inactive=True)
    coverage_matrix(small)
    single_agency_needs(small)
    assert nx.node_link_data(small, edges="links") == before


def test_unknown_ids_raise_with_suggestions(small: nx.DiGraph) -> None:
    with pytest.raises(UnknownNeedError) as need:
        agencies_covering(small, "alcohl", "fenland")
    assert need.value.suggestions[0] == "alcohol"
    with pytest.raises(NotFoundError) as district:
        pathways_for(small, "alcohol", "fenlnd")
    assert district.value.kind == "district"
    assert district.value.suggestions[0] == "fenland"
    # a need id is not a district, even though both are nodes
    with pytest.raises(NotFoundError):
        pathways_for(small, "alcohol", "alcohol")


def test_dangling_reference_is_misuse(tmp_path: Path) -> None:
    d = _small(tmp_path)
    broken = d.model_copy(update={"needs": d.needs[:1]})  # drops drugs and alcohol
    with pytest.raises(InvalidArgumentError, match="validate"):
        to_graph(broken)
    with pytest.raises(InvalidArgumentError, match="room"):
        node("room", "a")


def test_empty_directory() -> None:
    d = Directory(
        groups=(NeedGroup(id="g", label="G"),), needs=(Need(id="n", label="N", group="g"),)
    )
    G = to_graph(d)
    assert coverage_matrix(G) == {}
    assert single_agency_needs(G) == {}


# ------------------------------------------------------------ independent path over a Directory
def _direct(d: Directory) -> dict[tuple[str, str], set[str]]:
    """(need, district) -> agencies, from the records alone."""
    out: dict[tuple[str, str], set[str]] = {
        (n.id, x.id): set() for n in d.needs for x in d.districts
    }
    for a in d.agencies:
        for p in a.pathways:
            if not p.active:
                continue
            served = [x.id for x in d.districts] if p.districts == "all" else list(p.districts)
            for need in p.needs:
                for district in served:
                    out[(need, district)].add(a.id)
    return out


def _check_against_records(d: Directory, G: nx.DiGraph) -> None:
    direct = _direct(d)
    assert coverage_matrix(G) == {k: len(v) for k, v in direct.items()}
    spof = single_agency_needs(G)
    assert set(spof) == {x.id for x in d.districts}
    for district, needs in spof.items():
        assert needs == sorted(n.id for n in d.needs if len(direct[(n.id, district)]) == 1)
    for (need, district), agencies in direct.items():
        assert agencies_covering(G, need, district) == sorted(agencies)
        expected = sorted(
            p.id
            for p in d.pathways
            if p.active and need in p.needs and (p.districts == "all" or district in p.districts)
        )
        assert pathways_for(G, need, district) == expected


@pytest.fixture(scope="module")
def shipped() -> tuple[Directory, nx.DiGraph]:
    d = load()
    return d, to_graph(d)


def test_shipped_answers_match_the_records(shipped: tuple[Directory, nx.DiGraph]) -> None:
    d, G = shipped
    _check_against_records(d, G)


def test_shipped_schema(shipped: tuple[Directory, nx.DiGraph]) -> None:
    d, G = shipped
    counts: dict[str, int] = {}
    for _, kind in G.nodes(data="kind"):
        counts[kind] = counts.get(kind, 0) + 1
    sites = [s for a in d.agencies for s in a.sites]
    assert counts == {
        "need": len(d.needs),
        "district": len(d.districts),
        "agency": len(d.agencies),
        "site": len(sites),
        "pathway": len(d.pathways),
    }
    assert set(counts) == set(NODE_KINDS)
    for u, v, relation in G.edges(data="relation"):
        assert EDGE_RELATIONS[(G.nodes[u]["kind"], G.nodes[v]["kind"])] == relation
    hidden = [s for s in sites if s.hidden]
    assert hidden, "the shipped directory has refuges"
    for s in hidden:
        assert G.nodes[node("site", s.id)]["hidden"] is True
        assert "lat" not in G.nodes[node("site", s.id)]


def test_shipped_distances(shipped: tuple[Directory, nx.DiGraph]) -> None:
    d, G = shipped
    checked = 0
    for p in d.pathways:
        sites = d.sites_of(p)
        for district_id in d.served_districts(p):
            edge = G.edges[node("pathway", p.id), node("district", district_id)]
            if set(p.delivery) & {"online", "phone", "outreach"}:
                assert edge["distance_km"] == 0
            elif sites:
                centre = d.district_by_id[district_id]
                nearest = min(
                    _haversine_km((centre.lat, centre.lon), (s.lat, s.lon)) for s in sites
                )
                assert edge["distance_km"] == pytest.approx(nearest, rel=5e-3, abs=1e-6)
                checked += 1
            else:
                assert "distance_km" not in edge
    assert checked > 20


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 60), districts=st.integers(1, 9), seed=st.integers(0, 2**16))
def test_synthetic_answers_match_the_records(n: int, districts: int, seed: int) -> None:
    d = synthetic_directory(n, n_districts=districts, seed=seed)
    _check_against_records(d, to_graph(d))


def test_docs_page_documents_the_schema() -> None:
    page = (ROOT / "docs" / "graph.md").read_text(encoding="utf-8")
    for kind in NODE_KINDS:
        assert f"| {kind} |" in page
    for relation in EDGE_RELATIONS.values():
        assert f"`{relation}`" in page
    for name in (agencies_covering, coverage_matrix, pathways_for, single_agency_needs):
        assert f"{name.__name__}(" in page
