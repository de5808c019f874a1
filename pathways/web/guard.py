"""The guard in front of the app: one ASGI middleware that refuses before any route runs.

In order, for every HTTP request:

1. **plain HTTP**: a request to a protected path (anything but the public directory) or carrying
   an ``Authorization`` header is refused with 403 ``https-required`` unless it came over HTTPS
   or from a loopback client. Behind a TLS proxy, let the server trust the proxy's
   ``X-Forwarded-Proto``/``X-Forwarded-For`` (``pathways serve --forwarded-allow-ips IP``);
2. **rate limit**: each client (its bearer token when it sends one, else its address) has a bucket
   of ``burst`` requests refilled at ``rate`` per second; an empty bucket gives 429 with
   ``Retry-After``. Buckets live in this middleware (one per server process);
3. **request size**: a body over the path's limit gives 413, whether ``Content-Length`` says so
   or the body simply runs on (it is counted as it arrives, then handed on whole);
4. **caching**: a response that sets no ``Cache-Control`` gets ``no-store``: assessments, plans
   and bookings are never kept by a browser or a proxy;
5. **access log**: one line per request to the ``pathways.web.access`` logger with the client,
   method, path (never the query string, never a body), status and milliseconds.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping

    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]
    ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

__all__ = ["ACCESS_LOGGER", "Guard", "GuardSettings", "is_loopback"]

#: The logger of access lines (no bodies, no query strings).
ACCESS_LOGGER = "pathways.web.access"


def is_loopback(host: str | None) -> bool:
    """True for a loopback address (127.0.0.0/8, ::1) or a local socket (no address).

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("10.0.0.2"), is_loopback(None)
    (True, True, False, True)
    >>> is_loopback("testclient")
    False
    """
    if host is None:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class GuardSettings:
    """The guard's limits. ``public`` are path prefixes anyone may read over plain HTTP;
    ``body_limits`` maps a path to its own body limit (else ``max_body``)."""

    max_body: int = 1 << 20
    body_limits: dict[str, int] = field(default_factory=dict)
    rate: float = 20.0
    burst: int = 100
    public: tuple[str, ...] = ()
    max_clients: int = 10_000


class _Buckets:
    """Token buckets per client key, the least recently seen dropped past ``size`` keys."""

    def __init__(self, rate: float, burst: int, size: int) -> None:
        self.rate, self.burst, self.size = rate, burst, size
        self._held: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str, now: float) -> float:
        """0 when a request may go now, else the seconds until it may."""
        tokens, last = self._held.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens >= 1:
            wait, tokens = 0.0, tokens - 1
        else:
            wait = (1 - tokens) / self.rate if self.rate > 0 else math.inf
        self._held[key] = (tokens, now)
        while len(self._held) > self.size:
            self._held.popitem(last=False)
        return wait


class _TooLarge(Exception):
    pass


class Guard:
    """The ASGI middleware described in the module notes."""

    def __init__(self, app: ASGIApp, settings: GuardSettings) -> None:
        self.app = app
        self.settings = settings
        self.buckets = _Buckets(settings.rate, settings.burst, settings.max_clients)
        self.log = logging.getLogger(ACCESS_LOGGER)

    def _public(self, path: str) -> bool:
        return any(
            path == p or (p != "/" and path.startswith(p + "/")) for p in self.settings.public
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope.get("path", "")
        client = scope.get("client")
        host = client[0] if client else None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        status = 500

        async def logged_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                raw = list(message.get("headers", []))
                if not any(k.lower() == b"cache-control" for k, _ in raw):
                    raw.append((b"cache-control", b"no-store"))
                message["headers"] = raw
            await send(message)

        try:
            await self._handle(scope, receive, logged_send, path, host, headers)
        finally:
            ms = (time.perf_counter() - started) * 1000
            self.log.info('%s "%s %s" %d %.1fms', host or "-", scope["method"], path, status, ms)

    async def _handle(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        path: str,
        host: str | None,
        headers: dict[str, str],
    ) -> None:
        authorization = headers.get("authorization")
        protected = not self._public(path) or authorization is not None
        if protected and scope.get("scheme") != "https" and not is_loopback(host):
            await _error(
                send,
                403,
                "https-required",
                "this path carries personal data or a token: use HTTPS "
                "(behind a TLS proxy, let the server trust its X-Forwarded-Proto)",
            )
            return
        key = (
            "t:" + hashlib.sha256(authorization.encode()).hexdigest()
            if authorization
            else f"a:{host}"
        )
        wait = self.buckets.take(key, time.monotonic())
        if wait > 0:
            await _error(
                send,
                429,
                "rate-limited",
                "too many requests; slow down",
                [(b"retry-after", str(max(1, math.ceil(wait))).encode())],
            )
            return
        limit = self.settings.body_limits.get(path, self.settings.max_body)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _error(send, 413, "too-large", f"the request body is over {limit} bytes")
            return
        if scope["method"] in ("POST", "PUT", "PATCH"):
            try:
                body = await _read(receive, limit)
            except _TooLarge:
                await _error(send, 413, "too-large", f"the request body is over {limit} bytes")
                return
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if replayed:
                    return await receive()
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}

            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)


async def _read(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _error(
    send: Send,
    status: int,
    code: str,
    message: str,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps({"error": code, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(extra or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
