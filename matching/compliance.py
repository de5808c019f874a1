"""The board's compliance report: cases, compliance, completion within the deadline, breaches
per month, by disposal, pathway, agency and district; published with small numbers suppressed.

The report is a pure function of the cases (:func:`matching.cases.all_cases` reads them from a
ledger) and the directory (for agencies). What each figure counts:

* **by case** (the whole period, by disposal, by district): a case *complied* when every
  condition not withdrawn was completed, *breached* when any condition was breached, *open*
  while any is still to be done, *withdrawn* when every condition was withdrawn. The
  **compliance rate** is complied / (complied + breached): settled cases only;
* **by condition** (by pathway, by agency: a breach at one agency is not counted against
  another): each condition is open, complied (completed), breached or withdrawn, and the rate is
  completed / (completed + breached);
* **within the deadline**: conditions completed on or before their due date / conditions
  completed (``late`` is the rest);
* **breach files per month**: cases whose first breach fell in the month: each needs a breach
  statement and a file for the deferred prosecution.

Published tables (:func:`published`) show counts below the threshold (default 5) as ``"<5"``
with :func:`matching.disclosure.suppress`, protect each row's sums (open + complied + breached +
withdrawn = the row's total; on time + late = completed) with the secondary suppression of
:mod:`matching.gap_tables`, and give a rate only when both its counts are shown
(:func:`matching.disclosure.rate`). The monthly breach files are protected against the period's
total of breached cases in the same way.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

from directory.errors import InvalidArgumentError
from matching.disclosure import THRESHOLD, rate
from matching.protection import Relation, protect

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import date

    from directory.models import Directory
    from matching.cases import Case, Condition
    from matching.gap_tables import Cell

__all__ = [
    "COLUMNS",
    "GROUPINGS",
    "ComplianceReport",
    "ComplianceRow",
    "Grouping",
    "compliance_report",
    "published",
]

Grouping = Literal["total", "disposal", "district", "pathway", "agency"]
#: Groupings of the report, in the order published.
GROUPINGS: tuple[Grouping, ...] = get_args(Grouping)
#: Columns of a published row, in order.
COLUMNS: tuple[str, ...] = (
    "group",
    "cases",
    "conditions",
    "open",
    "complied",
    "breached",
    "withdrawn",
    "compliance",
    "completed",
    "on_time",
    "late",
    "within_deadline",
)
_BY_CONDITION = frozenset({"pathway", "agency"})


@dataclass(frozen=True, slots=True)
class ComplianceRow:
    """Unsuppressed counts of one group. ``unit`` says what open/complied/breached/withdrawn
    count: ``case`` or ``condition``."""

    group: str
    unit: Literal["case", "condition"]
    cases: int
    conditions: int
    open: int
    complied: int
    breached: int
    withdrawn: int
    completed: int
    on_time: int

    @property
    def late(self) -> int:
        """Conditions completed after their due date."""
        return self.completed - self.on_time

    @property
    def compliance(self) -> float | None:
        """complied / (complied + breached), None when nothing is settled."""
        settled = self.complied + self.breached
        return self.complied / settled if settled else None

    @property
    def within_deadline(self) -> float | None:
        """on time / completed, None when nothing was completed."""
        return self.on_time / self.completed if self.completed else None

    def published(self, threshold: int = THRESHOLD) -> dict[str, Cell]:
        """The row as published: small counts suppressed, sums protected, rates from shown
        counts only (see the module notes)."""
        total = "cases" if self.unit == "case" else "conditions"
        parts = ("open", "complied", "breached", "withdrawn")
        counts = {
            "cases": self.cases,
            "conditions": self.conditions,
            "open": self.open,
            "complied": self.complied,
            "breached": self.breached,
            "withdrawn": self.withdrawn,
            "completed": self.completed,
            "on_time": self.on_time,
            "late": self.late,
        }
        sums = [(total, parts), ("completed", ("on_time", "late"))]
        if self.unit == "condition":  # complied is completed: one cell, both sums
            counts.pop("completed")
            sums = [(total, parts), ("complied", ("on_time", "late"))]
        cells = _published(counts, sums, threshold)
        if self.unit == "condition":
            cells["completed"] = cells["complied"]
        return {
            "group": self.group,
            **{c: cells[c] for c in COLUMNS[1:7]},
            "compliance": _rate(cells["complied"], cells["breached"], threshold, settled=True),
            **{c: cells[c] for c in ("completed", "on_time", "late")},
            "within_deadline": _rate(cells["on_time"], cells["completed"], threshold),
        }


def _rate(part: Cell, whole: Cell, threshold: int, *, settled: bool = False) -> str:
    """A rate from published cells; suppressed when either is hidden. With ``settled`` the
    denominator is ``part + whole`` (complied + breached)."""
    if isinstance(part, str) or isinstance(whole, str):
        return "suppressed"
    denominator = part + whole if settled else whole
    if threshold == 0:
        return f"{(200 * part + denominator) // (2 * denominator)}%" if denominator else "n/a"
    return rate(part, denominator, threshold)


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    """The report's figures, unsuppressed: rows per grouping and breach files per month."""

    start: date | None
    end: date | None
    rows: dict[str, tuple[ComplianceRow, ...]] = field(default_factory=dict)
    breach_files: tuple[tuple[str, int], ...] = ()
    """(month ``YYYY-MM``, cases first breached that month), every month of the period."""
    statements_awaited: int = 0
    """Breached conditions still waiting for a breach statement."""

    @property
    def total(self) -> ComplianceRow:
        """The whole period's row."""
        return self.rows["total"][0]


def _case_row(group: str, cases: Sequence[Case]) -> ComplianceRow:
    states = Counter(c.state for c in cases)
    conditions = [x for c in cases for x in c.conditions]
    completed = [x for x in conditions if x.status == "completed"]
    return ComplianceRow(
        group,
        "case",
        len(cases),
        len(conditions),
        states["open"],
        states["complied"],
        states["breached"],
        states["withdrawn"],
        len(completed),
        sum(x.on_time for x in completed),
    )


def _condition_row(group: str, conditions: Sequence[Condition]) -> ComplianceRow:
    statuses = Counter("open" if x.pending else x.status for x in conditions)
    return ComplianceRow(
        group,
        "condition",
        len({x.reference for x in conditions}),
        len(conditions),
        statuses["open"],
        statuses["completed"],
        statuses["breached"],
        statuses["withdrawn"],
        statuses["completed"],
        sum(x.on_time for x in conditions),
    )


def _months(first: date, last: date) -> list[str]:
    months: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def compliance_report(
    cases: Iterable[Case],
    directory: Directory,
    *,
    start: date | None = None,
    end: date | None = None,
) -> ComplianceReport:
    """The report over ``cases`` (opened from ``start`` to ``end``, inclusive, when given).

    Pathways the directory no longer holds are grouped under the agency ``unknown``; cases
    without a district under ``not recorded``. Breach files are counted per month from the
    first month of the period (or of the first case) to the last (or of the last breach).
    """
    chosen = sorted(
        (
            c
            for c in cases
            if (start is None or c.opened_on >= start) and (end is None or c.opened_on <= end)
        ),
        key=lambda c: c.reference,
    )
    if start is not None and end is not None and end < start:
        raise InvalidArgumentError(f"the report cannot end ({end}) before it starts ({start})")
    by_case: dict[str, dict[str, list[Case]]] = {"disposal": defaultdict(list)}
    by_case["district"] = defaultdict(list)
    by_condition: dict[str, dict[str, list[Condition]]] = {
        "pathway": defaultdict(list),
        "agency": defaultdict(list),
    }
    for case in chosen:
        by_case["disposal"][case.disposal].append(case)
        by_case["district"][case.district or "not recorded"].append(case)
        for x in case.conditions:
            by_condition["pathway"][x.pathway].append(x)
            agency = directory.agency_of.get(x.pathway)
            by_condition["agency"][agency.id if agency is not None else "unknown"].append(x)
    rows: dict[str, tuple[ComplianceRow, ...]] = {"total": (_case_row("all cases", chosen),)}
    for by in ("disposal", "district"):
        rows[by] = tuple(_case_row(g, cs) for g, cs in sorted(by_case[by].items()))
    for by in ("pathway", "agency"):
        rows[by] = tuple(_condition_row(g, xs) for g, xs in sorted(by_condition[by].items()))
    breached_on = [c.closed_on for c in chosen if c.state == "breached" and c.closed_on]
    firsts = Counter(d.isoformat()[:7] for d in breached_on)
    breach_files: tuple[tuple[str, int], ...] = ()
    if chosen or start is not None:
        first = start or min(c.opened_on for c in chosen)
        last = max([end or first, *breached_on, *(c.opened_on for c in chosen)])
        breach_files = tuple((m, firsts.get(m, 0)) for m in _months(first, last))
    awaited = sum(
        1 for c in chosen for x in c.conditions if x.status == "breached" and x.statement_on is None
    )
    return ComplianceReport(start, end, rows, breach_files, awaited)


def published(
    report: ComplianceReport, threshold: int = THRESHOLD
) -> dict[str, list[dict[str, Cell]]]:
    """Every table of the report as published: one list of rows per grouping
    (:data:`GROUPINGS`) and ``breach_files`` (month, files), small counts suppressed."""
    if threshold < 0:
        raise InvalidArgumentError(f"a suppression threshold must be 0 or more, not {threshold}")
    tables: dict[str, list[dict[str, Cell]]] = {
        by: [r.published(threshold) for r in report.rows[by]] for by in GROUPINGS
    }
    months = dict(report.breach_files)
    counts = {**months, "total": sum(months.values())}
    cells = _published(counts, [("total", tuple(months))], threshold)
    tables["breach_files"] = [{"month": m, "breach_files": cells[m]} for m in months]
    return tables


def _published(
    counts: Mapping[str, int], sums: Sequence[tuple[str, Sequence[str]]], threshold: int
) -> dict[str, Cell]:
    """The counts of one row as published: small ones hidden, and more hidden (``[c]``) until no
    hidden count can be worked back through the row's ``sums`` (:func:`matching.protection.protect`,
    the gaps tables' method). ``threshold`` 0 publishes every count."""
    if threshold == 0:
        return dict(counts)
    return protect(counts, [Relation.total(total, parts) for total, parts in sums], threshold)
