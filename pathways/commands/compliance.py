"""``pathways compliance``: the board's compliance report from the ledger, as aggregates.

Counts below the threshold (5; it cannot be lowered) are shown as ``<5`` and rates from them
are suppressed (:mod:`matching.compliance`). Exit codes: 0 ok, 1 a ledger that is not one,
2 usage.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from matching.capacity import Ledger
from matching.cases import all_cases
from matching.compliance import compliance_report, published
from matching.disclosure import THRESHOLD
from pathways.cli import dir_option, load_or_exit, translate_errors
from pathways.commands.ledger_target import ledger_option
from pathways.compliance_files import TABLES, TITLES, report_json, table_csv

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

__all__ = ["compliance"]

_DATE = click.DateTime(["%Y-%m-%d"])
#: Columns shown in the terminal (the CSV and JSON have them all); the group comes last.
_SHOWN = ("cases", "conditions", "complied", "breached", "compliance", "within_deadline")
_HEAD = ("cases", "conds", "compl", "brch", "rate", "ontim")


@click.command("compliance")
@ledger_option(required=True)
@dir_option
@click.option("--from", "start", type=_DATE, default=None, help="First day cases opened.")
@click.option("--to", "end", type=_DATE, default=None, help="Last day cases opened.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="text: every table; json: every table; csv: the table chosen with --table.",
)
@click.option(
    "--table",
    type=click.Choice(TABLES),
    default="total",
    show_default=True,
    help="The table printed as CSV.",
)
@click.option(
    "--threshold",
    type=click.IntRange(min=THRESHOLD),
    default=THRESHOLD,
    show_default=True,
    help="Counts below this are shown as <N (it cannot be lowered below 5).",
)
@translate_errors
def compliance(
    ledger_path: Path | str,
    directory_path: Path | None,
    start: datetime | None,
    end: datetime | None,
    fmt: str,
    table: str,
    threshold: int,
) -> None:
    """Cases, compliance rate, completion within the deadline and breach files per month, by
    disposal, district, pathway and agency: published aggregates, small counts suppressed."""
    directory = load_or_exit(directory_path)
    first = start.date() if start is not None else None
    last = end.date() if end is not None else None
    with Ledger(ledger_path, create=False) as ledger:
        cases = all_cases(ledger, start=first, end=last)
    report = compliance_report(cases, directory, start=first, end=last)
    if fmt == "json":
        click.echo(json.dumps(report_json(report, threshold), indent=2))
        return
    if fmt == "csv":
        click.echo(table_csv(report, table, threshold), nl=False)
        return
    tables = published(report, threshold)
    span = f"cases opened {first or 'from the start'} to {last or 'now'}"
    click.echo(f"Compliance report, {span}")
    for name in TABLES[:-1]:
        click.echo("")
        click.echo(TITLES[name])
        click.echo(" ".join(f"{h:>5}" for h in _HEAD) + "  group")
        for row in tables[name]:
            cells = [str(row[c]).replace("suppressed", "supp.") for c in _SHOWN]
            click.echo(" ".join(f"{c:>5}" for c in cells) + f"  {row['group']}")
    click.echo("")
    click.echo(TITLES["breach_files"])
    for row in tables["breach_files"]:
        click.echo(f"  {row['month']}  {row['breach_files']!s:>6}")
    click.echo("")
    click.echo("rate: complied / (complied + breached); ontim: completed within the deadline")
    click.echo(
        f"Counts below {threshold} are shown as <{threshold}; [c] hides one that would reveal one."
    )
