"""``pathways capacity``, ``book``, ``cancel``, ``record`` and ``outcomes``: places and the ledger.

The commands render what :mod:`matching.capacity` and :mod:`matching.outcomes` compute and set
exit codes: 0 ok, 1 refused (a full or closed pathway, a ledger that is not one), 2 usage
(unknown pathway, need, district or reference; a file that is not a plan). They print no
personal data: a plan's needs and reasons are read past, and outcomes are suppressed below 5.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from directory.errors import InvalidArgumentError, PlaceFullError
from matching.capacity import (
    STALE_AFTER,
    Ledger,
    NominalCapacity,
    booking_request,
    places,
)
from matching.capacity import (
    book as book_plan,
)
from matching.disclosure import THRESHOLD
from matching.outcomes import GROUPINGS, published_table
from matching.outcomes import outcomes as outcome_rows
from pathways.cli import EXIT_DATA, dir_option, load_or_exit, translate_errors

if TYPE_CHECKING:
    from collections.abc import Callable

    from matching.capacity import AvailabilitySource, Booking

FC = TypeVar("FC", bound="Callable[..., Any]")

__all__ = ["book", "cancel", "capacity", "outcomes", "record"]

_DATE = click.DateTime(["%Y-%m-%d"])


def _day(value: datetime | None) -> date:
    return value.date() if value is not None else date.today()


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _ledger_option(required: bool) -> Callable[[FC], FC]:
    return click.option(
        "--ledger",
        "ledger_path",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="PATHWAYS_LEDGER",
        required=required,
        default=None,
        help="The referrals ledger (SQLite file; env PATHWAYS_LEDGER).",
    )


def _as_json(value: object) -> None:
    click.echo(json.dumps(value, indent=2, default=str))


@click.command("capacity")
@dir_option
@_ledger_option(required=False)
@click.option("--district", default=None, help="Only pathways serving this district id.")
@click.option("--need", default=None, help="Only pathways meeting this need id.")
@click.option("--on", type=_DATE, default=None, help="Day whose period to show (default today).")
@click.option(
    "--stale-after",
    type=click.IntRange(min=1),
    default=STALE_AFTER.days,
    show_default=True,
    help="Days after which a capacity figure is flagged as stale.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@translate_errors
def capacity(
    directory_path: Path | None,
    ledger_path: Path | None,
    district: str | None,
    need: str | None,
    on: datetime | None,
    stale_after: int,
    as_json: bool,
) -> None:
    """Places and places left per pathway in the period containing a day.

    With --ledger, places left count the referrals booked in the ledger; without it, the
    directory's nominal places are shown (every place free).
    """
    directory = load_or_exit(directory_path)
    day = _day(on)
    age = timedelta(days=stale_after)
    source: AvailabilitySource
    ledger: Ledger | None = None
    if ledger_path is not None:
        ledger = Ledger(ledger_path, create=False, stale_after=age)
        source = ledger
    else:
        source = NominalCapacity(stale_after=age)
    try:
        rows = places(directory, source, on=day, district=district, need=need)
    finally:
        if ledger is not None:
            ledger.close()
    if as_json:
        _as_json(
            {
                "on": day.isoformat(),
                "source": "ledger" if ledger_path is not None else "nominal",
                "pathways": [
                    {
                        "pathway": r.pathway,
                        "agency": r.agency,
                        "per": r.per,
                        "period": r.availability.period,
                        "places": r.availability.places,
                        "booked": r.booked,
                        "left": r.availability.left,
                        "status": r.availability.status,
                        "updated": r.updated,
                        "stale": r.availability.stale,
                    }
                    for r in rows
                ],
            }
        )
        return
    where = f"ledger {ledger_path}" if ledger_path is not None else "nominal: directory only"
    table = Table(title=f"Places on {day.isoformat()} ({where})", header_style="bold")
    table.add_column("pathway", overflow="fold")
    table.add_column("period", no_wrap=True)
    for col in ("places", "left"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("updated", no_wrap=True)
    for r in rows:
        a = r.availability
        left = "-" if a.left is None else str(a.left)
        updated = "" if r.updated is None else r.updated.isoformat()
        table.add_row(
            r.pathway,
            a.period if r.per is not None else "not limited",
            "-" if a.places is None else str(a.places),
            left if a.has_place else f"[red]{left}[/]",
            a.status,
            f"[yellow]{updated} stale[/]" if a.stale else updated,
        )
    console = _console()
    console.print(table)
    full = sum(1 for r in rows if not r.availability.has_place)
    console.print(f"{len(rows)} pathway(s), {full} without a place")


def _render_booking(booking: Booking, as_json: bool) -> None:
    if as_json:
        _as_json(
            {
                "reference": booking.reference,
                "on": booking.on.isoformat(),
                "referrals": [
                    {
                        "pathway": b.pathway,
                        "period": b.period,
                        "status": "waitlisted" if b.waitlisted else "booked",
                    }
                    for b in booking.referrals
                ],
            }
        )
        return
    console = _console()
    console.print(f"reference [bold]{booking.reference}[/]")
    table = Table(header_style="bold")
    for col in ("pathway", "period", "booked as"):
        table.add_column(col)
    for b in booking.referrals:
        table.add_row(b.pathway, b.period, "[yellow]waitlisted[/]" if b.waitlisted else "place")
    console.print(table)


@click.command("book")
@click.argument("plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_ledger_option(required=True)
@dir_option
@click.option("--on", type=_DATE, default=None, help="Booking day (default today).")
@click.option(
    "--waitlist",
    is_flag=True,
    help="Accept a waitlist place for any full pathway (the plan's waitlisted referrals always).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the booking as JSON.")
@translate_errors
def book(
    plan_file: Path,
    ledger_path: Path,
    directory_path: Path | None,
    on: datetime | None,
    waitlist: bool,
    as_json: bool,
) -> None:
    """Book every referral of a matcher's PLAN.json in the ledger, all or none.

    PLAN.json holds "referrals", each with "pathway" and "status" (referred or waitlisted), and
    an optional opaque "reference" (a new one is made and printed when absent). Exit 1 when a
    pathway has no place: then nothing is booked.
    """
    try:
        data = json.loads(plan_file.read_text(encoding="utf-8"))
        request = booking_request(data)
    except (ValueError, InvalidArgumentError) as err:
        raise click.UsageError(f"{plan_file} is not a plan: {err}") from None
    directory = load_or_exit(directory_path)
    with Ledger(ledger_path) as ledger:
        try:
            booking = book_plan(ledger, directory, request, on=_day(on), allow_waitlist=waitlist)
        except PlaceFullError as err:
            click.echo(f"error: {err}; nothing of the plan was booked", err=True)
            if not waitlist:
                click.echo("(--waitlist accepts a waitlist place instead)", err=True)
            raise SystemExit(EXIT_DATA) from None
    _render_booking(booking, as_json)


@click.command("cancel")
@click.argument("reference")
@_ledger_option(required=True)
@click.option("--pathway", default=None, help="Cancel only the referral to this pathway id.")
@translate_errors
def cancel(reference: str, ledger_path: Path, pathway: str | None) -> None:
    """Cancel a plan's referrals (by its reference), giving their places back."""
    with Ledger(ledger_path, create=False) as ledger:
        n = ledger.cancel(reference, pathway)
    click.echo(f"cancelled {n} referral(s) of {reference}")


@click.command("record")
@click.argument("reference")
@click.argument("pathway")
@click.argument("status", type=click.Choice(["attended", "completed", "breached"]))
@_ledger_option(required=True)
@translate_errors
def record(reference: str, pathway: str, status: str, ledger_path: Path) -> None:
    """Record what became of one referral: attended, completed or breached."""
    with Ledger(ledger_path, create=False) as ledger:
        ledger.set_status(reference, pathway, status)  # type: ignore[arg-type]
    click.echo(f"{reference} {pathway}: {status}")


@click.command("outcomes")
@_ledger_option(required=True)
@dir_option
@click.option("--by", type=click.Choice(GROUPINGS), default="pathway", show_default=True)
@click.option("--from", "start", type=_DATE, default=None, help="First booking day (inclusive).")
@click.option("--to", "end", type=_DATE, default=None, help="Last booking day (inclusive).")
@click.option(
    "--threshold",
    type=click.IntRange(min=THRESHOLD),
    default=THRESHOLD,
    show_default=True,
    help="Counts below this are shown as <N (it cannot be lowered below 5).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@translate_errors
def outcomes(
    ledger_path: Path,
    directory_path: Path | None,
    by: str,
    start: datetime | None,
    end: datetime | None,
    threshold: int,
    as_json: bool,
) -> None:
    """Referrals, attendance and completion per pathway, agency or district, as aggregates:
    counts below 5 are shown as <5 and rates are shown only from counts of 5 or more."""
    directory = load_or_exit(directory_path)
    first = start.date() if start is not None else None
    last = end.date() if end is not None else None
    with Ledger(ledger_path, create=False) as ledger:
        rows = outcome_rows(ledger, directory, by=by, start=first, end=last)  # type: ignore[arg-type]
    published, overall = published_table(rows, threshold)
    if as_json:
        _as_json({"by": by, "from": first, "to": last, "rows": published, "total": overall})
        return
    span = f"{first or 'start'} to {last or 'now'}"
    table = Table(title=f"Outcomes by {by}, bookings {span}", header_style="bold")
    columns = ("referrals", "waitlisted", "cancelled", "attended", "completed", "breached")
    table.add_column(by)
    for col in (*columns, "attendance", "completion"):
        table.add_column(col, justify="right")
    for row in [*published, *([overall] if overall else [])]:
        table.add_row(row["group"], *(row[c] for c in (*columns, "attendance", "completion")))
    console = _console()
    console.print(table)
    console.print(
        f"Counts below {threshold} are shown as <{threshold}; rates from them are suppressed."
    )
