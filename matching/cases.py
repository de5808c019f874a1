"""Cases and their conditions: what the hub tracks after a plan is booked.

A booked plan becomes a *case* (:func:`open_case`), keyed by the plan's opaque reference (never
a name), with its disposal and the person's district (for aggregates only). Each *condition* is
tied to one referral of the plan: its kind (rehabilitative, reparative or punitive), the day it
was agreed and the day by which it must be done. A condition moves through a small state
machine, and every change is written, with when and by whom (a token or user id), to the
append-only audit trail (:func:`audit_trail`):

    agreed -> attended -> completed
       |         |------> breached
       |         '------> withdrawn
       '--> completed | breached | withdrawn

The referral follows its condition in the same transaction: attended, completed and breached are
recorded on it too, and a withdrawn condition cancels a referral still booked (its place goes
back). A breached condition waits for a *breach statement* from the agency
(:func:`record_statement`); :func:`breaches` lists those still waiting and :func:`due` the
conditions due within some days, overdue ones first.

Due dates default per disposal from the code of practice that governs it (:data:`DEADLINES`,
with sources; :func:`default_due`) and can be given per condition instead.

>>> import tempfile, pathlib
>>> from datetime import date
>>> from directory.loading import load
>>> from matching.capacity import Ledger
>>> p = load().pathway_by_id["aspire-drug-treatment"]
>>> with tempfile.TemporaryDirectory() as tmp, Ledger(pathlib.Path(tmp) / "l.db") as ledger:
...     _ = ledger.reserve([p], reference="case-1", on=date(2026, 11, 2))
...     case = open_case(ledger, "case-1", disposal="conditional_caution",
...                      conditions=[ConditionSpec(p.id, "rehabilitative")],
...                      agreed_on=date(2026, 11, 2), actor="officer-7")
...     _ = set_condition(ledger, "case-1", p.id, "attended", on=date(2026, 11, 9),
...                       actor="hub-2")
...     soon = due(ledger, today=date(2027, 2, 15), days=7)
...     trail = [(e.actor, e.change) for e in audit_trail(ledger, "case-1")]
>>> case.conditions[0].due_on, soon[0].pathway, soon[0].days_left
(datetime.date(2027, 2, 22), 'aspire-drug-treatment', 7)
>>> trail
[('officer-7', 'case opened'), ('officer-7', 'condition agreed'), ('hub-2', 'attended')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Literal, get_args

from directory.errors import InvalidArgumentError, LedgerError, NotFoundError
from directory.models import CONDITIONS, DISPOSAL_ALIASES, DISPOSALS
from matching.capacity import _ref_lock
from matching.ledger import CONDITION_KINDS, CONDITION_STATUSES

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matching.capacity import Ledger, ReferralStatus

__all__ = [
    "DEADLINES",
    "AuditEntry",
    "Case",
    "Condition",
    "ConditionKind",
    "ConditionSpec",
    "ConditionStatus",
    "Deadline",
    "DueItem",
    "all_cases",
    "audit_trail",
    "breaches",
    "change_due",
    "default_due",
    "due",
    "get_case",
    "open_case",
    "record_statement",
    "set_condition",
]

ConditionKind = Literal["rehabilitative", "reparative", "punitive"]
ConditionStatus = Literal["agreed", "attended", "completed", "breached", "withdrawn"]
assert get_args(ConditionKind) == CONDITION_KINDS == CONDITIONS
assert get_args(ConditionStatus) == CONDITION_STATUSES

#: Status changes :func:`set_condition` allows.
_NEXT: dict[str, frozenset[str]] = {
    "agreed": frozenset({"attended", "completed", "breached", "withdrawn"}),
    "attended": frozenset({"completed", "breached", "withdrawn"}),
    "completed": frozenset(),
    "breached": frozenset(),
    "withdrawn": frozenset(),
}
#: What the referral becomes with its condition (from the referral statuses it may leave).
_REFERRAL: dict[str, tuple[ReferralStatus, frozenset[str]]] = {
    "attended": ("attended", frozenset({"booked"})),
    "completed": ("completed", frozenset({"booked", "attended"})),
    "breached": ("breached", frozenset({"booked", "attended"})),
    "withdrawn": ("cancelled", frozenset({"booked"})),
}
_TOKEN = re.compile(r"^[!-~]{1,128}$")  # printable ASCII, no spaces


@dataclass(frozen=True, slots=True)
class Deadline:
    """How long conditions under one disposal normally run, and the source that says so."""

    weeks: int
    """Weeks from the day the conditions were agreed to the default due date."""
    exceptional_weeks: int | None
    """The longest the source allows in exceptional cases (None: it names no limit)."""
    source: str
    """Where the figure comes from."""


_ADULT = (
    "Code of Practice for Adult Conditional Cautions (January 2013; "
    "Criminal Justice Act 2003 Part 3): conditions normally completed within 16 weeks, "
    "exceptionally 20 (as summarised by olliers.com, 2024)"
)
#: Default time limits per disposal. Disposals without conditions (simple and youth cautions,
#: community resolutions) and those whose code is not in force (diversionary and community
#: cautions, Police, Crime, Sentencing and Courts Act 2022 Part 6) have none: give a due date.
DEADLINES: dict[str, Deadline] = {
    "conditional_caution": Deadline(16, 20, _ADULT),
    "youth_conditional_caution": Deadline(
        16,
        None,
        "Youth Conditional Caution Code of Practice (January 2013; Crime and Disorder Act 1998 "
        "s.66B) requires conditions to be time-limited but names no period; 16 weeks is the "
        "practice reported for Suffolk, used here as the default",
    ),
}


def default_due(disposal: str, agreed_on: date, *, exceptional: bool = False) -> date:
    """The day by which a condition agreed on ``agreed_on`` under ``disposal`` must be done.

    >>> default_due("conditional_caution", date(2026, 11, 2))
    datetime.date(2027, 2, 22)
    >>> default_due("conditional_caution", date(2026, 11, 2), exceptional=True)
    datetime.date(2027, 3, 22)
    >>> default_due("simple_caution", date(2026, 11, 2))
    Traceback (most recent call last):
    ...
    directory.errors.InvalidArgumentError: no default time limit for simple_caution ...
    """
    disposal = _check_disposal(disposal)
    rule = DEADLINES.get(disposal)
    if rule is None:
        raise InvalidArgumentError(
            f"no default time limit for {disposal} (no code of practice sets one); "
            "give each condition a due date"
        )
    if exceptional and rule.exceptional_weeks is None:
        raise InvalidArgumentError(
            f"no exceptional time limit is known for {disposal}; give the due date"
        )
    weeks = rule.exceptional_weeks if exceptional and rule.exceptional_weeks else rule.weeks
    return agreed_on + timedelta(weeks=weeks)


def _check_disposal(disposal: str) -> str:
    """The current word for ``disposal`` (``deferred_prosecution`` is a conditional caution).

    >>> _check_disposal("deferred_prosecution")
    'conditional_caution'
    """
    disposal = DISPOSAL_ALIASES.get(disposal, disposal)
    if disposal not in DISPOSALS:
        raise InvalidArgumentError(f"unknown disposal {disposal!r}; use {', '.join(DISPOSALS)}")
    return disposal


def _check_due(disposal: str, agreed_on: date, due_on: date) -> None:
    if due_on < agreed_on:
        raise InvalidArgumentError(f"a condition cannot be due ({due_on}) before it was agreed")
    rule = DEADLINES.get(disposal)
    if rule is not None and rule.exceptional_weeks is not None:
        limit = agreed_on + timedelta(weeks=rule.exceptional_weeks)
        if due_on > limit:
            raise InvalidArgumentError(
                f"{disposal}: conditions agreed on {agreed_on} must be done by {limit} at the "
                f"latest ({rule.exceptional_weeks} weeks, exceptionally); {due_on} is later"
            )


def _token(value: str, what: str) -> str:
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise InvalidArgumentError(
            f"{what} {value!r} must be 1 to 128 printable characters without spaces "
            "(an opaque token or user id, never a name)"
        )
    return value


@dataclass(frozen=True, slots=True)
class ConditionSpec:
    """A condition to agree: the referral's pathway, its kind, and optionally its due date
    (default: :func:`default_due` for the case's disposal; ``exceptional`` for the longer
    limit)."""

    pathway: str
    kind: ConditionKind
    due_on: date | None = None
    exceptional: bool = False


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition as the ledger holds it."""

    reference: str
    pathway: str
    kind: ConditionKind
    agreed_on: date
    due_on: date
    status: ConditionStatus
    status_on: date
    """The day of the latest status (the day agreed, attended, completed...)."""
    statement_on: date | None
    """The day the breach statement was obtained (breached conditions only)."""

    @property
    def pending(self) -> bool:
        """Still to be done (agreed or attended)."""
        return self.status in ("agreed", "attended")

    @property
    def on_time(self) -> bool:
        """Completed on or before its due date."""
        return self.status == "completed" and self.status_on <= self.due_on


@dataclass(frozen=True, slots=True)
class Case:
    """A booked plan under a disposal, with its conditions (by pathway id)."""

    reference: str
    disposal: str
    district: str | None
    opened_on: date
    conditions: tuple[Condition, ...]

    @property
    def state(self) -> Literal["open", "complied", "breached", "withdrawn"]:
        """``breached`` when any condition was breached; else ``open`` while any is to be done;
        else ``complied`` when at least one was completed; else ``withdrawn``."""
        statuses = {c.status for c in self.conditions}
        if "breached" in statuses:
            return "breached"
        if statuses & {"agreed", "attended"}:
            return "open"
        return "complied" if "completed" in statuses else "withdrawn"

    @property
    def closed_on(self) -> date | None:
        """The day the case's outcome was settled: the first breach, or the last condition
        done; None while open."""
        state = self.state
        if state == "open":
            return None
        if state == "breached":
            return min(c.status_on for c in self.conditions if c.status == "breached")
        return max(c.status_on for c in self.conditions)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change in the audit trail."""

    at: datetime
    actor: str
    reference: str
    pathway: str | None
    change: str
    detail: str


@dataclass(frozen=True, slots=True)
class DueItem:
    """A condition still to be done, with the days left (negative when overdue)."""

    reference: str
    pathway: str
    kind: ConditionKind
    status: ConditionStatus
    due_on: date
    days_left: int

    @property
    def overdue(self) -> bool:
        """Past its due date."""
        return self.days_left < 0


_CONDITION_COLUMNS = "reference, pathway, kind, agreed_on, due_on, status, status_on, statement_on"


def _condition(row: Sequence[object]) -> Condition:
    ref, pathway, kind, agreed, due_on, status, status_on, statement = row
    return Condition(
        str(ref),
        str(pathway),
        kind,  # type: ignore[arg-type]
        date.fromisoformat(str(agreed)),
        date.fromisoformat(str(due_on)),
        status,  # type: ignore[arg-type]
        date.fromisoformat(str(status_on)),
        date.fromisoformat(str(statement)) if statement is not None else None,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _audit(
    ledger: Ledger, actor: str, reference: str, pathway: str | None, change: str, detail: str
) -> None:
    ledger.store.execute(
        "INSERT INTO audit (at, actor, reference, pathway, change, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (_now(), actor, reference, pathway, change, detail),
    )


def open_case(
    ledger: Ledger,
    reference: str,
    *,
    disposal: str,
    conditions: Sequence[ConditionSpec],
    agreed_on: date,
    actor: str,
    district: str | None = None,
) -> Case:
    """Make the plan booked under ``reference`` a case with ``conditions``, all or nothing.

    Each condition names a pathway the plan booked (a referral not cancelled), at most once.
    ``district`` is the person's district id, kept only for aggregates. ``actor`` is the token
    or user id written to the audit trail. A reference is a case once:
    :class:`~directory.errors.InvalidArgumentError` when it already is one.
    """
    _token(actor, "actor")
    disposal = _check_disposal(disposal)
    if not conditions:
        raise InvalidArgumentError("a case needs at least one condition")
    ids = [c.pathway for c in conditions]
    if len(set(ids)) != len(ids):
        raise InvalidArgumentError(f"case {reference}: a pathway has two conditions")
    rows: list[tuple[str, str, str]] = []
    for c in conditions:
        if c.kind not in CONDITION_KINDS:
            raise InvalidArgumentError(
                f"unknown kind of condition {c.kind!r}; use {', '.join(CONDITION_KINDS)}"
            )
        due_on = c.due_on or default_due(disposal, agreed_on, exceptional=c.exceptional)
        _check_due(disposal, agreed_on, due_on)
        rows.append((c.pathway, c.kind, due_on.isoformat()))
    store = ledger.store
    with store.guard(), store.write([_ref_lock(reference)]):
        booked = {
            p: s
            for p, s in store.execute(
                "SELECT pathway, status FROM referral WHERE reference = ?", (reference,)
            )
        }
        if not booked:
            raise NotFoundError("reference", reference)
        if store.execute("SELECT 1 FROM cases WHERE reference = ?", (reference,)).fetchone():
            raise InvalidArgumentError(f"{reference} is already a case")
        for pathway, _, _ in rows:
            if booked.get(pathway, "cancelled") == "cancelled":
                raise InvalidArgumentError(
                    f"case {reference}: no referral to {pathway} is booked under it"
                )
        day = agreed_on.isoformat()
        store.execute(
            "INSERT INTO cases (reference, disposal, district, opened_on, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (reference, disposal, district, day, _now()),
        )
        _audit(ledger, actor, reference, None, "case opened", disposal)
        for pathway, kind, due_text in rows:
            store.execute(
                "INSERT INTO conditions (reference, pathway, kind, agreed_on, due_on, status, "
                "status_on) VALUES (?, ?, ?, ?, ?, 'agreed', ?)",
                (reference, pathway, kind, day, due_text, day),
            )
            _audit(ledger, actor, reference, pathway, "condition agreed", f"{kind}, due {due_text}")
    return get_case(ledger, reference)


def get_case(ledger: Ledger, reference: str) -> Case:
    """The case opened for ``reference`` (:class:`~directory.errors.NotFoundError` if none)."""
    store = ledger.store
    with store.guard():
        row = store.execute(
            "SELECT reference, disposal, district, opened_on FROM cases WHERE reference = ?",
            (reference,),
        ).fetchone()
        if row is None:
            raise NotFoundError("case", reference)
        conditions = store.execute(
            f"SELECT {_CONDITION_COLUMNS} FROM conditions WHERE reference = ? ORDER BY pathway",
            (reference,),
        ).fetchall()
    ref, disposal, district, opened = row
    return Case(
        ref, disposal, district, date.fromisoformat(opened), tuple(map(_condition, conditions))
    )


def all_cases(ledger: Ledger, *, start: date | None = None, end: date | None = None) -> list[Case]:
    """Every case opened from ``start`` to ``end`` (inclusive), by reference (two queries)."""
    lo, hi = (start or date.min).isoformat(), (end or date.max).isoformat()
    store = ledger.store
    with store.guard():
        heads = store.execute(
            "SELECT reference, disposal, district, opened_on FROM cases "
            "WHERE opened_on BETWEEN ? AND ? ORDER BY reference",
            (lo, hi),
        ).fetchall()
        rows = store.execute(
            f"SELECT {', '.join(f'c.{x.strip()}' for x in _CONDITION_COLUMNS.split(','))} "
            "FROM conditions c JOIN cases k ON k.reference = c.reference "
            "WHERE k.opened_on BETWEEN ? AND ? ORDER BY c.reference, c.pathway",
            (lo, hi),
        ).fetchall()
    by_ref: dict[str, list[Condition]] = {}
    for row in rows:
        c = _condition(row)
        by_ref.setdefault(c.reference, []).append(c)
    return [Case(r, d, k, date.fromisoformat(o), tuple(by_ref.get(r, ()))) for r, d, k, o in heads]


def _current(ledger: Ledger, reference: str, pathway: str) -> Condition:
    row = ledger.store.execute(
        f"SELECT {_CONDITION_COLUMNS} FROM conditions WHERE reference = ? AND pathway = ?",
        (reference, pathway),
    ).fetchone()
    if row is None:
        raise NotFoundError("condition", f"{reference}/{pathway}")
    return _condition(row)


def set_condition(
    ledger: Ledger,
    reference: str,
    pathway: str,
    status: ConditionStatus,
    *,
    on: date,
    actor: str,
) -> Condition:
    """Move a condition to ``status`` on the day ``on`` (see the module's state machine).

    Setting the current status again changes nothing. The referral follows in the same
    transaction; a change the state machine does not allow raises
    :class:`~directory.errors.InvalidArgumentError` and changes nothing.
    """
    _token(actor, "actor")
    if status not in CONDITION_STATUSES:
        raise InvalidArgumentError(
            f"unknown condition status {status!r}; use {', '.join(CONDITION_STATUSES)}"
        )
    store = ledger.store
    with store.guard(), store.write([_ref_lock(reference)]):
        current = _current(ledger, reference, pathway)
        if current.status == status:
            return current
        if status not in _NEXT[current.status]:
            raise InvalidArgumentError(
                f"condition {reference}/{pathway} is {current.status}; it cannot become {status}"
            )
        if on < current.status_on:
            raise InvalidArgumentError(
                f"condition {reference}/{pathway} became {current.status} on "
                f"{current.status_on}; {status} cannot be dated earlier ({on})"
            )
        store.execute(
            "UPDATE conditions SET status = ?, status_on = ? WHERE reference = ? AND pathway = ?",
            (status, on.isoformat(), reference, pathway),
        )
        new, leaving = _REFERRAL[status]
        referral = store.execute(
            "SELECT status FROM referral WHERE reference = ? AND pathway = ?",
            (reference, pathway),
        ).fetchone()
        if referral is not None and referral[0] in leaving:
            ledger._set_status(reference, pathway, new)
        _audit(ledger, actor, reference, pathway, status, f"{current.status} -> {status} on {on}")
        return _current(ledger, reference, pathway)


def change_due(
    ledger: Ledger, reference: str, pathway: str, due_on: date, *, actor: str
) -> Condition:
    """Give an open condition another due date (within the disposal's exceptional limit)."""
    _token(actor, "actor")
    store = ledger.store
    with store.guard(), store.write([_ref_lock(reference)]):
        current = _current(ledger, reference, pathway)
        if not current.pending:
            raise InvalidArgumentError(
                f"condition {reference}/{pathway} is {current.status}: its due date is settled"
            )
        disposal = store.execute(
            "SELECT disposal FROM cases WHERE reference = ?", (reference,)
        ).fetchone()[0]
        _check_due(disposal, current.agreed_on, due_on)
        store.execute(
            "UPDATE conditions SET due_on = ? WHERE reference = ? AND pathway = ?",
            (due_on.isoformat(), reference, pathway),
        )
        _audit(ledger, actor, reference, pathway, "due changed", f"{current.due_on} -> {due_on}")
        return _current(ledger, reference, pathway)


def record_statement(
    ledger: Ledger, reference: str, pathway: str, *, on: date, actor: str
) -> Condition:
    """Record that the breach statement for a breached condition was obtained on ``on``."""
    _token(actor, "actor")
    store = ledger.store
    with store.guard(), store.write([_ref_lock(reference)]):
        current = _current(ledger, reference, pathway)
        if current.status != "breached":
            raise InvalidArgumentError(
                f"condition {reference}/{pathway} is {current.status}, not breached: "
                "no breach statement is needed"
            )
        if current.statement_on is not None:
            raise InvalidArgumentError(
                f"the breach statement for {reference}/{pathway} was recorded on "
                f"{current.statement_on}"
            )
        if on < current.status_on:
            raise InvalidArgumentError(
                f"a breach statement cannot be dated ({on}) before the breach ({current.status_on})"
            )
        store.execute(
            "UPDATE conditions SET statement_on = ? WHERE reference = ? AND pathway = ?",
            (on.isoformat(), reference, pathway),
        )
        _audit(ledger, actor, reference, pathway, "breach statement", f"obtained on {on}")
        return _current(ledger, reference, pathway)


def due(ledger: Ledger, *, today: date, days: int = 14) -> list[DueItem]:
    """Conditions still to be done whose due date is at most ``days`` after ``today``:
    overdue ones first, then by due date, reference and pathway."""
    if days < 0:
        raise InvalidArgumentError(f"days must be 0 or more, not {days}")
    horizon = (today + timedelta(days=days)).isoformat()
    store = ledger.store
    with store.guard():
        rows = store.execute(
            "SELECT reference, pathway, kind, status, due_on FROM conditions "
            "WHERE status IN ('agreed', 'attended') AND due_on <= ? "
            "ORDER BY due_on, reference, pathway",
            (horizon,),
        ).fetchall()
    items = [
        DueItem(r, p, k, s, date.fromisoformat(d), (date.fromisoformat(d) - today).days)
        for r, p, k, s, d in rows
    ]
    return sorted(items, key=lambda i: (not i.overdue, i.due_on, i.reference, i.pathway))


def breaches(ledger: Ledger, *, awaiting: bool = True) -> list[Condition]:
    """Breached conditions, oldest breach first; with ``awaiting`` only those still waiting for
    a breach statement."""
    store = ledger.store
    wait = " AND statement_on IS NULL" if awaiting else ""
    with store.guard():
        rows = store.execute(
            f"SELECT {_CONDITION_COLUMNS} FROM conditions WHERE status = 'breached'{wait} "
            "ORDER BY status_on, reference, pathway"
        ).fetchall()
    return [_condition(r) for r in rows]


def audit_trail(ledger: Ledger, reference: str) -> tuple[AuditEntry, ...]:
    """Every change to the case ``reference``, in the order written."""
    store = ledger.store
    with store.guard():
        rows = store.execute(
            "SELECT at, actor, reference, pathway, change, detail FROM audit "
            "WHERE reference = ? ORDER BY id",
            (reference,),
        ).fetchall()
    try:
        return tuple(
            AuditEntry(datetime.fromisoformat(a), b, r, p, c, d) for a, b, r, p, c, d in rows
        )
    except ValueError as err:  # pragma: no cover - only a hand-edited file has other text
        raise LedgerError(f"ledger {ledger.path}: unreadable audit trail ({err})") from None
