"""The compliance page: the board's figures from the ledger, published as suppressed aggregates.

Pure: it takes a :class:`~matching.compliance.ComplianceReport` already computed (the MkDocs hook
reads the ledger named by ``$PATHWAYS_LEDGER``, or makes an illustrative synthetic year) and
returns Markdown. The chart is a separate file made by
:func:`pathways.compliance_files.compliance_chart`; the page links it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matching.compliance import published
from matching.disclosure import THRESHOLD
from pathways.compliance_files import TABLES, TITLES
from pathways.site.escape import md_cell, md_text

if TYPE_CHECKING:
    from matching.compliance import ComplianceReport

__all__ = ["CHART", "PATH", "render_compliance_page"]

PATH = "compliance.md"
CHART = "downloads/compliance-chart.svg"


def render_compliance_page(
    report: ComplianceReport,
    *,
    source: str,
    illustrative: bool,
    notes: tuple[str, ...] = (),
    threshold: int = THRESHOLD,
) -> str:
    """The page: where the cases came from, the chart, the definitions and every table.

    ``notes`` are paragraphs added after the lead (plain text, escaped). Every count below
    ``threshold`` is shown as ``<5`` (see :mod:`matching.compliance`).
    """
    lines = [
        "---",
        "title: Compliance",
        "---",
        "",
        "# Compliance with conditions",
        "",
        "The figures the board reads: cases, the share that complied with their conditions, "
        "conditions completed within their deadline, and breach files per month (each breached "
        "case needs a breach statement from the agency and a file for the deferred "
        "prosecution), by disposal, district, pathway and agency.",
        "",
        f"Cases: {md_text(source)}.",
        "",
    ]
    if illustrative:
        lines += [
            '!!! warning "Illustrative cases"',
            "    These cases are invented (a synthetic year drawn to look like the proportions in "
            "the hub's documents), not real ones. Run `pathways compliance --ledger LEDGER` on "
            "a real ledger.",
            "",
        ]
    for note in notes:
        lines += [md_text(note), ""]
    lines += [
        "![Breach files per month](downloads/compliance-chart.svg)",
        "",
        "**Compliance** is complied / (complied + breached): cases that are still open or whose "
        "conditions were all withdrawn do not count. By pathway and by agency the unit is the "
        "condition, so a breach at one agency is not counted against another. **Within the "
        "deadline** is conditions completed on or before their due date / conditions completed.",
        "",
        f"Counts below {threshold} are shown as `<{threshold}`; `[c]` hides a count of "
        f"{threshold} or more that would reveal a smaller one by subtraction.",
        "",
    ]
    tables = published(report, threshold)
    for name in TABLES:
        rows = tables[name]
        lines += [f"## {md_text(TITLES[name])}", ""]
        if not rows:
            lines += ["None.", ""]
            continue
        columns = list(rows[0])
        lines.append("| " + " | ".join(md_cell(c.replace("_", " ")) for c in columns) + " |")
        lines.append("|" + "|".join("---" for _ in columns) + "|")
        lines += ["| " + " | ".join(md_cell(str(r[c])) for c in columns) + " |" for r in rows]
        lines.append("")
    return "\n".join(lines)
