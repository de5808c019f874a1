"""``pathways schema``: JSON Schemas of the directory files, for editors that check YAML."""

from __future__ import annotations

import json
from pathlib import Path

import click

from directory.schema import FILES, json_schemas, write_schemas

__all__ = ["schema"]


@click.command("schema")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write needs, localities and agency schemas and a README with VS Code "
    "settings into (created if missing). Without it, one schema is printed.",
)
@click.option(
    "--kind",
    type=click.Choice(list(FILES)),
    default=None,
    help="The schema to print when --out is not given (default: agency).",
)
def schema(out: Path | None, kind: str | None) -> None:
    """Write JSON Schemas for needs.yaml, localities.yaml and agencies/<id>.yaml.

    Generated from the models, so they always match what `pathways validate` accepts file by
    file. Checks across files (an unknown need or district) still need `pathways validate`.
    """
    if out is None:
        click.echo(json.dumps(json_schemas()[kind or "agency"], indent=2, ensure_ascii=False))
        return
    if kind is not None:
        raise click.UsageError("--kind chooses the schema to print; --out writes all of them")
    try:
        written = write_schemas(out)
    except OSError as err:
        raise click.ClickException(f"cannot write schemas to {out}: {err.strerror or err}") from err
    for path in written:
        click.echo(f"wrote {path}")
