"""Errors as the API answers them: one JSON shape, one status per kind of refusal.

Every error body is ``{"error": CODE, "message": TEXT}``, plus ``problems`` (a list of
``{"field", "message"}``) when an assessment had several, and ``suggestions`` when a word was
not known. The library's exceptions map to statuses here and nowhere else:

=============================== ====== ===================
exception                       status code
=============================== ====== ===================
RecordError (an assessment)     422    ``assessment``
NotFoundError (in a body)       422    ``unknown``
InvalidArgumentError            422    ``invalid``
PlaceFullError                  409    ``place-full``
CapacityError (closed/inactive) 409    ``closed``
LedgerError (busy or damaged)   503    ``ledger-unavailable``
=============================== ====== ===================

Unknown ids in a path are 404 ``not-found``; bad query parameters 400 ``bad-request``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from directory.errors import (
    CapacityError,
    InvalidArgumentError,
    LedgerError,
    NotFoundError,
    PathwaysError,
    PlaceFullError,
)
from matching.cohort import RecordError

if TYPE_CHECKING:
    from fastapi import FastAPI, Request

__all__ = ["ERROR_RESPONSES", "ApiError", "install_handlers", "library_error"]


class ApiError(Exception):
    """A refusal with its HTTP status, stable code and message (and extra body fields)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.extra = extra

    def response(self) -> JSONResponse:
        """The error as a JSON response."""
        body = {"error": self.code, "message": self.message, **self.extra}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def library_error(err: PathwaysError) -> ApiError:
    """The API's answer to a library exception raised while serving a request body."""
    if isinstance(err, RecordError):
        return ApiError(
            422,
            "assessment",
            "the assessment has problems",
            problems=[{"field": f, "message": m} for f, m in err.problems],
        )
    notes = "; ".join(getattr(err, "__notes__", ()))
    message = f"{err} ({notes})" if notes else str(err)
    if isinstance(err, NotFoundError):
        return ApiError(422, "unknown", message, suggestions=list(err.suggestions))
    if isinstance(err, PlaceFullError):
        return ApiError(409, "place-full", message)
    if isinstance(err, LedgerError):
        return ApiError(503, "ledger-unavailable", message, headers={"Retry-After": "5"})
    if isinstance(err, CapacityError):
        return ApiError(409, "closed", message)
    if isinstance(err, InvalidArgumentError):
        return ApiError(422, "invalid", message)
    return ApiError(422, "refused", message)


def _schema(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": {"type": "string"},
                        "message": {"type": "string"},
                        "problems": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "field": {"type": ["string", "null"]},
                                    "message": {"type": "string"},
                                },
                            },
                        },
                        "suggestions": {"type": "array", "items": {"type": "string"}},
                    },
                }
            }
        },
    }


#: OpenAPI descriptions of the error statuses, by status (for each route's ``responses``).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _schema("A query parameter or the body is not what the route takes."),
    401: _schema("No bearer token, or one this server does not know."),
    403: _schema("The token lacks the role, or the request came over plain HTTP."),
    404: _schema("No record with that id."),
    409: _schema("A pathway of the plan is full, closed or inactive: nothing was booked."),
    413: _schema("The request body is over the limit."),
    415: _schema("The body is not of the media type the route takes."),
    422: _schema("The assessment, plan or query has problems (every one listed)."),
    429: _schema("Too many requests from this client; see Retry-After."),
    503: _schema("The referrals ledger is busy or unreadable; try again."),
}


def install_handlers(app: FastAPI) -> None:
    """Answer every refusal in the one JSON shape (module notes)."""

    async def api_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return exc.response()

    async def validation(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or None, "message": e["msg"]}
            for e in exc.errors()
        ]
        return ApiError(
            400, "bad-request", "the request is malformed", problems=problems
        ).response()

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        headers = dict(exc.headers or {})
        return ApiError(exc.status_code, code, str(exc.detail), headers=headers).response()

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(HTTPException, http_error)
