"""Open Referral UK import: the drafts built into a directory, then checked like a loaded one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from directory import rules
from directory.models import Agency, Directory, Pathway
from directory.oruk.fields import at, list_of, text_of
from directory.oruk.ids import EXTENSION
from directory.oruk.locations import read_site
from directory.problems import CATALOGUE, Problem

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import date

    from directory.oruk.state import AgencyDraft, ImportState

__all__ = ["build", "build_agency", "check"]


def build(
    state: ImportState,
) -> tuple[Directory, dict[tuple[str, int], str], dict[tuple[int, int], str]]:
    """The directory of the drafts (base needs and localities), with where each record was."""
    agencies: list[Agency] = []
    agency_at: dict[tuple[str, int], str] = {}
    pathway_at: dict[tuple[int, int], str] = {}
    for draft in state.agencies.values():
        built = build_agency(state, draft)
        if built is None:
            continue
        agency, pointers = built
        i = len(agencies)
        agency_at[("agencies", i)] = draft.pointer
        for j, pointer in enumerate(pointers):
            pathway_at[(i, j)] = pointer
        agencies.append(agency)
    directory = Directory(
        attribution=state.base.attribution,
        groups=state.base.groups,
        needs=state.base.needs,
        areas=state.base.areas,
        districts=state.base.districts,
        towns=state.base.towns,
        postcode_districts=state.base.postcode_districts,
        agencies=tuple(agencies),
    )
    return directory, agency_at, pathway_at


def build_agency(state: ImportState, draft: AgencyDraft) -> tuple[Agency, list[str]] | None:
    """The agency of a draft with its valid pathways and its sites; None if no pathway is valid
    or the agency is not (each problem reported)."""
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
            state.invalid(err, p.pointer, data["name"], "service")
    if not pathways:
        return None
    ext = draft.extension
    org = draft.org
    for k, location in enumerate(list_of(ext.get("unlinked_locations"))):
        if isinstance(location, dict):
            read_site(state, draft, location, at(draft.pointer, EXTENSION, "unlinked_locations", k))
    sites = [s for s in draft.sites.values() if s is not None]
    order = ext.get("sites")
    if isinstance(order, list):
        rank = {ident: n for n, ident in enumerate(order)}
        sites.sort(key=lambda s: rank.get(s.id, len(rank)))
    if "last_verified" in ext:
        last_verified: Any = ext["last_verified"]
    elif draft.dates:
        last_verified = max(draft.dates).isoformat()
    elif ext:  # our own export: an unverified agency is written without a date
        last_verified = None
    else:
        last_verified = None
        state.add(
            "oruk-assumed",
            "no assured_date or last_modified: the agency is left unverified",
            draft.pointer,
            draft.id,
        )
    if "contacts" in ext:
        contacts: Any = ext["contacts"]
    else:
        contacts = [c for c, _ in draft.contacts]
    website = text_of(org.get("website"))
    data = {
        "id": draft.id,
        "name": text_of(org.get("name")),
        "operator": ext.get("operator"),
        "kind": ext.get("kind", "voluntary"),
        "description": text_of(org.get("description")),
        "website": website,
        "contacts": contacts,
        "sources": ext.get(
            "sources",
            [{"title": f"Open Referral UK feed {Path(state.source).name}"[:200]}],
        ),
        "last_verified": last_verified,
        "illustrative": ext.get("illustrative"),
        "youth_justice": ext.get("youth_justice", False),
        "sites": sites,
        "pathways": pathways,
    }
    try:
        return Agency.model_validate(data), pointers
    except ValidationError as err:
        state.invalid(err, draft.pointer, draft.id, "organization")
        return None


def check(
    state: ImportState,
    directory: Directory,
    today: date,
    agency_at: dict[tuple[str, int], str],
    pathway_at: dict[tuple[int, int], str],
) -> Iterator[Problem]:
    """The directory rules' findings, located at the JSON pointer of their record."""
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
            file=state.source,
            record=finding.record,
            field=pointer,
            hint=finding.hint,
        )
