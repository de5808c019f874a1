"""``pathways export`` and ``pathways import``: Open Referral UK 3.0 out of and into a directory.

The logic lives in :mod:`directory.oruk`; these commands load, call, render and set exit codes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from directory.dumping import dump
from directory.loading import default_path
from directory.oruk import import_oruk_file, write_json_export, write_tabular_export
from pathways.cli import dir_option, load_or_exit, translate_errors
from pathways.options import refuse_overwrite

if TYPE_CHECKING:
    from directory.problems import Report

__all__ = ["export", "import_"]

FORMATS = ("oruk-json", "oruk-csv")


@click.command("export")
@dir_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    required=True,
    help="oruk-json: services.json, organizations.json and taxonomies.json (ORUK API Pages); "
    "oruk-csv: the tabular data package (one CSV per resource and datapackage.json).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder to write into (created if missing); files are replaced atomically.",
)
@translate_errors
def export(directory_path: Path | None, fmt: str, out: Path) -> None:
    """Export the directory as Open Referral UK 3.0. Hidden sites are never exported."""
    directory = load_or_exit(directory_path)
    writer = write_json_export if fmt == "oruk-json" else write_tabular_export
    written = writer(directory, out)
    table = Table(header_style="bold", title=f"{fmt} export of {len(directory.pathways)} pathways")
    table.add_column("file")
    table.add_column("bytes", justify="right")
    for path in written:
        table.add_row(str(path), f"{path.stat().st_size:,}")
    Console(highlight=False).print(table)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Directory folder to write: needs.yaml and localities.yaml of the base directory, and "
    "agencies/<id>.yaml for each organization imported.",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Delete agency files already in --out that the import does not hold (otherwise refused).",
)
@dir_option
@translate_errors
def import_(file: Path, out: Path, replace: bool, directory_path: Path | None) -> None:
    """Import an Open Referral UK JSON document (a Page, a service or an organization).

    Needs and localities come from the base directory (--dir). Every value that cannot be
    carried is reported; with any error nothing is written and the exit code is 1.
    """
    refuse_overwrite(out, {"--dir": directory_path or default_path(), "FILE": file}, "--out")
    base = load_or_exit(directory_path)
    imported, report = import_oruk_file(file, base=base)
    errors = Console(stderr=True, highlight=False)
    _print_problems(report, errors)
    if imported is None:
        errors.print(f"[red]Not imported: {len(report.errors)} error(s) in {file}.[/]")
        raise SystemExit(1)
    written = dump(imported, out, prune=replace)
    Console(highlight=False).print(
        f"Imported {len(imported.agencies)} agencies and {len(imported.pathways)} pathways "
        f"into {out} ({len(written)} files, {len(report.warnings)} warning(s))."
    )


def _print_problems(report: Report, console: Console) -> None:
    """Problems of an import, located by JSON pointer rather than line."""
    if not report.problems:
        return
    table = Table(header_style="bold", title=f"{report.problems[0].file}")
    for column in ("JSON pointer", "severity", "code", "message", "hint"):
        table.add_column(column, overflow="fold")
    for p in report.problems:
        style = "red" if p.severity == "error" else "yellow"
        table.add_row(p.field or "", f"[{style}]{p.severity}[/]", p.code, p.message, p.hint)
    console.print(table)
