"""The referrals ledger: bookings per second from 1 and 4 processes; availability() latency
with the ledger against the directory alone (nominal), for the shipped directory's pathways.

Run ``python benchmarks/capacity.py`` (about a minute) or ``python benchmarks/capacity.py --quick``.

* Bookings: each plan books 2-3 referrals to shipped pathways (places multiplied by 1000, so
  plans succeed but every booking still counts places under the lock) on a day of November 2026.
  Every booking is one ``BEGIN IMMEDIATE`` transaction committed with ``synchronous=FULL`` (an
  fsync per booking), into a fresh ledger file under the system temp folder. Workers are spawned
  processes that start together behind a barrier; the time is from the barrier to the last done.
* Availability: the median of repeated ``availability(all pathways, day)`` calls on a ledger that
  already holds a year at the shipped scale (4,200 referrals) and one holding a national year in
  one file (200,000 referrals), against :class:`NominalCapacity` in the same process on the
  same pathways.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.ledger import DAY, book_plans, fill_referrals
from directory.loading import load
from directory.models import Pathway
from matching.capacity import Ledger, NominalCapacity


def bookings_per_second(processes: int, plans_each: int) -> tuple[float, int]:
    """Committed bookings per second with ``processes`` processes booking at once."""
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "ledger.sqlite")
        Ledger(path).close()
        ctx = multiprocessing.get_context("spawn")
        start = ctx.Barrier(processes + 1)
        done = ctx.Queue()
        procs = [
            ctx.Process(target=book_plans, args=(path, plans_each, seed, start, done))
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
        with Ledger(path) as ledger:
            assert len(ledger.references()) == booked
        return booked / elapsed, booked


def filled_ledger(path: Path, pathways: list[Pathway], referrals: int) -> Ledger:
    """A ledger holding ``referrals`` rows spread over the year to ``DAY`` (bulk-loaded)."""
    ledger = Ledger(path)
    fill_referrals(ledger, pathways, referrals)
    return ledger


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
    args = parser.parse_args()
    plans = 150 if args.quick else 600
    repeat = 50 if args.quick else 300

    print("Bookings (2-3 referrals a plan, one transaction each, synchronous=FULL)")
    one, n1 = bookings_per_second(1, plans)
    four, n4 = bookings_per_second(4, plans // 4)
    print(f"  1 process : {one:8.0f} bookings/s ({n1} plans)")
    print(f"  4 processes: {four:8.0f} bookings/s ({n4} plans)   ratio 4/1: {four / one:.2f}")

    pathways = load().pathways
    nominal = NominalCapacity(today=DAY)
    print(f"availability() of all {len(pathways)} shipped pathways, median of {repeat} calls")
    with tempfile.TemporaryDirectory() as tmp:
        for referrals in (4_200, 200_000):
            ledger = filled_ledger(Path(tmp) / f"l{referrals}.sqlite", pathways, referrals)
            assert (
                ledger.availability(pathways, DAY).keys()
                == nominal.availability(pathways, DAY).keys()
            )
            t_ledger = median_seconds(lambda: ledger.availability(pathways, DAY), repeat)  # noqa: B023
            t_nominal = median_seconds(lambda: nominal.availability(pathways, DAY), repeat)
            ledger.close()
            print(
                f"  ledger of {referrals:>7,} referrals: {t_ledger * 1e3:7.3f} ms   "
                f"nominal: {t_nominal * 1e3:7.3f} ms   ratio ledger/nominal: "
                f"{t_ledger / t_nominal:5.1f}"
            )


if __name__ == "__main__":
    main()
