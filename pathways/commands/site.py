"""``pathways site build|serve``: the directory website, through MkDocs.

The pages are rendered by :mod:`pathways.site` inside MkDocs (``docs/hooks.py``); these commands
check the directory first (exit 1 with every problem when it has errors), then run MkDocs in a
child process with ``PATHWAYS_DIRECTORY`` set, so nothing leaks between builds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import click

from directory.loading import default_path
from pathways.cli import dir_option, load_or_exit
from pathways.console import make_console

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
    code = subprocess.call(args, env=_env(directory_path))
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
@click.option(
    "--verbose", "-v", is_flag=True, help="Print every MkDocs message (by default only warnings)."
)
def build(
    directory_path: Path | None, config: Path | None, site_dir: Path, strict: bool, verbose: bool
) -> None:
    """Build the website of a directory (default: the shipped one) into a folder.

    Quiet by default: MkDocs' warnings and errors are printed (on stderr), its information
    messages counted in one line (--verbose prints them); a terminal shows a spinner and the
    time taken while the build runs. Exit 0 when built, 1 when the directory has errors or the
    build fails.
    """
    load_or_exit(directory_path)
    args = mkdocs_args("build", find_config(config), "--site-dir", str(site_dir.resolve()))
    started = time.monotonic()
    hidden = _build([*args, "--strict"] if strict else args, directory_path, verbose=verbose)
    seconds = time.monotonic() - started
    click.echo(f"Website written to {site_dir} in {seconds:.0f} s")
    if hidden:
        click.echo(f"({hidden} MkDocs information messages not shown: --verbose shows them)")


def _build(args: list[str], directory_path: Path | None, *, verbose: bool) -> int:
    """Run MkDocs, passing on its warnings and errors; return how many other messages were
    held back (every one is passed on when ``verbose``)."""
    console = make_console(stderr=True)
    status = console.status("building the website") if console.is_terminal else None
    if status is None:  # no spinner in a log: one line says the wait has begun
        click.echo("building the website with MkDocs ...", err=True)
    hidden = 0
    level = ""
    with subprocess.Popen(
        args,
        env=_env(directory_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as child:
        assert child.stdout is not None
        if status is not None:
            status.start()
        try:
            for line in child.stdout:
                found = _LEVEL.match(line)
                if found:
                    level = found[1]
                    hidden += level in _QUIET
                if verbose or level not in _QUIET:
                    if status is not None:
                        status.stop()
                    click.echo(line.rstrip("\n"), err=True)
                    if status is not None:
                        status.start()
                if status is not None and level == "INFO" and "Building documentation" in line:
                    status.update("building the website: rendering pages")
        finally:
            if status is not None:
                status.stop()
    if child.returncode != 0:
        raise SystemExit(1)
    return 0 if verbose else hidden


_LEVEL = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b")
_QUIET = ("DEBUG", "INFO")


def _env(directory_path: Path | None) -> dict[str, str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    if directory_path is not None:
        env["PATHWAYS_DIRECTORY"] = str(directory_path.resolve())
    else:
        env.pop("PATHWAYS_DIRECTORY", None)
    return env


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
