"""Open Referral UK import: read an ORUK document into a directory.

:func:`import_oruk` takes parsed JSON, :func:`import_oruk_file` a file. Needs and localities come
from a base directory; everything the document holds that the directory format cannot carry is
reported as a :class:`~directory.problems.Problem` located by JSON pointer (``field``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from directory import rules
from directory.errors import PathwaysError
from directory.models import Agency, Contact, Directory, Pathway, Site
from directory.oruk.ids import EXTENSION, oruk_id
from directory.places import Gazetteer
from directory.problems import CATALOGUE, Problem, Report
from directory.taxonomy import Taxonomy

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator

__all__ = ["MAX_IMPORT_BYTES", "import_oruk", "import_oruk_file"]

#: Largest JSON document :func:`import_oruk_file` reads.
MAX_IMPORT_BYTES = 64 * 1024 * 1024


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
