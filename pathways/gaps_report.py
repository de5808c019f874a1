"""Capacity gaps for people to read: CSV, JSON, Markdown, terminal tables, a heat map and a chart.

Everything here renders the published tables of :mod:`matching.gap_tables` (aggregates, small
counts suppressed); nothing reads a person. :func:`gap_tables` collects the tables of one run;
:func:`to_csv`, :func:`to_json` and :func:`to_markdown` write them; :func:`render_heatmap` colours
need x district in the terminal and :func:`gap_chart` draws the same for reports and the site
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

from rich.markup import escape
from rich.table import Table

from matching.disclosure import THRESHOLD
from matching.gap_tables import Cell, cell_table, published

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from rich.console import Console

    from matching.gaps import GapResult
    from matching.scenarios import AgencyLoss, ScenarioResult, SinglePoint

__all__ = [
    "TITLES",
    "Rows",
    "gap_chart",
    "gap_tables",
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
) -> dict[str, Rows]:
    """The published tables of one run, by name (summary, cells, pathways, and the optional ones),
    protected together (:func:`matching.gap_tables.published`: what one table hides, no other
    gives back).

    When ``outcome`` is given, ``result`` must be its scenario's result (the tables describe
    the scenario) and ``changes`` compares it with the baseline.
    """
    return published(result, threshold, outcome=outcome, single_points=single_points, losses=losses)


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
    writer.writerows(rows)
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
    """Every table as a rich table, with its title."""
    for name, rows in tables.items():
        table = Table(title=TITLES.get(name, name), header_style="bold", title_justify="left")
        columns = _columns(rows)
        for c in columns:
            numeric = all(isinstance(r[c], int) or r[c] in ("<5", "[c]") for r in rows)
            table.add_column(c.replace("_", " "), justify="right" if numeric else "left")
        for r in rows:
            table.add_row(*(escape(str(r[c])) for c in columns))
        if not rows:
            console.print(f"[bold]{TITLES.get(name, name)}[/]: none")
        else:
            console.print(table)


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
    table = Table(
        title=f"Unmet / demand by need and district, {result.period}",
        header_style="bold",
        title_justify="left",
    )
    table.add_column("need")
    for d in districts:
        table.add_column(labels.get(d, d).replace("_", " "), justify="center")
    for n in needs:
        texts: list[str] = []
        for d in districts:
            row = grid.get((n, d))
            text = "" if row is None else escape(f"{row['unmet']}/{row['demand']}")
            texts.append(f"[{_style(row)}] {text} [/]" if row is not None else "")
        table.add_row(n.replace("_", " "), *texts)
    console.print(table)
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
    cells: Sequence[Mapping[str, Cell]] | None = None,
) -> None:
    """Draw the need x district heat map of the share of demand unmet to ``path`` (SVG or PNG).

    Cells are annotated with the published unmet count; a cell whose share cannot be published
    (a hidden count) is hatched; ``cells`` as for :func:`render_heatmap`. Needs matplotlib (the
    ``site`` extra).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.patches import Rectangle

    needs, districts, grid = _grid(result, threshold, cells)
    values = [[_share(grid[(n, d)]) if (n, d) in grid else None for d in districts] for n in needs]
    masked = [[float("nan") if v is None else v for v in row] for row in values]
    cmap = LinearSegmentedColormap.from_list(
        "gaps", ["#2e8b57", "#f0e442", "#d55e00", "#8b0000"]
    ).with_extremes(bad="#dddddd")
    fig, ax = plt.subplots(
        figsize=(1.4 + 1.2 * max(1, len(districts)), 1.2 + 0.32 * max(1, len(needs)))
    )
    image = ax.imshow(masked, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(districts)), [d.replace("_", " ") for d in districts], rotation=30)
    ax.set_yticks(range(len(needs)), [n.replace("_", " ") for n in needs])
    for y, n in enumerate(needs):
        for x, d in enumerate(districts):
            row = grid.get((n, d))
            if row is None:
                continue
            if values[y][x] is None:
                ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, fill=False, hatch="///", lw=0))
            ax.text(x, y, str(row["unmet"]), ha="center", va="center", fontsize=7)
    ax.set_title(f"Share of demand unmet, {result.period} (numbers: units unmet)")
    fig.colorbar(image, ax=ax, label="unmet / demand")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
