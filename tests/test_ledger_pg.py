"""The ledger on PostgreSQL: recognised, created once, and foreign databases refused unchanged.

(The behaviour both backends share runs against both in test_capacity, test_cases,
test_cases_cli and test_ledger; this module holds what only a server has.)
"""

from __future__ import annotations

import multiprocessing
from datetime import date
from typing import Any

import psycopg
import pytest

from directory.errors import LedgerError
from matching.capacity import Ledger
from matching.ledger import APPLICATION_ID, SCHEMA_VERSION
from matching.ledger_pg import META_TABLE
from tests.ledger_backends import pg_server
from tests.ledger_workers import pathway
from tests.pg_server import PgServer

__all__ = ["pg_server"]

DAY = date(2026, 11, 23)


def _snapshot(url: str) -> tuple[Any, ...]:
    """Everything a refusal must leave alone: tables, their rows, functions, triggers."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        rows = {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'.encode()))) for t in tables}
        functions = conn.execute(
            "SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE nspname = 'public' ORDER BY 1"
        ).fetchall()
        triggers = conn.execute("SELECT tgname FROM pg_trigger ORDER BY 1").fetchall()
    return tables, rows, functions, triggers


def _foreign(server: PgServer, script: str) -> str:
    url = server.new_database("foreign")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(script.encode())
    return url


def _assert_refused_unchanged(url: str, match: str) -> None:
    before = _snapshot(url)
    with pytest.raises(LedgerError, match=match):
        Ledger(url)
    with pytest.raises(LedgerError, match=match):
        Ledger(url, create=False)
    assert _snapshot(url) == before


def test_a_new_database_becomes_a_ledger_of_this_version(pg_server: PgServer) -> None:
    url = pg_server.new_database()
    with Ledger(url) as ledger:
        ledger.reserve([pathway("p", 3)], reference="r", on=DAY)
    with psycopg.connect(url) as conn:
        assert conn.execute(
            f"SELECT application_id, schema_version FROM {META_TABLE}"
        ).fetchall() == [(APPLICATION_ID, SCHEMA_VERSION)]
    tables = set(_snapshot(url)[0])
    assert tables == {META_TABLE, "referral", "taken", "cases", "conditions", "audit"}
    with Ledger(url, create=False) as ledger:  # opening again changes nothing
        assert ledger.references() == ("r",)


def test_a_database_of_another_application_is_refused_unchanged(pg_server: PgServer) -> None:
    url = _foreign(
        pg_server,
        "CREATE TABLE referral (id INTEGER PRIMARY KEY, reference TEXT, pathway TEXT);"
        "INSERT INTO referral VALUES (1, 'x', 'y');",
    )
    _assert_refused_unchanged(url, "another application .*no pathways_ledger table")


def test_a_ledger_table_of_another_application_is_refused_unchanged(pg_server: PgServer) -> None:
    url = _foreign(
        pg_server,
        f"CREATE TABLE {META_TABLE} (application_id INTEGER, schema_version INTEGER, "
        f"created_at TEXT); INSERT INTO {META_TABLE} VALUES (1179535940, 3, 'x');",
    )
    _assert_refused_unchanged(url, r"another application \(application_id 0x464e4a44")


def test_newer_and_unknown_versions_are_refused_unchanged(pg_server: PgServer) -> None:
    for version, match in [(SCHEMA_VERSION + 1, "newer than this version"), (2, "unknown")]:
        url = pg_server.new_database()
        Ledger(url).close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"UPDATE {META_TABLE} SET schema_version = %s", (version,))
        _assert_refused_unchanged(url, match)


def test_an_empty_database_is_not_made_a_ledger_without_create(pg_server: PgServer) -> None:
    url = pg_server.new_database()
    with pytest.raises(LedgerError, match=r"no ledger at .*empty"):
        Ledger(url, create=False)
    assert _snapshot(url)[0] == []


def test_an_unreachable_server_is_a_clear_error_without_the_password(tmp_path: Any) -> None:
    url = f"postgresql://hub:s3cret@/ledger?host={tmp_path}"
    with pytest.raises(LedgerError, match="cannot connect to the ledger") as caught:
        Ledger(url, timeout=2)
    assert "s3cret" not in str(caught.value)
    assert "hub:***@" in str(caught.value)


def _open_and_book(url: str, n: int, start: Any) -> None:
    start.wait()
    with Ledger(url) as ledger:
        ledger.reserve([pathway("p", None)], reference=f"r{n}", on=DAY)


def test_processes_creating_the_same_ledger_at_once_make_one(pg_server: PgServer) -> None:
    url = pg_server.new_database()
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(4)
    procs = [ctx.Process(target=_open_and_book, args=(url, n, start)) for n in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    with Ledger(url) as ledger:
        assert ledger.references() == ("r0", "r1", "r2", "r3")
    with psycopg.connect(url) as conn:
        assert conn.execute(f"SELECT count(*) FROM {META_TABLE}").fetchone() == (1,)


def test_a_writer_waiting_past_its_timeout_is_told_the_ledger_is_busy(
    pg_server: PgServer,
) -> None:
    url = pg_server.new_database()
    p = pathway("p", 5)
    with Ledger(url) as holder, Ledger(url, timeout=1) as waiter:
        with holder.store.write(["places p 2026-11"]), pytest.raises(LedgerError, match="busy"):
            waiter.reserve([p], reference="w", on=DAY)
        assert waiter.reserve([p], reference="w", on=DAY).placed == ("p",)  # lock released
