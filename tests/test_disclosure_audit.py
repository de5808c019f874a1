"""The independent disclosure auditor against the published tables.

Each test publishes figures with the library and hands only the published text to
``tests/disclosure_audit.py``, which bounds every hidden count exactly (an integer program in
HiGHS) and says whether any is narrowed more than the rule allows.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.loading import load
from matching.demand import demand_from_people, synthetic_cohort
from matching.gap_tables import published
from matching.gaps import gaps
from matching.protection import Relation, protect, width_for
from tests.disclosure_audit import System, audit, gap_system, unsafe

REASONS = ("unmet_none_provided", "unmet_not_in_reach", "unmet_not_eligible", "unmet_full")
ROW = ("demand", "met", "unmet", *REASONS)


def _row_figures(met: int, reasons: list[int]) -> dict[str, int]:
    unmet = sum(reasons)
    return {
        "demand": met + unmet,
        "met": met,
        "unmet": unmet,
        **dict(zip(REASONS, reasons, strict=True)),
    }


def _row_relations() -> list[Relation]:
    return [Relation.total("demand", ["met", "unmet"]), Relation.total("unmet", list(REASONS))]


def _row_system(row: dict[str, Any], threshold: int) -> System:
    """The auditor's own model of one published row (it reads the text only)."""
    s = System(threshold)
    for col in ROW:
        s.value((col,), row[col], low=1 if col == "demand" else 0)
    s.equal({("demand",): 1, ("met",): -1, ("unmet",): -1})
    s.equal({("unmet",): 1, **{(c,): -1 for c in REASONS}})
    return s


rows = st.tuples(st.integers(0, 25), st.lists(st.integers(0, 9), min_size=4, max_size=4)).filter(
    lambda t: t[0] + sum(t[1]) > 0
)


@given(rows, st.sampled_from([3, 5, 10]))
def test_a_protected_row_pins_no_small_count(row: tuple[int, list[int]], threshold: int) -> None:
    figures = _row_figures(*row)
    shown = protect(figures, _row_relations(), threshold, floors={"demand": 1})
    assert all(isinstance(v, str) or v >= threshold for v in shown.values())
    assert unsafe(audit(_row_system(shown, threshold))) == []


def test_the_auditor_catches_the_leaks_of_the_issue() -> None:
    # primary suppression only: "demand 12, met 9" gives the hidden 3 back
    s = _row_system({"demand": 12, "met": 9, "unmet": "<5", **dict.fromkeys(REASONS, "<5")}, 5)
    found = {f.key: f for f in audit(s)}
    assert (found[("unmet",)].low, found[("unmet",)].high) == (3, 3)
    # hidden parts at their upper bound: unmet 8 shown over two hidden reasons of at most 4
    row = {"demand": 20, "met": 12, "unmet": 8, "unmet_none_provided": 0,
           "unmet_not_in_reach": 0, "unmet_not_eligible": "<5", "unmet_full": "<5"}  # fmt: skip
    found = {f.key: f for f in audit(_row_system(row, 5))}
    assert (found[("unmet_full",)].low, found[("unmet_full",)].high) == (4, 4)
    # "[c]" as a floor: a part of 5 or more beside a small one in a total of 7
    s = System(5)
    s.value(("t",), 7)
    s.value(("a",), "<5")
    s.value(("b",), "[c]")
    s.equal({("t",): 1, ("a",): -1, ("b",): -1})
    (a,) = [f for f in audit(s) if f.key == ("a",)]
    assert (a.low, a.high, a.safe) == (0, 2, True)
    s.bounds[("t",)] = (6, 6)
    (a,) = [f for f in audit(s) if f.key == ("a",)]
    assert (a.low, a.high, a.safe) == (0, 1, False)


def test_removing_secondary_suppression_fails_the_audit() -> None:
    """The mutation of the issue: primary suppression alone leaks, and the auditor says so."""
    figures = _row_figures(9, [0, 0, 0, 3])
    primary = {k: (v if v >= 5 else "<5") for k, v in figures.items()}
    assert unsafe(audit(_row_system(primary, 5)))
    shown = protect(figures, _row_relations(), 5, floors={"demand": 1})
    assert unsafe(audit(_row_system(shown, 5))) == []


@given(st.integers(0, 20), st.integers(0, 20), st.booleans(), st.sampled_from([3, 5]))
def test_a_protected_change_pins_nothing(
    before: int, change: int, better: bool, threshold: int
) -> None:
    after = before + change if better else max(0, before - change)
    change = abs(after - before)
    if change == 0:
        return
    demand = max(before, after) + 3
    key = {"demand": demand, "after": after, "before": before, "change": change}
    sign = 1 if after > before else -1
    relations = [
        Relation((("after", 1), ("before", -1), ("change", -sign))),
        Relation.below("before", "demand"),
    ]
    shown = protect(key, relations, threshold, floors={"demand": 1, "change": 1})
    s = System(threshold)
    s.value(("demand",), shown["demand"], low=1)
    s.value(("after",), shown["after"])
    s.value(("before",), shown["before"])
    s.value(("change",), shown["change"], low=1)
    s.equal({("after",): 1, ("before",): -1, ("change",): -sign})
    s.at_most({("before",): 1, ("demand",): -1})
    assert unsafe(audit(s)) == []


@given(st.lists(st.integers(0, 12), min_size=2, max_size=6), st.sampled_from([3, 5]))
def test_protected_column_totals_pin_nothing(column: list[int], threshold: int) -> None:
    """A column and its published total (the summary against the cells), protected together."""
    figures = {("cell", str(i)): n for i, n in enumerate(column)} | {("total",): sum(column)}
    relation = Relation.total(("total",), [k for k in figures if k[0] == "cell"])
    shown = protect(figures, [relation], threshold)
    s = System(threshold)
    for k, v in shown.items():
        s.value(k, v)
    s.equal({k: (1 if k == ("total",) else -1) for k in shown})
    assert unsafe(audit(s)) == []


def test_width_is_the_same_rule_on_both_sides() -> None:
    from tests.disclosure_audit import width_for as audit_width

    assert [width_for(t) for t in range(1, 12)] == [audit_width(t) for t in range(1, 12)]


@pytest.fixture(scope="module")
def shipped_tables() -> dict[str, list[dict[str, Any]]]:
    d = load()
    result = gaps(d, demand_from_people(synthetic_cohort(d, 350, seed=3), period="2026-W48"))
    return published(result)


def test_every_row_of_a_real_run_passes_the_audit(
    shipped_tables: dict[str, list[dict[str, Any]]],
) -> None:
    for row in [*shipped_tables["cells"], *shipped_tables["summary"]]:
        assert unsafe(audit(_row_system(row, 5))) == [], row


def test_hidden_rows_are_ordered_by_name_and_flags_follow_allocations(
    shipped_tables: dict[str, list[dict[str, Any]]],
) -> None:
    for row in shipped_tables["pathways"]:
        if not isinstance(row["allocated"], int):
            assert (row["saturated"], row["utilisation"]) in (
                ("suppressed", "suppressed"),
                ("suppressed", "n/a"),
            )
    yes = sum(r["saturated"] == "yes" for r in shipped_tables["pathways"])
    assert shipped_tables["summary"][0]["saturated_pathways"] == yes
    # the whole run's model is consistent (a table exists that gives every published figure)
    system = gap_system({k: shipped_tables[k] for k in ("summary", "cells", "pathways")})
    system.markers = {k: v for k, v in system.markers.items() if k[0] == "alloc"}
    assert len(audit(system)) == len(system.markers) > 0


outcome_rows = st.lists(
    st.tuples(st.integers(0, 15), st.integers(0, 6), st.integers(0, 6), st.integers(0, 15)),
    min_size=1,
    max_size=5,
)


@given(outcome_rows, st.sampled_from([5, 10]))
def test_published_outcomes_pin_nothing(
    counts: list[tuple[int, int, int, int]], threshold: int
) -> None:
    from matching.outcomes import OutcomeRow, published_table
    from tests.disclosure_audit import outcome_system

    rows = [
        OutcomeRow(
            f"g{i}",
            f"G{i}",
            referrals,
            waitlisted,
            cancelled,
            min(attended, referrals),
            min(attended, referrals) // 2,
            0,
        )
        for i, (referrals, waitlisted, cancelled, attended) in enumerate(counts)
    ]
    shown, overall = published_table(rows, threshold)
    assert unsafe(audit(outcome_system(shown, overall, threshold=threshold))) == []


def test_outcomes_row_by_row_leak_through_the_total() -> None:
    """The old way (each row suppressed on its own, then the total) gives a small count back."""
    from matching.outcomes import OutcomeRow, total
    from tests.disclosure_audit import outcome_system

    rows = [OutcomeRow("a", "A", 12, 0, 0, 9, 6, 0), OutcomeRow("b", "B", 3, 0, 0, 3, 1, 0)]
    shown = [r.published() for r in rows]
    found = unsafe(audit(outcome_system(shown, total(rows).published())))
    assert ("out", "b", "referrals") in {f.key for f in found}


def test_the_generated_rows_reach_secondary_suppression() -> None:
    from hypothesis import find

    def secondary(row: tuple[int, list[int]]) -> bool:
        shown = protect(_row_figures(*row), _row_relations(), 5, floors={"demand": 1})
        return "[c]" in shown.values()

    met, reasons = find(rows, secondary)
    assert "[c]" in protect(_row_figures(met, reasons), _row_relations(), 5).values()


def test_every_table_of_a_scenario_run_passes_the_full_audit() -> None:
    """All six tables of a run with a scenario and resilience, linked every way the auditor
    knows (sums, column totals, flows through reach, changes, single points, losses, orders)."""
    from matching.scenarios import (
        Scenario,
        agency_losses,
        apply,
        run,
        single_points_of_failure,
    )
    from tests.disclosure_audit import reach_of

    d = load()
    demand = demand_from_people(synthetic_cohort(d, 150, seed=5), period="2026-W48")
    outcome = run(d, demand, Scenario(without_agencies=("cgl-cambridgeshire",)))
    result = outcome.result
    losses = agency_losses(apply(d, outcome.scenario), result, top=5)
    tables = published(
        result,
        outcome=outcome,
        single_points=single_points_of_failure(result),
        losses=losses,
    )
    assert all(tables[name] for name in ("changes", "single_points", "losses"))
    found = audit(gap_system(tables, reach=reach_of(result)))
    assert any(f.marker == "[c]" for f in found)  # secondary suppression was needed
    assert unsafe(found) == []
