"""Outcomes as aggregates from the ledger, and small-count suppression."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.errors import InvalidArgumentError
from directory.loading import load
from matching.capacity import Ledger
from matching.disclosure import rate, suppress
from matching.outcomes import OutcomeRow, outcomes, total

if TYPE_CHECKING:
    from pathlib import Path

    from directory.models import Directory


@given(n=st.integers(0, 10**6), threshold=st.integers(1, 50))
def test_suppress_hides_exactly_the_small_counts(n: int, threshold: int) -> None:
    shown = suppress(n, threshold)
    if n < threshold:
        assert shown == f"<{threshold}"
    else:
        assert int(shown) == n


@given(num=st.integers(0, 500), extra=st.integers(0, 500))
def test_rates_are_shown_only_from_publishable_counts(num: int, extra: int) -> None:
    den = num + extra
    shown = rate(num, den)
    if den == 0:
        assert shown == "n/a"
    elif num < 5 or den < 5:
        assert shown == "suppressed"
    else:
        pct = int(shown.rstrip("%"))
        assert abs(pct - 100 * num / den) <= 0.5


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: suppress(3, threshold=0), "threshold"),
        (lambda: rate(6, 5), "not a rate"),
        (lambda: rate(-1, 5), "not a rate"),
    ],
)
def test_disclosure_misuse(call: object, match: str) -> None:
    with pytest.raises(InvalidArgumentError, match=match):
        call()  # type: ignore[operator]


def _fill(ledger: Ledger, directory: Directory) -> None:
    """Bookings in November and December 2026 to three pathways of two agencies."""
    treat = directory.pathway_by_id["aspire-drug-treatment"]  # Peterborough only
    alcohol = directory.pathway_by_id["aspire-alcohol-treatment"]
    debt = directory.pathway_by_id["carc-debt-advice"]
    for i in range(12):
        ledger.reserve([treat, debt], reference=f"nov-{i}", on=date(2026, 11, 1 + i))
    for i in range(9):
        ledger.set_status(f"nov-{i}", treat.id, "attended")
    for i in range(7):
        ledger.set_status(f"nov-{i}", treat.id, "completed")
    ledger.set_status("nov-8", treat.id, "breached")  # attended, then breached
    ledger.set_status("nov-9", treat.id, "breached")  # never attended
    ledger.cancel("nov-11")
    for i in range(3):
        ledger.reserve([alcohol], reference=f"dec-{i}", on=date(2026, 12, 1 + i))


def test_outcomes_by_pathway_count_what_happened(tmp_path: Path) -> None:
    directory = load()
    with Ledger(tmp_path / "l.db") as ledger:
        _fill(ledger, directory)
        rows = {r.group: r for r in outcomes(ledger, directory, by="pathway")}
        november = outcomes(ledger, directory, start=date(2026, 11, 1), end=date(2026, 11, 30))
    treat = rows["aspire-drug-treatment"]
    assert (treat.referrals, treat.cancelled, treat.attended, treat.completed, treat.breached) == (
        11,
        1,
        9,
        7,
        2,
    )
    assert treat.attendance_rate == pytest.approx(9 / 11)
    assert rows["carc-debt-advice"].referrals == 11
    assert rows["carc-debt-advice"].attended == 0
    assert rows["aspire-alcohol-treatment"].referrals == 3
    assert {r.group for r in november} == {"aspire-drug-treatment", "carc-debt-advice"}
    published = treat.published()
    assert published["referrals"] == "11"
    assert published["breached"] == "<5"
    assert published["cancelled"] == "<5"
    assert published["attendance"] == "82%"
    assert published["completion"] == "64%"
    assert rows["aspire-alcohol-treatment"].published()["attendance"] == "suppressed"


def test_outcomes_by_agency_and_district_never_count_twice(tmp_path: Path) -> None:
    directory = load()
    with Ledger(tmp_path / "l.db") as ledger:
        _fill(ledger, directory)
        by_pathway = outcomes(ledger, directory, by="pathway")
        by_agency = {r.group: r for r in outcomes(ledger, directory, by="agency")}
        by_district = {r.group: r for r in outcomes(ledger, directory, by="district")}
    assert by_agency["aspire-peterborough"].referrals == 11 + 3
    assert by_agency["citizens-advice-rural-cambs"].referrals == 11
    for grouping in (by_agency, by_district):
        assert total(list(grouping.values())) == total(by_pathway)
    served = {
        pid: directory.served_districts(directory.pathway_by_id[pid])
        for pid in ("aspire-drug-treatment", "carc-debt-advice")
    }
    assert served["aspire-drug-treatment"] == ("peterborough",)
    assert by_district["peterborough"].referrals == 11 + 3
    assert len(served["carc-debt-advice"]) == 3  # of 6 districts
    assert by_district["several"].referrals == 11
    assert set(by_district) == {"peterborough", "several"}


def test_pathways_gone_from_the_directory_are_unknown(tmp_path: Path) -> None:
    from tests.ledger_workers import pathway

    directory = load()
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.reserve([pathway("closed-down", None)], reference="x", on=date(2026, 11, 2))
        for by in ("pathway", "agency", "district"):
            (row,) = outcomes(ledger, directory, by=by)  # type: ignore[arg-type]
            assert (row.group, row.referrals) == ("unknown", 1)
        with pytest.raises(InvalidArgumentError, match="starts"):
            outcomes(ledger, directory, start=date(2026, 12, 1), end=date(2026, 11, 1))
        with pytest.raises(InvalidArgumentError, match="outcomes by"):
            outcomes(ledger, directory, by="person")  # type: ignore[arg-type]


def test_an_empty_ledger_has_no_rows(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        assert outcomes(ledger, load()) == []
    assert total([]) == OutcomeRow("total", "Total", 0, 0, 0, 0, 0, 0)


def test_pathways_serving_every_district_group_as_all(tmp_path: Path) -> None:
    directory = load()
    everywhere = next(p for p in directory.pathways if p.districts == "all" and p.capacity is None)
    with Ledger(tmp_path / "l.db") as ledger:
        for i in range(6):
            ledger.reserve([everywhere], reference=f"r{i}", on=date(2026, 11, 2))
        (row,) = outcomes(ledger, directory, by="district")
    assert (row.group, row.label, row.referrals) == ("all", "All districts", 6)
