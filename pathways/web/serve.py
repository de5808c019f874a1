"""Serving the app with uvicorn: configuration from the environment, one app per worker.

``pathways serve`` puts its options into the environment and starts uvicorn with
:func:`app_from_env` as the factory, so each worker process builds its own app (its own
matcher, ledger connection and rate buckets) from the same settings:

======================== ==========================================================
variable                 meaning
======================== ==========================================================
``PATHWAYS_DIRECTORY``   the directory folder (default: the shipped one)
``PATHWAYS_LEDGER``      the referrals ledger file (default: none; no bookings)
``PATHWAYS_TOKENS_FILE`` the token file (``pathways token add`` writes it)
``PATHWAYS_TOKENS``      the token file's text itself (when no file is given)
``PATHWAYS_DEMAND``      a counts table whose gaps ``GET /gaps`` publishes
``PATHWAYS_RATE``        requests per second per client (default 20)
``PATHWAYS_BURST``       burst per client (default 100)
``PATHWAYS_CORS``        browser origins allowed, comma-separated (default none)
======================== ==========================================================
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from directory.errors import DataError, InvalidArgumentError
from directory.loading import read_directory
from pathways.web.app import WebSettings, create_app
from pathways.web.auth import TokenStore
from pathways.web.guard import ACCESS_LOGGER

if TYPE_CHECKING:
    from collections.abc import Mapping

    from fastapi import FastAPI

__all__ = ["ENV", "app_from_env", "log_config", "settings_from_env", "tokens_from_env"]

ENV = (
    "PATHWAYS_DIRECTORY",
    "PATHWAYS_LEDGER",
    "PATHWAYS_TOKENS_FILE",
    "PATHWAYS_TOKENS",
    "PATHWAYS_DEMAND",
    "PATHWAYS_RATE",
    "PATHWAYS_BURST",
    "PATHWAYS_CORS",
)


def tokens_from_env(env: Mapping[str, str]) -> TokenStore | None:
    """The token store named by ``PATHWAYS_TOKENS_FILE`` or held in ``PATHWAYS_TOKENS``."""
    if env.get("PATHWAYS_TOKENS_FILE"):
        return TokenStore.load(env["PATHWAYS_TOKENS_FILE"])
    if env.get("PATHWAYS_TOKENS"):
        return TokenStore.parse(env["PATHWAYS_TOKENS"].replace(";", "\n"))
    return None


def settings_from_env(env: Mapping[str, str]) -> WebSettings:
    """The limits from ``PATHWAYS_RATE``, ``PATHWAYS_BURST`` and ``PATHWAYS_CORS``.

    >>> settings_from_env({"PATHWAYS_RATE": "5", "PATHWAYS_CORS": "https://a.example"}).rate
    5.0
    """
    try:
        default = WebSettings()
        rate = float(env.get("PATHWAYS_RATE") or default.rate)
        burst = int(env.get("PATHWAYS_BURST") or default.burst)
    except ValueError as err:
        raise InvalidArgumentError(f"PATHWAYS_RATE or PATHWAYS_BURST: {err}") from None
    if not (rate > 0 and burst >= 1):
        raise InvalidArgumentError("PATHWAYS_RATE must be above 0 and PATHWAYS_BURST 1 or more")
    origins = tuple(o.strip() for o in env.get("PATHWAYS_CORS", "").split(",") if o.strip())
    return WebSettings(rate=rate, burst=burst, cors_origins=origins)


def app_from_env() -> FastAPI:
    """The app configured by the environment (uvicorn's factory for each worker)."""
    env = os.environ
    folder = env.get("PATHWAYS_DIRECTORY")
    directory, report = read_directory(Path(folder) if folder else None)
    if directory is None:
        raise DataError(report)
    return create_app(
        directory,
        ledger=env.get("PATHWAYS_LEDGER") or None,
        tokens=tokens_from_env(env),
        demand=env.get("PATHWAYS_DEMAND") or None,
        settings=settings_from_env(env),
    )


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration plus the access lines of :mod:`pathways.web.guard`
    (uvicorn's own access log, which prints query strings, is switched off)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"][ACCESS_LOGGER] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    return config
