"""Shared pieces of the directory pages: page paths, relative links, front matter, wording.

>>> link("needs/alcohol.md", "pathways/cgl-alcohol.md")
'../pathways/cgl-alcohol.md'
>>> entity_path("pathways", "index")
'pathways/index_.md'
>>> from datetime import date
>>> fmt_date(date(2026, 10, 1))
'1 October 2026'
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pathways.site.escape import html_text, md_text
from pathways.site.public import public_view, reach

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from directory.models import Agency, Capacity, Directory, Pathway

__all__ = [
    "SiteData",
    "aka",
    "capacity_text",
    "delivery_text",
    "entity_path",
    "fmt_date",
    "link",
    "page",
    "per_month",
    "plural",
    "sentence",
]

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DELIVERY = {
    "in_person": "in person",
    "online": "online",
    "phone": "by phone",
    "outreach": "outreach",
}
_PER_MONTH = {"week": 52 / 12, "month": 1.0, "quarter": 1 / 3}


@dataclass(frozen=True)
class SiteData:
    """The public directory and the look-ups every page needs, computed once per build."""

    directory: Directory
    reach: dict[str, frozenset[str]] = field(default_factory=dict)
    #: active pathways available for (need id, district id), in directory order
    options: dict[tuple[str, str], tuple[Pathway, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, directory: Directory) -> SiteData:
        """Strip hidden sites and compute where every pathway reaches."""
        public = public_view(directory)
        where = {p.id: reach(public, p) for p in public.pathways}
        options: dict[tuple[str, str], list[Pathway]] = {}
        for p in public.pathways:
            for need in p.needs:
                for district in sorted(where[p.id]):
                    options.setdefault((need, district), []).append(p)
        return cls(public, where, {k: tuple(v) for k, v in options.items()})

    def agency_of(self, pathway: Pathway) -> Agency:
        """The agency running a pathway."""
        return self.directory.agency_of[pathway.id]


def entity_path(kind: str, ident: str) -> str:
    """The page of one need, district, agency or pathway (``index`` cannot clash with a list)."""
    return f"{kind}/{ident if ident != 'index' else 'index_'}.md"


def link(from_page: str, to_page: str) -> str:
    """A relative link between two pages given by their paths in the docs folder.

    >>> link("index.md", "needs/alcohol.md"), link("needs/a.md", "needs/b.md")
    ('needs/alcohol.md', 'b.md')
    >>> link("needs/a.md", "coverage.md"), link("a/b/c.md", "a/d.md")
    ('../coverage.md', '../d.md')
    """
    here, _, _ = from_page.rpartition("/")
    there, _, name = to_page.rpartition("/")
    if "/" in here or "/" in there:  # deeper than the site's pages go: the general rule
        return posixpath.relpath(to_page, here or ".")
    if here == there:
        return name
    return ("../" if here else "") + to_page


def page(
    title: str,
    body: Iterable[str],
    *,
    edit_path: str | None = None,
    hide: tuple[str, ...] = (),
    searchable: bool = True,
) -> str:
    """A Markdown page: front matter (escaped title, optional edit path, parts of the theme to
    hide such as ``toc``, whether search indexes it) then the body lines."""
    meta = [f"title: {json.dumps(html_text(title), ensure_ascii=False)}"]
    if edit_path is not None:
        meta.append(f"edit_path: {json.dumps(edit_path)}")
    if hide:
        meta.append(f"hide: {json.dumps(list(hide))}")
    if not searchable:
        meta.append('search: {"exclude": true}')
    lines = ["---", *meta, "---", "", f"# {md_text(title)}", "", *body]
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def fmt_date(day: date) -> str:
    """A date in words, independent of the machine's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def verified_text(day: date | None) -> str:
    """When an entry was checked against its sources, or that nobody has yet.

    >>> verified_text(None)
    'not yet verified against its sources'
    """
    return "not yet verified against its sources" if day is None else fmt_date(day)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 pathway``, ``3 pathways``.

    >>> plural(1, "agency", "agencies"), plural(2, "agency", "agencies")
    ('1 agency', '2 agencies')
    """
    return f"{count} {word if count == 1 else (many or word + 's')}"


def aka(words: Iterable[str]) -> list[str]:
    """The "Also known as" paragraph (small print) that lets search find the words people type.

    >>> aka(["drink", "booze"])
    ['*Also known as:* drink, booze', '{: .aka }']
    """
    return ["*Also known as:* " + ", ".join(md_text(w) for w in words), "{: .aka }"]


def sentence(text: str) -> str:
    """Text with its first letter in capitals (unlike ``str.capitalize``, the rest is kept).

    >>> sentence("aged 18 or over; offences: theft")
    'Aged 18 or over; offences: theft'
    """
    return text[:1].upper() + text[1:]


def delivery_text(pathway: Pathway) -> str:
    """How a pathway is delivered, in words.

    >>> from directory.models import Pathway
    >>> delivery_text(Pathway(id="p", name="P", needs=("debt",), delivery=("in_person", "phone")))
    'in person, by phone'
    """
    return ", ".join(_DELIVERY.get(d, d) for d in pathway.delivery)


def per_month(capacity: Capacity | None) -> float | None:
    """Places a month (weeks and quarters converted), or None when places are not limited."""
    if capacity is None or capacity.places is None:
        return None
    return capacity.places * _PER_MONTH[capacity.per]


def capacity_text(capacity: Capacity | None) -> str:
    """A pathway's capacity in words.

    >>> from directory.models import Capacity
    >>> from datetime import date
    >>> capacity_text(Capacity(places=8, per="week", status="waitlist", updated=date(2026, 9, 1)))
    '8 places a week, waiting list (updated 1 September 2026)'
    >>> capacity_text(None)
    'not recorded'
    """
    if capacity is None:
        return "not recorded"
    status = {"open": "open", "waitlist": "waiting list", "closed": "closed"}[capacity.status]
    places = (
        "places not limited"
        if capacity.places is None
        else f"{plural(capacity.places, 'place')} a {capacity.per}"
    )
    extra = f"updated {fmt_date(capacity.updated)}"
    if capacity.illustrative:
        extra += "; illustrative figure"
    return f"{places}, {status} ({extra})"
