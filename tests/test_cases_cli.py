"""The hub's commands (case, due, breaches): output, JSON, exit codes, 80 columns."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from directory.loading import load
from matching.capacity import Ledger
from pathways.cli import main
from tests.ledger_backends import ledger_target, pg_server

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ledger_target", "pg_server"]

DRUGS, DEBT = "aspire-drug-treatment", "cap-debt-advice"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def target(ledger_target: Callable[[], str]) -> str:
    """A ledger holding two booked plans (no cases yet)."""
    made = ledger_target()
    directory = load()
    with Ledger(made) as ledger:
        for n, day in enumerate([date(2026, 11, 2), date(2026, 11, 20)], 1):
            ledger.reserve(
                [directory.pathway_by_id[DRUGS], directory.pathway_by_id[DEBT]],
                reference=f"CASE-{n}",
                on=day,
            )
    return made


def test_the_hub_follows_a_case_from_the_command_line(target: str) -> None:
    led = ("--ledger", target)
    code, out = run(
        "case", "open", "CASE-1", *led, "--disposal", "conditional_caution",
        "--condition", f"{DRUGS}:rehabilitative", "--condition", f"{DEBT}:reparative:2026-12-01",
        "--agreed", "2026-11-02", "--district", "peterborough", "--by", "officer-7", "--json",
    )  # fmt: skip
    assert code == 0, out
    case = json.loads(out)
    assert (case["state"], case["district"]) == ("open", "peterborough")
    assert [(c["pathway"], c["due_on"]) for c in case["conditions"]] == [
        (DRUGS, "2027-02-22"),  # 16 weeks, the adult code's default
        (DEBT, "2026-12-01"),
    ]
    code, out = run(
        "case", "open", "CASE-2", *led, "--disposal", "youth_conditional_caution",
        "--condition", f"{DRUGS}:rehabilitative", "--agreed", "2026-11-20", "--by", "officer-7",
    )  # fmt: skip
    assert code == 0, out
    code, out = run("due", *led, "--today", "2026-12-03", "--days", "90", "--json")
    assert code == 0, out
    got = json.loads(out)
    assert [(c["reference"], c["pathway"], c["days_left"]) for c in got["conditions"]] == [
        ("CASE-1", DEBT, -2),  # overdue first
        ("CASE-1", DRUGS, 81),
    ]
    assert got["overdue"] == 1
    code, out = run("due", *led, "--today", "2026-12-03", "--days", "90")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == f"OVERDUE  2026-12-01    -2d  agreed    CASE-1 {DEBT}"
    assert lines[-1] == "2 condition(s) due within 90 days of 2026-12-03, 1 overdue"
    assert max(map(len, lines)) <= 80

    code, out = run("case", "set", "CASE-1", DEBT, "breached", *led, "--on", "2026-12-02",
                    "--by", "hub-2")  # fmt: skip
    assert (code, out.splitlines()[0]) == (0, f"CASE-1 {DEBT}: breached on 2026-12-02")
    code, out = run("breaches", *led, "--today", "2026-12-09")
    assert code == 0, out
    assert f"2026-12-02  waiting 7d       CASE-1 {DEBT}" in out.splitlines()
    assert "1 breached condition(s), 1 awaiting a breach statement" in out
    assert max(map(len, out.splitlines())) <= 80
    code, out = run("case", "statement", "CASE-1", DEBT, *led, "--on", "2026-12-10", "--by", "h")
    assert code == 0, out
    code, out = run("breaches", *led, "--json")
    assert json.loads(out)["breaches"] == []
    code, out = run("breaches", *led, "--all", "--json")
    assert [b["statement_on"] for b in json.loads(out)["breaches"]] == ["2026-12-10"]

    code, out = run("case", "show", "CASE-1", *led, "--audit", "--json")
    assert code == 0, out
    trail = json.loads(out)["audit"]
    assert [(e["by"], e["change"]) for e in trail] == [
        ("officer-7", "case opened"),
        ("officer-7", "condition agreed"),
        ("officer-7", "condition agreed"),
        ("hub-2", "breached"),
        ("h", "breach statement"),
    ]
    code, out = run("case", "show", "CASE-1", *led, "--audit")
    assert code == 0, out
    assert "breached" in out
    assert max(map(len, out.splitlines())) <= 80


def test_refusals_and_usage_errors(target: str) -> None:
    led = ("--ledger", target)
    opening = ("case", "open", "CASE-1", *led, "--disposal", "conditional_caution", "--by", "o")
    code, out = run(*opening, "--condition", f"{DRUGS}:curative")
    assert code == 2
    assert "unknown kind 'curative'" in out
    code, out = run(*opening, "--condition", f"{DRUGS}:punitive:someday")
    assert code == 2
    assert "not a date" in out
    code, out = run(*opening, "--condition", f"{DRUGS}:punitive", "--district", "fenlnd")
    assert code == 2
    assert "did you mean 'fenland'" in out
    code, out = run(*opening, "--condition", f"{DRUGS}:punitive:2030-01-01", "--agreed",
                    "2026-11-02")  # fmt: skip
    assert code == 1
    assert "20 weeks" in out
    code, out = run("case", "show", "CASE-9", *led)
    assert code == 2
    assert "unknown case 'CASE-9'" in out
    code, out = run(*opening, "--condition", f"{DRUGS}:punitive", "--agreed", "2026-11-02")
    assert code == 0, out
    code, out = run("case", "set", "CASE-1", DRUGS, "completed", *led, "--by", "h")
    assert code == 0, out
    code, out = run("case", "set", "CASE-1", DRUGS, "breached", *led, "--by", "h")
    assert code == 1
    assert "is completed; it cannot become breached" in out
    code, out = run("case", "set", "CASE-1", DRUGS, "breached", *led)
    assert code == 2  # no --by: who made the change must be known
    assert "--by" in out


def test_a_folder_is_not_a_ledger(tmp_path: object) -> None:
    code, out = run("due", "--ledger", str(tmp_path))
    assert code == 2
    assert "is a folder, not a ledger" in out
