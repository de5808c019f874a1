"""``pathways gaps``: demand against the places it can reach, exactly; scenarios and resilience.

::

    pathways gaps --demand counts.csv --period 2026-11
    pathways gaps --demand cohort.csv --period 2026-11 --format md
    pathways gaps --synthetic 350 --period 2026-11 --without cgl-cambridgeshire
    pathways gaps --synthetic 350 --places gamcare-treatment=20 --travel-km 15 --resilience
    pathways gaps --synthetic 4200 --period 2026 --chart gaps.svg

``--demand`` reads a counts table (CSV with a ``count`` column: district, need, period, count)
or a cohort file (CSV or JSON Lines of assessments, as for ``pathways match --file``);
``--synthetic N`` makes up N people instead (seeded, for examples). Published figures only:
counts below ``--threshold`` (default 5) are shown as ``<5``.

Exit codes: 0 ok (gaps are an answer, not an error), 1 data problems (a broken directory, counts
table or cohort file), 2 usage (unknown agency or pathway, a bad option).
"""

from __future__ import annotations

import csv
import textwrap
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from directory.errors import DataError, InvalidArgumentError
from directory.problems import Report
from matching.cohort import read_cohort
from matching.demand import demand_from_people, read_counts, synthetic_cohort
from matching.disclosure import THRESHOLD
from matching.flow import ENGINES
from matching.gap_groups import need_groups
from matching.gap_tables import GROUPED
from matching.gaps import gaps as compute_gaps
from matching.scenarios import (
    Scenario,
    agency_losses,
    apply,
    run,
    single_points_of_failure,
)
from pathways.cli import EXIT_DATA, dir_option, load_or_exit, print_report, translate_errors
from pathways.console import make_console
from pathways.gaps_report import (
    gap_chart,
    gap_tables,
    legend,
    render_heatmap,
    render_tables,
    to_csv,
    to_json,
    to_markdown,
)
from pathways.options import (
    MAX_KM,
    MAX_PLACES,
    MAX_SYNTHETIC,
    period_callback,
    refuse_overwrite,
)

if TYPE_CHECKING:
    from rich.console import Console

    from directory.models import Directory
    from matching.demand import Demand
    from matching.flow import Engine

__all__ = ["gaps"]


def _console(stderr: bool = False) -> Console:
    return make_console(stderr)


def _places(values: tuple[str, ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        pathway, _, number = value.partition("=")
        if (
            not pathway
            or not (number.isascii() and number.isdigit())
            or len(number) > 8
            or int(number) > MAX_PLACES
        ):
            raise click.BadParameter(
                f"{value[:60]!r}: write PATHWAY=N, N a whole number up to {MAX_PLACES:,}",
                param_hint="--places",
            )
        out[pathway.strip()] = int(number)
    return out


def _is_counts(path: Path) -> bool:
    if path.suffix.lower() != ".csv":
        return False
    with path.open("rb") as f:  # the header only; the reader reports bad bytes with a line
        first = f.readline(65_536).decode("utf-8-sig", errors="replace")
    try:
        header = next(csv.reader(first.splitlines()[:1]), [])
    except csv.Error:  # a NUL or a stray quote: the cohort reader reports it with its line
        return False
    return "count" in [h.strip() for h in header]


def _demand(
    directory: Directory, path: Path | None, synthetic: int | None, seed: int, period: str | None
) -> Demand:
    if (path is None) == (synthetic is None):
        raise click.UsageError("give --demand FILE or --synthetic N (one of them)")
    if synthetic is not None:
        people = synthetic_cohort(directory, synthetic, seed, period=period)
        return demand_from_people(people, period=period)
    assert path is not None
    if _is_counts(path):
        by_period = read_counts(path, directory)
        if period is None:
            if len(by_period) != 1:
                raise click.UsageError(
                    f"{path.name} holds periods {', '.join(by_period) or 'none'}: "
                    "choose one with --period"
                )
            return next(iter(by_period.values()))
        if period not in by_period:
            raise click.UsageError(f"{path.name} has no counts for {period}")
        return by_period[period]
    rows, report = read_cohort(path, directory)
    if not report.ok:
        raise DataError(Report(report.errors))
    return demand_from_people((r.assessment for r in rows), period=period)


@click.command("gaps")
@click.option(
    "--demand",
    "demand_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Counts table (CSV: district, need, period, count) or cohort file (CSV/JSONL).",
)
@click.option(
    "--synthetic",
    type=click.IntRange(min=0, max=MAX_SYNTHETIC),
    default=None,
    help=f"Make up N people (at most {MAX_SYNTHETIC:,}).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --synthetic.")
@click.option(
    "--period",
    default=None,
    callback=period_callback,
    help="2026-11, 2026-Q4, 2026-W48 or a year (2026). Default: the counts' period, else "
    "the current month.",
)
@click.option("--without", multiple=True, help="Remove an agency (repeatable).")
@click.option("--without-pathway", multiple=True, help="Remove a pathway (repeatable).")
@click.option("--places", "places_", multiple=True, help="Set a pathway's places: PATHWAY=N.")
@click.option("--travel-km", type=click.FloatRange(0, MAX_KM), default=None, help="Travel limit.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "md"]),
    default="table",
    show_default=True,
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also draw the charts (needs over the county, need groups by district): .svg or .png.",
)
@click.option("--resilience", is_flag=True, help="Single points of failure and agency losses.")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True)
@click.option(
    "--threshold",
    type=click.IntRange(min=0),
    default=THRESHOLD,
    show_default=True,
    help="Counts below this are shown as <N (0: no suppression, internal use only).",
)
@click.option(
    "--table",
    type=click.Choice(["cells", "pathways", "summary", "changes", "single_points", "losses"]),
    default="cells",
    show_default=True,
    help="The table --format csv writes.",
)
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True)
@dir_option
@translate_errors
def gaps(
    demand_path: Path | None,
    synthetic: int | None,
    seed: int,
    period: str | None,
    without: tuple[str, ...],
    without_pathway: tuple[str, ...],
    places_: tuple[str, ...],
    travel_km: float | None,
    fmt: str,
    chart: Path | None,
    resilience: bool,
    top: int,
    threshold: int,
    table: str,
    engine: str,
    directory_path: Path | None,
) -> None:
    """Capacity gaps: demand by need and district against the places it can reach.

    Allocates demand exactly (most needs met, then least travel); shows met and unmet demand by
    need and district (unmet because nothing is provided, in reach or eligible, or because every
    place in reach is full), the use of every pathway, and with scenario options the cells that
    get worse or better.
    """
    directory = load_or_exit(directory_path)
    if chart is not None and chart.suffix.lower() not in (".svg", ".png"):
        raise click.BadParameter("the chart is an .svg or .png file", param_hint="--chart")
    if chart is not None:
        refuse_overwrite(chart, {"--demand": demand_path}, "--chart")
    if period is None and (synthetic is not None or (demand_path and not _is_counts(demand_path))):
        period = f"{date.today():%Y-%m}"
    try:
        demand = _demand(directory, demand_path, synthetic, seed, period)
    except DataError as err:
        console = _console(stderr=True)
        console.print("[red]The demand file has problems:[/]")
        print_report(err.report, console, errors_only=True)
        raise SystemExit(EXIT_DATA) from None
    except InvalidArgumentError as err:
        raise click.UsageError(str(err)) from None
    scenario = Scenario(
        name="scenario",
        without_agencies=without,
        without_pathways=without_pathway,
        places=_places(places_),
        travel_km=travel_km,
    )
    changed = bool(without or without_pathway or places_ or travel_km is not None)
    solver = cast("Engine", engine)
    baseline = compute_gaps(directory, demand, period=period, engine=solver)
    outcome = None
    if changed:
        outcome = run(directory, demand, scenario, baseline=baseline, engine=solver)
    shown = outcome.result if outcome is not None else baseline
    spofs = losses = None
    if resilience:
        spofs = single_points_of_failure(shown)
        scenario_directory = apply(directory, scenario) if changed else directory
        losses = agency_losses(scenario_directory, shown, top=top, engine=solver)
    # with a chart, its figures (sums of the cells) are protected with the tables printed
    groups = need_groups(directory) if chart is not None else None
    tables = gap_tables(
        shown,
        threshold=threshold,
        outcome=outcome,
        single_points=spofs,
        losses=losses,
        groups=groups,
    )
    if chart is not None:
        gap_chart(shown, chart, threshold=threshold, directory=directory, tables=tables)
    tables = {k: v for k, v in tables.items() if k not in GROUPED}
    if fmt == "json":
        click.echo(to_json(tables))
    elif fmt == "md":
        click.echo(to_markdown(tables))
        marks = legend(tables, threshold)
        if marks:
            click.echo(
                "Key:\n\n" + "\n".join(f"- `{m[:5].strip()}` {m[5:].strip()}" for m in marks)
            )
    elif fmt == "csv":
        if table not in tables:
            raise click.UsageError(f"no {table} table in this run (add the options that make it)")
        click.echo(to_csv(tables[table]), nl=False)
    else:
        console = _console()
        if outcome is not None:
            console.print(f"[bold]Scenario:[/] {scenario.describe()}")
        labels = {d.id: d.label for d in directory.districts}
        render_heatmap(console, shown, threshold, labels=labels, cells=tables["cells"])
        render_tables(console, tables)
        marks = legend(tables, threshold)
        if marks:
            console.print("Key:", markup=False)
            for mark in marks:
                for line in textwrap.wrap(
                    mark, max(console.width, 40), initial_indent="  ", subsequent_indent=" " * 8
                ):
                    console.print(line, markup=False, soft_wrap=True)
