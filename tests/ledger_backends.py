"""Ledger backends for tests: one fixture gives a fresh ledger target on every backend.

Test modules import :func:`ledger_target` (``from tests.ledger_backends import ledger_target``)
and ask for it; each test then runs once per backend with a target of its own (a new file, or
a new database on the server the tests started).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

BACKENDS = ("sqlite",)
_COUNTER = itertools.count()


@pytest.fixture(params=BACKENDS)
def ledger_target(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """A factory of new, empty ledger targets on the backend of this run (``.backend``)."""

    def make() -> str:
        return str(tmp_path / f"ledger-{next(_COUNTER)}.sqlite")

    make.backend = request.param  # type: ignore[attr-defined]
    return make
