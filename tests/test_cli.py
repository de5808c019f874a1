"""The ``pathways`` command: output and exit codes (0 ok, 1 data problems, 2 usage)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from directory.loading import load
from pathways.cli import main
from tests.factories import agency, make_directory


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_validate_shipped_directory_is_valid() -> None:
    code, out = run("validate")
    assert code == 0, out
    assert "valid: 0 errors" in out


def test_validate_json_lists_every_problem(tmp_path: Path) -> None:
    broken = agency(
        pathways=[
            {
                "id": "housing-help-support",
                "name": "S",
                "needs": ["housng"],
                "districts": ["fenland"],
                "sites": ["housing-help-office"],
            }
        ]
    )
    root = make_directory(tmp_path, agencies={"housing-help": broken, "other": "id: [\n"})
    code, out = run("validate", str(root), "--json", "--today", "2026-11-01")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    codes = {p["code"] for p in report["problems"]}
    assert {"unknown-need", "yaml-syntax"} <= codes
    need = next(p for p in report["problems"] if p["code"] == "unknown-need")
    assert need["file"] == "agencies/housing-help.yaml"
    assert need["line"] is not None
    assert "accommodation" in need["hint"]


def test_validate_table_names_file_and_line(tmp_path: Path) -> None:
    root = make_directory(tmp_path, agencies={"housing-help": "id: housing-help\nid: again\n"})
    code, out = run("validate", str(root))
    assert code == 1
    assert "duplicate-key" in out
    assert "invalid" in out


def test_usage_error_exits_2() -> None:
    code, _ = run("validate", "--no-such-option")
    assert code == 2


def test_show_each_kind() -> None:
    d = load()
    pathway = d.pathways[0]
    code, out = run("show", "pathway", pathway.id, "--json")
    assert code == 0
    record = json.loads(out)
    assert record["id"] == pathway.id
    assert record["agency"] == d.agency_of[pathway.id].id
    code, out = run("show", "need", "alcohol", "--json")
    assert code == 0
    assert json.loads(out)["label"]
    code, out = run("show", "locality", "Wisbech", "--json")
    assert code == 0
    assert json.loads(out)["district"] == "fenland"
    code, out = run("show", "agency", d.agencies[0].id)
    assert code == 0
    assert d.agencies[0].name in out


def test_show_unknown_id_suggests_and_exits_2() -> None:
    code, out = run("show", "need", "dbet")  # "alcohl" is now read as alcohol, as match reads it
    assert code == 2
    assert "did you mean 'debt'" in out
    code, out = run("show", "agency", "lifecrat")
    assert code == 2
    assert "did you mean 'lifecraft'" in out


def test_show_hides_refuge_details() -> None:
    d = load()
    agency_with_hidden = next(a for a in d.agencies if any(s.hidden for s in a.sites))
    hidden = next(s for s in agency_with_hidden.sites if s.hidden)
    code, out = run("show", "agency", agency_with_hidden.id, "--json")
    assert code == 0
    assert hidden.name not in out
    assert str(hidden.lat) not in out


def test_search_finds_alcohol_pathways_by_synonym() -> None:
    code, out = run("search", "drink", "--json")
    assert code == 0
    hits = json.loads(out)
    assert any(h["kind"] == "pathway" and "alcohol" in h["needs"] for h in hits)


def test_stats_counts_match_the_directory() -> None:
    code, out = run("stats", "--json")
    assert code == 0
    figures = json.loads(out)
    d = load()
    assert figures["agencies"] == len(d.agencies) >= 35
    assert figures["pathways"] == len(d.pathways) >= 80
    assert figures["need_district_cells_without_a_pathway"] == 0


def test_broken_directory_exits_1_for_other_commands(tmp_path: Path) -> None:
    root = make_directory(tmp_path, agencies={"housing-help": "id: [\n"})
    code, _ = run("stats", "--dir", str(root))
    assert code == 1


def test_installed_console_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pathways.cli", "validate", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["errors"] == 0
