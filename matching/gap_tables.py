"""Published tables of capacity gaps: aggregates only, small counts suppressed.

Every table here is a list of rows (plain dicts), ready for CSV, JSON, Markdown or a terminal.
Counts of people (demand, met, unmet, allocated) below the threshold (default 5, zero included)
are shown as ``"<5"`` with :func:`matching.disclosure.suppress`; rates with
:func:`matching.disclosure.rate`. Places are capacity, not people, and are always shown.

Secondary suppression across the tables
---------------------------------------
The tables of one run are linked, and a reader can use every link: a row's ``demand = met +
unmet`` and ``unmet`` = its four reasons; the summary is the column total of the cells; the units
met in a cell went to pathways in its reach, so allocations and cells describe one flow; a
change is "before" minus "after", and "after" is the cell's met demand; single points of
failure repeat the cells' demand. :func:`published` hands all of these to
:func:`matching.protection.protect`, which hides more counts as ``"[c]"`` (confidential: 5 or
more, hidden because it would reveal a smaller one) until no small hidden count can be narrowed
more than the rule allows (see ``docs/disclosure.md``). Relations that would leak by themselves
are not published: rows are sorted by published values only (hidden rows by name), a pathway's
saturated flag and utilisation are shown only beside a shown allocation, an agency loss's count
of cells only beside a shown loss. ``threshold=0`` turns suppression off, for internal use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from directory.errors import InvalidArgumentError
from matching.disclosure import THRESHOLD, rate
from matching.gaps import REASONS
from matching.protection import CONFIDENTIAL, Relation, protect

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from matching.gaps import CellGap, GapResult
    from matching.scenarios import AgencyLoss, CellChange, ScenarioResult, SinglePoint

__all__ = [
    "CELL_COLUMNS",
    "CONFIDENTIAL",
    "GROUPED",
    "PATHWAY_COLUMNS",
    "Cell",
    "cell_table",
    "change_table",
    "loss_table",
    "pathway_table",
    "published",
    "single_point_table",
    "summary_table",
]

Cell = int | str
Key = tuple[str, ...]

_UNMET = tuple(f"unmet_{r}" for r in REASONS)
#: Columns of :func:`cell_table`, in order.
CELL_COLUMNS: tuple[str, ...] = (
    "need",
    "district",
    "demand",
    "met",
    "unmet",
    *_UNMET,
    "places_in_reach",
    "agencies_in_reach",
)
#: Columns of :func:`pathway_table`, in order.
PATHWAY_COLUMNS: tuple[str, ...] = (
    "pathway",
    "agency",
    "status",
    "places",
    "allocated",
    "utilisation",
    "saturated",
)
_COUNTS = ("demand", "met", "unmet", *_UNMET)
#: The tables of coarser figures (the charts' and the map's) that :func:`published` adds, given
#: ``groups``: each need over the county, need groups by district, each district's total.
GROUPED: tuple[str, ...] = ("by_need", "by_group", "by_district")
_ALL = "all"  # matching.gap_groups.ALL

Grouping = dict[tuple[str, str], list["CellGap"]]


def _check(threshold: int) -> None:
    if threshold < 0:
        raise InvalidArgumentError(f"a suppression threshold must be 0 or more, not {threshold}")


def _cell_counts(c: CellGap | GapResult) -> dict[str, int]:
    counts = {"demand": c.demand, "met": c.met, "unmet": c.unmet}
    counts.update({f"unmet_{r}": c.unmet_by(r) for r in REASONS})
    return counts


def _row(
    counts: Mapping[str, int], key: Key, threshold: int, floors: Mapping[str, int]
) -> dict[Key, Cell]:
    """One row of a cell table (or the summary) protected exactly along its two sums."""
    figures = {(*key, col): n for col, n in counts.items()}
    relations = [
        Relation.total((*key, "demand"), [(*key, "met"), (*key, "unmet")]),
        Relation.total((*key, "unmet"), [(*key, u) for u in _UNMET]),
    ]
    lows = {(*key, col): n for col, n in floors.items()}
    return protect(figures, relations, threshold, floors=lows)


def _change_row(ch: CellChange, shown: Mapping[Key, Cell], threshold: int) -> dict[Key, Cell]:
    """One change row, protected with the cell's demand and met demand as the cells table
    shows them (hidden there, hidden here; never hidden here alone)."""
    cell = ("cell", ch.need, ch.district)
    key = ("change", ch.need, ch.district)
    demand, after = (*cell, "demand"), (*cell, "met")
    figures: dict[Key, int] = {demand: ch.demand, after: ch.met_after}
    figures[(*key, "before")] = ch.met_before
    figures[(*key, "change")] = abs(ch.change)
    sign = 1 if ch.change > 0 else -1
    relations = [
        Relation(((after, 1), ((*key, "before"), -1), ((*key, "change"), -sign))),
        Relation.below((*key, "before"), demand),
    ]
    return protect(
        figures,
        relations,
        threshold,
        floors={demand: 1, (*key, "change"): 1},
        hidden=[k for k in (demand, after) if shown[k] == CONFIDENTIAL],
        keep=(demand, after),
    )


def _links(
    result: GapResult,
    outcome: ScenarioResult | None,
    losses: Sequence[AgencyLoss],
    grouped: Mapping[str, Grouping],
) -> tuple[dict[Key, int], list[Relation], dict[Key, int], dict[Key, int], dict[Key, None]]:
    """Every count the tables publish and every relation a reader can use between them: the
    rows' sums, the summary as column totals, the flow of units from cells to the pathways in
    their reach (unknowns: never published), changes against the cells, losses against the
    agency's allocations. With the counts' public floors and caps."""
    figures: dict[Key, int] = {}
    relations: list[Relation] = []
    floors: dict[Key, int] = {}
    caps: dict[Key, int] = {}
    for c in result.cells:
        key = ("cell", c.need, c.district)
        figures.update({(*key, col): n for col, n in _cell_counts(c).items()})
        floors[(*key, "demand")] = 1
        if not c.unlimited_in_reach:
            caps[(*key, "met")] = c.places_in_reach
        relations.append(Relation.total((*key, "demand"), [(*key, "met"), (*key, "unmet")]))
        relations.append(Relation.total((*key, "unmet"), [(*key, u) for u in _UNMET]))
    for col, n in _cell_counts(result).items():
        figures[("total", col)] = n
        parts = [("cell", c.need, c.district, col) for c in result.cells]
        relations.append(Relation.total(("total", col), parts))
    by_agency: dict[str, list[Key]] = {}
    for u in result.pathways:
        figures[("alloc", u.pathway)] = u.allocated
        by_agency.setdefault(u.agency, []).append(("alloc", u.pathway))
        if u.places is not None:
            caps[("alloc", u.pathway)] = u.places
    unknowns: dict[Key, None] = {}
    into: dict[str, list[Key]] = {u.pathway: [] for u in result.pathways}
    net = result.network
    for c in result.cells:
        reached = sorted({net.pathways[i] for i in net.reach.get((c.need, c.district), ())})
        flows = [("flow", c.need, c.district, p) for p in reached if p in into]
        for f in flows:
            unknowns[f] = None
            into[f[3]].append(f)
        relations.append(Relation.total(("cell", c.need, c.district, "met"), flows))
    relations += [Relation.total(("alloc", p), flows) for p, flows in into.items()]
    for ch in () if outcome is None else outcome.changes:
        key = ("change", ch.need, ch.district)
        figures[(*key, "before")] = ch.met_before
        figures[(*key, "change")] = abs(ch.change)
        floors[(*key, "change")] = 1
        after = ("cell", ch.need, ch.district, "met")
        sign = 1 if ch.change > 0 else -1
        relations.append(Relation(((after, 1), ((*key, "before"), -1), ((*key, "change"), -sign))))
        relations.append(Relation.below((*key, "before"), ("cell", ch.need, ch.district, "demand")))
    for x in losses:
        figures[("loss", x.agency)] = x.unmet_added
        allocated = ((a, -1) for a in by_agency.get(x.agency, []))
        relations.append(Relation(((("loss", x.agency), 1), *allocated), at_most=True))
    for name, groups in grouped.items():  # coarser figures: sums of the cells' figures
        for (need, district), members in groups.items():
            key = (name, need, district)
            floors[(*key, "demand")] = 1
            for col in _COUNTS:
                figures[(*key, col)] = sum(_cell_counts(m)[col] for m in members)
                parts = [("cell", m.need, m.district, col) for m in members]
                relations.append(Relation.total((*key, col), parts))
    return figures, relations, floors, caps, unknowns


def _groupings(result: GapResult, groups: Mapping[str, str] | None) -> dict[str, Grouping]:
    """The cells of ``result`` under each coarser key of :data:`GROUPED` (none without
    ``groups``; no ``by_group`` when ``groups``, need -> need group, is empty)."""
    if groups is None:
        return {}
    keys: dict[str, Callable[[CellGap], tuple[str, str]]] = {
        "by_need": lambda c: (c.need, _ALL),
        "by_group": lambda c: (groups[c.need], c.district),
        "by_district": lambda c: (_ALL, c.district),
    }
    if not groups:
        del keys["by_group"]
    elif missing := sorted({c.need for c in result.cells} - set(groups)):
        raise InvalidArgumentError(
            f"need {missing[0]!r} of the gaps has no need group: group the gaps of a directory "
            "with that same directory"
        )
    out: dict[str, Grouping] = {}
    for name, key in keys.items():
        members: Grouping = {}
        for c in result.cells:
            members.setdefault(key(c), []).append(c)
        out[name] = {k: members[k] for k in sorted(members)}
    return out


def _count(n: int, threshold: int) -> Cell:
    return n if threshold == 0 or n >= threshold else f"<{threshold}"


def published(
    result: GapResult,
    threshold: int = THRESHOLD,
    *,
    outcome: ScenarioResult | None = None,
    single_points: Sequence[SinglePoint] | None = None,
    losses: Sequence[AgencyLoss] | None = None,
    groups: Mapping[str, str] | None = None,
) -> dict[str, list[dict[str, Cell]]]:
    """The published tables of one run, protected together: summary, cells, pathways, and
    changes, single points of failure and agency losses when given.

    ``groups`` (need -> need group, :func:`matching.gap_groups.need_groups`), when given, adds
    the coarser figures the charts and the map publish beside these tables (:data:`GROUPED`:
    rows shaped like the cells table, ``"all"`` for every need or district), protected with
    them: each is a sum of cells, so a shown total minus shown cells must not give back a
    hidden one. ``groups={}`` adds only ``by_need`` and ``by_district``.

    ``outcome``, when given, is the scenario whose result ``result`` is (the tables describe the
    scenario; ``changes`` compares it with the baseline).

    >>> from directory.loading import load
    >>> from matching.demand import Demand, DemandKey
    >>> from matching.gaps import gaps
    >>> r = gaps(load(), Demand.of([(DemandKey("fenland", "gambling"), 12)], period="2026-11"))
    >>> t = published(r)
    >>> sorted(t), t["summary"][0]["demand"], t["cells"][0]["demand"]
    (['cells', 'pathways', 'summary'], 12, 12)
    """
    _check(threshold)
    if outcome is not None and outcome.result is not result:
        raise InvalidArgumentError("the changes must describe the result published with them")
    shown: dict[Key, Cell] = {}
    rows: list[tuple[Key, dict[str, int], dict[str, int]]] = [
        (("cell", c.need, c.district), _cell_counts(c), {"demand": 1}) for c in result.cells
    ]
    rows.append((("total",), _cell_counts(result), {}))
    grouped = _groupings(result, groups)
    from matching.gap_groups import merge

    merged = {
        name: {k: merge(members, k) for k, members in g.items()} for name, g in grouped.items()
    }
    for name, cells in merged.items():
        rows += [((name, *k), _cell_counts(c), {"demand": 1}) for k, c in cells.items()]
    for key, counts, floors in rows:
        if threshold == 0:
            shown.update({(*key, col): n for col, n in counts.items()})
        else:
            shown.update(_row(counts, key, threshold, floors))
    for u in result.pathways:
        shown[("alloc", u.pathway)] = _count(u.allocated, threshold)
    for ch in () if outcome is None else outcome.changes:
        key = ("change", ch.need, ch.district)
        if threshold == 0:
            shown[(*key, "before")], shown[(*key, "change")] = ch.met_before, abs(ch.change)
        else:
            shown.update(_change_row(ch, shown, threshold))
    for x in losses or ():
        shown[("loss", x.agency)] = _count(x.unmet_added, threshold)
    if threshold:  # then across the tables, starting from what the rows hid
        figures, relations, lows, caps, unknowns = _links(result, outcome, losses or (), grouped)
        confidential = [k for k, v in shown.items() if v == CONFIDENTIAL]
        shown.update(
            protect(
                figures,
                relations,
                threshold,
                floors=lows,
                caps=caps,
                unknowns=unknowns,
                hidden=confidential,
            )
        )
    tables = {
        "summary": _summary(result, shown),
        "cells": _cells(result.cells, shown),
        "pathways": _pathways(result, shown, threshold),
    }
    if outcome is not None:
        tables["changes"] = _changes(outcome, shown)
    if single_points is not None:
        tables["single_points"] = _single_points(single_points, shown)
    if losses is not None:
        tables["losses"] = _losses(losses, shown)
    for name, cells in merged.items():
        tables[name] = _cells(cells.values(), shown, name)
    return tables


def _cells(
    cells: Iterable[CellGap], shown: Mapping[Key, Cell], name: str = "cell"
) -> list[dict[str, Cell]]:
    rows: list[dict[str, Cell]] = []
    for c in cells:
        row: dict[str, Cell] = {"need": c.need, "district": c.district}
        row.update({col: shown[(name, c.need, c.district, col)] for col in _COUNTS})
        row["places_in_reach"] = (
            f"{c.places_in_reach}+" if c.unlimited_in_reach else (c.places_in_reach)
        )
        row["agencies_in_reach"] = len(c.agencies)
        rows.append({k: row[k] for k in CELL_COLUMNS})
    return rows


def _summary(result: GapResult, shown: Mapping[Key, Cell]) -> list[dict[str, Cell]]:
    row: dict[str, Cell] = {"period": result.period}
    row.update({col: shown[("total", col)] for col in _COUNTS})
    row["pathways"] = len(result.pathways)
    row["saturated_pathways"] = sum(
        u.saturated and isinstance(shown[("alloc", u.pathway)], int) for u in result.pathways
    )
    return [row]


def _pathways(
    result: GapResult, shown: Mapping[Key, Cell], threshold: int
) -> list[dict[str, Cell]]:
    rows: list[dict[str, Cell]] = []
    for u in result.pathways:
        allocated = shown[("alloc", u.pathway)]
        visible = isinstance(allocated, int)
        if u.places is None or u.places == 0:
            use = "n/a"
        elif threshold == 0:
            use = f"{round(100 * u.allocated / u.places)}%"
        elif not visible:
            use = "suppressed"
        else:
            use = rate(u.allocated, u.places, threshold)
        rows.append(
            {
                "pathway": u.pathway,
                "agency": u.agency,
                "status": u.status,
                "places": "unlimited" if u.places is None else u.places,
                "allocated": allocated,
                "utilisation": use,
                "saturated": ("yes" if u.saturated else "no") if visible else "suppressed",
            }
        )
    return rows


def _first_shown(value: Cell) -> tuple[int, int]:
    """Sort key: shown counts largest first, then every hidden one (in name order after)."""
    return (0, -value) if isinstance(value, int) else (1, 0)


def _changes(outcome: ScenarioResult, shown: Mapping[Key, Cell]) -> list[dict[str, Cell]]:
    rows: list[dict[str, Cell]] = []
    for c in outcome.changes:
        cell = ("cell", c.need, c.district)
        rows.append(
            {
                "need": c.need,
                "district": c.district,
                "demand": shown[(*cell, "demand")],
                "met_before": shown[("change", c.need, c.district, "before")],
                "met_after": shown[(*cell, "met")],
                "change": shown[("change", c.need, c.district, "change")],
                "direction": "worse" if c.change < 0 else "better",
            }
        )
    # worse first, then by the published size of the change, hidden ones by name
    rows.sort(key=lambda r: (r["direction"] != "worse", *_first_shown(r["change"]),
                             str(r["need"]), str(r["district"])))  # fmt: skip
    return rows


def _single_points(
    points: Sequence[SinglePoint], shown: Mapping[Key, Cell]
) -> list[dict[str, Cell]]:
    rows: list[dict[str, Cell]] = [
        {
            "need": s.need,
            "district": s.district,
            "agency": s.agency,
            "demand": shown.get(("cell", s.need, s.district, "demand"), CONFIDENTIAL),
        }
        for s in points
    ]
    rows.sort(key=lambda r: (*_first_shown(r["demand"]), str(r["need"]), str(r["district"])))
    return rows


def _losses(losses: Sequence[AgencyLoss], shown: Mapping[Key, Cell]) -> list[dict[str, Cell]]:
    rows: list[dict[str, Cell]] = []
    for x in losses:
        lost = shown[("loss", x.agency)]
        cells: Cell = len(x.cells) if isinstance(lost, int) else "suppressed"
        rows.append({"agency": x.agency, "unmet_added": lost, "cells_worse": cells})
    rows.sort(key=lambda r: (*_first_shown(r["unmet_added"]), str(r["agency"])))
    return rows


# ------------------------------------------------------------------------------------ one table
def cell_table(result: GapResult, threshold: int = THRESHOLD) -> list[dict[str, Cell]]:
    """One row per need x district with demand: demand, met, unmet by reason, places in reach.

    ``places_in_reach`` ends with ``+`` when a pathway in reach records no limit;
    ``agencies_in_reach`` counts agencies (not people). Protected with the summary and the
    pathway table it is published with (:func:`published`).

    >>> from directory.loading import load
    >>> from matching.demand import Demand, DemandKey
    >>> from matching.gaps import gaps
    >>> r = gaps(load(), Demand.of([(DemandKey("fenland", "gambling"), 3)], period="2026-11"))
    >>> row = cell_table(r)[0]
    >>> row["demand"], row["met"], row["places_in_reach"]
    ('<5', '<5', '10+')
    """
    return published(result, threshold)["cells"]


def pathway_table(result: GapResult, threshold: int = THRESHOLD) -> list[dict[str, Cell]]:
    """One row per active pathway: places in the period, allocated, utilisation, saturated.

    ``places`` is ``"unlimited"`` when none are recorded; ``utilisation`` a whole percentage, or
    ``"suppressed"`` when the allocation is hidden or the places are below the threshold, or
    ``"n/a"``; ``saturated`` is ``"suppressed"`` beside a hidden allocation.
    """
    return published(result, threshold)["pathways"]


def summary_table(result: GapResult, threshold: int = THRESHOLD) -> list[dict[str, Cell]]:
    """One row for the whole period: demand, met, unmet by reason, pathways, and the saturated
    pathways among those whose allocation is shown."""
    return published(result, threshold)["summary"]


def change_table(outcome: ScenarioResult, threshold: int = THRESHOLD) -> list[dict[str, Cell]]:
    """One row per cell that changed: met before and after, and the change (worse first, then
    the larger shown changes; hidden ones by name). Protected with the scenario's tables."""
    return published(outcome.result, threshold, outcome=outcome)["changes"]


def loss_table(losses: Sequence[AgencyLoss], threshold: int = THRESHOLD) -> list[dict[str, Cell]]:
    """One row per agency: units no longer met without it, and how many cells get worse (shown
    only beside a shown loss); hidden losses last, by agency id. On its own: use
    :func:`published` to protect it with the tables it is published with."""
    _check(threshold)
    return _losses(losses, {("loss", x.agency): _count(x.unmet_added, threshold) for x in losses})


def single_point_table(
    points: Sequence[SinglePoint], threshold: int = THRESHOLD
) -> list[dict[str, Cell]]:
    """One row per need x district that only one agency can take, with its demand (shown
    demands largest first; hidden ones by need and district)."""
    _check(threshold)
    shown: dict[Key, Cell] = {
        ("cell", s.need, s.district, "demand"): _count(s.demand, threshold) for s in points
    }
    return _single_points(points, shown)
