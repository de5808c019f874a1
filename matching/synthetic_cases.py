"""A synthetic year of cases (ILLUSTRATIVE: invented people and outcomes, never real ones).

Used by the published example of the compliance report and by tests. The shape follows the hub's
documents (reports to Cambridgeshire's Business Coordination Board of 21 September 2016 and 22 June
2017 on deferred prosecution and the Offender Hub): each
case is a conditional caution (or its youth form) with one to three conditions at pathways that
serve the person's district; a share ``compliance`` of the cases that settle comply, the others
breach one condition. Every number here is invented; only the proportions are chosen to be like
those the documents report (85% compliance; breach files per month at the volume they expect).

>>> from directory.loading import load
>>> cases = synthetic_year(load(), cases=40, seed=1)
>>> len(cases), cases[0].reference
(40, 'SYN-0001')
>>> cases == synthetic_year(load(), cases=40, seed=1)       # the same seed, the same year
True
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypeVar

from directory.errors import InvalidArgumentError
from matching.cases import Case, Condition, ConditionSpec, default_due

if TYPE_CHECKING:
    from directory.models import Directory
    from matching.capacity import Ledger
    from matching.cases import ConditionKind, ConditionStatus

__all__ = ["fill_ledger", "synthetic_year"]

#: Illustrative mix of disposals (weights).
_DISPOSALS = (("conditional_caution", 88),)
_YOUTH = ("youth_conditional_caution", 12)
_KINDS: tuple[tuple[ConditionKind, int], ...] = (
    ("rehabilitative", 70),
    ("reparative", 20),
    ("punitive", 10),
)


T = TypeVar("T")


def _pick(rng: random.Random, weighted: tuple[tuple[T, int], ...]) -> T:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def synthetic_year(
    directory: Directory,
    *,
    cases: int = 1200,
    compliance: float = 0.87,
    on_time: float = 0.9,
    start: date = date(2026, 1, 1),
    seed: int = 2026,
) -> list[Case]:
    """``cases`` invented cases opened evenly over the year from ``start``, seen at the year's
    end: a case settles when its last condition is done or its first breached; those settling
    after the year's end are still open. ``compliance`` is the chance that a case complies
    (0.87: since a breach settles a case sooner than compliance does, about 85% of the cases
    settled by the year's end complied); ``on_time`` the chance that a completed condition was
    done by its due date."""
    if cases < 0 or not 0 <= compliance <= 1 or not 0 <= on_time <= 1:
        raise InvalidArgumentError("cases must be 0 or more and the chances between 0 and 1")
    rng = random.Random(seed)
    as_of = start.replace(year=start.year + 1) - timedelta(days=1)
    districts = sorted(directory.district_by_id)
    serving = {
        d: sorted(
            p.id for p in directory.pathways if p.active and d in directory.served_districts(p)
        )
        for d in districts
    }
    out: list[Case] = []
    for n in range(cases):
        opened = start + timedelta(days=(n * 365) // max(cases, 1))
        district = rng.choice(districts)
        disposal = _pick(rng, (*_DISPOSALS, _YOUTH))
        pathways = rng.sample(serving[district], k=min(len(serving[district]), rng.randint(1, 3)))
        complies = rng.random() < compliance
        breach_at = rng.randrange(len(pathways))
        conditions = []
        for i, pid in enumerate(sorted(pathways)):
            due_on = default_due(disposal, opened)
            status: ConditionStatus
            if complies or i != breach_at:
                status = "completed"
                when = (
                    opened + timedelta(days=rng.randint(21, (due_on - opened).days))
                    if rng.random() < on_time
                    else due_on + timedelta(days=rng.randint(1, 21))
                )
                if not complies and rng.random() < 0.5:
                    status = "withdrawn"  # dropped after the breach
            else:
                status = "breached"
                when = opened + timedelta(days=rng.randint(14, (due_on - opened).days + 14))
            statement = None
            if status == "breached":
                statement = when + timedelta(days=rng.randint(2, 21))
            if when > as_of:  # not yet happened at the year's end
                status, when, statement = "agreed", opened, None
            elif statement is not None and statement > as_of:
                statement = None
            kind = _pick(rng, _KINDS)
            conditions.append(Condition(f"SYN-{n + 1:04d}", pid, kind, opened, due_on, status,
                                        when, statement))  # fmt: skip
        out.append(Case(f"SYN-{n + 1:04d}", disposal, district, opened, tuple(conditions)))
    return out


def fill_ledger(ledger: Ledger, directory: Directory, cases: list[Case]) -> None:
    """Write ``cases`` into ``ledger`` through its public operations: book each plan (places
    are not limited here: an illustration of outcomes, not of capacity), open the case, then
    record each condition's outcome and breach statement on its day, by the token ``synthetic``.
    """
    from matching.cases import open_case, record_statement, set_condition

    for case in cases:
        unlimited = [
            directory.pathway_by_id[c.pathway].model_copy(update={"capacity": None})
            for c in case.conditions
        ]
        ledger.reserve(unlimited, reference=case.reference, on=case.opened_on)
        open_case(
            ledger,
            case.reference,
            disposal=case.disposal,
            conditions=[ConditionSpec(c.pathway, c.kind, c.due_on) for c in case.conditions],
            agreed_on=case.opened_on,
            actor="synthetic",
            district=case.district,
        )
        for c in sorted(case.conditions, key=lambda c: c.status_on):
            if c.status != "agreed":
                set_condition(ledger, case.reference, c.pathway, c.status, on=c.status_on,
                              actor="synthetic")  # fmt: skip
            if c.statement_on is not None:
                record_statement(ledger, case.reference, c.pathway, on=c.statement_on,
                                 actor="synthetic")  # fmt: skip
