"""Coarser gaps (matching.gap_groups) and the charts that show them (pathways.gap_charts)."""

from __future__ import annotations

import math
from collections import Counter
from functools import cache
from typing import TYPE_CHECKING

import pytest

from directory.errors import InvalidArgumentError
from directory.loading import load
from matching.demand import SyntheticPerson, demand_from_people, synthetic_cohort
from matching.gap_groups import ALL, by_group, by_need
from matching.gap_tables import cell_table
from matching.gaps import REASONS, gaps
from pathways.gap_charts import MIN_SHOWN, district_panel, need_panel, panels, svg
from pathways.gaps_report import gap_chart
from tests.factories import make_directory

if TYPE_CHECKING:
    from pathlib import Path

    from directory.models import Directory
    from matching.gaps import GapResult


@cache
def shipped(people: int, period: str) -> tuple[Directory, GapResult]:
    d = load()
    return d, gaps(d, demand_from_people(synthetic_cohort(d, people, seed=0), period=period))


def year() -> tuple[Directory, GapResult]:
    return shipped(4200, "2026")


def month() -> tuple[Directory, GapResult]:
    return shipped(350, "2026-11")


def _sums(result: GapResult, key) -> dict[tuple[str, str], Counter[str]]:  # type: ignore[no-untyped-def]
    """The oracle: counts added up by ``key`` straight from the cells."""
    out: dict[tuple[str, str], Counter[str]] = {}
    for c in result.cells:
        acc = out.setdefault(key(c), Counter())
        acc["demand"] += c.demand
        acc["met"] += c.met
        for r in REASONS:
            acc[r] += c.unmet_by(r)
    return out


@pytest.mark.parametrize("which", [year, month])
def test_grouped_cells_add_up_to_their_members(which) -> None:  # type: ignore[no-untyped-def]
    d, result = which()
    group_of = {n.id: n.group for n in d.needs}
    for grouped, key in [
        (by_need(result), lambda c: (c.need, ALL)),
        (by_group(result, d), lambda c: (group_of[c.need], c.district)),
    ]:
        expected = _sums(result, key)
        assert [(c.need, c.district) for c in grouped.cells] == sorted(expected)
        for c in grouped.cells:
            got = Counter({"demand": c.demand, "met": c.met})
            got.update({r: c.unmet_by(r) for r in REASONS})
            assert +got == +expected[(c.need, c.district)]
        assert (grouped.demand, grouped.met, grouped.period) == (
            result.demand,
            result.met,
            result.period,
        )


def test_grouping_refuses_a_result_of_another_directory(tmp_path: Path) -> None:
    _, result = year()
    small = load(make_directory(tmp_path))
    with pytest.raises(InvalidArgumentError, match="not in the directory"):
        by_group(result, small)


def _shown_share(rows) -> float:  # type: ignore[no-untyped-def]
    return sum(isinstance(r["demand"], int) for r in rows) / len(rows)


def test_a_month_by_need_and_district_hides_most_cells_but_the_charts_show_them() -> None:
    """The problem and its answer: the month's fine table is mostly hidden, the grouped year
    shows every need."""
    d, m = month()
    fine = cell_table(m)
    assert sum(isinstance(r["unmet"], int) for r in fine) < 0.2 * len(fine)
    _, y = year()
    county = need_panel(y)
    assert county.drawn
    assert all(b.shown for b in county.bars)
    assert _shown_share(cell_table(by_group(y, d))) > _shown_share(fine)


@pytest.mark.parametrize("which", [year, month])
def test_bars_publish_only_what_the_tables_publish(which) -> None:  # type: ignore[no-untyped-def]
    d, result = which()
    for panel, grouped in [
        (need_panel(result), by_need(result)),
        (district_panel(result, d), by_group(result, d)),
    ]:
        table = {(r["need"], r["district"]): r for r in cell_table(grouped)}
        assert len(panel.bars) == len(table)
        for b in panel.bars:
            row = table[(b.row, b.column)]
            assert (b.demand, b.met, b.unmet) == (row["demand"], row["met"], row["unmet"])
            for count in (b.demand, b.met, b.unmet):
                assert count in ("<5", "[c]") or count >= 5
            raw = grouped.cell(b.row, b.column)
            assert raw is not None
            if b.rate.endswith("%"):  # a rate only over published counts of 5 or more
                assert isinstance(b.unmet, int)
                assert isinstance(b.demand, int)
                assert b.rate == f"{math.floor(100 * raw.unmet / raw.demand + 0.5)}%"
                assert f"of {raw.demand} ({b.rate})" in b.label()
            else:
                assert b.rate == "suppressed"


def test_the_year_shows_rates_with_their_denominators() -> None:
    d, result = year()
    county = need_panel(result, labels={n.id: n.label for n in d.needs})
    rated = [b for b in county.bars if b.rate.endswith("%")]
    assert rated, "no need has 5 or more unmet in the synthetic year"
    demand = [b.demand for b in county.bars]
    assert demand == sorted(demand, reverse=True)  # largest first
    assert dict(county.rows)["drugs"] == d.need_by_id["drugs"].label


def _few(root: Path, counts: dict[tuple[str, str], int]) -> tuple[Directory, GapResult]:
    d = load(root)
    crowd = [
        SyntheticPerson(needs=(need,), district=district, age=30)
        for (need, district), n in counts.items()
        for _ in range(n)
    ]
    return d, gaps(d, demand_from_people(crowd, period="2026-11"))


def test_too_little_left_is_said_in_words(tmp_path: Path) -> None:
    counts = {("accommodation", "fenland"): 6, ("alcohol", "cambridge"): 2, ("drugs", "fenland"): 3}
    d, result = _few(make_directory(tmp_path), counts)
    county, districts = panels(result, d)
    assert sum(b.shown for b in county.bars) == 1  # 1 of 3 needs has 5 or more: under half
    assert not county.drawn
    assert "Too little is left" in county.words
    assert "1 of 3 needs have 5 or more" in county.words
    assert not districts.drawn
    drawing = svg([county, districts]).decode()
    assert "Too little is left" in drawing
    assert "of 6" not in drawing  # no bar was drawn


def test_enough_left_is_drawn_and_says_what_is_left_out(tmp_path: Path) -> None:
    counts = {("accommodation", "fenland"): 6, ("alcohol", "cambridge"): 7, ("drugs", "fenland"): 3}
    _, result = _few(make_directory(tmp_path), counts)
    county = need_panel(result)
    assert sum(b.shown for b in county.bars) == 2
    assert MIN_SHOWN * len(county.bars) <= 2
    assert county.drawn
    assert county.words == "1 of 3 needs with fewer than 5 units of demand are not drawn."
    drawing = svg([county]).decode()
    assert "of 7" in drawing
    assert "of 6" in drawing
    assert "not drawn" in drawing


def test_the_svg_is_deterministic_and_keeps_names_as_escaped_text() -> None:
    d, result = year()
    hostile = d.model_copy(
        update={
            "needs": tuple(
                n.model_copy(update={"label": "Drugs $x^2$ <script>alert(1)</script>"})
                if n.id == "drugs"
                else n
                for n in d.needs
            )
        }
    )
    charts = panels(result, hostile)
    first, second = svg(charts), svg(charts)
    assert first == second
    text = first.decode()
    assert "<script>" not in text
    assert "Drugs $x^2$ &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Districts by need group, 2026" in text
    assert "Peterborough" in text


def test_the_cli_chart_draws_the_panels(tmp_path: Path) -> None:
    d, result = year()
    gap_chart(result, tmp_path / "gaps.svg", directory=d)
    gap_chart(result, tmp_path / "alone.png")
    text = (tmp_path / "gaps.svg").read_text(encoding="utf-8")
    assert "Needs across the county, 2026" in text
    assert "Districts by need group, 2026" in text
    assert (tmp_path / "alone.png").read_bytes().startswith(b"\x89PNG")
