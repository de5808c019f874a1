"""``pathways export`` and ``pathways import``: Open Referral UK 3.0 out of and into a directory.

The logic lives in :mod:`directory.oruk`; these commands load, call, render and set exit codes.
"""

from __future__ import annotations

from pathlib import Path

import click

from directory.dumping import dump
from directory.loading import default_path
from directory.oruk import import_oruk_file, write_json_export, write_tabular_export
from pathways.cli import dir_option, load_or_exit, print_report, translate_errors
from pathways.console import Column, make_console, print_table
from pathways.options import refuse_overwrite

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
    print_table(
        make_console(),
        [Column("file"), Column("bytes", justify="right")],
        [[str(path), f"{path.stat().st_size:,}"] for path in written],
        title=f"{fmt} export of {len(directory.pathways)} pathways",
    )


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
    print_report(report, make_console(stderr=True))
    if imported is None:
        click.echo(f"Not imported: {len(report.errors)} error(s) in {file}.", err=True)
        raise SystemExit(1)
    written = dump(imported, out, prune=replace)
    click.echo(
        f"Imported {len(imported.agencies)} agencies and {len(imported.pathways)} pathways "
        f"into {out} ({len(written)} files, {len(report.warnings)} warning(s))."
    )
