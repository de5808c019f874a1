"""Cases and conditions: deadlines, the state machine, the audit trail, the hub's lists."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from directory.errors import InvalidArgumentError, LedgerError, NotFoundError
from matching.capacity import Ledger
from matching.cases import (
    DEADLINES,
    ConditionSpec,
    all_cases,
    audit_trail,
    breaches,
    change_due,
    default_due,
    due,
    get_case,
    open_case,
    record_statement,
    set_condition,
)
from matching.ledger import SCHEMA_VERSION, read_header
from tests.ledger_backends import ledger_target, pg_server
from tests.ledger_workers import pathway

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["ledger_target", "pg_server"]

DAY = date(2026, 11, 2)
V2_FILE = Path(__file__).with_name("data") / "ledger-v2.sqlite"


@pytest.fixture
def ledger(ledger_target: Callable[[], str]) -> Iterator[Ledger]:
    with Ledger(ledger_target(), today=DAY) as opened:
        yield opened


def _plan(ledger: Ledger, reference: str, *ids: str, on: date = DAY) -> None:
    ledger.reserve([pathway(i, 50) for i in ids], reference=reference, on=on)


def _case(ledger: Ledger, reference: str, *ids: str, on: date = DAY, **kw: object) -> None:
    _plan(ledger, reference, *ids, on=on)
    open_case(
        ledger,
        reference,
        disposal=str(kw.get("disposal", "conditional_caution")),
        conditions=[ConditionSpec(i, "rehabilitative") for i in ids],
        agreed_on=on,
        actor="officer-1",
    )


# ----------------------------------------------------------------------------- deadlines
def test_default_due_dates_follow_the_disposal_and_name_their_source() -> None:
    assert default_due("conditional_caution", DAY) == DAY + timedelta(days=16 * 7)
    assert default_due("conditional_caution", DAY, exceptional=True) == DAY + timedelta(140)
    assert default_due("deferred_prosecution", DAY) == DAY + timedelta(days=112)
    assert default_due("youth_conditional_caution", DAY) == DAY + timedelta(days=112)
    with pytest.raises(InvalidArgumentError, match="no exceptional time limit"):
        default_due("youth_conditional_caution", DAY, exceptional=True)
    for disposal in ("simple_caution", "community_resolution", "diversionary_caution"):
        with pytest.raises(InvalidArgumentError, match="give each condition a due date"):
            default_due(disposal, DAY)
    with pytest.raises(InvalidArgumentError, match="unknown disposal"):
        default_due("caution-ish", DAY)
    assert all("Code of Practice" in d.source for d in DEADLINES.values())


def test_due_dates_are_overridable_within_the_code(ledger: Ledger) -> None:
    _plan(ledger, "c1", "a", "b", "c")
    case = open_case(
        ledger,
        "c1",
        disposal="conditional_caution",
        conditions=[
            ConditionSpec("a", "rehabilitative"),
            ConditionSpec("b", "reparative", due_on=DAY + timedelta(days=30)),
            ConditionSpec("c", "punitive", exceptional=True),
        ],
        agreed_on=DAY,
        actor="officer-1",
    )
    assert [(c.pathway, c.kind, (c.due_on - DAY).days) for c in case.conditions] == [
        ("a", "rehabilitative", 112),
        ("b", "reparative", 30),
        ("c", "punitive", 140),
    ]
    _plan(ledger, "c2", "a")
    late = ConditionSpec("a", "rehabilitative", due_on=DAY + timedelta(days=141))
    with pytest.raises(InvalidArgumentError, match="20 weeks, exceptionally"):
        open_case(
            ledger,
            "c2",
            disposal="conditional_caution",
            conditions=[late],
            agreed_on=DAY,
            actor="o",
        )
    # no code limit for a simple caution's conditions: the given date is kept
    got = open_case(
        ledger, "c2", disposal="simple_caution", conditions=[late], agreed_on=DAY, actor="o"
    )
    assert got.conditions[0].due_on == DAY + timedelta(days=141)
    with pytest.raises(InvalidArgumentError, match="20 weeks"):
        change_due(ledger, "c1", "a", DAY + timedelta(days=141), actor="hub-1")
    assert change_due(ledger, "c1", "a", DAY + timedelta(days=140), actor="hub-1").due_on == (
        DAY + timedelta(days=140)
    )


# ----------------------------------------------------------------------------- opening
def test_a_case_is_opened_all_or_nothing(ledger: Ledger) -> None:
    _plan(ledger, "c1", "a", "b")
    with pytest.raises(InvalidArgumentError, match="no referral to zzz"):
        open_case(
            ledger,
            "c1",
            disposal="conditional_caution",
            conditions=[ConditionSpec("a", "rehabilitative"), ConditionSpec("zzz", "punitive")],
            agreed_on=DAY,
            actor="officer-1",
        )
    with pytest.raises(NotFoundError, match="case"):
        get_case(ledger, "c1")
    assert audit_trail(ledger, "c1") == ()
    with pytest.raises(NotFoundError, match="reference 'nope'"):
        open_case(
            ledger,
            "nope",
            disposal="conditional_caution",
            conditions=[ConditionSpec("a", "rehabilitative")],
            agreed_on=DAY,
            actor="o",
        )
    ledger.cancel("c1", "b")
    with pytest.raises(InvalidArgumentError, match="no referral to b"):
        open_case(
            ledger,
            "c1",
            disposal="conditional_caution",
            conditions=[ConditionSpec("b", "punitive")],
            agreed_on=DAY,
            actor="o",
        )
    case = open_case(
        ledger,
        "c1",
        disposal="conditional_caution",
        conditions=[ConditionSpec("a", "rehabilitative")],
        agreed_on=DAY,
        actor="o",
        district="fenland",
    )
    assert (case.reference, case.disposal, case.district, case.state) == (
        "c1",
        "conditional_caution",
        "fenland",
        "open",
    )
    with pytest.raises(InvalidArgumentError, match="already a case"):
        open_case(
            ledger,
            "c1",
            disposal="conditional_caution",
            conditions=[ConditionSpec("a", "rehabilitative")],
            agreed_on=DAY,
            actor="o",
        )


@pytest.mark.parametrize("actor", ["", "Jane Smith", "x" * 129, "tab\there"])
def test_actors_are_tokens_not_names(ledger: Ledger, actor: str) -> None:
    _plan(ledger, "c1", "a")
    with pytest.raises(InvalidArgumentError, match="never a name"):
        open_case(
            ledger,
            "c1",
            disposal="conditional_caution",
            conditions=[ConditionSpec("a", "rehabilitative")],
            agreed_on=DAY,
            actor=actor,
        )


# ----------------------------------------------------------------------------- state machine
#: The allowed moves, written out independently of the code's table.
ALLOWED = {
    ("agreed", "attended"),
    ("agreed", "completed"),
    ("agreed", "breached"),
    ("agreed", "withdrawn"),
    ("attended", "completed"),
    ("attended", "breached"),
    ("attended", "withdrawn"),
}
STATUSES = ("agreed", "attended", "completed", "breached", "withdrawn")
#: A path from agreed to each status.
PATH = {
    "agreed": (),
    "attended": ("attended",),
    "completed": ("completed",),
    "breached": ("breached",),
    "withdrawn": ("withdrawn",),
}


@pytest.mark.parametrize("start", STATUSES)
def test_every_status_change_is_allowed_or_refused_as_the_machine_says(
    ledger: Ledger, start: str
) -> None:
    for n, target in enumerate(STATUSES):
        ref = f"c{n}"
        _case(ledger, ref, "a")
        for step in PATH[start]:
            set_condition(ledger, ref, "a", step, on=DAY, actor="hub-1")  # type: ignore[arg-type]
        before = audit_trail(ledger, ref)
        if start == target:
            assert set_condition(ledger, ref, "a", target, on=DAY, actor="hub-1").status == start  # type: ignore[arg-type]
            assert audit_trail(ledger, ref) == before  # nothing written
        elif (start, target) in ALLOWED:
            got = set_condition(ledger, ref, "a", target, on=DAY + timedelta(1), actor="hub-2")  # type: ignore[arg-type]
            assert (got.status, got.status_on) == (target, DAY + timedelta(1))
            last = audit_trail(ledger, ref)[-1]
            assert (last.actor, last.pathway, last.change) == ("hub-2", "a", target)
            assert last.detail == f"{start} -> {target} on {DAY + timedelta(1)}"
        else:
            with pytest.raises(InvalidArgumentError, match=f"is {start}; it cannot become"):
                set_condition(ledger, ref, "a", target, on=DAY, actor="hub-1")  # type: ignore[arg-type]
            assert get_case(ledger, ref).conditions[0].status == start
            assert audit_trail(ledger, ref) == before


def test_the_referral_follows_its_condition(ledger: Ledger) -> None:
    _case(ledger, "c1", "a", "b", "c", "d")
    set_condition(ledger, "c1", "a", "attended", on=DAY, actor="h")
    set_condition(ledger, "c1", "b", "completed", on=DAY, actor="h")
    set_condition(ledger, "c1", "c", "breached", on=DAY, actor="h")
    assert ledger.booked("d", "2026-11") == 1
    set_condition(ledger, "c1", "d", "withdrawn", on=DAY, actor="h")
    got = {e.pathway: e.status for e in ledger.referrals("c1")}
    assert got == {"a": "attended", "b": "completed", "c": "breached", "d": "cancelled"}
    assert ledger.booked("d", "2026-11") == 0  # the withdrawn condition's place went back
    assert get_case(ledger, "c1").state == "breached"
    ledger.check()


def test_a_status_cannot_be_dated_before_the_last_one(ledger: Ledger) -> None:
    _case(ledger, "c1", "a")
    set_condition(ledger, "c1", "a", "attended", on=DAY + timedelta(5), actor="h")
    with pytest.raises(InvalidArgumentError, match="cannot be dated earlier"):
        set_condition(ledger, "c1", "a", "completed", on=DAY + timedelta(4), actor="h")


def test_case_states(ledger: Ledger) -> None:
    _case(ledger, "c1", "a", "b")
    assert get_case(ledger, "c1").state == "open"
    set_condition(ledger, "c1", "a", "completed", on=DAY + timedelta(3), actor="h")
    assert get_case(ledger, "c1").state == "open"
    set_condition(ledger, "c1", "b", "withdrawn", on=DAY + timedelta(9), actor="h")
    case = get_case(ledger, "c1")
    assert (case.state, case.closed_on) == ("complied", DAY + timedelta(9))
    _case(ledger, "c2", "a")
    set_condition(ledger, "c2", "a", "withdrawn", on=DAY, actor="h")
    assert get_case(ledger, "c2").state == "withdrawn"
    assert [c.reference for c in all_cases(ledger)] == ["c1", "c2"]
    assert all_cases(ledger, start=DAY + timedelta(1)) == []


# ----------------------------------------------------------------------------- audit trail
def test_the_audit_trail_is_append_only_and_holds_no_personal_details(ledger: Ledger) -> None:
    _case(ledger, "c1", "a")
    set_condition(ledger, "c1", "a", "attended", on=DAY, actor="hub-9")
    trail = audit_trail(ledger, "c1")
    assert [(e.actor, e.pathway, e.change) for e in trail] == [
        ("officer-1", None, "case opened"),
        ("officer-1", "a", "condition agreed"),
        ("hub-9", "a", "attended"),
    ]
    assert [e.at for e in trail] == sorted(e.at for e in trail)
    assert all(e.at.tzinfo is not None for e in trail)
    for sql in ("UPDATE audit SET actor = 'someone-else'", "DELETE FROM audit"):
        with pytest.raises(LedgerError, match="append-only"), ledger.store.guard():
            ledger.store.execute(sql)
    assert audit_trail(ledger, "c1") == trail
    columns = _columns(ledger, "audit") | _columns(ledger, "cases") | _columns(ledger, "conditions")
    assert not columns & {"name", "surname", "dob", "birth", "address", "postcode", "notes"}


def _columns(ledger: Ledger, table: str) -> set[str]:
    with ledger.store.guard():
        cur = ledger.store.execute(f"SELECT * FROM {table} WHERE 1 = 0")
        description = cur.description  # type: ignore[attr-defined]
    return {d[0] for d in description}


# ----------------------------------------------------------------------------- the hub's lists
def test_due_lists_overdue_first_then_by_date_within_the_horizon(ledger: Ledger) -> None:
    for n, agreed in enumerate([DAY, DAY + timedelta(10), DAY - timedelta(40), DAY]):
        _case(ledger, f"c{n}", "a", "b", on=agreed)
    set_condition(ledger, "c3", "a", "completed", on=DAY, actor="h")  # done: never due
    set_condition(ledger, "c3", "b", "attended", on=DAY, actor="h")  # attended: still due
    today = DAY + timedelta(days=112 + 3)  # c0's and c3's conditions 3 days overdue
    got = due(ledger, today=today, days=7)
    assert [(i.reference, i.pathway, i.days_left, i.overdue) for i in got] == [
        ("c2", "a", -43, True),
        ("c2", "b", -43, True),
        ("c0", "a", -3, True),
        ("c0", "b", -3, True),
        ("c3", "b", -3, True),
        ("c1", "a", 7, False),  # due on the last day of the horizon: included
        ("c1", "b", 7, False),
    ]
    within_six = [i.reference for i in due(ledger, today=today, days=6)]
    assert within_six == ["c2", "c2", "c0", "c0", "c3"]
    with pytest.raises(InvalidArgumentError, match="days must be 0 or more"):
        due(ledger, today=today, days=-1)


def test_breaches_wait_for_a_statement(ledger: Ledger) -> None:
    _case(ledger, "c1", "a", "b")
    _case(ledger, "c2", "a")
    set_condition(ledger, "c2", "a", "breached", on=DAY + timedelta(2), actor="h")
    set_condition(ledger, "c1", "b", "breached", on=DAY + timedelta(5), actor="h")
    assert [(c.reference, c.pathway) for c in breaches(ledger)] == [("c2", "a"), ("c1", "b")]
    with pytest.raises(InvalidArgumentError, match="not breached"):
        record_statement(ledger, "c1", "a", on=DAY, actor="h")
    with pytest.raises(InvalidArgumentError, match="before the breach"):
        record_statement(ledger, "c2", "a", on=DAY, actor="h")
    got = record_statement(ledger, "c2", "a", on=DAY + timedelta(9), actor="hub-3")
    assert got.statement_on == DAY + timedelta(9)
    with pytest.raises(InvalidArgumentError, match="was recorded on"):
        record_statement(ledger, "c2", "a", on=DAY + timedelta(9), actor="h")
    assert [(c.reference, c.pathway) for c in breaches(ledger)] == [("c1", "b")]
    assert len(breaches(ledger, awaiting=False)) == 2
    assert audit_trail(ledger, "c2")[-1].change == "breach statement"
    with pytest.raises(NotFoundError, match="condition"):
        record_statement(ledger, "c9", "a", on=DAY, actor="h")


# ----------------------------------------------------------------------------- migration
def test_a_version_2_ledger_made_by_the_previous_code_is_upgraded(tmp_path: Path) -> None:
    """tests/data/ledger-v2.sqlite was written by the code of commit 94c6198 (schema 2)."""
    path = tmp_path / "v2.sqlite"
    shutil.copyfile(V2_FILE, path)
    assert read_header(path)[1] == 2  # type: ignore[index]
    with Ledger(path) as ledger:
        got = {(e.reference, e.pathway): (e.status, e.waitlisted) for r in ledger.references()
               for e in ledger.referrals(r)}  # fmt: skip
        assert got == {
            ("plan-1", "a"): ("attended", False),
            ("plan-1", "b"): ("completed", False),
            ("plan-2", "a"): ("cancelled", False),
            ("plan-2", "w"): ("breached", False),
            ("plan-3", "a"): ("booked", True),
            ("plan-3", "w"): ("booked", True),
        }
        ledger.check()
        assert ledger.booked("a", "2026-11") == 1
        case = open_case(
            ledger,
            "plan-1",
            disposal="conditional_caution",
            conditions=[ConditionSpec("a", "rehabilitative")],
            agreed_on=date(2026, 11, 2),
            actor="hub-1",
        )
        assert case.conditions[0].status == "agreed"
    assert read_header(path)[1] == SCHEMA_VERSION == 3  # type: ignore[index]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    assert V2_FILE.read_bytes() != path.read_bytes()  # the copy changed, the fixture did not


def test_a_condition_still_to_be_done_cannot_be_cancelled_under_it(ledger: Ledger) -> None:
    """Cancelling the plan (or the one referral) under an open condition would leave a
    condition with no place; nothing is cancelled and the message names the way out."""
    _case(ledger, "c1", "a", "b")
    _plan(ledger, "p2", "a")  # a plan that is not a case cancels as before
    before = {e.pathway: e.status for e in ledger.referrals("c1")}
    with pytest.raises(InvalidArgumentError, match=r"referral to a, b are conditions still"):
        ledger.cancel("c1")
    with pytest.raises(InvalidArgumentError, match=r"case set c1 b withdrawn"):
        ledger.cancel("c1", "b")
    assert {e.pathway: e.status for e in ledger.referrals("c1")} == before
    assert ledger.booked("b", "2026-11") == 1
    set_condition(ledger, "c1", "b", "completed", on=DAY, actor="h")
    set_condition(ledger, "c1", "a", "withdrawn", on=DAY, actor="h")
    assert ledger.cancel("c1") == 0  # done or withdrawn: nothing left booked to cancel
    assert ledger.cancel("p2") == 1
    ledger.check()


def test_the_case_lifecycle_through_the_public_api(tmp_path: Path) -> None:
    """A force system that imports only ``pathways`` can match, book, open a case, record
    compliance and read the board's report."""
    import pathways

    d = pathways.load()
    plan = pathways.match(d, pathways.assess(d, needs=["debt"], where="Wisbech", age=30))
    ids = [r.pathway for r in plan.referrals]
    with pathways.Ledger(str(tmp_path / "hub.sqlite"), today=DAY) as ledger:
        ledger.reserve([d.pathway_by_id[i] for i in ids], reference="REF-1", on=DAY)
        case = pathways.open_case(
            ledger,
            "REF-1",
            disposal="deferred_prosecution",
            conditions=[pathways.ConditionSpec(ids[0], "rehabilitative")],
            agreed_on=DAY,
            actor="officer-1",
        )
        assert case.disposal == "conditional_caution"
        assert case.conditions[0].due_on == pathways.default_due("conditional_caution", DAY)
        pathways.set_condition(ledger, "REF-1", ids[0], "breached", on=DAY, actor="officer-1")
        assert [c.reference for c in pathways.breaches(ledger)] == ["REF-1"]
        report = pathways.compliance_report(pathways.all_cases(ledger), d)
    assert isinstance(report, pathways.ComplianceReport)
