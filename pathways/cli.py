"""The ``pathways`` command: renders results and sets exit codes, nothing else.

Exit codes: 0 ok, 1 data problems (or a refusal such as a full pathway), 2 usage (unknown
command, option, id, need or place).
"""

from __future__ import annotations

import json
import sys
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click
from rich.console import Console
from rich.table import Table

from directory.errors import DataError, NotFoundError, PathwaysError
from directory.loading import read_directory
from directory.search import search as search_directory

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from directory.models import Directory
    from directory.problems import Report

__all__ = ["dir_option", "load_or_exit", "main", "print_report", "translate_errors"]

P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def _console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    # piped output (files, CI logs) gets a wide table rather than rich's default of 80 columns
    width = None if stream.isatty() else 160
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def dir_option(func: Callable[P, R]) -> Callable[P, R]:
    """The ``--dir`` option every command shares: a directory folder, default the shipped one."""
    return click.option(
        "--dir",
        "directory_path",
        type=click.Path(path_type=Path),
        envvar="PATHWAYS_DIRECTORY",
        default=None,
        help="Directory folder (default: the shipped Cambridgeshire & Peterborough directory; "
        "env PATHWAYS_DIRECTORY).",
    )(func)


def print_report(report: Report, console: Console, *, errors_only: bool = False) -> None:
    """A table of problems: where, code, record, message and hint."""
    problems = report.errors if errors_only else report.problems
    if not problems:
        return
    table = Table(show_lines=False, header_style="bold")
    for col in ("where", "severity", "code", "record"):
        table.add_column(col, no_wrap=True)
    for col in ("message", "hint"):
        table.add_column(col, overflow="fold")
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        table.add_row(
            p.where(), f"[{style}]{p.severity}[/]", p.code, p.record or "", p.message, p.hint
        )
    console.print(table)


def load_or_exit(path: Path | None) -> Directory:
    """Load a directory for a command; on errors print every problem and exit 1."""
    directory, report = read_directory(path)
    if directory is None:
        console = _console(stderr=True)
        console.print(f"[red]The directory has {len(report.errors)} error(s):[/]")
        print_report(report, console, errors_only=True)
        raise SystemExit(EXIT_DATA)
    return directory


def translate_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn library exceptions into messages and exit codes (the CLI holds no other logic)."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DataError as err:
            console = _console(stderr=True)
            console.print(f"[red]{len(err.report.errors)} problem(s) in the directory[/]")
            print_report(err.report, console, errors_only=True)
            raise SystemExit(EXIT_DATA) from None
        except (NotFoundError, click.BadParameter) as err:
            raise click.UsageError(str(err)) from None
        except PathwaysError as err:
            _console(stderr=True).print(f"[red]error:[/] {err}")
            raise SystemExit(EXIT_DATA) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cambs-diversion-pathways")
def main() -> None:
    """Diversion pathways: the partner-agency directory and the fewest-agencies matcher."""


@main.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Date to judge staleness against (default: today).",
)
def validate(folder: Path | None, as_json: bool, today: Any) -> None:
    """Check a directory folder (default: the shipped one); report every problem at once.

    Exit 0 when valid (warnings allowed), 1 when any error.
    """
    day: date | None = today.date() if today is not None else None
    _directory, report = read_directory(folder, today=day)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "errors": len(report.errors),
                    "warnings": len(report.warnings),
                    "problems": [p.to_dict() for p in report.problems],
                },
                indent=2,
            )
        )
    else:
        console = _console()
        print_report(report, console)
        verdict = "[green]valid[/]" if report.ok else "[red]invalid[/]"
        console.print(
            f"{verdict}: {len(report.errors)} error(s), {len(report.warnings)} warning(s)"
        )
    raise SystemExit(EXIT_OK if report.ok else EXIT_DATA)


@main.command()
@click.argument("kind", type=click.Choice(["need", "agency", "pathway", "locality"]))
@click.argument("ident")
@dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@translate_errors
def show(kind: str, ident: str, directory_path: Path | None, as_json: bool) -> None:
    """Show one need, agency, pathway or locality (district id, town or postcode district)."""
    from pathways.render import find_record, render_record

    directory = load_or_exit(directory_path)
    record = find_record(directory, kind, ident)
    if as_json:
        click.echo(json.dumps(record, indent=2, default=str))
    else:
        render_record(_console(), kind, record)


@main.command()
@click.argument("text", nargs=-1, required=True)
@dir_option
@click.option("--limit", default=20, show_default=True, help="Most results to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@translate_errors
def search(text: tuple[str, ...], directory_path: Path | None, limit: int, as_json: bool) -> None:
    """Fuzzy search over need synonyms, agency and pathway names and descriptions."""
    directory = load_or_exit(directory_path)
    hits = search_directory(directory, " ".join(text), limit=limit)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "kind": h.kind,
                        "id": h.id,
                        "name": h.name,
                        "score": round(h.score, 1),
                        "matched": h.matched,
                        "needs": list(h.needs),
                    }
                    for h in hits
                ],
                indent=2,
            )
        )
        return
    if not hits:
        click.echo("No match.")
        raise SystemExit(EXIT_OK)
    table = Table(header_style="bold")
    for col in ("kind", "id", "name", "score", "matched", "needs"):
        table.add_column(col, overflow="fold")
    for h in hits:
        table.add_row(h.kind, h.id, h.name, f"{h.score:.0f}", h.matched, ", ".join(h.needs))
    _console().print(table)


@main.command()
@dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@translate_errors
def stats(directory_path: Path | None, as_json: bool) -> None:
    """Counts: agencies, pathways, sites, needs covered per district, places per month."""
    from pathways.render import directory_stats

    figures = directory_stats(load_or_exit(directory_path))
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    table = Table(header_style="bold", show_header=True)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        if not isinstance(value, dict):
            table.add_row(key.replace("_", " "), str(value))
    _console().print(table)


def _register() -> None:
    """Add the commands that live in :mod:`pathways.commands`, each in its own module."""
    from pathways import commands

    for command in commands.all_commands():
        main.add_command(command)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
