"""The capacity gaps page: a year of demand against places, published as suppressed aggregates.

Pure: :func:`year_demand` picks a year of demand (from a counts table, else an illustrative
synthetic year), :func:`render_gap_page` takes the :class:`~matching.gaps.GapResult` and the
chart panels of :mod:`pathways.gap_charts` and returns Markdown, and :func:`chart_files` the SVG
of every panel that is drawn. A panel with too little left after suppression is not drawn: the
page says so in words.

>>> from directory.loading import load
>>> from matching.gaps import gaps
>>> from pathways.gap_charts import panels
>>> d = load()
>>> demand, source, illustrative = year_demand(d, None, year="2026")
>>> result = gaps(d, demand)
>>> charts = panels(result, d)
>>> page = render_gap_page(result, source=source, illustrative=illustrative, charts=charts)
>>> list(chart_files(charts)) == [NEEDS_CHART, DISTRICTS_CHART]
True
>>> NEEDS_CHART in page and "Illustrative demand" in page
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matching.demand import Demand, demand_from_people, period_kind, synthetic_cohort
from matching.disclosure import THRESHOLD
from matching.gap_tables import GROUPED
from pathways.gap_charts import svg
from pathways.gaps_report import TITLES, gap_tables
from pathways.site.escape import md_cell, md_text

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from directory.models import Directory
    from matching.gap_tables import Cell
    from matching.gaps import GapResult
    from pathways.gap_charts import Panel

__all__ = [
    "DISTRICTS_CHART",
    "NEEDS_CHART",
    "PATH",
    "SYNTHETIC_YEAR",
    "chart_files",
    "render_gap_page",
    "year_demand",
]

PATH = "capacity-gaps.md"
NEEDS_CHART = "downloads/gap-needs.svg"
DISTRICTS_CHART = "downloads/gap-districts.svg"
_FILES = (NEEDS_CHART, DISTRICTS_CHART)
#: People in the illustrative synthetic year: about 350 diversions a month.
SYNTHETIC_YEAR = 4200
# a year's demand from the finest kind of period that a counts table gives for the whole year
_KINDS = ("year", "quarter", "month", "week")


def year_demand(
    directory: Directory, counts: Mapping[str, Demand] | None, *, year: str, name: str = ""
) -> tuple[Demand, str, bool]:
    """A year of demand, where it came from, and whether it is illustrative.

    From ``counts`` (periods -> demand, as :func:`matching.demand.read_counts` returns; ``name``
    is the file's), the latest year in it, added up over the periods of one kind (a year key,
    else its quarters, months or weeks, whichever the table has); without counts, a synthetic
    cohort of :data:`SYNTHETIC_YEAR` people for ``year`` (seed 0).

    >>> from directory.loading import load
    >>> from matching.demand import DemandKey
    >>> months = {m: Demand.of([(DemandKey("fenland", "debt"), 3)], period=m)
    ...           for m in ("2025-12", "2026-01", "2026-02")}
    >>> demand, source, illustrative = year_demand(load(), months, year="2027", name="counts.csv")
    >>> demand.period, demand.total, illustrative
    ('2026', 6, False)
    >>> source
    'the counts for 2026 in counts.csv (2 months)'
    """
    if not counts:
        people = synthetic_cohort(directory, SYNTHETIC_YEAR, seed=0, period=year)
        source = f"a synthetic cohort of {SYNTHETIC_YEAR:,} people for {year} (seed 0)"
        return demand_from_people(people, period=year), source, True
    latest = max(key[:4] for key in counts)
    kinds = {period_kind(k) for k in counts if k[:4] == latest}
    kind = next(k for k in _KINDS if k in kinds)
    chosen = [k for k in counts if k[:4] == latest and period_kind(k) == kind]
    rows = [row for k in chosen for row in counts[k].rows]
    many = "" if kind == "year" else f" ({len(chosen)} {kind}{'s' if len(chosen) != 1 else ''})"
    return Demand.of(rows, period=latest), f"the counts for {latest} in {name}{many}", False


def chart_files(charts: Sequence[Panel]) -> dict[str, bytes]:
    """SVG files of the panels that are drawn, by path (needs first, then districts)."""
    return {path: svg([p]) for path, p in zip(_FILES, charts, strict=False) if p.drawn}


def render_gap_page(
    result: GapResult,
    *,
    source: str,
    illustrative: bool,
    charts: Sequence[Panel] = (),
    threshold: int = THRESHOLD,
) -> str:
    """The gaps page: where the demand came from, the charts (or words), the published tables.

    Every count below ``threshold`` is shown as ``<5`` (see :mod:`matching.gap_tables`).
    ``charts`` are the panels of :func:`pathways.gap_charts.panels`, drawn as
    :data:`NEEDS_CHART` and :data:`DISTRICTS_CHART` when their ``drawn`` is true.
    """
    lead = [
        "---",
        "title: Capacity gaps",
        "---",
        "",
        "# Capacity gaps",
        "",
        f"Demand for {md_text(result.period)} against the places it can reach, allocated exactly "
        "(the most needs met, then the least travel). Unmet demand is split into *none "
        "provided*, *not in reach*, *not eligible* and *full*. One unit of demand is one person "
        "with one need.",
        "",
        f"Demand: {md_text(source)}.",
        "",
    ]
    if illustrative:
        lead += [
            '!!! warning "Illustrative demand"',
            "    These figures come from a synthetic cohort drawn from published rates (about 350 "
            "diversions a month), not from real referrals. Capacities in the directory are "
            "illustrative too. Run `pathways gaps --demand FILE` on real demand.",
            "",
        ]
    lead += [
        f"Counts below {threshold} are shown as `<{threshold}`. Need by district for one month "
        "leaves almost every count below that, so the charts group more coarsely: each need "
        "over the whole county, and need groups by district, for a whole year.",
        "",
    ]
    for path, panel in zip(_FILES, charts, strict=False):
        lead += [f"## {md_text(panel.title)}", ""]
        if panel.drawn:
            lead += [f"![{md_text(panel.title)}]({path}){{ .gap-chart }}", ""]
            lead += [_caption(panel.kind, threshold), ""]
        if panel.words:
            lead += [md_text(panel.words), ""]
    # the tables the charts were protected with (their figures are sums of the cells table's)
    tables = next((p.tables for p in charts if p.tables), None)
    if tables is None:
        tables = gap_tables(result, threshold=threshold)
    return "\n".join(lead) + "\n" + _tables({k: v for k, v in tables.items() if k not in GROUPED})


def _caption(kind: str, threshold: int) -> str:
    if kind == "bars":
        return (
            "Each bar is a need's demand over the year: green met, red unmet; grey hatching is "
            f"the part the tables do not publish because it would reveal a count under "
            f"{threshold}. The label gives unmet of demand, and the rate where both are published."
        )
    return (
        "Each cell is a need group in a district: unmet of demand, coloured by the share unmet "
        f"where both counts are {threshold} or more; pale cells have fewer than {threshold} "
        f"unmet, grey cells fewer than {threshold} units of demand."
    )


def _tables(tables: Mapping[str, Sequence[Mapping[str, Cell]]]) -> str:
    """Pipe tables with every cell escaped: names in them come from the directory."""
    parts: list[str] = []
    for name, rows in tables.items():
        parts += [f"## {md_text(TITLES.get(name, name))}", ""]
        if not rows:
            parts += ["None.", ""]
            continue
        columns = list(rows[0])
        parts.append("| " + " | ".join(md_cell(c.replace("_", " ")) for c in columns) + " |")
        parts.append("|" + "|".join("---" for _ in columns) + "|")
        parts += [
            "| " + " | ".join(md_cell(str(r.get(c, ""))) for c in columns) + " |" for r in rows
        ]
        parts.append("")
    return "\n".join(parts)
