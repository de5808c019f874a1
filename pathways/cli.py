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
from click.core import ParameterSource

from directory.errors import DataError, InvalidArgumentError, NotFoundError, PathwaysError
from directory.loading import default_path, read_directory
from directory.search import search as search_directory
from pathways.console import (
    Column,
    make_console,
    note,
    print_problems,
    print_table,
    problem_where,
    shown_path,
)
from pathways.options import DAY

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from rich.console import Console

    from directory.models import Directory
    from directory.problems import Report

__all__ = ["dir_option", "load_or_exit", "main", "print_report", "translate_errors"]

P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
_HINT_INDENT = "    "
_PROBLEM_COLUMNS = (
    Column("where"),
    Column("severity"),
    Column("code"),
    Column("record"),
    Column("message", prose=True),
    Column("hint", prose=True),
)
_SEARCH_COLUMNS = (
    Column("kind"),
    Column("id"),
    Column("score", justify="right"),
    Column("name", prose=True),
    Column("matched", prose=True),
    Column("needs", prose=True),
)


def _console(stderr: bool = False) -> Console:
    return make_console(stderr)


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


def print_report(
    report: Report, console: Console, *, errors_only: bool = False, base: Path | None = None
) -> None:
    """Every problem one per line as compilers print them (``file:line:col: severity code:``),
    its hint indented below; ``base`` is the folder the problems' files are relative to."""
    print_problems(report.errors if errors_only else report.problems, console, base=base)


def _folder_shown(path: Path | None) -> Path:
    """The directory folder as problems should name it (the shipped one in full)."""
    return path if path is not None else default_path()


def _from_environment() -> bool:
    """Whether the running command took ``--dir`` from ``PATHWAYS_DIRECTORY``."""
    ctx = click.get_current_context(silent=True)
    return bool(
        ctx is not None
        and ctx.get_parameter_source("directory_path") is ParameterSource.ENVIRONMENT
    )


def load_or_exit(path: Path | None) -> Directory:
    """Load a directory for a command; on errors print every error and exit 1.

    Warnings are not printed here (``pathways validate --warnings`` lists them). A folder named
    by ``PATHWAYS_DIRECTORY`` that is not one names the variable.
    """
    if path is not None and not path.is_dir() and _from_environment():
        click.echo(
            f"error: PATHWAYS_DIRECTORY is {str(path)!r}, which is not a folder\n"
            f"{_HINT_INDENT}hint: point it at a directory folder (the one holding needs.yaml), "
            "or unset it to use the shipped directory",
            err=True,
        )
        raise SystemExit(EXIT_DATA)
    directory, report = read_directory(path)
    if directory is None:
        console = _console(stderr=True)
        print_report(report, console, errors_only=True, base=_folder_shown(path))
        count = len(report.errors)
        console.print(
            f"{count} error{'s' if count != 1 else ''} in the directory "
            f"{shown_path(None, str(_folder_shown(path)))}: nothing was done",
            soft_wrap=True,
        )
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
            print_report(err.report, console, errors_only=True)
            count = len(err.report.errors)
            console.print(f"{count} error{'s' if count != 1 else ''}: nothing was done")
            raise SystemExit(EXIT_DATA) from None
        except (NotFoundError, click.BadParameter) as err:
            notes = getattr(err, "__notes__", None) or []
            raise click.UsageError("\n".join([str(err), *notes])) from None
        except PathwaysError as err:
            click.echo(f"error: {err}", err=True)
            raise SystemExit(EXIT_DATA) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(package_name="cambs-diversion-pathways")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Diversion pathways: the partner-agency directory and the fewest-agencies matcher.

    Run a command with --help for its options. Shell completion (bash, zsh, fish):
    eval "$(_PATHWAYS_COMPLETE=bash_source pathways)" (docs/reference/cli.md).
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit(EXIT_OK)


@main.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "table", "json"]),
    default="text",
    show_default=True,
    help="text: one problem a line (file:line:col: severity code: message) with its hint; "
    "table: the same as a table; json: for machines.",
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option(
    "--warnings",
    "list_warnings",
    is_flag=True,
    help="List warnings too in text format (by default they are counted in one line).",
)
@click.option(
    "--today",
    type=DAY,
    default=None,
    help="Date to judge staleness against (default: today).",
)
def validate(folder: Path | None, fmt: str, as_json: bool, list_warnings: bool, today: Any) -> None:
    """Check a directory folder (default: the shipped one); report every problem at once.

    Errors are printed in full, one a line with a hint below; warnings (stale dates, for
    example) are summarised in one line unless --warnings is given. Exit 0 when valid
    (warnings allowed), 1 when any error.
    """
    day: date | None = today.date() if today is not None else None
    _directory, report = read_directory(folder, today=day)
    if as_json or fmt == "json":
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
        raise SystemExit(EXIT_OK if report.ok else EXIT_DATA)
    console = _console()
    base = _folder_shown(folder)
    if fmt == "table":
        print_table(
            console,
            _PROBLEM_COLUMNS,
            [
                [problem_where(p, base), p.severity, p.code, p.record or "", p.message, p.hint]
                for p in report.problems
            ],
        )
    else:
        print_report(report, console, errors_only=not list_warnings, base=base)
    errors, warnings = len(report.errors), len(report.warnings)
    verdict = "valid" if report.ok else "invalid"
    line = (
        f"{shown_path(None, str(base))}: {verdict}: {errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}"
    )
    if fmt == "text" and not list_warnings and warnings:
        command = "pathways validate --warnings" + (f" {folder}" if folder is not None else "")
        line += f" ({command} lists them)"
    console.print(line, style="green" if report.ok else "red", soft_wrap=True, markup=False)
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
    for reading in record.get("interpreted", ()):
        if not reading["exact"]:
            note(f"read {reading['typed']!r} as {reading['read_as']}, {reading['detail']}")
    if as_json:
        click.echo(json.dumps(record, indent=2, default=str))
    else:
        render_record(_console(), kind, {k: v for k, v in record.items() if k != "interpreted"})


@main.command()
@click.argument("text", nargs=-1, required=True)
@dir_option
@click.option("--limit", default=20, show_default=True, help="Most results to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@translate_errors
def search(text: tuple[str, ...], directory_path: Path | None, limit: int, as_json: bool) -> None:
    """Fuzzy search over need synonyms, agency and pathway names and descriptions."""
    directory = load_or_exit(directory_path)
    try:
        hits = search_directory(directory, " ".join(text), limit=limit)
    except InvalidArgumentError as err:  # a search longer than the limit
        raise click.UsageError(str(err)) from None
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
    print_table(
        _console(),
        _SEARCH_COLUMNS,
        [[h.kind, h.id, f"{h.score:.0f}", h.name, h.matched, ", ".join(h.needs)] for h in hits],
    )


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
    print_table(
        _console(),
        [Column("figure"), Column("value", justify="right")],
        [
            [key.replace("_", " "), str(value)]
            for key, value in figures.items()
            if not isinstance(value, dict)
        ],
    )


def _register() -> None:
    """Add the commands that live in :mod:`pathways.commands`, each in its own module."""
    from pathways import commands

    for command in commands.all_commands():
        main.add_command(command)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
