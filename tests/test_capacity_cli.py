"""The capacity commands (capacity, book, cancel, record, outcomes): output and exit codes."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from directory.loading import load
from matching.capacity import Ledger
from pathways.cli import main
from tests.factories import agency, drug_agency, make_directory

if TYPE_CHECKING:
    from pathlib import Path

DAY = "2026-11-23"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _plan(tmp_path: Path, referrals: list[dict[str, Any]], **top: Any) -> str:
    path = tmp_path / f"plan-{uuid.uuid4().hex[:6]}.json"
    path.write_text(json.dumps({**top, "referrals": referrals}), encoding="utf-8")
    return str(path)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A directory whose one limited pathway has a single place a month."""
    one = agency()
    one["pathways"][0]["capacity"]["places"] = 1
    return make_directory(
        tmp_path, agencies={"housing-help": one, "recovery-service": drug_agency()}
    )


def test_nominal_capacity_as_json() -> None:
    code, out = run("capacity", "--on", DAY, "--need", "debt", "--json")
    assert code == 0, out
    data = json.loads(out)
    directory = load()
    expected = {p.id for p in directory.pathways_by_need["debt"]}
    assert {r["pathway"] for r in data["pathways"]} == expected
    assert data["source"] == "nominal"
    for r in data["pathways"]:
        p = directory.pathway_by_id[r["pathway"]]
        if p.capacity is not None and p.capacity.status != "closed":
            assert r["left"] == r["places"] == p.capacity.places


def test_capacity_table_and_unknown_names() -> None:
    code, out = run("capacity", "--on", DAY, "--district", "fenland")
    assert code == 0, out
    assert "Places on 2026-11-23 (nominal: directory only)" in out
    code, out = run("capacity", "--need", "dbet")
    assert code == 2
    assert "did you mean 'debt'" in out
    code, out = run("capacity", "--district", "fenlnd")
    assert code == 2
    assert "'Fenland'" in out


def test_book_then_capacity_then_cancel(tmp_path: Path, tiny: Path) -> None:
    ledger = str(tmp_path / "ledger.sqlite")
    plan = _plan(tmp_path, [{"pathway": "housing-help-support", "status": "referred"}])
    code, out = run("book", plan, "--ledger", ledger, "--dir", str(tiny), "--on", DAY, "--json")
    assert code == 0, out
    booking = json.loads(out)
    uuid.UUID(booking["reference"])  # made up because the plan had none
    assert booking["referrals"] == [
        {"pathway": "housing-help-support", "period": "2026-11", "status": "booked"}
    ]
    code, out = run("capacity", "--dir", str(tiny), "--ledger", ledger, "--on", DAY, "--json")
    left = {r["pathway"]: r["left"] for r in json.loads(out)["pathways"]}
    assert left == {"housing-help-support": 0, "recovery-service-treatment": None}

    # full: refused, nothing booked, exit 1
    second = _plan(tmp_path, [{"pathway": "housing-help-support", "status": "referred"}])
    code, out = run("book", second, "--ledger", ledger, "--dir", str(tiny), "--on", DAY)
    assert code == 1
    assert "no place left in 2026-11" in out
    assert "nothing of the plan was booked" in out
    # the caller accepts a waitlist
    code, out = run(
        "book", second, "--ledger", ledger, "--dir", str(tiny), "--on", DAY, "--waitlist"
    )
    assert code == 0, out
    assert "waitlisted" in out

    code, out = run("cancel", booking["reference"], "--ledger", ledger)
    assert code == 0
    assert out.splitlines() == [
        f"cancelled 1 of 1 referral of {booking['reference']}",
        "  cancelled  housing-help-support: place given back (2026-11)",
    ]
    code, out = run("capacity", "--dir", str(tiny), "--ledger", ledger, "--on", DAY, "--json")
    assert {r["pathway"]: r["left"] for r in json.loads(out)["pathways"]}[
        "housing-help-support"
    ] == 1
    code, out = run("cancel", "no-such-reference", "--ledger", ledger)
    assert code == 2
    assert "unknown referral" in out


def test_plan_waitlisted_referrals_stay_waitlisted(tmp_path: Path, tiny: Path) -> None:
    ledger = str(tmp_path / "ledger.sqlite")
    with Ledger(ledger) as opened:  # fill the one place first
        directory = load(tiny)
        full = directory.pathway_by_id["housing-help-support"]
        opened.reserve([full], reference="a", on=date.fromisoformat(DAY))
    plan = _plan(
        tmp_path,
        [
            {"pathway": "housing-help-support", "status": "waitlisted", "need": "accommodation"},
            {"pathway": "recovery-service-treatment", "status": "referred"},
        ],
        reference="case-7",
        needs=["accommodation", "drugs"],
    )
    code, out = run("book", plan, "--ledger", ledger, "--dir", str(tiny), "--on", DAY, "--json")
    assert code == 0, out
    statuses = {r["pathway"]: r["status"] for r in json.loads(out)["referrals"]}
    assert statuses == {
        "housing-help-support": "waitlisted",
        "recovery-service-treatment": "booked",
    }
    assert "accommodation" not in out  # needs in the plan are never echoed


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("not json", "is not a plan"),
        ("[1, 2]", "JSON object"),
        ('{"referrals": [{"pathway": "x", "status": "maybe"}]}', '"status" must be'),
        ('{"referrals": [{"status": "referred"}]}', 'no "pathway"'),
    ],
)
def test_bad_plans_are_usage_errors(tmp_path: Path, content: str, match: str) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(content, encoding="utf-8")
    code, out = run("book", str(plan), "--ledger", str(tmp_path / "l.db"))
    assert code == 2
    assert match in out
    assert not (tmp_path / "l.db").exists()


def test_unknown_pathway_in_a_plan(tmp_path: Path) -> None:
    plan = _plan(tmp_path, [{"pathway": "aspire-drug-treatmnt", "status": "referred"}])
    code, out = run("book", plan, "--ledger", str(tmp_path / "l.db"))
    assert code == 2
    assert "did you mean 'aspire-drug-treatment'" in out


def test_a_ledger_that_is_not_one_is_refused_unchanged(tmp_path: Path) -> None:
    junk = tmp_path / "notes.sqlite"
    junk.write_bytes(b"these are my notes, not a ledger" * 8)
    code, out = run("capacity", "--ledger", str(junk))
    assert code == 1
    assert "not a SQLite database" in out
    assert junk.read_bytes() == b"these are my notes, not a ledger" * 8
    code, out = run("capacity", "--ledger", str(tmp_path / "missing.sqlite"))
    assert code == 1
    assert "no ledger at" in out
    assert not (tmp_path / "missing.sqlite").exists()


def test_record_and_outcomes_are_suppressed_aggregates(tmp_path: Path) -> None:
    ledger = str(tmp_path / "ledger.sqlite")
    references = [f"case-{i:03d}" for i in range(7)]
    directory = load()
    plan = [directory.pathway_by_id[p] for p in ("aspire-drug-treatment", "carc-debt-advice")]
    with Ledger(ledger) as opened:
        for ref in references:
            opened.reserve(plan, reference=ref, on=date.fromisoformat(DAY))
        for ref in references[2:6]:
            opened.set_status(ref, "aspire-drug-treatment", "attended")
    for ref in references[:2]:
        assert run("record", ref, "aspire-drug-treatment", "attended", "--ledger", ledger)[0] == 0
    code, out = run("record", "case-000", "aspire-drug-treatment", "completed", "--ledger", ledger)
    assert (code, out.strip()) == (0, "case-000 aspire-drug-treatment: completed")
    code, out = run("record", "case-000", "aspire-drug-treatment", "attended", "--ledger", ledger)
    assert code == 1
    assert "cannot become attended" in out

    code, out = run("outcomes", "--ledger", ledger, "--by", "agency", "--json")
    assert code == 0, out
    data = json.loads(out)
    rows = {r["group"]: r for r in data["rows"]}
    assert rows["aspire-peterborough"]["referrals"] == "7"
    assert rows["aspire-peterborough"]["attended"] == "6"
    assert rows["aspire-peterborough"]["completed"] == "<5"
    assert rows["aspire-peterborough"]["attendance"] == "86%"
    assert rows["aspire-peterborough"]["completion"] == "suppressed"
    assert data["total"]["referrals"] == "14"
    code, out = run("outcomes", "--ledger", ledger, "--from", "2026-12-01")
    assert code == 0
    assert "aspire" not in out
    code, table = run("outcomes", "--ledger", ledger)
    assert code == 0
    assert "<5" in table
    for ref in references:  # outcomes never name a referral
        assert ref not in out + table
    code, out = run("outcomes", "--ledger", ledger, "--threshold", "2")
    assert code == 2


def test_cancel_says_what_was_kept_and_why_and_twice_cancels_nothing(
    tmp_path: Path, tiny: Path
) -> None:
    """A two-referral plan with one referral attended: the other is cancelled, the attended one
    kept and said to be; cancelling again cancels nothing and exits 1."""
    ledger = str(tmp_path / "ledger.sqlite")
    plan = _plan(
        tmp_path,
        [
            {"pathway": "housing-help-support", "status": "referred"},
            {"pathway": "recovery-service-treatment", "status": "referred"},
        ],
        reference="case-two",
    )
    code, out = run("book", plan, "--ledger", ledger, "--dir", str(tiny), "--on", DAY)
    assert code == 0, out
    assert (
        run("record", "case-two", "recovery-service-treatment", "attended", "--ledger", ledger)[0]
        == 0
    )
    code, out = run("cancel", "case-two", "--ledger", ledger)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "cancelled 1 of 2 referrals of case-two"
    assert "cancelled      housing-help-support: place given back" in lines[1]
    assert lines[2].split() == [
        "not",
        "cancelled",
        "recovery-service-treatment:",
        "kept:",
        "already",
        "attended",
    ]
    code, out = run("cancel", "case-two", "--ledger", ledger)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "nothing cancelled for case-two: no referral was still booked"
    assert "housing-help-support: already cancelled" in lines[1]
    assert "recovery-service-treatment: kept: already attended" in lines[2]
    code, out = run("cancel", "case-two", "--pathway", "housing-help-support", "--ledger", ledger)
    assert code == 1
    assert len(out.splitlines()) == 2


def test_capacity_reads_need_words_and_places_as_match_does(tmp_path: Path) -> None:
    """``capacity --need housing`` (the README's word) and a town for --district."""
    result = CliRunner().invoke(
        main, ["capacity", "--need", "housing", "--district", "Wisbech", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    d = load()
    expected = {
        p.id
        for p in d.pathways
        if "accommodation" in p.needs and "fenland" in d.served_districts(p)
    }
    assert {r["pathway"] for r in data["pathways"]} == expected
    assert [(r["typed"], r["read_as"], r["exact"]) for r in data["interpreted"]] == [
        ("housing", "accommodation", True),
        ("Wisbech", "fenland", True),
    ]
    result = CliRunner().invoke(main, ["capacity", "--need", "housng", "--json"])
    assert result.exit_code == 0
    assert "read 'housng' as accommodation" in result.stderr
    assert json.loads(result.stdout)["interpreted"][0]["exact"] is False
