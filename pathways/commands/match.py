"""``pathways match``: the fewest agencies that meet a person's needs, or plans for a cohort.

One person::

    pathways match --needs "housing, drink, debt" --where Wisbech --age 34 [--json]

A cohort file (CSV or JSON Lines, see docs/cohort-format.md)::

    pathways match --file assessments.csv --out plans.jsonl [--processes N]

The command renders what :mod:`matching` computes and sets exit codes: 0 ok (unmet needs
included), 1 data problems (a broken directory or cohort file), 2 usage (unknown need, place or
agency; contradictory facts; wrong options). It prints the plan of one person only when asked
for it; for a cohort it prints counts, never a person's facts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from directory.errors import InvalidArgumentError, NotFoundError, PathwaysError
from matching.batch import iter_match
from matching.capacity import Ledger
from matching.cohort import cohort_format, read_cohort, write_plans
from matching.match import Matcher
from pathways.cli import EXIT_DATA, dir_option, load_or_exit, print_report
from pathways.console import Column, make_console, note, print_paragraph, print_table
from pathways.options import DAY, MAX_KM, processes_option, refuse_overwrite

if TYPE_CHECKING:
    from datetime import date, datetime

    from rich.console import Console

    from directory.interpret import Interpretation
    from matching.capacity import AvailabilitySource
    from matching.plan import Plan

__all__ = ["match"]

_DATE = DAY


def _console(stderr: bool = False) -> Console:
    return make_console(stderr)


_REFERRAL_COLUMNS = (
    Column("need"),
    Column("pathway"),
    Column("status"),
    Column("agency", prose=True),
    Column("delivery", prose=True),
    Column("why", prose=True),
)

_UNMET_COLUMNS = (
    Column("need"),
    Column("reason"),
    Column("explanation", prose=True),
    Column("near misses", prose=True),
)


def render_plan(plan: Plan, console: Console) -> None:
    """The plan: referrals, needs already met, unmet needs, then the summary for the case note.

    Pathway ids are printed whole at any width (see :func:`pathways.console.print_table`).
    """
    o = plan.objective
    console.print(
        f"Plan ({plan.district}): {o.needs_met} need(s) referred to {o.pathways} "
        f"pathway(s) with {o.agencies} new agenc{'y' if o.agencies == 1 else 'ies'}; "
        f"{o.needs_unmet} unmet; travel {o.travel_km:g} km; {o.spare} places spare",
        markup=False,
    )
    if plan.referrals:
        rows: list[list[str | Text]] = []
        for r in plan.referrals:
            where = r.delivery.replace("_", " ")
            if r.distance_km is not None:  # worded as the case-note summary words it
                km = r.distance_km
                where += f", {km:g} km" if km >= 0.1 else ", under 0.1 km"
            if r.site_name:
                where += f" ({r.site_name})"
            agency = r.agency_name + (" (engaged)" if r.engaged else "")
            status = Text(r.status, style="" if r.status == "referred" else "yellow")
            rows.append([r.need, r.pathway, status, agency, where, r.reason])
        print_table(console, _REFERRAL_COLUMNS, rows, title="Referrals")
    if plan.already_met:
        print_table(
            console,
            [Column("need"), Column("agency", prose=True)],
            [[m.need, m.agency_name] for m in plan.already_met],
            title="Already met",
        )
    if plan.unmet:
        print_table(
            console,
            _UNMET_COLUMNS,
            [
                [
                    u.need,
                    Text(u.reason, style="red"),
                    u.explanation,
                    "; ".join(m.reason for m in u.near_misses) or "-",
                ]
                for u in plan.unmet
            ],
            title="Not met",
        )
    print_paragraph(console, "Summary for the case note", plan.summary)


def _tell(readings: tuple[Interpretation, ...]) -> None:
    """Say on stderr how the words that were not exact were read."""
    for reading in readings:
        if not reading.exact:
            note(reading.message())


def _tell_cohort(readings: tuple[Interpretation, ...]) -> None:
    """Say on stderr which need words of a cohort were corrected (each distinct word once), and
    how many places were read approximately (counted: a full postcode is close to personal)."""
    for reading in readings:
        if reading.kind == "need" and not reading.exact:
            note(reading.message())
    places = [r for r in readings if r.kind == "place" and not r.exact]
    if places:
        postcodes = sum(r.how == "postcode" for r in places)
        note(
            f"{len(places)} distinct place(s) read approximately: {postcodes} full postcode(s) "
            "placed at their postcode district's centre, "
            f"{len(places) - postcodes} coordinates placed in the district of the nearest "
            "known place"
        )


def _message(err: BaseException) -> str:
    """The error's message and any notes it carries (ambiguity, why a place was refused)."""
    notes = getattr(err, "__notes__", None) or []
    return "\n".join([str(err), *notes])


def _availability(ledger: Path | None) -> AvailabilitySource | None:
    return None if ledger is None else Ledger(ledger, create=False, read_only=True)


@click.command("match")
@click.option("--needs", default=None, help='Needs in words or ids: "housing, drink, debt".')
@click.option("--where", default=None, help="District, town, postcode or 'lat, lon'.")
@click.option("--age", type=int, default=None, help="Age in years.")
@click.option("--gender", default=None, help="female, male or non_binary (or woman, man...).")
@click.option("--cohort", "cohorts", multiple=True, help="A cohort flag (repeatable): veteran...")
@click.option("--offence", default=None, help="Offence category, e.g. shoplifting.")
@click.option("--disposal", default=None, help="Disposal, e.g. conditional_caution.")
@click.option(
    "--engaged",
    multiple=True,
    help="An agency already working with the person and the needs it meets (repeatable): "
    "AGENCY:need|need.",
)
@click.option(
    "--urgent",
    multiple=True,
    help="A need assessed urgent (repeatable; or need:urgent in --needs): only then residential, "
    "crisis or refuge provision.",
)
@click.option("--victim", is_flag=True, help="Assessed as a victim (victims' services possible).")
@click.option("--admitted", is_flag=True, help="The admission is recorded.")
@click.option("--consents", is_flag=True, help="The person's consent is recorded.")
@click.option("--victim-views", is_flag=True, help="The victim's views are recorded.")
@click.option(
    "--victim-willing",
    is_flag=True,
    help="The victim is willing to take part in restorative justice.",
)
@click.option(
    "--travel-km",
    type=click.FloatRange(0, MAX_KM),
    default=25.0,
    show_default=True,
    help="Travel limit.",
)
@click.option("--no-remote", is_flag=True, help="Phone and online delivery are not acceptable.")
@click.option("--waitlist", is_flag=True, help="Accept a waitlist where no place is left.")
@click.option("--reference", default=None, help="An opaque reference for the plan (not a name).")
@click.option(
    "--file",
    "cohort_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A cohort file of assessments (.csv or .jsonl) instead of one person.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the cohort's plans (.jsonl or .csv); required with --file.",
)
@processes_option
@click.option(
    "--ledger",
    "ledger_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PATHWAYS_LEDGER",
    default=None,
    help="Count places booked in this referrals ledger (default: the directory's places).",
)
@click.option("--on", type=_DATE, default=None, help="Day whose capacity period counts.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@dir_option
def match(
    needs: str | None,
    where: str | None,
    age: int | None,
    gender: str | None,
    cohorts: tuple[str, ...],
    offence: str | None,
    disposal: str | None,
    engaged: tuple[str, ...],
    urgent: tuple[str, ...],
    victim: bool,
    admitted: bool,
    consents: bool,
    victim_views: bool,
    victim_willing: bool,
    travel_km: float,
    no_remote: bool,
    waitlist: bool,
    reference: str | None,
    cohort_file: Path | None,
    out: Path | None,
    processes: int,
    ledger_path: Path | None,
    on: datetime | None,
    as_json: bool,
    directory_path: Path | None,
) -> None:
    """The fewest agencies that meet every need of a person, exact and explained.

    Exit 0 when a plan is made (even with unmet needs), 1 for data problems, 2 for usage
    problems such as an unknown need or place (with suggestions).
    """
    day: date | None = on.date() if on is not None else None
    if cohort_file is not None:
        given = [n for n, v in (("--needs", needs), ("--where", where), ("--age", age)) if v]
        if given:
            raise click.UsageError(f"{', '.join(given)} cannot be used with --file")
        if out is None:
            raise click.UsageError("--file needs --out (plans.jsonl or plans.csv)")
        if processes > 1 and ledger_path is not None:
            raise click.UsageError("--processes above 1 needs the directory's places, not --ledger")
        _cohort(cohort_file, out, processes, ledger_path, day, directory_path)
        return
    missing = [n for n, v in (("--needs", needs), ("--where", where), ("--age", age)) if v is None]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)} (or give --file)")
    assert needs is not None
    assert where is not None
    assert age is not None
    directory = load_or_exit(directory_path)
    try:
        availability = _availability(ledger_path)
        matcher = Matcher(directory, availability=availability)
        assessment = matcher.assessor.assess(
            needs=needs,
            where=where,
            age=age,
            gender=gender,
            cohorts=cohorts,
            offence=offence,
            disposal=disposal,
            engaged=";".join(engaged),
            travel_km=travel_km,
            accept_remote=not no_remote,
            accept_waitlist=waitlist,
            reference=reference,
            urgent=urgent,
            victim=victim,
            admitted=admitted,
            consents=consents,
            victim_views=victim_views,
            victim_willing=victim_willing,
        )
        plan = matcher.match(assessment, on=day)
    except (NotFoundError, InvalidArgumentError) as err:  # an assessment, a place typed
        raise click.UsageError(_message(err)) from None
    except PathwaysError as err:
        click.echo(f"error: {err}", err=True)
        raise SystemExit(EXIT_DATA) from None
    readings = matcher.assessor.readings()
    _tell(readings)
    plan = plan.model_copy(update={"interpreted": readings})
    if as_json:
        click.echo(json.dumps(plan.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        render_plan(plan, _console())


def _cohort(
    path: Path,
    out: Path,
    processes: int,
    ledger_path: Path | None,
    day: date | None,
    directory_path: Path | None,
) -> None:
    try:
        cohort_format(path)
        cohort_format(out)
    except PathwaysError as err:
        raise click.UsageError(str(err)) from None
    refuse_overwrite(out, {"--file": path, "--ledger": ledger_path}, "--out")
    directory = load_or_exit(directory_path)
    err_console = _console(stderr=True)
    try:
        matcher = Matcher(directory, availability=_availability(ledger_path))
        rows, report = read_cohort(path, matcher.assessor)
    except PathwaysError as err:
        click.echo(f"error: {err}", err=True)
        raise SystemExit(EXIT_DATA) from None
    if not report.ok:
        print_report(report, err_console, errors_only=True)
        click.echo(f"{path}: {len(report.errors)} problem(s); no plan written", err=True)
        raise SystemExit(EXIT_DATA)
    _tell_cohort(matcher.assessor.readings())
    progress = Progress(
        TextColumn("matching"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )
    try:
        with progress:
            task = progress.add_task("match", total=len(rows))
            plans = iter_match(
                matcher,
                (r.assessment for r in rows),
                processes=processes,
                on=day,
                progress=lambda done: progress.update(task, completed=done),
            )
            count = write_plans(plans, out)
    except PathwaysError as err:
        click.echo(f"error: {err}", err=True)
        raise SystemExit(EXIT_DATA) from None
    click.echo(f"{count} plan(s) written to {out}", err=True)
