"""The capacity gaps page: demand against places for one period, published as suppressed aggregates.

Pure: it takes a :class:`~matching.gaps.GapResult` already computed (the MkDocs hook computes it
from a demand file, or from an illustrative synthetic month) and returns Markdown. The chart is a
separate file made by :func:`pathways.gaps_report.gap_chart`; the page links it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matching.disclosure import THRESHOLD
from pathways.gaps_report import TITLES, gap_tables
from pathways.site.escape import md_cell, md_text

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from matching.gap_tables import Cell
    from matching.gaps import GapResult

__all__ = ["CHART", "PATH", "render_gap_page"]

PATH = "capacity-gaps.md"
CHART = "downloads/gap-chart.svg"


def render_gap_page(
    result: GapResult, *, source: str, illustrative: bool, threshold: int = THRESHOLD
) -> str:
    """The gaps page: where the demand came from, the chart, and the published tables.

    Every count below ``threshold`` is shown as ``<5`` (see :mod:`matching.gap_tables`).
    """
    lead = [
        "---",
        "title: Capacity gaps",
        "---",
        "",
        "# Capacity gaps",
        "",
        "Demand for one period against the places it can reach, allocated exactly (the most needs "
        "met, then the least travel). Unmet demand is split into *none provided*, *not in reach*, "
        "*not eligible* and *full*. One unit of demand is one person with one need.",
        "",
        f"Demand: {md_text(source)}.",
        "",
    ]
    if illustrative:
        lead += [
            '!!! warning "Illustrative demand"',
            "    These figures come from a synthetic cohort drawn from published rates (about 350 "
            "diversions a month), not from real referrals. Capacities in the directory are "
            "illustrative too. Run `pathways gaps --demand FILE` on real demand.",
            "",
        ]
    lead += [
        f"Counts below {threshold} are shown as `<{threshold}`.",
        "",
        "![Share of demand unmet, by need and district](downloads/gap-chart.svg)",
        "",
    ]
    return "\n".join(lead) + "\n" + _tables(gap_tables(result, threshold=threshold))


def _tables(tables: Mapping[str, Sequence[Mapping[str, Cell]]]) -> str:
    """Pipe tables with every cell escaped: names in them come from the directory."""
    parts: list[str] = []
    for name, rows in tables.items():
        parts += [f"## {md_text(TITLES.get(name, name))}", ""]
        if not rows:
            parts += ["None.", ""]
            continue
        columns = list(rows[0])
        parts.append("| " + " | ".join(md_cell(c.replace("_", " ")) for c in columns) + " |")
        parts.append("|" + "|".join("---" for _ in columns) + "|")
        parts += [
            "| " + " | ".join(md_cell(str(r.get(c, ""))) for c in columns) + " |" for r in rows
        ]
        parts.append("")
    return "\n".join(parts)
