"""The one exception hierarchy of the project.

Every error the library raises on purpose derives from :class:`PathwaysError`, so a force system
can catch the whole family with one ``except``. Two kinds are kept apart, as pydantic does:

* **data errors** (:class:`DataError`): the directory files have problems. The exception carries the
  full :class:`~directory.problems.Report`, every problem at once, each with file, line and hint;
* **misuse** (everything else): a caller asked for something that does not exist or passed values
  that contradict each other.

>>> from directory.errors import PathwaysError, UnknownNeedError
>>> issubclass(UnknownNeedError, PathwaysError) and issubclass(UnknownNeedError, LookupError)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from directory.problems import Report

__all__ = [
    "AssessmentError",
    "CapacityError",
    "DataError",
    "InvalidArgumentError",
    "LedgerError",
    "NotFoundError",
    "PathwaysError",
    "PlaceFullError",
    "UnknownNeedError",
    "UnknownPlaceError",
]


class PathwaysError(Exception):
    """Root of every error raised on purpose by ``pathways``, ``matching`` and ``directory``."""


class DataError(PathwaysError):
    """The directory has error-level problems; ``report`` lists every one of them.

    >>> from directory.problems import Problem, Report
    >>> problem = Problem("unknown-need", "unknown need 'drugz'", file="a.yaml", line=3)
    >>> err = DataError(Report((problem,)))
    >>> print(err)
    1 problem in the directory:
      a.yaml:3: [unknown-need] unknown need 'drugz'
    """

    def __init__(self, report: Report) -> None:
        self.report = report
        errors = report.errors
        lines = [f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in the directory:"]
        lines += [f"  {p.where()}: [{p.code}] {p.message}" for p in errors[:20]]
        if len(errors) > 20:
            lines.append(f"  ... and {len(errors) - 20} more")
        super().__init__("\n".join(lines))


class InvalidArgumentError(PathwaysError, ValueError):
    """A function was called with a value it cannot accept (wrong range, contradiction)."""


class AssessmentError(InvalidArgumentError):
    """An assessment cannot be matched as given (for example age 9, or a need met twice)."""


class NotFoundError(PathwaysError, LookupError):
    """An id (agency, pathway, site, district...) that the directory does not hold.

    ``suggestions`` holds the nearest ids, best first.
    """

    def __init__(self, kind: str, text: str, suggestions: Sequence[str] = ()) -> None:
        self.kind = kind
        self.text = text
        self.suggestions = tuple(suggestions)
        message = f"unknown {kind} {text!r}"
        if self.suggestions:
            message += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)

    def __str__(self) -> str:  # LookupError would quote the message again
        return str(self.args[0])


class UnknownNeedError(NotFoundError):
    """Words that do not resolve to a need with enough confidence; never guessed silently.

    >>> err = UnknownNeedError("drnk", ["alcohol", "drugs"])
    >>> print(err)
    unknown need 'drnk'; did you mean 'alcohol', 'drugs'?
    >>> print(UnknownNeedError("banana"))
    unknown need 'banana'; no need's words are close to it
    """

    def __init__(self, text: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__("need", text, suggestions)
        if not self.suggestions and text.strip():
            self.args = (f"{self.args[0]}; no need's words are close to it",)


class UnknownPlaceError(NotFoundError):
    """A place (district, town, postcode, coordinates) outside the directory's gazetteer."""

    def __init__(self, text: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__("place", text, suggestions)


class CapacityError(PathwaysError):
    """Capacity could not be read or booked."""


class PlaceFullError(CapacityError):
    """A booking was refused because a pathway has no place left in the period."""

    def __init__(self, pathway: str, period: str) -> None:
        self.pathway = pathway
        self.period = period
        super().__init__(f"pathway {pathway!r} has no place left in {period}")


class LedgerError(CapacityError):
    """A ledger file that is corrupt, foreign or of an unknown schema version; left unmodified."""
