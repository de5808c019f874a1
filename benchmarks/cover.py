"""Exact cover against greedy, HiGHS and CP-SAT on the same generated instances.

Run ``python benchmarks/cover.py`` (about a minute) or ``python benchmarks/cover.py --quick``.
Needs ``highspy`` and ``ortools`` (the ``solvers`` extra).

Instances are seeded and realistic in size: 1-8 assessed needs out of a 22-need taxonomy, 3-40
candidate pathways from 1-30 agencies (each pathway meets one assessed need and up to three other
needs), a quarter of them online or by phone, and sometimes an agency already engaged; then a
national-size variant with up to 200 candidates. Every solver sees the same instances in the same
process, and each time includes building the model, as a caller would pay it. Times are CPU
time of the process (``--wall`` for wall-clock), so a busy shared machine skews them less.

- ``exact``: :func:`matching.cover.best_cover`, all seven levels of the key (fit points: none here);
- ``greedy``: :func:`matching.cover.greedy_cover`, the textbook approximation;
- ``HiGHS``: one MIP solve (highspy) with the levels needs met, agencies, pathways and distance
  folded into one weighted objective (exact integer weights; ``mip_rel_gap=0``);
- ``CP-SAT``: one CP-SAT solve (OR-Tools, one worker) with all five numeric levels folded into
  one exact integer objective.

The solvers' answers are checked against the exact one (levels they optimise), and the table
counts how often greedy is worse than exact, and by how many agencies.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.cover import Option, best_cover, cover_key, greedy_cover

if TYPE_CHECKING:
    from collections.abc import Callable

Instance = tuple[int, list[Option], frozenset[int]]
TAXONOMY = 22


def realistic(rng: random.Random, low: int, high: int, max_agencies: int = 30) -> Instance:
    """One assessment's candidates: ``low``-``high`` options, 1-8 needs out of 22."""
    n_needs = rng.choices(range(1, 9), weights=(10, 18, 20, 18, 13, 9, 7, 5))[0]
    assessed = rng.sample(range(TAXONOMY), n_needs)
    universe = sum(1 << n for n in assessed)
    n_agencies = rng.randint(1, max_agencies)
    options: list[Option] = []
    for _ in range(rng.randint(low, high)):
        mask = 1 << rng.choice(assessed)
        for _ in range(rng.choices((0, 1, 2, 3), weights=(45, 30, 15, 10))[0]):
            mask |= 1 << (rng.choice(assessed) if rng.random() < 0.5 else rng.randrange(TAXONOMY))
        distance = 0 if rng.random() < 0.25 else rng.randrange(300, 40_000, 10)
        options.append(Option(mask, rng.randrange(n_agencies), distance, rng.randint(0, 20)))
    engaged = {rng.choice(options).agency} if rng.random() < 0.3 else set()
    return universe, options, frozenset(engaged)


def _bits(mask: int) -> list[int]:
    return [b for b in range(mask.bit_length()) if mask >> b & 1]


def solve_highs(universe: int, options: list[Option], free: frozenset[int]) -> tuple[int, ...]:
    """Chosen indices of one weighted MIP: needs met, agencies, pathways, distance."""
    import highspy

    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.silent()
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("threads", 1)
    needs = _bits(universe)
    x = [h.addBinary() for _ in options]
    agencies = sorted({o.agency for o in options})
    y = {a: h.addBinary() for a in agencies}
    z = {n: h.addBinary() for n in needs}
    for n in needs:
        covering = [x[p] for p, o in enumerate(options) if o.mask >> n & 1]
        h.addConstr(z[n] - h.qsum(covering) <= 0) if covering else h.addConstr(z[n] <= 0)
    for p, o in enumerate(options):
        h.addConstr(x[p] - y[o.agency] <= 0)
    w_pw = sum(o.distance for o in options) + 1
    w_ag = w_pw * (len(options) + 1)
    w_met = w_ag * (len(agencies) + 1)
    objective = (
        -w_met * h.qsum(z.values())
        + w_ag * h.qsum(y[a] for a in agencies if a not in free)
        + h.qsum((w_pw + o.distance) * x[p] for p, o in enumerate(options))
    )
    h.minimize(objective)
    values = h.vals(x)
    return tuple(p for p, v in enumerate(values) if v > 0.5)


def solve_highs_lean(universe: int, options: list[Option], free: frozenset[int]) -> tuple[int, ...]:
    """:func:`solve_highs`'s model built as a good engineer would for speed: the columns and a
    row-wise sparse matrix as arrays passed to HiGHS in one call (no modelling layer), the
    same objective and constraints, so the same answer."""
    import highspy

    needs = _bits(universe)
    agencies = sorted({o.agency for o in options})
    n_x, n_y, n_z = len(options), len(agencies), len(needs)
    at = {a: n_x + k for k, a in enumerate(agencies)}
    w_pw = sum(o.distance for o in options) + 1
    w_ag = w_pw * (n_x + 1)
    w_met = w_ag * (n_y + 1)
    cost = [float(w_pw + o.distance) for o in options]
    cost += [0.0 if a in free else float(w_ag) for a in agencies] + [-float(w_met)] * n_z
    start, index, value = [0], [], []
    for k, n in enumerate(needs):  # z_n - sum of the x meeting n <= 0
        covering = [p for p, o in enumerate(options) if o.mask >> n & 1]
        index += [n_x + n_y + k, *covering]
        value += [1.0] + [-1.0] * len(covering)
        start.append(len(index))
    for p, o in enumerate(options):  # x_p - y_agency <= 0
        index += [p, at[o.agency]]
        value += [1.0, -1.0]
        start.append(len(index))
    lp = highspy.HighsLp()  # type: ignore[no-untyped-call]
    n_cols = n_x + n_y + n_z
    lp.num_col_, lp.num_row_ = n_cols, n_z + n_x
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, [0.0] * n_cols, [1.0] * n_cols
    lp.row_lower_, lp.row_upper_ = [-highspy.kHighsInf] * (n_z + n_x), [0.0] * (n_z + n_x)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = start, index, value
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_cols
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.silent()
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    h.run()
    values = h.getSolution().col_value
    return tuple(p for p in range(n_x) if values[p] > 0.5)


def solve_cpsat(universe: int, options: list[Option], free: frozenset[int]) -> tuple[int, ...]:
    """Chosen indices of one CP-SAT solve: needs met, agencies, pathways, distance, spare."""
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    needs = _bits(universe)
    x = [m.new_bool_var(f"x{p}") for p in range(len(options))]
    agencies = sorted({o.agency for o in options})
    y = {a: m.new_bool_var(f"y{a}") for a in agencies}
    z = {n: m.new_bool_var(f"z{n}") for n in needs}
    for n in needs:
        m.add(z[n] <= sum(x[p] for p, o in enumerate(options) if o.mask >> n & 1))
    for p, o in enumerate(options):
        m.add_implication(x[p], y[o.agency])
    w_d = sum(o.spare for o in options) + 1
    w_pw = w_d * (sum(o.distance for o in options) + 1)
    w_ag = w_pw * (len(options) + 1)
    w_met = w_ag * (len(agencies) + 1)
    m.minimize(
        -w_met * sum(z.values())
        + w_ag * sum(y[a] for a in agencies if a not in free)
        + sum((w_pw + w_d * o.distance - o.spare) * x[p] for p, o in enumerate(options))
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.solve(m)
    if status != cp_model.OPTIMAL:
        raise RuntimeError(f"CP-SAT status {solver.status_name(status)}")
    return tuple(p for p in range(len(options)) if solver.value(x[p]))


@dataclass
class Row:
    label: str
    times: dict[str, list[float]] = field(default_factory=dict)
    greedy_worse: int = 0
    greedy_extra_agencies: Counter[int] = field(default_factory=Counter)
    disagree: Counter[str] = field(default_factory=Counter)
    expanded: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    n: int = 0


CLOCK: Callable[[], int] = time.process_time_ns


def _timed(fn: Callable[[], object], reps: int) -> tuple[float, object]:
    start = CLOCK()
    for _ in range(reps):
        result = fn()
    return (CLOCK() - start) / reps / 1e3, result


def run_row(label: str, instances: list[Instance], *, solvers: bool, reps: int) -> Row:
    row = Row(label, n=len(instances))
    for name in ("exact", "greedy", "HiGHS", "CP-SAT"):
        row.times[name] = []
    for universe, options, free in instances:
        stats: dict[str, int] = {}
        best = best_cover(universe, options, free_agencies=free, stats=stats)
        row.expanded.append(stats["expanded"])
        row.kept.append(stats["kept"])
        t, _ = _timed(partial(best_cover, universe, options, free_agencies=free), reps)
        row.times["exact"].append(t)
        t, greedy = _timed(partial(greedy_cover, universe, options, free_agencies=free), reps)
        row.times["greedy"].append(t)
        assert isinstance(greedy, type(best))
        if greedy.key[:6] > best.key[:6]:
            row.greedy_worse += 1
            extra = greedy.key[1] - best.key[1]
            if extra:
                row.greedy_extra_agencies[extra] += 1
        if not solvers:
            continue
        for name, solve, levels in (("HiGHS", solve_highs, 5), ("CP-SAT", solve_cpsat, 6)):
            t, chosen = _timed(partial(solve, universe, options, free), 1)
            row.times[name].append(t)
            assert isinstance(chosen, tuple)
            key = cover_key(universe, options, chosen, free_agencies=free)
            if key[:levels] != best.key[:levels]:
                row.disagree[name] += 1
    return row


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def print_table(rows: list[Row]) -> None:
    names = [n for n in ("exact", "greedy", "HiGHS", "CP-SAT") if rows[0].times[n]]
    solvers = [n for n in ("HiGHS", "CP-SAT") if n in names]
    head = f"{'candidates':<21}{'n':>5}{'kept':>5}{'states':>7} |"
    for name in names:
        head += f"{name:>8}{'p99':>8} |"
    for name in solvers:
        head += f"{name + '/exact':>14}{'min':>6}"
    clock = "wall-clock" if CLOCK is time.perf_counter_ns else "CPU"
    print(f"{clock} time per instance, µs (median and 99th percentile)")
    print(head)
    print("-" * len(head))
    for row in rows:
        line = f"{row.label:<21}{row.n:>5}{statistics.median(row.kept):>5.0f}"
        line += f"{_pct([float(e) for e in row.expanded], 0.99):>7.0f} |"
        for name in names:
            line += (
                f"{statistics.median(row.times[name]):>8.1f}{_pct(row.times[name], 0.99):>8.1f} |"
            )
        for name in solvers:
            ratios = [s / e for s, e in zip(row.times[name], row.times["exact"], strict=True)]
            line += f"{statistics.median(ratios):>13.0f}x{min(ratios):>5.0f}x"
        print(line)
    print()
    print("kept: candidates left after the reduction (median); states: states the exact search")
    print("expanded (99th percentile); solver/exact: median and minimum per-instance time ratio.")
    print()
    print("Greedy against exact, on the same instances")
    head = f"{'candidates':<21}{'n':>5} | {'worse (any level)':>18} | {'more agencies':>14} | by"
    print(head)
    print("-" * (len(head) + 20))
    for row in rows:
        more = sum(row.greedy_extra_agencies.values())
        by = ", ".join(f"+{k}: {v}" for k, v in sorted(row.greedy_extra_agencies.items()))
        worse = f"{row.greedy_worse} ({100 * row.greedy_worse / row.n:.1f}%)"
        extra = f"{more} ({100 * more / row.n:.1f}%)"
        print(f"{row.label:<21}{row.n:>5} | {worse:>18} | {extra:>14} | {by}")
    if solvers:
        disagreements = {r.label: dict(r.disagree) for r in rows if r.disagree}
        print()
        print(f"Solver answers unlike exact on the levels they optimise: {disagreements or 'none'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few instances (CI speed)")
    parser.add_argument("--no-solvers", action="store_true", help="skip HiGHS and CP-SAT")
    parser.add_argument("--wall", action="store_true", help="wall-clock time, not CPU time")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.perf_counter_ns if args.wall else time.process_time_ns
    scale = 10 if args.quick else 1
    rng = random.Random(args.seed)
    plan = [
        ("3-7 (after compile)", 3, 7, 800, 30),
        ("8-20", 8, 20, 400, 30),
        ("21-40", 21, 40, 400, 30),
        ("national 41-200", 41, 200, 100, 300),
    ]
    rows: list[Row] = []
    for label, low, high, count, agencies in plan:
        instances = [realistic(rng, low, high, agencies) for _ in range(max(10, count // scale))]
        reps = 20 if high <= 40 else 3
        rows.append(run_row(label, instances, solvers=not args.no_solvers, reps=reps))
    print_table(rows)


if __name__ == "__main__":
    main()
