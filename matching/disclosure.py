"""Disclosure control for published figures: small counts are shown as ``<5``.

Figures about referrals describe real people. Anything published (a table, a page, JSON for a
dashboard) shows counts below a threshold (default 5, zero included) as ``"<5"``, and a rate only
when both its numerator and its denominator are at or above the threshold. Secondary suppression
(hiding more counts so that none can be worked back from the others) is
:mod:`matching.protection`'s job, for tables published together.

>>> suppress(12), suppress(4), suppress(0)
('12', '<5', '<5')
>>> rate(9, 12), rate(3, 12), rate(0, 0)
('75%', 'suppressed', 'n/a')
"""

from __future__ import annotations

from directory.errors import InvalidArgumentError

__all__ = ["THRESHOLD", "rate", "suppress"]

#: Counts below this are not published.
THRESHOLD = 5


def _check(threshold: int) -> None:
    if threshold < 1:
        raise InvalidArgumentError(f"a suppression threshold must be 1 or more, not {threshold}")


def suppress(n: int, threshold: int = THRESHOLD) -> str:
    """``n`` as text, or ``"<threshold"`` when ``n`` is below the threshold.

    >>> suppress(5), suppress(3, threshold=3), suppress(2, threshold=3)
    ('5', '3', '<3')
    >>> suppress(-1)
    Traceback (most recent call last):
    ...
    directory.errors.InvalidArgumentError: a count cannot be negative (-1)
    """
    _check(threshold)
    if n < 0:
        raise InvalidArgumentError(f"a count cannot be negative ({n})")
    return f"<{threshold}" if n < threshold else str(n)


def rate(numerator: int, denominator: int, threshold: int = THRESHOLD) -> str:
    """``numerator / denominator`` as a whole percentage, or ``"suppressed"`` when either count is
    below the threshold, or ``"n/a"`` when the denominator is 0.

    >>> rate(5, 5), rate(5, 7), rate(5, 8), rate(4, 40)
    ('100%', '71%', '63%', 'suppressed')
    """
    _check(threshold)
    if numerator < 0 or denominator < 0 or numerator > denominator:
        raise InvalidArgumentError(f"{numerator} of {denominator} is not a rate")
    if denominator == 0:
        return "n/a"
    if numerator < threshold or denominator < threshold:
        return "suppressed"
    return f"{(200 * numerator + denominator) // (2 * denominator)}%"  # rounded half up
