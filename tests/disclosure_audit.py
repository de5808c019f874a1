"""An independent disclosure auditor: how tightly can a reader pin down each hidden count?

The auditor reads only what is published (the rows of the tables, as strings and numbers) and
what any reader can know from the public directory (which pathways reach which need x district),
never the true values. It writes every published figure, margin, total, marker, flag, sort order
and cross-table relation as an integer linear program and asks HiGHS (through ``highspy``) for
the exact minimum and maximum of every hidden count, one pair of solves per count, as
statistical offices audit their tables. It shares no code with :mod:`matching.protection`, which
it checks.

The criterion (documented in ``docs/disclosure.md``): a count hidden as ``"<T"`` has a range
before anything else is read, from its marker and public capacities alone (``0..T-1``; a row's
demand is at least 1; an allocation at most the pathway's places; a cell's met demand at most the
places in its reach). Given every published figure, its exact range ``min..max`` must keep
``max - min >= min(width, prior max - prior min)`` with ``width = ceil((T - 1) / 2)`` (2 at the
default threshold 5: at least three values stay possible), so a hidden count is never pinned to a
value, nor to within fewer values than the rule allows, except where public capacities alone
already say as much. Counts hidden as ``"[c]"`` (5 or more) are audited too and reported, but
they are not small counts: they need no width.

Entry points: :class:`System` (generic: add figures, latent unknowns and relations, then
:func:`audit`), :func:`gap_system` (every table ``pathways gaps`` publishes),
:func:`outcome_system` (``pathways outcomes``), and :func:`main`
(``python -m tests.disclosure_audit``) which runs the real command line on synthetic demand
and audits what it prints.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from tests.oracle import exact_highs

Key = tuple[str, ...]
Published = int | str

_INF = highspy.kHighsInf
_SMALL = re.compile(r"^<(\d+)$")


def width_for(threshold: int) -> int:
    """The width a small hidden count must keep: ``ceil((T - 1) / 2)``.

    >>> width_for(5), width_for(10), width_for(1)
    (2, 5, 0)
    """
    return math.ceil((threshold - 1) / 2)


@dataclass(frozen=True)
class Finding:
    """One hidden count: its marker, its range before and after reading everything published."""

    key: Key
    marker: str
    prior: tuple[int, int | None]
    low: int
    high: int | None
    required: int

    @property
    def pinned(self) -> bool:
        """Exactly one value is possible."""
        return self.high == self.low

    @property
    def safe(self) -> bool:
        """The criterion of the module's notes (``"[c]"`` counts are always safe)."""
        if not self.marker.startswith("<") or self.high == self.low == 0:
            return True  # a count worked out as 0 names nobody
        return self.high is None or self.high - self.low >= self.required


@dataclass
class System:
    """Published figures and the relations a reader can use, for :func:`audit`.

    ``value`` adds a published count (an int, ``"<T"``, ``"[c]"``); ``latent`` an unknown the
    reader reasons about but that is never published (a flow, a flag); ``equal`` and ``at_most``
    add ``sum(coef * x) == rhs`` and ``<= rhs``. Keys are tuples of strings.
    """

    threshold: int
    bounds: dict[Key, tuple[int, int | None]] = field(default_factory=dict)
    markers: dict[Key, str] = field(default_factory=dict)
    binary: set[Key] = field(default_factory=set)
    rows: list[tuple[dict[Key, int], float, float]] = field(default_factory=list)

    def value(self, key: Key, shown: Published, *, low: int = 0, high: int | None = None) -> None:
        """A published count; ``low``/``high`` are what the public already knows of it."""
        if isinstance(shown, int) or (isinstance(shown, str) and shown.isdigit()):
            n = int(shown)
            self._bound(key, n, n)
            return
        text = str(shown)
        if match := _SMALL.match(text):
            cap = int(match.group(1)) - 1
            self._bound(key, low, cap if high is None else min(cap, high))
        elif text == "[c]":
            self._bound(key, max(low, self.threshold), high)
        else:  # any other mark ("suppressed", "n/a"): nothing beyond the public bounds
            self._bound(key, low, high)
        self.markers[key] = text
        self.bounds.setdefault(("prior", *key), (low, high))

    def latent(
        self, key: Key, *, low: int = 0, high: int | None = None, flag: bool = False
    ) -> None:
        """An unknown that is never published (a flow of units, a 0/1 flag)."""
        self._bound(key, low, 1 if flag else high)
        if flag:
            self.binary.add(key)

    def same(self, a: Key, b: Key) -> None:
        """Two published figures are one quantity (a cell's demand in two tables)."""
        self.equal({a: 1, b: -1})

    def equal(self, terms: Mapping[Key, int], rhs: int = 0) -> None:
        """``sum(coef * x) == rhs``."""
        self.rows.append((dict(terms), rhs, rhs))

    def at_most(self, terms: Mapping[Key, int], rhs: int = 0) -> None:
        """``sum(coef * x) <= rhs``."""
        self.rows.append((dict(terms), -_INF, rhs))

    def _bound(self, key: Key, low: int, high: int | None) -> None:
        old = self.bounds.get(key)
        if old is not None:  # the same quantity published twice: both bounds hold
            low = max(low, old[0])
            high = old[1] if high is None else (high if old[1] is None else min(high, old[1]))
        self.bounds[key] = (low, high)


def _prior(system: System, key: Key) -> tuple[int, int | None]:
    marker = system.markers[key]
    low, high = system.bounds.get(("prior", *key), (0, None))
    if match := _SMALL.match(marker):
        cap = int(match.group(1)) - 1
        return low, cap if high is None else min(cap, high)
    if marker == "[c]":
        return max(low, system.threshold), high
    return low, high


def _model(system: System, keys: list[Key], column: dict[Key, int], *, integer: bool) -> Any:
    h = exact_highs()
    for k in keys:
        low, high = system.bounds[k]
        h.addVar(float(low), _INF if high is None else float(high))
    if integer:
        h.changeColsIntegrality(
            len(keys),
            np.arange(len(keys), dtype=np.int32),
            np.full(len(keys), highspy.HighsVarType.kInteger),
        )
    for terms, lo, hi in system.rows:
        index = np.array([column[k] for k in terms], dtype=np.int32)
        coef = np.array(list(terms.values()), dtype=np.float64)
        h.addRow(float(lo), float(hi), len(index), index, coef)
    return h


def _optimum(h: Any, every: Any, col: int, sense: Any) -> float | None:
    """The optimum of one column in one sense (None: unbounded)."""
    cost = np.zeros(len(every))
    cost[col] = 1.0
    h.changeColsCost(len(every), every, cost)
    h.changeObjectiveSense(sense)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return float(h.getInfo().objective_function_value)
    if status in (
        highspy.HighsModelStatus.kUnbounded,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return None
    raise ValueError(f"the solver says {status}")


def _integral(h: Any) -> bool:
    values = np.asarray(h.getSolution().col_value)
    return bool(np.all(np.abs(values - np.round(values)) < 1e-7))


def audit(system: System) -> list[Finding]:
    """The exact range of every hidden count given everything in ``system`` (integer program).

    Raises ``ValueError`` when the published figures contradict each other (no table is
    possible): the auditor's model or the tables are wrong.
    """
    keys = [k for k in system.bounds if k[0] != "prior"]
    for terms, _, _ in system.rows:
        for k in terms:
            if k not in system.bounds:
                keys.append(k)
                system.bounds[k] = (0, None)
    keys = list(dict.fromkeys(keys))
    column = {k: i for i, k in enumerate(keys)}
    lp, mip = _model(system, keys, column, integer=False), None
    lp.run()
    if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise ValueError(f"the published figures admit no table ({lp.getModelStatus()})")
    findings: list[Finding] = []
    every = np.arange(len(keys), dtype=np.int32)
    for key in system.markers:
        col = column[key]
        ends: list[int | None] = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            end = _optimum(lp, every, col, sense)
            if end is not None and not _integral(lp):
                # the linear bound sits on a fractional vertex: ask the integer program
                if mip is None:
                    mip = _model(system, keys, column, integer=True)
                end = _optimum(mip, every, col, sense)
            ends.append(None if end is None else round(end))
        prior = _prior(system, key)
        prior_width = None if prior[1] is None else prior[1] - prior[0]
        need = width_for(system.threshold)
        required = need if prior_width is None else min(need, prior_width)
        low = ends[0]
        assert low is not None
        findings.append(Finding(key, system.markers[key], prior, low, ends[1], required))
    return findings


def unsafe(findings: Iterable[Finding]) -> list[Finding]:
    """The hidden counts the published figures pin down more than the rule allows."""
    return [f for f in findings if not f.safe]


# ------------------------------------------------------------------------------ the gaps tables
_REASONS = ("unmet_none_provided", "unmet_not_in_reach", "unmet_not_eligible", "unmet_full")
_CELL = ("demand", "met", "unmet", *_REASONS)


def _percent(shown: Published) -> int | None:
    if isinstance(shown, str) and shown.endswith("%") and shown[:-1].isdigit():
        return int(shown[:-1])
    return None


def _rate(
    system: System,
    numerator: Key,
    denominator: Key | None,
    shown: Published,
    denominator_value: int | None = None,
) -> None:
    """A whole percentage rounded half up, ``(200 n + d) // 2d``:
    ``d(2p-1) <= 200n <= d(2p+1)-1``."""
    p = _percent(shown)
    if p is None:
        return
    if denominator is None:
        assert denominator_value is not None
        system.at_most({numerator: -200}, -denominator_value * (2 * p - 1))
        system.at_most({numerator: 200}, denominator_value * (2 * p + 1) - 1)
        return
    system.at_most({denominator: 2 * p - 1, numerator: -200})
    system.at_most({numerator: 200, denominator: -(2 * p + 1)}, -1)


def _ordered(
    system: System,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[Key],
    column: str,
    names: Callable[[Mapping[str, Any]], tuple[str, ...]],
) -> None:
    """Rows sorted by ``column`` (largest first), ties by ``names``. When the hidden rows are
    not simply in name order, the reader takes the order as the sort by value and adds it."""
    hidden = [names(r) for r in rows if not isinstance(r[column], int)]
    if hidden == sorted(hidden):
        return  # the order of hidden rows says nothing about their values
    for i in range(len(rows) - 1):
        later = names(rows[i]) > names(rows[i + 1])
        system.at_most({keys[i + 1]: 1, keys[i]: -1}, -1 if later else 0)


def gap_system(
    tables: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    threshold: int = 5,
    reach: Mapping[tuple[str, str], Iterable[str]] | None = None,
) -> System:
    """Every table of one ``pathways gaps`` run and every relation between them.

    ``reach`` maps (need, district) to the pathway ids in reach of that demand, as any reader
    can work out from the public directory; without it only the total of allocations is linked
    to the total met.
    """
    s = System(threshold)
    cells = tables.get("cells", [])
    pathways = tables.get("pathways", [])
    # cells: each row's sums, and what the places in reach allow
    for r in cells:
        n, d = str(r["need"]), str(r["district"])
        places = r.get("places_in_reach")
        cap = places if isinstance(places, int) else None
        for col in _CELL:
            low = 1 if col == "demand" else 0
            s.value(("cell", n, d, col), r[col], low=low, high=cap if col == "met" else None)
        s.equal(
            {("cell", n, d, "demand"): 1, ("cell", n, d, "met"): -1, ("cell", n, d, "unmet"): -1}
        )
        s.equal({("cell", n, d, "unmet"): 1, **{("cell", n, d, c): -1 for c in _REASONS}})
    # summary: the column totals of the cells table
    for r in tables.get("summary", []):
        for col in _CELL:
            s.value(("total", col), r[col])
            s.equal(
                {
                    ("total", col): 1,
                    **{("cell", str(c["need"]), str(c["district"]), col): -1 for c in cells},
                }
            )
        s.equal({("total", "demand"): 1, ("total", "met"): -1, ("total", "unmet"): -1})
        s.equal({("total", "unmet"): 1, **{("total", c): -1 for c in _REASONS}})
    # pathways: allocations, places, utilisation, saturated flags
    agencies: dict[str, list[str]] = {}
    yes, hidden_flags = 0, []
    for r in pathways:
        p = str(r["pathway"])
        agencies.setdefault(str(r["agency"]), []).append(p)
        places = r["places"] if isinstance(r["places"], int) else None
        key = ("alloc", p)
        s.value(key, r["allocated"], high=places)
        if places is not None:
            _rate(s, key, None, r.get("utilisation", ""), places)
            flag = r.get("saturated")
            if flag == "yes":
                yes += 1
                s.equal({key: 1}, places)
            elif flag == "no":
                s.at_most({key: 1}, places - 1)
            else:  # not published: a 0/1 unknown the summary's count may still speak of
                f = ("saturated", p)
                s.latent(f, flag=True)
                s.at_most({f: places, key: -1})  # saturated: allocated >= places
                s.at_most({key: 1, f: -1}, places - 1)  # not saturated: allocated < places
                hidden_flags.append(f)
    for r in tables.get("summary", []):
        count = r.get("saturated_pathways")
        if isinstance(count, int) and count != yes:  # it counts saturated rows not shown
            s.equal({f: 1 for f in hidden_flags}, count - yes)
    # allocations against cells: the units met in a cell went to pathways in its reach
    if pathways and cells:
        if reach is None:
            s.equal(
                {("alloc", str(r["pathway"])): 1 for r in pathways}
                | {("cell", str(c["need"]), str(c["district"]), "met"): -1 for c in cells}
            )
        else:
            listed = {str(r["pathway"]) for r in pathways}
            into: dict[str, dict[Key, int]] = {p: {("alloc", p): 1} for p in listed}
            for c in cells:
                n, d = str(c["need"]), str(c["district"])
                flows = {("flow", n, d, p): 1 for p in sorted(set(reach.get((n, d), ())) & listed)}
                for f in flows:
                    into[f[3]][f] = -1
                s.equal({("cell", n, d, "met"): 1} | {f: -1 for f in flows})
            for terms in into.values():
                s.equal(terms)
    # changes: before, after (the cells table's met), the change and its direction
    for r in tables.get("changes", []):
        n, d = str(r["need"]), str(r["district"])
        before, after, change = (
            ("chg", n, d, "before"),
            ("chg", n, d, "after"),
            ("chg", n, d, "change"),
        )
        s.value(("chg", n, d, "demand"), r["demand"], low=1)
        s.value(before, r["met_before"])
        s.value(after, r["met_after"])
        s.value(change, r["change"], low=1)
        sign = -1 if r["direction"] == "worse" else 1
        s.equal({after: 1, before: -1, change: -sign})
        s.at_most({before: 1, ("chg", n, d, "demand"): -1})
        if ("cell", n, d, "met") in s.bounds:
            s.same(after, ("cell", n, d, "met"))
            s.same(("chg", n, d, "demand"), ("cell", n, d, "demand"))
    # single points of failure: the cells' demand again, and the order of the rows
    spofs = tables.get("single_points", [])
    keys = []
    for r in spofs:
        n, d = str(r["need"]), str(r["district"])
        key = ("spof", n, d)
        keys.append(key)
        s.value(key, r["demand"], low=1)
        if ("cell", n, d, "demand") in s.bounds:
            s.same(key, ("cell", n, d, "demand"))
    _ordered(s, spofs, keys, "demand", lambda r: (str(r["need"]), str(r["district"])))
    # agency losses: at most what the agency's pathways took, at least one per cell worse
    losses = tables.get("losses", [])
    keys = []
    for r in losses:
        a = str(r["agency"])
        key = ("loss", a)
        keys.append(key)
        s.value(key, r["unmet_added"])
        if isinstance(r["cells_worse"], int):
            s.at_most({key: -1}, -r["cells_worse"])
        if a in agencies:
            s.at_most({key: 1, **{("alloc", p): -1 for p in agencies[a]}})
    _ordered(s, losses, keys, "unmet_added", lambda r: (str(r["agency"]),))
    return s


# ------------------------------------------------------------------------------ outcomes
_OUTCOMES = ("referrals", "waitlisted", "cancelled", "attended", "completed", "breached")


def outcome_system(
    rows: Sequence[Mapping[str, Any]], total: Mapping[str, Any] | None, *, threshold: int = 5
) -> System:
    """``pathways outcomes``: one row per group, the total row, and the rates.

    Attended referrals are among the referrals that took a place; the total row is the sum of
    the rows; rates are whole percentages of the referrals.
    """
    s = System(threshold)
    groups = [str(r["group"]) for r in rows]
    for r, g in zip(rows, groups, strict=True):
        for col in _OUTCOMES:
            s.value(("out", g, col), r[col])
        s.at_most({("out", g, "attended"): 1, ("out", g, "referrals"): -1})
        _rate(s, ("out", g, "attended"), ("out", g, "referrals"), r.get("attendance", ""))
        _rate(s, ("out", g, "completed"), ("out", g, "referrals"), r.get("completion", ""))
    if total is not None:
        for col in _OUTCOMES:
            s.value(("out", "total", col), total[col])
            s.equal({("out", "total", col): 1, **{("out", g, col): -1 for g in groups}})
        _rate(
            s,
            ("out", "total", "attended"),
            ("out", "total", "referrals"),
            total.get("attendance", ""),
        )
        _rate(
            s,
            ("out", "total", "completed"),
            ("out", "total", "referrals"),
            total.get("completion", ""),
        )
    return s


# ------------------------------------------------------------------------------ the command line
def reach_of(result: Any) -> dict[tuple[str, str], list[str]]:
    """Which pathways reach each need x district of a gaps result (what the public directory
    tells a reader), by pathway id."""
    net = result.network
    return {k: [net.pathways[i] for i in v] for k, v in net.reach.items()}


def audit_cli(synthetic: int, seed: int, period: str, extra: Sequence[str] = ()) -> list[Finding]:
    """Run ``pathways gaps --format json`` as a user would and audit what it prints."""
    from directory.loading import load
    from matching.demand import demand_from_people, synthetic_cohort
    from matching.gaps import gaps
    from matching.scenarios import Scenario, apply

    args = [
        "gaps",
        "--synthetic",
        str(synthetic),
        "--seed",
        str(seed),
        "--period",
        period,
        "--format",
        "json",
        *extra,
    ]
    out = subprocess.run(
        [sys.executable, "-m", "pathways.cli", *args], check=True, capture_output=True, text=True
    ).stdout
    tables = json.loads(out)
    shipped = load()
    demand = demand_from_people(
        synthetic_cohort(shipped, synthetic, seed, period=period), period=period
    )
    without = tuple(extra[i + 1] for i, a in enumerate(extra) if a == "--without")
    shown = apply(shipped, Scenario(without_agencies=without)) if without else shipped
    return audit(gap_system(tables, reach=reach_of(gaps(shown, demand, period=period))))


def main(argv: Sequence[str] = ()) -> int:
    """Audit ``pathways gaps`` on synthetic demand for several seeds and periods; print counts."""
    runs = [
        (350, seed, period, extra)
        for seed in (1, 2)
        for period in ("2026-11", "2026-W48")
        for extra in ((), ("--resilience", "--without", "cgl-cambridgeshire"))
    ]
    if argv:
        runs = runs[: int(argv[0])]
    hidden = pinned = narrow = 0
    for synthetic, seed, period, extra in runs:
        found = audit_cli(synthetic, seed, period, extra)
        small = [f for f in found if f.marker.startswith("<")]
        hidden += len(found)
        exact = sum(f.pinned and f.low > 0 and f.required > 0 for f in small)
        pinned += exact
        narrow += len(unsafe(found))
        print(
            f"seed {seed} {period} {' '.join(extra) or 'baseline'}: {len(found)} hidden, "
            f"{exact} pinned to a value above 0, {len(unsafe(found))} narrower than the rule"
        )
    print(
        f"{len(runs)} runs: {hidden} hidden counts, {pinned} small ones pinned to a value above 0, "
        f"{narrow} narrower than the rule allows"
    )
    return 0 if narrow == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
