"""The compliance report: exact figures, the synthetic year, suppression, the command."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from directory.loading import load
from matching.capacity import Ledger
from matching.cases import Case, Condition, all_cases
from matching.compliance import COLUMNS, compliance_report, published
from matching.synthetic_cases import fill_ledger, synthetic_year
from pathways.cli import main
from pathways.compliance_files import table_csv
from tests.disclosure_audit import System, audit
from tests.ledger_backends import ledger_target, pg_server

if TYPE_CHECKING:
    from collections.abc import Callable

    from matching.gap_tables import Cell

__all__ = ["ledger_target", "pg_server"]

DIRECTORY = load()
DRUGS, DEBT = "aspire-drug-treatment", "cap-debt-advice"
DAY = date(2026, 3, 2)


def _c(ref: str, pathway: str, status: str, *, done: int = 30, due: int = 112) -> Condition:
    return Condition(ref, pathway, "rehabilitative", DAY, DAY + timedelta(due), status,  # type: ignore[arg-type]
                     DAY + timedelta(done), None)  # fmt: skip


def _case(ref: str, disposal: str, district: str | None, *conditions: Condition) -> Case:
    return Case(ref, disposal, district, DAY, conditions)


def test_figures_are_exact_on_cases_counted_by_hand() -> None:
    cases = [
        _case("a", "conditional_caution", "fenland", _c("a", DRUGS, "completed"),
              _c("a", DEBT, "completed", done=120)),  # complied; one condition late
        _case("b", "conditional_caution", "fenland", _c("b", DRUGS, "breached", done=40),
              _c("b", DEBT, "completed")),  # breached in April
        _case("c", "youth_conditional_caution", None, _c("c", DRUGS, "attended")),  # open
        _case("d", "conditional_caution", "fenland", _c("d", DEBT, "withdrawn")),  # withdrawn
        _case("e", "conditional_caution", "cambridge", _c("e", DRUGS, "completed"),
              _c("e", DEBT, "withdrawn")),  # complied (the withdrawn one does not count)
    ]  # fmt: skip
    report = compliance_report(cases, DIRECTORY)
    t = report.total
    assert (t.cases, t.conditions, t.open, t.complied, t.breached, t.withdrawn) == (
        5,
        8,  # every condition, withdrawn ones too
        1,
        2,
        1,
        1,
    )
    assert (t.completed, t.on_time, t.late) == (4, 3, 1)
    assert t.compliance == pytest.approx(2 / 3)
    assert t.within_deadline == pytest.approx(3 / 4)
    by_district = {r.group: (r.cases, r.complied, r.breached) for r in report.rows["district"]}
    assert by_district == {
        "cambridge": (1, 1, 0),
        "fenland": (3, 1, 1),
        "not recorded": (0 + 1, 0, 0),
    }
    by_pathway = {r.group: (r.unit, r.cases, r.conditions, r.complied, r.breached, r.withdrawn)
                  for r in report.rows["pathway"]}  # fmt: skip
    assert by_pathway == {
        DRUGS: ("condition", 4, 4, 2, 1, 0),  # b's breach counts against DRUGS only
        DEBT: ("condition", 4, 4, 2, 0, 2),
    }
    agency = {r.group for r in report.rows["agency"]}
    assert agency == {DIRECTORY.agency_of[DRUGS].id, DIRECTORY.agency_of[DEBT].id}
    assert report.breach_files == (("2026-03", 0), ("2026-04", 1))
    unpublished = published(report, threshold=0)["total"][0]
    assert (unpublished["compliance"], unpublished["within_deadline"]) == ("67%", "75%")
    shown = published(report)["total"][0]  # everything but the 5 cases is below 5 here
    assert (shown["cases"], shown["complied"], shown["breached"]) == (5, "<5", "<5")
    assert shown["compliance"] == "suppressed"


def test_the_report_from_a_ledger_equals_the_report_from_its_cases(
    ledger_target: Callable[[], str],
) -> None:
    year = synthetic_year(DIRECTORY, cases=40, seed=3)
    with Ledger(ledger_target()) as ledger:
        fill_ledger(ledger, DIRECTORY, year)
        read = all_cases(ledger)
        ledger.check()
    assert read == year
    assert compliance_report(read, DIRECTORY) == compliance_report(year, DIRECTORY)
    start, end = date(2026, 4, 1), date(2026, 6, 30)
    with Ledger(ledger_target()) as ledger:
        fill_ledger(ledger, DIRECTORY, year)
        window = all_cases(ledger, start=start, end=end)
    assert window == [c for c in year if start <= c.opened_on <= end]


def test_a_synthetic_year_reproduces_the_documents_kind_of_figures() -> None:
    """165 cases at about 85% compliance (OPCC board report, 2017) and, at the volume the same
    report expects, about 15 breach files a month."""
    pilot = compliance_report(synthetic_year(DIRECTORY, cases=165), DIRECTORY).total
    assert pilot.cases == 165
    assert 0.80 <= pilot.compliance <= 0.90  # type: ignore[operator]
    full = compliance_report(synthetic_year(DIRECTORY, cases=1200), DIRECTORY)
    assert 0.83 <= full.total.compliance <= 0.87  # type: ignore[operator]
    settled = [n for month, n in full.breach_files if month >= "2026-04"]  # after the first cases
    assert 12 <= sum(settled) / len(settled) <= 18


def _row_is_safe(row: dict[str, Cell], total: str, parts: tuple[str, ...]) -> bool:
    """No hidden count of ``row`` can be narrowed more than the disclosure rule allows, given
    the row's published counts and its two sums (the independent auditor of
    tests/disclosure_audit.py, an exact integer program)."""
    system = System(5)
    for column in {total, *parts, "completed", "on_time", "late"}:
        system.value(("row", column), row[column])
    system.equal({("row", total): 1, **{("row", p): -1 for p in parts}})
    system.equal({("row", "completed"): 1, ("row", "on_time"): -1, ("row", "late"): -1})
    return all(finding.safe for finding in audit(system))


@pytest.mark.parametrize("n", [30, 165, 1200])
def test_published_counts_are_never_small_and_never_recoverable(n: int) -> None:
    report = compliance_report(synthetic_year(DIRECTORY, cases=n, seed=n), DIRECTORY)
    tables = published(report)
    for by, rows in report.rows.items():
        for raw, row in zip(rows, tables[by], strict=True):
            counts = {c: getattr(raw, c) for c in COLUMNS[1:] if c not in ("compliance",
                      "within_deadline")}  # fmt: skip
            for column, value in counts.items():
                cell = row[column]
                assert cell in ("<5", "[c]") or (cell == value and value >= 5), (by, column)
            total = "cases" if raw.unit == "case" else "conditions"
            parts = ("open", "complied", "breached", "withdrawn")
            assert _row_is_safe(row, total, parts), (by, raw.group)
            for rate, (a, b) in {"compliance": ("complied", "breached"),
                                 "within_deadline": ("on_time", "completed")}.items():  # fmt: skip
                if isinstance(row[a], str) or isinstance(row[b], str):
                    assert row[rate] == "suppressed"
    months = dict(report.breach_files)
    shown = {r["month"]: r["breach_files"] for r in tables["breach_files"]}
    assert set(shown) == set(months)
    system = System(5)  # the months add up to the total row's breaches
    system.value(("total",), tables["total"][0]["breached"])
    for month, cell in shown.items():
        system.value(("month", month), cell)
    system.equal({("total",): 1, **{("month", m): -1 for m in shown}})
    assert all(finding.safe for finding in audit(system))  # the shown total gives no month away


def test_the_compliance_command(tmp_path: object) -> None:
    path = f"{tmp_path}/year.sqlite"
    year = synthetic_year(DIRECTORY, cases=60, seed=5)
    with Ledger(path) as ledger:
        fill_ledger(ledger, DIRECTORY, year)
    expected = published(compliance_report(year, DIRECTORY))
    result = CliRunner().invoke(main, ["compliance", "--ledger", path, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["tables"] == json.loads(json.dumps(expected))
    result = CliRunner().invoke(
        main, ["compliance", "--ledger", path, "--format", "csv", "--table", "disposal"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["group"] for r in rows] == [r["group"] for r in expected["disposal"]]
    assert result.output == table_csv(compliance_report(year, DIRECTORY), "disposal")
    result = CliRunner().invoke(main, ["compliance", "--ledger", path])
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert "All cases" in result.output
    result = CliRunner().invoke(main, ["compliance", "--ledger", path, "--threshold", "2"])
    assert result.exit_code == 2
