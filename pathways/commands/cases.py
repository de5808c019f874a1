"""``pathways case``, ``due`` and ``breaches``: the hub's cases, conditions and lists.

The commands render what :mod:`matching.cases` computes and set exit codes: 0 ok, 1 refused
(a change the state machine does not allow, a due date past the code's limit, a ledger that is
not one), 2 usage (unknown reference, condition, disposal or district). Lists print one line per
condition, widest column last, so they read at 80 columns and when piped; ``--json`` for
machines. Nothing personal is printed: references, pathway ids, dates and statuses only.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

from directory.errors import NotFoundError
from directory.models import CONDITIONS, DISPOSAL_ALIASES, DISPOSALS
from directory.rules import did_you_mean
from matching.capacity import Ledger
from matching.cases import (
    ConditionSpec,
    audit_trail,
    breaches,
    change_due,
    due,
    get_case,
    open_case,
    record_statement,
    set_condition,
)
from matching.ledger import CONDITION_STATUSES
from pathways.cli import dir_option, load_or_exit, translate_errors
from pathways.commands.ledger_target import ledger_option

if TYPE_CHECKING:
    from pathlib import Path

    from matching.cases import Case, Condition, DueItem

__all__ = ["breaches_command", "case", "due_command"]

_DATE = click.DateTime(["%Y-%m-%d"])


def _day(value: datetime | None) -> date:
    return value.date() if value is not None else date.today()


def _actor_option(func: Any) -> Any:
    return click.option(
        "--by",
        "actor",
        envvar="PATHWAYS_ACTOR",
        required=True,
        help="Your token or user id, written to the audit trail (env PATHWAYS_ACTOR).",
    )(func)


def _echo_json(value: object) -> None:
    click.echo(json.dumps(value, indent=2, default=str))


def _condition_json(c: Condition) -> dict[str, object]:
    return {
        "reference": c.reference,
        "pathway": c.pathway,
        "kind": c.kind,
        "agreed_on": c.agreed_on,
        "due_on": c.due_on,
        "status": c.status,
        "status_on": c.status_on,
        "statement_on": c.statement_on,
    }


def _case_json(case: Case) -> dict[str, object]:
    return {
        "reference": case.reference,
        "disposal": case.disposal,
        "district": case.district,
        "opened_on": case.opened_on,
        "state": case.state,
        "conditions": [_condition_json(c) for c in case.conditions],
    }


def _print_case(case: Case) -> None:
    district = f", {case.district}" if case.district else ""
    click.echo(
        f"case {case.reference}: {case.disposal.replace('_', ' ')}{district}, "
        f"opened {case.opened_on}, {case.state}"
    )
    click.echo(f"  {'due':<10}  {'status':<9}  {'since':<10}  {'kind':<14}  pathway")
    for c in case.conditions:
        status = c.status + ("*" if c.status == "breached" and c.statement_on is None else "")
        click.echo(
            f"  {c.due_on.isoformat():<10}  {status:<9}  {c.status_on.isoformat():<10}  "
            f"{c.kind:<14}  {c.pathway}"
        )
    if any(c.status == "breached" and c.statement_on is None for c in case.conditions):
        click.echo("  * awaiting a breach statement")


def _parse_condition(text: str) -> ConditionSpec:
    """``PATHWAY:KIND`` or ``PATHWAY:KIND:YYYY-MM-DD`` (the due date)."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[0]:
        raise click.BadParameter(
            f"{text!r}: write PATHWAY:KIND or PATHWAY:KIND:DUE-DATE", param_hint="--condition"
        )
    kind = parts[1]
    if kind not in CONDITIONS:
        raise click.BadParameter(
            f"{text!r}: unknown kind {kind!r}; use {', '.join(CONDITIONS)}",
            param_hint="--condition",
        )
    due_on = None
    if len(parts) == 3:
        try:
            due_on = date.fromisoformat(parts[2])
        except ValueError:
            raise click.BadParameter(
                f"{text!r}: {parts[2]!r} is not a date (YYYY-MM-DD)", param_hint="--condition"
            ) from None
    return ConditionSpec(parts[0], kind, due_on)  # type: ignore[arg-type]


@click.group("case")
def case() -> None:
    """Cases: a booked plan's conditions, their status and the audit trail."""


@case.command("open")
@click.argument("reference")
@ledger_option(required=True)
@click.option(
    "--disposal",
    type=click.Choice((*DISPOSALS, *DISPOSAL_ALIASES)),
    metavar="DISPOSAL",
    required=True,
    help="The disposal: "
    + ", ".join(DISPOSALS)
    + " (deferred_prosecution is read as conditional_caution).",
)
@click.option(
    "--condition",
    "conditions",
    multiple=True,
    required=True,
    help="PATHWAY:KIND[:DUE-DATE], once per condition; KIND is rehabilitative, reparative or "
    "punitive; the due date defaults from the disposal's code of practice.",
)
@click.option("--agreed", type=_DATE, default=None, help="Day agreed (default today).")
@click.option("--exceptional", is_flag=True, help="Use the code's exceptional time limit.")
@click.option("--district", default=None, help="The person's district id (for aggregates).")
@dir_option
@_actor_option
@click.option("--json", "as_json", is_flag=True, help="Print the case as JSON.")
@translate_errors
def case_open(
    reference: str,
    ledger_path: Path | str,
    disposal: str,
    conditions: tuple[str, ...],
    agreed: datetime | None,
    exceptional: bool,
    district: str | None,
    directory_path: Path | None,
    actor: str,
    as_json: bool,
) -> None:
    """Make the plan booked under REFERENCE a case with its conditions, all or none."""
    specs = [_parse_condition(c) for c in conditions]
    if exceptional:
        specs = [ConditionSpec(s.pathway, s.kind, s.due_on, True) for s in specs]
    if district is not None:
        directory = load_or_exit(directory_path)
        if district not in directory.district_by_id:
            raise NotFoundError(
                "district", district, did_you_mean(district, directory.district_by_id)
            )
    with Ledger(ledger_path, create=False) as ledger:
        opened = open_case(
            ledger,
            reference,
            disposal=disposal,
            conditions=specs,
            agreed_on=_day(agreed),
            actor=actor,
            district=district,
        )
    if as_json:
        _echo_json(_case_json(opened))
    else:
        _print_case(opened)


@case.command("show")
@click.argument("reference")
@ledger_option(required=True)
@click.option("--audit", is_flag=True, help="Also print the audit trail.")
@click.option("--json", "as_json", is_flag=True, help="Print the case as JSON.")
@translate_errors
def case_show(reference: str, ledger_path: Path | str, audit: bool, as_json: bool) -> None:
    """A case, its conditions and (with --audit) every change to them."""
    with Ledger(ledger_path, create=False) as ledger:
        found = get_case(ledger, reference)
        trail = audit_trail(ledger, reference) if audit else ()
    if as_json:
        data = _case_json(found)
        if audit:
            data["audit"] = [
                {
                    "at": e.at.isoformat(),
                    "by": e.actor,
                    "pathway": e.pathway,
                    "change": e.change,
                    "detail": e.detail,
                }
                for e in trail
            ]
        _echo_json(data)
        return
    _print_case(found)
    for e in trail:
        what = f"{e.pathway}: " if e.pathway else ""
        click.echo(f"  {e.at.isoformat(timespec='seconds')}  {e.actor}  {what}{e.change}")
        if e.detail:
            click.echo(f"      {e.detail}")


@case.command("set")
@click.argument("reference")
@click.argument("pathway")
@click.argument("status", type=click.Choice(CONDITION_STATUSES[1:]))
@ledger_option(required=True)
@click.option("--on", type=_DATE, default=None, help="Day it happened (default today).")
@_actor_option
@translate_errors
def case_set(
    reference: str,
    pathway: str,
    status: str,
    ledger_path: Path | str,
    on: datetime | None,
    actor: str,
) -> None:
    """Record what became of one condition: attended, completed, breached or withdrawn."""
    with Ledger(ledger_path, create=False) as ledger:
        got = set_condition(ledger, reference, pathway, status, on=_day(on), actor=actor)  # type: ignore[arg-type]
    click.echo(f"{reference} {pathway}: {got.status} on {got.status_on}")
    if got.status == "breached":
        click.echo(f"a breach statement is awaited: pathways case statement {reference} {pathway}")


@case.command("due-date")
@click.argument("reference")
@click.argument("pathway")
@click.argument("due_on", metavar="DATE", type=_DATE)
@ledger_option(required=True)
@_actor_option
@translate_errors
def case_due_date(
    reference: str, pathway: str, due_on: datetime, ledger_path: Path | str, actor: str
) -> None:
    """Give an open condition another due date (within the code's exceptional limit)."""
    with Ledger(ledger_path, create=False) as ledger:
        got = change_due(ledger, reference, pathway, due_on.date(), actor=actor)
    click.echo(f"{reference} {pathway}: due {got.due_on}")


@case.command("statement")
@click.argument("reference")
@click.argument("pathway")
@ledger_option(required=True)
@click.option("--on", type=_DATE, default=None, help="Day it was obtained (default today).")
@_actor_option
@translate_errors
def case_statement(
    reference: str, pathway: str, ledger_path: Path | str, on: datetime | None, actor: str
) -> None:
    """Record that the breach statement of a breached condition was obtained."""
    with Ledger(ledger_path, create=False) as ledger:
        got = record_statement(ledger, reference, pathway, on=_day(on), actor=actor)
    click.echo(f"{reference} {pathway}: breach statement obtained on {got.statement_on}")


def _due_line(item: DueItem) -> str:
    when = "OVERDUE" if item.overdue else "due"
    days = f"{item.days_left:+d}d"
    return (
        f"{when:<7}  {item.due_on.isoformat()}  {days:>5}  {item.status:<8}  "
        f"{item.reference} {item.pathway}"
    )


@click.command("due")
@ledger_option(required=True)
@click.option(
    "--days",
    type=click.IntRange(0, 3660),
    default=14,
    show_default=True,
    help="Conditions due within this many days (overdue ones always).",
)
@click.option("--today", type=_DATE, default=None, help="Count from this day (default today).")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@translate_errors
def due_command(ledger_path: Path | str, days: int, today: datetime | None, as_json: bool) -> None:
    """Conditions still to be done that are due within --days days: overdue ones first."""
    day = _day(today)
    with Ledger(ledger_path, create=False) as ledger:
        items = due(ledger, today=day, days=days)
    overdue = sum(i.overdue for i in items)
    if as_json:
        _echo_json(
            {
                "today": day,
                "days": days,
                "overdue": overdue,
                "conditions": [
                    {
                        "reference": i.reference,
                        "pathway": i.pathway,
                        "kind": i.kind,
                        "status": i.status,
                        "due_on": i.due_on,
                        "days_left": i.days_left,
                        "overdue": i.overdue,
                    }
                    for i in items
                ],
            }
        )
        return
    for item in items:
        click.echo(_due_line(item))
    click.echo(f"{len(items)} condition(s) due within {days} days of {day}, {overdue} overdue")


@click.command("breaches")
@ledger_option(required=True)
@click.option("--all", "show_all", is_flag=True, help="Also those whose statement was obtained.")
@click.option("--today", type=_DATE, default=None, help="Count waiting days to this day.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@translate_errors
def breaches_command(
    ledger_path: Path | str, show_all: bool, today: datetime | None, as_json: bool
) -> None:
    """Breached conditions awaiting a breach statement from the agency, oldest first.

    Record a statement with: pathways case statement REFERENCE PATHWAY --by ID.
    """
    day = _day(today)
    with Ledger(ledger_path, create=False) as ledger:
        found = breaches(ledger, awaiting=not show_all)
        cases = {c.reference: get_case(ledger, c.reference) for c in found}
    if as_json:
        _echo_json(
            {
                "today": day,
                "breaches": [
                    {
                        **_condition_json(c),
                        "disposal": cases[c.reference].disposal,
                        "waiting_days": None
                        if c.statement_on is not None
                        else (day - c.status_on).days,
                    }
                    for c in found
                ],
            }
        )
        return
    if found:
        click.echo(f"{'breached':<10}  {'statement':<15}  reference pathway")
    for c in found:
        if c.statement_on is None:
            state = f"waiting {(day - c.status_on).days}d"
        else:
            state = f"got {c.statement_on}"
        click.echo(f"{c.status_on.isoformat()}  {state:<15}  {c.reference} {c.pathway}")
    waiting = sum(c.statement_on is None for c in found)
    click.echo(f"{len(found)} breached condition(s), {waiting} awaiting a breach statement")
    if waiting:
        click.echo("record one with: pathways case statement REFERENCE PATHWAY --by ID")
