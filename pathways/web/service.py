"""Matching, booking, capacity and gaps over HTTP: the routes force systems call.

``POST /match``, ``POST /match/batch`` (role ``match``), ``POST /bookings`` (role ``book``) and
``GET /capacity`` (role ``capacity``) need a bearer token; ``GET /gaps`` publishes aggregates
with small counts suppressed and is public. Bodies are read as JSON by the same readers the
command line uses; answers are what the command line prints with ``--json``.
"""

from __future__ import annotations

import json
from datetime import date  # noqa: TC003 (FastAPI reads the annotations at run time)
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from directory.errors import InvalidArgumentError, NotFoundError, PathwaysError
from matching.plan import Plan
from pathways.web.errors import ERROR_RESPONSES, ApiError, library_error

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Coroutine

    from pathways.web.auth import Identity, TokenStore
    from pathways.web.engine import Engine

__all__ = ["ASSESSMENT_SCHEMA", "BOOKING_SCHEMA", "PLAN_REQUEST_SCHEMA", "service_router"]

_LIST_OR_TEXT = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
_FLAG = {"anyOf": [{"type": "boolean"}, {"type": "string"}]}

#: The JSON an assessment is (the keys of a cohort file's JSON line, docs/cohort-format.md).
ASSESSMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["needs", "where", "age"],
    "additionalProperties": False,
    "properties": {
        "reference": {"type": "string", "description": "An opaque case key, never a name."},
        "needs": {**_LIST_OR_TEXT, "description": "Needs in words or ids (a list, or ';')."},
        "where": {"type": "string", "description": "District, town, postcode or 'lat, lon'."},
        "age": {"type": "integer", "minimum": 10},
        "gender": {"type": "string"},
        "cohorts": _LIST_OR_TEXT,
        "offence": {"type": "string"},
        "disposal": {"type": "string"},
        "engaged": {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            ],
            "description": "Agencies already working with the person and the needs they meet.",
        },
        "travel_km": {"type": "number", "minimum": 0},
        "accept_remote": _FLAG,
        "accept_waitlist": _FLAG,
    },
    "example": {
        "reference": "EX-0001",
        "needs": ["housing", "drink", "debt"],
        "where": "Wisbech",
        "age": 34,
        "offence": "shoplifting",
        "disposal": "conditional_caution",
    },
}

#: What ``POST /bookings`` reads from a plan (other keys of a plan are ignored, never stored).
PLAN_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["referrals"],
    "properties": {
        "reference": {"type": ["string", "null"]},
        "referrals": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pathway", "status"],
                "properties": {
                    "pathway": {"type": "string"},
                    "status": {"enum": ["referred", "waitlisted"]},
                },
            },
        },
    },
}

#: The answer of ``POST /bookings``.
BOOKING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["reference", "on", "referrals"],
    "properties": {
        "reference": {"type": "string"},
        "on": {"type": "string", "format": "date"},
        "referrals": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pathway", "period", "waitlisted"],
                "properties": {
                    "pathway": {"type": "string"},
                    "period": {"type": "string"},
                    "waitlisted": {"type": "boolean"},
                },
            },
        },
    },
}

_CAPACITY_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "pathway": {"type": "string"},
            "name": {"type": "string"},
            "agency": {"type": "string"},
            "per": {"type": ["string", "null"]},
            "period": {"type": "string"},
            "status": {"type": "string"},
            "places": {"type": ["integer", "null"]},
            "booked": {"type": ["integer", "null"]},
            "left": {"type": ["integer", "null"]},
            "updated": {"type": ["string", "null"]},
        },
    },
}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: ERROR_RESPONSES[s] for s in statuses}


async def _json_body(request: Request) -> Any:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise ApiError(415, "unsupported-media-type", "send the body as application/json")
    try:
        return json.loads(await request.body())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ApiError(400, "bad-request", f"the body is not JSON: {err}") from None


_SCHEME = HTTPBearer(
    auto_error=False, description="A token made with `pathways token add`, with the route's role."
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_SCHEME)]


def _bearer(tokens: TokenStore | None, role: str) -> Callable[..., Coroutine[Any, Any, Identity]]:
    challenge = {"WWW-Authenticate": "Bearer"}

    async def check(credentials: Credentials) -> Identity:
        if credentials is None:
            raise ApiError(
                401, "unauthorized", "send Authorization: Bearer TOKEN", headers=challenge
            )
        identity = tokens.identify(credentials.credentials) if tokens is not None else None
        if identity is None:
            raise ApiError(401, "unauthorized", "this token is not known here", headers=challenge)
        if role not in identity.roles:
            raise ApiError(403, "forbidden", f"this token does not have the {role!r} role")
        return identity

    return check


def service_router(
    engine: Engine, tokens: TokenStore | None, *, max_batch_lines: int = 10_000
) -> APIRouter:
    """The routes of matching, booking, capacity and gaps over ``engine``."""
    router = APIRouter(tags=["Matching and booking (token)"])
    may_match = Depends(_bearer(tokens, "match"))
    may_book = Depends(_bearer(tokens, "book"))
    may_read_capacity = Depends(_bearer(tokens, "capacity"))

    @router.post(
        "/match",
        summary="The plan of one assessment (as `pathways match --json`)",
        dependencies=[may_match],
        responses={200: {"model": Plan}, **_errors(400, 401, 403, 413, 415, 422, 429)},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ASSESSMENT_SCHEMA}},
            }
        },
    )
    async def match(
        request: Request,
        on: Annotated[date | None, Query(description="Day whose capacity period counts.")] = None,
    ) -> JSONResponse:
        record = await _json_body(request)
        try:
            plan = await engine.run(engine.match, record, on)
        except PathwaysError as err:
            raise library_error(err) from None
        return JSONResponse(plan)

    @router.post(
        "/match/batch",
        summary="Plans of a cohort, streamed as JSON Lines",
        dependencies=[may_match],
        responses={
            200: {
                "description": "One JSON line per assessment line, in order: the plan, or "
                '{"line": N, "error": "assessment", "problems": [...]}.',
                "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
            },
            **_errors(400, 401, 403, 413, 415, 429),
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-ndjson": {
                        "schema": {
                            "type": "string",
                            "description": "One assessment (JSON object) a line.",
                        }
                    }
                },
            }
        },
    )
    async def match_batch(
        request: Request,
        on: Annotated[date | None, Query(description="Day whose capacity period counts.")] = None,
    ) -> StreamingResponse:
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        if kind not in ("application/x-ndjson", "application/jsonl", "application/json-lines"):
            raise ApiError(415, "unsupported-media-type", "send the cohort as application/x-ndjson")
        try:
            text = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "bad-request", "the body is not UTF-8 text") from None
        lines = [(n, t) for n, t in enumerate(text.splitlines(), 1) if t.strip()]
        if len(lines) > max_batch_lines:
            raise ApiError(413, "too-large", f"a batch holds at most {max_batch_lines} assessments")

        async def plans() -> AsyncIterator[bytes]:
            for number, line in lines:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as err:
                    out: dict[str, Any] = {
                        "line": number,
                        "error": "assessment",
                        "problems": [{"field": None, "message": f"not JSON: {err.msg}"}],
                    }
                else:
                    try:
                        out = await engine.run(engine.match, record, on)
                    except PathwaysError as err:
                        api = library_error(err)
                        out = {"line": number, "error": api.code, "message": api.message}
                        out.update(api.extra)
                yield (json.dumps(out, ensure_ascii=False) + "\n").encode("utf-8")

        return StreamingResponse(plans(), media_type="application/x-ndjson")

    if engine.has_ledger:

        @router.post(
            "/bookings",
            summary="Book a plan's referrals, all or none",
            status_code=201,
            dependencies=[may_book],
            responses={
                201: {
                    "description": "Booked (or the same booking again: retries are safe).",
                    "content": {"application/json": {"schema": BOOKING_SCHEMA}},
                },
                **_errors(400, 401, 403, 409, 413, 415, 422, 429, 503),
            },
            openapi_extra={
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": PLAN_REQUEST_SCHEMA}},
                }
            },
        )
        async def bookings(
            request: Request,
            on: Annotated[
                date | None, Query(description="The booking day (default today).")
            ] = None,
            allow_waitlist: Annotated[
                bool, Query(description="A full pathway may take a waitlisted referral.")
            ] = False,
        ) -> JSONResponse:
            plan = await _json_body(request)
            try:
                booking = await engine.run(engine.book, plan, on=on, allow_waitlist=allow_waitlist)
            except PathwaysError as err:
                raise library_error(err) from None
            return JSONResponse(booking, status_code=201)

    @router.get(
        "/capacity",
        summary="Places and places left of every active pathway",
        dependencies=[may_read_capacity],
        responses={
            200: {"content": {"application/json": {"schema": _CAPACITY_SCHEMA}}},
            **_errors(400, 401, 403, 429, 503),
        },
    )
    async def capacity(
        district: str | None = None,
        need: str | None = None,
        on: Annotated[date | None, Query(description="Day whose period counts.")] = None,
    ) -> JSONResponse:
        try:
            rows = await engine.run(engine.capacity, on=on, district=district, need=need)
        except (NotFoundError, InvalidArgumentError) as err:
            raise ApiError(400, "bad-request", str(err)) from None
        except PathwaysError as err:
            raise library_error(err) from None
        return JSONResponse(rows)

    @router.get(
        "/gaps",
        summary="Published gap tables (small counts suppressed)",
        tags=["Published tables (public)"],
        responses={
            200: {
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["period", "tables"],
                            "properties": {
                                "period": {"type": "string"},
                                "tables": {"type": "object"},
                            },
                        }
                    }
                }
            },
            **_errors(400, 404, 429),
        },
    )
    async def gaps(period: str | None = None) -> JSONResponse:
        try:
            tables = await engine.run(engine.gap_tables, period)
        except NotFoundError as err:
            raise ApiError(404, "not-found", str(err)) from None
        except PathwaysError as err:
            raise ApiError(400, "bad-request", str(err)) from None
        return JSONResponse(tables)

    return router
