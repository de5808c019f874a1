"""The matcher end to end, its solver against peers, and a national cohort on one core.

Run ``python benchmarks/match.py`` (several minutes on a loaded machine) or ``--quick``.
Needs ``highspy`` and ``ortools`` (the ``solvers`` extra) for the solver peers.

1. **match()**: latency of :meth:`matching.match.Matcher.match` (candidates, exact cover, the
   reasons, the plan) on the shipped directory and on a national synthetic directory (50,000
   pathways, 400 districts), for people drawn by :func:`matching.demand.synthetic_cohort`.
   Times are CPU time of this thread (``time.thread_time``), so other work on the machine slows
   them less than wall time; medians and 99th percentiles.
2. **Solvers**: the instances :func:`matching.cover.best_cover` receives inside those matches
   (the candidates after the matcher's reductions), solved by ours (``exact``: the search in
   Python),
   by the textbook greedy cover, by one HiGHS MIP built lean (arrays passed in one call: the
   peer to compare with), the same MIP through highspy's modelling layer, and one CP-SAT
   model (the model builders of ``benchmarks/cover.py``), each timed with its model building,
   in this process: each solver in a pass of its own over the instances (the ratios), and all
   one after another on
   each instance (``interleaved``: each then starts with the others' footprint in the caches,
   which costs a small Python solver more than a large compiled one).
   How often greedy chooses more agencies than the exact answer, and by how many.
3. **Cohort**: 200,000 generated assessments on the shipped directory through
   :func:`matching.batch.match_many` in one process (one core), plans remembered within the call.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from directory.loading import load
from directory.models import Directory
from directory.synthetic import synthetic_directory
from matching.assessment import Assessment
from matching.batch import match_many
from matching.cover import (
    Cover,
    Option,
    best_cover,
    cover_key,
    greedy_cover,
)
from matching.demand import synthetic_cohort
from matching.match import Matcher

if TYPE_CHECKING:
    from collections.abc import Callable

DAY = date(2026, 11, 23)
Instance = tuple[int, list[Option], frozenset[int]]


def people(d: Directory, n: int, seed: int, *, heavy: bool = False) -> list[Assessment]:
    """``n`` made-up assessments for ``d`` (synthetic_cohort: 1-4 needs, weights 35/35/20/10);
    ``heavy``: each given 5-8 needs instead, drawn uniformly (the hard tail)."""
    rng = random.Random(seed)
    needs = [x.id for x in d.needs]
    out = []
    for i, p in enumerate(synthetic_cohort(d, n, seed=seed)):
        wanted = tuple(rng.sample(needs, rng.randint(5, 8))) if heavy else p.needs
        out.append(
            Assessment(
                reference=f"B{i}",
                needs=wanted,
                district=p.district,
                lat=p.lat,
                lon=p.lon,
                age=p.age,
                gender=p.gender,
                offence=p.offence,
                disposal=p.disposal,
                cohorts=tuple(sorted(p.cohorts)),
                travel_km=p.travel_km,
                accept_remote=p.accept_remote,
            )
        )
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def latency(m: Matcher, cases: list[Assessment]) -> tuple[list[float], list[float], list[Instance]]:
    """(cpu µs, wall µs, solver instances) of m.match over the cases, one at a time."""
    cpu: list[float] = []
    wall: list[float] = []
    for a in cases[: min(50, len(cases))]:  # warm the per-person caches of eligibility
        m.match(a, on=DAY)
    for a in cases:
        t0, w0 = time.thread_time(), time.perf_counter()
        m.match(a, on=DAY)
        cpu.append((time.thread_time() - t0) * 1e6)
        wall.append((time.perf_counter() - w0) * 1e6)
    instances: list[Instance] = []
    for a in cases:
        person = m._person(a, DAY)
        kept, _ = m._grouped(m._find(a, person), person)
        options = [Option(r.mask, r.agency, r.distance, r.spare) for r in kept]
        instances.append((person.universe, options, person.free))
    return cpu, wall, instances


@dataclass
class SolverRow:
    """Times (µs) per solver on the same instances, and how greedy and the peers compare.

    ``times``: each solver in a pass of its own over all the instances (its code and data warm,
    as in a service that solves all day); ``mixed``: the four solvers one after another on each
    instance, so each starts with the others' footprint in the caches.
    """

    n: int
    times: dict[str, list[float]] = field(default_factory=dict)
    mixed: dict[str, list[float]] = field(default_factory=dict)
    worse: int = 0
    by: Counter[int] = field(default_factory=Counter)
    mismatch: int = 0


def _timed(solve: Callable[[Instance], object], instances: list[Instance]) -> list[float]:
    """CPU µs of ``solve`` on each instance, in one pass, after warming it on a few."""
    for instance in instances[:20]:
        solve(instance)
    times = []
    for instance in instances:
        t0 = time.thread_time()
        solve(instance)
        times.append((time.thread_time() - t0) * 1e6)
    return times


def solvers(instances: list[Instance], *, peers: bool) -> SolverRow:
    """Time ours, greedy and (if peers) HiGHS and CP-SAT on the same instances, each in its own
    pass and interleaved; check the answers."""
    from cover import solve_cpsat, solve_highs, solve_highs_lean

    run: dict[str, Callable[[Instance], object]] = {
        "exact": lambda i: best_cover(i[0], i[1], free_agencies=i[2]),
        "greedy": lambda i: greedy_cover(i[0], i[1], free_agencies=i[2]),
    }
    if peers:
        run["HiGHS lean"] = lambda i: solve_highs_lean(*i) if i[1] else ()
        run["HiGHS"] = lambda i: solve_highs(*i) if i[1] else ()
        run["CP-SAT"] = lambda i: solve_cpsat(*i) if i[1] else ()
    row = SolverRow(len(instances))
    for name, solve in run.items():
        row.times[name] = _timed(solve, instances)
        row.mixed[name] = []
    for instance in instances:
        universe, options, free = instance
        answers = {}
        for name, solve in run.items():
            t0 = time.thread_time()
            answers[name] = solve(instance)
            row.mixed[name].append((time.thread_time() - t0) * 1e6)
        exact, greedy = answers["exact"], answers["greedy"]
        assert isinstance(exact, Cover)
        assert isinstance(greedy, Cover)
        if greedy.key[:2] > exact.key[:2]:
            row.worse += 1
            row.by[greedy.key[1] - exact.key[1]] += 1
        # key level 3 (fit) is 0 here: the peers model the levels without it
        for name, levels in (("HiGHS lean", 5), ("HiGHS", 5), ("CP-SAT", 6)):
            chosen = answers.get(name)
            if chosen is not None and options:
                assert isinstance(chosen, tuple)
                key = cover_key(universe, options, chosen, free_agencies=free)
                row.mismatch += key[:levels] != exact.key[:levels]
    return row


def show_latency(label: str, cpu: list[float], wall: list[float]) -> None:
    print(
        f"  {label:<34} median {statistics.median(cpu):7.0f} µs   p99 {pct(cpu, 0.99):7.0f} µs"
        f"   (wall: median {statistics.median(wall):7.0f} µs, p99 {pct(wall, 0.99):7.0f} µs)"
    )


def show_solvers(label: str, row: SolverRow) -> None:
    print(f"  {label}: {row.n} instances")
    ours = statistics.median(row.times["exact"])
    ours_mixed = statistics.median(row.mixed["exact"])
    for name, values in row.times.items():
        med, p99 = statistics.median(values), pct(values, 0.99)
        mixed = statistics.median(row.mixed[name])
        ratio = "" if name == "exact" else f"   {med / ours:6.1f}x ours"
        ratio_mixed = "" if name == "exact" else f" ({mixed / ours_mixed:5.1f}x)"
        print(
            f"    {name:<10} median {med:8.1f} µs   p99 {p99:9.1f} µs{ratio}"
            f"   | interleaved: median {mixed:8.1f} µs{ratio_mixed}"
        )
    detail = ", ".join(
        f"+{k} agenc{'y' if k == 1 else 'ies'}: {v}" for k, v in sorted(row.by.items())
    )
    share = 100 * row.worse / max(row.n, 1)
    print(
        f"    greedy uses more agencies than exact in {row.worse}/{row.n} ({share:.1f}%)"
        + (f" [{detail}]" if detail else "")
    )
    print(f"    peer answers not equal to ours on the levels they optimise: {row.mismatch}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples, about a minute")
    parser.add_argument("--no-peers", action="store_true", help="skip HiGHS and CP-SAT")
    args = parser.parse_args(argv)
    n_latency = 400 if args.quick else 3000
    n_solver = 150 if args.quick else 1000
    n_cohort = 20_000 if args.quick else 200_000
    print(f"Matching benchmark ({'quick' if args.quick else 'full'}), {time.strftime('%Y-%m-%d')}")

    shipped = load()
    t0 = time.perf_counter()
    national = synthetic_directory(50_000, n_districts=400, seed=0)
    built = time.perf_counter() - t0
    print(
        f"national synthetic directory: {len(national.pathways)} pathways, "
        f"{len(national.districts)} districts, {len(national.agencies)} agencies "
        f"(generated in {built:.0f} s)"
    )

    print("\n1. Matcher.match(): candidates, exact cover, reasons, plan (CPU time of this thread)")
    results = {}
    for label, d in (
        ("shipped (114 pathways, 6 districts)", shipped),
        ("national (50,000 pathways, 400 districts)", national),
    ):
        t0 = time.thread_time()
        m = Matcher(d)
        compile_ms = (time.thread_time() - t0) * 1000
        print(f"  {label}: compiled in {compile_ms:.0f} ms")
        for kind, heavy in (("1-4 needs (cohort mix)", False), ("5-8 needs (hard tail)", True)):
            cases = people(d, n_latency, seed=1, heavy=heavy)
            cpu, wall, instances = latency(m, cases)
            show_latency(kind, cpu, wall)
            sizes = [float(len(i[1])) for i in instances]
            print(
                f"  {'':<34} options per solve: median {statistics.median(sizes):.0f}, "
                f"p99 {pct(sizes, 0.99):.0f}"
            )
            results[f"{label}, {kind}"] = instances

    print("\n2. The solver on the instances the matcher builds (model building included)")
    for label, instances in results.items():
        sample = random.Random(5).sample(instances, min(n_solver, len(instances)))
        show_solvers(label, solvers(sample, peers=not args.no_peers))

    print(f"\n3. Cohort: {n_cohort:,} generated assessments, shipped directory, one process")
    cohort = people(shipped, n_cohort, seed=9)  # the calibrated mix: 1-4 needs
    m = Matcher(shipped)
    distinct = len({m.memo_key(a) for a in cohort})
    t0, w0 = time.process_time(), time.perf_counter()
    plans = match_many(m, cohort, on=DAY)
    cpu_s, wall_s = time.process_time() - t0, time.perf_counter() - w0
    print(
        f"  {len(plans):,} plans ({distinct:,} distinct facts) in {cpu_s:.1f} s CPU "
        f"({wall_s:.1f} s wall): {len(plans) / cpu_s:,.0f} plans/s; goal 200,000 in 60 s "
        f"-> {200_000 / (len(plans) / cpu_s):.0f} s"
    )


if __name__ == "__main__":
    main()
