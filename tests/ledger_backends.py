"""Ledger backends for tests: one fixture gives a fresh ledger target on every backend.

Test modules import :func:`ledger_target` (``from tests.ledger_backends import ledger_target``)
and ask for it; each test then runs once per backend, SQLite and PostgreSQL, with a target of
its own: a new file, or a new schema on a PostgreSQL server the tests start themselves
(:class:`tests.pg_server.PgServer`, once per test process, on a private unix socket).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pytest

from tests.pg_server import PgServer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

BACKENDS = ("sqlite", "postgresql")
_COUNTER = itertools.count()

__all__ = ["BACKENDS", "ledger_target", "pg_server"]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server for this test process (fails when the binaries are missing:
    scripts/test.sh installs them)."""
    try:
        server = PgServer.start()
    except RuntimeError as err:
        pytest.fail(str(err))
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def ledger_target(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """A factory of new, empty ledger targets on the backend of this run (``.backend``)."""
    if request.param == "postgresql":
        server: PgServer = request.getfixturevalue("pg_server")

        def make() -> str:
            return server.new_schema()

    else:

        def make() -> str:
            return str(tmp_path / f"ledger-{next(_COUNTER)}.sqlite")

    make.backend = request.param  # type: ignore[attr-defined]
    return make
