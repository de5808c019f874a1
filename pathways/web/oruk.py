"""The Open Referral UK 3.0 read API: the paths and query parameters of the standard's
openapi.json, answered by :class:`directory.oruk.api.Catalogue` (the export's own objects).

Public: no token, plain HTTP allowed, cacheable for a few minutes. Also ``/organizations`` and
``/organizations/{id}`` (in the ORUK API documentation, not in the 3.0 openapi.json).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from directory.errors import InvalidArgumentError, NotFoundError
from directory.oruk.api import DEFAULT_PER_PAGE, ServiceQuery
from pathways.web.errors import ERROR_RESPONSES, ApiError

if TYPE_CHECKING:
    from collections.abc import Callable

    from directory.oruk.api import Catalogue

__all__ = ["PROFILE", "STANDARD_OPENAPI", "oruk_router"]

#: The UK profile this API follows, and the standard's openapi.json that defines it.
PROFILE = "https://github.com/OpenReferralUK/uk-profile"
STANDARD_OPENAPI = (
    "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
)
#: How long a browser or proxy may keep a directory answer.
CACHE = "public, max-age=300"

_ERRORS: dict[int | str, dict[str, Any]] = {k: ERROR_RESPONSES[k] for k in (400, 429)}
_ONE: dict[int | str, dict[str, Any]] = {k: ERROR_RESPONSES[k] for k in (404, 429)}

Page = Annotated[int | None, Query(description="Page number of paginated result (from 1).")]
PerPage = Annotated[
    int | None, Query(description=f"Results in one page (default {DEFAULT_PER_PAGE}).")
]


def _json(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, headers={"Cache-Control": CACHE})


def _answer(func: Callable[[], dict[str, Any]]) -> JSONResponse:
    try:
        return _json(func())
    except NotFoundError as err:
        raise ApiError(404, "not-found", str(err)) from None
    except InvalidArgumentError as err:
        raise ApiError(400, "bad-request", str(err)) from None


def _proximity(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        metres = float(text)
    except ValueError:
        raise ApiError(400, "bad-request", f"proximity {text!r} is not metres") from None
    if not metres >= 0 or metres == float("inf"):
        raise ApiError(400, "bad-request", f"proximity {text!r} is not 0 or more metres")
    return metres


def _pages(page: int | None, per_page: int | None) -> dict[str, int]:
    return {
        "page": 1 if page is None else page,
        "per_page": DEFAULT_PER_PAGE if per_page is None else per_page,
    }


def oruk_router(catalogue: Catalogue) -> APIRouter:
    """The ORUK routes over ``catalogue``."""
    router = APIRouter(tags=["Open Referral UK 3.0 (public)"])

    @router.get("/", summary="This API and its relationship with HSDS")
    def root(request: Request) -> JSONResponse:
        return _json(
            {
                "version": "3.0",
                "profile": PROFILE,
                "openapi_url": STANDARD_OPENAPI,
                "x-pathways-openapi_url": str(request.url_for("openapi")),
            }
        )

    @router.get("/services", summary="Paginated list of services", responses=_ERRORS)
    def services(
        search: str | None = None,
        page: Page = None,
        per_page: PerPage = None,
        taxonomy_term_id: str | None = None,
        taxonomy_id: str | None = None,
        organization_id: str | None = None,
        minimum_age: float | None = None,
        maximum_age: float | None = None,
        start_time: str | None = None,
        end_time: str | None = None,
        day: str | None = None,
        postcode: str | None = None,
        proximity: str | None = None,
    ) -> JSONResponse:
        query = ServiceQuery(
            search=search,
            taxonomy_term_id=taxonomy_term_id,
            taxonomy_id=taxonomy_id,
            organization_id=organization_id,
            minimum_age=minimum_age,
            maximum_age=maximum_age,
            start_time=start_time,
            end_time=end_time,
            day=day,
            postcode=postcode,
            proximity=_proximity(proximity),
        )
        return _answer(lambda: catalogue.services(query, **_pages(page, per_page)))

    @router.get("/services/{id}", summary="A fully nested service", responses=_ONE)
    def service(id: str) -> JSONResponse:  # noqa: A002 (the standard's name)
        return _answer(lambda: catalogue.service(id))

    @router.get(
        "/service_at_locations",
        summary="Paginated list of services at locations",
        responses=_ERRORS,
    )
    def service_at_locations(
        search: str | None = None,
        page: Page = None,
        per_page: PerPage = None,
        taxonomy_term_id: str | None = None,
        taxonomy_id: str | None = None,
        minimum_age: float | None = None,
        maximum_age: float | None = None,
        start_time: str | None = None,
        end_time: str | None = None,
        day: str | None = None,
        postcode: str | None = None,
        proximity: str | None = None,
    ) -> JSONResponse:
        query = ServiceQuery(
            search=search,
            taxonomy_term_id=taxonomy_term_id,
            taxonomy_id=taxonomy_id,
            minimum_age=minimum_age,
            maximum_age=maximum_age,
            start_time=start_time,
            end_time=end_time,
            day=day,
            postcode=postcode,
            proximity=_proximity(proximity),
        )
        return _answer(lambda: catalogue.service_at_locations(query, **_pages(page, per_page)))

    @router.get(
        "/service_at_locations/{id}", summary="A fully nested service at a location", responses=_ONE
    )
    def service_at_location(id: str) -> JSONResponse:  # noqa: A002
        return _answer(lambda: catalogue.service_at_location(id))

    @router.get("/organizations", summary="Paginated list of organizations", responses=_ERRORS)
    def organizations(page: Page = None, per_page: PerPage = None) -> JSONResponse:
        return _answer(lambda: catalogue.organization_page(**_pages(page, per_page)))

    @router.get("/organizations/{id}", summary="An organization with its services", responses=_ONE)
    def organization(id: str) -> JSONResponse:  # noqa: A002
        return _answer(lambda: catalogue.organization(id))

    @router.get("/taxonomies", summary="Paginated list of taxonomies", responses=_ERRORS)
    def taxonomies(page: Page = None, per_page: PerPage = None) -> JSONResponse:
        return _answer(lambda: catalogue.taxonomy_page(**_pages(page, per_page)))

    @router.get("/taxonomies/{id}", summary="A taxonomy with its terms", responses=_ONE)
    def taxonomy(id: str) -> JSONResponse:  # noqa: A002
        return _answer(lambda: catalogue.taxonomy(id))

    @router.get("/taxonomy_terms", summary="Paginated list of taxonomy terms", responses=_ERRORS)
    def taxonomy_terms(page: Page = None, per_page: PerPage = None) -> JSONResponse:
        return _answer(lambda: catalogue.term_page(**_pages(page, per_page)))

    @router.get("/taxonomy_terms/{id}", summary="A taxonomy term", responses=_ONE)
    def taxonomy_term(id: str) -> JSONResponse:  # noqa: A002
        return _answer(lambda: catalogue.term(id))

    return router
