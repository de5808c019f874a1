"""Records and figures for the ``show`` and ``stats`` commands (plain data, then rich rendering).

>>> from directory.loading import load
>>> figures = directory_stats(load())
>>> figures["districts"], figures["agencies"] >= 35, figures["pathways"] >= 80
(6, True, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from directory.errors import NotFoundError
from directory.interpret import place_reading, resolve_need
from directory.rules import did_you_mean
from pathways.console import Column, print_table

if TYPE_CHECKING:
    from rich.console import Console

    from directory.models import Directory

__all__ = ["directory_stats", "find_record", "render_record"]

_PER_MONTH = {"week": 52 / 12, "month": 1.0, "quarter": 1 / 3}


def find_record(directory: Directory, kind: str, ident: str) -> dict[str, Any]:
    """One record as plain data; hidden sites keep only their district.

    Raises :class:`~directory.errors.NotFoundError` with suggestions for an unknown id.
    """
    if kind == "need":
        reading = resolve_need(directory, ident)
        need = directory.need_by_id[reading.read_as]
        out = need.model_dump(mode="json")
        if reading.how != "id":
            out["interpreted"] = [reading.to_dict()]
        out["pathways"] = [p.id for p in directory.pathways_by_need.get(need.id, ())]
        return out
    if kind == "agency":
        agency = directory.agency_by_id.get(ident)
        if agency is None:
            raise NotFoundError("agency", ident, did_you_mean(ident, directory.agency_by_id))
        out = agency.model_dump(mode="json", exclude={"sites"})
        out["sites"] = [_public_site(s.model_dump(mode="json")) for s in agency.sites]
        return out
    if kind == "pathway":
        pathway = directory.pathway_by_id.get(ident)
        if pathway is None:
            raise NotFoundError("pathway", ident, did_you_mean(ident, directory.pathway_by_id))
        out = pathway.model_dump(mode="json")
        out["agency"] = directory.agency_of[pathway.id].id
        out["eligibility_in_words"] = pathway.eligibility.describe()
        out["districts"] = list(directory.served_districts(pathway))
        return out
    from directory.places import Gazetteer

    locality = Gazetteer.from_directory(directory).resolve(ident)
    district = directory.district_by_id[locality.district]
    return {
        "query": ident,
        "resolved_as": locality.kind,
        "label": locality.label,
        "district": district.id,
        "district_label": district.label,
        "area": district.area,
        "lat": round(locality.lat, 4),
        "lon": round(locality.lon, 4),
        "pathways": [p.id for p in directory.pathways_by_district.get(district.id, ())],
        "interpreted": [place_reading(directory, ident, locality).to_dict()],
    }


def _public_site(site: dict[str, Any]) -> dict[str, Any]:
    if site.get("hidden"):
        return {"id": site["id"], "district": site["district"], "hidden": True}
    return site


def render_record(console: Console, kind: str, record: dict[str, Any]) -> None:
    """Print a record as field / value rows (values wrap between words, ids stay whole)."""
    rows: list[list[str]] = []
    for key, value in record.items():
        if isinstance(value, list):
            shown = "; ".join(
                ", ".join(f"{k}: {v}" for k, v in item.items() if v not in (None, [], ()))
                if isinstance(item, dict)
                else str(item)
                for item in value
            )
        elif isinstance(value, dict):
            shown = ", ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, [], ()))
        else:
            shown = "" if value is None else str(value)
        rows.append([key, shown])
    print_table(
        console,
        [Column("field"), Column("value", prose=True)],
        rows,
        title=f"{kind} {record.get('id', record.get('query', ''))}",
    )


def directory_stats(directory: Directory) -> dict[str, Any]:
    """Headline figures of a directory, as plain data."""
    pathways = directory.pathways
    sites = [s for a in directory.agencies for s in a.sites]
    places = 0.0
    for p in pathways:
        if p.capacity is not None and p.capacity.places is not None and p.active:
            places += p.capacity.places * _PER_MONTH[p.capacity.per]
    per_cell = {(n.id, d.id): 0 for n in directory.needs for d in directory.districts}
    for p in pathways:
        if p.active:
            for d in directory.served_districts(p):
                for n in p.needs:
                    if (n, d) in per_cell:
                        per_cell[(n, d)] += 1
    dates = [a.last_verified for a in directory.agencies if a.last_verified is not None]
    return {
        "agencies": len(directory.agencies),
        "pathways": len(pathways),
        "active_pathways": sum(p.active for p in pathways),
        "sites": len(sites),
        "hidden_sites": sum(s.hidden for s in sites),
        "needs": len(directory.needs),
        "districts": len(directory.districts),
        "towns": len(directory.towns),
        "postcode_districts": len(directory.postcode_districts),
        "places_per_month": round(places),
        "fewest_pathways_for_a_need_in_a_district": min(per_cell.values(), default=0),
        "need_district_cells_without_a_pathway": sum(v == 0 for v in per_cell.values()),
        "oldest_last_verified": min(dates).isoformat() if dates else None,
        "unverified_agencies": sum(a.last_verified is None for a in directory.agencies),
    }
