"""The compliance report as files and a chart: CSV, JSON and an SVG of breach files per month.

(Not named ``compliance_report``: that is :func:`pathways.compliance_report`, the report itself.)

The figures come from :mod:`matching.compliance` already suppressed (:func:`published`); this
module only lays them out.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from directory.csvsafe import escape_row
from directory.dumping import write_atomic
from matching.compliance import COLUMNS, GROUPINGS, published
from matching.disclosure import THRESHOLD

if TYPE_CHECKING:
    from pathlib import Path

    from matching.compliance import ComplianceReport
    from matching.gap_tables import Cell

__all__ = ["TABLES", "TITLES", "compliance_chart", "report_json", "table_csv"]

#: The tables of the report, in the order published.
TABLES: tuple[str, ...] = (*GROUPINGS, "breach_files")
#: Headings of the tables.
TITLES = {
    "total": "All cases",
    "disposal": "By disposal (cases)",
    "district": "By district (cases)",
    "pathway": "By pathway (conditions)",
    "agency": "By agency (conditions)",
    "breach_files": "Breach files per month",
}


def report_json(report: ComplianceReport, threshold: int = THRESHOLD) -> dict[str, object]:
    """The published report as one JSON-ready object."""
    return {
        "from": report.start.isoformat() if report.start else None,
        "to": report.end.isoformat() if report.end else None,
        "threshold": threshold,
        "statements_awaited": _small(report.statements_awaited, threshold),
        "tables": published(report, threshold),
    }


def _small(n: int, threshold: int) -> Cell:
    from matching.disclosure import suppress

    return n if threshold == 0 or n >= threshold else suppress(n, threshold)


def table_csv(report: ComplianceReport, table: str, threshold: int = THRESHOLD) -> str:
    """One published table as CSV text (a header row, then one row per group or month)."""
    rows = published(report, threshold)[table]
    columns = ["month", "breach_files"] if table == "breach_files" else list(COLUMNS)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(escape_row(dict(row)) for row in rows)  # text never runs as a formula
    return out.getvalue()


def compliance_chart(
    report: ComplianceReport, path: str | Path, *, threshold: int = THRESHOLD
) -> None:
    """Bars of breach files per month (a month whose count is suppressed is drawn hatched at
    the threshold's height and labelled ``<5``), titled with the period's compliance rate.
    Needs matplotlib (the ``site`` extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tables = published(report, threshold)
    months = [r["month"] for r in tables["breach_files"]]
    cells = [r["breach_files"] for r in tables["breach_files"]]
    fig, ax = plt.subplots(figsize=(max(4.0, 0.55 * len(months) + 1.5), 3.4))
    for x, cell in enumerate(cells):
        hidden = isinstance(cell, str)
        height = threshold if hidden else int(cell)
        ax.bar(x, height, color="#ffffff" if hidden else "#3f51b5", edgecolor="#3f51b5",
               hatch="///" if hidden else None)  # fmt: skip
        ax.text(x, height + 0.3, str(cell), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(months)), [str(m) for m in months], rotation=45, ha="right")
    ax.set_ylabel("breach files (cases first breached)")
    ax.set_xlabel("hatched: a count not published (<5, or [c]: it would reveal one)", fontsize=8)
    total = tables["total"][0]
    ax.set_title(
        f"Breach files per month; compliance {total['compliance']}, "
        f"completed within the deadline {total['within_deadline']}",
        fontsize=9,
    )
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format=str(path).rsplit(".", 1)[-1].lower())
    plt.close(fig)
    write_atomic(path, out.getvalue())  # a reader never sees half a chart
