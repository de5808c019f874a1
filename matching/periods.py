"""Capacity periods: the ISO week, calendar month or quarter a date falls in.

A pathway's places are counted per period (``Capacity.per``). A :class:`Period` has explicit
first and last days (both inclusive) and a key that sorts in time order within one kind:

* ``week``: the ISO 8601 week, Monday to Sunday, keyed by its ISO year (``2026-W53``). Around New
  Year the ISO year can differ from the calendar year: 2020-12-31 is in ``2020-W53`` and so is
  2021-01-03; 2024-12-30 is in ``2025-W01``;
* ``month``: ``2026-11``;
* ``quarter``: calendar quarters January-March (Q1) to October-December (Q4): ``2026-Q4``.

>>> p = period_of(date(2021, 1, 3), "week")
>>> p.key, p.start, p.end
('2020-W53', datetime.date(2020, 12, 28), datetime.date(2021, 1, 3))
>>> period_of(date(2026, 11, 23), "quarter").key
'2026-Q4'
>>> parse_period("2026-11") == period_of(date(2026, 11, 30), "month")
True
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, get_args

from directory.errors import InvalidArgumentError

__all__ = ["FIRST_DAY", "LAST_DAY", "PERS", "Per", "Period", "parse_period", "period_of"]

Per = Literal["week", "month", "quarter"]
#: The kinds of period, shortest first.
PERS: tuple[Per, ...] = get_args(Per)

_KEY = re.compile(r"^(\d{4})-(?:W(\d{2})|Q([1-4])|(\d{2}))$")


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """One capacity period: its kind, first and last day (inclusive) and its key."""

    start: date
    end: date
    per: Per
    key: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        """Number of days in the period (7 for a week, 28 to 31 for a month, 90 to 92)."""
        return (self.end - self.start).days + 1

    def next(self) -> Period:
        """The period of the same kind that starts the day after this one ends.

        >>> period_of(date(2026, 12, 31), "week").next().key
        '2027-W01'
        """
        return period_of(self.end + timedelta(days=1), self.per)

    def previous(self) -> Period:
        """The period of the same kind that ends the day before this one starts.

        >>> period_of(date(2027, 1, 1), "quarter").previous().key
        '2026-Q4'
        """
        return period_of(self.start - timedelta(days=1), self.per)


def period_of(on: date, per: Per) -> Period:
    """The period of kind ``per`` that contains the day ``on``.

    >>> period_of(date(2026, 12, 31), "week").key     # a Thursday: ISO week 53 of 2026
    '2026-W53'
    >>> period_of(date(2027, 1, 1), "week").key       # a Friday, still in 2026-W53
    '2026-W53'
    >>> period_of(date(2026, 2, 14), "month").end
    datetime.date(2026, 2, 28)
    >>> period_of(date(2026, 1, 1), "fortnight")
    Traceback (most recent call last):
    ...
    directory.errors.InvalidArgumentError: unknown period 'fortnight'; use week, month or quarter
    """
    if isinstance(on, datetime):
        on = on.date()
    if per == "week":
        iso = on.isocalendar()
        start = on - timedelta(days=iso.weekday - 1)
        return Period(start, start + timedelta(days=6), "week", f"{iso.year}-W{iso.week:02d}")
    if per == "month":
        last = calendar.monthrange(on.year, on.month)[1]
        return Period(
            date(on.year, on.month, 1), date(on.year, on.month, last), "month", f"{on:%Y-%m}"
        )
    if per == "quarter":
        q = (on.month - 1) // 3 + 1
        first_month, last_month = 3 * q - 2, 3 * q
        end = date(on.year, last_month, calendar.monthrange(on.year, last_month)[1])
        return Period(date(on.year, first_month, 1), end, "quarter", f"{on.year}-Q{q}")
    raise InvalidArgumentError(f"unknown period {per!r}; use week, month or quarter")


#: First and last days a period may hold: a date library overflows at year 9999, and no
#: referral is planned that far away.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def parse_period(key: str) -> Period:
    """The period a key names: ``2026-W48``, ``2026-11`` or ``2026-Q4``.

    >>> parse_period("2020-W53").start
    datetime.date(2020, 12, 28)
    >>> parse_period("2021-W53")        # 2021 has 52 ISO weeks
    Traceback (most recent call last):
    ...
    directory.errors.InvalidArgumentError: '2021-W53' is not a period key (2026-W48, 2026-11, ...)
    """
    match = _KEY.match(key)
    bad = InvalidArgumentError(f"{key!r} is not a period key (2026-W48, 2026-11, 2026-Q4)")
    if match is None:
        raise bad
    year, week, quarter, month = match.groups()
    if not FIRST_DAY.year <= int(year) <= LAST_DAY.year:
        raise InvalidArgumentError(
            f"{key!r} is outside the years {FIRST_DAY.year} to {LAST_DAY.year}"
        )
    try:
        if week is not None:
            period = period_of(date.fromisocalendar(int(year), int(week), 1), "week")
        elif quarter is not None:
            period = period_of(date(int(year), 3 * int(quarter), 1), "quarter")
        else:
            period = period_of(date(int(year), int(month), 1), "month")
    except ValueError:
        raise bad from None
    if period.key != key:  # pragma: no cover - the regex and fromisocalendar rule this out
        raise bad
    return period
