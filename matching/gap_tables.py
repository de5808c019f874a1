"""Published tables of capacity gaps: aggregates only, small counts suppressed.

Every table here is a list of rows (plain dicts), ready for CSV, JSON, Markdown or a terminal.
Counts of people (demand, met, unmet, allocated) below the threshold (default 5, zero included)
are shown as ``"<5"`` with :func:`matching.disclosure.suppress`; rates with
:func:`matching.disclosure.rate`. Places are capacity, not people, and are always shown.

Secondary suppression within a row
----------------------------------
A row's counts add up: ``demand = met + unmet`` and ``unmet`` is the sum of its four reasons. A
hidden count must not be recoverable by subtraction, so when the counts hidden under one sum add
up to 1-4, the smallest shown part of that sum is hidden too, shown as ``"[c]"`` (confidential:
the value is 5 or more but would reveal a smaller one), until every sum is safe. Across rows
(a district's cells against a total elsewhere) nothing is done: the tables publish no totals by
need or district, and the summary row is for the whole period. ``threshold=0`` turns suppression
off, for internal use.

>>> rows = _protect({"demand": 12, "met": 9, "unmet": 3}, [("demand", ("met", "unmet"))], 5)
>>> rows
{'demand': 12, 'met': '[c]', 'unmet': '<5'}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from directory.errors import InvalidArgumentError
from matching.disclosure import THRESHOLD, rate, suppress
from matching.gaps import REASONS

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from matching.gaps import GapResult
    from matching.scenarios import AgencyLoss, ScenarioResult, SinglePoint

__all__ = [
    "CELL_COLUMNS",
    "CONFIDENTIAL",
    "PATHWAY_COLUMNS",
    "Cell",
    "cell_table",
    "change_table",
    "loss_table",
    "pathway_table",
    "single_point_table",
    "summary_table",
]

Cell = int | str
#: Shown for a count of 5 or more hidden because it would reveal a smaller one.
CONFIDENTIAL = "[c]"

_UNMET = tuple(f"unmet_{r}" for r in REASONS)
#: Columns of :func:`cell_table`, in order.
CELL_COLUMNS: tuple[str, ...] = (
    "need",
    "district",
    "demand",
    "met",
    "unmet",
    *_UNMET,
    "places_in_reach",
    "agencies_in_reach",
)
#: Columns of :func:`pathway_table`, in order.
PATHWAY_COLUMNS: tuple[str, ...] = (
    "pathway",
    "agency",
    "status",
    "places",
    "allocated",
    "utilisation",
    "saturated",
)
_SUMS: list[tuple[str, tuple[str, ...]]] = [
    ("demand", ("met", "unmet")),
    ("unmet", _UNMET),
    ("demand", ("met", *_UNMET)),
]


def _check(threshold: int) -> None:
    if threshold < 0:
        raise InvalidArgumentError(f"a suppression threshold must be 0 or more, not {threshold}")


def _count(n: int, threshold: int) -> Cell:
    return n if threshold == 0 else _shown(suppress(n, threshold))


def _shown(text: str) -> Cell:
    return int(text) if text.isdigit() else text


def _protect(
    counts: Mapping[str, int], sums: Sequence[tuple[str, Sequence[str]]], threshold: int
) -> dict[str, Cell]:
    """Primary suppression of every count, then secondary suppression along ``sums``."""
    out: dict[str, Cell] = {k: _count(v, threshold) for k, v in counts.items()}
    if threshold == 0:
        return out
    changed = True
    while changed:
        changed = False
        for total, parts in sums:
            if isinstance(out[total], str):
                continue  # a hidden total hides nothing below it
            hidden = counts[total] - sum(counts[p] for p in parts if not isinstance(out[p], str))
            if any(isinstance(out[p], str) for p in parts) and 0 < hidden < threshold:
                shown = [p for p in parts if not isinstance(out[p], str)]
                if shown:
                    smallest = min(shown, key=lambda p: (counts[p], p))
                    out[smallest] = CONFIDENTIAL
                    changed = True
    return out


def cell_table(result: GapResult, threshold: int = THRESHOLD) -> list[dict[str, Cell]]:
    """One row per need x district with demand: demand, met, unmet by reason, places in reach.

    ``places_in_reach`` ends with ``+`` when a pathway in reach records no limit;
    ``agencies_in_reach`` counts agencies (not people).

    >>> from directory.loading import load
    >>> from matching.demand import Demand, DemandKey
    >>> from matching.gaps import gaps
    >>> r = gaps(load(), Demand.of([(DemandKey("fenland", "gambling"), 3)], period="2026-11"))
    >>> row = cell_table(r)[0]
    >>> row["demand"], row["met"], row["places_in_reach"]
    ('<5', '<5', '10+')
    """
    _check(threshold)
    rows: list[dict[str, Cell]] = []
    for c in result.cells:
        counts = {"demand": c.demand, "met": c.met, "unmet": c.unmet}
        counts.update({f"unmet_{r}": c.unmet_by(r) for r in REASONS})
        row: dict[str, Cell] = {"need": c.need, "district": c.district}
        row.update(_protect(counts, _SUMS, threshold))
        row["places_in_reach"] = (
            f"{c.places_in_reach}+" if c.unlimited_in_reach else (c.places_in_reach)
        )
        row["agencies_in_reach"] = len(c.agencies)
        rows.append({k: row[k] for k in CELL_COLUMNS})
    return rows


def pathway_table(result: GapResult, threshold: int = THRESHOLD) -> list[dict[str, Cell]]:
    """One row per active pathway: places in the period, allocated, utilisation, saturated.

    ``places`` is ``"unlimited"`` when none are recorded; ``utilisation`` a whole percentage, or
    ``"suppressed"`` when the allocation or the places are below the threshold, or ``"n/a"``.
    """
    _check(threshold)
    rows: list[dict[str, Cell]] = []
    for u in result.pathways:
        if u.places is None or u.places == 0:
            use = "n/a"
        elif threshold == 0:
            use = f"{round(100 * u.allocated / u.places)}%"
        else:
            use = rate(u.allocated, u.places, threshold)
        rows.append(
            {
                "pathway": u.pathway,
                "agency": u.agency,
                "status": u.status,
                "places": "unlimited" if u.places is None else u.places,
                "allocated": _count(u.allocated, threshold),
                "utilisation": use,
                "saturated": "yes" if u.saturated else "no",
            }
        )
    return rows


def summary_table(result: GapResult, threshold: int = THRESHOLD) -> list[dict[str, Cell]]:
    """One row for the whole period: demand, met, unmet by reason, saturated pathways."""
    _check(threshold)
    counts = {"demand": result.demand, "met": result.met, "unmet": result.unmet}
    counts.update({f"unmet_{r}": result.unmet_by(r) for r in REASONS})
    row: dict[str, Cell] = {"period": result.period}
    row.update(_protect(counts, _SUMS, threshold))
    row["pathways"] = len(result.pathways)
    row["saturated_pathways"] = len(result.saturated())
    return [row]


def change_table(outcome: ScenarioResult, threshold: int = THRESHOLD) -> list[dict[str, Cell]]:
    """One row per cell that changed: met before and after, and the change (worst first).

    A change smaller than the threshold is shown as ``"<5"`` with its direction, and hides the
    "after" count when the "before" count is shown (they would give it away).
    """
    _check(threshold)
    rows: list[dict[str, Cell]] = []
    for c in outcome.changes:
        counts = {
            "demand": c.demand,
            "met_before": c.met_before,
            "met_after": c.met_after,
            "change": abs(c.change),
        }
        shown = _protect(counts, [("met_before", ("met_after", "change"))], threshold)
        if c.met_after > c.met_before:  # the sum runs the other way
            shown = _protect(counts, [("met_after", ("met_before", "change"))], threshold)
        rows.append(
            {
                "need": c.need,
                "district": c.district,
                "demand": shown["demand"],
                "met_before": shown["met_before"],
                "met_after": shown["met_after"],
                "change": shown["change"],
                "direction": "worse" if c.change < 0 else "better",
            }
        )
    return rows


def loss_table(losses: Sequence[AgencyLoss], threshold: int = THRESHOLD) -> list[dict[str, Cell]]:
    """One row per agency: units no longer met without it, and how many cells get worse."""
    _check(threshold)
    return [
        {
            "agency": x.agency,
            "unmet_added": _count(x.unmet_added, threshold),
            "cells_worse": len(x.cells),
        }
        for x in losses
    ]


def single_point_table(
    points: Sequence[SinglePoint], threshold: int = THRESHOLD
) -> list[dict[str, Cell]]:
    """One row per need x district that only one agency can take, with its demand."""
    _check(threshold)
    return [
        {
            "need": s.need,
            "district": s.district,
            "agency": s.agency,
            "demand": _count(s.demand, threshold),
        }
        for s in points
    ]
