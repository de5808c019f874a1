"""Availability: places a pathway has this period, from the directory alone or from a ledger.

A pathway's :class:`~directory.models.Capacity` says what it can take: ``places`` per ``per``
(week, month or quarter), a ``status`` (open, waitlist, closed) and when that was ``updated``.
``capacity: None`` means places are not limited or not recorded. Two sources answer "is there a
place for this person on this date?" through one protocol, :class:`AvailabilitySource`:

* :class:`NominalCapacity` reads the directory alone: every place is free (``left == places``,
  0 when closed);
* :class:`Ledger` also counts the referrals already booked in the period, in an SQLite file that
  several processes share or a PostgreSQL database that several machines share
  (:mod:`matching.store`). Booking a plan (:meth:`Ledger.reserve`) is all-or-nothing and never
  overbooks: the count and the inserts happen in one write transaction that holds the lock of
  every (pathway, period) it counts.

Capacity whose ``updated`` date is older than ``stale_after`` (default 180 days) is reported as
stale, so a plan can say "places last confirmed in March".

>>> from directory.models import Capacity, Pathway
>>> p = Pathway(id="p1", name="P1", needs=("debt",),
...             capacity=Capacity(places=2, per="week", status="open", updated="2026-10-01"))
>>> a = NominalCapacity(today=date(2026, 11, 23)).availability([p], date(2026, 11, 23))["p1"]
>>> a.places, a.left, a.period, a.stale, a.has_place
(2, 2, '2026-W48', False, True)
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol, Self, get_args

from directory.errors import (
    CapacityError,
    InvalidArgumentError,
    LedgerError,
    NotFoundError,
    PlaceFullError,
)
from directory.rules import did_you_mean
from matching.ledger import STATUSES
from matching.periods import PERS, Period, period_of
from matching.store import is_url, open_store, redact

if TYPE_CHECKING:
    import os
    from collections.abc import Collection, Mapping, Sequence
    from types import TracebackType

    from directory.models import Directory, Pathway
    from matching.store import Store

__all__ = [
    "STALE_AFTER",
    "Availability",
    "AvailabilitySource",
    "Booked",
    "Booking",
    "BookingRequest",
    "Entry",
    "Ledger",
    "NominalCapacity",
    "PlacesRow",
    "ReferralStatus",
    "Tally",
    "book",
    "booking_request",
    "is_stale",
    "period_for",
    "places",
]

#: Capacity not updated for longer than this is reported as stale.
STALE_AFTER = timedelta(days=180)

Status = Literal["open", "waitlist", "closed"]
ReferralStatus = Literal["booked", "attended", "completed", "cancelled", "breached"]
assert get_args(ReferralStatus) == STATUSES

_REFERENCE = re.compile(r"^[!-~]{1,128}$")  # printable ASCII, no spaces
#: Status changes :meth:`Ledger.set_status` allows (waitlisted referrals can only be cancelled).
_NEXT: dict[str, frozenset[str]] = {
    "booked": frozenset({"attended", "completed", "breached", "cancelled"}),
    "attended": frozenset({"completed", "breached"}),
    "completed": frozenset(),
    "breached": frozenset(),
    "cancelled": frozenset(),
}


@dataclass(frozen=True, slots=True)
class Availability:
    """Places of one pathway in one period.

    >>> Availability(places=4, left=0, status="open", period="2026-11", stale=False).has_place
    False
    >>> Availability(4, 0, "open", "2026-11", False).waitlist_possible
    True
    >>> Availability(None, None, "open", "2026-11", False).has_place   # not limited
    True
    """

    places: int | None
    """Nominal places in the period (None: not limited or not recorded)."""
    left: int | None
    """Places left in the period (None: not limited)."""
    status: Status
    """The directory's status: open, waitlist or closed."""
    period: str
    """The period's key: ``2026-W48``, ``2026-11`` or ``2026-Q4``."""
    stale: bool
    """The capacity was last updated longer ago than the source's ``stale_after``."""

    @property
    def has_place(self) -> bool:
        """Open and a place left (or places not limited)."""
        return self.status == "open" and (self.left is None or self.left > 0)

    @property
    def waitlist_possible(self) -> bool:
        """Not closed: a full or waitlist-status pathway can still take a waitlisted referral."""
        return self.status != "closed"


class AvailabilitySource(Protocol):
    """Anything that tells places left for many pathways at once (one SQL query for a ledger)."""

    def availability(self, pathways: Sequence[Pathway], on: date) -> Mapping[str, Availability]:
        """Availability of each pathway, by pathway id, in the period containing ``on``."""
        ...


def period_for(pathway: Pathway, on: date) -> Period:
    """The capacity period of ``pathway`` containing ``on`` (monthly when capacity is unknown).

    >>> from directory.models import Capacity, Pathway
    >>> p = Pathway(id="p", name="P", needs=("debt",),
    ...             capacity=Capacity(places=9, per="quarter", updated="2026-01-05"))
    >>> period_for(p, date(2026, 12, 31)).key
    '2026-Q4'
    """
    return period_of(on, pathway.capacity.per if pathway.capacity is not None else "month")


def _periods(pathways: Sequence[Pathway], on: date) -> dict[str, Period]:
    """Each pathway's period containing ``on`` (computed once per kind of period)."""
    kinds = {per: period_of(on, per) for per in PERS}
    return {p.id: kinds[p.capacity.per if p.capacity is not None else "month"] for p in pathways}


def is_stale(pathway: Pathway, today: date, stale_after: timedelta = STALE_AFTER) -> bool:
    """Whether the pathway's capacity was updated more than ``stale_after`` before ``today``.

    >>> from directory.models import Capacity, Pathway
    >>> p = Pathway(id="p", name="P", needs=("debt",),
    ...             capacity=Capacity(places=9, updated="2026-01-05"))
    >>> is_stale(p, date(2026, 7, 4)), is_stale(p, date(2026, 7, 5))
    (False, True)
    """
    cap = pathway.capacity
    return cap is not None and today - cap.updated > stale_after


def _availability(
    pathway: Pathway, period: Period, booked: int, today: date, stale_after: timedelta
) -> Availability:
    cap = pathway.capacity
    if cap is None:
        return Availability(None, None, "open", period.key, False)
    if cap.places is None:
        left = None
    elif cap.status == "closed":
        left = 0
    else:
        left = max(0, cap.places - booked)
    return Availability(
        cap.places, left, cap.status, period.key, is_stale(pathway, today, stale_after)
    )


class NominalCapacity:
    """Availability from the directory alone: every place is free (``left == places``).

    Use it where no ledger is kept, or to plan with what the directory says. A closed pathway
    has ``left == 0``. ``today`` (default: the real date at each call) judges staleness.

    >>> from directory.models import Capacity, Pathway
    >>> shut = Pathway(id="shut", name="Shut", needs=("debt",),
    ...                capacity=Capacity(places=5, status="closed", updated="2025-01-01"))
    >>> a = NominalCapacity(today=date(2026, 11, 1)).availability([shut], date(2026, 11, 1))
    >>> a["shut"].left, a["shut"].stale, a["shut"].waitlist_possible
    (0, True, False)
    """

    def __init__(self, *, stale_after: timedelta = STALE_AFTER, today: date | None = None) -> None:
        self.stale_after = stale_after
        self.today = today

    def availability(self, pathways: Sequence[Pathway], on: date) -> dict[str, Availability]:
        """Availability of each pathway, by id, in its period containing ``on``."""
        today = self.today or date.today()
        periods = _periods(pathways, on)
        return {p.id: _availability(p, periods[p.id], 0, today, self.stale_after) for p in pathways}


@dataclass(frozen=True, slots=True)
class Booked:
    """One referral of a booking: the pathway, the period it counts in, and whether it waits."""

    pathway: str
    period: str
    waitlisted: bool


@dataclass(frozen=True, slots=True)
class Booking:
    """The result of :meth:`Ledger.reserve`: every referral of one plan, under one reference."""

    reference: str
    on: date
    referrals: tuple[Booked, ...]

    @property
    def waitlisted(self) -> tuple[str, ...]:
        """Pathway ids booked as waitlisted (no place taken)."""
        return tuple(r.pathway for r in self.referrals if r.waitlisted)

    @property
    def placed(self) -> tuple[str, ...]:
        """Pathway ids that took a place."""
        return tuple(r.pathway for r in self.referrals if not r.waitlisted)


@dataclass(frozen=True, slots=True)
class Entry:
    """One referral as the ledger holds it."""

    reference: str
    pathway: str
    period: str
    booked_on: date
    status: ReferralStatus
    waitlisted: bool
    attended: bool


@dataclass(frozen=True, slots=True)
class Tally:
    """Counts of one pathway's referrals booked in a date range (for outcomes).

    ``referrals`` counts referrals that took a place and were not cancelled; ``attended`` those
    of them that attended at least once (completed ones included); ``waitlisted`` those still
    waiting; ``cancelled`` every cancelled one.
    """

    pathway: str
    referrals: int
    waitlisted: int
    cancelled: int
    attended: int
    completed: int
    breached: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _check_reference(reference: str) -> str:
    if not isinstance(reference, str) or not _REFERENCE.match(reference):
        raise InvalidArgumentError(
            f"reference {reference!r} must be 1 to 128 printable characters without spaces"
        )
    return reference


def _lock(pathway: str, period: str) -> str:
    """The lock key of one pathway's places in one period."""
    return f"places {pathway} {period}"


def _ref_lock(reference: str) -> str:
    """The lock key of one reference's rows."""
    return f"reference {reference}"


class Ledger:
    """Referrals booked per pathway and period, in a database shared by many processes.

    ``path`` is the ledger: an SQLite file (created when missing unless ``create=False``; see
    :mod:`matching.ledger` for the schema and how foreign or older files are handled) or a
    ``postgresql://`` URL (:mod:`matching.ledger_pg`); the :attr:`store` is the open
    connection to either. The ledger
    does not hold the directory: each call takes the :class:`~directory.models.Pathway` objects
    of the snapshot in use, whose ``capacity`` gives places, period and status.

    One :class:`Ledger` is one connection: use it from one thread; open one per process (it is
    safe for many processes to open the same file at once). ``timeout`` is how many seconds a
    writer waits for another's transaction. Close it, or use it as a context manager.

    >>> import tempfile, pathlib
    >>> from directory.models import Capacity, Pathway
    >>> p = Pathway(id="p1", name="P1", needs=("debt",),
    ...             capacity=Capacity(places=1, per="month", updated="2026-10-01"))
    >>> day = date(2026, 11, 23)
    >>> with tempfile.TemporaryDirectory() as tmp, Ledger(pathlib.Path(tmp) / "l.db") as ledger:
    ...     first = ledger.reserve([p], reference="plan-1", on=day)
    ...     left = ledger.availability([p], day)["p1"].left
    ...     second = ledger.reserve([p], reference="plan-2", on=day, allow_waitlist=True)
    ...     try:
    ...         ledger.reserve([p], reference="plan-3", on=day)
    ...     except PlaceFullError as err:
    ...         print(err)
    pathway 'p1' has no place left in 2026-11
    >>> first.placed, left, second.waitlisted
    (('p1',), 0, ('p1',))
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        stale_after: timedelta = STALE_AFTER,
        today: date | None = None,
        timeout: float = 60.0,
        read_only: bool = False,
    ) -> None:
        self.path = redact(str(path)) if is_url(path) else path
        self.stale_after = stale_after
        self.today = today
        self.timeout = timeout
        self.store: Store = open_store(path, create=create, timeout=timeout, read_only=read_only)

    # ------------------------------------------------------------------------------ lifetime
    def close(self) -> None:
        """Close the connection (idempotent)."""
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def check(self) -> None:
        """Read the whole file (``PRAGMA integrity_check``) and recount the places taken from the
        referrals; raise :class:`~directory.errors.LedgerError` if anything disagrees."""
        with self.store.guard():
            problems = self.store.damage()
            if problems:
                raise LedgerError(f"ledger {self.path} is damaged: {'; '.join(problems)}")
            wrong = self.store.execute(
                """
                WITH counted AS (
                    SELECT pathway, period, count(*) AS places FROM referral
                    WHERE waitlisted = 0 AND status <> 'cancelled' GROUP BY pathway, period)
                SELECT (SELECT count(*) FROM (
                            SELECT pathway, period, places FROM counted
                            EXCEPT SELECT pathway, period, places FROM taken WHERE places > 0)
                        AS missing)
                     + (SELECT count(*) FROM (
                            SELECT pathway, period, places FROM taken WHERE places > 0
                            EXCEPT SELECT pathway, period, places FROM counted) AS extra)
                """
            ).fetchone()[0]
        if wrong:
            raise LedgerError(
                f"ledger {self.path} is damaged: places taken disagree with the referrals"
            )

    # ------------------------------------------------------------------------------ reading
    def _loads(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Places taken per (pathway, period), for the given pairs, in one query."""
        if not keys:
            return {}
        periods = sorted({k for _, k in keys})
        pathways = sorted({p for p, _ in keys})
        sql = (
            "SELECT pathway, period, places FROM taken "
            f"WHERE period IN ({', '.join('?' * len(periods))})"
        )
        params: list[str] = list(periods)
        if len(pathways) <= 500:  # else read the periods whole: one row per pathway
            sql += f" AND pathway IN ({', '.join('?' * len(pathways))})"
            params += pathways
        wanted = set(keys)
        return {(p, k): n for p, k, n in self.store.execute(sql, params) if (p, k) in wanted}

    def availability(self, pathways: Sequence[Pathway], on: date) -> dict[str, Availability]:
        """Availability of each pathway, by id, in its period containing ``on``: places minus
        referrals booked there (not cancelled, not waitlisted). One query for all pathways."""
        today = self.today or date.today()
        periods = _periods(pathways, on)
        with self.store.guard():
            loads = self._loads([(pid, per.key) for pid, per in periods.items()])
        return {
            p.id: _availability(
                p, periods[p.id], loads.get((p.id, periods[p.id].key), 0), today, self.stale_after
            )
            for p in pathways
        }

    def booked(self, pathway: str, period: str) -> int:
        """Places taken in ``pathway`` during the period keyed ``period``."""
        with self.store.guard():
            return self._loads([(pathway, period)]).get((pathway, period), 0)

    def referrals(self, reference: str) -> tuple[Entry, ...]:
        """Every referral booked under ``reference``, by pathway id (empty when none)."""
        with self.store.guard():
            rows = self.store.execute(
                "SELECT reference, pathway, period, booked_on, status, waitlisted, "
                "attended_at IS NOT NULL FROM referral WHERE reference = ? ORDER BY pathway",
                (reference,),
            ).fetchall()
        return tuple(
            Entry(r, p, k, date.fromisoformat(b), s, bool(w), bool(a))
            for r, p, k, b, s, w, a in rows
        )

    def references(self) -> tuple[str, ...]:
        """Every reference in the ledger, sorted."""
        with self.store.guard():
            rows = self.store.execute("SELECT DISTINCT reference FROM referral ORDER BY 1")
            return tuple(r for (r,) in rows)

    def tally(self, *, start: date | None = None, end: date | None = None) -> tuple[Tally, ...]:
        """Counts per pathway of referrals booked from ``start`` to ``end`` (inclusive), by id.

        Aggregated in SQL: no referral leaves the ledger one by one.
        """
        lo = (start or date.min).isoformat()
        hi = (end or date.max).isoformat()
        with self.store.guard():
            rows = self.store.execute(
                """
                SELECT pathway,
                       sum(CASE WHEN status <> 'cancelled' AND waitlisted = 0 THEN 1 ELSE 0 END),
                       sum(CASE WHEN status <> 'cancelled' AND waitlisted = 1 THEN 1 ELSE 0 END),
                       sum(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END),
                       sum(CASE WHEN status <> 'cancelled' AND waitlisted = 0
                                 AND attended_at IS NOT NULL THEN 1 ELSE 0 END),
                       sum(CASE WHEN status = 'completed' THEN 1 ELSE 0 END),
                       sum(CASE WHEN status = 'breached' THEN 1 ELSE 0 END)
                FROM referral WHERE booked_on BETWEEN ? AND ?
                GROUP BY pathway ORDER BY pathway
                """,
                (lo, hi),
            ).fetchall()
        return tuple(Tally(p, *(int(n) for n in counts)) for p, *counts in rows)

    # ------------------------------------------------------------------------------ writing
    def reserve(
        self,
        pathways: Sequence[Pathway],
        *,
        on: date,
        reference: str | None = None,
        allow_waitlist: bool | Collection[str] = False,
    ) -> Booking:
        """Book one referral to each pathway of a plan, all or none, under one ``reference``.

        Each referral counts in its pathway's period containing ``on``. Inside one write
        transaction holding the lock of each (pathway, period) the places taken are counted and
        compared with each pathway's ``capacity.places``; so many processes booking at once
        never overbook.

        A pathway with no place left (or of status ``waitlist``) raises
        :class:`~directory.errors.PlaceFullError` and nothing of the plan is booked, unless
        ``allow_waitlist`` is True or names that pathway id: then that referral is booked as
        waitlisted (it takes no place; :meth:`admit` gives it one later). A closed or inactive
        pathway raises :class:`~directory.errors.CapacityError`. Pathways without capacity
        (``None``) or without a places figure are not limited.

        ``reference`` is opaque (1 to 128 printable characters; a new uuid4 when None) and must
        not contain personal data. Booking the same reference again with the same pathways
        returns the existing booking (a safe retry); with other pathways it is refused.
        """
        ref = _check_reference(reference if reference is not None else str(uuid.uuid4()))
        if isinstance(on, datetime):
            on = on.date()
        ids = [p.id for p in pathways]
        if not ids:
            raise InvalidArgumentError("a plan with no referrals cannot be booked")
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise InvalidArgumentError(f"a plan refers twice to {', '.join(dup)}")
        for p in pathways:
            if not p.active:
                raise CapacityError(f"pathway {p.id!r} is not active")
            if p.capacity is not None and p.capacity.status == "closed":
                raise CapacityError(f"pathway {p.id!r} is closed to referrals")
        waitlist_ok = (
            set(ids)
            if allow_waitlist is True
            else set()
            if allow_waitlist is False
            else set(allow_waitlist)
        )
        periods = {p.id: period_for(p, on).key for p in pathways}
        keys = [_ref_lock(ref), *(_lock(pid, key) for pid, key in periods.items())]
        store = self.store
        with store.guard(), store.write(keys):
            existing = self.referrals(ref)
            if existing:
                return self._retry(ref, existing, set(ids))
            loads = self._loads(list(periods.items()))
            plan: list[Booked] = []
            for p in pathways:
                key = periods[p.id]
                cap = p.capacity
                full = cap is not None and (
                    cap.status == "waitlist"
                    or (cap.places is not None and loads.get((p.id, key), 0) >= cap.places)
                )
                if full and p.id not in waitlist_ok:
                    raise PlaceFullError(p.id, key)
                plan.append(Booked(p.id, key, full))
            stamp = _now()
            for b in plan:
                store.execute(
                    "INSERT INTO referral (reference, pathway, period, booked_on, created_at, "
                    "updated_at, status, waitlisted) VALUES (?, ?, ?, ?, ?, ?, 'booked', ?)",
                    (ref, b.pathway, b.period, on.isoformat(), stamp, stamp, int(b.waitlisted)),
                )
        return Booking(ref, on, tuple(plan))

    @staticmethod
    def _retry(ref: str, existing: tuple[Entry, ...], ids: set[str]) -> Booking:
        if {e.pathway for e in existing} != ids or any(e.status == "cancelled" for e in existing):
            raise InvalidArgumentError(
                f"reference {ref!r} is already in the ledger for other referrals; use a new one"
            )
        return Booking(
            ref,
            existing[0].booked_on,
            tuple(Booked(e.pathway, e.period, e.waitlisted) for e in existing),
        )

    def cancel(self, reference: str, pathway: str | None = None) -> int:
        """Cancel the plan's referrals (or only the one to ``pathway``) that are still booked,
        giving their places back. Returns how many were cancelled (0 when all already were).

        Raises :class:`~directory.errors.NotFoundError` for a reference (or pathway) the ledger
        does not hold. Referrals already attended, completed or breached are kept. A referral
        that is a case's condition still to be done is not cancelled (nothing is):
        :class:`~directory.errors.InvalidArgumentError` says to withdraw the condition, which
        records why in the case's audit trail and gives the place back.
        """
        store = self.store
        with store.guard(), store.write([_ref_lock(reference)]):
            where, params = "reference = ?", [reference]
            if pathway is not None:
                where, params = where + " AND pathway = ?", [*params, pathway]
            if (
                store.execute(f"SELECT count(*) FROM referral WHERE {where}", params).fetchone()[0]
                == 0
            ):
                what = reference if pathway is None else f"{reference}/{pathway}"
                raise NotFoundError("referral", what)
            conditions = [
                row[0]
                for row in store.execute(
                    f"SELECT pathway FROM conditions WHERE {where} "
                    "AND status IN ('agreed', 'attended') ORDER BY pathway",
                    params,
                ).fetchall()
            ]
            if conditions:
                raise InvalidArgumentError(
                    f"case {reference}: the referral to {', '.join(conditions)} "
                    f"{'is a condition' if len(conditions) == 1 else 'are conditions'} still to "
                    "be done; nothing was cancelled. Withdraw the condition instead (pathways "
                    f"case set {reference} {conditions[0]} withdrawn): the case's audit trail "
                    "records it and the place goes back"
                )
            cur = store.execute(
                f"UPDATE referral SET status = 'cancelled', updated_at = ? "
                f"WHERE {where} AND status = 'booked'",
                [_now(), *params],
            )
            return cur.rowcount

    def set_status(self, reference: str, pathway: str, status: ReferralStatus) -> None:
        """Record what became of a referral: ``attended``, ``completed``, ``breached`` (or
        ``cancelled``, as :meth:`cancel`).

        Allowed: booked -> attended, completed, breached or cancelled; attended -> completed or
        breached; setting the current status again does nothing. A waitlisted referral can only
        be cancelled (admit it first). Anything else raises
        :class:`~directory.errors.InvalidArgumentError`.
        """
        if status not in STATUSES:
            raise InvalidArgumentError(
                f"unknown referral status {status!r}; use {', '.join(STATUSES)}"
            )
        with self.store.guard(), self.store.write([_ref_lock(reference)]):
            self._set_status(reference, pathway, status)

    def _set_status(self, reference: str, pathway: str, status: ReferralStatus) -> None:
        """:meth:`set_status` inside the caller's write transaction."""
        store = self.store
        row = store.execute(
            "SELECT status, waitlisted FROM referral WHERE reference = ? AND pathway = ?",
            (reference, pathway),
        ).fetchone()
        if row is None:
            raise NotFoundError("referral", f"{reference}/{pathway}")
        current, waitlisted = row
        if current == status:
            return
        if status not in _NEXT[current] or (waitlisted and status != "cancelled"):
            why = " (on the waitlist: admit it first)" if waitlisted else ""
            raise InvalidArgumentError(
                f"referral {reference}/{pathway} is {current}{why}; it cannot become {status}"
            )
        stamp = _now()
        store.execute(
            "UPDATE referral SET status = ?, updated_at = ?, attended_at = CASE "
            "WHEN ? IN ('attended', 'completed') THEN coalesce(attended_at, ?) "
            "ELSE attended_at END WHERE reference = ? AND pathway = ?",
            (status, stamp, status, stamp, reference, pathway),
        )

    def admit(self, reference: str, pathway: Pathway, *, on: date) -> Booked:
        """Give a waitlisted referral a place in ``pathway``'s period containing ``on``.

        Raises :class:`~directory.errors.PlaceFullError` when there is still no place;
        a referral that already has one is returned unchanged.
        """
        store = self.store
        key = period_for(pathway, on).key
        with store.guard(), store.write([_ref_lock(reference), _lock(pathway.id, key)]):
            row = store.execute(
                "SELECT status, waitlisted, period FROM referral "
                "WHERE reference = ? AND pathway = ?",
                (reference, pathway.id),
            ).fetchone()
            if row is None:
                raise NotFoundError("referral", f"{reference}/{pathway.id}")
            status, waitlisted, period = row
            if not waitlisted:
                return Booked(pathway.id, period, False)
            if status == "cancelled":
                raise InvalidArgumentError(f"referral {reference}/{pathway.id} was cancelled")
            cap = pathway.capacity
            if cap is not None and cap.status == "closed":
                raise CapacityError(f"pathway {pathway.id!r} is closed to referrals")
            taken = self._loads([(pathway.id, key)]).get((pathway.id, key), 0)
            if cap is not None and (
                cap.status == "waitlist" or (cap.places is not None and taken >= cap.places)
            ):
                raise PlaceFullError(pathway.id, key)
            store.execute(
                "UPDATE referral SET waitlisted = 0, period = ?, updated_at = ? "
                "WHERE reference = ? AND pathway = ?",
                (key, _now(), reference, pathway.id),
            )
        return Booked(pathway.id, key, False)


# ---------------------------------------------------------------------------------- helpers
@dataclass(frozen=True, slots=True)
class PlacesRow:
    """One pathway's places in a period, for tables."""

    pathway: str
    name: str
    agency: str
    per: str | None
    updated: date | None
    availability: Availability

    @property
    def booked(self) -> int | None:
        """Places taken in the period (None when places are not limited)."""
        a = self.availability
        if a.places is None or a.left is None or a.status == "closed":
            return None
        return a.places - a.left


def places(
    directory: Directory,
    source: AvailabilitySource,
    *,
    on: date,
    district: str | None = None,
    need: str | None = None,
) -> list[PlacesRow]:
    """Places and places left of every active pathway (serving ``district`` and meeting
    ``need`` when given), sorted by agency then pathway id; one call to ``source``.

    >>> from directory.loading import load
    >>> d = load()
    >>> rows = places(d, NominalCapacity(), on=date(2026, 11, 23), district="fenland", need="debt")
    >>> all(r.availability.left == r.availability.places for r in rows if r.per is not None
    ...     and r.availability.status != "closed")
    True
    >>> places(d, NominalCapacity(), on=date(2026, 11, 23), need="dbet")
    Traceback (most recent call last):
    ...
    directory.errors.NotFoundError: unknown need 'dbet'; did you mean 'debt'?
    """
    if district is not None and district not in directory.district_by_id:
        raise NotFoundError("district", district, did_you_mean(district, directory.district_by_id))
    if need is not None and need not in directory.need_by_id:
        raise NotFoundError("need", need, did_you_mean(need, directory.need_by_id))
    chosen = [
        p
        for p in directory.pathways
        if p.active
        and (district is None or district in directory.served_districts(p))
        and (need is None or need in p.needs)
    ]
    got = source.availability(chosen, on)
    rows = [
        PlacesRow(
            p.id,
            p.name,
            directory.agency_of[p.id].id,
            p.capacity.per if p.capacity is not None else None,
            p.capacity.updated if p.capacity is not None else None,
            got[p.id],
        )
        for p in chosen
    ]
    return sorted(rows, key=lambda r: (r.agency, r.pathway))


@dataclass(frozen=True, slots=True)
class BookingRequest:
    """What a booking needs from a plan: its reference (if any), the pathways, and which of
    them the plan already placed on a waitlist."""

    reference: str | None
    pathways: tuple[str, ...]
    waitlisted: frozenset[str]


def booking_request(plan: object) -> BookingRequest:
    """Read the booking part of a matcher's JSON plan: an object with an optional
    ``"reference"`` and ``"referrals"``, a list of objects each with ``"pathway"`` (an id) and
    ``"status"`` (``"referred"`` or ``"waitlisted"``). Other keys are ignored (and never stored).

    >>> booking_request({"referrals": [{"pathway": "a", "status": "referred"},
    ...                                {"pathway": "b", "status": "waitlisted", "need": "debt"}]})
    BookingRequest(reference=None, pathways=('a', 'b'), waitlisted=frozenset({'b'}))
    >>> booking_request({"referrals": [{"pathway": "a", "status": "referred", "need": "debt"},
    ...                                {"pathway": "a", "status": "referred", "need": "housing"}]})
    BookingRequest(reference=None, pathways=('a',), waitlisted=frozenset())
    >>> booking_request({"referrals": [{"pathway": "a"}]})
    Traceback (most recent call last):
    ...
    directory.errors.InvalidArgumentError: referral 1 of the plan: "status" must be "referred" ...
    """
    if not isinstance(plan, dict):
        raise InvalidArgumentError("a plan must be a JSON object with a list of referrals")
    reference = plan.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise InvalidArgumentError('the plan\'s "reference" must be a string')
    referrals = plan.get("referrals")
    if not isinstance(referrals, list):
        raise InvalidArgumentError('a plan must have "referrals", a list')
    ids: list[str] = []
    waiting: set[str] = set()
    for n, r in enumerate(referrals, 1):
        if not isinstance(r, dict) or not isinstance(r.get("pathway"), str):
            raise InvalidArgumentError(f'referral {n} of the plan has no "pathway" id')
        if r.get("status") not in ("referred", "waitlisted"):
            raise InvalidArgumentError(
                f'referral {n} of the plan: "status" must be "referred" or "waitlisted"'
            )
        ids.append(r["pathway"])
        if r["status"] == "waitlisted":
            waiting.add(r["pathway"])
    # a plan lists a pathway once per need it takes; the person takes one place on it
    return BookingRequest(reference, tuple(dict.fromkeys(ids)), frozenset(waiting))


def book(
    ledger: Ledger,
    directory: Directory,
    request: BookingRequest,
    *,
    on: date,
    allow_waitlist: bool = False,
) -> Booking:
    """Reserve a plan's referrals in ``ledger`` with the capacities of ``directory``.

    Referrals the plan put on a waitlist may stay waitlisted; with ``allow_waitlist`` any full
    pathway may. Unknown pathway ids raise :class:`~directory.errors.NotFoundError`.
    """
    pathways = []
    for pid in request.pathways:
        p = directory.pathway_by_id.get(pid)
        if p is None:
            raise NotFoundError("pathway", pid, did_you_mean(pid, directory.pathway_by_id))
        pathways.append(p)
    return ledger.reserve(
        pathways,
        on=on,
        reference=request.reference,
        allow_waitlist=True if allow_waitlist else request.waitlisted,
    )
