"""matching.cohort and ``pathways match --file``: every row read, every problem, plans written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from directory.errors import InvalidArgumentError
from directory.loading import load
from directory.models import Directory
from matching.assessment import assess
from matching.batch import match_many
from matching.cohort import (
    COLUMNS,
    CSV_COLUMNS,
    cohort_format,
    iter_cohort,
    read_cohort,
    write_plans,
)
from matching.match import Matcher
from matching.plan import Plan

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "cohort.csv"


@pytest.fixture(scope="module")
def d() -> Directory:
    return load()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_example_reads_clean_and_matches(d: Directory) -> None:
    rows, report = read_cohort(EXAMPLE, d)
    assert report.problems == ()
    assert [r.line for r in rows] == list(range(2, 12))
    with EXAMPLE.open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == list(COLUMNS)
    first = rows[0].assessment
    assert first == assess(
        d,
        reference="EX-0001",
        needs="housing, drink, debt",
        where="Wisbech",
        age=34,
        gender="male",
        offence="shoplifting",
        disposal="conditional caution",
    )
    seventh = rows[6].assessment
    assert seventh.engaged == {"cgl-cambridgeshire": ("alcohol",)}
    plans = match_many(d, [r.assessment for r in rows])
    assert [p.reference for p in plans] == [f"EX-{i:04d}" for i in range(1, 11)]


def test_csv_and_jsonl_read_the_same(d: Directory, tmp_path: Path) -> None:
    rows, _ = read_cohort(EXAMPLE, d)
    lines = []
    with EXAMPLE.open(encoding="utf-8") as f:
        for record in csv.DictReader(f):
            record = {k: v for k, v in record.items() if v}
            if "age" in record:
                record["age"] = int(record["age"])
            if "needs" in record:
                record["needs"] = record["needs"].split(";")
            lines.append(json.dumps(record))
    jsonl = write(tmp_path / "cohort.jsonl", "\n".join(lines) + "\n\n")
    again, report = read_cohort(jsonl, d)
    assert report.problems == ()
    assert [r.assessment for r in again] == [r.assessment for r in rows]


def test_every_problem_is_reported_at_once_with_line_and_column(
    d: Directory, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "people.csv",
        "reference,needs,where,age,disposal,engaged,travel_km,accept_remote\n"
        "ok-1,debt,March,30,,,,\n"
        "bad-2,banana,Wisbeach,9,,,,\n"
        "bad-3,debt,March,thirty,,outside-link:debt,-4,perhaps\n"
        "bad-4,debt,March,30,youth caution,,,\n"
        "bad-5,debt,March,30\n"
        "\n"
        "ok-6,drink,Ely,40,,,,\n",
    )
    rows, report = read_cohort(path, d)
    assert [r.assessment.reference for r in rows] == ["ok-1", "ok-6"]
    assert [r.line for r in rows] == [2, 8]
    assert sorted(report.flatten(["line", "field", "record"]), key=str) == [
        [3, "age", "bad-2"],
        [3, "needs", "bad-2"],
        [3, "where", "bad-2"],
        [4, "accept_remote", "bad-3"],
        [4, "age", "bad-3"],
        [4, "engaged", "bad-3"],
        [4, "travel_km", "bad-3"],
        [5, None, "bad-4"],
        [6, None, None],
    ]
    assert "age 'thirty' is not a whole number" in {p.message for p in report.problems}
    assert {p.file for p in report.problems} == {str(path)}
    messages = {p.line: p.message for p in report.problems}
    assert "for under-18s" in messages[5]
    assert "4 values where the header has 8 columns" in messages[6]
    where = next(p for p in report.problems if p.field == "where")
    assert "did you mean 'Wisbech'" in where.message
    assert {p.code for p in report.problems} == {"cohort-value", "cohort-syntax"}
    assert all(p.hint for p in report.problems)


def test_header_problems(d: Directory, tmp_path: Path) -> None:
    path = write(tmp_path / "h.csv", "needs,where,name,needs\ndebt,March,Jo,debt\n")
    rows, report = read_cohort(path, d)
    assert rows == ()
    assert report.flatten(["line", "field", "code"]) == [
        [1, None, "cohort-column"],
        [1, "age", "cohort-column"],
        [1, "name", "cohort-column"],
    ]
    _, report = read_cohort(write(tmp_path / "e.csv", ""), d)
    assert report.codes() == ["empty-file"]
    _, report = read_cohort(tmp_path / "nope.csv", d)
    assert report.codes() == ["missing-file"]
    (tmp_path / "latin.csv").write_bytes("needs,where,age\ndebt,M\xe4rch,30\n".encode("latin-1"))
    _, report = read_cohort(tmp_path / "latin.csv", d)
    assert report.codes() == ["not-utf8"]


def test_jsonl_problems(d: Directory, tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.jsonl",
        '{"needs": ["debt"], "where": "March", "age": 30}\n'
        "{not json\n"
        "[1, 2]\n"
        '{"needs": "debt", "where": "March", "age": 30, "nam": "Jo"}\n'
        '{"needs": "debt", "where": "March", "age": 30.5, "accept_waitlist": true}\n'
        '{"needs": "debt", "where": "March", "age": true}\n'
        '{"where": "March", "age": 30, "engaged": {"outside-links": ["debt"]}}\n'
        '{"needs": "debt", "where": "March", "age": 30, "engaged": {"outside-links": "debt"}}\n',
    )
    rows, report = read_cohort(path, d)
    assert [r.line for r in rows] == [1, 8]
    assert rows[1].assessment.engaged == {"outside-links": ("debt",)}
    assert report.flatten(["line", "code", "field"]) == [
        [2, "cohort-syntax", None],
        [3, "cohort-syntax", None],
        [4, "cohort-column", "nam"],
        [5, "cohort-value", "age"],
        [6, "cohort-value", "age"],
        [7, "cohort-value", "needs"],
    ]


def test_streaming_reader_keeps_going(d: Directory, tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "needs,where,age\ndebt,March,30\nx,March,30\ndrink,Ely,41\n")
    problems: list = []
    rows = list(iter_cohort(path, Matcher(d).assessor, problems))
    assert [r.line for r in rows] == [2, 4]
    assert [p.line for p in problems] == [3]


def test_formats() -> None:
    assert cohort_format("a.ndjson") == "jsonl"
    with pytest.raises(InvalidArgumentError, match=r"not '\.xlsx'"):
        cohort_format("a.xlsx")


def test_plans_written_as_jsonl_and_csv(d: Directory, tmp_path: Path) -> None:
    rows, _ = read_cohort(EXAMPLE, d)
    plans = match_many(d, [r.assessment for r in rows])
    assert write_plans(plans, tmp_path / "plans.jsonl") == 10
    lines = (tmp_path / "plans.jsonl").read_text(encoding="utf-8").splitlines()
    assert [Plan.model_validate(json.loads(line)) for line in lines] == plans
    assert write_plans(plans, tmp_path / "plans.csv") == 10
    with (tmp_path / "plans.csv").open(encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert list(table[0]) == list(CSV_COLUMNS)
    expected = sum(len(p.referrals) + len(p.already_met) + len(p.unmet) for p in plans)
    assert len(table) == expected
    outcomes = {row["outcome"] for row in table}
    assert (
        {"referred", "already-met"}
        <= outcomes
        <= {"referred", "waitlisted", "already-met", "unmet"}
    )
    for plan in plans:
        mine = [row for row in table if row["reference"] == plan.reference]
        assert sorted(row["need"] for row in mine) == sorted(
            [r.need for r in plan.referrals]
            + [m.need for m in plan.already_met]
            + [u.need for u in plan.unmet]
        )


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------


def run(*args: str) -> object:
    from pathways.cli import main

    return CliRunner().invoke(main, ["match", *args])


def test_cli_matches_a_cohort_file(tmp_path: Path) -> None:
    out = tmp_path / "plans.jsonl"
    result = run("--file", str(EXAMPLE), "--out", str(out))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    plans = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [p["reference"] for p in plans] == [f"EX-{i:04d}" for i in range(1, 11)]
    assert "10 plan(s) written" in result.output  # type: ignore[attr-defined]
    csv_out = tmp_path / "plans.csv"
    result = run("--file", str(EXAMPLE), "--out", str(csv_out), "--processes", "2")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert csv_out.read_text(encoding="utf-8").startswith(",".join(CSV_COLUMNS))


def test_cli_refuses_a_cohort_with_problems(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", "needs,where,age\nbanana,March,30\ndebt,Marsh,40\n")
    out = tmp_path / "plans.jsonl"
    result = run("--file", str(bad), "--out", str(out))
    assert result.exit_code == 1
    assert "2 problem(s)" in result.output  # type: ignore[attr-defined]
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--file", "x.xlsx", "--out", "p.jsonl"], "not '.xlsx'"),
        (["--file", "x.csv"], "--file needs --out"),
        (["--file", "x.csv", "--out", "p.jsonl", "--needs", "debt"], "cannot be used with --file"),
    ],
)
def test_cli_cohort_usage_errors(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output  # type: ignore[attr-defined]


def test_json_values_of_the_wrong_kind_are_problems_not_crashes(
    d: Directory, tmp_path: Path
) -> None:
    """A list where a number goes, numbers where words go: reported per line and key."""
    lines = [
        '{"needs": "debt", "where": "March", "age": 30, "engaged": [1]}',
        '{"needs": [3], "where": "March", "age": [30]}',
        '{"needs": "debt", "where": "March", "age": 30, "accept_remote": {"a": 1}}',
        '{"needs": "debt", "where": "March", "age": 30}',
    ]
    path = write(tmp_path / "kinds.jsonl", "\n".join(lines) + "\n")
    rows, report = read_cohort(path, d)
    assert [r.line for r in rows] == [4]
    assert sorted((p.line, p.field) for p in report.problems) == [
        (1, "engaged"),
        (2, "age"),
        (2, "needs"),
        (3, "accept_remote"),
    ]
