"""The site navigation: generated sections first, then whatever hand-written pages exist.

Generated pages never take a name a guide might want (``capacity.md`` is the ledger guide; the
generated capacity page is ``places.md``); the MkDocs hook refuses a clash.

Each kind of generated page has one nav entry, its index; the pages of needs, districts, agencies
and pathways are reached from there and from search. Every page carries the whole menu, so a
menu entry per page would make the site grow with the square of its size (Material renders the
nav into each of thousands of pages).

>>> from directory.loading import load
>>> from pathways.site.common import SiteData
>>> nav = render_nav(SiteData.of(load()), ["directory-format.md", "reference/cli.md", "x.md"])
>>> [next(iter(entry)) for entry in nav]
['Home', 'Needs', 'Districts', 'Agencies', 'Pathways', 'Coverage', 'Capacity', 'Downloads', \
'Guides', 'Reference']
>>> nav[-2], nav[-1]
({'Guides': ['directory-format.md', 'x.md']}, {'Reference': ['reference/cli.md']})
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pathways.site.common import SiteData

__all__ = ["GUIDE_ORDER", "REFERENCE_ORDER", "render_nav"]

#: hand-written guides in reading order; any other page follows in alphabetical order
GUIDE_ORDER = (
    "directory-format.md",
    "matching.md",
    "capacity.md",
    "gaps.md",
    "disclosure.md",
    "graph.md",
    "open-referral.md",
    "performance.md",
)
#: reference pages in reading order
REFERENCE_ORDER = (
    "reference/python.md",
    "reference/directory.md",
    "reference/matching.md",
    "reference/cli.md",
    "problems.md",
)


def _ordered(pages: Iterable[str], first: tuple[str, ...]) -> list[str]:
    present = set(pages)
    return [p for p in first if p in present] + sorted(present - set(first))


def render_nav(data: SiteData, hand_pages: Iterable[str]) -> list[dict[str, Any]]:
    """The MkDocs ``nav`` for the generated pages and the hand-written Markdown pages given."""
    hand = [p for p in hand_pages if p.endswith(".md")]
    reference = [p for p in hand if p.startswith("reference/") or p in REFERENCE_ORDER]
    guides = [p for p in hand if p not in reference and p != "index.md"]
    nav: list[dict[str, Any]] = [
        {"Home": "index.md"},
        {"Needs": "needs/index.md"},
        {"Districts": "districts/index.md"},
        {"Agencies": "agencies/index.md"},
        {"Pathways": "pathways/index.md"},
        {"Coverage": "coverage.md"},
        {"Capacity": "places.md"},
        {"Downloads": "downloads.md"},
    ]
    if guides:
        nav.append({"Guides": _ordered(guides, GUIDE_ORDER)})
    if reference:
        nav.append({"Reference": _ordered(reference, REFERENCE_ORDER)})
    return nav
