"""The referrals ledger on both backends, side by side: bookings per second from 1 and 8
processes, and availability() latency, on SQLite (a file) and PostgreSQL (a server).

Run ``python benchmarks/ledger.py`` (a few minutes on a loaded machine; ``--quick`` for less,
``--backend sqlite|postgresql`` for one). PostgreSQL is a private server started for the run
(``tests/pg_server.py``: initdb, pg_ctl, a unix socket; as root it runs as ``postgres``) with its
durable defaults (fsync on, synchronous_commit on), so both backends wait for the disk at each
commit.

* Bookings: each plan books 2-3 referrals to shipped pathways (places multiplied by 1000, so
  plans succeed but every booking still counts places under its locks) on one day. Every booking
  is one transaction. Workers are spawned processes that start together behind a barrier; the
  time is from the barrier to the last done.
* Availability: the median of repeated ``availability(all pathways, day)`` calls on a ledger
  holding a county year (4,200 referrals) and a national year (200,000), bulk-loaded (then
  ``VACUUM ANALYZE`` on PostgreSQL, ``ANALYZE`` on SQLite).
* Statements per booking: how many statements one booking sends (each one a round trip to the
  server on PostgreSQL, a call into the library on SQLite), counted with the store's trace.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from directory.loading import load
from directory.models import Pathway
from matching.capacity import Ledger, period_for
from tests.pg_server import PgServer

DAY = date(2026, 11, 23)


def roomy_pathways() -> list[Pathway]:
    """The shipped active, open pathways with 1000 times their places (None stays None)."""
    out = []
    for p in load().pathways:
        cap = p.capacity
        if not p.active or (cap is not None and cap.status != "open"):
            continue
        if cap is not None and cap.places is not None:
            p = p.model_copy(
                update={"capacity": cap.model_copy(update={"places": cap.places * 1000})}
            )
        out.append(p)
    return out


def book_plans(target: str, n: int, seed: int, start: Any, done: Any) -> None:
    """One booking process: ``n`` random plans of 2-3 roomy pathways, from the barrier on."""
    pathways = roomy_pathways()
    rng = random.Random(seed)
    plans = [rng.sample(pathways, rng.randint(2, 3)) for _ in range(n)]
    with Ledger(target, timeout=120) as ledger:
        start.wait()
        for i, plan in enumerate(plans):
            ledger.reserve(plan, reference=f"s{seed}-{i}", on=DAY)
    done.put(n)


def bookings_per_second(target: str, processes: int, plans_each: int) -> float:
    """Committed bookings per second with ``processes`` processes booking into ``target``."""
    Ledger(target).close()
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(processes + 1)
    done = ctx.Queue()
    procs = [
        ctx.Process(target=book_plans, args=(target, plans_each, seed, start, done))
        for seed in range(processes)
    ]
    for p in procs:
        p.start()
    start.wait()
    t0 = time.perf_counter()
    booked = sum(done.get() for _ in procs)
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
    with Ledger(target) as ledger:
        assert len(ledger.references()) == booked
        ledger.check()
    return booked / elapsed


def fill_referrals(ledger: Ledger, pathways: list[Pathway], referrals: int) -> None:
    """Bulk-load ``referrals`` rows spread over the year to ``DAY`` (two per reference), in
    one transaction of multi-row inserts that both backends accept; then ANALYZE."""
    rng = random.Random(1)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    rows: list[tuple[str, ...]] = []
    for i in range(referrals):
        p = rng.choice(pathways)
        day = DAY - timedelta(days=rng.randrange(365))
        rows.append((f"r{i // 2}", p.id, period_for(p, day).key, day.isoformat(), stamp, stamp))
    store = ledger.store
    with store.guard(), store.write():
        for at in range(0, len(rows), 500):
            chunk = rows[at : at + 500]
            store.execute(
                "INSERT INTO referral (reference, pathway, period, booked_on, created_at, "
                "updated_at) VALUES "
                + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(chunk))
                + " ON CONFLICT DO NOTHING",
                [v for row in chunk for v in row],
            )
    with store.guard():  # outside a transaction: PostgreSQL's VACUUM cannot run in one
        # the trigger updated a row of taken per referral: PostgreSQL keeps the old versions
        # until vacuumed (autovacuum does it in time at a booking's pace, not within a bulk load)
        store.execute("VACUUM ANALYZE" if store.kind == "postgresql" else "ANALYZE")


def median_seconds(call: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer bookings and calls")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    plans = 120 if args.quick else 400
    repeat = 50 if args.quick else 200
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    server = PgServer.start(durable=True) if "postgresql" in backends else None
    tmp = tempfile.TemporaryDirectory()
    made = iter(range(1000))

    def target(backend: str) -> str:
        if backend == "postgresql":
            assert server is not None
            return server.new_database("bench")
        return str(Path(tmp.name) / f"ledger-{next(made)}.sqlite")

    pathways = load().pathways
    try:
        print("Statements per booking of a 3-referral plan (COMMIT included)")
        for backend in backends:
            with Ledger(target(backend)) as ledger:
                seen: list[str] = []
                ledger.store.trace = seen.append
                ledger.reserve(roomy_pathways()[:3], reference="count", on=DAY)
                extra = 1 if backend == "postgresql" else 0  # the advisory locks, not traced
            print(f"  {backend:<11} {len(seen) + extra} (+ BEGIN)")
        print("Bookings per second (2-3 referrals a plan, one transaction each, durable commits)")
        print(f"  {'backend':<11} {'1 process':>10} {'8 processes':>12} {'ratio 8/1':>10}")
        for backend in backends:
            one = bookings_per_second(target(backend), 1, plans)
            eight = bookings_per_second(target(backend), 8, plans // 8)
            print(f"  {backend:<11} {one:10.0f} {eight:12.0f} {eight / one:10.2f}")
        print(f"availability() of all {len(pathways)} shipped pathways, median of {repeat} calls")
        for referrals in (4_200, 200_000):
            for backend in backends:
                with Ledger(target(backend), today=DAY) as ledger:
                    fill_referrals(ledger, pathways, referrals)
                    ledger.check()
                    ms = 1e3 * median_seconds(lambda: ledger.availability(pathways, DAY), repeat)
                print(f"  {backend:<11} ledger of {referrals:>7,} referrals: {ms:7.3f} ms")
    finally:
        tmp.cleanup()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
