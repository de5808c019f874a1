"""The standard's own openapi.json (tests/data/oruk-3.0, unchanged) made self-contained for tests.

openapi.json points its response schemas at the uk-profile repository on the web; these tests
run offline, so each of those addresses is read from the local copy of the same repository:

=================================== ===========================================================
address in openapi.json             local file
=================================== ===========================================================
``schema/compiled/service.json``    ``compiled/service.json``
``schema/taxonomy.json``            ``schema/taxonomy.json`` (its ``$ref`` to terms inlined)
``schema/taxonomy_term.json``       ``schema/taxonomy_term.json``
``compiled/service_list.json``      not in the copy: ``compiled/service.json``, the full
                                    service (a listed service is a service with fewer fields)
``compiled/service_at_location_     not in the copy: ``schema/service_at_location.json``
list.json``                         (its ``$ref`` to location inlined)
=================================== ===========================================================

Every other ``$ref`` (components, relative files) is inlined as it stands. One correction: the
``start_time`` and ``end_time`` parameters say ``{"type": "time"}``, which is not a JSON Schema
type (schemathesis refuses the document); they are read as the evident intent,
``{"type": "string", "format": "time"}``. Nothing is loosened.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

ORUK = Path(__file__).parent / "data" / "oruk-3.0"
REMOTE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
LOCAL = {
    "compiled/service.json": ORUK / "compiled" / "service.json",
    "compiled/service_list.json": ORUK / "compiled" / "service.json",
    "compiled/service_at_location_list.json": ORUK / "schema" / "service_at_location.json",
    "taxonomy.json": ORUK / "schema" / "taxonomy.json",
    "taxonomy_term.json": ORUK / "schema" / "taxonomy_term.json",
}


def _pointer(document: Any, pointer: str) -> Any:
    node = document
    for part in pointer.lstrip("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _inline(node: Any, root: Any, folder: Path) -> Any:
    if isinstance(node, list):
        return [_inline(v, root, folder) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    rest = {k: _inline(v, root, folder) for k, v in node.items() if k != "$ref"}
    if ref is None:
        return rest
    if ref.startswith("#/"):
        target = _inline(_pointer(root, ref), root, folder)
    else:
        path = LOCAL[ref[len(REMOTE) :]] if ref.startswith(REMOTE) else folder / ref
        loaded = json.loads(path.read_text())
        target = _inline(loaded, loaded, path.parent)
    return {**target, **rest}


@cache
def standard_openapi() -> dict[str, Any]:
    """openapi.json with every ``$ref`` inlined from the local copy (see the module notes)."""
    raw = json.loads((ORUK / "schema" / "openapi.json").read_text())
    document: dict[str, Any] = _inline(raw, raw, ORUK / "schema")
    for node in walk_dicts(document):
        if node.get("type") == "time":
            node["type"], node["format"] = "string", "time"
    return document


def walk_dicts(node: Any) -> Any:
    """Every object inside ``node`` (itself included)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk_dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk_dicts(value)


def response_schema(path: str) -> dict[str, Any]:
    """The self-contained JSON Schema of ``GET path``'s 200 answer in the standard."""
    operation = standard_openapi()["paths"][path]["get"]
    schema: dict[str, Any] = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return schema
