"""Exact min-cost maximum flow on a transport network: demand groups to places.

The problem
-----------
A :class:`FlowNetwork` has *groups* (units of demand with the same deciding facts, each with a
``supply``), *targets* (pathways, each with a ``capacity``: places in the period, ``None`` for
unlimited), optional *hubs* (junctions without capacity that many groups share) and uncapacitated
*arcs*, each with a non-negative integer unit ``cost`` (travel in 100 m units in
:mod:`matching.gaps`). Nodes are numbered groups first, then hubs, then targets, and every arc
goes from a lower to a higher number (group or hub to hub or target), so the network is acyclic.
The flow network proper adds a source and a sink::

    source --(capacity = supply of g, cost 0)--> group g --(arcs, via hubs or not)--> target p
    target p --(capacity = capacity of p, cost 0)--> sink

:func:`allocate` finds, exactly, a flow of the largest value (most demand met) and, among those, of
the least total cost (nearer first). Ties between optima are broken by the engine, deterministically
for a given network (same arcs in the same order, same answer).

Hubs change nothing about the answer: a hub joins the groups that can all use the same targets at
the same costs, so the paths from a group to a target and their costs are those of the network
without the hub, with fewer arcs (``k`` groups and ``m`` targets: ``k + m`` arcs, not ``k x m``).

Engines
-------
* ``"ortools"``: OR-Tools' ``SimpleMinCostFlow.solve_max_flow_with_min_cost`` (a cost-scaling
  push-relabel algorithm, compiled): the engine for real sizes.
* ``"networkx"``: ``nx.max_flow_min_cost`` (preflow-push maximum flow, then network simplex), in
  pure Python: the model and the peer in the benchmark; fine up to tens of thousands of arcs.
* ``"auto"`` (default): OR-Tools when it is installed (the ``solvers`` extra), else networkx.

Checkers
--------
:func:`is_feasible_allocation` checks a flow against capacities and conservation (cheap, linear);
:func:`is_maximum` checks that no augmenting path is left in the residual network, and
:func:`is_min_cost` that the residual network has no negative cycle (the two optimality
certificates of a min-cost maximum flow); :func:`cut_capacity` gives the capacity of the cut the
residual network leaves, which equals the flow's value exactly when the flow is maximum.
:func:`greedy_allocation` is the peer that planning without a solver amounts to: people arrive one
by one and each takes the nearest place with room.

>>> net = FlowNetwork.bipartite(supply=(2, 1), capacity=(1, 2),
...                             arcs=[(0, 0, 10), (0, 1, 50), (1, 1, 10)])
>>> result = allocate(net)
>>> result.value, result.cost, result.arc_flow
(3, 70, (1, 1, 1))
>>> is_feasible_allocation(net, result.arc_flow), is_maximum(net, result.arc_flow)
(True, True)
>>> tight = FlowNetwork.bipartite(supply=(1, 1), capacity=(1, 1),
...                               arcs=[(0, 0, 0), (0, 1, 9), (1, 0, 0)])
>>> greedy_allocation(tight), allocate(tight).arc_flow   # first come, first served loses one
((1, 0, 0), (0, 1, 1))
"""

from __future__ import annotations

import importlib.util
import operator
from collections import deque
from dataclasses import dataclass, field
from itertools import compress
from typing import TYPE_CHECKING, Literal, NoReturn

import networkx as nx

from directory.errors import InvalidArgumentError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import numpy as np
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]

__all__ = [
    "ENGINES",
    "Engine",
    "FlowNetwork",
    "FlowResult",
    "allocate",
    "cut_capacity",
    "greedy_allocation",
    "is_feasible_allocation",
    "is_maximum",
    "is_min_cost",
    "to_networkx",
]

Engine = Literal["auto", "ortools", "networkx"]
#: The engines :func:`allocate` accepts.
ENGINES: tuple[str, ...] = ("auto", "ortools", "networkx")

SOURCE, SINK = "source", "sink"


@dataclass(frozen=True, slots=True)
class FlowNetwork:
    """Groups with supply, hubs, targets with capacity (``None``: unlimited), and costed arcs.

    Node ``v`` is group ``v`` for ``v < n_groups``, then hub ``v - n_groups``, then target
    ``v - n_groups - n_hubs``. Arc ``a`` joins node ``tails[a]`` to node ``heads[a] >
    tails[a]`` at unit cost ``costs[a]``; it leaves a group or a hub and enters a hub or a target.
    Two nodes are joined by at most one arc. Raises :class:`~directory.errors.InvalidArgumentError`
    on negative values, nodes out of range, a backward or repeated arc.

    >>> FlowNetwork(supply=(1,), capacity=(1,), tails=(0,), heads=(3,), costs=(0,))
    Traceback (most recent call last):
    ...
    directory.errors.InvalidArgumentError: arc 0 from node 0 to node 3: not group or hub to hub ...
    """

    supply: tuple[int, ...]
    capacity: tuple[int | None, ...]
    tails: tuple[int, ...]
    heads: tuple[int, ...]
    costs: tuple[int, ...]
    n_hubs: int = 0
    _out: tuple[list[int], list[int]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _in: tuple[list[int], list[int]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _ends: tuple[IntArray, IntArray] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not len(self.tails) == len(self.heads) == len(self.costs):
            raise InvalidArgumentError("tails, heads and costs must have one entry per arc")
        if self.n_hubs < 0:
            raise InvalidArgumentError("n_hubs cannot be negative")
        if min(self.supply, default=0) < 0:
            raise InvalidArgumentError("a group has a negative supply")
        if any(c is not None and c < 0 for c in self.capacity):
            raise InvalidArgumentError("a target has a negative capacity")
        n_groups = len(self.supply)
        first_target = n_groups + self.n_hubs
        n_nodes = first_target + len(self.capacity)
        tails, heads, costs = self.tails, self.heads, self.costs
        fits = not tails or (
            min(tails) >= 0
            and max(tails) < first_target
            and min(heads) >= n_groups
            and max(heads) < n_nodes
            and min(costs) >= 0
        )
        if fits:  # every node in range, so the numbers fit in 64 bits
            tail_no, head_no = _int_array(tails), _int_array(heads)
            fits = bool((tail_no < head_no).all())
        if not fits:
            _fault(self)
        if _repeats(tail_no * n_nodes + head_no):
            raise InvalidArgumentError("two arcs join the same two nodes")
        tail_no.flags.writeable = head_no.flags.writeable = False  # shared by every caller
        object.__setattr__(self, "_ends", (tail_no, head_no))

    @classmethod
    def bipartite(
        cls,
        supply: Sequence[int],
        capacity: Sequence[int | None],
        arcs: Iterable[tuple[int, int, int]],
    ) -> FlowNetwork:
        """A network without hubs from ``(group, target, cost)`` triples.

        >>> FlowNetwork.bipartite((2,), (1, 1), [(0, 1, 5)]).heads
        (2,)
        """
        triples = list(arcs)
        n_groups = len(supply)
        return cls(
            supply=tuple(supply),
            capacity=tuple(capacity),
            tails=tuple(g for g, _, _ in triples),
            heads=tuple(n_groups + p for _, p, _ in triples),
            costs=tuple(c for _, _, c in triples),
        )

    @property
    def n_groups(self) -> int:
        """Groups (supply nodes)."""
        return len(self.supply)

    @property
    def n_targets(self) -> int:
        """Targets (capacitated nodes)."""
        return len(self.capacity)

    @property
    def n_arcs(self) -> int:
        """Arcs between groups, hubs and targets (the source and sink arcs not counted)."""
        return len(self.tails)

    @property
    def n_nodes(self) -> int:
        """Groups, hubs and targets."""
        return self.n_groups + self.n_hubs + self.n_targets

    def target_node(self, target: int) -> int:
        """The node number of a target."""
        return self.n_groups + self.n_hubs + target

    def target_of(self, node: int) -> int | None:
        """The target a node is, or ``None`` for a group or a hub."""
        t = node - self.n_groups - self.n_hubs
        return t if t >= 0 else None

    def ends(self) -> tuple[IntArray, IntArray]:
        """Tails and heads as numpy arrays (read only: shared by every caller)."""
        return self._ends

    def arcs_out(self, node: int) -> list[int]:
        """Indices of the arcs leaving a node, in arc order."""
        index = self._out
        if index is None:  # worked out on first use: solving does not need it
            index = _compressed(self.ends()[0], self.n_nodes)
            object.__setattr__(self, "_out", index)
        start, arcs = index
        return arcs[start[node] : start[node + 1]]

    def arcs_in(self, node: int) -> list[int]:
        """Indices of the arcs entering a node, in arc order."""
        index = self._in
        if index is None:  # worked out on first use: solving does not need it
            index = _compressed(self.ends()[1], self.n_nodes)
            object.__setattr__(self, "_in", index)
        start, arcs = index
        return arcs[start[node] : start[node + 1]]

    def bound(self, target: int) -> int:
        """A target's capacity, with unlimited read as the total supply (all it could ever take)."""
        cap = self.capacity[target]
        return sum(self.supply) if cap is None else cap

    def targets_from(self, node: int) -> frozenset[int]:
        """The targets reachable from a node (a group or a hub)."""
        seen = {node}
        stack = [node]
        found: set[int] = set()
        while stack:
            u = stack.pop()
            for a in self.arcs_out(u):
                v = self.heads[a]
                t = self.target_of(v)
                if t is not None:
                    found.add(t)
                elif v not in seen:
                    seen.add(v)
                    stack.append(v)
        return frozenset(found)


def _fault(network: FlowNetwork) -> NoReturn:
    """Raise :class:`~directory.errors.InvalidArgumentError` for the first faulty arc."""
    first_target = network.n_groups + network.n_hubs
    arcs = zip(network.tails, network.heads, network.costs, strict=True)
    for a, (u, v, c) in enumerate(arcs):
        if not (0 <= u < first_target and network.n_groups <= v < network.n_nodes and u < v):
            raise InvalidArgumentError(
                f"arc {a} from node {u} to node {v}: not group or hub to hub or target, "
                "lower to higher number"
            )
        if c < 0:
            raise InvalidArgumentError(f"arc {a} has a negative cost {c}")
    raise InvalidArgumentError("an arc is out of range")  # pragma: no cover - found above


def _int_array(values: Sequence[int]) -> IntArray:
    """Whole numbers (in the range of 64 bits) as a numpy array."""
    import numpy as np

    return np.asarray(values, dtype=np.int64)


def _repeats(values: IntArray) -> bool:
    """True when a value occurs twice.

    >>> _repeats(_int_array([3, 1, 2])), _repeats(_int_array([3, 1, 3]))
    (False, True)
    """
    import numpy as np

    ordered = np.sort(values)
    return bool(np.any(ordered[1:] == ordered[:-1]))


def _compressed(ends: IntArray, n_nodes: int) -> tuple[list[int], list[int]]:
    """The arcs of each node in compressed form: node ``v`` has ``arcs[start[v]:start[v+1]]``.

    ``ends`` holds, per arc, a node in ``range(n_nodes)``; the arcs of a node keep arc order.

    >>> _compressed(_int_array([2, 0, 2]), 3)
    ([0, 1, 1, 3], [1, 0, 2])
    """
    import numpy as np

    start = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends, minlength=n_nodes), out=start[1:])
    arcs = np.argsort(ends, kind="stable")  # stable: arc order within a node
    return start.tolist(), arcs.tolist()


@dataclass(frozen=True, slots=True)
class FlowResult:
    """A flow on every arc, its value (units of demand met) and its total cost."""

    arc_flow: tuple[int, ...]
    value: int
    cost: int
    engine: str


def allocate(network: FlowNetwork, *, engine: Engine = "auto") -> FlowResult:
    """An exact min-cost maximum flow of ``network`` (see the module docstring).

    Raises :class:`~directory.errors.InvalidArgumentError` for an unknown engine, or for
    ``"ortools"`` when OR-Tools is not installed. Running time: OR-Tools' cost scaling is
    ``O(n m log(n C))`` in theory and close to linear in practice on these layered networks.

    >>> net = FlowNetwork.bipartite((3,), (2, None), [(0, 0, 5), (0, 1, 7)])
    >>> allocate(net, engine="networkx").arc_flow == allocate(net, engine="ortools").arc_flow
    True
    >>> allocate(net).cost
    17
    """
    if engine not in ENGINES:
        raise InvalidArgumentError(f"unknown engine {engine!r}; use {', '.join(ENGINES)}")
    if engine == "auto":
        engine = "ortools" if _has_ortools() else "networkx"
    if engine == "ortools":
        if not _has_ortools():
            raise InvalidArgumentError(
                "engine 'ortools' needs OR-Tools: pip install 'cambs-diversion-pathways[solvers]'"
            )
        flows = _ortools(network)
    else:
        flows = _networkx(network)
    first_target = network.n_groups + network.n_hubs
    value = sum(compress(flows, map(first_target.__le__, network.heads)))  # into targets
    cost = sum(map(operator.mul, flows, network.costs))
    return FlowResult(arc_flow=flows, value=value, cost=cost, engine=engine)


def _has_ortools() -> bool:
    return importlib.util.find_spec("ortools") is not None


def _through(network: FlowNetwork, tails: IntArray, heads: IntArray) -> IntArray:
    """An upper bound on the flow through each group and hub (supplies, then sums along arcs).

    ``tails`` and ``heads`` are the network's, as arrays.

    >>> net = FlowNetwork(supply=(2, 3), capacity=(1,), tails=(0, 1, 2, 3, 2),
    ...                   heads=(2, 2, 3, 4, 4), costs=(0, 0, 0, 0, 0), n_hubs=2)
    >>> _through(net, _int_array(net.tails), _int_array(net.heads)).tolist()
    [2, 3, 5, 5]
    """
    import numpy as np

    n_groups = network.n_groups
    bound = np.zeros(n_groups + network.n_hubs, dtype=np.int64)
    bound[:n_groups] = network.supply
    into_hubs = (heads >= n_groups) & (heads < n_groups + network.n_hubs)
    from_groups = into_hubs & (tails < n_groups)
    np.add.at(bound, heads[from_groups], bound[tails[from_groups]])
    # hub to hub, tails in increasing order: a hub's bound is final before it is used
    from_hubs = into_hubs & (tails >= n_groups)
    for u, v in sorted(zip(tails[from_hubs].tolist(), heads[from_hubs].tolist(), strict=True)):
        bound[v] += bound[u]
    return bound


def _ortools(network: FlowNetwork) -> tuple[int, ...]:
    import numpy as np
    from ortools.graph.python import min_cost_flow

    n_groups, n_hubs, n_arcs = network.n_groups, network.n_hubs, network.n_arcs
    if n_arcs == 0:
        return ()
    total = sum(network.supply)
    first_target = n_groups + n_hubs
    # every group supplies its count and every target asks for its capacity; the solver moves
    # as much as it can (a maximum flow) at the least cost. Arc capacities are the tightest
    # bounds that hold anyway (what can reach the tail, what the head can take): they do not
    # change the answer and make the solver faster.
    places = np.asarray(
        [total if c is None else min(c, total) for c in network.capacity], dtype=np.int64
    )
    tails, heads = network.ends()
    through = _through(network, tails, heads)
    head_cap = np.full(n_arcs, total, dtype=np.int64)
    to_target = heads >= first_target
    head_cap[to_target] = places[heads[to_target] - first_target]
    caps = np.minimum(through[tails], head_cap)
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32),
        heads.astype(np.int32),
        caps,
        np.asarray(network.costs, dtype=np.int64),
    )
    supplies = np.zeros(network.n_nodes, dtype=np.int64)
    supplies[:n_groups] = network.supply
    supplies[first_target:] = -places
    solver.set_nodes_supplies(np.arange(network.n_nodes, dtype=np.int32), supplies)
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:  # pragma: no cover - inputs are validated above
        raise InvalidArgumentError(f"OR-Tools could not solve the network: {status}")
    flows: list[int] = solver.flows(np.arange(n_arcs, dtype=np.int32)).tolist()
    return tuple(flows)


def _name(network: FlowNetwork, v: int) -> tuple[str, int]:
    if v < network.n_groups:
        return ("group", v)
    t = network.target_of(v)
    return ("hub", v - network.n_groups) if t is None else ("target", t)


def to_networkx(network: FlowNetwork) -> nx.DiGraph:
    """The network as a :class:`networkx.DiGraph` with ``capacity`` and ``weight`` on the edges.

    Nodes are ``"source"``, ``"sink"``, ``("group", g)``, ``("hub", h)`` and ``("target", p)``;
    an unlimited capacity is left out (networkx reads it as infinite).

    >>> G = to_networkx(FlowNetwork.bipartite((2,), (None,), [(0, 0, 4)]))
    >>> G.edges["source", ("group", 0)]["capacity"], "capacity" in G.edges[("target", 0), "sink"]
    (2, False)
    """
    G = nx.DiGraph()
    G.add_node(SOURCE)
    G.add_node(SINK)
    for g, s in enumerate(network.supply):
        G.add_edge(SOURCE, ("group", g), capacity=s, weight=0)
    for h in range(network.n_hubs):
        G.add_node(("hub", h))
    for p, c in enumerate(network.capacity):
        if c is None:
            G.add_edge(("target", p), SINK, weight=0)
        else:
            G.add_edge(("target", p), SINK, capacity=c, weight=0)
    for u, v, c in zip(network.tails, network.heads, network.costs, strict=True):
        G.add_edge(_name(network, u), _name(network, v), weight=c)
    return G


def _networkx(network: FlowNetwork) -> tuple[int, ...]:
    if network.n_arcs == 0:
        return ()
    flow = nx.max_flow_min_cost(to_networkx(network), SOURCE, SINK)
    return tuple(
        int(flow[_name(network, u)][_name(network, v)])
        for u, v in zip(network.tails, network.heads, strict=True)
    )


# ------------------------------------------------------------------------------------ checkers
def _balance(network: FlowNetwork, flow: Sequence[int]) -> tuple[list[int], list[int]]:
    """Flow out of and into every node."""
    out = [0] * network.n_nodes
    into = [0] * network.n_nodes
    for u, v, f in zip(network.tails, network.heads, flow, strict=True):
        out[u] += f
        into[v] += f
    return out, into


def is_feasible_allocation(network: FlowNetwork, flow: Sequence[int]) -> bool:
    """True when ``flow`` (one integer per arc) is a feasible flow of ``network``.

    Checks integrality and non-negativity on every arc, and conservation at every node: what
    leaves a group is what the source sends it, at most its supply; what enters a hub leaves it;
    what enters a target is what it sends the sink, at most its capacity. Linear time.

    >>> net = FlowNetwork.bipartite((2,), (1, 1), [(0, 0, 0), (0, 1, 0)])
    >>> is_feasible_allocation(net, (1, 1)), is_feasible_allocation(net, (2, 0))
    (True, False)
    """
    if len(flow) != network.n_arcs:
        return False
    if any(not isinstance(f, int) or isinstance(f, bool) or f < 0 for f in flow):
        return False
    out, into = _balance(network, flow)
    if any(out[g] > s for g, s in enumerate(network.supply)):
        return False
    hubs = range(network.n_groups, network.n_groups + network.n_hubs)
    if any(out[h] != into[h] for h in hubs):
        return False
    return all(
        c is None or into[network.target_node(t)] <= c for t, c in enumerate(network.capacity)
    )


def _residual_reach(network: FlowNetwork, flow: Sequence[int]) -> tuple[set[int], bool]:
    """Nodes reachable from the source in the residual network, and whether the sink is."""
    out, into = _balance(network, flow)
    seen = {g for g, s in enumerate(network.supply) if out[g] < s}
    queue = deque(seen)
    while queue:
        u = queue.popleft()
        for a in network.arcs_out(u):  # forward arcs are uncapacitated
            v = network.heads[a]
            if v not in seen:
                seen.add(v)
                queue.append(v)
        for a in network.arcs_in(u):  # backward along arcs that carry flow
            v = network.tails[a]
            if flow[a] > 0 and v not in seen:
                seen.add(v)
                queue.append(v)
    reached = False
    for v in seen:
        t = network.target_of(v)
        if t is not None:
            cap = network.capacity[t]
            if cap is None or into[v] < cap:
                reached = True
                break
    return seen, reached


def is_maximum(network: FlowNetwork, flow: Sequence[int]) -> bool:
    """True when the feasible ``flow`` leaves no augmenting path from source to sink.

    >>> net = FlowNetwork.bipartite((1, 1), (1, 1), [(0, 0, 0), (0, 1, 0), (1, 0, 0)])
    >>> is_maximum(net, (1, 0, 0)), is_maximum(net, (0, 1, 1))
    (False, True)
    """
    return not _residual_reach(network, flow)[1]


def cut_capacity(network: FlowNetwork, flow: Sequence[int]) -> int | None:
    """The capacity of the cut around the nodes the residual network of ``flow`` reaches.

    Side S holds the source and the nodes reachable from it. No arc from S to the rest can be
    inside the network (they are uncapacitated, so their heads would be reachable), so the cut's
    capacity is the supply of the groups outside S plus the capacity of the targets inside S. By
    max-flow min-cut it equals the flow's value exactly when the flow is maximum. ``None`` when
    the sink is reachable (no cut: the flow is not maximum).

    >>> net = FlowNetwork.bipartite((2, 1), (1, 2), [(0, 0, 0), (0, 1, 0), (1, 1, 0)])
    >>> cut_capacity(net, (1, 1, 1)), cut_capacity(net, (1, 0, 1))
    (3, None)
    """
    side, reached = _residual_reach(network, flow)
    if reached:
        return None
    outside = sum(s for g, s in enumerate(network.supply) if g not in side)
    return outside + sum(
        network.bound(t) for t in range(network.n_targets) if network.target_node(t) in side
    )


def is_min_cost(network: FlowNetwork, flow: Sequence[int]) -> bool:
    """True when the residual network of the feasible ``flow`` has no negative-cost cycle.

    With :func:`is_maximum`, this certifies a min-cost maximum flow: a cheaper flow of the same
    value differs from this one by cycles of the residual network, and one of them would be
    negative. Bellman-Ford over the residual network: ``O(nodes x arcs)``, for tests.

    >>> net = FlowNetwork.bipartite((1, 1), (1, 1), [(0, 0, 1), (0, 1, 5), (1, 0, 1), (1, 1, 1)])
    >>> is_min_cost(net, (0, 1, 1, 0)), is_min_cost(net, (1, 0, 0, 1))
    (False, True)
    """
    out, into = _balance(network, flow)
    R = nx.DiGraph()
    R.add_nodes_from([SOURCE, SINK])
    for g, s in enumerate(network.supply):
        if out[g] < s:
            R.add_edge(SOURCE, ("group", g), weight=0)
        if out[g] > 0:
            R.add_edge(("group", g), SOURCE, weight=0)
    for t in range(network.n_targets):
        used = into[network.target_node(t)]
        if used < network.bound(t):
            R.add_edge(("target", t), SINK, weight=0)
        if used > 0:
            R.add_edge(SINK, ("target", t), weight=0)
    for u, v, c, f in zip(network.tails, network.heads, network.costs, flow, strict=True):
        R.add_edge(_name(network, u), _name(network, v), weight=c)
        if f > 0:
            R.add_edge(_name(network, v), _name(network, u), weight=-c)
    return not nx.negative_edge_cycle(R, weight="weight")


# ------------------------------------------------------------------------------------ the peer
def _cheapest_paths(network: FlowNetwork, node: int) -> dict[int, tuple[int, tuple[int, ...]]]:
    """For each target reachable from ``node``: the cheapest cost and the arcs of that path."""
    best: dict[int, tuple[int, tuple[int, ...]]] = {}
    dist: dict[int, tuple[int, tuple[int, ...]]] = {node: (0, ())}
    inner: set[int] = {node}
    stack = [node]
    while stack:  # the groups and hubs reachable from node
        for a in network.arcs_out(stack.pop()):
            v = network.heads[a]
            if network.target_of(v) is None and v not in inner:
                inner.add(v)
                stack.append(v)
    for u in sorted(inner):  # arcs go from lower to higher numbers: a topological order
        cost, path = dist[u]
        for a in network.arcs_out(u):
            v = network.heads[a]
            candidate = (cost + network.costs[a], (*path, a))
            t = network.target_of(v)
            table, key = (best, t) if t is not None else (dist, v)
            if key not in table or candidate[0] < table[key][0]:
                table[key] = candidate
    return best


def greedy_allocation(network: FlowNetwork, order: Sequence[int] | None = None) -> tuple[int, ...]:
    """People arrive one by one and each takes the cheapest (nearest) target with room left.

    ``order`` lists the group of each arriving unit of demand (each group at most its supply
    times); by default groups arrive in index order, all units of a group together. Ties between
    equally near targets go to the lower target index. This is what first come, first served
    referral amounts to; it is feasible but neither maximum nor cheapest in general.

    >>> net = FlowNetwork.bipartite((1, 1), (1, 1), [(0, 0, 0), (0, 1, 9), (1, 0, 0)])
    >>> greedy_allocation(net)            # the first person takes the place the second needed
    (1, 0, 0)
    >>> allocate(net).arc_flow            # exact: both are placed
    (0, 1, 1)
    """
    if order is None:
        order = [g for g, s in enumerate(network.supply) for _ in range(s)]
    left = [network.bound(t) for t in range(network.n_targets)]
    remaining = list(network.supply)
    flow = [0] * network.n_arcs
    ranked: dict[int, list[tuple[int, int, tuple[int, ...]]]] = {}
    for g in order:
        if not 0 <= g < network.n_groups or remaining[g] <= 0:
            raise InvalidArgumentError(f"group {g} arrives more often than its supply")
        remaining[g] -= 1
        if g not in ranked:
            paths = _cheapest_paths(network, g)
            ranked[g] = sorted((cost, t, path) for t, (cost, path) in paths.items())
        for _, t, path in ranked[g]:
            if left[t] > 0:
                left[t] -= 1
                for a in path:
                    flow[a] += 1
                break
    return tuple(flow)
