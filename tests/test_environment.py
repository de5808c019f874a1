"""The test environment has what the suite relies on, named when it does not.

jsonschema checks a ``format`` only when the package behind that format's checker is importable,
and silently accepts anything otherwise: a missing install step would turn schema tests vacuous or
fail them far from the cause. These tests fail first, with the package to install.
"""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

# format -> the package that provides its checker (None: jsonschema's own)
FORMATS: dict[str, str | None] = {
    "date-time": "rfc3339-validator",
    "uri": "rfc3986-validator",
    "date": None,
    "email": None,
    "uuid": None,
}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_format_checker_is_active(fmt: str) -> None:
    checkers = Draft202012Validator.FORMAT_CHECKER.checkers
    assert fmt in checkers, (
        f"jsonschema has no checker for format {fmt!r}: install {FORMATS[fmt]} "
        "(declared in pyproject.toml's `test` extra)"
    )


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("date-time", "2026-12-07T10:00:00Z", "2026-13-45T25:00:00Z"),
        ("uri", "https://example.org/a", "not a uri"),
        ("uuid", "0f8fad5b-d9cb-469f-a165-70867728950e", "not-a-uuid"),
    ],
)
def test_format_checker_refuses_bad_values(fmt: str, good: str, bad: str) -> None:
    checker = Draft202012Validator.FORMAT_CHECKER
    assert checker.conforms(good, fmt)
    assert not checker.conforms(bad, fmt)
