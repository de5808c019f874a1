"""Matching, booking, capacity and gaps over HTTP (pathways.web) on a real uvicorn server.

The answers are the library's: ``POST /match`` prints what ``pathways match --json`` prints for
the same person and day; batches what the library plans line by line; bookings land in the
ledger all or none; capacity and gaps are the library's tables. The service's own openapi.json
is exercised by schemathesis (no server error, answers valid against the documented schemas,
only documented statuses).
"""

from __future__ import annotations

import csv
import json
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from click.testing import CliRunner
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from directory.loading import load
from directory.models import Directory
from matching.assessment import Assessor
from matching.capacity import Ledger, NominalCapacity, places
from matching.cohort import assessment_from_record
from matching.demand import read_counts
from matching.gaps import gaps
from matching.match import Matcher
from pathways.cli import main
from pathways.gaps_report import gap_tables
from pathways.web import WebSettings, create_app
from pathways.web.auth import TokenStore, token_line
from tests.factories import agency, drug_agency, make_directory
from tests.web_server import running

warnings.filterwarnings("ignore", category=DeprecationWarning)

DAY = date(2026, 11, 23)
UNLIMITED = WebSettings(rate=1e6, burst=1_000_000)
TOKENS = TokenStore.parse(
    token_line("all-roles", "case-system", ["match", "book", "capacity"])
    + token_line("match-only", "finder", ["match"])
)
ALL = {"Authorization": "Bearer all-roles"}
PEOPLE: list[dict[str, Any]] = [
    {"needs": ["housing", "drink", "debt"], "where": "Wisbech", "age": 34},
    {"needs": "drugs;mental health", "where": "PE1", "age": 22, "gender": "female"},
    {"needs": ["education", "family"], "where": "Huntingdon", "age": 15},
    {
        "reference": "EX-9",
        "needs": ["drink", "anger"],
        "where": "March",
        "age": 45,
        "engaged": {"cgl-cambridgeshire": ["drink"]},
        "travel_km": 10,
        "accept_remote": "no",
    },
]


@pytest.fixture(scope="module")
def shipped() -> Directory:
    return load(today=date.today())


@pytest.fixture(scope="module")
def counts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demand") / "counts.csv"
    rows = [
        ("fenland", "accommodation", "2026-11", 40),
        ("fenland", "gambling", "2026-11", 3),
        ("peterborough", "drugs", "2026-11", 25),
        ("cambridge", "debt", "2026-11", 7),
    ]
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["district", "need", "period", "count"])
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def base(shipped: Directory, counts: Path) -> Iterator[str]:
    app = create_app(shipped, tokens=TOKENS, demand=counts, settings=UNLIMITED)
    with running(app) as url:
        yield url


@pytest.fixture(scope="module")
def http(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as client:
        yield client


# ================================================================================== match
@pytest.mark.parametrize("person", PEOPLE)
def test_match_answers_as_the_command_line(person: dict[str, Any], http: httpx.Client) -> None:
    response = http.post("/match", json=person, params={"on": DAY.isoformat()}, headers=ALL)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    needs = person["needs"] if isinstance(person["needs"], str) else ", ".join(person["needs"])
    args = ["match", "--needs", needs, "--where", person["where"], "--age", str(person["age"])]
    args += ["--on", DAY.isoformat(), "--json"]
    if "gender" in person:
        args += ["--gender", person["gender"]]
    if "reference" in person:
        args += ["--reference", person["reference"]]
    for agency_id, met in person.get("engaged", {}).items():
        args += ["--engaged", f"{agency_id}:{'|'.join(met)}"]
    if "travel_km" in person:
        args += ["--travel-km", str(person["travel_km"])]
    if person.get("accept_remote") == "no":
        args += ["--no-remote"]
    cli = CliRunner().invoke(main, args)
    assert cli.exit_code == 0, cli.output
    assert response.json() == json.loads(cli.output)


def test_match_refuses_a_bad_assessment_with_every_problem(http: httpx.Client) -> None:
    response = http.post(
        "/match", json={"needs": ["dbet"], "where": "Wisbch", "age": 8}, headers=ALL
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "assessment"
    assert [p["field"] for p in body["problems"]] == ["needs", "where", "age"]
    assert "debt" in body["problems"][0]["message"]  # the suggestion
    assert (
        http.post(
            "/match", content=b"{", headers={**ALL, "content-type": "application/json"}
        ).status_code
        == 400
    )
    assert (
        http.post(
            "/match", content=b"needs=debt", headers={**ALL, "content-type": "text/plain"}
        ).status_code
        == 415
    )
    assert (
        http.post("/match", json={**PEOPLE[0], "name": "A Person"}, headers=ALL).status_code == 422
    )


def test_batch_streams_the_library_plans_in_order(shipped: Directory, http: httpx.Client) -> None:
    lines = [json.dumps(p) for p in PEOPLE] + ["", "not json", json.dumps({"needs": "x"})]
    response = http.post(
        "/match/batch",
        content="\n".join(lines).encode(),
        params={"on": DAY.isoformat()},
        headers={**ALL, "content-type": "application/x-ndjson"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    out = [json.loads(line) for line in response.text.splitlines()]
    matcher = Matcher(shipped)
    expected = []
    for p in PEOPLE:  # each line as POST /match answers: with how this person's words were read
        assessor = Assessor(shipped)
        plan = matcher.match(assessment_from_record(assessor, p), on=DAY)
        expected.append(
            plan.model_copy(update={"interpreted": assessor.readings()}).model_dump(mode="json")
        )
    assert any(line["interpreted"] for line in expected)
    assert out[: len(PEOPLE)] == expected
    assert out[len(PEOPLE)]["line"] == len(PEOPLE) + 2
    assert out[len(PEOPLE)]["error"] == "assessment"
    assert out[-1]["line"] == len(PEOPLE) + 3
    assert {p["field"] for p in out[-1]["problems"]} == {"where", "age"}


# ============================================================================= capacity
def test_capacity_is_the_library_table(shipped: Directory, http: httpx.Client) -> None:
    response = http.get(
        "/capacity",
        params={"district": "fenland", "need": "debt", "on": DAY.isoformat()},
        headers=ALL,
    )
    assert response.status_code == 200
    rows = places(shipped, NominalCapacity(), on=DAY, district="fenland", need="debt")
    assert [r["pathway"] for r in response.json()] == [r.pathway for r in rows]
    assert [r["left"] for r in response.json()] == [r.availability.left for r in rows]
    bad = http.get("/capacity", params={"need": "dbet"}, headers=ALL)
    assert bad.status_code == 400
    assert "debt" in bad.json()["message"]


# ================================================================================= gaps
def test_gaps_publishes_the_library_tables_suppressed(
    shipped: Directory, counts: Path, http: httpx.Client
) -> None:
    response = http.get("/gaps")  # public: no token
    assert response.status_code == 200
    demand = read_counts(counts, shipped)["2026-11"]
    expected = gap_tables(gaps(shipped, demand, period="2026-11"))
    assert response.json() == {"period": "2026-11", "tables": json.loads(json.dumps(expected))}
    cells = response.json()["tables"]["cells"]
    gambling = next(c for c in cells if c["need"] == "gambling")
    assert gambling["demand"] == "<5"  # 3 people: never published as a number
    assert http.get("/gaps", params={"period": "2025-01"}).status_code == 404


# ============================================================================= bookings
def _small(tmp_path: Path) -> Directory:
    root = make_directory(
        tmp_path, agencies={"housing-help": agency(), "recovery-service": drug_agency()}
    )
    return load(root, today=DAY)


def test_bookings_are_all_or_none_and_never_overbook(tmp_path: Path) -> None:
    d = _small(tmp_path)
    ledger_path = tmp_path / "ledger.sqlite"
    app = create_app(d, ledger=ledger_path, tokens=TOKENS, settings=UNLIMITED)
    person = {"needs": ["housing", "drink"], "where": "Wisbech", "age": 30}
    with running(app) as url, httpx.Client(base_url=url) as http:
        booked = []
        for n in range(7):
            plan = http.post(
                "/match",
                json={**person, "reference": f"case-{n}"},
                params={"on": DAY.isoformat()},
                headers=ALL,
            ).json()
            response = http.post(
                "/bookings", json=plan, params={"on": DAY.isoformat()}, headers=ALL
            )
            booked.append(response.status_code)
            if response.status_code == 201:
                body = response.json()
                assert body["reference"] == f"case-{n}"
                assert sorted(r["pathway"] for r in body["referrals"]) == sorted(
                    {r["pathway"] for r in plan["referrals"]}
                )
            else:
                assert response.json()["error"] in ("place-full", "invalid")
        # five places a month in housing: five plans booked; then the matcher finds none left,
        # and a plan naming the full pathway is refused whole
        assert booked[:5] == [201] * 5
        full_plan = {
            "reference": "case-late",
            "referrals": [
                {"pathway": "housing-help-support", "status": "referred"},
                {"pathway": "recovery-service-treatment", "status": "referred"},
            ],
        }
        refused = http.post(
            "/bookings", json=full_plan, params={"on": DAY.isoformat()}, headers=ALL
        )
        assert refused.status_code == 409
        assert refused.json()["error"] == "place-full"
        retry = http.post(
            "/bookings",
            json={
                "reference": "case-0",
                "referrals": [
                    {"pathway": "housing-help-support", "status": "referred"},
                    {"pathway": "recovery-service-treatment", "status": "referred"},
                ],
            },
            params={"on": DAY.isoformat()},
            headers=ALL,
        )
        assert retry.status_code == 201  # the same booking again: a safe retry
        unknown = http.post(
            "/bookings",
            json={"referrals": [{"pathway": "nope", "status": "referred"}]},
            headers=ALL,
        )
        assert unknown.status_code == 422
        capacity = http.get("/capacity", params={"on": DAY.isoformat()}, headers=ALL).json()
    with Ledger(ledger_path, create=False) as ledger:
        assert "case-late" not in ledger.references()  # nothing of the refused plan
        assert ledger.booked("housing-help-support", "2026-11") == 5
        ledger.check()
    housing = next(r for r in capacity if r["pathway"] == "housing-help-support")
    assert (housing["booked"], housing["left"]) == (5, 0)


def test_no_ledger_no_bookings_route(http: httpx.Client) -> None:
    assert http.post("/bookings", json={"referrals": []}, headers=ALL).status_code in (404, 405)


# ======================================================================= own openapi.json
def test_own_openapi_documents_every_route(http: httpx.Client) -> None:
    document = http.get("/openapi.json").json()
    for path in ["/services", "/services/{id}", "/match", "/match/batch", "/capacity", "/gaps"]:
        assert path in document["paths"]
    assert http.get("/docs").status_code == 200


OWN = schemathesis.pytest.from_fixture("own_schema")
# a batch body is text (one JSON object a line): sent as schemathesis sends text/plain
schemathesis.serializer.alias("application/x-ndjson", "text/plain")


@pytest.fixture(scope="module")
def own_schema(tmp_path_factory: pytest.TempPathFactory, counts: Path) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("own")
    d = _small(folder)
    app = create_app(
        d, ledger=folder / "ledger.sqlite", tokens=TOKENS, demand=None, settings=UNLIMITED
    )
    with running(app) as url:
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
        schema.config.update(base_url=url, headers=ALL)
        yield schema


@OWN.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_own_openapi_conformance(case: Any) -> None:
    case.call_and_validate(
        checks=[
            not_a_server_error,
            response_schema_conformance,
            content_type_conformance,
            status_code_conformance,
        ],
    )
