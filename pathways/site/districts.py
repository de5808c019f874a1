"""District pages: what is available for each need where a person lives, nearest first, and the
holes (needs no pathway covers there) with the nearest options elsewhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pathways.site.common import aka, delivery_text, entity_path, link, page, plural
from pathways.site.escape import md_cell, md_text
from pathways.site.public import nearest_site

if TYPE_CHECKING:
    from directory.models import District, Pathway
    from pathways.site.common import SiteData

__all__ = ["render_district", "render_districts_index"]

INDEX = "districts/index.md"
#: how many options elsewhere are shown for a hole
NEAREST_ELSEWHERE = 3


def render_districts_index(data: SiteData) -> str:
    """Every district with its policing area, pathways available and holes."""
    d = data.directory
    areas = {a.id: a.label for a in d.areas}
    body = [
        "Choose the district where the person lives to see what is available for each need.",
        "",
        "| District | Policing area | Pathways available | Needs covered | Holes |",
        "|---|---|---:|---:|---:|",
    ]
    for x in d.districts:
        available = {p.id for n in d.needs for p in data.options.get((n.id, x.id), ())}
        covered = sum(1 for n in d.needs if data.options.get((n.id, x.id)))
        body.append(
            f"| [{md_cell(x.label)}]({link(INDEX, entity_path('districts', x.id))}) "
            f"| {md_cell(areas.get(x.area, x.area))} | {len(available)} "
            f"| {covered} of {len(d.needs)} | {len(d.needs) - covered} |"
        )
    return page("Districts", body)


def _distance(data: SiteData, p: Pathway, x: District) -> float | None:
    near = nearest_site(data.directory, p, x.lat, x.lon)
    return None if near is None else near[1]


def _how(data: SiteData, p: Pathway, x: District) -> str:
    near = nearest_site(data.directory, p, x.lat, x.lon)
    how = delivery_text(p)
    if near is None:
        return how
    site, km = near
    return f"{how}; nearest site {md_cell(site.name)}, {km:.0f} km from {md_cell(x.label)}"


def render_district(data: SiteData, x: District) -> str:
    """One district: options for each need (nearest site first) and its holes."""
    d = data.directory
    here = entity_path("districts", x.id)
    area = {a.id: a.label for a in d.areas}.get(x.area, x.area)
    towns = [t.name for t in d.towns if t.district == x.id]
    codes = [c.code for c in d.postcode_districts if c.district == x.id]
    body = [f"Policing area: {md_text(area)}."]
    if towns:
        body.append(f"Towns and villages include {md_text(', '.join(towns[:12]))}.")
    if codes:
        body.append(f"Postcode districts: {md_text(', '.join(codes))}.")
    if x.aliases:
        body += ["", *aka(x.aliases)]
    covered = [n for n in d.needs if data.options.get((n.id, x.id))]
    holes = [n for n in d.needs if not data.options.get((n.id, x.id))]
    body += [
        "",
        f"{plural(len(covered), 'need')} of {len(d.needs)} covered; "
        f"{plural(len(holes), 'hole')}. Distances are measured from the district centre.",
        "",
        "## Options by need",
        "",
    ]
    for n in covered:
        options = sorted(
            data.options[(n.id, x.id)],
            key=lambda p: (_distance(data, p, x) is None, _distance(data, p, x) or 0.0, p.id),
        )
        body += [
            f"### [{md_text(n.label)}]({link(here, entity_path('needs', n.id))})",
            "",
            "| Pathway | Agency | How and where |",
            "|---|---|---|",
        ]
        for p in options:
            agency = data.agency_of(p)
            body.append(
                f"| [{md_cell(p.name)}]({link(here, entity_path('pathways', p.id))}) "
                f"| [{md_cell(agency.name)}]({link(here, entity_path('agencies', agency.id))}) "
                f"| {_how(data, p, x)} |"
            )
        body.append("")
    body += ["## Holes", ""]
    if not holes:
        body.append(f"Every need in the directory is covered in {md_text(x.label)}.")
    for n in holes:
        elsewhere = sorted(
            (
                (km, p)
                for p in d.pathways_by_need.get(n.id, ())
                if (km := _distance(data, p, x)) is not None
            ),
            key=lambda pair: (pair[0], pair[1].id),
        )[:NEAREST_ELSEWHERE]
        line = (
            f"- **[{md_text(n.label)}]({link(here, entity_path('needs', n.id))})**: "
            f"no pathway covers this need in {md_text(x.label)}."
        )
        if elsewhere:
            line += (
                " Nearest elsewhere: "
                + "; ".join(
                    f"[{md_text(p.name)}]({link(here, entity_path('pathways', p.id))}) "
                    f"({md_text(data.agency_of(p).name)}, {km:.0f} km)"
                    for km, p in elsewhere
                )
                + "."
            )
        body.append(line)
    return page(x.label, body, edit_path="localities.yaml")
