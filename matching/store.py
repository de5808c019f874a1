"""Where a ledger keeps its rows: one protocol, two backends (SQLite file, PostgreSQL server).

:class:`matching.capacity.Ledger` and :mod:`matching.cases` write their SQL once, with ``?``
placeholders and types both databases share (text, integers; dates as ISO text), and run it
through a :class:`Store`:

* :class:`matching.ledger.SqliteStore`, the embedded default: one file that processes on one
  machine share; a write transaction takes the whole database (``BEGIN IMMEDIATE``);
* :class:`matching.ledger_pg.PostgresStore`, when a ledger is shared between machines: a write
  transaction takes a lock per key it names (``pg_advisory_xact_lock``: one per
  (pathway, period) it counts and one per reference it changes), so bookings of different
  pathways go on side by side while two bookings of one pathway's period queue.

Both keep the same guarantees: never more referrals than places in a period, all or nothing per
plan, a schema version with migrations, and refusal of a database that is not a ledger without
changing it. :func:`open_store` chooses the backend from the target: a ``postgresql://`` (or
``postgres://``) URL, or else a file path.

>>> is_url("postgresql://ledger@db.example/ledger"), is_url("ledger.sqlite")
(True, False)
>>> redact("postgresql://hub:secret@db.example:5432/ledger")
'postgresql://hub:***@db.example:5432/ledger'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

from directory.errors import LedgerError

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from contextlib import AbstractContextManager

__all__ = ["Cursor", "Store", "is_url", "open_store", "redact"]

_URL = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)
_PASSWORD = re.compile(r"^(postgres(?:ql)?://[^:/@]*:)[^@]*@", re.IGNORECASE)


class Cursor(Protocol):
    """What a store's :meth:`Store.execute` returns (sqlite3 and psycopg cursors both are)."""

    @property
    def rowcount(self) -> int:
        """Rows changed by the statement."""
        ...

    def fetchone(self) -> Any:
        """The next row, or None."""
        ...

    def fetchall(self) -> Sequence[Any]:
        """Every remaining row."""
        ...

    def __iter__(self) -> Iterator[Any]: ...


class Store(Protocol):
    """One open connection to a ledger database, used from one thread."""

    kind: str
    """``"sqlite"`` or ``"postgresql"``."""
    where: str
    """The file or URL (password hidden), for messages."""
    trace: Callable[[str], None] | None
    """Called with every statement before it runs (tests count queries with it)."""

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        """Run one statement with ``?`` placeholders."""
        ...

    def write(self, keys: Iterable[str] = ()) -> AbstractContextManager[None]:
        """A write transaction, committed on success and rolled back on any exception.

        ``keys`` name what the transaction reads and then changes; two transactions naming a
        common key never overlap. (SQLite serialises every writer, whatever the keys.)
        """
        ...

    def guard(self) -> AbstractContextManager[None]:
        """Turn the database's own errors into :class:`~directory.errors.LedgerError`."""
        ...

    def damage(self) -> list[str]:
        """What the database's own consistency check finds wrong (empty when nothing)."""
        ...

    def close(self) -> None:
        """Close the connection (idempotent)."""
        ...


def is_url(target: str | os.PathLike[str]) -> bool:
    """Whether ``target`` names a PostgreSQL database rather than a file."""
    return isinstance(target, str) and bool(_URL.match(target))


def redact(target: str) -> str:
    """``target`` with any password replaced by ``***`` (for messages and logs)."""
    return _PASSWORD.sub(r"\1***@", target)


def open_store(
    target: str | os.PathLike[str], *, create: bool, timeout: float, read_only: bool = False
) -> Store:
    """Open the ledger at ``target``: a ``postgresql://`` URL or an SQLite file path.

    See :func:`matching.ledger.connect` and :func:`matching.ledger_pg.connect` for creation,
    upgrades and refusals. ``timeout`` is how many seconds a writer waits for a lock.
    ``read_only`` (SQLite) opens a connection that writes nothing and leaves no side files; a
    PostgreSQL server needs no such care (reading changes no file of the caller's).
    """
    if is_url(target):
        try:
            from matching.ledger_pg import PostgresStore  # psycopg is needed only here
        except ImportError:
            raise LedgerError(
                f"{redact(str(target))}: a PostgreSQL ledger needs psycopg "
                "(pip install 'cambs-diversion-pathways[postgres]')"
            ) from None
        return PostgresStore(str(target), create=create, timeout=timeout)
    from matching.ledger import SqliteStore

    return SqliteStore(target, create=create, timeout=timeout, read_only=read_only)
