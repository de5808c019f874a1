"""The Open Referral UK 3.0 API's answers over one directory: pages, filters, look-ups by id.

:class:`Catalogue` is built once per directory snapshot from the JSON export
(:func:`~directory.oruk.export.export_services` and friends over
:func:`~directory.oruk.export.publishable`), so the API and the files carry one mapping: a
service served at ``/services/{id}`` is the very object ``services.json`` holds, and a hidden
site (a refuge) is in neither. Listings are projections of those objects (their one-to-one
fields, as the standard's list examples show); nothing is mapped twice.

Pure and in memory; the web layer (:mod:`pathways.web`) only reads query parameters and calls
these methods.

>>> from directory.loading import load
>>> cat = Catalogue(load())
>>> page = cat.services(ServiceQuery(), page=1, per_page=5)
>>> page["size"], page["page_number"], page["first_page"], page["total_items"] == len(cat.by_id)
(5, 1, True, True)
>>> one = page["contents"][0]
>>> sorted(k for k, v in one.items() if isinstance(v, list))  # a listing: one-to-one fields
[]
>>> cat.service(one["id"])["name"] == one["name"]
True
>>> cat.services(ServiceQuery(), page=0, per_page=5)
Traceback (most recent call last):
...
directory.errors.InvalidArgumentError: page must be 1 or more, not 0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from directory.errors import InvalidArgumentError, NotFoundError
from directory.oruk.export import (
    export_organizations,
    export_services,
    export_taxonomies,
    publishable,
)
from directory.oruk.ids import EXTENSION
from directory.places import Gazetteer, haversine_km

if TYPE_CHECKING:
    from collections.abc import Callable

    from directory.models import Directory

__all__ = [
    "DEFAULT_PER_PAGE",
    "MAX_PER_PAGE",
    "Catalogue",
    "ServiceQuery",
    "page_of",
    "summary",
]

#: Items per page when the caller does not say.
DEFAULT_PER_PAGE = 50
#: The most items one page may hold (a larger ``per_page`` is refused).
MAX_PER_PAGE = 1000


def page_of(items: list[dict[str, Any]], *, page: int, per_page: int) -> dict[str, Any]:
    """The ORUK ``Page`` envelope (openapi ``components.schemas.Page``) of one page of ``items``.

    Pages count from 1. A page past the last is empty (``empty`` true, ``size`` 0); there is
    always at least one page, so an empty result is page 1 of 1.

    >>> p = page_of([{"id": str(i)} for i in range(5)], page=2, per_page=2)
    >>> {k: v for k, v in p.items() if k != "contents"}
    {'total_items': 5, 'total_pages': 3, 'page_number': 2, 'size': 2, 'first_page': False, \
'last_page': False, 'empty': False}
    >>> [c["id"] for c in p["contents"]]
    ['2', '3']
    >>> page_of([], page=1, per_page=10)["total_pages"]
    1
    """
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise InvalidArgumentError(f"page must be 1 or more, not {page!r}")
    if isinstance(per_page, bool) or not isinstance(per_page, int) or per_page < 1:
        raise InvalidArgumentError(f"per_page must be 1 or more, not {per_page!r}")
    if per_page > MAX_PER_PAGE:
        raise InvalidArgumentError(f"per_page must be at most {MAX_PER_PAGE}, not {per_page}")
    total = len(items)
    pages = max(1, math.ceil(total / per_page))
    contents = items[(page - 1) * per_page : page * per_page]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def summary(record: dict[str, Any]) -> dict[str, Any]:
    """A listing's view of an exported object: its one-to-one fields only (no arrays, no nested
    objects, no extension), as the standard's ``*_list`` examples carry them.

    >>> summary({"id": "a", "name": "A", "contacts": [], "x": {"k": 1}})
    {'id': 'a', 'name': 'A'}
    """
    return {k: v for k, v in record.items() if not isinstance(v, list | dict)}


@dataclass(frozen=True, slots=True)
class ServiceQuery:
    """The filters of ``GET /services`` and ``GET /service_at_locations`` (all optional).

    - ``search``: every word occurs (case-insensitive) in the service's name, description,
      organization name or need terms;
    - ``taxonomy_term_id``: the service has that term, or a term under it (a need group's id
      gives every need of the group); the term's code (a need id) is accepted too;
    - ``taxonomy_id``: the service has a term of that taxonomy;
    - ``organization_id``: the service belongs to that organization;
    - ``minimum_age`` / ``maximum_age``: as the standard words them, the service's
      ``minimum_age`` is at least the value / its ``maximum_age`` at most the value (a service
      without that bound does not pass);
    - ``day``, ``start_time``, ``end_time``: the directory holds no schedules, so no service
      passes any of them;
    - ``postcode``: a service whose service area holds the postcode's district; with
      ``proximity`` (metres): a location within that distance of the postcode's centre.
    """

    search: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    day: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    postcode: str | None = None
    proximity: float | None = None


def _words(text: str) -> list[str]:
    return text.casefold().split()


class Catalogue:
    """Every answer of the ORUK read API over one directory snapshot (see the module notes).

    ``by_id`` maps each service id to its full exported service (organization embedded);
    ``locations_by_id`` each service_at_location id to ``(service, service_at_location)``.
    """

    def __init__(self, directory: Directory) -> None:
        shown = publishable(directory)  # hidden sites are never in an answer
        self.gazetteer = Gazetteer.from_directory(directory)
        services: list[dict[str, Any]] = export_services(shown)["contents"]
        self.by_id: dict[str, dict[str, Any]] = {s["id"]: s for s in services}
        self.organizations: dict[str, dict[str, Any]] = {
            o["id"]: o for o in export_organizations(shown)["contents"]
        }
        self.taxonomies: dict[str, dict[str, Any]] = {
            t["id"]: t for t in export_taxonomies(shown)["contents"]
        }
        self.terms: dict[str, dict[str, Any]] = {
            term["id"]: term for t in self.taxonomies.values() for term in t["taxonomy_terms"]
        }
        self.locations_by_id: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
            sal["id"]: (s, sal) for s in services for sal in s.get("service_at_locations", ())
        }
        self._text = {
            sid: " ".join(
                [
                    s.get("name", ""),
                    s.get("description", ""),
                    s.get("organization", {}).get("name", ""),
                    *(a["taxonomy_term"]["name"] for a in s.get("attributes", ())),
                    *(a["taxonomy_term"]["term"] for a in s.get("attributes", ())),
                ]
            ).casefold()
            for sid, s in self.by_id.items()
        }

    # ------------------------------------------------------------------------------ filters
    def _term_ids(self, term: str) -> set[str]:
        """The term ids a ``taxonomy_term_id`` stands for: itself (by id or code) and below."""
        ids = {t["id"] for t in self.terms.values() if term in (t["id"], t.get("term"))}
        return ids | {t["id"] for t in self.terms.values() if t.get("parent_id") in ids}

    def _service_filter(self, q: ServiceQuery) -> Callable[[dict[str, Any]], bool]:
        tests: list[Callable[[dict[str, Any]], bool]] = []
        if q.search is not None and (words := _words(q.search)):
            text = self._text
            tests.append(lambda s: all(w in text[s["id"]] for w in words))
        if q.taxonomy_term_id is not None:
            wanted = self._term_ids(q.taxonomy_term_id)
            tests.append(
                lambda s: any(a["taxonomy_term_id"] in wanted for a in s.get("attributes", ()))
            )
        if q.taxonomy_id is not None:
            tid = q.taxonomy_id
            tests.append(
                lambda s: any(
                    a["taxonomy_term"].get("taxonomy_id") == tid for a in s.get("attributes", ())
                )
            )
        if q.organization_id is not None:
            oid = q.organization_id
            tests.append(lambda s: s["organization_id"] == oid)
        if q.minimum_age is not None:
            lo = q.minimum_age
            tests.append(lambda s: s.get("minimum_age") is not None and s["minimum_age"] >= lo)
        if q.maximum_age is not None:
            hi = q.maximum_age
            tests.append(lambda s: s.get("maximum_age") is not None and s["maximum_age"] <= hi)
        if q.day is not None or q.start_time is not None or q.end_time is not None:
            tests.append(lambda s: bool(s.get("schedules")))  # none held: nothing passes
        return lambda s: all(t(s) for t in tests)

    def _place(self, q: ServiceQuery) -> tuple[str, float, float] | None:
        """(district, lat, lon) of the query's postcode; None when the directory does not
        know it."""
        if q.postcode is None:
            return None
        try:
            loc = self.gazetteer.resolve(q.postcode)
        except NotFoundError:
            return None
        return loc.district, loc.lat, loc.lon

    # ------------------------------------------------------------------------------ answers
    def services(self, q: ServiceQuery, *, page: int, per_page: int) -> dict[str, Any]:
        """``GET /services``: a Page of listed services (one-to-one fields and organization)."""
        keep = self._service_filter(q)
        chosen = [s for s in self.by_id.values() if keep(s)]
        if q.postcode is not None:
            place = self._place(q)
            chosen = [] if place is None else [s for s in chosen if self._serves(s, place, q)]
        return page_of([_listed(s) for s in chosen], page=page, per_page=per_page)

    def _serves(
        self, service: dict[str, Any], place: tuple[str, float, float], q: ServiceQuery
    ) -> bool:
        if q.proximity is not None:
            return any(
                self._near(sal, place, q.proximity)
                for sal in service.get("service_at_locations", ())
            )
        return any(
            a.get(EXTENSION, {}).get("district") == place[0]
            for a in service.get("service_areas", ())
        )

    @staticmethod
    def _near(sal: dict[str, Any], place: tuple[str, float, float], metres: float) -> bool:
        loc = sal["location"]
        if "latitude" not in loc or "longitude" not in loc:
            return False
        return (
            haversine_km((place[1], place[2]), (loc["latitude"], loc["longitude"])) * 1000 <= metres
        )

    def service(self, service_id: str) -> dict[str, Any]:
        """``GET /services/{id}``: the full service, as ``services.json`` holds it."""
        found = self.by_id.get(service_id)
        if found is None:
            raise NotFoundError("service", service_id)
        return found

    def service_at_locations(self, q: ServiceQuery, *, page: int, per_page: int) -> dict[str, Any]:
        """``GET /service_at_locations``: a Page of (service, location) pairs, listed."""
        keep = self._service_filter(q)
        place = self._place(q)
        items = []
        for service in self.by_id.values():
            if not keep(service):
                continue
            for sal in service.get("service_at_locations", ()):
                if q.postcode is not None and (
                    place is None
                    or (
                        not self._near(sal, place, q.proximity)
                        if q.proximity is not None
                        else not self._serves(service, place, q)
                    )
                ):
                    continue
                items.append(
                    {
                        "id": sal["id"],
                        "service_id": sal["service_id"],
                        "location_id": sal["location_id"],
                        "location": summary(sal["location"]),
                        "service": _listed(service),
                    }
                )
        return page_of(items, page=page, per_page=per_page)

    def service_at_location(self, sal_id: str) -> dict[str, Any]:
        """``GET /service_at_locations/{id}``: the pair with its full location and service.

        The standard's openapi.json describes this answer with the service schema while its own
        example is a service_at_location (``id``, ``location``, ``service``): the answer is the
        example's shape and also carries the service's ``name`` and ``status``, so it satisfies
        both.
        """
        found = self.locations_by_id.get(sal_id)
        if found is None:
            raise NotFoundError("service_at_location", sal_id)
        service, sal = found
        return {
            "id": sal["id"],
            "name": service["name"],
            "status": service["status"],
            "service_id": sal["service_id"],
            "location_id": sal["location_id"],
            "location": sal["location"],
            "service": service,
        }

    def organization_page(self, *, page: int, per_page: int) -> dict[str, Any]:
        """``GET /organizations``: a Page of organizations, listed (one-to-one fields)."""
        return page_of(
            [summary(o) for o in self.organizations.values()], page=page, per_page=per_page
        )

    def organization(self, organization_id: str) -> dict[str, Any]:
        """``GET /organizations/{id}``: the organization with its full services."""
        found = self.organizations.get(organization_id)
        if found is None:
            raise NotFoundError("organization", organization_id)
        return found

    def taxonomy_page(self, *, page: int, per_page: int) -> dict[str, Any]:
        """``GET /taxonomies``: a Page of taxonomies, listed (without their terms)."""
        return page_of([summary(t) for t in self.taxonomies.values()], page=page, per_page=per_page)

    def taxonomy(self, taxonomy_id: str) -> dict[str, Any]:
        """``GET /taxonomies/{id}``: the taxonomy with its terms."""
        found = self.taxonomies.get(taxonomy_id)
        if found is None:
            raise NotFoundError("taxonomy", taxonomy_id)
        return found

    def term_page(self, *, page: int, per_page: int) -> dict[str, Any]:
        """``GET /taxonomy_terms``: a Page of every term (need groups, then needs)."""
        return page_of(list(self.terms.values()), page=page, per_page=per_page)

    def term(self, term_id: str) -> dict[str, Any]:
        """``GET /taxonomy_terms/{id}``: one term."""
        found = self.terms.get(term_id)
        if found is None:
            raise NotFoundError("taxonomy_term", term_id)
        return found


def _listed(service: dict[str, Any]) -> dict[str, Any]:
    """A service as ``GET /services`` lists it: one-to-one fields and its organization's."""
    listed = summary(service)
    organization = service.get("organization")
    if organization is not None:
        listed["organization"] = summary(organization)
    return listed
