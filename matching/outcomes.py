"""Outcomes of referrals: how many were made, attended and completed, per pathway, agency or
district, as aggregates fit to publish.

Counts come from :meth:`matching.capacity.Ledger.tally` (aggregated in SQL) and are grouped with
the directory. The ledger holds no person's district, so ``by="district"`` groups by the district
a *pathway* serves: a pathway serving one district counts there, one serving every district under
``all``, and one serving some under ``several`` (never counted twice).

Rates: attendance is referrals attended at least once (completed ones included) over referrals
that took a place and were not cancelled; completion is completed over the same. Publish with
:meth:`OutcomeRow.published`, which suppresses small counts (:mod:`matching.disclosure`).

>>> import tempfile, pathlib
>>> from datetime import date
>>> from directory.loading import load
>>> from matching.capacity import Ledger
>>> d = load()
>>> p = d.pathway_by_id["aspire-drug-treatment"]
>>> with tempfile.TemporaryDirectory() as tmp, Ledger(pathlib.Path(tmp) / "l.db") as ledger:
...     for i in range(6):
...         _ = ledger.reserve([p], reference=f"r{i}", on=date(2026, 11, 2))
...         if i < 5:
...             ledger.set_status(f"r{i}", p.id, "attended")
...     rows = outcomes(ledger, d, by="agency")
>>> rows[0].group, rows[0].referrals, rows[0].attended
('aspire-peterborough', 6, 5)
>>> rows[0].published()["attendance"], rows[0].published()["completed"]
('83%', '<5')
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Literal

from directory.errors import InvalidArgumentError
from matching.disclosure import THRESHOLD, rate, suppress
from matching.protection import Relation, protect

if TYPE_CHECKING:
    from datetime import date

    from directory.models import Directory
    from matching.capacity import Ledger

__all__ = ["GROUPINGS", "OutcomeRow", "outcomes", "published_table", "total"]

By = Literal["pathway", "agency", "district"]
GROUPINGS: tuple[By, ...] = ("pathway", "agency", "district")
_COUNTS = ("referrals", "waitlisted", "cancelled", "attended", "completed", "breached")


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    """Counts for one group (a pathway, an agency or a district), unsuppressed."""

    group: str
    label: str
    referrals: int
    waitlisted: int
    cancelled: int
    attended: int
    completed: int
    breached: int

    @property
    def attendance_rate(self) -> float | None:
        """Attended over referrals (None when there are none)."""
        return self.attended / self.referrals if self.referrals else None

    @property
    def completion_rate(self) -> float | None:
        """Completed over referrals (None when there are none)."""
        return self.completed / self.referrals if self.referrals else None

    def published(self, threshold: int = THRESHOLD) -> dict[str, str]:
        """The row as text fit to publish: counts below ``threshold`` as ``"<5"``, rates only
        from counts at or above it.

        >>> OutcomeRow("x", "X", 12, 0, 3, 10, 4, 1).published()["completion"]
        'suppressed'
        """
        out = {"group": self.group, "label": self.label}
        out |= {name: suppress(getattr(self, name), threshold) for name in _COUNTS}
        out["attendance"] = rate(self.attended, self.referrals, threshold)
        out["completion"] = rate(self.completed, self.referrals, threshold)
        return out


def _group(directory: Directory, pathway_id: str, by: By) -> tuple[str, str]:
    pathway = directory.pathway_by_id.get(pathway_id)
    if pathway is None:
        return "unknown", "Not in the directory"
    if by == "pathway":
        return pathway.id, pathway.name
    if by == "agency":
        agency = directory.agency_of[pathway.id]
        return agency.id, agency.name
    served = directory.served_districts(pathway)
    if len(served) == 1 and served[0] in directory.district_by_id:
        district = directory.district_by_id[served[0]]
        return district.id, district.label
    if set(served) >= set(directory.district_by_id):
        return "all", "All districts"
    return "several", "Several districts"


def outcomes(
    ledger: Ledger,
    directory: Directory,
    *,
    by: By = "pathway",
    start: date | None = None,
    end: date | None = None,
) -> list[OutcomeRow]:
    """Referral counts per group for referrals booked from ``start`` to ``end`` (inclusive),
    sorted by group id. Pathways the directory no longer holds are grouped as ``unknown``."""
    if by not in GROUPINGS:
        raise InvalidArgumentError(f"outcomes by {by!r}: use pathway, agency or district")
    if start is not None and end is not None and start > end:
        raise InvalidArgumentError(f"the range starts ({start}) after it ends ({end})")
    sums: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for t in ledger.tally(start=start, end=end):
        key, label = _group(directory, t.pathway, by)
        labels[key] = label
        acc = sums.setdefault(key, [0] * len(_COUNTS))
        for i, name in enumerate(_COUNTS):
            acc[i] += getattr(t, name)
    return [OutcomeRow(key, labels[key], *sums[key]) for key in sorted(sums)]


def total(rows: list[OutcomeRow], label: str = "Total") -> OutcomeRow:
    """The sum of ``rows`` as one row (group ``total``).

    >>> t = total([OutcomeRow("a", "A", 1, 0, 0, 1, 1, 0), OutcomeRow("b", "B", 5, 1, 2, 4, 3, 1)])
    >>> t.group, t.referrals, t.waitlisted, t.cancelled, t.attended, t.completed, t.breached
    ('total', 6, 1, 2, 5, 4, 1)
    """
    counts = [sum(getattr(r, f.name) for r in rows) for f in fields(OutcomeRow)[2:]]
    return OutcomeRow("total", label, *counts)


def published_table(
    rows: list[OutcomeRow], threshold: int = THRESHOLD
) -> tuple[list[dict[str, str]], dict[str, str] | None]:
    """The rows and their total row as published together: small counts hidden as ``"<5"``,
    and more counts hidden as ``"[c]"`` where the total row (the column totals) or a row's
    attended-within-referrals would give a small one back (:func:`matching.protection.protect`,
    see ``docs/disclosure.md``). A rate is shown only beside both its counts shown. The total is
    ``None`` when there are no rows.

    >>> rows = [OutcomeRow("a", "A", 12, 0, 0, 9, 6, 0), OutcomeRow("b", "B", 3, 0, 0, 3, 1, 0)]
    >>> shown, overall = published_table(rows)
    >>> shown[0]["referrals"], shown[1]["referrals"], overall["referrals"]
    ('[c]', '<5', '15')
    """
    if not rows:
        return [], None
    every = [*rows, total(rows)]
    figures = {(r.group, name): getattr(r, name) for r in every for name in _COUNTS}
    relations = [
        Relation.total(("total", name), [(r.group, name) for r in rows]) for name in _COUNTS
    ]
    relations += [Relation.below((r.group, "attended"), (r.group, "referrals")) for r in every]
    shown = protect(figures, relations, threshold)
    out: list[dict[str, str]] = []
    for r in every:
        row = {"group": r.group, "label": r.label}
        row |= {name: str(shown[(r.group, name)]) for name in _COUNTS}
        for name, part in (("attendance", "attended"), ("completion", "completed")):
            visible = row[part].isdigit() and row["referrals"].isdigit()
            use = rate(getattr(r, part), r.referrals, threshold)
            row[name] = use if visible or use == "n/a" else "suppressed"
        out.append(row)
    return out[:-1], out[-1]
