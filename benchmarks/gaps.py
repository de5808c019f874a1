"""Capacity gaps: our engine (grouped network + OR-Tools) against networkx on the same network.

Run ``python benchmarks/gaps.py`` (several minutes: networkx is given up to ``--nx-timeout``
seconds at national size) or ``python benchmarks/gaps.py --quick`` (about a minute). Needs
``ortools`` (the ``solvers`` extra). ``--no-peers`` skips networkx (our times only, about a
minute at national size, most of it drawing the synthetic people); ``--repeat N`` keeps the best
of N runs of ours on each instance. ``--fresh N`` instead times N fresh processes, each making
one call (build, solve, summarise) on the same pickled national instance, a year and then a
month: what a planner's command costs, without the warm caches of a long-running process.

Instances (all seeded, synthetic people only):

- ``shipped, year``: the shipped Cambridgeshire & Peterborough directory (114 pathways) and a
  year of synthetic referrals (4,200 people, about 8,600 units of need), allocated against a
  year of places (period ``2026``); ``shipped, month``: 350 people in a month; ``shipped, busy
  month``: 1,000 people in a month (oversubscribed), where first come, first served (``greedy``,
  people arriving in a seeded random order) falls short of the exact allocation;
- ``national, year``: ``synthetic_directory(10_000, n_districts=400)`` and 200,000 people (the
  national yearly volume of out-of-court disposals), against a year of places;
- ``national, month``: the same people in one month: twelve times oversubscribed, the hardest
  case for a min-cost flow (most pathways full, long augmenting paths);
- ``national subsample``: the first 40 of the 400 districts (about a tenth of the network), for a
  networkx figure that finishes when the full one does not.

For each: the time to build the grouped network (Python: eligibility, reach, grouping, hubs),
the time to solve it with OR-Tools and with networkx (``nx.max_flow_min_cost``: preflow-push
then network simplex) on the *same* network, and the time to summarise. Both solvers must agree
on the maximum flow and the minimum cost. Times are CPU seconds of the process (``--wall`` for
wall clock); networkx runs in a child process with a time limit, so its time is the child's CPU.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import pickle
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from directory.loading import load
from directory.models import Directory
from directory.synthetic import synthetic_directory
from matching.demand import Demand, demand_from_people, synthetic_cohort
from matching.flow import FlowNetwork, FlowResult, allocate, greedy_allocation
from matching.gaps import GapNetwork, GapResult, build_network, summarise

# import the engine once, before any clock starts (it brings numpy and the OR-Tools library)
allocate(FlowNetwork.bipartite((1,), (1,), [(0, 0, 0)]), engine="ortools")

CLOCK = time.process_time


@dataclass
class Row:
    name: str
    units: int
    groups: int
    hubs: int
    arcs: int
    build: float
    solve: float
    summarise: float
    networkx: float | None  # None: timed out, or skipped
    nx_limit: float
    met: int
    greedy_met: int | None = None
    nx_skipped: bool = False

    @property
    def ours(self) -> float:
        return self.build + self.solve + self.summarise


def _nx_child(net: FlowNetwork, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    start = time.process_time()
    result = allocate(net, engine="networkx")
    queue.put((time.process_time() - start, result.value, result.cost))


def networkx_time(net: FlowNetwork, limit: float) -> tuple[float | None, int | None, int | None]:
    """networkx's CPU time on ``net`` in a child process, or None past ``limit`` seconds."""
    queue: mp.Queue = mp.get_context("fork").Queue()  # type: ignore[type-arg]
    child = mp.get_context("fork").Process(target=_nx_child, args=(net, queue))
    child.start()
    child.join(limit)
    if child.is_alive():
        child.terminate()
        child.join()
        return None, None, None
    seconds, value, cost = queue.get()
    return seconds, value, cost


def one_call(
    directory: Directory, demand: Demand, period: str
) -> tuple[float, float, float, GapNetwork, FlowResult, GapResult]:
    """Build, solve and summarise once: (build, solve, summarise seconds, network, flow, result)."""
    t = CLOCK()
    net = build_network(directory, demand, period=period)
    build = CLOCK() - t
    t = CLOCK()
    flow = allocate(net.network, engine="ortools")
    solve = CLOCK() - t
    t = CLOCK()
    result = summarise(directory, net, flow)
    return build, solve, CLOCK() - t, net, flow, result


def measure(
    name: str,
    directory: Directory,
    demand: Demand,
    period: str,
    nx_limit: float,
    greedy: bool = False,
    peers: bool = True,
    repeat: int = 1,
) -> Row:
    best: tuple[float, float, float] | None = None
    for _ in range(repeat):  # the run with the least time in all
        gc.collect()
        build, solve, summary, net, flow, result = one_call(directory, demand, period)
        if best is None or build + solve + summary < sum(best):
            best = (build, solve, summary)
    assert best is not None
    build, solve, summary = best
    nx_seconds = None
    if peers:
        nx_seconds, nx_value, nx_cost = networkx_time(net.network, nx_limit)
        if nx_seconds is not None:
            assert (nx_value, nx_cost) == (flow.value, flow.cost), "the solvers disagree"
    greedy_met = None
    if greedy:  # people arrive in a random (seeded) order, each takes the nearest with room
        order = [g for g, group in enumerate(net.groups) for _ in range(group.count)]
        random.Random(0).shuffle(order)
        g = greedy_allocation(net.network, order=order)
        greedy_met = sum(g[a] for grp in range(len(net.groups)) for a in net.network.arcs_out(grp))
    return Row(
        name,
        demand.total,
        len(net.groups),
        net.network.n_hubs,
        net.network.n_arcs,
        build,
        solve,
        summary,
        nx_seconds,
        nx_limit,
        result.met,
        greedy_met,
        nx_skipped=not peers,
    )


def subsample(demand: Demand, districts: set[str]) -> Demand:
    return Demand.of(
        [(k, c) for k, c in demand.rows if k.district in districts], period=demand.period
    )


def show(rows: list[Row]) -> None:
    head = (
        f"{'instance':<26}{'units':>9}{'groups':>8}{'hubs':>7}{'arcs':>9}"
        f"{'build':>8}{'solve':>8}{'summ.':>7}{'ours':>8}{'networkx':>10}"
        f"{'nx/solve':>10}{'nx/ours':>9}{'met':>9}{'greedy':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        if r.nx_skipped:
            nx_text, ratio, ratio_all = "-", "-", "-"
        elif r.networkx is None:
            nx_text, ratio, ratio_all = (
                f">{r.nx_limit:.0f}",
                f">{r.nx_limit / r.solve:.0f}x",
                (f">{r.nx_limit / r.ours:.0f}x"),
            )
        else:
            nx_text = f"{r.networkx:.2f}"
            ratio, ratio_all = f"{r.networkx / r.solve:.1f}x", f"{r.networkx / r.ours:.1f}x"
        greedy = "" if r.greedy_met is None else f"{r.greedy_met}"
        print(
            f"{r.name:<26}{r.units:>9}{r.groups:>8}{r.hubs:>7}{r.arcs:>9}"
            f"{r.build:>8.2f}{r.solve:>8.2f}{r.summarise:>7.2f}{r.ours:>8.2f}{nx_text:>10}"
            f"{ratio:>10}{ratio_all:>9}{r.met:>9}{greedy:>8}"
        )


def _fresh_child(path: str, period: str) -> None:
    """One call on the pickled (directory, demand): prints build, solve, summarise (CPU s)."""
    directory, demand = pickle.loads(Path(path).read_bytes())
    gc.collect()
    build, solve, summary, _, _, result = one_call(directory, demand, period)
    print(f"{build} {solve} {summary} {result.met}")


def national_instance(n_pathways: int, n_districts: int, n_people: int) -> tuple[Directory, Demand]:
    """The national synthetic directory and a year of its synthetic people's demand."""
    national = synthetic_directory(n_pathways, n_districts=n_districts)
    demand = demand_from_people(synthetic_cohort(national, n_people, seed=1), period="2026")
    gc.collect()
    return national, demand


def fresh(runs: int, n_pathways: int, n_districts: int, n_people: int) -> None:
    """``runs`` fresh processes per period, each one call on the same national instance."""
    national, demand = national_instance(n_pathways, n_districts, n_people)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "national.pickle"
        path.write_bytes(pickle.dumps((national, demand)))
        del national, demand
        for period in ("2026", "2026-11"):
            print(f"\nnational, period {period}: {runs} fresh processes, one call each (CPU s)")
            print(f"{'run':>4}{'build':>8}{'solve':>8}{'summ.':>8}{'in all':>8}{'met':>9}")
            totals = []
            for run in range(1, runs + 1):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(path), period],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.split()
                build, solve, summ = (float(x) for x in out[:3])
                totals.append(build + solve + summ)
                print(
                    f"{run:>4}{build:>8.2f}{solve:>8.2f}{summ:>8.2f}{totals[-1]:>8.2f}{out[3]:>9}"
                )
            ordered = sorted(totals)
            print(
                f"in all: min {ordered[0]:.2f}, median {statistics.median(ordered):.2f}, "
                f"max {ordered[-1]:.2f}; within 2 s: {sum(t <= 2.0 for t in ordered)} of {runs}"
            )


def main() -> None:
    global CLOCK
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _fresh_child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller national instance")
    parser.add_argument("--wall", action="store_true", help="wall-clock instead of CPU time")
    parser.add_argument("--nx-timeout", type=float, default=None, help="seconds for networkx")
    parser.add_argument("--no-peers", action="store_true", help="skip networkx (ours only)")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs of ours")
    parser.add_argument(
        "--fresh", type=int, default=0, help="time N fresh processes at national size instead"
    )
    args = parser.parse_args()
    options = {"peers": not args.no_peers, "repeat": max(1, args.repeat)}
    if args.wall:
        CLOCK = time.perf_counter
    n_pathways, n_districts, n_people = (10_000, 400, 200_000)
    if args.quick:
        n_pathways, n_districts, n_people = (2_000, 80, 40_000)
    limit = args.nx_timeout or (60.0 if args.quick else 600.0)
    if args.fresh:
        fresh(args.fresh, n_pathways, n_districts, n_people)
        return

    rows: list[Row] = []
    shipped = load()
    year = demand_from_people(synthetic_cohort(shipped, 4200, seed=1), period="2026")
    rows.append(measure("shipped, year", shipped, year, "2026", limit, greedy=True, **options))
    month = demand_from_people(synthetic_cohort(shipped, 350, seed=1), period="2026-11")
    rows.append(measure("shipped, month", shipped, month, "2026-11", limit, greedy=True, **options))
    busy = demand_from_people(synthetic_cohort(shipped, 1000, seed=1), period="2026-11")
    rows.append(
        measure("shipped, busy month", shipped, busy, "2026-11", limit, greedy=True, **options)
    )
    show(rows)

    national, demand = national_instance(n_pathways, n_districts, n_people)
    tag = f"{n_pathways // 1000}k/{n_districts}/{n_people // 1000}k"
    first = {f"district_{i}" for i in range(max(1, n_districts // 10))}
    part = subsample(demand, first)
    rows.append(measure("subsample 1/10, year", national, part, "2026", limit, **options))
    rows.append(measure(f"national {tag}, year", national, demand, "2026", limit, **options))
    rows.append(measure(f"national {tag}, month", national, demand, "2026-11", limit, **options))
    print()
    show(rows)
    print(
        f"\nTimes in {'wall-clock' if args.wall else 'CPU'} seconds; 'ours' = build + solve + "
        "summarise; networkx solves the same grouped network (its build not counted); "
        f"'>N' = networkx stopped after {limit:.0f} s ('-': not run, --no-peers). 'greedy' = "
        "units met by first come, first served on the same network (the exact 'met' is the most "
        "possible)." + ("" if args.repeat <= 1 else f" Ours: best of {args.repeat} runs.")
    )


if __name__ == "__main__":
    main()
