"""Capacity gaps for people to read: CSV, JSON, Markdown, terminal tables, a heat map and a chart.

Everything here renders the published tables of :mod:`matching.gap_tables` (aggregates, small
counts suppressed); nothing reads a person. :func:`gap_tables` collects the tables of one run;
:func:`to_csv`, :func:`to_json` and :func:`to_markdown` write them; :func:`render_heatmap` colours
need x district in the terminal and :func:`gap_chart` draws coarser charts for reports and the site
(SVG or PNG, matplotlib's Agg backend).

>>> from directory.loading import load
>>> from matching.demand import demand_from_people, synthetic_cohort
>>> from matching.gaps import gaps
>>> d = load()
>>> result = gaps(d, demand_from_people(synthetic_cohort(d, 350, seed=1), period="2026-11"))
>>> tables = gap_tables(result)
>>> sorted(tables)
['cells', 'pathways', 'summary']
>>> to_csv(tables["summary"]).splitlines()[0]
'period,demand,met,unmet,unmet_none_provided,unmet_not_in_reach,unmet_not_eligible,...'
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

from rich.text import Text

from directory.csvsafe import escape_row
from matching.disclosure import THRESHOLD
from matching.gap_tables import (
    CONFIDENTIAL,
    Cell,
    cell_table,
    published,
)
from pathways.console import Column, print_table

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from rich.console import Console

    from directory.models import Directory
    from matching.gaps import GapResult
    from matching.scenarios import AgencyLoss, ScenarioResult, SinglePoint

__all__ = [
    "TITLES",
    "Rows",
    "gap_chart",
    "gap_tables",
    "legend",
    "render_heatmap",
    "render_tables",
    "to_csv",
    "to_json",
    "to_markdown",
]

Rows = list[dict[str, Cell]]

TITLES = {
    "summary": "Summary",
    "cells": "Demand and gaps by need and district",
    "pathways": "Pathways: places and allocation",
    "changes": "Scenario: cells that change",
    "single_points": "Single points of failure",
    "losses": "Agencies whose loss leaves most demand unmet",
}


def gap_tables(
    result: GapResult,
    *,
    threshold: int = THRESHOLD,
    outcome: ScenarioResult | None = None,
    single_points: Sequence[SinglePoint] | None = None,
    losses: Sequence[AgencyLoss] | None = None,
    groups: Mapping[str, str] | None = None,
) -> dict[str, Rows]:
    """The published tables of one run, by name (summary, cells, pathways, and the optional ones),
    protected together (:func:`matching.gap_tables.published`: what one table hides, no other
    gives back).

    When ``outcome`` is given, ``result`` must be its scenario's result (the tables describe
    the scenario) and ``changes`` compares it with the baseline. ``groups`` (need -> need
    group) adds the charts' coarser figures (:data:`matching.gap_tables.GROUPED`), protected
    with the rest: pass it when the charts are published beside the tables.
    """
    return published(
        result,
        threshold,
        outcome=outcome,
        single_points=single_points,
        losses=losses,
        groups=groups,
    )


def _columns(rows: Sequence[Mapping[str, Cell]]) -> list[str]:
    return list(rows[0]) if rows else []


def to_csv(rows: Sequence[Mapping[str, Cell]]) -> str:
    """One table as CSV text (header row first; empty text for no rows).

    >>> to_csv([{"need": "debt", "demand": "<5"}]).splitlines()
    ['need,demand', 'debt,<5']
    """
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_columns(rows))
    writer.writeheader()
    writer.writerows(escape_row(dict(row)) for row in rows)  # text never runs as a formula
    return out.getvalue()


def to_json(tables: Mapping[str, Sequence[Mapping[str, Cell]]]) -> str:
    """All tables as one JSON object of lists of rows (suppressed counts are strings).

    >>> to_json({"summary": [{"period": "2026-11", "demand": 12}]})
    '{\\n  "summary": [\\n    {\\n      "period": "2026-11",\\n      "demand": 12\\n    }\\n  ]\\n}'
    """
    return json.dumps({k: list(v) for k, v in tables.items()}, indent=2)


def to_markdown(tables: Mapping[str, Sequence[Mapping[str, Cell]]]) -> str:
    """All tables as Markdown: a heading and a pipe table each.

    >>> print(to_markdown({"summary": [{"period": "2026-11", "demand": "<5"}]}))
    ## Summary
    <BLANKLINE>
    | period | demand |
    |---|---:|
    | 2026-11 | <5 |
    <BLANKLINE>
    """
    parts: list[str] = []
    for name, rows in tables.items():
        parts.append(f"## {TITLES.get(name, name)}\n")
        if not rows:
            parts.append("None.\n")
            continue
        columns = _columns(rows)
        numeric = [
            all(isinstance(r[c], int) or r[c] in ("<5", "[c]") for r in rows) for c in columns
        ]
        parts.append("| " + " | ".join(c.replace("_", " ") for c in columns) + " |")
        parts.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
        for r in rows:
            parts.append("| " + " | ".join(str(r[c]).replace("|", "\\|") for c in columns) + " |")
        parts.append("")
    return "\n".join(parts)


def render_tables(console: Console, tables: Mapping[str, Sequence[Mapping[str, Cell]]]) -> None:
    """Every table with its title; ids and headers are never cut (plain lines when narrow)."""
    for name, rows in tables.items():
        if not rows:
            console.print(f"{TITLES.get(name, name)}: none", markup=False)
            continue
        columns = _columns(rows)
        print_table(
            console,
            [
                Column(
                    c.replace("_", " "),
                    justify="right" if all(_numeric(r[c]) for r in rows) else "left",
                )
                for c in columns
            ],
            [[str(r[c]) for c in columns] for r in rows],
            title=TITLES.get(name, name),
        )


def _numeric(value: Cell) -> bool:
    return isinstance(value, int) or value in ("<5", "[c]") or str(value).rstrip("+").isdigit()


def legend(
    tables: Mapping[str, Sequence[Mapping[str, Cell]]], threshold: int = THRESHOLD
) -> list[str]:
    """What the marks in the tables mean, one line each, for the marks that appear.

    >>> legend({"cells": [{"demand": "<5", "met": "[c]", "places_in_reach": "142+"}]})
    ... # doctest: +NORMALIZE_WHITESPACE
    ['<5    fewer than 5 people (0 to 4), hidden so that no one can be picked out',
     '[c]   5 or more, hidden because with the other figures of its row it would reveal a
            count below 5',
     '142+  at least 142 places: a pathway in reach has no fixed limit on places']
    """
    values = {str(v) for rows in tables.values() for row in rows for v in row.values()}
    lines = []
    small = f"<{threshold}"
    if threshold and small in values:
        lines.append(
            f"{small:<5} fewer than {threshold} people (0 to {threshold - 1}), hidden so that "
            "no one can be picked out"
        )
    if CONFIDENTIAL in values:
        lines.append(
            f"{CONFIDENTIAL:<5} {threshold} or more, hidden because with the other figures of "
            f"its row it would reveal a count below {threshold}"
        )
    plus = sorted(
        (v for v in values if v.endswith("+") and v[:-1].isdigit()), key=lambda v: (len(v), v)
    )
    if plus:
        example = plus[-1]
        lines.append(
            f"{example:<5} at least {example[:-1]} places: a pathway in reach has no fixed limit "
            "on places"
        )
    return lines


# ------------------------------------------------------------------------------------ heat map
def _grid(
    result: GapResult, threshold: int, cells: Sequence[Mapping[str, Cell]] | None = None
) -> tuple[list[str], list[str], dict[tuple[str, str], Mapping[str, Cell]]]:
    rows = cell_table(result, threshold) if cells is None else cells
    needs = sorted({str(r["need"]) for r in rows})
    districts = sorted({str(r["district"]) for r in rows})
    return needs, districts, {(str(r["need"]), str(r["district"])): r for r in rows}


def _share(row: Mapping[str, Cell]) -> float | None:
    """The published share of demand unmet, or None when a count needed is hidden."""
    demand, unmet = row["demand"], row["unmet"]
    if isinstance(demand, int) and isinstance(unmet, int) and demand > 0:
        return unmet / demand
    return None


def _style(row: Mapping[str, Cell] | None) -> str:
    if row is None:
        return "dim"
    share = _share(row)
    if share is None:
        return "black on grey70" if isinstance(row["demand"], str) else "black on pale_green3"
    if share == 0:
        return "black on green3"
    if share < 0.1:
        return "black on yellow3"
    if share < 0.25:
        return "black on dark_orange"
    return "white on red3"


def render_heatmap(
    console: Console,
    result: GapResult,
    threshold: int = THRESHOLD,
    *,
    labels: Mapping[str, str] | None = None,
    cells: Sequence[Mapping[str, Cell]] | None = None,
) -> None:
    """Need x district: each cell shows unmet/demand as published, coloured by the share unmet.

    ``cells`` are the published cells table when it was protected with other tables (pass
    ``gap_tables(...)["cells"]``: the heat map must hide what the tables hide).

    Green: all met; light green: fewer than the threshold unmet; yellow: under 10% unmet;
    orange: under 25%; red: 25% or more; grey: demand below the threshold (not shown).
    ``labels`` names districts (default: their ids).
    """
    needs, districts, grid = _grid(result, threshold, cells)
    labels = labels or {}
    rows: list[list[str | Text]] = []
    for n in needs:
        line: list[str | Text] = [n.replace("_", " ")]
        for d in districts:
            row = grid.get((n, d))
            line.append(
                "" if row is None else Text(f" {row['unmet']}/{row['demand']} ", style=_style(row))
            )
        rows.append(line)
    print_table(
        console,
        [Column("need"), *(Column(labels.get(d, d).replace("_", " ")) for d in districts)],
        rows,
        title=f"Unmet / demand by need and district, {result.period}",
    )
    if not console.is_terminal:  # the colours are the key; plain output has none
        return
    console.print(
        "[black on green3] all met [/] [black on pale_green3] <5 unmet [/] "
        "[black on yellow3] <10% [/] [black on dark_orange] <25% [/] [white on red3] 25%+ [/] "
        "[black on grey70] demand <5 [/]"
        if threshold
        else "[black on green3] all met [/] [black on yellow3] <10% [/] "
        "[black on dark_orange] <25% [/] [white on red3] 25%+ [/]"
    )


def gap_chart(
    result: GapResult,
    path: str | Path,
    *,
    threshold: int = THRESHOLD,
    directory: Directory | None = None,
    tables: Mapping[str, Sequence[Mapping[str, Cell]]] | None = None,
) -> None:
    """Draw the charts of :mod:`pathways.gap_charts` to ``path`` (SVG or PNG): needs across the
    county and, given the ``directory`` (for its need groups), districts by need group.

    Only published figures are drawn; a chart with too little left after suppression is
    replaced by words saying so. ``tables``: the tables printed beside the charts
    (:func:`gap_tables` with ``groups``), whose protection covers the charts' figures. Needs
    matplotlib (the ``site`` extra).
    """
    from pathways.gap_charts import draw, need_panel, panels

    if directory is None:
        draw([need_panel(result, threshold=threshold, tables=tables)], path)
    else:
        draw(panels(result, directory, threshold=threshold, tables=tables), path)
