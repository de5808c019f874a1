"""The capacity gaps page of the site: suppressed aggregates, escaped names, the chart file."""

from __future__ import annotations

from pathlib import Path

from directory.loading import load
from matching.demand import Demand, DemandKey, SyntheticPerson, demand_from_people
from matching.gaps import gaps
from pathways.gap_charts import panels
from pathways.site.gap_page import (
    DISTRICTS_CHART,
    NEEDS_CHART,
    chart_files,
    render_gap_page,
    year_demand,
)
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
    assert "Illustrative demand" in page


def test_drawn_charts_are_linked_and_the_others_said_in_words() -> None:
    d = load()
    demand, source, illustrative = year_demand(d, None, year="2026")
    assert (demand.period, illustrative) == ("2026", True)
    assert "4,200 people for 2026" in source
    result = gaps(d, demand)
    charts = panels(result, d)
    page = render_gap_page(result, source=source, illustrative=True, charts=charts)
    assert list(chart_files(charts)) == [NEEDS_CHART, DISTRICTS_CHART]
    assert f"]({NEEDS_CHART})" in page
    assert f"]({DISTRICTS_CHART})" in page
    assert "Demand for 2026 against" in page
    few = gaps(
        d,
        demand_from_people(
            [
                SyntheticPerson(
                    needs=("drugs", "alcohol", "mental_health"), district="peterborough", age=25
                )
            ]
            * 10
            + [SyntheticPerson(needs=("debt",), district="fenland", age=25)] * 2
            + [SyntheticPerson(needs=("accommodation",), district="cambridge", age=25)] * 2
            + [SyntheticPerson(needs=("employment",), district="huntingdonshire", age=25)] * 2,
            period="2026-11",
        ),
    )
    small = panels(few, d)
    assert [p.drawn for p in small] == [True, False]
    page = render_gap_page(few, source="x", illustrative=False, charts=small)
    assert list(chart_files(small)) == [NEEDS_CHART]
    assert NEEDS_CHART in page
    assert DISTRICTS_CHART not in page
    assert "Too little is left to chart need groups by district" in page


def test_a_year_of_counts_adds_up_the_latest_year_of_one_kind() -> None:
    d = load()
    key = DemandKey("fenland", "debt")
    counts = {
        "2025-11": Demand.of([(key, 50)], period="2025-11"),
        "2026-01": Demand.of([(key, 4)], period="2026-01"),
        "2026-02": Demand.of([(key, 5)], period="2026-02"),
        "2026-Q1": Demand.of([(key, 9)], period="2026-Q1"),
    }
    demand, source, illustrative = year_demand(d, counts, year="2030", name="c.csv")
    assert (demand.period, demand.total, illustrative) == ("2026", 9, False)  # the quarter
    assert source == "the counts for 2026 in c.csv (1 quarter)"
    del counts["2026-Q1"]
    demand, source, _ = year_demand(d, counts, year="2030", name="c.csv")
    assert (demand.total, source) == (9, "the counts for 2026 in c.csv (2 months)")
