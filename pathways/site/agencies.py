"""Agency pages: details, contacts, pathways, sites and the sources the facts came from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pathways.site.common import (
    capacity_text,
    delivery_text,
    entity_path,
    link,
    page,
    verified_text,
)
from pathways.site.escape import md_cell, md_link, md_text

if TYPE_CHECKING:
    from directory.models import Agency, Contact, Site
    from pathways.site.common import SiteData

__all__ = ["contact_line", "render_agencies_index", "render_agency", "site_line"]

INDEX = "agencies/index.md"
KINDS = {
    "statutory": "statutory service",
    "nhs": "NHS",
    "police": "police",
    "local_authority": "local authority",
    "voluntary": "voluntary sector",
    "private": "private sector",
}


def contact_line(contact: Contact) -> str:
    """One contact as a Markdown list item body, linked when the address is safe.

    >>> from directory.models import Contact
    >>> contact_line(Contact(kind="phone", value="01733 560031", label="Referrals"))
    'Referrals (phone): [01733 560031](tel:01733560031)'
    >>> contact_line(Contact(kind="email", value="help@example.org"))
    'Email: [help@example.org](mailto:help@example.org)'
    """
    target = {
        "phone": "tel:" + "".join(ch for ch in contact.value if ch.isdigit() or ch == "+"),
        "email": "mailto:" + contact.value,
        "website": contact.value,
        "address": None,
    }[contact.kind]
    value = md_link(contact.value, target)
    kind = contact.kind.capitalize()
    if contact.label:
        return f"{md_text(contact.label)} ({contact.kind}): {value}"
    return f"{kind}: {value}"


def site_line(site: Site) -> str:
    """A published site in words, with a map link. Hidden sites never get here."""
    parts = [f"**{md_text(site.name)}**"]
    if site.address:
        parts.append(md_text(site.address))
    if site.postcode:
        parts.append(md_text(site.postcode))
    where = f"{site.lat:.4f}, {site.lon:.4f}"
    url = f"https://www.openstreetmap.org/?mlat={site.lat:.5f}&mlon={site.lon:.5f}#map=16/{site.lat:.5f}/{site.lon:.5f}"
    approx = " (approximate)" if site.approximate else ""
    return ", ".join(parts) + f" — {md_link('map ' + where, url)}{approx}"


def render_agencies_index(data: SiteData) -> str:
    """Every agency: kind, pathways, and when it was last verified."""
    d = data.directory
    body = [
        "Every partner agency in the directory, with the number of pathways it runs and when "
        "its entry was last checked against its sources.",
        "",
        "| Agency | Kind | Pathways | Last verified |",
        "|---|---|---:|---|",
    ]
    for a in sorted(d.agencies, key=lambda a: (a.name.casefold(), a.id)):
        body.append(
            f"| [{md_cell(a.name)}]({link(INDEX, entity_path('agencies', a.id))}) "
            f"| {KINDS[a.kind]} | {len(a.pathways)} | {verified_text(a.last_verified)} |"
        )
    return page("Agencies", body, searchable=False)


def render_agency(data: SiteData, agency: Agency) -> str:
    """One agency's page; "Edit this page" opens ``agencies/<id>.yaml``."""
    d = data.directory
    here = entity_path("agencies", agency.id)
    lead = f"A {KINDS[agency.kind]} agency"
    if agency.operator:
        lead += f", run by {md_text(agency.operator)}"
    body = [lead + ".", ""]
    if agency.description:
        body += [md_text(agency.description), ""]
    body += ["## Contact", ""]
    contacts = []
    if agency.website:
        contacts.append(f"- Website: {md_link(agency.website, agency.website)}")
    contacts += [f"- {contact_line(c)}" for c in agency.contacts]
    body += [*contacts, ""] if contacts else ["No contact details are recorded.", ""]
    body += [
        "## Pathways",
        "",
        "| Pathway | Needs | Delivery | Capacity |",
        "|---|---|---|---|",
    ]
    for p in agency.pathways:
        needs = ", ".join(
            f"[{md_cell(d.need_by_id[n].label)}]({link(here, entity_path('needs', n))})"
            for n in p.needs
            if n in d.need_by_id
        )
        inactive = " (not active)" if not p.active else ""
        body.append(
            f"| [{md_cell(p.name)}]({link(here, entity_path('pathways', p.id))}){inactive} "
            f"| {needs} | {delivery_text(p)} | {capacity_text(p.capacity)} |"
        )
    body.append("")
    if agency.sites:
        body += ["## Sites", ""]
        for s in agency.sites:
            district = d.district_by_id.get(s.district)
            label = md_text(district.label) if district else md_text(s.district)
            body.append(f"- {site_line(s)}; {label}")
        body.append("")
    body += ["## Sources", ""]
    evidence = {"read": "read in the source", "memory": "from memory", "guess": "a guess"}
    for src in agency.sources:
        note = f"; {md_text(src.note)}" if src.note else ""
        body.append(f"- {md_link(src.title, src.url)} ({evidence[src.evidence]}{note})")
    if not agency.sources:
        body.append("No source is recorded.")
    download = link(here, f"downloads/yaml/agencies/{agency.id}.yaml")
    body += [
        "",
        f"**Last verified:** {verified_text(agency.last_verified)}. "
        f"[Download this entry (YAML)]({download}).",
    ]
    if agency.illustrative:
        body += ["", f'!!! note "Illustrative values"\n    {md_text(agency.illustrative)}']
    return page(agency.name, body, edit_path=f"agencies/{agency.id}.yaml")
