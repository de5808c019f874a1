"""The referrals ledger file: an SQLite database, its schema, versions and safe opening.

This module owns the file; :class:`matching.capacity.Ledger` owns what the rows mean (places
booked, left, waitlists). The file stores only what capacity needs (one row per referral):

| column | meaning |
|---|---|
| ``reference`` | the opaque reference of a plan (a uuid or a case key; never a name) |
| ``pathway`` | the pathway id the referral books |
| ``period`` | the capacity period it counts against: ``2026-W48``, ``2026-11``, ``2026-Q4`` |
| ``booked_on`` | the date the plan was booked (ISO), from which the period was computed |
| ``created_at`` | when the row was written (UTC, ISO 8601); ``updated_at`` when it last changed |
| ``attended_at`` | when attendance was first recorded (NULL if never) |
| ``status`` | ``booked``, ``attended``, ``completed``, ``cancelled`` or ``breached`` |
| ``waitlisted`` | 1 while the referral waits for a place (it then takes none), else 0 |

A second table, ``taken``, holds the places taken per (pathway, period), kept by triggers in the
same transaction as every change to ``referral``. No names, needs, assessment facts or free text:
a leaked ledger says which pathways a plan used and when, keyed by an opaque reference.

Since version 3 a booked plan can become a *case* (:mod:`matching.cases`): ``cases`` holds its
disposal and district, ``conditions`` one condition per referral (kind, agreed and due dates,
status, the day a breach statement was obtained), and ``audit`` every change to both, append-only
(triggers refuse UPDATE and DELETE): when, by which token or user id, what. Still no names.

The file is recognised by ``PRAGMA application_id`` (:data:`APPLICATION_ID`, "PWLG") and its
schema version by ``PRAGMA user_version`` (:data:`SCHEMA_VERSION`). :func:`connect` reads both
from the 100-byte SQLite header *before* SQLite opens the file, so a corrupt or foreign file is
refused (:class:`~directory.errors.LedgerError`) without being touched. An older version is
upgraded in one transaction; a newer one is refused.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = pathlib.Path(tmp) / "ledger.sqlite"
...     conn = connect(path)
...     version = conn.execute("PRAGMA user_version").fetchone()[0]
...     mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
...     conn.close()
>>> version == SCHEMA_VERSION, mode
(True, 'wal')
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import struct
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from directory.errors import LedgerError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

__all__ = [
    "APPLICATION_ID",
    "CONDITION_KINDS",
    "CONDITION_STATUSES",
    "MIGRATIONS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "STATUSES",
    "SqliteStore",
    "connect",
    "immediate",
    "read_header",
    "run_script",
]

#: ``PRAGMA application_id`` of a ledger: the ASCII bytes "PWLG" (PathWays LedGer).
APPLICATION_ID = 0x50574C47
#: The schema version this code writes; older files are upgraded, newer ones refused.
SCHEMA_VERSION = 3
#: Referral statuses, in the order of a referral's life.
STATUSES = ("booked", "attended", "completed", "cancelled", "breached")
#: Kinds of condition (Criminal Justice Act 2003 Part 3; punitive ones added by the Police and
#: Justice Act 2006 s.17; see docs/cases.md).
CONDITION_KINDS = ("rehabilitative", "reparative", "punitive")
#: Condition statuses, in the order of a condition's life.
CONDITION_STATUSES = ("agreed", "attended", "completed", "breached", "withdrawn")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


_SQLITE_MAGIC = b"SQLite format 3\x00"

#: Version 2: referrals and the places they take (kept as it was, for the upgrade from 1).
SCHEMA_V2 = f"""
CREATE TABLE referral (
    id          INTEGER PRIMARY KEY,
    reference   TEXT NOT NULL,
    pathway     TEXT NOT NULL,
    period      TEXT NOT NULL,
    booked_on   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    attended_at TEXT,
    status      TEXT NOT NULL DEFAULT 'booked'
                CHECK (status IN ({", ".join(f"'{s}'" for s in STATUSES)})),
    waitlisted  INTEGER NOT NULL DEFAULT 0 CHECK (waitlisted IN (0, 1)),
    UNIQUE (reference, pathway)
);
CREATE INDEX referral_booked_on ON referral (booked_on);

-- Places taken per pathway and period, kept by triggers in the same transaction as the change
-- to referral, so that reading what is left costs one row per pathway whatever the ledger size.
CREATE TABLE taken (
    pathway TEXT NOT NULL,
    period  TEXT NOT NULL,
    places  INTEGER NOT NULL CHECK (places >= 0),
    PRIMARY KEY (pathway, period)
) WITHOUT ROWID;
CREATE TRIGGER referral_insert AFTER INSERT ON referral
WHEN NEW.waitlisted = 0 AND NEW.status <> 'cancelled'
BEGIN
    INSERT INTO taken (pathway, period, places) VALUES (NEW.pathway, NEW.period, 1)
        ON CONFLICT (pathway, period) DO UPDATE SET places = places + 1;
END;
CREATE TRIGGER referral_delete AFTER DELETE ON referral
WHEN OLD.waitlisted = 0 AND OLD.status <> 'cancelled'
BEGIN
    UPDATE taken SET places = places - 1 WHERE pathway = OLD.pathway AND period = OLD.period;
END;
CREATE TRIGGER referral_update AFTER UPDATE OF pathway, period, status, waitlisted ON referral
BEGIN
    UPDATE taken SET places = places - 1
        WHERE pathway = OLD.pathway AND period = OLD.period
          AND OLD.waitlisted = 0 AND OLD.status <> 'cancelled';
    INSERT INTO taken (pathway, period, places)
        SELECT NEW.pathway, NEW.period, 1 WHERE NEW.waitlisted = 0 AND NEW.status <> 'cancelled'
        ON CONFLICT (pathway, period) DO UPDATE SET places = places + 1;
END;
"""

#: Version 3 adds cases, their conditions and the append-only audit trail of both.
CASES_SCHEMA = f"""
CREATE TABLE cases (
    reference  TEXT PRIMARY KEY,
    disposal   TEXT NOT NULL,
    district   TEXT,
    opened_on  TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE conditions (
    reference    TEXT NOT NULL REFERENCES cases (reference),
    pathway      TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ({_in(CONDITION_KINDS)})),
    agreed_on    TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'agreed' CHECK (status IN ({_in(CONDITION_STATUSES)})),
    status_on    TEXT NOT NULL,
    statement_on TEXT,
    PRIMARY KEY (reference, pathway),
    FOREIGN KEY (reference, pathway) REFERENCES referral (reference, pathway),
    CHECK (due_on >= agreed_on),
    CHECK (statement_on IS NULL OR status = 'breached')
);
CREATE INDEX conditions_status_due ON conditions (status, due_on);
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    reference TEXT NOT NULL,
    pathway   TEXT,
    change    TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_reference ON audit (reference);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
"""

#: The current schema, as written into a new file.
SCHEMA = SCHEMA_V2 + CASES_SCHEMA

#: Version 1, the first draft of the ledger: no waitlist, no booking date, one timestamp. Kept
#: to describe what :data:`MIGRATIONS` upgrades from (and to build such files in tests).
SCHEMA_V1 = """
CREATE TABLE referral (
    id         INTEGER PRIMARY KEY,
    reference  TEXT NOT NULL,
    pathway    TEXT NOT NULL,
    period     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'booked',
    UNIQUE (reference, pathway)
);
CREATE INDEX referral_period ON referral (period, pathway);
"""


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run each statement of ``script`` inside the caller's transaction (``executescript`` would
    commit it first). Statements end where SQLite says they are complete, so triggers whose
    bodies hold semicolons stay whole.

    >>> conn = sqlite3.connect(":memory:")
    >>> run_script(conn, "CREATE TABLE t (x); CREATE TRIGGER g AFTER INSERT ON t "
    ...                  "BEGIN SELECT 1; SELECT 2; END; INSERT INTO t VALUES (1);")
    >>> conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    2
    """
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n\t;"):
                conn.execute(buffer)
            buffer = ""
    if buffer.strip(" \n\t;"):
        raise LedgerError(f"incomplete SQL statement: {buffer.strip()[:60]!r}")


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """Add waitlists, the booking date, ``updated_at`` and ``attended_at``; rebuild the table so
    that the status CHECK constraint holds (SQLite cannot add a constraint in place)."""
    bad = conn.execute(
        f"SELECT count(*) FROM referral WHERE status NOT IN ({', '.join('?' for _ in STATUSES)})",
        STATUSES,
    ).fetchone()[0]
    if bad:
        raise LedgerError(f"cannot upgrade: {bad} referral(s) with an unknown status")
    conn.execute("ALTER TABLE referral RENAME TO referral_v1")
    conn.execute("DROP INDEX IF EXISTS referral_period")
    run_script(conn, SCHEMA_V2)
    conn.execute(
        """
        INSERT INTO referral (id, reference, pathway, period, booked_on, created_at, updated_at,
                              attended_at, status, waitlisted)
        SELECT id, reference, pathway, period, substr(created_at, 1, 10), created_at, created_at,
               CASE WHEN status IN ('attended', 'completed') THEN created_at END, status, 0
        FROM referral_v1
        """
    )
    conn.execute("DROP TABLE referral_v1")


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    """Add cases, conditions and the audit trail (new tables: the referrals are untouched)."""
    run_script(conn, CASES_SCHEMA)


#: ``MIGRATIONS[v]`` upgrades a version ``v`` file to ``v + 1`` inside an open transaction.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2, 2: _v2_to_v3}


def read_header(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """``(application_id, user_version)`` from a SQLite file's header, or None for an empty file.

    Reads 100 bytes and nothing else; raises :class:`~directory.errors.LedgerError` when the file
    is not a SQLite database.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     junk = pathlib.Path(tmp) / "junk"
    ...     _ = junk.write_bytes(b"not a database at all" * 10)
    ...     read_header(junk)
    Traceback (most recent call last):
    ...
    directory.errors.LedgerError: .../junk is not a ledger: not a SQLite database
    """
    with open(path, "rb") as f:
        head = f.read(100)
    if not head:
        return None
    if len(head) < 100 or head[:16] != _SQLITE_MAGIC:
        raise LedgerError(f"{os.fspath(path)} is not a ledger: not a SQLite database")
    (user_version,) = struct.unpack(">i", head[60:64])
    (application_id,) = struct.unpack(">i", head[68:72])
    return application_id, user_version


def _check_header(path: Path) -> int | None:
    """The schema version of a ledger file, or None when the file is empty; refuse others."""
    header = read_header(path)
    if header is None:
        return None
    application_id, version = header
    if application_id != APPLICATION_ID:
        raise LedgerError(
            f"{path} is not a ledger: a SQLite database of another application "
            f"(application_id {application_id:#x}, expected {APPLICATION_ID:#x}); left unchanged"
        )
    if version > SCHEMA_VERSION:
        raise LedgerError(
            f"{path} is a ledger of schema version {version}, newer than this version of "
            f"pathways understands ({SCHEMA_VERSION}); upgrade pathways. Left unchanged"
        )
    if version < 1:
        raise LedgerError(f"{path} has no ledger schema version; left unchanged")
    return version


def _open(path: Path, *, timeout: float) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as err:
        conn.close()
        raise LedgerError(f"{path} cannot be opened as a ledger: {err}") from None
    return conn


@contextlib.contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction taken at once (``BEGIN IMMEDIATE``): committed on success, rolled back
    on any exception. Writers queue on the database lock, so what they read inside cannot change
    until they commit."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _initialise(conn: sqlite3.Connection) -> None:
    """Write the schema, application id and version into an empty database, then turn on WAL.

    Runs in rollback-journal mode so that the header (application id, version) is in the main
    file when the transaction commits; does nothing to a database that already has tables.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
            run_script(conn, SCHEMA)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")


def _create(path: Path, *, timeout: float) -> None:
    """Write a new ledger beside ``path`` and move it into place only if nothing is there.

    The new file is complete (schema, application id, version, WAL mode) before any other
    process can see it, so a reader never meets a half-made ledger.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        conn = sqlite3.connect(tmp, timeout=timeout, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = DELETE")
            _initialise(conn)
        finally:
            conn.close()
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)  # atomic, and never replaces a file another process made
    finally:
        tmp.unlink(missing_ok=True)


def _read_only(path: Path, *, timeout: float) -> sqlite3.Connection:
    """A connection that writes nothing: no journal mode switch, no new ``-wal``/``-shm`` files.

    With no ``-wal`` file beside it the ledger is quiescent and is opened ``immutable`` (SQLite
    then makes no side files at all); with one, a writer may be at work, so it is opened
    ``mode=ro`` and reads through the ``-wal`` and ``-shm`` that are already there.
    """
    wal = path.with_name(path.name + "-wal")
    flags = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    return sqlite3.connect(
        f"{path.resolve().as_uri()}?{flags}", uri=True, timeout=timeout, isolation_level=None
    )


def _recognise(path: Path, *, timeout: float) -> None:
    """Refuse, through a read-only connection, a file with the ledger's header but not its
    tables; nothing is written to the file before it is known to be a ledger."""
    try:
        conn = _read_only(path, timeout=timeout)
        try:
            tables = {
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        raise LedgerError(f"{path} is damaged or not a ledger: {err}; left unchanged") from None
    if "referral" not in tables:
        raise LedgerError(
            f"{path} is not a ledger: it carries the ledger's application id but has no "
            "referral table; left unchanged"
        )


def connect(
    path: str | os.PathLike[str],
    *,
    create: bool = True,
    timeout: float = 60.0,
    read_only: bool = False,
) -> sqlite3.Connection:
    """Open (or create) the ledger at ``path``; upgrade an older schema; refuse anything else.

    The connection is in autocommit mode (``isolation_level=None``): callers open their own
    transactions with :func:`immediate`. ``timeout`` is how long a writer waits for the lock.

    Raises :class:`~directory.errors.LedgerError` for a missing file when ``create`` is False, a
    file that is not SQLite, a SQLite file of another application, one with the ledger's header
    but not its tables, or a newer schema; the file is not modified in any of these cases: it is
    recognised through a read-only connection before it is opened for writing.

    ``read_only`` (for commands that only read, such as ``pathways capacity``) returns a
    connection that cannot write and leaves no ``-wal``/``-shm`` files behind; a ledger of an
    older schema is still upgraded first (that needs writing, once).
    """
    path = Path(path)
    try:
        return _connect(path, create=create, timeout=timeout, read_only=read_only)
    except OSError as err:
        raise LedgerError(f"cannot open the ledger {path}: {err.strerror or err}") from None


def _connect(
    path: Path, *, create: bool, timeout: float, read_only: bool = False
) -> sqlite3.Connection:
    if not path.exists():
        if not create:
            raise LedgerError(f"no ledger at {path}")
        if not path.parent.is_dir():
            raise LedgerError(f"cannot create a ledger at {path}: no folder {path.parent}")
        _create(path, timeout=timeout)
    elif path.is_dir():
        raise LedgerError(f"{path} is a folder, not a ledger")
    version = _check_header(path)
    if version is None:  # an empty file (touch): make it a ledger in place
        if not create:
            raise LedgerError(f"{path} is empty, not a ledger")
        conn = _open(path, timeout=timeout)
        try:
            _initialise(conn)
        finally:
            conn.close()
        version = _check_header(path)
        if version is None:  # pragma: no cover - initialising wrote the header
            raise LedgerError(f"{path} could not be made a ledger")
    _recognise(path, timeout=timeout)
    if read_only and version == SCHEMA_VERSION:
        return _read_only(path, timeout=timeout)
    conn = _open(path, timeout=timeout)
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if application_id != APPLICATION_ID:
            raise LedgerError(f"{path} is not a ledger (application_id {application_id:#x})")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LedgerError(f"{path} is a ledger of schema version {version}; upgrade pathways")
        if version < SCHEMA_VERSION:
            _upgrade(conn, path)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise LedgerError(f"{path}: cannot use write-ahead logging (journal mode {mode})")
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if "referral" not in tables:
            raise LedgerError(f"{path} is damaged: it has no referral table")
    except sqlite3.DatabaseError as err:
        conn.close()
        raise LedgerError(f"{path} is damaged or not a ledger: {err}") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _upgrade(conn: sqlite3.Connection, path: Path) -> None:
    """Run every migration from the file's version to :data:`SCHEMA_VERSION` in one transaction
    (another process may have done it first: the version is read again under the lock)."""
    check = conn.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise LedgerError(f"{path} is damaged ({check}); not upgraded")
    with immediate(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        while version < SCHEMA_VERSION:
            migrate = MIGRATIONS.get(version)
            if migrate is None:
                raise LedgerError(f"{path}: no upgrade from ledger schema version {version}")
            try:
                migrate(conn)
            except LedgerError as err:  # rolled back: the file is as it was
                raise LedgerError(f"{path}: {err}; left unchanged") from None
            version += 1
        conn.execute(f"PRAGMA user_version = {version}")


class SqliteStore:
    """A ledger in an SQLite file (:class:`matching.store.Store`): opened with :func:`connect`.

    Every write transaction is ``BEGIN IMMEDIATE``: writers queue on the database lock, so what
    one reads inside cannot change until it commits; the keys a transaction names are not
    needed. ``timeout`` is how long a writer waits for the lock before
    :class:`~directory.errors.LedgerError` ("busy").
    """

    kind = "sqlite"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool,
        timeout: float,
        read_only: bool = False,
    ) -> None:
        self.where = os.fspath(path)
        self.timeout = timeout
        self.trace: Callable[[str], None] | None = None
        self._conn: sqlite3.Connection | None = connect(
            path, create=create, timeout=timeout, read_only=read_only
        )

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise LedgerError(f"the ledger {self.where} is closed")
        return self._conn

    def execute(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        """Run one statement (``?`` placeholders)."""
        if self.trace is not None:
            self.trace(sql)
        return self._db.execute(sql, params)

    @contextlib.contextmanager
    def write(self, keys: Iterable[str] = ()) -> Iterator[None]:
        """A ``BEGIN IMMEDIATE`` transaction (``keys`` are not needed: it takes the file).
        :attr:`trace` sees ``COMMIT`` just before the transaction commits."""
        with immediate(self._db):
            yield
            if self.trace is not None:
                self.trace("COMMIT")

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Turn SQLite errors (a damaged file, a lock held past the timeout) into LedgerError."""
        try:
            yield
        except sqlite3.OperationalError as err:
            if "locked" in str(err) or "busy" in str(err):
                raise LedgerError(
                    f"ledger {self.where} is busy: another process held it for longer than "
                    f"{self.timeout:g} s"
                ) from None
            raise LedgerError(f"ledger {self.where} cannot be used: {err}") from None
        except sqlite3.IntegrityError as err:
            raise LedgerError(f"ledger {self.where} refused a change: {err}") from None
        except sqlite3.Error as err:
            raise LedgerError(f"ledger {self.where} is damaged or unreadable: {err}") from None

    def damage(self) -> list[str]:
        """``PRAGMA integrity_check`` (at most 5 problems): empty when the file is sound."""
        problems = [r[0] for r in self._db.execute("PRAGMA integrity_check(5)")]
        return [] if problems == ["ok"] else problems

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
