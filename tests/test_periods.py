"""Capacity periods: ISO weeks across year ends, months, quarters; keys round-trip."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.errors import InvalidArgumentError
from matching.periods import PERS, parse_period, period_of

DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@pytest.mark.parametrize(
    ("on", "key", "start", "end"),
    [
        # 2026 starts on a Thursday, so it has 53 ISO weeks; 2027-01-01 (Friday) is in 2026-W53
        (date(2026, 12, 31), "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        (date(2027, 1, 1), "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        (date(2027, 1, 3), "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        (date(2027, 1, 4), "2027-W01", date(2027, 1, 4), date(2027, 1, 10)),
        # 2020 is a leap year starting on a Wednesday: 53 weeks, week 53 runs into 2021
        (date(2020, 12, 31), "2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
        (date(2021, 1, 3), "2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
        # a late-December Monday that belongs to week 1 of the next ISO year
        (date(2024, 12, 30), "2025-W01", date(2024, 12, 30), date(2025, 1, 5)),
        (date(2025, 12, 29), "2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
        (date(2026, 11, 23), "2026-W48", date(2026, 11, 23), date(2026, 11, 29)),
    ],
)
def test_iso_weeks_across_year_ends(on: date, key: str, start: date, end: date) -> None:
    p = period_of(on, "week")
    assert (p.key, p.start, p.end, p.per) == (key, start, end, "week")
    assert p.start.isoweekday() == 1
    assert p.end.isoweekday() == 7
    assert on in p


@pytest.mark.parametrize(
    ("on", "per", "key", "start", "end"),
    [
        (date(2026, 12, 31), "month", "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), "month", "2027-01", date(2027, 1, 1), date(2027, 1, 31)),
        (date(2024, 2, 29), "month", "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        (date(2026, 2, 1), "month", "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 12, 31), "quarter", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), "quarter", "2027-Q1", date(2027, 1, 1), date(2027, 3, 31)),
        (date(2026, 6, 30), "quarter", "2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), "quarter", "2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
    ],
)
def test_months_and_quarters(on: date, per: str, key: str, start: date, end: date) -> None:
    p = period_of(on, per)  # type: ignore[arg-type]
    assert (p.key, p.start, p.end) == (key, start, end)


@given(on=DAYS, per=st.sampled_from(PERS))
def test_period_contains_its_day_and_round_trips(on: date, per: str) -> None:
    p = period_of(on, per)  # type: ignore[arg-type]
    assert p.start <= on <= p.end
    assert period_of(p.start, p.per) == p == period_of(p.end, p.per)
    assert parse_period(p.key) == p
    assert p.days == (p.end - p.start).days + 1
    assert {"week": {7}, "month": {28, 29, 30, 31}, "quarter": {90, 91, 92}}[per] >= {p.days}


@given(on=DAYS, per=st.sampled_from(PERS))
def test_periods_tile_time_without_gaps(on: date, per: str) -> None:
    p = period_of(on, per)  # type: ignore[arg-type]
    nxt = p.next()
    assert nxt.start == p.end + timedelta(days=1)
    assert nxt.previous() == p
    assert nxt.key > p.key  # keys of one kind sort in time order (ISO years included)


@given(a=DAYS, b=DAYS)
def test_same_week_exactly_when_same_iso_week(a: date, b: date) -> None:
    same = period_of(a, "week") == period_of(b, "week")
    assert same == (a.isocalendar()[:2] == b.isocalendar()[:2])
    assert same == (abs((a - b).days) < 7 and a.isoweekday() - b.isoweekday() == (a - b).days)


@pytest.mark.parametrize(
    "key", ["2021-W53", "2026-W00", "2026-13", "2026-00", "2026-Q5", "26-11", "2026-11 ", ""]
)
def test_bad_keys_are_refused(key: str) -> None:
    with pytest.raises(InvalidArgumentError, match="not a period key"):
        parse_period(key)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="unknown period 'year'"):
        period_of(date(2026, 1, 1), "year")  # type: ignore[arg-type]
