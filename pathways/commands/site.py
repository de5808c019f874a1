"""``pathways site build|serve``: the directory website, through MkDocs.

The pages are rendered by :mod:`pathways.site` inside MkDocs (``docs/hooks.py``); these commands
check the directory first (exit 1 with every problem when it has errors), then run MkDocs in a
child process with ``PATHWAYS_DIRECTORY`` set, so nothing leaks between builds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from directory.loading import default_path
from pathways.cli import dir_option, load_or_exit

__all__ = ["find_config", "mkdocs_args", "site"]


def find_config(config: Path | None) -> Path:
    """The ``mkdocs.yml`` to use: the one given, else ``./mkdocs.yml``, else the checkout's."""
    candidates = (
        [config]
        if config is not None
        else [Path.cwd() / "mkdocs.yml", Path(__file__).resolve().parents[2] / "mkdocs.yml"]
    )
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise click.UsageError(
        "no mkdocs.yml found: run from the project checkout or pass --config-file"
    )


def mkdocs_args(action: str, config: Path, *extra: str) -> list[str]:
    """The MkDocs command line for ``build`` or ``serve``.

    >>> mkdocs_args("build", Path("/x/mkdocs.yml"), "--strict")[2:]
    ['mkdocs', 'build', '--config-file', '/x/mkdocs.yml', '--strict']
    """
    return [sys.executable, "-m", "mkdocs", action, "--config-file", str(config), *extra]


def _run(args: list[str], directory_path: Path | None) -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    if directory_path is not None:
        env["PATHWAYS_DIRECTORY"] = str(directory_path.resolve())
    else:
        env.pop("PATHWAYS_DIRECTORY", None)
    code = subprocess.call(args, env=env)
    if code != 0:
        raise SystemExit(1)


config_option = click.option(
    "--config-file",
    "config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="MkDocs configuration (default: mkdocs.yml of the checkout).",
)


@click.group("site")
def site() -> None:
    """Build or serve the directory website (MkDocs Material)."""


@site.command("build")
@dir_option
@config_option
@click.option(
    "--out",
    "site_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("site"),
    show_default=True,
    help="Folder to write the website to.",
)
@click.option("--strict/--no-strict", default=True, show_default=True, help="Warnings fail.")
def build(directory_path: Path | None, config: Path | None, site_dir: Path, strict: bool) -> None:
    """Build the website of a directory (default: the shipped one) into a folder.

    Exit 0 when built, 1 when the directory has errors or the build fails.
    """
    load_or_exit(directory_path)
    args = mkdocs_args("build", find_config(config), "--site-dir", str(site_dir.resolve()))
    _run([*args, "--strict"] if strict else args, directory_path)
    click.echo(f"Website written to {site_dir}")


@site.command("serve")
@dir_option
@config_option
@click.option(
    "--addr",
    default="127.0.0.1:8000",
    show_default=True,
    help="Address and port to serve on.",
)
def serve(directory_path: Path | None, config: Path | None, addr: str) -> None:
    """Serve the website locally, rebuilding when the docs or the directory's YAML change
    (Ctrl+C stops)."""
    load_or_exit(directory_path)
    if ":" not in addr:
        raise click.BadParameter("expected HOST:PORT, such as 127.0.0.1:8000", param_hint="--addr")
    folder = directory_path if directory_path is not None else default_path()
    args = mkdocs_args("serve", find_config(config), "--dev-addr", addr, "--watch", str(folder))
    _run(args, directory_path)
