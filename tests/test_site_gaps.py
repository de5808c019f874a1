"""The capacity gaps page of the site: suppressed aggregates, escaped names, the chart file."""

from __future__ import annotations

from pathlib import Path

from directory.loading import load
from matching.demand import SyntheticPerson, demand_from_people
from matching.gaps import gaps
from pathways.site.gap_page import render_gap_page
from tests.factories import site_directory


def _result(root: Path, people: int):  # type: ignore[no-untyped-def]
    d = load(root)
    crowd = [SyntheticPerson(needs=("accommodation",), district="fenland", age=30)] * people
    return d, gaps(d, demand_from_people(crowd, period="2026-11"))


def _people_counts(page: str) -> list[str]:
    """Every cell of the page's tables that counts people or units of demand."""
    cells: list[str] = []
    header: list[str] = []
    for line in page.splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            header = [] if not line.startswith("|") else header
            continue
        row = [c.strip() for c in line.strip("|").split("|")]
        if not header:
            header = row
            continue
        cells += [
            v
            for h, v in zip(header, row, strict=True)
            if h in ("demand", "met", "allocated") or h.startswith("unmet")
        ]
    return cells


def test_small_counts_are_never_published(tmp_path: Path) -> None:
    _, result = _result(site_directory(tmp_path), people=3)
    page = render_gap_page(result, source="test", illustrative=False)
    cells = _people_counts(page)
    assert cells
    assert all(c in ("&lt;5", "[c]") or int(c) >= 5 for c in cells), cells


def test_larger_counts_are_published_and_names_escaped(tmp_path: Path) -> None:
    d, result = _result(site_directory(tmp_path), people=40)
    page = render_gap_page(result, source="<script>x</script>", illustrative=True)
    assert "| 40 |" in page.replace("  ", " ")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "Illustrative demand" in page
    hostile = d.agency_by_id["hostile-agency"].pathways[0].name
    assert hostile not in page  # raw markup never reaches the page


def test_shipped_site_month_is_marked_illustrative() -> None:
    d = load()
    result = gaps(
        d,
        demand_from_people(
            [SyntheticPerson(needs=("drugs", "alcohol"), district="peterborough", age=25)] * 10,
            period="2026-11",
        ),
    )
    page = render_gap_page(result, source="synthetic", illustrative=True)
    assert page.startswith("---\ntitle: Capacity gaps")
    assert "downloads/gap-chart.svg" in page
