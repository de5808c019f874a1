"""The charts' and the map's figures against the independent auditor, with the tables beside them.

The gaps page (and ``pathways gaps --chart``) publishes the cells table and, beside it, coarser
figures that add its rows up: each need over the county, need groups by district (the charts),
each district's total (the map). A reader can subtract shown cells from a shown total, so the
auditor (``tests/disclosure_audit.py``) gets every figure as the site publishes it and every
link: a county total per need is the sum of that need's cells over the districts, a group in a
district the sum of its needs' cells there, a district's total the sum of its cells.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from directory.loading import load
from directory.models import Directory
from matching.gap_groups import ALL, by_group, by_need, need_groups
from matching.gap_tables import published
from matching.gaps import REASONS, GapResult, gaps
from matching.protection import Relation, protect
from pathways.gap_charts import Bar, panels
from pathways.site.common import SiteData
from pathways.site.gap_page import year_demand
from pathways.site.map_page import map_data
from tests.disclosure_audit import Finding, System, audit, gap_system, reach_of, unsafe

COUNTS = ("demand", "met", "unmet")


def _year() -> tuple[Directory, GapResult]:
    d = load()
    demand, _, _ = year_demand(d, None, year="2026")
    return d, gaps(d, demand)


def _member(name: str, need: str, district: str, cell: Mapping[str, Any], groups: Any) -> bool:
    """Whether a cells-table row adds into a chart's figure (public: the directory's groups)."""
    if name == "by_need":
        return str(cell["need"]) == need
    if name == "by_district":
        return str(cell["district"]) == district
    return groups[str(cell["need"])] == need and str(cell["district"]) == district


def _map_totals(d: Directory, result: GapResult, tables: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each district's total as the map publishes it, read back from its label."""
    rows: list[dict[str, Any]] = []
    for x in map_data(SiteData.of(d), gaps=result, tables=tables)["districts"]:
        text = x["unmet"].get(ALL)
        if text is None:
            continue
        if m := re.fullmatch(r"demand (\S+)", text):
            rows.append({"need": ALL, "district": x["id"], "demand": m[1]})
            continue
        m = re.fullmatch(r"unmet (\S+) of (\S+)( \(\d+%\))?", text)
        assert m is not None, text
        rows.append({"need": ALL, "district": x["id"], "demand": m[2], "unmet": m[1]})
    return rows


def _alone(grouped: GapResult) -> list[dict[str, Any]]:
    """Each grouped row protected on its own, along its sums (demand = met + unmet, unmet =
    its reasons), as the charts were before they were protected with the tables."""
    rows: list[dict[str, Any]] = []
    for c in grouped.cells:
        figures = {"demand": c.demand, "met": c.met, "unmet": c.unmet}
        figures |= {r: c.unmet_by(r) for r in REASONS}
        relations = [
            Relation.total("demand", ["met", "unmet"]),
            Relation.total("unmet", list(REASONS)),
        ]
        shown = protect(figures, relations, 5, floors={"demand": 1})
        rows.append({"need": c.need, "district": c.district, **shown})
    return rows


def _bars(bars: Sequence[Bar]) -> list[dict[str, Any]]:
    return [
        {"need": b.row, "district": b.column, "demand": b.demand, "met": b.met, "unmet": b.unmet}
        for b in bars
    ]


def _system(
    tables: Mapping[str, Sequence[Mapping[str, Any]]],
    charts: Mapping[str, Sequence[Mapping[str, Any]]],
    groups: Mapping[str, str],
    result: GapResult,
) -> System:
    """The auditor's system of the tables plus every chart figure and how it adds up."""
    s = gap_system(tables, reach=reach_of(result))
    cells = tables["cells"]
    for name, rows in charts.items():
        for r in rows:
            n, d = str(r["need"]), str(r["district"])
            members = [c for c in cells if _member(name, n, d, c, groups)]
            assert members, (name, n, d)
            for col in COUNTS:
                key = (name, n, d, col)
                if col in r:
                    s.value(key, r[col], low=1 if col == "demand" else 0)
                else:
                    s.latent(key)
                parts = {("cell", str(c["need"]), str(c["district"]), col): -1 for c in members}
                s.equal({key: 1, **parts})
    return s


def _findings(d: Directory, result: GapResult, *, joint: bool) -> list[Finding]:
    groups = need_groups(d)
    if joint:  # as the site and `pathways gaps --chart` publish them
        tables = published(result, groups=groups)
        needs, districts = panels(result, d, tables=tables)
        charts = {
            "by_need": _bars(needs.bars),
            "by_group": _bars(districts.bars),
            "by_district": _map_totals(d, result, tables),
        }
    else:  # each chart figure suppressed on its own, as before they were protected together
        tables = published(result)
        charts = {
            "by_need": _alone(by_need(result)),
            "by_group": _alone(by_group(result, d)),
        }
    base = {k: tables[k] for k in ("summary", "cells", "pathways")}
    return audit(_system(base, charts, groups, result))


@pytest.fixture(scope="module")
def year() -> tuple[Directory, GapResult]:
    return _year()


def test_chart_figures_suppressed_on_their_own_give_hidden_cells_back(
    year: tuple[Directory, GapResult],
) -> None:
    d, result = year
    leaks = unsafe(_findings(d, result, joint=False))
    # shown cells against a total narrow hidden counts (the cells' or the totals' own)
    assert leaks, "figures suppressed on their own should give some hidden count away"


def test_chart_and_map_figures_published_with_the_tables_keep_every_hidden_count_wide(
    year: tuple[Directory, GapResult],
) -> None:
    d, result = year
    findings = _findings(d, result, joint=True)
    assert any(f.key[0] == "cell" for f in findings)  # something is hidden and audited
    assert unsafe(findings) == []
