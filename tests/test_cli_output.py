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

import pytest
from click.testing import CliRunner
from rich.console import Console

from directory.loading import load
from pathways.cli import main
from pathways.commands.site import _build
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


# ------------------------------------------------------------------------------ words in
def test_match_says_how_corrected_words_and_a_full_postcode_were_read() -> None:
    args = ("match", "--needs", "housng, drnk", "--where", "PE13 1AB", "--age", "34")
    code, out, err = run(*args)
    assert code == 0, err
    assert "note: read 'housng' as accommodation" in err
    assert "note: read 'drnk' as alcohol" in err
    assert "note: read 'PE13 1AB' as fenland" in err
    assert "centre of postcode district PE13" in err
    assert "note: read" not in out  # stdout holds the plan only
    code, out, err = run(*args, "--json")
    assert code == 0
    plan = json.loads(out)
    read = {(r["kind"], r["typed"]): r for r in plan["interpreted"]}
    assert read[("need", "housng")]["read_as"] == "accommodation"
    assert read[("need", "housng")]["exact"] is False
    assert read[("need", "drnk")]["read_as"] == "alcohol"
    assert read[("place", "PE13 1AB")]["read_as"] == "fenland"
    assert read[("place", "PE13 1AB")]["exact"] is False
    assert {r["need"] for r in plan["referrals"]} == {"accommodation", "alcohol"}


def test_match_with_exact_words_says_nothing_on_stderr_but_records_them() -> None:
    code, out, err = run(
        "match", "--needs", "housing, alcohol", "--where", "Wisbech", "--age", "34", "--json"
    )
    assert code == 0
    assert "note:" not in err
    read = json.loads(out)["interpreted"]
    assert [(r["typed"], r["read_as"], r["how"], r["exact"]) for r in read] == [
        ("housing", "accommodation", "synonym", True),
        ("Wisbech", "fenland", "town", True),
    ]  # an id ("alcohol") is not an interpretation


def test_match_output_keeps_pathway_ids_whole_at_80_columns() -> None:
    code, out, _ = run(
        "match", "--needs", "housing, drink, debt", "--where", "Wisbech", "--age", "34"
    )
    assert code == 0
    _, as_json, _ = run(
        "match", "--needs", "housing, drink, debt", "--where", "Wisbech", "--age", "34", "--json"
    )
    for referral in json.loads(as_json)["referrals"]:
        assert referral["pathway"] in out
    assert "…" not in out
    assert "┃" not in out  # piped: plain lines


def test_show_need_takes_the_words_match_takes() -> None:
    code, out, err = run("show", "need", "housing", "--json")
    assert code == 0, err
    record = json.loads(out)
    assert record["id"] == "accommodation"
    assert record["interpreted"][0]["how"] == "synonym"
    code, out, err = run("show", "need", "housng")
    assert code == 0
    assert out.splitlines()[0] == "need accommodation"
    assert "note: read 'housng' as accommodation" in err
    code, out, err = run("show", "need", "dbet")
    assert code == 2
    assert "did you mean 'debt'" in err


# ------------------------------------------------------------------------------ site build
_MKDOCS_LIKE = "\n".join(
    [
        "INFO    -  Cleaning site directory",
        "INFO    -  The following pages exist in the docs directory, but are not included",
        "           in the nav:",
        "             - agencies/a.md",
        "WARNING -  Doc file 'x.md' contains a link 'y.md', but the target is not found.",
        "           (more about it)",
        "INFO    -  Documentation built in 1.23 seconds",
    ]
)


def test_site_build_passes_warnings_on_and_counts_information(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The filter of ``site build`` over a real child process printing MkDocs' log format."""
    args = [sys.executable, "-c", f"print({_MKDOCS_LIKE!r})"]
    assert _build(args, None, verbose=False) == 3
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "building the website with MkDocs ...",
        "WARNING -  Doc file 'x.md' contains a link 'y.md', but the target is not found.",
        "           (more about it)",
    ]
    assert _build(args, None, verbose=True) == 0
    assert capsys.readouterr().err.splitlines()[1:] == _MKDOCS_LIKE.splitlines()
    with pytest.raises(SystemExit) as failed:
        _build(
            [sys.executable, "-c", "print('ERROR   -  bad'); raise SystemExit(1)"],
            None,
            verbose=False,
        )
    assert failed.value.code == 1
    assert capsys.readouterr().err.splitlines()[1:] == ["ERROR   -  bad"]


# ------------------------------------------------------------------------------ gaps key
def test_gaps_output_explains_its_marks_in_a_key() -> None:
    args = ("gaps", "--synthetic", "350", "--period", "2026-11")
    code, out, err = run(*args)
    assert code == 0, err
    _, as_json, _ = run(*args, "--format", "json")
    values = {str(v) for rows in json.loads(as_json).values() for row in rows for v in row.values()}
    key = out[out.index("\nKey:\n") :]
    marks = [
        line.split()[0]
        for line in key.splitlines()[1:]
        if line.startswith("  ") and not line.startswith("        ")
    ]
    assert "<5" in values
    assert "<5" in marks
    assert ("[c]" in values) == ("[c]" in marks)
    plus = [v for v in values if v.endswith("+")]
    assert bool(plus) == any(m.endswith("+") for m in marks)
    assert "no fixed limit" in key
    assert "…" not in out
    for cell in json.loads(as_json)["cells"]:  # ids whole on a line of their own row
        assert f"{cell['need']}  " in out
        assert str(cell["district"]) in out
    code, md, _ = run(*args, "--format", "md")
    assert code == 0
    assert "Key:" in md
    assert "- `<5` fewer than 5 people" in md


def test_search_ranks_the_need_a_word_names_above_other_needs_synonyms() -> None:
    """ "drink" is a synonym of alcohol; "drink driving awareness" (a term of another need) must
    not lift a weapons course to the alcohol pathways' rank."""
    code, out, _ = run("search", "drink", "--json", "--limit", "200")
    assert code == 0
    hits = json.loads(out)
    pathways_ = [h for h in hits if h["kind"] == "pathway"]
    alcohol = [h["score"] for h in pathways_ if "alcohol" in h["needs"]]
    others = [h["score"] for h in pathways_ if "alcohol" not in h["needs"]]
    assert alcohol
    assert others  # still found, through the other need, but ranked below
    assert min(alcohol) > max(others)
    assert max(others) < 90
    needs = {h["id"]: h["score"] for h in hits if h["kind"] == "need"}
    assert needs["alcohol"] == 100
    assert needs["offence_specific_awareness"] < needs["alcohol"]
    code, out, _ = run("search", "housng", "--json")
    assert json.loads(out)[0]["id"] == "accommodation"


def test_a_cohort_file_says_its_corrected_words_but_never_a_postcode(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort.csv"
    cohort.write_text(
        "needs,where,age\nhousng,PE13 1AB,30\nhousng; drink,Wisbech,41\ndebt,PE13 2XY,52\n",
        encoding="utf-8",
    )
    code, _, err = run("match", "--file", str(cohort), "--out", str(tmp_path / "plans.jsonl"))
    assert code == 0, err
    notes = [line for line in err.splitlines() if line.startswith("note: ")]
    assert notes[0].startswith("note: read 'housng' as accommodation")
    assert sum("housng" in line for line in notes) == 1  # each distinct word once
    assert "2 distinct place(s) read approximately: 2 full postcode(s)" in notes[1]
    assert "PE13 1AB" not in err
    assert "PE13 2XY" not in err
    assert len(notes) == 2


# ------------------------------------------------------------------------------ every command
@pytest.mark.parametrize(
    "args",
    [
        ("validate", "--warnings"),
        ("validate", "--format", "table"),
        ("show", "need", "housing"),
        ("show", "agency", "outside-links"),
        ("show", "pathway", "aspire-alcohol-diversion-course"),
        ("show", "locality", "PE13 1AB"),
        ("search", "drink"),
        ("stats",),
        ("match", "--needs", "housing, drink, debt", "--where", "Wisbech", "--age", "34"),
        ("match", "--needs", "gambling, sex work", "--where", "Ely", "--age", "19"),
        ("capacity", "--need", "housing"),
        ("gaps", "--synthetic", "120", "--period", "2026-11", "--resilience"),
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_every_command_prints_plain_lines_when_piped(args: tuple[str, ...]) -> None:
    """Piped at 80 columns: no borders, nothing cut short, no line broken inside an id."""
    code, out, err = run(*args)
    assert code == 0, err
    assert out.strip()
    for mark in ("┃", "│", "━", "╭", "…"):
        assert mark not in out, (mark, args)
    d = load()
    ids = [p.id for p in d.pathways] + [a.id for a in d.agencies] + [n.id for n in d.needs]
    for line in out.splitlines():  # an id split over two lines would leave a piece ending "-"
        assert not re.search(r"[a-z]-$", line), line
    shown = [i for i in ids if i in out]
    assert shown or args[0] in ("stats", "validate")


def test_shell_completion_as_documented() -> None:
    """The line docs/reference/cli.md gives produces click's bash completion for pathways."""
    done = subprocess.run(
        [sys.executable, "-m", "pathways"],
        capture_output=True,
        text=True,
        check=False,
        env={"_PATHWAYS_COMPLETE": "bash_source", "PATH": ""},
    )
    assert done.returncode == 0, done.stderr
    assert "_PATHWAYS_COMPLETE=bash_complete" in done.stdout
    assert "complete -o nosort -F" in done.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "pathways"],
        capture_output=True,
        text=True,
        check=False,
        env={"_PATHWAYS_COMPLETE": "bash_complete", "COMP_WORDS": "pathways va", "COMP_CWORD": "1"},
    )
    assert "validate" in listed.stdout
