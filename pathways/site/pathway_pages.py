"""Pathway pages: needs (with their other names), eligibility in plain words, delivery, sites,
capacity, referral route and when the facts were last verified."""

from __future__ import annotations

from typing import TYPE_CHECKING

from directory.models import LEVEL_WORDS
from pathways.site.agencies import site_line
from pathways.site.common import (
    aka,
    capacity_text,
    delivery_text,
    entity_path,
    link,
    page,
    sentence,
    verified_text,
)
from pathways.site.escape import md_cell, md_text

if TYPE_CHECKING:
    from directory.models import Pathway
    from pathways.site.common import SiteData

__all__ = ["render_pathway", "render_pathways_index"]

INDEX = "pathways/index.md"


def _districts(data: SiteData, pathway: Pathway) -> str:
    d = data.directory
    if pathway.districts == "all":
        return "all districts"
    names = [md_text(d.district_by_id[x].label) for x in pathway.districts if x in d.district_by_id]
    return ", ".join(names) if names else "no district named"


def render_pathways_index(data: SiteData) -> str:
    """Every pathway with its agency, needs and delivery."""
    d = data.directory
    body = [
        "Every diversionary pathway in the directory. Inactive pathways are listed but are not "
        "offered in plans.",
        "",
        "| Pathway | Agency | Needs | Delivery |",
        "|---|---|---|---|",
    ]
    for p in sorted(d.pathways, key=lambda p: (p.name.casefold(), p.id)):
        agency = data.agency_of(p)
        needs = ", ".join(md_cell(d.need_by_id[n].label) for n in p.needs if n in d.need_by_id)
        inactive = " (not active)" if not p.active else ""
        body.append(
            f"| [{md_cell(p.name)}]({link(INDEX, entity_path('pathways', p.id))}){inactive} "
            f"| [{md_cell(agency.name)}]({link(INDEX, entity_path('agencies', agency.id))}) "
            f"| {needs} | {delivery_text(p)} |"
        )
    return page("Pathways", body, searchable=False)


def render_pathway(data: SiteData, pathway: Pathway) -> str:
    """One pathway's page; "Edit this page" opens its agency's YAML file."""
    d = data.directory
    agency = data.agency_of(pathway)
    here = entity_path("pathways", pathway.id)
    body = [
        f"Run by [{md_text(agency.name)}]({link(here, entity_path('agencies', agency.id))}).",
        "",
    ]
    if not pathway.active:
        body += ['!!! warning "Not active"', "    This pathway is not offered at present.", ""]
    if pathway.description:
        body += [md_text(pathway.description), ""]
    needs = [d.need_by_id[n] for n in pathway.needs if n in d.need_by_id]
    body += ["## Needs", ""]
    body += [
        f"- [{md_text(n.label)}]({link(here, entity_path('needs', n.id))}): "
        f"{LEVEL_WORDS[pathway.level_of(n.id)]}"
        + ("" if pathway.specialism(n.id) else ", alongside its main work")
        for n in needs
    ]
    synonyms = [s for n in needs for s in n.synonyms]
    if synonyms:
        body += ["", *aka(synonyms)]
    body += ["", "## Who it is for", "", md_text(sentence(pathway.eligibility.describe())) + "."]
    if pathway.eligibility.notes:
        body += ["", md_text(pathway.eligibility.notes)]
    conditions = ", ".join(c for c in pathway.conditions)
    body += [
        "",
        "## How and where",
        "",
        f"- Delivery: {delivery_text(pathway)}",
        f"- Districts served: {_districts(data, pathway)}",
        f"- Conditions: {conditions or 'none'}",
    ]
    reach = data.reach.get(pathway.id, frozenset())
    if reach:
        names = [md_text(x.label) for x in d.districts if x.id in reach]
        body.append(f"- Available in: {', '.join(names)}")
    sites = d.sites_of(pathway)
    if sites:
        body += ["", "### Sites", ""]
        for s in sites:
            district = d.district_by_id.get(s.district)
            body.append(f"- {site_line(s)}; {md_text(district.label if district else s.district)}")
    body += ["", "## Capacity", "", sentence(capacity_text(pathway.capacity)) + "."]
    body += ["", "## Referral", ""]
    body.append(md_text(pathway.referral) if pathway.referral else "No referral route is recorded.")
    body += ["", f"**Last verified:** {verified_text(agency.last_verified)} (the agency's entry)."]
    # the agency in the title tells apart pathways of the same name in search results and tabs
    title = f"{pathway.name} — {agency.name}"
    return page(title, body, edit_path=f"agencies/{agency.id}.yaml")
