"""Open Referral UK 3.0: export a directory as the ORUK API serves it, and import ORUK feeds.

Export (pure functions, no I/O):

* :func:`export_services`: a ``Page`` (the ORUK API's paging envelope) whose ``contents`` are full
  services, each with its organization embedded, as ``GET /services/{id}`` returns one;
* :func:`export_organizations`: a ``Page`` of organizations, each with its full services;
* :func:`export_taxonomies`: a ``Page`` holding the need taxonomy and its terms;
* :func:`export_tables`: the tabular data package, one CSV per resource of the standard's
  ``datapackage.json`` with exactly its columns, plus the ``datapackage.json`` itself.

:func:`write_json_export` and :func:`write_tabular_export` write them into a folder, each file
atomically (:func:`directory.dumping.write_atomic`).

Import: :func:`import_oruk` reads a document (a Page of services, organizations or
service_at_locations, or one of them) into a :class:`~directory.models.Directory` whose needs and
localities come from a base directory, and reports everything it could not carry as
:class:`~directory.problems.Problem` objects located by JSON pointer (``field``).

Ids are stable: every ORUK id is a UUID 5 of our id under :data:`NAMESPACE`, so exporting the same
directory twice gives the same ids and a changed record keeps its id. Hidden sites (refuges) are
not exported at all (:func:`publishable`). What ORUK 3.0 has no field for travels in an extension
object named :data:`EXTENSION` on organizations, services and locations; capacity is also given in
the HSDS 3.1 shape (``capacities``). docs/open-referral.md has the full mapping table.

>>> from directory.loading import load
>>> d = load()
>>> page = export_services(d)
>>> page["total_items"] == len(d.pathways), page["contents"][0]["status"]
(True, 'active')
>>> back, report = import_oruk(page, base=d)
>>> back == publishable(d), report.ok
(True, True)
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from directory import rules
from directory.dumping import write_atomic
from directory.errors import PathwaysError
from directory.models import (
    Agency,
    Contact,
    Directory,
    Need,
    NeedGroup,
    Pathway,
    Site,
)
from directory.places import Gazetteer
from directory.problems import CATALOGUE, Problem, Report
from directory.taxonomy import Taxonomy

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator

__all__ = [
    "EXTENSION",
    "NAMESPACE",
    "TABLES",
    "TAXONOMY_ID",
    "Table",
    "datapackage",
    "export_json",
    "export_organizations",
    "export_services",
    "export_tables",
    "export_taxonomies",
    "import_oruk",
    "import_oruk_file",
    "oruk_id",
    "publishable",
    "write_json",
    "write_json_export",
    "write_tabular_export",
]

#: The namespace of every UUID 5 this module derives from our ids. Never change it: other systems
#: store the ids derived from it.
NAMESPACE = uuid.UUID("32332cf0-178c-4d99-a634-6a46b8fead17")

#: The key of the object that carries, on organizations, services and locations, what Open Referral
#: UK 3.0 has no field for (agency kind, sources, delivery modes, full eligibility...).
EXTENSION = "x_pathways"

_NAMESPACE_BYTES = NAMESPACE.bytes
TAXONOMY_NAME = "Out-of-court diversion needs"
TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy/needs"))
UNIT_SCHEME = "x-pathways"

#: Largest JSON document :func:`import_oruk_file` reads.
MAX_IMPORT_BYTES = 64 * 1024 * 1024


def oruk_id(kind: str, *parts: str) -> str:
    """The stable ORUK id (a UUID 5 under :data:`NAMESPACE`) of one of our records.

    Equal to ``str(uuid.uuid5(NAMESPACE, "/".join((kind, *parts))))``, computed without building
    UUID objects (an export makes about fifteen ids per pathway).

    >>> oruk_id("agency", "outside-links") == str(uuid.uuid5(NAMESPACE, "agency/outside-links"))
    True
    >>> uuid.UUID(oruk_id("need", "drugs")).version
    5
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + "/".join((kind, *parts)).encode()).digest())
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest[:16].hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# ============================================================================ publishable view
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
        "last_verified": agency.last_verified.isoformat(),
        "illustrative": agency.illustrative,
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
                "taxonomy_term_id": term["id"],
                "taxonomy_term": term,
            }
        )
    extension = {
        "id": pathway.id,
        "districts": "all" if pathway.districts == "all" else None,
        "delivery": list(pathway.delivery),
        "conditions": list(pathway.conditions),
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
        "assured_date": agency.last_verified.isoformat(),
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


# ============================================================================ export (tables)
@dataclass(frozen=True, slots=True)
class Table:
    """One resource of the tabular data package: its name, CSV file, columns and keys.

    ``columns`` are ``(name, type, format, required)``.
    """

    name: str
    path: str
    columns: tuple[tuple[str, str, str | None, bool], ...]
    foreign_keys: tuple[tuple[str, str], ...] = ()
    standard: bool = True

    @property
    def column_names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(c[0] for c in self.columns)


def _table(
    name: str, path: str, spec: str, keys: tuple[tuple[str, str], ...] = (), standard: bool = True
) -> Table:
    # spec: "name*:type/format ..."; * required, type defaults to string
    columns = []
    for item in spec.split():
        head, _, fmt = item.partition("/")
        head, _, kind = head.partition(":")
        columns.append((head.rstrip("*"), kind or "string", fmt or None, head.endswith("*")))
    return Table(name, path, tuple(columns), keys, standard)


#: The resources of the ORUK 3.0 ``datapackage.json`` (in its order, with its columns), then the two
#: HSDS 3.1 resources that carry capacity. tests/test_oruk.py keeps this equal to the standard.
TABLES: tuple[Table, ...] = (
    _table(
        "organization",
        "organizations.csv",
        "id*/uuid name* description* email/email website/uri logo uri/uri "
        "parent_organization_id/uuid",
    ),
    _table(
        "service",
        "services.csv",
        "id*/uuid organization_id*/uuid name* description url/uri email/email status* fees "
        "accreditations minimum_age:number maximum_age:number assured_date:date "
        "assurer_email/email alert last_modified:datetime",
        (("organization_id", "organization"),),
    ),
    _table(
        "attribute",
        "attribute.csv",
        "id*/uuid link_id*/uuid taxonomy_term_id*/uuid link_type",
        (("taxonomy_term_id", "taxonomy_term"),),
    ),
    _table(
        "service_at_location",
        "service_at_location.csv",
        "id*/uuid service_id*/uuid location_id*/uuid",
        (("service_id", "service"), ("location_id", "location")),
    ),
    _table(
        "location",
        "locations.csv",
        "id*/uuid location_type* name description latitude:number longitude:number "
        "external_identifier external_identifier_type",
    ),
    _table("phone", "phones.csv", "id*/uuid contact_id/uuid number* description"),
    _table(
        "contact",
        "contacts.csv",
        "id*/uuid service_id/uuid name title",
        (("service_id", "service"),),
    ),
    _table(
        "address",
        "address.csv",
        "id*/uuid location_id/uuid attention address_1* city* region state_province* "
        "postal_code* country* address_type*",
        (("location_id", "location"),),
    ),
    _table(
        "schedule",
        "schedule.csv",
        "id*/uuid service_id/uuid service_at_location_id/uuid valid_from:date valid_to:date "
        "dtstart:date freq interval:number byday bymonthday description opens_at:time "
        "closes_at:time schedule_link/uri attending_type notes",
        (("service_id", "service"),),
    ),
    _table(
        "funding", "funding.csv", "id*/uuid service_id/uuid source", (("service_id", "service"),)
    ),
    _table(
        "service_area",
        "service_areas.csv",
        "id*/uuid service_id/uuid name extent extent_type uri service_area",
        (("service_id", "service"),),
    ),
    _table(
        "language",
        "languages.csv",
        "id*/uuid service_id/uuid phone_id/uuid",
        (("phone_id", "phone"), ("service_id", "service")),
    ),
    _table(
        "accessibility",
        "accessibility.csv",
        "id*/uuid location_id/uuid description details url/uri accessibility",
        (("location_id", "location"),),
    ),
    _table(
        "taxonomy_term",
        "taxonomy_terms.csv",
        "id*/uuid name* description* parent_id/uuid taxonomy taxonomy_id/uuid term_uri/uri term",
        (("taxonomy_id", "taxonomy"),),
    ),
    _table(
        "cost_option",
        "cost_options.csv",
        "id*/uuid service_id*/uuid valid_from:date valid_to:date option amount:number "
        "amount_description",
        (("service_id", "service"),),
    ),
    _table(
        "organization_identifier",
        "organization_identifiers.csv",
        "id*/uuid organization_id*/uuid identifier_scheme identifier_type* identifier*",
        (("organization_id", "organization"),),
    ),
    _table("taxonomy", "taxonomies.csv", "id*/uuid name* description* uri/uri version"),
    # HSDS 3.1 (not in ORUK 3.0): capacity and its unit
    _table(
        "service_capacity",
        "service_capacity.csv",
        "id*/uuid service_id*/uuid unit_id*/uuid available*:number maximum:number description "
        "updated*:datetime",
        (("service_id", "service"), ("unit_id", "unit")),
        standard=False,
    ),
    _table("unit", "units.csv", "id*/uuid name* scheme identifier uri/uri", standard=False),
)


def datapackage() -> dict[str, Any]:
    """The ``datapackage.json`` written beside the CSV files: the ORUK 3.0 package's resources
    (names, paths, columns, types, formats, required columns, keys) and the two HSDS 3.1 ones."""
    resources = []
    for table in TABLES:
        fields = []
        for name, kind, fmt, required in table.columns:
            spec: dict[str, Any] = {"name": name, "type": kind}
            if fmt:
                spec["format"] = fmt
            spec["constraints"] = {"required": required}
            fields.append(spec)
        schema: dict[str, Any] = {"primaryKey": "id", "fields": fields}
        if table.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": column, "reference": {"resource": resource, "fields": "id"}}
                for column, resource in table.foreign_keys
            ]
        resources.append(
            {
                "name": table.name,
                "path": table.path,
                "format": "csv",
                "mediatype": "text/csv",
                "profile": "tabular-data-resource",
                "schema": schema,
            }
        )
    return {
        "name": "human_services_data",
        "title": "Human Services Data Specification",
        "profile": "tabular-data-package",
        "version": "3.0.0",
        "description": "Open Referral UK 3.0 export of the out-of-court diversion directory. "
        "service_capacity and unit follow HSDS 3.1.",
        "license": {
            "url": "https://creativecommons.org/licenses/by-sa/4.0/",
            "type": "CC-BY-SA-4.0",
            "name": "Creative Commons Attribution-ShareAlike 4.0",
        },
        "resources": resources,
    }


def _rows(directory: Directory) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}
    seen_locations: set[str] = set()
    seen_units: set[str] = set()
    organizations = export_organizations(directory)["contents"]
    for org in organizations:
        rows["organization"].append(org)
        for service in org["services"]:
            rows["service"].append(service)
            rows["attribute"].extend(service.get("attributes", []))
            rows["service_area"].extend(service.get("service_areas", []))
            for link in service.get("service_at_locations", []):
                rows["service_at_location"].append(link)
                location = link["location"]
                if location["id"] not in seen_locations:
                    seen_locations.add(location["id"])
                    rows["location"].append(location)
                    rows["address"].extend(location.get("addresses", []))
            for contact in service.get("contacts", []):
                rows["contact"].append(contact)
                rows["phone"].extend(contact.get("phones", []))
            for capacity in service.get("capacities", []):
                rows["service_capacity"].append(capacity)
                if capacity["unit_id"] not in seen_units:
                    seen_units.add(capacity["unit_id"])
                    rows["unit"].append(capacity["unit"])
    for taxonomy in export_taxonomies(directory)["contents"]:
        rows["taxonomy"].append(taxonomy)
        rows["taxonomy_term"].extend(taxonomy["taxonomy_terms"])
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def export_tables(directory: Directory) -> dict[str, str]:
    """The tabular data package as text by file name: a CSV per :data:`TABLES` resource (header
    only where we have no data, such as schedules) and ``datapackage.json``.

    Fields without a column (the :data:`EXTENSION` objects, contact emails) are not in the CSVs.
    """
    rows = _rows(directory)
    files: dict[str, str] = {}
    for table in TABLES:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(table.column_names)
        for row in rows[table.name]:
            writer.writerow([_cell(row.get(c)) for c in table.column_names])
        files[table.path] = buffer.getvalue()
    files["datapackage.json"] = json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n"
    return files


def write_tabular_export(directory: Directory, folder: str | os.PathLike[str]) -> list[Path]:
    """Write :func:`export_tables` into ``folder`` (created if needed), each file atomically."""
    target = Path(folder)
    return [write_atomic(target / name, text) for name, text in export_tables(directory).items()]


# ============================================================================ import
_SLUG = re.compile(r"[^a-z0-9]+")
_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PER = re.compile(r"\b(week|month|quarter)")
_STATUSES = ("active", "inactive", "defunct", "temporarily closed")

_STRUCTURE = frozenset(
    {"id", "service_id", "organization_id", "location_id", "link_id", "contact_id", EXTENSION}
)
_ORG_FIELDS = _STRUCTURE | {"name", "description", "email", "website", "services"}
_SERVICE_FIELDS = _STRUCTURE | {
    "name",
    "description",
    "status",
    "minimum_age",
    "maximum_age",
    "eligibility_description",
    "application_process",
    "assured_date",
    "last_modified",
    "service_areas",
    "service_at_locations",
    "contacts",
    "phones",
    "attributes",
    "capacities",
    "organization",
    "url",
    "email",
}
_LOCATION_FIELDS = _STRUCTURE | {
    "location_type",
    "name",
    "description",
    "latitude",
    "longitude",
    "addresses",
}
_ADDRESS_FIELDS = _STRUCTURE | {
    "address_1",
    "city",
    "state_province",
    "postal_code",
    "country",
    "address_type",
}
_AREA_FIELDS = _STRUCTURE | {"name", "service_area"}
_CONTACT_FIELDS = _STRUCTURE | {"name", "title", "email", "phones"}


def _slug(text: str, fallback: str) -> str:
    slug = _SLUG.sub("-", text.casefold()).strip("-")[:80].strip("-")
    return slug or fallback


def _has_data(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        if "T" in value or " " in value.strip():
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _escape(key: str | int) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _at(pointer: str, *keys: str | int) -> str:
    return pointer + "".join("/" + _escape(k) for k in keys)


def _point(lat: Any, lon: Any) -> tuple[float, float] | None:
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in (lat, lon)):
        return None
    return float(lat), float(lon)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass
class _PathwayDraft:
    pointer: str
    data: dict[str, Any]
    oruk_id: str | None
    site_keys: list[str] = field(default_factory=list)


@dataclass
class _AgencyDraft:
    pointer: str
    org: dict[str, Any]
    extension: dict[str, Any]
    id: str
    contacts: list[tuple[Contact, str]] = field(default_factory=list)
    sites: dict[str, Site | None] = field(default_factory=dict)
    pathways: list[_PathwayDraft] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    services_seen: int = 0


class _Importer:
    """The state of one import: the base's indexes, the drafts built so far, the problems."""

    def __init__(self, base: Directory, source: str) -> None:
        self.base = base
        self.source = source
        self.problems: list[Problem] = []
        self.taxonomy = Taxonomy.from_directory(base)
        self.gazetteer = Gazetteer.from_directory(base)
        self.need_by_uuid = {oruk_id("need", n.id): n.id for n in base.needs}
        self.need_ids = {n.id for n in base.needs}
        self.district_ids = {x.id for x in base.districts}
        self.agencies: dict[str, _AgencyDraft] = {}
        self.services: dict[str, tuple[_AgencyDraft, _PathwayDraft]] = {}
        self.taken: dict[str, set[str]] = {"agency": set(), "pathway": set(), "site": set()}

    # ------------------------------------------------------------------ problems
    def add(
        self,
        code: str,
        message: str,
        pointer: str,
        record: str | None = None,
        hint: str = "",
    ) -> None:
        self.problems.append(
            Problem(
                code,
                message,
                severity=CATALOGUE[code][0],
                file=self.source,
                record=record,
                field=pointer,
                hint=hint,
            )
        )

    def invalid(self, error: ValidationError, pointer: str, record: str | None, what: str) -> None:
        for e in error.errors():
            where = ".".join(str(p) for p in e["loc"] if isinstance(p, str | int))
            code = str(e["type"]) if str(e["type"]) in CATALOGUE else "oruk-invalid"
            message = str(e["msg"]) if code != "oruk-invalid" else f"{where}: {e['msg']}"
            self.add(code, f"{what} {record!r} not imported: {message}", pointer, record)

    def unsupported(
        self,
        record: dict[str, Any],
        known: frozenset[str] | set[str],
        pointer: str,
        name: str | None,
    ) -> None:
        for key, value in record.items():
            if key not in known and _has_data(value):
                self.add(
                    "oruk-unsupported",
                    f"{key!r} is not carried by the directory format; left out",
                    _at(pointer, key),
                    name,
                )

    def unique(self, kind: str, wanted: str) -> str:
        taken = self.taken[kind]
        ident = wanted
        n = 2
        while ident in taken:
            ident = f"{wanted}-{n}"
            n += 1
        taken.add(ident)
        return ident

    def own_id(self, kind: str, extension: dict[str, Any], name: str | None, fallback: str) -> str:
        wanted = extension.get("id")
        if isinstance(wanted, str) and _KEBAB.match(wanted) and wanted not in self.taken[kind]:
            self.taken[kind].add(wanted)
            return wanted
        return self.unique(kind, _slug(name or "", fallback))

    def extension(self, record: dict[str, Any], pointer: str) -> dict[str, Any]:
        value = record.get(EXTENSION)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add("oruk-invalid", f"{EXTENSION} must be an object", _at(pointer, EXTENSION))
            return {}
        return value

    # ------------------------------------------------------------------ documents
    def read(self, document: Any) -> None:
        if not isinstance(document, dict):
            self.add(
                "oruk-invalid",
                "the document must be a JSON object: a Page, a service or an organization",
                "",
            )
            return
        if "contents" not in document:
            self.item(document, "")
            return
        contents = document["contents"]
        if not isinstance(contents, list):
            self.add("oruk-invalid", "contents must be a list", "/contents")
            return
        total, page = document.get("total_pages"), document.get("page_number")
        if isinstance(total, int) and isinstance(page, int) and total > 1:
            self.add(
                "oruk-partial-page",
                f"this is page {page} of {total}; only its {len(contents)} item(s) are imported",
                "/total_pages",
            )
        if not contents:
            self.add("oruk-empty", "the page holds no items", "/contents")
        for i, item in enumerate(contents):
            self.item(item, _at("/contents", i))

    def item(self, record: Any, pointer: str) -> None:
        if not isinstance(record, dict):
            self.add("oruk-invalid", "an item must be a JSON object", pointer)
            return
        keys = set(record)
        if isinstance(record.get("service"), dict):  # a service_at_location
            location = record.get("location")
            extra = (location, _at(pointer, "location")) if isinstance(location, dict) else None
            self.service(record["service"], _at(pointer, "service"), None, extra)
        elif "services" in keys:
            self.organization(record, pointer)
        elif keys & {"status", "organization", "organization_id", "attributes", "service_areas"}:
            self.service(record, pointer, None, None)
        elif keys & {"taxonomy_terms", "version", "term", "parent_id", "taxonomy", "taxonomy_id"}:
            self.add(
                "oruk-empty",
                "a taxonomy or taxonomy term holds no services; needs come from the base directory",
                pointer,
                _text(record.get("name")),
            )
        elif "name" in keys:
            self.organization(record, pointer)
        else:
            self.add(
                "oruk-invalid",
                "not an ORUK service, organization or service_at_location",
                pointer,
            )

    # ------------------------------------------------------------------ organizations
    def agency_for(self, org: dict[str, Any], pointer: str) -> _AgencyDraft | None:
        raw = org.get("id")
        key = raw if isinstance(raw, str) else pointer
        draft = self.agencies.get(key)
        if draft is not None:
            return draft
        name = _text(org.get("name"))
        if name is None:
            self.add("oruk-invalid", "an organization needs a name", _at(pointer, "name"))
            return None
        ext = self.extension(org, pointer)
        draft = _AgencyDraft(pointer, org, ext, self.own_id("agency", ext, name, "agency"))
        self.agencies[key] = draft
        self.unsupported(org, _ORG_FIELDS, pointer, name)
        if "contacts" not in ext:
            email = _text(org.get("email"))
            if email:
                self.contact(draft, {"kind": "email", "value": email}, _at(pointer, "email"))
        return draft

    def organization(self, org: dict[str, Any], pointer: str) -> None:
        draft = self.agency_for(org, pointer)
        if draft is None:
            return
        services = _list(org.get("services"))
        if not services:
            self.add(
                "oruk-empty",
                f"organization {draft.org.get('name')!r} lists no services; an agency needs at "
                "least one pathway",
                _at(pointer, "services"),
                draft.id,
            )
            return
        for j, service in enumerate(services):
            self.service(service, _at(pointer, "services", j), draft, None)

    def contact(self, draft: _AgencyDraft, data: dict[str, Any], pointer: str) -> None:
        try:
            contact = Contact.model_validate(data)
        except ValidationError as err:
            self.invalid(err, pointer, draft.id, "contact of")
            return
        if all((c.kind, c.value) != (contact.kind, contact.value) for c, _ in draft.contacts):
            draft.contacts.append((contact, pointer))

    # ------------------------------------------------------------------ services
    def service(
        self,
        svc: Any,
        pointer: str,
        agency: _AgencyDraft | None,
        extra_location: tuple[dict[str, Any], str] | None,
    ) -> None:
        if not isinstance(svc, dict):
            self.add("oruk-invalid", "a service must be a JSON object", pointer)
            return
        sid = svc.get("id") if isinstance(svc.get("id"), str) else None
        if sid is not None and sid in self.services:  # the same service again (one per location)
            owner, seen = self.services[sid]
            for k, link in enumerate(_list(svc.get("service_at_locations"))):
                self.link(owner, seen, link, _at(pointer, "service_at_locations", k))
            if extra_location is not None:
                self.located(owner, seen, *extra_location)
            return
        name = _text(svc.get("name"))
        if agency is None:
            org = svc.get("organization")
            if isinstance(org, dict):
                agency = self.agency_for(org, _at(pointer, "organization"))
            else:
                org_id = svc.get("organization_id")
                agency = self.agencies.get(org_id) if isinstance(org_id, str) else None
                if agency is None:
                    self.add(
                        "oruk-invalid",
                        f"service {name!r} names no organization that the document holds",
                        _at(pointer, "organization"),
                        name,
                    )
                    return
        if agency is None:
            return
        if name is None:
            self.add("oruk-invalid", "a service needs a name", _at(pointer, "name"))
            return
        agency.services_seen += 1
        ext = self.extension(svc, pointer)
        self.unsupported(svc, _SERVICE_FIELDS, pointer, name)
        needs = self.needs(svc, pointer, name)
        if not needs:
            self.add(
                "oruk-no-needs",
                f"service {name!r} has no taxonomy term that maps to a need; not imported",
                _at(pointer, "attributes"),
                name,
            )
            # read the rest all the same, into a scratch agency, to report its problems too
            agency = _AgencyDraft(agency.pointer, agency.org, agency.extension, agency.id)
            sid = None
        pathway_id = self.own_id("pathway", ext, name, "pathway") if needs else "scratch"
        data: dict[str, Any] = {
            "id": pathway_id,
            "name": name,
            "description": _text(svc.get("description")),
            "needs": needs,
            "districts": self.districts(svc, ext, pointer, name),
            "referral": _text(svc.get("application_process")),
        }
        for key in ("delivery", "conditions"):
            if key in ext:
                data[key] = ext[key]
        data["eligibility"] = self.eligibility(svc, ext, pointer, name)
        active, capacity = self.status_and_capacity(svc, ext, pointer, name)
        data["active"] = active
        data["capacity"] = capacity
        for key in ("assured_date", "last_modified"):
            when = _date(svc.get(key))
            if when is not None:
                agency.dates.append(when)
        if "contacts" not in agency.extension:
            self.service_contacts(agency, svc, pointer, name)
        draft = _PathwayDraft(pointer, data, sid)
        agency.pathways.append(draft)
        if sid is not None:
            self.services[sid] = (agency, draft)
        for k, link in enumerate(_list(svc.get("service_at_locations"))):
            self.link(agency, draft, link, _at(pointer, "service_at_locations", k))
        if extra_location is not None:
            self.located(agency, draft, *extra_location)

    def needs(self, svc: dict[str, Any], pointer: str, name: str) -> list[str]:
        found: list[str] = []
        for k, attribute in enumerate(_list(svc.get("attributes"))):
            where = _at(pointer, "attributes", k)
            if not isinstance(attribute, dict):
                self.add("oruk-invalid", "an attribute must be an object", where, name)
                continue
            term = attribute.get("taxonomy_term")
            term = term if isinstance(term, dict) else {}
            need, hint = self.need_of(attribute, term)
            if need is None:
                shown = (
                    _text(term.get("name"))
                    or _text(term.get("term"))
                    or str(attribute.get("taxonomy_term_id"))
                )
                self.add(
                    "oruk-unmapped-term",
                    f"taxonomy term {shown!r} of service {name!r} matches no need; left out",
                    where,
                    name,
                    hint=hint,
                )
            elif need not in found:
                found.append(need)
        return found

    def need_of(self, attribute: dict[str, Any], term: dict[str, Any]) -> tuple[str | None, str]:
        for ident in (attribute.get("taxonomy_term_id"), term.get("id")):
            if isinstance(ident, str) and ident in self.need_by_uuid:
                return self.need_by_uuid[ident], ""
        texts = [t for t in (_text(term.get("term")), _text(term.get("name"))) if t]
        for text in texts:  # exact codes first
            if text in self.need_ids:
                return text, ""
        suggestions: list[str] = []
        for text in texts:  # then ids, labels and synonyms, normalised (exact only)
            try:
                resolution = self.taxonomy.resolve(text)
            except PathwaysError as err:
                suggestions += list(getattr(err, "suggestions", ()))
                continue
            if resolution.exact:
                return resolution.need, ""
            suggestions.append(resolution.need)
        if suggestions:
            near = ", ".join(repr(s) for s in dict.fromkeys(suggestions))
            return None, f"Nearest needs: {near}. Add the term as a synonym in needs.yaml."
        return None, ""

    def districts(
        self, svc: dict[str, Any], ext: dict[str, Any], pointer: str, name: str
    ) -> tuple[str, ...] | str:
        if ext.get("districts") == "all":
            return "all"
        found: list[str] = []
        for k, area in enumerate(_list(svc.get("service_areas"))):
            where = _at(pointer, "service_areas", k)
            if not isinstance(area, dict):
                self.add("oruk-invalid", "a service area must be an object", where, name)
                continue
            self.unsupported(area, _AREA_FIELDS, where, name)
            own = self.extension(area, where).get("district")
            district = own if isinstance(own, str) and own in self.district_ids else None
            texts = [t for t in (_text(area.get("name")), _text(area.get("service_area"))) if t]
            for text in texts if district is None else ():
                try:
                    place = self.gazetteer.resolve(text)
                except PathwaysError:
                    continue
                if place.kind == "district":
                    district = place.district
                    break
            if district is None:
                shown = texts[0] if texts else "(unnamed)"
                self.add(
                    "oruk-unmapped-area",
                    f"service area {shown[:80]!r} of service {name!r} is not a district of the "
                    "base directory; left out",
                    where,
                    name,
                )
            elif district not in found:
                found.append(district)
        return tuple(found)

    def age(self, value: Any, pointer: str, name: str, minimum: bool) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            self.add(
                "oruk-invalid", f"age {value!r} is not a whole number; left out", pointer, name
            )
            return None
        age = int(value)
        if minimum and age < 10:
            self.add(
                "oruk-assumed",
                f"minimum age {age} is below 10, the age of criminal responsibility: read as no "
                "minimum",
                pointer,
                name,
            )
            return None
        if not minimum and age > 120:
            self.add("oruk-assumed", f"maximum age {age} read as no maximum", pointer, name)
            return None
        return age

    def eligibility(
        self, svc: dict[str, Any], ext: dict[str, Any], pointer: str, name: str
    ) -> dict[str, Any]:
        rules_ = ext.get("eligibility")
        data: dict[str, Any] = dict(rules_) if isinstance(rules_, dict) else {}
        if not isinstance(rules_, dict):
            notes = _text(svc.get("eligibility_description"))
            if notes:
                data["notes"] = notes
        data["min_age"] = self.age(svc.get("minimum_age"), _at(pointer, "minimum_age"), name, True)
        data["max_age"] = self.age(svc.get("maximum_age"), _at(pointer, "maximum_age"), name, False)
        return data

    def status_and_capacity(
        self, svc: dict[str, Any], ext: dict[str, Any], pointer: str, name: str
    ) -> tuple[bool, Any]:
        status = svc.get("status")
        if status not in _STATUSES:
            self.add(
                "oruk-invalid",
                f"status {status!r} is not one of {', '.join(_STATUSES)}; read as active",
                _at(pointer, "status"),
                name,
            )
            status = "active"
        active = status in ("active", "temporarily closed")
        if "capacity" in ext:
            return active, ext["capacity"]
        capacity: dict[str, Any] | None = None
        entries = _list(svc.get("capacities"))
        for k in range(1, len(entries)):
            self.add(
                "oruk-unsupported",
                "only the first capacity of a service is carried; left out",
                _at(pointer, "capacities", k),
                name,
            )
        if entries and isinstance(entries[0], dict):
            capacity = self.capacity(entries[0], _at(pointer, "capacities", 0), name)
        if status == "temporarily closed":
            if capacity is None:
                when = _date(svc.get("last_modified")) or _date(svc.get("assured_date"))
                if when is None:
                    when = date.today()
                    self.add(
                        "oruk-assumed",
                        "temporarily closed with no date: closure recorded as of today",
                        _at(pointer, "status"),
                        name,
                    )
                capacity = {"places": None, "status": "closed", "updated": when.isoformat()}
            else:
                capacity["status"] = "closed"
        return active, capacity

    def capacity(self, entry: dict[str, Any], pointer: str, name: str) -> dict[str, Any] | None:
        maximum, available = entry.get("maximum"), entry.get("available")
        places = maximum if isinstance(maximum, int | float) else available
        updated = _date(entry.get("updated"))
        if not isinstance(places, int | float) or isinstance(places, bool) or updated is None:
            self.add(
                "oruk-invalid",
                "a capacity needs a number of places (maximum or available) and an updated date; "
                "left out",
                pointer,
                name,
            )
            return None
        unit = entry.get("unit")
        unit_text = " ".join(
            str(unit.get(k, "")) for k in ("identifier", "name") if isinstance(unit, dict)
        ).casefold()
        per = _PER.search(unit_text)
        if per is None:
            self.add(
                "oruk-assumed",
                f"capacity unit {unit_text.strip()!r} names no week, month or quarter: read as "
                "places per month",
                _at(pointer, "unit"),
                name,
            )
        waiting = isinstance(available, int | float) and available == 0 and places > 0
        return {
            "places": int(places),
            "per": per.group(1) if per else "month",
            "status": "waitlist" if waiting else "open",
            "updated": updated.isoformat(),
        }

    def service_contacts(
        self, agency: _AgencyDraft, svc: dict[str, Any], pointer: str, name: str
    ) -> None:
        url, email = _text(svc.get("url")), _text(svc.get("email"))
        if url:
            self.contact(
                agency, {"kind": "website", "value": url, "label": name}, _at(pointer, "url")
            )
        if email:
            self.contact(
                agency, {"kind": "email", "value": email, "label": name}, _at(pointer, "email")
            )
        for m, phone in enumerate(_list(svc.get("phones"))):
            self.phone(agency, phone, None, _at(pointer, "phones", m))
        for k, contact in enumerate(_list(svc.get("contacts"))):
            where = _at(pointer, "contacts", k)
            if not isinstance(contact, dict):
                continue
            self.unsupported(contact, _CONTACT_FIELDS, where, name)
            label = _text(contact.get("name")) or _text(contact.get("title"))
            email = _text(contact.get("email"))
            phones = _list(contact.get("phones"))
            if email:
                self.contact(
                    agency, {"kind": "email", "value": email, "label": label}, _at(where, "email")
                )
            for m, phone in enumerate(phones):
                self.phone(agency, phone, label, _at(where, "phones", m))
            if not email and not phones and label:
                self.add(
                    "oruk-unsupported",
                    f"contact {label!r} has no phone or email; a named contact alone is not "
                    "carried",
                    where,
                    name,
                )

    def phone(self, agency: _AgencyDraft, phone: Any, label: str | None, pointer: str) -> None:
        if not isinstance(phone, dict) or not _text(phone.get("number")):
            return
        self.contact(
            agency,
            {
                "kind": "phone",
                "value": _text(phone.get("number")),
                "label": _text(phone.get("description")) or label,
            },
            pointer,
        )

    # ------------------------------------------------------------------ locations
    def link(self, agency: _AgencyDraft, draft: _PathwayDraft, link: Any, pointer: str) -> None:
        if not isinstance(link, dict):
            self.add("oruk-invalid", "a service_at_location must be an object", pointer)
            return
        location = link.get("location")
        if isinstance(location, dict):
            self.located(agency, draft, location, _at(pointer, "location"))
            return
        lid = link.get("location_id")
        if isinstance(lid, str) and lid in agency.sites:
            if lid not in draft.site_keys:
                draft.site_keys.append(lid)
            return
        self.add(
            "oruk-invalid",
            "a service_at_location without its location (and the location is not elsewhere in "
            "the document); left out",
            pointer,
            draft.data["name"],
        )

    def located(
        self, agency: _AgencyDraft, draft: _PathwayDraft, location: dict[str, Any], pointer: str
    ) -> None:
        key = self.site(agency, location, pointer)
        if key not in draft.site_keys:
            draft.site_keys.append(key)

    def site(self, agency: _AgencyDraft, location: dict[str, Any], pointer: str) -> str:
        """Build (once per location id) the site of a location; return its key in the agency."""
        key = location["id"] if isinstance(location.get("id"), str) else pointer
        if key in agency.sites:
            return key
        agency.sites[key] = None
        ext = self.extension(location, pointer)
        self.unsupported(location, _LOCATION_FIELDS, pointer, _text(location.get("name")))
        listed = _list(location.get("addresses"))
        objects = [k for k, a in enumerate(listed) if isinstance(a, dict)]
        physical = [k for k in objects if listed[k].get("address_type") == "physical"] or objects
        address: dict[str, Any] = listed[physical[0]] if physical else {}
        for k, other in enumerate(listed):
            if other is not address and _has_data(other):
                self.add(
                    "oruk-unsupported",
                    "only one address of a location is carried; left out",
                    _at(pointer, "addresses", k),
                )
        if physical:
            self.unsupported(address, _ADDRESS_FIELDS, _at(pointer, "addresses", physical[0]), None)
        street, city = _text(address.get("address_1")), _text(address.get("city"))
        postcode = _text(address.get("postal_code"))
        postcode = " ".join(postcode.upper().split()) if postcode else None
        name = _text(location.get("name")) or street or city
        if name is None:
            self.add("oruk-invalid", "a location needs a name or an address", pointer)
            return key
        if "district" in ext:  # our own export: the address as written, maybe none
            text_address = _text(ext.get("address"))
        elif street and city and city.casefold() not in street.casefold():
            text_address = f"{street}, {city}"
        else:
            text_address = street or city
        point = _point(location.get("latitude"), location.get("longitude"))
        approximate = bool(ext.get("approximate", False))
        if point is not None:
            try:  # the model's own check of coordinates, before anything else is looked up
                Site.model_validate(
                    {"id": "x", "name": "x", "district": "x", "lat": point[0], "lon": point[1]}
                )
            except ValidationError as err:
                self.invalid(err, pointer, name, "location")
                return key
        district = ext.get("district") if isinstance(ext.get("district"), str) else None
        attempts: list[str | tuple[float, float]] = [postcode] if postcode else []
        if point is not None:
            attempts.append(point)
        if city:
            attempts.append(city)
        for attempt in attempts:
            if district is not None:
                break
            try:
                place = self.gazetteer.resolve(attempt)
            except PathwaysError:
                continue
            district = place.district
            if point is None:
                point, approximate = (place.lat, place.lon), True
                self.add(
                    "oruk-assumed",
                    f"location {name!r} has no coordinates: placed at the centre of "
                    f"{place.label} (approximate)",
                    pointer,
                    name,
                )
        if district is None or point is None:
            self.add(
                "oruk-unmapped-area",
                f"location {name!r} is not in a district of the base directory (by postcode, "
                "coordinates or town); left out",
                pointer,
                name,
            )
            return key
        site_id = self.own_id("site", ext, f"{agency.id}-{name}", "site")
        try:
            agency.sites[key] = Site.model_validate(
                {
                    "id": site_id,
                    "name": name,
                    "district": district,
                    "address": text_address,
                    "postcode": postcode,
                    "lat": point[0],
                    "lon": point[1],
                    "approximate": approximate,
                }
            )
        except ValidationError as err:
            self.invalid(err, pointer, name, "location")
        return key

    # ------------------------------------------------------------------ building
    def build(self) -> tuple[Directory, dict[tuple[str, int], str], dict[tuple[int, int], str]]:
        agencies: list[Agency] = []
        agency_at: dict[tuple[str, int], str] = {}
        pathway_at: dict[tuple[int, int], str] = {}
        for draft in self.agencies.values():
            built = self.agency(draft)
            if built is None:
                continue
            agency, pointers = built
            i = len(agencies)
            agency_at[("agencies", i)] = draft.pointer
            for j, pointer in enumerate(pointers):
                pathway_at[(i, j)] = pointer
            agencies.append(agency)
        directory = Directory(
            attribution=self.base.attribution,
            groups=self.base.groups,
            needs=self.base.needs,
            areas=self.base.areas,
            districts=self.base.districts,
            towns=self.base.towns,
            postcode_districts=self.base.postcode_districts,
            agencies=tuple(agencies),
        )
        return directory, agency_at, pathway_at

    def agency(self, draft: _AgencyDraft) -> tuple[Agency, list[str]] | None:
        pathways: list[Pathway] = []
        pointers: list[str] = []
        for p in draft.pathways:
            data = dict(p.data)
            linked = [draft.sites.get(k) for k in p.site_keys]
            data["sites"] = list(dict.fromkeys(s.id for s in linked if s is not None))
            try:
                pathways.append(Pathway.model_validate(data))
                pointers.append(p.pointer)
            except ValidationError as err:
                self.invalid(err, p.pointer, data["name"], "service")
        if not pathways:
            return None
        ext = draft.extension
        org = draft.org
        for k, location in enumerate(_list(ext.get("unlinked_locations"))):
            if isinstance(location, dict):
                self.site(draft, location, _at(draft.pointer, EXTENSION, "unlinked_locations", k))
        sites = [s for s in draft.sites.values() if s is not None]
        order = ext.get("sites")
        if isinstance(order, list):
            rank = {ident: n for n, ident in enumerate(order)}
            sites.sort(key=lambda s: rank.get(s.id, len(rank)))
        if "last_verified" in ext:
            last_verified: Any = ext["last_verified"]
        elif draft.dates:
            last_verified = max(draft.dates).isoformat()
        else:
            last_verified = date.today().isoformat()
            self.add(
                "oruk-assumed",
                "no assured_date or last_modified: last_verified set to today",
                draft.pointer,
                draft.id,
            )
        if "contacts" in ext:
            contacts: Any = ext["contacts"]
        else:
            contacts = [c for c, _ in draft.contacts]
        website = _text(org.get("website"))
        data = {
            "id": draft.id,
            "name": _text(org.get("name")),
            "operator": ext.get("operator"),
            "kind": ext.get("kind", "voluntary"),
            "description": _text(org.get("description")),
            "website": website,
            "contacts": contacts,
            "sources": ext.get(
                "sources",
                [{"title": f"Open Referral UK feed {Path(self.source).name}"[:200]}],
            ),
            "last_verified": last_verified,
            "illustrative": ext.get("illustrative"),
            "sites": sites,
            "pathways": pathways,
        }
        try:
            return Agency.model_validate(data), pointers
        except ValidationError as err:
            self.invalid(err, draft.pointer, draft.id, "organization")
            return None

    def check(
        self,
        directory: Directory,
        today: date,
        agency_at: dict[tuple[str, int], str],
        pathway_at: dict[tuple[int, int], str],
    ) -> Iterator[Problem]:
        for finding in rules.check(directory, today=today):
            path = finding.path
            if finding.code == "coverage-hole" or not path or path[0] != "agencies":
                continue
            i = int(path[1])
            pointer = agency_at.get(("agencies", i), "")
            if len(path) > 3 and path[2] == "pathways":
                pointer = pathway_at.get((i, int(path[3])), pointer)
            yield Problem(
                finding.code,
                finding.message,
                severity=CATALOGUE[finding.code][0],
                file=self.source,
                record=finding.record,
                field=pointer,
                hint=finding.hint,
            )


def import_oruk(
    document: Any,
    *,
    base: Directory,
    source: str = "<oruk>",
    today: date | None = None,
) -> tuple[Directory | None, Report]:
    """Read an Open Referral UK document into a directory; return it (None on errors) and a report.

    ``document`` is parsed JSON: a Page (of services, organizations or service_at_locations) or a
    single service, organization or service_at_location. Agencies, pathways and sites come from
    the document; needs, groups and localities from ``base``. Every problem names the JSON pointer
    of the value concerned in ``field`` and ``source`` in ``file``, in document order; nothing is
    dropped without a problem saying so. The directory built is then checked like a loaded one
    (duplicate ids, reach, dates against ``today``); coverage holes are not reported.

    Taxonomy terms map to needs by our own term ids, then exact need ids (``term``), then a need's
    id, label or synonym after normalisation (:mod:`directory.taxonomy`, exact only: a near miss is
    reported with the nearest needs as a hint). Service areas map to districts by id, label or
    alias; locations to districts by postcode district, coordinates (nearest known place within
    15 km) or town.
    """
    importer = _Importer(base, source)
    importer.read(document)
    directory, agency_at, pathway_at = importer.build()
    checked = list(importer.check(directory, today or date.today(), agency_at, pathway_at))
    report = Report(tuple(importer.problems + checked))
    return (directory if report.ok else None), report


def import_oruk_file(
    path: str | os.PathLike[str], *, base: Directory, today: date | None = None
) -> tuple[Directory | None, Report]:
    """:func:`import_oruk` of a JSON file; an unreadable file is an ``oruk-invalid`` problem."""
    name = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_IMPORT_BYTES:
            problem = Problem(
                "file-too-large",
                f"{size:,} bytes; the limit is {MAX_IMPORT_BYTES:,}",
                file=name,
            )
            return None, Report((problem,))
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        return None, Report((Problem("oruk-invalid", f"cannot read JSON: {err}", file=name),))
    return import_oruk(document, base=base, source=name, today=today)
