"""The coverage matrix: how many active pathways cover each need in each district.

Cells carry their count and a colour band (class ``cov-0`` for a hole, ``cov-1`` for a single
pathway, ``cov-2`` for two or three, ``cov-4`` for four or more); the number is always shown, so
the colour is never the only signal.

>>> band(0), band(1), band(3), band(9)
('cov-0', 'cov-1', 'cov-2', 'cov-4')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pathways.site.common import entity_path, link, page
from pathways.site.escape import html_text, md_cell

if TYPE_CHECKING:
    from pathways.site.common import SiteData

__all__ = ["band", "render_coverage"]

PATH = "coverage.md"


def band(count: int) -> str:
    """The colour band of a cell."""
    if count <= 0:
        return "cov-0"
    if count == 1:
        return "cov-1"
    return "cov-2" if count <= 3 else "cov-4"


def render_coverage(data: SiteData) -> str:
    """The need x district matrix, with totals of holes per district."""
    d = data.directory
    header = "| Need | " + " | ".join(
        f"[{md_cell(x.label)}]({link(PATH, entity_path('districts', x.id))})" for x in d.districts
    )
    body = [
        "Each cell counts the active pathways that cover a need in a district (they serve the "
        "district, have a site there, or work by phone or online everywhere). A **0** is a "
        "hole; a **1** depends on a single pathway.",
        "",
        '<div class="cov-legend">'
        '<span class="cov cov-0">0 none</span> <span class="cov cov-1">1 single</span> '
        '<span class="cov cov-2">2-3</span> <span class="cov cov-4">4 or more</span></div>',
        "",
        header + " |",
        "|---|" + ":---:|" * len(d.districts),
    ]
    for n in d.needs:
        cells = []
        for x in d.districts:
            count = len(data.options.get((n.id, x.id), ()))
            label = f"{html_text(n.label)} in {html_text(x.label)}: {count}"
            cells.append(f'<span class="cov {band(count)}" title="{label}">{count}</span>')
        body.append(
            f"| [{md_cell(n.label)}]({link(PATH, entity_path('needs', n.id))}) | "
            + " | ".join(cells)
            + " |"
        )
    holes = [sum(1 for n in d.needs if not data.options.get((n.id, x.id))) for x in d.districts]
    body.append("| **Holes** | " + " | ".join(f"**{h}**" for h in holes) + " |")
    return page("Coverage", body, hide=("navigation", "toc"))
