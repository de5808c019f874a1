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
from matching.gap_groups import ALL, by_group, by_need, need_groups
from matching.gap_tables import cell_table, published
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
    (protected with the cells it adds up) shows nearly every need."""
    d, m = month()
    fine = cell_table(m)
    assert sum(isinstance(r["unmet"], int) for r in fine) < 0.2 * len(fine)
    _, y = year()
    county = need_panel(y)
    assert county.drawn
    assert sum(b.shown for b in county.bars) >= 0.9 * len(county.bars)
    grouped = published(y, groups=need_groups(d))["by_group"]
    assert _shown_share(grouped) > _shown_share(fine)


@pytest.mark.parametrize("which", [year, month])
def test_bars_publish_only_what_the_tables_publish(which) -> None:  # type: ignore[no-untyped-def]
    d, result = which()
    tables = published(result, groups=need_groups(d))  # protected with the cells table
    for panel, grouped, name in [
        (need_panel(result, tables=tables), by_need(result), "by_need"),
        (district_panel(result, d, tables=tables), by_group(result, d), "by_group"),
    ]:
        table = {(r["need"], r["district"]): r for r in tables[name]}
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
    # protected with the cells and the district totals, the year may publish no rate at all;
    # every rate that is published sits beside its published denominator
    for b in county.bars:
        if b.rate.endswith("%"):
            assert f"of {b.demand} ({b.rate})" in b.label()
        else:
            assert b.rate == "suppressed"
    demand = [b.demand for b in county.bars if b.shown]
    assert demand == sorted(demand, reverse=True)  # largest first, hidden ones after
    assert [b.shown for b in county.bars] == sorted((b.shown for b in county.bars), reverse=True)
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
    # one need of 6 in fenland, two small ones in cambridge: the district totals (the map)
    # and the summary would give the small ones back beside a shown 6, so it is hidden too
    counts = {
        ("accommodation", "fenland"): 6,
        ("alcohol", "cambridge"): 2,
        ("drugs", "cambridge"): 3,
    }
    d, result = _few(make_directory(tmp_path), counts)
    county, districts = panels(result, d)
    assert sum(b.shown for b in county.bars) < MIN_SHOWN * len(county.bars)
    assert not county.drawn
    assert "Too little is left" in county.words
    assert "0 of 3 needs have 5 or more" in county.words
    drawing = svg([county, districts]).decode()
    assert "Too little is left" in drawing
    assert "of 6" not in drawing  # no bar was drawn


def test_enough_left_is_drawn_and_says_what_is_left_out(tmp_path: Path) -> None:
    counts = {
        (n, x): 20 for n in ("accommodation", "alcohol", "drugs") for x in ("fenland", "cambridge")
    }
    _, result = _few(make_directory(tmp_path), counts)
    county = need_panel(result)
    shown = [b for b in county.bars if b.shown]
    assert len(shown) >= MIN_SHOWN * len(county.bars)
    assert county.drawn
    drawing = svg([county]).decode()
    for b in shown:
        assert f"of {b.demand}" in drawing


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
