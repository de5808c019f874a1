"""Availability (nominal and from the ledger), booking plans, waitlists, and concurrency."""

from __future__ import annotations

import multiprocessing
import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.errors import (
    CapacityError,
    InvalidArgumentError,
    LedgerError,
    NotFoundError,
    PlaceFullError,
)
from directory.loading import load
from matching.capacity import (
    Availability,
    AvailabilitySource,
    Ledger,
    NominalCapacity,
    period_for,
)
from matching.periods import period_of
from tests.ledger_backends import ledger_target, pg_server
from tests.ledger_workers import CONTENDED, book_plans, pathway

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from directory.models import Pathway


__all__ = ["ledger_target", "pg_server"]

DAY = date(2026, 11, 23)  # a Monday: 2026-W48, 2026-11, 2026-Q4
TODAY = date(2026, 11, 23)


@pytest.fixture
def make_ledger(ledger_target: Callable[[], str]) -> Iterator[Callable[..., Ledger]]:
    """A factory of new ledgers on each backend (SQLite, PostgreSQL), all closed at the end."""
    opened: list[Ledger] = []

    def make(**kwargs: object) -> Ledger:
        kwargs.setdefault("today", TODAY)
        ledger = Ledger(ledger_target(), **kwargs)  # type: ignore[arg-type]
        opened.append(ledger)
        return ledger

    yield make
    for ledger in opened:
        ledger.close()


# ----------------------------------------------------------------------------- Availability
@pytest.mark.parametrize(
    ("status", "left", "has_place", "waitlist_possible"),
    [
        ("open", None, True, True),
        ("open", 3, True, True),
        ("open", 0, False, True),
        ("waitlist", 3, False, True),
        ("waitlist", None, False, True),
        ("closed", 0, False, False),
        ("closed", None, False, False),
    ],
)
def test_availability_flags(
    status: str, left: int | None, has_place: bool, waitlist_possible: bool
) -> None:
    a = Availability(places=5, left=left, status=status, period="2026-11", stale=False)  # type: ignore[arg-type]
    assert (a.has_place, a.waitlist_possible) == (has_place, waitlist_possible)


def test_both_sources_satisfy_the_protocol(make_ledger: Callable[..., Ledger]) -> None:
    sources: list[AvailabilitySource] = [NominalCapacity(today=TODAY), make_ledger()]
    p = pathway("p", 4)
    answers = [s.availability([p], DAY)["p"] for s in sources]
    assert answers[0] == answers[1] == Availability(4, 4, "open", "2026-11", False)


# ----------------------------------------------------------------------------- nominal
def test_nominal_left_equals_places_for_the_shipped_directory() -> None:
    directory = load()
    pathways = directory.pathways
    got = NominalCapacity(today=TODAY).availability(pathways, DAY)
    assert set(got) == {p.id for p in pathways}
    for p in pathways:
        a = got[p.id]
        cap = p.capacity
        if cap is None:
            assert (a.places, a.left, a.status, a.stale) == (None, None, "open", False)
            assert a.period == "2026-11"
            continue
        assert a.places == cap.places
        assert a.left == (0 if cap.status == "closed" else cap.places)
        assert a.status == cap.status
        assert a.period == period_of(DAY, cap.per).key
        assert a.stale == (TODAY - cap.updated > timedelta(days=180))
    statuses = Counter(a.status for a in got.values())
    assert statuses["open"] > 0  # the shipped data exercises the open branch at least


def test_staleness_is_configurable_and_exact_at_the_boundary() -> None:
    p = pathway("p", 4)  # updated 2026-10-01
    edge = p.capacity.updated + timedelta(days=30)  # type: ignore[union-attr]
    fresh = NominalCapacity(stale_after=timedelta(days=30), today=edge)
    stale = NominalCapacity(stale_after=timedelta(days=30), today=edge + timedelta(days=1))
    assert not fresh.availability([p], DAY)["p"].stale
    assert stale.availability([p], DAY)["p"].stale
    # by default "today" is the real date: a capacity updated 181 days ago is stale
    old = pathway("old", 4).model_copy(
        update={
            "capacity": p.capacity.model_copy(update={"updated": date.today() - timedelta(181)})
        }  # type: ignore[union-attr]
    )
    assert NominalCapacity().availability([old], DAY)["old"].stale


def test_period_for_unknown_capacity_is_the_month() -> None:
    p = pathway("p", 1).model_copy(update={"capacity": None})
    assert period_for(p, date(2026, 12, 31)).key == "2026-12"


# ----------------------------------------------------------------------------- ledger reads
def test_ledger_reports_left_zero_once_full(make_ledger: Callable[..., Ledger]) -> None:
    ledger = make_ledger()
    p = pathway("p", 3)
    for i in range(3):
        assert ledger.availability([p], DAY)["p"].left == 3 - i
        ledger.reserve([p], reference=f"r{i}", on=DAY + timedelta(days=i))
    full = ledger.availability([p], DAY)["p"]
    assert (full.places, full.left, full.has_place, full.waitlist_possible) == (3, 0, False, True)
    # nominal capacity does not know about the bookings: that is the point of the ledger
    assert NominalCapacity(today=TODAY).availability([p], DAY)["p"].has_place
    # the next month has places again
    assert ledger.availability([p], date(2026, 12, 1))["p"].left == 3
    with pytest.raises(PlaceFullError, match="'p' has no place left in 2026-11"):
        ledger.reserve([p], reference="r3", on=DAY)


def test_weekly_places_count_per_iso_week_across_new_year(
    make_ledger: Callable[..., Ledger],
) -> None:
    ledger = make_ledger()
    p = pathway("w", 2, per="week")
    ledger.reserve([p], reference="a", on=date(2026, 12, 31))  # Thursday of 2026-W53
    ledger.reserve([p], reference="b", on=date(2027, 1, 3))  # Sunday of the same ISO week
    with pytest.raises(PlaceFullError, match="2026-W53"):
        ledger.reserve([p], reference="c", on=date(2027, 1, 1))
    booked = ledger.reserve([p], reference="d", on=date(2027, 1, 4))  # Monday: 2027-W01
    assert booked.referrals[0].period == "2027-W01"
    assert ledger.booked("w", "2026-W53") == 2


def test_availability_is_one_query_for_many_pathways(make_ledger: Callable[..., Ledger]) -> None:
    directory = load()
    ledger = make_ledger()
    statements: list[str] = []
    ledger.store.trace = statements.append
    got = ledger.availability(directory.pathways, DAY)
    ledger.store.trace = None
    assert len(got) == len(directory.pathways)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


def test_many_pathways_read_the_periods_whole(make_ledger: Callable[..., Ledger]) -> None:
    ledger = make_ledger()
    many = [pathway(f"p{i}", 1) for i in range(700)]  # past the IN-list limit
    ledger.reserve(many[::7], reference="x", on=DAY)
    got = ledger.availability(many, DAY)
    assert [got[p.id].left for p in many] == [0 if i % 7 == 0 else 1 for i in range(700)]


# ----------------------------------------------------------------------------- booking
def test_a_plan_is_booked_all_or_nothing(make_ledger: Callable[..., Ledger]) -> None:
    ledger = make_ledger()
    free, full = pathway("free", 5), pathway("full", 1)
    ledger.reserve([full], reference="first", on=DAY)
    with pytest.raises(PlaceFullError) as caught:
        ledger.reserve([free, full], reference="second", on=DAY)
    assert (caught.value.pathway, caught.value.period) == ("full", "2026-11")
    assert ledger.referrals("second") == ()
    assert ledger.booked("free", "2026-11") == 0


def test_waitlist_when_accepted(make_ledger: Callable[..., Ledger]) -> None:
    ledger = make_ledger()
    free, full = pathway("free", 5), pathway("full", 1)
    ledger.reserve([full], reference="first", on=DAY)
    booking = ledger.reserve([free, full], reference="second", on=DAY, allow_waitlist=True)
    assert booking.placed == ("free",)
    assert booking.waitlisted == ("full",)
    assert ledger.booked("full", "2026-11") == 1  # a waitlisted referral takes no place
    entries = {e.pathway: e for e in ledger.referrals("second")}
    assert entries["full"].waitlisted
    assert not entries["free"].waitlisted
    # waitlisting can be accepted for named pathways only
    with pytest.raises(PlaceFullError):
        ledger.reserve([full, free], reference="third", on=DAY, allow_waitlist={"free"})
    named = ledger.reserve([full, free], reference="fourth", on=DAY, allow_waitlist={"full"})
    assert named.waitlisted == ("full",)


def test_waitlist_status_never_gives_a_place(make_ledger: Callable[..., Ledger]) -> None:
    ledger = make_ledger()
    p = pathway("wl", 10, status="waitlist")
    assert not ledger.availability([p], DAY)["wl"].has_place
    with pytest.raises(PlaceFullError):
        ledger.reserve([p], reference="a", on=DAY)
    assert ledger.reserve([p], reference="a", on=DAY, allow_waitlist=True).waitlisted == ("wl",)


def test_closed_and_inactive_pathways_are_refused(make_ledger: Callable[..., Ledger]) -> None:
    ledger = make_ledger()
    closed = pathway("shut", 10, status="closed")
    inactive = pathway("gone", 10).model_copy(update={"active": False})
    with pytest.raises(CapacityError, match="closed") as caught:
        ledger.reserve([closed], reference="a", on=DAY, allow_waitlist=True)
    assert not isinstance(caught.value, PlaceFullError)
    with pytest.raises(CapacityError, match="not active"):
        ledger.reserve([inactive], reference="a", on=DAY)
    assert ledger.references() == ()


def test_unlimited_pathways_always_take(make_ledger: Callable[..., Ledger]) -> None:
    ledger = make_ledger()
    none = pathway("none", None)
    unknown = pathway("unknown", 1).model_copy(update={"capacity": None})
    for i in range(30):
        assert ledger.reserve([none, unknown], reference=f"r{i}", on=DAY).waitlisted == ()
    assert ledger.availability([none, unknown], DAY)["none"].left is None
    assert ledger.booked("unknown", "2026-11") == 30


def test_same_reference_is_a_safe_retry(make_ledger: Callable[..., Ledger]) -> None:
    ledger = make_ledger()
    a, b = pathway("a", 1), pathway("b", 1)
    first = ledger.reserve([a, b], reference="plan", on=DAY)
    again = ledger.reserve([b, a], reference="plan", on=DAY)  # a and b are full by now
    assert set(again.referrals) == set(first.referrals)
    assert ledger.booked("a", "2026-11") == 1
    with pytest.raises(InvalidArgumentError, match="already in the ledger"):
        ledger.reserve([a], reference="plan", on=DAY)


@pytest.mark.parametrize("reference", ["", "has space", "x" * 129, "tab\t", "é"])
def test_references_are_opaque_tokens(make_ledger: Callable[..., Ledger], reference: str) -> None:
    with pytest.raises(InvalidArgumentError, match="reference"):
        make_ledger().reserve([pathway("p", 1)], reference=reference, on=DAY)


def test_a_datetime_counts_as_its_day(make_ledger: Callable[..., Ledger]) -> None:
    from datetime import datetime

    ledger = make_ledger()
    at = datetime(2026, 12, 31, 23, 59)
    booking = ledger.reserve([pathway("w", 2, per="week")], reference="t", on=at)
    assert booking.referrals[0].period == "2026-W53"
    assert ledger.referrals("t")[0].booked_on == date(2026, 12, 31)


def test_generated_reference_and_bad_plans(make_ledger: Callable[..., Ledger]) -> None:
    ledger = make_ledger()
    p = pathway("p", 5)
    booking = ledger.reserve([p], on=DAY)
    assert len(booking.reference) == 36
    assert ledger.referrals(booking.reference)[0].pathway == "p"
    with pytest.raises(InvalidArgumentError, match="no referrals"):
        ledger.reserve([], reference="e", on=DAY)
    with pytest.raises(InvalidArgumentError, match="twice to p"):
        ledger.reserve([p, p], reference="d", on=DAY)


# ----------------------------------------------------------------------------- cancel, status
def test_cancel_returns_the_place(make_ledger: Callable[..., Ledger]) -> None:
    ledger = make_ledger()
    p, q = pathway("p", 1), pathway("q", 1)
    ledger.reserve([p, q], reference="r", on=DAY)
    assert ledger.cancel("r", "q") == 1
    assert ledger.availability([p, q], DAY)["q"].left == 1
    assert ledger.availability([p, q], DAY)["p"].left == 0
    assert ledger.cancel("r") == 1  # only p was still booked
    assert ledger.cancel("r") == 0  # idempotent
    assert ledger.availability([p], DAY)["p"].has_place
    with pytest.raises(NotFoundError, match="unknown referral 'nope'"):
        ledger.cancel("nope")
    with pytest.raises(InvalidArgumentError, match="already in the ledger"):
        ledger.reserve([p, q], reference="r", on=DAY)  # a cancelled reference is not reused


def test_status_transitions(make_ledger: Callable[..., Ledger]) -> None:
    ledger = make_ledger()
    p = pathway("p", 5)
    for ref in ("a", "b", "c"):
        ledger.reserve([p], reference=ref, on=DAY)
    ledger.set_status("a", "p", "attended")
    ledger.set_status("a", "p", "attended")  # again: nothing changes
    ledger.set_status("a", "p", "completed")
    ledger.set_status("b", "p", "breached")
    ledger.set_status("c", "p", "completed")  # straight to completed: attended too
    got = {ref: ledger.referrals(ref)[0] for ref in ("a", "b", "c")}
    assert [(got[r].status, got[r].attended) for r in "abc"] == [
        ("completed", True),
        ("breached", False),
        ("completed", True),
    ]
    with pytest.raises(InvalidArgumentError, match="is completed; it cannot become attended"):
        ledger.set_status("a", "p", "attended")
    with pytest.raises(InvalidArgumentError, match="cannot become cancelled"):
        ledger.set_status("b", "p", "cancelled")
    with pytest.raises(InvalidArgumentError, match="unknown referral status"):
        ledger.set_status("a", "p", "lost")  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        ledger.set_status("a", "q", "attended")
    # attended, completed and breached referrals keep their places: cancel leaves them
    assert ledger.cancel("a") == 0
    assert ledger.booked("p", "2026-11") == 3


def test_waitlisted_referrals_are_admitted_when_a_place_frees(
    make_ledger: Callable[..., Ledger],
) -> None:
    ledger = make_ledger()
    p = pathway("p", 1)
    ledger.reserve([p], reference="holder", on=DAY)
    ledger.reserve([p], reference="waiting", on=DAY, allow_waitlist=True)
    with pytest.raises(InvalidArgumentError, match="on the waitlist"):
        ledger.set_status("waiting", "p", "attended")
    with pytest.raises(PlaceFullError):
        ledger.admit("waiting", p, on=DAY)
    ledger.cancel("holder")
    assert ledger.admit("waiting", p, on=DAY + timedelta(days=1)).waitlisted is False
    assert ledger.availability([p], DAY)["p"].left == 0
    ledger.set_status("waiting", "p", "attended")
    # a referral waiting into the next month takes a place there
    ledger.reserve([p], reference="late", on=DAY, allow_waitlist=True)
    assert ledger.admit("late", p, on=date(2026, 12, 2)).period == "2026-12"
    assert ledger.booked("p", "2026-12") == 1


def test_a_closed_ledger_refuses_use(ledger_target: Callable[[], str]) -> None:
    ledger = Ledger(ledger_target())
    ledger.close()
    ledger.close()
    with pytest.raises(LedgerError, match="closed"):
        ledger.availability([pathway("p", 1)], DAY)


# ----------------------------------------------------------------------------- model check
OPS = st.lists(
    st.tuples(
        st.sampled_from(["reserve", "reserve", "reserve", "cancel", "admit", "attend"]),
        st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=3, unique=True),
        st.booleans(),
        st.integers(0, 40),
    ),
    max_size=30,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_ledger_agrees_with_a_counting_model(
    ledger_target: Callable[[], str], ops: list[tuple[str, list[str], bool, int]]
) -> None:
    """Random bookings, cancellations, admissions and attendances against a plain model."""
    paths = {"a": pathway("a", 1), "b": pathway("b", 2), "c": pathway("c", 3, per="week")}
    paths["d"] = pathway("d", 2, status="waitlist")
    start = date(2026, 12, 20)
    # reference -> pathway -> [period, waits, attended]; cancelled referrals leave the model
    model: dict[str, dict[str, list[Any]]] = {}

    def taken(pid: str, key: str) -> int:
        return sum(
            1
            for refs in model.values()
            for p, (k, w, _) in refs.items()
            if (p, k) == (pid, key) and not w
        )

    def has_place(p: Pathway, key: str) -> bool:
        return p.capacity.status != "waitlist" and taken(p.id, key) < p.capacity.places  # type: ignore[union-attr,operator]

    with Ledger(ledger_target(), today=TODAY) as ledger:  # a new one for each example
        for i, (op, ids, waitlist, offset) in enumerate(ops):
            on = start + timedelta(days=offset)
            refs = sorted(model)
            ref = refs[offset % len(refs)] if refs else None
            if op == "cancel" and ref is not None:
                kept = {p: e for p, e in model[ref].items() if e[2]}  # attended keep their place
                assert ledger.cancel(ref) == len(model[ref]) - len(kept)
                model[ref] = kept
                if not kept:
                    del model[ref]
            elif op == "admit" and ref is not None:
                waiting = sorted(pid for pid, (_, w, _) in model[ref].items() if w)
                if waiting:
                    p = paths[waiting[0]]
                    key = period_for(p, on).key
                    if has_place(p, key):
                        assert ledger.admit(ref, p, on=on).period == key
                        model[ref][p.id] = [key, False, False]
                    else:
                        with pytest.raises(PlaceFullError):
                            ledger.admit(ref, p, on=on)
            elif op == "attend" and ref is not None:
                for pid, entry in model[ref].items():
                    if not entry[1]:
                        ledger.set_status(ref, pid, "attended")  # keeps its place
                        entry[2] = True
            elif op == "reserve":
                plan = [paths[x] for x in ids]
                expect = [(p.id, period_for(p, on).key) for p in plan]
                full = [not has_place(p, k) for p, (_, k) in zip(plan, expect, strict=True)]
                if any(full) and not waitlist:
                    with pytest.raises(PlaceFullError):
                        ledger.reserve(plan, reference=f"r{i}", on=on, allow_waitlist=waitlist)
                else:
                    booking = ledger.reserve(
                        plan, reference=f"r{i}", on=on, allow_waitlist=waitlist
                    )
                    got = [(b.pathway, b.period, b.waitlisted) for b in booking.referrals]
                    assert got == [(p, k, f) for (p, k), f in zip(expect, full, strict=True)]
                    model[f"r{i}"] = {
                        p: [k, f, False] for (p, k), f in zip(expect, full, strict=True)
                    }
            got_left = ledger.availability(list(paths.values()), on)
            for p in paths.values():
                key = period_for(p, on).key
                assert got_left[p.id].left == max(0, p.capacity.places - taken(p.id, key))  # type: ignore[union-attr,operator]
        ledger.check()  # the places kept by triggers equal a recount of the referrals


# ----------------------------------------------------------------------------- concurrency
def _plans(seed: int, n: int) -> list[tuple[str, tuple[str, ...], str]]:
    rng = random.Random(seed)
    days = [str(date(2026, 11, 2) + timedelta(days=7 * w + rng.randint(0, 6))) for w in range(12)]
    ids = sorted(CONTENDED)
    return [
        (f"plan-{i:04d}", tuple(rng.sample(ids, rng.randint(1, 3))), rng.choice(days))
        for i in range(n)
    ]


def test_eight_processes_never_overbook(ledger_target: Callable[[], str], tmp_path: Path) -> None:
    path = ledger_target()
    Ledger(path).close()  # created once, then shared
    plans = _plans(seed=48, n=1000)
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(8)
    workers = [
        ctx.Process(
            target=book_plans, args=(str(path), plans[i::8], str(tmp_path / f"a{i}"), start)
        )
        for i in range(8)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    assert [w.exitcode for w in workers] == [0] * 8
    answers = [
        tuple(line.split(" ", 1))
        for i in range(8)
        for line in (tmp_path / f"a{i}").read_text().splitlines()
    ]

    assert sorted(ref for ref, _ in answers) == sorted(ref for ref, _, _ in plans)  # none lost
    errors = [a for a in answers if not a[1].startswith(("booked", "full "))]
    assert errors == []  # every failure is a clear "full" answer
    by_ref = {ref: (ids, day) for ref, ids, day in plans}
    booked = {ref for ref, answer in answers if answer == "booked"}
    assert 0 < len(booked) < len(plans)  # the test really contended

    with Ledger(path) as ledger, ledger.store.guard():
        rows = ledger.store.execute("SELECT reference, pathway, period FROM referral").fetchall()
        ledger.check()
    # every booked plan is in the ledger whole, and nothing else is
    in_ledger: dict[str, set[str]] = {}
    for ref, pid, _ in rows:
        in_ledger.setdefault(ref, set()).add(pid)
    assert set(in_ledger) == booked
    for ref in booked:
        assert in_ledger[ref] == set(by_ref[ref][0])
    # no pathway holds more than its places in any period
    load = Counter((pid, period) for _, pid, period in rows)
    for (pid, period), n in load.items():
        places = CONTENDED[pid].capacity.places  # type: ignore[union-attr]
        assert places is None or n <= places, (pid, period, n)
    # and each "full" answer was true: that pathway's period ended exactly full
    for _, answer in answers:
        if answer.startswith("full "):
            _, pid, period = answer.split()
            assert load[(pid, period)] == CONTENDED[pid].capacity.places  # type: ignore[union-attr]
