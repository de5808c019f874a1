"""Complementary suppression across linked tables, checked by exact bounds.

Primary suppression hides every count below the threshold (``"<5"``). That is not enough when
published figures are linked: a row total minus its shown parts, a column total, a pathway's
allocation against the cells it serves, a change against "before" and "after" all let a reader
work a hidden count back. :func:`protect` takes every figure a set of tables will publish, the
relations between them (sums, inequalities, and unknowns a reader can reason about but that are
never published, such as how many units of a cell went to each pathway) and hides more figures,
as ``"[c]"`` (confidential: 5 or more, hidden to protect a smaller one), until no small hidden
count can be narrowed by the published figures more than the rule allows.

The rule (see ``docs/disclosure.md``): a count hidden as ``"<T"`` keeps, given every published
figure, a range of at least ``ceil((T - 1) / 2)`` (2 at the default 5: three possible values),
or its whole range when public facts (its marker, the places a pathway has) already make it
narrower; a count worked out as exactly 0 names nobody and is allowed.

How: the figures and relations form a linear program. Each small hidden count's least and
greatest values are found with OR-Tools' GLOP; where a linear optimum is not a whole-number table
the bound is solved again as an integer program (SCIP, one thread), so the bounds are exact.
Tables found on the way prove most counts wide enough without solving for each. When one is too
narrow, the smallest shown figure linked to it through a relation (nearest first, ties by key) is
hidden too, and the check runs again (on what changed, then on everything) until it passes. The
answer is deterministic: it depends only on the figures, the relations and the threshold. The
integer audit in the tests (``tests/disclosure_audit.py``, HiGHS, written separately from the
published text alone) is the independent check.

>>> figures = {"demand": 12, "met": 9, "unmet": 3}
>>> shown = protect(figures, [Relation.total("demand", ["met", "unmet"])])
>>> shown
{'demand': 12, 'met': '[c]', 'unmet': '<5'}
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from ortools.linear_solver import linear_solver_pb2

from directory.errors import InvalidArgumentError

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable, Mapping, Sequence

__all__ = ["CONFIDENTIAL", "Relation", "protect", "ranges", "width_for"]

#: Shown for a count of 5 or more hidden because it would reveal a smaller one.
CONFIDENTIAL = "[c]"

K = TypeVar("K", bound="Hashable")


def width_for(threshold: int) -> int:
    """How wide the range of a small hidden count must stay: ``ceil((threshold - 1) / 2)``.

    >>> width_for(5), width_for(3), width_for(1)
    (2, 1, 0)
    """
    return math.ceil((threshold - 1) / 2)


@dataclass(frozen=True, slots=True)
class Relation:
    """``sum(coefficient * figure) == 0`` (or ``<= 0`` when ``at_most``), over figures and
    unknowns.

    >>> Relation.total("demand", ["met", "unmet"]).terms
    (('demand', 1), ('met', -1), ('unmet', -1))
    """

    terms: tuple[tuple[Any, int], ...]
    at_most: bool = False

    @classmethod
    def total(cls, total: Any, parts: Iterable[Any]) -> Relation:
        """``total == sum(parts)``."""
        return cls(((total, 1), *((p, -1) for p in parts)))

    @classmethod
    def below(cls, small: Any, large: Any) -> Relation:
        """``small <= large``."""
        return cls(((small, 1), (large, -1)), at_most=True)


def _check(threshold: int) -> None:
    if threshold < 1:
        raise InvalidArgumentError(f"a suppression threshold must be 1 or more, not {threshold}")


@dataclass(frozen=True, slots=True)
class _Shown:
    """The figures as a reader of the published tables sees them: their values, the relations
    between them, how each is shown, the threshold, the public floors and caps, and the
    unknowns (never published) with their caps."""

    figures: Mapping[Any, int]
    relations: Sequence[Relation]
    shown: Mapping[Any, int | str]
    threshold: int
    floors: Mapping[Any, int]
    caps: Mapping[Any, int]
    unknowns: Mapping[Any, int | None]

    def is_open(self, key: Any) -> bool:
        """Whether the reader does not know ``key``: an unknown or a hidden figure."""
        return key in self.unknowns or not isinstance(self.shown[key], int)

    def part(self, relations: Sequence[Relation], keys: Iterable[Any]) -> _Shown:
        """Only ``relations`` and the figures and unknowns in them (or in ``keys``)."""
        members = {key for r in relations for key, _ in r.terms} | set(keys)
        return _Shown(
            {k: v for k, v in self.figures.items() if k in members},
            relations,
            self.shown,
            self.threshold,
            self.floors,
            self.caps,
            {k: v for k, v in self.unknowns.items() if k in members},
        )

    def required(self, key: Any) -> int:
        """How wide ``key``'s range must stay (see :func:`width_for` and the public facts)."""
        return _required(key, self.floors, self.caps, self.threshold)


def _solver(table: _Shown, engine: str = "GLOP") -> tuple[Any, dict[Any, Any]]:
    """The linear program (GLOP) or the integer program (SCIP) of the figures as shown."""
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver(engine)
    if engine == "SCIP":
        solver.SetNumThreads(1)  # deterministic
    integer = engine != "GLOP"
    inf = solver.infinity()
    threshold = table.threshold
    var: dict[Any, Any] = {}
    for key, value in table.figures.items():
        text = table.shown[key]
        low, high = table.floors.get(key, 0), table.caps.get(key)
        if isinstance(text, int):
            low = high = value
        elif text == CONFIDENTIAL:
            low = max(low, threshold)
        else:
            high = threshold - 1 if high is None else min(high, threshold - 1)
        var[key] = solver.Var(low, inf if high is None else high, integer, "")
    for key, cap in table.unknowns.items():
        var[key] = solver.Var(0, inf if cap is None else cap, integer, "")
    for r in table.relations:
        row = solver.Constraint(-inf if r.at_most else 0.0, 0.0)
        for key, coefficient in r.terms:
            row.SetCoefficient(var[key], coefficient)
    return solver, var


def _solve(solver: Any, maximise: bool) -> float | None:
    from ortools.linear_solver import pywraplp

    solver.Objective().SetOptimizationDirection(maximise)
    status = solver.Solve()
    if status == pywraplp.Solver.UNBOUNDED:
        return None
    if status != pywraplp.Solver.OPTIMAL:
        raise InvalidArgumentError(f"the figures do not fit their relations ({status})")
    value: float = solver.Objective().Value()
    return value


def ranges(
    figures: Mapping[K, int],
    relations: Sequence[Relation],
    shown: Mapping[K, int | str],
    threshold: int,
    *,
    floors: Mapping[K, int] | None = None,
    caps: Mapping[K, int] | None = None,
    unknowns: Mapping[Any, int | None] | None = None,
    only: Iterable[K] | None = None,
) -> dict[K, tuple[int, int | None]]:
    """The least and greatest value a reader can give each hidden figure (``only``: those),
    given the published ``shown`` figures, the relations and the public ``floors`` and ``caps``.

    ``unknowns`` are never published; each maps to its public cap (``None``: none). Linear
    bounds, rounded inwards: never narrower than the exact integer bounds.

    >>> ranges({"a": 2, "b": 7, "t": 9}, [Relation.total("t", ["a", "b"])],
    ...        {"a": "<5", "b": "[c]", "t": 9}, 5)
    {'a': (0, 4), 'b': (5, 9)}
    """
    solver, var = _solver(
        _Shown(figures, relations, shown, threshold, floors or {}, caps or {}, unknowns or {})
    )
    objective = solver.Objective()
    out: dict[K, tuple[int, int | None]] = {}
    wanted = [k for k in (figures if only is None else only) if not isinstance(shown[k], int)]
    for key in wanted:
        objective.Clear()
        objective.SetCoefficient(var[key], 1)
        low, high = _solve(solver, False), _solve(solver, True)
        assert low is not None
        out[key] = (math.ceil(low - 1e-6), None if high is None else math.floor(high + 1e-6))
    return out


def _narrow(table: _Shown, check: Sequence[K]) -> list[K]:
    """The figures of ``check`` whose range is narrower than the rule allows, in ``check``
    order.

    A published figure is a constant to the reader, so the hidden figures and unknowns fall
    into independent parts: those joined through relations by hidden figures or unknowns. A
    figure's range depends on its part alone, so each part is its own, much smaller, linear
    program (the answer is the same as for the whole).
    """
    parent: dict[Any, Any] = {}

    def root(x: Any) -> Any:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in table.relations:
        free = [key for key, _ in r.terms if table.is_open(key)]
        for key in free[1:]:
            parent[root(key)] = root(free[0])
    parts: dict[Any, list[K]] = {}
    for key in check:
        parts.setdefault(root(key), []).append(key)
    touching: dict[Any, list[Relation]] = {}
    for r in table.relations:
        first = next((key for key, _ in r.terms if table.is_open(key)), None)
        if first is not None and root(first) in parts:
            touching.setdefault(root(first), []).append(r)
    narrow: set[K] = set()
    for top, keys in parts.items():
        narrow.update(_narrow_part(table.part(touching.get(top, []), keys), keys))
    return [k for k in check if k in narrow]


def _narrow_part(table: _Shown, check: Sequence[K]) -> list[K]:
    """The figures of ``check`` (one independent part) whose range is narrower than the rule
    allows.

    Every solution found is a table the reader cannot rule out, so the values seen in them
    prove most figures wide enough without solving for each: a figure is solved for (greatest,
    then least) only while the values seen so far do not already span its width, and a figure
    whose greatest value is its least possible one is pinned without a second solve.
    """
    solver, var = _solver(table)
    objective = solver.Objective()
    column = {k: i for i, k in enumerate(var)}  # a figure's variable index
    at = np.array([column[k] for k in check], dtype=np.int64)
    need = np.array([table.required(k) - 1e-6 for k in check])
    low_seen = np.full(len(check), np.inf)  # the least and greatest values seen in tables
    high_seen = np.full(len(check), -np.inf)
    wide = np.zeros(len(check), dtype=bool)  # seen spanning its width
    position = {k: i for i, k in enumerate(check)}

    def open_keys() -> list[K]:
        return [check[int(i)] for i in np.flatnonzero(~wide)]

    def note() -> bool:
        """Take the values of a solution that is a table (whole numbers) as seen; say if it was.

        The solution is read in one call (a response message), not figure by figure."""
        response = linear_solver_pb2.MPSolutionResponse()
        solver.FillSolutionResponseProto(response)
        values = np.asarray(response.variable_value, dtype=np.float64)
        if not np.all(np.abs(values - np.round(values)) < 1e-6):
            return False
        mine = values[at]
        np.minimum(low_seen, mine, out=low_seen)
        np.maximum(high_seen, mine, out=high_seen)
        wide[high_seen - low_seen >= need] = True
        return True

    for maximise in (True, False):  # two tables at opposite corners
        objective.Clear()
        for k in check:
            objective.SetCoefficient(var[k], 1)
        _solve(solver, maximise)
        note()
    for bit in range(8):  # tables pulling the open figures apart: up and down by bits of place
        keys = open_keys()
        if not keys:
            break
        objective.Clear()
        for i, k in enumerate(keys):
            objective.SetCoefficient(var[k], 1 if (i >> bit) & 1 else -1)
        _solve(solver, True)
        note()
    exact: list[Any] = []  # the integer program, made when a linear bound is fractional

    def bound(key: K, maximise: bool) -> int | None:
        """The exact least or greatest value of one figure (and note the table found)."""
        objective.Clear()
        objective.SetCoefficient(var[key], 1)
        value = _solve(solver, maximise)
        if value is None or note():
            return None if value is None else round(value)
        if not exact:
            exact.append(_solver(table, "SCIP"))
        ip, ip_var = exact[0]
        ip.Objective().Clear()
        ip.Objective().SetCoefficient(ip_var[key], 1)
        value = _solve(ip, maximise)
        return None if value is None else round(value)

    narrow: list[K] = []
    least = {k: math.ceil(var[k].lb() - 1e-6) for k in check}
    last: list[K] = []
    while True:  # the figures never seen above their least value, all at once
        group = [
            k for k in open_keys() if high_seen[position[k]] <= least[k] + 1e-6
        ]  # (never seen: -inf)
        if not group or group == last:  # none left, or the last table was not whole
            break
        last = group
        objective.Clear()
        for k in group:
            objective.SetCoefficient(var[k], 1)
        top = _solve(solver, True)
        note()
        if top is not None and top <= sum(least[k] for k in group) + 1e-6:
            for k in group:  # none can rise: each is pinned to its least value
                wide[position[k]] = True  # settled
                if least[k] != 0:
                    narrow.append(k)
            break
    for key in check:
        i = position[key]
        if wide[i]:
            continue
        high = bound(key, True)
        if wide[i]:
            continue
        assert high is not None  # an unbounded figure would have been seen wide
        if high <= least[key]:  # pinned to its least possible value
            low_i = least[key]
        else:
            low = bound(key, False)
            if wide[i]:
                continue
            assert low is not None
            low_i = low
        high_i = high
        wide[i] = True  # settled
        if not (low_i == high_i == 0) and high_i - low_i < need[i]:
            narrow.append(key)
    return narrow


def _required(key: K, floors: Mapping[K, int], caps: Mapping[K, int], threshold: int) -> int:
    high = threshold - 1 if key not in caps else min(caps[key], threshold - 1)
    return max(0, min(width_for(threshold), high - floors.get(key, 0)))


def protect(
    figures: Mapping[K, int],
    relations: Sequence[Relation] = (),
    threshold: int = 5,
    *,
    floors: Mapping[K, int] | None = None,
    caps: Mapping[K, int] | None = None,
    unknowns: Mapping[Any, int | None] | None = None,
    hidden: Iterable[K] = (),
    keep: Iterable[K] = (),
) -> dict[K, int | str]:
    """Each figure as published: its value, ``"<threshold"`` or ``"[c]"``.

    ``floors`` and ``caps`` are what the public knows of a figure before reading the tables (a
    row's demand is at least 1; an allocation at most the pathway's places); ``unknowns`` are
    quantities the relations use but nobody publishes (with their public caps); ``hidden`` are
    figures to hide as ``"[c]"`` from the start (a figure hidden in a linked table); ``keep``
    figures are never chosen as complements (their state is decided elsewhere).

    >>> protect({"a": 2, "b": 7, "total": 9}, [Relation.total("total", ["a", "b"])])
    {'a': '<5', 'b': '[c]', 'total': 9}
    >>> protect({"a": 2, "b": 7, "c": 30, "total": 39}, [Relation.total("total", ["a", "b", "c"])])
    {'a': '<5', 'b': '[c]', 'c': 30, 'total': 39}
    """
    _check(threshold)
    floors, caps = floors or {}, caps or {}
    small = f"<{threshold}"
    shown: dict[K, int | str] = {
        k: small if v < threshold else (CONFIDENTIAL if k in set(hidden) else v)
        for k, v in figures.items()
    }
    fixed = set(keep)
    linked: dict[Any, list[Relation]] = {}
    for r in relations:
        for key, _ in r.terms:
            linked.setdefault(key, []).append(r)
    table = _Shown(figures, relations, shown, threshold, floors, caps, unknowns or {})
    every = [k for k in figures if shown[k] == small and table.required(k)]
    check, full = every, True  # (``shown`` changes below; ``table`` reads it as it is)
    while check:
        narrow = _narrow(table, check)
        added = {
            c for k in narrow if (c := _complement(k, figures, shown, linked, fixed)) is not None
        }
        for c in added:
            shown[c] = CONFIDENTIAL
        if added:
            # hiding more only widens ranges: check again what was narrow and what the new
            # hidden figures touch, then everything once more before stopping
            near = {o for c in added for r in linked.get(c, ()) for o, _ in r.terms}
            check = [k for k in every if k in near or k in set(narrow)]
            full = False
        elif full:
            break
        else:
            check, full = every, True
    return shown


def _complement(
    key: K,
    figures: Mapping[K, int],
    shown: Mapping[K, int | str],
    linked: Mapping[Any, list[Relation]],
    keep: set[Any],
) -> K | None:
    """The smallest shown figure linked to ``key``, nearest first (through hidden figures and
    unknowns), ties by key (as text); ``None`` when everything linked is hidden already."""
    seen = {key}
    read: set[int] = set()  # relations already read (a long total is read once, not per term)
    frontier = [key]
    while frontier:
        found: list[Any] = []
        step: list[Any] = []
        for k in frontier:
            for r in linked.get(k, ()):
                if id(r) in read:
                    continue
                read.add(id(r))
                for other, _ in r.terms:
                    if other in seen:
                        continue
                    seen.add(other)
                    if other in figures and other not in keep and isinstance(shown[other], int):
                        found.append(other)
                    else:
                        step.append(other)
        if found:
            best: K = min(found, key=lambda k: (figures[k], repr(k)))
            return best
        frontier = step
    return None
