"""The library behind the routes: matching, booking, capacity and gaps on one worker thread.

A :class:`~matching.capacity.Ledger` is one SQLite connection to be used from one thread, and
the matcher is CPU-bound (more threads in one process would only queue on the interpreter), so
each server process runs every library call on one thread of its own, which opens the matcher
and the ledger once. Processes scale it (``pathways serve --workers N``); the ledger keeps
bookings from many processes exact.

Nothing here is web-specific: each method takes and returns plain data, computed by the very
functions the command line calls (:class:`~matching.match.Matcher`,
:func:`matching.cohort.assessment_from_record`, :func:`matching.capacity.book`,
:func:`matching.capacity.places`, :func:`matching.gaps.gaps` and
:func:`pathways.gaps_report.gap_tables`).
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from directory.errors import InvalidArgumentError, NotFoundError
from matching.assessment import Assessor
from matching.capacity import Ledger, NominalCapacity, book, booking_request, places
from matching.cohort import assessment_from_record
from matching.demand import read_counts
from matching.gaps import gaps
from matching.match import Matcher
from pathways.gaps_report import gap_tables

if TYPE_CHECKING:
    from directory.models import Directory
    from matching.assessment import Assessment
    from matching.demand import Demand

__all__ = ["Engine", "LedgerSource"]

P = ParamSpec("P")
R = TypeVar("R")

#: A ledger file, or a function that opens a ledger (called once, on the engine's thread).
LedgerSource = str | os.PathLike[str] | Callable[[], Ledger]


class Engine:
    """Library calls for one server process, run on its one worker thread (module notes).

    ``demand`` is a counts table (CSV: district, need, period, count) whose gaps ``GET /gaps``
    publishes; without it there are no gaps to publish.
    """

    def __init__(
        self,
        directory: Directory,
        *,
        ledger: LedgerSource | None = None,
        demand: str | os.PathLike[str] | None = None,
    ) -> None:
        self.directory = directory
        self._ledger_source = ledger
        self._demand: dict[str, Demand] | None = (
            read_counts(Path(demand), directory) if demand is not None else None
        )
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pathways-engine")
        self._gaps: dict[str, dict[str, Any]] = {}

    @property
    def has_ledger(self) -> bool:
        """True when bookings go to a ledger (else places are the directory's)."""
        return self._ledger_source is not None

    @property
    def has_demand(self) -> bool:
        """True when a counts table was given, so there are gaps to publish."""
        return self._demand is not None

    async def run(self, func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run ``func`` on the engine's thread and wait for it without blocking the loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(func, *args, **kwargs))

    def close(self) -> None:
        """Close the ledger (on its thread) and stop the thread."""
        if self._ledger_source is not None:
            self._pool.submit(self._close_ledger).result()
        self._pool.shutdown(wait=True)

    # --------------------------------------------------------------- on the engine's thread
    def _close_ledger(self) -> None:
        ledger: Ledger | None = getattr(self._local, "ledger", None)
        if ledger is not None:
            ledger.close()
            self._local.ledger = None

    def _ledger(self) -> Ledger | None:
        source = self._ledger_source
        if source is None:
            return None
        ledger: Ledger | None = getattr(self._local, "ledger", None)
        if ledger is None:
            ledger = source() if callable(source) else Ledger(source)
            self._local.ledger = ledger
        return ledger

    def _matcher(self) -> Matcher:
        matcher: Matcher | None = getattr(self._local, "matcher", None)
        if matcher is None:
            matcher = Matcher(self.directory, availability=self._ledger())
            self._local.matcher = matcher
        return matcher

    def assess(self, record: object) -> Assessment:
        """An assessment from a JSON object (the fields of a cohort file's JSON line).

        Raises :class:`~directory.errors.AssessmentError` listing every field's problem.
        """
        return assessment_from_record(self._matcher().assessor, record)

    def match(self, record: object, on: date | None = None) -> dict[str, Any]:
        """The plan of one assessment as ``pathways match --json`` prints it."""
        matcher = self._matcher()
        # an assessor of this request's own (sharing the compiled taxonomy and gazetteer), so the
        # words it records as read are this person's alone: never another request's
        shared = matcher.assessor
        assessor = Assessor(self.directory, taxonomy=shared.taxonomy, gazetteer=shared.gazetteer)
        plan = matcher.match(assessment_from_record(assessor, record), on=on)
        plan = plan.model_copy(update={"interpreted": assessor.readings()})
        return plan.model_dump(mode="json")

    def book(
        self, plan: object, *, on: date | None = None, allow_waitlist: bool = False
    ) -> dict[str, Any]:
        """Book a plan's referrals in the ledger, all or none (:func:`matching.capacity.book`)."""
        ledger = self._ledger()
        if ledger is None:
            raise InvalidArgumentError("this server has no referrals ledger: nothing is booked")
        booking = book(
            ledger,
            self.directory,
            booking_request(plan),
            on=on or date.today(),
            allow_waitlist=allow_waitlist,
        )
        return {
            "reference": booking.reference,
            "on": booking.on.isoformat(),
            "referrals": [
                {"pathway": b.pathway, "period": b.period, "waitlisted": b.waitlisted}
                for b in booking.referrals
            ],
        }

    def capacity(
        self, *, on: date | None = None, district: str | None = None, need: str | None = None
    ) -> list[dict[str, Any]]:
        """Places and places left of every active pathway, as ``pathways capacity`` lists them."""
        source = self._ledger() or NominalCapacity()
        rows = places(self.directory, source, on=on or date.today(), district=district, need=need)
        return [
            {
                "pathway": r.pathway,
                "name": r.name,
                "agency": r.agency,
                "per": r.per,
                "period": r.availability.period,
                "status": r.availability.status,
                "places": r.availability.places,
                "booked": r.booked,
                "left": r.availability.left,
                "updated": r.updated.isoformat() if r.updated is not None else None,
            }
            for r in rows
        ]

    def periods(self) -> list[str]:
        """The periods the counts table holds, sorted."""
        return sorted(self._demand or {})

    def gap_tables(self, period: str | None = None) -> dict[str, Any]:
        """The published gap tables of the counts table's ``period`` (default: its latest)."""
        if self._demand is None:
            raise NotFoundError("demand table", "none was given to this server")
        chosen = period if period is not None else max(self._demand)
        if chosen not in self._demand:
            raise NotFoundError("period", chosen, sorted(self._demand))
        held = self._gaps.get(chosen)
        if held is None:
            result = gaps(self.directory, self._demand[chosen], period=chosen)
            held = {"period": chosen, "tables": gap_tables(result)}
            self._gaps[chosen] = held
        return held
