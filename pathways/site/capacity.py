"""Capacity: places on offer per need and district, and the pathways that are full or closed.

Places are converted to a month (a week is 52/12 of a month, a quarter three months). A pathway's
places count in every need and district it covers, so a row or column does not add up to the
places that exist: the per-need totals count each pathway once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pathways.site.common import capacity_text, entity_path, link, page, per_month
from pathways.site.escape import md_cell

if TYPE_CHECKING:
    from pathways.site.common import SiteData

__all__ = ["render_capacity"]

PATH = "places.md"
BAR_WIDTH = 100


def _places(value: float) -> str:
    return f"{value:.0f}"


def render_capacity(data: SiteData) -> str:
    """Places a month by need and district, per-need totals with bars, and full pathways."""
    d = data.directory
    body = [
        "Places a month on offer from active pathways, converted from weeks and quarters. "
        "Pathways whose places are not limited or not recorded are counted separately. Figures "
        "marked illustrative in the directory are examples, not commitments.",
        "",
        "## Places by need",
        "",
        "| Need | Places a month | Pathways with places | Not limited or not recorded | |",
        "|---|---:|---:|---:|---|",
    ]
    totals: dict[str, float] = {}
    for n in d.needs:
        pathways = d.pathways_by_need.get(n.id, ())
        totals[n.id] = sum(per_month(p.capacity) or 0.0 for p in pathways)
    top = max(totals.values(), default=0.0) or 1.0
    for n in d.needs:
        pathways = d.pathways_by_need.get(n.id, ())
        limited = sum(1 for p in pathways if per_month(p.capacity) is not None)
        width = round(BAR_WIDTH * totals[n.id] / top)
        bar = f'<span class="cap-bar" style="width: {width}px"></span>'
        body.append(
            f"| [{md_cell(n.label)}]({link(PATH, entity_path('needs', n.id))}) "
            f"| {_places(totals[n.id])} | {limited} | {len(pathways) - limited} | {bar} |"
        )
    body += [
        "",
        "## Places by need and district",
        "",
        "Each cell adds the places a month of the pathways available for the need in the "
        "district; a pathway serving several districts counts in each.",
        "",
        "| Need | " + " | ".join(md_cell(x.label) for x in d.districts) + " |",
        "|---|" + "---:|" * len(d.districts),
    ]
    for n in d.needs:
        cells = []
        for x in d.districts:
            options = data.options.get((n.id, x.id), ())
            places = [per_month(p.capacity) for p in options]
            known = sum(v for v in places if v is not None)
            open_ended = sum(1 for v in places if v is None)
            cell = _places(known) if options else "—"
            if open_ended:
                cell += f" + {open_ended} not limited"
            cells.append(cell)
        body.append(f"| {md_cell(n.label)} | " + " | ".join(cells) + " |")
    full = [p for p in d.pathways if p.capacity and p.capacity.status != "open"]
    body += ["", "## Waiting lists and closed pathways", ""]
    if not full:
        body.append("Every pathway with a recorded capacity is open.")
    else:
        body += ["| Pathway | Agency | Capacity |", "|---|---|---|"]
        for p in full:
            agency = data.agency_of(p)
            body.append(
                f"| [{md_cell(p.name)}]({link(PATH, entity_path('pathways', p.id))}) "
                f"| {md_cell(agency.name)} | {capacity_text(p.capacity)} |"
            )
    return page("Capacity", body, hide=("navigation", "toc"))
