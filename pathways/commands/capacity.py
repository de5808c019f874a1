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
from rich.text import Text

from directory.errors import InvalidArgumentError, PlaceFullError
from directory.interpret import place_reading, resolve_need
from directory.jsonsafe import loads
from directory.places import Gazetteer
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
from pathways.commands.ledger_target import ledger_option
from pathways.console import Column, make_console, note, print_table
from pathways.options import DAY, MAX_STALE_DAYS

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import Console

    from matching.capacity import AvailabilitySource, Booking

FC = TypeVar("FC", bound="Callable[..., Any]")

__all__ = ["book", "cancel", "capacity", "outcomes", "record"]

_DATE = DAY
_PLACES_COLUMNS = (
    Column("pathway"),
    Column("period"),
    Column("places", justify="right"),
    Column("left", justify="right"),
    Column("status"),
    Column("updated"),
)


def _day(value: datetime | None) -> date:
    return value.date() if value is not None else date.today()


def _console() -> Console:
    return make_console()


def _ledger_option(required: bool) -> Callable[[FC], FC]:
    return ledger_option(required)  # a file or a postgresql:// URL


def _as_json(value: object) -> None:
    click.echo(json.dumps(value, indent=2, default=str))


@click.command("capacity")
@dir_option
@_ledger_option(required=False)
@click.option(
    "--district", default=None, help="Only pathways serving this district (id, town or postcode)."
)
@click.option(
    "--need", default=None, help="Only pathways meeting this need (id or words: housing, drink)."
)
@click.option("--on", type=_DATE, default=None, help="Day whose period to show (default today).")
@click.option(
    "--stale-after",
    type=click.IntRange(min=1, max=MAX_STALE_DAYS),
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
    readings = []
    if need is not None:
        readings.append(resolve_need(directory, need))
        need = readings[-1].read_as
    if district is not None and district not in directory.district_by_id:
        locality = Gazetteer.from_directory(directory).resolve(district)
        readings.append(place_reading(directory, district, locality))
        district = locality.district
    for reading in readings:
        if not reading.exact:
            note(reading.message())
    day = _day(on)
    age = timedelta(days=stale_after)
    source: AvailabilitySource
    ledger: Ledger | None = None
    if ledger_path is not None:
        ledger = Ledger(ledger_path, create=False, stale_after=age, read_only=True)
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
                "interpreted": [r.to_dict() for r in readings],
            }
        )
        return
    where = f"ledger {ledger_path}" if ledger_path is not None else "nominal: directory only"
    table: list[list[str | Text]] = []
    for r in rows:
        a = r.availability
        left = "-" if a.left is None else str(a.left)
        updated = "" if r.updated is None else r.updated.isoformat()
        table.append(
            [
                r.pathway,
                a.period if r.per is not None else "not limited",
                "-" if a.places is None else str(a.places),
                Text(left, style="" if a.has_place else "red"),
                a.status,
                Text(f"{updated} stale", style="yellow") if a.stale else updated,
            ]
        )
    console = _console()
    print_table(console, _PLACES_COLUMNS, table, title=f"Places on {day.isoformat()} ({where})")
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
    console.print(f"reference {booking.reference}", markup=False)
    print_table(
        console,
        [Column("pathway"), Column("period"), Column("booked as")],
        [
            [b.pathway, b.period, Text("waitlisted", style="yellow") if b.waitlisted else "place"]
            for b in booking.referrals
        ],
    )


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
        data = loads(plan_file.read_text(encoding="utf-8"))  # budgets: directory.jsonsafe
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
    """Cancel a plan's referrals (by its reference), giving their places back.

    Says which referrals were cancelled and which were not, and why: a referral already
    attended, completed or breached is kept (it happened), one already cancelled is left as it
    is. Exit 0 when at least one referral was cancelled; 1 when nothing was (every referral was
    already cancelled or had happened); 2 for a reference or pathway the ledger does not hold.
    """
    with Ledger(ledger_path, create=False) as ledger:
        before = {e.pathway: e for e in ledger.referrals(reference)}
        ledger.cancel(reference, pathway)
        after = {e.pathway: e for e in ledger.referrals(reference)}
    lines: list[tuple[str, str, str]] = []
    for pid, entry in sorted(before.items()):
        if pathway is not None and pid != pathway:
            continue
        now = after.get(pid, entry)
        if entry.status == "booked" and now.status == "cancelled":
            what = "waitlist place given up" if entry.waitlisted else "place given back"
            lines.append(("cancelled", pid, f"{what} ({entry.period})"))
        elif entry.status == "cancelled":
            lines.append(("not cancelled", pid, "already cancelled"))
        else:
            lines.append(("not cancelled", pid, f"kept: already {entry.status}"))
    done = sum(1 for status, _, _ in lines if status == "cancelled")
    total = len(lines)
    head = (
        f"cancelled {done} of {total} referral{'s' if total != 1 else ''} of {reference}"
        if done
        else f"nothing cancelled for {reference}: no referral was still booked"
    )
    click.echo(head)
    width = max(len(status) for status, _, _ in lines)
    for status, pid, why in lines:
        click.echo(f"  {status.ljust(width)}  {pid}: {why}")
    if not done:
        raise SystemExit(EXIT_DATA)


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
    with Ledger(ledger_path, create=False, read_only=True) as ledger:
        rows = outcome_rows(ledger, directory, by=by, start=first, end=last)  # type: ignore[arg-type]
    published, overall = published_table(rows, threshold)
    if as_json:
        _as_json({"by": by, "from": first, "to": last, "rows": published, "total": overall})
        return
    span = f"{first or 'start'} to {last or 'now'}"
    columns = ("referrals", "waitlisted", "cancelled", "attended", "completed", "breached")
    console = _console()
    print_table(
        console,
        [Column(by), *(Column(c, justify="right") for c in (*columns, "attendance", "completion"))],
        [
            [row["group"], *(row[c] for c in (*columns, "attendance", "completion"))]
            for row in [*published, *([overall] if overall else [])]
        ],
        title=f"Outcomes by {by}, bookings {span}",
    )
    console.print(
        f"Counts below {threshold} are shown as <{threshold}; rates from them are suppressed."
    )
