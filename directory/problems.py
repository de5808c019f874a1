"""The validation report: every problem at once, each one data.

A :class:`Problem` has a stable ``code`` from :data:`CATALOGUE`, a severity, the file, line and
column it was found at, the record (agency, pathway, need... id) and field concerned, a message and
a fix hint. A :class:`Report` is an immutable list of problems with helpers to filter and project.

>>> r = Report((
...     Problem("unknown-need", "unknown need 'drugz'", file="a.yaml", line=4, record="p1"),
...     Problem("stale", "last verified 2024-01-01", severity="warning", file="a.yaml", line=9),
... ))
>>> r.ok, len(r.errors), len(r.warnings)
(False, 1, 1)
>>> r.flatten(["line", "code"])
[[4, 'unknown-need'], [9, 'stale']]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["CATALOGUE", "Problem", "Report", "Severity", "hint_for"]

Severity = Literal["error", "warning"]

#: Every problem code: its severity, a one-line title, and the default fix hint.
#: ``docs/problems.md`` is kept equal to this table by ``tests/test_docs.py``.
CATALOGUE: dict[str, tuple[Severity, str, str]] = {
    # files and YAML syntax
    "missing-file": (
        "error",
        "A required file is missing",
        "Create the file; a directory needs needs.yaml, localities.yaml and agencies/.",
    ),
    "not-a-directory": (
        "error",
        "The path is not a directory folder",
        "Point at the folder that holds needs.yaml.",
    ),
    "file-too-large": (
        "error",
        "A file is larger than the limit",
        "Split the agency into smaller files or remove pasted content.",
    ),
    "unreadable-file": (
        "error",
        "A file cannot be read (a folder, or no permission)",
        "Make it a plain readable file, or move it out of the directory folder.",
    ),
    "not-utf8": (
        "error",
        "A file is not UTF-8 text",
        "Save the file as UTF-8 (most editors: 'Save with encoding').",
    ),
    "empty-file": ("error", "A file is empty", "Fill in the file or delete it."),
    "yaml-syntax": (
        "error",
        "The YAML cannot be parsed",
        "Check indentation and quoting near the line shown.",
    ),
    "yaml-alias": (
        "error",
        "YAML anchors and aliases are not allowed",
        "Write the value out in full instead of using & and *.",
    ),
    "yaml-tag": ("error", "YAML tags are not allowed", "Remove the !tag; plain values are enough."),
    "duplicate-key": (
        "error",
        "A key appears twice in one mapping",
        "Keep one of the two; YAML would silently keep only the last.",
    ),
    "non-string-key": (
        "error",
        "A mapping key is not a plain word",
        "Use plain text keys such as 'name:'.",
    ),
    # shape of the records
    "unknown-key": (
        "error",
        "A key the format does not know",
        "Check the spelling against docs/directory-format.md.",
    ),
    "missing-field": (
        "error",
        "A required field is missing",
        "Add the field; docs/directory-format.md shows an example.",
    ),
    "wrong-type": (
        "error",
        "A value has the wrong type",
        "Use the type shown in docs/directory-format.md.",
    ),
    "invalid-value": (
        "error",
        "A value is not one of those allowed or is malformed",
        "Use one of the values listed in docs/directory-format.md.",
    ),
    "invalid-id": (
        "error",
        "An id is not in the expected style",
        "Use lower-case words joined by '-' (agencies, pathways, sites) or '_' (needs, districts).",
    ),
    "file-name-mismatch": (
        "error",
        "An agency file is not named after its id",
        "Rename the file to <id>.yaml or change the id.",
    ),
    "duplicate-id": (
        "error",
        "Two records share an id",
        "Give each record its own id; ids must be unique in the directory.",
    ),
    "duplicate-synonym": (
        "error",
        "The same word is a synonym of two needs",
        "Keep the word under the one need it means.",
    ),
    # references
    "unknown-need": (
        "error",
        "A need id that the taxonomy does not hold",
        "Use a need id from needs.yaml.",
    ),
    "unknown-district": (
        "error",
        "A district id that localities.yaml does not hold",
        "Use a district id from localities.yaml, or 'all'.",
    ),
    "unknown-area": (
        "error",
        "A policing area id that localities.yaml does not hold",
        "Use an area id from localities.yaml.",
    ),
    "unknown-group": (
        "error",
        "A need group that needs.yaml does not hold",
        "Use a group id from the groups list of needs.yaml.",
    ),
    "unknown-site": (
        "error",
        "A pathway names a site its agency does not have",
        "Add the site under the agency's sites, or fix the id.",
    ),
    # impossible values
    "negative-places": (
        "error",
        "Places below zero",
        "Use 0 or more places; use status 'closed' for a pathway taking nobody.",
    ),
    "age-order": (
        "error",
        "Minimum age above maximum age",
        "Swap the two ages or correct one of them.",
    ),
    "age-range": (
        "error",
        "An age outside 10 to 120",
        "Ages of criminal responsibility start at 10.",
    ),
    "coordinates-outside-uk": (
        "error",
        "Coordinates outside the United Kingdom",
        "Check latitude and longitude are not swapped (UK: lat 49.8-60.9, lon -8.7-1.8).",
    ),
    "bad-email": ("error", "A malformed email address", "Write it as name@example.org."),
    "bad-phone": (
        "error",
        "A malformed UK phone number",
        "Write a UK number such as 01733 560031 or 0800 781 6818.",
    ),
    "bad-url": (
        "error",
        "A malformed or unsafe web address",
        "Use a full http:// or https:// address.",
    ),
    "bad-postcode": ("error", "A malformed UK postcode", "Write it as PE1 5DU."),
    "fit-need-not-taken": (
        "error",
        "A level or alongside entry for a need the pathway does not take",
        "Add the need to the pathway's needs or remove the entry.",
    ),
    "future-date": (
        "error",
        "A date in the future",
        "Use the date the facts were checked, today or earlier.",
    ),
    "unreachable-pathway": (
        "error",
        "A pathway serves no district, has no site and no remote delivery",
        "Add districts, a site, or online/phone delivery.",
    ),
    "contradictory-eligibility": (
        "error",
        "Eligibility rules that nobody can meet",
        "Remove an offence from one of offences/excluded_offences.",
    ),
    "no-sources": (
        "error",
        "An agency names no source",
        "Add at least one source: where the facts came from.",
    ),
    # warnings: the data is valid but something deserves a look
    "coverage-hole": (
        "warning",
        "A need no pathway covers in a district",
        "Commission a pathway or record that the need is met elsewhere.",
    ),
    "stale": (
        "warning",
        "Facts not verified for more than a year",
        "Check the agency's details and update last_verified.",
    ),
    "unverified": (
        "warning",
        "Facts nobody has checked against the named sources",
        "Check the sources and set last_verified to the day you did.",
    ),
    "stale-capacity": (
        "warning",
        "Capacity not updated for a long time",
        "Ask the agency for current places and update capacity.updated.",
    ),
    "unused-site": (
        "warning",
        "A site that no pathway uses",
        "List it under a pathway's sites or remove it.",
    ),
    # Open Referral UK import (directory.oruk): ``field`` holds the JSON pointer of the value
    "json-syntax": (
        "error",
        "A JSON text cannot be parsed",
        "Check the brackets, commas and quotes near the line shown.",
    ),
    "json-too-deep": (
        "error",
        "JSON nested deeper than the limit (64 levels)",
        "An Open Referral document nests a few levels; check the exporting system.",
    ),
    "json-number": (
        "error",
        "A JSON number that is not finite or has too many digits",
        "Write numbers as plain decimals of at most 19 digits; JSON has no NaN or Infinity.",
    ),
    "oruk-invalid": (
        "error",
        "An Open Referral UK document or record that cannot be read",
        "Check the record against the Open Referral UK 3.0 schema (services need id, name, "
        "status and an organization).",
    ),
    "oruk-no-needs": (
        "error",
        "An Open Referral UK service with no taxonomy term that maps to a need",
        "Tag the service with need terms, or add its terms as synonyms in needs.yaml.",
    ),
    "oruk-unmapped-term": (
        "warning",
        "An Open Referral UK taxonomy term that matches no need",
        "Add the term as a synonym of the need it means in needs.yaml, or ignore it.",
    ),
    "oruk-unmapped-area": (
        "warning",
        "An Open Referral UK service area or location outside the base directory's districts",
        "Name districts as localities.yaml does (id, label or alias), or add an alias.",
    ),
    "oruk-unsupported": (
        "warning",
        "An Open Referral UK field the directory format cannot carry",
        "Nothing to do if the field is not needed for referrals; see docs/open-referral.md.",
    ),
    "oruk-assumed": (
        "warning",
        "A value the directory needs was missing from the feed and was assumed",
        "Check the assumed value in the YAML written and correct it.",
    ),
    "oruk-empty": (
        "warning",
        "An Open Referral UK document or record with nothing to import",
        "Import a Page of services or organizations with their services.",
    ),
    "oruk-partial-page": (
        "warning",
        "One page of a paged Open Referral UK feed",
        "Fetch every page (or per_page large enough) and import them all.",
    ),
    # cohort files (matching.cohort): ``field`` holds the column or key
    "cohort-column": (
        "error",
        "A cohort file lacks a required column or has one the format does not know",
        "Use the columns of docs/cohort-format.md: needs, where and age are required.",
    ),
    "cohort-syntax": (
        "error",
        "A cohort line that cannot be read as a row",
        "Each JSONL line must be one JSON object; each CSV row must have the header's columns.",
    ),
    "cohort-value": (
        "error",
        "A cohort value that cannot be used (unknown need, place or agency, contradiction)",
        "Correct the value in the column shown; docs/cohort-format.md lists what each one takes.",
    ),
}


def hint_for(code: str) -> str:
    """The default fix hint of a problem code.

    >>> hint_for("bad-email")
    'Write it as name@example.org.'
    """
    return CATALOGUE[code][2]


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in the directory: code, where, what, and how to fix it."""

    code: str
    message: str
    severity: Severity = "error"
    file: str | None = None
    line: int | None = None
    column: int | None = None
    record: str | None = None
    field: str | None = None
    hint: str = ""

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"unknown problem code {self.code!r}")
        if not self.hint:
            object.__setattr__(self, "hint", hint_for(self.code))

    def where(self) -> str:
        """``file:line:column`` as far as it is known.

        >>> Problem("bad-url", "x", file="a.yaml", line=3, column=7).where()
        'a.yaml:3:7'
        """
        parts = [self.file or "<directory>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Report:
    """Every problem of one validation, sorted by file, line and code."""

    problems: tuple[Problem, ...] = ()

    @classmethod
    def of(cls, problems: Iterable[Problem]) -> Report:
        """A report with the problems in a stable order (file, line, column, code, message)."""
        ordered = sorted(
            problems,
            key=lambda p: (p.file or "", p.line or 0, p.column or 0, p.code, p.message),
        )
        return cls(tuple(ordered))

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems that make the directory unusable."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems worth a look that do not stop the directory being used."""
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def codes(self) -> list[str]:
        """The problem codes in report order."""
        return [p.code for p in self.problems]

    def flatten(self, keys: Sequence[str]) -> list[list[Any]]:
        """Short projections of every problem, for tests and tables (as frictionless does)."""
        return [[getattr(p, k) for k in keys] for p in self.problems]

    def __add__(self, other: Report) -> Report:
        return Report.of(self.problems + other.problems)

    def __len__(self) -> int:
        return len(self.problems)
