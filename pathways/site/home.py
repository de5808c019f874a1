"""The home page: what the directory holds, how fresh it is, and how to use the site."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pathways.site.common import fmt_date, page, plural
from pathways.site.escape import md_text

if TYPE_CHECKING:
    from pathways.site.common import SiteData

__all__ = ["render_home"]

PATH = "index.md"


def render_home(data: SiteData) -> str:
    """The home page (``index.md``)."""
    d = data.directory
    active = [p for p in d.pathways if p.active]
    sites = [s for a in d.agencies for s in a.sites]
    body = [
        "This directory lists the partner agencies of the Cambridgeshire & Peterborough "
        "out-of-court diversion scheme and the diversionary pathways they run: who each pathway "
        "is for, where and how it is delivered, how many places it has, and how to refer.",
        "",
        "## What it holds",
        "",
        "| | Count |",
        "|---|---:|",
        f"| Agencies | {len(d.agencies)} |",
        f"| Pathways | {len(d.pathways)} |",
        f"| Active pathways | {len(active)} |",
        f"| Needs | {len(d.needs)} |",
        f"| Districts | {len(d.districts)} |",
        f"| Published sites | {len(sites)} |",
        "",
    ]
    checked = [a for a in d.agencies if a.last_verified is not None]
    unchecked = len(d.agencies) - len(checked)
    if unchecked:
        body += [
            f"Not yet verified: {plural(unchecked, 'agency entry', 'agency entries')} "
            f"{'has' if unchecked == 1 else 'have'} not been checked against "
            f"{'its' if unchecked == 1 else 'their'} sources by anyone; treat "
            f"{'it' if unchecked == 1 else 'them'} as leads to confirm, not as assured facts.",
            "",
        ]
    if checked:
        newest = max(a.last_verified for a in checked if a.last_verified is not None)
        oldest = min(checked, key=lambda a: (a.last_verified or newest, a.id))
        body += [
            f"Last verified: the most recent check was on **{fmt_date(newest)}**; the oldest "
            f"entry ({md_text(oldest.name)}) was checked on "
            f"{fmt_date(oldest.last_verified or newest)}. "
            "Each agency page shows its sources and when they were last verified.",
            "",
        ]
    holes = sum(1 for n in d.needs for x in d.districts if not data.options.get((n.id, x.id)))
    body += [
        "## How to use it",
        "",
        "- **By need**: [Needs](needs/index.md) lists every need and, for each, the pathways "
        "district by district.",
        "- **By district**: [Districts](districts/index.md) shows what is available where a "
        "person lives, the nearest sites, and the needs nobody covers there.",
        "- **Search**: press the / key or select the search box and type the words people "
        'use, such as "drink", "housing" or "debt": needs are found by their other names too.',
        "- **For commissioners**: the [coverage matrix](coverage.md) shows how many pathways "
        f"cover each need in each district ({plural(holes, 'hole')} at present), and "
        "[capacity](places.md) the places on offer.",
        "- **Data**: [downloads](downloads.md) has the directory as YAML and in open formats.",
        "",
        "Every page about an agency or a pathway is generated from that agency's YAML file; "
        '"Edit this page" opens the file, and changes are made by pull request.',
    ]
    if d.attribution:
        body += ["", f"*{md_text(d.attribution)}*"]
    return page("Diversion pathways directory", body)
