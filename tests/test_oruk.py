"""Open Referral UK 3.0 export and import (directory.oruk).

Exports are checked against the standard's own schemas (tests/data/oruk-3.0, an unchanged copy of
OpenReferralUK/uk-profile: the self-contained compiled/ schemas, and the schema/ folder whose
per-object schemas $ref each other, resolved through a ``referencing`` registry), the tabular
package against the standard's datapackage.json; imports against the standard's examples, which
nobody on this project wrote. Round trips run on the shipped directory and on generated ones.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import uuid
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from directory.dumping import as_loaded, dump, write_atomic
from directory.loading import load, validate
from directory.models import Directory, Site
from directory.oruk import (
    EXTENSION,
    NAMESPACE,
    TABLES,
    datapackage,
    export_organizations,
    export_services,
    export_tables,
    export_taxonomies,
    import_oruk,
    import_oruk_file,
    oruk_id,
    publishable,
    write_json,
    write_json_export,
    write_tabular_export,
)
from directory.synthetic import synthetic_directory
from pathways.cli import main
from tests.factories import agency, drug_agency, make_directory
from tests.strategies import ORUK_TODAY, directories

ORUK = Path(__file__).parent / "data" / "oruk-3.0"
EXAMPLES = sorted((ORUK / "examples").glob("*.json"))
TODAY = date.today()  # the shipped data is kept valid as of today
BASE_URI = "https://oruk.test/"
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ============================================================================== helpers
@cache
def shipped() -> Directory:
    return load(today=TODAY)


@cache
def _registry() -> Registry[Any]:
    resources = [
        (
            f"{BASE_URI}schema/{path.name}",
            Resource.from_contents(json.loads(path.read_text()), DRAFT202012),
        )
        for path in (ORUK / "schema").glob("*.json")
    ]
    return Registry().with_resources(resources)


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@cache
def _compiled(name: str) -> Draft202012Validator:
    return _validator(json.loads((ORUK / "compiled" / f"{name}.json").read_text()))


@cache
def _by_ref(name: str) -> Draft202012Validator:
    return _validator({"$ref": f"{BASE_URI}schema/{name}.json"})


@cache
def _page_of(name: str) -> Draft202012Validator:
    """The API's Page (openapi components.schemas.Page) whose contents are ``name`` objects."""
    return _validator(
        {
            "allOf": [{"$ref": f"{BASE_URI}schema/openapi.json#/components/schemas/Page"}],
            "type": "object",
            "required": ["contents", "total_items", "size", "page_number"],
            "properties": {
                "contents": {"type": "array", "items": {"$ref": f"{BASE_URI}schema/{name}.json"}}
            },
        }
    )


def schema_errors(document: dict[str, Any], name: str) -> list[str]:
    """Every schema error of a Page of ``name`` objects: the Page through schema/ (with $refs),
    each item through the compiled schema when there is one."""
    found = [f"page: {e.json_path}: {e.message}" for e in _page_of(name).iter_errors(document)]
    if name in ("service", "organization"):
        for i, item in enumerate(document["contents"]):
            found += [
                f"item {i}: {e.json_path}: {e.message}" for e in _compiled(name).iter_errors(item)
            ]
    return found


def small_directory(tmp_path: Path) -> Directory:
    """The factory directory plus a refuge: a hidden site with a distinctive name and address."""
    refuge = agency(
        "safe-house",
        sites=[
            {
                "id": "safe-house-secret-refuge",
                "name": "Zanzibar Secret Refuge",
                "address": "77 Quillfeather Lane",
                "postcode": "PE13 9ZZ",
                "district": "fenland",
                "lat": 52.612345,
                "lon": 0.198765,
                "hidden": True,
            },
            {
                "id": "safe-house-office",
                "name": "Office",
                "district": "fenland",
                "lat": 52.66,
                "lon": 0.16,
            },
        ],
        pathways=[
            {
                "id": "safe-house-refuge",
                "name": "Refuge",
                "needs": ["accommodation"],
                "districts": ["fenland"],
                "sites": ["safe-house-secret-refuge", "safe-house-office"],
                "eligibility": {"min_age": 18, "genders": ["female"]},
            }
        ],
    )
    root = make_directory(
        tmp_path,
        agencies={
            "housing-help": agency(),
            "recovery-service": drug_agency(),
            "safe-house": refuge,
        },
    )
    return load(root, today=TODAY)


def walk(value: Any) -> Any:
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def strip_extension(value: Any) -> Any:
    """A document as a consumer who drops our extension objects would pass it on."""
    if isinstance(value, dict):
        return {k: strip_extension(v) for k, v in value.items() if k != EXTENSION}
    if isinstance(value, list):
        return [strip_extension(v) for v in value]
    return value


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value a JSON pointer names; a missing last member of an object resolves to None
    (problems may point where a required value should be)."""
    node = document
    parts = pointer.split("/")[1:] if pointer else []
    for n, part in enumerate(parts):
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(key)]
        elif n == len(parts) - 1 and key not in node:
            return None
        else:
            node = node[key]
    return node


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


# ============================================================================== schemas
def test_validators_are_not_vacuous() -> None:
    """The validators accept the standard's examples and refuse broken documents."""
    service = json.loads((ORUK / "examples" / "service_full.json").read_text())
    organization = json.loads((ORUK / "examples" / "organization_full.json").read_text())
    assert list(_compiled("service").iter_errors(service)) == []
    assert list(_by_ref("service").iter_errors(service)) == []
    assert list(_by_ref("organization").iter_errors(organization)) == []
    broken = [
        {k: v for k, v in service.items() if k != "status"},  # required field
        {**service, "status": "open"},  # not in the enum
        {**service, "id": "not-a-uuid"},  # format, checked
        {**service, "last_modified": "15/03/2023 10:00"},  # format date-time
        {**service, "organization": {"id": service["organization"]["id"], "name": "x"}},
        {**service, "attributes": [{"id": str(uuid.uuid4()), "taxonomy_term": {"id": "x"}}]},
        {**service, "service_at_locations": [{"id": str(uuid.uuid4()), "location": {}}]},
    ]
    for doc in broken:
        assert list(_compiled("service").iter_errors(doc)), doc
        assert list(_by_ref("service").iter_errors(doc)), doc  # nested $refs are followed
    assert schema_errors({"contents": [broken[0]]}, "service")


@pytest.mark.parametrize("which", ["shipped", "synthetic", "small"])
def test_exports_validate_against_the_standard(which: str, tmp_path: Path) -> None:
    makers: dict[str, Callable[[], Directory]] = {
        "shipped": shipped,
        "synthetic": lambda: synthetic_directory(150, n_districts=9, seed=3),
        "small": lambda: small_directory(tmp_path),
    }
    d = makers[which]()
    services = export_services(d)
    organizations = export_organizations(d)
    taxonomies = export_taxonomies(d)
    assert schema_errors(services, "service") == []
    assert schema_errors(organizations, "organization") == []
    assert schema_errors(taxonomies, "taxonomy") == []
    assert services["total_items"] == services["size"] == len(d.pathways)
    assert organizations["total_items"] == len(d.agencies)
    terms = taxonomies["contents"][0]["taxonomy_terms"]
    assert len(terms) == len(d.groups) + len(d.needs)
    # each service's embedded organization is the organization of the organizations page
    orgs = {
        o["id"]: {k: v for k, v in o.items() if k != "services"} for o in organizations["contents"]
    }
    for service in services["contents"]:
        assert service["organization"] == orgs[service["organization_id"]]


@PROPERTY
@given(directories())
def test_exports_of_generated_directories_validate(d: Directory) -> None:
    assert schema_errors(export_services(d), "service") == []
    assert schema_errors(export_organizations(d), "organization") == []


def test_mapping_of_one_pathway() -> None:
    d = shipped()
    service = next(
        s for s in export_services(d)["contents"] if s[EXTENSION]["id"] == "cwa-outreach"
    )
    pathway = d.pathway_by_id["cwa-outreach"]
    assert service["id"] == oruk_id("pathway", "cwa-outreach")
    assert service["name"] == pathway.name
    assert service["minimum_age"] == 16
    assert "maximum_age" not in service
    assert service["eligibility_description"] == "aged 16 or over; female only; for victims"
    assert [a["taxonomy_term"]["term"] for a in service["attributes"]] == list(pathway.needs)
    assert [a["value"] for a in service["attributes"]] == ["intensive"]  # the need's level
    assert [a["name"] for a in service["service_areas"]] == ["Cambridge"]
    assert service["capacities"][0]["maximum"] == pathway.capacity.places  # type: ignore[union-attr]
    assert service["capacities"][0]["unit"]["identifier"] == "places-per-month"
    assert service[EXTENSION]["delivery"] == ["outreach", "phone"]
    assert service["organization"]["name"] == "Cambridge Women's Aid"


@pytest.mark.parametrize(
    ("active", "status", "expected"),
    [
        (True, "open", "active"),
        (True, "waitlist", "active"),
        (True, "closed", "temporarily closed"),
        (False, "open", "inactive"),
    ],
)
def test_status(active: bool, status: str, expected: str) -> None:
    d = shipped()
    a = d.agencies[0]
    p = a.pathways[0]
    assert p.capacity is not None
    changed = p.model_copy(
        update={"active": active, "capacity": p.capacity.model_copy(update={"status": status})}
    )
    d2 = d.model_copy(update={"agencies": (a.model_copy(update={"pathways": (changed,)}),)})
    service = export_services(d2)["contents"][0]
    assert service["status"] == expected
    assert service["capacities"][0]["available"] == (p.capacity.places if status == "open" else 0)
    back, report = import_oruk(strip_extension(export_services(d2)), base=d, today=TODAY)
    assert back is not None, report.errors
    assert back.pathways[0].active is active


# ============================================================================== tables
def test_tables_are_the_standard_datapackage() -> None:
    standard = json.loads((ORUK / "datapackage.json").read_text())
    ours = datapackage()

    def project(resource: dict[str, Any]) -> dict[str, Any]:
        schema = resource["schema"]
        return {
            "name": resource["name"],
            "path": resource["path"],
            "primaryKey": schema.get("primaryKey"),
            "foreignKeys": schema.get("foreignKeys", []),
            "fields": [
                (f["name"], f["type"], f.get("format"), f.get("constraints", {}).get("required"))
                for f in schema["fields"]
            ],
        }

    n = len(standard["resources"])
    assert [project(r) for r in ours["resources"][:n]] == [
        project(r) for r in standard["resources"]
    ]
    assert [r["name"] for r in ours["resources"][n:]] == ["service_capacity", "unit"]
    assert [t.standard for t in TABLES] == [True] * n + [False, False]


def test_csv_package_of_the_shipped_directory() -> None:
    d = shipped()
    files = export_tables(d)
    assert set(files) == {t.path for t in TABLES} | {"datapackage.json"}
    assert json.loads(files["datapackage.json"]) == datapackage()
    tables = {t.name: read_csv(files[t.path]) for t in TABLES}
    ids: dict[str, set[str]] = {}
    for t in TABLES:
        header, rows = tables[t.name]
        assert header == list(t.column_names), t.name
        for row in rows:
            for name, _kind, fmt, required in t.columns:
                if required:
                    assert row[name] != "", (t.name, name, row)
                if fmt == "uuid" and row[name]:
                    assert uuid.UUID(row[name]).version == 5
        ids[t.name] = {row["id"] for row in rows}
        assert len(ids[t.name]) == len(rows), f"duplicate ids in {t.name}"
    for t in TABLES:
        for column, resource in t.foreign_keys:
            for row in tables[t.name][1]:
                assert row[column] == "" or row[column] in ids[resource], (t.name, column)
    assert len(tables["service"][1]) == len(d.pathways)
    assert len(tables["organization"][1]) == len(d.agencies)
    assert len(tables["attribute"][1]) == sum(len(p.needs) for p in d.pathways)
    assert len(tables["service_area"][1]) == sum(len(d.served_districts(p)) for p in d.pathways)
    assert len(tables["taxonomy_term"][1]) == len(d.groups) + len(d.needs)
    assert len(tables["schedule"][1]) == 0  # no schedules are known
    assert len(tables["phone"][1]) == sum(
        sum(c.kind == "phone" for c in a.contacts) * len(a.pathways) for a in d.agencies
    )
    with_places = [p for p in d.pathways if p.capacity and p.capacity.places is not None]
    assert len(tables["service_capacity"][1]) == len(with_places)
    # the CSV says what the JSON says
    by_id = {s["id"]: s for s in export_services(d)["contents"]}
    for row in tables["service"][1]:
        service = by_id[row["id"]]
        assert row["name"] == service["name"]
        assert row["status"] == service["status"]
        assert row["minimum_age"] == str(service.get("minimum_age", ""))
        assert row["assured_date"] == service.get("assured_date", "")


# ============================================================================== hidden sites
def _hidden_sites(d: Directory) -> list[Site]:
    return [s for a in d.agencies for s in a.sites if s.hidden]


@pytest.mark.parametrize("which", ["shipped", "small"])
def test_hidden_sites_never_leak(which: str, tmp_path: Path) -> None:
    d = shipped() if which == "shipped" else small_directory(tmp_path)
    hidden = _hidden_sites(d)
    assert hidden, "the test needs a hidden site"
    documents = [export_services(d), export_organizations(d), export_taxonomies(d)]
    texts = [json.dumps(doc, ensure_ascii=False) for doc in documents]
    texts += list(export_tables(d).values())
    points = {
        (node.get("latitude"), node.get("longitude"))
        for doc in documents
        for node in walk(doc)
        if isinstance(node, dict) and "latitude" in node
    }
    # town-level coordinates a published site shares with a refuge are not the refuge's
    points -= {(s.lat, s.lon) for a in d.agencies for s in a.sites if not s.hidden}
    names = {
        node.get("name")
        for doc in documents
        for node in walk(doc)
        if isinstance(node, dict) and "location_type" in node
    }
    for site in hidden:
        assert site.name not in names
        secrets = [site.id, oruk_id("site", site.id), oruk_id("address", site.id)]
        secrets += [v for v in (site.address, site.postcode) if v]
        if which == "small":  # a distinctive name: not anywhere, not even in free text
            secrets.append(site.name)
        for text in texts:
            for secret in secrets:
                assert secret not in text, f"{secret!r} of hidden site {site.id} leaked"
        assert (site.lat, site.lon) not in points
    if which == "small":
        for text in texts:
            assert "52.612345" not in text
            assert "0.198765" not in text
    # the pathway delivered at the refuge is still published, without it
    for site in hidden:
        users = [p for p in d.pathways if site.id in p.sites]
        for service in documents[0]["contents"]:
            if service[EXTENSION]["id"] in {p.id for p in users}:
                linked = [x["location"]["name"] for x in service.get("service_at_locations", [])]
                assert site.name not in linked


def test_publishable_drops_hidden_sites_and_links(tmp_path: Path) -> None:
    d = small_directory(tmp_path)
    view = publishable(d)
    assert _hidden_sites(view) == []
    assert view.pathway_by_id["safe-house-refuge"].sites == ("safe-house-office",)
    assert validate(view, today=TODAY).ok
    assert publishable(view) == view


# ============================================================================== examples
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_standard_examples_import_with_sensible_problems(path: Path) -> None:
    document = json.loads(path.read_text())
    directory, report = import_oruk(document, base=shipped(), source=path.name, today=TODAY)
    assert report.problems, "every example has something we cannot carry"
    for problem in report.problems:  # every problem points at a value of the document
        assert problem.file == path.name
        assert problem.field is not None
        resolve_pointer(document, problem.field)
    codes = set(report.codes())
    if "total_pages" in document:
        assert "oruk-partial-page" in codes  # page 1 of 10
    if path.stem.startswith("taxonomy"):
        assert codes <= {"oruk-empty", "oruk-partial-page"}
        assert directory is not None
        assert directory.agencies == ()
    elif path.stem == "organization_list":  # organizations without their services
        assert directory is not None
        assert directory.agencies == ()
        assert ["/contents/0/services", "oruk-empty"] in report.flatten(["field", "code"])
    else:
        # the one term ("name" in taxonomy "taxonomy") is no need, so the service cannot come in
        assert directory is None
        assert {p.code for p in report.errors} >= {"oruk-no-needs"}
        assert "oruk-unmapped-term" in codes or "attributes" not in json.dumps(document)
        if path.stem.endswith("_full"):
            # latitude 100, longitude 101 is not in the United Kingdom
            assert "coordinates-outside-uk" in {p.code for p in report.errors}
            unsupported = {
                str(p.field).rsplit("/", 1)[-1]
                for p in report.problems
                if p.code == "oruk-unsupported"
            }
            assert {"fees", "accreditations", "alert", "logo"} <= unsupported


def test_service_full_example_maps_once_its_terms_and_places_are_ours() -> None:
    document = json.loads((ORUK / "examples" / "service_full.json").read_text())
    document["attributes"][0]["taxonomy_term"].update(name="Housing", term="housing")
    location = document["service_at_locations"][0]["location"]
    location.update(latitude=52.5729, longitude=-0.2407)
    location["addresses"][0].update(postal_code="pe1 5du", city="Peterborough")
    document["service_areas"][0]["name"] = "Peterborough"
    directory, report = import_oruk(document, base=shipped(), source="x.json", today=TODAY)
    assert directory is not None, report.errors
    imported = directory.agencies[0]
    pathway = imported.pathways[0]
    assert imported.name == "Example Organization Inc."
    assert pathway.needs == ("accommodation",)  # "housing" is a synonym of accommodation
    assert pathway.districts == ("peterborough",)
    assert (pathway.eligibility.min_age, pathway.eligibility.max_age) == (12, 100)
    site = imported.sites[0]
    assert (site.district, site.postcode, site.lat) == ("peterborough", "PE1 5DU", 52.5729)
    assert imported.last_verified == date(2023, 3, 15)  # the latest of the service's dates
    assert ["/organization", "stale"] in report.flatten(["field", "code"])
    assert {c.value for c in imported.contacts} == {
        "email@example.com",
        "http://example.com/counselling",
    }


# ============================================================================== mapping rules
def _service(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "name": "Test service",
        "status": "active",
        "assured_date": "2026-09-01",
        "organization": {"id": "org-1", "name": "Test org", "description": ""},
        "attributes": [{"taxonomy_term": {"name": "Drugs", "term": "drugs"}}],
        "service_areas": [{"name": "Fenland"}],
    }
    base.update(fields)
    return base


def _term(**term: Any) -> list[dict[str, Any]]:
    return [{"id": str(uuid.uuid4()), "taxonomy_term": term}]


def _import(tmp_path: Path, *items: dict[str, Any]) -> tuple[Directory | None, Any]:
    base = load(make_directory(tmp_path), today=TODAY)
    return import_oruk({"contents": list(items)}, base=base, today=TODAY)


@pytest.mark.parametrize(
    ("term", "need"),
    [
        ({"term": "alcohol", "name": "Something else"}, "alcohol"),  # exact code
        ({"name": "Alcohol misuse"}, "alcohol"),  # label
        ({"name": "Drinking"}, "alcohol"),  # synonym, normalised
        ({"name": "HOMELESS"}, "accommodation"),
        ({"id": oruk_id("need", "drugs"), "name": "renamed"}, "drugs"),  # our own term id
    ],
)
def test_terms_map_to_needs(tmp_path: Path, term: dict[str, Any], need: str) -> None:
    directory, report = _import(tmp_path, _service(attributes=_term(**term)))
    assert directory is not None, report.problems
    assert directory.pathways[0].needs == (need,)


def test_unmapped_terms_are_reported_and_a_service_without_needs_is_refused(
    tmp_path: Path,
) -> None:
    attributes = _term(name="Drinking") + _term(name="Alcohl") + _term(name="Gardening")
    directory, report = _import(
        tmp_path, _service(attributes=attributes), _service(attributes=_term(name="Knitting"))
    )
    assert directory is None
    assert report.flatten(["field", "code"]) == [
        ["/contents/0/attributes/1", "oruk-unmapped-term"],
        ["/contents/0/attributes/2", "oruk-unmapped-term"],
        ["/contents/1/attributes/0", "oruk-unmapped-term"],
        ["/contents/1/attributes", "oruk-no-needs"],
    ]
    assert "'alcohol'" in report.problems[0].hint  # a near miss is suggested, not taken


def test_service_areas_map_to_districts_only(tmp_path: Path) -> None:
    areas = [{"name": "fenland"}, {"service_area": "Cambridge"}, {"name": "Wisbech"}, {}]
    directory, report = _import(tmp_path, _service(service_areas=areas))
    assert directory is not None
    assert directory.pathways[0].districts == ("fenland", "cambridge")
    assert report.flatten(["field", "code"]) == [
        ["/contents/0/service_areas/2", "oruk-unmapped-area"],  # a town is not a district
        ["/contents/0/service_areas/3", "oruk-unmapped-area"],
    ]


def test_locations_are_placed_by_coordinates_postcode_or_town(tmp_path: Path) -> None:
    def located(**location: Any) -> dict[str, Any]:
        return {"id": str(uuid.uuid4()), "location": {"location_type": "physical", **location}}

    address = {
        "address_1": "1 High St",
        "city": "Wisbech",
        "state_province": "",
        "postal_code": "PE13 1AB",
        "country": "GB",
        "address_type": "physical",
    }
    links = [
        located(id="l1", name="By coordinates", latitude=52.66, longitude=0.15),
        located(id="l2", name="By postcode", addresses=[address]),
        located(id="l3", name="By town", addresses=[{**address, "postal_code": ""}]),
        located(id="l4", name="Nowhere", latitude=51.5, longitude=-0.1),  # London
    ]
    directory, report = _import(tmp_path, _service(service_at_locations=links))
    assert directory is not None
    sites = directory.agencies[0].sites
    assert [(s.name, s.district, s.approximate) for s in sites] == [
        ("By coordinates", "fenland", False),
        ("By postcode", "fenland", True),
        ("By town", "fenland", True),
    ]
    assert sites[1].postcode == "PE13 1AB"
    assert sites[1].address == "1 High St, Wisbech"
    assert directory.pathways[0].sites == tuple(s.id for s in sites)
    assert report.flatten(["field", "code"]) == [
        ["/contents/0/service_at_locations/1/location", "oruk-assumed"],
        ["/contents/0/service_at_locations/2/location", "oruk-assumed"],
        ["/contents/0/service_at_locations/3/location", "oruk-unmapped-area"],
    ]


def test_status_ages_and_capacity_of_a_foreign_feed(tmp_path: Path) -> None:
    capacity = {
        "id": str(uuid.uuid4()),
        "unit": {"id": str(uuid.uuid4()), "name": "Places a week"},
        "available": 0,
        "maximum": 12,
        "updated": "2026-09-30T10:00:00Z",
    }
    directory, report = _import(
        tmp_path,
        _service(name="A", status="temporarily closed", minimum_age=0, maximum_age=150),
        _service(name="B", status="defunct", capacities=[capacity]),
        _service(name="C", capacities=[capacity], minimum_age=18.0),
    )
    assert directory is not None, report.errors
    a, b, c = directory.pathways
    assert a.active
    assert a.capacity is not None
    assert a.capacity.status == "closed"
    assert (a.eligibility.min_age, a.eligibility.max_age) == (None, None)
    assert not b.active
    assert c.capacity is not None
    assert (c.capacity.places, c.capacity.per, c.capacity.status) == (12, "week", "waitlist")
    assert c.capacity.updated == date(2026, 9, 30)
    assert c.eligibility.min_age == 18
    assert report.flatten(["field", "code"]) == [
        ["/contents/0/minimum_age", "oruk-assumed"],
        ["/contents/0/maximum_age", "oruk-assumed"],
    ]


def test_one_service_at_several_locations_is_one_pathway(tmp_path: Path) -> None:
    service = _service()
    page = {
        "contents": [
            {
                "id": str(uuid.uuid4()),
                "service": service,
                "location": {
                    "id": f"loc-{i}",
                    "name": f"Hub {i}",
                    "latitude": lat,
                    "longitude": 0.15,
                },
            }
            for i, lat in enumerate((52.66, 52.55))
        ]
    }
    base = load(make_directory(tmp_path), today=TODAY)
    directory, report = import_oruk(page, base=base, today=TODAY)
    assert directory is not None, report.problems
    assert len(directory.pathways) == 1
    assert [s.name for s in directory.agencies[0].sites] == ["Hub 0", "Hub 1"]
    assert len(directory.pathways[0].sites) == 2


def test_unreadable_documents(tmp_path: Path) -> None:
    base = load(make_directory(tmp_path), today=TODAY)
    for document, pointer in [([], ""), ({"contents": {}}, "/contents"), ({"x": 1}, "")]:
        directory, report = import_oruk(document, base=base)
        assert directory is None
        assert report.flatten(["field", "code"]) == [[pointer, "oruk-invalid"]]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    directory, report = import_oruk_file(bad, base=base)
    assert directory is None
    assert report.flatten(["code", "line", "column"]) == [["json-syntax", 1, 2]]
    orphan = _service()
    del orphan["organization"]
    directory, report = import_oruk(orphan, base=base)
    assert report.flatten(["field", "code"]) == [["/organization", "oruk-invalid"]]


# ============================================================================== round trips
def _round_trip(d: Directory, document: dict[str, Any]) -> Directory:
    document = json.loads(json.dumps(document))  # only what JSON can carry
    back, report = import_oruk(document, base=d, today=TODAY)
    assert report.ok, [(p.code, p.field, p.message) for p in report.errors]
    assert [c for c in report.codes() if c.startswith("oruk-")] == []
    assert back is not None
    return back


def test_round_trip_of_the_shipped_directory() -> None:
    d = shipped()
    expected = publishable(d)
    assert _round_trip(d, export_services(d)) == expected
    assert _round_trip(d, export_organizations(d)) == expected


@PROPERTY
@given(directories())
def test_round_trip_of_generated_directories(d: Directory) -> None:
    assert validate(d, today=ORUK_TODAY).ok  # the strategy draws valid directories
    expected = publishable(d)
    assert _round_trip(d, export_services(d)) == expected
    assert _round_trip(d, export_organizations(d)) == expected


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(directories(max_agencies=4))
def test_round_trip_of_generated_directories_long(d: Directory) -> None:
    assert _round_trip(d, export_services(d)) == publishable(d)


def test_round_trip_without_the_extension_keeps_the_standard_fields() -> None:
    """A consumer that drops x_pathways still passes on names, needs, areas, ages and places."""
    d = publishable(shipped())
    back, report = import_oruk(strip_extension(export_services(d)), base=d, today=TODAY)
    assert back is not None, report.errors
    assert len(back.agencies) == len(d.agencies)
    assert len(back.pathways) == len(d.pathways)
    for old, new in zip(d.pathways, back.pathways, strict=True):
        assert new.name == old.name
        assert new.needs == old.needs
        assert set(back.served_districts(new)) == set(d.served_districts(old))
        assert (new.eligibility.min_age, new.eligibility.max_age) == (
            old.eligibility.min_age,
            old.eligibility.max_age,
        )
        assert new.active == old.active
        assert new.referral == old.referral
        if old.capacity is not None and old.capacity.places is not None:
            assert new.capacity is not None
            assert (new.capacity.places, new.capacity.per, new.capacity.updated) == (
                old.capacity.places,
                old.capacity.per,
                old.capacity.updated,
            )
        old_points = [(s.lat, s.lon) for s in d.sites_of(old)]
        assert [(s.lat, s.lon) for s in back.sites_of(new)] == old_points
    assert [a.name for a in back.agencies] == [a.name for a in d.agencies]
    assert [a.last_verified for a in back.agencies] == [a.last_verified for a in d.agencies]


def test_imported_directory_written_as_yaml_loads_back(tmp_path: Path) -> None:
    d = shipped()
    back = _round_trip(d, export_services(d))
    dump(back, tmp_path)
    assert load(tmp_path, today=TODAY) == as_loaded(back)


# ============================================================================== stable ids
def test_ids_are_stable_uuid5_of_our_ids() -> None:
    d = shipped()
    first, second = export_services(d), export_services(shipped().model_copy())
    assert first == second
    for service, pathway in zip(first["contents"], d.pathways, strict=True):
        assert service["id"] == str(uuid.uuid5(NAMESPACE, f"pathway/{pathway.id}"))
    every_id = [
        node["id"]
        for doc in (first, export_taxonomies(d))
        for node in walk(strip_extension(doc))  # the extension holds our own ids
        if isinstance(node, dict) and "id" in node
    ]
    assert len(every_id) > 1000
    assert all(uuid.UUID(i).version == 5 for i in every_id)
    # a record edited keeps its id, and so do the others
    a = d.agencies[0]
    renamed = d.model_copy(
        update={"agencies": (a.model_copy(update={"name": "Renamed"}), *d.agencies[1:])}
    )
    after = export_services(renamed)
    assert [s["id"] for s in after["contents"]] == [s["id"] for s in first["contents"]]
    assert after["contents"][0]["organization"]["id"] == first["contents"][0]["organization"]["id"]


# ============================================================================== atomic writes
def _folder_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


class Interrupting(dict):  # type: ignore[type-arg]
    """A mapping whose items cannot be read: the encoder stops part-way, as on Ctrl-C."""

    def items(self) -> Any:
        raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("poison", "error"),
    [(float("nan"), ValueError), ({1, 2}, TypeError), (Interrupting(a=1), KeyboardInterrupt)],
)
def test_a_failed_write_leaves_the_old_file(tmp_path: Path, poison: Any, error: type) -> None:
    target = tmp_path / "services.json"
    write_json(target, export_services(shipped()))
    before = _folder_state(tmp_path)
    document = export_services(shipped())
    document["contents"][-1]["poison"] = poison  # reached after most of the file is written
    with pytest.raises(error):
        write_json(target, document)
    assert _folder_state(tmp_path) == before  # byte-identical, and no temporary file left


def test_atomic_write_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.csv"
    write_atomic(target, "one\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    os.chmod(target, 0o600)
    write_atomic(target, "two\n")
    assert target.read_text() == "two\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_exports_write_every_file(tmp_path: Path) -> None:
    d = shipped()
    json_files = write_json_export(d, tmp_path / "json")
    csv_files = write_tabular_export(d, tmp_path / "csv")
    assert [p.name for p in json_files] == [
        "services.json",
        "organizations.json",
        "taxonomies.json",
    ]
    assert json.loads(json_files[0].read_text()) == export_services(d)
    tables = export_tables(d)
    assert sorted(p.name for p in csv_files) == sorted(tables)
    for p in csv_files:
        assert p.read_bytes() == tables[p.name].encode("utf-8")  # CRLF rows kept as written


# ============================================================================== CLI
def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_cli_export_and_import(tmp_path: Path) -> None:
    code, out = run("export", "--format", "oruk-json", "--out", str(tmp_path / "json"))
    assert code == 0, out
    services = json.loads((tmp_path / "json" / "services.json").read_text())
    assert schema_errors(services, "service") == []
    code, out = run("export", "--format", "oruk-csv", "--out", str(tmp_path / "csv"))
    assert code == 0, out
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == sorted(
        [t.path for t in TABLES] + ["datapackage.json"]
    )
    code, out = run(
        "import", str(tmp_path / "json" / "services.json"), "--out", str(tmp_path / "dir")
    )
    assert code == 0, out
    assert load(tmp_path / "dir") == as_loaded(publishable(load()))


def test_cli_import_refuses_a_feed_with_errors(tmp_path: Path) -> None:
    code, out = run(
        "import", str(ORUK / "examples" / "service_full.json"), "--out", str(tmp_path / "dir")
    )
    assert code == 1
    assert "oruk-no-needs" in out
    assert "/attributes" in out
    assert not (tmp_path / "dir").exists()


def test_cli_export_usage_errors(tmp_path: Path) -> None:
    code, _ = run("export", "--format", "hsds-xml", "--out", str(tmp_path))
    assert code == 2
    code, _ = run("export", "--format", "oruk-json")
    assert code == 2
