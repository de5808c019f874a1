"""The compliance page of the site: suppressed aggregates, escaped text, the chart file."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from directory.loading import load
from matching.cases import Case, Condition
from matching.compliance import compliance_report
from matching.synthetic_cases import synthetic_year
from pathways.compliance_files import compliance_chart
from pathways.site.compliance_page import render_compliance_page

DIRECTORY = load()
COUNTS = ("cases", "conditions", "open", "complied", "breached", "withdrawn", "completed",
          "on_time", "late", "breach files")  # fmt: skip


def _cells(page: str) -> list[str]:
    """Every cell of the page's tables that counts cases or conditions."""
    cells: list[str] = []
    header: list[str] = []
    for line in page.splitlines():
        if not line.startswith("|"):
            header = []
            continue
        if line.startswith("|---"):
            continue
        row = [c.strip() for c in line.strip("|").split("|")]
        if not header:
            header = row
            continue
        cells += [v for h, v in zip(header, row, strict=True) if h in COUNTS]
    return cells


def test_small_counts_are_never_published() -> None:
    report = compliance_report(synthetic_year(DIRECTORY, cases=165), DIRECTORY)
    page = render_compliance_page(report, source="test", illustrative=True)
    cells = _cells(page)
    assert len(cells) > 100
    assert all(c in ("&lt;5", r"\[c\]") or int(c) >= 5 for c in cells), cells  # [c] escaped
    assert "&lt;5" in cells
    assert "| all cases | 165 |" in page
    assert "Illustrative cases" in page
    assert "![Breach files per month](downloads/compliance-chart.svg)" in page


def test_text_is_escaped_and_real_ledgers_are_not_marked_illustrative() -> None:
    day = date(2026, 1, 5)
    cases = [
        Case(f"c{i}", "conditional_caution", "<b>x</b>", day,
             (Condition(f"c{i}", "aspire-drug-treatment", "punitive", day, day + timedelta(9),
                        "completed", day + timedelta(3), None),))
        for i in range(6)
    ]  # fmt: skip
    page = render_compliance_page(
        compliance_report(cases, DIRECTORY), source="<script>", illustrative=False, notes=("a|b",)
    )
    assert "<script>" not in page
    assert "<b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "Illustrative" not in page
    assert "| all cases | 6 | 6 | &lt;5 | 6 |" in page


def test_the_chart_is_an_svg(tmp_path: Path) -> None:
    report = compliance_report(synthetic_year(DIRECTORY, cases=200), DIRECTORY)
    target = tmp_path / "chart.svg"
    compliance_chart(report, target)
    text = target.read_text()
    assert text.lstrip().startswith("<?xml")
    assert "Breach files per month" in text or "Breach" in text
