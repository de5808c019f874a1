"""The state of one Open Referral UK import: the base's indexes, the drafts, the problems.

:class:`ImportState` also reports problems (located by JSON pointer) and hands out our ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from directory.oruk.fields import KEBAB, at, has_data, slug_of
from directory.oruk.ids import EXTENSION, oruk_id
from directory.places import Gazetteer
from directory.problems import CATALOGUE, Problem
from directory.taxonomy import Taxonomy

if TYPE_CHECKING:
    from datetime import date

    from pydantic import ValidationError

    from directory.models import Contact, Directory, Site

__all__ = ["AgencyDraft", "ImportState", "PathwayDraft"]


def text_of_name(record: dict[str, Any]) -> str | None:
    """A record's name when it is text, for the ``record`` of a problem."""
    name = record.get("name")
    return name if isinstance(name, str) else None


@dataclass
class PathwayDraft:
    """A service read so far: its pointer, its pathway fields, its ORUK id, its location keys."""

    pointer: str
    data: dict[str, Any]
    oruk_id: str | None
    site_keys: list[str] = field(default_factory=list)


@dataclass
class AgencyDraft:
    """An organization read so far, with what its services added (contacts, sites, dates)."""

    pointer: str
    org: dict[str, Any]
    extension: dict[str, Any]
    id: str
    contacts: list[tuple[Contact, str]] = field(default_factory=list)
    sites: dict[str, Site | None] = field(default_factory=dict)
    pathways: list[PathwayDraft] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    services_seen: int = 0


class ImportState:
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
        self.agencies: dict[str, AgencyDraft] = {}
        self.services: dict[str, tuple[AgencyDraft, PathwayDraft]] = {}
        # the first record read under each ORUK id, to tell a repeat from a conflict
        self.first: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        self.taken: dict[str, set[str]] = {"agency": set(), "pathway": set(), "site": set()}

    def same_as_first(self, kind: str, record: dict[str, Any], pointer: str) -> bool:
        """Whether a record repeats the first one of its id (True for the first one itself).

        A service or organization appears again in a page of service_at_locations, or with
        each of its services: that is one record. Two that differ in any value (a key missing
        from one counts) other than their nested services, locations and organization are two
        records under one id: a ``duplicate-id`` error, never silently merged.
        """
        key = (kind, str(record.get("id")))
        first = self.first.setdefault(key, (pointer, record))
        if first[1] is record:
            return True
        nested = ("services", "service_at_locations", "organization", "location")
        clash = sorted(
            k
            for k in set(record) | set(first[1])
            if k not in nested and record.get(k) != first[1].get(k)
        )
        if not clash:
            return True
        self.add(
            "duplicate-id",
            f"{kind} id {key[1]!r} is also used at {first[0] or '/'} with a different "
            f"{', '.join(clash[:5])}",
            pointer,
            text_of_name(record),
        )
        return False

    def add(
        self,
        code: str,
        message: str,
        pointer: str,
        record: str | None = None,
        hint: str = "",
    ) -> None:
        """Report a problem (severity from the catalogue) at JSON pointer ``pointer``."""
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
        """Report each error of a model's validation: its own code if catalogued, else
        ``oruk-invalid``."""
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
        """Report every field of ``record`` that holds data and is not in ``known``."""
        for key, value in record.items():
            if key not in known and has_data(value):
                self.add(
                    "oruk-unsupported",
                    f"{key!r} is not carried by the directory format; left out",
                    at(pointer, key),
                    name,
                )

    def unique(self, kind: str, wanted: str) -> str:
        """``wanted``, or ``wanted-2``, ``wanted-3``... the first id of ``kind`` not yet taken."""
        taken = self.taken[kind]
        ident = wanted
        n = 2
        while ident in taken:
            ident = f"{wanted}-{n}"
            n += 1
        taken.add(ident)
        return ident

    def own_id(self, kind: str, extension: dict[str, Any], name: str | None, fallback: str) -> str:
        """The id given in the extension object if it is ours and free, else a slug of ``name``."""
        wanted = extension.get("id")
        if isinstance(wanted, str) and KEBAB.match(wanted) and wanted not in self.taken[kind]:
            self.taken[kind].add(wanted)
            return wanted
        return self.unique(kind, slug_of(name or "", fallback))

    def extension(self, record: dict[str, Any], pointer: str) -> dict[str, Any]:
        """The record's extension object; empty if absent or (reported) not an object."""
        value = record.get(EXTENSION)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add("oruk-invalid", f"{EXTENSION} must be an object", at(pointer, EXTENSION))
            return {}
        return value
