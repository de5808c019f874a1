"""Need pages: every need with its other names, and its pathways district by district."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pathways.site.common import aka, delivery_text, entity_path, link, page, plural
from pathways.site.escape import md_cell, md_text

if TYPE_CHECKING:
    from directory.models import Need, Pathway
    from pathways.site.common import SiteData

__all__ = ["render_need", "render_needs_index"]

INDEX = "needs/index.md"


def render_needs_index(data: SiteData) -> str:
    """The list of needs by group, with how many pathways and districts cover each."""
    d = data.directory
    body = [
        "A need is one assessed cause of offending. Choose a need to see the pathways that "
        "address it in each district.",
        "",
    ]
    groups = list(d.groups)
    known = {g.id for g in groups}
    for group_id, label in [(g.id, g.label) for g in groups] + [
        (n.group, n.group) for n in d.needs if n.group not in known
    ]:
        needs = [n for n in d.needs if n.group == group_id]
        if not needs:
            continue
        known.add(group_id)
        body += [f"## {md_text(label)}", "", "| Need | Pathways | Districts covered |"]
        body.append("|---|---:|---:|")
        for n in needs:
            pathways = d.pathways_by_need.get(n.id, ())
            covered = sum(1 for x in d.districts if data.options.get((n.id, x.id)))
            body.append(
                f"| [{md_cell(n.label)}]({link(INDEX, entity_path('needs', n.id))}) "
                f"| {len(pathways)} | {covered} of {len(d.districts)} |"
            )
        body.append("")
    return page("Needs", body)


def _option(from_page: str, data: SiteData, p: Pathway) -> str:
    agency = data.agency_of(p)
    return (
        f"[{md_text(p.name)}]({link(from_page, entity_path('pathways', p.id))}) "
        f"({md_text(agency.name)}; {delivery_text(p)}; {md_text(p.eligibility.describe())})"
    )


def render_need(data: SiteData, need: Need) -> str:
    """One need: description, other names, pathways by district, and every pathway."""
    d = data.directory
    here = entity_path("needs", need.id)
    group = {g.id: g for g in d.groups}.get(need.group)
    body: list[str] = []
    if need.synonyms:
        body += [*aka(need.synonyms), ""]
    if need.description:
        body += [md_text(need.description), ""]
    if group is not None:
        number = f" (reoffending pathway {group.number})" if group.number else ""
        body += [f"Group: {md_text(group.label)}{number}.", ""]
    body += ["## Pathways by district", ""]
    for x in d.districts:
        options = data.options.get((need.id, x.id), ())
        body += [f"### {md_text(x.label)}", ""]
        if not options:
            body += [
                f"No pathway covers this need in {md_text(x.label)}: "
                f"see [the district page]({link(here, entity_path('districts', x.id))}) "
                "for the nearest options.",
                "",
            ]
            continue
        body += [f"- {_option(here, data, p)}" for p in options]
        body.append("")
    pathways = [p for p in d.pathways if need.id in p.needs]
    body += [
        "## All pathways for this need",
        "",
        f"{plural(len(pathways), 'pathway')} address this need.",
        "",
    ]
    if pathways:
        body += ["| Pathway | Agency | Delivery | Active |", "|---|---|---|---|"]
        for p in pathways:
            agency = data.agency_of(p)
            body.append(
                f"| [{md_cell(p.name)}]({link(here, entity_path('pathways', p.id))}) "
                f"| [{md_cell(agency.name)}]({link(here, entity_path('agencies', agency.id))}) "
                f"| {delivery_text(p)} | {'yes' if p.active else 'no'} |"
            )
    return page(need.label, body, edit_path="needs.yaml")
