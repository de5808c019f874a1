"""JSON Schemas for the three kinds of directory file, generated from the models.

Editors that speak JSON Schema (VS Code with the YAML extension, JetBrains IDEs) check a YAML file
as it is typed: unknown keys, wrong types, values outside a vocabulary, malformed ids. The schemas
come from the pydantic models with ``model_json_schema``, so they cannot drift from what the loader
accepts; ``additionalProperties: false`` comes from the models' ``extra="forbid"``. Two small
wrapper models describe the top level of ``needs.yaml`` and ``localities.yaml`` (their keys are the
loader's); every property gets a description that editors show on hover, and a few checks the
models make in Python (coordinates inside the United Kingdom, ages, places, http(s) addresses,
postcodes, phone numbers and email addresses of contacts) are added as JSON Schema keywords.

The schemas are a typing aid: checks across records (a need that does not exist, a site of another
agency) need the whole directory, and only ``pathways validate`` makes them.

>>> schemas = json_schemas()
>>> sorted(schemas)
['agency', 'localities', 'needs']
>>> schemas["agency"]["additionalProperties"], schemas["agency"]["required"]
(False, ['id', 'name', 'pathways'])
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from directory.dumping import write_atomic
from directory.loading import AGENCIES_DIR, LOCALITIES_FILE, NEEDS_FILE
from directory.models import (
    _EMAIL,
    _PHONE,
    _POSTCODE,
    _UK_LAT,
    _UK_LON,
    _URL,
    Agency,
    Area,
    District,
    Need,
    NeedGroup,
    PostcodeDistrict,
    Town,
)

if TYPE_CHECKING:
    import os

__all__ = [
    "FIELD_DESCRIPTIONS",
    "FILES",
    "KEYWORDS",
    "LocalitiesFile",
    "NeedsFile",
    "json_schema",
    "json_schemas",
    "vscode_settings",
    "write_schemas",
]

DIALECT = "https://json-schema.org/draft/2020-12/schema"


class NeedsFile(BaseModel):
    """needs.yaml: the need taxonomy, needs grouped by the reoffending pathways."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="needs.yaml")
    version: str | int | None = None
    groups: tuple[NeedGroup, ...]
    needs: tuple[Need, ...]


class LocalitiesFile(BaseModel):
    """localities.yaml: policing areas, districts, towns and postcode districts with centres."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="localities.yaml")
    version: str | int | None = None
    attribution: str | None = None
    areas: tuple[Area, ...]
    districts: tuple[District, ...]
    towns: tuple[Town, ...] = ()
    postcode_districts: tuple[PostcodeDistrict, ...] = ()


#: The kinds of file: (schema name, model, the files it applies to as a glob, schema file name).
FILES: dict[str, tuple[type[BaseModel], str, str]] = {
    "needs": (NeedsFile, f"**/{NEEDS_FILE}", "needs.schema.json"),
    "localities": (LocalitiesFile, f"**/{LOCALITIES_FILE}", "localities.schema.json"),
    "agency": (Agency, f"**/{AGENCIES_DIR}/*.yaml", "agency.schema.json"),
}

_ID_SNAKE = "Stable id: lower case letters, digits and `_` (snake_case). Other systems store it."
_ID_KEBAB = "Stable id: lower case letters, digits and `-` (kebab-case). Other systems store it."
_LAT = "Latitude in degrees (WGS84), inside the United Kingdom."
_LON = "Longitude in degrees (WGS84), inside the United Kingdom."

#: The hover text of every property, by model title and field name. A test keeps it complete.
FIELD_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "needs.yaml": {
        "version": "Optional version of the file, for the editors' own records.",
        "groups": "The groups needs belong to: the seven reoffending pathways, the two women's "
        "pathways, support.",
        "needs": "The needs an assessment can name.",
    },
    "localities.yaml": {
        "version": "Optional version of the file, for the editors' own records.",
        "attribution": "Credit for the place data (for example GeoNames, CC BY 4.0).",
        "areas": "Policing areas (North, South).",
        "districts": "Districts: the unit of locality; each has a centre used for distances.",
        "towns": "Towns and villages and the district each lies in.",
        "postcode_districts": "Postcode districts (outward codes) and the district each lies in.",
    },
    "NeedGroup": {
        "id": _ID_SNAKE,
        "label": "The group's name as people read it.",
        "number": "The pathway number in the 2004 reoffending action plan (1-9), when it has one.",
    },
    "Need": {
        "id": _ID_SNAKE,
        "label": "The need's name as people read it.",
        "group": "The id of the group (in `groups`) the need belongs to.",
        "description": "One or two sentences on what the need covers.",
        "oasys": "OASys need areas this need maps to.",
        "synonyms": "Words and phrases people type for this need, lower case; each under one "
        "need only.",
    },
    "Area": {"id": _ID_SNAKE, "label": "The area's name as people read it."},
    "District": {
        "id": _ID_SNAKE,
        "label": "The district's name as people read it.",
        "area": "The id of the policing area (in `areas`) the district is in.",
        "lat": _LAT + " The district centre (its main town), used for distances.",
        "lon": _LON + " The district centre (its main town), used for distances.",
        "aliases": "Other names people type for the district.",
    },
    "Town": {
        "name": "The town or village name.",
        "district": "The id of the district the town lies in.",
        "lat": _LAT,
        "lon": _LON,
        "population": "Population, when known.",
    },
    "PostcodeDistrict": {
        "code": "The outward code, upper case (`PE13`).",
        "district": "The id of the district most of it lies in.",
        "lat": _LAT + " An approximate centre.",
        "lon": _LON + " An approximate centre.",
    },
    "Agency": {
        "id": _ID_KEBAB + " The file name is the id: agencies/<id>.yaml.",
        "name": "The agency's name as people know it.",
        "operator": "The organisation that runs it, when different.",
        "kind": "What kind of organisation it is.",
        "description": "What the agency does, in plain words.",
        "website": "The agency's website: an http(s) address.",
        "contacts": "Ways to reach the agency.",
        "sources": "Where the facts came from: at least one public source.",
        "last_verified": "The day someone checked the named sources (ISO date, 2026-10-15); "
        "leave it out until someone has: never a guess.",
        "illustrative": "What in this file is invented for the example, if anything.",
        "youth_justice": "True for a youth justice service (youth offending team): every "
        "under-18's plan in the districts its pathways serve goes through it.",
        "sites": "Places where the agency's pathways are delivered.",
        "pathways": "The diversionary interventions the agency runs: at least one.",
    },
    "Contact": {
        "kind": "What kind of contact this is.",
        "value": "The phone number, email address, web address or postal address.",
        "label": "What the contact is for (Referrals, Office).",
    },
    "Source": {
        "title": "The source's title.",
        "url": "Where to read it: an http(s) address.",
        "evidence": "read: read in the source; memory: recalled; guess: an informed guess.",
        "note": "Anything to add about the source.",
    },
    "Site": {
        "id": _ID_KEBAB,
        "name": "The site's name as people read it.",
        "district": "The id of the district the site lies in.",
        "address": "The street address.",
        "postcode": "A full UK postcode (PE1 5DU).",
        "lat": _LAT,
        "lon": _LON,
        "approximate": "True when the coordinates are estimated, not surveyed.",
        "hidden": "True for refuges and other places never published or exported.",
    },
    "Pathway": {
        "id": _ID_KEBAB + " Unique in the whole directory.",
        "name": "The pathway's name as people read it.",
        "description": "What happens on the pathway, in plain words.",
        "needs": "Ids of the needs (in needs.yaml) the pathway addresses: at least one.",
        "districts": "`all`, or the ids of the districts the pathway serves.",
        "delivery": "How it is delivered; online and phone reach people anywhere.",
        "sites": "Ids of this agency's sites where it is delivered.",
        "eligibility": "Who it accepts; leaving a rule out means no restriction.",
        "capacity": "Places per period; absent means not limited or not recorded.",
        "conditions": "The kinds of condition it can be attached to as.",
        "level": "What it delivers for each need not listed in levels: advice (L1), structured "
        "(L2), intensive (L3) or residential (L4: residential, crisis or refuge provision).",
        "levels": "The level for particular needs, where it differs from level.",
        "alongside": "Needs it helps with alongside its specialism (the other needs).",
        "referral": "How to refer someone.",
        "active": "False for a pathway that is not running now.",
    },
    "Eligibility": {
        "min_age": "Youngest age accepted (10-120).",
        "max_age": "Oldest age accepted (10-120).",
        "genders": "Genders accepted; absent means everyone.",
        "cohorts": "The person must be in one of these cohorts.",
        "offences": "Offences accepted; absent means any.",
        "excluded_offences": "Offences not accepted.",
        "disposals": "Disposals it can be a condition of; absent means any.",
        "role": "diverted (people diverted), victim (people assessed as victims only) or both.",
        "audience": "For whom it is meant: open, focus or only, for women and for under-18s.",
        "requires": "Facts that must be recorded first (restorative justice: admission, "
        "victim_willing).",
        "notes": "Plain words about anything the rules cannot say.",
    },
    "Audience": {
        "women": "open to all, a focus on women, or women only.",
        "under_18": "open to all, a focus on under-18s, or under-18s only.",
    },
    "Capacity": {
        "places": "Places per period, 0 or more.",
        "per": "The period the places are counted in.",
        "status": "open, waitlist (taking names) or closed.",
        "updated": "The day the places were last confirmed (ISO date).",
        "illustrative": "True when the number is invented for the example.",
    },
}

_LOCATED = ("District", "Town", "PostcodeDistrict", "Site")
#: Checks the models make in Python, as JSON Schema keywords: (model, field) -> (the JSON type
#: of the branch they apply to, keywords). tests/test_schema.py checks each against the model.
KEYWORDS: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    **{
        (model, "lat"): ("number", {"minimum": _UK_LAT[0], "maximum": _UK_LAT[1]})
        for model in _LOCATED
    },
    **{
        (model, "lon"): ("number", {"minimum": _UK_LON[0], "maximum": _UK_LON[1]})
        for model in _LOCATED
    },
    ("Capacity", "places"): ("integer", {"minimum": 0}),
    ("Eligibility", "min_age"): ("integer", {"minimum": 10, "maximum": 120}),
    ("Eligibility", "max_age"): ("integer", {"minimum": 10, "maximum": 120}),
    ("Site", "postcode"): ("string", {"pattern": _POSTCODE.pattern}),
    ("Agency", "website"): ("string", {"pattern": _URL.pattern}),
    ("Source", "url"): ("string", {"pattern": _URL.pattern}),
}
#: A contact's value is checked by its kind.
_CONTACT_RULES = [
    {
        "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
        "then": {"properties": {"value": {"pattern": pattern.pattern}}},
    }
    for kind, pattern in (("phone", _PHONE), ("email", _EMAIL), ("website", _URL))
]


def _summary(docstring: str) -> str:
    """The first paragraph of a docstring, without doctest examples, on one line."""
    paragraph = docstring.strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.splitlines() if line.strip())


def _branch(prop: dict[str, Any], json_type: str) -> dict[str, Any]:
    """The branch of an optional property (``anyOf``) with the given type, or the property."""
    for branch in prop.get("anyOf", []):
        if branch.get("type") == json_type:
            found: dict[str, Any] = branch
            return found
    return prop


def _annotate(title: str, schema: dict[str, Any]) -> None:
    docs = FIELD_DESCRIPTIONS.get(title, {})
    if "description" in schema:
        schema["description"] = _summary(schema["description"])
    for name, prop in schema.get("properties", {}).items():
        if name in docs:
            prop["description"] = docs[name]
        if (title, name) in KEYWORDS:
            json_type, keywords = KEYWORDS[(title, name)]
            _branch(prop, json_type).update(keywords)
    if title == "Contact":
        schema["allOf"] = _CONTACT_RULES


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """One model's JSON Schema (draft 2020-12) with descriptions and the extra keywords."""
    schema = model.model_json_schema()
    _annotate(schema["title"], schema)
    for name, definition in schema.get("$defs", {}).items():
        _annotate(name, definition)
    return {"$schema": DIALECT, **schema}


def json_schemas() -> dict[str, dict[str, Any]]:
    """The schemas of the three kinds of file, by name: ``needs``, ``localities``, ``agency``."""
    return {name: json_schema(model) for name, (model, _glob, _file) in FILES.items()}


def vscode_settings(folder_name: str = "schema") -> dict[str, Any]:
    """The ``yaml.schemas`` setting of VS Code's YAML extension for schemas in ``folder_name``.

    >>> vscode_settings()["yaml.schemas"]["./schema/agency.schema.json"]
    ['**/agencies/*.yaml']
    """
    return {
        "yaml.schemas": {f"./{folder_name}/{file}": [glob] for _model, glob, file in FILES.values()}
    }


def _readme(folder_name: str) -> str:
    settings = json.dumps(vscode_settings(folder_name), indent=2)
    return f"""# JSON Schemas for directory files

Generated from the models by `pathways schema --out {folder_name}/`. Do not edit them by hand: run
the command again after upgrading `pathways` (in its own repository, a test fails until you do).

| file | schema |
|---|---|
| `needs.yaml` | `needs.schema.json` |
| `localities.yaml` | `localities.schema.json` |
| `agencies/<id>.yaml` | `agency.schema.json` |

## VS Code

Install the YAML extension (`redhat.vscode-yaml`) and add this to `.vscode/settings.json` (paths are
relative to the folder opened in VS Code):

```json
{settings}
```

Or name the schema on the first line of one file, by a path relative to that file:

```yaml
# yaml-language-server: $schema=../../{folder_name}/agency.schema.json
```

The editor then flags unknown keys, wrong types and values outside a vocabulary as you type.
Checks across files (a need or district that does not exist) need `pathways validate`.
"""


def write_schemas(folder: str | os.PathLike[str]) -> list[Path]:
    """Write the three schemas and a README with VS Code settings into ``folder``.

    Creates the folder; each file is written atomically. Returns the paths written.
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    schemas = json_schemas()
    for name, (_model, _glob, file) in FILES.items():
        text = json.dumps(schemas[name], indent=2, ensure_ascii=False) + "\n"
        written.append(write_atomic(root / file, text))
    written.append(write_atomic(root / "README.md", _readme(root.name)))
    return written
