"""The web service: the Open Referral UK 3.0 API for everyone, matching and booking for force
systems (docs/web.md).

:func:`create_app` returns an ASGI application (FastAPI) to serve with uvicorn
(``pathways serve``) or to mount in a force's own stack. The modules: ``app`` (assembly),
``oruk`` (the ORUK read API over :class:`directory.oruk.api.Catalogue`), ``service`` (match,
batch, bookings, capacity, gaps), ``engine`` (the library calls on one worker thread),
``guard`` (plain HTTP, rate and size limits, no-store, access log), ``auth`` (tokens),
``errors`` (one error shape) and ``serve`` (uvicorn).
"""

from __future__ import annotations

from pathways.web.app import WebSettings, create_app
from pathways.web.auth import ROLES, TokenStore, add_token

__all__ = ["ROLES", "TokenStore", "WebSettings", "add_token", "create_app"]
