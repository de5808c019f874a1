"""The ASGI application: :func:`create_app` puts the pieces together, and holds no logic.

- :mod:`pathways.web.oruk`: the Open Referral UK 3.0 read API (public);
- :mod:`pathways.web.service`: matching, booking, capacity (bearer token) and gaps (public);
- :mod:`pathways.web.guard`: plain-HTTP refusal, rate and size limits, ``no-store``, access log;
- :mod:`pathways.web.auth`: tokens and roles; :mod:`pathways.web.errors`: the error shape.

CORS is closed unless ``cors_origins`` names the origins that may call from a browser.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from directory.loading import load
from directory.oruk.api import Catalogue
from pathways.web.engine import Engine
from pathways.web.errors import install_handlers
from pathways.web.guard import Guard, GuardSettings
from pathways.web.oruk import oruk_router
from pathways.web.service import service_router

if TYPE_CHECKING:
    import os
    from collections.abc import AsyncIterator

    from directory.models import Directory
    from pathways.web.auth import TokenStore
    from pathways.web.engine import LedgerSource

__all__ = ["PUBLIC_PATHS", "WebSettings", "create_app"]

#: Paths (and the paths under them) anyone may read, over plain HTTP too.
PUBLIC_PATHS = (
    "/",
    "/services",
    "/service_at_locations",
    "/organizations",
    "/taxonomies",
    "/taxonomy_terms",
    "/gaps",
    "/openapi.json",
    "/docs",
    "/redoc",
)

DESCRIPTION = """
The Cambridgeshire & Peterborough diversion pathways directory as an
[Open Referral UK 3.0](https://openreferraluk.org/) API (public), and the exact
fewest-agencies matcher and referrals ledger for force systems (bearer token).

Assessments are special-category personal data: send them over HTTPS only; they are never
logged or cached.
"""


@dataclass(frozen=True, slots=True)
class WebSettings:
    """Limits of one server process (see :mod:`pathways.web.guard`).

    ``rate`` requests per second per client with bursts of ``burst``; bodies up to ``max_body``
    bytes (``max_batch_body`` for ``POST /match/batch``, at most ``max_batch_lines``
    assessments); ``cors_origins`` the browser origins allowed (none by default).
    """

    rate: float = 20.0
    burst: int = 100
    max_body: int = 64 * 1024
    max_batch_body: int = 16 * 1024 * 1024
    max_batch_lines: int = 10_000
    cors_origins: tuple[str, ...] = ()


def create_app(
    directory: Directory | None = None,
    *,
    ledger: LedgerSource | None = None,
    tokens: TokenStore | None = None,
    demand: str | os.PathLike[str] | None = None,
    settings: WebSettings | None = None,
) -> FastAPI:
    """The ASGI app over ``directory`` (default: the shipped one), to serve or to mount.

    ``ledger`` is a referrals ledger file (or a function opening a
    :class:`~matching.capacity.Ledger`): with it, plans count places booked and
    ``POST /bookings`` exists; without, places are the directory's. ``tokens`` says who may
    match, book and read capacity (none: nobody may). ``demand`` is a counts table whose gaps
    ``GET /gaps`` publishes.

    >>> app = create_app()
    >>> sorted(p for p, ops in app.openapi()["paths"].items() if "post" in ops)
    ['/match', '/match/batch']
    """
    directory = directory if directory is not None else load()
    settings = settings or WebSettings()
    catalogue = Catalogue(directory)
    engine = Engine(directory, ledger=ledger, demand=demand)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            engine.close()

    app = FastAPI(
        title="Diversion pathways",
        version="1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url="/redoc",
    )
    install_handlers(app)
    app.include_router(oruk_router(catalogue))
    app.include_router(service_router(engine, tokens, max_batch_lines=settings.max_batch_lines))
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(
        Guard,
        settings=GuardSettings(
            max_body=settings.max_body,
            body_limits={"/match/batch": settings.max_batch_body},
            rate=settings.rate,
            burst=settings.burst,
            public=PUBLIC_PATHS,
        ),
    )
    return app
