"""Open Referral UK import: read an ORUK document into a directory.

:func:`import_oruk` takes parsed JSON, :func:`import_oruk_file` a file. Needs and localities come
from a base directory; everything the document holds that the directory format cannot carry is
reported as a :class:`~directory.problems.Problem` located by JSON pointer (``field``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from directory.jsonsafe import JsonError, loads
from directory.oruk.building import build, check
from directory.oruk.contacts import add_contact, read_service_contacts
from directory.oruk.fields import ORG_FIELDS, SERVICE_FIELDS, at, date_of, list_of, text_of
from directory.oruk.locations import add_location, read_link
from directory.oruk.services import (
    read_districts,
    read_eligibility,
    read_needs,
    read_status_and_capacity,
)
from directory.oruk.state import AgencyDraft, ImportState, PathwayDraft
from directory.problems import CATALOGUE, Problem, Report

if TYPE_CHECKING:
    import os

    from directory.models import Directory

__all__ = ["MAX_IMPORT_BYTES", "import_oruk", "import_oruk_file"]

#: Largest JSON document :func:`import_oruk_file` reads.
MAX_IMPORT_BYTES = 64 * 1024 * 1024


def _read(state: ImportState, document: Any) -> None:
    if not isinstance(document, dict):
        state.add(
            "oruk-invalid",
            "the document must be a JSON object: a Page, a service or an organization",
            "",
        )
        return
    if "contents" not in document:
        _item(state, document, "")
        return
    contents = document["contents"]
    if not isinstance(contents, list):
        state.add("oruk-invalid", "contents must be a list", "/contents")
        return
    total, page = document.get("total_pages"), document.get("page_number")
    if isinstance(total, int) and isinstance(page, int) and total > 1:
        state.add(
            "oruk-partial-page",
            f"this is page {page} of {total}; only its {len(contents)} item(s) are imported",
            "/total_pages",
        )
    if not contents:
        state.add("oruk-empty", "the page holds no items", "/contents")
    for i, item in enumerate(contents):
        _item(state, item, at("/contents", i))


def _item(state: ImportState, record: Any, pointer: str) -> None:
    if not isinstance(record, dict):
        state.add("oruk-invalid", "an item must be a JSON object", pointer)
        return
    keys = set(record)
    if isinstance(record.get("service"), dict):  # a service_at_location
        location = record.get("location")
        extra = (location, at(pointer, "location")) if isinstance(location, dict) else None
        _service(state, record["service"], at(pointer, "service"), None, extra)
    elif "services" in keys:
        _organization(state, record, pointer)
    elif keys & {"status", "organization", "organization_id", "attributes", "service_areas"}:
        _service(state, record, pointer, None, None)
    elif keys & {"taxonomy_terms", "version", "term", "parent_id", "taxonomy", "taxonomy_id"}:
        state.add(
            "oruk-empty",
            "a taxonomy or taxonomy term holds no services; needs come from the base directory",
            pointer,
            text_of(record.get("name")),
        )
    elif "name" in keys:
        _organization(state, record, pointer)
    else:
        state.add(
            "oruk-invalid",
            "not an ORUK service, organization or service_at_location",
            pointer,
        )


def _agency_for(state: ImportState, org: dict[str, Any], pointer: str) -> AgencyDraft | None:
    raw = org.get("id")
    key = raw if isinstance(raw, str) else pointer
    draft = state.agencies.get(key)
    if draft is not None:
        return draft if state.same_as_first("organization", org, pointer) else None
    if isinstance(raw, str):
        state.same_as_first("organization", org, pointer)
    name = text_of(org.get("name"))
    if name is None:
        state.add("oruk-invalid", "an organization needs a name", at(pointer, "name"))
        return None
    ext = state.extension(org, pointer)
    draft = AgencyDraft(pointer, org, ext, state.own_id("agency", ext, name, "agency"))
    state.agencies[key] = draft
    state.unsupported(org, ORG_FIELDS, pointer, name)
    if "contacts" not in ext:
        email = text_of(org.get("email"))
        if email:
            add_contact(state, draft, {"kind": "email", "value": email}, at(pointer, "email"))
    return draft


def _organization(state: ImportState, org: dict[str, Any], pointer: str) -> None:
    draft = _agency_for(state, org, pointer)
    if draft is None:
        return
    services = list_of(org.get("services"))
    if not services:
        state.add(
            "oruk-empty",
            f"organization {draft.org.get('name')!r} lists no services; an agency needs at "
            "least one pathway",
            at(pointer, "services"),
            draft.id,
        )
        return
    for j, service in enumerate(services):
        _service(state, service, at(pointer, "services", j), draft, None)


def _service(
    state: ImportState,
    svc: Any,
    pointer: str,
    agency: AgencyDraft | None,
    extra_location: tuple[dict[str, Any], str] | None,
) -> None:
    if not isinstance(svc, dict):
        state.add("oruk-invalid", "a service must be a JSON object", pointer)
        return
    sid = svc.get("id") if isinstance(svc.get("id"), str) else None
    if sid is not None and sid in state.services:  # the same service again (one per location)
        if not state.same_as_first("service", svc, pointer):
            return
        owner, seen = state.services[sid]
        for k, link in enumerate(list_of(svc.get("service_at_locations"))):
            read_link(state, owner, seen, link, at(pointer, "service_at_locations", k))
        if extra_location is not None:
            add_location(state, owner, seen, *extra_location)
        return
    name = text_of(svc.get("name"))
    if agency is None:
        org = svc.get("organization")
        if isinstance(org, dict):
            agency = _agency_for(state, org, at(pointer, "organization"))
        else:
            org_id = svc.get("organization_id")
            agency = state.agencies.get(org_id) if isinstance(org_id, str) else None
            if agency is None:
                state.add(
                    "oruk-invalid",
                    f"service {name!r} names no organization that the document holds",
                    at(pointer, "organization"),
                    name,
                )
                return
    if agency is None:
        return
    if name is None:
        state.add("oruk-invalid", "a service needs a name", at(pointer, "name"))
        return
    agency.services_seen += 1
    ext = state.extension(svc, pointer)
    state.unsupported(svc, SERVICE_FIELDS, pointer, name)
    needs = read_needs(state, svc, pointer, name)
    if not needs:
        state.add(
            "oruk-no-needs",
            f"service {name!r} has no taxonomy term that maps to a need; not imported",
            at(pointer, "attributes"),
            name,
        )
        # read the rest all the same, into a scratch agency, to report its problems too
        agency = AgencyDraft(agency.pointer, agency.org, agency.extension, agency.id)
        sid = None
    pathway_id = state.own_id("pathway", ext, name, "pathway") if needs else "scratch"
    data: dict[str, Any] = {
        "id": pathway_id,
        "name": name,
        "description": text_of(svc.get("description")),
        "needs": needs,
        "districts": read_districts(state, svc, ext, pointer, name),
        "referral": text_of(svc.get("application_process")),
    }
    for key in ("delivery", "conditions", "level", "levels", "alongside"):
        if key in ext:
            data[key] = ext[key]
    data["eligibility"] = read_eligibility(state, svc, ext, pointer, name)
    active, capacity = read_status_and_capacity(state, svc, ext, pointer, name)
    data["active"] = active
    data["capacity"] = capacity
    for key in ("assured_date", "last_modified"):
        when = date_of(svc.get(key))
        if when is not None:
            agency.dates.append(when)
    if "contacts" not in agency.extension:
        read_service_contacts(state, agency, svc, pointer, name)
    draft = PathwayDraft(pointer, data, sid)
    agency.pathways.append(draft)
    if sid is not None:
        state.services[sid] = (agency, draft)
        state.same_as_first("service", svc, pointer)
    for k, link in enumerate(list_of(svc.get("service_at_locations"))):
        read_link(state, agency, draft, link, at(pointer, "service_at_locations", k))
    if extra_location is not None:
        add_location(state, agency, draft, *extra_location)


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
    state = ImportState(base, source)
    _read(state, document)
    directory, agency_at, pathway_at = build(state)
    checked = list(check(state, directory, today or date.today(), agency_at, pathway_at))
    report = Report(tuple(state.problems + checked))
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
        document = loads(Path(path).read_text(encoding="utf-8"))
    except JsonError as err:
        problem = Problem(
            err.code,
            err.message,
            file=name,
            line=err.line,
            column=err.column,
            hint=CATALOGUE[err.code][2],
        )
        return None, Report((problem,))
    except (OSError, UnicodeDecodeError) as err:
        return None, Report((Problem("oruk-invalid", f"cannot read JSON: {err}", file=name),))
    return import_oruk(document, base=base, source=name, today=today)
