"""The map page: published sites and the districts each need's pathways reach, with unmet demand.

Commissioners think in places. The page draws, with Leaflet (vendored in ``docs/assets/leaflet``,
see ``scripts/vendor_leaflet.sh``), every published site as a point and every district as a
circle at its centre, and lets the reader pick a need. It also lists everything in tables, so
the page says the same without JavaScript, without the base map (tiles load only when the reader
is online) and to a screen reader.

What it does not do: there are no district boundaries in the directory, so districts are
circles at their centres (never outlines); unmet demand is the gaps page's published figures
(:func:`pathways.gap_charts.published_bars`, small counts suppressed). Hidden sites (refuges) are
removed before anything here sees the directory (:class:`~pathways.site.common.SiteData`), so
no point, name or distance of theirs reaches the page.

Pure: :func:`render_map_page` returns Markdown with raw HTML (every directory value escaped)
and the map's data as a JSON island; ``docs/assets/map.js`` draws it.

>>> from directory.loading import load
>>> from pathways.site.common import SiteData
>>> page = render_map_page(SiteData.of(load()))
>>> page.startswith("---") and 'id="map-data"' in page and 'id="map-need"' in page
True
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from directory.models import REMOTE
from matching.disclosure import THRESHOLD
from matching.gap_groups import ALL, need_groups, regroup
from matching.gap_tables import published
from pathways.gap_charts import published_bars
from pathways.site.common import delivery_text, entity_path, page, plural
from pathways.site.escape import html_text, md_text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from directory.models import Directory, Pathway, Site
    from matching.gap_tables import Cell
    from matching.gaps import GapResult
    from pathways.site.common import SiteData

__all__ = ["LEAFLET_VERSION", "PATH", "map_data", "render_map_page"]

PATH = "map.md"
#: The vendored Leaflet (docs/assets/leaflet); scripts/vendor_leaflet.sh pins the same.
LEAFLET_VERSION = "1.9.4"


def directory_url(path: str) -> str:
    """The address of a page (``pathways/x.md``) from the map page, with MkDocs' directory URLs.

    >>> directory_url("pathways/x.md"), directory_url("capacity-gaps.md")
    ('../pathways/x/', '../capacity-gaps/')
    """
    return "../" + path.removesuffix(".md") + "/"


def _unmet(
    gaps: GapResult | None,
    threshold: int,
    directory: Directory,
    tables: Mapping[str, Sequence[Mapping[str, Cell]]] | None,
) -> dict[str, dict[str, str]]:
    """district -> need (or ``all``) -> the published ``unmet X of Y`` of the gaps page: its
    cells table and each district's total, protected together with the charts' figures
    (:func:`matching.gap_tables.published` with the need groups, as the gaps page)."""
    if gaps is None:
        return {}
    if tables is None:
        tables = published(gaps, threshold, groups=need_groups(directory))
    out: dict[str, dict[str, str]] = {}
    for b in published_bars(gaps, tables["cells"], threshold):
        out.setdefault(b.column, {})[b.row] = b.label()
    district_totals = regroup(gaps, lambda c: (ALL, c.district))
    for b in published_bars(district_totals, tables["by_district"], threshold):
        out.setdefault(b.column, {})[ALL] = b.label()
    return out


def _json(value: object) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def map_data(
    data: SiteData,
    *,
    gaps: GapResult | None = None,
    threshold: int = THRESHOLD,
    url: Callable[[str], str] = directory_url,
    tables: Mapping[str, Sequence[Mapping[str, Cell]]] | None = None,
) -> dict[str, Any]:
    """What the map draws: needs, districts (centre, pathways by need, unmet demand), published
    sites (point, agency, pathways, needs) and pathways (name, agency, delivery, page).

    ``tables``: the gaps page's tables (:func:`matching.gap_tables.published` of ``gaps`` with
    the need groups), computed when not given.

    Only the public view is read: hidden sites are not in ``data.directory``.
    """
    d = data.directory
    unmet = _unmet(gaps, threshold, d, tables)
    offered = {n for p in d.pathways if p.active for n in p.needs}
    needs = [{"id": n.id, "label": n.label} for n in d.needs if n.id in offered]
    districts = []
    for x in d.districts:
        by_need = {
            n.id: [p.id for p in data.options.get((n.id, x.id), ())]
            for n in d.needs
            if data.options.get((n.id, x.id))
        }
        everyone = sorted({p for ids in by_need.values() for p in ids})
        districts.append(
            {
                "id": x.id,
                "label": x.label,
                "lat": x.lat,
                "lon": x.lon,
                "url": url(entity_path("districts", x.id)),
                "pathways": {ALL: everyone, **by_need},
                "unmet": unmet.get(x.id, {}),
            }
        )
    sites = []
    for agency in d.agencies:
        for s in agency.sites:
            at = [p for p in agency.pathways if p.active and s.id in p.sites]
            sites.append(
                {
                    "id": s.id,
                    "name": s.name,
                    "agency": agency.name,
                    "district": s.district,
                    "lat": s.lat,
                    "lon": s.lon,
                    "approximate": s.approximate,
                    "pathways": [p.id for p in at],
                    "needs": sorted({n for p in at for n in p.needs}),
                }
            )
    pathways = {
        p.id: {
            "name": p.name,
            "agency": data.agency_of(p).name,
            "delivery": delivery_text(p),
            "needs": list(p.needs),
            "url": url(entity_path("pathways", p.id)),
        }
        for p in d.pathways
        if p.active
    }
    return {
        "needs": needs,
        "districts": districts,
        "sites": sites,
        "pathways": pathways,
        "period": gaps.period if gaps is not None else None,
    }


def render_map_page(
    data: SiteData,
    *,
    gaps: GapResult | None = None,
    illustrative: bool = True,
    threshold: int = THRESHOLD,
    url: Callable[[str], str] = directory_url,
    tables: Mapping[str, Sequence[Mapping[str, Cell]]] | None = None,
) -> str:
    """The map page: a need filter, the map, and tables of districts, sites and the pathways
    delivered without a site (outreach, phone, online) with the districts they reach."""
    facts = map_data(data, gaps=gaps, threshold=threshold, url=url, tables=tables)
    period = facts["period"]
    note = [
        '!!! note "What the map does not show"',
        "    There are no district boundaries in the directory: each district is a circle at "
        "its centre, sized by the pathways available there, not an outline. Many sites are "
        "placed at their town's centre (marked *approximate*, drawn hollow). Refuges and other "
        "hidden sites are never shown, not even as a rounded point. The base map "
        "(OpenStreetMap) loads only when you are online.",
        "",
    ]
    if period is not None:
        note += [
            "Unmet demand is that of the [capacity gaps](capacity-gaps.md) page for "
            f"{md_text(str(period))} "
            f"({'illustrative synthetic demand' if illustrative else 'recorded demand'}): "
            f"counts below {threshold} are shown as `<{threshold}`.",
            "",
        ]
    body = [
        "Published sites and the districts each need's pathways reach, over the six districts. "
        "Pick a need to see only its pathways. Everything on the map is also listed below it, "
        "so the page reads the same without the base map or JavaScript.",
        "",
        '<div class="pw-map-controls">',
        '<label for="map-need">Need</label> <select id="map-need">',
        '<option value="all">All needs</option>',
        *(
            f'<option value="{html_text(n["id"])}">{html_text(n["label"])}</option>'
            for n in facts["needs"]
        ),
        "</select>",
        '<span id="map-status" role="status"></span>',
        "</div>",
        "",
        '<div id="pathways-map" class="pw-map" role="region" aria-label="Map of sites and '
        'districts"><noscript>The map needs JavaScript; everything on it is listed below.'
        "</noscript></div>",
        "",
        f'<script type="application/json" id="map-data">{_json(facts)}</script>',
        f'<link rel="stylesheet" href="../assets/leaflet/leaflet.css?v={LEAFLET_VERSION}">',
        f'<script src="../assets/leaflet/leaflet.js?v={LEAFLET_VERSION}"></script>',
        '<script src="../assets/map.js"></script>',
        "",
        *note,
        "## Districts",
        "",
        *_district_table(facts),
        "",
        "## Sites",
        "",
        *_site_table(data, facts),
        "",
        "## Delivered without a site",
        "",
        "Pathways with no published site (outreach, phone, online, or delivered at a site "
        "that is not published), and the districts they reach.",
        "",
        *_remote_table(data, url),
    ]
    return page("Map", body, hide=("toc",))


def _table(head: Iterable[str], rows: Iterable[str], css: str) -> list[str]:
    cells = "".join(f"<th>{h}</th>" for h in head)
    return [
        f'<table class="pw-map-list {css}">',
        f"<thead><tr>{cells}</tr></thead>",
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
    ]


def _district_table(facts: dict[str, Any]) -> list[str]:
    period = facts["period"]
    head = ["District", "Pathways available", "Sites"]
    if period is not None:
        head.append(f"Unmet demand, {html_text(str(period))}")
    sites_in: dict[str, int] = {}
    for s in facts["sites"]:
        sites_in[s["district"]] = sites_in.get(s["district"], 0) + 1
    rows = []
    for x in facts["districts"]:
        cells = [
            f'<a href="{html_text(x["url"])}">{html_text(x["label"])}</a>',
            f'<span class="map-count">{len(x["pathways"][ALL])}</span>',
            str(sites_in.get(x["id"], 0)),
        ]
        if period is not None:
            cells.append(f'<span class="map-unmet">{html_text(x["unmet"].get(ALL, "-"))}</span>')
        row = "".join(f"<td>{c}</td>" for c in cells)
        rows.append(f'<tr data-district="{html_text(x["id"])}">{row}</tr>')
    return _table(head, rows, "map-districts")


def _pathway_links(ids: Iterable[str], facts: dict[str, Any]) -> str:
    pathways = facts["pathways"]
    return ", ".join(
        f'<a href="{html_text(pathways[i]["url"])}">{html_text(pathways[i]["name"])}</a>'
        for i in ids
    )


def _site_table(data: SiteData, facts: dict[str, Any]) -> list[str]:
    labels = {x.id: x.label for x in data.directory.districts}
    need_labels = {n.id: n.label for n in data.directory.needs}
    rows = []
    for s in facts["sites"]:
        name = html_text(s["name"]) + (" <em>(approximate)</em>" if s["approximate"] else "")
        cells = [
            name,
            html_text(s["agency"]),
            html_text(labels.get(s["district"], s["district"])),
            html_text(", ".join(need_labels.get(n, n) for n in s["needs"])) or "-",
            _pathway_links(s["pathways"], facts) or "-",
        ]
        row = "".join(f"<td>{c}</td>" for c in cells)
        rows.append(f'<tr data-needs="{html_text(" ".join(s["needs"]))}">{row}</tr>')
    head = ["Site", "Agency", "District", "Needs", "Pathways here"]
    return _table(head, rows, "map-sites") if rows else ["None."]


def _remote_table(data: SiteData, url: Callable[[str], str]) -> list[str]:
    d = data.directory
    labels = {x.id: x.label for x in d.districts}
    rows = []
    for p in d.pathways:
        if not p.active or _sites(data, p):
            continue
        where = sorted(data.reach.get(p.id, ()), key=list(labels).index)
        reach = (
            "all districts" if len(where) == len(labels) else ", ".join(labels[w] for w in where)
        )
        remote = bool(REMOTE & set(p.delivery))
        cells = [
            f'<a href="{html_text(url(entity_path("pathways", p.id)))}">{html_text(p.name)}</a>',
            html_text(data.agency_of(p).name),
            html_text(delivery_text(p)) + (" (distance does not matter)" if remote else ""),
            html_text(reach) or "-",
        ]
        row = "".join(f"<td>{c}</td>" for c in cells)
        rows.append(f'<tr data-needs="{html_text(" ".join(p.needs))}">{row}</tr>')
    head = ["Pathway", "Agency", "Delivery", "Districts reached"]
    count = plural(len(rows), "pathway")
    return [*_table(head, rows, "map-remote"), "", f"{count}."] if rows else ["None."]


def _sites(data: SiteData, pathway: Pathway) -> tuple[Site, ...]:
    return data.directory.sites_of(pathway)
