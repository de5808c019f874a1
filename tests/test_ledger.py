"""The ledger file: what it stores, how it is recognised, upgraded, refused, and crash safety."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from directory.errors import LedgerError
from matching.capacity import Ledger
from matching.ledger import APPLICATION_ID, SCHEMA_VERSION, connect, read_header
from tests.ledger_backends import ledger_target, pg_server
from tests.ledger_workers import CRASH_PLAN, pathway

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ledger_target", "pg_server"]

DAY = date(2026, 11, 23)
WORKER = Path(__file__).with_name("ledger_workers.py")


def _columns(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[1] for row in conn.execute("PRAGMA table_info(referral)")}
    finally:
        conn.close()


def _pragma(path: Path, name: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def _siblings(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


# ----------------------------------------------------------------------------- the new file
def test_new_ledger_is_recognisable_and_stores_only_what_capacity_needs(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        ledger.reserve([pathway("p", 3)], reference="ref-1", on=DAY)
    assert read_header(path) == (APPLICATION_ID, SCHEMA_VERSION)
    assert _pragma(path, "journal_mode") == "wal"
    assert _columns(path) == {
        "id",
        "reference",
        "pathway",
        "period",
        "booked_on",
        "created_at",
        "updated_at",
        "attended_at",
        "status",
        "waitlisted",
    }
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    row = conn.execute(
        "SELECT reference, pathway, period, status, waitlisted FROM referral"
    ).fetchall()
    conn.close()
    # taken: places per pathway and period; cases, conditions and their audit trail (empty)
    assert tables == {"referral", "taken", "cases", "conditions", "audit"}
    assert row == [("ref-1", "p", "2026-11", "booked", 0)]
    assert not any(name.endswith(".new") for name in _siblings(path))  # no temporary left


def test_statuses_outside_the_list_are_refused_by_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    Ledger(path).close()
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute(
            "INSERT INTO referral (reference, pathway, period, booked_on, created_at, "
            "updated_at, status) VALUES ('r', 'p', '2026-11', '2026-11-23', 'x', 'x', 'lost')"
        )
    conn.close()


def test_an_empty_file_becomes_a_ledger(tmp_path: Path) -> None:
    path = tmp_path / "touched.sqlite"
    path.touch()
    with Ledger(path) as ledger:
        assert ledger.references() == ()
    assert read_header(path) == (APPLICATION_ID, SCHEMA_VERSION)


def test_missing_files_and_folders(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="no ledger at"):
        Ledger(tmp_path / "absent.sqlite", create=False)
    assert not (tmp_path / "absent.sqlite").exists()
    with pytest.raises(LedgerError, match="no folder"):
        Ledger(tmp_path / "nowhere" / "l.sqlite")
    with pytest.raises(LedgerError, match="is a folder"):
        Ledger(tmp_path)
    (tmp_path / "empty.sqlite").touch()
    with pytest.raises(LedgerError, match="empty"):
        Ledger(tmp_path / "empty.sqlite", create=False)


def test_os_errors_become_ledger_errors(tmp_path: Path) -> None:
    dangling = tmp_path / "dangling.sqlite"
    dangling.symlink_to(tmp_path / "gone" / "ledger.sqlite")
    with pytest.raises(LedgerError, match="cannot open the ledger"):
        Ledger(dangling)
    assert dangling.is_symlink()
    assert not (tmp_path / "gone").exists()


def _open_and_book(path: str, n: int, start: object) -> None:
    start.wait()  # type: ignore[attr-defined]
    with Ledger(path) as ledger:
        ledger.reserve([pathway("p", None)], reference=f"r{n}", on=DAY)


def test_processes_creating_the_same_ledger_at_once_share_one_file(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(4)
    procs = [ctx.Process(target=_open_and_book, args=(str(path), n, start)) for n in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    with Ledger(path) as ledger:
        assert ledger.references() == ("r0", "r1", "r2", "r3")
    assert not any(name.endswith(".new") for name in _siblings(path))


# ----------------------------------------------------------------------------- refusals
def _assert_refused_unchanged(path: Path, match: str) -> None:
    before = path.read_bytes()
    around = _siblings(path)
    with pytest.raises(LedgerError, match=match):
        Ledger(path)
    with pytest.raises(LedgerError, match=match):
        connect(path, create=True)
    assert path.read_bytes() == before
    assert _siblings(path) == around  # no -wal, -shm or journal left behind


@pytest.mark.parametrize("size", [1, 99, 100, 4096, 65536])
def test_random_bytes_are_refused_unchanged(tmp_path: Path, size: int) -> None:
    path = tmp_path / "random.sqlite"
    path.write_bytes(random.Random(size).randbytes(size))
    _assert_refused_unchanged(path, "not a SQLite database")


def test_a_sqlite_file_of_another_application_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        PRAGMA journal_mode = WAL;
        CREATE TABLE referral (id INTEGER PRIMARY KEY, reference TEXT, pathway TEXT);
        INSERT INTO referral VALUES (1, 'x', 'y');
        PRAGMA user_version = 2;
        """
    )
    conn.close()
    _assert_refused_unchanged(path, "another application")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1179535940")  # another app's id ("FOSD")
    conn.commit()
    conn.close()
    _assert_refused_unchanged(path, "another application")


def test_a_newer_ledger_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    Ledger(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    _assert_refused_unchanged(path, "newer than this version")


def test_a_damaged_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite"
    with Ledger(path) as ledger:
        for i in range(200):
            ledger.reserve([pathway("p", None)], reference=f"r{i}", on=DAY)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    assert len(data) > 3 * page_size
    data[page_size:] = random.Random(1).randbytes(len(data) - page_size)  # keep the header page
    path.write_bytes(bytes(data))
    with Ledger(path) as ledger:  # opening reads the first page only
        with pytest.raises(LedgerError, match="is damaged"):
            ledger.check()
        with pytest.raises(LedgerError, match="is damaged or unreadable"):
            ledger.references()


def test_check_finds_places_taken_that_disagree_with_referrals(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        ledger.reserve([pathway("p", 3)], reference="a", on=DAY)
        ledger.check()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE taken SET places = 0")  # as if someone edited the file by hand
    conn.commit()
    conn.close()
    with Ledger(path) as ledger, pytest.raises(LedgerError, match="disagree"):
        ledger.check()


# ----------------------------------------------------------------------------- migrations
V1_SCHEMA = """
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


def _v1_file(path: Path, rows: list[tuple[str, str, str, str, str]]) -> None:
    """A version 1 ledger written by hand, as the first draft of the code wrote them."""
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.executemany(
        "INSERT INTO referral (reference, pathway, period, created_at, status) VALUES (?,?,?,?,?)",
        rows,
    )
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


V1_ROWS = [
    ("a", "p", "2026-11", "2026-11-02T09:00:00+00:00", "booked"),
    ("b", "p", "2026-11", "2026-11-03T10:00:00+00:00", "attended"),
    ("c", "p", "2026-11", "2026-11-04T11:00:00+00:00", "completed"),
    ("d", "p", "2026-11", "2026-11-05T12:00:00+00:00", "cancelled"),
    ("d", "q", "2026-11", "2026-11-05T12:00:00+00:00", "breached"),
]


def test_a_version_1_ledger_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite"
    _v1_file(path, V1_ROWS)
    assert read_header(path) == (APPLICATION_ID, 1)
    p = pathway("p", 4)
    with Ledger(path) as ledger:
        assert ledger.booked("p", "2026-11") == 3  # cancelled d does not count
        assert ledger.availability([p], DAY)["p"].left == 1
        got = {(e.reference, e.pathway): e for ref in "abcd" for e in ledger.referrals(ref)}
        assert {k: (e.status, e.attended, e.waitlisted, e.booked_on) for k, e in got.items()} == {
            ("a", "p"): ("booked", False, False, date(2026, 11, 2)),
            ("b", "p"): ("attended", True, False, date(2026, 11, 3)),
            ("c", "p"): ("completed", True, False, date(2026, 11, 4)),
            ("d", "p"): ("cancelled", False, False, date(2026, 11, 5)),
            ("d", "q"): ("breached", False, False, date(2026, 11, 5)),
        }
        ledger.reserve([p], reference="e", on=DAY, allow_waitlist=True)  # new columns work
        assert ledger.reserve([p], reference="f", on=DAY, allow_waitlist=True).waitlisted
    assert _pragma(path, "user_version") == SCHEMA_VERSION
    assert _pragma(path, "journal_mode") == "wal"
    assert "waitlisted" in _columns(path)
    with Ledger(path) as ledger:
        ledger.check()  # places taken were counted from the version 1 rows
    conn = sqlite3.connect(path)
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    conn.close()
    assert "referral_period" not in indexes
    assert "referral_booked_on" in indexes
    with Ledger(path) as ledger:  # opening again changes nothing
        assert ledger.references() == ("a", "b", "c", "d", "e", "f")


def test_a_version_1_ledger_that_cannot_be_upgraded_is_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite"
    _v1_file(path, [*V1_ROWS, ("z", "p", "2026-11", "2026-11-06T00:00:00+00:00", "lost")])
    before = path.read_bytes()
    with pytest.raises(LedgerError, match="cannot upgrade: 1 referral"):
        Ledger(path)
    assert path.read_bytes() == before
    assert _pragma(path, "user_version") == 1


# ----------------------------------------------------------------------------- crash safety
def _log_lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.parametrize("point", ["insert-1", "insert-100", "commit"])
def test_a_process_killed_mid_booking_leaves_none_of_the_plan(
    ledger_target: Callable[[], str], tmp_path: Path, point: str
) -> None:
    """A child books two 200-referral plans, then stops inside the third at a chosen point
    (before its first referral, after 99 of them, or just before COMMIT) and is killed there
    (SIGKILL). The third plan is wholly absent, the first two wholly present, the places taken
    still equal the referrals, and another process can book at once (the locks were freed)."""
    target = ledger_target()
    log = tmp_path / "log"
    Ledger(target).close()
    env = {**os.environ, "PYTHONPATH": str(WORKER.parent.parent)}
    child = subprocess.Popen([sys.executable, str(WORKER), target, str(log), point], env=env)
    deadline = time.monotonic() + 120
    try:
        while not any(x.startswith("P ") for x in _log_lines(log)):
            assert child.poll() is None, "the booking child died on its own"
            assert time.monotonic() < deadline, "the booking child never reached the point"
            time.sleep(0.01)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    lines = _log_lines(log)
    done = [x[2:] for x in lines if x.startswith("D ")]
    in_flight = lines[-1][2:]
    assert len(done) == 2
    assert lines[-2:] == [f"B {in_flight}", f"P {in_flight}"]
    with Ledger(target, timeout=120) as ledger:
        counts = {r: len(ledger.referrals(r)) for r in ledger.references()}
        assert counts == {ref: len(CRASH_PLAN) for ref in done}  # in_flight: none of it
        ledger.check()  # places taken still equal the referrals
        ledger.reserve([pathway("other", 1)], reference="after", on=DAY)  # locks were freed
        ledger.reserve(CRASH_PLAN[:1], reference="again", on=DAY)
    if ledger_target.backend == "sqlite":  # type: ignore[attr-defined]
        assert _pragma(Path(target), "integrity_check") == "ok"
