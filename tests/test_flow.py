"""matching.flow: exact min-cost maximum flow against independent oracles; checkers; the peer.

- Hand-checked networks with known answers, including one where first come, first served (the
  greedy peer) leaves demand unmet that the exact allocation meets.
- On generated networks (with hubs): both engines give a flow that is feasible, maximum (its
  value equals networkx's minimum cut) and of least cost (no negative residual cycle), with the
  value and the cost of an LP solved by HiGHS (scipy.optimize.linprog) written here from the
  definition; hubs change nothing (the network with hubs expanded into direct arcs has the same
  optimum); the greedy peer is feasible and never better.
- The checkers reject what they should: over capacity, over supply, broken conservation at a
  hub, negative or non-integer flows.
"""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from directory.errors import InvalidArgumentError
from matching.flow import (
    FlowNetwork,
    allocate,
    cut_capacity,
    greedy_allocation,
    is_feasible_allocation,
    is_maximum,
    is_min_cost,
    to_networkx,
)
from tests.strategies import flow_networks

ENGINES = ("ortools", "networkx")


# ---------------------------------------------------------------------------------------------
# The oracle: an LP from the definition, solved by HiGHS in two phases
# ---------------------------------------------------------------------------------------------


def lp_optimum(net: FlowNetwork) -> tuple[int, int]:
    """(maximum flow value, least cost at that value) from two LPs over the arcs of ``net``.

    Variables: the flow on every arc, on every source arc (0..supply) and every sink arc
    (0..capacity, unbounded when None). Rows: conservation at every group, hub and target.
    Network matrices are totally unimodular, so the LP optimum is the integer optimum.
    """
    n_arcs, n_groups, n_targets = net.n_arcs, net.n_groups, net.n_targets
    n_vars = n_arcs + n_groups + n_targets
    if n_vars == 0:
        return 0, 0
    rows = []
    for v in range(net.n_nodes):
        row = np.zeros(n_vars)
        for a in range(n_arcs):
            if net.heads[a] == v:
                row[a] += 1
            if net.tails[a] == v:
                row[a] -= 1
        if v < n_groups:
            row[n_arcs + v] += 1  # the source arc comes in
        t = net.target_of(v)
        if t is not None:
            row[n_arcs + n_groups + t] -= 1  # the sink arc goes out
        rows.append(row)
    a_eq = np.array(rows)
    b_eq = np.zeros(len(rows))
    bounds = [(0, None)] * n_arcs
    bounds += [(0, s) for s in net.supply]
    bounds += [(0, c) for c in net.capacity]
    value = np.zeros(n_vars)
    value[n_arcs + n_groups :] = -1.0
    first = linprog(value, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    assert first.status == 0, first.message
    best = round(-first.fun)
    cost = np.zeros(n_vars)
    cost[:n_arcs] = net.costs
    fixed = np.vstack([a_eq, -value])
    second = linprog(cost, A_eq=fixed, b_eq=np.append(b_eq, best), bounds=bounds, method="highs")
    assert second.status == 0, second.message
    return best, round(second.fun)


def expanded(net: FlowNetwork) -> FlowNetwork:
    """The same network without hubs: each group joined to each target it reaches, at the
    cheapest cost of a path through the hubs."""
    arcs = []
    for g in range(net.n_groups):
        best: dict[int, int] = {}
        stack = [(g, 0)]
        while stack:
            u, cost = stack.pop()
            for a in net.arcs_out(u):
                v, c = net.heads[a], cost + net.costs[a]
                t = net.target_of(v)
                if t is None:
                    stack.append((v, c))
                elif t not in best or c < best[t]:
                    best[t] = c
        arcs += [(g, t, c) for t, c in sorted(best.items())]
    return FlowNetwork.bipartite(net.supply, net.capacity, arcs)


# ---------------------------------------------------------------------------------------------
# Hand-checked networks
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_first_come_first_served_loses_what_the_exact_allocation_meets(engine: str) -> None:
    # Ann (group 0) lives near pathway 0 and 5 km from pathway 1; Ben (group 1) can only reach
    # pathway 0. One place each. Ann arrives first and takes the nearest: Ben is left out.
    net = FlowNetwork.bipartite(
        supply=(1, 1), capacity=(1, 1), arcs=[(0, 0, 10), (0, 1, 50), (1, 0, 10)]
    )
    greedy = greedy_allocation(net)
    assert greedy == (1, 0, 0)
    assert sum(greedy) == 1
    assert not is_maximum(net, greedy)
    exact = allocate(net, engine=engine)  # type: ignore[arg-type]
    assert exact.arc_flow == (0, 1, 1)
    assert (exact.value, exact.cost) == (2, 60)
    # and in the other arrival order greedy happens to be right
    assert sum(greedy_allocation(net, order=(1, 0))) == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_nearer_first_among_maximum_flows(engine: str) -> None:
    # three units; pathway 0 (near, 2 places), pathway 1 (far, unlimited)
    net = FlowNetwork.bipartite(supply=(3,), capacity=(2, None), arcs=[(0, 0, 5), (0, 1, 7)])
    result = allocate(net, engine=engine)  # type: ignore[arg-type]
    assert result.arc_flow == (2, 1)
    assert (result.value, result.cost) == (3, 17)


@pytest.mark.parametrize("engine", ENGINES)
def test_oversubscribed_hub_shares_its_targets(engine: str) -> None:
    # groups 0 and 1 (4 and 3 units) reach two national services through a hub (cost 0); group
    # 1 also has a local place at cost 3. National places: 2 and 1. Local: 2.
    net = FlowNetwork(
        supply=(4, 3),
        capacity=(2, 1, 2),
        tails=(0, 1, 1, 2, 2),
        heads=(2, 2, 5, 3, 4),
        costs=(0, 0, 3, 0, 0),
        n_hubs=1,
    )
    result = allocate(net, engine=engine)  # type: ignore[arg-type]
    assert result.value == 5  # 2 + 1 national, 2 local
    assert result.cost == 6  # the local place is used only as much as it must be
    assert result.arc_flow[2] == 2
    assert is_feasible_allocation(net, result.arc_flow)


@pytest.mark.parametrize("engine", ENGINES)
def test_nothing_to_allocate(engine: str) -> None:
    empty = FlowNetwork(supply=(), capacity=(3,), tails=(), heads=(), costs=())
    assert allocate(empty, engine=engine).value == 0  # type: ignore[arg-type]
    closed = FlowNetwork.bipartite(supply=(5,), capacity=(0,), arcs=[(0, 0, 1)])
    result = allocate(closed, engine=engine)  # type: ignore[arg-type]
    assert (result.value, result.arc_flow) == (0, (0,))
    assert cut_capacity(closed, result.arc_flow) == 0


def test_bad_networks_and_engines_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="negative supply"):
        FlowNetwork.bipartite(supply=(-1,), capacity=(1,), arcs=[])
    with pytest.raises(InvalidArgumentError, match="negative capacity"):
        FlowNetwork.bipartite(supply=(1,), capacity=(-1,), arcs=[])
    with pytest.raises(InvalidArgumentError, match="negative cost"):
        FlowNetwork.bipartite(supply=(1,), capacity=(1,), arcs=[(0, 0, -2)])
    with pytest.raises(InvalidArgumentError, match="same two nodes"):
        FlowNetwork.bipartite(supply=(1,), capacity=(1,), arcs=[(0, 0, 1), (0, 0, 2)])
    with pytest.raises(InvalidArgumentError, match="lower to higher"):  # target to group
        FlowNetwork(supply=(1,), capacity=(1,), tails=(1,), heads=(0,), costs=(0,))
    with pytest.raises(InvalidArgumentError, match="lower to higher"):  # hub back to a hub
        FlowNetwork(supply=(1,), capacity=(1,), tails=(2,), heads=(1,), costs=(0,), n_hubs=2)
    net = FlowNetwork.bipartite(supply=(1,), capacity=(1,), arcs=[(0, 0, 1)])
    with pytest.raises(InvalidArgumentError, match="unknown engine"):
        allocate(net, engine="simplex")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="more often than its supply"):
        greedy_allocation(net, order=(0, 0))


def test_checker_rejects_infeasible_flows() -> None:
    net = FlowNetwork(
        supply=(2, 2),
        capacity=(1, None),
        tails=(0, 0, 1, 2),
        heads=(3, 2, 2, 4),
        costs=(1, 0, 0, 0),
        n_hubs=1,
    )
    good = (1, 1, 2, 3)
    assert is_feasible_allocation(net, good)
    assert not is_feasible_allocation(net, (2, 0, 2, 2))  # target 0 over capacity
    assert not is_feasible_allocation(net, (1, 2, 2, 4))  # group 0 sends more than it has
    assert not is_feasible_allocation(net, (1, 1, 2, 2))  # the hub keeps a unit
    assert not is_feasible_allocation(net, (1, 1, 2, 4))  # the hub makes a unit
    assert not is_feasible_allocation(net, (-1, 1, 2, 3))
    assert not is_feasible_allocation(net, (1, 1, 2))  # one flow short
    assert not is_feasible_allocation(net, (True, 1, 2, 3))  # a bool is not a count
    assert not is_feasible_allocation(net, (1.0, 1, 2, 3))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Generated networks
# ---------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=flow_networks())
def test_exact_allocation_is_feasible_maximum_and_cheapest(net: FlowNetwork) -> None:
    value, cost = lp_optimum(net)
    minimum_cut = nx.minimum_cut_value(to_networkx(net), "source", "sink")
    for engine in ENGINES:
        result = allocate(net, engine=engine)  # type: ignore[arg-type]
        flow = result.arc_flow
        assert is_feasible_allocation(net, flow)
        assert (result.value, result.cost) == (value, cost)
        assert result.value == minimum_cut  # max-flow = min-cut, cut computed by networkx
        assert cut_capacity(net, flow) == result.value  # and the cut the residual leaves
        assert is_maximum(net, flow)
        assert is_min_cost(net, flow)
        # what leaves the groups is what enters the targets
        into_targets = sum(
            f for f, v in zip(flow, net.heads, strict=True) if net.target_of(v) is not None
        )
        assert into_targets == result.value


@settings(max_examples=200, deadline=None)
@given(net=flow_networks())
def test_hubs_change_nothing(net: FlowNetwork) -> None:
    direct = expanded(net)
    a, b = allocate(net), allocate(direct)
    assert (a.value, a.cost) == (b.value, b.cost)


@settings(max_examples=300, deadline=None)
@given(net=flow_networks(), data=st.data())
def test_greedy_is_feasible_and_never_better(net: FlowNetwork, data: st.DataObject) -> None:
    units = [g for g, s in enumerate(net.supply) for _ in range(s)]
    order = data.draw(st.permutations(units))
    greedy = greedy_allocation(net, order=order)
    assert is_feasible_allocation(net, greedy)
    exact = allocate(net)
    value = sum(f for f, v in zip(greedy, net.heads, strict=True) if net.target_of(v) is not None)
    assert value <= exact.value
    assert is_maximum(net, greedy) == (value == exact.value)
    if not is_maximum(net, greedy):
        assert cut_capacity(net, greedy) is None


@settings(max_examples=150, deadline=None)
@given(net=flow_networks(), data=st.data())
def test_one_more_unit_anywhere_breaks_feasibility_of_a_saturated_target(
    net: FlowNetwork, data: st.DataObject
) -> None:
    flow = list(allocate(net).arc_flow)
    full = [
        a
        for a, v in enumerate(net.heads)
        if (t := net.target_of(v)) is not None
        and net.capacity[t] is not None
        and sum(flow[b] for b in net.arcs_in(v)) == net.capacity[t]
    ]
    if full:
        a = data.draw(st.sampled_from(full))
        flow[a] += 1
        assert not is_feasible_allocation(net, flow)


def test_engines_agree_on_a_larger_network() -> None:
    # 40 groups x 25 targets, a fixed seed: the same optimum from both engines
    rng = np.random.default_rng(7)
    arcs = [
        (g, t, int(rng.integers(0, 40)))
        for g in range(40)
        for t in range(25)
        if rng.random() < 0.25
    ]
    net = FlowNetwork.bipartite(
        supply=tuple(int(x) for x in rng.integers(0, 12, 40)),
        capacity=tuple(int(x) for x in rng.integers(0, 15, 25)),
        arcs=arcs,
    )
    a, b = allocate(net, engine="ortools"), allocate(net, engine="networkx")
    assert (a.value, a.cost) == (b.value, b.cost) == lp_optimum(net)
    assert dataclasses.replace(a, engine="x").value == a.value
