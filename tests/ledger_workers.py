"""Code that runs in other processes during the ledger tests (spawned workers, killed children).

Kept apart from the test modules so that a child imports only the library, not pytest.
Run as a script, it books plans until it stops at a chosen point inside the third one, to be
killed there: ``python ledger_workers.py LEDGER LOG POINT``.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from typing import Any

from directory.errors import PlaceFullError
from directory.models import Capacity, Pathway
from matching.capacity import Ledger

UPDATED = date(2026, 10, 1)


def pathway(ident: str, places: int | None, per: str = "month", status: str = "open") -> Pathway:
    """A pathway with just what capacity needs."""
    cap = Capacity(places=places, per=per, status=status, updated=UPDATED)  # type: ignore[arg-type]
    return Pathway(id=ident, name=ident.title(), needs=("debt",), capacity=cap)


#: Pathways with few places, shared by the concurrency test and its workers (both sides build
#: the same objects from this table).
CONTENDED: dict[str, Pathway] = {
    p.id: p
    for p in (
        pathway("tiny", 2),
        pathway("small", 3),
        pathway("medium", 5),
        pathway("large", 8),
        pathway("weekly", 2, per="week"),
        pathway("quarterly", 6, per="quarter"),
        pathway("unlimited", None),
    )
}

Plan = tuple[str, tuple[str, ...], str]  # reference, pathway ids, day (ISO)


def book_plans(ledger_path: str, plans: list[Plan], answers_path: str, start: Any = None) -> None:
    """Book each plan; write lines ``reference answer`` to ``answers_path``, where the answer is
    ``booked``, ``full <pathway> <period>`` or ``error ...``. With ``start`` (a barrier), wait on
    it after opening the ledger so that every worker begins booking at the same moment."""
    out: list[tuple[str, str]] = []
    with Ledger(ledger_path, timeout=120) as ledger:
        if start is not None:
            start.wait()
        for reference, ids, day in plans:
            try:
                ledger.reserve(
                    [CONTENDED[i] for i in ids], reference=reference, on=date.fromisoformat(day)
                )
            except PlaceFullError as err:
                out.append((reference, f"full {err.pathway} {err.period}"))
            except Exception as err:  # reported to the test, which fails on it
                out.append((reference, f"error {type(err).__name__}: {err}"))
            else:
                out.append((reference, "booked"))
    with open(answers_path, "w", encoding="utf-8") as f:
        f.writelines(f"{reference} {answer}\n" for reference, answer in out)


#: Pathways of the plans booked in a loop by the child that is killed.
CRASH_PLAN: tuple[Pathway, ...] = tuple(
    pathway(f"crash-{i}", None if i % 2 else 10**9) for i in range(200)
)


def book_until_killed(ledger_target: str, log_path: str, pause_at: str) -> None:
    """Book 200-referral plans, logging ``B ref`` before and ``D ref`` after each one; in the
    third plan, stop at ``pause_at`` (``insert-N``: just before the Nth referral is written;
    ``commit``: just before the transaction commits), log ``P ref`` and wait to be killed."""
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with Ledger(ledger_target) as ledger:
        inserts = 0
        paused = False

        def trace(sql: str) -> None:
            nonlocal inserts
            if not paused:
                return
            if sql.lstrip().startswith("INSERT INTO referral"):
                inserts += 1
            if pause_at == "commit" if sql == "COMMIT" else pause_at == f"insert-{inserts}":
                os.write(fd, f"P {reference}\n".encode())
                time.sleep(600)  # until killed

        ledger.store.trace = trace
        for i in range(3):
            reference = f"{os.getpid()}-{i}"
            paused = i == 2
            os.write(fd, f"B {reference}\n".encode())
            ledger.reserve(CRASH_PLAN, reference=reference, on=date(2026, 11, 23))
            os.write(fd, f"D {reference}\n".encode())
    raise SystemExit(f"the booking child never paused at {pause_at}")


if __name__ == "__main__":
    book_until_killed(sys.argv[1], sys.argv[2], sys.argv[3])
