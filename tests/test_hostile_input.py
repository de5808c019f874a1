"""Hostile input at every entry point: each reported failure, reproduced, is now a located problem.

Every case runs the real loader or the real ``pathways`` command (in a subprocess where a crash of
the interpreter itself is the risk) and asserts the exit code, the problem code and its line, and
that no traceback is printed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.loading import read_directory
from pathways.cli import main
from tests.factories import agency, make_directory
from tests.test_loading_errors import GOOD, replace

TODAY = date(2026, 11, 1)
A = "agencies/housing-help.yaml"


def run(*args: str) -> Result:
    """The CLI through click's runner; a Python exception (not SystemExit) fails the test."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback from {args}") from result.exception
    assert "Traceback" not in result.output
    return result


def subprocess_run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real ``pathways`` command in a child interpreter (catches segfaults)."""
    return subprocess.run(
        [sys.executable, "-m", "pathways.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def problems_of(tmp_path: Path, text: str | bytes) -> list[tuple[str | None, int | None, str]]:
    root = make_directory(tmp_path, agencies={"housing-help": text})
    _, report = read_directory(root, today=TODAY)
    return [(p.file, p.line, p.code) for p in report.errors]


# ----------------------------------------------------------------------------------- YAML loader


def test_deep_flow_nesting_is_refused_before_libyaml_composes_it(tmp_path: Path) -> None:
    text = "id: housing-help\nname: " + "[" * 50_000 + "]" * 50_000 + "\n"
    root = make_directory(tmp_path, agencies={"housing-help": text})
    done = subprocess_run("validate", "--json", str(root))
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr
    errors = [p for p in json.loads(done.stdout)["problems"] if p["severity"] == "error"]
    assert [(p["file"], p["line"], p["code"]) for p in errors] == [(A, 2, "yaml-syntax")]
    assert "nested more than 50 levels" in errors[0]["message"]
    assert problems_of(tmp_path / "again", text) == [(A, 2, "yaml-syntax")]


def test_deep_block_nesting_is_refused_with_its_line(tmp_path: Path) -> None:
    text = "id: housing-help\nname:\n" + "".join("  " * i + "- \n" for i in range(60))
    # the mapping is level 1, the list under name: level 2 on line 3: level 51 is on line 52
    assert problems_of(tmp_path, text) == [(A, 52, "yaml-syntax")]


@pytest.mark.parametrize(
    "value",
    ["2026-13-45", "2026-02-30", "2026-10-15T25:00:00", "!!timestamp 2026-13-45"],
)
def test_impossible_dates_are_problems_at_their_line(tmp_path: Path, value: str) -> None:
    found = problems_of(tmp_path, replace(7, f"last_verified: {value}"))
    assert found in ([(A, 7, "invalid-value")], [(A, 7, "wrong-type")]), found


def test_a_tag_that_cannot_hold_its_value_is_a_problem_at_its_line(tmp_path: Path) -> None:
    assert problems_of(tmp_path, replace(22, "      places: !!int x12")) == [(A, 22, "yaml-tag")]
    assert problems_of(tmp_path / "b", replace(22, "      places: !!float ab")) == [
        (A, 22, "yaml-tag")
    ]


def test_a_5000_digit_integer_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    found = problems_of(tmp_path, replace(22, "      places: " + "9" * 5000))
    assert [code for *_, code in found] in (["wrong-type"], ["invalid-value"]), found
    assert found[0][1] == 22


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\ufffe"])
def test_control_characters_are_reported_with_their_line(tmp_path: Path, char: str) -> None:
    assert problems_of(tmp_path, replace(10, f"    name: Off{char}ice")) == [(A, 10, "yaml-syntax")]


@pytest.mark.parametrize("folder", ["agencies/zz.yaml", "localities.yaml", "needs.yaml"])
def test_a_folder_where_a_file_should_be_is_a_problem(tmp_path: Path, folder: str) -> None:
    root = make_directory(tmp_path)
    target = root / folder
    if target.exists():
        target.unlink()
    target.mkdir()
    result = run("validate", str(root))
    assert result.exit_code == 1
    _, report = read_directory(root, today=TODAY)
    assert (folder, "unreadable-file") in [(p.file, p.code) for p in report.errors]


def test_the_good_file_still_loads(tmp_path: Path) -> None:
    assert problems_of(tmp_path, GOOD) == []
    assert problems_of(tmp_path / "b", replace(7, "last_verified: 2026-10-02")) == []
    root = make_directory(tmp_path / "c", agencies={"housing-help": agency()})
    assert read_directory(root, today=TODAY)[1].ok


# ------------------------------------------------------------------------- JSON import (ORUK)


def oruk_service(sid: str = "svc-1", **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": sid,
        "name": "Test service",
        "status": "active",
        "assured_date": "2026-09-01",
        "organization": {"id": "org-1", "name": "Test org", "description": ""},
        "attributes": [{"taxonomy_term": {"name": "Drugs", "term": "drugs"}}],
        "service_areas": [{"name": "Fenland"}],
    }
    base.update(fields)
    return base


def import_text(tmp_path: Path, text: str) -> tuple[Result, list[tuple[str, int | None]]]:
    """``pathways import`` of a JSON text; the result and the (code, line) of its errors."""
    from directory.loading import load
    from directory.oruk import import_oruk_file

    root = make_directory(tmp_path)
    source = tmp_path / "feed.json"
    source.write_text(text, encoding="utf-8")
    before = source.read_bytes()
    result = run("import", str(source), "--out", str(tmp_path / "out"), "--dir", str(root))
    assert source.read_bytes() == before
    _, report = import_oruk_file(source, base=load(root, today=TODAY), today=TODAY)
    return result, [(p.code, p.line) for p in report.errors]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 100_000 + "]" * 100_000, [("json-too-deep", 1)]),
        ('{"contents": [\n' + "[" * 70 + "]" * 70 + "]}", [("json-too-deep", 2)]),
        ('{"contents": [], "total_pages": ' + "9" * 5000 + "}", [("json-number", None)]),
        ('{"name": "x", "minimum_age": NaN}', [("json-number", None)]),
        ('{"name": "x", "minimum_age": -Infinity}', [("json-number", None)]),
        ('{"name": "x", "minimum_age": 1e999}', [("json-number", None)]),
        ('{"name": "x",\n "name": "y"}', [("duplicate-key", None)]),
        ('{"name": "x",\n "name": }', [("json-syntax", 2)]),
    ],
)
def test_hostile_json_is_refused_before_or_while_parsing(
    tmp_path: Path, text: str, expected: list[tuple[str, int | None]]
) -> None:
    result, errors = import_text(tmp_path, text)
    assert result.exit_code == 1
    assert errors == expected
    assert not (tmp_path / "out").exists()


def test_two_services_with_one_id_and_different_contents_are_a_problem(tmp_path: Path) -> None:
    page = {"contents": [oruk_service(), oruk_service(description="another")]}
    result, errors = import_text(tmp_path, json.dumps(page))
    assert result.exit_code == 1
    assert errors == [("duplicate-id", None)]
    assert "/contents/0" in result.output


def test_two_organizations_with_one_id_and_different_contents_are_a_problem(
    tmp_path: Path,
) -> None:
    other = {"id": "org-1", "name": "Another org", "description": ""}
    page = {"contents": [oruk_service(), oruk_service("svc-2", organization=other)]}
    result, errors = import_text(tmp_path, json.dumps(page))
    assert result.exit_code == 1
    assert errors == [("duplicate-id", None)]


def test_the_same_service_repeated_is_still_one_pathway(tmp_path: Path) -> None:
    page = {"contents": [oruk_service(), oruk_service(), oruk_service("svc-2")]}
    result, errors = import_text(tmp_path, json.dumps(page))
    assert (result.exit_code, errors) == (0, [])


# ------------------------------------------------------------------------- cohort and counts CSV

COHORT_HEADER = "reference,needs,where,age\n"


def match_file(tmp_path: Path, name: str, content: str | bytes) -> tuple[Result, str]:
    source = tmp_path / name
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        source.write_text(content, encoding="utf-8")
    before = source.read_bytes()
    out = tmp_path / "plans.jsonl"
    result = run("match", "--file", str(source), "--out", str(out))
    assert source.read_bytes() == before
    return result, result.output


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        (COHORT_HEADER + "R1,debt,Wisbech," + "9" * 30 + "\n", 2, "age"),
        (COHORT_HEADER + "R1,debt,Wisbech,34\nR2," + "x" * 131_073 + ",Wisbech,34\n", 3, "131,072"),
        (COHORT_HEADER.encode() + b"R1,debt,Wisb\xe9ch,34\n", 2, "not UTF-8"),
        (COHORT_HEADER + "R1,debt,Wisbech,34\nR2,debt,Wis\x00bech,34\n", 3, "unknown place"),
    ],
)
def test_hostile_cohort_csv_rows_are_problems_at_their_line(
    tmp_path: Path, content: str | bytes, line: int, words: str
) -> None:
    from directory.loading import load
    from matching.cohort import read_cohort

    result, output = match_file(tmp_path, "cohort.csv", content)
    assert result.exit_code == 1, output
    assert not (tmp_path / "plans.jsonl").exists()
    _, report = read_cohort(tmp_path / "cohort.csv", load())
    assert [p.line for p in report.errors] == [line]
    assert words in report.errors[0].message


def test_a_bom_is_accepted_in_cohort_and_counts_files(tmp_path: Path) -> None:
    result, output = match_file(
        tmp_path, "cohort.csv", "\ufeff" + COHORT_HEADER + "R1,debt,March,34\n"
    )
    assert result.exit_code == 0, output
    counts = tmp_path / "counts.csv"
    counts.write_text("\ufeffdistrict,need,period,count\nfenland,debt,2026-11,12\n", "utf-8")
    assert run("gaps", "--demand", str(counts), "--format", "json").exit_code == 0


@pytest.mark.parametrize(
    ("record", "words"),
    [
        ({"needs": "debt", "where": "March", "age": [34]}, "age [34] is not a whole number"),
        ({"needs": "debt", "where": "March", "age": 34, "engaged": [1, 2]}, "engaged [1, 2]"),
        ({"needs": "debt", "where": "March", "age": {"a": 1}}, "age"),
        ({"needs": [["debt"]], "where": ["March"], "age": 34.5}, 'where ["March"] is not text'),
    ],
)
def test_jsonl_values_of_the_wrong_type_are_problems(
    tmp_path: Path, record: dict[str, object], words: str
) -> None:
    from directory.loading import load
    from matching.cohort import read_cohort

    result, _ = match_file(tmp_path, "cohort.jsonl", json.dumps(record) + "\n")
    assert result.exit_code == 1
    _, report = read_cohort(tmp_path / "cohort.jsonl", load())
    assert report.errors  # every wrong value, all on line 1
    assert {p.line for p in report.errors} == {1}
    assert any(words in p.message for p in report.errors)


@pytest.mark.parametrize(
    "line",
    [
        '{"needs": "debt", "where": "March", "age": 34, "age": 35}',
        '{"needs": "debt", "where": "March", "age": ' + "9" * 5000 + "}",
        '{"needs": "debt", "where": "March", "age": NaN}',
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_hostile_jsonl_lines_are_cohort_syntax_problems(tmp_path: Path, line: str) -> None:
    from directory.loading import load
    from matching.cohort import read_cohort

    result, _ = match_file(tmp_path, "cohort.jsonl", line + "\n")
    assert result.exit_code == 1
    _, report = read_cohort(tmp_path / "cohort.jsonl", load())
    assert report.flatten(["line", "code"]) == [[1, "cohort-syntax"]]


@pytest.mark.parametrize(
    ("row", "line", "code"),
    [
        ("fenland,debt,2026-11," + str(10**21), 3, "invalid-value"),
        ("fenland,debt,2026-11,¹²", 3, "invalid-value"),
        ("fenland,debt,2026-11," + "1" * 131_073, 3, "invalid-value"),
        ("fenland,debt,2026-11,5,extra", 3, "invalid-value"),
    ],
)
def test_hostile_counts_rows_are_problems_at_their_line(
    tmp_path: Path, row: str, line: int, code: str
) -> None:
    counts = tmp_path / "counts.csv"
    counts.write_text(f"district,need,period,count\nfenland,debt,2026-11,12\n{row}\n", "utf-8")
    before = counts.read_bytes()
    result = run("gaps", "--demand", str(counts), "--format", "json")
    assert result.exit_code == 1
    assert counts.read_bytes() == before
    from directory.errors import DataError
    from directory.loading import load
    from matching.demand import read_counts

    with pytest.raises(DataError) as caught:
        read_counts(counts, load())
    assert caught.value.report.flatten(["line", "code"]) == [[line, code]]


def test_latin1_counts_are_not_utf8_at_their_line(tmp_path: Path) -> None:
    counts = tmp_path / "counts.csv"
    counts.write_bytes(
        b"district,need,period,count\nfenland,debt,2026-11,12\nfenl\xe4nd,debt,2026-11,1\n"
    )
    assert run("gaps", "--demand", str(counts), "--format", "json").exit_code == 1
    from directory.errors import DataError
    from directory.loading import load
    from matching.demand import read_counts

    with pytest.raises(DataError) as caught:
        read_counts(counts, load())
    assert caught.value.report.flatten(["line", "column", "code"]) == [[3, 5, "not-utf8"]]


# ---------------------------------------------------------------------------------- CLI options


@pytest.mark.parametrize(
    "args",
    [
        ("capacity", "--on", "9999-12-31"),
        ("capacity", "--on", "0001-01-01"),
        ("capacity", "--on", "2026-02-30"),
        ("capacity", "--stale-after", "100000000000"),
        ("match", "--needs", "debt", "--where", "March", "--age", "34", "--on", "9999-12-31"),
        ("match", "--needs", "debt", "--where", "91, 181", "--age", "34"),
        ("match", "--needs", "debt", "--where", "March", "--age", "34", "--travel-km", "nan"),
        ("match", "--needs", "debt", "--where", "March", "--age", "34", "--travel-km", "inf"),
        ("gaps", "--synthetic", "10", "--period", "9999-W52"),
        ("gaps", "--synthetic", "10", "--period", "99999"),
        ("gaps", "--synthetic", "1000000000", "--period", "2026-11"),
        ("gaps", "--synthetic", "10", "--places", "x=" + "9" * 400),
        ("validate", "--today", "9999-12-31"),
        ("search", "x" * 100_000),
    ],
)
def test_out_of_range_options_are_usage_errors(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Error" in result.output


def test_book_on_a_far_day_is_a_usage_error(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{"referrals": [{"pathway": "x", "status": "referred"}]}', "utf-8")
    ledger = tmp_path / "ledger.sqlite"
    result = run("book", str(plan), "--ledger", str(ledger), "--on", "9999-12-31")
    assert result.exit_code == 2
    assert not ledger.exists()


def test_processes_are_bounded_by_the_cpus(tmp_path: Path) -> None:
    from pathways.options import max_processes

    cohort = tmp_path / "c.csv"
    cohort.write_text(COHORT_HEADER + "R1,debt,March,34\n", "utf-8")
    out = tmp_path / "p.jsonl"
    too_many = str(max_processes() + 1)
    result = run("match", "--file", str(cohort), "--out", str(out), "--processes", too_many)
    assert result.exit_code == 2
    assert f"1 to {max_processes()}" in result.output
    assert not out.exists()
    assert run("match", "--file", str(cohort), "--out", str(out), "--processes", "0").exit_code == 2
    ok = run("match", "--file", str(cohort), "--out", str(out), "--processes", str(max_processes()))
    assert ok.exit_code == 0, ok.output


def test_a_long_search_is_refused_and_a_short_one_answers() -> None:
    from directory.search import MAX_QUERY_CHARS

    assert run("search", "x" * (MAX_QUERY_CHARS + 1)).exit_code == 2
    assert run("search", "drink " + "x" * (MAX_QUERY_CHARS - 10)).exit_code == 0
    assert run("search", "drink").exit_code == 0


def test_the_last_day_counted_still_works() -> None:
    assert run("capacity", "--on", "2999-12-31", "--json").exit_code == 0
    far = run("gaps", "--synthetic", "5", "--period", "2999-W52", "--format", "json")
    assert far.exit_code == 0, far.output


# ------------------------------------------------------------------- ledger files: recognised first


def side_files(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


def wrong_tables(path: Path) -> None:
    """A SQLite file with the ledger's application id and version but none of its tables."""
    import sqlite3

    from matching.ledger import APPLICATION_ID, SCHEMA_VERSION

    conn = sqlite3.connect(path)
    conn.executescript(
        f"""
        CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);
        INSERT INTO notes VALUES (1, 'x');
        PRAGMA application_id = {APPLICATION_ID};
        PRAGMA user_version = {SCHEMA_VERSION};
        """
    )
    conn.close()


@pytest.mark.parametrize(
    "args",
    [
        ("capacity", "--json"),
        ("outcomes", "--json"),
        ("cancel", "ref-1"),
        ("match", "--needs", "debt", "--where", "March", "--age", "34"),
    ],
)
def test_a_file_with_the_ledger_id_but_wrong_tables_is_refused_untouched(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    path = tmp_path / "ledger" / "other.sqlite"
    path.parent.mkdir()
    wrong_tables(path)
    before = path.read_bytes()
    result = run(*args, "--ledger", str(path))
    assert result.exit_code == 1, result.output
    assert "other.sqlite" in "".join(result.output.split())  # the refusal names the file
    assert path.read_bytes() == before
    assert side_files(path) == []


def test_read_only_commands_leave_a_ledger_and_its_folder_as_they_were(tmp_path: Path) -> None:
    from matching.capacity import Ledger

    path = tmp_path / "ledger" / "ledger.sqlite"
    path.parent.mkdir()
    Ledger(path).close()
    assert side_files(path) == []
    before = path.read_bytes()
    for args in (
        ("capacity", "--json"),
        ("outcomes", "--json"),
        ("match", "--needs", "debt", "--where", "March", "--age", "34", "--json"),
    ):
        result = run(*args, "--ledger", str(path))
        assert result.exit_code == 0, result.output
        assert path.read_bytes() == before
        assert side_files(path) == []


def test_a_version_1_ledger_that_cannot_be_upgraded_is_named_and_unchanged(
    tmp_path: Path,
) -> None:
    from directory.errors import LedgerError
    from matching.capacity import Ledger
    from tests.test_ledger import _v1_file

    path = tmp_path / "old.sqlite"
    _v1_file(path, [("a", "p", "2026-11", "2026-11-02T09:00:00+00:00", "lost")])
    before = path.read_bytes()
    with pytest.raises(LedgerError, match=r"old\.sqlite.*unknown status.*left unchanged"):
        Ledger(path)
    assert path.read_bytes() == before


# ------------------------------------------------------------------ outputs never replace inputs


@pytest.mark.parametrize("name", ["c.csv", "c.jsonl"])
def test_match_out_never_overwrites_the_cohort(tmp_path: Path, name: str) -> None:
    cohort = tmp_path / name
    if name.endswith(".csv"):
        cohort.write_text(COHORT_HEADER + "R1,debt,March,34\n", "utf-8")
    else:
        cohort.write_text('{"needs": "debt", "where": "March", "age": 34}\n', "utf-8")
    before = cohort.read_bytes()
    for out in (cohort, tmp_path / "." / name, tmp_path / "sub" / ".." / name):
        (tmp_path / "sub").mkdir(exist_ok=True)
        result = run("match", "--file", str(cohort), "--out", str(out))
        assert result.exit_code == 2, result.output
        assert "never overwrites an input" in result.output
        assert cohort.read_bytes() == before
    link = tmp_path / ("link" + cohort.suffix)
    link.symlink_to(cohort)
    assert run("match", "--file", str(cohort), "--out", str(link)).exit_code == 2
    assert cohort.read_bytes() == before


def test_import_never_writes_into_its_base_directory(tmp_path: Path) -> None:
    root = make_directory(tmp_path)
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps({"contents": [oruk_service()]}), "utf-8")
    files = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = run("import", str(feed), "--out", str(root), "--dir", str(root), "--replace")
    assert result.exit_code == 2
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == files


def test_gaps_chart_never_overwrites_the_demand(tmp_path: Path) -> None:
    counts = tmp_path / "counts.svg"
    counts.write_text("district,need,period,count\nfenland,debt,2026-11,12\n", "utf-8")
    before = counts.read_bytes()
    assert run("gaps", "--demand", str(counts), "--chart", str(counts)).exit_code == 2
    assert counts.read_bytes() == before


def test_plans_appear_whole_or_not_at_all(tmp_path: Path) -> None:
    from directory.errors import PathwaysError
    from directory.loading import load
    from matching.cohort import read_cohort, write_plans
    from matching.match import Matcher

    cohort = tmp_path / "c.csv"
    cohort.write_text(COHORT_HEADER + "R1,debt,March,34\nR2,drugs,Wisbech,40\n", "utf-8")
    matcher = Matcher(load())
    rows, _ = read_cohort(cohort, matcher.assessor)
    out = tmp_path / "plans.csv"
    out.write_text("an older run\n", "utf-8")

    def failing() -> object:
        yield matcher.match(rows[0].assessment)
        raise PathwaysError("the ledger went away")

    with pytest.raises(PathwaysError):
        write_plans(failing(), out)  # type: ignore[arg-type]
    assert out.read_text("utf-8") == "an older run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv", "plans.csv"]
    assert write_plans((matcher.match(r.assessment) for r in rows), out) == 2
    assert out.read_text("utf-8").startswith("reference,district,need")


# -------------------------------------------------------------------------- CSV formula injection

FORMULAS = ["=cmd|'/Ccalc'!A0", "+SUM(1+1)", "@SUM(1)", "-2+3+cmd|'/Ccalc'!D2", "'=1"]


def test_formula_references_are_neutralised_in_plans_csv_and_read_back(tmp_path: Path) -> None:
    import csv

    from directory.csvsafe import FORMULA_START, unescape_cell

    cohort = tmp_path / "c.csv"
    with cohort.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["reference", "needs", "where", "age"])
        for ref in FORMULAS:  # written as a spreadsheet user would type them: unescaped
            writer.writerow([ref, "debt", "March", 34])
    out = tmp_path / "plans.csv"
    result = run("match", "--file", str(cohort), "--out", str(out))
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in FORMULA_START]
    assert sorted({unescape_cell(r[0]) for r in rows[1:]}) == sorted(
        # a cell typed with a leading ' is read as the spreadsheet shows it: without the '
        {ref if not ref.startswith("'") else ref[1:] for ref in FORMULAS}
    )


def test_hostile_directory_names_are_neutralised_in_the_oruk_csv_export(tmp_path: Path) -> None:
    import csv

    from directory.csvsafe import FORMULA_START, unescape_cell

    name = '=HYPERLINK("https://evil.example/","click")'
    hostile = agency(name=name)
    root = make_directory(tmp_path, agencies={"housing-help": hostile})
    out = tmp_path / "csv"
    result = run("export", "--dir", str(root), "--format", "oruk-csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    found = []
    for table in out.glob("*.csv"):
        with table.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                assert not [c for c in row if c[:1] in FORMULA_START], (table.name, row)
                found += [c for c in row if unescape_cell(c) == name]
    assert found == ["'" + name]


def test_counts_and_cohorts_written_by_pathways_read_back_unchanged(tmp_path: Path) -> None:
    from directory.loading import load
    from matching.cohort import read_cohort
    from matching.demand import synthetic_cohort, write_cohort

    d = load()
    people = synthetic_cohort(d, 30, seed=7)
    path = tmp_path / "cohort.csv"
    write_cohort(people, path)
    rows, report = read_cohort(path, d)
    assert report.ok
    assert [(r.assessment.district, r.assessment.needs) for r in rows] == [
        (p.district, tuple(p.needs)) for p in people
    ]


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, '{"referrals": NaN}', '{"referrals": [], "referrals": []}'],
)
def test_book_refuses_a_hostile_plan_file_as_usage(tmp_path: Path, text: str) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(text, "utf-8")
    ledger = tmp_path / "ledger.sqlite"
    result = run("book", str(plan), "--ledger", str(ledger))
    assert result.exit_code == 2
    assert "is not a plan" in result.output
    assert not ledger.exists()


@pytest.mark.parametrize("start", ["\r", "\x00", '"'])
def test_a_counts_header_that_csv_cannot_read_is_a_data_problem(tmp_path: Path, start: str) -> None:
    """Found by tests/test_fuzz.py: the header sniffing of gaps --demand raised csv.Error."""
    counts = tmp_path / "counts.csv"
    counts.write_text(start + "district,need,period,count\r\nfenland,debt,2026-11,12\r\n", "utf-8")
    assert run("gaps", "--demand", str(counts), "--format", "json").exit_code == 1


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_the_formula_escape_is_one_to_one_and_leaves_no_formula(value: str) -> None:
    from directory.csvsafe import FORMULA_START, escape_cell, unescape_cell

    escaped = escape_cell(value)
    assert unescape_cell(escaped) == value
    assert escaped[:1] not in FORMULA_START
    assert escaped == value or escaped == "'" + value


def test_the_published_gaps_csv_escapes_text_and_keeps_numbers() -> None:
    import csv
    import io

    from directory.csvsafe import FORMULA_START, unescape_cell
    from pathways.gaps_report import to_csv

    rows = [{"name": f, "change": -3, "demand": "<5"} for f in FORMULAS]
    read = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert not [r["name"] for r in read if r["name"][:1] in FORMULA_START]
    assert [unescape_cell(r["name"]) for r in read] == FORMULAS  # one-to-one
    assert {r["change"] for r in read} == {"-3"}  # numbers are numbers, not text to escape


def test_a_chart_file_is_replaced_whole(tmp_path: Path) -> None:
    from pathways.gap_charts import Panel, draw

    chart = tmp_path / "chart.svg"
    chart.write_text("old chart", "utf-8")
    panel = Panel("bars", "Empty", (), (), (), drawn=False, words="nothing to draw")
    draw([panel], chart)
    assert chart.read_bytes().startswith(b"<?xml")
    assert b"nothing to draw" in chart.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.svg"]  # no temporary left
