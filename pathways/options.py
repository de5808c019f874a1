"""Bounded command-line values: every size, count and date a user can type has a limit.

A value outside its limit is a usage error (exit 2) that names the option and the limit, before
any work starts, instead of an ``OverflowError`` deep in a period calculation or a machine
swamped by a billion made-up people.

>>> DAY.convert("2026-11-30", None, None).date()
datetime.date(2026, 11, 30)
>>> DAY.convert("9999-12-31", None, None)
Traceback (most recent call last):
...
click.exceptions.BadParameter: 9999-12-31 is outside the days this tool counts (1900-01-01 to ...)
>>> check_period("2026-W48"), check_period(None)
('2026-W48', None)
"""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

from directory.errors import InvalidArgumentError
from matching.periods import FIRST_DAY, LAST_DAY, parse_period

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "DAY",
    "MAX_KM",
    "MAX_PLACES",
    "MAX_STALE_DAYS",
    "MAX_SYNTHETIC",
    "Day",
    "check_period",
    "max_processes",
    "period_callback",
    "processes_option",
    "refuse_overwrite",
]

#: Largest travel limit, in km (Great Britain is about 1,000 km long).
MAX_KM = 1_000.0
#: Most people ``gaps --synthetic`` makes up (five national years of diversions).
MAX_SYNTHETIC = 1_000_000
#: Largest number of places a scenario may give a pathway.
MAX_PLACES = 10_000_000
#: Longest ``--stale-after``, in days (a century).
MAX_STALE_DAYS = 36_500


class Day(click.ParamType[datetime]):
    """A day written ``YYYY-MM-DD`` between :data:`~matching.periods.FIRST_DAY` and
    :data:`~matching.periods.LAST_DAY`; converted to a :class:`datetime` at midnight as
    ``click.DateTime`` does."""

    name = "date"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            day = None
        if day is None:
            self.fail(f"{text[:40]!r} is not a day written YYYY-MM-DD", param, ctx)
        if not FIRST_DAY <= day <= LAST_DAY:
            self.fail(
                f"{text} is outside the days this tool counts ({FIRST_DAY} to {LAST_DAY})",
                param,
                ctx,
            )
        return datetime(day.year, day.month, day.day)


DAY = Day()


def check_period(value: str | None) -> str | None:
    """A period key that :func:`~matching.periods.parse_period` accepts, or a usage error."""
    if value is None:
        return None
    if value.isdigit():
        if len(value) != 4 or not FIRST_DAY.year <= int(value) <= LAST_DAY.year:
            raise click.BadParameter(
                f"{value[:40]} is not a year from {FIRST_DAY.year} to {LAST_DAY.year}",
                param_hint="--period",
            )
        return value
    try:
        parse_period(value)
    except InvalidArgumentError as err:
        raise click.BadParameter(str(err), param_hint="--period") from None
    return value


def period_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """:func:`check_period` as a click option callback."""
    return check_period(value)


def refuse_overwrite(output: Path, inputs: dict[str, Path | None], option: str) -> None:
    """A usage error when ``output`` is one of the ``inputs`` (by option name) or holds one.

    An output never overwrites an input: ``match --file c.csv --out c.csv`` would have replaced
    the cohort with its plans.
    """
    target = output.resolve()
    for name, given in inputs.items():
        if given is None:
            continue
        source = given.resolve()
        if target == source or (target.exists() and source.exists() and target.samefile(source)):
            raise click.BadParameter(
                f"{output} is the {name} input; an output never overwrites an input",
                param_hint=option,
            )


def max_processes() -> int:
    """The most worker processes a command starts: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _processes(ctx: click.Context, param: click.Parameter, value: int) -> int:
    limit = max_processes()
    if not 1 <= value <= limit:
        raise click.BadParameter(
            f"{value} is not from 1 to {limit} (the CPUs this machine gives us)", ctx, param
        )
    return value


def processes_option(func: Any) -> Any:
    """``--processes N``: worker processes, from 1 to the number of CPUs available."""
    return click.option(
        "--processes",
        type=int,
        default=1,
        show_default=True,
        callback=_processes,
        help="Worker processes, from 1 to the number of CPUs.",
    )(func)
