"""JSON Schemas for editors: shipped files pass, broken ones fail, and schema and models agree.

The committed copy in ``schema/`` is compared with a fresh generation; after changing the models,
refresh it with ``UPDATE_GOLDEN=1 pytest tests/test_schema.py``.
"""

from __future__ import annotations

import copy
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from jsonschema.exceptions import ValidationError as SchemaViolation
from pydantic import BaseModel, ValidationError

from directory.loading import _LISTS, _SCALARS, LOCALITIES_FILE, NEEDS_FILE, read_directory
from directory.models import Agency
from directory.schema import (
    FIELD_DESCRIPTIONS,
    FILES,
    KEYWORDS,
    json_schemas,
    vscode_settings,
    write_schemas,
)
from pathways.commands.schema import schema as schema_command
from tests.factories import LOCALITIES, NEEDS, agency, make_directory

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "directory" / "data"
GOLDEN = ROOT / "schema"
Validator = jsonschema.Draft202012Validator


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()  # editors read YAML 1.2: an unquoted date is a string
    raise TypeError(type(value))


def _plain(data: Any) -> Any:
    return json.loads(json.dumps(data, default=_json_default))


def _read(path: Path) -> Any:
    return _plain(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict[str, Any]]:
    return json_schemas()


def _message(error: SchemaViolation) -> str:
    """For a value that matched no branch of an anyOf, the deepest branch error that is not
    "is not of type 'null'" (what an editor shows on hover), else the error's own message."""
    branches = [
        c
        for c in error.context or ()
        if not (c.validator == "type" and c.validator_value == "null")
    ]
    if not branches:
        return error.message
    return _message(max(branches, key=lambda c: len(c.absolute_path)))


def _errors(schemas: dict[str, dict[str, Any]], kind: str, document: Any) -> list[str]:
    validator = Validator(schemas[kind], format_checker=Validator.FORMAT_CHECKER)
    return sorted(_message(e) for e in validator.iter_errors(_plain(document)))


def test_schemas_are_valid_draft_2020_12(schemas: dict[str, dict[str, Any]]) -> None:
    assert set(schemas) == {"needs", "localities", "agency"}
    for s in schemas.values():
        Validator.check_schema(s)
        assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert s["additionalProperties"] is False
        assert all(d["additionalProperties"] is False for d in s["$defs"].values())


def test_every_shipped_file_validates(schemas: dict[str, dict[str, Any]]) -> None:
    files = [("needs", DATA / NEEDS_FILE), ("localities", DATA / LOCALITIES_FILE)]
    files += [("agency", p) for p in sorted((DATA / "agencies").glob("*.yaml"))]
    assert len(files) > 30
    for kind, path in files:
        assert _errors(schemas, kind, _read(path)) == [], path.name


# (where in the document, key, value, the words the schema's message must contain)
BROKEN_AGENCIES = [
    ((), "adress", "1 High Street", "Additional properties"),
    (("pathways", 0), "need", ["drugs"], "Additional properties"),
    (("pathways", 0, "capacity"), "places", "many", "is not of type 'integer'"),
    (("pathways", 0, "capacity"), "places", -3, "less than the minimum"),
    (("pathways", 0, "capacity"), "per", "fortnight", "is not one of"),
    (("pathways", 0), "delivery", ["carrier_pigeon"], "is not one of"),
    (("pathways", 0), "districts", "everywhere", "is not of type 'array'"),
    (("pathways", 0), "id", "Housing_Help", "does not match"),
    (("pathways", 0, "eligibility"), "min_age", 8, "less than the minimum"),
    (("sites", 0), "lat", 48.0, "less than the minimum"),
    (("sites", 0), "postcode", "PE1", "does not match"),
    ((), "website", "ftp://example.org", "does not match"),
    ((), "last_verified", "15/10/2026", "is not a 'date'"),
    ((), "contacts", [{"kind": "phone", "value": "call us"}], "does not match"),
    ((), "contacts", [{"kind": "email", "value": "nobody"}], "does not match"),
    ((), "pathways", [], "should be non-empty"),
]


def _set(document: dict[str, Any], where: tuple[str | int, ...], key: str, value: Any) -> None:
    node: Any = document
    for part in where:
        node = node[part]
    node[key] = value


@pytest.mark.parametrize(("where", "key", "value", "message"), BROKEN_AGENCIES)
def test_broken_agency_fails_schema_and_loader(
    schemas: dict[str, dict[str, Any]],
    tmp_path: Path,
    where: tuple[str | int, ...],
    key: str,
    value: Any,
    message: str,
) -> None:
    good = agency()
    good["pathways"][0]["eligibility"] = {"min_age": 18}
    assert _errors(schemas, "agency", good) == []
    broken = copy.deepcopy(good)
    _set(broken, where, key, value)
    errors = _errors(schemas, "agency", broken)
    assert len(errors) == 1, errors
    assert message in errors[0]
    # the loader refuses the same file: schema and loader agree
    directory, report = read_directory(make_directory(tmp_path, agencies={"housing-help": broken}))
    assert directory is None
    assert report.errors


def test_missing_required_key_fails(schemas: dict[str, dict[str, Any]]) -> None:
    broken = agency()
    del broken["pathways"]
    assert _errors(schemas, "agency", broken) == ["'pathways' is a required property"]


def test_broken_needs_and_localities(schemas: dict[str, dict[str, Any]]) -> None:
    assert _errors(schemas, "needs", NEEDS) == []
    assert _errors(schemas, "localities", LOCALITIES) == []
    assert _errors(schemas, "needs", {**NEEDS, "version": 3}) == []
    assert _errors(schemas, "needs", {**NEEDS, "taxonomy": []}) == [
        "Additional properties are not allowed ('taxonomy' was unexpected)"
    ]
    needs = copy.deepcopy(NEEDS)
    needs["needs"][0]["synonyms"] = "housing"
    assert _errors(schemas, "needs", needs) == ["'housing' is not of type 'array'"]
    places = copy.deepcopy(LOCALITIES)
    places["districts"][0]["lat"] = "52.5"
    assert _errors(schemas, "localities", places) == ["'52.5' is not of type 'number'"]
    places = copy.deepcopy(LOCALITIES)
    places["postcode_districts"][0]["code"] = "pe13"
    assert len(_errors(schemas, "localities", places)) == 1


def test_wrappers_hold_the_loaders_keys() -> None:
    for name, file in (("needs", NEEDS_FILE), ("localities", LOCALITIES_FILE)):
        model: type[BaseModel] = FILES[name][0]
        assert set(model.model_fields) == set(_LISTS[file]) | _SCALARS[file]
        for key, item_model in _LISTS[file].items():
            assert model.model_fields[key].annotation == tuple[item_model, ...]  # type: ignore[valid-type]


def _properties(schema: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    out = {(schema["title"], k): v for k, v in schema["properties"].items()}
    for name, definition in schema.get("$defs", {}).items():
        out |= {(name, k): v for k, v in definition["properties"].items()}
    return out


def test_every_property_has_a_description(schemas: dict[str, dict[str, Any]]) -> None:
    seen: set[tuple[str, str]] = set()
    for s in schemas.values():
        for (model, field), prop in _properties(s).items():
            assert prop.get("description"), f"{model}.{field} has no description"
            seen.add((model, field))
        for d in [s, *s["$defs"].values()]:
            assert ">>>" not in d.get("description", ""), d["title"]
    documented = {(m, f) for m, fields in FIELD_DESCRIPTIONS.items() for f in fields}
    assert documented == seen, "FIELD_DESCRIPTIONS names fields the models do not have"
    assert set(KEYWORDS) <= seen


# (model field, value, accepted by the model?) at the edges of each extra keyword
EDGES = [
    ("Site.lat", 49.8, True),
    ("Site.lat", 49.79, False),
    ("Site.lon", 1.8, True),
    ("Site.lon", 1.81, False),
    ("Site.postcode", "PE1 5DU", True),
    ("Site.postcode", "pe1 5du", False),
    ("Capacity.places", 0, True),
    ("Capacity.places", -1, False),
    ("Eligibility.min_age", 10, True),
    ("Eligibility.min_age", 9, False),
    ("Eligibility.max_age", 120, True),
    ("Eligibility.max_age", 121, False),
    ("Agency.website", "https://www.example.org/page?x=1", True),
    ("Agency.website", "javascript:alert(1)", False),
    ("Source.url", "http://example.org", True),
    ("Source.url", "example.org", False),
    ("Contact.phone", "01733 000000", True),
    ("Contact.phone", "+44 1733 000000", True),
    ("Contact.phone", "000", False),
    ("Contact.email", "team@example.org", True),
    ("Contact.email", "team@example", False),
    ("Contact.website", "https://example.org", True),
    ("Contact.website", "www.example.org", False),
]


def _with_edge(field: str, value: Any) -> dict[str, Any]:
    doc = agency()
    model, name = field.split(".")
    target = {
        "Site": doc["sites"][0],
        "Capacity": doc["pathways"][0]["capacity"],
        "Agency": doc,
    }
    if model in target:
        target[model][name] = value
    elif model == "Eligibility":
        doc["pathways"][0]["eligibility"] = {name: value}
    elif model == "Source":
        doc["sources"][0]["url"] = value
    else:
        doc["contacts"] = [{"kind": name, "value": value}]
    return doc


@pytest.mark.parametrize(("field", "value", "valid"), EDGES)
def test_schema_keywords_agree_with_the_model(
    schemas: dict[str, dict[str, Any]], field: str, value: Any, valid: bool
) -> None:
    doc = _with_edge(field, value)
    try:
        Agency.model_validate(doc)
        model_ok = True
    except ValidationError:
        model_ok = False
    assert model_ok is valid
    assert (_errors(schemas, "agency", doc) == []) is valid


def test_committed_schemas_are_current(tmp_path: Path) -> None:
    fresh = sorted(p.name for p in write_schemas(tmp_path / "schema"))
    assert fresh == [
        "README.md",
        "agency.schema.json",
        "localities.schema.json",
        "needs.schema.json",
    ]
    if os.environ.get("UPDATE_GOLDEN"):
        write_schemas(GOLDEN)
    for name in fresh:
        committed = GOLDEN / name
        assert committed.exists(), f"run UPDATE_GOLDEN=1 pytest {__file__}"
        assert (tmp_path / "schema" / name).read_text(encoding="utf-8") == committed.read_text(
            encoding="utf-8"
        ), f"schema/{name} is out of date: run UPDATE_GOLDEN=1 pytest tests/test_schema.py"


def test_readme_holds_working_vscode_settings() -> None:
    readme = (GOLDEN / "README.md").read_text(encoding="utf-8")
    block = readme.split("```json\n", 1)[1].split("```", 1)[0]
    settings = json.loads(block)
    assert settings == vscode_settings("schema")
    for target, globs in settings["yaml.schemas"].items():
        assert (ROOT / target).is_file()
        assert any(ROOT.glob("directory/data/" + globs[0].removeprefix("**/")))


def test_cli_prints_and_writes(tmp_path: Path, schemas: dict[str, dict[str, Any]]) -> None:
    runner = CliRunner()
    printed = runner.invoke(schema_command, [])
    assert printed.exit_code == 0
    assert json.loads(printed.output) == schemas["agency"]
    needs = runner.invoke(schema_command, ["--kind", "needs"])
    assert json.loads(needs.output) == schemas["needs"]
    out = tmp_path / "editor"
    wrote = runner.invoke(schema_command, ["--out", str(out)])
    assert wrote.exit_code == 0
    assert json.loads((out / "agency.schema.json").read_text(encoding="utf-8")) == schemas["agency"]
    assert wrote.output.count("wrote ") == 4
    both = runner.invoke(schema_command, ["--out", str(out), "--kind", "needs"])
    assert both.exit_code == 2
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    failed = runner.invoke(schema_command, ["--out", str(blocker / "inside")])
    assert failed.exit_code == 1
    assert "cannot write schemas" in failed.output
