"""Open Referral UK 3.0 JSON export: the ORUK API's Pages of services, organizations and taxonomies.

Pure functions from a directory to JSON-ready dicts, and :func:`write_json_export` to write them.
Hidden sites (refuges) are never exported; :func:`publishable` is the directory an export carries.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from directory.dumping import write_atomic
from directory.oruk.ids import EXTENSION, TAXONOMY_ID, TAXONOMY_NAME, UNIT_SCHEME, oruk_id

if TYPE_CHECKING:
    import os

    from directory.models import Agency, Directory, Need, NeedGroup, Pathway, Site

__all__ = [
    "export_json",
    "export_organizations",
    "export_services",
    "export_taxonomies",
    "publishable",
    "write_json",
    "write_json_export",
]


def publishable(directory: Directory) -> Directory:
    """The directory as it may be published: hidden sites and every link to them removed.

    This is exactly what an export carries, so ``import_oruk(export_services(d), base=d)`` gives
    ``publishable(d)`` back.
    """
    agencies = []
    for agency in directory.agencies:
        hidden = {s.id for s in agency.sites if s.hidden}
        if not hidden:
            agencies.append(agency)
            continue
        agencies.append(
            agency.model_copy(
                update={
                    "sites": tuple(s for s in agency.sites if not s.hidden),
                    "pathways": tuple(
                        p.model_copy(update={"sites": tuple(s for s in p.sites if s not in hidden)})
                        for p in agency.pathways
                    ),
                }
            )
        )
    return directory.model_copy(update={"agencies": tuple(agencies)})


# ============================================================================ export (JSON)
def _page(contents: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(contents)
    return {
        "total_items": n,
        "total_pages": 1,
        "page_number": 1,
        "size": n,
        "first_page": True,
        "last_page": True,
        "empty": n == 0,
        "contents": contents,
    }


def _drop_none(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v is not None}


def _status(pathway: Pathway) -> str:
    if not pathway.active:
        return "inactive"
    if pathway.capacity is not None and pathway.capacity.status == "closed":
        return "temporarily closed"
    return "active"


def _group_term(group: NeedGroup) -> dict[str, Any]:
    return {
        "id": oruk_id("need-group", group.id),
        "name": group.label,
        "description": group.label,
        "taxonomy": TAXONOMY_NAME,
        "taxonomy_id": TAXONOMY_ID,
        "term": group.id,
    }


def _need_term(need: Need) -> dict[str, Any]:
    return {
        "id": oruk_id("need", need.id),
        "name": need.label,
        "description": need.description or need.label,
        "parent_id": oruk_id("need-group", need.group),
        "taxonomy": TAXONOMY_NAME,
        "taxonomy_id": TAXONOMY_ID,
        "term": need.id,
    }


def _unknown_need_term(need_id: str) -> dict[str, Any]:
    # a need id the taxonomy does not hold (an invalid directory): still exported, by its id
    return {
        "id": oruk_id("need", need_id),
        "name": need_id,
        "description": need_id,
        "taxonomy": TAXONOMY_NAME,
        "taxonomy_id": TAXONOMY_ID,
        "term": need_id,
    }


class _Export:
    """One export's look-ups: the directory, and the town each site's address names as its city."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.towns: dict[str, list[tuple[float, float, str]]] = {}
        for town in directory.towns:
            self.towns.setdefault(town.district, []).append((town.lat, town.lon, town.name))
        self.organizations: dict[str, dict[str, Any]] = {}
        self.terms: dict[str, dict[str, Any]] = {}

    def need_term(self, need_id: str) -> dict[str, Any]:
        """The taxonomy term of a need, built once per export (shared, read-only)."""
        term = self.terms.get(need_id)
        if term is None:
            need = self.directory.need_by_id.get(need_id)
            term = _need_term(need) if need is not None else _unknown_need_term(need_id)
            self.terms[need_id] = term
        return term

    def district_label(self, district_id: str) -> str:
        district = self.directory.district_by_id.get(district_id)
        return district.label if district is not None else district_id

    def city(self, site: Site) -> str:
        """The nearest known town of the site's district, else the district's label."""
        towns = self.towns.get(site.district)
        if not towns:
            return self.district_label(site.district)
        scale = math.cos(math.radians(site.lat)) ** 2
        return min(towns, key=lambda t: (t[0] - site.lat) ** 2 + scale * (t[1] - site.lon) ** 2)[2]


def _location(ctx: _Export, site: Site) -> dict[str, Any]:
    lid = oruk_id("site", site.id)
    location: dict[str, Any] = {
        "id": lid,
        "location_type": "physical",
        "name": site.name,
        "description": "Approximate position." if site.approximate else None,
        "latitude": site.lat,
        "longitude": site.lon,
    }
    if site.postcode is not None:  # an ORUK address needs a postcode (and a first line)
        location["addresses"] = [
            {
                "id": oruk_id("address", site.id),
                "location_id": lid,
                "address_1": site.address or site.name,
                "city": ctx.city(site),
                "state_province": ctx.district_label(site.district),
                "postal_code": site.postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ]
    location[EXTENSION] = _drop_none(
        {
            "id": site.id,
            "district": site.district,
            "approximate": site.approximate,
            "address": site.address,
        }
    )
    return _drop_none(location)


def _organization(ctx: _Export, agency: Agency) -> dict[str, Any]:
    held = ctx.organizations.get(agency.id)
    if held is not None:
        return dict(held)  # built once per export; nested values are shared, read-only
    emails = [c.value for c in agency.contacts if c.kind == "email"]
    linked = {s for p in agency.pathways for s in p.sites}
    visible = [s for s in agency.sites if not s.hidden]
    extension = {
        "id": agency.id,
        "kind": agency.kind,
        "operator": agency.operator,
        "contacts": [c.model_dump(mode="json", exclude_none=True) for c in agency.contacts],
        "sources": [s.model_dump(mode="json", exclude_none=True) for s in agency.sources],
        "last_verified": agency.last_verified and agency.last_verified.isoformat(),
        "illustrative": agency.illustrative,
        "youth_justice": agency.youth_justice or None,
        "sites": [s.id for s in visible],
        "unlinked_locations": [_location(ctx, s) for s in visible if s.id not in linked],
    }
    organization = _drop_none(
        {
            "id": oruk_id("agency", agency.id),
            "name": agency.name,
            "description": agency.description or "",
            "email": emails[0] if emails else None,
            "website": agency.website,
            EXTENSION: _drop_none(extension),
        }
    )
    ctx.organizations[agency.id] = organization
    return dict(organization)


def _capacities(pathway: Pathway, service_id: str) -> list[dict[str, Any]] | None:
    cap = pathway.capacity
    if cap is None or cap.places is None:
        return None
    unit_id = oruk_id("unit", cap.per)
    return [
        {
            "id": oruk_id("capacity", pathway.id),
            "service_id": service_id,
            "unit_id": unit_id,
            "unit": {
                "id": unit_id,
                "name": f"places per {cap.per}",
                "scheme": UNIT_SCHEME,
                "identifier": f"places-per-{cap.per}",
            },
            "available": cap.places if cap.status == "open" else 0,
            "maximum": cap.places,
            "description": f"{cap.places} places per {cap.per}; status {cap.status}"
            + (" (illustrative)" if cap.illustrative else ""),
            "updated": f"{cap.updated.isoformat()}T00:00:00Z",
        }
    ]


def _service(
    ctx: _Export, agency: Agency, pathway: Pathway, *, embed_organization: bool
) -> dict[str, Any]:
    directory = ctx.directory
    sid = oruk_id("pathway", pathway.id)
    org_id = oruk_id("agency", agency.id)
    elig = pathway.eligibility
    description = elig.describe()
    if elig.notes:
        description = (
            elig.notes if description == "no restrictions" else f"{description}. {elig.notes}"
        )
    areas = []
    for district_id in directory.served_districts(pathway):
        district = directory.district_by_id.get(district_id)
        label = district.label if district else district_id
        areas.append(
            {
                "id": oruk_id("service-area", pathway.id, district_id),
                "service_id": sid,
                "name": label,
                "service_area": label,
                EXTENSION: {"district": district_id},
            }
        )
    at_locations = []
    for site_id in pathway.sites:
        site = directory.site_by_id.get(site_id)
        if site is None or site.hidden:
            continue
        location = _location(ctx, site)
        at_locations.append(
            {
                "id": oruk_id("service-at-location", pathway.id, site_id),
                "service_id": sid,
                "location_id": location["id"],
                "location": location,
            }
        )
    contacts = []
    for c in agency.contacts:
        if c.kind not in ("phone", "email"):
            continue
        cid = oruk_id("contact", pathway.id, c.kind, c.value)
        contact: dict[str, Any] = {"id": cid, "service_id": sid, "name": c.label or agency.name}
        if c.kind == "phone":  # ``phones`` on a contact is HSDS 3.0 core, not in the UK profile
            contact["phones"] = [
                _drop_none(
                    {
                        "id": oruk_id("phone", pathway.id, c.value),
                        "contact_id": cid,
                        "number": c.value,
                        "description": c.label,
                    }
                )
            ]
        else:  # ``email`` on a contact is HSDS 3.0 core, not in the UK profile
            contact["email"] = c.value
        contacts.append(contact)
    attributes = []
    for need_id in pathway.needs:
        term = ctx.need_term(need_id)
        attributes.append(
            {
                "id": oruk_id("attribute", pathway.id, need_id),
                "link_id": sid,
                "link_type": "need",
                "link_entity": "service",
                # what the pathway delivers for the need (L1-L4), as HSDS attribute values
                "value": pathway.level_of(need_id),
                "taxonomy_term_id": term["id"],
                "taxonomy_term": term,
            }
        )
    extension = {
        "id": pathway.id,
        "districts": "all" if pathway.districts == "all" else None,
        "delivery": list(pathway.delivery),
        "conditions": list(pathway.conditions),
        "level": pathway.level if pathway.level != "structured" else None,
        "levels": dict(pathway.levels) or None,
        "alongside": list(pathway.alongside) or None,
        "eligibility": elig.model_dump(
            mode="json", exclude_defaults=True, exclude={"min_age", "max_age"}
        ),
        "capacity": (
            pathway.capacity.model_dump(mode="json") if pathway.capacity is not None else None
        ),
    }
    service: dict[str, Any] = {
        "id": sid,
        "organization_id": org_id,
        "name": pathway.name,
        "description": pathway.description,
        "status": _status(pathway),
        "minimum_age": elig.min_age,
        "maximum_age": elig.max_age,
        # HSDS 3.0 core fields that the UK profile leaves out:
        "eligibility_description": description,
        "application_process": pathway.referral,
        # never an assured date for an entry nobody has checked (dropped when None)
        "assured_date": agency.last_verified and agency.last_verified.isoformat(),
        "service_areas": areas,
        "service_at_locations": at_locations,
        "contacts": contacts,
        "attributes": attributes,
        # HSDS 3.1 shape (service_capacity with its unit); ORUK 3.0 has no capacity field:
        "capacities": _capacities(pathway, sid),
        "organization": _organization(ctx, agency) if embed_organization else None,
        EXTENSION: _drop_none(extension),
    }
    return _drop_none(service)


def export_services(directory: Directory) -> dict[str, Any]:
    """A Page of every pathway as a full ORUK service, its organization embedded.

    Pathways come agency by agency in directory order; hidden sites are left out.
    """
    ctx = _Export(directory)
    return _page(
        [
            _service(ctx, agency, pathway, embed_organization=True)
            for agency in directory.agencies
            for pathway in agency.pathways
        ]
    )


def export_organizations(directory: Directory) -> dict[str, Any]:
    """A Page of every agency as an ORUK organization holding its full services."""
    ctx = _Export(directory)
    contents = []
    for agency in directory.agencies:
        org = _organization(ctx, agency)
        org["services"] = [
            _service(ctx, agency, p, embed_organization=False) for p in agency.pathways
        ]
        contents.append(org)
    return _page(contents)


def export_taxonomies(directory: Directory) -> dict[str, Any]:
    """A Page holding the need taxonomy: the need groups as top terms, each need under its group."""
    terms = [_group_term(g) for g in directory.groups] + [_need_term(n) for n in directory.needs]
    taxonomy = {
        "id": TAXONOMY_ID,
        "name": TAXONOMY_NAME,
        "description": "Assessed causes of offending that diversion pathways address, grouped by "
        "the reoffending pathways.",
        "taxonomy_terms": terms,
    }
    return _page([taxonomy])


def export_json(directory: Directory) -> dict[str, dict[str, Any]]:
    """The three JSON documents by file name: services, organizations and taxonomies."""
    return {
        "services.json": export_services(directory),
        "organizations.json": export_organizations(directory),
        "taxonomies.json": export_taxonomies(directory),
    }


def write_json(path: str | os.PathLike[str], document: Any) -> Path:
    """Write ``document`` as indented UTF-8 JSON, atomically (``dumping.write_atomic``).

    The text is made in full before the file is touched: a value JSON cannot hold (NaN, a set)
    raises and leaves the old file as it was.
    """
    text = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    return write_atomic(path, text)


def write_json_export(directory: Directory, folder: str | os.PathLike[str]) -> list[Path]:
    """Write :func:`export_json`'s documents into ``folder`` (created if needed), each atomically.

    Every document is encoded before the first file is replaced, so a failure leaves every old
    file; each replacement is atomic, so a crash mid-way leaves each file old or new, never half.
    """
    texts = {
        name: json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        for name, document in export_json(directory).items()
    }
    target = Path(folder)
    return [write_atomic(target / name, text) for name, text in texts.items()]
