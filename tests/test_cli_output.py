"""How the ``pathways`` command prints: problems like compilers, 80 columns, piped and whole ids.

CliRunner's output is piped (not a terminal); ``COLUMNS=80`` is set for every run here, and one
test runs the installed module in a real subprocess.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from io import StringIO
from typing import TYPE_CHECKING

from click.testing import CliRunner
from rich.console import Console

from directory.loading import load
from pathways.cli import main
from pathways.console import Column, print_table
from tests.factories import agency, make_directory

if TYPE_CHECKING:
    from pathlib import Path

ENV = {"COLUMNS": "80"}
LOCATION = re.compile(r"^(?P<file>[^:\s]+\.yaml):(?P<line>\d+):(?P<col>\d+): (error|warning) ")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={**ENV, **(env or {})})
    return result.exit_code, result.stdout, result.stderr


def _broken(tmp_path: Path) -> Path:
    broken = agency(
        "housing-help",
        pathways=[
            {
                "id": "housing-help-support",
                "name": "S",
                "needs": ["housng"],
                "districts": ["fenland"],
                "sites": ["housing-help-office"],
            }
        ],
    )
    return make_directory(tmp_path, agencies={"housing-help": broken})


def test_validate_prints_errors_like_a_compiler_at_80_columns(tmp_path: Path) -> None:
    root = _broken(tmp_path)
    code, out, _ = run("validate", str(root), "--today", "2026-11-01")
    assert code == 1
    lines = out.splitlines()
    first = next(line for line in lines if "unknown-need" in line)
    match = LOCATION.match(first)
    assert match, first
    assert match["file"] == str(root / "agencies" / "housing-help.yaml")  # opens as printed
    assert int(match["line"]) >= 1
    assert "error unknown-need: " in first
    hint = lines[lines.index(first) + 1]
    assert hint.startswith("    hint: ")
    assert "accommodation" in hint
    assert "…" not in out
    assert re.search(r": invalid: 1 error, \d+ warnings? \(pathways validate --warnings", lines[-1])


def test_validate_summarises_warnings_in_one_line_and_lists_them_on_request(
    tmp_path: Path,
) -> None:
    root = make_directory(tmp_path)
    code, out, _ = run("validate", str(root), "--today", "2031-01-01")
    assert code == 0
    assert len(out.splitlines()) == 1, out
    (line,) = out.splitlines()
    count = int(re.search(r"(\d+) warnings", line)[1])  # type: ignore[index]
    assert count >= 2
    assert f"(pathways validate --warnings {root} lists them)" in line
    code, out, _ = run("validate", str(root), "--today", "2031-01-01", "--warnings")
    assert code == 0
    located = [line for line in out.splitlines() if LOCATION.match(line)]
    assert len(located) == count
    assert sum(": warning stale" in line for line in located) >= 2
    assert "lists them" not in out


def test_validate_formats_table_and_json_agree(tmp_path: Path) -> None:
    root = _broken(tmp_path)
    _, as_json, _ = run("validate", str(root), "--format", "json", "--today", "2026-11-01")
    _, alias, _ = run("validate", str(root), "--json", "--today", "2026-11-01")
    assert as_json == alias
    problems = json.loads(as_json)["problems"]
    code, table, _ = run("validate", str(root), "--format", "table", "--today", "2026-11-01")
    assert code == 1
    assert "…" not in table
    header = table.splitlines()[0].split()
    assert header == ["where", "severity", "code", "record"]
    for p in problems:  # every code and record whole on its row
        assert any(p["code"] in line and (p["record"] or "") in line for line in table.splitlines())


def test_load_errors_of_other_commands_use_the_same_printer(tmp_path: Path) -> None:
    root = _broken(tmp_path)
    code, out, err = run("stats", "--dir", str(root))
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert any(LOCATION.match(line) and "error unknown-need" in line for line in lines)
    assert "nothing was done" in lines[-1]


def test_pathways_directory_pointing_nowhere_names_the_variable(tmp_path: Path) -> None:
    code, _, err = run("stats", env={"PATHWAYS_DIRECTORY": str(tmp_path / "nowhere")})
    assert code == 1
    assert "PATHWAYS_DIRECTORY" in err
    assert "nowhere" in err
    code, _, err = run("stats", "--dir", str(tmp_path / "nowhere"))
    assert code == 1
    assert "PATHWAYS_DIRECTORY" not in err


def test_bare_command_prints_help_and_exits_0() -> None:
    code, out, _ = run()
    assert code == 0
    assert out.startswith("Usage: ")
    assert "validate" in out
    assert "_PATHWAYS_COMPLETE" in out


def test_python_dash_m_pathways_runs_in_a_subprocess(tmp_path: Path) -> None:
    """A real pipe at 80 columns: the same compiler lines as through CliRunner."""
    root = _broken(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "pathways", "validate", str(root), "--today", "2026-11-01"],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "80", "PATH": ""},
    )
    assert done.returncode == 1, done.stderr
    assert any(LOCATION.match(line) and "unknown-need" in line for line in done.stdout.splitlines())
    bare = subprocess.run(
        [sys.executable, "-m", "pathways"], capture_output=True, text=True, check=False
    )
    assert bare.returncode == 0
    assert bare.stdout.startswith("Usage: pathways")


def _table(width: int, *, terminal: bool) -> str:
    out = StringIO()
    console = Console(file=out, width=width, force_terminal=terminal, color_system=None)
    d = load()
    rows = [[p.id, str(len(p.needs)), p.description or ""] for p in d.pathways[:12]]
    print_table(
        console,
        [Column("pathway"), Column("needs", justify="right"), Column("description", prose=True)],
        rows,
    )
    return out.getvalue()


def test_tables_never_cut_ids_or_headers_at_any_width() -> None:
    ids = [p.id for p in load().pathways[:12]]
    for width in (40, 60, 80, 120, 200):
        for terminal in (False, True):
            text = _table(width, terminal=terminal)
            assert "…" not in text
            for ident in ids:
                assert ident in text, (width, terminal, ident)
            assert "pathway" in text
            assert "needs" in text
            assert "description" in text


def test_a_wide_terminal_gets_a_bordered_table_and_a_narrow_one_plain_lines() -> None:
    assert "┃" in _table(200, terminal=True)
    narrow = _table(40, terminal=True)
    assert "┃" not in narrow
    assert "    description: " in narrow
    piped = _table(200, terminal=False)
    assert "┃" not in piped
