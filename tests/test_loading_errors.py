"""A catalogue of broken directories: each gives its exact problem code, file and line."""

from __future__ import annotations

import resource
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from directory.errors import DataError
from directory.loading import MAX_FILE_BYTES, load, read_directory
from tests.factories import LOCALITIES, NEEDS, agency, make_directory

TODAY = date(2026, 11, 1)

# A hand-written agency file: line numbers below refer to this text.
GOOD = """\
id: housing-help
name: Housing Help
kind: voluntary
sources:
  - title: Test source
    evidence: guess
last_verified: 2026-10-01
sites:
  - id: housing-help-office
    name: Office
    district: fenland
    lat: 52.66
    lon: 0.16
pathways:
  - id: housing-help-support
    name: Support
    needs: [accommodation]
    districts: [fenland]
    delivery: [in_person]
    sites: [housing-help-office]
    capacity:
      places: 5
      per: month
      status: open
      updated: 2026-10-01
    eligibility:
      min_age: 18
      max_age: 65
"""


def replace(line_no: int, new: str, text: str = GOOD) -> str:
    """GOOD with line ``line_no`` (1-based) replaced by ``new`` (which may hold several lines)."""
    lines = text.splitlines()
    lines[line_no - 1] = new
    return "\n".join(lines) + "\n"


def insert(line_no: int, new: str, text: str = GOOD) -> str:
    """GOOD with ``new`` inserted before line ``line_no``."""
    lines = text.splitlines()
    lines.insert(line_no - 1, new)
    return "\n".join(lines) + "\n"


A = "agencies/housing-help.yaml"

# name -> (agency file text or None for the default, other files, expected (file, line, code))
CASES: dict[str, tuple[Any, dict[str, Any], list[tuple[str, int | None, str]]]] = {
    "duplicate key": (insert(3, "name: Housing Help Again"), {}, [(A, 3, "duplicate-key")]),
    "duplicate key nested": (insert(23, "      places: 6"), {}, [(A, 23, "duplicate-key")]),
    "yaml syntax": (replace(17, "    needs: [accommodation"), {}, [(A, 18, "yaml-syntax")]),
    "bad indentation": (replace(16, "   name: Support"), {}, [(A, 16, "yaml-syntax")]),
    "tab indentation": (replace(16, "\tname: Support"), {}, [(A, 16, "yaml-syntax")]),
    "not utf8": (GOOD.encode("utf-8").replace(b"Office", b"Off\xe9ce"), {}, [(A, 10, "not-utf8")]),
    "empty file": ("", {}, [(A, None, "empty-file")]),
    "only a comment": ("# nothing here\n", {}, [(A, None, "empty-file")]),
    "alias": (
        replace(18, "    districts: &d [fenland]") + "extra: *d\n",
        {},
        [(A, 29, "yaml-alias")],
    ),
    "python tag": (
        replace(2, "name: !!python/object/apply:os.system [ls]"),
        {},
        [(A, 2, "yaml-tag")],
    ),
    "non-string key": (insert(3, "[a, b]: c"), {}, [(A, 3, "non-string-key")]),
    "top level list": ("- a\n- b\n", {}, [(A, 1, "wrong-type")]),
    "unknown key": (insert(3, "webiste: https://example.org/"), {}, [(A, 3, "unknown-key")]),
    "unknown key in pathway": (insert(17, "    neds: [drugs]"), {}, [(A, 17, "unknown-key")]),
    "missing field": (replace(2, "# no name"), {}, [(A, 1, "missing-field")]),
    "wrong type": (replace(22, "      places: lots"), {}, [(A, 22, "wrong-type")]),
    "invalid enum": (replace(24, "      status: maybe"), {}, [(A, 24, "invalid-value")]),
    "invalid id": (replace(15, "  - id: Housing Help Support"), {}, [(A, 15, "invalid-id")]),
    "file name mismatch": (replace(1, "id: housing-helper"), {}, [(A, 1, "file-name-mismatch")]),
    "negative places": (replace(22, "      places: -3"), {}, [(A, 22, "negative-places")]),
    "ages out of order": (replace(27, "      min_age: 70"), {}, [(A, 26, "age-order")]),
    "age below 10": (replace(27, "      min_age: 8"), {}, [(A, 27, "age-range")]),
    "coordinates outside uk": (
        replace(12, "    lat: 40.66"),
        {},
        [(A, 9, "coordinates-outside-uk")],
    ),
    "swapped coordinates": (
        replace(13, "    lon: 52.66", replace(12, "    lat: 0.16")),
        {},
        [(A, 9, "coordinates-outside-uk")],
    ),
    "bad email": (
        insert(3, "contacts:\n  - kind: email\n    value: not-an-email"),
        {},
        [(A, 4, "bad-email")],
    ),
    "bad phone": (
        insert(3, "contacts:\n  - kind: phone\n    value: '12'"),
        {},
        [(A, 4, "bad-phone")],
    ),
    "javascript url": (insert(3, "website: javascript:alert(1)"), {}, [(A, 1, "bad-url")]),
    "bad postcode": (insert(14, "    postcode: XYZ"), {}, [(A, 9, "bad-postcode")]),
    "unknown need": (replace(17, "    needs: [acommodation]"), {}, [(A, 17, "unknown-need")]),
    "unknown district": (replace(18, "    districts: [fenlnd]"), {}, [(A, 18, "unknown-district")]),
    "districts not a list": (
        replace(18, "    districts: everywhere"),
        {},
        [(A, 18, "invalid-value")],
    ),
    "unknown site": (
        replace(20, "    sites: [housing-help-offices]"),
        {},
        [(A, 9, "unused-site"), (A, 20, "unknown-site")],
    ),
    "unreachable pathway": (
        replace(20, "    sites: []", replace(18, "    districts: []")),
        {},
        [(A, 9, "unused-site"), (A, 15, "unreachable-pathway")],
    ),
    "future date": (replace(7, "last_verified: 2030-01-01"), {}, [(A, 7, "future-date")]),
    "no sources": (
        replace(4, "sources: []", replace(5, "", replace(6, ""))),
        {},
        [(A, 1, "no-sources")],
    ),
    "duplicate pathway id": (
        None,
        {
            "agencies/other.yaml": agency(
                "other",
                pathways=[
                    {
                        "id": "housing-help-support",
                        "name": "Copy",
                        "needs": ["drugs"],
                        "districts": "all",
                    }
                ],
                sites=[],
            )
        },
        [("agencies/other.yaml", 10, "duplicate-id")],
    ),
    "contradictory eligibility": (
        insert(28, "      offences: [theft]\n      excluded_offences: [theft]"),
        {},
        [(A, 26, "contradictory-eligibility")],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_directory_reports_exact_problem(tmp_path: Path, name: str) -> None:
    text, extra, expected = CASES[name]
    root = make_directory(
        tmp_path,
        agencies={"housing-help": GOOD if text is None else text},
        extra_files=extra,
    )
    directory, report = read_directory(root, today=TODAY)
    got = [(p.file, p.line, p.code) for p in report.problems if p.code not in ("coverage-hole",)]
    assert got == expected, report.flatten(["file", "line", "code", "message"])
    assert all(p.hint for p in report.problems)
    if any(CASES[name][2][0][2] == p.code and p.severity == "error" for p in report.problems):
        assert directory is None
        with pytest.raises(DataError):
            load(root, today=TODAY)


def test_catalogue_has_at_least_thirty_cases() -> None:
    assert len(CASES) + 5 >= 30  # plus the file-level cases below


def test_good_file_is_valid(tmp_path: Path) -> None:
    root = make_directory(tmp_path, agencies={"housing-help": GOOD})
    directory, report = read_directory(root, today=TODAY)
    assert report.ok, report.flatten(["file", "line", "code", "message"])
    assert directory is not None
    assert directory.pathway_by_id["housing-help-support"].capacity is not None


def test_every_problem_at_once(tmp_path: Path) -> None:
    broken_one = replace(17, "    needs: [drugz]", replace(22, "      places: -1"))
    root = make_directory(
        tmp_path,
        agencies={
            "housing-help": broken_one,
            "second": agency(
                "second",
                pathways=[{"id": "second-p", "name": "P", "needs": ["alcohl"], "districts": "all"}],
                sites=[],
            ),
            "third": "id: third\nname: [unclosed\n",
        },
    )
    _, report = read_directory(root, today=TODAY)
    codes = sorted(set(report.codes()) - {"coverage-hole"})
    assert codes == ["negative-places", "unknown-need", "yaml-syntax"]
    unknown = [p for p in report.problems if p.code == "unknown-need"]
    assert unknown[0].hint == "Did you mean 'alcohol'?"
    assert unknown[0].record == "second-p"


def test_missing_files(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    _, report = read_directory(root, today=TODAY)
    assert sorted(report.codes()) == ["missing-file", "missing-file", "missing-file"]


def test_not_a_directory(tmp_path: Path) -> None:
    _, report = read_directory(tmp_path / "nowhere", today=TODAY)
    assert report.codes() == ["not-a-directory"]


def test_ten_megabyte_file_is_refused_without_reading(tmp_path: Path) -> None:
    big = "# padding\n" * (10 * 1024 * 1024 // 10)
    root = make_directory(tmp_path, extra_files={"agencies/huge.yaml": GOOD + big})
    assert (root / "agencies/huge.yaml").stat().st_size > MAX_FILE_BYTES
    _, report = read_directory(root, today=TODAY)
    assert [(p.file, p.code) for p in report.errors] == [("agencies/huge.yaml", "file-too-large")]


def test_billion_laughs_fails_fast_in_bounded_memory(tmp_path: Path) -> None:
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    root = make_directory(tmp_path, agencies={"housing-help": GOOD + "\n".join(levels) + "\n"})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    _, report = read_directory(root, today=TODAY)
    cpu = time.process_time() - started
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert [(p.code, p.line) for p in report.errors] == [("yaml-alias", 30)]
    # 9**10 expanded strings would need tens of GB: the parser stops at the first alias.
    assert grown_kb < 50_000
    assert cpu < 5  # generous: the expansion would take hours; this is not a timing benchmark


def test_needs_and_localities_problems_are_located(tmp_path: Path) -> None:
    needs = (
        "groups:\n"
        "  - id: g\n"
        "    label: G\n"
        "needs:\n"
        "  - id: drugs\n"
        "    label: Drugs\n"
        "    group: gg\n"
        "  - id: alcohol\n"
        "    label: Alcohol\n"
        "    group: g\n"
        "    synonyms: [drink, drugs]\n"
        "  - id: accommodation\n"
        "    label: Housing\n"
        "    group: g\n"
        "colour: blue\n"
    )
    localities = dict(LOCALITIES)
    localities["towns"] = [
        *LOCALITIES["towns"],
        {"name": "Ely", "district": "east_cambs", "lat": 52.4, "lon": 0.26},
    ]
    root = make_directory(tmp_path, needs=needs, localities=localities)
    _, report = read_directory(root, today=TODAY)
    got = [(p.file, p.line, p.code) for p in report.errors]
    assert ("needs.yaml", 7, "unknown-group") in got
    assert ("needs.yaml", 11, "duplicate-synonym") in got
    assert ("needs.yaml", 15, "unknown-key") in got
    assert any(f == "localities.yaml" and c == "unknown-district" for f, _, c in got)
    assert NEEDS  # the factory's defaults are untouched by this test


def test_warnings_do_not_stop_loading(tmp_path: Path) -> None:
    old = replace(7, "last_verified: 2024-01-01")
    root = make_directory(tmp_path, agencies={"housing-help": old})
    directory, report = read_directory(root, today=TODAY)
    assert directory is not None
    assert "stale" in report.codes()
    assert "coverage-hole" in report.codes()  # housing is not provided in Cambridge
